#!/usr/bin/env bash
# ferry's main job, as far as it goes today: build ferry, build the test image
# (busybox, two layers, the second deleting a file of the first), load it into
# a fresh root, and show what the store holds.  Runs as root; leaves nothing
# behind.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh
work=$(mktemp -d /tmp/ferry-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
ferry() { build/ferry --root "$work/root" --runroot "$work/run" "$@"; }
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

tests/lib/build-test-image.sh "$work/ferry-test.tar" >/dev/null
say "ferry load -i ferry-test.tar"
ferry load -i "$work/ferry-test.tar"
say "ferry images"
ferry images
say "ferry image inspect --format '{{.Id}} {{json .RootFS.Layers}}' ferry-test"
ferry image inspect --format '{{.Id}} {{json .RootFS.Layers}}' ferry-test
say "ls <root>/storage/layers/*/etc   (the second layer's whiteout is an overlay whiteout)"
ls -l "$work"/root/storage/layers/*/etc
