//! Fuzzes the frame queue, the pre-Holocene channel bank and the Holocene channel assembler
//! with arbitrary batcher data over several L1 blocks: no input may panic, the bank never
//! holds more than its size limit after an ingest, and every channel read out carries data.
//!
//! The input is split on `0xfe` bytes into batcher transactions; the transaction index selects
//! the L1 block it is read in (blocks advance every few transactions, timing channels out).
#![no_main]

use alloy_primitives::B256;
use koa_derive::{
    BlockInfo,
    stages::{BankRead, ChannelAssembler, ChannelBank, FrameQueue, channel_bank},
};
use koa_protocol::{Hardfork, RollupConfig};
use libfuzzer_sys::fuzz_target;

fn origin(number: u64) -> BlockInfo {
    BlockInfo {
        hash: B256::with_last_byte(number as u8),
        number,
        parent_hash: B256::ZERO,
        timestamp: 12 * number,
    }
}

fuzz_target!(|data: &[u8]| {
    let rollup_config = RollupConfig {
        block_time: 2,
        channel_timeout: 3,
        ..RollupConfig::with_forks_at_genesis(Hardfork::Canyon)
    };
    let transactions: Vec<&[u8]> = data.split(|&b| b == 0xfe).take(64).collect();
    for holocene in [false, true] {
        let mut frames = FrameQueue::default();
        let mut bank = ChannelBank::default();
        let mut assembler = ChannelAssembler::default();
        for (index, tx) in transactions.iter().enumerate() {
            let origin = origin(index as u64 / 3);
            frames.load(tx, holocene);
            if holocene {
                assembler.check_timeout(&rollup_config, &origin);
            }
            while let Some(frame) = frames.pop() {
                if holocene {
                    if let Some(channel) = assembler.ingest(&rollup_config, &origin, frame) {
                        assert!(
                            channel.len()
                                <= channel_bank::max_rlp_bytes_per_channel(
                                    &rollup_config,
                                    origin.timestamp
                                )
                        );
                    }
                    continue;
                }
                bank.ingest(&rollup_config, &origin, frame);
                assert!(
                    bank.total_size()
                        <= channel_bank::max_channel_bank_size(&rollup_config, origin.timestamp)
                );
                loop {
                    match bank.read(&rollup_config, &origin) {
                        BankRead::Channel(_) | BankRead::Pruned => {}
                        BankRead::NotReady => break,
                    }
                }
            }
        }
    }
});
