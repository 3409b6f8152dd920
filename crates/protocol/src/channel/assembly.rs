//! Assembly of a channel from its frames (the channel bank's per-channel state).

use super::frames::Frames;
use crate::frame::{ChannelId, Frame};
use alloc::vec::Vec;

/// Per-frame overhead counted in a channel's size, on top of its data (derivation spec,
/// "Pruning": "an additional frame-overhead of `200` bytes per frame").
pub const CHANNEL_FRAME_SIZE_OVERHEAD: usize = 200;

/// Why a frame was not added to a [`Channel`]. Per the spec, such frames are simply dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// The frame belongs to another channel.
    #[error("frame of channel {frame} added to channel {channel}")]
    WrongChannel {
        /// The channel the frame names.
        frame: ChannelId,
        /// The channel it was offered to.
        channel: ChannelId,
    },
    /// A frame with this number is already buffered.
    #[error("duplicate frame {0}")]
    DuplicateFrame(u16),
    /// The channel already has a closing frame and this frame also closes it.
    #[error("channel already closed by frame {0}")]
    AlreadyClosed(u16),
    /// The channel is closed and this frame lies past its closing frame.
    #[error("frame {frame} is past the closing frame {last}")]
    PastClosingFrame {
        /// The offered frame number.
        frame: u16,
        /// The channel's closing frame number.
        last: u16,
    },
}

/// A channel being assembled from frames.
///
/// Frames may arrive in any order; duplicates (by number) and duplicate closes are rejected;
/// a closing frame drops any buffered higher-numbered frame. The channel is
/// [ready](Self::is_ready) once it is closed and holds every frame from 0 to the closing one.
/// Timeouts are the channel bank's business: this type only records the L1 block the channel
/// was opened in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    id: ChannelId,
    open_block_number: u64,
    frames: Frames,
    /// Number of the closing frame, once seen.
    last_frame_number: Option<u16>,
    /// Frame data plus [`CHANNEL_FRAME_SIZE_OVERHEAD`] per frame added, with op-node's
    /// accounting of a pruning close (see [`Self::size`]).
    size: usize,
}

impl Channel {
    /// Opens an empty channel, tagged with the L1 block number it was opened in.
    pub fn new(id: ChannelId, open_block_number: u64) -> Self {
        Self {
            id,
            open_block_number,
            frames: Frames::default(),
            last_frame_number: None,
            size: 0,
        }
    }

    /// The channel's id.
    pub const fn id(&self) -> ChannelId {
        self.id
    }

    /// Number of the L1 block this channel was opened in (`channel.open_l1_block`).
    pub const fn open_block_number(&self) -> u64 {
        self.open_block_number
    }

    /// The channel's size for channel-bank pruning: frame data plus 200 bytes per frame.
    ///
    /// This follows op-node (`Channel.AddFrame`), whose accounting is consensus in practice:
    /// when a closing frame prunes higher-numbered frames, the size of every frame buffered
    /// until then is subtracted, so afterwards only the closing frame and the frames added
    /// after it count. Without such a pruning close this is the spec's sum over the buffered
    /// frames.
    pub const fn size(&self) -> usize {
        self.size
    }

    /// Number of buffered frames.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether no frame is buffered.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Whether the closing frame has been seen.
    pub const fn is_closed(&self) -> bool {
        self.last_frame_number.is_some()
    }

    /// Number of the closing frame, if seen.
    pub const fn last_frame_number(&self) -> Option<u16> {
        self.last_frame_number
    }

    /// Highest buffered frame number (0 when empty).
    pub fn highest_frame_number(&self) -> u16 {
        self.frames.highest().unwrap_or(0)
    }

    /// Whether `number` is already buffered.
    pub fn contains_frame(&self, number: u16) -> bool {
        self.frames.contains(number)
    }

    /// Adds a frame, applying the spec's insertion rules.
    ///
    /// On error the channel is unchanged and the frame should be dropped. The data of a
    /// channel's only frame, and of frames over `SMALL_FRAME_MAX` (256) bytes, is kept without
    /// a copy when the frame owns it alone (as frames parsed from batcher data do); shorter
    /// frames of a channel with several are copied into one buffer the channel shares between
    /// them.
    pub fn add_frame(&mut self, frame: Frame) -> Result<(), ChannelError> {
        if frame.id != self.id {
            return Err(ChannelError::WrongChannel {
                frame: frame.id,
                channel: self.id,
            });
        }
        if let Some(last) = self.last_frame_number {
            if frame.is_last {
                return Err(ChannelError::AlreadyClosed(last));
            }
            if frame.number > last {
                return Err(ChannelError::PastClosingFrame {
                    frame: frame.number,
                    last,
                });
            }
        }
        if self.frames.contains(frame.number) {
            return Err(ChannelError::DuplicateFrame(frame.number));
        }

        if frame.is_last {
            self.last_frame_number = Some(frame.number);
            // A closing frame removes every buffered frame numbered above it.
            if frame.number < self.highest_frame_number() {
                self.frames.truncate_above(frame.number);
                // op-node subtracts the size of *every* buffered frame here, not only of the
                // pruned ones, so the frames kept stop counting towards the channel's size.
                // The size only drives pre-Holocene channel-bank pruning, and op-node's
                // accounting is what the chain follows, so koa reproduces it.
                self.size = 0;
            }
        }
        self.size += frame.data.len() + CHANNEL_FRAME_SIZE_OVERHEAD;
        self.frames.insert(frame.number, frame.data);
        Ok(())
    }

    /// Whether the channel is closed and holds every frame from 0 to the closing frame.
    pub fn is_ready(&self) -> bool {
        let Some(last) = self.last_frame_number else {
            return false;
        };
        // Frames are unique and none lies past `last`, so a full count means contiguous.
        self.frames.len() == usize::from(last) + 1
    }

    /// The channel's data (all frame data in frame order), if it is [ready](Self::is_ready).
    pub fn data(&self) -> Option<Vec<u8>> {
        if !self.is_ready() {
            return None;
        }
        let total: usize = self.frames.iter().map(|(_, data)| data.len()).sum();
        let mut data = Vec::with_capacity(total);
        for (_, frame_data) in self.frames.iter() {
            data.extend_from_slice(frame_data);
        }
        Some(data)
    }

    /// The buffered frames' numbers and data, in frame-number order.
    pub fn frames(&self) -> impl Iterator<Item = (u16, &[u8])> {
        self.frames.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::Bytes;

    const ID: ChannelId = ChannelId([1; 16]);

    fn frame(number: u16, data: &'static [u8], is_last: bool) -> Frame {
        Frame::new(ID, number, Bytes::from_static(data), is_last)
    }

    #[test]
    fn assembles_out_of_order_frames() {
        let mut channel = Channel::new(ID, 42);
        channel.add_frame(frame(1, b"cd", false)).unwrap();
        assert!(!channel.is_ready());
        channel.add_frame(frame(2, b"e", true)).unwrap();
        assert!(!channel.is_ready());
        assert_eq!(channel.data(), None);
        channel.add_frame(frame(0, b"ab", false)).unwrap();
        assert!(channel.is_ready());
        assert_eq!(channel.data().unwrap(), b"abcde");
        assert_eq!(channel.size(), 5 + 3 * CHANNEL_FRAME_SIZE_OVERHEAD);
        assert_eq!(channel.open_block_number(), 42);
    }

    #[test]
    fn a_closing_frame_prunes_a_single_higher_frame() {
        let mut channel = Channel::new(ID, 0);
        channel.add_frame(frame(5, b"late", false)).unwrap();
        assert_eq!(channel.highest_frame_number(), 5);
        channel.add_frame(frame(1, b"b", true)).unwrap();
        assert!(!channel.contains_frame(5));
        assert_eq!(channel.len(), 1);
        assert_eq!(channel.highest_frame_number(), 1);
        assert_eq!(channel.size(), 1 + CHANNEL_FRAME_SIZE_OVERHEAD);
        channel.add_frame(frame(0, b"a", false)).unwrap();
        assert_eq!(
            channel.frames().collect::<Vec<_>>(),
            [(0, &b"a"[..]), (1, &b"b"[..])]
        );
        assert_eq!(channel.data().unwrap(), b"ab");
    }

    #[test]
    fn frame_data_is_kept_without_a_copy() {
        let mut channel = Channel::new(ID, 0);
        let data = Bytes::from(alloc::vec![7u8; 1000]);
        let address = data.as_ptr();
        channel.add_frame(Frame::new(ID, 0, data, false)).unwrap();
        let second = Bytes::copy_from_slice(&[8u8; 300]);
        let second_address = second.as_ptr();
        channel.add_frame(Frame::new(ID, 1, second, true)).unwrap();
        let kept: Vec<*const u8> = channel.frames().map(|(_, data)| data.as_ptr()).collect();
        assert_eq!(kept, [address, second_address]);
    }

    #[test]
    fn applies_insertion_rules() {
        let mut channel = Channel::new(ID, 0);
        channel.add_frame(frame(0, b"a", false)).unwrap();
        assert_eq!(
            channel.add_frame(frame(0, b"x", false)),
            Err(ChannelError::DuplicateFrame(0))
        );
        channel.add_frame(frame(3, b"ddd", false)).unwrap();
        channel.add_frame(frame(5, b"fffff", false)).unwrap();
        assert_eq!(channel.highest_frame_number(), 5);

        // Closing at 4 prunes frame 5. Like op-node, the pruning close also stops counting
        // the frames it keeps (0 and 3): only the closing frame's size remains.
        channel.add_frame(frame(4, b"eeee", true)).unwrap();
        assert!(!channel.contains_frame(5));
        assert!(channel.contains_frame(3));
        assert_eq!(channel.highest_frame_number(), 4);
        assert_eq!(channel.size(), 4 + CHANNEL_FRAME_SIZE_OVERHEAD);
        assert_eq!(
            channel.add_frame(frame(2, b"c", true)),
            Err(ChannelError::AlreadyClosed(4))
        );
        assert_eq!(
            channel.add_frame(frame(5, b"f", false)),
            Err(ChannelError::PastClosingFrame { frame: 5, last: 4 })
        );
        assert_eq!(
            channel.add_frame(Frame::new(ChannelId([2; 16]), 1, Bytes::new(), false)),
            Err(ChannelError::WrongChannel {
                frame: ChannelId([2; 16]),
                channel: ID
            })
        );
        assert!(!channel.is_ready());
        channel.add_frame(frame(1, b"b", false)).unwrap();
        channel.add_frame(frame(2, b"c", false)).unwrap();
        assert_eq!(channel.size(), 4 + 1 + 1 + 3 * CHANNEL_FRAME_SIZE_OVERHEAD);
        assert!(channel.is_ready());
        assert_eq!(
            channel.data().unwrap(),
            b"abcddd".iter().chain(b"eeee").copied().collect::<Vec<_>>()
        );
    }
}
