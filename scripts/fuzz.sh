#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang-14 (ASan + UBSan, coverage in every library and
# plugin) into build-asan/ (the folder that scripts/sanitize.sh address builds and tests), then runs
# each target for FUZZ_SECONDS (default 60) on its committed corpus (fuzz/<target>_corpus/, read-only
# here) plus the inputs it finds in this run.
#   scripts/fuzz.sh                      # every target, 60 s each, two at a time
#   FUZZ_SECONDS=600 scripts/fuzz.sh html_fuzzer segmenter_fuzzer
# A crash, a leak, a timeout (10 s per input) or a broken check fails the target; the input is kept
# in build-asan/artifacts/ — add it to the target's corpus as a regression input once fixed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SKIP_BUILD=1 scripts/setup.sh >/dev/null || { echo "fuzz: setup failed"; exit 1; }
BUILD=${FUZZ_BUILD_DIR:-${ASAN_BUILD_DIR:-$ROOT/build-asan}}
SECONDS_EACH=${FUZZ_SECONDS:-60}
ALL=(utf8_fuzzer html_fuzzer segmenter_fuzzer manifest_fuzzer request_fuzzer entity_fuzzer sentiment_fuzzer summary_fuzzer
  syntax_fuzzer)
TARGETS=("${@:-${ALL[@]}}")
if (($# == 0)); then TARGETS=("${ALL[@]}"); fi

source scripts/sanitizer_env.sh
configure_asan_fuzz "$BUILD" || { echo "fuzz: cmake configure failed"; exit 1; }
cmake --build "$BUILD" -j"$(nproc)" --target "${TARGETS[@]}" || { echo "fuzz: build failed"; exit 1; }

mkdir -p "$BUILD/artifacts" "$BUILD/logs"
run_one() {
  local t=$1 work="$BUILD/corpus/$1"
  mkdir -p "$work"
  local seeds="$ROOT/fuzz/${t}_corpus"
  [[ $t == entity_fuzzer || $t == sentiment_fuzzer || $t == summary_fuzzer || $t == syntax_fuzzer ]] && seeds="$ROOT/fuzz/plugin_corpus"
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$BUILD/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2560 -max_len=65536 \
    -artifact_prefix="$BUILD/artifacts/$t-" -print_final_stats=1 "$work" "$seeds" >"$BUILD/logs/$t.log" 2>&1
  local rc=$?
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$BUILD/logs/$t.log" | grep -o '[0-9]*$' | tail -1)
  if ((rc == 0)); then
    echo "fuzz $t: OK, ${execs:-?} executions in ${SECONDS_EACH} s"
  else
    echo "fuzz $t: FAILED (exit $rc), see $BUILD/logs/$t.log"
    grep -E "ERROR|SUMMARY|check failed|Test unit written" "$BUILD/logs/$t.log" | head -5
  fi
  return $rc
}
export -f run_one
export BUILD ROOT SECONDS_EACH
printf '%s\n' "${TARGETS[@]}" | xargs -P "$(nproc)" -I{} bash -c 'run_one {}' >"$BUILD/logs/summary.txt"
cat "$BUILD/logs/summary.txt"
passed=$(grep -c ': OK' "$BUILD/logs/summary.txt")
failed=$(grep -c ': FAILED' "$BUILD/logs/summary.txt")
echo "fuzz: $passed passed, $failed failed"
((failed == 0 && passed == ${#TARGETS[@]}))
