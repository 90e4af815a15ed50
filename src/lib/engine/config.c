/* ferry: ferry.conf and Podman's containers.conf (see config.h).  */
#include "config.h"
#include "internal.h"
#include "../network/addr.h"
#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CONFIG_MAX_SIZE (256 * 1024)
/* conmon reads the container's output 8 KiB at a time: a smaller limit
 * could not hold one read (Podman's rule).  */
#define LOG_SIZE_MAX_LEAST 8192

/* ---- a small TOML reader -------------------------------------------------
 *
 * Enough of TOML for the files Podman ships and administrators write:
 * tables ([a.b], [[a]]), bare, quoted and dotted keys, basic and literal
 * strings, integers, booleans, floats and dates (kept as text), arrays over
 * several lines with comments and a trailing comma, and inline tables.  A
 * file that is not TOML is refused at its line; a setting ferry does not
 * use is read and left alone.  */

enum toml_type
{
  TOML_STRING,
  TOML_INTEGER,
  TOML_BOOLEAN,
  TOML_ARRAY,
  TOML_OTHER, /* floats, dates, inline tables: read, never used */
};

struct toml_value
{
  enum toml_type type;
  char *string;     /* TOML_STRING */
  int64_t integer;  /* TOML_INTEGER, TOML_BOOLEAN */
  char **strings;   /* TOML_ARRAY of strings only; NULL-terminated */
  size_t n_strings; /* its length */
  int mixed;        /* TOML_ARRAY with an element that is no string */
  int append;       /* TOML_ARRAY ending in {append=true}: add to the earlier list */
};

struct toml_cursor
{
  const char *p;
  int line;
  const char *path;
};

static void
toml_value_release (struct toml_value *v)
{
  free (v->string);
  for (size_t i = 0; i < v->n_strings; i++)
    free (v->strings[i]);
  free (v->strings);
  memset (v, 0, sizeof (*v));
}

static int
toml_fail (struct toml_cursor *t, ferry_error_t *err, const char *what)
{
  return ferry_make_error (err, 0, "%s:%d: %s", t->path, t->line, what);
}

static void
skip_blanks (struct toml_cursor *t)
{
  while (*t->p == ' ' || *t->p == '\t')
    t->p++;
}

/* Blanks, newlines and comments, as allowed between array elements.  */
static void
skip_space (struct toml_cursor *t)
{
  for (;;)
    {
      skip_blanks (t);
      if (*t->p == '#')
        while (*t->p && *t->p != '\n')
          t->p++;
      if (*t->p == '\r' && t->p[1] == '\n')
        t->p++;
      if (*t->p != '\n')
        return;
      t->p++;
      t->line++;
    }
}

/* After a value or a table header: a comment at most, then the line ends.  */
static int
expect_line_end (struct toml_cursor *t, ferry_error_t *err)
{
  skip_blanks (t);
  if (*t->p == '#')
    while (*t->p && *t->p != '\n')
      t->p++;
  if (*t->p == '\r' && t->p[1] == '\n')
    t->p++;
  if (*t->p == '\0')
    return 0;
  if (*t->p != '\n')
    return toml_fail (t, err, "unexpected text after the value: one setting per line");
  t->p++;
  t->line++;
  return 0;
}

static int
is_bare_key_char (char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void
put_utf8 (char **out, unsigned long cp)
{
  if (cp < 0x80)
    *(*out)++ = (char) cp;
  else if (cp < 0x800)
    {
      *(*out)++ = (char) (0xc0 | (cp >> 6));
      *(*out)++ = (char) (0x80 | (cp & 0x3f));
    }
  else if (cp < 0x10000)
    {
      *(*out)++ = (char) (0xe0 | (cp >> 12));
      *(*out)++ = (char) (0x80 | ((cp >> 6) & 0x3f));
      *(*out)++ = (char) (0x80 | (cp & 0x3f));
    }
  else
    {
      *(*out)++ = (char) (0xf0 | (cp >> 18));
      *(*out)++ = (char) (0x80 | ((cp >> 12) & 0x3f));
      *(*out)++ = (char) (0x80 | ((cp >> 6) & 0x3f));
      *(*out)++ = (char) (0x80 | (cp & 0x3f));
    }
}

/* A one-line basic ("...", with escapes) or literal ('...') string.  */
static int
read_string (struct toml_cursor *t, char **out, ferry_error_t *err)
{
  char quote = *t->p++;
  char *buf, *w;

  if (t->p[0] == quote && t->p[1] == quote)
    return toml_fail (t, err, "multi-line strings are not supported: write the value on one line");
  buf = w = xmalloc (strlen (t->p) + 1);
  for (;;)
    {
      unsigned char c = (unsigned char) *t->p;

      if (c == '\0' || c == '\n' || (c < ' ' && c != '\t') || c == 0x7f)
        {
          free (buf);
          return toml_fail (t, err, "unterminated string: close it with its quote on the same line");
        }
      t->p++;
      if (c == (unsigned char) quote)
        break;
      if (c != '\\' || quote == '\'')
        {
          *w++ = (char) c;
          continue;
        }
      c = (unsigned char) *t->p++;
      switch (c)
        {
        case 'b':
          *w++ = '\b';
          break;
        case 't':
          *w++ = '\t';
          break;
        case 'n':
          *w++ = '\n';
          break;
        case 'f':
          *w++ = '\f';
          break;
        case 'r':
          *w++ = '\r';
          break;
        case '"':
        case '\\':
          *w++ = (char) c;
          break;
        case 'u':
        case 'U':
          {
            int digits = c == 'u' ? 4 : 8;
            unsigned long cp = 0;

            for (int i = 0; i < digits; i++, t->p++)
              {
                char h = *t->p;
                int d = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                               : -1;
                if (d < 0)
                  {
                    free (buf);
                    return toml_fail (t, err, "invalid \\u escape in a string");
                  }
                cp = cp * 16 + (unsigned long) d;
              }
            if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
              {
                free (buf);
                return toml_fail (t, err, "invalid \\u escape in a string");
              }
            put_utf8 (&w, cp);
          }
          break;
        default:
          free (buf);
          return toml_fail (t, err, "invalid escape in a string: use \\\\, \\\", \\n, \\t or \\uXXXX");
        }
    }
  *w = '\0';
  *out = buf;
  return 0;
}

/* A key: bare or quoted parts joined by dots, as "a.b".  */
static int
read_key (struct toml_cursor *t, char **out, ferry_error_t *err)
{
  cleanup_free char *key = xstrdup ("");

  for (;;)
    {
      cleanup_free char *part = NULL;
      char *joined;

      skip_blanks (t);
      if (*t->p == '"' || *t->p == '\'')
        {
          if (read_string (t, &part, err) < 0)
            return -1;
        }
      else
        {
          const char *s = t->p;
          while (is_bare_key_char (*t->p))
            t->p++;
          if (t->p == s)
            return toml_fail (t, err, "invalid key: use letters, digits, `_` and `-`, or a quoted key");
          part = xstrndup (s, t->p - s);
        }
      joined = xasprintf ("%s%s%s", key, *key ? "." : "", part);
      free (key);
      key = joined;
      skip_blanks (t);
      if (*t->p != '.')
        break;
      t->p++;
    }
  *out = steal_pointer (&key);
  return 0;
}

static int read_value (struct toml_cursor *t, struct toml_value *v, int depth, ferry_error_t *err);

/* { key = value, ... } on one line; TRUE_APPEND set when it is exactly
 * {append=true}, containers.conf's mark for adding to a list.  */
static int
read_inline_table (struct toml_cursor *t, int depth, int *is_append, ferry_error_t *err)
{
  int n = 0, append = 0;

  t->p++;
  skip_blanks (t);
  if (*t->p == '}')
    {
      t->p++;
      *is_append = 0;
      return 0;
    }
  for (;;)
    {
      cleanup_free char *key = NULL;
      struct toml_value v = { 0 };

      if (read_key (t, &key, err) < 0)
        return -1;
      if (*t->p != '=')
        return toml_fail (t, err, "invalid inline table: use { key = value, ... }");
      t->p++;
      skip_blanks (t);
      if (read_value (t, &v, depth + 1, err) < 0)
        {
          toml_value_release (&v);
          return -1;
        }
      n++;
      if (strcmp (key, "append") == 0 && v.type == TOML_BOOLEAN)
        append = (int) v.integer;
      toml_value_release (&v);
      skip_blanks (t);
      if (*t->p == '}')
        break;
      if (*t->p != ',')
        return toml_fail (t, err,
                          "invalid inline table: separate its entries with `,` and close it with `}`");
      t->p++;
    }
  t->p++;
  *is_append = n == 1 && append;
  return 0;
}

static int
read_array (struct toml_cursor *t, struct toml_value *v, int depth, ferry_error_t *err)
{
  v->type = TOML_ARRAY;
  v->strings = xmalloc0 (sizeof (char *));
  t->p++;
  for (;;)
    {
      struct toml_value e = { 0 };
      int is_append = 0;

      skip_space (t);
      if (*t->p == ']')
        break;
      if (*t->p == '{')
        {
          if (read_inline_table (t, depth, &is_append, err) < 0)
            return -1;
          if (is_append)
            v->append = 1;
          else
            v->mixed = 1;
        }
      else
        {
          if (read_value (t, &e, depth + 1, err) < 0)
            {
              toml_value_release (&e);
              return -1;
            }
          if (e.type == TOML_STRING)
            {
              v->strings = xrealloc (v->strings, (v->n_strings + 2) * sizeof (char *));
              v->strings[v->n_strings++] = steal_pointer (&e.string);
              v->strings[v->n_strings] = NULL;
            }
          else
            v->mixed = 1;
          toml_value_release (&e);
        }
      skip_space (t);
      if (*t->p == ',')
        {
          t->p++;
          continue;
        }
      if (*t->p == ']')
        break;
      return toml_fail (t, err, "invalid array: separate its elements with `,` and close it with `]`");
    }
  t->p++;
  return 0;
}

/* Integers (decimal with `_`, or 0x/0o/0b), and the bare words TOML has
 * for floats and dates, which no setting ferry reads takes.  */
static int
read_bare (struct toml_cursor *t, struct toml_value *v, ferry_error_t *err)
{
  const char *s = t->p;
  cleanup_free char *word = NULL;
  char *end, *w;
  long long n;

  while (is_bare_key_char (*t->p) || *t->p == '+' || *t->p == '.' || *t->p == ':')
    t->p++;
  if (t->p == s)
    return toml_fail (t, err, "invalid value: use a \"string\", a number, true, false or a [list]");
  word = xstrndup (s, t->p - s);
  if (strcmp (word, "true") == 0 || strcmp (word, "false") == 0)
    {
      v->type = TOML_BOOLEAN;
      v->integer = word[0] == 't';
      return 0;
    }
  for (w = word; *w; w++)
    if (*w == '_')
      memmove (w, w + 1, strlen (w));
  errno = 0;
  n = strtoll (word, &end, 10);
  if (*word && *end == '\0' && errno == 0 && (word[0] != '0' || word[1] == '\0')
      && ! ((word[0] == '+' || word[0] == '-') && word[1] == '0' && word[2] != '\0'))
    {
      v->type = TOML_INTEGER;
      v->integer = n;
      return 0;
    }
  /* Floats, dates, inf, nan, 0x..: start with a digit or a sign, or are
   * inf/nan.  */
  if ((word[0] >= '0' && word[0] <= '9') || word[0] == '+' || word[0] == '-' || strcmp (word, "inf") == 0
      || strcmp (word, "nan") == 0)
    {
      v->type = TOML_OTHER;
      return 0;
    }
  return toml_fail (t, err, "invalid value: use a \"string\", a number, true, false or a [list]");
}

static int
read_value (struct toml_cursor *t, struct toml_value *v, int depth, ferry_error_t *err)
{
  int is_append;

  if (depth > 16)
    return toml_fail (t, err, "values nested too deeply");
  if (*t->p == '"' || *t->p == '\'')
    {
      v->type = TOML_STRING;
      return read_string (t, &v->string, err);
    }
  if (*t->p == '[')
    return read_array (t, v, depth, err);
  if (*t->p == '{')
    {
      v->type = TOML_OTHER;
      return read_inline_table (t, depth, &is_append, err);
    }
  return read_bare (t, v, err);
}

/* ---- the settings --------------------------------------------------------- */

struct config_source
{
  const char *path;
  int strict; /* ferry.conf: an unknown section or key is an error */
};

static char *
where_of (struct toml_cursor *t)
{
  return xasprintf ("%s:%d", t->path, t->line);
}

static int
want_type (struct toml_cursor *t, const char *key, const struct toml_value *v, enum toml_type type,
           ferry_error_t *err)
{
  static const char *const names[]
      = { "a string in double quotes", "a whole number", "true or false", "a list of strings" };

  if (v->type == type && ! (type == TOML_ARRAY && v->mixed))
    return 0;
  return ferry_make_error (err, 0, "%s:%d: invalid value of `%s`: use %s", t->path, t->line, key,
                           names[type]);
}

static void
set_string (char **slot, struct toml_value *v)
{
  free (*slot);
  *slot = steal_pointer (&v->string);
}

/* A list setting: replaced, or added to with {append=true}.  */
static void
set_list (char ***slot, struct toml_value *v)
{
  size_t n = 0, i;
  char **list;

  if (! v->append)
    {
      ferry_cleanup_strvp (slot);
      *slot = xmalloc0 (sizeof (char *));
    }
  list = *slot;
  while (list && list[n])
    n++;
  list = xrealloc (list, (n + v->n_strings + 1) * sizeof (char *));
  for (i = 0; i < v->n_strings; i++)
    list[n + i] = steal_pointer (&v->strings[i]);
  list[n + i] = NULL;
  *slot = list;
}

static int
check_env_list (struct toml_cursor *t, struct toml_value *v, ferry_error_t *err)
{
  for (size_t i = 0; i < v->n_strings; i++)
    {
      const char *eq = strchr (v->strings[i], '=');

      if (eq == NULL || eq == v->strings[i] || strchr (v->strings[i], '\n'))
        return ferry_make_error (err, 0, "%s:%d: invalid env entry `%s`: use \"NAME=VALUE\"", t->path,
                                 t->line, v->strings[i]);
    }
  return 0;
}

static int
check_ulimit_list (struct toml_cursor *t, struct toml_value *v, ferry_error_t *err)
{
  for (size_t i = 0; i < v->n_strings; i++)
    {
      struct ferry_spec_rlimit l;

      if (ferry_spec_parse_ulimit (v->strings[i], &l) < 0)
        return ferry_make_error (err, 0,
                                 "%s:%d: invalid default_ulimits entry `%s`: use \"NAME=SOFT[:HARD]\" with a "
                                 "limit such as nofile or nproc",
                                 t->path, t->line, v->strings[i]);
    }
  return 0;
}

static int
check_sysctl_list (struct toml_cursor *t, struct toml_value *v, ferry_error_t *err)
{
  for (size_t i = 0; i < v->n_strings; i++)
    {
      const char *eq = strchr (v->strings[i], '=');
      cleanup_free char *name = eq ? xstrndup (v->strings[i], eq - v->strings[i]) : NULL;

      if (name == NULL || ferry_spec_sysctl_namespace (name) == FERRY_SYSCTL_REFUSED
          || ! ferry_spec_sysctl_value_is_valid (eq + 1))
        return ferry_make_error (
            err, 0,
            "%s:%d: invalid default_sysctls entry `%s`: use \"NAME=VALUE\" with a "
            "namespaced sysctl (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*)",
            t->path, t->line, v->strings[i]);
    }
  return 0;
}

/* The [containers] settings that both files give: containers.conf's.  */
static int
set_containers_value (struct ferry_config *c, struct toml_cursor *t, const char *key, struct toml_value *v,
                      int *known, ferry_error_t *err)
{
  *known = 1;
  if (strcmp (key, "env") == 0)
    {
      if (want_type (t, key, v, TOML_ARRAY, err) < 0 || check_env_list (t, v, err) < 0)
        return -1;
      set_list (&c->env, v);
    }
  else if (strcmp (key, "default_ulimits") == 0)
    {
      if (want_type (t, key, v, TOML_ARRAY, err) < 0 || check_ulimit_list (t, v, err) < 0)
        return -1;
      set_list (&c->default_ulimits, v);
    }
  else if (strcmp (key, "default_sysctls") == 0)
    {
      if (want_type (t, key, v, TOML_ARRAY, err) < 0 || check_sysctl_list (t, v, err) < 0)
        return -1;
      set_list (&c->default_sysctls, v);
    }
  else if (strcmp (key, "read_only") == 0)
    {
      if (want_type (t, key, v, TOML_BOOLEAN, err) < 0)
        return -1;
      c->read_only = (int) v->integer;
    }
  else if (strcmp (key, "log_driver") == 0)
    {
      if (want_type (t, key, v, TOML_STRING, err) < 0)
        return -1;
      if (*v->string == '\0')
        {
          free (c->log_driver);
          c->log_driver = NULL;
          return 0;
        }
      if (ferry_log_driver_canonical (v->string) == NULL)
        return ferry_make_error (
            err, 0, "%s:%d: invalid log_driver `%s`: use k8s-file, journald, none or passthrough", t->path,
            t->line, v->string);
      set_string (&c->log_driver, v);
    }
  else if (strcmp (key, "log_size_max") == 0)
    {
      if (want_type (t, key, v, TOML_INTEGER, err) < 0)
        return -1;
      if (v->integer >= 0 && v->integer < LOG_SIZE_MAX_LEAST)
        return ferry_make_error (
            err, 0, "%s:%d: invalid log_size_max %" PRId64 ": log size max should be negative or >= %d",
            t->path, t->line, v->integer, LOG_SIZE_MAX_LEAST);
      c->log_size_max = v->integer < 0 ? -1 : v->integer;
    }
  else if (strcmp (key, "log_tag") == 0)
    {
      if (want_type (t, key, v, TOML_STRING, err) < 0)
        return -1;
      if (strchr (v->string, '\n'))
        return ferry_make_error (err, 0, "%s:%d: invalid log_tag: use one line", t->path, t->line);
      set_string (&c->log_tag, v);
    }
  else if (strcmp (key, "tz") == 0)
    {
      if (want_type (t, key, v, TOML_STRING, err) < 0)
        return -1;
      if (*v->string && ! ferry_timezone_is_valid (v->string))
        return ferry_make_error (
            err, 0,
            "%s:%d: invalid tz `%s`: no such time zone in /usr/share/zoneinfo: use a zone "
            "such as Europe/Paris, or local",
            t->path, t->line, v->string);
      set_string (&c->tz, v);
    }
  else if (strcmp (key, "pids_limit") == 0)
    {
      if (want_type (t, key, v, TOML_INTEGER, err) < 0)
        return -1;
      if (v->integer < -1 || v->integer > INT32_MAX)
        return ferry_make_error (err, 0,
                                 "%s:%d: invalid pids_limit %" PRId64
                                 ": give a number of processes, or 0 for "
                                 "no limit",
                                 t->path, t->line, v->integer);
      c->pids_limit = v->integer < 0 ? 0 : v->integer;
    }
  else if (strcmp (key, "base_hosts_file") == 0)
    {
      if (want_type (t, key, v, TOML_STRING, err) < 0)
        return -1;
      if (*v->string && strcmp (v->string, "image") != 0 && strcmp (v->string, "none") != 0
          && (*v->string != '/' || strchr (v->string, '\n')))
        return ferry_make_error (err, 0,
                                 "%s:%d: invalid base_hosts_file `%s`: use an absolute path, image or none",
                                 t->path, t->line, v->string);
      set_string (&c->base_hosts_file, v);
    }
  else if (strcmp (key, "host_containers_internal_ip") == 0)
    {
      uint32_t v4;
      struct in6_addr v6;

      if (want_type (t, key, v, TOML_STRING, err) < 0)
        return -1;
      if (*v->string && strcmp (v->string, "none") != 0 && ferry_ip_parse (v->string, &v4) < 0
          && inet_pton (AF_INET6, v->string, &v6) != 1)
        return ferry_make_error (err, 0,
                                 "%s:%d: invalid host_containers_internal_ip `%s`: use an IP address or none",
                                 t->path, t->line, v->string);
      set_string (&c->host_containers_internal_ip, v);
    }
  else if (strcmp (key, "shm_size") == 0)
    {
      int64_t size;

      if (want_type (t, key, v, TOML_STRING, err) < 0)
        return -1;
      /* Podman reads it in powers of 1000: its "65536k" is 65536000.  */
      if (ferry_parse_size_decimal (v->string, &size) < 0 || size <= 0)
        return ferry_make_error (err, 0,
                                 "%s:%d: invalid shm_size `%s`: use a size such as \"65536k\" or \"1g\"",
                                 t->path, t->line, v->string);
      c->shm_size = size;
    }
  else
    *known = 0;
  return 0;
}

/* ferry.conf's own settings, all strings.  */
static int
set_ferry_value (struct ferry_config *c, const char *section, const char *key, char *value, const char *where,
                 int *known, ferry_error_t *err)
{
  char **slot = NULL;
  struct ferry_subnet s;

  *known = 1;
  if (strcmp (section, "containers") == 0 && strcmp (key, "netns") == 0)
    {
      if (strcmp (value, "private") == 0)
        {
          free (value);
          value = xstrdup ("bridge");
        }
      if (strcmp (value, "bridge") != 0 && strcmp (value, "none") != 0 && strcmp (value, "host") != 0)
        {
          ferry_make_error (err, 0, "%s: invalid netns `%s`: use bridge, none or host", where, value);
          free (value);
          return -1;
        }
      slot = &c->netns;
    }
  else if (strcmp (section, "network") == 0 && strcmp (key, "default_subnet") == 0)
    {
      if (ferry_subnet_parse (value, &s) < 0 || s.prefix < 8 || s.prefix > 30)
        {
          ferry_make_error (err, 0, "%s: invalid default_subnet `%s`: use an IPv4 subnet like 10.88.0.0/16",
                            where, value);
          free (value);
          return -1;
        }
      slot = &c->default_subnet;
    }
  else if (strcmp (section, "network") == 0 && strcmp (key, "default_interface") == 0)
    {
      if (! ferry_ifname_is_valid (value))
        {
          ferry_make_error (err, 0, "%s: invalid default_interface `%s`: use an interface name like ferry0",
                            where, value);
          free (value);
          return -1;
        }
      slot = &c->default_interface;
    }
  else if (strcmp (section, "checkpoint") == 0 && strcmp (key, "podman_volume_path") == 0)
    {
      if (value[0] != '/' || ! ferry_path_is_clean_relative (value + 1))
        {
          ferry_make_error (err, 0,
                            "%s: invalid podman_volume_path `%s`: use an absolute path without . or .. like "
                            "%s",
                            where, value, FERRY_CONFIG_PODMAN_VOLUME_PATH);
          free (value);
          return -1;
        }
      slot = &c->podman_volume_path;
    }
  else
    {
      free (value);
      *known = 0;
      return 0;
    }
  free (*slot);
  *slot = value;
  return 0;
}

/* containers.conf's [engine] settings that push and exec take.  */
static int
set_engine_value (struct ferry_config *c, struct toml_cursor *t, const char *key, struct toml_value *v,
                  ferry_error_t *err)
{
  if (strcmp (key, "compression_format") == 0)
    {
      if (want_type (t, key, v, TOML_STRING, err) < 0)
        return -1;
      if (*v->string == '\0')
        {
          free (c->compression_format);
          c->compression_format = NULL;
          return 0;
        }
      set_string (&c->compression_format, v);
    }
  else if (strcmp (key, "runtime") == 0)
    {
      if (want_type (t, key, v, TOML_STRING, err) < 0)
        return -1;
      /* Empty: the built-in runc, as when it is left out.  */
      free (c->runtime);
      c->runtime = NULL;
      if (*v->string != '\0')
        set_string (&c->runtime, v);
    }
  else if (strcmp (key, "detach_keys") == 0)
    {
      if (want_type (t, key, v, TOML_STRING, err) < 0)
        return -1;
      set_string (&c->detach_keys, v);
    }
  else if (strcmp (key, "compression_level") == 0)
    {
      if (want_type (t, key, v, TOML_INTEGER, err) < 0)
        return -1;
      if (v->integer < INT32_MIN || v->integer > INT32_MAX)
        return ferry_make_error (err, 0, "%s:%d: invalid compression_level %" PRId64, t->path, t->line,
                                 v->integer);
      c->compression_level = (int) v->integer;
      c->compression_level_set = 1;
    }
  else if (strcmp (key, "cdi_spec_dirs") == 0)
    {
      if (want_type (t, key, v, TOML_ARRAY, err) < 0)
        return -1;
      set_list (&c->cdi_spec_dirs, v);
    }
  return 0;
}

/* containers.conf's [engine.runtimes]: NAME = ["PATH", ...], a later file's
 * over an earlier one's.  */
static int
set_engine_runtime (struct ferry_config *c, struct toml_cursor *t, const char *key, struct toml_value *v,
                    ferry_error_t *err)
{
  size_t i;

  if (want_type (t, key, v, TOML_ARRAY, err) < 0)
    return -1;
  for (i = 0; i < c->n_runtimes && strcmp (c->runtimes[i].name, key) != 0; i++)
    ;
  if (i == c->n_runtimes)
    {
      c->runtimes = xrealloc (c->runtimes, (c->n_runtimes + 1) * sizeof (*c->runtimes));
      c->runtimes[c->n_runtimes++] = (struct ferry_config_runtime){ .name = xstrdup (key) };
    }
  set_list (&c->runtimes[i].paths, v);
  return 0;
}

static int
set_value (struct ferry_config *c, const struct config_source *src, struct toml_cursor *t,
           const char *section, const char *key, struct toml_value *v, ferry_error_t *err)
{
  int known = 0;

  if (! src->strict && strcmp (section, "engine") == 0)
    return set_engine_value (c, t, key, v, err);
  if (! src->strict && strcmp (section, "engine.runtimes") == 0)
    return set_engine_runtime (c, t, key, v, err);
  if (strcmp (section, "containers") == 0)
    {
      if (set_containers_value (c, t, key, v, &known, err) < 0)
        return -1;
      if (known)
        return 0;
    }
  if (src->strict)
    {
      cleanup_free char *where = where_of (t);

      if (strcmp (section, "containers") == 0 && strcmp (key, "netns") != 0)
        ;
      else if (v->type != TOML_STRING)
        return ferry_make_error (err, 0, "%s: invalid value of `%s`: use a string in double quotes", where,
                                 key);
      else if (set_ferry_value (c, section, key, steal_pointer (&v->string), where, &known, err) < 0)
        return -1;
      if (! known)
        return ferry_make_error (err, 0, "%s: unknown setting `%s` in [%s]", where, key, section);
    }
  return 0;
}

static int
read_table_header (struct toml_cursor *t, const struct config_source *src, char **section, ferry_error_t *err)
{
  int array = t->p[1] == '[';
  cleanup_free char *name = NULL;

  t->p += array ? 2 : 1;
  if (read_key (t, &name, err) < 0 || *t->p != ']' || (array && t->p[1] != ']'))
    {
      ferry_error_release (err);
      return toml_fail (t, err,
                        src->strict ? "invalid section line: use [containers], [network] or [checkpoint]"
                                    : "invalid table header: use [name]");
    }
  t->p += array ? 2 : 1;
  if (src->strict && strcmp (name, "containers") != 0 && strcmp (name, "network") != 0
      && strcmp (name, "checkpoint") != 0)
    return ferry_make_error (err, 0,
                             "%s:%d: unknown section [%s]: ferry.conf has [containers], [network] and "
                             "[checkpoint]",
                             t->path, t->line, name);
  if (expect_line_end (t, err) < 0)
    return -1;
  free (*section);
  *section = steal_pointer (&name);
  return 0;
}

static int
parse (const struct config_source *src, const char *text, struct ferry_config *c, ferry_error_t *err)
{
  struct toml_cursor t = { .p = text, .line = 1, .path = src->path };
  cleanup_free char *section = xstrdup ("");

  for (;;)
    {
      cleanup_free char *key = NULL;
      struct toml_value v = { 0 };
      int key_line, r;

      skip_space (&t);
      if (*t.p == '\0')
        return 0;
      if (*t.p == '[')
        {
          if (read_table_header (&t, src, &section, err) < 0)
            return -1;
          continue;
        }
      key_line = t.line;
      if (read_key (&t, &key, err) < 0)
        return -1;
      skip_blanks (&t);
      if (*t.p != '=')
        return toml_fail (
            &t, err, src->strict ? "invalid line: use key = \"value\"" : "invalid line: use key = value");
      t.p++;
      skip_blanks (&t);
      if (*section == '\0' && src->strict)
        return ferry_make_error (err, 0,
                                 "%s:%d: `%s` outside a section: put it under [containers] or [network]",
                                 t.path, t.line, key);
      if (read_value (&t, &v, 0, err) < 0)
        {
          toml_value_release (&v);
          return -1;
        }
      /* Errors about the value name the line its key is on.  */
      {
        int end_line = t.line;
        t.line = key_line;
        r = set_value (c, src, &t, section, key, &v, err);
        t.line = end_line;
      }
      toml_value_release (&v);
      if (r < 0 || expect_line_end (&t, err) < 0)
        return -1;
    }
}

static int
read_config_file (const struct config_source *src, struct ferry_config *c, ferry_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  struct stat st;

  if (stat (src->path, &st) == 0 && st.st_size > CONFIG_MAX_SIZE)
    return ferry_make_error (err, 0, "%s: larger than %d bytes: not a configuration file", src->path,
                             CONFIG_MAX_SIZE);
  if (ferry_read_file (src->path, &text, &len, err) < 0)
    return ferry_error_wrap (err, src->strict ? "ferry configuration" : "containers.conf");
  if (strlen (text) != len)
    return ferry_make_error (err, 0, "%s: a NUL byte: a configuration file is text", src->path);
  return parse (src, text, c, err);
}

int
ferry_config_read (const char *path, int containers_conf, struct ferry_config *c, ferry_error_t *err)
{
  struct config_source src = { .path = path, .strict = ! containers_conf };

  return read_config_file (&src, c, err);
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* DIR/ *.conf in the byte order of their names.  */
static int
read_conf_dir (const char *dir, struct ferry_config *c, ferry_error_t *err)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  char **names = NULL;
  size_t n = 0;
  int ret = 0;

  if (d == NULL)
    return 0;
  while ((de = readdir (d)) != NULL)
    {
      size_t len = strlen (de->d_name);
      if (len <= 5 || strcmp (de->d_name + len - 5, ".conf") != 0)
        continue;
      names = xrealloc (names, (n + 1) * sizeof (char *));
      names[n++] = xasprintf ("%s/%s", dir, de->d_name);
    }
  closedir (d);
  if (n)
    qsort (names, n, sizeof (char *), compare_names);
  for (size_t i = 0; i < n; i++)
    {
      if (ret == 0 && ferry_config_read (names[i], 1, c, err) < 0)
        ret = -1;
      free (names[i]);
    }
  free (names);
  return ret;
}

static int
read_if_exists (const char *path, struct ferry_config *c, ferry_error_t *err)
{
  if (! ferry_path_exists (path))
    return 0;
  return ferry_config_read (path, 1, c, err);
}

/* As Podman reads containers.conf (containers.conf(5)) for root:
 * $CONTAINERS_CONF alone when set, else the distribution's file, the
 * administrator's and the drop-ins; then $CONTAINERS_CONF_OVERRIDE.  */
static int
read_containers_conf (struct ferry_config *c, ferry_error_t *err)
{
  const char *env = getenv ("CONTAINERS_CONF");
  const char *override = getenv ("CONTAINERS_CONF_OVERRIDE");

  if (env && *env)
    {
      if (ferry_config_read (env, 1, c, err) < 0)
        return -1;
    }
  else if (read_if_exists (FERRY_CONTAINERS_CONF_DISTRIBUTION, c, err) < 0
           || read_if_exists (FERRY_CONTAINERS_CONF_ADMIN, c, err) < 0
           || read_conf_dir (FERRY_CONTAINERS_CONF_ADMIN ".d", c, err) < 0)
    return -1;
  if (override && *override && ferry_config_read (override, 1, c, err) < 0)
    return -1;
  return 0;
}

void
ferry_config_init (struct ferry_config *c)
{
  memset (c, 0, sizeof (*c));
  c->read_only = -1;
  c->log_size_max = -1;
  c->pids_limit = -1;
}

int
ferry_config_load (const char *path, struct ferry_config *out, ferry_error_t *err)
{
  struct ferry_config c;
  int optional = path == NULL;

  ferry_config_init (&c);
  if (read_containers_conf (&c, err) < 0)
    goto fail;
  if (path == NULL)
    path = FERRY_CONFIG_DEFAULT_PATH;
  if (! (optional && ! ferry_path_exists (path)))
    {
      if (ferry_config_read (path, 0, &c, err) < 0)
        goto fail;
      c.path = xstrdup (path);
    }
  if (c.netns == NULL)
    c.netns = xstrdup ("bridge");
  *out = c;
  return 0;

fail:
  ferry_config_release (&c);
  return -1;
}

const char *
ferry_log_driver_canonical (const char *name)
{
  if (strcmp (name, "k8s-file") == 0 || strcmp (name, "json-file") == 0)
    return "k8s-file";
  if (strcmp (name, "journald") == 0)
    return "journald";
  if (strcmp (name, "none") == 0)
    return "none";
  if (strcmp (name, "passthrough") == 0 || strcmp (name, "passthrough-tty") == 0)
    return "passthrough";
  return NULL;
}

void
ferry_config_release (struct ferry_config *c)
{
  free (c->netns);
  free (c->default_subnet);
  free (c->default_interface);
  free (c->podman_volume_path);
  free (c->path);
  free (c->log_driver);
  free (c->log_tag);
  free (c->tz);
  free (c->compression_format);
  free (c->runtime);
  free (c->detach_keys);
  ferry_cleanup_strvp (&c->env);
  ferry_cleanup_strvp (&c->default_ulimits);
  ferry_cleanup_strvp (&c->default_sysctls);
  free (c->base_hosts_file);
  free (c->host_containers_internal_ip);
  ferry_cleanup_strvp (&c->cdi_spec_dirs);
  for (size_t i = 0; i < c->n_runtimes; i++)
    {
      free (c->runtimes[i].name);
      ferry_cleanup_strvp (&c->runtimes[i].paths);
    }
  free (c->runtimes);
  ferry_config_init (c);
}
