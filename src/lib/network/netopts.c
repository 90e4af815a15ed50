#include "netopts.h"
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
