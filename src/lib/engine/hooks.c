/* ferry: the host's OCI hooks in a container's spec (see hooks.h).  */
#include "hooks.h"
#include "../runtime/hooks.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define POSTSTOP_FILE "poststop-hooks.json"

void
ferry_hooks_set_dirs (ferry_engine_t *e, char *const *dirs)
{
  size_t n = 0;

  while (dirs && dirs[n])
    n++;
  if (n == 0)
    return;
  ferry_cleanup_strvp (&e->config.hooks_dirs);
  e->config.hooks_dirs = xmalloc0 (sizeof (char *) * (n + 1));
  for (size_t i = 0; i < n; i++)
    e->config.hooks_dirs[i] = xstrdup (dirs[i]);
}

/* Each precreate hook in turn rewrites SPEC: it reads the spec and writes
 * the one to use.  */
static int
filter_spec (json_object *hooks, json_object *spec, ferry_error_t *err)
{
  for (size_t i = 0; i < ferry_json_array_length (hooks); i++)
    {
      cleanup_free char *out = NULL;
      cleanup_json json_object *filtered = NULL;
      ferry_error_t why = NULL;
      const char *input = json_object_to_json_string_ext (spec, JSON_C_TO_STRING_PLAIN);

      if (ferry_hooks_exec (json_object_array_get_idx (hooks, i), input, &out, err) < 0)
        return ferry_error_wrap (err, "config-filter hook %zu", i);
      filtered = ferry_json_parse (out, strlen (out), "the output", &why);
      if (filtered == NULL || ! json_object_is_type (filtered, json_type_object))
        {
          ferry_error_release (&why);
          return ferry_make_error (err, 0, "unmarshal output from config-filter hook %zu: %s", i,
                                   *out ? "not a JSON object" : "unexpected end of JSON input");
        }
      {
        /* In place: the caller holds SPEC.  */
        cleanup_strv char **keys = NULL;
        size_t n = 0;

        json_object_object_foreach (spec, key, value)
        {
          (void) value;
          keys = xrealloc (keys, sizeof (char *) * (n + 2));
          keys[n++] = xstrdup (key);
          keys[n] = NULL;
        }
        for (size_t k = 0; k < n; k++)
          json_object_object_del (spec, keys[k]);
        json_object_object_foreach (filtered, fkey, fvalue)
        {
          json_object_object_add (spec, fkey, json_object_get (fvalue));
        }
      }
    }
  return 0;
}

/* The poststop hooks of the container and the state they read, kept in
 * BUNDLE; none: no file.  */
static int
keep_poststop (const struct ferry_container *c, json_object *spec, json_object *hooks, const char *bundle,
               ferry_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/" POSTSTOP_FILE, bundle);
  cleanup_json json_object *kept = NULL;
  json_object *state, *ann = json_object_object_get (spec, "annotations");
  const char *text;

  if (ferry_json_array_length (hooks) == 0)
    {
      if (unlink (path) < 0 && errno != ENOENT)
        return ferry_make_error (err, errno, "cannot remove `%s`", path);
      return 0;
    }
  kept = json_object_new_object ();
  state = json_object_new_object ();
  json_object_object_add (state, "ociVersion",
                          json_object_new_string (ferry_json_get_string (spec, "ociVersion") ?: "1.0.0"));
  json_object_object_add (state, "id", json_object_new_string (c->id));
  json_object_object_add (state, "status", json_object_new_string ("stopped"));
  json_object_object_add (state, "bundle", json_object_new_string (bundle));
  if (json_object_is_type (ann, json_type_object))
    json_object_object_add (state, "annotations", json_object_get (ann));
  json_object_object_add (kept, "state", state);
  json_object_object_add (kept, "hooks", json_object_get (hooks));
  text = json_object_to_json_string_ext (kept, JSON_C_TO_STRING_PLAIN);
  return ferry_write_file_atomic (path, text, strlen (text), 0600, err);
}

static int
apply (ferry_engine_t *e, const struct ferry_container *c, json_object *spec, const char *bundle,
       ferry_error_t *err)
{
  static char *const default_dirs[] = { (char *) FERRY_HOOKS_DEFAULT_DIR, NULL };
  static char *const implicit_dirs[]
      = { (char *) FERRY_HOOKS_DEFAULT_DIR, (char *) FERRY_HOOKS_OVERRIDE_DIR, NULL };
  char *const *dirs = e->config.hooks_dirs;
  cleanup_json json_object *hooks = NULL, *extension = NULL;
  json_object *ann = json_object_object_get (spec, "annotations");
  int has_bind_mounts = ferry_json_array_length (ferry_json_get_array (c->record, "Mounts")) > 0;

  if (dirs == NULL)
    dirs = default_dirs;
  else if (dirs[0] == NULL)
    dirs = implicit_dirs;
  if (ferry_hooks_read (dirs, &hooks, err) < 0)
    return -1;
  /* Matched on the container's annotations, before ferry adds its own
   * for CRIU.  */
  if (ferry_hooks_inject (hooks, spec, ann, has_bind_mounts, &extension, err) < 0)
    return -1;
  if (filter_spec (json_object_object_get (extension, "precreate"), spec, err) < 0)
    return -1;
  return keep_poststop (c, spec, json_object_object_get (extension, "poststop"), bundle, err);
}

int
ferry_hooks_apply (ferry_engine_t *e, const struct ferry_container *c, json_object *spec, const char *bundle,
                   ferry_error_t *err)
{
  if (apply (e, c, spec, bundle, err) == 0)
    return 0;
  ferry_error_wrap (err, "setting up OCI Hooks");
  /* What Podman's run exits with (126) when the container cannot
   * start.  */
  (*err)->kind = FERRY_ERROR_COMMAND_NOT_EXECUTABLE;
  return -1;
}

void
ferry_hooks_poststop (const char *bundle)
{
  cleanup_free char *path = xasprintf ("%s/" POSTSTOP_FILE, bundle);
  cleanup_json json_object *kept = NULL;
  ferry_error_t err = NULL;
  json_object *hooks;
  const char *state;

  kept = ferry_json_parse_file (path, POSTSTOP_FILE, &err);
  if (kept == NULL)
    {
      ferry_error_release (&err);
      return;
    }
  /* Once: a second teardown finds none.  */
  unlink (path);
  state = json_object_to_json_string_ext (json_object_object_get (kept, "state"), JSON_C_TO_STRING_PLAIN);
  hooks = json_object_object_get (kept, "hooks");
  /* A failing poststop hook is no reason to keep a stopped container's
   * resources: the others run and the teardown goes on, as in Podman.  */
  for (size_t i = 0; i < ferry_json_array_length (hooks); i++)
    if (ferry_hooks_exec (json_object_array_get_idx (hooks, i), state, NULL, &err) < 0)
      ferry_error_release (&err);
}
