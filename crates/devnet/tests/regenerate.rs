//! Determinism: the same parameters write the same bytes, and `koa devnet generate` with the
//! bundled devnet's parameters rebuilds `testdata/devnet` byte for byte.

use std::path::PathBuf;

use koa_devnet::{
    ARCHIVE_FILE, CHAIN_FILE, CLAIMS_FILE, ChainIndex, ClaimsFile, DevnetParams, L1_CONFIG_FILE,
    ROLLUP_FILE, WriteOptions, bundled_devnet_dir, claims, generate, write_devnet,
};

const FILES: [&str; 5] = [
    ROLLUP_FILE,
    L1_CONFIG_FILE,
    CLAIMS_FILE,
    CHAIN_FILE,
    ARCHIVE_FILE,
];

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("koa-devnet-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn same_seed_same_bytes() {
    let a = generate(DevnetParams::new(7, 40)).unwrap();
    let b = generate(DevnetParams::new(7, 40)).unwrap();
    assert_eq!(a.store.to_archive(), b.store.to_archive());
    assert_eq!(ChainIndex::of(&a), ChainIndex::of(&b));
    assert_eq!(claims(&a), claims(&b));
    let other = generate(DevnetParams::new(8, 40)).unwrap();
    assert_ne!(
        ChainIndex::of(&a).l2_blocks,
        ChainIndex::of(&other).l2_blocks
    );
}

#[test]
fn bundled_devnet_regenerates_byte_for_byte() {
    let bundled = bundled_devnet_dir();
    let chain: ChainIndex =
        serde_json::from_slice(&std::fs::read(bundled.join(CHAIN_FILE)).unwrap()).unwrap();
    let devnet = generate(chain.params().unwrap()).unwrap();
    let out = temp_dir("regenerate");
    write_devnet(&devnet, &out, WriteOptions { data_dir: false }).unwrap();
    for file in FILES {
        let expected = std::fs::read(bundled.join(file)).unwrap();
        let actual = std::fs::read(out.join(file)).unwrap();
        assert!(expected == actual, "{file} differs from the bundled copy");
    }
    let claims: ClaimsFile =
        serde_json::from_slice(&std::fs::read(out.join(CLAIMS_FILE)).unwrap()).unwrap();
    assert!(claims.claims.len() >= 10);
    std::fs::remove_dir_all(out).unwrap();
}
