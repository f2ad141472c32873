#!/bin/sh
# install-deps.sh - install the Debian packages gpuvm needs, and only those that are missing.
#
#   scripts/install-deps.sh            build and test with gcc
#   scripts/install-deps.sh --clang    also clang and its sanitizer/libFuzzer runtime
#
# apt-get runs only when something is missing, so a second run is instant and works offline.
set -eu

pkgs="meson ninja-build pkg-config gcc libc6-dev libhwloc-dev libjansson-dev libyaml-dev
      libxml2-dev libcmocka-dev libvirt-clients gnuplot-nox libsqlite3-dev libsodium-dev
      libmicrohttpd-dev libcurl4-gnutls-dev prometheus gnutls-bin wrk curl jq sqlite3"
[ "${1:-}" = "--clang" ] && pkgs="$pkgs clang libclang-rt-14-dev"

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "gpuvm: installing missing Debian packages:$missing" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "gpuvm: need root (or sudo) to install:$missing" >&2
        exit 1
    }
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
