#!/usr/bin/env bats
# secret create, ls, inspect, rm and exists, and run --secret, as a Podman
# user types them: compared with what Podman 5.4 printed (kept below) and,
# where Podman is installed, with Podman run live.  Then ferry's own: a
# container keeps its copy when the secret goes, checkpoint/restore keeps
# the secrets in place, an archive carries them by name only and restores
# on another root with that root's secrets (refused, leaving nothing, when
# one is missing), and an archive's malformed secret entries are refused.

load helpers
load podman-helpers

bats_require_minimum_version 1.5.0

teardown() {
	podman_teardown
	ferry_teardown
}

# Runs "$@" with tool $1, appending the command, its exit code and its
# output to the tool's transcript; secret IDs show as <ID>.
sstep() {
	local tool=$1 rc=0
	shift
	"$tool" "$@" >"$TEST_TMP/out" 2>&1 || rc=$?
	{
		echo "\$ $* -> $rc" | sed "s#$TEST_TMP#TMP#g"
		sed -E -e "s/\b[0-9a-f]{25}\b/<ID>/g; s#$TEST_TMP#TMP#g" -e '$a\' "$TEST_TMP/out"
	} >>"$TEST_TMP/$tool.log"
}

# The sequence both tools run; $2 names the test image for tool $1.
secret_sequence() {
	local t=$1 img=$2
	printf 's3cr3t' >"$TEST_TMP/sf"
	sstep "$t" secret create mysec "$TEST_TMP/sf"
	sstep "$t" secret create mysec "$TEST_TMP/sf"
	sstep "$t" secret create 'a/b' "$TEST_TMP/sf"
	sstep "$t" secret create ''  "$TEST_TMP/sf"
	sstep "$t" secret create onlyone
	sstep "$t" secret create nofile "$TEST_TMP/nosuch"
	sstep "$t" secret create --env fromenv FERRY_TEST_UNSET_VAR
	sstep "$t" secret ls --format '{{.Name}} {{.Driver}}'
	sstep "$t" secret ls -q --filter name=nomatch
	sstep "$t" secret ls --filter label=x
	sstep "$t" secret inspect --format '{{.Spec.Name}} {{.Spec.Driver.Name}}' mysec
	sstep "$t" secret inspect --showsecret --format '{{.SecretData}}' mysec
	sstep "$t" secret inspect nosuch
	sstep "$t" secret exists mysec
	sstep "$t" secret exists nosuch
	sstep "$t" run --rm --network none --secret mysec "$img" cat /run/secrets/mysec
	sstep "$t" run --rm --network none --secret mysec,type=env,target=MYVAR "$img" sh -c 'echo $MYVAR'
	sstep "$t" run --rm --network none --secret source=mysec,target=/etc/x,uid=5,gid=6,mode=0400 "$img" \
		stat -c '%u %g %a %s' /etc/x
	sstep "$t" run --rm --network none --secret mysec,target=sub "$img" cat /run/secrets/sub
	sstep "$t" run --rm --network none --secret nosuch "$img" true
	sstep "$t" run --rm --network none --secret mysec,type=bogus "$img" true
	sstep "$t" run --rm --network none --secret mysec,type=env,uid=1 "$img" true
	sstep "$t" run --rm --network none --secret mysec,mode=999 "$img" true
	sstep "$t" run --rm --network none --secret mysec,bogus=1 "$img" true
	sstep "$t" secret rm nosuch
	sstep "$t" secret rm -i nosuch
	sstep "$t" secret rm mysec
	sstep "$t" secret ls -n
}

@test "secret: the commands and run --secret, as Podman prints them" {
	load_test_image
	secret_sequence f ferry-test
	cat >"$TEST_TMP/expected" <<-'EOF'
		$ secret create mysec TMP/sf -> 0
		<ID>
		$ secret create mysec TMP/sf -> 125
		Error: mysec: secret name in use
		$ secret create a/b TMP/sf -> 125
		Error: secret name "a/b" can not include '=', '/', ',', or the '\0' (NULL) and be between 1 and 253 characters: invalid secret name
		$ secret create  TMP/sf -> 125
		Error: secret name "" can not include '=', '/', ',', or the '\0' (NULL) and be between 1 and 253 characters: invalid secret name
		$ secret create onlyone -> 125
		Error: accepts 2 arg(s), received 1
		$ secret create nofile TMP/nosuch -> 125
		Error: open TMP/nosuch: no such file or directory
		$ secret create --env fromenv FERRY_TEST_UNSET_VAR -> 125
		Error: cannot create store secret data: environment variable FERRY_TEST_UNSET_VAR is not set
		$ secret ls --format {{.Name}} {{.Driver}} -> 0
		mysec file
		$ secret ls -q --filter name=nomatch -> 0
		$ secret ls --filter label=x -> 125
		Error: invalid filter "label"
		$ secret inspect --format {{.Spec.Name}} {{.Spec.Driver.Name}} mysec -> 0
		mysec file
		$ secret inspect --showsecret --format {{.SecretData}} mysec -> 0
		s3cr3t
		$ secret inspect nosuch -> 125
		[]
		Error: inspecting secret: no secret with name or id "nosuch": no such secret
		$ secret exists mysec -> 0
		$ secret exists nosuch -> 1
		$ run --rm --network none --secret mysec IMG cat /run/secrets/mysec -> 0
		s3cr3t
		$ run --rm --network none --secret mysec,type=env,target=MYVAR IMG sh -c echo $MYVAR -> 0
		s3cr3t
		$ run --rm --network none --secret source=mysec,target=/etc/x,uid=5,gid=6,mode=0400 IMG stat -c %u %g %a %s /etc/x -> 0
		5 6 400 6
		$ run --rm --network none --secret mysec,target=sub IMG cat /run/secrets/sub -> 0
		s3cr3t
		$ run --rm --network none --secret nosuch IMG true -> 125
		Error: no secret with name or id "nosuch": no such secret
		$ run --rm --network none --secret mysec,type=bogus IMG true -> 125
		Error: type bogus is invalid: parsing secret
		$ run --rm --network none --secret mysec,type=env,uid=1 IMG true -> 125
		Error: UID, GID, Mode options cannot be set with secret type env: parsing secret
		$ run --rm --network none --secret mysec,mode=999 IMG true -> 125
		Error: mode 999 invalid: parsing secret
		$ run --rm --network none --secret mysec,bogus=1 IMG true -> 125
		Error: option bogus=1 invalid: parsing secret
		$ secret rm nosuch -> 125
		Error: no secret with name or id "nosuch": no such secret
		$ secret rm -i nosuch -> 0
		$ secret rm mysec -> 0
		<ID>
		$ secret ls -n -> 0
	EOF
	sed -i 's/ ferry-test / IMG /' "$TEST_TMP/f.log"
	diff "$TEST_TMP/expected" "$TEST_TMP/f.log"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	secret_sequence podman_t localhost/ferry-test:latest
	sed -i 's# localhost/ferry-test:latest # IMG #' "$TEST_TMP/podman_t.log"
	diff "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
}

@test "secret: ls, inspect and --replace show what Podman shows" {
	printf 'one' | f secret create --label team=db first - >/dev/null
	id=$(printf 'two' | f secret create second -)
	[[ "$id" =~ ^[0-9a-f]{25}$ ]]
	run_ferry secret ls
	assert_status 0
	[ "$(tr -s ' ' <<<"${lines[0]}")" = "ID NAME DRIVER CREATED UPDATED" ]
	[[ "${lines[2]}" == "$id  second"* ]]
	# By name, ID or unique prefix; labels and times in Podman's JSON.
	[ "$(f secret inspect "${id:0:10}" | jq -r '.[0].Spec.Name')" = second ]
	[ "$(f secret inspect first | jq -c '.[0].Spec.Labels')" = '{"team":"db"}' ]
	[ "$(f secret inspect first | jq -r '.[0] | has("SecretData")')" = false ]
	[ "$(f secret inspect --showsecret first | jq -r '.[0].SecretData')" = one ]
	[ "$(f secret ls -q --filter "id=${id:0:5}")" = "$id" ]
	run_ferry secret inspect --pretty second
	[ "${lines[0]}" = "ID:              $id" ]
	[ "${lines[1]}" = "Name:              second" ]
	# --replace: a new ID, the creation time kept, the new data.
	created=$(f secret inspect --format '{{.CreatedAt}}' second)
	new=$(printf 'three' | f secret create --replace second -)
	[ "$new" != "$id" ]
	[ "$(f secret inspect --format '{{.CreatedAt}}' second)" = "$created" ]
	[ "$(f secret inspect --showsecret --format '{{.SecretData}}' second)" = three ]
	run_ferry secret rm -a
	assert_status 0
	[ "${#lines[@]}" -eq 2 ]
	[ -z "$(f secret ls -q)" ]
}

@test "secret: a container keeps its copy when the secret goes, and across checkpoint/restore" {
	load_test_image
	printf 'hunter2' | f secret create pw - >/dev/null
	f run -d --name app --secret pw --secret pw,type=env,target=PW ferry-test \
		sh -c "$COUNTER & while true; do cat /run/secrets/pw; echo \" \$PW\"; sleep 0.2; done" >/dev/null
	wait_until '[ "$(f logs app | grep -c "hunter2 hunter2")" -ge 2 ]'
	[ "$(f inspect --format '{{json .Config.Secrets}}' app | jq -r '[.[] | "\(.Name):\(.Mode)"] | join(" ")')" = "pw:292 pw:292" ]
	f secret rm pw >/dev/null
	f stop -t 0 app >/dev/null
	f start app >/dev/null
	wait_until '[ "$(f logs app | grep -c "hunter2 hunter2")" -ge 4 ]'
	f container checkpoint app >/dev/null
	f container restore app >/dev/null
	[ "$(f exec app cat /run/secrets/pw)" = hunter2 ]
	# The copy is the container's alone: root's, read-only in the container.
	run f exec app sh -c 'echo x > /run/secrets/pw'
	[ "$status" -ne 0 ]
}

@test "secret: an archive carries secrets by name; another root uses its own, and without them refuses, leaving nothing" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	printf 'on-a' | f secret create pw - >/dev/null
	f run -d --name app --secret pw ferry-test sh -c 'i=0; while true; do echo "$i $(cat /run/secrets/pw)"; i=$((i+1)); sleep 0.2; done' >/dev/null
	wait_until '[ "$(f logs app | wc -l)" -ge 2 ]'
	f container checkpoint -c none -e "$TEST_TMP/app.tar" app >/dev/null
	# The data is in no entry of the archive but the process's own memory.
	mkdir "$TEST_TMP/x"
	tar -xf "$TEST_TMP/app.tar" -C "$TEST_TMP/x"
	! grep -rl on-a "$TEST_TMP/x" --exclude-dir=checkpoint --exclude=ctr.log || false
	[ "$(jq -r '.ferry.Secrets[0].Name' "$TEST_TMP/x/config.dump")" = pw ]

	run_fb container restore -i "$TEST_TMP/app.tar"
	assert_status 125
	assert_one_line_error
	assert_output_contains 'no secret with name or id "pw"'
	assert_output_contains 'ferry secret create'
	assert_host_b_untouched

	printf 'on-b' | fb secret create pw - >/dev/null
	fb container restore -i "$TEST_TMP/app.tar" >/dev/null
	wait_until '[ "$(fb logs app | grep -c " on-b$")" -ge 2 ]'
	# The counter carried on from where it stopped on root A.
	before=$(f logs app | tail -n 1 | cut -d' ' -f1)
	after=$(fb logs app | tail -n 1 | cut -d' ' -f1)
	[ "$after" -gt "$before" ]
}

@test "secret: an archive's malformed secret entries are refused, nothing made" {
	load_test_image
	fb load -q -i "$(ferry_test_image)"
	printf 'x' | f secret create pw - >/dev/null
	printf 'x' | fb secret create pw - >/dev/null
	f run -d --name app --secret pw ferry-test sleep 1000 >/dev/null
	f container checkpoint -c none -e "$TEST_TMP/good.tar" app >/dev/null
	for edit in '"Mode": 99999' '"Type": "bogus"' '"Name": "../pw"' '"Target": "relative"' '"UID": -1' \
		'"Type": "env", "Target": "A=B"'; do
		rewrite_archive "$TEST_TMP/good.tar" "$TEST_TMP/bad.tar" "
for i, (m, d) in enumerate(members):
    if m.name == 'config.dump':
        c = json.loads(d); c['ferry']['Secrets'][0].update({$edit}); members[i] = (m, json.dumps(c).encode())
"
		run_fb container restore -i "$TEST_TMP/bad.tar"
		assert_status 125
		assert_one_line_error
		assert_output_contains "Secrets"
		assert_host_b_untouched
	done
}
