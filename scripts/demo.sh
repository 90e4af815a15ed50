#!/usr/bin/env bash
# ferry's main job, as far as it goes today: build ferry, build the test image
# (busybox, two layers, the second deleting a file of the first), load it into
# a fresh root, run a counter container detached and show its log.  Runs as
# root; leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh
work=$(mktemp -d /tmp/ferry-demo.XXXXXX)
trap 'build/ferry --root "$work/root" --runroot "$work/run" rm -f counter >/dev/null 2>&1; rm -rf "$work"' EXIT
ferry() { build/ferry --root "$work/root" --runroot "$work/run" "$@"; }
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

tests/lib/build-test-image.sh "$work/ferry-test.tar" >/dev/null
say "ferry load -i ferry-test.tar"
ferry load -i "$work/ferry-test.tar"
say "ferry images"
ferry images
say "ferry run -d --name counter ferry-test sh -c 'i=0; while true; do echo \"count \$i\"; i=\$((i+1)); sleep 0.5; done'"
ferry run -d --name counter ferry-test sh -c 'i=0; while true; do echo "count $i"; i=$((i+1)); sleep 0.5; done'
sleep 2
say "ferry ps"
ferry ps
say "ferry logs counter"
ferry logs counter
say "ferry rm -f counter"
ferry rm -f counter
