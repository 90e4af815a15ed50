/* ferry: the container monitor driver.  conmon (the Debian package) holds a
 * container's stdio as pipes (or a pty), writes its log in k8s-file format,
 * records its exit code, and runs ferry's cleanup command when it exits; it
 * outlives the ferry command that started it.  */
#ifndef FERRY_RUNTIME_CONMON_H
#define FERRY_RUNTIME_CONMON_H

#include "runtime.h"

#include <stdint.h>
#include <sys/types.h>

/* The most descriptors a container can be given (--preserve-fds).  */
#define FERRY_PRESERVE_FDS_MAX 256

struct ferry_conmon_options
{
  const struct ferry_runtime *runtime;
  const char *id;
  const char *name;
  const char *bundle;         /* directory holding config.json */
  const char *pidfile;        /* the runtime writes the container PID here */
  const char *conmon_pidfile; /* conmon writes its own PID here */
  const char *exit_dir;       /* conmon writes <exit_dir>/<id> with the exit code */
  const char *persist_dir;    /* conmon's own per-container state */
  const char *socket_dir;     /* the attach socket is <socket_dir>/<id>/attach */
  /* The log driver: "k8s-file" (NULL too), "journald", "none" or
   * "passthrough": conmon gets the caller's standard streams and hands
   * them to the container.  */
  const char *log_driver;
  const char *log_path; /* k8s-file log, appended to; NULL for the others */
  int64_t log_size_max; /* > 0: conmon truncates the log before it grows past this */
  const char *log_tag;  /* NULL or "": none (conmon refuses one with k8s-file) */
  int terminal;         /* -t: a pty */
  int stdin_open;       /* -i: keep the container's stdin open */
  char **exit_command;  /* NULL-terminated argv run when the container exits */
  /* Checkpoint/restore (issue 4): when set, conmon restores the container
   * from this CRIU images directory instead of creating it.  */
  const char *restore_from;
  char **runtime_opts; /* extra runtime flags for create/restore, NULL-terminated */
  int timeout;         /* seconds after which conmon kills the container; 0: none */
  /* Seconds conmon has to report the container created (or restored);
   * 0: FERRY_CONMON_REPLY_TIMEOUT.  */
  int reply_timeout;
  /* Descriptors of the caller's that the container gets as its 3, 4, ...
   * (--preserve-fds): PRESERVE_FDS[i] becomes 3 + i; -1 is /dev/null.  */
  const int *preserve_fds;
  size_t n_preserve_fds;
  /* The host's sd-notify socket: conmon binds <bundle>/notify/notify.sock
   * and relays READY=1 and WATCHDOG=1 from it there; NULL: none.  */
  const char *sdnotify_socket;
};

/* Podman's limit, in seconds, for a container to be created (or
 * restored).  */
#define FERRY_CONMON_REPLY_TIMEOUT 240

/* Where conmon is (the PATH, then where distributions put it), or NULL.  */
char *ferry_conmon_path (void);

/* Reads the PID a pidfile (conmon's, the runtime's) holds.  */
int ferry_conmon_read_pid_file (const char *path, pid_t *pid, ferry_error_t *err);

/* Starts conmon, which runs `runtime create` (or `restore`) and daemonises.
 * Returns once the container exists (created, not started) with its PID and
 * conmon's.  When the runtime fails, the error has the runtime's message and
 * the kind from ferry_runtime_classify_exec_error.  */
int ferry_conmon_create (const struct ferry_conmon_options *o, pid_t *container_pid, pid_t *conmon_pid,
                         ferry_error_t *err);

/* Kills every conmon launched for the bundle BUNDLE (its first process
 * or its daemon) with the runtime and CRIU it runs, and waits for them to
 * be gone: what a failed or killed launch left at work.  The container's
 * process, if the runtime made one, is the runtime's to delete.  Returns
 * how many conmons it found.  */
int ferry_conmon_end (const char *bundle);

/* <socket_dir>/<id>/attach  */
char *ferry_conmon_attach_path (const char *socket_dir, const char *id);

/* Connects to a container's attach socket.  Must happen before the
 * container is started to see all of its output.  */
int ferry_conmon_attach_connect (const char *socket_dir, const char *id, ferry_error_t *err);

/* The longest detach key sequence.  */
#define FERRY_DETACH_KEYS_MAX 32

/* What an attach connection is streamed to and from.  */
struct ferry_attach_io
{
  int in_fd;  /* copied to the container's stdin, its end closes it; -1: none */
  int out_fd; /* the container's stdout goes here; -1: dropped */
  int err_fd; /* the same, stderr */
  /* Detach keys: when each arrives alone in one read of IN_FD, in order,
   * the stream ends without touching the container (as Podman reads them:
   * a key typed, not one inside pasted text).  N_DETACH_KEYS 0: none.  */
  unsigned char detach_keys[FERRY_DETACH_KEYS_MAX];
  size_t n_detach_keys;
  /* When SIGNAL_FD (a signalfd, or -1) is readable, ON_SIGNAL gets each
   * signal read from it, to pass it on to the container.  */
  int signal_fd;
  void (*on_signal) (int sig, void *arg);
  void *signal_arg;
};

/* "ctrl-p,ctrl-q" (Podman's form: comma-separated, each one character or
 * ctrl-<a-z, @, [, \, ], ^ or _>) into IO's detach keys; "" clears them.
 * Invalid: "invalid detach keys: Unknown character: 'X'".  */
int ferry_attach_parse_detach_keys (const char *text, struct ferry_attach_io *io, ferry_error_t *err);

/* Streams an attach connection FD as IO says.  Returns 0 when conmon
 * closes the socket (the container exited), 1 when the detach keys were
 * read, -1 on error.  */
int ferry_conmon_attach_stream (int fd, const struct ferry_attach_io *io, ferry_error_t *err);

/* Reads <exit_dir>/<id>: 1 and *CODE when the container has exited, 0 when
 * the file is not there yet.  */
int ferry_conmon_read_exit (const char *exit_dir, const char *id, int *code, ferry_error_t *err);

/* A watch on EXIT_DIR that wakes ferry_conmon_exit_wait as soon as conmon
 * has written an exit file there: an inotify descriptor, or -1 where none
 * can be had (the wait is then a sleep).  */
int ferry_conmon_exit_watch (const char *exit_dir);
/* Waits up to MS milliseconds, or until WATCH (ferry_conmon_exit_watch's)
 * saw an exit file written, or the process of PIDFD (may be -1) ended.
 * 1 when PIDFD's process has ended (it stays so: wait on it no more).  */
int ferry_conmon_exit_wait (int watch, int pidfd, int ms);

/* An exec session under conmon (`conmon --exec`), as Podman runs one:
 * conmon holds the process's stdio (a pty with TERMINAL) and its attach
 * socket, records its exit code in <session_dir>/exit/<container id>, and
 * runs EXIT_COMMAND when it ends; the session lives on when ferry goes.  */
struct ferry_conmon_exec_options
{
  const struct ferry_runtime *runtime;
  const char *container_id;
  const char *session_id;
  const char *name;         /* the container's */
  const char *session_dir;  /* conmon's bundle: the attach socket, pid files, exit/ */
  const char *process_spec; /* the "process" JSON for `runtime exec --process` */
  const char *socket_dir;   /* the attach socket is <socket_dir>/<session_id>/attach */
  int terminal;
  int stdin_open;
  /* Connect to the attach socket before the process starts, so that none
   * of its output is lost (--exec-attach).  */
  int attach;
  unsigned rows, cols; /* the terminal's size before the process starts; 0: none */
  char **exit_command;
  const int *preserve_fds;
  size_t n_preserve_fds;
};

/* What ferry_conmon_exec started.  */
struct ferry_conmon_exec
{
  pid_t pid; /* the process */
  pid_t conmon_pid;
  int attach_fd; /* with ATTACH: the attach connection, else -1 */
  int sync_fd;   /* conmon's sync pipe: the exit code comes here */
};

/* Starts conmon in exec mode and returns once the process runs.  When the
 * runtime fails, the error has its message and the kind from
 * ferry_runtime_classify_exec_error (command not found, ...).  */
int ferry_conmon_exec (const struct ferry_conmon_exec_options *o, struct ferry_conmon_exec *out,
                       ferry_error_t *err);

/* Reads the exit code conmon sends on SYNC_FD when the process ends;
 * -1 without a code (conmon died).  */
int ferry_conmon_exec_wait (int sync_fd, int *code, ferry_error_t *err);

/* <session_dir>/exit/<container id>  */
char *ferry_conmon_exec_exit_path (const char *session_dir, const char *container_id);

#endif
