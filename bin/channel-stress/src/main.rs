//! FPVM stress program: the largest memory load the channel stages can meet before Holocene.
//!
//! It fills a Fjord channel bank to `MAX_CHANNEL_BANK_SIZE` (1,000,000,000 bytes) with
//! unfinished channels, then reads one batcher transaction from the oracle, runs it through
//! the frame queue and the bank (which prunes the oldest channels to make room), reads the
//! channel back and decompresses it up to `MAX_RLP_BYTES_PER_CHANNEL` (100,000,000 bytes), and
//! decodes its batches. It prints what it derived and the heap it used, and exits 0 only if the
//! channel's single batch carries the transaction the host announced.
//!
//! Inputs (local keys, trusted like the client's boot inputs):
//!
//! | key | value                                                                          |
//! |-----|--------------------------------------------------------------------------------|
//! | 1   | `bank_fill ‖ filler_frame_len ‖ tx_len` (u64 BE each)                          |
//! | 2   | keccak256 of the batcher transaction data (fetched as a keccak256 pre-image)    |
//!
//! The filler frames are `filler_frame_len` bytes each, one channel per frame; with a length
//! just over a power of two they are the worst case for the power-of-two heap. The expected
//! batch holds one transaction of `tx_len` bytes: `0x02` followed by zeros.
#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]

extern crate alloc;

use alloc::vec::Vec;
use alloy_primitives::{B256, Bytes, keccak256};
use koa_derive::{
    stages::{BankRead, ChannelBank, FrameQueue},
    types::BlockInfo,
};
use koa_preimage::{PreimageKey, PreimageOracleClient, PreimageOracleError};
use koa_protocol::{
    RollupConfig,
    batch::Batch,
    channel::{BatchReader, ChannelDecoding, DecompressError},
    frame::{ChannelId, Frame},
};

koa_fpvm::entry!(main);

/// Why the stress program failed.
#[derive(Debug, thiserror::Error)]
enum StressError {
    /// The oracle failed.
    #[error("oracle: {0}")]
    Oracle(#[from] PreimageOracleError),
    /// The channel does not decompress.
    #[error("decompress: {0}")]
    Decompress(#[from] DecompressError),
    /// What was derived is not what the host announced.
    #[error("check failed: {0}")]
    Check(&'static str),
}

/// Reads the `index`-th big-endian u64 of `bytes`.
fn word(bytes: &[u8], index: usize) -> Result<u64, StressError> {
    bytes
        .get(index * 8..index * 8 + 8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_be_bytes)
        .ok_or(StressError::Check("parameters too short"))
}

fn main() -> Result<(), StressError> {
    let oracle = koa_fpvm::oracle_reader();
    let params: Vec<u8> = oracle.get(PreimageKey::local(1))?;
    let bank_fill: usize = word(&params, 0)? as usize;
    let filler_frame_len: usize = word(&params, 1)? as usize;
    let tx_len: usize = word(&params, 2)? as usize;
    let data_hash: B256 = B256::try_from(oracle.get(PreimageKey::local(2))?.as_slice())
        .map_err(|_| StressError::Check("data hash is not 32 bytes"))?;

    // Fjord (and with it Canyon, so the bank reads its first ready channel) but not Holocene:
    // the largest bank and the largest channel.
    let cfg: RollupConfig = RollupConfig {
        regolith_time: Some(0),
        canyon_time: Some(0),
        delta_time: Some(0),
        ecotone_time: Some(0),
        fjord_time: Some(0),
        granite_time: Some(0),
        ..Default::default()
    };
    let origin: BlockInfo = BlockInfo {
        hash: B256::repeat_byte(1),
        number: 1,
        parent_hash: B256::ZERO,
        timestamp: 1,
    };

    let mut bank: ChannelBank = ChannelBank::default();
    let mut next_id: u128 = 1;
    while bank.total_size() + filler_frame_len + koa_protocol::channel::CHANNEL_FRAME_SIZE_OVERHEAD
        <= bank_fill
    {
        let data: Bytes = Bytes::from(alloc::vec![0xab; filler_frame_len]);
        let frame: Frame = Frame::new(ChannelId::new(next_id.to_be_bytes()), 0, data, false);
        bank.ingest(&cfg, &origin, frame);
        next_id += 1;
    }
    let filled: usize = bank.total_size();
    let filler_channels: usize = bank.len();

    let data: Vec<u8> = oracle.get(PreimageKey::keccak256(data_hash))?;
    if keccak256(&data) != data_hash {
        return Err(StressError::Check("batcher data does not match its hash"));
    }
    let mut frames: FrameQueue = FrameQueue::default();
    frames.load(&data, false);
    drop(data);
    while let Some(frame) = frames.pop() {
        bank.ingest(&cfg, &origin, frame);
    }
    let channel: Vec<u8> = loop {
        match bank.read(&cfg, &origin) {
            BankRead::Channel(channel) => break channel,
            BankRead::Pruned => continue,
            BankRead::NotReady => return Err(StressError::Check("the channel is not ready")),
        }
    };
    let compressed: usize = channel.len();
    let mut reader: BatchReader = BatchReader::from_channel(
        &channel,
        ChannelDecoding::for_l1_timestamp(&cfg, origin.timestamp),
    )?;
    drop(channel);
    let decompressed: usize = reader.consumed() + reader.remaining();
    let mut batches: usize = 0;
    let mut largest_tx: usize = 0;
    let mut tx_ok: bool = false;
    while let Some(batch) = reader.next_batch() {
        let Ok(Batch::Singular(batch)) = batch else {
            return Err(StressError::Check(
                "the channel holds a bad or non-singular batch",
            ));
        };
        batches += 1;
        for tx in &batch.transactions {
            largest_tx = largest_tx.max(tx.len());
            tx_ok = tx.len() == tx_len
                && tx.first() == Some(&0x02)
                && tx.iter().skip(1).all(|byte| *byte == 0);
        }
    }
    if batches != 1 || !tx_ok {
        return Err(StressError::Check(
            "expected one batch with the announced transaction",
        ));
    }
    let heap: koa_fpvm::HeapStats = __KOA_FPVM_HEAP.stats();
    koa_fpvm::println!(
        "channel-stress: bank {filled} bytes in {filler_channels} channels, {} left after pruning; \
         channel {compressed} bytes compressed, {decompressed} decompressed; {batches} batch, \
         largest tx {largest_tx} bytes",
        bank.len()
    );
    koa_fpvm::println!(
        "channel-stress heap: peak_in_use={} carved={} size={}",
        heap.peak_in_use,
        heap.carved,
        heap.size
    );
    Ok(())
}
