//! The preimage archive: a flat, sorted file of typed preimages (witness files, the bundled
//! devnet).
//!
//! # Format (version 1)
//!
//! ```text
//! archive = magic ‖ count ‖ entry*count
//! magic   = "KOAPRE" 0x00 0x01            (8 bytes)
//! count   = u64 big-endian                 (8 bytes)
//! entry   = key ‖ length ‖ value
//! key     = a typed preimage key           (32 bytes)
//! length  = u64 big-endian                 (8 bytes)
//! value   = length bytes
//! ```
//!
//! Entries are sorted by key (byte order), keys are unique, and nothing follows the last
//! entry. [`PreimageArchive::decode`] checks all of that without copying any value, and
//! answers lookups by binary search. [`PreimageArchive::verify`] checks every keccak256 and
//! SHA-256 entry against its key; blob and precompile entries cannot be checked from the
//! key alone and are left to whoever reads them, local keys hold dispute inputs.

use alloc::vec::Vec;
use alloy_primitives::keccak256;
use sha2::{Digest, Sha256};

use crate::{InvalidKeyType, PreimageKey, PreimageKeyType};

/// The first 8 bytes of a version 1 archive.
pub const ARCHIVE_MAGIC: [u8; 8] = *b"KOAPRE\x00\x01";

/// Bytes before the first entry: magic and entry count.
pub const ARCHIVE_HEADER_LEN: usize = 16;

/// Bytes of an entry before its value: key and value length.
pub const ENTRY_HEADER_LEN: usize = 40;

/// A malformed archive, or an entry that does not match its key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// The data does not start with [`ARCHIVE_MAGIC`] (another file, or another version).
    #[error("not a version 1 preimage archive (bad magic)")]
    BadMagic,
    /// The data ends inside the header or inside entry `index`.
    #[error("archive truncated in entry {index}: needs {needed} more bytes at offset {offset}")]
    Truncated {
        /// Index of the entry being read (the header counts as entry 0).
        index: u64,
        /// Offset at which the missing bytes start.
        offset: usize,
        /// How many bytes are missing.
        needed: u64,
    },
    /// Entry `index` has a key of an unknown type.
    #[error("entry {index} has an invalid key")]
    InvalidKey {
        /// Index of the entry.
        index: u64,
        /// The bad type byte.
        source: InvalidKeyType,
    },
    /// Entry `index`'s key is smaller than the previous entry's.
    #[error("entry {index}: key {key} is not sorted after the previous key")]
    Unsorted {
        /// Index of the entry.
        index: u64,
        /// Its key.
        key: PreimageKey,
    },
    /// Entry `index` repeats the previous entry's key.
    #[error("entry {index}: duplicate key {key}")]
    Duplicate {
        /// Index of the entry.
        index: u64,
        /// The repeated key.
        key: PreimageKey,
    },
    /// Bytes follow the last entry.
    #[error("{count} bytes after the last entry")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// A keccak256 or SHA-256 entry whose value does not hash to its key.
    #[error("the value of {key} does not hash to its key")]
    HashMismatch {
        /// The entry's key.
        key: PreimageKey,
    },
}

/// A decoded archive: its entries borrow the archive's bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreimageArchive<'a> {
    entries: Vec<(PreimageKey, &'a [u8])>,
}

impl<'a> PreimageArchive<'a> {
    /// Parses `data`, checking the magic, every length, the key types, the order and
    /// uniqueness of keys, and that nothing trails the last entry. Values are not hashed: see
    /// [`Self::verify`].
    pub fn decode(data: &'a [u8]) -> Result<Self, ArchiveError> {
        if data.len() < ARCHIVE_MAGIC.len() || data[..ARCHIVE_MAGIC.len()] != ARCHIVE_MAGIC {
            return Err(ArchiveError::BadMagic);
        }
        let mut reader = Reader { data, offset: 8 };
        let count = reader.u64(0)?;
        // Every entry takes at least ENTRY_HEADER_LEN bytes: a count beyond that is a lie, and
        // must not size an allocation.
        let max_count = (data.len() - reader.offset) / ENTRY_HEADER_LEN;
        let mut entries =
            Vec::with_capacity(usize::try_from(count).unwrap_or(max_count).min(max_count));
        let mut previous: Option<PreimageKey> = None;
        for index in 0..count {
            let key_bytes: [u8; 32] = reader
                .take(index, 32)?
                .try_into()
                .expect("take returns 32 bytes");
            let key = PreimageKey::try_from(key_bytes)
                .map_err(|source| ArchiveError::InvalidKey { index, source })?;
            match previous {
                Some(prev) if prev == key => return Err(ArchiveError::Duplicate { index, key }),
                Some(prev) if prev > key => return Err(ArchiveError::Unsorted { index, key }),
                _ => {}
            }
            let len = reader.u64(index)?;
            let len = usize::try_from(len).map_err(|_| reader.truncated(index, len))?;
            let value = reader.take(index, len)?;
            entries.push((key, value));
            previous = Some(key);
        }
        if reader.offset != data.len() {
            return Err(ArchiveError::TrailingBytes {
                count: data.len() - reader.offset,
            });
        }
        Ok(Self { entries })
    }

    /// [`Self::decode`], then [`Self::verify`].
    pub fn decode_verified(data: &'a [u8]) -> Result<Self, ArchiveError> {
        let archive = Self::decode(data)?;
        archive.verify()?;
        Ok(archive)
    }

    /// Checks every keccak256 and SHA-256 entry against its key (the first byte of the key is
    /// the type, the other 31 must match the hash).
    pub fn verify(&self) -> Result<(), ArchiveError> {
        for (key, value) in &self.entries {
            if !entry_matches_key(key, value) {
                return Err(ArchiveError::HashMismatch { key: *key });
            }
        }
        Ok(())
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &PreimageKey) -> Option<&'a [u8]> {
        self.entries
            .binary_search_by(|(k, _)| k.cmp(key))
            .ok()
            .map(|i| self.entries[i].1)
    }

    /// The entries, in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (PreimageKey, &'a [u8])> + '_ {
        self.entries.iter().copied()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the archive has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Whether `value` hashes to `key` for the key types that can be checked from the key alone
/// (keccak256 and SHA-256); true for every other type.
pub fn entry_matches_key(key: &PreimageKey, value: &[u8]) -> bool {
    match key.key_type() {
        PreimageKeyType::Keccak256 => key.matches_hash(&keccak256(value)),
        PreimageKeyType::Sha256 => {
            let digest: [u8; 32] = Sha256::digest(value).into();
            key.matches_hash(&digest.into())
        }
        _ => true,
    }
}

/// Encodes `entries` as an archive. They must be sorted by key without duplicates (a
/// `BTreeMap`'s iteration order); the first out-of-order or repeated key is an error.
pub fn encode_archive<'v, I>(entries: I) -> Result<Vec<u8>, ArchiveError>
where
    I: IntoIterator<Item = (PreimageKey, &'v [u8])>,
{
    let mut body: Vec<u8> = Vec::new();
    let mut count: u64 = 0;
    let mut previous: Option<PreimageKey> = None;
    for (key, value) in entries {
        match previous {
            Some(prev) if prev == key => {
                return Err(ArchiveError::Duplicate { index: count, key });
            }
            Some(prev) if prev > key => return Err(ArchiveError::Unsorted { index: count, key }),
            _ => {}
        }
        body.extend_from_slice(key.as_bytes());
        body.extend_from_slice(&(value.len() as u64).to_be_bytes());
        body.extend_from_slice(value);
        previous = Some(key);
        count += 1;
    }
    let mut out = Vec::with_capacity(ARCHIVE_HEADER_LEN + body.len());
    out.extend_from_slice(&ARCHIVE_MAGIC);
    out.extend_from_slice(&count.to_be_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// A cursor over the archive bytes.
struct Reader<'a> {
    data: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    fn truncated(&self, index: u64, wanted: u64) -> ArchiveError {
        let available = (self.data.len() - self.offset) as u64;
        ArchiveError::Truncated {
            index,
            offset: self.offset,
            needed: wanted.saturating_sub(available),
        }
    }

    fn take(&mut self, index: u64, len: usize) -> Result<&'a [u8], ArchiveError> {
        let end = self
            .offset
            .checked_add(len)
            .filter(|end| *end <= self.data.len())
            .ok_or_else(|| self.truncated(index, len as u64))?;
        let slice = &self.data[self.offset..end];
        self.offset = end;
        Ok(slice)
    }

    fn u64(&mut self, index: u64) -> Result<u64, ArchiveError> {
        let bytes: [u8; 8] = self
            .take(index, 8)?
            .try_into()
            .expect("take returns 8 bytes");
        Ok(u64::from_be_bytes(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::{collections::BTreeMap, vec};
    use alloy_primitives::B256;

    fn sha256_key(value: &[u8]) -> PreimageKey {
        let digest: [u8; 32] = Sha256::digest(value).into();
        PreimageKey::sha256(B256::from(digest))
    }

    fn sample() -> BTreeMap<PreimageKey, Vec<u8>> {
        let mut map = BTreeMap::new();
        map.insert(PreimageKey::keccak256_of(b"header"), b"header".to_vec());
        map.insert(PreimageKey::keccak256_of(b""), Vec::new());
        map.insert(sha256_key(b"commitment"), b"commitment".to_vec());
        map.insert(PreimageKey::local(1), vec![0xaa; 32]);
        map.insert(
            PreimageKey::blob(&[7; 48], B256::with_last_byte(1)),
            vec![1; 32],
        );
        map
    }

    fn encoded(map: &BTreeMap<PreimageKey, Vec<u8>>) -> Vec<u8> {
        encode_archive(map.iter().map(|(k, v)| (*k, v.as_slice()))).unwrap()
    }

    #[test]
    fn round_trip_and_layout() {
        let map = sample();
        let bytes = encoded(&map);
        assert_eq!(&bytes[..8], b"KOAPRE\x00\x01");
        assert_eq!(u64::from_be_bytes(bytes[8..16].try_into().unwrap()), 5);
        // The first entry is the local key (type 1 sorts first), 32 bytes long.
        assert_eq!(&bytes[16..48], PreimageKey::local(1).as_bytes());
        assert_eq!(u64::from_be_bytes(bytes[48..56].try_into().unwrap()), 32);
        let expected_len: usize = 16 + map.values().map(|v| 40 + v.len()).sum::<usize>();
        assert_eq!(bytes.len(), expected_len);

        let archive = PreimageArchive::decode_verified(&bytes).unwrap();
        assert_eq!(archive.len(), 5);
        let decoded: Vec<(PreimageKey, Vec<u8>)> =
            archive.iter().map(|(k, v)| (k, v.to_vec())).collect();
        let original: Vec<(PreimageKey, Vec<u8>)> = map.into_iter().collect();
        assert_eq!(decoded, original);
        assert_eq!(
            archive.get(&PreimageKey::keccak256_of(b"header")),
            Some(&b"header"[..])
        );
        assert_eq!(archive.get(&PreimageKey::keccak256_of(b"absent")), None);
    }

    #[test]
    fn empty_archive() {
        let bytes = encode_archive(core::iter::empty()).unwrap();
        assert_eq!(bytes.len(), 16);
        assert!(PreimageArchive::decode_verified(&bytes).unwrap().is_empty());
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = encoded(&sample());
        for len in 0..bytes.len() {
            let error = PreimageArchive::decode(&bytes[..len]).unwrap_err();
            if len < 8 {
                assert_eq!(error, ArchiveError::BadMagic, "length {len}");
            } else {
                assert!(
                    matches!(error, ArchiveError::Truncated { offset, .. } if offset <= len),
                    "length {len}: {error:?}"
                );
            }
        }
    }

    #[test]
    fn bad_magic_and_trailing_bytes() {
        let mut bytes = encoded(&sample());
        bytes.push(0);
        assert_eq!(
            PreimageArchive::decode(&bytes),
            Err(ArchiveError::TrailingBytes { count: 1 })
        );
        bytes[7] = 2;
        assert_eq!(PreimageArchive::decode(&bytes), Err(ArchiveError::BadMagic));
    }

    #[test]
    fn huge_count_is_truncation_not_allocation() {
        let mut bytes = ARCHIVE_MAGIC.to_vec();
        bytes.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(matches!(
            PreimageArchive::decode(&bytes),
            Err(ArchiveError::Truncated { index: 0, .. })
        ));
        // A value length beyond the data.
        let mut bytes = encode_archive([(PreimageKey::local(1), &[1u8][..])]).unwrap();
        bytes[48..56].copy_from_slice(&u64::MAX.to_be_bytes());
        assert!(matches!(
            PreimageArchive::decode(&bytes),
            Err(ArchiveError::Truncated { index: 0, .. })
        ));
    }

    /// Two entries in the given order, written without the encoder's checks.
    fn raw_pair(first: PreimageKey, second: PreimageKey) -> Vec<u8> {
        let mut bytes = ARCHIVE_MAGIC.to_vec();
        bytes.extend_from_slice(&2u64.to_be_bytes());
        for key in [first, second] {
            bytes.extend_from_slice(key.as_bytes());
            bytes.extend_from_slice(&0u64.to_be_bytes());
        }
        bytes
    }

    #[test]
    fn unsorted_and_duplicate_keys_are_rejected() {
        let low = PreimageKey::local(1);
        let high = PreimageKey::local(2);
        assert_eq!(
            PreimageArchive::decode(&raw_pair(high, low)),
            Err(ArchiveError::Unsorted { index: 1, key: low })
        );
        assert_eq!(
            PreimageArchive::decode(&raw_pair(low, low)),
            Err(ArchiveError::Duplicate { index: 1, key: low })
        );
        assert!(PreimageArchive::decode(&raw_pair(low, high)).is_ok());
        // The encoder refuses the same inputs.
        assert_eq!(
            encode_archive([(high, &[][..]), (low, &[][..])]),
            Err(ArchiveError::Unsorted { index: 1, key: low })
        );
        assert_eq!(
            encode_archive([(low, &[][..]), (low, &[][..])]),
            Err(ArchiveError::Duplicate { index: 1, key: low })
        );
    }

    #[test]
    fn invalid_key_type_is_rejected() {
        let mut bytes = raw_pair(PreimageKey::local(1), PreimageKey::local(2));
        bytes[16 + 40] = 0x07;
        assert_eq!(
            PreimageArchive::decode(&bytes),
            Err(ArchiveError::InvalidKey {
                index: 1,
                source: InvalidKeyType(7)
            })
        );
    }

    #[test]
    fn verify_catches_wrong_keccak_and_sha256_values() {
        for key in [PreimageKey::keccak256_of(b"right"), sha256_key(b"right")] {
            let bytes = encode_archive([(key, &b"wrong"[..])]).unwrap();
            let archive = PreimageArchive::decode(&bytes).unwrap();
            assert_eq!(archive.verify(), Err(ArchiveError::HashMismatch { key }));
            assert_eq!(
                PreimageArchive::decode_verified(&bytes),
                Err(ArchiveError::HashMismatch { key })
            );
            let good = encode_archive([(key, &b"right"[..])]).unwrap();
            assert!(PreimageArchive::decode_verified(&good).is_ok());
        }
    }
}
