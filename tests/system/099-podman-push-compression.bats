#!/usr/bin/env bats
# push --compression-format, --compression-level and --force-compression,
# and containers.conf's compression_format and compression_level, against
# a real registry (tests/lib/registry.bash): every layer the registry ends
# up with is checked in its own storage (its bytes have the digest the
# manifest names, its first bytes are the compression its media type says,
# and it unpacks to the diff_id the config names), and the image is pulled
# back by ferry and by Podman and run, giving the same files.  What the
# tools print and how they exit is compared with Podman run live, on roots
# of the test's own, where Podman is installed.

load helpers
load podman-helpers
load ../lib/registry

bats_require_minimum_version 1.5.0

teardown() {
	registry_stop
	podman_teardown
	ferry_teardown
}

# The manifest the registry holds for REPO:TAG.
registry_manifest() {
	curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		-H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
		"http://$REGISTRY/v2/$1/manifests/$2"
}

# verify_pushed REPO TAG: checks each layer of REPO:TAG in the registry's
# storage (see the top) and prints their compressions, a word each.
verify_pushed() {
	local m=$TEST_TMP/verify.json cfg i n mt dg path kind plain
	registry_manifest "$1" "$2" >"$m"
	cfg=$(registry_blob_path "$(jq -r .config.digest "$m")")
	n=$(jq '.layers | length' "$m")
	for ((i = 0; i < n; i++)); do
		mt=$(jq -r ".layers[$i].mediaType" "$m")
		dg=$(jq -r ".layers[$i].digest" "$m")
		path=$(registry_blob_path "$dg")
		[ "sha256:$(sha256sum <"$path" | cut -d' ' -f1)" = "$dg" ] || { echo "layer $i: not its digest" >&2; return 1; }
		[ "$(stat -c %s "$path")" = "$(jq -r ".layers[$i].size" "$m")" ] || { echo "layer $i: not its size" >&2; return 1; }
		case "$(head -c4 "$path" | od -An -tx1 | tr -d ' \n')" in
		28b52ffd) kind=zstd ;;
		1f8b*) kind=gzip ;;
		*) kind=none ;;
		esac
		case "$mt" in
		*zstd) [ "$kind" = zstd ] ;;
		*gzip) [ "$kind" = gzip ] ;;
		*) [ "$kind" = none ] ;;
		esac || { echo "layer $i: $kind bytes under $mt" >&2; return 1; }
		case "$kind" in
		zstd) plain=$(zstd -dcq <"$path" | sha256sum) ;;
		gzip) plain=$(gzip -dc <"$path" | sha256sum) ;;
		*) plain=$(sha256sum <"$path") ;;
		esac
		[ "sha256:${plain%% *}" = "$(jq -r ".rootfs.diff_ids[$i]" "$cfg")" ] ||
			{ echo "layer $i does not unpack to its diff_id" >&2; return 1; }
		printf '%s ' "$kind"
	done
	echo
}

# An image "big" of the test image and a top layer that ferry stores
# uncompressed (commit): 2 MB of random bytes and 1.2 MB of text.  Sets
# SUMS to what its files hash to.
make_big_image() {
	load_test_image
	f run --name mk ferry-test sh -c \
		'head -c 2000000 /dev/urandom >/data; seq 1 200000 >/seq; md5sum /data /seq >/sums' >/dev/null
	f commit -q mk big >/dev/null
	f rm mk >/dev/null
	SUMS=$(f run --rm big cat /sums)
}

# The layers' media types of REPO:TAG, with the manifest's, on one line.
media_types() {
	registry_manifest "$1" "$2" | jq -c '[.mediaType, [.layers[].mediaType]]'
}

@test "push --compression-format gzip and zstd: layers compressed anew, pulled back by ferry and Podman with the same files" {
	registry_start
	make_big_image
	for fmt in gzip zstd; do
		run_ferry push -q --tls-verify=false --compression-format "$fmt" --digestfile "$TEST_TMP/d.$fmt" \
			big "$REGISTRY/c/big:$fmt"
		assert_status 0
		[ "$(registry_tag_digest c/big "$fmt")" = "$(cat "$TEST_TMP/d.$fmt")" ]
		# Forced by the flag: the test image's gzip and zstd layers too.
		[ "$(verify_pushed c/big "$fmt")" = "$fmt $fmt $fmt " ]
		[ "$(media_types c/big "$fmt")" = \
			"[\"application/vnd.oci.image.manifest.v1+json\",[\"application/vnd.oci.image.layer.v1.tar+$fmt\",\"application/vnd.oci.image.layer.v1.tar+$fmt\",\"application/vnd.oci.image.layer.v1.tar+$fmt\"]]" ]
		# Another root pulls it (verifying every digest and diff_id): the
		# same image, the same files.
		run_fb pull -q --tls-verify=false "$REGISTRY/c/big:$fmt"
		assert_status 0
		[ "$output" = "$(f image inspect --format '{{.Id}}' big)" ]
		[ "$(fb run --rm "$REGISTRY/c/big:$fmt" md5sum /data /seq)" = "$SUMS" ]
		fb rmi -f "$REGISTRY/c/big:$fmt" >/dev/null
	done
	# The store was not changed: its manifest is the one commit made.
	[ "$(f image inspect --format '{{.Digest}}' big)" != "$(cat "$TEST_TMP/d.gzip")" ]
	# The level is the compression's: 1 gives more bytes than 19.
	f push -q --tls-verify=false --compression-format zstd --compression-level 1 big "$REGISTRY/c/big:z1"
	f push -q --tls-verify=false --compression-format zstd --compression-level 19 big "$REGISTRY/c/big:z19"
	[ "$(verify_pushed c/big z1)" = "zstd zstd zstd " ]
	[ "$(verify_pushed c/big z19)" = "zstd zstd zstd " ]
	s1=$(registry_manifest c/big z1 | jq '.layers[2].size')
	s19=$(registry_manifest c/big z19 | jq '.layers[2].size')
	[ "$s1" -gt "$s19" ]

	need_podman
	for fmt in gzip zstd; do
		podman_t pull -q --tls-verify=false "$REGISTRY/c/big:$fmt" >/dev/null
		[ "$(podman_t run --rm --network none "$REGISTRY/c/big:$fmt" md5sum /data /seq)" = "$SUMS" ]
		[ "$(podman_t image inspect --format '{{.RootFS.Layers}}' "$REGISTRY/c/big:$fmt")" = \
			"$(f image inspect --format '{{.RootFS.Layers}}' big)" ]
	done
	# Podman's own push of the same image names the layers the same way.
	f save --format oci-archive -o "$TEST_TMP/big.tar" big
	podman_t load -q -i "$TEST_TMP/big.tar" >/dev/null
	for fmt in gzip zstd; do
		podman_t push -q --tls-verify=false --compression-format "$fmt" localhost/big:latest "$REGISTRY/p/big:$fmt"
		[ "$(verify_pushed p/big "$fmt")" = "$fmt $fmt $fmt " ]
		[ "$(media_types p/big "$fmt")" = "$(media_types c/big "$fmt")" ]
	done
}

@test "push without flags: compressed layers go as stored, an uncompressed one as gzip; a second push sends no layer again" {
	registry_start
	make_big_image
	run_ferry push -q --tls-verify=false ferry-test "$REGISTRY/d/test:1"
	assert_status 0
	[ "$(registry_tag_digest d/test 1)" = "$(archive_manifest_digest "$(ferry_test_image)")" ]
	[ "$(verify_pushed d/test 1)" = "gzip zstd " ]
	run_ferry push -q --tls-verify=false --digestfile "$TEST_TMP/d" big "$REGISTRY/d/big:1"
	assert_status 0
	[ "$(verify_pushed d/big 1)" = "gzip zstd gzip " ]
	# The base's two blobs are the very ones stored.
	[ "$(registry_manifest d/big 1 | jq -r '.layers[0:2][].digest')" = "$(archive_layer_digests "$(ferry_test_image)")" ]
	# The same bytes every time: a second push finds its layers there.
	mark=$(registry_log_mark)
	run_ferry push -q --tls-verify=false --digestfile "$TEST_TMP/d2" big "$REGISTRY/d/big:2"
	assert_status 0
	[ "$(cat "$TEST_TMP/d2")" = "$(cat "$TEST_TMP/d")" ]
	[ "$(registry_blob_uploads "$mark")" = 0 ]
	f push -q --tls-verify=false --compression-format zstd big "$REGISTRY/d/big:z1"
	mark=$(registry_log_mark)
	f push -q --tls-verify=false --compression-format zstd big "$REGISTRY/d/big:z2"
	[ "$(registry_blob_uploads "$mark")" = 0 ]
	[ "$(registry_tag_digest d/big z1)" = "$(registry_tag_digest d/big z2)" ]
	# Nothing of the work stays in the store.
	[ -z "$(find "$ROOT/storage/tmp" -mindepth 1 -name 'push-*')" ]

	need_podman
	# Podman compresses the uncompressed layer with gzip too.
	f save --format oci-archive -o "$TEST_TMP/big.tar" big
	podman_t load -q -i "$TEST_TMP/big.tar" >/dev/null
	podman_t push -q --tls-verify=false localhost/big:latest "$REGISTRY/p/big:1"
	[ "$(verify_pushed p/big 1 | cut -d' ' -f3)" = gzip ]
}

@test "--force-compression=false keeps layers compressed otherwise; the flag forces them, as Podman's" {
	registry_start
	load_test_image
	stored=$(archive_manifest_digest "$(ferry_test_image)")
	run_ferry push -q --tls-verify=false --compression-format zstd --force-compression=false ferry-test "$REGISTRY/k/t:1"
	assert_status 0
	[ "$(registry_tag_digest k/t 1)" = "$stored" ]
	[ "$(verify_pushed k/t 1)" = "gzip zstd " ]
	run_ferry push -q --tls-verify=false --compression-format zstd ferry-test "$REGISTRY/k/t:2"
	assert_status 0
	[ "$(verify_pushed k/t 2)" = "zstd zstd " ]
	# A layer already in zstd goes as it is.
	[ "$(registry_manifest k/t 2 | jq -r '.layers[1].digest')" = "$(archive_layer_digests "$(ferry_test_image)" | sed -n 2p)" ]
	run_ferry push -q --tls-verify=false --compression-format gzip --force-compression ferry-test "$REGISTRY/k/t:3"
	assert_status 0
	[ "$(verify_pushed k/t 3)" = "gzip gzip " ]
	[ "$(registry_manifest k/t 3 | jq -r '.layers[0].digest')" = "$(archive_layer_digests "$(ferry_test_image)" | sed -n 1p)" ]
	run_ferry push -q --tls-verify=false --compression-format gzip --force-compression=true ferry-test "$REGISTRY/k/t:4"
	assert_status 0
	[ "$(registry_tag_digest k/t 4)" = "$(registry_tag_digest k/t 3)" ]
	run_ferry push -q --tls-verify=false --force-compression=maybe ferry-test "$REGISTRY/k/t:5"
	assert_status 125
	assert_output_contains 'invalid argument "maybe" for "--force-compression" flag'
	# The image pulled back on another root is the same.
	run_fb pull -q --tls-verify=false "$REGISTRY/k/t:2"
	assert_status 0
	[ "$output" = "$(f image inspect --format '{{.Id}}' ferry-test)" ]
	look='cat /etc/ferry-release /opt/olddir/new; ls /opt/olddir; [ -e /etc/removed-by-layer2 ] || echo gone'
	[ "$(fb run --rm "$REGISTRY/k/t:2" sh -c "$look")" = "$(f run --rm ferry-test sh -c "$look")" ]
	[ "$(f run --rm ferry-test sh -c "$look")" = "$(printf 'ferry-test-image 1\nnew file from layer 2\nnew\ngone')" ]
}

# What each tool prints and how it exits, with the bad values and the
# schema 2 cases; $1 is the tool.
flags_sequence() {
	local t=$1 img
	img=$(test_image "$t")
	touch "$TEST_TMP/$t.sed"
	step "$t" push -q --tls-verify=false --compression-format foo "$img" "$REGISTRY/s/$t:1"
	step "$t" push -q --tls-verify=false --compression-level abc "$img" "$REGISTRY/s/$t:1"
	step "$t" push -q --tls-verify=false --compression-format zstd --format v2s2 "$img" "$REGISTRY/s/$t:1"
	step "$t" push -q --tls-verify=false --compression-format zstd --force-compression=false --format v2s2 \
		"$img" "$REGISTRY/s/$t:2"
	echo "  layers: $(registry_manifest "s/$t" 2 | jq -c '[.mediaType, [.layers[].mediaType]]')" >>"$TEST_TMP/$t.log"
	# A zstd layer in a schema 2 push: compressed anew with gzip.
	step "$t" push -q --tls-verify=false --format v2s2 "$img" "$REGISTRY/s/$t:3"
	echo "  layers: $(registry_manifest "s/$t" 3 | jq -c '[.mediaType, [.layers[].mediaType]]')" >>"$TEST_TMP/$t.log"
	step "$t" push -q --tls-verify=false --compression-format zstd --compression-level 30 "$img" "$REGISTRY/s/$t:4"
	echo "  layers: $(registry_manifest "s/$t" 4 | jq -c '[.mediaType, [.layers[].mediaType]]')" >>"$TEST_TMP/$t.log"
}

test_image() {
	if [ "$1" = podman_t ]; then echo localhost/ferry-test:latest; else echo ferry-test; fi
}

@test "bad values and Docker's schema 2 as Podman's: zstd forced into v2s2 refused, unforced gzip" {
	registry_start
	load_test_image
	flags_sequence f
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ push -q --tls-verify=false --compression-format foo ferry-test REGISTRY/s/f:1 -> 125
		  err: Error: cannot find compressor for "foo"
		$ push -q --tls-verify=false --compression-level abc ferry-test REGISTRY/s/f:1 -> 125
		  err: Error: invalid argument "abc" for "--compression-level" flag: strconv.ParseInt: parsing "abc": invalid syntax
		  err: See 'ferry push --help'
		$ push -q --tls-verify=false --compression-format zstd --format v2s2 ferry-test REGISTRY/s/f:1 -> 125
		  err: Error: cannot use --compression-format zstd with --format v2s2: Docker's schema 2 has no zstd layer type; use --format oci
		$ push -q --tls-verify=false --compression-format zstd --force-compression=false --format v2s2 ferry-test REGISTRY/s/f:2 -> 0
		  layers: ["application/vnd.docker.distribution.manifest.v2+json",["application/vnd.docker.image.rootfs.diff.tar.gzip","application/vnd.docker.image.rootfs.diff.tar.gzip"]]
		$ push -q --tls-verify=false --format v2s2 ferry-test REGISTRY/s/f:3 -> 0
		  layers: ["application/vnd.docker.distribution.manifest.v2+json",["application/vnd.docker.image.rootfs.diff.tar.gzip","application/vnd.docker.image.rootfs.diff.tar.gzip"]]
		$ push -q --tls-verify=false --compression-format zstd --compression-level 30 ferry-test REGISTRY/s/f:4 -> 0
		  layers: ["application/vnd.oci.image.manifest.v1+json",["application/vnd.oci.image.layer.v1.tar+zstd","application/vnd.oci.image.layer.v1.tar+zstd"]]
	EOF
	sed -i "s#$REGISTRY#REGISTRY#g" "$TEST_TMP/f.log"
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	for tag in 2 3 4; do verify_pushed s/f "$tag" >/dev/null; done

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	flags_sequence podman_t
	# Only the exit codes and the first words of the errors: Podman's
	# words for a forced zstd in v2s2 are containers/image's own.
	mask() {
		sed -e "s#$REGISTRY#REGISTRY#g; s#/s/podman_t:#/s/f:#; s#localhost/ferry-test:latest#ferry-test#; s#podman push --help#ferry push --help#" \
			-e 's/^\(  err: Error: [a-z]* [a-z]*\).*/\1/' "$1"
	}
	diff -u <(mask "$TEST_TMP/podman_t.log") <(mask "$TEST_TMP/f.log")
}

@test "zstd:chunked: refused with the fix, nothing pushed; gzip levels past 9 refused before anything is sent" {
	registry_start
	load_test_image
	mark=$(registry_log_mark)
	run_ferry push --tls-verify=false --compression-format zstd:chunked ferry-test "$REGISTRY/zc/t:1"
	assert_status 125
	assert_one_line_error
	assert_output_contains "use --compression-format zstd"
	run_ferry push --tls-verify=false --compression-format gzip --compression-level 10 ferry-test "$REGISTRY/zc/t:1"
	assert_status 125
	assert_one_line_error
	assert_output_contains "gzip: invalid compression level: 10"
	run_ferry push --tls-verify=false --compression-level 99999999999 ferry-test "$REGISTRY/zc/t:1"
	assert_status 125
	assert_output_contains "value out of range"
	[ "$(registry_requests "$mark" | grep -c .)" = 0 ]
}

@test "containers.conf compression_format and compression_level: push's defaults, not forced; zstd:chunked there is zstd" {
	registry_start
	make_big_image
	printf '[engine]\ncompression_format = "zstd"\ncompression_level = 19\n' >"$CONTAINERS_CONF"
	run_ferry push -q --tls-verify=false big "$REGISTRY/cc/big:1"
	assert_status 0
	# The uncompressed layer in zstd; the stored gzip one kept, as the
	# setting does not force.
	[ "$(verify_pushed cc/big 1)" = "gzip zstd zstd " ]
	f push -q --tls-verify=false --compression-level 1 big "$REGISTRY/cc/big:2"
	[ "$(registry_manifest cc/big 2 | jq '.layers[2].size')" -gt "$(registry_manifest cc/big 1 | jq '.layers[2].size')" ]
	# The command line wins (the level applies to any format, as
	# Podman's: gzip would refuse 19).
	f push -q --tls-verify=false --compression-format gzip --compression-level 9 big "$REGISTRY/cc/big:3"
	[ "$(verify_pushed cc/big 3)" = "gzip gzip gzip " ]

	printf '[engine]\ncompression_format = "zstd:chunked"\n' >"$CONTAINERS_CONF"
	run_ferry push -q --tls-verify=false big "$REGISTRY/cc/big:4"
	assert_status 0
	assert_output_contains 'level=warning msg="containers.conf'"'"'s compression_format zstd:chunked is written as zstd'
	[ "$(verify_pushed cc/big 4)" = "gzip zstd zstd " ]

	printf '[engine]\ncompression_format = "lz4"\n' >"$CONTAINERS_CONF"
	run_ferry push -q --tls-verify=false big "$REGISTRY/cc/big:5"
	assert_status 125
	assert_one_line_error
	assert_output_contains 'containers.conf: compression_format: cannot find compressor for "lz4"'
	printf '[engine]\ncompression_level = "high"\n' >"$CONTAINERS_CONF"
	run_ferry push -q --tls-verify=false big "$REGISTRY/cc/big:5"
	assert_status 125
	assert_output_contains "compression_level"

	need_podman
	printf '[engine]\ncompression_format = "zstd"\n' >"$CONTAINERS_CONF"
	f save --format oci-archive -o "$TEST_TMP/big.tar" big
	podman_t load -q -i "$TEST_TMP/big.tar" >/dev/null
	podman_t push -q --tls-verify=false localhost/big:latest "$REGISTRY/pc/big:1"
	[ "$(verify_pushed pc/big 1 | cut -d' ' -f3)" = zstd ]
}

@test "push --compression-format: a damaged stored layer is refused, nothing is pushed and no work stays" {
	registry_start
	make_big_image
	top=$(f image inspect --format '{{json .}}' big | jq -r '.RootFS.Layers[2]')
	m=$(f image inspect --format '{{.Digest}}' big)
	# The committed layer's blob, stored uncompressed (so named by its
	# diff_id): one byte changed.
	path=$ROOT/storage/blobs/${top#sha256:}
	[ -f "$path" ]
	printf 'X' | dd of="$path" bs=1 seek=700 conv=notrunc status=none
	mark=$(registry_log_mark)
	run_ferry push -q --tls-verify=false --retry 0 --compression-format zstd big "$REGISTRY/bad/big:1"
	assert_status 125
	assert_one_line_error
	assert_output_contains "the image store is damaged"
	[ "$(registry_requests "$mark" | grep -c '/manifests/')" = 0 ]
	[ -z "$(find "$ROOT/storage/tmp" -mindepth 1 -name 'push-*')" ]
	[ "$(f image inspect --format '{{.Digest}}' big)" = "$m" ]
}

@test "push killed while it compresses: the next ferry command removes its work, the store is as before" {
	load_test_image
	# 24 MB of text at zstd's slowest level: seconds of work to kill.
	f run --name mk ferry-test sh -c 'seq 1 3500000 >/seq' >/dev/null
	f commit -q mk slow >/dev/null
	f rm mk >/dev/null
	m=$(f image inspect --format '{{.Digest}}' slow)
	# Nothing listens there: the compression comes before any request.
	"$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" push -q --tls-verify=false --retry 0 \
		--compression-format zstd --compression-level 22 slow "127.0.0.1:$(free_port)/x/slow:1" \
		>/dev/null 2>&1 &
	pid=$!
	wait_until '[ -n "$(find "$ROOT/storage/tmp" -mindepth 2 -type f -path "*/push-*" -size +0)" ]' 60
	kill -9 "$pid"
	wait "$pid" || true
	[ -n "$(find "$ROOT/storage/tmp" -mindepth 1 -name 'push-*')" ]
	f images -q >/dev/null
	[ -z "$(find "$ROOT/storage/tmp" -mindepth 1 -name 'push-*')" ]
	[ "$(f image inspect --format '{{.Digest}}' slow)" = "$m" ]
	[ "$(f run --rm slow sh -c 'wc -l </seq')" = 3500000 ]
}
