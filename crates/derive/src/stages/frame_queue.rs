//! Frame queue: batcher data decoded into frames, with Holocene's in-order pruning.

use alloc::collections::VecDeque;
use koa_protocol::frame::{Frame, parse_frames};

/// Buffers the frames of the batcher transactions read so far.
#[derive(Debug, Default)]
pub struct FrameQueue {
    frames: VecDeque<Frame>,
    /// Whether frames were queued without the Holocene rules (before Holocene) since the
    /// queue last satisfied them.
    unordered: bool,
}

impl FrameQueue {
    /// Decodes one batcher transaction's data and queues its frames.
    ///
    /// If any frame fails to parse, every frame of the transaction is dropped (derivation spec,
    /// "Batcher Transaction Format"). With `holocene`, each frame is checked against the queue's
    /// last frame as it is queued ([`Self::push_in_order`]).
    pub fn load(&mut self, data: &[u8], holocene: bool) {
        let frames = match parse_frames(data) {
            Ok(frames) => frames,
            Err(error) => {
                tracing::debug!(target: "derive::frame_queue", error = %koa_protocol::ErrorChain(&error), "dropping batcher transaction");
                return;
            }
        };
        if holocene {
            if self.unordered {
                // Frames queued before Holocene: apply the rules to the whole queue once.
                self.unordered = false;
                for frame in core::mem::take(&mut self.frames) {
                    self.push_in_order(frame);
                }
            }
            for frame in frames {
                self.push_in_order(frame);
            }
        } else {
            self.unordered = true;
            self.frames.extend(frames);
        }
    }

    /// The next frame, oldest first.
    pub fn pop(&mut self) -> Option<Frame> {
        self.frames.pop_front()
    }

    /// Whether no frame is buffered.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Number of buffered frames.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Drops every buffered frame.
    pub fn clear(&mut self) {
        self.frames.clear();
        self.unordered = false;
    }

    /// Queues `next` under the Holocene frame queue rules: frames must form channels in order,
    /// `0, 1, …, last`, one channel after the other.
    ///
    /// With `prev` the last queued frame:
    /// - same channel, `next` not `prev + 1` or `prev` closed the channel: drop `next`;
    /// - different channels, `next` not a first frame: drop `next`;
    /// - different channels, `next` a first frame while `prev`'s channel is unclosed: drop the
    ///   unclosed channel's frames (a new channel replaces it), then check `next` against the
    ///   frame before them.
    ///
    /// The queue always satisfies these rules, so checking each frame against the back as it
    /// arrives gives the spec's pruning of the whole queue, in time linear in the frames (each
    /// frame is queued and dropped at most once).
    fn push_in_order(&mut self, next: Frame) {
        while let Some(prev) = self.frames.back() {
            let same_channel = prev.id == next.id;
            // The successor of frame 65535 is frame 0: op-node adds in `uint16`, which wraps.
            if same_channel && (prev.is_last || prev.number.wrapping_add(1) != next.number) {
                return;
            }
            if !same_channel && next.number != 0 {
                return;
            }
            if !same_channel && !prev.is_last {
                let unclosed = prev.id;
                while self.frames.back().is_some_and(|frame| frame.id == unclosed) {
                    self.frames.pop_back();
                }
                continue;
            }
            break;
        }
        self.frames.push_back(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use alloy_primitives::Bytes;
    use koa_protocol::frame::{ChannelId, encode_frames};

    fn frame(id: u8, number: u16, is_last: bool) -> Frame {
        Frame::new(
            ChannelId::new([id; 16]),
            number,
            Bytes::from(alloc::vec![id, number as u8]),
            is_last,
        )
    }

    fn ids(queue: &FrameQueue) -> Vec<(u8, u16)> {
        queue
            .frames
            .iter()
            .map(|f| (f.id.as_bytes()[0], f.number))
            .collect()
    }

    #[test]
    fn spec_one_bad_frame_drops_the_whole_transaction() {
        let mut data = encode_frames(&[frame(1, 0, false), frame(1, 1, true)]);
        data.push(0xff); // trailing garbage: a truncated third frame
        let mut queue = FrameQueue::default();
        queue.load(&data, false);
        assert!(queue.is_empty());
    }

    #[test]
    fn pre_holocene_keeps_frames_in_arrival_order() {
        let data = encode_frames(&[frame(1, 1, true), frame(2, 0, false), frame(1, 0, false)]);
        let mut queue = FrameQueue::default();
        queue.load(&data, false);
        assert_eq!(ids(&queue), [(1, 1), (2, 0), (1, 0)]);
    }

    #[test]
    fn holocene_drops_non_sequential_and_post_close_frames() {
        let data = encode_frames(&[
            frame(1, 0, false),
            frame(1, 2, false), // gap: dropped
            frame(1, 1, true),
            frame(1, 2, false), // after close: dropped
            frame(2, 1, false), // new channel not starting at 0: dropped
            frame(2, 0, true),
        ]);
        let mut queue = FrameQueue::default();
        queue.load(&data, true);
        assert_eq!(ids(&queue), [(1, 0), (1, 1), (2, 0)]);
    }

    #[test]
    fn holocene_new_first_frame_replaces_unclosed_channel() {
        let data = encode_frames(&[frame(1, 0, false), frame(1, 1, false), frame(2, 0, true)]);
        let mut queue = FrameQueue::default();
        queue.load(&data, true);
        assert_eq!(ids(&queue), [(2, 0)]);
    }

    #[test]
    fn holocene_frame_numbers_wrap_like_op_node() {
        let data = encode_frames(&[
            frame(1, u16::MAX - 1, false),
            frame(1, u16::MAX, false),
            frame(1, 0, false), // op-node: 65535 + 1 == 0 in uint16, so this is in order
            frame(1, 2, false), // gap: dropped
        ]);
        let mut queue = FrameQueue::default();
        queue.load(&data, true);
        assert_eq!(ids(&queue), [(1, u16::MAX - 1), (1, u16::MAX), (1, 0)]);
    }

    #[test]
    fn holocene_unclosed_channel_is_dropped_back_to_its_own_frames_only() {
        // optimism#22833: a channel id reused after a closed channel. op-node drops the
        // unclosed run frame by frame, stopping at the closed channel before it; then the
        // reused id's first frame after that closed channel is dropped as a post-close frame.
        let data = encode_frames(&[
            frame(1, 0, false),
            frame(1, 1, true),
            frame(2, 0, false),
            frame(2, 1, false),
            frame(3, 0, true), // replaces unclosed channel 2
            frame(1, 0, true), // channel 1 again, now a new complete channel
        ]);
        let mut queue = FrameQueue::default();
        queue.load(&data, true);
        assert_eq!(ids(&queue), [(1, 0), (1, 1), (3, 0), (1, 0)]);

        let data = encode_frames(&[
            frame(1, 0, false),
            frame(1, 1, true),
            frame(2, 0, false),
            frame(1, 0, true), // replaces unclosed channel 2; closed channel 1 stays
        ]);
        let mut queue = FrameQueue::default();
        queue.load(&data, true);
        // With channel 2 gone, the reused id's frame follows channel 1's closing frame and is
        // dropped as a frame after the close, exactly as op-node's pairwise walk does.
        assert_eq!(ids(&queue), [(1, 0), (1, 1)]);
    }

    /// The Holocene rules as op-node words them: a pairwise walk over the whole queue after
    /// each load.
    fn reference_prune(frames: &mut VecDeque<Frame>) {
        let mut i = 0;
        while i + 1 < frames.len() {
            let (prev_id, prev_number, prev_last) =
                (frames[i].id, frames[i].number, frames[i].is_last);
            let (next_id, next_number) = (frames[i + 1].id, frames[i + 1].number);
            let same_channel = prev_id == next_id;
            if same_channel && (prev_last || prev_number.wrapping_add(1) != next_number) {
                frames.remove(i + 1);
                continue;
            }
            if !same_channel && next_number != 0 {
                frames.remove(i + 1);
                continue;
            }
            if !same_channel && !prev_last {
                let mut start = i;
                while start > 0 && frames[start - 1].id == prev_id {
                    start -= 1;
                }
                frames.drain(start..=i);
                i = start.saturating_sub(1);
                continue;
            }
            i += 1;
        }
    }

    proptest::proptest! {
        /// Checking each frame against the back as it arrives prunes exactly as the pairwise
        /// walk over the whole queue does, across loads, pops and the switch to Holocene.
        #[test]
        fn incremental_pruning_matches_the_pairwise_walk(
            loads in proptest::collection::vec(
                (
                    proptest::collection::vec((0u8..4, 0u16..4, proptest::bool::ANY), 1..6),
                    0usize..3,
                ),
                1..20,
            ),
            holocene_from in 0usize..20,
        ) {
            let mut queue = FrameQueue::default();
            let mut reference: VecDeque<Frame> = VecDeque::new();
            for (index, (frames, pops)) in loads.iter().enumerate() {
                let holocene = index >= holocene_from;
                let frames: Vec<Frame> =
                    frames.iter().map(|(id, n, last)| frame(*id, *n, *last)).collect();
                queue.load(&encode_frames(&frames), holocene);
                reference.extend(frames);
                if holocene {
                    reference_prune(&mut reference);
                }
                proptest::prop_assert_eq!(queue.frames.iter().collect::<Vec<_>>(), reference.iter().collect::<Vec<_>>());
                for _ in 0..*pops {
                    proptest::prop_assert_eq!(queue.pop(), reference.pop_front());
                }
            }
        }
    }

    #[test]
    fn holocene_prunes_across_transactions() {
        let mut queue = FrameQueue::default();
        queue.load(&encode_frames(&[frame(1, 0, false)]), true);
        queue.load(
            &encode_frames(&[frame(1, 1, true), frame(3, 0, false), frame(4, 0, true)]),
            true,
        );
        assert_eq!(ids(&queue), [(1, 0), (1, 1), (4, 0)]);
    }
}
