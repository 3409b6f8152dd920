//! The super-root state transition's commitments, encoded from the specs as the generator's
//! ground truth (`specs/fault-proof/stage-one/optimism-portal.md`, Super Output;
//! `specs/interop/fault-proof.md`, Transition State and Invalid State).
//!
//! The devnet encodes them itself, independently of `koa-protocol`, so that the claims
//! manifest checks the program's types instead of repeating them.

use alloy_primitives::{B256, Bytes, U256, keccak256};
use alloy_rlp::{Encodable, Header};

/// The super output version this devnet writes.
pub const SUPER_ROOT_VERSION: u8 = 1;

/// The version byte of an encoded transition state.
pub const TRANSITION_STATE_VERSION: u8 = 0xff;

/// The steps of one timestamp: steps 0–126 derive (or pad), step 127 consolidates.
pub const CONSOLIDATION_STEP: u64 = 127;

/// The invalid state's preimage: `utf8("invalid")`.
pub const INVALID_PREIMAGE: &[u8] = b"invalid";

/// The invalid state, `keccak256(utf8("invalid"))`.
pub fn invalid_state() -> B256 {
    keccak256(INVALID_PREIMAGE)
}

/// A V1 super output: a timestamp and each chain's output root, by ascending chain id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuperOutput {
    /// The super root's timestamp.
    pub timestamp: u64,
    /// `(chain id, output root)`, ascending by chain id.
    pub outputs: Vec<(u64, B256)>,
}

impl SuperOutput {
    /// `0x01 ‖ timestamp (8 bytes, big-endian) ‖ (chain id (32 bytes) ‖ output root)*`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(9 + 64 * self.outputs.len());
        out.push(SUPER_ROOT_VERSION);
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        for (chain_id, root) in &self.outputs {
            out.extend_from_slice(&U256::from(*chain_id).to_be_bytes::<32>());
            out.extend_from_slice(root.as_slice());
        }
        out
    }

    /// The super root: `keccak256` of the encoding.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }
}

/// A local safe block of a transition state's pending progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalSafeBlock {
    /// The block hash.
    pub block_hash: B256,
    /// The block's output root.
    pub output_root: B256,
}

/// A transition state: the super output transformed from, the blocks derived so far, the
/// steps applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionState {
    /// The super output at the prior timestamp.
    pub super_output: SuperOutput,
    /// One block per chain derived so far, in chain order.
    pub pending_progress: Vec<LocalSafeBlock>,
    /// Steps applied since `super_output`.
    pub step: u64,
}

impl TransitionState {
    /// `0xFF ‖ rlp([super output bytes, [[block hash, output root], …], step])`.
    pub fn encode(&self) -> Vec<u8> {
        let super_bytes = Bytes::from(self.super_output.encode());
        let pending: Vec<Vec<u8>> = self
            .pending_progress
            .iter()
            .map(|block| {
                let mut item = Vec::new();
                Header {
                    list: true,
                    payload_length: 66,
                }
                .encode(&mut item);
                block.block_hash.encode(&mut item);
                block.output_root.encode(&mut item);
                item
            })
            .collect();
        let pending_length: usize = pending.iter().map(Vec::len).sum();
        let mut pending_list = Vec::new();
        Header {
            list: true,
            payload_length: pending_length,
        }
        .encode(&mut pending_list);
        for item in &pending {
            pending_list.extend_from_slice(item);
        }
        let payload_length = super_bytes.length() + pending_list.len() + self.step.length();
        let mut out = vec![TRANSITION_STATE_VERSION];
        Header {
            list: true,
            payload_length,
        }
        .encode(&mut out);
        super_bytes.encode(&mut out);
        out.extend_from_slice(&pending_list);
        self.step.encode(&mut out);
        out
    }

    /// The transition state's commitment: `keccak256` of the encoding.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }
}

/// A state of the super-root trace: what a claim commits to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceState {
    /// A super root.
    Super(SuperOutput),
    /// A transition state between two super roots.
    Transition(TransitionState),
    /// The invalid state.
    Invalid,
}

impl TraceState {
    /// The state's preimage (what `--agreed-l2-pre-state` carries).
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Self::Super(output) => output.encode(),
            Self::Transition(state) => state.encode(),
            Self::Invalid => INVALID_PREIMAGE.to_vec(),
        }
    }

    /// The state's commitment.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{b256, hex};

    #[test]
    fn invalid_state_is_the_spec_constant() {
        // kona's INVALID_TRANSITION_HASH and the spec's keccak256(utf8("invalid")).
        assert_eq!(
            invalid_state(),
            b256!("ffd7db0f9d5cdeb49c4c9eba649d4dc6d852d64671e65488e57f58584992ac68")
        );
    }

    #[test]
    fn super_output_layout() {
        let output = SuperOutput {
            timestamp: 0x0102,
            outputs: vec![
                (10, B256::repeat_byte(0xaa)),
                (0x1234, B256::repeat_byte(0xbb)),
            ],
        };
        let bytes = output.encode();
        assert_eq!(bytes.len(), 1 + 8 + 2 * 64);
        assert_eq!(&bytes[..9], &hex!("010000000000000102"));
        assert_eq!(bytes[9 + 31], 10);
        assert_eq!(&bytes[9 + 32..9 + 64], B256::repeat_byte(0xaa).as_slice());
        assert_eq!(&bytes[73 + 30..73 + 32], &[0x12, 0x34]);
    }

    #[test]
    fn transition_state_layout() {
        let state = TransitionState {
            super_output: SuperOutput {
                timestamp: 5,
                outputs: vec![(1, B256::repeat_byte(1))],
            },
            pending_progress: vec![LocalSafeBlock {
                block_hash: B256::repeat_byte(2),
                output_root: B256::repeat_byte(3),
            }],
            step: 1,
        };
        let bytes = state.encode();
        // 0xff, list header (payload 75 + 70 + 1 = 146 → f8 92), super bytes (73: b8 49 …),
        // pending list (f8 44 f8 42 a0 … a0 …), step 0x01.
        assert_eq!(bytes[0], 0xff);
        assert_eq!(&bytes[1..3], &[0xf8, 146]);
        assert_eq!(&bytes[3..5], &[0xb8, 73]);
        assert_eq!(&bytes[5..5 + 73], state.super_output.encode().as_slice());
        let pending = &bytes[78..];
        assert_eq!(&pending[..4], &[0xf8, 0x44, 0xf8, 0x42]);
        assert_eq!(pending[4], 0xa0);
        assert_eq!(&pending[5..37], B256::repeat_byte(2).as_slice());
        assert_eq!(*bytes.last().unwrap(), 1);
        assert_eq!(bytes.len(), 3 + 146);
    }
}
