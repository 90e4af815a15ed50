# What the tests that compare ferry with Podman share, on top of
# helpers.bash: Podman with roots, a tmpdir and network definitions of the
# test's own (runc, cgroupfs, as bench/ runs it), skipping where Podman is
# absent, a teardown that removes what Podman made, even when the test
# failed, and the transcripts (make_containers, step) that tests compare
# between the two tools.

# PODMAN_EVENTS: its events backend, none unless the test reads events.
podman_t() {
	mkdir -p "$TEST_TMP/ptmp" "$TEST_TMP/pnet"
	PODMAN_IGNORE_CGROUPSV1_WARNING=1 podman --root "$TEST_TMP/proot" --runroot "$TEST_TMP/prun" \
		--tmpdir "$TEST_TMP/ptmp" --network-config-dir "$TEST_TMP/pnet" --cgroup-manager cgroupfs \
		--events-backend "${PODMAN_EVENTS:-none}" --runtime runc "$@"
}

need_podman() {
	command -v podman >/dev/null || skip "Podman is not installed (scripts/install-deps.sh --with-podman)"
}

podman_teardown() {
	if [ -n "${TEST_TMP:-}" ] && [ -d "$TEST_TMP/proot" ]; then
		podman_t rm -af -t 0 >/dev/null 2>&1 || true
		podman_t volume rm -af >/dev/null 2>&1 || true
		podman_t rmi -af >/dev/null 2>&1 || true
		# As root, Podman keeps IPAM state (the last address each network
		# name handed out) in /run/containers/networks, shared by every
		# root: removing the networks clears it for the next test.
		podman_t network prune -f >/dev/null 2>&1 || true
	fi
}

# Podman's locks in files, under the test's own --tmpdir (through its
# containers.conf): Podman keeps them in one shared-memory segment for
# every root on the host, and the first Podman of a fresh root frees them
# all (its refresh), so that tests of other roots running meanwhile share
# lock numbers; one was seen waiting forever on another's.  For a setup,
# after helpers_setup.
podman_file_locks() {
	printf '[engine]\nlock_type = "file"\n' >>"$CONTAINERS_CONF"
}

# Every test of the file gets helpers.bash's setup and podman_file_locks.
# Once, at the top of a file, after the loads.
podman_file_locks_for_every_test() {
	eval "helpers_$(declare -f setup)"
	setup() {
		helpers_setup
		podman_file_locks
	}
}

# The credential files' hooks (136, 141, 147): podman_file_locks_for_every_test's
# setup, with a HOME, XDG_RUNTIME_DIR and registries.conf of the test's own
# so that neither tool reads the host's credentials or registries, and
# $TEST_TMP/bin first on PATH for the credential helpers a test writes;
# teardown removes what Podman made, then runs the teardown it wraps (the
# registry's, which stops its servers).  Once, at the top of a file, after
# the loads (../lib/registry among them).
auth_hooks_for_every_test() {
	podman_file_locks_for_every_test
	eval "auth_hooks_$(declare -f setup)"
	eval "auth_hooks_$(declare -f teardown)"
	setup() {
		auth_hooks_setup
		export HOME=$TEST_TMP/home XDG_RUNTIME_DIR=$TEST_TMP/xdg
		mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$TEST_TMP/bin"
		unset XDG_CONFIG_HOME DOCKER_CONFIG
		export CONTAINERS_REGISTRIES_CONF=$TEST_TMP/registries.conf
		: >"$CONTAINERS_REGISTRIES_CONF"
		export PATH=$TEST_TMP/bin:$PATH
	}
	teardown() {
		podman_teardown
		auth_hooks_teardown
	}
}

# b64 STRING: STRING in base64 on one line, as an auth file holds a
# user:password.
b64() {
	printf '%s' "$1" | base64 -w0
}

# podman_file_locks_for_every_test, and a teardown that removes what both
# tools made.  Once, at the top of a file, after the loads.
podman_hooks_for_every_test() {
	podman_file_locks_for_every_test
	teardown() {
		podman_teardown
		ferry_teardown
	}
}

# The audit files' hooks: podman_file_locks_for_every_test's setup, and
# no network unless asked in Podman's containers.conf as in ferry's
# ferry.conf of the test; teardown removes both tools' containers.  Once,
# at the top of a file, after the loads.
audit_hooks_for_every_test() {
	eval "helpers_$(declare -f setup)"
	setup() {
		helpers_setup
		podman_file_locks
		printf '[containers]\nnetns = "none"\n' >>"$CONTAINERS_CONF"
	}
	teardown() {
		if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
		podman_teardown
		ferry_teardown
	}
}

# The end of an audit test's comparison (102, 106, 115, 117): sequence
# function $1 run with ferry, its transcript edited by $TEST_TMP/f.sed,
# against $TEST_TMP/expected.log; then, where Podman is installed, with
# Podman, edited by podman_t.sed (Podman's root shown as ferry's), against
# ferry's as the test file's live_form shows both.
audit_compare() {
	local seq=$1
	echo "s#$TEST_TMP/proot/#$TEST_TMP/root/#g" >>"$TEST_TMP/podman_t.sed"
	"$seq" f
	sed -i -f "$TEST_TMP/f.sed" "$TEST_TMP/f.log"
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	"$seq" podman_t
	sed -i -f "$TEST_TMP/podman_t.sed" "$TEST_TMP/podman_t.log"
	diff -u <(live_form "$TEST_TMP/podman_t.log") <(live_form "$TEST_TMP/f.log")
}

# The later audit files' comparison (120, 124): sequence function $1 with
# ferry against the expected transcript on stdin, then with Podman where
# it is installed (audit_compare), IDs, short IDs, times and the tool's
# name in quotes shown alike.
audit_compare_expected() {
	local seq=$1 t
	cat >"$TEST_TMP/expected.log"
	load_test_image
	for t in f podman_t; do
		cat >>"$TEST_TMP/$t.sed" <<-'SED'
			s/\(["`]\)\(podman\|ferry\) /\1TOOL /g
			s/[0-9-]\{10\} [0-9:.]\{8,\} +0000 UTC/<TIME>/g
			s/\b[0-9a-f]\{64\}\b/<ID>/g
			s/\b[0-9a-f]\{12\}\b/<SID>/g
		SED
	done
	audit_compare "$seq"
}

# Runs sequence function $1 with ferry (f), and compares all it prints,
# standard error among it, with stdin (what Podman printed); where Podman
# is installed, runs it with Podman (podman_t) too and compares the two.
compare_output_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected"
	load_test_image
	"$seq" f >"$TEST_TMP/f.out" 2>&1
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		"$seq" podman_t >"$TEST_TMP/p.out" 2>&1
		diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
	fi
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"
}

# Makes a container with tool $1 (f or podman_t): name $2, run or create
# $3, then options up to --, then the command; with no network unless the
# options give one; remembers its ID for the transcript.
make_ctr() {
	local t=$1 name=$2 how=$3 img=ferry-test opts=(--network none) id
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		[ "$1" = --network ] && opts=()
		opts+=("$1")
		shift
	done
	shift
	[ "$how" = run ] && how="run -d"
	[ "$t" = podman_t ] && img=localhost/ferry-test:latest
	# shellcheck disable=SC2086
	"$t" $how --name "$name" "${opts[@]}" "$img" "$@" >/dev/null
	id=$("$t" inspect --format '{{.Id}}' "$name")
	echo "s/$id/<$name>/g; s/${id:0:12}/<$name>/g" >>"$TEST_TMP/$t.sed"
}

# Makes containers with TOOL (f or podman_t) from "NAME run|create ARGS"
# lines on stdin, and remembers their IDs so that transcripts show <NAME>.
make_containers() {
	local tool=$1 name how args id
	while read -r name how args; do
		[ "$how" = run ] && how="run -d"
		if [ "$tool" = podman_t ]; then
			# shellcheck disable=SC2086
			podman_t $how --name "$name" --network none localhost/ferry-test:latest $args >/dev/null
		else
			# shellcheck disable=SC2086
			f $how --name "$name" ferry-test $args >/dev/null
		fi
		id=$("$tool" inspect --format '{{.Id}}' "$name")
		echo "s/$id/<$name>/g" >>"$TEST_TMP/$tool.sed"
		echo "s/${id:0:12}/<$name>/g" >>"$TEST_TMP/$tool.sed"
	done
}

# Runs TOOL with the rest, appending to TOOL's transcript the command, its
# exit code and its output, IDs shown as <NAME> and the test's directory
# as TMP.
step() {
	_step cat "$@"
}

# step, with the standard output's lines sorted: Podman prints some lists
# in Go's map order, which changes from one run to the next.
step_sorted() {
	_step sort_edited "$@"
}

# The output file $1 edited as the transcript shows it, then sorted: lines
# sorted by what the two tools print differently (IDs, addresses: 10.x.100.1
# comes before 10.x.99.1 as text) would come out in different orders.  The
# tool is _step's.
sort_edited() {
	if [ -f "$TEST_TMP/$tool.sed" ]; then
		sed -f "$TEST_TMP/$tool.sed" -e "s#$TEST_TMP#TMP#g" "$1"
	else
		sed -e "s#$TEST_TMP#TMP#g" "$1"
	fi | sort
}

# As step, but only the command and its exit code go to the transcript:
# for failures that the two tools word differently.
step_rc() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >/dev/null 2>&1 || rc=$?
	echo "\$ $* -> $rc" | sed "s#$TEST_TMP#TMP#g" >>"$TEST_TMP/$tool.log"
}

# step through FILTER (a command given the output's file).
_step() {
	local filter=$1 tool=$2 rc=0
	shift 2
	"$tool" "$@" >"$TEST_TMP/out.raw" 2>"$TEST_TMP/err" || rc=$?
	"$filter" "$TEST_TMP/out.raw" >"$TEST_TMP/out"
	{
		echo "\$ $* -> $rc" | sed "s#$TEST_TMP#TMP#g"
		sed -f "$TEST_TMP/$tool.sed" -e "s#$TEST_TMP#TMP#g" "$TEST_TMP/out" | sed 's/^/  out: /'
		sed -f "$TEST_TMP/$tool.sed" -e "s#$TEST_TMP#TMP#g" -e 's/^time="[^"]*" /time=T /' "$TEST_TMP/err" |
			sed 's/^/  err: /'
	} >>"$TEST_TMP/$tool.log"
}

# The audit files' transcript $1 as compared live (audit_compare):
# errors cut to their first three words (the rest is each tool's wording
# of the cause), the tool's name in a "See 'podman ps --help'" or "Try
# 'podman volume --help'" line as TOOL, blank output lines left out.
live_form() {
	grep -v '^  out: *$' "$1" | sed -E -e "s/^  err: (See|Try) '(podman|ferry) /  err: \1 'TOOL /" |
		awk '/^  err: / { print $1, $2, $3, $4; next } 1'
}

# step through jq -c "$JQ": a part of a JSON answer.
jq_part() {
	jq -c "$JQ" "$1"
}
