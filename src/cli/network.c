/* ferry CLI: network create|ls|inspect|rm|exists.  */
#include "common.h"
#include "commands.h"
#include "engine/container.h"
#include "engine/engine.h"
#include "engine/network.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* 0 to go on, else 1 + the exit code (help: 0).  */
static int
other_option (int opt, const char *cmd, char **argv, const char *usage)
{
  int r = ferry_cli_parse_or_help (opt, cmd, argv, usage);

  return r > 0 ? 1 : r < 0 ? 1 + FERRY_EXIT_ERROR : 0;
}

/* Appends the comma-separated values of TEXT to *LIST (Podman's
 * "strings" flags: --dns a,b is --dns a --dns b).  */
static void
add_split (char ***list, const char *text)
{
  size_t n = 0;

  while ((*list)[n])
    n++;
  for (const char *p = text;;)
    {
      const char *comma = strchr (p, ',');
      size_t len = comma ? (size_t) (comma - p) : strlen (p);

      *list = xrealloc (*list, (n + 2) * sizeof (char *));
      (*list)[n++] = xstrndup (p, len);
      (*list)[n] = NULL;
      if (comma == NULL)
        break;
      p = comma + 1;
    }
}

/* An IPv4 value of FLAG into *V4, an IPv6 one (it has a colon) into *V6;
 * one of each.  */
static int
by_family (const char *arg, const char **v4, const char **v6, const char *flag)
{
  const char **slot = strchr (arg, ':') ? v6 : v4;

  if (*slot)
    return ferry_cli_failf ("%s %s: give one %s for each of IPv4 and IPv6", flag, arg, flag);
  *slot = arg;
  return 0;
}

static const char create_usage[]
    = "Usage: ferry network create [options] NAME\n\n"
      "Create a bridge network, set up by netavark when a container first joins it.\n\n"
      "Options:\n"
      "  -d, --driver DRIVER       bridge (the default), or macvlan or ipvlan: containers appear\n"
      "                            on the parent interface's link with addresses of their own\n"
      "      --disable-dns         no aardvark-dns name resolution on the network\n"
      "      --dns IP              where aardvark-dns forwards the queries it cannot answer\n"
      "                            (repeatable, or comma separated)\n"
      "      --gateway IP          the bridge's address (default: the subnet's first; one per\n"
      "                            subnet: IPv4, IPv6)\n"
      "      --ignore              a network of that name exists already: not an error\n"
      "      --interface-name NAME the bridge interface (default: the first free ferryN)\n"
      "      --internal            no route out of the network\n"
      "      --ip-range CIDR       give containers addresses from this part of the subnet only\n"
      "                            (one per subnet: IPv4, IPv6)\n"
      "      --ipam-driver DRIVER  host-local (the default: ferry hands out addresses), or none\n"
      "                            (no subnet; containers get an interface without address)\n"
      "      --ipv6                dual stack: an IPv6 subnet beside the IPv4 one (default: a\n"
      "                            random fdXX:XXXX:XXXX:XXXX::/64)\n"
      "      --label KEY=VALUE     a label (repeatable)\n"
      "  -o, --opt KEY=VALUE       a driver option (macvlan: parent=IFACE, required; mode=bridge|\n"
      "                            private|vepa|passthru; mtu=N, metric=N, no_default_route=true.\n"
      "                            ipvlan: the same, with mode=l2|l3|l3s. bridge: mtu=N, vlan=ID,\n"
      "                            isolate=true|false|strict, metric=N, no_default_route=true,\n"
      "                            mode=managed|unmanaged (a bridge the host has), vrf=IFACE,\n"
      "                            com.docker.network.bridge.name=IFACE)\n"
      "      --route DEST,GW[,METRIC] a route containers get: to subnet DEST through GW\n"
      "                            (repeatable)\n"
      "      --subnet CIDR         the IPv4 subnet (default: the first free 10.89.N.0/24), and\n"
      "                            an IPv6 one (/64 to /120) for a dual-stack network\n";

static int
network_create (int argc, char **argv)
{
  enum
  {
    OPT_DISABLE_DNS = OPT_COMMAND_FIRST,
    OPT_GATEWAY,
    OPT_INTERFACE,
    OPT_INTERNAL,
    OPT_IP_RANGE,
    OPT_LABEL,
    OPT_SUBNET,
    OPT_DNS,
    OPT_IGNORE,
    OPT_ROUTE,
    OPT_IPV6,
    OPT_IPAM_DRIVER,
  };
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "dns", required_argument, NULL, OPT_DNS },
                                        { "ignore", no_argument, NULL, OPT_IGNORE },
                                        { "route", required_argument, NULL, OPT_ROUTE },
                                        { "ipv6", no_argument, NULL, OPT_IPV6 },
                                        { "ipam-driver", required_argument, NULL, OPT_IPAM_DRIVER },
                                        { "driver", required_argument, NULL, 'd' },
                                        { "disable-dns", no_argument, NULL, OPT_DISABLE_DNS },
                                        { "gateway", required_argument, NULL, OPT_GATEWAY },
                                        { "interface-name", required_argument, NULL, OPT_INTERFACE },
                                        { "internal", no_argument, NULL, OPT_INTERNAL },
                                        { "ip-range", required_argument, NULL, OPT_IP_RANGE },
                                        { "label", required_argument, NULL, OPT_LABEL },
                                        { "opt", required_argument, NULL, 'o' },
                                        { "subnet", required_argument, NULL, OPT_SUBNET },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  struct ferry_network_create_options o = { 0 };
  cleanup_free char **labels = xmalloc0 (sizeof (char *)), **options = xmalloc0 (sizeof (char *));
  cleanup_free char **routes = xmalloc0 (sizeof (char *));
  cleanup_strv char **dns = xmalloc0 (sizeof (char *));
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_json json_object *def = NULL;
  ferry_error_t err = NULL;
  size_t n_labels = 0, n_options = 0, n_routes = 0;
  int c, r, ignore = 0;

  while ((c = getopt_long (argc, argv, ":d:o:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'd':
        o.driver = optarg;
        break;
      case 'o':
        options = xrealloc (options, (n_options + 2) * sizeof (char *));
        options[n_options++] = optarg;
        options[n_options] = NULL;
        break;
      case OPT_DISABLE_DNS:
        o.disable_dns = 1;
        break;
      case OPT_GATEWAY:
        if (by_family (optarg, &o.gateway, &o.gateway6, "--gateway") != 0)
          return FERRY_EXIT_ERROR;
        break;
      case OPT_INTERFACE:
        o.interface_name = optarg;
        break;
      case OPT_INTERNAL:
        o.internal = 1;
        break;
      case OPT_IP_RANGE:
        if (by_family (optarg, &o.ip_range, &o.ip_range6, "--ip-range") != 0)
          return FERRY_EXIT_ERROR;
        break;
      case OPT_LABEL:
        labels = xrealloc (labels, (n_labels + 2) * sizeof (char *));
        labels[n_labels++] = optarg;
        labels[n_labels] = NULL;
        break;
      case OPT_SUBNET:
        if (by_family (optarg, &o.subnet, &o.subnet6, "--subnet") != 0)
          return FERRY_EXIT_ERROR;
        break;
      case OPT_IPV6:
        o.ipv6 = 1;
        break;
      case OPT_IPAM_DRIVER:
        o.ipam_driver = optarg;
        break;
      case OPT_DNS:
        add_split (&dns, optarg);
        break;
      case OPT_IGNORE:
        ignore = 1;
        break;
      case OPT_ROUTE:
        routes = xrealloc (routes, (n_routes + 2) * sizeof (char *));
        routes[n_routes++] = optarg;
        routes[n_routes] = NULL;
        break;
      default:
        if ((r = other_option (c, "network create", argv, create_usage)))
          return r - 1;
      }
  if (argc - optind > 1)
    return ferry_cli_failf ("accepts at most 1 arg(s), received %d", argc - optind);
  /* Podman makes up a name; ferry wants one.  */
  if (optind + 1 != argc)
    return ferry_cli_failf ("give one network name: ferry network create [OPTIONS] NAME");
  o.name = argv[optind];
  o.labels = labels;
  o.options = options;
  o.dns_servers = dns;
  o.routes = routes;
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_network_create (e, &o, &def, &err) < 0)
    {
      /* --ignore: the network there is kept as it is, as Podman's.  */
      if (ignore && err->kind == FERRY_ERROR_EXISTS)
        {
          ferry_error_release (&err);
          puts (o.name);
          return 0;
        }
      return ferry_cli_fail (&err);
    }
  ferry_cli_event ("network", "create", NULL, o.name);
  puts (o.name);
  return 0;
}

static int compare_strings (const void *a, const void *b);

/* A copy of MAP with its keys in order, as Go writes a map.  */
static json_object *
sorted_map (json_object *map)
{
  json_object *out = json_object_new_object ();
  cleanup_free const char **keys = xmalloc ((json_object_object_length (map) + 1) * sizeof (*keys));
  size_t n = 0;

  json_object_object_foreach (map, k, v)
  {
    (void) v;
    keys[n++] = k;
  }
  qsort (keys, n, sizeof (*keys), compare_strings);
  for (size_t i = 0; i < n; i++)
    json_object_object_add (out, keys[i], json_object_get (json_object_object_get (map, keys[i])));
  return out;
}

/* A copy of definition DEF with its members in the order of Podman's
 * Network struct, and its maps' keys sorted, as Podman prints them;
 * members Podman has no name for come last.  */
static json_object *
podman_order (json_object *def)
{
  static const char *const order[] = { "name",
                                       "id",
                                       "driver",
                                       "network_interface",
                                       "created",
                                       "subnets",
                                       "routes",
                                       "ipv6_enabled",
                                       "internal",
                                       "dns_enabled",
                                       "network_dns_servers",
                                       "labels",
                                       "options",
                                       "ipam_options",
                                       NULL };
  json_object *out = json_object_new_object ();

  for (size_t i = 0; order[i]; i++)
    {
      json_object *v = NULL;

      if (! json_object_object_get_ex (def, order[i], &v))
        continue;
      if (v && json_object_is_type (v, json_type_object))
        json_object_object_add (out, order[i], sorted_map (v));
      else
        json_object_object_add (out, order[i], json_object_get (v));
    }
  json_object_object_foreach (def, k, v)
  {
    if (! json_object_object_get_ex (out, k, NULL))
      json_object_object_add (out, k, json_object_get (v));
  }
  return out;
}

/* The object `network ls --format` and `inspect` show: the definition,
 * as Podman shows it, with the containers on it.  */
static json_object *
network_json (ferry_engine_t *e, json_object *def)
{
  json_object *o = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_strv char **users = ferry_network_users (e, ferry_json_get_string (def, "name"), &ignored);
  json_object *containers = json_object_new_object ();

  o = podman_order (def);
  for (size_t i = 0; users && users[i]; i++)
    json_object_object_add (containers, users[i], json_object_new_object ());
  json_object_object_add (o, "containers", containers);
  return o;
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Labels as Podman's {{.Labels}} of a network: "a=1,b=2", keys sorted.  */
static char *
labels_text (json_object *labels)
{
  cleanup_free const char **keys = NULL;
  size_t i, n = 0, len = 1;
  char *out;

  if (labels == NULL || ! json_object_is_type (labels, json_type_object))
    return xstrdup ("");
  keys = xmalloc ((json_object_object_length (labels) + 1) * sizeof (*keys));
  json_object_object_foreach (labels, k, v)
  {
    keys[n++] = k;
    len += strlen (k) + strlen (json_object_get_string (v)) + 2;
  }
  qsort (keys, n, sizeof (*keys), compare_strings);
  out = xmalloc (len);
  *out = '\0';
  for (i = 0; i < n; i++)
    {
      if (i)
        strcat (out, ",");
      strcat (out, keys[i]);
      strcat (out, "=");
      strcat (out, json_object_get_string (json_object_object_get (labels, keys[i])));
    }
  return out;
}

/* A copy of OBJ's members named as Go names them (NAMES: "json name",
 * "Go name" pairs), whose {{json}} is OBJ.  */
static json_object *
go_struct (json_object *obj, const char *const *names)
{
  json_object *o = json_object_new_object ();

  for (size_t i = 0; names[i]; i += 2)
    {
      json_object *v = NULL;

      if (json_object_object_get_ex (obj, names[i], &v))
        json_object_object_add (o, names[i + 1], json_object_get (v));
    }
  ferry_cli_tpl_json_as (o, obj);
  return o;
}

/* The definition's subnets and routes as Podman's templates see them:
 * {{range .Subnets}}{{.Subnet}} {{.LeaseRange.StartIP}}{{end}}, and
 * {{json .Subnets}} as the definition has them.  */
static json_object *
subnets_report (json_object *subnets)
{
  static const char *const subnet_names[] = { "subnet", "Subnet", "gateway", "Gateway", NULL };
  static const char *const range_names[] = { "start_ip", "StartIP", "end_ip", "EndIP", NULL };
  json_object *out = json_object_new_array ();

  for (size_t i = 0; i < ferry_json_array_length (subnets); i++)
    {
      json_object *sn = json_object_array_get_idx (subnets, i),
                  *range = ferry_json_get_object (sn, "lease_range");
      json_object *o = go_struct (sn, subnet_names);

      if (range)
        json_object_object_add (o, "LeaseRange", go_struct (range, range_names));
      json_object_array_add (out, o);
    }
  return out;
}

static json_object *
routes_report (json_object *routes)
{
  static const char *const route_names[]
      = { "destination", "Destination", "gateway", "Gateway", "metric", "Metric", NULL };
  json_object *out = json_object_new_array ();

  for (size_t i = 0; i < ferry_json_array_length (routes); i++)
    {
      json_object *r = go_struct (json_object_array_get_idx (routes, i), route_names);

      /* A *uint32 in Podman's, which Go prints <nil> when not set (the
       * JSON, kept apart, has no metric).  */
      if (! json_object_object_get_ex (r, "Metric", NULL))
        json_object_object_add (r, "Metric", ferry_cli_tpl_nil_pointer ("*uint32"));
      json_object_array_add (out, r);
    }
  return out;
}

/* A row of `network ls --format TEMPLATE`: Podman's fields of the
 * definition, as Go prints them; {{json .}} is network_json's.  The JSON
 * names are no fields, as in Podman's templates.  */
static json_object *
network_report (ferry_engine_t *e, json_object *def, int no_trunc)
{
  cleanup_json json_object *as_json = network_json (e, def);
  json_object *o = json_object_new_object ();
  const char *id = ferry_json_get_string (def, "id");
  cleanup_free char *labels = labels_text (ferry_json_get_object (def, "labels"));
  json_object *dns = ferry_json_get_array (def, "network_dns_servers");

  json_object_object_add (o, "Name", json_object_new_string (ferry_json_get_string (def, "name") ?: ""));
  json_object_object_add (o, "Driver", json_object_new_string (ferry_json_get_string (def, "driver") ?: ""));
  json_object_object_add (
      o, "ID", json_object_new_string_len (id ? id : "", id ? strnlen (id, no_trunc ? 64 : 12) : 0));
  json_object_object_add (o, "Labels", json_object_new_string (labels));
  json_object_object_add (o, "Options", ferry_cli_tpl_map (ferry_json_get_object (def, "options")));
  json_object_object_add (o, "NetworkInterface",
                          json_object_new_string (ferry_json_get_string (def, "network_interface") ?: ""));
  json_object_object_add (o, "Created", ferry_cli_tpl_time (ferry_json_get_string (def, "created")));
  json_object_object_add (o, "Subnets", subnets_report (ferry_json_get_array (def, "subnets")));
  json_object_object_add (o, "Routes", routes_report (ferry_json_get_array (def, "routes")));
  json_object_object_add (
      o, "IPv6Enabled",
      json_object_new_boolean (json_object_get_boolean (json_object_object_get (def, "ipv6_enabled"))));
  json_object_object_add (
      o, "Internal",
      json_object_new_boolean (json_object_get_boolean (json_object_object_get (def, "internal"))));
  json_object_object_add (
      o, "DNSEnabled",
      json_object_new_boolean (json_object_get_boolean (json_object_object_get (def, "dns_enabled"))));
  json_object_object_add (o, "NetworkDNSServers", dns ? json_object_get (dns) : json_object_new_array ());
  json_object_object_add (o, "IPAMOptions", ferry_cli_tpl_map (ferry_json_get_object (def, "ipam_options")));
  json_object_object_add (o, "Containers", json_object_get (ferry_json_get_object (as_json, "containers")));
  ferry_cli_tpl_json_as (o, as_json);
  /* Subnets and Routes print as Go's structs.  */
  ferry_cli_tpl_go_members (o, "ferry.Network");
  return o;
}

/* What `network inspect --format TEMPLATE` renders: ls's fields, but the
 * full ID and the labels as a map.  */
static json_object *
network_inspect_template_object (ferry_engine_t *e, json_object *def)
{
  json_object *o = network_report (e, def, 1);

  json_object_object_add (o, "Labels", ferry_cli_tpl_map (ferry_json_get_object (def, "labels")));
  /* Podman's inspect report answers {{.Id}} too, where its ls says no
   * such field.  */
  json_object_object_add (o, "Id", json_object_get (json_object_object_get (o, "ID")));
  ferry_cli_tpl_hide (o, "Id");
  return o;
}

static const struct ferry_cli_column network_columns[] = {
  { "ID", "NETWORK ID" },
  { "Name", NULL },
  { "Driver", NULL },
  { "Labels", NULL },
  { "Options", NULL },
  { "NetworkInterface", NULL },
  { "Created", NULL },
  { "IPv6Enabled", "I PV 6 ENABLED" }, /* sic: how Podman splits the name */
  { "Internal", NULL },
  { "DNSEnabled", "DNS ENABLED" },
  { "IPAMOptions", "IPAM OPTIONS" },
  { NULL, NULL },
};

/* --filter name=REGEX, id=PREFIX, driver=D, label=K[=V]: values of one
 * key are alternatives, different keys must all hold.  */
struct network_filters
{
  char **args;
  size_t n;
};

static int
network_filter_check (const char *arg)
{
  static const char *const keys[] = { "name", "id", "driver", "label", "label!", "dangling", "until", NULL };
  const char *eq = strchr (arg, '=');
  size_t i;

  for (i = 0; eq && keys[i]; i++)
    if (strlen (keys[i]) == (size_t) (eq - arg) && strncmp (keys[i], arg, eq - arg) == 0)
      break;
  if (eq == NULL || keys[i] == NULL)
    {
      ferry_cli_failf (
          "invalid filter \"%.*s\": use name=, id=, driver=, label=, label!=, dangling= or until=",
          (int) (eq ? eq - arg : (int) strlen (arg)), arg);
      return -1;
    }
  /* The value after "=", from EQ: GCC's -fsanitize build cannot see
   * through ARG + 9 that it is a string.  */
  if (strncmp (arg, "dangling=", 9) == 0 && strcmp (eq + 1, "true") != 0 && strcmp (eq + 1, "false") != 0
      && strcmp (eq + 1, "1") != 0 && strcmp (eq + 1, "0") != 0)
    {
      ferry_cli_failf ("invalid dangling filter value \"%s\": give dangling=true or dangling=false", eq + 1);
      return -1;
    }
  if (strncmp (arg, "until=", 6) == 0)
    {
      struct timespec now, until;

      clock_gettime (CLOCK_REALTIME, &now);
      if (ferry_time_parse_user (eq + 1, &now, 1, &until) < 0)
        {
          ferry_cli_failf ("failed to parse value as time or duration: \"%s\"", eq + 1);
          return -1;
        }
    }
  if (strncmp (arg, "name=", 5) == 0)
    {
      regex_t re;
      if (regcomp (&re, arg + 5, REG_EXTENDED | REG_NOSUB) != 0)
        {
          ferry_cli_failf ("invalid filter %s: `%s` is not a regular expression", arg, arg + 5);
          return -1;
        }
      regfree (&re);
    }
  return 0;
}

/* True when label K[=V] of TEXT is among LABELS.  */
static int
network_label_matches (json_object *labels, const char *text)
{
  const char *veq = strchr (text, '=');
  cleanup_free char *k = veq ? xstrndup (text, (size_t) (veq - text)) : xstrdup (text);
  json_object *v = NULL;

  return labels && json_object_object_get_ex (labels, k, &v)
         && (veq == NULL || strcmp (json_object_get_string (v), veq + 1) == 0);
}

static int
network_filter_match_one (ferry_engine_t *e, const char *arg, json_object *def)
{
  const char *eq = strchr (arg, '='), *v = eq + 1;

  /* dangling=true: no container on it; the default network never is,
   * as in Podman.  */
  if (strncmp (arg, "dangling=", 9) == 0)
    {
      cleanup_error ferry_error_t ignored = NULL;
      cleanup_strv char **users = ferry_network_users (e, ferry_json_get_string (def, "name"), &ignored);
      int dangling = (users == NULL || users[0] == NULL)
                     && ! ferry_json_string_equals (def, "name", FERRY_DEFAULT_NETWORK);

      return dangling == (strcmp (v, "true") == 0 || strcmp (v, "1") == 0);
    }

  if (strncmp (arg, "name=", 5) == 0)
    {
      regex_t re;
      int hit;
      if (regcomp (&re, v, REG_EXTENDED | REG_NOSUB) != 0)
        return 0;
      hit = regexec (&re, ferry_json_get_string (def, "name") ?: "", 0, NULL, 0) == 0;
      regfree (&re);
      return hit;
    }
  if (strncmp (arg, "id=", 3) == 0)
    return strncmp (ferry_json_get_string (def, "id") ?: "", v, strlen (v)) == 0;
  if (strncmp (arg, "driver=", 7) == 0)
    return ferry_json_string_equals (def, "driver", v);
  /* until=TIME: made before it.  */
  if (strncmp (arg, "until=", 6) == 0)
    {
      struct timespec now, until, created;

      clock_gettime (CLOCK_REALTIME, &now);
      return ferry_time_parse_user (v, &now, 1, &until) == 0
             && ferry_time_parse (ferry_json_get_string (def, "created"), &created) == 0
             && (created.tv_sec < until.tv_sec
                 || (created.tv_sec == until.tv_sec && created.tv_nsec < until.tv_nsec));
    }
  if (strncmp (arg, "label!=", 7) == 0)
    return ! network_label_matches (ferry_json_get_object (def, "labels"), v);
  {
    json_object *labels = ferry_json_get_object (def, "labels"), *lv = NULL;
    const char *veq = strchr (v, '=');
    cleanup_free char *k = veq ? xstrndup (v, veq - v) : xstrdup (v);
    return labels && json_object_object_get_ex (labels, k, &lv)
           && (veq == NULL || strcmp (json_object_get_string (lv), veq + 1) == 0);
  }
}

static int
network_filter_match (ferry_engine_t *e, const struct network_filters *f, json_object *def)
{
  size_t i, j;

  for (i = 0; i < f->n; i++)
    {
      size_t klen = strchr (f->args[i], '=') - f->args[i];
      int seen = 0, hit = 0;
      for (j = 0; j < i && ! seen; j++)
        seen = strncmp (f->args[j], f->args[i], klen + 1) == 0;
      if (seen)
        continue;
      for (j = i; j < f->n && ! hit; j++)
        hit = strncmp (f->args[j], f->args[i], klen + 1) == 0
              && network_filter_match_one (e, f->args[j], def);
      if (! hit)
        return 0;
    }
  return 1;
}

static const char ls_usage[]
    = "Usage: ferry network ls [options]\n\n"
      "List networks.\n\n"
      "Options:\n"
      "  -f, --filter KEY=VALUE name=REGEX, id=PREFIX, driver=D, label=K[=V], label!=K[=V],\n"
      "                         dangling=true|false, until=TIME (repeatable: values of one\n"
      "                         key are alternatives, different keys must all hold)\n"
      "      --format FORMAT    json, or a Go template per network ({{.Name}} {{.ID}} {{.Driver}});\n"
      "                         \"table TEMPLATE\" adds headings and aligns the columns\n"
      "  -n, --noheading        no heading row\n"
      "      --no-trunc         full network IDs\n"
      "  -q, --quiet            names only\n";

static int
network_ls (int argc, char **argv)
{
  enum
  {
    OPT_FORMAT = OPT_COMMAND_FIRST,
    OPT_NO_TRUNC,
  };
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "format", required_argument, NULL, OPT_FORMAT },
                                        { "filter", required_argument, NULL, 'f' },
                                        { "noheading", no_argument, NULL, 'n' },
                                        { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
                                        { "quiet", no_argument, NULL, 'q' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_json json_object *defs = NULL;
  cleanup_free char **filter_args = NULL;
  cleanup_list struct ferry_cli_list out = { 0 };
  struct network_filters filters = { NULL, 0 };
  ferry_error_t err = NULL;
  const char *format = NULL;
  int quiet = 0, heading = 1, no_trunc = 0, c, r, ret = 0;
  size_t i;

  while ((c = getopt_long (argc, argv, ":f:nqh", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_FORMAT:
        format = optarg;
        break;
      case 'f':
        if (network_filter_check (optarg) < 0)
          return FERRY_EXIT_ERROR;
        filter_args = xrealloc (filter_args, (filters.n + 1) * sizeof (*filter_args));
        filter_args[filters.n++] = optarg;
        filters.args = filter_args;
        break;
      case 'n':
        heading = 0;
        break;
      case OPT_NO_TRUNC:
        no_trunc = 1;
        break;
      case 'q':
        quiet = 1;
        break;
      default:
        if ((r = other_option (c, "network ls", argv, ls_usage)))
          return r - 1;
      }
  if (optind < argc)
    return ferry_cli_failf ("`ferry network ls` takes no arguments (got `%s`)", argv[optind]);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_network_ensure_default (e, &err) < 0 || ferry_network_list (e, &defs, &err) < 0)
    return ferry_cli_fail (&err);
  /* Unlike ps, Podman's -q here wins over --format.  */
  if (quiet)
    {
      for (i = 0; i < json_object_array_length (defs); i++)
        if (network_filter_match (e, &filters, json_object_array_get_idx (defs, i)))
          puts (ferry_json_get_string (json_object_array_get_idx (defs, i), "name"));
      return 0;
    }
  if (format && ferry_cli_format_is_json (format))
    {
      cleanup_json json_object *all = json_object_new_array ();
      for (i = 0; i < json_object_array_length (defs); i++)
        if (network_filter_match (e, &filters, json_object_array_get_idx (defs, i)))
          {
            /* The definitions alone: Podman's list has no containers.  */
            json_object_array_add (all, podman_order (json_object_array_get_idx (defs, i)));
          }
      puts (ferry_json_to_string (all, 1));
      return 0;
    }
  ferry_cli_template_root_type ("network.ListPrintReports");
  ferry_cli_list_init (&out, format ? format : "table {{.ID}}\t{{.Name}}\t{{.Driver}}", network_columns,
                       heading);
  for (i = 0; i < json_object_array_length (defs) && ret == 0; i++)
    {
      json_object *def = json_object_array_get_idx (defs, i);
      cleanup_json json_object *o = NULL;

      if (! network_filter_match (e, &filters, def))
        continue;
      o = network_report (e, def, no_trunc);
      if (ferry_cli_list_row (&out, o, &err) < 0)
        ret = ferry_cli_fail (&err);
    }
  if (ret == 0 && ferry_cli_list_end (&out, &err) < 0)
    ret = ferry_cli_fail (&err);
  return ret;
}

json_object *
ferry_cli_network_inspect_lookup (const char *name, bool for_template, void *engine, ferry_error_t *err)
{
  cleanup_json json_object *def = NULL;
  ferry_engine_t *e = engine;

  if (ferry_network_ensure_default (e, err) < 0)
    return NULL;
  if (ferry_network_get (e, name, &def, err) < 0)
    {
      ferry_error_wrap (err, "network %s", name);
      return NULL;
    }
  return for_template ? network_inspect_template_object (e, def) : network_json (e, def);
}

static const char inspect_usage[]
    = "Usage: ferry network inspect [options] NETWORK [NETWORK...]\n\n"
      "Display the definitions of networks as JSON.\n\n"
      "Options:\n"
      "  -f, --format FORMAT  render with a Go template: the definition's fields\n"
      "                       ({{.subnets}}) and Podman's names ({{.Name}}\n"
      "                       {{.NetworkDNSServers}} {{.IPv6Enabled}} {{.Options}})\n";

static int
network_inspect (int argc, char **argv)
{
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_cli_inspected in = { .only_not_found = true };
  ferry_error_t err = NULL;
  int r;

  if ((r = ferry_cli_format_option_only (argc, argv, "network inspect", inspect_usage, &in.format)))
    return r - 1;
  in.format = ferry_cli_inspect_format (in.format);
  if (optind >= argc)
    return ferry_cli_failf ("requires at least 1 arg(s), only received %d", argc - optind);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_network_ensure_default (e, &err) < 0)
    return ferry_cli_fail (&err);
  return ferry_cli_inspect_names (&in, argv + optind, argc - optind, ferry_cli_network_inspect_lookup, e);
}

static const char rm_usage[] = "Usage: ferry network rm [options] NETWORK [NETWORK...]\n\n"
                               "Remove networks.\n\n"
                               "Options:\n"
                               "  -f, --force          remove the containers on the network first (each\n"
                               "                       stopped with its stop signal, then SIGKILL after\n"
                               "                       its stop timeout); networks that are not there\n"
                               "                       are passed over\n"
                               "  -t, --time SECONDS   with -f: give running containers this long\n"
                               "                       before SIGKILL instead\n\n"
                               "Exit 1 if a network does not exist, 2 if one is in use.\n";

static int
network_rm (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "force", no_argument, NULL, 'f' },
                                        { "time", required_argument, NULL, 't' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  int force = 0, c, r, ret = 0, timeout = -2;

  while ((c = getopt_long (argc, argv, ":ft:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = 1;
        break;
      case 't':
        {
          char *end;
          long v;

          errno = 0;
          v = strtol (optarg, &end, 10);
          if (errno || end == optarg || *end || v > INT_MAX || v < INT_MIN)
            return ferry_cli_failf ("invalid argument \"%s\" for \"-t, --time\" flag: give whole seconds",
                                    optarg);
          timeout = v < 0 ? -1 : (int) v;
          break;
        }
      default:
        if ((r = other_option (c, "network rm", argv, rm_usage)))
          return r - 1;
      }
  if (timeout != -2 && ! force)
    return ferry_cli_failf ("--force option must be specified to use the --time option");
  if (optind >= argc)
    return ferry_cli_failf ("requires at least 1 arg(s), only received %d", argc - optind);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  for (; optind < argc; optind++)
    {
      const char *name = argv[optind];
      ferry_error_t err = NULL;

      /* -f: each container gets its stop signal, then SIGKILL after -t
       * seconds (else its own stop timeout) with Podman's warning.  */
      if (ferry_network_remove_timeout (e, name, force, timeout < 0 ? FERRY_STOP_TIMEOUT_OWN : timeout,
                                        ferry_cli_warn_killed, &err)
          < 0)
        {
          /* As Podman's, -f passes over a network that is not there.  */
          if (force && err->kind == FERRY_ERROR_NOT_FOUND)
            {
              ferry_error_release (&err);
              continue;
            }
          /* Podman's codes: 1 not found, 2 in use, 125 anything else;
           * the worst one wins.  */
          int code = err->kind == FERRY_ERROR_NOT_FOUND ? 1
                     : err->kind == FERRY_ERROR_IN_USE  ? 2
                                                        : FERRY_EXIT_ERROR;

          ferry_cli_fail (&err);
          if (code > ret)
            ret = code;
          continue;
        }
      ferry_cli_event ("network", "remove", NULL, name);
      puts (name);
    }
  return ret;
}

static const char connect_usage[]
    = "Usage: ferry network connect [options] NETWORK CONTAINER\n\n"
      "Connect a container on bridge networks to one more; a running one at once.\n\n"
      "Options:\n"
      "      --alias NAME        another name of the container on the network (repeatable)\n"
      "      --ip IP             this IPv4 address on it (default: the next free)\n"
      "      --ip6 IP            this IPv6 address on it, when it has IPv6 (default: the next free)\n"
      "      --mac-address MAC   this MAC address on it (default: a random one)\n";

static int
network_connect (int argc, char **argv)
{
  enum
  {
    OPT_ALIAS = OPT_COMMAND_FIRST,
    OPT_IP,
    OPT_MAC,
    OPT_IP6,
  };
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "alias", required_argument, NULL, OPT_ALIAS },
                                        { "ip", required_argument, NULL, OPT_IP },
                                        { "ip6", required_argument, NULL, OPT_IP6 },
                                        { "mac-address", required_argument, NULL, OPT_MAC },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  struct ferry_network_connect_options o = { 0 };
  cleanup_free char **aliases = xmalloc0 (sizeof (char *));
  cleanup_engine ferry_engine_t *e = NULL;
  ferry_error_t err = NULL;
  size_t n_aliases = 0;
  int c, r;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_ALIAS:
        aliases = xrealloc (aliases, (n_aliases + 2) * sizeof (char *));
        aliases[n_aliases++] = optarg;
        aliases[n_aliases] = NULL;
        break;
      case OPT_IP:
        {
          unsigned char buf[16];

          /* Podman parses the flag as an address of either family.  */
          if (inet_pton (AF_INET, optarg, buf) != 1 && inet_pton (AF_INET6, optarg, buf) != 1)
            {
              return ferry_cli_failf (
                  "invalid argument \"%s\" for \"--ip\" flag: failed to parse IP: \"%s\"\nSee "
                  "'ferry network connect --help'",
                  optarg, optarg);
            }
          o.ip = optarg;
        }
        break;
      case OPT_IP6:
        o.ip6 = optarg;
        break;
      case OPT_MAC:
        o.mac = optarg;
        break;
      default:
        if ((r = other_option (c, "network connect", argv, connect_usage)))
          return r - 1;
      }
  if (optind + 2 != argc)
    return ferry_cli_failf ("accepts 2 arg(s), received %d", argc - optind);
  o.aliases = aliases;
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_network_connect (e, argv[optind + 1], argv[optind], &o, &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

static const char disconnect_usage[] = "Usage: ferry network disconnect [options] NETWORK CONTAINER\n\n"
                                       "Disconnect a container from a network; a running one at once.\n\n"
                                       "Options:\n"
                                       "  -f, --force   accepted for Podman's sake: ferry never waits\n";

static int
network_disconnect (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "force", no_argument, NULL, 'f' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  ferry_error_t err = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, ":fh", opts, NULL)) != -1)
    if (c != 'f' && (r = other_option (c, "network disconnect", argv, disconnect_usage)))
      return r - 1;
  if (optind + 2 != argc)
    return ferry_cli_failf ("accepts 2 arg(s), received %d", argc - optind);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_network_disconnect (e, argv[optind + 1], argv[optind], &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

/* network prune --filter: label=K[=V] (all must hold), label!=K[=V]
 * (spared when all hold), until=TIME (made before it).  */
struct prune_filters
{
  char **labels, **not_labels;
  size_t n_labels, n_not_labels;
  int has_until;
  struct timespec until;
};

static int
prune_filter_add (struct prune_filters *f, const char *arg)
{
  const char *eq = strchr (arg, '=');
  size_t klen = eq ? (size_t) (eq - arg) : strlen (arg);

  if (eq && klen == 5 && strncmp (arg, "label", 5) == 0)
    {
      f->labels = xrealloc (f->labels, (f->n_labels + 1) * sizeof (char *));
      f->labels[f->n_labels++] = (char *) eq + 1;
      return 0;
    }
  if (eq && klen == 6 && strncmp (arg, "label!", 6) == 0)
    {
      f->not_labels = xrealloc (f->not_labels, (f->n_not_labels + 1) * sizeof (char *));
      f->not_labels[f->n_not_labels++] = (char *) eq + 1;
      return 0;
    }
  if (eq && klen == 5 && strncmp (arg, "until", 5) == 0)
    {
      struct timespec now;

      clock_gettime (CLOCK_REALTIME, &now);
      if (ferry_time_parse_user (eq + 1, &now, 1, &f->until) < 0)
        return ferry_cli_failf ("failed to parse value as time or duration: \"%s\"", eq + 1);
      f->has_until = 1;
      return 0;
    }
  return ferry_cli_failf (
      "invalid filter \"%.*s\": network prune takes label=, label!= and until=", (int) klen, arg);
}

static int
prune_filter_match (const struct prune_filters *f, json_object *def)
{
  json_object *labels = ferry_json_get_object (def, "labels");
  size_t i, all = 1;

  for (i = 0; i < f->n_labels; i++)
    if (! network_label_matches (labels, f->labels[i]))
      return 0;
  for (i = 0; i < f->n_not_labels; i++)
    all &= network_label_matches (labels, f->not_labels[i]);
  if (f->n_not_labels && all)
    return 0;
  if (f->has_until)
    {
      struct timespec created;
      if (ferry_time_parse (ferry_json_get_string (def, "created"), &created) < 0
          || created.tv_sec > f->until.tv_sec
          || (created.tv_sec == f->until.tv_sec && created.tv_nsec >= f->until.tv_nsec))
        return 0;
    }
  return 1;
}

static const char prune_usage[]
    = "Usage: ferry network prune [options]\n\n"
      "Remove the networks no container uses (not the default one).\n\n"
      "Options:\n"
      "      --filter KEY=VALUE  only networks with label=K[=V], without label!=K[=V], or made\n"
      "                          before until=TIME (a time or a duration ago; repeatable)\n"
      "  -f, --force             do not ask (ferry never asks)\n";

static int
network_prune (int argc, char **argv)
{
  enum
  {
    OPT_FILTER = OPT_COMMAND_FIRST,
  };
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "filter", required_argument, NULL, OPT_FILTER },
                                        { "force", no_argument, NULL, 'f' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_json json_object *defs = NULL;
  struct prune_filters filters = { 0 };
  ferry_error_t err = NULL;
  int c, r, ret = 0;

  while ((c = getopt_long (argc, argv, ":fh", opts, NULL)) != -1)
    {
      if (c == OPT_FILTER)
        {
          if (prune_filter_add (&filters, optarg) != 0)
            {
              ret = FERRY_EXIT_ERROR;
              goto out;
            }
          continue;
        }
      if (c != 'f' && (r = other_option (c, "network prune", argv, prune_usage)))
        {
          ret = r - 1;
          goto out;
        }
    }
  if (optind < argc)
    {
      ret = ferry_cli_failf ("`ferry network prune` takes no arguments (got `%s`)", argv[optind]);
      goto out;
    }
  e = ferry_cli_open_engine ();
  if (e == NULL)
    {
      ret = FERRY_EXIT_ERROR;
      goto out;
    }
  if (ferry_network_list (e, &defs, &err) < 0)
    {
      ret = ferry_cli_fail (&err);
      goto out;
    }
  for (size_t i = 0; i < json_object_array_length (defs); i++)
    {
      const char *name = ferry_json_get_string (json_object_array_get_idx (defs, i), "name");
      cleanup_strv char **users = NULL;

      if (strcmp (name, FERRY_DEFAULT_NETWORK) == 0
          || ! prune_filter_match (&filters, json_object_array_get_idx (defs, i)))
        continue;
      users = ferry_network_users (e, name, &err);
      if (users == NULL)
        {
          ret = ferry_cli_fail (&err);
          continue;
        }
      if (users[0])
        continue;
      if (ferry_network_remove (e, name, 0, &err) < 0)
        {
          ret = ferry_cli_fail (&err);
          continue;
        }
      ferry_cli_event ("network", "remove", NULL, name);
      puts (name);
    }

out:
  free (filters.labels);
  free (filters.not_labels);
  return ret;
}

static const char update_usage[]
    = "Usage: ferry network update [options] NETWORK\n\n"
      "Change the DNS servers a network's aardvark-dns forwards to; running containers' at once.\n\n"
      "Options:\n"
      "      --dns-add IP    add this server (repeatable, or comma separated)\n"
      "      --dns-drop IP   drop this server (repeatable, or comma separated)\n";

static int
network_update (int argc, char **argv)
{
  enum
  {
    OPT_DNS_ADD = OPT_COMMAND_FIRST,
    OPT_DNS_DROP,
  };
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "dns-add", required_argument, NULL, OPT_DNS_ADD },
                                        { "dns-drop", required_argument, NULL, OPT_DNS_DROP },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_strv char **add = xmalloc0 (sizeof (char *)), **drop = xmalloc0 (sizeof (char *));
  cleanup_engine ferry_engine_t *e = NULL;
  ferry_error_t err = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_DNS_ADD:
        add_split (&add, optarg);
        break;
      case OPT_DNS_DROP:
        add_split (&drop, optarg);
        break;
      default:
        if ((r = other_option (c, "network update", argv, update_usage)))
          return r - 1;
      }
  if (optind + 1 != argc)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_network_update_dns (e, argv[optind], add, drop, &err) < 0)
    return ferry_cli_fail (&err);
  puts (argv[optind]);
  return 0;
}

static const char reload_usage[]
    = "Usage: ferry network reload [options] [CONTAINER...]\n\n"
      "Set up again the firewall rules and port forwarding of running containers (after something\n"
      "flushed nftables), with the same addresses; prints their IDs.\n\n"
      "Options:\n"
      "  -a, --all      every running container\n"
      "  -l, --latest   the container created last\n";

static int
network_reload (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_strv char **refs = xmalloc0 (sizeof (char *));
  size_t n = 0;
  int all = 0, latest = 0, c, r, ret = 0;

  while ((c = getopt_long (argc, argv, ":alh", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = 1;
        break;
      case 'l':
        latest = 1;
        break;
      default:
        if ((r = other_option (c, "network reload", argv, reload_usage)))
          return r - 1;
      }
  if (all && latest)
    return ferry_cli_failf ("--all and --latest cannot be used together");
  /* Podman's words, which differ for the two.  */
  if (all && optind < argc)
    return ferry_cli_failf ("no arguments are needed with --all");
  if (latest && optind < argc)
    return ferry_cli_failf ("--latest and containers cannot be used together");
  if (! all && ! latest && optind >= argc)
    return ferry_cli_failf ("you must provide at least one name or id");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (all || latest)
    {
      struct ferry_container **list = NULL, *last = NULL;
      ferry_error_t err = NULL;
      size_t count = 0;

      if (latest ? ferry_container_latest (e, &last, &err) < 0
                 : ferry_container_list (e, &list, &count, &err) < 0)
        return ferry_cli_fail (&err);
      if (latest)
        {
          refs = xrealloc (refs, 2 * sizeof (char *));
          refs[n++] = xstrdup (last->id);
          refs[n] = NULL;
          ferry_container_free (last);
        }
      for (size_t i = 0; i < count; i++)
        {
          /* --all: the running ones on networks, as Podman's.  */
          if (ferry_container_is_active (list[i]) && ferry_network_record_bridge_mode (list[i]->record))
            {
              refs = xrealloc (refs, (n + 2) * sizeof (char *));
              refs[n++] = xstrdup (list[i]->id);
              refs[n] = NULL;
            }
          ferry_container_free (list[i]);
        }
      free (list);
    }
  else
    for (; optind < argc; optind++)
      {
        refs = xrealloc (refs, (n + 2) * sizeof (char *));
        refs[n++] = xstrdup (argv[optind]);
        refs[n] = NULL;
      }
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *id = NULL;
      ferry_error_t err = NULL;

      if (ferry_network_reload (e, refs[i], &id, &err) < 0)
        {
          ret = ferry_cli_fail (&err);
          continue;
        }
      puts (id);
    }
  return ret;
}

static const char exists_usage[] = "Usage: ferry network exists NETWORK\n\n"
                                   "Exit 0 when the network exists, 1 when it does not.\n";

static int
network_exists (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_json json_object *def = NULL;
  ferry_error_t err = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    if ((r = other_option (c, "network exists", argv, exists_usage)))
      return r - 1;
  if (optind + 1 != argc)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_network_ensure_default (e, &err) < 0)
    return ferry_cli_fail (&err);
  if (ferry_network_get (e, argv[optind], &def, &err) == 0)
    return 0;
  if (err->kind == FERRY_ERROR_NOT_FOUND)
    {
      ferry_error_release (&err);
      return 1;
    }
  return ferry_cli_fail (&err);
}

int
ferry_cmd_network (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "connect", network_connect, "Connect a container to a network" },
    { "create", network_create, "Create a bridge network" },
    { "disconnect", network_disconnect, "Disconnect a container from a network" },
    { "exists", network_exists, "Tell whether a network exists" },
    { "inspect", network_inspect, "Display the definitions of networks" },
    { "ls", network_ls, "List networks" },
    { "prune", network_prune, "Remove the networks no container uses" },
    { "reload", network_reload, "Set up running containers' firewall rules again" },
    { "list", network_ls, NULL },
    { "rm", network_rm, "Remove networks" },
    { "remove", network_rm, NULL },
    { "update", network_update, "Change a network's DNS servers" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("network", table, argc - 1, argv + 1);
}
