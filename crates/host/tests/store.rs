//! The data directory store: op-program's `directory` layout byte for byte, key checks on
//! store and on read, and refusal of unsupported layouts.

use alloy_primitives::{B256, keccak256};
use koa_host::store::{
    DirectoryStore, MemoryStore, PreimageStore, StoreError, VerifiedStore, check_preimage,
};
use koa_preimage::{PreimageKey, PreimageKeyType};
use sha2::{Digest, Sha256};
use std::fs;

fn sha256_key(data: &[u8]) -> PreimageKey {
    let hash: [u8; 32] = Sha256::digest(data).into();
    PreimageKey::sha256(B256::from(hash))
}

#[test]
fn directory_layout_matches_op_program() {
    let dir = tempfile::tempdir().unwrap();
    let store = DirectoryStore::open(dir.path()).unwrap();
    assert_eq!(
        fs::read_to_string(dir.path().join("kvformat")).unwrap(),
        "directory"
    );
    let value: &[u8] = b"\x01\x02hello\xff";
    let key = PreimageKey::keccak256_of(value);
    store.put(key, value).unwrap();

    // <dir>/<first 4 hex chars of the typed key>/<remaining 60>.txt holding lowercase hex.
    let hex_key: String = hex::encode(key.as_bytes());
    assert!(hex_key.starts_with("02"));
    let path = dir
        .path()
        .join(&hex_key[..4])
        .join(format!("{}.txt", &hex_key[4..]));
    assert_eq!(fs::read_to_string(&path).unwrap(), hex::encode(value));
    assert_eq!(store.path_of(key), path);
    assert_eq!(store.get(key).unwrap().as_deref(), Some(value));
    assert_eq!(store.keys().unwrap(), vec![key]);

    // An absent key is `None`, not an error.
    assert_eq!(
        store.get(PreimageKey::keccak256_of(b"other")).unwrap(),
        None
    );

    // Reopening keeps the data and the recorded format.
    let reopened = DirectoryStore::open(dir.path()).unwrap();
    assert_eq!(reopened.get(key).unwrap().as_deref(), Some(value));
}

#[test]
fn reads_a_directory_written_by_hand_in_op_programs_layout() {
    // What op-program's DirectoryKV writes for keccak256("abc").
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("kvformat"), "directory").unwrap();
    let hash = keccak256(b"abc");
    let mut typed = hash.0;
    typed[0] = 2;
    let hex_key = hex::encode(typed);
    fs::create_dir_all(dir.path().join(&hex_key[..4])).unwrap();
    fs::write(
        dir.path()
            .join(&hex_key[..4])
            .join(format!("{}.txt", &hex_key[4..])),
        "616263",
    )
    .unwrap();
    let store = VerifiedStore::new(DirectoryStore::open(dir.path()).unwrap());
    assert_eq!(
        store.get(PreimageKey::keccak256(hash)).unwrap().as_deref(),
        Some(&b"abc"[..])
    );
}

#[test]
fn flat_file_layout_is_read_too() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("kvformat"), "file").unwrap();
    let store = DirectoryStore::open(dir.path()).unwrap();
    let key = PreimageKey::keccak256_of(b"x");
    store.put(key, b"x").unwrap();
    // op-program's fileKV names the file by go-ethereum's `Hash.String()`: with the `0x`.
    let path = dir
        .path()
        .join(format!("0x{}.txt", hex::encode(key.as_bytes())));
    assert!(path.is_file());
    assert_eq!(store.path_of(key), path);
    assert_eq!(store.keys().unwrap(), vec![key]);
}

#[test]
fn reads_a_file_layout_written_by_hand_as_op_program_names_it() {
    // What op-program's fileKV writes for keccak256("abc"): `0x<typed key>.txt`.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("kvformat"), "file").unwrap();
    let hash = keccak256(b"abc");
    let mut typed = hash.0;
    typed[0] = 2;
    fs::write(
        dir.path().join(format!("0x{}.txt", hex::encode(typed))),
        "616263",
    )
    .unwrap();
    let store = VerifiedStore::new(DirectoryStore::open(dir.path()).unwrap());
    assert_eq!(
        store.get(PreimageKey::keccak256(hash)).unwrap().as_deref(),
        Some(&b"abc"[..])
    );
}

#[test]
fn a_new_directory_gets_the_format_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new");
    DirectoryStore::open_or_create(&path, "file").unwrap();
    assert_eq!(fs::read_to_string(path.join("kvformat")).unwrap(), "file");
    // An existing directory keeps its layout.
    DirectoryStore::open_or_create(&path, "directory").unwrap();
    assert_eq!(fs::read_to_string(path.join("kvformat")).unwrap(), "file");
    let err = DirectoryStore::open_or_create(dir.path().join("other"), "rocksdb").unwrap_err();
    assert!(err.to_string().contains("rocksdb"), "{err}");
}

#[test]
fn a_non_empty_directory_without_kvformat_is_refused() {
    // As kona-host leaves its RocksDB data directory: files, and no kvformat.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("CURRENT"), "MANIFEST-000005\n").unwrap();
    fs::write(dir.path().join("000004.log"), [0u8; 16]).unwrap();
    for open in [DirectoryStore::open, DirectoryStore::open_existing] {
        let err = open(dir.path()).unwrap_err();
        assert!(matches!(err, StoreError::Directory { .. }), "{err}");
        assert!(err.to_string().contains("no kvformat"), "{err}");
    }
    assert!(!dir.path().join("kvformat").exists());
}

#[test]
fn offline_opening_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let err = DirectoryStore::open_existing(&missing).unwrap_err();
    assert!(err.to_string().contains("online run"), "{err}");
    assert!(!missing.exists());

    let err = DirectoryStore::open_existing(dir.path()).unwrap_err();
    assert!(err.to_string().contains("it is empty"), "{err}");
    assert!(!dir.path().join("kvformat").exists());
}

#[test]
fn unsupported_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("kvformat"), "pebble").unwrap();
    let err = DirectoryStore::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::Directory { .. }), "{err}");
    assert!(err.to_string().contains("pebble"), "{err}");
}

#[test]
fn verified_store_refuses_wrong_preimages_on_put() {
    let store = VerifiedStore::new(MemoryStore::new());
    let key = PreimageKey::keccak256_of(b"right");
    let err = store.put(key, b"wrong").unwrap_err();
    assert!(err.to_string().contains(&key.to_string()), "{err}");
    store.put(key, b"right").unwrap();

    let sha = sha256_key(b"commitment");
    assert!(store.put(sha, b"other").is_err());
    store.put(sha, b"commitment").unwrap();

    // Local keys are inputs, never stored.
    assert!(store.put(PreimageKey::local(1), &[0; 32]).is_err());
    assert!(check_preimage(PreimageKey::local(1), &[0; 32]).is_err());
}

#[test]
fn corrupt_file_on_disk_is_detected_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let raw = DirectoryStore::open(dir.path()).unwrap();
    let key = PreimageKey::keccak256_of(b"original");
    raw.put(key, b"original").unwrap();
    let store = VerifiedStore::new(raw);
    assert!(store.get(key).unwrap().is_some());

    // Flip the content: still hex, wrong bytes.
    let path = store.inner().path_of(key);
    fs::write(&path, hex::encode(b"tampered")).unwrap();
    let err = store.get(key).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err}");
    assert!(err.to_string().contains(&key.to_string()), "{err}");

    // Not hex at all.
    fs::write(&path, "zz").unwrap();
    let err = store.get(key).unwrap_err();
    assert!(err.to_string().contains(&key.to_string()), "{err}");
    assert!(err.to_string().contains("not hex"), "{err}");
}

#[test]
fn every_key_type_gets_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = DirectoryStore::open(dir.path()).unwrap();
    let hash = keccak256(b"same hash");
    let keys = [
        PreimageKey::new(hash.0, PreimageKeyType::Keccak256),
        PreimageKey::new(hash.0, PreimageKeyType::Blob),
        PreimageKey::new(hash.0, PreimageKeyType::Precompile),
    ];
    for (i, key) in keys.iter().enumerate() {
        store.put(*key, &[i as u8]).unwrap();
    }
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(store.get(*key).unwrap(), Some(vec![i as u8]));
    }
    let mut listed = store.keys().unwrap();
    listed.sort();
    assert_eq!(listed, keys.to_vec());
}
