#include "reference.h"
#include "../util/cleanup.h"
#include "../util/hash.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <string.h>

/* The first component is a registry when it looks like a host: it has a dot
 * or a port, or is "localhost".  */
static int
component_is_registry (const char *s, size_t n)
{
  if (n == 9 && strncmp (s, "localhost", 9) == 0)
    return 1;
  return memchr (s, '.', n) != NULL || memchr (s, ':', n) != NULL;
}

int
ferry_reference_is_short (const char *s)
{
  const char *slash = strchr (s, '/');

  return slash == NULL || ! component_is_registry (s, slash - s);
}

/* One path component as the distribution spec has it: runs of [a-z0-9]
 * joined by `.`, `_`, `__` or dashes, so never `.` or `..`, which would
 * climb out of a registry URL or a directory built from the name.  */
static int
path_component_is_valid (const char *s, size_t n)
{
  size_t i = 0;

  while (i < n)
    {
      size_t start = i;

      while (i < n && (islower ((unsigned char) s[i]) || isdigit ((unsigned char) s[i])))
        i++;
      if (i == start)
        return 0;
      if (i == n)
        return 1;
      if (s[i] == '_' && i + 1 < n && s[i + 1] == '_')
        i += 2;
      else if (s[i] == '.' || s[i] == '_')
        i++;
      else if (s[i] == '-')
        while (i < n && s[i] == '-')
          i++;
      else
        return 0;
    }
  return 0;
}

static int
repository_is_valid (const char *repo)
{
  const char *p = repo;

  for (;;)
    {
      const char *end = strchrnul (p, '/');

      if (! path_component_is_valid (p, end - p))
        return 0;
      if (*end == '\0')
        return 1;
      p = end + 1;
    }
}

/* A host name (labels of letters, digits and inner dashes), an IPv4
 * address, or a bracketed IPv6 address, with an optional port.  */
static int
registry_is_valid (const char *s)
{
  const char *port = NULL, *p = s;

  if (*p == '[')
    {
      const char *close = strchr (p, ']');
      if (close == NULL || close == p + 1
          || strspn (p + 1, "0123456789abcdefABCDEF:") != (size_t) (close - p - 1))
        return 0;
      p = close + 1;
      if (*p != '\0' && *p != ':')
        return 0;
    }
  else
    for (;;)
      {
        size_t n = strspn (p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
        if (n == 0 || p[0] == '-' || p[n - 1] == '-')
          return 0;
        p += n;
        if (*p != '.')
          break;
        p++;
      }
  if (*p == ':')
    {
      port = p + 1;
      if (*port == '\0' || strlen (port) > 5 || strspn (port, "0123456789") != strlen (port))
        return 0;
      return 1;
    }
  return *p == '\0';
}

static int
tag_is_valid (const char *tag)
{
  const char *p;

  if (*tag == '\0' || strlen (tag) > 128 || *tag == '.' || *tag == '-')
    return 0;
  for (p = tag; *p; p++)
    if (! (isalnum ((unsigned char) *p) || strchr ("._-", *p)))
      return 0;
  return 1;
}

/* Whether NAME is a valid repository but for its capitals.  */
static int
name_is_valid_lowered (const char *name)
{
  cleanup_free char *lowered = xstrdup (name);
  int capitals = 0;

  for (char *p = lowered; *p; p++)
    if (isupper ((unsigned char) *p))
      {
        *p = (char) tolower ((unsigned char) *p);
        capitals = 1;
      }
  return capitals && repository_is_valid (lowered);
}

int
ferry_reference_parse (const char *s, enum ferry_reference_default def, struct ferry_reference *out,
                       ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (s);
  char *name = copy, *at, *slash, *colon;
  struct ferry_reference r = { 0 };

  at = strchr (name, '@');
  if (at)
    {
      *at = '\0';
      if (! ferry_digest_is_valid (at + 1))
        return ferry_make_error (err, 0,
                                 "parsing reference \"%s\": invalid reference format: bad digest `%s`, give "
                                 "sha256:<64 hex digits>",
                                 s, at + 1);
      r.digest = xstrdup (at + 1);
    }
  slash = strchr (name, '/');
  if (slash && component_is_registry (name, slash - name))
    {
      r.registry = xstrndup (name, slash - name);
      name = slash + 1;
    }
  else
    r.registry = xstrdup (def == FERRY_REFERENCE_DEFAULT_LOCALHOST ? "localhost" : "docker.io");

  colon = strrchr (name, ':');
  if (colon)
    {
      *colon = '\0';
      r.tag = xstrdup (colon + 1);
    }
  else if (r.digest == NULL)
    r.tag = xstrdup ("latest");

  if (strcmp (r.registry, "docker.io") == 0 && strchr (name, '/') == NULL)
    r.repository = xasprintf ("library/%s", name);
  else
    r.repository = xstrdup (name);

  if (! registry_is_valid (r.registry) || ! repository_is_valid (name) || (r.tag && ! tag_is_valid (r.tag)))
    {
      /* Podman's words, then the fix.  */
      int upper = registry_is_valid (r.registry) && (r.tag == NULL || tag_is_valid (r.tag))
                  && name_is_valid_lowered (name);

      ferry_reference_free (&r);
      return ferry_make_error (err, 0,
                               "parsing reference \"%s\": %s: use lowercase NAME[:TAG] or NAME@sha256:DIGEST",
                               s, upper ? "repository name must be lowercase" : "invalid reference format");
    }
  *out = r;
  return 0;
}

char *
ferry_reference_name (const struct ferry_reference *r)
{
  return xasprintf ("%s/%s", r->registry, r->repository);
}

char *
ferry_reference_string (const struct ferry_reference *r)
{
  if (r->tag && r->digest)
    return xasprintf ("%s/%s:%s@%s", r->registry, r->repository, r->tag, r->digest);
  if (r->digest)
    return xasprintf ("%s/%s@%s", r->registry, r->repository, r->digest);
  return xasprintf ("%s/%s:%s", r->registry, r->repository, r->tag);
}

void
ferry_reference_free (struct ferry_reference *r)
{
  free (r->registry);
  free (r->repository);
  free (r->tag);
  free (r->digest);
  memset (r, 0, sizeof (*r));
}
