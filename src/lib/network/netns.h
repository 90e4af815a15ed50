/* ferry: network namespaces that outlive the processes that made them,
 * bound to a file as `ip netns` does, so the runtime joins them by path and
 * CRIU treats them as external on checkpoint.  */
#ifndef FERRY_NETWORK_NETNS_H
#define FERRY_NETWORK_NETNS_H

#include "../util/error.h"

/* Creates a new network namespace with its loopback up and binds it to
 * PATH (created; its directory must exist).  */
int ferry_netns_create (const char *path, ferry_error_t *err);

/* Unbinds and removes PATH; a missing PATH is not an error.  */
int ferry_netns_remove (const char *path, ferry_error_t *err);

#endif
