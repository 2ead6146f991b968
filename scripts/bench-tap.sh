#!/usr/bin/env bash
# The TAP benchmark (bench/tap, docs/tap.md) from a Release build, inside a
# network namespace it creates and deletes (on any exit): frames per second
# through the TAP miniport both ways against a raw TAP loop. Needs root.
#   scripts/bench-tap.sh            (scripts/bench.sh tap runs it too)
# Exit status: 0 every target met, 1 a target missed, 2 could not run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "bench-tap.sh: needs root (a network namespace and TAP interfaces)" >&2
  exit 2
fi
[ -n "${NDIS_SKIP_SETUP:-}" ] || scripts/setup.sh
build=${BENCH_BUILD:-build/bench}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNDIS_BUILD_TESTS=OFF >/dev/null
ninja -C "$build" -j"${JOBS:-2}" bench_tap >/dev/null

ns="ndis-bench-tap-$$"
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
# Only the benchmark's own frames on its interfaces: no IPv6 router solicitations.
ip netns exec "$ns" sh -c 'ip link set lo up &&
  { ! [ -d /proc/sys/net/ipv6 ] ||
    sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1; }'
ip netns exec "$ns" "$build/bench/tap/tap"
