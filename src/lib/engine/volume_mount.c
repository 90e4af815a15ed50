/* ferry: volumes that mount a file system (see volume_mount.h).  */
#include "volume_mount.h"
#include "volume.h"
#include "internal.h"
#include "../state/lock.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Counts above this are damage, not use.  */
#define USER_COUNT_MAX 1000000

/* ---- the file system ---------------------------------------------------------- */

static const char *
mount_binary (void)
{
  return access ("/usr/bin/mount", X_OK) == 0 ? "/usr/bin/mount" : "/bin/mount";
}

/* Runs mount(8) for OPTIONS on TARGET; in a mount namespace of its own
 * when PRIVATE (a trial: the mount ends with the child).  The first line
 * mount(8) wrote on its stderr goes into the error.  */
static int
run_mount (json_object *options, const char *target, int private_ns, ferry_error_t *err)
{
  const char *type = ferry_volume_options_get (options, "type");
  const char *device = ferry_volume_options_get (options, "device");
  const char *o = ferry_volume_options_get (options, "o");
  cleanup_free char *bind_o = NULL;
  const char *argv[12];
  char msg[1024];
  size_t n = 0, len = 0;
  int pipefd[2], status;
  ssize_t r;
  pid_t pid;

  argv[n++] = "mount";
  /* type=bind is no file system: mount(8) binds with -o bind.  */
  if (type && strcmp (type, "bind") == 0)
    {
      type = NULL;
      o = bind_o = o && *o ? xasprintf ("bind,%s", o) : xstrdup ("bind");
    }
  if (type && *type)
    {
      argv[n++] = "-t";
      argv[n++] = type;
    }
  if (o && *o)
    {
      argv[n++] = "-o";
      argv[n++] = o;
    }
  argv[n++] = "--";
  argv[n++] = device && *device ? device : "none";
  argv[n++] = target;
  argv[n] = NULL;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot create a pipe for mount(8)");
  pid = fork ();
  if (pid < 0)
    {
      close (pipefd[0]);
      close (pipefd[1]);
      return ferry_make_error (err, errno, "cannot start mount(8)");
    }
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDWR | O_CLOEXEC);

      if (null < 0 || dup2 (null, 0) < 0 || dup2 (null, 1) < 0 || dup2 (pipefd[1], 2) < 0)
        _exit (126);
      if (private_ns && (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0))
        {
          dprintf (2, "cannot make a mount namespace for a trial mount: %s\n", strerror (errno));
          _exit (126);
        }
      execv (mount_binary (), (char *const *) argv);
      dprintf (2, "cannot run %s: %s\n", mount_binary (), strerror (errno));
      _exit (127);
    }
  close (pipefd[1]);
  while (len < sizeof (msg) - 1 && (r = read (pipefd[0], msg + len, sizeof (msg) - 1 - len)) != 0)
    {
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        break;
      len += r;
    }
  msg[len] = '\0';
  close (pipefd[0]);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return ferry_make_error (err, errno, "cannot wait for mount(8)");
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  msg[strcspn (msg, "\n")] = '\0';
  /* A trial's target is a temporary name that means nothing to the
   * user: what the kernel said is the message.  */
  if (private_ns)
    {
      cleanup_free char *prefix = xasprintf ("mount: %s: ", target);
      if (strncmp (msg, prefix, strlen (prefix)) == 0)
        memmove (msg, msg + strlen (prefix), strlen (msg + strlen (prefix)) + 1);
    }
  return ferry_make_error (err, 0, "%s", *msg ? msg : "mount(8) failed");
}

/* Whether the kernel knows file system TYPE (/proc/filesystems).  */
static int
kernel_knows (const char *type)
{
  cleanup_fclose FILE *f = fopen ("/proc/filesystems", "re");
  char line[256];

  if (f == NULL)
    return 1; /* mount(8) will say */
  while (fgets (line, sizeof (line), f))
    {
      char *name = strrchr (line, '\t');

      name = name ? name + 1 : line;
      name[strcspn (name, "\n")] = '\0';
      if (strcmp (name, type) == 0)
        return 1;
    }
  return 0;
}

int
ferry_volume_fs_check (json_object *options, const char *target, ferry_error_t *err)
{
  const char *type = ferry_volume_options_get (options, "type");
  const char *device = ferry_volume_options_get (options, "device");
  int bind = ferry_volume_options_bind (options);
  struct stat st;

  if (type && ! bind && strcmp (type, "none") != 0 && ! kernel_knows (type))
    return ferry_make_error (err, 0,
                             "volume option type=%s: the kernel knows no such file system (see "
                             "/proc/filesystems)",
                             type);
  if (bind && (device == NULL || device[0] != '/'))
    return ferry_make_error (err, 0,
                             "volume option o=bind needs device= with the absolute path of a directory");
  if (device && device[0] == '/')
    {
      if (stat (device, &st) < 0 && errno == ENOENT && type && strcmp (type, "bind") == 0)
        return ferry_make_error (
            err, 0,
            "invalid volume option device for driver 'local': faccessat %s: no such file or directory",
            device);
      if (stat (device, &st) < 0)
        return ferry_make_error (err, errno, "volume option device=%s: cannot use it", device);
      if (bind && ! S_ISDIR (st.st_mode))
        return ferry_make_error (err, ENOTDIR, "volume option device=%s: o=bind needs a directory", device);
      if (! bind && ! S_ISBLK (st.st_mode) && ! S_ISREG (st.st_mode))
        return ferry_make_error (err, 0,
                                 "volume option device=%s is neither a block device nor a file system image: "
                                 "give one, or o=bind for a directory",
                                 device);
    }
  else if (device && strchr (device, '/') && strchr (device, ':') == NULL)
    return ferry_make_error (err, 0, "volume option device=%s: give a device as an absolute path", device);
  if (run_mount (options, target, 1, err) < 0)
    return ferry_error_wrap (
        err, "the volume's options do not mount (mount -t %s -o %s %s)", type ? type : "''",
        ferry_volume_options_get (options, "o") ? ferry_volume_options_get (options, "o") : "''",
        device ? device : "none");
  return 0;
}

static int
mount_id (const char *path, unsigned long long *id)
{
  struct statx stx;

  if (statx (AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0 || ! (stx.stx_mask & STATX_MNT_ID))
    return -1;
  *id = stx.stx_mnt_id;
  return 0;
}

int
ferry_volume_fs_is_mounted (const char *path)
{
  cleanup_free char *parent = xasprintf ("%s/..", path);
  unsigned long long a, b;

  if (mount_id (path, &a) < 0 || mount_id (parent, &b) < 0)
    return 0;
  return a != b;
}

int
ferry_volume_fs_unmount (const char *path, ferry_error_t *err)
{
  int i;

  /* Each layer a race stacked; a host process still in it (a shell's
   * working directory) holds the file system busy: detached, it goes
   * when that process lets go, and the volume's directory is free.  */
  for (i = 0; i < 16 && ferry_volume_fs_is_mounted (path); i++)
    if (umount2 (path, UMOUNT_NOFOLLOW) < 0 && umount2 (path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
      return ferry_make_error (err, errno, "cannot unmount `%s`", path);
  return 0;
}

/* ---- who uses a volume ------------------------------------------------------------ */

static char *
volume_dir (ferry_engine_t *e, const char *name)
{
  return xasprintf ("%s/volumes/%s", e->root, name);
}

static char *
user_count_path (ferry_engine_t *e, const char *name)
{
  return xasprintf ("%s/volume-mounts/%s", e->runroot, name);
}

/* The count `volume mount` left for NAME; 0 when there is none or it is
 * damaged (read as untrusted: digits only, bounded).  */
static int
read_user_count (ferry_engine_t *e, const char *name)
{
  cleanup_free char *path = user_count_path (e, name);
  cleanup_free char *text = NULL;
  cleanup_error ferry_error_t err = NULL;
  size_t len = 0, digits;
  long v;

  if (ferry_read_file (path, &text, &len, &err) < 0)
    return 0;
  digits = strspn (text, "0123456789");
  if (digits == 0 || digits > 7 || (text[digits] != '\0' && text[digits] != '\n'))
    return 0;
  v = strtol (text, NULL, 10);
  return v > USER_COUNT_MAX ? 0 : (int) v;
}

static int
write_user_count (ferry_engine_t *e, const char *name, int count, ferry_error_t *err)
{
  cleanup_free char *dir = xasprintf ("%s/volume-mounts", e->runroot);
  cleanup_free char *path = user_count_path (e, name);
  cleanup_free char *text = xasprintf ("%d\n", count);

  if (count == 0)
    {
      unlink (path);
      return 0;
    }
  if (ferry_mkdir_p (dir, 0700, err) < 0
      || ferry_write_file_atomic (path, text, strlen (text), 0600, err) < 0)
    return ferry_error_wrap (err, "cannot record the mount count of volume %s", name);
  return 0;
}

/* Container C (found, its lock free or ours) keeps a volume mounted.  */
static int
container_keeps (ferry_engine_t *e, const struct ferry_container *c, int in_memory)
{
  cleanup_free char *cdir = NULL;
  cleanup_free char *inventory = NULL;

  if (ferry_container_has_monitor (c) || c->operation)
    return 1;
  if (! in_memory || ! ferry_container_is_checkpointed (c))
    return 0;
  cdir = ferry_engine_container_dir (e, c->id);
  inventory = xasprintf ("%s/checkpoint/inventory.img", cdir);
  return ferry_path_exists (inventory);
}

/* How many users keep volume NAME mounted, SELF (whose lock the caller
 * holds, or NULL) judged as it stands.  With PROBE, a container whose
 * lock another ferry holds counts (it may be starting on the volume);
 * without, only what the records say counts (for inspect).  */
static int
count_users (ferry_engine_t *e, const char *name, json_object *options, const struct ferry_container *self,
             int probe)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_error ferry_error_t err = NULL;
  int in_memory = ferry_volume_options_in_memory (options);
  char **ids = NULL;
  size_t n = 0, i;
  int count = read_user_count (e, name);

  st = ferry_db_prepare (e->db, "SELECT DISTINCT container_id FROM container_volumes WHERE volume = ?", &err);
  if (st == NULL)
    return 1; /* cannot tell: keep it */
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      ids = xrealloc (ids, sizeof (char *) * (n + 1));
      ids[n++] = xstrdup ((const char *) sqlite3_column_text (st, 0));
    }
  sqlite3_finalize (steal_pointer (&st));
  for (i = 0; i < n; i++)
    {
      cleanup_free char *lock_name = xasprintf ("container-%s", ids[i]);
      cleanup_lock int lock = -1;
      struct ferry_container *c = NULL;
      int busy = 0;

      if (self && strcmp (self->id, ids[i]) == 0)
        {
          count += container_keeps (e, self, in_memory);
          continue;
        }
      if (probe)
        {
          lock = ferry_lock_try_acquire (e->root, lock_name, 1, &busy, &err);
          if (lock < 0)
            {
              ferry_error_release (&err);
              count++; /* busy, or cannot tell: keep it */
              continue;
            }
        }
      if (ferry_container_find (e, ids[i], &c, &err) < 0)
        {
          ferry_error_release (&err);
          continue;
        }
      if (probe)
        ferry_container_refresh (e, c);
      count += container_keeps (e, c, in_memory);
      ferry_container_free (c);
    }
  for (i = 0; i < n; i++)
    free (ids[i]);
  free (ids);
  return count;
}

/* Takes NAME's directory lock (exclusive) and reads its options.  */
static int
lock_volume (ferry_engine_t *e, const char *name, struct ferry_volume **v, ferry_error_t *err)
{
  cleanup_free char *vdir = volume_dir (e, name);
  int fd;

  if (! ferry_volume_name_is_valid (name))
    return ferry_make_error (err, 0, "invalid volume name `%s`", name);
  fd = open (vdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open volume directory `%s`", vdir);
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        int ret = ferry_make_error (err, errno, "cannot lock volume directory `%s`", vdir);
        close (fd);
        return ret;
      }
  if (ferry_volume_get (e->db, e->root, name, v, err) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static int
mount_locked (ferry_engine_t *e, const struct ferry_volume *v, ferry_error_t *err)
{
  if (ferry_volume_fs_is_mounted (v->mountpoint))
    return 0;
  (void) e;
  return run_mount (v->options, v->mountpoint, 0, err);
}

/* Unmounts V when no one keeps it mounted (SELF judged as it stands).  */
static void
release_locked (ferry_engine_t *e, const struct ferry_volume *v, const struct ferry_container *self)
{
  cleanup_error ferry_error_t err = NULL;

  if (! ferry_volume_fs_is_mounted (v->mountpoint) || count_users (e, v->name, v->options, self, 1) > 0)
    return;
  if (ferry_volume_fs_unmount (v->mountpoint, &err) < 0)
    ferry_error_release (&err);
}

/* Calls FN for each mounted volume C uses.  */
static int
each_mounted_volume (ferry_engine_t *e, const struct ferry_container *c,
                     int (*fn) (ferry_engine_t *, const struct ferry_container *, struct ferry_volume *,
                                ferry_error_t *),
                     ferry_error_t *err)
{
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");

  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *name = ferry_json_get_string (m, "Name");
      struct ferry_volume *v = NULL;
      cleanup_lock int lock = -1;
      int r;

      if (! ferry_json_string_equals (m, "Type", "volume") || name == NULL
          || ! ferry_volume_name_is_valid (name))
        continue;
      /* Cheap look first: most volumes mount nothing.  */
      if (ferry_volume_get (e->db, e->root, name, &v, err) < 0)
        {
          if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
            return -1;
          ferry_error_release (err);
          continue;
        }
      r = ferry_volume_options_mounted (v->options);
      ferry_volume_free (v);
      v = NULL;
      if (! r)
        continue;
      lock = lock_volume (e, name, &v, err);
      if (lock < 0)
        return -1;
      r = fn (e, c, v, err);
      ferry_volume_free (v);
      if (r < 0)
        return -1;
    }
  return 0;
}

static int
acquire_one (ferry_engine_t *e, const struct ferry_container *c, struct ferry_volume *v, ferry_error_t *err)
{
  if (mount_locked (e, v, err) < 0)
    return ferry_error_wrap (err, "mounting volume %s for container %s", v->name, c->id);
  ferry_fault_point ("volume-mounted");
  return 0;
}

static int
release_one (ferry_engine_t *e, const struct ferry_container *c, struct ferry_volume *v, ferry_error_t *err)
{
  (void) err;
  release_locked (e, v, c);
  return 0;
}

int
ferry_volume_mounts_acquire (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err)
{
  return each_mounted_volume (e, c, acquire_one, err);
}

void
ferry_volume_mounts_release (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_error ferry_error_t err = NULL;

  if (each_mounted_volume (e, c, release_one, &err) < 0)
    ferry_error_release (&err);
}

int
ferry_volume_user_mount (ferry_engine_t *e, const char *name, ferry_error_t *err)
{
  struct ferry_volume *v = NULL;
  cleanup_lock int lock = -1;
  int ret = 0;

  if (ferry_volume_get (e->db, e->root, name, &v, err) < 0)
    return -1;
  if (! ferry_volume_options_mounted (v->options))
    {
      ferry_volume_free (v);
      return 0;
    }
  ferry_volume_free (v);
  lock = lock_volume (e, name, &v, err);
  if (lock < 0)
    return -1;
  /* The count first: a kill after the mount leaves a count that keeps
   * it, never a mount no count accounts for and a user relies on.  */
  if (write_user_count (e, name, read_user_count (e, name) + 1, err) < 0 || mount_locked (e, v, err) < 0)
    {
      cleanup_error ferry_error_t ignored = NULL;

      ret = ferry_error_wrap (err, "cannot mount volume %s", name);
      write_user_count (e, name, read_user_count (e, name) - 1, &ignored);
    }
  ferry_volume_free (v);
  return ret;
}

int
ferry_volume_user_unmount (ferry_engine_t *e, const char *name, ferry_error_t *err)
{
  struct ferry_volume *v = NULL;
  cleanup_lock int lock = -1;
  int count;

  if (ferry_volume_get (e->db, e->root, name, &v, err) < 0)
    return -1;
  if (! ferry_volume_options_mounted (v->options))
    {
      ferry_volume_free (v);
      return 0;
    }
  ferry_volume_free (v);
  lock = lock_volume (e, name, &v, err);
  if (lock < 0)
    return -1;
  count = read_user_count (e, name);
  if (count > 0 && write_user_count (e, name, count - 1, err) < 0)
    {
      ferry_volume_free (v);
      return -1;
    }
  release_locked (e, v, NULL);
  ferry_volume_free (v);
  return 0;
}

int
ferry_volume_mount_count (ferry_engine_t *e, const char *name)
{
  struct ferry_volume *v = NULL;
  cleanup_error ferry_error_t err = NULL;
  int n = 0;

  if (ferry_volume_get (e->db, e->root, name, &v, &err) < 0)
    return 0;
  if (ferry_volume_options_mounted (v->options) && ferry_volume_fs_is_mounted (v->mountpoint))
    n = count_users (e, name, v->options, NULL, 0);
  ferry_volume_free (v);
  return n;
}

/* The names of the volumes whose options mount a file system: a cheap
 * look at every command, most roots have none.  */
static char **
mounted_volume_names (ferry_engine_t *e)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (
      e->db, "SELECT name FROM volumes WHERE options LIKE '%\"type\"%' OR options LIKE '%\"device\"%'", &err);
  char **names = xmalloc0 (sizeof (char *));
  size_t n = 0;

  while (st && sqlite3_step (st) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (st, 0);

      if (name == NULL || ! ferry_volume_name_is_valid (name))
        continue;
      names = xrealloc (names, sizeof (char *) * (n + 2));
      names[n++] = xstrdup (name);
      names[n] = NULL;
    }
  return names;
}

void
ferry_volume_mounts_settle (ferry_engine_t *e)
{
  cleanup_free char *counts = xasprintf ("%s/volume-mounts", e->runroot);
  cleanup_strv char **names = mounted_volume_names (e);
  cleanup_error ferry_error_t err = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  size_t i;

  for (i = 0; names[i]; i++)
    {
      cleanup_free char *data = xasprintf ("%s/volumes/%s/_data", e->root, names[i]);
      struct ferry_volume *v = NULL;
      cleanup_lock int lock = -1;

      if (! ferry_volume_fs_is_mounted (data))
        continue;
      lock = lock_volume (e, names[i], &v, &err);
      if (lock < 0)
        {
          ferry_error_release (&err);
          continue;
        }
      if (ferry_volume_options_mounted (v->options))
        release_locked (e, v, NULL);
      ferry_volume_free (v);
    }
  /* Counts of volumes that are gone, or no longer mounted (unmounted
   * behind ferry's back): nothing left to keep.  */
  d = opendir (counts);
  while (d && (de = readdir (d)))
    {
      struct ferry_volume *v = NULL;
      cleanup_lock int lock = -1;

      if (! ferry_volume_name_is_valid (de->d_name))
        continue;
      lock = lock_volume (e, de->d_name, &v, &err);
      if (lock < 0)
        {
          ferry_error_release (&err);
          if (! ferry_volume_exists (e->db, de->d_name))
            unlinkat (dirfd (d), de->d_name, 0);
          continue;
        }
      if (! ferry_volume_fs_is_mounted (v->mountpoint))
        unlinkat (dirfd (d), de->d_name, 0);
      ferry_volume_free (v);
    }
}
