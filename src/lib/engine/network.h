/* ferry: bridge networks of one root, set up by netavark.
 *
 *   networks table           name, id, and the definition netavark reads,
 *                            in the JSON shape of Podman's networks
 *                            (/etc/containers/networks/NAME.json):
 *     { "name", "id", "driver": "bridge"|"macvlan"|"ipvlan", "network_interface", "created",
 *       "subnets": [ { "subnet", "gateway", "lease_range"?: { "start_ip",
 *       "end_ip" } } ] (IPv4, then for a dual-stack network IPv6),
 *       "routes"?, "ipv6_enabled", "internal", "dns_enabled",
 *       "network_dns_servers"?, "ipam_options": { "driver": "host-local" },
 *       "labels"?, "options"? }
 *   network_addresses table  which container holds which address where;
 *                            rows go with their container (rm releases).
 *
 * Addresses are ferry's own (its IPAM), handed out in the same transaction
 * that records the container: none is given twice, and none outlives a
 * container that was never made.  A container's record keeps, per
 * network, the addresses and MAC it holds ("Networks": { NET: { "IP",
 * "IPv6"?, "MAC" } }), which every start and restore asks netavark for.  */
#ifndef FERRY_ENGINE_NETWORK_H
#define FERRY_ENGINE_NETWORK_H

#include "engine.h"

#include <json-c/json.h>

struct ferry_container;

/* What `--network bridge` (Podman's word for it) attaches to: made on
 * first use, 10.88.0.0/16 on bridge ferry0, without DNS, as Podman's
 * default network is.  It cannot be removed.  */
#define FERRY_DEFAULT_NETWORK "ferry"

struct ferry_network_create_options
{
  const char *name;
  const char *driver;         /* NULL: bridge */
  const char *subnet;         /* NULL: the first free 10.89.N.0/24 */
  const char *gateway;        /* NULL: the subnet's first address */
  const char *ip_range;       /* NULL: the whole subnet */
  const char *interface_name; /* NULL: the first free ferryN */
  int internal;
  int disable_dns;
  char **labels;      /* "K=V" */
  char **options;     /* -o K=V: macvlan's and ipvlan's parent (required), mode, mtu;
                   * bridge: mtu, vlan, isolate, metric, no_default_route,
                   * com.docker.network.bridge.name (the interface) */
  char **dns_servers; /* --dns: where aardvark-dns forwards; NULL: none */
  /* Dual stack: --ipv6, or an IPv6 --subnet (with an IPv4 one, or
   * --ipv6).  NULL subnet6 with IPV6: a random unique local /64.  */
  int ipv6;
  const char *subnet6;
  const char *gateway6;    /* NULL: the subnet's first address */
  const char *ip_range6;   /* NULL: the whole subnet */
  const char *ipam_driver; /* NULL, host-local: ferry's addresses; none: no subnet, no addresses */
  char **routes;           /* --route DEST,GW[,METRIC] */
};

int ferry_network_name_is_valid (const char *name);

/* Creates the network; *OUT (may be NULL) gets its definition.  Name
 * taken: kind EXISTS; an overlapping subnet or a bad option: an error
 * naming it.  */
int ferry_network_create (ferry_engine_t *e, const struct ferry_network_create_options *o, json_object **out,
                          ferry_error_t *err);

/* The definition of network NAME.  Not found: kind NOT_FOUND.  */
int ferry_network_get (ferry_engine_t *e, const char *name, json_object **out, ferry_error_t *err);

/* All definitions, an array sorted by name.  */
int ferry_network_list (ferry_engine_t *e, json_object **out, ferry_error_t *err);

/* The IDs of the containers attached to NAME (NULL-terminated).  */
char **ferry_network_users (ferry_engine_t *e, const char *name, ferry_error_t *err);

/* Removes NAME.  Containers attached: kind IN_USE naming one, unless
 * FORCE (the caller removes them first).  */
/* Records the default network (see ensure_default) unless it is there, so
 * that it shows in ls and inspect before anything uses it, as Podman's.  */
int ferry_network_ensure_default (ferry_engine_t *e, ferry_error_t *err);

int ferry_network_remove (ferry_engine_t *e, const char *name, int force, ferry_error_t *err);

struct ferry_stop_report;

/* Told of a container that network rm -f's stop ended with SIGKILL: its
 * NAME and how the stop went.  */
typedef void (*ferry_network_killed_fn) (const char *name, const struct ferry_stop_report *report);

/* As ferry_network_remove, where FORCE kills the network's containers at
 * once (system reset's way); here each is stopped as
 * ferry_container_remove_stopping stops it with TIMEOUT
 * (FERRY_STOP_TIMEOUT_OWN: its own stop timeout), and KILLED, when not
 * NULL, is told of each that needed SIGKILL.  */
int ferry_network_remove_timeout (ferry_engine_t *e, const char *name, int force, int timeout,
                                  ferry_network_killed_fn killed, ferry_error_t *err);

/* network update: adds the DNS servers of ADD (NULL-terminated, may be
 * NULL) to NAME's and drops those of DROP; running containers' aardvark-dns
 * learns them at once.  */
int ferry_network_update_dns (ferry_engine_t *e, const char *name, char **add, char **drop,
                              ferry_error_t *err);

/* Checks DEF, a definition from an archive, as create checks options.  */
int ferry_network_definition_check (json_object *def, const char *what, ferry_error_t *err);

/* Makes sure network NAME exists here for a restore: when it does, its
 * subnet must be DEF's (else an error naming both); when not, it is
 * created from DEF (checked) and *CREATED set.  */
int ferry_network_adopt (ferry_engine_t *e, const char *name, json_object *def, int *created,
                         ferry_error_t *err);

/* ---- containers ---------------------------------------------------------- */

/* Hands out the addresses container ID asks for in NETWORKS (its
 * record's "Networks"): a given "IP" is checked and taken, else the next
 * free one; a missing "MAC" is made.  Both are written into NETWORKS.
 * Inside the caller's transaction.  An address another container holds:
 * an error naming that container.  */
int ferry_network_reserve (ferry_engine_t *e, const char *id, json_object *networks, ferry_error_t *err);

/* Attaches the network namespace NETNS to the container's networks;
 * *STATUS gets netavark's report (interfaces, addresses, DNS servers).  */
int ferry_network_setup (ferry_engine_t *e, const struct ferry_container *c, const char *netns,
                         json_object **status, ferry_error_t *err);

/* Undoes setup; tolerates having been done.  */
int ferry_network_teardown (ferry_engine_t *e, const struct ferry_container *c, const char *netns,
                            ferry_error_t *err);

/* The settle of a connect killed between its record and the save of
 * netavark's report: network NAME of running container C set up when
 * its interface is not in C's namespace, or set up anew when it is but
 * the report lacks it (so that its lines can go into C's files), or,
 * when the setup fails, taken out of C's record.  */
void ferry_network_connect_finish (ferry_engine_t *e, struct ferry_container *c, const char *name);

struct ferry_operation;

/* The disconnect of container C from network NAME, recorded as OP (an
 * "etc-files" record with action "disconnect"), done from wherever it
 * stopped, and always forward: once recorded, a disconnect killed
 * anywhere (even before its edit of the files or the teardown) is
 * finished by the next command, as it was asked for, rather than
 * undone; a connect puts the network back.  The network's lines out of
 * C's /etc/hosts and /etc/resolv.conf, its interface torn down when it
 * is still in C's namespace, its report dropped, and NAME out of C's
 * record with the end of OP, in one transaction.  On failure OP stays
 * recorded, the caller's.  */
int ferry_network_disconnect_finish (ferry_engine_t *e, struct ferry_container *c, struct ferry_operation *op,
                                     const char *name, ferry_error_t *err);

/* Waits for a netavark that a killed ferry left working on this runroot's
 * networks: what the namespaces and aardvark-dns hold is known after.  */
void ferry_network_wait_orphan (ferry_engine_t *e);

/* `inspect`'s NetworkSettings of the container whose record is REC, as
 * Podman shows them: per network its address, prefix, gateway and MAC;
 * the same at the top for the default network only.  */
json_object *ferry_network_settings_json (ferry_engine_t *e, json_object *rec);

/* The published ports of REC as Podman shows them (NetworkSettings.Ports
 * and HostConfig.PortBindings): { "80/tcp": [ { "HostIp", "HostPort" } ] }.  */
json_object *ferry_network_ports_json (json_object *rec);

/* network.status of a checkpoint archive: per network what netavark
 * reported (Podman's shape: "interfaces" -> "eth0" -> "mac_address",
 * "subnets" [ { "ipnet", "gateway" } ]), and under "ferry_definition"
 * the network's definition, so that a target lacking it can make it.  */
json_object *ferry_network_status_json (ferry_engine_t *e, json_object *rec, ferry_error_t *err);

/* Adds to each network of STATUS (ferry_network_status_json's) under
 * "ferry_conntrack" the host's tracked connections into the container
 * through its published ports (network/conntrack.h), for a checkpoint
 * with --tcp-established.  */
int ferry_network_conntrack_save (json_object *rec, json_object *status, ferry_error_t *err);

/* Checks the "ferry_conntrack" members of an archive's network.status:
 * arrays of entries, each well formed.  */
int ferry_network_conntrack_check (json_object *status, ferry_error_t *err);

/* Puts back the tracked connections of STATUS (an archive's
 * network.status, checked) that fit C as it is now: to its address on
 * that network, through a port it publishes now.  Those of another
 * address (a copy, --ignore-static-ip) or port (--publish) are left out.  */
int ferry_network_conntrack_restore (ferry_engine_t *e, const struct ferry_container *c, json_object *status,
                                     ferry_error_t *err);

struct ferry_network_connect_options
{
  const char *ip;  /* NULL: the next free */
  const char *ip6; /* on a network with IPv6: this address; NULL: the next free */
  const char *mac; /* NULL: a random one */
  char **aliases;  /* NULL-terminated; may be NULL */
};

/* Attaches container REF to network NAME: recorded with its address,
 * and, while it runs, set up in its namespace at once.  A container not
 * on bridge networks, or on NAME already: an error.  */
int ferry_network_connect (ferry_engine_t *e, const char *ref, const char *name,
                           const struct ferry_network_connect_options *o, ferry_error_t *err);

/* Detaches container REF from network NAME and releases its address
 * there; the last network gone, the container has loopback only.  */
int ferry_network_disconnect (ferry_engine_t *e, const char *ref, const char *name, ferry_error_t *err);

/* network reload: puts back what netavark set up for running container
 * REF (firewall rules and port forwarding, after something flushed
 * them), keeping its addresses and MACs; *ID gets its full ID.  Not
 * running: kind STATE.  */
int ferry_network_reload (ferry_engine_t *e, const char *ref, char **id, ferry_error_t *err);

/* True when the record attaches the container to bridge networks.  */
int ferry_network_record_bridged (json_object *rec);

/* True when the container runs in Podman's bridge mode: in a network
 * namespace of ferry's to which netavark attaches its networks, none at
 * all once it has left the last (network disconnect), until it joins
 * one again (network connect).  */
int ferry_network_record_bridge_mode (json_object *rec);

/* The resolver settings of a container's resolv.conf, as Podman makes
 * them: containers.conf's dns_servers, dns_searches or dns_options
 * (KEY "Dns", "DnsSearch" or "DnsOptions"), then the container's own; a
 * --dns-search of "." stands alone.  Servers that are no address are left
 * out.  NULL-terminated, the caller's to free.  */
char **ferry_network_resolver_list (ferry_engine_t *e, json_object *rec, const char *key);

#endif
