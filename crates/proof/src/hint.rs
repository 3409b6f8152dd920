//! Hints: the client's notes to the host about the preimages it is about to request.
//!
//! A hint travels as the UTF-8 string `<name> 0x<hex payload>` (fault-proof specification,
//! "Hinting"; the names and payload layouts are kona's, so koa's client works with kona-host
//! and koa's host serves kona's client). The host uses a hint to fetch and store the
//! preimages of one piece of chain data before the client asks for them; a hint is never
//! trusted by the client, which checks every preimage it reads against its key.
//!
//! | name                       | payload                                                      |
//! |----------------------------|--------------------------------------------------------------|
//! | `l1-block-header`          | block hash (32)                                              |
//! | `l1-transactions`          | block hash (32)                                              |
//! | `l1-receipts`              | block hash (32)                                              |
//! | `l1-blob`                  | versioned hash (32) ‖ index u64 BE ‖ L1 timestamp u64 BE     |
//! | `l1-precompile`            | address (20) ‖ gas u64 BE ‖ input                            |
//! | `l2-block-header`          | block hash (32) [‖ chain id u64 BE]                          |
//! | `l2-transactions`          | block hash (32) [‖ chain id u64 BE]                          |
//! | `l2-code`                  | code hash (32) [‖ chain id u64 BE]                           |
//! | `l2-state-node`            | node hash (32) [‖ chain id u64 BE]                           |
//! | `starting-l2-output`       | agreed L2 output root (32)                                   |
//! | `l2-account-proof`         | block number u64 BE ‖ address (20) [‖ chain id u64 BE]       |
//! | `l2-account-storage-proof` | block number u64 BE ‖ address (20) ‖ slot (32) [‖ chain id]  |
//! | `l2-payload-witness`       | parent block hash (32) ‖ payload attributes (JSON)           |
//! | `agreed-pre-state`         | agreed pre-state commitment (32)                             |
//! | `l2-output-root`           | output root (32) ‖ chain id u64 BE                           |
//! | `l2-receipts`              | block hash (32) ‖ chain id u64 BE                            |
//! | `l2-block-data`            | parent block hash (32) ‖ block hash (32) ‖ chain id u64 BE   |
//!
//! The optional trailing chain id is kona's multi-chain (interop) extension; a single-chain
//! client omits it, and kona's single-chain host rejects it. The last four are the super-root
//! program's (kona's interop hints): `agreed-pre-state` asks for the preimage of the agreed
//! super root or transition state, `l2-output-root` for the output root preimage of one chain
//! of the pre-state (the host finds the block from the pre-state's timestamp), `l2-block-data`
//! for everything needed to re-derive and execute one block of a chain.
//!
//! The specs (`specs/fault-proof/index.md`, "Hinting") name the output hint `l2-output
//! <outputroot> <chainID>?`; kona's client sends `l2-output-root` with the chain id always
//! present, and koa follows kona on the wire so kona-host serves koa's client.

use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};
use alloy_primitives::{Address, B256, Bytes, hex};
use core::{fmt, str::FromStr};
use koa_preimage::{HintWriterClient, PreimageOracleError};

/// The kind of a [`Hint`], named on the wire as kona names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HintType {
    /// `l1-block-header`: an L1 block header by hash.
    L1BlockHeader,
    /// `l1-transactions`: the transaction trie of an L1 block by block hash.
    L1Transactions,
    /// `l1-receipts`: the receipt trie of an L1 block by block hash.
    L1Receipts,
    /// `l1-blob`: a blob's commitment, field elements and proof.
    L1Blob,
    /// `l1-precompile`: the result of an L1 precompile call (accelerated precompiles).
    L1Precompile,
    /// `l2-block-header`: an L2 block header by hash.
    L2BlockHeader,
    /// `l2-transactions`: the transaction trie of an L2 block by block hash.
    L2Transactions,
    /// `l2-code`: contract bytecode by code hash.
    L2Code,
    /// `l2-state-node`: one state or storage trie node by hash.
    L2StateNode,
    /// `starting-l2-output`: the preimage of the agreed L2 output root.
    StartingL2Output,
    /// `l2-account-proof`: the state-trie path to an account at a block.
    L2AccountProof,
    /// `l2-account-storage-proof`: the paths to an account and one of its storage slots.
    L2AccountStorageProof,
    /// `l2-payload-witness`: every preimage needed to execute a payload on a parent block.
    L2PayloadWitness,
    /// `agreed-pre-state`: the preimage of the agreed super-root pre-state commitment.
    AgreedPreState,
    /// `l2-output-root`: the output root preimage of one chain in the agreed pre-state.
    L2OutputRoot,
    /// `l2-receipts`: the receipt trie of an L2 block by block hash.
    L2Receipts,
    /// `l2-block-data`: the data to derive and execute one L2 block of one chain.
    L2BlockData,
}

impl HintType {
    /// Every hint type, in the order of the table in the module documentation.
    pub const ALL: [Self; 17] = [
        Self::L1BlockHeader,
        Self::L1Transactions,
        Self::L1Receipts,
        Self::L1Blob,
        Self::L1Precompile,
        Self::L2BlockHeader,
        Self::L2Transactions,
        Self::L2Code,
        Self::L2StateNode,
        Self::StartingL2Output,
        Self::L2AccountProof,
        Self::L2AccountStorageProof,
        Self::L2PayloadWitness,
        Self::AgreedPreState,
        Self::L2OutputRoot,
        Self::L2Receipts,
        Self::L2BlockData,
    ];

    /// The name of the hint type on the wire.
    pub const fn name(self) -> &'static str {
        match self {
            Self::L1BlockHeader => "l1-block-header",
            Self::L1Transactions => "l1-transactions",
            Self::L1Receipts => "l1-receipts",
            Self::L1Blob => "l1-blob",
            Self::L1Precompile => "l1-precompile",
            Self::L2BlockHeader => "l2-block-header",
            Self::L2Transactions => "l2-transactions",
            Self::L2Code => "l2-code",
            Self::L2StateNode => "l2-state-node",
            Self::StartingL2Output => "starting-l2-output",
            Self::L2AccountProof => "l2-account-proof",
            Self::L2AccountStorageProof => "l2-account-storage-proof",
            Self::L2PayloadWitness => "l2-payload-witness",
            Self::AgreedPreState => "agreed-pre-state",
            Self::L2OutputRoot => "l2-output-root",
            Self::L2Receipts => "l2-receipts",
            Self::L2BlockData => "l2-block-data",
        }
    }
}

impl fmt::Display for HintType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HintType {
    type Err = HintParseError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|ty| ty.name() == name)
            .ok_or_else(|| HintParseError::UnknownType(name.to_string()))
    }
}

/// A hint that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HintParseError {
    /// The hint has no space between its name and its payload.
    #[error("hint {0:?} is not `<name> <hex payload>`")]
    Malformed(String),
    /// The hint's name is not one of [`HintType::ALL`].
    #[error("unknown hint type {0:?}")]
    UnknownType(String),
    /// The payload is not hex.
    #[error("payload of {ty} hint is not hex: {reason}")]
    InvalidHex {
        /// The hint's type.
        ty: HintType,
        /// What the hex decoder objected to.
        reason: String,
    },
    /// The payload's length does not fit the hint type's layout.
    #[error("payload of {ty} hint has {actual} bytes, expected {expected}")]
    InvalidLength {
        /// The hint's type.
        ty: HintType,
        /// The lengths the layout allows.
        expected: &'static str,
        /// The payload's length.
        actual: usize,
    },
}

/// One hint, with its payload decoded into typed fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Hint {
    /// `l1-block-header`.
    L1BlockHeader(B256),
    /// `l1-transactions` (by block hash).
    L1Transactions(B256),
    /// `l1-receipts` (by block hash).
    L1Receipts(B256),
    /// `l1-blob`.
    L1Blob {
        /// The blob's versioned hash.
        versioned_hash: B256,
        /// The blob's index among the blobs of its L1 block.
        index: u64,
        /// The timestamp of the L1 block carrying the blob (selects the beacon slot).
        timestamp: u64,
    },
    /// `l1-precompile`.
    L1Precompile {
        /// The precompile's address.
        address: Address,
        /// The gas the call was given.
        gas: u64,
        /// The call's input.
        input: Bytes,
    },
    /// `l2-block-header`.
    L2BlockHeader {
        /// The block hash.
        hash: B256,
        /// The L2 chain, when several chains share a host (interop).
        chain_id: Option<u64>,
    },
    /// `l2-transactions` (by block hash).
    L2Transactions {
        /// The block hash.
        hash: B256,
        /// The L2 chain, when several chains share a host (interop).
        chain_id: Option<u64>,
    },
    /// `l2-code`.
    L2Code {
        /// The keccak256 hash of the code.
        hash: B256,
        /// The L2 chain, when several chains share a host (interop).
        chain_id: Option<u64>,
    },
    /// `l2-state-node`.
    L2StateNode {
        /// The keccak256 hash of the node.
        hash: B256,
        /// The L2 chain, when several chains share a host (interop).
        chain_id: Option<u64>,
    },
    /// `starting-l2-output`: the agreed output root whose preimage is wanted.
    StartingL2Output(B256),
    /// `l2-account-proof`.
    L2AccountProof {
        /// The block whose state is read.
        block_number: u64,
        /// The account.
        address: Address,
        /// The L2 chain, when several chains share a host (interop).
        chain_id: Option<u64>,
    },
    /// `l2-account-storage-proof`.
    L2AccountStorageProof {
        /// The block whose state is read.
        block_number: u64,
        /// The account.
        address: Address,
        /// The storage slot (big-endian).
        slot: B256,
        /// The L2 chain, when several chains share a host (interop).
        chain_id: Option<u64>,
    },
    /// `l2-payload-witness`.
    L2PayloadWitness {
        /// The block the payload is built on.
        parent_hash: B256,
        /// The payload attributes as JSON (kona's `OpPayloadAttributes` serialisation), passed
        /// through unparsed.
        attributes: Bytes,
    },
    /// `agreed-pre-state`: the agreed pre-state commitment whose preimage is wanted.
    AgreedPreState(B256),
    /// `l2-output-root`.
    L2OutputRoot {
        /// The output root whose preimage is wanted.
        output_root: B256,
        /// The chain it belongs to.
        chain_id: u64,
    },
    /// `l2-receipts` (by block hash).
    L2Receipts {
        /// The block hash.
        hash: B256,
        /// The chain it belongs to.
        chain_id: u64,
    },
    /// `l2-block-data`.
    L2BlockData {
        /// The agreed block the new block builds on.
        parent_hash: B256,
        /// The block to prepare (the same as `parent_hash` when the chain did not advance).
        block_hash: B256,
        /// The chain it belongs to.
        chain_id: u64,
    },
}

/// Appends `chain_id` (big-endian) when present.
fn push_chain_id(payload: &mut Vec<u8>, chain_id: Option<u64>) {
    if let Some(id) = chain_id {
        payload.extend_from_slice(&id.to_be_bytes());
    }
}

/// Reads the optional trailing chain id of an L2 hint whose fixed part is `fixed` bytes long.
fn split_chain_id(
    ty: HintType,
    payload: &[u8],
    fixed: usize,
) -> Result<Option<u64>, HintParseError> {
    match payload.len().checked_sub(fixed) {
        Some(0) => Ok(None),
        Some(8) => Ok(Some(be_u64(&payload[fixed..]))),
        _ => Err(HintParseError::InvalidLength {
            ty,
            expected: match fixed {
                32 => "32 or 40",
                28 => "28 or 36",
                _ => "60 or 68",
            },
            actual: payload.len(),
        }),
    }
}

/// Checks that `payload` is exactly `len` bytes.
fn exact(ty: HintType, payload: &[u8], len: usize) -> Result<(), HintParseError> {
    if payload.len() == len {
        return Ok(());
    }
    let expected: &'static str = match len {
        32 => "32",
        40 => "40",
        48 => "48",
        72 => "72",
        _ => "a fixed length",
    };
    Err(HintParseError::InvalidLength {
        ty,
        expected,
        actual: payload.len(),
    })
}

/// Reads a big-endian `u64` from exactly 8 bytes.
fn be_u64(bytes: &[u8]) -> u64 {
    let mut buf: [u8; 8] = [0; 8];
    buf.copy_from_slice(&bytes[..8]);
    u64::from_be_bytes(buf)
}

impl Hint {
    /// The hint's type.
    pub const fn hint_type(&self) -> HintType {
        match self {
            Self::L1BlockHeader(_) => HintType::L1BlockHeader,
            Self::L1Transactions(_) => HintType::L1Transactions,
            Self::L1Receipts(_) => HintType::L1Receipts,
            Self::L1Blob { .. } => HintType::L1Blob,
            Self::L1Precompile { .. } => HintType::L1Precompile,
            Self::L2BlockHeader { .. } => HintType::L2BlockHeader,
            Self::L2Transactions { .. } => HintType::L2Transactions,
            Self::L2Code { .. } => HintType::L2Code,
            Self::L2StateNode { .. } => HintType::L2StateNode,
            Self::StartingL2Output(_) => HintType::StartingL2Output,
            Self::L2AccountProof { .. } => HintType::L2AccountProof,
            Self::L2AccountStorageProof { .. } => HintType::L2AccountStorageProof,
            Self::L2PayloadWitness { .. } => HintType::L2PayloadWitness,
            Self::AgreedPreState(_) => HintType::AgreedPreState,
            Self::L2OutputRoot { .. } => HintType::L2OutputRoot,
            Self::L2Receipts { .. } => HintType::L2Receipts,
            Self::L2BlockData { .. } => HintType::L2BlockData,
        }
    }

    /// The payload bytes, laid out as in the module documentation's table.
    pub fn payload(&self) -> Vec<u8> {
        let mut out: Vec<u8> = Vec::with_capacity(68);
        match self {
            Self::L1BlockHeader(hash)
            | Self::L1Transactions(hash)
            | Self::L1Receipts(hash)
            | Self::StartingL2Output(hash)
            | Self::AgreedPreState(hash) => out.extend_from_slice(hash.as_slice()),
            Self::L2OutputRoot {
                output_root: hash,
                chain_id,
            }
            | Self::L2Receipts { hash, chain_id } => {
                out.extend_from_slice(hash.as_slice());
                out.extend_from_slice(&chain_id.to_be_bytes());
            }
            Self::L2BlockData {
                parent_hash,
                block_hash,
                chain_id,
            } => {
                out.extend_from_slice(parent_hash.as_slice());
                out.extend_from_slice(block_hash.as_slice());
                out.extend_from_slice(&chain_id.to_be_bytes());
            }
            Self::L1Blob {
                versioned_hash,
                index,
                timestamp,
            } => {
                out.extend_from_slice(versioned_hash.as_slice());
                out.extend_from_slice(&index.to_be_bytes());
                out.extend_from_slice(&timestamp.to_be_bytes());
            }
            Self::L1Precompile {
                address,
                gas,
                input,
            } => {
                out.reserve(input.len());
                out.extend_from_slice(address.as_slice());
                out.extend_from_slice(&gas.to_be_bytes());
                out.extend_from_slice(input);
            }
            Self::L2BlockHeader { hash, chain_id }
            | Self::L2Transactions { hash, chain_id }
            | Self::L2Code { hash, chain_id }
            | Self::L2StateNode { hash, chain_id } => {
                out.extend_from_slice(hash.as_slice());
                push_chain_id(&mut out, *chain_id);
            }
            Self::L2AccountProof {
                block_number,
                address,
                chain_id,
            } => {
                out.extend_from_slice(&block_number.to_be_bytes());
                out.extend_from_slice(address.as_slice());
                push_chain_id(&mut out, *chain_id);
            }
            Self::L2AccountStorageProof {
                block_number,
                address,
                slot,
                chain_id,
            } => {
                out.extend_from_slice(&block_number.to_be_bytes());
                out.extend_from_slice(address.as_slice());
                out.extend_from_slice(slot.as_slice());
                push_chain_id(&mut out, *chain_id);
            }
            Self::L2PayloadWitness {
                parent_hash,
                attributes,
            } => {
                out.reserve(attributes.len());
                out.extend_from_slice(parent_hash.as_slice());
                out.extend_from_slice(attributes);
            }
        }
        out
    }

    /// Decodes a payload of type `ty`.
    pub fn from_payload(ty: HintType, payload: &[u8]) -> Result<Self, HintParseError> {
        let hash = |p: &[u8]| B256::from_slice(&p[..32]);
        Ok(match ty {
            HintType::L1BlockHeader => {
                exact(ty, payload, 32)?;
                Self::L1BlockHeader(hash(payload))
            }
            HintType::L1Transactions => {
                exact(ty, payload, 32)?;
                Self::L1Transactions(hash(payload))
            }
            HintType::L1Receipts => {
                exact(ty, payload, 32)?;
                Self::L1Receipts(hash(payload))
            }
            HintType::StartingL2Output => {
                exact(ty, payload, 32)?;
                Self::StartingL2Output(hash(payload))
            }
            HintType::AgreedPreState => {
                exact(ty, payload, 32)?;
                Self::AgreedPreState(hash(payload))
            }
            HintType::L2OutputRoot => {
                exact(ty, payload, 40)?;
                Self::L2OutputRoot {
                    output_root: hash(payload),
                    chain_id: be_u64(&payload[32..]),
                }
            }
            HintType::L2Receipts => {
                exact(ty, payload, 40)?;
                Self::L2Receipts {
                    hash: hash(payload),
                    chain_id: be_u64(&payload[32..]),
                }
            }
            HintType::L2BlockData => {
                exact(ty, payload, 72)?;
                Self::L2BlockData {
                    parent_hash: hash(payload),
                    block_hash: B256::from_slice(&payload[32..64]),
                    chain_id: be_u64(&payload[64..]),
                }
            }
            HintType::L1Blob => {
                exact(ty, payload, 48)?;
                Self::L1Blob {
                    versioned_hash: hash(payload),
                    index: be_u64(&payload[32..40]),
                    timestamp: be_u64(&payload[40..48]),
                }
            }
            HintType::L1Precompile => {
                if payload.len() < 28 {
                    return Err(HintParseError::InvalidLength {
                        ty,
                        expected: "at least 28",
                        actual: payload.len(),
                    });
                }
                Self::L1Precompile {
                    address: Address::from_slice(&payload[..20]),
                    gas: be_u64(&payload[20..28]),
                    input: Bytes::copy_from_slice(&payload[28..]),
                }
            }
            HintType::L2BlockHeader => {
                let chain_id = split_chain_id(ty, payload, 32)?;
                Self::L2BlockHeader {
                    hash: hash(payload),
                    chain_id,
                }
            }
            HintType::L2Transactions => {
                let chain_id = split_chain_id(ty, payload, 32)?;
                Self::L2Transactions {
                    hash: hash(payload),
                    chain_id,
                }
            }
            HintType::L2Code => {
                let chain_id = split_chain_id(ty, payload, 32)?;
                Self::L2Code {
                    hash: hash(payload),
                    chain_id,
                }
            }
            HintType::L2StateNode => {
                let chain_id = split_chain_id(ty, payload, 32)?;
                Self::L2StateNode {
                    hash: hash(payload),
                    chain_id,
                }
            }
            HintType::L2AccountProof => {
                let chain_id = split_chain_id(ty, payload, 28)?;
                Self::L2AccountProof {
                    block_number: be_u64(&payload[..8]),
                    address: Address::from_slice(&payload[8..28]),
                    chain_id,
                }
            }
            HintType::L2AccountStorageProof => {
                let chain_id = split_chain_id(ty, payload, 60)?;
                Self::L2AccountStorageProof {
                    block_number: be_u64(&payload[..8]),
                    address: Address::from_slice(&payload[8..28]),
                    slot: B256::from_slice(&payload[28..60]),
                    chain_id,
                }
            }
            HintType::L2PayloadWitness => {
                if payload.len() < 32 {
                    return Err(HintParseError::InvalidLength {
                        ty,
                        expected: "at least 32",
                        actual: payload.len(),
                    });
                }
                Self::L2PayloadWitness {
                    parent_hash: hash(payload),
                    attributes: Bytes::copy_from_slice(&payload[32..]),
                }
            }
        })
    }

    /// The wire form `<name> 0x<hex payload>`, as kona writes it.
    pub fn encode(&self) -> String {
        format!("{} 0x{}", self.hint_type(), hex::encode(self.payload()))
    }

    /// Parses the wire form. The payload may be written with or without `0x`; exactly one space
    /// separates it from the name (kona rejects anything else too).
    pub fn parse(hint: &str) -> Result<Self, HintParseError> {
        let (name, data) = hint
            .split_once(' ')
            .ok_or_else(|| HintParseError::Malformed(hint.to_string()))?;
        if data.contains(' ') {
            return Err(HintParseError::Malformed(hint.to_string()));
        }
        let ty: HintType = name.parse()?;
        let payload: Vec<u8> = hex::decode(data).map_err(|e| HintParseError::InvalidHex {
            ty,
            reason: e.to_string(),
        })?;
        Self::from_payload(ty, &payload)
    }

    /// Sends the hint through `writer` and waits for the host's acknowledgement.
    pub fn send<W: HintWriterClient + ?Sized>(
        &self,
        writer: &W,
    ) -> Result<(), PreimageOracleError> {
        writer.hint(&self.encode())
    }
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 0x{}", self.hint_type(), hex::encode(self.payload()))
    }
}

impl FromStr for Hint {
    type Err = HintParseError;

    fn from_str(hint: &str) -> Result<Self, Self::Err> {
        Self::parse(hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256};
    use core::cell::RefCell;
    use proptest::prelude::*;

    const HASH: B256 = b256!("0x1111111111111111111111111111111111111111111111111111111111111111");
    const ADDR: Address = address!("0x4200000000000000000000000000000000000016");

    /// One hint of every type, with the wire string kona's `Hint::encode` produces for it.
    fn samples() -> Vec<(Hint, String)> {
        let h = "1111111111111111111111111111111111111111111111111111111111111111";
        let a = "4200000000000000000000000000000000000016";
        vec![
            (Hint::L1BlockHeader(HASH), format!("l1-block-header 0x{h}")),
            (Hint::L1Transactions(HASH), format!("l1-transactions 0x{h}")),
            (Hint::L1Receipts(HASH), format!("l1-receipts 0x{h}")),
            (
                Hint::L1Blob {
                    versioned_hash: HASH,
                    index: 2,
                    timestamp: 0x0102,
                },
                format!("l1-blob 0x{h}00000000000000020000000000000102"),
            ),
            (
                Hint::L1Precompile {
                    address: address!("0x0000000000000000000000000000000000000001"),
                    gas: 3000,
                    input: Bytes::from_static(&[0xde, 0xad]),
                },
                "l1-precompile 0x00000000000000000000000000000000000000010000000000000bb8dead"
                    .to_string(),
            ),
            (
                Hint::L2BlockHeader {
                    hash: HASH,
                    chain_id: None,
                },
                format!("l2-block-header 0x{h}"),
            ),
            (
                Hint::L2Transactions {
                    hash: HASH,
                    chain_id: Some(10),
                },
                format!("l2-transactions 0x{h}000000000000000a"),
            ),
            (
                Hint::L2Code {
                    hash: HASH,
                    chain_id: None,
                },
                format!("l2-code 0x{h}"),
            ),
            (
                Hint::L2StateNode {
                    hash: HASH,
                    chain_id: None,
                },
                format!("l2-state-node 0x{h}"),
            ),
            (
                Hint::StartingL2Output(HASH),
                format!("starting-l2-output 0x{h}"),
            ),
            (
                Hint::L2AccountProof {
                    block_number: 7,
                    address: ADDR,
                    chain_id: None,
                },
                format!("l2-account-proof 0x0000000000000007{a}"),
            ),
            (
                Hint::L2AccountStorageProof {
                    block_number: 7,
                    address: ADDR,
                    slot: HASH,
                    chain_id: None,
                },
                format!("l2-account-storage-proof 0x0000000000000007{a}{h}"),
            ),
            (
                Hint::L2PayloadWitness {
                    parent_hash: HASH,
                    attributes: Bytes::from_static(b"{}"),
                },
                format!("l2-payload-witness 0x{h}7b7d"),
            ),
            (
                Hint::AgreedPreState(HASH),
                format!("agreed-pre-state 0x{h}"),
            ),
            (
                Hint::L2OutputRoot {
                    output_root: HASH,
                    chain_id: 901,
                },
                format!("l2-output-root 0x{h}0000000000000385"),
            ),
            (
                Hint::L2Receipts {
                    hash: HASH,
                    chain_id: 10,
                },
                format!("l2-receipts 0x{h}000000000000000a"),
            ),
            (
                Hint::L2BlockData {
                    parent_hash: HASH,
                    block_hash: B256::repeat_byte(0x22),
                    chain_id: 8453,
                },
                format!("l2-block-data 0x{h}{}0000000000002105", "22".repeat(32)),
            ),
        ]
    }

    #[test]
    fn every_type_encodes_as_kona_and_parses_back() {
        let samples = samples();
        assert_eq!(samples.len(), HintType::ALL.len());
        for (ty, (hint, wire)) in HintType::ALL.into_iter().zip(samples) {
            assert_eq!(hint.hint_type(), ty);
            assert_eq!(hint.encode(), wire);
            assert_eq!(hint.to_string(), wire);
            assert_eq!(Hint::parse(&wire).unwrap(), hint);
            assert_eq!(ty.name().parse::<HintType>().unwrap(), ty);
        }
    }

    #[test]
    fn payload_without_0x_parses() {
        let wire = format!("l1-block-header {}", hex::encode(HASH));
        assert_eq!(Hint::parse(&wire).unwrap(), Hint::L1BlockHeader(HASH));
    }

    #[test]
    fn malformed_hints_are_typed_errors() {
        assert_eq!(
            Hint::parse("l1-block-header"),
            Err(HintParseError::Malformed("l1-block-header".into()))
        );
        assert_eq!(
            Hint::parse("l1-block-header 0x00 0x00"),
            Err(HintParseError::Malformed(
                "l1-block-header 0x00 0x00".into()
            ))
        );
        assert_eq!(
            Hint::parse("l2-state-root 0x00"),
            Err(HintParseError::UnknownType("l2-state-root".into()))
        );
        assert!(matches!(
            Hint::parse("l1-receipts 0xzz"),
            Err(HintParseError::InvalidHex {
                ty: HintType::L1Receipts,
                ..
            })
        ));
        assert_eq!(
            Hint::parse("l1-block-header 0x0011"),
            Err(HintParseError::InvalidLength {
                ty: HintType::L1BlockHeader,
                expected: "32",
                actual: 2
            })
        );
        // 32 + 4 bytes: neither a bare hash nor a hash with a chain id.
        let wire = format!("l2-code 0x{}00000001", hex::encode(HASH));
        assert_eq!(
            Hint::parse(&wire),
            Err(HintParseError::InvalidLength {
                ty: HintType::L2Code,
                expected: "32 or 40",
                actual: 36
            })
        );
        // The super-root hints carry their chain id always (kona's host reads bytes 32..40).
        assert_eq!(
            Hint::parse(&format!("l2-output-root 0x{}", hex::encode(HASH))),
            Err(HintParseError::InvalidLength {
                ty: HintType::L2OutputRoot,
                expected: "40",
                actual: 32
            })
        );
        assert_eq!(
            Hint::parse(&format!(
                "l2-block-data 0x{}{}",
                hex::encode(HASH),
                hex::encode(HASH)
            )),
            Err(HintParseError::InvalidLength {
                ty: HintType::L2BlockData,
                expected: "72",
                actual: 64
            })
        );
        assert!(matches!(
            Hint::parse("l1-precompile 0x00"),
            Err(HintParseError::InvalidLength {
                ty: HintType::L1Precompile,
                actual: 1,
                ..
            })
        ));
        assert!(matches!(
            Hint::parse("l2-account-storage-proof 0x00"),
            Err(HintParseError::InvalidLength {
                ty: HintType::L2AccountStorageProof,
                expected: "60 or 68",
                actual: 1
            })
        ));
    }

    #[test]
    fn send_writes_the_encoded_hint() {
        struct Recorder(RefCell<Vec<String>>);
        impl HintWriterClient for Recorder {
            fn hint(&self, hint: &str) -> Result<(), PreimageOracleError> {
                self.0.borrow_mut().push(hint.to_string());
                Ok(())
            }
        }
        let recorder = Recorder(RefCell::new(Vec::new()));
        Hint::L2Code {
            hash: HASH,
            chain_id: None,
        }
        .send(&recorder)
        .unwrap();
        assert_eq!(
            recorder.0.into_inner(),
            vec![format!("l2-code 0x{}", hex::encode(HASH))]
        );
    }

    fn arb_hint() -> impl Strategy<Value = Hint> {
        let hash = any::<[u8; 32]>().prop_map(B256::from);
        let addr = any::<[u8; 20]>().prop_map(Address::from);
        let chain = proptest::option::of(any::<u64>());
        let bytes = proptest::collection::vec(any::<u8>(), 0..64).prop_map(Bytes::from);
        prop_oneof![
            hash.clone().prop_map(Hint::L1BlockHeader),
            hash.clone().prop_map(Hint::L1Transactions),
            hash.clone().prop_map(Hint::L1Receipts),
            (hash.clone(), any::<u64>(), any::<u64>()).prop_map(
                |(versioned_hash, index, timestamp)| {
                    Hint::L1Blob {
                        versioned_hash,
                        index,
                        timestamp,
                    }
                }
            ),
            (addr.clone(), any::<u64>(), bytes.clone()).prop_map(|(address, gas, input)| {
                Hint::L1Precompile {
                    address,
                    gas,
                    input,
                }
            }),
            (hash.clone(), chain.clone())
                .prop_map(|(hash, chain_id)| Hint::L2BlockHeader { hash, chain_id }),
            (hash.clone(), chain.clone())
                .prop_map(|(hash, chain_id)| Hint::L2Transactions { hash, chain_id }),
            (hash.clone(), chain.clone())
                .prop_map(|(hash, chain_id)| Hint::L2Code { hash, chain_id }),
            (hash.clone(), chain.clone())
                .prop_map(|(hash, chain_id)| Hint::L2StateNode { hash, chain_id }),
            hash.clone().prop_map(Hint::StartingL2Output),
            (any::<u64>(), addr.clone(), chain.clone()).prop_map(
                |(block_number, address, chain_id)| {
                    Hint::L2AccountProof {
                        block_number,
                        address,
                        chain_id,
                    }
                }
            ),
            (any::<u64>(), addr, hash.clone(), chain).prop_map(
                |(block_number, address, slot, chain_id)| Hint::L2AccountStorageProof {
                    block_number,
                    address,
                    slot,
                    chain_id
                }
            ),
            (hash.clone(), bytes).prop_map(|(parent_hash, attributes)| Hint::L2PayloadWitness {
                parent_hash,
                attributes
            }),
            hash.clone().prop_map(Hint::AgreedPreState),
            (hash.clone(), any::<u64>()).prop_map(|(output_root, chain_id)| Hint::L2OutputRoot {
                output_root,
                chain_id
            }),
            (hash.clone(), any::<u64>())
                .prop_map(|(hash, chain_id)| Hint::L2Receipts { hash, chain_id }),
            (hash.clone(), hash, any::<u64>()).prop_map(|(parent_hash, block_hash, chain_id)| {
                Hint::L2BlockData {
                    parent_hash,
                    block_hash,
                    chain_id,
                }
            }),
        ]
    }

    proptest! {
        #[test]
        fn roundtrip(hint in arb_hint()) {
            prop_assert_eq!(&Hint::parse(&hint.encode()).unwrap(), &hint);
            prop_assert_eq!(Hint::from_payload(hint.hint_type(), &hint.payload()).unwrap(), hint);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,80}") {
            let _ = Hint::parse(&s);
        }

        #[test]
        fn any_payload_either_parses_or_is_a_typed_error(
            ty in proptest::sample::select(HintType::ALL.to_vec()),
            payload in proptest::collection::vec(any::<u8>(), 0..80),
        ) {
            if let Ok(hint) = Hint::from_payload(ty, &payload) {
                prop_assert_eq!(hint.payload(), payload);
            }
        }
    }
}
