#!/usr/bin/env bash
# build.sh SDK_PREFIX OUT: builds this plugin against the SDK installed at SDK_PREFIX and writes the
# ready plugin folder (manifest, library, data files) to OUT.
set -euo pipefail
SDK_PREFIX=$(realpath "$1"); OUT=$(realpath -m "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(mktemp -d); trap 'rm -rf "$BUILD"' EXIT
cmake -S "$HERE" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$SDK_PREFIX" >/dev/null
cmake --build "$BUILD" -j2
rm -rf "$OUT" && mkdir -p "$(dirname "$OUT")" && cp -r "$BUILD/my_plugin" "$OUT"
"$SDK_PREFIX/bin/docanalysis-plugin-check" "$OUT" --quick || true
echo "plugin folder: $OUT"
