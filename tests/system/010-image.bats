#!/usr/bin/env bats
# Images: load, import, images, inspect, exists, rm, and every bad input of a
# load leaving the store as it was.

load helpers

# Asserts storage/blobs holds one file per layer_blobs row, each named by its
# own sha256: what a push sends is what the manifest names.
assert_blobs_stored() {
	local f d n rows
	for f in "$ROOT"/storage/blobs/*; do
		[ -e "$f" ] || continue
		[ "$(sha256sum "$f" | cut -d' ' -f1)" = "$(basename "$f")" ] || { echo "blob $f does not hash to its name" >&2; return 1; }
	done
	for d in $(sqlite3 "$ROOT/ferry.db" 'SELECT blob_digest FROM layer_blobs'); do
		[ -f "$ROOT/storage/blobs/${d#sha256:}" ] || { echo "no blob file for $d" >&2; return 1; }
	done
	n=$(find "$ROOT/storage/blobs" -mindepth 1 | wc -l)
	rows=$(sqlite3 "$ROOT/ferry.db" 'SELECT COUNT(*) FROM layer_blobs')
	[ "$n" -eq "$rows" ] || { echo "$n blob files for $rows layer_blobs rows: $(ls "$ROOT/storage/blobs")" >&2; return 1; }
}

# The layer blob digests the stored manifest of image $1 names.
manifest_layers() {
	sqlite3 "$ROOT/ferry.db" "SELECT manifest FROM images WHERE id = '$(f image inspect --format '{{.Id}}' "$1")'" |
		jq -r '.layers[].digest'
}

# Makes OCI archive $1 named $2: the test image's bottom layer under a new
# top layer (an uncompressed tar holding /etc/$3).
make_image_sharing_bottom_layer() {
	local l=$TEST_TMP/share-$3 d c s cs config
	oci_unpack "$(ferry_test_image)" "$l"
	mkdir -p "$l.top/etc"
	echo "$3" >"$l.top/etc/$3"
	tar -C "$l.top" -cf "$l.top.tar" .
	d=$(oci_add_blob "$l" "$l.top.tar")
	config=$(jq -r '.config.digest' "$(oci_blob_path "$l" "$(oci_manifest_digest "$l")")")
	jq -c --arg d "$d" '.rootfs.diff_ids[1] = $d' "$(oci_blob_path "$l" "$config")" >"$l.config.json"
	c=$(oci_add_blob "$l" "$l.config.json")
	s=$(stat -c %s "$l.top.tar")
	cs=$(stat -c %s "$l.config.json")
	oci_edit_manifest "$l" ".layers[1] = {\"mediaType\": \"application/vnd.oci.image.layer.v1.tar\", \"digest\": \"$d\", \"size\": $s} | .config.digest = \"$c\" | .config.size = $cs"
	jq -c --arg n "$2" '.manifests[0].annotations["org.opencontainers.image.ref.name"] = $n' "$l/index.json" >"$l.index.json"
	mv "$l.index.json" "$l/index.json"
	oci_pack "$l" "$1"
}

@test "load: an OCI archive with two layers and a whiteout" {
	run_ferry load -q -i "$(ferry_test_image)"
	assert_status 0
	[ "$output" = "Loaded image: localhost/ferry-test:latest" ]

	run_ferry images --format '{{.Names}} {{.Size}}'
	assert_status 0
	assert_output_contains '[localhost/ferry-test:latest]'

	# The two layers are unpacked once each; layer 2's OCI whiteout became an
	# overlay whiteout (0:0 character device) and its opaque dir an xattr.
	[ "$(ls "$ROOT/storage/layers" | wc -l)" -eq 2 ]
	run find "$ROOT/storage/layers" -name removed-by-layer2 -type c
	[ "$(echo "$output" | grep -c .)" -eq 1 ]
	run sh -c "getfattr --absolute-names -n trusted.overlay.opaque --only-values $ROOT/storage/layers/*/opt/olddir 2>/dev/null"
	[ "$output" = "y" ]
	[ -x "$(ls -d "$ROOT"/storage/layers/*/bin | head -n1)/busybox" ]

	# Each layer blob is kept byte for byte as the archive has it.
	assert_blobs_stored
	[ "$(ls "$ROOT/storage/blobs" | wc -l)" -eq 2 ]
	oci_unpack "$(ferry_test_image)" "$TEST_TMP/l"
	for d in $(manifest_layers ferry-test); do
		cmp "$(oci_blob_path "$TEST_TMP/l" "$d")" "$ROOT/storage/blobs/${d#sha256:}"
	done
	[ -z "$(ls "$ROOT/storage/tmp")" ]
}

@test "load: a docker-archive, and the same image twice shares its layers" {
	run_ferry load -q -i "$(ferry_test_docker_image)"
	assert_status 0
	assert_output_contains "Loaded image: localhost/ferry-test:latest"
	id1=$(f image inspect --format '{{.Id}}' ferry-test)
	# The manifest ferry writes for a docker-archive names each layer tar as
	# the archive has it, and that is the blob kept.
	assert_blobs_stored
	[ "$(manifest_layers ferry-test | wc -l)" -eq 2 ]
	for d in $(manifest_layers ferry-test); do
		[ -f "$ROOT/storage/blobs/${d#sha256:}" ]
	done

	run_ferry load -q -i "$(ferry_test_image)"
	assert_status 0
	id2=$(f image inspect --format '{{.Id}}' ferry-test)
	# Same config, so same image ID, and no layer stored twice.
	[ "$id1" = "$id2" ]
	[ "$(ls "$ROOT/storage/layers" | wc -l)" -eq 2 ]
	[ "$(f images -q | wc -l)" -eq 1 ]
	# The OCI archive compresses its layers: two more blobs of the same two
	# layers, and the image keeps the manifest it was first stored with.
	assert_blobs_stored
	[ "$(ls "$ROOT/storage/blobs" | wc -l)" -eq 4 ]
	for d in $(manifest_layers ferry-test); do
		[ -f "$ROOT/storage/blobs/${d#sha256:}" ]
	done
	f rmi ferry-test >/dev/null
	assert_store_empty
}

@test "load: a store without blob files (from an older ferry) gets them on the next load" {
	f load -q -i "$(ferry_test_image)"
	rm "$ROOT"/storage/blobs/*
	run_ferry load -q -i "$(ferry_test_image)"
	assert_status 0
	assert_blobs_stored
	[ "$(ls "$ROOT/storage/blobs" | wc -l)" -eq 2 ]
}

@test "load: a failed store removes the blobs it linked; an orphaned blob is replaced" {
	oci_unpack "$(ferry_test_image)" "$TEST_TMP/l"
	manifest=$(oci_blob_path "$TEST_TMP/l" "$(oci_manifest_digest "$TEST_TMP/l")")
	bottom=$(jq -r '.layers[0].digest' "$manifest")
	top=$(jq -r '.layers[1].digest' "$manifest")
	mkdir -p "$ROOT/storage/blobs"
	# An orphan under the top blob's name that cannot be replaced: the
	# bottom blob, already linked, must go again.
	echo garbage >"$ROOT/storage/blobs/${top#sha256:}"
	chattr +i "$ROOT/storage/blobs/${top#sha256:}" 2>/dev/null || skip "no chattr on this file system"
	run_ferry load -q -i "$(ferry_test_image)"
	chattr -i "$ROOT/storage/blobs/${top#sha256:}"
	assert_status 125
	assert_one_line_error
	assert_output_contains "orphaned blob"
	[ "$(ls "$ROOT/storage/blobs")" = "${top#sha256:}" ]
	[ ! -e "$ROOT/storage/blobs/${bottom#sha256:}" ]
	[ -z "$(ls "$ROOT/storage/layers")" ]
	# Once it can be, the orphan is replaced by the real blob.
	run_ferry load -q -i "$(ferry_test_image)"
	assert_status 0
	assert_blobs_stored
	cmp "$(oci_blob_path "$TEST_TMP/l" "$top")" "$ROOT/storage/blobs/${top#sha256:}"
}

@test "load: a gzip- and a zstd-compressed archive, from a file and from stdin" {
	gzip -c "$(ferry_test_image)" >"$TEST_TMP/img.tar.gz"
	zstd -q -c "$(ferry_test_image)" >"$TEST_TMP/img.tar.zst"
	run_ferry load -q -i "$TEST_TMP/img.tar.gz"
	assert_status 0
	f rmi ferry-test >/dev/null
	run_ferry load -q -i "$TEST_TMP/img.tar.zst"
	assert_status 0
	f rmi ferry-test >/dev/null
	run sh -c "'$FERRY_BIN' --root '$ROOT' --runroot '$RUNROOT' load < '$TEST_TMP/img.tar.zst'"
	assert_status 0
	assert_output_contains "Loaded image: localhost/ferry-test:latest"
	f image exists localhost/ferry-test:latest
}

@test "images: table, quiet, no-trunc and json" {
	f load -q -i "$(ferry_test_image)"
	id=$(f image inspect --format '{{.Id}}' ferry-test)

	run_ferry images
	assert_status 0
	[ "$(echo "$output" | head -n1 | tr -s ' ')" = "REPOSITORY TAG IMAGE ID CREATED SIZE" ]
	[[ "$(echo "$output" | sed -n 2p)" == "localhost/ferry-test  latest      ${id:0:12}  56 years ago  "* ]]

	run_ferry images -q
	[ "$output" = "${id:0:12}" ]
	run_ferry images -q --no-trunc
	[ "$output" = "sha256:$id" ]

	run_ferry images --format json
	assert_status 0
	[ "$(echo "$output" | jq -r '.[0].Id')" = "$id" ]
	[ "$(echo "$output" | jq -r '.[0].Names[0]')" = "localhost/ferry-test:latest" ]
	[ "$(echo "$output" | jq -r '.[0].Size')" -gt 1000000 ]
	[ "$(echo "$output" | jq -r '.[0].Digest')" = "$(f image inspect --format '{{.Digest}}' ferry-test)" ]
}

@test "image inspect: JSON and Go templates" {
	f load -q -i "$(ferry_test_image)"
	run_ferry image inspect ferry-test
	assert_status 0
	[ "$(echo "$output" | jq -r '.[0].Config.Cmd[0]')" = "/bin/sh" ]
	[ "$(echo "$output" | jq -r '.[0].RootFS.Layers | length')" = 2 ]
	[ "$(echo "$output" | jq -r '.[0].Architecture')" = amd64 ]

	run_ferry image inspect --format '{{.Config.WorkingDir}}|{{json .Config.Cmd}}|{{index .RepoTags 0}}' ferry-test
	assert_status 0
	[ "$output" = '/|["/bin/sh"]|localhost/ferry-test:latest' ]

	# By full ID, short ID and sha256: prefix, the same image.
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	[ "$(f image inspect --format '{{.Id}}' "$id")" = "$id" ]
	[ "$(f image inspect --format '{{.Id}}' "${id:0:12}")" = "$id" ]
	[ "$(f image inspect --format '{{.Id}}' "sha256:$id")" = "$id" ]

	run_ferry image inspect --format '{{.NoSuchField}}' ferry-test
	assert_status 125
	assert_output_contains "NoSuchField"

	run_ferry image inspect no-such-image
	assert_status 125
	# As Podman: an empty list on stdout, then the error.
	[ "$(printf '%s\n' "$output" | grep -cx '\[\]')" = 1 ]
	output=$(printf '%s\n' "$output" | grep -vx '\[\]')
	assert_one_line_error
	assert_output_contains "no-such-image: image not known"
}

@test "image exists: 0 for a stored image, 1 otherwise" {
	f load -q -i "$(ferry_test_image)"
	run_ferry image exists ferry-test
	assert_status 0
	[ -z "$output" ]
	run_ferry image exists localhost/ferry-test:latest
	assert_status 0
	run_ferry image exists ferry-test:other
	assert_status 1
	run_ferry image exists busybox
	assert_status 1
}

@test "image rm: removes the image and its layers; unknown image exits 1" {
	f load -q -i "$(ferry_test_image)"
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	run_ferry image rm ferry-test
	assert_status 0
	[ "$output" = "$(printf 'Untagged: localhost/ferry-test:latest\nDeleted: %s' "$id")" ]
	assert_store_empty

	run_ferry rmi ferry-test
	assert_status 1
	assert_one_line_error
	assert_output_contains "ferry-test: image not known"
}

@test "image rm: a second name only untags; by ID with two names needs -f" {
	f load -q -i "$(ferry_test_image)"
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	f load -q -i "$(ferry_test_docker_image)"
	"$FERRY_SRC/tests/lib/build-test-image.sh" "$TEST_TMP/other.tar" localhost/other:v1 >/dev/null
	f load -q -i "$TEST_TMP/other.tar"
	[ "$(f image inspect --format '{{len}}' other:v1 2>/dev/null || true)" = "" ]
	[ "$(f image inspect --format '{{.Id}}' other:v1)" = "$id" ]

	run_ferry rmi "$id"
	assert_status 125
	assert_one_line_error
	assert_output_contains "more than one name"
	f image exists other:v1

	run_ferry rmi other:v1
	assert_status 0
	[ "$output" = "Untagged: localhost/other:v1" ]
	f image exists ferry-test
	run_ferry image exists other:v1
	assert_status 1

	f load -q -i "$TEST_TMP/other.tar"
	run_ferry rmi -f "$id"
	assert_status 0
	assert_output_contains "Deleted: $id"
	assert_store_empty
}

@test "image rm: a layer another image shares keeps its blob" {
	make_image_sharing_bottom_layer "$TEST_TMP/a.tar" localhost/a:1 a
	make_image_sharing_bottom_layer "$TEST_TMP/b.tar" localhost/b:1 b
	f load -q -i "$TEST_TMP/a.tar"
	f load -q -i "$TEST_TMP/b.tar"
	bottom=$(manifest_layers a:1 | head -n1)
	[ "$(manifest_layers b:1 | head -n1)" = "$bottom" ]
	a_top=$(manifest_layers a:1 | tail -n1)
	assert_blobs_stored
	[ "$(ls "$ROOT/storage/blobs" | wc -l)" -eq 3 ]
	# Where a registry holds the blobs goes with the last image that has them.
	sqlite3 "$ROOT/ferry.db" "INSERT INTO blob_locations VALUES ('$bottom', 'r.example', 'x'), ('$a_top', 'r.example', 'x')"

	f rmi a:1 >/dev/null
	assert_blobs_stored
	[ "$(ls "$ROOT/storage/blobs" | wc -l)" -eq 2 ]
	[ -f "$ROOT/storage/blobs/${bottom#sha256:}" ]
	[ ! -e "$ROOT/storage/blobs/${a_top#sha256:}" ]
	[ "$(sqlite3 "$ROOT/ferry.db" 'SELECT blob_digest FROM blob_locations')" = "$bottom" ]
	[ "$(ls "$ROOT/storage/layers" | wc -l)" -eq 2 ]

	f rmi b:1 >/dev/null
	assert_store_empty
}

@test "import: a rootfs tarball becomes a one-layer image; gzip and stdin too" {
	mkdir -p "$TEST_TMP/rootfs/bin" "$TEST_TMP/rootfs/etc"
	cp /bin/busybox "$TEST_TMP/rootfs/bin/busybox"
	ln -s busybox "$TEST_TMP/rootfs/bin/sh"
	echo imported >"$TEST_TMP/rootfs/etc/motd"
	tar -C "$TEST_TMP/rootfs" -cf "$TEST_TMP/rootfs.tar" .
	gzip -c "$TEST_TMP/rootfs.tar" >"$TEST_TMP/rootfs.tar.gz"

	run_ferry import -q "$TEST_TMP/rootfs.tar" myroot:v1
	assert_status 0
	[[ "$output" == sha256:* ]]
	id=${output#sha256:}
	[ "$(f image inspect --format '{{.Id}}' localhost/myroot:v1)" = "$id" ]
	[ "$(f image inspect --format '{{json .RootFS.Layers}}' myroot:v1)" = "[\"sha256:$(sha256sum "$TEST_TMP/rootfs.tar" | cut -d' ' -f1)\"]" ]
	layer=$ROOT/storage/layers/$(sha256sum "$TEST_TMP/rootfs.tar" | cut -d' ' -f1)
	[ "$(cat "$layer/etc/motd")" = imported ]
	[ "$(readlink "$layer/bin/sh")" = busybox ]

	# The tarball itself is the layer's blob, as given.
	cmp "$TEST_TMP/rootfs.tar" "$ROOT/storage/blobs/$(sha256sum "$TEST_TMP/rootfs.tar" | cut -d' ' -f1)"

	run_ferry import -q "$TEST_TMP/rootfs.tar.gz" myroot:gz
	assert_status 0
	# Same content, same layer: still one layer directory, but two blobs.
	[ "$(ls "$ROOT/storage/layers" | wc -l)" -eq 1 ]
	[ "$(manifest_layers myroot:gz)" = "sha256:$(sha256sum "$TEST_TMP/rootfs.tar.gz" | cut -d' ' -f1)" ]
	cmp "$TEST_TMP/rootfs.tar.gz" "$ROOT/storage/blobs/$(sha256sum "$TEST_TMP/rootfs.tar.gz" | cut -d' ' -f1)"

	run sh -c "'$FERRY_BIN' --root '$ROOT' --runroot '$RUNROOT' import - fromstdin < '$TEST_TMP/rootfs.tar'"
	assert_status 0
	f image exists localhost/fromstdin:latest
	# A compressed stream on standard input is recorded as what it is.
	run sh -c "zstd -q -c '$TEST_TMP/rootfs.tar' | '$FERRY_BIN' --root '$ROOT' --runroot '$RUNROOT' import - zstdin"
	assert_status 0
	[ "$(sqlite3 "$ROOT/ferry.db" "SELECT media_type FROM layer_blobs WHERE media_type LIKE '%zstd'")" = application/vnd.oci.image.layer.v1.tar+zstd ]
	zstd -q -c "$TEST_TMP/rootfs.tar" | cmp - "$ROOT/storage/blobs/$(manifest_layers zstdin | cut -d: -f2)"
	assert_blobs_stored
	[ "$(ls "$ROOT/storage/blobs" | wc -l)" -eq 3 ]
	[ -z "$(ls "$ROOT/storage/tmp")" ]

	: >"$TEST_TMP/empty.tar"
	run_ferry import -q "$TEST_TMP/empty.tar" empty
	assert_status 125
	assert_one_line_error
	assert_output_contains "holds no files"
	run_ferry image exists empty
	assert_status 1

	run_ferry import -q "$TEST_TMP/missing.tar" x
	assert_status 125
	assert_one_line_error
	assert_output_contains "missing.tar"
	[ "$(ls "$ROOT/storage/blobs" | wc -l)" -eq 3 ]
	[ -z "$(ls "$ROOT/storage/tmp")" ]

	f rmi myroot:v1 myroot:gz fromstdin zstdin >/dev/null
	assert_store_empty
}

@test "roots: two roots on one machine are two independent hosts" {
	f load -q -i "$(ferry_test_image)"
	run "$FERRY_BIN" --root "$TEST_TMP/other-root" --runroot "$TEST_TMP/other-run" images -q
	assert_status 0
	[ -z "$output" ]
	FERRY_ROOT=$TEST_TMP/other-root run "$FERRY_BIN" image exists ferry-test
	assert_status 1
	FERRY_ROOT=$ROOT run "$FERRY_BIN" image exists ferry-test
	assert_status 0
	# The command's own --root wins over the environment, wherever it is given.
	FERRY_ROOT=$TEST_TMP/other-root run "$FERRY_BIN" images --root "$ROOT" -q
	[ -n "$output" ]
}

@test "state: 20 ferry processes changing one root at once leave it consistent" {
	mkdir -p "$TEST_TMP/rootfs/etc"
	pids=()
	for i in $(seq 1 20); do
		echo "$i" >"$TEST_TMP/rootfs/etc/n"
		tar -C "$TEST_TMP/rootfs" -cf "$TEST_TMP/r$i.tar" .
	done
	for i in $(seq 1 20); do
		if [ $((i % 4)) -eq 0 ]; then
			f load -q -i "$(ferry_test_image)" &
		else
			f import -q "$TEST_TMP/r$i.tar" "img$i" &
		fi
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	[ "$(f images -q | wc -l)" -eq 16 ]
	for i in $(seq 1 20); do
		[ $((i % 4)) -eq 0 ] && continue
		f image exists "img$i"
	done
	[ "$(sqlite3 "$ROOT/ferry.db" 'PRAGMA integrity_check')" = ok ]
	# Every layer row has its directory and every directory its row; so with
	# blobs.
	[ "$(sqlite3 "$ROOT/ferry.db" 'SELECT COUNT(*) FROM layers')" -eq "$(ls "$ROOT/storage/layers" | wc -l)" ]
	assert_blobs_stored
	[ -z "$(ls "$ROOT/storage/tmp")" ]
	# Remove them all at once, then nothing is left.
	pids=()
	for id in $(f images -q); do
		f rmi -f "$id" >/dev/null &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	assert_store_empty
}

@test "load: archives written by skopeo (docker-archive, and OCI with zstd layers)" {
	skopeo copy -q "oci-archive:$(ferry_test_image)" "docker-archive:$TEST_TMP/d.tar:docker.io/library/skotest:1"
	skopeo copy -q --dest-compress-format zstd "oci-archive:$(ferry_test_image)" "oci-archive:$TEST_TMP/o.tar:quay.io/x/skotest:2"
	run_ferry load -q -i "$TEST_TMP/d.tar"
	assert_status 0
	[ "$output" = "Loaded image: docker.io/library/skotest:1" ]
	run_ferry load -q -i "$TEST_TMP/o.tar"
	assert_status 0
	[ "$output" = "Loaded image: quay.io/x/skotest:2" ]
	# One image (same config) under two names; short names resolve as Podman's do.
	[ "$(f images -q | wc -l)" -eq 1 ]
	[ "$(f image inspect --format '{{.Id}}' skotest:1)" = "$(f image inspect --format '{{.Id}}' quay.io/x/skotest:2)" ]
}

@test "image prune: dangling images go, named or used ones stay; -a takes every unused one; it asks first" {
	load_test_image
	mkdir -p "$TEST_TMP/tree"
	echo hi >"$TEST_TMP/tree/file"
	tar -C "$TEST_TMP/tree" -cf "$TEST_TMP/other.tar" .
	other=$(f import "$TEST_TMP/other.tar" other)
	other=${other#sha256:}
	f untag other
	run_ferry image prune </dev/null
	assert_status 125
	assert_output_contains "Are you sure you want to continue? [y/N]"
	f image exists "$other"
	run bash -c "echo n | '$FERRY_BIN' --root '$ROOT' --runroot '$RUNROOT' image prune"
	assert_status 0
	f image exists "$other"
	run_ferry image prune -f
	assert_status 0
	[ "$output" = "$other" ]
	! f image exists "$other" || false
	f image exists ferry-test
	f create --name user ferry-test true >/dev/null
	run_ferry image prune -a -f
	assert_status 0
	[ -z "$output" ]
	f image exists ferry-test
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	f rm user >/dev/null
	run_ferry image prune -a -f
	assert_status 0
	[ "$output" = "$id" ]
	! f image exists ferry-test || false
}
