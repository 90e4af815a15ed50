/* ferry: bridge networks and their addresses (see network.h).  */
#include "network.h"
#include "internal.h"
#include "etc_files.h"
#include "operation.h"
#include "../network/addr.h"
#include "../network/addr6.h"
#include "../network/conntrack.h"
#include "../network/dns.h"
#include "../network/netavark.h"
#include "../network/netns.h"
#include "../network/netopts.h"
#include "../network/ports.h"
#include "../state/db.h"
#include "../state/lock.h"
#include "../util/fs.h"
#include "../util/cleanup.h"
#include "../util/hash.h"
#include "../util/fault.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where networks made without --subnet get theirs: 10.89.N.0/24, as
 * Podman's default pool.  */
#define POOL_BASE 0x0a590000u /* 10.89.0.0 */
#define POOL_SUBNETS 256
#define IFNAME_PREFIX "ferry"

/* Network modes that are not network names (Podman refuses them too).  */
static const char *const RESERVED[]
    = { "none", "host", "bridge", "private", "default", "slirp4netns", "pasta", "ns", "container", NULL };

int
ferry_network_name_is_valid (const char *name)
{
  size_t i;

  if (! ferry_container_name_is_valid (name) || strlen (name) > 200)
    return 0;
  for (i = 0; RESERVED[i]; i++)
    if (strcmp (name, RESERVED[i]) == 0)
      return 0;
  return 1;
}

/* ---- what a definition holds ------------------------------------------- */

/* A network's IPv6 subnets: /64 to /120 (addr6.h).  */
#define SUBNET6_MIN_PREFIX 64
#define SUBNET6_MAX_PREFIX 120

struct netdef
{
  const char *name;
  const char *ifname;
  struct ferry_subnet subnet;
  uint32_t gateway;
  uint32_t first, last; /* the addresses containers get */
  /* --ipam-driver none: no subnet, no addresses.  */
  int no_ipam;
  /* Dual stack: the IPv6 subnet beside the IPv4 one, when HAS6.  */
  int has6;
  struct ferry_subnet6 subnet6;
  struct ferry_ip6 gateway6;
  uint64_t first6, last6; /* offsets in SUBNET6 of the addresses containers get */
};

/* The first and last offset a container may get in S: after the
 * subnet's own address (the last one is a host too in IPv6).  */
static void
subnet6_hosts (const struct ferry_subnet6 *s, uint64_t *first, uint64_t *last)
{
  *first = 1;
  *last = ferry_subnet6_last_offset (s);
}

/* Reads the parts of DEF (checked already) that addresses need.  */
static void
netdef_of (json_object *def, struct netdef *d)
{
  json_object *subnets = ferry_json_get_array (def, "subnets");

  memset (d, 0, sizeof (*d));
  d->name = ferry_json_get_string (def, "name");
  d->ifname = ferry_json_get_string (def, "network_interface");
  d->no_ipam = ferry_json_string_equals (ferry_json_get_object (def, "ipam_options"), "driver", "none");
  for (size_t i = 0; i < ferry_json_array_length (subnets); i++)
    {
      json_object *sn = json_object_array_get_idx (subnets, i);
      json_object *range = ferry_json_get_object (sn, "lease_range");
      struct ferry_subnet6 s6;
      struct ferry_ip6 ip6;

      if (ferry_subnet6_parse (ferry_json_get_string (sn, "subnet"), SUBNET6_MIN_PREFIX, SUBNET6_MAX_PREFIX,
                               &s6)
          == 0)
        {
          d->has6 = 1;
          d->subnet6 = s6;
          ferry_ip6_parse (ferry_json_get_string (sn, "gateway"), &d->gateway6);
          subnet6_hosts (&s6, &d->first6, &d->last6);
          if (range && ferry_ip6_parse (ferry_json_get_string (range, "start_ip"), &ip6) == 0)
            d->first6 = ferry_subnet6_offset (&s6, &ip6);
          if (range && ferry_ip6_parse (ferry_json_get_string (range, "end_ip"), &ip6) == 0)
            d->last6 = ferry_subnet6_offset (&s6, &ip6);
          continue;
        }
      ferry_subnet_parse (ferry_json_get_string (sn, "subnet"), &d->subnet);
      ferry_ip_parse (ferry_json_get_string (sn, "gateway"), &d->gateway);
      d->first = ferry_subnet_first_host (&d->subnet);
      d->last = ferry_subnet_last_host (&d->subnet);
      if (range)
        {
          ferry_ip_parse (ferry_json_get_string (range, "start_ip"), &d->first);
          ferry_ip_parse (ferry_json_get_string (range, "end_ip"), &d->last);
          /* Podman's range may end on the broadcast address.  */
          if (d->last > ferry_subnet_last_host (&d->subnet))
            d->last = ferry_subnet_last_host (&d->subnet);
        }
    }
}

static int
bad_def (ferry_error_t *err, const char *what, const char *field, const char *why)
{
  return ferry_make_error (err, 0, "%s: network field `%s` %s", what, field, why);
}

static int
is_string_map (json_object *o)
{
  if (! json_object_is_type (o, json_type_object))
    return 0;
  json_object_object_foreach (o, k, v)
  {
    (void) k;
    if (! json_object_is_type (v, json_type_string))
      return 0;
  }
  return 1;
}

static int
check_subnet_fields (json_object *sn, const char *what, ferry_error_t *err)
{
  if (! json_object_is_type (sn, json_type_object))
    return bad_def (err, what, "subnets", "must hold objects");
  json_object_object_foreach (sn, key, unused)
  {
    (void) unused;
    if (strcmp (key, "subnet") != 0 && strcmp (key, "gateway") != 0 && strcmp (key, "lease_range") != 0)
      return bad_def (err, what, "subnets", "holds a field ferry does not know");
  }
  return 0;
}

static int
check_subnet6 (json_object *sn, const char *what, ferry_error_t *err)
{
  json_object *range = json_object_object_get (sn, "lease_range");
  struct ferry_subnet6 s;
  struct ferry_ip6 gw, a, b;
  uint64_t first, last;

  ferry_subnet6_parse (ferry_json_get_string (sn, "subnet"), SUBNET6_MIN_PREFIX, SUBNET6_MAX_PREFIX, &s);
  subnet6_hosts (&s, &first, &last);
  if (ferry_ip6_parse (ferry_json_get_string (sn, "gateway"), &gw) < 0 || ! ferry_subnet6_contains (&s, &gw)
      || ferry_subnet6_offset (&s, &gw) < first)
    return bad_def (err, what, "subnets[1].gateway", "is not an address inside the IPv6 subnet");
  if (range
      && (! json_object_is_type (range, json_type_object)
          || ferry_ip6_parse (ferry_json_get_string (range, "start_ip"), &a) < 0
          || ferry_ip6_parse (ferry_json_get_string (range, "end_ip"), &b) < 0
          || ! ferry_subnet6_contains (&s, &a) || ! ferry_subnet6_contains (&s, &b)
          || ferry_subnet6_offset (&s, &a) < first
          || ferry_subnet6_offset (&s, &a) > ferry_subnet6_offset (&s, &b)))
    return bad_def (err, what, "subnets[1].lease_range",
                    "is not a range of addresses inside the IPv6 subnet");
  return 0;
}

/* One IPv4 subnet, and at most one IPv6 subnet (dual stack).  *HAS6 tells
 * which.  */
static int
check_subnets (json_object *subnets, const char *what, int *has6, ferry_error_t *err)
{
  json_object *sn = NULL, *range;
  struct ferry_subnet s;
  struct ferry_subnet6 s6;
  uint32_t gw, a, b;
  size_t n4 = 0;

  *has6 = 0;
  if (! json_object_is_type (subnets, json_type_array) || json_object_array_length (subnets) < 1
      || json_object_array_length (subnets) > 2)
    return bad_def (err, what, "subnets", "must hold one IPv4 subnet, and an IPv6 one or none");
  for (size_t i = 0; i < json_object_array_length (subnets); i++)
    {
      json_object *one = json_object_array_get_idx (subnets, i);

      if (check_subnet_fields (one, what, err) < 0)
        return -1;
      if (ferry_subnet6_parse (ferry_json_get_string (one, "subnet"), SUBNET6_MIN_PREFIX, SUBNET6_MAX_PREFIX,
                               &s6)
          == 0)
        {
          if ((*has6)++)
            return bad_def (err, what, "subnets", "holds two IPv6 subnets");
          if (check_subnet6 (one, what, err) < 0)
            return -1;
          continue;
        }
      n4++;
      sn = one;
    }
  if (n4 != 1)
    return bad_def (err, what, "subnets",
                    "must hold exactly one IPv4 subnet (and IPv6 subnets of /64 to /120 only)");
  if (ferry_subnet_parse (ferry_json_get_string (sn, "subnet"), &s) < 0 || s.prefix < 8 || s.prefix > 30)
    return bad_def (err, what, "subnets[0].subnet", "is not an IPv4 subnet of /8 to /30");
  if (ferry_ip_parse (ferry_json_get_string (sn, "gateway"), &gw) < 0 || gw < ferry_subnet_first_host (&s)
      || gw > ferry_subnet_last_host (&s))
    return bad_def (err, what, "subnets[0].gateway", "is not an address inside the subnet");
  range = json_object_object_get (sn, "lease_range");
  if (range)
    {
      if (! json_object_is_type (range, json_type_object)
          || ferry_ip_parse (ferry_json_get_string (range, "start_ip"), &a) < 0
          || ferry_ip_parse (ferry_json_get_string (range, "end_ip"), &b) < 0 || a > b
          || a < ferry_subnet_first_host (&s) || ! ferry_subnet_contains (&s, b))
        return bad_def (err, what, "subnets[0].lease_range", "is not a range of addresses inside the subnet");
    }
  return 0;
}

/* The drivers whose network is a host interface's link (its parent)
 * rather than a bridge of ferry's: macvlan and ipvlan, which take the
 * same options but for their modes.  */
static int
is_link_driver (const char *driver)
{
  return driver && (strcmp (driver, "macvlan") == 0 || strcmp (driver, "ipvlan") == 0);
}

static int
def_is_link_driver (json_object *def)
{
  return is_link_driver (ferry_json_get_string (def, "driver"));
}

static int
link_mode_is_valid (const char *driver, const char *mode)
{
  static const char *const macvlan[] = { "bridge", "private", "vepa", "passthru", NULL };
  static const char *const ipvlan[] = { "l2", "l3", "l3s", NULL };
  const char *const *modes = strcmp (driver, "ipvlan") == 0 ? ipvlan : macvlan;

  for (size_t i = 0; modes[i]; i++)
    if (strcmp (modes[i], mode) == 0)
      return 1;
  return 0;
}

static const char *
link_modes_text (const char *driver)
{
  return strcmp (driver, "ipvlan") == 0 ? "l2, l3 or l3s" : "bridge, private, vepa or passthru";
}

/* One -o option KEY=VALUE of a DRIVER (macvlan or ipvlan) network, as
 * netavark takes them for both: its driver's mode, and mtu, metric and
 * no_default_route as a bridge's; in Podman's words when wrong.  The
 * parent is the network's interface, never an option.  */
static int
link_option_check (const char *driver, const char *key, const char *value, ferry_error_t *err)
{
  if (strcmp (key, "mode") == 0)
    {
      if (! link_mode_is_valid (driver, value))
        return ferry_make_error (err, 0, "unknown %s mode \"%s\": give -o mode=%s", driver, value,
                                 link_modes_text (driver));
      return 0;
    }
  if (strcmp (key, "mtu") == 0 || strcmp (key, "metric") == 0 || strcmp (key, "no_default_route") == 0)
    return ferry_bridge_option_check (key, value, err);
  return ferry_make_error (err, 0,
                           "unsupported %s network option %s: ferry's are parent, mode, mtu, metric and "
                           "no_default_route",
                           driver, key);
}

int
ferry_network_definition_check (json_object *def, const char *what, ferry_error_t *err)
{
  static const char *const known[] = { "name",
                                       "id",
                                       "driver",
                                       "network_interface",
                                       "created",
                                       "subnets",
                                       "ipv6_enabled",
                                       "internal",
                                       "dns_enabled",
                                       "ipam_options",
                                       "labels",
                                       "options",
                                       "network_dns_servers",
                                       "routes",
                                       NULL };
  const char *s;
  json_object *v, *dns, *routes;
  int has6 = 0;

  if (! json_object_is_type (def, json_type_object))
    return ferry_make_error (err, 0, "%s: a network definition is not a JSON object", what);
  json_object_object_foreach (def, key, unused)
  {
    size_t i;
    (void) unused;
    for (i = 0; known[i] && strcmp (known[i], key) != 0; i++)
      ;
    if (known[i] == NULL)
      return bad_def (err, what, "(unknown)", "is not a field this ferry knows");
  }
  s = ferry_json_get_string (def, "name");
  if (s == NULL || ! ferry_network_name_is_valid (s))
    return bad_def (err, what, "name", "is not a valid network name");
  s = ferry_json_get_string (def, "id");
  if (! ferry_id_is_full (s))
    return bad_def (err, what, "id", "is not 64 lowercase hex digits");
  if (! ferry_json_string_equals (def, "driver", "bridge") && ! def_is_link_driver (def))
    return bad_def (err, what, "driver", "is none of `bridge`, `macvlan` and `ipvlan`");
  s = ferry_json_get_string (def, "network_interface");
  if (s == NULL || ! ferry_ifname_is_valid (s))
    return bad_def (err, what, "network_interface",
                    "is not a valid interface name (1 to 15 of [a-zA-Z0-9_.-])");
  if (ferry_json_get_string (def, "created") == NULL)
    return bad_def (err, what, "created", "is not a string");
  v = json_object_object_get (def, "ipam_options");
  if (v
      && (! is_string_map (v) || json_object_object_length (v) != 1
          || ! (ferry_json_string_equals (v, "driver", "host-local")
                || ferry_json_string_equals (v, "driver", "none"))))
    return bad_def (err, what, "ipam_options",
                    "must be {\"driver\": \"host-local\"} or {\"driver\": \"none\"}");
  if (ferry_json_string_equals (v, "driver", "none"))
    {
      /* No addresses: no subnet, and no DNS, which names addresses.  */
      json_object *subnets = json_object_object_get (def, "subnets");
      if (subnets && (! json_object_is_type (subnets, json_type_array) || json_object_array_length (subnets)))
        return bad_def (err, what, "subnets", "must be empty with the none IPAM driver");
      if (json_object_get_boolean (json_object_object_get (def, "dns_enabled")))
        return bad_def (err, what, "dns_enabled", "must be false with the none IPAM driver");
      if (def_is_link_driver (def))
        return bad_def (err, what, "ipam_options", "must be host-local for a macvlan or ipvlan network");
    }
  else if (check_subnets (json_object_object_get (def, "subnets"), what, &has6, err) < 0)
    return -1;
  v = json_object_object_get (def, "ipv6_enabled");
  if (v && (! json_object_is_type (v, json_type_boolean) || json_object_get_boolean (v) != has6))
    return bad_def (err, what, "ipv6_enabled", "must be true with an IPv6 subnet, and false without");
  if (v == NULL && has6)
    return bad_def (err, what, "ipv6_enabled", "must be true with an IPv6 subnet");
  v = json_object_object_get (def, "internal");
  if (! json_object_is_type (v, json_type_boolean))
    return bad_def (err, what, "internal", "is not a boolean");
  v = json_object_object_get (def, "dns_enabled");
  if (! json_object_is_type (v, json_type_boolean))
    return bad_def (err, what, "dns_enabled", "is not a boolean");
  dns = json_object_object_get (def, "network_dns_servers");
  if (dns)
    {
      if (! json_object_is_type (dns, json_type_array) || json_object_array_length (dns) > 64)
        return bad_def (err, what, "network_dns_servers", "is not an array of at most 64 addresses");
      for (size_t i = 0; i < json_object_array_length (dns); i++)
        if (! ferry_dns_server_is_valid (json_object_get_string (json_object_array_get_idx (dns, i)))
            || ! json_object_is_type (json_object_array_get_idx (dns, i), json_type_string))
          return bad_def (err, what, "network_dns_servers", "holds something that is not an IP address");
    }
  routes = json_object_object_get (def, "routes");
  if (routes && ferry_routes_check (routes, what, err) < 0)
    return -1;
  v = json_object_object_get (def, "labels");
  if (v && ! is_string_map (v))
    return bad_def (err, what, "labels", "is not an object of strings");
  v = json_object_object_get (def, "options");
  if (v && ! is_string_map (v))
    return bad_def (err, what, "options", "is not an object of strings");
  if (ferry_json_string_equals (def, "driver", "bridge") && v)
    {
      json_object_object_foreach (v, okey, oval)
      {
        if (ferry_bridge_option_check (okey, json_object_get_string (oval), err) < 0)
          return ferry_error_wrap (err, "%s: network field `options`", what);
      }
    }
  if (def_is_link_driver (def))
    {
      if (v)
        {
          json_object_object_foreach (v, okey, oval)
          {
            if (link_option_check (ferry_json_get_string (def, "driver"), okey, json_object_get_string (oval),
                                   err)
                < 0)
              return ferry_error_wrap (err, "%s: network field `options`", what);
          }
        }
      if (json_object_get_boolean (json_object_object_get (def, "dns_enabled")))
        return bad_def (err, what, "dns_enabled", "must be false for a macvlan or ipvlan network");
      if (json_object_get_boolean (json_object_object_get (def, "internal")))
        return bad_def (err, what, "internal", "must be false for a macvlan or ipvlan network");
      if (has6)
        return bad_def (err, what, "subnets", "must hold no IPv6 subnet for a macvlan or ipvlan network");
    }
  return 0;
}

/* ---- the table --------------------------------------------------------- */

static json_object *
parse_row (sqlite3_stmt *st, int col, ferry_error_t *err)
{
  const char *text = (const char *) sqlite3_column_text (st, col);
  json_object *def
      = ferry_json_parse (text ? text : "", text ? strlen (text) : 0, "a network definition", err);

  if (def == NULL)
    return NULL;
  /* The database is not trusted blindly either.  */
  if (ferry_network_definition_check (def, "the state database", err) < 0)
    {
      json_object_put (def);
      return NULL;
    }
  return def;
}

int
ferry_network_get (ferry_engine_t *e, const char *name, json_object **out, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (e->db, "SELECT definition FROM networks WHERE name = ?", err);
  int rc;

  *out = NULL;
  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (st);
  if (rc == SQLITE_DONE)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                  "unable to find network with name or ID %s: network not found", name);
  if (rc != SQLITE_ROW)
    return ferry_db_error (e->db, err, "cannot read the networks");
  *out = parse_row (st, 0, err);
  return *out ? 0 : -1;
}

int
ferry_network_list (ferry_engine_t *e, json_object **out, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (e->db, "SELECT definition FROM networks ORDER BY name", err);
  cleanup_json json_object *a = json_object_new_array ();
  int rc;

  if (st == NULL)
    return -1;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      json_object *def = parse_row (st, 0, err);
      if (def == NULL)
        return -1;
      json_object_array_add (a, def);
    }
  if (rc != SQLITE_DONE)
    return ferry_db_error (e->db, err, "cannot read the networks");
  *out = steal_pointer (&a);
  return 0;
}

char **
ferry_network_users (ferry_engine_t *e, const char *name, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (
      e->db, "SELECT DISTINCT container_id FROM network_addresses WHERE network = ? ORDER BY container_id",
      err);
  char **ids = xmalloc0 (sizeof (char *));
  size_t n = 0;
  int rc;

  if (st == NULL)
    {
      free (ids);
      return NULL;
    }
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      ids = xrealloc (ids, (n + 2) * sizeof (char *));
      ids[n++] = xstrdup ((const char *) sqlite3_column_text (st, 0));
      ids[n] = NULL;
    }
  if (rc != SQLITE_DONE)
    {
      ferry_cleanup_strvp (&ids);
      ferry_db_error (e->db, err, "cannot read the network's containers");
      return NULL;
    }
  return ids;
}

/* The name of a host interface whose IPv4 subnet overlaps S (newly
 * allocated), or NULL.  */
static char *
host_overlap (const struct ferry_subnet *s, const char *skip)
{
  struct ifaddrs *ifs, *i;
  char *found = NULL;

  if (getifaddrs (&ifs) < 0)
    return NULL;
  for (i = ifs; i && ! found; i = i->ifa_next)
    {
      struct ferry_subnet h;
      uint32_t addr, mask;

      if (i->ifa_addr == NULL || i->ifa_netmask == NULL || i->ifa_addr->sa_family != AF_INET
          || (skip && strcmp (i->ifa_name, skip) == 0))
        continue;
      addr = ntohl (((struct sockaddr_in *) i->ifa_addr)->sin_addr.s_addr);
      mask = ntohl (((struct sockaddr_in *) i->ifa_netmask)->sin_addr.s_addr);
      h.prefix = __builtin_popcount (mask);
      h.addr = addr & mask;
      if (h.prefix > 0 && ferry_subnets_overlap (s, &h))
        found = xstrdup (i->ifa_name);
    }
  freeifaddrs (ifs);
  return found;
}

/* What may not clash with a new network: every other one's subnet and
 * interface.  Returns the clashing network's name, or NULL.  */
static const char *
clash (json_object *defs, const char *name, const struct ferry_subnet *s, const char *ifname, int *on_subnet)
{
  size_t i;

  for (i = 0; i < json_object_array_length (defs); i++)
    {
      struct netdef d;

      netdef_of (json_object_array_get_idx (defs, i), &d);
      if (strcmp (d.name, name) == 0)
        continue;
      if (s && ! d.no_ipam && ferry_subnets_overlap (s, &d.subnet))
        {
          *on_subnet = 1;
          return d.name;
        }
      if (ifname && strcmp (ifname, d.ifname) == 0)
        {
          *on_subnet = 0;
          return d.name;
        }
    }
  return NULL;
}

/* The name of a host interface with a global IPv6 address in S (newly
 * allocated), or NULL.  Link-local addresses are every interface's.  */
static char *
host_overlap6 (const struct ferry_subnet6 *s, const char *skip)
{
  struct ifaddrs *ifs, *i;
  char *found = NULL;

  if (getifaddrs (&ifs) < 0)
    return NULL;
  for (i = ifs; i && ! found; i = i->ifa_next)
    {
      struct ferry_ip6 ip;

      if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET6
          || (skip && strcmp (i->ifa_name, skip) == 0))
        continue;
      memcpy (ip.b, ((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr.s6_addr, 16);
      if ((ip.b[0] == 0xfe && (ip.b[1] & 0xc0) == 0x80) || ! ferry_subnet6_contains (s, &ip))
        continue;
      found = xstrdup (i->ifa_name);
    }
  freeifaddrs (ifs);
  return found;
}

/* The network of DEFS (but NAME) whose IPv6 subnet overlaps S, or NULL.  */
static const char *
clash6 (json_object *defs, const char *name, const struct ferry_subnet6 *s)
{
  for (size_t i = 0; i < json_object_array_length (defs); i++)
    {
      struct netdef d;

      netdef_of (json_object_array_get_idx (defs, i), &d);
      if (strcmp (d.name, name) != 0 && d.has6 && ferry_subnets6_overlap (s, &d.subnet6))
        return d.name;
    }
  return NULL;
}

static int
insert_definition (ferry_engine_t *e, json_object *def, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (e->db, "INSERT INTO networks (name, id, definition) VALUES (?, ?, ?)", err);
  const char *name = ferry_json_get_string (def, "name");
  int rc;

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, ferry_json_get_string (def, "id"), -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, ferry_json_to_string (def, 1), -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (st);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    return ferry_make_error_kind (
        err, FERRY_ERROR_EXISTS,
        "network name %s already used: network already exists (ferry network rm %s, "
        "or choose another name)",
        name, name);
  if (rc != SQLITE_DONE)
    return ferry_db_error (e->db, err, "cannot record the network");
  return 0;
}

/* Checks that DEF fits beside the networks here and the host's
 * interfaces, and records it; in the caller's transaction.  */
static int
add_definition (ferry_engine_t *e, json_object *def, ferry_error_t *err)
{
  cleanup_json json_object *defs = NULL;
  cleanup_free char *host = NULL;
  struct netdef d;
  const char *other;
  char text[19];
  int on_subnet = 0;

  if (ferry_network_list (e, &defs, err) < 0)
    return -1;
  netdef_of (def, &d);
  /* A macvlan or ipvlan network's interface is its parent, which others
   * may share and whose subnet it is.  */
  if (def_is_link_driver (def))
    {
      other = clash (defs, d.name, &d.subnet, NULL, &on_subnet);
      if (other)
        return ferry_make_error (err, 0,
                                 "subnet %s is already used by network %s: choose another with --subnet",
                                 ferry_subnet_format (&d.subnet, text), other);
      return insert_definition (e, def, err);
    }
  other = clash (defs, d.name, d.no_ipam ? NULL : &d.subnet, d.ifname, &on_subnet);
  if (other && on_subnet)
    return ferry_make_error (err, 0, "subnet %s is already used by network %s: choose another with --subnet",
                             ferry_subnet_format (&d.subnet, text), other);
  if (other)
    return ferry_make_error (
        err, 0, "bridge interface %s is network %s's already: choose another with --interface-name", d.ifname,
        other);
  if (d.no_ipam)
    return insert_definition (e, def, err);
  /* A host interface on it (not a bridge of ours, which is down until a
   * container uses it): the routes would clash.  */
  host = host_overlap (&d.subnet, d.ifname);
  if (host)
    return ferry_make_error (
        err, 0, "subnet %s is already used on the host (interface %s): choose another with --subnet",
        ferry_subnet_format (&d.subnet, text), host);
  if (d.has6)
    {
      char text6[FERRY_SUBNET6_TEXT_MAX];

      ferry_subnet6_format (&d.subnet6, text6);
      if ((other = clash6 (defs, d.name, &d.subnet6)))
        return ferry_make_error (
            err, 0, "subnet %s is already used by network %s: choose another with --subnet", text6, other);
      if ((host = host_overlap6 (&d.subnet6, d.ifname)))
        return ferry_make_error (
            err, 0, "subnet %s is already used on the host (interface %s): choose another with --subnet",
            text6, host);
    }
  return insert_definition (e, def, err);
}

/* The first 10.89.N.0/24 that nothing uses.  */
static int
free_subnet (json_object *defs, struct ferry_subnet *out, ferry_error_t *err)
{
  int i, on_subnet;

  for (i = 0; i < POOL_SUBNETS; i++)
    {
      struct ferry_subnet s = { POOL_BASE + ((uint32_t) i << 8), 24 };
      cleanup_free char *host = NULL;

      if (clash (defs, "", &s, NULL, &on_subnet))
        continue;
      host = host_overlap (&s, NULL);
      if (host == NULL)
        {
          *out = s;
          return 0;
        }
    }
  return ferry_make_error (err, 0, "no free subnet in 10.89.0.0/16: give one with --subnet");
}

/* A random unique local /64 that nothing here uses, as Podman picks one
 * for --ipv6 without an IPv6 subnet.  */
static int
free_subnet6 (json_object *defs, struct ferry_subnet6 *out, ferry_error_t *err)
{
  for (int i = 0; i < 100; i++)
    {
      cleanup_free char *host = NULL;

      ferry_subnet6_random_ula (out);
      if (clash6 (defs, "", out) == NULL && (host = host_overlap6 (out, NULL)) == NULL)
        return 0;
    }
  return ferry_make_error (err, 0, "no free IPv6 subnet found in fd00::/8: give one with --subnet");
}

/* The first ferryN no network and no host interface has.  */
static char *
free_ifname (json_object *defs)
{
  int i, on_subnet;

  for (i = 1; i < 100000; i++)
    {
      char *name = xasprintf (IFNAME_PREFIX "%d", i);

      if (! clash (defs, "", NULL, name, &on_subnet) && if_nametoindex (name) == 0)
        return name;
      free (name);
    }
  return xstrdup (IFNAME_PREFIX "0");
}

static int
parse_labels (char **labels, json_object **out, ferry_error_t *err)
{
  cleanup_json json_object *o = json_object_new_object ();

  for (size_t i = 0; labels && labels[i]; i++)
    {
      const char *eq = strchr (labels[i], '=');
      cleanup_free char *key = eq ? xstrndup (labels[i], (size_t) (eq - labels[i])) : xstrdup (labels[i]);

      if (*key == '\0')
        return ferry_make_error (err, 0, "invalid label `%s`: use KEY=VALUE", labels[i]);
      json_object_object_add (o, key, json_object_new_string (eq ? eq + 1 : ""));
    }
  *out = steal_pointer (&o);
  return 0;
}

/* The IPv6 part of a definition: its subnet, gateway and range.  */
struct subnet6_choice
{
  struct ferry_subnet6 subnet;
  struct ferry_ip6 gateway;
  int has_range;
  uint64_t first, last; /* offsets */
};

static json_object *
subnet6_json (const struct subnet6_choice *c)
{
  json_object *sn = json_object_new_object ();
  char text[FERRY_SUBNET6_TEXT_MAX], ip[FERRY_IP6_TEXT_MAX];

  json_object_object_add (sn, "subnet", json_object_new_string (ferry_subnet6_format (&c->subnet, text)));
  json_object_object_add (sn, "gateway", json_object_new_string (ferry_ip6_format (&c->gateway, ip)));
  if (c->has_range)
    {
      json_object *lr = json_object_new_object ();
      struct ferry_ip6 a = ferry_subnet6_host (&c->subnet, c->first),
                       b = ferry_subnet6_host (&c->subnet, c->last);

      json_object_object_add (lr, "start_ip", json_object_new_string (ferry_ip6_format (&a, ip)));
      json_object_object_add (lr, "end_ip", json_object_new_string (ferry_ip6_format (&b, ip)));
      json_object_object_add (sn, "lease_range", lr);
    }
  return sn;
}

static uint32_t
range_last_address (const struct ferry_subnet *range)
{
  return range->prefix >= 31 ? ferry_subnet_last_host (range) : ferry_subnet_last_host (range) + 1;
}

static json_object *
build_definition (const struct ferry_network_create_options *o, const struct ferry_subnet *s, uint32_t gw,
                  const struct ferry_subnet *range, const struct subnet6_choice *v6, const char *ifname,
                  json_object *labels, json_object *options, json_object *dns, json_object *routes)
{
  int link = is_link_driver (o->driver);
  int no_ipam = o->ipam_driver && strcmp (o->ipam_driver, "none") == 0;
  json_object *def = json_object_new_object (), *subnets = json_object_new_array ();
  json_object *sn = json_object_new_object (), *ipam = json_object_new_object ();
  cleanup_free char *id = ferry_random_hex (32), *now = ferry_time_now ();
  char text[19], ip[16];

  json_object_object_add (def, "name", json_object_new_string (o->name));
  json_object_object_add (def, "id", json_object_new_string (id));
  json_object_object_add (def, "driver", json_object_new_string (o->driver ? o->driver : "bridge"));
  json_object_object_add (def, "network_interface", json_object_new_string (ifname));
  json_object_object_add (def, "created", json_object_new_string (now));
  json_object_object_add (sn, "subnet", json_object_new_string (ferry_subnet_format (s, text)));
  json_object_object_add (sn, "gateway", json_object_new_string (ferry_ip_format (gw, ip)));
  if (range)
    {
      json_object *lr = json_object_new_object ();
      /* As Podman records it: from the range's first host to its last
       * address, which is the subnet's broadcast address when the range
       * ends the subnet (no container gets that one: see read_def).  */
      uint32_t first = ferry_subnet_first_host (range), last = range_last_address (range);

      if (first < ferry_subnet_first_host (s))
        first = ferry_subnet_first_host (s);
      json_object_object_add (lr, "start_ip", json_object_new_string (ferry_ip_format (first, ip)));
      json_object_object_add (lr, "end_ip", json_object_new_string (ferry_ip_format (last, ip)));
      json_object_object_add (sn, "lease_range", lr);
    }
  /* As Podman lists them: the subnets given first, one chosen for them
   * after.  */
  if (v6 && o->subnet6 && o->subnet == NULL)
    {
      json_object_array_add (subnets, subnet6_json (v6));
      json_object_array_add (subnets, sn);
    }
  else
    {
      json_object_array_add (subnets, sn);
      if (v6)
        json_object_array_add (subnets, subnet6_json (v6));
    }
  if (no_ipam)
    json_object_put (subnets);
  else
    json_object_object_add (def, "subnets", subnets);
  if (routes)
    json_object_object_add (def, "routes", json_object_get (routes));
  json_object_object_add (def, "ipv6_enabled", json_object_new_boolean (v6 != NULL));
  json_object_object_add (def, "internal", json_object_new_boolean (o->internal));
  json_object_object_add (def, "dns_enabled",
                          json_object_new_boolean (! o->disable_dns && ! link && ! no_ipam));
  if (dns)
    json_object_object_add (def, "network_dns_servers", json_object_get (dns));
  json_object_object_add (ipam, "driver", json_object_new_string (no_ipam ? "none" : "host-local"));
  json_object_object_add (def, "ipam_options", ipam);
  if (labels && json_object_object_length (labels))
    json_object_object_add (def, "labels", json_object_get (labels));
  if (options && json_object_object_length (options))
    json_object_object_add (def, "options", json_object_get (options));
  return def;
}

/* -o K=V: for macvlan and ipvlan (LINK, else NULL), parent (an
 * interface this host has) and link_option_check's options;
 * for a bridge, what ferry_bridge_option_check takes, and its
 * interface's name.  *PARENT points into OPTIONS; *BRIDGE_NAME too.  */
static int
parse_options (char **texts, const char *link, json_object **out, const char **parent,
               const char **bridge_name, ferry_error_t *err)
{
  cleanup_json json_object *o = json_object_new_object ();

  *parent = NULL;
  *bridge_name = NULL;
  for (size_t i = 0; texts && texts[i]; i++)
    {
      const char *eq = strchr (texts[i], '=');
      cleanup_free char *key = eq ? xstrndup (texts[i], (size_t) (eq - texts[i])) : NULL;

      if (key == NULL || *key == '\0' || eq[1] == '\0')
        return ferry_make_error (err, 0, "invalid -o `%s`: use KEY=VALUE", texts[i]);
      if (link && strcmp (key, "parent") == 0)
        {
          if (! ferry_ifname_is_valid (eq + 1) || if_nametoindex (eq + 1) == 0)
            return ferry_make_error (err, 0,
                                     "parent interface %s does not exist: give -o parent= an interface "
                                     "of this host",
                                     eq + 1);
          *parent = eq + 1;
          continue;
        }
      if (link && link_option_check (link, key, eq + 1, err) < 0)
        return -1;
      if (! link && strcmp (key, "com.docker.network.bridge.name") == 0)
        {
          *bridge_name = eq + 1;
          continue;
        }
      /* Docker's name of it; Podman stores it as mtu.  */
      if (! link && strcmp (key, "com.docker.network.driver.mtu") == 0)
        {
          free (key);
          key = xstrdup ("mtu");
        }
      if (! link && ferry_bridge_option_check (key, eq + 1, err) < 0)
        return -1;
      /* Checked above as Go's booleans, which netavark's Rust does not
       * read but for true and false: Podman stores those.  */
      if (strcmp (key, "no_default_route") == 0)
        json_object_object_add (o, key, json_object_new_string (strchr ("1tT", eq[1]) ? "true" : "false"));
      else
        json_object_object_add (o, key, json_object_new_string (eq + 1));
    }
  if (link && *parent == NULL)
    return ferry_make_error (err, 0, "%s networks need their parent interface: add -o parent=IFACE", link);
  *out = steal_pointer (&o);
  return 0;
}

/* --dns and --route into the definition's members.  */
static int
parse_dns_and_routes (const struct ferry_network_create_options *o, int dns_enabled, json_object **dns,
                      json_object **routes, ferry_error_t *err)
{
  cleanup_json json_object *d = NULL, *r = NULL;

  if (o->dns_servers && o->dns_servers[0])
    {
      if (! dns_enabled)
        return ferry_make_error (err, 0,
                                 "cannot set NetworkDNSServers if DNS is not enabled for the network: "
                                 "drop --dns or --disable-dns");
      d = json_object_new_array ();
      for (size_t i = 0; o->dns_servers[i]; i++)
        {
          if (! ferry_dns_server_is_valid (o->dns_servers[i]))
            return ferry_make_error (err, 0,
                                     "unable to parse ip %s specified in NetworkDNSServers: give an IP "
                                     "address to --dns",
                                     o->dns_servers[i]);
          json_object_array_add (d, json_object_new_string (o->dns_servers[i]));
        }
    }
  if (o->routes && o->routes[0])
    {
      r = json_object_new_array ();
      for (size_t i = 0; o->routes[i]; i++)
        {
          struct ferry_route route;
          if (ferry_route_parse (o->routes[i], &route, err) < 0)
            return -1;
          json_object_array_add (r, ferry_route_json (&route));
        }
    }
  *dns = steal_pointer (&d);
  *routes = steal_pointer (&r);
  return 0;
}

/* --ipam-driver: host-local (the default) hands out addresses from the
 * subnets; none gives the network no subnet and its containers no
 * address.  dhcp needs netavark's dhcp-proxy, which ferry does not run.  */
static int
check_ipam_driver (const struct ferry_network_create_options *o, const char *link, ferry_error_t *err)
{
  const char *driver = o->ipam_driver;

  if (driver == NULL || strcmp (driver, "host-local") == 0)
    return 0;
  if (strcmp (driver, "dhcp") == 0)
    return ferry_make_error (
        err, 0,
        "ipam driver dhcp is not supported by ferry: it needs netavark's dhcp-proxy service, "
        "which ferry does not run; use --ipam-driver host-local or none");
  if (strcmp (driver, "none") != 0)
    return ferry_make_error (err, 0, "unsupported ipam driver \"%s\": use host-local or none", driver);
  if (o->subnet || o->subnet6)
    return ferry_make_error (err, 0, "none ipam driver is set but subnets are given: drop --subnet");
  if (o->gateway || o->ip_range || o->gateway6 || o->ip_range6)
    return ferry_make_error (err, 0,
                             "cannot set gateway or range without subnet: drop --gateway and --ip-range");
  if (o->ipv6)
    return ferry_make_error (err, 0,
                             "none ipam driver is set but --ipv6 asks for an IPv6 subnet: drop --ipv6");
  if (link)
    return ferry_make_error (err, 0, "%s networks need --subnet: ferry hands out their addresses", link);
  return 0;
}

/* The IPv6 options of O into *V6 (its subnet, when given, gateway and
 * range), or why not.  */
static int
check_ipv6_options (const struct ferry_network_create_options *o, const char *link, struct subnet6_choice *v6,
                    ferry_error_t *err)
{
  struct ferry_subnet6 range;
  struct ferry_ip6 gw;
  char text[FERRY_SUBNET6_TEXT_MAX];

  if (! o->ipv6 && ! o->subnet6)
    {
      if (o->gateway6 || o->ip_range6)
        return ferry_make_error (err, 0, "an IPv6 --gateway or --ip-range needs an IPv6 --subnet");
      return 0;
    }
  if (link)
    return ferry_make_error (err, 0, "%s networks take no IPv6 subnet: ferry's %s networks are IPv4 only",
                             link, link);
  /* Podman makes an IPv6-only network then; ferry's networks have an
   * IPv4 subnet always.  */
  if (o->subnet6 && ! o->ipv6 && o->subnet == NULL)
    return ferry_make_error (
        err, 0,
        "subnet %s alone would make an IPv6-only network, which ferry does not have: add "
        "--ipv6 (a free IPv4 subnet is chosen too) or an IPv4 --subnet",
        o->subnet6);
  if ((o->gateway6 || o->ip_range6) && o->subnet6 == NULL)
    return ferry_make_error (err, 0, "an IPv6 --gateway or --ip-range needs an IPv6 --subnet");
  if (o->subnet6 == NULL)
    return 0;
  if (ferry_subnet6_parse (o->subnet6, SUBNET6_MIN_PREFIX, SUBNET6_MAX_PREFIX, &v6->subnet) < 0)
    return ferry_make_error (
        err, 0,
        "invalid CIDR address: %s: give an IPv6 subnet from /64 to /120 with its host bits zero, "
        "like fd00:1::/64",
        o->subnet6);
  ferry_subnet6_format (&v6->subnet, text);
  v6->gateway = ferry_subnet6_host (&v6->subnet, 1);
  if (o->gateway6)
    {
      if (ferry_ip6_parse (o->gateway6, &gw) < 0 || ! ferry_subnet6_contains (&v6->subnet, &gw)
          || ferry_subnet6_offset (&v6->subnet, &gw) == 0)
        return ferry_make_error (err, 0, "gateway %s not in subnet %s: give an address inside it",
                                 o->gateway6, text);
      v6->gateway = gw;
    }
  if (o->ip_range6)
    {
      if (ferry_subnet6_parse (o->ip_range6, 0, 128, &range) < 0 || range.prefix < v6->subnet.prefix
          || ! ferry_subnet6_contains (&v6->subnet, &range.addr))
        return ferry_make_error (err, 0, "--ip-range `%s` is not a subnet inside %s", o->ip_range6, text);
      /* As Podman: from the range's second address to its last.  */
      v6->has_range = 1;
      v6->first = ferry_subnet6_offset (&v6->subnet, &range.addr) + 1;
      v6->last = ferry_subnet6_offset (&v6->subnet, &range.addr) + ferry_subnet6_last_offset (&range);
      if (v6->first > v6->last)
        return ferry_make_error (err, 0, "--ip-range `%s` holds no address for a container", o->ip_range6);
    }
  return 0;
}

int
ferry_network_create (ferry_engine_t *e, const struct ferry_network_create_options *o, json_object **out,
                      ferry_error_t *err)
{
  cleanup_json json_object *defs = NULL, *def = NULL, *labels = NULL, *options = NULL, *dns = NULL,
                           *routes = NULL;
  cleanup_free char *ifname = NULL;
  const char *parent = NULL, *bridge_name = NULL, *interface_name;
  const char *link;
  int no_ipam, want6 = o->ipv6 || o->subnet6;
  struct ferry_subnet s = { 0, 0 }, range;
  struct subnet6_choice v6 = { 0 };
  uint32_t gw;

  if (out)
    *out = NULL;
  if (o->name == NULL || ! ferry_network_name_is_valid (o->name))
    return ferry_make_error (err, 0,
                             "network name %s invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid "
                             "argument (and not none, host or bridge)",
                             o->name ? o->name : "");
  if (o->driver && strcmp (o->driver, "bridge") != 0 && ! is_link_driver (o->driver))
    return ferry_make_error (err, 0, "failed to find driver or plugin \"%s\": use bridge, macvlan or ipvlan",
                             o->driver);
  link = is_link_driver (o->driver) ? o->driver : NULL;
  if (check_ipam_driver (o, link, err) < 0)
    return -1;
  no_ipam = o->ipam_driver && strcmp (o->ipam_driver, "none") == 0;
  if (parse_options (o->options, link, &options, &parent, &bridge_name, err) < 0)
    return -1;
  if (bridge_name && o->interface_name && strcmp (bridge_name, o->interface_name) != 0)
    return ferry_make_error (
        err, 0, "-o com.docker.network.bridge.name=%s and --interface-name %s disagree: give one",
        bridge_name, o->interface_name);
  interface_name = o->interface_name ? o->interface_name : bridge_name;
  if (parse_dns_and_routes (o, ! o->disable_dns && ! link && ! no_ipam, &dns, &routes, err) < 0)
    return -1;
  if (link && (o->subnet == NULL || o->interface_name || o->internal))
    return ferry_make_error (
        err, 0,
        "%s networks need --subnet (ferry hands out their addresses) and -o parent=IFACE, "
        "and take no --interface-name or --internal",
        link);
  if (o->subnet && (ferry_subnet_parse (o->subnet, &s) < 0 || s.prefix < 8 || s.prefix > 30))
    return ferry_make_error (
        err, 0,
        "invalid CIDR address: %s: give an IPv4 subnet from /8 to /30 with its host bits zero, "
        "like 10.89.0.0/24",
        o->subnet);
  if ((o->gateway || o->ip_range) && o->subnet == NULL)
    return ferry_make_error (err, 0, "cannot set gateway or range without subnet: give --subnet too");
  if (check_ipv6_options (o, link, &v6, err) < 0)
    return -1;
  if (interface_name && ! ferry_ifname_is_valid (interface_name))
    return ferry_make_error (
        err, 0, "invalid interface name `%s`: use 1 to 15 of a-z, A-Z, 0-9, `_`, `.`, `-`", interface_name);
  if (parse_labels (o->labels, &labels, err) < 0)
    return -1;
  if (ferry_db_begin (e->db, err) < 0)
    return -1;
  if (ferry_network_list (e, &defs, err) < 0)
    goto fail;
  if (o->subnet == NULL && ! no_ipam && free_subnet (defs, &s, err) < 0)
    goto fail;
  if (want6 && o->subnet6 == NULL)
    {
      if (free_subnet6 (defs, &v6.subnet, err) < 0)
        goto fail;
      v6.gateway = ferry_subnet6_host (&v6.subnet, 1);
    }
  gw = ferry_subnet_first_host (&s);
  if (o->gateway
      && (ferry_ip_parse (o->gateway, &gw) < 0 || gw < ferry_subnet_first_host (&s)
          || gw > ferry_subnet_last_host (&s)))
    {
      char text[19];
      ferry_make_error (err, 0, "gateway %s not in subnet %s", o->gateway, ferry_subnet_format (&s, text));
      goto fail;
    }
  if (o->ip_range && ferry_subnet_parse (o->ip_range, &range) < 0)
    {
      ferry_make_error (err, 0, "invalid CIDR address: %s: give --ip-range as a subnet, like 10.89.0.128/25",
                        o->ip_range);
      goto fail;
    }
  /* Podman's words: the range's first host, then its last address.  */
  if (o->ip_range
      && (! ferry_subnet_contains (&s, ferry_subnet_first_host (&range))
          || ! ferry_subnet_contains (&s, range_last_address (&range))))
    {
      char text[19], ip[16];
      int start_in = ferry_subnet_contains (&s, ferry_subnet_first_host (&range));

      ferry_make_error (
          err, 0, "lease range %s ip %s not in subnet %s: give an --ip-range inside --subnet",
          start_in ? "end" : "start",
          ferry_ip_format (start_in ? range_last_address (&range) : ferry_subnet_first_host (&range), ip),
          ferry_subnet_format (&s, text));
      goto fail;
    }
  ifname = link ? xstrdup (parent) : interface_name ? xstrdup (interface_name) : free_ifname (defs);
  def = build_definition (o, &s, gw, o->ip_range ? &range : NULL, want6 ? &v6 : NULL, ifname, labels, options,
                          dns, routes);
  if (add_definition (e, def, err) < 0 || ferry_db_commit (e->db, err) < 0)
    goto fail;
  if (out)
    *out = steal_pointer (&def);
  return 0;

fail:
  ferry_db_rollback (e->db);
  return -1;
}

/* Records the default network unless it is there; in the caller's
 * transaction.  Its subnet and bridge are ferry.conf's; without a subnet
 * there it takes 10.88.0.0/16, as Podman's, unless something here has
 * that (Podman's own podman0, say): then the first free 10.89.N.0/24.  */
static int
ensure_default (ferry_engine_t *e, ferry_error_t *err)
{
  struct ferry_network_create_options o = { .name = FERRY_DEFAULT_NETWORK, .disable_dns = 1 };
  struct ferry_subnet s = { 0x0a580000u, 16 }; /* 10.88.0.0/16 */
  const char *ifname = e->config.default_interface ? e->config.default_interface : IFNAME_PREFIX "0";
  cleanup_json json_object *def = NULL, *defs = NULL;
  cleanup_free char *host = NULL;
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (e->db, "SELECT 1 FROM networks WHERE name = ?", err);
  const char *other;
  int on_subnet;

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, FERRY_DEFAULT_NETWORK, -1, SQLITE_STATIC);
  if (sqlite3_step (st) == SQLITE_ROW)
    return 0;
  if (ferry_network_list (e, &defs, err) < 0)
    return -1;
  if (e->config.default_subnet && ferry_subnet_parse (e->config.default_subnet, &s) < 0)
    return ferry_make_error (err, 0, "invalid default_subnet `%s` in ferry.conf", e->config.default_subnet);
  host = host_overlap (&s, ifname);
  other = clash (defs, FERRY_DEFAULT_NETWORK, &s, NULL, &on_subnet);
  if (e->config.default_subnet && (host || other))
    return ferry_make_error (
        err, 0,
        "the default network's subnet %s (default_subnet in ferry.conf) overlaps %s %s's: "
        "set another default_subnet",
        e->config.default_subnet, host ? "host interface" : "network", host ? host : other);
  if ((host || other) && free_subnet (defs, &s, err) < 0)
    return -1;
  def = build_definition (&o, &s, ferry_subnet_first_host (&s), NULL, NULL, ifname, NULL, NULL, NULL, NULL);
  if (add_definition (e, def, err) < 0)
    return ferry_error_wrap (err, "default network %s (its bridge is default_interface in ferry.conf)",
                             FERRY_DEFAULT_NETWORK);
  return 0;
}

int
ferry_network_ensure_default (ferry_engine_t *e, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (e->db, "SELECT 1 FROM networks WHERE name = ?", err);

  if (st == NULL)
    return -1;
  /* Recorded already (the usual case): no write transaction for a read.  */
  sqlite3_bind_text (st, 1, FERRY_DEFAULT_NETWORK, -1, SQLITE_STATIC);
  if (sqlite3_step (st) == SQLITE_ROW)
    return 0;
  if (ferry_db_begin (e->db, err) < 0)
    return -1;
  if (ensure_default (e, err) < 0 || ferry_db_commit (e->db, err) < 0)
    {
      ferry_db_rollback (e->db);
      return -1;
    }
  return 0;
}

/* Removes the containers on the network NAME, each under its own lock:
 * killed at once with KILL, else stopped as ferry_container_remove_stopping
 * stops it with TIMEOUT, KILLED told of each that needed SIGKILL.  One gone
 * meanwhile is passed over.  */
static int
remove_network_users (ferry_engine_t *e, const char *name, int kill, int timeout,
                      ferry_network_killed_fn killed, ferry_error_t *err)
{
  cleanup_strv char **doomed = ferry_network_users (e, name, err);

  if (doomed == NULL)
    return -1;
  for (size_t i = 0; doomed[i]; i++)
    {
      struct ferry_stop_report report = { 0 };
      struct ferry_container *c = NULL;
      cleanup_free char *cname = NULL;
      int r;

      if (ferry_container_lookup (e, doomed[i], &c, err) == 0)
        {
          cname = xstrdup (c->name);
          ferry_container_free (c);
          r = kill ? ferry_container_remove (e, doomed[i], 1, 0, err)
                   : ferry_container_remove_stopping (e, doomed[i], timeout, 0, &report, err);
        }
      else
        r = -1;
      if (r < 0)
        {
          if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
            return -1;
          ferry_error_release (err);
          continue;
        }
      if (report.killed && killed)
        killed (cname, &report);
    }
  return 0;
}

static int
network_remove (ferry_engine_t *e, const char *name, int force, int kill, int timeout,
                ferry_network_killed_fn killed, ferry_error_t *err)
{
  cleanup_json json_object *def = NULL;
  cleanup_strv char **users = NULL;
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (strcmp (name, FERRY_DEFAULT_NETWORK) == 0)
    return ferry_make_error (err, 0, "default network %s cannot be removed", name);
  if (ferry_network_get (e, name, &def, err) < 0)
    return -1;
  /* -f: its containers go first.  */
  if (force && remove_network_users (e, name, kill, timeout, killed, err) < 0)
    return -1;

  json_object_put (steal_pointer (&def));
  if (ferry_db_begin (e->db, err) < 0)
    return -1;
  if (ferry_network_get (e, name, &def, err) < 0 || (users = ferry_network_users (e, name, err)) == NULL)
    goto fail;
  /* With -f too: one that joined meanwhile keeps its network.  */
  if (users[0])
    {
      ferry_make_error_kind (err, FERRY_ERROR_IN_USE,
                             "\"%s\" has associated containers with it (%.12s). Use -f to forcibly delete "
                             "containers: network is being used",
                             name, users[0]);
      goto fail;
    }
  st = ferry_db_prepare (e->db, "DELETE FROM networks WHERE name = ?", err);
  if (st == NULL)
    goto fail;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      ferry_db_error (e->db, err, "cannot remove the network");
      goto fail;
    }
  if (ferry_db_commit (e->db, err) < 0)
    goto fail;
  return 0;

fail:
  ferry_db_rollback (e->db);
  return -1;
}

int
ferry_network_remove (ferry_engine_t *e, const char *name, int force, ferry_error_t *err)
{
  return network_remove (e, name, force, 1, 0, NULL, err);
}

int
ferry_network_remove_timeout (ferry_engine_t *e, const char *name, int force, int timeout,
                              ferry_network_killed_fn killed, ferry_error_t *err)
{
  return network_remove (e, name, force, 0, timeout, killed, err);
}

int
ferry_network_adopt (ferry_engine_t *e, const char *name, json_object *def, int *created, ferry_error_t *err)
{
  cleanup_json json_object *here = NULL;
  cleanup_error ferry_error_t missing = NULL;
  struct netdef a, b;
  char sa[19], sb[19];

  *created = 0;
  if (ferry_network_definition_check (def, "the archive's network.status", err) < 0)
    return -1;
  if (! ferry_json_string_equals (def, "name", name))
    return ferry_make_error (err, 0, "the archive's definition of network %s names another network", name);
  if (ferry_network_get (e, name, &here, &missing) == 0)
    {
      netdef_of (here, &a);
      netdef_of (def, &b);
      if (a.subnet.addr != b.subnet.addr || a.subnet.prefix != b.subnet.prefix)
        return ferry_make_error (err, 0,
                                 "network %s here has subnet %s, the archive's network %s has %s: remove or "
                                 "rename one of them",
                                 name, ferry_subnet_format (&a.subnet, sa), name,
                                 ferry_subnet_format (&b.subnet, sb));
      if (a.has6 != b.has6
          || (a.has6
              && (a.subnet6.prefix != b.subnet6.prefix
                  || memcmp (a.subnet6.addr.b, b.subnet6.addr.b, 16) != 0)))
        {
          char s6a[FERRY_SUBNET6_TEXT_MAX] = "none", s6b[FERRY_SUBNET6_TEXT_MAX] = "none";
          if (a.has6)
            ferry_subnet6_format (&a.subnet6, s6a);
          if (b.has6)
            ferry_subnet6_format (&b.subnet6, s6b);
          return ferry_make_error (
              err, 0,
              "network %s here has IPv6 subnet %s, the archive's network %s has %s: remove "
              "or rename one of them",
              name, s6a, name, s6b);
        }
      return 0;
    }
  if (missing->kind != FERRY_ERROR_NOT_FOUND)
    {
      *err = steal_pointer (&missing);
      return -1;
    }
  if (ferry_db_begin (e->db, err) < 0)
    return -1;
  if (add_definition (e, def, err) < 0 || ferry_db_commit (e->db, err) < 0)
    {
      ferry_db_rollback (e->db);
      return ferry_error_wrap (err, "cannot create network %s from the archive", name);
    }
  *created = 1;
  return 0;
}

/* NAME's definition with the DNS servers of ADD added (once) and those
 * of DROP dropped; in the caller's transaction.  */
static int
update_dns_record (ferry_engine_t *e, const char *name, char **add, char **drop, json_object **out,
                   ferry_error_t *err)
{
  cleanup_json json_object *def = NULL;
  cleanup_stmt sqlite3_stmt *st = NULL;
  json_object *old, *servers = json_object_new_array ();

  if (ferry_network_get (e, name, &def, err) < 0)
    {
      json_object_put (servers);
      return -1;
    }
  old = ferry_json_get_array (def, "network_dns_servers");
  for (size_t i = 0; i < ferry_json_array_length (old); i++)
    {
      const char *s = json_object_get_string (json_object_array_get_idx (old, i));
      int dropped = 0;
      for (size_t j = 0; drop && drop[j] && ! dropped; j++)
        dropped = strcmp (drop[j], s) == 0;
      if (! dropped)
        json_object_array_add (servers, json_object_new_string (s));
    }
  for (size_t i = 0; add && add[i]; i++)
    {
      int present = 0;
      for (size_t j = 0; j < json_object_array_length (servers) && ! present; j++)
        present = strcmp (json_object_get_string (json_object_array_get_idx (servers, j)), add[i]) == 0;
      if (! present)
        json_object_array_add (servers, json_object_new_string (add[i]));
    }
  if (json_object_array_length (servers))
    json_object_object_add (def, "network_dns_servers", servers);
  else
    {
      json_object_put (servers);
      json_object_object_del (def, "network_dns_servers");
    }
  st = ferry_db_prepare (e->db, "UPDATE networks SET definition = ? WHERE name = ?", err);
  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, ferry_json_to_string (def, 1), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, name, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    return ferry_db_error (e->db, err, "cannot record the network");
  *out = steal_pointer (&def);
  return 0;
}

/* True when some container on NAME is running (its aardvark-dns then
 * serves NAME).  */
static int
network_active (ferry_engine_t *e, const char *name)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (
      e->db,
      "SELECT 1 FROM network_addresses a JOIN containers c ON c.id = a.container_id WHERE a.network = ? AND "
      "c.state IN ('running', 'paused', 'stopping') LIMIT 1",
      &ignored);

  if (st == NULL)
    return 0;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  return sqlite3_step (st) == SQLITE_ROW;
}

static void netavark_of (ferry_engine_t *e, struct ferry_netavark *n, char **config_dir);

int
ferry_network_update_dns (ferry_engine_t *e, const char *name, char **add, char **drop, ferry_error_t *err)
{
  cleanup_json json_object *def = NULL;
  cleanup_free char *config_dir = NULL, *list = NULL;
  struct ferry_netavark n;
  json_object *servers;

  for (size_t i = 0; add && add[i]; i++)
    if (! ferry_dns_server_is_valid (add[i]))
      return ferry_make_error (err, 0, "unable to parse ip %s specified in AddDNSServer: give an IP address",
                               add[i]);
  for (size_t i = 0; drop && drop[i]; i++)
    if (! ferry_dns_server_is_valid (drop[i]))
      return ferry_make_error (err, 0, "unable to parse ip %s specified in DropDNSServer: give an IP address",
                               drop[i]);
  if (strcmp (name, FERRY_DEFAULT_NETWORK) == 0 && ferry_network_ensure_default (e, err) < 0)
    return -1;
  if (ferry_db_begin (e->db, err) < 0)
    return -1;
  if (update_dns_record (e, name, add, drop, &def, err) < 0 || ferry_db_commit (e->db, err) < 0)
    {
      ferry_db_rollback (e->db);
      return -1;
    }
  /* The containers running on it ask aardvark-dns, which netavark tells.
   * A failure here leaves the record ahead of aardvark-dns until those
   * containers start again, as with Podman.  */
  if (! json_object_get_boolean (json_object_object_get (def, "dns_enabled")) || ! network_active (e, name))
    return 0;
  servers = ferry_json_get_array (def, "network_dns_servers");
  list = xstrdup ("");
  for (size_t i = 0; i < ferry_json_array_length (servers); i++)
    {
      char *next = xasprintf ("%s%s%s", list, i ? "," : "",
                              json_object_get_string (json_object_array_get_idx (servers, i)));
      free (list);
      list = next;
    }
  netavark_of (e, &n, &config_dir);
  if (ferry_netavark_update_dns (&n, name, list, err) < 0)
    return ferry_error_wrap (err, "network %s: recorded, but its running containers' aardvark-dns", name);
  return 0;
}

/* ---- addresses ----------------------------------------------------------- */

/* The container that holds IP on NETWORK, or NULL.  */
static char *
holder_of (ferry_engine_t *e, const char *network, const char *ip)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (e->db,
                          "SELECT c.name FROM network_addresses a JOIN containers c ON c.id = a.container_id "
                          "WHERE a.network = ? AND a.address = ?",
                          &ignored);

  if (st == NULL)
    return NULL;
  sqlite3_bind_text (st, 1, network, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, ip, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return NULL;
  return xstrdup ((const char *) sqlite3_column_text (st, 0));
}

static int
take_address (ferry_engine_t *e, const char *network, const char *ip, const char *id, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (
      e->db, "INSERT INTO network_addresses (network, address, container_id) VALUES (?, ?, ?)", err);
  int rc;

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, network, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, ip, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (st);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      cleanup_free char *holder = holder_of (e, network, ip);
      return ferry_make_error_kind (err, FERRY_ERROR_IN_USE,
                                    "IP address %s on network %s is in use by container %s", ip, network,
                                    holder ? holder : "(unknown)");
    }
  if (rc != SQLITE_DONE)
    return ferry_db_error (e->db, err, "cannot record the container's address");
  return 0;
}

/* The lowest free address of D, or 0.  */
static uint32_t
next_free (ferry_engine_t *e, const struct netdef *d, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (e->db, "SELECT address FROM network_addresses WHERE network = ?", err);
  size_t span = (size_t) (d->last - d->first) + 1;
  cleanup_free unsigned char *used = NULL;
  size_t i;
  int rc;

  if (st == NULL)
    return 0;
  used = xmalloc0 (span);
  sqlite3_bind_text (st, 1, d->name, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      uint32_t ip;
      if (ferry_ip_parse ((const char *) sqlite3_column_text (st, 0), &ip) == 0 && ip >= d->first
          && ip <= d->last)
        used[ip - d->first] = 1;
    }
  if (rc != SQLITE_DONE)
    {
      ferry_db_error (e->db, err, "cannot read the network's addresses");
      return 0;
    }
  for (i = 0; i < span; i++)
    if (! used[i] && d->first + i != d->gateway)
      return d->first + (uint32_t) i;
  ferry_make_error (err, 0, "network %s has no free address left", d->name);
  return 0;
}

static int
compare_u64 (const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

  return x < y ? -1 : x > y;
}

/* The lowest free IPv6 address of D into *OUT.  */
static int
next_free6 (ferry_engine_t *e, const struct netdef *d, struct ferry_ip6 *out, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (e->db, "SELECT address FROM network_addresses WHERE network = ?", err);
  cleanup_free uint64_t *used = NULL;
  uint64_t gw = ferry_subnet6_offset (&d->subnet6, &d->gateway6), next = d->first6;
  size_t n = 0, cap = 0;
  int rc;

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, d->name, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      struct ferry_ip6 ip;

      if (ferry_ip6_parse ((const char *) sqlite3_column_text (st, 0), &ip) < 0
          || ! ferry_subnet6_contains (&d->subnet6, &ip))
        continue;
      if (n == cap)
        used = xrealloc (used, (cap = cap ? 2 * cap : 64) * sizeof (*used));
      used[n++] = ferry_subnet6_offset (&d->subnet6, &ip);
    }
  if (rc != SQLITE_DONE)
    return ferry_db_error (e->db, err, "cannot read the network's addresses");
  if (n)
    qsort (used, n, sizeof (*used), compare_u64);
  /* Walks the used offsets in order: at most N + 2 steps.  */
  for (size_t i = 0; next <= d->last6; next++)
    {
      while (i < n && used[i] < next)
        i++;
      if (next != gw && (i == n || used[i] != next))
        {
          *out = ferry_subnet6_host (&d->subnet6, next);
          return 0;
        }
      if (next == UINT64_MAX)
        break;
    }
  return ferry_make_error (err, 0, "network %s has no free IPv6 address left", d->name);
}

/* Gives the attachment ATT to network D an IPv6 address: its "IPv6",
 * checked, or the next free; in the caller's transaction.  */
static int
reserve6 (ferry_engine_t *e, const char *id, const struct netdef *d, json_object *att, ferry_error_t *err)
{
  const char *given = ferry_json_get_string (att, "IPv6");
  char text[FERRY_IP6_TEXT_MAX], sn[FERRY_SUBNET6_TEXT_MAX], gw[FERRY_IP6_TEXT_MAX];
  struct ferry_ip6 ip;

  if (given && ferry_ip6_parse (given, &ip) < 0)
    return ferry_make_error (err, 0, "\"%s\" is not an ip address: give an IPv6 address like fd00:1::5",
                             given);
  if (! d->has6)
    {
      if (given)
        return ferry_make_error (err, 0,
                                 "requested static ip %s not in any subnet on network %s: it has no IPv6 "
                                 "subnet (create it with --ipv6, or drop --ip6)",
                                 given, d->name);
      return 0;
    }
  if (given)
    {
      if (! ferry_subnet6_contains (&d->subnet6, &ip) || ferry_subnet6_offset (&d->subnet6, &ip) == 0
          || memcmp (ip.b, d->gateway6.b, 16) == 0)
        return ferry_make_error (
            err, 0,
            "requested static ip %s not in any subnet on network %s: give an address of %s "
            "but %s",
            given, d->name, ferry_subnet6_format (&d->subnet6, sn), ferry_ip6_format (&d->gateway6, gw));
    }
  else if (next_free6 (e, d, &ip, err) < 0)
    return -1;
  ferry_ip6_format (&ip, text);
  if (take_address (e, d->name, text, id, err) < 0)
    return -1;
  json_object_object_add (att, "IPv6", json_object_new_string (text));
  return 0;
}

/* A container on network D, which hands out no addresses (--ipam-driver
 * none): recorded under a pseudo-address of its own, which no address
 * parser takes, so that the network's users (rm, prune) see it and its
 * removal releases it as any other.  */
static int
reserve_no_ipam (ferry_engine_t *e, const char *id, const struct netdef *d, json_object *att,
                 ferry_error_t *err)
{
  cleanup_free char *pseudo = xasprintf ("none:%s", id);
  const char *given = ferry_json_get_string (att, "IP") ? ferry_json_get_string (att, "IP")
                                                        : ferry_json_get_string (att, "IPv6");

  if (given)
    return ferry_make_error (err, 0,
                             "network %s hands out no addresses (--ipam-driver none): drop --ip %s, or use "
                             "a network with a subnet",
                             d->name, given);
  return take_address (e, d->name, pseudo, id, err);
}

/* The lowest ethN no network of NETWORKS has.  */
static char *
free_interface (json_object *networks)
{
  for (int i = 0;; i++)
    {
      char *name = xasprintf ("eth%d", i);
      int taken = 0;

      json_object_object_foreach (networks, k, att)
      {
        (void) k;
        taken |= ferry_json_string_equals (att, "Interface", name);
      }
      if (! taken)
        return name;
      free (name);
    }
}

/* The interface NETWORK's attachment ATT has in the container: recorded,
 * or (records from before it was) its place in the record.  */
static char *
interface_of (json_object *att, int place)
{
  const char *recorded = ferry_json_get_string (att, "Interface");

  return recorded ? xstrdup (recorded) : xasprintf ("eth%d", place);
}

int
ferry_network_reserve (ferry_engine_t *e, const char *id, json_object *networks, ferry_error_t *err)
{
  json_object_object_foreach (networks, name, att)
  {
    cleanup_json json_object *def = NULL;
    const char *ip_text = ferry_json_get_string (att, "IP");
    const char *mac_text = ferry_json_get_string (att, "MAC");
    unsigned char mac[6];
    char ip_buf[16], mac_buf[18], sn[19];
    struct netdef d;
    uint32_t ip;

    if (strcmp (name, FERRY_DEFAULT_NETWORK) == 0 && ensure_default (e, err) < 0)
      return -1;
    if (ferry_network_get (e, name, &def, err) < 0)
      return -1;
    netdef_of (def, &d);
    if (d.no_ipam)
      {
        if (reserve_no_ipam (e, id, &d, att, err) < 0)
          return -1;
      }
    else if (ip_text)
      {
        if (ferry_ip_parse (ip_text, &ip) < 0)
          return ferry_make_error (err, 0, "\"%s\" is not an ip address: give an IPv4 address", ip_text);
        if (! ferry_subnet_contains (&d.subnet, ip) || ip < ferry_subnet_first_host (&d.subnet)
            || ip > ferry_subnet_last_host (&d.subnet) || ip == d.gateway)
          return ferry_make_error (
              err, 0,
              "requested static ip %s not in any subnet on network %s: give one it gives out (subnet %s, "
              "gateway %s)",
              ip_text, name, ferry_subnet_format (&d.subnet, sn), ferry_ip_format (d.gateway, ip_buf));
      }
    else if ((ip = next_free (e, &d, err)) == 0)
      return -1;
    if (! d.no_ipam)
      {
        ferry_ip_format (ip, ip_buf);
        if (take_address (e, name, ip_buf, id, err) < 0 || reserve6 (e, id, &d, att, err) < 0)
          return -1;
        json_object_object_add (att, "IP", json_object_new_string (ip_buf));
      }
    if (mac_text)
      {
        if (ferry_mac_parse (mac_text, mac) < 0)
          return ferry_make_error (
              err, 0, "address %s: invalid MAC address: use six hex pairs like 02:42:0a:59:00:02", mac_text);
      }
    else
      ferry_mac_random (mac);
    json_object_object_add (att, "MAC", json_object_new_string (ferry_mac_format (mac, mac_buf)));
    if (ferry_json_get_string (att, "Interface") == NULL)
      {
        cleanup_free char *ifname = free_interface (networks);
        json_object_object_add (att, "Interface", json_object_new_string (ifname));
      }
  }
  return 0;
}

int
ferry_network_record_bridged (json_object *rec)
{
  json_object *n = ferry_json_get_object (rec, "Networks");

  return ferry_network_record_bridge_mode (rec) && json_object_object_length (n) > 0;
}

int
ferry_network_record_bridge_mode (json_object *rec)
{
  return ferry_json_string_equals (rec, "Network", "bridge")
         && ferry_json_get_object (rec, "Networks") != NULL;
}

/* A container's aliases on a network as Podman keeps them: those given
 * (ATT's "Aliases"), then its short ID, by which the others on the
 * network find it too.  */
static json_object *
aliases_with_short_id (json_object *att, const char *id)
{
  json_object *given = ferry_json_get_array (att, "Aliases"), *out = json_object_new_array ();
  char short_id[13] = "";
  int seen = 0;

  if (id)
    snprintf (short_id, sizeof (short_id), "%s", id);
  for (size_t i = 0; i < ferry_json_array_length (given); i++)
    {
      const char *a = json_object_get_string (json_object_array_get_idx (given, i));

      seen |= strcmp (a, short_id) == 0;
      json_object_array_add (out, json_object_new_string (a));
    }
  if (*short_id && ! seen)
    json_object_array_add (out, json_object_new_string (short_id));
  return out;
}

/* netavark's options for container C: all its networks, or ONLY.  */
char **
ferry_network_resolver_list (ferry_engine_t *e, json_object *rec, const char *key)
{
  json_object *own = ferry_json_get_array (rec, key);
  char **conf = strcmp (key, "Dns") == 0         ? e->config.dns_servers
                : strcmp (key, "DnsSearch") == 0 ? e->config.dns_searches
                                                 : e->config.dns_options;
  char **v = xmalloc0 (sizeof (char *));
  size_t n = 0;

  for (size_t i = 0; i < ferry_json_array_length (own); i++)
    if (strcmp (key, "DnsSearch") == 0 && ferry_json_string_value (json_object_array_get_idx (own, i))
        && strcmp (ferry_json_string_value (json_object_array_get_idx (own, i)), ".") == 0)
      conf = NULL;
  for (size_t i = 0; conf && conf[i]; i++)
    {
      char ip[FERRY_IP_TEXT_MAX];

      if (strcmp (key, "Dns") == 0 && ferry_dns_ip_canonical (conf[i], ip) < 0)
        continue;
      ferry_strv_append (&v, &n, strcmp (key, "Dns") == 0 ? ip : conf[i]);
    }
  for (size_t i = 0; i < ferry_json_array_length (own); i++)
    {
      const char *s = ferry_json_string_value (json_object_array_get_idx (own, i));
      if (s)
        ferry_strv_append (&v, &n, s);
    }
  return v;
}

static json_object *
netavark_options (ferry_engine_t *e, const struct ferry_container *c, const char *only, ferry_error_t *err)
{
  cleanup_json json_object *o = json_object_new_object ();
  json_object *nets = json_object_new_object (), *info = json_object_new_object ();
  json_object *networks = ferry_json_get_object (c->record, "Networks");
  int i = 0;

  json_object_object_add (o, "container_id", json_object_new_string (c->id));
  json_object_object_add (o, "container_name", json_object_new_string (c->name));
  json_object_object_add (o, "networks", nets);
  json_object_object_add (o, "network_info", info);
  {
    json_object *ports = ferry_json_get_array (c->record, "Ports"), *copy = NULL;
    if (ports == NULL || json_object_deep_copy (ports, &copy, NULL) != 0)
      copy = json_object_new_array ();
    json_object_object_add (o, "port_mappings", copy);
  }
  /* --dns (after containers.conf's): aardvark-dns forwards the
   * container's queries to these, as with Podman, whose resolv.conf names
   * aardvark-dns alone.  */
  {
    cleanup_strv char **servers = ferry_network_resolver_list (e, c->record, "Dns");
    json_object *list = json_object_new_array ();

    for (size_t k = 0; servers[k]; k++)
      json_object_array_add (list, json_object_new_string (servers[k]));
    if (servers[0])
      json_object_object_add (o, "dns_servers", list);
    else
      json_object_put (list);
  }
  json_object_object_foreach (networks, name, att)
  {
    json_object *def = NULL, *n, *ips;
    cleanup_free char *ifname = interface_of (att, i++);

    if (only && strcmp (name, only) != 0)
      continue;
    n = json_object_new_object ();
    ips = json_object_new_array ();
    if (ferry_network_get (e, name, &def, err) < 0)
      {
        json_object_put (n);
        json_object_put (ips);
        return NULL;
      }
    if (ferry_json_get_string (att, "IP"))
      json_object_array_add (ips, json_object_new_string (ferry_json_get_string (att, "IP")));
    if (ferry_json_get_string (att, "IPv6"))
      json_object_array_add (ips, json_object_new_string (ferry_json_get_string (att, "IPv6")));
    json_object_object_add (n, "interface_name", json_object_new_string (ifname));
    json_object_object_add (n, "static_ips", ips);
    json_object_object_add (n, "static_mac", json_object_new_string (ferry_json_get_string (att, "MAC")));
    json_object_object_add (n, "aliases", aliases_with_short_id (att, c->id));
    /* --network NAME:KEY=VALUE that ferry does not read itself, for
     * netavark (host_interface_name among them), as Podman hands them.  */
    if (ferry_json_get_object (att, "Options"))
      json_object_object_add (n, "options", json_object_get (ferry_json_get_object (att, "Options")));
    json_object_object_add (nets, name, n);
    json_object_object_add (info, name, def);
  }
  return steal_pointer (&o);
}

static void
netavark_of (ferry_engine_t *e, struct ferry_netavark *n, char **config_dir)
{
  const char *bin = getenv ("FERRY_NETAVARK");
  const char *dns = getenv ("FERRY_AARDVARK");

  *config_dir = xasprintf ("%s/networks", e->runroot);
  n->binary = bin && *bin ? bin : FERRY_NETAVARK_BINARY;
  n->aardvark = dns && *dns ? dns : FERRY_AARDVARK_BINARY;
  n->config_dir = *config_dir;
}

/* Whether another running container of this root publishes a host port
 * of PORTS: if so, fails as a bind of that port would, in Podman's words
 * (Podman's monitor holds its containers' ports open; netavark's rules
 * do not, so ferry asks its database).  */
static int
ports_taken (ferry_engine_t *e, const char *id, json_object *ports, ferry_error_t *err)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (e->db,
                          "SELECT config FROM containers WHERE id != ? AND state IN ('running', "
                          "'paused', 'stopping', 'initialized')",
                          &ignored);

  if (st == NULL)
    return 0;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (st, 0);
      cleanup_error ferry_error_t perr = NULL;
      cleanup_json json_object *rec
          = ferry_json_parse (text ? text : "", text ? strlen (text) : 0, "record", &perr);
      json_object *theirs = ferry_json_get_array (rec, "Ports");

      for (size_t i = 0; i < ferry_json_array_length (theirs); i++)
        for (size_t j = 0; j < ferry_json_array_length (ports); j++)
          {
            json_object *mine = json_object_array_get_idx (ports, j),
                        *other = json_object_array_get_idx (theirs, i);
            int64_t a = ferry_json_get_int (mine, "host_port", 0),
                    b = ferry_json_get_int (other, "host_port", 0);

            if (ferry_ports_overlap (other, mine))
              return ferry_ports_in_use_error (mine, (int) (a > b ? a : b), EADDRINUSE, err);
          }
    }
  return 0;
}

int
ferry_network_setup (ferry_engine_t *e, const struct ferry_container *c, const char *netns,
                     json_object **status, ferry_error_t *err)
{
  cleanup_json json_object *opts = netavark_options (e, c, NULL, err);
  cleanup_free char *config_dir = NULL;
  json_object *ports = ferry_json_get_array (c->record, "Ports");
  struct ferry_netavark n;

  *status = NULL;
  if (opts == NULL)
    return -1;
  if (ports && (ports_taken (e, c->id, ports, err) < 0 || ferry_ports_check_free (ports, err) < 0))
    return -1;
  netavark_of (e, &n, &config_dir);
  /* As Podman: netavark's words alone, and run exits 126 as for a
   * container the runtime would not create.  */
  if (ferry_netavark_setup (&n, netns, opts, status, err) < 0)
    {
      if ((*err)->kind == FERRY_ERROR_GENERIC)
        (*err)->kind = FERRY_ERROR_RUNTIME;
      return -1;
    }
  return 0;
}

/* Takes out of OPTS the networks whose interface NETNS has no more: a
 * disconnect killed after netavark's teardown leaves one recorded, and
 * netavark fails a teardown of it, leaving aardvark-dns running for the
 * others.  When the namespace cannot tell, OPTS stays as it is.  Returns
 * how many networks are left.  */
static size_t
drop_torn_down (const char *netns, json_object *opts)
{
  json_object *nets = ferry_json_get_object (opts, "networks");
  json_object *info = ferry_json_get_object (opts, "network_info");
  cleanup_strv char **gone = xmalloc0 (sizeof (char *));
  size_t n = 0;

  json_object_object_foreach (nets, name, att)
  {
    cleanup_error ferry_error_t ignored = NULL;
    const char *ifname = ferry_json_get_string (att, "interface_name");

    if (ifname && ferry_netns_has_interface (netns, ifname, &ignored) == 0)
      {
        gone = xrealloc (gone, sizeof (char *) * (n + 2));
        gone[n++] = xstrdup (name);
        gone[n] = NULL;
      }
  }
  for (size_t i = 0; i < n; i++)
    {
      json_object_object_del (nets, gone[i]);
      json_object_object_del (info, gone[i]);
    }
  return (size_t) json_object_object_length (nets);
}

void
ferry_network_wait_orphan (ferry_engine_t *e)
{
  cleanup_free char *config_dir = NULL;
  struct ferry_netavark n;

  netavark_of (e, &n, &config_dir);
  ferry_netavark_wait_orphan (&n);
}

int
ferry_network_teardown (ferry_engine_t *e, const struct ferry_container *c, const char *netns,
                        ferry_error_t *err)
{
  cleanup_json json_object *opts = netavark_options (e, c, NULL, err);
  cleanup_free char *config_dir = NULL;
  struct ferry_netavark n;

  if (opts == NULL)
    return -1;
  /* What the namespace holds is known once a setup left running is done.  */
  ferry_network_wait_orphan (e);
  if (drop_torn_down (netns, opts) == 0)
    return 0;
  netavark_of (e, &n, &config_dir);
  return ferry_netavark_teardown (&n, netns, opts, err);
}

json_object *
ferry_network_ports_json (json_object *rec)
{
  json_object *o = json_object_new_object ();
  json_object *ports = ferry_json_get_array (rec, "Ports");

  for (size_t i = 0; i < ferry_json_array_length (ports); i++)
    {
      json_object *m = json_object_array_get_idx (ports, i);
      int64_t range = ferry_json_get_int (m, "range", 1);

      for (int64_t k = 0; k < range; k++)
        {
          cleanup_free char *key
              = xasprintf ("%lld/%s", (long long) (ferry_json_get_int (m, "container_port", 0) + k),
                           ferry_json_get_string (m, "protocol"));
          cleanup_free char *port
              = xasprintf ("%lld", (long long) (ferry_json_get_int (m, "host_port", 0) + k));
          json_object *list = json_object_object_get (o, key), *b = json_object_new_object ();

          if (list == NULL)
            {
              list = json_object_new_array ();
              json_object_object_add (o, key, list);
            }
          const char *host_ip = ferry_json_get_string (m, "host_ip");

          /* No address is every IPv4 one, which Podman shows.  */
          json_object_object_add (b, "HostIp",
                                  json_object_new_string (host_ip && *host_ip ? host_ip : "0.0.0.0"));
          json_object_object_add (b, "HostPort", json_object_new_string (port));
          json_object_array_add (list, b);
        }
    }
  {
    /* Go writes the map's keys sorted.  */
    json_object *sorted = ferry_json_sorted_object (o);
    json_object_put (o);
    return sorted;
  }
}

json_object *
ferry_network_settings_json (ferry_engine_t *e, json_object *rec)
{
  json_object *o = json_object_new_object (), *nets = json_object_new_object ();
  json_object *networks = ferry_network_record_bridged (rec) ? ferry_json_get_object (rec, "Networks") : NULL;
  const char *top[6] = { "", "", "", "", "", "" }; /* IP, gateway, MAC, network, IPv6, its gateway */
  int top_prefix = 0, top_prefix6 = 0;

  json_object_object_add (o, "Networks", nets);
  if (networks == NULL)
    networks = nets; /* empty: no network to show */
  json_object_object_foreach (networks, name, att)
  {
    cleanup_error ferry_error_t ignored = NULL;
    cleanup_json json_object *def = NULL;
    json_object *n = json_object_new_object ();
    struct netdef d = { 0 };
    char gw[16] = "", gw6[FERRY_IP6_TEXT_MAX] = "";
    const char *ip6 = ferry_json_get_string (att, "IPv6");

    if (ferry_network_get (e, name, &def, &ignored) == 0)
      {
        netdef_of (def, &d);
        ferry_ip_format (d.gateway, gw);
        if (d.has6)
          ferry_ip6_format (&d.gateway6, gw6);
      }
    json_object_object_add (n, "NetworkID",
                            json_object_new_string (def ? ferry_json_get_string (def, "id") : ""));
    json_object_object_add (n, "IPAddress", json_object_new_string (ferry_json_get_string (att, "IP") ?: ""));
    json_object_object_add (n, "IPPrefixLen", json_object_new_int (d.no_ipam ? 0 : d.subnet.prefix));
    json_object_object_add (n, "Gateway", json_object_new_string (d.no_ipam ? "" : gw));
    /* Podman's IPv6 fields, empty without an IPv6 address.  */
    json_object_object_add (n, "IPv6Gateway", json_object_new_string (ip6 ? gw6 : ""));
    json_object_object_add (n, "GlobalIPv6Address", json_object_new_string (ip6 ? ip6 : ""));
    json_object_object_add (n, "GlobalIPv6PrefixLen", json_object_new_int (ip6 ? d.subnet6.prefix : 0));
    json_object_object_add (n, "MacAddress", json_object_new_string (ferry_json_get_string (att, "MAC")));
    json_object_object_add (n, "Aliases", aliases_with_short_id (att, ferry_json_get_string (rec, "Id")));
    json_object_object_add (nets, name, n);
    if (strcmp (name, FERRY_DEFAULT_NETWORK) == 0)
      {
        top[0] = ferry_json_get_string (n, "IPAddress");
        top[1] = ferry_json_get_string (n, "Gateway");
        top[2] = ferry_json_get_string (n, "MacAddress");
        top[4] = ferry_json_get_string (n, "GlobalIPv6Address");
        top[5] = ferry_json_get_string (n, "IPv6Gateway");
        top_prefix = d.no_ipam ? 0 : d.subnet.prefix;
        top_prefix6 = ip6 ? d.subnet6.prefix : 0;
      }
  }
  json_object_object_add (o, "IPAddress", json_object_new_string (top[0]));
  json_object_object_add (o, "IPPrefixLen", json_object_new_int (top_prefix));
  json_object_object_add (o, "Gateway", json_object_new_string (top[1]));
  json_object_object_add (o, "IPv6Gateway", json_object_new_string (top[5]));
  json_object_object_add (o, "GlobalIPv6Address", json_object_new_string (top[4]));
  json_object_object_add (o, "GlobalIPv6PrefixLen", json_object_new_int (top_prefix6));
  json_object_object_add (o, "MacAddress", json_object_new_string (top[2]));
  {
    /* Exposed and not published: null, as Podman shows them.  */
    json_object *ports = ferry_network_ports_json (rec), *expose = ferry_json_get_array (rec, "Expose");
    for (size_t i = 0; i < ferry_json_array_length (expose); i++)
      {
        const char *spec = json_object_get_string (json_object_array_get_idx (expose, i));
        if (! json_object_object_get_ex (ports, spec, NULL))
          json_object_object_add (ports, spec, NULL);
      }
    /* Go writes the map's keys sorted.  */
    json_object_object_add (o, "Ports", ferry_json_sorted_object (ports));
    json_object_put (ports);
  }
  return o;
}

json_object *
ferry_network_status_json (ferry_engine_t *e, json_object *rec, ferry_error_t *err)
{
  cleanup_json json_object *o = json_object_new_object ();
  json_object *networks = ferry_network_record_bridged (rec) ? ferry_json_get_object (rec, "Networks") : NULL;
  int i = 0;

  if (networks == NULL)
    return steal_pointer (&o);
  json_object_object_foreach (networks, name, att)
  {
    json_object *def = NULL, *n = json_object_new_object (), *ifs = json_object_new_object ();
    json_object *eth = json_object_new_object (), *subnets = json_object_new_array (),
                *sn = json_object_new_object ();
    cleanup_free char *ifname = interface_of (att, i++), *ipnet = NULL;
    struct netdef d;
    char gw[16];

    json_object_object_add (o, name, n);
    json_object_object_add (n, "interfaces", ifs);
    json_object_object_add (ifs, ifname, eth);
    json_object_object_add (eth, "subnets", subnets);
    json_object_array_add (subnets, sn);
    if (ferry_network_get (e, name, &def, err) < 0)
      return NULL;
    netdef_of (def, &d);
    json_object_object_add (eth, "mac_address", json_object_new_string (ferry_json_get_string (att, "MAC")));
    if (ferry_json_get_string (att, "IP"))
      {
        ipnet = xasprintf ("%s/%d", ferry_json_get_string (att, "IP"), d.subnet.prefix);
        json_object_object_add (sn, "ipnet", json_object_new_string (ipnet));
        json_object_object_add (sn, "gateway", json_object_new_string (ferry_ip_format (d.gateway, gw)));
      }
    else
      json_object_array_del_idx (subnets, 0, 1);
    if (d.has6 && ferry_json_get_string (att, "IPv6"))
      {
        json_object *sn6 = json_object_new_object ();
        char gw6[FERRY_IP6_TEXT_MAX];
        cleanup_free char *ipnet6
            = xasprintf ("%s/%d", ferry_json_get_string (att, "IPv6"), d.subnet6.prefix);

        json_object_object_add (sn6, "ipnet", json_object_new_string (ipnet6));
        json_object_object_add (sn6, "gateway", json_object_new_string (ferry_ip6_format (&d.gateway6, gw6)));
        json_object_array_add (subnets, sn6);
      }
    json_object_object_add (n, "ferry_definition", def);
  }
  return steal_pointer (&o);
}

/* ---- tracked connections, through checkpoint and restore ----------------- */

/* An archive's network holds at most this many: far more than a
 * container's connections through its published ports.  */
#define CONNTRACK_MAX 65536

int
ferry_network_conntrack_save (json_object *rec, json_object *status, ferry_error_t *err)
{
  json_object *networks = ferry_network_record_bridged (rec) ? ferry_json_get_object (rec, "Networks") : NULL;

  if (networks == NULL || ferry_json_array_length (ferry_json_get_array (rec, "Ports")) == 0)
    return 0;
  json_object_object_foreach (networks, name, att)
  {
    json_object *n = ferry_json_get_object (status, name), *entries = NULL;
    const char *ip_text = ferry_json_get_string (att, "IP");
    uint32_t ip;

    if (n == NULL || ip_text == NULL || ferry_ip_parse (ip_text, &ip) < 0)
      continue;
    if (ferry_conntrack_save (ip, &entries, err) < 0)
      {
        json_object_put (entries);
        return -1;
      }
    json_object_object_add (n, "ferry_conntrack", entries);
  }
  return 0;
}

int
ferry_network_conntrack_check (json_object *status, ferry_error_t *err)
{
  if (status == NULL || ! json_object_is_type (status, json_type_object))
    return 0;
  json_object_object_foreach (status, name, n)
  {
    json_object *entries = NULL;
    struct ferry_conntrack_entry ce;

    if (! json_object_is_type (n, json_type_object)
        || ! json_object_object_get_ex (n, "ferry_conntrack", &entries))
      continue;
    if (! json_object_is_type (entries, json_type_array)
        || json_object_array_length (entries) > CONNTRACK_MAX)
      return ferry_make_error (
          err, 0,
          "the archive's network.status is damaged: ferry_conntrack of network %s is not "
          "an array of at most %d connections",
          name, CONNTRACK_MAX);
    for (size_t i = 0; i < json_object_array_length (entries); i++)
      if (ferry_conntrack_entry_parse (json_object_array_get_idx (entries, i), &ce) < 0)
        return ferry_make_error (err, 0,
                                 "the archive's network.status is damaged: tracked connection %zu of network "
                                 "%s is not one",
                                 i, name);
  }
  return 0;
}

/* True when the container publishes CE's destination port (TCP, on that
 * host address or on all) as CE's container port.  */
static int
published_for (json_object *ports, const struct ferry_conntrack_entry *ce)
{
  for (size_t i = 0; i < ferry_json_array_length (ports); i++)
    {
      json_object *m = json_object_array_get_idx (ports, i);
      const char *proto = ferry_json_get_string (m, "protocol");
      const char *host_ip = ferry_json_get_string (m, "host_ip");
      int64_t hp = ferry_json_get_int (m, "host_port", 0), cp = ferry_json_get_int (m, "container_port", 0);
      int64_t range = ferry_json_get_int (m, "range", 1);
      uint32_t hip;

      if (proto == NULL || strstr (proto, "tcp") == NULL || ce->reply_sport < cp
          || ce->reply_sport >= cp + range || ce->orig_dport != hp + (ce->reply_sport - cp))
        continue;
      if (host_ip == NULL || *host_ip == '\0' || (ferry_ip_parse (host_ip, &hip) == 0 && hip == ce->orig_dst))
        return 1;
    }
  return 0;
}

int
ferry_network_conntrack_restore (ferry_engine_t *e, const struct ferry_container *c, json_object *status,
                                 ferry_error_t *err)
{
  json_object *networks = ferry_json_get_object (c->record, "Networks");
  json_object *ports = ferry_json_get_array (c->record, "Ports");

  if (networks == NULL || status == NULL)
    return 0;
  json_object_object_foreach (networks, name, att)
  {
    json_object *entries = ferry_json_get_array (ferry_json_get_object (status, name), "ferry_conntrack");
    const char *ip_text = ferry_json_get_string (att, "IP");
    cleanup_json json_object *def = NULL;
    struct netdef d;
    uint32_t ip;

    if (entries == NULL || ip_text == NULL || ferry_ip_parse (ip_text, &ip) < 0)
      continue;
    if (ferry_network_get (e, name, &def, err) < 0)
      return -1;
    netdef_of (def, &d);
    for (size_t i = 0; i < ferry_json_array_length (entries); i++)
      {
        struct ferry_conntrack_entry ce;

        if (ferry_conntrack_entry_parse (json_object_array_get_idx (entries, i), &ce) < 0)
          continue;
        /* Only what a new connection to the container's published port
         * would have been given: the container's address and port, the
         * client's own address or the network's gateway for its answers.  */
        if (ce.reply_src != ip || ! published_for (ports, &ce))
          continue;
        if (! ((ce.reply_dst == ce.orig_src && ce.reply_dport == ce.orig_sport) || ce.reply_dst == d.gateway))
          continue;
        if (ferry_conntrack_insert (&ce, err) < 0)
          return -1;
      }
  }
  return 0;
}

/* ---- connect and disconnect ---------------------------------------------- */

/* Saves C's netavark report of NAME into its status file (STATUS NULL:
 * drops NAME).  */
static void
update_status_file (ferry_engine_t *e, const struct ferry_container *c, const char *name, json_object *status)
{
  cleanup_free char *path = ferry_container_network_status_path (e, c->id);
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_json json_object *all = ferry_json_parse_file (path, "network status", &ignored);
  const char *text;

  if (all == NULL || ! json_object_is_type (all, json_type_object))
    return; /* not attached now: the next start sets it all up */
  if (status && json_object_object_get (status, name))
    json_object_object_add (all, name, json_object_get (json_object_object_get (status, name)));
  else
    json_object_object_del (all, name);
  text = ferry_json_to_string (all, 0);
  if (ferry_write_file_atomic (path, text, strlen (text), 0600, &ignored) < 0)
    unlink (path);
}

/* Whether NAME is set up in C's namespace now (1, 0, or -1 with *ERR).
 * Not netavark's report: a ferry killed while netavark worked leaves the
 * report as it was before, NAME set up but not reported after a connect,
 * torn down but reported after a disconnect, and netavark refuses to tear
 * down what is gone.  The interface in the namespace is what it did.  */
static int
attached_in_netns (ferry_engine_t *e, const struct ferry_container *c, const char *name, ferry_error_t *err)
{
  cleanup_free char *netns = ferry_engine_netns_path (e, c->id);
  int place = 0;

  ferry_network_wait_orphan (e);
  json_object_object_foreach (ferry_json_get_object (c->record, "Networks"), key, att)
  {
    if (strcmp (key, name) == 0)
      {
        cleanup_free char *ifname = interface_of (att, place);
        return ferry_netns_has_interface (netns, ifname, err);
      }
    place++;
  }
  return 0;
}

/* Drops NAME from C's record and releases its address there, in one
 * transaction, with the end of OP when not NULL.  The last one gone, C
 * stays a bridge container on no network, ports and all, as Podman keeps
 * it: network connect takes it again.  */
static int
forget_network (ferry_engine_t *e, struct ferry_container *c, const char *name,
                const struct ferry_operation *op, ferry_error_t *err)
{
  json_object *nets = ferry_json_get_object (c->record, "Networks");
  cleanup_stmt sqlite3_stmt *st = NULL;

  if (ferry_db_begin (e->db, err) < 0)
    return -1;
  st = ferry_db_prepare (e->db, "DELETE FROM network_addresses WHERE network = ? AND container_id = ?", err);
  if (st == NULL)
    goto fail;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, c->id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      ferry_db_error (e->db, err, "cannot release the container's address");
      goto fail;
    }
  json_object_object_del (nets, name);
  if (ferry_container_update_record (e, c->id, c->record, err) < 0
      || (op && ferry_operation_end (e, op, err) < 0) || ferry_db_commit (e->db, err) < 0)
    goto fail;
  return 0;

fail:
  ferry_db_rollback (e->db);
  return -1;
}

/* Sets network NAME of running container C up in its namespace and
 * writes netavark's report of it; *STATUS gets that report.  */
static int
setup_one (ferry_engine_t *e, const struct ferry_container *c, const char *name, json_object **status,
           ferry_error_t *err)
{
  cleanup_free char *netns = ferry_engine_netns_path (e, c->id), *config_dir = NULL;
  cleanup_json json_object *opts = netavark_options (e, c, name, err);
  struct ferry_netavark n;

  if (opts == NULL)
    return -1;
  netavark_of (e, &n, &config_dir);
  if (ferry_netavark_setup (&n, netns, opts, status, err) < 0)
    return -1;
  /* Killed here, set up but not in the report: a disconnect tears it
   * down all the same.  */
  ferry_fault_point ("network-connect-unreported");
  update_status_file (e, c, name, *status);
  return 0;
}

/* Whether C's netavark report has network NAME.  */
static bool
reported (ferry_engine_t *e, const struct ferry_container *c, const char *name)
{
  cleanup_free char *path = ferry_container_network_status_path (e, c->id);
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_json json_object *status = ferry_json_parse_file (path, "network status", &ignored);

  return status && json_object_is_type (status, json_type_object)
         && json_object_object_get_ex (status, name, NULL);
}

/* Tears network NAME of running container C down in its namespace.  */
static int
teardown_one (ferry_engine_t *e, const struct ferry_container *c, const char *name, ferry_error_t *err)
{
  cleanup_free char *netns = ferry_engine_netns_path (e, c->id), *config_dir = NULL;
  cleanup_json json_object *opts = netavark_options (e, c, name, err);
  struct ferry_netavark n;

  if (opts == NULL)
    return -1;
  netavark_of (e, &n, &config_dir);
  return ferry_netavark_teardown (&n, netns, opts, err);
}

void
ferry_network_connect_finish (ferry_engine_t *e, struct ferry_container *c, const char *name)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_json json_object *status = NULL;

  int attached;

  /* Not running, or not on NAME.  */
  if (! ferry_container_is_active (c)
      || ! json_object_object_get_ex (ferry_json_get_object (c->record, "Networks"), name, NULL))
    return;
  /* Set up by the ferry that was killed (attached_in_netns waits for its
   * netavark first), and reported: done.  */
  attached = attached_in_netns (e, c, name, &ignored);
  if (attached < 0 || (attached && reported (e, c, name)))
    return;
  /* Set up, but killed before it saved netavark's report, which the
   * container's files and inspect are made from and which netavark gives
   * for a setup only: set up anew.  */
  if (attached && teardown_one (e, c, name, &ignored) < 0)
    return;
  if (setup_one (e, c, name, &status, &ignored) < 0)
    {
      cleanup_error ferry_error_t also_ignored = NULL;
      forget_network (e, c, name, NULL, &also_ignored);
    }
}

/* Connect and disconnect take only a container on bridge networks, and
 * say so before looking at the network.  Podman's words, with the mode it
 * leaves empty there ("" whatever the container's --network), then which
 * container it is and what it runs with.  */
static int
not_bridged_error (const struct ferry_container *c, ferry_error_t *err)
{
  const char *mode = ferry_json_get_string (c->record, "Network");

  return ferry_make_error (
      err, 0,
      "\"\" is not supported: invalid network mode: container %s runs with --network %s, "
      "and only a container on bridge networks can join or leave one",
      c->name, mode ? mode : "none");
}

int
ferry_network_connect (ferry_engine_t *e, const char *ref, const char *name,
                       const struct ferry_network_connect_options *o, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  struct ferry_container *c = NULL;
  cleanup_json json_object *one = json_object_new_object ();
  json_object *att = json_object_new_object (), *nets;
  struct ferry_operation op = { 0 };
  int ret = -1, active;

  json_object_object_add (one, name, att);
  if (o->ip)
    json_object_object_add (att, "IP", json_object_new_string (o->ip));
  if (o->ip6)
    json_object_object_add (att, "IPv6", json_object_new_string (o->ip6));
  if (o->mac)
    json_object_object_add (att, "MAC", json_object_new_string (o->mac));
  if (o->aliases && o->aliases[0])
    {
      json_object *list = json_object_new_array ();
      for (size_t i = 0; o->aliases[i]; i++)
        {
          const char *a = o->aliases[i];
          if (! ferry_dns_name_is_valid (a) || a[strlen (a) - 1] == '.')
            {
              json_object_put (list);
              return ferry_make_error (err, 0, "invalid --alias `%s`: give a host name", o->aliases[i]);
            }
          json_object_array_add (list, json_object_new_string (o->aliases[i]));
        }
      json_object_object_add (att, "Aliases", list);
    }
  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  nets = ferry_json_get_object (c->record, "Networks");
  if (! ferry_network_record_bridge_mode (c->record))
    {
      not_bridged_error (c, err);
      goto out;
    }
  /* Already on it: as Podman, a stopped container is left as it is and
   * that is no error, a running one is refused.  */
  if (json_object_object_get_ex (nets, name, NULL))
    {
      if (! ferry_container_is_active (c))
        ret = 0;
      else
        ferry_make_error_kind (
            err, FERRY_ERROR_EXISTS,
            "container %s is already connected to network %s: network is already connected", c->id, name);
      goto out;
    }
  /* Running, recorded before the record changes: killed after that, the
   * next command finishes the connect (ferry_network_connect_finish) and
   * puts the network's lines in the container's files.  */
  active = ferry_container_is_active (c);
  if (active)
    {
      json_object *detail = json_object_new_object ();

      json_object_object_add (detail, "network", json_object_new_string (name));
      if (ferry_operation_begin (e, &op, c->id, FERRY_OPERATION_ETC_FILES, "connect", detail, err) < 0)
        goto out;
    }
  if (ferry_db_begin (e->db, err) < 0)
    goto undo;
  if (ferry_network_reserve (e, c->id, one, err) < 0)
    {
      ferry_db_rollback (e->db);
      goto undo;
    }
  /* Its interface: the lowest one free among all its networks.  */
  {
    cleanup_free char *ifname = free_interface (nets);
    json_object_object_add (att, "Interface", json_object_new_string (ifname));
  }
  json_object_object_add (nets, name, json_object_get (att));
  if (ferry_container_update_record (e, c->id, c->record, err) < 0 || ferry_db_commit (e->db, err) < 0)
    {
      ferry_db_rollback (e->db);
      goto undo;
    }
  /* Killed from here to the setup, C is on NAME in the record only: the
   * next command sets it up.  */
  ferry_fault_point ("network-connect-recorded");
  if (active)
    {
      cleanup_json json_object *status = NULL;

      if (setup_one (e, c, name, &status, err) < 0)
        {
          cleanup_error ferry_error_t ignored = NULL;
          forget_network (e, c, name, NULL, &ignored);
          ferry_error_wrap (err, "cannot connect container %s to network %s", c->name, name);
          goto undo;
        }
      ferry_fault_point ("network-connect-set-up");
      /* Podman's live edit: the new addresses for the container's names
       * in its /etc/hosts, the network's DNS server first in its
       * /etc/resolv.conf.  */
      if (ferry_etc_files_connected (e, c, &op, name, status, err) < 0)
        {
          ferry_error_wrap (err,
                            "container %s is connected to network %s, but its /etc/hosts and "
                            "/etc/resolv.conf are not updated: restart it to have them written anew",
                            c->name, name);
          goto out;
        }
    }
  ret = 0;
  goto out;

undo:
  if (op.container_id)
    {
      cleanup_error ferry_error_t ignored = NULL;
      ferry_operation_end (e, &op, &ignored);
    }
out:
  ferry_operation_release (&op);
  ferry_container_free (c);
  return ret;
}

int
ferry_network_disconnect_finish (ferry_engine_t *e, struct ferry_container *c, struct ferry_operation *op,
                                 const char *name, ferry_error_t *err)
{
  if (! json_object_object_get_ex (ferry_json_get_object (c->record, "Networks"), name, NULL))
    return ferry_operation_end (e, op, err);
  /* Stopped since, its namespace is gone and its files are written anew
   * at the next start: the record is what is left.  */
  if (ferry_container_is_active (c))
    {
      cleanup_free char *status_path = ferry_container_network_status_path (e, c->id);
      cleanup_json json_object *status = NULL;
      cleanup_error ferry_error_t unreadable = NULL;
      /* Not in its namespace, it is torn down already (or was never set
       * up): a disconnect or a connect killed midway.  */
      int attached = attached_in_netns (e, c, name, err);

      if (attached < 0)
        return -1;
      /* Podman's live edit, before the report loses the network's
       * addresses: the network's addresses and DNS server out of the
       * container's files.  Done again by a settle, it changes nothing.  */
      status = ferry_json_parse_file (status_path, "network status", &unreadable);
      if (status && ferry_etc_files_disconnecting (e, c, op, name, status, err) < 0)
        return -1;
      ferry_fault_point ("network-disconnect-files-edited");
      if (attached && teardown_one (e, c, name, err) < 0)
        return -1;
      ferry_fault_point ("network-disconnect-unreported");
      update_status_file (e, c, name, NULL);
      ferry_fault_point ("network-disconnect-teardown");
    }
  ferry_fault_point ("network-disconnect-torn-down");
  return forget_network (e, c, name, op, err);
}

int
ferry_network_disconnect (ferry_engine_t *e, const char *ref, const char *name, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  struct ferry_container *c = NULL;
  struct ferry_operation op = { 0 };
  int ret = -1;

  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  if (! ferry_network_record_bridge_mode (c->record))
    {
      not_bridged_error (c, err);
      goto out;
    }
  /* A network that is not there is said as such, as by Podman.  */
  {
    cleanup_json json_object *def = NULL;

    if (! json_object_object_get_ex (ferry_json_get_object (c->record, "Networks"), name, NULL)
        && ferry_network_get (e, name, &def, err) < 0)
      goto out;
  }
  if (! json_object_object_get_ex (ferry_json_get_object (c->record, "Networks"), name, NULL))
    {
      /* Podman's words: on no network at all, the container by its ID
       * and the network as not found.  */
      if (json_object_object_length (ferry_json_get_object (c->record, "Networks")) == 0)
        ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                               "container %s is not connected to network %s: network not found", c->id, name);
      else
        ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "container %s is not connected to network %s",
                               c->name, name);
      goto out;
    }
  /* Running, recorded before anything changes: killed after that, the
   * next command finishes the disconnect.  */
  if (ferry_container_is_active (c))
    {
      json_object *detail = json_object_new_object ();

      json_object_object_add (detail, "network", json_object_new_string (name));
      json_object_object_add (detail, "action", json_object_new_string ("disconnect"));
      if (ferry_operation_begin (e, &op, c->id, FERRY_OPERATION_ETC_FILES, "disconnect", detail, err) < 0)
        goto out;
      ferry_fault_point ("network-disconnect-recorded");
      ret = ferry_network_disconnect_finish (e, c, &op, name, err);
      if (ret < 0)
        {
          /* New content staged and recorded is the settle's to copy;
           * otherwise the record goes, C left on NAME in it.  */
          if (strcmp (op.phase, "copy") != 0)
            {
              cleanup_error ferry_error_t ignored = NULL;
              ferry_operation_end (e, &op, &ignored);
            }
          ferry_error_wrap (err, "cannot disconnect container %s from network %s", c->name, name);
        }
      goto out;
    }
  ret = forget_network (e, c, name, NULL, err);

out:
  ferry_operation_release (&op);
  ferry_container_free (c);
  return ret;
}

/* ---- reload -------------------------------------------------------------- */

/* Running container C's networks torn down (what is left of them) and
 * set up again with the same addresses and MACs, as Podman's reload,
 * with netavark's report saved after.  Done again from the start, it
 * leaves the same.  */
static int
reload_networks (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err)
{
  cleanup_free char *netns = ferry_engine_netns_path (e, c->id), *config_dir = NULL;
  cleanup_free char *path = ferry_container_network_status_path (e, c->id);
  cleanup_json json_object *opts = netavark_options (e, c, NULL, err), *status = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  struct ferry_netavark n;
  const char *text;

  if (opts == NULL)
    return -1;
  netavark_of (e, &n, &config_dir);
  /* As Podman: what is left goes first (a failure there is what a flush
   * leaves), then all of it is set up again.  The status file goes
   * first, so that nothing reads a report of what is torn down.  */
  unlink (path);
  ferry_netavark_teardown (&n, netns, opts, &ignored);
  ferry_fault_point ("network-reload-torn-down");
  if (ferry_netavark_setup (&n, netns, opts, &status, err) < 0)
    return ferry_error_wrap (err, "cannot reload the network of container %s", c->name);
  text = ferry_json_to_string (status, 0);
  return ferry_write_file_atomic (path, text, strlen (text), 0600, err);
}

int
ferry_network_reload (ferry_engine_t *e, const char *ref, char **id, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  struct ferry_container *c = NULL;
  struct ferry_operation op = { 0 };
  int ret = -1;

  *id = NULL;
  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  if (! ferry_container_is_active (c))
    {
      ferry_make_error_kind (err, FERRY_ERROR_STATE,
                             "cannot reload network unless container network has been configured: container "
                             "state improper (container %s is not running: start it)",
                             c->name);
      goto out;
    }
  if (! ferry_network_record_bridge_mode (c->record))
    {
      ferry_make_error_kind (err, FERRY_ERROR_STATE,
                             "container %s network is not configured, refusing to reload: it is on no bridge "
                             "network",
                             c->id);
      goto out;
    }
  /* Left on no network: nothing of netavark's to put back, and no error
   * (Podman's neither).  Otherwise recorded first: killed between the
   * teardown and the setup, the container would run without its
   * network, and the next command reloads it (ferry_network_reload_settle).  */
  if (ferry_network_record_bridged (c->record))
    {
      cleanup_error ferry_error_t ignored = NULL;

      if (ferry_operation_begin (e, &op, c->id, FERRY_OPERATION_NETWORK_RELOAD, "reload", NULL, err) < 0)
        goto out;
      if (reload_networks (e, c, err) < 0)
        {
          /* Said to the user, who may reload again: not the next
           * command's to retry.  */
          ferry_operation_end (e, &op, &ignored);
          goto out;
        }
      if (ferry_operation_end (e, &op, err) < 0)
        goto out;
    }
  *id = xstrdup (c->id);
  ret = 0;

out:
  ferry_operation_release (&op);
  ferry_container_free (c);
  return ret;
}

int
ferry_network_reload_settle (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  int ret = 0;

  /* Gone, stopped since (its stop tore down what was left), or taken
   * off its networks: nothing to set up.  */
  if (ferry_container_find (e, op->container_id, &c, &ignored) == 0 && ferry_container_is_active (c)
      && ferry_network_record_bridged (c->record))
    ret = reload_networks (e, c, err);
  ferry_container_free (c);
  if (ret < 0)
    return -1;
  return ferry_operation_end (e, op, err);
}
