#!/usr/bin/env bats
# Checkpoint images: checkpoint --create-image makes an OCI image whose one
# layer is the checkpoint archive; restore IMAGE brings the container back
# from it, here or (through a real registry) on another root.

load helpers
load ../lib/registry

bats_require_minimum_version 1.5.0

@test "--create-image: an image that restores the counter, lists, inspects, refuses to run and goes with rmi" {
	load_test_image
	f run -d --name c -v vol:/data ferry-test sh -c "echo vol > /data/v; echo changed > /etc/motd2; $COUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 3 ]'
	run_ferry container checkpoint --create-image c-ckpt:v1 c
	assert_status 0
	[ "$output" = c ]
	[ "$(ctr_status c)" = exited ]
	f images | grep -q '^localhost/c-ckpt  *v1 ' 
	[ "$(f image inspect --format '{{index .Annotations "io.podman.annotations.checkpoint.name"}}' c-ckpt:v1)" = c ]
	[ "$(f image inspect --format '{{index .Annotations "io.kubernetes.cri-o.annotations.checkpoint.name"}}' c-ckpt:v1)" = c ]
	[ "$(f image inspect --format '{{index .Annotations "io.podman.annotations.checkpoint.runtime.name"}}' c-ckpt:v1)" = runc ]
	# Nothing of the archive is left beside the store.
	[ -z "$(ls -A "$ROOT/storage/tmp")" ]
	# The layer is the archive, kept as its blob: never unpacked.
	layer=$(f image inspect --format '{{index .RootFS.Layers 0}}' c-ckpt:v1)
	[ ! -e "$ROOT/storage/layers/${layer#sha256:}" ]
	run_ferry run --rm c-ckpt:v1 true
	assert_status 125
	assert_one_line_error
	assert_output_contains "is a checkpoint image"
	assert_output_contains "ferry container restore c-ckpt:v1"
	# A container of the name goes first; once it is gone, the image.
	f rm c >/dev/null
	f volume rm vol >/dev/null
	run_ferry container restore c-ckpt:v1
	assert_status 0
	[ "$(ctr_status c)" = running ]
	n=$(last_count c)
	wait_until "[ \"\$(last_count c)\" -ge $((n + 2)) ]"
	assert_counts_on c
	[ "$(f exec c cat /data/v /etc/motd2)" = "vol
changed" ]
	# A copy beside it, from the same image.
	run_ferry container restore --name c2 --ignore-volumes c-ckpt:v1
	assert_status 0
	[ "$(ctr_status c2)" = running ]
	run_ferry rmi c-ckpt:v1
	assert_status 0
	[ "$(ctr_status c)" = running ]
	run_ferry container restore c-ckpt:v1
	assert_status 125
	assert_one_line_error
}

@test "a checkpoint image through a registry: pushed, pulled on another root, three copies restored" {
	registry_start
	load_test_image
	f run -d --name c ferry-test sh -c "echo changed > /etc/motd2; $COUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 3 ]'
	f container checkpoint -R --create-image c-ckpt c >/dev/null
	[ "$(ctr_status c)" = running ]
	run_ferry push --tls-verify=false c-ckpt "$REGISTRY/ckpt/c:v1"
	assert_status 0
	fb load -q -i "$(ferry_test_image)"
	# Not stored on root B: restore pulls it first (--pull missing), as run.
	run_fb container restore --pull never --name copy1 "$REGISTRY/ckpt/c:v1"
	assert_status 125
	assert_output_contains "--name can only be used with image or --import"
	run_fb container restore --pull never "$REGISTRY/ckpt/c:v1"
	assert_status 125
	assert_output_contains "no such container or image: $REGISTRY/ckpt/c:v1"
	for i in 1 2 3; do
		run_fb container restore --tls-verify=false --name "copy$i" "$REGISTRY/ckpt/c:v1"
		assert_status 0
	done
	# Byte for byte: the same manifest on both roots.
	[ "$(fb image inspect --format '{{.Digest}}' "$REGISTRY/ckpt/c:v1")" = "$(f image inspect --format '{{.Digest}}' c-ckpt)" ]
	# Verified on the way in, and kept as the blob: not unpacked.
	layer=$(fb image inspect --format '{{index .RootFS.Layers 0}}' "$REGISTRY/ckpt/c:v1")
	[ ! -e "$TEST_TMP/rootB/storage/layers/${layer#sha256:}" ]
	for i in 1 2 3; do
		[ "$(fb inspect --format '{{.State.Status}}' "copy$i")" = running ]
		n=$(last_count "copy$i" fb)
		wait_until "[ \"\$(last_count copy$i fb)\" -ge $((n + 2)) ]"
		[ "$(fb exec "copy$i" cat /etc/motd2)" = changed ]
	done
}

@test "an ordinary image of a checkpoint image's blob unpacks the layer, and each image goes alone" {
	load_test_image
	f run -d --name c ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 2 ]'
	ls "$ROOT/storage/blobs" | sort >"$TEST_TMP/blobs.before"
	f container checkpoint -R --create-image c-ckpt c >/dev/null
	blob=$(ls "$ROOT/storage/blobs" | sort | comm -13 "$TEST_TMP/blobs.before" -)
	[ -n "$blob" ] && [ "$(echo "$blob" | wc -l)" = 1 ]
	layer=$(f image inspect --format '{{index .RootFS.Layers 0}}' c-ckpt)
	dir=$ROOT/storage/layers/${layer#sha256:}
	[ ! -e "$dir" ]
	# The same bytes imported as a root file system tarball: the same
	# layer, which this image needs unpacked.
	cp "$ROOT/storage/blobs/$blob" "$TEST_TMP/archive"
	f import -q "$TEST_TMP/archive" plain-of-ckpt >/dev/null
	[ "$(f image inspect --format '{{index .RootFS.Layers 0}}' plain-of-ckpt)" = "$layer" ]
	[ -f "$dir/manifest.json" ]
	run_ferry rmi c-ckpt
	assert_status 0
	[ -f "$dir/manifest.json" ]
	[ -f "$ROOT/storage/blobs/$blob" ]
	# Made again beside the unpacked one: restored from its blob.
	f container checkpoint --create-image c-ckpt c >/dev/null
	f rm c >/dev/null
	run_ferry container restore c-ckpt
	assert_status 0
	n=$(last_count c)
	wait_until "[ \"\$(last_count c)\" -ge $((n + 2)) ]"
	f rmi c-ckpt >/dev/null
	run_ferry rmi plain-of-ckpt
	assert_status 0
	[ ! -e "$dir" ]
	[ ! -e "$ROOT/storage/blobs/$blob" ]
}

@test "a checkpoint image whose archive changed in the store restores nothing" {
	load_test_image
	f run -d --name c ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 2 ]'
	f container checkpoint -R -c none --create-image c-ckpt c >/dev/null
	# The layer's blob (the archive, uncompressed: its digest is the diff
	# ID) changed: its own manifest catches it before anything is made.
	layer=$(f image inspect --format '{{index .RootFS.Layers 0}}' c-ckpt)
	file=$ROOT/storage/blobs/${layer#sha256:}
	[ -f "$file" ]
	printf 'x' | dd of="$file" bs=1 seek=20000 conv=notrunc status=none
	run_ferry container restore --name other c-ckpt
	assert_status 125
	assert_one_line_error
	assert_output_contains "checkpoint image c-ckpt"
	[ "$(f ps -a -q | wc -l)" = 1 ]
	[ -z "$(ls -A "$RUNROOT/checkpoints" 2>/dev/null)" ]
}

@test "--create-image killed before the image is whole settles back by itself: the container runs on, nothing is left" {
	load_test_image
	f run -d --name c ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 2 ]'
	for point in checkpoint-frozen checkpoint-sealed; do
		run env FERRY_FAULT=$point "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
			container checkpoint --create-image c-ckpt c
		[ "$status" -eq 137 ]
		f ps -a >/dev/null
		[ "$(ctr_status c)" = running ]
		n=$(last_count c)
		wait_until "[ \"\$(last_count c)\" -ge $((n + 2)) ]"
		! f image inspect c-ckpt >/dev/null 2>&1 || false
		[ -z "$(ls -A "$ROOT/storage/tmp")" ]
		[ -z "$(ls -A "$ROOT/checkpoint-images")" ]
		[ -z "$(ls -A "$RUNROOT/checkpoints" 2>/dev/null)" ]
	done
	assert_counts_on c
	# Killed with the image whole but the archive's name not yet gone: the
	# container runs on, and the image (whole) stays.
	run env FERRY_FAULT=checkpoint-image-made "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" \
		container checkpoint --create-image c-ckpt c
	[ "$status" -eq 137 ]
	f ps -a >/dev/null
	[ "$(ctr_status c)" = running ]
	f image inspect c-ckpt >/dev/null
	[ -z "$(ls -A "$ROOT/checkpoint-images")" ]
	f rmi c-ckpt >/dev/null
	# Afterwards it works as if nothing had happened.
	f container checkpoint --create-image c-ckpt c >/dev/null
	f rm c >/dev/null
	f container restore c-ckpt >/dev/null
	[ "$(ctr_status c)" = running ]
}

@test "an image with checkpoint annotations but no checkpoint in its layer is refused, nothing made" {
	load_test_image
	# One layer holding an ordinary file, Podman's annotation on it.
	python3 - "$TEST_TMP/fake.tar" <<'PY'
import hashlib, io, json, sys, tarfile
def blob(t, data):
    d = hashlib.sha256(data).hexdigest()
    i = tarfile.TarInfo("blobs/sha256/" + d); i.size = len(data); t.addfile(i, io.BytesIO(data))
    return "sha256:" + d, len(data)
lb = io.BytesIO()
with tarfile.open(fileobj=lb, mode="w") as l:
    i = tarfile.TarInfo("bin/hello"); i.size = 3; l.addfile(i, io.BytesIO(b"hi\n"))
layer = lb.getvalue()
with tarfile.open(sys.argv[1], "w") as t:
    ld, ls = blob(t, layer)
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                      "rootfs": {"type": "layers", "diff_ids": [ld]}}).encode()
    cd, cs = blob(t, cfg)
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls}],
        "annotations": {"io.podman.annotations.checkpoint.runtime.name": "runc"}}).encode()
    md, ms = blob(t, man)
    idx = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": md, "size": ms, "annotations": {"org.opencontainers.image.ref.name": "localhost/fake:latest"}}]}).encode()
    for name, data in (("index.json", idx), ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
PY
	f load -q -i "$TEST_TMP/fake.tar" >/dev/null
	f image inspect localhost/fake:latest >/dev/null
	run_ferry container restore localhost/fake:latest
	assert_status 125
	assert_one_line_error
	assert_output_contains "checkpoint image localhost/fake:latest"
	[ -z "$(f ps -a -q)" ]
	[ -z "$(ls -A "$RUNROOT/checkpoints" 2>/dev/null)" ]
}
