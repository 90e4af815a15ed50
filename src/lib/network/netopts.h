/* ferry: what `network create` takes beyond a subnet, strictly parsed
 * (from users, archives and the database): routes (--route), DNS servers
 * (--dns) and the bridge driver's options (-o), in the shape netavark
 * reads from a network's definition.  */
#ifndef FERRY_NETWORK_NETOPTS_H
#define FERRY_NETWORK_NETOPTS_H

#include "../util/error.h"

#include "addr.h"

#include <json-c/json.h>
#include <stdint.h>

/* A route the containers of a network get: to DESTINATION through
 * GATEWAY, with METRIC when HAS_METRIC.  IPv4, as ferry's networks.  */
struct ferry_route
{
  struct ferry_subnet destination;
  uint32_t gateway;
  uint32_t metric;
  int has_metric;
};

/* "10.20.0.0/16,10.89.0.5[,METRIC]" (--route) into *OUT.  */
int ferry_route_parse (const char *text, struct ferry_route *out, ferry_error_t *err);

/* A definition's "routes" member: { "destination", "gateway",
 * "metric"? }.  */
json_object *ferry_route_json (const struct ferry_route *r);

/* Checks a definition's "routes" array; WHAT names where it came from.  */
int ferry_routes_check (json_object *routes, const char *what, ferry_error_t *err);

/* An IPv4 or IPv6 address (--dns, network update --dns-add).  */
int ferry_dns_server_is_valid (const char *text);

/* Checks bridge option KEY=VALUE (-o), as netavark and Podman take them:
 * mtu, vlan, isolate, metric, no_default_route, mode (managed or
 * unmanaged: the bridge exists already, netavark neither makes nor
 * removes it), vrf.  */
int ferry_bridge_option_check (const char *key, const char *value, ferry_error_t *err);

/* One network's options as `--network NAME:OPTIONS` gives them, Podman's
 * comma-separated KEY=VALUE: ip= and ip6= (an IPv4 or IPv6 address either
 * way; the first of each family counts, as Podman's IPAM keeps one per
 * subnet), mac=, alias= (again for more), interface_name= (inside the
 * container), and any other KEY[=VALUE], which netavark is given as is
 * (host_interface_name= names the host's end of the pair).  Into ATT's
 * "IP", "IPv6", "MAC", "Aliases", "Interface" and "Options"; NETWORK
 * names the network in errors, which start with Podman's words.  */
int ferry_network_attach_parse (const char *network, const char *text, json_object *att, ferry_error_t *err);

/* Checks an attachment's "Options" (from a user, an archive or the
 * database): at most FERRY_ATTACH_OPTIONS_MAX string members, each key
 * and value printable without `,` (and keys without `=`), and
 * host_interface_name a valid interface name.  */
#define FERRY_ATTACH_OPTIONS_MAX 32
int ferry_network_attach_options_check (json_object *options, ferry_error_t *err);

#endif
