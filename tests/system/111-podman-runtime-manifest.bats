#!/usr/bin/env bats
# The OCI runtime a container was created with, kept for all its
# operations and changed by system migrate --new-runtime; manifest push
# --add-compression; manifest annotate --subject and manifest add
# --artifact.  Each as a Podman user types it, compared with Podman 5.4
# run live where it is installed, and with what Podman printed (kept
# below) where it is not.

load helpers
load podman-helpers
load ../lib/registry

bats_require_minimum_version 1.5.0

podman_file_locks_for_every_test

teardown() {
	podman_teardown
	registry_stop
	hostile_stop
	_registry_helpers_teardown
}

# ---- the runtime a container keeps --------------------------------------------

# An OCI runtime of the test's own: runc behind a script that logs each
# call (its verb and the container's ID, the last argument) to calls.log
# beside it.
make_wrapper() {
	local dir=$1
	mkdir -p "$dir"
	cat >"$dir/runc-wrap" <<-EOF
		#!/bin/sh
		echo "\$*" >>"$dir/calls.log"
		exec $(command -v runc) "\$@"
	EOF
	chmod +x "$dir/runc-wrap"
	: >"$dir/calls.log"
}

# The calls of the wrapper in $1 that name container ID $2, as "VERB" lines
# (exec, kill, delete, ...), in order.
calls_for() {
	grep -- "$2" "$1/calls.log" | grep -oE '\b(create|start|exec|kill|delete|pause|resume|checkpoint|restore|update)\b' | head -n 100 | sort -u
}

# TOOL $1 runs a container with the wrapper in $2, another with its
# default runtime, then works on both without --runtime: the wrapper
# must have run every call of the first and none of the second.
runtime_kept() {
	local t=$1 dir=$2 img=$3 a b
	make_wrapper "$dir"
	"$t" --runtime "$dir/runc-wrap" run -d --name a --network none "$img" \
		sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
	"$t" run -d --name b --network none "$img" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
	a=$("$t" inspect --format '{{.Id}}' a)
	b=$("$t" inspect --format '{{.Id}}' b)
	[ "$("$t" inspect --format '{{.OCIRuntime}}' a)" = "$dir/runc-wrap" ]
	[ "$("$t" inspect --format '{{.OCIRuntime}}' b)" = runc ]
	[ "$("$t" exec a cat /etc/ferry-release)" = "ferry-test-image 1" ]
	"$t" pause a >/dev/null
	"$t" unpause a >/dev/null
	"$t" kill -s USR1 a >/dev/null
	"$t" stop -t 0 a >/dev/null
	"$t" exec b true
	"$t" stop -t 0 b >/dev/null
	# A later --runtime changes nothing for a container made with another.
	: >"$dir/calls.log"
	"$t" --runtime runc start a >/dev/null
	"$t" --runtime runc stop -t 0 a >/dev/null
	[ "$("$t" --runtime runc inspect --format '{{.OCIRuntime}}' a)" = "$dir/runc-wrap" ]
	echo "$a" >"$dir/a.id"
	echo "$b" >"$dir/b.id"
}

@test "runtime: a container keeps the runtime it was created with for start, exec, pause, kill and stop, whatever --runtime comes later, as Podman" {
	load_test_image
	runtime_kept f "$TEST_TMP/wf" ferry-test
	# After the reset: the start and stop given --runtime runc (stop -t 0
	# kills a container with a PID namespace of its own through a pidfd,
	# with no runtime kill).
	run calls_for "$TEST_TMP/wf" "$(cat "$TEST_TMP/wf/a.id")"
	[[ "$output" == *create* && "$output" == *start* && "$output" == *delete* ]]
	[ -z "$(grep -- "$(cat "$TEST_TMP/wf/b.id")" "$TEST_TMP/wf/calls.log")" ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	runtime_kept podman_t "$TEST_TMP/wp" localhost/ferry-test:latest
	run calls_for "$TEST_TMP/wp" "$(cat "$TEST_TMP/wp/a.id")"
	[[ "$output" == *create* && "$output" == *start* && "$output" == *kill* && "$output" == *delete* ]]
	[ -z "$(grep -- "$(cat "$TEST_TMP/wp/b.id")" "$TEST_TMP/wp/calls.log")" ]
}

@test "runtime: every operation on a container goes through its own runtime: create, start, exec, kill, delete" {
	load_test_image
	make_wrapper "$TEST_TMP/w"
	f --runtime "$TEST_TMP/w/runc-wrap" run -d --name a ferry-test sleep 1000 >/dev/null
	a=$(f inspect --format '{{.Id}}' a)
	f exec a true
	f pause a
	f unpause a
	f kill a >/dev/null
	f wait a >/dev/null || true
	f rm a >/dev/null
	# Pause and unpause go through the cgroup freezer where there is one,
	# not the runtime.
	run calls_for "$TEST_TMP/w" "$a"
	[ "$(printf '%s\n' "$output" | grep -vE '^(pause|resume)$')" = "$(printf '%s\n' create delete exec kill start)" ]
}

@test "runtime: a container whose runtime is gone does not start (125, one line naming it and the way out); it can still be removed" {
	load_test_image
	make_wrapper "$TEST_TMP/w"
	cp "$TEST_TMP/w/runc-wrap" "$TEST_TMP/w/gone"
	f --runtime "$TEST_TMP/w/gone" create --name a ferry-test true >/dev/null
	rm "$TEST_TMP/w/gone"
	run_ferry start a
	assert_status 125
	assert_one_line_error
	assert_output_contains "OCI runtime \`$TEST_TMP/w/gone\` of container \`a\` is not available"
	assert_output_contains "system migrate --new-runtime"
	[ "$(f inspect --format '{{.State.Status}}' a)" = created ]
	run_ferry rm a
	assert_status 0
	[ "$output" = a ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	cp "$TEST_TMP/w/runc-wrap" "$TEST_TMP/w/gone"
	podman_t --runtime "$TEST_TMP/w/gone" create --name a --network none localhost/ferry-test:latest true >/dev/null
	rm "$TEST_TMP/w/gone"
	run podman_t start a
	[ "$status" -eq 125 ]
	run podman_t rm a
	[ "$status" -eq 0 ]
}

@test "runtime: a restored archive's container gets this ferry's runtime, never the program the archive names" {
	load_test_image
	make_wrapper "$TEST_TMP/w"
	f --runtime "$TEST_TMP/w/runc-wrap" run -d --name a ferry-test sleep 1000 >/dev/null
	f container checkpoint --export "$TEST_TMP/a.tar" a >/dev/null
	f rm a >/dev/null
	: >"$TEST_TMP/w/calls.log"
	f container restore --import "$TEST_TMP/a.tar" --name b >/dev/null
	[ "$(f inspect --format '{{.OCIRuntime}}' b)" = runc ]
	[ ! -s "$TEST_TMP/w/calls.log" ]
	[ "$(f inspect --format '{{.State.Status}}' b)" = running ]
	f rm -f -t 0 b >/dev/null
}

@test "runtime: a name of containers.conf's [engine.runtimes] is found where it says, kept by that name, and one system migrate accepts, as Podman" {
	load_test_image
	make_wrapper "$TEST_TMP/w"
	printf '[engine.runtimes]\nmywrap = ["/nonexistent/runc", "%s"]\n' "$TEST_TMP/w/runc-wrap" >>"$CONTAINERS_CONF"
	f --runtime mywrap create --name a ferry-test true >/dev/null
	[ "$(f inspect --format '{{.OCIRuntime}}' a)" = mywrap ]
	f start a >/dev/null
	grep -q "start $(f inspect --format '{{.Id}}' a)" "$TEST_TMP/w/calls.log"
	f create --name b ferry-test true >/dev/null
	run_ferry system migrate --new-runtime mywrap
	assert_status 0
	[ "$(f inspect --format '{{.OCIRuntime}}' b)" = mywrap ]
	# A name it does not list: not found, one line.
	run_ferry --runtime otherwrap create ferry-test true
	assert_status 125
	assert_one_line_error
	assert_output_contains "otherwrap"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t --runtime mywrap create --name a --network none localhost/ferry-test:latest true >/dev/null
	[ "$(podman_t inspect --format '{{.OCIRuntime}}' a)" = mywrap ]
	podman_t create --name b --network none localhost/ferry-test:latest true >/dev/null
	run podman_t system migrate --new-runtime mywrap
	[ "$status" -eq 0 ]
	[ "$(podman_t inspect --format '{{.OCIRuntime}}' b)" = mywrap ]
}

@test "runtime: containers.conf's [engine] runtime is the runtime of new containers when --runtime names none; --runtime still wins" {
	load_test_image
	make_wrapper "$TEST_TMP/w"
	# setup's [engine] table is the file's last: the key goes into it.
	printf 'runtime = "mywrap"\n[engine.runtimes]\nmywrap = ["%s"]\n' "$TEST_TMP/w/runc-wrap" >>"$CONTAINERS_CONF"
	f create --name a ferry-test true >/dev/null
	[ "$(f inspect --format '{{.OCIRuntime}}' a)" = mywrap ]
	f start a >/dev/null
	grep -q "start $(f inspect --format '{{.Id}}' a)" "$TEST_TMP/w/calls.log"
	f --runtime runc create --name b ferry-test true >/dev/null
	[ "$(f inspect --format '{{.OCIRuntime}}' b)" = runc ]
	f start b >/dev/null
	! grep -q "$(f inspect --format '{{.Id}}' b)" "$TEST_TMP/w/calls.log" || false
}

# ---- system migrate --new-runtime ---------------------------------------------

migrate_runtime_sequence() {
	local t=$1 img=$2 w=$TEST_TMP/w/runc-wrap
	"$t" --runtime "$w" run -d --name m1 --network none "$img" \
		sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
	"$t" create --name m2 --network none "$img" true >/dev/null
	wait_until "[ \"\$($t inspect --format '{{.State.Status}}' m1)\" = running ]"
	mstep "$t" system migrate --new-runtime nosuch
	mstep "$t" inspect --format '{{.Name}} {{.State.Status}} {{.OCIRuntime}}' m1 m2
	mstep "$t" system migrate --new-runtime "$w"
	mstep "$t" inspect --format '{{.Name}} {{.OCIRuntime}}' m1 m2
	mstep "$t" system migrate --new-runtime runc
	mstep "$t" inspect --format '{{.Name}} {{.OCIRuntime}}' m1 m2
	mstep "$t" system migrate --new-runtime "$w"
	mstep "$t" --runtime "$w" system migrate --new-runtime "$w"
	mstep "$t" inspect --format '{{.Name}} {{.OCIRuntime}}' m1 m2
}

# Runs "$@" with tool $1, appending the command, its exit code and its
# output to the tool's transcript; 64-hex IDs show as <ID>, the test's
# directory as TMP.
mstep() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >"$TEST_TMP/out" 2>&1 || rc=$?
	{
		echo "\$ $* -> $rc" | sed -e "s#$TEST_TMP#TMP#g"
		sed -E -e "s/\b[0-9a-f]{64}\b/<ID>/g; s#$TEST_TMP#TMP#g" -e '$a\' "$TEST_TMP/out"
	} >>"$TEST_TMP/$tool.log"
}

@test "system migrate --new-runtime: stops the running containers, then moves every container to a runtime Podman knows; others refused as Podman does" {
	load_test_image
	make_wrapper "$TEST_TMP/w"
	migrate_runtime_sequence f ferry-test
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ system migrate --new-runtime nosuch -> 125
		stopped <ID>
		change to runtime "nosuch" requested but no such runtime is defined: invalid argument
		$ inspect --format {{.Name}} {{.State.Status}} {{.OCIRuntime}} m1 m2 -> 0
		m1 exited TMP/w/runc-wrap
		m2 created runc
		$ system migrate --new-runtime TMP/w/runc-wrap -> 0
		$ inspect --format {{.Name}} {{.OCIRuntime}} m1 m2 -> 0
		m1 TMP/w/runc-wrap
		m2 TMP/w/runc-wrap
		$ system migrate --new-runtime runc -> 0
		$ inspect --format {{.Name}} {{.OCIRuntime}} m1 m2 -> 0
		m1 runc
		m2 runc
		$ system migrate --new-runtime TMP/w/runc-wrap -> 125
		change to runtime "TMP/w/runc-wrap" requested but no such runtime is defined: invalid argument
		$ --runtime TMP/w/runc-wrap system migrate --new-runtime TMP/w/runc-wrap -> 0
		$ inspect --format {{.Name}} {{.OCIRuntime}} m1 m2 -> 0
		m1 TMP/w/runc-wrap
		m2 TMP/w/runc-wrap
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.log"
	# The new runtime is the one that runs them now.
	: >"$TEST_TMP/w/calls.log"
	f start m1 >/dev/null
	grep -q "start $(f inspect --format '{{.Id}}' m1)" "$TEST_TMP/w/calls.log"
	f stop -t 0 m1 >/dev/null

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	migrate_runtime_sequence podman_t localhost/ferry-test:latest
	# Podman's inspect says "stopped" where ferry's says exited (its
	# cleanup not yet run).
	diff -u <(sed -e 's/^m1 stopped /m1 exited /' "$TEST_TMP/podman_t.log") "$TEST_TMP/f.log"
}

# ---- manifest push --add-compression --------------------------------------------

# TOOL $1: a list of the test image for amd64 (annotated k=v) and arm64.
two_platform_list() {
	local t=$1 d
	[ -s "$TEST_TMP/arm64.tar" ] || make_arch_image arm64 localhost/ferry-test-arm64:latest "$TEST_TMP/arm64.tar"
	"$t" load -q -i "$(ferry_test_image)" >/dev/null
	"$t" load -q -i "$TEST_TMP/arm64.tar" >/dev/null
	"$t" manifest create multi localhost/ferry-test:latest localhost/ferry-test-arm64:latest >/dev/null
	d=$("$t" image inspect --format '{{.Digest}}' localhost/ferry-test:latest)
	"$t" manifest annotate --annotation k=v multi "$d" >/dev/null
}

# The index the registry has for $1 (REPOSITORY:TAG), one line an entry:
# its platform, its annotations, its image's config digest and its
# layers' media types (the digests of layers compressed anew are each
# compressor's own).
index_summary() {
	local ref=$1 d
	curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REGISTRY/v2/${ref%%:*}/manifests/${ref#*:}" >"$TEST_TMP/idx.json"
	jq -r '.mediaType' "$TEST_TMP/idx.json"
	for d in $(jq -r '.manifests[].digest' "$TEST_TMP/idx.json"); do
		curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REGISTRY/v2/${ref%%:*}/manifests/$d" >"$TEST_TMP/m.json"
		printf '%s %s %s %s\n' \
			"$(jq -r --arg d "$d" '.manifests[] | select(.digest == $d) | .platform.architecture' "$TEST_TMP/idx.json" | head -n1)" \
			"$(jq -c -S --arg d "$d" '[.manifests[] | select(.digest == $d)][0].annotations // {}' "$TEST_TMP/idx.json")" \
			"$(jq -r '.config.digest[7:19]' "$TEST_TMP/m.json")" \
			"$(jq -r '[.layers[].mediaType | sub("application/vnd.oci.image.layer.v1.tar\\+"; "")] | join(",")' "$TEST_TMP/m.json")"
	done
}

add_compression_sequence() {
	local t=$1 repo=$2
	two_platform_list "$t"
	"$t" manifest push -q --tls-verify=false --force-compression --add-compression zstd multi "$REGISTRY/$repo:v1"
	index_summary "$repo:v1" >"$TEST_TMP/$t.v1"
	# Gzip counts as there for every entry without the zstd mark: nothing
	# is added.
	"$t" manifest push -q --tls-verify=false --force-compression --add-compression gzip multi "$REGISTRY/$repo:v2"
	index_summary "$repo:v2" >"$TEST_TMP/$t.v2"
}

@test "manifest push --add-compression zstd: a zstd copy of each platform's image, listed after the others with the mark, as Podman's" {
	[ "$(uname -m)" = x86_64 ] || skip "the test's second platform is arm64, this host's must differ"
	registry_start
	add_compression_sequence f fl
	amd=$(f image inspect --format '{{.Id}}' localhost/ferry-test:latest)
	arm=$(f image inspect --format '{{.Id}}' localhost/ferry-test-arm64:latest)
	cat >"$TEST_TMP/expected" <<-EOF
		application/vnd.oci.image.index.v1+json
		amd64 {"k":"v"} ${amd:0:12} gzip,gzip
		arm64 {} ${arm:0:12} gzip,gzip
		amd64 {"io.github.containers.compression.zstd":"true","k":"v"} ${amd:0:12} zstd,zstd
		arm64 {"io.github.containers.compression.zstd":"true"} ${arm:0:12} zstd,zstd
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.v1"
	head -n 3 "$TEST_TMP/expected" | diff -u - "$TEST_TMP/f.v2"
	# The zstd copy is the same image: ferry on another root pulls it and
	# runs it.
	curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REGISTRY/v2/fl/manifests/v1" >"$TEST_TMP/idx.json"
	zd=$(jq -r '.manifests[2].digest' "$TEST_TMP/idx.json")
	run_fb pull -q --tls-verify=false "$REGISTRY/fl@$zd"
	assert_status 0
	[ "$(fb run --rm "$REGISTRY/fl@$zd" cat /etc/ferry-release)" = "ferry-test-image 1" ]

	need_podman
	add_compression_sequence podman_t pl
	diff -u "$TEST_TMP/podman_t.v1" "$TEST_TMP/f.v1"
	diff -u "$TEST_TMP/podman_t.v2" "$TEST_TMP/f.v2"
}

@test "manifest push --add-compression: bad values refused before anything is pushed, with Podman's words and code" {
	[ "$(uname -m)" = x86_64 ] || skip "the test's second platform is arm64, this host's must differ"
	registry_start
	two_platform_list f
	run_ferry manifest push -q --tls-verify=false --add-compression bogus multi "$REGISTRY/bad:v1"
	assert_status 125
	assert_one_line_error
	[ "$output" = 'Error: requested algorithm bogus is not supported for replication: cannot find compressor for "bogus"' ]
	run_ferry manifest push -q --tls-verify=false --add-compression zstd:chunked multi "$REGISTRY/bad:v1"
	assert_status 125
	assert_one_line_error
	run_ferry manifest push -q --tls-verify=false --add-compression zstd --format v2s2 multi "$REGISTRY/bad:v1"
	assert_status 125
	assert_one_line_error
	assert_output_contains "use --format oci"
	# Nothing reached the registry.
	run curl -sf "http://$REGISTRY/v2/bad/tags/list"
	[ "$status" -ne 0 ] || [ "$(echo "$output" | jq -r '.tags // [] | length')" = 0 ]
	[ -z "$(grep -E '"(PUT|POST) /v2/bad/' "$REGISTRY_LOG")" ]

	need_podman
	two_platform_list podman_t
	run podman_t manifest push --tls-verify=false --add-compression bogus multi "$REGISTRY/pbad:v1"
	[ "$status" -eq 125 ]
	[ "$output" = 'Error: requested algorithm bogus is not supported for replication: cannot find compressor for "bogus"' ]
	run podman_t manifest push -q --tls-verify=false --add-compression zstd --format v2s2 multi "$REGISTRY/pbad:v2"
	[ "$status" -eq 125 ]
}

# ---- manifest annotate --subject ----------------------------------------------------

subject_sequence() {
	local t=$1 img
	img=$("$t" image inspect --format '{{.Digest}}' localhost/ferry-test:latest)
	{
		"$t" manifest create s1 localhost/ferry-test:latest >/dev/null
		sstep "$t" manifest annotate --index --subject localhost/ferry-test:latest s1
		sstep "$t" manifest inspect s1
		"$t" manifest create s2 >/dev/null
		sstep "$t" manifest annotate --index --subject s1 s2
		sstep "$t" manifest inspect s2
		sstep "$t" manifest annotate --subject s1 s2
		sstep "$t" manifest annotate --subject s1 s2 "$img"
		sstep "$t" manifest annotate --index --subject nosuch s2
		sstep "$t" manifest annotate --index --subject localhost/ferry-test:latest nosuch
	} | sed -e "s/$img/<IMG>/g" -E -e 's/sha256:[0-9a-f]{64}/<LIST>/g; s/^[0-9a-f]{64}$/<ID>/' >"$TEST_TMP/$t.subject"
}

# Runs "$@" with tool $1: the command, its exit code, its output and the
# first words of its error (Podman's go on about the registry it asked).
sstep() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	echo "\$ $* -> $rc"
	cat "$TEST_TMP/out"
	sed -E 's/("docker:\/\/[^"]*": .*; )//; s/ \(ferry looks for it.*//' "$TEST_TMP/err"
}

@test "manifest annotate --index --subject: the list's subject, shown and pushed as Podman's; misuse refused with its words" {
	load_test_image
	subject_sequence f
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ manifest annotate --index --subject localhost/ferry-test:latest s1 -> 0
		<ID>
		$ manifest inspect s1 -> 0
		{
		    "schemaVersion": 2,
		    "mediaType": "application/vnd.oci.image.index.v1+json",
		    "manifests": [
		        {
		            "mediaType": "application/vnd.oci.image.manifest.v1+json",
		            "size": 559,
		            "digest": "<IMG>",
		            "platform": {
		                "architecture": "amd64",
		                "os": "linux"
		            }
		        }
		    ],
		    "subject": {
		        "mediaType": "application/vnd.oci.image.manifest.v1+json",
		        "size": 559,
		        "digest": "<IMG>",
		        "platform": {
		            "architecture": "",
		            "os": ""
		        }
		    }
		}
		$ manifest annotate --index --subject s1 s2 -> 0
		<ID>
		$ manifest inspect s2 -> 0
		{
		    "schemaVersion": 2,
		    "mediaType": "application/vnd.oci.image.index.v1+json",
		    "manifests": null,
		    "subject": {
		        "mediaType": "application/vnd.oci.image.index.v1+json",
		        "size": 452,
		        "digest": "<LIST>",
		        "platform": {
		            "architecture": "",
		            "os": ""
		        }
		    }
		}
		$ manifest annotate --subject s1 s2 -> 125
		Error: expected an instance digest, image name, or artifact name
		$ manifest annotate --subject s1 s2 <IMG> -> 125
		Error: setting subject for a manifest list requires no instance digest
		$ manifest annotate --index --subject nosuch s2 -> 125
		Error: locating subject for image index: "nosuch": nosuch: image not known
		$ manifest annotate --index --subject localhost/ferry-test:latest nosuch -> 125
	EOF
	# ferry's message for a missing list is its own.
	diff -u "$TEST_TMP/expected" <(sed '$d' "$TEST_TMP/f.subject")
	[ "$(uname -m)" = x86_64 ] || skip "the stored inspect shows amd64"

	# The pushed index carries the subject, without the shown platform.
	registry_start
	f manifest push -q --tls-verify=false s1 "$REGISTRY/s1:v1"
	curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REGISTRY/v2/s1/manifests/v1" |
		jq -c -S .subject >"$TEST_TMP/f.pushed"
	echo "{\"digest\":\"$(f image inspect --format '{{.Digest}}' localhost/ferry-test:latest)\",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"size\":559}" |
		diff -u - "$TEST_TMP/f.pushed"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	subject_sequence podman_t
	diff -u <(sed '$d' "$TEST_TMP/podman_t.subject") <(sed '$d' "$TEST_TMP/f.subject")
	podman_t manifest push -q --tls-verify=false s1 "$REGISTRY/p1:v1"
	curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REGISTRY/v2/p1/manifests/v1" |
		jq -c -S .subject | diff -u - "$TEST_TMP/f.pushed"
}

# ---- manifest add --artifact ---------------------------------------------------------

make_artifact_files() {
	mkdir -p "$TEST_TMP/files"
	printf 'hello\n' >"$TEST_TMP/files/f1.txt"
	printf '\000\001bin' >"$TEST_TMP/files/b.bin"
	printf 'world\n' >"$TEST_TMP/files/f2.bin"
	printf '{"a":1}' >"$TEST_TMP/files/cfg.json"
}

# The lines of each "files" list in manifest inspect's output $1, sorted.
sort_files_lists() {
	awk '
		inside && /^ *\]/ {
			for (i = 2; i <= k; i++)
				for (j = i; j > 1 && l[j - 1] > l[j]; j--) { t = l[j]; l[j] = l[j - 1]; l[j - 1] = t }
			for (i = 1; i <= k; i++) print l[i]
			inside = 0
		}
		inside { sub(/,$/, ""); l[++k] = $0; next }
		{ print }
		/"files": \[$/ { inside = 1; k = 0 }
	' "$1"
}

artifact_sequence() {
	local t=$1 d=$TEST_TMP/files img
	img=$("$t" image inspect --format '{{.Digest}}' localhost/ferry-test:latest)
	{
		"$t" manifest create a2 >/dev/null
		sstep "$t" manifest add --artifact --artifact-config "$d/cfg.json" --artifact-exclude-titles a2 "$d/f1.txt" "$d/b.bin"
		sstep "$t" manifest add --artifact --artifact-type app/x --artifact-config-type app/cfg \
			--artifact-config "$d/cfg.json" --artifact-layer-type app/layer --annotation k=v --os linux --arch arm64 \
			--artifact-subject localhost/ferry-test:latest a2 "$d/f2.bin"
		sstep "$t" manifest add --artifact --artifact-config-type app/c a2 "$d/f1.txt"
		sstep "$t" manifest inspect a2
		sstep "$t" manifest add --artifact a2 "$d/nonexist"
		sstep "$t" manifest add --artifact a2
		sstep "$t" manifest add --artifact a2 "$d"
		sstep "$t" manifest add --artifact-type x a2 localhost/ferry-test:latest
		sstep "$t" manifest add --artifact nolist "$d/f1.txt"
	} | sed -e "s/$img/<IMG>/g; s#$TEST_TMP#TMP#g" -E -e 's/^[0-9a-f]{64}$/<ID>/' >"$TEST_TMP/$t.artifact"
}

@test "manifest add --artifact and its options: Podman's artifact manifests (the same digests), entries and messages" {
	load_test_image
	make_artifact_files
	artifact_sequence f
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ manifest add --artifact --artifact-config TMP/files/cfg.json --artifact-exclude-titles a2 TMP/files/f1.txt TMP/files/b.bin -> 0
		<ID>
		$ manifest add --artifact --artifact-type app/x --artifact-config-type app/cfg --artifact-config TMP/files/cfg.json --artifact-layer-type app/layer --annotation k=v --os linux --arch arm64 --artifact-subject localhost/ferry-test:latest a2 TMP/files/f2.bin -> 0
		<ID>
		$ manifest add --artifact --artifact-config-type app/c a2 TMP/files/f1.txt -> 0
		<ID>
		$ manifest inspect a2 -> 0
		{
		    "schemaVersion": 2,
		    "mediaType": "application/vnd.oci.image.index.v1+json",
		    "manifests": [
		        {
		            "mediaType": "application/vnd.oci.image.manifest.v1+json",
		            "size": 572,
		            "digest": "sha256:bf69eca5f0ead2a0ddf36a8aee21b33eb2a1838313bfe7da2219ee0788c577e9",
		            "platform": {
		                "architecture": "",
		                "os": ""
		            },
		            "artifactType": "application/vnd.unknown.artifact.v1",
		            "files": [
		                "TMP/files/f1.txt",
		                "TMP/files/b.bin"
		            ]
		        },
		        {
		            "mediaType": "application/vnd.oci.image.manifest.v1+json",
		            "size": 433,
		            "digest": "sha256:0a8fafd502c982f678e372a43f729d3d90f185e86ebd7fe5373de3e0a2d98ffd",
		            "platform": {
		                "architecture": "arm64",
		                "os": "linux"
		            },
		            "annotations": {
		                "k": "v"
		            },
		            "artifactType": "app/x",
		            "files": [
		                "TMP/files/f2.bin"
		            ]
		        },
		        {
		            "mediaType": "application/vnd.oci.image.manifest.v1+json",
		            "size": 454,
		            "digest": "sha256:1dfc23bf82e2fd71538453e2d013cd9f4908c6bacdc0d6067dd5b266ea7a429b",
		            "platform": {
		                "architecture": "",
		                "os": ""
		            },
		            "artifactType": "application/vnd.unknown.artifact.v1",
		            "files": [
		                "TMP/files/f1.txt"
		            ]
		        }
		    ],
		    "subject": {
		        "mediaType": "application/vnd.oci.image.manifest.v1+json",
		        "size": 559,
		        "digest": "<IMG>",
		        "platform": {
		            "architecture": "",
		            "os": ""
		        }
		    }
		}
		$ manifest add --artifact a2 TMP/files/nonexist -> 125
		Error: reading "TMP/files/nonexist" to determine its digest: open TMP/files/nonexist: no such file or directory
		$ manifest add --artifact a2 -> 125
		Error: requires at least 2 arg(s), only received 1
		$ manifest add --artifact a2 TMP/files -> 125
		Error: reading "TMP/files" to determine its digest: read TMP/files: is a directory
		$ manifest add --artifact-type x a2 localhost/ferry-test:latest -> 125
		Error: --artifact-type requires --artifact
		$ manifest add --artifact nolist TMP/files/f1.txt -> 125
		Error: nolist: image not known
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.artifact"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	artifact_sequence podman_t
	# Podman lists an instance's files in no fixed order (1 run in 8 here
	# shows b.bin before f1.txt); ferry keeps the order they were given in.
	diff -u <(sort_files_lists "$TEST_TMP/podman_t.artifact") <(sort_files_lists "$TEST_TMP/f.artifact")
}

# The artifact manifests of the index $1 (REPOSITORY:TAG) in the registry,
# each with its config's and layers' blobs as the registry serves them.
registry_artifacts() {
	local ref=$1 d b
	for d in $(curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REGISTRY/v2/${ref%%:*}/manifests/${ref#*:}" | jq -r '.manifests[].digest'); do
		curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REGISTRY/v2/${ref%%:*}/manifests/$d" | tee "$TEST_TMP/am.json"
		echo
		for b in $(jq -r '.config.digest, .layers[].digest' "$TEST_TMP/am.json"); do
			echo "$b $(curl -sf "http://$REGISTRY/v2/${ref%%:*}/blobs/$b" | sha256sum | cut -d' ' -f1)"
		done
	done
}

@test "manifest push of a list with artifacts: their configs, files and manifests reach the registry as Podman sends them; a changed file is refused" {
	registry_start
	make_artifact_files
	f manifest create al >/dev/null
	f manifest add --artifact --artifact-config "$TEST_TMP/files/cfg.json" al "$TEST_TMP/files/f1.txt" "$TEST_TMP/files/b.bin" >/dev/null
	f manifest add --artifact --artifact-type app/x al "$TEST_TMP/files/f2.bin" >/dev/null
	run_ferry manifest push -q --tls-verify=false al "$REGISTRY/al:v1"
	assert_status 0
	registry_artifacts al:v1 >"$TEST_TMP/f.pushed"
	# Every blob the registry serves is the one its digest names.
	[ "$(grep -c '^sha256:' "$TEST_TMP/f.pushed")" = 5 ]
	while read -r dg sum; do [ "$dg" = "sha256:$sum" ]; done < <(grep '^sha256:' "$TEST_TMP/f.pushed")
	[ "$(curl -sf "http://$REGISTRY/v2/al/blobs/sha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862")" = '{"a":1}' ]
	# The index lists them without the list's own marks.
	curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REGISTRY/v2/al/manifests/v1" >"$TEST_TMP/idx.json"
	[ "$(jq -c '[.manifests[] | keys]' "$TEST_TMP/idx.json")" = '[["artifactType","digest","mediaType","size"],["artifactType","digest","mediaType","size"]]' ]

	# A file changed since it was added: named, and the list is not pushed.
	printf 'changed\n' >>"$TEST_TMP/files/f2.bin"
	run_ferry manifest push -q --tls-verify=false al "$REGISTRY/al:v2"
	assert_status 125
	assert_one_line_error
	assert_output_contains "file \`$TEST_TMP/files/f2.bin\` of artifact"
	run curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REGISTRY/v2/al/manifests/v2"
	[ "$status" -ne 0 ]
	run_ferry manifest push -q --tls-verify=false --format v2s2 al "$REGISTRY/al:v3"
	assert_status 125
	assert_output_contains "use --format oci"

	need_podman
	make_artifact_files
	podman_t manifest create al >/dev/null
	podman_t manifest add --artifact --artifact-config "$TEST_TMP/files/cfg.json" al "$TEST_TMP/files/f1.txt" "$TEST_TMP/files/b.bin" >/dev/null
	podman_t manifest add --artifact --artifact-type app/x al "$TEST_TMP/files/f2.bin" >/dev/null
	podman_t manifest push -q --tls-verify=false al "$REGISTRY/pal:v1"
	registry_artifacts pal:v1 | diff -u - "$TEST_TMP/f.pushed"
}
