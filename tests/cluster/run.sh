#!/usr/bin/env bash
# Cluster tests: balancing and failover of a local 3-replica cluster (deploy/local/cluster.sh) under load.
#   tests/cluster/run.sh [TEST...]       TEST: spread kill9 rolling client_rr nginx (default: all)
# Needs a built server and plugins: DOCANALYSIS_SERVER (and DOCANALYSIS_PLUGIN_DIR), or DOCANALYSIS_BUILD_DIR,
# or a build that deploy/local/cluster.sh finds (<repo>/build, or the newest build of this checkout).
# Load: CLUSTER_TEST_RATE calls/s (default 40) for CLUSTER_TEST_SECONDS per phase (default 8). About 1-2 min.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

# Debian packages: the client (grpcio, protobuf), the stub generator, the health proto, the balancers, curl.
need=()
for p in python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc grpc-proto haproxy nginx-light curl; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if ((${#need[@]})); then
  [[ $(id -u) == 0 ]] || { echo "cluster tests: missing packages ${need[*]} (run as root to install)" >&2; exit 1; }
  echo "cluster tests: installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"; }
  # The distro services are not wanted; the cluster script runs its own balancer.
  for svc in nginx haproxy; do
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
  done
fi

if [[ -n ${DOCANALYSIS_BUILD_DIR:-} && -z ${DOCANALYSIS_SERVER:-} ]]; then
  export DOCANALYSIS_SERVER=$DOCANALYSIS_BUILD_DIR/service/docanalysis-server
  export DOCANALYSIS_PLUGIN_DIR=${DOCANALYSIS_PLUGIN_DIR:-$DOCANALYSIS_BUILD_DIR/plugins}
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/docanalysis-cluster-test.XXXXXX")
cleanup() {
  # If the test died without `down`, stop its clusters (cluster.sh stops only what it started).
  for s in "$WORK"/state/*/; do
    if [[ -d $s ]]; then DOCANALYSIS_CLUSTER_STATE=${s%/} bash "$ROOT/deploy/local/cluster.sh" down >/dev/null 2>&1 || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Python stubs from the contract, and the standard health proto.
mkdir -p "$WORK/stubs" "$WORK/state"
protoc -I"$ROOT/protos" -I/usr/share/grpc-proto --python_out="$WORK/stubs" --grpc_python_out="$WORK/stubs" \
  --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin docanalysis/v1/docanalysis.proto
touch "$WORK/stubs/docanalysis/__init__.py" "$WORK/stubs/docanalysis/v1/__init__.py"

status=0
DOCANALYSIS_STUBS=$WORK/stubs timeout 600 /usr/bin/python3 "$HERE/cluster_test.py" --state "$WORK/state" "$@" || status=1
# One replica of three cut off the network (network namespaces, HAProxy): no lost request.
if [[ $# -eq 0 || " $* " == *" partition "* ]]; then
  DOCANALYSIS_STUBS=$WORK/stubs timeout 300 /usr/bin/python3 "$HERE/partition_test.py" || status=1
fi
exit $status
