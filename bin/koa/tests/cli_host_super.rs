//! `koa host super --native` end to end: every claim of the bundled super devnets (one chain
//! and two chains) gets its expected verdict, offline from the devnet's preimages and online
//! against `koa devnet serve` (one L2 node per chain, chain ids found by `eth_chainId`).

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

use koa_devnet::{SuperDevnet, bundled_super_devnet_dir};

fn koa() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_koa"));
    command.env_remove("KOA_LOG").env("NO_COLOR", "1");
    command
}

fn expected_code(valid: bool) -> i32 {
    if valid { 0 } else { 1 }
}

#[test]
fn every_bundled_super_claim_offline() {
    for chains in [1, 2] {
        let dir = bundled_super_devnet_dir(chains);
        let devnet = SuperDevnet::load(&dir).unwrap();
        for claim in &devnet.claims {
            let output = koa()
                .args(["host", "super", "--native", "--devnet"])
                .arg(&dir)
                .args(["--claim", &claim.name])
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(expected_code(claim.expected_valid)),
                "{chains} chains, claim {}: {}{}",
                claim.name,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}

/// `koa devnet serve` on free ports; its URLs from its first lines.
struct Served {
    child: Child,
    l1: String,
    beacon: String,
    l2s: Vec<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, chains: usize) -> Served {
    let mut child = koa()
        .args(["devnet", "serve", "--addr", "127.0.0.1:0", "--dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = |line: String| line.rsplit(' ').next().unwrap().to_string();
    let l1 = url(lines.next().unwrap().unwrap());
    let beacon = url(lines.next().unwrap().unwrap());
    let l2s = (0..chains)
        .map(|_| url(lines.next().unwrap().unwrap()))
        .collect();
    // Keep reading what the server prints, so it never writes to a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Served {
        child,
        l1,
        beacon,
        l2s,
    }
}

#[test]
fn every_bundled_super_claim_online_against_devnet_serve() {
    for chains in [1, 2] {
        let dir: PathBuf = bundled_super_devnet_dir(chains);
        let devnet = SuperDevnet::load(&dir).unwrap();
        let served = serve(&dir, chains);
        let rollups: Vec<String> = devnet
            .chains
            .iter()
            .map(|c| {
                dir.join(koa_devnet::rollup_file(c.rollup_config.l2_chain_id))
                    .display()
                    .to_string()
            })
            .collect();
        // The L2 nodes in reverse order: the host matches them to chains by eth_chainId.
        let l2s: Vec<String> = served.l2s.iter().rev().cloned().collect();
        for claim in &devnet.claims {
            // op-challenger's argv shape: the pre-state without 0x, the timestamp in decimal.
            let output = koa()
                .args(["host", "super", "--native"])
                .args(["--l1-node-address", &served.l1])
                .args(["--l1-beacon-address", &served.beacon])
                .args(["--l2-node-addresses", &l2s.join(",")])
                .args(["--l1-head", &claim.l1_head.to_string()])
                .args([
                    "--agreed-l2-pre-state",
                    claim.agreed_l2_pre_state.trim_start_matches("0x"),
                ])
                .args([
                    "--claimed-l2-post-state",
                    &claim.claimed_l2_post_state.to_string(),
                ])
                .args([
                    "--claimed-l2-timestamp",
                    &claim.claimed_l2_timestamp.to_string(),
                ])
                .args(["--rollup-config-paths", &rollups.join(",")])
                .arg("--l1-config-paths")
                .arg(dir.join(koa_devnet::L1_CONFIG_FILE))
                .arg("--dependency-set-path")
                .arg(dir.join(koa_devnet::DEPENDENCY_SET_FILE))
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(expected_code(claim.expected_valid)),
                "{chains} chains, claim {} online: {}{}",
                claim.name,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}

/// A devnet generated with another seed (and other block times), proved from op-program's
/// data directory the generator writes: `--data-dir` and the files, as any tool would pass
/// them.
#[test]
fn another_seed_from_its_data_dir() {
    for (chains, block_times) in [(1, "2"), (2, "1,2")] {
        let out =
            std::env::temp_dir().join(format!("koa-super-seed5-{chains}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let status = koa()
            .args(["devnet", "generate", "--seed", "5", "--l2-blocks", "30"])
            .args([
                "--chains",
                &chains.to_string(),
                "--block-times",
                block_times,
            ])
            .arg("--out")
            .arg(&out)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        let devnet = SuperDevnet::load(&out).unwrap();
        let rollups: Vec<String> = devnet
            .chains
            .iter()
            .map(|c| {
                out.join(koa_devnet::rollup_file(c.rollup_config.l2_chain_id))
                    .display()
                    .to_string()
            })
            .collect();
        for claim in &devnet.claims {
            let output = koa()
                .args(["host", "super", "--native", "--data-dir"])
                .arg(out.join(koa_devnet::PREIMAGE_DIR))
                .args(["--l1-head", &claim.l1_head.to_string()])
                .args(["--agreed-l2-pre-state", &claim.agreed_l2_pre_state])
                .args([
                    "--claimed-l2-post-state",
                    &claim.claimed_l2_post_state.to_string(),
                ])
                .args([
                    "--claimed-l2-timestamp",
                    &claim.claimed_l2_timestamp.to_string(),
                ])
                .args(["--rollup-config-paths", &rollups.join(",")])
                .arg("--l1-config-path")
                .arg(out.join(koa_devnet::L1_CONFIG_FILE))
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(expected_code(claim.expected_valid)),
                "seed 5, {chains} chains, claim {}: {}{}",
                claim.name,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::fs::remove_dir_all(&out).unwrap();
    }
}

/// `koa host super` opens its data directory as `koa host` does: offline, a directory that does
/// not exist is refused (exit 2) and not created, and a non-empty one without `kvformat` (a
/// kona-host RocksDB directory) is refused.
#[test]
fn offline_data_dir_rules_are_koa_hosts() {
    let base = std::env::temp_dir().join(format!("koa-host-super-dd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let missing = base.join("missing");
    let rocksdb = base.join("rocksdb");
    std::fs::create_dir_all(&rocksdb).unwrap();
    std::fs::write(rocksdb.join("CURRENT"), "MANIFEST-000001\n").unwrap();
    let devnet = bundled_super_devnet_dir(1);
    for dir in [&missing, &rocksdb] {
        let output = koa()
            .args(["host", "super", "--devnet"])
            .arg(&devnet)
            .args(["--claim", "first-step", "--native", "--data-dir"])
            .arg(dir)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", dir.display());
    }
    assert!(
        !missing.exists(),
        "an offline run created its data directory"
    );
    assert!(!rocksdb.join("kvformat").exists());
    std::fs::remove_dir_all(&base).unwrap();
}
