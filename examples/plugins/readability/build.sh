#!/usr/bin/env bash
# build.sh SDK_PREFIX OUT: builds the readability plugin (a Rust cdylib) with cargo, checking its ABI
# bindings against the docanalysis plugin SDK installed at SDK_PREFIX, runs its tests, and writes the
# ready plugin folder (plugin.json, libreadability.so) to OUT.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 SDK_PREFIX OUT" >&2; exit 2; }
export DOCANALYSIS_SDK_PREFIX=$(realpath "$1")
OUT=$(realpath -m "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
[[ -d $HOME/.cargo/bin ]] && export PATH="$HOME/.cargo/bin:$PATH"   # a rustup toolchain, when there is one
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$(mktemp -d)}
cargo test --manifest-path "$HERE/Cargo.toml" --release --offline -j2
cargo build --manifest-path "$HERE/Cargo.toml" --release --offline -j2
rm -rf "$OUT"
mkdir -p "$OUT"
cp "$CARGO_TARGET_DIR/release/libreadability.so" "$OUT/"
cp "$HERE/plugin.json" "$OUT/plugin.json"   # the manifest last
echo "readability plugin folder: $OUT"
