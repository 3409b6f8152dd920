//! System config updates: `ConfigUpdate` logs of the L1 `SystemConfig` contract.
//!
//! The event is `ConfigUpdate(uint256 indexed version, uint8 indexed updateType, bytes data)`
//! (`specs/protocol/system-config.md#system-config-updates` and the Holocene, Isthmus and
//! Jovian system config specs). Only version 0 exists. `data` is the ABI encoding of one
//! `bytes` value: an offset word (32), a length word, then the payload words:
//!
//! | type | update                 | payload                                         |
//! | ---- | ---------------------- | ----------------------------------------------- |
//! | 0    | batcher                | `abi.encode(address)`                           |
//! | 1    | fee scalars            | `abi.encode(uint256 overhead, uint256 scalar)`  |
//! | 2    | gas limit              | `abi.encode(uint64)`                            |
//! | 3    | unsafe block signer    | `abi.encode(address)` (not used by derivation)  |
//! | 4    | EIP-1559 params        | `abi.encode(uint256(denominator) << 32 \| elasticity)` |
//! | 5    | operator fee params    | `abi.encode(uint256(scalar) << 64 \| constant)` |
//! | 6    | minimum base fee       | `abi.encode(uint64)`                            |
//! | 7    | DA footprint gas scalar| `abi.encode(uint16)`                            |
//!
//! # Validity
//!
//! Decoding follows op-node: the log needs exactly 3 topics, the version must be 0, the type
//! known, the offset word 32, the length word exactly the payload size (32, or 64 for fee
//! scalars), no trailing bytes, and integer payloads (`address`, `uint64`, `uint16`) must have
//! zero padding. Such failures are [`SystemConfigUpdateError`]s and the config is left as it was.
//!
//! The spec says an update that cannot be parsed is skipped, and op-node (since PR #18292)
//! agrees: it applies every valid log of the L1 block, in L1 traversal and in the attributes
//! builder alike, and only logs the malformed ones. [`SystemConfig::apply_receipts`] applies
//! every valid log and reports the first bad one; koa's derivation logs it and goes on.
//!
//! From Ecotone on (judged by the **L1** block's timestamp against the Ecotone activation time,
//! as op-node does), a fee scalars update keeps only the versioned scalar and zeroes the
//! overhead; a scalar that is not a valid versioned encoding is ignored, keeping the old one.

use alloy_consensus::TxReceipt;
use alloy_primitives::{Address, B64, B256, Log, b256};

use super::{RollupConfig, SystemConfig, system::check_ecotone_scalar};

/// `keccak256("ConfigUpdate(uint256,uint8,bytes)")`.
pub const CONFIG_UPDATE_TOPIC: B256 =
    b256!("1d2b0bda21d56b8bd12d4f94ebacffdfb35f5e226f84b461103bb8beab6353be");

/// The only defined `ConfigUpdate` version.
pub const CONFIG_UPDATE_VERSION_0: B256 = B256::ZERO;

/// The kind of a system config update (the `updateType` topic).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum SystemConfigUpdateType {
    /// The batcher address.
    Batcher = 0,
    /// The L1 fee overhead and scalar.
    FeeScalars = 1,
    /// The L2 gas limit.
    GasLimit = 2,
    /// The unsafe block signer: p2p policy only, ignored by derivation.
    UnsafeBlockSigner = 3,
    /// Holocene EIP-1559 denominator and elasticity.
    Eip1559Params = 4,
    /// Isthmus operator fee scalar and constant.
    OperatorFeeParams = 5,
    /// Jovian minimum base fee.
    MinBaseFee = 6,
    /// Jovian DA footprint gas scalar.
    DaFootprintGasScalar = 7,
}

impl SystemConfigUpdateType {
    /// The update type named by an `updateType` topic, if it is a known one.
    pub fn from_topic(topic: &B256) -> Option<Self> {
        let (high, low) = topic.0.split_at(31);
        if high.iter().any(|b| *b != 0) {
            return None;
        }
        Some(match low.first()? {
            0 => Self::Batcher,
            1 => Self::FeeScalars,
            2 => Self::GasLimit,
            3 => Self::UnsafeBlockSigner,
            4 => Self::Eip1559Params,
            5 => Self::OperatorFeeParams,
            6 => Self::MinBaseFee,
            7 => Self::DaFootprintGasScalar,
            _ => return None,
        })
    }

    /// The ABI length word of this update's payload.
    const fn payload_len(self) -> usize {
        match self {
            Self::FeeScalars => 64,
            _ => 32,
        }
    }
}

/// A `ConfigUpdate` log that cannot be applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SystemConfigUpdateError {
    /// The log does not have the event signature and two indexed topics.
    #[error("expected 3 topics in a ConfigUpdate log, got {0}")]
    TopicCount(usize),
    /// The first topic is not the `ConfigUpdate` signature.
    #[error("not a ConfigUpdate log: topic {0}")]
    EventSignature(B256),
    /// The version topic is not 0.
    #[error("unsupported ConfigUpdate version {0}")]
    UnsupportedVersion(B256),
    /// The update type topic names no known update.
    #[error("unknown ConfigUpdate type {0}")]
    UnknownUpdateType(B256),
    /// The data is not `offset ++ length ++ payload` of the expected size.
    #[error("{update:?} update data is {actual} bytes, expected {expected}")]
    DataLength {
        /// The update being decoded.
        update: SystemConfigUpdateType,
        /// The expected data length.
        expected: usize,
        /// The actual data length.
        actual: usize,
    },
    /// The ABI offset word is not 32.
    #[error("{0:?} update has an invalid ABI offset")]
    AbiOffset(SystemConfigUpdateType),
    /// The ABI length word does not match the update's payload size.
    #[error("{0:?} update has an invalid ABI length")]
    AbiLength(SystemConfigUpdateType),
    /// An integer or address payload has non-zero high bytes.
    #[error("{0:?} update payload has non-zero padding")]
    PayloadPadding(SystemConfigUpdateType),
}

/// A malformed `ConfigUpdate` log, located in its L1 block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed ConfigUpdate log in receipt {receipt_index}, log {log_index}")]
pub struct SystemConfigLogError {
    /// Index of the receipt in the L1 block.
    pub receipt_index: usize,
    /// Index of the log within its receipt.
    pub log_index: usize,
    /// What is wrong with it.
    pub source: SystemConfigUpdateError,
}

/// Reads the low `N` bytes of a payload word whose other bytes must be zero.
fn padded<const N: usize>(
    word: &[u8; 32],
    update: SystemConfigUpdateType,
) -> Result<[u8; N], SystemConfigUpdateError> {
    let (high, low) = word.split_at(32 - N);
    if high.iter().any(|b| *b != 0) {
        return Err(SystemConfigUpdateError::PayloadPadding(update));
    }
    low.try_into()
        .map_err(|_| SystemConfigUpdateError::PayloadPadding(update))
}

/// Splits `offset ++ length ++ payload` data into the payload words, checking the header.
fn payload_words(
    data: &[u8],
    update: SystemConfigUpdateType,
) -> Result<([u8; 32], [u8; 32]), SystemConfigUpdateError> {
    let payload_len = update.payload_len();
    let expected = 64 + payload_len;
    if data.len() != expected {
        return Err(SystemConfigUpdateError::DataLength {
            update,
            expected,
            actual: data.len(),
        });
    }
    let word = |i: usize| -> [u8; 32] {
        let mut out = [0u8; 32];
        if let Some(bytes) = data.get(i * 32..(i + 1) * 32) {
            out.copy_from_slice(bytes);
        }
        out
    };
    let offset =
        padded::<8>(&word(0), update).map_err(|_| SystemConfigUpdateError::AbiOffset(update))?;
    if u64::from_be_bytes(offset) != 32 {
        return Err(SystemConfigUpdateError::AbiOffset(update));
    }
    let length =
        padded::<8>(&word(1), update).map_err(|_| SystemConfigUpdateError::AbiLength(update))?;
    if u64::from_be_bytes(length) != payload_len as u64 {
        return Err(SystemConfigUpdateError::AbiLength(update));
    }
    Ok((word(2), word(3)))
}

impl SystemConfig {
    /// Applies one `ConfigUpdate` log, returning which update it was.
    ///
    /// `l1_timestamp` is the timestamp of the L1 block that holds the log; it decides whether
    /// fee scalar updates follow the Ecotone rules. The log's emitter is not checked here (see
    /// [`Self::apply_receipts`]). On error the config is unchanged.
    pub fn apply_log(
        &mut self,
        log: &Log,
        rollup_config: &RollupConfig,
        l1_timestamp: u64,
    ) -> Result<SystemConfigUpdateType, SystemConfigUpdateError> {
        let [signature, version, update_type] = log.topics() else {
            return Err(SystemConfigUpdateError::TopicCount(log.topics().len()));
        };
        if *signature != CONFIG_UPDATE_TOPIC {
            return Err(SystemConfigUpdateError::EventSignature(*signature));
        }
        if *version != CONFIG_UPDATE_VERSION_0 {
            return Err(SystemConfigUpdateError::UnsupportedVersion(*version));
        }
        let update = SystemConfigUpdateType::from_topic(update_type)
            .ok_or(SystemConfigUpdateError::UnknownUpdateType(*update_type))?;
        let (first, second) = payload_words(&log.data.data, update)?;

        match update {
            SystemConfigUpdateType::Batcher => {
                self.batcher_address = Address::new(padded::<20>(&first, update)?);
            }
            SystemConfigUpdateType::FeeScalars => {
                let (overhead, scalar) = (B256::new(first), B256::new(second));
                if rollup_config.is_ecotone_active(l1_timestamp) {
                    // An invalid versioned scalar is ignored and the old one kept, as op-node does.
                    if check_ecotone_scalar(&scalar).is_ok() {
                        self.scalar = scalar;
                        self.overhead = B256::ZERO;
                    }
                } else {
                    self.overhead = overhead;
                    self.scalar = scalar;
                }
            }
            SystemConfigUpdateType::GasLimit => {
                self.gas_limit = u64::from_be_bytes(padded::<8>(&first, update)?);
            }
            SystemConfigUpdateType::UnsafeBlockSigner => {
                // Consensus ignores the unsafe block signer; only the p2p layer uses it.
            }
            SystemConfigUpdateType::Eip1559Params => {
                // op-node keeps the low 8 bytes: denominator (4 bytes) ++ elasticity (4 bytes).
                let mut params = [0u8; 8];
                params.copy_from_slice(&first[24..]);
                self.eip1559_params = B64::new(params);
            }
            SystemConfigUpdateType::OperatorFeeParams => {
                self.operator_fee_params = B256::new(first);
            }
            SystemConfigUpdateType::MinBaseFee => {
                self.min_base_fee = u64::from_be_bytes(padded::<8>(&first, update)?);
            }
            SystemConfigUpdateType::DaFootprintGasScalar => {
                self.da_footprint_gas_scalar = u16::from_be_bytes(padded::<2>(&first, update)?);
            }
        }
        Ok(update)
    }

    /// Applies every `ConfigUpdate` log the rollup's `SystemConfig` contract emitted in the
    /// successful transactions of an L1 block, in order.
    ///
    /// Returns whether any log was applied. A malformed log is skipped and the remaining logs
    /// are still applied; the first malformed log is then returned as the error, for the
    /// caller to report (derivation goes on; see the module docs).
    pub fn apply_receipts<R>(
        &mut self,
        receipts: &[R],
        rollup_config: &RollupConfig,
        l1_timestamp: u64,
    ) -> Result<bool, SystemConfigLogError>
    where
        R: TxReceipt<Log = Log>,
    {
        let mut applied = false;
        let mut first_error = None;
        for (receipt_index, receipt) in receipts.iter().enumerate() {
            if !receipt.status() {
                continue;
            }
            for (log_index, log) in receipt.logs().iter().enumerate() {
                let is_update = log.address == rollup_config.l1_system_config_address
                    && log.topics().first() == Some(&CONFIG_UPDATE_TOPIC);
                if !is_update {
                    continue;
                }
                match self.apply_log(log, rollup_config, l1_timestamp) {
                    Ok(_) => applied = true,
                    Err(source) => {
                        first_error.get_or_insert(SystemConfigLogError {
                            receipt_index,
                            log_index,
                            source,
                        });
                    }
                }
            }
        }
        first_error.map_or(Ok(applied), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::{vec, vec::Vec};
    use alloy_consensus::{Eip658Value, Receipt};
    use alloy_primitives::{LogData, address, b64, hex, keccak256};

    use crate::config::EcotoneScalars;

    const SYSTEM_CONFIG: Address = address!("229047fed2591dbec1ef1118d64f7af3db9eb290");

    fn rollup() -> RollupConfig {
        RollupConfig {
            ecotone_time: Some(1_000),
            l1_system_config_address: SYSTEM_CONFIG,
            ..Default::default()
        }
    }

    /// `abi.encode(bytes(payload))` as the contract emits it.
    fn abi_bytes(payload: &[[u8; 32]]) -> Vec<u8> {
        let mut data = vec![0u8; 64];
        data[31] = 32;
        data[63] = (payload.len() * 32) as u8;
        for word in payload {
            data.extend_from_slice(word);
        }
        data
    }

    fn update_log(update_type: u8, data: Vec<u8>) -> Log {
        Log {
            address: SYSTEM_CONFIG,
            data: LogData::new_unchecked(
                vec![
                    CONFIG_UPDATE_TOPIC,
                    B256::ZERO,
                    B256::with_last_byte(update_type),
                ],
                data.into(),
            ),
        }
    }

    fn word(bytes: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        out[32 - bytes.len()..].copy_from_slice(bytes);
        out
    }

    #[test]
    fn topic_is_event_signature_hash() {
        assert_eq!(
            keccak256("ConfigUpdate(uint256,uint8,bytes)"),
            CONFIG_UPDATE_TOPIC
        );
    }

    #[test]
    fn batcher_update() {
        let batcher = address!("6887246668a3b87f54deb3b94ba47a6f63f32985");
        let mut cfg = SystemConfig::default();
        let log = update_log(0, abi_bytes(&[batcher.into_word().0]));
        assert_eq!(
            cfg.apply_log(&log, &rollup(), 0),
            Ok(SystemConfigUpdateType::Batcher)
        );
        assert_eq!(cfg.batcher_address, batcher);

        let mut dirty = batcher.into_word().0;
        dirty[0] = 1;
        let log = update_log(0, abi_bytes(&[dirty]));
        assert_eq!(
            cfg.apply_log(&log, &rollup(), 0),
            Err(SystemConfigUpdateError::PayloadPadding(
                SystemConfigUpdateType::Batcher
            ))
        );
    }

    #[test]
    fn fee_scalars_before_ecotone_set_overhead_and_scalar() {
        let mut cfg = SystemConfig::default();
        let log = update_log(1, abi_bytes(&[word(&[0xbc]), word(&[0x0a, 0x6f, 0xe0])]));
        assert_eq!(
            cfg.apply_log(&log, &rollup(), 999),
            Ok(SystemConfigUpdateType::FeeScalars)
        );
        assert_eq!(cfg.overhead, B256::with_last_byte(0xbc));
        assert_eq!(cfg.scalar, B256::new(word(&[0x0a, 0x6f, 0xe0])));
    }

    #[test]
    fn fee_scalars_after_ecotone_keep_versioned_scalar_only() {
        let scalars = EcotoneScalars {
            base_fee_scalar: 1368,
            blob_base_fee_scalar: 810_949,
        };
        let mut cfg = SystemConfig {
            overhead: B256::with_last_byte(0xbc),
            ..Default::default()
        };
        let log = update_log(1, abi_bytes(&[word(&[0xbc]), scalars.to_scalar_word().0]));
        assert_eq!(
            cfg.apply_log(&log, &rollup(), 1_000),
            Ok(SystemConfigUpdateType::FeeScalars)
        );
        assert_eq!(cfg.overhead, B256::ZERO);
        assert_eq!(cfg.ecotone_scalars(), Ok(scalars));

        // An unknown scalar version is ignored: the old values stay.
        let before = cfg;
        let mut bad = [0u8; 32];
        bad[0] = 7;
        let log = update_log(1, abi_bytes(&[[0; 32], bad]));
        assert_eq!(
            cfg.apply_log(&log, &rollup(), 1_000),
            Ok(SystemConfigUpdateType::FeeScalars)
        );
        assert_eq!(cfg, before);
    }

    #[test]
    fn gas_limit_update() {
        let mut cfg = SystemConfig::default();
        let log = update_log(2, abi_bytes(&[word(&30_000_000u64.to_be_bytes())]));
        assert_eq!(
            cfg.apply_log(&log, &rollup(), 0),
            Ok(SystemConfigUpdateType::GasLimit)
        );
        assert_eq!(cfg.gas_limit, 30_000_000);

        let log = update_log(2, abi_bytes(&[word(&[1, 0, 0, 0, 0, 0, 0, 0, 0])]));
        assert_eq!(
            cfg.apply_log(&log, &rollup(), 0),
            Err(SystemConfigUpdateError::PayloadPadding(
                SystemConfigUpdateType::GasLimit
            ))
        );
        assert_eq!(cfg.gas_limit, 30_000_000);
    }

    #[test]
    fn unsafe_block_signer_is_a_no_op() {
        let mut cfg = SystemConfig::default();
        let signer = address!("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        let log = update_log(3, abi_bytes(&[signer.into_word().0]));
        assert_eq!(
            cfg.apply_log(&log, &rollup(), 0),
            Ok(SystemConfigUpdateType::UnsafeBlockSigner)
        );
        assert_eq!(cfg, SystemConfig::default());
    }

    #[test]
    fn eip1559_params_update() {
        // uint256(uint64(uint32(250))) << 32 | uint64(uint32(6))
        let mut cfg = SystemConfig::default();
        let log = update_log(4, abi_bytes(&[word(&hex!("000000fa00000006"))]));
        assert_eq!(
            cfg.apply_log(&log, &rollup(), 0),
            Ok(SystemConfigUpdateType::Eip1559Params)
        );
        assert_eq!(cfg.eip1559_params, b64!("000000fa00000006"));
        assert_eq!(
            (cfg.eip1559_denominator(), cfg.eip1559_elasticity()),
            (250, 6)
        );
    }

    #[test]
    fn operator_fee_params_update() {
        // uint256(scalar) << 64 | constant
        let mut payload = [0u8; 32];
        payload[20..24].copy_from_slice(&1_500u32.to_be_bytes());
        payload[24..].copy_from_slice(&42_000u64.to_be_bytes());
        let mut cfg = SystemConfig::default();
        let log = update_log(5, abi_bytes(&[payload]));
        assert_eq!(
            cfg.apply_log(&log, &rollup(), 0),
            Ok(SystemConfigUpdateType::OperatorFeeParams)
        );
        assert_eq!(cfg.operator_fee_scalar(), 1_500);
        assert_eq!(cfg.operator_fee_constant(), 42_000);
    }

    #[test]
    fn min_base_fee_update() {
        let mut cfg = SystemConfig::default();
        let log = update_log(6, abi_bytes(&[word(&1_000_000_000u64.to_be_bytes())]));
        assert_eq!(
            cfg.apply_log(&log, &rollup(), 0),
            Ok(SystemConfigUpdateType::MinBaseFee)
        );
        assert_eq!(cfg.min_base_fee, 1_000_000_000);
    }

    #[test]
    fn da_footprint_gas_scalar_update() {
        let mut cfg = SystemConfig::default();
        let log = update_log(7, abi_bytes(&[word(&400u16.to_be_bytes())]));
        assert_eq!(
            cfg.apply_log(&log, &rollup(), 0),
            Ok(SystemConfigUpdateType::DaFootprintGasScalar)
        );
        assert_eq!(cfg.da_footprint_gas_scalar, 400);

        let log = update_log(7, abi_bytes(&[word(&[1, 0, 0])]));
        assert_eq!(
            cfg.apply_log(&log, &rollup(), 0),
            Err(SystemConfigUpdateError::PayloadPadding(
                SystemConfigUpdateType::DaFootprintGasScalar
            ))
        );
    }

    #[test]
    fn malformed_logs_are_typed_errors() {
        let mut cfg = SystemConfig::default();
        let rollup = rollup();
        let payload = abi_bytes(&[word(&[1])]);

        let log = update_log(8, payload.clone());
        assert_eq!(
            cfg.apply_log(&log, &rollup, 0),
            Err(SystemConfigUpdateError::UnknownUpdateType(
                B256::with_last_byte(8)
            ))
        );

        let mut log = update_log(2, payload.clone());
        let mut topics = log.topics().to_vec();
        topics[1] = B256::with_last_byte(1);
        log.data = LogData::new_unchecked(topics.clone(), payload.clone().into());
        assert_eq!(
            cfg.apply_log(&log, &rollup, 0),
            Err(SystemConfigUpdateError::UnsupportedVersion(
                B256::with_last_byte(1)
            ))
        );
        log.data = LogData::new_unchecked(topics[..2].to_vec(), payload.clone().into());
        assert_eq!(
            cfg.apply_log(&log, &rollup, 0),
            Err(SystemConfigUpdateError::TopicCount(2))
        );

        // A length word that disagrees with the payload.
        let mut bad_len = payload.clone();
        bad_len[63] = 64;
        assert_eq!(
            cfg.apply_log(&update_log(2, bad_len), &rollup, 0),
            Err(SystemConfigUpdateError::AbiLength(
                SystemConfigUpdateType::GasLimit
            ))
        );
        let mut bad_offset = payload.clone();
        bad_offset[31] = 0;
        assert_eq!(
            cfg.apply_log(&update_log(2, bad_offset), &rollup, 0),
            Err(SystemConfigUpdateError::AbiOffset(
                SystemConfigUpdateType::GasLimit
            ))
        );
        // Fee scalars need two words.
        assert_eq!(
            cfg.apply_log(&update_log(1, payload.clone()), &rollup, 0),
            Err(SystemConfigUpdateError::DataLength {
                update: SystemConfigUpdateType::FeeScalars,
                expected: 128,
                actual: 96
            })
        );
        let mut trailing = payload;
        trailing.push(0);
        assert!(matches!(
            cfg.apply_log(&update_log(2, trailing), &rollup, 0),
            Err(SystemConfigUpdateError::DataLength { .. })
        ));
        assert_eq!(cfg, SystemConfig::default());
    }

    #[test]
    fn receipts_filter_by_emitter_and_status_and_report_bad_logs() {
        let rollup = rollup();
        let gas = |limit: u64| update_log(2, abi_bytes(&[word(&limit.to_be_bytes())]));
        let mut foreign = gas(1);
        foreign.address = address!("0000000000000000000000000000000000000001");
        let receipt = |ok: bool, logs: Vec<Log>| Receipt {
            status: Eip658Value::Eip658(ok),
            cumulative_gas_used: 0,
            logs,
        };

        let mut cfg = SystemConfig::default();
        let receipts = vec![
            receipt(true, vec![gas(10), foreign]),
            receipt(false, vec![gas(20)]),
        ];
        assert_eq!(cfg.apply_receipts(&receipts, &rollup, 0), Ok(true));
        assert_eq!(cfg.gas_limit, 10);

        let receipts = vec![receipt(true, vec![update_log(9, vec![]), gas(30)])];
        let err = cfg.apply_receipts(&receipts, &rollup, 0).unwrap_err();
        assert_eq!((err.receipt_index, err.log_index), (0, 0));
        // The valid log after the bad one is still applied.
        assert_eq!(cfg.gas_limit, 30);

        let none: Vec<Receipt> = vec![];
        assert_eq!(cfg.apply_receipts(&none, &rollup, 0), Ok(false));
    }
}
