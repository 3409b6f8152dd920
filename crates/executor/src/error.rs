//! Errors of the trie-backed state and of block execution.

use alloc::string::String;
use alloy_primitives::{Address, B256};
use koa_mpt::{BoxedError, TrieError};
use koa_protocol::eip1559::ExtraDataError;
use op_revm::OpTransactionError;
use revm::context_interface::result::{AnyError, EVMError, InvalidHeader};

/// What a keccak256 preimage was requested for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreimageKind {
    /// Contract bytecode, by code hash.
    Code,
    /// An RLP-encoded block header, by block hash.
    Header,
}

impl core::fmt::Display for PreimageKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Code => "bytecode",
            Self::Header => "block header",
        })
    }
}

/// A failure to read or update the state the block executes on.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// A state or storage trie operation failed (missing or corrupt node, malformed node).
    #[error(transparent)]
    Trie(#[from] TrieError),
    /// The provider could not supply a code or header preimage.
    #[error("missing preimage for {kind} {hash}")]
    MissingPreimage {
        /// What the preimage was needed for.
        kind: PreimageKind,
        /// The requested hash.
        hash: B256,
        /// The provider's reason.
        #[source]
        source: BoxedError,
    },
    /// The provider returned bytes that do not hash to the requested code or header hash.
    #[error("corrupt preimage for {kind} {expected}: bytes hash to {actual}")]
    CorruptPreimage {
        /// What the preimage was needed for.
        kind: PreimageKind,
        /// The requested hash.
        expected: B256,
        /// The keccak256 hash of the returned bytes.
        actual: B256,
    },
    /// An account leaf of the state trie is not a valid RLP account.
    #[error("invalid account encoding for {address}")]
    InvalidAccount {
        /// The account's address.
        address: Address,
        /// The decoding error.
        #[source]
        source: alloy_rlp::Error,
    },
    /// A storage leaf is not a valid RLP integer.
    #[error("invalid storage value encoding in account {address}")]
    InvalidStorageValue {
        /// The account's address.
        address: Address,
        /// The decoding error.
        #[source]
        source: alloy_rlp::Error,
    },
    /// A header preimage is not a valid RLP header.
    #[error("invalid header encoding for block {hash}")]
    InvalidHeader {
        /// The block hash.
        hash: B256,
        /// The decoding error.
        #[source]
        source: alloy_rlp::Error,
    },
    /// An ancestor header does not have the number its child implies.
    #[error("header {hash} has number {actual}, expected {expected}")]
    HeaderNumber {
        /// The header's hash.
        hash: B256,
        /// The number implied by the child header.
        expected: u64,
        /// The number in the header.
        actual: u64,
    },
    /// `BLOCKHASH` asked for a block that is not an ancestor of the executing block.
    #[error("block hash of {requested} requested while executing block {executing}")]
    BlockHashOutOfRange {
        /// The requested block number.
        requested: u64,
        /// The number of the executing block.
        executing: u64,
    },
    /// A hint could not be delivered to the host.
    #[error("hint failed")]
    Hint {
        /// The hinter's reason.
        #[source]
        source: BoxedError,
    },
}

impl revm::database_interface::DBErrorMarker for StateError {}

/// The payload attributes cannot be executed on the parent block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributesError {
    /// The timestamp does not follow the parent's.
    #[error("timestamp {timestamp} is not after the parent's {parent}")]
    Timestamp {
        /// The attributes' timestamp.
        timestamp: u64,
        /// The parent header's timestamp.
        parent: u64,
    },
    /// `gasLimit` is missing.
    #[error("payload attributes carry no gas limit")]
    MissingGasLimit,
    /// `parentBeaconBlockRoot` is missing from Ecotone on.
    #[error("payload attributes carry no parent beacon block root (required from Ecotone)")]
    MissingParentBeaconBlockRoot,
    /// `eip1559Params` is missing from Holocene on.
    #[error("payload attributes carry no eip1559Params (required from Holocene)")]
    MissingEip1559Params,
    /// `eip1559Params` has a zero denominator with a non-zero elasticity.
    #[error("invalid eip1559Params: denominator 0 with elasticity {elasticity}")]
    InvalidEip1559Params {
        /// The elasticity.
        elasticity: u32,
    },
    /// Zero `eip1559Params` select the chain config's EIP-1559 parameters, but those do not
    /// fit the `extraData` encoding's u32 fields.
    #[error(
        "chain config EIP-1559 parameters (denominator {denominator}, elasticity {elasticity}) exceed u32"
    )]
    ConfigEip1559ParamsOutOfRange {
        /// The config's denominator at the block's timestamp.
        denominator: u64,
        /// The config's elasticity.
        elasticity: u64,
    },
    /// `minBaseFee` is missing from Jovian on.
    #[error("payload attributes carry no minBaseFee (required from Jovian)")]
    MissingMinBaseFee,
    /// The parent's `extraData` does not carry valid EIP-1559 parameters for its fork, or
    /// carries a zero denominator.
    #[error("invalid parent extraData")]
    InvalidParentExtraData(#[from] ExtraDataError),
    /// The parent has no base fee.
    #[error("parent header has no base fee")]
    MissingParentBaseFee,
    /// The parent is numbered `u64::MAX`: no block can follow it.
    #[error("the parent is the last block a u64 can number")]
    ParentIsLastBlock,
}

/// Why a block could not be built from its payload attributes.
#[derive(Debug, thiserror::Error)]
pub enum ExecutorError {
    /// The payload attributes are unusable.
    #[error("invalid payload attributes")]
    Attributes(#[from] AttributesError),
    /// The parent header does not hash to the block hash it was given as.
    #[error("parent header hashes to {actual}, expected {expected}")]
    ParentHashMismatch {
        /// The hash the caller expects the parent to have.
        expected: B256,
        /// The keccak256 hash of the parent header's RLP encoding.
        actual: B256,
    },
    /// A transaction's bytes are not a valid EIP-2718 OP transaction.
    #[error("transaction {index} cannot be decoded")]
    TxDecode {
        /// Position in the payload.
        index: usize,
        /// The decoding error.
        #[source]
        source: alloy_eips::eip2718::Eip2718Error,
    },
    /// A transaction type that may not appear in a block.
    #[error("transaction {index} has unsupported type {ty:#04x}")]
    UnsupportedTxType {
        /// Position in the payload.
        index: usize,
        /// The EIP-2718 type.
        ty: u8,
    },
    /// A transaction's signature does not recover to a sender.
    #[error("transaction {index} has an invalid signature")]
    InvalidSignature {
        /// Position in the payload.
        index: usize,
    },
    /// A transaction does not fit in the block's remaining gas.
    #[error(
        "transaction {index} gas limit {gas_limit} exceeds the block's remaining gas {available}"
    )]
    BlockGasLimitExceeded {
        /// Position in the payload.
        index: usize,
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The gas left in the block.
        available: u64,
    },
    /// The block's DA footprint exceeds its gas limit (Jovian).
    #[error(
        "transaction {index} takes the block DA footprint to {footprint}, over the gas limit {gas_limit}"
    )]
    DaFootprintExceeded {
        /// Position in the payload.
        index: usize,
        /// The DA footprint including this transaction.
        footprint: u64,
        /// The block gas limit.
        gas_limit: u64,
    },
    /// A non-deposit transaction is invalid against the state (nonce, balance, fees, ...):
    /// the payload cannot be built.
    #[error("transaction {index} is invalid: {reason}")]
    InvalidTransaction {
        /// Position in the payload.
        index: usize,
        /// The EVM's reason.
        reason: OpTransactionError,
    },
    /// A system call (EIP-4788 beacon root, EIP-2935 block hash) failed.
    #[error("system call to {contract} failed")]
    SystemCall {
        /// The system contract.
        contract: Address,
        /// What went wrong.
        #[source]
        source: EvmFailure,
    },
    /// Reading or updating the state failed.
    #[error(transparent)]
    State(#[from] StateError),
    /// The EVM failed on the transaction at `index` for a reason that is neither a state
    /// error nor the transaction's invalidity.
    #[error("evm failure in transaction {index}")]
    Evm {
        /// Position in the payload.
        index: usize,
        /// What went wrong.
        #[source]
        source: EvmFailure,
    },
}

impl ExecutorError {
    /// Maps an EVM error of the transaction at `index` into an executor error.
    pub(crate) fn from_evm(index: usize, err: EVMError<StateError, OpTransactionError>) -> Self {
        match EvmFailure::from_revm(err) {
            Err(state) => Self::State(state),
            Ok(EvmFailure::Transaction(reason)) => Self::InvalidTransaction { index, reason },
            Ok(source) => Self::Evm { index, source },
        }
    }
}

/// An EVM failure other than a state error, kept as typed as revm reports it.
#[derive(Debug, thiserror::Error)]
pub enum EvmFailure {
    /// The transaction environment is invalid.
    #[error("invalid transaction environment")]
    Transaction(#[source] OpTransactionError),
    /// The block environment is incomplete.
    #[error("invalid block environment")]
    Header(#[source] InvalidHeader),
    /// A failure revm reports only as a message (fatal precompile or handler errors).
    #[error("{0}")]
    Message(String),
    /// A failure revm reports as a type-erased error.
    #[error(transparent)]
    Other(AnyError),
}

impl EvmFailure {
    /// Splits revm's error into the state error it carries, if any, and every other failure.
    pub(crate) fn from_revm(
        err: EVMError<StateError, OpTransactionError>,
    ) -> Result<Self, StateError> {
        Ok(match err {
            EVMError::Database(e) => return Err(e),
            EVMError::Transaction(e) => Self::Transaction(e),
            EVMError::Header(e) => Self::Header(e),
            EVMError::Custom(message) => Self::Message(message),
            EVMError::CustomAny(e) => Self::Other(e),
        })
    }
}
