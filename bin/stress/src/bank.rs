//! The largest memory load the channel stages can meet before Holocene: a full bank, then a
//! bank-sized channel.
//!
//! Before Holocene the channel bank keeps every unfinished channel until its size, counted as
//! frame data plus 200 bytes per frame, exceeds `MAX_CHANNEL_BANK_SIZE` (1,000,000,000 bytes
//! from Fjord); then it drops the oldest. What that costs in heap depends on the frames:
//!
//! - The smallest frames cost the most bookkeeping per counted byte: each channel is an entry
//!   in the bank's maps, each frame a boxed slice. Two frames of one byte per channel are the
//!   worst for koa's layout (about 0.95 heap bytes per counted byte); the bank then holds
//!   about 2.5 million channels.
//! - The largest channel is as large as the bank, and reading it copies its data out of its
//!   frames, so the bank's size is live twice. It decompresses to at most
//!   `MAX_RLP_BYTES_PER_CHANNEL` (100,000,000 bytes from Fjord) and its batch is copied out
//!   of that once more.
//!
//! [`run`] does both, one after the other: it fills the bank with the smallest channels, then
//! makes room for one channel of the bank's size by pushing out all but the few that fit
//! beside it (so an allocator must reuse the small blocks they leave for large ones), reads
//! that channel (from Canyon, the first ready one is read past unready ones), decompresses
//! it and decodes its one batch, whose one transaction fills the decompression limit. The
//! channel's first frame comes as a batcher transaction (a zlib stream made by the host, in
//! the tests by `miniz_oxide`); the rest are filler frames of `2^19 + 1` bytes, just over a
//! power of two (the worst case for a power-of-two allocator), which the zlib stream's end
//! makes the reader ignore.
//!
//! # Frames the bank no longer counts
//!
//! op-node's accounting of a closing frame that prunes higher-numbered ones (reproduced by
//! `koa_protocol::channel::Channel::size`) stops counting the frames the channel keeps, so
//! before Holocene an unready channel (frame 0 never sent) can hold data the bank's size no
//! longer counts: frames `1..K`, then `K + 1`, then the closing frame `K` leave `K` frames
//! counted as one. Only the channel timeout bounds that: a channel opened in L1 block `o` is
//! dropped at origin `o + timeout + 1` (and gets no frame after), so the bank holds at most the
//! frames posted in `timeout + 1` L1 blocks: 51 from Granite, 301 before it on OP Mainnet
//! (`channel_timeout` 300). [`uncounted`](crate::uncounted) runs exactly that.
//!
//! Per L1 block, a frame costs 23 bytes on L1 plus its data (16 id, 2 number, 4 length, 1
//! closing flag) and every byte can be zero. L1 of record: 60,000,000 gas (Ethereum mainnet
//! since November 2025; whether it was raised again in 2026 is not known here), each calldata
//! byte at EIP-7623's floor of 10 gas (Pectra; transaction base costs ignored), so 6,000,000
//! bytes; plus 21 blobs (BPO2, January 2026) of 130,043 bytes of frames each (the OP Stack
//! blob encoding's 130,044 less the version byte). That is 8,730,903 bytes, 379,603 empty
//! frames, per block:
//!
//! | L1                                              | per block          | 51 blocks | 301 blocks |
//! |-------------------------------------------------|--------------------|-----------|------------|
//! | 60M gas, 10 gas/byte, 21 blobs (of record)      | 379,603 fr, 8.7 MB | 19.4 M, 445 MB | 114 M, 2,628 MB |
//! | any gas limit: EIP-7934's 8 MiB block, 21 blobs | 483,456 fr, 11.1 MB | 24.7 M, 567 MB | 146 M, 3,347 MB |
//! | 36M gas, 4 gas/byte, 6 blobs (Feb–May 2025)     | 425,228 fr, 9.8 MB | 21.7 M, 499 MB | 128 M, 2,944 MB |
//! | 30M gas, 4 gas/byte, 6 blobs (to Feb 2025)      | 360,010 fr, 8.3 MB | 18.4 M, 422 MB | 108 M, 2,492 MB |
//!
//! The 60M figure is safe while the limit stays there: the floor price makes calldata at most
//! a tenth of the gas limit in bytes. Above about 84M gas EIP-7934's cap on the RLP block
//! (8,388,608 bytes, from Fusaka) binds instead, whatever the limit: the second row. More blobs
//! (later BPO forks) add 130,043 bytes per blob and block.
//!
//! koa's heap for the pattern (measured on the FPVM heap): 13.5 bytes per empty frame held
//! (a 12-byte slot in a sorted vector, see `koa_protocol::channel`'s frame store), and at most
//! about 1.09 bytes per byte posted on L1 for any frame size (300-byte frames; the data itself
//! is kept, so no layout goes much under one). Under `qemu-riscv64` in the 4 GiB client heap,
//! 60M gas and 21 blobs (`tests/qemu_uncounted.rs`):
//!
//! - Granite (51 blocks): 300-byte frames, 1.37 M frames held, 483 MB in use (488 MB carved,
//!   11% of the heap), 1.7 s; empty frames, 19.3 M frames, 261 MB in use, 13 s.
//! - Before Granite (301 blocks, by hand with `KOA_UNCOUNTED_PRE_GRANITE=1`): 300-byte frames,
//!   8.1 M frames held, 2.86 GB in use (2.88 GB carved, 67% of the heap), 15 s; empty frames,
//!   114 M frames, 1.54 GB in use, 105 s.
//!
//! The pre-Granite window under EIP-7934's cap (3,347 MB on L1; by hand with
//! `KOA_UNCOUNTED_PRE_GRANITE=1 KOA_UNCOUNTED_BLOCK_CAP=1`): 300-byte frames, 10.4 M frames
//! held, 3.64 GB in use (3.67 GB carved, 85% of the heap), 20 s: it fits, with less than a
//! quarter to spare. Before
//! the compact frame store, koa took 39.6 bytes per empty frame and 71.6 per one-byte frame
//! (3.0 per L1 byte), about 7.8 GB for the pre-Granite window: it did not fit.
//!
//! The scenario sends each channel's frames in order. Frames that come out of order wait in a
//! small tree (about 30 bytes each instead of a 12-byte slot) until they are merged, and a
//! frame waits there only while the bank counts it: the pruning close that ends the count
//! merges them, and a frame after the close is counted again. So the bank's size bounds them:
//! at most 5 million frames at 200 bytes each, about 150 MB more.
//!
//! # Batches
//!
//! What a channel's batch costs once decoded (up to 100,000,000 one-byte transactions from
//! Fjord) is the [`batch`](crate::batch) scenario, through the attributes and the executor.

use crate::{StressError, decode_words, encode_words, word_to_usize};
use alloc::vec::Vec;
use alloy_primitives::{B256, Bytes};
use core::fmt;
use koa_derive::{
    stages::{BankRead, ChannelBank, FrameQueue, channel_bank::max_channel_bank_size},
    types::BlockInfo,
};
use koa_fpvm::HeapStats;
use koa_protocol::{
    Hardfork, RollupConfig, TxList,
    batch::{Batch, SingularBatch},
    channel::{BatchReader, CHANNEL_FRAME_SIZE_OVERHEAD, ChannelDecoding},
    frame::{CHANNEL_ID_LENGTH, ChannelId, DERIVATION_VERSION_0, Frame, encode_frames},
};

/// The id of the bank-sized channel (the small channels count up from 1).
pub const LARGE_CHANNEL_ID: ChannelId = ChannelId::new([0xcc; CHANNEL_ID_LENGTH]);

/// The byte every small frame's data repeats.
const TINY_BYTE: u8 = 0x5a;
/// The byte every filler frame's data repeats.
const FILLER_BYTE: u8 = 0xab;

/// The scenario's parameters, sent to the FPVM program as big-endian `u64` words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Frames per small channel (at least one; none closes its channel).
    pub tiny_frames: u16,
    /// Data bytes per small frame.
    pub tiny_frame_len: usize,
    /// Data bytes per filler frame of the large channel.
    pub filler_frame_len: usize,
    /// Length of the one transaction in the large channel's batch.
    pub tx_len: usize,
}

impl Params {
    /// The worst case described in the crate documentation, with a batch transaction of
    /// `tx_len` bytes (see [`max_batch_stream`]).
    pub const fn worst_case(tx_len: usize) -> Self {
        Self {
            tiny_frames: 2,
            tiny_frame_len: 1,
            filler_frame_len: (1 << 19) + 1,
            tx_len,
        }
    }

    /// The parameters as big-endian `u64` words.
    pub fn encode(&self) -> Vec<u8> {
        encode_words(&[
            u64::from(self.tiny_frames),
            self.tiny_frame_len as u64,
            self.filler_frame_len as u64,
            self.tx_len as u64,
        ])
    }

    /// Decodes [`Self::encode`]'s output.
    pub fn decode(bytes: &[u8]) -> Result<Self, StressError> {
        let [tiny_frames, tiny_frame_len, filler_frame_len, tx_len] = decode_words::<4>(bytes)?;
        Ok(Self {
            tiny_frames: u16::try_from(tiny_frames)
                .map_err(|_| StressError::Params("more than 65535 frames per small channel"))?,
            tiny_frame_len: word_to_usize(tiny_frame_len)?,
            filler_frame_len: word_to_usize(filler_frame_len)?,
            tx_len: word_to_usize(tx_len)?,
        })
    }
}

/// The bank after the small channels filled it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TinyPhase {
    /// Small channels in the bank.
    pub channels: usize,
    /// Their frames.
    pub frames: usize,
    /// The bank's counted size.
    pub bank_size: usize,
    /// The heap at that point.
    pub heap: HeapStats,
}

/// The bank once the large channel is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LargePhase {
    /// The large channel's frames.
    pub frames: usize,
    /// The large channel's counted size.
    pub channel_size: usize,
    /// Small channels left in the bank: the newest ones that fit beside the large channel.
    pub tiny_left: usize,
    /// The heap at that point.
    pub heap: HeapStats,
}

/// The large channel, read and decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadPhase {
    /// The channel's data, as read from the bank (compressed).
    pub compressed: usize,
    /// Its decompressed length.
    pub decompressed: usize,
    /// Batches decoded from it.
    pub batches: usize,
    /// Length of the one transaction of its batch.
    pub tx_len: usize,
    /// The heap at the end, its peak included.
    pub heap: HeapStats,
}

/// What [`run`] did, phase by phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// The bank full of small channels.
    pub tiny: TinyPhase,
    /// The bank holding the large channel.
    pub large: LargePhase,
    /// The large channel read and decoded.
    pub read: ReadPhase,
}

/// One line per phase, `stress-bank <phase>:` followed by `key=value` fields.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let TinyPhase {
            channels,
            frames,
            bank_size,
            heap,
        } = &self.tiny;
        writeln!(
            f,
            "stress-bank tiny: channels={channels} frames={frames} bank_size={bank_size} \
             {heap}"
        )?;
        let LargePhase {
            frames,
            channel_size,
            tiny_left,
            heap,
        } = &self.large;
        writeln!(
            f,
            "stress-bank large: frames={frames} channel_size={channel_size} \
             tiny_left={tiny_left} {heap}"
        )?;
        let ReadPhase {
            compressed,
            decompressed,
            batches,
            tx_len,
            heap,
        } = &self.read;
        write!(
            f,
            "stress-bank read: compressed={compressed} decompressed={decompressed} \
             batches={batches} tx_len={tx_len} {heap}"
        )
    }
}

/// A rollup config with every fork through Granite active and Holocene not: the channel bank
/// with the largest size and channel limits (Fjord's) and no Holocene channel rules.
pub fn fjord_config() -> RollupConfig {
    RollupConfig::with_forks_at_genesis(Hardfork::Granite)
}

/// The channel stream of one singular batch (wrapped in its RLP string) whose one
/// transaction is `0x02` followed by zeros, `tx_len` bytes in all.
pub fn batch_stream(tx_len: usize) -> Vec<u8> {
    let mut tx: Vec<u8> = alloc::vec![0; tx_len];
    if let Some(first) = tx.first_mut() {
        *first = 0x02;
    }
    let batch: Batch = Batch::Singular(SingularBatch {
        parent_hash: B256::repeat_byte(0x11),
        epoch_num: 1,
        epoch_hash: B256::repeat_byte(0x22),
        timestamp: 1_000,
        transactions: TxList::try_from_iter([tx]).expect("a transaction under 4 GiB"),
    });
    let mut out: Vec<u8> = Vec::new();
    batch.encode_for_channel(&mut out);
    out
}

/// The channel stream of one singular batch (wrapped in its RLP string) whose one
/// transaction, `0x02` followed by zeros, makes the stream exactly `len` bytes long; with that
/// transaction's length. `None` if no transaction can (`len` too small).
pub fn max_batch_stream(len: usize) -> Option<(usize, Vec<u8>)> {
    // The stream's length grows strictly with the transaction's, by the transaction's length
    // plus an overhead that only grows (where an RLP length needs another byte). So
    // `len - overhead(0)` bounds the answer from above, and overshooting `len` by `over`
    // there puts the answer at most `over` below: search that range.
    let mut high: usize = len.checked_sub(batch_stream(0).len())?;
    let mut low: usize = high.checked_sub(batch_stream(high).len().checked_sub(len)?)?;
    while low <= high {
        let middle: usize = low + (high - low) / 2;
        let out: Vec<u8> = batch_stream(middle);
        match out.len().cmp(&len) {
            core::cmp::Ordering::Equal => return Some((middle, out)),
            core::cmp::Ordering::Less => low = middle + 1,
            core::cmp::Ordering::Greater => high = middle.checked_sub(1)?,
        }
    }
    None
}

/// The batcher transaction carrying frame 0 of the large channel, with `compressed` (a zlib
/// stream of [`max_batch_stream`]) as its data.
pub fn first_batcher_tx(compressed: Vec<u8>) -> Vec<u8> {
    encode_frames([&Frame::new(
        LARGE_CHANNEL_ID,
        0,
        Bytes::from(compressed),
        false,
    )])
}

/// Runs the scenario under `rollup_config` (whose limits it fills; Canyon must be active, so
/// that the large channel is read while small ones are left before it), with `first_tx` from
/// [`first_batcher_tx`], sampling the heap with `heap` after each phase.
pub fn run(
    rollup_config: &RollupConfig,
    params: &Params,
    first_tx: &[u8],
    heap: &dyn Fn() -> HeapStats,
) -> Result<Report, StressError> {
    let origin: BlockInfo = BlockInfo {
        hash: B256::repeat_byte(1),
        number: 1,
        parent_hash: B256::ZERO,
        timestamp: 1,
    };
    let max_bank: usize = max_channel_bank_size(rollup_config, origin.timestamp);
    let mut bank: ChannelBank = ChannelBank::default();
    fill_with_small_channels(rollup_config, &origin, params, &mut bank)?;
    let tiny_size: usize = small_channel_size(params);
    let tiny: TinyPhase = TinyPhase {
        channels: bank.len(),
        frames: bank.len() * usize::from(params.tiny_frames),
        bank_size: bank.total_size(),
        heap: heap(),
    };

    // Frame 0 of the large channel, through the frame queue as the pipeline reads it.
    let mut queue: FrameQueue = FrameQueue::default();
    queue.load(first_tx, false);
    let first: Frame = queue.pop().ok_or(StressError::FirstFrame)?;
    if first.id != LARGE_CHANNEL_ID || first.number != 0 || first.is_last || !queue.is_empty() {
        return Err(StressError::FirstFrame);
    }
    let first_len: usize = first.data.len();
    bank.ingest(rollup_config, &origin, first);

    // Filler frames up to the bank's size, the last one closing the channel. One batcher
    // transaction is reused, its frame number and closing flag rewritten in place.
    let filler_size: usize = params.filler_frame_len + CHANNEL_FRAME_SIZE_OVERHEAD;
    let fillers: usize = max_bank
        .checked_sub(first_len + CHANNEL_FRAME_SIZE_OVERHEAD)
        .map_or(0, |room| room / filler_size);
    let fillers: u16 = u16::try_from(fillers)
        .ok()
        .filter(|fillers| *fillers > 0)
        .ok_or(StressError::Params(
            "the filler frames do not fill the bank in 1..=65535 frames",
        ))?;
    let mut filler_tx: Vec<u8> = encode_frames([&Frame::new(
        LARGE_CHANNEL_ID,
        1,
        Bytes::from(alloc::vec![FILLER_BYTE; params.filler_frame_len]),
        false,
    )]);
    // `version ‖ id ‖ number (2) ‖ length (4) ‖ data ‖ is_last`
    let number_at: usize = 1 + CHANNEL_ID_LENGTH;
    debug_assert_eq!(filler_tx.first(), Some(&DERIVATION_VERSION_0));
    for number in 1..=fillers {
        filler_tx[number_at..number_at + 2].copy_from_slice(&number.to_be_bytes());
        if let Some(is_last) = filler_tx.last_mut() {
            *is_last = u8::from(number == fillers);
        }
        queue.load(&filler_tx, false);
        while let Some(frame) = queue.pop() {
            bank.ingest(rollup_config, &origin, frame);
        }
    }
    drop(filler_tx);
    let tiny_left: usize = bank.len().saturating_sub(1);
    let large: LargePhase = LargePhase {
        frames: usize::from(fillers) + 1,
        channel_size: bank.total_size() - tiny_left * tiny_size,
        tiny_left,
        heap: heap(),
    };

    let BankRead::Channel(channel) = bank.read(rollup_config, &origin) else {
        return Err(StressError::Check("the large channel is not ready"));
    };
    if channel.len() != first_len + usize::from(fillers) * params.filler_frame_len {
        return Err(StressError::Check("the large channel lost data"));
    }
    let compressed: usize = channel.len();
    let reader: BatchReader = BatchReader::from_channel(
        &channel,
        ChannelDecoding::for_l1_timestamp(rollup_config, origin.timestamp),
    )?;
    drop(channel);
    let decompressed: usize = reader.remaining();
    let mut batches: usize = 0;
    let mut tx_len: usize = 0;
    for batch in reader {
        let Ok(Batch::Singular(batch)) = batch else {
            return Err(StressError::Check("the channel holds a bad or span batch"));
        };
        batches += 1;
        let (Some(tx), 1) = (batch.transactions.first(), batch.transactions.len()) else {
            return Err(StressError::Check(
                "the batch does not hold exactly one transaction",
            ));
        };
        if tx.first() != Some(&0x02) || tx.iter().skip(1).any(|byte| *byte != 0) {
            return Err(StressError::Check("the transaction is not 0x02 and zeros"));
        }
        tx_len = tx.len();
    }
    if batches != 1 || tx_len != params.tx_len {
        return Err(StressError::Check(
            "expected one batch with a transaction of the announced length",
        ));
    }
    Ok(Report {
        tiny,
        large,
        read: ReadPhase {
            compressed,
            decompressed,
            batches,
            tx_len,
            heap: heap(),
        },
    })
}

/// The counted size of one small channel.
fn small_channel_size(params: &Params) -> usize {
    usize::from(params.tiny_frames) * (params.tiny_frame_len + CHANNEL_FRAME_SIZE_OVERHEAD)
}

/// Fills `bank` with small channels of `params.tiny_frames` frames of
/// `params.tiny_frame_len` bytes, as many as fit without pruning any.
fn fill_with_small_channels(
    rollup_config: &RollupConfig,
    origin: &BlockInfo,
    params: &Params,
    bank: &mut ChannelBank,
) -> Result<(), StressError> {
    if params.tiny_frames == 0 {
        return Err(StressError::Params("small channels need a frame"));
    }
    let max_bank: usize = max_channel_bank_size(rollup_config, origin.timestamp);
    let channel_size: usize = small_channel_size(params);
    let mut id: u128 = 0;
    while bank.total_size() + channel_size <= max_bank {
        id += 1;
        for number in 0..params.tiny_frames {
            let data: Bytes = Bytes::from(alloc::vec![TINY_BYTE; params.tiny_frame_len]);
            let frame: Frame = Frame::new(ChannelId::new(id.to_be_bytes()), number, data, false);
            bank.ingest(rollup_config, origin, frame);
        }
    }
    if bank.len() as u128 != id {
        return Err(StressError::Check("a small channel was pruned"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use koa_protocol::channel::{
        BatchReader, MAX_RLP_BYTES_PER_CHANNEL_FJORD as MAX_RLP_BYTES_FJORD,
    };

    #[test]
    fn max_batch_streams_are_exact_and_decode_to_their_transaction() {
        // The stream length for a transaction length, found the slow way (no search).
        let stream_len = |tx_len: usize| -> usize { batch_stream(tx_len).len() };
        // Across the RLP length boundaries of the transaction, the batch and its wrapping.
        for len in (80..400)
            .chain(65_500..65_700)
            .chain([1_000_000, 10_000_000])
        {
            match max_batch_stream(len) {
                Some((tx_len, stream)) => {
                    assert_eq!(stream.len(), len);
                    let batches: Vec<Batch> =
                        BatchReader::new(stream).collect::<Result<_, _>>().unwrap();
                    let [Batch::Singular(batch)] = batches.as_slice() else {
                        panic!("one singular batch expected for {len}");
                    };
                    assert_eq!(batch.transactions.first().map(<[u8]>::len), Some(tx_len));
                }
                // Where a longer transaction grows more than one RLP header, some lengths
                // cannot be reached.
                None => assert!(
                    (len.saturating_sub(100)..len).all(|tx_len| stream_len(tx_len) != len),
                    "{len} is reachable"
                ),
            }
        }
        assert_eq!(max_batch_stream(10), None);
        assert!(max_batch_stream(MAX_RLP_BYTES_FJORD).is_some());
    }

    #[test]
    fn params_round_trip_and_bad_params_are_refused() {
        let params: Params = Params::worst_case(12_345);
        assert_eq!(Params::decode(&params.encode()).unwrap(), params);
        assert!(matches!(
            Params::decode(&params.encode()[1..]),
            Err(StressError::Params(_))
        ));
        let too_many_frames: Params = Params {
            tiny_frames: 0,
            ..params
        };
        let mut encoded: Vec<u8> = too_many_frames.encode();
        encoded[5] = 1; // 2^16 frames per channel
        assert!(matches!(
            Params::decode(&encoded),
            Err(StressError::Params(_))
        ));
        let no_frames: Result<Report, StressError> =
            run(&fjord_config(), &too_many_frames, &[], &HeapStats::default);
        assert!(matches!(no_frames, Err(StressError::Params(_))));
    }

    #[test]
    fn a_first_transaction_without_frame_0_of_the_large_channel_is_refused() {
        let params: Params = Params {
            tiny_frames: 1,
            tiny_frame_len: 1_000_000,
            ..Params::worst_case(1)
        };
        let other_channel: Vec<u8> = encode_frames([&Frame::new(
            ChannelId::new([1; CHANNEL_ID_LENGTH]),
            0,
            Bytes::from_static(&[0x78]),
            false,
        )]);
        for first_tx in [&[][..], &[1, 2, 3], &other_channel] {
            let result: Result<Report, StressError> = run(
                &RollupConfig::default(),
                &params,
                first_tx,
                &HeapStats::default,
            );
            assert!(matches!(result, Err(StressError::FirstFrame)), "{result:?}");
        }
    }
}
