#include "mounts.h"

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

/* Mountinfo writes ' ', '\t', '\n' and '\\' as octal escapes.  */
static void
unescape_mountinfo (char *s)
{
  char *o = s;

  for (char *p = s; *p; p++)
    {
      if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0'
          && p[3] <= '7')
        {
          *o++ = (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
          p += 3;
        }
      else
        *o++ = *p;
    }
  *o = '\0';
}

char **
unit_mount_points (void)
{
  cleanup_fclose FILE *f = fopen ("/proc/self/mountinfo", "re");
  cleanup_free char *line = NULL;
  char **points = xmalloc0 (sizeof (char *));
  size_t cap = 0, n = 0;

  while (f && getline (&line, &cap, f) > 0)
    {
      char mnt[4096];

      if (sscanf (line, "%*s %*s %*s %*s %4095s", mnt) != 1)
        continue;
      unescape_mountinfo (mnt);
      ferry_strv_append (&points, &n, mnt);
    }
  return points;
}

void
unit_unmount_all_below (const char *root)
{
  size_t len = strlen (root);

  for (int round = 0; round < 1000; round++)
    {
      cleanup_strv char **points = unit_mount_points ();
      const char *victim = NULL;

      for (size_t i = 0; points[i]; i++)
        if (strncmp (points[i], root, len) == 0 && (points[i][len] == '\0' || points[i][len] == '/'))
          victim = points[i];
      if (victim == NULL || umount2 (victim, MNT_DETACH) < 0)
        return;
    }
}

void
unit_remove_test_dir (const char *root)
{
  cleanup_error ferry_error_t err = NULL;

  unit_unmount_all_below (root);
  if (ferry_rm_rf (root, &err) < 0)
    fprintf (stderr, "teardown: %s\n", err->msg);
}
