/* ferry: the cgroup v1 mounts of a container in the host's cgroup
 * namespace (cgroup_mounts.h).  */
#include "cgroup_mounts.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CGROUP_DIR "/sys/fs/cgroup/"

/* The fields of one mountinfo LINE that matter here: its root, its mount
 * point and its file system type.  0 when found.  */
static int
mountinfo_fields (char *line, char **root, char **point, char **type)
{
  char *save = NULL, *field;
  int i;

  *root = *point = *type = NULL;
  for (i = 0, field = strtok_r (line, " ", &save); field; i++, field = strtok_r (NULL, " ", &save))
    {
      if (i == 3)
        *root = field;
      else if (i == 4)
        *point = field;
      else if (i > 5 && strcmp (field, "-") == 0)
        {
          *type = strtok_r (NULL, " ", &save);
          break;
        }
    }
  return *root && *point && *type ? 0 : -1;
}

/* DIR, the cgroup's directory in the hierarchy mounted at POINT with
 * ROOT, as runc's bind mount source has it; NULL when the cgroup is not
 * below ROOT.  */
static char *
cgroup_directory (const char *point, const char *root, const char *cgroups_path)
{
  size_t n = strlen (root);

  if (strcmp (root, "/") == 0)
    return xasprintf ("%s%s", point, cgroups_path);
  if (strncmp (cgroups_path, root, n) != 0 || (cgroups_path[n] != '/' && cgroups_path[n] != '\0'))
    return NULL;
  return xasprintf ("%s%s", point, cgroups_path + n);
}

char *
ferry_cgroup_v1_mount_map (const char *mountinfo, const char *cgroups_path)
{
  cleanup_free char *copy = xstrdup (mountinfo);
  char *save = NULL, *line, *out = xstrdup ("");

  for (line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      cleanup_free char *dir = NULL;
      char *root, *point, *type, *name, *more;

      if (mountinfo_fields (line, &root, &point, &type) < 0 || strcmp (type, "cgroup") != 0
          || strncmp (point, CGROUP_DIR, strlen (CGROUP_DIR)) != 0)
        continue;
      name = point + strlen (CGROUP_DIR);
      /* Only a hierarchy right below /sys/fs/cgroup is one runc mounts.  */
      if (*name == '\0' || strchr (name, '/'))
        continue;
      dir = cgroup_directory (point, root, cgroups_path);
      if (dir == NULL)
        continue;
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
