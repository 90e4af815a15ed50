#!/usr/bin/env bats
# OCI hooks (oci-hooks(5)) from the global --hooks-dir and containers.conf's
# hooks_dir, as Podman 5.4 reads them: each stage, the when conditions, the
# order and masking of files, bad files, poststop at cleanup, checkpoint
# and restore, and that a checkpoint archive never brings hooks of its own.
# The hooks are shell scripts in the test's directory that log to a file
# there.  Each test checks ferry, then, where Podman is installed, Podman
# for the same thing.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

podman_hooks_for_every_test

# $TEST_TMP/hook: logs its first argument, the status of the state on its
# standard input and $HOOKVAR to $TEST_TMP/hooks.log.
make_hook() {
	cat >"$TEST_TMP/hook" <<-EOF
		#!/bin/sh
		st=\$(cat)
		st=\${st#*\"status\":\"}
		echo "\$1 \${st%%\"*} \${HOOKVAR:-}" >>"$TEST_TMP/hooks.log"
	EOF
	chmod +x "$TEST_TMP/hook"
	: >"$TEST_TMP/hooks.log"
}

# hook_file DIR NAME STAGES WHEN [ARG]: DIR/NAME.json, a hook of
# $TEST_TMP/hook logging ARG (default NAME) at STAGES (a JSON list) when
# WHEN (a JSON object).
hook_file() {
	mkdir -p "$1"
	printf '{"version": "1.0.0", "hook": {"path": "%s", "args": ["hook", "%s"], "env": ["HOOKVAR=v"]}, "when": %s, "stages": %s}\n' \
		"$TEST_TMP/hook" "${5:-$2}" "$4" "$3" >"$1/$2.json"
}

# The hooks that ran since the last look, on one line; the log emptied.
ran() {
	tr '\n' ' ' <"$TEST_TMP/hooks.log" | sed 's/ $//'
	: >"$TEST_TMP/hooks.log"
}

# Each of the tools in turn: ferry (f), then Podman where installed.
tools() {
	echo f
	if command -v podman >/dev/null; then
		echo podman_t
	fi
}

load_both() {
	load_test_image
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
	fi
}

@test "hooks: every stage runs, with its state, arguments and environment; --hooks-dir is global" {
	make_hook
	load_both
	local s t
	for s in createRuntime prestart createContainer poststart poststop; do
		hook_file "$TEST_TMP/h" "$s" "[\"$s\"]" '{"always": true}'
	done
	# startContainer runs in the container: its program must be there.
	hook_file "$TEST_TMP/in" startContainer '["startContainer"]' '{"always": true}'
	for t in $(tools); do
		"$t" --hooks-dir "$TEST_TMP/h" run --rm ferry-test true
		# prestart goes in as a createRuntime hook, in file name order.
		[ "$(ran)" = "createRuntime creating v prestart creating v createContainer creating v poststart created v poststop stopped v" ]
		# After the command too, as Podman's global flags.
		"$t" run --rm --hooks-dir "$TEST_TMP/in" -v "$TEST_TMP:$TEST_TMP" ferry-test true
		[ "$(ran)" = "startContainer created v" ]
		# Without the flag: the default directory, none here.
		"$t" run --rm ferry-test true
		[ "$(ran)" = "" ]
	done
	# In the runtime's spec, as Podman puts them: prestart among createRuntime.
	f --hooks-dir "$TEST_TMP/h" create --name c ferry-test true >/dev/null
	f --hooks-dir "$TEST_TMP/h" init c >/dev/null
	[ "$(python3 -c 'import json,sys; h = json.load(open(sys.argv[1]))["hooks"]; print(sorted(h), [x["args"][1] for x in h["createRuntime"]])' \
		"$RUNROOT/containers/$(f inspect --format '{{.Id}}' c)/config.json")" = "['createContainer', 'createRuntime', 'poststart'] ['createRuntime', 'prestart']" ]
	# As with Podman (conmon's doing, through runc), poststart too.
	[ "$(ran)" = "createRuntime creating v prestart creating v createContainer creating v poststart created v" ]
	f rm -f c >/dev/null
	[ "$(ran)" = "poststop stopped v" ]
}

@test "hooks: when always, annotations, commands and hasBindMounts combine as Podman's" {
	make_hook
	load_both
	local h=$TEST_TMP/w t
	hook_file "$h" always '["createRuntime"]' '{"always": true}'
	hook_file "$h" never '["createRuntime"]' '{"always": false}'
	hook_file "$h" empty '["createRuntime"]' '{}'
	hook_file "$h" bind '["createRuntime"]' '{"hasBindMounts": true}'
	hook_file "$h" nobind '["createRuntime"]' '{"hasBindMounts": false}'
	hook_file "$h" ann '["createRuntime"]' '{"annotations": {"^a.*": "^v$"}}'
	hook_file "$h" ann2 '["createRuntime"]' '{"annotations": {"^a.*": "^v$", "^b$": "x"}}'
	hook_file "$h" cmdsh '["createRuntime"]' '{"commands": ["^sh$"]}'
	hook_file "$h" cmdtrue '["createRuntime"]' '{"commands": ["tru"]}'
	hook_file "$h" cmdpath '["createRuntime"]' '{"commands": ["^/"]}'
	hook_file "$h" off_cmd '["createRuntime"]' '{"always": false, "commands": ["tru"]}'
	hook_file "$h" ann_cmd '["createRuntime"]' '{"annotations": {"^a1$": "v"}, "commands": ["tru"]}'
	hook_file "$h" ann_nocmd '["createRuntime"]' '{"annotations": {"^a1$": "v"}, "commands": ["zzz"]}'
	hook_file "$h" Upper '["createRuntime"]' '{"always": true}'
	for t in $(tools); do
		: >"$TEST_TMP/$t.log"
		while read -r args; do
			# shellcheck disable=SC2086
			"$t" --hooks-dir "$h" run --rm $args >/dev/null
			echo "$args: $(ran)" >>"$TEST_TMP/$t.log"
		done <<-EOF
			ferry-test true
			--annotation a1=v ferry-test true
			--annotation a1=v --annotation b=xyz ferry-test sh -c true
			-v $h:/mnt ferry-test /bin/true
			--tmpfs /mnt ferry-test true
			--mount type=tmpfs,dst=/mnt ferry-test true
			--entrypoint /bin/sh ferry-test -c true
		EOF
		sed -i 's/ creating v//g' "$TEST_TMP/$t.log"
		diff -u - "$TEST_TMP/$t.log" <<-EOF
			ferry-test true: always cmdtrue Upper
			--annotation a1=v ferry-test true: always ann ann_cmd cmdtrue Upper
			--annotation a1=v --annotation b=xyz ferry-test sh -c true: always ann ann2 cmdsh Upper
			-v $h:/mnt ferry-test /bin/true: always bind cmdpath cmdtrue Upper
			--tmpfs /mnt ferry-test true: always bind cmdtrue Upper
			--mount type=tmpfs,dst=/mnt ferry-test true: always bind cmdtrue Upper
			--entrypoint /bin/sh ferry-test -c true: always cmdpath Upper
		EOF
	done
}

@test "hooks: files of the deprecated 0.1.0 schema, whose conditions are alternatives" {
	make_hook
	load_both
	local l=$TEST_TMP/l t
	mkdir -p "$l"
	printf '{"hook": "%s", "arguments": ["a-none"], "stages": ["createRuntime"]}' "$TEST_TMP/hook" >"$l/a.json"
	printf '{"hook": "%s", "arguments": ["b-cmd"], "cmds": ["^zzz$"], "hasbindmounts": true, "stages": ["createRuntime"]}' \
		"$TEST_TMP/hook" >"$l/b.json"
	printf '{"version": "0.1.0", "hook": "%s", "arguments": ["c-ann"], "annotations": ["^v1$", "^v2$"], "stage": ["createRuntime"]}' \
		"$TEST_TMP/hook" >"$l/c.json"
	printf '{"hook": "%s", "arguments": ["d-cmd"], "cmds": ["tru"], "stages": ["createRuntime"]}' "$TEST_TMP/hook" >"$l/d.json"
	printf '{"hook": "%s", "arguments": ["e-ann"], "annotations": ["^v1$"], "hasbindmounts": false, "stages": ["createRuntime"]}' \
		"$TEST_TMP/hook" >"$l/e.json"
	for t in $(tools); do
		: >"$TEST_TMP/$t.log"
		while read -r args; do
			# shellcheck disable=SC2086
			"$t" --hooks-dir "$l" run --rm $args >/dev/null
			echo "$args: $(ran | sed 's/ creating//g' | tr -s ' ' | sed 's/ $//')" >>"$TEST_TMP/$t.log"
		done <<-EOF
			ferry-test true
			-v $l:/mnt ferry-test true
			--annotation k=v1 ferry-test true
			--annotation k=v2 ferry-test sh -c true
		EOF
		# The hook's path comes first in its arguments.
		diff -u - "$TEST_TMP/$t.log" <<-EOF
			ferry-test true: d-cmd
			-v $l:/mnt ferry-test true: b-cmd d-cmd
			--annotation k=v1 ferry-test true: c-ann d-cmd e-ann
			--annotation k=v2 ferry-test sh -c true: c-ann
		EOF
		printf '{"hook": "%s", "cmds": ["tru"], "cmd": ["x"], "stages": ["createRuntime"]}' "$TEST_TMP/hook" >"$l/z.json"
		run "$t" --hooks-dir "$l" run --rm ferry-test true
		[ "$status" = 126 ]
		[ "$output" = "Error: setting up OCI Hooks: parsing hook \"$l/z.json\": : cannot set both 'cmd' and 'cmds'" ]
		rm "$l/z.json"
	done
}

@test "hooks: a later directory masks a file of the same name; containers.conf's hooks_dir, which --hooks-dir replaces" {
	make_hook
	load_both
	local t
	hook_file "$TEST_TMP/a" 10-x '["createRuntime"]' '{"always": true}' a-x
	hook_file "$TEST_TMP/a" 20-y '["createRuntime"]' '{"always": true}' a-y
	hook_file "$TEST_TMP/b" 10-x '["createRuntime"]' '{"always": true}' b-x
	hook_file "$TEST_TMP/b" 05-z '["createRuntime"]' '{"always": true}' b-z
	hook_file "$TEST_TMP/c" 00-c '["createRuntime"]' '{"always": true}' c
	for t in $(tools); do
		"$t" --hooks-dir "$TEST_TMP/a" --hooks-dir "$TEST_TMP/b" run --rm ferry-test true
		[ "$(ran)" = "b-z creating v b-x creating v a-y creating v" ]
		"$t" --hooks-dir "$TEST_TMP/b" --hooks-dir "$TEST_TMP/a" run --rm ferry-test true
		[ "$(ran)" = "b-z creating v a-x creating v a-y creating v" ]
	done
	# Under the [engine] of podman_file_locks.
	tail -n2 "$CONTAINERS_CONF" | grep -qx '\[engine\]'
	printf 'hooks_dir = ["%s", "%s"]\n' "$TEST_TMP/a" "$TEST_TMP/b" >>"$CONTAINERS_CONF"
	for t in $(tools); do
		"$t" run --rm ferry-test true
		[ "$(ran)" = "b-z creating v b-x creating v a-y creating v" ]
		"$t" --hooks-dir "$TEST_TMP/c" run --rm ferry-test true
		[ "$(ran)" = "c creating v" ]
	done
}

@test "hooks: a bad hook file stops the start in Podman's words; what Podman passes over, ferry does" {
	make_hook
	load_both
	local d=$TEST_TMP/bad t content why rc
	mkdir -p "$d"
	for t in $(tools); do
		while IFS='|' read -r content why; do
			rm -f "$d"/*
			printf '%s' "$content" >"$d/x.json"
			rc=0
			"$t" --hooks-dir "$d" run --rm ferry-test true >"$TEST_TMP/out" 2>&1 || rc=$?
			[ "$rc" = 126 ]
			output=$(cat "$TEST_TMP/out")
			assert_one_line_error
			[ "$output" = "Error: setting up OCI Hooks: ${why//@/$d/x.json}" ] ||
				{ [[ "$why" = *regexp* ]] && [[ "$output" = "Error: setting up OCI Hooks: ${why%%: error*}: error parsing regexp: "* ]]; }
		done <<-EOF
			{|parsing hook "@": version check: unexpected end of JSON input
			{"version": "2"}|parsing hook "@": unrecognized hook version: "2"
			{"version": "1.0.0", "hook": {"path": "$TEST_TMP/hook"}, "when": {"always": true}, "stages": ["bogus"]}|unknown stage "bogus"
			{"version": "1.0.0", "hook": {}, "when": {"always": true}, "stages": ["prestart"]}|missing required property: hook.path
			{"version": "1.0.0", "hook": {"path": "$TEST_TMP/hook"}, "when": {"always": true}}|missing required property: stages
			{"version": "1.0.0", "hook": {"path": "$TEST_TMP/hook"}, "when": {"commands": ["("]}, "stages": ["prestart"]}|invalid command "(": error parsing regexp
			{"version": "1.0.0", "hook": {"path": "$TEST_TMP/hook"}, "when": {"annotations": {"(": "a"}}, "stages": ["prestart"]}|invalid annotation key "(": error parsing regexp
		EOF
		# A start says which container; the container stays created.
		printf '{' >"$d/x.json"
		"$t" create --name kept ferry-test true >/dev/null
		run "$t" --hooks-dir "$d" start kept
		[ "$status" = 125 ]
		[ "$output" = "Error: unable to start container \"$("$t" inspect --format '{{.Id}}' kept)\": setting up OCI Hooks: parsing hook \"$d/x.json\": version check: unexpected end of JSON input" ]
		[ "$("$t" inspect --format '{{.State.Status}}' kept)" = created ]
		"$t" rm kept >/dev/null
		# Not a directory.
		run "$t" --hooks-dir "$TEST_TMP/hook" run --rm ferry-test true
		[ "$status" = 126 ]
		[ "$output" = "Error: setting up OCI Hooks: open $TEST_TMP/hook: not a directory" ]
		# Passed over: a directory that is not there, a name not ending in
		# .json, a dangling link, a hook whose program is not there, a hook
		# with no condition.
		rm -f "$d"/*
		echo '{' >"$d/notes.txt"
		ln -s "$TEST_TMP/nowhere" "$d/link.json"
		printf '{"version": "1.0.0", "hook": {"path": "%s"}, "when": {"always": true}, "stages": ["prestart"]}' \
			"$TEST_TMP/nowhere" >"$d/gone.json"
		hook_file "$d" nocondition '["createRuntime"]' '{}'
		hook_file "$d" ok '["createRuntime"]' '{"always": true}'
		"$t" --hooks-dir "$TEST_TMP/nowhere" --hooks-dir "$d" run --rm ferry-test true
		[ "$(ran)" = "ok creating v" ]
		# An empty directory name stops every command.
		run "$t" --hooks-dir "" ps
		[ "$status" = 125 ]
		[ "$output" = "Error: configuring runtime: empty-string hook directories are not supported: invalid argument" ]
	done
}

@test "hooks: poststop hooks kept from the start run once, at conmon's cleanup, even with their file gone" {
	make_hook
	load_both
	local t
	hook_file "$TEST_TMP/h" poststop '["poststop"]' '{"always": true}'
	hook_file "$TEST_TMP/h" precreate '["precreate"]' '{"commands": ["^nothing$"]}'
	for t in $(tools); do
		"$t" --hooks-dir "$TEST_TMP/h" run -d --name ps ferry-test sh -c 'sleep 1' >/dev/null
		mv "$TEST_TMP/h/poststop.json" "$TEST_TMP/poststop.json"
		wait_until "[ -s '$TEST_TMP/hooks.log' ]"
		wait_until "[ \"\$($t inspect --format '{{.State.Status}}' ps)\" = exited ]"
		[ "$(ran)" = "poststop stopped v" ]
		"$t" rm ps >/dev/null
		[ "$(ran)" = "" ]
		mv "$TEST_TMP/poststop.json" "$TEST_TMP/h/"
	done
	# The exit command needs no --hooks-dir: Podman's passes none.
	f --hooks-dir "$TEST_TMP/h" run -d --name ps ferry-test sleep 100 >/dev/null
	local pid
	pid=$(cat "$RUNROOT/containers/$(f inspect --format '{{.Id}}' ps)/conmon.pid")
	[ "$pid" -gt 0 ]
	tr '\0' '\n' <"/proc/$pid/cmdline" >"$TEST_TMP/conmon.args"
	grep -qx -- --exit-command-arg=cleanup "$TEST_TMP/conmon.args"
	! grep -q -- --exit-command-arg=--hooks-dir "$TEST_TMP/conmon.args" || false
	f stop -t 0 ps >/dev/null
	[ "$(ran)" = "poststop stopped v" ]
}

@test "hooks: a precreate hook rewrites the spec the runtime gets" {
	make_hook
	load_both
	local t
	cat >"$TEST_TMP/filter" <<-'EOF'
		#!/bin/sh
		sed 's/"env":\[/"env":["FILTERED=yes",/'
	EOF
	chmod +x "$TEST_TMP/filter"
	mkdir -p "$TEST_TMP/h"
	printf '{"version": "1.0.0", "hook": {"path": "%s"}, "when": {"always": true}, "stages": ["precreate"]}' \
		"$TEST_TMP/filter" >"$TEST_TMP/h/f.json"
	for t in $(tools); do
		# shellcheck disable=SC2016
		[ "$("$t" --hooks-dir "$TEST_TMP/h" run --rm ferry-test sh -c 'echo $FILTERED')" = yes ]
	done
}

@test "hooks: checkpoint and restore, in place and on another root, get the restoring ferry's hooks" {
	make_hook
	load_test_image
	local s
	for s in createRuntime prestart createContainer poststart poststop; do
		hook_file "$TEST_TMP/a" "$s" "[\"$s\"]" '{"always": true}' "a-$s"
		hook_file "$TEST_TMP/b" "$s" "[\"$s\"]" '{"always": true}' "b-$s"
	done
	f --hooks-dir "$TEST_TMP/a" run -d --name c ferry-test sh -c "$COUNTER" >/dev/null
	[ "$(ran)" = "a-createRuntime creating v a-prestart creating v a-createContainer creating v a-poststart created v" ]
	f container checkpoint c >/dev/null
	# The container stopped: its poststop hooks ran, as with Podman.
	[ "$(ran)" = "a-poststop stopped v" ]
	# runc's restore runs the createRuntime hooks (prestart among them).
	f --hooks-dir "$TEST_TMP/a" container restore c >/dev/null
	[ "$(ran)" = "a-createRuntime stopped v a-prestart stopped v" ]
	[ "$(ctr_status c)" = running ]
	# Restored without --hooks-dir: none, whatever it ran with before.
	f container checkpoint c >/dev/null
	[ "$(ran)" = "a-poststop stopped v" ]
	f container restore c >/dev/null
	[ "$(ran)" = "" ]
	f container checkpoint --export "$TEST_TMP/c.tar" -c none c >/dev/null
	# Another root: its own hooks, not the first one's.
	fb load -q -i "$(ferry_test_image)"
	fb --hooks-dir "$TEST_TMP/b" container restore --import "$TEST_TMP/c.tar" >/dev/null
	[ "$(ran)" = "b-createRuntime stopped v b-prestart stopped v" ]
	n=$(last_count c fb)
	wait_until "[ \"\$(last_count c fb)\" -gt $n ]"
	fb rm -f -t 0 c >/dev/null
	[ "$(ran)" = "b-poststop stopped v" ]
}

@test "hooks: a checkpoint archive that carries hooks makes the restoring host run none of them" {
	make_hook
	load_test_image
	mkdir -p "$TEST_TMP/none"
	f run -d --name c ferry-test sh -c "$COUNTER" >/dev/null
	f container checkpoint --export "$TEST_TMP/c.tar" -c none c >/dev/null
	f rm -f c >/dev/null
	# What an attacker would write: hooks of every stage in spec.dump, and
	# an annotation in the record.
	local h="{\"path\": \"$TEST_TMP/hook\", \"args\": [\"hook\", \"archive\"]}"
	rewrite_archive "$TEST_TMP/c.tar" "$TEST_TMP/evil.tar" "
for i, (m, data) in enumerate(members):
    if m.name == 'spec.dump':
        spec = json.loads(data)
        spec['hooks'] = {s: [json.loads('''$h''')] for s in ('prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop')}
        members[i] = (m, json.dumps(spec).encode())
    if m.name == 'config.dump':
        rec = json.loads(data)
        rec.setdefault('Annotations', {})['io.ferry.hooks'] = 'x'
        members[i] = (m, json.dumps(rec).encode())
"
	fb load -q -i "$(ferry_test_image)"
	fb --hooks-dir "$TEST_TMP/none" container restore --import "$TEST_TMP/evil.tar" >/dev/null
	[ "$(fb inspect --format '{{.State.Status}}' c)" = running ]
	n=$(last_count c fb)
	wait_until "[ \"\$(last_count c fb)\" -gt $n ]"
	# The runtime's spec has no hooks at all.
	grep -q '"process"' "$TEST_TMP/runB/containers/$(fb inspect --format '{{.Id}}' c)/config.json"
	! grep -q '"hooks"' "$TEST_TMP/runB/containers/$(fb inspect --format '{{.Id}}' c)/config.json" || false
	fb rm -f -t 0 c >/dev/null
	[ "$(ran)" = "" ]
	# Podman's export of a container that ran with hooks carries them in
	# its spec.dump, and Podman's own restore runs them; ferry's runs only
	# its own directories' (here none).
	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	hook_file "$TEST_TMP/p" createRuntime '["createRuntime"]' '{"always": true}' podman-hook
	podman_t --hooks-dir "$TEST_TMP/p" run -d --name pc --network none ferry-test sh -c "$COUNTER" >/dev/null
	podman_t container checkpoint --export "$TEST_TMP/pc.tar" -c none pc >/dev/null
	[ "$(ran)" = "podman-hook creating v" ]
	tar -xOf "$TEST_TMP/pc.tar" spec.dump | grep -q podman-hook
	f --hooks-dir "$TEST_TMP/none" container restore --import "$TEST_TMP/pc.tar" >/dev/null
	[ "$(ctr_status pc)" = running ]
	[ "$(ran)" = "" ]
	podman_t rm -f -t 0 pc >/dev/null
	podman_t container restore --import "$TEST_TMP/pc.tar" >/dev/null
	[ "$(ran)" = "podman-hook stopped v" ]
}
