/* ferry: the settings an administrator gives ferry.conf, a small subset of
 * the TOML that Podman's containers.conf uses:
 *
 *   [containers]
 *   netns = "bridge"                  # run/create without --network: bridge,
 *                                     # none or host ("private" = bridge)
 *   [network]
 *   default_subnet = "10.88.0.0/16"   # of the default network, `ferry`
 *   default_interface = "ferry0"      # its bridge
 *   [checkpoint]
 *   podman_volume_path = "/var/lib/containers/storage/volumes"
 *                                     # where the Podman that restores
 *                                     # ferry's archives keeps volumes
 *
 * Read from $FERRY_CONFIG, else /etc/ferry/ferry.conf when that exists.
 * The default network takes these when it is first used in a root and
 * keeps what it took.  */
#ifndef FERRY_ENGINE_CONFIG_H
#define FERRY_ENGINE_CONFIG_H

#include "../util/error.h"

#define FERRY_CONFIG_DEFAULT_PATH "/etc/ferry/ferry.conf"

struct ferry_config
{
  char *netns;             /* "bridge", "none" or "host" */
  char *default_subnet;    /* NULL: 10.88.0.0/16, else the first free of 10.89.N.0/24 */
  char *default_interface; /* NULL: ferry0 */
  /* Written into an archive's spec.dump as its volumes' directory, which
   * Podman's restore binds as it stands.  NULL: Podman's default.  */
  char *podman_volume_path;
  char *path; /* the file read, NULL when there was none */
};

#define FERRY_CONFIG_PODMAN_VOLUME_PATH "/var/lib/containers/storage/volumes"

/* Reads PATH into *OUT, every value checked.  PATH NULL: the default path,
 * or the built-in settings when it does not exist.  */
int ferry_config_load (const char *path, struct ferry_config *out, ferry_error_t *err);
void ferry_config_release (struct ferry_config *c);

#endif
