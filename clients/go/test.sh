#!/usr/bin/env bash
# The Go client's suite: fetches modules (go mod download, into the module cache), checks that the
# committed generated code matches the .proto (gen.sh --check: needs protoc from Debian's
# protobuf-compiler), vets, and runs `go test ./...` against a live server: DOCANALYSIS_TARGET when set,
# else the server it starts from DOCANALYSIS_SERVER / DOCANALYSIS_PLUGIN_DIR (default <repo>/build/...).
set -euo pipefail
cd "$(dirname "$0")"
go mod download
if command -v protoc >/dev/null 2>&1; then
  ./gen.sh --check
else
  echo "test.sh: protoc not installed; skipping the generated-code check" >&2
fi
go vet ./...
go test -count=1 "$@" ./...
