//! Frame queue: batcher data decoded into frames, with Holocene's in-order pruning.

use alloc::collections::VecDeque;
use koa_protocol::frame::{Frame, parse_frames};

/// Buffers the frames of the batcher transactions read so far.
#[derive(Debug, Default)]
pub struct FrameQueue {
    frames: VecDeque<Frame>,
}

impl FrameQueue {
    /// Decodes one batcher transaction's data and queues its frames.
    ///
    /// If any frame fails to parse, every frame of the transaction is dropped (derivation spec,
    /// "Batcher Transaction Format"). With `holocene`, the queue is pruned afterwards.
    pub fn load(&mut self, data: &[u8], holocene: bool) {
        match parse_frames(data) {
            Ok(frames) => self.frames.extend(frames),
            Err(error) => {
                tracing::debug!(target: "derive::frame_queue", error = %koa_protocol::ErrorChain(&error), "dropping batcher transaction");
                return;
            }
        }
        if holocene {
            self.prune();
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
    }

    /// Holocene frame queue rules: frames must form channels in order, `0, 1, …, last`, one
    /// channel after the other.
    ///
    /// For each adjacent pair `(prev, next)`:
    /// - same channel, `next` not `prev + 1` or `prev` closed the channel: drop `next`;
    /// - different channels, `next` not a first frame: drop `next`;
    /// - different channels, `next` a first frame while `prev`'s channel is unclosed: drop the
    ///   unclosed channel's frames (a new channel replaces it).
    fn prune(&mut self) {
        let mut i = 0;
        while i + 1 < self.frames.len() {
            let (prev_id, prev_number, prev_last) = {
                let prev = &self.frames[i];
                (prev.id, prev.number, prev.is_last)
            };
            let (next_id, next_number) = (self.frames[i + 1].id, self.frames[i + 1].number);
            let same_channel = prev_id == next_id;
            // The successor of frame 65535 is frame 0: op-node adds in `uint16`, which wraps.
            if same_channel && (prev_last || prev_number.wrapping_add(1) != next_number) {
                self.frames.remove(i + 1);
                continue;
            }
            if !same_channel && next_number != 0 {
                self.frames.remove(i + 1);
                continue;
            }
            if !same_channel && !prev_last {
                // Walk back over the unclosed channel and drop it.
                let mut start = i;
                while start > 0 && self.frames[start - 1].id == prev_id {
                    start -= 1;
                }
                self.frames.drain(start..=i);
                i = start.saturating_sub(1);
                continue;
            }
            i += 1;
        }
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
