//! Building blocks shared by every fork's upgrade deposits.
//!
//! Every network upgrade transaction is a deposit with `mint = 0`, `value = 0` and
//! `isSystemTx = false` (Regolith on: system-generated transactions pay for their gas like any
//! other deposit), identified by an "upgrade-deposited" source hash (domain `2`) of a
//! human-readable intent string ([`upgrade_deposit`](crate::deposits::source_hash::upgrade_deposit)).
//! See `specs/protocol/deposits.md#source-hash-computation`.

use alloc::vec::Vec;

use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, Bytes, TxKind, U256};
use op_alloy_consensus::TxDeposit;

use crate::{
    deposits::source_hash::upgrade_deposit as upgrade_source_hash,
    predeploys::L1_ATTRIBUTES_DEPOSITOR,
};

/// Gas limit of every ERC-1967 proxy implementation update.
pub const PROXY_UPDATE_GAS: u64 = 50_000;

/// `upgradeTo(address)`: the proxy's ERC-1967 implementation setter, callable by the zero
/// address (which is how deposits from `0x0` act as the proxy admin).
const UPGRADE_TO_SELECTOR: [u8; 4] = [0x36, 0x59, 0xcf, 0xe6];

/// ABI-encoded `upgradeTo(implementation)` calldata.
pub fn upgrade_to_calldata(implementation: Address) -> Bytes {
    let mut data = Vec::with_capacity(4 + 32);
    data.extend_from_slice(&UPGRADE_TO_SELECTOR);
    data.extend_from_slice(&[0u8; 12]);
    data.extend_from_slice(implementation.as_slice());
    Bytes::from(data)
}

/// An upgrade deposit: the fields every network upgrade transaction shares filled in.
pub(crate) fn upgrade_deposit(
    intent: &str,
    from: Address,
    to: TxKind,
    gas_limit: u64,
    input: Bytes,
) -> TxDeposit {
    TxDeposit {
        source_hash: upgrade_source_hash(intent),
        from,
        to,
        mint: 0,
        value: U256::ZERO,
        gas_limit,
        is_system_transaction: false,
        input,
    }
}

/// A contract creation from `deployer` with the embedded init code `code`.
pub(crate) fn deployment(
    intent: &str,
    deployer: Address,
    gas_limit: u64,
    code: &'static [u8],
) -> TxDeposit {
    upgrade_deposit(
        intent,
        deployer,
        TxKind::Create,
        gas_limit,
        Bytes::from_static(code),
    )
}

/// Points `proxy` at `implementation`: `upgradeTo(implementation)` sent from the zero address.
pub(crate) fn proxy_update(intent: &str, proxy: Address, implementation: Address) -> TxDeposit {
    upgrade_deposit(
        intent,
        Address::ZERO,
        TxKind::Call(proxy),
        PROXY_UPDATE_GAS,
        upgrade_to_calldata(implementation),
    )
}

/// A call from the depositor account to `to` with the static calldata `data`.
pub(crate) fn depositor_call(
    intent: &str,
    to: Address,
    gas_limit: u64,
    data: &'static [u8],
) -> TxDeposit {
    upgrade_deposit(
        intent,
        L1_ATTRIBUTES_DEPOSITOR,
        TxKind::Call(to),
        gas_limit,
        Bytes::from_static(data),
    )
}

/// The EIP-2718 encoding of `tx` (`0x7e ++ rlp(fields)`): the form payload attributes carry.
pub fn encode_deposit(tx: &TxDeposit) -> Bytes {
    let mut out = Vec::with_capacity(tx.encode_2718_len());
    tx.encode_2718(&mut out);
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // specs/protocol/ecotone/derivation.md, "L1Block Proxy Update": verify data.
    #[test]
    fn upgrade_to_calldata_matches_spec_example() {
        let data = upgrade_to_calldata(alloy_primitives::address!(
            "07dbe8500fc591d1852B76feE44d5a05e13097Ff"
        ));
        assert_eq!(
            data,
            alloy_primitives::bytes!(
                "3659cfe600000000000000000000000007dbe8500fc591d1852b76fee44d5a05e13097ff"
            )
        );
    }
}
