//! The byte channel the oracle and hint protocols run over.
//!
//! A [`Channel`] is one end of a bidirectional byte stream with POSIX `read`/`write` semantics:
//! either call may move fewer bytes than asked (the FPVMs move at most 32 bytes on Asterisc and
//! 8 bytes on Cannon per call), and a `read` of `0` bytes means the peer closed the stream.
//! The protocol code loops on short transfers through [`read_full`] and [`write_all`].

use alloc::string::String;

/// Failure of a single channel operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// The peer closed the stream (e.g. `EPIPE` on write).
    #[error("channel closed by peer")]
    Closed,
    /// The operating system or VM reported an error number.
    #[error("channel I/O failed with errno {0}")]
    Os(i32),
    /// A `write` reported that zero bytes were written for a non-empty buffer.
    #[error("channel accepted no bytes")]
    WriteZero,
    /// Any other failure, described.
    #[error("channel I/O failed: {0}")]
    Other(String),
}

#[cfg(any(feature = "std", test))]
impl From<std::io::Error> for ChannelError {
    fn from(error: std::io::Error) -> Self {
        match error.kind() {
            std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset => Self::Closed,
            std::io::ErrorKind::WriteZero => Self::WriteZero,
            _ => match error.raw_os_error() {
                Some(code) => Self::Os(code),
                None => Self::Other(alloc::string::ToString::to_string(&error)),
            },
        }
    }
}

/// One end of a bidirectional byte stream.
///
/// Methods take `&self` so that one channel can be shared by several readers of the oracle in a
/// single-threaded program; implementations hold whatever interior state they need.
pub trait Channel {
    /// Reads up to `buf.len()` bytes; returns how many were read, `0` at end of stream.
    fn read(&self, buf: &mut [u8]) -> Result<usize, ChannelError>;

    /// Writes up to `buf.len()` bytes; returns how many were written.
    fn write(&self, buf: &[u8]) -> Result<usize, ChannelError>;
}

impl<C: Channel + ?Sized> Channel for &C {
    fn read(&self, buf: &mut [u8]) -> Result<usize, ChannelError> {
        (**self).read(buf)
    }

    fn write(&self, buf: &[u8]) -> Result<usize, ChannelError> {
        (**self).write(buf)
    }
}

impl<C: Channel + ?Sized> Channel for alloc::boxed::Box<C> {
    fn read(&self, buf: &mut [u8]) -> Result<usize, ChannelError> {
        (**self).read(buf)
    }

    fn write(&self, buf: &[u8]) -> Result<usize, ChannelError> {
        (**self).write(buf)
    }
}

impl<C: Channel + ?Sized> Channel for alloc::sync::Arc<C> {
    fn read(&self, buf: &mut [u8]) -> Result<usize, ChannelError> {
        (**self).read(buf)
    }

    fn write(&self, buf: &[u8]) -> Result<usize, ChannelError> {
        (**self).write(buf)
    }
}

/// Reads until `buf` is full or the stream ends; returns the number of bytes read.
///
/// A return value smaller than `buf.len()` means the peer closed the stream.
pub fn read_full<C: Channel + ?Sized>(channel: &C, buf: &mut [u8]) -> Result<usize, ChannelError> {
    let mut filled: usize = 0;
    while let Some(rest) = buf.get_mut(filled..) {
        if rest.is_empty() {
            break;
        }
        let n: usize = channel.read(rest)?;
        if n == 0 {
            break;
        }
        // A misbehaving channel claiming more than it was given must not push us out of bounds.
        filled = filled.saturating_add(n.min(rest.len()));
    }
    Ok(filled)
}

/// Writes all of `buf`, looping on short writes.
pub fn write_all<C: Channel + ?Sized>(channel: &C, buf: &[u8]) -> Result<(), ChannelError> {
    let mut written: usize = 0;
    while let Some(rest) = buf.get(written..) {
        if rest.is_empty() {
            break;
        }
        let n: usize = channel.write(rest)?;
        if n == 0 {
            return Err(ChannelError::WriteZero);
        }
        written = written.saturating_add(n.min(rest.len()));
    }
    Ok(())
}

/// A channel adapter that moves at most `max_chunk` bytes per call, as the FPVMs do.
///
/// Used to exercise the short-read and short-write paths of both protocol ends.
#[derive(Debug, Clone)]
pub struct ChunkedChannel<C> {
    inner: C,
    max_chunk: usize,
}

impl<C> ChunkedChannel<C> {
    /// Wraps `inner`, limiting every transfer to `max_chunk` bytes (at least 1).
    pub fn new(inner: C, max_chunk: usize) -> Self {
        Self {
            inner,
            max_chunk: max_chunk.max(1),
        }
    }

    /// The wrapped channel.
    pub fn into_inner(self) -> C {
        self.inner
    }
}

impl<C: Channel> Channel for ChunkedChannel<C> {
    fn read(&self, buf: &mut [u8]) -> Result<usize, ChannelError> {
        let len: usize = buf.len().min(self.max_chunk);
        self.inner.read(&mut buf[..len])
    }

    fn write(&self, buf: &[u8]) -> Result<usize, ChannelError> {
        let len: usize = buf.len().min(self.max_chunk);
        self.inner.write(&buf[..len])
    }
}
