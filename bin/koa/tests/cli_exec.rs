//! `koa exec` on the bundled execution fixtures: output format and exit codes.

use std::{path::PathBuf, process::Command};

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/execution"
    ))
}

fn koa(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_koa"))
        .args(args)
        .output()
        .expect("koa runs")
}

#[test]
fn json_line_has_the_documented_fields_in_order() {
    let dir = fixtures().join("op-sepolia-26207960");
    let out = koa(&["exec", "--fixture", dir.to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.trim();
    assert_eq!(text.lines().count(), 1);
    let keys = [
        "block_number",
        "block_hash",
        "expected",
        "ok",
        "execute_ms",
        "preimages_used",
    ];
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| line.find(&format!("\"{k}\":")).expect("key present"))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "key order: {line}"
    );
    let value: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(value["block_number"], 26207960);
    assert_eq!(value["ok"], true);
    assert_eq!(value["block_hash"], value["expected"]);
    assert!(value["preimages_used"].as_u64().unwrap() > 0);
}

#[test]
fn a_wrong_expected_hash_exits_1() {
    let src = fixtures().join("op-sepolia-26207960");
    let dir = std::env::temp_dir().join(format!("koa-exec-mismatch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = std::fs::read_to_string(src.join("fixture.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&fixture).unwrap();
    json["expected_block_hash"] = serde_json::Value::String(format!("0x{}", "11".repeat(32)));
    std::fs::write(dir.join("fixture.json"), json.to_string()).unwrap();
    std::fs::copy(
        src.join("preimages.json.zst"),
        dir.join("preimages.json.zst"),
    )
    .unwrap();
    let out = koa(&["exec", "--fixture", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("MISMATCH"));
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let out = koa(&["exec", "--fixture", "/nonexistent/koa-fixture"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim().lines().count(),
        1
    );

    let dir = std::env::temp_dir().join(format!("koa-exec-bad-json-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("fixture.json"), "{ not json").unwrap();
    std::fs::write(dir.join("preimages.json"), "{}").unwrap();
    let out = koa(&["exec", "--fixture", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
