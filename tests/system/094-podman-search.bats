#!/usr/bin/env bats
# search, as a Podman user types it: a real registry's catalog searched by
# substring (an exact match first), its repositories' tags, the formats,
# filters and limits, compared with what Podman 5.4 printed (kept below)
# and, where Podman is installed, with Podman run live.  Then what a
# registry that misbehaves sends: Docker Hub's v1 search answers with
# terminal escapes and names of the wrong type, and a catalog whose pages
# never end.

load helpers
load ../lib/registry
load podman-helpers

bats_require_minimum_version 1.5.0

teardown() {
	podman_teardown
	registry_stop
	hostile_stop
	ferry_teardown
}

# Pushes the test image to the registry under each name given.
push_names() {
	local n
	load_test_image
	for n in "$@"; do
		f tag ferry-test "$REGISTRY/$n"
		f push -q --tls-verify=false "$REGISTRY/$n"
	done
}

# Runs `TOOL search --tls-verify=false ARGS` for each line of ARGS on
# stdin, appending the command, its output and exit code to TOOL's
# transcript, the registry's address shown as REG.
search_sequence() {
	local tool=$1 args rc
	while IFS= read -r args; do
		rc=0
		# shellcheck disable=SC2086
		"$tool" search --tls-verify=false ${args//REG/$REGISTRY} >"$TEST_TMP/out" 2>&1 || rc=$?
		{
			echo "\$ search $args -> $rc"
			sed "s/$REGISTRY/REG/g" "$TEST_TMP/out"
		} >>"$TEST_TMP/$tool.log"
	done <<-'EOF'
		REG/web
		REG/
		REG/a
		--limit 2 REG/web
		--limit -1 REG/web
		REG/nomatch
		--compatible REG/alpha
		--format {{.Name}}|{{.Index}}|{{.Stars}}|{{.Official}}|{{.Tag}} REG/beta
		--filter is-official=false REG/db
		--filter is-official REG/db
		--filter stars=1 REG/db
		--list-tags REG/alpha/web
		--list-tags --limit 1 REG/alpha/web
		--list-tags REG/web:latest
		--list-tags --format {{.Index}}|{{.Name}}:{{.Tag}} REG/web
		--filter stars REG/web
		--filter stars=x REG/web
		--filter bogus=1 REG/web
	EOF
}

@test "search: a registry's catalog and tags, as Podman prints them" {
	registry_start
	push_names alpha/web:1 alpha/web:2 beta/db:5 web:latest a/b/web:1 zweb:1

	search_sequence f
	# What Podman 5.4.2 printed for the same sequence against the same
	# registry (docker-registry 2.8).
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ search REG/web -> 0
		NAME              DESCRIPTION
		REG/web           
		REG/a/b/web       
		REG/alpha/web     
		REG/zweb          
		$ search REG/ -> 0
		NAME              DESCRIPTION
		REG/a/b/web       
		REG/alpha/web     
		REG/beta/db       
		REG/web           
		REG/zweb          
		$ search REG/a -> 0
		NAME              DESCRIPTION
		REG/a/b/web       
		REG/alpha/web     
		REG/beta/db       
		$ search --limit 2 REG/web -> 0
		NAME              DESCRIPTION
		REG/a/b/web       
		REG/alpha/web     
		$ search --limit -1 REG/web -> 0
		$ search REG/nomatch -> 0
		$ search --compatible REG/alpha -> 0
		NAME              DESCRIPTION  STARS       OFFICIAL    AUTOMATED
		REG/alpha/web                  0                       
		$ search --format {{.Name}}|{{.Index}}|{{.Stars}}|{{.Official}}|{{.Tag}} REG/beta -> 0
		REG/beta/db|REG|0||
		$ search --filter is-official=false REG/db -> 0
		NAME              DESCRIPTION
		REG/beta/db       
		$ search --filter is-official REG/db -> 0
		$ search --filter stars=1 REG/db -> 0
		$ search --list-tags REG/alpha/web -> 0
		NAME              TAG
		REG/alpha/web     2
		REG/alpha/web     1
		$ search --list-tags --limit 1 REG/alpha/web -> 0
		NAME              TAG
		REG/alpha/web     2
		$ search --list-tags REG/web:latest -> 0
		NAME        TAG
		REG/web     latest
		$ search --list-tags --format {{.Index}}|{{.Name}}:{{.Tag}} REG/web -> 0
		REG|REG/web:latest
		$ search --filter stars REG/web -> 125
		Error: invalid filter ["stars"], should be stars=<value>
		$ search --filter stars=x REG/web -> 125
		Error: incorrect value type for stars filter: strconv.Atoi: parsing "x": invalid syntax
		$ search --filter bogus=1 REG/web -> 125
		Error: invalid filter type "bogus=1"
	EOF
	# The columns are as wide as the registry's address makes them: compare
	# with the spaces squeezed.
	diff <(tr -s ' ' <"$TEST_TMP/expected") <(tr -s ' ' <"$TEST_TMP/f.log")

	if command -v podman >/dev/null; then
		search_sequence podman_t
		diff "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
	fi

	# JSON: the same fields.
	run_ferry search --tls-verify=false --format json "$REGISTRY/alpha"
	assert_status 0
	[ "$(jq -c '.[] | [.Index, .Name, .Description, .Stars, .Official, .Automated, .Tag]' <<<"$output")" = \
		"[\"$REGISTRY\",\"$REGISTRY/alpha/web\",\"\",0,\"\",\"\",\"\"]" ]
	run_ferry search --tls-verify=false --list-tags --format json "$REGISTRY/alpha/web"
	assert_status 0
	[ "$(jq -c '.' <<<"$output")" = "[{\"Name\":\"$REGISTRY/alpha/web\",\"Tags\":[\"2\",\"1\"]}]" ]
	# `image search` is the same command.
	[ "$(f image search --tls-verify=false --format '{{.Name}}' "$REGISTRY/beta")" = "$REGISTRY/beta/db" ]
}

@test "search: errors name the registry or the reference, exit 125" {
	registry_start
	push_names web:latest

	run_ferry search --tls-verify=false --list-tags "$REGISTRY/nosuch"
	assert_status 125
	assert_one_line_error
	assert_output_contains "getting repository tags: fetching tags list: repository name not known to registry"
	run_ferry search --tls-verify=false --list-tags "$REGISTRY/"
	assert_status 125
	assert_one_line_error
	assert_output_contains 'reference "" must be a docker reference'
	run_ferry search --tls-verify=false --list-tags "$REGISTRY/Web"
	assert_status 125
	assert_one_line_error
	assert_output_contains 'reference "Web" must be a docker reference'
	port=$(free_port)
	run_ferry search --tls-verify=false "127.0.0.1:$port/web"
	assert_status 125
	assert_one_line_error
	assert_output_contains "couldn't search registry \"127.0.0.1:$port\""
	run_ferry search --limit x "$REGISTRY/web"
	assert_status 125
	assert_one_line_error
	assert_output_contains 'invalid argument "x" for "--limit" flag'
	run_ferry search
	assert_status 125
	assert_one_line_error
	assert_output_contains "accepts 1 arg(s), received 0"
	run_ferry search a b
	assert_status 125
	assert_one_line_error
	assert_output_contains "accepts 1 arg(s), received 2"
}

@test "search: a registry's v1 answers are made printable and type-checked; endless catalog pages end" {
	hostile_start

	# The v1 endpoint answers a term: its description on one line, the
	# escapes gone, cut to 44 characters but with --no-trunc; the number
	# given as a name left out.
	run_ferry search --tls-verify=false "$HOSTILE/x"
	assert_status 0
	[ "$(tr -s ' ' <<<"${lines[0]}")" = "NAME DESCRIPTION" ]
	[ "$(tr -s ' ' <<<"${lines[1]}")" = "$HOSTILE/hostile/escapes line one line two [2J [H and then a great de..." ]
	[ "$(tr -s ' ' <<<"${lines[2]}")" = "$HOSTILE/official short" ]
	[ "${#lines[@]}" -eq 3 ]
	[[ "$output" != *$'\e'* ]]
	run_ferry search --tls-verify=false --no-trunc --format '{{.Description}}' "$HOSTILE/x"
	[ "${lines[0]}" = "line one line two [2J [H and then a great deal more text than fits" ]
	run_ferry search --tls-verify=false --filter stars=10 --format '{{.Name}} {{.Stars}} {{.Automated}}' "$HOSTILE/x"
	[ "$output" = "$HOSTILE/hostile/escapes 42 [OK]" ]
	run_ferry search --tls-verify=false --filter is-official --format '{{.Name}} {{.Official}}' "$HOSTILE/x"
	[ "$output" = "$HOSTILE/official [OK]" ]

	# No term: the catalog, one repository a page, followed page by page
	# up to the limit, and refused when its pages do not end.
	run_ferry search --tls-verify=false --limit 3 --format '{{.Name}}' "$HOSTILE/page-"
	assert_status 0
	[ "$output" = "$(printf '%s\n' "$HOSTILE/page-0" "$HOSTILE/page-1" "$HOSTILE/page-2")" ]
	run_ferry search --tls-verify=false --format '{{.Name}}' "$HOSTILE/"
	assert_status 0
	[ "${#lines[@]}" -eq 25 ]
	run_ferry search --tls-verify=false --limit 5000 "$HOSTILE/"
	assert_status 125
	assert_one_line_error
	assert_output_contains "couldn't search registry \"$HOSTILE\": its catalog has more than 1000 pages"
}
