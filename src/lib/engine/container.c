/* ferry: container records: creation, lookup, state in the database.  */
#include "container.h"
#include "systemd.h"
#include "secret.h"
#include "resources.h"
#include "health.h"
#include "checkpoint_image.h"
#include "internal.h"
#include "process_options.h"
#include "ns_modes.h"
#include "userns.h"
#include "network.h"
#include "operation.h"
#include "volume.h"
#include "volumes_from.h"
#include "image_mount.h"
#include "../state/events.h"
#include "../image/reference.h"
#include "../network/ports.h"
#include "../network/dns.h"
#include "../network/netopts.h"
#include "../runtime/mount_options.h"
#include "../runtime/seccomp.h"
#include "../runtime/cdi.h"
#include "cdi.h"
#include "../runtime/spec.h"
#include "../state/lock.h"
#include "../storage/overlay.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/parse.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* Podman's: containers.conf's built-in "65536k", read in powers of 1000.  */
#define DEFAULT_SHM_SIZE 65536000LL
#define DEFAULT_ROOT_MODE 0555
#define DEFAULT_STOP_TIMEOUT 10
#define ENV_FILE_MAX (16u << 20)

static const char *const STATUS_NAMES[]
    = { "created", "running", "paused", "exited", "stopping", "initialized" };

const char *
ferry_container_status_name (enum ferry_container_status s)
{
  return STATUS_NAMES[s];
}

static enum ferry_container_status
status_from_name (const char *s)
{
  size_t i;

  for (i = 0; i < sizeof (STATUS_NAMES) / sizeof (STATUS_NAMES[0]); i++)
    if (strcmp (s, STATUS_NAMES[i]) == 0)
      return i;
  return FERRY_CONTAINER_EXITED;
}

char *
ferry_random_hex (size_t bytes)
{
  unsigned char buf[64];
  char *out = xmalloc (bytes * 2 + 1);
  size_t i;

  if (bytes > sizeof (buf) || getrandom (buf, bytes, 0) != (ssize_t) bytes)
    abort ();
  for (i = 0; i < bytes; i++)
    sprintf (out + 2 * i, "%02x", buf[i]);
  return out;
}

/* Generated names read like Podman's: adjective_surname.  */
static char *
generate_name (void)
{
  static const char *const adjectives[]
      = { "brave",  "calm",   "clever",  "eager", "gentle",  "happy", "jolly",  "keen",   "kind",  "lucid",
          "merry",  "nimble", "patient", "proud", "quick",   "quiet", "serene", "steady", "sunny", "swift",
          "tender", "upbeat", "vivid",   "witty", "zealous", "bold",  "busy",   "cool" };
  static const char *const surnames[]
      = { "babbage", "curie",  "darwin",   "euler",   "faraday", "gauss",   "hopper", "hypatia",
          "kepler",  "lamarr", "lovelace", "maxwell", "meitner", "noether", "pascal", "ritchie",
          "shannon", "tesla",  "thompson", "turing",  "volta",   "wozniak", "yalow",  "zuse" };
  unsigned int r[2];

  if (getrandom (r, sizeof (r), 0) != sizeof (r))
    abort ();
  return xasprintf ("%s_%s", adjectives[r[0] % (sizeof (adjectives) / sizeof (adjectives[0]))],
                    surnames[r[1] % (sizeof (surnames) / sizeof (surnames[0]))]);
}

int
ferry_container_name_is_valid (const char *name)
{
  const char *p;

  if (! ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')
         || (name[0] >= '0' && name[0] <= '9')))
    return 0;
  for (p = name; *p; p++)
    if (! ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
           || strchr ("_.-", *p)))
      return 0;
  return 1;
}

static json_object *
strv_to_json (char *const *v)
{
  json_object *a = json_object_new_array ();
  size_t i;

  for (i = 0; v && v[i]; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

/* Adds "K=V" to ENV (a JSON array), replacing an entry with the same K.  */
static void
env_set (json_object *env, const char *kv)
{
  size_t klen = strcspn (kv, "="), i;

  for (i = 0; i < json_object_array_length (env); i++)
    {
      const char *cur = json_object_get_string (json_object_array_get_idx (env, i));
      if (strncmp (cur, kv, klen) == 0 && (cur[klen] == '=' || cur[klen] == '\0'))
        {
          json_object_array_put_idx (env, i, json_object_new_string (kv));
          return;
        }
    }
  json_object_array_add (env, json_object_new_string (kv));
}

void
ferry_env_set (json_object *env, const char *kv)
{
  env_set (env, kv);
}

/* ENV's names mapped to their place in it, for env_put: set one by one
 * with env_set, a list of N variables costs N*N comparisons, and an
 * image's config or an --env-file of 200000 took a quarter of an hour.  */
static json_object *
env_index_new (json_object *env)
{
  json_object *index = json_object_new_object ();

  for (size_t i = 0; i < json_object_array_length (env); i++)
    {
      const char *cur = json_object_get_string (json_object_array_get_idx (env, i));
      cleanup_free char *key = xstrndup (cur, strcspn (cur, "="));

      /* The first of a name is the one env_set replaces.  */
      if (! json_object_object_get_ex (index, key, NULL))
        json_object_object_add (index, key, json_object_new_int64 ((int64_t) i));
    }
  return index;
}

/* env_set, finding the name in INDEX (env_index_new of ENV, kept up to
 * date here) instead of going through ENV.  */
static void
env_put (json_object *env, json_object *index, const char *kv)
{
  cleanup_free char *key = xstrndup (kv, strcspn (kv, "="));
  json_object *at;

  if (json_object_object_get_ex (index, key, &at))
    {
      json_object_array_put_idx (env, (size_t) json_object_get_int64 (at), json_object_new_string (kv));
      return;
    }
  json_object_object_add (index, key, json_object_new_int64 ((int64_t) json_object_array_length (env)));
  json_object_array_add (env, json_object_new_string (kv));
}

static int
env_has (json_object *env, const char *key)
{
  size_t klen = strlen (key), i;

  for (i = 0; i < json_object_array_length (env); i++)
    {
      const char *cur = json_object_get_string (json_object_array_get_idx (env, i));
      if (strncmp (cur, key, klen) == 0 && cur[klen] == '=')
        return 1;
    }
  return 0;
}

/* "-e K=V" sets, "-e K" copies K from ferry's environment when it is set,
 * and "-e PREFIX*", as Podman's, every variable of it whose name starts
 * with PREFIX.  One without a name ("=V") is refused in Podman's words:
 * the runtime would refuse to start the process.  */
static int
env_apply_option (json_object *env, json_object *index, const char *opt, ferry_error_t *err)
{
  extern char **environ;
  size_t len = strlen (opt);
  const char *v;

  if (opt[0] == '=')
    return ferry_make_error (err, 0, "invalid variable: \"%s\": give the variable a name, NAME=VALUE", opt);
  if (strchr (opt, '='))
    {
      env_put (env, index, opt);
      return 0;
    }
  if (len > 0 && opt[len - 1] == '*')
    {
      for (char **p = environ; p && *p; p++)
        if (strncmp (*p, opt, len - 1) == 0 && strchr (*p, '='))
          env_put (env, index, *p);
      return 0;
    }
  v = getenv (opt);
  if (v)
    {
      cleanup_free char *kv = xasprintf ("%s=%s", opt, v);
      env_put (env, index, kv);
    }
  return 0;
}

static int
env_apply_file (json_object *env, json_object *index, const char *path, ferry_error_t *err)
{
  cleanup_free char *text = NULL;
  char *line, *save = NULL;

  /* Podman's words, then what to give.  */
  if (access (path, R_OK) < 0)
    return ferry_make_error (
        err, 0, "parsing file \"%s\": open %s: %s: give --env-file a readable file of KEY=VALUE lines", path,
        path, errno == ENOENT ? "no such file or directory" : strerror (errno));
  /* A path naming a device that never ends (/dev/zero) was read until
   * memory ran out; the kernel passes a process a few MiB of environment
   * at most anyway.  */
  if (ferry_read_file_max (path, ENV_FILE_MAX, &text, NULL, err) < 0)
    return ferry_error_wrap (err, "--env-file");
  for (line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      size_t n = strlen (line);
      while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
        line[--n] = '\0';
      while (*line == ' ' || *line == '\t')
        line++;
      if (*line == '\0' || *line == '#')
        continue;
      if (env_apply_option (env, index, line, err) < 0)
        return ferry_error_wrap (err, "parsing file \"%s\"", path);
    }
  return 0;
}

int
ferry_container_env_apply (json_object *env, char *const *env_files, char *const *env_options,
                           const char *options_context, ferry_error_t *err)
{
  cleanup_json json_object *index = env_index_new (env);
  size_t i;

  for (i = 0; env_files && env_files[i]; i++)
    if (env_apply_file (env, index, env_files[i], err) < 0)
      return -1;
  for (i = 0; env_options && env_options[i]; i++)
    if (env_apply_option (env, index, env_options[i], err) < 0)
      return options_context ? ferry_error_wrap (err, "%s", options_context) : -1;
  return 0;
}

static bool
entrypoint_is_empty_word (json_object *entrypoint)
{
  return json_object_array_length (entrypoint) == 1
         && strcmp (ferry_json_string_value (json_object_array_get_idx (entrypoint, 0)) ?: "x", "") == 0;
}

/* The process args: the entrypoint (the image's unless overridden) and the
 * command (the user's, else the image's unless the entrypoint was given).  */
static int
resolve_args (const struct ferry_create_options *o, json_object *image_config, json_object *rec,
              ferry_error_t *err)
{
  json_object *entrypoint = NULL, *cmd = NULL, *args = json_object_new_array ();
  size_t i;

  if (o->entrypoint)
    {
      if (o->entrypoint[0] == '[')
        {
          entrypoint = ferry_json_parse (o->entrypoint, strlen (o->entrypoint), "--entrypoint", err);
          if (entrypoint == NULL || ! json_object_is_type (entrypoint, json_type_array))
            {
              json_object_put (entrypoint);
              json_object_put (args);
              if (*err == NULL)
                ferry_make_error (err, 0, "--entrypoint `%s` must be a JSON array of strings or one word",
                                  o->entrypoint);
              return -1;
            }
        }
      else
        {
          /* --entrypoint '' is recorded as [""], as in Podman.  */
          entrypoint = json_object_new_array ();
          json_object_array_add (entrypoint, json_object_new_string (o->entrypoint));
        }
    }
  else
    {
      json_object *ie = ferry_json_get_array (image_config, "Entrypoint");
      entrypoint = ie ? json_object_get (ie) : json_object_new_array ();
    }
  if (o->command && o->command[0])
    cmd = strv_to_json (o->command);
  else if (o->entrypoint == NULL && ferry_json_get_array (image_config, "Cmd"))
    cmd = json_object_get (ferry_json_get_array (image_config, "Cmd"));
  else
    cmd = json_object_new_array ();

  /* An entrypoint of one empty word is none, as Podman runs it.  */
  if (! entrypoint_is_empty_word (entrypoint))
    for (i = 0; i < json_object_array_length (entrypoint); i++)
      json_object_array_add (args, json_object_get (json_object_array_get_idx (entrypoint, i)));
  for (i = 0; i < json_object_array_length (cmd); i++)
    json_object_array_add (args, json_object_get (json_object_array_get_idx (cmd, i)));
  json_object_object_add (rec, "Entrypoint", entrypoint);
  json_object_object_add (rec, "Cmd", cmd);
  json_object_object_add (rec, "Args", args);
  /* Podman's run finds no command to run (127): so does ferry's.  */
  if (json_object_array_length (args) == 0 && o->rootfs)
    return ferry_make_error_kind (
        err, FERRY_ERROR_COMMAND_NOT_FOUND,
        "no command given for the container of --rootfs %s, which has no image to take "
        "one from: name it after the directory, as in --rootfs %s sh",
        o->image, o->image);
  if (json_object_array_length (args) == 0)
    return ferry_make_error (
        err, 0, "no command or entrypoint provided, and no CMD or ENTRYPOINT from image `%s`", o->image);
  return 0;
}

static int
clean_destination (const char *dst)
{
  return dst[0] == '/' && (dst[1] == '\0' || ferry_path_is_clean_relative (dst + 1));
}

static json_object *
mount_json (const char *type, const char *source, const char *destination, int readonly, int anonymous)
{
  json_object *m = json_object_new_object ();

  json_object_object_add (m, "Type", json_object_new_string (type));
  if (source)
    json_object_object_add (m, strcmp (type, "volume") == 0 ? "Name" : "Source",
                            json_object_new_string (source));
  json_object_object_add (m, "Destination", json_object_new_string (destination));
  json_object_object_add (m, "RW", json_object_new_boolean (! readonly));
  if (anonymous)
    json_object_object_add (m, "Anonymous", json_object_new_boolean (1));
  return m;
}

/* --mount's extra OCI options, relabel mode and U, kept only when there
 * are any, so that records without them read as before.  */
static void
mount_json_add_options (json_object *mj, const struct ferry_mount_spec *m)
{
  if (m->options && m->options[0])
    {
      json_object *opts = json_object_new_array ();
      for (size_t k = 0; m->options[k]; k++)
        json_object_array_add (opts, json_object_new_string (m->options[k]));
      json_object_object_add (mj, "Options", opts);
    }
  if (m->mode && *m->mode)
    json_object_object_add (mj, "Mode", json_object_new_string (m->mode));
  if (m->chown)
    json_object_object_add (mj, "Chown", json_object_new_boolean (1));
  if (m->subpath)
    json_object_object_add (mj, "SubPath", json_object_new_string (m->subpath));
  /* A bind's or volume's options as typed, which inspect shows in that
   * order as Podman does; the words the record's reader takes only.  */
  if (m->typed && m->typed[0]
      && (ferry_json_string_equals (mj, "Type", "bind") || ferry_json_string_equals (mj, "Type", "volume")))
    {
      json_object *typed = json_object_new_array ();
      for (size_t k = 0; m->typed[k]; k++)
        if (ferry_mount_typed_option_is_valid (m->typed[k]))
          json_object_array_add (typed, json_object_new_string (m->typed[k]));
      json_object_object_add (mj, "TypedOptions", typed);
    }
}

static int
mounts_have_destination (json_object *mounts, const char *dst)
{
  size_t i;

  for (i = 0; i < ferry_json_array_length (mounts); i++)
    if (ferry_json_string_equals (json_object_array_get_idx (mounts, i), "Destination", dst))
      return 1;
  return 0;
}

/* LIST already holds FLAG or its opposite (exec and noexec, ...).  */
static int
tmpfs_has_flag (json_object *list, const char *flag)
{
  for (size_t i = 0; i < json_object_array_length (list); i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (list, i));
      if (strcmp (o, flag) == 0 || strcmp (o, ferry_mount_flag_opposite (flag)) == 0)
        return 1;
    }
  return 0;
}

/* --tmpfs DEST[:OPTIONS] into MOUNTS: OPTIONS are tmpfs's (size=, mode=,
 * noexec, ...) and ro or rw, comma-separated.  The options as typed are
 * kept for inspect's HostConfig.Tmpfs, as Podman shows them.  */
static int
record_tmpfs (json_object *mounts, const char *spec, ferry_error_t *err)
{
  cleanup_free char *dst = xstrdup (spec);
  char *options = strchr (dst, ':'), *save = NULL;
  json_object *m, *list = json_object_new_array ();
  int readonly = 0;

  if (options)
    *options++ = '\0';
  if (! clean_destination (dst))
    {
      json_object_put (list);
      return ferry_make_error (err, 0, "invalid container path \"%s\", must be an absolute path", dst);
    }
  if (mounts_have_destination (mounts, dst))
    {
      json_object_put (list);
      return ferry_make_error (err, 0, "duplicate mount destination `%s`", dst);
    }
  if (options && *options)
    {
      cleanup_free char *copy = xstrdup (options);
      for (char *one = strtok_r (copy, ",", &save); one; one = strtok_r (NULL, ",", &save))
        {
          if (strcmp (one, "ro") == 0 || strcmp (one, "rw") == 0)
            readonly = one[1] == 'o';
          else if (strcmp (one, "tmpcopyup") == 0)
            ; /* the default */
          else if (ferry_mount_flag_is_valid (one) && tmpfs_has_flag (list, one))
            {
              const char *plain = strncmp (one, "no", 2) == 0 ? one + 2 : one;
              json_object_put (list);
              return ferry_make_error (
                  err, 0, "only one of 'no%s' and '%s' can be used: duplicate mount option passed", plain,
                  plain);
            }
          else if (ferry_mount_option_is_valid ("tmpfs", one))
            json_object_array_add (list, json_object_new_string (one));
          else
            {
              json_object_put (list);
              return ferry_make_error (err, 0, "unknown mount option \"%s\": invalid mount option", one);
            }
        }
    }
  m = mount_json ("tmpfs", NULL, dst, readonly, 0);
  if (json_object_array_length (list))
    json_object_object_add (m, "Options", list);
  else
    json_object_put (list);
  if (options && *options)
    json_object_object_add (m, "TmpfsOptions", json_object_new_string (options));
  json_object_array_add (mounts, m);
  return 0;
}

/* --mount type=glob: a bind of each host path the pattern matches (at
 * create, as Podman expands it), at DESTINATION/NAME, or at the same path
 * without a destination.  */
static int
add_glob_binds (const struct ferry_mount_spec *m, json_object *mounts, ferry_error_t *err)
{
  const char *pattern = m->source ? m->source : "";
  glob_t g = { 0 };
  int rc = glob (pattern, 0, NULL, &g);

  if (rc != 0 || g.gl_pathc == 0)
    {
      globfree (&g);
      return ferry_make_error (err, 0, "no file paths matching glob \"%s\"", pattern);
    }
  for (size_t k = 0; k < g.gl_pathc; k++)
    {
      char resolved[PATH_MAX];
      const char *base = strrchr (g.gl_pathv[k], '/');
      cleanup_free char *dst = NULL;
      json_object *mj;

      if (realpath (g.gl_pathv[k], resolved) == NULL)
        {
          ferry_make_error (err, errno, "glob match `%s` cannot be used", g.gl_pathv[k]);
          globfree (&g);
          return -1;
        }
      base = base ? base + 1 : g.gl_pathv[k];
      dst = m->destination
                ? xasprintf ("%s/%s", strcmp (m->destination, "/") == 0 ? "" : m->destination, base)
                : xstrdup (resolved);
      if (! clean_destination (dst) || mounts_have_destination (mounts, dst))
        {
          ferry_make_error (err, 0, "glob match `%s` cannot be mounted at `%s`: %s", g.gl_pathv[k], dst,
                            clean_destination (dst) ? "duplicate mount destination"
                                                    : "not a clean absolute path");
          globfree (&g);
          return -1;
        }
      mj = mount_json ("bind", resolved, dst, m->readonly, 0);
      mount_json_add_options (mj, m);
      json_object_array_add (mounts, mj);
    }
  globfree (&g);
  return 0;
}

static int
resolve_mounts (ferry_engine_t *e, const struct ferry_create_options *o, json_object *image_config,
                json_object *rec, ferry_error_t *err)
{
  json_object *mounts = json_object_new_array ();
  json_object *image_volumes = ferry_json_get_object (image_config, "Volumes");
  /* containers.conf's mode where --image-volume does not give one.  */
  const char *image_volume
      = o->image_volume && *o->image_volume ? o->image_volume : e->config.image_volume_mode;
  size_t i;

  json_object_object_add (rec, "Mounts", mounts);
  for (i = 0; i < o->n_mounts; i++)
    {
      const struct ferry_mount_spec *m = &o->mounts[i];
      json_object *mj;
      struct stat st;
      int is_glob = strcmp (m->type, "glob") == 0;

      /* A glob's destination is only where its matches go.  */
      if ((m->destination || ! is_glob) && ! clean_destination (m->destination))
        return ferry_make_error (err, 0,
                                 "invalid volume destination `%s`: it must be an absolute path without `..`",
                                 m->destination);
      if (! is_glob && mounts_have_destination (mounts, m->destination))
        return ferry_make_error (err, 0, "duplicate mount destination `%s`", m->destination);
      if (! is_glob && ! ferry_mount_type_is_known (m->type))
        return ferry_make_error (err, 0, "invalid filesystem type \"%s\"", m->type);
      for (size_t k = 0; m->options && m->options[k]; k++)
        if (! ferry_mount_option_is_valid (is_glob ? "bind" : m->type, m->options[k]))
          return ferry_make_error (err, 0, "%s: invalid mount option for a %s mount", m->options[k], m->type);
      if (is_glob)
        {
          if (add_glob_binds (m, mounts, err) < 0)
            return -1;
          continue;
        }
      if (strcmp (m->type, "bind") == 0)
        {
          /* Podman's first words: statfs's.  */
          if (stat (m->source, &st) < 0)
            return ferry_make_error (err, 0, "statfs %s: %s: create it or fix the -v or --mount option",
                                     m->source,
                                     errno == ENOENT ? "no such file or directory" : strerror (errno));
          /* U would give the whole host away.  */
          if (m->chown && strcmp (m->source, "/") == 0)
            return ferry_make_error (
                err, 0,
                "refusing --mount U on the host's root `/`: it would give every host file "
                "to the container's user; bind a directory of its own");
          mj = mount_json ("bind", m->source, m->destination, m->readonly, 0);
        }
      else if (strcmp (m->type, "volume") == 0)
        {
          if (m->source && ! ferry_volume_name_is_valid (m->source))
            return ferry_make_error (
                err, 0, "invalid volume name `%s`: use letters, digits, `_`, `.` and `-`", m->source);
          if (m->subpath && ! ferry_path_is_clean_relative (m->subpath))
            return ferry_make_error (err, 0, "subpath \"%s\" is outside of the volume: name a path inside it",
                                     m->subpath);
          mj = mount_json ("volume", m->source, m->destination, m->readonly, m->source == NULL);
          /* A part of a volume is not filled from the image, as with Podman.  */
          if (m->nocopy || m->subpath)
            json_object_object_add (mj, "NoCopy", json_object_new_boolean (1));
        }
      else if (strcmp (m->type, "image") == 0)
        {
          if (m->subpath && ! ferry_path_is_clean_relative (m->subpath))
            return ferry_make_error (err, 0, "subpath \"/%s\" is outside of the image: name a path inside it",
                                     m->subpath);
          if (ferry_image_mount_record (e, m, &mj, err) < 0)
            return -1;
        }
      else
        mj = mount_json (m->type, NULL, m->destination, m->readonly, 0);
      mount_json_add_options (mj, m);
      json_object_array_add (mounts, mj);
    }
  for (i = 0; o->tmpfs && o->tmpfs[i]; i++)
    if (record_tmpfs (mounts, o->tmpfs[i], err) < 0)
      return -1;
  if (o->volumes_from && o->volumes_from[0])
    {
      json_object *from = json_object_new_array ();
      for (i = 0; o->volumes_from[i]; i++)
        json_object_array_add (from, json_object_new_string (o->volumes_from[i]));
      json_object_object_add (rec, "VolumesFrom", from);
      if (ferry_volumes_from_resolve (e, o->volumes_from, mounts, o->warn, err) < 0)
        return -1;
    }
  /* Podman 5.4 refuses bind too, whatever its manual says.  */
  if (image_volume && *image_volume && strcmp (image_volume, "anonymous") != 0
      && strcmp (image_volume, "tmpfs") != 0 && strcmp (image_volume, "ignore") != 0)
    return ferry_make_error (
        err, 0, "invalid image volume mode \"%s\" required value: anonymous, tmpfs, ignore", image_volume);
  if (image_volumes && ! (image_volume && strcmp (image_volume, "ignore") == 0))
    {
      int tmpfs = image_volume && strcmp (image_volume, "tmpfs") == 0;
      json_object_object_foreach (image_volumes, dst, unused)
      {
        json_object *mj;

        (void) unused;
        if (mounts_have_destination (mounts, dst) || ! clean_destination (dst))
          continue;

        if (tmpfs)
          mj = mount_json ("tmpfs", NULL, dst, 0, 0);
        else
          {
            /* Podman's options for an image's VOLUME: its files may be
               * run, as the image's own are.  */
            json_object *opts = json_object_new_array ();
            mj = mount_json ("volume", NULL, dst, 0, 1);
            json_object_array_add (opts, json_object_new_string ("nodev"));
            json_object_array_add (opts, json_object_new_string ("exec"));
            json_object_array_add (opts, json_object_new_string ("nosuid"));
            json_object_object_add (mj, "Options", opts);
          }
        json_object_array_add (mounts, mj);
      }
    }
  return 0;
}

/* NAMES (as typed) checked and kept as KEY: only when there are any, so
 * that records without them read as before.  */
static int
record_capabilities (json_object *rec, const char *key, char **names, ferry_error_t *err)
{
  json_object *list;

  if (names == NULL || names[0] == NULL)
    return 0;
  list = json_object_new_array ();
  json_object_object_add (rec, key, list);
  for (size_t i = 0; names[i]; i++)
    {
      char *kept = ferry_spec_capability_name (names[i]);
      if (kept == NULL)
        return ferry_make_error (
            err, 0,
            "\"CAP_%s\": unknown capability: give --cap-add and --cap-drop a name such as NET_ADMIN, or ALL",
            strncasecmp (names[i], "CAP_", 4) == 0 ? names[i] + 4 : names[i]);
      json_object_array_add (list, json_object_new_string (kept));
      free (kept);
    }
  return 0;
}

static int
parse_ulimit (const char *text, struct ferry_spec_rlimit *l, ferry_error_t *err)
{
  if (ferry_spec_parse_ulimit (text, l) == 0)
    return 0;
  return ferry_make_error (
      err, 0,
      "ulimit option \"%s\" requires name=SOFT:HARD, failed to be parsed: use --ulimit "
      "NAME=SOFT[:HARD] with "
      "a limit such as nofile, nproc or memlock, -1 for unlimited, and soft no more than "
      "hard, or host",
      text);
}

/* Where --ulimit host is in TEXTS: as in Podman, the limits given before
 * it must parse, and then none given counts (the container keeps what it
 * would get without --ulimit).  -1 when it is not there, -2 when one
 * before it does not parse.  */
static ssize_t
ulimit_host_at (char **texts, ferry_error_t *err)
{
  for (size_t i = 0; texts && texts[i]; i++)
    {
      struct ferry_spec_rlimit l;

      if (strcmp (texts[i], "host") == 0)
        return (ssize_t) i;
      if (parse_ulimit (texts[i], &l, err) < 0)
        return -2;
    }
  return -1;
}

static int
record_ulimits (json_object *rec, char **texts, ferry_error_t *err)
{
  json_object *list;

  if (texts == NULL || texts[0] == NULL)
    return 0;
  list = json_object_new_array ();
  json_object_object_add (rec, "Ulimits", list);
  for (size_t i = 0; texts[i]; i++)
    {
      struct ferry_spec_rlimit l;
      json_object *o;

      if (parse_ulimit (texts[i], &l, err) < 0)
        return -1;
      o = json_object_new_object ();
      json_object_object_add (o, "Name", json_object_new_string (l.type));
      json_object_object_add (o, "Soft", json_object_new_int64 (l.soft));
      json_object_object_add (o, "Hard", json_object_new_int64 (l.hard));
      json_object_array_add (list, o);
    }
  return 0;
}

struct ferry_spec_rlimit *
ferry_container_record_rlimits (json_object *rec, size_t *n)
{
  json_object *list = ferry_json_get_array (rec, "Ulimits");
  size_t count = ferry_json_array_length (list), i;
  struct ferry_spec_rlimit *out = xmalloc0 (sizeof (*out) * (count + 1));

  *n = 0;
  for (i = 0; i < count; i++)
    {
      json_object *o = json_object_array_get_idx (list, i);
      const char *type = ferry_json_get_string (o, "Name");

      if (type == NULL || ! ferry_spec_rlimit_known (type))
        continue;
      snprintf (out[*n].type, sizeof (out[*n].type), "%s", type);
      out[*n].soft = ferry_json_get_int (o, "Soft", -1);
      out[*n].hard = ferry_json_get_int (o, "Hard", -1);
      (*n)++;
    }
  return out;
}

/* [{ "PathOnHost", "PathInContainer", "CgroupPermissions" }], as Podman's
 * inspect shows them; each host path must be a device node now.  */
/* Podman's default: the host's cgroup namespace on cgroups v1 and hybrid
 * hosts (whatever containers.conf says there); on v2 alone, what its
 * cgroupns says (the container's own by default).  */
static int
cgroupns_host (ferry_engine_t *e, enum ferry_cgroupns mode, ferry_error_t *err)
{
  if (mode == FERRY_CGROUPNS_DEFAULT)
    return ferry_config_cgroupns_host (&e->config, ferry_resources_cgroup2_only (), err);
  return mode == FERRY_CGROUPNS_HOST;
}

/* --cgroupns: "host" or "container:ID" in the record (by ID, which
 * outlives a rename); nothing for one of its own.  */
static int
record_cgroupns (ferry_engine_t *e, const struct ferry_create_options *o, json_object *rec,
                 ferry_error_t *err)
{
  struct ferry_container *peer = NULL;
  cleanup_free char *mode = NULL;

  if (o->cgroupns != FERRY_CGROUPNS_CONTAINER)
    switch (cgroupns_host (e, o->cgroupns, err))
      {
      case -1:
        return -1;
      case 1:
        json_object_object_add (rec, "CgroupNs", json_object_new_string ("host"));
        return 0;
      default:
        return 0;
      }
  if (ferry_container_lookup (e, o->cgroupns_container, &peer, err) < 0)
    return ferry_error_wrap (err, "looking up container to share cgroup namespace with");
  mode = xasprintf ("container:%s", peer->id);
  ferry_container_free (peer);
  json_object_object_add (rec, "CgroupNs", json_object_new_string (mode));
  return 0;
}

static int
record_devices (json_object *rec, char **texts, ferry_error_t *err)
{
  json_object *list;

  if (texts == NULL || texts[0] == NULL)
    return 0;
  list = json_object_new_array ();
  json_object_object_add (rec, "Devices", list);
  for (size_t i = 0; texts[i]; i++)
    {
      cleanup_free char *host = NULL, *container = NULL;
      struct ferry_spec_device d;
      char access[4];
      json_object *o;

      /* A CDI device's name: engine/cdi.h's.  */
      if (ferry_cdi_is_qualified_name (texts[i]))
        continue;
      if (ferry_spec_parse_device (texts[i], &host, &container, access) < 0 || ! clean_destination (host)
          || ! clean_destination (container) || strcmp (container, "/") == 0)
        return ferry_make_error (err, 0,
                                 "invalid --device `%s`: use HOST[:CONTAINER][:PERMISSIONS] with absolute "
                                 "paths and permissions made of r, w and m",
                                 texts[i]);
      for (size_t j = 0; j < json_object_array_length (list); j++)
        if (ferry_json_string_equals (json_object_array_get_idx (list, j), "PathInContainer", container))
          return ferry_make_error (err, 0, "invalid --device `%s`: the container already gets a device at %s",
                                   texts[i], container);
      if (ferry_spec_device_from_path (host, container, access, &d, err) < 0)
        return -1;
      free (d.path);
      o = json_object_new_object ();
      json_object_object_add (o, "PathOnHost", json_object_new_string (host));
      json_object_object_add (o, "PathInContainer", json_object_new_string (container));
      json_object_object_add (o, "CgroupPermissions", json_object_new_string (access));
      json_object_array_add (list, o);
    }
  if (json_object_array_length (list) == 0)
    json_object_object_del (rec, "Devices");
  return 0;
}

/* containers.conf's default_sysctls (checked when it was read) that apply
 * to the container, as Podman applies them: none that --sysctl names, no
 * net.* one where it shares another's network namespace (the host's or a
 * container's), no IPC one where it shares another's IPC namespace.
 * Recorded apart from --sysctl's, which inspect shows.  */
static void
record_default_sysctls (json_object *rec, char **defaults, char **given)
{
  const char *network = ferry_json_get_string (rec, "Network");
  const char *ipc = ferry_json_get_string (rec, "IpcMode");
  bool shared_net = network && (strcmp (network, "host") == 0 || strncmp (network, "container:", 10) == 0);
  bool shared_ipc = ipc && (strcmp (ipc, "host") == 0 || strncmp (ipc, "container:", 10) == 0);
  json_object *map = json_object_new_object ();

  for (size_t i = 0; defaults && defaults[i]; i++)
    {
      const char *eq = strchr (defaults[i], '=');
      cleanup_free char *name = eq ? xstrndup (defaults[i], eq - defaults[i]) : NULL;
      enum ferry_sysctl_namespace ns = name ? ferry_spec_sysctl_namespace (name) : FERRY_SYSCTL_REFUSED;
      bool named = false;

      for (size_t j = 0; name && given && given[j] && ! named; j++)
        named = strncmp (given[j], name, strlen (name)) == 0 && given[j][strlen (name)] == '=';
      if (ns == FERRY_SYSCTL_REFUSED || named || (ns == FERRY_SYSCTL_NET && shared_net)
          || (ns == FERRY_SYSCTL_IPC && shared_ipc))
        continue;
      json_object_object_add (map, name, json_object_new_string (eq + 1));
    }
  if (json_object_object_length (map) > 0)
    json_object_object_add (rec, "DefaultSysctls", map);
  else
    json_object_put (map);
}

/* Only the namespaced sysctls, as Podman allows them: the network's
 * when the container has its own network namespace, the IPC one's.  */
static int
record_sysctls (json_object *rec, char **texts, int host_network, ferry_error_t *err)
{
  json_object *map;

  if (texts == NULL || texts[0] == NULL)
    return 0;
  map = json_object_new_object ();
  json_object_object_add (rec, "Sysctls", map);
  for (size_t i = 0; texts[i]; i++)
    {
      const char *eq = strchr (texts[i], '=');
      cleanup_free char *name = eq ? xstrndup (texts[i], eq - texts[i]) : NULL;
      enum ferry_sysctl_namespace ns;

      if (name == NULL || ! ferry_spec_sysctl_value_is_valid (eq + 1))
        return ferry_make_error (
            err, 0, "invalid --sysctl `%s`: use NAME=VALUE, such as net.ipv4.ip_forward=1", texts[i]);
      ns = ferry_spec_sysctl_namespace (name);
      if (ns == FERRY_SYSCTL_REFUSED)
        return ferry_make_error (
            err, 0,
            "sysctl `%s` is not allowed: a container may set only namespaced ones (net.*, "
            "kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*)",
            name);
      if (ns == FERRY_SYSCTL_NET && host_network)
        return ferry_make_error (err, 0,
                                 "sysctl `%s` cannot be set with --network host: the container shares the "
                                 "host's network namespace",
                                 name);
      json_object_object_add (map, name, json_object_new_string (eq + 1));
    }
  return 0;
}

/* Clean absolute paths, kept as KEY.  */
static int
record_masks (json_object *rec, char **mask, char **unmask, ferry_error_t *err)
{
  json_object *list;

  if (mask && mask[0])
    {
      list = json_object_new_array ();
      json_object_object_add (rec, "Mask", list);
      for (size_t i = 0; mask[i]; i++)
        {
          if (! clean_destination (mask[i]) || strcmp (mask[i], "/") == 0)
            return ferry_make_error (
                err, 0, "invalid --security-opt mask path `%s`: give absolute paths without `.` or `..`",
                mask[i]);
          json_object_array_add (list, json_object_new_string (mask[i]));
        }
    }
  if (unmask && unmask[0])
    {
      list = json_object_new_array ();
      json_object_object_add (rec, "Unmask", list);
      for (size_t i = 0; unmask[i]; i++)
        {
          if (strcasecmp (unmask[i], "ALL") == 0)
            {
              /* ALL covers any other.  */
              json_object_array_del_idx (list, 0, json_object_array_length (list));
              json_object_array_add (list, json_object_new_string ("ALL"));
              return 0;
            }
          if (! ferry_mask_pattern_is_valid (unmask[i]))
            return ferry_make_error (
                err, 0, "invalid --security-opt unmask path `%s`: give ALL, or absolute paths or patterns",
                unmask[i]);
          json_object_array_add (list, json_object_new_string (unmask[i]));
        }
    }
  return 0;
}

int
ferry_mask_pattern_is_valid (const char *pattern)
{
  size_t n = strlen (pattern);

  if (n < 2 || n > 4096 || pattern[0] != '/')
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char) pattern[i] < ' ' || pattern[i] == 0x7f)
      return 0;
  return 1;
}

int
ferry_hostname_is_valid (const char *name)
{
  size_t i, n = strlen (name);

  for (i = 0; i < n && (unsigned char) name[i] > ' ' && name[i] != 0x7f; i++)
    ;
  return n > 0 && n <= FERRY_HOSTNAME_MAX && i == n;
}

/* Seccomp goes into the record only when not the default, so that the
 * archives of default containers restore on ferry versions before it.
 * A profile of the user's own travels in the record, checked now.  */
static int
record_seccomp (const struct ferry_create_options *o, json_object *rec, ferry_error_t *err)
{
  cleanup_json json_object *profile = NULL, *oci = NULL;

  if (o->seccomp == NULL)
    return 0;
  if (strcmp (o->seccomp, "unconfined") == 0)
    {
      json_object_object_add (rec, "Seccomp", json_object_new_string ("unconfined"));
      return 0;
    }
  profile = ferry_seccomp_profile_load (o->seccomp, err);
  if (profile == NULL)
    return -1;
  {
    cleanup_free char *what = xasprintf ("seccomp profile `%s`", o->seccomp);
    oci = ferry_seccomp_to_oci (profile, NULL, what, err);
  }
  if (oci == NULL)
    return -1;
  json_object_object_add (rec, "Seccomp", json_object_get (profile));
  return 0;
}

/* Podman's network modes, which a second --network cannot name.  */
static const char *const network_modes[]
    = { "bridge", "none", "host", "private", "default", "ns", "container", "slirp4netns", "pasta", NULL };

/* One network, NAME[:OPTIONS] (netopts.h), into NETS; a later one for
 * the same network replaces it, as in Podman.  */
static int
record_network_one (json_object *nets, const char *text, ferry_error_t *err)
{
  const char *colon = strchr (text, ':');
  cleanup_free char *name = colon ? xstrndup (text, (size_t) (colon - text)) : xstrdup (text);
  /* "default" is the default network too, as in Podman.  */
  const char *real
      = strcmp (name, "bridge") == 0 || strcmp (name, "default") == 0 ? FERRY_DEFAULT_NETWORK : name;
  json_object *att;

  if (*name == '\0')
    return ferry_make_error (err, 0, "network name cannot be empty: give --network NAME[:OPTIONS]");
  if (! ferry_network_name_is_valid (real) && strcmp (real, FERRY_DEFAULT_NETWORK) != 0)
    {
      /* Podman's words: it looks such a name up, and finds none.  */
      cleanup_free char *q = ferry_error_quotable (name, 128);
      return ferry_make_error (err, 0,
                               "unable to find network with name or ID %s: network not found: give none, "
                               "host, bridge or the names of networks (ferry network ls), each with :OPTIONS "
                               "if wanted",
                               q);
    }
  att = json_object_new_object ();
  json_object_object_add (nets, real, att);
  return colon ? ferry_network_attach_parse (real, colon + 1, att, err) : 0;
}

/* The first of --ip, --ip6 and --mac-address given, for Podman's words.  */
static const char *
static_flag (const struct ferry_create_options *o)
{
  return o->ip ? "--ip" : o->ip6 ? "--ip6" : o->mac ? "--mac-address" : NULL;
}

/* "Network": "bridge" and "Networks": { NAME: attachment } for FIRST
 * (the first --network: "bridge" for the default network, names
 * comma-separated, or one NAME:OPTIONS) and O's more_networks (each
 * NAME[:OPTIONS]), with --ip, --ip6 and --mac-address on the one network
 * as Podman merges them: an address given in the options first counts,
 * --mac-address wins.  */
static int
record_networks (json_object *rec, const char *first, const struct ferry_create_options *o,
                 ferry_error_t *err)
{
  json_object *nets = json_object_new_object ();

  json_object_object_add (rec, "Network", json_object_new_string ("bridge"));
  json_object_object_add (rec, "Networks", nets);
  /* A network namespace of its own: for root, Podman's is the bridge.  */
  if (strcmp (first, "private") == 0)
    first = "bridge";
  if (strchr (first, ':'))
    {
      if (record_network_one (nets, first, err) < 0)
        return -1;
    }
  else
    {
      cleanup_free char *copy = xstrdup (first);
      char *save = NULL, *name;

      /* Comma-separated, Podman's older form, without options.  */
      for (name = strtok_r (copy, ",", &save); name; name = strtok_r (NULL, ",", &save))
        if (record_network_one (nets, name, err) < 0)
          return -1;
    }
  for (size_t i = 0; o->more_networks && o->more_networks[i]; i++)
    {
      const char *text = o->more_networks[i];
      size_t n = strcspn (text, ":");

      for (size_t m = 0; network_modes[m]; m++)
        if (strlen (network_modes[m]) == n && strncmp (text, network_modes[m], n) == 0)
          return ferry_make_error (err, 0,
                                   "can only set extra network names, selected mode %s conflicts with "
                                   "bridge: give the network modes in the first --network",
                                   network_modes[m]);
      if (record_network_one (nets, text, err) < 0)
        return -1;
    }
  if (json_object_object_length (nets) == 0)
    return ferry_make_error (err, 0, "--network `%s` names no network", first);
  if (static_flag (o) && json_object_object_length (nets) != 1)
    return ferry_make_error (
        err, 0,
        "%s can only be set for a single network: give --network NAME:ip=ADDRESS,mac=MAC "
        "for each network instead",
        static_flag (o));
  json_object_object_foreach (nets, k, att)
  {
    if (o->ip && ! ferry_json_get_string (att, "IP"))
      json_object_object_add (att, "IP", json_object_new_string (o->ip));
    if (o->ip6 && ! ferry_json_get_string (att, "IPv6"))
      json_object_object_add (att, "IPv6", json_object_new_string (o->ip6));
    if (o->mac)
      json_object_object_add (att, "MAC", json_object_new_string (o->mac));
    json_object_object_foreach (nets, other, oatt)
    {
      const char *iface = ferry_json_get_string (att, "Interface");
      const char *host
          = ferry_json_get_string (ferry_json_get_object (att, "Options"), "host_interface_name");
      if (strcmp (other, k) != 0 && iface && ferry_json_string_equals (oatt, "Interface", iface))
        return ferry_make_error (err, 0,
                                 "network interface name \"%s\" is already assigned to another network: "
                                 "give each network its own interface_name",
                                 iface);
      /* netavark would make the first network's end and fail at the
       * second's, leaving the first's bridge on the host.  */
      if (strcmp (other, k) != 0 && host
          && ferry_json_string_equals (ferry_json_get_object (oatt, "Options"), "host_interface_name", host))
        return ferry_make_error (err, 0,
                                 "host interface name \"%s\" is given to networks %s and %s: give each "
                                 "network its own host_interface_name",
                                 host, k, other);
    }
  }
  return 0;
}

/* A host_interface_name of REC's networks that is the bridge of a network
 * of this root: the container's end of the pair would take the bridge's
 * name while the network has no bridge up, and that network's containers
 * then fail to start ("already exists but is a Veth interface") for as
 * long as it runs.  */
static int
check_host_interfaces (ferry_engine_t *e, json_object *rec, ferry_error_t *err)
{
  json_object *nets = ferry_json_get_object (rec, "Networks");
  cleanup_json json_object *defs = NULL;
  int have_defs = 0;

  json_object_object_foreach (nets, name, att)
  {
    const char *host = ferry_json_get_string (ferry_json_get_object (att, "Options"), "host_interface_name");

    if (host == NULL)
      continue;
    if (! have_defs && ferry_network_list (e, &defs, err) < 0)
      return -1;
    have_defs = 1;
    for (size_t i = 0; i < json_object_array_length (defs); i++)
      {
        json_object *def = json_object_array_get_idx (defs, i);

        if (ferry_json_string_equals (def, "network_interface", host))
          return ferry_make_error (err, 0,
                                   "host interface name \"%s\" is the bridge of network %s: give network %s "
                                   "a host_interface_name that no network's bridge has",
                                   host, ferry_json_get_string (def, "name"), name);
      }
  }
  return 0;
}

/* "Expose": the ports of --expose and the image's, as Podman shows them
 * (Config.ExposedPorts), sorted.  */
static int
record_expose (json_object *rec, char **expose, json_object *image_config, ferry_error_t *err)
{
  cleanup_json json_object *list = json_object_new_array ();
  json_object *exposed = ferry_json_get_object (image_config, "ExposedPorts");

  if (exposed)
    {
      json_object_object_foreach (exposed, spec, unused)
      {
        cleanup_error ferry_error_t ignored = NULL;
        (void) unused;
        /* An image's odd one is left to -P's own check.  */
        ferry_ports_expose_parse (spec, list, &ignored);
      }
    }
  for (size_t i = 0; expose && expose[i]; i++)
    if (ferry_ports_expose_parse (expose[i], list, err) < 0)
      return -1;
  if (json_object_array_length (list))
    json_object_object_add (rec, "Expose", steal_pointer (&list));
  return 0;
}

/* A network mode with no ports of its own to publish: none, host, or
 * another's namespace.  */
static int
netns_unreachable (const char *mode)
{
  return strcmp (mode, "none") == 0 || strcmp (mode, "host") == 0 || strncmp (mode, "container:", 10) == 0
         || strncmp (mode, "ns:", 3) == 0;
}

/* "Ports": the -p mappings and, with -P, the image's exposed ports, each
 * with a host port (free ones where none was given).  Needs a bridge
 * network: with none there is nothing to reach, with host the container's
 * own ports are the host's.  */
static int
record_ports (json_object *rec, const struct ferry_create_options *o, json_object *image_config,
              ferry_error_t *err)
{
  cleanup_json json_object *ports = json_object_new_array ();
  json_object *exposed = ferry_json_get_object (image_config, "ExposedPorts");

  if ((o->publish == NULL || o->publish[0] == NULL) && ! o->publish_all)
    return 0;
  if (! ferry_network_record_bridged (rec))
    return ferry_make_error (err, 0,
                             "-p/--publish and -P need a bridge network (--network bridge or a network's "
                             "name), not `%s`",
                             ferry_json_get_string (rec, "Network"));
  if (o->publish_all)
    json_object_object_add (rec, "PublishAllPorts", json_object_new_boolean (1));
  for (size_t i = 0; o->publish && o->publish[i]; i++)
    if (ferry_ports_parse (o->publish[i], ports, err) < 0)
      return -1;
  if (o->publish_all && exposed)
    {
      json_object_object_foreach (exposed, spec, unused)
      {
        (void) unused;
        /* "80/tcp": on a free host port.  */
        if (ferry_ports_parse (spec, ports, err) < 0)
          return ferry_error_wrap (err, "the image exposes a port ferry cannot publish");
      }
    }
  /* --expose's too, as Podman's -P publishes them.  */
  for (size_t i = 0; o->publish_all && i < ferry_json_array_length (ferry_json_get_array (rec, "Expose"));
       i++)
    {
      const char *spec
          = json_object_get_string (json_object_array_get_idx (ferry_json_get_array (rec, "Expose"), i));
      if (exposed && json_object_object_get_ex (exposed, spec, NULL))
        continue;
      if (ferry_ports_parse (spec, ports, err) < 0)
        return ferry_error_wrap (err, "--expose %s", spec);
    }
  if (ferry_ports_assign (ports, err) < 0)
    return -1;
  for (size_t i = 0; i < json_object_array_length (ports); i++)
    for (size_t j = 0; j < i; j++)
      {
        json_object *a = json_object_array_get_idx (ports, i), *b = json_object_array_get_idx (ports, j);

        if (ferry_ports_overlap (a, b))
          return ferry_make_error (err, 0, "host port %lld/%s is published twice",
                                   (long long) ferry_json_get_int (a, "host_port", 0),
                                   ferry_json_get_string (a, "protocol"));
      }
  json_object_object_add (rec, "Ports", steal_pointer (&ports));
  return 0;
}

/* ARG as an error may quote it: on one line, control characters as `?`.  */
static char *
one_line (const char *arg)
{
  char *out = xstrdup (arg);

  for (char *p = out; *p; p++)
    if ((unsigned char) *p < ' ' || *p == 0x7f)
      *p = '?';
  return out;
}

/* --dns: addresses in canonical form, or "none" alone
 * (UseImageResolvConf, as Podman names it).  */
static int
record_dns_servers (json_object *rec, char **dns, ferry_error_t *err)
{
  json_object *list;
  size_t i;

  if (ferry_strv_length (dns) == 0)
    return 0;
  for (i = 0; dns[i]; i++)
    if (strcmp (dns[i], "none") == 0)
      {
        if (ferry_strv_length (dns) > 1)
          return ferry_make_error (err, 0,
                                   "--dns none is not allowed with other DNS servers: give one or the "
                                   "other");
        json_object_object_add (rec, "UseImageResolvConf", json_object_new_boolean (1));
        return 0;
      }
  list = json_object_new_array ();
  json_object_object_add (rec, "Dns", list);
  for (i = 0; dns[i]; i++)
    {
      char ip[FERRY_IP_TEXT_MAX];

      if (ferry_dns_ip_canonical (dns[i], ip) < 0)
        {
          cleanup_free char *q = one_line (dns[i]);
          return ferry_make_error (err, 0, "invalid --dns `%s`: give an IPv4 or IPv6 address, or none", q);
        }
      json_object_array_add (list, json_object_new_string (ip));
    }
  return 0;
}

static int
record_dns_search (json_object *rec, char **search, ferry_error_t *err)
{
  json_object *list;

  if (ferry_strv_length (search) == 0)
    return 0;
  list = json_object_new_array ();
  json_object_object_add (rec, "DnsSearch", list);
  for (size_t i = 0; search[i]; i++)
    {
      if (strcmp (search[i], ".") == 0 && ferry_strv_length (search) > 1)
        return ferry_make_error (err, 0,
                                 "--dns-search . (no search domains) is not allowed with other "
                                 "domains: give one or the other");
      if (strcmp (search[i], ".") != 0 && ! ferry_dns_name_is_valid (search[i]))
        {
          cleanup_free char *q = one_line (search[i]);
          return ferry_make_error (
              err, 0, "invalid --dns-search `%s`: give a domain name such as example.com, or . for none", q);
        }
      json_object_array_add (list, json_object_new_string (search[i]));
    }
  return 0;
}

static int
record_dns_options (json_object *rec, char **options, ferry_error_t *err)
{
  json_object *list;

  if (ferry_strv_length (options) == 0)
    return 0;
  list = json_object_new_array ();
  json_object_object_add (rec, "DnsOptions", list);
  for (size_t i = 0; options[i]; i++)
    {
      if (! ferry_dns_option_is_valid (options[i]))
        {
          cleanup_free char *q = one_line (options[i]);
          return ferry_make_error (
              err, 0, "invalid --dns-option `%s`: give a resolv.conf option such as ndots:2 or edns0", q);
        }
      json_object_array_add (list, json_object_new_string (options[i]));
    }
  return 0;
}

static int
record_extra_hosts (json_object *rec, char **hosts, int bridged, ferry_error_t *err)
{
  json_object *list;

  if (ferry_strv_length (hosts) == 0)
    return 0;
  list = json_object_new_array ();
  json_object_object_add (rec, "ExtraHosts", list);
  for (size_t i = 0; hosts[i]; i++)
    {
      char *entry = ferry_host_entry_canonical (hosts[i]);
      const char *colon = strchr (hosts[i], ':');

      if (entry == NULL)
        {
          cleanup_free char *q = one_line (hosts[i]);
          const char *ip = colon ? colon + 1 : NULL;
          unsigned char addr[16];

          /* Podman's words for no colon and for an IP that is none.  */
          if (ip == NULL)
            return ferry_make_error (
                err, 0,
                "bad format for add-host: \"%s\": use --add-host HOST:IP (HOST a host name, several "
                "joined by `;`; IP an address or host-gateway)",
                q);
          if (strcmp (ip, FERRY_HOST_GATEWAY) != 0 && inet_pton (AF_INET, ip, addr) != 1
              && inet_pton (AF_INET6, ip, addr) != 1)
            {
              cleanup_free char *qip = one_line (ip);
              return ferry_make_error (
                  err, 0,
                  "invalid IP address in add-host: \"%s\": use --add-host HOST:IP (IP an address or "
                  "host-gateway)",
                  qip);
            }
          return ferry_make_error (
              err, 0,
              "invalid --add-host `%s`: use HOST:IP (HOST a host name, several joined by "
              "`;`; IP an address or host-gateway)",
              q);
        }
      json_object_array_add (list, json_object_new_string (entry));
      free (entry);
      if (! bridged && strcmp (colon + 1, FERRY_HOST_GATEWAY) == 0)
        return ferry_make_error (err, 0,
                                 "--add-host `%s`: host-gateway is the gateway of a bridge network: use "
                                 "--network NAME, or give an address",
                                 hosts[i]);
    }
  return 0;
}

/* --network-alias: names of the container on each of its networks, which
 * aardvark-dns answers for.  */
static int
record_aliases (json_object *rec, char **aliases, int bridged, ferry_error_t *err)
{
  json_object *nets = ferry_json_get_object (rec, "Networks");

  if (ferry_strv_length (aliases) == 0)
    return 0;
  if (! bridged)
    return ferry_make_error (err, 0,
                             "--network-alias can only be set when the network mode is bridge: use --network "
                             "NAME");
  for (size_t i = 0; aliases[i]; i++)
    if (! ferry_dns_name_is_valid (aliases[i]) || aliases[i][strlen (aliases[i]) - 1] == '.')
      {
        cleanup_free char *q = one_line (aliases[i]);
        return ferry_make_error (
            err, 0, "invalid --network-alias `%s`: give a host name (letters, digits, `-`, dot-separated)",
            q);
      }
  json_object_object_foreach (nets, name, att)
  {
    json_object *list = json_object_new_array ();

    (void) name;
    for (size_t i = 0; aliases[i]; i++)
      json_object_array_add (list, json_object_new_string (aliases[i]));
    json_object_object_add (att, "Aliases", list);
  }
  return 0;
}

/* What goes into /etc/resolv.conf and /etc/hosts, and the names on the
 * networks: checked as Podman checks them.  */
static int
record_name_resolution (const struct ferry_create_options *o, json_object *rec, ferry_error_t *err)
{
  int bridged = ferry_json_string_equals (rec, "Network", "bridge");

  if (record_dns_servers (rec, o->dns, err) < 0 || record_dns_search (rec, o->dns_search, err) < 0
      || record_dns_options (rec, o->dns_options, err) < 0)
    return -1;
  if (json_object_object_get (rec, "UseImageResolvConf")
      && (json_object_object_get (rec, "DnsSearch") || json_object_object_get (rec, "DnsOptions")))
    return ferry_make_error (err, 0,
                             "--dns-search and --dns-option need ferry's /etc/resolv.conf, which --dns none "
                             "leaves out: give one or the other");
  /* Without a network there is no resolver to name: the image's
   * resolv.conf stays, as in Podman.  Recorded, so that containers and
   * archives made before, whose checkpoints have ferry's bound, keep it.
   * (ferry.conf's netns = "none" takes the DNS options that Podman's
   * --network none refuses: then they are written.)  */
  if (ferry_json_string_equals (rec, "Network", "none") && ! json_object_object_get (rec, "Dns")
      && ! json_object_object_get (rec, "DnsSearch") && ! json_object_object_get (rec, "DnsOptions"))
    json_object_object_add (rec, "UseImageResolvConf", json_object_new_boolean (1));
  if (o->no_hosts && ferry_strv_length (o->add_hosts))
    return ferry_make_error (err, 0,
                             "--no-hosts and --add-host cannot be set together: --no-hosts keeps the image's "
                             "/etc/hosts, which ferry does not add to");
  if (o->no_hosts)
    json_object_object_add (rec, "UseImageHosts", json_object_new_boolean (1));
  if (record_extra_hosts (rec, o->add_hosts, bridged, err) < 0)
    return -1;
  return record_aliases (rec, o->network_aliases, bridged, err);
}

/* --annotation K=V...: the spec's annotations, in the record's
 * "Annotations" (only when given).  */
static void
record_annotations (json_object *rec, char **texts)
{
  json_object *ann;

  if (texts == NULL || texts[0] == NULL)
    return;
  ann = json_object_new_object ();
  for (size_t i = 0; texts[i]; i++)
    {
      const char *eq = strchr (texts[i], '=');
      cleanup_free char *key = eq ? xstrndup (texts[i], eq - texts[i]) : xstrdup (texts[i]);
      json_object_object_add (ann, key, json_object_new_string (eq ? eq + 1 : ""));
    }
  json_object_object_add (rec, "Annotations", ann);
}

int
ferry_timezone_is_valid (const char *tz)
{
  cleanup_free char *path = NULL;
  struct stat st;

  if (strcmp (tz, "local") == 0)
    return 1;
  if (tz[0] == '\0' || tz[0] == '/' || strchr (tz, '\n') || ! ferry_path_is_clean_relative (tz))
    return 0;
  path = xasprintf (FERRY_ZONEINFO_DIR "/%s", tz);
  return stat (path, &st) == 0 && S_ISREG (st.st_mode);
}

/* A file of the user's on the host (FLAG's), as an absolute path without
 * `.`, `..` or links in its directory, which must exist; NULL and ERR
 * otherwise.  */
static char *
host_file_path (const char *flag, const char *path, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (path);
  char *slash = strrchr (copy, '/');
  const char *dir = slash == NULL ? "." : slash == copy ? "/" : copy;
  const char *base = slash ? slash + 1 : copy;
  char real[PATH_MAX];

  if (slash)
    *slash = '\0';
  if (*base == '\0' || strcmp (base, ".") == 0 || strcmp (base, "..") == 0 || strchr (path, '\n'))
    {
      ferry_make_error (err, 0, "invalid %s `%s`: give the path of a file", flag, path);
      return NULL;
    }
  if (realpath (dir, real) == NULL)
    {
      ferry_make_error (err, errno, "invalid %s `%s`: cannot find its directory `%s`", flag, path, dir);
      return NULL;
    }
  return xasprintf ("%s%s%s", real, strcmp (real, "/") == 0 ? "" : "/", base);
}

/* --restart POLICY: "RestartPolicy" (absent for no) and, for on-failure,
 * "RestartRetries" (0: no limit), as Podman's policies; "RestartPolicyNo"
 * when no (or never) was given, which Podman's filter tells from none.  */
static int
record_restart_policy (const struct ferry_create_options *o, json_object *rec, ferry_error_t *err)
{
  const char *colon;
  cleanup_free char *name = NULL;
  long long retries = 0;

  if (o->restart == NULL)
    return 0;
  colon = strchr (o->restart, ':');
  name = colon ? xstrndup (o->restart, colon - o->restart) : xstrdup (o->restart);
  if (colon && strcmp (name, "on-failure") != 0)
    return ferry_make_error (err, 0,
                             "invalid --restart `%s`: restart policy retries can only be specified with "
                             "on-failure (on-failure:N)",
                             o->restart);
  if (colon)
    {
      char *end;
      errno = 0;
      retries = strtoll (colon + 1, &end, 10);
      if (colon[1] == '\0' || *end != '\0' || errno || retries < 0 || retries > INT32_MAX)
        return ferry_make_error (err, 0,
                                 "parsing restart policy retry count: invalid --restart `%s`: give the retry "
                                 "count of on-failure:N as a number of 0 or more",
                                 o->restart);
    }
  if (strcmp (name, "no") == 0 || strcmp (name, "never") == 0)
    json_object_object_add (rec, "RestartPolicyNo", json_object_new_boolean (1));
  if (strcmp (name, "no") == 0 || strcmp (name, "never") == 0 || *name == '\0')
    return 0;
  if (strcmp (name, "always") != 0 && strcmp (name, "unless-stopped") != 0
      && strcmp (name, "on-failure") != 0)
    return ferry_make_error (err, 0,
                             "running container create option: \"%s\" is not a valid restart policy: invalid "
                             "argument: use --restart no, always, on-failure[:N] or unless-stopped",
                             name);
  if (o->auto_remove)
    return ferry_make_error (err, 0,
                             "the --rm option conflicts with --restart, when the restartPolicy is not \"\" "
                             "and \"no\": give one of them");
  json_object_object_add (rec, "RestartPolicy", json_object_new_string (name));
  if (retries > 0)
    json_object_object_add (rec, "RestartRetries", json_object_new_int ((int) retries));
  return 0;
}

/* --log-driver and --log-opt: "LogDriver", and "LogPath", "LogSize" and
 * "LogTag" when given, as Podman keeps them (whatever the driver).  */
static int
record_log_options (const struct ferry_create_options *o, json_object *rec, ferry_error_t *err)
{
  const char *driver = o->log_driver && *o->log_driver ? o->log_driver : "k8s-file";

  if (ferry_log_driver_canonical (driver) == NULL)
    {
      cleanup_free char *q = one_line (driver);
      return ferry_make_error (
          err, 0,
          "running container create option: invalid log driver: invalid argument: "
          "`%s`: use --log-driver k8s-file, journald, none, passthrough or passthrough-tty",
          q);
    }
  /* As typed: json-file stays json-file in inspect, as in Podman.  */
  json_object_object_add (rec, "LogDriver", json_object_new_string (driver));
  for (size_t i = 0; o->log_opts && o->log_opts[i]; i++)
    {
      const char *opt = o->log_opts[i], *eq = strchr (opt, '=');
      cleanup_free char *key = eq ? xstrndup (opt, eq - opt) : NULL;
      const char *value = eq ? eq + 1 : NULL;

      if (eq == NULL || eq == opt)
        {
          cleanup_free char *q = one_line (opt);
          return ferry_make_error (err, 0,
                                   "invalid log option \"%s\": use path=FILE, max-size=SIZE or tag=TAG", q);
        }
      if (strcmp (key, "path") == 0)
        {
          cleanup_free char *path = NULL;
          if (*value == '\0')
            {
              json_object_object_del (rec, "LogPath");
              continue;
            }
          path = host_file_path ("--log-opt path", value, err);
          if (path == NULL)
            return -1;
          json_object_object_add (rec, "LogPath", json_object_new_string (path));
        }
      else if (strcmp (key, "max-size") == 0)
        {
          int64_t size;
          if (ferry_parse_size_decimal (value, &size) < 0)
            {
              cleanup_free char *q = one_line (value);
              return ferry_make_error (err, 0,
                                       "invalid size: '%s': give --log-opt max-size a size such as 10m", q);
            }
          if (size > 0)
            json_object_object_add (rec, "LogSize", json_object_new_int64 (size));
          else
            json_object_object_del (rec, "LogSize");
        }
      else if (strcmp (key, "tag") == 0)
        {
          if (strchr (value, '\n'))
            return ferry_make_error (err, 0, "invalid --log-opt tag: give it on one line");
          /* An empty one is none: containers.conf's log_tag stays, as
           * in Podman.  */
          if (*value)
            json_object_object_add (rec, "LogTag", json_object_new_string (value));
        }
    }
  return 0;
}

/* The options that act at run time: stop signal, time zone, OOM score,
 * timeout, conmon's pidfile, the ID file.  */
static int
record_run_options (const struct ferry_create_options *o, json_object *ic, json_object *rec,
                    ferry_error_t *err)
{
  const char *image_sig = ferry_json_get_string (ic, "StopSignal");
  int signum = image_sig ? ferry_signal_parse (image_sig) : SIGTERM;

  /* As Podman's: one leading dash dropped (-HUP, -1), an empty one the
   * default.  */
  if (o->stop_signal && *o->stop_signal)
    {
      const char *sig = o->stop_signal + (o->stop_signal[0] == '-');

      signum = ferry_signal_parse (sig);
      if (signum <= 0 && ferry_signal_is_number (sig))
        return ferry_make_error (err, 0, "valid signals are 1 through 64");
      if (signum <= 0)
        return ferry_make_error (
            err, 0,
            "invalid signal: %s: give --stop-signal a signal name such as SIGINT or a number from 1 "
            "to 64",
            sig);
    }
  json_object_object_add (rec, "StopSignal", json_object_new_int (signum > 0 ? signum : SIGTERM));
  if (o->timezone)
    {
      if (! ferry_timezone_is_valid (o->timezone))
        return ferry_make_error (err, 0,
                                 "running container create option: finding timezone: unknown time zone %s: "
                                 "use a zone of " FERRY_ZONEINFO_DIR " such as Europe/Paris, or local",
                                 o->timezone);
      json_object_object_add (rec, "Timezone", json_object_new_string (o->timezone));
    }
  if (o->oom_score_adj_set)
    json_object_object_add (rec, "OomScoreAdj", json_object_new_int (o->oom_score_adj));
  if (o->timeout > 0)
    json_object_object_add (rec, "Timeout", json_object_new_int (o->timeout));
  if (o->conmon_pidfile)
    {
      cleanup_free char *path = host_file_path ("--conmon-pidfile", o->conmon_pidfile, err);
      if (path == NULL)
        return -1;
      json_object_object_add (rec, "ConmonPidFile", json_object_new_string (path));
    }
  if (o->pidfile)
    {
      cleanup_free char *path = host_file_path ("--pidfile", o->pidfile, err);
      if (path == NULL)
        return -1;
      json_object_object_add (rec, "PidFile", json_object_new_string (path));
    }
  if (o->cidfile)
    {
      cleanup_free char *path = host_file_path ("--cidfile", o->cidfile, err);
      if (path == NULL)
        return -1;
      json_object_object_add (rec, "ContainerIDFile", json_object_new_string (path));
    }
  return 0;
}

/* IMG is NULL for a --rootfs container: ROOTFS its directory, with
 * OVERLAY for `:O`.  */
/* --secret: each secret must exist now, as in Podman; its data is
 * copied when the container's directory is made.  */
static int
record_secrets (json_object *rec, char **specs, ferry_error_t *err)
{
  json_object *list;

  if (specs == NULL || specs[0] == NULL)
    return 0;
  list = json_object_new_array ();
  json_object_object_add (rec, "Secrets", list);
  for (size_t i = 0; specs[i]; i++)
    {
      json_object *entry;

      if (ferry_secret_parse_option (specs[i], &entry, err) < 0)
        return -1;
      json_object_array_add (list, entry);
    }
  return 0;
}

static int
build_record (ferry_engine_t *e, const struct ferry_create_options *o, const struct ferry_image *img,
              const char *matched, const char *rootfs, int overlay, const char *id, const char *name,
              json_object **out, ferry_error_t *err)
{
  cleanup_json json_object *rec = json_object_new_object ();
  json_object *ic = img ? ferry_json_get_object (img->config, "config") : NULL;
  json_object *env, *labels;
  json_object *image_env = ferry_json_get_array (ic, "Env");
  cleanup_free char *now = ferry_time_now ();
  cleanup_free char *hostname = o->hostname && *o->hostname ? xstrdup (o->hostname) : xstrndup (id, 12);
  const char *workdir = o->workdir && *o->workdir ? o->workdir : ferry_json_get_string (ic, "WorkingDir");
  const char *user = o->user ? o->user : ferry_json_get_string (ic, "User");
  const char *network = o->network ? o->network : "none";
  char host_name[HOST_NAME_MAX + 1];
  size_t i;

  /* On the host's network, the host's name, as Podman gives it.  */
  if ((o->hostname == NULL || *o->hostname == '\0') && strcmp (network, "host") == 0
      && gethostname (host_name, sizeof (host_name)) == 0 && ferry_hostname_is_valid (host_name))
    {
      free (hostname);
      hostname = xstrdup (host_name);
    }

  if (! ferry_hostname_is_valid (hostname))
    {
      /* Shown on one line: control characters become '?'.  */
      for (char *p = hostname; *p; p++)
        if ((unsigned char) *p < ' ' || *p == 0x7f)
          *p = '?';
      return ferry_make_error (
          err, 0, "invalid hostname `%s`: use 1 to 64 characters without spaces or control characters",
          hostname);
    }
  if (strcmp (network, "none") == 0 || strcmp (network, "host") == 0 || strncmp (network, "ns:", 3) == 0
      || strncmp (network, "container:", 10) == 0)
    {
      const char *mode = strcmp (network, "none") == 0   ? "none"
                         : strcmp (network, "host") == 0 ? "host"
                         : network[0] == 'n'             ? "ns"
                                                         : "container";
      if (ferry_strv_length (o->more_networks))
        return ferry_make_error (err, 0,
                                 "cannot set multiple networks without bridge network mode, selected mode "
                                 "%s: give --network once, or networks by name only",
                                 mode);
      if (static_flag (o))
        return ferry_make_error (err, 0, "--ip, --ip6 and --mac-address need a network: use --network NAME");
    }
  /* Made once the checks above have passed: the error returns below
   * put labels while rec does not hold it yet.  */
  env = json_object_new_array ();
  labels = json_object_new_object ();
  json_object_object_add (rec, "Id", json_object_new_string (id));
  json_object_object_add (rec, "Name", json_object_new_string (name));
  /* A --rootfs container shows no image, as Podman's.  */
  json_object_object_add (rec, "Image", json_object_new_string (img ? o->image : ""));
  /* As Podman's: the name the image was found by, else its first.  */
  json_object_object_add (rec, "ImageName",
                          json_object_new_string (img == NULL     ? ""
                                                  : matched       ? matched
                                                  : img->names[0] ? img->names[0]
                                                                  : o->image));
  json_object_object_add (rec, "ImageID", json_object_new_string (img ? img->id : ""));
  json_object_object_add (rec, "ImageDigest", json_object_new_string (img ? img->manifest_digest : ""));
  if (rootfs)
    json_object_object_add (rec, "Rootfs", json_object_new_string (rootfs));
  if (rootfs && overlay)
    json_object_object_add (rec, "RootfsOverlay", json_object_new_boolean (1));
  json_object_object_add (rec, "Created", json_object_new_string (now));

  {
    cleanup_json json_object *index = env_index_new (env);

    for (i = 0; o->default_env && o->default_env[i]; i++)
      env_put (env, index, o->default_env[i]);
    for (i = 0; image_env && i < json_object_array_length (image_env); i++)
      env_put (env, index, json_object_get_string (json_object_array_get_idx (image_env, i)));
  }
  json_object_object_add (rec, "Env", env);
  if (ferry_env_base_adjust (o, env, err) < 0)
    {
      json_object_put (labels);
      return -1;
    }
  ferry_env_host_apply (o, env);
  if (ferry_container_env_apply (env, o->env_files, o->env, NULL, err) < 0)
    {
      json_object_put (labels);
      return -1;
    }
  if (! env_has (env, "PATH") && ! ferry_env_is_unset (o, "PATH"))
    env_set (env, DEFAULT_PATH);
  if (o->tty && ! env_has (env, "TERM") && ! ferry_env_is_unset (o, "TERM"))
    env_set (env, "TERM=xterm");
  if (! env_has (env, "container") && ! ferry_env_is_unset (o, "container"))
    env_set (env, "container=ferry");
  /* A --hostname of the user's is in the variables from the start, as
   * in Podman's; else a start adds HOSTNAME (StartEnv).  */
  if (o->hostname && *o->hostname && ! env_has (env, "HOSTNAME"))
    {
      cleanup_free char *h = xasprintf ("HOSTNAME=%s", hostname);
      env_set (env, h);
    }

  if (resolve_args (o, ic, rec, err) < 0)
    {
      json_object_put (labels);
      return -1;
    }
  json_object_object_add (rec, "Labels", labels);
  {
    json_object *image_labels = ferry_json_get_object (ic, "Labels");
    if (image_labels)
      {
        json_object_object_foreach (image_labels, lk, lv)
            json_object_object_add (labels, lk, json_object_get (lv));
      }
  }
  if (ferry_label_files_apply (o->label_files, labels, err) < 0)
    return -1;
  for (i = 0; o->labels && o->labels[i]; i++)
    {
      const char *eq = strchr (o->labels[i], '=');
      cleanup_free char *key = eq ? xstrndup (o->labels[i], eq - o->labels[i]) : xstrdup (o->labels[i]);
      json_object_object_add (labels, key, json_object_new_string (eq ? eq + 1 : ""));
    }

  json_object_object_add (rec, "WorkingDir", json_object_new_string (workdir && *workdir ? workdir : "/"));
  /* As Podman: a directory the user named must be there at start; the
   * image's is made.  */
  if (o->workdir && *o->workdir)
    json_object_object_add (rec, "WorkingDirGiven", json_object_new_boolean (1));
  json_object_object_add (rec, "User", json_object_new_string (user ? user : ""));
  json_object_object_add (rec, "Hostname", json_object_new_string (hostname));
  json_object_object_add (rec, "Tty", json_object_new_boolean (o->tty));
  json_object_object_add (rec, "OpenStdin", json_object_new_boolean (o->interactive));
  json_object_object_add (rec, "AutoRemove", json_object_new_boolean (o->auto_remove || o->remove_image));
  if (o->remove_image && img)
    json_object_object_add (rec, "RemoveImage", json_object_new_boolean (1));
  if (o->init)
    json_object_object_add (rec, "Init", json_object_new_boolean (1));
  /* Without --init Podman takes --init-path and does nothing with it.  */
  if (o->init && o->init_path)
    {
      char real[PATH_MAX];
      struct stat st;

      errno = 0;
      if (realpath (o->init_path, real) == NULL || stat (real, &st) < 0 || ! S_ISREG (st.st_mode)
          || access (real, X_OK) < 0)
        return ferry_make_error (err, errno ? errno : ENOEXEC,
                                 "container-init binary not found on the host: `%s` (--init-path) is not an "
                                 "executable file: give the path of catatonit or another init",
                                 o->init_path);
      json_object_object_add (rec, "InitPath", json_object_new_string (real));
    }
  if (strcmp (network, "none") == 0 || strcmp (network, "host") == 0
      || strncmp (network, "container:", 10) == 0)
    json_object_object_add (rec, "Network", json_object_new_string (network));
  else if (strncmp (network, "ns:", 3) == 0)
    {
      cleanup_free char *clean = ferry_path_normalize_entry (network + 3);
      if (network[3] == '\0')
        return ferry_make_error (err, 0,
                                 "invalid config provided: namespace mode path requires a value: give "
                                 "ns:/run/netns/NAME");
      if (network[3] != '/' || strchr (network, '\n') || ! ferry_path_is_clean_relative (clean))
        return ferry_make_error (err, 0,
                                 "invalid --network `%s`: ns: takes the absolute path of a network "
                                 "namespace, like ns:/run/netns/NAME",
                                 network);
      json_object_object_add (rec, "Network", json_object_new_string (network));
    }
  else if (record_networks (rec, network, o, err) < 0 || check_host_interfaces (e, rec, err) < 0)
    return -1;
  if (record_name_resolution (o, rec, err) < 0)
    return -1;
  /* The mode of its /, as Podman's overlay store gives every container
   * whatever the image's layers say.  */
  json_object_object_add (rec, "RootMode", json_object_new_int (DEFAULT_ROOT_MODE));
  /* Every later operation on it runs this one, whatever --runtime it is
   * given then (engine.h).  */
  json_object_object_add (rec, "OCIRuntime", json_object_new_string (e->runtime.requested));
  json_object_object_add (rec, "ShmSize",
                          json_object_new_int64 (o->shm_size > 0 ? o->shm_size : DEFAULT_SHM_SIZE));
  json_object_object_add (rec, "StopTimeout",
                          json_object_new_int (o->stop_timeout >= 0          ? o->stop_timeout
                                               : e->config.stop_timeout >= 0 ? e->config.stop_timeout
                                                                             : DEFAULT_STOP_TIMEOUT));
  if (record_run_options (o, ic, rec, err) < 0 || record_restart_policy (o, rec, err) < 0
      || record_log_options (o, rec, err) < 0)
    return -1;
  if (o->health && ferry_health_record (o->health, img, rec, err) < 0)
    return -1;
  record_annotations (rec, o->annotations);
  if (ferry_process_options_record (o, rec, err) < 0)
    return -1;
  if (resolve_mounts (e, o, ic, rec, err) < 0 || record_seccomp (o, rec, err) < 0)
    return -1;
  if (record_capabilities (rec, "CapAdd", o->cap_add, err) < 0
      || record_capabilities (rec, "CapDrop", o->cap_drop, err) < 0)
    return -1;
  if (o->read_only)
    json_object_object_add (rec, "ReadOnly", json_object_new_boolean (1));
  if (o->memory > 0)
    json_object_object_add (rec, "Memory", json_object_new_int64 (o->memory));
  if (o->nano_cpus > 0)
    json_object_object_add (rec, "NanoCpus", json_object_new_int64 (o->nano_cpus));
  if (record_ulimits (rec, o->ulimits, err) < 0)
    return -1;
  if (o->no_new_privileges)
    json_object_object_add (rec, "NoNewPrivileges", json_object_new_boolean (1));
  if (o->label_disable)
    json_object_object_add (rec, "LabelDisable", json_object_new_boolean (1));
  if (o->privileged)
    json_object_object_add (rec, "Privileged", json_object_new_boolean (1));
  if (record_cgroupns (e, o, rec, err) < 0)
    return -1;
  if (record_devices (rec, o->devices, err) < 0 || record_expose (rec, o->expose, ic, err) < 0
      || record_ports (rec, o, ic, err) < 0
      || record_sysctls (rec, o->sysctls, strcmp (network, "host") == 0, err) < 0
      || record_masks (rec, o->mask, o->unmask, err) < 0)
    return -1;
  if (o->no_read_only_tmpfs)
    json_object_object_add (rec, "ReadOnlyTmpfs", json_object_new_boolean (0));
  if (record_secrets (rec, o->secrets, err) < 0)
    return -1;
  /* Only when given, as Seccomp: records without it get the default.  */
  if (o->pids_limit)
    json_object_object_add (rec, "PidsLimit", json_object_new_int64 (o->pids_limit > 0 ? o->pids_limit : -1));
  *out = steal_pointer (&rec);
  return 0;
}

/* ---- --rootfs -------------------------------------------------------------- */

const char *
ferry_container_rootfs (json_object *record)
{
  const char *path = ferry_json_get_string (record, "Rootfs");

  return path && *path ? path : NULL;
}

int
ferry_container_rootfs_overlay (json_object *record)
{
  json_object *v = json_object_object_get (record, "RootfsOverlay");

  return ferry_container_rootfs (record) && v && json_object_get_boolean (v);
}

int
ferry_container_rootfs_check (const char *path, ferry_error_t *err)
{
  cleanup_free char *real = NULL;
  struct stat st;

  if (path[0] != '/' || strchr (path, '\n'))
    return ferry_make_error (err, 0, "invalid --rootfs `%s`: give the absolute path of a directory", path);
  /* Podman's words for a path that is not there.  */
  if (access (path, F_OK) < 0)
    return ferry_make_error (err, errno, "running container create option: faccessat %s", path);
  if (stat (path, &st) < 0)
    return ferry_make_error (err, errno, "cannot use --rootfs %s", path);
  if (! S_ISDIR (st.st_mode))
    return ferry_make_error (
        err, 0,
        "cannot use --rootfs %s: it is not a directory: give a directory that holds a root file system, "
        "such as one made with ferry export CONTAINER | tar -x -C DIR",
        path);
  real = realpath (path, NULL);
  if (real == NULL)
    return ferry_make_error (err, errno, "cannot use --rootfs %s", path);
  if (strcmp (real, "/") == 0)
    return ferry_make_error (err, 0,
                             "cannot use --rootfs %s: it is the host's own /, which a container would "
                             "write into: give a directory of its own",
                             path);
  return 0;
}

/* PATH[:O] as given to --rootfs: the absolute directory (made from the
 * working directory when relative) in *DIR, and whether `:O` asks for an
 * overlay over it.  */
static int
parse_rootfs (const char *arg, char **dir, int *overlay, ferry_error_t *err)
{
  size_t len = strlen (arg);
  cleanup_free char *path = NULL;

  *overlay = len > 2 && strcmp (arg + len - 2, ":O") == 0;
  path = xstrndup (arg, *overlay ? len - 2 : len);
  if (*path == '\0')
    return ferry_make_error (err, 0, "invalid --rootfs `%s`: give the path of a directory", arg);
  if (path[0] != '/')
    {
      cleanup_free char *cwd = getcwd (NULL, 0);
      char *joined;

      if (cwd == NULL)
        return ferry_make_error (err, errno, "cannot make --rootfs %s absolute", path);
      joined = xasprintf ("%s/%s", strcmp (cwd, "/") == 0 ? "" : cwd, path);
      free (path);
      path = joined;
    }
  /* Without a trailing slash, as inspect shows it.  */
  for (len = strlen (path); len > 1 && path[len - 1] == '/'; len--)
    path[len - 1] = '\0';
  if (ferry_container_rootfs_check (path, err) < 0)
    return -1;
  *dir = steal_pointer (&path);
  return 0;
}

/* ---- rows ---------------------------------------------------------------- */

static char *
column_dup (sqlite3_stmt *st, int i)
{
  const unsigned char *t = sqlite3_column_text (st, i);
  return xstrdup (t ? (const char *) t : "");
}

#define CONTAINER_COLUMNS                                                                                    \
  "id, name, image_id, created, config, state, pid, conmon_pid, exit_code, started_at, finished_at, "        \
  "checkpointed_at, restored_at, error, "                                                                    \
  "CASE WHEN json_valid (o.detail) THEN (CASE WHEN json_extract (o.detail, '$.migrate') IS NOT NULL "        \
  "THEN 'migrate' ELSE o.kind END) ELSE o.kind END, o.phase, "                                               \
  "o.owner_pid, o.started"
/* With the operation in progress on each, if any (engine/operation.h); a
 * checkpoint or import made for a migration shows as "migrate".  */
#define CONTAINER_TABLES "containers LEFT JOIN operations o ON o.container_id = containers.id"

static struct ferry_container *
container_from_row (sqlite3_stmt *st)
{
  struct ferry_container *c = xmalloc0 (sizeof (*c));

  c->id = column_dup (st, 0);
  c->name = column_dup (st, 1);
  c->image_id = column_dup (st, 2);
  c->created = column_dup (st, 3);
  c->record = json_tokener_parse ((const char *) sqlite3_column_text (st, 4));
  if (c->record == NULL)
    c->record = json_object_new_object ();
  c->status = status_from_name ((const char *) sqlite3_column_text (st, 5));
  c->pid = sqlite3_column_int (st, 6);
  c->conmon_pid = sqlite3_column_int (st, 7);
  c->exit_code = sqlite3_column_int (st, 8);
  c->started_at = column_dup (st, 9);
  c->finished_at = column_dup (st, 10);
  c->checkpointed_at = column_dup (st, 11);
  c->restored_at = column_dup (st, 12);
  c->error = column_dup (st, 13);
  if (sqlite3_column_type (st, 14) == SQLITE_TEXT)
    {
      c->operation = column_dup (st, 14);
      c->operation_phase = column_dup (st, 15);
      c->operation_pid = sqlite3_column_int (st, 16);
      c->operation_started = column_dup (st, 17);
    }
  return c;
}

/* Finds the row by exact name, exact ID, or unique ID prefix.  Returns 0 and
 * NULL *OUT when there is none.  */
static void *
container_row (sqlite3_stmt *st)
{
  return container_from_row (st);
}

static void
container_drop (void *c)
{
  ferry_container_free (c);
}

static int
find_row (ferry_engine_t *e, const char *ref, struct ferry_container **out, ferry_error_t *err)
{
  return ferry_db_find_by_name_or_id (e->db, "SELECT " CONTAINER_COLUMNS " FROM " CONTAINER_TABLES, ref, 64,
                                      "container", container_row, container_drop, (void **) out, err);
}

static int save_state_where (ferry_engine_t *e, const struct ferry_container *c, const char *where,
                             ferry_error_t *err);

int
ferry_container_save_state (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err)
{
  return save_state_where (e, c, "", err) < 0 ? -1 : 0;
}

int
ferry_container_save_unless_stopped (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err)
{
  return save_state_where (e, c, " AND state = 'stopping'", err);
}

int
ferry_container_save_exit (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err)
{
  return save_state_where (e, c, " AND state IN ('running', 'paused', 'stopping', 'initialized')", err);
}

/* Saves C's state WHERE its row matches (" AND ..." or ""); the number of
 * rows changed, or -1.  */
static int
save_state_where (ferry_engine_t *e, const struct ferry_container *c, const char *where, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_free char *sql
      = xasprintf ("UPDATE containers SET state = ?, pid = ?, conmon_pid = ?, exit_code = ?, started_at = ?, "
                   "finished_at = ?, checkpointed_at = ?, restored_at = ?, error = ? WHERE id = ?%s",
                   where);

  st = ferry_db_prepare (e->db, sql, err);
  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, ferry_container_status_name (c->status), -1, SQLITE_STATIC);
  sqlite3_bind_int (st, 2, c->pid);
  sqlite3_bind_int (st, 3, c->conmon_pid);
  sqlite3_bind_int (st, 4, c->exit_code);
  sqlite3_bind_text (st, 5, c->started_at ? c->started_at : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 6, c->finished_at ? c->finished_at : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 7, c->checkpointed_at ? c->checkpointed_at : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 8, c->restored_at ? c->restored_at : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 9, c->error ? c->error : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 10, c->id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      cleanup_free char *context = xasprintf ("cannot record the state of container %s", c->name);
      return ferry_db_error (e->db, err, context);
    }
  return sqlite3_changes (ferry_db_handle (e->db));
}

int
ferry_container_taken (ferry_engine_t *e, const char *name, const char *id)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (
      e->db, "SELECT id = ?2 FROM containers WHERE name = ?1 OR id = ?2 LIMIT 1", &ignored);

  if (st == NULL)
    return 0;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return 0;
  return sqlite3_column_int (st, 0) ? 2 : 1;
}

int
ferry_container_find (ferry_engine_t *e, const char *ref, struct ferry_container **out, ferry_error_t *err)
{
  /* "/NAME", as Docker shows names, is NAME to Podman's lookups.  */
  if (ref[0] == '/')
    ref++;
  /* Podman's words; still not found to the engine, so that a record
   * naming no container settles as one whose container is gone.  */
  if (ref[0] == '\0')
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "name or ID cannot be empty");
  if (find_row (e, ref, out, err) < 0)
    return -1;
  if (*out == NULL)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                  "no container with name or ID \"%s\" found: no such container", ref);
  return 0;
}

int
ferry_container_lookup (ferry_engine_t *e, const char *ref, struct ferry_container **out, ferry_error_t *err)
{
  if (ferry_container_find (e, ref, out, err) < 0)
    return -1;
  ferry_container_refresh (e, *out);
  return 0;
}

int
ferry_container_identify (ferry_engine_t *e, const char *ref, char **id, char **image_id, ferry_error_t *err)
{
  struct ferry_container *c = NULL;

  if (ferry_container_find (e, ref, &c, err) < 0)
    return -1;
  *id = xstrdup (c->id);
  *image_id = xstrdup (c->image_id);
  ferry_container_free (c);
  return 0;
}

int
ferry_container_list (ferry_engine_t *e, struct ferry_container ***out, size_t *n, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  struct ferry_container **list = NULL;
  size_t count = 0;

  st = ferry_db_prepare (e->db, "SELECT " CONTAINER_COLUMNS " FROM " CONTAINER_TABLES " ORDER BY created",
                         err);
  if (st == NULL)
    return -1;
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      list = xrealloc (list, sizeof (*list) * (count + 1));
      list[count++] = container_from_row (st);
    }
  sqlite3_finalize (st);
  st = NULL;
  for (size_t i = 0; i < count; i++)
    ferry_container_refresh (e, list[i]);
  *out = list;
  *n = count;
  return 0;
}

char *
ferry_container_init_path (void)
{
  static const char *const paths[] = { "/usr/libexec/podman/catatonit", "/usr/bin/catatonit", NULL };

  /* The file itself: a bind from a symlink (Podman's path is one, to
   * the package's) cannot be mounted again by CRIU on restore.  */
  for (size_t i = 0; paths[i]; i++)
    if (access (paths[i], X_OK) == 0)
      return realpath (paths[i], NULL);
  return NULL;
}

void
ferry_container_event_record (ferry_engine_t *e, const char *id, json_object *record, const char *status,
                              int exit_code)
{
  json_object *labels = ferry_json_get_object (record, "Labels");
  struct ferry_event ev = {
    .type = "container",
    .status = status,
    .id = id,
    .name = ferry_json_get_string (record, "Name"),
    .image = ferry_json_get_string (record, "ImageName"),
    .attributes = labels,
    .has_exit_code = exit_code >= 0,
    .exit_code = exit_code,
  };

  ferry_event_log (e->runroot, &ev);
}

void
ferry_container_event (ferry_engine_t *e, const struct ferry_container *c, const char *status)
{
  ferry_container_event_record (e, c->id, c->record, status, -1);
}

void
ferry_container_free (struct ferry_container *c)
{
  if (c == NULL)
    return;
  free (c->id);
  free (c->name);
  free (c->image_id);
  free (c->created);
  json_object_put (c->record);
  free (c->started_at);
  free (c->finished_at);
  free (c->checkpointed_at);
  free (c->restored_at);
  free (c->error);
  free (c->operation);
  free (c->operation_phase);
  free (c->operation_started);
  free (c);
}

void
ferry_containers_free (struct ferry_container **c, size_t n)
{
  for (size_t i = 0; i < n; i++)
    ferry_container_free (c[i]);
  free (c);
}

int
ferry_container_is_active (const struct ferry_container *c)
{
  return c->status == FERRY_CONTAINER_RUNNING || c->status == FERRY_CONTAINER_PAUSED
         || c->status == FERRY_CONTAINER_STOPPING;
}

int
ferry_container_has_monitor (const struct ferry_container *c)
{
  return ferry_container_is_active (c) || c->status == FERRY_CONTAINER_INITIALIZED;
}

const char *
ferry_container_log_driver (const struct ferry_container *c)
{
  const char *d = ferry_json_get_string (c->record, "LogDriver");

  return d && ferry_log_driver_canonical (d) ? ferry_log_driver_canonical (d) : "k8s-file";
}

char *
ferry_container_log_path (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_free char *dir = NULL;
  const char *path = ferry_json_get_string (c->record, "LogPath");

  if (strcmp (ferry_container_log_driver (c), "k8s-file") != 0)
    return NULL;
  if (path && *path)
    return xstrdup (path);
  dir = ferry_engine_container_dir (e, c->id);
  return xasprintf ("%s/ctr.log", dir);
}

/* A systemd journal on this host: journald's sockets, or journal files
 * kept from earlier boots.  */
static int
host_has_journal (void)
{
  static const char *const dirs[] = { "/run/systemd/journal", "/run/log/journal", "/var/log/journal" };

  for (size_t i = 0; i < sizeof (dirs) / sizeof (dirs[0]); i++)
    {
      DIR *d = opendir (dirs[i]);
      struct dirent *de;
      int found = 0;

      if (d == NULL)
        continue;
      while (! found && (de = readdir (d)) != NULL)
        found = strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0;
      closedir (d);
      if (found)
        return 1;
    }
  return 0;
}

int
ferry_container_log_source (ferry_engine_t *e, const struct ferry_container *c, char **path,
                            ferry_error_t *err)
{
  const char *driver = ferry_container_log_driver (c);

  *path = NULL;
  /* Podman 5.4 has no reader for it, and says so in these words.  */
  if (ferry_json_string_equals (c->record, "LogDriver", "passthrough-tty"))
    return ferry_make_error (
        err, 0,
        "unrecognized log driver \"passthrough-tty\", cannot read logs: ferry keeps no log "
        "of a passthrough-tty container");
  if (strcmp (driver, "none") == 0 || strcmp (driver, "passthrough") == 0)
    return ferry_make_error (err, 0,
                             "this container is using the '%s' log driver, cannot read logs: this container "
                             "is not logging output",
                             ferry_json_get_string (c->record, "LogDriver"));
  if (strcmp (driver, "journald") == 0)
    {
      if (! host_has_journal ())
        return 1;
      return ferry_make_error (err, 0,
                               "container %s logs to the systemd journal, which ferry does not read: use "
                               "journalctl CONTAINER_ID_FULL=%s",
                               c->name, c->id);
    }
  *path = ferry_container_log_path (e, c);
  return 0;
}

char *
ferry_log_size_text (int64_t bytes)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
  double v = (double) bytes;
  size_t i = 0;

  while (v >= 1000.0 && i + 1 < sizeof (units) / sizeof (units[0]))
    {
      v /= 1000.0;
      i++;
    }
  return xasprintf ("%.4g%s", v, units[i]);
}

/* ---- create -------------------------------------------------------------- */

/* The ulimit NAME of TEXT ("nofile=1:2"), or "" when it is none.  */
static char *
ulimit_name (const char *text)
{
  struct ferry_spec_rlimit l;

  return ferry_spec_parse_ulimit (text, &l) == 0 ? xstrdup (l.type) : xstrdup ("");
}

/* What containers.conf gives when the command line does not say: its
 * environment (under the image's), its ulimits but those --ulimit names,
 * read_only, log_driver and log_tag (before --log-opt, which wins), tz,
 * pids_limit, oom_score_adj and annotations (before --annotation, which
 * wins).  (Its init, Podman 5.4 does not apply either.)  *ULIMITS,
 * *LOG_OPTS and *ANNOTATIONS are the caller's to free.  */
static void
apply_config_defaults (ferry_engine_t *e, const struct ferry_create_options *o,
                       struct ferry_create_options *chosen, char ***ulimits, char ***log_opts,
                       char ***annotations)
{
  const struct ferry_config *cf = &e->config;
  size_t n_ulimits = 0, n_opts = 0, n_annotations = 0;
  ferry_error_t ignored = NULL;
  /* --ulimit host drops the ones given (the caller checked them).  */
  char **own_ulimits = ulimit_host_at (o->ulimits, &ignored) >= 0 ? NULL : o->ulimits;

  *chosen = *o;
  chosen->default_env = cf->env;
  if (! o->read_only_set && cf->read_only == 1)
    chosen->read_only = 1;
  if (o->log_driver == NULL && cf->log_driver)
    chosen->log_driver = cf->log_driver;
  if (o->timezone == NULL && cf->tz && *cf->tz)
    chosen->timezone = cf->tz;
  if (o->shm_size <= 0 && cf->shm_size > 0)
    chosen->shm_size = cf->shm_size;
  if (! o->oom_score_adj_set && cf->oom_score_adj_set)
    {
      chosen->oom_score_adj = cf->oom_score_adj;
      chosen->oom_score_adj_set = 1;
    }
  /* 0 in the file is no limit, as --pids-limit 0 (-1 here).  */
  if (o->pids_limit == 0 && cf->pids_limit >= 0)
    chosen->pids_limit = cf->pids_limit == 0 ? -1 : cf->pids_limit;
  if (cf->log_tag && *cf->log_tag)
    {
      cleanup_free char *tag = xasprintf ("tag=%s", cf->log_tag);
      ferry_strv_append (log_opts, &n_opts, tag);
    }
  for (size_t i = 0; o->log_opts && o->log_opts[i]; i++)
    ferry_strv_append (log_opts, &n_opts, o->log_opts[i]);
  chosen->log_opts = *log_opts;
  if (cf->annotations && cf->annotations[0])
    {
      for (size_t i = 0; cf->annotations[i]; i++)
        ferry_strv_append (annotations, &n_annotations, cf->annotations[i]);
      for (size_t i = 0; o->annotations && o->annotations[i]; i++)
        ferry_strv_append (annotations, &n_annotations, o->annotations[i]);
      chosen->annotations = *annotations;
    }
  for (size_t i = 0; cf->default_ulimits && cf->default_ulimits[i]; i++)
    {
      cleanup_free char *name = ulimit_name (cf->default_ulimits[i]);
      int given = 0;

      for (size_t j = 0; own_ulimits && own_ulimits[j] && ! given; j++)
        {
          cleanup_free char *other = ulimit_name (own_ulimits[j]);
          given = strcmp (name, other) == 0;
        }
      if (! given)
        ferry_strv_append (ulimits, &n_ulimits, cf->default_ulimits[i]);
    }
  for (size_t i = 0; own_ulimits && own_ulimits[i]; i++)
    ferry_strv_append (ulimits, &n_ulimits, own_ulimits[i]);
  ferry_error_release (&ignored);
  chosen->ulimits = *ulimits;
}

static int
name_in_use (ferry_engine_t *e, const char *name, char *id, size_t len)
{
  ferry_error_t ignored = NULL;
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (e->db, "SELECT id FROM containers WHERE name = ?", &ignored);

  ferry_error_release (&ignored);
  if (st == NULL)
    return 0;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return 0;
  snprintf (id, len, "%s", (const char *) sqlite3_column_text (st, 0));
  return 1;
}

static int
insert_row (ferry_engine_t *e, const char *id, const char *name, const char *image_id, json_object *rec,
            ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  int rc;

  st = ferry_db_prepare (
      e->db, "INSERT INTO containers (id, name, image_id, created, config) VALUES (?, ?, ?, ?, ?)", err);
  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, name, -1, SQLITE_STATIC);
  /* NULL for a --rootfs container: it refers to no image.  */
  if (image_id && *image_id)
    sqlite3_bind_text (st, 3, image_id, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (st, 3);
  sqlite3_bind_text (st, 4, ferry_json_get_string (rec, "Created"), -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 5, ferry_json_to_string (rec, 0), -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (st);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    return ferry_make_error_kind (
        err, FERRY_ERROR_EXISTS,
        "creating container storage: the container name \"%s\" is already in use: remove that "
        "container (ferry rm %s) or choose another name",
        name, name);
  if (rc != SQLITE_DONE)
    return ferry_db_error (e->db, err, "cannot record the new container");
  return 0;
}

/* Creates the volumes the record needs and links them; anonymous ones get
 * their generated names written into the record.  CREATED collects the
 * volumes this call made, so a failure can remove them.  */
static int
attach_volumes (ferry_engine_t *e, const char *id, json_object *rec, char ***created, size_t *n_created,
                ferry_error_t *err)
{
  json_object *mounts = ferry_json_get_array (rec, "Mounts");
  size_t i;

  for (i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *name = ferry_json_get_string (m, "Name");
      cleanup_free char *made = NULL;
      cleanup_stmt sqlite3_stmt *st = NULL;

      if (! ferry_json_string_equals (m, "Type", "volume"))
        continue;
      if (name == NULL || ! ferry_volume_exists (e->db, name))
        {
          json_object *anon = json_object_object_get (m, "Anonymous");
          int anonymous = name == NULL || (anon && json_object_get_boolean (anon));

          if (ferry_volume_create (e->db, e->root, name, NULL, anonymous, 1, &made, err) < 0)
            return -1;
          *created = xrealloc (*created, sizeof (char *) * (*n_created + 2));
          (*created)[(*n_created)++] = xstrdup (made);
          (*created)[*n_created] = NULL;
          if (name == NULL)
            {
              json_object_object_add (m, "Name", json_object_new_string (made));
              name = ferry_json_get_string (m, "Name");
            }
        }
      st = ferry_db_prepare (
          e->db, "INSERT INTO container_volumes (container_id, volume, destination) VALUES (?, ?, ?)", err);
      if (st == NULL)
        return -1;
      sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 2, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 3, ferry_json_get_string (m, "Destination"), -1, SQLITE_STATIC);
      if (sqlite3_step (st) != SQLITE_DONE)
        return ferry_db_error (e->db, err, "cannot record the volumes of the new container");
    }
  return 0;
}

static void
remove_volume_dirs (ferry_engine_t *e, char **names)
{
  for (size_t i = 0; names && names[i]; i++)
    {
      cleanup_free char *dir = xasprintf ("%s/volumes/%s", e->root, names[i]);
      ferry_error_t ignored = NULL;
      ferry_rm_rf (dir, &ignored);
      ferry_error_release (&ignored);
    }
}

/* The container's directories; its / (the overlay's upper directory)
 * gets the mode its record asks for: 0755 in records from before
 * RootMode.  */
static int
make_container_dirs (ferry_engine_t *e, const char *id, json_object *rec, ferry_error_t *err)
{
  cleanup_free char *dir = ferry_engine_container_dir (e, id);
  cleanup_free char *odir = ferry_engine_overlay_dir (e, id);
  cleanup_free char *shm = xasprintf ("%s/shm", dir);
  mode_t root_mode = (mode_t) ferry_json_get_int (rec, "RootMode", 0755) & 0777;
  struct ferry_overlay ov = { 0 };
  int r;

  if (ferry_mkdir_p (dir, 0700, err) < 0 || mkdir (shm, 0755) < 0)
    return *err ? -1 : ferry_make_error (err, errno, "cannot create `%s`", shm);
  r = ferry_overlay_create (odir, &ov, err);
  if (r == 0 && chmod (ov.upper, root_mode) < 0)
    r = ferry_make_error (err, errno, "cannot set the mode of `%s`", ov.upper);
  ferry_overlay_free (&ov);
  return r;
}

void
ferry_container_remove_dirs (ferry_engine_t *e, const char *id)
{
  cleanup_free char *dir = ferry_engine_container_dir (e, id);
  cleanup_free char *odir = ferry_engine_overlay_dir (e, id);
  struct ferry_overlay ov;
  ferry_error_t ignored = NULL;

  ferry_rm_rf (dir, &ignored);
  ferry_error_release (&ignored);
  /* Unmounted first: a --rootfs container's directory may be bound there.  */
  ferry_overlay_paths (odir, &ov);
  ferry_overlay_remove (&ov, &ignored);
  ferry_error_release (&ignored);
  ferry_overlay_free (&ov);
}

int
ferry_container_is_checkpointed (const struct ferry_container *c)
{
  return c->status == FERRY_CONTAINER_EXITED && c->checkpointed_at && *c->checkpointed_at
         && (c->started_at == NULL || strcmp (c->checkpointed_at, c->started_at) >= 0);
}

int
ferry_container_set_runtime_all (ferry_engine_t *e, const char *requested, size_t *changed,
                                 ferry_error_t *err)
{
  /* A record without OCIRuntime has the default, which is not REQUESTED
   * unless this ferry's --runtime says so: recorded explicitly either way.  */
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (e->db,
                          "UPDATE containers SET config = json_set (config, '$.OCIRuntime', ?1) "
                          "WHERE json_extract (config, '$.OCIRuntime') IS NOT ?1",
                          err);

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, requested, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    return ferry_db_error (e->db, err, "cannot record the containers' new OCI runtime");
  *changed = (size_t) sqlite3_changes (sqlite3_db_handle (st));
  return 0;
}

int
ferry_container_update_record (ferry_engine_t *e, const char *id, json_object *rec, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st
      = ferry_db_prepare (e->db, "UPDATE containers SET config = ? WHERE id = ?", err);

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, ferry_json_to_string (rec, 0), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      cleanup_free char *context = xasprintf ("cannot record the configuration of container %.12s", id);
      return ferry_db_error (e->db, err, context);
    }
  return 0;
}

/* The volumes made go into OP's detail, saved with the rest.  */
static int
record_made_volumes (ferry_engine_t *e, struct ferry_operation *op, char **names, ferry_error_t *err)
{
  json_object *a = json_object_new_array ();

  for (size_t i = 0; names && names[i]; i++)
    json_object_array_add (a, json_object_new_string (names[i]));
  json_object_object_add (op->detail, "volumes", a);
  return ferry_operation_advance (e, op, op->phase, err);
}

int
ferry_container_insert (ferry_engine_t *e, const char *image_id, json_object *rec, struct ferry_operation *op,
                        ferry_error_t *err)
{
  const char *id = ferry_json_get_string (rec, "Id");
  const char *name = ferry_json_get_string (rec, "Name");
  cleanup_strv char **created_volumes = NULL;
  size_t n_created = 0;

  if (make_container_dirs (e, id, rec, err) < 0)
    goto fail_dirs;
  if (ferry_container_secrets_write (e, id, rec, err) < 0)
    {
      /* An imported container takes this host's secrets of its names.  */
      if (op && (*err)->kind == FERRY_ERROR_NOT_FOUND)
        ferry_error_wrap (
            err, "container %s needs its secrets here: create them first (ferry secret create NAME FILE)",
            name);
      goto fail_dirs;
    }
  ferry_fault_point ("container-dirs-made");
  if (ferry_db_begin (e->db, err) < 0)
    goto fail_dirs;
  /* The row first (the volume links refer to it), then the volumes, whose
   * generated names go into the record.  */
  if (insert_row (e, id, name, image_id, rec, err) < 0
      || attach_volumes (e, id, rec, &created_volumes, &n_created, err) < 0
      || (ferry_network_record_bridged (rec)
          && ferry_network_reserve (e, id, ferry_json_get_object (rec, "Networks"), err) < 0)
      || ferry_container_update_record (e, id, rec, err) < 0
      || (op && record_made_volumes (e, op, created_volumes, err) < 0) || ferry_db_commit (e->db, err) < 0)
    {
      ferry_db_rollback (e->db);
      remove_volume_dirs (e, created_volumes);
      goto fail_dirs;
    }
  return 0;

fail_dirs:
  ferry_container_remove_dirs (e, id);
  return -1;
}

/* --cidfile: the ID, once the container exists; a file already there is
 * replaced, as Podman does.  Not written, the container goes again.  */
static int
write_cidfile (ferry_engine_t *e, json_object *rec, const char *id, ferry_error_t *err)
{
  const char *path = ferry_json_get_string (rec, "ContainerIDFile");
  cleanup_error ferry_error_t ignored = NULL;

  if (path == NULL || ferry_write_file_atomic (path, id, strlen (id), 0644, err) == 0)
    return 0;
  ferry_error_wrap (err, "cannot write the container ID file of --cidfile");
  ferry_container_remove (e, id, 1, 1, &ignored);
  return -1;
}

/* Whether container ID is paused, as far as a lookup can tell.  */
static int
is_paused (ferry_engine_t *e, const char *id)
{
  cleanup_error ferry_error_t ignored = NULL;
  struct ferry_container *c = NULL;
  int paused;

  if (ferry_container_lookup (e, id, &c, &ignored) < 0)
    return 0;
  paused = c->status == FERRY_CONTAINER_PAUSED;
  ferry_container_free (c);
  return paused;
}

/* --replace: the container named NAME, if any, stopped (with its own
 * timeout and signal) and removed, as Podman replaces it; a paused one is
 * killed by the removal, as Podman's rm -f kills it.  Killed in between,
 * ferry leaves the old container, stopped or not, or none: each step is
 * a stop or remove of its own, which the next command settles, and the
 * new one is inserted only after, under the database's check of the
 * name.  */
static int
replace_container (ferry_engine_t *e, const char *name, struct ferry_stop_report *report, ferry_error_t *err)
{
  char other[65];

  if (! name_in_use (e, name, other, sizeof (other)))
    return 0;
  if ((! is_paused (e, other) && ferry_container_stop (e, other, -1, report, err) < 0)
      || (ferry_fault_point ("replace-stopped"), ferry_container_remove (e, other, 1, 0, err) < 0))
    {
      if ((*err)->kind == FERRY_ERROR_NOT_FOUND)
        {
          /* Removed meanwhile by another ferry: the name is free.  */
          ferry_error_release (err);
          return 0;
        }
      return ferry_error_wrap (err, "cannot replace container %s", name);
    }
  ferry_fault_point ("replace-removed");
  return 0;
}

/* --userns and its kin, with the image's layers for --userns auto.  */
static int
record_userns (ferry_engine_t *e, const struct ferry_userns_options *u, const struct ferry_image *img,
               json_object *rec, ferry_error_t *err)
{
  cleanup_strv char **layers = img ? ferry_store_image_layer_paths (e->store, img) : NULL;

  return ferry_userns_record (e, u, layers, rec, err);
}

static int
container_create (ferry_engine_t *e, const struct ferry_create_options *o, char **out_id, ferry_error_t *err)
{
  struct ferry_image *img = NULL;
  cleanup_free char *matched = NULL;
  cleanup_json json_object *rec = NULL;
  cleanup_free char *id = ferry_random_hex (32);
  cleanup_free char *name = NULL;
  cleanup_free char *rootfs = NULL;
  int overlay = 0;
  size_t tries;
  char other[65];
  int ret = -1;
  struct ferry_create_options chosen;
  cleanup_strv char **ulimits = NULL;
  cleanup_strv char **log_opts = NULL;
  cleanup_strv char **annotations = NULL;
  cleanup_lock int lock = -1;

  if (o->replace && o->name == NULL)
    return ferry_make_error (err, 0,
                             "cannot replace container without --name being set: give the name of the "
                             "container to replace");
  if (o->name)
    {
      if (! ferry_container_name_is_valid (o->name))
        return ferry_make_error (
            err, 0,
            "running container create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid "
            "argument");
      if (! o->replace && name_in_use (e, o->name, other, sizeof (other)))
        return ferry_make_error_kind (
            err, FERRY_ERROR_EXISTS,
            "creating container storage: the container name \"%s\" is already in use by %s: remove "
            "that container (ferry rm %s), choose another name or use --replace",
            o->name, other, o->name);
      name = xstrdup (o->name);
    }
  else
    for (tries = 0; name == NULL; tries++)
      {
        name = generate_name ();
        if (name_in_use (e, name, other, sizeof (other)))
          {
            free (name);
            name = tries < 20 ? NULL : xasprintf ("ferry_%.12s", id);
          }
      }

  if (o->rootfs)
    {
      if (parse_rootfs (o->image, &rootfs, &overlay, err) < 0)
        return -1;
    }
  else if (ferry_store_lookup_matched (e->store, o->image, &img, &matched, err) < 0)
    {
      if ((*err)->kind == FERRY_ERROR_NOT_FOUND)
        {
          ferry_error_release (err);
          return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                        "%s: image not known: image %s is not stored here: pull it "
                                        "(ferry pull %s, or --pull missing) or load it (ferry load -i FILE)",
                                        o->image, o->image, o->image);
        }
      return -1;
    }
  /* Its layer is an archive, not a root file system.  */
  if (img && ferry_checkpoint_image_is (img))
    {
      ferry_image_free (img);
      return ferry_make_error (err, 0,
                               "image %s is a checkpoint image, not one to run: restore its container with "
                               "ferry container restore %s",
                               o->image, o->image);
    }
  if (ulimit_host_at (o->ulimits, err) == -2)
    {
      ferry_image_free (img);
      return -1;
    }
  apply_config_defaults (e, o, &chosen, &ulimits, &log_opts, &annotations);
  /* container:NAME joins that container's network namespace: recorded
   * by ID, which outlives a rename.  */
  if (o->network && strncmp (o->network, "container:", 10) == 0)
    {
      struct ferry_container *peer = NULL;
      struct ferry_create_options joined = chosen;
      cleanup_free char *mode = NULL;

      if (o->network[10] == '\0')
        {
          ferry_make_error (err, 0,
                            "invalid config provided: namespace mode container requires a value: give "
                            "--network container:NAME");
          goto out;
        }
      if (ferry_container_lookup (e, o->network + 10, &peer, err) < 0)
        {
          ferry_error_wrap (err, "--network %s", o->network);
          goto out;
        }
      mode = xasprintf ("container:%s", peer->id);
      ferry_container_free (peer);
      joined.network = mode;
      if (build_record (e, &joined, img, matched, rootfs, overlay, id, name, &rec, err) < 0)
        goto out;
    }
  else
    {
      /* No --network: ferry.conf's netns (bridge unless set).  Off a
       * bridge that way, Podman drops -p and -P without a word: so does
       * ferry.  */
      int publish_all = 0;

      if (chosen.network == NULL)
        {
          chosen.network = e->config.netns;
          if (chosen.network && netns_unreachable (chosen.network))
            {
              chosen.publish = NULL;
              publish_all = chosen.publish_all;
              chosen.publish_all = 0;
            }
        }
      if (build_record (e, &chosen, img, matched, rootfs, overlay, id, name, &rec, err) < 0)
        goto out;
      /* -P is still shown as given (inspect's PublishAllPorts).  */
      if (publish_all)
        json_object_object_add (rec, "PublishAllPorts", json_object_new_boolean (1));
    }
  if (ferry_resources_record (o->resources, chosen.memory, chosen.nano_cpus, e->runtime.name, rec, err) < 0)
    goto out;
  if (ferry_systemd_record (e, o->systemd, o->stop_signal != NULL, rec, err) < 0)
    goto out;
  if (ferry_cdi_record (o->cdi, o->devices, img ? ferry_json_get_object (img->config, "config") : NULL, rec,
                        err)
      < 0)
    goto out;
  if (ferry_ns_modes_record (e, o, rec, err) < 0
      || (o->userns && record_userns (e, o->userns, img, rec, err) < 0)
      || (o->replace && replace_container (e, o->name, o->replace_report, err) < 0))
    goto out;
  record_default_sysctls (rec, e->config.default_sysctls, o->sysctls);
  /* Held while the directories are there without the row: a sweep
   * (system prune --external) leaves a container whose lock is taken.  */
  lock = ferry_container_lock (e, id, err);
  if (lock < 0)
    goto out;
  /* Two ferry processes may draw the same generated name at once: the
   * database decides, and the loser draws again.  */
  for (tries = 0; ferry_container_insert (e, img ? img->id : NULL, rec, NULL, err) < 0; tries++)
    {
      if (o->name || (*err)->kind != FERRY_ERROR_EXISTS || tries >= 20)
        goto out;
      ferry_error_release (err);
      free (name);
      name = generate_name ();
      json_object_object_add (rec, "Name", json_object_new_string (name));
    }
  ferry_lock_release (lock);
  lock = -1;
  if (write_cidfile (e, rec, id, err) < 0)
    goto out;
  ferry_container_event_record (e, id, rec, "create", -1);
  *out_id = steal_pointer (&id);
  ret = 0;
out:
  ferry_image_free (img);
  return ret;
}

int
ferry_container_create (ferry_engine_t *e, const struct ferry_create_options *o, char **out_id,
                        ferry_error_t *err)
{
  /* Docker shows names as "/NAME": Podman's --name /NAME is NAME.  */
  if (o->name && o->name[0] == '/')
    {
      struct ferry_create_options plain = *o;

      plain.name = o->name + 1;
      return container_create (e, &plain, out_id, err);
    }
  return container_create (e, o, out_id, err);
}
