//! Reading the batches of a decompressed channel.

use super::compression::{
    ChannelDecoding, DecompressEnd, DecompressError, DecompressedChannel, decompress_channel,
};
use crate::batch::{Batch, BatchDecodeError};
use alloc::vec::Vec;
use alloy_rlp::Header;

/// Why reading a channel's batches stopped with an error.
///
/// Per op-node's channel reader, any error ends the channel: the batches after it are dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchReadError {
    /// The next item's RLP header is malformed.
    #[error("invalid batch RLP header: {0}")]
    Rlp(alloy_rlp::Error),
    /// The next item is an RLP list, not a string.
    #[error("batch is an RLP list, expected a string")]
    UnexpectedList,
    /// The next batch extends past the decompressed data (truncated stream, or past
    /// `MAX_RLP_BYTES_PER_CHANNEL`).
    #[error("batch extends past the {available} bytes left in the channel")]
    Truncated {
        /// Bytes left in the decompressed channel.
        available: usize,
    },
    /// The batch's bytes do not decode.
    #[error(transparent)]
    Decode(#[from] BatchDecodeError),
}

/// Yields the batches of a decompressed channel one by one.
///
/// Each batch is an RLP string wrapping `batch_type ++ content`. Reading stops (returns
/// `None`) at the end of the data or after the first error.
#[derive(Debug, Clone)]
pub struct BatchReader {
    data: Vec<u8>,
    offset: usize,
    failed: bool,
}

impl BatchReader {
    /// Reads batches from already decompressed channel data.
    pub const fn new(decompressed: Vec<u8>) -> Self {
        Self {
            data: decompressed,
            offset: 0,
            failed: false,
        }
    }

    /// Decompresses `channel` (see [`decompress_channel`]) and reads batches from it.
    pub fn from_channel(
        channel: &[u8],
        decoding: ChannelDecoding,
    ) -> Result<Self, DecompressError> {
        let DecompressedChannel {
            data,
            end,
            algorithm,
        } = decompress_channel(channel, decoding)?;
        if end != DecompressEnd::Complete {
            tracing::debug!(
                ?algorithm,
                ?end,
                len = data.len(),
                "channel decompression stopped early"
            );
        }
        Ok(Self::new(data))
    }

    /// Number of decompressed bytes consumed by the batches read so far.
    pub const fn consumed(&self) -> usize {
        self.offset
    }

    /// Number of decompressed bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.offset)
    }

    /// Whether every decompressed byte has been read.
    pub fn is_exhausted(&self) -> bool {
        self.remaining() == 0
    }

    /// The next batch's raw bytes (`batch_type ++ content`).
    pub fn next_raw(&mut self) -> Option<Result<&[u8], BatchReadError>> {
        if self.failed {
            return None;
        }
        let rest = self.data.get(self.offset..).unwrap_or_default();
        if rest.is_empty() {
            return None;
        }
        match Self::split_string(rest) {
            Ok((start, end)) => {
                let raw = self.data.get(self.offset + start..self.offset + end);
                self.offset += end;
                raw.map(Ok)
            }
            Err(error) => {
                self.failed = true;
                Some(Err(error))
            }
        }
    }

    /// The next decoded batch.
    pub fn next_batch(&mut self) -> Option<Result<Batch, BatchReadError>> {
        let decoded = match self.next_raw()? {
            Ok(raw) => Batch::decode(raw).map_err(BatchReadError::from),
            Err(error) => Err(error),
        };
        if decoded.is_err() {
            self.failed = true;
        }
        Some(decoded)
    }

    /// Locates the payload of the RLP string at the start of `input`: `(start, end)` offsets.
    fn split_string(input: &[u8]) -> Result<(usize, usize), BatchReadError> {
        let mut payload = input;
        let header = Header::decode(&mut payload).map_err(|error| match error {
            alloy_rlp::Error::InputTooShort => BatchReadError::Truncated {
                available: input.len(),
            },
            other => BatchReadError::Rlp(other),
        })?;
        if header.list {
            return Err(BatchReadError::UnexpectedList);
        }
        let start = input.len() - payload.len();
        let end = start.saturating_add(header.payload_length);
        if end > input.len() {
            return Err(BatchReadError::Truncated {
                available: input.len(),
            });
        }
        Ok((start, end))
    }
}

impl Iterator for BatchReader {
    type Item = Result<Batch, BatchReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_batch()
    }
}
