# What the tests that compare ferry with Podman share, on top of
# helpers.bash: Podman with roots, a tmpdir and network definitions of the
# test's own (runc, cgroupfs, as bench/ runs it), skipping where Podman is
# absent, and a teardown that removes what Podman made, even when the test
# failed.

# PODMAN_EVENTS: its events backend, none unless the test reads events.
podman_t() {
	mkdir -p "$TEST_TMP/ptmp" "$TEST_TMP/pnet"
	PODMAN_IGNORE_CGROUPSV1_WARNING=1 podman --root "$TEST_TMP/proot" --runroot "$TEST_TMP/prun" \
		--tmpdir "$TEST_TMP/ptmp" --network-config-dir "$TEST_TMP/pnet" --cgroup-manager cgroupfs \
		--events-backend "${PODMAN_EVENTS:-none}" --runtime runc "$@"
}

need_podman() {
	command -v podman >/dev/null || skip "Podman is not installed (scripts/install-deps.sh --with-podman)"
}

podman_teardown() {
	if [ -n "${TEST_TMP:-}" ] && [ -d "$TEST_TMP/proot" ]; then
		podman_t rm -af -t 0 >/dev/null 2>&1 || true
		podman_t volume rm -af >/dev/null 2>&1 || true
		podman_t rmi -af >/dev/null 2>&1 || true
	fi
}
