/* ferry: the cgroup v1 mounts of a container in the host's cgroup
 * namespace (cgroup_mounts.h).  */
#include "cgroup_mounts.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CGROUP_DIR "/sys/fs/cgroup/"

/* The fields of one mountinfo LINE that matter here: its mount point and
 * its file system type.  0 when found.  */
static int
mountinfo_fields (char *line, char **point, char **type)
{
  char *save = NULL, *field;
  int i;

  *point = *type = NULL;
  for (i = 0, field = strtok_r (line, " ", &save); field; i++, field = strtok_r (NULL, " ", &save))
    {
      if (i == 4)
        *point = field;
      else if (i > 5 && strcmp (field, "-") == 0)
        {
          *type = strtok_r (NULL, " ", &save);
          break;
        }
    }
  return *point && *type ? 0 : -1;
}

static int
is_bind_mount (json_object *m)
{
  json_object *opts = ferry_json_get_array (m, "options");

  if (ferry_json_string_equals (m, "type", "bind"))
    return 1;
  for (size_t i = 0; i < ferry_json_array_length (opts); i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (opts, i));
      if (o && (strcmp (o, "bind") == 0 || strcmp (o, "rbind") == 0))
        return 1;
    }
  return 0;
}

/* The source of the last bind mount SPEC has at DESTINATION, NULL when
 * none: CRIU knows both mounts there by that one name, and the last one
 * is the one the container sees.  */
static const char *
bind_source_over (json_object *spec, const char *destination)
{
  json_object *mounts = ferry_json_get_array (spec, "mounts");
  const char *source = NULL;

  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);

      if (ferry_json_string_equals (m, "destination", destination) && is_bind_mount (m))
        source = ferry_json_get_string (m, "source");
    }
  return source;
}

char *
ferry_cgroup_v1_mount_map (const char *mountinfo, const char *cgroups_path, json_object *spec)
{
  cleanup_free char *copy = xstrdup (mountinfo);
  char *save = NULL, *line, *out = xstrdup ("");

  for (line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      cleanup_free char *dir = NULL;
      char *point, *type, *name, *more;

      if (mountinfo_fields (line, &point, &type) < 0 || strcmp (type, "cgroup") != 0
          || strncmp (point, CGROUP_DIR, strlen (CGROUP_DIR)) != 0)
        continue;
      name = point + strlen (CGROUP_DIR);
      /* Only a hierarchy right below /sys/fs/cgroup is one runc mounts.  */
      if (*name == '\0' || strchr (name, '/'))
        continue;
      /* runc makes an absolute cgroupsPath right below each hierarchy's
       * mount point.  */
      if (spec && bind_source_over (spec, point))
        dir = xstrdup (bind_source_over (spec, point));
      else
        dir = xasprintf ("%s%s", point, cgroups_path);
      if (strpbrk (dir, "\"\\\n") != NULL)
        {
          free (out);
          return NULL;
        }
      more = xasprintf ("%sext-mount-map \"%s:%s\"\n", out, point, dir);
      free (out);
      out = more;
    }
  return out;
}

/* Whether CGROUPS_PATH is one a container's cgroup can have: absolute,
 * below some parent, and without "." or ".." components.  */
static int
cgroups_path_is_clean (const char *cgroups_path)
{
  cleanup_free char *copy = NULL;
  char *save = NULL, *c;
  int n = 0;

  if (cgroups_path == NULL || cgroups_path[0] != '/')
    return 0;
  copy = xstrdup (cgroups_path);
  for (c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save), n++)
    if (strcmp (c, ".") == 0 || strcmp (c, "..") == 0)
      return 0;
  return n >= 2 && cgroups_path[strlen (cgroups_path) - 1] != '/';
}

char **
ferry_cgroup_dirs (const char *mountinfo, const char *cgroups_path)
{
  cleanup_free char *copy = xstrdup (mountinfo ? mountinfo : "");
  char **dirs = xmalloc0 (sizeof (char *));
  size_t n = 0;
  char *save = NULL, *line;

  if (! cgroups_path_is_clean (cgroups_path))
    return dirs;
  for (line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *point, *type;

      /* Below the mount point also where the hierarchy is mounted from
       * below its root (ferry in a container): where runc makes it.  */
      if (mountinfo_fields (line, &point, &type) < 0
          || (strcmp (type, "cgroup") != 0 && strcmp (type, "cgroup2") != 0)
          || strncmp (point, CGROUP_DIR, strlen (CGROUP_DIR)) != 0 || strchr (point, '\\'))
        continue;
      dirs = xrealloc (dirs, sizeof (char *) * (n + 2));
      dirs[n++] = xasprintf ("%s%s", point, cgroups_path);
      dirs[n] = NULL;
    }
  return dirs;
}
