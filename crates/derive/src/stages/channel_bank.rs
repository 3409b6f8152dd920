//! Channel bank (before Holocene) and channel assembler (from Holocene): frames to channels.

use alloc::{
    collections::{BTreeMap, BTreeSet},
    vec::Vec,
};
use koa_protocol::{
    RollupConfig,
    channel::{
        Channel, MAX_CHANNEL_BANK_SIZE_BEDROCK, MAX_CHANNEL_BANK_SIZE_FJORD,
        MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, MAX_RLP_BYTES_PER_CHANNEL_FJORD,
    },
    frame::{ChannelId, Frame},
};

use crate::types::BlockInfo;

/// `MAX_CHANNEL_BANK_SIZE` for an L1 block at `l1_timestamp` (raised by Fjord).
pub fn max_channel_bank_size(rollup_config: &RollupConfig, l1_timestamp: u64) -> usize {
    if rollup_config.is_fjord_active(l1_timestamp) {
        MAX_CHANNEL_BANK_SIZE_FJORD
    } else {
        MAX_CHANNEL_BANK_SIZE_BEDROCK
    }
}

/// `MAX_RLP_BYTES_PER_CHANNEL` for an L1 block at `l1_timestamp` (raised by Fjord).
pub fn max_rlp_bytes_per_channel(rollup_config: &RollupConfig, l1_timestamp: u64) -> usize {
    if rollup_config.is_fjord_active(l1_timestamp) {
        MAX_RLP_BYTES_PER_CHANNEL_FJORD
    } else {
        MAX_RLP_BYTES_PER_CHANNEL_BEDROCK
    }
}

/// Whether a channel opened in L1 block `open_number` has timed out at `origin`:
/// `origin.number > open_number + channel_timeout(origin.timestamp)`.
fn timed_out(rollup_config: &RollupConfig, open_number: u64, origin: &BlockInfo) -> bool {
    open_number.saturating_add(rollup_config.channel_timeout(origin.timestamp)) < origin.number
}

/// The pre-Holocene channel bank: channels in FIFO order of first sight.
///
/// Every operation is logarithmic in the number of open channels, so a bank at its maximum
/// size (`MAX_CHANNEL_BANK_SIZE`, filled with the smallest frames) costs time linear in the
/// frames it receives: channels are found by id through an index, the bank's size is kept as
/// a running total, and the ready channels are kept in FIFO order for Canyon's reads.
#[derive(Debug, Default)]
pub struct ChannelBank {
    /// Open channels by arrival sequence number (FIFO order).
    channels: BTreeMap<u64, Channel>,
    /// Channel id → arrival sequence number.
    index: BTreeMap<ChannelId, u64>,
    /// Arrival sequence numbers of the ready channels.
    ready: BTreeSet<u64>,
    /// The next arrival sequence number.
    next_seq: u64,
    /// The sum of the channels' sizes.
    total_size: usize,
}

/// What a channel bank read produced.
#[derive(Debug, PartialEq, Eq)]
pub enum BankRead {
    /// A ready channel's data.
    Channel(Vec<u8>),
    /// A timed-out channel was dropped; read again.
    Pruned,
    /// No channel is ready: ingest another frame.
    NotReady,
}

impl ChannelBank {
    /// Number of open channels.
    pub fn len(&self) -> usize {
        self.channels.len()
    }

    /// The bank's size for pruning: the sum of its channels' sizes.
    pub fn total_size(&self) -> usize {
        self.total_size
    }

    /// The open channels, in FIFO order.
    pub fn channels(&self) -> impl Iterator<Item = &Channel> {
        self.channels.values()
    }

    /// Whether no channel is open.
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty()
    }

    /// Drops every channel.
    pub fn clear(&mut self) {
        self.channels.clear();
        self.index.clear();
        self.ready.clear();
        self.total_size = 0;
    }

    /// Adds a frame read while traversing `origin` ("Loading frames").
    ///
    /// An unknown channel id opens a channel tagged with `origin`; frames of timed-out channels,
    /// duplicates and duplicate closes are dropped. Afterwards the bank is pruned in FIFO
    /// order until its size is at most `MAX_CHANNEL_BANK_SIZE`.
    pub fn ingest(&mut self, rollup_config: &RollupConfig, origin: &BlockInfo, frame: Frame) {
        let seq = match self.index.get(&frame.id) {
            Some(seq) => *seq,
            None => {
                let seq = self.next_seq;
                self.next_seq += 1;
                self.index.insert(frame.id, seq);
                self.channels
                    .insert(seq, Channel::new(frame.id, origin.number));
                seq
            }
        };
        let Some(channel) = self.channels.get_mut(&seq) else {
            return;
        };
        if timed_out(rollup_config, channel.open_block_number(), origin) {
            tracing::debug!(target: "derive::channel_bank", "dropping frame of a timed-out channel");
            return;
        }
        let before = channel.size();
        if let Err(error) = channel.add_frame(frame) {
            tracing::debug!(target: "derive::channel_bank", error = %koa_protocol::ErrorChain(&error), "dropping frame");
            return;
        }
        // A closing frame can shrink the channel's size (see `Channel::size`).
        self.total_size = self.total_size - before + channel.size();
        if channel.is_ready() {
            self.ready.insert(seq);
        }
        let max = max_channel_bank_size(rollup_config, origin.timestamp);
        while self.total_size > max {
            let Some(first) = self.channels.keys().next().copied() else {
                break;
            };
            self.remove(first);
        }
    }

    /// Reads the next ready channel at `origin` ("Reading").
    ///
    /// A timed-out first channel is removed first. Before Canyon only the first channel may
    /// be read; from Canyon (by `origin`'s timestamp) the first ready, not timed-out channel in
    /// FIFO order is.
    pub fn read(&mut self, rollup_config: &RollupConfig, origin: &BlockInfo) -> BankRead {
        let Some((&first_seq, first)) = self.channels.first_key_value() else {
            return BankRead::NotReady;
        };
        if timed_out(rollup_config, first.open_block_number(), origin) {
            self.remove(first_seq);
            return BankRead::Pruned;
        }
        let seq = if rollup_config.is_canyon_active(origin.timestamp) {
            // Channels open in FIFO order of their L1 block, so the timed-out ones form a
            // prefix of the bank; as the first channel is live, so is the first ready one and
            // this finds it at once.
            self.ready.iter().copied().find(|seq| {
                self.channels
                    .get(seq)
                    .is_some_and(|c| !timed_out(rollup_config, c.open_block_number(), origin))
            })
        } else {
            self.ready.contains(&first_seq).then_some(first_seq)
        };
        let Some(channel) = seq.and_then(|seq| self.remove(seq)) else {
            return BankRead::NotReady;
        };
        channel.data().map_or(BankRead::Pruned, BankRead::Channel)
    }

    /// Removes the channel with arrival sequence number `seq` from every index.
    fn remove(&mut self, seq: u64) -> Option<Channel> {
        let channel = self.channels.remove(&seq)?;
        self.index.remove(&channel.id());
        self.ready.remove(&seq);
        self.total_size -= channel.size();
        Some(channel)
    }
}

/// The Holocene channel assembler: one channel at a time, frames strictly in order.
#[derive(Debug, Default)]
pub struct ChannelAssembler {
    channel: Option<Channel>,
}

impl ChannelAssembler {
    /// Whether a channel is being assembled.
    pub fn is_assembling(&self) -> bool {
        self.channel.is_some()
    }

    /// Drops the channel being assembled.
    pub fn clear(&mut self) {
        self.channel = None;
    }

    /// Drops the channel being assembled if it has timed out at `origin`.
    pub fn check_timeout(&mut self, rollup_config: &RollupConfig, origin: &BlockInfo) {
        if self
            .channel
            .as_ref()
            .is_some_and(|c| timed_out(rollup_config, c.open_block_number(), origin))
        {
            tracing::debug!(target: "derive::channel_assembler", "dropping timed-out channel");
            self.channel = None;
        }
    }

    /// Adds the next frame; returns the channel's data once it is complete.
    ///
    /// A first frame (number 0) replaces any unfinished channel; any other frame must be the
    /// next frame (`highest + 1`) of the current channel or is dropped. A channel whose size exceeds
    /// `MAX_RLP_BYTES_PER_CHANNEL` is dropped.
    pub fn ingest(
        &mut self,
        rollup_config: &RollupConfig,
        origin: &BlockInfo,
        frame: Frame,
    ) -> Option<Vec<u8>> {
        if frame.number == 0 {
            if self.channel.is_some() {
                tracing::debug!(target: "derive::channel_assembler", "dropping unfinished channel");
            }
            self.channel = Some(Channel::new(frame.id, origin.number));
        }
        let Some(channel) = self.channel.as_mut() else {
            tracing::debug!(target: "derive::channel_assembler", "dropping frame without a channel");
            return None;
        };
        if channel.id() != frame.id {
            tracing::debug!(target: "derive::channel_assembler", "dropping frame of another channel");
            return None;
        }
        let expected = if channel.is_empty() {
            Some(0)
        } else {
            channel.highest_frame_number().checked_add(1)
        };
        if Some(frame.number) != expected {
            tracing::debug!(target: "derive::channel_assembler", "dropping out-of-order frame");
            return None;
        }
        if let Err(error) = channel.add_frame(frame) {
            tracing::debug!(target: "derive::channel_assembler", error = %koa_protocol::ErrorChain(&error), "dropping frame");
            return None;
        }
        if channel.size() > max_rlp_bytes_per_channel(rollup_config, origin.timestamp) {
            tracing::debug!(target: "derive::channel_assembler", "dropping oversized channel");
            self.channel = None;
            return None;
        }
        if channel.is_ready() {
            return self.channel.take().and_then(|channel| channel.data());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{B256, Bytes};
    use koa_protocol::frame::ChannelId;

    fn cfg() -> RollupConfig {
        RollupConfig {
            channel_timeout: 10,
            block_time: 2,
            ..Default::default()
        }
    }

    fn origin(number: u64) -> BlockInfo {
        BlockInfo {
            hash: B256::with_last_byte(number as u8),
            number,
            parent_hash: B256::ZERO,
            timestamp: number * 12,
        }
    }

    fn frame(id: u8, number: u16, data: &[u8], is_last: bool) -> Frame {
        Frame::new(
            ChannelId::new([id; 16]),
            number,
            Bytes::copy_from_slice(data),
            is_last,
        )
    }

    #[test]
    fn spec_channel_is_ready_when_closed_and_contiguous() {
        let rollup_config = cfg();
        let mut bank = ChannelBank::default();
        bank.ingest(&rollup_config, &origin(1), frame(1, 1, b"world", true));
        assert_eq!(bank.read(&rollup_config, &origin(1)), BankRead::NotReady);
        bank.ingest(&rollup_config, &origin(1), frame(1, 0, b"hello ", false));
        assert_eq!(
            bank.read(&rollup_config, &origin(1)),
            BankRead::Channel(b"hello world".to_vec())
        );
        assert!(bank.is_empty());
    }

    #[test]
    fn spec_timed_out_channels_are_pruned_and_refuse_frames() {
        let rollup_config = cfg();
        let mut bank = ChannelBank::default();
        bank.ingest(&rollup_config, &origin(1), frame(1, 0, b"a", false));
        // origin.number > open + timeout: 12 > 1 + 10
        bank.ingest(&rollup_config, &origin(12), frame(1, 1, b"b", true));
        assert_eq!(bank.read(&rollup_config, &origin(12)), BankRead::Pruned);
        assert!(bank.is_empty());
        // At exactly open + timeout the channel is still alive.
        bank.ingest(&rollup_config, &origin(20), frame(2, 0, b"a", false));
        bank.ingest(&rollup_config, &origin(30), frame(2, 1, b"b", true));
        assert_eq!(
            bank.read(&rollup_config, &origin(30)),
            BankRead::Channel(b"ab".to_vec())
        );
    }

    #[test]
    fn spec_pre_canyon_reads_only_the_first_channel() {
        let rollup_config = cfg();
        let mut bank = ChannelBank::default();
        bank.ingest(&rollup_config, &origin(1), frame(1, 0, b"a", false));
        bank.ingest(&rollup_config, &origin(1), frame(2, 0, b"b", true));
        assert_eq!(bank.read(&rollup_config, &origin(1)), BankRead::NotReady);
    }

    #[test]
    fn spec_canyon_reads_the_first_ready_channel() {
        let rollup_config = RollupConfig {
            canyon_time: Some(0),
            regolith_time: Some(0),
            ..cfg()
        };
        let mut bank = ChannelBank::default();
        bank.ingest(&rollup_config, &origin(1), frame(1, 0, b"a", false));
        bank.ingest(&rollup_config, &origin(1), frame(2, 0, b"b", true));
        assert_eq!(
            bank.read(&rollup_config, &origin(1)),
            BankRead::Channel(b"b".to_vec())
        );
        assert_eq!(bank.len(), 1);
    }

    #[test]
    fn spec_bank_is_pruned_fifo_to_max_size() {
        let rollup_config = cfg();
        let mut bank = ChannelBank::default();
        let big = alloc::vec![0u8; MAX_CHANNEL_BANK_SIZE_BEDROCK / 2];
        bank.ingest(&rollup_config, &origin(1), frame(1, 0, &big, false));
        bank.ingest(&rollup_config, &origin(1), frame(2, 0, &big, false));
        assert_eq!(
            bank.len(),
            1,
            "two halves plus frame overhead exceed the limit"
        );
        bank.ingest(&rollup_config, &origin(1), frame(2, 1, b"", true));
        assert_eq!(
            bank.read(&rollup_config, &origin(1)),
            BankRead::Channel(big)
        );
    }

    /// The bank as the spec words it: a FIFO list, searched and summed linearly.
    #[derive(Default)]
    struct ReferenceBank {
        channels: alloc::collections::VecDeque<Channel>,
    }

    impl ReferenceBank {
        fn ingest(&mut self, rollup_config: &RollupConfig, origin: &BlockInfo, frame: Frame) {
            let index = match self.channels.iter().position(|c| c.id() == frame.id) {
                Some(index) => index,
                None => {
                    self.channels
                        .push_back(Channel::new(frame.id, origin.number));
                    self.channels.len() - 1
                }
            };
            let channel = &mut self.channels[index];
            if timed_out(rollup_config, channel.open_block_number(), origin) {
                return;
            }
            if channel.add_frame(frame).is_err() {
                return;
            }
            let max = max_channel_bank_size(rollup_config, origin.timestamp);
            while self.channels.iter().map(Channel::size).sum::<usize>() > max {
                self.channels.pop_front();
            }
        }

        fn read(&mut self, rollup_config: &RollupConfig, origin: &BlockInfo) -> BankRead {
            let Some(first) = self.channels.front() else {
                return BankRead::NotReady;
            };
            if timed_out(rollup_config, first.open_block_number(), origin) {
                self.channels.pop_front();
                return BankRead::Pruned;
            }
            let index = if rollup_config.is_canyon_active(origin.timestamp) {
                self.channels.iter().position(|c| {
                    c.is_ready() && !timed_out(rollup_config, c.open_block_number(), origin)
                })
            } else {
                first.is_ready().then_some(0)
            };
            match index.and_then(|index| self.channels.remove(index)) {
                Some(channel) => channel.data().map_or(BankRead::Pruned, BankRead::Channel),
                None => BankRead::NotReady,
            }
        }
    }

    /// One step of a bank's life: a frame (channel, number, data length, closing) or a read,
    /// each at an L1 origin `advance` blocks after the previous one.
    #[derive(Debug, Clone)]
    enum Step {
        Frame(u8, u16, usize, bool, u64),
        Read(u64),
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        prop_oneof![
            3 => (0u8..6, 0u16..5, 0usize..40, any::<bool>(), 0u64..4)
                .prop_map(|(id, n, len, last, adv)| Step::Frame(id, n, len, last, adv)),
            1 => (0u64..4).prop_map(Step::Read),
        ]
    }

    proptest::proptest! {
        /// The indexed bank reads, prunes and sizes exactly as the linear reference does,
        /// before and after Canyon, across timeouts and pruning closes.
        #[test]
        fn indexed_bank_matches_the_linear_reference(
            steps in proptest::collection::vec(step(), 1..80),
            canyon in proptest::bool::ANY,
        ) {
            let rollup_config = RollupConfig {
                canyon_time: canyon.then_some(0),
                regolith_time: canyon.then_some(0),
                ..cfg()
            };
            let mut bank = ChannelBank::default();
            let mut reference = ReferenceBank::default();
            let mut number = 1;
            for step in steps {
                match step {
                    Step::Frame(id, n, len, last, advance) => {
                        number += advance;
                        let data = alloc::vec![id; len];
                        bank.ingest(&rollup_config, &origin(number), frame(id, n, &data, last));
                        reference.ingest(&rollup_config, &origin(number), frame(id, n, &data, last));
                    }
                    Step::Read(advance) => {
                        number += advance;
                        let origin = origin(number);
                        proptest::prop_assert_eq!(
                            bank.read(&rollup_config, &origin),
                            reference.read(&rollup_config, &origin)
                        );
                    }
                }
                proptest::prop_assert_eq!(bank.len(), reference.channels.len());
                proptest::prop_assert_eq!(
                    bank.total_size(),
                    reference.channels.iter().map(Channel::size).sum::<usize>()
                );
            }
        }
    }

    #[test]
    fn pruning_close_keeps_the_running_size_in_step() {
        let rollup_config = cfg();
        let mut bank = ChannelBank::default();
        bank.ingest(&rollup_config, &origin(1), frame(1, 0, b"aaaa", false));
        bank.ingest(&rollup_config, &origin(1), frame(1, 3, b"dd", false));
        bank.ingest(&rollup_config, &origin(1), frame(2, 0, b"x", false));
        assert_eq!(bank.total_size(), 7 + 3 * 200);
        // Closing channel 1 at frame 1 prunes frame 3 and, as in op-node, stops counting the
        // frames it keeps.
        bank.ingest(&rollup_config, &origin(1), frame(1, 1, b"b", true));
        assert_eq!(bank.total_size(), 1 + 200 + 1 + 200);
        assert_eq!(
            bank.read(&rollup_config, &origin(1)),
            BankRead::Channel(b"aaaab".to_vec())
        );
        assert_eq!(bank.total_size(), 1 + 200);
        bank.clear();
        assert_eq!(bank.total_size(), 0);
        assert!(bank.is_empty());
    }

    #[test]
    fn holocene_assembler_requires_in_order_frames() {
        let rollup_config = cfg();
        let mut asm = ChannelAssembler::default();
        assert_eq!(
            asm.ingest(&rollup_config, &origin(1), frame(1, 1, b"x", true)),
            None
        );
        assert!(
            !asm.is_assembling(),
            "non-first frame without a channel is dropped"
        );
        assert_eq!(
            asm.ingest(&rollup_config, &origin(1), frame(1, 0, b"a", false)),
            None
        );
        assert_eq!(
            asm.ingest(&rollup_config, &origin(1), frame(2, 1, b"x", true)),
            None
        );
        assert_eq!(
            asm.ingest(&rollup_config, &origin(1), frame(1, 2, b"x", true)),
            None,
            "frame 2 before 1"
        );
        assert_eq!(
            asm.ingest(&rollup_config, &origin(1), frame(1, 1, b"b", true)),
            Some(b"ab".to_vec())
        );
    }

    #[test]
    fn holocene_first_frame_replaces_unfinished_channel() {
        let rollup_config = cfg();
        let mut asm = ChannelAssembler::default();
        asm.ingest(&rollup_config, &origin(1), frame(1, 0, b"a", false));
        assert_eq!(
            asm.ingest(&rollup_config, &origin(1), frame(2, 0, b"z", true)),
            Some(b"z".to_vec())
        );
    }

    #[test]
    fn holocene_assembler_times_out_channels() {
        let rollup_config = cfg();
        let mut asm = ChannelAssembler::default();
        asm.ingest(&rollup_config, &origin(1), frame(1, 0, b"a", false));
        asm.check_timeout(&rollup_config, &origin(11));
        assert!(asm.is_assembling());
        asm.check_timeout(&rollup_config, &origin(12));
        assert!(!asm.is_assembling());
    }
}
