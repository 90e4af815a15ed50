/* ferry engine: exec sessions, the commands `exec -d` and `exec -it` with
 * detach keys run under conmon (as Podman runs every exec), so that they
 * go on without ferry.  Each is a directory <runroot>/exec/<container
 * ID>/<session ID>: its process spec, the PID of the ferry starting it
 * (until conmon's PID file is there), conmon's files and, once the process
 * ended, its exit file.  A session's state is what those files say, so a
 * ferry killed at any point leaves nothing that the next look does not
 * settle: a session whose starter died before conmon ran is removed.  */
#ifndef FERRY_ENGINE_EXEC_SESSION_H
#define FERRY_ENGINE_EXEC_SESSION_H

#include "container.h"

#include <stddef.h>

/* A session just started.  */
struct ferry_exec_session
{
  char *id;
  char *container_id;
  int attach_fd; /* attached (exec -it): the attach connection, else -1 */
  int sync_fd;   /* conmon's sync pipe, where the exit code comes */
};

void ferry_exec_session_release (struct ferry_exec_session *s);

enum ferry_exec_session_state
{
  FERRY_EXEC_SESSION_STARTING, /* its ferry is starting conmon */
  FERRY_EXEC_SESSION_RUNNING,
  FERRY_EXEC_SESSION_STOPPED,
};

/* The IDs of container ID's sessions (sorted), settling those a killed
 * ferry left; *N gets how many.  */
char **ferry_exec_session_list (ferry_engine_t *e, const char *id, size_t *n);

/* How many of container ID's sessions run (or start); *FIRST (when not
 * NULL) gets the first one's ID.  */
size_t ferry_exec_sessions_running (ferry_engine_t *e, const char *id, char **first);

/* Waits for an attached session's process to end; *CODE gets its exit
 * code.  Then removes the session, as Podman removes an exec it attached
 * to once it ended.  */
int ferry_exec_session_finish (ferry_engine_t *e, struct ferry_exec_session *s, int *code,
                               ferry_error_t *err);

/* The size of an attached session's terminal.  */
int ferry_exec_session_resize (ferry_engine_t *e, const char *container_id, const char *session_id,
                               unsigned rows, unsigned cols, ferry_error_t *err);

/* `container cleanup --exec SESSION REF` (conmon's exit command for a
 * session): records that SESSION of REF ended and removes what conmon
 * left of it; the session stays listed until the container starts again
 * or goes, as Podman's, or until now with REMOVE (--rm).  Unknown
 * container or session: nothing to do.  A session still running: kind
 * STATE.  */
int ferry_exec_session_cleanup (ferry_engine_t *e, const char *ref, const char *session, int remove,
                                ferry_error_t *err);

/* Removes every session of container ID, which does not run (it starts
 * again, or goes).  */
void ferry_exec_sessions_remove (ferry_engine_t *e, const char *id);

#endif
