/* ferry CLI: --mount (mount.h).  Each option is KEY or KEY=VALUE; which
 * keys a type takes, and the words of Podman's refusals, are Podman 5.4's
 * as it behaves.  A glob takes a bind's options; its pattern is expanded
 * by the engine.  */
#include "mount.h"

#include "runtime/mount_options.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MOUNT_FORMAT_HELP                                                                                    \
  "incorrect mount format: should be --mount "                                                               \
  "type=<bind|glob|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]"

enum
{
  T_BIND = 1 << 0,
  T_VOLUME = 1 << 1,
  T_TMPFS = 1 << 2,
  T_RAMFS = 1 << 3,
  T_DEVPTS = 1 << 4,
  T_IMAGE = 1 << 5,
};

/* The keys --mount knows, and the types that take each.  */
static const struct
{
  const char *key;
  unsigned types;
} KEYS[] = {
  { "src", T_BIND | T_VOLUME | T_IMAGE },
  { "source", T_BIND | T_VOLUME | T_IMAGE },
  { "dst", ~0u },
  { "destination", ~0u },
  { "target", ~0u },
  { "ro", T_BIND | T_VOLUME | T_TMPFS | T_RAMFS },
  { "readonly", T_BIND | T_VOLUME | T_TMPFS | T_RAMFS },
  { "rw", T_BIND | T_VOLUME | T_TMPFS | T_RAMFS | T_IMAGE },
  { "readwrite", T_BIND | T_VOLUME | T_TMPFS | T_RAMFS | T_IMAGE },
  { "bind-propagation", T_BIND },
  { "bind-nonrecursive", T_BIND },
  { "relabel", T_BIND },
  { "z", T_BIND },
  { "Z", T_BIND },
  { "tmpfs-size", T_TMPFS },
  { "tmpfs-mode", T_TMPFS },
  { "tmpcopyup", T_TMPFS },
  { "notmpcopyup", T_TMPFS },
  { "noexec", T_BIND | T_VOLUME | T_TMPFS | T_RAMFS },
  { "exec", T_BIND | T_VOLUME | T_TMPFS | T_RAMFS },
  { "nosuid", T_BIND | T_VOLUME | T_TMPFS | T_RAMFS },
  { "suid", T_BIND | T_VOLUME | T_TMPFS | T_RAMFS },
  { "nodev", T_BIND | T_VOLUME | T_TMPFS | T_RAMFS },
  { "dev", T_BIND | T_VOLUME | T_TMPFS | T_RAMFS },
  { "noswap", T_TMPFS },
  { "subpath", T_VOLUME | T_IMAGE },
  { "volume-subpath", T_VOLUME },
  { "U", T_BIND | T_VOLUME | T_TMPFS },
  { "chown", T_BIND | T_VOLUME | T_TMPFS },
  { "uid", T_DEVPTS },
  { "gid", T_DEVPTS },
  { "mode", T_DEVPTS },
  { "max", T_DEVPTS },
};

static unsigned
type_bit (const char *type)
{
  static const struct
  {
    const char *name;
    unsigned bit;
  } types[] = {
    { "bind", T_BIND },   { "glob", T_BIND },     { "volume", T_VOLUME }, { "tmpfs", T_TMPFS },
    { "ramfs", T_RAMFS }, { "devpts", T_DEVPTS }, { "image", T_IMAGE },
  };

  for (size_t i = 0; i < sizeof (types) / sizeof (types[0]); i++)
    if (strcmp (types[i].name, type) == 0)
      return types[i].bit;
  return 0;
}

/* As Go's strconv.ParseBool reads true; anything else is false, which is
 * what Podman makes of ro=maybe.  */
static int
value_is_true (const char *v)
{
  static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };

  if (v == NULL)
    return 1;
  for (size_t i = 0; i < sizeof (yes) / sizeof (yes[0]); i++)
    if (strcmp (v, yes[i]) == 0)
      return 1;
  return 0;
}

static void
add_option (struct ferry_mount_spec *m, size_t *n, const char *option)
{
  m->options = xrealloc (m->options, sizeof (char *) * (*n + 2));
  m->options[(*n)++] = xstrdup (option);
  m->options[*n] = NULL;
}

/* Finds "type=" wherever it stands among the options.  */
static const char *
find_type (char **opts, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strncmp (opts[i], "type=", 5) == 0)
      return opts[i] + 5;
  return NULL;
}

struct mount_parse
{
  struct ferry_mount_spec *m;
  const char *type;
  size_t n_options;
  int have_size, have_mode, have_mode_rw, have_relabel;
  int have_exec, have_suid, have_dev;
};

static int
take_destination (struct mount_parse *p, const char *key, const char *value, ferry_error_t *err)
{
  if (p->m->destination)
    return ferry_make_error (
        err, 0, "cannot pass \"%s\" option more than once: must provide an argument for option", key);
  if (value == NULL || *value == '\0')
    return ferry_make_error (err, 0, "%s: must provide an argument for option: give the container path", key);
  if (value[0] != '/')
    return ferry_make_error (err, 0, "invalid container path \"%s\", must be an absolute path", value);
  p->m->destination = xstrdup (value);
  return 0;
}

static int
take_source (struct mount_parse *p, const char *key, const char *value, ferry_error_t *err)
{
  if (p->m->source)
    return ferry_make_error (
        err, 0, "cannot pass \"%s\" option more than once: must provide an argument for option", key);
  if (value == NULL || *value == '\0')
    return ferry_make_error (err, 0, "host directory cannot be empty: must provide an argument for option");
  if (strcmp (p->type, "bind") == 0)
    {
      char resolved[PATH_MAX];
      p->m->source = xstrdup (realpath (value, resolved) ? resolved : value);
    }
  else
    p->m->source = xstrdup (value);
  return 0;
}

/* The relabel mode MODE (z or Z) of M: one only, as Podman takes them
 * (relabel=shared is z, relabel=private Z).  */
static int
set_relabel (struct ferry_mount_spec *m, const char *mode, ferry_error_t *err)
{
  if (m->mode)
    return ferry_make_error (err, 0, "invalid options \"%s, %s\", can only specify 1 'z', 'Z', or 'O' option",
                             m->mode, mode);
  m->mode = xstrdup (mode);
  return 0;
}

/* WORD among a bind's or volume's options as Podman keeps them, in the
 * order given (ferry_mount_spec's typed).  */
static void
typed_add (struct mount_parse *p, const char *word)
{
  if (strcmp (p->type, "bind") == 0 || strcmp (p->type, "volume") == 0 || strcmp (p->type, "glob") == 0)
    ferry_strv_add (&p->m->typed, word);
}

/* KEY[=VALUE], KEY known and allowed for the type.  */
static int
take_option (struct mount_parse *p, const char *key, const char *value, ferry_error_t *err)
{
  struct ferry_mount_spec *m = p->m;
  cleanup_free char *oci = NULL;

  if (strcmp (key, "dst") == 0 || strcmp (key, "destination") == 0 || strcmp (key, "target") == 0)
    return take_destination (p, "dst", value, err);
  if (strcmp (key, "src") == 0 || strcmp (key, "source") == 0)
    return take_source (p, "src", value, err);
  if (strcmp (key, "ro") == 0 || strcmp (key, "readonly") == 0 || strcmp (key, "rw") == 0
      || strcmp (key, "readwrite") == 0)
    {
      if (p->have_mode_rw++)
        return ferry_make_error (err, 0,
                                 "cannot pass 'readonly', 'ro', or 'rw' mnt.Options more than once: must "
                                 "provide an argument for option");
      if (strcmp (key, "ro") == 0 || strcmp (key, "readonly") == 0)
        m->readonly = value_is_true (value);
      else
        m->readonly = ! value_is_true (value);
      /* As Podman keeps it: ro=false is the default, said by nothing.  */
      {
        int is_rw = strcmp (key, "rw") == 0 || strcmp (key, "readwrite") == 0;

        if (value_is_true (value))
          typed_add (p, is_rw ? "rw" : "ro");
        else if (is_rw)
          typed_add (p, "ro");
      }
    }
  else if (strcmp (key, "U") == 0 || strcmp (key, "chown") == 0)
    {
      static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };
      int is_false = 0;

      for (size_t i = 0; value && i < sizeof (no) / sizeof (no[0]); i++)
        is_false |= strcmp (value, no[i]) == 0;
      if (! is_false && ! value_is_true (value))
        return ferry_make_error (
            err, 0,
            "'U' or 'chown' must be set to true or false, instead received \"%s\": must provide an argument "
            "for option",
            value);
      m->chown = ! is_false;
      if (m->chown)
        typed_add (p, "U");
    }
  else if (strcmp (key, "subpath") == 0 || strcmp (key, "volume-subpath") == 0)
    {
      /* Inside the volume, whatever it starts with; the engine resolves
       * it at each start.  */
      const char *rel = value ? value : "";
      cleanup_free char *clean = NULL;

      if (strcmp (p->type, "image") == 0 && rel[0] != '/')
        return ferry_make_error (err, 0, "volume subpath \"%s\" must be an absolute path", rel);
      while (*rel == '/')
        rel++;
      clean = ferry_path_normalize_entry (rel);
      free (m->subpath);
      m->subpath = NULL;
      if (*clean && strcmp (clean, ".") != 0)
        m->subpath = xstrdup (clean);
    }
  else if (strcmp (key, "bind-propagation") == 0)
    {
      if (value == NULL || ! ferry_mount_propagation_is_valid (value))
        return ferry_make_error (err, 0, "invalid value \"bind-propagation=%s\"", value ? value : "");
      add_option (m, &p->n_options, value);
      typed_add (p, value);
    }
  else if (strcmp (key, "bind-nonrecursive") == 0)
    {
      if (value_is_true (value))
        {
          add_option (m, &p->n_options, "bind");
          typed_add (p, "bind");
        }
    }
  else if (strcmp (key, "relabel") == 0)
    {
      const char *mode;

      if (p->have_relabel++)
        return ferry_make_error (err, 0,
                                 "cannot pass 'relabel' option more than once: must provide an argument for "
                                 "option");
      if (value == NULL || (strcmp (value, "shared") != 0 && strcmp (value, "private") != 0))
        return ferry_make_error (err, 0,
                                 "relabel mount option must be 'private' or 'shared': invalid mount option");
      mode = strcmp (value, "shared") == 0 ? "z" : "Z";
      if (set_relabel (m, mode, err) < 0)
        return -1;
      typed_add (p, mode);
    }
  else if (strcmp (key, "z") == 0 || strcmp (key, "Z") == 0)
    {
      if (set_relabel (m, key, err) < 0)
        return -1;
      typed_add (p, key);
    }
  else if (strcmp (key, "tmpfs-size") == 0)
    {
      if (p->have_size++)
        return ferry_make_error (err, 0,
                                 "only one tmpfs size can be specified: duplicate mount option passed");
      oci = xasprintf ("size=%s", value ? value : "");
    }
  else if (strcmp (key, "tmpfs-mode") == 0)
    {
      if (p->have_mode++)
        return ferry_make_error (err, 0,
                                 "only one tmpfs mode can be specified: duplicate mount option passed");
      oci = xasprintf ("mode=%s", value ? value : "");
    }
  else if (strcmp (key, "tmpcopyup") == 0)
    ; /* the default */
  else if (ferry_mount_flag_is_valid (key))
    {
      const char *plain = key[0] == 'n' && key[1] == 'o' ? key + 2 : key;
      int *have = strcmp (plain, "exec") == 0   ? &p->have_exec
                  : strcmp (plain, "suid") == 0 ? &p->have_suid
                                                : &p->have_dev;
      if ((*have)++)
        return ferry_make_error (
            err, 0,
            "cannot pass 'no%s' and '%s' mnt.Options more than once: must provide an argument for option",
            plain, plain);
      oci = xstrdup (key);
      typed_add (p, key);
    }
  else if (strcmp (p->type, "devpts") == 0)
    oci = xasprintf ("%s=%s", key, value ? value : "");
  else
    oci = xstrdup (key); /* noexec, exec, notmpcopyup, ... */
  if (oci)
    {
      if (! ferry_mount_option_is_valid (strcmp (p->type, "glob") == 0 ? "bind" : p->type, oci))
        return ferry_make_error (err, 0, "invalid value \"%s\" in --mount: use %s", oci,
                                 strncmp (oci, "size=", 5) == 0   ? "tmpfs-size=BYTES[k|m|g]"
                                 : strncmp (oci, "mode=", 5) == 0 ? "an octal mode such as 700"
                                                                  : "a number");
      add_option (m, &p->n_options, oci);
    }
  return 0;
}

static int
parse_option (struct mount_parse *p, char *opt, ferry_error_t *err)
{
  char *value = strchr (opt, '=');
  unsigned bit = type_bit (p->type);
  size_t i;

  if (value)
    *value++ = '\0';
  if (strcmp (opt, "type") == 0)
    return 0;
  for (i = 0; i < sizeof (KEYS) / sizeof (KEYS[0]); i++)
    if (strcmp (KEYS[i].key, opt) == 0)
      break;
  if (i == sizeof (KEYS) / sizeof (KEYS[0]))
    {
      if (strcmp (opt, "idmap") == 0 || strcmp (opt, "subpath") == 0 || strcmp (opt, "volume-subpath") == 0
          || strcmp (opt, "volume-opt") == 0 || strcmp (opt, "no-dereference") == 0)
        return ferry_make_error (err, 0, "%s: mount option not supported by ferry: leave it out", opt);
      return ferry_make_error (err, 0, "%s: invalid mount option", opt);
    }
  if ((KEYS[i].types & bit) == 0 && strcmp (KEYS[i].key, "subpath") == 0)
    return ferry_make_error (err, 0, "cannot set option \"subpath\" on non-volume mounts");
  if ((KEYS[i].types & bit) == 0)
    {
      if (bit == T_DEVPTS || bit == T_IMAGE)
        return ferry_make_error (err, 0, "%s: invalid mount option", opt);
      return ferry_make_error (err, 0, "\"%s\" option not supported for \"%s\" mount types", opt, p->type);
    }
  return take_option (p, opt, value, err);
}

int
ferry_cli_parse_mount (const char *spec, struct ferry_mount_spec *m, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (spec);
  cleanup_free char **opts = NULL;
  struct mount_parse p = { .m = m };
  size_t n = 0;
  char *s = copy;

  memset (m, 0, sizeof (*m));
  /* Split on every comma, so that an empty option is one.  */
  for (;;)
    {
      char *comma = strchr (s, ',');
      opts = xrealloc (opts, sizeof (char *) * (n + 1));
      opts[n++] = s;
      if (comma == NULL)
        break;
      *comma = '\0';
      s = comma + 1;
    }
  p.type = find_type (opts, n);
  if (p.type == NULL)
    return ferry_make_error (err, 0, MOUNT_FORMAT_HELP);
  if (type_bit (p.type) == 0)
    return ferry_make_error (err, 0, "invalid filesystem type \"%s\"", p.type);
  /* An image is mounted read-only unless rw says otherwise.  */
  if (strcmp (p.type, "image") == 0)
    m->readonly = 1;
  for (size_t i = 0; i < n; i++)
    if (parse_option (&p, opts[i], err) < 0)
      goto fail;
  if (strcmp (p.type, "image") == 0 && (m->source == NULL || m->destination == NULL))
    {
      ferry_make_error (err, 0, "must set source and destination for image volume");
      goto fail;
    }
  if (m->destination == NULL && strcmp (p.type, "glob") != 0)
    {
      ferry_make_error (err, 0, "must set volume destination");
      goto fail;
    }
  /* Podman binds the destination's own host path when no source is given.  */
  if (strcmp (p.type, "bind") == 0 && m->source == NULL)
    m->source = xstrdup (m->destination);
  m->type = xstrdup (p.type);
  return 0;

fail:
  ferry_cli_mount_spec_clear (m);
  return -1;
}

void
ferry_cli_mount_spec_clear (struct ferry_mount_spec *m)
{
  free (m->type);
  free (m->source);
  free (m->destination);
  free (m->mode);
  free (m->subpath);
  for (size_t i = 0; m->options && m->options[i]; i++)
    free (m->options[i]);
  free (m->options);
  for (size_t i = 0; m->typed && m->typed[i]; i++)
    free (m->typed[i]);
  free (m->typed);
  memset (m, 0, sizeof (*m));
}
