#!/usr/bin/env bats
# The list and inspect commands' --format templates and options, compared
# with Podman's on the same image.  The comparisons need Podman
# (scripts/install-deps.sh --with-podman) and are skipped where it is
# absent; the ferry-only tests pin the same behaviour without it.

load helpers

# Podman with roots of this test's own, as 070 runs it.
podman_t() {
	PODMAN_IGNORE_CGROUPSV1_WARNING=1 podman --root "$TEST_TMP/proot" --runroot "$TEST_TMP/prun" \
		--tmpdir "$TEST_TMP/ptmp" --cgroup-manager cgroupfs --events-backend none --runtime runc "$@"
}

need_podman() {
	command -v podman >/dev/null || skip "Podman is not installed (scripts/install-deps.sh --with-podman)"
	mkdir -p "$TEST_TMP/ptmp"
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
}

teardown() {
	if [ -n "${TEST_TMP:-}" ] && [ -d "$TEST_TMP/proot" ]; then
		podman_t rm -af -t 0 >/dev/null 2>&1 || true
		podman_t volume rm -af >/dev/null 2>&1 || true
		podman_t rmi -af >/dev/null 2>&1 || true
	fi
	ferry_teardown
}

# Runs "$@" in ferry and in Podman (with --network none where a container
# is made) and fails, showing both, unless they print the same.
same_output() {
	local fo po
	fo=$(f "$@" 2>&1) || { echo "ferry $*: failed: $fo" >&2; return 1; }
	po=$(podman_t "$@" 2>&1) || { echo "podman $*: failed: $po" >&2; return 1; }
	if [ "$fo" != "$po" ]; then
		printf 'ferry %s:\n%s\npodman:\n%s\n' "$*" "$fo" "$po" >&2
		return 1
	fi
}

# Makes container $1 in both, running "$@" after it, with no network.
both_create() {
	local name=$1
	shift
	f create --name "$name" "$@" >/dev/null
	podman_t create --name "$name" --network none "$@" >/dev/null
}

@test "inspect --format prints values as Go does, in ferry as in Podman: slices [a b], maps map[k:v] in key order, bools, numbers; json still JSON" {
	need_podman
	load_test_image
	both_create t -l b=2 -l a=1 localhost/ferry-test:latest sh -c 'exit 0'
	same_output inspect --format '{{.Config.Cmd}}|{{.Config.Labels}}|{{.State.Running}}|{{json .Config.Cmd}}|{{.State.ExitCode}}|{{.HostConfig.Privileged}}|{{index .Config.Labels "a"}}|{{.Name}}|{{.RestartCount}}' t
	same_output image inspect --format '{{.RepoTags}}|{{.Config.Cmd}}|{{.Config.Env}}|{{.Architecture}}|{{json .RepoTags}}|{{index .RepoTags 0}}' localhost/ferry-test:latest
}

@test "templates print Go's forms: [a b] for a list, map[a:b c:d] sorted, true/false, numbers; {{json}} gives JSON" {
	load_test_image
	f create --name t -l zed=1 -l alpha=2 -v /tmp:/mnt localhost/ferry-test:latest sh -c 'exit 0' >/dev/null
	run_ferry inspect --format '{{.Config.Cmd}}|{{.Config.Labels}}|{{.State.Running}}|{{.State.ExitCode}}|{{json .Config.Cmd}}' t
	assert_status 0
	[ "$output" = '[sh -c exit 0]|map[alpha:2 zed:1]|false|0|["sh","-c","exit 0"]' ]
	run_ferry inspect --format '{{.NoSuchField}}' t
	assert_status 125
	assert_one_line_error
}
