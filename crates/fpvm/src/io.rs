//! File descriptors of the FPVM platform and the preimage channels built on them.

use crate::syscall::{self, Errno};
use koa_preimage::{Channel, ChannelError, HintWriter, OracleReader};

/// A file descriptor the fault-proof VMs give the program (from the program's perspective).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum FileDescriptor {
    /// Standard input (unused by the VMs).
    StdIn = 0,
    /// Standard output.
    StdOut = 1,
    /// Standard error.
    StdErr = 2,
    /// Hint acknowledgements from the host.
    HintRead = 3,
    /// Hints to the host.
    HintWrite = 4,
    /// Preimage responses from the host.
    PreimageRead = 5,
    /// Preimage requests to the host.
    PreimageWrite = 6,
}

impl FileDescriptor {
    /// The raw descriptor number.
    pub const fn raw(self) -> u64 {
        self as u64
    }
}

/// Reads up to `buf.len()` bytes from `fd`.
pub fn read(fd: FileDescriptor, buf: &mut [u8]) -> Result<usize, Errno> {
    syscall::read(fd.raw(), buf)
}

/// Writes up to `buf.len()` bytes to `fd`.
pub fn write(fd: FileDescriptor, buf: &[u8]) -> Result<usize, Errno> {
    syscall::write(fd.raw(), buf)
}

/// Writes all of `buf` to `fd`, ignoring failures (for diagnostics only).
pub fn write_all_lossy(fd: FileDescriptor, mut buf: &[u8]) {
    while !buf.is_empty() {
        match write(fd, buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf = buf.get(n..).unwrap_or_default(),
        }
    }
}

/// A [`core::fmt::Write`] sink for a file descriptor (used for stdout and stderr messages).
#[derive(Debug, Clone, Copy)]
pub struct FdWriter(pub FileDescriptor);

impl core::fmt::Write for FdWriter {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        write_all_lossy(self.0, s.as_bytes());
        Ok(())
    }
}

/// A preimage protocol channel over a pair of FPVM file descriptors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FpvmChannel {
    read_fd: FileDescriptor,
    write_fd: FileDescriptor,
}

impl FpvmChannel {
    /// The hint channel: write hints to fd 4, read acknowledgements from fd 3.
    pub const HINT: Self = Self {
        read_fd: FileDescriptor::HintRead,
        write_fd: FileDescriptor::HintWrite,
    };
    /// The oracle channel: write keys to fd 6, read preimages from fd 5.
    pub const PREIMAGE: Self = Self {
        read_fd: FileDescriptor::PreimageRead,
        write_fd: FileDescriptor::PreimageWrite,
    };

    /// A channel over arbitrary descriptors.
    pub const fn new(read_fd: FileDescriptor, write_fd: FileDescriptor) -> Self {
        Self { read_fd, write_fd }
    }
}

impl Channel for FpvmChannel {
    fn read(&self, buf: &mut [u8]) -> Result<usize, ChannelError> {
        read(self.read_fd, buf).map_err(errno_to_channel)
    }

    fn write(&self, buf: &[u8]) -> Result<usize, ChannelError> {
        write(self.write_fd, buf).map_err(errno_to_channel)
    }
}

/// `EPIPE` is the peer going away; everything else is reported by number.
fn errno_to_channel(errno: Errno) -> ChannelError {
    const EPIPE: i64 = 32;
    if errno.0 == EPIPE {
        ChannelError::Closed
    } else {
        ChannelError::Os(errno.0 as i32)
    }
}

/// The program's preimage oracle client (fds 5 and 6).
pub const fn oracle_reader() -> OracleReader<FpvmChannel> {
    OracleReader::new(FpvmChannel::PREIMAGE)
}

/// The program's hint client (fds 3 and 4).
pub const fn hint_writer() -> HintWriter<FpvmChannel> {
    HintWriter::new(FpvmChannel::HINT)
}

/// Prints to stdout.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => {{
        let _ = core::fmt::Write::write_fmt(
            &mut $crate::io::FdWriter($crate::io::FileDescriptor::StdOut),
            format_args!($($arg)*),
        );
    }};
}

/// Prints a line to stdout.
#[macro_export]
macro_rules! println {
    ($($arg:tt)*) => {{
        $crate::print!("{}\n", format_args!($($arg)*));
    }};
}

/// Prints to stderr.
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => {{
        let _ = core::fmt::Write::write_fmt(
            &mut $crate::io::FdWriter($crate::io::FileDescriptor::StdErr),
            format_args!($($arg)*),
        );
    }};
}

/// Prints a line to stderr.
#[macro_export]
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        $crate::eprint!("{}\n", format_args!($($arg)*));
    }};
}
