#!/usr/bin/env bash
# FPVM CI: builds the oracle smoke program for Asterisc (riscv64) and Cannon (mips64), checks the
# RISC-V ELF is RV64IMA only, reports ELF sizes, and runs both under qemu-user against the host's
# preimage server (crates/host/tests/qemu.rs), including the wrong-answer runs that must fail.
# Self-contained: installs the Debian toolchain and qemu-user if they are missing.
# Exits non-zero on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

missing=0
for tool in /usr/bin/cargo /usr/bin/rustc ld.lld qemu-riscv64 qemu-mips64; do
  command -v "$tool" >/dev/null 2>&1 || missing=1
done
# rust-web-src provides the core/alloc sources that -Zbuild-std compiles.
[ -d "$(/usr/bin/rustc --print sysroot 2>/dev/null)/lib/rustlib/src/rust/library/core" ] || missing=1
if [ "$missing" = 1 ]; then
  echo "== installing the Debian Rust toolchain, lld and qemu-user"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y rustc-web cargo-web rust-web-src lld qemu-user
fi

OUT="${KOA_FPVM_TARGET_DIR:-$ROOT/target/fpvm}"
export KOA_FPVM_TARGET_DIR="$OUT"

echo "== building the smoke program for riscv64 (Asterisc)"
RV_ELF="$(bash scripts/build-client.sh riscv64 | tail -n 1)"
echo "== building the smoke program for mips64 (Cannon)"
MIPS_ELF="$(bash scripts/build-client.sh mips64 | tail -n 1)"

echo "== instruction-set check (RV64IMA)"
bash scripts/check-rv64ima.sh "$RV_ELF"

echo "== ELF sizes"
for elf in "$RV_ELF" "$MIPS_ELF"; do
  printf '%10d bytes  %s\n' "$(stat -c %s "$elf")" "$elf"
done

echo "== end-to-end under qemu-riscv64 / qemu-mips64"
KOA_FPVM_ELF_DIR="$OUT" cargo test -p koa-host --test qemu -- --ignored --test-threads=2

echo "== FPVM CI passed"
