#!/usr/bin/env bash
# The main job, from a clean clone on Debian (as root, or with sudo):
#   1. installs the packages (scripts/setup.sh) and builds a Release tree
#      (cmake + ninja) with ndisd, ndisctl, the sample drivers and ndisdemo;
#   2. starts ndisd with etc/ndisd.conf in a temporary run directory (socket,
#      log, registry): the sample miniport virtmp with two adapters, the
#      filters passfilter and ethfilter and the protocol sampleproto, all
#      loaded from .so files with their INF files;
#   3. shows the stack with ndisctl: drivers, adapters, bindings, the filter
#      stack of each adapter, keywords, an OID, a live trace of a pause;
#   4. runs ndisdemo (frames between adapters, the unload trace) if built;
#   5. stops ndisd with SIGTERM and shows its shutdown report.
# It ends by itself; the exit status is 0 only if every step succeeded and
# ndisd stopped cleanly (nothing leaked). BUILD_DIR (default build/release)
# and JOBS (default 2) may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
BUILD_DIR=${BUILD_DIR:-build/release}
JOBS=${JOBS:-2}

step() { printf '\n\033[1m=== %s\033[0m\n' "$*"; }
fail() { printf '\ndemo.sh: %s\n' "$*" >&2; exit 1; }

step "1. packages and a Release build"
scripts/setup.sh
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNDIS_BUILD_TESTS=OFF \
  -DNDIS_BUILD_BENCH=OFF >/dev/null
targets=(ndisd ndisctl virtmp passfilter ethfilter sampleproto)
[ -d tools/ndisdemo ] && targets+=(ndisdemo)
ninja -C "$BUILD_DIR" -j"$JOBS" --quiet "${targets[@]}"
echo "built in $BUILD_DIR: ${targets[*]}"
BIN=$TOP/$BUILD_DIR/bin
DRIVERS=$TOP/$BUILD_DIR/drivers

RUN=$(mktemp -d /tmp/ndisd-demo.XXXXXX)
NDISD_PID=
cleanup() {
  # Only the daemon this script started, by its pid, if it is still there.
  if [ -n "$NDISD_PID" ] && kill -0 "$NDISD_PID" 2>/dev/null; then
    kill -TERM "$NDISD_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$NDISD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NDISD_PID" 2>/dev/null || true
  fi
  rm -rf "$RUN"
}
trap cleanup EXIT

step "2. ndisd with etc/ndisd.conf (run directory $RUN)"
SOCK=$RUN/ndisd.sock
LOG=$RUN/ndisd.log
mkfifo "$RUN/ready"
printf '$ ndisd -f -c etc/ndisd.conf --drivers %s -s %s --registry %s --log %s\n' \
  "$BUILD_DIR/drivers" "$SOCK" "$RUN/registry" "$LOG"
"$BIN/ndisd" --foreground --config etc/ndisd.conf --drivers "$DRIVERS" --socket "$SOCK" \
  --registry "$RUN/registry" --log "$LOG" --ready-fd 3 3>"$RUN/ready" >"$RUN/drivers.out" 2>&1 &
NDISD_PID=$!
# ndisd writes "ready" once its socket accepts commands; it closes the pipe
# without a word if it could not start.
ready=$(timeout 30 head -c 5 <"$RUN/ready" || true)
if [ "$ready" != "ready" ]; then
  cat "$LOG" 2>/dev/null || true
  fail "ndisd did not start within 30 s (log above)"
fi
cat "$LOG"
export NDISD_SOCKET=$SOCK
ctl() { printf '\n$ ndisctl %s\n' "$*"; timeout 30 "$BIN/ndisctl" "$@"; }

step "3. the stack, as ndisctl shows it"
ctl status
ctl drivers
ctl adapters
ctl bindings
ctl stack
ctl params list virt0
ctl oid query virt0 OID_GEN_LINK_SPEED
ctl oid query virt0 OID_802_3_CURRENT_ADDRESS
printf '\n$ ndisctl trace &   # then: ndisctl pause virt1; ndisctl restart virt1; Ctrl-C\n'
timeout 30 "$BIN/ndisctl" trace >"$RUN/trace.out" 2>"$RUN/trace.err" &
TRACE_PID=$!
for _ in $(seq 50); do grep -q tracing "$RUN/trace.err" 2>/dev/null && break; sleep 0.1; done
grep -q tracing "$RUN/trace.err" || fail "ndisctl trace did not start: $(cat "$RUN/trace.err")"
timeout 30 "$BIN/ndisctl" pause virt1 >/dev/null
timeout 30 "$BIN/ndisctl" restart virt1 >/dev/null
sleep 0.3
kill -INT "$TRACE_PID"
wait "$TRACE_PID" || fail "ndisctl trace failed: $(cat "$RUN/trace.err")"
cat "$RUN/trace.out"
ctl stack virt1

step "4. ndisdemo: frames between adapters, the protocol's unload trace"
DEMO=$TOP/$BUILD_DIR/tools/ndisdemo/ndisdemo
if [ -x "$DEMO" ]; then
  timeout 120 "$DEMO" || fail "ndisdemo failed"
else
  echo "(tools/ndisdemo is not in this tree: skipped)"
fi

step "5. SIGTERM: ndisd stops the way Windows stops a system"
lines=$(wc -l <"$LOG")
printf '$ kill -TERM %s\n' "$NDISD_PID"
kill -TERM "$NDISD_PID"
for _ in $(seq 600); do kill -0 "$NDISD_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$NDISD_PID" 2>/dev/null && fail "ndisd did not stop within 60 s of SIGTERM"
status=0
wait "$NDISD_PID" || status=$?
NDISD_PID=
tail -n +"$((lines + 1))" "$LOG"
if [ -s "$RUN/drivers.out" ]; then
  echo "(and what the drivers printed while ndisd ran, their DbgPrint output:)"
  cat "$RUN/drivers.out"
fi
if [ "$status" -ne 0 ]; then
  fail "ndisd exited with status $status (leaks or errors above)"
fi
printf '\ndemo.sh: done: ndisd stopped cleanly (exit status 0)\n'
