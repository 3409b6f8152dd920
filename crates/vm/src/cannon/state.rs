//! Cannon's multithreaded MIPS64 state, its 188-byte witness and its hash.

use alloc::vec::Vec;
use alloy_primitives::{B256, keccak256};

use super::{
    arch::HEAP_START,
    thread::{ThreadState, thread_stack_root},
};
use crate::{VmStatus, memory::Memory};

/// Bytes of the state witness.
pub const STATE_WITNESS_LEN: usize = 188;

/// No memory reservation.
pub const LL_STATUS_NONE: u8 = 0;
/// A reservation by `ll` (32-bit).
pub const LL_STATUS_ACTIVE_32_BIT: u8 = 1;
/// A reservation by `lld` (64-bit).
pub const LL_STATUS_ACTIVE_64_BIT: u8 = 2;

/// The full state of the machine: the 188-byte witness fields with the memory and threads
/// they commit to, and the partial hint the program is writing (outside the witness, kept in
/// state files like Cannon's `LastHint`).
#[derive(Debug, Clone)]
pub struct CannonState {
    /// All memory (its merkle root is the witness's `memRoot`).
    pub memory: Memory,
    /// The last preimage key written on the preimage request fd.
    pub preimage_key: B256,
    /// The offset of the next preimage read.
    pub preimage_offset: u64,
    /// The base of the next anonymous mmap.
    pub heap: u64,
    /// 0: no reservation, 1: `ll`, 2: `lld`.
    pub ll_reservation_status: u8,
    /// The address of the reservation (0 if none).
    pub ll_address: u64,
    /// The thread holding the reservation (0 if none).
    pub ll_owner_thread: u64,
    /// The VM's exit code.
    pub exit_code: u8,
    /// Whether the VM has exited.
    pub exited: bool,
    /// Steps executed.
    pub step: u64,
    /// Steps on the active thread since its last preemption.
    pub steps_since_last_context_switch: u64,
    /// Whether the active thread is on the right stack.
    pub traverse_right: bool,
    /// The left thread stack, bottom first (the top is the last element).
    pub left_thread_stack: Vec<ThreadState>,
    /// The right thread stack, bottom first (the top is the last element).
    pub right_thread_stack: Vec<ThreadState>,
    /// The id of the next thread created.
    pub next_thread_id: u64,
    /// Hint bytes written but not yet complete.
    pub last_hint: Vec<u8>,
}

impl CannonState {
    /// The initial state of a program entered at `pc`: one thread (id 0) on the left stack,
    /// the heap at [`HEAP_START`], empty memory.
    pub fn new(pc: u64) -> Self {
        Self {
            memory: Memory::new(),
            preimage_key: B256::ZERO,
            preimage_offset: 0,
            heap: HEAP_START,
            ll_reservation_status: LL_STATUS_NONE,
            ll_address: 0,
            ll_owner_thread: 0,
            exit_code: 0,
            exited: false,
            step: 0,
            steps_since_last_context_switch: 0,
            traverse_right: false,
            left_thread_stack: alloc::vec![ThreadState::new(0, pc)],
            right_thread_stack: Vec::new(),
            next_thread_id: 1,
            last_hint: Vec::new(),
        }
    }

    /// The stack holding the active thread.
    pub fn active_stack(&self) -> &[ThreadState] {
        if self.traverse_right {
            &self.right_thread_stack
        } else {
            &self.left_thread_stack
        }
    }

    /// The stack not holding the active thread.
    pub fn inactive_stack(&self) -> &[ThreadState] {
        if self.traverse_right {
            &self.left_thread_stack
        } else {
            &self.right_thread_stack
        }
    }

    pub(crate) fn active_stack_mut(&mut self) -> &mut Vec<ThreadState> {
        if self.traverse_right {
            &mut self.right_thread_stack
        } else {
            &mut self.left_thread_stack
        }
    }

    pub(crate) fn inactive_stack_mut(&mut self) -> &mut Vec<ThreadState> {
        if self.traverse_right {
            &mut self.left_thread_stack
        } else {
            &mut self.right_thread_stack
        }
    }

    /// The active thread (top of the active stack), if any.
    pub fn active_thread(&self) -> Option<&ThreadState> {
        self.active_stack().last()
    }

    /// Number of threads on both stacks.
    pub fn thread_count(&self) -> usize {
        self.left_thread_stack.len() + self.right_thread_stack.len()
    }

    /// The VM status.
    pub const fn status(&self) -> VmStatus {
        VmStatus::new(self.exited, self.exit_code)
    }

    /// The 188-byte state witness.
    pub fn encode_witness(&mut self) -> [u8; STATE_WITNESS_LEN] {
        let mut out = [0u8; STATE_WITNESS_LEN];
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            out[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        put(self.memory.merkle_root().as_slice());
        put(self.preimage_key.as_slice());
        put(&self.preimage_offset.to_be_bytes());
        put(&self.heap.to_be_bytes());
        put(&[self.ll_reservation_status]);
        put(&self.ll_address.to_be_bytes());
        put(&self.ll_owner_thread.to_be_bytes());
        put(&[self.exit_code, self.exited as u8]);
        put(&self.step.to_be_bytes());
        put(&self.steps_since_last_context_switch.to_be_bytes());
        put(&[self.traverse_right as u8]);
        put(thread_stack_root(&self.left_thread_stack).as_slice());
        put(thread_stack_root(&self.right_thread_stack).as_slice());
        put(&self.next_thread_id.to_be_bytes());
        debug_assert_eq!(at, STATE_WITNESS_LEN);
        out
    }

    /// The state hash: `keccak256` of the witness with the status in the high byte.
    pub fn state_hash(&mut self) -> B256 {
        let witness = self.encode_witness();
        witness_hash(&witness)
    }
}

/// The hash of a 188-byte witness with its status byte (read from the witness's `exited` and
/// `exitCode` fields).
pub fn witness_hash(witness: &[u8; STATE_WITNESS_LEN]) -> B256 {
    // exitCode is at 32+32+8+8+1+8+8 = 97, exited at 98.
    let status = VmStatus::new(witness[98] != 0, witness[97]);
    status.stamp(keccak256(witness))
}
