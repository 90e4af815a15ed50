#!/usr/bin/env bats
# system df, system prune and system reset as a Podman user types them:
# what they print, their questions, messages and exit codes.  Sequences run
# in ferry and are compared with what Podman 5.4 printed for them (kept
# below), and, where Podman is installed, with Podman run live on roots of
# the test's own; sizes and ages, which are each tool's own (Podman counts
# the files it writes into every container, and its image size holds its
# manifest and config), are compared live as shapes only.  Every command
# here runs on the test's own --root/--runroot: nothing outside them is
# pruned or reset.

load helpers
load podman-helpers

teardown() {
	podman_teardown
	ferry_teardown
}

IMG=localhost/ferry-test:latest

# step with standard input from file $1 (/dev/null: none at all); a
# question's last line, which has no newline, gets one in the transcript.
step_in() {
	local input=$1 tool=$2 rc=0
	shift 2
	"$tool" "$@" <"$input" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	{
		echo "\$ $* -> $rc"
		sed '$a\' "$TEST_TMP/out" | sed -f "$TEST_TMP/$tool.sed" -e "s#$TEST_TMP#TMP#g" | sed 's/^/  out: /'
		sed '$a\' "$TEST_TMP/err" | sed -f "$TEST_TMP/$tool.sed" -e "s#$TEST_TMP#TMP#g" -e 's/^time="[^"]*" /time=T /' |
			sed 's/^/  err: /'
	} >>"$TEST_TMP/$tool.log"
}

# Runs "$tool run|create ARGS" for container NAME and records its ID for
# the transcript (<NAME>).
ctr() {
	local tool=$1 how=$2 name=$3 id
	shift 3
	[ "$how" = run ] && how="run -d"
	# shellcheck disable=SC2086
	"$tool" $how --name "$name" --network none "$@" >/dev/null
	id=$("$tool" inspect --format '{{.Id}}' "$name")
	echo "s/$id/<$name>/g" >>"$TEST_TMP/$tool.sed"
	echo "s/${id:0:12}/<$name>/g" >>"$TEST_TMP/$tool.sed"
}

# Ages as Go's units.HumanDuration writes them.
AGES='Less than a second|About a minute|[0-9]+ seconds?|[0-9]+ minutes'

# Transcript $1 with the ages masked, and runs of spaces squeezed, since
# an age's width moves the columns after it.
aged_form() {
	sed -E -e "s/$AGES/<AGE>/g" -e 's/   +/  /g' "$1"
}

# Transcript $1 as compared with Podman's live one: sizes, percentages
# and byte counts masked too, and the tool's name.
live_form() {
	aged_form "$1" | sed -E -e '/^  err: time=T level=error msg="/d' -e 's/podman/ferry/g' -e 's/^  err: time=T level=error msg=(.*)/  err: Error: \1/' -e 's/graphRoot directory: "[^"]*"/graphRoot directory: R/' \
		-e 's/runRoot directory: "[^"]*"/runRoot directory: RR/' \
		-e 's/[0-9]+(\.[0-9]+)?[kMG]?B/<S>/g' -e 's/\([0-9]+%\)/(<P>)/g' \
		-e 's/"Raw(Size|Reclaimable)":[0-9]+/"Raw\1":<N>/g' -e 's/\|[0-9]+$/|<N>/' -e 's/   +/  /g'
}

# The sed script that shows image ID (on stdin), full or short, as <IMG>
# (or <$1>).
img_sed() {
	sed -E "s#^(sha256:)?(.{12})(.*)#s/\\2\\3/<${1:-IMG}>/g\\ns/\\2/<${1:-IMG}>/g#"
}

# Runs sequence function $1 in ferry and compares its transcript (ages
# masked) with the one on stdin, then, where Podman is installed, with
# Podman's.
compare_with_podman() {
	local seq=$1
	cat >"$TEST_TMP/expected.log"
	load_test_image
	touch "$TEST_TMP/f.sed"
	f inspect --format '{{.Id}}' ferry-test | img_sed >>"$TEST_TMP/f.sed"
	"$seq" f
	if command -v podman >/dev/null; then
		touch "$TEST_TMP/podman_t.sed"
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		podman_t image inspect --format '{{.Id}}' $IMG | img_sed >>"$TEST_TMP/podman_t.sed"
		"$seq" podman_t
		diff -u <(live_form "$TEST_TMP/podman_t.log") <(live_form "$TEST_TMP/f.log")
	fi
	diff -u "$TEST_TMP/expected.log" <(aged_form "$TEST_TMP/f.log")
}

df_sequence() {
	local t=$1
	step "$t" system df
	ctr "$t" run r1 $IMG sleep 1000
	ctr "$t" create c1 -v vol1:/data $IMG true
	"$t" volume create vol2 >/dev/null
	# 100 KiB in the container's own files, 50 KiB in a volume.
	ctr "$t" create w1 -v vol2:/d $IMG sh -c 'head -c 102400 /dev/zero >/big; head -c 51200 /dev/zero >/d/f'
	"$t" start -a w1
	step "$t" system df
	step "$t" system df -v
	step "$t" system df --format '{{.Type}}|{{.Total}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}|{{.RawReclaimable}}'
	step "$t" system df --format 'table {{.Type}} {{.Active}}'
	step "$t" system df --format json
	step "$t" system df -v --format json
	step "$t" system df extra
	"$t" rm -f -t 0 r1 >/dev/null
	step "$t" system df
	# An image made on the test image shares its layers: SHARED SIZE.
	"$t" commit -q w1 localhost/img2 | img_sed IMG2 >>"$TEST_TMP/$t.sed"
	step "$t" system df -v
}

@test "system df: the summary, -v, --format and json, as Podman prints them" {
	# A running container's own files include its PID files, whose sizes
	# are the PIDs' digits.
	# The total of all containers too (113.5 or 113.6 kB).
	echo 's/\(sleep 1000  *0  *\)[0-9.]*kB/\1<S>/; s/"RawSize":1[0-9]\{5\}/"RawSize":<N>/' >"$TEST_TMP/f.sed"
	echo 's/\(Containers[ |]*3[ |]*1[ |]*\)1[1-3][0-9]\.[0-9]kB/\1<S>/; s/"Size":"1[1-3][0-9]\.[0-9]kB"/"Size":"<S>"/' >>"$TEST_TMP/f.sed"
	# The exited container's: its 100 KiB, hosts, hostname, /etc/mtab and
	# the runtime's config.json it keeps, about 11 kB, as Podman keeps it.
	echo 's/11[0-9]\.[0-9]kB (9[0-9]%)/<S> (<P>)/; s/11[0-9]\.[0-9]kB (100%)/<S> (<P>)/; s/\(Containers *2 *0 *\)11[0-9]\.[0-9]kB/\1<S>/; s/ 11[0-9]\.[0-9]kB\( .*exited *w1\)$/ <S>\1/' >>"$TEST_TMP/f.sed"
	echo 's/|11[0-9]\{4\}$/|<N>/; s/"RawReclaimable":11[0-9]\{4\}/"RawReclaimable":<N>/; s/"Reclaimable":"11[0-9]\.[0-9]kB (9[0-9]%)"/"Reclaimable":"<S> (<P>)"/' >>"$TEST_TMP/f.sed"
	compare_with_podman df_sequence <<-'EOF'
		$ system df -> 0
		  out: TYPE  TOTAL  ACTIVE  SIZE  RECLAIMABLE
		  out: Images  1  0  2.152MB  2.152MB (100%)
		  out: Containers  0  0  0B  0B (0%)
		  out: Local Volumes  0  0  0B  0B (0%)
		$ system df -> 0
		  out: TYPE  TOTAL  ACTIVE  SIZE  RECLAIMABLE
		  out: Images  1  1  2.152MB  0B (0%)
		  out: Containers  3  1  <S>  <S> (<P>)
		  out: Local Volumes  2  2  51.2kB  0B (0%)
		$ system df -v -> 0
		  out: Images space usage:
		  out: 
		  out: REPOSITORY  TAG  IMAGE ID  CREATED  SIZE  SHARED SIZE  UNIQUE SIZE  CONTAINERS
		  out: localhost/ferry-test  latest  <IMG>  56 years  2.152MB  0B  2.152MB  3
		  out: 
		  out: Containers space usage:
		  out: 
		  out: CONTAINER ID  IMAGE  COMMAND  LOCAL VOLUMES  SIZE  CREATED  STATUS  NAMES
		  out: <r1>  <IMG>  sleep 1000  0  <S>  <AGE>  running  r1
		  out: <c1>  <IMG>  true  1  0B  <AGE>  created  c1
		  out: <w1>  <IMG>  sh -c head -c 102400 /dev/zero >/big; head -c 51200 /dev/zero >/d/f  1  <S>  <AGE>  exited  w1
		  out: 
		  out: Local Volumes space usage:
		  out: 
		  out: VOLUME NAME  LINKS  SIZE
		  out: vol1  1  0B
		  out: vol2  1  51.2kB
		$ system df --format {{.Type}}|{{.Total}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}|{{.RawReclaimable}} -> 0
		  out: Images|1|1|2.152MB|0B (0%)|0
		  out: Containers|3|1|<S>|<S> (<P>)|<N>
		  out: Local Volumes|2|2|51.2kB|0B (0%)|0
		$ system df --format table {{.Type}} {{.Active}} -> 0
		  out: TYPE  ACTIVE
		  out: Images  1
		  out: Containers  1
		  out: Local Volumes  2
		$ system df --format json -> 0
		  out: [
		  out:  {"Type":"Images","Total":1,"Active":1,"RawSize":2152238,"RawReclaimable":0,"TotalCount":1,"Size":"2.152MB","Reclaimable":"0B (0%)"},
		  out:  {"Type":"Containers","Total":3,"Active":1,"RawSize":<N>,"RawReclaimable":<N>,"TotalCount":3,"Size":"<S>","Reclaimable":"<S> (<P>)"},
		  out:  {"Type":"Local Volumes","Total":2,"Active":2,"RawSize":51200,"RawReclaimable":0,"TotalCount":2,"Size":"51.2kB","Reclaimable":"0B (0%)"}
		  out: ]
		$ system df -v --format json -> 125
		  err: Error: cannot combine --format and --verbose flags
		$ system df extra -> 125
		  err: Error: `ferry system df` takes no arguments
		$ system df -> 0
		  out: TYPE  TOTAL  ACTIVE  SIZE  RECLAIMABLE
		  out: Images  1  1  2.152MB  0B (0%)
		  out: Containers  2  0  <S>  <S> (<P>)
		  out: Local Volumes  2  2  51.2kB  0B (0%)
		$ system df -v -> 0
		  out: Images space usage:
		  out: 
		  out: REPOSITORY  TAG  IMAGE ID  CREATED  SIZE  SHARED SIZE  UNIQUE SIZE  CONTAINERS
		  out: localhost/ferry-test  latest  <IMG>  56 years  2.152MB  2.15MB  1.838kB  2
		  out: localhost/img2  latest  <IMG2>  <AGE>  2.269MB  2.15MB  118.1kB  0
		  out: 
		  out: Containers space usage:
		  out: 
		  out: CONTAINER ID  IMAGE  COMMAND  LOCAL VOLUMES  SIZE  CREATED  STATUS  NAMES
		  out: <c1>  <IMG>  true  1  0B  <AGE>  created  c1
		  out: <w1>  <IMG>  sh -c head -c 102400 /dev/zero >/big; head -c 51200 /dev/zero >/d/f  1  <S>  <AGE>  exited  w1
		  out: 
		  out: Local Volumes space usage:
		  out: 
		  out: VOLUME NAME  LINKS  SIZE
		  out: vol1  1  0B
		  out: vol2  1  51.2kB
	EOF
	# The columns line up as Podman's tables do (a minimum width of 12, two
	# spaces of padding); the summary has no age to move them.
	run_ferry system df
	assert_status 0
	[ "${lines[0]}" = "TYPE           TOTAL       ACTIVE      SIZE        RECLAIMABLE" ]
	[ "${lines[3]}" = "Local Volumes  2           2           51.2kB      0B (0%)" ]
	# A template's unknown field is an error, before anything is printed.
	run_ferry system df --format '{{.Nosuch}}'
	assert_status 125
	assert_one_line_error
}

# The images: one unnamed and unused, the test image with a second name.
prune_sequence() {
	local t=$1
	printf 'n\n' >"$TEST_TMP/no"
	printf 'y\n' >"$TEST_TMP/yes"
	ctr "$t" run r1 $IMG sleep 1000
	ctr "$t" create c1 --label team=a $IMG true
	ctr "$t" create c2 -v v1:/data $IMG true
	"$t" network create n1 >/dev/null
	"$t" volume create v2 >/dev/null
	step_in /dev/null "$t" system prune
	step_in "$TEST_TMP/no" "$t" system prune --volumes
	step_in "$TEST_TMP/no" "$t" system prune -a
	step "$t" system prune -f --filter bogus=1
	step "$t" system prune -f --filter until=garbage
	step "$t" system prune -f extra
	step "$t" system prune -f --filter label=team=a
	step_in "$TEST_TMP/yes" "$t" system prune
	step "$t" system prune -f --volumes --filter label!=keep
	"$t" tag $IMG localhost/other:1
	"$t" stop -t 0 r1 >/dev/null
	step "$t" system prune -af
	step "$t" images --format '{{.ID}}'
}

@test "system prune: its question, filters, sections and reclaimed space, as Podman prints them" {
	compare_with_podman prune_sequence <<-'EOF'
		$ system prune -> 125
		  out: WARNING! This command removes:
		  out: 	- all stopped containers
		  out: 	- all networks not used by at least one container
		  out: 	- all dangling images
		  out: 	- all dangling build cache
		  out: 
		  out: Are you sure you want to continue? [y/N] 
		  err: Error: EOF
		$ system prune --volumes -> 0
		  out: WARNING! This command removes:
		  out: 	- all stopped containers
		  out: 	- all networks not used by at least one container
		  out: 	- all volumes not used by at least one container
		  out: 	- all dangling images
		  out: 	- all dangling build cache
		  out: 
		  out: Are you sure you want to continue? [y/N] 
		$ system prune -a -> 0
		  out: WARNING! This command removes:
		  out: 	- all stopped containers
		  out: 	- all networks not used by at least one container
		  out: 	- all images without at least one container associated with them
		  out: 	- all build cache
		  out: 
		  out: Are you sure you want to continue? [y/N] 
		$ system prune -f --filter bogus=1 -> 125
		  err: Error: bogus is an invalid filter
		$ system prune -f --filter until=garbage -> 125
		  err: Error: failed to parse value as time or duration: "garbage"
		$ system prune -f extra -> 125
		  err: Error: `ferry system prune` takes no arguments
		$ system prune -f --filter label=team=a -> 0
		  out: Deleted Containers
		  out: <c1>
		  out: Total reclaimed space: 0B
		$ system prune -> 0
		  out: WARNING! This command removes:
		  out: 	- all stopped containers
		  out: 	- all networks not used by at least one container
		  out: 	- all dangling images
		  out: 	- all dangling build cache
		  out: 
		  out: Are you sure you want to continue? [y/N] Deleted Containers
		  out: <c2>
		  out: Deleted Networks
		  out: n1
		  out: Total reclaimed space: 0B
		$ system prune -f --volumes --filter label!=keep -> 0
		  out: Deleted Volumes
		  out: v1
		  out: v2
		  out: Total reclaimed space: 0B
		$ system prune -af -> 0
		  out: Deleted Containers
		  out: <r1>
		  out: Deleted Images
		  out: <IMG>
		  out: Total reclaimed space: 2.163MB
		$ images --format {{.ID}} -> 0
	EOF
	# Nothing is left that the prune could have taken.
	[ -z "$(f ps -aq)" ]
	[ -z "$(f volume ls -q)" ]
	[ "$(f network ls --format '{{.Name}}')" = ferry ]
	[ -z "$(find "$ROOT/storage/layers" -mindepth 1 -maxdepth 1)" ]
}

@test "system prune: a filter that does not parse removes nothing, even asked with yes" {
	load_test_image
	f create --name c1 ferry-test true >/dev/null
	run_ferry system prune -f --filter until=garbage
	assert_status 125
	assert_one_line_error
	printf 'y\n' >"$TEST_TMP/yes"
	run_ferry system prune --filter label <"$TEST_TMP/yes"
	assert_status 125
	[[ "$output" == *"Error: label is an invalid filter" ]]
	[ "$(f ps -aq | wc -l)" -eq 1 ]
	# "yes" is yes as Podman reads it (its first letter); "nope" is no.
	[ "$(printf 'nope\n' | f system prune | tail -n 1)" = "Are you sure you want to continue? [y/N] " ]
	[ "$(f ps -aq | wc -l)" -eq 1 ]
	printf 'yes\n' | f system prune >"$TEST_TMP/out"
	grep -qx 'Total reclaimed space: 0B' "$TEST_TMP/out"
	[ -z "$(f ps -aq)" ]
}

reset_question() {
	local t=$1
	printf 'n\n' >"$TEST_TMP/no"
	step_in /dev/null "$t" system reset
	step_in "$TEST_TMP/no" "$t" system reset
	step "$t" system reset -f extra
	step "$t" images --format '{{.Repository}}'
}

@test "system reset: asks as Podman asks, and no or no answer keeps everything" {
	compare_with_podman reset_question <<-'EOF'
		$ system reset -> 1
		  out: WARNING! This will remove:
		  out:  - all containers
		  out:  - all pods
		  out:  - all images
		  out:  - all networks
		  out:  - all build cache
		  out:  - all machines
		  out:  - all volumes
		  out:  - the graphRoot directory: "TMP/root"
		  out:  - the runRoot directory: "TMP/run"
		  out: Are you sure you want to continue? [y/N] 
		  err: Error: EOF
		$ system reset -> 0
		  out: WARNING! This will remove:
		  out:  - all containers
		  out:  - all pods
		  out:  - all images
		  out:  - all networks
		  out:  - all build cache
		  out:  - all machines
		  out:  - all volumes
		  out:  - the graphRoot directory: "TMP/root"
		  out:  - the runRoot directory: "TMP/run"
		  out: Are you sure you want to continue? [y/N] 
		$ system reset -f extra -> 125
		  err: Error: `ferry system reset` takes no arguments
		$ images --format {{.Repository}} -> 0
		  out: localhost/ferry-test
	EOF
}

# A root with a running container, a volume, a network, a file of the
# user's, and links and a mount that lead out of it.
reset_fixture() {
	load_test_image
	f run -d --name r1 -v vol1:/data ferry-test sleep 1000 >/dev/null
	R1_PID=$(f inspect --format '{{.State.Pid}}' r1)
	f exec r1 sh -c 'echo kept >/data/f'
	f create --name c1 ferry-test true >/dev/null
	f network create n1 >/dev/null
	mkdir -p "$TEST_TMP/outside"
	echo precious >"$TEST_TMP/outside/file"
	echo mine >"$ROOT/user-file"
	ln -s "$TEST_TMP/outside" "$ROOT/storage/link-out"
	ln -s "$TEST_TMP/outside" "$RUNROOT/containers/link-out"
	# A mount a killed ferry could have left, of a directory outside: it
	# is detached, never emptied.
	mkdir -p "$ROOT/storage/overlay/leftover/merged"
	mount --bind "$TEST_TMP/outside" "$ROOT/storage/overlay/leftover/merged"
}

# The root after a reset: nothing of ferry's, what is not ferry's kept,
# and a ferry that works in it.
assert_reset_done() {
	[ "$(ls -A "$ROOT")" = user-file ]
	[ -z "$(ls -A "$RUNROOT")" ]
	[ "$(cat "$TEST_TMP/outside/file")" = precious ]
	[ "$(cat "$ROOT/user-file")" = mine ]
	[ ! -e "/proc/$R1_PID" ]
	[ -z "$(pgrep -f -- "$RUNROOT/")" ]
	[ -z "$(grep -F " $ROOT/" /proc/self/mountinfo)" ]
	[ -z "$(f ps -aq)" ]
	[ -z "$(f images -q)" ]
	[ -z "$(f volume ls -q)" ]
	[ "$(f network ls --format '{{.Name}}')" = ferry ]
	load_test_image
	[ "$(f run --rm -v vol1:/data ferry-test sh -c 'ls /data | wc -l')" = 0 ]
}

@test "system reset -f: removes every container, image, volume and network, and only ferry's files" {
	reset_fixture
	run_ferry system reset -f
	assert_status 0
	[ -z "$output" ]
	assert_reset_done
	# On an empty root, a reset has nothing to do and says nothing.
	f system reset -f
	[ "$(ls -A "$ROOT")" = user-file ]
}

@test "system reset killed half-way: the next ferry works, and a second reset finishes" {
	local point
	for point in reset-containers-removed reset-database-removed reset-root-removed; do
		reset_fixture
		run env FERRY_FAULT=$point "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" system reset -f
		[ "$status" -eq 137 ]
		# Whatever the kill left, ferry reads it: no ghost, nothing half.
		f ps -a >/dev/null
		f images >/dev/null
		f volume ls >/dev/null
		f system df >/dev/null
		f system reset -f
		assert_reset_done
		f system reset -f
		rm -f "$ROOT/user-file"
	done
}

filters_sequence() {
	local t=$1
	ctr "$t" create c1 --label a=1 -v fv:/d $IMG true
	step "$t" ps -a --filter until=2000-01-01T00:00:00Z --format '{{.Names}}'
	step "$t" ps -a --filter until=2099-01-01T00:00:00Z --format '{{.Names}}'
	step "$t" ps -a --filter until=1h --format '{{.Names}}'
	step "$t" ps -a --filter until=1h --filter until=2h
	step "$t" ps -a --filter until=garbage
	step "$t" ps -a --filter volume=fv --filter until=2099-01-01T00:00:00Z --format '{{.Names}}'
	step "$t" ps -a --filter since=c1 --format '{{.Names}}'
	step "$t" ps --filter bogus=1
	step "$t" ps --filter bogus
	step "$t" ps --filter status=bogus
	step "$t" images --filter containers=true --format '{{.ID}}'
	step "$t" images --filter containers=false --format '{{.ID}}'
	step "$t" images --filter containers=true --filter containers=false
	step "$t" images --filter containers=maybe
	step "$t" images --filter until=1h --format '{{.ID}}'
	step "$t" images --filter until=1969-12-31T00:00:00Z --format '{{.ID}}'
	step "$t" images --filter until=garbage
	step "$t" images --filter digest=sha256:0000 --format '{{.ID}}'
	step "$t" images --filter digest=nosuch
	step "$t" images --filter readonly=false --format '{{.ID}}'
	step "$t" images --filter readonly=true --format '{{.ID}}'
	step "$t" images --filter readonly=x
	step "$t" images --filter label!=a --format '{{.ID}}'
	step "$t" images --filter since=nosuch
	step "$t" images --filter bogus=1
	# An intermediate image: the base of a commit whose name went.
	"$t" commit -q c1 localhost/img2 | img_sed IMG2 >>"$TEST_TMP/$t.sed"
	"$t" rm c1 >/dev/null
	"$t" untag $IMG
	step "$t" images --format '{{.ID}} {{.Repository}}'
	step "$t" images -a --format '{{.ID}} {{.Repository}}'
	step "$t" images --filter dangling=true --format '{{.ID}}'
	step "$t" images --filter intermediate=true --format '{{.ID}}'
	step "$t" images --filter intermediate=false --format '{{.ID}}'
	step "$t" images --filter containers=false --format '{{.ID}}'
}

@test "ps and images --filter: until, containers, digest, intermediate, readonly and bad filters, as Podman" {
	compare_with_podman filters_sequence <<-'EOF'
		$ ps -a --filter until=2000-01-01T00:00:00Z --format {{.Names}} -> 0
		$ ps -a --filter until=2099-01-01T00:00:00Z --format {{.Names}} -> 0
		  out: c1
		$ ps -a --filter until=1h --format {{.Names}} -> 0
		$ ps -a --filter until=1h --filter until=2h -> 125
		  err: Error: specify exactly one timestamp for until
		$ ps -a --filter until=garbage -> 125
		  err: Error: failed to parse value as time or duration: "garbage"
		$ ps -a --filter volume=fv --filter until=2099-01-01T00:00:00Z --format {{.Names}} -> 0
		  out: c1
		$ ps -a --filter since=c1 --format {{.Names}} -> 0
		$ ps --filter bogus=1 -> 125
		  err: Error: bogus is an invalid filter
		$ ps --filter bogus -> 125
		  err: Error: invalid filter "bogus"
		$ ps --filter status=bogus -> 125
		  err: Error: unknown container state: bogus: invalid argument
		$ images --filter containers=true --format {{.ID}} -> 0
		  out: <IMG>
		$ images --filter containers=false --format {{.ID}} -> 0
		$ images --filter containers=true --filter containers=false -> 125
		  err: Error: specifying "containers" filter more than once with different values is not supported
		$ images --filter containers=maybe -> 125
		  err: Error: unsupported value "maybe" for containers filter
		$ images --filter until=1h --format {{.ID}} -> 0
		  out: <IMG>
		$ images --filter until=1969-12-31T00:00:00Z --format {{.ID}} -> 0
		$ images --filter until=garbage -> 125
		  err: Error: failed to parse value as time or duration: "garbage"
		$ images --filter digest=sha256:0000 --format {{.ID}} -> 0
		$ images --filter digest=nosuch -> 125
		  err: Error: invalid value "nosuch" for digest filter
		$ images --filter readonly=false --format {{.ID}} -> 0
		  out: <IMG>
		$ images --filter readonly=true --format {{.ID}} -> 0
		$ images --filter readonly=x -> 125
		  err: Error: non-boolean value "readonly" for x filter: strconv.ParseBool: parsing "x": invalid syntax
		$ images --filter label!=a --format {{.ID}} -> 0
		  out: <IMG>
		$ images --filter since=nosuch -> 125
		  err: Error: could not find local image for filter "since"="nosuch": nosuch: image not known
		$ images --filter bogus=1 -> 125
		  err: Error: invalid image filter "bogus": must be in the format "filter=value or filter!=value"
		$ images --format {{.ID}} {{.Repository}} -> 0
		  out: <IMG2> localhost/img2
		$ images -a --format {{.ID}} {{.Repository}} -> 0
		  out: <IMG2> localhost/img2
		  out: <IMG> <none>
		$ images --filter dangling=true --format {{.ID}} -> 0
		$ images --filter intermediate=true --format {{.ID}} -> 0
		  out: <IMG>
		$ images --filter intermediate=false --format {{.ID}} -> 0
		  out: <IMG2>
		$ images --filter containers=false --format {{.ID}} -> 0
		  out: <IMG2>
	EOF
	# The manifest digest, whole or a prefix, finds the image.
	local digest
	digest=$(f images --format '{{.Digest}}' localhost/img2)
	[ "$(f images --filter "digest=$digest" -q)" = "$(f images -q localhost/img2)" ]
	[ "$(f images --filter "digest=${digest:0:16}" -q)" = "$(f images -q localhost/img2)" ]
}

cleanup_sequence() {
	local t=$1
	ctr "$t" create c1 $IMG true
	ctr "$t" run r1 $IMG sleep 1000
	ctr "$t" create x1 $IMG true
	"$t" start -a x1
	step "$t" container cleanup
	step "$t" container cleanup nosuch
	step "$t" container cleanup c1 r1 x1
	step "$t" container cleanup -a c1
	step "$t" container cleanup --rm r1
	step "$t" container cleanup --rm x1
	step "$t" ps -a --format '{{.Names}} {{.State}}'
	step "$t" container cleanup --rm c1 nosuch
	step "$t" ps -a --format '{{.Names}} {{.State}}'
}

@test "container cleanup: names, --all, --rm, unknown and running containers, as Podman" {
	compare_with_podman cleanup_sequence <<-'EOF'
		$ container cleanup -> 125
		  err: Error: you must provide at least one name or id
		$ container cleanup nosuch -> 0
		$ container cleanup c1 r1 x1 -> 0
		  out: c1
		  out: r1
		  out: x1
		$ container cleanup -a c1 -> 125
		  err: Error: no arguments are needed with --all
		$ container cleanup --rm r1 -> 125
		  err: Error: failed to clean up and remove container <r1>: cannot remove container <r1> as it is running - running or paused containers cannot be removed without force: container state improper
		$ container cleanup --rm x1 -> 0
		  out: x1
		$ ps -a --format {{.Names}} {{.State}} -> 0
		  out: c1 created
		  out: r1 running
		$ container cleanup --rm c1 nosuch -> 0
		$ ps -a --format {{.Names}} {{.State}} -> 0
		  out: c1 created
		  out: r1 running
	EOF
}

@test "container cleanup: unmounts what a container whose monitor was killed left, once" {
	load_test_image
	f run -d --name r1 ferry-test sleep 1000 >/dev/null
	local conmon pid
	conmon=$(f inspect --format '{{.State.ConmonPid}}' r1)
	pid=$(f inspect --format '{{.State.Pid}}' r1)
	# The monitor goes first, so that nobody cleans up after the container.
	kill -STOP "$conmon"
	kill -9 "$pid"
	kill -9 "$conmon"
	wait_until "[ ! -e /proc/$pid ]"
	[ -n "$(grep -F " $ROOT/storage/overlay/" /proc/self/mountinfo)" ]
	run_ferry container cleanup -a
	assert_status 0
	[ "$output" = "$(f inspect --format '{{.Id}}' r1)" ]
	[ -z "$(grep -F " $ROOT/storage/overlay/" /proc/self/mountinfo)" ]
	[ "$(f inspect --format '{{.State.Status}}' r1)" = exited ]
	# Again: nothing left to do, and nothing goes wrong.
	run_ferry container cleanup r1
	assert_status 0
	[ "$output" = r1 ]
	# --rm --rmi: the container and then its image go.
	run_ferry container cleanup --rm --rmi r1
	assert_status 0
	[ -z "$(f ps -aq)" ]
	[ -z "$(f images -q)" ]
}

intermediate_sequence() {
	local t=$1
	ctr "$t" create c1 $IMG true
	"$t" commit -q c1 localhost/img2 | img_sed IMG2 >>"$TEST_TMP/$t.sed"
	"$t" rm c1 >/dev/null
	"$t" untag $IMG
	step "$t" images -a --format '{{.ID}} {{.Repository}} {{.Dangling}}'
	step "$t" system prune -f
	step "$t" image prune -f
	"$t" untag localhost/img2
	step "$t" images -a --format '{{.ID}} {{.Dangling}}'
	# --external: no external container holds either image.
	step "$t" image prune -f --external
	step "$t" images -a --format '{{.ID}}'
}

@test "an intermediate image (the unnamed base of another) is not dangling: prunes keep it until its child goes" {
	compare_with_podman intermediate_sequence <<-'EOF'
		$ images -a --format {{.ID}} {{.Repository}} {{.Dangling}} -> 0
		  out: <IMG2> localhost/img2 false
		  out: <IMG> <none> false
		$ system prune -f -> 0
		  out: Total reclaimed space: 0B
		$ image prune -f -> 0
		$ images -a --format {{.ID}} {{.Dangling}} -> 0
		  out: <IMG2> true
		  out: <IMG> false
		$ image prune -f --external -> 0
		  out: <IMG2>
		  out: <IMG>
		$ images -a --format {{.ID}} -> 0
	EOF
}
