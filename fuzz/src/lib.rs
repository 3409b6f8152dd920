//! Helpers shared by koa's fuzz targets.

use std::cell::{Cell, RefCell};

use alloy_primitives::{Address, B256, Bytes, Log, LogData};
use koa_preimage::{Channel, ChannelError};

/// One end of a byte stream whose incoming bytes are the fuzz input: reads return at most a
/// fuzzer-chosen number of bytes each (short reads, as on the FPVMs), writes are recorded.
#[derive(Debug)]
pub struct ScriptedChannel<'a> {
    incoming: &'a [u8],
    position: Cell<usize>,
    chunks: &'a [u8],
    reads: Cell<usize>,
    /// Everything written to the channel.
    pub written: RefCell<Vec<u8>>,
}

impl<'a> ScriptedChannel<'a> {
    /// A channel that delivers `incoming`, each read limited by the next byte of `chunks`
    /// (1 to 64 bytes; unlimited when `chunks` is empty).
    pub fn new(incoming: &'a [u8], chunks: &'a [u8]) -> Self {
        Self {
            incoming,
            position: Cell::new(0),
            chunks,
            reads: Cell::new(0),
            written: RefCell::new(Vec::new()),
        }
    }

    /// How many incoming bytes have been read.
    pub fn consumed(&self) -> usize {
        self.position.get()
    }
}

impl Channel for ScriptedChannel<'_> {
    fn read(&self, buf: &mut [u8]) -> Result<usize, ChannelError> {
        let reads = self.reads.get();
        self.reads.set(reads + 1);
        let limit = match self.chunks {
            [] => usize::MAX,
            chunks => usize::from(chunks[reads % chunks.len()] % 64) + 1,
        };
        let position = self.position.get();
        let n = buf.len().min(limit).min(self.incoming.len() - position);
        buf[..n].copy_from_slice(&self.incoming[position..position + n]);
        self.position.set(position + n);
        Ok(n)
    }

    fn write(&self, buf: &[u8]) -> Result<usize, ChannelError> {
        self.written.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
}

/// `payload` as a log's ABI-encoded `bytes`: offset 32, length, the bytes padded to a word.
pub fn abi_bytes(payload: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(64 + payload.len().div_ceil(32) * 32);
    let word = |n: usize| {
        let mut word = [0u8; 32];
        word[24..].copy_from_slice(&(n as u64).to_be_bytes());
        word
    };
    data.extend_from_slice(&word(32));
    data.extend_from_slice(&word(payload.len()));
    data.extend_from_slice(payload);
    data.resize(64 + payload.len().div_ceil(32) * 32, 0);
    data
}

/// A log with `topics` whose data is `payload`, wrapped as ABI `bytes` when `abi_wrap` (the
/// shape real `TransactionDeposited` and `ConfigUpdate` logs have) or raw otherwise.
pub fn event_log(topics: Vec<B256>, payload: &[u8], abi_wrap: bool) -> Log {
    let data = if abi_wrap {
        abi_bytes(payload)
    } else {
        payload.to_vec()
    };
    Log {
        address: Address::ZERO,
        data: LogData::new_unchecked(topics, Bytes::from(data)),
    }
}
