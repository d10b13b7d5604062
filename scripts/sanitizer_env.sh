# Sourced by scripts/sanitize.sh and scripts/fuzz.sh: the sanitizer runtime options (suppressions in
# tests/sanitizers/) and the one clang-14 ASan + UBSan + libFuzzer-coverage configuration that the
# ASan test run and the fuzzers share (build-asan/ by default), so that CI builds it once.
SUPP=$(pwd)/tests/sanitizers
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_odr_violation=0"
export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$SUPP/ubsan.supp"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$SUPP/tsan.supp:report_signal_unsafe=0"

configure_asan_fuzz() {  # configure_asan_fuzz BUILD_DIR
  # -gline-tables-only: file and line in every report, at a fraction of full debug info's compile time.
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    -DDOCANALYSIS_SANITIZE=address -DDOCANALYSIS_FUZZ=ON -DDOCANALYSIS_BENCH=OFF >/dev/null
}
