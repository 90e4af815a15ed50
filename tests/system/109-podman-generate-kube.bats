#!/usr/bin/env bats
# generate kube (and kube generate) as a Podman user types it: Pod YAML of
# containers with env, ports, named and bind volumes, tmpfs, labels,
# annotations, command, workdir, user, capabilities, read-only, limits,
# restart policy, hostname, DNS, ulimits; several containers in one Pod;
# --type deployment|daemonset|job, --replicas, --service, --podman-only,
# --filename; volumes as PersistentVolumeClaims; and the errors.  Compared
# with Podman run live where it is installed, and with stored YAML so the
# test means something without it.

load helpers
load podman-helpers

podman_hooks_for_every_test

# The containers and the volume of the comparisons, made with TOOL.  One
# variable of the user's each, and ports of one protocol and host address:
# Podman orders variables, groups of ports, and bind and tmpfs mounts at
# the same depth in Go's map order, which varies from run to run.
make_kube_objects() {
	local t=$1 image=ferry-test
	[ "$t" = f ] || image=localhost/ferry-test:latest
	mkdir -p "$TEST_TMP/bind"
	"$t" volume create --label tier=db -o type=tmpfs -o device=tmpfs -o o=nodev kvol >/dev/null
	"$t" create --name k1 --network bridge -e 'GREETING=a: b' -p 9090:90 -p 8080:80 -v kvol:/data \
		-v "$TEST_TMP/bind:/mnt:ro" --label app=x --annotation an=1 -w /work -u 1000:1000 \
		--cap-add NET_ADMIN --cap-drop CHOWN --read-only --memory 64m --cpus 0.5 --restart always \
		--hostname hh "$image" sh -c 'echo hi; sleep 100' >/dev/null
	"$t" create --name k_2 --network bridge --stop-timeout 20 -t -i --ulimit nofile=100:200 \
		--dns 1.1.1.1 --dns-search example.com --dns-option ndots:2 --security-opt no-new-privileges \
		--tmpfs /tt --privileged --init --rm --annotation 'long=one two three' "$image" >/dev/null
	"$t" create --name k3 --network none -u nobody --restart on-failure "$image" true >/dev/null
	"$t" create --name k4 --network bridge --entrypoint '["/bin/sh","-c"]' -p 8000-8001:80-81 -e EMPTY= \
		-e PATH=/usr/bin:/bin --mount type=tmpfs,destination=/t2 -v anon_vol:/av:ro \
		-w / --user 0:0 "$image" 'echo x' >/dev/null
}

# Each step's command, exit code and output, the times and the version
# comment made the same, NodePorts as N (drawn at random by both), the
# test's directory as TMP.
kube_steps() {
	local t=$1 args rc
	while IFS= read -r args; do
		rc=0
		# shellcheck disable=SC2086
		"$t" $args >"$TEST_TMP/out" 2>&1 || rc=$?
		echo "\$ $args -> $rc"
		sed -e 's/creationTimestamp: "[^"]*"/creationTimestamp: T/' -e 's/^# Created with .*/# Created with X/' \
			-e 's/nodePort: [0-9]*/nodePort: N/' -e "s#$TEST_TMP#TMP#g" -e "s/'podman /'ferry /" \
			"$TEST_TMP/out"
	done <<-'EOF'
		generate kube k1
		kube generate k_2
		generate kube --podman-only k_2
		generate kube k3
		generate kube k4
		generate kube k1 k_2
		generate kube kvol
		generate kube kvol k1
		generate kube -s k1
		generate kube --service k3
		generate kube -t deployment -r 3 k1
		generate kube --type daemonset k1
		generate kube -t job k3
		generate kube -t job k_2
		generate kube -t job k1
		generate kube -t deployment k3
		generate kube -t pod -r 1 k1
		generate kube -r 2 k1
		generate kube -r 0 k1
		generate kube -r x k1
		generate kube -t bogus k1
		generate kube -t bogus kvol
		generate kube nosuch
		generate kube k1 nosuch
		generate kube
	EOF
}

@test "generate kube: Pod, Deployment, DaemonSet, Job, Service and claim YAML as Podman's" {
	load_test_image
	make_kube_objects f
	kube_steps f >"$TEST_TMP/ferry.txt"
	# Without Podman: the steps' exit codes and some of what they print.
	grep -qx '\$ generate kube k1 -> 0' "$TEST_TMP/ferry.txt"
	grep -qx '\$ generate kube -t job k1 -> 125' "$TEST_TMP/ferry.txt"
	grep -qx 'Error: k8s Jobs can not have restartPolicy set to Always; only Never and OnFailure policies allowed' \
		"$TEST_TMP/ferry.txt"
	grep -qx 'Error: name or ID "nosuch" not found' "$TEST_TMP/ferry.txt"
	grep -qx 'Error: --replicas can only be set when --type is set to deployment' "$TEST_TMP/ferry.txt"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		make_kube_objects podman_t 2>/dev/null
		kube_steps podman_t >"$TEST_TMP/podman.txt"
		diff -u "$TEST_TMP/podman.txt" "$TEST_TMP/ferry.txt"
	fi
}

@test "generate kube: the YAML of a container, byte for byte, and it parses" {
	load_test_image
	make_kube_objects f
	f generate kube k1 >"$TEST_TMP/k1.yaml"
	sed -e 's/creationTimestamp: "[^"]*"/creationTimestamp: T/' -e "s#$TEST_TMP#TMP#g" "$TEST_TMP/k1.yaml" \
		>"$TEST_TMP/got"
	cat >"$TEST_TMP/want" <<-'EOF'
		# Save the output of this file and use kubectl create -f to import
		# it into Kubernetes.
		#
		# Created with ferry-VERSION

		# NOTE: If you generated this yaml from an unprivileged and rootless podman container on an SELinux
		# enabled system, check the podman generate kube man page for steps to follow to ensure that your pod/container
		# has the right permissions to access the volumes added.
		---
		apiVersion: v1
		kind: Pod
		metadata:
		  annotations:
		    an/k1: "1"
		  creationTimestamp: T
		  labels:
		    app: k1-pod
		  name: k1-pod
		spec:
		  containers:
		  - command:
		    - sh
		    - -c
		    - echo hi; sleep 100
		    env:
		    - name: GREETING
		      value: 'a: b'
		    - name: HOSTNAME
		      value: hh
		    image: localhost/ferry-test:latest
		    name: k1
		    ports:
		    - containerPort: 80
		      hostPort: 8080
		    - containerPort: 90
		      hostPort: 9090
		    resources:
		      limits:
		        cpu: 500m
		        memory: 64Mi
		    securityContext:
		      capabilities:
		        add:
		        - CAP_NET_ADMIN
		        drop:
		        - CAP_CHOWN
		      readOnlyRootFilesystem: true
		      runAsGroup: 1000
		      runAsUser: 1000
		    volumeMounts:
		    - mountPath: /mnt
		      name: tmp-host-0
		      readOnly: true
		    - mountPath: /data
		      name: kvol-pvc
		    workingDir: /work
		  hostname: hh
		  restartPolicy: Always
		  volumes:
		  - hostPath:
		      path: TMP/bind
		      type: Directory
		    name: tmp-host-0
		  - name: kvol-pvc
		    persistentVolumeClaim:
		      claimName: kvol

	EOF
	# The bind mount's volume is named after its path, which is the
	# test's own.
	name=$(echo "${TEST_TMP#/}/bind" | tr '/_' '--' | tr '[:upper:]' '[:lower:]')
	sed -i -e "s/tmp-host-0/$name-host-0/" -e "s/ferry-VERSION/ferry-$(f --version | awk '{print $3}')/" "$TEST_TMP/want"
	diff -u "$TEST_TMP/want" "$TEST_TMP/got"
	# Each document parses as YAML, and the Pod says what the container is.
	if python3 -c 'import yaml' 2>/dev/null; then
		python3 - "$TEST_TMP/k1.yaml" <<-'EOF'
			import sys, yaml
			docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
			pod = docs[-1]
			assert pod["kind"] == "Pod", pod
			c = pod["spec"]["containers"][0]
			assert c["env"][0] == {"name": "GREETING", "value": "a: b"}, c["env"]
			assert c["ports"][1] == {"containerPort": 90, "hostPort": 9090}, c["ports"]
			assert pod["metadata"]["annotations"]["an/k1"] == "1"
		EOF
	else
		# No YAML parser here: every line is a comment, ---, or key: value
		# / - item indented by twos.
		! grep -vE '^(#.*|---|( {2})*(- )?[A-Za-z/."0-9-]+:( .*)?|( {2})*- .*|)$' "$TEST_TMP/k1.yaml" || false
	fi
	# --service: a NodePort for each port, in Kubernetes' range, none twice.
	f generate kube -s k1 | sed -n 's/^    nodePort: //p' >"$TEST_TMP/nodeports"
	[ "$(wc -l <"$TEST_TMP/nodeports")" = 2 ]
	[ "$(sort -u "$TEST_TMP/nodeports" | wc -l)" = 2 ]
	awk '$1 < 30000 || $1 > 32767 { exit 1 }' "$TEST_TMP/nodeports"
	# A port of another protocol and host address: its own group, after.
	f create --name k5 --network bridge -p 127.0.0.1:7000:70/udp -p 6000:60 ferry-test >/dev/null
	f generate kube k5 | sed -n '/ports:/,/^  [a-z]/p' | sed '/^$/d' >"$TEST_TMP/got"
	printf '%s\n' '    ports:' '    - containerPort: 70' '      hostIP: 127.0.0.1' '      hostPort: 7000' \
		'      protocol: UDP' '    - containerPort: 60' '      hostPort: 6000' >"$TEST_TMP/want"
	diff -u "$TEST_TMP/want" "$TEST_TMP/got"
}

@test "generate kube: quoting of strings that would read back as something else" {
	load_test_image
	f create --name q --network none --annotation 'y=yes' --annotation 'n=0o17' --annotation 'e=' \
		--annotation 'd=2001-12-14' --annotation 'h=a #b' --annotation 's=*x' --annotation 't=a	b' \
		--annotation 'ml=line1
line2' ferry-test sh -c 'echo aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp' >/dev/null
	f generate kube q >"$TEST_TMP/q.yaml"
	sed -n '/annotations:/,/creationTimestamp/p' "$TEST_TMP/q.yaml" >"$TEST_TMP/got"
	sed -n '/- -c/,/image:/p' "$TEST_TMP/q.yaml" >>"$TEST_TMP/got"
	cat >"$TEST_TMP/want" <<-'EOF'
		  annotations:
		    d/q: "2001-12-14"
		    e/q: ""
		    h/q: 'a #b'
		    ml/q: |-
		      line1
		      line2
		    n/q: "0o17"
		    s/q: '*x'
		    t/q: "a\tb"
		    y/q: "yes"
		  creationTimestamp: T
		    - -c
		    - echo aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo
		      pppp
		    image: localhost/ferry-test:latest
	EOF
	sed -i 's/creationTimestamp: "[^"]*"/creationTimestamp: T/' "$TEST_TMP/got"
	diff -u "$TEST_TMP/want" "$TEST_TMP/got"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		podman_t create --name q --network none --annotation 'y=yes' --annotation 'n=0o17' --annotation 'e=' \
			--annotation 'd=2001-12-14' --annotation 'h=a #b' --annotation 's=*x' --annotation 't=a	b' \
			--annotation 'ml=line1
line2' localhost/ferry-test:latest sh -c 'echo aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp' >/dev/null
		podman_t generate kube q | sed -e 's/creationTimestamp: "[^"]*"/creationTimestamp: T/' \
			-e 's/^# Created with .*/# Created with X/' >"$TEST_TMP/podman.yaml"
		sed -e 's/creationTimestamp: "[^"]*"/creationTimestamp: T/' -e 's/^# Created with .*/# Created with X/' \
			"$TEST_TMP/q.yaml" | diff -u "$TEST_TMP/podman.yaml" -
	fi
}

@test "generate kube -f writes a new file and will not overwrite one" {
	load_test_image
	f create --name w --network none ferry-test >/dev/null
	f generate kube -f "$TEST_TMP/w.yaml" w
	grep -qx '  - image: localhost/ferry-test:latest' "$TEST_TMP/w.yaml"
	# The file ends with the YAML's last line: no empty line, as Podman's.
	[ "$(tail -c 1 "$TEST_TMP/w.yaml" | od -An -c | tr -d ' ')" = '\n' ]
	[ -n "$(tail -n 1 "$TEST_TMP/w.yaml")" ]
	run_ferry kube generate --filename "$TEST_TMP/w.yaml" w
	assert_status 125
	[ "$output" = "Error: cannot write to \"$TEST_TMP/w.yaml\"; file exists" ]
	run_ferry generate kube -f "$TEST_TMP/no/dir/w.yaml" w
	assert_status 125
	[ "$output" = "Error: cannot write to \"$TEST_TMP/no/dir/w.yaml\": open $TEST_TMP/no/dir/w.yaml: no such file or directory" ]
	[ ! -e "$TEST_TMP/no" ]
	# A user's name is read in the container's own passwd: a stopped
	# container's root is mounted where only generate sees it (no mount
	# left, no mount event), a running one's read through its process.
	f create --name u1 --network none -u nobody ferry-test >/dev/null
	f generate kube u1 | grep -qx '      runAsUser: 65534'
	! grep -q "$(f inspect --format '{{.Id}}' u1)" /proc/self/mountinfo || false
	! f events --since 1m --until 0s | grep -q 'container mount' || false
	f run -d --name u2 --network none -u nobody ferry-test sleep 100 >/dev/null
	f generate kube u2 | grep -qx '      runAsGroup: 65534'
	f rm -f -t 0 u2 >/dev/null
	# --help and `ferry help` for both names.
	f generate kube --help | grep -q -- '--podman-only'
	f help kube generate | grep -q -- '--replicas'
}

# generate spec of TOOL's containers: each step's command, exit code, and
# output as JSON with the members left out that tell the tools apart
# rather than the containers (the creating command line, Podman's SELinux
# members, which ferry has not, the name of the container variable's
# value).
spec_steps() {
	local t=$1 args rc
	while IFS= read -r args; do
		rc=0
		# shellcheck disable=SC2086
		"$t" $args >"$TEST_TMP/out" 2>&1 || rc=$?
		echo "\$ $args -> $rc"
		if [ "$rc" = 0 ] && [ "$(head -c 1 "$TEST_TMP/out")" = "{" ]; then
			python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("containerCreateCommand", "selinux_opts", "label_nested"):
    d.pop(k, None)
if d.get("env", {}).get("container") in ("podman", "ferry"):
    d["env"]["container"] = "ENGINE"
print(json.dumps(d, indent=1))' "$TEST_TMP/out"
		else
			sed -e "s#$TEST_TMP#TMP#g" "$TEST_TMP/out"
		fi
	done <<-'EOF'
		generate spec s1
		generate spec -c s2
		generate spec --name=false s1
		generate spec -n=false --compact s2
		generate spec s1-clone
		generate spec nosuch
		generate spec
		generate spec s1 s2
	EOF
}

make_spec_objects() {
	local t=$1 image=ferry-test
	[ "$t" = f ] || image=localhost/ferry-test:latest
	mkdir -p "$TEST_TMP/bind"
	"$t" create --name s1 --network none -e FOO=bar --label app=x -u 1000:1000 --memory 64m --cpus 0.5 \
		--restart always -v svol:/data -v "$TEST_TMP/bind:/mnt:ro" --umask 0077 "$image" sh -c 'echo hi' >/dev/null
	"$t" create --name s2 --network none --rm --privileged -i -t --entrypoint '["/bin/sh","-c"]' --tmpfs /tt \
		--pids-limit 100 --memory 32m --memory-swap 64m "$image" 'echo x' >/dev/null
	"$t" create --name s1-clone --network none "$image" >/dev/null
}

@test "generate spec: the SpecGenerator JSON of containers as Podman's" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	load_test_image
	make_spec_objects f
	spec_steps f >"$TEST_TMP/ferry.txt"
	# Without Podman: some of what it says.
	grep -qx ' "name": "s1-clone",' "$TEST_TMP/ferry.txt"
	grep -qx ' "name": "s1-clone1",' "$TEST_TMP/ferry.txt"
	grep -qx 'Error: could not find a pod or container with the id nosuch' "$TEST_TMP/ferry.txt"
	grep -qx 'Error: accepts 1 arg(s), received 2' "$TEST_TMP/ferry.txt"
	if command -v podman >/dev/null; then
		podman_t load -q -i "$(ferry_test_image)" >/dev/null
		make_spec_objects podman_t
		spec_steps podman_t >"$TEST_TMP/podman.txt"
		diff -u "$TEST_TMP/podman.txt" "$TEST_TMP/ferry.txt"
	fi
	# The layout: Go's json.MarshalIndent with one space, or one line.
	f generate spec s1 | sed -n '1,4p' >"$TEST_TMP/got"
	printf '%s\n' '{' ' "name": "s1-clone",' ' "command": [' '  "sh",' >"$TEST_TMP/want"
	diff -u "$TEST_TMP/want" "$TEST_TMP/got"
	[ "$(f generate spec -c s1 | wc -l)" = 1 ]
	# -f writes the file (over an old one) and prints its name.
	echo old >"$TEST_TMP/s.json"
	[ "$(f generate spec -f "$TEST_TMP/s.json" s1)" = "$TEST_TMP/s.json" ]
	python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["user"] == "1000:1000"' "$TEST_TMP/s.json"
}
