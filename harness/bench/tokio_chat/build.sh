#!/usr/bin/env bash
# Builds the tokio chat server (the reference for wb_bench_chat_load) offline from Debian's
# packaged crates into the build tree: <build dir>/tokio_chat/release/tokio_chat.
# Usage: harness/bench/tokio_chat/build.sh [build dir, default build/release]
# Needs cargo and Debian's librust-tokio-dev (crates.io is not used: see .cargo/config.toml).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
build="$(realpath -m "${1:-$root/build/release}")"  # absolute before the cd below: relative to the caller
if ! command -v cargo >/dev/null; then
  echo "build.sh: cargo not found (Debian: apt-get install cargo)" >&2
  exit 2
fi
# Debian's tokio sources: installed here when missing and this is root with apt-get, as
# scripts/setup does for the rest (only this benchmark needs them, so setup leaves them out).
have_tokio() { compgen -G "/usr/share/cargo/registry/tokio-1.*" >/dev/null; }
if ! have_tokio; then
  if (($(id -u) == 0)) && command -v apt-get >/dev/null; then
    echo "build.sh: installing librust-tokio-dev (Debian's tokio sources)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y librust-tokio-dev >/dev/null ||
      { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y librust-tokio-dev >/dev/null; } ||
      true
  fi
  if ! have_tokio; then
    echo "build.sh: Debian's tokio sources are missing: apt-get install librust-tokio-dev" >&2
    exit 2
  fi
fi
mkdir -p "$build"
cd "$here"
cargo build --release --offline --jobs 1 --target-dir "$build/tokio_chat" >&2
echo "$build/tokio_chat/release/tokio_chat"
