//! `verify_blob_kzg_proof` of EIP-4844 (consensus specs, Deneb "Polynomial Commitments"), on
//! arkworks' BLS12-381.
//!
//! Checking a blob against its commitment with the blob's KZG proof needs, of the trusted
//! setup, only `KZG_SETUP_G2_MONOMIAL[1]` (`[τ]₂`): the challenge is a hash, the evaluation a
//! barycentric sum over the roots of unity, and the check one two-pairing product. c-kzg's
//! `load_trusted_setup` instead decompresses 8,192 G1 points and precomputes its EIP-7594
//! tables on first use, once per process: measured with `perf` on an offline devnet claim,
//! about 88% of the run's cycles were BLS12-381 field arithmetic under it. This module does
//! only the check, following the spec function by function.

use alloc::{boxed::Box, vec::Vec};
use alloy_primitives::hex;
use ark_bls12_381::{Bls12_381, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, pairing::Pairing};
use ark_ff::{BigInt, Field, One, PrimeField};
use ark_serialize::CanonicalDeserialize;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Field elements in a blob (`FIELD_ELEMENTS_PER_BLOB`).
pub const FIELD_ELEMENTS_PER_BLOB: usize = 4096;
/// Bytes in a blob (`BYTES_PER_BLOB`).
pub const BYTES_PER_BLOB: usize = FIELD_ELEMENTS_PER_BLOB * 32;
/// The domain separator of the blob challenge (`FIAT_SHAMIR_PROTOCOL_DOMAIN`).
const FIAT_SHAMIR_PROTOCOL_DOMAIN: &[u8; 16] = b"FSBLOBVERIFY_V1_";

/// `KZG_SETUP_G2_MONOMIAL[1]`, `[τ]₂`, compressed: the second G2 point of the Ethereum KZG
/// ceremony's output (`trusted_setup.txt` of the consensus specs and of c-kzg, line 4100).
const KZG_SETUP_G2_TAU: [u8; 96] = hex!(
    "b5bfd7dd8cdeb128843bc287230af38926187075cbfbefa81009a2ce615ac53d2914e5870cb452d2afaaab24f3499f72185cbfee53492714734429b7b38608e23926c911cceceac9a36851477ba4c60b087041de621000edc98edada20c1def2"
);

/// Why a blob could not be checked: its inputs are not valid encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KzgError {
    /// The commitment is not a compressed G1 point in the prime-order subgroup (nor the
    /// point at infinity): `bytes_to_kzg_commitment` fails.
    #[error("the commitment is not a valid G1 point")]
    InvalidCommitment,
    /// The proof is not a compressed G1 point in the prime-order subgroup (nor the point at
    /// infinity): `bytes_to_kzg_proof` fails.
    #[error("the proof is not a valid G1 point")]
    InvalidProof,
    /// A field element is not below the BLS12-381 scalar field modulus: `bytes_to_bls_field`
    /// fails.
    #[error("field element {0} is not below the BLS12-381 modulus")]
    InvalidFieldElement(usize),
}

/// The domain: the 4096th roots of unity in bit-reversed order, in the field and as the
/// shared constants `[τ]₂`, `[1]₂`, `[1]₁`.
struct Setup {
    roots_of_unity_brp: Box<[Fr]>,
    g2_tau: G2Affine,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let roots_of_unity_brp = crate::blob::blob_evaluation_points()
            .iter()
            .map(|z| Fr::from_be_bytes_mod_order(z.as_slice()))
            .collect();
        let g2_tau = G2Affine::deserialize_compressed(KZG_SETUP_G2_TAU.as_slice())
            .expect("the ceremony's [τ]₂ is a valid G2 point");
        Setup {
            roots_of_unity_brp,
            g2_tau,
        }
    })
}

/// `bytes_to_bls_field`: a big-endian 32-byte integer below the modulus, else `None`.
fn bytes_to_bls_field(bytes: &[u8]) -> Option<Fr> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let at = 32 - 8 * (i + 1);
        *limb = u64::from_be_bytes(bytes[at..at + 8].try_into().ok()?);
    }
    Fr::from_bigint(BigInt::new(limbs))
}

/// `validate_kzg_g1` then the point: KeyValidate (a compressed point on the curve and in the
/// prime-order subgroup), the point at infinity allowed.
fn bytes_to_g1(bytes: &[u8; 48]) -> Option<G1Affine> {
    G1Affine::deserialize_compressed(bytes.as_slice()).ok()
}

/// `compute_challenge`: the Fiat-Shamir challenge of `blob` under `commitment`.
fn compute_challenge(blob: &[u8; BYTES_PER_BLOB], commitment: &[u8; 48]) -> Fr {
    let mut degree_poly = [0u8; 16];
    degree_poly[8..].copy_from_slice(&(FIELD_ELEMENTS_PER_BLOB as u64).to_be_bytes());
    let hash = Sha256::new()
        .chain_update(FIAT_SHAMIR_PROTOCOL_DOMAIN)
        .chain_update(degree_poly)
        .chain_update(blob)
        .chain_update(commitment)
        .finalize();
    // `hash_to_bls_field`: the hash as a big-endian integer, reduced modulo the field order.
    Fr::from_be_bytes_mod_order(&hash)
}

/// `evaluate_polynomial_in_evaluation_form`: the blob polynomial at `z`, by the barycentric
/// formula (one batch inversion), or the element itself when `z` is in the domain.
fn evaluate_polynomial_in_evaluation_form(polynomial: &[Fr], z: Fr) -> Fr {
    let roots = &setup().roots_of_unity_brp;
    if let Some(index) = roots.iter().position(|root| *root == z) {
        return polynomial[index];
    }
    let mut denominators: Vec<Fr> = roots.iter().map(|root| z - root).collect();
    ark_ff::batch_inversion(&mut denominators);
    let sum: Fr = polynomial
        .iter()
        .zip(roots.iter())
        .zip(&denominators)
        .map(|((value, root), inverse)| *value * root * inverse)
        .sum();
    let width = Fr::from(FIELD_ELEMENTS_PER_BLOB as u64);
    let inverse_width = width.inverse().expect("4096 is not zero in the field");
    sum * (z.pow([FIELD_ELEMENTS_PER_BLOB as u64]) - Fr::one()) * inverse_width
}

/// `verify_kzg_proof_impl`: whether `proof` shows that the polynomial committed to by
/// `commitment` takes the value `y` at `z`, i.e. `e(P - [y]₁, -[1]₂) · e(Q, [τ]₂ - [z]₂) = 1`.
fn verify_kzg_proof_impl(commitment: G1Affine, z: Fr, y: Fr, proof: G1Affine) -> bool {
    let g1 = G1Affine::generator();
    let g2 = G2Affine::generator();
    let x_minus_z: G2Affine = (G2Projective::from(setup().g2_tau) - g2 * z).into_affine();
    let p_minus_y: G1Affine = (G1Projective::from(commitment) - g1 * y).into_affine();
    let product = Bls12_381::multi_pairing([p_minus_y, proof], [-g2, x_minus_z]);
    product.0.is_one()
}

/// `verify_blob_kzg_proof`: whether `proof` shows that `blob` is the polynomial committed to by
/// `commitment`. Invalid encodings (a point off the curve or outside the subgroup, a field
/// element not below the modulus) are errors, as the spec's asserts are.
pub fn verify_blob_kzg_proof(
    blob: &[u8; BYTES_PER_BLOB],
    commitment: &[u8; 48],
    proof: &[u8; 48],
) -> Result<bool, KzgError> {
    let commitment_point = bytes_to_g1(commitment).ok_or(KzgError::InvalidCommitment)?;
    let polynomial: Vec<Fr> = blob
        .chunks_exact(32)
        .enumerate()
        .map(|(i, element)| bytes_to_bls_field(element).ok_or(KzgError::InvalidFieldElement(i)))
        .collect::<Result<_, _>>()?;
    let challenge = compute_challenge(blob, commitment);
    let y = evaluate_polynomial_in_evaluation_form(&polynomial, challenge);
    let proof_point = bytes_to_g1(proof).ok_or(KzgError::InvalidProof)?;
    Ok(verify_kzg_proof_impl(
        commitment_point,
        challenge,
        y,
        proof_point,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_serialize::CanonicalSerialize;

    #[test]
    fn the_setup_point_and_generator_encode_as_in_the_ceremony_file() {
        // `KZG_SETUP_G2_MONOMIAL[0]` is the G2 generator: arkworks' compressed encoding is
        // the one of the ceremony file (and of the consensus specs).
        let mut bytes = Vec::new();
        G2Affine::generator()
            .serialize_compressed(&mut bytes)
            .unwrap();
        assert_eq!(
            hex::encode(bytes),
            "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"
        );
        assert!(!setup().g2_tau.is_zero());
    }

    #[test]
    fn the_zero_blob_verifies_against_the_point_at_infinity_only() {
        let blob = Box::new([0u8; BYTES_PER_BLOB]);
        let mut infinity = [0u8; 48];
        infinity[0] = 0xc0;
        assert_eq!(verify_blob_kzg_proof(&blob, &infinity, &infinity), Ok(true));
        // The generator is a valid point but not the zero polynomial's commitment.
        let mut generator = [0u8; 48];
        G1Affine::generator()
            .serialize_compressed(generator.as_mut_slice())
            .unwrap();
        assert_eq!(
            verify_blob_kzg_proof(&blob, &generator, &infinity),
            Ok(false)
        );
        assert_eq!(
            verify_blob_kzg_proof(&blob, &infinity, &generator),
            Ok(false)
        );
    }

    #[test]
    fn malformed_inputs_are_errors() {
        let mut blob = Box::new([0u8; BYTES_PER_BLOB]);
        let mut infinity = [0u8; 48];
        infinity[0] = 0xc0;
        // Not compressed, infinity with a non-zero x, x not a curve point.
        for bad in [
            [0u8; 48],
            {
                let mut b = infinity;
                b[47] = 1;
                b
            },
            [0x9f; 48],
        ] {
            assert_eq!(
                verify_blob_kzg_proof(&blob, &bad, &infinity),
                Err(KzgError::InvalidCommitment)
            );
            assert_eq!(
                verify_blob_kzg_proof(&blob, &infinity, &bad),
                Err(KzgError::InvalidProof)
            );
        }
        // The modulus itself is not a field element.
        let modulus = hex!("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
        blob[32 * 7..32 * 8].copy_from_slice(&modulus);
        assert_eq!(
            verify_blob_kzg_proof(&blob, &infinity, &infinity),
            Err(KzgError::InvalidFieldElement(7))
        );
    }
}
