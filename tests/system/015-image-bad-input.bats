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
	assert_output_contains "no space left on device"
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

# ---- JSON members of the wrong type or out of range ----------------------
# Each archive below differs from the test image in one member of its
# index.json, manifest or config, with every digest and size made to match,
# so that only a check of that member can refuse it.  The refusal names the
# archive, the document and the member.

oci_manifest_path() {
	oci_blob_path "$1" "$(oci_manifest_digest "$1")"
}

# Rewrites index.json of layout $1 with jq filter $2.
oci_edit_index() {
	jq -c "$2" "$1/index.json" >"$1/index.json.new"
	mv "$1/index.json.new" "$1/index.json"
}

# Rewrites the config of layout $1 with jq filter $2; the manifest and
# index.json follow.
oci_edit_config() {
	local layout=$1 old new
	old=$(jq -r '.config.digest' "$(oci_manifest_path "$layout")")
	jq -c "$2" "$(oci_blob_path "$layout" "$old")" >"$TEST_TMP/config.json"
	new=$(oci_add_blob "$layout" "$TEST_TMP/config.json")
	rm -f "$(oci_blob_path "$layout" "$old")"
	oci_edit_manifest "$layout" ".config.digest = \"$new\" | .config.size = $(stat -c %s "$TEST_TMP/config.json")"
}

# expect_member_refused index|manifest|config FILTER MESSAGE: the test image
# with that document rewritten by FILTER is refused, the message naming the
# archive and saying MESSAGE.
expect_member_refused() {
	oci_unpack "$(ferry_test_image)" "$TEST_TMP/l"
	case "$1" in
	index) oci_edit_index "$TEST_TMP/l" "$2" ;;
	manifest) oci_edit_manifest "$TEST_TMP/l" "$2" ;;
	config) oci_edit_config "$TEST_TMP/l" "$2" ;;
	esac
	oci_pack "$TEST_TMP/l" "$TEST_TMP/bad.tar"
	expect_load_refused "$TEST_TMP/bad.tar" "$3"
	assert_output_contains "image archive \`$TEST_TMP/bad.tar\`"
}

@test "bad member: index.json whose manifests is an object" {
	expect_member_refused index '.manifests = {"0": .manifests[0]}' \
		"index.json: field \`manifests\` must be an array of descriptors, not object"
}

@test "bad member: index.json of schemaVersion 1" {
	expect_member_refused index '.schemaVersion = 1' "index.json: field \`schemaVersion\` must be 2, not 1"
}

@test "bad member: index.json whose platform is a string" {
	expect_member_refused index '.manifests[0].platform = "linux/amd64"' \
		"field \`manifests[0].platform\` must be an object, not string"
}

@test "bad member: index.json with a negative size" {
	expect_member_refused index '.manifests[0].size = -1' "field \`manifests[0].size\` must be a size in bytes, not -1"
}

@test "bad member: index.json whose image name is a number" {
	expect_member_refused index '.manifests[0].annotations["org.opencontainers.image.ref.name"] = 5' \
		"field \`manifests[0].annotations.org.opencontainers.image.ref.name\` must be a string, not int"
}

@test "bad member: a manifest whose layers is a string" {
	expect_member_refused manifest '.layers = .layers[0].digest' \
		"field \`layers\` must be an array of descriptors, not string"
	assert_output_contains "image manifest sha256:"
}

@test "bad member: a manifest layer that is a number" {
	expect_member_refused manifest '.layers[1] = 5' "field \`layers[1]\` must be an object, not int"
}

@test "bad member: a manifest whose mediaType is a number" {
	expect_member_refused manifest '.mediaType = 5' "field \`mediaType\` must be a string, not int"
}

@test "bad member: a manifest layer of negative size" {
	expect_member_refused manifest '.layers[0].size = -5' "field \`layers[0].size\` must be a size in bytes, not -5"
}

@test "bad member: a manifest whose config digest is not a digest" {
	expect_member_refused manifest '.config.digest = "sha256:1234"' \
		"field \`config.digest\` must be a sha256 digest (sha256: and 64 lowercase hex digits), not \`sha256:1234\`"
}

@test "bad member: a config whose rootfs.diff_ids holds a number" {
	expect_member_refused config '.rootfs.diff_ids[0] = 5' "field \`rootfs.diff_ids[0]\` must be a string, not int"
	assert_output_contains "image config sha256:"
}

@test "bad member: a config whose Env is a string" {
	expect_member_refused config '.config.Env = "PATH=/bin"' \
		"field \`config.Env\` must be an array of strings, not string"
}

@test "bad member: a config whose Cmd holds null" {
	# Stored, it crashed `ferry create` (SIGSEGV): refused at the door.
	expect_member_refused config '.config.Cmd = [null]' "field \`config.Cmd[0]\` must be a string, not null"
}

@test "bad member: a config whose history holds a number" {
	expect_member_refused config '.history[1] = 5' "field \`history[1]\` must be an object, not int"
}

@test "bad member: a config whose label is a number" {
	expect_member_refused config '.config.Labels = {"version": 2}' \
		"field \`config.Labels.version\` must be a string, not int"
}

@test "good members: null for the lists and maps a Go encoder leaves empty" {
	oci_unpack "$(ferry_test_image)" "$TEST_TMP/l"
	oci_edit_config "$TEST_TMP/l" '.config.Entrypoint = null | .config.Labels = null | .config.Volumes = null | .config.ExposedPorts = null | .history = null'
	oci_pack "$TEST_TMP/l" "$TEST_TMP/nulls.tar"
	run_ferry load -i "$TEST_TMP/nulls.tar"
	assert_status 0
	run_ferry create --name c localhost/ferry-test
	assert_status 0
	[ "$(f inspect --format '{{json .Config.Cmd}}' c)" = '["/bin/sh"]' ]
	f rm c >/dev/null
}

# docker_edit FILTER [CONFIG FILTER]: the docker-archive of the test image
# with manifest.json (and the config) rewritten, as $TEST_TMP/bad.tar.
docker_edit() {
	local d=$TEST_TMP/d config hex
	mkdir -p "$d"
	tar -xf "$(ferry_test_docker_image)" -C "$d"
	if [ -n "${2:-}" ]; then
		config=$(jq -r '.[0].Config' "$d/manifest.json")
		jq -c "$2" "$d/$config" >"$TEST_TMP/config.json"
		hex=$(sha256sum "$TEST_TMP/config.json" | cut -d' ' -f1)
		rm -f "$d/$config"
		mv "$TEST_TMP/config.json" "$d/$hex.json"
		jq -c ".[0].Config = \"$hex.json\"" "$d/manifest.json" >"$d/manifest.json.new"
		mv "$d/manifest.json.new" "$d/manifest.json"
	fi
	jq -c "$1" "$d/manifest.json" >"$d/manifest.json.new"
	mv "$d/manifest.json.new" "$d/manifest.json"
	tar -cf "$TEST_TMP/bad.tar" -C "$d" .
}

@test "bad member: a docker-archive whose RepoTags holds a number" {
	# Was loaded as docker.io/library/5:latest.
	docker_edit '.[0].RepoTags = [5]'
	expect_load_refused "$TEST_TMP/bad.tar" \
		"manifest.json of docker-archive \`$TEST_TMP/bad.tar\`: field \`[0].RepoTags[0]\` must be a string, not int"
}

@test "bad member: a docker-archive whose Layers is a string" {
	docker_edit '.[0].Layers = .[0].Layers[0]'
	expect_load_refused "$TEST_TMP/bad.tar" "field \`[0].Layers\` must be an array of strings, not string"
}

@test "bad member: a docker-archive config whose Entrypoint is a string" {
	docker_edit . '.config.Entrypoint = "/bin/sh"'
	expect_load_refused "$TEST_TMP/bad.tar" "field \`config.Entrypoint\` must be an array of strings, not string"
	assert_output_contains "image archive \`$TEST_TMP/bad.tar\`: image config sha256:"
}
