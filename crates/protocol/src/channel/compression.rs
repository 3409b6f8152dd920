//! Channel decompression: zlib (all forks) and brotli (from Fjord), with a hard output bound.
//!
//! The compression type is read from the channel's first byte (Fjord spec, "Brotli channel
//! compression"): a low nibble of `8` or `15` (`0x?8`, `0x?F`) means the data is a zlib stream
//! (that byte being the zlib CMF header byte); [`CHANNEL_VERSION_BROTLI`] (`0x01`) means a brotli
//! stream follows the version byte; anything else is invalid.
//!
//! Output is capped at `max_rlp_bytes` (`MAX_RLP_BYTES_PER_CHANNEL`): the spec treats a channel
//! that inflates past the limit as if it contained only its first `max_rlp_bytes` bytes.
//! Decompression never allocates more than that bound (plus the decoder's fixed-size state),
//! whatever the input, so zip bombs cost at most the limit.
//!
//! A stream that is corrupt or truncated part way still yields the bytes inflated before the
//! fault, as a streaming reader does: every batch fully contained in them is read.

use super::brotli::inflate_brotli;
use crate::config::RollupConfig;
use alloc::{vec, vec::Vec};
use miniz_oxide::inflate::{
    TINFLStatus,
    core::{DecompressorOxide, decompress, inflate_flags},
};

/// `MAX_RLP_BYTES_PER_CHANNEL` before Fjord.
pub const MAX_RLP_BYTES_PER_CHANNEL_BEDROCK: usize = 10_000_000;

/// `MAX_RLP_BYTES_PER_CHANNEL` from Fjord on.
pub const MAX_RLP_BYTES_PER_CHANNEL_FJORD: usize = 100_000_000;

/// Channel version byte announcing brotli compression (Fjord).
pub const CHANNEL_VERSION_BROTLI: u8 = 0x01;

/// zlib compression method "deflate" (`CM = 8`), the low nibble of a zlib stream's first byte.
pub const ZLIB_CM_DEFLATE: u8 = 8;

/// zlib reserved compression method (`CM = 15`), also classified as zlib by the Fjord spec.
pub const ZLIB_CM_RESERVED: u8 = 15;

/// Initial output buffer size for inflation; grows by doubling up to the limit.
const INITIAL_OUTPUT_CAPACITY: usize = 64 * 1024;

/// The compression algorithm of a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompressionAlgorithm {
    /// RFC 1950 zlib stream (no version byte: the first byte is the zlib header).
    Zlib,
    /// Brotli stream after the [`CHANNEL_VERSION_BROTLI`] byte.
    Brotli,
}

/// Fork-dependent parameters for reading a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelDecoding {
    /// Maximum number of decompressed bytes read from the channel.
    pub max_rlp_bytes: usize,
    /// Whether brotli channels are accepted (Fjord).
    pub brotli_enabled: bool,
}

impl ChannelDecoding {
    /// Parameters before Fjord.
    pub const BEDROCK: Self = Self {
        max_rlp_bytes: MAX_RLP_BYTES_PER_CHANNEL_BEDROCK,
        brotli_enabled: false,
    };

    /// Parameters from Fjord on.
    pub const FJORD: Self = Self {
        max_rlp_bytes: MAX_RLP_BYTES_PER_CHANNEL_FJORD,
        brotli_enabled: true,
    };

    /// Parameters for whether Fjord is active.
    pub const fn for_fjord(fjord_active: bool) -> Self {
        if fjord_active {
            Self::FJORD
        } else {
            Self::BEDROCK
        }
    }

    /// Parameters for a channel read while the channel reader's L1 origin has `l1_timestamp`
    /// (op-node keys both the limit and brotli support on that L1 block's time).
    pub fn for_l1_timestamp(rollup_config: &RollupConfig, l1_timestamp: u64) -> Self {
        Self::for_fjord(rollup_config.is_fjord_active(l1_timestamp))
    }
}

/// Why a channel could not be decompressed at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecompressError {
    /// The channel holds no data.
    #[error("channel data is empty")]
    Empty,
    /// The first byte names no known compression type.
    #[error("unknown channel compression type byte {0:#04x}")]
    UnknownCompressionType(u8),
    /// A brotli channel before Fjord.
    #[error("brotli channel compression is not enabled before Fjord")]
    BrotliNotEnabled,
}

/// How decompression ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecompressEnd {
    /// The compressed stream ended cleanly (checksum verified for zlib).
    Complete,
    /// Output reached the `max_rlp_bytes` limit; the rest of the stream was not inflated.
    LimitReached,
    /// The input ended before the compressed stream did.
    Truncated,
    /// The compressed stream is malformed (bad header, bad block, checksum mismatch, ...).
    Corrupt,
}

/// A decompressed channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecompressedChannel {
    /// The compression algorithm the channel used.
    pub algorithm: CompressionAlgorithm,
    /// The inflated bytes (at most `max_rlp_bytes`).
    pub data: Vec<u8>,
    /// Why inflation stopped.
    pub end: DecompressEnd,
}

/// Detects a channel's compression algorithm from its first byte.
pub fn compression_algorithm(
    channel: &[u8],
    brotli_enabled: bool,
) -> Result<CompressionAlgorithm, DecompressError> {
    let &first = channel.first().ok_or(DecompressError::Empty)?;
    match first & 0x0f {
        ZLIB_CM_DEFLATE | ZLIB_CM_RESERVED => Ok(CompressionAlgorithm::Zlib),
        _ if first == CHANNEL_VERSION_BROTLI => {
            if brotli_enabled {
                Ok(CompressionAlgorithm::Brotli)
            } else {
                Err(DecompressError::BrotliNotEnabled)
            }
        }
        _ => Err(DecompressError::UnknownCompressionType(first)),
    }
}

/// Decompresses a channel, producing at most `decoding.max_rlp_bytes` bytes.
pub fn decompress_channel(
    channel: &[u8],
    decoding: ChannelDecoding,
) -> Result<DecompressedChannel, DecompressError> {
    let algorithm = compression_algorithm(channel, decoding.brotli_enabled)?;
    let (data, end) = match algorithm {
        CompressionAlgorithm::Zlib => inflate_zlib(channel, decoding.max_rlp_bytes),
        CompressionAlgorithm::Brotli => {
            inflate_brotli(channel.get(1..).unwrap_or_default(), decoding.max_rlp_bytes)
        }
    };
    Ok(DecompressedChannel {
        algorithm,
        data,
        end,
    })
}

/// Inflates a zlib stream into at most `limit` bytes.
pub fn inflate_zlib(input: &[u8], limit: usize) -> (Vec<u8>, DecompressEnd) {
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_COMPUTE_ADLER32
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let mut state = alloc::boxed::Box::<DecompressorOxide>::default();
    let initial = input
        .len()
        .saturating_mul(4)
        .clamp(INITIAL_OUTPUT_CAPACITY, usize::MAX);
    let mut out = vec![0u8; initial.min(limit)];
    let mut in_pos = 0usize;
    let mut out_pos = 0usize;
    let end = loop {
        let remaining_input = input.get(in_pos..).unwrap_or_default();
        let (status, consumed, produced) =
            decompress(&mut state, remaining_input, &mut out, out_pos, flags);
        in_pos = in_pos.saturating_add(consumed);
        out_pos = out_pos.saturating_add(produced);
        match status {
            TINFLStatus::Done => break DecompressEnd::Complete,
            TINFLStatus::HasMoreOutput => {
                if out.len() >= limit {
                    break DecompressEnd::LimitReached;
                }
                let grown = out
                    .len()
                    .saturating_mul(2)
                    .max(INITIAL_OUTPUT_CAPACITY)
                    .min(limit);
                out.resize(grown, 0);
            }
            TINFLStatus::NeedsMoreInput | TINFLStatus::FailedCannotMakeProgress => {
                break DecompressEnd::Truncated;
            }
            TINFLStatus::Adler32Mismatch | TINFLStatus::Failed | TINFLStatus::BadParam => {
                break DecompressEnd::Corrupt;
            }
        }
    };
    out.truncate(out_pos);
    (out, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use miniz_oxide::deflate::compress_to_vec_zlib;

    #[test]
    fn classifies_the_first_byte() {
        assert_eq!(
            compression_algorithm(&[0x78], false),
            Ok(CompressionAlgorithm::Zlib)
        );
        assert_eq!(
            compression_algorithm(&[0x08], false),
            Ok(CompressionAlgorithm::Zlib)
        );
        assert_eq!(
            compression_algorithm(&[0x8f], false),
            Ok(CompressionAlgorithm::Zlib)
        );
        assert_eq!(
            compression_algorithm(&[0x01], true),
            Ok(CompressionAlgorithm::Brotli)
        );
        assert_eq!(
            compression_algorithm(&[0x01], false),
            Err(DecompressError::BrotliNotEnabled)
        );
        assert_eq!(
            compression_algorithm(&[0x02], true),
            Err(DecompressError::UnknownCompressionType(2))
        );
        assert_eq!(
            compression_algorithm(&[], true),
            Err(DecompressError::Empty)
        );
    }

    #[test]
    fn zlib_round_trip_and_limits() {
        let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let compressed = compress_to_vec_zlib(&payload, 6);

        let (data, end) = inflate_zlib(&compressed, usize::MAX);
        assert_eq!(end, DecompressEnd::Complete);
        assert_eq!(data, payload);

        let (data, end) = inflate_zlib(&compressed, 1000);
        assert_eq!(end, DecompressEnd::LimitReached);
        assert_eq!(data, &payload[..1000]);

        let (data, end) = inflate_zlib(&compressed, payload.len());
        assert_eq!(end, DecompressEnd::Complete);
        assert_eq!(data.len(), payload.len());

        // Truncated input keeps the bytes inflated so far.
        let (data, end) = inflate_zlib(&compressed[..compressed.len() / 2], usize::MAX);
        assert_eq!(end, DecompressEnd::Truncated);
        assert!(!data.is_empty());
        assert_eq!(data, &payload[..data.len()]);

        // A corrupted checksum still yields the full output.
        let mut bad_checksum = compressed;
        *bad_checksum.last_mut().unwrap() ^= 1;
        let (data, end) = inflate_zlib(&bad_checksum, usize::MAX);
        assert_eq!(end, DecompressEnd::Corrupt);
        assert_eq!(data, payload);
    }

    #[test]
    fn zip_bomb_is_bounded() {
        let bomb = compress_to_vec_zlib(&vec![0u8; 50_000_000], 10);
        assert!(bomb.len() < 100_000);
        let decompressed = decompress_channel(&bomb, ChannelDecoding::BEDROCK).unwrap();
        assert_eq!(decompressed.end, DecompressEnd::LimitReached);
        assert_eq!(decompressed.data.len(), MAX_RLP_BYTES_PER_CHANNEL_BEDROCK);
    }
}
