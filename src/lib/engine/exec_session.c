/* ferry engine: exec sessions under conmon (see exec_session.h).  */
#include "exec_session.h"
#include "engine.h"
#include "internal.h"
#include "../runtime/conmon.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/process.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SESSION_ID_BYTES 32

void
ferry_exec_session_release (struct ferry_exec_session *s)
{
  free (s->id);
  free (s->container_id);
  if (s->attach_fd >= 0)
    close (s->attach_fd);
  if (s->sync_fd >= 0)
    close (s->sync_fd);
  s->id = s->container_id = NULL;
  s->attach_fd = s->sync_fd = -1;
}

static char *
sessions_dir (ferry_engine_t *e, const char *id)
{
  return xasprintf ("%s/exec/%s", e->runroot, id);
}

static char *
session_dir (ferry_engine_t *e, const char *id, const char *session)
{
  return xasprintf ("%s/exec/%s/%s", e->runroot, id, session);
}

/* A session ID as ferry makes them: 64 lower-case hex digits.  Anything
 * else in the directory is none of ferry's.  */
static int
session_id_is_valid (const char *s)
{
  size_t i;

  for (i = 0; s[i]; i++)
    if (! ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return i == SESSION_ID_BYTES * 2;
}

static int
read_number_file (const char *path, long long *out)
{
  cleanup_free char *text = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  char *end;

  if (ferry_read_file (path, &text, NULL, &ignored) < 0)
    return -1;
  errno = 0;
  *out = strtoll (text, &end, 10);
  if (errno || end == text)
    return -1;
  return 0;
}

/* The exit code conmon recorded: 1 with *CODE, 0 when there is none.  */
static int
session_exit_code (const char *dir, const char *id, int *code)
{
  cleanup_free char *path = ferry_conmon_exec_exit_path (dir, id);
  long long value;

  if (read_number_file (path, &value) < 0 || value < INT32_MIN || value > INT32_MAX)
    return 0;
  *code = (int) value;
  return 1;
}

/* What DIR's files say; -1: its ferry died before conmon ran, so nothing
 * ever will (the caller removes it).  */
static int
session_state (const char *dir, const char *id)
{
  cleanup_free char *conmon_pidfile = xasprintf ("%s/conmon.pid", dir);
  cleanup_free char *owner_file = xasprintf ("%s/owner", dir);
  cleanup_free char *owner = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  long long pid;
  int code;

  if (session_exit_code (dir, id, &code))
    return FERRY_EXEC_SESSION_STOPPED;
  if (read_number_file (conmon_pidfile, &pid) == 0)
    {
      if (pid > 0 && pid <= INT32_MAX && ferry_process_is_conmon ((pid_t) pid))
        return FERRY_EXEC_SESSION_RUNNING;
      /* Gone without an exit file (killed): it ended all the same.  */
      return FERRY_EXEC_SESSION_STOPPED;
    }
  if (ferry_read_file (owner_file, &owner, NULL, &ignored) == 0)
    {
      unsigned long long start = 0;
      long long owner_pid = 0;

      if (sscanf (owner, "%lld %llu", &owner_pid, &start) == 2 && owner_pid > 0 && owner_pid <= INT32_MAX
          && ferry_process_is_alive ((pid_t) owner_pid, start))
        return FERRY_EXEC_SESSION_STARTING;
    }
  return -1;
}

static void
remove_session (ferry_engine_t *e, const char *dir, const char *session)
{
  cleanup_free char *sockets = ferry_engine_socket_dir (e);
  cleanup_free char *link = xasprintf ("%s/%s", sockets, session);
  char buf[4096];
  ssize_t len = readlink (link, buf, sizeof (buf) - 1);

  /* The link to the attach socket, when it still leads to this session.  */
  if (len > 0)
    {
      buf[len] = '\0';
      if (strcmp (buf, dir) == 0)
        unlink (link);
    }
  ferry_rm_rf_quietly (dir);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The sessions of container ID in STATES (bits 1 << state), sorted,
 * settling on the way those a killed ferry left.  */
static char **
sessions_with_state (ferry_engine_t *e, const char *id, unsigned states, size_t *n)
{
  cleanup_free char *dir = sessions_dir (e, id);
  cleanup_dir DIR *d = opendir (dir);
  char **out = xmalloc0 (sizeof (char *));
  struct dirent *de;

  *n = 0;
  while (d && (de = readdir (d)))
    {
      cleanup_free char *sdir = NULL;
      int state;

      if (! session_id_is_valid (de->d_name))
        continue;
      sdir = xasprintf ("%s/%s", dir, de->d_name);
      state = session_state (sdir, id);
      if (state < 0)
        {
          remove_session (e, sdir, de->d_name);
          continue;
        }
      if (! (states & (1u << state)))
        continue;
      out = xrealloc (out, sizeof (char *) * (*n + 2));
      out[(*n)++] = xstrdup (de->d_name);
      out[*n] = NULL;
    }
  qsort (out, *n, sizeof (char *), compare_strings);
  return out;
}

char **
ferry_exec_session_list (ferry_engine_t *e, const char *id, size_t *n)
{
  return sessions_with_state (e, id, ~0u, n);
}

size_t
ferry_exec_sessions_running (ferry_engine_t *e, const char *id, char **first)
{
  size_t n = 0;
  cleanup_strv char **ids = sessions_with_state (
      e, id, (1u << FERRY_EXEC_SESSION_STARTING) | (1u << FERRY_EXEC_SESSION_RUNNING), &n);

  if (first)
    *first = n ? xstrdup (ids[0]) : NULL;
  return n;
}

void
ferry_exec_sessions_remove (ferry_engine_t *e, const char *id)
{
  cleanup_free char *dir = sessions_dir (e, id);
  size_t n = 0;
  cleanup_strv char **ids = ferry_exec_session_list (e, id, &n);

  /* The container does not run: a conmon still there is only writing
   * its exit file, which nobody will read.  */
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *sdir = session_dir (e, id, ids[i]);
      remove_session (e, sdir, ids[i]);
    }
  rmdir (dir);
}

static int
write_owner (const char *dir, ferry_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/owner", dir);
  cleanup_free char *text = xasprintf ("%d %llu\n", (int) getpid (), ferry_process_self_start_time ());

  return ferry_write_file_atomic (path, text, strlen (text), 0600, err);
}

static int
write_process_spec (const char *path, const struct ferry_exec_options *o, ferry_error_t *err)
{
  cleanup_json json_object *process = ferry_runtime_exec_process (o, err);
  const char *text;

  if (process == NULL)
    return -1;
  text = ferry_json_to_string (process, 0);
  return ferry_write_file_atomic (path, text, strlen (text), 0600, err);
}

int
ferry_exec_session_launch (ferry_engine_t *e, const struct ferry_container *c,
                           const struct ferry_exec_options *o, const struct ferry_exec_request *r,
                           ferry_error_t *err)
{
  struct ferry_exec_session *s = r->session;
  cleanup_free char *id = ferry_random_hex (SESSION_ID_BYTES);
  cleanup_free char *dir = session_dir (e, c->id, id);
  cleanup_free char *spec = xasprintf ("%s/process.json", dir);
  cleanup_free char *sockets = ferry_engine_socket_dir (e);
  cleanup_strv char **exit_cmd = ferry_engine_exit_command (e, c->id, id);
  struct ferry_conmon_exec_options co = { 0 };
  struct ferry_conmon_exec started;
  /* The container's own runtime, as for a plain exec.  */
  const struct ferry_runtime *rt = ferry_engine_runtime_of (e, c, err);

  s->attach_fd = s->sync_fd = -1;
  if (rt == NULL)
    return -1;
  /* The owner first: a directory without it or conmon is a killed
   * ferry's, which the next look removes.  */
  if (ferry_mkdir_p (dir, 0700, err) < 0)
    return -1;
  if (write_owner (dir, err) < 0 || write_process_spec (spec, o, err) < 0)
    goto fail;
  ferry_fault_point ("exec-session-recorded");
  co.runtime = rt;
  co.container_id = c->id;
  co.session_id = id;
  co.name = c->name;
  co.session_dir = dir;
  co.process_spec = spec;
  co.socket_dir = sockets;
  co.terminal = o->terminal;
  co.stdin_open = o->keep_stdin;
  co.attach = ! r->detach;
  co.rows = r->rows;
  co.cols = r->cols;
  co.exit_command = exit_cmd;
  co.preserve_fds = o->preserve_fds;
  co.n_preserve_fds = o->n_preserve_fds;
  if (ferry_conmon_exec (&co, &started, err) < 0)
    goto fail;
  s->id = steal_pointer (&id);
  s->container_id = xstrdup (c->id);
  s->attach_fd = started.attach_fd;
  s->sync_fd = started.sync_fd;
  ferry_fault_point ("exec-session-started");
  return 0;

fail:
  remove_session (e, dir, id);
  return -1;
}

int
ferry_exec_session_finish (ferry_engine_t *e, struct ferry_exec_session *s, int *code, ferry_error_t *err)
{
  cleanup_free char *dir = session_dir (e, s->container_id, s->id);
  int ret = ferry_conmon_exec_wait (s->sync_fd, code, err);

  /* conmon gone without a word: its exit file, when it wrote one.  */
  if (ret < 0 && session_exit_code (dir, s->container_id, code))
    {
      ferry_error_release (err);
      ret = 0;
    }
  if (ret == 0)
    {
      struct ferry_container *c = NULL;
      cleanup_error ferry_error_t ignored = NULL;

      remove_session (e, dir, s->id);
      if (ferry_container_lookup (e, s->container_id, &c, &ignored) == 0)
        {
          ferry_container_event_record (e, c->id, c->record, "exec_died", *code);
          ferry_container_free (c);
        }
    }
  return ret;
}

int
ferry_exec_session_resize (ferry_engine_t *e, const char *container_id, const char *session_id, unsigned rows,
                           unsigned cols, ferry_error_t *err)
{
  cleanup_free char *dir = session_dir (e, container_id, session_id);
  cleanup_free char *ctl = xasprintf ("%s/ctl", dir);
  cleanup_free char *msg = xasprintf ("1 %u %u\n", rows, cols);
  /* Non-blocking: with no conmon reading (it exited), no wait.  */
  cleanup_close int fd = open (ctl, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open the control FIFO of exec session %s", session_id);
  if (ferry_write_all (fd, msg, strlen (msg)) < 0)
    return ferry_make_error (err, errno, "cannot resize the terminal of exec session %s", session_id);
  return 0;
}

int
ferry_exec_session_cleanup (ferry_engine_t *e, const char *ref, const char *session, int remove,
                            ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_free char *dir = NULL, *marker = NULL;
  int state, code = -1;

  if (ferry_container_lookup (e, ref, &c, err) < 0)
    {
      if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
        return -1;
      ferry_error_release (err);
      return 0;
    }
  if (! session_id_is_valid (session))
    {
      ferry_container_free (c);
      return 0;
    }
  dir = session_dir (e, c->id, session);
  state = ferry_path_exists (dir) ? session_state (dir, c->id) : -2;
  if (state == -1)
    remove_session (e, dir, session);
  if ((state == FERRY_EXEC_SESSION_RUNNING || state == FERRY_EXEC_SESSION_STARTING) && remove)
    {
      ferry_make_error_kind (err, FERRY_ERROR_STATE,
                             "container %s exec session %s is still running, cannot remove: exec session "
                             "state improper",
                             c->id, session);
      ferry_container_free (c);
      return -1;
    }
  if (state == FERRY_EXEC_SESSION_RUNNING || state == FERRY_EXEC_SESSION_STARTING)
    {
      ferry_make_error_kind (err, FERRY_ERROR_STATE,
                             "cannot clean up container %s exec session %s as it is running: exec session "
                             "state improper",
                             c->id, session);
      ferry_container_free (c);
      return -1;
    }
  if (state == FERRY_EXEC_SESSION_STOPPED)
    {
      cleanup_free char *sockets = ferry_engine_socket_dir (e);
      cleanup_free char *link = xasprintf ("%s/%s", sockets, session);

      marker = xasprintf ("%s/cleaned", dir);
      unlink (link);
      /* Once: conmon's exit command and a user's may both come.  */
      if (! ferry_path_exists (marker))
        {
          cleanup_error ferry_error_t ignored = NULL;

          session_exit_code (dir, c->id, &code);
          if (ferry_write_file_atomic (marker, "", 0, 0600, &ignored) == 0)
            ferry_container_event_record (e, c->id, c->record, "exec_died", code);
        }
      if (remove)
        remove_session (e, dir, session);
    }
  ferry_container_free (c);
  return 0;
}
