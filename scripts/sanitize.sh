#!/usr/bin/env bash
# Sanitizer builds, each in a folder of its own, and the tests that run under them:
#   scripts/sanitize.sh address   # clang-14, ASan + UBSan, every ctest test but the quality floors and the
#                                 # linear-time shapes (build-asan/; the fuzzers of scripts/fuzz.sh share it)
#   scripts/sanitize.sh thread    # TSan: plugin host, executor, reload, edge, HTTP and end-to-end tests (build-tsan/)
#   scripts/sanitize.sh address --build-only   # configure and build, run nothing (scripts/test.sh builds both
#                                              # in the background while other suites run)
# Any report fails the run (halt_on_error). Quality floors and the linear-time shapes run in the plain
# build only: they measure models and time, not memory safety, and take minutes under a sanitizer.
set -uo pipefail
cd "$(dirname "$0")/.."
MODE=${1:?usage: scripts/sanitize.sh address|thread [--build-only]}
BUILD_ONLY=0
[[ ${2:-} == --build-only ]] && BUILD_ONLY=1
SKIP_BUILD=1 scripts/setup.sh >/dev/null || { echo "sanitize: setup failed"; exit 1; }
source scripts/sanitizer_env.sh
case $MODE in
  address)
    BUILD=${ASAN_BUILD_DIR:-build-asan}
    configure_asan_fuzz "$BUILD" || { echo "sanitize: cmake configure failed"; exit 1; }
    cmake --build "$BUILD" -j"$(nproc)" || { echo "sanitize: build failed"; exit 1; }
    ((BUILD_ONLY)) && exit 0
    # plugin_check_syntax sends 1 MiB documents through the parser on 4 threads, 10 minutes under ASan;
    # the syntax plugin's unit tests and syntax_fuzzer cover it here instead.
    ctest --test-dir "$BUILD" --output-on-failure --timeout 900 -j2 -LE "quality|hardening" -E "^plugin_check_syntax$"
    ;;
  thread)
    BUILD=${TSAN_BUILD_DIR:-build-tsan}
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
      -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" -DDOCANALYSIS_SANITIZE=thread -DDOCANALYSIS_BENCH=OFF >/dev/null ||
      { echo "sanitize: cmake configure failed"; exit 1; }
    cmake --build "$BUILD" -j"$(nproc)" --target docanalysis_core_test docanalysis_edge_test docanalysis_e2e_test \
      docanalysis_isolation_e2e_test docanalysis-server docanalysis-plugin-worker docanalysis_fixture_plugins \
      docanalysis_fault_plugins docanalysis_builtin_plugins || { echo "sanitize: build failed"; exit 1; }
    ((BUILD_ONLY)) && exit 0
    # Left out under TSan (it runs code 5-15x slower): HttpBusyTest (answers within 120 ms) and the
    # 1 MiB inputs of BadInputGetsTheRightCode; both run in the plain and ASan builds.
    ctest --test-dir "$BUILD" --output-on-failure --timeout 900 -j2 \
      -R "Executor|Registry|PluginRegistry|Reload|AnalysisService|DocumentAnalysisGrpc|Grpc|ServerE2E|E2E|HttpEdge|EdgeTest" \
      -E "HttpBusyTest|BadInputGetsTheRightCodeAndTheServerGoesOn"
    ;;
  *) echo "sanitize: mode must be address or thread"; exit 2 ;;
esac
