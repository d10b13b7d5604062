#!/usr/bin/env bash
# Installs everything docanalysis needs on a fresh Debian 12 machine (run as root), then builds it.
#   scripts/setup.sh            # packages + build into ./build
#   SKIP_BUILD=1 scripts/setup.sh   # packages only
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # toolchain
  cmake ninja-build g++ pkg-config git ca-certificates curl openssl
  # C++ dependencies
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev libboost-dev libgtest-dev libgmock-dev libbenchmark-dev
  libicu-dev nlohmann-json3-dev libstemmer-dev libgumbo-dev prometheus-cpp-dev
  # fuzzing (libFuzzer) and sanitizer builds; build cache
  clang-14 libclang-rt-14-dev ccache
  # plugin worker sandbox (seccomp filter)
  libseccomp-dev
  # data packages used by the plugins (gazetteers)
  iso-codes
  # Python used by the eval tools and end-to-end tests
  python3 python3-grpcio python3-protobuf python3-pytest python3-nltk python3-venv python3-pip
  # word lists for re-training the entity model (plugins/entity/train.sh)
  wamerican
  # benchmarks: the instruction-count guard (callgrind) and an independent HTTP/2 load tool (h2load)
  valgrind nghttp2-client util-linux
  # cluster: real load balancers
  haproxy nginx-light iproute2 procps
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Toolchains of the client libraries: keep the machine's own when present (this project's machines
# ship newer Go, JDK and Node than Debian 12), else take Debian's. Note: Debian 12's Go (1.19) is
# older than the Go client's module needs; there, clients/go/test.sh fails and says which Go it needs.
declare -A TOOL_PACKAGES=([mvn]=maven [javac]=default-jdk-headless [node]=nodejs [npm]=npm [go]=golang)
tool_missing=()
for tool in "${!TOOL_PACKAGES[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || tool_missing+=("${TOOL_PACKAGES[$tool]}")
done
if ((${#tool_missing[@]})); then
  echo "setup: installing toolchains ${tool_missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${tool_missing[@]}"
fi

# nginx and haproxy are only used on demand by the cluster scripts; don't leave the distro services running.
for svc in nginx haproxy; do
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
  pkill -x "$svc" >/dev/null 2>&1 || true
done

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  BUILD_DIR=${BUILD_DIR:-build}
  # ccache, when the machine has it, makes rebuilds and sibling checkouts cheap (CCACHE_BASEDIR=/work
  # lets checkouts under one folder share hits).
  LAUNCHER=()
  if command -v ccache >/dev/null 2>&1; then
    LAUNCHER=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "${LAUNCHER[@]}" ${CMAKE_ARGS:-}
  cmake --build "$BUILD_DIR" -j"$(nproc)"
fi
