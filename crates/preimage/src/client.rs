//! The client (program) side: requesting preimages and sending hints.
//!
//! Wire formats (fault-proof specification, "Preimage communication" and "Hinting"):
//!
//! ```text
//! oracle request  := key: bytes32
//! oracle response := length: u64 big-endian, preimage: [u8; length]
//! hint request    := length: u32 big-endian, hint: [u8; length]
//! hint response   := ack: u8
//! ```
//!
//! The client reads *exactly* `8 + length` bytes of a response: the FPVMs treat reading past the
//! end of a preimage as a fault.

use crate::{
    PreimageKey,
    channel::{Channel, ChannelError, read_full, write_all},
};
use alloc::vec::Vec;

/// The size of the big-endian length prefix of an oracle response.
pub const PREIMAGE_LENGTH_PREFIX: usize = 8;
/// The size of the big-endian length prefix of a hint.
pub const HINT_LENGTH_PREFIX: usize = 4;

/// How far ahead of the bytes received the client allocates a preimage (1 MiB): every real
/// preimage fits in one step, and a lying length prefix costs at most this much.
const RESPONSE_CHUNK: usize = 1 << 20;

/// The largest preimage the protocol can produce, in bytes; a longer announced length is
/// refused before anything is allocated or read ([`PreimageOracleError::TooLarge`]).
///
/// The largest preimage the program reads is a leaf of an L2 block's transaction trie
/// holding the largest possible L2 transaction. A batched transaction lies inside one
/// channel, whose decompressed RLP is capped at `MAX_RLP_BYTES_PER_CHANNEL` (100,000,000
/// bytes from Fjord, 10,000,000 before); deposits are smaller still (the portal caps their
/// calldata at 120,000 bytes). A leaf adds its RLP list header, its key path and the value's
/// string header, 64 bytes at most. Every other preimage is smaller: L1 transaction and
/// receipt trie nodes (an L1 transaction or receipt is bounded by the L1 gas limit: a 60M
/// gas block carries at most 15 MB of calldata, and from Osaka a block's RLP is capped at
/// 8 MiB), contract code (24,576 bytes), headers, branch nodes (532 bytes), blob field
/// elements (32 bytes), KZG commitments and proofs (48 bytes) and precompile results.
pub const MAX_PREIMAGE_LEN: u64 = 100_000_000 + 64;

/// A failure of the client side of the oracle or hint protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreimageOracleError {
    /// The underlying channel failed.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// The server closed the stream in the middle of a message.
    #[error("stream ended after {received} of {expected} bytes")]
    UnexpectedEof {
        /// Bytes the message should have had.
        expected: u64,
        /// Bytes actually received.
        received: u64,
    },
    /// The server announced a preimage longer than [`MAX_PREIMAGE_LEN`], which no honest
    /// host does. Its bytes are not read, so the stream is out of step afterwards.
    #[error("preimage {key} announced with {length} bytes, over the limit of {max}")]
    TooLarge {
        /// The requested key.
        key: PreimageKey,
        /// The length the server announced.
        length: u64,
        /// The limit, [`MAX_PREIMAGE_LEN`].
        max: u64,
    },
    /// The preimage does not fit in this program's memory.
    #[error("preimage {key} of {length} bytes cannot be allocated")]
    OutOfMemory {
        /// The requested key.
        key: PreimageKey,
        /// The length the server announced.
        length: u64,
    },
    /// [`PreimageOracleClient::get_exact`] was given a buffer of the wrong size.
    #[error("preimage {key} has {actual} bytes, expected {expected}")]
    LengthMismatch {
        /// The requested key.
        key: PreimageKey,
        /// The size of the caller's buffer.
        expected: usize,
        /// The length the server announced.
        actual: u64,
    },
    /// The oracle has no preimage for the key (an in-memory or witness oracle that lacks it;
    /// a host answers over the channel and cannot say so).
    #[error("no preimage for {0}")]
    NotFound(PreimageKey),
    /// The hint is longer than the `u32` length prefix allows.
    #[error("hint of {0} bytes exceeds the u32 length prefix")]
    HintTooLarge(usize),
}

/// Reads preimages by key.
pub trait PreimageOracleClient {
    /// Fetches the full preimage of `key`.
    fn get(&self, key: PreimageKey) -> Result<Vec<u8>, PreimageOracleError>;

    /// Fetches the preimage of `key` into `buf`, which must have exactly the preimage's length.
    ///
    /// The default fetches the whole preimage with [`get`](Self::get) and checks its length:
    /// right for oracles that hold their preimages in memory. A streaming client reads into
    /// `buf` directly instead.
    fn get_exact(&self, key: PreimageKey, buf: &mut [u8]) -> Result<(), PreimageOracleError> {
        let value: Vec<u8> = self.get(key)?;
        if value.len() != buf.len() {
            return Err(PreimageOracleError::LengthMismatch {
                key,
                expected: buf.len(),
                actual: value.len() as u64,
            });
        }
        buf.copy_from_slice(&value);
        Ok(())
    }
}

/// Sends hints to the host so it can prepare preimages before they are requested.
pub trait HintWriterClient {
    /// Sends `hint` and waits for the host's acknowledgement.
    fn hint(&self, hint: &str) -> Result<(), PreimageOracleError>;
}

impl<T: PreimageOracleClient + ?Sized> PreimageOracleClient for &T {
    fn get(&self, key: PreimageKey) -> Result<Vec<u8>, PreimageOracleError> {
        (**self).get(key)
    }

    fn get_exact(&self, key: PreimageKey, buf: &mut [u8]) -> Result<(), PreimageOracleError> {
        (**self).get_exact(key, buf)
    }
}

impl<T: HintWriterClient + ?Sized> HintWriterClient for &T {
    fn hint(&self, hint: &str) -> Result<(), PreimageOracleError> {
        (**self).hint(hint)
    }
}

/// Reads exactly `buf.len()` bytes or reports how far the stream got.
fn read_exact<C: Channel + ?Sized>(
    channel: &C,
    buf: &mut [u8],
    offset: u64,
    message_len: u64,
) -> Result<(), PreimageOracleError> {
    let received: usize = read_full(channel, buf)?;
    if received < buf.len() {
        return Err(PreimageOracleError::UnexpectedEof {
            expected: message_len,
            received: offset.saturating_add(received as u64),
        });
    }
    Ok(())
}

/// The oracle client over a [`Channel`] (on an FPVM: read fd 5, write fd 6).
#[derive(Debug, Clone)]
pub struct OracleReader<C> {
    channel: C,
}

impl<C: Channel> OracleReader<C> {
    /// Creates a reader over `channel`.
    pub const fn new(channel: C) -> Self {
        Self { channel }
    }

    /// Sends the request for `key` and reads the response's length prefix, refusing lengths
    /// over [`MAX_PREIMAGE_LEN`].
    fn request(&self, key: PreimageKey) -> Result<u64, PreimageOracleError> {
        write_all(&self.channel, key.as_bytes())?;
        let mut prefix: [u8; PREIMAGE_LENGTH_PREFIX] = [0; PREIMAGE_LENGTH_PREFIX];
        read_exact(&self.channel, &mut prefix, 0, PREIMAGE_LENGTH_PREFIX as u64)?;
        let length: u64 = u64::from_be_bytes(prefix);
        if length > MAX_PREIMAGE_LEN {
            return Err(PreimageOracleError::TooLarge {
                key,
                length,
                max: MAX_PREIMAGE_LEN,
            });
        }
        Ok(length)
    }

    /// Reads and drops `remaining` bytes (at most [`MAX_PREIMAGE_LEN`], checked by
    /// [`Self::request`]) of the current response so that the stream stays aligned on the next
    /// message.
    fn discard(&self, mut remaining: u64) -> Result<(), PreimageOracleError> {
        let total: u64 = remaining;
        // A lying host may announce up to u64::MAX bytes: the message length saturates.
        let message_len: u64 = total.saturating_add(PREIMAGE_LENGTH_PREFIX as u64);
        let mut scratch: [u8; 256] = [0; 256];
        while remaining > 0 {
            let chunk: usize = remaining.min(scratch.len() as u64) as usize;
            let offset: u64 = (total - remaining).saturating_add(PREIMAGE_LENGTH_PREFIX as u64);
            read_exact(&self.channel, &mut scratch[..chunk], offset, message_len)?;
            remaining -= chunk as u64;
        }
        Ok(())
    }
}

impl<C: Channel> PreimageOracleClient for OracleReader<C> {
    fn get(&self, key: PreimageKey) -> Result<Vec<u8>, PreimageOracleError> {
        let length: u64 = self.request(key)?;
        let out_of_memory = || PreimageOracleError::OutOfMemory { key, length };
        let len: usize = usize::try_from(length)
            .ok()
            .filter(|len| isize::try_from(*len).is_ok())
            .ok_or_else(out_of_memory)?;
        // The buffer grows as bytes arrive, at most `RESPONSE_CHUNK` ahead of them: a host
        // that announces more than it sends cannot make the client allocate for the rest.
        let mut preimage: Vec<u8> = Vec::new();
        while preimage.len() < len {
            let start: usize = preimage.len();
            let end: usize = start + (len - start).min(RESPONSE_CHUNK);
            preimage
                .try_reserve(end - start)
                .map_err(|_| out_of_memory())?;
            preimage.resize(end, 0);
            read_exact(
                &self.channel,
                &mut preimage[start..],
                PREIMAGE_LENGTH_PREFIX as u64 + start as u64,
                PREIMAGE_LENGTH_PREFIX as u64 + length,
            )?;
        }
        Ok(preimage)
    }

    fn get_exact(&self, key: PreimageKey, buf: &mut [u8]) -> Result<(), PreimageOracleError> {
        let length: u64 = self.request(key)?;
        if length != buf.len() as u64 {
            self.discard(length)?;
            return Err(PreimageOracleError::LengthMismatch {
                key,
                expected: buf.len(),
                actual: length,
            });
        }
        read_exact(
            &self.channel,
            buf,
            PREIMAGE_LENGTH_PREFIX as u64,
            PREIMAGE_LENGTH_PREFIX as u64 + length,
        )
    }
}

/// The hint client over a [`Channel`] (on an FPVM: read fd 3, write fd 4).
#[derive(Debug, Clone)]
pub struct HintWriter<C> {
    channel: C,
}

impl<C: Channel> HintWriter<C> {
    /// Creates a hint writer over `channel`.
    pub const fn new(channel: C) -> Self {
        Self { channel }
    }
}

impl<C: Channel> HintWriterClient for HintWriter<C> {
    fn hint(&self, hint: &str) -> Result<(), PreimageOracleError> {
        let len: u32 =
            u32::try_from(hint.len()).map_err(|_| PreimageOracleError::HintTooLarge(hint.len()))?;
        write_all(&self.channel, &len.to_be_bytes())?;
        write_all(&self.channel, hint.as_bytes())?;
        // The ack's value carries no information (Cannon does not even write it to memory), so
        // only its arrival is checked.
        let mut ack: [u8; 1] = [0];
        read_exact(&self.channel, &mut ack, 0, 1)
    }
}
