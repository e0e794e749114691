#!/usr/bin/env bash
# tests/run-all.sh: README's second command. Installs what the tests need when it
# is missing (Debian packages through apt-get), builds every preset the tests use,
# and runs every test: the asan-ubsan and tsan presets, each libFuzzer target for
# BACKSTOP_FUZZ_SECONDS (default 60; 0 skips), then the full default suite
# (-Werror), so the run ends with CTest's own summary of it.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pkg() { dpkg -s "$1" >/dev/null 2>&1; }
have_cmd cmake  || need+=(cmake)
have_cmd ninja  || need+=(ninja-build)
have_cmd gcc    || need+=(gcc)
have_cmd clang  || need+=(clang)
have_pkg libcriterion-dev || need+=(libcriterion-dev)
# Sanitizer runtimes for clang (a separate package on Debian 12).
if ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.asan-x86_64.a >/dev/null 2>&1; then
  need+=(libclang-rt-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "run-all: installing ${need[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

jobs=$(nproc 2>/dev/null || echo 2)

echo "== asan-ubsan: unit and conformance tests under AddressSanitizer + UBSan"
cmake --preset asan-ubsan >/dev/null
cmake --build --preset asan-ubsan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan-ubsan -j "$jobs"

echo "== tsan: concurrency tests under ThreadSanitizer"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs"
TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/tsan.supp" ctest --preset tsan -j "$jobs"

fuzz_secs=${BACKSTOP_FUZZ_SECONDS:-60}
if [ "$fuzz_secs" != 0 ]; then
  echo "== fuzz: each libFuzzer target for ${fuzz_secs}s (crashes kept in fuzz-artifacts/)"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs"
  # No findings are open (fuzz/findings/): nothing is stepped around, so any
  # disagreement between the model and the engine fails the run.
  fuzz/ci-fuzz.sh build-fuzz "$fuzz_secs" fuzz-artifacts
fi

echo "== ci: every test (gcc, -Werror)"
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
ctest --preset ci -j "$jobs"
