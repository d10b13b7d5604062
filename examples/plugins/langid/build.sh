#!/usr/bin/env bash
# build.sh SDK_PREFIX OUT: builds the langid plugin against the docanalysis plugin SDK installed at
# SDK_PREFIX, runs its tests, and writes the ready plugin folder (plugin.json, liblangid.so,
# profiles.tsv) to OUT.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 SDK_PREFIX OUT" >&2; exit 2; }
SDK_PREFIX=$(realpath "$1")
OUT=$(realpath -m "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
cmake -S "$HERE" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$SDK_PREFIX"
cmake --build "$BUILD" -j2
ctest --test-dir "$BUILD" --output-on-failure
rm -rf "$OUT"
mkdir -p "$(dirname "$OUT")"
cp -r "$BUILD/langid" "$OUT"
echo "langid plugin folder: $OUT"
