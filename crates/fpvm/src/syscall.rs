//! Raw system calls of the two fault-proof VMs.
//!
//! - Asterisc (RISC-V 64): `ecall`, number in `a7`, arguments in `a0..a5`, result in `a0`. The VM
//!   writes both `a0` and `a1` (on error `a0 = -1` and `a1 = errno`); Linux instead returns
//!   `-errno` in `a0`. Both registers are declared clobbered.
//! - Cannon (MIPS64, n64 ABI): `syscall`, number in `$v0`, arguments in `$a0..$a5`, result in
//!   `$v0`, error flag in `$a3`. On error Cannon sets `$v0 = -1` and `$a3 = errno`; Linux sets
//!   `$a3 = 1` and `$v0 = errno`.
//!
//! Both conventions are decoded so that the same binary runs on the VM and under `qemu-user`.

/// An error number returned by a failed system call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Errno(pub i64);

impl core::fmt::Display for Errno {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "errno {}", self.0)
    }
}

/// System call numbers of the target: the generic Linux table (RISC-V 64, i.e. Asterisc, and
/// hosts without an FPVM), MIPS n64 (Cannon), or native x86_64 Linux.
pub mod nr {
    /// The numbers of the calls this crate makes.
    struct Numbers {
        read: u64,
        write: u64,
        mmap: u64,
        exit: u64,
        exit_group: u64,
    }

    #[cfg(not(any(target_arch = "mips64", target_arch = "x86_64")))]
    const TARGET: Numbers = Numbers {
        read: 63,
        write: 64,
        mmap: 222,
        exit: 93,
        exit_group: 94,
    };
    #[cfg(target_arch = "mips64")]
    const TARGET: Numbers = Numbers {
        read: 5000,
        write: 5001,
        mmap: 5009,
        exit: 5058,
        exit_group: 5205,
    };
    #[cfg(target_arch = "x86_64")]
    const TARGET: Numbers = Numbers {
        read: 0,
        write: 1,
        mmap: 9,
        exit: 60,
        exit_group: 231,
    };

    /// `read`.
    pub const READ: u64 = TARGET.read;
    /// `write`.
    pub const WRITE: u64 = TARGET.write;
    /// `mmap`.
    pub const MMAP: u64 = TARGET.mmap;
    /// `exit`.
    pub const EXIT: u64 = TARGET.exit;
    /// `exit_group`.
    pub const EXIT_GROUP: u64 = TARGET.exit_group;
}

/// `mmap` constants for anonymous private mappings.
pub mod mmap {
    /// `PROT_READ | PROT_WRITE`.
    pub const PROT_READ_WRITE: u64 = 0x3;
    /// `MAP_PRIVATE`.
    pub const MAP_PRIVATE: u64 = 0x2;
    /// `MAP_ANONYMOUS` (Asterisc requires it).
    #[cfg(not(target_arch = "mips64"))]
    pub const MAP_ANONYMOUS: u64 = 0x20;
    /// `MAP_ANONYMOUS`.
    #[cfg(target_arch = "mips64")]
    pub const MAP_ANONYMOUS: u64 = 0x800;
    /// `MAP_NORESERVE`: no swap accounting, pages are committed on first touch.
    #[cfg(not(target_arch = "mips64"))]
    pub const MAP_NORESERVE: u64 = 0x4000;
    /// `MAP_NORESERVE`.
    #[cfg(target_arch = "mips64")]
    pub const MAP_NORESERVE: u64 = 0x400;
}

/// A three-argument system call: [`arch::syscall6`] with the remaining arguments zero.
///
/// # Safety
/// The arguments must be valid for system call `n`.
unsafe fn syscall3(n: u64, a: u64, b: u64, c: u64) -> Result<u64, Errno> {
    // SAFETY: the caller upholds the system call's contract.
    unsafe { arch::syscall6(n, a, b, c, 0, 0, 0) }
}

#[cfg(target_arch = "riscv64")]
mod arch {
    use super::Errno;

    /// Maps the raw `(a0, a1)` pair to a result.
    fn decode(a0: u64, a1: u64) -> Result<u64, Errno> {
        let ret: i64 = a0 as i64;
        if !(-4095..0).contains(&ret) {
            return Ok(a0);
        }
        // Asterisc: a0 = -1, a1 = errno. Linux: a0 = -errno (a1 keeps the argument, which is
        // never a small positive number for the calls made here).
        if ret == -1 && (1..4096).contains(&a1) {
            return Err(Errno(a1 as i64));
        }
        Err(Errno(-ret))
    }

    /// # Safety
    /// The arguments must be valid for system call `n`.
    pub(crate) unsafe fn syscall6(
        n: u64,
        a: u64,
        b: u64,
        c: u64,
        d: u64,
        e: u64,
        f: u64,
    ) -> Result<u64, Errno> {
        let a0: u64;
        let a1: u64;
        // SAFETY: the caller upholds the system call's contract.
        unsafe {
            core::arch::asm!(
                "ecall",
                in("a7") n,
                inlateout("a0") a => a0,
                inlateout("a1") b => a1,
                in("a2") c,
                in("a3") d,
                in("a4") e,
                in("a5") f,
                options(nostack)
            );
        }
        decode(a0, a1)
    }
}

#[cfg(target_arch = "mips64")]
mod arch {
    use super::Errno;

    /// Maps the raw `($v0, $a3)` pair to a result.
    fn decode(v0: u64, a3: u64) -> Result<u64, Errno> {
        if a3 == 0 {
            return Ok(v0);
        }
        // Cannon: v0 = -1, a3 = errno. Linux: a3 = 1, v0 = errno.
        if v0 == u64::MAX {
            Err(Errno(a3 as i64))
        } else {
            Err(Errno(v0 as i64))
        }
    }

    /// # Safety
    /// The arguments must be valid for system call `n`.
    pub(crate) unsafe fn syscall6(
        n: u64,
        a: u64,
        b: u64,
        c: u64,
        d: u64,
        e: u64,
        f: u64,
    ) -> Result<u64, Errno> {
        let v0: u64;
        let a3: u64;
        // SAFETY: the caller upholds the system call's contract. The Linux n64 kernel may
        // clobber $v1, $a4-$a7, $t0-$t3 ($12-$15), $t8 and $t9, all declared here; $at is
        // reserved for the assembler and never holds a compiler value across this block.
        unsafe {
            core::arch::asm!(
                "syscall",
                inlateout("$2") n => v0,
                in("$4") a,
                in("$5") b,
                in("$6") c,
                inlateout("$7") d => a3,
                inlateout("$8") e => _,
                inlateout("$9") f => _,
                lateout("$3") _,
                lateout("$10") _,
                lateout("$11") _,
                lateout("$12") _,
                lateout("$13") _,
                lateout("$14") _,
                lateout("$15") _,
                lateout("$24") _,
                lateout("$25") _,
                options(nostack)
            );
        }
        decode(v0, a3)
    }
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod arch {
    //! Native Linux, so that FPVM programs can also run directly on an x86_64 host.
    use super::Errno;

    /// # Safety
    /// The arguments must be valid for system call `n`.
    pub(crate) unsafe fn syscall6(
        n: u64,
        a: u64,
        b: u64,
        c: u64,
        d: u64,
        e: u64,
        f: u64,
    ) -> Result<u64, Errno> {
        let ret: u64;
        // SAFETY: the caller upholds the system call's contract.
        unsafe {
            core::arch::asm!(
                "syscall",
                inlateout("rax") n => ret,
                in("rdi") a,
                in("rsi") b,
                in("rdx") c,
                in("r10") d,
                in("r8") e,
                in("r9") f,
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack)
            );
        }
        let signed: i64 = ret as i64;
        if (-4095..0).contains(&signed) {
            Err(Errno(-signed))
        } else {
            Ok(ret)
        }
    }
}

#[cfg(not(any(
    target_arch = "riscv64",
    target_arch = "mips64",
    all(target_arch = "x86_64", target_os = "linux")
)))]
mod arch {
    //! Hosts without an FPVM: every call fails with `ENOSYS`, so the crate still builds and its
    //! logic can be type-checked natively.
    use super::Errno;

    const ENOSYS: i64 = 38;

    /// # Safety
    /// Always safe; present for signature parity.
    pub(crate) unsafe fn syscall6(
        _n: u64,
        _a: u64,
        _b: u64,
        _c: u64,
        _d: u64,
        _e: u64,
        _f: u64,
    ) -> Result<u64, Errno> {
        Err(Errno(ENOSYS))
    }
}

/// Reads up to `buf.len()` bytes from `fd`.
pub fn read(fd: u64, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes.
    let n: u64 = unsafe { syscall3(nr::READ, fd, buf.as_mut_ptr() as u64, buf.len() as u64)? };
    Ok(n as usize)
}

/// Writes up to `buf.len()` bytes to `fd`.
pub fn write(fd: u64, buf: &[u8]) -> Result<usize, Errno> {
    // SAFETY: `buf` is valid for reads of `buf.len()` bytes.
    let n: u64 = unsafe { syscall3(nr::WRITE, fd, buf.as_ptr() as u64, buf.len() as u64)? };
    Ok(n as usize)
}

/// Maps `len` bytes of anonymous, private, lazily committed read-write memory.
pub fn mmap_anonymous(len: usize) -> Result<*mut u8, Errno> {
    let flags: u64 = mmap::MAP_PRIVATE | mmap::MAP_ANONYMOUS | mmap::MAP_NORESERVE;
    // SAFETY: an anonymous mapping at a kernel-chosen address touches no existing memory.
    let addr: u64 = unsafe {
        arch::syscall6(
            nr::MMAP,
            0,
            len as u64,
            mmap::PROT_READ_WRITE,
            flags,
            u64::MAX,
            0,
        )?
    };
    Ok(addr as usize as *mut u8)
}

/// Ends the program with `code`. Never returns.
pub fn exit(code: u8) -> ! {
    // SAFETY: exiting has no memory-safety preconditions.
    unsafe {
        let _ = syscall3(nr::EXIT_GROUP, u64::from(code), 0, 0);
        let _ = syscall3(nr::EXIT, u64::from(code), 0, 0);
    }
    // Only reachable on hosts without an FPVM or if the VM ignored both calls.
    #[allow(clippy::empty_loop)]
    loop {}
}

#[cfg(test)]
mod tests {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    #[test]
    fn native_syscalls_round_trip_through_a_pipe() {
        use std::os::fd::AsRawFd;
        let (reader, writer) = std::io::pipe().unwrap();
        assert_eq!(super::write(writer.as_raw_fd() as u64, b"koa").unwrap(), 3);
        let mut buf: [u8; 8] = [0; 8];
        assert_eq!(super::read(reader.as_raw_fd() as u64, &mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], b"koa");
        // A closed descriptor is an error number, not a byte count.
        assert_eq!(
            super::read(u64::from(u32::MAX), &mut buf),
            Err(super::Errno(9))
        );
        let region: *mut u8 = super::mmap_anonymous(1 << 30).unwrap();
        // SAFETY: the mapping is 1 GiB of fresh read-write memory.
        unsafe {
            assert_eq!(*region.add(12345), 0);
            *region.add(12345) = 7;
            assert_eq!(*region.add(12345), 7);
        }
    }
}
