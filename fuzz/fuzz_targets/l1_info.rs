//! Fuzzes L1 info deposit calldata decoding: no input panics, and whatever decodes (in any
//! format) re-encodes to the same calldata and passes the timestamp check only in its own fork.
#![no_main]

use koa_protocol::{Hardfork, L1BlockInfoTx, L1InfoFormat, RollupConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Lead the fuzzer to the selectors: the first byte may pick one.
    let mut calldata = data.to_vec();
    if let Some((&pick, rest)) = data.split_first() {
        if let Some(format) = L1InfoFormat::ALL.get(usize::from(pick)) {
            calldata = [format.selector().as_slice(), rest].concat();
        }
    }
    let Ok(info) = L1BlockInfoTx::decode_calldata(&calldata) else {
        return;
    };
    assert_eq!(info.encode_calldata().as_ref(), calldata.as_slice());
    assert_eq!(calldata.len(), info.format().calldata_len());

    // Forks at 0 (Bedrock only), 10 Ecotone, 20 Isthmus, 30 Jovian.
    let rollup_config = RollupConfig {
        block_time: 2,
        ecotone_time: Some(10),
        fjord_time: Some(10),
        granite_time: Some(10),
        holocene_time: Some(10),
        isthmus_time: Some(20),
        jovian_time: Some(30),
        ..RollupConfig::with_forks_at_genesis(Hardfork::Delta)
    };
    for timestamp in [0, 10, 20, 30] {
        let expected = L1InfoFormat::for_l2_timestamp(&rollup_config, timestamp);
        let decoded = L1BlockInfoTx::decode_for_timestamp(&rollup_config, timestamp, &calldata);
        assert_eq!(decoded.is_ok(), expected == info.format());
    }
    // The accessors never panic.
    let _ = (
        info.block_number(),
        info.block_hash(),
        info.l1_origin(),
        info.timestamp(),
        info.base_fee(),
        info.blob_base_fee(),
        info.sequence_number(),
        info.batcher_address(),
        info.ecotone_scalars(),
        info.operator_fee(),
        info.da_footprint_gas_scalar(),
    );
});
