/* ferry: OCI hooks configured on the host (see hooks.h).  */
#include "hooks.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOOK_VERSION "1.0.0"

/* errno's text as Go's errors give it: lower case.  */
static char *
go_strerror (int errno_)
{
  char *s = xstrdup (strerror (errno_));

  if (s[0] >= 'A' && s[0] <= 'Z')
    s[0] = (char) (s[0] - 'A' + 'a');
  return s;
}

static int
go_error (ferry_error_t *err, const char *op, const char *path, int errno_)
{
  cleanup_free char *why = go_strerror (errno_);

  return ferry_make_error (err, 0, "%s %s: %s", op, path, why);
}

/* Whether PATTERN compiles; else an error WHAT "PATTERN" in Podman's
 * words.  */
static int
check_regex (const char *what, const char *pattern, ferry_error_t *err)
{
  char why[256];
  regex_t re;
  int r = regcomp (&re, pattern, REG_EXTENDED | REG_NOSUB);

  if (r == 0)
    {
      regfree (&re);
      return 0;
    }
  regerror (r, &re, why, sizeof (why));
  /* Lower case, as Go's.  */
  if (why[0] >= 'A' && why[0] <= 'Z')
    why[0] = (char) (why[0] - 'A' + 'a');
  return ferry_make_error (err, 0, "invalid %s \"%s\": error parsing regexp: %s: `%s`", what, pattern, why,
                           pattern);
}

static int
regex_matches (const char *pattern, const char *s)
{
  regex_t re;
  int r;

  if (regcomp (&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
    return 0;
  r = regexec (&re, s, 0, NULL, 0) == 0;
  regfree (&re);
  return r;
}

static int
is_string_array (json_object *v)
{
  if (! json_object_is_type (v, json_type_array))
    return 0;
  for (size_t i = 0; i < json_object_array_length (v); i++)
    if (! json_object_is_type (json_object_array_get_idx (v, i), json_type_string))
      return 0;
  return 1;
}

/* The members of a 1.0.0 file, of the types the schema gives them; else
 * what is wrong, for "parsing hook".  */
static const char *
schema_error (json_object *file)
{
  json_object *hook = json_object_object_get (file, "hook");
  json_object *when = json_object_object_get (file, "when");
  json_object *v;

  if (hook && ! json_object_is_type (hook, json_type_object))
    return "\"hook\" must be an object";
  if ((v = json_object_object_get (hook, "path")) && ! json_object_is_type (v, json_type_string))
    return "\"hook.path\" must be a string";
  if ((v = json_object_object_get (hook, "args")) && ! is_string_array (v))
    return "\"hook.args\" must be a list of strings";
  if ((v = json_object_object_get (hook, "env")) && ! is_string_array (v))
    return "\"hook.env\" must be a list of strings";
  if ((v = json_object_object_get (hook, "timeout")) && ! json_object_is_type (v, json_type_int))
    return "\"hook.timeout\" must be an integer";
  if (when && ! json_object_is_type (when, json_type_object))
    return "\"when\" must be an object";
  if ((v = json_object_object_get (when, "always")) && ! json_object_is_type (v, json_type_boolean))
    return "\"when.always\" must be a boolean";
  if ((v = json_object_object_get (when, "hasBindMounts")) && ! json_object_is_type (v, json_type_boolean))
    return "\"when.hasBindMounts\" must be a boolean";
  if ((v = json_object_object_get (when, "commands")) && ! is_string_array (v))
    return "\"when.commands\" must be a list of strings";
  if ((v = json_object_object_get (when, "annotations")))
    {
      if (! json_object_is_type (v, json_type_object))
        return "\"when.annotations\" must be an object";
      json_object_object_foreach (v, key, value)
      {
        (void) key;
        if (! json_object_is_type (value, json_type_string))
          return "\"when.annotations\" values must be strings";
      }
    }
  if ((v = json_object_object_get (file, "stages")) && ! is_string_array (v))
    return "\"stages\" must be a list of strings";
  return NULL;
}

/* What Podman checks of a hook once read (its messages carry no file
 * name).  *SKIP: the hook's program is not there, which Podman passes
 * over.  */
static int
validate (json_object *file, int *skip, ferry_error_t *err)
{
  static const char *const stages[] = { "createContainer", "createRuntime",  "prestart",  "poststart",
                                        "poststop",        "startContainer", "precreate", NULL };
  json_object *hook = json_object_object_get (file, "hook");
  json_object *when = json_object_object_get (file, "when");
  const char *path = ferry_json_get_string (hook, "path");
  json_object *list;
  struct stat st;

  *skip = 0;
  if (path == NULL || *path == '\0')
    return ferry_make_error (err, 0, "missing required property: hook.path");
  if (stat (path, &st) < 0)
    {
      if (errno == ENOENT)
        return *skip = 1, 0;
      return go_error (err, "stat", path, errno);
    }
  list = json_object_object_get (when, "annotations");
  if (list)
    {
      json_object_object_foreach (list, key, value)
      {
        if (check_regex ("annotation key", key, err) < 0
            || check_regex ("annotation value", json_object_get_string (value), err) < 0)
          return -1;
      }
    }
  list = json_object_object_get (when, "commands");
  for (size_t i = 0; i < ferry_json_array_length (list); i++)
    if (check_regex ("command", json_object_get_string (json_object_array_get_idx (list, i)), err) < 0)
      return -1;
  list = json_object_object_get (file, "stages");
  if (list == NULL)
    return ferry_make_error (err, 0, "missing required property: stages");
  for (size_t i = 0; i < json_object_array_length (list); i++)
    {
      const char *stage = json_object_get_string (json_object_array_get_idx (list, i));
      size_t k = 0;

      while (stages[k] && strcmp (stages[k], stage) != 0)
        k++;
      if (stages[k] == NULL)
        return ferry_make_error (err, 0, "unknown stage \"%s\"", stage);
    }
  return 0;
}

/* One of a 0.1.0 file's two names for a member (NAME, else SYNONYM);
 * *WHY is BOTH when both are there.  */
static json_object *
legacy_member (json_object *file, const char *name, const char *synonym, const char *both, const char **why)
{
  json_object *a = json_object_object_get (file, name), *b = json_object_object_get (file, synonym);

  if (a && b)
    *why = both;
  return a ? a : b;
}

/* A file of the deprecated 0.1.0 schema, in *OUT as a 1.0.0 one whose
 * conditions are alternatives ("or"): the hook (a path) run with its
 * arguments after it, when its commands, annotation values or bind mounts
 * say so; NULL, else what is wrong.  */
static const char *
legacy_to_current (json_object *file, json_object **out)
{
  const char *why = NULL;
  json_object *hook = json_object_object_get (file, "hook");
  json_object *args = json_object_object_get (file, "arguments");
  json_object *stages = legacy_member (file, "stages", "stage", "cannot set both 'stage' and 'stages'", &why);
  json_object *cmds = legacy_member (file, "cmds", "cmd", "cannot set both 'cmd' and 'cmds'", &why);
  json_object *annotations = legacy_member (file, "annotations", "annotation",
                                            "cannot set both 'annotation' and 'annotations'", &why);
  json_object *bind = json_object_object_get (file, "hasbindmounts");
  json_object *current, *h, *when, *list;

  if (why)
    return why;
  if (hook && ! json_object_is_type (hook, json_type_string))
    return "\"hook\" must be a string";
  if ((args && ! is_string_array (args)) || (stages && ! is_string_array (stages))
      || (cmds && ! is_string_array (cmds)) || (annotations && ! is_string_array (annotations)))
    return "arguments, stages, cmds and annotations must be lists of strings";
  if (bind && ! json_object_is_type (bind, json_type_boolean))
    return "\"hasbindmounts\" must be a boolean";
  current = json_object_new_object ();
  h = json_object_new_object ();
  when = json_object_new_object ();
  json_object_object_add (current, "version", json_object_new_string (HOOK_VERSION));
  if (hook)
    {
      json_object_object_add (h, "path", json_object_get (hook));
      list = json_object_new_array ();
      json_object_array_add (list, json_object_get (hook));
      for (size_t i = 0; i < ferry_json_array_length (args); i++)
        json_object_array_add (list, json_object_get (json_object_array_get_idx (args, i)));
      json_object_object_add (h, "args", list);
    }
  json_object_object_add (current, "hook", h);
  json_object_object_add (when, "or", json_object_new_boolean (1));
  if (bind)
    json_object_object_add (when, "hasBindMounts", json_object_get (bind));
  if (cmds)
    json_object_object_add (when, "commands", json_object_get (cmds));
  if (ferry_json_array_length (annotations))
    {
      /* Any value matching any of them, whatever its key.  */
      cleanup_free char *any = xstrdup ("");

      for (size_t i = 0; i < json_object_array_length (annotations); i++)
        {
          char *next = xasprintf ("%s%s(%s)", any, i ? "|" : "",
                                  json_object_get_string (json_object_array_get_idx (annotations, i)));
          free (any);
          any = next;
        }
      list = json_object_new_object ();
      json_object_object_add (list, ".*", json_object_new_string (any));
      json_object_object_add (when, "annotations", list);
    }
  json_object_object_add (current, "when", when);
  if (stages)
    json_object_object_add (current, "stages", json_object_get (stages));
  *out = current;
  return NULL;
}

/* The hook file PATH, checked, in *OUT; NULL there when it is passed
 * over.  */
static int
read_file (const char *path, json_object **out, ferry_error_t *err)
{
  cleanup_json json_object *file = NULL;
  cleanup_free char *text = NULL;
  struct json_tokener *tok;
  enum json_tokener_error jerr;
  json_object *version;
  const char *why;
  size_t len = 0;
  int skip;

  *out = NULL;
  {
    cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
    cleanup_error ferry_error_t read_err = NULL;

    if (fd < 0)
      return errno == ENOENT ? 0 : go_error (err, "open", path, errno);
    if (ferry_read_fd_max (fd, path, SIZE_MAX, &text, &len, &read_err) < 0)
      return go_error (err, "read", path, read_err->status);
  }
  tok = json_tokener_new ();
  file = json_tokener_parse_ex (tok, text, (int) len);
  jerr = json_tokener_get_error (tok);
  if (file && tok->char_offset < (int) len
      && strspn (text + tok->char_offset, " \t\r\n") != len - tok->char_offset)
    jerr = json_tokener_error_parse_unexpected;
  json_tokener_free (tok);
  if (file == NULL || jerr != json_tokener_success)
    return ferry_make_error (err, 0, "parsing hook \"%s\": version check: %s", path,
                             jerr == json_tokener_continue || len == 0 ? "unexpected end of JSON input"
                                                                       : json_tokener_error_desc (jerr));
  if (! json_object_is_type (file, json_type_object))
    return ferry_make_error (err, 0, "parsing hook \"%s\": version check: a hook file is a JSON object",
                             path);
  version = json_object_object_get (file, "version");
  if (version && ! json_object_is_type (version, json_type_string))
    return ferry_make_error (err, 0, "parsing hook \"%s\": version check: \"version\" must be a string",
                             path);
  if (version == NULL || strcmp (json_object_get_string (version), "") == 0
      || strcmp (json_object_get_string (version), "0.1.0") == 0)
    {
      json_object *current = NULL;

      if ((why = legacy_to_current (file, &current)))
        return ferry_make_error (err, 0, "parsing hook \"%s\": %s: %s", path,
                                 version ? json_object_get_string (version) : "", why);
      json_object_put (file);
      file = current;
    }
  else if (strcmp (json_object_get_string (version), HOOK_VERSION) != 0)
    return ferry_make_error (err, 0, "parsing hook \"%s\": unrecognized hook version: \"%s\"", path,
                             json_object_get_string (version));
  else if ((why = schema_error (file)))
    return ferry_make_error (err, 0, "parsing hook \"%s\": " HOOK_VERSION ": %s", path, why);
  else
    /* Only a 0.1.0 file's conditions are alternatives.  */
    json_object_object_del (json_object_object_get (file, "when"), "or");
  if (validate (file, &skip, err) < 0)
    return -1;
  if (! skip)
    *out = steal_pointer (&file);
  return 0;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* DIR's hook files into BY_NAME (file name: hook), over those of the same
 * name already there.  Every bad file is told, the latest first, as
 * Podman chains them.  */
static int
read_dir (const char *dir, json_object *by_name, ferry_error_t *err)
{
  cleanup_dir DIR *d = opendir (dir);
  cleanup_strv char **names = NULL;
  cleanup_free char *errors = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;

  if (d == NULL)
    return errno == ENOENT ? 0 : go_error (err, "open", dir, errno);
  while ((de = readdir (d)))
    {
      size_t len = strlen (de->d_name);

      if (len < 5 || strcmp (de->d_name + len - 5, ".json") != 0)
        continue;
      /* Copied: the next readdir may reuse its buffer.  */
      if (n + 1 >= cap)
        names = xrealloc (names, sizeof (char *) * (cap = cap * 2 + 8));
      names[n++] = xstrdup (de->d_name);
      names[n] = NULL;
    }
  if (n > 1)
    qsort (names, n, sizeof (char *), compare_names);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *path = xasprintf ("%s/%s", dir, names[i]);
      ferry_error_t one = NULL;
      json_object *hook = NULL;

      if (read_file (path, &hook, &one) < 0)
        {
          char *chained = errors ? xasprintf ("%s: %s", one->msg, errors) : xstrdup (one->msg);

          ferry_error_release (&one);
          free (errors);
          errors = chained;
          continue;
        }
      if (hook)
        {
          json_object_object_add (hook, "name", json_object_new_string (names[i]));
          json_object_object_add (by_name, names[i], hook);
        }
    }
  if (errors)
    return ferry_make_error (err, 0, "%s", errors);
  return 0;
}

static int
compare_hooks (const void *a, const void *b)
{
  return strcasecmp (ferry_json_get_string (*(json_object *const *) a, "name"),
                     ferry_json_get_string (*(json_object *const *) b, "name"));
}

int
ferry_hooks_read (char *const *dirs, json_object **out, ferry_error_t *err)
{
  cleanup_json json_object *by_name = json_object_new_object ();
  json_object *list;

  *out = NULL;
  for (size_t i = 0; dirs && dirs[i]; i++)
    if (read_dir (dirs[i], by_name, err) < 0)
      return -1;
  list = json_object_new_array ();
  json_object_object_foreach (by_name, name, hook)
  {
    (void) name;
    json_object_array_add (list, json_object_get (hook));
  }
  json_object_array_sort (list, compare_hooks);
  *out = list;
  return 0;
}

/* Whether an annotation of ANNOTATIONS has a key that KEY_PATTERN matches
 * and a value that VALUE_PATTERN matches.  */
static int
annotation_matches (json_object *annotations, const char *key_pattern, const char *value_pattern)
{
  if (! json_object_is_type (annotations, json_type_object))
    return 0;
  json_object_object_foreach (annotations, key, value)
  {
    if (regex_matches (key_pattern, key) && regex_matches (value_pattern, json_object_get_string (value)))
      return 1;
  }
  return 0;
}

/* Whether the "when" of a hook holds, as Podman decides it.  */
static int
when_matches (json_object *when, json_object *spec, json_object *annotations, int has_bind_mounts,
              int *matches, ferry_error_t *err)
{
  json_object *v, *commands, *args;
  size_t n = 0;
  int or_;

  *matches = 0;
  /* A 0.1.0 hook's conditions are alternatives: the first that holds
   * decides, and one that does not rules nothing out.  */
  or_ = json_object_get_boolean (json_object_object_get (when, "or"));
  if ((v = json_object_object_get (when, "always")))
    {
      if (json_object_get_boolean (v))
        {
          if (or_)
            return *matches = 1, 0;
          n++;
        }
      else if (! or_)
        return 0;
    }
  if ((v = json_object_object_get (when, "hasBindMounts")))
    {
      if (json_object_get_boolean (v) && has_bind_mounts)
        {
          if (or_)
            return *matches = 1, 0;
          n++;
        }
      else if (! or_)
        return 0;
    }
  if ((v = json_object_object_get (when, "annotations")))
    {
      json_object_object_foreach (v, key, value)
      {
        if (annotation_matches (annotations, key, json_object_get_string (value)))
          {
            if (or_)
              return *matches = 1, 0;
            n++;
          }
        else if (! or_)
          return 0;
      }
    }
  commands = json_object_object_get (when, "commands");
  if (json_object_object_get (spec, "process") && ferry_json_array_length (commands))
    {
      const char *command;

      args = ferry_json_get_array (json_object_object_get (spec, "process"), "args");
      if (ferry_json_array_length (args) == 0)
        return ferry_make_error (err, 0, "process.args must have at least one entry");
      command = json_object_get_string (json_object_array_get_idx (args, 0));
      for (size_t i = 0; i < json_object_array_length (commands); i++)
        if (regex_matches (json_object_get_string (json_object_array_get_idx (commands, i)), command))
          return *matches = 1, 0;
      return 0;
    }
  *matches = n > 0;
  return 0;
}

static void
append_hook (json_object *parent, const char *stage, json_object *hook)
{
  json_object *list = json_object_object_get (parent, stage);

  if (! json_object_is_type (list, json_type_array))
    {
      list = json_object_new_array ();
      json_object_object_add (parent, stage, list);
    }
  json_object_array_add (list, json_object_get (hook));
}

int
ferry_hooks_inject (json_object *hooks, json_object *spec, json_object *annotations, int has_bind_mounts,
                    json_object **extension, ferry_error_t *err)
{
  cleanup_json json_object *ext = NULL;

  *extension = NULL;
  for (size_t i = 0; i < ferry_json_array_length (hooks); i++)
    {
      json_object *file = json_object_array_get_idx (hooks, i);
      json_object *stages = json_object_object_get (file, "stages");
      json_object *hook = json_object_object_get (file, "hook");
      json_object *spec_hooks;
      int matches;

      if (when_matches (json_object_object_get (file, "when"), spec, annotations, has_bind_mounts, &matches,
                        err)
          < 0)
        return ferry_error_wrap (err, "matching hook \"%s\"", ferry_json_get_string (file, "name"));
      if (! matches)
        continue;
      spec_hooks = json_object_object_get (spec, "hooks");
      if (! json_object_is_type (spec_hooks, json_type_object))
        {
          spec_hooks = json_object_new_object ();
          json_object_object_add (spec, "hooks", spec_hooks);
        }
      for (size_t k = 0; k < json_object_array_length (stages); k++)
        {
          const char *stage = json_object_get_string (json_object_array_get_idx (stages, k));

          if (strcmp (stage, "precreate") == 0 || strcmp (stage, "poststop") == 0)
            {
              if (ext == NULL)
                ext = json_object_new_object ();
              append_hook (ext, stage, hook);
            }
          else
            /* prestart is deprecated for createRuntime, which runs at the
             * same point: Podman hands it over as one.  */
            append_hook (spec_hooks, strcmp (stage, "prestart") == 0 ? "createRuntime" : stage, hook);
        }
    }
  *extension = steal_pointer (&ext);
  return 0;
}

static char **
strv_of (json_object *list, const char *first)
{
  size_t n = ferry_json_array_length (list);
  char **v = xmalloc0 (sizeof (char *) * (n + 2));
  size_t k = 0;

  if (n == 0 && first)
    v[k++] = (char *) first;
  for (size_t i = 0; i < n; i++)
    v[k++] = (char *) json_object_get_string (json_object_array_get_idx (list, i));
  return v;
}

/* Feeds INPUT to IN and gathers OUT (each -1 once done) until both are
 * done or DEADLINE (-1: none) passes.  */
static int
exchange (int in, int out, const char *input, char **output, size_t *len, long long deadline)
{
  size_t sent = 0, total = strlen (input), cap = 0;

  while (in >= 0 || out >= 0)
    {
      struct pollfd p[2] = { { .fd = in, .events = POLLOUT }, { .fd = out, .events = POLLIN } };
      long long left = deadline < 0 ? -1 : deadline - ferry_time_monotonic_ms ();
      ssize_t n;

      if ((deadline >= 0 && left <= 0)
          || (poll (p, 2, (int) (left > 1000 ? 1000 : left)) < 0 && errno != EINTR))
        {
          if (in >= 0)
            close (in);
          if (out >= 0)
            close (out);
          return -1;
        }
      if (in >= 0 && p[0].revents)
        {
          n = write (in, input + sent, total - sent);
          if (n > 0)
            sent += (size_t) n;
          if (n < 0 || sent == total)
            {
              close (in);
              in = -1;
            }
        }
      if (out >= 0 && p[1].revents)
        {
          if (*len + 4096 > cap)
            *output = xrealloc (*output, cap = (cap + 4096) * 2);
          n = read (out, *output + *len, cap - *len - 1);
          if (n > 0)
            *len += (size_t) n;
          else if (n == 0 || errno != EINTR)
            {
              close (out);
              out = -1;
            }
          (*output)[*len] = '\0';
        }
    }
  return 0;
}

int
ferry_hooks_exec (json_object *hook, const char *input, char **output, ferry_error_t *err)
{
  const char *path = ferry_json_get_string (hook, "path");
  cleanup_free char **argv = strv_of (json_object_object_get (hook, "args"), path);
  cleanup_free char **envp = strv_of (json_object_object_get (hook, "env"), NULL);
  int64_t timeout = ferry_json_get_int (hook, "timeout", 0);
  long long deadline = timeout > 0 ? ferry_time_monotonic_ms () + timeout * 1000 : -1;
  cleanup_free char *out_text = NULL;
  int in_pipe[2], out_pipe[2] = { -1, -1 }, status = 0, timed_out;
  size_t len = 0;
  pid_t pid;

  if (pipe2 (in_pipe, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot make a pipe for hook `%s`", path);
  if (output && pipe2 (out_pipe, O_CLOEXEC) < 0)
    {
      close (in_pipe[0]);
      close (in_pipe[1]);
      return ferry_make_error (err, errno, "cannot make a pipe for hook `%s`", path);
    }
  pid = fork ();
  if (pid < 0)
    {
      int e = errno;

      close (in_pipe[0]);
      close (in_pipe[1]);
      if (out_pipe[0] >= 0)
        {
          close (out_pipe[0]);
          close (out_pipe[1]);
        }
      return ferry_make_error (err, e, "cannot fork to run hook `%s`", path);
    }
  if (pid == 0)
    {
      int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);

      signal (SIGPIPE, SIG_DFL);
      dup2 (in_pipe[0], 0);
      dup2 (out_pipe[1] >= 0 ? out_pipe[1] : null_fd, 1);
      dup2 (null_fd, 2);
      execve (path, argv, envp);
      _exit (127);
    }
  close (in_pipe[0]);
  if (out_pipe[1] >= 0)
    close (out_pipe[1]);
  timed_out = exchange (in_pipe[1], out_pipe[0], input ? input : "", &out_text, &len, deadline) < 0;
  if (! timed_out && deadline >= 0)
    while (waitpid (pid, &status, WNOHANG) == 0)
      {
        if (ferry_time_monotonic_ms () >= deadline)
          {
            timed_out = 1;
            break;
          }
        usleep (10000);
      }
  if (timed_out)
    kill (pid, SIGKILL);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (timed_out)
    return ferry_make_error (err, 0, "executing %s: timed out after %" PRId64 "s", path, timeout);
  if (! WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return ferry_make_error (err, 0, "executing %s: exit status %d", path,
                             WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
  if (output)
    *output = out_text ? steal_pointer (&out_text) : xstrdup ("");
  return 0;
}
