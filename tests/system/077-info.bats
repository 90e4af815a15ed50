#!/usr/bin/env bats
# info and system info: YAML by default, JSON with --format json, and Go
# templates with Podman's field names; compared with Podman's own answers
# where Podman is installed.

load helpers
load podman-helpers

teardown() {
	podman_teardown
	ferry_teardown
}

# Fields both tools take from the same host and programs.
SHARED='{{.Host.Arch}} {{.Host.OS}} {{.Host.Kernel}} {{.Host.Hostname}} {{.Host.CPUs}} {{.Host.CgroupManager}} {{.Host.CgroupsVersion}} {{.Host.OCIRuntime.Name}} {{.Host.Conmon.Path}} {{.Host.Conmon.Version}} {{.Host.Distribution.Distribution}} {{.Host.Distribution.Version}} {{.Host.NetworkBackend}} {{.Host.DatabaseBackend}} {{.Store.GraphDriverName}} {{.Version.OsArch}}'

@test "info: YAML, JSON and templates; counts follow the store" {
	load_test_image
	run_ferry info
	assert_status 0
	# YAML with the sections Podman has, sorted.
	[ "$(grep -oE '^[a-z]+:' <<<"$output" | paste -sd ' ')" = "host: plugins: registries: store: version:" ]
	grep -q "^  graphRoot: $ROOT\$" <<<"$output"
	grep -q "^  runRoot: $RUNROOT\$" <<<"$output"
	# JSON parses, and says what the template says.
	f info --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["store"]["imageStore"]["number"] == 1, d["store"]
assert d["host"]["criu"]["version"].count(".") >= 1, d["host"]["criu"]
assert d["host"]["ociRuntime"]["name"] == "runc"
'
	[ "$(f info --format '{{.Store.ImageStore.Number}} {{.Store.ContainerStore.Number}}')" = "1 0" ]
	f run -d --name c ferry-test sleep 1000 >/dev/null
	f create --name d ferry-test true >/dev/null
	[ "$(f system info --format '{{.Store.ContainerStore.Number}} {{.Store.ContainerStore.Running}} {{.Store.ContainerStore.Stopped}}')" = "2 1 1" ]
	[ "$(f info --format '{{.Host.Criu.Version}}')" = "$(criu --version | sed -n 's/^Version: //p')" ]
	run_ferry info --format '{{.Host.NoSuchField}}'
	assert_status 125
	assert_one_line_error
	run_ferry info extra
	assert_status 125
	assert_output_contains "`ferry info` takes no arguments"
}

@test "info: the fields Podman shares say what Podman says" {
	command -v podman >/dev/null || skip "Podman is not installed (scripts/install-deps.sh --with-podman)"
	mkdir -p "$TEST_TMP/ptmp"
	[ "$(f info --format "$SHARED")" = "$(podman_t info --format "$SHARED")" ]
	[ "$(f info --format '{{.Store.GraphRoot}}')" = "$ROOT" ]
}
