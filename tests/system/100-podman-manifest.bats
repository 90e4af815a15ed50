#!/usr/bin/env bats
# manifest create, add, annotate, inspect, push, remove, rm and exists, as a
# Podman user types them: the same command sequences run with ferry and,
# where Podman is installed, with Podman live, transcripts compared (list
# IDs shown as <NAME>).  Then against a real registry: push of a
# two-platform list sends every image and the index, and ferry and Podman
# pull the right platform back; a list is added from a registry; what a
# registry sends is checked; and a ferry killed while it writes a list
# leaves the old list or the new one.

load helpers
load podman-helpers
load ../lib/registry

bats_require_minimum_version 1.5.0

teardown() {
	podman_teardown
	registry_stop
	hostile_stop
	_registry_helpers_teardown
}

# Runs "$@" with tool $1, appending the command, its exit code, its output
# and the first words of its errors (90 characters: the tools explain
# differently after them) to the tool's transcript.  A list's ID (a whole
# line of 64 hex digits) shows as <L1>, <L2>, ... in the order they appear,
# and the registry's address as REGISTRY.
mstep() {
	local tool=$1 rc=0 id n
	shift
	"$tool" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	touch "$TEST_TMP/$tool.sed"
	for id in $(grep -xE '[0-9a-f]{64}' "$TEST_TMP/out"); do
		if grep -q "^s/$id/" "$TEST_TMP/$tool.sed"; then continue; fi
		n=$(($(grep -c '<L' "$TEST_TMP/$tool.sed" || true) + 1))
		echo "s/$id/<L$n>/g" >>"$TEST_TMP/$tool.sed"
	done
	{
		echo "\$ $* -> $rc" | sed "s#$TEST_TMP#TMP#g; s#${REGISTRY:-NONE}#REGISTRY#g"
		sed -f "$TEST_TMP/$tool.sed" -e "s#$TEST_TMP#TMP#g; s#${REGISTRY:-NONE}#REGISTRY#g" "$TEST_TMP/out" |
			sed 's/^/  out: /'
		grep '^Error: ' "$TEST_TMP/err" | sed -f "$TEST_TMP/$tool.sed" -e "s#${REGISTRY:-NONE}#REGISTRY#g" |
			cut -c1-90 | sed 's/^/  err: /'
	} >>"$TEST_TMP/$tool.log"
}

# The sequence of list edits both tools run; $1 is the tool, $2 the test
# image's manifest digest.
edit_sequence() {
	local t=$1 d=$2
	mstep "$t" manifest create l1
	mstep "$t" manifest inspect l1
	mstep "$t" manifest exists l1
	mstep "$t" manifest exists nosuch
	mstep "$t" manifest exists localhost/ferry-test:latest
	mstep "$t" manifest create l1
	mstep "$t" manifest add l1 localhost/ferry-test:latest
	mstep "$t" manifest inspect l1
	mstep "$t" manifest add nosuch localhost/ferry-test:latest
	mstep "$t" manifest annotate --annotation a=b --arch arm64 --variant v8 --os-version 1.0 l1 "$d"
	mstep "$t" manifest inspect l1
	mstep "$t" manifest annotate --index --annotation top=1 l1
	mstep "$t" manifest inspect l1
	mstep "$t" manifest create --amend --annotation z=1 l1
	mstep "$t" manifest inspect l1
	mstep "$t" manifest create l2 localhost/ferry-test:latest
	mstep "$t" manifest inspect l2
	mstep "$t" manifest annotate --features f1 l2 "$d"
	mstep "$t" manifest inspect l2
	mstep "$t" manifest remove l1 "$d"
	mstep "$t" manifest inspect l1
	mstep "$t" manifest remove l1 "$d"
	mstep "$t" manifest remove l1 nodigest
	mstep "$t" manifest annotate --arch x l1 "$d"
	mstep "$t" tag l1 localhost/l3:1
	mstep "$t" manifest exists localhost/l3:1
	mstep "$t" images --sort repository --format '{{.Repository}}:{{.Tag}}'
	mstep "$t" rmi localhost/l3:1
	mstep "$t" manifest rm l1 l2
	mstep "$t" manifest rm l1
	mstep "$t" manifest rm -i l1
	mstep "$t" manifest rm localhost/ferry-test:latest
	mstep "$t" images --sort repository --format '{{.Repository}}:{{.Tag}}'
}

@test "manifest create, add, annotate, inspect, remove, exists, rm: the same transcript as Podman's" {
	need_podman
	load_test_image
	d=$(f image inspect --format '{{.Digest}}' ferry-test)
	edit_sequence f "$d"
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	edit_sequence podman_t "$d"
	diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
}

# Loads the test image and an arm64 copy of it (localhost/ferry-test-arm64)
# with tool $1; sets D_AMD and D_ARM (their manifest digests), ID_AMD and
# ID_ARM (their IDs).
load_two_platforms() {
	local tool=$1
	[ -s "$TEST_TMP/arm64.tar" ] || make_arch_image arm64 localhost/ferry-test-arm64:latest "$TEST_TMP/arm64.tar"
	"$tool" load -q -i "$(ferry_test_image)" >/dev/null
	"$tool" load -q -i "$TEST_TMP/arm64.tar" >/dev/null
	D_AMD=$("$tool" image inspect --format '{{.Digest}}' localhost/ferry-test:latest)
	D_ARM=$("$tool" image inspect --format '{{.Digest}}' localhost/ferry-test-arm64:latest)
	ID_AMD=$("$tool" image inspect --format '{{.Id}}' localhost/ferry-test:latest)
	ID_ARM=$("$tool" image inspect --format '{{.Id}}' localhost/ferry-test-arm64:latest)
}

@test "manifest push: every image and the index reach the registry; ferry and Podman pull each platform back" {
	[ "$(uname -m)" = x86_64 ] || skip "the test's second platform is arm64, this host's must differ"
	registry_start
	load_two_platforms f
	f manifest create multi localhost/ferry-test:latest localhost/ferry-test-arm64:latest >/dev/null
	run_ferry manifest push -q --tls-verify=false --digestfile "$TEST_TMP/digest" multi "$REGISTRY/multi:v1"
	assert_status 0
	digest=$(cat "$TEST_TMP/digest")
	[ -z "$output" ]
	[ "$(registry_tag_digest multi v1)" = "$digest" ]
	# The registry has both images' manifests, by digest, and the index
	# names them.
	curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REGISTRY/v2/multi/manifests/v1" >"$TEST_TMP/index.json"
	[ "sha256:$(sha256sum <"$TEST_TMP/index.json" | cut -d' ' -f1)" = "$digest" ]
	[ "$(jq -r '.manifests | map(.platform.architecture + "=" + .digest) | sort | join(" ")' "$TEST_TMP/index.json")" = \
		"amd64=$D_AMD arm64=$D_ARM" ]
	for d in "$D_AMD" "$D_ARM"; do
		curl -sf -o /dev/null -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REGISTRY/v2/multi/manifests/$d"
	done

	# ferry on another root: the host's platform by default, the other on request.
	run_fb pull -q --tls-verify=false "$REGISTRY/multi:v1"
	assert_status 0
	[ "$output" = "$ID_AMD" ]
	run_fb pull -q --tls-verify=false --arch arm64 "$REGISTRY/multi:v1"
	assert_status 0
	[ "$output" = "$ID_ARM" ]
	run_fb run --rm "$REGISTRY/multi:v1" cat /etc/ferry-release
	assert_status 0
	[ "$output" = "ferry-test-image 1" ]

	# Podman likewise.
	need_podman
	run podman_t pull -q --tls-verify=false "$REGISTRY/multi:v1"
	assert_status 0
	[ "$output" = "$ID_AMD" ]
	run podman_t pull -q --tls-verify=false --arch arm64 "$REGISTRY/multi:v1"
	assert_status 0
	[ "$output" = "$ID_ARM" ]

	# inspect of the registry's list: what Podman shows of it.
	mstep f manifest inspect --tls-verify=false "$REGISTRY/multi:v1"
	mstep podman_t manifest inspect --tls-verify=false "$REGISTRY/multi:v1"
	diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
}

@test "manifest push --rm --format, and push --all=false; a list's image missing from the store is named" {
	registry_start
	load_two_platforms f
	f manifest create fmt localhost/ferry-test:latest >/dev/null
	# Platform features make Podman choose Docker's list type; --format oci
	# pushes an OCI index.
	f manifest annotate --features sse4 fmt "$D_AMD" >/dev/null
	[ "$(f manifest inspect fmt | jq -r .mediaType)" = application/vnd.docker.distribution.manifest.list.v2+json ]
	run_ferry manifest push -q --rm --format oci --tls-verify=false fmt "$REGISTRY/fmt:oci"
	assert_status 0
	run_ferry manifest exists fmt
	assert_status 1
	# The image stays.
	f image exists localhost/ferry-test:latest
	[ "$(curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REGISTRY/v2/fmt/manifests/oci" | jq -r .mediaType)" = \
		application/vnd.oci.image.index.v1+json ]

	# --format converts the images too: the docker-archive test image (on
	# a root of its own; its layers are plain tar, which Docker's schema 2
	# can describe) goes as a v2s2 manifest in Docker's list, which names
	# its new digest; the registry has it, and a pull on a third root finds
	# the image.
	fb load -q -i "$(ferry_test_docker_image)" >/dev/null
	d_dock=$(fb image inspect --format '{{.Digest}}' localhost/ferry-test:latest)
	fb manifest create conv localhost/ferry-test:latest >/dev/null
	[ "$(fb manifest inspect conv | jq -r '.manifests[0].mediaType')" = application/vnd.oci.image.manifest.v1+json ]
	run_fb manifest push -q --format v2s2 --tls-verify=false conv "$REGISTRY/conv:v1"
	assert_status 0
	curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
		"http://$REGISTRY/v2/conv/manifests/v1" >"$TEST_TMP/conv.json"
	[ "$(jq -r '.mediaType + " " + .manifests[0].mediaType' "$TEST_TMP/conv.json")" = \
		"application/vnd.docker.distribution.manifest.list.v2+json application/vnd.docker.distribution.manifest.v2+json" ]
	d_new=$(jq -r '.manifests[0].digest' "$TEST_TMP/conv.json")
	[ "$d_new" != "$d_dock" ]
	[ "$(curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "http://$REGISTRY/v2/conv/manifests/$d_new" |
		sha256sum | cut -d' ' -f1)" = "${d_new#sha256:}" ]
	run "$FERRY_BIN" --root "$TEST_TMP/rootC" --runroot "$TEST_TMP/runC" pull -q --tls-verify=false "$REGISTRY/conv:v1"
	assert_status 0
	[ "$output" = "$(fb image inspect --format '{{.Id}}' localhost/ferry-test:latest)" ]
	# The list in the store is as it was.
	[ "$(fb manifest inspect conv | jq -r '.manifests[0].digest')" = "$d_dock" ]

	# --all=false sends only the list: the registry refuses an index whose
	# images it lacks.
	f manifest create only localhost/ferry-test-arm64:latest >/dev/null
	run_ferry manifest push -q --all=false --tls-verify=false only "$REGISTRY/only:v1"
	assert_status 125
	run_ferry manifest push -q --tls-verify=false only "$REGISTRY/only:v1"
	assert_status 0
	# ferry push of a list pushes it with its images, as Podman's push does.
	run_ferry push --tls-verify=false --digestfile "$TEST_TMP/d2" only "$REGISTRY/only:v3"
	assert_status 0
	[ "$(registry_tag_digest only v3)" = "$(cat "$TEST_TMP/d2")" ]
	[ "$(registry_tag_digest only v3)" = "$(registry_tag_digest only v1)" ]

	# An image the list names but the store lost: named, nothing pushed.
	f rmi localhost/ferry-test-arm64:latest >/dev/null
	run_ferry manifest push -q --tls-verify=false only "$REGISTRY/only:v2"
	assert_status 125
	assert_one_line_error
	assert_output_contains "image $D_ARM of the manifest list is not in the store"
	run curl -sf "http://$REGISTRY/v2/only/manifests/v2"
	[ "$status" -ne 0 ]
}

@test "manifest add and create --all from a registry: the images are pulled, the platforms recorded, as Podman lists them" {
	[ "$(uname -m)" = x86_64 ] || skip "the test's second platform is arm64, this host's must differ"
	registry_start
	load_two_platforms f
	f manifest create src localhost/ferry-test:latest localhost/ferry-test-arm64:latest >/dev/null
	f manifest push -q --tls-verify=false src "$REGISTRY/src:v1"

	seq_remote() {
		local t=$1
		mstep "$t" manifest create l1
		mstep "$t" manifest add --tls-verify=false l1 "docker://$REGISTRY/src:v1"
		mstep "$t" manifest inspect l1
		mstep "$t" manifest create l2
		mstep "$t" manifest add --all --tls-verify=false l2 "docker://$REGISTRY/src:v1"
		mstep "$t" manifest inspect l2
		mstep "$t" manifest add --tls-verify=false l1 "docker://$REGISTRY/src@$D_ARM"
		mstep "$t" manifest inspect l1
		mstep "$t" manifest add --tls-verify=false l1 "docker://$REGISTRY/nosuch:v1"
	}
	export FERRY_BIN
	f() { "$FERRY_BIN" --root "$TEST_TMP/rootB" --runroot "$TEST_TMP/runB" "$@"; }
	seq_remote f
	# create takes the images at once (Podman 5.4's create ignores
	# --tls-verify for them, and leaves an empty list behind).
	f manifest create --all --tls-verify=false l3 "docker://$REGISTRY/src:v1" >/dev/null
	[ "$(f manifest inspect l3 | jq -c '[.manifests[].digest]')" = "[\"$D_AMD\",\"$D_ARM\"]" ]
	# ferry pulled what it added: a push of the list needs no registry
	# but the destination.
	f image exists "$ID_AMD"
	f image exists "$ID_ARM"
	need_podman
	seq_remote podman_t
	diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
}

@test "manifest: a ferry killed while it writes a list leaves the old list or none, and the next command goes on" {
	load_test_image
	d=$(f image inspect --format '{{.Digest}}' ferry-test)
	run env FERRY_FAULT=manifest-create-uncommitted "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" manifest create l1
	assert_status 137
	run_ferry manifest exists l1
	assert_status 1
	[ "$(f images --format '{{.Repository}}')" = localhost/ferry-test ]
	f manifest create l1 >/dev/null

	before=$(f manifest inspect l1)
	run env FERRY_FAULT=manifest-edit-uncommitted "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" manifest add l1 ferry-test
	assert_status 137
	[ "$(f manifest inspect l1)" = "$before" ]
	f manifest add l1 ferry-test >/dev/null
	[ "$(f manifest inspect l1 | jq -r '.manifests[0].digest')" = "$d" ]

	after=$(f manifest inspect l1)
	run env FERRY_FAULT=manifest-edit-uncommitted "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" manifest remove l1 "$d"
	assert_status 137
	[ "$(f manifest inspect l1)" = "$after" ]
	# Nothing stays locked or half-written: the list works as a list.
	f manifest annotate --index --annotation k=v l1 >/dev/null
	[ "$(f manifest inspect l1 | jq -r '.annotations.k')" = v ]
}

@test "manifest: a list stands for this host's image where an image is wanted, as in Podman" {
	load_test_image
	f manifest create l1 ferry-test >/dev/null
	run_ferry run --rm l1 cat /etc/ferry-release
	assert_status 0
	[ "$output" = "ferry-test-image 1" ]
	[ "$(f image inspect --format '{{.Id}}' l1)" = "$(f image inspect --format '{{.Id}}' ferry-test)" ]
	# A list without this host's platform: Podman's words (a run would try
	# a pull, as Podman's does).
	f manifest annotate --arch s390x l1 "$(f image inspect --format '{{.Digest}}' ferry-test)" >/dev/null
	run_ferry image inspect --format '{{.Id}}' l1
	assert_status 125
	assert_output_contains 'no image found in image index for architecture'
	# The list is no image to push as one, nor a list to add to a list's
	# name taken by an image.
	run_ferry manifest create ferry-test
	assert_status 125
	assert_output_contains 'is already associated with image'
	run_ferry manifest add ferry-test l1
	assert_status 125
	assert_output_contains 'localhost/ferry-test:latest: image is not a manifest list'
	# rmi removes a list as any image.
	run_ferry rmi l1
	assert_status 0
	run_ferry manifest exists l1
	assert_status 1
}

@test "manifest: bad lists and manifests from a registry are refused, the local list left as it was" {
	hostile_start
	load_test_image
	f manifest create l1 >/dev/null
	before=$(f manifest inspect l1)
	for repo in bad-index-platform-string bad-index-size-negative bad-index-manifests-object unknown-type rude; do
		run_ferry manifest add --tls-verify=false l1 "$HOSTILE/$repo:v1"
		assert_status 125
		assert_one_line_error
		run_ferry manifest inspect --tls-verify=false "$HOSTILE/$repo:v1"
		assert_status 125
		assert_one_line_error
	done
	# No terminal escapes from the registry reach the terminal.
	run_ferry manifest inspect --tls-verify=false "$HOSTILE/rude:v1"
	[[ $output != *$'\e'* ]]
	[ "$(f manifest inspect l1)" = "$before" ]
	[ "$(f images --format '{{.Repository}}' | sort | tr '\n' ' ')" = "localhost/ferry-test localhost/l1 " ]
}

@test "manifest: bad arguments get one-line errors, as Podman's" {
	load_test_image
	f manifest create l1 >/dev/null
	run_ferry manifest create
	assert_status 125
	assert_one_line_error
	run_ferry manifest create 'l1@sha256:0123'
	assert_status 125
	assert_one_line_error
	run_ferry manifest create --annotation novalue l2
	assert_status 125
	assert_output_contains 'no value given for annotation "novalue"'
	run_ferry manifest annotate l1
	assert_status 125
	assert_one_line_error
	run_ferry manifest annotate l1 not-a-digest
	assert_status 125
	assert_one_line_error
	run_ferry manifest push -q --format bogus l1 localhost:1/x:y
	assert_status 125
	assert_one_line_error
	run_ferry manifest push -q --tls-verify=false l1 '127.0.0.1:1/x@sha256:0000000000000000000000000000000000000000000000000000000000000000'
	assert_status 125
	assert_one_line_error
	run_ferry manifest push -q --all=maybe l1
	assert_status 125
	assert_one_line_error
	run_ferry manifest exists a b
	assert_status 125
	run_ferry manifest rm
	assert_status 125
	run_ferry manifest exists l1
	assert_status 0
	# ferry help reaches the subcommands (their usage without man pages).
	mkdir -p "$TEST_TMP/noman/man1"
	MANPATH=$TEST_TMP/noman run "$FERRY_BIN" help manifest push
	assert_status 0
	[ "$output" = "$("$FERRY_BIN" manifest push --help)" ]
}

@test "manifest: a list Podman pushed, ferry pulls per platform, takes into a list of its own and pushes on; Podman pulls that" {
	[ "$(uname -m)" = x86_64 ] || skip "the test's second platform is arm64, this host's must differ"
	need_podman
	registry_start
	load_two_platforms podman_t
	podman_t manifest create pl localhost/ferry-test:latest localhost/ferry-test-arm64:latest >/dev/null
	podman_t manifest push -q --tls-verify=false pl "$REGISTRY/pl:v1" 2>/dev/null

	run_ferry pull -q --tls-verify=false --arch arm64 "$REGISTRY/pl:v1"
	assert_status 0
	[ "$output" = "$ID_ARM" ]
	f manifest create mine >/dev/null
	# The registry's list, not the local image of that name (the arm64 one
	# just pulled): Podman looks at the registry first too.
	f manifest add --all --tls-verify=false mine "$REGISTRY/pl:v1" >/dev/null
	[ "$(f manifest inspect mine | jq -r '[.manifests[].platform.architecture] | sort | join(" ")')" = "amd64 arm64" ]
	# Only the destination is needed to push it on: ferry has the images.
	run_ferry manifest push -q --tls-verify=false --digestfile "$TEST_TMP/dmine" mine "$REGISTRY/mine:v1"
	assert_status 0
	[ "$(registry_tag_digest mine v1)" = "$(cat "$TEST_TMP/dmine")" ]
	podman_t rmi -af >/dev/null 2>&1
	run podman_t pull -q --tls-verify=false "$REGISTRY/mine:v1"
	assert_status 0
	[ "$output" = "$ID_AMD" ]
	run podman_t pull -q --tls-verify=false --arch arm64 "$REGISTRY/mine:v1"
	assert_status 0
	[ "$output" = "$ID_ARM" ]
}
