# Transcript helpers of the tests that drive a terminal (084 attach, 110
# exec sessions).  Load after helpers and podman-helpers; IMAGE is the test
# image's full name (Podman's side).

# Runs sequence function $1 in ferry and compares its transcript with the
# one on stdin (Podman's), then, where Podman is installed, in Podman too.
compare_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected.log"
	load_test_image
	touch "$TEST_TMP/f.sed"
	"$seq" f
	if command -v podman >/dev/null; then
		# Podman names itself in some messages where ferry does.
		echo 's/podman /ferry /g' >"$TEST_TMP/podman_t.sed"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		"$seq" podman_t
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
	# Control characters as cat -v shows them (^P).
	diff -u "$TEST_TMP/expected.log" <(cat -v "$TEST_TMP/f.log")
}

# Makes container $2 with tool $1: `$1 $3... --name $2 IMAGE $4...`, where
# $3 is the options (one word each, space-separated) and the rest the
# command, and remembers its ID for the transcripts, as make_containers.
make_ctr() {
	local t=$1 name=$2 opts=$3 image=ferry-test id
	shift 3
	[ "$t" = podman_t ] && image=$IMAGE
	# shellcheck disable=SC2086
	"$t" $opts --name "$name" --network none "$image" "$@" >/dev/null 2>&1
	id=$("$t" inspect --format '{{.Id}}' "$name")
	echo "s/$id/<$name>/g" >>"$TEST_TMP/$t.sed"
	echo "s/${id:0:12}/<$name>/g" >>"$TEST_TMP/$t.sed"
}

# The command line of tool $1 (f or podman_t) as an executable's, for what
# cannot run a shell function (the terminal driver).
tool_argv() {
	if [ "$1" = f ]; then
		echo "$FERRY_BIN --root $ROOT --runroot $RUNROOT"
	else
		echo "env PODMAN_IGNORE_CGROUPSV1_WARNING=1 CONTAINERS_CONF=$CONTAINERS_CONF podman" \
			"--root $TEST_TMP/proot --runroot $TEST_TMP/prun --tmpdir $TEST_TMP/ptmp" \
			"--network-config-dir $TEST_TMP/pnet --cgroup-manager cgroupfs --events-backend none --runtime runc"
	fi
}
