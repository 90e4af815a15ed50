#!/usr/bin/env bats
# What going through issue 14 item by item found ferry doing differently
# from Podman 5.4, now fixed: save to standard output prints no progress,
# a restore without --keep leaves no CRIU log or statistics behind, commit
# prints Podman's copy lines, ps templates have .Restarts, .CIDFile and
# .ExposedPorts, commit and volume prune log Podman's events, and volumes
# wait for their copy-up and take their users' owner as Podman's
# NeedsCopyUp and NeedsChown say.  Each test checks ferry on its
# own, then, where Podman is installed, compares with what Podman does for
# the same command.

bats_require_minimum_version 1.5.0

load helpers
load podman-helpers

audit_hooks_for_every_test

@test "save to standard output prints no progress, as Podman's; with -o it does" {
	load_test_image
	f save ferry-test >"$TEST_TMP/out.tar" 2>"$TEST_TMP/err"
	[ ! -s "$TEST_TMP/err" ]
	# The archive is whole: another root loads it.
	"$FERRY_BIN" --root "$TEST_TMP/root2" --runroot "$TEST_TMP/run2" load -q -i "$TEST_TMP/out.tar" |
		grep -qx 'Loaded image: localhost/ferry-test:latest'
	f save -o - --format oci-archive ferry-test >"$TEST_TMP/out2.tar" 2>"$TEST_TMP/err"
	[ ! -s "$TEST_TMP/err" ]
	[ -s "$TEST_TMP/out2.tar" ]
	f save -o "$TEST_TMP/file.tar" ferry-test 2>"$TEST_TMP/ferr"
	grep -q '^Writing manifest to image destination$' "$TEST_TMP/ferr"

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t save localhost/ferry-test:latest >"$TEST_TMP/p.tar" 2>"$TEST_TMP/perr"
	[ ! -s "$TEST_TMP/perr" ]
	podman_t save -o "$TEST_TMP/pfile.tar" localhost/ferry-test:latest 2>"$TEST_TMP/perr"
	diff "$TEST_TMP/perr" "$TEST_TMP/ferr"
}

# The files CRIU's restore leaves in the container's runtime directory
# (ferry's bundle, Podman's userdata), sorted, one line.
restore_files() {
	ls "$1" | grep -E '^(restore\.log|stats-restore)$' | tr '\n' ' '
}

@test "restore without --keep leaves no CRIU log or statistics, with --keep both, as Podman's" {
	load_test_image
	f run -d --name c ferry-test sleep 1000 >/dev/null
	id=$(f inspect --format '{{.Id}}' c)
	f container checkpoint c >/dev/null
	f container restore c >/dev/null
	[ "$(f inspect --format '{{.State.Status}}' c)" = running ]
	[ "$(restore_files "$RUNROOT/containers/$id")" = "" ]
	# --print-stats reads the statistics before they go.
	f container checkpoint c >/dev/null
	run_ferry container restore --print-stats c
	assert_status 0
	assert_output_contains '"restore_time"'
	[ "$(restore_files "$RUNROOT/containers/$id")" = "" ]
	f container checkpoint c >/dev/null
	f container restore --keep c >/dev/null
	[ "$(restore_files "$RUNROOT/containers/$id")" = "restore.log stats-restore " ]
	[ -s "$RUNROOT/containers/$id/restore.log" ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t run -d --name c localhost/ferry-test:latest sleep 1000 >/dev/null
	dir=$(podman_t inspect --format "{{.StaticDir}}" c)
	podman_t container checkpoint c >/dev/null
	podman_t container restore c >/dev/null
	[ "$(restore_files "$dir")" = "" ]
	podman_t container checkpoint c >/dev/null
	podman_t container restore --keep c >/dev/null
	[ "$(restore_files "$dir")" = "restore.log stats-restore " ]
}

# A commit's standard error with digests shown as <D>.
commit_err_shape() {
	sed -E 's/sha256:[0-9a-f]{64}/<D>/' "$1"
}

@test "commit prints Podman's copy lines on standard error, the config its ID; -q only the ID" {
	load_test_image
	f run --name c ferry-test sh -c 'echo x >/new' >/dev/null
	id=$(f commit c 2>"$TEST_TMP/ferr")
	[ "$(sed -n 5p "$TEST_TMP/ferr")" = "Copying config sha256:$id" ]
	# The blobs are the image's layers, bottom first.
	[ "$(sed -n '2,4p' "$TEST_TMP/ferr" | tr '\n' ' ')" = \
		"$(f image inspect --format '{{range .RootFS.Layers}}Copying blob {{.}} {{end}}' "$id")" ]
	commit_err_shape "$TEST_TMP/ferr" >"$TEST_TMP/fshape"
	diff - "$TEST_TMP/fshape" <<-'EOF2'
		Getting image source signatures
		Copying blob <D>
		Copying blob <D>
		Copying blob <D>
		Copying config <D>
		Writing manifest to image destination
	EOF2
	f commit -q c >/dev/null 2>"$TEST_TMP/ferr"
	[ ! -s "$TEST_TMP/ferr" ]

	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	podman_t run --name c localhost/ferry-test:latest sh -c 'echo x >/new' >/dev/null
	podman_t commit c >/dev/null 2>"$TEST_TMP/perr"
	commit_err_shape "$TEST_TMP/perr" | diff - "$TEST_TMP/fshape"
	podman_t commit -q c >/dev/null 2>"$TEST_TMP/perr"
	[ ! -s "$TEST_TMP/perr" ]
}

# volume_wait_sequence TOOL: a volume first mounted where the image has
# nothing, then where it has /etc.
volume_wait_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" volume create q1
	step "$t" run --rm -v q1:/data "$img" ls -A /data
	step "$t" volume inspect --format '{{.NeedsCopyUp}}' q1
	step "$t" run --rm -v q1:/etc "$img" cat /etc/ferry-release
	step "$t" volume inspect --format '{{.NeedsCopyUp}}' q1
	step "$t" run --rm -v q1:/opt "$img" ls /opt
	step "$t" volume create q2
	step "$t" run --rm -v q2:/data "$img" sh -c 'echo mine >/data/f'
	step "$t" run --rm -v q2:/etc "$img" ls /etc
	step "$t" volume inspect --format '{{.NeedsCopyUp}}' q2
}

@test "a volume first mounted where the image has nothing is filled by the next mount where it has, as Podman's" {
	audit_compare_expected volume_wait_sequence <<-'EOF'
		$ volume create q1 -> 0
		  out: q1
		$ run --rm -v q1:/data localhost/ferry-test:latest ls -A /data -> 0
		$ volume inspect --format {{.NeedsCopyUp}} q1 -> 0
		  out: true
		$ run --rm -v q1:/etc localhost/ferry-test:latest cat /etc/ferry-release -> 0
		  out: ferry-test-image 1
		$ volume inspect --format {{.NeedsCopyUp}} q1 -> 0
		  out: false
		$ run --rm -v q1:/opt localhost/ferry-test:latest ls /opt -> 0
		  out: ferry-release
		  out: group
		  out: hostname
		  out: hosts
		  out: mtab
		  out: passwd
		$ volume create q2 -> 0
		  out: q2
		$ run --rm -v q2:/data localhost/ferry-test:latest sh -c echo mine >/data/f -> 0
		$ run --rm -v q2:/etc localhost/ferry-test:latest ls /etc -> 0
		  out: f
		  out: hostname
		  out: hosts
		$ volume inspect --format {{.NeedsCopyUp}} q2 -> 0
		  out: true
	EOF
}

# ps_fields_sequence TOOL: ps's .Restarts and .CIDFile in a template.
ps_fields_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	rm -f "$TEST_TMP/c.cid"
	step "$t" create --name cf --cidfile "$TEST_TMP/c.cid" "$img" true
	step "$t" ps -a --format '{{.Names}} [{{.CIDFile}}] {{.Restarts}}'
	"$t" run -d --name rs --restart on-failure:2 "$img" sh -c 'exit 1' >/dev/null
	wait_until "[ \"\$($t inspect --format '{{.RestartCount}} {{.State.Status}}' rs)\" = '2 exited' ]" 30
	step "$t" ps -a --filter name=rs --format '{{.Names}} {{.Restarts}} {{.State}}'
	step_sorted "$t" rm -f rs cf
}

@test "ps templates: .Restarts counts the restarts and .CIDFile names the --cidfile, as Podman's" {
	audit_compare_expected ps_fields_sequence <<-'EOF'
		$ create --name cf --cidfile TMP/c.cid localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ ps -a --format {{.Names}} [{{.CIDFile}}] {{.Restarts}} -> 0
		  out: cf [TMP/c.cid] 0
		$ ps -a --filter name=rs --format {{.Names}} {{.Restarts}} {{.State}} -> 0
		  out: rs 2 exited
		$ rm -f rs cf -> 0
		  out: cf
		  out: rs
	EOF
}

# volume_owner_sequence TOOL: who owns a volume's root, run as a user,
# while it is empty, once it has content, and where the image has the
# mount point.
volume_owner_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" volume create o1
	step "$t" run --rm --user 1000:1000 -v o1:/data "$img" stat -c '%u:%g %a' /data
	step "$t" volume inspect --format '{{.NeedsChown}} {{.NeedsCopyUp}}' o1
	step "$t" run --rm --user 2000:2000 -v o1:/data "$img" sh -c 'stat -c "%u:%g %a" /data; touch /data/x'
	step "$t" run --rm --user 3000:3000 -v o1:/data "$img" stat -c '%u:%g %a' /data
	step "$t" volume inspect --format '{{.NeedsChown}} {{.NeedsCopyUp}}' o1
	step "$t" run --rm --user 1000:1000 -v o2:/tmp "$img" stat -c '%u:%g %a' /tmp
	step "$t" volume inspect --format '{{.NeedsChown}} {{.NeedsCopyUp}}' o2
	step "$t" run --rm --user 1000:1000 -v o3:/etc "$img" stat -c '%u:%g %a' /etc
	step "$t" volume inspect --format '{{.NeedsChown}} {{.NeedsCopyUp}}' o3
	step "$t" run --rm --user 1000:1000 -v /anon "$img" stat -c '%u:%g %a' /anon
	step "$t" run --rm --user 1000:1000 --mount type=volume,src=o4,dst=/data "$img" stat -c '%u:%g %a' /data
	step "$t" volume create -o o=uid=5 o5
	step "$t" run --rm --user 1000:1000 -v o5:/data "$img" stat -c '%u:%g %a' /data
	step "$t" volume inspect --format '{{.NeedsChown}}' o5
}

@test "an empty volume's root goes to the container's user until it has content, as Podman's NeedsChown" {
	audit_compare_expected volume_owner_sequence <<-'EOF'
		$ volume create o1 -> 0
		  out: o1
		$ run --rm --user 1000:1000 -v o1:/data localhost/ferry-test:latest stat -c %u:%g %a /data -> 0
		  out: 1000:1000 755
		$ volume inspect --format {{.NeedsChown}} {{.NeedsCopyUp}} o1 -> 0
		  out: true true
		$ run --rm --user 2000:2000 -v o1:/data localhost/ferry-test:latest sh -c stat -c "%u:%g %a" /data; touch /data/x -> 0
		  out: 2000:2000 755
		$ run --rm --user 3000:3000 -v o1:/data localhost/ferry-test:latest stat -c %u:%g %a /data -> 0
		  out: 2000:2000 755
		$ volume inspect --format {{.NeedsChown}} {{.NeedsCopyUp}} o1 -> 0
		  out: false true
		$ run --rm --user 1000:1000 -v o2:/tmp localhost/ferry-test:latest stat -c %u:%g %a /tmp -> 0
		  out: 0:0 1777
		$ volume inspect --format {{.NeedsChown}} {{.NeedsCopyUp}} o2 -> 0
		  out: false true
		$ run --rm --user 1000:1000 -v o3:/etc localhost/ferry-test:latest stat -c %u:%g %a /etc -> 0
		  out: 0:0 755
		$ volume inspect --format {{.NeedsChown}} {{.NeedsCopyUp}} o3 -> 0
		  out: false false
		$ run --rm --user 1000:1000 -v /anon localhost/ferry-test:latest stat -c %u:%g %a /anon -> 0
		  out: 1000:1000 755
		$ run --rm --user 1000:1000 --mount type=volume,src=o4,dst=/data localhost/ferry-test:latest stat -c %u:%g %a /data -> 0
		  out: 1000:1000 755
		$ volume create -o o=uid=5 o5 -> 0
		  out: o5
		$ run --rm --user 1000:1000 -v o5:/data localhost/ferry-test:latest stat -c %u:%g %a /data -> 0
		  out: 5:0 755
		$ volume inspect --format {{.NeedsChown}} o5 -> 0
		  out: false
	EOF
}

# exposed_sequence TOOL: ps's .ExposedPorts in a template.
exposed_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	step "$t" create --name ex --expose 8080 --expose 443 --expose 80 --expose 53/udp --expose 80/udp "$img" true
	step "$t" create --name none "$img" true
	step "$t" ps -a --sort names --format '{{.Names}} {{.ExposedPorts}}'
	step "$t" ps -a --filter name=ex --format '{{range $p, $v := .ExposedPorts}}{{$p}}={{$v}} {{end}}'
}

@test "ps templates: .ExposedPorts is Podman's map, ports in numeric order" {
	# Podman lists a port's protocols in no set order (from a Go map).
	echo 's/\[udp tcp\]/[tcp udp]/g' >>"$TEST_TMP/podman_t.sed"
	audit_compare_expected exposed_sequence <<-'EOF'
		$ create --name ex --expose 8080 --expose 443 --expose 80 --expose 53/udp --expose 80/udp localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ create --name none localhost/ferry-test:latest true -> 0
		  out: <ID>
		$ ps -a --sort names --format {{.Names}} {{.ExposedPorts}} -> 0
		  out: ex map[53:[udp] 80:[tcp udp] 443:[tcp] 8080:[tcp]]
		  out: none map[]
		$ ps -a --filter name=ex --format {{range $p, $v := .ExposedPorts}}{{$p}}={{$v}} {{end}} -> 0
		  out: 53=[udp] 80=[tcp udp] 443=[tcp] 8080=[tcp] 
	EOF
}

# events_order_sequence TOOL: commit's event, volume prune's after each
# remove.
events_order_sequence() {
	local t=$1 img=localhost/ferry-test:latest
	echo "s#$(ferry_test_image)#IMAGE.tar#g" >>"$TEST_TMP/$t.sed"
	step "$t" run --name b1 "$img" true
	step "$t" commit -q b1 committed:1
	step "$t" volume create w1
	step "$t" volume create w2
	step "$t" volume prune -f
	# Podman logs an image's events from another goroutine and a
	# container's cleanup from conmon's exit command: their places among
	# the others vary.
	step "$t" events --stream=false --filter event=commit --filter event=create --filter event=died \
		--format '{{.Type}} {{.Status}} {{.Name}}'
	step "$t" events --stream=false --filter type=volume --format '{{.Type}} {{.Status}} {{.Name}}'
	step "$t" events --stream=false --filter type=image --format '{{.Type}} {{.Status}} {{.Name}}'
}

@test "events as Podman logs them: commit, and volume prune after each remove" {
	export PODMAN_EVENTS=file
	audit_compare_expected events_order_sequence <<-'EOF'
		$ run --name b1 localhost/ferry-test:latest true -> 0
		$ commit -q b1 committed:1 -> 0
		  out: <ID>
		$ volume create w1 -> 0
		  out: w1
		$ volume create w2 -> 0
		  out: w2
		$ volume prune -f -> 0
		  out: w1
		  out: w2
		$ events --stream=false --filter event=commit --filter event=create --filter event=died --format {{.Type}} {{.Status}} {{.Name}} -> 0
		  out: container create b1
		  out: container died b1
		  out: container commit b1
		  out: volume create w1
		  out: volume create w2
		$ events --stream=false --filter type=volume --format {{.Type}} {{.Status}} {{.Name}} -> 0
		  out: volume create w1
		  out: volume create w2
		  out: volume remove w1
		  out: volume prune w1
		  out: volume remove w2
		  out: volume prune w2
		$ events --stream=false --filter type=image --format {{.Type}} {{.Status}} {{.Name}} -> 0
		  out: image loadfromarchive IMAGE.tar
		  out: image pull localhost/ferry-test:latest
	EOF
}
