/* ferry engine: --volumes-from (volumes_from.h).  */
#include "volumes_from.h"
#include "container.h"
#include "internal.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <string.h>

/* Splits SPEC at its first `:` into *NAME and the options' flags.  */
static int
parse_spec (const char *spec, char **name, int *readonly, int *readwrite, int *relabel, ferry_error_t *err)
{
  const char *colon = strchr (spec, ':');
  cleanup_free char *opts = NULL;
  char *save = NULL, *one;

  *readonly = *readwrite = *relabel = 0;
  *name = colon ? xstrndup (spec, colon - spec) : xstrdup (spec);
  if (colon == NULL)
    return 0;
  opts = xstrdup (colon + 1);
  for (one = strtok_r (opts, ",", &save); one; one = strtok_r (NULL, ",", &save))
    {
      if (strcmp (one, "ro") == 0)
        *readonly = 1;
      else if (strcmp (one, "rw") == 0)
        *readwrite = 1;
      else if (strcmp (one, "z") == 0)
        *relabel = 1;
      else
        break;
    }
  if (one || colon[1] == '\0' || (*readonly && *readwrite))
    {
      free (*name);
      *name = NULL;
      return ferry_make_error (
          err, 0,
          "invalid option \"%s\" specified - volumes from another container can only use "
          "z,ro,rw options",
          colon + 1);
    }
  return 0;
}

int
ferry_volumes_from_check (const char *spec, ferry_error_t *err)
{
  cleanup_free char *name = NULL;
  int ro, rw, z;

  return parse_spec (spec, &name, &ro, &rw, &z, err);
}

static int
has_destination (json_object *mounts, const char *dst)
{
  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    if (ferry_json_string_equals (json_object_array_get_idx (mounts, i), "Destination", dst))
      return 1;
  return 0;
}

/* SPEC's options (checked by parse_spec), in their order.  */
static json_object *
typed_words (const char *spec)
{
  cleanup_free char *opts = xstrdup (strchr (spec, ':') + 1);
  json_object *words = json_object_new_array ();
  char *save = NULL;

  for (char *one = strtok_r (opts, ",", &save); one; one = strtok_r (NULL, ",", &save))
    json_object_array_add (words, json_object_new_string (one));
  return words;
}

/* Their bind M into MOUNTS, as Podman carries the binds typed for the
 * container (not those it carried itself): mounted, read-only with ro
 * (OPTIONS given: their options replaced), but not shown as the new
 * container's own.  */
static void
add_bind (json_object *m, json_object *mounts, int options, int ro, int z)
{
  json_object *mine = json_object_new_object (), *rwv;
  int writable = ! json_object_object_get_ex (m, "RW", &rwv) || json_object_get_boolean (rwv);

  if (options)
    writable = ! ro;
  json_object_object_add (mine, "Type", json_object_new_string ("bind"));
  json_object_object_add (mine, "Source", json_object_new_string (ferry_json_get_string (m, "Source")));
  json_object_object_add (mine, "Destination",
                          json_object_new_string (ferry_json_get_string (m, "Destination")));
  json_object_object_add (mine, "RW", json_object_new_boolean (writable));
  json_object_object_add (mine, "FromContainer", json_object_new_boolean (1));
  if (z)
    json_object_object_add (mine, "Mode", json_object_new_string ("z"));
  if (! options && ferry_json_get_array (m, "Options"))
    json_object_object_add (mine, "Options", json_object_get (ferry_json_get_array (m, "Options")));
  json_object_array_add (mounts, mine);
}

/* M, a mount of container C that --volumes-from does not carry (a tmpfs,
 * an image, a devpts), told to WARN as Podman warns of it.  */
static void
warn_not_carried (const struct ferry_container *c, json_object *m, void (*warn) (const char *msg))
{
  const char *dst = ferry_json_get_string (m, "Destination");
  cleanup_free char *msg = NULL;

  if (warn == NULL || dst == NULL || ferry_mount_is_carried_bind (m))
    return;
  msg = xasprintf ("Unable to match volume %s from container %s for volumes-from", dst, c->id);
  warn (msg);
}

/* The volumes and binds of the container SPEC names, into MOUNTS.  */
static int
add_from (ferry_engine_t *e, const char *spec, json_object *mounts, void (*warn) (const char *msg),
          ferry_error_t *err)
{
  cleanup_free char *name = NULL;
  struct ferry_container *c = NULL;
  json_object *theirs;
  int ro, rw, z, options;

  if (parse_spec (spec, &name, &ro, &rw, &z, err) < 0)
    return -1;
  options = ro || rw || z;
  if (*name == '\0')
    return ferry_make_error (err, 0,
                             "looking up container \"\" for volumes-from: name or ID cannot be empty");
  if (ferry_container_find (e, name, &c, err) < 0)
    return ferry_error_wrap (err, "looking up container \"%s\" for volumes-from", name);
  theirs = ferry_json_get_array (c->record, "Mounts");
  for (size_t i = 0; i < ferry_json_array_length (theirs); i++)
    {
      json_object *m = json_object_array_get_idx (theirs, i), *mine, *rwv;
      const char *dst = ferry_json_get_string (m, "Destination");
      const char *vol = ferry_json_get_string (m, "Name");
      int writable;

      if (ferry_json_string_equals (m, "Type", "bind") && dst && ! has_destination (mounts, dst)
          && ! ferry_mount_is_carried_bind (m))
        {
          add_bind (m, mounts, options, ro, z);
          continue;
        }
      if (! ferry_json_string_equals (m, "Type", "volume") && ! ferry_json_string_equals (m, "Type", "bind"))
        warn_not_carried (c, m, warn);
      if (! ferry_json_string_equals (m, "Type", "volume") || dst == NULL || vol == NULL
          || has_destination (mounts, dst))
        continue;
      writable = ! json_object_object_get_ex (m, "RW", &rwv) || json_object_get_boolean (rwv);
      /* Options given are the volume's options, as Podman takes them:
       * read-write unless ro, none of theirs.  */
      if (options)
        writable = ! ro;
      mine = json_object_new_object ();
      json_object_object_add (mine, "Type", json_object_new_string ("volume"));
      json_object_object_add (mine, "Name", json_object_new_string (vol));
      json_object_object_add (mine, "Destination", json_object_new_string (dst));
      json_object_object_add (mine, "RW", json_object_new_boolean (writable));
      /* Already filled, or to be filled by its own container: never from
       * this one's image.  */
      json_object_object_add (mine, "NoCopy", json_object_new_boolean (1));
      if (z)
        json_object_object_add (mine, "Mode", json_object_new_string ("z"));
      /* Their exec, suid, dev and propagation, and their options as
       * typed, as Podman carries them when none are given.  */
      if (options)
        json_object_object_add (mine, "TypedOptions", typed_words (spec));
      else
        {
          if (ferry_json_get_array (m, "Options"))
            json_object_object_add (mine, "Options", json_object_get (ferry_json_get_array (m, "Options")));
          if (ferry_json_get_array (m, "TypedOptions"))
            json_object_object_add (mine, "TypedOptions",
                                    json_object_get (ferry_json_get_array (m, "TypedOptions")));
        }
      /* The same part of the volume as theirs.  */
      if (ferry_json_get_string (m, "SubPath"))
        json_object_object_add (mine, "SubPath",
                                json_object_new_string (ferry_json_get_string (m, "SubPath")));
      json_object_array_add (mounts, mine);
    }
  ferry_container_free (c);
  return 0;
}

int
ferry_volumes_from_resolve (ferry_engine_t *e, char **specs, json_object *mounts,
                            void (*warn) (const char *msg), ferry_error_t *err)
{
  size_t n = 0;

  while (specs && specs[n])
    n++;
  /* Last first: a destination taken stays taken, so the later wins.  */
  while (n-- > 0)
    if (add_from (e, specs[n], mounts, warn, err) < 0)
      return -1;
  return 0;
}
