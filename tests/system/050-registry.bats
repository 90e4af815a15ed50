#!/usr/bin/env bats
# Registries: pull, push, login/logout and run --pull against a real registry
# (Debian's docker-registry, distribution 2.8) on 127.0.0.1, anonymous, behind
# htpasswd, behind a Bearer token server, or on self-signed TLS; and restore
# of a checkpoint on a root that must pull the container's image by digest.
#
# Each test starts its own registry (tests/lib/registry.bash) and stops it in
# teardown.  Images are put on the registry with skopeo (registry_seed) unless
# the test is about ferry push, so a pull test does not depend on push.

load helpers
load ../lib/registry

bats_require_minimum_version 1.5.0

# A second image for tags that move: the test image plus a layer holding
# /extra/1.bin (random, so a fresh image every run).
build_second_image() {
	"$FERRY_SRC/tests/lib/build-test-image.sh" --extra-layers 1 --extra-size 1 \
		"$TEST_TMP/second.tar" >/dev/null 2>&1
	echo "$TEST_TMP/second.tar"
}

# The architecture of the test image: the host's.
host_arch() {
	archive_config "$(ferry_test_image)" | jq -r .architecture
}

@test "push then pull: same manifest digest and image ID in another root, and it runs" {
	registry_start
	load_test_image
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	run_ferry push -q --tls-verify=false --digestfile "$TEST_TMP/digest" ferry-test "$REGISTRY/ferry/test:v1"
	assert_status 0
	digest=$(cat "$TEST_TMP/digest")
	[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]]
	# The store kept the blobs as they came: the manifest pushed is the one loaded.
	[ "$digest" = "$(sqlite3 "$ROOT/ferry.db" 'select manifest_digest from images')" ]
	[ "$digest" = "$(archive_manifest_digest "$(ferry_test_image)")" ]
	[ "$(registry_tag_digest ferry/test v1)" = "$digest" ]

	run_fb pull -q --tls-verify=false "$REGISTRY/ferry/test:v1"
	assert_status 0
	[ "$output" = "$id" ]
	[ "$(fb image inspect --format '{{.Digest}}' "$REGISTRY/ferry/test:v1")" = "$digest" ]
	run_fb run --rm "$REGISTRY/ferry/test:v1" cat /etc/ferry-release
	assert_status 0
	[ "$output" = "ferry-test-image 1" ]
}

@test "pull: by tag prints the image ID alone, stores the image under its name, and it runs" {
	registry_start
	registry_seed ferry-test:latest
	img=$REGISTRY/ferry-test:latest
	run --separate-stderr "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" pull --tls-verify=false "$img"
	assert_status 0
	# The ID ferry load gives the same archive: the config's digest.
	[ "$output" = "$(archive_image_id "$(ferry_test_image)")" ]
	# Off a terminal, Podman's lines on stderr: once per blob, no bars.
	[ "${stderr_lines[0]}" = "Trying to pull $img..." ]
	[ "${stderr_lines[1]}" = "Getting image source signatures" ]
	[ "$(grep -c '^Copying blob sha256:[0-9a-f]\{64\}$' <<<"$stderr")" = 2 ]
	[ "${stderr_lines[4]}" = "Copying config sha256:$output" ]
	[ "${stderr_lines[5]}" = "Writing manifest to image destination" ]
	[ "${#stderr_lines[@]}" = 6 ]
	[[ "$stderr" != *$'\r'* ]]

	run_ferry image inspect "$img"
	assert_status 0
	[ "$(echo "$output" | jq -r '.[0].RepoTags[0]')" = "$img" ]
	[ "$(echo "$output" | jq -r '.[0].Digest')" = "$(archive_manifest_digest "$(ferry_test_image)")" ]
	[ "$(echo "$output" | jq -r '.[0].RepoDigests[0]')" = "$REGISTRY/ferry-test@$(archive_manifest_digest "$(ferry_test_image)")" ]
	[ "$(echo "$output" | jq -r '.[0].RootFS.Layers | length')" = 2 ]
	# Both layers applied, whiteouts and opaque directory included.
	run_ferry run --rm "$img" sh -c 'cat /etc/ferry-release; ls /opt/olddir; ls /etc/removed-by-layer2 2>&1 >/dev/null | wc -l'
	assert_status 0
	[ "$output" = "$(printf 'ferry-test-image 1\nnew\n1')" ]
}

@test "pull: by digest, with a docker:// prefix and -q" {
	registry_start
	registry_seed ferry-test:latest
	digest=$(registry_tag_digest ferry-test latest)
	id=$(archive_image_id "$(ferry_test_image)")
	run_ferry pull -q --tls-verify=false "docker://$REGISTRY/ferry-test@$digest"
	assert_status 0
	[ "$output" = "$id" ]
	[ "$(f image inspect --format '{{.Digest}}' "$id")" = "$digest" ]
	# The request went by digest, not by a tag.
	registry_requests | grep -q "\"GET /v2/ferry-test/manifests/$digest HTTP"
	run_ferry run --rm "$id" cat /etc/ferry-release
	assert_status 0
	[ "$output" = "ferry-test-image 1" ]
}

@test "pull: a Docker schema 2 manifest and a Docker manifest list, as docker push makes them" {
	registry_start
	# skopeo writes the docker-archive as Docker schema 2 with gzip layers;
	# the config is the test image's, so the image ID is too.
	skopeo copy --quiet --format v2s2 --dest-tls-verify=false \
		"docker-archive:$(ferry_test_docker_image)" "docker://$REGISTRY/docker/app:v2s2" >&2
	digest=$(registry_tag_digest docker/app v2s2)
	manifest=$(registry_blob_path "$digest")
	[ "$(jq -r .mediaType "$manifest")" = application/vnd.docker.distribution.manifest.v2+json ]
	id=$(archive_image_id "$(ferry_test_image)")

	run_ferry pull -q --tls-verify=false "$REGISTRY/docker/app:v2s2"
	assert_status 0
	[ "$output" = "$id" ]
	[ "$(f image inspect --format '{{.Digest}}' "$id")" = "$digest" ]
	run_ferry run --rm "$REGISTRY/docker/app:v2s2" cat /etc/ferry-release
	assert_status 0
	[ "$output" = "ferry-test-image 1" ]

	list=$(jq -c -n --arg d "$digest" --argjson s "$(stat -c %s "$manifest")" --arg a "$(host_arch)" '{
		schemaVersion: 2,
		mediaType: "application/vnd.docker.distribution.manifest.list.v2+json",
		manifests: [{mediaType: "application/vnd.docker.distribution.manifest.v2+json",
			digest: $d, size: $s, platform: {architecture: $a, os: "linux"}}]
	}')
	curl -sf -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.list.v2+json' \
		--data-binary "$list" "http://$REGISTRY/v2/docker/app/manifests/list" >/dev/null
	run_fb pull -q --tls-verify=false "$REGISTRY/docker/app:list"
	assert_status 0
	[ "$output" = "$id" ]
	[ "$(fb image inspect --format '{{.Architecture}}' "$id")" = "$(host_arch)" ]
}

@test "pull: layers already in the store are not downloaded again" {
	registry_start
	registry_seed ferry-test:latest
	img=$REGISTRY/ferry-test:latest
	id=$(archive_image_id "$(ferry_test_image)")
	mapfile -t layers < <(archive_layer_digests "$(ferry_test_image)")
	[ ${#layers[@]} -eq 2 ]

	f pull -q --tls-verify=false "$img" >/dev/null
	for d in "${layers[@]}"; do assert_blob_gets 1 "$d"; done
	mark=$(registry_log_mark)
	run_ferry pull -q --tls-verify=false "$img"
	assert_status 0
	[ "$output" = "$id" ]
	for d in "${layers[@]}"; do assert_blob_gets 0 "$d" "$mark"; done
	[ "$(f images -q | wc -l)" -eq 1 ]

	# Layers that came from ferry load count as stored too.
	fb load -q -i "$(ferry_test_image)"
	mark=$(registry_log_mark)
	run_fb pull -q --tls-verify=false "$img"
	assert_status 0
	[ "$output" = "$id" ]
	for d in "${layers[@]}"; do assert_blob_gets 0 "$d" "$mark"; done
	[ "$(fb image inspect --format '{{index .RepoTags 0}}' "$img")" = "$img" ]
}

@test "pull: an image index gives the host's platform by default, another with --platform" {
	registry_start
	run "$FERRY_SRC/tests/lib/make-multiarch.sh" --push "$REGISTRY/multi:latest" "$(ferry_test_image)" "$TEST_TMP/multi"
	assert_status 0
	arch=$(host_arch)
	other=$(echo "$output" | awk -v a="$arch" '$1 != "index" && $1 != "extra-layer" && $1 != a { print $1 }')
	extra=$(echo "$output" | awk '$1 == "extra-layer" { print $2 }')
	[ -n "$other" ] && [ -n "$extra" ]
	mapfile -t layers < <(archive_layer_digests "$(ferry_test_image)")
	img=$REGISTRY/multi:latest

	# The host's entry is the test image itself (and comes second in the index).
	run_ferry pull -q --tls-verify=false "$img"
	assert_status 0
	[ "$output" = "$(archive_image_id "$(ferry_test_image)")" ]
	[ "$(f image inspect --format '{{.Architecture}}' "$img")" = "$arch" ]
	assert_blob_gets 0 "$extra"

	run_fb pull -q --tls-verify=false --platform "linux/$other" "$img"
	assert_status 0
	other_id=$output
	[[ $other_id =~ ^[0-9a-f]{64}$ ]]
	[ "$other_id" != "$(archive_image_id "$(ferry_test_image)")" ]
	run_fb image inspect "$img"
	assert_status 0
	[ "$(echo "$output" | jq -r '.[0].Architecture')" = "$other" ]
	[ "$(echo "$output" | jq -r '.[0].Os')" = linux ]
	[ "$(echo "$output" | jq -r '.[0].RootFS.Layers | length')" = 3 ]

	# Root A already has the two shared layers: only the extra one comes,
	# and OS/ARCH/VARIANT (arm64 images say v8) selects the same image.
	platform=linux/$other
	if [ "$other" = arm64 ]; then platform=linux/arm64/v8; fi
	mark=$(registry_log_mark)
	run_ferry pull -q --tls-verify=false --platform "$platform" "$img"
	assert_status 0
	[ "$output" = "$other_id" ]
	assert_blob_gets 1 "$extra" "$mark"
	for d in "${layers[@]}"; do assert_blob_gets 0 "$d" "$mark"; done
	[ "$(f image inspect --format '{{.Architecture}}' "$img")" = "$other" ]
}

@test "htpasswd: push and pull with --creds; without them the registry refuses" {
	# A ':' in the password: --creds splits at the first one only.
	registry_start --htpasswd alice 's3:cret!'
	load_test_image
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	run_ferry push -q --tls-verify=false ferry-test "$REGISTRY/private:v1"
	assert_status 125
	assert_one_line_error
	# Podman's words name the repository: "... exists in REG/private:
	# authentication required".
	assert_output_contains "exists in $REGISTRY/private: authentication required"
	[ ! -e "$REGISTRY_DIR/docker/registry/v2/repositories/private" ]

	run_ferry push -q --tls-verify=false --creds "alice:s3:cret!" ferry-test "$REGISTRY/private:v1"
	assert_status 0
	[ "$(registry_tag_digest private v1)" = "$(archive_manifest_digest "$(ferry_test_image)")" ]

	run_fb pull -q --tls-verify=false "$REGISTRY/private:v1"
	assert_status 125
	assert_one_line_error
	assert_output_contains "$REGISTRY/private:v1"
	run_fb pull -q --tls-verify=false --creds "alice:s3:cret!" "$REGISTRY/private:v1"
	assert_status 0
	[ "$output" = "$id" ]
}

@test "login and logout: credentials live in REGISTRY_AUTH_FILE (or --authfile) and serve pull and push" {
	registry_start --htpasswd alice s3cret
	registry_seed private:v1
	img=$REGISTRY/private:v1
	# Another registry's entry must survive login and logout.
	printf '{"auths":{"registry.example:5000":{"auth":"%s"}}}\n' "$(printf 'bob:pw' | base64)" >"$REGISTRY_AUTH_FILE"

	run_ferry login -u alice -p wrong --tls-verify=false "$REGISTRY"
	assert_status 125
	assert_one_line_error
	assert_output_contains "$REGISTRY"
	[ "$(jq -r --arg r "$REGISTRY" '.auths[$r]' "$REGISTRY_AUTH_FILE")" = null ]

	run_ferry login -u alice -p s3cret --tls-verify=false "$REGISTRY"
	assert_status 0
	[ "$output" = "Login Succeeded!" ]
	[ "$(jq -r --arg r "$REGISTRY" '.auths[$r].auth' "$REGISTRY_AUTH_FILE" | base64 -d)" = alice:s3cret ]
	[ "$(jq -r '.auths["registry.example:5000"].auth' "$REGISTRY_AUTH_FILE" | base64 -d)" = bob:pw ]
	# A file of passwords is nobody else's to read.
	[ $((0$(stat -c %a "$REGISTRY_AUTH_FILE") & 077)) -eq 0 ]

	run_fb pull -q --tls-verify=false "$img"
	assert_status 0
	[ "$output" = "$(archive_image_id "$(ferry_test_image)")" ]
	run_fb push -q --tls-verify=false "$img" "$REGISTRY/private:v2"
	assert_status 0
	[ "$(registry_tag_digest private v2)" = "$(registry_tag_digest private v1)" ]

	# --password-stdin, into the file --authfile names rather than REGISTRY_AUTH_FILE.
	run bash -c "printf 's3cret\n' | '$FERRY_BIN' --root '$ROOT' --runroot '$RUNROOT' login -u alice --password-stdin --tls-verify=false --authfile '$TEST_TMP/other.json' '$REGISTRY'"
	assert_status 0
	[ "$output" = "Login Succeeded!" ]
	[ "$(jq -r --arg r "$REGISTRY" '.auths[$r].auth' "$TEST_TMP/other.json" | base64 -d)" = alice:s3cret ]

	run_ferry logout "$REGISTRY"
	assert_status 0
	[ "$output" = "Removed login credentials for $REGISTRY" ]
	[ "$(jq -r --arg r "$REGISTRY" '.auths[$r]' "$REGISTRY_AUTH_FILE")" = null ]
	[ "$(jq -r '.auths["registry.example:5000"].auth' "$REGISTRY_AUTH_FILE" | base64 -d)" = bob:pw ]
	fb rmi "$img" >/dev/null
	run_fb pull -q --tls-verify=false "$img"
	assert_status 125
	assert_one_line_error

	# The other file still logs in; --all empties it.
	run_fb pull -q --tls-verify=false --authfile "$TEST_TMP/other.json" "$img"
	assert_status 0
	run_ferry logout --authfile "$TEST_TMP/other.json" --all
	assert_status 0
	[ "$(jq -r '.auths | length' "$TEST_TMP/other.json")" = 0 ]
}

@test "token: push and pull with --creds through a Bearer token server" {
	registry_start --token
	load_test_image
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	creds=$REGISTRY_USER:$REGISTRY_PASS
	# Anonymous tokens grant nothing here.
	run_ferry push -q --tls-verify=false ferry-test "$REGISTRY/tok/app:v1"
	assert_status 125
	assert_one_line_error
	# Podman's words for a token without the scope.
	assert_output_contains "exists in $REGISTRY/tok/app: requested access to the resource is denied"

	run_ferry push -q --tls-verify=false --creds "$creds" ferry-test "$REGISTRY/tok/app:v1"
	assert_status 0
	[ "$(registry_tag_digest tok/app v1)" = "$(archive_manifest_digest "$(ferry_test_image)")" ]
	# ferry asked the token server for push access with the user's credentials.
	grep -E "user=$REGISTRY_USER scope=.*repository:tok/app:[a-z,]*push[a-z,]* granted=[1-9]" "$REGISTRY_TOKEN_LOG"

	run_fb pull -q --tls-verify=false --creds "$creds" "$REGISTRY/tok/app:v1"
	assert_status 0
	[ "$output" = "$id" ]
	run_fb run --rm "$REGISTRY/tok/app:v1" cat /etc/ferry-release
	assert_status 0
	[ "$output" = "ferry-test-image 1" ]
}

@test "tls: --cert-dir trusts the registry's CA with verification on" {
	registry_start --tls
	registry_seed ferry-test:latest
	img=$REGISTRY/ferry-test:latest
	mkdir -p "$TEST_TMP/certs"
	cp "$REGISTRY_CA" "$TEST_TMP/certs/ca.crt"
	run_ferry pull -q --cert-dir "$TEST_TMP/certs" "$img"
	assert_status 0
	[ "$output" = "$(archive_image_id "$(ferry_test_image)")" ]
	mkdir -p "$TEST_TMP/nocerts"
	run_fb pull -q --cert-dir "$TEST_TMP/nocerts" "$img"
	assert_status 125
	assert_one_line_error
	assert_output_contains "no CA certificate"
}

@test "token: credentials are never sent to a plain-http token realm while TLS is verified" {
	registry_start --token --tls
	load_test_image
	creds=$REGISTRY_USER:$REGISTRY_PASS
	mkdir -p "$TEST_TMP/certs"
	cp "$REGISTRY_CA" "$TEST_TMP/certs/ca.crt"
	: >"$REGISTRY_TOKEN_LOG"
	run_ferry push -q --cert-dir "$TEST_TMP/certs" --creds "$creds" ferry-test "$REGISTRY/tok/app:v1"
	assert_status 125
	assert_one_line_error
	assert_output_contains "plain http"
	# The token server never saw the user.
	! grep -q "user=$REGISTRY_USER" "$REGISTRY_TOKEN_LOG" || false
	# With verification off, as for the registry itself, the user may.
	run_ferry push -q --tls-verify=false --creds "$creds" ferry-test "$REGISTRY/tok/app:v1"
	assert_status 0
}

@test "tls: a self-signed registry is refused by default and works with --tls-verify=false" {
	registry_start --tls
	registry_seed ferry-test:latest
	img=$REGISTRY/ferry-test:latest
	run_ferry pull -q "$img"
	assert_status 125
	assert_one_line_error
	assert_output_contains "$img"
	# Says why: the certificate.
	[[ "${output,,}" == *certificat* ]]
	assert_store_empty

	run_ferry pull -q --tls-verify=false "$img"
	assert_status 0
	[ "$output" = "$(archive_image_id "$(ferry_test_image)")" ]
	# The registry really is https: a plain-http request to it gets nowhere.
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/")" != 200 ]

	run_ferry push -q "$img" "$REGISTRY/pushed:v1"
	assert_status 125
	assert_one_line_error
	assert_output_contains "$REGISTRY/pushed:v1"
	run_ferry push -q --tls-verify=false "$img" "$REGISTRY/pushed:v1"
	assert_status 0
	[ "$(registry_tag_digest pushed v1)" = "$(archive_manifest_digest "$(ferry_test_image)")" ]
}

@test "run --pull: never refuses a missing image, missing pulls once, always pulls again" {
	registry_start
	registry_seed ferry-test:latest
	img=$REGISTRY/ferry-test:latest

	run_ferry run --rm --pull never "$img" true
	assert_status 125
	assert_one_line_error
	assert_output_contains "$img"
	run_ferry create --pull never --name c "$img"
	assert_status 125
	assert_one_line_error
	assert_output_contains "$img"
	assert_store_empty
	[ "$(registry_manifest_gets)" = 0 ]

	# Default (missing): pulls, then runs; nothing but the command's output.
	run_ferry run -q --rm --tls-verify=false "$img" cat /etc/ferry-release
	assert_status 0
	[ "$output" = "ferry-test-image 1" ]
	f image exists "$img"

	# The tag moves on to another image on the registry.
	registry_seed ferry-test:latest "$(build_second_image)"
	new_id=$(archive_image_id "$TEST_TMP/second.tar")
	mark=$(registry_log_mark)
	run_ferry run -q --rm --pull missing --tls-verify=false "$img" sh -c 'ls /extra 2>/dev/null | wc -l'
	assert_status 0
	[ "$output" = 0 ]
	[ "$(registry_manifest_gets "$mark")" = 0 ]
	run_ferry run -q --rm --pull always --tls-verify=false "$img" sh -c 'ls /extra 2>/dev/null | wc -l'
	assert_status 0
	[ "$output" = 1 ]
	[ "$(f image inspect --format '{{.Id}}' "$img")" = "$new_id" ]

	run_ferry create --pull always --tls-verify=false --name c "$img"
	assert_status 0
	[ "$(f inspect --format '{{.Image}}' c)" = "$new_id" ]
}

@test "push: blobs the registry has are not sent again; another repository mounts them" {
	registry_start
	load_test_image
	mapfile -t layers < <(archive_layer_digests "$(ferry_test_image)")
	# put_of DIGEST [MARK]: uploads that finished with DIGEST (the PUT names it).
	put_of() { registry_requests "${2:-0}" | grep -cE "\"PUT /v2/[^ ]*/blobs/uploads/[^ ]*digest=sha256(%3A|%3a|:)${1#sha256:}" || true; }

	run_ferry push -q --tls-verify=false ferry-test "$REGISTRY/app:v1"
	assert_status 0
	for d in "${layers[@]}"; do [ "$(put_of "$d")" = 1 ]; done

	mark=$(registry_log_mark)
	run_ferry push -q --tls-verify=false ferry-test "$REGISTRY/app:v2"
	assert_status 0
	[ "$(registry_blob_uploads "$mark")" = 0 ]
	[ "$(registry_tag_digest app v2)" = "$(registry_tag_digest app v1)" ]

	mark=$(registry_log_mark)
	run_ferry push -q --tls-verify=false ferry-test "$REGISTRY/other/app:v1"
	assert_status 0
	for d in "${layers[@]}"; do [ "$(put_of "$d" "$mark")" = 0 ]; done
	[ "$(registry_mounts "$mark")" -ge 2 ]
	[ "$(registry_tag_digest other/app v1)" = "$(registry_tag_digest app v1)" ]

	# What was mounted is really there for a puller.
	run_fb pull -q --tls-verify=false "$REGISTRY/other/app:v1"
	assert_status 0
	[ "$output" = "$(f image inspect --format '{{.Id}}' ferry-test)" ]
}

@test "push: without DEST the image goes to its own name; DEST takes docker://" {
	registry_start
	"$FERRY_SRC/tests/lib/build-test-image.sh" "$TEST_TMP/own.tar" "$REGISTRY/own/image:v3" >/dev/null 2>&1
	f load -q -i "$TEST_TMP/own.tar"
	run_ferry push -q --tls-verify=false "$REGISTRY/own/image:v3"
	assert_status 0
	[ "$(registry_tag_digest own/image v3)" = "$(archive_manifest_digest "$TEST_TMP/own.tar")" ]
	run_ferry push -q --tls-verify=false "$REGISTRY/own/image:v3" "docker://$REGISTRY/own/image:v4"
	assert_status 0
	[ "$(registry_tag_digest own/image v4)" = "$(archive_manifest_digest "$TEST_TMP/own.tar")" ]
}

@test "restore --import on a root without the image pulls it by the digest recorded at create" {
	registry_start --htpasswd alice s3cret
	registry_seed ferry-test:latest
	img=$REGISTRY/ferry-test:latest
	digest=$(registry_tag_digest ferry-test latest)
	f pull -q --tls-verify=false --creds alice:s3cret "$img" >/dev/null
	f run -d --name mover "$img" sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs mover | wc -l)" -ge 5 ]'
	id=$(f inspect --format '{{.Id}}' mover)
	image_id=$(f image inspect --format '{{.Id}}' "$img")
	f container checkpoint -e "$TEST_TMP/mover.tar.zst" mover >/dev/null
	n=$(last_count mover)
	f rm mover >/dev/null
	# The tag now names another image: only the digest finds the right one.
	registry_seed ferry-test:latest "$(build_second_image)"

	mark=$(registry_log_mark)
	run_fb container restore --tls-verify=false --creds alice:s3cret -i "$TEST_TMP/mover.tar.zst"
	assert_status 0
	[ "$output" = "$id" ]
	registry_requests "$mark" | grep -q "\"GET /v2/ferry-test/manifests/$digest HTTP"
	[ "$(fb image inspect --format '{{.Id}}' "$image_id")" = "$image_id" ]
	[ "$(fb inspect --format '{{.Name}} {{.State.Status}}' mover)" = "mover running" ]
	wait_until "[ \"\$(last_count mover fb)\" -ge $((n + 3)) ]"
	assert_counts_on mover fb
	fb rm -f -t 0 mover >/dev/null
}

@test "pull: zstd-compressed layers, as skopeo --dest-compress-format zstd pushes them" {
	registry_start
	skopeo copy --quiet --dest-tls-verify=false --dest-compress-format zstd \
		"oci-archive:$(ferry_test_image)" "docker://$REGISTRY/zstd:latest" >&2
	# Every layer on the registry is zstd (the test would prove nothing else).
	manifest=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://$REGISTRY/v2/zstd/manifests/latest")
	[ "$(jq -r '[.layers[].mediaType] | unique | join(",")' <<<"$manifest")" = "application/vnd.oci.image.layer.v1.tar+zstd" ]
	run_ferry pull -q --tls-verify=false "$REGISTRY/zstd:latest"
	assert_status 0
	# The layers unpack to the diff_ids of the gzip original: the same image ID.
	[ "$output" = "$(archive_image_id "$(ferry_test_image)")" ]
	run_ferry run --rm "$REGISTRY/zstd:latest" cat /etc/ferry-release
	assert_status 0
	[ "$output" = "ferry-test-image 1" ]
	# Kept as they came: each blob file is the zstd blob the manifest names.
	for d in $(jq -r '.layers[].digest' <<<"$manifest"); do
		[ "$(sha256sum <"$ROOT/storage/blobs/${d#sha256:}" | cut -d' ' -f1)" = "${d#sha256:}" ]
		[ "$(head -c4 "$ROOT/storage/blobs/${d#sha256:}" | od -An -tx1 | tr -d ' ')" = 28b52ffd ]
	done
}

@test "pull and push show a progress line per blob on a terminal" {
	registry_start
	registry_seed ferry-test:latest
	# script(1) gives ferry a terminal: the lines are drawn there.
	run script -qec "$FERRY_BIN --root $ROOT --runroot $RUNROOT pull --tls-verify=false $REGISTRY/ferry-test:latest" /dev/null
	assert_status 0
	assert_output_contains "Trying to pull $REGISTRY/ferry-test:latest"
	n=$(archive_manifest "$(ferry_test_image)" | jq '.layers | length')
	for d in $(archive_manifest "$(ferry_test_image)" | jq -r '.layers[].digest'); do
		hex=${d#sha256:}
		assert_output_contains "Copying blob ${hex:0:12} done"
	done
	[ "$n" -ge 1 ]
	assert_output_contains "Writing manifest to image destination"
	# (image push: the same command under Podman's other name.)
	run script -qec "$FERRY_BIN --root $ROOT --runroot $RUNROOT image push --tls-verify=false $REGISTRY/ferry-test:latest $REGISTRY/copy:1" /dev/null
	assert_status 0
	assert_output_contains "Copying config"
	assert_output_contains "Writing manifest to image destination"
	# -q: nothing but the ID, even on a terminal.
	run script -qec "$FERRY_BIN --root $ROOT --runroot $RUNROOT pull -q --tls-verify=false $REGISTRY/ferry-test:latest" /dev/null
	assert_status 0
	[[ "$output" != *Copying* ]]
}
