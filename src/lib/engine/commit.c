#include "commit.h"
#include "container.h"
#include "../image/commit.h"
#include "../storage/rootfs_diff.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

/* ---- --change: Dockerfile instructions ---------------------------------- */

static void
strv_push (char ***v, size_t *n, char *s)
{
  *v = xrealloc (*v, sizeof (char *) * (*n + 2));
  (*v)[(*n)++] = s;
  (*v)[*n] = NULL;
}

/* ARG's words as a shell splits them: blanks separate, quotes group (and
 * go), a backslash keeps the next character.  */
static char **
split_words (const char *arg)
{
  char **v = xmalloc0 (sizeof (char *));
  size_t n = 0;
  const char *p = arg;

  while (*p)
    {
      cleanup_free char *w = xmalloc (strlen (p) + 1);
      size_t len = 0;
      char quote = 0;

      while (isspace ((unsigned char) *p))
        p++;
      if (*p == '\0')
        break;
      for (; *p && (quote || ! isspace ((unsigned char) *p)); p++)
        {
          if (quote && *p == quote)
            quote = 0;
          else if (! quote && (*p == '"' || *p == '\''))
            quote = *p;
          else if (*p == '\\' && p[1] && quote != '\'')
            w[len++] = *++p;
          else
            w[len++] = *p;
        }
      w[len] = '\0';
      strv_push (&v, &n, steal_pointer (&w));
    }
  return v;
}

static size_t
strv_len (char **v)
{
  size_t n = 0;

  while (v[n])
    n++;
  return n;
}

/* The exec form (a JSON array of strings) or the shell form of ARG.  */
static json_object *
exec_or_shell_form (const char *arg)
{
  json_object *a = NULL, *sh;

  if (*arg == '[')
    {
      ferry_error_t ignored = NULL;
      size_t i;

      a = ferry_json_parse (arg, strlen (arg), "change", &ignored);
      ferry_error_release (&ignored);
      for (i = 0; a && json_object_is_type (a, json_type_array) && i < json_object_array_length (a); i++)
        if (! json_object_is_type (json_object_array_get_idx (a, i), json_type_string))
          break;
      if (a && json_object_is_type (a, json_type_array) && i == json_object_array_length (a))
        return a;
      json_object_put (a);
    }
  sh = json_object_new_array ();
  json_object_array_add (sh, json_object_new_string ("/bin/sh"));
  json_object_array_add (sh, json_object_new_string ("-c"));
  if (*arg)
    json_object_array_add (sh, json_object_new_string (arg));
  return sh;
}

static json_object *
object_member (json_object *conf, const char *key)
{
  json_object *o = ferry_json_get_object (conf, key);

  if (o == NULL)
    {
      o = json_object_new_object ();
      json_object_object_add (conf, key, o);
    }
  return o;
}

/* Sets K=V in CONF's Env, in place of an earlier K.  */
static void
env_put (json_object *conf, const char *key, const char *value)
{
  json_object *env = ferry_json_get_array (conf, "Env");
  cleanup_free char *kv = xasprintf ("%s=%s", key, value);
  size_t i, klen = strlen (key);

  if (env == NULL)
    {
      env = json_object_new_array ();
      json_object_object_add (conf, "Env", env);
    }
  for (i = 0; i < json_object_array_length (env); i++)
    {
      const char *cur = json_object_get_string (json_object_array_get_idx (env, i));
      if (strncmp (cur, key, klen) == 0 && cur[klen] == '=')
        {
          json_object_array_put_idx (env, i, json_object_new_string (kv));
          return;
        }
    }
  json_object_array_add (env, json_object_new_string (kv));
}

static int
change_env (json_object *conf, const char *arg, char **words, ferry_error_t *err)
{
  size_t i;

  if (strchr (words[0], '=') == NULL)
    {
      /* The old form: one variable, the rest of the line its value.  */
      const char *value = arg + strcspn (arg, " \t");

      while (isspace ((unsigned char) *value))
        value++;
      if (conf)
        env_put (conf, words[0], value);
      return 0;
    }
  for (i = 0; words[i]; i++)
    {
      char *eq = strchr (words[i], '=');

      if (eq == NULL || eq == words[i])
        return ferry_make_error (err, 0, "ENV names must be KEY=VALUE: `%s` is not", words[i]);
      *eq = '\0';
      if (conf)
        env_put (conf, words[i], eq + 1);
    }
  return 0;
}

static int
change_label (json_object *conf, char **words, ferry_error_t *err)
{
  size_t i;

  for (i = 0; words[i]; i++)
    {
      char *eq = strchr (words[i], '=');

      if (eq == NULL || eq == words[i])
        return ferry_make_error (err, 0, "LABEL must be KEY=VALUE: `%s` is not", words[i]);
      *eq = '\0';
      if (conf)
        json_object_object_add (object_member (conf, "Labels"), words[i], json_object_new_string (eq + 1));
    }
  return 0;
}

static void
change_expose (json_object *conf, char **words)
{
  size_t i;

  for (i = 0; conf && words[i]; i++)
    {
      cleanup_free char *port = strchr (words[i], '/') ? xstrdup (words[i]) : xasprintf ("%s/tcp", words[i]);
      json_object_object_add (object_member (conf, "ExposedPorts"), port, json_object_new_object ());
    }
}

static void
change_volume (json_object *conf, const char *arg, char **words)
{
  json_object *a = *arg == '[' ? exec_or_shell_form (arg) : NULL;
  size_t i;

  if (conf == NULL)
    {
      json_object_put (a);
      return;
    }
  if (a && strcmp (json_object_get_string (json_object_array_get_idx (a, 0)), "/bin/sh") != 0)
    for (i = 0; i < json_object_array_length (a); i++)
      json_object_object_add (object_member (conf, "Volumes"),
                              json_object_get_string (json_object_array_get_idx (a, i)),
                              json_object_new_object ());
  else
    for (i = 0; words[i]; i++)
      json_object_object_add (object_member (conf, "Volumes"), words[i], json_object_new_object ());
  json_object_put (a);
}

static void
change_workdir (json_object *conf, const char *dir)
{
  const char *cur = ferry_json_get_string (conf, "WorkingDir");
  cleanup_free char *path = NULL;

  if (dir[0] == '/')
    path = xstrdup (dir);
  else if (cur && *cur && strcmp (cur, "/") != 0)
    path = xasprintf ("%s/%s", cur, dir);
  else
    path = xasprintf ("/%s", dir);
  json_object_object_add (conf, "WorkingDir", json_object_new_string (path));
}

/* Applies CHANGE to CONF (the image config's "config"); with CONF NULL
 * only checks it.  */
static int
apply_change (json_object *conf, const char *change, ferry_error_t *err)
{
  const char *p = change, *arg;
  cleanup_free char *keyword = NULL;
  cleanup_strv char **words = NULL;
  size_t n;

  while (isspace ((unsigned char) *p))
    p++;
  arg = p + strcspn (p, " \t");
  keyword = xstrndup (p, arg - p);
  while (isspace ((unsigned char) *arg))
    arg++;
  for (char *k = keyword; *k; k++)
    *k = toupper ((unsigned char) *k);
  words = split_words (arg);
  n = strv_len (words);
  if (strcmp (keyword, "CMD") == 0 || strcmp (keyword, "ENTRYPOINT") == 0)
    {
      if (conf == NULL)
        return 0;
      json_object_object_add (conf, strcmp (keyword, "CMD") == 0 ? "Cmd" : "Entrypoint",
                              exec_or_shell_form (arg));
      /* As in a Dockerfile: a new entrypoint drops the old command.  */
      if (strcmp (keyword, "ENTRYPOINT") == 0)
        json_object_object_del (conf, "Cmd");
      return 0;
    }
  if (strcmp (keyword, "ENV") == 0 || strcmp (keyword, "LABEL") == 0 || strcmp (keyword, "EXPOSE") == 0
      || strcmp (keyword, "VOLUME") == 0)
    {
      if (n == 0)
        return ferry_make_error (err, 0, "%s requires at least one argument", keyword);
      if (keyword[0] == 'E' && keyword[1] == 'N')
        return change_env (conf, arg, words, err);
      if (keyword[0] == 'L')
        return change_label (conf, words, err);
      if (keyword[0] == 'E')
        change_expose (conf, words);
      else
        change_volume (conf, arg, words);
      return 0;
    }
  if (strcmp (keyword, "USER") == 0 || strcmp (keyword, "WORKDIR") == 0
      || strcmp (keyword, "STOPSIGNAL") == 0)
    {
      if (n != 1)
        return ferry_make_error (err, 0, "%s requires exactly one argument", keyword);
      if (conf && keyword[0] == 'W')
        change_workdir (conf, words[0]);
      else if (conf)
        json_object_object_add (conf, keyword[0] == 'U' ? "User" : "StopSignal",
                                json_object_new_string (words[0]));
      return 0;
    }
  /* OCI image configs have no place for it; Podman drops it as well.  */
  if (strcmp (keyword, "ONBUILD") == 0)
    return 0;
  return ferry_make_error (err, 0, "did not understand change instruction \"%s\"", change);
}

int
ferry_commit_change_check (const char *change, ferry_error_t *err)
{
  if (apply_change (NULL, change, err) < 0)
    return ferry_error_wrap (err, "processing change \"%s\"", change);
  return 0;
}

/* ---- the image ------------------------------------------------------------ */

/* The base's config with the container's own settings: what a new
 * container of the image would start with.  */
static json_object *
container_config (const struct ferry_image *base, const struct ferry_container *c)
{
  json_object *ic = ferry_json_get_object (base->config, "config");
  json_object *conf = NULL, *env = json_object_new_array (),
              *rec_env = ferry_json_get_array (c->record, "Env");
  const char *user = ferry_json_get_string (c->record, "User");
  const char *workdir = ferry_json_get_string (c->record, "WorkingDir");
  json_object *labels = ferry_json_get_object (c->record, "Labels");
  const char *const keys[] = { "Entrypoint", "Cmd" };
  size_t i;

  if (ic == NULL || json_object_deep_copy (ic, &conf, NULL) < 0)
    conf = json_object_new_object ();
  /* The hostname is the container's, not the image's.  */
  for (i = 0; rec_env && i < json_object_array_length (rec_env); i++)
    {
      json_object *v = json_object_array_get_idx (rec_env, i);
      if (strncmp (json_object_get_string (v), "HOSTNAME=", 9) != 0)
        json_object_array_add (env, json_object_get (v));
    }
  json_object_object_add (conf, "Env", env);
  for (i = 0; i < 2; i++)
    {
      json_object *a = ferry_json_get_array (c->record, keys[i]);
      if (a && json_object_array_length (a) > 0)
        json_object_object_add (conf, keys[i], json_object_get (a));
      else
        json_object_object_del (conf, keys[i]);
    }
  if (user && *user)
    json_object_object_add (conf, "User", json_object_new_string (user));
  else
    json_object_object_del (conf, "User");
  json_object_object_add (conf, "WorkingDir", json_object_new_string (workdir && *workdir ? workdir : "/"));
  if (labels && json_object_object_length (labels) > 0)
    json_object_object_add (conf, "Labels", json_object_get (labels));
  return conf;
}

static char *
command_line (const struct ferry_container *c)
{
  json_object *args = ferry_json_get_array (c->record, "Args");
  char *s = xstrdup ("");
  size_t i;

  for (i = 0; args && i < json_object_array_length (args); i++)
    {
      char *t = xasprintf ("%s%s%s", s, i ? " " : "",
                           json_object_get_string (json_object_array_get_idx (args, i)));
      free (s);
      s = t;
    }
  return s;
}

/* Writes the container's changes as a layer tar in a new directory of
 * the store's tmp dir (*DIR, for the caller to remove).  */
static int
write_layer (ferry_engine_t *e, const struct ferry_container *c, int pause, char **dir, char **layer,
             ferry_error_t *err)
{
  struct ferry_changes changes = { 0 };
  cleanup_free char *odir = ferry_engine_overlay_dir (e, c->id);
  cleanup_free char *upper = xasprintf ("%s/upper", odir);
  int paused = 0, ret = -1;

  *dir = ferry_mkdtemp_in (ferry_store_tmp_dir (e->store), "commit-layer-", err);
  if (*dir == NULL)
    return -1;
  *layer = xasprintf ("%s/layer.tar", *dir);
  if (pause && c->status == FERRY_CONTAINER_RUNNING)
    {
      if (ferry_container_pause (e, c->id, err) < 0)
        return -1;
      paused = 1;
    }
  if (ferry_container_diff (e, c->id, &changes, err) == 0)
    ret = ferry_rootfs_diff_layer (upper, &changes, *layer, err);
  ferry_changes_free (&changes);
  if (paused)
    {
      cleanup_error ferry_error_t unpause_err = NULL;
      if (ferry_container_unpause (e, c->id, &unpause_err) < 0 && ret == 0)
        {
          *err = steal_pointer (&unpause_err);
          ret = -1;
        }
    }
  return ret;
}

int
ferry_container_commit (ferry_engine_t *e, const char *ref, const struct ferry_commit_options *o, char **id,
                        ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  struct ferry_image *base = NULL;
  cleanup_free char *name = NULL, *dir = NULL, *layer = NULL, *created_by = NULL, *comment = NULL;
  cleanup_json json_object *conf = NULL;
  struct ferry_image_commit ic = { 0 };
  size_t i;
  int ret = -1;

  if (o->name && (name = ferry_image_commit_name (o->name, err)) == NULL)
    return -1;
  for (i = 0; o->changes && o->changes[i]; i++)
    if (ferry_commit_change_check (o->changes[i], err) < 0)
      return -1;
  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return -1;
  /* Podman's words: there is no image to put the changes on.  */
  if (ferry_container_rootfs (c->record))
    {
      ferry_make_error (err, 0, "cannot commit a container that uses an exploded rootfs");
      goto out;
    }
  if (ferry_store_lookup (e->store, c->image_id, &base, err) < 0)
    {
      ferry_error_wrap (err, "the image of container %s", c->name);
      goto out;
    }
  conf = container_config (base, c);
  for (i = 0; o->changes && o->changes[i]; i++)
    if (apply_change (conf, o->changes[i], err) < 0)
      goto out;
  if (write_layer (e, c, o->pause, &dir, &layer, err) < 0)
    goto out;
  created_by = command_line (c);
  comment = o->comment ? xstrdup (o->comment)
                       : xasprintf ("FROM %s", ferry_json_get_string (c->record, "ImageName") ?: base->id);
  ic.base = base;
  ic.layer = layer;
  ic.config = conf;
  ic.author = o->author;
  ic.created_by = created_by;
  ic.comment = comment;
  ic.name = name;
  ret = ferry_image_commit (e->store, &ic, id, err);
out:
  if (dir)
    ferry_rm_rf_quietly (dir);
  ferry_image_free (base);
  ferry_container_free (c);
  return ret;
}
