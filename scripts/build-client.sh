#!/usr/bin/env bash
# Builds an FPVM program as a static ELF.
#
#   scripts/build-client.sh <riscv64|mips64|native> [--program client|smoke|stress]
#                           [--package P] [--bin B] [--features F] [--profile R]
#
# `--program client` (the default) builds the fault proof program (package koa-client, bin
# koa-client); `--program smoke` the oracle smoke program (koa-oracle-smoke, oracle-smoke);
# `--program stress` the proof path's memory worst cases (koa-stress, stress). FPVM builds use `--no-default-features --features fpvm`; native builds the
# package's defaults.
# The profile is `release-client` (fat LTO, one codegen unit) unless --profile or
# KOA_CLIENT_PROFILE says otherwise. The ELF is copied to
# target/fpvm/<arch>/<bin> and its path printed on the last line of stdout.
#
# Toolchain: the FPVM targets are built ONLY with Debian's rustc-web (/usr/bin/cargo,
# RUSTC=/usr/bin/rustc), using RUSTC_BOOTSTRAP=1 for -Zbuild-std=core,alloc (no prebuilt std for
# these targets) and for the MIPS64 custom target spec. Linker: ld.lld (Debian `lld`; the
# toolchain ships no rust-lld).
#
# - riscv64 (Asterisc): riscv64imac-unknown-none-elf with `-C target-feature=-c,-zca`, i.e.
#   RV64IMA: Asterisc decodes 4-byte instructions only. `-c` alone is NOT enough with rustc 1.96
#   / LLVM: `+c` implies `+zca`, which stays enabled and still emits compressed instructions.
#   Check with scripts/check-rv64ima.sh.
# - mips64 (Cannon): scripts/targets/mips64-unknown-none.json: big-endian, n64 ABI, MIPS64 (release 1)
#   base ISA, soft-float, no abicalls (static, non-PIC), and `-mno-check-zero-division` (LLVM
#   otherwise emits `teq` traps after divisions; Rust already checks division by zero).
#   `asm_experimental_arch` is enabled by koa-fpvm for mips64 only.
# - native: the host toolchain's normal `cargo build` of the package (for programs that also
#   have a std entry point; the no_std smoke program does not).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ARCH="${1:-}"
shift || true
PACKAGE=koa-client
BIN=koa-client
FEATURES=fpvm
PROFILE="${KOA_CLIENT_PROFILE:-release-client}"
while [ $# -gt 0 ]; do
  case "$1" in
    --program)
      case "$2" in
        client) PACKAGE=koa-client; BIN=koa-client ;;
        smoke) PACKAGE=koa-oracle-smoke; BIN=oracle-smoke ;;
        stress) PACKAGE=koa-stress; BIN=stress ;;
        *) echo "unknown program: $2 (client, smoke or stress)" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --package) PACKAGE="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    --features) FEATURES="$2"; shift 2 ;;
    --profile) PROFILE="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

FEATURE_ARGS=()
if [ -n "$FEATURES" ]; then FEATURE_ARGS=(--features "$FEATURES"); fi
OUT_ROOT="${KOA_FPVM_TARGET_DIR:-$ROOT/target/fpvm}"

case "$ARCH" in
  riscv64)
    TARGET=riscv64imac-unknown-none-elf
    TARGET_ARG="$TARGET"
    RUSTFLAGS_ARCH="-C target-feature=-c,-zca -C linker=ld.lld"
    ;;
  mips64)
    TARGET=mips64-unknown-none
    TARGET_ARG="$ROOT/scripts/targets/mips64-unknown-none.json"
    # lld's default ELF entry symbol on MIPS is `__start`, not `_start`.
    RUSTFLAGS_ARCH="-C link-arg=--entry=_start"
    ;;
  native)
    # The native program is the package's default (std) build.
    cargo build --manifest-path "$ROOT/Cargo.toml" -p "$PACKAGE" --bin "$BIN" \
      --profile "$PROFILE" >&2
    ELF="$ROOT/target/$PROFILE/$BIN"
    ls -l "$ELF" >&2
    echo "$ELF"
    exit 0
    ;;
  *)
    echo "usage: $0 <riscv64|mips64|native> [--package P] [--bin B] [--features F] [--profile R]" >&2
    exit 2
    ;;
esac

BUILD_START=$SECONDS
for tool in /usr/bin/cargo /usr/bin/rustc ld.lld; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install rustc-web cargo-web rust-web-src lld)" >&2; exit 1; }
done

env -u RUSTUP_TOOLCHAIN -u CARGO_BUILD_RUSTFLAGS \
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
  CARGO_TARGET_DIR="$OUT_ROOT/build" \
  RUSTFLAGS="-C relocation-model=static -C link-arg=-static -C link-arg=--no-dynamic-linker $RUSTFLAGS_ARCH" \
  /usr/bin/cargo build --manifest-path "$ROOT/Cargo.toml" \
    -p "$PACKAGE" --bin "$BIN" --no-default-features "${FEATURE_ARGS[@]}" --profile "$PROFILE" \
    --target "$TARGET_ARG" \
    -Zbuild-std=core,alloc -Zbuild-std-features=compiler-builtins-mem -Zjson-target-spec >&2

ELF_SRC="$OUT_ROOT/build/$TARGET/$PROFILE/$BIN"
mkdir -p "$OUT_ROOT/$ARCH"
cp "$ELF_SRC" "$OUT_ROOT/$ARCH/$BIN"
ELF="$OUT_ROOT/$ARCH/$BIN"
echo "built $ARCH ELF ($PROFILE, $((SECONDS - BUILD_START))s): $ELF ($(stat -c %s "$ELF") bytes)" >&2
echo "$ELF"
