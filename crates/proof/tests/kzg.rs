//! `koa_proof::kzg::verify_blob_kzg_proof` on real blobs: the five blob sidecars of a Goerli
//! beacon block (`testdata/blobs/`), whose commitments and proofs the network produced, verify;
//! every tampered blob, commitment or proof does not.
#![cfg(feature = "kzg")]

use koa_proof::kzg::{BYTES_PER_BLOB, KzgError, verify_blob_kzg_proof};
use std::{io::Read, path::PathBuf};

struct Sidecar {
    blob: Box<[u8; BYTES_PER_BLOB]>,
    commitment: [u8; 48],
    proof: [u8; 48],
}

fn sidecars() -> Vec<Sidecar> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/blobs/goerli-beacon-blob-sidecars.json.zst");
    let mut json = String::new();
    zstd::Decoder::new(std::fs::File::open(path).expect("the sidecars"))
        .unwrap()
        .read_to_string(&mut json)
        .unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let bytes =
        |v: &serde_json::Value| alloy_primitives::hex::decode(v.as_str().unwrap()).expect("hex");
    value["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|sidecar| Sidecar {
            blob: bytes(&sidecar["blob"]).try_into().unwrap(),
            commitment: bytes(&sidecar["kzg_commitment"]).try_into().unwrap(),
            proof: bytes(&sidecar["kzg_proof"]).try_into().unwrap(),
        })
        .collect()
}

#[test]
fn real_blobs_verify_against_their_commitments() {
    let sidecars = sidecars();
    assert_eq!(sidecars.len(), 5);
    for (i, sidecar) in sidecars.iter().enumerate() {
        assert_eq!(
            verify_blob_kzg_proof(&sidecar.blob, &sidecar.commitment, &sidecar.proof),
            Ok(true),
            "sidecar {i}"
        );
    }
}

#[test]
fn a_tampered_blob_commitment_or_proof_does_not_verify() {
    let sidecars = sidecars();
    let first = &sidecars[0];
    let second = &sidecars[1];
    // One bit of one field element (kept below the modulus: the low byte).
    for element in [0usize, 1, 2047, 4095] {
        let mut blob = first.blob.clone();
        blob[element * 32 + 31] ^= 1;
        assert_eq!(
            verify_blob_kzg_proof(&blob, &first.commitment, &first.proof),
            Ok(false),
            "element {element} changed"
        );
    }
    // Another blob's commitment or proof: valid points, wrong statement.
    assert_eq!(
        verify_blob_kzg_proof(&first.blob, &second.commitment, &first.proof),
        Ok(false)
    );
    assert_eq!(
        verify_blob_kzg_proof(&first.blob, &first.commitment, &second.proof),
        Ok(false)
    );
    // Another blob with its own commitment but the first's proof.
    assert_eq!(
        verify_blob_kzg_proof(&second.blob, &second.commitment, &first.proof),
        Ok(false)
    );
    // A commitment whose bytes are no longer a curve point (or not in the subgroup).
    let mut commitment = first.commitment;
    commitment[47] ^= 1;
    let result = verify_blob_kzg_proof(&first.blob, &commitment, &first.proof);
    assert!(
        matches!(result, Err(KzgError::InvalidCommitment) | Ok(false)),
        "{result:?}"
    );
    assert_ne!(result, Ok(true));
    // An element at the modulus is refused, not reduced.
    let mut blob = first.blob.clone();
    blob[..32].copy_from_slice(&alloy_primitives::hex!(
        "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001"
    ));
    assert_eq!(
        verify_blob_kzg_proof(&blob, &first.commitment, &first.proof),
        Err(KzgError::InvalidFieldElement(0))
    );
}
