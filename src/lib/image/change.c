/* ferry: Dockerfile instructions applied to an image's config (see
 * change.h).  */
#include "change.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <string.h>

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
      ferry_strv_push (&v, &n, steal_pointer (&w));
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

int
ferry_image_change_apply (json_object *conf, const char *change, ferry_error_t *err)
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

/* Whether CHANGE's instruction is KEYWORD (in any case).  */
static int
change_is (const char *change, const char *keyword)
{
  size_t n = strlen (keyword);

  while (isspace ((unsigned char) *change))
    change++;
  return strncasecmp (change, keyword, n) == 0 && (change[n] == '\0' || isspace ((unsigned char) change[n]));
}

int
ferry_image_changes_apply (json_object *conf, char *const *changes, size_t *failed, ferry_error_t *err)
{
  cleanup_json json_object *cmd = NULL;
  size_t i;

  for (i = 0; changes && changes[i]; i++)
    {
      if (ferry_image_change_apply (conf, changes[i], err) < 0)
        {
          if (failed)
            *failed = i;
          return -1;
        }
      if (change_is (changes[i], "CMD"))
        {
          json_object_put (cmd);
          cmd = json_object_get (json_object_object_get (conf, "Cmd"));
        }
    }
  if (cmd)
    json_object_object_add (conf, "Cmd", steal_pointer (&cmd));
  return 0;
}
