//! Channels for native (std) hosts: OS pipes and an in-process pair.

use crate::channel::{Channel, ChannelError};
use std::{
    collections::VecDeque,
    fs::File,
    io::{self, Read, Write},
    os::fd::OwnedFd,
    sync::{Arc, Condvar, Mutex, MutexGuard},
};

/// A bidirectional channel over two OS file descriptors: one read end, one write end.
#[derive(Debug)]
pub struct PipeChannel {
    reader: File,
    writer: File,
}

impl PipeChannel {
    /// Creates a channel reading from `reader` and writing to `writer`.
    pub fn new(reader: impl Into<OwnedFd>, writer: impl Into<OwnedFd>) -> Self {
        Self {
            reader: File::from(reader.into()),
            writer: File::from(writer.into()),
        }
    }

    /// Creates two channels connected to each other by two OS pipes.
    pub fn pair() -> io::Result<(Self, Self)> {
        let (a_reader, b_writer) = io::pipe()?;
        let (b_reader, a_writer) = io::pipe()?;
        Ok((Self::new(a_reader, a_writer), Self::new(b_reader, b_writer)))
    }

    /// Splits the channel into its read and write ends.
    pub fn into_parts(self) -> (File, File) {
        (self.reader, self.writer)
    }
}

impl Channel for PipeChannel {
    fn read(&self, buf: &mut [u8]) -> Result<usize, ChannelError> {
        loop {
            match (&self.reader).read(buf) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                result => return result.map_err(ChannelError::from),
            }
        }
    }

    fn write(&self, buf: &[u8]) -> Result<usize, ChannelError> {
        loop {
            match (&self.writer).write(buf) {
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                result => return result.map_err(ChannelError::from),
            }
        }
    }
}

/// One direction of a [`MemoryChannel`] pair.
#[derive(Debug, Default)]
struct Pipe {
    state: Mutex<PipeState>,
    readable: Condvar,
}

#[derive(Debug, Default)]
struct PipeState {
    buffer: VecDeque<u8>,
    writer_closed: bool,
    reader_closed: bool,
}

impl Pipe {
    fn lock(&self) -> MutexGuard<'_, PipeState> {
        // A panic while holding the lock cannot leave the byte queue inconsistent.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// An in-process bidirectional channel, one end of a pair made by [`MemoryChannel::pair`].
///
/// Reads block until data arrives or the other end is dropped (then they return `0`); writes
/// to a dropped peer fail with [`ChannelError::Closed`].
#[derive(Debug)]
pub struct MemoryChannel {
    incoming: Arc<Pipe>,
    outgoing: Arc<Pipe>,
}

impl MemoryChannel {
    /// Creates two connected ends.
    pub fn pair() -> (Self, Self) {
        let a_to_b: Arc<Pipe> = Arc::default();
        let b_to_a: Arc<Pipe> = Arc::default();
        (
            Self {
                incoming: Arc::clone(&b_to_a),
                outgoing: Arc::clone(&a_to_b),
            },
            Self {
                incoming: a_to_b,
                outgoing: b_to_a,
            },
        )
    }
}

impl Channel for MemoryChannel {
    fn read(&self, buf: &mut [u8]) -> Result<usize, ChannelError> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut state: MutexGuard<'_, PipeState> = self.incoming.lock();
        while state.buffer.is_empty() && !state.writer_closed {
            state = self
                .incoming
                .readable
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        let n: usize = buf.len().min(state.buffer.len());
        for (slot, byte) in buf.iter_mut().zip(state.buffer.drain(..n)) {
            *slot = byte;
        }
        Ok(n)
    }

    fn write(&self, buf: &[u8]) -> Result<usize, ChannelError> {
        let mut state: MutexGuard<'_, PipeState> = self.outgoing.lock();
        if state.reader_closed {
            return Err(ChannelError::Closed);
        }
        state.buffer.extend(buf);
        drop(state);
        self.outgoing.readable.notify_all();
        Ok(buf.len())
    }
}

impl Drop for MemoryChannel {
    fn drop(&mut self) {
        self.outgoing.lock().writer_closed = true;
        self.outgoing.readable.notify_all();
        self.incoming.lock().reader_closed = true;
    }
}
