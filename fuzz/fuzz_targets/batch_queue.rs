//! Fuzzes the batch stage (the pre-Holocene batch queue and the Holocene batch stage) with
//! arbitrary batches: no input may panic, and every batch it hands on must be for the block
//! after the safe head (next slot, built on the safe head, epoch the safe head's or the next).
//!
//! The first input byte picks the fork (bit 0: Holocene); the rest is read as a decompressed
//! channel. L1 and L2 block hashes have all-zero first 20 bytes so that span batch parent and
//! origin checks are reachable.
#![no_main]

use alloy_primitives::B256;
use koa_derive::{
    BlockInfo, L2BlockInfo, PipelineError,
    stages::{BatchQueue, DerivedBatch},
    test_utils::{TestL2Provider, VecBatchSource},
};
use koa_protocol::{Hardfork, RollupConfig, batch::Batch, channel::BatchReader};
use libfuzzer_sys::fuzz_target;

const L1_BLOCKS: u64 = 8;

fn l1_block(number: u64) -> BlockInfo {
    BlockInfo {
        hash: B256::with_last_byte(number as u8 + 1),
        number,
        parent_hash: B256::with_last_byte(number as u8),
        timestamp: 12 * number,
    }
}

fn l2_hash(number: u64) -> B256 {
    let mut hash = B256::ZERO;
    hash.0[24..].copy_from_slice(&(number + 0x100).to_be_bytes());
    hash
}

fn config(holocene: bool) -> RollupConfig {
    RollupConfig {
        block_time: 2,
        seq_window_size: 4,
        max_sequencer_drift: 30,
        channel_timeout: 10,
        l2_chain_id: 10,
        holocene_time: holocene.then_some(0),
        ..RollupConfig::with_forks_at_genesis(Hardfork::Granite)
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, channel)) = data.split_first() else {
        return;
    };
    let rollup_config = config(flags & 1 == 1);
    let batches = BatchReader::new(channel.to_vec())
        .take(64)
        .filter_map(Result::ok)
        .filter_map(|batch| match batch {
            Batch::Singular(singular) => Some(DerivedBatch::Singular(singular)),
            Batch::Span(raw) => raw
                .derive(
                    rollup_config.block_time,
                    rollup_config.genesis.l2_time,
                    rollup_config.l2_chain_id,
                )
                .ok()
                .map(DerivedBatch::Span),
        })
        .collect();
    let l1: Vec<BlockInfo> = (0..L1_BLOCKS).map(l1_block).collect();
    let mut source = VecBatchSource {
        l1: l1.clone(),
        position: 0,
        batches,
        flushes: 0,
    };
    let genesis = L2BlockInfo {
        block_info: BlockInfo {
            hash: l2_hash(0),
            number: 0,
            parent_hash: B256::ZERO,
            timestamp: 0,
        },
        l1_origin: l1[0].id(),
        seq_num: 0,
    };
    let mut l2 = TestL2Provider::default();
    l2.blocks.insert(0, genesis);
    l2.transactions.insert(0, Vec::new());
    let mut queue = BatchQueue::default();
    queue.reset(l1[0]);
    let mut safe = genesis;
    for _ in 0..512 {
        match queue.next_batch(&rollup_config, &safe, &mut source, &mut l2) {
            Ok(batch) => {
                assert_eq!(
                    batch.timestamp,
                    safe.block_info.timestamp + rollup_config.block_time
                );
                assert_eq!(batch.parent_hash, safe.block_info.hash);
                let same_epoch = batch.epoch_num == safe.l1_origin.number;
                assert!(same_epoch || batch.epoch_num == safe.l1_origin.number + 1);
                let epoch = l1
                    .get(batch.epoch_num as usize)
                    .copied()
                    .expect("known epoch");
                assert_eq!(batch.epoch_hash, epoch.hash);
                let number = safe.block_info.number + 1;
                let next = L2BlockInfo {
                    block_info: BlockInfo {
                        hash: l2_hash(number),
                        number,
                        parent_hash: safe.block_info.hash,
                        timestamp: batch.timestamp,
                    },
                    l1_origin: epoch.id(),
                    seq_num: if same_epoch { safe.seq_num + 1 } else { 0 },
                };
                l2.blocks.insert(number, next);
                l2.transactions.insert(number, batch.transactions.to_vec());
                safe = next;
            }
            Err(PipelineError::NotEnoughData) => {}
            Err(PipelineError::Eof) => {
                if !source.advance() {
                    break;
                }
            }
            Err(_) => break,
        }
    }
});
