//! User deposits: `TransactionDeposited` logs of the L1 `OptimismPortal` turned into deposit
//! transactions (see `specs/protocol/deposits.md#deposit-contract`).
//!
//! The event is
//! `TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData)`.
//! `from` is already aliased by the portal when the sender is a contract, so it is used as is.
//! Version 0 `opaqueData` is tightly packed:
//! `uint256 mint ++ uint256 value ++ uint64 gasLimit ++ uint8 isCreation ++ bytes data`.

use alloc::vec::Vec;

use alloy_consensus::TxReceipt;
use alloy_primitives::{Address, B256, Bytes, Log, TxKind, U256, b256};
use op_alloy_consensus::TxDeposit;

use super::source_hash;

/// `keccak256("TransactionDeposited(address,address,uint256,bytes)")`.
pub const DEPOSIT_EVENT_TOPIC: B256 =
    b256!("b3813568d9991fc951961fcb4c784893574240a28925604d09fc577c55bb7c32");

/// The only defined `TransactionDeposited` version.
pub const DEPOSIT_EVENT_VERSION_0: B256 = B256::ZERO;

/// Length of the fixed part of version 0 opaque data: mint, value, gas limit, isCreation.
const OPAQUE_V0_FIXED_LEN: usize = 32 + 32 + 8 + 1;

/// A `TransactionDeposited` log that is not a valid deposit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DepositLogError {
    /// The log does not have the event signature and three indexed topics.
    #[error("expected 4 topics in a deposit log, got {0}")]
    TopicCount(usize),
    /// The first topic is not the `TransactionDeposited` signature.
    #[error("not a TransactionDeposited log: topic {0}")]
    EventSignature(B256),
    /// The data is shorter than the ABI offset and length words.
    #[error("deposit log data too short for the bytes header: {0} bytes")]
    DataTooShort(usize),
    /// The data is not a whole number of ABI words.
    #[error("deposit log data is not a multiple of 32 bytes: {0} bytes")]
    DataNotWordAligned(usize),
    /// The ABI offset of `opaqueData` is not 32.
    #[error("invalid opaqueData offset")]
    OpaqueDataOffset,
    /// The ABI length of `opaqueData` exceeds the data or leaves a whole unused word.
    #[error("invalid opaqueData length")]
    OpaqueDataLength,
    /// The deposit version is not 0.
    #[error("unsupported deposit version {0}")]
    UnsupportedVersion(B256),
    /// Version 0 opaque data is shorter than its fixed fields.
    #[error("version 0 opaqueData too short: {0} bytes")]
    OpaqueDataTooShort(usize),
    /// The minted amount does not fit the deposit transaction's `u128` mint field.
    #[error("mint {0} exceeds u128")]
    MintOverflow(U256),
}

/// A malformed deposit log, located in its L1 block.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed deposit log in receipt {receipt_index}, log {log_index}")]
pub struct DepositsError {
    /// Index of the receipt in the L1 block.
    pub receipt_index: usize,
    /// Index of the log within its receipt.
    pub log_index: usize,
    /// What is wrong with it.
    pub source: DepositLogError,
}

/// Reads a word as a `u64` if its high 24 bytes are zero.
fn word_as_u64(word: &[u8]) -> Option<u64> {
    let (high, low) = word.split_at_checked(24)?;
    if high.iter().any(|b| *b != 0) {
        return None;
    }
    Some(u64::from_be_bytes(low.try_into().ok()?))
}

/// Decodes a `TransactionDeposited` log into its deposit transaction.
///
/// `log_index` is the log's index among all logs of the L1 block `l1_block_hash` (not within
/// its receipt); together they make the deposit's source hash. The checks follow op-node:
/// the `bytes` header must be canonical (offset 32, minimal padding) and the version 0.
pub fn decode_deposit_log(
    log: &Log,
    l1_block_hash: B256,
    log_index: u64,
) -> Result<TxDeposit, DepositLogError> {
    let [signature, from, to, version] = log.topics() else {
        return Err(DepositLogError::TopicCount(log.topics().len()));
    };
    if *signature != DEPOSIT_EVENT_TOPIC {
        return Err(DepositLogError::EventSignature(*signature));
    }
    let data: &[u8] = &log.data.data;
    if data.len() < 64 {
        return Err(DepositLogError::DataTooShort(data.len()));
    }
    if !data.len().is_multiple_of(32) {
        return Err(DepositLogError::DataNotWordAligned(data.len()));
    }
    let (header, body) = data.split_at(64);
    if word_as_u64(&header[..32]) != Some(32) {
        return Err(DepositLogError::OpaqueDataOffset);
    }
    // The length must fit the body, and the body must not hold a whole word of extra padding.
    let opaque_len = word_as_u64(&header[32..])
        .and_then(|len| usize::try_from(len).ok())
        .filter(|len| *len <= body.len() && len.saturating_add(32) > body.len())
        .ok_or(DepositLogError::OpaqueDataLength)?;
    let opaque = &body[..opaque_len];

    if *version != DEPOSIT_EVENT_VERSION_0 {
        return Err(DepositLogError::UnsupportedVersion(*version));
    }
    if opaque.len() < OPAQUE_V0_FIXED_LEN {
        return Err(DepositLogError::OpaqueDataTooShort(opaque.len()));
    }
    let (mint, rest) = opaque.split_at(32);
    let (value, rest) = rest.split_at(32);
    let (gas_limit, rest) = rest.split_at(8);
    let (is_creation, input) = rest.split_at(1);

    let mint = U256::from_be_slice(mint);
    let mint = u128::try_from(mint).map_err(|_| DepositLogError::MintOverflow(mint))?;
    let to = if is_creation.first().copied().unwrap_or_default() == 0 {
        TxKind::Call(Address::from_word(*to))
    } else {
        TxKind::Create
    };
    Ok(TxDeposit {
        source_hash: source_hash::user_deposit(l1_block_hash, log_index),
        from: Address::from_word(*from),
        to,
        mint,
        value: U256::from_be_slice(value),
        gas_limit: u64::from_be_bytes(gas_limit.try_into().unwrap_or_default()),
        is_system_transaction: false,
        input: Bytes::copy_from_slice(input),
    })
}

/// The user deposits of an L1 block, in log order.
///
/// Takes the `TransactionDeposited` logs that `deposit_contract` emitted in successful
/// transactions. Log indices count every log of the block. A malformed deposit log is an
/// error: op-node treats it as a critical derivation error (the L1 contract never emits one).
pub fn user_deposits<R>(
    receipts: &[R],
    deposit_contract: Address,
    l1_block_hash: B256,
) -> Result<Vec<TxDeposit>, DepositsError>
where
    R: TxReceipt<Log = Log>,
{
    let mut deposits = Vec::new();
    let mut block_log_index: u64 = 0;
    for (receipt_index, receipt) in receipts.iter().enumerate() {
        let logs = receipt.logs();
        if receipt.status() {
            for (log_index, log) in logs.iter().enumerate() {
                let is_deposit = log.address == deposit_contract
                    && log.topics().first() == Some(&DEPOSIT_EVENT_TOPIC);
                if is_deposit {
                    let index = block_log_index + log_index as u64;
                    let deposit =
                        decode_deposit_log(log, l1_block_hash, index).map_err(|source| {
                            DepositsError {
                                receipt_index,
                                log_index,
                                source,
                            }
                        })?;
                    deposits.push(deposit);
                }
            }
        }
        block_log_index += logs.len() as u64;
    }
    Ok(deposits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloy_consensus::{Eip658Value, Receipt};
    use alloy_primitives::{LogData, address, keccak256};

    const PORTAL: Address = address!("beb5fc579115071764c7423a4f12edde41f106ed");
    const FROM: Address = address!("1111111111111111111111111111111111111111");
    const TO: Address = address!("2222222222222222222222222222222222222222");
    const L1_HASH: B256 = B256::repeat_byte(0xab);

    /// ABI-encodes `opaque` as the single non-indexed `bytes` argument.
    fn abi_bytes(opaque: &[u8]) -> Vec<u8> {
        let mut data = vec![0u8; 64];
        data[31] = 32;
        data[56..64].copy_from_slice(&(opaque.len() as u64).to_be_bytes());
        data.extend_from_slice(opaque);
        data.resize(64 + opaque.len().div_ceil(32) * 32, 0);
        data
    }

    fn opaque_v0(mint: u128, value: u128, gas: u64, creation: bool, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&U256::from(mint).to_be_bytes::<32>());
        out.extend_from_slice(&U256::from(value).to_be_bytes::<32>());
        out.extend_from_slice(&gas.to_be_bytes());
        out.push(creation as u8);
        out.extend_from_slice(input);
        out
    }

    fn deposit_log(data: Vec<u8>) -> Log {
        Log {
            address: PORTAL,
            data: LogData::new_unchecked(
                vec![
                    DEPOSIT_EVENT_TOPIC,
                    FROM.into_word(),
                    TO.into_word(),
                    B256::ZERO,
                ],
                data.into(),
            ),
        }
    }

    #[test]
    fn topic_is_event_signature_hash() {
        assert_eq!(
            keccak256("TransactionDeposited(address,address,uint256,bytes)"),
            DEPOSIT_EVENT_TOPIC
        );
    }

    #[test]
    fn decodes_version_0_call() {
        let log = deposit_log(abi_bytes(&opaque_v0(5, 7, 100_000, false, &[0xde, 0xad])));
        let tx = decode_deposit_log(&log, L1_HASH, 3).unwrap();
        assert_eq!(tx.source_hash, source_hash::user_deposit(L1_HASH, 3));
        assert_eq!(tx.from, FROM);
        assert_eq!(tx.to, TxKind::Call(TO));
        assert_eq!(tx.mint, 5);
        assert_eq!(tx.value, U256::from(7));
        assert_eq!(tx.gas_limit, 100_000);
        assert!(!tx.is_system_transaction);
        assert_eq!(tx.input.as_ref(), &[0xde, 0xad]);
    }

    #[test]
    fn decodes_creation_with_empty_input() {
        let log = deposit_log(abi_bytes(&opaque_v0(0, 0, 21_000, true, &[])));
        let tx = decode_deposit_log(&log, L1_HASH, 0).unwrap();
        assert_eq!(tx.to, TxKind::Create);
        assert!(tx.input.is_empty());
    }

    #[test]
    fn rejects_malformed_logs() {
        let good = abi_bytes(&opaque_v0(0, 0, 1, false, &[1, 2, 3]));
        let decode = |log: &Log| decode_deposit_log(log, L1_HASH, 0);

        let mut log = deposit_log(good.clone());
        log.data = LogData::new_unchecked(log.topics()[..3].to_vec(), good.clone().into());
        assert_eq!(decode(&log), Err(DepositLogError::TopicCount(3)));

        assert_eq!(
            decode(&deposit_log(vec![0; 63])),
            Err(DepositLogError::DataTooShort(63))
        );
        let mut unaligned = good.clone();
        unaligned.push(0);
        assert_eq!(
            decode(&deposit_log(unaligned)),
            Err(DepositLogError::DataNotWordAligned(good.len() + 1))
        );

        let mut bad_offset = good.clone();
        bad_offset[31] = 64;
        assert_eq!(
            decode(&deposit_log(bad_offset)),
            Err(DepositLogError::OpaqueDataOffset)
        );

        let mut too_long = good.clone();
        too_long[63] = 200;
        assert_eq!(
            decode(&deposit_log(too_long)),
            Err(DepositLogError::OpaqueDataLength)
        );

        let mut extra_word = good.clone();
        extra_word.extend_from_slice(&[0; 32]);
        assert_eq!(
            decode(&deposit_log(extra_word)),
            Err(DepositLogError::OpaqueDataLength)
        );

        let mut versioned = deposit_log(good.clone());
        let mut topics = versioned.topics().to_vec();
        topics[3] = B256::with_last_byte(1);
        versioned.data = LogData::new_unchecked(topics, good.into());
        assert_eq!(
            decode(&versioned),
            Err(DepositLogError::UnsupportedVersion(B256::with_last_byte(1)))
        );

        assert_eq!(
            decode(&deposit_log(abi_bytes(&[0; 72]))),
            Err(DepositLogError::OpaqueDataTooShort(72))
        );

        let mut huge_mint = opaque_v0(0, 0, 1, false, &[]);
        huge_mint[0] = 1;
        assert!(matches!(
            decode(&deposit_log(abi_bytes(&huge_mint))),
            Err(DepositLogError::MintOverflow(_))
        ));
    }

    #[test]
    fn collects_deposits_with_block_log_indices() {
        let deposit = deposit_log(abi_bytes(&opaque_v0(1, 0, 50_000, false, &[])));
        let mut foreign = deposit.clone();
        foreign.address = TO;
        let receipt = |success: bool, logs: Vec<Log>| Receipt {
            status: Eip658Value::Eip658(success),
            cumulative_gas_used: 0,
            logs,
        };
        let receipts = vec![
            receipt(true, vec![foreign, deposit.clone()]),
            // A failed transaction's logs never count as deposits.
            receipt(false, vec![deposit.clone()]),
            receipt(true, vec![deposit.clone()]),
        ];
        let deposits = user_deposits(&receipts, PORTAL, L1_HASH).unwrap();
        assert_eq!(deposits.len(), 2);
        assert_eq!(
            deposits[0].source_hash,
            source_hash::user_deposit(L1_HASH, 1)
        );
        assert_eq!(
            deposits[1].source_hash,
            source_hash::user_deposit(L1_HASH, 3)
        );

        let broken = deposit_log(vec![0; 64]);
        let receipts = vec![receipt(true, vec![deposit, broken])];
        let err = user_deposits(&receipts, PORTAL, L1_HASH).unwrap_err();
        assert_eq!((err.receipt_index, err.log_index), (0, 1));
    }
}
