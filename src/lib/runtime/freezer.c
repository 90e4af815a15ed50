#include "freezer.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CGROUP_ROOT "/sys/fs/cgroup"
/* How long a freeze may take before it is given up, in 1 ms steps.  */
#define FREEZE_STEPS 10000
/* How deep a container's own cgroups may nest below its cgroup.  */
#define NEST_MAX 8

static void
sleep_ms (long ms)
{
  struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

  nanosleep (&ts, NULL);
}

/* From the /proc/PID/cgroup TABLE, the process's cgroup in the v1 freezer
 * hierarchy ("N:freezer:PATH") or, with V2, in the unified one
 * ("0::PATH").  */
static char *
cgroup_of (const char *table, int v2)
{
  const char *line = table;

  while (line && *line)
    {
      const char *end = strchr (line, '\n');
      size_t len = end ? (size_t) (end - line) : strlen (line);
      cleanup_free char *copy = xstrndup (line, len);
      char *controllers = strchr (copy, ':');
      char *path = controllers ? strchr (controllers + 1, ':') : NULL;

      line = end ? end + 1 : NULL;
      if (path == NULL)
        continue;
      *path++ = '\0';
      controllers++;
      if (v2 ? strcmp (copy, "0") == 0 && *controllers == '\0' : strcmp (controllers, "freezer") == 0)
        return xstrdup (path);
    }
  return NULL;
}

int
ferry_freezer_find (pid_t pid, const char *id, struct ferry_freezer *f)
{
  cleanup_free char *proc = xasprintf ("/proc/%d/cgroup", (int) pid);
  cleanup_free char *table = NULL, *path = NULL, *probe = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  const char *last;
  size_t len;

  memset (f, 0, sizeof (*f));
  if (pid <= 0 || ferry_read_file (proc, &table, &len, &ignored) < 0)
    return -1;
  /* A freezer hierarchy of its own (cgroup v1, alone or beside v2), else
   * the unified hierarchy.  */
  path = cgroup_of (table, 0);
  f->v2 = path == NULL;
  if (path == NULL)
    path = cgroup_of (table, 1);
  if (path == NULL || path[0] != '/' || strstr (path, "/..") != NULL)
    return -1;
  /* Named after the container: the process is the container's, not one
   * that took its PID after it died.  */
  last = strrchr (path, '/') + 1;
  if (strlen (last) < strlen (id) || strcmp (last + strlen (last) - strlen (id), id) != 0)
    return -1;
  f->dir = xasprintf ("%s%s%s", CGROUP_ROOT, f->v2 ? "" : "/freezer", path);
  probe = xasprintf ("%s/%s", f->dir, f->v2 ? "cgroup.freeze" : "freezer.state");
  if (access (probe, W_OK) < 0)
    {
      ferry_freezer_release (f);
      return -1;
    }
  return 0;
}

void
ferry_freezer_release (struct ferry_freezer *f)
{
  free (f->dir);
  f->dir = NULL;
}

static int
write_control (const struct ferry_freezer *f, const char *name, const char *value, ferry_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s", f->dir, name);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || write (fd, value, strlen (value)) < 0)
    return ferry_make_error (err, errno, "cannot write `%s` to `%s`", value, path);
  return 0;
}

/* The freezer's state: 1 frozen, 0 not (yet), -1 unreadable.  */
static int
frozen (const struct ferry_freezer *f)
{
  cleanup_free char *path = xasprintf ("%s/%s", f->dir, f->v2 ? "cgroup.events" : "freezer.state");
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  char buf[512];
  ssize_t n;

  if (fd < 0 || (n = read (fd, buf, sizeof (buf) - 1)) < 0)
    return -1;
  buf[n] = '\0';
  if (f->v2)
    return strstr (buf, "frozen 1") != NULL;
  return strncmp (buf, "FROZEN", 6) == 0;
}

int
ferry_freezer_freeze (const struct ferry_freezer *f, ferry_error_t *err)
{
  const char *control = f->v2 ? "cgroup.freeze" : "freezer.state";
  const char *on = f->v2 ? "1" : "FROZEN";
  int state = 0;

  for (int i = 0; i < FREEZE_STEPS; i++)
    {
      /* A v1 cgroup whose processes keep forking can stick in FREEZING:
       * thawing it now and then lets the next try catch them all.  */
      if (! f->v2 && i % 50 == 49 && ferry_freezer_thaw (f, err) < 0)
        return -1;
      if ((i == 0 || ! f->v2) && write_control (f, control, on, err) < 0)
        return -1;
      state = frozen (f);
      if (state != 0)
        break;
      sleep_ms (1);
    }
  if (state > 0)
    return 0;
  {
    cleanup_error ferry_error_t ignored = NULL;

    ferry_freezer_thaw (f, &ignored);
  }
  if (state < 0)
    return ferry_make_error (err, errno, "cannot read the freezer state of `%s`", f->dir);
  return ferry_make_error (err, 0, "the processes of `%s` could not all be frozen in %d s", f->dir,
                           FREEZE_STEPS / 1000);
}

int
ferry_freezer_thaw (const struct ferry_freezer *f, ferry_error_t *err)
{
  return write_control (f, f->v2 ? "cgroup.freeze" : "freezer.state", f->v2 ? "0" : "THAWED", err);
}

/* Sends SIGNAL to the processes of DIR and of the cgroups below it.  */
static int
signal_tree (const char *dir, int signal, int depth, ferry_error_t *err)
{
  cleanup_free char *procs_path = xasprintf ("%s/cgroup.procs", dir);
  cleanup_free char *procs = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  size_t len;

  if (ferry_read_file (procs_path, &procs, &len, err) < 0)
    return -1;
  for (char *p = procs, *end; *p; p = end)
    {
      long pid = strtol (p, &end, 10);

      if (end == p)
        break;
      if (pid > 0 && kill ((pid_t) pid, signal) < 0 && errno != ESRCH)
        return ferry_make_error (err, errno, "cannot signal process %ld of `%s`", pid, dir);
    }
  if (depth >= NEST_MAX || (d = opendir (dir)) == NULL)
    return 0;
  while ((de = readdir (d)) != NULL)
    if (de->d_type == DT_DIR && de->d_name[0] != '.')
      {
        cleanup_free char *sub = xasprintf ("%s/%s", dir, de->d_name);

        if (signal_tree (sub, signal, depth + 1, err) < 0)
          return -1;
      }
  return 0;
}

int
ferry_freezer_signal_all (const struct ferry_freezer *f, int signal, ferry_error_t *err)
{
  if (signal_tree (f->dir, signal, 0, err) < 0)
    return -1;
  return ferry_freezer_thaw (f, err);
}
