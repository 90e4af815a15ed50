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

# Writes an OCI archive of the test image for architecture $1 named $2 to $3:
# only its config's architecture (so its ID and manifest digest) differ.
make_arch_image() {
	local arch=$1 name=$2 out=$3 dir cfg mf newcfg newmf
	dir=$TEST_TMP/arch-$arch
	oci_unpack "$(ferry_test_image)" "$dir"
	mf=$(oci_manifest_digest "$dir")
	cfg=$(jq -r .config.digest "$(oci_blob_path "$dir" "$mf")")
	jq -c --arg a "$arch" '.architecture = $a' "$(oci_blob_path "$dir" "$cfg")" >"$TEST_TMP/cfg.json"
	newcfg=$(oci_add_blob "$dir" "$TEST_TMP/cfg.json")
	oci_edit_manifest "$dir" ".config.digest = \"$newcfg\" | .config.size = $(stat -c %s "$TEST_TMP/cfg.json")"
	rm -f "$(oci_blob_path "$dir" "$cfg")"
	jq -c --arg n "$name" '.manifests[0].annotations["org.opencontainers.image.ref.name"] = $n' \
		"$dir/index.json" >"$TEST_TMP/index.json"
	mv "$TEST_TMP/index.json" "$dir/index.json"
	oci_pack "$dir" "$out"
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
