//! The Asterisc VM state, its 362-byte witness encoding and the state hash.
//!
//! The witness is what `RISCV.sol`'s `step` takes as `_stateData`: the fields below in this
//! order, integers big-endian.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 32 | memory merkle root |
//! | 32 | 32 | preimage key |
//! | 64 | 8 | preimage offset |
//! | 72 | 8 | PC |
//! | 80 | 1 | exit code |
//! | 81 | 1 | exited (0 or 1) |
//! | 82 | 8 | step |
//! | 90 | 8 | heap (the next anonymous `mmap` address) |
//! | 98 | 8 | load reservation (the address of the last `lr`) |
//! | 106 | 256 | registers x0..x31 |
//!
//! The state hash is `keccak256(witness)` with its first byte replaced by the VM status
//! (0 valid, 1 invalid, 2 panic, 3 unfinished), as op-challenger and the dispute game read it.

use crate::{VmStatus, memory::Memory};
use alloc::vec::Vec;
use alloy_primitives::{B256, keccak256};

/// Size of the state witness in bytes.
pub const STATE_WITNESS_SIZE: usize = 362;

/// Offset of the exit code in the witness (memory root, preimage key, offset, PC before it).
pub const EXIT_CODE_OFFSET: usize = 32 + 32 + 8 + 8;

/// Where `mmap(NULL, …)` starts handing out memory in a state loaded from an ELF
/// (`0x7f00_0000_0000`: above every address Go's riscv64 heap hints use).
pub const INITIAL_HEAP: u64 = 0x7f00_0000_0000;

/// The complete Asterisc machine state.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// The 64-bit address space, a binary merkle tree of 32-byte leaves.
    pub memory: Memory,
    /// The preimage key assembled from writes to fd 6.
    pub preimage_key: [u8; 32],
    /// Read position in the current preimage, counting its 8-byte length prefix.
    pub preimage_offset: u64,
    /// Program counter.
    pub pc: u64,
    /// Exit code, once exited.
    pub exit_code: u8,
    /// Whether the program has exited.
    pub exited: bool,
    /// Instructions executed so far.
    pub step: u64,
    /// Next address `mmap(NULL, …)` returns.
    pub heap: u64,
    /// Address reserved by the last `lr.w`/`lr.d` (0: none).
    pub load_reservation: u64,
    /// Integer registers `x0..x31` (`x0` always 0).
    pub registers: [u64; 32],
    /// Hint bytes written to fd 4 that do not yet form a complete hint (length-prefixed).
    /// Metadata, not part of the witness: a run resumed from this state replays it.
    pub last_hint: Vec<u8>,
}

impl State {
    /// An empty state with the heap where an ELF-loaded state starts it.
    pub fn new() -> Self {
        Self {
            heap: INITIAL_HEAP,
            ..Self::default()
        }
    }

    /// The 362-byte witness (computes the memory merkle root).
    pub fn encode_witness(&mut self) -> [u8; STATE_WITNESS_SIZE] {
        let root = self.memory.merkle_root();
        let mut out = [0u8; STATE_WITNESS_SIZE];
        out[0..32].copy_from_slice(root.as_slice());
        out[32..64].copy_from_slice(&self.preimage_key);
        out[64..72].copy_from_slice(&self.preimage_offset.to_be_bytes());
        out[72..80].copy_from_slice(&self.pc.to_be_bytes());
        out[80] = self.exit_code;
        out[81] = u8::from(self.exited);
        out[82..90].copy_from_slice(&self.step.to_be_bytes());
        out[90..98].copy_from_slice(&self.heap.to_be_bytes());
        out[98..106].copy_from_slice(&self.load_reservation.to_be_bytes());
        for (i, reg) in self.registers.iter().enumerate() {
            out[106 + 8 * i..114 + 8 * i].copy_from_slice(&reg.to_be_bytes());
        }
        out
    }

    /// The VM status.
    pub const fn status(&self) -> VmStatus {
        VmStatus::new(self.exited, self.exit_code)
    }

    /// The state hash: the witness's keccak256 with the status in its first byte.
    pub fn state_hash(&mut self) -> B256 {
        state_hash(&self.encode_witness())
    }
}

/// The state hash of an encoded witness: keccak256 with the first byte set to the status the
/// witness's exit code and exited flag give.
pub fn state_hash(witness: &[u8; STATE_WITNESS_SIZE]) -> B256 {
    let exited = witness[EXIT_CODE_OFFSET + 1] == 1;
    VmStatus::new(exited, witness[EXIT_CODE_OFFSET]).stamp(keccak256(witness))
}
