#!/usr/bin/env bats
# Every bad checkpoint archive and every wrong state gets one clear error,
# exit 125, and nothing is created or changed on the host.

load helpers

# Makes $TEST_TMP/good.tar (uncompressed) from a running counter on root A.
make_archive() {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name src -v srcvol:/data ferry-test sh -c "echo x > /data/x; $COUNTER" >/dev/null
	wait_until '[ "$(f logs src | wc -l)" -ge 2 ]'
	f container checkpoint -R -c none -e "$TEST_TMP/good.tar" src >/dev/null
}

# Asserts root B holds nothing: no container, volume, mount (but the
# small file systems a test mounted at rootB or runB/checkpoints itself)
# or leftover.
assert_host_b_untouched() {
	[ -z "$(fb ps -a -q)" ]
	[ -z "$(fb volume ls -q)" ]
	[ -z "$(awk -v b="$TEST_TMP/rootB" -v r="$TEST_TMP/runB" \
		'(index($5, b) == 1 || index($5, r) == 1) && $5 != b && $5 != r "/checkpoints" { print $5 }' /proc/self/mountinfo)" ]
	[ -z "$(ls "$TEST_TMP/rootB/containers" 2>/dev/null)" ]
	[ -z "$(ls "$TEST_TMP/runB/checkpoints" 2>/dev/null)" ]
}

expect_import_refused() {
	run_fb container restore -i "$1"
	assert_status 125
	assert_one_line_error
	assert_output_contains "$2"
	assert_host_b_untouched
}

@test "bad input: a flipped byte in any entry is refused" {
	make_archive
	for entry in spec.dump config.dump checkpoint/pages-1.img volumes/srcvol.tar ctr.log; do
		rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/bad.tar" "
for i, (m, d) in enumerate(members):
    if m.name == '$entry':
        b = bytearray(d); b[len(b) // 2] ^= 0xff; members[i] = (m, bytes(b))
" keep-manifest
		expect_import_refused "$TEST_TMP/bad.tar" "$entry"
	done
}

@test "bad input: a truncated archive, another format, an unknown compression" {
	make_archive
	head -c $(($(stat -c %s "$TEST_TMP/good.tar") / 2)) "$TEST_TMP/good.tar" >"$TEST_TMP/trunc.tar"
	expect_import_refused "$TEST_TMP/trunc.tar" "truncated"
	zstd -q -c "$TEST_TMP/good.tar" >"$TEST_TMP/good.tar.zst"
	head -c $(($(stat -c %s "$TEST_TMP/good.tar.zst") / 2)) "$TEST_TMP/good.tar.zst" >"$TEST_TMP/trunc.tar.zst"
	expect_import_refused "$TEST_TMP/trunc.tar.zst" "truncated"
	expect_import_refused "$(ferry_test_image)" "not a ferry checkpoint archive"
	xz -c "$TEST_TMP/good.tar" >"$TEST_TMP/good.tar.xz"
	expect_import_refused "$TEST_TMP/good.tar.xz" "compression"
	head -c 5000 /dev/urandom >"$TEST_TMP/noise"
	expect_import_refused "$TEST_TMP/noise" "noise"
	run_fb container restore -i "$TEST_TMP/missing.tar"
	assert_status 125
	assert_output_contains "missing.tar"
}

@test "bad input: absolute paths, .. and symlinks that leave the root are refused" {
	make_archive
	rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/abs.tar" "
m = tarfile.TarInfo('/tmp/ferry-evil-abs'); members.insert(0, (m, b'evil'))
"
	expect_import_refused "$TEST_TMP/abs.tar" "ferry-evil-abs"
	[ ! -e /tmp/ferry-evil-abs ]
	rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/dots.tar" "
m = tarfile.TarInfo('checkpoint/../../ferry-evil-dots'); members.insert(0, (m, b'evil'))
"
	expect_import_refused "$TEST_TMP/dots.tar" "ferry-evil-dots"
	rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/link.tar" "
m = tarfile.TarInfo('checkpoint/escape'); m.type = tarfile.SYMTYPE; m.linkname = '/etc'; members.insert(0, (m, b''))
"
	expect_import_refused "$TEST_TMP/link.tar" "checkpoint/escape"
	# Inside an inner tar: a rootfs change that climbs out of the container.
	python3 - "$TEST_TMP/evil-rootfs.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    m = tarfile.TarInfo("../../../ferry-evil-rootfs"); m.size = 4
    t.addfile(m, io.BytesIO(b"evil"))
PY
	rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/inner.tar" "
d = open('$TEST_TMP/evil-rootfs.tar', 'rb').read()
members = [(m, x) for m, x in members if m.name != 'rootfs-diff.tar']
m = tarfile.TarInfo('rootfs-diff.tar'); members.insert(0, (m, d))
"
	expect_import_refused "$TEST_TMP/inner.tar" "ferry-evil-rootfs"
	[ ! -e "$TEST_TMP/ferry-evil-rootfs" ] && [ ! -e "$TEST_TMP/rootB/ferry-evil-rootfs" ]
}

@test "bad input: a manifest that lies, a missing entry, an extra entry" {
	make_archive
	rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/lie.tar" "
import json
for i, (m, d) in enumerate(members):
    if m.name == 'manifest.json':
        j = json.loads(d); j['entries']['spec.dump']['sha256'] = 'sha256:' + '0' * 64
        members[i] = (m, json.dumps(j).encode())
" keep-manifest
	expect_import_refused "$TEST_TMP/lie.tar" "spec.dump"
	rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/missing.tar" "
members = [(m, d) for m, d in members if m.name != 'config.dump']
" keep-manifest
	expect_import_refused "$TEST_TMP/missing.tar" "config.dump"
	rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/extra.tar" "
m = tarfile.TarInfo('checkpoint/extra.img'); members.insert(0, (m, b'extra'))
" keep-manifest
	expect_import_refused "$TEST_TMP/extra.tar" "checkpoint/extra.img"
}

@test "bad input: name clash, missing image, missing bind source" {
	make_archive
	f container checkpoint -e "$TEST_TMP/clash.tar" -c none src >/dev/null 2>&1 || true
	# Same root: the original's volume and the original itself still
	# exist; the volume is named first, as Podman checks it first.
	run_ferry container restore -i "$TEST_TMP/good.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "volume with name srcvol already exists"
	run_ferry container restore --ignore-volumes -i "$TEST_TMP/good.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "--name"

	fb rmi ferry-test >/dev/null
	expect_import_refused "$TEST_TMP/good.tar" "ferry-test"
	fb load -q -i "$(ferry_test_image)"

	mkdir -p "$TEST_TMP/bindsrc"
	f run -d --name b -v "$TEST_TMP/bindsrc:/mnt" ferry-test sleep 1000 >/dev/null
	f container checkpoint -R -c none -e "$TEST_TMP/bind.tar" b >/dev/null
	f rm -f -t 0 b >/dev/null
	rmdir "$TEST_TMP/bindsrc"
	# Trusted (a bind of a host path needs it), but the source is gone.
	run_fb container restore --trust-archive -i "$TEST_TMP/bind.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "bind mount source \`$TEST_TMP/bindsrc\` (for /mnt) does not exist"
	assert_host_b_untouched
}

@test "bad state: checkpoint of a container that is not running, restore of one that is" {
	load_test_image
	f create --name created ferry-test true >/dev/null
	run_ferry container checkpoint created
	assert_status 125
	assert_one_line_error
	assert_output_contains "\"created\" is not running, cannot checkpoint: container state improper"
	f run -d --name running ferry-test sleep 1000 >/dev/null
	run_ferry container restore running
	assert_status 125
	assert_one_line_error
	assert_output_contains "is running or paused, cannot restore: container state improper"
	run_ferry container restore created
	assert_status 125
	assert_output_contains "a complete checkpoint for this container cannot be found"
	run_ferry container checkpoint no-such
	assert_status 125
	assert_output_contains "no such container"
}

@test "a failed checkpoint leaves the container running as before" {
	load_test_image
	f run -d --name keep ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs keep | wc -l)" -ge 2 ]'
	# A full file system under the archive: the export fails.
	mkdir -p "$TEST_TMP/small"
	mount -t tmpfs -o size=64k tmpfs "$TEST_TMP/small"
	run_ferry container checkpoint -c none -e "$TEST_TMP/small/k.tar" keep
	assert_status 125
	assert_one_line_error
	[ -z "$(ls -A "$TEST_TMP/small")" ]
	[ "$(ctr_status keep)" = running ]
	n=$(last_count keep)
	wait_until "[ \"\$(last_count keep)\" -gt $n ]"
	assert_counts_on keep
	run_ferry container checkpoint -e "$TEST_TMP/no/such/dir/k.tar" keep
	assert_status 125
	[ "$(ctr_status keep)" = running ]
}

@test "bad input: volumes that do not fit on the target's disk are refused before anything is made" {
	load_test_image
	f run -d --name big -v bigvol:/data ferry-test sh -c "head -c 41943040 /dev/urandom > /data/blob; echo ready; sleep 1000" >/dev/null
	wait_until '[ "$(f logs big)" = ready ]' 30
	f container checkpoint -c none -e "$TEST_TMP/big.tar" big >/dev/null
	# Host B's root is a 32 MiB file system: the 40 MiB volume does not fit.
	mkdir -p "$TEST_TMP/rootB"
	mount -t tmpfs -o size=32m tmpfs "$TEST_TMP/rootB"
	fb load -q -i "$(ferry_test_image)"
	run_fb container restore -i "$TEST_TMP/big.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "free space on that file system"
	assert_host_b_untouched
	# Without the volume it fits.
	fb volume create bigvol >/dev/null
	fb container restore -i "$TEST_TMP/big.tar" --ignore-volumes >/dev/null
	[ "$(fb inspect --format '{{.State.Status}}' big)" = running ]
}

@test "bad input: a small archive declaring more than the staging disk holds is refused as it arrives" {
	make_archive
	# 64 MiB of zeros under an allowed name, not in the manifest: a few
	# KiB once compressed.
	rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/bomb.tar" '
zi = tarfile.TarInfo("checkpoint/pages-99.img"); zi.size = 64 << 20
members.insert(1, (zi, bytes(64 << 20)))' keep-manifest
	zstd -q -19 --rm "$TEST_TMP/bomb.tar" -o "$TEST_TMP/bomb.tar.zst"
	[ "$(stat -c %s "$TEST_TMP/bomb.tar.zst")" -lt 1048576 ]
	mkdir -p "$TEST_TMP/runB/checkpoints"
	mount -t tmpfs -o size=32m tmpfs "$TEST_TMP/runB/checkpoints"
	run_fb container restore -i "$TEST_TMP/bomb.tar.zst"
	assert_status 125
	assert_one_line_error
	assert_output_contains "needs more space"
	assert_host_b_untouched
}

@test "a failed in-place restore keeps CRIU's log with the container, and rm removes it" {
	load_test_image
	f run -d --name lr ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs lr | wc -l)" -ge 2 ]'
	id=$(f inspect --format '{{.Id}}' lr)
	f container checkpoint lr >/dev/null
	for img in "$ROOT/containers/$id/checkpoint"/core-*.img; do : >"$img"; done
	run_ferry container restore lr
	assert_status 125
	assert_one_line_error
	assert_output_contains "$ROOT/containers/$id/restore.log"
	[ -s "$ROOT/containers/$id/restore.log" ]
	[ "$(ctr_status lr)" = exited ]
	[ -z "$(ls -A "$RUNROOT/checkpoints" 2>/dev/null)" ]
	f rm lr >/dev/null
	[ ! -e "$ROOT/containers/$id" ]
}
