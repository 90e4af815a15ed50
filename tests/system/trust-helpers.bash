# Helpers of the tests of trust policies, signatures and lookaside stores
# (112, 114, 116): load after helpers and podman-helpers.

# trust_env: file locks for the test's Podman (podman_file_locks), a
# $HOME of the test's own (the default policy and registries.d are read
# from there first), and an empty registries.conf of its own, where a
# test names the plain-HTTP registry.
trust_env() {
	podman_file_locks
	export HOME=$TEST_TMP/home
	mkdir -p "$HOME/.config/containers/registries.d"
	export CONTAINERS_REGISTRIES_CONF=$TEST_TMP/registries.conf
	: >"$CONTAINERS_REGISTRIES_CONF"
}

# policy NAME JSON: writes $TEST_TMP/NAME.json.
policy() {
	printf '%s\n' "$2" >"$TEST_TMP/$1.json"
}

# tstep TOOL ARGS...: runs TOOL, prints "$ ARGS -> CODE" and the first
# "Error: " line of its standard error, the test's directory as TMP and
# the registry as REG.
tstep() {
	local t=$1 rc=0 err
	shift
	# A file of its own: two steps may run side by side (diff <(...) <(...)).
	err=$(mktemp "$TEST_TMP/err.XXXXXX")
	"$t" "$@" >/dev/null 2>"$err" || rc=$?
	{
		echo "\$ $* -> $rc"
		grep -m1 '^Error: ' "$err" || true
	} | sed -e "s#$TEST_TMP#TMP#g" -e "s#${REGISTRY:-@@none@@}#REG#g"
	rm -f "$err"
}

# images_count TOOL: how many images TOOL's store holds.
images_count() {
	"$1" images -q | wc -l
}

# lookaside DIR|URL: registries.d (in $HOME) names file://DIR (or URL) as
# the store of the test registry's images.
lookaside() {
	local url=$1
	[[ $url == *://* ]] || url=file://$url
	printf 'docker:\n  %s:\n    lookaside: %s\n' "$REGISTRY" "$url" >"$HOME/.config/containers/registries.d/test.yaml"
}
