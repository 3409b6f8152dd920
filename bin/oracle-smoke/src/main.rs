//! FPVM smoke program: fetches one preimage of every key type through the oracle, sends hints,
//! authenticates everything it receives, and exits 0 only if every check passes.
//!
//! Local key `2` is the run mode: `check` runs the checks; `panic` panics at once, to exercise
//! the panic handler (exit code 2).
//!
//! Like the real client, it trusts nothing but its bootstrap input: local key `1` holds the
//! keccak256 hash of a manifest, and the manifest (checked against that hash) says what every
//! other preimage must be. Manifest layout, [`MANIFEST_LEN`] bytes:
//!
//! | bytes     | field                                                    |
//! |-----------|----------------------------------------------------------|
//! | 0..32     | sha256 digest of the sha256 preimage                    |
//! | 32..80    | blob commitment                                          |
//! | 80..112   | blob evaluation point `z`                                |
//! | 112..144  | expected blob field element                              |
//! | 144..176  | input of the SHA-256 precompile (address `0x02`)         |
//! | 176..208  | global generic `x`                                       |
//! | 208..228  | global generic `sender`                                  |
//! | 228..260  | expected global generic value                            |
#![cfg_attr(not(test), no_std)]
#![cfg_attr(not(test), no_main)]

extern crate alloc;

use alloc::{format, vec::Vec};
use alloy_primitives::{Address, B256, address, keccak256};
use koa_preimage::{HintWriterClient, PreimageKey, PreimageOracleClient, PreimageOracleError};
use sha2::{Digest, Sha256};

koa_fpvm::entry!(main);

/// The manifest length in bytes.
const MANIFEST_LEN: usize = 260;
/// The local key index of the manifest hash.
const MANIFEST_HASH_INDEX: u64 = 1;
/// The local key index of the run mode.
const MODE_INDEX: u64 = 2;
/// The SHA-256 precompile.
const SHA256_PRECOMPILE: Address = address!("0000000000000000000000000000000000000002");

/// Why the smoke program failed.
#[derive(Debug, thiserror::Error)]
enum SmokeError {
    /// The oracle or hint channel failed.
    #[error("oracle")]
    Oracle(#[from] PreimageOracleError),
    /// A preimage did not match what the authenticated manifest requires.
    #[error("check failed: {0}")]
    Check(&'static str),
}

/// Counts the checks that passed.
#[derive(Debug, Default)]
struct Checks {
    passed: usize,
}

impl Checks {
    /// Fails with `what` unless `condition` holds.
    fn check(&mut self, condition: bool, what: &'static str) -> Result<(), SmokeError> {
        if !condition {
            return Err(SmokeError::Check(what));
        }
        self.passed += 1;
        Ok(())
    }
}

/// Copies `N` bytes of the manifest starting at `offset`.
fn field<const N: usize>(manifest: &[u8], offset: usize) -> Result<[u8; N], SmokeError> {
    manifest
        .get(offset..offset + N)
        .and_then(|bytes| <[u8; N]>::try_from(bytes).ok())
        .ok_or(SmokeError::Check("manifest field out of range"))
}

fn main() -> Result<(), SmokeError> {
    let oracle = koa_fpvm::oracle_reader();
    let hints = koa_fpvm::hint_writer();
    let checks: usize = run(&oracle, &hints)?;
    koa_fpvm::println!("oracle-smoke: {checks} checks passed");
    Ok(())
}

/// Runs every check; returns how many passed.
fn run(
    oracle: &impl PreimageOracleClient,
    hints: &impl HintWriterClient,
) -> Result<usize, SmokeError> {
    let mut checks: Checks = Checks::default();
    let mode: Vec<u8> = oracle.get(PreimageKey::local(MODE_INDEX))?;
    match mode.as_slice() {
        b"check" => {}
        b"panic" => panic!("panic requested by the host"),
        _ => return Err(SmokeError::Check("unknown run mode")),
    }

    // Local key: the bootstrap input, read with an exact-size buffer.
    let mut manifest_hash: [u8; 32] = [0; 32];
    oracle.get_exact(PreimageKey::local(MANIFEST_HASH_INDEX), &mut manifest_hash)?;
    let manifest_hash: B256 = B256::new(manifest_hash);

    // Keccak256 key: the manifest, authenticated by its hash.
    hints.hint(&format!("smoke-manifest {manifest_hash}"))?;
    let manifest: Vec<u8> = oracle.get(PreimageKey::keccak256(manifest_hash))?;
    checks.check(manifest.len() == MANIFEST_LEN, "manifest length")?;
    checks.check(
        keccak256(&manifest) == manifest_hash,
        "keccak256 of the manifest",
    )?;

    // SHA2-256 key.
    let digest: B256 = B256::new(field::<32>(&manifest, 0)?);
    hints.hint(&format!("smoke-sha256 {digest}"))?;
    let payload: Vec<u8> = oracle.get(PreimageKey::sha256(digest))?;
    checks.check(
        B256::new(Sha256::digest(&payload).into()) == digest,
        "sha256 of the payload",
    )?;

    // Blob (point evaluation) key.
    let commitment: [u8; 48] = field::<48>(&manifest, 32)?;
    let z: B256 = B256::new(field::<32>(&manifest, 80)?);
    let expected_element: [u8; 32] = field::<32>(&manifest, 112)?;
    hints.hint(&format!("smoke-blob {z}"))?;
    let mut element: [u8; 32] = [0; 32];
    oracle.get_exact(PreimageKey::blob(&commitment, z), &mut element)?;
    checks.check(element == expected_element, "blob field element")?;

    // Precompile key: the result must be `1 ++ sha256(input)`, which we can recompute.
    let input: [u8; 32] = field::<32>(&manifest, 144)?;
    hints.hint(&format!("smoke-precompile {SHA256_PRECOMPILE}"))?;
    let result: Vec<u8> = oracle.get(PreimageKey::precompile(SHA256_PRECOMPILE, &input))?;
    let expected_result: Vec<u8> = [&[1u8][..], &Sha256::digest(input)[..]].concat();
    checks.check(result == expected_result, "sha256 precompile result")?;

    // Global generic key.
    let x: B256 = B256::new(field::<32>(&manifest, 176)?);
    let sender: Address = Address::new(field::<20>(&manifest, 208)?);
    let expected_value: [u8; 32] = field::<32>(&manifest, 228)?;
    let value: Vec<u8> = oracle.get(PreimageKey::global_generic(x, sender))?;
    checks.check(value == expected_value, "global generic value")?;

    // The empty preimage is legal and must come back empty.
    let empty: Vec<u8> = oracle.get(PreimageKey::keccak256(keccak256([])))?;
    checks.check(empty.is_empty(), "empty preimage")?;

    // Heap sanity on the VM: a large allocation is usable end to end.
    let big: Vec<u8> = alloc::vec![0xa5; 1 << 20];
    checks.check(
        big.iter().all(|&byte| byte == 0xa5),
        "1 MiB heap allocation",
    )?;

    Ok(checks.passed)
}
