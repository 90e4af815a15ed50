#!/usr/bin/env bats
# image scp: an image copied to, from and between other hosts through ssh,
# streamed from save into load with no file on either side.
#
# The hosts are network-helpers' two network namespaces, host B with an
# sshd of the test's own.  B's ferry uses the root FERRY_ROOT names, which
# the test's ssh config sends; a second sshd on B (port 2222) sets its own
# FERRY_ROOT (rootC), so that B:22 and B:2222 are two stores, for copies
# between two other hosts.

bats_require_minimum_version 1.5.0

load helpers
load network-helpers
load podman-helpers

teardown() {
	podman_teardown
	# Host B's second store (rootC), before the hosts go.
	if [ -n "${HB:-}" ]; then
		NET_ROOTS=rootC:runC net_remove_containers nsenter --net="/run/netns/$HB"
	fi
	hosts_teardown
}

fc() { nsenter --net="/run/netns/$HB" "$FERRY_BIN" --root "$TEST_TMP/rootC" --runroot "$TEST_TMP/runC" "$@"; }

# Host A's ferry, with B's port 22 sessions pointed at rootB.
fa_scp() {
	FERRY_ROOT=$TEST_TMP/rootB FERRY_RUNROOT=$TEST_TMP/runB fa image scp "$@"
}

run_fa_scp() {
	run --separate-stderr env FERRY_ROOT="$TEST_TMP/rootB" FERRY_RUNROOT="$TEST_TMP/runB" \
		nsenter --net="/run/netns/$HA" "$FERRY_BIN" --root "$TEST_TMP/root" --runroot "$TEST_TMP/run" image scp "$@"
}

# A second sshd on B, on port 2222, whose sessions use rootC and find
# ferry in BIN (default: this build).
sshd_c_start() {
	local s=$TEST_TMP/ssh bin=${1:-$TEST_TMP/bin}
	echo "[$B_IP]:2222 $(cut -d' ' -f1,2 "$s/host_key.pub")" >>"$s/known_hosts"
	nsenter --net="/run/netns/$HB" /usr/sbin/sshd -f "$s/sshd_config" -o Port=2222 -o PidFile="$s/sshd2.pid" \
		-o "SetEnv=PATH=$bin:/usr/sbin:/usr/bin:/sbin:/bin FERRY_ROOT=$TEST_TMP/rootC FERRY_RUNROOT=$TEST_TMP/runC" \
		-E "$s/sshd2.log"
	wait_until "nsenter --net=/run/netns/$HA bash -c 'echo >/dev/tcp/$B_IP/2222' 2>/dev/null"
}

image_id() { "$@" image inspect --format '{{.Id}} {{.Digest}}' ferry-test; }

# Nothing of a load left in ROOT's store.
assert_no_spool() {
	[ -z "$(find "$1/storage/tmp" -mindepth 1 -maxdepth 1 -name 'load-*')" ]
}

@test "image scp: to another host, back, and between two other hosts: the same image ID and digest, a container runs from each" {
	hosts_setup
	fbh rmi -f ferry-test >/dev/null
	want=$(image_id fa)
	# This host to B.
	run_fa_scp ferry-test "root@$B_IP::"
	assert_status 0
	[ "$output" = "Loaded image: localhost/ferry-test:latest" ]
	[[ "$stderr" == *"Writing manifest to image destination"* ]]
	[ "$(image_id fbh)" = "$want" ]
	[ "$(fbh run --rm ferry-test echo carried)" = carried ]
	# B to this host.
	fa rmi -f ferry-test >/dev/null
	run_fa_scp "root@$B_IP::ferry-test"
	assert_status 0
	[ "$output" = "Loaded image: localhost/ferry-test:latest" ]
	[ "$(image_id fa)" = "$want" ]
	[ "$(fa run --rm ferry-test echo back)" = back ]
	# B (port 22, rootB) to "another host" (port 2222, rootC), streamed
	# from one ssh into the other; -q prints nothing.
	sshd_c_start
	run_fa_scp -q "ssh://root@$B_IP::ferry-test" "root@$B_IP:2222::"
	assert_status 0
	[ "$output" = "" ]
	[ -z "$stderr" ]
	[ "$(image_id fc)" = "$want" ]
	[ "$(fc run --rm ferry-test echo third)" = third ]
	assert_no_spool "$TEST_TMP/root"
	assert_no_spool "$TEST_TMP/rootB"
	assert_no_spool "$TEST_TMP/rootC"
}

@test "image scp: what cannot be copied is refused in one line, before anything starts, and leaves both stores as they were" {
	hosts_setup
	fbh rmi -f ferry-test >/dev/null
	# No such image here: ssh never runs (no session in sshd's log).
	run_fa_scp nosuch "root@$B_IP::"
	assert_status 125
	[ "$stderr" = "Error: nosuch: image not known" ]
	[ "$(grep -c Accepted "$TEST_TMP/ssh/sshd.log")" = 0 ]
	# No such image there: its ferry's words, nothing loaded here.
	fa rmi -f ferry-test >/dev/null
	run_fa_scp "root@$B_IP::nosuch"
	assert_status 125
	[ "$stderr" = "Error: cannot save image nosuch on root@$B_IP: nosuch: image not known" ]
	[ "$(fa images -q | wc -l)" = 0 ]
	assert_no_spool "$TEST_TMP/root"
	# Forms ferry does not take.
	fa load -q -i "$(ferry_test_image)"
	for args in "ferry-test" "ferry-test root@localhost::" "ferry-test root@$B_IP::newname" \
		"ferry-test root@$B_IP:22/run/podman/podman.sock::" "ferry-test a::b::" "ferry-test ::" \
		"root@$B_IP:: root@$B_IP::" "ferry-test root@$B_IP:99999::" "a b c"; do
		# shellcheck disable=SC2086
		run_fa_scp $args
		assert_status 125
		[ "${#lines[@]}" = 0 ]
		[ "$(printf '%s\n' "$stderr" | wc -l)" = 1 ]
		[[ "$stderr" == Error:* ]]
	done
	[ "$(fbh images -q | wc -l)" = 0 ]
	# B unreachable: ssh's words.
	sshd_stop
	run_fa_scp ferry-test "root@$B_IP::"
	assert_status 125
	[[ "$stderr" == "Error: cannot load image ferry-test on root@$B_IP: ssh: connect to host $B_IP port 22:"* ]]
}

@test "image scp: a host that sends a damaged or hostile archive gets nothing into this store" {
	hosts_setup
	fa rmi -f ferry-test >/dev/null
	# Port 2222's sessions find a "ferry" that sends the real archive cut
	# short, then one whose layer is swapped for another of the same size.
	mkdir -p "$TEST_TMP/evil"
	fbh save --format oci-archive -o "$TEST_TMP/good.tar" ferry-test
	cat >"$TEST_TMP/evil/ferry" <<-EOF
		#!/bin/sh
		exec head -c \$(( \$(stat -c %s "$TEST_TMP/good.tar") / 2 )) "$TEST_TMP/good.tar"
	EOF
	chmod +x "$TEST_TMP/evil/ferry"
	sshd_c_start "$TEST_TMP/evil"
	run_fa_scp "root@$B_IP:2222::ferry-test"
	assert_status 125
	[ "$(printf '%s\n' "$stderr" | wc -l)" = 1 ]
	[[ "$stderr" == "Error: "*"root@$B_IP:2222::ferry-test"* ]]
	[ "$(fa images -q | wc -l)" = 0 ]
	assert_no_spool "$TEST_TMP/root"
	# The whole archive, with one blob's bytes changed (its digest no
	# longer matches): refused, nothing recorded.
	python3 - "$TEST_TMP/good.tar" "$TEST_TMP/evil.tar" <<-'EOF'
		import sys, tarfile, io
		src = tarfile.open(sys.argv[1]); dst = tarfile.open(sys.argv[2], "w")
		biggest = max((m for m in src.getmembers() if m.isfile()), key=lambda m: m.size)
		for m in src.getmembers():
		    data = src.extractfile(m).read() if m.isfile() else None
		    if m.name == biggest.name:
		        data = bytes([data[0] ^ 1]) + data[1:]
		    dst.addfile(m, io.BytesIO(data) if data is not None else None)
		dst.close()
	EOF
	printf '#!/bin/sh\nexec cat %s\n' "$TEST_TMP/evil.tar" >"$TEST_TMP/evil/ferry"
	run_fa_scp "root@$B_IP:2222::ferry-test"
	assert_status 125
	[ "$(printf '%s\n' "$stderr" | wc -l)" = 1 ]
	[[ "$stderr" == *"sha256:"* ]]
	[ "$(fa images -q | wc -l)" = 0 ]
	assert_no_spool "$TEST_TMP/root"
}

@test "image scp: usage errors' first words and exit codes as Podman's, and unknown flags' words (live)" {
	need_podman
	for tool in f podman_t; do
		: >"$TEST_TMP/$tool.sed"
		step $tool image scp
		step $tool image scp a b c
		step $tool image scp ferry-test
		step $tool image scp ferry-test -x@host::
		step $tool images -ax
		step $tool images --bogus=1
		# The unknown flags' lines whole, the others' first words.
		sed -E -e "s/See 'podman /See 'ferry /" -e '/unknown (shorthand )?flag/!s/^(  err: Error: [^:]*).*/\1/' \
			"$TEST_TMP/$tool.log" >"$TEST_TMP/$tool.cmp"
	done
	diff -u "$TEST_TMP/podman_t.cmp" "$TEST_TMP/f.cmp"
}

@test "system connection: add, list, default, rename and remove as Podman does them, in Podman's file (live)" {
	need_podman
	for tool in f podman_t; do
		export PODMAN_CONNECTIONS_CONF=$TEST_TMP/$tool.json
		: >"$TEST_TMP/$tool.sed"
		step $tool system connection add --socket-path /run/podman/podman.sock one ssh://root@192.0.2.1
		step $tool system connection add --socket-path /x --identity /etc/hostname two core@192.0.2.2:2200
		step $tool system connection add --socket-path /x -p 2201 three 192.0.2.3
		step $tool system connection ls
		step_sorted $tool system connection ls -q
		step $tool system connection ls --format '{{.Name}} {{.URI}} {{.Identity}} {{.Default}} {{.ReadWrite}}'
		step $tool system connection rename three drei
		step $tool system connection default drei
		step $tool system connection rm one
		step $tool system connection rm nosuch
		step $tool system connection default nosuch
		step $tool system connection rename nosuch x
		step $tool system connection add x
		step $tool system connection ls --format json
		step $tool system connection rm -a
		step $tool system connection ls
		sed "s/podman system/ferry system/" "$TEST_TMP/$tool.log" >"$TEST_TMP/$tool.cmp"
		# The same file, less what Podman keeps for its farms.
		jq -S 'del(.Farm)' "$PODMAN_CONNECTIONS_CONF" >"$TEST_TMP/$tool.file"
	done
	unset PODMAN_CONNECTIONS_CONF
	# JSON's indentation is each tool's own.
	diff -u <(grep -v '^  out: *[][{}"]' "$TEST_TMP/podman_t.cmp") <(grep -v '^  out: *[][{}"]' "$TEST_TMP/f.cmp")
	diff -u <(grep '^  out: *[][{}"]' "$TEST_TMP/podman_t.cmp" | tr -d ' ') <(grep '^  out: *[][{}"]' "$TEST_TMP/f.cmp" | tr -d ' ')
	diff -u "$TEST_TMP/podman_t.file" "$TEST_TMP/f.file"
}

@test "system connection: a name reaches ferry there for image scp and container migrate, with its identity; a destination that does not answer is not recorded" {
	hosts_setup
	export PODMAN_CONNECTIONS_CONF=$TEST_TMP/connections.json
	sshd_c_start
	# Checked through ssh (ferry answers there) before it is recorded; the
	# identity is ssh's -i.
	fa system connection add --identity "$TEST_TMP/ssh/user_key" hostc "root@$B_IP:2222"
	[ "$(fa system connection ls --format '{{.Name}} {{.URI}} {{.Default}}')" = "hostc ssh://root@$B_IP:2222 true" ]
	[ "$(jq -r .Connection.Connections.hostc.Identity "$PODMAN_CONNECTIONS_CONF")" = "$TEST_TMP/ssh/user_key" ]
	# Nothing listens on 2299: refused in one line, the file as it was.
	cp "$PODMAN_CONNECTIONS_CONF" "$TEST_TMP/before.json"
	run nsenter --net="/run/netns/$HA" "$FERRY_BIN" system connection add nobody "root@$B_IP:2299"
	assert_status 125
	assert_one_line_error
	assert_output_contains "failed to connect to root@$B_IP:2299"
	cmp "$PODMAN_CONNECTIONS_CONF" "$TEST_TMP/before.json"
	# image scp to the connection's store (rootC).
	fc rmi -f ferry-test >/dev/null 2>&1 || true
	run fa image scp ferry-test hostc::
	assert_status 0
	[[ "$output" == *"Loaded image: localhost/ferry-test:latest" ]]
	[ "$(image_id fc)" = "$(image_id fa)" ]
	# container migrate to it: the container carries on there.
	fa run -d --name counter ferry-test sh -c 'i=0; while true; do echo $i; i=$((i+1)); sleep 0.1; done' >/dev/null
	sleep 0.5
	run nsenter --net="/run/netns/$HA" "$FERRY_BIN" --root "$TEST_TMP/root" --runroot "$TEST_TMP/run" \
		container migrate counter hostc
	assert_status 0
	run fa container exists counter
	assert_status 1
	[ "$(fc inspect --format '{{.State.Status}}' counter)" = running ]
	fc rm -f -t 0 counter >/dev/null
	# A damaged connections file is named, not guessed around.
	echo '{"Connection": {"Connections": {"bad": "ssh://x"}}}' >"$PODMAN_CONNECTIONS_CONF"
	run fa image scp ferry-test hostc::
	assert_status 125
	assert_one_line_error
	assert_output_contains "$PODMAN_CONNECTIONS_CONF"
}
