#!/usr/bin/env bash
# Fails unless every executable instruction of the given RISC-V ELFs is RV64IMA (no compressed
# instructions, floating point or CSR accesses): the instruction set Asterisc executes.
#
#   scripts/check-rv64ima.sh <elf>...
#
# The checker is koa-host's `check-rv64ima` binary (crates/host/src/rv64.rs), built with the
# normal host toolchain.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -eq 0 ]; then
  echo "usage: $0 <elf>..." >&2
  exit 2
fi
cargo run --quiet --manifest-path "$ROOT/Cargo.toml" -p koa-host --bin check-rv64ima -- "$@"
