//! The pre-Holocene channel bank holding frames its size no longer counts (see the crate
//! documentation for the bound this scenario measures).
//!
//! L1 block after L1 block, a batcher posts the same number of frames, all of the same length.
//! They form channels whose frame 0 never comes: frames `1..K`, then frame `K + 1`, then the
//! closing frame `K`, which prunes frame `K + 1` and, as op-node counts, leaves the channel
//! counted as that one closing frame while it keeps `K` frames. Nothing ever becomes ready, so
//! only the channel timeout frees them: before each block's frames, the bank is read as the
//! pipeline reads it, which drops the timed-out channels at its front.

use alloc::vec::Vec;
use alloy_primitives::{B256, Bytes};
use core::fmt;
use koa_derive::{
    sources::MAX_BLOB_DATA_SIZE,
    stages::{BankRead, ChannelBank, channel_bank::max_channel_bank_size},
    types::BlockInfo,
};
use koa_fpvm::HeapStats;
use koa_protocol::{
    Hardfork, RollupConfig,
    channel::{CHANNEL_FRAME_SIZE_OVERHEAD, Channel},
    frame::{ChannelId, Frame},
};

use crate::{StressError, decode_words, encode_words, word_to_usize};

/// A frame's bytes on L1 besides its data: channel id (16), number (2), length (4) and
/// closing flag (1).
pub const FRAME_L1_OVERHEAD: usize = 23;

/// Batcher calldata bytes in an L1 block of 60,000,000 gas (Ethereum mainnet's limit since
/// November 2025) when every byte is zero and priced at EIP-7623's floor of 10 gas (from
/// Pectra; transaction base costs ignored).
pub const CALLDATA_BYTES_60M: u64 = 60_000_000 / 10;

/// Batcher calldata bytes in an L1 block at most, whatever its gas limit: EIP-7934's cap on a
/// block's RLP size (8 MiB, from Fusaka), which binds once the gas limit passes about 84M.
pub const CALLDATA_BYTES_BLOCK_CAP: u64 = 8_388_608;

/// Blobs per L1 block from the BPO2 fork (January 2026).
pub const BLOBS_BPO2: u64 = 21;

/// The most frames of `frame_len` data bytes an L1 block carries in `calldata` bytes of
/// batcher calldata and `blobs` blobs (each blob's data, at most `MAX_BLOB_DATA_SIZE` bytes,
/// is a version byte and frames). Calldata transactions' version bytes are ignored: an upper
/// bound.
pub fn frames_per_block(calldata: u64, blobs: u64, frame_len: usize) -> u64 {
    let frame: u64 = (FRAME_L1_OVERHEAD + frame_len) as u64;
    let per_blob: u64 = (MAX_BLOB_DATA_SIZE as u64 - 1) / frame;
    calldata / frame + blobs * per_blob
}

/// The scenario's parameters, sent to the FPVM program as big-endian `u64` words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UncountedParams {
    /// Whether Granite is active (channel timeout 50); otherwise [`Self::channel_timeout`]
    /// applies.
    pub granite: bool,
    /// The rollup config's channel timeout before Granite (300 on OP Mainnet).
    pub channel_timeout: u64,
    /// Frames the batcher posts per L1 block.
    pub frames_per_block: u64,
    /// Data bytes per frame.
    pub frame_len: usize,
    /// Frames each channel keeps (`K`, 1 to 65,534): it is sent `K + 1` frames.
    pub channel_frames: u16,
    /// L1 blocks the batcher posts in (block numbers from 1).
    pub blocks: u64,
}

impl UncountedParams {
    /// The parameters as big-endian `u64` words.
    pub fn encode(&self) -> Vec<u8> {
        encode_words(&[
            u64::from(self.granite),
            self.channel_timeout,
            self.frames_per_block,
            self.frame_len as u64,
            u64::from(self.channel_frames),
            self.blocks,
        ])
    }

    /// Decodes [`Self::encode`]'s output.
    pub fn decode(bytes: &[u8]) -> Result<Self, StressError> {
        let [
            granite,
            channel_timeout,
            frames_per_block,
            frame_len,
            channel_frames,
            blocks,
        ] = decode_words::<6>(bytes)?;
        let granite: bool = match granite {
            0 => false,
            1 => true,
            _ => return Err(StressError::Params("the Granite flag is not 0 or 1")),
        };
        Ok(Self {
            granite,
            channel_timeout,
            frames_per_block,
            frame_len: word_to_usize(frame_len)?,
            channel_frames: u16::try_from(channel_frames)
                .ok()
                .filter(|frames| (1..u16::MAX).contains(frames))
                .ok_or(StressError::Params(
                    "a channel keeps 1 to 65534 frames (it is sent one more)",
                ))?,
            blocks,
        })
    }

    /// The rollup config: Fjord's bank size, no Holocene, and Granite's channel timeout or
    /// [`Self::channel_timeout`].
    pub fn rollup_config(&self) -> RollupConfig {
        let last: Hardfork = if self.granite {
            Hardfork::Granite
        } else {
            Hardfork::Fjord
        };
        RollupConfig {
            channel_timeout: self.channel_timeout,
            ..RollupConfig::with_forks_at_genesis(last)
        }
    }
}

/// What the bank must hold after the last L1 block, worked out from the parameters alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Held {
    /// Channels.
    pub channels: usize,
    /// Frames.
    pub frames: usize,
    /// Their data bytes.
    pub data_bytes: usize,
    /// The bank's counted size.
    pub bank_size: usize,
    /// The most frames held after any block.
    pub max_frames: usize,
}

impl UncountedParams {
    /// The channel timeout that applies.
    pub fn timeout(&self) -> u64 {
        // Every fork of the config is active from genesis.
        self.rollup_config().channel_timeout(0)
    }

    /// What the bank holds after block `block`: the channels opened in the last `timeout + 1`
    /// blocks (a channel opened in block `o` is dropped at origin `o + timeout + 1`), each
    /// keeping the frames posted to it (`K` once closed) and counted as its closing frame once
    /// closed, as all its frames before. `None` if a channel would get frames after its
    /// timeout (the arithmetic does not model that).
    pub fn held_after(&self, block: u64) -> Option<Held> {
        let per_block: u128 = u128::from(self.frames_per_block);
        let sent: u128 = u128::from(self.channel_frames) + 1;
        let posted: u128 = u128::from(block) * per_block;
        let frame_size: usize = self.frame_len + CHANNEL_FRAME_SIZE_OVERHEAD;
        let mut held: Held = Held::default();
        let mut first: u128 = 0;
        while first < posted {
            let opened: u128 = 1 + first / per_block;
            let frames: u128 = sent.min(posted - first);
            let last_block: u128 = 1 + (first + frames - 1) / per_block;
            if last_block > opened + u128::from(self.timeout()) {
                return None;
            }
            if opened + u128::from(self.timeout()) >= u128::from(block) {
                let closed: bool = frames == sent;
                let kept: usize = usize::try_from(if closed { frames - 1 } else { frames }).ok()?;
                held.channels += 1;
                held.frames += kept;
                held.data_bytes += kept * self.frame_len;
                held.bank_size += if closed {
                    frame_size
                } else {
                    kept * frame_size
                };
            }
            first += sent;
        }
        Some(held)
    }

    /// What the bank holds after the last block ([`Self::held_after`]), with the most frames
    /// held after any block.
    pub fn expected(&self) -> Option<Held> {
        let mut max_frames: usize = 0;
        for block in 1..self.blocks {
            max_frames = max_frames.max(self.held_after(block)?.frames);
        }
        let held: Held = self.held_after(self.blocks)?;
        Some(Held {
            max_frames: max_frames.max(held.frames),
            ..held
        })
    }
}

/// What [`run_uncounted`] left in the bank after its last L1 block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UncountedReport {
    /// L1 blocks the batcher posted in.
    pub blocks: u64,
    /// The channel timeout that applied.
    pub channel_timeout: u64,
    /// Frames posted in all.
    pub posted: u64,
    /// Channels in the bank.
    pub channels: usize,
    /// Frames the bank holds.
    pub frames: usize,
    /// Their data bytes.
    pub data_bytes: usize,
    /// The bank's counted size.
    pub bank_size: usize,
    /// The most frames the bank held after any block.
    pub max_frames: usize,
    /// The heap at the end, its peak included.
    pub heap: HeapStats,
}

/// One line, `stress-uncounted bank:` followed by `key=value` fields.
impl fmt::Display for UncountedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            blocks,
            channel_timeout,
            posted,
            channels,
            frames,
            data_bytes,
            bank_size,
            max_frames,
            heap,
        } = self;
        write!(
            f,
            "stress-uncounted bank: blocks={blocks} channel_timeout={channel_timeout} \
             posted={posted} channels={channels} frames={frames} data_bytes={data_bytes} \
             bank_size={bank_size} max_frames={max_frames} {heap}"
        )
    }
}

/// The batcher's frames, in posting order: channel after channel (ids counting up from 1),
/// each sent frames `1..K`, then `K + 1`, then the closing frame `K`.
#[derive(Debug, Clone)]
pub struct FrameStream {
    /// Frames each channel keeps (`K`).
    channel_frames: u16,
    /// Data bytes per frame.
    frame_len: usize,
    /// The next frame's index in the stream.
    next: u64,
}

impl FrameStream {
    /// A stream of channels keeping `channel_frames` (1 to 65,534) frames of `frame_len` bytes.
    pub const fn new(channel_frames: u16, frame_len: usize) -> Self {
        Self {
            channel_frames,
            frame_len,
            next: 0,
        }
    }

    /// The channel, frame number and closing flag of the frame at `index` in the stream.
    pub fn shape(channel_frames: u16, index: u64) -> (u128, u16, bool) {
        let sent: u64 = u64::from(channel_frames) + 1;
        let channel: u128 = u128::from(index / sent) + 1;
        let keep: u16 = channel_frames;
        // `index % sent < sent <= 65535`.
        let position: u16 = (index % sent) as u16;
        match position {
            p if p + 1 < keep => (channel, p + 1, false),
            p if p + 1 == keep => (channel, keep + 1, false),
            _ => (channel, keep, true),
        }
    }
}

impl Iterator for FrameStream {
    type Item = Frame;

    fn next(&mut self) -> Option<Frame> {
        let (channel, number, is_last) = Self::shape(self.channel_frames, self.next);
        self.next += 1;
        // A buffer of its own, as a frame parsed from batcher data has.
        let data: Bytes = Bytes::from(alloc::vec![0; self.frame_len]);
        Some(Frame::new(
            ChannelId::new(channel.to_be_bytes()),
            number,
            data,
            is_last,
        ))
    }
}

/// The L1 origin of block `number`.
fn origin(number: u64) -> BlockInfo {
    BlockInfo {
        hash: B256::from(alloy_primitives::U256::from(number)),
        number,
        parent_hash: B256::from(alloy_primitives::U256::from(number.saturating_sub(1))),
        timestamp: number.saturating_mul(12),
    }
}

/// Frames the bank's channels hold.
fn held_frames(bank: &ChannelBank) -> usize {
    bank.channels().map(Channel::len).sum()
}

/// Runs the scenario, sampling the heap with `heap` at the end.
pub fn run_uncounted(
    params: &UncountedParams,
    heap: &dyn Fn() -> HeapStats,
) -> Result<UncountedReport, StressError> {
    if params.frames_per_block == 0 || params.blocks == 0 {
        return Err(StressError::Params("no frames to post"));
    }
    let per_block: usize = usize::try_from(params.frames_per_block)
        .map_err(|_| StressError::Params("the frames per block do not fit in usize"))?;
    let rollup_config: RollupConfig = params.rollup_config();
    let mut stream: FrameStream = FrameStream::new(params.channel_frames, params.frame_len);
    let mut bank: ChannelBank = ChannelBank::default();
    let mut max_frames: usize = 0;
    let mut last: BlockInfo = origin(1);
    for number in 1..=params.blocks {
        last = origin(number);
        // The pipeline reads the bank before it loads the block's frames: timed-out channels
        // at the front go.
        loop {
            match bank.read(&rollup_config, &last) {
                BankRead::Pruned => {}
                BankRead::NotReady => break,
                BankRead::Channel(_) => {
                    return Err(StressError::Check("a channel without frame 0 was read"));
                }
            }
        }
        for frame in stream.by_ref().take(per_block) {
            bank.ingest(&rollup_config, &last, frame);
        }
        if bank.total_size() > max_channel_bank_size(&rollup_config, last.timestamp) {
            return Err(StressError::Check("the bank is over its size"));
        }
        max_frames = max_frames.max(held_frames(&bank));
    }
    let data_bytes: usize = bank
        .channels()
        .flat_map(Channel::frames)
        .map(|(_, data)| data.len())
        .sum();
    Ok(UncountedReport {
        blocks: params.blocks,
        channel_timeout: rollup_config.channel_timeout(last.timestamp),
        posted: params.blocks * params.frames_per_block,
        channels: bank.len(),
        frames: held_frames(&bank),
        data_bytes,
        bank_size: bank.total_size(),
        max_frames,
        heap: heap(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_per_block_counts_calldata_and_blobs() {
        // 6,000,000 / 23 and 21 blobs of (130,044 - 1) / 23 frames.
        assert_eq!(
            frames_per_block(CALLDATA_BYTES_60M, BLOBS_BPO2, 0),
            260_869 + 21 * 5_654
        );
        assert_eq!(frames_per_block(24, 0, 1), 1);
        assert_eq!(frames_per_block(0, 1, 130_043 - 23), 1);
    }

    #[test]
    fn the_stream_sends_k_frames_a_higher_one_then_the_close() {
        let shapes: Vec<(u128, u16, bool)> = (0..8).map(|i| FrameStream::shape(3, i)).collect();
        assert_eq!(
            shapes,
            [
                (1, 1, false),
                (1, 2, false),
                (1, 4, false),
                (1, 3, true),
                (2, 1, false),
                (2, 2, false),
                (2, 4, false),
                (2, 3, true),
            ]
        );
        // One frame kept: frame 2, then the close at 1.
        assert_eq!(FrameStream::shape(1, 0), (1, 2, false));
        assert_eq!(FrameStream::shape(1, 1), (1, 1, true));
        // The largest channel: 65,534 frames kept, 65,535 sent.
        assert_eq!(FrameStream::shape(65_534, 65_533), (1, 65_535, false));
        assert_eq!(FrameStream::shape(65_534, 65_534), (1, 65_534, true));
        assert_eq!(FrameStream::shape(65_534, 65_535), (2, 1, false));
    }

    #[test]
    fn params_round_trip_and_bad_params_are_refused() {
        let params: UncountedParams = UncountedParams {
            granite: true,
            channel_timeout: 300,
            frames_per_block: 1_000,
            frame_len: 1,
            channel_frames: 65_534,
            blocks: 52,
        };
        assert_eq!(UncountedParams::decode(&params.encode()).unwrap(), params);
        assert!(UncountedParams::decode(&params.encode()[1..]).is_err());
        // A Granite flag of 2; channels keeping no frame, or 65,535 (one more could not be
        // sent).
        for (word, value) in [(0, 2u64), (4, 0), (4, 65_535)] {
            let mut encoded: Vec<u8> = params.encode();
            encoded[word * 8..word * 8 + 8].copy_from_slice(&value.to_be_bytes());
            assert!(
                matches!(
                    UncountedParams::decode(&encoded),
                    Err(StressError::Params(_))
                ),
                "word {word} = {value}"
            );
        }
        let no_frames: UncountedParams = UncountedParams {
            frames_per_block: 0,
            ..params
        };
        assert!(matches!(
            run_uncounted(&no_frames, &HeapStats::default),
            Err(StressError::Params(_))
        ));
    }

    #[test]
    fn pre_granite_and_granite_timeouts_apply() {
        let params: UncountedParams = UncountedParams {
            granite: false,
            channel_timeout: 3,
            frames_per_block: 10,
            frame_len: 2,
            channel_frames: 4,
            blocks: 7,
        };
        let report: UncountedReport = run_uncounted(&params, &HeapStats::default).unwrap();
        assert_eq!(report.channel_timeout, 3);
        // 70 frames, 5 per channel: 14 channels, two per block. At block 7, the channels
        // opened in blocks 4 to 7 are live: 8 channels of 4 frames of 2 bytes, each counted
        // as its closing frame.
        assert_eq!(report.posted, 70);
        assert_eq!(report.channels, 8);
        assert_eq!(report.frames, 32);
        assert_eq!(report.data_bytes, 64);
        assert_eq!(report.bank_size, 8 * (2 + 200));
        assert_eq!(report.max_frames, 32);
        let expected: Held = params.expected().unwrap();
        assert_eq!(
            (expected.channels, expected.frames, expected.data_bytes),
            (report.channels, report.frames, report.data_bytes)
        );
        assert_eq!(
            (expected.bank_size, expected.max_frames),
            (report.bank_size, report.max_frames)
        );
        let granite: UncountedReport = run_uncounted(
            &UncountedParams {
                granite: true,
                ..params
            },
            &HeapStats::default,
        )
        .unwrap();
        assert_eq!(granite.channel_timeout, 50);
        assert_eq!(granite.frames, 14 * 4);
    }
}
