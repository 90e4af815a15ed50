#include "ports.h"
#include "addr.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* "N" or "N-M" (1 to 65535, N <= M) into *FIRST and *COUNT; WHICH
 * ("host", "container") names it in errors, in Podman's words and then
 * the whole SPEC.  */
static int
parse_range (const char *text, const char *which, const char *spec, int *first, int *count,
             ferry_error_t *err)
{
  long v[2];
  const char *piece = text;

  for (int i = 0; i < 2; i++)
    {
      char *end;

      errno = 0;
      v[i] = (piece[0] >= '0' && piece[0] <= '9') ? strtol (piece, &end, 10) : -1;
      if (v[i] < 0 || errno || (*end != '\0' && (i == 1 || *end != '-')))
        {
          size_t n = i == 0 ? strcspn (piece, "-") : strlen (piece);

          return ferry_make_error (
              err, 0,
              "parsing %s port: invalid port number: strconv.Atoi: parsing \"%.*s\": invalid "
              "syntax (in `%s`: use [IP:][HOSTPORT:]CONTAINERPORT[/PROTOCOL])",
              which, (int) n, piece, spec);
        }
      if (v[i] < 1 || v[i] > 65535)
        return ferry_make_error (
            err, 0,
            "parsing %s port: port numbers must be between 1 and 65535 (inclusive), got %ld "
            "(in `%s`)",
            which, v[i], spec);
      if (*end == '\0')
        {
          if (i == 0)
            v[1] = v[0];
          break;
        }
      piece = end + 1;
    }
  if (v[0] > v[1])
    return ferry_make_error (err, 0, "parsing %s port: the range %s ends before it starts (in `%s`)", which,
                             text, spec);
  *first = (int) v[0];
  *count = (int) (v[1] - v[0] + 1);
  return 0;
}

static json_object *
mapping (const char *host_ip, int host_port, int container_port, int range, const char *protocol)
{
  json_object *m = json_object_new_object ();

  json_object_object_add (m, "host_ip", json_object_new_string (host_ip));
  json_object_object_add (m, "host_port", json_object_new_int (host_port));
  json_object_object_add (m, "container_port", json_object_new_int (container_port));
  json_object_object_add (m, "range", json_object_new_int (range));
  json_object_object_add (m, "protocol", json_object_new_string (protocol));
  return m;
}

int
ferry_ports_host_ip_canonical (const char *text, char out[FERRY_PORTS_IP_TEXT_MAX])
{
  struct in6_addr a6;
  uint32_t ip;

  if (ferry_ip_parse (text, &ip) == 0)
    {
      ferry_ip_format (ip, out);
      return 0;
    }
  if (strchr (text, '%') || inet_pton (AF_INET6, text, &a6) != 1)
    return -1;
  /* An IPv4 address written as IPv6 is the IPv4 one, as Go reads it.  */
  if (IN6_IS_ADDR_V4MAPPED (&a6))
    return inet_ntop (AF_INET, &a6.s6_addr[12], out, FERRY_PORTS_IP_TEXT_MAX) ? 0 : -1;
  return inet_ntop (AF_INET6, &a6, out, FERRY_PORTS_IP_TEXT_MAX) ? 0 : -1;
}

/* "[ADDR]:" of an IPv6 host address, Podman's way: the brackets, then
 * a colon, then HOSTPORT:CONTAINERPORT.  *REST points past the colon.  */
static int
parse_bracketed_ip (char *copy, const char *spec, char **ip, char **rest, ferry_error_t *err)
{
  char *close = strchr (copy, ']');

  if (close == NULL)
    return ferry_make_error (
        err, 0, "invalid port format - format is [[hostIP:]hostPort:]containerPort (in `%s`)", spec);
  if (close[1] != ':')
    return ferry_make_error (
        err, 0, "invalid port format - IPv6 address must be followed by a colon (':') (in `%s`)", spec);
  *close = '\0';
  *ip = copy + 1;
  *rest = close + 2;
  if (**ip == '\0')
    return ferry_make_error (err, 0, "must provide a non-empty container host IP to publish (in `%s`)", spec);
  if (strchr (*rest, ':') == NULL)
    return ferry_make_error (
        err, 0, "invalid port format - must provide host and destination port if specifying an IP (in `%s`)",
        spec);
  return 0;
}

int
ferry_ports_parse (const char *spec, json_object *ports, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (spec);
  char *proto = strchr (copy, '/'), *parts[3] = { NULL, NULL, NULL }, *p = copy, *bracketed = NULL;
  char host_ip[FERRY_PORTS_IP_TEXT_MAX] = "";
  int n = 0, host = 0, host_count = 0, ctr, ctr_count;

  if (proto)
    {
      *proto++ = '\0';
      if (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0 && strcmp (proto, "sctp") != 0)
        return ferry_make_error (err, 0, "invalid port `%s`: the protocol must be tcp, udp or sctp", spec);
    }
  else
    proto = "tcp";
  if (*copy == '[')
    {
      if (parse_bracketed_ip (copy, spec, &bracketed, &p, err) < 0)
        return -1;
      parts[n++] = bracketed;
    }
  for (; n < 3; n++)
    {
      parts[n] = p;
      p = strchr (p, ':');
      if (p == NULL)
        {
          n++;
          break;
        }
      *p++ = '\0';
    }
  if (p != NULL)
    return ferry_make_error (err, 0, "invalid port `%s`: use [IP:][HOSTPORT:]CONTAINERPORT[/PROTOCOL]", spec);
  if (n == 3)
    {
      /* An IPv6 address comes in brackets (a bare one has too many
       * colons to get here).  */
      if ((bracketed == NULL && strchr (parts[0], ':'))
          || ferry_ports_host_ip_canonical (parts[0], host_ip) < 0)
        return ferry_make_error (err, 0, "cannot parse \"%s\" as an IP address (in `%s`)", parts[0], spec);
    }
  /* The host's first, as Podman checks them.  */
  if (n >= 2 && *parts[n - 2] != '\0'
      && parse_range (parts[n - 2], "host", spec, &host, &host_count, err) < 0)
    return -1;
  if (parse_range (parts[n - 1], "container", spec, &ctr, &ctr_count, err) < 0)
    return -1;
  if (n >= 2 && *parts[n - 2] != '\0' && host_count != ctr_count)
    return ferry_make_error (err, 0,
                             "host and container port ranges have different lengths: %d vs %d (in `%s`)",
                             host_count, ctr_count, spec);
  json_object_array_add (ports, mapping (host_ip, host, ctr, ctr_count, proto));
  return 0;
}

const char *
ferry_ports_check (json_object *m)
{
  static const char *const keys[] = { "host_ip", "host_port", "container_port", "range", "protocol", NULL };
  json_object *v;
  int64_t host, ctr, range;
  char canonical[FERRY_PORTS_IP_TEXT_MAX];
  const char *ip;
  size_t i;

  if (! json_object_is_type (m, json_type_object) || json_object_object_length (m) != 5)
    return "is not an object of host_ip, host_port, container_port, range and protocol";
  for (i = 0; keys[i]; i++)
    if (! json_object_object_get_ex (m, keys[i], &v))
      return "lacks a field";
  if (! json_object_is_type (json_object_object_get (m, "host_ip"), json_type_string))
    return "has a host_ip that is not an IP address";
  ip = ferry_json_get_string (m, "host_ip");
  if (*ip && (ferry_ports_host_ip_canonical (ip, canonical) < 0 || strcmp (ip, canonical) != 0))
    return "has a host_ip that is not an IP address as ferry writes it";
  for (i = 1; i < 4; i++)
    if (! json_object_is_type (json_object_object_get (m, keys[i]), json_type_int))
      return "has a port or range that is not a number";
  host = json_object_get_int64 (json_object_object_get (m, "host_port"));
  ctr = json_object_get_int64 (json_object_object_get (m, "container_port"));
  range = json_object_get_int64 (json_object_object_get (m, "range"));
  /* Each bounded before they are added: an archive's numbers may be any
   * int64.  */
  if (range < 1 || range > 65535 || ctr < 1 || ctr > 65535 || host < 0 || host > 65535
      || ctr + range - 1 > 65535 || (host > 0 && host + range - 1 > 65535))
    return "has a port out of 1-65535";
  if (! ferry_json_string_equals (m, "protocol", "tcp") && ! ferry_json_string_equals (m, "protocol", "udp")
      && ! ferry_json_string_equals (m, "protocol", "sctp"))
    return "has a protocol other than tcp, udp and sctp";
  return NULL;
}

/* A socket for PROTO ("tcp" or "udp") of IP's family, and in *SA IP
 * (IPv4, IPv6, or "" for all IPv4 addresses) with PORT (host order).
 * An IPv6 socket is IPv6 only: IPv4's ports are another mapping's.  */
static int
host_socket (const char *ip, int port, const char *proto, struct sockaddr_storage *sa, socklen_t *len)
{
  int v6 = strchr (ip, ':') != NULL, one = 1, fd;

  memset (sa, 0, sizeof (*sa));
  if (v6)
    {
      struct sockaddr_in6 *a = (struct sockaddr_in6 *) sa;

      a->sin6_family = AF_INET6;
      a->sin6_port = htons ((uint16_t) port);
      if (inet_pton (AF_INET6, ip, &a->sin6_addr) != 1)
        return -1;
      *len = sizeof (*a);
    }
  else
    {
      struct sockaddr_in *a = (struct sockaddr_in *) sa;

      a->sin_family = AF_INET;
      a->sin_port = htons ((uint16_t) port);
      if (*ip && inet_pton (AF_INET, ip, &a->sin_addr) != 1)
        return -1;
      *len = sizeof (*a);
    }
  fd = socket (v6 ? AF_INET6 : AF_INET,
               (strcmp (proto, "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
  if (fd >= 0 && v6)
    setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof (one));
  return fd;
}

/* 0 when PORT (host order) can be bound on IP for PROTO now; else -1
 * with errno.  */
static int
can_bind (const char *ip, int port, const char *proto)
{
  struct sockaddr_storage sa;
  socklen_t len;
  int one = 1, fd, r, saved;

  if (strcmp (proto, "sctp") == 0)
    return 0;
  fd = host_socket (ip, port, proto, &sa, &len);
  if (fd < 0)
    return -1;
  /* Past connections in TIME_WAIT hold nothing; a listener does.  */
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one));
  r = bind (fd, (struct sockaddr *) &sa, len);
  saved = errno;
  close (fd);
  errno = saved;
  return r;
}

/* A port the kernel would hand out now for PROTO on IP.  */
static int
kernel_port (const char *ip, const char *proto)
{
  struct sockaddr_storage sa;
  socklen_t len;
  int fd = host_socket (ip, 0, proto, &sa, &len), port = 0;

  if (fd < 0)
    return 0;
  if (bind (fd, (struct sockaddr *) &sa, len) == 0 && getsockname (fd, (struct sockaddr *) &sa, &len) == 0)
    port = ntohs (sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &sa)->sin6_port
                                           : ((struct sockaddr_in *) &sa)->sin_port);
  close (fd);
  return port;
}

int
ferry_ports_assign (json_object *ports, ferry_error_t *err)
{
  for (size_t i = 0; i < json_object_array_length (ports); i++)
    {
      json_object *m = json_object_array_get_idx (ports, i);
      const char *ip = ferry_json_get_string (m, "host_ip"), *proto = ferry_json_get_string (m, "protocol");
      int range = (int) ferry_json_get_int (m, "range", 1), tries, port = 0;

      if (ferry_json_get_int (m, "host_port", 0) != 0)
        continue;
      for (tries = 0; tries < 50 && port == 0; tries++)
        {
          int first = kernel_port (ip, strcmp (proto, "sctp") == 0 ? "tcp" : proto), k;

          if (first == 0 || first + range - 1 > 65535)
            continue;
          for (k = 1; k < range && can_bind (ip, first + k, proto) == 0; k++)
            ;
          if (k == range)
            port = first;
        }
      if (port == 0)
        return ferry_make_error (err, 0, "no free host port for container port %lld/%s",
                                 (long long) ferry_json_get_int (m, "container_port", 0), proto);
      json_object_object_add (m, "host_port", json_object_new_int (port));
    }
  return 0;
}

int
ferry_ports_in_use_error (json_object *mapping, int port, int errnum, ferry_error_t *err)
{
  const char *ip = ferry_json_get_string (mapping, "host_ip") ?: "",
             *proto = ferry_json_get_string (mapping, "protocol") ?: "tcp";
  char upper[8] = "";
  char why[128];

  for (size_t i = 0; proto[i] && i < sizeof (upper) - 1; i++)
    upper[i] = (char) toupper ((unsigned char) proto[i]);
  snprintf (why, sizeof (why), "%s", strerror (errnum));
  why[0] = (char) tolower ((unsigned char) why[0]);
  /* Go writes an IPv6 address with its port in brackets.  */
  if (strchr (ip, ':'))
    return ferry_make_error_kind (err, FERRY_ERROR_RUNTIME,
                                  "cannot listen on the %s port: listen %s6 [%s]:%d: bind: %s", upper, proto,
                                  ip, port, why);
  return ferry_make_error_kind (err, FERRY_ERROR_RUNTIME,
                                "cannot listen on the %s port: listen %s4 %s:%d: bind: %s", upper, proto, ip,
                                port, why);
}

int
ferry_ports_check_free (json_object *ports, ferry_error_t *err)
{
  for (size_t i = 0; i < json_object_array_length (ports); i++)
    {
      json_object *m = json_object_array_get_idx (ports, i);
      const char *ip = ferry_json_get_string (m, "host_ip"), *proto = ferry_json_get_string (m, "protocol");
      int host = (int) ferry_json_get_int (m, "host_port", 0),
          range = (int) ferry_json_get_int (m, "range", 1);

      for (int k = 0; k < range; k++)
        if (can_bind (ip, host + k, proto) < 0)
          return ferry_ports_in_use_error (m, host + k, errno, err);
    }
  return 0;
}

int
ferry_ports_overlap (json_object *a, json_object *b)
{
  int64_t ah = ferry_json_get_int (a, "host_port", 0), bh = ferry_json_get_int (b, "host_port", 0);
  int64_t ar = ferry_json_get_int (a, "range", 1), br = ferry_json_get_int (b, "range", 1);

  return ferry_json_string_equals (a, "protocol", ferry_json_get_string (b, "protocol")) && ah < bh + br
         && bh < ah + ar;
}

/* The first of PORTS with the host address and protocol of PORTS[I]:
 * Podman groups the mappings so.  */
static size_t
ports_group (json_object *ports, size_t i)
{
  json_object *m = json_object_array_get_idx (ports, i);
  const char *ip = ferry_json_get_string (m, "host_ip") ?: "",
             *proto = ferry_json_get_string (m, "protocol") ?: "";

  for (size_t j = 0; j < i; j++)
    {
      json_object *o = json_object_array_get_idx (ports, j);
      if (strcmp (ferry_json_get_string (o, "host_ip") ?: "", ip) == 0
          && strcmp (ferry_json_get_string (o, "protocol") ?: "", proto) == 0)
        return j;
    }
  return i;
}

/* ORDER: the indexes of PORTS (N of them) in the order Podman lists
 * them, each group of one host address and protocol in host port order.
 * Podman's order of the groups comes from a Go map, different from one
 * container to the next; ferry keeps them in the order given.  */
static void
ports_format_order (json_object *ports, size_t *order, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      size_t group = ports_group (ports, i), k = i;
      long long host = ferry_json_get_int (json_object_array_get_idx (ports, i), "host_port", 0);

      /* Insertion: after every earlier member of an earlier group, and of
       * its own group with a lower host port.  */
      while (k > 0)
        {
          json_object *prev = json_object_array_get_idx (ports, order[k - 1]);
          size_t prev_group = ports_group (ports, order[k - 1]);

          if (prev_group < group
              || (prev_group == group && ferry_json_get_int (prev, "host_port", 0) <= host))
            break;
          order[k] = order[k - 1];
          k--;
        }
      order[k] = i;
    }
}

char *
ferry_ports_format (json_object *ports)
{
  char *out = xstrdup ("");
  size_t n = ferry_json_array_length (ports);
  cleanup_free size_t *order = xmalloc ((n + 1) * sizeof (*order));

  ports_format_order (ports, order, n);
  for (size_t i = 0; i < n; i++)
    {
      json_object *m = json_object_array_get_idx (ports, order[i]);
      const char *ip = ferry_json_get_string (m, "host_ip");
      long long host = ferry_json_get_int (m, "host_port", 0),
                ctr = ferry_json_get_int (m, "container_port", 0);
      long long range = ferry_json_get_int (m, "range", 1);
      cleanup_free char *one = NULL;
      char *grown;

      if (range > 1)
        one = xasprintf ("%s:%lld-%lld->%lld-%lld/%s", ip && *ip ? ip : "0.0.0.0", host, host + range - 1,
                         ctr, ctr + range - 1, ferry_json_get_string (m, "protocol"));
      else
        one = xasprintf ("%s:%lld->%lld/%s", ip && *ip ? ip : "0.0.0.0", host, ctr,
                         ferry_json_get_string (m, "protocol"));
      grown = xasprintf ("%s%s%s", out, *out ? ", " : "", one);
      free (out);
      out = grown;
    }
  return out;
}

static int
parse_expose_port (const char *text, const char *spec, long *out, ferry_error_t *err)
{
  char *end;
  unsigned long long v;

  errno = 0;
  v = strtoull (text, &end, 10);
  if (*text < '0' || *text > '9' || *end != '\0' || errno || v > 65535)
    return ferry_make_error (
        err, 0, "invalid range format for --expose: %s: strconv.ParseUint: parsing \"%s\": %s", spec, text,
        errno == ERANGE || (*end == '\0' && *text >= '0' && *text <= '9') ? "value out of range"
                                                                          : "invalid syntax");
  if (v == 0)
    return ferry_make_error (err, 0, "port numbers must be between 1 and 65535 (inclusive), got 0");
  *out = (long) v;
  return 0;
}

static long
exposed_port (const char *text)
{
  return strtol (text, NULL, 10);
}

/* Numeric by port, then by protocol.  */
static int
exposed_compare (const void *a, const void *b)
{
  const char *ta = json_object_get_string (*(json_object *const *) a);
  const char *tb = json_object_get_string (*(json_object *const *) b);
  long pa = exposed_port (ta), pb = exposed_port (tb);

  return pa != pb ? (pa < pb ? -1 : 1) : strcmp (strchr (ta, '/'), strchr (tb, '/'));
}

static void
exposed_add (json_object *exposed, long port, const char *proto)
{
  cleanup_free char *text = xasprintf ("%ld/%s", port, proto);

  for (size_t i = 0; i < json_object_array_length (exposed); i++)
    if (strcmp (json_object_get_string (json_object_array_get_idx (exposed, i)), text) == 0)
      return;
  json_object_array_add (exposed, json_object_new_string (text));
  json_object_array_sort (exposed, exposed_compare);
}

int
ferry_ports_expose_parse (const char *spec, json_object *exposed, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (spec);
  char *slash = strchr (copy, '/'), *dash;
  const char *proto = "tcp";
  long first, last;

  if (slash)
    {
      *slash = '\0';
      proto = slash + 1;
      if (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0 && strcmp (proto, "sctp") != 0)
        return ferry_make_error (
            err, 0,
            "validating protocols for exposed port %s: unrecognized protocol \"%s\" in port "
            "mapping: use tcp, udp or sctp",
            copy, proto);
    }
  dash = strchr (copy, '-');
  if (dash)
    *dash = '\0';
  if (parse_expose_port (copy, spec, &first, err) < 0)
    return -1;
  last = first;
  if (dash && parse_expose_port (dash + 1, spec, &last, err) < 0)
    return -1;
  if (last < first)
    return ferry_make_error (err, 0, "invalid range format for --expose: %s: the end comes before the start",
                             spec);
  for (long p = first; p <= last; p++)
    exposed_add (exposed, p, proto);
  return 0;
}

int
ferry_ports_expose_is_valid (const char *text)
{
  cleanup_json json_object *one = json_object_new_array ();
  ferry_error_t err = NULL;
  const char *slash = strchr (text, '/');

  if (slash == NULL || strchr (text, '-') || ferry_ports_expose_parse (text, one, &err) < 0)
    {
      ferry_error_release (&err);
      return 0;
    }
  return strcmp (json_object_get_string (json_object_array_get_idx (one, 0)), text) == 0;
}

int
ferry_ports_publish (json_object *ports, long port, const char *proto)
{
  for (size_t i = 0; i < ferry_json_array_length (ports); i++)
    {
      json_object *m = json_object_array_get_idx (ports, i);
      long ctr = (long) ferry_json_get_int (m, "container_port", 0);
      long range = (long) ferry_json_get_int (m, "range", 1);

      if (ferry_json_string_equals (m, "protocol", proto) && port >= ctr && port < ctr + range)
        return 1;
    }
  return 0;
}

char *
ferry_ports_expose_format (json_object *exposed, json_object *ports)
{
  char *out = xstrdup ("");
  size_t n = ferry_json_array_length (exposed);

  for (size_t i = 0; i < n;)
    {
      const char *text = json_object_get_string (json_object_array_get_idx (exposed, i));
      const char *proto = strchr (text, '/') + 1;
      long first = exposed_port (text), last = first;
      size_t j = i + 1;
      cleanup_free char *one = NULL;
      char *grown;

      if (ferry_ports_publish (ports, first, proto))
        {
          i++;
          continue;
        }
      /* A run of the next ports, same protocol, none published.  */
      for (; j < n; j++)
        {
          const char *next = json_object_get_string (json_object_array_get_idx (exposed, j));
          if (exposed_port (next) != last + 1 || strcmp (strchr (next, '/') + 1, proto) != 0
              || ferry_ports_publish (ports, last + 1, proto))
            break;
          last++;
        }
      one = last > first ? xasprintf ("%ld-%ld/%s", first, last, proto) : xasprintf ("%ld/%s", first, proto);
      grown = xasprintf ("%s%s%s", out, *out ? ", " : "", one);
      free (out);
      out = grown;
      i = j;
    }
  return out;
}
