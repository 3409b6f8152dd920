//! The L1 chain's fork schedule as far as derivation needs it: the blob schedule that turns an
//! L1 header's excess blob gas into the blob base fee of the L1 attributes.
//!
//! Its JSON form is geth's `ChainConfig` (`params.ChainConfig`), the file kona-host's
//! `--l1-config-path` and op-program's custom L1 config read: see [`L1ChainConfig::from_json`].

use alloc::{collections::BTreeMap, string::String};
use alloy_consensus::Header;
use alloy_eips::eip7840::BlobParams;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::RollupConfig;

/// The blob base fee when L1 has no blobs yet (EIP-4844's `MIN_BASE_FEE_PER_BLOB_GAS`).
pub const MIN_BLOB_BASE_FEE: u128 = 1;

/// An L1 chain's blob-related fork times and blob schedule.
///
/// Forks are keyed by L1 timestamp; `None` means not scheduled. The blob parameters of each
/// fork follow EIP-4844 (Cancun), EIP-7691 (Prague, kept by Osaka) and EIP-7892 (BPO forks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct L1ChainConfig {
    /// The L1 chain id.
    pub chain_id: u64,
    /// Cancun activation time.
    pub cancun_time: Option<u64>,
    /// Prague activation time.
    pub prague_time: Option<u64>,
    /// Osaka activation time.
    pub osaka_time: Option<u64>,
    /// BPO1 activation time.
    pub bpo1_time: Option<u64>,
    /// BPO2 activation time.
    pub bpo2_time: Option<u64>,
    /// Blob parameters from Cancun.
    pub cancun_blob_params: BlobParams,
    /// Blob parameters from Prague.
    pub prague_blob_params: BlobParams,
    /// Blob parameters from Osaka.
    pub osaka_blob_params: BlobParams,
    /// Blob parameters from BPO1.
    pub bpo1_blob_params: BlobParams,
    /// Blob parameters from BPO2.
    pub bpo2_blob_params: BlobParams,
}

impl L1ChainConfig {
    /// Ethereum mainnet.
    pub const MAINNET: Self = Self::with_times(
        1,
        [
            1_710_338_135,
            1_746_612_311,
            1_764_798_551,
            1_765_290_071,
            1_767_747_671,
        ],
    );

    /// Sepolia.
    pub const SEPOLIA: Self = Self::with_times(
        11_155_111,
        [
            1_706_655_072,
            1_741_159_776,
            1_760_427_360,
            1_761_017_184,
            1_761_607_008,
        ],
    );

    /// Holesky.
    pub const HOLESKY: Self = Self::with_times(
        17_000,
        [
            1_707_305_664,
            1_740_434_112,
            1_759_308_480,
            1_759_800_000,
            1_760_389_824,
        ],
    );

    /// A chain with the standard blob schedule and the given Cancun, Prague, Osaka, BPO1 and
    /// BPO2 times.
    pub const fn with_times(chain_id: u64, [cancun, prague, osaka, bpo1, bpo2]: [u64; 5]) -> Self {
        Self {
            chain_id,
            cancun_time: Some(cancun),
            prague_time: Some(prague),
            osaka_time: Some(osaka),
            bpo1_time: Some(bpo1),
            bpo2_time: Some(bpo2),
            cancun_blob_params: BlobParams::cancun(),
            prague_blob_params: BlobParams::prague(),
            osaka_blob_params: BlobParams::osaka(),
            bpo1_blob_params: BlobParams::bpo1(),
            bpo2_blob_params: BlobParams::bpo2(),
        }
    }

    /// The known public L1 chain with `chain_id`.
    pub fn from_chain_id(chain_id: u64) -> Option<Self> {
        [Self::MAINNET, Self::SEPOLIA, Self::HOLESKY]
            .into_iter()
            .find(|config| config.chain_id == chain_id)
    }

    /// The blob parameters in force at L1 `timestamp`, or `None` before Cancun.
    pub fn blob_params_at(&self, timestamp: u64) -> Option<&BlobParams> {
        let active = |time: Option<u64>| time.is_some_and(|t| timestamp >= t);
        [
            (self.bpo2_time, &self.bpo2_blob_params),
            (self.bpo1_time, &self.bpo1_blob_params),
            (self.osaka_time, &self.osaka_blob_params),
            (self.prague_time, &self.prague_blob_params),
            (self.cancun_time, &self.cancun_blob_params),
        ]
        .into_iter()
        .find(|(time, _)| active(*time))
        .map(|(_, params)| params)
    }
}

/// An L1 chain config JSON that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum L1ChainConfigError {
    /// Not a geth chain config (syntax, missing `chainId`, wrong field types).
    #[error("invalid L1 chain config JSON")]
    Json(#[from] serde_json::Error),
}

impl L1ChainConfig {
    /// Parses a geth `ChainConfig` JSON (as `genesis.json`'s `config`, or a standalone chain
    /// config file).
    ///
    /// Read: `chainId`, `cancunTime`, `pragueTime`, `osakaTime`, `bpo1Time`, `bpo2Time` and
    /// `blobSchedule` (`{"cancun": {"target", "max", "baseFeeUpdateFraction"}, …}`); every
    /// other key is ignored. A fork without a `blobSchedule` entry gets the standard
    /// parameters of its EIP. A whole genesis file (the chain config under `config`, as
    /// op-challenger's L1 genesis paths are) is read too.
    pub fn from_json(json: &str) -> Result<Self, L1ChainConfigError> {
        /// A geth genesis file if it has a `config`: only that chain config is read.
        #[derive(Deserialize)]
        struct MaybeGenesis {
            config: Option<L1ChainConfig>,
        }
        match serde_json::from_str::<MaybeGenesis>(json)?.config {
            Some(config) => Ok(config),
            None => Ok(serde_json::from_str(json)?),
        }
    }

    /// The geth `ChainConfig` JSON of this config: chain id, the blob fork times and the
    /// blob schedule of every scheduled fork.
    pub fn to_json(&self) -> String {
        // Serializing plain integers and strings into a string cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// One fork's entry of geth's `blobSchedule`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GethBlobSchedule {
    target: u64,
    max: u64,
    base_fee_update_fraction: u64,
}

impl GethBlobSchedule {
    fn from_params(params: &BlobParams) -> Self {
        Self {
            target: params.target_blob_count,
            max: params.max_blob_count,
            base_fee_update_fraction: params.update_fraction as u64,
        }
    }

    /// `standard` with this entry's target, max and update fraction.
    fn apply(self, standard: BlobParams) -> BlobParams {
        BlobParams {
            target_blob_count: self.target,
            max_blob_count: self.max,
            update_fraction: u128::from(self.base_fee_update_fraction),
            ..standard
        }
    }
}

/// The fields of geth's `ChainConfig` an [`L1ChainConfig`] maps to.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GethChainConfig {
    chain_id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cancun_time: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prague_time: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    osaka_time: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bpo1_time: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bpo2_time: Option<u64>,
    #[serde(default)]
    blob_schedule: BTreeMap<String, GethBlobSchedule>,
}

impl Serialize for L1ChainConfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut blob_schedule = BTreeMap::new();
        for (name, time, params) in self.forks() {
            if time.is_some() {
                blob_schedule.insert(String::from(name), GethBlobSchedule::from_params(params));
            }
        }
        GethChainConfig {
            chain_id: self.chain_id,
            cancun_time: self.cancun_time,
            prague_time: self.prague_time,
            osaka_time: self.osaka_time,
            bpo1_time: self.bpo1_time,
            bpo2_time: self.bpo2_time,
            blob_schedule,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for L1ChainConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let geth = GethChainConfig::deserialize(deserializer)?;
        let params = |name: &str, standard: BlobParams| {
            geth.blob_schedule
                .get(name)
                .map_or(standard, |entry| entry.apply(standard))
        };
        Ok(Self {
            chain_id: geth.chain_id,
            cancun_time: geth.cancun_time,
            prague_time: geth.prague_time,
            osaka_time: geth.osaka_time,
            bpo1_time: geth.bpo1_time,
            bpo2_time: geth.bpo2_time,
            cancun_blob_params: params("cancun", BlobParams::cancun()),
            prague_blob_params: params("prague", BlobParams::prague()),
            osaka_blob_params: params("osaka", BlobParams::osaka()),
            bpo1_blob_params: params("bpo1", BlobParams::bpo1()),
            bpo2_blob_params: params("bpo2", BlobParams::bpo2()),
        })
    }
}

impl L1ChainConfig {
    /// `(geth name, activation time, blob parameters)` of every blob fork, oldest first.
    fn forks(&self) -> [(&'static str, Option<u64>, &BlobParams); 5] {
        [
            ("cancun", self.cancun_time, &self.cancun_blob_params),
            ("prague", self.prague_time, &self.prague_blob_params),
            ("osaka", self.osaka_time, &self.osaka_blob_params),
            ("bpo1", self.bpo1_time, &self.bpo1_blob_params),
            ("bpo2", self.bpo2_time, &self.bpo2_blob_params),
        ]
    }
}

/// The blob base fee the L1 attributes carry for the L1 block `header`.
///
/// Without excess blob gas (pre-Cancun L1) it is [`MIN_BLOB_BASE_FEE`]. Otherwise it is
/// `fake_exponential(1, excess_blob_gas, update_fraction)` with the update fraction of the L1
/// fork active at the header's timestamp, except that a rollup with a Pectra blob schedule
/// time keeps Cancun's fraction for L1 origins before that time
/// (`specs/protocol/pectra-blob-schedule/derivation.md`). A fee beyond `u128` saturates,
/// which no real L1 block reaches.
pub fn l1_blob_base_fee(
    rollup_config: &RollupConfig,
    l1_chain_config: &L1ChainConfig,
    header: &Header,
) -> u128 {
    let Some(excess_blob_gas) = header.excess_blob_gas else {
        return MIN_BLOB_BASE_FEE;
    };
    let keep_cancun = rollup_config
        .pectra_blob_schedule_time
        .is_some_and(|pectra_time| header.timestamp < pectra_time);
    let params = match l1_chain_config.blob_params_at(header.timestamp) {
        Some(params) if !keep_cancun => params,
        _ => &l1_chain_config.cancun_blob_params,
    };
    params.calc_blob_fee(excess_blob_gas)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_update_fractions() {
        let mainnet = L1ChainConfig::MAINNET;
        let fraction = |t: u64| mainnet.blob_params_at(t).map(|p| p.update_fraction);
        assert_eq!(fraction(1_710_338_134), None);
        assert_eq!(fraction(1_710_338_135), Some(3_338_477));
        assert_eq!(fraction(1_746_612_311), Some(5_007_716));
        assert_eq!(fraction(1_764_798_551), Some(5_007_716));
        assert_eq!(fraction(1_765_290_071), Some(8_346_193));
        assert_eq!(fraction(1_767_747_671), Some(11_684_671));
        let bpo2 = mainnet.blob_params_at(u64::MAX).unwrap();
        assert_eq!((bpo2.target_blob_count, bpo2.max_blob_count), (14, 21));
        assert_eq!(
            L1ChainConfig::from_chain_id(11_155_111),
            Some(L1ChainConfig::SEPOLIA)
        );
        assert_eq!(L1ChainConfig::from_chain_id(5), None);
    }

    #[test]
    fn a_genesis_file_is_read_for_its_config() {
        let config = L1ChainConfig::SEPOLIA.to_json();
        let genesis = alloc::format!(
            r#"{{"config": {config}, "nonce": "0x0", "gasLimit": "0x1c9c380",
                "alloc": {{"0x0000000000000000000000000000000000000001": {{"balance": "0x1"}}}}}}"#
        );
        assert_eq!(
            L1ChainConfig::from_json(&genesis).unwrap(),
            L1ChainConfig::SEPOLIA
        );
        // A genesis whose config is broken is that config's error, not a fallback to reading
        // the genesis as a chain config.
        let broken =
            L1ChainConfig::from_json(r#"{"config": {"cancunTime": 1}, "chainId": 1}"#).unwrap_err();
        let L1ChainConfigError::Json(source) = &broken;
        assert!(
            source.to_string().contains("missing field `chainId`"),
            "{source}"
        );
    }

    #[test]
    fn geth_json_round_trip_and_defaults() {
        let json = L1ChainConfig::SEPOLIA.to_json();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["chainId"], 11_155_111);
        assert_eq!(value["pragueTime"], 1_741_159_776u64);
        assert_eq!(value["blobSchedule"]["prague"]["target"], 6);
        assert_eq!(value["blobSchedule"]["prague"]["max"], 9);
        assert_eq!(
            value["blobSchedule"]["prague"]["baseFeeUpdateFraction"],
            5_007_716
        );
        assert_eq!(
            L1ChainConfig::from_json(&json).unwrap(),
            L1ChainConfig::SEPOLIA
        );

        // A geth genesis config: pre-merge keys ignored, missing schedule entries standard,
        // present ones override.
        let geth = r#"{"chainId": 900, "homesteadBlock": 0, "londonBlock": 0,
            "terminalTotalDifficulty": 0, "shanghaiTime": 0, "cancunTime": 0,
            "pragueTime": 12, "blobSchedule": {"cancun": {"target": 3, "max": 6,
            "baseFeeUpdateFraction": 3338477}, "prague": {"target": 4, "max": 8,
            "baseFeeUpdateFraction": 4000000}}}"#;
        let config = L1ChainConfig::from_json(geth).unwrap();
        assert_eq!(config.chain_id, 900);
        assert_eq!(
            (config.cancun_time, config.prague_time, config.osaka_time),
            (Some(0), Some(12), None)
        );
        assert_eq!(config.cancun_blob_params, BlobParams::cancun());
        assert_eq!(config.prague_blob_params.update_fraction, 4_000_000);
        assert_eq!(config.prague_blob_params.max_blob_count, 8);
        assert_eq!(config.osaka_blob_params, BlobParams::osaka());
        assert_eq!(
            config.blob_params_at(11).unwrap().update_fraction,
            3_338_477
        );
        assert_eq!(
            config.blob_params_at(12).unwrap().update_fraction,
            4_000_000
        );

        for bad in [
            "",
            "{}",
            r#"{"chainId": "x"}"#,
            r#"{"chainId": 1, "cancunTime": -1}"#,
        ] {
            assert!(L1ChainConfig::from_json(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn blob_base_fee_follows_l1_fork_and_pectra_schedule() {
        let header = |timestamp: u64, excess: Option<u64>| Header {
            timestamp,
            excess_blob_gas: excess,
            ..Default::default()
        };
        let sepolia = L1ChainConfig::SEPOLIA;
        let plain = RollupConfig::default();
        // EIP-4844: fake_exponential(1, excess, fraction); at excess = fraction it is
        // floor(e) = 2 by the Taylor series the EIP specifies.
        assert_eq!(
            l1_blob_base_fee(&plain, &sepolia, &header(1_741_159_776, Some(5_007_716))),
            2
        );
        assert_eq!(
            l1_blob_base_fee(&plain, &sepolia, &header(1_741_159_776, None)),
            1
        );
        assert_eq!(
            l1_blob_base_fee(&plain, &sepolia, &header(1_741_159_776, Some(0))),
            1
        );

        // A large excess tells the fractions apart: Prague's fee is lower than Cancun's.
        let excess = Some(30_000_000);
        let prague_fee = l1_blob_base_fee(&plain, &sepolia, &header(1_742_000_000, excess));
        let cancun_fee = l1_blob_base_fee(&plain, &sepolia, &header(1_741_000_000, excess));
        assert!(prague_fee < cancun_fee);

        let fixed = RollupConfig {
            pectra_blob_schedule_time: Some(1_742_486_400),
            ..plain
        };
        assert_eq!(
            l1_blob_base_fee(&fixed, &sepolia, &header(1_742_000_000, excess)),
            cancun_fee
        );
        assert_eq!(
            l1_blob_base_fee(&fixed, &sepolia, &header(1_742_486_400, excess)),
            prague_fee
        );
    }
}
