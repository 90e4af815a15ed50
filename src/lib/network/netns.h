/* ferry: network namespaces that outlive the processes that made them,
 * bound to a file as `ip netns` does, so the runtime joins them by path and
 * CRIU treats them as external on checkpoint.  */
#ifndef FERRY_NETWORK_NETNS_H
#define FERRY_NETWORK_NETNS_H

#include "../util/error.h"

/* Creates a new network namespace with its loopback up and binds it to
 * PATH (created; its directory must exist).  */
int ferry_netns_create (const char *path, ferry_error_t *err);

/* Writes the sysctls NAMES[i] ("net.ipv4.ip_forward") = VALUES[i] inside
 * the namespace bound to PATH: what the runtime does at create, and
 * what a restore must do itself, since CRIU joins the fresh namespace
 * ferry made rather than restoring the one dumped.  */
int ferry_netns_write_sysctls (const char *path, char *const *names, char *const *values, ferry_error_t *err);

/* Moves the calling thread (only it: the namespace is a thread's) into a
 * new network namespace of its own with just its loopback, up: what the
 * processes it starts listen on there cannot be reached from outside.  */
int ferry_netns_unshare_private (ferry_error_t *err);

/* Whether the network namespace at PATH has interface IFNAME: 1 or 0,
 * -1 (with *ERR) when it cannot be joined.  */
int ferry_netns_has_interface (const char *path, const char *ifname, ferry_error_t *err);

/* Unbinds and removes PATH; a missing PATH is not an error.  */
int ferry_netns_remove (const char *path, ferry_error_t *err);

#endif
