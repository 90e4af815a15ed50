#include "engine.h"
#include "container.h"
#include "internal.h"
#include "operation.h"
#include "volume_mount.h"
#include "mount.h"
#include "../image/mount.h"
#include "../state/events.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* REQUESTED as Podman finds it: a name containers.conf's [engine.runtimes]
 * lists, at the first of its paths that is there (the runtime keeps the
 * name); anything else as ferry_runtime_init finds it.  */
static int
runtime_init (ferry_engine_t *e, struct ferry_runtime *rt, const char *requested, ferry_error_t *err)
{
  const struct ferry_config_runtime *listed = NULL;

  for (size_t i = 0; strchr (requested, '/') == NULL && i < e->config.n_runtimes; i++)
    if (strcmp (e->config.runtimes[i].name, requested) == 0)
      listed = &e->config.runtimes[i];
  if (listed == NULL)
    return ferry_runtime_init (rt, requested, e->runroot, err);
  for (size_t i = 0; listed->paths && listed->paths[i]; i++)
    {
      cleanup_error ferry_error_t ignored = NULL;

      if (listed->paths[i][0] != '/' || ferry_runtime_init (rt, listed->paths[i], e->runroot, &ignored) < 0)
        continue;
      free (rt->name);
      rt->name = xstrdup (requested);
      free (rt->requested);
      rt->requested = xstrdup (requested);
      return 0;
    }
  return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                "OCI runtime `%s` not found: none of the paths containers.conf's "
                                "[engine.runtimes] gives it is an executable file",
                                requested);
}

int
ferry_engine_open (const char *root, const char *runroot, const char *runtime, const char *log_level,
                   const char *config, ferry_engine_t **out, ferry_error_t *err)
{
  return ferry_engine_open_full (root, runroot, runtime, log_level, config, NULL, NULL, NULL, out, err);
}

int
ferry_engine_open_full (const char *root, const char *runroot, const char *runtime, const char *log_level,
                        const char *config, const char *tmpdir, char *const *runtime_flags,
                        char *const *modules, ferry_engine_t **out, ferry_error_t *err)
{
  ferry_engine_t *e = xmalloc0 (sizeof (*e));
  size_t n_flags = 0;
  char exe[PATH_MAX];
  ssize_t n;

  e->root = xstrdup (root);
  e->runroot = xstrdup (runroot);
  e->log_level = xstrdup (log_level ? log_level : "warn");
  n = readlink ("/proc/self/exe", exe, sizeof (exe) - 1);
  if (n < 0)
    {
      ferry_make_error (err, errno, "cannot find the ferry binary (/proc/self/exe)");
      goto fail;
    }
  exe[n] = '\0';
  e->exe = xstrdup (exe);
  for (size_t i = 0, n_modules = 0; modules && modules[i]; i++)
    ferry_strv_append (&e->modules, &n_modules, modules[i]);
  if (ferry_config_load_modules (config, modules, &e->config, err) < 0)
    goto fail;
  ferry_events_configure (e->config.events_logger, e->config.events_logfile_path,
                          e->config.events_logfile_max_size);
  if (ferry_mkdir_p (runroot, 0700, err) < 0 || ferry_store_open (root, &e->store, err) < 0)
    goto fail;
  e->db = ferry_store_db (e->store);
  if (runtime == NULL)
    runtime = e->config.runtime ? e->config.runtime : "runc";
  if (runtime_init (e, &e->runtime, runtime, err) < 0)
    goto fail;
  while (runtime_flags && runtime_flags[n_flags])
    n_flags++;
  if (n_flags)
    {
      e->runtime.flags = xmalloc0 ((n_flags + 1) * sizeof (char *));
      for (size_t i = 0; i < n_flags; i++)
        e->runtime.flags[i] = xasprintf ("--%s", runtime_flags[i]);
    }
  if (tmpdir)
    {
      e->tmpdir = xstrdup (tmpdir);
      if (ferry_mkdir_p (tmpdir, 0700, err) < 0)
        goto fail;
    }
  /* Before anything else: what a killed ferry left half done.  */
  ferry_operations_settle (e);
  ferry_mounts_settle (e);
  ferry_image_mounts_settle (e->store);
  ferry_volume_mounts_settle (e);
  *out = e;
  return 0;

fail:
  ferry_engine_close (e);
  return -1;
}

void
ferry_engine_idle (ferry_engine_t *e)
{
  ferry_db_idle (e->db);
}

void
ferry_engine_close (ferry_engine_t *e)
{
  if (e == NULL)
    return;
  ferry_crypto_preload_finish ();
  ferry_store_close (e->store);
  ferry_runtime_release (&e->runtime);
  for (size_t i = 0; i < e->n_other_runtimes; i++)
    {
      ferry_runtime_release (e->other_runtimes[i]);
      free (e->other_runtimes[i]);
    }
  free (e->other_runtimes);
  free (e->root);
  free (e->runroot);
  free (e->log_level);
  free (e->exe);
  free (e->tmpdir);
  ferry_cleanup_strvp (&e->modules);
  ferry_config_release (&e->config);
  free (e);
}

const struct ferry_runtime *
ferry_engine_runtime_named (ferry_engine_t *e, const char *requested, ferry_error_t *err)
{
  struct ferry_runtime *rt;
  size_t n_flags = 0;

  if (requested == NULL || strcmp (requested, e->runtime.requested) == 0)
    return &e->runtime;
  for (size_t i = 0; i < e->n_other_runtimes; i++)
    if (strcmp (e->other_runtimes[i]->requested, requested) == 0)
      return e->other_runtimes[i];
  rt = xmalloc0 (sizeof (*rt));
  if (runtime_init (e, rt, requested, err) < 0)
    {
      free (rt);
      return NULL;
    }
  while (e->runtime.flags && e->runtime.flags[n_flags])
    n_flags++;
  if (n_flags)
    {
      rt->flags = xmalloc0 ((n_flags + 1) * sizeof (char *));
      for (size_t i = 0; i < n_flags; i++)
        rt->flags[i] = xstrdup (e->runtime.flags[i]);
    }
  e->other_runtimes = xrealloc (e->other_runtimes, (e->n_other_runtimes + 1) * sizeof (*e->other_runtimes));
  e->other_runtimes[e->n_other_runtimes++] = rt;
  return rt;
}

const char *
ferry_engine_runtime_recorded (ferry_engine_t *e, const struct ferry_container *c)
{
  const char *recorded = ferry_json_get_string (c->record, "OCIRuntime");

  return recorded && *recorded ? recorded : e->runtime.requested;
}

const struct ferry_runtime *
ferry_engine_runtime_of (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err)
{
  const char *requested = ferry_engine_runtime_recorded (e, c);
  cleanup_error ferry_error_t why = NULL;
  const struct ferry_runtime *rt = ferry_engine_runtime_named (e, requested, &why);

  if (rt == NULL)
    ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                           "OCI runtime `%s` of container `%s` is not available: install it, or move the "
                           "containers to another with `system migrate --new-runtime NAME`",
                           requested, c->name);
  return rt;
}

const struct ferry_runtime *
ferry_engine_runtime_or_own (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_error ferry_error_t ignored = NULL;
  const struct ferry_runtime *rt = c ? ferry_engine_runtime_of (e, c, &ignored) : NULL;

  return rt ? rt : &e->runtime;
}

const struct ferry_runtime *
ferry_engine_runtime_or_own_id (ferry_engine_t *e, const char *id)
{
  cleanup_error ferry_error_t ignored = NULL;
  struct ferry_container *c = NULL;
  const struct ferry_runtime *rt;

  if (ferry_container_find (e, id, &c, &ignored) < 0)
    return &e->runtime;
  rt = ferry_engine_runtime_or_own (e, c);
  ferry_container_free (c);
  return rt;
}

/* The names in Podman's default [engine.runtimes] table.  */
static const char *const KNOWN_RUNTIME_NAMES[]
    = { "crun", "crun-vm", "crun-wasm", "runc", "runj", "kata", "runsc", "youki", "krun", "ocijail", NULL };

static int
recorded_by_a_container (ferry_engine_t *e, const char *requested)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (
      e->db, "SELECT 1 FROM containers WHERE json_extract (config, '$.OCIRuntime') = ?1 LIMIT 1", &ignored);

  if (st == NULL)
    return 0;
  sqlite3_bind_text (st, 1, requested, -1, SQLITE_STATIC);
  return sqlite3_step (st) == SQLITE_ROW;
}

int
ferry_engine_runtime_is_known (ferry_engine_t *e, const char *requested)
{
  cleanup_error ferry_error_t ignored = NULL;
  int listed = 0;

  if (requested == NULL || *requested == '\0')
    return 0;
  if (strcmp (requested, e->runtime.requested) == 0)
    return 1;
  for (size_t i = 0; KNOWN_RUNTIME_NAMES[i]; i++)
    listed |= strcmp (requested, KNOWN_RUNTIME_NAMES[i]) == 0;
  for (size_t i = 0; i < e->config.n_runtimes; i++)
    listed |= strcmp (requested, e->config.runtimes[i].name) == 0;
  if (! listed && ! (requested[0] == '/' && recorded_by_a_container (e, requested)))
    return 0;
  return ferry_engine_runtime_named (e, requested, &ignored) != NULL;
}

char *
ferry_engine_container_dir (ferry_engine_t *e, const char *id)
{
  return xasprintf ("%s/containers/%s", e->root, id);
}

char *
ferry_engine_bundle_dir (ferry_engine_t *e, const char *id)
{
  return xasprintf ("%s/containers/%s", e->runroot, id);
}

char *
ferry_engine_overlay_dir (ferry_engine_t *e, const char *id)
{
  return xasprintf ("%s/storage/overlay/%s", e->root, id);
}

char *
ferry_engine_exit_dir (ferry_engine_t *e)
{
  return xasprintf ("%s/exits", e->tmpdir ? e->tmpdir : e->runroot);
}

char *
ferry_engine_socket_dir (ferry_engine_t *e)
{
  return xasprintf ("%s/socket", e->tmpdir ? e->tmpdir : e->runroot);
}

char *
ferry_engine_netns_path (ferry_engine_t *e, const char *id)
{
  return xasprintf ("%s/netns/%s", e->runroot, id);
}
