#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine (as root) and starts the server on
# 127.0.0.1:50051 with the built-in plugins. Extra arguments go to docanalysis-server.
#   scripts/run.sh [--listen 127.0.0.1:50051] [--metrics_listen 127.0.0.1:9464] ...
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
exec "$BUILD_DIR/service/docanalysis-server" --listen 127.0.0.1:50051 --plugin_dir "$BUILD_DIR/plugins" "$@"
