#!/usr/bin/env bats
# Checkpoint and restore: in place, and across roots through an archive.

load helpers

@test "in place: a checkpointed counter is exited, and restored it carries on counting" {
	load_test_image
	f run -d --name c ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 5 ]'
	pid=$(f inspect --format '{{.State.Pid}}' c)
	run_ferry container checkpoint c
	assert_status 0
	[ "$output" = c ]
	[ "$(f inspect --format '{{.State.Status}} {{.State.Checkpointed}}' c)" = "exited true" ]
	! kill -0 "$pid" 2>/dev/null || false
	n=$(last_count c)
	sleep 0.6
	[ "$(last_count c)" = "$n" ]
	run_ferry container restore c
	assert_status 0
	[ "$output" = c ]
	[ "$(ctr_status c)" = running ]
	wait_until "[ \"\$(last_count c)\" -ge $((n + 3)) ]"
	# Same log file, one unbroken count: the process carried on, not restarted.
	assert_counts_on c
	[ "$(f inspect --format '{{.State.RestoredAt}}' c)" != "0001-01-01T00:00:00Z" ]
	# Checkpointed only while it sat checkpointed, as in Podman; -R never is.
	[ "$(f inspect --format '{{.State.Checkpointed}}' c)" = false ]
	f container checkpoint -R c >/dev/null
	[ "$(f inspect --format '{{.State.Status}} {{.State.Checkpointed}}' c)" = "running false" ]
}

@test "in place: -R leaves it running; -k keeps the images; restore of a running container is an error" {
	load_test_image
	f run -d --name c ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs c | wc -l)" -ge 3 ]'
	run_ferry container checkpoint -R -k c
	assert_status 0
	[ "$(ctr_status c)" = running ]
	id=$(f inspect --format '{{.Id}}' c)
	[ -f "$ROOT/containers/$id/checkpoint/inventory.img" ]
	n=$(last_count c)
	wait_until "[ \"\$(last_count c)\" -gt $n ]"
	run_ferry container restore c
	assert_status 125
	assert_one_line_error
	assert_output_contains "is running or paused, cannot restore: container state improper"
	assert_counts_on c
}

@test "export on root A, rm, import on root B: the count and the log carry on" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name mover ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs mover | wc -l)" -ge 5 ]'
	id=$(f inspect --format '{{.Id}}' mover)
	run_ferry container checkpoint -e "$TEST_TMP/mover.tar.zst" mover
	assert_status 0
	[ "$(stat -c %a "$TEST_TMP/mover.tar.zst")" = 600 ]
	[ "$(ctr_status mover)" = exited ]
	n=$(last_count mover)
	f rm mover >/dev/null

	run_fb container restore -i "$TEST_TMP/mover.tar.zst"
	assert_status 0
	[ "$output" = "$id" ]
	[ "$(fb inspect --format '{{.Name}} {{.State.Status}}' mover)" = "mover running" ]
	wait_until "[ \"\$(last_count mover fb)\" -ge $((n + 3)) ]"
	# The old lines are there and the count goes on from them.
	assert_counts_on mover fb
	fb rm -f -t 0 mover >/dev/null
}

@test "rootfs changes and volume contents move with the container" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name fs -v vol:/data ferry-test sh -c 'echo created > /root/new; rm /etc/group; chown 999:999 /data; chmod 700 /data; echo accent > /data/café; echo in-volume > /data/v; ln /data/v /data/v-link; sleep 1000' >/dev/null
	wait_until '[ -f "$ROOT/volumes/vol/_data/v" ]'
	sleep 0.3
	f container checkpoint -e "$TEST_TMP/fs.tar" fs >/dev/null
	run_fb container restore -i "$TEST_TMP/fs.tar"
	assert_status 0
	[ "$(fb exec fs cat /root/new)" = created ]
	run_fb exec fs ls /etc/group
	[ "$status" -ne 0 ]
	[ "$(fb exec fs cat /data/v)" = in-volume ]
	[ "$(fb exec fs cat /data/café)" = accent ]
	# A hard link stays one file with two names.
	[ "$(stat -c %h "$TEST_TMP/rootB/volumes/vol/_data/v")" = 2 ]
	# The volume's own owner and mode travel too.
	[ "$(stat -c '%u:%g %a' "$TEST_TMP/rootB/volumes/vol/_data")" = "999:999 700" ]
	[ "$(fb volume inspect --format '{{.Name}}' vol)" = vol ]
}

@test "--ignore-rootfs at checkpoint and at restore leaves the rootfs changes behind" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name fs ferry-test sh -c 'echo created > /root/new; rm /etc/group; sleep 1000' >/dev/null
	wait_until '[ "$(f exec fs cat /root/new 2>/dev/null)" = created ]'
	f container checkpoint -R -e "$TEST_TMP/with.tar" fs >/dev/null
	f container checkpoint -R --ignore-rootfs -e "$TEST_TMP/without.tar" fs >/dev/null
	! tar -tf "$TEST_TMP/without.tar" --zstd | grep -q rootfs-diff.tar || false
	tar -tf "$TEST_TMP/with.tar" --zstd | grep -qx rootfs-diff.tar

	# Left out at checkpoint: the image's files are back on the target.
	run_fb container restore -i "$TEST_TMP/without.tar" --name a
	assert_status 0
	run_fb exec a ls /root/new
	[ "$status" -ne 0 ]
	[ "$(fb exec a cat /etc/group | head -c 4)" = root ]
	# Skipped at restore: the same.
	run_fb container restore --ignore-rootfs -i "$TEST_TMP/with.tar" --name b
	assert_status 0
	run_fb exec b ls /root/new
	[ "$status" -ne 0 ]
	# Neither: the changes are there.
	run_fb container restore -i "$TEST_TMP/with.tar" --name c
	assert_status 0
	[ "$(fb exec c cat /root/new)" = created ]
}

@test "--ignore-volumes at checkpoint leaves the volumes out of the archive" {
	load_test_image
	f run -d --name v -v data:/data ferry-test sh -c 'echo x > /data/x; sleep 1000' >/dev/null
	wait_until '[ -f "$ROOT/volumes/data/_data/x" ]'
	f container checkpoint -R -e "$TEST_TMP/with.tar" v >/dev/null
	f container checkpoint -R --ignore-volumes -e "$TEST_TMP/without.tar" v >/dev/null
	tar -tf "$TEST_TMP/with.tar" --zstd | grep -qx volumes/data.tar
	! tar -tf "$TEST_TMP/without.tar" --zstd | grep -q '^volumes/' || false
}

@test "-a and -l checkpoint and restore several containers in place" {
	load_test_image
	f create --name idle ferry-test true >/dev/null
	f run -d --name one ferry-test sh -c "$COUNTER" >/dev/null
	f run -d --name two ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs two | wc -l)" -ge 2 ]'
	one=$(f inspect --format '{{.Id}}' one)
	two=$(f inspect --format '{{.Id}}' two)
	# Full IDs, as Podman prints them for -a and -l.
	run_ferry container checkpoint -a
	assert_status 0
	[ "$(echo "$output" | sort | tr '\n' ' ')" = "$(printf '%s\n' "$one" "$two" | sort | tr '\n' ' ')" ]
	[ "$(ctr_status one)" = exited ] && [ "$(ctr_status two)" = exited ]
	[ "$(ctr_status idle)" = created ]
	run_ferry container restore -l
	assert_status 0
	[ "$output" = "$two" ]
	run_ferry container restore -a
	assert_status 0
	[ "$output" = "$one" ]
	[ "$(ctr_status one)" = running ] && [ "$(ctr_status two)" = running ]
	assert_counts_on one
	assert_counts_on two
}

@test "a CRIU failure shows CRIU's errors and its log, and leaves the container running" {
	load_test_image
	f run -d --name net ferry-test sh -c '
		(while true; do echo x; sleep 0.2; done) | nc -l -p 7777 &
		sleep 0.5
		sleep 100000 | nc 127.0.0.1 7777' >/dev/null
	wait_until '[ "$(f logs net | wc -l)" -ge 2 ]'
	# An established TCP connection without --tcp-established: CRIU refuses.
	run_ferry container checkpoint -e "$TEST_TMP/net.tar" net
	assert_status 125
	assert_one_line_error
	assert_output_contains "Error ("
	assert_output_contains "consider using --tcp-established"
	# The log CRIU wrote is kept where the message says.
	log=$(echo "$output" | sed -n 's/.*(log: \(.*\))$/\1/p')
	[ -s "$log" ]
	[ ! -e "$TEST_TMP/net.tar" ]
	[ "$(ctr_status net)" = running ]
	n=$(f logs net | wc -l)
	wait_until "[ \"\$(f logs net | wc -l)\" -gt $n ]"
}

@test "--tcp-close restores with the connection closed; --file-locks carries a held lock" {
	load_test_image
	f run -d --name tc ferry-test sh -c '
		(while true; do echo x; sleep 0.2; done) | nc -l -p 7777 &
		sleep 0.5
		sleep 100000 | nc 127.0.0.1 7777' >/dev/null
	wait_until '[ "$(f logs tc | wc -l)" -ge 2 ]'
	[ "$(f exec tc ps -o comm | grep -cx nc)" -eq 2 ]
	f container checkpoint --tcp-established tc >/dev/null
	run_ferry container restore --tcp-close tc
	assert_status 0
	# Both ends found their connection closed and ended; nothing more flows.
	wait_until '[ "$(f exec tc ps -o comm | grep -cx nc)" -eq 0 ]'
	n=$(f logs tc | wc -l)
	sleep 0.6
	[ "$(f logs tc | wc -l)" -eq "$n" ]

	# busybox has no flock: a small static locker, bound into the container.
	build_locker
	f run -d --name lk -v "$TEST_TMP/locker:/locker:ro" ferry-test /locker >/dev/null
	wait_until '[ "$(f logs lk)" = locked ]'
	run_ferry container checkpoint lk
	assert_status 125
	assert_output_contains "Error ("
	[ "$(ctr_status lk)" = running ]
	run_ferry container checkpoint --file-locks lk
	assert_status 0
	run_ferry container restore --file-locks lk
	assert_status 0
	[ "$(ctr_status lk)" = running ]
	# The lock is held again: another taker fails at once.
	run_ferry exec lk /locker try
	assert_status 1
}

@test "volumes: an existing volume is an error that names --ignore-volumes, which then uses it" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name v -v keep:/data ferry-test sh -c 'echo archived > /data/f; sleep 1000' >/dev/null
	wait_until '[ -f "$ROOT/volumes/keep/_data/f" ]'
	f container checkpoint -e "$TEST_TMP/v.tar" v >/dev/null
	fb volume create keep >/dev/null
	echo local >"$TEST_TMP/rootB/volumes/keep/_data/f"
	run_fb container restore -i "$TEST_TMP/v.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "volume with name keep already exists"
	assert_output_contains "--ignore-volumes"
	run_fb ps -a -q
	[ -z "$output" ]
	[ "$(cat "$TEST_TMP/rootB/volumes/keep/_data/f")" = local ]

	run_fb container restore --ignore-volumes -i "$TEST_TMP/v.tar"
	assert_status 0
	[ "$(fb exec v cat /data/f)" = local ]
	fb rm -f -t 0 v >/dev/null
}

@test "two --name restores of one archive run side by side with different IDs" {
	load_test_image
	f run -d --name orig ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs orig | wc -l)" -ge 3 ]'
	f container checkpoint -R -e "$TEST_TMP/o.tar" orig >/dev/null
	[ "$(ctr_status orig)" = running ]
	run_ferry container restore -i "$TEST_TMP/o.tar" --name clone1
	assert_status 0
	id1=$output
	run_ferry container restore -i "$TEST_TMP/o.tar" --name clone2
	assert_status 0
	id2=$output
	[ "$id1" != "$id2" ]
	[ "$id1" != "$(f inspect --format '{{.Id}}' orig)" ]
	[ "$(ctr_status clone1)" = running ]
	[ "$(ctr_status clone2)" = running ]
	[ "$(ctr_status orig)" = running ]
	n=$(last_count clone1)
	wait_until "[ \"\$(last_count clone1)\" -gt $n ] && [ \"\$(last_count clone2)\" -gt $n ]"
	assert_counts_on clone1
	assert_counts_on clone2
	# Without --name the original's name is taken: an error.
	run_ferry container restore -i "$TEST_TMP/o.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "--name"
}

@test "/dev/shm contents survive the move" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name shm ferry-test sh -c 'echo shared-memory > /dev/shm/seg; sleep 1000' >/dev/null
	wait_until '[ "$(f exec shm cat /dev/shm/seg 2>/dev/null)" = shared-memory ]'
	f container checkpoint -e "$TEST_TMP/shm.tar" shm >/dev/null
	fb container restore -i "$TEST_TMP/shm.tar" >/dev/null
	[ "$(fb exec shm cat /dev/shm/seg)" = shared-memory ]
	fb rm -f -t 0 shm >/dev/null
}

@test "all three compressions make archives that restore" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name z ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs z | wc -l)" -ge 2 ]'
	for c in zstd gzip none; do
		f container checkpoint -R -c "$c" -e "$TEST_TMP/z.$c" z >/dev/null
	done
	[ "$(head -c 4 "$TEST_TMP/z.zstd" | od -An -tx1 | tr -d ' ')" = 28b52ffd ]
	[ "$(head -c 2 "$TEST_TMP/z.gzip" | od -An -tx1 | tr -d ' ')" = 1f8b ]
	tar -tf "$TEST_TMP/z.none" | grep -qx spec.dump
	for c in zstd gzip none; do
		run_fb container restore -i "$TEST_TMP/z.$c" --name "z-$c"
		assert_status 0
		[ "$(fb inspect --format '{{.State.Status}}' "z-$c")" = running ]
	done
	run_ferry container checkpoint -c xz -e "$TEST_TMP/z.xz" z
	assert_status 125
	assert_one_line_error
	assert_output_contains "xz"
}

@test "--print-stats prints ferry's, the runtime's and CRIU's figures" {
	load_test_image
	f run -d --name s ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs s | wc -l)" -ge 2 ]'
	run_ferry container checkpoint --print-stats s
	assert_status 0
	echo "$output" | jq -e '.ferry_checkpoint_duration > 0'
	echo "$output" | jq -e '.container_statistics[0].runtime_checkpoint_duration > 0'
	# CRIU's counters as Podman gives them: its own only, a zero left out.
	echo "$output" | jq -e '.container_statistics[0].criu_statistics | (keys - ["freezing_time", "frozen_time",
		"memdump_time", "memwrite_time", "pages_scanned", "pages_written"]) == [] and .pages_scanned > 0' >/dev/null
	run_ferry container restore --print-stats s
	assert_status 0
	echo "$output" | jq -e '.ferry_restore_duration > 0'
	echo "$output" | jq -e '.container_statistics[0].criu_statistics.pages_restored >= 0'
}

@test "checkpointctl reads the archive: name, image, ID and process tree" {
	load_test_image
	# sleep runs for good, so the tree holds it whenever the dump comes.
	f run -d --name inspectme ferry-test sh -c 'echo started; sleep 1000 & wait' >/dev/null
	wait_until '[ "$(f logs inspectme)" = started ]'
	id=$(f inspect --format '{{.Id}}' inspectme)
	f container checkpoint -R -e "$TEST_TMP/i.tar.zst" inspectme >/dev/null
	run checkpointctl show "$TEST_TMP/i.tar.zst"
	assert_status 0
	assert_output_contains inspectme
	assert_output_contains "ferry-test"
	assert_output_contains "${id:0:12}"
	run checkpointctl inspect --ps-tree "$TEST_TMP/i.tar.zst"
	assert_status 0
	assert_output_contains sh
	assert_output_contains sleep
}

@test "--tcp-established: a TCP connection inside the container carries on after restore" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	# A server echoes a counter to a client over the container's own loopback;
	# the client logs what it receives.
	f run -d --name tcp ferry-test sh -c '
		(i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.2; done) | nc -l -p 7777 &
		sleep 0.5
		sleep 100000 | nc 127.0.0.1 7777' >/dev/null
	wait_until '[ "$(f logs tcp | wc -l)" -ge 3 ]'
	run_ferry container checkpoint --tcp-established -e "$TEST_TMP/tcp.tar" tcp
	assert_status 0
	n=$(f logs tcp | wc -l)
	run_fb container restore --tcp-established -i "$TEST_TMP/tcp.tar"
	assert_status 0
	wait_until "[ \"\$(fb logs tcp | wc -l)\" -ge $((n + 3)) ]"
	# One read of the log: a tick may arrive between two.
	log=$(fb logs tcp)
	[ "$(tail -n1 <<<"$log")" = "tick $(($(wc -l <<<"$log") - 1))" ]
	fb rm -f -t 0 tcp >/dev/null
}

@test "a process tree with more page images than the dump's FIFOs moves whole" {
	# ferry gives CRIU 64 named pipes for its page images (one image per
	# process); the ones beyond are files, streamed as they grow.
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name many ferry-test sh -c \
		'i=0; while [ $i -lt 70 ]; do sleep 1000 & i=$((i+1)); done; echo started; wait' >/dev/null
	wait_until '[ "$(f logs many)" = started ]'
	pid=$(f inspect --format '{{.State.Pid}}' many)
	wait_until "[ \$(pgrep -c -P $pid) -eq 70 ]"
	run_ferry container checkpoint -e "$TEST_TMP/many.tar.zst" many
	assert_status 0
	# Every process's pages are in the archive as regular files, and no FIFO.
	zstd -dc "$TEST_TMP/many.tar.zst" | tar -tvf - >"$TEST_TMP/list"
	[ "$(grep -c ' checkpoint/pages-[0-9]*\.img$' "$TEST_TMP/list")" -ge 71 ]
	! grep -q '^p' "$TEST_TMP/list" || false
	f rm many >/dev/null
	run_fb container restore -i "$TEST_TMP/many.tar.zst"
	assert_status 0
	pid=$(fb inspect --format '{{.State.Pid}}' many)
	[ "$(pgrep -c -P "$pid")" -eq 70 ]
	fb rm -f -t 0 many >/dev/null
}
