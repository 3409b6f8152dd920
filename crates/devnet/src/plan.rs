//! What happens on L1 besides batches: deposits through the OptimismPortal, SystemConfig
//! updates, and noise that derivation must ignore.

use alloy_primitives::{Address, B256, Bytes, Log, LogData, U256, address};
use koa_protocol::{
    config::{CONFIG_UPDATE_TOPIC, SystemConfigUpdateType},
    deposits::DEPOSIT_EVENT_TOPIC,
};

/// The devnet's L1 OptimismPortal (emits `TransactionDeposited`).
pub const PORTAL: Address = address!("0xde90517a10000000000000000000000000000001");
/// The devnet's L1 SystemConfig (emits `ConfigUpdate`).
pub const SYSTEM_CONFIG: Address = address!("0x5c0f160000000000000000000000000000000002");
/// The devnet's batch inbox.
pub const BATCH_INBOX: Address = address!("0xff00000000000000000000000000000000900001");

/// The L1 contracts of one L2 chain of the devnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainAddresses {
    /// The OptimismPortal.
    pub portal: Address,
    /// The SystemConfig.
    pub system_config: Address,
    /// The batch inbox.
    pub batch_inbox: Address,
}

impl ChainAddresses {
    /// The contracts of the devnet's chain at `index` (in chain id order): the first chain
    /// has [`PORTAL`], [`SYSTEM_CONFIG`] and [`BATCH_INBOX`]; chain `i` has the same
    /// addresses with byte 18 set to `i`.
    pub fn of_chain(index: u8) -> Self {
        let nth = |base: Address| {
            let mut bytes = base.0.0;
            bytes[18] = bytes[18].wrapping_add(index);
            Address::from(bytes)
        };
        Self {
            portal: nth(PORTAL),
            system_config: nth(SYSTEM_CONFIG),
            batch_inbox: nth(BATCH_INBOX),
        }
    }
}

/// A deposit: what the portal's `depositTransaction` call turns into an event.
#[derive(Debug, Clone)]
pub struct Deposit {
    /// The L1 sender (an EOA: not aliased).
    pub from: Address,
    /// The L2 recipient (ignored for a creation).
    pub to: Address,
    /// ETH minted on L2.
    pub mint: u128,
    /// ETH sent with the L2 call.
    pub value: U256,
    /// L2 gas limit.
    pub gas_limit: u64,
    /// Contract creation.
    pub is_creation: bool,
    /// Calldata or init code.
    pub data: Bytes,
}

impl Deposit {
    /// The `TransactionDeposited(from, to, 0, opaqueData)` log of the portal at `portal`.
    pub fn log(&self, portal: Address) -> Log {
        let mut opaque = Vec::with_capacity(73 + self.data.len());
        opaque.extend_from_slice(&U256::from(self.mint).to_be_bytes::<32>());
        opaque.extend_from_slice(&self.value.to_be_bytes::<32>());
        opaque.extend_from_slice(&self.gas_limit.to_be_bytes());
        opaque.push(u8::from(self.is_creation));
        opaque.extend_from_slice(&self.data);
        let to = if self.is_creation {
            Address::ZERO
        } else {
            self.to
        };
        Log {
            address: portal,
            data: LogData::new_unchecked(
                vec![
                    DEPOSIT_EVENT_TOPIC,
                    self.from.into_word(),
                    to.into_word(),
                    B256::ZERO,
                ],
                abi_bytes(&opaque).into(),
            ),
        }
    }
}

/// `abi.encode(bytes)`: offset, length, data padded to words.
fn abi_bytes(data: &[u8]) -> Vec<u8> {
    let mut out = U256::from(32).to_be_bytes::<32>().to_vec();
    out.extend_from_slice(&U256::from(data.len()).to_be_bytes::<32>());
    out.extend_from_slice(data);
    out.resize(64 + data.len().div_ceil(32) * 32, 0);
    out
}

/// A `ConfigUpdate` of the SystemConfig.
#[derive(Debug, Clone, Copy)]
pub enum ConfigUpdate {
    /// New batcher.
    Batcher(Address),
    /// Fee scalars (Ecotone versioned scalar word).
    FeeScalars {
        /// Base fee scalar.
        base_fee_scalar: u32,
        /// Blob base fee scalar.
        blob_base_fee_scalar: u32,
    },
    /// Gas limit.
    GasLimit(u64),
    /// Holocene EIP-1559 parameters.
    Eip1559 {
        /// Base fee change denominator.
        denominator: u32,
        /// Elasticity multiplier.
        elasticity: u32,
    },
    /// Isthmus operator fee.
    OperatorFee {
        /// Scalar.
        scalar: u32,
        /// Constant.
        constant: u64,
    },
    /// Jovian minimum base fee.
    MinBaseFee(u64),
    /// Jovian DA footprint gas scalar.
    DaFootprintGasScalar(u16),
}

impl ConfigUpdate {
    /// The `ConfigUpdate(0, type, abi.encode(payload))` log of the SystemConfig at
    /// `system_config`.
    pub fn log(&self, system_config: Address) -> Log {
        let word = |value: U256| value.to_be_bytes::<32>().to_vec();
        let (kind, payload) = match *self {
            Self::Batcher(address) => (
                SystemConfigUpdateType::Batcher,
                address.into_word().to_vec(),
            ),
            Self::FeeScalars {
                base_fee_scalar,
                blob_base_fee_scalar,
            } => {
                // Version 1 scalar: 0x01 ‖ zeros ‖ blobBaseFeeScalar (u32) ‖ baseFeeScalar (u32).
                let mut scalar = [0u8; 32];
                scalar[0] = 1;
                scalar[24..28].copy_from_slice(&blob_base_fee_scalar.to_be_bytes());
                scalar[28..].copy_from_slice(&base_fee_scalar.to_be_bytes());
                let mut payload = word(U256::ZERO);
                payload.extend_from_slice(&scalar);
                (SystemConfigUpdateType::FeeScalars, payload)
            }
            Self::GasLimit(limit) => (SystemConfigUpdateType::GasLimit, word(U256::from(limit))),
            Self::Eip1559 {
                denominator,
                elasticity,
            } => (
                SystemConfigUpdateType::Eip1559Params,
                word((U256::from(denominator) << 32) | U256::from(elasticity)),
            ),
            Self::OperatorFee { scalar, constant } => (
                SystemConfigUpdateType::OperatorFeeParams,
                word((U256::from(scalar) << 64) | U256::from(constant)),
            ),
            Self::MinBaseFee(fee) => (SystemConfigUpdateType::MinBaseFee, word(U256::from(fee))),
            Self::DaFootprintGasScalar(scalar) => (
                SystemConfigUpdateType::DaFootprintGasScalar,
                word(U256::from(scalar)),
            ),
        };
        Log {
            address: system_config,
            data: LogData::new_unchecked(
                vec![
                    CONFIG_UPDATE_TOPIC,
                    B256::ZERO,
                    B256::with_last_byte(kind as u8),
                ],
                abi_bytes(&payload).into(),
            ),
        }
    }
}
