#!/usr/bin/env bats
# Podman's own system tests of its help (015-help), its terminals
# (450-interactive) and its signal proxy (032-sig-proxy), read as a
# checklist of behaviours and tried on both tools: where ferry differed,
# the fix is pinned here.  The argument errors of the commands both
# have, named by the path the user typed; help of an unknown topic; the
# bare command; usage lines under another name of a command; the
# terminal's size a -t container starts with; load from a terminal;
# run -it without a terminal.  Each test checks ferry on its own, then,
# where Podman is installed, compares with what Podman does.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers
load pty-helpers

audit_hooks_for_every_test

# TOOL $1 with each argument list of stdin and no input: the arguments,
# the exit code, the first line of the error and the help it points to,
# the tool's name as TOOL.
arg_errors() {
	local t=$1 args rc
	while read -r args; do
		rc=0
		# shellcheck disable=SC2086
		"$t" $args </dev/null >/dev/null 2>"$TEST_TMP/err" || rc=$?
		echo "$args -> $rc $(grep -m1 '^Error' "$TEST_TMP/err" | sed -E 's/(podman|ferry)/TOOL/g')$(grep -m1 \
			"^See " "$TEST_TMP/err" | sed -E 's/^/ | /; s/(podman|ferry)/TOOL/g')"
	done
}

# The argument lists of the first test: commands reached by another
# path than the one their code is shared with, and counts of arguments
# that Podman's parser words for itself.
ARG_CASES='container attach
container attach x0 x1
container diff
container wait
container ls x0
system info x0
system events x0
events x0
image load x0
load x0
network ls x0
network reload -l x0
network reload -a x0
pull
image pull
push
push x0 x1 x2
image push
help NoSuchCommand
container
container NoSuchCommand
container clone
container clone x0 x1 x2 x3
container create --bogus
container ls --bogus
rmi -x
container run -e'

# Each line of file $2 (ferry's) begins with the line of file $1 (Podman's):
# ferry adds what to do after Podman's words.
begins_with_lines() {
	paste -d '\n' "$1" "$2" | awk 'NR % 2 == 1 { p = $0; next }
		substr($0, 1, length(p)) != p { print "podman: " p; print "ferry:  " $0; bad = 1 }
		END { exit bad }'
}

@test "argument errors name the command as typed, under Podman's name, and start with Podman's words" {
	printf '%s\n' "$ARG_CASES" | arg_errors f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		container attach -> 125 Error: "TOOL container attach" requires a name, id, or the "--latest" flag
		container attach x0 x1 -> 125 Error: `TOOL container attach` accepts at most one argument
		container diff -> 125 Error: "TOOL container diff" requires a name, id, or the "--latest" flag
		container wait -> 125 Error: "TOOL container wait" requires a name, id, or the "--latest" flag
		container ls x0 -> 125 Error: `TOOL container list` takes no arguments
		system info x0 -> 125 Error: `TOOL system info` takes no arguments
		system events x0 -> 125 Error: `TOOL system events` takes no arguments
		events x0 -> 125 Error: `TOOL events` takes no arguments
		image load x0 -> 125 Error: `TOOL image load` takes no arguments
		load x0 -> 125 Error: `TOOL load` takes no arguments
		network ls x0 -> 125 Error: `TOOL network ls` takes no arguments
		network reload -l x0 -> 125 Error: --latest and containers cannot be used together
		network reload -a x0 -> 125 Error: no arguments are needed with --all
		pull -> 125 Error: requires at least 1 arg(s), only received 0
		image pull -> 125 Error: requires at least 1 arg(s), only received 0
		push -> 125 Error: accepts between 1 and 2 arg(s), received 0
		push x0 x1 x2 -> 125 Error: accepts between 1 and 2 arg(s), received 3
		image push -> 125 Error: accepts between 1 and 2 arg(s), received 0
		help NoSuchCommand -> 0 
		container -> 125 Error: missing command 'TOOL container COMMAND'
		container NoSuchCommand -> 125 Error: unrecognized command `TOOL container NoSuchCommand`
		container clone -> 125 Error: accepts between 1 and 3 arg(s), received 0
		container clone x0 x1 x2 x3 -> 125 Error: accepts between 1 and 3 arg(s), received 4
		container create --bogus -> 125 Error: unknown flag: --bogus | See 'TOOL container create --help'
		container ls --bogus -> 125 Error: unknown flag: --bogus | See 'TOOL container list --help'
		rmi -x -> 125 Error: unknown shorthand flag: 'x' in -x | See 'TOOL rmi --help'
		container run -e -> 125 Error: flag needs an argument: 'e' in -e | See 'TOOL container run --help'
	EOF
	begins_with_lines "$TEST_TMP/expected" "$TEST_TMP/f.out"
	# ferry's own commands word a count of arguments as Podman's parser
	# does.
	printf '%s\n' "archive inspect" "archive inspect x0 x1" "container migrate x0" | arg_errors f >"$TEST_TMP/f.own"
	cat >"$TEST_TMP/expected" <<-'EOF'
		archive inspect -> 125 Error: accepts 1 arg(s), received 0
		archive inspect x0 x1 -> 125 Error: accepts 1 arg(s), received 2
		container migrate x0 -> 125 Error: accepts 2 arg(s), received 1
	EOF
	begins_with_lines "$TEST_TMP/expected" "$TEST_TMP/f.own"

	need_podman
	printf '%s\n' "$ARG_CASES" | arg_errors podman_t >"$TEST_TMP/p.out"
	begins_with_lines "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1's help of unknown topics, of a command with words after it,
# and the bare tool: exit code, the first line of standard error, and
# what standard output holds.
help_topics() {
	local t=$1 args rc
	for args in "help nosuch" "help nosuch run" "help run busybox" ""; do
		rc=0
		# shellcheck disable=SC2086
		"$t" $args >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
		echo "[$args] -> $rc err: $(grep -v '^time=' "$TEST_TMP/err" | head -n1 | sed -E 's/(podman|ferry)/TOOL/g')" \
			"out: $([ -s "$TEST_TMP/out" ] && echo usage || echo none)"
		# The bare tool ends its standard error with the error.
		[ -z "$args" ] && echo "  last: $(tail -n1 "$TEST_TMP/err" | sed -E 's/(podman|ferry)/TOOL/g')"
	done
}

@test "help of an unknown topic says so with the usage and exits 0, help leaves out words after a command, and the bare tool prints its usage then the error, as Podman's" {
	help_topics f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		[help nosuch] -> 0 err: Unknown help topic [`nosuch`] out: none
		[help nosuch run] -> 0 err: Unknown help topic [`nosuch` `run`] out: none
		[help run busybox] -> 0 err:  out: usage
		[] -> 125 err: Error: missing command 'TOOL COMMAND' out: usage
		  last: Error: missing command 'TOOL COMMAND'
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"
	# help run busybox is run's help, never a run.
	[ "$(MANPATH=$TEST_TMP/noman "$FERRY_BIN" help run busybox)" = "$("$FERRY_BIN" run --help)" ]

	need_podman
	help_topics podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# The command words of TOOL $1's usage line for the command "$2...": the
# words after the tool's name up to the first option or argument.
usage_words() {
	local t=$1
	shift
	"$t" "$@" --help 2>/dev/null | awk '
		/^Usage:/ { u = 1; sub(/^Usage:[ ]*/, ""); if ($0 == "") next }
		u { sub(/^[ ]+/, ""); line = $0; exit }
		END {
			n = split(line, w, " ")
			for (i = 2; i <= n && w[i] ~ /^[a-z][a-z0-9-]*$/; i++) s = s " " w[i]
			print substr(s, 2)
		}'
}

@test "a usage line names the command as typed, under Podman's name, not the command it shares code with" {
	local cmd
	for cmd in "container attach" "container run" "container stop" "container ls" "system info" \
		"system events" "image load" rmi history "image pull"; do
		# shellcheck disable=SC2086
		echo "$cmd: $(usage_words f $cmd)"
	done >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		container attach: container attach
		container run: container run
		container stop: container stop
		container ls: container list
		system info: system info
		system events: system events
		image load: image load
		rmi: rmi
		history: history
		image pull: image pull
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"

	need_podman
	for cmd in "container attach" "container run" "container stop" "container ls" "system info" \
		"system events" "image load" rmi history "image pull"; do
		# shellcheck disable=SC2086
		echo "$cmd: $(usage_words podman_t $cmd)"
	done >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1 on a terminal of 30 rows and 100 columns (ptydrive.py): what
# stty size says at once in run -it, and in start -ai of a created -t
# container, and what load says there.
terminal_seq() {
	local t=$1 argv img=ferry-test
	argv=$(tool_argv "$t")
	[ "$t" = podman_t ] && img=$IMAGE
	# shellcheck disable=SC2086
	echo "run: $(python3 "$FERRY_SRC/tests/lib/ptydrive.py" 'sleep:0.1' -- $argv run -it --rm --network none \
		"$img" stty size | tr '\n' ' ')"
	"$t" create -t -i --name s1 --network none "$img" stty size >/dev/null
	# shellcheck disable=SC2086
	echo "start: $(python3 "$FERRY_SRC/tests/lib/ptydrive.py" 'sleep:0.1' -- $argv start -ai s1 | tr '\n' ' ')"
	# shellcheck disable=SC2086
	echo "load: $(python3 "$FERRY_SRC/tests/lib/ptydrive.py" 'sleep:0.1' -- $argv load | tr '\n' ' ')"
}

@test "a -t container's terminal has the caller's size before its process starts, and load refuses a terminal in Podman's words" {
	IMAGE=localhost/ferry-test:latest
	load_test_image
	terminal_seq f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		run: b'30 100\r\n' rc=0 
		start: b'30 100\r\n' rc=0 
		load: b'Error: cannot read from terminal, use command-line redirection or the --input flag\r\n' rc=125 
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	terminal_seq podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1 runs and creates -t and -i containers with no terminal on
# standard input: each command, its exit code, its output and its
# warnings, time left out.
no_terminal_seq() {
	local t=$1 img=ferry-test args rc
	[ "$t" = podman_t ] && img=localhost/ferry-test:latest
	for args in "run -t -i --rm" "run -d -t -i" "run --tty=false -i --rm" "run -t -i=false --rm" "create -t -i"; do
		rc=0
		# shellcheck disable=SC2086
		"$t" $args --network none "$img" echo hello </dev/null >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
		[[ $args == *-d* || $args == create* ]] && : >"$TEST_TMP/out"
		echo "$args -> $rc out: $(tr -d '\r' <"$TEST_TMP/out") err: $(sed 's/^time="[^"]*" //' "$TEST_TMP/err")"
	done
}

@test "run with -t and -i warns when its standard input is no terminal, detached too, and create does not, as Podman's" {
	load_test_image
	no_terminal_seq f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		run -t -i --rm -> 0 out: hello err: level=warning msg="The input device is not a TTY. The --tty and --interactive flags might not work properly"
		run -d -t -i -> 0 out:  err: level=warning msg="The input device is not a TTY. The --tty and --interactive flags might not work properly"
		run --tty=false -i --rm -> 0 out: hello err: 
		run -t -i=false --rm -> 0 out: hello err: 
		create -t -i -> 0 out:  err: 
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	no_terminal_seq podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# The commands of TOOL $1 (f or podman_t) and their subcommands, one a
# line, as its --help lists them: ferry's "Commands:", Podman's
# "Available Commands:".
all_commands() {
	local t=$1 c
	shift
	for c in $("$t" "$@" --help 2>/dev/null | awk '/^(Available )?Commands:/ { f = 1; next } /^$/ { f = 0 } f && NF { print $1 }'); do
		[ "$c" = help ] && continue
		echo "$* $c" | sed 's/^ //'
		all_commands "$t" "$@" $c
	done
}

# What is wrong with the usage of each command of stdin for TOOL $1 (f or
# podman_t, shown as $2), by the rules of Podman's help test: "Usage:",
# then a synopsis naming the command; "[options]" in lower case, before
# the arguments, exactly when the help has an "Options:" section; the
# arguments' names in upper case, the optional ones after the others.
usage_problems() {
	local t=$1 name=$2 full usage path
	while read -r path; do
		# shellcheck disable=SC2086
		full=$("$t" $path --help 2>&1)
		usage=$(grep -A1 '^Usage:' <<<"$full" | tail -n1)
		# Podman's list commands are named list, ferry's ls too.
		path=$(sed -E 's/^(container|image|system connection) ls$/\1 list/' <<<"$path")
		if [[ "$usage " != "  $name $path "* ]]; then
			echo "$path: synopsis [$usage]"
			continue
		fi
		usage=${usage#"  $name $path"}
		usage=${usage# }
		[[ $usage == "[command]" ]] && continue
		[[ $usage =~ \[OPTION ]] && echo "$path: [OPTIONS] in upper case"
		[[ $usage =~ [A-Z].*\[option ]] && echo "$path: [options] after an argument"
		if [[ $usage == "[options]"* ]]; then
			usage=${usage#"[options]"}
			usage=${usage# }
			grep -q '^Options:' <<<"$full" || echo "$path: [options] without Options:"
		elif grep -q '^Options:' <<<"$full"; then
			echo "$path: Options: without [options]"
		fi
		[[ $usage =~ [a-z] ]] && echo "$path: an argument in lower case: $usage"
		if [[ $usage =~ \[.*\]\ [A-Z] ]]; then
			echo "$path: an optional argument before another: $usage"
		fi
	done
}

@test "every command's usage has the shape Podman's help test asks of Podman's, under the name typed" {
	all_commands f >"$TEST_TMP/f.cmds"
	[ "$(wc -l <"$TEST_TMP/f.cmds")" -gt 150 ]
	usage_problems f ferry <"$TEST_TMP/f.cmds" >"$TEST_TMP/f.out"
	diff -u /dev/null "$TEST_TMP/f.out"

	need_podman
	all_commands podman_t >"$TEST_TMP/p.cmds"
	# The commands both have: the same rules hold for Podman's usage, and
	# the synopses name the same command words.
	sort "$TEST_TMP/f.cmds" | comm -12 - <(sort "$TEST_TMP/p.cmds") >"$TEST_TMP/both"
	[ "$(wc -l <"$TEST_TMP/both")" -gt 150 ]
	usage_problems podman_t podman <"$TEST_TMP/both" >"$TEST_TMP/p.out"
	diff -u /dev/null "$TEST_TMP/p.out"
}

# The candidates ferry's bash completion offers for the words "$@" (the
# last one being completed), one a line, sorted.
ferry_completes() {
	# shellcheck source=/dev/null
	source "$FERRY_SRC/completions/bash/ferry"
	COMP_WORDS=("$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_ferry || true
	printf '%s\n' "${COMPREPLY[@]}" | grep . | sort -u || true
}

# The same of Podman's completion (its __completeNoDesc command), its
# directive and debugging lines left out.
podman_completes() {
	PODMAN_IGNORE_CGROUPSV1_WARNING=1 podman __completeNoDesc --root "$TEST_TMP/proot" --runroot "$TEST_TMP/prun" \
		--tmpdir "$TEST_TMP/ptmp" --network-config-dir "$TEST_TMP/pnet" --cgroup-manager cgroupfs \
		--events-backend none --runtime runc "$@" 2>/dev/null |
		grep -v -e '^:' -e '^Completion ended' -e '^\[Debug\]' | grep . | sort -u || true
}

# Containers in three states, an image under a second name, a volume and
# a secret, made with TOOL $1 (f or podman_t).
completion_objects() {
	local t=$1 img=ferry-test
	[ "$t" = podman_t ] && img=localhost/ferry-test:latest
	"$t" create --name created-cn --network none "$img" true >/dev/null
	"$t" run -d --name running-cn --network none "$img" sleep 1000 >/dev/null
	"$t" run --name exited-cn --network none "$img" true >/dev/null
	"$t" tag "$img" rimg:rtag
	"$t" volume create rvol >/dev/null
	echo s3cret >"$TEST_TMP/secret"
	"$t" secret create rsec "$TEST_TMP/secret" >/dev/null
}

# What TOOL $1's completion offers (ferry_completes or podman_completes)
# for each line of words, the word being completed last ('' when empty):
# the line, then the candidates on one line.  ID is the test image's ID.
completion_seq() {
	local how=$1 line
	local -a words
	while read -r line; do
		eval "words=($line)"
		echo "$line: $("$how" "${words[@]}" | tr '\n' ' ')"
	done <<-EOF
		artifact ''
		manifest ''
		system connection ''
		image trust ''
		stats ''
		commit exited-cn r
		rmi ${ID:0:2}
		cp ''
		export exited-cn ''
		container exists exited-cn ''
		volume exists rvol ''
		secret exists rsec ''
		secret rm ''
		volume rm ''
	EOF
}

@test "bash completion: the subcommands of every group, the objects each argument takes and nothing past the last, as Podman's completion offers them" {
	load_test_image
	completion_objects f
	ID=$(f image inspect --format '{{.Id}}' ferry-test | cut -c1-12)
	# No files of the working directory among cp's candidates.
	mkdir "$TEST_TMP/empty"
	cd "$TEST_TMP/empty"
	completion_seq ferry_completes >"$TEST_TMP/f.out"
	sed "s/${ID:0:2}\\b/ID2/; s/$ID/ID/" "$TEST_TMP/f.out" >"$TEST_TMP/f.shown"
	cat >"$TEST_TMP/expected" <<-'EOF'
		artifact '': add inspect ls pull push rm 
		manifest '': add annotate create exists inspect push remove rm 
		system connection '': add default list remove rename 
		image trust '': set show 
		stats '': running-cn 
		commit exited-cn r: rimg:rtag 
		rmi ID2: ID 
		cp '': created-cn: exited-cn: running-cn: 
		export exited-cn '': 
		container exists exited-cn '': 
		volume exists rvol '': 
		secret exists rsec '': 
		secret rm '': rsec 
		volume rm '': rvol 
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.shown"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	completion_objects podman_t
	completion_seq podman_completes >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}

# TOOL $1 clones a container onto another image (its third argument):
# what the copy shows of its image and command, and what it prints when
# run, beside a copy on the original's image.
clone_image_seq() {
	local t=$1 img=ferry-test
	[ "$t" = podman_t ] && img=localhost/ferry-test:latest
	"$t" run --name src --network none "$img" sh -c 'echo marked >/marker' >/dev/null
	"$t" commit -q src other:1 >/dev/null
	"$t" create --name c1 --network none -e A=1 "$img" sh -c 'cat /marker 2>/dev/null || echo unmarked' >/dev/null
	for args in "c1 c2 other:1" "c1 c3"; do
		# shellcheck disable=SC2086
		"$t" container clone $args >/dev/null
		set -- $args
		echo "clone $args: $("$t" inspect --format '{{.ImageName}} {{.Config.Cmd}}' "$2")" \
			"A=$("$t" inspect --format '{{range .Config.Env}}{{.}} {{end}}' "$2" | grep -o 'A=[^ ]*')" \
			"runs: $("$t" start -a "$2")"
	done
}

@test "container clone CONTAINER NAME IMAGE makes the copy on IMAGE with the original's command and settings, as Podman's" {
	load_test_image
	clone_image_seq f >"$TEST_TMP/f.out"
	cat >"$TEST_TMP/expected" <<-'EOF'
		clone c1 c2 other:1: localhost/other:1 [sh -c cat /marker 2>/dev/null || echo unmarked] A=A=1 runs: marked
		clone c1 c3: localhost/ferry-test:latest [sh -c cat /marker 2>/dev/null || echo unmarked] A=A=1 runs: unmarked
	EOF
	diff -u "$TEST_TMP/expected" "$TEST_TMP/f.out"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	clone_image_seq podman_t >"$TEST_TMP/p.out"
	diff -u "$TEST_TMP/p.out" "$TEST_TMP/f.out"
}
