#!/usr/bin/env bats
# run and create flags as a Podman user types them: --group-add, --umask,
# --hosts-file, --unsetenv, --unsetenv-all, --env-merge, --env-host,
# --http-proxy, --label-file, --no-hostname, --pid, --ipc, --uts.  What
# inspect shows and what the container sees are compared with what Podman
# 5.4 showed (kept below), and, where Podman is installed, with Podman run
# live on roots of the test's own.  Each flag that changes what a container
# is goes through checkpoint and restore, in place and with --export/--import
# onto another root, or is refused by checkpoint before anything is frozen.

load helpers
load podman-helpers

teardown() {
	podman_teardown
	ferry_teardown
}

# Prints, for TOOL, "$ ARGS -> CODE" and the first word of an error (the
# rest is each tool's own), or the output.
show() {
	local tool=$1 rc=0 out
	shift
	out=$("$tool" "$@" 2>&1) || rc=$?
	echo "\$ $* -> $rc" | sed "s#$TEST_TMP#TMP#g"
	[ -z "$out" ] || sed -e "s#$TEST_TMP#TMP#g" -e 's/^\(Error: [^ ]*\) .*/\1 .../' -e 's/^See .*/See .../' -e 's/^[0-9a-f]\{12\}$/ID12/' -e 's/^[0-9a-f]\{64\}$/ID64/' \
		-e 's/^/  /' <<<"$out"
}

groups_umask_hosts() {
	local t=$1 img=localhost/ferry-test:latest
	printf '10.1.1.1\tfromfile\n' >"$TEST_TMP/hosts"
	show "$t" run --rm --network none --group-add 1234 --group-add root,nogroup --umask 027 "$img" \
		sh -c 'id; umask; touch /f; stat -c %a /f'
	show "$t" run --rm --network none --umask 77 "$img" sh -c umask
	show "$t" run --rm --network none --group-add keep-groups "$img" id
	show "$t" run --rm --network none --group-add nosuch "$img" id
	show "$t" run --rm --network none --group-add keep-groups --group-add 5 "$img" id
	show "$t" run --rm --network none --umask 999 "$img" true
	show "$t" run --rm --network none --umask abc "$img" true
	show "$t" run --rm --network none --umask 01777 "$img" true
	show "$t" run --rm --network none --hosts-file "$TEST_TMP/hosts" "$img" sh -c 'head -n1 /etc/hosts; grep -c localhost /etc/hosts'
	show "$t" run --rm --network none --hosts-file none "$img" sh -c 'grep -c fromfile /etc/hosts'
	show "$t" run --rm --network none --hosts-file "$TEST_TMP/hosts" --no-hosts "$img" true
	"$t" create --name g1 --network none --group-add 1234 --group-add root --umask 27 \
		--hosts-file "$TEST_TMP/hosts" "$img" true >/dev/null
	"$t" create --name g2 --network none --group-add keep-groups "$img" true >/dev/null
	"$t" create --name g3 --network none "$img" true >/dev/null
	local fmt='{{json .HostConfig.GroupAdd}} {{.Config.Umask}} [{{.HostConfig.HostsFile}}]'
	show "$t" inspect --format "$fmt" g1
	show "$t" inspect --format "$fmt {{json .Config.Annotations}}" g2
	show "$t" inspect --format "$fmt" g3
	"$t" rm -af -t 0 >/dev/null
}

@test "--group-add, --umask and --hosts-file as Podman's" {
	compare_output_with_podman groups_umask_hosts <<-'EOF'
		$ run --rm --network none --group-add 1234 --group-add root,nogroup --umask 027 localhost/ferry-test:latest sh -c id; umask; touch /f; stat -c %a /f -> 0
		  uid=0(root) gid=0(root) groups=0(root),1234,65534(nogroup)
		  0027
		  640
		$ run --rm --network none --umask 77 localhost/ferry-test:latest sh -c umask -> 0
		  0077
		$ run --rm --network none --group-add keep-groups localhost/ferry-test:latest id -> 0
		  uid=0(root) gid=0(root)
		$ run --rm --network none --group-add nosuch localhost/ferry-test:latest id -> 126
		  Error: looking ...
		$ run --rm --network none --group-add keep-groups --group-add 5 localhost/ferry-test:latest id -> 125
		  Error: the ...
		$ run --rm --network none --umask 999 localhost/ferry-test:latest true -> 125
		  Error: running ...
		$ run --rm --network none --umask abc localhost/ferry-test:latest true -> 125
		  Error: running ...
		$ run --rm --network none --umask 01777 localhost/ferry-test:latest true -> 125
		  Error: running ...
		$ run --rm --network none --hosts-file TMP/hosts localhost/ferry-test:latest sh -c head -n1 /etc/hosts; grep -c localhost /etc/hosts -> 0
		  10.1.1.1	fromfile
		  2
		$ run --rm --network none --hosts-file none localhost/ferry-test:latest sh -c grep -c fromfile /etc/hosts -> 1
		  0
		$ run --rm --network none --hosts-file TMP/hosts --no-hosts localhost/ferry-test:latest true -> 125
		  Error: --no-hosts ...
		$ inspect --format {{json .HostConfig.GroupAdd}} {{.Config.Umask}} [{{.HostConfig.HostsFile}}] g1 -> 0
		  ["1234","root"] 0027 [TMP/hosts]
		$ inspect --format {{json .HostConfig.GroupAdd}} {{.Config.Umask}} [{{.HostConfig.HostsFile}}] {{json .Config.Annotations}} g2 -> 0
		  [] 0022 [] {"run.oci.keep_original_groups":"1"}
		$ inspect --format {{json .HostConfig.GroupAdd}} {{.Config.Umask}} [{{.HostConfig.HostsFile}}] g3 -> 0
		  [] 0022 []
	EOF
}

@test "--group-add, --umask, --hosts-file and --no-hostname stay through checkpoint and restore, in place and onto another root" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	printf '10.1.1.1\tfromfile\n' >"$TEST_TMP/hosts"
	f run -d --name gu --group-add 1234 --group-add nogroup --umask 0027 --hosts-file "$TEST_TMP/hosts" --no-hostname \
		ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs gu | wc -l)" -ge 2 ]'
	# What the container's PID 1 has, and a file its shell makes.
	see='grep -E "^(Groups|Umask)" /proc/1/status | tr -s "\t " " "; head -n1 /etc/hosts; ls /etc/hostname 2>&1'
	want=$(printf 'Umask: 0027\nGroups: 1234 65534 \n10.1.1.1\tfromfile\nls: /etc/hostname: No such file or directory')
	[ "$(f exec gu sh -c "$see")" = "$want" ]
	fmt='{{json .HostConfig.GroupAdd}} {{.Config.Umask}} {{.HostConfig.HostsFile}}'
	want_inspect="[\"1234\",\"nogroup\"] 0027 $TEST_TMP/hosts"

	f container checkpoint gu >/dev/null
	f container restore gu >/dev/null
	[ "$(f exec gu sh -c "$see")" = "$want" ]
	[ "$(f inspect --format "$fmt" gu)" = "$want_inspect" ]

	f container checkpoint -c none -e "$TEST_TMP/gu.tar" gu >/dev/null
	f rm gu >/dev/null
	# The host file is read into the container: only from a trusted archive.
	run_fb container restore -i "$TEST_TMP/gu.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "asks for hosts file (--hosts-file) on the host at \`$TEST_TMP/hosts\`: restore with --trust-archive"
	[ -z "$(fb ps -a -q)" ]
	run_fb container restore --trust-archive -i "$TEST_TMP/gu.tar"
	assert_status 0
	[ "$(fb exec gu sh -c "$see")" = "$want" ]
	[ "$(fb inspect --format "$fmt" gu)" = "$want_inspect" ]
	assert_counts_on gu fb
	fb rm -f -t 0 gu >/dev/null
}

@test "--hosts-file none and image need no trust in an archive, and a bad one is refused by name" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name hn --hosts-file none --umask 0077 ferry-test sleep 1000 >/dev/null
	f container checkpoint -c none -e "$TEST_TMP/hn.tar" hn >/dev/null
	f rm hn >/dev/null
	run_fb container restore -i "$TEST_TMP/hn.tar"
	assert_status 0
	[ "$(fb inspect --format '{{.HostConfig.HostsFile}} {{.Config.Umask}}' hn)" = "none 0077" ]
	fb rm -f -t 0 hn >/dev/null

	local bad
	for bad in "--umask 8" "--umask 1000" "--group-add a:b" "--group-add 2147483648"; do
		# shellcheck disable=SC2086
		run_ferry create $bad ferry-test true
		assert_status 125
		assert_one_line_error
		assert_output_contains "${bad#* }"
	done
	run_ferry create --hosts-file "$(printf '/a\nb')" ferry-test true
	assert_status 125
	[ -z "$(f ps -a -q)" ]
}

# The container's environment, sorted, without what each engine names
# after itself or the container (HOSTNAME, HOME, container=).
env_of() {
	local t=$1 rc=0 out
	shift
	out=$("$t" run --rm --network none "$@" localhost/ferry-test:latest /bin/env 2>&1) || rc=$?
	out=$(tr -d '\r' <<<"$out")
	echo "\$ $* -> $rc"
	sed -e 's/^container=.*/container=ENGINE/' -e '/^HOSTNAME=/d' -e '/^HOME=/d' \
		-e 's/^\(Error: [^ ]*\) .*/\1 .../' -e 's/^See .*/See .../' -e 's/^/  /' <<<"$out" | sort
}

environments() {
	local t=$1
	env_of "$t" --unsetenv PATH
	env_of "$t" --unsetenv-all -e A=1
	env_of "$t" -e A=1 --unsetenv A --unsetenv container
	env_of "$t" -t --unsetenv TERM
	env_of "$t" --env-merge 'PATH=${PATH}:/extra' --env-merge 'B=x${NOPE}y$PATH' --env-merge C=plain
	env_of "$t" -e A=1 --env-merge 'A=${A}2'
	env_of "$t" --env-merge PATH
	FERRY_T_X=1 env_of "$t" --env-host --unsetenv FERRY_T_X -e FERRY_T_Y=2 | grep -e FERRY_T_ -e '^\$'
	FERRY_T_X=1 env_of "$t" --env-host=false | grep -e FERRY_T_ -e '^\$'
	http_proxy=http://p:1 HTTPS_PROXY=http://q:2 no_proxy=x env_of "$t"
	http_proxy=http://p:1 env_of "$t" --unsetenv-all
	http_proxy=http://p:1 env_of "$t" --http-proxy=false
	http_proxy=http://p:1 env_of "$t" -e http_proxy=mine
	env_of "$t" --http-proxy=maybe
	env_of "$t" --env-host=nope
}

@test "--unsetenv, --unsetenv-all, --env-merge, --env-host and the host's proxy variables as Podman's" {
	unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY ftp_proxy FTP_PROXY no_proxy NO_PROXY
	compare_output_with_podman environments <<-'EOF'
		$ --unsetenv PATH -> 0
		  container=ENGINE
		$ --unsetenv-all -e A=1 -> 0
		  A=1
		$ -e A=1 --unsetenv A --unsetenv container -> 0
		  A=1
		  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		$ -t --unsetenv TERM -> 0
		  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		  container=ENGINE
		$ --env-merge PATH=${PATH}:/extra --env-merge B=x${NOPE}y$PATH --env-merge C=plain -> 0
		  B=xy/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/extra
		  C=plain
		  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/extra
		  container=ENGINE
		$ -e A=1 --env-merge A=${A}2 -> 0
		  A=1
		  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		  container=ENGINE
		$ --env-merge PATH -> 125
		  Error: missing ...
		$ --env-host --unsetenv FERRY_T_X -e FERRY_T_Y=2 -> 0
		  FERRY_T_X=1
		  FERRY_T_Y=2
		$ --env-host=false -> 0
		$  -> 0
		  HTTPS_PROXY=http://q:2
		  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		  container=ENGINE
		  http_proxy=http://p:1
		  no_proxy=x
		$ --unsetenv-all -> 0
		  http_proxy=http://p:1
		$ --http-proxy=false -> 0
		  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		  container=ENGINE
		$ -e http_proxy=mine -> 0
		  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		  container=ENGINE
		  http_proxy=mine
		$ --http-proxy=maybe -> 125
		  Error: invalid ...
		  See ...
		$ --env-host=nope -> 125
		  Error: invalid ...
		  See ...
	EOF
}

labels_and_hostname() {
	local t=$1 img=localhost/ferry-test:latest
	printf 'a=1\n# c\n\nb\n  c=3  \nd=x=y\n' >"$TEST_TMP/labels"
	printf '=v\n' >"$TEST_TMP/badlabels"
	"$t" create --name l1 --network none --label-file "$TEST_TMP/labels" -l a=2 "$img" true >/dev/null
	show "$t" inspect --format '{{json .Config.Labels}}' l1
	show "$t" create --network none --label-file "$TEST_TMP/nonexist" "$img" true
	show "$t" create --network none --label-file "$TEST_TMP/badlabels" "$img" true
	"$t" run -d --name h1 --network none --no-hostname "$img" sleep 100 >/dev/null
	show "$t" inspect --format '[{{.HostnamePath}}]' h1
	show "$t" run --rm --network none --no-hostname --hostname foo "$img" sh -c 'hostname; echo $HOSTNAME; [ -e /etc/hostname ] || echo no-file'
	"$t" rm -af -t 0 >/dev/null
}

@test "--label-file and --no-hostname as Podman's" {
	compare_output_with_podman labels_and_hostname <<-'EOF'
		$ inspect --format {{json .Config.Labels}} l1 -> 0
		  {"a":"2","c":"3  ","d":"x=y"}
		$ create --network none --label-file TMP/nonexist localhost/ferry-test:latest true -> 125
		  Error: unable ...
		$ create --network none --label-file TMP/badlabels localhost/ferry-test:latest true -> 125
		  Error: unable ...
		$ inspect --format [{{.HostnamePath}}] h1 -> 0
		  []
		$ run --rm --network none --no-hostname --hostname foo localhost/ferry-test:latest sh -c hostname; echo $HOSTNAME; [ -e /etc/hostname ] || echo no-file -> 0
		  foo
		  foo
		  no-file
	EOF
}

namespace_modes() {
	local t=$1 img=localhost/ferry-test:latest m
	local see='ls -d /dev/shm 2>&1; hostname; echo $HOSTNAME; for n in ipc uts pid; do [ "$(readlink /proc/self/ns/$n)" = "$(cat /tmp/host-$n)" ] && echo host-$n; done'
	for m in "--ipc none" "--ipc private" "--ipc shareable" "--ipc host" "--uts host" "--pid host" "--pid private"; do
		# shellcheck disable=SC2086
		show "$t" run --rm --network none -v "$TEST_TMP/ns:/tmp:ro" $m "$img" sh -c "$see"
	done
	for m in "--pid foo" "--ipc foo" "--uts none" "--pid none" "--pid ns:/nonexist" "--pid container:nosuch"; do
		# shellcheck disable=SC2086
		show "$t" create --network none $m "$img" true
	done
	"$t" create --name n1 --network none --ipc none --uts host "$img" true >/dev/null
	"$t" create --name n2 --network none --pid host --ipc private "$img" true >/dev/null
	"$t" create --name n3 --network none "$img" true >/dev/null
	local fmt='{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}}'
	show "$t" inspect --format "$fmt" n1
	show "$t" inspect --format "$fmt" n2
	show "$t" inspect --format "$fmt" n3
	"$t" run -d --name peer --network none "$img" sleep 1000 >/dev/null
	"$t" run -d --name j1 --network none --pid container:peer --ipc container:peer --uts container:peer "$img" sleep 1000 >/dev/null
	show "$t" exec j1 sh -c 'ps -o comm | grep -c sleep'
	[ "$("$t" inspect --format "$fmt" j1)" = "container:$("$t" inspect --format '{{.Id}}' peer) container:$("$t" inspect --format '{{.Id}}' peer) container:$("$t" inspect --format '{{.Id}}' peer)" ] && echo joined by ID
	"$t" rm -af -t 0 >/dev/null
}

@test "--pid, --ipc and --uts modes as Podman's" {
	mkdir -p "$TEST_TMP/ns"
	for n in ipc uts pid; do readlink /proc/self/ns/$n >"$TEST_TMP/ns/host-$n"; done
	hn=$(hostname)
	compare_output_with_podman namespace_modes < <(sed "s/HOSTNAME_OF_HOST/$hn/" <<-'EOF'
		$ run --rm --network none -v TMP/ns:/tmp:ro --ipc none localhost/ferry-test:latest sh -c ls -d /dev/shm 2>&1; hostname; echo $HOSTNAME; for n in ipc uts pid; do [ "$(readlink /proc/self/ns/$n)" = "$(cat /tmp/host-$n)" ] && echo host-$n; done -> 1
		  ls: /dev/shm: No such file or directory
		  ID12
		  ID12
		$ run --rm --network none -v TMP/ns:/tmp:ro --ipc private localhost/ferry-test:latest sh -c ls -d /dev/shm 2>&1; hostname; echo $HOSTNAME; for n in ipc uts pid; do [ "$(readlink /proc/self/ns/$n)" = "$(cat /tmp/host-$n)" ] && echo host-$n; done -> 1
		  /dev/shm
		  ID12
		  ID12
		$ run --rm --network none -v TMP/ns:/tmp:ro --ipc shareable localhost/ferry-test:latest sh -c ls -d /dev/shm 2>&1; hostname; echo $HOSTNAME; for n in ipc uts pid; do [ "$(readlink /proc/self/ns/$n)" = "$(cat /tmp/host-$n)" ] && echo host-$n; done -> 1
		  /dev/shm
		  ID12
		  ID12
		$ run --rm --network none -v TMP/ns:/tmp:ro --ipc host localhost/ferry-test:latest sh -c ls -d /dev/shm 2>&1; hostname; echo $HOSTNAME; for n in ipc uts pid; do [ "$(readlink /proc/self/ns/$n)" = "$(cat /tmp/host-$n)" ] && echo host-$n; done -> 1
		  /dev/shm
		  ID12
		  ID12
		  host-ipc
		$ run --rm --network none -v TMP/ns:/tmp:ro --uts host localhost/ferry-test:latest sh -c ls -d /dev/shm 2>&1; hostname; echo $HOSTNAME; for n in ipc uts pid; do [ "$(readlink /proc/self/ns/$n)" = "$(cat /tmp/host-$n)" ] && echo host-$n; done -> 1
		  /dev/shm
		  HOSTNAME_OF_HOST
		  HOSTNAME_OF_HOST
		  host-uts
		$ run --rm --network none -v TMP/ns:/tmp:ro --pid host localhost/ferry-test:latest sh -c ls -d /dev/shm 2>&1; hostname; echo $HOSTNAME; for n in ipc uts pid; do [ "$(readlink /proc/self/ns/$n)" = "$(cat /tmp/host-$n)" ] && echo host-$n; done -> 0
		  /dev/shm
		  ID12
		  ID12
		  host-pid
		$ run --rm --network none -v TMP/ns:/tmp:ro --pid private localhost/ferry-test:latest sh -c ls -d /dev/shm 2>&1; hostname; echo $HOSTNAME; for n in ipc uts pid; do [ "$(readlink /proc/self/ns/$n)" = "$(cat /tmp/host-$n)" ] && echo host-$n; done -> 1
		  /dev/shm
		  ID12
		  ID12
		$ create --network none --pid foo localhost/ferry-test:latest true -> 125
		  Error: unrecognized ...
		$ create --network none --ipc foo localhost/ferry-test:latest true -> 125
		  Error: unrecognized ...
		$ create --network none --uts none localhost/ferry-test:latest true -> 125
		  Error: unrecognized ...
		$ create --network none --pid none localhost/ferry-test:latest true -> 125
		  Error: unrecognized ...
		$ create --network none --pid ns:/nonexist localhost/ferry-test:latest true -> 125
		  Error: cannot ...
		$ create --network none --pid container:nosuch localhost/ferry-test:latest true -> 125
		  Error: looking ...
		$ inspect --format {{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}} n1 -> 0
		  private none host
		$ inspect --format {{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}} n2 -> 0
		  host private private
		$ inspect --format {{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}} n3 -> 0
		  private shareable private
		$ exec j1 sh -c ps -o comm | grep -c sleep -> 0
		  2
		joined by ID
	EOF
	)
}

@test "checkpoint of a container in the host's PID namespace is refused before anything is frozen" {
	load_test_image
	f run -d --name ph --pid host ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs ph | wc -l)" -ge 2 ]'
	run_ferry container checkpoint ph
	assert_status 125
	assert_one_line_error
	assert_output_contains "it shares the host's PID namespace (--pid host), which CRIU cannot dump"
	assert_output_contains "run it with a PID namespace of its own"
	[ "$(f inspect --format '{{.State.Status}} {{.State.Checkpointed}}' ph)" = "running false" ]
	[ "$(cat "$(freezer_state_file "$ROOT" "$(f inspect --format '{{.Id}}' ph)")")" = THAWED ]
	n=$(last_count ph)
	wait_until "[ \$(last_count ph) -gt $n ]"
	run_ferry container checkpoint -e "$TEST_TMP/ph.tar" ph
	assert_status 125
	[ ! -e "$TEST_TMP/ph.tar" ]
	[ -z "$(ls "$TEST_TMP" | grep -i checkpoint)" ]
	assert_counts_on ph
}

@test "host and joined IPC and UTS namespaces and IPC none go through checkpoint and restore; joined PID and cgroup ones are refused; an archive asks for trust" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name hu --ipc host --uts host ferry-test sh -c "$COUNTER" >/dev/null
	f run -d --name in --ipc none ferry-test sh -c "$COUNTER" >/dev/null
	f run -d --name peer ferry-test sleep 1000 >/dev/null
	f run -d --name jn --ipc container:peer --uts container:peer ferry-test sh -c "$COUNTER" >/dev/null
	f run -d --name jp --pid container:peer ferry-test sleep 1000 >/dev/null
	f run -d --name jc --cgroupns container:peer ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs hu | wc -l)" -ge 2 ] && [ "$(f logs in | wc -l)" -ge 2 ] && [ "$(f logs jn | wc -l)" -ge 2 ]'
	hostns="$(readlink /proc/self/ns/ipc) $(readlink /proc/self/ns/uts) $(hostname)"
	see='echo "$(readlink /proc/1/ns/ipc) $(readlink /proc/1/ns/uts) $(hostname)"'
	for c in hu in jn; do
		f container checkpoint "$c" >/dev/null
		f container restore "$c" >/dev/null
	done
	[ "$(f exec hu sh -c "$see")" = "$hostns" ]
	[ "$(f exec in sh -c 'ls /dev/shm 2>&1')" = "ls: /dev/shm: No such file or directory" ]
	peer_pid=$(f inspect --format '{{.State.Pid}}' peer)
	[ "$(f exec jn sh -c 'readlink /proc/1/ns/ipc; readlink /proc/1/ns/uts')" = "$(readlink /proc/"$peer_pid"/ns/ipc /proc/"$peer_pid"/ns/uts)" ]
	# A PID namespace of another container's: refused, untouched.
	run_ferry container checkpoint jp
	assert_status 125
	assert_one_line_error
	assert_output_contains "it runs in another PID namespace (--pid container:"
	[ "$(f inspect --format '{{.State.Status}}' jp)" = running ]
	# A cgroup namespace of another container's: runc cannot restore into
	# it, so it is refused before the dump, the container still counting.
	for export in "" "-e $TEST_TMP/jc.tar"; do
		run_ferry container checkpoint $export jc
		assert_status 125
		assert_one_line_error
		assert_output_contains "it runs in another container's cgroup namespace (--cgroupns container:"
	done
	[ ! -e "$TEST_TMP/jc.tar" ]
	assert_counts_on jc
	assert_counts_on hu
	assert_counts_on in
	assert_counts_on jn

	# Onto another root: the host's namespaces only when trusted.
	f container checkpoint -c none -e "$TEST_TMP/hu.tar" hu >/dev/null
	f container checkpoint -c none -e "$TEST_TMP/in.tar" in >/dev/null
	run_fb container restore -i "$TEST_TMP/hu.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "asks for host IPC namespace, host UTS namespace: restore with --trust-archive"
	[ -z "$(fb ps -a -q)" ]
	run_fb container restore --trust-archive -i "$TEST_TMP/hu.tar"
	assert_status 0
	[ "$(fb exec hu sh -c "$see")" = "$hostns" ]
	[ "$(fb inspect --format '{{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}}' hu)" = "host host" ]
	run_fb container restore -i "$TEST_TMP/in.tar"
	assert_status 0
	[ "$(fb exec in sh -c 'ls /dev/shm 2>&1')" = "ls: /dev/shm: No such file or directory" ]
	[ "$(fb inspect --format '{{.HostConfig.IpcMode}}' in)" = none ]
	assert_counts_on hu fb
	assert_counts_on in fb
	fb rm -f -t 0 hu in >/dev/null
}

@test "--pidfile gets the container's PID at each start and restore, and stays after rm, as Podman's" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f run -d --name pf --pidfile "$TEST_TMP/pf.pid" ferry-test sleep 1000 >/dev/null
	[ "$(cat "$TEST_TMP/pf.pid")" = "$(f inspect --format '{{.State.Pid}}' pf)" ]
	[ "$(f inspect --format '{{.PidFile}}' pf)" = "$TEST_TMP/pf.pid" ]
	f restart -t 0 pf >/dev/null
	[ "$(cat "$TEST_TMP/pf.pid")" = "$(f inspect --format '{{.State.Pid}}' pf)" ]
	f container checkpoint pf >/dev/null
	f container restore pf >/dev/null
	[ "$(cat "$TEST_TMP/pf.pid")" = "$(f inspect --format '{{.State.Pid}}' pf)" ]
	f container checkpoint -c none -e "$TEST_TMP/pf.tar" pf >/dev/null
	f rm pf >/dev/null
	[ -e "$TEST_TMP/pf.pid" ]
	run_fb container restore -i "$TEST_TMP/pf.tar"
	assert_status 125
	assert_output_contains "asks for PID file (--pidfile) on the host at \`$TEST_TMP/pf.pid\`: restore with --trust-archive"
	run_fb container restore --trust-archive -i "$TEST_TMP/pf.tar"
	assert_status 0
	[ "$(cat "$TEST_TMP/pf.pid")" = "$(fb inspect --format '{{.State.Pid}}' pf)" ]
	fb rm -f -t 0 pf >/dev/null
	run_ferry create --pidfile "$TEST_TMP/nodir/pf.pid" ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "--pidfile"
}

@test "--replace stops and removes the container of that name first; killed half-way, the old one or none is left" {
	load_test_image
	old=$(f run -d --name r1 --stop-timeout 1 ferry-test sleep 1000)
	new=$(f run -d --replace --name r1 --stop-timeout 1 ferry-test sleep 1000)
	[ "$old" != "$new" ]
	[ "$(f ps -a -q --no-trunc)" = "$new" ]
	[ "$(f inspect --format '{{.Name}} {{.State.Status}}' r1)" = "r1 running" ]
	id=$(f create --replace --name r1 ferry-test true)
	[ "$(f ps -a -q --no-trunc)" = "$id" ]
	run_ferry create --replace ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "cannot replace container without --name being set"
	# A bad option: refused before the old container is touched.
	run_ferry create --replace --name r1 --umask 9 ferry-test true
	assert_status 125
	[ "$(f ps -a -q --no-trunc)" = "$id" ]

	f rm -f -t 0 r1 >/dev/null
	old=$(f run -d --name r1 --stop-timeout 1 ferry-test sleep 1000)
	run env FERRY_FAULT=replace-stopped "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" run -d --replace --name r1 ferry-test sleep 1000
	[ "$status" = 137 ]
	[ "$(f ps -a -q --no-trunc)" = "$old" ]
	[ "$(f inspect --format '{{.State.Status}}' r1)" = exited ]
	run env FERRY_FAULT=replace-removed "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" run -d --replace --name r1 ferry-test sleep 1000
	[ "$status" = 137 ]
	[ -z "$(f ps -a -q)" ]
	new=$(f run -d --replace --name r1 ferry-test sleep 1000)
	[ "$(f ps -a -q --no-trunc)" = "$new" ]
}

exposed_ports() {
	local t=$1 img=localhost/ferry-test:latest e
	"$t" create --name e1 --network none --expose 80 --expose 90-91/udp --expose 7/tcp "$img" true >/dev/null
	"$t" create --name e2 --network none "$img" true >/dev/null
	show "$t" inspect --format '{{json .Config.ExposedPorts}} {{json .HostConfig.PortBindings}} {{json .NetworkSettings.Ports}}' e1
	show "$t" inspect --format '{{json .Config.ExposedPorts}} {{json .NetworkSettings.Ports}}' e2
	show "$t" ps -a --format '{{.Names}} {{.Ports}}'
	for e in abc 0 70000 80/foo 80/sctp; do
		"$t" rm -f e3 >/dev/null 2>&1
		show "$t" create --name e3 --network none --expose "$e" "$img" true
	done
	"$t" rm -af -t 0 >/dev/null
}

@test "--expose as Podman's: inspect, ps and its errors" {
	compare_output_with_podman exposed_ports <<-'EOF'
		$ inspect --format {{json .Config.ExposedPorts}} {{json .HostConfig.PortBindings}} {{json .NetworkSettings.Ports}} e1 -> 0
		  {"7/tcp":{},"80/tcp":{},"90/udp":{},"91/udp":{}} {} {"7/tcp":null,"80/tcp":null,"90/udp":null,"91/udp":null}
		$ inspect --format {{json .Config.ExposedPorts}} {{json .NetworkSettings.Ports}} e2 -> 0
		  null {}
		$ ps -a --format {{.Names}} {{.Ports}} -> 0
		  e1 7/tcp, 80/tcp, 90-91/udp
		  e2 
		$ create --name e3 --network none --expose abc localhost/ferry-test:latest true -> 125
		  Error: invalid ...
		$ create --name e3 --network none --expose 0 localhost/ferry-test:latest true -> 125
		  Error: port ...
		$ create --name e3 --network none --expose 70000 localhost/ferry-test:latest true -> 125
		  Error: invalid ...
		$ create --name e3 --network none --expose 80/foo localhost/ferry-test:latest true -> 125
		  Error: validating ...
		$ create --name e3 --network none --expose 80/sctp localhost/ferry-test:latest true -> 0
		  ID64
	EOF
}

@test "-P publishes the --expose ports; exposed ports show beside published ones and move with an archive" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	f create --name x3 --network bridge --expose 80 --expose 81 -p 18080:80 ferry-test true >/dev/null
	[ "$(f ps -a --format '{{.Ports}}')" = "0.0.0.0:18080->80/tcp, 81/tcp" ]
	[ "$(f inspect --format '{{json .NetworkSettings.Ports}}' x3)" = '{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"18080"}],"81/tcp":null}' ]
	f create --name x4 --network bridge --expose 80 -P ferry-test true >/dev/null
	f inspect --format '{{json .HostConfig.PortBindings}}' x4 | grep -q '^{"80/tcp":\[{"HostIp":"0.0.0.0","HostPort":"[0-9]*"}\]}$'
	f rm -a >/dev/null
	f run -d --name xe --expose 7000-7001/udp ferry-test sleep 1000 >/dev/null
	f container checkpoint -c none -e "$TEST_TMP/xe.tar" xe >/dev/null
	run_fb container restore -i "$TEST_TMP/xe.tar"
	assert_status 0
	[ "$(fb inspect --format '{{json .Config.ExposedPorts}}' xe)" = '{"7000/udp":{},"7001/udp":{}}' ]
	fb rm -f -t 0 xe >/dev/null
}

@test "--init-path: the init binary --init runs, checked at create, kept through checkpoint; alone it changes nothing, as Podman's" {
	load_test_image
	cp /usr/bin/catatonit "$TEST_TMP/myinit" 2>/dev/null || cp /usr/libexec/podman/catatonit "$TEST_TMP/myinit"
	f run -d --name ip --init --init-path "$TEST_TMP/myinit" ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs ip | wc -l)" -ge 2 ]'
	[ "$(f exec ip sh -c 'tr "\0" " " </proc/1/cmdline')" = "/run/podman-init -- sh -c $COUNTER " ]
	# The container runs the file ferry was given, not catatonit's.
	[ "$(f inspect --format '{{.Path}}' ip)" = /run/podman-init ]
	grep -q "$TEST_TMP/myinit" "$(f inspect --format '{{.OCIConfigPath}}' ip)"
	f container checkpoint ip >/dev/null
	f container restore ip >/dev/null
	assert_counts_on ip
	run_ferry run --rm --init-path /nonexist ferry-test cat /proc/1/comm
	assert_status 0
	[ "$output" = cat ]
	run_ferry create --init --init-path /nonexist ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "container-init binary not found on the host"
}

@test "--personality goes into the spec and the record; runc 1.1 ignores it, as Podman's containers on it show" {
	load_test_image
	f run -d --name pe --personality LINUX32 ferry-test sleep 1000 >/dev/null
	[ "$(jq -r .linux.personality.domain "$(f inspect --format '{{.OCIConfigPath}}' pe)")" = LINUX32 ]
	f container checkpoint pe >/dev/null
	f container restore pe >/dev/null
	[ "$(jq -r .linux.personality.domain "$(f inspect --format '{{.OCIConfigPath}}' pe)")" = LINUX32 ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		[ "$(podman_t run --rm --network none --personality LINUX32 localhost/ferry-test:latest uname -m)" = \
			"$(f run --rm --personality LINUX32 ferry-test uname -m)" ]
	fi
	# Podman takes any word here and runc ignores it; ferry names the two there are.
	run_ferry create --personality FOO ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "use LINUX or LINUX32"
}

rmi_runs() {
	local t=$1
	"$t" tag localhost/ferry-test:latest localhost/rmi-a:1
	"$t" tag localhost/ferry-test:latest localhost/rmi-b:1
	show "$t" run --rmi --network none localhost/rmi-a:1 echo hi
	show "$t" images --format '{{.Repository}}:{{.Tag}}' | sort
	"$t" run -d --rmi --network none localhost/rmi-b:1 true >/dev/null
	wait_until "! $t image exists localhost/rmi-b:1"
	show "$t" ps -a -q
	show "$t" create --rmi --network none localhost/ferry-test:latest true
}

@test "run --rmi removes the image after the container, attached or detached, as Podman's" {
	compare_output_with_podman rmi_runs <<-'EOF'
		$ run --rmi --network none localhost/rmi-a:1 echo hi -> 0
		  hi
		  localhost/ferry-test:latest
		  localhost/rmi-b:1
		$ images --format {{.Repository}}:{{.Tag}} -> 0
		$ ps -a -q -> 0
		$ create --rmi --network none localhost/ferry-test:latest true -> 125
		  Error: unknown ...
		  See ...
	EOF
}

@test "run --rmi keeps an image another container uses; a --rm container checkpoints only with --export, as Podman's" {
	load_test_image
	f create --name user ferry-test true >/dev/null
	run_ferry run --rmi ferry-test echo hi
	assert_status 0
	# Podman's warning says why the image stays.
	[ "${lines[0]}" = hi ]
	[[ "${lines[1]}" == *'level=warning msg="Failed to remove image: image used by '*': image is in use by a container'* ]]
	f image exists ferry-test
	f rm user >/dev/null
	f tag ferry-test rmi-c:1
	f run -d --name rc --rmi rmi-c:1 sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs rc | wc -l)" -ge 2 ]'
	# As Podman: kept beside a container that removes itself, a
	# checkpoint would go with it.
	run_ferry container checkpoint rc
	assert_status 125
	assert_one_line_error
	assert_output_contains "cannot checkpoint containers that have been started with '--rm' unless '--export' is used"
	[ "$(f inspect --format '{{.State.Status}}' rc)" = running ]
	fb load -q -i "$(ferry_test_image)"
	f container checkpoint -c none -e "$TEST_TMP/rc.tar" rc >/dev/null
	# Gone, as with --rm, and so is its image; the archive carries on.
	wait_until '! f image exists rmi-c:1'
	[ -z "$(f ps -a -q)" ]
	f image exists ferry-test
	fb tag ferry-test rmi-c:1
	run_fb container restore -i "$TEST_TMP/rc.tar"
	assert_status 0
	assert_counts_on rc fb
	fb rm -f -t 0 rc >/dev/null
}

@test "--chrootdirs binds /etc/hosts into the chroot too, as Podman's, and keeps it through checkpoint and restore" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		[ "$(podman_t run --rm --network none --chrootdirs /chroot localhost/ferry-test:latest sh -c 'ls /chroot/etc')" = hosts ]
	fi
	[ "$(f run --rm --chrootdirs /chroot ferry-test sh -c 'ls /chroot/etc')" = hosts ]
	f run -d --name cd --chrootdirs /chroot --add-host extra.example:10.9.9.9 ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs cd | wc -l)" -ge 2 ]'
	f exec cd cmp /etc/hosts /chroot/etc/hosts
	f container checkpoint -c none -e "$TEST_TMP/cd.tar" cd >/dev/null
	f rm cd >/dev/null
	run_fb container restore -i "$TEST_TMP/cd.tar"
	assert_status 0
	fb exec cd sh -c 'cmp /etc/hosts /chroot/etc/hosts && grep -q extra.example /chroot/etc/hosts'
	assert_counts_on cd fb
	fb rm -f -t 0 cd >/dev/null
	run_ferry create --chrootdirs rel ferry-test true
	assert_status 125
	assert_one_line_error
}

passwd_lines() {
	local t=$1 img=localhost/ferry-test:latest see='tail -n1 /etc/passwd; tail -n1 /etc/group'
	show "$t" run --rm --network none --user 1234:5678 "$img" sh -c "$see"
	show "$t" run --rm --network none --user 1234:5678 --passwd=false "$img" sh -c "$see"
	show "$t" run --rm --network none --user 1234:5678 --passwd-entry '$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/sh' "$img" sh -c 'tail -n1 /etc/passwd'
	show "$t" run --rm --network none --passwd-entry 'foo:x:1:1::/:/bin/sh' "$img" sh -c 'tail -n1 /etc/passwd'
	show "$t" run --rm --network none --user nobody "$img" sh -c "$see"
	show "$t" run --rm --network none --passwd=maybe "$img" true
}

@test "--passwd, --passwd-entry and --group-entry as Podman's, kept across restarts" {
	compare_output_with_podman passwd_lines <<-'EOF'
		$ run --rm --network none --user 1234:5678 localhost/ferry-test:latest sh -c tail -n1 /etc/passwd; tail -n1 /etc/group -> 0
		  1234:*:1234:5678:container user:/:/bin/sh
		  5678:x:5678:1234
		$ run --rm --network none --user 1234:5678 --passwd=false localhost/ferry-test:latest sh -c tail -n1 /etc/passwd; tail -n1 /etc/group -> 0
		  nobody:x:65534:65534:nobody:/nonexistent:/bin/false
		  nogroup:x:65534:
		$ run --rm --network none --user 1234:5678 --passwd-entry $USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/sh localhost/ferry-test:latest sh -c tail -n1 /etc/passwd -> 0
		  1234:x:1234:5678:container user:/:/bin/sh
		$ run --rm --network none --passwd-entry foo:x:1:1::/:/bin/sh localhost/ferry-test:latest sh -c tail -n1 /etc/passwd -> 0
		  nobody:x:65534:65534:nobody:/nonexistent:/bin/false
		$ run --rm --network none --user nobody localhost/ferry-test:latest sh -c tail -n1 /etc/passwd; tail -n1 /etc/group -> 0
		  nobody:x:65534:65534:nobody:/nonexistent:/bin/false
		  nogroup:x:65534:
		$ run --rm --network none --passwd=maybe localhost/ferry-test:latest true -> 125
		  Error: invalid ...
		  See ...
	EOF
	# Podman 5.4 leaves $GROUPNAME empty and $USERNAME as it is in
	# --group-entry; ferry replaces both.
	[ "$(f run --rm --user 1234:5678 --group-entry '$GROUPNAME:x:$GID:$USERNAME,extra' ferry-test sh -c 'tail -n1 /etc/group; id -un')" = \
		"$(printf '5678:x:5678:1234,extra\n1234')" ]
	# Kept in the record: each start writes the same lines.  (No
	# checkpoint here: CRIU on this machine dumps no process whose uid or
	# gid is not root's, flags or not, since root lacks CAP_SYS_RESOURCE.)
	f run -d --name pw --user 0:5678 --group-entry 'staff:x:$GID:$USERNAME,extra' ferry-test sleep 1000 >/dev/null
	[ "$(f exec pw sh -c 'tail -n1 /etc/group; id -gn')" = "$(printf 'staff:x:5678:0,extra\nstaff')" ]
	f restart -t 0 pw >/dev/null
	[ "$(f exec pw sh -c 'tail -n1 /etc/group; id -gn')" = "$(printf 'staff:x:5678:0,extra\nstaff')" ]
	run_ferry container checkpoint pw
	assert_status 125
	[ "$(f inspect --format '{{.State.Status}}' pw)" = running ]
	f rm -f -t 0 pw >/dev/null
}

host_users() {
	local t=$1 img=localhost/ferry-test:latest
	show "$t" run --rm --network none --hostuser daemon --hostuser root "$img" sh -c 'tail -n1 /etc/passwd; grep -c ^root: /etc/passwd'
	show "$t" run --rm --network none --hostuser 1 "$img" sh -c 'tail -n1 /etc/passwd'
	show "$t" run --rm --network none --hostuser nosuchuser-ferry "$img" true
}

@test "--hostuser adds this host's users to the container's /etc/passwd, as Podman's" {
	getent passwd daemon >/dev/null || skip "this host has no user daemon"
	uid=$(getent passwd daemon | cut -d: -f3)
	gid=$(getent passwd daemon | cut -d: -f4):$(getent passwd daemon | cut -d: -f5)
	[ "$uid" = 1 ] || skip "this host's daemon is not uid 1"
	compare_output_with_podman host_users < <(sed "s/GID/$gid/" <<-'EOF'
		$ run --rm --network none --hostuser daemon --hostuser root localhost/ferry-test:latest sh -c tail -n1 /etc/passwd; grep -c ^root: /etc/passwd -> 0
		  daemon:*:1:GID:/:/bin/sh
		  1
		$ run --rm --network none --hostuser 1 localhost/ferry-test:latest sh -c tail -n1 /etc/passwd -> 0
		  daemon:*:1:GID:/:/bin/sh
		$ run --rm --network none --hostuser nosuchuser-ferry localhost/ferry-test:latest true -> 126
		  Error: creating ...
	EOF
	)
}
