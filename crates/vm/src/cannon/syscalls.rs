//! Cannon's syscall numbers (Linux/MIPS n64), file descriptors and errno values.

/// `mmap`.
pub const SYS_MMAP: u64 = 5009;
/// `mprotect` (no-op).
pub const SYS_MPROTECT: u64 = 5010;
/// `brk`.
pub const SYS_BRK: u64 = 5012;
/// `clone`.
pub const SYS_CLONE: u64 = 5055;
/// `exit_group`.
pub const SYS_EXIT_GROUP: u64 = 5205;
/// `read`.
pub const SYS_READ: u64 = 5000;
/// `write`.
pub const SYS_WRITE: u64 = 5001;
/// `fcntl`.
pub const SYS_FCNTL: u64 = 5070;
/// `exit`.
pub const SYS_EXIT: u64 = 5058;
/// `sched_yield`.
pub const SYS_SCHED_YIELD: u64 = 5023;
/// `gettid`.
pub const SYS_GETTID: u64 = 5178;
/// `futex`.
pub const SYS_FUTEX: u64 = 5194;
/// `open`.
pub const SYS_OPEN: u64 = 5002;
/// `nanosleep`.
pub const SYS_NANOSLEEP: u64 = 5034;
/// `clock_gettime`.
pub const SYS_CLOCK_GETTIME: u64 = 5222;
/// `getpid`.
pub const SYS_GETPID: u64 = 5038;
/// `getrandom` (working from state version 8, a no-op before).
pub const SYS_GETRANDOM: u64 = 5313;
/// `eventfd2`.
pub const SYS_EVENTFD2: u64 = 5284;

/// Syscalls that only zero `$v0` and `$a3`.
pub const NOOP_SYSCALLS: [u64; 31] = [
    5011, // munmap
    SYS_MPROTECT,
    5196, // sched_getaffinity
    5027, // madvise
    5014, // rt_sigprocmask
    5129, // sigaltstack
    5013, // rt_sigaction
    5297, // prlimit64
    5003, // close
    5016, // pread64
    5004, // stat
    5005, // fstat
    5247, // openat
    5087, // readlink
    5257, // readlinkat
    5015, // ioctl
    5285, // epoll_create1
    5287, // pipe2
    5208, // epoll_ctl
    5272, // epoll_pwait
    5061, // uname
    5100, // getuid
    5102, // getgid
    5026, // mincore
    5225, // tgkill
    5095, // getrlimit
    5008, // lseek
    5036, // setitimer
    5216, // timer_create
    5217, // timer_settime
    5220, // timer_delete
];

/// Standard input.
pub const FD_STDIN: u64 = 0;
/// Standard output.
pub const FD_STDOUT: u64 = 1;
/// Standard error.
pub const FD_STDERR: u64 = 2;
/// Hint responses (read).
pub const FD_HINT_READ: u64 = 3;
/// Hint requests (write).
pub const FD_HINT_WRITE: u64 = 4;
/// Preimage data (read).
pub const FD_PREIMAGE_READ: u64 = 5;
/// Preimage keys (write).
pub const FD_PREIMAGE_WRITE: u64 = 6;
/// The one eventfd `eventfd2` hands out.
pub const FD_EVENTFD: u64 = 100;

/// The error flag in `$a3` (and the "-1" of Linux).
pub const SYS_ERROR_SIGNAL: u64 = u64::MAX;
/// Bad file descriptor.
pub const EBADF: u64 = 0x9;
/// Invalid argument.
pub const EINVAL: u64 = 0x16;
/// Try again.
pub const EAGAIN: u64 = 0xB;

/// `FUTEX_WAIT_PRIVATE`.
pub const FUTEX_WAIT_PRIVATE: u64 = 128;
/// `FUTEX_WAKE_PRIVATE`.
pub const FUTEX_WAKE_PRIVATE: u64 = 129;
/// The only `clone` flags accepted: VM | FS | FILES | SIGHAND | SYSVSEM | THREAD.
pub const VALID_CLONE_FLAGS: u64 = 0x100 | 0x200 | 0x400 | 0x800 | 0x40000 | 0x10000;
/// `EFD_NONBLOCK` for `eventfd2`.
pub const EFD_NONBLOCK: u64 = 0x80;
/// `CLOCK_REALTIME`.
pub const CLOCK_REALTIME: u64 = 0;
/// `CLOCK_MONOTONIC`.
pub const CLOCK_MONOTONIC: u64 = 1;

/// splitmix64 (<https://prng.di.unimi.it/splitmix64.c>), seeded with the step: `getrandom`'s
/// bytes.
pub const fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
