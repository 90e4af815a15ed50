#!/usr/bin/env bats
# Behaviours that Podman's own system tests of manifests, artifacts, image
# signing and runlabel pin (012-manifest, 013/700/702-artifact, 011-image,
# 037-runlabel) and ferry did otherwise: manifest's hidden --insecure and
# inspect's hidden -v/--verbose; image sign of containers-storage:NAME;
# container runlabel, which ferry lacked.  Each test checks ferry against
# the transcript Podman 5.4 gives, and, where Podman is installed, against
# Podman live.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers
load ../lib/registry

podman_file_locks_for_every_test

teardown() {
	podman_teardown
	registry_stop
	_registry_helpers_teardown
}

IMG=localhost/ferry-test:latest

# TOOL $1 running the rest: the command, its exit code and its output
# (standard error among it) on the lines after; the test's directory as
# TMP, the tool's roots as ROOT and RUN, the tool's name in a "See" line
# and a runlabel --display as TOOL.
show() {
	local t=$1 rc=0 out
	shift
	out=$("$t" "$@" 2>&1) || rc=$?
	echo "\$ $* -> $rc" | sed "s#$TEST_TMP#TMP#g"
	[ -z "$out" ] || printf '%s\n' "$out" | sed -e "s#$TEST_TMP/p\\?root#ROOT#g" -e "s#$TEST_TMP/p\\?run#RUN#g" \
		-e "s#$TEST_TMP#TMP#g" -e "s/'\\(podman\\|ferry\\) /'TOOL /" -e 's/^command: [^ ]*/command: TOOL/' \
		-e 's/deprecated, \(podman\|ferry\) will/deprecated, TOOL will/' |
		sed 's/^/  /'
}

# ---- manifest: Podman's hidden flags (012-manifest) ----------------------------

manifest_flags_sequence() {
	local t=$1
	"$t" manifest create ml $IMG >/dev/null
	# -v and --verbose change nothing (Docker's flags, hidden in Podman).
	"$t" manifest inspect --verbose ml >"$TEST_TMP/$t.plain"
	"$t" manifest inspect ml | diff - "$TEST_TMP/$t.plain"
	show "$t" manifest inspect -v ml | sed -n '1p; /mediaType/p'
	show "$t" manifest inspect --verbose=nope ml
	show "$t" manifest inspect --insecure ml | sed -n '1p; /schemaVersion/p'
	show "$t" manifest inspect --insecure=maybe ml
	show "$t" manifest create --insecure --tls-verify=false m2
	show "$t" manifest create --insecure=bad m3
	show "$t" manifest add --insecure --tls-verify=true ml $IMG
	show "$t" manifest push --insecure --tls-verify=false ml "oci:$TEST_TMP/layout"
	show "$t" manifest push --insecure=x ml "oci:$TEST_TMP/layout"
	show "$t" images --format '{{.Repository}}' --filter reference=localhost/m2
	"$t" manifest rm ml >/dev/null
}

@test "manifest inspect takes Podman's hidden -v/--verbose and --insecure; create, add and push take --insecure but not beside --tls-verify (012-manifest)" {
	compare_output_with_podman manifest_flags_sequence <<-'EOF'
		$ manifest inspect -v ml -> 0
		      "mediaType": "application/vnd.oci.image.index.v1+json",
		              "mediaType": "application/vnd.oci.image.manifest.v1+json",
		$ manifest inspect --verbose=nope ml -> 125
		  Error: invalid argument "nope" for "-v, --verbose" flag: strconv.ParseBool: parsing "nope": invalid syntax
		  See 'TOOL manifest inspect --help'
		$ manifest inspect --insecure ml -> 0
		      "schemaVersion": 2,
		$ manifest inspect --insecure=maybe ml -> 125
		  Error: invalid argument "maybe" for "--insecure" flag: strconv.ParseBool: parsing "maybe": invalid syntax
		  See 'TOOL manifest inspect --help'
		$ manifest create --insecure --tls-verify=false m2 -> 125
		  Error: --insecure may not be used with --tls-verify
		$ manifest create --insecure=bad m3 -> 125
		  Error: invalid argument "bad" for "--insecure" flag: strconv.ParseBool: parsing "bad": invalid syntax
		  See 'TOOL manifest create --help'
		$ manifest add --insecure --tls-verify=true ml localhost/ferry-test:latest -> 125
		  Error: --insecure may not be used with --tls-verify
		$ manifest push --insecure --tls-verify=false ml oci:TMP/layout -> 125
		  Error: --insecure may not be used with --tls-verify
		$ manifest push --insecure=x ml oci:TMP/layout -> 125
		  Error: invalid argument "x" for "--insecure" flag: strconv.ParseBool: parsing "x": invalid syntax
		  See 'TOOL manifest push --help'
		$ images --format {{.Repository}} --filter reference=localhost/m2 -> 0
	EOF
}

insecure_registry_sequence() {
	local t=$1 list=$REGISTRY/lists/l:1
	step_rc "$t" manifest inspect "$list"
	step_rc "$t" manifest inspect --insecure "$list"
	step_rc "$t" manifest inspect --insecure=false "$list"
	step_rc "$t" manifest inspect --tls-verify=true --insecure "$list"
	step_rc "$t" manifest inspect --insecure=false --tls-verify=false "$list"
	"$t" manifest create "ml-$t" >/dev/null
	step_rc "$t" manifest push --insecure "ml-$t" "$REGISTRY/lists/$t:1"
	step_rc "$t" manifest push --insecure=false "ml-$t" "$REGISTRY/lists/$t:2"
	step_rc "$t" manifest inspect --insecure "$REGISTRY/lists/$t:1"
	step_rc "$t" manifest create --insecure "ml2-$t" "docker://$REGISTRY/lists/l:1"
	"$t" manifest rm "ml-$t" >/dev/null
}

@test "manifest --insecure against a registry of a self-signed certificate: inspect and push as --tls-verify=false, a --tls-verify given wins in inspect, create still verifies (012-manifest)" {
	registry_start --tls
	f manifest create lst >/dev/null
	f manifest push -q --tls-verify=false lst "$REGISTRY/lists/l:1"
	for t in f podman_t; do
		[ "$t" = podman_t ] && ! command -v podman >/dev/null && continue
		insecure_registry_sequence "$t"
		sed -i "s#$REGISTRY#REG#g; s#-$t\\b#-TOOL#g; s#lists/$t:#lists/TOOL:#g" "$TEST_TMP/$t.log"
	done
	diff -u - "$TEST_TMP/f.log" <<-'EOF'
		$ manifest inspect REG/lists/l:1 -> 125
		$ manifest inspect --insecure REG/lists/l:1 -> 0
		$ manifest inspect --insecure=false REG/lists/l:1 -> 125
		$ manifest inspect --tls-verify=true --insecure REG/lists/l:1 -> 125
		$ manifest inspect --insecure=false --tls-verify=false REG/lists/l:1 -> 0
		$ manifest push --insecure ml-TOOL REG/lists/TOOL:1 -> 0
		$ manifest push --insecure=false ml-TOOL REG/lists/TOOL:2 -> 125
		$ manifest inspect --insecure REG/lists/TOOL:1 -> 0
		$ manifest create --insecure ml2-TOOL docker://REG/lists/l:1 -> 125
	EOF
	need_podman
	diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
}

list_bytes_sequence() {
	local t=$1 d
	"$t" manifest create --annotation z=1 --annotation a=2 two $IMG >/dev/null
	d=$("$t" image inspect --format '{{.Digest}}' $IMG)
	"$t" manifest annotate --annotation zz=1 --annotation aa=2 two "$d" >/dev/null
	show "$t" manifest inspect two
	# The digest of the list's bytes, as a signature names it.
	rm -rf "$TEST_TMP/sig"
	mkdir "$TEST_TMP/sig"
	"$t" image sign --sign-by foo@bar.com -d "$TEST_TMP/sig" containers-storage:localhost/two
	ls "$TEST_TMP/sig"
	# ferry's push of the list, as each tool shows the registry's copy.
	[ "$t" = f ] && f manifest push -q --tls-verify=false two "$REGISTRY/lists/two:1"
	show "$t" manifest inspect --tls-verify=false "$REGISTRY/lists/two:1" | sed "s#$REGISTRY#REG#g"
	# An image's manifest is no list.
	[ "$t" = f ] && f push -q --tls-verify=false $IMG "$REGISTRY/single:1"
	show "$t" manifest inspect --tls-verify=false "$REGISTRY/single:1" | sed "s#$REGISTRY#REG#g"
	"$t" manifest rm two >/dev/null
}

@test "manifest create stores a list in Podman's bytes (its digest is Podman's); inspect shows annotations sorted and a registry's list in Podman's order, and refuses an image's manifest (012-manifest)" {
	registry_start
	make_key
	compare_output_with_podman list_bytes_sequence <<-'EOF'
		$ manifest inspect two -> 0
		  {
		      "schemaVersion": 2,
		      "mediaType": "application/vnd.oci.image.index.v1+json",
		      "manifests": [
		          {
		              "mediaType": "application/vnd.oci.image.manifest.v1+json",
		              "size": 559,
		              "digest": "sha256:44d9e46969dbeaee9a6899feba5e25847d5bceb3821b98ed381d58cb59093b87",
		              "platform": {
		                  "architecture": "amd64",
		                  "os": "linux"
		              },
		              "annotations": {
		                  "aa": "2",
		                  "zz": "1"
		              }
		          }
		      ],
		      "annotations": {
		          "a": "2",
		          "z": "1"
		      }
		  }
		two@sha256=823c1aac893cfc18d66d1807ad26a12de31bcaf7d6865391f71848ab13756bfd
		$ manifest inspect --tls-verify=false REG/lists/two:1 -> 0
		  {
		      "schemaVersion": 2,
		      "mediaType": "application/vnd.oci.image.index.v1+json",
		      "manifests": [
		          {
		              "mediaType": "application/vnd.oci.image.manifest.v1+json",
		              "size": 559,
		              "digest": "sha256:44d9e46969dbeaee9a6899feba5e25847d5bceb3821b98ed381d58cb59093b87",
		              "platform": {
		                  "architecture": "amd64",
		                  "os": "linux"
		              },
		              "annotations": {
		                  "aa": "2",
		                  "io.github.containers.compression.zstd": "true",
		                  "zz": "1"
		              }
		          }
		      ],
		      "annotations": {
		          "a": "2",
		          "z": "1"
		      }
		  }
		$ manifest inspect --tls-verify=false REG/single:1 -> 125
		  Error: parsing manifest blob "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449\",\"size\":720},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:7add86ee7b7fd4348ce34287f99b8fa8ce03873b74cbb827c3cf2e764e7041c6\",\"size\":1031674},{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"sha256:f33b9fb0d926c79a0638870c87c3374f462efa4e2d8775bc6af9d8ccdceb9df6\",\"size\":228}]}" as a "application/vnd.oci.image.manifest.v1+json": Treating single images as manifest lists is not implemented
	EOF
	# What the registry holds: the entry's members in the OCI descriptor's
	# order, as Podman stores them.
	curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$REGISTRY/v2/lists/two/manifests/1" |
		jq -c '.manifests[0] | keys_unsorted' | grep -qx '\["mediaType","digest","size","annotations","platform"\]'
}

# ---- image sign containers-storage: (011-image) --------------------------------

make_key() {
	export GNUPGHOME=$TEST_TMP/gnupg
	mkdir -p "$GNUPGHOME"
	chmod 700 "$GNUPGHOME"
	gpg --batch --passphrase '' --quick-gen-key "Foo <foo@bar.com>" future-default default never 2>/dev/null
}

# The signatures under $1, one line each: the file, then the identity
# and digest it signs.
signatures() {
	local file
	(cd "$1" && find . -type f | LC_ALL=C sort) | while read -r file; do
		printf '%s %s\n' "$file" "$(gpg --decrypt "$1/$file" 2>/dev/null |
			jq -c '[.critical.type, .critical.identity["docker-reference"], .critical.image["docker-manifest-digest"]]')"
	done
}

sign_sequence() {
	local t=$1 dir=$TEST_TMP/sig
	rm -rf "$dir"
	mkdir -p "$dir"
	"$t" manifest create mylist $IMG >/dev/null
	show "$t" image sign --sign-by foo@bar.com -d "$dir" containers-storage:$IMG
	show "$t" image sign --sign-by foo@bar.com -d "$dir" containers-storage:localhost/ferry-test
	show "$t" image sign --sign-by foo@bar.com -d "$dir" containers-storage:ferry-test
	show "$t" image sign --sign-by foo@bar.com -d "$dir" containers-storage:nosuch
	show "$t" image sign --sign-by foo@bar.com -d "$dir" containers-storage:3bb7d0590f13
	show "$t" image sign --sign-by foo@bar.com -d "$dir" containers-storage:localhost/mylist
	show "$t" image sign --sign-by foo@bar.com -d "$dir" $IMG
	show "$t" image sign --sign-by foo@bar.com -d "$dir" nocolon
	echo "signatures:"
	signatures "$dir"
	"$t" manifest rm mylist >/dev/null
}

@test "image sign containers-storage:NAME signs the manifest the store keeps, under the full name, as Podman's (011-image)" {
	make_key
	[ "$(f load -q -i "$(ferry_test_image)")" = "Loaded image: $IMG" ]
	[ "$(f image inspect --format '{{.Id}}' $IMG)" = 3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449 ] ||
		skip "the test image's ID changed: the sequence names it"
	compare_output_with_podman sign_sequence <<-'EOF'
		$ image sign --sign-by foo@bar.com -d TMP/sig containers-storage:localhost/ferry-test:latest -> 0
		$ image sign --sign-by foo@bar.com -d TMP/sig containers-storage:localhost/ferry-test -> 0
		$ image sign --sign-by foo@bar.com -d TMP/sig containers-storage:ferry-test -> 125
		  Error: getting image source: reference "[overlay@ROOT+RUN]docker.io/library/ferry-test:latest" does not resolve to an image ID
		$ image sign --sign-by foo@bar.com -d TMP/sig containers-storage:nosuch -> 125
		  Error: getting image source: reference "[overlay@ROOT+RUN]docker.io/library/nosuch:latest" does not resolve to an image ID
		$ image sign --sign-by foo@bar.com -d TMP/sig containers-storage:3bb7d0590f13 -> 125
		  Error: cannot determine canonical Docker reference for destination containers-storage:[overlay@ROOT+RUN]@3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449
		$ image sign --sign-by foo@bar.com -d TMP/sig containers-storage:localhost/mylist -> 0
		$ image sign --sign-by foo@bar.com -d TMP/sig localhost/ferry-test:latest -> 125
		  Error: parsing image name: Invalid image name "localhost/ferry-test:latest", unknown transport "localhost/ferry-test"
		$ image sign --sign-by foo@bar.com -d TMP/sig nocolon -> 125
		  Error: parsing image name: Invalid image name "nocolon", expected colon-separated transport:reference
		signatures:
		./ferry-test@sha256=44d9e46969dbeaee9a6899feba5e25847d5bceb3821b98ed381d58cb59093b87/signature-1 ["atomic container signature","localhost/ferry-test:latest","sha256:44d9e46969dbeaee9a6899feba5e25847d5bceb3821b98ed381d58cb59093b87"]
		./ferry-test@sha256=44d9e46969dbeaee9a6899feba5e25847d5bceb3821b98ed381d58cb59093b87/signature-2 ["atomic container signature","localhost/ferry-test:latest","sha256:44d9e46969dbeaee9a6899feba5e25847d5bceb3821b98ed381d58cb59093b87"]
		./mylist@sha256=19105e1a63ed74d4577c0119cee4c07f1e476d75e5dbfac0a12c325ac5b2484e/signature-1 ["atomic container signature","localhost/mylist:latest","sha256:19105e1a63ed74d4577c0119cee4c07f1e476d75e5dbfac0a12c325ac5b2484e"]
	EOF
}

# ---- container runlabel (037-runlabel) -----------------------------------------

# An OCI archive $2 of the test image named $1 with the labels of JSON
# object $3 (its config, so its ID, changes).
make_label_image() {
	local name=$1 out=$2 labels=$3 dir=$TEST_TMP/label-image mf cfg newcfg
	rm -rf "$dir"
	oci_unpack "$(ferry_test_image)" "$dir"
	mf=$(oci_manifest_digest "$dir")
	cfg=$(jq -r .config.digest "$(oci_blob_path "$dir" "$mf")")
	jq -c --argjson l "$labels" '.config.Labels = $l' "$(oci_blob_path "$dir" "$cfg")" >"$TEST_TMP/cfg.json"
	newcfg=$(oci_add_blob "$dir" "$TEST_TMP/cfg.json")
	oci_edit_manifest "$dir" ".config.digest = \"$newcfg\" | .config.size = $(stat -c %s "$TEST_TMP/cfg.json")"
	rm -f "$(oci_blob_path "$dir" "$cfg")"
	jq -c --arg n "$name" '.manifests[0].annotations["org.opencontainers.image.ref.name"] = $n' \
		"$dir/index.json" >"$TEST_TMP/index.json"
	mv "$TEST_TMP/index.json" "$dir/index.json"
	oci_pack "$dir" "$out"
}

runlabel_sequence() {
	local t=$1
	"$t" load -q -i "$TEST_TMP/labels.tar" >/dev/null
	show "$t" container runlabel --opt1=one --opt2=two --opt3=three --name test1 --display install runlabel_image
	show "$t" container runlabel --opt3=three --display install runlabel_image
	show "$t" container runlabel --opt3=three --display /install localhost/runlabel_image:latest
	show "$t" container runlabel --display run runlabel_image
	show "$t" container runlabel --display empty runlabel_image
	show "$t" container runlabel --display words runlabel_image extra 'two words'
	OPT1=from-env show "$t" container runlabel words runlabel_image
	show "$t" container runlabel --display missing runlabel_image
	show "$t" container runlabel fails runlabel_image
	show "$t" container runlabel nothere runlabel_image
	show "$t" container runlabel --display quote runlabel_image
	show "$t" container runlabel --opt2=o2 env runlabel_image | grep -E '^\$|PODMAN_RUNLABEL_NESTED|OPT'
	show "$t" container runlabel install
	show "$t" container runlabel --display install nosuch-image --pull=false
	"$t" create --name runlabel_image --network none $IMG true >/dev/null
	show "$t" container runlabel named runlabel_image
	show "$t" ps -a --format '{{.Names}}'
	show "$t" container runlabel --replace named runlabel_image
	show "$t" ps -a --format '{{.Names}}'
	"$t" rmi -f runlabel_image >/dev/null
}

@test "container runlabel shows or runs the command an image label describes, as Podman's (037-runlabel)" {
	export HOME=$TEST_TMP/home
	mkdir -p "$HOME"
	cd "$TEST_TMP"
	# The label of 037-runlabel's image, and labels for the other cases.
	make_label_image localhost/runlabel_image:latest "$TEST_TMP/labels.tar" "$(jq -n \
		--arg install 'podman  run  -t  -i  --rm  ${OPT1}  --privileged  -v /:/host --net=host -e HOST=/host -e HOMEDIR=$HOME -e NAME=${NAME} -e IMAGE=${IMAGE} -e CONFDIR=/etc/${NAME} ${IMAGE} ${OPT2} /bin/install.sh ${OPT3}' \
		--arg words 'echo IMAGE NAME=NAME x=$IMAGE "a  b" $PWD ${OPT1}x $UNSET $ end # comment' \
		'{INSTALL: $install, Words: $words, empty: "", fails: "false", nothere: "no-such-program x", missing: "./not-here", quote: "echo \"open", env: "env", named: "echo --name NAME"}')"
	compare_output_with_podman runlabel_sequence <<-'EOF'
		$ container runlabel --opt1=one --opt2=two --opt3=three --name test1 --display install runlabel_image -> 0
		  command: TOOL run -t -i --rm one --privileged -v /:/host --net=host -e HOST=/host -e HOMEDIR=TMP/home -e NAME=test1 -e IMAGE=localhost/runlabel_image:latest -e CONFDIR=/etc/test1 localhost/runlabel_image:latest two /bin/install.sh three
		$ container runlabel --opt3=three --display install runlabel_image -> 0
		  command: TOOL run -t -i --rm --privileged -v /:/host --net=host -e HOST=/host -e HOMEDIR=TMP/home -e NAME=runlabel_image -e IMAGE=localhost/runlabel_image:latest -e CONFDIR=/etc/runlabel_image localhost/runlabel_image:latest /bin/install.sh three
		$ container runlabel --opt3=three --display /install localhost/runlabel_image:latest -> 0
		  command: TOOL run -t -i --rm --privileged -v /:/host --net=host -e HOST=/host -e HOMEDIR=TMP/home -e NAME=runlabel_image -e IMAGE=localhost/runlabel_image:latest -e CONFDIR=/etc/runlabel_image localhost/runlabel_image:latest /bin/install.sh three
		$ container runlabel --display run runlabel_image -> 125
		  Error: cannot find the value of label: run in image: runlabel_image
		$ container runlabel --display empty runlabel_image -> 125
		  Error: cannot find the value of label: empty in image: runlabel_image
		$ container runlabel --display words runlabel_image extra two words -> 0
		  command: TOOL localhost/runlabel_image:latest NAME=runlabel_image x=localhost/runlabel_image:latest a b TMP x $ end
		$ container runlabel words runlabel_image -> 0
		  localhost/runlabel_image:latest NAME=runlabel_image x=localhost/runlabel_image:latest a b TMP from-envx $ end
		$ container runlabel --display missing runlabel_image -> 125
		  Error: faccessat TMP/not-here: no such file or directory
		$ container runlabel fails runlabel_image -> 125
		  Error: `false ` failed: exit status 1
		$ container runlabel nothere runlabel_image -> 125
		  Error: `no-such-program x` failed: exec: "no-such-program": executable file not found in $PATH
		$ container runlabel --display quote runlabel_image -> 125
		  Error: EOF found when expecting closing quote
		$ container runlabel --opt2=o2 env runlabel_image -> 0
		  OPT2=o2
		  PODMAN_RUNLABEL_NESTED=1
		$ container runlabel install -> 125
		  Error: requires at least 2 arg(s), only received 1
		$ container runlabel --display install nosuch-image --pull=false -> 125
		  Flag --pull has been deprecated, TOOL will pull if not found in local storage
		  Error: nosuch-image: image not known
		$ container runlabel named runlabel_image -> 0
		  --name runlabel_image
		$ ps -a --format {{.Names}} -> 0
		  runlabel_image
		$ container runlabel --replace named runlabel_image -> 0
		  --name runlabel_image
		$ ps -a --format {{.Names}} -> 0
	EOF
}
