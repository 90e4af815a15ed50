#!/usr/bin/env bats
# Input from outside that must neither harm the host nor hang or crash
# ferry, fifth part (see 122 for the fourth): a running container's own
# /etc/hosts and /etc/resolv.conf, which network connect and disconnect
# edit live, and an image's /etc/hosts taken by --hosts-file image.

load helpers

bats_require_minimum_version 1.5.0

IMG=localhost/ferry-test

# Networks of the test's own: n1 on bridge ftu<N+2000>, n2 on
# ftu<N+1000>.
eval "untrusted5_$(declare -f setup)"
setup() {
	untrusted5_setup
	N=$(net_number)
	BR=ftu$((N + 2000))
	BR2=ftu$((N + 1000))
	SUBNET=10.212.$N.0/24
	SUBNET2=10.212.$((N + 1)).0/24
}

eval "untrusted5_$(declare -f teardown)"
teardown() {
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	ip link del "${BR:-none}" 2>/dev/null || true
	ip link del "${BR2:-none}" 2>/dev/null || true
	untrusted5_teardown
}

@test "a container's /etc/hosts and /etc/resolv.conf of half a million fields are edited live in linear time" {
	load_test_image
	f network create --subnet "$SUBNET" --interface-name "$BR" n1 >/dev/null
	f run -d --network n1 --name c1 $IMG sleep 1000 >/dev/null
	ip=$(f inspect --format '{{(index .NetworkSettings.Networks "n1").IPAddress}}' c1)
	# Each file just under the 1 MiB ferry edits: one line of 500000
	# names, one search line of 500000 domains.
	f exec c1 sh -c 'awk "BEGIN { printf \"192.0.2.1\"; for (i = 0; i < 500000; i++) printf \" a\"; print \"\" }" >>/etc/hosts
		awk "BEGIN { printf \"search\"; for (i = 0; i < 500000; i++) printf \" a\"; print \"\" }" >>/etc/resolv.conf'
	# Before, every field was appended to a list by walking the whole
	# list first: each edit took minutes (a ferry busy for as long, with
	# the container locked), and longer the more the container wrote.
	run timeout 60 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" network disconnect n1 c1
	[ "$status" -eq 0 ]
	run f exec c1 grep -c "^$ip\\b" /etc/hosts
	[ "$output" = 0 ]
	run timeout 60 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" network connect n1 c1
	[ "$status" -eq 0 ]
	ip=$(f inspect --format '{{(index .NetworkSettings.Networks "n1").IPAddress}}' c1)
	[ "$(f exec c1 tail -n 1 /etc/hosts)" = "$ip	$(f inspect --format '{{.Config.Hostname}}' c1) c1" ]
	[ "$(f exec c1 awk '/^search/ { print NF }' /etc/resolv.conf)" = 500001 ]
	[ "$(f exec c1 awk '/^192.0.2.1\t/ { print NF }' /etc/hosts)" = 500001 ]
	f rm -f -t 0 c1 >/dev/null
	f network rm n1 >/dev/null
}

@test "an image's /etc/hosts of 900000 names is taken by --hosts-file image in linear time" {
	load_test_image
	# An image's file of the size ferry reads (16 MiB at most): 900000
	# names, each another.
	mkdir -p "$TEST_TMP/r/etc"
	cp -a "$(command -v busybox)" "$TEST_TMP/r/busybox"
	awk 'BEGIN { for (i = 0; i < 900000; i++) printf "10.0.0.1 n%d\n", i }' >"$TEST_TMP/r/etc/hosts"
	tar -C "$TEST_TMP/r" -cf "$TEST_TMP/r.tar" .
	f import -q "$TEST_TMP/r.tar" localhost/many-hosts >/dev/null
	# Before, each name was looked up in the list of those before it:
	# hours of a ferry that seemed hung, at every start.
	run timeout 60 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" run --rm --hosts-file image localhost/many-hosts \
		/busybox sh -c '/busybox grep -c "^10.0.0.1	n" /etc/hosts; /busybox tail -n 1 /etc/hosts'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 900000 ]
	[[ "${lines[1]}" == "127.0.0.1	"* ]]
}

@test "export -o, save -o, commit --iidfile and --cidfile write into a device, a FIFO or /dev/stdout's link, never over it" {
	load_test_image
	f create --name c1 $IMG true >/dev/null
	mknod "$TEST_TMP/null" c 1 3
	ln -s /proc/self/fd/1 "$TEST_TMP/stdout"
	mkfifo "$TEST_TMP/fifo"
	# Before, export -o /dev/null or -o /dev/stdout named a new regular
	# file in /dev in their place: the host lost its /dev/null (every
	# program's `>/dev/null` then filled a file) or its /dev/stdout link.
	f export -o "$TEST_TMP/null" c1
	[ -c "$TEST_TMP/null" ]
	f export -o "$TEST_TMP/stdout" c1 >"$TEST_TMP/out.tar"
	[ -L "$TEST_TMP/stdout" ]
	tar -tf "$TEST_TMP/out.tar" | grep -qx 'bin/busybox'
	cat "$TEST_TMP/fifo" >"$TEST_TMP/fifo.tar" &
	f export -o "$TEST_TMP/fifo" c1
	wait
	[ -p "$TEST_TMP/fifo" ]
	tar -tf "$TEST_TMP/fifo.tar" | grep -qx 'bin/busybox'
	# A link to a regular file is followed, as Podman follows it.
	echo old >"$TEST_TMP/target.tar"
	ln -s target.tar "$TEST_TMP/link"
	f export -o "$TEST_TMP/link" c1
	[ -L "$TEST_TMP/link" ]
	tar -tf "$TEST_TMP/target.tar" | grep -qx 'bin/busybox'
	f save -o "$TEST_TMP/null" $IMG
	[ -c "$TEST_TMP/null" ]
	f commit --iidfile "$TEST_TMP/null" c1 localhost/c1-image >/dev/null
	[ -c "$TEST_TMP/null" ]
	f create --cidfile "$TEST_TMP/null" --name c2 $IMG true >/dev/null
	[ -c "$TEST_TMP/null" ]
	f rm c2 >/dev/null
	[ -c "$TEST_TMP/null" ]
	# A directory is refused, and left as it was.
	mkdir "$TEST_TMP/d"
	run_ferry export -o "$TEST_TMP/d" c1
	assert_status 125
	assert_one_line_error
	[ -z "$(ls -A "$TEST_TMP/d")" ]
}

@test "checkpoint --export into a device or /dev/stdout's link writes the archive there, never over it" {
	load_test_image
	f run -d --name c1 $IMG sleep 1000 >/dev/null
	mknod "$TEST_TMP/null" c 1 3
	ln -s /proc/self/fd/1 "$TEST_TMP/stdout"
	# Before, the archive was renamed over them once complete.
	f container checkpoint --leave-running --export "$TEST_TMP/null" c1 >/dev/null
	[ -c "$TEST_TMP/null" ]
	f container checkpoint --leave-running --compress none --export "$TEST_TMP/stdout" c1 | cat >"$TEST_TMP/out.tar"
	[ -L "$TEST_TMP/stdout" ]
	tar -tf "$TEST_TMP/out.tar" 2>/dev/null | grep -qx 'config.dump'
	[ "$(ctr_status c1)" = running ]
	# A directory is refused before the container is touched.
	mkdir "$TEST_TMP/d"
	run_ferry container checkpoint --export "$TEST_TMP/d" c1
	assert_status 125
	assert_one_line_error
	[ -z "$(ls -A "$TEST_TMP/d")" ]
	[ "$(ctr_status c1)" = running ]
}

@test "an archive's containers.conf sysctls ask for --trust-archive unless this host's containers.conf gives them too" {
	load_test_image
	fb load -q -i "$(ferry_test_image)" >/dev/null
	printf '[containers]\ndefault_sysctls = ["net.ipv4.ping_group_range=0 0"]\n' >"$CONTAINERS_CONF"
	f run -d --name c1 $IMG sleep 1000 >/dev/null
	f container checkpoint -c none -e "$TEST_TMP/c1.tar" c1 >/dev/null
	[ "$(tar -xOf "$TEST_TMP/c1.tar" config.dump | jq -c .ferry.DefaultSysctls)" = '{"net.ipv4.ping_group_range":"0 0"}' ]
	# An archive that says another host's containers.conf gave it a
	# sysctl gets no more than one that asks for it as --sysctl does.
	rewrite_archive "$TEST_TMP/c1.tar" "$TEST_TMP/bad.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'config.dump':
        j = json.loads(d)
        j['ferry']['DefaultSysctls'] = {'net.ipv4.ip_unprivileged_port_start': '0'}
        members[i] = (m, json.dumps(j).encode())
"
	run_fb container restore -i "$TEST_TMP/bad.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "bad.tar\` asks for sysctl \`net.ipv4.ip_unprivileged_port_start=0\`"
	[ -z "$(fb ps -aq)" ]
	# The defaults this host gives a plain run ask for nothing, and none
	# without a containers.conf default.
	fb container restore -i "$TEST_TMP/c1.tar" >/dev/null
	[ "$(fb exec c1 cat /proc/sys/net/ipv4/ping_group_range | tr -s '\t ' ' ')" = "0 0" ]
	fb rm -f -t 0 c1 >/dev/null
	: >"$CONTAINERS_CONF"
	run_fb container restore -i "$TEST_TMP/c1.tar"
	assert_status 125
	assert_output_contains "c1.tar\` asks for sysctl \`net.ipv4.ping_group_range=0 0\`"
	f rm -f -t 0 c1 >/dev/null
}

@test "the settle of a killed checkpoint leaves alone a process group that took the recorded one's number" {
	load_test_image
	f run -d --name c1 $IMG sleep 1000 >/dev/null
	run env FERRY_FAULT=checkpoint-runtime-started "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" container checkpoint c1
	[ "$status" -eq 137 ]
	# The recorded group is gone; another group gets its number, led by a
	# process named as a runtime (another engine's runc, say).  The number
	# is given to the record, as PID reuse would.
	cp "$(command -v sleep)" "$TEST_TMP/runc"
	# Started a clock tick (10 ms) later at least, as a process that took
	# a number 32768 forks later is: started in the same tick, it would be
	# the recorded group's leader by its start time.
	sleep 0.1
	setsid "$TEST_TMP/runc" 1000 &
	other=$!
	wait_until "[ \"\$(ps -o pgid= -p $other | tr -d ' ')\" = $other ]"
	sqlite3 "$ROOT/ferry.db" "UPDATE operations SET detail = json_set(detail, '\$.helper_pgid', $other)"
	# Before, the settle waited for that group to end for 30 s, then
	# killed its runc.
	run timeout 60 "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" ps
	[ "$status" -eq 0 ]
	[ "$(ps -o stat= -p "$other" | cut -c1)" = S ]
	[ "$(ctr_status c1)" = running ]
	kill "$other"
	wait "$other" || true
}
