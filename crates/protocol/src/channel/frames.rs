//! A channel's buffered frame data, by frame number, in a compact layout.
//!
//! Before Holocene a closing frame that prunes higher-numbered frames stops the channel bank
//! counting the frames the channel keeps (see `Channel::size`), so what an unready channel
//! holds is bounded only by the batcher data of a channel timeout's worth of L1 blocks, not
//! by `MAX_CHANNEL_BANK_SIZE`. The layout therefore keeps the heap per frame close to the
//! frame's size on L1 (23 bytes plus its data), whatever the order and size of the frames:
//!
//! - a frame is a 12-byte [`Slot`] in a vector sorted by number, not a tree node: frames that
//!   come in order are appended, others wait in a small tree that is merged into the vector
//!   once it holds an eighth as many frames, so an insert costs amortised constant time plus
//!   a logarithmic lookup, in any order, for 65,535-frame channels;
//! - the data of frames up to [`SMALL_FRAME_MAX`] bytes is copied into one buffer per channel,
//!   not kept as an allocation of its own (at least 32 bytes in the FPVM heap, even for one
//!   byte); longer frames keep their own buffer, without a copy;
//! - vectors grow by an eighth, not by doubling, and a pruning close compacts them to size.
//!
//! Most channels have a single frame, and a bank filled with the smallest channels holds
//! millions of them: that one frame is kept inline ([`Frames::Single`]) without any of this.

use alloc::{boxed::Box, collections::BTreeMap, vec::Vec};
use alloy_primitives::Bytes;

/// Frames with at most this many data bytes have their data copied into the channel's shared
/// buffer; longer ones keep their own.
pub(crate) const SMALL_FRAME_MAX: usize = 256;

/// Frames waiting out of order are merged into the sorted vector once they are more than this
/// many and more than an eighth of it.
const PENDING_MIN: usize = 16;

/// One buffered frame: its number and where its data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    number: u16,
    /// Whether the data is `large[at]` rather than `small[at..at + len]`.
    large: bool,
    at: u32,
    /// The data's length for a small frame (0 for a large one: its buffer knows).
    len: u32,
}

/// Two frames or more (see the module documentation).
#[derive(Debug, Clone, Default)]
pub(crate) struct ManyFrames {
    /// Frames in number order.
    sorted: Vec<Slot>,
    /// Frames that came below the sorted vector's last number, not merged yet (disjoint from
    /// `sorted`).
    pending: BTreeMap<u16, Slot>,
    /// The small frames' data, in arrival order.
    small: Vec<u8>,
    /// The large frames' data, in arrival order.
    large: Vec<Box<[u8]>>,
}

/// Makes room in `vec` for `additional` more elements, growing it by at least an eighth (and
/// two elements) when it must grow: amortised constant time per element with at most an
/// eighth of it unused, where doubling could leave half unused.
fn reserve_gently<T>(vec: &mut Vec<T>, additional: usize) {
    if vec.capacity() - vec.len() < additional {
        vec.reserve_exact(additional.max(vec.len() / 8).max(2));
    }
}

impl ManyFrames {
    fn len(&self) -> usize {
        self.sorted.len() + self.pending.len()
    }

    fn contains(&self, number: u16) -> bool {
        self.sorted
            .binary_search_by_key(&number, |slot| slot.number)
            .is_ok()
            || self.pending.contains_key(&number)
    }

    fn highest(&self) -> Option<u16> {
        let sorted: Option<u16> = self.sorted.last().map(|slot| slot.number);
        let pending: Option<u16> = self.pending.last_key_value().map(|(number, _)| *number);
        sorted.max(pending)
    }

    /// The data `slot` points at.
    ///
    /// Indexes directly: a slot always points into the store's buffers (they only grow, and a
    /// compaction rewrites every slot), and should that ever break, a panic stops the program
    /// where wrong channel data could change what is derived.
    fn data(&self, slot: &Slot) -> &[u8] {
        if slot.large {
            &self.large[slot.at as usize]
        } else {
            let start: usize = slot.at as usize;
            &self.small[start..start + slot.len as usize]
        }
    }

    /// Stores `data` and returns its slot under `number`.
    fn store(&mut self, number: u16, data: Bytes) -> Slot {
        if data.len() <= SMALL_FRAME_MAX {
            reserve_gently(&mut self.small, data.len());
            // At most 65,536 frames of at most `SMALL_FRAME_MAX` bytes: under 2^32.
            let at: u32 = self.small.len() as u32;
            self.small.extend_from_slice(&data);
            Slot {
                number,
                large: false,
                at,
                len: data.len() as u32,
            }
        } else {
            reserve_gently(&mut self.large, 1);
            // At most 65,536 frames.
            let at: u32 = self.large.len() as u32;
            self.large.push(Vec::from(data).into_boxed_slice());
            Slot {
                number,
                large: true,
                at,
                len: 0,
            }
        }
    }

    /// Adds a frame whose number is not buffered yet.
    fn insert(&mut self, number: u16, data: Bytes) {
        debug_assert!(!self.contains(number), "frame {number} is already buffered");
        let slot: Slot = self.store(number, data);
        if self.sorted.last().is_none_or(|last| last.number < number) {
            reserve_gently(&mut self.sorted, 1);
            self.sorted.push(slot);
            return;
        }
        self.pending.insert(number, slot);
        if self.pending.len() > PENDING_MIN.max(self.sorted.len() / 8) {
            self.merge();
        }
    }

    /// Moves the pending frames into the sorted vector.
    fn merge(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending: BTreeMap<u16, Slot> = core::mem::take(&mut self.pending);
        let mut merged: Vec<Slot> = Vec::with_capacity(self.sorted.len() + pending.len());
        let mut sorted = self.sorted.iter().copied().peekable();
        for slot in pending.into_values() {
            while let Some(before) = sorted.next_if(|before| before.number < slot.number) {
                merged.push(before);
            }
            merged.push(slot);
        }
        merged.extend(sorted);
        self.sorted = merged;
    }

    /// Drops every frame numbered above `number` and compacts what is left to size.
    fn truncate_above(&mut self, number: u16) {
        self.merge();
        let keep: usize = self.sorted.partition_point(|slot| slot.number <= number);
        self.sorted.truncate(keep);
        let small_len: usize = self
            .sorted
            .iter()
            .filter(|slot| !slot.large)
            .map(|slot| slot.len as usize)
            .sum();
        let large_len: usize = self.sorted.iter().filter(|slot| slot.large).count();
        let mut small: Vec<u8> = Vec::with_capacity(small_len);
        let mut large: Vec<Box<[u8]>> = Vec::with_capacity(large_len);
        let mut old_large: Vec<Option<Box<[u8]>>> = core::mem::take(&mut self.large)
            .into_iter()
            .map(Some)
            .collect();
        // As in `data`: every slot points into the buffers, and each large one is taken once.
        for slot in &mut self.sorted {
            if slot.large {
                let data: Box<[u8]> = old_large[slot.at as usize]
                    .take()
                    .expect("each large frame has one slot");
                slot.at = large.len() as u32;
                large.push(data);
            } else {
                let start: usize = slot.at as usize;
                slot.at = small.len() as u32;
                small.extend_from_slice(&self.small[start..start + slot.len as usize]);
            }
        }
        self.small = small;
        self.large = large;
        self.sorted.shrink_to_fit();
    }

    fn iter(&self) -> impl Iterator<Item = (u16, &[u8])> {
        let mut sorted = self.sorted.iter().peekable();
        let mut pending = self.pending.values().peekable();
        core::iter::from_fn(move || {
            let slot: &Slot = match (sorted.peek(), pending.peek()) {
                (Some(a), Some(b)) if b.number < a.number => pending.next()?,
                (Some(_), _) => sorted.next()?,
                (None, _) => pending.next()?,
            };
            Some((slot.number, self.data(slot)))
        })
    }
}

/// A channel's buffered frame data, by frame number.
#[derive(Debug, Clone)]
pub(crate) enum Frames {
    /// At most one frame, kept inline with its own buffer.
    Single(Option<(u16, Box<[u8]>)>),
    /// Two frames or more.
    Many(Box<ManyFrames>),
}

/// Equal when they hold the same frames, however they are laid out (sorted or pending, inline
/// or not, compacted or not).
impl PartialEq for Frames {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Frames {}

impl Default for Frames {
    fn default() -> Self {
        Self::Single(None)
    }
}

impl Frames {
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Single(frame) => usize::from(frame.is_some()),
            Self::Many(frames) => frames.len(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn contains(&self, number: u16) -> bool {
        match self {
            Self::Single(frame) => frame.as_ref().is_some_and(|(n, _)| *n == number),
            Self::Many(frames) => frames.contains(number),
        }
    }

    /// Adds a frame whose number is not buffered yet.
    pub(crate) fn insert(&mut self, number: u16, data: Bytes) {
        match self {
            Self::Single(slot) => match slot.take() {
                None => *slot = Some((number, Vec::from(data).into_boxed_slice())),
                Some((first, first_data)) => {
                    let mut frames: ManyFrames = ManyFrames::default();
                    frames.insert(first, Bytes::from(first_data));
                    frames.insert(number, data);
                    *self = Self::Many(Box::new(frames));
                }
            },
            Self::Many(frames) => frames.insert(number, data),
        }
    }

    /// Drops every frame numbered above `number`.
    pub(crate) fn truncate_above(&mut self, number: u16) {
        match self {
            Self::Single(frame) => {
                if frame.as_ref().is_some_and(|(n, _)| *n > number) {
                    *frame = None;
                }
            }
            Self::Many(frames) => frames.truncate_above(number),
        }
    }

    /// The highest buffered frame number.
    pub(crate) fn highest(&self) -> Option<u16> {
        match self {
            Self::Single(frame) => frame.as_ref().map(|(n, _)| *n),
            Self::Many(frames) => frames.highest(),
        }
    }

    /// The frames in number order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u16, &[u8])> {
        let (single, many) = match self {
            Self::Single(frame) => (frame.as_ref(), None),
            Self::Many(frames) => (None, Some(frames.iter())),
        };
        single
            .map(|(n, data)| (*n, &**data))
            .into_iter()
            .chain(many.into_iter().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;

    /// The frame data of `number` with `len` bytes: its number's low byte repeated.
    fn data(number: u16, len: usize) -> Bytes {
        Bytes::from(alloc::vec![number as u8; len])
    }

    /// Checks `frames` against the reference map.
    fn check(frames: &Frames, reference: &BTreeMap<u16, Bytes>) {
        assert_eq!(frames.len(), reference.len());
        assert_eq!(frames.highest(), reference.keys().last().copied());
        let got: Vec<(u16, &[u8])> = frames.iter().collect();
        let want: Vec<(u16, &[u8])> = reference.iter().map(|(n, d)| (*n, &d[..])).collect();
        assert_eq!(got, want);
        for number in [0, 1, 2, 100, 4_096, u16::MAX] {
            assert_eq!(frames.contains(number), reference.contains_key(&number));
        }
    }

    #[test]
    fn frames_in_any_order_and_size_read_back_in_number_order() {
        // In order, reversed, interleaved from both ends and by a stride: small, empty and
        // large frames mixed.
        let orders: [Vec<u16>; 4] = [
            (0..3_000).collect(),
            (0..3_000).rev().collect(),
            (0..1_500).flat_map(|i| [i, 2_999 - i]).collect(),
            (0..3_000u32).map(|i| ((i * 7) % 3_000) as u16).collect(),
        ];
        for order in orders {
            let mut frames: Frames = Frames::default();
            let mut reference: BTreeMap<u16, Bytes> = BTreeMap::new();
            for (step, number) in order.iter().enumerate() {
                let len: usize = [0, 1, SMALL_FRAME_MAX, SMALL_FRAME_MAX + 1][step % 4];
                frames.insert(*number, data(*number, len));
                reference.insert(*number, data(*number, len));
                if step % 499 == 0 {
                    check(&frames, &reference);
                }
            }
            check(&frames, &reference);
            // Pruning keeps the frames up to the number, compacted.
            frames.truncate_above(1_234);
            reference.split_off(&1_235);
            check(&frames, &reference);
            let Frames::Many(many) = &frames else {
                panic!("many frames expected");
            };
            assert_eq!(many.sorted.capacity(), many.sorted.len());
            assert_eq!(
                many.small.len(),
                reference
                    .values()
                    .filter(|d| d.len() <= SMALL_FRAME_MAX)
                    .map(|d| d.len())
                    .sum::<usize>()
            );
            assert_eq!(
                many.large.len(),
                reference
                    .values()
                    .filter(|d| d.len() > SMALL_FRAME_MAX)
                    .count()
            );
            assert!(frames.contains(5) && frames.contains(1_234));
            assert!(!frames.contains(1_235) && !frames.contains(2_000));
        }
    }

    /// One step of [`the_store_behaves_like_an_ordered_map`].
    #[derive(Debug, Clone)]
    enum Step {
        /// Insert a frame with this number (unless buffered) and data length.
        Insert(u16, usize),
        /// A pruning close at this number.
        Truncate(u16),
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        let number = || {
            prop_oneof![
                0u16..80,
                Just(0u16),
                Just(u16::MAX - 1),
                Just(u16::MAX),
                any::<u16>(),
            ]
        };
        let len = prop_oneof![
            Just(0usize),
            Just(1),
            Just(SMALL_FRAME_MAX),
            Just(SMALL_FRAME_MAX + 1),
            0usize..400,
        ];
        prop_oneof![
            12 => (number(), len).prop_map(|(number, len)| Step::Insert(number, len)),
            1 => number().prop_map(Step::Truncate),
        ]
    }

    proptest::proptest! {
        /// Any order of inserts and pruning closes, any frame sizes: the store reads back as an
        /// ordered map of the same frames does, after every step (pending frames and merges,
        /// the single-to-many switch and inserts after a compaction included).
        #[test]
        fn the_store_behaves_like_an_ordered_map(
            steps in proptest::collection::vec(step(), 0..300),
        ) {
            let mut frames: Frames = Frames::default();
            let mut reference: BTreeMap<u16, Bytes> = BTreeMap::new();
            for step in steps {
                match step {
                    // The channel inserts only numbers it does not hold.
                    Step::Insert(number, _) if reference.contains_key(&number) => continue,
                    Step::Insert(number, len) => {
                        frames.insert(number, data(number, len));
                        reference.insert(number, data(number, len));
                    }
                    Step::Truncate(number) => {
                        frames.truncate_above(number);
                        if let Some(next) = number.checked_add(1) {
                            reference.split_off(&next);
                        }
                    }
                }
                check(&frames, &reference);
            }
        }
    }

    #[test]
    fn a_single_frame_is_inline_and_a_second_moves_both() {
        let mut frames: Frames = Frames::default();
        check(&frames, &BTreeMap::new());
        frames.insert(7, data(7, 3));
        assert!(matches!(frames, Frames::Single(Some(_))));
        frames.truncate_above(7);
        assert_eq!(frames.len(), 1);
        frames.truncate_above(6);
        assert_eq!(frames.len(), 0);
        frames.insert(7, data(7, 3));
        frames.insert(2, data(2, SMALL_FRAME_MAX + 5));
        assert!(matches!(frames, Frames::Many(_)));
        check(
            &frames,
            &BTreeMap::from([(2, data(2, SMALL_FRAME_MAX + 5)), (7, data(7, 3))]),
        );
    }

    #[test]
    fn equality_is_by_frames_not_layout() {
        let mut in_order: Frames = Frames::default();
        let mut reversed: Frames = Frames::default();
        for number in 0..40 {
            in_order.insert(number, data(number, 3));
            reversed.insert(39 - number, data(39 - number, 3));
        }
        assert_eq!(in_order, reversed);
        reversed.truncate_above(38);
        assert_ne!(in_order, reversed);
        in_order.truncate_above(38);
        assert_eq!(in_order, reversed);
    }

    #[test]
    fn vectors_grow_by_an_eighth() {
        let mut frames: ManyFrames = ManyFrames::default();
        for number in 0..10_000 {
            frames.insert(number, data(number, 1));
        }
        assert!(frames.sorted.capacity() <= frames.sorted.len() / 8 * 9 + 2);
        assert!(frames.small.capacity() <= frames.small.len() / 8 * 9 + 2);
    }
}
