#include "netopts.h"
#include "addr6.h"
#include "dns.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A decimal number 0..MAX, all of TEXT.  */
static int
parse_unsigned (const char *text, unsigned long max, unsigned long *out)
{
  char *end;
  unsigned long v;

  if (text == NULL || *text < '0' || *text > '9')
    return -1;
  errno = 0;
  v = strtoul (text, &end, 10);
  if (errno || *end || v > max)
    return -1;
  *out = v;
  return 0;
}

static int
route_usage (const char *text, ferry_error_t *err)
{
  return ferry_make_error (err, 0, "invalid route: %s: use --route DESTINATION-CIDR,GATEWAY[,METRIC]", text);
}

int
ferry_route_parse (const char *text, struct ferry_route *out, ferry_error_t *err)
{
  const char *c1 = strchr (text, ','), *c2 = c1 ? strchr (c1 + 1, ',') : NULL;
  cleanup_free char *dest = NULL, *gw = NULL;
  const char *slash;
  unsigned long metric = 0;
  uint32_t ip;

  memset (out, 0, sizeof (*out));
  if (c1 == NULL || (c2 && strchr (c2 + 1, ',')))
    return route_usage (text, err);
  dest = xstrndup (text, (size_t) (c1 - text));
  gw = c2 ? xstrndup (c1 + 1, (size_t) (c2 - c1 - 1)) : xstrdup (c1 + 1);
  if (ferry_subnet_parse (dest, &out->destination) < 0)
    {
      /* An address with its prefix: Podman's "route destination invalid".  */
      slash = strchr (dest, '/');
      if (slash)
        {
          cleanup_free char *addr = xstrndup (dest, (size_t) (slash - dest));
          unsigned long prefix;
          if (ferry_ip_parse (addr, &ip) == 0 && parse_unsigned (slash + 1, 32, &prefix) == 0)
            return ferry_make_error (err, 0,
                                     "route destination invalid: %s has host bits set (give the network "
                                     "address of the subnet)",
                                     dest);
        }
      return ferry_make_error (err, 0, "invalid route destination %s: give an IPv4 subnet like 10.20.0.0/16",
                               dest);
    }
  if (ferry_ip_parse (gw, &out->gateway) < 0)
    return ferry_make_error (err, 0, "invalid route gateway %s: give an IPv4 address", gw);
  if (c2)
    {
      if (parse_unsigned (c2 + 1, UINT32_MAX, &metric) < 0)
        return ferry_make_error (err, 0, "invalid route metric %s: give a number from 0 to 4294967295",
                                 c2 + 1);
      out->metric = (uint32_t) metric;
      out->has_metric = 1;
    }
  return 0;
}

json_object *
ferry_route_json (const struct ferry_route *r)
{
  json_object *o = json_object_new_object ();
  char dest[19], gw[16];

  json_object_object_add (o, "destination",
                          json_object_new_string (ferry_subnet_format (&r->destination, dest)));
  json_object_object_add (o, "gateway", json_object_new_string (ferry_ip_format (r->gateway, gw)));
  if (r->has_metric)
    json_object_object_add (o, "metric", json_object_new_int64 (r->metric));
  return o;
}

int
ferry_routes_check (json_object *routes, const char *what, ferry_error_t *err)
{
  if (! json_object_is_type (routes, json_type_array) || json_object_array_length (routes) > 256)
    return ferry_make_error (err, 0, "%s: network field `routes` is not an array of at most 256 routes",
                             what);
  for (size_t i = 0; i < json_object_array_length (routes); i++)
    {
      json_object *r = json_object_array_get_idx (routes, i), *metric = NULL;
      struct ferry_subnet s;
      uint32_t ip;
      size_t fields = 2;

      if (! json_object_is_type (r, json_type_object)
          || ferry_subnet_parse (ferry_json_get_string (r, "destination"), &s) < 0
          || ferry_ip_parse (ferry_json_get_string (r, "gateway"), &ip) < 0)
        return ferry_make_error (err, 0, "%s: network route %zu is not an IPv4 destination and gateway", what,
                                 i);
      if (json_object_object_get_ex (r, "metric", &metric))
        {
          int64_t m = json_object_get_int64 (metric);
          if (! json_object_is_type (metric, json_type_int) || m < 0 || m > UINT32_MAX)
            return ferry_make_error (err, 0, "%s: network route %zu has a metric that is not 0 to 4294967295",
                                     what, i);
          fields++;
        }
      if ((size_t) json_object_object_length (r) != fields)
        return ferry_make_error (err, 0, "%s: network route %zu holds a field ferry does not know", what, i);
    }
  return 0;
}

int
ferry_dns_server_is_valid (const char *text)
{
  unsigned char buf[16];

  return text && (inet_pton (AF_INET, text, buf) == 1 || inet_pton (AF_INET6, text, buf) == 1);
}

static int
parse_bool (const char *s)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };

  for (size_t i = 0; yes[i]; i++)
    if (strcmp (s, yes[i]) == 0)
      return 1;
  for (size_t i = 0; no[i]; i++)
    if (strcmp (s, no[i]) == 0)
      return 0;
  return -1;
}

int
ferry_bridge_option_check (const char *key, const char *value, ferry_error_t *err)
{
  unsigned long n;

  if (strcmp (key, "mtu") == 0)
    {
      if (value[0] == '-' && parse_unsigned (value + 1, INT32_MAX, &n) == 0)
        return ferry_make_error (err, 0, "mtu %s is less than zero: give -o mtu=68 to 65535", value);
      if (parse_unsigned (value, 65535, &n) < 0 || (n != 0 && n < 68))
        return ferry_make_error (
            err, 0, "strconv.Atoi: parsing \"%s\": invalid syntax: give -o mtu=68 to 65535", value);
      return 0;
    }
  if (strcmp (key, "vlan") == 0)
    {
      if (parse_unsigned (value, INT32_MAX, &n) < 0)
        return ferry_make_error (
            err, 0, "strconv.Atoi: parsing \"%s\": invalid syntax: give -o vlan=0 to 4094", value);
      if (n > 4094)
        return ferry_make_error (err, 0, "vlan ID %s must be between 0 and 4094", value);
      return 0;
    }
  if (strcmp (key, "isolate") == 0)
    {
      if (strcmp (value, "strict") != 0 && parse_bool (value) < 0)
        return ferry_make_error (err, 0,
                                 "failed to parse isolate option: strconv.ParseBool: parsing \"%s\": invalid "
                                 "syntax: give -o isolate=true, false or strict",
                                 value);
      return 0;
    }
  if (strcmp (key, "metric") == 0)
    {
      if (parse_unsigned (value, UINT32_MAX, &n) < 0)
        return ferry_make_error (err, 0,
                                 "strconv.ParseUint: parsing \"%s\": invalid syntax: give -o metric=0 to "
                                 "4294967295",
                                 value);
      return 0;
    }
  if (strcmp (key, "no_default_route") == 0)
    {
      if (parse_bool (value) < 0)
        return ferry_make_error (err, 0,
                                 "strconv.ParseBool: parsing \"%s\": invalid syntax: give -o "
                                 "no_default_route=true or false",
                                 value);
      return 0;
    }
  if (strcmp (key, "mode") == 0)
    {
      if (strcmp (value, "managed") != 0 && strcmp (value, "unmanaged") != 0)
        return ferry_make_error (err, 0, "unknown bridge mode \"%s\": give -o mode=managed or unmanaged",
                                 value);
      return 0;
    }
  if (strcmp (key, "vrf") == 0)
    {
      if (! ferry_ifname_is_valid (value))
        return ferry_make_error (err, 0, "-o vrf=%s: give the name of a VRF interface", value);
      return 0;
    }
  return ferry_make_error (err, 0,
                           "unsupported bridge network option %s: a bridge network takes mtu, vlan, isolate, "
                           "metric, no_default_route, mode, vrf and com.docker.network.bridge.name",
                           key);
}

/* "invalid option for network NETWORK: WHY[ "VALUE"]: FIX", Podman's
 * words first.  */
static int
attach_refuse (ferry_error_t *err, const char *network, const char *why, const char *value, const char *fix)
{
  cleanup_free char *n = ferry_error_quotable (network, 64);
  cleanup_free char *v = value ? ferry_error_quotable (value, 64) : NULL;

  if (v)
    return ferry_make_error (err, 0, "invalid option for network %s: %s \"%s\": %s", n, why, v, fix);
  return ferry_make_error (err, 0, "invalid option for network %s: %s: %s", n, why, fix);
}

/* A key or value of a pass-through option: printable ASCII, no `,`
 * (which separates options) nor, in keys, `=`.  */
static int
option_text_is_valid (const char *s, size_t max, int is_key)
{
  size_t n = strlen (s);

  if (n > max || (is_key && n == 0))
    return 0;
  for (; *s; s++)
    if ((unsigned char) *s <= ' ' || (unsigned char) *s >= 0x7f || *s == ',' || (is_key && *s == '='))
      return 0;
  return 1;
}

#define ATTACH_OPTION_TEXT_MAX 256

static int
attach_option_put (const char *network, json_object *att, const char *key, const char *value,
                   ferry_error_t *err)
{
  json_object *options = ferry_json_get_object (att, "Options");

  if (! option_text_is_valid (key, ATTACH_OPTION_TEXT_MAX, 1)
      || ! option_text_is_valid (value, ATTACH_OPTION_TEXT_MAX, 0))
    return attach_refuse (err, network, "invalid option", key,
                          "give KEY=VALUE of printable characters, up to 256 each");
  if (strcmp (key, "host_interface_name") == 0 && ! ferry_ifname_is_valid (value))
    return attach_refuse (err, network, "invalid host_interface_name", value,
                          "use 1 to 15 of a-z, A-Z, 0-9, `_`, `.`, `-`");
  if (options == NULL)
    {
      options = json_object_new_object ();
      json_object_object_add (att, "Options", options);
    }
  if (json_object_object_length (options) >= FERRY_ATTACH_OPTIONS_MAX
      && ! json_object_object_get_ex (options, key, NULL))
    return attach_refuse (err, network, "too many options", NULL, "give at most 32");
  json_object_object_add (options, key, json_object_new_string (value));
  return 0;
}

static int
attach_address (const char *network, json_object *att, const char *value, ferry_error_t *err)
{
  uint32_t ip;
  struct ferry_ip6 ip6;
  char buf[FERRY_IP6_TEXT_MAX];

  if (ferry_ip_parse (value, &ip) == 0)
    {
      if (ferry_json_get_string (att, "IP") == NULL)
        json_object_object_add (att, "IP", json_object_new_string (ferry_ip_format (ip, buf)));
      return 0;
    }
  if (ferry_ip6_parse (value, &ip6) == 0)
    {
      if (ferry_json_get_string (att, "IPv6") == NULL)
        json_object_object_add (att, "IPv6", json_object_new_string (ferry_ip6_format (&ip6, buf)));
      return 0;
    }
  return attach_refuse (err, network, "invalid ip address", value,
                        "give ip=ADDRESS, an IPv4 or IPv6 address on the network");
}

static int
attach_one (const char *network, json_object *att, const char *key, const char *value, ferry_error_t *err)
{
  if (strcmp (key, "ip") == 0 || strcmp (key, "ip6") == 0)
    return attach_address (network, att, value, err);
  if (strcmp (key, "mac") == 0)
    {
      unsigned char mac[6];
      char buf[18];

      if (ferry_mac_parse (value, mac) < 0)
        {
          cleanup_free char *n = ferry_error_quotable (network, 64);
          cleanup_free char *v = ferry_error_quotable (value, 64);
          return ferry_make_error (err, 0,
                                   "invalid option for network %s: address %s: invalid MAC address: use "
                                   "six hex pairs like 02:42:0a:59:00:02",
                                   n, v);
        }
      json_object_object_add (att, "MAC", json_object_new_string (ferry_mac_format (mac, buf)));
      return 0;
    }
  if (strcmp (key, "alias") == 0)
    {
      json_object *list = ferry_json_get_array (att, "Aliases");

      if (*value == '\0')
        return attach_refuse (err, network, "alias cannot be empty", NULL, "give alias=NAME");
      if (! ferry_dns_name_is_valid (value) || value[strlen (value) - 1] == '.')
        return attach_refuse (err, network, "invalid alias", value,
                              "give a host name (letters, digits, `-`, dot-separated)");
      if (list == NULL)
        {
          list = json_object_new_array ();
          json_object_object_add (att, "Aliases", list);
        }
      json_object_array_add (list, json_object_new_string (value));
      return 0;
    }
  if (strcmp (key, "interface_name") == 0)
    {
      if (*value == '\0')
        return attach_refuse (err, network, "interface_name cannot be empty", NULL,
                              "give interface_name=NAME");
      if (! ferry_ifname_is_valid (value))
        return attach_refuse (err, network, "invalid interface_name", value,
                              "use 1 to 15 of a-z, A-Z, 0-9, `_`, `.`, `-`");
      json_object_object_add (att, "Interface", json_object_new_string (value));
      return 0;
    }
  return attach_option_put (network, att, key, value, err);
}

int
ferry_network_attach_parse (const char *network, const char *text, json_object *att, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (text);
  char *save = NULL, *opt;

  /* Empty ones between commas are skipped.  */
  for (opt = strtok_r (copy, ",", &save); opt; opt = strtok_r (NULL, ",", &save))
    {
      char *eq = strchr (opt, '=');

      if (eq)
        *eq = '\0';
      if (attach_one (network, att, opt, eq ? eq + 1 : "", err) < 0)
        return -1;
    }
  return 0;
}

int
ferry_network_attach_options_check (json_object *options, ferry_error_t *err)
{
  if (! json_object_is_type (options, json_type_object)
      || json_object_object_length (options) > FERRY_ATTACH_OPTIONS_MAX)
    return ferry_make_error (err, 0, "must be an object of at most %d options", FERRY_ATTACH_OPTIONS_MAX);
  json_object_object_foreach (options, key, val)
  {
    const char *s = json_object_is_type (val, json_type_string) ? json_object_get_string (val) : NULL;
    cleanup_free char *k = ferry_error_quotable (key, 64);

    if (s == NULL || ! option_text_is_valid (key, ATTACH_OPTION_TEXT_MAX, 1)
        || ! option_text_is_valid (s, ATTACH_OPTION_TEXT_MAX, 0)
        || (strcmp (key, "host_interface_name") == 0 && ! ferry_ifname_is_valid (s)))
      return ferry_make_error (err, 0, "holds a bad option `%s`", k);
  }
  return 0;
}
