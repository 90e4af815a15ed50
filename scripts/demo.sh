#!/usr/bin/env bash
# ferry's main job: a running container moves from one host to another and
# carries on where it stopped.  Two roots on this machine play the two hosts:
# a counter container runs on root A, is checkpointed into one archive, and
# is restored on root B, where the count goes on from the same number (its
# log keeps the old lines) at the same IP and MAC address on the default
# network.  Runs as root; leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh
work=$(mktemp -d /tmp/ferry-demo.XXXXXX)
a() { build/ferry --root "$work/hostA/root" --runroot "$work/hostA/run" "$@"; }
b() { build/ferry --root "$work/hostB/root" --runroot "$work/hostB/run" "$@"; }
cleanup() {
	a rm -f -t 0 counter >/dev/null 2>&1 || true
	b rm -f -t 0 counter >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

tests/lib/build-test-image.sh "$work/ferry-test.tar" >/dev/null
say "# Both hosts have the image"
a load -i "$work/ferry-test.tar"
b load -i "$work/ferry-test.tar"

say "# Host A: a counter whose count lives only in the shell's memory"
a run -d --name counter ferry-test sh -c 'i=0; while true; do echo "count $i"; i=$((i+1)); sleep 0.5; done'
sleep 3
a ps
a inspect --format 'IP {{.NetworkSettings.IPAddress}}  MAC {{.NetworkSettings.MacAddress}}' counter
a logs --tail 3 counter

say "# Host A: checkpoint it into one archive (CRIU images, rootfs changes, log, ...)"
a container checkpoint --export "$work/counter.tar.zst" counter
ls -l "$work/counter.tar.zst"
a ps -a --format '{{.Names}}: {{.Status}}'
a rm counter

say "# Host B: restore it; it carries on counting from where it stopped"
b container restore --import "$work/counter.tar.zst"
sleep 2
b ps
b inspect --format 'IP {{.NetworkSettings.IPAddress}}  MAC {{.NetworkSettings.MacAddress}}' counter
b logs counter | tail -n 8
