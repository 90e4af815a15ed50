#!/usr/bin/env bash
# Installs everything ferry needs to build, run and test on Debian 12, as root.
# Idempotent: a second run changes nothing.
#
# Debian 12's CRIU (3.17) cannot initialise on recent kernels, and Debian 13's
# (4.1.1) cannot dump any TCP or UDP socket on Linux >= 6.16 ("sockets: Can't
# get 1:16 opt: Operation not supported": the kernel now refuses SO_PASSCRED on
# inet sockets; fixed in CRIU 4.2).  So conmon, netavark, checkpointctl and skopeo come
# from Debian 13, and CRIU 4.2 from Debian unstable (it pulls only libcompel1,
# libnet9 and a newer libnl-3-200).  Both suites are added from the machine's
# own package source and pinned low, so nothing else moves unless asked for by
# name with `-t`.
#
# Usage: scripts/install-deps.sh [--with-podman]
#   --with-podman  also install Podman, used only as the comparison in bench/.
set -euo pipefail

with_podman=0
for arg in "$@"; do
	case "$arg" in
	--with-podman) with_podman=1 ;;
	*) echo "install-deps: unknown option '$arg'" >&2; exit 2 ;;
	esac
done

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# The first `URIs:` of the debian (not debian-security) entry is the mirror.
debian_uri() {
	local f
	for f in /etc/apt/sources.list.d/debian.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f"
		return
	done
	awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' \
		/etc/apt/sources.list 2>/dev/null
}

# Adds Debian suite $1 next to the machine's own entry, pinned at priority $2.
add_suite() {
	local suite=$1 priority=$2 uri
	local src=/etc/apt/sources.list.d/ferry-$suite.sources
	local pin=/etc/apt/preferences.d/ferry-$suite
	uri=$(debian_uri)
	if [ -z "$uri" ]; then
		echo "install-deps: cannot find the Debian package source in /etc/apt; add one first" >&2
		exit 1
	fi
	local want
	want="Types: deb
URIs: $uri
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
	if [ ! -f "$src" ] || [ "$(cat "$src")" != "$want" ]; then
		printf '%s\n' "$want" >"$src"
	fi
	printf 'Package: *\nPin: release n=%s\nPin-Priority: %s\n' "$suite" "$priority" >"$pin"
}

# scdoc turns docs/man/*.scd into the man pages at build time;
# bash-completion gives the directory the completion is installed to.
build_packages=(
	build-essential pkg-config meson ninja-build clang-format scdoc bash-completion
	libjson-c-dev libsqlite3-dev sqlite3 libarchive-dev libzstd-dev zstd
	libcurl4-openssl-dev libssl-dev libcmocka-dev libcap-dev zlib1g-dev
	libnetfilter-conntrack-dev libisal-dev libyaml-dev libsodium-dev
)
# golang-github-containers-common ships the default seccomp profile
# (/usr/share/containers/seccomp.json) every container runs under;
# catatonit is the PID 1 of run --init.  gpgv verifies and gpg makes
# simple signing signatures (signedBy policies, image sign).
runtime_packages=(golang-github-containers-common catatonit gpg gpgv)
test_packages=(
	bats busybox-static runc docker-registry iproute2 iptables jq
	util-linux file xz-utils gzip tar attr python3 time
	apache2-utils openssl curl age zsh
)
# skopeo from Debian 13: Debian 12's (1.9) cannot turn zstd OCI layers into
# a docker-archive, which the load tests do.
# openssh-server: the migrate tests run an sshd of their own on each test's
# "host"; Debian 13's, for its client is the one the trixie packages bring.
trixie_packages=(checkpointctl conmon netavark aardvark-dns skopeo openssh-server)
# nftables (netavark's firewall) from the suite of the libnftables1 that
# CRIU's dependencies bring: a mismatched pair does not install.
sid_packages=(criu nftables)

add_suite trixie 100
add_suite sid 50
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${build_packages[@]}" "${runtime_packages[@]}" "${test_packages[@]}"
apt-get install -y -qq --no-install-recommends -t trixie "${trixie_packages[@]}"
apt-get install -y -qq --no-install-recommends -t sid "${sid_packages[@]}"
if [ "$with_podman" = 1 ]; then
	apt-get install -y -qq --no-install-recommends -t trixie podman
fi

# docker-registry starts a system service on :5000 when installed; the tests run
# their own instances on loopback, so the packaged one is not needed.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
	systemctl stop docker-registry || true
fi

if ! criu check >/tmp/ferry-criu-check.$$ 2>&1; then
	cat /tmp/ferry-criu-check.$$ >&2
	rm -f /tmp/ferry-criu-check.$$
	echo "install-deps: CRIU is not usable on this kernel (criu check failed above)" >&2
	exit 1
fi
rm -f /tmp/ferry-criu-check.$$
echo "install-deps: ok ($(criu --version | head -n1 | tr -s ' '), $(runc --version | head -n1), conmon $(conmon --version | awk 'NR==1{print $3}'))"
