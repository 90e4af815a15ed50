#include "mount_flags.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int
is_bind (json_object *mount)
{
  const char *type = ferry_json_get_string (mount, "type");

  return type && strcmp (type, "bind") == 0 && ferry_json_get_string (mount, "source")
         && ferry_json_get_string (mount, "destination");
}

int
ferry_mount_flags_shared_sources (json_object *spec)
{
  json_object *mounts = ferry_json_get_array (spec, "mounts");
  size_t n = ferry_json_array_length (mounts);
  cleanup_free struct stat *seen = xmalloc0 (sizeof (*seen) * (n + 1));
  size_t n_seen = 0;

  for (size_t i = 0; i < n; i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      struct stat st;

      if (! is_bind (m) || stat (ferry_json_get_string (m, "source"), &st) < 0)
        continue;
      for (size_t j = 0; j < n_seen; j++)
        if (seen[j].st_dev == st.st_dev && seen[j].st_ino == st.st_ino)
          return 1;
      seen[n_seen++] = st;
    }
  return 0;
}

/* The MS_ flags MOUNT's options ask for, of those a bind mount has for
 * itself.  */
static unsigned long
wanted_flags (json_object *mount)
{
  static const struct
  {
    const char *name;
    unsigned long flag;
  } names[]
      = { { "ro", MS_RDONLY }, { "nosuid", MS_NOSUID }, { "nodev", MS_NODEV }, { "noexec", MS_NOEXEC } };
  json_object *options = ferry_json_get_array (mount, "options");
  unsigned long flags = 0;

  for (size_t i = 0; i < ferry_json_array_length (options); i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (options, i));

      for (size_t k = 0; o && k < sizeof (names) / sizeof (names[0]); k++)
        if (strcmp (o, names[k].name) == 0)
          flags |= names[k].flag;
      if (o && strcmp (o, "rw") == 0)
        flags &= ~(unsigned long) MS_RDONLY;
    }
  return flags;
}

/* The per-mount flags statvfs reports, as MS_ flags.  */
static unsigned long
current_flags (unsigned long st)
{
  unsigned long flags = 0;

  flags |= (st & ST_RDONLY) ? MS_RDONLY : 0;
  flags |= (st & ST_NOSUID) ? MS_NOSUID : 0;
  flags |= (st & ST_NODEV) ? MS_NODEV : 0;
  flags |= (st & ST_NOEXEC) ? MS_NOEXEC : 0;
  flags |= (st & ST_NOATIME) ? MS_NOATIME : 0;
  flags |= (st & ST_NODIRATIME) ? MS_NODIRATIME : 0;
  flags |= (st & ST_RELATIME) ? MS_RELATIME : 0;
  return flags;
}

int
ferry_mount_flags_restore (const char *config_path, pid_t pid, ferry_error_t *err)
{
  cleanup_json json_object *spec = ferry_json_parse_file (config_path, "the container's config.json", err);
  cleanup_free char *ns_path = xasprintf ("/proc/%d/ns/mnt", (int) pid);
  cleanup_close int ns = -1;
  json_object *mounts;

  if (spec == NULL)
    return -1;
  if (pid <= 0)
    return ferry_make_error (err, 0, "no restored process to remount the bind mounts of");
  ns = open (ns_path, O_RDONLY | O_CLOEXEC);
  if (ns < 0 || setns (ns, CLONE_NEWNS) < 0)
    return ferry_make_error (err, errno, "cannot enter the mount namespace of process %d", (int) pid);
  /* Paths from here are the container's: its root is this one's.  The
   * restored processes do not run yet, so nothing can move under them; a
   * path that leads elsewhere in the container only makes that mount more
   * restricted.  */
  mounts = ferry_json_get_array (spec, "mounts");
  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *dest = ferry_json_get_string (m, "destination");
      unsigned long want, have;
      struct statvfs sv;

      if (! is_bind (m) || dest[0] != '/' || (want = wanted_flags (m)) == 0)
        continue;
      if (statvfs (dest, &sv) < 0)
        return ferry_make_error (err, errno, "cannot inspect the restored mount at %s", dest);
      have = current_flags (sv.f_flag);
      if ((have & want) == want)
        continue;
      if (mount (NULL, dest, NULL, MS_REMOUNT | MS_BIND | have | want, NULL) < 0)
        return ferry_make_error (err, errno, "cannot make the restored mount at %s %s again", dest,
                                 (want & MS_RDONLY) ? "read-only" : "nosuid,nodev");
    }
  return 0;
}
