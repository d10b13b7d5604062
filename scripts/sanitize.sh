#!/usr/bin/env bash
# Sanitizer builds, each in a folder of its own, and the tests that run under them:
#   scripts/sanitize.sh address   # ASan + UBSan: the whole build, every ctest test (build-asan/)
#   scripts/sanitize.sh thread    # TSan: plugin host, executor, reload, edge and end-to-end tests (build-tsan/)
# Any report fails the run (halt_on_error). Quality-floor tests run in the plain build only (they
# measure models, not memory safety, and take minutes under a sanitizer).
set -uo pipefail
cd "$(dirname "$0")/.."
MODE=${1:?usage: scripts/sanitize.sh address|thread}
SKIP_BUILD=1 scripts/setup.sh >/dev/null || { echo "sanitize: setup failed"; exit 1; }
case $MODE in
  address) BUILD=${ASAN_BUILD_DIR:-build-asan} ;;
  thread) BUILD=${TSAN_BUILD_DIR:-build-tsan} ;;
  *) echo "sanitize: mode must be address or thread"; exit 2 ;;
esac
LAUNCHER=()
if command -v ccache >/dev/null 2>&1; then LAUNCHER=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g" -DDOCANALYSIS_SANITIZE="$MODE" -DDOCANALYSIS_BENCH=OFF "${LAUNCHER[@]}" >/dev/null ||
  { echo "sanitize: cmake configure failed"; exit 1; }
SUPP=$(pwd)/tests/sanitizers
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_odr_violation=0"
export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$SUPP/ubsan.supp"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$SUPP/tsan.supp:report_signal_unsafe=0"
if [[ $MODE == address ]]; then
  cmake --build "$BUILD" -j"$(nproc)" || { echo "sanitize: build failed"; exit 1; }
  ctest --test-dir "$BUILD" --output-on-failure --timeout 900 -j2 -LE "quality|hardening"
else
  cmake --build "$BUILD" -j"$(nproc)" --target docanalysis_core_test docanalysis_edge_test docanalysis_e2e_test \
    docanalysis-server docanalysis_fixture_plugins docanalysis_builtin_plugins || { echo "sanitize: build failed"; exit 1; }
  ctest --test-dir "$BUILD" --output-on-failure --timeout 900 -j2 \
    -R "Executor|Registry|PluginRegistry|Reload|AnalysisService|DocumentAnalysisGrpc|Grpc|ServerE2E|E2E"
fi
