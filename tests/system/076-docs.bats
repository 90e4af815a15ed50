#!/usr/bin/env bats
# The manual pages, `ferry help` and the bash and zsh completions: every command
# ferry's command tables hold (as `ferry --help` and `ferry GROUP --help`
# list them) has a page, every long option its --help lists is described
# there, and every page builds with scdoc without a word of complaint.

load helpers

MAN_SRC=$FERRY_SRC/docs/man

# The commands, as `ferry [GROUP] --help` lists them.
commands_of() {
	"$FERRY_BIN" "$@" --help | awk '/^Commands:/ { f = 1; next } /^$/ { f = 0 } f && NF { print $1 }'
}

# The scdoc source of man page $1 (ferry-container-rm), following links/.
page_source() {
	local page=$1 target
	if [ -f "$MAN_SRC/$page.1.scd" ]; then
		echo "$MAN_SRC/$page.1.scd"
	elif [ -f "$MAN_SRC/links/$page.1" ]; then
		target=$(sed -n 's|^\.so man1/\(.*\)\.1$|\1|p' "$MAN_SRC/links/$page.1")
		[ -n "$target" ] && [ -f "$MAN_SRC/$target.1.scd" ] && echo "$MAN_SRC/$target.1.scd"
	fi
}

# Checks that page $1 exists and names every long option of the --help text
# in $TEST_TMP/help (that of `ferry $2...`); appends what is wrong to
# $TEST_TMP/problems.
check_page() {
	local page=$1 src opt
	shift
	src=$(page_source "$page")
	if [ -z "$src" ]; then
		echo "ferry $*: no page $page (docs/man/$page.1.scd or docs/man/links/$page.1)" >>"$TEST_TMP/problems"
		return
	fi
	# The options the page names, each followed by a character that cannot
	# continue an option name, so that --read-only does not pass for
	# --read-only-tmpfs.
	grep -oE -- '--[a-z][a-z0-9-]*([^a-z0-9-]|$)' "$src" | sed 's/[^a-z0-9-]$//' | sort -u >"$TEST_TMP/described"
	for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' "$TEST_TMP/help" | sort -u | comm -23 - "$TEST_TMP/described"); do
		echo "ferry $*: ${src#"$FERRY_SRC"/} does not describe $opt" >>"$TEST_TMP/problems"
	done
}

@test "every command and subcommand has a man page describing every option its --help lists" {
	local cmd sub n=0
	: >"$TEST_TMP/problems"
	"$FERRY_BIN" --help >"$TEST_TMP/help"
	check_page ferry
	for cmd in $(commands_of); do
		"$FERRY_BIN" "$cmd" --help >"$TEST_TMP/help"
		check_page "ferry-$cmd" "$cmd"
		n=$((n + 1))
		if grep -q '^Commands:' "$TEST_TMP/help"; then
			for sub in $(commands_of "$cmd"); do
				"$FERRY_BIN" "$cmd" "$sub" --help >"$TEST_TMP/help"
				check_page "ferry-$cmd-$sub" "$cmd" "$sub"
				n=$((n + 1))
			done
		fi
	done
	cat "$TEST_TMP/problems"
	[ ! -s "$TEST_TMP/problems" ]
	# The tables were read: a --help that changed its shape must not pass
	# this test by listing nothing.
	[ "$n" -gt 60 ]
}

@test "every man page builds with scdoc without warnings, and meson builds each of them" {
	command -v scdoc >/dev/null || {
		echo "scdoc is missing: run scripts/install-deps.sh"
		return 1
	}
	local src page target
	: >"$TEST_TMP/problems"
	for src in "$MAN_SRC"/*.scd; do
		page=$(basename "$src" .scd)
		if ! scdoc <"$src" >/dev/null 2>"$TEST_TMP/err" || [ -s "$TEST_TMP/err" ]; then
			echo "$page: $(cat "$TEST_TMP/err")" >>"$TEST_TMP/problems"
		fi
		# scdoc names the page from its first line: it must be the file's.
		head -n1 "$src" | grep -qx "${page%.*}(${page##*.})" ||
			echo "$page: first line is not ${page%.*}(${page##*.})" >>"$TEST_TMP/problems"
		grep -qx "  '$page'," "$MAN_SRC/meson.build" ||
			echo "$page: not in docs/man/meson.build's pages" >>"$TEST_TMP/problems"
	done
	for page in $(sed -n "s/^  '\(.*\)',\$/\1/p" "$MAN_SRC/meson.build"); do
		[ -f "$MAN_SRC/$page.scd" ] || echo "docs/man/meson.build lists $page, which has no source" >>"$TEST_TMP/problems"
	done
	for target in "$MAN_SRC"/links/*; do
		[ -n "$(page_source "$(basename "$target" .1)")" ] ||
			echo "${target#"$FERRY_SRC"/} points at no page" >>"$TEST_TMP/problems"
	done
	cat "$TEST_TMP/problems"
	[ ! -s "$TEST_TMP/problems" ]
}

@test "ferry help COMMAND prints the command's usage when its man page is not installed" {
	mkdir -p "$TEST_TMP/noman/man1"
	MANPATH=$TEST_TMP/noman run "$FERRY_BIN" help run
	[ "$status" -eq 0 ]
	[ "$output" = "$("$FERRY_BIN" run --help)" ]
	MANPATH=$TEST_TMP/noman run "$FERRY_BIN" help container checkpoint
	[ "$status" -eq 0 ]
	[ "$output" = "$("$FERRY_BIN" container checkpoint --help)" ]
	# Every group's subcommands, and a group's group.
	for cmd in $(commands_of); do
		if "$FERRY_BIN" "$cmd" --help | grep -q '^Commands:'; then
			sub=$(commands_of "$cmd" | head -n1)
			MANPATH=$TEST_TMP/noman run "$FERRY_BIN" help "$cmd" "$sub"
			[ "$status" -eq 0 ]
			[ "$output" = "$("$FERRY_BIN" "$cmd" "$sub" --help)" ]
		fi
	done
	MANPATH=$TEST_TMP/noman run "$FERRY_BIN" help system connection add
	[ "$status" -eq 0 ]
	[ "$output" = "$("$FERRY_BIN" system connection add --help)" ]
	run "$FERRY_BIN" help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: ferry [GLOBAL OPTIONS] COMMAND"* ]]
	# An unknown topic, as Podman's help: said, with the usage, and no
	# error.
	run "$FERRY_BIN" help frobnicate
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Unknown help topic [\`frobnicate\`]" ]
	# An unknown subcommand of a group: the group's help, as Podman's
	# help container frobnicate.
	MANPATH=$TEST_TMP/noman run "$FERRY_BIN" help container frobnicate
	[ "$status" -eq 0 ]
	[ "$output" = "$("$FERRY_BIN" container --help)" ]
	# Words after a command that has no subcommands are left out, as
	# Podman's help leaves them: the command's help, never a run of it.
	MANPATH=$TEST_TMP/noman run "$FERRY_BIN" help run busybox
	[ "$status" -eq 0 ]
	[ "$output" = "$("$FERRY_BIN" run --help)" ]
}

@test "ferry help COMMAND shows the installed man page, also through another name of it" {
	command -v man >/dev/null || skip "man is not installed"
	command -v scdoc >/dev/null || skip "scdoc is not installed"
	mkdir -p "$TEST_TMP/man/man1"
	scdoc <"$MAN_SRC/ferry-run.1.scd" >"$TEST_TMP/man/man1/ferry-run.1"
	scdoc <"$MAN_SRC/ferry-container-checkpoint.1.scd" >"$TEST_TMP/man/man1/ferry-container-checkpoint.1"
	cp "$MAN_SRC/links/ferry-container-run.1" "$MAN_SRC/links/ferry-checkpoint.1" "$TEST_TMP/man/man1/"
	MANPATH=$TEST_TMP/man MANPAGER=cat run "$FERRY_BIN" help run
	[ "$status" -eq 0 ]
	[[ "$output" == *"ferry-run - run a command in a new container"* ]]
	[[ "$output" == *"--read-only-tmpfs"* ]]
	MANPATH=$TEST_TMP/man MANPAGER=cat run "$FERRY_BIN" help container run
	[ "$status" -eq 0 ]
	[[ "$output" == *"ferry-run - run a command in a new container"* ]]
	MANPATH=$TEST_TMP/man MANPAGER=cat run "$FERRY_BIN" help checkpoint
	[ "$status" -eq 0 ]
	[[ "$output" == *"ferry-container-checkpoint - checkpoint running containers"* ]]
}

# Completes the words "$@" (the last one being completed) with _ferry, as
# bash would call it, and sets $completions to the candidates, one a line.
complete_words() {
	# shellcheck source=/dev/null
	source "$FERRY_SRC/completions/bash/ferry"
	COMP_WORDS=("$FERRY_BIN" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_ferry || true
	completions=$(printf '%s\n' "${COMPREPLY[@]}" | sort)
}

@test "bash completion: commands, subcommands and each command's flags" {
	complete_words ch
	[ "$completions" = checkpoint ]
	complete_words container mi
	[ "$completions" = migrate ]
	complete_words help container che
	[ "$completions" = checkpoint ]
	complete_words --ver
	[ "$completions" = --version ]
	complete_words run --read-o
	[ "$completions" = "$(printf '%s\n' --read-only --read-only-tmpfs)" ]
	complete_words container checkpoint --exp
	[ "$completions" = --export ]
	complete_words run --pull ''
	[ "$completions" = "$(printf '%s\n' always missing never)" ]
	complete_words checkpoint -c ''
	[ "$completions" = "$(printf '%s\n' gzip none zstd)" ]
	complete_words --log-level=w
	[ "$completions" = warn ]
}

@test "bash completion: container, image, volume and network names of the root the line gives" {
	f load -q -i "$(ferry_test_image)"
	f create --name webby ferry-test true >/dev/null
	f volume create datavol >/dev/null
	f network create --subnet "10.206.$(net_number).0/24" netty >/dev/null

	complete_words --root "$ROOT" --runroot "$RUNROOT" start we
	[ "$completions" = webby ]
	# stop offers running containers only, and webby was never started.
	complete_words --root "$ROOT" --runroot "$RUNROOT" stop we
	[ -z "$completions" ]
	# Another root has no such container.
	complete_words --root "$TEST_TMP/other" --runroot "$TEST_TMP/otherrun" start we
	[ -z "$completions" ]
	# The image, after flags and their values; --root=DIR as bash splits it.
	complete_words --root = "$ROOT" --runroot "$RUNROOT" run --name x -v datavol : /d ferry
	[ "$completions" = ferry-test:latest ]
	complete_words --root "$ROOT" --runroot "$RUNROOT" rmi localhost/ferry-test : la
	[ "$completions" = latest ]
	# Past the image, the words are the container's command.
	complete_words --root "$ROOT" --runroot "$RUNROOT" run ferry-test we
	[ -z "$completions" ]
	complete_words --root "$ROOT" --runroot "$RUNROOT" volume rm data
	[ "$completions" = datavol ]
	complete_words --root "$ROOT" --runroot "$RUNROOT" run --network net
	[ "$completions" = netty ]
	complete_words --root "$ROOT" --runroot "$RUNROOT" network connect netty we
	[ "$completions" = webby ]
}

# Completes the words "$@" (the last one being completed) with the zsh
# completion, zsh's own completion builtins replaced by stand-ins that
# print what they are given, and sets $completions to the candidates, one
# a line (file completion shows as "<files ARGS>").
zsh_complete_words() {
	completions=$(FERRY_BASH_COMPLETION=$FERRY_SRC/completions/bash/ferry zsh -f -c '
		compadd() { while [[ $1 == -* && $1 != -- ]]; do shift; done; [[ $1 == -- ]] && shift; print -l -- "$@"; }
		compset() { [[ $1 == -P ]] && PREFIX=${PREFIX#*=}; return 0; }
		_files() { print -- "<files $*>"; }
		compdef() { :; }
		source "$1"
		shift
		words=("$@")
		CURRENT=$#
		PREFIX=${words[-1]}
		_ferry' zsh "$FERRY_SRC/completions/zsh/_ferry" "$FERRY_BIN" "$@" | sort)
}

@test "zsh completion: what the bash completion offers, files through zsh's own" {
	command -v zsh >/dev/null || skip "zsh is not installed (scripts/install-deps.sh)"
	zsh_complete_words container mi
	[ "$completions" = migrate ]
	zsh_complete_words run --read-o
	[ "$completions" = "$(printf '%s\n' --read-only --read-only-tmpfs)" ]
	zsh_complete_words checkpoint -c ''
	[ "$completions" = "$(printf '%s\n' gzip none zstd)" ]
	zsh_complete_words --log-level=w
	[ "$completions" = warn ]
	zsh_complete_words load -i ''
	[ "$completions" = "<files >" ]
	zsh_complete_words run -w ''
	[ "$completions" = "<files -/>" ]

	f load -q -i "$(ferry_test_image)"
	f create --name webby ferry-test true >/dev/null
	zsh_complete_words --root "$ROOT" --runroot "$RUNROOT" start we
	[ "$completions" = webby ]
	zsh_complete_words --root "$ROOT" --runroot "$RUNROOT" rmi localhost/ferry-test:la
	[ "$completions" = localhost/ferry-test:latest ]

	# zsh's compinit finds it by its #compdef line.
	run zsh -f -c 'fpath=("$1" $fpath); autoload -U compinit; compinit -u -D; print -- $_comps[ferry]' zsh \
		"$FERRY_SRC/completions/zsh"
	[ "$output" = _ferry ]
}

# Option tables that several commands share (common.h's global and registry
# flags, resources.h, transfer.h, ...) number their options from a base of
# their own: two with one base would make getopt hand one flag's value to
# the other's handler (--arch once reached --cpu-shares' parser).
@test "the option number ranges of the shared option tables do not overlap" {
	grep -ohE '^\s*OPT_[A-Z0-9_]+ = 0x[0-9a-f]+' "$FERRY_SRC"/src/cli/*.h | awk '{print $3}' | sort >"$TEST_TMP/bases"
	[ -s "$TEST_TMP/bases" ]
	run uniq -d "$TEST_TMP/bases"
	[ -z "$output" ]
}
