//! The hint server's memory follows the bytes a program sends, not the length it announces:
//! a program announcing the maximum hint length and then stopping costs the host next to
//! nothing.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    sync::atomic::{AtomicUsize, Ordering},
    thread,
};

use koa_preimage::{
    DEFAULT_MAX_HINT_LEN, HintReader, MemoryChannel, NoopHintRouter, ServerError, write_all,
};

/// The system allocator, recording the largest single allocation.
struct LargestAllocation;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to `System`, only recording sizes.
unsafe impl GlobalAlloc for LargestAllocation {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from the caller.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: forwarded from the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: LargestAllocation = LargestAllocation;

#[test]
fn an_announced_length_is_not_allocated_up_front() {
    let (raw, server_end) = MemoryChannel::pair();
    let server = thread::spawn(move || HintReader::new(server_end).serve(&NoopHintRouter));
    write_all(&raw, &DEFAULT_MAX_HINT_LEN.to_be_bytes()).unwrap();
    write_all(&raw, b"l1-block-header 0x").unwrap();
    drop(raw);
    assert_eq!(
        server.join().unwrap(),
        Err(ServerError::Truncated {
            expected: 4 + u64::from(DEFAULT_MAX_HINT_LEN),
            received: 4 + 18,
        })
    );
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(
        largest < 1 << 20,
        "largest allocation {largest} bytes for an 18-byte hint"
    );
}
