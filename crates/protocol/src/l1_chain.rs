//! The L1 chain's fork schedule as far as derivation needs it: the blob schedule that turns an
//! L1 header's excess blob gas into the blob base fee of the L1 attributes.

use alloy_consensus::Header;
use alloy_eips::eip7840::BlobParams;

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
