//! The Linux system calls Asterisc answers (`ecall`: number in `a7`, arguments in `a0..a5`).
//!
//! Results go to `a0` and an error number to `a1` (0 on success); on failure `a0` is `-1`
//! (Linux instead returns `-errno` in `a0`). Every number not listed here, and not rejected,
//! is a no-op returning `a0 = a1 = 0` (Go's `sched_getaffinity`, `sigaltstack`, `munmap`, …).
//!
//! | nr | call | behaviour |
//! |---|---|---|
//! | 93, 94 | `exit`, `exit_group` | exit with `a0 & 0xff` |
//! | 214 | `brk` | returns `1 << 30`, changes nothing |
//! | 222 | `mmap` | anonymous only (`MAP_ANONYMOUS` and `fd == -1`, else `EBADF`); address 0 takes the length rounded up to 4 KiB from the heap; a hint is returned as is |
//! | 63 | `read` | fd 0: 0 bytes; fd 3 (hint ack): `count` bytes, memory untouched; fd 5: up to 32 bytes of the preimage, within one leaf; else `EBADF` |
//! | 64 | `write` | fd 1, 2: all `count` bytes; fd 4: hint bytes, all; fd 6: up to 32 bytes of key, within one leaf; else `EBADF` |
//! | 25 | `fcntl` | `F_GETFD` (0) and `F_GETFL` (`O_RDONLY`/`O_WRONLY` per fd) for fds 0–6, `EBADF` for others, `EINVAL` for other commands |
//! | 56 | `openat` | `EACCES` |
//! | 113 | `clock_gettime` | writes `{ tv_sec: 1337, tv_nsec: 42 }` at `a1` |
//! | 220 | `clone` | returns 1 (no thread is created) |
//! | 163 | `getrlimit` | `RLIMIT_NOFILE` (7): `{ 1024, 1024 }` at `a1`; any other resource fails the step |
//! | 261, 422, 101 | `prlimit64`, `futex`, `nanosleep` | fail the step |

use super::{
    access::{Tracker, leaf_of, store},
    errors::StepError,
    machine::Machine,
};
use crate::{PreimageOracle, memory::LEAF_SIZE};
use alloc::vec::Vec;
use alloy_primitives::B256;

/// System call numbers (the generic Linux table RISC-V uses).
pub mod nr {
    /// `exit`.
    pub const EXIT: u64 = 93;
    /// `exit_group`.
    pub const EXIT_GROUP: u64 = 94;
    /// `brk`.
    pub const BRK: u64 = 214;
    /// `mmap`.
    pub const MMAP: u64 = 222;
    /// `read`.
    pub const READ: u64 = 63;
    /// `write`.
    pub const WRITE: u64 = 64;
    /// `fcntl`.
    pub const FCNTL: u64 = 25;
    /// `openat`.
    pub const OPENAT: u64 = 56;
    /// `clock_gettime`.
    pub const CLOCK_GETTIME: u64 = 113;
    /// `clone`.
    pub const CLONE: u64 = 220;
    /// `getrlimit`.
    pub const GETRLIMIT: u64 = 163;
    /// `prlimit64`.
    pub const PRLIMIT64: u64 = 261;
    /// `futex` (Asterisc's number; `futex` is 98 in the generic table).
    pub const FUTEX: u64 = 422;
    /// `nanosleep`.
    pub const NANOSLEEP: u64 = 101;
}

/// File descriptors.
pub mod fd {
    /// Standard input.
    pub const STDIN: u64 = 0;
    /// Standard output.
    pub const STDOUT: u64 = 1;
    /// Standard error.
    pub const STDERR: u64 = 2;
    /// Hint acknowledgements (read).
    pub const HINT_READ: u64 = 3;
    /// Hints (write).
    pub const HINT_WRITE: u64 = 4;
    /// Preimage data (read).
    pub const PREIMAGE_READ: u64 = 5;
    /// Preimage keys (write).
    pub const PREIMAGE_WRITE: u64 = 6;
}

/// `EBADF`.
const EBADF: u64 = 0x4d;
/// `EINVAL`.
const EINVAL: u64 = 0x16;
/// `EACCES`.
const EACCES: u64 = 0xd;
/// `MAP_ANONYMOUS`.
const MAP_ANONYMOUS: u64 = 0x20;
/// `RLIMIT_NOFILE`.
const RLIMIT_NOFILE: u64 = 7;
/// The largest single hint write koa accepts (256 MiB). Asterisc has no limit (the bytes are
/// not part of the state); this keeps a runaway `count` from exhausting the host.
pub const MAX_HINT_WRITE: u64 = 256 << 20;
/// What `brk` returns: a program break at 1 GiB.
const PROGRAM_BREAK: u64 = 1 << 30;

const A0: usize = 10;
const A1: usize = 11;
const A2: usize = 12;
const A3: usize = 13;
const A4: usize = 14;
const A7: usize = 17;

impl Machine {
    /// Executes the `ecall` at `pc`.
    pub(crate) fn syscall<T: Tracker>(
        &mut self,
        oracle: &mut dyn PreimageOracle,
        tracker: &mut T,
        pc: u64,
    ) -> Result<(), StepError> {
        let regs = self.state.registers;
        let number = regs[A7];
        let (a0, a1) = match number {
            nr::EXIT | nr::EXIT_GROUP => {
                self.state.exit_code = regs[A0] as u8;
                self.state.exited = true;
                return Ok(());
            }
            nr::BRK => (PROGRAM_BREAK, 0),
            nr::MMAP => self.mmap(regs[A0], regs[A1], regs[A3], regs[A4]),
            nr::READ => {
                let (fd, addr, count) = (regs[A0], regs[A1], regs[A2]);
                match fd {
                    fd::STDIN => (0, 0),
                    fd::HINT_READ => (count, 0),
                    fd::PREIMAGE_READ => (self.read_preimage(oracle, tracker, addr, count)?, 0),
                    _ => (u64::MAX, EBADF),
                }
            }
            nr::WRITE => {
                let (fd, addr, count) = (regs[A0], regs[A1], regs[A2]);
                match fd {
                    fd::STDOUT | fd::STDERR => {
                        self.write_output(fd, addr, count);
                        (count, 0)
                    }
                    fd::HINT_WRITE => {
                        if count > MAX_HINT_WRITE {
                            return Err(StepError::HintTooLarge { pc, count });
                        }
                        let bytes = self.read_range(addr, count);
                        self.write_hint(oracle, &bytes)?;
                        (count, 0)
                    }
                    fd::PREIMAGE_WRITE => (self.write_preimage_key(tracker, addr, count), 0),
                    _ => (u64::MAX, EBADF),
                }
            }
            nr::FCNTL => fcntl(regs[A0], regs[A1]),
            nr::OPENAT => (u64::MAX, EACCES),
            nr::CLOCK_GETTIME => {
                let mut timespec = [0u8; 16];
                timespec[..8].copy_from_slice(&1337u64.to_le_bytes());
                timespec[8..].copy_from_slice(&42u64.to_le_bytes());
                store(&mut self.state.memory, tracker, regs[A1], &timespec, true);
                (0, 0)
            }
            nr::CLONE => (1, 0),
            nr::GETRLIMIT => {
                if regs[A0] != RLIMIT_NOFILE {
                    return Err(StepError::UnsupportedResource {
                        pc,
                        resource: regs[A0],
                    });
                }
                let mut limits = [0u8; 16];
                limits[..8].copy_from_slice(&1024u64.to_le_bytes());
                limits[8..].copy_from_slice(&1024u64.to_le_bytes());
                store(&mut self.state.memory, tracker, regs[A1], &limits, true);
                (0, 0)
            }
            nr::PRLIMIT64 | nr::FUTEX | nr::NANOSLEEP => {
                return Err(StepError::UnsupportedSyscall { pc, number });
            }
            _ => (0, 0),
        };
        self.state.registers[A0] = a0;
        self.state.registers[A1] = a1;
        Ok(())
    }

    /// `mmap(addr, length, prot, flags, fd, offset)`: `(a0, a1)`.
    fn mmap(&mut self, addr: u64, length: u64, flags: u64, fd: u64) -> (u64, u64) {
        if flags & MAP_ANONYMOUS == 0 || fd != u64::MAX {
            return (u64::MAX, EBADF);
        }
        if addr != 0 {
            // A hinted address is granted as is.
            return (addr, 0);
        }
        let mut length = length;
        let partial = length & 0xfff;
        if partial != 0 {
            length = length.wrapping_add(0x1000 - partial);
        }
        let start = self.state.heap;
        self.state.heap = start.wrapping_add(length);
        (start, 0)
    }

    /// Copies `count` bytes at `addr` to the machine's stdout or stderr buffer, a page at a
    /// time (only the last [`super::machine::MAX_OUTPUT`] bytes of each are kept).
    fn write_output(&mut self, fd: u64, addr: u64, count: u64) {
        let mut chunk = [0u8; 4096];
        // Only the tail can survive the buffer's limit: skip what would be dropped anyway.
        let keep = count.min(super::machine::MAX_OUTPUT as u64);
        let mut at = addr.wrapping_add(count - keep);
        let mut left = keep;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            self.state.memory.read(at, &mut chunk[..n]);
            self.output.push(fd, &chunk[..n]);
            at = at.wrapping_add(n as u64);
            left -= n as u64;
        }
    }

    /// `count` bytes of memory at `addr` (no proof: hints are not part of the state).
    fn read_range(&mut self, addr: u64, count: u64) -> Vec<u8> {
        let mut bytes = alloc::vec![0u8; count as usize];
        self.state.memory.read(addr, &mut bytes);
        bytes
    }

    /// Appends hint bytes and sends every complete hint (4-byte big-endian length, payload)
    /// to the oracle; an incomplete tail stays in `last_hint`.
    fn write_hint(
        &mut self,
        oracle: &mut dyn PreimageOracle,
        bytes: &[u8],
    ) -> Result<(), StepError> {
        let before = self.state.last_hint.len();
        self.state.last_hint.extend_from_slice(bytes);
        let mut start = 0;
        let buffer = &self.state.last_hint;
        while buffer.len() - start >= 4 {
            let len =
                u32::from_be_bytes(buffer[start..start + 4].try_into().expect("4 bytes")) as usize;
            if len > buffer.len() - start - 4 {
                break;
            }
            let hint = &buffer[start + 4..start + 4 + len];
            if let Err(err) = oracle.hint(hint) {
                // Leave the buffer as before the step (hints already sent are idempotent).
                self.state.last_hint.truncate(before);
                return Err(StepError::Oracle(err));
            }
            start += 4 + len;
        }
        self.state.last_hint.drain(..start);
        Ok(())
    }

    /// Appends up to `count` bytes at `addr`, within its leaf, to the preimage key (shifting
    /// out its leading bytes) and resets the read offset. Returns the bytes taken.
    fn write_preimage_key<T: Tracker>(&mut self, tracker: &mut T, addr: u64, count: u64) -> u64 {
        let alignment = addr & (LEAF_SIZE as u64 - 1);
        let count = count.min(LEAF_SIZE as u64 - alignment) as usize;
        let leaf_addr = leaf_of(addr);
        tracker.leaf(&mut self.state.memory, leaf_addr);
        let mut leaf = [0u8; LEAF_SIZE];
        self.state.memory.read(leaf_addr, &mut leaf);
        let alignment = alignment as usize;
        let key = &mut self.state.preimage_key;
        key.copy_within(count.., 0);
        key[LEAF_SIZE - count..].copy_from_slice(&leaf[alignment..alignment + count]);
        self.state.preimage_offset = 0;
        count as u64
    }

    /// Copies up to `count` bytes of the current preimage (with its 8-byte length prefix) at
    /// the read offset to `addr`, within its leaf and at most 32. Returns the bytes copied.
    fn read_preimage<T: Tracker>(
        &mut self,
        oracle: &mut dyn PreimageOracle,
        tracker: &mut T,
        addr: u64,
        count: u64,
    ) -> Result<u64, StepError> {
        let key = B256::from(self.state.preimage_key);
        let offset = self.state.preimage_offset;
        let preimage = self.preimage(oracle, key)?;
        let len = preimage.len() as u64;
        if offset >= len {
            return Err(StepError::PreimageOffsetOutOfBounds { offset, len });
        }
        let available = (len - offset).min(LEAF_SIZE as u64);
        let alignment = addr & (LEAF_SIZE as u64 - 1);
        let count = count.min(LEAF_SIZE as u64 - alignment).min(available) as usize;
        let start = offset as usize;
        let mut chunk = [0u8; LEAF_SIZE];
        chunk[..count].copy_from_slice(&preimage[start..start + count]);
        self.preimage_read = Some(offset);
        self.state.preimage_offset = offset + count as u64;
        let leaf_addr = leaf_of(addr);
        tracker.leaf(&mut self.state.memory, leaf_addr);
        self.state.memory.write(addr, &chunk[..count]);
        Ok(count as u64)
    }

    /// The length-prefixed preimage of `key`, from the cache or the oracle.
    fn preimage(&mut self, oracle: &mut dyn PreimageOracle, key: B256) -> Result<&[u8], StepError> {
        if self
            .preimage_cache
            .as_ref()
            .is_none_or(|(cached, _)| *cached != key)
        {
            let data = oracle.get_preimage(key)?;
            let mut value = Vec::with_capacity(8 + data.len());
            value.extend_from_slice(&(data.len() as u64).to_be_bytes());
            value.extend_from_slice(&data);
            self.preimage_cache = Some((key, value));
        }
        Ok(&self.preimage_cache.as_ref().expect("just filled").1)
    }
}

/// `fcntl(fd, cmd)`: `(a0, a1)`.
fn fcntl(fd: u64, cmd: u64) -> (u64, u64) {
    match (cmd, fd) {
        // F_GETFD: no flags on any of the VM's descriptors.
        (1, 0..=6) => (0, 0),
        // F_GETFL: O_RDONLY for the read ends, O_WRONLY for the write ends.
        (3, 0 | 3 | 5) => (0, 0),
        (3, 1 | 2 | 4 | 6) => (1, 0),
        (1 | 3, _) => (u64::MAX, EBADF),
        _ => (u64::MAX, EINVAL),
    }
}
