/* ferry: containers-registries.conf(5) (see registries.h).  */
#include "registries.h"
#include "credential_helper.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/toml.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REGISTRIES_CONF "/etc/containers/registries.conf"
#define REGISTRIES_CONF_D "/etc/containers/registries.conf.d"
#define USER_REGISTRIES_CONF ".config/containers/registries.conf"
#define USER_REGISTRIES_CONF_D ".config/containers/registries.conf.d"
#define ALIAS_CACHE "/var/cache/containers/short-name-aliases.conf"
#define REGISTRIES_CONF_MAX (1024 * 1024)

struct ferry_short_name_alias
{
  char *name;
  char *value; /* NULL: erased by a later file */
  char *origin;
};

/* One file as read, before it is merged into what came before.  */
struct conf_file
{
  const char *path;
  int search_set;
  char **search;
  size_t n_search;
  char *mode;
  char **helpers; /* credential-helpers, when set */
  struct ferry_registry_entry *regs;
  size_t n_regs;
  struct ferry_short_name_alias *aliases;
  size_t n_aliases;
  char **v1[3]; /* [registries.search], .insecure, .block */
  size_t n_v1[3];
  int v1_set;
  int v2_set;
  int aliases_only;
  int drop_in;
};

static void
endpoint_release (struct ferry_registry_endpoint *e)
{
  free (e->location);
  memset (e, 0, sizeof (*e));
}

static void
entry_release (struct ferry_registry_entry *r)
{
  free (r->prefix);
  endpoint_release (&r->endpoint);
  for (size_t i = 0; i < r->n_mirrors; i++)
    endpoint_release (&r->mirrors[i]);
  free (r->mirrors);
  memset (r, 0, sizeof (*r));
}

static void
alias_release (struct ferry_short_name_alias *a)
{
  free (a->name);
  free (a->value);
  free (a->origin);
}

static void
conf_file_release (struct conf_file *f)
{
  ferry_cleanup_strvp (&f->search);
  free (f->mode);
  ferry_cleanup_strvp (&f->helpers);
  for (size_t i = 0; i < f->n_regs; i++)
    entry_release (&f->regs[i]);
  free (f->regs);
  for (size_t i = 0; i < f->n_aliases; i++)
    alias_release (&f->aliases[i]);
  free (f->aliases);
  for (int k = 0; k < 3; k++)
    ferry_cleanup_strvp (&f->v1[k]);
}

/* ---- names ------------------------------------------------------------------ */

/* What reference.c takes for a registry: "host[:port]", "[v6]:port".  */
static int
is_domain (const char *s)
{
  cleanup_free char *probe = xasprintf ("%s/x", s);
  struct ferry_reference r;
  ferry_error_t err = NULL;

  if (*s == '\0' || strchr (s, '/')
      || ferry_reference_parse (probe, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &err) < 0)
    {
      ferry_error_release (&err);
      return 0;
    }
  ferry_reference_free (&r);
  return 1;
}

/* A name's parts as written: a tag is after the last component's `:`, a
 * digest after `@`.  */
static int
has_tag (const char *name)
{
  const char *last = strrchr (name, '/');
  const char *at = strchr (name, '@');
  const char *colon = strchr (last ? last : name, ':');

  return colon && (at == NULL || colon < at);
}

/* The left side of an alias: a short name without tag or digest.  */
static int
check_alias_name (const char *name, ferry_error_t *err)
{
  cleanup_free char *probe = xasprintf ("x.io/%s", name);
  struct ferry_reference r;

  if (strchr (name, '@'))
    return ferry_make_error (err, 0, "invalid short name \"%s\": must not contain digest", name);
  if (ferry_reference_parse (probe, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, err) < 0)
    {
      ferry_error_release (err);
      return ferry_make_error (err, 0, "cannot parse short name: \"%s\": invalid reference format", name);
    }
  ferry_reference_free (&r);
  if (has_tag (name))
    return ferry_make_error (err, 0, "invalid short name \"%s\": must not contain tag", name);
  if (! ferry_reference_is_short (name))
    return ferry_make_error (err, 0, "invalid short name \"%s\": must not contain registry", name);
  return 0;
}

/* The right side: registry and repository, without tag or digest;
 * normalised ("docker.io/alpine" is docker.io/library/alpine).  */
static int
parse_alias_value (const char *value, char **out, ferry_error_t *err)
{
  struct ferry_reference r;

  if (strchr (value, '@'))
    return ferry_make_error (err, 0, "invalid alias \"%s\": must not contain digest", value);
  if (has_tag (value))
    return ferry_make_error (err, 0, "invalid alias \"%s\": must not contain tag", value);
  if (ferry_reference_is_short (value))
    return ferry_make_error (err, 0, "invalid alias \"%s\": must contain registry and repository", value);
  if (ferry_reference_parse (value, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, err) < 0)
    {
      ferry_error_release (err);
      return ferry_make_error (err, 0, "parsing alias \"%s\": invalid reference format", value);
    }
  *out = ferry_reference_name (&r);
  ferry_reference_free (&r);
  return 0;
}

/* ---- reading a file ----------------------------------------------------------- */

/* How Podman names F in its errors.  */
static int
wrap_in_file (const struct conf_file *f, ferry_error_t *err)
{
  return ferry_error_wrap (err, "loading %sregistries configuration \"%s\"", f->drop_in ? "drop-in " : "",
                           f->path);
}

/* 0 when V, the value of KEY under TABLE, is of TYPE; else Podman's
 * words for it (its TOML decoder's, after the file's name), then the
 * fix.  */
static int
want (const struct conf_file *f, const struct ferry_toml_where *w, const char *table, const char *key,
      const struct ferry_toml_value *v, enum ferry_toml_type type, ferry_error_t *err)
{
  if (ferry_toml_want_go (w, table, key, v, type, err) == 0)
    return 0;
  return wrap_in_file (f, err);
}

/* Podman's words for a value of the wrong type that its checks never
 * reach: "toml: line N (last key \"K\"): incompatible types: TOML value
 * has type HAS; destination has type DEST", and ferry's FIX.  A table a
 * dotted key makes has no line in Go's message.  */
static int
go_type_error (const struct conf_file *f, const struct ferry_toml_where *w, const char *last_key,
               const char *has, const char *dest, const char *fix, ferry_error_t *err)
{
  cleanup_free char *line = w->dotted ? xstrdup ("") : xasprintf ("line %d ", w->line);

  ferry_make_error (err, 0,
                    "toml: %s(last key \"%s\"): incompatible types: TOML value has type %s; destination has "
                    "type %s: %s",
                    line, last_key, has, dest, fix);
  return wrap_in_file (f, err);
}

/* A list for [[registry]] or [[registry.mirror]] holding a value that is
 * no table (of Go type FOUND), in Podman's words.  */
static int
table_expected (const struct conf_file *f, const struct ferry_toml_where *w, const char *last_key,
                const char *go_struct, const char *found, const char *fix, ferry_error_t *err)
{
  ferry_make_error (err, 0,
                    "toml: line %d (last key \"%s\"): type mismatch for sysregistriesv2.%s: expected table "
                    "but found %s: %s",
                    w->line, last_key, go_struct, found ? found : "string", fix);
  return wrap_in_file (f, err);
}

#define FIX_STRING "use a string in double quotes"
#define FIX_LIST "use a list of strings"
#define FIX_REGISTRY "write [[registry]] tables, or registry = [ { location = \"...\" }, ... ]"
#define FIX_MIRROR "write [[registry.mirror]] tables, or mirror = [ { location = \"...\" }, ... ]"

/* A top-level setting written as a table (KEY = { ... }, [KEY]) or a list
 * of them (KEY = [ { ... } ], [[KEY]]): Podman's type error.  */
static int
setting_as_table (const struct conf_file *f, const struct ferry_toml_where *w, const char *name, int array,
                  ferry_error_t *err)
{
  if (strcmp (name, "short-name-mode") == 0 || strcmp (name, "additional-layer-store-auth-helper") == 0)
    return go_type_error (f, w, name, array ? "[]any" : "map[string]any", "string", FIX_STRING, err);
  if (strcmp (name, "unqualified-search-registries") == 0 || strcmp (name, "credential-helpers") == 0)
    return go_type_error (f, w, name, "map[string]any", array ? "string" : "slice", FIX_LIST, err);
  return 0;
}

/* [[registry]] and [[registry.mirror]], as headers or written inline
 * (registry = [ { ... } ], mirror = [ { ... } ]): the reader names the
 * table each value is in, and an array's values are its last element's.  */
static int
on_table (void *data, const struct ferry_toml_where *w, const char *name, int array, ferry_error_t *err)
{
  struct conf_file *f = data;
  int mirror = strcmp (name, "registry.mirror") == 0;
  struct ferry_registry_entry *r;

  /* An alias is NAME = "REFERENCE": a table under [aliases] (a dotted
   * NAME, my.app = "...", makes one) is Podman's type error.  */
  if (strncmp (name, "aliases.", 8) == 0)
    return go_type_error (f, w, name, "map[string]any", "string",
                          "an alias is NAME = \"REFERENCE\" under [aliases], a NAME with dots in quotes",
                          err);
  if (f->aliases_only)
    return 0;
  if (setting_as_table (f, w, name, array, err) < 0)
    return -1;
  if (strcmp (name, "registry") != 0 && ! mirror)
    return 0;
  if (! array)
    return go_type_error (f, w, name, "map[string]any", "slice", mirror ? FIX_MIRROR : FIX_REGISTRY, err);
  if (! mirror)
    {
      f->regs = xrealloc (f->regs, (f->n_regs + 1) * sizeof (*f->regs));
      memset (&f->regs[f->n_regs++], 0, sizeof (*f->regs));
      f->v2_set = 1;
      return 0;
    }
  if (f->n_regs == 0)
    return ferry_make_error (err, 0,
                             "%s:%d: [[registry.mirror]] before any [[registry]]: put it after the "
                             "registry it mirrors",
                             w->path, w->line);
  r = &f->regs[f->n_regs - 1];
  r->mirrors = xrealloc (r->mirrors, (r->n_mirrors + 1) * sizeof (*r->mirrors));
  memset (&r->mirrors[r->n_mirrors++], 0, sizeof (*r->mirrors));
  return 0;
}

static void
take_list (struct ferry_toml_value *v, char ***list, size_t *n)
{
  ferry_cleanup_strvp (list);
  *list = steal_pointer (&v->strings);
  *n = v->n_strings;
  v->n_strings = 0;
}

static int
set_endpoint (const struct conf_file *f, struct ferry_registry_endpoint *e, const struct ferry_toml_where *w,
              const char *key, struct ferry_toml_value *v, int mirror, ferry_error_t *err)
{
  const char *table = mirror ? "registry.mirror" : "registry";

  if (strcmp (key, "location") == 0)
    {
      if (want (f, w, table, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      free (e->location);
      e->location = steal_pointer (&v->string);
    }
  else if (strcmp (key, "insecure") == 0)
    {
      if (want (f, w, table, key, v, FERRY_TOML_BOOLEAN, err) < 0)
        return -1;
      e->insecure = (int) v->integer;
    }
  else if (strcmp (key, "pull-from-mirror") == 0)
    {
      if (want (f, w, table, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      if (*v->string == '\0' || strcmp (v->string, "all") == 0)
        e->pull_from_mirror = FERRY_MIRROR_ALL;
      else if (strcmp (v->string, "digest-only") == 0)
        e->pull_from_mirror = FERRY_MIRROR_DIGEST_ONLY;
      else if (strcmp (v->string, "tag-only") == 0)
        e->pull_from_mirror = FERRY_MIRROR_TAG_ONLY;
      else
        return ferry_make_error (err, 0, "unsupported pull-from-mirror value \"%s\" for mirror \"%s\"",
                                 v->string, e->location ? e->location : "");
      e->pull_from_mirror_set = *v->string != '\0';
      if (! mirror && e->pull_from_mirror_set)
        return ferry_make_error (err, 0, "%s:%d: pull-from-mirror must not be set for a non-mirror registry",
                                 w->path, w->line);
    }
  return 0;
}

static int
on_value (void *data, const struct ferry_toml_where *w, const char *table, const char *key,
          struct ferry_toml_value *v, ferry_error_t *err)
{
  struct conf_file *f = data;

  if (f->aliases_only && strcmp (table, "aliases") != 0)
    return 0;
  if (*table == '\0')
    {
      if (strcmp (key, "unqualified-search-registries") == 0)
        {
          if (want (f, w, table, key, v, FERRY_TOML_ARRAY, err) < 0)
            return -1;
          take_list (v, &f->search, &f->n_search);
          f->search_set = 1;
          f->v2_set = 1;
        }
      else if (strcmp (key, "short-name-mode") == 0)
        {
          if (want (f, w, table, key, v, FERRY_TOML_STRING, err) < 0)
            return -1;
          free (f->mode);
          f->mode = steal_pointer (&v->string);
          f->v2_set |= *f->mode != '\0';
        }
      else if (strcmp (key, "credential-helpers") == 0)
        {
          size_t n;

          if (want (f, w, table, key, v, FERRY_TOML_ARRAY, err) < 0)
            return -1;
          /* Each names a program docker-credential-NAME on $PATH.  */
          for (size_t i = 0; i < v->n_strings; i++)
            if (! ferry_credential_helper_name_valid (v->strings[i]))
              return ferry_make_error (err, 0,
                                       "%s:%d: invalid credential helper \"%s\": use the NAME of a "
                                       "docker-credential-NAME program, or \"" FERRY_AUTH_FILE_HELPER "\"",
                                       w->path, w->line, v->strings[i]);
          take_list (v, &f->helpers, &n);
          f->v2_set = 1;
        }
      else if (strcmp (key, "additional-layer-store-auth-helper") == 0)
        {
          if (want (f, w, table, key, v, FERRY_TOML_STRING, err) < 0)
            return -1;
          f->v2_set = 1;
        }
      /* A list of inline tables came as [[registry]]s.  */
      else if (strcmp (key, "registry") == 0)
        {
          if (v->type == FERRY_TOML_ARRAY && v->n_strings == 0 && ! v->mixed)
            return 0;
          if (v->type == FERRY_TOML_ARRAY)
            return table_expected (f, w, key, "Registry", v->go_non_table, FIX_REGISTRY, err);
          return go_type_error (f, w, key, v->go_type, "slice", FIX_REGISTRY, err);
        }
      return 0;
    }
  if (strcmp (table, "registry") == 0 && f->n_regs > 0)
    {
      struct ferry_registry_entry *r = &f->regs[f->n_regs - 1];

      if (strcmp (key, "prefix") == 0)
        {
          if (want (f, w, table, key, v, FERRY_TOML_STRING, err) < 0)
            return -1;
          free (r->prefix);
          r->prefix = steal_pointer (&v->string);
          return 0;
        }
      if (strcmp (key, "blocked") == 0 || strcmp (key, "mirror-by-digest-only") == 0)
        {
          if (want (f, w, table, key, v, FERRY_TOML_BOOLEAN, err) < 0)
            return -1;
          *(key[0] == 'b' ? &r->blocked : &r->mirror_by_digest_only) = (int) v->integer;
          return 0;
        }
      /* A list of inline tables came as [[registry.mirror]]s; an empty
       * one is no mirror.  */
      if (strcmp (key, "mirror") == 0)
        {
          if (v->type == FERRY_TOML_ARRAY && v->n_strings == 0 && ! v->mixed)
            return 0;
          if (v->type == FERRY_TOML_ARRAY)
            return table_expected (f, w, "registry.mirror", "Endpoint", v->go_non_table, FIX_MIRROR, err);
          return go_type_error (f, w, "registry.mirror", v->go_type, "slice", FIX_MIRROR, err);
        }
      return set_endpoint (f, &r->endpoint, w, key, v, 0, err);
    }
  if (strcmp (table, "registry.mirror") == 0 && f->n_regs > 0 && f->regs[f->n_regs - 1].n_mirrors > 0)
    {
      struct ferry_registry_entry *r = &f->regs[f->n_regs - 1];
      return set_endpoint (f, &r->mirrors[r->n_mirrors - 1], w, key, v, 1, err);
    }
  if (strcmp (table, "aliases") == 0)
    {
      struct ferry_short_name_alias *a;

      if (want (f, w, table, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      f->aliases = xrealloc (f->aliases, (f->n_aliases + 1) * sizeof (*f->aliases));
      a = &f->aliases[f->n_aliases++];
      a->name = xstrdup (key);
      a->value = steal_pointer (&v->string);
      a->origin = xstrdup (f->path);
      f->v2_set = 1;
      return 0;
    }
  for (int k = 0; k < 3; k++)
    {
      static const char *const v1_tables[]
          = { "registries.search", "registries.insecure", "registries.block" };

      if (strcmp (table, v1_tables[k]) == 0 && strcmp (key, "registries") == 0)
        {
          if (want (f, w, table, key, v, FERRY_TOML_ARRAY, err) < 0)
            return -1;
          take_list (v, &f->v1[k], &f->n_v1[k]);
          f->v1_set |= f->n_v1[k] > 0;
          return 0;
        }
    }
  return 0;
}

/* "host/ns/" is "host/ns"; URLs are refused.  */
static int
clean_location (char **s, ferry_error_t *err)
{
  size_t n;

  if (*s == NULL)
    return 0;
  n = strlen (*s);
  while (n > 0 && (*s)[n - 1] == '/')
    (*s)[--n] = '\0';
  if (strncmp (*s, "http://", 7) == 0 || strncmp (*s, "https://", 8) == 0)
    return ferry_make_error (err, 0, "invalid location '%s': URI schemes are not supported", *s);
  return 0;
}

static struct ferry_registry_entry *
v1_entry (struct conf_file *f, const char *location)
{
  for (size_t i = 0; i < f->n_regs; i++)
    if (strcmp (f->regs[i].prefix, location) == 0)
      return &f->regs[i];
  f->regs = xrealloc (f->regs, (f->n_regs + 1) * sizeof (*f->regs));
  memset (&f->regs[f->n_regs], 0, sizeof (*f->regs));
  f->regs[f->n_regs].prefix = xstrdup (location);
  f->regs[f->n_regs].endpoint.location = xstrdup (location);
  return &f->regs[f->n_regs++];
}

/* The version 1 format's lists, as the version 2 tables they stand for.  */
static int
convert_v1 (struct conf_file *f, ferry_error_t *err)
{
  for (int k = 1; k < 3; k++)
    for (size_t i = 0; i < f->n_v1[k]; i++)
      {
        struct ferry_registry_entry *r;

        if (clean_location (&f->v1[k][i], err) < 0)
          return -1;
        r = v1_entry (f, f->v1[k][i]);
        if (k == 1)
          r->endpoint.insecure = 1;
        else
          r->blocked = 1;
      }
  if (f->n_v1[0])
    {
      ferry_cleanup_strvp (&f->search);
      f->search = steal_pointer (&f->v1[0]);
      f->n_search = f->n_v1[0];
      f->search_set = 1;
    }
  return 0;
}

static int
compare_entries (const void *a, const void *b)
{
  return strcmp (((const struct ferry_registry_entry *) a)->prefix,
                 ((const struct ferry_registry_entry *) b)->prefix);
}

/* An entry's key and its place in the file, for sorting by key with the
 * earlier first.  */
struct keyed
{
  const char *key;
  size_t i;
};

static int
compare_keyed (const void *a, const void *b)
{
  const struct keyed *x = a, *y = b;
  int r = strcmp (x->key, y->key);

  return r ? r : (x->i > y->i) - (x->i < y->i);
}

/* The checks and defaults Podman applies to each file.  */
static int
post_process (struct conf_file *f, ferry_error_t *err)
{
  size_t kept = 0;

  for (size_t i = 0; i < f->n_regs; i++)
    {
      struct ferry_registry_entry *r = &f->regs[i];

      if (clean_location (&r->endpoint.location, err) < 0 || clean_location (&r->prefix, err) < 0)
        return -1;
      if (r->endpoint.location == NULL)
        r->endpoint.location = xstrdup ("");
      if (r->prefix == NULL || *r->prefix == '\0')
        {
          if (*r->endpoint.location == '\0')
            return ferry_make_error (err, 0, "%s: invalid condition: both location and prefix are unset",
                                     f->path);
          free (r->prefix);
          r->prefix = xstrdup (r->endpoint.location);
        }
      else if (strncmp (r->prefix, "*.", 2) != 0 && *r->endpoint.location == '\0')
        return ferry_make_error (err, 0,
                                 "%s: invalid condition: location is unset and prefix is not in the format: "
                                 "*.example.com",
                                 f->path);
      if (strncmp (r->prefix, "*.", 2) == 0 && strpbrk (r->prefix, "/@:"))
        return ferry_make_error (
            err, 0,
            "%s: Wildcarded prefix should be in the format: *.example.com. Current prefix "
            "\"%s\" is incorrectly formatted",
            f->path, r->prefix);
      for (size_t m = 0; m < r->n_mirrors; m++)
        {
          struct ferry_registry_endpoint *e = &r->mirrors[m];

          if (clean_location (&e->location, err) < 0)
            return -1;
          if (e->location == NULL || *e->location == '\0')
            return ferry_make_error (err, 0, "%s: invalid condition: mirror location is unset", f->path);
          if (r->mirror_by_digest_only && e->pull_from_mirror_set)
            return ferry_make_error (
                err, 0,
                "%s: cannot set mirror usage mirror-by-digest-only for the registry (\"%s\") "
                "and pull-from-mirror for per-mirror (\"%s\") at the same time",
                f->path, r->prefix, e->location);
        }
    }
  /* A location given twice must say the same of insecure and blocked:
   * sorted by location, the ones given twice are neighbours (a file with
   * thousands of registries is read in n log n, not n squared).  */
  if (f->n_regs > 1)
    {
      cleanup_free struct keyed *by_location = xmalloc (f->n_regs * sizeof (*by_location));

      for (size_t i = 0; i < f->n_regs; i++)
        {
          const struct ferry_registry_entry *r = &f->regs[i];
          by_location[i].key = *r->endpoint.location ? r->endpoint.location : r->prefix;
          by_location[i].i = i;
        }
      qsort (by_location, f->n_regs, sizeof (*by_location), compare_keyed);
      for (size_t k = 1; k < f->n_regs; k++)
        {
          const struct ferry_registry_entry *a = &f->regs[by_location[k - 1].i];
          const struct ferry_registry_entry *b = &f->regs[by_location[k].i];

          if (strcmp (by_location[k - 1].key, by_location[k].key) != 0)
            continue;
          if (a->endpoint.insecure != b->endpoint.insecure)
            return ferry_make_error (
                err, 0,
                "%s: registry '%s' is defined multiple times with conflicting 'insecure' "
                "setting",
                f->path, a->endpoint.location);
          if (a->blocked != b->blocked)
            return ferry_make_error (err, 0,
                                     "%s: registry '%s' is defined multiple times with conflicting 'blocked' "
                                     "setting",
                                     f->path, a->endpoint.location);
        }
    }
  for (size_t i = 0; i < f->n_search; i++)
    {
      if (clean_location (&f->search[i], err) < 0)
        return -1;
      if (! is_domain (f->search[i]))
        return ferry_make_error (err, 0, "%s: Invalid unqualified-search-registries entry \"%s\"", f->path,
                                 f->search[i]);
    }
  /* The first of a prefix given twice counts; then in the order of the
   * prefixes.  */
  if (f->n_regs > 1)
    {
      cleanup_free struct keyed *by_prefix = xmalloc (f->n_regs * sizeof (*by_prefix));
      struct ferry_registry_entry *regs = xmalloc (f->n_regs * sizeof (*regs));

      for (size_t i = 0; i < f->n_regs; i++)
        {
          by_prefix[i].key = f->regs[i].prefix;
          by_prefix[i].i = i;
        }
      qsort (by_prefix, f->n_regs, sizeof (*by_prefix), compare_keyed);
      for (size_t k = 0; k < f->n_regs; k++)
        {
          struct ferry_registry_entry *r = &f->regs[by_prefix[k].i];

          /* Against the last kept: the key before may be released.  */
          if (kept > 0 && strcmp (regs[kept - 1].prefix, r->prefix) == 0)
            entry_release (r);
          else
            regs[kept++] = *r;
        }
      free (f->regs);
      f->regs = regs;
      f->n_regs = kept;
    }
  if (f->mode && *f->mode && strcmp (f->mode, "disabled") != 0 && strcmp (f->mode, "enforcing") != 0
      && strcmp (f->mode, "permissive") != 0)
    return ferry_make_error (err, 0, "%s: invalid short-name mode: \"%s\"", f->path, f->mode);
  for (size_t i = 0; i < f->n_aliases; i++)
    {
      struct ferry_short_name_alias *a = &f->aliases[i];
      char *normal = NULL;

      if (check_alias_name (a->name, err) < 0)
        return ferry_error_wrap (err, "%s: validating short-name aliases", f->path);
      if (*a->value == '\0')
        {
          free (a->value);
          a->value = NULL;
          continue;
        }
      if (parse_alias_value (a->value, &normal, err) < 0)
        return ferry_error_wrap (err, "%s: validating short-name aliases", f->path);
      free (a->value);
      a->value = normal;
    }
  return 0;
}

/* FILE into F; 0 with nothing read when it does not exist and need not.  */
static int
read_file (const char *path, int must_exist, int drop_in, int aliases_only, struct conf_file *f, int *found,
           ferry_error_t *err)
{
  const struct ferry_toml_handler h = { .table = on_table, .value = on_value };
  cleanup_free char *text = NULL;

  memset (f, 0, sizeof (*f));
  f->path = path;
  f->aliases_only = aliases_only;
  f->drop_in = drop_in;
  *found = 0;
  if (! must_exist && access (path, F_OK) < 0 && errno == ENOENT)
    return 0;
  if (ferry_toml_read_file (path, REGISTRIES_CONF_MAX, "registries configuration", &text, err) < 0
      || ferry_toml_parse (path, text, &h, f, err) < 0)
    return -1;
  *found = 1;
  if (f->v1_set)
    {
      if (drop_in)
        return ferry_make_error (err, 0, "%s: registry must be in v2 format but is in v1", path);
      if (f->v2_set)
        return ferry_make_error (err, 0, "%s: mixing sysregistry v1/v2 is not supported", path);
      if (convert_v1 (f, err) < 0)
        return -1;
    }
  return post_process (f, err);
}

/* ---- merging ------------------------------------------------------------------ */

static void
merge_aliases (struct ferry_registries_conf *c, struct conf_file *f)
{
  for (size_t i = 0; i < f->n_aliases; i++)
    {
      struct ferry_short_name_alias *a = &f->aliases[i];
      size_t k;

      for (k = 0; k < c->n_aliases; k++)
        if (strcmp (c->aliases[k].name, a->name) == 0)
          break;
      if (k == c->n_aliases)
        {
          c->aliases = xrealloc (c->aliases, (c->n_aliases + 1) * sizeof (*c->aliases));
          c->n_aliases++;
        }
      else
        alias_release (&c->aliases[k]);
      c->aliases[k] = *a;
    }
  free (f->aliases);
  f->aliases = NULL;
  f->n_aliases = 0;
}

/* What F gives replaces what came before: registries by prefix, the
 * search list and the mode when set; aliases one by one.  */
static void
merge (struct ferry_registries_conf *c, struct conf_file *f)
{
  /* Both sorted by prefix, F's each once: the ones there already are
   * found by bisection among those that were there before F.  */
  size_t before = c->n_registries;

  for (size_t i = 0; i < f->n_regs; i++)
    {
      struct ferry_registry_entry *there
          = before ? bsearch (&f->regs[i], c->registries, before, sizeof (*c->registries), compare_entries)
                   : NULL;
      size_t k = there ? (size_t) (there - c->registries) : c->n_registries;

      if (there == NULL)
        {
          c->registries = xrealloc (c->registries, (c->n_registries + 1) * sizeof (*c->registries));
          c->n_registries++;
        }
      else
        entry_release (&c->registries[k]);
      c->registries[k] = f->regs[i];
    }
  free (f->regs);
  f->regs = NULL;
  f->n_regs = 0;
  if (c->n_registries)
    qsort (c->registries, c->n_registries, sizeof (*c->registries), compare_entries);
  if (f->search_set)
    {
      ferry_cleanup_strvp (&c->search);
      c->search = steal_pointer (&f->search);
      if (c->search == NULL)
        c->search = xmalloc0 (sizeof (char *));
      free (c->search_origin);
      c->search_origin = xstrdup (f->path);
    }
  if (f->helpers)
    {
      ferry_cleanup_strvp (&c->credential_helpers);
      c->credential_helpers = steal_pointer (&f->helpers);
    }
  if (f->mode && *f->mode)
    c->mode = f->mode[0] == 'd'   ? FERRY_SHORT_NAME_DISABLED
              : f->mode[0] == 'e' ? FERRY_SHORT_NAME_ENFORCING
                                  : FERRY_SHORT_NAME_PERMISSIVE;
  merge_aliases (c, f);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* DIR's *.conf in the order of their names.  */
static char **
drop_ins (const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  char **names = xmalloc0 (sizeof (char *));
  size_t n = 0;

  if (d == NULL)
    return names;
  while ((de = readdir (d)) != NULL)
    {
      size_t len = strlen (de->d_name);

      if (len < 5 || strcmp (de->d_name + len - 5, ".conf") != 0 || de->d_type == DT_DIR)
        continue;
      names = xrealloc (names, (n + 2) * sizeof (char *));
      names[n++] = xasprintf ("%s/%s", dir, de->d_name);
      names[n] = NULL;
    }
  closedir (d);
  qsort (names, n, sizeof (char *), compare_strings);
  return names;
}

int
ferry_registries_conf_load (const char *file, int must_exist, const char *const *dirs, const char *cache,
                            struct ferry_registries_conf **out, ferry_error_t *err)
{
  struct ferry_registries_conf *c = xmalloc0 (sizeof (*c));
  struct conf_file f;
  int found;

  *out = NULL;
  if (read_file (file, must_exist, 0, 0, &f, &found, err) < 0)
    goto fail;
  if (found)
    {
      /* The main file names the search list's origin even when it sets
       * none, as Podman's messages do.  */
      c->search_origin = xstrdup (file);
      merge (c, &f);
    }
  conf_file_release (&f);
  for (size_t d = 0; dirs && dirs[d]; d++)
    {
      cleanup_strv char **names = drop_ins (dirs[d]);

      for (size_t i = 0; names[i]; i++)
        {
          if (read_file (names[i], 1, 1, 0, &f, &found, err) < 0)
            goto fail;
          merge (c, &f);
          conf_file_release (&f);
        }
    }
  if (cache)
    {
      if (read_file (cache, 0, 1, 1, &f, &found, err) < 0)
        {
          ferry_error_wrap (err, "loading short-name aliases config file \"%s\"", cache);
          goto fail;
        }
      merge_aliases (c, &f);
      conf_file_release (&f);
    }
  if (c->mode == FERRY_SHORT_NAME_UNSET)
    c->mode = FERRY_SHORT_NAME_PERMISSIVE;
  if (c->credential_helpers == NULL || c->credential_helpers[0] == NULL)
    {
      ferry_cleanup_strvp (&c->credential_helpers);
      c->credential_helpers = xmalloc0 (2 * sizeof (char *));
      c->credential_helpers[0] = xstrdup (FERRY_AUTH_FILE_HELPER);
    }
  {
    size_t len = strlen (file) + 1;
    for (size_t d = 0; dirs && dirs[d]; d++)
      len += strlen (dirs[d]) + 2;
    c->sources = xmalloc0 (len);
    strcpy (c->sources, file);
    for (size_t d = 0; dirs && dirs[d]; d++)
      {
        strcat (c->sources, ", ");
        strcat (c->sources, dirs[d]);
      }
  }
  *out = c;
  return 0;

fail:
  conf_file_release (&f);
  ferry_registries_conf_free (c);
  return -1;
}

void
ferry_registries_conf_free (struct ferry_registries_conf *c)
{
  if (c == NULL)
    return;
  ferry_cleanup_strvp (&c->search);
  ferry_cleanup_strvp (&c->credential_helpers);
  free (c->search_origin);
  for (size_t i = 0; i < c->n_registries; i++)
    entry_release (&c->registries[i]);
  free (c->registries);
  for (size_t i = 0; i < c->n_aliases; i++)
    alias_release (&c->aliases[i]);
  free (c->aliases);
  free (c->sources);
  free (c);
}

static const char *
alias_cache_path (void)
{
  const char *env = getenv ("FERRY_SHORT_NAME_ALIASES");

  return env && *env == '/' ? env : ALIAS_CACHE;
}

static pthread_once_t conf_once = PTHREAD_ONCE_INIT;
static struct ferry_registries_conf *conf_loaded;
static ferry_error_t conf_error;

static void
load_once (void)
{
  const char *env = getenv ("CONTAINERS_REGISTRIES_CONF");
  const char *home = getenv ("HOME");
  cleanup_free char *user_file = NULL, *user_dir = NULL;
  const char *dirs[3] = { NULL, NULL, NULL };
  const char *file;
  int must_exist = 0;

  if (home == NULL || *home != '/')
    {
      struct passwd *pw = getpwuid (geteuid ());
      home = pw && pw->pw_dir ? pw->pw_dir : "/";
    }
  user_file = xasprintf ("%s/%s", home, USER_REGISTRIES_CONF);
  user_dir = xasprintf ("%s/%s", home, USER_REGISTRIES_CONF_D);
  if (env && *env)
    {
      file = env;
      must_exist = 1;
      dirs[0] = REGISTRIES_CONF_D;
      dirs[1] = user_dir;
    }
  else if (access (user_file, F_OK) == 0)
    {
      file = user_file;
      dirs[0] = user_dir;
    }
  else
    {
      file = REGISTRIES_CONF;
      dirs[0] = REGISTRIES_CONF_D;
      dirs[1] = user_dir;
    }
  if (ferry_registries_conf_load (file, must_exist, dirs, alias_cache_path (), &conf_loaded, &conf_error) < 0
      && must_exist && access (file, F_OK) < 0)
    {
      ferry_error_release (&conf_error);
      ferry_make_error (&conf_error, 0,
                        "loading registries configuration \"%s\": no such file: create it or unset "
                        "CONTAINERS_REGISTRIES_CONF",
                        file);
    }
}

int
ferry_registries_conf_get (const struct ferry_registries_conf **out, ferry_error_t *err)
{
  pthread_once (&conf_once, load_once);
  *out = conf_loaded;
  if (conf_loaded == NULL)
    return ferry_make_error (err, conf_error->status, "%s", conf_error->msg);
  return 0;
}

/* ---- using it ------------------------------------------------------------------- */

/* How much of NAME PREFIX matches (Podman's rule: whole components, a
 * "*.domain" prefix any subdomain of the host), or -1.  */
static long
prefix_match (const char *name, const char *prefix)
{
  size_t n = strlen (prefix), len = strlen (name);

  if (strncmp (prefix, "*.", 2) == 0)
    {
      const char *found = strstr (name, prefix + 1);
      size_t end;

      if (found == NULL || memchr (name, '/', found - name))
        return -1;
      end = (found - name) + n - 1;
      if (end == len || name[end] == ':' || name[end] == '/' || name[end] == '@')
        return (long) end;
      return -1;
    }
  if (len < n || strncmp (name, prefix, n) != 0)
    return -1;
  if (len == n || name[n] == ':' || name[n] == '/' || name[n] == '@')
    return (long) n;
  return -1;
}

const struct ferry_registry_entry *
ferry_registries_find (const struct ferry_registries_conf *c, const char *name)
{
  const struct ferry_registry_entry *best = NULL;
  size_t best_len = 0;

  for (size_t i = 0; c && i < c->n_registries; i++)
    if (prefix_match (name, c->registries[i].prefix) >= 0 && strlen (c->registries[i].prefix) > best_len)
      {
        best = &c->registries[i];
        best_len = strlen (best->prefix);
      }
  return best;
}

static const struct ferry_short_name_alias *
find_alias (const struct ferry_registries_conf *c, const char *name)
{
  for (size_t i = 0; i < c->n_aliases; i++)
    if (strcmp (c->aliases[i].name, name) == 0)
      return &c->aliases[i];
  return NULL;
}

/* NAME split into its repository and what follows (":tag", "@digest").  */
static char *
split_name (const char *name, const char **rest)
{
  const char *at = strchr (name, '@');
  const char *last = strrchr (name, '/');
  const char *colon = strchr (last ? last : name, ':');
  const char *end = colon && (at == NULL || colon < at) ? colon : at;

  *rest = end ? end : "";
  return end ? xstrndup (name, end - name) : xstrdup (name);
}

/* FULL normalised, with ":latest" when neither tag nor digest is given;
 * NULL when it does not parse.  */
static char *
normalise (const char *full)
{
  struct ferry_reference r;
  ferry_error_t err = NULL;
  char *s;

  if (ferry_reference_parse (full, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &err) < 0)
    {
      ferry_error_release (&err);
      return NULL;
    }
  s = ferry_reference_string (&r);
  ferry_reference_free (&r);
  return s;
}

/* REG/NAME, normalised.  */
static char *
qualify (const char *reg, const char *name)
{
  cleanup_free char *full = xasprintf ("%s/%s", reg, name);
  return normalise (full);
}

/* An alias's value with the tag or digest the user gave (REST).  */
static char *
qualify_alias (const char *value, const char *rest)
{
  cleanup_free char *full = xasprintf ("%s%s", value, rest);
  return normalise (full);
}

static void
add_name (char ***list, size_t *n, char *name)
{
  if (name == NULL)
    return;
  for (size_t i = 0; i < *n; i++)
    if (strcmp ((*list)[i], name) == 0)
      {
        free (name);
        return;
      }
  *list = xrealloc (*list, (*n + 2) * sizeof (char *));
  (*list)[(*n)++] = name;
  (*list)[*n] = NULL;
}

int
ferry_registries_resolve (const struct ferry_registries_conf *c, const char *name, int interactive,
                          struct ferry_pull_candidates *out, ferry_error_t *err)
{
  cleanup_free char *repo = NULL;
  const struct ferry_short_name_alias *alias;
  const char *rest;
  char **names = xmalloc0 (sizeof (char *));
  size_t n = 0;

  memset (out, 0, sizeof (*out));
  if (! ferry_reference_is_short (name))
    {
      struct ferry_reference r;

      free (names);
      if (ferry_reference_parse (name, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, err) < 0)
        return -1;
      out->names = xmalloc0 (2 * sizeof (char *));
      out->names[0] = ferry_reference_string (&r);
      ferry_reference_free (&r);
      return 0;
    }
  repo = split_name (name, &rest);
  alias = find_alias (c, repo);
  if (alias && alias->value)
    {
      add_name (&names, &n, qualify_alias (alias->value, rest));
      if (n == 0)
        {
          free (names);
          return ferry_make_error (err, 0, "parsing reference \"%s\": invalid reference format", name);
        }
      out->names = names;
      out->description = xasprintf ("Resolved \"%s\" as an alias (%s)", repo, alias->origin);
      return 0;
    }
  if (c->search == NULL || c->search[0] == NULL)
    {
      free (names);
      if (c->search_origin)
        return ferry_make_error (err, 0,
                                 "short-name \"%s\" did not resolve to an alias and no unqualified-search "
                                 "registries are defined in \"%s\"",
                                 name, c->search_origin);
      return ferry_make_error (err, 0,
                               "short-name \"%s\" did not resolve to an alias and no "
                               "containers-registries.conf(5) was found",
                               name);
    }
  for (size_t i = 0; c->search[i]; i++)
    {
      char *q = qualify (c->search[i], name);

      if (q == NULL)
        {
          ferry_cleanup_strvp (&names);
          return ferry_make_error (err, 0,
                                   "creating reference with unqualified-search registry \"%s\": parsing "
                                   "reference \"%s/%s\": invalid reference format",
                                   c->search[i], c->search[i], name);
        }
      add_name (&names, &n, q);
    }
  if (n > 1 && c->mode != FERRY_SHORT_NAME_DISABLED && interactive)
    {
      /* The user picks one; no line says how (Podman's).  */
      out->names = names;
      out->choose = 1;
      out->short_name = steal_pointer (&repo);
      return 0;
    }
  if (n > 1 && c->mode == FERRY_SHORT_NAME_ENFORCING)
    {
      ferry_cleanup_strvp (&names);
      return ferry_make_error (err, 0,
                               "short-name resolution enforced but cannot prompt without a TTY: give a "
                               "fully-qualified name for \"%s\"",
                               name);
    }
  out->names = names;
  out->description
      = xasprintf ("Resolving \"%s\" using unqualified-search registries (%s)", repo, c->search_origin);
  return 0;
}

void
ferry_pull_candidates_free (struct ferry_pull_candidates *p)
{
  ferry_cleanup_strvp (&p->names);
  free (p->description);
  free (p->short_name);
  memset (p, 0, sizeof (*p));
}

char **
ferry_registries_local_candidates (const struct ferry_registries_conf *c, const char *name)
{
  char **names = xmalloc0 (sizeof (char *));
  size_t n = 0;
  cleanup_free char *repo = NULL;
  const char *rest;

  if (! ferry_reference_is_short (name))
    return names;
  repo = split_name (name, &rest);
  if (c)
    {
      const struct ferry_short_name_alias *alias = find_alias (c, repo);

      if (alias && alias->value)
        add_name (&names, &n, qualify_alias (alias->value, rest));
    }
  add_name (&names, &n, qualify ("localhost", name));
  for (size_t i = 0; c && c->search && c->search[i]; i++)
    add_name (&names, &n, qualify (c->search[i], name));
  return names;
}

static int
add_source (struct ferry_pull_source **out, size_t *n, const struct ferry_registry_endpoint *e,
            const char *prefix, const char *full, ferry_error_t *err)
{
  struct ferry_pull_source *s;
  cleanup_free char *rewritten = NULL;
  long matched = prefix_match (full, prefix);

  if (matched < 0)
    return ferry_make_error (err, 0, "invalid prefix '%s' for reference '%s'", prefix, full);
  rewritten = *e->location ? xasprintf ("%s%s", e->location, full + matched) : xstrdup (full);
  *out = xrealloc (*out, (*n + 1) * sizeof (**out));
  s = &(*out)[*n];
  memset (s, 0, sizeof (*s));
  if (ferry_reference_parse (rewritten, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &s->ref, err) < 0)
    return ferry_error_wrap (err, "rewriting reference");
  s->insecure = e->insecure;
  (*n)++;
  return 0;
}

int
ferry_registries_pull_sources (const struct ferry_registries_conf *c, const struct ferry_reference *ref,
                               struct ferry_pull_source **out, size_t *n, ferry_error_t *err)
{
  cleanup_free char *name = ferry_reference_name (ref);
  cleanup_free char *full = ferry_reference_string (ref);
  const struct ferry_registry_entry *r = ferry_registries_find (c, name);
  int digested = ref->digest != NULL;

  *out = NULL;
  *n = 0;
  if (r == NULL)
    {
      struct ferry_registry_endpoint plain = { .location = (char *) "" };
      return add_source (out, n, &plain, name, full, err);
    }
  if (r->blocked)
    return ferry_make_error (err, 0, "registry %s is blocked in %s", r->prefix, c->sources);
  for (size_t i = 0; i < r->n_mirrors; i++)
    {
      const struct ferry_registry_endpoint *m = &r->mirrors[i];

      if (r->mirror_by_digest_only ? ! digested
                                   : (m->pull_from_mirror == FERRY_MIRROR_DIGEST_ONLY && ! digested)
                                         || (m->pull_from_mirror == FERRY_MIRROR_TAG_ONLY && digested))
        continue;
      if (add_source (out, n, m, r->prefix, full, err) < 0)
        goto fail;
    }
  if (add_source (out, n, &r->endpoint, r->prefix, full, err) < 0)
    goto fail;
  return 0;

fail:
  ferry_pull_sources_free (*out, *n);
  *out = NULL;
  *n = 0;
  return -1;
}

void
ferry_pull_sources_free (struct ferry_pull_source *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    ferry_reference_free (&s[i].ref);
  free (s);
}

int
ferry_registries_check_access (const struct ferry_registries_conf *c, const char *name, int *insecure,
                               ferry_error_t *err)
{
  const struct ferry_registry_entry *r = ferry_registries_find (c, name);

  *insecure = r ? r->endpoint.insecure : 0;
  if (r && r->blocked)
    return ferry_make_error (err, 0, "registry %s is blocked in %s", r->prefix, c->sources);
  return 0;
}

int
ferry_registries_record_alias (const char *name, const char *value, ferry_error_t *err)
{
  const char *path = alias_cache_path ();
  cleanup_free char *dir = xstrndup (path, strrchr (path, '/') - path);
  cleanup_free char *lock_path = xasprintf ("%s.lock", path);
  cleanup_free char *tmp = xasprintf ("%s.tmp-XXXXXX", path);
  cleanup_close int lock = -1, fd = -1;
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  struct conf_file f = { 0 };
  cleanup_free char *normal = NULL;
  FILE *out = NULL;
  int found, ret = -1;
  size_t k;

  if (check_alias_name (name, err) < 0 || parse_alias_value (value, &normal, err) < 0)
    return -1;
  if (ferry_mkdir_p (dir, 0700, err) < 0)
    return -1;
  lock = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock < 0 || fcntl (lock, F_SETLKW, &fl) < 0)
    return ferry_make_error (err, errno, "cannot lock `%s`", lock_path);
  if (read_file (path, 0, 1, 1, &f, &found, err) < 0)
    {
      ferry_error_wrap (err, "loading short-name aliases config file \"%s\"", path);
      goto out;
    }
  for (k = 0; k < f.n_aliases && strcmp (f.aliases[k].name, name) != 0; k++)
    ;
  if (k == f.n_aliases)
    {
      f.aliases = xrealloc (f.aliases, (f.n_aliases + 1) * sizeof (*f.aliases));
      f.aliases[f.n_aliases++] = (struct ferry_short_name_alias){ .name = xstrdup (name) };
    }
  free (f.aliases[k].value);
  f.aliases[k].value = steal_pointer (&normal);
  /* Whole or not at all: a new file renamed over the old.  */
  fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0 || (out = fdopen (fd, "w")) == NULL)
    {
      ferry_make_error (err, errno, "cannot write `%s`", path);
      goto out;
    }
  fd = -1;
  fputs ("[aliases]\n", out);
  for (size_t i = 0; i < f.n_aliases; i++)
    if (f.aliases[i].value)
      fprintf (out, "  \"%s\" = \"%s\"\n", f.aliases[i].name, f.aliases[i].value);
  if (fflush (out) != 0 || fsync (fileno (out)) < 0 || fclose (out) != 0)
    {
      out = NULL;
      ferry_make_error (err, errno, "cannot write `%s`", path);
      goto out;
    }
  out = NULL;
  if (rename (tmp, path) < 0)
    {
      ferry_make_error (err, errno, "cannot write `%s`", path);
      goto out;
    }
  *tmp = '\0';
  ret = 0;

out:
  if (out)
    fclose (out);
  if (*tmp)
    unlink (tmp);
  conf_file_release (&f);
  return ret;
}
