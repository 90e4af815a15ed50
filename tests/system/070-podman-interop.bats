#!/usr/bin/env bats
# Checkpoints that cross between Podman and ferry.  Needs Podman
# (scripts/install-deps.sh --with-podman); skipped where it is absent.

load helpers

# Podman with roots of this test's own, as bench/ runs it: runc, cgroupfs,
# no events.
podman_t() {
	PODMAN_IGNORE_CGROUPSV1_WARNING=1 podman --root "$TEST_TMP/proot" --runroot "$TEST_TMP/prun" \
		--tmpdir "$TEST_TMP/ptmp" --cgroup-manager cgroupfs --events-backend none --runtime runc "$@"
}

need_podman() {
	command -v podman >/dev/null || skip "Podman is not installed (scripts/install-deps.sh --with-podman)"
}

teardown() {
	if [ -n "${TEST_TMP:-}" ] && [ -d "$TEST_TMP/proot" ]; then
		podman_t rm -af -t 0 >/dev/null 2>&1 || true
		podman_t volume rm -af >/dev/null 2>&1 || true
	fi
	ferry_teardown
}

# $TEST_TMP/pc.tar.zst: Podman's export of a counter that changed its root
# file system, wrote to a named volume and to /dev/shm.
podman_checkpoint() {
	mkdir -p "$TEST_TMP/ptmp"
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t volume create pvol >/dev/null
	podman_t run -d --name pc --network none -v pvol:/data localhost/ferry-test:latest \
		sh -c "echo vol > /data/v; echo changed > /etc/motd2; echo shm > /dev/shm/s; $COUNTER" >/dev/null
	wait_until '[ "$(podman_t logs pc 2>/dev/null | wc -l)" -ge 3 ]'
	podman_t container checkpoint --export "$TEST_TMP/pc.tar.zst" pc >/dev/null
}

@test "Podman's archive restores in ferry, said to be unverified: the counter carries on with its rootfs change, volume and /dev/shm; --name makes a copy" {
	need_podman
	podman_checkpoint
	load_test_image
	run_ferry container restore --import "$TEST_TMP/pc.tar.zst"
	assert_status 0
	assert_output_contains "Warning: $TEST_TMP/pc.tar.zst was written by Podman: it carries no digests"
	id=$(podman_t inspect --format '{{.Id}}' pc)
	grep -qx "$id" <<<"$output"
	[ "$(ctr_status pc)" = running ]
	n=$(last_count pc)
	wait_until "[ \"\$(last_count pc)\" -ge $((n + 3)) ]"
	# Podman's lines and then ferry's, one unbroken count.
	assert_counts_on pc
	[ "$(f exec pc cat /data/v /etc/motd2 /dev/shm/s)" = "vol
changed
shm" ]
	[ "$(f volume ls -q)" = pvol ]
	[ "$(f exec pc stat -c %a /)" = 555 ]
	# A copy: a name and ID of its own, its own count carrying on.
	run_ferry container restore --import "$TEST_TMP/pc.tar.zst" --name pc2 --ignore-volumes
	assert_status 0
	[ "$(ctr_status pc2)" = running ]
	[ "$(f inspect --format '{{.Id}}' pc2)" != "$id" ]
	n=$(last_count pc2)
	wait_until "[ \"\$(last_count pc2)\" -ge $((n + 2)) ]"
	[ "$(ctr_status pc)" = running ]
	# From then on it is ferry's: its own archive takes it to another root.
	f container checkpoint --export "$TEST_TMP/again.tar.zst" pc >/dev/null
	fb load -q -i "$(ferry_test_image)"
	run_fb container restore --import "$TEST_TMP/again.tar.zst"
	assert_status 0
	[[ "$output" != *Warning* ]]
	n=$(last_count pc fb)
	wait_until "[ \"\$(last_count pc fb)\" -ge $((n + 2)) ]"
	[ "$(fb exec pc cat /data/v /etc/motd2)" = "vol
changed" ]
}

@test "bad Podman archives: the image missing, a path-traversal entry, a ferry archive without its manifest; nothing is created" {
	need_podman
	podman_checkpoint
	# Root B lacks the image.
	run_fb container restore --import "$TEST_TMP/pc.tar.zst"
	assert_status 125
	assert_one_line_error
	assert_output_contains "needs image localhost/ferry-test:latest"
	assert_output_contains "not on this host"
	assert_host_b_untouched
	[ -z "$(fb volume ls -q)" ]
	fb load -q -i "$(ferry_test_image)"
	# An entry that climbs out of the staging directory.
	zstd -q -d -c "$TEST_TMP/pc.tar.zst" >"$TEST_TMP/pc.tar"
	rewrite_archive "$TEST_TMP/pc.tar" "$TEST_TMP/climb.tar" "
m = tarfile.TarInfo('../escaped'); members.insert(1, (m, b'x'))
" keep-manifest
	run_fb container restore --import "$TEST_TMP/climb.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "unsafe entry \`../escaped\`"
	assert_host_b_untouched
	[ -z "$(fb volume ls -q)" ]
	! find "$TEST_TMP" -name escaped | grep -q .
	# A ferry archive whose manifest is gone is not taken for Podman's.
	load_test_image
	f run -d --name fc ferry-test sh -c "$COUNTER" >/dev/null
	f container checkpoint -c none -e "$TEST_TMP/fc.tar" fc >/dev/null
	rewrite_archive "$TEST_TMP/fc.tar" "$TEST_TMP/bare.tar" "
members = [(m, d) for m, d in members if m.name != 'manifest.json']
" keep-manifest
	run_fb container restore --import "$TEST_TMP/bare.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "has no manifest.json"
	assert_host_b_untouched
}
