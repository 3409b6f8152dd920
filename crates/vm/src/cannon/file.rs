//! Cannon's binary state file (`.bin`, gzip-compressed as `.bin.gz`), as `cannon load-elf` and
//! `cannon run` write and read it.
//!
//! Layout (big-endian, counts before repeated items): the state version (1 byte); the memory
//! (page count as u64, then each page as its index u64 and 4,096 bytes, sorted by index); the
//! preimage key (32); preimage offset, heap (u64 each); ll status (1); ll address, ll owner
//! (u64); exit code (1); exited (1, 0 or 1); step, steps since the last context switch (u64);
//! traverse right (1); next thread id (u64); the left stack (count u64, then 298-byte threads,
//! bottom first); the right stack likewise; the partial hint (length u64, then its bytes).

use alloc::{format, vec::Vec};
use alloy_primitives::B256;

use super::{CannonState, StateVersion, ThreadState, thread::THREAD_WITNESS_LEN};
use crate::{VmError, memory::PAGE_SIZE};

fn invalid(msg: impl core::fmt::Display) -> VmError {
    VmError::InvalidState(format!("{msg}"))
}

/// Encodes `state` at `version` in Cannon's binary format.
pub fn encode_state(state: &CannonState, version: StateVersion) -> Vec<u8> {
    let pages = state.memory.pages();
    let mut out = Vec::with_capacity(1 + 8 + pages.len() * (8 + PAGE_SIZE) + 512);
    out.push(version as u8);
    out.extend_from_slice(&(pages.len() as u64).to_be_bytes());
    for (index, data) in pages {
        out.extend_from_slice(&index.to_be_bytes());
        out.extend_from_slice(data);
    }
    out.extend_from_slice(state.preimage_key.as_slice());
    out.extend_from_slice(&state.preimage_offset.to_be_bytes());
    out.extend_from_slice(&state.heap.to_be_bytes());
    out.push(state.ll_reservation_status);
    out.extend_from_slice(&state.ll_address.to_be_bytes());
    out.extend_from_slice(&state.ll_owner_thread.to_be_bytes());
    out.push(state.exit_code);
    out.push(state.exited as u8);
    out.extend_from_slice(&state.step.to_be_bytes());
    out.extend_from_slice(&state.steps_since_last_context_switch.to_be_bytes());
    out.push(state.traverse_right as u8);
    out.extend_from_slice(&state.next_thread_id.to_be_bytes());
    for stack in [&state.left_thread_stack, &state.right_thread_stack] {
        out.extend_from_slice(&(stack.len() as u64).to_be_bytes());
        for thread in stack {
            out.extend_from_slice(&thread.encode());
        }
    }
    out.extend_from_slice(&(state.last_hint.len() as u64).to_be_bytes());
    out.extend_from_slice(&state.last_hint);
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], VmError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let end =
            end.ok_or_else(|| invalid(format_args!("truncated state file (reading {what})")))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u8(&mut self, what: &str) -> Result<u8, VmError> {
        Ok(self.take(1, what)?[0])
    }

    fn bool(&mut self, what: &str) -> Result<bool, VmError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(invalid(format_args!("{what} is {other}, not a boolean"))),
        }
    }

    fn u64(&mut self, what: &str) -> Result<u64, VmError> {
        Ok(u64::from_be_bytes(
            self.take(8, what)?.try_into().expect("8 bytes"),
        ))
    }

    /// A count of items of `item_len` bytes each, checked against the bytes left.
    fn count(&mut self, item_len: usize, what: &str) -> Result<usize, VmError> {
        let n = self.u64(what)?;
        let left = (self.bytes.len() - self.at) as u64;
        if n.checked_mul(item_len as u64)
            .is_none_or(|need| need > left)
        {
            return Err(invalid(format_args!("{what} {n} exceeds the file")));
        }
        Ok(n as usize)
    }
}

/// Decodes a Cannon binary state; its version and state.
pub fn decode_state(bytes: &[u8]) -> Result<(StateVersion, CannonState), VmError> {
    let mut r = Reader { bytes, at: 0 };
    let raw = r.u8("the state version")?;
    let version = StateVersion::from_u8(raw).ok_or_else(|| {
        invalid(format_args!(
            "state version {raw} is not supported (koa runs 7 and 8)"
        ))
    })?;
    let mut state = CannonState::new(0);
    state.left_thread_stack.clear();
    let pages = r.count(8 + PAGE_SIZE, "the page count")?;
    let mut last: Option<u64> = None;
    for _ in 0..pages {
        let index = r.u64("a page index")?;
        if index >= 1 << 52 {
            return Err(invalid(format_args!(
                "page index {index:#x} is outside 64-bit memory"
            )));
        }
        if last.is_some_and(|l| index <= l) {
            return Err(invalid(format_args!(
                "page {index:#x} is out of order or repeated"
            )));
        }
        last = Some(index);
        let data: &[u8; PAGE_SIZE] = r.take(PAGE_SIZE, "a page")?.try_into().expect("page size");
        state.memory.set_page(index, data);
    }
    state.preimage_key = B256::from_slice(r.take(32, "the preimage key")?);
    state.preimage_offset = r.u64("the preimage offset")?;
    state.heap = r.u64("the heap")?;
    state.ll_reservation_status = r.u8("the ll status")?;
    if state.ll_reservation_status > 2 {
        return Err(invalid(format_args!(
            "ll status {} is not 0, 1 or 2",
            state.ll_reservation_status
        )));
    }
    state.ll_address = r.u64("the ll address")?;
    state.ll_owner_thread = r.u64("the ll owner")?;
    state.exit_code = r.u8("the exit code")?;
    state.exited = r.bool("exited")?;
    state.step = r.u64("the step")?;
    state.steps_since_last_context_switch = r.u64("the steps since the last context switch")?;
    state.traverse_right = r.bool("traverse right")?;
    state.next_thread_id = r.u64("the next thread id")?;
    for right in [false, true] {
        let n = r.count(THREAD_WITNESS_LEN, "the thread count")?;
        let mut stack = Vec::with_capacity(n);
        for _ in 0..n {
            let thread = ThreadState::decode(r.take(THREAD_WITNESS_LEN, "a thread")?)
                .ok_or_else(|| invalid("a thread's exited flag is not a boolean"))?;
            stack.push(thread);
        }
        if right {
            state.right_thread_stack = stack;
        } else {
            state.left_thread_stack = stack;
        }
    }
    let hint_len = r.count(1, "the hint length")?;
    state.last_hint = r.take(hint_len, "the hint")?.to_vec();
    if r.at != bytes.len() {
        return Err(invalid(format_args!(
            "{} trailing bytes after the state",
            bytes.len() - r.at
        )));
    }
    if state.active_stack().is_empty() && !state.exited {
        return Err(VmError::EmptyThreadStack);
    }
    Ok((version, state))
}

/// The IEEE CRC-32 of `data` (gzip's checksum).
fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (n, entry) in table.iter_mut().enumerate() {
        let mut c = n as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *entry = c;
    }
    let mut crc = !0u32;
    for &b in data {
        crc = table[((crc ^ b as u32) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}

/// `data` as a gzip member (deflate level 6, no file name).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = alloc::vec![0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF];
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// The contents of a gzip file (its first member), checked against its CRC and length.
pub fn gunzip(data: &[u8]) -> Result<Vec<u8>, VmError> {
    if data.len() < 18 || data[0] != 0x1F || data[1] != 0x8B || data[2] != 8 {
        return Err(invalid("not a gzip file"));
    }
    let flags = data[3];
    let mut at = 10;
    let skip_field = |at: &mut usize| -> Result<(), VmError> {
        let end = data[*at..]
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| invalid("truncated gzip header"))?;
        *at += end + 1;
        Ok(())
    };
    if flags & 4 != 0 {
        let len = u16::from_le_bytes([data[at], data[at + 1]]) as usize;
        at += 2 + len;
    }
    if flags & 8 != 0 {
        skip_field(&mut at)?;
    }
    if flags & 16 != 0 {
        skip_field(&mut at)?;
    }
    if flags & 2 != 0 {
        at += 2;
    }
    if at + 8 > data.len() {
        return Err(invalid("truncated gzip file"));
    }
    let (out, used) = inflate(&data[at..])?;
    let trailer = &data[at + used..];
    if trailer.len() < 8 {
        return Err(invalid("truncated gzip trailer"));
    }
    let crc = u32::from_le_bytes(trailer[..4].try_into().expect("4 bytes"));
    let len = u32::from_le_bytes(trailer[4..8].try_into().expect("4 bytes"));
    if crc != crc32(&out) || len != out.len() as u32 {
        return Err(invalid("gzip checksum mismatch: the file is corrupt"));
    }
    Ok(out)
}

/// Inflates a raw deflate stream; the data and the compressed bytes consumed.
fn inflate(data: &[u8]) -> Result<(Vec<u8>, usize), VmError> {
    use miniz_oxide::inflate::{
        TINFLStatus,
        core::{
            DecompressorOxide, decompress, inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
        },
    };
    let mut decompressor = DecompressorOxide::new();
    let mut out = alloc::vec![0u8; data.len().saturating_mul(4).max(1 << 16)];
    let mut in_pos = 0;
    let mut out_pos = 0;
    loop {
        let (status, read, written) = decompress(
            &mut decompressor,
            &data[in_pos..],
            &mut out,
            out_pos,
            TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
        );
        in_pos += read;
        out_pos += written;
        match status {
            TINFLStatus::Done => {
                out.truncate(out_pos);
                return Ok((out, in_pos));
            }
            TINFLStatus::HasMoreOutput => {
                let len = out.len();
                if len >= 1 << 36 {
                    return Err(invalid("gzip data inflates beyond 64 GiB"));
                }
                out.resize(len * 2, 0);
            }
            _ => return Err(invalid(format_args!("corrupt gzip data ({status:?})"))),
        }
    }
}
