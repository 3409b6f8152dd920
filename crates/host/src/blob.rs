//! EIP-4844 blobs as preimages: the evaluation points, fetching from a beacon node, and the
//! KZG checks that tie a blob to its versioned hash.
//!
//! A blob with commitment `C` is stored as (fault-proof specification, "Type 5"):
//! - sha256 key of its versioned hash → `C` (48 bytes);
//! - for each field element `i` in `0..4096`: keccak256 key of `C ‖ z_i` → `C ‖ z_i` (80 bytes)
//!   and the blob key of the same hash → the 32-byte field element, where `z_i` is the `i`-th
//!   root of unity of order 4096 in bit-reversed order (the order of the blob's evaluations);
//! - as kona does, "element" 4096 (z = 4096 as a big-endian integer) holds the blob's KZG proof.

use crate::{
    rpc::{NodeClient, RpcError},
    store::{PreimageStore, StoreError},
};
use alloy_primitives::{B256, U256, keccak256};
use koa_preimage::{PreimageKey, PreimageKeyType};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use tokio::sync::OnceCell;

/// Field elements in a blob.
pub const FIELD_ELEMENTS_PER_BLOB: usize = 4096;
/// Bytes in a blob.
pub const BYTES_PER_BLOB: usize = FIELD_ELEMENTS_PER_BLOB * 32;
/// The version byte of a KZG versioned hash.
pub const VERSIONED_HASH_VERSION_KZG: u8 = 1;

/// The order of the BLS12-381 scalar field.
const BLS_MODULUS: U256 = U256::from_be_bytes(alloy_primitives::hex!(
    "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001"
));
/// The generator whose powers give the roots of unity (EIP-4844's `PRIMITIVE_ROOT_OF_UNITY`).
const PRIMITIVE_ROOT_OF_UNITY: u64 = 7;

/// The evaluation points `z_0..z_4095` of a blob's field elements: the 4096th roots of unity in
/// bit-reversed order, each a big-endian 32-byte integer.
pub fn roots_of_unity() -> &'static [B256; FIELD_ELEMENTS_PER_BLOB] {
    static ROOTS: OnceLock<Box<[B256; FIELD_ELEMENTS_PER_BLOB]>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let exponent: U256 = (BLS_MODULUS - U256::from(1)) / U256::from(FIELD_ELEMENTS_PER_BLOB);
        let omega: U256 = U256::from(PRIMITIVE_ROOT_OF_UNITY).pow_mod(exponent, BLS_MODULUS);
        let mut powers: Vec<U256> = Vec::with_capacity(FIELD_ELEMENTS_PER_BLOB);
        let mut current: U256 = U256::from(1);
        for _ in 0..FIELD_ELEMENTS_PER_BLOB {
            powers.push(current);
            current = current.mul_mod(omega, BLS_MODULUS);
        }
        let bits: u32 = FIELD_ELEMENTS_PER_BLOB.trailing_zeros();
        let mut roots: Box<[B256; FIELD_ELEMENTS_PER_BLOB]> =
            Box::new([B256::ZERO; FIELD_ELEMENTS_PER_BLOB]);
        for (i, root) in roots.iter_mut().enumerate() {
            let reversed: usize = i.reverse_bits() >> (usize::BITS - bits);
            *root = B256::from(powers[reversed]);
        }
        roots
    })
}

/// The evaluation point under which "element" `index` is stored: a root of unity for
/// `0..4096`, and `index` itself (big-endian) for the proof slot 4096.
pub fn evaluation_point(index: usize) -> B256 {
    match roots_of_unity().get(index) {
        Some(root) => *root,
        None => B256::from(U256::from(index)),
    }
}

/// The versioned hash of a KZG commitment.
pub fn versioned_hash(commitment: &[u8; 48]) -> B256 {
    let mut hash: [u8; 32] = Sha256::digest(commitment).into();
    hash[0] = VERSIONED_HASH_VERSION_KZG;
    B256::from(hash)
}

/// Why a blob could not be fetched or does not check out.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The beacon node failed.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// The beacon node has no blob with the versioned hash at the slot.
    #[error("{node}: no blob with versioned hash {hash} at slot {slot}")]
    NotFound {
        /// The beacon node.
        node: String,
        /// The versioned hash.
        hash: B256,
        /// The slot asked for.
        slot: u64,
    },
    /// The blob, commitment or proof is malformed or fails the KZG check.
    #[error("blob {hash}: {reason}")]
    Invalid {
        /// The versioned hash.
        hash: B256,
        /// What is wrong.
        reason: String,
    },
    /// The L1 timestamp is before the beacon chain's genesis or off the slot grid.
    #[error(
        "L1 timestamp {timestamp} does not fall on a slot (genesis {genesis}, {seconds}s slots)"
    )]
    BadTimestamp {
        /// The timestamp.
        timestamp: u64,
        /// The beacon genesis time.
        genesis: u64,
        /// Seconds per slot.
        seconds: u64,
    },
    /// Storing the blob failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A blob whose commitment and proof passed the KZG check against its versioned hash.
#[derive(Debug, Clone)]
pub struct VerifiedBlob {
    /// The versioned hash.
    pub versioned_hash: B256,
    /// The blob (131072 bytes).
    pub blob: Vec<u8>,
    /// The KZG commitment.
    pub commitment: [u8; 48],
    /// The KZG proof of the whole blob.
    pub proof: [u8; 48],
}

impl VerifiedBlob {
    /// Checks `blob`, `commitment` and `proof` against `versioned_hash`.
    pub fn verify(
        versioned_hash: B256,
        blob: Vec<u8>,
        commitment: [u8; 48],
        proof: [u8; 48],
    ) -> Result<Self, BlobError> {
        let invalid = |reason: String| BlobError::Invalid {
            hash: versioned_hash,
            reason,
        };
        if self::versioned_hash(&commitment) != versioned_hash {
            return Err(invalid(format!(
                "commitment 0x{} does not hash to it",
                hex::encode(commitment)
            )));
        }
        let bytes: &[u8; BYTES_PER_BLOB] = blob.as_slice().try_into().map_err(|_| {
            invalid(format!(
                "malformed blob: {} bytes, expected {BYTES_PER_BLOB}",
                blob.len()
            ))
        })?;
        // `verify_blob_kzg_proof` needs only `[τ]₂` of the trusted setup, not c-kzg's
        // 8,192-point setup load (most of an offline run's time before).
        let valid: bool = koa_proof::kzg::verify_blob_kzg_proof(bytes, &commitment, &proof)
            .map_err(|err| invalid(format!("KZG verification failed: {err}")))?;
        if !valid {
            return Err(invalid("the KZG proof does not open the commitment".into()));
        }
        Ok(Self {
            versioned_hash,
            blob,
            commitment,
            proof,
        })
    }

    /// Checks a bare blob (as the `blobs` endpoint returns it): computes its commitment and
    /// proof, then checks the commitment against `versioned_hash`.
    pub fn from_blob(versioned_hash: B256, blob: Vec<u8>) -> Result<Self, BlobError> {
        let invalid = |reason: String| BlobError::Invalid {
            hash: versioned_hash,
            reason,
        };
        let kzg_blob = c_kzg::Blob::from_bytes(&blob)
            .map_err(|err| invalid(format!("malformed blob: {err:?}")))?;
        let settings = c_kzg::ethereum_kzg_settings(0);
        let commitment = settings
            .blob_to_kzg_commitment(&kzg_blob)
            .map_err(|err| invalid(format!("computing the commitment failed: {err:?}")))?
            .to_bytes();
        let proof = settings
            .compute_blob_kzg_proof(&kzg_blob, &commitment)
            .map_err(|err| invalid(format!("computing the proof failed: {err:?}")))?
            .to_bytes();
        Self::verify(
            versioned_hash,
            blob,
            commitment.into_inner(),
            proof.into_inner(),
        )
    }

    /// Every preimage of the blob: 1 + 2 × 4097 entries.
    pub fn preimages(&self) -> Vec<(PreimageKey, Vec<u8>)> {
        let mut out: Vec<(PreimageKey, Vec<u8>)> =
            Vec::with_capacity(1 + 2 * (FIELD_ELEMENTS_PER_BLOB + 1));
        out.push((
            PreimageKey::sha256(self.versioned_hash),
            self.commitment.to_vec(),
        ));
        let mut key_data: [u8; 80] = [0; 80];
        key_data[..48].copy_from_slice(&self.commitment);
        for index in 0..=FIELD_ELEMENTS_PER_BLOB {
            key_data[48..].copy_from_slice(evaluation_point(index).as_slice());
            let hash: B256 = keccak256(key_data);
            out.push((PreimageKey::keccak256(hash), key_data.to_vec()));
            let value: Vec<u8> = match self.blob.get(index * 32..(index + 1) * 32) {
                Some(element) => element.to_vec(),
                None => self.proof.to_vec(),
            };
            out.push((PreimageKey::new(hash.0, PreimageKeyType::Blob), value));
        }
        out
    }
}

/// The commitment of the blob that a type-5 `key` belongs to: the first 48 bytes of the
/// keccak256 preimage `C ‖ z` of the key's hash, read from `store` and checked.
pub fn stored_blob_commitment<S: PreimageStore + ?Sized>(
    store: &S,
    key: PreimageKey,
) -> Result<[u8; 48], StoreError> {
    let corrupt =
        |reason: String| StoreError::Corrupt(crate::store::InvalidPreimage { key, reason });
    let key_data_key = PreimageKey::new(key.to_bytes(), PreimageKeyType::Keccak256);
    let key_data: Vec<u8> = store
        .get(key_data_key)?
        .ok_or_else(|| corrupt(format!("its blob key data {key_data_key} is missing")))?;
    crate::store::check_preimage(key_data_key, &key_data)?;
    key_data
        .get(..48)
        .and_then(|c| <[u8; 48]>::try_from(c).ok())
        .filter(|_| key_data.len() == 80)
        .ok_or_else(|| {
            corrupt(format!(
                "its blob key data is {} bytes, not 80",
                key_data.len()
            ))
        })
}

/// Checks the stored blob with `commitment` (whose element `key` was asked for): reads every
/// field element and the proof from `store` and runs the KZG check. Returns what it checked,
/// the 4,096 elements and the proof under their keys, so a caller can serve those very bytes.
pub fn verify_stored_blob<S: PreimageStore + ?Sized>(
    store: &S,
    key: PreimageKey,
    commitment: &[u8; 48],
) -> Result<Vec<(PreimageKey, Vec<u8>)>, StoreError> {
    let corrupt =
        |reason: String| StoreError::Corrupt(crate::store::InvalidPreimage { key, reason });
    let mut blob: Vec<u8> = Vec::with_capacity(BYTES_PER_BLOB);
    let mut proof: [u8; 48] = [0; 48];
    let mut data: [u8; 80] = [0; 80];
    let mut elements: Vec<(PreimageKey, Vec<u8>)> = Vec::with_capacity(FIELD_ELEMENTS_PER_BLOB + 1);
    data[..48].copy_from_slice(commitment);
    for index in 0..=FIELD_ELEMENTS_PER_BLOB {
        data[48..].copy_from_slice(evaluation_point(index).as_slice());
        let element_key = PreimageKey::new(keccak256(data).0, PreimageKeyType::Blob);
        let value: Vec<u8> = store
            .get(element_key)?
            .ok_or_else(|| corrupt(format!("blob element {index} ({element_key}) is missing")))?;
        match (index < FIELD_ELEMENTS_PER_BLOB, value.len()) {
            (true, 32) => blob.extend_from_slice(&value),
            (false, 48) => proof.copy_from_slice(&value),
            (_, len) => return Err(corrupt(format!("blob element {index} has {len} bytes"))),
        }
        elements.push((element_key, value));
    }
    VerifiedBlob::verify(versioned_hash(commitment), blob, *commitment, proof)
        .map_err(|err| corrupt(err.to_string()))?;
    Ok(elements)
}

/// A beacon node's blob API.
#[derive(Debug)]
pub struct BeaconClient {
    node: NodeClient,
    timing: OnceCell<(u64, u64)>,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
struct Genesis {
    #[serde(with = "string_u64")]
    genesis_time: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct Spec {
    #[serde(with = "string_u64")]
    seconds_per_slot: u64,
}

#[derive(Deserialize)]
struct Sidecar {
    blob: alloy_primitives::Bytes,
    kzg_commitment: alloy_primitives::Bytes,
    kzg_proof: alloy_primitives::Bytes,
}

/// Beacon APIs write integers as decimal strings.
mod string_u64 {
    use serde::{Deserialize, Deserializer, de::Error};

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        let text: String = String::deserialize(deserializer)?;
        text.parse().map_err(D::Error::custom)
    }
}

impl BeaconClient {
    /// A client for the beacon node behind `node`.
    pub fn new(node: NodeClient) -> Self {
        Self {
            node,
            timing: OnceCell::new(),
        }
    }

    /// The beacon node.
    pub const fn node(&self) -> &NodeClient {
        &self.node
    }

    /// The slot of the L1 block with `timestamp`.
    pub async fn slot(&self, timestamp: u64) -> Result<u64, BlobError> {
        let (genesis, seconds) = *self
            .timing
            .get_or_try_init(|| async {
                let genesis: Data<Genesis> = self.node.get_json("/eth/v1/beacon/genesis").await?;
                let spec: Data<Spec> = self.node.get_json("/eth/v1/config/spec").await?;
                Ok::<_, BlobError>((genesis.data.genesis_time, spec.data.seconds_per_slot))
            })
            .await?;
        let bad = BlobError::BadTimestamp {
            timestamp,
            genesis,
            seconds,
        };
        let since: u64 = timestamp.checked_sub(genesis).ok_or(bad)?;
        if seconds == 0 || !since.is_multiple_of(seconds) {
            return Err(BlobError::BadTimestamp {
                timestamp,
                genesis,
                seconds,
            });
        }
        Ok(since / seconds)
    }

    /// Fetches and checks the blob with `versioned_hash` carried by the L1 block at
    /// `timestamp`: from `blob_sidecars` (which includes the proof), or, where the node no
    /// longer serves sidecars, from `blobs` (computing commitment and proof here).
    pub async fn blob(
        &self,
        versioned_hash: B256,
        timestamp: u64,
    ) -> Result<VerifiedBlob, BlobError> {
        let slot: u64 = self.slot(timestamp).await?;
        let sidecars: Result<Data<Vec<Sidecar>>, RpcError> = self
            .node
            .get_json(&format!("/eth/v1/beacon/blob_sidecars/{slot}"))
            .await;
        match sidecars {
            Ok(sidecars) => {
                for sidecar in sidecars.data {
                    let Ok(commitment) = <[u8; 48]>::try_from(sidecar.kzg_commitment.as_ref())
                    else {
                        continue;
                    };
                    if self::versioned_hash(&commitment) != versioned_hash {
                        continue;
                    }
                    let proof: [u8; 48] =
                        sidecar
                            .kzg_proof
                            .as_ref()
                            .try_into()
                            .map_err(|_| BlobError::Invalid {
                                hash: versioned_hash,
                                reason: format!("proof has {} bytes", sidecar.kzg_proof.len()),
                            })?;
                    return VerifiedBlob::verify(
                        versioned_hash,
                        sidecar.blob.to_vec(),
                        commitment,
                        proof,
                    );
                }
                Err(BlobError::NotFound {
                    node: self.node.name().to_string(),
                    hash: versioned_hash,
                    slot,
                })
            }
            Err(RpcError::MethodNotFound { .. }) => {
                let blobs: Data<Vec<alloy_primitives::Bytes>> = self
                    .node
                    .get_json(&format!(
                        "/eth/v1/beacon/blobs/{slot}?versioned_hashes={versioned_hash}"
                    ))
                    .await?;
                let blob = blobs
                    .data
                    .into_iter()
                    .next()
                    .ok_or_else(|| BlobError::NotFound {
                        node: self.node.name().to_string(),
                        hash: versioned_hash,
                        slot,
                    })?;
                tokio::task::spawn_blocking(move || {
                    VerifiedBlob::from_blob(versioned_hash, blob.to_vec())
                })
                .await
                .map_err(|err| BlobError::Invalid {
                    hash: versioned_hash,
                    reason: format!("the KZG task failed: {err}"),
                })?
            }
            Err(err) => Err(err.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_of_unity_are_bit_reversed_powers() {
        let roots = roots_of_unity();
        // z_0 = ω^0 = 1; z_1 = ω^2048 = -1; z_2 = ω^1024, whose square is -1.
        assert_eq!(U256::from_be_bytes(roots[0].0), U256::from(1));
        assert_eq!(U256::from_be_bytes(roots[1].0), BLS_MODULUS - U256::from(1));
        let z2 = U256::from_be_bytes(roots[2].0);
        assert_eq!(z2.mul_mod(z2, BLS_MODULUS), BLS_MODULUS - U256::from(1));
        // All 4096 are distinct and each is a 4096th root of unity.
        let set: std::collections::HashSet<B256> = roots.iter().copied().collect();
        assert_eq!(set.len(), FIELD_ELEMENTS_PER_BLOB);
        let z = U256::from_be_bytes(roots[1234].0);
        assert_eq!(z.pow_mod(U256::from(4096), BLS_MODULUS), U256::from(1));
    }

    #[test]
    fn blob_round_trips_through_the_kzg_check() {
        let mut blob: Vec<u8> = vec![0; BYTES_PER_BLOB];
        for (i, element) in blob.chunks_mut(32).enumerate() {
            // Keep each element below the modulus: a zero top byte.
            element[31] = (i % 251) as u8;
            element[30] = (i / 251) as u8;
        }
        let settings = c_kzg::ethereum_kzg_settings(0);
        let commitment = settings
            .blob_to_kzg_commitment(&c_kzg::Blob::from_bytes(&blob).unwrap())
            .unwrap()
            .to_bytes()
            .into_inner();
        let hash: B256 = versioned_hash(&commitment);
        let verified = VerifiedBlob::from_blob(hash, blob.clone()).unwrap();
        let store = crate::store::MemoryStore::new();
        for (key, value) in verified.preimages() {
            store.put(key, &value).unwrap();
        }
        let element_key = verified.preimages()[2].0;
        assert_eq!(
            stored_blob_commitment(&store, element_key).unwrap(),
            commitment
        );
        let checked = verify_stored_blob(&store, element_key, &commitment).unwrap();
        assert_eq!(checked.len(), FIELD_ELEMENTS_PER_BLOB + 1);
        for (key, value) in &checked {
            assert_eq!(store.get(*key).unwrap().as_ref(), Some(value));
        }

        // A wrong versioned hash, a tampered proof and a tampered stored element are caught.
        assert!(VerifiedBlob::from_blob(B256::repeat_byte(1), blob.clone()).is_err());
        let mut bad_proof = verified.proof;
        bad_proof[5] ^= 1;
        assert!(VerifiedBlob::verify(hash, blob, commitment, bad_proof).is_err());
        let (key, mut value) = verified.preimages()[10].clone();
        value[31] ^= 1;
        store.put(key, &value).unwrap();
        let err = verify_stored_blob(&store, element_key, &commitment).unwrap_err();
        assert!(err.to_string().contains("KZG"), "{err}");
    }

    #[test]
    fn the_backend_serves_the_checked_blob_and_refuses_a_tampered_one() {
        use koa_preimage::PreimageFetcher;
        let mut blob: Vec<u8> = vec![0; BYTES_PER_BLOB];
        for (i, element) in blob.chunks_mut(32).enumerate() {
            element[31] = (i % 241) as u8;
        }
        let commitment = c_kzg::ethereum_kzg_settings(0)
            .blob_to_kzg_commitment(&c_kzg::Blob::from_bytes(&blob).unwrap())
            .unwrap()
            .to_bytes()
            .into_inner();
        let verified = VerifiedBlob::from_blob(versioned_hash(&commitment), blob).unwrap();
        let inputs = crate::backend::BootInputs {
            l1_head: B256::ZERO,
            agreed_l2_head_hash: B256::ZERO,
            agreed_l2_output_root: B256::ZERO,
            claimed_l2_output_root: B256::ZERO,
            claimed_l2_block_number: 0,
            l2_chain_id: 0,
            rollup_config: None,
            l1_config: None,
        };
        let elements: Vec<(PreimageKey, Vec<u8>)> = verified
            .preimages()
            .into_iter()
            .filter(|(key, _)| key.key_type() == PreimageKeyType::Blob)
            .collect();
        assert_eq!(elements.len(), FIELD_ELEMENTS_PER_BLOB + 1);
        let stored = |tamper: Option<usize>| {
            let store = crate::store::MemoryStore::new();
            for (key, value) in verified.preimages() {
                store.put(key, &value).unwrap();
            }
            if let Some(index) = tamper {
                let (key, mut value) = elements[index].clone();
                value[0] ^= 1;
                store.put(key, &value).unwrap();
            }
            crate::backend::HostBackend::offline(inputs.clone(), store)
        };

        // Every element (asked in any order, some twice) is the checked value.
        let backend = stored(None);
        for (key, value) in elements.iter().rev().chain(elements.iter().take(3)) {
            assert_eq!(&backend.get_preimage(*key).unwrap(), value);
        }
        // One wrong element anywhere in the blob: the first element asked for is refused.
        let backend = stored(Some(4000));
        let err = backend.get_preimage(elements[2].0).unwrap_err();
        assert!(err.to_string().contains("KZG"), "{err}");
    }
}
