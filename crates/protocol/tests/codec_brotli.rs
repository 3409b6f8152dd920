//! Brotli channel decompression (Fjord) against streams built by a minimal RFC 7932 writer
//! that emits uncompressed meta-blocks.

use koa_protocol::{
    batch::{Batch, SingularBatch},
    channel::{
        BatchReader, CHANNEL_VERSION_BROTLI, ChannelDecoding, CompressionAlgorithm, DecompressEnd,
        DecompressError, decompress_channel,
    },
};

/// LSB-first bit writer, as brotli packs bits.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    bit: u32,
}

impl BitWriter {
    fn bits(&mut self, value: u64, count: u32) {
        for index in 0..count {
            if self.bit == 0 {
                self.out.push(0);
            }
            if (value >> index) & 1 == 1 {
                *self.out.last_mut().unwrap() |= 1 << self.bit;
            }
            self.bit = (self.bit + 1) % 8;
        }
    }

    fn align(&mut self) {
        self.bit = 0;
    }

    fn bytes(&mut self, data: &[u8]) {
        debug_assert_eq!(self.bit, 0);
        self.out.extend_from_slice(data);
    }
}

/// A brotli stream (window 16 bits) holding `data` in uncompressed meta-blocks.
fn brotli_stored(data: &[u8]) -> Vec<u8> {
    let mut writer = BitWriter::default();
    writer.bits(0, 1); // WBITS = 16
    for chunk in data.chunks(1 << 16) {
        writer.bits(0, 1); // ISLAST = 0
        writer.bits(0, 2); // MNIBBLES = 4
        writer.bits(chunk.len() as u64 - 1, 16); // MLEN - 1
        writer.bits(1, 1); // ISUNCOMPRESSED
        writer.align();
        writer.bytes(chunk);
    }
    writer.bits(1, 1); // ISLAST
    writer.bits(1, 1); // ISLASTEMPTY
    writer.out
}

fn brotli_channel(data: &[u8]) -> Vec<u8> {
    let mut channel = vec![CHANNEL_VERSION_BROTLI];
    channel.extend_from_slice(&brotli_stored(data));
    channel
}

#[test]
fn brotli_channel_decompresses_after_fjord_only() {
    let payload: Vec<u8> = (0..150_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let channel = brotli_channel(&payload);

    let decompressed = decompress_channel(&channel, ChannelDecoding::FJORD).unwrap();
    assert_eq!(decompressed.algorithm, CompressionAlgorithm::Brotli);
    assert_eq!(decompressed.end, DecompressEnd::Complete);
    assert_eq!(decompressed.data, payload);

    assert_eq!(
        decompress_channel(&channel, ChannelDecoding::BEDROCK),
        Err(DecompressError::BrotliNotEnabled)
    );
}

#[test]
fn brotli_output_is_bounded_and_truncation_keeps_the_prefix() {
    let payload: Vec<u8> = (0..150_000u32).map(|i| (i % 13) as u8).collect();
    let channel = brotli_channel(&payload);

    let limited = ChannelDecoding {
        max_rlp_bytes: 70_000,
        brotli_enabled: true,
    };
    let decompressed = decompress_channel(&channel, limited).unwrap();
    assert_eq!(decompressed.end, DecompressEnd::LimitReached);
    assert_eq!(decompressed.data, &payload[..70_000]);

    let truncated = decompress_channel(&channel[..100_000], ChannelDecoding::FJORD).unwrap();
    assert_eq!(truncated.end, DecompressEnd::Truncated);
    assert!(payload.starts_with(&truncated.data));
    assert!(truncated.data.len() >= 65_536);

    // Garbage after the version byte is corrupt, not a panic.
    let garbage = decompress_channel(
        &[CHANNEL_VERSION_BROTLI, 0xff, 0xff, 0xff],
        ChannelDecoding::FJORD,
    )
    .unwrap();
    assert_eq!(garbage.end, DecompressEnd::Corrupt);
}

#[test]
fn brotli_channel_carries_batches() {
    let batch = SingularBatch {
        epoch_num: 7,
        timestamp: 99,
        ..Default::default()
    };
    let mut stream = Vec::new();
    Batch::Singular(batch.clone()).encode_for_channel(&mut stream);
    let channel = brotli_channel(&stream);
    let reader = BatchReader::from_channel(&channel, ChannelDecoding::FJORD).unwrap();
    let batches: Vec<Batch> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(batches, vec![Batch::Singular(batch)]);
}
