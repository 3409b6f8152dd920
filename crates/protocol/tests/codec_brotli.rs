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

/// A brotli stream whose commands write past the length its meta-block header declares
/// (RFC 7932 §9.3: "the stream should be rejected as invalid"). op-node's decoder and the C
/// reference reject it; brotli-decompressor accepted it as a clean decode before 6.x. The
/// vector is the differential-fuzzing find published with that decoder fix
/// (dropbox/rust-brotli-decompressor#47).
#[test]
fn brotli_meta_block_longer_than_declared_is_corrupt() {
    let stream = hex::decode(concat!(
        "0b2b01008cd4484d73bb8171bab646fb2203e581794e0cb52237983782d1e0880c00200849a0f3a41ab32b9",
        "8909e575ad3dc35383ab3bc757871fff6ab3a7135eeae1f988262c82ca1426ff34692b30a2beadb7a8589f9",
        "b5dd93eba74fd1f0b376393efe188bc0d3b812b5c91988a7e5965437750e8c4c2f6d1e9cdfbdfe2876540ed",
        "bcb1b222168125320d7593de1a4cc82f2bad61e7e7c6e75e7f8eaf1e35ff7d2663edc7f2803c751396295d1",
        "e18fa5e614573576f40f4f2d6eec9fddbe7ccb5658f49bf30b24c02822832fd35adca1c48cfcb2da966e6e6",
        "c7665fbe8f2e1fd4f73937adadfbe080dc352d822a5c1ee8ba664175536b4f70d4d2eacef9dde3c7f496690",
        "77ebe909e02024813e3000b81200c0488dd434b70b8000286308abc0fb1d453300b81200c0488dd434b70b8",
        "0002863088be0b73600b81200c0488dd434b70b80002863088be0b73600b81200c0488dd434b70b80002863",
        "088be0b73600b81200c0488dd434b70b80c88fc6428cc0bb0103",
    ))
    .unwrap();
    let mut channel = vec![CHANNEL_VERSION_BROTLI];
    channel.extend_from_slice(&stream);
    let decompressed = decompress_channel(&channel, ChannelDecoding::FJORD).unwrap();
    assert_eq!(decompressed.end, DecompressEnd::Corrupt);
}
