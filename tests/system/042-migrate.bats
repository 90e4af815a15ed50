#!/usr/bin/env bats
# container migrate: one command moves a running container to another host
# over ssh, and rolls back when anything fails on the way.
#
# Two hosts are two network namespaces, each with its own ferry root,
# joined by a veth pair made here (10.206.<N>.1 and .2).  Host B runs an
# sshd of the test's own (Debian's openssh-server) that listens only on its
# end of the veth, with a host key and a user key made here; host A reaches
# it through FERRY_SSH_COMMAND with an ssh config of the test's own, so no
# file of the machine's ssh set-up is read or changed.  The target's ferry
# is this build, through the PATH that sshd gives its sessions.

load helpers
load network-helpers

# `ferry container migrate` from A to B, through bats' run.
run_migrate() {
	run nsenter --net="/run/netns/$HA" "$FERRY_BIN" --root "$TEST_TMP/root" --runroot "$TEST_TMP/run" \
		container migrate --dest-root "$TEST_TMP/rootB" --dest-runroot "$TEST_TMP/runB" "$@"
}

teardown() {
	# Before the test's directory goes with the rest.
	if [ -f "$TEST_TMP/pipe-max-size" ]; then
		cat "$TEST_TMP/pipe-max-size" >/proc/sys/fs/pipe-max-size
	fi
	hosts_teardown
}

# CRIU's page server (--lazy) makes 4 MiB pipes, which a ferry without
# CAP_SYS_RESOURCE (as in this machine's container) gets only when
# fs.pipe-max-size allows them; the teardown puts the old value back.
allow_page_server_pipes() {
	cat /proc/sys/fs/pipe-max-size >"$TEST_TMP/pipe-max-size"
	echo 4194304 >/proc/sys/fs/pipe-max-size
}

# A counter whose every line also says that a few MB of the shell's own
# memory (a variable, forked into each md5sum) is still what it was.
MEMORY_COUNTER='v=$(seq 1 300000); s=$(echo "$v" | md5sum); i=0; while true; do if [ "$(echo "$v" | md5sum)" = "$s" ]; then echo $i; else echo "memory changed"; fi; i=$((i+1)); sleep 0.2; done'

# A registry (Debian's docker-registry) on host B's end of the veth, at
# $REG, which both hosts reach.
registry_on_b() {
	local dir=$TEST_TMP/registry
	mkdir -p "$dir/data"
	REG=$B_IP:5000
	cat >"$dir/config.yml" <<-EOF
		version: 0.1
		log:
		  level: error
		storage:
		  filesystem:
		    rootdirectory: $dir/data
		http:
		  addr: $REG
	EOF
	nsenter --net="/run/netns/$HB" docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
	wait_until "nsenter --net=/run/netns/$HA bash -c 'echo >/dev/tcp/$B_IP/5000' 2>/dev/null"
}

# Host B holds no container, no staging, no volume, and A's container $1
# runs as before, counting on.
assert_rolled_back() {
	local name=$1 n
	[ "$(fa inspect --format '{{.State.Status}}' "$name")" = running ]
	[ -z "$(fbh ps -aq)" ]
	[ -z "$(fbh volume ls -q)" ]
	[ -z "$(ls -A "$TEST_TMP/runB/checkpoints" 2>/dev/null)" ]
	[ -z "$(ls -A "$TEST_TMP/run/checkpoints" 2>/dev/null)" ]
	n=$(last_count "$name" fa)
	wait_until "[ \"\$(last_count $name fa)\" -ge $((n + 2)) ]"
	assert_counts_on "$name" fa
}

@test "migrate moves a running container to host B with its memory, files, volume and /dev/shm; it is gone from A" {
	hosts_setup
	fa volume create data >/dev/null
	fa run -d --name mover -v data:/data ferry-test sh -c \
		"echo changed >/etc/motd; echo vol >/data/f; echo shm >/dev/shm/s; $COUNTER" >/dev/null
	wait_until '[ "$(last_count mover fa)" -ge 3 ]'
	id=$(fa inspect --format '{{.Id}}' mover)
	run_migrate --print-stats mover "$DEST"
	assert_status 0
	# Standard output: the timings, with the container's ID on B.
	stats=$(printf '%s\n' "$output" | sed '$d')
	for k in freeze_us dump_us transfer_us restore_us downtime_us total_us bytes; do
		[ "$(printf '%s' "$stats" | jq -r "(.$k | type) + \" \" + (.$k > 0 | tostring)")" = "number true" ]
	done
	[ "$(printf '%s' "$stats" | jq -r .id)" = "$id" ]
	[ "$(printf '%s' "$stats" | jq -r '.downtime_us < .total_us')" = true ]
	[[ "$output" == *"mover runs on $B_IP now"* ]]
	# Gone from A, volume kept there as rm keeps it; running on B.
	run fa inspect mover
	assert_status 125
	[ -z "$(fa ps -aq)" ]
	[ "$(fbh inspect --format '{{.State.Status}}' mover)" = running ]
	[ "$(fbh exec mover cat /etc/motd)" = changed ]
	[ "$(fbh exec mover cat /data/f)" = vol ]
	[ "$(fbh exec mover cat /dev/shm/s)" = shm ]
	[ "$(fbh volume ls -q)" = data ]
	n=$(last_count mover fbh)
	wait_until "[ \"\$(last_count mover fbh)\" -ge $((n + 3)) ]"
	assert_counts_on mover fbh
	# Nothing in progress or staged on either side.
	[ -z "$(ls -A "$TEST_TMP/run/checkpoints" 2>/dev/null)" ]
	[ -z "$(ls -A "$TEST_TMP/runB/checkpoints" 2>/dev/null)" ]
	# And back again, with the progress line off (no terminal) and only the
	# ID on standard output.  A's copy of the volume stayed (as rm keeps
	# it): it would clash with the one coming back.
	fa volume rm data >/dev/null
	run nsenter --net="/run/netns/$HB" "$FERRY_BIN" --root "$TEST_TMP/rootB" --runroot "$TEST_TMP/runB" \
		container migrate mover "ssh://root@$B_IP" --dest-root "$TEST_TMP/root" --dest-runroot "$TEST_TMP/run"
	assert_status 0
	[ "$(printf '%s\n' "$output" | head -n1)" = "$id" ]
	[ -z "$(fbh ps -aq)" ]
}

@test "migrate keeps a bridged container's IP and MAC" {
	hosts_setup
	fa run -d --name web --network ferry ferry-test sh -c "$SERVER" >/dev/null
	ip=$(ip_of web ferry fa)
	mac=$(mac_of web ferry fa)
	[ -n "$ip" ]
	[ "$(net_count "$ip" 8080 "$HA")" = 1 ]
	run_migrate web "$DEST"
	assert_status 0
	[ "$(ip_of web ferry fbh)" = "$ip" ]
	[ "$(mac_of web ferry fbh)" = "$mac" ]
	[ "$(fbh exec web cat /sys/class/net/eth0/address)" = "$mac" ]
	# The server carries on at the same address on host B.
	[ "$(net_count "$ip" 8080 "$HB")" = 2 ]
}

@test "an address taken on host B leaves the container running on A with its address, and nothing of it on B" {
	hosts_setup
	fa run -d --name web --network ferry ferry-test sh -c "$SERVER" >/dev/null
	ip=$(ip_of web ferry fa)
	[ "$(net_count "$ip" 8080 "$HA")" = 1 ]
	fbh run -d --name squatter --network ferry --ip "$ip" ferry-test sleep 1000 >/dev/null
	run_migrate web "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "$ip"
	assert_output_contains "runs here as before"
	[ "$(fa inspect --format '{{.State.Status}}' web)" = running ]
	[ "$(ip_of web ferry fa)" = "$ip" ]
	[ "$(net_count "$ip" 8080 "$HA")" = 2 ]
	# B holds its own container only.
	[ "$(fbh ps -aq | wc -l)" = 1 ]
	[ "$(fbh inspect --format '{{.State.Status}}' squatter)" = running ]
	[ -z "$(ls -A "$TEST_TMP/runB/checkpoints" 2>/dev/null)" ]
}

@test "a CRIU error on A (a file lock without --file-locks) leaves it running; --file-locks carries the lock to B" {
	hosts_setup
	# busybox has no flock: a small static locker, bound into the container
	# (the same path on both hosts, which share their files).
	build_locker
	fa run -d --name lk -v "$TEST_TMP/locker:/locker:ro" ferry-test /locker >/dev/null
	wait_until '[ "$(fa logs lk)" = locked ]'
	run_migrate lk "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "CRIU could not checkpoint container lk"
	assert_output_contains "runs here as before"
	[ "$(fa inspect --format '{{.State.Status}}' lk)" = running ]
	[ -z "$(fbh ps -aq)" ]
	[ -z "$(ls -A "$TEST_TMP/runB/checkpoints" 2>/dev/null)" ]
	run_migrate --file-locks lk "$DEST"
	assert_status 0
	[ "$(fbh inspect --format '{{.State.Status}}' lk)" = running ]
	# The lock is held on B: another taker fails at once.
	run fbh exec lk /locker try
	assert_status 1
}

@test "an established TCP connection stops a migration unless --tcp-established, which carries it to B" {
	hosts_setup
	# A server sends a counter to a client over the container's own
	# loopback; the client logs what it receives.
	fa run -d --name tcp ferry-test sh -c '
		(i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.2; done) | nc -l -p 7777 &
		sleep 0.5
		sleep 100000 | nc 127.0.0.1 7777' >/dev/null
	wait_until '[ "$(fa logs tcp | wc -l)" -ge 3 ]'
	run_migrate tcp "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "consider using --tcp-established"
	assert_output_contains "runs here as before"
	[ "$(fa inspect --format '{{.State.Status}}' tcp)" = running ]
	[ -z "$(fbh ps -aq)" ]
	n=$(fa logs tcp | wc -l)
	wait_until "[ \"\$(fa logs tcp | wc -l)\" -ge $((n + 2)) ]"
	run_migrate --tcp-established tcp "$DEST"
	assert_status 0
	[ -z "$(fa ps -aq)" ]
	n=$(fbh logs tcp | wc -l)
	wait_until "[ \"\$(fbh logs tcp | wc -l)\" -ge $((n + 3)) ]"
	# One read of the log: a tick may arrive between two.
	log=$(fbh logs tcp)
	[ "$(tail -n1 <<<"$log")" = "tick $(($(wc -l <<<"$log") - 1))" ]
}

@test "migrate --name leaves the container running on A beside its copy on B; --keep-source leaves it checkpointed" {
	hosts_setup
	fa run -d --name orig ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(last_count orig fa)" -ge 2 ]'
	id=$(fa inspect --format '{{.Id}}' orig)
	run_migrate --name copy orig "$DEST"
	assert_status 0
	copy_id=$(printf '%s\n' "$output" | head -n1)
	[ "$copy_id" != "$id" ]
	[ "$(fbh inspect --format '{{.Id}}' copy)" = "$copy_id" ]
	[ "$(fa inspect --format '{{.State.Status}}' orig)" = running ]
	[ "$(fbh inspect --format '{{.State.Status}}' copy)" = running ]
	n=$(last_count copy fbh)
	wait_until "[ \"\$(last_count copy fbh)\" -ge $((n + 2)) ]"
	assert_counts_on orig fa

	run_migrate --keep-source orig "$DEST"
	assert_status 0
	[ "$(fa inspect --format '{{.State.Status}} {{.State.Checkpointed}}' orig)" = "exited true" ]
	[ "$(fbh inspect --format '{{.State.Status}}' orig)" = running ]
	assert_counts_on orig fbh
}

@test "an unreachable target, a missing image or a full disk there leave the container running on A and nothing on B" {
	hosts_setup
	fa run -d --name keep ferry-test sh -c "dd if=/dev/urandom of=/big bs=1M count=24 2>/dev/null; $COUNTER" >/dev/null
	wait_until '[ "$(last_count keep fa)" -ge 2 ]'

	sshd_stop
	run_migrate keep "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "cannot reach ferry on $B_IP"
	assert_output_contains "runs here as before"
	assert_rolled_back keep
	sshd_start

	# A root the target's ferry cannot open: its own error, nothing touched.
	run nsenter --net="/run/netns/$HA" "$FERRY_BIN" --root "$TEST_TMP/root" --runroot "$TEST_TMP/run" \
		container migrate --dest-root /proc/ferry-no-root keep "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "cannot reach ferry on $B_IP: "
	assert_output_contains "/proc/ferry-no-root"
	assert_output_contains "runs here as before"
	assert_rolled_back keep

	# B has a container of that name: refused before A's is touched.
	fbh create --name keep ferry-test true >/dev/null
	run_migrate keep "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "$B_IP cannot take it: creating container storage: the container name \"keep\" is already in use"
	assert_output_contains "runs here as before, untouched"
	fbh rm keep >/dev/null
	assert_rolled_back keep

	# B lacks the image, and has no registry to pull it from: refused
	# before A's container is touched too.
	fbh rmi ferry-test >/dev/null
	run_migrate keep "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "cannot take it: the checkpoint needs image localhost/ferry-test:latest"
	assert_output_contains "runs here as before, untouched"
	assert_rolled_back keep

	# B's storage is a 16 MiB file system: the 24 MiB file does not fit.
	fbh rm -fa -t 0 >/dev/null 2>&1 || true
	mkdir -p "$TEST_TMP/small"
	mount -t tmpfs -o size=16m tmpfs "$TEST_TMP/small"
	run nsenter --net="/run/netns/$HA" "$FERRY_BIN" --root "$TEST_TMP/root" --runroot "$TEST_TMP/run" \
		container migrate --dest-root "$TEST_TMP/small/root" --dest-runroot "$TEST_TMP/small/run" keep "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "runs here as before"
	assert_rolled_back keep
	[ -z "$(ls -A "$TEST_TMP/small/run/checkpoints" 2>/dev/null)" ]

	# With the image there, a container whose memory does not fit: the
	# target runs out of space while CRIU's pages stream in.
	nsenter --net="/run/netns/$HB" "$FERRY_BIN" --root "$TEST_TMP/small/root" --runroot "$TEST_TMP/small/run" \
		load -q -i "$(ferry_test_image)"
	fa run -d --name mem ferry-test sh -c "x=\$(head -c 40000000 /dev/zero | tr '\\0' a); echo filled >/tmp/filled; $COUNTER" >/dev/null
	wait_until '[ "$(fa exec mem cat /tmp/filled 2>/dev/null)" = filled ]' 30
	run nsenter --net="/run/netns/$HA" "$FERRY_BIN" --root "$TEST_TMP/root" --runroot "$TEST_TMP/run" \
		container migrate --dest-root "$TEST_TMP/small/root" --dest-runroot "$TEST_TMP/small/run" mem "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "needs more space than"
	assert_output_contains "runs here as before"
	assert_rolled_back mem
	[ -z "$(ls -A "$TEST_TMP/small/run/checkpoints" 2>/dev/null)" ]
	[ -z "$(nsenter --net="/run/netns/$HB" "$FERRY_BIN" --root "$TEST_TMP/small/root" --runroot "$TEST_TMP/small/run" ps -aq)" ]
}

@test "a target without the image pulls it before the freeze, and drops it when the migration fails" {
	hosts_setup
	registry_on_b
	fbh push --tls-verify=false ferry-test "$REG/ferry-test:latest" >/dev/null
	fbh rmi ferry-test >/dev/null
	fa pull --tls-verify=false "$REG/ferry-test:latest" >/dev/null
	fa run -d --name pulled "$REG/ferry-test:latest" sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(last_count pulled fa)" -ge 2 ]'
	# The registry is plain HTTP: without --tls-verify=false the target's
	# pull fails, before the container is touched.
	run_migrate pulled "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "cannot take it: the checkpoint needs image $REG/ferry-test:latest"
	assert_output_contains "untouched"
	[ -z "$(fbh images -q)" ]
	# Pulled, then the source killed after its dump: the target, left with
	# a cut stream, removes the image it pulled for nothing.
	FERRY_FAULT=checkpoint-dumped run_migrate --tls-verify=false pulled "$DEST"
	[ "$status" -eq 137 ]
	wait_until '[ -z "$(pgrep -f -- "^ferry .*--receive")" ]'
	assert_rolled_back pulled
	[ -z "$(fbh images -q)" ]
	run_migrate --tls-verify=false pulled "$DEST"
	assert_status 0
	[ "$(fbh inspect --format '{{.State.Status}}' pulled)" = running ]
	[ "$(fbh images -q | wc -l)" = 1 ]
	assert_counts_on pulled fbh
}

@test "ferry killed at any step on either host leaves the container running on exactly one of them" {
	hosts_setup
	fa run -d --name mover ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(last_count mover fa)" -ge 2 ]'
	# The target's ferry killed: before, while and after it restores, and
	# as it waits for the word to keep the container.  The source resumes.
	for point in import-staged import-created import-launched migrate-running; do
		FERRY_FAULT=$point run_migrate mover "$DEST"
		assert_status 125
		assert_output_contains "runs here as before"
		# B's next command settles what its killed ferry left.
		assert_rolled_back mover
	done
	# The source's ferry killed before the target has the container: B
	# undoes it, and A's next command resumes it.
	for point in checkpoint-dumped migrate-sent checkpoint-handover; do
		FERRY_FAULT=$point run_migrate mover "$DEST"
		[ "$status" -eq 137 ]
		wait_until '[ -z "$(pgrep -f -- "^ferry .*--receive")" ]'
		assert_rolled_back mover
	done
	# Stopped in the handover, it shows as migrating; killed there, A's
	# next command asks B, which undid its copy, and resumes A's.
	FERRY_FAULT=checkpoint-handover:stop nsenter --net="/run/netns/$HA" "$FERRY_BIN" --root "$TEST_TMP/root" \
		--runroot "$TEST_TMP/run" container migrate --dest-root "$TEST_TMP/rootB" --dest-runroot "$TEST_TMP/runB" \
		mover "$DEST" >/dev/null 2>&1 &
	pid=$!
	wait_until "[ \"\$(awk '{print \$3}' /proc/$pid/stat)\" = T ]" 60
	run fa ps
	assert_output_contains "(migrating)"
	[ "$(fa inspect --format '{{.State.Operation.Kind}}' mover)" = migrate ]
	kill -9 "$pid"
	wait "$pid" || true
	wait_until '[ -z "$(pgrep -f -- "^ferry .*--receive")" ]'
	assert_rolled_back mover
	# Killed once it told B to keep it: A's next command asks B, which has
	# it, and ends A's copy.
	FERRY_FAULT=migrate-committed run_migrate mover "$DEST"
	[ "$status" -eq 137 ]
	run fa ps -aq
	assert_status 0
	[ -z "$output" ]
	[ "$(fbh inspect --format '{{.State.Status}}' mover)" = running ]
	assert_counts_on mover fbh
}

@test "a link cut mid-stream resumes the container on A and leaves nothing on B" {
	hosts_setup
	fa run -d --name keep ferry-test sh -c "dd if=/dev/urandom of=/dev/shm/big bs=1M count=32 2>/dev/null; $COUNTER" >/dev/null
	wait_until '[ "$(last_count keep fa)" -ge 2 ]'
	# The target stops once data arrives; the link is cut under it.
	FERRY_FAULT=migrate-receiving:stop run_migrate keep "$DEST" &
	wait_until '[ "$(ps -o stat= -p "$(pgrep -f -- "^ferry .*--receive" | head -n1)" 2>/dev/null | cut -c1)" = T ]' 30
	target=$(pgrep -f -- "^ferry .*--receive" | head -n1)
	ip -n "$HA" link del "fma$N"
	wait
	kill -CONT "$target"
	wait_until "! kill -0 $target 2>/dev/null" 30
	assert_rolled_back keep
}

@test "migrate --lazy runs the container on B first and B fetches its memory from A through the same ssh" {
	hosts_setup
	allow_page_server_pipes
	fa run -d --name lazy --network ferry ferry-test sh -c "$MEMORY_COUNTER" >/dev/null
	wait_until '[ "$(last_count lazy fa)" -ge 3 ]'
	id=$(fa inspect --format '{{.Id}}' lazy)
	ip=$(ip_of lazy ferry fa)
	mac=$(mac_of lazy ferry fa)
	[ -n "$ip" ]
	run_migrate --lazy --print-stats lazy "$DEST"
	assert_status 0
	stats=$(printf '%s\n' "$output" | sed -n '/^{/,/^}/p')
	[ "$(printf '%s' "$stats" | jq -r .id)" = "$id" ]
	# The pages went through the page server, not in the archive: the
	# shell's few MB of memory are more than the archive.
	[ "$(printf '%s' "$stats" | jq -r '.pages_us > 0 and .pages_bytes > 2000000')" = true ]
	[ "$(printf '%s' "$stats" | jq -r '.pages_bytes > .bytes')" = true ]
	[[ "$output" == *"lazy runs on $B_IP now"* ]]
	assert_output_contains "before its memory had all followed from here"
	run fa inspect lazy
	assert_status 125
	[ "$(fbh inspect --format '{{.State.Status}}' lazy)" = running ]
	[ "$(ip_of lazy ferry fbh)" = "$ip" ]
	[ "$(mac_of lazy ferry fbh)" = "$mac" ]
	n=$(last_count lazy fbh)
	wait_until "[ \"\$(last_count lazy fbh)\" -ge $((n + 3)) ]"
	assert_counts_on lazy fbh
	# Nothing left of the page server's sockets, the daemon or staging.
	[ -z "$(ls -d /tmp/ferry-pages-* 2>/dev/null)" ]
	[ -z "$(pgrep -f "criu lazy-pages.*$TEST_TMP")" ]
	[ -z "$(ls -A "$TEST_TMP/run/checkpoints" 2>/dev/null)" ]
	[ -z "$(ls -A "$TEST_TMP/runB/checkpoints" 2>/dev/null)" ]
	# A copy: frozen here until its pages have gone, then both count on.
	fa run -d --name twin ferry-test sh -c "$MEMORY_COUNTER" >/dev/null
	wait_until '[ "$(last_count twin fa)" -ge 3 ]'
	run_migrate --lazy --name twin2 twin "$DEST"
	assert_status 0
	for h in fa fbh; do
		name=twin
		[ "$h" = fbh ] && name=twin2
		n=$(last_count $name $h)
		wait_until "[ \"\$(last_count $name $h)\" -ge $((n + 3)) ]"
	done
	assert_counts_on twin fa
	assert_counts_on twin2 fbh
}

@test "migrate --lazy rolls back when B fails before it has every page, and is refused before the freeze without big pipes" {
	hosts_setup
	fa run -d --name lazy ferry-test sh -c "$MEMORY_COUNTER" >/dev/null
	wait_until '[ "$(last_count lazy fa)" -ge 3 ]'
	# Without CAP_SYS_RESOURCE and with 1 MiB pipes, CRIU's page server
	# cannot work: said before anything is touched.
	echo 1048576 >"$TEST_TMP/pipe-max-size.low"
	cat /proc/sys/fs/pipe-max-size >"$TEST_TMP/pipe-max-size"
	cat "$TEST_TMP/pipe-max-size.low" >/proc/sys/fs/pipe-max-size
	run nsenter --net="/run/netns/$HA" setpriv --bounding-set -sys_resource --inh-caps -sys_resource "$FERRY_BIN" \
		--root "$TEST_TMP/root" --runroot "$TEST_TMP/run" container migrate --lazy \
		--dest-root "$TEST_TMP/rootB" --dest-runroot "$TEST_TMP/runB" lazy "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "fs.pipe-max-size"
	assert_rolled_back lazy
	echo 4194304 >/proc/sys/fs/pipe-max-size
	# A target whose sshd forbids the forwarding the pages take.
	sshd_stop
	echo "AllowStreamLocalForwarding no" >>"$TEST_TMP/ssh/sshd_config"
	sshd_start
	run_migrate --lazy lazy "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "forwarding"
	assert_output_contains "runs here as before"
	assert_rolled_back lazy
	sshd_stop
	sed -i '/AllowStreamLocalForwarding/d' "$TEST_TMP/ssh/sshd_config"
	sshd_start
	# B's ferry killed as it waits for the word to keep it, and as it
	# waits for the last pages: its container goes, and A's resumes.
	for point in migrate-running migrate-fetching; do
		FERRY_FAULT=$point run_migrate --lazy lazy "$DEST"
		assert_status 125
		assert_output_contains "runs here as before"
		assert_rolled_back lazy
		wait_until "[ -z \"\$(pgrep -f 'criu lazy-pages.*$TEST_TMP')\" ]"
	done
	# A's ferry killed once it told B to keep it, while B may still fetch
	# pages: whichever way that went, it runs on exactly one host, and
	# counts on there.
	FERRY_FAULT=migrate-committed run_migrate --lazy lazy "$DEST"
	[ "$status" -eq 137 ]
	wait_until '[ -z "$(pgrep -f -- "^ferry .*--receive")" ]'
	if [ -n "$(fbh ps -q)" ]; then
		run fa ps -aq
		assert_status 0
		[ -z "$output" ]
		assert_counts_on lazy fbh
	else
		assert_rolled_back lazy
	fi
}

@test "migrate refuses bad destinations, a stopped container and pre-copy with one line" {
	hosts_setup
	fa create --name idle ferry-test true >/dev/null
	fa run -d --name up ferry-test sh -c "$COUNTER" >/dev/null
	for dest in "http://$B_IP" "ssh://-oProxyCommand=true" "ssh://root@$B_IP:0" "ssh://root@$B_IP/path" "ssh://-l@$B_IP"; do
		run_migrate up "$dest"
		assert_status 125
		assert_one_line_error
		assert_output_contains "destination"
	done
	run_migrate idle "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "only a running container can be migrated"
	run_migrate -P up "$DEST"
	assert_status 125
	assert_one_line_error
	assert_output_contains "soft-dirty"
	run fa container checkpoint -P up
	assert_status 125
	assert_one_line_error
	assert_output_contains "soft-dirty"
	[ "$(fa inspect --format '{{.State.Status}}' up)" = running ]
	[ -z "$(fbh ps -aq)" ]
}

@test "migrate moves --rootfs containers to a host with the same directory: :O changes travel, the directory stays" {
	hosts_setup
	# Both roots are on this machine: host B sees the same directory.
	mkdir -p "$TEST_TMP/rfs"
	fa create --name src ferry-test true >/dev/null
	fa export src | tar -x -C "$TEST_TMP/rfs"
	fa rm src >/dev/null
	fa run -d --name ov --rootfs "$TEST_TMP/rfs:O" sh -c "echo made >/made; $COUNTER" >/dev/null
	fa run -d --name dir --rootfs "$TEST_TMP/rfs" sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(last_count ov fa)" -ge 3 ] && [ "$(last_count dir fa)" -ge 3 ]'
	run_migrate ov "$DEST"
	assert_status 0
	run_migrate dir "$DEST"
	assert_status 0
	[ -z "$(fa ps -aq)" ]
	[ "$(fbh exec ov cat /made)" = made ]
	[ ! -e "$TEST_TMP/rfs/made" ]
	[ "$(fbh inspect --format '{{.Rootfs}}' dir)" = "$TEST_TMP/rfs" ]
	n=$(last_count dir fbh)
	wait_until "[ \"\$(last_count dir fbh)\" -ge $((n + 3)) ]"
	assert_counts_on ov fbh
	assert_counts_on dir fbh
	fbh rm -f -t 0 ov dir >/dev/null
	[ -x "$TEST_TMP/rfs/bin/sh" ]
}

@test "migrate carries a bridge container that network disconnect left on no network: on B it runs on none, and connect takes it" {
	hosts_setup
	fa run -d --name lone --network ferry ferry-test sh -c "$COUNTER" >/dev/null
	fa network disconnect ferry lone
	run_migrate lone "$DEST"
	assert_status 0
	[ -z "$(fa ps -aq)" ]
	[ "$(fbh inspect --format '{{.State.Status}} {{.HostConfig.NetworkMode}} {{.NetworkSettings.IPAddress}}' lone)" = "running bridge " ]
	[ "$(fbh exec lone ls /sys/class/net | tr '\n' ' ')" = "lo " ]
	n=$(last_count lone fbh)
	wait_until "[ \"\$(last_count lone fbh)\" -ge $((n + 2)) ]"
	fbh network connect ferry lone
	[ "$(fbh exec lone ls /sys/class/net | tr '\n' ' ')" = "eth0 lo " ]
	fbh rm -f -t 0 lone >/dev/null
}
