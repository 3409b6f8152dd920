//! Blobs from the oracle: the commitment by its versioned hash, then the 4096 field elements by
//! their evaluation points.
//!
//! Preimage layout (fault-proof specification, "Blob preimages"; kona-host and op-program
//! serve the same keys):
//!
//! - sha256 key of the versioned hash (first byte replaced by the type): the 48-byte KZG
//!   commitment, checked against the versioned hash here;
//! - blob key `keccak256(commitment ‖ z_i)`: field element `i` (32 bytes), where `z_i` is the
//!   `i`-th 4096th root of unity of the BLS12-381 scalar field in bit-reversed order: the point
//!   at which the blob polynomial takes the value `i`;
//! - blob key `keccak256(commitment ‖ 4096 as u64 BE in the last 8 bytes of z)`: the blob's KZG
//!   proof (kona's convention).
//!
//! A field element cannot be checked against its key by hashing. On an FPVM the on-chain
//! preimage oracle proves each element against the commitment (a point evaluation) before
//! the program may read it, so [`TrustedBlobs`] is enough. A zkVM or TEE, whose host is not
//! checked by anyone, verifies the whole blob against the commitment with its KZG proof
//! through a [`BlobVerifier`] (with the `kzg` feature: [`KzgBlobVerifier`]).

use alloc::{boxed::Box, string::String, vec::Vec};
use alloy_eips::eip4844::{Blob, FIELD_ELEMENTS_PER_BLOB, kzg_to_versioned_hash};
use alloy_primitives::{B256, FixedBytes, U256, keccak256};
use koa_derive::{BlobProvider, BlockInfo, traits::BlobWithCommitment, traits::IndexedBlobHash};
use koa_preimage::{HintWriterClient, PreimageKey, PreimageOracleClient};

use crate::{
    error::{DataKind, PreimageError},
    hint::Hint,
    oracle::ProofOracle,
};

/// The BLS12-381 scalar field modulus.
const BLS_MODULUS: U256 = U256::from_limbs([
    0xffff_ffff_0000_0001,
    0x53bd_a402_fffe_5bfe,
    0x3339_d808_09a1_d805,
    0x73ed_a753_299d_7d48,
]);

/// The multiplicative generator the KZG domain is built from (consensus specs,
/// `PRIMITIVE_ROOT_OF_UNITY`).
const PRIMITIVE_ROOT_OF_UNITY: u64 = 7;

/// The evaluation points of a blob, `z_0..z_4095`: the 4096th roots of unity in bit-reversed
/// order (consensus specs, `compute_roots_of_unity` and `bit_reversal_permutation`).
pub fn blob_evaluation_points() -> Vec<B256> {
    let n = FIELD_ELEMENTS_PER_BLOB;
    let order = U256::from(n);
    let omega = U256::from(PRIMITIVE_ROOT_OF_UNITY)
        .pow_mod((BLS_MODULUS - U256::from(1)) / order, BLS_MODULUS);
    let mut powers: Vec<U256> = Vec::with_capacity(n as usize);
    let mut current = U256::from(1);
    for _ in 0..n {
        powers.push(current);
        current = current.mul_mod(omega, BLS_MODULUS);
    }
    let bits = n.trailing_zeros();
    (0..n as usize)
        .map(|i| {
            let reversed = (i as u32).reverse_bits() >> (32 - bits);
            B256::from(powers[reversed as usize])
        })
        .collect()
}

/// The blob key of evaluation point `z` under `commitment`.
fn element_key(commitment: &[u8; 48], z: &B256) -> PreimageKey {
    let mut input = [0u8; 80];
    input[..48].copy_from_slice(commitment);
    input[48..].copy_from_slice(z.as_slice());
    PreimageKey::new(keccak256(input).0, koa_preimage::PreimageKeyType::Blob)
}

/// Checks a whole blob against its commitment.
pub trait BlobVerifier {
    /// Whether [`Self::verify`] needs the blob's KZG proof (read from the oracle at index 4096).
    fn needs_proof(&self) -> bool;

    /// Checks `blob` against `commitment` (with `proof` when [`Self::needs_proof`]).
    fn verify(
        &self,
        blob: &Blob,
        commitment: &[u8; 48],
        proof: Option<&[u8; 48]>,
    ) -> Result<(), String>;
}

/// Trusts the oracle's field elements: right on an FPVM, whose on-chain preimage oracle
/// proves every element it loads against the commitment.
#[derive(Debug, Clone, Copy, Default)]
pub struct TrustedBlobs;

impl BlobVerifier for TrustedBlobs {
    fn needs_proof(&self) -> bool {
        false
    }

    fn verify(&self, _: &Blob, _: &[u8; 48], _: Option<&[u8; 48]>) -> Result<(), String> {
        Ok(())
    }
}

/// Verifies each blob with its KZG proof against the commitment ([`crate::kzg`]'s
/// `verify_blob_kzg_proof`, which needs only `[τ]₂` of Ethereum's trusted setup): for a host
/// nobody checks (zkVM, TEE, or a native run on untrusted data).
#[cfg(feature = "kzg")]
#[derive(Debug, Clone, Copy, Default)]
pub struct KzgBlobVerifier;

#[cfg(feature = "kzg")]
impl BlobVerifier for KzgBlobVerifier {
    fn needs_proof(&self) -> bool {
        true
    }

    fn verify(
        &self,
        blob: &Blob,
        commitment: &[u8; 48],
        proof: Option<&[u8; 48]>,
    ) -> Result<(), String> {
        use alloc::string::ToString;
        let proof = proof.ok_or_else(|| "no KZG proof".to_string())?;
        match crate::kzg::verify_blob_kzg_proof(&blob.0, commitment, proof) {
            Ok(true) => Ok(()),
            Ok(false) => {
                Err("KZG proof does not verify the blob against its commitment".to_string())
            }
            Err(error) => Err(error.to_string()),
        }
    }
}

/// The [`BlobProvider`] over the oracle.
#[derive(Debug)]
pub struct OracleBlobProvider<'a, O, H, V> {
    oracle: &'a ProofOracle<O, H>,
    verifier: V,
    points: Vec<B256>,
}

impl<'a, O: PreimageOracleClient, H: HintWriterClient, V: BlobVerifier>
    OracleBlobProvider<'a, O, H, V>
{
    /// A blob provider reading through `oracle`, checking blobs with `verifier`.
    pub fn new(oracle: &'a ProofOracle<O, H>, verifier: V) -> Self {
        Self {
            oracle,
            verifier,
            points: Vec::new(),
        }
    }

    /// One blob: commitment, elements, and (if the verifier wants it) proof.
    fn blob(
        &mut self,
        block: &BlockInfo,
        hash: &IndexedBlobHash,
    ) -> Result<BlobWithCommitment, PreimageError> {
        if self.points.is_empty() {
            self.points = blob_evaluation_points();
        }
        let hint = Hint::L1Blob {
            versioned_hash: hash.hash,
            index: hash.index,
            timestamp: block.timestamp,
        };
        let commitment_key = PreimageKey::sha256(hash.hash);
        let commitment_bytes =
            self.oracle
                .get(DataKind::BlobCommitment, commitment_key, Some(&hint))?;
        let commitment: [u8; 48] = commitment_bytes.as_ref().try_into().map_err(|_| {
            self.oracle.record(PreimageError::Invalid {
                kind: DataKind::BlobCommitment,
                key: commitment_key,
                reason: alloc::format!("{} bytes, expected 48", commitment_bytes.len()),
            })
        })?;
        let actual = kzg_to_versioned_hash(&commitment);
        if actual != hash.hash {
            return Err(self.oracle.record(PreimageError::Corrupt {
                kind: DataKind::BlobCommitment,
                key: commitment_key,
                actual,
            }));
        }
        let mut blob = Box::new(Blob::ZERO);
        for (i, z) in self.points.iter().enumerate() {
            let key = element_key(&commitment, z);
            let element = self.oracle.get(DataKind::BlobElement, key, Some(&hint))?;
            if element.len() != 32 {
                return Err(self.oracle.record(PreimageError::Invalid {
                    kind: DataKind::BlobElement,
                    key,
                    reason: alloc::format!(
                        "field element {i} has {} bytes, expected 32",
                        element.len()
                    ),
                }));
            }
            if U256::from_be_slice(&element) >= BLS_MODULUS {
                return Err(self.oracle.record(PreimageError::Invalid {
                    kind: DataKind::BlobElement,
                    key,
                    reason: alloc::format!("field element {i} is not below the BLS12-381 modulus"),
                }));
            }
            blob[i * 32..(i + 1) * 32].copy_from_slice(&element);
        }
        let proof_key = {
            let mut z = [0u8; 32];
            z[24..].copy_from_slice(&FIELD_ELEMENTS_PER_BLOB.to_be_bytes());
            element_key(&commitment, &B256::from(z))
        };
        let proof: Option<[u8; 48]> = if self.verifier.needs_proof() {
            let bytes = self
                .oracle
                .get(DataKind::BlobElement, proof_key, Some(&hint))?;
            Some(bytes.as_ref().try_into().map_err(|_| {
                self.oracle.record(PreimageError::Invalid {
                    kind: DataKind::BlobElement,
                    key: proof_key,
                    reason: alloc::format!("KZG proof has {} bytes, expected 48", bytes.len()),
                })
            })?)
        } else {
            None
        };
        self.verifier
            .verify(&blob, &commitment, proof.as_ref())
            .map_err(|reason| {
                self.oracle.record(PreimageError::Invalid {
                    kind: DataKind::BlobElement,
                    key: proof_key,
                    reason,
                })
            })?;
        Ok(BlobWithCommitment {
            blob,
            commitment: FixedBytes(commitment),
        })
    }
}

impl<O: PreimageOracleClient, H: HintWriterClient, V: BlobVerifier> BlobProvider
    for OracleBlobProvider<'_, O, H, V>
{
    type Error = PreimageError;

    fn blobs(
        &mut self,
        block: &BlockInfo,
        hashes: &[IndexedBlobHash],
    ) -> Result<Vec<BlobWithCommitment>, Self::Error> {
        hashes.iter().map(|hash| self.blob(block, hash)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluation_points_are_the_bit_reversed_roots_of_unity() {
        let points = blob_evaluation_points();
        assert_eq!(points.len(), 4096);
        let one = U256::from(1);
        // z_0 = ω^0 = 1, z_1 = ω^2048 = -1, z_2 = ω^1024 (a 4th root of unity).
        assert_eq!(U256::from_be_bytes(points[0].0), one);
        assert_eq!(U256::from_be_bytes(points[1].0), BLS_MODULUS - one);
        let z2 = U256::from_be_bytes(points[2].0);
        assert_eq!(z2.pow_mod(U256::from(4), BLS_MODULUS), one);
        assert_ne!(z2.pow_mod(U256::from(2), BLS_MODULUS), one);
        // Every point is a distinct 4096th root of unity.
        let mut sorted = points.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 4096);
        for z in points.iter().step_by(97) {
            assert_eq!(
                U256::from_be_bytes(z.0).pow_mod(U256::from(4096), BLS_MODULUS),
                one
            );
        }
    }
}
