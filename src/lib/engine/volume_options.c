#include "volume_options.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define FERRY_TAKES "it takes o=uid=N,gid=N, nocopy and copy"

/* Go's strconv.Atoi, as Podman reads an ID: an optional sign and decimal
 * digits that fit an int.  */
static int
parse_id (const char *s, long long *out)
{
  char *end;
  long long v;

  if (*s == '\0' || strchr ("+-0123456789", *s) == NULL)
    return -1;
  errno = 0;
  v = strtoll (s, &end, 10);
  if (errno != 0 || *end != '\0' || v < INT_MIN || v > INT_MAX)
    return -1;
  *out = v;
  return 0;
}

/* The words of o=VALUE, comma-separated; each must be uid=N or gid=N.  */
static int
parse_o (const char *value, struct ferry_volume_options *out, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (value);
  char *save = NULL, *word;

  out->uid = out->gid = FERRY_VOLUME_ID_UNSET;
  json_object_object_del (out->options, "UID");
  json_object_object_del (out->options, "GID");
  for (word = strtok_r (copy, ",", &save); word; word = strtok_r (NULL, ",", &save))
    {
      int is_uid = strncmp (word, "uid=", 4) == 0;
      int is_gid = strncmp (word, "gid=", 4) == 0;
      long long *id = is_uid ? &out->uid : &out->gid;

      if (! is_uid && ! is_gid)
        return ferry_make_error (err, 0,
                                 "volume option o=%s is not supported: ferry mounts no file system for a "
                                 "volume (`%s`); " FERRY_TAKES,
                                 value, word);
      if (parse_id (word + 4, id) < 0)
        return ferry_make_error (err, 0, "cannot convert %s %s to integer: give a number",
                                 is_uid ? "UID" : "GID", word + 4);
      json_object_object_add (out->options, is_uid ? "UID" : "GID", json_object_new_string (word + 4));
    }
  return 0;
}

static int
compare_keys (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* O with its keys in order, as Podman (a Go map) prints them.  */
static json_object *
sorted (json_object *o)
{
  json_object *out = json_object_new_object ();
  size_t n = json_object_object_length (o), i = 0;
  cleanup_free const char **keys = xmalloc0 (sizeof (char *) * (n + 1));

  json_object_object_foreach (o, key, value)
  {
    (void) value;
    keys[i++] = key;
  }
  qsort (keys, n, sizeof (char *), compare_keys);
  for (i = 0; i < n; i++)
    {
      json_object *v;

      json_object_object_get_ex (o, keys[i], &v);
      json_object_object_add (out, keys[i], json_object_get (v));
    }
  json_object_put (o);
  return out;
}

int
ferry_volume_options_parse (char *const *args, struct ferry_volume_options *out, ferry_error_t *err)
{
  static const char *const mounted[] = { "type", "device", "size", "inodes", "noquota", "uid", "gid", NULL };
  size_t i, k;

  out->options = json_object_new_object ();
  out->uid = out->gid = FERRY_VOLUME_ID_UNSET;
  for (i = 0; args && args[i]; i++)
    {
      const char *eq = strchr (args[i], '=');
      cleanup_free char *key = eq ? xstrndup (args[i], eq - args[i]) : xstrdup (args[i]);
      const char *value = eq ? eq + 1 : "";

      if (*key == '\0')
        return ferry_make_error (err, 0, "unable to process options: invalid label format: \"%s\"", args[i]);
      if (strcmp (key, "o") == 0)
        {
          if (parse_o (value, out, err) < 0)
            return -1;
        }
      else if (strcmp (key, "nocopy") != 0 && strcmp (key, "copy") != 0)
        {
          for (k = 0; mounted[k] && strcmp (mounted[k], key) != 0; k++)
            ;
          if (mounted[k])
            return ferry_make_error (err, 0,
                                     "volume option %s is not supported: ferry mounts no file system for a "
                                     "volume; " FERRY_TAKES,
                                     key);
          return ferry_make_error (err, 0, "invalid mount option %s for driver 'local': invalid argument",
                                   key);
        }
      json_object_object_add (out->options, key, json_object_new_string (value));
    }
  out->options = sorted (out->options);
  return 0;
}

void
ferry_volume_options_release (struct ferry_volume_options *o)
{
  json_object_put (o->options);
  o->options = NULL;
}

long long
ferry_volume_options_id (json_object *options, const char *key)
{
  json_object *v;
  long long id;

  if (options == NULL || ! json_object_object_get_ex (options, key, &v)
      || ! json_object_is_type (v, json_type_string) || parse_id (json_object_get_string (v), &id) < 0)
    return FERRY_VOLUME_ID_UNSET;
  return id;
}

int
ferry_volume_options_nocopy (json_object *options)
{
  return options != NULL && json_object_object_get_ex (options, "nocopy", NULL);
}
