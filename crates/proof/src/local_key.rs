//! The local preimage keys (type 1): the dispute's inputs, as the dispute game and the host
//! serve them. One table per program mode; the indices are kona's (op-program uses the same
//! for the single-chain mode).
//!
//! Single chain (output-root games):
//!
//! | key | value                                            |
//! |-----|--------------------------------------------------|
//! | 1   | L1 head hash (32 bytes)                          |
//! | 2   | agreed L2 output root (32 bytes)                 |
//! | 3   | claimed L2 output root (32 bytes)                |
//! | 4   | claimed L2 block number (u64 BE)                 |
//! | 5   | L2 chain id (u64 BE)                             |
//! | 6   | rollup config JSON (op-node rollup.json)         |
//! | 7   | L1 chain config JSON (geth genesis config shape) |
//!
//! Super roots (super dispute games, `specs/interop/fault-proof.md`):
//!
//! | key | value                                                              |
//! |-----|--------------------------------------------------------------------|
//! | 1   | L1 head hash (32 bytes)                                            |
//! | 2   | agreed pre-state commitment (32 bytes): a super root or transition state hash |
//! | 3   | claimed post-state commitment (32 bytes)                           |
//! | 4   | claimed timestamp (u64 BE): the proposal's timestamp               |
//! | 6   | JSON map chain id → rollup config (`{"10": {rollup.json}, …}`)     |
//! | 7   | L1 chain config JSON                                               |
//! | 8   | dependency set JSON                                                |
//!
//! In both modes keys 6 and 7 are read only for chains not embedded from the superchain
//! registry; key 5 is not used by the super mode (the spec: "the L2 chain ID local key is no
//! longer used"). Key 8 is koa's: kona's interop client reads no dependency set (it takes the
//! chains from the pre-state), so kona-host serves nothing there; koa reads it only for chains
//! not embedded, and then only when the host serves it.

/// Local key of the L1 head hash (both modes).
pub const L1_HEAD_KEY: u64 = 1;
/// Local key of the agreed L2 output root (single chain).
pub const AGREED_L2_OUTPUT_ROOT_KEY: u64 = 2;
/// Local key of the claimed L2 output root (single chain).
pub const CLAIMED_L2_OUTPUT_ROOT_KEY: u64 = 3;
/// Local key of the claimed L2 block number (single chain).
pub const CLAIMED_L2_BLOCK_NUMBER_KEY: u64 = 4;
/// Local key of the L2 chain id (single chain).
pub const L2_CHAIN_ID_KEY: u64 = 5;
/// Local key of the rollup config JSON (single chain).
pub const ROLLUP_CONFIG_KEY: u64 = 6;
/// Local key of the L1 chain config JSON (both modes).
pub const L1_CHAIN_CONFIG_KEY: u64 = 7;

/// Local key of the agreed pre-state commitment (super roots).
pub const AGREED_PRE_STATE_KEY: u64 = 2;
/// Local key of the claimed post-state commitment (super roots).
pub const CLAIMED_POST_STATE_KEY: u64 = 3;
/// Local key of the claimed timestamp (super roots).
pub const CLAIMED_TIMESTAMP_KEY: u64 = 4;
/// Local key of the JSON map of rollup configs by chain id (super roots).
pub const ROLLUP_CONFIGS_KEY: u64 = 6;
/// Local key of the dependency set JSON (super roots).
pub const DEPENDENCY_SET_KEY: u64 = 8;
