/* ferry: the event log (events.h).  */
#include "events.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *backend = "file";

bool
ferry_events_backend_is_valid (const char *b)
{
  return strcmp (b, "file") == 0 || strcmp (b, "none") == 0;
}

void
ferry_events_set_backend (const char *b)
{
  backend = strcmp (b, "none") == 0 ? "none" : "file";
}

const char *
ferry_events_backend (void)
{
  return backend;
}

char *
ferry_events_path (const char *runroot)
{
  return xasprintf ("%s/events/events.log", runroot);
}

static void
add_string (json_object *o, const char *key, const char *value)
{
  if (value && *value)
    json_object_object_add (o, key, json_object_new_string (value));
}

void
ferry_event_log (const char *runroot, const struct ferry_event *ev)
{
  cleanup_free char *dir = xasprintf ("%s/events", runroot);
  cleanup_free char *path = ferry_events_path (runroot);
  cleanup_free char *line = NULL;
  cleanup_close int fd = -1;
  cleanup_json json_object *o = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  struct timespec now;

  if (strcmp (backend, "none") == 0)
    return;
  clock_gettime (CLOCK_REALTIME, &now);
  o = json_object_new_object ();
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
  line = xasprintf ("%s\n", ferry_json_to_string (o, 0));
  if (ferry_mkdir_p (dir, 0700, &ignored) < 0)
    return;
  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0)
    (void) ! write (fd, line, strlen (line));
}
