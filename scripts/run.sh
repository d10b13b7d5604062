#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine (as root) and starts the server on
# 127.0.0.1:50051 (gRPC) and http://127.0.0.1:8080 (HTTP/JSON API and the web page) with the built-in
# plugins. Extra arguments go to docanalysis-server (a later flag wins).
#   scripts/run.sh [--listen 127.0.0.1:50051] [--http_listen 127.0.0.1:8080] [--metrics_listen 127.0.0.1:9464] ...
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
exec "$BUILD_DIR/service/docanalysis-server" --listen 127.0.0.1:50051 --http_listen 127.0.0.1:8080 \
  --plugin_dir "$BUILD_DIR/plugins" "$@"
