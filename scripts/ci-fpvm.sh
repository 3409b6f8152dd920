#!/usr/bin/env bash
# FPVM CI: builds the oracle smoke program for Asterisc (riscv64) and Cannon (mips64), checks the
# RISC-V ELF is RV64IMA only, reports ELF sizes, and runs both under qemu-user against the host's
# preimage server (crates/host/tests/qemu.rs), including the wrong-answer runs that must fail.
# Also runs, within the client's heap, the channel stages' memory worst case for riscv64
# (bin/stress/tests/qemu_bank.rs), the channel bank's frames it no longer counts
# (bin/stress/tests/qemu_uncounted.rs) and the largest batch transaction list for riscv64 and
# mips64 (bin/stress/tests/qemu_batch.rs).
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

export KOA_CLIENT_PROFILE="${KOA_CLIENT_PROFILE:-release-client}"

echo "== building the smoke program for riscv64 (Asterisc)"
RV_SMOKE="$(bash scripts/build-client.sh riscv64 --program smoke | tail -n 1)"
echo "== building the smoke program for mips64 (Cannon)"
MIPS_SMOKE="$(bash scripts/build-client.sh mips64 --program smoke | tail -n 1)"
echo "== building koa-client for riscv64 (Asterisc), profile $KOA_CLIENT_PROFILE"
start=$SECONDS
RV_CLIENT="$(bash scripts/build-client.sh riscv64 --program client | tail -n 1)"
echo "   riscv64 client built in $((SECONDS - start))s"
echo "== building koa-client for mips64 (Cannon), profile $KOA_CLIENT_PROFILE"
start=$SECONDS
MIPS_CLIENT="$(bash scripts/build-client.sh mips64 --program client | tail -n 1)"
echo "   mips64 client built in $((SECONDS - start))s"

echo "== building koa-client-super (the super-root program) for mips64 (Cannon)"
start=$SECONDS
MIPS_SUPER="$(bash scripts/build-client.sh mips64 --bin koa-client-super | tail -n 1)"
echo "   mips64 super client built in $((SECONDS - start))s"

echo "== building the stress program for riscv64 (Asterisc) and mips64 (Cannon)"
start=$SECONDS
RV_STRESS="$(bash scripts/build-client.sh riscv64 --program stress | tail -n 1)"
MIPS_STRESS="$(bash scripts/build-client.sh mips64 --program stress | tail -n 1)"
echo "   stress built in $((SECONDS - start))s"

echo "== instruction-set check (RV64IMA)"
bash scripts/check-rv64ima.sh "$RV_SMOKE"
bash scripts/check-rv64ima.sh "$RV_CLIENT"
bash scripts/check-rv64ima.sh "$RV_STRESS"

echo "== ELF sizes"
for elf in "$RV_SMOKE" "$MIPS_SMOKE" "$RV_CLIENT" "$MIPS_CLIENT" "$RV_STRESS" "$MIPS_STRESS"; do
  printf '%10d bytes  %s\n' "$(stat -c %s "$elf")" "$elf"
done

echo "== smoke program end-to-end under qemu-riscv64 / qemu-mips64"
KOA_FPVM_ELF_DIR="$OUT" cargo test -p koa-host --test qemu -- --ignored --test-threads=2

if [ -f bin/client/tests/devnet.rs ]; then
  echo "== devnet claims proven by koa-client under qemu-riscv64 / qemu-mips64"
  KOA_FPVM_ELF_DIR="$OUT" cargo test -p koa-client --test devnet -- --ignored --test-threads=2 --nocapture
else
  echo "== koa-client under qemu: bin/client/tests/devnet.rs not present (needs the bundled devnet), skipped"
fi

echo "== koa host --server: the oracle on fds 3-6, the riscv64 client under qemu as the VM"
KOA_FPVM_ELF_DIR="$OUT" cargo test -p koa --test cli_host_server -- --ignored

echo "== koa's Cannon VM: the mips64 client's .text against Cannon's instruction table"
KOA_FPVM_ELF_DIR="$OUT" cargo test -p koa-vm --test cannon_scan -- --ignored --nocapture

echo "== koa's VMs: devnet claims proven by the mips64 and riscv64 clients (koa host --vm cannon|asterisc)"
KOA_FPVM_ELF_DIR="$OUT" cargo test -p koa --test cli_vm -- --ignored --nocapture

echo "== koa's Asterisc VM: a devnet claim proven by the riscv64 client, and step proofs in the run"
KOA_ASTERISC_CLIENT="$RV_CLIENT" cargo test -p koa-vm --test asterisc_devnet -- --ignored --nocapture

echo "== channel stages' memory worst case under qemu-riscv64, within the client's heap"
# A Fjord channel bank full of the smallest channels, then a bank-sized channel read and
# decoded; prints each phase's heap figures (peak_in_use, carved, size) and the wall time.
KOA_FPVM_ELF_DIR="$OUT" cargo test -p koa-stress --test qemu_bank -- --ignored --nocapture

echo "== the largest batch transaction list under qemu-riscv64 / qemu-mips64, within the client's heap"
# A channel at Fjord's limit of one-byte transactions: decoded, built into attributes, failed
# at execution, replaced by its deposits; prints each step's heap figures and the wall time.
KOA_FPVM_ELF_DIR="$OUT" cargo test -p koa-stress --test qemu_batch -- --ignored --nocapture --test-threads=1

echo "== pre-Holocene frames the channel bank no longer counts, under qemu-riscv64"
# A Granite channel timeout (51 L1 blocks) of the most frames 60M gas and 21 blobs carry, in
# channels a pruning close leaves counted as one frame: 300-byte frames (the most heap per L1
# byte) and empty ones (the most frames); about 15 s. The pre-Granite window (301 blocks, about
# 2 min) runs by hand with KOA_UNCOUNTED_PRE_GRANITE=1.
KOA_FPVM_ELF_DIR="$OUT" cargo test -p koa-stress --test qemu_uncounted -- --ignored --nocapture

echo "== koa host --vm: devnet claims through the CLI, the client under qemu"
# Expects: exit 0 for a valid claim, 1 for a wrong one (the host's exit codes are the client's).
host_claim() {
  local vm="$1" elf="$2" claim="$3" want="$4" got=0
  cargo run -q -p koa -- host --devnet testdata/devnet --claim "$claim" --vm "$vm" --elf "$elf" || got=$?
  if [ "$got" != "$want" ]; then
    echo "koa host --vm $vm --claim $claim: exit $got, expected $want" >&2
    exit 1
  fi
}
host_claim qemu-riscv64 "$RV_CLIENT" across-karst 0
host_claim qemu-mips64 "$MIPS_CLIENT" wrong-random-output 1

echo "== koa host super --vm qemu-mips64: super-root claims, the super client under qemu"
# The bundled two-chain super devnet: a derivation step (valid and wrong) and consolidation.
super_claim() {
  local claim="$1" want="$2" got=0
  cargo run -q -p koa -- host super --devnet testdata/superdevnet-2 --claim "$claim" \
    --vm qemu-mips64 --elf "$MIPS_SUPER" || got=$?
  if [ "$got" != "$want" ]; then
    echo "koa host super --vm qemu-mips64 --claim $claim: exit $got, expected $want" >&2
    exit 1
  fi
}
super_claim first-step 0
super_claim first-step-wrong 1
super_claim consolidation 0

echo "== FPVM CI passed"
