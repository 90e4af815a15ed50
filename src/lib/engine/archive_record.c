/* ferry: checks of the container record a checkpoint archive carries.  */
#include "archive_record.h"
#include "userns.h"
#include "secret.h"
#include "health.h"
#include "internal.h"
#include "network.h"
#include "resources.h"
#include "process_options.h"
#include "volume.h"
#include "../network/addr.h"
#include "../network/addr6.h"
#include "../network/dns.h"
#include "../network/netopts.h"
#include "../network/ports.h"
#include "../image/reference.h"
#include "../runtime/mount_options.h"
#include "../runtime/seccomp.h"
#include "../runtime/cdi.h"
#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SHOWN_MAX 80  /* bytes of a value quoted in an error */
#define SIGNAL_MAX 64 /* SIGRTMAX on Linux */

struct record_check
{
  const char *archive;
  json_object *rec; /* the whole record, for checks across fields */
  ferry_error_t *err;
};

/* VALUE as an error may quote it: one line, control bytes escaped, cut
 * short when long (an archive chooses it).  */
static char *
shown (const char *value)
{
  return ferry_error_quotable (value, SHOWN_MAX);
}

static int refuse (struct record_check *c, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* "checkpoint archive `A`: FIELD of its container record PROBLEM": the
 * archive was not written by this ferry or was altered before its
 * manifest was made, and nothing can fix it on this side.  */
static int
refuse (struct record_check *c, const char *field, const char *fmt, ...)
{
  cleanup_free char *problem = NULL;
  /* A field's path is made of the record's own keys (a mount's, a
   * network's name): escaped, so that the refusal stays one line.  */
  cleanup_free char *shown = ferry_error_quotable (field, 256);
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&problem, fmt, ap) < 0)
    abort ();
  va_end (ap);
  return ferry_make_error (c->err, 0,
                           "checkpoint archive `%s`: field `%s` of its container record %s: refusing an "
                           "archive ferry did not write",
                           c->archive, shown, problem);
}

static int
check_string (struct record_check *c, const char *field, json_object *v)
{
  if (json_object_is_type (v, json_type_string) && ferry_json_string_value (v) == NULL)
    return refuse (c, field, "holds a NUL byte");
  if (ferry_json_string_value (v) == NULL)
    return refuse (c, field, "must be a string, not %s", ferry_json_type_name (v));
  return 0;
}

/* A string that IS_VALID takes: else "must be MUST_BE, not `S`".  */
static int
check_string_that (struct record_check *c, const char *field, json_object *v, int (*is_valid) (const char *),
                   const char *must_be)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  if (! is_valid (s))
    return refuse (c, field, "must be %s, not `%s`", must_be, q = shown (s));
  return 0;
}

static int
check_bool (struct record_check *c, const char *field, json_object *v)
{
  if (! json_object_is_type (v, json_type_boolean))
    return refuse (c, field, "must be true or false, not %s", ferry_json_type_name (v));
  return 0;
}

static int
check_int_range (struct record_check *c, const char *field, json_object *v, int64_t min, int64_t max)
{
  int64_t n;

  if (! json_object_is_type (v, json_type_int))
    return refuse (c, field, "must be an integer, not %s", ferry_json_type_name (v));
  n = json_object_get_int64 (v);
  if (n < min || n > max)
    return refuse (c, field, "must be between %lld and %lld, not %lld", (long long) min, (long long) max,
                   (long long) n);
  return 0;
}

static int
is_lower_hex (const char *s, size_t len)
{
  return strlen (s) == len && strspn (s, "0123456789abcdef") == len;
}

static int
is_container_id (const char *s)
{
  return is_lower_hex (s, 64);
}

/* "/" followed by a clean relative path: no `.` or `..` component, no
 * empty one (what create accepts as a mount destination, less "/").  */
static int
is_clean_absolute (const char *s)
{
  return s[0] == '/' && ferry_path_is_clean_relative (s + 1);
}

/* ---- the record's fields ------------------------------------------------- */

/* A list of at least one string, each of which IS_VALID takes: else
 * "must be a list of WHAT" or "holds `S`, which is ITEM".  */
static int
check_list_of (struct record_check *c, const char *field, json_object *v, const char *what,
               int (*is_valid) (const char *), const char *item)
{
  if (! json_object_is_type (v, json_type_array) || json_object_array_length (v) == 0)
    return refuse (c, field, "must be a list of %s, not %s", what, ferry_json_type_name (v));
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      json_object *e = json_object_array_get_idx (v, i);
      const char *s = ferry_json_string_value (e);
      cleanup_free char *q = NULL;

      if (s == NULL || ! is_valid (s))
        return refuse (c, field, "holds `%s`, which is %s",
                       q = shown (s ? s : json_object_to_json_string (e)), item);
    }
  return 0;
}

static int
is_added_group (const char *g)
{
  return ferry_group_add_is_valid (g) && strcmp (g, FERRY_GROUP_KEEP) != 0;
}

/* [group], as create keeps --group-add's (engine/process_options.h).  */
static int
check_group_add (struct record_check *c, const char *field, json_object *v)
{
  return check_list_of (c, field, v, "groups", is_added_group, "no group name or gid");
}

/* "0027", as create writes --umask.  */
static int
check_umask (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;
  unsigned mask;

  if (s == NULL)
    return check_string (c, field, v);
  if (strlen (s) != 4 || ferry_umask_parse (s, &mask) < 0)
    return refuse (c, field, "must be an octal mask from 0000 to 0777, not `%s`", q = shown (s));
  return 0;
}

static int
check_chrootdirs (struct record_check *c, const char *field, json_object *v)
{
  return check_list_of (c, field, v, "paths", ferry_chrootdir_is_valid, "no absolute clean path");
}

static int
check_personality (struct record_check *c, const char *field, json_object *v)
{
  return check_string_that (c, field, v, ferry_personality_is_valid, "LINUX or LINUX32");
}

/* ["80/tcp"], as create writes --expose's and the image's.  */
static int
check_expose (struct record_check *c, const char *field, json_object *v)
{
  return check_list_of (c, field, v, "ports", ferry_ports_expose_is_valid, "no PORT/PROTOCOL");
}

/* --pid, --ipc, --uts as create records them: host, none (IPC),
 * container:ID, ns:PATH (absolute, clean).  */
static int
check_ns_mode (struct record_check *c, const char *field, json_object *v, int ipc)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  if (strcmp (s, "host") == 0 || (ipc && (strcmp (s, "none") == 0 || strcmp (s, "private") == 0)))
    return 0;
  if (strncmp (s, "container:", 10) == 0 && is_lower_hex (s + 10, 64))
    return 0;
  if (strncmp (s, "ns:", 3) == 0 && is_clean_absolute (s + 3))
    return 0;
  return refuse (c, field, "must be host, %scontainer:ID or ns:PATH, not `%s`", ipc ? "none, private, " : "",
                 q = shown (s));
}

static int
check_pid_mode (struct record_check *c, const char *field, json_object *v)
{
  return check_ns_mode (c, field, v, 0);
}

static int
check_ipc_mode (struct record_check *c, const char *field, json_object *v)
{
  return check_ns_mode (c, field, v, 1);
}

static int
check_uts_mode (struct record_check *c, const char *field, json_object *v)
{
  return check_ns_mode (c, field, v, 0);
}

/* --userns as create records it: private, keep-id, container:ID,
 * ns:PATH (absolute, clean).  */
static int
check_userns_mode (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  if (strcmp (s, "private") == 0 || strcmp (s, "keep-id") == 0 || strcmp (s, "auto") == 0)
    return 0;
  if (strncmp (s, "container:", 10) == 0 && is_lower_hex (s + 10, 64))
    return 0;
  if (strncmp (s, "ns:", 3) == 0 && is_clean_absolute (s + 3))
    return 0;
  return refuse (c, field, "must be private, auto, keep-id, container:ID or ns:PATH, not `%s`",
                 q = shown (s));
}

/* ["CONTAINER:HOST:SIZE", ...]: within 32 bits, no overlaps, as the
 * kernel takes them.  */
static int
check_idmap (struct record_check *c, const char *field, json_object *v)
{
  cleanup_free struct ferry_idmap *m = NULL;
  size_t n = 0;
  const char *why = NULL;

  if (ferry_idmap_parse_list (v, &m, &n, &why) < 0)
    return refuse (c, field, "%s", why);
  return 0;
}

/* "none", "image" or an absolute host path, as create writes --hosts-file.  */
static int
check_hosts_file (struct record_check *c, const char *field, json_object *v)
{
  return check_string_that (c, field, v, ferry_hosts_file_is_valid, "none, image or an absolute path");
}

static int
check_id (struct record_check *c, const char *field, json_object *v)
{
  return check_string_that (c, field, v, is_container_id, "64 lowercase hex digits");
}

static int
check_name (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  if (! ferry_container_name_is_valid (s))
    return refuse (
        c, field,
        "must be a container name (a letter or digit, then letters, digits, `_`, `.` and `-`), not `%s`",
        q = shown (s));
  return 0;
}

static int
check_reference (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_free char *q = NULL;
  struct ferry_reference parsed;

  if (s == NULL)
    return check_string (c, field, v);
  if (*s == '\0' && ferry_container_rootfs (c->rec))
    return 0; /* a --rootfs container has no image */
  if (ferry_reference_parse (s, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &parsed, &ignored) < 0)
    return refuse (c, field, "must be an image reference, not `%s`", q = shown (s));
  ferry_reference_free (&parsed);
  return 0;
}

/* The store's image IDs are the bare hex of the config digest.  */
static int
check_image_id (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  if (*s == '\0' && ferry_container_rootfs (c->rec))
    return 0; /* a --rootfs container has no image */
  if (! is_lower_hex (s, 64))
    return refuse (c, field, "must be an image ID (64 lowercase hex digits), not `%s`", q = shown (s));
  return 0;
}

static int
check_digest (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  if (*s == '\0' && ferry_container_rootfs (c->rec))
    return 0; /* a --rootfs container has no image */
  if (! ferry_digest_is_valid (s))
    return refuse (c, field, "must be a sha256 digest, not `%s`", q = shown (s));
  return 0;
}

static int
check_time (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;
  struct timespec ts;

  if (s == NULL)
    return check_string (c, field, v);
  /* The parser stops at what it does not know: the rest must be a time's too.  */
  if (strlen (s) > 64 || strspn (s, "0123456789-T:.Z+") != strlen (s) || ferry_time_parse (s, &ts) < 0)
    return refuse (c, field, "must be an RFC 3339 time, not `%s`", q = shown (s));
  return 0;
}

static int
check_strings (struct record_check *c, const char *field, json_object *v)
{
  size_t i;

  if (! json_object_is_type (v, json_type_array))
    return refuse (c, field, "must be an array of strings, not %s", ferry_json_type_name (v));
  for (i = 0; i < json_object_array_length (v); i++)
    {
      cleanup_free char *item = xasprintf ("%s[%zu]", field, i);
      if (check_string (c, item, json_object_array_get_idx (v, i)) < 0)
        return -1;
    }
  return 0;
}

static int
check_args (struct record_check *c, const char *field, json_object *v)
{
  if (check_strings (c, field, v) < 0)
    return -1;
  if (json_object_array_length (v) == 0)
    return refuse (c, field, "is empty: the container has no command");
  return 0;
}

static int
check_labels (struct record_check *c, const char *field, json_object *v)
{
  if (! json_object_is_type (v, json_type_object))
    return refuse (c, field, "must be an object of strings, not %s", ferry_json_type_name (v));
  json_object_object_foreach (v, key, value)
  {
    cleanup_free char *q = shown (key);
    cleanup_free char *label = xasprintf ("%s.%s", field, q);
    if (check_string (c, label, value) < 0)
      return -1;
  }
  return 0;
}

static int
is_absolute (const char *s)
{
  return s[0] == '/';
}

static int
check_workdir (struct record_check *c, const char *field, json_object *v)
{
  return check_string_that (c, field, v, is_absolute, "an absolute path");
}

static int
check_hostname (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  if (! ferry_hostname_is_valid (s))
    return refuse (c, field, "must be 1 to %d characters without spaces or control characters, not `%s`",
                   FERRY_HOSTNAME_MAX, q = shown (s));
  return 0;
}

/* The network modes ferry has (build_record in container.c).  */
static int
check_network (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  if (strncmp (s, "ns:", 3) == 0)
    {
      cleanup_free char *clean = ferry_path_normalize_entry (s + 3);
      if (s[3] == '/' && ferry_path_is_clean_relative (clean) && strcmp (clean, s + 4) == 0)
        return 0;
    }
  if (strncmp (s, "container:", 10) == 0 && strlen (s + 10) == 64
      && strspn (s + 10, "0123456789abcdef") == 64)
    return 0;
  if (strcmp (s, "none") != 0 && strcmp (s, "host") != 0 && strcmp (s, "bridge") != 0)
    return refuse (c, field, "must be none, host, bridge, ns:PATH or container:ID, not `%s`", q = shown (s));
  return 0;
}

/* Published ports, netavark's shape (network/ports.h).  */
static int
check_ports (struct record_check *c, const char *field, json_object *v)
{
  if (! json_object_is_type (v, json_type_array))
    return refuse (c, field, "must be an array");
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      const char *why = ferry_ports_check (json_object_array_get_idx (v, i));
      if (why)
        return refuse (c, field, "holds a mapping that %s", why);
    }
  return 0;
}

/* A network alias, as create takes them: a DNS name without a final dot.  */
static int
alias_is_valid (const char *s)
{
  return s && ferry_dns_name_is_valid (s) && s[strlen (s) - 1] != '.';
}

/* A non-empty list of strings that each pass VALID.  */
static int
check_string_list (struct record_check *c, const char *field, json_object *v, int (*valid) (const char *),
                   const char *what)
{
  if (! json_object_is_type (v, json_type_array) || json_object_array_length (v) == 0)
    return refuse (c, field, "must be a list of %s", what);
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      const char *s = ferry_json_string_value (json_object_array_get_idx (v, i));
      cleanup_free char *q = NULL;

      if (s == NULL || ! valid (s))
        return refuse (c, field, "holds `%s`, which is not one of %s", q = shown (s ? s : "?"), what);
    }
  return 0;
}

/* { NETWORK: { "IP"?: address, "IPv6"?: address, "MAC"?: address,
 * "Aliases"?: [name], "Interface"?: name, "Options"?: { KEY: VALUE } } }  */
static int
check_networks (struct record_check *c, const char *field, json_object *v)
{
  /* The interfaces seen, by name: a record of many networks is checked
   * in linear time.  */
  cleanup_json json_object *interfaces = json_object_new_object ();

  /* Empty for a bridge container left on no network (network
   * disconnect), as Podman keeps it.  */
  if (! json_object_is_type (v, json_type_object))
    return refuse (c, field, "must be an object naming networks");
  json_object_object_foreach (v, name, att)
  {
    cleanup_free char *q = shown (name);
    uint32_t ip;
    unsigned char mac[6];

    if (! ferry_network_name_is_valid (name) && strcmp (name, FERRY_DEFAULT_NETWORK) != 0)
      return refuse (c, field, "names `%s`, which is not a valid network name", q);
    if (! json_object_is_type (att, json_type_object))
      return refuse (c, field, "holds a non-object for network %s", q);
    json_object_object_foreach (att, key, val)
    {
      const char *s = json_object_is_type (val, json_type_string) ? json_object_get_string (val) : NULL;

      if (strcmp (key, "Interface") == 0)
        {
          /* An interface name (interface_name=, else ethN), none twice.  */
          if (s == NULL || ! ferry_ifname_is_valid (s))
            return refuse (c, field, "holds a bad `Interface` for network %s", q);
          if (json_object_object_get_ex (interfaces, s, NULL))
            return refuse (c, field, "gives interface %s to two networks", s);
          json_object_object_add (interfaces, s, NULL);
          continue;
        }
      if (strcmp (key, "Options") == 0)
        {
          cleanup_error ferry_error_t why = NULL;
          const char *host;
          cleanup_free char *seen = NULL;

          if (ferry_network_attach_options_check (val, &why) < 0)
            return refuse (c, field, "holds bad `Options` for network %s: %s", q, why->msg);
          /* The host's end of each pair: none twice either.  */
          host = ferry_json_get_string (val, "host_interface_name");
          if (host == NULL)
            continue;
          seen = xasprintf ("host:%s", host);
          if (json_object_object_get_ex (interfaces, seen, NULL))
            return refuse (c, field, "gives host interface %s to two networks", host);
          json_object_object_add (interfaces, seen, NULL);
          continue;
        }
      if (strcmp (key, "Aliases") == 0)
        {
          cleanup_free char *f = xasprintf ("%s.%s.Aliases", field, q);
          if (check_string_list (c, f, val, alias_is_valid, "network aliases (host names)") < 0)
            return -1;
          continue;
        }

      if (strcmp (key, "IPv6") == 0)
        {
          struct ferry_ip6 ip6;
          if (s == NULL || ferry_ip6_parse (s, &ip6) < 0)
            return refuse (c, field, "holds a bad `IPv6` for network %s", q);
          continue;
        }
      if (strcmp (key, "IP") == 0 ? s == NULL || ferry_ip_parse (s, &ip) < 0
                                  : strcmp (key, "MAC") != 0 || s == NULL || ferry_mac_parse (s, mac) < 0)
        {
          cleanup_free char *k = shown (key);
          return refuse (c, field, "holds a bad `%s` for network %s", k, q);
        }
    }
  }
  return 0;
}

static int
dns_ip_is_canonical (const char *s)
{
  char ip[FERRY_IP_TEXT_MAX];

  return ferry_dns_ip_canonical (s, ip) == 0 && strcmp (ip, s) == 0;
}

static int
check_dns (struct record_check *c, const char *field, json_object *v)
{
  return check_string_list (c, field, v, dns_ip_is_canonical, "IPv4 or IPv6 addresses");
}

static int
dns_search_is_valid (const char *s)
{
  return ferry_dns_name_is_valid (s);
}

/* Domains, or "." alone (none).  */
static int
check_dns_search (struct record_check *c, const char *field, json_object *v)
{
  json_object *first = json_object_array_get_idx (v, 0);

  if (json_object_is_type (v, json_type_array) && json_object_array_length (v) == 1
      && ferry_json_string_value (first) && strcmp (ferry_json_string_value (first), ".") == 0)
    return 0;
  return check_string_list (c, field, v, dns_search_is_valid, "domain names");
}

static int
dns_option_is_valid (const char *s)
{
  return ferry_dns_option_is_valid (s);
}

static int
check_dns_options (struct record_check *c, const char *field, json_object *v)
{
  return check_string_list (c, field, v, dns_option_is_valid, "resolv.conf options");
}

static int
host_entry_is_valid (const char *s)
{
  return ferry_host_entry_is_valid (s);
}

/* "NAME[;NAME...]:IP|host-gateway", the gateway of a bridge network.  */
static int
check_extra_hosts (struct record_check *c, const char *field, json_object *v)
{
  if (check_string_list (c, field, v, host_entry_is_valid, "HOST:IP entries") < 0)
    return -1;
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      const char *s = json_object_get_string (json_object_array_get_idx (v, i));
      const char *ip = strchr (s, ':') + 1;

      if (strcmp (ip, FERRY_HOST_GATEWAY) == 0 && ! ferry_json_string_equals (c->rec, "Network", "bridge"))
        return refuse (c, field, "maps a name to host-gateway without a bridge network");
    }
  return 0;
}

/* Written only as true.  */
static int
check_true (struct record_check *c, const char *field, json_object *v)
{
  if (! json_object_is_type (v, json_type_boolean) || ! json_object_get_boolean (v))
    return refuse (c, field, "must be true when there");
  return 0;
}

/* Written only as "host": the default is a namespace of its own.  */
static int
check_cgroupns (struct record_check *c, const char *field, json_object *v)
{
  if (! json_object_is_type (v, json_type_string) || strcmp (json_object_get_string (v), "host") != 0)
    return refuse (c, field, "must be \"host\" when there");
  return 0;
}

/* The permission bits of the container's /, no special ones.  */
static int
check_root_mode (struct record_check *c, const char *field, json_object *v)
{
  return check_int_range (c, field, v, 0, 0777);
}

static int
check_shm_size (struct record_check *c, const char *field, json_object *v)
{
  return check_int_range (c, field, v, 1, INT64_MAX);
}

static int
check_stop_timeout (struct record_check *c, const char *field, json_object *v)
{
  return check_int_range (c, field, v, 0, INT_MAX);
}

static int
check_stop_signal (struct record_check *c, const char *field, json_object *v)
{
  return check_int_range (c, field, v, 1, SIGNAL_MAX);
}

/* --tz: "local" or a zone's clean relative path (whether this host has
 * the zone is start's to say).  */
static int
is_timezone (const char *s)
{
  return strcmp (s, "local") == 0 || (! strchr (s, '\n') && ferry_path_is_clean_relative (s));
}

static int
check_timezone (struct record_check *c, const char *field, json_object *v)
{
  return check_string_that (c, field, v, is_timezone, "local or a zone such as Europe/Paris");
}

static int
check_oom_score_adj (struct record_check *c, const char *field, json_object *v)
{
  return check_int_range (c, field, v, -1000, 1000);
}

static int
check_timeout (struct record_check *c, const char *field, json_object *v)
{
  return check_int_range (c, field, v, 1, INT32_MAX);
}

static int
is_restart_policy (const char *s)
{
  return strcmp (s, "always") == 0 || strcmp (s, "on-failure") == 0 || strcmp (s, "unless-stopped") == 0;
}

static int
check_restart_policy (struct record_check *c, const char *field, json_object *v)
{
  return check_string_that (c, field, v, is_restart_policy, "always, on-failure or unless-stopped");
}

static int
check_positive_int (struct record_check *c, const char *field, json_object *v)
{
  return check_int_range (c, field, v, 1, INT32_MAX);
}

/* The health fields, all at once: each is checked with the others.  */
static int
check_health (struct record_check *c, const char *field, json_object *v)
{
  const char *why = NULL, *bad = ferry_health_record_problem (c->rec, &why);

  (void) v;
  if (bad == NULL || strcmp (bad, field) != 0)
    return 0;
  return refuse (c, field, "%s", why);
}

static int
check_resource (struct record_check *c, const char *field, json_object *v)
{
  const char *why = NULL;

  if (ferry_resources_field_check (field, v, &why) && why)
    return refuse (c, field, "%s", why);
  return 0;
}

/* A file on the host (--cidfile, --conmon-pidfile, --log-opt path): absolute
 * and clean.  */
static int
is_host_path (const char *s)
{
  return is_clean_absolute (s) && ! strchr (s, '\n');
}

static int
check_host_file (struct record_check *c, const char *field, json_object *v)
{
  return check_string_that (c, field, v, is_host_path, "an absolute host path without `.` or `..`");
}

static int
check_log_driver (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  if (ferry_log_driver_canonical (s) == NULL)
    return refuse (c, field,
                   "must be a log driver (k8s-file, json-file, journald, none, passthrough), not `%s`",
                   q = shown (s));
  return 0;
}

/* --log-opt tag: one line, as create takes it.  */
static int
check_log_tag (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);

  if (s == NULL)
    return check_string (c, field, v);
  if (*s == '\0' || strchr (s, '\n'))
    return refuse (c, field, "must be one line of text");
  return 0;
}

static int
check_log_size (struct record_check *c, const char *field, json_object *v)
{
  return check_int_range (c, field, v, 1, INT64_MAX);
}

/* --rootfs: the host directory the container runs from; whether it
 * exists here is restore's to check.  */
static int
check_rootfs (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  if (! is_clean_absolute (s) || strchr (s, '\n'))
    return refuse (c, field, "must be the absolute path of a host directory other than /, not `%s`",
                   q = shown (s));
  return 0;
}

/* Capability names as create keeps them ("CAP_NET_ADMIN", "ALL").  */
static int
check_capabilities (struct record_check *c, const char *field, json_object *v)
{
  if (! json_object_is_type (v, json_type_array) || json_object_array_length (v) == 0)
    return refuse (c, field, "must be a list of capabilities");
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      const char *name = ferry_json_string_value (json_object_array_get_idx (v, i));
      cleanup_free char *kept = name ? ferry_spec_capability_name (name) : NULL;
      cleanup_free char *q = NULL;

      if (kept == NULL || strcmp (kept, name) != 0)
        return refuse (c, field, "holds `%s`, which is no capability", q = shown (name ? name : "?"));
    }
  return 0;
}

static int
check_memory (struct record_check *c, const char *field, json_object *v)
{
  return check_int_range (c, field, v, 6 << 20, INT64_MAX);
}

static int
check_nano_cpus (struct record_check *c, const char *field, json_object *v)
{
  return check_int_range (c, field, v, 1, 1024LL * 1000000000LL);
}

/* [{ "Name": "RLIMIT_NOFILE", "Soft": N, "Hard": N }], as create writes them.  */
static int
check_ulimits (struct record_check *c, const char *field, json_object *v)
{
  if (! json_object_is_type (v, json_type_array) || json_object_array_length (v) == 0)
    return refuse (c, field, "must be a list of limits");
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      json_object *l = json_object_array_get_idx (v, i), *soft, *hard;
      const char *name = ferry_json_string_value (json_object_object_get (l, "Name"));

      if (! json_object_is_type (l, json_type_object) || json_object_object_length (l) != 3 || name == NULL
          || ! ferry_spec_rlimit_known (name) || ! json_object_object_get_ex (l, "Soft", &soft)
          || ! json_object_object_get_ex (l, "Hard", &hard) || ! json_object_is_type (soft, json_type_int)
          || ! json_object_is_type (hard, json_type_int) || json_object_get_int64 (soft) < -1
          || json_object_get_int64 (hard) < -1)
        return refuse (c, field, "has a malformed limit (number %zu)", i + 1);
      /* -1 is unlimited; create takes no soft limit above the hard.  */
      if (json_object_get_int64 (hard) != -1
          && (json_object_get_int64 (soft) == -1
              || json_object_get_int64 (soft) > json_object_get_int64 (hard)))
        return refuse (c, field, "has a soft limit above its hard one (number %zu)", i + 1);
    }
  return 0;
}

static int
check_pids_limit (struct record_check *c, const char *field, json_object *v)
{
  if (json_object_is_type (v, json_type_int) && json_object_get_int64 (v) == -1)
    return 0;
  return check_int_range (c, field, v, 1, INT32_MAX);
}

/* "unconfined", or a profile of the container's own (checked as it
 * would be applied); the default leaves the field out.  */
static int
check_seccomp (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_json json_object *oci = NULL;
  cleanup_error ferry_error_t why = NULL;
  cleanup_free char *q = NULL;

  if (s)
    return strcmp (s, "unconfined") == 0
               ? 0
               : refuse (c, field, "must be unconfined or a profile, not `%s`", q = shown (s));
  if (! json_object_is_type (v, json_type_object))
    return refuse (c, field, "must be unconfined or a profile");
  oci = ferry_seccomp_to_oci (v, NULL, "the profile", &why);
  if (oci == NULL)
    return refuse (c, field, "is not a usable seccomp profile (%s)", q = shown (why->msg));
  return 0;
}

/* CDI device names, as create writes them (engine/cdi.h): resolved
 * through this host's CDI specs when the container restores.  */
static int
check_cdi_devices (struct record_check *c, const char *field, json_object *v)
{
  size_t n, i;

  if (! json_object_is_type (v, json_type_array) || (n = json_object_array_length (v)) == 0)
    return refuse (c, field, "must be a list of CDI device names");
  for (i = 0; i < n; i++)
    {
      const char *name = ferry_json_string_value (json_object_array_get_idx (v, i));
      if (name == NULL || ! ferry_cdi_is_qualified_name (name))
        return refuse (c, field, "has a malformed CDI device name (number %zu)", i + 1);
    }
  return 0;
}

/* --rdt-class: a class of service, one line.  */
static int
check_rdt_class (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);

  if (s == NULL || *s == '\0' || strchr (s, '\n'))
    return refuse (c, field, "must be a class of service name");
  return 0;
}

/* [{ "PathOnHost", "PathInContainer", "CgroupPermissions" }], as create
 * writes them: clean absolute paths, r, w and m, one device per path.  */
static int
check_devices (struct record_check *c, const char *field, json_object *v)
{
  size_t n, i, j;

  if (! json_object_is_type (v, json_type_array) || (n = json_object_array_length (v)) == 0)
    return refuse (c, field, "must be a list of devices");
  for (i = 0; i < n; i++)
    {
      json_object *d = json_object_array_get_idx (v, i);
      const char *host = ferry_json_string_value (json_object_object_get (d, "PathOnHost"));
      const char *container = ferry_json_string_value (json_object_object_get (d, "PathInContainer"));
      const char *access = ferry_json_string_value (json_object_object_get (d, "CgroupPermissions"));

      if (! json_object_is_type (d, json_type_object) || json_object_object_length (d) != 3 || host == NULL
          || container == NULL || access == NULL || ! is_clean_absolute (host)
          || ! is_clean_absolute (container) || ! ferry_spec_device_access_is_valid (access))
        return refuse (c, field, "has a malformed device (number %zu)", i + 1);
      for (j = 0; j < i; j++)
        if (ferry_json_string_equals (json_object_array_get_idx (v, j), "PathInContainer", container))
          {
            cleanup_free char *q = shown (container);
            return refuse (c, field, "repeats the device `%s`", q);
          }
    }
  return 0;
}

/* Namespaced sysctls only, as create allows them: no net.* sysctl when
 * the container shares the host's network namespace.  */
static int
check_sysctls (struct record_check *c, const char *field, json_object *v)
{
  int host_network = ferry_json_string_equals (c->rec, "Network", "host");

  if (! json_object_is_type (v, json_type_object) || json_object_object_length (v) == 0)
    return refuse (c, field, "must be an object of sysctls");
  json_object_object_foreach (v, name, value)
  {
    cleanup_free char *q = shown (name);
    enum ferry_sysctl_namespace ns = ferry_spec_sysctl_namespace (name);

    if (ns == FERRY_SYSCTL_REFUSED || (ns == FERRY_SYSCTL_NET && host_network))
      return refuse (c, field, "holds `%s`, which a container may not set", q);
    if (! ferry_spec_sysctl_value_is_valid (ferry_json_string_value (value)))
      return refuse (c, field, "has a malformed value for `%s`", q);
  }
  return 0;
}

static int
check_mask (struct record_check *c, const char *field, json_object *v)
{
  if (! json_object_is_type (v, json_type_array) || json_object_array_length (v) == 0)
    return refuse (c, field, "must be a list of paths");
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      const char *path = ferry_json_string_value (json_object_array_get_idx (v, i));
      cleanup_free char *q = NULL;

      if (path == NULL || ! is_clean_absolute (path))
        return refuse (c, field, "holds `%s`, which is no absolute path", q = shown (path ? path : "?"));
    }
  return 0;
}

/* ["ALL"], or paths and patterns, as create writes them.  */
static int
check_unmask (struct record_check *c, const char *field, json_object *v)
{
  size_t n;

  if (! json_object_is_type (v, json_type_array) || (n = json_object_array_length (v)) == 0)
    return refuse (c, field, "must be ALL or a list of paths");
  for (size_t i = 0; i < n; i++)
    {
      const char *path = ferry_json_string_value (json_object_array_get_idx (v, i));
      cleanup_free char *q = NULL;

      if (path && strcmp (path, "ALL") == 0 && n == 1)
        continue;
      if (path == NULL || ! ferry_mask_pattern_is_valid (path))
        return refuse (c, field, "holds `%s`, which is neither ALL alone nor an absolute path",
                       q = shown (path ? path : "?"));
    }
  return 0;
}

/* ---- mounts -------------------------------------------------------------- */

/* The keys a mount of TYPE has (mount_json in container.c), all required
 * but Anonymous, NoCopy, Options, Mode, Chown, SubPath, TypedOptions, FromContainer and
 * TmpfsOptions; an image's
 * Source is the image's ID.  */
static int
mount_key_known (const char *type, const char *key)
{
  if (strcmp (key, "Type") == 0 || strcmp (key, "Destination") == 0 || strcmp (key, "RW") == 0)
    return 1;
  if (strcmp (type, "volume") == 0)
    return strcmp (key, "Name") == 0 || strcmp (key, "Anonymous") == 0 || strcmp (key, "NoCopy") == 0
           || strcmp (key, "Mode") == 0 || strcmp (key, "Chown") == 0 || strcmp (key, "SubPath") == 0
           || strcmp (key, "Options") == 0 || strcmp (key, "TypedOptions") == 0;
  if (strcmp (type, "bind") == 0)
    return strcmp (key, "Source") == 0 || strcmp (key, "Options") == 0 || strcmp (key, "Mode") == 0
           || strcmp (key, "Chown") == 0 || strcmp (key, "TypedOptions") == 0
           || strcmp (key, "FromContainer") == 0;
  if (strcmp (type, "tmpfs") == 0)
    return strcmp (key, "Options") == 0 || strcmp (key, "Chown") == 0 || strcmp (key, "TmpfsOptions") == 0;
  if (strcmp (type, "image") == 0)
    return strcmp (key, "Source") == 0 || strcmp (key, "ImageName") == 0 || strcmp (key, "SubPath") == 0;
  return strcmp (key, "Options") == 0;
}

/* --mount's extra options: only the words the runtime's spec takes for
 * the mount's type.  */
static int
check_mount_options (struct record_check *c, const char *field, json_object *v, const char *type)
{
  if (! json_object_is_type (v, json_type_array))
    return refuse (c, field, "must be an array of mount options, not %s", ferry_json_type_name (v));
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      json_object *o = json_object_array_get_idx (v, i);
      const char *s = ferry_json_string_value (o);
      cleanup_free char *q = NULL;

      if (! json_object_is_type (o, json_type_string) || s == NULL)
        return refuse (c, field, "must hold strings only");
      if (! ferry_mount_option_is_valid (type, s))
        return refuse (c, field, "holds `%s`, which is not an option of a %s mount", q = shown (s), type);
    }
  return 0;
}

/* A bind's or volume's options as typed (inspect's HostConfig.Binds):
 * strings, each one of the words -v and --mount keep.  */
static int
check_typed_options (struct record_check *c, const char *field, json_object *v)
{
  if (! json_object_is_type (v, json_type_array))
    return refuse (c, field, "must be an array of mount options, not %s", ferry_json_type_name (v));
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      const char *s = ferry_json_string_value (json_object_array_get_idx (v, i));
      cleanup_free char *q = NULL;

      if (s == NULL)
        return refuse (c, field, "must hold strings only");
      if (! ferry_mount_typed_option_is_valid (s))
        return refuse (c, field, "holds `%s`, which is no option of -v or --mount", q = shown (s));
    }
  return 0;
}

/* A volume's SubPath: clean and relative, so it cannot name a place
 * outside the volume before the engine resolves it (beneath the volume,
 * at each start).  */
static int
check_subpath (struct record_check *c, const char *field, json_object *v)
{
  return check_string_that (c, field, v, ferry_path_is_clean_relative, "a relative path without `.` or `..`");
}

/* --tmpfs's options as typed (inspect's HostConfig.Tmpfs): ro, rw,
 * tmpcopyup or a tmpfs mount option, comma-separated, as create takes
 * them.  */
static int
check_tmpfs_options (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *copy = NULL, *q = NULL;
  char *save = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  copy = xstrdup (s);
  for (char *one = strtok_r (copy, ",", &save); one; one = strtok_r (NULL, ",", &save))
    if (strcmp (one, "ro") != 0 && strcmp (one, "rw") != 0 && strcmp (one, "tmpcopyup") != 0
        && ! ferry_mount_option_is_valid ("tmpfs", one))
      return refuse (c, field, "holds `%s`, which is not an option of a tmpfs mount", q = shown (one));
  return 0;
}

static int
is_relabel_mode (const char *s)
{
  return strcmp (s, "z") == 0 || strcmp (s, "Z") == 0;
}

static int
check_relabel_mode (struct record_check *c, const char *field, json_object *v)
{
  return check_string_that (c, field, v, is_relabel_mode, "z or Z");
}

static int
check_mount_member (struct record_check *c, json_object *m, const char *prefix, const char *key, int required,
                    int (*check) (struct record_check *, const char *, json_object *))
{
  cleanup_free char *field = xasprintf ("%s.%s", prefix, key);
  json_object *v;

  if (! json_object_object_get_ex (m, key, &v))
    return required ? refuse (c, field, "is missing") : 0;
  return check (c, field, v);
}

static int
check_destination (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  if (! is_clean_absolute (s))
    return refuse (c, field, "must be an absolute path below `/` without `.` or `..`, not `%s`",
                   q = shown (s));
  return 0;
}

static int
is_bind_source (const char *s)
{
  return strcmp (s, "/") == 0 || is_clean_absolute (s);
}

static int
check_bind_source (struct record_check *c, const char *field, json_object *v)
{
  return check_string_that (c, field, v, is_bind_source, "an absolute host path without `.` or `..`");
}

static int
check_volume_name (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  if (! ferry_volume_name_is_valid (s))
    return refuse (
        c, field,
        "must be a volume name (a letter or digit, then letters, digits, `_`, `.` and `-`), not `%s`",
        q = shown (s));
  return 0;
}

/* Destinations compare as runc sees them: "/a", "/./a" and "/a/" are one.  */
static char *
destination_key (const char *dst)
{
  const char *p = dst + 1;
  size_t n;

  while (p[0] == '.' && p[1] == '/')
    p += 2;
  n = strlen (p);
  if (n && p[n - 1] == '/')
    n--;
  return xstrndup (p, n);
}

static int
check_mount (struct record_check *c, json_object *m, const char *prefix)
{
  cleanup_free char *type_field = xasprintf ("%s.Type", prefix);
  const char *type;
  json_object *tv;
  int is_volume, is_bind;

  if (! json_object_is_type (m, json_type_object))
    return refuse (c, prefix, "must be an object, not %s", ferry_json_type_name (m));
  if (! json_object_object_get_ex (m, "Type", &tv))
    return refuse (c, type_field, "is missing");
  type = ferry_json_string_value (tv);
  if (type == NULL)
    return check_string (c, type_field, tv);
  is_volume = strcmp (type, "volume") == 0;
  is_bind = strcmp (type, "bind") == 0;
  if (! ferry_mount_type_is_known (type))
    {
      cleanup_free char *q = NULL;
      return refuse (c, type_field, "must be volume, bind, tmpfs, ramfs or devpts, not `%s`",
                     q = shown (type));
    }
  {
    json_object_object_foreach (m, key, unused)
    {
      (void) unused;
      if (! mount_key_known (type, key))
        {
          cleanup_free char *field = xasprintf ("%s.%s", prefix, key);
          return refuse (c, field, "is not a field of a %s mount", type);
        }
    }
  }
  if (check_mount_member (c, m, prefix, "Destination", 1, check_destination) < 0
      || check_mount_member (c, m, prefix, "RW", 1, check_bool) < 0
      || check_mount_member (c, m, prefix, "Mode", 0, check_relabel_mode) < 0
      || check_mount_member (c, m, prefix, "TypedOptions", 0, check_typed_options) < 0
      || check_mount_member (c, m, prefix, "FromContainer", 0, check_bool) < 0
      || check_mount_member (c, m, prefix, "Chown", 0, check_bool) < 0
      || check_mount_member (c, m, prefix, "SubPath", 0, check_subpath) < 0
      || check_mount_member (c, m, prefix, "TmpfsOptions", 0, check_tmpfs_options) < 0)
    return -1;
  {
    json_object *opts;
    if (json_object_object_get_ex (m, "Options", &opts))
      {
        cleanup_free char *field = xasprintf ("%s.Options", prefix);
        if (check_mount_options (c, field, opts, type) < 0)
          return -1;
      }
  }
  if (is_volume)
    return check_mount_member (c, m, prefix, "Name", 1, check_volume_name) < 0
                   || check_mount_member (c, m, prefix, "Anonymous", 0, check_bool) < 0
                   || check_mount_member (c, m, prefix, "NoCopy", 0, check_bool) < 0
               ? -1
               : 0;
  if (is_bind)
    return check_mount_member (c, m, prefix, "Source", 1, check_bind_source);
  if (strcmp (type, "image") == 0)
    return check_mount_member (c, m, prefix, "Source", 1, check_image_id) < 0
                   || check_mount_member (c, m, prefix, "ImageName", 1, check_reference) < 0
               ? -1
               : 0;
  return 0;
}

static int
check_mounts (struct record_check *c, const char *field, json_object *v)
{
  size_t n, i, j;
  cleanup_strv char **keys = NULL;

  if (! json_object_is_type (v, json_type_array))
    return refuse (c, field, "must be an array of mounts, not %s", ferry_json_type_name (v));
  n = json_object_array_length (v);
  keys = xmalloc0 (sizeof (char *) * (n + 1));
  for (i = 0; i < n; i++)
    {
      cleanup_free char *prefix = xasprintf ("%s[%zu]", field, i);
      json_object *m = json_object_array_get_idx (v, i);

      if (check_mount (c, m, prefix) < 0)
        return -1;
      keys[i] = destination_key (json_object_get_string (json_object_object_get (m, "Destination")));
      for (j = 0; j < i; j++)
        if (strcmp (keys[j], keys[i]) == 0)
          {
            cleanup_free char *dfield = xasprintf ("%s.Destination", prefix);
            cleanup_free char *q = shown (keys[i]);
            return refuse (c, dfield, "repeats the destination `/%s` of %s[%zu]", q, field, j);
          }
    }
  return 0;
}

/* ---- the record ---------------------------------------------------------- */

/* Every field create writes (build_record in container.c): all are
 * required but the OPTIONAL ones (written only when not the default), and
 * no other may come.  */
/* By name: this host's secrets of those names are used (secret.h).  */
static int
check_secrets (struct record_check *c, const char *field, json_object *v)
{
  if (! json_object_is_type (v, json_type_array) || json_object_array_length (v) == 0)
    return refuse (c, field, "must be a list of secrets");
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      cleanup_error ferry_error_t why = NULL;

      if (ferry_secret_entry_check (json_object_array_get_idx (v, i), &why) < 0)
        return refuse (c, field, "holds %s", why->msg);
    }
  return 0;
}

/* What create writes for --sdnotify other than the default; healthy
 * only with a health check to wait for.  */
static int
check_sdnotify_mode (struct record_check *c, const char *field, json_object *v)
{
  const char *s = ferry_json_string_value (v);
  cleanup_free char *q = NULL;

  if (s == NULL)
    return check_string (c, field, v);
  if (strcmp (s, "conmon") != 0 && strcmp (s, "healthy") != 0 && strcmp (s, "ignore") != 0)
    return refuse (c, field, "must be conmon, healthy or ignore, not `%s`", q = shown (s));
  if (strcmp (s, "healthy") == 0 && json_object_object_get (c->rec, "Healthcheck") == NULL)
    return refuse (c, field, "is healthy, but the record has no health check");
  return 0;
}

/* The index of the image in "CreateCommand".  */
static int
check_create_command_image (struct record_check *c, const char *field, json_object *v)
{
  json_object *cmd = json_object_object_get (c->rec, "CreateCommand");

  if (! json_object_is_type (cmd, json_type_array))
    return refuse (c, field, "comes without CreateCommand");
  return check_int_range (c, field, v, 1, (int64_t) json_object_array_length (cmd));
}

/* [ID], the containers --requires named: full IDs, each once, never the
 * container's own.  */
static int
check_requires (struct record_check *c, const char *field, json_object *v)
{
  const char *self = ferry_json_get_string (c->rec, "Id");

  if (check_list_of (c, field, v, "container IDs", is_container_id, "no container ID") < 0)
    return -1;
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      const char *id = json_object_get_string (json_object_array_get_idx (v, i));

      if (self && strcmp (id, self) == 0)
        return refuse (c, field, "names the container itself");
      for (size_t k = 0; k < i; k++)
        if (strcmp (json_object_get_string (json_object_array_get_idx (v, k)), id) == 0)
          return refuse (c, field, "repeats `%s`", id);
    }
  return 0;
}

static const struct record_field
{
  const char *key;
  int (*check) (struct record_check *c, const char *field, json_object *v);
  int optional;
} RECORD_FIELDS[] = {
  { "Id", check_id, 0 },
  { "Name", check_name, 0 },
  { "Image", check_reference, 0 },
  { "ImageName", check_reference, 0 },
  { "ImageID", check_image_id, 0 },
  { "ImageDigest", check_digest, 0 },
  { "Rootfs", check_rootfs, 1 },
  { "RootfsOverlay", check_true, 1 },
  { "Created", check_time, 0 },
  { "Env", check_strings, 0 },
  { "StartEnv", check_strings, 1 },
  { "Entrypoint", check_strings, 0 },
  { "Cmd", check_strings, 0 },
  { "Args", check_args, 0 },
  { "Labels", check_labels, 0 },
  { "WorkingDir", check_workdir, 0 },
  /* -w given: a start fails on a directory not in the container.  */
  { "WorkingDirGiven", check_true, 1 },
  { "User", check_string, 0 },
  { "Hostname", check_hostname, 0 },
  { "Tty", check_bool, 0 },
  { "OpenStdin", check_bool, 0 },
  { "AutoRemove", check_bool, 0 },
  { "Init", check_bool, 1 },
  { "Network", check_network, 0 },
  { "Networks", check_networks, 1 },
  { "Ports", check_ports, 1 },
  { "RootMode", check_root_mode, 1 },
  { "ShmSize", check_shm_size, 0 },
  { "StopTimeout", check_stop_timeout, 0 },
  { "StopSignal", check_stop_signal, 0 },
  { "Mounts", check_mounts, 0 },
  { "VolumesFrom", check_strings, 1 },
  { "Seccomp", check_seccomp, 1 },
  { "PidsLimit", check_pids_limit, 1 },
  { "CapAdd", check_capabilities, 1 },
  { "CapDrop", check_capabilities, 1 },
  { "ReadOnly", check_bool, 1 },
  { "Memory", check_memory, 1 },
  { "NanoCpus", check_nano_cpus, 1 },
  { "Ulimits", check_ulimits, 1 },
  { "NoNewPrivileges", check_bool, 1 },
  /* --security-opt label=disable: recorded only, ferry labels nothing.  */
  { "LabelDisable", check_true, 1 },
  { "Privileged", check_bool, 1 },
  { "CgroupNs", check_cgroupns, 1 },
  { "Devices", check_devices, 1 },
  { "CDIDevices", check_cdi_devices, 1 },
  { "IntelRdtClosID", check_rdt_class, 1 },
  { "Sysctls", check_sysctls, 1 },
  { "DefaultSysctls", check_sysctls, 1 },
  { "ReadOnlyTmpfs", check_bool, 1 },
  { "Mask", check_mask, 1 },
  { "Unmask", check_unmask, 1 },
  { "Dns", check_dns, 1 },
  { "DnsSearch", check_dns_search, 1 },
  { "DnsOptions", check_dns_options, 1 },
  { "UseImageResolvConf", check_true, 1 },
  { "ExtraHosts", check_extra_hosts, 1 },
  { "UseImageHosts", check_true, 1 },
  { "Annotations", check_labels, 1 },
  { "Timezone", check_timezone, 1 },
  { "OomScoreAdj", check_oom_score_adj, 1 },
  { "Timeout", check_timeout, 1 },
  { "ConmonPidFile", check_host_file, 1 },
  { "ContainerIDFile", check_host_file, 1 },
  { "RestartPolicy", check_restart_policy, 1 },
  { "RestartPolicyNo", check_true, 1 },
  { "RestartRetries", check_positive_int, 1 },
  { "RestartCount", check_positive_int, 1 },
  { "StoppedByUser", check_true, 1 },
  { "PublishAllPorts", check_true, 1 },
  /* The health check's, checked together (health.h).  */
  { "Healthcheck", check_health, 1 },
  { "StartupHealthCheck", check_health, 1 },
  { "HealthcheckOnFailureAction", check_health, 1 },
  { "HealthLogDestination", check_health, 1 },
  { "HealthcheckMaxLogCount", check_health, 1 },
  { "HealthcheckMaxLogSize", check_health, 1 },
  { "LogDriver", check_log_driver, 1 },
  { "LogPath", check_host_file, 1 },
  { "LogTag", check_log_tag, 1 },
  { "LogSize", check_log_size, 1 },
  { "Secrets", check_secrets, 1 },
  /* --cpu-shares, --memory-swap, ... (resources.h).  */
  { "CpuShares", check_resource, 1 },
  { "CpuPeriod", check_resource, 1 },
  { "CpuQuota", check_resource, 1 },
  { "CpuRealtimePeriod", check_resource, 1 },
  { "CpuRealtimeRuntime", check_resource, 1 },
  { "CpusetCpus", check_resource, 1 },
  { "CpusetMems", check_resource, 1 },
  { "MemoryReservation", check_resource, 1 },
  { "MemorySwap", check_resource, 1 },
  { "MemorySwappiness", check_resource, 1 },
  { "OomKillDisable", check_resource, 1 },
  { "BlkioWeight", check_resource, 1 },
  { "BlkioWeightDevice", check_resource, 1 },
  { "BlkioDeviceReadBps", check_resource, 1 },
  { "BlkioDeviceWriteBps", check_resource, 1 },
  { "BlkioDeviceReadIOps", check_resource, 1 },
  { "BlkioDeviceWriteIOps", check_resource, 1 },
  { "DeviceCgroupRules", check_resource, 1 },
  { "CgroupParent", check_resource, 1 },
  { "CgroupConf", check_resource, 1 },
  { "GroupAdd", check_group_add, 1 },
  { "Umask", check_umask, 1 },
  { "HostsFile", check_hosts_file, 1 },
  { "NoHostname", check_true, 1 },
  { "PidMode", check_pid_mode, 1 },
  { "IpcMode", check_ipc_mode, 1 },
  { "UTSMode", check_uts_mode, 1 },
  { "UsernsMode", check_userns_mode, 1 },
  { "UidMap", check_idmap, 1 },
  { "GidMap", check_idmap, 1 },
  { "PidFile", check_host_file, 1 },
  { "Expose", check_expose, 1 },
  { "InitPath", check_host_file, 1 },
  { "Personality", check_personality, 1 },
  { "RemoveImage", check_true, 1 },
  { "ChrootDirs", check_chrootdirs, 1 },
  { "Passwd", check_bool, 1 },
  { "PasswdEntry", check_string, 1 },
  { "GroupEntry", check_string, 1 },
  { "HostUsers", check_strings, 1 },
  /* --systemd, --shm-size-systemd, --sdnotify, --requires (systemd.h).  */
  { "SystemdMode", check_true, 1 },
  { "ShmSizeSystemd", check_shm_size, 1 },
  { "SdNotifyMode", check_sdnotify_mode, 1 },
  { "Requires", check_requires, 1 },
  { "CreateCommand", check_strings, 1 },
  /* The source's runtime: a name or a path there, never run here (the
   * restore records this ferry's own in its place).  */
  { "OCIRuntime", check_string, 1 },
  { "CreateCommandImage", check_create_command_image, 1 },
};

#define N_RECORD_FIELDS (sizeof (RECORD_FIELDS) / sizeof (RECORD_FIELDS[0]))

static int
check_fields (struct record_check *c, json_object *rec)
{
  size_t i;

  json_object_object_foreach (rec, key, unused)
  {
    (void) unused;
    for (i = 0; i < N_RECORD_FIELDS && strcmp (RECORD_FIELDS[i].key, key) != 0; i++)
      ;
    if (i == N_RECORD_FIELDS)
      {
        cleanup_free char *q = shown (key);
        return refuse (c, q, "is not a field this ferry knows");
      }
  }
  for (i = 0; i < N_RECORD_FIELDS; i++)
    {
      json_object *v;
      if (! json_object_object_get_ex (rec, RECORD_FIELDS[i].key, &v))
        {
          if (RECORD_FIELDS[i].optional)
            continue;
          return refuse (c, RECORD_FIELDS[i].key, "is missing");
        }
      if (RECORD_FIELDS[i].check (c, RECORD_FIELDS[i].key, v) < 0)
        return -1;
    }
  return 0;
}

/* ---- what the record asks for ------------------------------------------ */

static void
append (char **list, const char *item)
{
  char *grown = xasprintf ("%s%s%s", *list ? *list : "", *list ? ", " : "", item);

  free (*list);
  *list = grown;
}

static void
append_devices (char **list, json_object *devices)
{
  for (size_t i = 0; i < ferry_json_array_length (devices); i++)
    {
      json_object *d = json_object_array_get_idx (devices, i);
      cleanup_free char *host = shown (ferry_json_get_string (d, "PathOnHost"));
      cleanup_free char *container = shown (ferry_json_get_string (d, "PathInContainer"));
      cleanup_free char *item = xasprintf ("device `%s` at %s", host, container);

      append (list, item);
    }
}

static void
append_sysctls (char **list, json_object *sysctls)
{
  if (sysctls == NULL)
    return;
  json_object_object_foreach (sysctls, name, value)
  {
    cleanup_free char *q = shown (name), *qv = shown (json_object_get_string (value));
    cleanup_free char *item = xasprintf ("sysctl `%s=%s`", q, qv);

    append (list, item);
  }
}

/* netavark's own options (--network NAME:KEY=VALUE) of each network:
 * host_interface_name names an interface in the host's namespace, which
 * an archive from elsewhere must not choose (a name the host or another
 * network's bridge is to take), and netavark may read more of them in a
 * later version.  */
static void
append_network_options (char **list, json_object *networks)
{
  if (! json_object_is_type (networks, json_type_object))
    return;
  json_object_object_foreach (networks, name, att)
  {
    json_object *options = ferry_json_get_object (att, "Options");
    cleanup_free char *given = NULL, *q = NULL, *qn = NULL, *item = NULL;

    if (options == NULL || json_object_object_length (options) == 0)
      continue;
    json_object_object_foreach (options, key, value)
    {
      char *grown = xasprintf ("%s%s%s=%s", given ? given : "", given ? "," : "", key,
                               json_object_get_string (value));
      free (given);
      given = grown;
    }
    q = shown (given);
    qn = shown (name);
    item = xasprintf ("netavark options `%s` on network %s", q, qn);
    append (list, item);
  }
}

/* The sysctls another host's containers.conf gave the container, but for
 * those this host's gives a plain run (PLAIN, "NAME=VALUE").  */
static void
append_default_sysctls (char **list, json_object *defaults, char **plain)
{
  json_object *asked;

  if (defaults == NULL)
    return;
  asked = json_object_new_object ();
  json_object_object_foreach (defaults, name, value)
  {
    cleanup_free char *entry = xasprintf ("%s=%s", name, json_object_get_string (value));
    bool given = false;

    for (size_t i = 0; plain && plain[i] && ! given; i++)
      given = strcmp (plain[i], entry) == 0;
    if (! given)
      json_object_object_add (asked, name, json_object_get (value));
  }
  append_sysctls (list, asked);
  json_object_put (asked);
}

/* Files the container writes or removes on the host: --conmon-pidfile's,
 * --cidfile's, --health-log-destination's, --log-opt path's.  */
static void
append_host_files (char **list, json_object *rec)
{
  static const char *const fields[][2]
      = { { "ConmonPidFile", "conmon PID file" },     { "ContainerIDFile", "container ID file" },
          { "LogPath", "log file (--log-opt path)" }, { "HostsFile", "hosts file (--hosts-file)" },
          { "PidFile", "PID file (--pidfile)" },      { "InitPath", "init binary (--init-path)" } };

  for (size_t i = 0; i < sizeof (fields) / sizeof (fields[0]); i++)
    {
      const char *path = ferry_json_get_string (rec, fields[i][0]);
      cleanup_free char *q = NULL, *item = NULL;

      if (path == NULL || strcmp (path, "none") == 0 || strcmp (path, "image") == 0)
        continue;
      q = shown (path);
      item = xasprintf ("%s on the host at `%s`", fields[i][1], q);
      append (list, item);
    }
  /* --health-log-destination: a directory on the host that gets the
   * check's output.  */
  if (ferry_json_get_string (rec, "HealthLogDestination")
      && ! ferry_json_string_equals (rec, "HealthLogDestination", "events_logger"))
    {
      cleanup_free char *q = shown (ferry_json_get_string (rec, "HealthLogDestination"));
      cleanup_free char *item = xasprintf ("health check log in the host's directory `%s`", q);
      append (list, item);
    }
}

/* Annotations that runtimes and CRIU act on (crun's run.oci.*, CRIU's
 * org.criu.*), not just carry.  */
static void
append_runtime_annotations (char **list, json_object *annotations)
{
  if (annotations == NULL)
    return;
  json_object_object_foreach (annotations, key, value)
  {
    cleanup_free char *q = NULL, *item = NULL;

    (void) value;
    if (strncmp (key, "run.oci.", 8) != 0 && strncmp (key, "org.criu.", 9) != 0)
      continue;
    q = shown (key);
    item = xasprintf ("runtime annotation `%s`", q);
    append (list, item);
  }
}

/* --pid, --ipc, --uts other than the container's own (and IPC none). */
static void
append_namespaces (char **list, json_object *rec)
{
  static const char *const fields[][2] = { { "PidMode", "PID" }, { "IpcMode", "IPC" }, { "UTSMode", "UTS" } };

  for (size_t i = 0; i < sizeof (fields) / sizeof (fields[0]); i++)
    {
      const char *mode = ferry_json_get_string (rec, fields[i][0]);
      cleanup_free char *q = NULL, *item = NULL;

      if (mode == NULL || strcmp (mode, "none") == 0 || strcmp (mode, "private") == 0)
        continue;
      if (strcmp (mode, "host") == 0)
        item = xasprintf ("host %s namespace", fields[i][1]);
      else if (strncmp (mode, "container:", 10) == 0)
        item = xasprintf ("another container's %s namespace", fields[i][1]);
      else
        {
          q = shown (mode + 3);
          item = xasprintf ("%s namespace `%s`", fields[i][1], q);
        }
      append (list, item);
    }
}

/* A user namespace that maps host root (ID 0) into the container, or
 * joins a namespace ferry did not make for it: a plain run makes no
 * such thing.  */
static void
append_userns (char **list, json_object *rec)
{
  const char *mode = ferry_json_get_string (rec, "UsernsMode");
  static const char *const fields[][2] = { { "UidMap", "user" }, { "GidMap", "group" } };

  if (mode && strncmp (mode, "ns:", 3) == 0)
    {
      cleanup_free char *q = shown (mode + 3), *item = xasprintf ("user namespace `%s`", q);
      append (list, item);
    }
  else if (mode && strncmp (mode, "container:", 10) == 0)
    append (list, "another container's user namespace");
  for (size_t i = 0; i < sizeof (fields) / sizeof (fields[0]); i++)
    {
      cleanup_free struct ferry_idmap *m = NULL;
      size_t n = 0;
      const char *why;

      if (json_object_object_get (rec, fields[i][0]) == NULL
          || ferry_idmap_parse_list (json_object_object_get (rec, fields[i][0]), &m, &n, &why) < 0)
        continue;
      for (size_t j = 0; j < n; j++)
        if (m[j].host == 0)
          {
            cleanup_free char *item
                = xasprintf ("host %s ID 0 (root) mapped into its user namespace", fields[i][1]);
            append (list, item);
            break;
          }
    }
}

/* The options of mount M that grant more than a plain run's defaults:
 * set-user-ID programs or device nodes on a volume or tmpfs (nosuid and
 * nodev by default), and a propagation that carries the container's
 * mounts out to the host (shared, rshared).  A bind of a host path asks
 * for trust by itself.  */
static void
append_mount_options (char **list, json_object *rec, json_object *m)
{
  json_object *opts = ferry_json_get_array (m, "Options");
  const char *type = ferry_json_get_string (m, "Type");

  if (type == NULL || (strcmp (type, "volume") != 0 && strcmp (type, "tmpfs") != 0))
    return;
  for (size_t k = 0; k < ferry_json_array_length (opts); k++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (opts, k));
      cleanup_free char *name = NULL, *ctr = NULL, *dst = NULL, *item = NULL;

      if (o == NULL
          || ! (strcmp (o, "suid") == 0 || strcmp (o, "dev") == 0 || strcmp (o, "shared") == 0
                || strcmp (o, "rshared") == 0))
        continue;
      ctr = shown (ferry_json_get_string (rec, "Name") ? ferry_json_get_string (rec, "Name") : "?");
      dst = shown (ferry_json_get_string (m, "Destination") ? ferry_json_get_string (m, "Destination") : "?");
      if (strcmp (type, "volume") == 0)
        {
          name = shown (ferry_json_get_string (m, "Name") ? ferry_json_get_string (m, "Name") : "?");
          item = xasprintf ("mount option %s on volume `%s` at %s of container `%s`", o, name, dst, ctr);
        }
      else
        item = xasprintf ("mount option %s on the tmpfs at %s of container `%s`", o, dst, ctr);
      append (list, item);
    }
}

char *
ferry_archive_record_privileges (json_object *rec, char **plain_default_sysctls)
{
  json_object *mounts = ferry_json_get_array (rec, "Mounts");
  char *list = NULL;
  size_t i;

  for (i = 0; i < json_object_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      cleanup_free char *src = NULL, *dst = NULL, *item = NULL;

      append_mount_options (&list, rec, m);
      if (! ferry_json_string_equals (m, "Type", "bind"))
        continue;
      src = shown (ferry_json_get_string (m, "Source"));
      dst = shown (ferry_json_get_string (m, "Destination"));
      item = xasprintf ("bind mount of host `%s` at %s", src, dst);
      append (&list, item);
    }
  if (ferry_container_rootfs (rec))
    {
      cleanup_free char *q = shown (ferry_container_rootfs (rec));
      cleanup_free char *item = xasprintf ("the host directory `%s` as its root file system%s", q,
                                           ferry_container_rootfs_overlay (rec) ? " (under an overlay)" : "");
      append (&list, item);
    }
  append_userns (&list, rec);
  if (ferry_json_string_equals (rec, "Network", "host"))
    append (&list, "host network");
  else if (ferry_json_get_string (rec, "Network")
           && strncmp (ferry_json_get_string (rec, "Network"), "ns:", 3) == 0)
    {
      cleanup_free char *q = shown (ferry_json_get_string (rec, "Network") + 3);
      cleanup_free char *item = xasprintf ("network namespace `%s`", q);
      append (&list, item);
    }
  else if (ferry_json_get_string (rec, "Network")
           && strncmp (ferry_json_get_string (rec, "Network"), "container:", 10) == 0)
    append (&list, "another container's network");
  append_namespaces (&list, rec);
  append_network_options (&list, ferry_json_get_object (rec, "Networks"));
  if (json_object_get_boolean (json_object_object_get (rec, "SystemdMode")))
    append (&list, "the host's systemd cgroup hierarchy, writable (--systemd)");
  if (ferry_json_array_length (ferry_json_get_array (rec, "HostUsers")))
    append (&list, "host users in its /etc/passwd (--hostuser)");
  {
    json_object *add = ferry_json_get_array (rec, "CapAdd");
    if (ferry_json_array_length (add))
      {
        cleanup_free char *item = xasprintf ("added capabilities %s", ferry_json_to_string (add, 0));
        append (&list, item);
      }
  }
  if (ferry_json_string_equals (rec, "Seccomp", "unconfined"))
    append (&list, "no seccomp filter");
  else if (json_object_is_type (json_object_object_get (rec, "Seccomp"), json_type_object))
    append (&list, "a seccomp profile of its own");
  /* What Podman's --privileged turns off, and what opens the host's
   * kernel to the container: its devices, the settings of its kernel,
   * the parts of /proc and /sys a plain run hides or keeps read-only.  */
  if (json_object_get_boolean (json_object_object_get (rec, "Privileged")))
    append (&list, "privileged mode");
  append_devices (&list, ferry_json_get_array (rec, "Devices"));
  for (size_t k = 0; k < ferry_json_array_length (ferry_json_get_array (rec, "CDIDevices")); k++)
    {
      json_object *names = ferry_json_get_array (rec, "CDIDevices");
      cleanup_free char *q = shown (json_object_get_string (json_object_array_get_idx (names, k)));
      cleanup_free char *item = xasprintf ("CDI device `%s`", q);

      append (&list, item);
    }
  append_sysctls (&list, ferry_json_get_object (rec, "Sysctls"));
  append_default_sysctls (&list, ferry_json_get_object (rec, "DefaultSysctls"), plain_default_sysctls);
  append_host_files (&list, rec);
  append_runtime_annotations (&list, ferry_json_get_object (rec, "Annotations"));
  ferry_resources_privileges (rec, &list);
  if (ferry_json_get_int (rec, "OomScoreAdj", 0) < 0)
    {
      cleanup_free char *item
          = xasprintf ("OOM score adjustment %d", (int) ferry_json_get_int (rec, "OomScoreAdj", 0));
      append (&list, item);
    }
  {
    json_object *unmask = ferry_json_get_array (rec, "Unmask");
    if (ferry_json_array_length (unmask))
      {
        cleanup_free char *item = xasprintf ("unmasked paths %s", ferry_json_to_string (unmask, 0));
        append (&list, item);
      }
  }
  return list;
}

int
ferry_archive_record_check (json_object *rec, const struct ferry_restore_request *r, ferry_error_t *err)
{
  struct record_check c = { .archive = r->import_path, .rec = rec, .err = err };
  cleanup_free char *asked = NULL;

  if (! json_object_is_type (rec, json_type_object))
    return ferry_make_error (
        err, 0, "checkpoint archive `%s` was not written by ferry (config.dump has no ferry record)",
        r->import_path);
  if (check_fields (&c, rec) < 0)
    return -1;
  if (ferry_json_string_equals (rec, "Network", "bridge")
      != (json_object_object_get (rec, "Networks") != NULL))
    return refuse (&c, "Networks", "must be there exactly when Network is bridge");
  /* Image or host directory: one of the two.  */
  if (json_object_object_get (rec, "RootfsOverlay") && json_object_object_get (rec, "Rootfs") == NULL)
    return refuse (&c, "RootfsOverlay", "comes without Rootfs");
  if (json_object_object_get (rec, "Rootfs")
      && ! (ferry_json_string_equals (rec, "Image", "") && ferry_json_string_equals (rec, "ImageName", "")
            && ferry_json_string_equals (rec, "ImageID", "")
            && ferry_json_string_equals (rec, "ImageDigest", "")))
    return refuse (&c, "Rootfs", "comes with an image");
  /* A user namespace: both lists, its mode, and the network namespace
   * runc makes inside it (as create requires).  */
  if ((json_object_object_get (rec, "UidMap") == NULL) != (json_object_object_get (rec, "GidMap") == NULL)
      || (json_object_object_get (rec, "UidMap") == NULL)
             != (json_object_object_get (rec, "UsernsMode") == NULL))
    return refuse (&c, "UidMap", "must come with GidMap and UsernsMode, or none of them");
  if (json_object_object_get (rec, "UidMap") && ! ferry_json_string_equals (rec, "Network", "none"))
    return refuse (&c, "UidMap", "comes with a network other than none");
  /* What create refuses together.  */
  {
    const char *why = NULL, *field = ferry_resources_record_conflict (rec, &why);
    if (field)
      return refuse (&c, field, "%s", why);
  }
  if (json_object_object_get (rec, "UseImageResolvConf")
      && (json_object_object_get (rec, "Dns") || json_object_object_get (rec, "DnsSearch")
          || json_object_object_get (rec, "DnsOptions")))
    return refuse (&c, "UseImageResolvConf", "comes with DNS servers, search domains or options");
  if (json_object_object_get (rec, "UseImageHosts") && json_object_object_get (rec, "ExtraHosts"))
    return refuse (&c, "UseImageHosts", "comes with ExtraHosts");
  if (json_object_object_get (rec, "UseImageHosts") && json_object_object_get (rec, "HostsFile"))
    return refuse (&c, "UseImageHosts", "comes with HostsFile");
  if (json_object_object_get (rec, "RestartPolicy") == NULL
      && (json_object_object_get (rec, "RestartRetries") || json_object_object_get (rec, "RestartCount")))
    return refuse (&c, "RestartPolicy", "is missing while the restart policy's state is there");
  if (json_object_object_get (rec, "RestartRetries")
      && ! ferry_json_string_equals (rec, "RestartPolicy", "on-failure"))
    return refuse (&c, "RestartRetries", "comes with a restart policy other than on-failure");
  if (json_object_object_get (rec, "RestartPolicy")
      && json_object_get_boolean (json_object_object_get (rec, "AutoRemove")))
    return refuse (&c, "RestartPolicy", "comes with AutoRemove");
  /* Unsigned: its origin is unknown, so it gets what any user could
   * run, unless whoever restores vouches for it.  */
  asked = ferry_archive_record_privileges (rec, r->plain_default_sysctls);
  if (asked && ! r->trust_archive)
    return ferry_make_error (err, 0,
                             "checkpoint archive `%s` asks for %s: restore with --trust-archive if you trust "
                             "its origin",
                             r->import_path, asked);
  return 0;
}
