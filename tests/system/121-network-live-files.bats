#!/usr/bin/env bats
# network connect and disconnect of a RUNNING container change its own
# /etc/hosts and /etc/resolv.conf at once, as Podman 5.4 does: connect
# appends a line of the new address for the container's names and puts
# the network's DNS server first; disconnect takes them out again
# (rewriting the other entries, as Podman does); other containers' files,
# a file the user bound over /etc/hosts and --no-hosts are left alone;
# network reload changes nothing.  ferry's files are bound into the
# container, so they are written over the same inode; a ferry killed
# midway leaves an operation that the next command settles.  Compared
# with the transcript ferry printed once it matched Podman (kept below)
# and, where Podman is installed, with Podman run live.

load helpers
load podman-helpers

# Bridges ftu<N>, ftu<N+1000>, ftu<N+2000>, subnets 10.212.<N>.0/24 to
# 10.212.<N+2>.0/24 (scripts/test.sh's leftovers check knows them).
eval "helpers_$(declare -f setup)"
setup() {
	helpers_setup
	podman_file_locks
	N=$(net_number)
	BR1=ftu$N
	BR2=ftu$((N + 1000))
	BR3=ftu$((N + 2000))
}

teardown() {
	local b
	if [ -d "${ROOT:-/nonexistent}" ]; then f rm -af -t 0 >/dev/null 2>&1 || true; fi
	podman_teardown
	for b in ${BR1:-} ${BR2:-} ${BR3:-}; do ip link del "$b" 2>/dev/null || true; done
	ferry_teardown
}

IMG=localhost/ferry-test

# Addresses shown by network and role: gateway GWk, the containers' IPk
# (the two tools number hosts differently).
address_sed() {
	local k
	for k in 1 2 3; do
		printf 's/\\b10\\.212\\.%s\\.1\\b/GW%s/g\ns/\\b10\\.212\\.%s\\.[0-9][0-9]*\\b/IP%s/g\n' \
			"$((N + k - 1))" "$k" "$((N + k - 1))" "$k"
	done
}

# The container's own lines of its /etc/hosts (and the one it wrote), its
# /etc/resolv.conf.  The lines above them (localhost, the host's) are
# another matter, not compared here.
own_hosts() { step "$1" exec "$2" sh -c "grep -E '\\b$2\$|edited' /etc/hosts"; }
resolv() { step "$1" exec "$2" cat /etc/resolv.conf; }

live_sequence() {
	local t=$1 id
	"$t" network create --subnet "10.212.$N.0/24" --interface-name "$BR1" ln1 >/dev/null
	"$t" network create --subnet "10.212.$((N + 1)).0/24" --interface-name "$BR2" ln2 >/dev/null
	"$t" network create --subnet "10.212.$((N + 2)).0/24" --interface-name "$BR3" --disable-dns ln3 >/dev/null
	echo '192.0.2.9 mine' >"$TEST_TMP/myhosts"
	"$t" run -d --network ln1 --name c1 $IMG sleep 1000 >/dev/null
	"$t" run -d --network ln1 --name c3 $IMG sleep 1000 >/dev/null
	"$t" run -d --network ln1 --name u1 -v "$TEST_TMP/myhosts:/etc/hosts" $IMG sleep 1000 >/dev/null
	"$t" run -d --network ln1 --name u2 --no-hosts $IMG sleep 1000 >/dev/null
	"$t" create --network ln1 --name s1 $IMG sleep 1000 >/dev/null
	for c in c1 c3 u1 u2 s1; do
		id=$("$t" inspect --format '{{.Id}}' $c)
		printf 's/%s/<%s>/g\ns/%s/<%s>/g\n' "$id" $c "${id:0:12}" $c >>"$TEST_TMP/$t.sed"
	done
	# The container's own edits stay where Podman keeps them.
	"$t" exec c1 sh -c 'printf "# comment\n\n1.1.1.1    edited   x # tail\n" >>/etc/hosts
		printf "# mine\noptions ndots:2\nnameserver   192.0.2.53\n" >>/etc/resolv.conf'
	own_hosts "$t" c1
	step "$t" network connect --alias al1 ln2 c1
	own_hosts "$t" c1
	resolv "$t" c1
	step "$t" network connect ln3 c1
	own_hosts "$t" c1
	resolv "$t" c1
	step "$t" network reload c1
	own_hosts "$t" c1
	step "$t" network disconnect ln1 c1
	own_hosts "$t" c1
	resolv "$t" c1
	step "$t" network disconnect ln2 c1
	step "$t" network disconnect ln3 c1
	own_hosts "$t" c1
	resolv "$t" c1
	step "$t" network connect ln1 c1
	own_hosts "$t" c1
	resolv "$t" c1
	# Others on ln1 are not told.
	own_hosts "$t" c3
	resolv "$t" c3
	# The user's file stays the user's; --no-hosts keeps the image's (none).
	step "$t" network connect ln2 u1
	step "$t" exec u1 cat /etc/hosts
	resolv "$t" u1
	step "$t" network connect ln2 u2
	step "$t" exec u2 cat /etc/hosts
	resolv "$t" u2
	# Stopped: the next start writes them all (Podman's order is its map's).
	step "$t" network connect ln2 s1
	"$t" start s1 >/dev/null
	step_sorted "$t" exec s1 sh -c "grep -E '\\bs1\$' /etc/hosts"
	step_sorted "$t" exec s1 cat /etc/resolv.conf
	"$t" rm -f -t 0 c1 c3 u1 u2 s1 >/dev/null
	"$t" network rm ln1 ln2 ln3 >/dev/null
}

@test "network connect and disconnect of a running container change its /etc/hosts and /etc/resolv.conf as Podman's (live)" {
	load_test_image
	for t in f podman_t; do address_sed >"$TEST_TMP/$t.sed"; done
	live_sequence f
	sed -i -f "$TEST_TMP/f.sed" "$TEST_TMP/f.log"
	diff -u - "$TEST_TMP/f.log" <<'EOF'
$ exec c1 sh -c grep -E '\bc1$|edited' /etc/hosts -> 0
  out: IP1	<c1> c1
  out: 1.1.1.1    edited   x # tail
$ network connect --alias al1 ln2 c1 -> 0
$ exec c1 sh -c grep -E '\bc1$|edited' /etc/hosts -> 0
  out: IP1	<c1> c1
  out: 1.1.1.1    edited   x # tail
  out: IP2	<c1> c1
$ exec c1 cat /etc/resolv.conf -> 0
  out: search dns.podman
  out: nameserver GW2
  out: nameserver GW1
  out: nameserver 192.0.2.53
  out: options ndots:2
$ network connect ln3 c1 -> 0
$ exec c1 sh -c grep -E '\bc1$|edited' /etc/hosts -> 0
  out: IP1	<c1> c1
  out: 1.1.1.1    edited   x # tail
  out: IP2	<c1> c1
  out: IP3	<c1> c1
$ exec c1 cat /etc/resolv.conf -> 0
  out: search dns.podman
  out: nameserver GW2
  out: nameserver GW1
  out: nameserver 192.0.2.53
  out: options ndots:2
$ network reload c1 -> 0
  out: <c1>
$ exec c1 sh -c grep -E '\bc1$|edited' /etc/hosts -> 0
  out: IP1	<c1> c1
  out: 1.1.1.1    edited   x # tail
  out: IP2	<c1> c1
  out: IP3	<c1> c1
$ network disconnect ln1 c1 -> 0
$ exec c1 sh -c grep -E '\bc1$|edited' /etc/hosts -> 0
  out: 1.1.1.1	edited x
  out: IP2	<c1> c1
  out: IP3	<c1> c1
$ exec c1 cat /etc/resolv.conf -> 0
  out: search dns.podman
  out: nameserver GW2
  out: nameserver 192.0.2.53
  out: options ndots:2
$ network disconnect ln2 c1 -> 0
$ network disconnect ln3 c1 -> 0
$ exec c1 sh -c grep -E '\bc1$|edited' /etc/hosts -> 0
  out: 1.1.1.1	edited x
$ exec c1 cat /etc/resolv.conf -> 0
  out: search dns.podman
  out: nameserver 192.0.2.53
  out: options ndots:2
$ network connect ln1 c1 -> 0
$ exec c1 sh -c grep -E '\bc1$|edited' /etc/hosts -> 0
  out: 1.1.1.1	edited x
  out: IP1	<c1> c1
$ exec c1 cat /etc/resolv.conf -> 0
  out: search dns.podman
  out: nameserver GW1
  out: nameserver 192.0.2.53
  out: options ndots:2
$ exec c3 sh -c grep -E '\bc3$|edited' /etc/hosts -> 0
  out: IP1	<c3> c3
$ exec c3 cat /etc/resolv.conf -> 0
  out: search dns.podman
  out: nameserver GW1
$ network connect ln2 u1 -> 0
$ exec u1 cat /etc/hosts -> 0
  out: 192.0.2.9 mine
$ exec u1 cat /etc/resolv.conf -> 0
  out: search dns.podman
  out: nameserver GW2
  out: nameserver GW1
$ network connect ln2 u2 -> 0
$ exec u2 cat /etc/hosts -> 1
  err: cat: can't open '/etc/hosts': No such file or directory
$ exec u2 cat /etc/resolv.conf -> 0
  out: search dns.podman
  out: nameserver GW2
  out: nameserver GW1
$ network connect ln2 s1 -> 0
$ exec s1 sh -c grep -E '\bs1$' /etc/hosts -> 0
  out: IP1	<s1> s1
  out: IP2	<s1> s1
$ exec s1 cat /etc/resolv.conf -> 0
  out: nameserver GW1
  out: nameserver GW2
  out: search dns.podman dns.podman
EOF
	need_podman
	podman_t load -q -i "$(ferry_test_image)" >/dev/null
	live_sequence podman_t
	sed -i -f "$TEST_TMP/podman_t.sed" "$TEST_TMP/podman_t.log"
	diff -u "$TEST_TMP/podman_t.log" "$TEST_TMP/f.log"
}

# f killed at the fault point $1.
f_killed_at() {
	local point=$1
	shift
	run env FERRY_FAULT="$point" "$FERRY_BIN" --root "$ROOT" --runroot "$RUNROOT" "$@"
	[ "$status" -eq 137 ]
}

own_lines() { f exec "$1" sh -c "grep -E '\\b$1\$' /etc/hosts" | cut -f1 | sort | tr '\n' ' '; }
nameservers() { f exec "$1" sh -c 'grep ^nameserver /etc/resolv.conf' | cut -d' ' -f2 | tr '\n' ' '; }

@test "a live edit killed midway is settled by the next command, on the inode the container has" {
	load_test_image
	f network create --subnet "10.212.$N.0/24" --interface-name "$BR1" ln1 >/dev/null
	f network create --subnet "10.212.$((N + 1)).0/24" --interface-name "$BR2" ln2 >/dev/null
	# Its /etc/hosts bound into a chroot too: one file, both changed.
	f run -d --network ln1,ln2 --chrootdirs /chroot --name c1 $IMG sleep 1000 >/dev/null
	dir=$ROOT/containers/$(f inspect --format '{{.Id}}' c1)
	inode=$(stat -c %i "$dir/hosts")
	ip1=$(f inspect --format '{{.NetworkSettings.Networks.ln1.IPAddress}}' c1)
	ip2=$(f inspect --format '{{.NetworkSettings.Networks.ln2.IPAddress}}' c1)
	# own_lines sorts as text: 10.212.100.x comes before 10.212.99.x.
	[ "$(own_lines c1)" = "$(printf '%s\n' "$ip1" "$ip2" | sort | tr '\n' ' ')" ]
	[ "$(nameservers c1)" = "10.212.$N.1 10.212.$((N + 1)).1 " ]
	# Killed with the new content half written over the old one: the
	# file is not what it should be yet, and never shorter than that.
	f_killed_at etc-files-copying network disconnect ln1 c1
	[ -s "$dir/hosts.next" ]
	! cmp -s "$dir/hosts.next" "$dir/hosts" || false
	[ "$(stat -c %s "$dir/hosts")" -ge "$(stat -c %s "$dir/hosts.next")" ]
	# Any command settles it: the content copied, on the same inode,
	# nothing left beside it.
	f ps >/dev/null
	[ ! -e "$dir/hosts.next" ] && [ ! -e "$dir/resolv.conf.next" ]
	[ "$(stat -c %i "$dir/hosts")" = "$inode" ]
	[ "$(own_lines c1)" = "$ip2 " ]
	[ "$(nameservers c1)" = "10.212.$((N + 1)).1 " ]
	# The disconnect itself was finished by that settle.
	[ "$(f inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' c1)" = "ln2 " ]
	[ "$(own_lines c1)" = "$ip2 " ]
	# Killed between the setup and the edit: the next command adds the
	# new network's lines.
	f_killed_at network-connect-set-up network connect ln1 c1
	ip1=$(f inspect --format '{{.NetworkSettings.Networks.ln1.IPAddress}}' c1)
	[ "$(own_lines c1)" = "$(printf '%s\n' "$ip1" "$ip2" | sort | tr '\n' ' ')" ]
	[ "$(nameservers c1)" = "10.212.$N.1 10.212.$((N + 1)).1 " ]
	# Killed with the new content staged and recorded, none copied yet.
	f_killed_at etc-files-staged network disconnect ln2 c1
	[ -s "$dir/hosts.next" ]
	[ "$(own_lines c1)" = "$ip1 " ]
	[ "$(f inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' c1)" = "ln1 " ]
	[ "$(own_lines c1)" = "$ip1 " ]
	[ "$(nameservers c1)" = "10.212.$N.1 " ]
	f exec c1 cmp /etc/hosts /chroot/etc/hosts
	[ "$(stat -c %i "$dir/hosts")" = "$inode" ]
	[ -z "$(ls "$dir" | grep -F .next)" ]
	f rm -f -t 0 c1 >/dev/null
	f network rm ln1 ln2 >/dev/null
}

@test "checkpoint and restore, in place and through an archive, carry what a live connect gave the container's files" {
	load_test_image
	f network create --subnet "10.212.$N.0/24" --interface-name "$BR1" ln1 >/dev/null
	f network create --subnet "10.212.$((N + 1)).0/24" --interface-name "$BR2" ln2 >/dev/null
	f run -d --network ln1 --name c1 $IMG sleep 1000 >/dev/null
	f network connect ln2 c1
	lines=$(own_lines c1)
	[ "$(echo "$lines" | wc -w)" = 2 ]
	f container checkpoint c1 >/dev/null
	f container restore c1 >/dev/null
	[ "$(own_lines c1)" = "$lines" ]
	# Both sorted as text: 10.212.100.1 comes before 10.212.99.1.
	[ "$(nameservers c1 | tr ' ' '\n' | sort | tr '\n' ' ')" = "$(printf '%s\n' "10.212.$N.1" "10.212.$((N + 1)).1" | sort | tr '\n' ' ')" ]
	f container checkpoint --export "$TEST_TMP/c1.tar" c1 >/dev/null
	f rm -f -t 0 c1 >/dev/null
	f container restore --import "$TEST_TMP/c1.tar" >/dev/null
	[ "$(own_lines c1)" = "$lines" ]
	# And live again after the restore.
	f network disconnect ln1 c1
	[ "$(echo "$(own_lines c1)" | wc -w)" = 1 ]
	[ "$(nameservers c1)" = "10.212.$((N + 1)).1 " ]
	f rm -f -t 0 c1 >/dev/null
	f network rm ln1 ln2 >/dev/null
}
