/* ferry: the host's tracking of connections into a container (netfilter's
 * conntrack, through ctnetlink).  A connection through a published port is
 * address-translated twice on the host (to the container's address, and for
 * a local client from 127.0.0.1 to the bridge's gateway), and the
 * translation lives only in its conntrack entry.  When the container's
 * network is taken down (export, rm) and set up again (import), the entry
 * must come back before the container sends: otherwise its next segment,
 * addressed to the gateway, meets no translation and is answered with a
 * reset.  So a checkpoint with --tcp-established saves these entries and
 * the restore puts them back.  */
#ifndef FERRY_NETWORK_CONNTRACK_H
#define FERRY_NETWORK_CONNTRACK_H

#include "../util/error.h"

#include <json-c/json.h>
#include <stdint.h>

/* One tracked TCP connection: the tuple as the client sent it (ORIG) and as
 * the container answers (REPLY); addresses in host order.  */
struct ferry_conntrack_entry
{
  uint32_t orig_src, orig_dst, reply_src, reply_dst;
  uint16_t orig_sport, orig_dport, reply_sport, reply_dport;
  uint32_t timeout; /* seconds left */
};

/* The largest timeout put back: the kernel's default for an established
 * TCP connection (5 days).  */
#define FERRY_CONNTRACK_TIMEOUT_MAX 432000u

/* Appends to *OUT (NULL: a new array) every translated TCP connection whose
 * answers come from IP, as JSON objects (ferry_conntrack_entry_json).  */
int ferry_conntrack_save (uint32_t ip, json_object **out, ferry_error_t *err);

/* Creates the entry E: ESTABLISHED, with its address translation, in this
 * network namespace.  One there already with the same tuple is kept.  */
int ferry_conntrack_insert (const struct ferry_conntrack_entry *e, ferry_error_t *err);

json_object *ferry_conntrack_entry_json (const struct ferry_conntrack_entry *e);

/* Reads J (untrusted: from an archive) into *E; -1 when it is not one.  */
int ferry_conntrack_entry_parse (json_object *j, struct ferry_conntrack_entry *e);

#endif
