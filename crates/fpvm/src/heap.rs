//! The program heap: one large anonymous `mmap`, carved into power-of-two size classes.
//!
//! The mapping is made on the first allocation and is committed page by page as it is touched
//! (the VMs and Linux both allocate pages lazily), so its size is address space, not memory.
//! Every block has a power-of-two size of at least 16 bytes; freed blocks go on an intrusive
//! free list of their class and are reused first. This keeps `alloc`/`dealloc` constant-time,
//! which matters on a VM where every instruction is a proof step, at the cost of up to 2x
//! internal fragmentation.

use crate::syscall;
use core::{
    alloc::{GlobalAlloc, Layout},
    cell::UnsafeCell,
    ptr,
    sync::atomic::{AtomicBool, Ordering},
};

/// The default heap size: 4 GiB of address space.
pub const DEFAULT_HEAP_SIZE: usize = 1 << 32;

/// Blocks are carved with this alignment at most, unless a layout asks for more.
const PAGE_SIZE: usize = 4096;
/// The smallest block (`1 << MIN_CLASS` bytes) holds the free-list link.
const MIN_CLASS: u32 = 4;
/// One free list per possible power of two.
const CLASSES: usize = usize::BITS as usize;

/// What a heap has used so far, for reports and tests (see [`FpvmHeap::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeapStats {
    /// Bytes in live blocks (block sizes, i.e. requests rounded up to their size class).
    pub in_use: usize,
    /// The largest `in_use` seen.
    pub peak_in_use: usize,
    /// Bytes of the mapping handed out so far (live, free-listed and alignment padding): the
    /// heap's high-water mark, which must stay within its size.
    pub carved: usize,
    /// The size of the mapping.
    pub size: usize,
}

/// Allocator state, guarded by [`FpvmHeap::locked`].
#[derive(Debug)]
struct HeapState {
    /// First address of the mapping, `0` before the mapping is made.
    base: usize,
    /// Next unused address of the mapping, `0` before the mapping is made.
    next: usize,
    /// One past the last address of the mapping.
    end: usize,
    /// Head of each class's free list (`0` when empty); each free block stores the next link
    /// in its first word.
    free: [usize; CLASSES],
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
                next: 0,
                end: 0,
                free: [0; CLASSES],
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
            carved: state.next - state.base,
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

    /// The size class of `layout`, or `None` if no block can hold it.
    fn class_of(layout: Layout) -> Option<u32> {
        let size: usize = layout.size().max(layout.align()).max(1 << MIN_CLASS);
        Some(size.checked_next_power_of_two()?.trailing_zeros())
    }
}

impl HeapState {
    /// Carves a fresh block of class `class` aligned to `align`, mapping the region if needed.
    fn carve(&mut self, class: u32, align: usize, heap_size: usize) -> *mut u8 {
        if self.end == 0 {
            match syscall::mmap_anonymous(heap_size) {
                Ok(base) if !base.is_null() => {
                    self.base = base as usize;
                    self.next = base as usize;
                    self.end = (base as usize).saturating_add(heap_size);
                }
                _ => return ptr::null_mut(),
            }
        }
        let block: usize = 1 << class;
        let align: usize = align.max(block.min(PAGE_SIZE));
        let Some(start) = self.next.checked_add(align - 1).map(|a| a & !(align - 1)) else {
            return ptr::null_mut();
        };
        match start.checked_add(block) {
            Some(after) if after <= self.end => {
                self.next = after;
                start as *mut u8
            }
            _ => ptr::null_mut(),
        }
    }
}

// SAFETY: blocks never overlap (each is carved once from the bump region or reused after being
// freed), are at least `layout.size()` bytes and aligned to `layout.align()`.
unsafe impl GlobalAlloc for FpvmHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = Self::class_of(layout) else {
            return ptr::null_mut();
        };
        self.with_state(|state| {
            let head: usize = state.free[class as usize];
            // Blocks on a free list are aligned to min(block, PAGE_SIZE) or more, enough for
            // any layout whose alignment is at most a page.
            let block: *mut u8 = if head != 0 && layout.align() <= PAGE_SIZE {
                // SAFETY: `head` is a free block of this class; its first word is the link.
                state.free[class as usize] = unsafe { *(head as *const usize) };
                head as *mut u8
            } else {
                state.carve(class, layout.align(), self.size)
            };
            if !block.is_null() {
                state.in_use += 1 << class;
                state.peak_in_use = state.peak_in_use.max(state.in_use);
            }
            block
        })
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        let Some(class) = Self::class_of(layout) else {
            return;
        };
        self.with_state(|state| {
            // SAFETY: `block` came from `alloc` with this layout, so it is a block of `class`,
            // at least 16 bytes and word-aligned, and no longer in use.
            unsafe { *(block as *mut usize) = state.free[class as usize] };
            state.free[class as usize] = block as usize;
            state.in_use -= 1 << class;
        });
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size` rounded to `layout.align()` fits `isize`.
        let new_layout: Layout =
            unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if Self::class_of(layout) == Self::class_of(new_layout) {
            return block;
        }
        // SAFETY: forwarded from the caller.
        let new_block: *mut u8 = unsafe { self.alloc(new_layout) };
        if !new_block.is_null() {
            // SAFETY: both blocks are valid for the smaller size and do not overlap.
            unsafe {
                ptr::copy_nonoverlapping(block, new_block, layout.size().min(new_size));
                self.dealloc(block, layout);
            }
        }
        new_block
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{boxed::Box, vec, vec::Vec};

    /// A heap over a leaked, page-aligned buffer instead of `mmap`.
    fn heap(size: usize) -> FpvmHeap {
        let buffer: &'static mut [u8] = Box::leak(vec![0u8; size + PAGE_SIZE].into_boxed_slice());
        let base: usize = (buffer.as_mut_ptr() as usize + PAGE_SIZE - 1) & !(PAGE_SIZE - 1);
        let heap: FpvmHeap = FpvmHeap::new(size);
        heap.with_state(|state| {
            state.base = base;
            state.next = base;
            state.end = base + size;
        });
        heap
    }

    #[test]
    fn stats_track_live_blocks_peak_and_high_water() {
        let heap: FpvmHeap = heap(1 << 16);
        let small: Layout = Layout::from_size_align(24, 8).unwrap();
        let large: Layout = Layout::from_size_align(1000, 8).unwrap();
        // SAFETY: non-zero layouts, each block freed once with its own layout.
        unsafe {
            let a: *mut u8 = heap.alloc(small);
            let b: *mut u8 = heap.alloc(large);
            assert_eq!(heap.stats().in_use, 32 + 1024);
            heap.dealloc(b, large);
            heap.dealloc(a, small);
            let stats: HeapStats = heap.stats();
            assert_eq!(stats.in_use, 0);
            assert_eq!(stats.peak_in_use, 32 + 1024);
            // The 1 KiB block is aligned to 1 KiB after the 32-byte one.
            assert_eq!(stats.carved, 2048);
            assert_eq!(stats.size, 1 << 16);
        }
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
        ] {
            let layout: Layout = Layout::from_size_align(size, align).unwrap();
            // SAFETY: non-zero-size layout.
            let block: *mut u8 = unsafe { heap.alloc(layout) };
            assert!(!block.is_null());
            assert_eq!(block as usize % align, 0, "size {size} align {align}");
            // SAFETY: the block is valid for `size` bytes.
            unsafe { ptr::write_bytes(block, 0xa5, size) };
            blocks.push((block as usize, size));
        }
        blocks.sort_unstable();
        for pair in blocks.windows(2) {
            assert!(pair[0].0 + pair[0].1 <= pair[1].0, "overlap: {pair:?}");
        }
    }

    #[test]
    fn freed_blocks_are_reused_by_class() {
        let heap: FpvmHeap = heap(1 << 16);
        let small: Layout = Layout::from_size_align(24, 8).unwrap();
        let same_class: Layout = Layout::from_size_align(32, 8).unwrap();
        let other_class: Layout = Layout::from_size_align(64, 8).unwrap();
        // SAFETY: layouts are non-zero; every block is freed with its own layout.
        unsafe {
            let a: *mut u8 = heap.alloc(small);
            heap.dealloc(a, small);
            assert_eq!(heap.alloc(same_class), a);
            let b: *mut u8 = heap.alloc(other_class);
            assert_ne!(b, a);
        }
    }

    #[test]
    fn realloc_grows_in_place_within_a_class_and_copies_across() {
        let heap: FpvmHeap = heap(1 << 16);
        let layout: Layout = Layout::from_size_align(20, 4).unwrap();
        // SAFETY: the block is live and used within its size.
        unsafe {
            let block: *mut u8 = heap.alloc(layout);
            ptr::copy_nonoverlapping([1u8, 2, 3, 4].as_ptr(), block, 4);
            assert_eq!(heap.realloc(block, layout, 32), block);
            let moved: *mut u8 = heap.realloc(block, Layout::from_size_align(32, 4).unwrap(), 100);
            assert_ne!(moved, block);
            assert_eq!(core::slice::from_raw_parts(moved, 4), &[1, 2, 3, 4]);
        }
    }

    #[test]
    fn exhaustion_returns_null() {
        let heap: FpvmHeap = heap(4096);
        let page: Layout = Layout::from_size_align(4096, 8).unwrap();
        // SAFETY: non-zero layouts.
        unsafe {
            assert!(!heap.alloc(page).is_null());
            assert!(heap.alloc(page).is_null());
            assert!(
                heap.alloc(Layout::from_size_align(usize::MAX / 2, 1).unwrap())
                    .is_null()
            );
        }
    }
}
