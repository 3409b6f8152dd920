//! Asterisc's binary state file (`state.bin`, gzip-compressed as `.bin.gz` by the caller), as
//! `rvgo/fast/state.go` `VMState.Serialize` writes it. Integers are big-endian.
//!
//! ```text
//! page count u64, then per page: page index u64, 4096 bytes
//! preimage key [32] | preimage offset u64 | pc u64 | exit code u8 | exited u8 (0/1)
//! step u64 | heap u64 | load reservation u64 | registers 32 × u64
//! last hint: u32 length + bytes | witness: u32 length + bytes | state hash [32]
//! ```
//!
//! (Asterisc's doc comment gives the two byte strings `uint64` lengths; its writer —
//! op-service `BinaryWriter.WriteBytes` — writes `uint32`. koa follows the writer.) koa writes
//! pages sorted by index (Go's map order is random) and always includes the witness and state
//! hash; on reading, a present witness and hash must match the state, so a corrupt file is an
//! error rather than a different state.

use super::state::{STATE_WITNESS_SIZE, State, state_hash};
use crate::memory::PAGE_SIZE;
use alloc::vec::Vec;
use alloy_primitives::B256;

/// Why a state file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateFileError {
    /// The file ends inside a field.
    #[error("state file truncated in {0}")]
    Truncated(&'static str),
    /// Bytes after the state hash.
    #[error("{0} unexpected bytes after the state")]
    TrailingBytes(usize),
    /// The exited flag is neither 0 nor 1.
    #[error("exited flag is {0}, not 0 or 1")]
    BadExitedFlag(u8),
    /// A page index appears twice.
    #[error("page {0:#x} appears twice")]
    DuplicatePage(u64),
    /// The stored witness is not the state's.
    #[error("the stored witness does not match the state")]
    WitnessMismatch,
    /// The stored state hash is not the witness's.
    #[error("the stored state hash {stored} does not match the state's {computed}")]
    StateHashMismatch {
        /// The hash in the file.
        stored: B256,
        /// The hash of the state read.
        computed: B256,
    },
}

/// Serializes `state` in Asterisc's binary format.
pub fn serialize_state(state: &mut State) -> Vec<u8> {
    let pages = state.memory.pages();
    let mut out = Vec::with_capacity(8 + pages.len() * (8 + PAGE_SIZE) + 512);
    out.extend_from_slice(&(pages.len() as u64).to_be_bytes());
    for (index, data) in &pages {
        out.extend_from_slice(&index.to_be_bytes());
        out.extend_from_slice(&data[..]);
    }
    out.extend_from_slice(&state.preimage_key);
    for v in [state.preimage_offset, state.pc] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.push(state.exit_code);
    out.push(u8::from(state.exited));
    for v in [state.step, state.heap, state.load_reservation] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    for reg in state.registers {
        out.extend_from_slice(&reg.to_be_bytes());
    }
    out.extend_from_slice(&(state.last_hint.len() as u32).to_be_bytes());
    out.extend_from_slice(&state.last_hint);
    let witness = state.encode_witness();
    out.extend_from_slice(&(STATE_WITNESS_SIZE as u32).to_be_bytes());
    out.extend_from_slice(&witness);
    out.extend_from_slice(state_hash(&witness).as_slice());
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], StateFileError> {
        let end = self
            .at
            .checked_add(n)
            .ok_or(StateFileError::Truncated(what))?;
        let out = self
            .bytes
            .get(self.at..end)
            .ok_or(StateFileError::Truncated(what))?;
        self.at = end;
        Ok(out)
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, StateFileError> {
        Ok(u64::from_be_bytes(
            self.take(8, what)?.try_into().expect("8 bytes"),
        ))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, StateFileError> {
        Ok(u32::from_be_bytes(
            self.take(4, what)?.try_into().expect("4 bytes"),
        ))
    }
}

/// Reads a state in Asterisc's binary format.
pub fn deserialize_state(bytes: &[u8]) -> Result<State, StateFileError> {
    let mut r = Reader { bytes, at: 0 };
    let mut state = State::new();
    let pages = r.u64("page count")?;
    let mut seen = alloc::collections::BTreeSet::new();
    for _ in 0..pages {
        let index = r.u64("page index")?;
        let data: &[u8; PAGE_SIZE] = r.take(PAGE_SIZE, "page data")?.try_into().expect("page");
        if !seen.insert(index) {
            return Err(StateFileError::DuplicatePage(index));
        }
        state.memory.set_page(index, data);
    }
    state.preimage_key = r.take(32, "preimage key")?.try_into().expect("32 bytes");
    state.preimage_offset = r.u64("preimage offset")?;
    state.pc = r.u64("pc")?;
    state.exit_code = r.take(1, "exit code")?[0];
    state.exited = match r.take(1, "exited")?[0] {
        0 => false,
        1 => true,
        other => return Err(StateFileError::BadExitedFlag(other)),
    };
    state.step = r.u64("step")?;
    state.heap = r.u64("heap")?;
    state.load_reservation = r.u64("load reservation")?;
    for reg in state.registers.iter_mut() {
        *reg = r.u64("registers")?;
    }
    let hint_len = r.u32("last hint length")? as usize;
    state.last_hint = r.take(hint_len, "last hint")?.to_vec();
    let witness_len = r.u32("witness length")? as usize;
    let stored_witness = r.take(witness_len, "witness")?;
    let stored_hash = B256::from_slice(r.take(32, "state hash")?);
    if r.at != bytes.len() {
        return Err(StateFileError::TrailingBytes(bytes.len() - r.at));
    }
    if !stored_witness.is_empty() {
        let witness = state.encode_witness();
        if stored_witness != witness.as_slice() {
            return Err(StateFileError::WitnessMismatch);
        }
        let computed = state_hash(&witness);
        if stored_hash != computed {
            return Err(StateFileError::StateHashMismatch {
                stored: stored_hash,
                computed,
            });
        }
    }
    Ok(state)
}
