#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, then
#   1. a release build with -Werror and every test,
#   2. the same tests under AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. the concurrency tests under ThreadSanitizer,
#   4. every libFuzzer target for a short while (FUZZ_SECONDS, default 20).
# Tests that need root (network namespaces) run when we are root.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
export NDIS_VERIFIER=abort

step() { printf '\n=== %s ===\n' "$*"; }

build() { # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DNDIS_WERROR=ON "$@" >/dev/null
  ninja -C "$dir" -j"$JOBS"
}

step "release build (-Wall -Wextra -Werror) and tests"
build build/ci-release -DCMAKE_BUILD_TYPE=RelWithDebInfo
ctest --test-dir build/ci-release -j"$JOBS" --output-on-failure --timeout 600

step "AddressSanitizer + UndefinedBehaviorSanitizer"
build build/ci-asan -DCMAKE_BUILD_TYPE=Debug -DNDIS_SANITIZE=address,undefined \
  -DNDIS_BUILD_BENCH=OFF
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build/ci-asan -j"$JOBS" --output-on-failure --timeout 900

step "ThreadSanitizer (concurrency tests)"
build build/ci-tsan -DCMAKE_BUILD_TYPE=Debug -DNDIS_SANITIZE=thread -DNDIS_BUILD_BENCH=OFF
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --test-dir build/ci-tsan -L concurrency -j"$JOBS" --output-on-failure --timeout 900

step "fuzzing (${FUZZ_SECONDS}s per target)"
CC=clang CXX=clang++ build build/ci-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNDIS_BUILD_FUZZ=ON \
  -DNDIS_BUILD_TESTS=OFF -DNDIS_BUILD_BENCH=OFF
for f in build/ci-fuzz/fuzz/fuzz_*; do
  [ -x "$f" ] && [ -f "$f" ] || continue
  name=$(basename "$f")
  area=${name#fuzz_}
  args=(-max_total_time="$FUZZ_SECONDS" -print_final_stats=1)
  for d in fuzz/"$area"/*.dict; do [ -f "$d" ] && args+=(-dict="$d"); done
  work=$(mktemp -d)
  seeds=()
  [ -d fuzz/"$area"/corpus ] && seeds=(fuzz/"$area"/corpus)
  echo "-- $name"
  log=$(mktemp)
  if ! "$f" "${args[@]}" "$work" "${seeds[@]}" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzzer $name failed" >&2
    exit 1
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)" "$log" || true
  rm -rf "$work" "$log"
done

step "all tests passed"
