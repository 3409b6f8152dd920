//! Channels: assembling frames into a channel, decompressing it, and reading its batches.
//!
//! - [`Channel`] collects a channel's frames (the channel bank's per-channel state).
//! - [`decompress_channel`] inflates channel data (zlib, or brotli from Fjord) under the
//!   `MAX_RLP_BYTES_PER_CHANNEL` bound.
//! - [`BatchReader`] yields the RLP-encoded batches of the decompressed stream one by one.

mod assembly;
mod brotli;
mod compression;
mod frames;
mod reader;

pub use assembly::{CHANNEL_FRAME_SIZE_OVERHEAD, Channel, ChannelError};
pub use compression::{
    CHANNEL_VERSION_BROTLI, ChannelDecoding, CompressionAlgorithm, DecompressEnd, DecompressError,
    DecompressedChannel, MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, MAX_RLP_BYTES_PER_CHANNEL_FJORD,
    ZLIB_CM_DEFLATE, ZLIB_CM_RESERVED, compression_algorithm, decompress_channel, inflate_zlib,
};
pub use reader::{BatchReadError, BatchReader};

/// `MAX_CHANNEL_BANK_SIZE` before Fjord.
pub const MAX_CHANNEL_BANK_SIZE_BEDROCK: usize = 100_000_000;

/// `MAX_CHANNEL_BANK_SIZE` from Fjord on.
pub const MAX_CHANNEL_BANK_SIZE_FJORD: usize = 1_000_000_000;
