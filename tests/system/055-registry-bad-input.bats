#!/usr/bin/env bats
# Every registry that fails, refuses or lies gets one clear error naming the
# reference, exit 125, and leaves nothing in the store: no image, no layer,
# no blob, no temporary file.  A real registry (docker-registry) plays the
# failures it can produce; tests/lib/hostile-registry.py the ones it cannot.

load helpers
load ../lib/registry

# expect_pull_refused REF [PULL OPTIONS...]: pull fails with exit 125 and
# one line naming REF, and stores nothing (no image, layer, blob or
# temporary file: assert_store_empty).
expect_pull_refused() {
	local ref=$1
	shift
	run_ferry pull -q "$@" "$ref"
	assert_status 125
	assert_one_line_error
	assert_output_contains "$ref"
	assert_store_empty
}

@test "bad input: a registry nobody listens on" {
	port=$(free_port)
	# --retry 0: no new tries, each with its warning (090 tests those).
	expect_pull_refused "127.0.0.1:$port/ferry-test:latest" --tls-verify=false --retry 0
	load_test_image
	run_ferry push -q --tls-verify=false --retry 0 ferry-test "127.0.0.1:$port/ferry-test:latest"
	assert_status 125
	assert_one_line_error
	assert_output_contains "127.0.0.1:$port/ferry-test:latest"
}

@test "bad input: an unknown repository" {
	registry_start
	registry_seed ferry-test:latest
	expect_pull_refused "$REGISTRY/no-such-repo:latest" --tls-verify=false
}

@test "bad input: an unknown tag and an unknown digest" {
	registry_start
	registry_seed ferry-test:latest
	expect_pull_refused "$REGISTRY/ferry-test:no-such-tag" --tls-verify=false
	expect_pull_refused "$REGISTRY/ferry-test@sha256:$(printf '0%.0s' $(seq 64))" --tls-verify=false
}

@test "bad input: wrong or missing credentials for an htpasswd registry" {
	registry_start --htpasswd alice s3cret
	registry_seed ferry-test:latest
	expect_pull_refused "$REGISTRY/ferry-test:latest" --tls-verify=false --creds alice:wrong
	expect_pull_refused "$REGISTRY/ferry-test:latest" --tls-verify=false --creds mallory:s3cret
	expect_pull_refused "$REGISTRY/ferry-test:latest" --tls-verify=false
	# A login that fails writes nothing.
	run_ferry login -u alice -p wrong --tls-verify=false "$REGISTRY"
	assert_status 125
	assert_one_line_error
	assert_output_contains "$REGISTRY"
	# Podman's words: logging into "REG": invalid username/password.
	assert_output_contains "logging into \"$REGISTRY\": invalid username/password"
	if [ -e "$REGISTRY_AUTH_FILE" ]; then
		[ "$(jq -r --arg r "$REGISTRY" '.auths[$r]' "$REGISTRY_AUTH_FILE")" = null ]
	fi
}

@test "bad input: wrong credentials for a token registry" {
	registry_start --token
	registry_seed ferry-test:latest
	expect_pull_refused "$REGISTRY/ferry-test:latest" --tls-verify=false --creds "$REGISTRY_USER:wrong"
	grep -q "user=$REGISTRY_USER .*refused: bad credentials" "$REGISTRY_TOKEN_LOG"
}

@test "bad input: a layer blob corrupted in the registry's storage" {
	registry_start
	registry_seed ferry-test:latest
	layer=$(archive_layer_digests "$(ferry_test_image)" | head -n1)
	registry_corrupt_blob "$layer"
	expect_pull_refused "$REGISTRY/ferry-test:latest" --tls-verify=false
	# The client did download it: it was refused on its digest.
	[ "$(registry_blob_gets "$layer")" -ge 1 ]
}

@test "bad input: a config blob corrupted in the registry's storage" {
	registry_start
	registry_seed ferry-test:latest
	registry_corrupt_blob "sha256:$(archive_image_id "$(ferry_test_image)")"
	expect_pull_refused "$REGISTRY/ferry-test:latest" --tls-verify=false
}

@test "bad input: a layer blob missing from the registry's storage" {
	registry_start
	registry_seed ferry-test:latest
	layer=$(archive_layer_digests "$(ferry_test_image)" | tail -n1)
	rm -f "$(registry_blob_path "$layer")"
	expect_pull_refused "$REGISTRY/ferry-test:latest" --tls-verify=false
}

@test "bad input: a manifest of an unknown media type" {
	hostile_start
	expect_pull_refused "$HOSTILE/unknown-type:latest" --tls-verify=false
	grep -q "GET /v2/unknown-type/manifests/latest 200" "$HOSTILE_LOG"
}

@test "bad input: a layer download cut off before its Content-Length" {
	hostile_start
	expect_pull_refused "$HOSTILE/truncated:latest" --tls-verify=false
	grep -q "GET /v2/truncated/blobs/sha256:.* 200" "$HOSTILE_LOG"
}

@test "bad input: a JSON 404 for an unknown repository from a minimal registry" {
	hostile_start
	expect_pull_refused "$HOSTILE/nothing/here:v1" --tls-verify=false
}

@test "bad input: a plain-http registry without --tls-verify=false" {
	registry_start
	registry_seed ferry-test:latest
	expect_pull_refused "$REGISTRY/ferry-test:latest"
	# Says why: the registry does not speak TLS.
	[[ "${output,,}" == *tls* || "${output,,}" == *https* || "${output,,}" == *ssl* ]]
	# And the same reference pulls with it.
	run_ferry pull -q --tls-verify=false "$REGISTRY/ferry-test:latest"
	assert_status 0
}

@test "bad input: --platform that the image index does not offer" {
	registry_start
	"$FERRY_SRC/tests/lib/make-multiarch.sh" --push "$REGISTRY/multi:latest" "$(ferry_test_image)" "$TEST_TMP/multi" >/dev/null
	expect_pull_refused "$REGISTRY/multi:latest" --tls-verify=false --platform linux/s390x
	assert_output_contains "linux/s390x"
}

@test "bad input: references that are not references" {
	for ref in "UPPER/case:tag" "127.0.0.1:5000/repo:bad tag" "127.0.0.1:5000/repo@sha256:abc"; do
		expect_pull_refused "$ref" --tls-verify=false
	done
}

@test "bad input: push of an image not in the store" {
	registry_start
	run_ferry push -q --tls-verify=false no-such-image "$REGISTRY/x:y"
	assert_status 125
	assert_one_line_error
	assert_output_contains "no-such-image"
	[ "$(registry_blob_uploads)" = 0 ]
}

@test "bad input: an upload Location on another host gets no credentials" {
	hostile_start
	load_test_image
	run_ferry push -q --tls-verify=false --creds alice:s3cret ferry-test "$HOSTILE/elsewhere:latest"
	assert_status 0
	# The registry itself got them once it asked ...
	grep -q "POST /v2/elsewhere/blobs/uploads/ 202 authorization" "$HOSTILE_LOG"
	grep -q "PUT /v2/elsewhere/manifests/latest 201 authorization" "$HOSTILE_LOG"
	# ... the other host (localhost, not 127.0.0.1) took the data, never them.
	grep -q "PUT /elsewhere-upload/" "$HOSTILE_LOG"
	if grep "PUT /elsewhere-upload/.* authorization" "$HOSTILE_LOG"; then
		echo "credentials went to the upload Location's host" >&2
		return 1
	fi
}

@test "bad input: an error message of many lines and terminal escapes is shown on one line" {
	hostile_start
	expect_pull_refused "$HOSTILE/rude:latest" --tls-verify=false
	assert_output_contains "manifest unknown"
	if [[ "$output" == *$'\e'* ]]; then
		echo "a terminal escape went through" >&2
		return 1
	fi
	# Cut short, not 400 lines of filler.
	[ "${#output}" -lt 1000 ]
}

@test "bad input: one layer blob listed twice for two different diff_ids" {
	hostile_start
	expect_pull_refused "$HOSTILE/twice:latest" --tls-verify=false
	assert_output_contains "twice"
	# Refused before any layer was downloaded.
	if grep -q "GET /v2/twice/blobs/$(archive_layer_digests "$(ferry_test_image)" | head -n1)" "$HOSTILE_LOG"; then
		echo "the layer was downloaded" >&2
		return 1
	fi
}

@test "bad input: response headers without end" {
	hostile_start
	expect_pull_refused "$HOSTILE/endless-headers:latest" --tls-verify=false
	assert_output_contains "headers pass 256 KiB"
}

@test "bad input: an upload on a reused connection the registry closed is sent again" {
	hostile_start
	load_test_image
	run_ferry push -q --tls-verify=false ferry-test "$HOSTILE/stale:latest"
	assert_status 0
	# Some upload was cut off on a reused connection, and went again.
	grep -q "PUT /stale-upload/.* 0$" "$HOSTILE_LOG"
	[ "$(grep -c "PUT /stale-upload/.* 201$" "$HOSTILE_LOG")" = 3 ]
}

@test "token: the scope a 401 challenge names is asked for" {
	hostile_start
	run_ferry pull -q --tls-verify=false "$HOSTILE/scoped:latest"
	assert_status 0
	grep -q "GET /token?.*scope=repository%3Ascoped-extra%3Apull.* 200" "$HOSTILE_LOG"
	grep -q "GET /v2/scoped/manifests/latest 200 authorization" "$HOSTILE_LOG"
}

@test "bad input: a manifest of more layers than an overlay can stack" {
	hostile_start
	expect_pull_refused "$HOSTILE/many-layers:latest" --tls-verify=false
	assert_output_contains "501 layers"
}

# ---- JSON members of the wrong type or out of range ----------------------
# tests/lib/hostile-registry.py serves the test image as bad-CASE with one
# member of its index, manifest or config changed and every digest made to
# match: only a check of that member can refuse it.

# expect_bad_refused CASE MESSAGE: pulling bad-CASE fails naming the
# reference, the document and the member (MESSAGE), and stores nothing.
expect_bad_refused() {
	hostile_start
	expect_pull_refused "$HOSTILE/bad-$1:latest" --tls-verify=false
	assert_output_contains "$2"
}

@test "bad member: a manifest list whose manifests is an object" {
	expect_bad_refused index-manifests-object "the image index sha256:"
	assert_output_contains "field \`manifests\` must be an array of descriptors, not object"
}

@test "bad member: a manifest list whose platform is a string" {
	expect_bad_refused index-platform-string "field \`manifests[0].platform\` must be an object, not string"
}

@test "bad member: a manifest list entry of negative size" {
	expect_bad_refused index-size-negative "field \`manifests[0].size\` must be a size in bytes, not -1"
}

@test "bad member: a manifest whose layers is a string" {
	expect_bad_refused manifest-layers-string "the manifest sha256:"
	assert_output_contains "field \`layers\` must be an array of descriptors, not string"
}

@test "bad member: a manifest of schemaVersion 1 that says it is OCI" {
	expect_bad_refused manifest-schema-1 "field \`schemaVersion\` must be 2, not 1"
}

@test "bad member: a manifest whose mediaType is a number" {
	expect_bad_refused manifest-media-type-number "field \`mediaType\` must be a string, not int"
}

@test "bad member: a manifest layer whose size is a string" {
	expect_bad_refused manifest-layer-size-string \
		"field \`layers[0].size\` must be a size in bytes (an integer), not string"
}

@test "bad member: a manifest with garbage after its JSON" {
	expect_bad_refused manifest-trailing-garbage "the manifest is not valid JSON"
}

@test "bad member: a config whose Env is a string" {
	expect_bad_refused config-env-string "the image config sha256:"
	assert_output_contains "field \`config.Env\` must be an array of strings, not string"
}

@test "bad member: a config whose Cmd holds null" {
	expect_bad_refused config-cmd-null "field \`config.Cmd[0]\` must be a string, not null"
}

@test "bad member: a config whose rootfs.diff_ids holds a number" {
	expect_bad_refused config-diff-ids-number "field \`rootfs.diff_ids[0]\` must be a string, not int"
}

@test "bad member: a config whose history holds a number" {
	expect_bad_refused config-history-number "field \`history[0]\` must be an object, not int"
}

@test "token: a token response whose token is a number" {
	hostile_start
	expect_pull_refused "$HOSTILE/token-number:latest" --tls-verify=false
	assert_output_contains "sent a \`token\` that is not a string but int"
}

@test "token: a token that would end its header and add another is refused" {
	hostile_start
	expect_pull_refused "$HOSTILE/token-crlf:latest" --tls-verify=false
	assert_output_contains "sent a \`token\` holding characters an HTTP header cannot carry"
	if grep -q " injected$" "$HOSTILE_LOG"; then
		echo "a header from the token service reached the registry" >&2
		return 1
	fi
}

@test "bad input: an auth file whose auths is a list" {
	hostile_start
	echo '{"auths": []}' >"$REGISTRY_AUTH_FILE"
	expect_pull_refused "$HOSTILE/scoped:latest" --tls-verify=false
	# Podman's words (Go's JSON decoder's), then what to fix.
	assert_output_contains "reading JSON file \"$REGISTRY_AUTH_FILE\": unmarshaling JSON at \"$REGISTRY_AUTH_FILE\": json: cannot unmarshal array into Go struct field dockerConfigFile.auths of type map[string]config.dockerAuthConfig: fix or remove \`auths\`"
	# Nor does a login write over it.
	run_ferry login -u alice -p s3cret --tls-verify=false "$HOSTILE"
	assert_status 125
	assert_one_line_error
	[ "$(cat "$REGISTRY_AUTH_FILE")" = '{"auths": []}' ]
}

@test "bad input: an auth file whose auth is a number" {
	hostile_start
	printf '{"auths": {"%s": {"auth": 5}}}\n' "$HOSTILE" >"$REGISTRY_AUTH_FILE"
	expect_pull_refused "$HOSTILE/scoped:latest" --tls-verify=false
	assert_output_contains "json: cannot unmarshal number into Go struct field dockerAuthConfig.auths.auth of type string: fix or remove \`auths.$HOSTILE.auth\`"
}
