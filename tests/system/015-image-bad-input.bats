#!/usr/bin/env bats
# Every bad image archive gets one clear error, exit 125, and leaves no
# partial layer, image or row behind.

load helpers

# Loads $1 expecting failure; checks the message has $2 and nothing is left.
expect_load_refused() {
	run_ferry load -i "$1"
	assert_status 125
	assert_one_line_error
	assert_output_contains "$2"
	assert_store_empty
}

@test "bad input: a flipped byte in a layer blob" {
	oci_unpack "$(ferry_test_image)" "$TEST_TMP/l"
	layer=$(jq -r '.layers[1].digest' "$(oci_blob_path "$TEST_TMP/l" "$(oci_manifest_digest "$TEST_TMP/l")")")
	blob=$(oci_blob_path "$TEST_TMP/l" "$layer")
	printf '\xff' | dd of="$blob" bs=1 seek=100 conv=notrunc status=none
	oci_pack "$TEST_TMP/l" "$TEST_TMP/bad.tar"
	expect_load_refused "$TEST_TMP/bad.tar" "blob $layer in image archive"
	assert_output_contains "corrupt"
}

@test "bad input: a layer whose content does not match the config's diff_id" {
	oci_unpack "$(ferry_test_image)" "$TEST_TMP/l"
	# Swap in a different (valid) layer and fix up the manifest so that every
	# blob digest is right: only the diff_id check can catch it.
	mkdir -p "$TEST_TMP/other/etc"
	echo other >"$TEST_TMP/other/etc/other"
	tar -C "$TEST_TMP/other" -czf "$TEST_TMP/other.tar.gz" .
	d=$(oci_add_blob "$TEST_TMP/l" "$TEST_TMP/other.tar.gz")
	s=$(stat -c %s "$TEST_TMP/other.tar.gz")
	oci_edit_manifest "$TEST_TMP/l" ".layers[0].digest = \"$d\" | .layers[0].size = $s"
	oci_pack "$TEST_TMP/l" "$TEST_TMP/bad.tar"
	expect_load_refused "$TEST_TMP/bad.tar" "it unpacks to"
}

@test "bad input: a manifest that lies about a blob's size" {
	oci_unpack "$(ferry_test_image)" "$TEST_TMP/l"
	oci_edit_manifest "$TEST_TMP/l" '.layers[0].size += 1'
	oci_pack "$TEST_TMP/l" "$TEST_TMP/bad.tar"
	expect_load_refused "$TEST_TMP/bad.tar" "descriptor says"
}

@test "bad input: a truncated archive" {
	size=$(stat -c %s "$(ferry_test_image)")
	head -c $((size / 2)) "$(ferry_test_image)" >"$TEST_TMP/trunc.tar"
	expect_load_refused "$TEST_TMP/trunc.tar" "trunc.tar"
}

@test "bad input: a truncated compressed layer" {
	oci_unpack "$(ferry_test_image)" "$TEST_TMP/l"
	layer=$(jq -r '.layers[0].digest' "$(oci_blob_path "$TEST_TMP/l" "$(oci_manifest_digest "$TEST_TMP/l")")")
	blob=$(oci_blob_path "$TEST_TMP/l" "$layer")
	head -c 20000 "$blob" >"$TEST_TMP/short.gz"
	d=$(oci_add_blob "$TEST_TMP/l" "$TEST_TMP/short.gz")
	rm -f "$blob"
	oci_edit_manifest "$TEST_TMP/l" ".layers[0].digest = \"$d\" | .layers[0].size = 20000"
	oci_pack "$TEST_TMP/l" "$TEST_TMP/bad.tar"
	expect_load_refused "$TEST_TMP/bad.tar" "layer $d"
}

@test "bad input: a layer of unknown media type" {
	oci_unpack "$(ferry_test_image)" "$TEST_TMP/l"
	oci_edit_manifest "$TEST_TMP/l" '.layers[1].mediaType = "application/vnd.example.unknown"'
	oci_pack "$TEST_TMP/l" "$TEST_TMP/bad.tar"
	expect_load_refused "$TEST_TMP/bad.tar" "unknown media type \`application/vnd.example.unknown\`"
}

@test "bad input: a file that is not an image archive" {
	head -c 100000 /dev/urandom >"$TEST_TMP/noise.bin"
	expect_load_refused "$TEST_TMP/noise.bin" "noise.bin"
	tar -C /etc -cf "$TEST_TMP/plain.tar" hostname
	expect_load_refused "$TEST_TMP/plain.tar" "is not an image archive"
	run_ferry load -i "$TEST_TMP/does-not-exist.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "does-not-exist.tar"
}

@test "bad input: a layer entry that escapes the layer directory" {
	oci_unpack "$(ferry_test_image)" "$TEST_TMP/l"
	mkdir -p "$TEST_TMP/evil"
	echo pwned >"$TEST_TMP/evil/x"
	python3 - "$TEST_TMP/evil.tar" "$TEST_TMP/evil/x" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    t.add(sys.argv[2], arcname="../../../escaped-by-ferry-test")
PY
	d=$(oci_add_blob "$TEST_TMP/l" "$TEST_TMP/evil.tar")
	config=$(jq -r '.config.digest' "$(oci_blob_path "$TEST_TMP/l" "$(oci_manifest_digest "$TEST_TMP/l")")")
	jq -c --arg d "$d" '.rootfs.diff_ids[1] = $d' "$(oci_blob_path "$TEST_TMP/l" "$config")" >"$TEST_TMP/config.json"
	c=$(oci_add_blob "$TEST_TMP/l" "$TEST_TMP/config.json")
	s=$(stat -c %s "$TEST_TMP/evil.tar")
	cs=$(stat -c %s "$TEST_TMP/config.json")
	oci_edit_manifest "$TEST_TMP/l" ".layers[1] = {\"mediaType\": \"application/vnd.oci.image.layer.v1.tar\", \"digest\": \"$d\", \"size\": $s} | .config.digest = \"$c\" | .config.size = $cs"
	oci_pack "$TEST_TMP/l" "$TEST_TMP/bad.tar"
	expect_load_refused "$TEST_TMP/bad.tar" "escaped-by-ferry-test"
	[ ! -e "$ROOT/escaped-by-ferry-test" ]
	[ ! -e "$ROOT/storage/escaped-by-ferry-test" ]
	[ ! -e "$ROOT/storage/tmp/escaped-by-ferry-test" ]
}

@test "bad input: disk full while loading" {
	mkdir -p "$ROOT"
	mount -t tmpfs -o size=1500k tmpfs "$ROOT"
	run_ferry load -i "$(ferry_test_image)"
	assert_status 125
	assert_one_line_error
	assert_output_contains "No space left on device"
	assert_store_empty
	# Once there is room the same load works.
	mount -o remount,size=64m "$ROOT"
	run_ferry load -i "$(ferry_test_image)"
	assert_status 0
}

@test "a killed load leaves work in progress that the next ferry removes" {
	mkfifo "$TEST_TMP/fifo"
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" load -i "$TEST_TMP/fifo" &
	pid=$!
	(head -c 300000 "$(ferry_test_image)"; sleep 30) >"$TEST_TMP/fifo" &
	writer=$!
	wait_until '[ -n "$(ls "$ROOT/storage/tmp" 2>/dev/null)" ]'
	kill -9 "$pid"
	wait "$pid" || true
	kill "$writer" 2>/dev/null || true
	[ -n "$(ls "$ROOT/storage/tmp")" ]
	f images >/dev/null
	[ -z "$(ls "$ROOT/storage/tmp")" ]
	run_ferry load -i "$(ferry_test_image)"
	assert_status 0
}
