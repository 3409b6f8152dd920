//! The program heap: one large anonymous `mmap`, managed by a coalescing good-fit allocator.
//!
//! The mapping is made on the first allocation and is committed page by page as it is touched
//! (the VMs and Linux both allocate pages lazily), so its size is address space, not memory.
//! Blocks are carved from the bottom of the mapping upwards; the uncarved rest is the *top*.
//!
//! Every block carries its size in a one-word header before the payload. A freed block is
//! merged with free neighbours on both sides at once (boundary tags: a free block repeats its
//! size in its last word, and the next block's header says whether its predecessor is free),
//! and a free block that reaches the top is given back to it. So memory freed in one size is
//! available for any other size: a buffer that grew by doubling, a channel bank of millions of
//! small entries replaced by large frames, or a large copy freed after use leave no memory
//! that only one size class can reuse.
//!
//! Free blocks are kept in segregated lists, found in constant time through two levels of
//! bitmaps: sizes below 256 bytes have one list per 16-byte size; larger sizes have sixteen
//! lists per power of two. A request takes the first block of the first non-empty list whose
//! blocks are all large enough, splitting off the rest as a free block; with no such list it
//! is carved from the top. Allocation, deallocation and in-place reallocation (a block grows
//! into a free successor or the top) cost a few dozen instructions and search no list, which
//! matters on a VM where every instruction is a proof step. Only when the top is exhausted is
//! one list searched, for a block of the request's own size range, before the request fails.
//! Internal fragmentation is the header word plus rounding to 16 bytes (32 at least).
//!
//! The layout in the mapping (`H` a header, `F` a free block's footer):
//!
//! ```text
//! base  8 bytes padding, so that payloads are 16-byte aligned
//!       [H | payload .....] [H | next, prev ... F] [H | payload ...] ... top ... end
//!        live block          free block             live, PREV_FREE
//! ```

use crate::syscall;
use core::{
    alloc::{GlobalAlloc, Layout},
    cell::UnsafeCell,
    fmt, ptr,
    sync::atomic::{AtomicBool, Ordering},
};

/// The default heap size: 4 GiB of address space.
pub const DEFAULT_HEAP_SIZE: usize = 1 << 32;

/// Alignment of every payload, and the granularity of block sizes.
const ALIGN: usize = 16;
/// Bytes before each payload: the block's header word.
const HEADER: usize = 8;
/// The smallest block: header, two free-list links and the footer of a free block.
const MIN_BLOCK: usize = 32;

/// Header flag: the block is free.
const FREE: usize = 1;
/// Header flag: the block before this one is free (and its footer holds its size).
const PREV_FREE: usize = 2;
/// The header bits that hold the block size.
const SIZE_MASK: usize = !(ALIGN - 1);

/// Block sizes below this have one free list per 16-byte size (first level 0).
const SMALL_LIMIT: usize = 256;
/// `log2(SMALL_LIMIT)`.
const SMALL_LIMIT_LOG2: u32 = 8;
/// `log2` of the number of second-level lists per power of two.
const SECOND_LEVEL_LOG2: u32 = 4;
/// Second-level lists per first-level class.
const SECOND_LEVEL: usize = 1 << SECOND_LEVEL_LOG2;
/// First-level classes: level 0 for the small sizes, then one per power of two from
/// `SMALL_LIMIT` up to `2^63`.
const FIRST_LEVEL: usize = (usize::BITS - SMALL_LIMIT_LOG2) as usize + 1;

/// What a heap has used so far, for reports and tests (see [`FpvmHeap::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeapStats {
    /// Bytes in live blocks (block sizes: requests plus header and rounding).
    pub in_use: usize,
    /// The largest `in_use` seen.
    pub peak_in_use: usize,
    /// Bytes of the mapping ever carved into blocks (live, free and alignment padding): the
    /// heap's high-water mark, which must stay within its size.
    pub carved: usize,
    /// The size of the mapping.
    pub size: usize,
}

/// `key=value` fields, as the stress programs print them: `in_use=… peak_in_use=… carved=…
/// size=…`.
impl fmt::Display for HeapStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            in_use,
            peak_in_use,
            carved,
            size,
        } = self;
        write!(
            f,
            "in_use={in_use} peak_in_use={peak_in_use} carved={carved} size={size}"
        )
    }
}

/// Allocator state, guarded by [`FpvmHeap::locked`].
#[derive(Debug)]
struct HeapState {
    /// First address of the mapping, `0` before the mapping is made.
    base: usize,
    /// Start of the uncarved rest of the mapping (the next block's header); `0` before the
    /// mapping is made. The block below it, if any, is never free.
    top: usize,
    /// The highest `top` seen.
    high_water: usize,
    /// One past the last address of the mapping.
    end: usize,
    /// Bit `f` is set when some list of first-level class `f` is non-empty.
    first_map: u64,
    /// Bit `s` of entry `f` is set when list `(f, s)` is non-empty.
    second_map: [u32; FIRST_LEVEL],
    /// Head of each free list (`0` when empty). A free block's payload holds the next and the
    /// previous block of its list.
    heads: [[usize; SECOND_LEVEL]; FIRST_LEVEL],
    /// Bytes in live blocks.
    in_use: usize,
    /// The largest `in_use` seen.
    peak_in_use: usize,
}

/// A global allocator over one lazily made `mmap` region.
///
/// FPVM programs are single-threaded; the lock only keeps the type sound to share.
#[derive(Debug)]
pub struct FpvmHeap {
    size: usize,
    locked: AtomicBool,
    state: UnsafeCell<HeapState>,
}

// SAFETY: all access to `state` happens while holding the `locked` spin lock.
unsafe impl Sync for FpvmHeap {}

impl FpvmHeap {
    /// A heap that will map `size` bytes on first use.
    pub const fn new(size: usize) -> Self {
        Self {
            size,
            locked: AtomicBool::new(false),
            state: UnsafeCell::new(HeapState {
                base: 0,
                top: 0,
                high_water: 0,
                end: 0,
                first_map: 0,
                second_map: [0; FIRST_LEVEL],
                heads: [[0; SECOND_LEVEL]; FIRST_LEVEL],
                in_use: 0,
                peak_in_use: 0,
            }),
        }
    }

    /// What the heap has used so far.
    pub fn stats(&self) -> HeapStats {
        self.with_state(|state| HeapStats {
            in_use: state.in_use,
            peak_in_use: state.peak_in_use,
            carved: state.high_water - state.base,
            size: self.size,
        })
    }

    /// Runs `f` with exclusive access to the state.
    fn with_state<R>(&self, f: impl FnOnce(&mut HeapState) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        // SAFETY: the lock is held, so this is the only reference to the state.
        let result: R = f(unsafe { &mut *self.state.get() });
        self.locked.store(false, Ordering::Release);
        result
    }
}

/// The size of the block holding a payload of `size` bytes, or `None` if none can.
fn block_size(size: usize) -> Option<usize> {
    let size: usize = size.checked_add(HEADER + ALIGN - 1)? & SIZE_MASK;
    // Sizes above `isize::MAX` cannot be mapped; refusing them keeps the arithmetic in range.
    (size <= isize::MAX as usize).then_some(size.max(MIN_BLOCK))
}

/// The list a free block of `size` bytes belongs to.
fn list_of(size: usize) -> (usize, usize) {
    if size < SMALL_LIMIT {
        return (0, size / ALIGN);
    }
    let log2: u32 = usize::BITS - 1 - size.leading_zeros();
    let first: usize = (log2 - SMALL_LIMIT_LOG2 + 1) as usize;
    let second: usize = (size >> (log2 - SECOND_LEVEL_LOG2)) & (SECOND_LEVEL - 1);
    (first, second)
}

/// The first list whose blocks all hold `size` bytes (`size` rounded up to the next list
/// boundary), or `None` past the largest list.
fn list_for_request(size: usize) -> Option<(usize, usize)> {
    if size < SMALL_LIMIT {
        return Some(list_of(size));
    }
    let log2: u32 = usize::BITS - 1 - size.leading_zeros();
    let rounded: usize = size.checked_add((1 << (log2 - SECOND_LEVEL_LOG2)) - 1)?;
    Some(list_of(rounded))
}

/// Reads the word at `addr`.
///
/// # Safety
/// `addr` must be a word-aligned address inside the mapping.
unsafe fn load(addr: usize) -> usize {
    // SAFETY: forwarded from the caller.
    unsafe { *(addr as *const usize) }
}

/// Writes the word at `addr`.
///
/// # Safety
/// `addr` must be a word-aligned address inside the mapping that no live block's payload
/// covers, unless the caller owns that block.
unsafe fn store(addr: usize, value: usize) {
    // SAFETY: forwarded from the caller.
    unsafe { *(addr as *mut usize) = value }
}

impl HeapState {
    /// Maps the region on first use. Returns whether the heap is usable.
    fn ensure_mapped(&mut self, heap_size: usize) -> bool {
        if self.end != 0 {
            return true;
        }
        let Ok(base) = syscall::mmap_anonymous(heap_size) else {
            return false;
        };
        if base.is_null() {
            return false;
        }
        self.init_region(base as usize, heap_size);
        true
    }

    /// Starts managing `[base, base + size)`; `base` must be 16-byte aligned.
    fn init_region(&mut self, base: usize, size: usize) {
        self.base = base;
        // Headers sit 8 bytes below a 16-byte aligned payload.
        self.top = base + (ALIGN - HEADER);
        self.high_water = self.top;
        self.end = base.saturating_add(size);
    }

    /// The size of the block at `block`.
    ///
    /// # Safety
    /// `block` must be a block of this heap.
    unsafe fn size_of(block: usize) -> usize {
        // SAFETY: forwarded from the caller.
        unsafe { load(block) & SIZE_MASK }
    }

    /// Sets or clears the `PREV_FREE` flag of the block at `block`.
    ///
    /// # Safety
    /// `block` must be a block of this heap.
    unsafe fn set_prev_free(block: usize, prev_free: bool) {
        // SAFETY: forwarded from the caller.
        unsafe {
            let header: usize = load(block);
            store(
                block,
                if prev_free {
                    header | PREV_FREE
                } else {
                    header & !PREV_FREE
                },
            );
        }
    }

    /// Marks `[block, block + size)` free and puts it on its list. Its neighbours must not be
    /// free, and it must end below the top.
    ///
    /// # Safety
    /// The range must be a block of this heap that no one uses.
    unsafe fn insert_free(&mut self, block: usize, size: usize) {
        let (first, second) = list_of(size);
        let head: usize = self.heads[first][second];
        // SAFETY: the block is unused and at least `MIN_BLOCK` bytes; the block after it
        // exists because the top lies beyond it.
        unsafe {
            store(block, size | FREE);
            store(block + size - HEADER, size);
            store(block + HEADER, head);
            store(block + 2 * HEADER, 0);
            if head != 0 {
                store(head + 2 * HEADER, block);
            }
            Self::set_prev_free(block + size, true);
        }
        self.heads[first][second] = block;
        self.first_map |= 1 << first;
        self.second_map[first] |= 1 << second;
    }

    /// Takes the free block at `block` of `size` bytes off its list (its header still says
    /// it is free).
    ///
    /// # Safety
    /// `block` must be a free block of this heap of `size` bytes.
    unsafe fn unlink(&mut self, block: usize, size: usize) {
        // SAFETY: a free block's payload holds its links.
        let (next, prev): (usize, usize) =
            unsafe { (load(block + HEADER), load(block + 2 * HEADER)) };
        // SAFETY: the neighbours in the list are free blocks too.
        unsafe {
            if next != 0 {
                store(next + 2 * HEADER, prev);
            }
            if prev != 0 {
                store(prev + HEADER, next);
            }
        }
        if prev == 0 {
            let (first, second) = list_of(size);
            self.heads[first][second] = next;
            if next == 0 {
                self.second_map[first] &= !(1 << second);
                if self.second_map[first] == 0 {
                    self.first_map &= !(1 << first);
                }
            }
        }
    }

    /// The first non-empty list at or after `(first, second)` in size order.
    fn first_non_empty(&self, first: usize, second: usize) -> Option<(usize, usize)> {
        let here: u32 = self.second_map[first] & (u32::MAX << second);
        if here != 0 {
            return Some((first, here.trailing_zeros() as usize));
        }
        let above: u64 = self.first_map & u64::MAX.checked_shl(first as u32 + 1).unwrap_or(0);
        if above == 0 {
            return None;
        }
        let first: usize = above.trailing_zeros() as usize;
        Some((first, self.second_map[first].trailing_zeros() as usize))
    }

    /// A free block of at least `size` bytes, taken off its list: the head of the first
    /// non-empty list whose blocks all hold `size` bytes.
    fn take_good_fit(&mut self, size: usize) -> Option<(usize, usize)> {
        let (first, second) = list_for_request(size)?;
        let (first, second) = self.first_non_empty(first, second)?;
        let block: usize = self.heads[first][second];
        // SAFETY: list heads are free blocks of this heap.
        unsafe {
            let found: usize = Self::size_of(block);
            self.unlink(block, found);
            Some((block, found))
        }
    }

    /// A free block of at least `size` bytes from `size`'s own list, whose blocks may be
    /// smaller than `size`, taken off the list. A linear search: only for when neither a good
    /// fit nor the top can serve a request.
    fn take_any_fit(&mut self, size: usize) -> Option<(usize, usize)> {
        let (first, second) = list_of(size);
        let mut block: usize = self.heads[first][second];
        while block != 0 {
            // SAFETY: blocks on a list are free blocks of this heap, with their links.
            unsafe {
                let found: usize = Self::size_of(block);
                if found >= size {
                    self.unlink(block, found);
                    return Some((block, found));
                }
                block = load(block + HEADER);
            }
        }
        None
    }

    /// Uses the first `size` bytes of the unused range `[block, block + available)` as a live
    /// block whose predecessor is live, and frees the rest if it can hold a block.
    ///
    /// # Safety
    /// The range must be a run of this heap's memory that no one uses, ending below the top,
    /// after a live block, and with `size <= available`.
    unsafe fn occupy(&mut self, block: usize, size: usize, available: usize) {
        let rest: usize = available - size;
        // SAFETY: forwarded from the caller; the block after the range exists.
        unsafe {
            if rest >= MIN_BLOCK {
                store(block, size);
                self.insert_free(block + size, rest);
            } else {
                store(block, available);
                Self::set_prev_free(block + available, false);
            }
        }
    }

    /// Carves a block of `size` bytes from the top, or returns `None` if the mapping is full.
    fn carve(&mut self, size: usize) -> Option<usize> {
        let block: usize = self.top;
        let after: usize = block.checked_add(size)?;
        if after > self.end {
            return None;
        }
        // SAFETY: the range lies in the uncarved part of the mapping; the block below the top
        // is live, so the new block's `PREV_FREE` is clear.
        unsafe { store(block, size) };
        self.top = after;
        self.high_water = self.high_water.max(after);
        Some(block)
    }

    /// Allocates a block of `size` bytes (already a valid block size); returns the block.
    fn allocate(&mut self, size: usize) -> Option<usize> {
        let block: usize = match self.take_good_fit(size) {
            Some((block, found)) => {
                // SAFETY: the block was free, so its predecessor is live and it ends below
                // the top.
                unsafe { self.occupy(block, size, found) };
                block
            }
            None => match self.carve(size) {
                Some(block) => block,
                None => {
                    let (block, found) = self.take_any_fit(size)?;
                    // SAFETY: as above.
                    unsafe { self.occupy(block, size, found) };
                    block
                }
            },
        };
        // SAFETY: `block` is now a live block.
        self.in_use += unsafe { Self::size_of(block) };
        self.peak_in_use = self.peak_in_use.max(self.in_use);
        Some(block)
    }

    /// Allocates a block for `size` payload bytes whose payload is aligned to `align`
    /// (a power of two above [`ALIGN`]); returns the block.
    fn allocate_aligned(&mut self, size: usize, align: usize) -> Option<usize> {
        let size: usize = block_size(size)?;
        // Room to move the payload up to the alignment, leaving a free block before it.
        let padded: usize = size.checked_add(align)?.checked_add(MIN_BLOCK)?;
        let block: usize = self.allocate(padded)?;
        let payload: usize = block + HEADER;
        if payload.is_multiple_of(align) {
            // SAFETY: `block` is live; shrinking keeps the payload in place.
            unsafe { self.shrink(block, size) };
            return Some(block);
        }
        let aligned: usize = (payload + MIN_BLOCK).next_multiple_of(align) - HEADER;
        let lead: usize = aligned - block;
        // SAFETY: `block` is live and at least `lead + block_size(size)` bytes: split it into
        // a leading block, freed, and the aligned block.
        unsafe {
            let total: usize = Self::size_of(block);
            let prev_free: usize = load(block) & PREV_FREE;
            store(block, lead | prev_free);
            store(aligned, total - lead);
            self.in_use -= lead;
            self.release(block);
            self.shrink(aligned, size);
        }
        Some(aligned)
    }

    /// Frees the live block at `block`: merges it with free neighbours and gives it back to
    /// its list or to the top. Does not count it out of `in_use`.
    ///
    /// # Safety
    /// `block` must be a live block of this heap that no one uses any more.
    unsafe fn release(&mut self, block: usize) {
        // SAFETY: `block` is a block of this heap; the footer of a free predecessor holds its
        // size, and the block after a block below the top exists.
        unsafe {
            let header: usize = load(block);
            let mut start: usize = block;
            let mut size: usize = header & SIZE_MASK;
            if header & PREV_FREE != 0 {
                let prev_size: usize = load(block - HEADER);
                start = block - prev_size;
                self.unlink(start, prev_size);
                size += prev_size;
            }
            let next: usize = start + size;
            if next == self.top {
                self.top = start;
                return;
            }
            let next_header: usize = load(next);
            if next_header & FREE != 0 {
                let next_size: usize = next_header & SIZE_MASK;
                self.unlink(next, next_size);
                size += next_size;
            }
            self.insert_free(start, size);
        }
    }

    /// Shrinks the live block at `block` to `size` bytes (a valid block size no larger than
    /// its own), freeing the tail if it can hold a block.
    ///
    /// # Safety
    /// `block` must be a live block of this heap.
    unsafe fn shrink(&mut self, block: usize, size: usize) {
        // SAFETY: forwarded from the caller; the tail becomes a live block of its own before
        // it is released.
        unsafe {
            let header: usize = load(block);
            let old: usize = header & SIZE_MASK;
            if old - size < MIN_BLOCK {
                return;
            }
            store(block, size | (header & PREV_FREE));
            store(block + size, old - size);
            self.in_use -= old - size;
            self.release(block + size);
        }
    }

    /// Grows the live block at `block` to `size` bytes without moving it, into the top or a
    /// free successor. Returns whether it did.
    ///
    /// # Safety
    /// `block` must be a live block of this heap.
    unsafe fn grow_in_place(&mut self, block: usize, size: usize) -> bool {
        // SAFETY: forwarded from the caller; the successor is a block or the top.
        unsafe {
            let header: usize = load(block);
            let old: usize = header & SIZE_MASK;
            let next: usize = block + old;
            if next == self.top {
                let Some(after) = block.checked_add(size) else {
                    return false;
                };
                if after > self.end {
                    return false;
                }
                store(block, size | (header & PREV_FREE));
                self.top = after;
                self.high_water = self.high_water.max(after);
            } else {
                let next_header: usize = load(next);
                let available: usize = old + (next_header & SIZE_MASK);
                if next_header & FREE == 0 || available < size {
                    return false;
                }
                self.unlink(next, next_header & SIZE_MASK);
                self.occupy(block, size, available);
                store(block, load(block) | (header & PREV_FREE));
            }
            self.in_use += Self::size_of(block) - old;
        }
        self.peak_in_use = self.peak_in_use.max(self.in_use);
        true
    }
}

// SAFETY: blocks never overlap (each is carved once from the top or taken whole from a free
// list, and split or merged only along block boundaries), hold at least `layout.size()` bytes
// after their header and start their payload at a multiple of `layout.align()`.
unsafe impl GlobalAlloc for FpvmHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(size) = block_size(layout.size()) else {
            return ptr::null_mut();
        };
        self.with_state(|state| {
            if !state.ensure_mapped(self.size) {
                return ptr::null_mut();
            }
            let block: Option<usize> = if layout.align() <= ALIGN {
                state.allocate(size)
            } else {
                state.allocate_aligned(layout.size(), layout.align())
            };
            block.map_or(ptr::null_mut(), |block| (block + HEADER) as *mut u8)
        })
    }

    unsafe fn dealloc(&self, payload: *mut u8, _layout: Layout) {
        self.with_state(|state| {
            let block: usize = payload as usize - HEADER;
            // SAFETY: `payload` came from this heap and is no longer used.
            unsafe {
                state.in_use -= HeapState::size_of(block);
                state.release(block);
            }
        });
    }

    unsafe fn realloc(&self, payload: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Some(size) = block_size(new_size) else {
            return ptr::null_mut();
        };
        let block: usize = payload as usize - HEADER;
        let in_place: bool = self.with_state(|state| {
            // SAFETY: `payload` came from this heap with `layout` and is live; the payload
            // keeps its address, hence its alignment.
            unsafe {
                if size <= HeapState::size_of(block) {
                    state.shrink(block, size);
                    true
                } else {
                    state.grow_in_place(block, size)
                }
            }
        });
        if in_place {
            return payload;
        }
        // SAFETY: the caller guarantees `new_size` rounded to `layout.align()` fits `isize`.
        let new_layout: Layout =
            unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: `new_layout` has a non-zero size.
        let moved: *mut u8 = unsafe { self.alloc(new_layout) };
        if !moved.is_null() {
            // SAFETY: both blocks are valid for the smaller size and do not overlap.
            unsafe {
                ptr::copy_nonoverlapping(payload, moved, layout.size().min(new_size));
                self.dealloc(payload, layout);
            }
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{boxed::Box, collections::BTreeMap, vec, vec::Vec};

    /// A heap over a leaked, page-aligned buffer instead of `mmap`.
    fn heap(size: usize) -> FpvmHeap {
        const PAGE: usize = 4096;
        let buffer: &'static mut [u8] = Box::leak(vec![0u8; size + PAGE].into_boxed_slice());
        let base: usize = (buffer.as_mut_ptr() as usize).next_multiple_of(PAGE);
        let heap: FpvmHeap = FpvmHeap::new(size);
        heap.with_state(|state| state.init_region(base, size));
        heap
    }

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    impl HeapState {
        /// Walks every block from the bottom to the top and every free list, and checks the
        /// allocator's invariants: blocks tile the carved region, flags agree with the
        /// neighbours, no two free blocks touch, no free block touches the top, every free
        /// block is on the list of its size (and only there), and `in_use` is the sum of the
        /// live blocks.
        fn check(&self) {
            let mut free: BTreeMap<usize, usize> = BTreeMap::new();
            let mut live: usize = 0;
            let mut block: usize = self.base + (ALIGN - HEADER);
            let mut prev_free: bool = false;
            while block < self.top {
                // SAFETY: `block` walks the carved region block by block.
                let header: usize = unsafe { load(block) };
                let size: usize = header & SIZE_MASK;
                assert!(
                    size >= MIN_BLOCK && size.is_multiple_of(ALIGN),
                    "block {block:#x} size {size}"
                );
                assert_eq!(
                    header & PREV_FREE != 0,
                    prev_free,
                    "PREV_FREE of {block:#x}"
                );
                let is_free: bool = header & FREE != 0;
                assert!(
                    !(is_free && prev_free),
                    "adjacent free blocks at {block:#x}"
                );
                if is_free {
                    // SAFETY: a free block's last word is its footer.
                    assert_eq!(unsafe { load(block + size - HEADER) }, size, "footer");
                    free.insert(block, size);
                } else {
                    live += size;
                }
                prev_free = is_free;
                block += size;
            }
            assert_eq!(block, self.top, "blocks tile the carved region");
            assert!(!prev_free, "a free block touches the top");
            assert!(self.top <= self.high_water && self.high_water <= self.end);
            assert_eq!(live, self.in_use, "in_use");
            let mut listed: usize = 0;
            for first in 0..FIRST_LEVEL {
                for second in 0..SECOND_LEVEL {
                    let mut block: usize = self.heads[first][second];
                    let non_empty: bool = block != 0;
                    assert_eq!(self.second_map[first] & (1 << second) != 0, non_empty);
                    let mut prev: usize = 0;
                    while block != 0 {
                        let size: usize = free.get(&block).copied().expect("listed block is free");
                        assert_eq!(list_of(size), (first, second), "list of {size}");
                        // SAFETY: listed blocks are free blocks with their links.
                        unsafe {
                            assert_eq!(load(block + 2 * HEADER), prev, "back link");
                            prev = block;
                            block = load(block + HEADER);
                        }
                        listed += 1;
                    }
                }
                assert_eq!(
                    self.first_map & (1 << first) != 0,
                    self.second_map[first] != 0
                );
            }
            assert_eq!(listed, free.len(), "every free block is listed once");
        }
    }

    #[test]
    fn list_boundaries() {
        assert_eq!(block_size(0), Some(32));
        assert_eq!(block_size(24), Some(32));
        assert_eq!(block_size(25), Some(48));
        assert_eq!(block_size(1000), Some(1008));
        assert_eq!(block_size(usize::MAX - 8), None);
        assert_eq!(list_of(32), (0, 2));
        assert_eq!(list_of(240), (0, 15));
        assert_eq!(list_of(256), (1, 0));
        assert_eq!(list_of(272), (1, 1));
        assert_eq!(list_of(511), (1, 15));
        assert_eq!(list_of(512), (2, 0));
        assert_eq!(list_of(1 << 30), (23, 0));
        // A request is served from a list whose smallest block holds it.
        assert_eq!(list_for_request(240), Some((0, 15)));
        assert_eq!(list_for_request(256), Some((1, 0)));
        assert_eq!(list_for_request(272), Some((1, 1)));
        assert_eq!(list_for_request(288), Some((1, 2)));
        assert_eq!(list_for_request(512 + 16), Some((2, 1)));
        assert_eq!(list_for_request(512 + 32), Some((2, 1)));
        assert_eq!(list_for_request(512 + 48), Some((2, 2)));
        assert_eq!(list_for_request(1023), Some((3, 0)));
    }

    #[test]
    fn stats_track_live_blocks_peak_and_high_water() {
        let heap: FpvmHeap = heap(1 << 16);
        let small: Layout = layout(24, 8);
        let large: Layout = layout(1000, 8);
        // SAFETY: non-zero layouts, each block freed once with its own layout.
        unsafe {
            let a: *mut u8 = heap.alloc(small);
            let b: *mut u8 = heap.alloc(large);
            assert_eq!(heap.stats().in_use, 32 + 1008);
            heap.dealloc(a, small);
            heap.dealloc(b, large);
            let stats: HeapStats = heap.stats();
            assert_eq!(stats.in_use, 0);
            assert_eq!(stats.peak_in_use, 32 + 1008);
            // Eight bytes of padding put the first payload on 16 bytes.
            assert_eq!(stats.carved, 8 + 32 + 1008);
            assert_eq!(stats.size, 1 << 16);
        }
        heap.with_state(|state| state.check());
    }

    #[test]
    fn blocks_are_aligned_disjoint_and_usable() {
        let heap: FpvmHeap = heap(1 << 20);
        let mut blocks: Vec<(usize, usize)> = Vec::new();
        for (size, align) in [
            (1, 1),
            (7, 8),
            (16, 16),
            (33, 8),
            (100, 64),
            (4096, 4096),
            (5000, 8),
            (1, 256),
        ] {
            // SAFETY: non-zero-size layout.
            let block: *mut u8 = unsafe { heap.alloc(layout(size, align)) };
            assert!(!block.is_null());
            assert_eq!(block as usize % align, 0, "size {size} align {align}");
            // SAFETY: the block is valid for `size` bytes.
            unsafe { ptr::write_bytes(block, 0xa5, size) };
            blocks.push((block as usize, size));
            heap.with_state(|state| state.check());
        }
        blocks.sort_unstable();
        for pair in blocks.windows(2) {
            assert!(pair[0].0 + pair[0].1 <= pair[1].0, "overlap: {pair:?}");
        }
    }

    #[test]
    fn freed_neighbours_merge_and_serve_any_size() {
        let heap: FpvmHeap = heap(1 << 16);
        let small: Layout = layout(300, 8);
        // SAFETY: layouts are non-zero; every block is freed once with its own layout.
        unsafe {
            let blocks: Vec<*mut u8> = (0..8).map(|_| heap.alloc(small)).collect();
            let guard: *mut u8 = heap.alloc(small);
            let carved: usize = heap.stats().carved;
            // Free them out of order: each merges with whichever neighbours are free.
            for index in [1, 0, 3, 2, 7, 5, 4, 6] {
                heap.dealloc(blocks[index], small);
                heap.with_state(|state| state.check());
            }
            // Eight 304-byte blocks make one free block that a 2 KiB request fits in.
            let big: Layout = layout(2000, 8);
            assert_eq!(heap.alloc(big), blocks[0]);
            assert_eq!(heap.stats().carved, carved, "no new memory carved");
            heap.with_state(|state| state.check());
            heap.dealloc(guard, small);
            heap.dealloc(blocks[0], big);
            assert_eq!(heap.stats().in_use, 0);
            heap.with_state(|state| state.check());
        }
    }

    #[test]
    fn freed_blocks_are_reused_and_split() {
        let heap: FpvmHeap = heap(1 << 16);
        // SAFETY: layouts are non-zero; every block is freed once with its own layout.
        unsafe {
            let a: *mut u8 = heap.alloc(layout(1000, 8));
            let guard: *mut u8 = heap.alloc(layout(8, 8));
            heap.dealloc(a, layout(1000, 8));
            // A smaller request takes the front of the free block, leaving the rest listed.
            let b: *mut u8 = heap.alloc(layout(100, 8));
            assert_eq!(b, a);
            let c: *mut u8 = heap.alloc(layout(200, 8));
            assert_eq!(c as usize, b as usize + 112);
            heap.with_state(|state| state.check());
            let carved: usize = heap.stats().carved;
            // Freeing the last block merges it with the free rest of `a` before it and gives
            // both back to the top; the next request starts there.
            heap.dealloc(guard, layout(8, 8));
            let d: *mut u8 = heap.alloc(layout(8, 8));
            assert_eq!(d as usize, c as usize + 208);
            assert_eq!(heap.stats().carved, carved);
            heap.with_state(|state| state.check());
        }
    }

    #[test]
    fn realloc_grows_and_shrinks_in_place_when_it_can() {
        let heap: FpvmHeap = heap(1 << 20);
        // SAFETY: every block is live when resized and used within its size.
        unsafe {
            let a: *mut u8 = heap.alloc(layout(100, 8));
            ptr::copy_nonoverlapping([1u8, 2, 3, 4].as_ptr(), a, 4);
            // The last block grows into the top.
            let grown: *mut u8 = heap.realloc(a, layout(100, 8), 10_000);
            assert_eq!(grown, a);
            heap.with_state(|state| state.check());
            // Shrinking keeps the block and frees its tail, which the next block takes.
            assert_eq!(heap.realloc(a, layout(10_000, 8), 1000), a);
            let b: *mut u8 = heap.alloc(layout(100, 8));
            assert_eq!(b as usize, a as usize + 1008);
            heap.with_state(|state| state.check());
            // Blocked by `b`, growing moves the data.
            let moved: *mut u8 = heap.realloc(a, layout(1000, 8), 5000);
            assert_ne!(moved, a);
            assert_eq!(core::slice::from_raw_parts(moved, 4), &[1, 2, 3, 4]);
            heap.with_state(|state| state.check());
            heap.dealloc(b, layout(100, 8));
            heap.dealloc(moved, layout(5000, 8));
            assert_eq!(heap.stats().in_use, 0);
            heap.with_state(|state| state.check());
        }
        let heap: FpvmHeap = self::heap(1 << 20);
        // SAFETY: as above.
        unsafe {
            // `c` has a free block before it and grows into the free block after it.
            let before: *mut u8 = heap.alloc(layout(100, 8));
            let c: *mut u8 = heap.alloc(layout(100, 8));
            let gap: *mut u8 = heap.alloc(layout(3000, 8));
            let d: *mut u8 = heap.alloc(layout(100, 8));
            heap.dealloc(before, layout(100, 8));
            heap.dealloc(gap, layout(3000, 8));
            assert_eq!(heap.realloc(c, layout(100, 8), 2000), c);
            heap.with_state(|state| state.check());
            // An exact fit is taken first, then what is left of the gap.
            assert_eq!(heap.alloc(layout(100, 8)), before);
            let e: *mut u8 = heap.alloc(layout(500, 8));
            assert_eq!(e as usize, c as usize + 2016);
            heap.with_state(|state| state.check());
            assert_eq!(heap.stats().in_use, 112 + 2016 + 512 + 112);
            for (block, size) in [(d, 100), (before, 100), (e, 500), (c, 2000)] {
                heap.dealloc(block, layout(size, 8));
                heap.with_state(|state| state.check());
            }
            assert_eq!(heap.stats().in_use, 0);
        }
    }

    #[test]
    fn exhaustion_returns_null_and_any_fitting_block_is_used_first() {
        let heap: FpvmHeap = heap(4096);
        // SAFETY: non-zero layouts; every block is freed once with its own layout.
        unsafe {
            // 8 bytes of padding, a 3000-byte block and a guard.
            let a: *mut u8 = heap.alloc(layout(3000 - 8, 8));
            let guard: *mut u8 = heap.alloc(layout(24, 8));
            assert!(heap.alloc(layout(2000, 8)).is_null());
            heap.dealloc(a, layout(3000 - 8, 8));
            // 2960 bytes: no list holds only blocks that large, and the top is too small, so
            // the 3000-byte block's own list is searched.
            let b: *mut u8 = heap.alloc(layout(2950, 8));
            assert_eq!(b, a);
            heap.with_state(|state| state.check());
            heap.dealloc(b, layout(2950, 8));
            heap.dealloc(guard, layout(24, 8));
            assert!(heap.alloc(layout(usize::MAX / 2, 1)).is_null());
            assert!(heap.alloc(layout(8, 1 << 20)).is_null());
            heap.with_state(|state| state.check());
        }
    }

    /// A deterministic pseudo-random sequence (xorshift64).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> usize {
            (self.next() % n) as usize
        }
    }

    #[test]
    fn random_allocations_keep_contents_and_invariants() {
        let heap: FpvmHeap = heap(1 << 24);
        let mut rng: Rng = Rng(0x9e37_79b9_7f4a_7c15);
        // (payload, layout, fill byte)
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        for step in 0..20_000u32 {
            let size: usize = match rng.below(10) {
                0..=5 => 1 + rng.below(300),
                6..=8 => 1 + rng.below(20_000),
                _ => 1 + rng.below(300_000),
            };
            // Mostly the alignments Rust types ask for; one in ten over-aligned.
            let align: usize = if rng.below(10) == 0 {
                [64, 4096][rng.below(2)]
            } else {
                [1, 8, 16][rng.below(3)]
            };
            let fill: u8 = step as u8;
            let action: usize = rng.below(10);
            if action < 5 || live.is_empty() {
                let layout: Layout = layout(size, align);
                // SAFETY: non-zero layout.
                let block: *mut u8 = unsafe { heap.alloc(layout) };
                if block.is_null() {
                    continue;
                }
                assert_eq!(block as usize % align, 0);
                // SAFETY: the block is valid for `size` bytes.
                unsafe { ptr::write_bytes(block, fill, size) };
                live.push((block, layout, fill));
            } else {
                let index: usize = rng.below(live.len() as u64);
                let (block, old, old_fill) = live.swap_remove(index);
                // SAFETY: the block is live with `old` and holds `old_fill` throughout.
                unsafe {
                    let bytes: &[u8] = core::slice::from_raw_parts(block, old.size());
                    assert!(bytes.iter().all(|byte| *byte == old_fill), "step {step}");
                    if action < 8 {
                        heap.dealloc(block, old);
                    } else {
                        let moved: *mut u8 = heap.realloc(block, old, size);
                        if moved.is_null() {
                            live.push((block, old, old_fill));
                            continue;
                        }
                        let new: Layout = layout(size, old.align());
                        assert_eq!(moved as usize % old.align(), 0);
                        let kept: &[u8] = core::slice::from_raw_parts(moved, old.size().min(size));
                        assert!(kept.iter().all(|byte| *byte == old_fill), "step {step}");
                        ptr::write_bytes(moved, fill, size);
                        live.push((moved, new, fill));
                    }
                }
            }
            if step % 500 == 0 {
                heap.with_state(|state| state.check());
            }
        }
        heap.with_state(|state| state.check());
        for (block, layout, fill) in live {
            // SAFETY: each live block is valid for its layout's size, and freed once with it.
            unsafe {
                let bytes: &[u8] = core::slice::from_raw_parts(block, layout.size());
                assert!(
                    bytes.iter().all(|byte| *byte == fill),
                    "a live block was overwritten"
                );
                heap.dealloc(block, layout);
            }
        }
        heap.with_state(|state| {
            state.check();
            // Everything merged back into the top.
            assert_eq!(state.top, state.base + (ALIGN - HEADER));
        });
        assert_eq!(heap.stats().in_use, 0);
    }
}
