//! Deposit transactions: source hashes and user deposits from L1 logs.

pub mod source_hash;
mod user;

pub use user::{
    DEPOSIT_EVENT_TOPIC, DEPOSIT_EVENT_VERSION_0, DepositLogError, DepositsError,
    decode_deposit_log, user_deposits,
};
