#!/usr/bin/env bash
# Runs every benchmark from a Release build and prints the tables the README
# shows. Benchmarks are not tests: they report figures and say whether each
# target was met (exit status 1 if one was not), on whatever machine runs them.
#   scripts/bench.sh            all benchmarks
#   scripts/bench.sh datapath   one of: bind_scale datapath filters nbl_pool tap
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${NDIS_SKIP_SETUP:-}" ] || scripts/setup.sh
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DNDIS_BUILD_TESTS=OFF >/dev/null
ninja -C build/bench -j"${JOBS:-2}" >/dev/null

which=("$@")
[ ${#which[@]} -gt 0 ] || which=(bind_scale datapath filters nbl_pool tap)
status=0
for b in "${which[@]}"; do
  printf '\n=== %s ===\n' "$b"
  case $b in
    tap)
      if [ -x scripts/bench-tap.sh ]; then scripts/bench-tap.sh || status=1
      else echo "(no TAP benchmark in this tree)"; fi ;;
    *) build/bench/bench/"$b" || status=1 ;;
  esac
done
exit $status
