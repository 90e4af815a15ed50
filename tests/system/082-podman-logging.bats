#!/usr/bin/env bats
# Log drivers and containers.conf as a Podman user has them: run/create
# --log-driver and --log-opt, what logs and inspect say of each driver,
# conmon's size limit, the [containers] settings of containers.conf read
# from Podman's places, and a container's log through checkpoint/restore.
# Sequences run in ferry and are compared with what Podman 5.4 printed for
# them (kept below), and, where Podman is installed, with Podman run live.

load helpers
load podman-helpers

teardown() {
	podman_teardown
	ferry_teardown
}

# Appends a shell command's output to TOOL's transcript.
show() {
	local tool=$1
	shift
	eval "$*" 2>&1 | sed -e "s#$TEST_TMP#TMP#g" -e 's/^/  show: /' >>"$TEST_TMP/$tool.log"
}

# Runs sequence function $1 in ferry and compares its transcript with the
# one on stdin (Podman's), then, where Podman is installed, in Podman too.
compare_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected.log"
	load_test_image
	touch "$TEST_TMP/f.sed"
	# A k8s-file log's default place, which is each tool's own.
	printf '%s\n' "s#$TEST_TMP/root/containers/\\([^/]*\\)/ctr.log#CTRDIR/\\1/ctr.log#g" \
		"s#$TEST_TMP/f-#TMP/#g" >"$TEST_TMP/f.paths"
	"$seq" f
	if command -v podman >/dev/null; then
		touch "$TEST_TMP/podman_t.sed"
		printf '%s\n' "s#$TEST_TMP/proot/overlay-containers/\\([^/]*\\)/userdata/ctr.log#CTRDIR/\\1/ctr.log#g" \
			"s#$TEST_TMP/podman_t-#TMP/#g" >"$TEST_TMP/podman_t.paths"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		"$seq" podman_t
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
}

# Makes containers with TOOL from "NAME|run or create|OPTIONS|COMMAND"
# lines, as make_containers does (IDs shown as <NAME>), then adds the
# rules that show each tool's own paths alike.
make_ctrs() {
	local tool=$1 image=ferry-test name how opts cmd id
	[ "$tool" = f ] || image=localhost/ferry-test:latest
	while IFS='|' read -r name how opts cmd; do
		[ "$how" = run ] && how="run -d"
		# shellcheck disable=SC2086
		"$tool" $how --name "$name" --network none $opts "$image" $cmd >/dev/null
		id=$("$tool" inspect --format '{{.Id}}' "$name")
		echo "s/$id/<$name>/g" >>"$TEST_TMP/$tool.sed"
	done
	cat "$TEST_TMP/$tool.paths" >>"$TEST_TMP/$tool.sed"
}

drivers_sequence() {
	local t=$1 lc='{{json .HostConfig.LogConfig}}'
	make_ctrs "$t" <<-EOF
		k|run|--log-driver k8s-file|echo hi
		j|run|--log-driver json-file|echo hi
		jd|run|--log-driver journald|echo hi
		n|run|--log-driver none|echo hi
		p|create|--log-opt path=$TEST_TMP/$t-p.log --log-opt max-size=1.5m --log-opt other=1|echo hi
		np|create|--log-driver none --log-opt path=$TEST_TMP/$t-np.log|true
		jt|create|--log-driver journald --log-opt tag=web --log-opt max-size=1024|true
		s0|create|--log-opt max-size=0|true
		s1|create|--log-opt max-size=1g --log-opt path=|true
		s2|create|--log-opt max-size=10K --log-opt max-size=1KiB|true
	EOF
	step "$t" wait k j jd n
	step "$t" logs k
	step "$t" logs j
	step "$t" logs n
	step "$t" logs --tail 1 n
	for c in k j jd n p np jt s0 s1 s2; do
		step "$t" inspect --format "$lc" "$c"
	done
	step "$t" start -a p
	show "$t" "sed 's/^[^ ]* /TIME /' $TEST_TMP/$t-p.log"
	step "$t" logs p
	step_rc "$t" create --name bad1 --log-driver bogus ferry-test true
	step_rc "$t" create --name bad2 --log-opt nokey ferry-test true
	step_rc "$t" create --name bad3 --log-opt "" ferry-test true
	step_rc "$t" create --name bad4 --log-opt max-size=abc ferry-test true
	step_rc "$t" create --name bad5 --log-opt max-size=-1 ferry-test true
}

@test "--log-driver and --log-opt: logs and inspect as Podman's" {
	compare_with_podman drivers_sequence <<-'EOF'
		$ wait k j jd n -> 0
		  out: 0
		  out: 0
		  out: 0
		  out: 0
		$ logs k -> 0
		  out: hi
		$ logs j -> 0
		  out: hi
		$ logs n -> 125
		  err: Error: this container is using the 'none' log driver, cannot read logs: this container is not logging output
		$ logs --tail 1 n -> 125
		  err: Error: this container is using the 'none' log driver, cannot read logs: this container is not logging output
		$ inspect --format {{json .HostConfig.LogConfig}} k -> 0
		  out: {"Type":"k8s-file","Config":null,"Path":"CTRDIR/<k>/ctr.log","Tag":"","Size":"0B"}
		$ inspect --format {{json .HostConfig.LogConfig}} j -> 0
		  out: {"Type":"json-file","Config":null,"Path":"CTRDIR/<j>/ctr.log","Tag":"","Size":"0B"}
		$ inspect --format {{json .HostConfig.LogConfig}} jd -> 0
		  out: {"Type":"journald","Config":null,"Path":"","Tag":"","Size":"0B"}
		$ inspect --format {{json .HostConfig.LogConfig}} n -> 0
		  out: {"Type":"none","Config":null,"Path":"","Tag":"","Size":"0B"}
		$ inspect --format {{json .HostConfig.LogConfig}} p -> 0
		  out: {"Type":"k8s-file","Config":null,"Path":"TMP/p.log","Tag":"","Size":"1.5MB"}
		$ inspect --format {{json .HostConfig.LogConfig}} np -> 0
		  out: {"Type":"none","Config":null,"Path":"TMP/np.log","Tag":"","Size":"0B"}
		$ inspect --format {{json .HostConfig.LogConfig}} jt -> 0
		  out: {"Type":"journald","Config":null,"Path":"","Tag":"web","Size":"1.024kB"}
		$ inspect --format {{json .HostConfig.LogConfig}} s0 -> 0
		  out: {"Type":"k8s-file","Config":null,"Path":"CTRDIR/<s0>/ctr.log","Tag":"","Size":"0B"}
		$ inspect --format {{json .HostConfig.LogConfig}} s1 -> 0
		  out: {"Type":"k8s-file","Config":null,"Path":"CTRDIR/<s1>/ctr.log","Tag":"","Size":"1GB"}
		$ inspect --format {{json .HostConfig.LogConfig}} s2 -> 0
		  out: {"Type":"k8s-file","Config":null,"Path":"CTRDIR/<s2>/ctr.log","Tag":"","Size":"1kB"}
		$ start -a p -> 0
		  out: hi
		  show: TIME stdout F hi
		$ logs p -> 0
		  out: hi
		$ create --name bad1 --log-driver bogus ferry-test true -> 125
		$ create --name bad2 --log-opt nokey ferry-test true -> 125
		$ create --name bad3 --log-opt  ferry-test true -> 125
		$ create --name bad4 --log-opt max-size=abc ferry-test true -> 125
		$ create --name bad5 --log-opt max-size=-1 ferry-test true -> 125
	EOF
	# ferry's own words for what it refuses, and nothing made.
	[ -z "$(f ps -a -q --filter name=bad)" ]
	run_ferry create --log-driver bogus ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "running container create option: invalid log driver: invalid argument: \`bogus\`: use --log-driver k8s-file, journald, none, passthrough or passthrough-tty"
	run_ferry create --log-opt nokey ferry-test true
	assert_status 125
	assert_output_contains 'invalid log option "nokey"'
	run_ferry create --log-opt max-size=abc ferry-test true
	assert_status 125
	assert_output_contains "invalid size: 'abc'"
	run_ferry create --log-opt path="$TEST_TMP/nodir/x.log" ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "--log-opt path"
	# Without a journal on this host there is nothing to read, as Podman
	# prints nothing; with one, ferry says it does not read it.
	run_ferry logs jd
	if [ -e /run/systemd/journal ] || [ -n "$(find /var/log/journal /run/log/journal -mindepth 1 -print -quit 2>/dev/null)" ]; then
		assert_status 125
		assert_output_contains "journalctl CONTAINER_ID_FULL="
	else
		assert_status 0
		[ -z "$output" ]
	fi
	# conmon refuses a tag with k8s-file: the start fails, the container stays.
	f create --name kt --log-opt tag=x ferry-test true >/dev/null
	run_ferry start kt
	[ "$status" -ne 0 ]
	assert_output_contains "k8s-file doesn't support --log-tag"
}

passthrough_sequence() {
	local t=$1 image=ferry-test
	[ "$t" = f ] || image=localhost/ferry-test:latest
	touch "$TEST_TMP/$t.sed"
	step "$t" run --name pt1 --network none --log-driver passthrough $image sh -c 'echo out; echo err >&2; exit 3'
	step "$t" run --name pt2 --network none -i --log-driver passthrough $image cat
	step "$t" run -d --name pt3 --network none --log-driver passthrough $image echo detached
	step "$t" wait pt3
	step "$t" logs pt1
	step "$t" inspect --format '{{json .HostConfig.LogConfig}}' pt1
	step "$t" create --name pt4 --network none --log-driver passthrough-tty $image echo tty
	step "$t" inspect --format '{{json .HostConfig.LogConfig}}' pt4
	step "$t" logs pt4
	# Podman's own words end in its internals.
	sed -i -e "s#TMP/root/containers/[0-9a-f]*/ctr.log#CTRDIR/ctr.log#" \
		-e "s#TMP/proot/overlay-containers/[0-9a-f]*/userdata/ctr.log#CTRDIR/ctr.log#" \
		-e 's/\(cannot read logs\): .*/\1/' "$TEST_TMP/$t.log"
}

@test "--log-driver passthrough: the container writes to ferry's own streams, as Podman's" {
	load_test_image
	echo input-line | passthrough_sequence f
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		echo input-line | passthrough_sequence podman_t
		sed -i 's/localhost\/ferry-test:latest/ferry-test/' "$TEST_TMP/podman_t.log"
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	diff -u - "$TEST_TMP/f.log" <<-'EOF'
		$ run --name pt1 --network none --log-driver passthrough ferry-test sh -c echo out; echo err >&2; exit 3 -> 3
		  out: out
		  err: err
		$ run --name pt2 --network none -i --log-driver passthrough ferry-test cat -> 0
		  out: input-line
		$ run -d --name pt3 --network none --log-driver passthrough ferry-test echo detached -> 0
		  out: detached
		$ wait pt3 -> 0
		  out: 0
		$ logs pt1 -> 125
		  err: Error: this container is using the 'passthrough' log driver, cannot read logs
		$ inspect --format {{json .HostConfig.LogConfig}} pt1 -> 0
		  out: {"Type":"passthrough","Config":null,"Path":"","Tag":"","Size":"0B"}
		$ create --name pt4 --network none --log-driver passthrough-tty ferry-test echo tty -> 0
		$ inspect --format {{json .HostConfig.LogConfig}} pt4 -> 0
		  out: {"Type":"passthrough-tty","Config":null,"Path":"CTRDIR/ctr.log","Tag":"","Size":"0B"}
		$ logs pt4 -> 125
		  err: Error: unrecognized log driver "passthrough-tty", cannot read logs
	EOF
	# Not on a terminal, whose TIOCSTI the container could type into.
	if command -v script >/dev/null; then
		run script -qec "$FERRY_BIN --root $ROOT --runroot $RUNROOT run --rm --log-driver passthrough ferry-test echo hi" /dev/null
		assert_status 125
		assert_output_contains "Error: the '--log-driver passthrough' option cannot be used on a TTY.  If you really want it, use '--log-driver passthrough-tty'"
		run script -qec "$FERRY_BIN --root $ROOT --runroot $RUNROOT run --rm --log-driver passthrough-tty ferry-test echo hi" /dev/null
		assert_status 0
		assert_output_contains hi
	fi
}

@test "--log-opt max-size: conmon keeps the log under the size, the last lines in it" {
	load_test_image
	f run --name big --log-opt max-size=300 --log-opt path="$TEST_TMP/big.log" ferry-test \
		sh -c 'i=1; while [ $i -le 60 ]; do echo line$i; i=$((i+1)); done' >/dev/null
	[ "$(stat -c %s "$TEST_TMP/big.log")" -le 300 ]
	run_ferry logs big
	assert_status 0
	[ "${lines[-1]}" = line60 ]
	! printf '%s\n' "${lines[@]}" | grep -qx line1 || false
	# The limit is conmon's: given at every start, from the record.
	f run -d --name up --log-opt max-size=8k ferry-test sleep 1000 >/dev/null
	id=$(f inspect --format '{{.Id}}' up)
	ps -eo args | grep "conmon.*-c $id" | grep -q -- '--log-size-max 8000'
	f rm -f -t 0 up >/dev/null
}

# The [containers] settings of containers.conf, in Podman's files.
conf_sequence() {
	local t=$1
	step "$t" run --name c1 --network none $IMAGE sh -c \
		'echo "$FOO $BAR $BAZ"; ulimit -n; ulimit -Hn; ulimit -u; touch /x 2>&1; date +%Z; cat /proc/sys/net/ipv4/ping_group_range; true'
	step "$t" inspect --format '{{json .HostConfig.LogConfig}} {{.HostConfig.ReadonlyRootfs}}' c1
	step "$t" inspect --format '{{.HostConfig.Init}} {{.HostConfig.PidsLimit}}' c1
	step "$t" logs c1
	# An empty tag is no tag: the file's stays.
	step "$t" run --name c2 --network none --read-only=false --ulimit nofile=100:200 -e FOO=cli \
		--log-driver journald --log-opt tag= --tz UTC --pids-limit 0 $IMAGE \
		sh -c 'echo "$FOO $BAR"; ulimit -n; touch /x && echo wrote; date +%Z'
	step "$t" inspect --format '{{json .HostConfig.LogConfig}} {{.HostConfig.ReadonlyRootfs}}' c2
	step "$t" inspect --format '{{.HostConfig.Init}} {{.HostConfig.PidsLimit}}' c2
	# --ulimit host drops the ones given, not the file's; shm_size is in
	# powers of 1000 where --shm-size is in powers of 1024.
	step "$t" run --name c3 --network none --read-only=false --ulimit nproc=7 --ulimit host \
		--sysctl 'net.ipv4.ping_group_range=1 1' $IMAGE \
		sh -c 'ulimit -n; ulimit -u; df -k /dev/shm | tail -1; cat /proc/sys/net/ipv4/ping_group_range'
	step "$t" inspect --format '{{.HostConfig.ShmSize}} {{json .HostConfig.Ulimits}}' c1 c3
	step "$t" run --name c4 --network none --read-only=false --shm-size 1m $IMAGE true
	step "$t" inspect --format '{{.HostConfig.ShmSize}}' c4
	step "$t" rm c3
	step "$t" rm c4
	step "$t" rm c1
	step "$t" rm c2
}

@test "containers.conf: env, default_ulimits, read_only, log_driver, log_tag, tz, pids_limit; flags override" {
	cat >"$CONTAINERS_CONF" <<-'EOF'
		# As Podman's own files: sections and keys ferry does not use, and
		# default_sysctls (a comment inside a list).
		[containers]
		default_sysctls = [
		  "net.ipv4.ping_group_range=0 0",   # a comment
		]
		env = [
		  "FOO=conf",
		  'BAR=lit',
		  "PATH=/conf/bin",
		]
		default_ulimits = ["nofile=500:600", "nproc=300:400"]
		read_only = true
		log_driver = "none"
		log_tag = "mytag"
		log_size_max = -1
		tz = "Europe/Paris"
		pids_limit = 100
		shm_size = "2m"
		# Podman 5.4 does not apply it: neither does ferry.
		init = true
		[secrets]
		[secrets.opts]
		[engine]
		events_logger = "file"
		[[engine.not_really]]
		x = 1.5
		y = { a = 1, b = "c" }
		[engine.runtimes]
		runc = ["/usr/bin/runc"]
	EOF
	override=$TEST_TMP/override.conf
	printf '[containers]\nenv = ["BAZ=over", {append=true}]\n' >"$override"
	IMAGE=ferry-test
	export CONTAINERS_CONF_OVERRIDE=$override
	compare_with_podman_conf() {
		load_test_image
		conf_sequence f
		if command -v podman >/dev/null; then
			podman_t load -q -i "$(ferry_test_image)" >/dev/null
			IMAGE=localhost/ferry-test:latest conf_sequence podman_t
			sed -i 's/localhost\/ferry-test:latest/ferry-test/' "$TEST_TMP/podman_t.log"
			diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
		fi
		diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	}
	touch "$TEST_TMP/f.sed" "$TEST_TMP/podman_t.sed"
	cat >"$TEST_TMP/expected.log" <<-'EOF'
		$ run --name c1 --network none ferry-test sh -c echo "$FOO $BAR $BAZ"; ulimit -n; ulimit -Hn; ulimit -u; touch /x 2>&1; date +%Z; cat /proc/sys/net/ipv4/ping_group_range; true -> 0
		  out: conf lit over
		  out: 500
		  out: 600
		  out: 300
		  out: touch: /x: Read-only file system
		  out: CET
		  out: 0	0
		$ inspect --format {{json .HostConfig.LogConfig}} {{.HostConfig.ReadonlyRootfs}} c1 -> 0
		  out: {"Type":"none","Config":null,"Path":"","Tag":"mytag","Size":"0B"} true
		$ inspect --format {{.HostConfig.Init}} {{.HostConfig.PidsLimit}} c1 -> 0
		  out: false 100
		$ logs c1 -> 125
		  err: Error: this container is using the 'none' log driver, cannot read logs: this container is not logging output
		$ run --name c2 --network none --read-only=false --ulimit nofile=100:200 -e FOO=cli --log-driver journald --log-opt tag= --tz UTC --pids-limit 0 ferry-test sh -c echo "$FOO $BAR"; ulimit -n; touch /x && echo wrote; date +%Z -> 0
		  out: cli lit
		  out: 100
		  out: wrote
		  out: UTC
		$ inspect --format {{json .HostConfig.LogConfig}} {{.HostConfig.ReadonlyRootfs}} c2 -> 0
		  out: {"Type":"journald","Config":null,"Path":"","Tag":"mytag","Size":"0B"} false
		$ inspect --format {{.HostConfig.Init}} {{.HostConfig.PidsLimit}} c2 -> 0
		  out: false 0
		$ run --name c3 --network none --read-only=false --ulimit nproc=7 --ulimit host --sysctl net.ipv4.ping_group_range=1 1 ferry-test sh -c ulimit -n; ulimit -u; df -k /dev/shm | tail -1; cat /proc/sys/net/ipv4/ping_group_range -> 0
		  out: 500
		  out: 300
		  out: shm                       1956         0      1956   0% /dev/shm
		  out: 1	1
		$ inspect --format {{.HostConfig.ShmSize}} {{json .HostConfig.Ulimits}} c1 c3 -> 0
		  out: 2000000 [{"Name":"RLIMIT_NOFILE","Soft":500,"Hard":600},{"Name":"RLIMIT_NPROC","Soft":300,"Hard":400}]
		  out: 2000000 [{"Name":"RLIMIT_NOFILE","Soft":500,"Hard":600},{"Name":"RLIMIT_NPROC","Soft":300,"Hard":400}]
		$ run --name c4 --network none --read-only=false --shm-size 1m ferry-test true -> 0
		$ inspect --format {{.HostConfig.ShmSize}} c4 -> 0
		  out: 1048576
		$ rm c3 -> 0
		  out: c3
		$ rm c4 -> 0
		  out: c4
		$ rm c1 -> 0
		  out: c1
		$ rm c2 -> 0
		  out: c2
	EOF
	echo "s#$TEST_TMP/root/containers/[0-9a-f]*/ctr.log#CTRDIR/ctr.log#g" >"$TEST_TMP/f.sed"
	echo "s#$TEST_TMP/proot/overlay-containers/[0-9a-f]*/userdata/ctr.log#CTRDIR/ctr.log#g" >"$TEST_TMP/podman_t.sed"
	compare_with_podman_conf
	# The image's PATH is under the file's, as in Podman.
	run_ferry run --rm ferry-test sh -c 'echo $PATH'
	[ "$output" = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ]
	# ferry.conf comes last and wins (its keys under its one [containers]:
	# a table given twice is refused, as TOML and Podman refuse it).
	sed -i '/^\[containers\]$/a read_only = false\nlog_driver = "k8s-file"\nlog_tag = ""' "$FERRY_CONFIG"
	run_ferry run --rm ferry-test sh -c 'touch /x && echo wrote'
	assert_status 0
	[ "$output" = wrote ]
}

@test "containers.conf: log_size_max reaches conmon at start" {
	printf '[containers]\nlog_size_max = 8192\n' >"$CONTAINERS_CONF"
	load_test_image
	f run -d --name up ferry-test sleep 1000 >/dev/null
	id=$(f inspect --format '{{.Id}}' up)
	ps -eo args | grep "conmon.*-c $id" | grep -q -- '--log-size-max 8192'
	# Not a --log-opt: inspect shows no size, as Podman's.
	[ "$(f inspect --format '{{.HostConfig.LogConfig.Size}}' up)" = 0B ]
	f rm -f -t 0 up >/dev/null
}

@test "containers.conf: a file that is not TOML, or a bad value, stops ferry at its line" {
	load_test_image
	local bad=(
		'[containers]\nenv = ["A=b"\n'
		'[containers]\nenv = ["A=b",\n  "C"]\n'
		'[containers]\nenv = "A=b"\n'
		'[containers]\nread_only = yes\n'
		'[containers]\nlog_driver = "syslog"\n'
		'[containers]\nlog_size_max = 100\n'
		'[containers]\ndefault_ulimits = ["nofile=2:1"]\n'
		'[containers\nenv = []\n'
		'[engine]\nx = "unterminated\n'
		'[engine]\nx = 1 2\n'
		'[containers]\ntz = "Bogus/Zone"\n'
		'[containers]\npids_limit = "2048"\n'
		'[containers]\nshm_size = "2x"\n'
		'[containers]\nshm_size = 2000\n'
		'[containers]\ndefault_sysctls = ["kernel.hostname=x"]\n'
		'[containers]\ndefault_sysctls = ["net.ipv4.ip_forward"]\n'
	)
	local at=(3 2 2 2 2 2 2 1 2 2 2 2 2 2 2 2)
	for i in "${!bad[@]}"; do
		printf "${bad[$i]}" >"$CONTAINERS_CONF"
		run_ferry ps
		assert_status 125
		assert_one_line_error
		assert_output_contains "$CONTAINERS_CONF:${at[$i]}: "
	done
	# The override file is read strictly too.
	: >"$CONTAINERS_CONF"
	printf '[containers]\nread_only = 1\n' >"$TEST_TMP/o.conf"
	CONTAINERS_CONF_OVERRIDE=$TEST_TMP/o.conf run_ferry ps
	assert_status 125
	assert_output_contains "o.conf:2: invalid value of \`read_only\`: use true or false"
	# A CONTAINERS_CONF that is not there is an error, as in Podman.
	CONTAINERS_CONF=$TEST_TMP/missing.conf run_ferry ps
	assert_status 125
	assert_one_line_error
	assert_output_contains missing.conf
	# ferry.conf keeps refusing what it does not know.
	printf '[engine]\n' >>"$FERRY_CONFIG"
	run_ferry ps
	assert_status 125
	assert_output_contains "unknown section [engine]"
}

@test "containers.conf: Podman's places, in Podman's order, without CONTAINERS_CONF" {
	load_test_image
	local etc=$TEST_TMP/etc-containers share=$TEST_TMP/share-containers
	mkdir -p "$etc/containers.conf.d" "$share"
	cp -a /etc/containers/. "$etc/"
	rm -rf "$etc/containers.conf" "$etc/containers.conf.d"/*
	cp -a /usr/share/containers/. "$share/"
	printf '[containers]\nenv = ["FOO=share", "BAR=share"]\nread_only = true\n' >"$share/containers.conf"
	printf '[containers]\nenv = ["FOO=etc"]\n' >"$etc/containers.conf"
	printf '[containers]\nenv = ["BAZ=d10", {append=true}]\n' >"$etc/containers.conf.d/10-a.conf"
	printf '[containers]\nread_only = false\n' >"$etc/containers.conf.d/20-b.conf"
	printf '[containers]\nread_only = true\n' >"$etc/containers.conf.d/30-c.conf.off"
	printf '[containers]\nenv = ["QUX=over", {append=true}]\n' >"$TEST_TMP/over.conf"
	# In a mount namespace of its own, with the test's files in the places.
	in_places() {
		unshare -m --propagation private sh -c '
			mount --bind "$1" /etc/containers && mount --bind "$2" /usr/share/containers && shift 2 && exec "$@"
		' sh "$etc" "$share" env -u CONTAINERS_CONF CONTAINERS_CONF_OVERRIDE="$TEST_TMP/over.conf" "$@"
	}
	run in_places "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" run --rm ferry-test \
		sh -c 'echo "$FOO $BAR $BAZ $QUX"; touch /x && echo wrote'
	assert_status 0
	[ "${lines[0]}" = "etc   d10 over" ] || [ "${lines[0]}" = "etc  d10 over" ]
	[ "${lines[1]}" = wrote ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		pout=$(in_places env PODMAN_IGNORE_CGROUPSV1_WARNING=1 podman --root "$TEST_TMP/proot" \
			--runroot "$TEST_TMP/prun" --tmpdir "$TEST_TMP/ptmp" --network-config-dir "$TEST_TMP/pnet" \
			--cgroup-manager cgroupfs --events-backend none --runtime runc run --rm --network none \
			localhost/ferry-test:latest sh -c 'echo "$FOO $BAR $BAZ $QUX"; touch /x && echo wrote')
		[ "$pout" = "$output" ]
	fi
}

@test "checkpoint/restore: a --log-opt path log goes with the container, none carries no log" {
	load_test_image
	f run -d --name lp --log-opt path="$TEST_TMP/lp.log" ferry-test sh -c "$COUNTER" >/dev/null
	f run -d --name ln --log-driver none ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs lp | wc -l)" -ge 3 ]'
	f container checkpoint --compress none -e "$TEST_TMP/lp.tar" lp >/dev/null
	f container checkpoint --compress none -e "$TEST_TMP/ln.tar" ln >/dev/null
	tar tf "$TEST_TMP/lp.tar" | grep -qx ctr.log
	! tar tf "$TEST_TMP/ln.tar" | grep -qx ctr.log || false
	before=$(wc -l <"$TEST_TMP/lp.log")
	f rm lp ln >/dev/null
	mv "$TEST_TMP/lp.log" "$TEST_TMP/lp.before"
	# The archive names a host file: only a trusted archive may.
	run_ferry container restore --import "$TEST_TMP/lp.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains "log file (--log-opt path) on the host at \`$TEST_TMP/lp.log\`"
	[ -z "$(f ps -a -q)" ]
	[ ! -e "$TEST_TMP/lp.log" ]
	f container restore --import "$TEST_TMP/lp.tar" --trust-archive >/dev/null
	wait_until '[ "$(wc -l <"$TEST_TMP/lp.log")" -gt '"$before"' ]'
	[ "$(f inspect --format '{{.HostConfig.LogConfig.Path}}' lp)" = "$TEST_TMP/lp.log" ]
	# The log before the checkpoint, then the counter carrying on.
	[ "$(head -n 1 "$TEST_TMP/lp.log")" = "$(head -n 1 "$TEST_TMP/lp.before")" ]
	f logs lp | head -n 1 | grep -qx 0
	f container restore --import "$TEST_TMP/ln.tar" >/dev/null
	[ "$(ctr_status ln)" = running ]
	[ "$(f inspect --format '{{.HostConfig.LogConfig.Type}}' ln)" = none ]
	run_ferry logs ln
	assert_status 125
	assert_output_contains "'none' log driver"
	f rm -f -t 0 lp ln >/dev/null
}

@test "restore: an archive from before log drivers restores with a k8s-file log" {
	load_test_image
	f run -d --name old ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs old | wc -l)" -ge 2 ]'
	f container checkpoint --compress none -e "$TEST_TMP/new.tar" old >/dev/null
	f rm old >/dev/null
	rewrite_archive "$TEST_TMP/new.tar" "$TEST_TMP/old.tar" '
for i, (m, data) in enumerate(members):
    if m.name == "config.dump":
        d = json.loads(data)
        for k in ("LogDriver", "LogPath", "LogTag", "LogSize"):
            d["ferry"].pop(k, None)
        members[i] = (m, json.dumps(d).encode())
'
	! tar xOf "$TEST_TMP/old.tar" config.dump | grep -q LogDriver || false
	f container restore --import "$TEST_TMP/old.tar" >/dev/null
	[ "$(f inspect --format '{{.HostConfig.LogConfig.Type}}' old)" = k8s-file ]
	f logs old | head -n 1 | grep -qx 0
	f rm -f -t 0 old >/dev/null
}

@test "ferry's archive restores in Podman with its log driver, tag and size" {
	need_podman
	mkdir -p "$TEST_TMP/ptmp"
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	f run -d --name fn --network none --log-driver journald --log-opt tag=web --log-opt max-size=20k ferry-test \
		sh -c "$COUNTER" >/dev/null
	f run -d --name fk --network none --log-opt max-size=30k ferry-test sh -c "$COUNTER" >/dev/null
	wait_until '[ "$(f logs fk | wc -l)" -ge 2 ]'
	f container checkpoint -e "$TEST_TMP/fn.tar.zst" fn >/dev/null
	f container checkpoint -e "$TEST_TMP/fk.tar.zst" fk >/dev/null
	f rm fn fk >/dev/null
	podman_t container restore --import "$TEST_TMP/fn.tar.zst" >/dev/null
	podman_t container restore --import "$TEST_TMP/fk.tar.zst" >/dev/null
	[ "$(podman_t inspect --format '{{.State.Status}} {{.HostConfig.LogConfig.Type}} {{.HostConfig.LogConfig.Tag}} {{.HostConfig.LogConfig.Size}}' fn)" = "running journald web 20kB" ]
	[ "$(podman_t inspect --format '{{.State.Status}} {{.HostConfig.LogConfig.Type}} {{.HostConfig.LogConfig.Size}}' fk)" = "running k8s-file 30kB" ]
	# ferry's log came along into Podman's own place.
	podman_t logs fk | head -n 1 | grep -qx 0
}

@test "Podman's archive restores in ferry with its log driver, tag and size" {
	need_podman
	mkdir -p "$TEST_TMP/ptmp"
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t run -d --name pn --network none --log-driver none --log-opt tag=api --log-opt max-size=40k \
		localhost/ferry-test:latest sh -c "$COUNTER" >/dev/null
	podman_t container checkpoint -e "$TEST_TMP/pn.tar.zst" pn >/dev/null
	podman_t rm pn >/dev/null
	f container restore --import "$TEST_TMP/pn.tar.zst" >/dev/null 2>&1
	[ "$(f inspect --format '{{.State.Status}} {{json .HostConfig.LogConfig}}' pn)" = \
		'running {"Type":"none","Config":null,"Path":"","Tag":"api","Size":"40kB"}' ]
	run_ferry logs pn
	assert_status 125
	assert_output_contains "'none' log driver"
	f rm -f -t 0 pn >/dev/null
}
