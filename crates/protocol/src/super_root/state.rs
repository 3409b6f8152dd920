//! What a super dispute game's claims commit to.

use alloc::vec::Vec;
use alloy_primitives::{B256, b256, keccak256};

use super::{
    error::{SuperRootError, TransitionStateError},
    super_output::{SUPER_ROOT_VERSION, SuperRoot},
    transition::{TRANSITION_STATE_VERSION, TransitionState},
};

/// The preimage of the invalid state: `utf8("invalid")`.
pub const INVALID_STATE_PREIMAGE: &[u8] = b"invalid";

/// The invalid state, `keccak256(utf8("invalid"))`: the post-state of a transition with no
/// valid proposal (L1 data runs out), and of every step from it.
pub const INVALID_STATE_HASH: B256 =
    b256!("0xffd7db0f9d5cdeb49c4c9eba649d4dc6d852d64671e65488e57f58584992ac68");

/// A state of the super-root state transition: the preimage of a claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SuperState {
    /// A super root: the canonical state of every chain at a timestamp.
    SuperRoot(SuperRoot),
    /// A transition state between two super roots.
    Transition(TransitionState),
    /// The invalid state.
    Invalid,
}

/// A pre-state preimage that is none of the three states.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuperStateError {
    /// No bytes at all.
    #[error("super-root state preimage is empty")]
    Empty,
    /// The first byte is neither 0x01 (super root) nor 0xff (transition state), and the bytes
    /// are not `invalid`.
    #[error(
        "super-root state preimage starts with {0:#04x}: not a super root (0x01), a transition state (0xff) or `invalid`"
    )]
    UnknownVersion(u8),
    /// A malformed super root.
    #[error(transparent)]
    SuperRoot(#[from] SuperRootError),
    /// A malformed transition state.
    #[error(transparent)]
    Transition(#[from] TransitionStateError),
}

impl SuperState {
    /// Decodes a state preimage by its first byte (`specs/interop/fault-proof.md`: the program
    /// identifies the step to perform from the agreed pre-state).
    pub fn decode(bytes: &[u8]) -> Result<Self, SuperStateError> {
        match bytes.first() {
            None => Err(SuperStateError::Empty),
            Some(&SUPER_ROOT_VERSION) => Ok(Self::SuperRoot(SuperRoot::decode(bytes)?)),
            Some(&TRANSITION_STATE_VERSION) => {
                Ok(Self::Transition(TransitionState::decode(bytes)?))
            }
            Some(_) if bytes == INVALID_STATE_PREIMAGE => Ok(Self::Invalid),
            Some(&first) => Err(SuperStateError::UnknownVersion(first)),
        }
    }

    /// The preimage.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Self::SuperRoot(root) => root.encode(),
            Self::Transition(state) => state.encode(),
            Self::Invalid => INVALID_STATE_PREIMAGE.to_vec(),
        }
    }

    /// The commitment: `keccak256` of the preimage.
    pub fn hash(&self) -> B256 {
        match self {
            Self::Invalid => INVALID_STATE_HASH,
            other => keccak256(other.encode()),
        }
    }

    /// The timestamp of the super root the state is at or transforms from; `None` for the
    /// invalid state.
    pub const fn timestamp(&self) -> Option<u64> {
        match self {
            Self::SuperRoot(root) => Some(root.timestamp()),
            Self::Transition(state) => Some(state.super_root().timestamp()),
            Self::Invalid => None,
        }
    }

    /// The super root the state is at or transforms from; `None` for the invalid state.
    pub const fn super_root(&self) -> Option<&SuperRoot> {
        match self {
            Self::SuperRoot(root) => Some(root),
            Self::Transition(state) => Some(state.super_root()),
            Self::Invalid => None,
        }
    }
}
