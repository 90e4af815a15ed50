/* ferry: the event log (events.h).  */
#include "events.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *backend = "file";
/* Whether --events-backend chose BACKEND: containers.conf's then leaves
 * it be.  */
static bool backend_given;
/* events_logfile_path (NULL: <runroot>/events/events.log) and
 * events_logfile_max_size (0: no limit; Podman's default 1m).  */
static char *logfile_path;
static int64_t logfile_max = 1000000;

bool
ferry_events_backend_is_valid (const char *b)
{
  return strcmp (b, "file") == 0 || strcmp (b, "none") == 0;
}

void
ferry_events_set_backend (const char *b)
{
  backend = strcmp (b, "none") == 0 ? "none" : "file";
  backend_given = true;
}

const char *
ferry_events_backend (void)
{
  return backend;
}

void
ferry_events_configure (const char *logger, const char *path, int64_t max_size)
{
  if (logger && ! backend_given)
    backend = strcmp (logger, "none") == 0 ? "none" : "file";
  if (path)
    {
      free (logfile_path);
      logfile_path = xstrdup (path);
    }
  if (max_size >= 0)
    logfile_max = max_size;
}

char *
ferry_events_path (const char *runroot)
{
  return logfile_path ? xstrdup (logfile_path) : xasprintf ("%s/events/events.log", runroot);
}

static void
add_string (json_object *o, const char *key, const char *value)
{
  if (value && *value)
    json_object_object_add (o, key, json_object_new_string (value));
}

/* EV as a line of the log, stamped now.  */
static char *
event_line (const struct ferry_event *ev)
{
  cleanup_json json_object *o = json_object_new_object ();
  struct timespec now;

  clock_gettime (CLOCK_REALTIME, &now);
  add_string (o, "ID", ev->id);
  add_string (o, "Image", ev->image);
  add_string (o, "Name", ev->name);
  add_string (o, "Status", ev->status);
  json_object_object_add (o, "time", json_object_new_int64 (now.tv_sec));
  json_object_object_add (o, "timeNano",
                          json_object_new_int64 ((int64_t) now.tv_sec * 1000000000 + now.tv_nsec));
  add_string (o, "Type", ev->type);
  if (ev->has_exit_code)
    json_object_object_add (o, "ContainerExitCode", json_object_new_int (ev->exit_code));
  add_string (o, "health_status", ev->health_status);
  if (ev->health_status && ev->health_failing_streak)
    json_object_object_add (o, "health_failing_streak", json_object_new_int64 (ev->health_failing_streak));
  /* Podman's: a container's an object (its labels), empty or not; the
   * others' null.  */
  if (ev->attributes && json_object_object_length (ev->attributes))
    json_object_object_add (o, "Attributes", json_object_get (ev->attributes));
  else
    json_object_object_add (
        o, "Attributes", ev->type && strcmp (ev->type, "container") == 0 ? json_object_new_object () : NULL);
  return xasprintf ("%s\n", ferry_json_to_string (o, 0));
}

/* Podman's marker of a rotation of the log at PATH: WHICH is "begin" or
 * "end".  */
static char *
rotation_line (const char *path, const char *which)
{
  cleanup_json json_object *attrs = json_object_new_object ();
  struct ferry_event ev
      = { .type = "system", .status = FERRY_EVENTS_ROTATE, .name = path, .attributes = attrs };

  json_object_object_add (attrs, FERRY_EVENTS_ROTATE_ATTRIBUTE, json_object_new_string (which));
  return event_line (&ev);
}

/* Removes the temporary files of rotations that a killed ferry left in
 * DIR (of the log named BASE): only the lock's holder makes one, so
 * whatever is there now is left over.  */
static void
remove_stale_rotations (const char *dir, const char *base)
{
  cleanup_free char *prefix = xasprintf (".%s.rotate-", base);
  DIR *d = opendir (dir);
  struct dirent *de;

  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    if (strncmp (de->d_name, prefix, strlen (prefix)) == 0)
      unlinkat (dirfd (d), de->d_name, 0);
  closedir (d);
}

/* Rotates the log at PATH (FD, SIZE bytes), as Podman does: a new file of
 * its second half (from the first whole line there), between a "begin"
 * and an "end" rotation event, put in its place at once.  The caller
 * holds the log's lock, so no event goes to the old file meanwhile.  */
static void
rotate (const char *path, int fd, off_t size)
{
  cleanup_free char *dir = xstrdup (path), *tmp = NULL, *begin = NULL, *end = NULL;
  char *slash = strrchr (dir, '/');
  cleanup_close int out = -1;
  char buf[65536];
  off_t at = size / 2;
  bool in_line = at > 0;
  ssize_t n;

  if (slash)
    *slash = '\0';
  remove_stale_rotations (slash ? (*dir ? dir : "/") : ".", slash ? slash + 1 : path);
  tmp = xasprintf ("%s/.%s.rotate-XXXXXX", slash ? (*dir ? dir : "/") : ".", slash ? slash + 1 : path);
  out = mkostemp (tmp, O_CLOEXEC);
  if (out < 0)
    return;
  begin = rotation_line (path, "begin");
  if (fchmod (out, 0600) < 0 || ferry_write_all (out, begin, strlen (begin)) < 0)
    goto fail;
  /* The line cut at the half way goes, whole or not.  */
  while ((n = pread (fd, buf, sizeof (buf), at)) > 0)
    {
      char *from = buf;

      at += n;
      if (in_line)
        {
          char *nl = memchr (buf, '\n', (size_t) n);

          if (nl == NULL)
            continue;
          in_line = false;
          from = nl + 1;
        }
      if (ferry_write_all (out, from, (size_t) (buf + n - from)) < 0)
        goto fail;
    }
  end = rotation_line (path, "end");
  /* On disk (events_logfile_path), a crash after the rename must not
   * leave an empty log in its place.  */
  if (n < 0 || ferry_write_all (out, end, strlen (end)) < 0 || fsync (out) < 0 || rename (tmp, path) < 0)
    goto fail;
  return;

fail:
  unlink (tmp);
}

void
ferry_event_log (const char *runroot, const struct ferry_event *ev)
{
  cleanup_free char *path = ferry_events_path (runroot);
  cleanup_free char *lock_path = NULL, *dir = NULL, *line = NULL;
  cleanup_close int lock = -1, fd = -1;
  cleanup_error ferry_error_t ignored = NULL;
  struct flock whole = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  struct stat st;
  char *slash, last;

  if (strcmp (backend, "none") == 0)
    return;
  line = event_line (ev);
  dir = xstrdup (path);
  slash = strrchr (dir, '/');
  if (slash && slash != dir)
    {
      *slash = '\0';
      if (ferry_mkdir_p (dir, 0700, &ignored) < 0)
        return;
    }
  /* Writers take the log's lock: a rotation replaces the file, and an
   * event written to the old one then would be lost.  An fcntl lock of
   * the whole file, as Podman takes it on the same file, so that the two
   * keep out of each other's way on a log they share.  */
  lock_path = xasprintf ("%s.lock", path);
  lock = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0)
    return;
  while (fcntl (lock, F_OFD_SETLKW, &whole) < 0)
    if (errno != EINTR)
      return;
  fd = open (path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || fstat (fd, &st) < 0)
    return;
  if (logfile_max > 0 && st.st_size > 0 && (uint64_t) st.st_size + strlen (line) > (uint64_t) logfile_max)
    {
      rotate (path, fd, st.st_size);
      close (fd);
      fd = open (path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0 || fstat (fd, &st) < 0)
        return;
    }
  /* A line a crash (or a full disk) cut short would swallow this one:
   * it gets its own line.  */
  if (st.st_size > 0 && pread (fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
    {
      char *joined = xasprintf ("\n%s", line);

      free (line);
      line = joined;
    }
  /* Under the lock, nobody appends after it: a write cut short is taken
   * back whole.  */
  if (ferry_write_all (fd, line, strlen (line)) < 0)
    (void) ! ftruncate (fd, st.st_size);
}
