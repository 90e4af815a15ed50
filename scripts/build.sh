#!/usr/bin/env bash
# Builds ferry into build/ (the binary is build/ferry).  With --asan, also
# builds build-asan/ with AddressSanitizer and UndefinedBehaviorSanitizer for
# the unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
if [ "${1:-}" = --asan ]; then
	[ -f build-asan/build.ninja ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	ninja -C build-asan >/dev/null
fi
