/* ferry: the event log, as Podman's file events backend keeps it: one JSON
 * object per line in <runroot>/events/events.log, appended by every ferry
 * that changes something (a container created, started, died, removed,
 * checkpointed, restored; an image pulled, tagged, removed; a volume or
 * network made or removed), read by `ferry events`.
 *
 * An event is written with one write(2) to a file opened O_APPEND, under
 * a write lock (fcntl, as Podman's) of <log>.lock, so concurrent writers
 * never interleave within a line; a line a crash cut short is skipped by
 * readers, and the next event starts a line of its own.  Writing
 * is best effort: an event that cannot be written never fails the
 * operation it reports.  The runroot is volatile, so the log starts
 * afresh with every boot, as Podman's.
 *
 * containers.conf's events_logfile_path moves the log, and
 * events_logfile_max_size bounds it (Podman's default, 1m): an event that
 * would take the log past it first rotates the log, as Podman does, into
 * a new file of the old one's second half, between two "system
 * log-rotation" events ("begin" and "end" in the attribute
 * io.podman.event.rotate), renamed over the old one.  */
#ifndef FERRY_STATE_EVENTS_H
#define FERRY_STATE_EVENTS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* "file" (the default) or "none" (no events are written).  */
bool ferry_events_backend_is_valid (const char *backend);
void ferry_events_set_backend (const char *backend);
const char *ferry_events_backend (void);

struct ferry_event
{
  const char *type;        /* "container", "image", "volume", "network", "system" */
  const char *status;      /* "create", "start", "died", "pull", ... */
  const char *id;          /* may be NULL */
  const char *name;        /* may be NULL */
  const char *image;       /* a container's image, may be NULL */
  json_object *attributes; /* borrowed; string values; may be NULL */
  bool has_exit_code;
  int exit_code;
  /* A health_status event's: the container's health after a check, and
   * its failing streak (written only when not 0, as Podman's).  */
  const char *health_status;
  int64_t health_failing_streak;
};

/* containers.conf's [engine] events_logger (NULL: not set; it does not
 * override --events-backend), events_logfile_path (NULL: not set) and
 * events_logfile_max_size (-1: not set).  */
void ferry_events_configure (const char *logger, const char *path, int64_t max_size);

#define FERRY_EVENTS_ROTATE "log-rotation"
#define FERRY_EVENTS_ROTATE_ATTRIBUTE "io.podman.event.rotate"

char *ferry_events_path (const char *runroot);
void ferry_event_log (const char *runroot, const struct ferry_event *ev);

#endif
