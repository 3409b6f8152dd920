//! Witness mode: a proof run from one file of preimages, for zkVMs, TEEs and offline replays.
//!
//! A zkVM guest or a TEE has no host to ask: everything the program reads must be in its input.
//! Witness mode splits a proof in two:
//!
//! 1. **Record.** Run the program once natively against a host, with the oracle wrapped in a
//!    [`RecordingOracle`]. Every preimage the run reads (local keys included) is kept, and at
//!    the end [`RecordingOracle::into_witness`] writes them as one preimage archive
//!    ([`koa_preimage::archive`]: magic, count, sorted `key ‖ length ‖ value` entries).
//! 2. **Replay.** Run the program again from that file alone with a [`WitnessOracle`] (and
//!    [`NoHints`]): the same reads, the same verdict, no host.
//!
//! # What is checked
//!
//! The witness is untrusted input. [`WitnessOracle::new`] decodes the archive strictly (a
//! truncated, unsorted or padded file is an [`ArchiveError`]) and checks every keccak256 and
//! sha256 entry against its key before the run starts. Blob field elements (type 5) cannot be
//! checked from their key: replay with a [`crate::blob::BlobVerifier`] that checks each blob
//! against its KZG commitment (`run_with`). Precompile results (type 6) cannot be checked
//! cheaply either, so a replay runs every precompile in-process (the default: no accelerator)
//! and a witness recorded that way holds none. A flipped byte in any checked entry therefore
//! ends the run with a failure (exit code 2), never a verdict.
//!
//! The local keys (type 1) are the claim itself — L1 head, agreed and claimed output roots,
//! claimed block number, chain id and configs. They are the public inputs of a zkVM proof:
//! the prover commits to them, and a verifier compares them with the dispute it settles.
//! Changing one changes which claim is judged; [`WitnessOracle::boot_digest`] is a commitment
//! to them for exactly that comparison.
//!
//! # A backend in a few hundred lines
//!
//! A zkVM guest needs three trait impls and a call to [`crate::run_with`]:
//!
//! ```ignore
//! // The guest reads the witness bytes from its input stream (zkVM-specific).
//! let witness: Vec<u8> = zkvm::io::read_vec();
//! let oracle = koa_proof::witness::WitnessOracle::new(&witness)?; // PreimageOracleClient
//! // Commit to the claim this proof is about (the local keys).
//! zkvm::io::commit(&oracle.boot_digest());
//! let verdict = koa_proof::run_with(&oracle, koa_proof::witness::NoHints, my_kzg_verifier)?;
//! zkvm::io::commit(&verdict.valid);
//! ```
//!
//! `PreimageOracleClient` (`get`, `get_exact`) and `HintWriterClient` (`hint`) come from
//! `koa-preimage`; `BlobVerifier` from [`crate::blob`]. A TEE backend is the same with the
//! witness streamed in over its channel; an FPVM backend implements the two oracle traits over
//! file descriptors instead (`koa-fpvm`).

use alloc::{collections::BTreeMap, vec::Vec};
use alloy_primitives::{B256, Keccak256};
use core::cell::RefCell;
use koa_preimage::{
    HintWriterClient, PreimageKey, PreimageKeyType, PreimageOracleClient, PreimageOracleError,
    archive::{ArchiveError, PreimageArchive, encode_archive},
};

/// The preimages of one proof run, from a witness file: every keccak256 and sha256 entry
/// checked against its key when the witness is opened.
#[derive(Debug, Clone)]
pub struct WitnessOracle<'a> {
    archive: PreimageArchive<'a>,
}

impl<'a> WitnessOracle<'a> {
    /// Opens the witness `data` (an uncompressed preimage archive), checking its format and
    /// every keccak256 and sha256 entry.
    pub fn new(data: &'a [u8]) -> Result<Self, ArchiveError> {
        Ok(Self {
            archive: PreimageArchive::decode_verified(data)?,
        })
    }

    /// How many preimages the witness holds.
    pub fn len(&self) -> usize {
        self.archive.len()
    }

    /// Whether the witness is empty.
    pub fn is_empty(&self) -> bool {
        self.archive.is_empty()
    }

    /// `keccak256` over every local entry (`key ‖ length (u64 BE) ‖ value`, in key order): a
    /// commitment to the claim the witness proves (see the module docs).
    pub fn boot_digest(&self) -> B256 {
        let mut hasher = Keccak256::new();
        for (key, value) in self.archive.iter() {
            if key.key_type() == PreimageKeyType::Local {
                hasher.update(key.as_bytes());
                hasher.update((value.len() as u64).to_be_bytes());
                hasher.update(value);
            }
        }
        hasher.finalize()
    }
}

impl PreimageOracleClient for WitnessOracle<'_> {
    fn get(&self, key: PreimageKey) -> Result<Vec<u8>, PreimageOracleError> {
        self.archive
            .get(&key)
            .map(<[u8]>::to_vec)
            .ok_or(PreimageOracleError::NotFound(key))
    }
}

/// A hint writer that drops every hint (a witness replay has no host to prepare data).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHints;

impl HintWriterClient for NoHints {
    fn hint(&self, _hint: &str) -> Result<(), PreimageOracleError> {
        Ok(())
    }
}

/// An oracle that remembers every preimage read through it, to write a witness.
#[derive(Debug)]
pub struct RecordingOracle<O> {
    inner: O,
    read: RefCell<BTreeMap<PreimageKey, Vec<u8>>>,
}

impl<O: PreimageOracleClient> RecordingOracle<O> {
    /// Records what is read from `inner`.
    pub fn new(inner: O) -> Self {
        Self {
            inner,
            read: RefCell::new(BTreeMap::new()),
        }
    }

    /// How many distinct preimages were read so far.
    pub fn len(&self) -> usize {
        self.read.borrow().len()
    }

    /// Whether nothing was read.
    pub fn is_empty(&self) -> bool {
        self.read.borrow().is_empty()
    }

    /// The witness: every preimage read, as a preimage archive.
    pub fn into_witness(self) -> Result<Vec<u8>, ArchiveError> {
        let read = self.read.into_inner();
        encode_archive(read.iter().map(|(key, value)| (*key, value.as_slice())))
    }
}

impl<O: PreimageOracleClient> PreimageOracleClient for RecordingOracle<O> {
    fn get(&self, key: PreimageKey) -> Result<Vec<u8>, PreimageOracleError> {
        let value = self.inner.get(key)?;
        self.read.borrow_mut().insert(key, value.clone());
        Ok(value)
    }

    fn get_exact(&self, key: PreimageKey, buf: &mut [u8]) -> Result<(), PreimageOracleError> {
        self.inner.get_exact(key, buf)?;
        self.read.borrow_mut().insert(key, buf.to_vec());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    fn archive(entries: &[(PreimageKey, &[u8])]) -> Vec<u8> {
        let map: BTreeMap<PreimageKey, &[u8]> = entries.iter().copied().collect();
        encode_archive(map).expect("sorted")
    }

    #[test]
    fn recorded_reads_replay_from_the_witness_alone() {
        let node = b"a trie node".to_vec();
        let mut source: BTreeMap<PreimageKey, Vec<u8>> = BTreeMap::new();
        source.insert(PreimageKey::local(1), vec![7; 32]);
        source.insert(PreimageKey::keccak256_of(&node), node.clone());
        source.insert(PreimageKey::keccak256_of(b"unread"), b"unread".to_vec());
        let oracle = MapOracle(source);
        let recorder = RecordingOracle::new(&oracle);
        assert_eq!(
            recorder.get(PreimageKey::keccak256_of(&node)).unwrap(),
            node
        );
        let mut local = [0u8; 32];
        recorder
            .get_exact(PreimageKey::local(1), &mut local)
            .unwrap();
        assert_eq!(recorder.len(), 2);
        let witness = recorder.into_witness().unwrap();

        let replay = WitnessOracle::new(&witness).unwrap();
        assert_eq!(replay.len(), 2);
        assert_eq!(replay.get(PreimageKey::keccak256_of(&node)).unwrap(), node);
        assert_eq!(
            replay.get(PreimageKey::keccak256_of(b"unread")),
            Err(PreimageOracleError::NotFound(PreimageKey::keccak256_of(
                b"unread"
            )))
        );
        let mut short = [0u8; 31];
        assert!(matches!(
            replay.get_exact(PreimageKey::local(1), &mut short),
            Err(PreimageOracleError::LengthMismatch { .. })
        ));
    }

    #[test]
    fn a_flipped_byte_in_a_checked_entry_is_rejected() {
        let node = b"a trie node".to_vec();
        let witness = archive(&[
            (PreimageKey::local(1), &[7; 32]),
            (PreimageKey::keccak256(keccak256(&node)), &node),
        ]);
        assert!(WitnessOracle::new(&witness).is_ok());
        // The node's last byte is the file's last byte.
        let mut flipped = witness.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(WitnessOracle::new(&flipped).is_err());
        // Truncated and padded files are rejected too.
        assert!(WitnessOracle::new(&witness[..witness.len() - 1]).is_err());
        let mut padded = witness;
        padded.push(0);
        assert!(WitnessOracle::new(&padded).is_err());
    }

    #[test]
    fn boot_digest_commits_to_the_local_keys_only() {
        let node = b"node".to_vec();
        let a = archive(&[
            (PreimageKey::local(3), &[1; 32]),
            (PreimageKey::keccak256_of(&node), &node),
        ]);
        let b = archive(&[(PreimageKey::local(3), &[1; 32])]);
        let c = archive(&[(PreimageKey::local(3), &[2; 32])]);
        let digest = |data: &[u8]| WitnessOracle::new(data).unwrap().boot_digest();
        assert_eq!(digest(&a), digest(&b));
        assert_ne!(digest(&b), digest(&c));
    }

    /// An in-memory oracle.
    struct MapOracle(BTreeMap<PreimageKey, Vec<u8>>);

    impl PreimageOracleClient for MapOracle {
        fn get(&self, key: PreimageKey) -> Result<Vec<u8>, PreimageOracleError> {
            self.0
                .get(&key)
                .cloned()
                .ok_or(PreimageOracleError::NotFound(key))
        }
    }
}
