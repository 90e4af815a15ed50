# What the network tests (06x-network*.bats) share, on top of helpers.bash.

# Removes every container of roots A and B (of the roots in NET_ROOTS,
# "root:run rootB:runB" by default) through ferry run with the command
# prefix "$@" (nsenter into a host, say), so that netavark takes down
# their veths, firewall rules, bridges and aardvark-dns.
net_remove_containers() {
	local r fr
	[ -n "${TEST_TMP:-}" ] || return 0
	for r in ${NET_ROOTS:-root:run rootB:runB}; do
		if [ -d "$TEST_TMP/${r%%:*}" ]; then
			fr=("$@" "$FERRY_BIN" --root "$TEST_TMP/${r%%:*}" --runroot "$TEST_TMP/${r#*:}")
			# shellcheck disable=SC2046
			timeout 60 "${fr[@]}" rm -f -t 0 $(timeout 10 "${fr[@]}" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
		fi
	done
}

# One TCP exchange with $1:$2 (from the network namespace of host $3, if
# given): what the server sends.
tcp_get() {
	local prefix=()
	[ -z "${3:-}" ] || prefix=(nsenter --net="/run/netns/$3")
	"${prefix[@]}" python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(data.decode().strip())
PY
}

# A server whose state lives in its shell: each connection gets the next
# number.
SERVER='i=0; while true; do i=$((i+1)); echo "count $i" | nc -l -p 8080; done'

# Waits until the server at $1:$2 (from host $3, if given) answers; prints
# its count.
net_count() {
	local out i
	for i in $(seq 1 50); do
		if out=$(tcp_get "$1" "$2" "${3:-}" 2>/dev/null) && [ -n "$out" ]; then
			echo "${out#count }"
			return 0
		fi
		sleep 0.1
	done
	echo "no answer at $1:$2" >&2
	return 1
}

ip_of() { "${3:-f}" inspect --format "{{.NetworkSettings.Networks.$2.IPAddress}}" "$1"; }
mac_of() { "${3:-f}" inspect --format "{{.NetworkSettings.Networks.$2.MacAddress}}" "$1"; }

# Two "hosts" ($HA and $HB: network namespaces the test made, each with a
# ferry root of its own) for the tests that move containers between them.
# ferry runs in a host's network namespace only: files stay shared.

# ferry on host A (root, run) and host B (rootB, runB).
fa() { nsenter --net="/run/netns/$HA" "$FERRY_BIN" --root "$TEST_TMP/root" --runroot "$TEST_TMP/run" "$@"; }
fbh() { nsenter --net="/run/netns/$HB" "$FERRY_BIN" --root "$TEST_TMP/rootB" --runroot "$TEST_TMP/runB" "$@"; }

# hosts_setup: the two hosts joined by a veth pair (10.206.<N>.1 and .2),
# with the test image loaded on both.  Host B runs an sshd of the test's own
# (Debian's openssh-server) that listens only on its end of the veth, with a
# host key and a user key made here; host A reaches it through
# FERRY_SSH_COMMAND with an ssh config of the test's own (which sends
# FERRY_* variables), so no file of the machine's ssh set-up is read or
# changed.  ferry there is this build, through the PATH sshd gives its
# sessions.  DEST is ssh://root@<B's address>.
hosts_setup() {
	N=$(net_number)
	HA=ferry-test-ma-$N
	HB=ferry-test-mb-$N
	A_IP=10.206.$N.1
	B_IP=10.206.$N.2
	ip netns add "$HA"
	ip netns add "$HB"
	ip -n "$HA" link set lo up
	ip -n "$HB" link set lo up
	ip link add "fma$N" netns "$HA" type veth peer name "fmb$N" netns "$HB"
	ip -n "$HA" addr add "$A_IP/30" dev "fma$N"
	ip -n "$HB" addr add "$B_IP/30" dev "fmb$N"
	ip -n "$HA" link set "fma$N" up
	ip -n "$HB" link set "fmb$N" up

	local s=$TEST_TMP/ssh
	mkdir -p "$s" "$TEST_TMP/bin" /run/sshd
	ln -s "$FERRY_BIN" "$TEST_TMP/bin/ferry"
	ssh-keygen -q -t ed25519 -N '' -C ferry-test-host -f "$s/host_key"
	ssh-keygen -q -t ed25519 -N '' -C ferry-test-user -f "$s/user_key"
	cp "$s/user_key.pub" "$s/authorized_keys"
	cat >"$s/sshd_config" <<-EOF
		ListenAddress $B_IP
		HostKey $s/host_key
		AuthorizedKeysFile $s/authorized_keys
		PermitRootLogin prohibit-password
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		StrictModes no
		PidFile $s/sshd.pid
		ClientAliveInterval 1
		ClientAliveCountMax 3
		AcceptEnv FERRY_*
		SetEnv PATH=$TEST_TMP/bin:/usr/sbin:/usr/bin:/sbin:/bin
	EOF
	echo "$B_IP $(cut -d' ' -f1,2 "$s/host_key.pub")" >"$s/known_hosts"
	cat >"$s/config" <<-EOF
		Host *
		  IdentityFile $s/user_key
		  IdentitiesOnly yes
		  UserKnownHostsFile $s/known_hosts
		  StrictHostKeyChecking yes
		  BatchMode yes
		  SendEnv FERRY_*
	EOF
	sshd_start
	# Options on the command line win over ferry's own (a quick keepalive,
	# so that a cut link is noticed in seconds).
	export FERRY_SSH_COMMAND="ssh -F $s/config -o ServerAliveInterval=1 -o ServerAliveCountMax=2"
	DEST=ssh://root@$B_IP
	fa load -q -i "$(ferry_test_image)"
	fbh load -q -i "$(ferry_test_image)"
}

sshd_start() {
	nsenter --net="/run/netns/$HB" /usr/sbin/sshd -f "$TEST_TMP/ssh/sshd_config" -E "$TEST_TMP/ssh/sshd.log"
	wait_until "nsenter --net=/run/netns/$HA bash -c 'echo >/dev/tcp/$B_IP/22' 2>/dev/null"
}

sshd_stop() {
	kill "$(cat "$TEST_TMP/ssh/sshd.pid")"
	wait_until "! nsenter --net=/run/netns/$HA bash -c 'echo >/dev/tcp/$B_IP/22' 2>/dev/null"
}

# teardown for such a test: each host's containers through ferry in its
# namespace (so that netavark takes their set-up down), the test's files,
# then the namespaces, with whatever bridges and rules were left in them.
hosts_teardown() {
	if [ -n "${HA:-}" ]; then
		NET_ROOTS=root:run net_remove_containers nsenter --net="/run/netns/$HA"
		NET_ROOTS=rootB:runB net_remove_containers nsenter --net="/run/netns/$HB"
	fi
	ferry_teardown
	if [ -n "${HA:-}" ]; then
		ip netns del "$HA" 2>/dev/null || true
		ip netns del "$HB" 2>/dev/null || true
	fi
}
