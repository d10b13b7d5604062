#!/usr/bin/env bash
# Generates docanalysisv1/*.pb.go from protos/docanalysis/v1/docanalysis.proto with protoc (Debian's
# protobuf-compiler) and the pinned protoc-gen-go / protoc-gen-go-grpc, which `go install` puts into
# clients/go/.tools/bin. The generated code is committed (the Go norm); test.sh regenerates it and
# fails if the committed copy is stale.
#   clients/go/gen.sh            # regenerate in place
#   clients/go/gen.sh --check    # regenerate into a temp dir and diff against the committed code
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
PROTOC_GEN_GO_VERSION=v1.36.12
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2

if ! command -v protoc >/dev/null 2>&1; then
  echo "gen.sh: protoc not found; install Debian's protobuf-compiler (scripts/setup.sh does)" >&2
  exit 1
fi
tools="$here/.tools/bin"
mkdir -p "$tools"
stamp="$tools/.versions"
want="$PROTOC_GEN_GO_VERSION $PROTOC_GEN_GO_GRPC_VERSION"
if [[ ! -x "$tools/protoc-gen-go" || ! -x "$tools/protoc-gen-go-grpc" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  GOBIN="$tools" go install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
  GOBIN="$tools" go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION"
  echo "$want" >"$stamp"
fi

out="$here"
if [[ "${1:-}" == --check ]]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
PATH="$tools:$PATH" protoc -I "$root/protos" \
  --go_out="$out" --go_opt=module=github.com/docanalysis/docanalysis/clients/go \
  --go-grpc_out="$out" --go-grpc_opt=module=github.com/docanalysis/docanalysis/clients/go \
  docanalysis/v1/docanalysis.proto
if [[ "${1:-}" == --check ]]; then
  for f in docanalysis.pb.go docanalysis_grpc.pb.go; do
    if ! diff -q "$out/docanalysisv1/$f" "$here/docanalysisv1/$f" >/dev/null; then
      echo "gen.sh: docanalysisv1/$f is stale; run clients/go/gen.sh and commit" >&2
      exit 1
    fi
  done
  echo "gen.sh: generated code is up to date"
fi
