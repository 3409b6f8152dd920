//! The transition state between two super roots.

use alloc::vec::Vec;
use alloy_primitives::{B256, Bytes, keccak256};
use alloy_rlp::{Decodable, Encodable, Header, RlpDecodable, RlpEncodable};

use super::{
    error::{SuperRootError, TransitionStateError},
    super_output::SuperRoot,
};

/// The version byte that prefixes an encoded transition state.
pub const TRANSITION_STATE_VERSION: u8 = 0xFF;

/// Steps from the super root at one timestamp to the super root at the next.
pub const STEPS_PER_TIMESTAMP: u64 = 128;

/// The step whose pre-state is consolidated into the next super root (`Step = 127`).
pub const CONSOLIDATION_STEP: u64 = STEPS_PER_TIMESTAMP - 1;

/// The most chains a super root can hold: one derivation step each before consolidation.
pub const MAX_SUPER_ROOT_CHAINS: usize = CONSOLIDATION_STEP as usize;

/// The next block derived for one chain, before its executing messages are checked
/// (`LocalSafeBlock`: `[block hash, output root]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, RlpEncodable, RlpDecodable)]
pub struct LocalSafeBlock {
    /// The block's hash.
    pub block_hash: B256,
    /// The block's output root.
    pub output_root: B256,
}

/// The state of a super-root transition after `step` steps
/// (`0xFF ‖ rlp[super output bytes, [[block hash, output root]…], step]`).
///
/// A value of this type always has `step` ≤ [`CONSOLIDATION_STEP`] and one pending block per
/// chain derived so far, `min(step, chains)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TransitionState {
    super_root: SuperRoot,
    pending_progress: Vec<LocalSafeBlock>,
    step: u64,
}

impl TransitionState {
    /// The transition state a super root is converted to before its first step: `Step = 0`,
    /// no pending progress.
    pub const fn start(super_root: SuperRoot) -> Self {
        Self {
            super_root,
            pending_progress: Vec::new(),
            step: 0,
        }
    }

    /// A transition state from its parts, checked as decoding checks them.
    pub fn new(
        super_root: SuperRoot,
        pending_progress: Vec<LocalSafeBlock>,
        step: u64,
    ) -> Result<Self, TransitionStateError> {
        if step > CONSOLIDATION_STEP {
            return Err(TransitionStateError::StepOutOfRange(step));
        }
        let expected = (step as usize).min(super_root.output_roots().len());
        if pending_progress.len() != expected {
            return Err(TransitionStateError::PendingProgress {
                step,
                pending: pending_progress.len(),
                expected,
            });
        }
        Ok(Self {
            super_root,
            pending_progress,
            step,
        })
    }

    /// The super output being transformed from (at the prior timestamp).
    pub const fn super_root(&self) -> &SuperRoot {
        &self.super_root
    }

    /// The blocks derived so far, one per chain in chain-id order.
    pub fn pending_progress(&self) -> &[LocalSafeBlock] {
        &self.pending_progress
    }

    /// Steps applied since the super output.
    pub const fn step(&self) -> u64 {
        self.step
    }

    /// The index (in the super root) of the chain whose next block this step derives, `None`
    /// for a padding step or the consolidation step.
    pub fn deriving_chain_index(&self) -> Option<usize> {
        let step = self.step as usize;
        (self.step < CONSOLIDATION_STEP && step < self.super_root.output_roots().len())
            .then_some(step)
    }

    /// Whether this state is consolidated by the next step.
    pub const fn is_consolidation(&self) -> bool {
        self.step == CONSOLIDATION_STEP
    }

    /// The state after a derivation step: `block` appended, `Step` incremented. `None` when
    /// this step derives no block ([`TransitionState::deriving_chain_index`] is `None`).
    pub fn with_derived_block(mut self, block: LocalSafeBlock) -> Option<Self> {
        self.deriving_chain_index()?;
        self.pending_progress.push(block);
        self.step += 1;
        Some(self)
    }

    /// The state after a padding step (past the chain count): `Step` incremented. `None` when
    /// this step derives a block or consolidates.
    pub fn padded(mut self) -> Option<Self> {
        if self.deriving_chain_index().is_some() || self.is_consolidation() {
            return None;
        }
        self.step += 1;
        Some(self)
    }

    /// RLP payload length of the list after the version byte.
    fn payload_len(&self) -> usize {
        let super_len = self.super_root.encoded_len();
        Header {
            list: false,
            payload_length: super_len,
        }
        .length()
            + super_len
            + self.pending_progress.length()
            + self.step.length()
    }

    /// The encoding `0xFF ‖ rlp[super output bytes, pending progress, step]`.
    pub fn encode(&self) -> Vec<u8> {
        let payload_length = self.payload_len();
        let mut out = Vec::with_capacity(1 + payload_length + 9);
        out.push(TRANSITION_STATE_VERSION);
        Header {
            list: true,
            payload_length,
        }
        .encode(&mut out);
        Bytes::from(self.super_root.encode()).encode(&mut out);
        self.pending_progress.encode(&mut out);
        self.step.encode(&mut out);
        out
    }

    /// Decodes exactly one encoding, checking what [`TransitionState::new`] checks.
    pub fn decode(bytes: &[u8]) -> Result<Self, TransitionStateError> {
        let (&version, mut rest) = bytes.split_first().ok_or(TransitionStateError::Empty)?;
        if version != TRANSITION_STATE_VERSION {
            return Err(TransitionStateError::Version(version));
        }
        let header = Header::decode(&mut rest)?;
        if !header.list {
            return Err(alloy_rlp::Error::UnexpectedString.into());
        }
        if rest.len() < header.payload_length {
            return Err(alloy_rlp::Error::InputTooShort.into());
        }
        if rest.len() > header.payload_length {
            return Err(TransitionStateError::TrailingBytes(
                rest.len() - header.payload_length,
            ));
        }
        let super_bytes = Bytes::decode(&mut rest)?;
        let super_root = SuperRoot::decode(&super_bytes).map_err(TransitionStateError::from)?;
        let pending_progress = Vec::<LocalSafeBlock>::decode(&mut rest)?;
        let step = u64::decode(&mut rest)?;
        if !rest.is_empty() {
            return Err(alloy_rlp::Error::ListLengthMismatch {
                expected: header.payload_length,
                got: header.payload_length - rest.len(),
            }
            .into());
        }
        Self::new(super_root, pending_progress, step)
    }

    /// The commitment to this state: `keccak256` of the encoding.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }

    /// The super output after consolidation: the timestamp plus one, each chain's output root
    /// taken from `output_roots` (one per chain, in the super root's order: the pending
    /// blocks' roots, or a replacement's). `None` unless this is the consolidation state and
    /// the count matches.
    pub fn consolidated(&self, output_roots: &[B256]) -> Option<Result<SuperRoot, SuperRootError>> {
        let chains = self.super_root.output_roots();
        if !self.is_consolidation() || output_roots.len() != chains.len() {
            return None;
        }
        let timestamp = self.super_root.timestamp().checked_add(1)?;
        let roots = chains
            .iter()
            .zip(output_roots)
            .map(|(chain, root)| super::OutputRootWithChainId {
                chain_id: chain.chain_id,
                output_root: *root,
            })
            .collect();
        Some(SuperRoot::new(timestamp, roots))
    }
}
