#!/bin/sh
# deps.sh — installs the Debian packages liandan needs, when they are missing.
#
#   scripts/deps.sh          what the build needs (pkg-config, libyaml, sqlite3)
#   scripts/deps.sh --test   and what the tests use (jq)
#
# Quiet and fast when everything is there; uses apt-get (through sudo when not root).
set -eu

need=""
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
if command -v pkg-config >/dev/null 2>&1; then
    pkg-config --exists yaml-0.1 || need="$need libyaml-dev"
    pkg-config --exists sqlite3 || need="$need libsqlite3-dev"
else
    need="$need libyaml-dev libsqlite3-dev"
fi
if [ "${1:-}" = "--test" ]; then
    command -v jq >/dev/null 2>&1 || need="$need jq"
fi
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
