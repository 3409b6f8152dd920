//! Rollup configuration: chain constants, hardfork schedule and the genesis system config.

mod hardfork;
mod rollup;
mod system;

pub use hardfork::Hardfork;
pub use rollup::{ChainGenesis, ConfigError, OpChainConfig, RollupConfig};
pub use system::SystemConfig;
