#include "volume_options.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define FERRY_TAKES "it takes type=, device=, o=, nocopy and copy"

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

/* mount(8) options that do more than mount: run a helper program of
 * another name, make or chown directories elsewhere, pick loop devices.
 * A volume's options are data, not a way to run those.  */
static int
mount_word_refused (const char *word)
{
  static const char *const prefixes[] = { "helper=", "x-", "X-", "loop=", "offset=", "sizelimit=", NULL };
  size_t i;

  for (i = 0; prefixes[i]; i++)
    if (strncmp (word, prefixes[i], strlen (prefixes[i])) == 0)
      return 1;
  return 0;
}

/* The words of o=VALUE, comma-separated: uid=N and gid=N (the owner of
 * the volume's root), size=, inodes= and noquota (recorded as Podman
 * records them), and, for a volume that mounts a file system, the mount
 * options mount(8) takes.  *MOUNT_WORDS says whether there were any of
 * those.  */
static int
parse_o (const char *value, struct ferry_volume_options *out, int *mount_words, int *quota, int *noquota,
         ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (value);
  char *save = NULL, *word;

  out->uid = out->gid = FERRY_VOLUME_ID_UNSET;
  *mount_words = *quota = *noquota = 0;
  json_object_object_del (out->options, "UID");
  json_object_object_del (out->options, "GID");
  json_object_object_del (out->options, "SIZE");
  json_object_object_del (out->options, "INODES");
  json_object_object_del (out->options, "NOQUOTA");
  for (word = strtok_r (copy, ",", &save); word; word = strtok_r (NULL, ",", &save))
    {
      int is_uid = strncmp (word, "uid=", 4) == 0;
      int is_gid = strncmp (word, "gid=", 4) == 0;

      if (is_uid || is_gid)
        {
          long long *id = is_uid ? &out->uid : &out->gid;

          if (parse_id (word + 4, id) < 0)
            return ferry_make_error (err, 0, "cannot convert %s %s to integer: give a number",
                                     is_uid ? "UID" : "GID", word + 4);
          json_object_object_add (out->options, is_uid ? "UID" : "GID", json_object_new_string (word + 4));
          continue;
        }
      if (strncmp (word, "size=", 5) == 0 || strncmp (word, "inodes=", 7) == 0)
        {
          int is_size = word[0] == 's';

          *quota = 1;
          json_object_object_add (out->options, is_size ? "SIZE" : "INODES",
                                  json_object_new_string (strchr (word, '=') + 1));
          *mount_words = 1;
          continue;
        }
      if (strcmp (word, "noquota") == 0)
        {
          *noquota = 1;
          json_object_object_add (out->options, "NOQUOTA", json_object_new_string ("true"));
          continue;
        }
      if (mount_word_refused (word))
        return ferry_make_error (
            err, 0,
            "volume option o=%s: mount option `%s` is refused: it does more than mount a "
            "file system; give the file system's own options",
            value, word);
      *mount_words = 1;
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

/* A type= or device= value: printable, no comma, no leading '-' (mount(8)
 * would read an option), no "..", at most 4096 bytes.  */
static int
value_is_sane (const char *v)
{
  const char *p;

  if (*v == '\0' || *v == '-' || strlen (v) > 4096 || strstr (v, "..") != NULL)
    return 0;
  for (p = v; *p; p++)
    if ((unsigned char) *p <= ' ' || *p == 0x7f || *p == ',')
      return 0;
  return 1;
}

int
ferry_volume_options_parse (char *const *args, struct ferry_volume_options *out, ferry_error_t *err)
{
  static const char *const refused[] = { "size", "inodes", "noquota", "uid", "gid", NULL };
  int mount_words = 0, quota = 0, noquota = 0;
  const char *type, *device;
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
          if (parse_o (value, out, &mount_words, &quota, &noquota, err) < 0)
            return -1;
        }
      else if ((strcmp (key, "type") == 0 || strcmp (key, "device") == 0))
        {
          if (! value_is_sane (value))
            return ferry_make_error (err, 0,
                                     "volume option %s=%s is invalid: give a file system type or a device "
                                     "path, without commas, blanks or \"..\"",
                                     key, value);
        }
      else if (strcmp (key, "nocopy") != 0 && strcmp (key, "copy") != 0)
        {
          for (k = 0; refused[k] && strcmp (refused[k], key) != 0; k++)
            ;
          if (refused[k])
            return ferry_make_error (
                err, 0, "volume option %s is not supported: give it inside o= (o=%s=...); " FERRY_TAKES, key,
                key);
          return ferry_make_error (err, 0, "invalid mount option %s for driver 'local': invalid argument",
                                   key);
        }
      json_object_object_add (out->options, key, json_object_new_string (value));
    }
  type = ferry_volume_options_get (out->options, "type");
  device = ferry_volume_options_get (out->options, "device");
  if (noquota && quota && type == NULL && device == NULL)
    return ferry_make_error (err, 0, "volume options size and inodes cannot be used without quota");
  if (type == NULL && device == NULL && quota)
    return ferry_make_error (err, 0,
                             "volume options size and inodes not supported: ferry sets no project quota on a "
                             "volume's directory; give type=tmpfs for a volume of a limited size");
  if (type == NULL && device == NULL && mount_words)
    return ferry_make_error (err, 0, "volume option o=%s mounts a file system: give it type= and device= too",
                             ferry_volume_options_get (out->options, "o"));
  if (type == NULL && device != NULL && ! ferry_volume_options_bind (out->options))
    return ferry_make_error (err, 0,
                             "volume option device=%s needs type= (the file system on it), or o=bind for a "
                             "directory",
                             device);
  out->options = sorted (out->options);
  return 0;
}

const char *
ferry_volume_options_get (json_object *options, const char *key)
{
  json_object *v;

  if (options == NULL || ! json_object_object_get_ex (options, key, &v)
      || ! json_object_is_type (v, json_type_string))
    return NULL;
  return json_object_get_string (v);
}

int
ferry_volume_options_mounted (json_object *options)
{
  return ferry_volume_options_get (options, "type") != NULL
         || ferry_volume_options_get (options, "device") != NULL;
}

/* Whether WORD is one of the comma-separated words of LIST.  */
static int
has_word (const char *list, const char *word)
{
  size_t n = strlen (word);
  const char *p = list;

  while (p && *p)
    {
      const char *end = strchr (p, ',');
      size_t len = end ? (size_t) (end - p) : strlen (p);

      if (len == n && strncmp (p, word, n) == 0)
        return 1;
      p = end ? end + 1 : NULL;
    }
  return 0;
}

int
ferry_volume_options_bind (json_object *options)
{
  const char *o = ferry_volume_options_get (options, "o");
  const char *type = ferry_volume_options_get (options, "type");

  /* type=bind is Podman's other way to say o=bind.  */
  return (type && strcmp (type, "bind") == 0) || (o && (has_word (o, "bind") || has_word (o, "rbind")));
}

int
ferry_volume_options_in_memory (json_object *options)
{
  const char *type = ferry_volume_options_get (options, "type");

  return type && (strcmp (type, "tmpfs") == 0 || strcmp (type, "ramfs") == 0)
         && ! ferry_volume_options_bind (options);
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
