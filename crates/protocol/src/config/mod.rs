//! Rollup configuration: chain constants, hardfork schedule and the genesis system config;
//! the system config's L1 updates and its recovery from an L2 block.

mod hardfork;
mod l2_block;
mod rollup;
mod system;
mod update;

pub use hardfork::Hardfork;
pub use l2_block::L2SystemConfigError;
pub use rollup::{
    ChainGenesis, ConfigError, FJORD_MAX_SEQUENCER_DRIFT, GRANITE_CHANNEL_TIMEOUT, OpChainConfig,
    RollupConfig, RollupConfigLoadError,
};
pub use system::{
    DEFAULT_DA_FOOTPRINT_GAS_SCALAR, EcotoneScalars, L1_SCALAR_VERSION_BEDROCK,
    L1_SCALAR_VERSION_ECOTONE, ScalarError, SystemConfig, check_ecotone_scalar,
    encode_operator_fee_params,
};
pub use update::{
    CONFIG_UPDATE_TOPIC, CONFIG_UPDATE_VERSION_0, SystemConfigLogError, SystemConfigUpdateError,
    SystemConfigUpdateType,
};
