#!/usr/bin/env bats
# Podman's flags of exec and of the image commands: exec --env-file,
# --latest, --privileged, --preserve-fds/--preserve-fd; pull, run and
# create --arch/--os/--variant, --retry, --retry-delay and
# --disable-content-trust against a real registry (tests/lib/registry.bash)
# holding a multi-platform index; push's retry and signature flags;
# import --change and --message; login --get-login, --verbose and
# --cert-dir; ps --sync and --ns.  What ferry prints is compared with what
# Podman 5.4 printed (kept below), and, where Podman is installed, with
# Podman run live on roots of the test's own.

load helpers
load podman-helpers
load ../lib/registry

bats_require_minimum_version 1.5.0

teardown() {
	registry_stop
	podman_teardown
	ferry_teardown
}

# Runs sequence $1 with ferry and compares its transcript with stdin (what
# Podman printed); where Podman is installed, runs it with Podman too and
# compares the two.
compare_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected.log"
	load_test_image
	# The capabilities a privileged process gets are those of this host.
	echo "s/$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)/<host's>/" >>"$TEST_TMP/f.sed"
	# IDs, the registry's port, the host's architecture and the other one.
	echo 's/[0-9a-f]\{64\}/<ID>/g' >>"$TEST_TMP/f.sed"
	[ -z "${REGISTRY:-}" ] || echo "s/$REGISTRY/REGISTRY/g" >>"$TEST_TMP/f.sed"
	[ -z "${OTHER:-}" ] || echo "s/$OTHER/OTHER/g" >>"$TEST_TMP/f.sed"
	[ -z "${HOST_ARCH:-}" ] || echo "s/$HOST_ARCH/HOST/g" >>"$TEST_TMP/f.sed"
	# Podman's name of the test image is ferry's in full.
	echo 's#localhost/ferry-test:latest#ferry-test#g' >>"$TEST_TMP/f.sed"
	cp "$TEST_TMP/f.sed" "$TEST_TMP/podman_t.sed"
	"$seq" f
	sed -i -f "$TEST_TMP/f.sed" "$TEST_TMP/f.log"
	diff -u "$TEST_TMP/expected.log" "$TEST_TMP/f.log"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		"$seq" podman_t
		sed -i -f "$TEST_TMP/podman_t.sed" "$TEST_TMP/podman_t.log"
		diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi
}

# Appends the JSON tool $1 prints, keys sorted, to its transcript.
show_json() {
	local tool=$1
	shift
	{
		echo "\$ $*"
		"$tool" "$@" | jq -cS "${JQ_FILTER:-.}" | sed 's/^/  json: /'
	} >>"$TEST_TMP/$tool.log"
}

# The image as tool $1 names it.
test_image() {
	if [ "$1" = podman_t ]; then echo localhost/ferry-test:latest; else echo ferry-test; fi
}

exec_sequence() {
	local t=$1 img
	img=$(test_image "$t")
	printf 'A=1\n# a comment\n\nB\nC=x y\nD=file\n' >"$TEST_TMP/env"
	"$t" run -d --name x1 --network none "$img" sleep 1000 >/dev/null
	B=from-host step "$t" exec --env-file "$TEST_TMP/env" -e D=option x1 sh -c 'echo "$A|$B|$C|$D"'
	step "$t" exec -e NOT_SET_ANYWHERE x1 sh -c 'echo "${NOT_SET_ANYWHERE-unset}"'
	step "$t" exec -l sh -c 'echo latest'
	# With --latest the first argument is the command (runc's own line
	# about it differs: ferry passes runc's stderr on).
	step_rc "$t" exec --latest x1 true
	step "$t" exec --privileged x1 sh -c 'grep -E "CapEff|CapBnd" /proc/self/status'
	step "$t" exec x1 sh -c 'grep -E "CapBnd" /proc/self/status'
	step "$t" exec --privileged -u 1000 x1 sh -c 'grep -E "CapEff|CapBnd" /proc/self/status'
	step "$t" exec --preserve-fds 2 x1 sh -c 'cat <&3; cat <&4' 3<"$TEST_TMP/env" 4<<<four
	step "$t" exec --preserve-fd 5 x1 sh -c 'cat <&5; [ -e /proc/self/fd/3 ] && echo 3-open' 5<<<five
	step "$t" exec --preserve-fd 6 x1 true 6<&-
	step "$t" exec --preserve-fds 3 x1 true 3</dev/null 4</dev/null 5<&-
	step_rc "$t" exec --env-file "$TEST_TMP/missing" x1 true
	step "$t" exec x1
	step "$t" exec
	step "$t" exec -l
}

@test "exec --env-file, --latest, --privileged, --preserve-fds and --preserve-fd as Podman's" {
	compare_with_podman exec_sequence <<-'EOF'
		$ exec --env-file TMP/env -e D=option x1 sh -c echo "$A|$B|$C|$D" -> 0
		  out: 1|from-host|x y|option
		$ exec -e NOT_SET_ANYWHERE x1 sh -c echo "${NOT_SET_ANYWHERE-unset}" -> 0
		  out: unset
		$ exec -l sh -c echo latest -> 0
		  out: latest
		$ exec --latest x1 true -> 127
		$ exec --privileged x1 sh -c grep -E "CapEff|CapBnd" /proc/self/status -> 0
		  out: CapEff:	<host's>
		  out: CapBnd:	<host's>
		$ exec x1 sh -c grep -E "CapBnd" /proc/self/status -> 0
		  out: CapBnd:	00000000800405fb
		$ exec --privileged -u 1000 x1 sh -c grep -E "CapEff|CapBnd" /proc/self/status -> 0
		  out: CapEff:	0000000000000000
		  out: CapBnd:	<host's>
		$ exec --preserve-fds 2 x1 sh -c cat <&3; cat <&4 -> 0
		  out: A=1
		  out: # a comment
		  out: 
		  out: B
		  out: C=x y
		  out: D=file
		  out: four
		$ exec --preserve-fd 5 x1 sh -c cat <&5; [ -e /proc/self/fd/3 ] && echo 3-open -> 0
		  out: five
		  out: 3-open
		$ exec --preserve-fd 6 x1 true -> 125
		  err: Error: file descriptor 6 is not available - the preserve-fd option requires that file descriptors must be passed
		$ exec --preserve-fds 3 x1 true -> 125
		  err: Error: file descriptor 5 is not available - the preserve-fds option requires that file descriptors must be passed
		$ exec --env-file TMP/missing x1 true -> 125
		$ exec x1 -> 125
		  err: Error: must provide a non-empty command to start an exec session: invalid argument
		$ exec -> 125
		  err: Error: exec requires the name or ID of a container or the --latest flag
		$ exec -l -> 125
		  err: Error: must provide a non-empty command to start an exec session: invalid argument
	EOF
}

# Pushes the two-platform index of tests/lib/make-multiarch.sh to a new
# registry as $REGISTRY/multi:latest; sets HOST_ARCH to the host's
# architecture and OTHER to the other one.
multiarch_registry() {
	registry_start
	run "$FERRY_SRC/tests/lib/make-multiarch.sh" --push "$REGISTRY/multi:latest" "$(ferry_test_image)" "$TEST_TMP/multi"
	assert_status 0
	HOST_ARCH=$(archive_config "$(ferry_test_image)" | jq -r .architecture)
	OTHER=$(echo "$output" | awk -v a="$HOST_ARCH" '$1 != "index" && $1 != "extra-layer" && $1 != a { print $1 }')
	[ -n "$OTHER" ]
}

platform_sequence() {
	local t=$1 img=$REGISTRY/multi:latest
	step "$t" pull -q --tls-verify=false --arch "$OTHER" "$img"
	step "$t" image inspect --format '{{.Os}}/{{.Architecture}}' "$img"
	step "$t" rmi -f "$img"
	step "$t" pull -q --tls-verify=false --os linux --arch "$OTHER" --variant v8 --retry 0 --retry-delay 1ms \
		--disable-content-trust "$img"
	step "$t" image inspect --format '{{.Os}}/{{.Architecture}}' "$img"
	step "$t" rmi -f "$img"
	step "$t" create -q --tls-verify=false --arch "$OTHER" --name a1 "$img" true
	step "$t" inspect --format '{{.ImageName}}' a1
	step "$t" image inspect --format '{{.Architecture}}' "$img"
	step "$t" rm a1
	step "$t" rmi -f "$img"
	step "$t" run -q --rm --tls-verify=false --retry 1 --disable-content-trust "$img" echo ran
	step "$t" pull -q --tls-verify=false --platform "linux/$OTHER" --variant v8 "$img"
	step "$t" image inspect --format '{{.Architecture}}' "$img"
	# The two word these two errors each in their own way.
	step_rc "$t" pull -q --tls-verify=false --os plan9 "$img"
	step "$t" pull --platform linux/amd64 --arch amd64 "$img"
	step "$t" pull --platform linux/amd64 --os linux "$img"
	step_rc "$t" pull --retry x "$img"
	step "$t" pull --retry-delay 2 "$img"
	step "$t" pull --retry-delay soon "$img"
}

@test "pull, create and run --arch, --os, --variant, --retry, --retry-delay, --disable-content-trust as Podman's" {
	multiarch_registry
	compare_with_podman platform_sequence <<-'EOF'
		$ pull -q --tls-verify=false --arch OTHER REGISTRY/multi:latest -> 0
		  out: <ID>
		$ image inspect --format {{.Os}}/{{.Architecture}} REGISTRY/multi:latest -> 0
		  out: linux/OTHER
		$ rmi -f REGISTRY/multi:latest -> 0
		  out: Untagged: REGISTRY/multi:latest
		  out: Deleted: <ID>
		$ pull -q --tls-verify=false --os linux --arch OTHER --variant v8 --retry 0 --retry-delay 1ms --disable-content-trust REGISTRY/multi:latest -> 0
		  out: <ID>
		$ image inspect --format {{.Os}}/{{.Architecture}} REGISTRY/multi:latest -> 0
		  out: linux/OTHER
		$ rmi -f REGISTRY/multi:latest -> 0
		  out: Untagged: REGISTRY/multi:latest
		  out: Deleted: <ID>
		$ create -q --tls-verify=false --arch OTHER --name a1 REGISTRY/multi:latest true -> 0
		  out: <ID>
		$ inspect --format {{.ImageName}} a1 -> 0
		  out: REGISTRY/multi:latest
		$ image inspect --format {{.Architecture}} REGISTRY/multi:latest -> 0
		  out: OTHER
		$ rm a1 -> 0
		  out: a1
		$ rmi -f REGISTRY/multi:latest -> 0
		  out: Untagged: REGISTRY/multi:latest
		  out: Deleted: <ID>
		$ run -q --rm --tls-verify=false --retry 1 --disable-content-trust REGISTRY/multi:latest echo ran -> 0
		  out: ran
		$ pull -q --tls-verify=false --platform linux/OTHER --variant v8 REGISTRY/multi:latest -> 0
		  out: <ID>
		$ image inspect --format {{.Architecture}} REGISTRY/multi:latest -> 0
		  out: OTHER
		$ pull -q --tls-verify=false --os plan9 REGISTRY/multi:latest -> 125
		$ pull --platform linux/HOST --arch HOST REGISTRY/multi:latest -> 125
		  err: Error: --platform option can not be specified with --arch or --os
		$ pull --platform linux/HOST --os linux REGISTRY/multi:latest -> 125
		  err: Error: --platform option can not be specified with --arch or --os
		$ pull --retry x REGISTRY/multi:latest -> 125
		$ pull --retry-delay 2 REGISTRY/multi:latest -> 125
		  err: Error: time: missing unit in duration "2"
		$ pull --retry-delay soon REGISTRY/multi:latest -> 125
		  err: Error: time: invalid duration "soon"
	EOF
}

# What a pull or push to a registry that nobody or that something answers
# prints: the exit code and, of each retry warning, its start.
retry_sequence() {
	local t=$1 gone=127.0.0.1:$PORT img
	img=$(test_image "$t")
	retry_step "$t" pull --tls-verify=false "$gone/x/y:1"
	retry_step "$t" pull --tls-verify=false --retry 1 --retry-delay 10ms "$gone/x/y:1"
	retry_step "$t" pull --tls-verify=false --retry 0 "$gone/x/y:1"
	retry_step "$t" push --tls-verify=false --retry 2 --retry-delay 1ms --disable-content-trust "$img" "$gone/x/y:1"
	retry_step "$t" run --rm --tls-verify=false --retry 1 --retry-delay 1ms "$gone/x/y:1" true
	# An answer, even "unknown", is not tried again; nor a name that does
	# not resolve.
	retry_step "$t" pull --tls-verify=false --retry 2 --retry-delay 1ms "$REGISTRY/no/such:1"
	retry_step "$t" pull --retry 2 --retry-delay 1ms no-such-host.invalid/x:1
}

retry_step() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	{
		echo "\$ $* -> $rc"
		grep -o 'level=warning msg="Failed, retrying in [^ ]* ... ([0-9]*/[0-9]*)' "$TEST_TMP/err" |
			sed 's/^/  warning: /'
		grep -c '^Error: ' "$TEST_TMP/err" | sed 's/^/  errors: /'
	} >>"$TEST_TMP/$tool.log"
}

@test "--retry and --retry-delay: new tries only when the registry cannot be reached, with Podman's warnings" {
	registry_start
	PORT=$(free_port)
	echo "s/$PORT/PORT/g; s/$REGISTRY/REGISTRY/g" >"$TEST_TMP/f.sed"
	compare_with_podman retry_sequence <<-'EOF'
		$ pull --tls-verify=false 127.0.0.1:PORT/x/y:1 -> 125
		  warning: level=warning msg="Failed, retrying in 1s ... (1/3)
		  warning: level=warning msg="Failed, retrying in 1s ... (2/3)
		  warning: level=warning msg="Failed, retrying in 1s ... (3/3)
		  errors: 1
		$ pull --tls-verify=false --retry 1 --retry-delay 10ms 127.0.0.1:PORT/x/y:1 -> 125
		  warning: level=warning msg="Failed, retrying in 10ms ... (1/1)
		  errors: 1
		$ pull --tls-verify=false --retry 0 127.0.0.1:PORT/x/y:1 -> 125
		  errors: 1
		$ push --tls-verify=false --retry 2 --retry-delay 1ms --disable-content-trust ferry-test 127.0.0.1:PORT/x/y:1 -> 125
		  warning: level=warning msg="Failed, retrying in 1ms ... (1/2)
		  warning: level=warning msg="Failed, retrying in 1ms ... (2/2)
		  errors: 1
		$ run --rm --tls-verify=false --retry 1 --retry-delay 1ms 127.0.0.1:PORT/x/y:1 true -> 125
		  warning: level=warning msg="Failed, retrying in 1ms ... (1/1)
		  errors: 1
		$ pull --tls-verify=false --retry 2 --retry-delay 1ms REGISTRY/no/such:1 -> 125
		  errors: 1
		$ pull --retry 2 --retry-delay 1ms no-such-host.invalid/x:1 -> 125
		  errors: 1
	EOF
}

import_sequence() {
	local t=$1 img
	img=$(test_image "$t")
	"$t" create --name src --network none "$img" true >/dev/null
	"$t" export -o "$TEST_TMP/rootfs.tar" src
	"$t" rm src >/dev/null
	step "$t" import -q -c 'CMD ["/bin/sh","-c","echo hi"]' -c 'ENV A=1' -c 'EXPOSE 80' -c 'LABEL a=b' \
		-c 'ONBUILD RUN x' -c 'USER 1000' -c 'VOLUME /data' -c 'WORKDIR /tmp' -c 'ENTRYPOINT ["/bin/env"]' \
		-c 'env B="x y"' -c 'VOLUME ["/a","/b"]' -m 'my message' --arch arm64 --os linux --variant v8 \
		"$TEST_TMP/rootfs.tar" imp1
	show_json "$t" image inspect --format '{{json .Config}}' imp1
	step "$t" image inspect --format '{{.Os}}/{{.Architecture}}|{{.Comment}}|' imp1
	step "$t" image history --format '{{.Comment}}' imp1
	step "$t" import -q --arch '' "$TEST_TMP/rootfs.tar" imp2
	step "$t" image inspect --format '{{.Architecture}} {{json .Config}}' imp2
	# (Podman warns when it runs imp1, made for another platform.)
	step "$t" run --rm imp2 echo ran
	# A bad change fails before the tarball is even looked at.
	step_rc "$t" import -c 'RUN make' "$TEST_TMP/no-such.tar" imp3
	step_rc "$t" import -c 'LABEL a' "$TEST_TMP/rootfs.tar" imp3
	step "$t" images --format '{{.Repository}}' --filter reference=imp3
}

@test "import --change, --message, --arch, --os and --variant as Podman's" {
	HOST_ARCH=$(archive_config "$(ferry_test_image)" | jq -r .architecture)
	compare_with_podman import_sequence <<-'EOF'
		$ import -q -c CMD ["/bin/sh","-c","echo hi"] -c ENV A=1 -c EXPOSE 80 -c LABEL a=b -c ONBUILD RUN x -c USER 1000 -c VOLUME /data -c WORKDIR /tmp -c ENTRYPOINT ["/bin/env"] -c env B="x y" -c VOLUME ["/a","/b"] -m my message --arch arm64 --os linux --variant v8 TMP/rootfs.tar imp1 -> 0
		  out: sha256:<ID>
		$ image inspect --format {{json .Config}} imp1
		  json: {"Cmd":["/bin/sh","-c","echo hi"],"Entrypoint":["/bin/env"],"Env":["A=1","B=x y"],"ExposedPorts":{"80/tcp":{}},"Labels":{"a":"b"},"User":"1000","Volumes":{"/a":{},"/b":{},"/data":{}},"WorkingDir":"/tmp"}
		$ image inspect --format {{.Os}}/{{.Architecture}}|{{.Comment}}| imp1 -> 0
		  out: linux/arm64|my message|
		$ image history --format {{.Comment}} imp1 -> 0
		  out: my message
		$ import -q --arch  TMP/rootfs.tar imp2 -> 0
		  out: sha256:<ID>
		$ image inspect --format {{.Architecture}} {{json .Config}} imp2 -> 0
		  out: HOST {}
		$ run --rm imp2 echo ran -> 0
		  out: ran
		$ import -c RUN make TMP/no-such.tar imp3 -> 125
		$ import -c LABEL a TMP/rootfs.tar imp3 -> 125
		$ images --format {{.Repository}} --filter reference=imp3 -> 0
	EOF
	# The variant is in the image's config.
	f save --format oci-archive -o "$TEST_TMP/imp1.tar" imp1
	[ "$(archive_config "$TEST_TMP/imp1.tar" | jq -r '.os + "/" + .architecture + "/" + .variant')" = linux/arm64/v8 ]
}

login_sequence() {
	local t=$1
	rm -f "$REGISTRY_AUTH_FILE"
	step "$t" login --get-login "$REGISTRY"
	step "$t" login -v --tls-verify=false -u alice -p secret "$REGISTRY"
	step_rc "$t" login --tls-verify=false -u alice -p wrong "$REGISTRY"
	step "$t" login --get-login "$REGISTRY"
	step "$t" login --get-login 127.0.0.1:1
	step "$t" login --tls-verify=false "$REGISTRY"
	# The registry's certificate is self-signed: only --cert-dir makes it
	# trusted.
	step_rc "$t" login -u alice -p secret "$REGISTRY"
	step "$t" login --verbose --cert-dir "$TEST_TMP/certs" -u alice -p secret "$REGISTRY"
	step "$t" login --get-login "$REGISTRY"
}

@test "login --get-login, --verbose and --cert-dir as Podman's" {
	registry_start --tls --htpasswd alice secret
	mkdir "$TEST_TMP/certs"
	cp "$REGISTRY_CA" "$TEST_TMP/certs/ca.crt"
	compare_with_podman login_sequence <<-'EOF'
		$ login --get-login REGISTRY -> 125
		  err: Error: not logged into REGISTRY
		$ login -v --tls-verify=false -u alice -p secret REGISTRY -> 0
		  out: Used:  TMP/auth.json
		  out: Login Succeeded!
		$ login --tls-verify=false -u alice -p wrong REGISTRY -> 125
		$ login --get-login REGISTRY -> 0
		  out: alice
		$ login --get-login 127.0.0.1:1 -> 125
		  err: Error: not logged into 127.0.0.1:1
		$ login --tls-verify=false REGISTRY -> 0
		  out: Authenticating with existing credentials for REGISTRY
		  out: Existing credentials are valid. Already logged in to REGISTRY
		$ login -u alice -p secret REGISTRY -> 125
		$ login --verbose --cert-dir TMP/certs -u alice -p secret REGISTRY -> 0
		  out: Used:  TMP/auth.json
		  out: Login Succeeded!
		$ login --get-login REGISTRY -> 0
		  out: alice
	EOF
}

commit_sequence() {
	local t=$1 img
	img=$(test_image "$t")
	mkdir -p "$TEST_TMP/bind"
	"$t" run -d --name v1 --network none -v "$TEST_TMP/bind:/bind" -v nv:/named -v /anon "$img" sleep 1000 >/dev/null
	"$t" commit -q v1 plain >/dev/null
	show_json "$t" image inspect --format '{{json .Config.Volumes}}' plain
	"$t" commit -q --include-volumes v1 all >/dev/null
	show_json "$t" image inspect --format '{{json .Config.Volumes}}' all
	"$t" rm -f -t 0 v1 >/dev/null
}

@test "commit --include-volumes as Podman's; without it the anonymous volumes only" {
	compare_with_podman commit_sequence <<-'EOF'
		$ image inspect --format {{json .Config.Volumes}} plain
		  json: {"/anon":{}}
		$ image inspect --format {{json .Config.Volumes}} all
		  json: {"/anon":{},"/bind":{},"/named":{}}
	EOF
}

sync_sequence() {
	local t=$1 img pid
	img=$(test_image "$t")
	"$t" run -d --name s1 --network none "$img" sleep 1000 >/dev/null
	step "$t" ps --sync --format '{{.Names}} {{.State}}'
	# Killed behind the tool's back: the next look settles it.
	pid=$("$t" inspect --format '{{.State.Pid}}' s1)
	kill -9 "$pid"
	wait_until "[ -z \"\$($t ps --sync -q)\" ]"
	step "$t" ps --sync -a --format '{{.Names}} {{.State}} {{.ExitCode}}'
	step "$t" ps --sync --format '{{.Names}}'
}

@test "ps --sync as Podman's: a container killed behind ferry's back is listed as exited" {
	compare_with_podman sync_sequence <<-'EOF'
		$ ps --sync --format {{.Names}} {{.State}} -> 0
		  out: s1 running
		$ ps --sync -a --format {{.Names}} {{.State}} {{.ExitCode}} -> 0
		  out: s1 exited 137
		$ ps --sync --format {{.Names}} -> 0
	EOF
}

@test "push --remove-signatures and --disable-content-trust: the same push" {
	registry_start
	load_test_image
	run_ferry push --tls-verify=false --remove-signatures --disable-content-trust --digestfile "$TEST_TMP/d1" \
		ferry-test "$REGISTRY/plain:1"
	assert_status 0
	run_ferry push --tls-verify=false --digestfile "$TEST_TMP/d2" ferry-test "$REGISTRY/plain:2"
	assert_status 0
	[ "$(cat "$TEST_TMP/d1")" = "$(cat "$TEST_TMP/d2")" ]
	[ "$(cat "$TEST_TMP/d1")" = "$(f image inspect --format '{{.Digest}}' ferry-test)" ]
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		podman_t push -q --tls-verify=false --remove-signatures --disable-content-trust \
			localhost/ferry-test:latest "$REGISTRY/podman:1"
	fi
}

all_tags_sequence() {
	local t=$1
	step "$t" pull -q -a --tls-verify=false "$REGISTRY/tagged/t:ignored"
	step "$t" image inspect --format '{{.Id}}' "$REGISTRY/tagged/t:1" "$REGISTRY/tagged/t:2" \
		"$REGISTRY/tagged/t:b"
	step_rc "$t" pull -q -a --tls-verify=false "$REGISTRY/tagged/none"
}

@test "pull --all-tags as Podman's: every tag of the repository, in the registry's order" {
	registry_start
	load_test_image
	mkdir -p "$TEST_TMP/rfs"
	echo two >"$TEST_TMP/rfs/two"
	tar -C "$TEST_TMP/rfs" -cf "$TEST_TMP/two.tar" .
	f import -q "$TEST_TMP/two.tar" two >/dev/null
	for tag in 1 b; do f push -q --tls-verify=false ferry-test "$REGISTRY/tagged/t:$tag"; done
	f push -q --tls-verify=false two "$REGISTRY/tagged/t:2"
	echo "s/$(f image inspect --format '{{.Id}}' two)/<two>/g" >"$TEST_TMP/f.sed"
	echo "s/$(f image inspect --format '{{.Id}}' ferry-test)/<ferry-test>/g" >>"$TEST_TMP/f.sed"
	f rmi -f two >/dev/null
	# Podman's pull -a ignores --tls-verify: its registries.conf must say
	# that this registry speaks plain HTTP.
	printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY" >"$TEST_TMP/registries.conf"
	export CONTAINERS_REGISTRIES_CONF=$TEST_TMP/registries.conf
	compare_with_podman all_tags_sequence <<-'EOF'
		$ pull -q -a --tls-verify=false REGISTRY/tagged/t:ignored -> 0
		  out: <ferry-test>
		  out: <two>
		  out: <ferry-test>
		$ image inspect --format {{.Id}} REGISTRY/tagged/t:1 REGISTRY/tagged/t:2 REGISTRY/tagged/t:b -> 0
		  out: <ferry-test>
		  out: <two>
		  out: <ferry-test>
		$ pull -q -a --tls-verify=false REGISTRY/tagged/none -> 125
	EOF
}

ns_sequence() {
	local t=$1 img
	img=$(test_image "$t")
	"$t" run -d --name n1 --network none "$img" sleep 1000 >/dev/null
	"$t" create --name n2 --network none "$img" true >/dev/null
	step "$t" ps -a --ns --sort names
	step "$t" ps --ns --format '{{.Names}} {{.Namespaces.NET}} {{.Namespaces.PIDNS}}'
	JQ_FILTER='[.[] | {Names, Pid, Namespaces}]' show_json "$t" ps -a --ns --sort names --format json
	step "$t" ps --ns -q
	step "$t" ps --ns -s
}

@test "ps --ns as Podman's: the inode numbers of each running container's namespaces" {
	# The numbers, IDs and column widths are this run's (a PID may have
	# fewer than 4 digits).
	echo 's/^[0-9a-f]\{12\} /<ID> /; s/^\(<ID> n1  *\)[0-9][0-9]* /\1N /; s/"Pid":[1-9][0-9]*/"Pid":N/g; s/[0-9]\{4,\}/N/g; s/  */ /g; s/ *$//' >"$TEST_TMP/f.sed"
	compare_with_podman ns_sequence <<-'EOF'
		$ ps -a --ns --sort names -> 0
		 out: CONTAINER ID NAMES PID CGROUPNS IPC MNT NET PIDNS USERNS UTS
		 out: <ID> n1 N N N N N N N N
		 out: <ID> n2 0
		$ ps --ns --format {{.Names}} {{.Namespaces.NET}} {{.Namespaces.PIDNS}} -> 0
		 out: n1 N N
		$ ps -a --ns --sort names --format json
		 json: [{"Names":["n1"],"Namespaces":{"Cgroup":"N","Ipc":"N","Mnt":"N","Net":"N","Pidns":"N","User":"N","Uts":"N"},"Pid":N},{"Names":["n2"],"Namespaces":{},"Pid":0}]
		$ ps --ns -q -> 125
		 err: Error: quiet conflicts with size and namespace
		$ ps --ns -s -> 125
		 err: Error: size and namespace options conflict
	EOF
}

@test "ps --ns shows the namespaces the process is in" {
	load_test_image
	f run -d --name n1 --network none ferry-test sleep 1000 >/dev/null
	pid=$(f inspect --format '{{.State.Pid}}' n1)
	want="n1 $pid"
	for ns in cgroup ipc mnt net pid user uts; do
		want+=" $(readlink "/proc/$pid/ns/$ns" | tr -dc 0-9)"
	done
	[ "$(f ps --ns --noheading | awk '{ $1 = ""; print substr($0, 2) }')" = "$want" ]
	# Its own network namespace, not the host's; the host's user one.
	[ "$(f ps --ns --format '{{.Namespaces.NET}}')" != "$(readlink /proc/self/ns/net | tr -dc 0-9)" ]
	[ "$(f ps --ns --format '{{.Namespaces.User}}')" = "$(readlink /proc/self/ns/user | tr -dc 0-9)" ]
}

squash_sequence() {
	local t=$1 img
	img=$(test_image "$t")
	"$t" run -d --name q1 --network none "$img" sh -c 'echo new >/newfile; rm /etc/motd2 2>/dev/null; sleep 1000' >/dev/null
	wait_until "$t exec q1 cat /newfile >/dev/null 2>&1"
	"$t" commit -q --squash q1 sq >/dev/null
	JQ_FILTER='.[0] | {layers: (.RootFS.Layers | length), history: [.History[] | {created_by, comment}], Cmd: .Config.Cmd}' \
		show_json "$t" image inspect sq
	step "$t" run --rm --network none sq sh -c 'cat /newfile; [ -e /bin/sh ] && echo base-files-there'
	"$t" commit -q q1 notsq >/dev/null
	JQ_FILTER='.[0] | {layers: (.RootFS.Layers | length), last: (.History[-1] | {created_by, comment})}' \
		show_json "$t" image inspect notsq
	"$t" rm -f -t 0 q1 >/dev/null
}

@test "commit --squash as Podman's: one layer, one history entry" {
	compare_with_podman squash_sequence <<-'EOF'
		$ image inspect sq
		  json: {"Cmd":["sh","-c","echo new >/newfile; rm /etc/motd2 2>/dev/null; sleep 1000"],"history":[{"comment":"FROM ferry-test","created_by":"/bin/sh"}],"layers":1}
		$ run --rm --network none sq sh -c cat /newfile; [ -e /bin/sh ] && echo base-files-there -> 0
		  out: new
		  out: base-files-there
		$ image inspect notsq
		  json: {"last":{"comment":"FROM ferry-test","created_by":"/bin/sh"},"layers":3}
	EOF
}

@test "push --format v2s2 and oci as Podman's: a v2s2 manifest of the same blobs; zstd layers as gzip" {
	registry_start
	load_test_image
	mkdir -p "$TEST_TMP/rfs"
	echo gz >"$TEST_TMP/rfs/gz"
	tar -C "$TEST_TMP/rfs" -czf "$TEST_TMP/gz.tar.gz" .
	f import -q "$TEST_TMP/gz.tar.gz" gzimg >/dev/null
	stored=$(f image inspect --format '{{.Digest}}' gzimg)

	run_ferry push --tls-verify=false --format v2s2 --digestfile "$TEST_TMP/d1" gzimg "$REGISTRY/fmt:v2"
	assert_status 0
	[ "$(cat "$TEST_TMP/d1")" != "$stored" ]
	curl -s -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
		"http://$REGISTRY/v2/fmt/manifests/v2" >"$TEST_TMP/m"
	[ "sha256:$(sha256sum <"$TEST_TMP/m" | cut -d' ' -f1)" = "$(cat "$TEST_TMP/d1")" ]
	[ "$(jq -r '.mediaType + " " + .config.mediaType + " " + .layers[0].mediaType' "$TEST_TMP/m")" = \
		"application/vnd.docker.distribution.manifest.v2+json application/vnd.docker.container.image.v1+json application/vnd.docker.image.rootfs.diff.tar.gzip" ]
	# It comes back as the same image (the config is the same blob).
	run_fb pull -q --tls-verify=false "$REGISTRY/fmt:v2"
	assert_status 0
	[ "$output" = "$(f image inspect --format '{{.Id}}' gzimg)" ]

	# In its own schema: as stored, the same digest.
	run_ferry push --tls-verify=false --format oci --digestfile "$TEST_TMP/d2" gzimg "$REGISTRY/fmt:oci"
	assert_status 0
	[ "$(cat "$TEST_TMP/d2")" = "$stored" ]

	# The test image has a zstd layer, which v2s2 cannot name: as Podman,
	# it goes compressed anew with gzip (099 has the rest).
	run_ferry push --tls-verify=false --format v2s2 ferry-test "$REGISTRY/fmt:zstd"
	assert_status 0
	[ "$(curl -s -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
		"http://$REGISTRY/v2/fmt/manifests/zstd" | jq -r '.layers[].mediaType' | sort -u)" = \
		application/vnd.docker.image.rootfs.diff.tar.gzip ]
	run_ferry push --format v2s1 ferry-test "$REGISTRY/fmt:v1"
	assert_status 125
	# "docker" is Podman's other name for v2s2 (163 compares it live).
	run_ferry push --format bogus ferry-test "$REGISTRY/fmt:v1"
	assert_status 125
	assert_output_contains 'unknown format "bogus"'

	if command -v podman >/dev/null; then
		f save --format oci-archive -o "$TEST_TMP/gz-oci.tar" gzimg
		podman_t load -q -i "$TEST_TMP/gz-oci.tar" >/dev/null
		podman_t push -q --tls-verify=false --format v2s2 localhost/gzimg:latest "$REGISTRY/pfmt:v2"
		curl -s -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
			"http://$REGISTRY/v2/pfmt/manifests/v2" >"$TEST_TMP/pm"
		# Podman compresses the layer again (another blob): the text is the
		# same but for digests and sizes.
		mask='s/"sha256:[0-9a-f]*"/D/g; s/"size":[0-9]*/"size":N/g'
		[ "$(sed "$mask" "$TEST_TMP/pm")" = "$(sed "$mask" "$TEST_TMP/m")" ]
	fi
}
