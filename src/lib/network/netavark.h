/* ferry: netavark, the program Podman sets up its networks with, run as
 * Podman runs it: `netavark --config DIR --firewall-driver nftables
 * --rootless false --aardvark-binary PATH setup|teardown NETNS` with the
 * networks and the container's options as JSON on its standard input.
 *
 * The options (what netavark reads):
 *   { "container_id": ID, "container_name": NAME,
 *     "networks": { NET: { "interface_name": "eth0", "static_ips": [IP],
 *                          "static_mac": MAC, "aliases": [] } },
 *     "network_info": { NET: <the network's definition> },
 *     "port_mappings": [] }
 * setup prints the status: { NET: { "interfaces": { "eth0": {
 *   "mac_address": MAC, "subnets": [ { "ipnet": "IP/LEN", "gateway": GW } ] } },
 *   "dns_server_ips": [], "dns_search_domains": [] } }.  */
#ifndef FERRY_NETWORK_NETAVARK_H
#define FERRY_NETWORK_NETAVARK_H

#include "../util/error.h"

#include <json-c/json.h>

struct ferry_netavark
{
  const char *binary;     /* /usr/lib/podman/netavark */
  const char *aardvark;   /* /usr/lib/podman/aardvark-dns */
  const char *config_dir; /* netavark's and aardvark-dns's state: in the runroot */
};

/* Where Debian installs them.  */
#define FERRY_NETAVARK_BINARY "/usr/lib/podman/netavark"
#define FERRY_AARDVARK_BINARY "/usr/lib/podman/aardvark-dns"

/* Attaches the network namespace bound at NETNS to the networks OPTIONS
 * names; *STATUS gets what netavark reports.  */
int ferry_netavark_setup (const struct ferry_netavark *n, const char *netns, json_object *options,
                          json_object **status, ferry_error_t *err);

/* Undoes setup (the veth pair, firewall rules, the bridge once unused).  */
int ferry_netavark_teardown (const struct ferry_netavark *n, const char *netns, json_object *options,
                             ferry_error_t *err);

/* Waits (up to a minute) for a netavark a killed ferry left running for
 * N's config dir: what the next one decides must follow what it did.  */
void ferry_netavark_wait_orphan (const struct ferry_netavark *n);

/* Tells aardvark-dns the DNS servers of network NAME (SERVERS: comma
 * separated; "" for none), as `netavark update` does.  */
int ferry_netavark_update_dns (const struct ferry_netavark *n, const char *name, const char *servers,
                               ferry_error_t *err);

#endif
