/* ferry: published ports, `-p [IP:][HOSTPORT:]CTRPORT[/tcp|udp]` as Podman
 * reads them (ranges too: 8080-8081:80-81; an IPv6 host address in
 * brackets: [::1]:8080:80), kept in a container's record as netavark
 * takes them:
 *   [ { "host_ip": "", "host_port": 8080, "container_port": 80,
 *       "range": 1, "protocol": "tcp" } ]
 * A host port of 0 in a spec ("-p 80") is given a free one when the
 * container is made.  */
#ifndef FERRY_NETWORK_PORTS_H
#define FERRY_NETWORK_PORTS_H

#include "../util/error.h"

#include <json-c/json.h>

/* inet_ntop's longest IPv6 text, with its NUL.  */
#define FERRY_PORTS_IP_TEXT_MAX 46

/* A host address as ferry keeps it: IPv4 dotted, IPv6 as inet_ntop and
 * Go write it, an IPv4-mapped IPv6 one as its IPv4 address.  -1 when
 * TEXT is neither (zones are refused).  */
int ferry_ports_host_ip_canonical (const char *text, char out[FERRY_PORTS_IP_TEXT_MAX]);

/* Appends the mapping SPEC describes to the array PORTS.  */
int ferry_ports_parse (const char *spec, json_object *ports, ferry_error_t *err);

/* Gives each mapping with host port 0 a free one (as the kernel hands
 * out for a socket bound to port 0).  */
int ferry_ports_assign (json_object *ports, ferry_error_t *err);

/* Checks a mapping read from an archive or the database: types, ranges.
 * Returns NULL, or why not (static text).  */
const char *ferry_ports_check (json_object *mapping);

/* Fails when a host port of PORTS is bound on this host already (by any
 * process), as ferry_ports_in_use_error says.  */
int ferry_ports_check_free (json_object *ports, ferry_error_t *err);

/* Podman's words (its Go listener's) for host port PORT of MAPPING that
 * cannot be bound for ERRNUM: "cannot listen on the TCP port: listen tcp4
 * :8080: bind: address already in use", of kind FERRY_ERROR_RUNTIME (run
 * exits 126, as Podman's).  Returns -1.  */
int ferry_ports_in_use_error (json_object *mapping, int port, int errnum, ferry_error_t *err);

/* True when mappings A and B publish a host port in common (same
 * protocol, overlapping ranges).  */
int ferry_ports_overlap (json_object *a, json_object *b);

/* "0.0.0.0:8080->80/tcp, 0.0.0.0:8081->81/tcp" as `ps` shows them;
 * "" for none.  */
char *ferry_ports_format (json_object *ports);

/* --expose PORT[-PORT][/tcp|udp|sctp]: adds "PORT/PROTO" for each port
 * to the sorted, repeat-free array EXPOSED.  Podman's words for a bad
 * one.  */
int ferry_ports_expose_parse (const char *spec, json_object *exposed, ferry_error_t *err);

/* True when TEXT is "PORT/PROTO" as ferry_ports_expose_parse writes it.  */
int ferry_ports_expose_is_valid (const char *text);

/* The exposed ports of EXPOSED that no mapping of PORTS publishes, as
 * `ps` shows them after those: "81/tcp, 90-91/udp"; "" for none.  */
char *ferry_ports_expose_format (json_object *exposed, json_object *ports);

/* True when a mapping of PORTS publishes container port PORT/PROTO.  */
int ferry_ports_publish (json_object *ports, long port, const char *proto);

#endif
