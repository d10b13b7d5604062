#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine (as root) and runs every test suite:
# C++ unit, end-to-end and quality tests (ctest), each client's own suite, the cross-language
# conformance test, the plugin SDK end to end (install, out-of-tree example plugins, checker), the HTTP/JSON
# API and web page (schemathesis, headless Chromium), the Kubernetes manifest validation, the local cluster
# tests, the instruction-count regression guard (bench/instr_guard.py, callgrind against a committed
# baseline), the fuzzers and the sanitizer builds.
# Exits non-zero if any suite failed. SUITES="ctest python" runs a subset.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export BUILD_DIR=${BUILD_DIR:-$ROOT/build}
scripts/setup.sh || { echo "setup failed"; exit 1; }

export DOCANALYSIS_SERVER="$BUILD_DIR/service/docanalysis-server"
export DOCANALYSIS_PLUGIN_DIR="$BUILD_DIR/plugins"
export DOCANALYSIS_BUILD_DIR="$BUILD_DIR"
# asan builds build-asan/ (clang, ASan + UBSan + fuzzer coverage) and runs ctest in it; fuzz runs the
# libFuzzer targets from the same folder, FUZZ_SECONDS each (default 60).
ALL_SUITES="ctest instr hardening python node go java conformance sdk http k8s cluster asan fuzz tsan"
SUITES=${SUITES:-$ALL_SUITES}

declare -A SCRIPT=(
  [python]=clients/python/test.sh
  [node]=clients/node/test.sh
  [go]=clients/go/test.sh
  [java]=clients/java/test.sh
  [conformance]=tests/conformance/run.sh
  [sdk]=tests/sdk/run.sh
  [http]=tests/http/run.sh
  [k8s]=deploy/k8s/test.sh
  [cluster]=tests/cluster/run.sh
  [instr]=bench/instr_guard.py
  [hardening]=tests/hardening/run.sh
  [fuzz]=scripts/fuzz.sh
  [asan]="scripts/sanitize.sh address"
  [tsan]="scripts/sanitize.sh thread"
)

# The sanitizer builds are the longest compiles of the run: when their suites are selected, they start
# now, in the background at the lowest CPU priority, so that they use the time the other suites spend
# waiting on servers, browsers and package registries; their suites then wait for them.
declare -A BG_PID=() BG_LOG=()
background_build() {  # background_build SUITE MODE
  if [[ " $SUITES " == *" $1 "* && -z ${BG_PID[$2]:-} ]]; then
    BG_LOG[$2]="$BUILD_DIR/sanitize-$2-build.log"
    nice -n 19 scripts/sanitize.sh "$2" --build-only >"${BG_LOG[$2]}" 2>&1 &
    BG_PID[$2]=$!
  fi
}
background_build asan address
background_build fuzz address
background_build tsan thread
declare -A BG_RC=()
wait_build() {  # wait_build MODE: the background build's status (its log's end is printed when it failed)
  [[ -z ${BG_PID[$1]:-} ]] && return 0
  if [[ -z ${BG_RC[$1]:-} ]]; then
    wait "${BG_PID[$1]}"
    BG_RC[$1]=$?
    ((BG_RC[$1] == 0)) || { echo "sanitizer build ($1) failed:"; tail -n 40 "${BG_LOG[$1]}"; }
  fi
  return "${BG_RC[$1]}"
}

passed=0 failed=0 failures=()
run_suite() {
  local name=$1
  shift
  echo
  echo "===== suite: $name ====="
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "===== suite $name: OK ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "===== suite $name: FAILED ($((SECONDS - start)) s)"
  fi
}

for s in $SUITES; do
  if [[ $s == ctest ]]; then
    run_suite ctest ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 600 -j2
  elif [[ $s == asan || $s == fuzz || $s == tsan ]] && ! wait_build "$([[ $s == tsan ]] && echo thread || echo address)"; then
    echo "===== suite $s: FAILED (its sanitizer build failed)"
    failed=$((failed + 1))
    failures+=("$s")
  elif cmd=${SCRIPT[$s]:-} && [[ -n $cmd && -x ${cmd%% *} ]]; then
    # shellcheck disable=SC2086  # the entry is a command line (script and its arguments)
    run_suite "$s" $cmd
  else
    echo "===== suite $s: missing (${SCRIPT[$s]:-unknown suite})"
    failed=$((failed + 1))
    failures+=("$s (missing)")
  fi
done

echo
if ((failed)); then echo "failed suites: ${failures[*]}"; fi
echo "suites: $passed passed, $failed failed"
((failed == 0))
