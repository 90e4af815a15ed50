#!/usr/bin/env bats
# What a commit's layer holds, compared with Podman's: the whole upper
# layer, the files the engine mounts over included (empty, or as a
# --no-hosts container wrote them), and /etc/mtab, which both engines link
# to /proc/mounts in a container whose image has none.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

podman_file_locks_for_every_test

# top_layer TOOL IMAGE: the entries of IMAGE's last layer, sorted, with
# their sizes ("etc/hosts 10").
top_layer() {
	local tool=$1 image=$2 dir=$TEST_TMP/save-$1
	rm -rf "$dir"
	"$tool" save -q --format oci-dir -o "$dir" "$image"
	python3 - "$dir" <<-'PY'
		import json, sys, tarfile
		d = sys.argv[1]
		idx = json.load(open(d + "/index.json"))
		m = json.load(open(d + "/blobs/sha256/" + idx["manifests"][0]["digest"][7:]))
		t = tarfile.open(d + "/blobs/sha256/" + m["layers"][-1]["digest"][7:])
		for x in sorted(t.getmembers(), key=lambda x: x.name):
		    print(x.name, x.linkname if x.issym() else x.size)
	PY
}

# commit_sequence TOOL: the two commits, each layer listed.
commit_sequence() {
	local t=$1
	"$t" run --name plain --network none localhost/ferry-test:latest touch /tmp/y >/dev/null
	"$t" commit -q plain img-plain >/dev/null
	echo "== plain"
	top_layer "$t" img-plain
	"$t" run --name nohosts --no-hosts --network none localhost/ferry-test:latest \
		sh -c 'echo 1.2.3.4 x >>/etc/hosts' >/dev/null
	"$t" commit -q nohosts img-nohosts >/dev/null
	echo "== nohosts"
	top_layer "$t" img-nohosts
	"$t" rm plain nohosts >/dev/null
}

@test "commit takes the whole upper layer, mount points and /etc/mtab included, as Podman's commit does" {
	load_test_image
	run -0 commit_sequence f
	local ours=$output
	[ "$ours" = "== plain
etc 0
etc/hostname 0
etc/hosts 0
etc/mtab /proc/mounts
run 0
run/.containerenv 0
tmp 0
tmp/y 0
== nohosts
etc 0
etc/hostname 0
etc/hosts 10
etc/mtab /proc/mounts
run 0
run/.containerenv 0" ] || {
		echo "$ours" >&2
		false
	}
	# The image it makes has them.
	run -0 f run --rm --no-hosts --network none img-nohosts cat /etc/hosts
	[ "$output" = "1.2.3.4 x" ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		run -0 commit_sequence podman_t
		[ "$output" = "$ours" ] || {
			echo "podman: $output" >&2
			false
		}
	fi
}

@test "/etc/mtab links to /proc/mounts where the image has none, and diff leaves it out" {
	load_test_image
	run -0 f run --rm --network none localhost/ferry-test:latest readlink /etc/mtab
	[ "$output" = "/proc/mounts" ]
	run -0 f run --name m --network none localhost/ferry-test:latest true
	run -0 f diff m
	[[ "$output" != *mtab* ]]
	# An image's own /etc/mtab stays as it is.
	run -0 f run --name own --network none localhost/ferry-test:latest sh -c 'rm /etc/mtab; echo mine >/etc/mtab'
	f commit -q own img-own >/dev/null
	run -0 f run --rm --network none img-own cat /etc/mtab
	[ "$output" = "mine" ]
	if command -v podman >/dev/null; then
		run -0 podman_t run --rm --network none "$(podman_t load -q -i "$(ferry_test_image)" | sed 's/^Loaded image: //')" readlink /etc/mtab
		[ "$output" = "/proc/mounts" ]
	fi
}
