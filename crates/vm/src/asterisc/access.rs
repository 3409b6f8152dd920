//! Memory access of one step, through a [`Tracker`] that records the merkle proofs a step
//! proof needs (or does nothing on the fast path).
//!
//! Asterisc proves memory in 32-byte leaves. A step touches at most four: proof 0 is the leaf
//! of the instruction; proofs 1 and 2 the leaves of a load or store (2 only when the access
//! straddles two leaves; a store's right leaf is proven *after* its left leaf is written, i.e.
//! against the updated root); an atomic's store reuses the load's proof 1 (and would use
//! proof 3 on the right, which its natural alignment never needs). A preimage read or key
//! write uses proof 1 for the destination or source leaf. Proofs are recorded in the order the
//! step first reads each leaf, which is the order `RISCV.sol` consumes them.

use crate::memory::{LEAF_SIZE, MEMORY_PROOF_LEN, Memory};
use alloc::vec::Vec;

/// Records what a step reads, for its proof.
pub(crate) trait Tracker {
    /// The leaf at `leaf_addr` (a multiple of 32) is read by the step now, with the memory in
    /// its current (partly updated) state.
    fn leaf(&mut self, memory: &mut Memory, leaf_addr: u64);
}

/// The fast path: records nothing.
pub(crate) struct NoProof;

impl Tracker for NoProof {
    #[inline(always)]
    fn leaf(&mut self, _memory: &mut Memory, _leaf_addr: u64) {}
}

/// Records the memory proof of every leaf a step reads, in order.
#[derive(Default)]
pub(crate) struct ProofRecorder {
    /// The concatenated 1,920-byte proofs.
    pub(crate) proofs: Vec<u8>,
}

impl Tracker for ProofRecorder {
    fn leaf(&mut self, memory: &mut Memory, leaf_addr: u64) {
        debug_assert_eq!(leaf_addr % LEAF_SIZE as u64, 0);
        let proof: [u8; MEMORY_PROOF_LEN] = memory.merkle_proof(leaf_addr);
        self.proofs.extend_from_slice(&proof);
    }
}

/// The address of the 32-byte leaf holding `addr`.
#[inline(always)]
pub(crate) const fn leaf_of(addr: u64) -> u64 {
    addr & !(LEAF_SIZE as u64 - 1)
}

/// Whether `size` bytes at `addr` lie in two leaves.
#[inline(always)]
pub(crate) const fn straddles(addr: u64, size: u64) -> bool {
    leaf_of(addr.wrapping_add(size).wrapping_sub(1)) != leaf_of(addr)
}

/// Loads `size` (≤ 8) bytes little-endian at `addr`, sign-extended if `signed`. Tracks the
/// left leaf, then the right one if the load straddles.
#[inline(always)]
pub(crate) fn load<T: Tracker>(
    memory: &mut Memory,
    tracker: &mut T,
    addr: u64,
    size: u64,
    signed: bool,
) -> u64 {
    tracker.leaf(memory, leaf_of(addr));
    if straddles(addr, size) {
        tracker.leaf(memory, leaf_of(addr.wrapping_add(size - 1)));
    }
    let mut bytes = [0u8; 8];
    memory.read(addr, &mut bytes[..size as usize]);
    let value = u64::from_le_bytes(bytes);
    let bits = size * 8;
    if signed && bits < 64 && value & (1 << (bits - 1)) != 0 {
        value | (u64::MAX << bits)
    } else {
        value
    }
}

/// Stores `bytes` (≤ 32) at `addr`: the part in the left leaf first (tracking that leaf if
/// `track_left`; an atomic's store reuses its load's proof), then, if the store straddles, the
/// right leaf is tracked against the updated memory and written.
#[inline(always)]
pub(crate) fn store<T: Tracker>(
    memory: &mut Memory,
    tracker: &mut T,
    addr: u64,
    bytes: &[u8],
    track_left: bool,
) {
    let left = leaf_of(addr);
    if track_left {
        tracker.leaf(memory, left);
    }
    if !straddles(addr, bytes.len() as u64) {
        memory.write(addr, bytes);
        return;
    }
    let right = left.wrapping_add(LEAF_SIZE as u64);
    let left_len = right.wrapping_sub(addr) as usize;
    memory.write(addr, &bytes[..left_len]);
    tracker.leaf(memory, right);
    memory.write(right, &bytes[left_len..]);
}
