#!/usr/bin/env bats
# artifact: OCI artifacts (files, not images) as Podman 5.4 keeps them, in
# an OCI layout of their own beside the images: add, ls, inspect and rm
# compared with Podman live (a one-file artifact's manifest is byte for
# byte Podman's, so the digests match), pushed to and pulled from a real
# registry with Podman on the other end, and what a registry that sends
# damaged blobs, or a ferry killed half-way, leaves.

load helpers
load ../lib/registry
load podman-helpers

bats_require_minimum_version 1.5.0

teardown() {
	podman_teardown
	registry_stop
	ferry_teardown
}

make_files() {
	mkdir -p "$TEST_TMP/files"
	echo hello >"$TEST_TMP/files/a.txt"
	printf '<!DOCTYPE html><p>x</p>' >"$TEST_TMP/files/page.html"
	head -c 5000 /dev/urandom >"$TEST_TMP/files/b.bin"
	printf '\x89PNG\r\n\x1a\nrest' >"$TEST_TMP/files/img.png"
}

BLOBS() { echo "$ROOT/artifacts/blobs/sha256"; }

artifact_sequence() {
	local t=$1 d=$TEST_TMP/files
	step "$t" artifact add localhost/one:1 "$d/a.txt"
	step "$t" artifact add --type application/x-ferry --annotation k=v --annotation w=x localhost/two:2 "$d/b.bin"
	step "$t" artifact add localhost/three:3 "$d/page.html"
	step "$t" artifact add localhost/four:4 "$d/img.png"
	step "$t" artifact add localhost/one:1 "$d/b.bin"
	step "$t" artifact add localhost/x:1 "$d/nosuch"
	step "$t" artifact add localhost/x:1 "$d"
	step "$t" artifact add localhost/x:1
	step "$t" artifact add --annotation org.opencontainers.image.title=y localhost/x:1 "$d/a.txt"
	step "$t" artifact ls
	step "$t" artifact ls -n
	step "$t" artifact ls --no-trunc
	step "$t" artifact ls --format '{{.Repository}}|{{.Tag}}|{{.Digest}}|{{.Size}}'
	step "$t" artifact ls --format 'table {{.Repository}} {{.Size}}'
	step "$t" artifact inspect nosuch
	step "$t" artifact inspect
	step "$t" artifact rm localhost/three:3
	step "$t" artifact rm nosuch
	step "$t" artifact rm
	step "$t" artifact ls --format '{{.Repository}}'
}

@test "artifact add, ls, inspect and rm: the same digests, listings, messages and exit codes as Podman's (live)" {
	need_podman
	make_files
	for t in f podman_t; do
		echo "s#$TEST_TMP#TMP#g" >"$TEST_TMP/$t.sed"
		artifact_sequence "$t"
		# Podman wraps the OS's words for a missing or unreadable file.
		sed -E 's/^(  err: Error: ).*(no such file or directory|is a directory|regular file).*/\1<\L\2>/I' \
			"$TEST_TMP/$t.log" | sed -E 's/^<(is a directory|regular file)>/<not a file>/' >"$TEST_TMP/$t.cmp"
	done
	sed -i -E 's/^(  err: Error: )<(is a directory|regular file)>/\1<not a file>/' "$TEST_TMP/f.cmp" "$TEST_TMP/podman_t.cmp"
	# ferry names the fix after Podman's words.
	sed -i -E 's/^(  err: Error: artifact [^ ]* already exists).*/\1/' "$TEST_TMP/f.cmp"
	diff -u "$TEST_TMP/podman_t.cmp" "$TEST_TMP/f.cmp"
	# inspect: the same object (JSON's indentation is each tool's own).
	for name in localhost/one:1 localhost/two:2 localhost/four:4; do
		diff <(podman_t artifact inspect "$name" | jq -S .) <(f artifact inspect "$name" | jq -S .)
	done
	# The layout is an OCI image layout that names each artifact.
	jq -e '.manifests | length == 3' "$ROOT/artifacts/index.json"
	[ "$(jq -r '.imageLayoutVersion' "$ROOT/artifacts/oci-layout")" = 1.0.0 ]
}

@test "artifact push and pull: to a real registry and back, Podman pulls ferry's and ferry Podman's, every file as it was" {
	make_files
	registry_start
	f artifact add "$REGISTRY/files:1" "$TEST_TMP/files/a.txt" "$TEST_TMP/files/b.bin" "$TEST_TMP/files/img.png" >/dev/null
	want=$(f artifact inspect "$REGISTRY/files:1" | jq -r .Digest)
	run f artifact push --tls-verify=false --digestfile "$TEST_TMP/digest" "$REGISTRY/files:1"
	assert_status 0
	[ "$(cat "$TEST_TMP/digest")" = "$want" ]
	# The registry holds each file under its digest.
	for file in a.txt b.bin img.png; do
		dg=$(f artifact inspect "$REGISTRY/files:1" | jq -r --arg f "$file" '.Manifest.layers[] | select(.annotations["org.opencontainers.image.title"] == $f) | .digest')
		[ "$dg" = "sha256:$(sha256sum <"$TEST_TMP/files/$file" | cut -d' ' -f1)" ]
		curl -sf "http://$REGISTRY/v2/files/blobs/$dg" | cmp - "$TEST_TMP/files/$file"
	done
	# Another root pulls it: the same digest, the same bytes.
	fb artifact pull --tls-verify=false "$REGISTRY/files:1"
	[ "$(fb artifact inspect "$REGISTRY/files:1" | jq -r .Digest)" = "$want" ]
	for file in a.txt b.bin img.png; do
		dg=$(sha256sum <"$TEST_TMP/files/$file" | cut -d' ' -f1)
		cmp "$TEST_TMP/rootB/artifacts/blobs/sha256/$dg" "$TEST_TMP/files/$file"
	done
	# A second pull of what is there changes nothing.
	fb artifact pull -q --tls-verify=false "$REGISTRY/files:1"
	[ "$(fb artifact ls --format '{{.Digest}}')" = "${want:7:12}" ]
	if command -v podman >/dev/null; then
		podman_t artifact pull -q --tls-verify=false "$REGISTRY/files:1"
		[ "$(podman_t artifact inspect "$REGISTRY/files:1" | jq -r .Digest)" = "$want" ]
		podman_t artifact add "$REGISTRY/frompodman:1" "$TEST_TMP/files/b.bin" >/dev/null
		podman_t artifact push -q --tls-verify=false "$REGISTRY/frompodman:1"
		f artifact pull --tls-verify=false "$REGISTRY/frompodman:1"
		[ "$(f artifact inspect "$REGISTRY/frompodman:1" | jq -r .Digest)" = "$(podman_t artifact inspect "$REGISTRY/frompodman:1" | jq -r .Digest)" ]
	fi
	# Nothing of that name: one line, nothing recorded.
	run fb artifact pull --tls-verify=false "$REGISTRY/nosuch:1"
	assert_status 125
	assert_one_line_error
	[ "$(fb artifact ls -n | wc -l)" = 1 ]
}

@test "artifact pull: a blob that does not match its digest is refused in one line, nothing recorded, nothing left" {
	make_files
	registry_start
	f artifact add "$REGISTRY/bad:1" "$TEST_TMP/files/b.bin" >/dev/null
	f artifact push -q --tls-verify=false "$REGISTRY/bad:1"
	dg=$(sha256sum <"$TEST_TMP/files/b.bin" | cut -d' ' -f1)
	data=$(find "$REGISTRY_DIR" -path "*/blobs/sha256/${dg:0:2}/$dg/data")
	[ -f "$data" ]
	# The same size, other bytes.
	head -c 5000 /dev/zero >"$data"
	run fb artifact pull --tls-verify=false "$REGISTRY/bad:1"
	assert_status 125
	assert_one_line_error
	assert_output_contains "is corrupt"
	[ "$(fb artifact ls -n | wc -l)" = 0 ]
	[ -z "$(find "$TEST_TMP/rootB/artifacts/blobs/sha256" -type f)" ]
}

@test "artifact: what a killed ferry left is swept by the next change; a damaged store is named in one line" {
	make_files
	f artifact add localhost/keep:1 "$TEST_TMP/files/a.txt" >/dev/null
	# A killed add: a blob no manifest names, and a half-written file.
	cp "$TEST_TMP/files/b.bin" "$(BLOBS)/$(sha256sum <"$TEST_TMP/files/b.bin" | cut -d' ' -f1)"
	echo partial >"$(BLOBS)/.add-XXXXXX"
	# Reading changes nothing.
	f artifact ls >/dev/null
	[ "$(find "$(BLOBS)" -type f | wc -l)" = 5 ]
	f artifact add localhost/next:1 "$TEST_TMP/files/img.png" >/dev/null
	[ ! -e "$(BLOBS)/.add-XXXXXX" ]
	[ ! -e "$(BLOBS)/$(sha256sum <"$TEST_TMP/files/b.bin" | cut -d' ' -f1)" ]
	# keep's blobs, next's, their manifests and the empty config.
	[ "$(find "$(BLOBS)" -type f | wc -l)" = 5 ]
	[ "$(f artifact ls --format '{{.Repository}}' | sort | tr '\n' ' ')" = "localhost/keep localhost/next " ]
	# rm takes what only it used, and leaves the other's.
	f artifact rm localhost/next:1 >/dev/null
	[ "$(find "$(BLOBS)" -type f | wc -l)" = 3 ]
	f artifact inspect localhost/keep:1 >/dev/null
	# A manifest changed behind ferry's back: named, not used.
	m=$(f artifact inspect localhost/keep:1 | jq -r .Digest)
	echo '{}' >"$(BLOBS)/${m:7}"
	run f artifact ls
	assert_status 125
	assert_one_line_error
	assert_output_contains "is damaged"
	echo '{"manifests": 5}' >"$ROOT/artifacts/index.json"
	run f artifact ls
	assert_status 125
	assert_one_line_error
	assert_output_contains "index.json"
}
