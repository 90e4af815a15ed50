#!/usr/bin/env bash
# Builds ferry into build/ (the binary is build/ferry).  With --asan, also
# builds build-asan/ with AddressSanitizer and UndefinedBehaviorSanitizer for
# the unit tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# ninja DIR: builds DIR quietly, but shows ninja's output (where the
# compiler's errors are) when it fails.
ninja_quiet() {
	local out
	out=$(mktemp)
	if ! ninja -C "$1" >"$out" 2>&1; then
		grep -v '^\[[0-9]*/[0-9]*\] ' "$out" >&2
		rm -f "$out"
		return 1
	fi
	rm -f "$out"
}

[ -f build/build.ninja ] || meson setup build >/dev/null
ninja_quiet build
if [ "${1:-}" = --asan ]; then
	[ -f build-asan/build.ninja ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	ninja_quiet build-asan
fi
