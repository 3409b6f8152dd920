//! EIP-4844 blobs of the devnet's batcher: KZG commitments and proofs from the mainnet trusted
//! setup (c-kzg), and the preimages the fault-proof oracle serves for them.

use alloy_eips::eip4844::{BYTES_PER_BLOB, Blob, FIELD_ELEMENTS_PER_BLOB};
use alloy_primitives::{B256, Bytes, FixedBytes, U256, uint};
use koa_derive::{
    sources::{encode_blob, kzg_to_versioned_hash},
    traits::BlobWithCommitment,
};
use koa_preimage::PreimageKey;

use crate::{DevnetError, store::PreimageStore};

/// The BLS12-381 scalar field modulus.
const BLS_MODULUS: U256 =
    uint!(0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001_U256);

/// The primitive root the EIP-4844 evaluation domain is built from.
const PRIMITIVE_ROOT_OF_UNITY: U256 = uint!(7_U256);

/// A blob with its KZG commitment, proof and versioned hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobData {
    /// The blob.
    pub blob: Box<Blob>,
    /// Its KZG commitment.
    pub commitment: FixedBytes<48>,
    /// The KZG proof of the whole blob (`compute_blob_kzg_proof`).
    pub proof: FixedBytes<48>,
    /// The versioned hash a transaction names it by.
    pub versioned_hash: B256,
}

impl BlobData {
    /// Encodes `data` into a blob (the OP Stack blob encoding) and commits to it.
    pub fn encode(data: &[u8]) -> Result<Self, DevnetError> {
        let blob = encode_blob(data).map_err(|e| DevnetError::Blob(e.to_string()))?;
        Self::from_blob(Box::new(blob))
    }

    /// Commits to `blob`.
    pub fn from_blob(blob: Box<Blob>) -> Result<Self, DevnetError> {
        let settings = c_kzg::ethereum_kzg_settings(0);
        let kzg_blob = c_kzg::Blob::from_bytes(blob.as_slice())
            .map_err(|e| DevnetError::Blob(format!("{e:?}")))?;
        let commitment = settings
            .blob_to_kzg_commitment(&kzg_blob)
            .map_err(|e| DevnetError::Blob(format!("{e:?}")))?
            .to_bytes();
        let proof = settings
            .compute_blob_kzg_proof(&kzg_blob, &commitment)
            .map_err(|e| DevnetError::Blob(format!("{e:?}")))?
            .to_bytes();
        let commitment = FixedBytes::<48>::from_slice(commitment.as_slice());
        Ok(Self {
            blob,
            versioned_hash: kzg_to_versioned_hash(&commitment),
            commitment,
            proof: FixedBytes::from_slice(proof.as_slice()),
        })
    }

    /// The blob as the derivation pipeline's blob provider returns it.
    pub fn with_commitment(&self) -> BlobWithCommitment {
        BlobWithCommitment {
            blob: self.blob.clone(),
            commitment: self.commitment,
        }
    }

    /// Adds the preimages the oracle serves for this blob: the commitment under its SHA-256
    /// key (the versioned hash with type byte 4); for every field element `i` the 80-byte
    /// `commitment ‖ z_i` under its keccak256 key and the element under the blob key of the
    /// same hash; and at index 4096 (z = 4096 as a big-endian integer) the blob's KZG proof.
    pub fn add_preimages(&self, store: &mut PreimageStore) {
        store.insert(
            PreimageKey::sha256(self.versioned_hash),
            Bytes::copy_from_slice(self.commitment.as_slice()),
        );
        let roots = roots_of_unity();
        let mut key_data = [0u8; 80];
        key_data[..48].copy_from_slice(self.commitment.as_slice());
        for (i, z) in roots.iter().enumerate() {
            key_data[48..].copy_from_slice(z.as_slice());
            let element = Bytes::copy_from_slice(&self.blob[i * 32..(i + 1) * 32]);
            self.add_point(store, &key_data, element);
        }
        key_data[48..].copy_from_slice(B256::from(U256::from(FIELD_ELEMENTS_PER_BLOB)).as_slice());
        self.add_point(
            store,
            &key_data,
            Bytes::copy_from_slice(self.proof.as_slice()),
        );
    }

    fn add_point(&self, store: &mut PreimageStore, key_data: &[u8; 80], value: Bytes) {
        let hash = store.add_keccak(Bytes::copy_from_slice(key_data));
        store.insert(
            PreimageKey::new(hash.0, koa_preimage::PreimageKeyType::Blob),
            value,
        );
    }
}

/// The EIP-4844 evaluation domain in bit-reversed order: `z_i = ω^bitrev(i)` with
/// `ω = 7^((r - 1) / 4096) mod r`, as big-endian 32-byte words.
pub fn roots_of_unity() -> &'static [B256] {
    static ROOTS: std::sync::OnceLock<Vec<B256>> = std::sync::OnceLock::new();
    ROOTS.get_or_init(|| {
        let n = FIELD_ELEMENTS_PER_BLOB as usize;
        let exponent = (BLS_MODULUS - U256::from(1)) / U256::from(n);
        let omega = PRIMITIVE_ROOT_OF_UNITY.pow_mod(exponent, BLS_MODULUS);
        let mut powers = Vec::with_capacity(n);
        let mut power = U256::from(1);
        for _ in 0..n {
            powers.push(power);
            power = power.mul_mod(omega, BLS_MODULUS);
        }
        let bits = n.trailing_zeros();
        (0..n)
            .map(|i| {
                let reversed = i.reverse_bits() >> (usize::BITS - bits);
                B256::from(powers[reversed])
            })
            .collect()
    })
}

const _: () = assert!(BYTES_PER_BLOB == FIELD_ELEMENTS_PER_BLOB as usize * 32);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_the_kzg_evaluation_points_of_the_blob_elements() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        let blob = BlobData::encode(&data).unwrap();
        let settings = c_kzg::ethereum_kzg_settings(0);
        let kzg_blob = c_kzg::Blob::from_bytes(blob.blob.as_slice()).unwrap();
        let roots = roots_of_unity();
        assert_eq!(roots[0], B256::from(U256::from(1)), "ω^0 first");
        for i in [0usize, 1, 2, 3, 100, 4095] {
            let z = c_kzg::Bytes32::from_bytes(roots[i].as_slice()).unwrap();
            let (_, y) = settings.compute_kzg_proof(&kzg_blob, &z).unwrap();
            assert_eq!(
                y.as_slice(),
                &blob.blob[i * 32..(i + 1) * 32],
                "p(z_{i}) is element {i}"
            );
        }
        let proof = c_kzg::Bytes48::from_bytes(blob.proof.as_slice()).unwrap();
        let commitment = c_kzg::Bytes48::from_bytes(blob.commitment.as_slice()).unwrap();
        assert!(
            settings
                .verify_blob_kzg_proof(&kzg_blob, &commitment, &proof)
                .unwrap()
        );
        assert_eq!(blob.versioned_hash[0], 1);
    }
}
