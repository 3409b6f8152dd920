//! Bounded brotli inflation on top of `brotli-decompressor`'s `no_std` streaming API.

use super::compression::DecompressEnd;
use alloc::{boxed::Box, vec, vec::Vec};
use brotli_decompressor::{
    Allocator, BrotliDecompressStream, BrotliResult, BrotliState, HuffmanCode, SliceWrapper,
    SliceWrapperMut,
};
use core::marker::PhantomData;

/// Size of the scratch buffer the decoder writes into before bytes are moved to the output.
const CHUNK_SIZE: usize = 64 * 1024;

/// Heap memory handed to the brotli decoder.
#[derive(Debug)]
struct HeapSlice<T>(Box<[T]>);

impl<T> Default for HeapSlice<T> {
    fn default() -> Self {
        Self(Box::new([]))
    }
}

impl<T> SliceWrapper<T> for HeapSlice<T> {
    fn slice(&self) -> &[T] {
        &self.0
    }
}

impl<T> SliceWrapperMut<T> for HeapSlice<T> {
    fn slice_mut(&mut self) -> &mut [T] {
        &mut self.0
    }
}

/// A brotli-decompressor allocator backed by the global allocator.
#[derive(Debug, Default)]
struct HeapAllocator<T>(PhantomData<T>);

impl<T: Clone + Default> Allocator<T> for HeapAllocator<T> {
    type AllocatedMemory = HeapSlice<T>;

    fn alloc_cell(&mut self, len: usize) -> HeapSlice<T> {
        HeapSlice(vec![T::default(); len].into_boxed_slice())
    }

    fn free_cell(&mut self, _data: HeapSlice<T>) {}
}

/// Inflates a brotli stream (without the channel version byte) into at most `limit` bytes.
///
/// Large-window brotli (a non-standard extension) is rejected, as the reference
/// implementation's decoder does, which also bounds the decoder's window at 16 MiB.
pub(crate) fn inflate_brotli(input: &[u8], limit: usize) -> (Vec<u8>, DecompressEnd) {
    // The decoder's API takes 32-bit sizes; a larger input cannot be a valid channel anyway.
    if u32::try_from(input.len()).is_err() {
        return (Vec::new(), DecompressEnd::Corrupt);
    }
    let mut state = BrotliState::new_strict(
        HeapAllocator::<u8>::default(),
        HeapAllocator::<u32>::default(),
        HeapAllocator::<HuffmanCode>::default(),
    );
    let mut output = Vec::new();
    let mut chunk = vec![0u8; CHUNK_SIZE];
    let mut available_in = input.len();
    let mut input_offset = 0usize;
    let mut total_out = 0usize;
    loop {
        let mut available_out = chunk.len();
        let mut output_offset = 0usize;
        let result = BrotliDecompressStream(
            &mut available_in,
            &mut input_offset,
            input,
            &mut available_out,
            &mut output_offset,
            &mut chunk,
            &mut total_out,
            &mut state,
        );
        let produced = chunk.get(..output_offset).unwrap_or_default();
        let room = limit.saturating_sub(output.len());
        if produced.len() > room {
            output.extend_from_slice(produced.get(..room).unwrap_or_default());
            return (output, DecompressEnd::LimitReached);
        }
        output.extend_from_slice(produced);
        match result {
            BrotliResult::ResultSuccess => return (output, DecompressEnd::Complete),
            BrotliResult::NeedsMoreOutput => {
                if output.len() >= limit {
                    return (output, DecompressEnd::LimitReached);
                }
            }
            BrotliResult::NeedsMoreInput => return (output, DecompressEnd::Truncated),
            BrotliResult::ResultFailure => return (output, DecompressEnd::Corrupt),
        }
    }
}
