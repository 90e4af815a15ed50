#!/usr/bin/env bats
# Input from outside that must neither harm the host nor hang or crash
# ferry, seventh part (see 128 for the sixth): the names an unsigned
# checkpoint archive would give its container in a network's DNS, which
# aardvark-dns compares without regard to case; and what commands acting
# on several containers side by side meet from outside: another rm taking
# their containers first, containers that join others' namespaces.

load helpers

bats_require_minimum_version 1.5.0

IMG=localhost/ferry-test

# A network of the test's own, n1 on bridge ftv<N+2000>.
eval "untrusted7_$(declare -f setup)"
setup() {
	untrusted7_setup
	N=$(net_number)
	BR=ftv$((N + 2000))
	SUBNET=10.217.$N.0/24
}

eval "untrusted7_$(declare -f teardown)"
teardown() {
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	ip link del "${BR:-none}" 2>/dev/null || true
	untrusted7_teardown
}

# The archive $TEST_TMP/evil.tar of a container NAME on n1 with the
# aliases given after it; the container is removed.
evil_archive() {
	local name=$1 a args=()
	shift
	for a in "$@"; do args+=(--network-alias "$a"); done
	f run -d --name "$name" --network n1 "${args[@]}" $IMG sleep 1000 >/dev/null
	f container checkpoint --export "$TEST_TMP/evil.tar" "$name" >/dev/null
	f rm "$name" >/dev/null
}

@test "an archive's alias that is another container's name in another case asks for --trust-archive: aardvark-dns answers both" {
	load_test_image
	f network create --interface-name "$BR" --subnet "$SUBNET" n1 >/dev/null
	evil_archive evil DB
	f run -d --name db --network n1 $IMG sleep 1000 >/dev/null
	# Before, the check compared names as they were written, and db's
	# address came with evil's.
	run_ferry container restore --import "$TEST_TMP/evil.tar" --ignore-static-ip
	assert_status 125
	assert_one_line_error
	assert_output_contains "gives its container the alias \"DB\" on network n1, which is the name of container db there: restore with --trust-archive"
	[ "$(f ps -a --format '{{.Names}}')" = db ]
	# What the refusal spares: vouched for, the restored container answers
	# for db too.
	f container restore --import "$TEST_TMP/evil.tar" --trust-archive --ignore-static-ip >/dev/null
	f exec db nslookup db >"$TEST_TMP/ns" 2>&1 || true
	[ "$(grep -c '^Address: *10\.217\.[0-9]*\.[0-9]*$' "$TEST_TMP/ns")" -eq 2 ]
}

@test "an archive's own name, or a short ID as an alias, that another container on the network answers to asks for --trust-archive" {
	load_test_image
	f network create --interface-name "$BR" --subnet "$SUBNET" n1 >/dev/null
	# Its name: "Db" is db's name in n1's DNS.
	evil_archive Db
	f run -d --name db --network n1 $IMG sleep 1000 >/dev/null
	run_ferry container restore --import "$TEST_TMP/evil.tar" --ignore-static-ip
	assert_status 125
	assert_one_line_error
	assert_output_contains "gives its container the name \"Db\" on network n1, which is the name of container db there: restore with --trust-archive"
	[ "$(f ps -a --format '{{.Names}}')" = db ]
	# Renamed by whoever restores it, the name is theirs.
	f container restore --import "$TEST_TMP/evil.tar" --name other >/dev/null
	f rm -f -t 0 other >/dev/null
	# An alias that is db's short ID, in capitals.
	short=$(f inspect --format '{{.Id}}' db | cut -c1-12 | tr a-f A-F)
	evil_archive evil2 "$short"
	run_ferry container restore --import "$TEST_TMP/evil.tar" --ignore-static-ip
	assert_status 125
	assert_one_line_error
	assert_output_contains "gives its container the alias \"$short\" on network n1, which is the short ID of container db there"
	[ "$(f ps -a --format '{{.Names}}')" = db ]
}

# The processes stopped (state T) among the children of $1.
stopped_children() {
	local c n=0
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		[ "$(awk '{print $3}' /proc/"$c"/stat 2>/dev/null)" = T ] && n=$((n + 1))
	done
	echo $n
}

@test "rm of containers another rm removed since it picked them says they are gone, as Podman's, and exits 0" {
	load_test_image
	f create --name a $IMG true >/dev/null
	f create --name b $IMG true >/dev/null
	# Its two workers stop once they hold their containers' IDs.
	FERRY_FAULT=rm-resolved:stop "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" rm a b \
		>"$TEST_TMP/out" 2>"$TEST_TMP/err" &
	pid=$!
	wait_until '[ "$(stopped_children $pid)" -eq 2 ]'
	f rm a b >/dev/null
	for c in $(cat /proc/"$pid"/task/*/children); do kill -CONT "$c"; done
	rc=0
	wait "$pid" || rc=$?
	# Before, each failed with "no container with name or ID ... found"
	# and the command exited 1.
	cat "$TEST_TMP/err" >&2
	[ "$rc" -eq 0 ]
	[ ! -s "$TEST_TMP/err" ]
	[ "$(cat "$TEST_TMP/out" | tr '\n' ' ')" = "a b " ]
	[ -z "$(f ps -aq)" ]
}

# The network namespace of container $1's process, as the host names it.
netns_of() {
	readlink /proc/"$(f inspect --format '{{.State.Pid}}' "$1")"/ns/net
}

@test "restart of a container and one that joins its network restarts them in turn, as Podman's: side by side, the second joined the first's old namespace or none" {
	load_test_image
	# a ignores SIGTERM (sleep as PID 1) and takes the whole timeout to
	# stop; b stops at once.
	f run -d --name a $IMG sleep 1000 >/dev/null
	f run -d --name b --network container:a $IMG sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
	run_ferry restart -t 2 a b
	assert_status 0
	# (a's stop timeout has a warning of its own, Podman's words)
	[ "$(printf '%s\n' "$output" | grep -v 'level=warning')" = "$(printf 'a\nb')" ]
	[ "$(f inspect --format '{{.State.Status}}' a)" = running ]
	[ "$(f inspect --format '{{.State.Status}}' b)" = running ]
	# Before, b had restarted into the namespace a was leaving.
	[ "$(netns_of a)" = "$(netns_of b)" ]
}

# The container IDs in network $1's aardvark-dns configuration under the
# runroot, sorted (none when it is gone).
dns_ids() {
	local file
	file=$(find "$RUNROOT" -path '*aardvark-dns*' -type f -name "$1" 2>/dev/null | head -1)
	[ -n "$file" ] || return 0
	tail -n +2 "$file" | awk '{print $1}' | sort
}

@test "stop and rm of many containers side by side on a DNS network: each worker's netavark takes its own container out of aardvark-dns, none other, none left" {
	load_test_image
	local n running=() stopped=()
	f network create --interface-name "$BR" --subnet "$SUBNET" n1 >/dev/null
	for n in $(seq 1 20); do
		f run -d --name "c$n" --network n1 $IMG sleep 1000 >/dev/null
		if [ $((n % 2)) -eq 0 ]; then stopped+=("c$n"); else running+=("c$n"); fi
	done
	[ "$(dns_ids n1 | wc -l)" -eq 20 ]
	# A lost update would leave a stopped container's name answering with
	# an address the next container on n1 may get.
	f stop -t 0 "${stopped[@]}" >/dev/null
	[ "$(dns_ids n1)" = "$(f inspect --format '{{.Id}}' "${running[@]}" | sort)" ]
	f exec c1 nslookup c3 >/dev/null
	! f exec c1 nslookup c2 >/dev/null 2>&1 || false
	f rm -f -t 0 "${running[@]}" "${stopped[@]}" >/dev/null
	[ -z "$(dns_ids n1)" ]
	[ -z "$(f ps -aq)" ]
}
