//! Property tests: encode -> decode round trips for frames, channels and batches, and
//! robustness of every decoder on arbitrary bytes.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, Signature, TxKind, U256};
use koa_protocol::{
    TxList,
    batch::{Batch, RawSpanBatch, SingularBatch, SpanBatch},
    channel::{BatchReader, Channel, ChannelDecoding, decompress_channel},
    frame::{ChannelId, Frame, encode_frames, parse_frames},
};
use miniz_oxide::deflate::compress_to_vec_zlib;
use proptest::prelude::*;

const CHAIN_ID: u64 = 10;

fn frame_strategy() -> impl Strategy<Value = Frame> {
    (
        any::<[u8; 16]>(),
        any::<u16>(),
        proptest::collection::vec(any::<u8>(), 0..300),
        any::<bool>(),
    )
        .prop_map(|(id, number, data, is_last)| {
            Frame::new(ChannelId(id), number, Bytes::from(data), is_last)
        })
}

/// A signed legacy or EIP-1559 transaction with arbitrary fields (the signature need not
/// recover: the codec only carries it).
fn tx_strategy() -> impl Strategy<Value = Bytes> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<u64>(),
        any::<u64>(),
        any::<u128>(),
        any::<u128>(),
        proptest::option::of(any::<[u8; 20]>()),
        any::<[u8; 32]>(),
        proptest::collection::vec(any::<u8>(), 0..64),
        (any::<[u8; 32]>(), any::<[u8; 32]>(), any::<bool>()),
    )
        .prop_map(
            |(legacy, protected, nonce, gas_limit, fee_a, fee_b, to, value, input, sig)| {
                let to = to.map_or(TxKind::Create, |to| TxKind::Call(Address::from(to)));
                let value = U256::from_be_bytes(value);
                let signature = Signature::new(
                    U256::from_be_bytes(sig.0),
                    U256::from_be_bytes(sig.1),
                    sig.2,
                );
                let envelope = if legacy {
                    let tx = TxLegacy {
                        chain_id: protected.then_some(CHAIN_ID),
                        nonce,
                        gas_price: fee_a,
                        gas_limit,
                        to,
                        value,
                        input: input.into(),
                    };
                    TxEnvelope::Legacy(tx.into_signed(signature))
                } else {
                    let tx = TxEip1559 {
                        chain_id: CHAIN_ID,
                        nonce,
                        gas_limit,
                        max_fee_per_gas: fee_a,
                        max_priority_fee_per_gas: fee_b,
                        to,
                        value,
                        access_list: Default::default(),
                        input: input.into(),
                    };
                    TxEnvelope::Eip1559(tx.into_signed(signature))
                };
                Bytes::from(envelope.encoded_2718())
            },
        )
}

fn singular_batch_strategy() -> impl Strategy<Value = SingularBatch> {
    (
        any::<[u8; 32]>(),
        any::<u64>(),
        any::<[u8; 32]>(),
        any::<u64>(),
        proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..80), 0..5),
    )
        .prop_map(
            |(parent, epoch_num, epoch_hash, timestamp, txs)| SingularBatch {
                parent_hash: B256::from(parent),
                epoch_num,
                epoch_hash: B256::from(epoch_hash),
                timestamp,
                transactions: TxList::try_from_iter(txs).unwrap(),
            },
        )
}

/// Consecutive singular batches with real (decodable) transactions.
fn consecutive_batches_strategy() -> impl Strategy<Value = (Vec<SingularBatch>, bool)> {
    (
        proptest::collection::vec(
            (
                any::<bool>(),
                proptest::collection::vec(tx_strategy(), 0..4),
            ),
            1..8,
        ),
        any::<[u8; 32]>(),
        0u64..1_000_000,
        1u64..1_000_000,
        any::<bool>(),
    )
        .prop_map(
            |(blocks, parent, rel_timestamp, first_epoch, first_changed)| {
                let mut epoch = first_epoch;
                let batches = blocks
                    .into_iter()
                    .enumerate()
                    .map(|(index, (advance, transactions))| {
                        if index > 0 && advance {
                            epoch += 1;
                        }
                        SingularBatch {
                            parent_hash: if index == 0 {
                                B256::from(parent)
                            } else {
                                B256::ZERO
                            },
                            epoch_num: epoch,
                            epoch_hash: B256::repeat_byte(epoch as u8),
                            timestamp: GENESIS + rel_timestamp + 2 * index as u64,
                            transactions: TxList::try_from(transactions).unwrap(),
                        }
                    })
                    .collect();
                (batches, first_changed)
            },
        )
}

const GENESIS: u64 = 1_700_000_000;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn frames_round_trip(frames in proptest::collection::vec(frame_strategy(), 1..6)) {
        let encoded = encode_frames(&frames);
        prop_assert_eq!(parse_frames(&encoded).unwrap(), frames);
    }

    #[test]
    fn channels_reassemble_from_shuffled_frames(
        data in proptest::collection::vec(any::<u8>(), 0..4000),
        frame_size in 1usize..700,
        seed in any::<u64>(),
    ) {
        let id = ChannelId([9; 16]);
        let chunks: Vec<&[u8]> = if data.is_empty() { vec![&[][..]] } else { data.chunks(frame_size).collect() };
        let last = chunks.len() - 1;
        let mut frames: Vec<Frame> = chunks
            .iter()
            .enumerate()
            .map(|(index, chunk)| Frame::new(id, index as u16, Bytes::copy_from_slice(chunk), index == last))
            .collect();
        // Deterministic shuffle, and one duplicate frame that must be rejected.
        let len = frames.len();
        for index in 0..len {
            let other = (seed.wrapping_mul(index as u64 + 1) % len as u64) as usize;
            frames.swap(index, other);
        }
        let duplicate = frames[0].clone();
        let mut channel = Channel::new(id, 1);
        for (index, frame) in frames.into_iter().enumerate() {
            prop_assert!(!channel.is_ready(), "ready before frame {}", index);
            channel.add_frame(frame).unwrap();
        }
        prop_assert!(channel.add_frame(duplicate).is_err());
        prop_assert!(channel.is_ready());
        prop_assert_eq!(channel.data().unwrap(), data);
    }

    #[test]
    fn singular_batches_round_trip_through_a_channel(batches in proptest::collection::vec(singular_batch_strategy(), 1..5)) {
        let mut stream = Vec::new();
        for batch in &batches {
            Batch::Singular(batch.clone()).encode_for_channel(&mut stream);
        }
        let compressed = compress_to_vec_zlib(&stream, 6);
        let decompressed = decompress_channel(&compressed, ChannelDecoding::BEDROCK).unwrap();
        let read: Vec<Batch> = BatchReader::new(decompressed.data).collect::<Result<_, _>>().unwrap();
        let expected: Vec<Batch> = batches.into_iter().map(Batch::Singular).collect();
        prop_assert_eq!(read, expected);
    }

    #[test]
    fn span_batches_round_trip((batches, first_changed) in consecutive_batches_strategy()) {
        let span = SpanBatch::from_singular_batches(&batches, first_changed).unwrap();
        let raw = span.to_raw(GENESIS, CHAIN_ID).unwrap();
        let encoded = raw.encoded();
        let decoded = RawSpanBatch::decode(&encoded).unwrap();
        prop_assert_eq!(&decoded, &raw);
        let derived = decoded.derive(2, GENESIS, CHAIN_ID).unwrap();
        prop_assert_eq!(&derived, &span);
        let origins: Vec<_> = batches.iter().map(SingularBatch::epoch).collect();
        let mut back = derived.to_singular_batches(&origins, 0).unwrap();
        back[0].parent_hash = batches[0].parent_hash;
        prop_assert_eq!(back, batches);
    }

    #[test]
    fn decoders_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_frames(&data);
        let _ = Batch::decode(&data);
        if let Ok(raw) = RawSpanBatch::decode(&data) {
            // Whatever decodes re-encodes to something that decodes to the same batch.
            prop_assert_eq!(&RawSpanBatch::decode(&raw.encoded()).unwrap(), &raw);
            let _ = raw.derive(2, GENESIS, CHAIN_ID);
        }
        for decoding in [ChannelDecoding::BEDROCK, ChannelDecoding::FJORD] {
            if let Ok(decompressed) = decompress_channel(&data, decoding) {
                prop_assert!(decompressed.data.len() <= decoding.max_rlp_bytes);
                for batch in BatchReader::new(decompressed.data) {
                    let _ = batch;
                }
            }
        }
        let _ = BatchReader::new(data).count();
    }
}
