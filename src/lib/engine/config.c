/* ferry: ferry.conf (see config.h).  */
#include "config.h"
#include "../network/addr.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CONFIG_MAX_SIZE (64 * 1024)

static char *
trim (char *s)
{
  char *end;

  while (*s == ' ' || *s == '\t')
    s++;
  end = s + strlen (s);
  while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
    *--end = '\0';
  return s;
}

/* `"text"` with an optional `# comment` after it, into a new string; NULL
 * when it is not one (no escapes: no setting needs them).  */
static char *
quoted_value (const char *v)
{
  const char *close, *p;
  cleanup_free char *rest = NULL;

  if (*v != '"' || (close = strchr (v + 1, '"')) == NULL)
    return NULL;
  for (p = v + 1; p < close; p++)
    if ((unsigned char) *p < ' ' || *p == '\\' || *p == 0x7f)
      return NULL;
  rest = xstrdup (close + 1);
  p = trim (rest);
  if (*p != '\0' && *p != '#')
    return NULL;
  return xstrndup (v + 1, close - v - 1);
}

static int
set_value (struct ferry_config *c, const char *section, const char *key, char *value, const char *where,
           ferry_error_t *err)
{
  char **slot = NULL;
  struct ferry_subnet s;

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
      return ferry_make_error (err, 0, "%s: unknown setting `%s` in [%s]", where, key, section);
    }
  free (*slot);
  *slot = value;
  return 0;
}

static int
parse (const char *path, char *text, struct ferry_config *c, ferry_error_t *err)
{
  cleanup_free char *section = xstrdup ("");
  char *line, *next;
  int lineno = 0;

  for (line = text; line; line = next)
    {
      cleanup_free char *where = NULL;
      char *l, *eq, *value;

      next = strchr (line, '\n');
      if (next)
        *next++ = '\0';
      lineno++;
      where = xasprintf ("%s:%d", path, lineno);
      l = trim (line);
      if (*l == '\0' || *l == '#')
        continue;
      if (*l == '[')
        {
          char *close = strchr (l, ']');
          cleanup_free char *after = close ? xstrdup (close + 1) : NULL;

          if (close == NULL || (*trim (after) != '\0' && *trim (after) != '#'))
            return ferry_make_error (
                err, 0, "%s: invalid section line: use [containers], [network] or [checkpoint]", where);
          *close = '\0';
          free (section);
          section = xstrdup (trim (l + 1));
          if (strcmp (section, "containers") != 0 && strcmp (section, "network") != 0
              && strcmp (section, "checkpoint") != 0)
            return ferry_make_error (err, 0,
                                     "%s: unknown section [%s]: ferry.conf has [containers], [network] and "
                                     "[checkpoint]",
                                     where, section);
          continue;
        }
      eq = strchr (l, '=');
      if (eq == NULL)
        return ferry_make_error (err, 0, "%s: invalid line: use key = \"value\"", where);
      *eq = '\0';
      if (*section == '\0')
        return ferry_make_error (err, 0, "%s: `%s` outside a section: put it under [containers] or [network]",
                                 where, trim (l));
      value = quoted_value (trim (eq + 1));
      if (value == NULL)
        return ferry_make_error (err, 0, "%s: invalid value of `%s`: use a string in double quotes", where,
                                 trim (l));
      if (set_value (c, section, trim (l), value, where, err) < 0)
        return -1;
    }
  return 0;
}

int
ferry_config_load (const char *path, struct ferry_config *out, ferry_error_t *err)
{
  struct ferry_config c = { 0 };
  cleanup_free char *text = NULL;
  size_t len = 0;
  struct stat st;
  int optional = path == NULL;

  if (path == NULL)
    path = FERRY_CONFIG_DEFAULT_PATH;
  if (stat (path, &st) < 0)
    {
      if (errno == ENOENT && optional)
        goto defaults;
    }
  else if (st.st_size > CONFIG_MAX_SIZE)
    return ferry_make_error (err, 0, "%s: larger than %d bytes: not a ferry.conf", path, CONFIG_MAX_SIZE);
  if (ferry_read_file (path, &text, &len, err) < 0)
    return ferry_error_wrap (err, "ferry configuration");
  if (strlen (text) != len)
    return ferry_make_error (err, 0, "%s: a NUL byte: ferry.conf is text", path);
  if (parse (path, text, &c, err) < 0)
    {
      ferry_config_release (&c);
      return -1;
    }
  c.path = xstrdup (path);
defaults:
  if (c.netns == NULL)
    c.netns = xstrdup ("bridge");
  *out = c;
  return 0;
}

void
ferry_config_release (struct ferry_config *c)
{
  free (c->netns);
  free (c->default_subnet);
  free (c->default_interface);
  free (c->podman_volume_path);
  free (c->path);
  c->netns = c->default_subnet = c->default_interface = c->podman_volume_path = c->path = NULL;
}
