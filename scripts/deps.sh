#!/bin/sh
# deps.sh — installs the Debian packages liandan needs (listed in scripts/deps.txt) when missing.
#
#   scripts/deps.sh          what the build needs
#   scripts/deps.sh --test   and what the tests use
#
# Quiet and fast when everything is there; uses apt-get (through sudo when not root).
set -eu
list="$(dirname "$0")/deps.txt"
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

have_pkgconfig() { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1"; }
have_dpkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

need=""
while read -r kind name package; do
    case $kind in
    build) have_pkgconfig "$name" || need="$need $package" ;;
    tool) command -v "$name" >/dev/null 2>&1 || need="$need $package" ;;
    test) [ $want_test -eq 1 ] && ! command -v "$name" >/dev/null 2>&1 && need="$need $package" ;;
    testpkg) [ $want_test -eq 1 ] && ! have_dpkg "$name" && need="$need $package" ;;
    esac
done <<EOF_LIST
$(grep -v '^[[:space:]]*#' "$list" | grep -v '^[[:space:]]*$')
EOF_LIST
[ -z "$need" ] && exit 0

echo "liandan: installing Debian packages:$need" >&2
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "liandan: missing packages:$need; install them with apt-get as root" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2 || true
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $need >&2
