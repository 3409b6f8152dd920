//! Fuzzes `SystemConfig::apply_log`: no log panics it, a rejected log leaves the config
//! unchanged, and an accepted one changes only the field its update type names.
#![no_main]

use alloy_primitives::{Address, B256, U256};
use koa_protocol::{
    Hardfork, RollupConfig, SystemConfig,
    config::{CONFIG_UPDATE_TOPIC, CONFIG_UPDATE_VERSION_0, SystemConfigUpdateType},
};
use libfuzzer_sys::{arbitrary::Unstructured, fuzz_target};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(shape) = u.arbitrary::<u8>() else {
        return;
    };
    let word = |u: &mut Unstructured<'_>| B256::new(u.arbitrary::<[u8; 32]>().unwrap_or_default());
    let topic_count = if shape & 0x80 == 0 {
        3
    } else {
        usize::from(shape & 7)
    };
    let mut topics = Vec::new();
    for i in 0..topic_count {
        topics.push(match i {
            0 if shape & 1 == 0 => CONFIG_UPDATE_TOPIC,
            1 if shape & 2 == 0 => CONFIG_UPDATE_VERSION_0,
            2 if shape & 4 == 0 => B256::from(U256::from(u.arbitrary::<u8>().unwrap_or(0) % 10)),
            _ => word(&mut u),
        });
    }
    let payload = u.take_rest();
    // Mostly a canonical ABI `bytes` header around the payload.
    let log = koa_fuzz::event_log(topics, payload, shape & 8 == 0);
    let rollup_config = RollupConfig {
        ecotone_time: Some(100),
        ..RollupConfig::with_forks_at_genesis(Hardfork::Delta)
    };
    let before = SystemConfig {
        batcher_address: Address::repeat_byte(0x11),
        gas_limit: 30_000_000,
        ..SystemConfig::default()
    };
    for l1_timestamp in [0, 100] {
        let mut config = before;
        match config.apply_log(&log, &rollup_config, l1_timestamp) {
            Err(_) => assert_eq!(config, before, "a rejected log changed the config"),
            Ok(update) => {
                // Restore the field the update names: the rest must be untouched.
                let mut restored = config;
                match update {
                    SystemConfigUpdateType::Batcher => {
                        restored.batcher_address = before.batcher_address
                    }
                    SystemConfigUpdateType::FeeScalars => {
                        restored.overhead = before.overhead;
                        restored.scalar = before.scalar;
                    }
                    SystemConfigUpdateType::GasLimit => restored.gas_limit = before.gas_limit,
                    SystemConfigUpdateType::UnsafeBlockSigner => {}
                    SystemConfigUpdateType::Eip1559Params => {
                        restored.eip1559_params = before.eip1559_params
                    }
                    SystemConfigUpdateType::OperatorFeeParams => {
                        restored.operator_fee_params = before.operator_fee_params
                    }
                    SystemConfigUpdateType::MinBaseFee => {
                        restored.min_base_fee = before.min_base_fee
                    }
                    SystemConfigUpdateType::DaFootprintGasScalar => {
                        restored.da_footprint_gas_scalar = before.da_footprint_gas_scalar
                    }
                }
                assert_eq!(restored, before, "{update:?} changed another field");
            }
        }
    }
});
