#!/usr/bin/env bats
# The list and inspect commands' --format templates and options, compared
# with Podman's on the same image.  The comparisons need Podman
# (scripts/install-deps.sh --with-podman) and are skipped where it is
# absent; the ferry-only tests pin the same behaviour without it.

load helpers
load podman-helpers

# The test image in both.
load_both() {
	load_test_image
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
}

teardown() {
	podman_teardown
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
	load_both
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

# Three containers in both: one running with labels and a bind mount, one
# created, one exited with code 3.
both_three() {
	mkdir -p "$TEST_TMP/data"
	f run -d --name up -l app=web -l tier=1 -v "$TEST_TMP/data:/mnt" localhost/ferry-test:latest sleep 1000 >/dev/null
	podman_t run -d --name up --network none -l app=web -l tier=1 -v "$TEST_TMP/data:/mnt" \
		localhost/ferry-test:latest sleep 1000 >/dev/null
	both_create made localhost/ferry-test:latest true
	f run --name done localhost/ferry-test:latest sh -c 'exit 3' || true
	podman_t run --name done --network none localhost/ferry-test:latest sh -c 'exit 3' || true
	# Podman says "stopped" until its cleanup process has run.
	wait_until '[ "$(podman_t inspect --format "{{.State.Status}}" done)" = exited ]'
}

# ps/images output with what necessarily differs between two engines
# (IDs, times) replaced by placeholders and runs of spaces squeezed.
normalise() {
	sed -E -e 's/\b[0-9a-f]{64}\b/<ID>/g' -e 's/\b[0-9a-f]{12}\b/<ID>/g' \
		-e 's/(Less than a second|About a minute|About an hour|[0-9]+ (seconds?|minutes|hours|days|weeks|months|years)) ago/<AGO>/g' \
		-e 's/Up (Less than a second|About a minute|About an hour|[0-9]+ (seconds?|minutes|hours|days|weeks|months|years))/Up <AGO>/g' \
		-e 's/  +/  /g'
}

@test "ps --format: Podman's fields (.ID .Names .Image .Command .State .Labels .Mounts .ExitCode ...), table, --noheading, filters, --sort, --last, -q print what Podman prints" {
	need_podman
	load_both
	both_three
	same_output ps -a --format '{{.Names}}|{{.Image}}|{{.Command}}|{{.State}}|{{.Labels}}|{{.Mounts}}|{{.Networks}}|{{.Ports}}|{{.ExitCode}}|{{.Exited}}|{{.AutoRemove}}|{{.Restarts}}|{{.Pod}}|{{.PodName}}|{{.IsInfra}}|{{json .Names}}|{{.Labels.app}}|{{index .Labels "tier"}}|{{json .Labels}}|{{.Label "app"}}|{{.Label "nope"}}'
	same_output ps -a --format 'table {{.Names}}\t{{.State}} {{.ExitCode}}\t{{.Labels}}\t{{.Image}}'
	same_output ps -a --noheading --format 'table {{.Names}}\t{{.Image}}'
	same_output ps -a --format 'table {{.Names}}:{{.Exited}}\t{{.Pod}}\t{{.Mounts}}\t{{.IsInfra}}\t{{.AutoRemove}}\t{{.ExitCode}}'
	same_output ps --format '{{.Names}} {{.Pid}}' --filter status=exited
	for flt in status=created name=^d name=o label=app label=app=web label=app=db 'label!=app' \
		ancestor=localhost/ferry-test ancestor=ferry-test:latest exited=3 exited=0 before=made since=up \
		volume=/mnt volume=/data network=none; do
		same_output ps -a --filter "$flt" --sort names --format '{{.Names}}'
	done
	same_output ps -a --filter name=up --filter name=made --filter status=running --format '{{.Names}}'
	for s in names command status created image; do
		same_output ps -a --sort "$s" --format '{{.Names}}'
	done
	same_output ps --last 2 --format '{{.Names}}'
	same_output ps -l --format '{{.Names}} {{.State}}'
	same_output ps -q -a --format '{{.Names}}'
	# The IDs: 12 digits, all 64 with --no-trunc, as inspect's.
	[ "$(f ps --format '{{.ID}}' --filter name=up)" = "$(f inspect --format '{{.Id}}' up | cut -c1-12)" ]
	[ "$(f ps --no-trunc --format '{{.ID}} {{.ImageID}}' --filter name=up)" = "$(f inspect --format '{{.Id}} {{.Image}}' up)" ]
	[ "$(podman_t ps --no-trunc --format '{{.ID}} {{.ImageID}}' --filter name=up)" = "$(podman_t inspect --format '{{.Id}} {{.Image}}' up)" ]
	# The default table, but for IDs and times.
	[ "$(f ps -a | normalise)" = "$(podman_t ps -a | normalise)" ]
	[ "$(f ps -a --no-trunc | normalise)" = "$(podman_t ps -a --no-trunc | normalise)" ]
	# --size: a container that never ran holds nothing of its own.
	same_output ps -a -s --filter status=created --format '{{.Names}} {{.Size}}'
	[ "$(f ps -a -s --filter status=created | normalise)" = "$(podman_t ps -a -s --filter status=created | normalise)" ]
	# Bad input: 125 in both.
	for bad in "--format {{.Nope}}" "--filter bogus=1" "--filter name" "--filter status=sleeping" "--sort nothing" \
		"--filter exited=x" "--filter before=nothing"; do
		run_ferry ps -a $bad
		assert_status 125
		assert_one_line_error
		run podman_t ps -a $bad
		[ "$status" -eq 125 ]
	done
}

@test "ps --format without Podman: .Names is the name, .ID 12 digits, table headings aligned, filters and --sort" {
	load_test_image
	f run -d --name up -l app=web localhost/ferry-test:latest sleep 1000 >/dev/null
	f create --name made localhost/ferry-test:latest true >/dev/null
	f run --name done localhost/ferry-test:latest sh -c 'exit 3' || true
	run_ferry ps -a --format '{{.Names}} {{.State}} {{.Labels}} {{.ExitCode}} {{.Command}}'
	assert_status 0
	[ "$output" = "up running map[app:web] 0 sleep 1000
made created map[] 0 true
done exited map[] 3 sh -c exit 3" ]
	[[ "$(f ps --format '{{.ID}}')" =~ ^[0-9a-f]{12}$ ]]
	# .Created is a time (RFC 3339 in JSON, .Unix), .CreatedAt its text.
	[[ "$(f ps --format '{{json .Created}} {{json .CreatedAt}} {{.Created.Unix}}')" =~ ^\"[0-9-]{10}T[0-9:.]+(Z|[-+][0-9:]{5})\"\ \"[0-9-]{10}\ [0-9:.]+\ [-+][0-9]{4}\ [A-Z]+\"\ [0-9]{10}$ ]]
	run_ferry ps -a --format 'table {{.Names}}\t{{.ExitCode}} {{.State}}'
	assert_status 0
	[ "$output" = "NAMES       EXIT CODE   STATE
up          0           running
made        0           created
done        3           exited" ]
	[ "$(f ps -a --noheading --format 'table {{.Names}}' | tr '\n' ' ')" = "up made done " ]
	[ "$(f ps --filter status=exited --format '{{.Names}}')" = done ]
	[ "$(f ps -a --filter label=app=web --format '{{.Names}}')" = up ]
	[ "$(f ps -a --filter name=made --filter name=up --format '{{.Names}}' | tr '\n' ' ')" = "up made " ]
	[ "$(f ps -a --filter exited=3 --format '{{.Names}}')" = done ]
	[ "$(f ps -a --sort names --format '{{.Names}}' | tr '\n' ' ')" = "done made up " ]
	[ "$(f ps --last 2 --format '{{.Names}}' | tr '\n' ' ')" = "made done " ]
	[ "$(f ps -a --filter since=up --filter before=done --format '{{.Names}}')" = made ]
	f volume create vol >/dev/null
	f network create fnet >/dev/null
	f create --name user -v vol:/data --network fnet localhost/ferry-test:latest true >/dev/null
	[ "$(f ps -a --filter volume=vol --format '{{.Names}}')" = user ]
	[ "$(f ps -a --filter network=fnet --format '{{.Names}} {{.Networks}}')" = "user fnet" ]
	# --size: the bytes it wrote, a hard link counted once (with its own
	# files beside: hosts, hostname, /etc/mtab, and the runtime's
	# config.json of about 11 kB, kept once it stopped as Podman keeps
	# it), and with its image's.
	f run --name writer localhost/ferry-test:latest sh -c 'head -c 12345 /dev/zero >/big; ln /big /big2'
	run_ferry ps -a --size --sort size --format '{{.Names}} {{.Size}}'
	assert_status 0
	assert_output_contains "made 0B (virtual 2.15MB)"
	[[ "$(echo "$output" | tail -n 1)" =~ ^"writer 2"[2-5]"."[0-9]"kB (virtual 2.1"[78]"MB)"$ ]]
	rw=$(f ps -a --size --filter name=writer --format json | jq '.[0].Size.rwSize')
	[ "$rw" -ge $((12345 + 10000)) ] && [ "$rw" -lt $((12345 + 14000)) ]
	run_ferry ps -a --format '{{.Nope}}'
	assert_status 125
	assert_one_line_error
	run_ferry ps --filter colour=blue
	assert_status 125
	assert_one_line_error
}

@test "images --format: Podman's fields (.Repository .Tag .ID .Digest .Names .Size .Containers ...), table, default and --digests tables, filters, --sort, -q print what Podman prints" {
	need_podman
	load_both
	both_create c localhost/ferry-test:latest true
	same_output images --format '{{.ID}}|{{.Id}}|{{.Repository}}|{{.Tag}}|{{.Digest}}|{{.Names}}|{{.Created}}|{{.CreatedAt}}|{{json .CreatedAt}}|{{json .CreatedTime}}|{{.CreatedSince}}|{{.Size}}|{{.SharedSize}}|{{.ReadOnly}}|{{.Dangling}}|{{.Labels}}|{{.Containers}}|{{.History}}|{{.RepoTags}}|{{json .Names}}|{{json .Labels}}' ferry-test
	same_output images --format 'table {{.Repository}}\t{{.Tag}} {{.ID}}\t{{.Size}}\t{{.ReadOnly}}\t{{.Created}}\t{{.CreatedAt}}' ferry-test
	same_output images ferry-test
	same_output images --digests localhost/ferry-test
	same_output images -n ferry-test
	same_output images -q ferry-test
	same_output images -q --no-trunc ferry-test
	same_output images -q --format '{{.Repository}}' ferry-test
	same_output images --no-trunc --format '{{.ID}}' ferry-test
	# A second image, newer and smaller: an imported tarball.
	mkdir -p "$TEST_TMP/rootfs"
	echo hello >"$TEST_TMP/rootfs/hello"
	tar -C "$TEST_TMP/rootfs" -cf "$TEST_TMP/rootfs.tar" .
	f import "$TEST_TMP/rootfs.tar" imported:v1 >/dev/null
	podman_t import -q "$TEST_TMP/rootfs.tar" imported:v1 >/dev/null
	for flt in reference=ferry-test reference=localhost/ferry-test 'reference=ferry*' 'reference=*/ferry-test:latest' \
		'reference=localhost/*' reference=imported:v1 reference=fer dangling=false dangling=true label=x \
		before=imported:v1 since=ferry-test since=localhost/ferry-test:latest id=3bb7d; do
		same_output images --filter "$flt" --format '{{.Repository}}:{{.Tag}}'
	done
	same_output images --filter dangling=false --filter reference=imported --format '{{.Repository}}:{{.Tag}}'
	for s in created size repository tag; do
		same_output images --sort "$s" --format '{{.Repository}}:{{.Tag}} {{.Dangling}}'
	done
	# The default table, but for the imported image's ID, age and size
	# (the engines count a layer's bytes differently).
	[ "$(f images | normalise | sed -E 's/[0-9.]+ kB$/<SIZE>/')" = "$(podman_t images | normalise | sed -E 's/[0-9.]+ kB$/<SIZE>/')" ]
	for bad in "--format {{.Nope}}" "--filter bogus=1" "--filter dangling=maybe" "--filter before=nope" "--sort nothing"; do
		run_ferry images $bad
		assert_status 125
		assert_one_line_error
		run podman_t images $bad
		[ "$status" -eq 125 ]
	done
}

@test "images --format without Podman: one row per name with .Repository and .Tag, Go's [a b] for .Names, table, filters, --sort" {
	load_test_image
	mkdir -p "$TEST_TMP/rootfs"
	echo hello >"$TEST_TMP/rootfs/hello"
	tar -C "$TEST_TMP/rootfs" -cf "$TEST_TMP/rootfs.tar" .
	f import "$TEST_TMP/rootfs.tar" imported:v1 >/dev/null
	run_ferry images --format '{{.Repository}} {{.Tag}} {{.Names}} {{.Dangling}} {{.Labels}} {{.Containers}}'
	assert_status 0
	[ "$output" = "localhost/imported v1 [localhost/imported:v1] false map[] 0
localhost/ferry-test latest [localhost/ferry-test:latest] false map[] 0" ]
	id=$(f image inspect --format '{{.Id}}' ferry-test)
	run_ferry images --format 'table {{.ID}}\t{{.Tag}}' ferry-test
	[ "$output" = "IMAGE ID      TAG
${id:0:12}  latest" ]
	[ "$(f images --noheading --no-trunc --format 'table {{.ID}}' ferry-test)" = "sha256:$id" ]
	[ "$(f images --sort repository --format '{{.Repository}}' | tr '\n' ' ')" = "localhost/ferry-test localhost/imported " ]
	[ "$(f images --filter since=ferry-test --format '{{.Repository}}')" = localhost/imported ]
	[ "$(f images --filter before=imported:v1 --format '{{.Repository}}')" = localhost/ferry-test ]
	[ "$(f images --filter 'reference=ferry*' --format '{{.Repository}}')" = localhost/ferry-test ]
	[ "$(f images --filter dangling=true)" = "REPOSITORY  TAG         IMAGE ID    CREATED     SIZE" ]
	run_ferry images --filter before=nothing
	assert_status 125
	assert_one_line_error
}

@test "volume ls and volume inspect --format: Podman's fields, table, filters, -q, as Podman prints them" {
	need_podman
	# No volumes: not even the headings.
	same_output volume ls
	same_output volume ls --format 'table {{.Name}}'
	for tool in f podman_t; do
		$tool volume create -l b=2 -l a=1 v1 >/dev/null
		$tool volume create v2 >/dev/null
		$tool volume create -l a=other v3 >/dev/null
	done
	same_output volume ls
	same_output volume ls --format '{{.Name}}|{{.Driver}}|{{.Labels}}|{{.Scope}}|{{.Options}}|{{.MountCount}}|{{.NeedsCopyUp}}|{{.NeedsChown}}|{{.Anonymous}}|{{.UID}}|{{.GID}}|{{.Status}}|{{json .Labels}}|{{.Labels.a}}|{{index .Labels "b"}}'
	same_output volume ls --format 'table {{.Name}}\t{{.Driver}}\t{{.Labels}}\t{{.Scope}} {{.Options}}\t{{.MountCount}}'
	same_output volume ls --noheading --format 'table {{.Name}}\t{{.Labels}}'
	same_output volume ls -n
	same_output volume ls -q
	for flt in name=v1 name=v label=a label=a=1 'label!=a' driver=local; do
		same_output volume ls --filter "$flt" --format '{{.Name}}'
	done
	same_output volume inspect --format '{{.Name}} {{.Labels}} {{json .Labels}} {{.Options}} {{.Scope}}' v1
	# Where each keeps it, and when it was made: the same shape.
	[ "$(f volume ls --format '{{.Mountpoint}}' --filter name=v1)" = "$ROOT/volumes/v1/_data" ]
	[ "$(podman_t volume ls --format '{{.Mountpoint}}' --filter name=v1)" = "$TEST_TMP/proot/volumes/v1/_data" ]
	[[ "$(f volume ls --format '{{.CreatedAt}}' --filter name=v1)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:.]+\ [-+][0-9]{4}\ [A-Z]+$ ]]
	[[ "$(podman_t volume ls --format '{{.CreatedAt}}' --filter name=v1)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:.]+\ [-+][0-9]{4}\ [A-Z]+$ ]]
	[ "$(f volume inspect --format '{{.CreatedAt}}' v1)" = "$(f volume ls --format '{{.CreatedAt}}' --filter name=v1)" ]
	# A time: RFC 3339 in JSON, and .Unix its seconds, in both.
	for tool in f podman_t; do
		[[ "$($tool volume ls --format '{{json .CreatedAt}} {{.CreatedAt.Unix}}' --filter name=v1)" =~ ^\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[-+][0-9:]{5})\"\ [0-9]{10}$ ]]
	done
	for bad in "--format {{.Nope}}" "--filter bogus=1" "-q --format {{.Name}}"; do
		run_ferry volume ls $bad
		assert_status 125
		assert_one_line_error
		run podman_t volume ls $bad
		[ "$status" -eq 125 ]
	done
}

@test "volume ls --format without Podman: Go's map[] for labels, table headings, -q with --format refused" {
	f volume create -l b=2 -l a=1 v1 >/dev/null
	f volume create v2 >/dev/null
	run_ferry volume ls --format '{{.Name}} {{.Labels}} {{json .Labels}} {{.Options}} {{.Labels.a}}'
	assert_status 0
	[ "$output" = 'v1 map[a:1 b:2] {"a":"1","b":"2"} map[] 1
v2 map[] {} map[] <no value>' ]
	run_ferry volume ls --format 'table {{.Name}}\t{{.Scope}}'
	[ "$output" = "VOLUME NAME  SCOPE
v1           local
v2           local" ]
	run_ferry volume ls -q --format '{{.Name}}'
	assert_status 125
	assert_one_line_error
}

@test "network ls --format: Podman's fields, table, filters, --no-trunc, as Podman prints them" {
	need_podman
	for tool in f podman_t; do
		$tool network create --label app=x fnet1 >/dev/null
		$tool network create --internal fnet2 >/dev/null
	done
	same_output network ls --filter name=^fnet --format '{{.Name}}|{{.Driver}}|{{.Labels}}|{{json .Labels}}|{{.Options}}|{{.IPAMOptions}}|{{.IPv6Enabled}}|{{.Internal}}|{{.DNSEnabled}}'
	same_output network ls --filter name=^fnet --format 'table {{.Name}}\t{{.Driver}}\t{{.Labels}}\t{{.Options}} {{.IPv6Enabled}}\t{{.Internal}}\t{{.IPAMOptions}}'
	same_output network ls --filter name=^fnet --noheading --format 'table {{.Name}}\t{{.Driver}}'
	for flt in label=app label=app=x label=app=y driver=bridge name=fnet2 id=0000; do
		same_output network ls --filter name=^fnet --filter "$flt" --format '{{.Name}}'
	done
	same_output network ls --filter name=fnet1 --filter name=fnet2 --format '{{.Name}}'
	same_output network ls --filter name=^fnet -q --format '{{.Name}} {{.Driver}}'
	[ "$(f network ls --filter name=^fnet | normalise)" = "$(podman_t network ls --filter name=^fnet | normalise)" ]
	[ "$(f network ls --filter name=fnet1 --format '{{.ID}}')" = "$(f network inspect --format '{{.ID}}' fnet1 | cut -c1-12)" ]
	[ "$(f network ls --filter name=fnet1 --no-trunc --format '{{.ID}}')" = "$(f network inspect --format '{{.ID}}' fnet1)" ]
	# Podman's inspect report answers {{.Id}} as well; its ls does not.
	[ "$(f network inspect --format '{{.Id}}' fnet1)" = "$(f network inspect --format '{{.ID}}' fnet1)" ]
	[ "$(podman_t network inspect --format '{{.Id}}' fnet1)" = "$(podman_t network inspect --format '{{.ID}}' fnet1)" ]
	run_ferry network ls --format '{{.Id}}'
	assert_status 125
	run podman_t network ls --format '{{.Id}}'
	[ "$status" -eq 125 ]
	for bad in "--format {{.Nope}}" "--filter bogus=1"; do
		run_ferry network ls $bad
		assert_status 125
		assert_one_line_error
		run podman_t network ls $bad
		[ "$status" -eq 125 ]
	done
}

@test "network ls --format without Podman: Podman's fields, labels as k=v, table headings, filters" {
	f network create --label app=x fnet1 >/dev/null
	f network create --internal fnet2 >/dev/null
	run_ferry network ls --filter name=^fnet --format '{{.Name}} {{.Driver}} {{.Labels}} {{.Internal}} {{.IPAMOptions}}'
	assert_status 0
	[ "$output" = "fnet1 bridge app=x false map[driver:host-local]
fnet2 bridge  true map[driver:host-local]" ]
	run_ferry network ls --filter label=app --format 'table {{.Name}}\t{{.Internal}}'
	[ "$output" = "NAME        INTERNAL
fnet1       false" ]
	[ "$(f network ls --filter name=fnet --filter name=ferry -q | tr '\n' ' ')" = "ferry fnet1 fnet2 " ]
	run_ferry network ls --filter colour=red
	assert_status 125
	assert_one_line_error
}
