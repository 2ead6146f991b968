#!/usr/bin/env bash
# Installs everything libndis needs to build and test on Debian (bookworm),
# then returns quickly when it is all there already. Needs root (or sudo).
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config git  # the build
  clang libclang-rt-14-dev                          # libFuzzer targets
  libjansson-dev                                    # ndisctl/ndisd JSON
  libpcap-dev tcpdump                               # packet capture
  iproute2 iputils-ping iputils-arping              # network namespace tests
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup.sh: need root to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
