//! Frame, channel and batch decoding against real OP Stack data in `testdata/`.

use alloy_consensus::{Transaction, TxEnvelope, transaction::SignerRecoverable};
use alloy_eips::{BlockNumHash, eip2718::Decodable2718};
use alloy_primitives::{B256, Bytes, address, hex};
use koa_protocol::{
    TxList,
    batch::{Batch, RawSpanBatch, SingularBatch, SpanBatch, span::SpanBatchTransactions},
    channel::{
        BatchReader, ChannelDecoding, CompressionAlgorithm, DecompressEnd, decompress_channel,
    },
    frame::{ChannelId, parse_frames},
};
use std::{fs, path::PathBuf};

fn testdata(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata")).join(path)
}

/// OP Mainnet's L2 genesis timestamp and block time (its rollup config).
const OP_MAINNET_GENESIS_TIME: u64 = 1_686_068_903;
const OP_MAINNET_BLOCK_TIME: u64 = 2;
const OP_MAINNET_CHAIN_ID: u64 = 10;

fn zlib_channel() -> Vec<u8> {
    let compressed = fs::read(testdata("derivation/channel-zlib.hex.zst")).unwrap();
    let text = zstd::decode_all(compressed.as_slice()).unwrap();
    hex::decode(String::from_utf8(text).unwrap().trim()).unwrap()
}

#[test]
fn batcher_transaction_carries_one_closing_frame() {
    let raw = fs::read(testdata("derivation/op-mainnet-batcher-tx.bin")).unwrap();
    let tx = TxEnvelope::decode_2718_exact(raw.as_slice()).unwrap();
    let TxEnvelope::Eip1559(signed) = &tx else {
        panic!("expected a type-2 transaction")
    };
    assert_eq!(
        signed.tx().to.to(),
        Some(&address!("0xFF00000000000000000000000000000000000010"))
    );
    assert_eq!(
        tx.recover_signer().unwrap(),
        address!("0x6887246668a3b87F54DeB3b94Ba47a6f63F32985")
    );

    let input = &signed.tx().input;
    assert_eq!(input.len(), 119_823);
    let frames = parse_frames(input).unwrap();
    assert_eq!(frames.len(), 1);
    let frame = &frames[0];
    assert_eq!(
        frame.id,
        ChannelId(hex!("ac329933f5efdcc35ccd284232a376d3"))
    );
    assert_eq!(frame.number, 0);
    assert_eq!(frame.data.len(), 119_799);
    assert!(frame.is_last);
    // The frame's encoding is the calldata after the version byte.
    assert_eq!(frame.encode(), &input[1..]);
    // A single-frame channel: it is ready and its data is a zlib stream.
    let mut channel = koa_protocol::channel::Channel::new(frame.id, 0);
    channel.add_frame(frame.clone()).unwrap();
    assert!(channel.is_ready());
    let data = channel.data().unwrap();
    let decompressed = decompress_channel(&data, ChannelDecoding::BEDROCK).unwrap();
    assert_eq!(decompressed.algorithm, CompressionAlgorithm::Zlib);
    let batches: Vec<Batch> = BatchReader::new(decompressed.data)
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!batches.is_empty());
}

#[test]
fn zlib_channel_reads_out_as_batches() {
    let channel = zlib_channel();
    assert_eq!(channel.len(), 615_361);
    let decompressed = decompress_channel(&channel, ChannelDecoding::FJORD).unwrap();
    assert_eq!(decompressed.algorithm, CompressionAlgorithm::Zlib);
    assert_eq!(decompressed.end, DecompressEnd::Complete);
    assert_eq!(decompressed.data.len(), 1_409_463);

    let mut reader = BatchReader::new(decompressed.data.clone());
    let batches: Vec<Batch> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    assert!(reader.is_exhausted());
    assert_eq!(reader.consumed(), 1_409_463);

    // The channel holds exactly one batch: a span batch of 143 blocks and 1,766 transactions.
    assert_eq!(batches.len(), 1);
    let Batch::Span(raw) = &batches[0] else {
        panic!("expected a span batch")
    };
    assert_eq!(raw.rel_timestamp, 32_295_734);
    assert_eq!(raw.l1_origin_num, 20_089_770);
    assert_eq!(raw.block_count(), 143);
    assert_eq!(raw.txs.len(), 1_766);
    assert_eq!(raw.block_tx_counts.iter().sum::<u64>(), 1_766);

    // Re-encoding the decoded batch gives back the channel's bytes exactly.
    let mut channel_bytes = Vec::new();
    batches[0].encode_for_channel(&mut channel_bytes);
    assert_eq!(channel_bytes, decompressed.data);

    // Derive the blocks with OP Mainnet's parameters and check them for consistency.
    let span = raw
        .derive(
            OP_MAINNET_BLOCK_TIME,
            OP_MAINNET_GENESIS_TIME,
            OP_MAINNET_CHAIN_ID,
        )
        .unwrap();
    assert_eq!(span.elements.len(), 143);
    // 1_718_364_637 is 2024-06-14 11:30:37 UTC, in OP Mainnet's Ecotone era.
    assert_eq!(span.start_timestamp(), 1_718_364_637);
    assert_eq!(span.final_timestamp(), 1_718_364_637 + 142 * 2);
    assert_eq!(span.final_epoch_num(), 20_089_770);
    let origin_changes = raw.origin_bits.iter().skip(1).filter(|bit| *bit).count() as u64;
    assert_eq!(span.start_epoch_num(), 20_089_770 - origin_changes);
    // L1 blocks come every 12 s and L2 blocks every 2 s: 286 s of L2 time spans ~24 epochs.
    assert!(
        (20..=28).contains(&origin_changes),
        "{origin_changes} origin changes"
    );
    for pair in span.elements.windows(2) {
        assert_eq!(pair[1].timestamp, pair[0].timestamp + 2);
        assert!(pair[1].epoch_num - pair[0].epoch_num <= 1);
    }
    let mut tx_count = 0;
    for element in &span.elements {
        for tx in &element.transactions {
            let envelope = TxEnvelope::decode_2718_exact(tx).unwrap();
            assert_eq!(
                envelope.chain_id().unwrap_or(OP_MAINNET_CHAIN_ID),
                OP_MAINNET_CHAIN_ID
            );
            assert!(envelope.recover_signer().is_ok());
            tx_count += 1;
        }
    }
    assert_eq!(tx_count, 1_766);

    // Span -> singular batches (with stand-in L1 origin hashes) -> span re-encodes identically.
    let origins: Vec<BlockNumHash> = (span.start_epoch_num()..=span.final_epoch_num())
        .map(|number| {
            let mut hash = B256::repeat_byte(number as u8);
            if number == span.final_epoch_num() {
                hash[..20].copy_from_slice(raw.l1_origin_check.as_slice());
            }
            BlockNumHash { number, hash }
        })
        .collect();
    let mut singular = span.to_singular_batches(&origins, 0).unwrap();
    assert_eq!(singular.len(), 143);
    assert!(
        singular
            .iter()
            .all(|batch| !batch.has_forbidden_transaction())
    );
    singular[0].parent_hash[..20].copy_from_slice(raw.parent_check.as_slice());
    let rebuilt = SpanBatch::from_singular_batches(&singular, raw.origin_bits.get(0)).unwrap();
    assert_eq!(rebuilt, span);
    let rebuilt_raw = rebuilt
        .to_raw(OP_MAINNET_GENESIS_TIME, OP_MAINNET_CHAIN_ID)
        .unwrap();
    assert_eq!(&rebuilt_raw, raw.as_ref());

    // Only blocks after the safe head are returned.
    let after = span
        .to_singular_batches(&origins, span.start_timestamp() + 10)
        .unwrap();
    assert_eq!(after.len(), 143 - 6);
    assert_eq!(after[0].timestamp, span.start_timestamp() + 12);
}

#[test]
fn span_batch_fixture_round_trips() {
    let raw = fs::read(testdata("derivation/span-batch.bin")).unwrap();
    let batch = RawSpanBatch::decode(&raw).unwrap();
    assert_eq!(batch.encoded(), raw);
    assert_eq!(batch.block_count(), 4);
    assert_eq!(batch.txs.len(), 39);
    assert_eq!(batch.block_tx_counts.iter().sum::<u64>(), 39);
    // Wrapped as a type-1 batch it decodes the same way.
    let mut typed = vec![1u8];
    typed.extend_from_slice(&raw);
    assert_eq!(Batch::decode(&typed).unwrap(), Batch::Span(Box::new(batch)));
}

struct Fixture {
    chain_id: u64,
    transactions: Vec<Bytes>,
}

fn execution_fixtures() -> Vec<Fixture> {
    let mut dirs: Vec<_> = fs::read_dir(testdata("execution"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    dirs.sort();
    dirs.iter()
        .map(|dir| {
            let json: serde_json::Value =
                serde_json::from_slice(&fs::read(dir.join("fixture.json")).unwrap()).unwrap();
            let transactions = json["payload_attributes"]["transactions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|tx| Bytes::from(hex::decode(tx.as_str().unwrap()).unwrap()))
                .filter(|tx| tx.first() != Some(&koa_protocol::batch::DEPOSIT_TX_TYPE))
                .collect();
            Fixture {
                chain_id: json["l2_chain_id"].as_u64().unwrap(),
                transactions,
            }
        })
        .collect()
}

#[test]
fn execution_fixture_transactions_round_trip_through_span_encoding() {
    let fixtures = execution_fixtures();
    assert_eq!(fixtures.len(), 14);
    let mut total = 0;
    let mut types = std::collections::BTreeSet::new();
    for fixture in &fixtures {
        let txs =
            SpanBatchTransactions::from_encoded(&fixture.transactions, fixture.chain_id).unwrap();
        let mut encoded = Vec::new();
        let raw = RawSpanBatch {
            block_tx_counts: vec![fixture.transactions.len() as u64],
            origin_bits: koa_protocol::batch::span::SpanBatchBits::from_bools(&[true]),
            txs,
            ..Default::default()
        };
        raw.encode(&mut encoded);
        let decoded = RawSpanBatch::decode(&encoded).unwrap();
        assert_eq!(decoded, raw);
        let rebuilt = decoded.txs.to_encoded(fixture.chain_id).unwrap();
        assert_eq!(rebuilt, fixture.transactions);
        for tx in &fixture.transactions {
            types.insert(tx[0].min(0xc0));
        }
        total += fixture.transactions.len();
    }
    assert!(total > 100, "only {total} transactions");
    // Legacy (0xc0..), EIP-1559 (2) at least.
    assert!(types.contains(&0xc0) && types.contains(&2), "{types:?}");
}

#[test]
fn execution_fixture_singular_batches_convert_to_span_and_back() {
    let fixtures = execution_fixtures();
    let genesis = 1_000_000;
    let block_time = 2;
    for chain_id in [10u64, 11_155_420] {
        // One singular batch per fixture block of this chain, placed on consecutive timestamps
        // with an epoch change every third block.
        let batches: Vec<SingularBatch> = fixtures
            .iter()
            .filter(|fixture| fixture.chain_id == chain_id)
            .enumerate()
            .map(|(index, fixture)| SingularBatch {
                parent_hash: if index == 0 {
                    B256::repeat_byte(0xaa)
                } else {
                    B256::ZERO
                },
                epoch_num: 500 + index as u64 / 3,
                epoch_hash: B256::repeat_byte(index as u8 / 3 + 1),
                timestamp: genesis + 40 + block_time * index as u64,
                transactions: TxList::try_from(fixture.transactions.clone()).unwrap(),
            })
            .collect();
        assert!(batches.len() >= 4);
        let span = SpanBatch::from_singular_batches(&batches, true).unwrap();
        let raw = span.to_raw(genesis, chain_id).unwrap();
        assert_eq!(raw.rel_timestamp, 40);
        assert_eq!(raw.l1_origin_num, batches.last().unwrap().epoch_num);
        let mut encoded = vec![1u8];
        raw.encode(&mut encoded);

        let Batch::Span(decoded) = Batch::decode(&encoded).unwrap() else {
            panic!("not a span")
        };
        let derived = decoded.derive(block_time, genesis, chain_id).unwrap();
        assert_eq!(derived, span);
        assert!(derived.check_parent_hash(B256::repeat_byte(0xaa)));
        let origins: Vec<BlockNumHash> = batches.iter().map(SingularBatch::epoch).collect();
        let mut back = derived.to_singular_batches(&origins, 0).unwrap();
        back[0].parent_hash = batches[0].parent_hash;
        assert_eq!(back, batches);

        // Wrong chain id: protected transactions are rejected.
        assert!(matches!(
            span.to_raw(genesis, chain_id + 1),
            Err(koa_protocol::batch::SpanBatchError::ChainIdMismatch { .. })
        ));
    }
}

#[test]
fn singular_batch_round_trips_as_channel_item() {
    let fixtures = execution_fixtures();
    let batch = SingularBatch {
        parent_hash: B256::repeat_byte(1),
        epoch_num: 20_000_000,
        epoch_hash: B256::repeat_byte(2),
        timestamp: 1_718_000_000,
        transactions: TxList::try_from(fixtures[0].transactions.clone()).unwrap(),
    };
    let mut stream = Vec::new();
    Batch::Singular(batch.clone()).encode_for_channel(&mut stream);
    Batch::Singular(batch.clone()).encode_for_channel(&mut stream);
    let read: Vec<Batch> = BatchReader::new(stream.clone())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        read,
        vec![Batch::Singular(batch.clone()), Batch::Singular(batch)]
    );
    // Truncating the stream loses the second batch only.
    stream.truncate(stream.len() - 1);
    let mut reader = BatchReader::new(stream);
    assert!(reader.next().unwrap().is_ok());
    assert!(matches!(
        reader.next(),
        Some(Err(koa_protocol::channel::BatchReadError::Truncated { .. }))
    ));
    assert!(reader.next().is_none());
}
