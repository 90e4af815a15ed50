/* ferry: the conmon driver.
 *
 * conmon (2.1, --api-version 1) protocol, as ferry relies on it:
 * - the fd named by _OCI_SYNCPIPE gets one JSON line, {"data": PID} once the
 *   runtime created the container, or {"data": -1, "message": "<runtime
 *   stderr>"} when it failed;
 * - conmon forks: the first process writes --conmon-pidfile with the
 *   daemon's PID and exits at once; the daemon calls setsid, puts /dev/null
 *   on its stdio and stays until the container exits;
 * - with --full-attach the attach socket is <bundle>/attach (--socket-dir-path
 *   is then ignored), a SOCK_SEQPACKET socket; each packet from conmon starts
 *   with the stream (2 stdout, 3 stderr); what a client sends is the
 *   container's stdin, and its shutdown(SHUT_WR) closes that stdin (unless
 *   --leave-stdin-open);
 * - on exit conmon writes the code to <exit-dir>/<id> and <persist-dir>/exit,
 *   then runs --exit-command with execv (the --exit-command-arg values after
 *   the command as argv[0]), also after a failed create.  */
#include "conmon.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/process.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define CONMON_REPLY_TIMEOUT_MS (FERRY_CONMON_REPLY_TIMEOUT * 1000)

/* The fd number conmon finds its sync pipe at.  */
#define CONMON_SYNC_FD 3

/* conmon reads at most 32767 bytes per packet from an attach client and
 * writes at most 8192 + 1.  */
#define ATTACH_SEND_MAX 8192
#define ATTACH_RECV_MAX 65536

#define ATTACH_STREAM_STDOUT 2
#define ATTACH_STREAM_STDERR 3

static const char *const CONMON_SEARCH_DIRS[]
    = { "/usr/bin",       "/usr/libexec/podman", "/usr/local/libexec/podman",
        "/usr/local/bin", "/usr/lib/podman",     NULL };

struct strv_builder
{
  char **v;
  size_t n;
};

static void
strv_add (struct strv_builder *b, const char *s)
{
  ferry_strv_append (&b->v, &b->n, s);
}

static void
strv_add_pair (struct strv_builder *b, const char *option, const char *value)
{
  strv_add (b, option);
  strv_add (b, value);
}

/* "--option=VALUE": conmon's option parser takes the value as it is even
 * when it starts with a dash.  */
static void
strv_add_joined (struct strv_builder *b, const char *option, const char *value)
{
  cleanup_free char *arg = xasprintf ("%s=%s", option, value);

  strv_add (b, arg);
}

/* The runtime's global arguments, and its log: as JSON into OCI_LOG.  The
 * runtime's error also reaches conmon's reply, but cut at 8 KiB and mixed
 * with its warnings; the JSON log has it whole.  */
static void
add_runtime_args (struct strv_builder *b, const struct ferry_runtime *runtime, const char *oci_log)
{
  cleanup_strv char **global = ferry_runtime_global_args (runtime);

  for (char **it = global; *it; it++)
    strv_add_joined (b, "--runtime-arg", *it);
  strv_add_joined (b, "--runtime-arg", "--log-format=json");
  strv_add_joined (b, "--runtime-arg", "--log");
  strv_add_joined (b, "--runtime-arg", oci_log);
}

/* What conmon runs when the process exits (none when COMMAND is NULL or
 * empty).  */
static void
add_exit_command (struct strv_builder *b, char *const *command)
{
  if (command == NULL || command[0] == NULL)
    return;
  strv_add_joined (b, "--exit-command", command[0]);
  for (char *const *it = command + 1; *it; it++)
    strv_add_joined (b, "--exit-command-arg", *it);
}

/* The runtime's --preserve-fds N, through conmon (none when N is 0).  */
static void
add_preserve_fds (struct strv_builder *b, size_t n)
{
  char text[24];

  if (n == 0)
    return;
  snprintf (text, sizeof (text), "%zu", n);
  strv_add_joined (b, "--runtime-opt", "--preserve-fds");
  strv_add_joined (b, "--runtime-opt", text);
}

static char *
find_conmon (void)
{
  const char *path = getenv ("PATH");
  const char *const *dir;

  if (path)
    {
      cleanup_free char *copy = xstrdup (path);
      char *save = NULL, *d;

      for (d = strtok_r (copy, ":", &save); d; d = strtok_r (NULL, ":", &save))
        {
          cleanup_free char *candidate = xasprintf ("%s/conmon", d);

          if (*d == '/' && access (candidate, X_OK) == 0)
            return steal_pointer (&candidate);
        }
    }
  for (dir = CONMON_SEARCH_DIRS; *dir; dir++)
    {
      cleanup_free char *candidate = xasprintf ("%s/conmon", *dir);

      if (access (candidate, X_OK) == 0)
        return steal_pointer (&candidate);
    }
  return NULL;
}

/* The pipes conmon finds in its environment, in the order conmon_child
 * places them after the descriptors the container keeps: the sync pipe
 * always, the start and attach pipes for an attached exec.  */
static const char *const CONMON_PIPE_NAMES[] = { "_OCI_SYNCPIPE", "_OCI_STARTPIPE", "_OCI_ATTACHPIPE" };

static char **
conmon_environment (size_t n_preserve_fds, size_t n_pipes)
{
  struct strv_builder b = { 0 };
  char pipe_var[32];
  char **it;

  for (it = environ; it && *it; it++)
    if (! ferry_runtime_environment_is_dropped (*it))
      strv_add (&b, *it);
  for (size_t i = 0; i < n_pipes; i++)
    {
      snprintf (pipe_var, sizeof (pipe_var), "%s=%zu", CONMON_PIPE_NAMES[i],
                CONMON_SYNC_FD + n_preserve_fds + i);
      strv_add (&b, pipe_var);
    }
  return b.v;
}

static char **
conmon_argv (const char *conmon, const struct ferry_conmon_options *o, const char *bundle,
             const char *oci_log)
{
  struct strv_builder b = { 0 };
  cleanup_free char *log = o->log_driver && strcmp (o->log_driver, "k8s-file") != 0
                               ? xstrdup (o->log_driver)
                               : xasprintf ("k8s-file:%s", o->log_path);
  char **it;

  strv_add (&b, conmon);
  strv_add_pair (&b, "--api-version", "1");
  strv_add_pair (&b, "-c", o->id);
  strv_add_pair (&b, "-u", o->id);
  strv_add_pair (&b, "-r", o->runtime->path);
  strv_add_pair (&b, "-b", bundle);
  strv_add_pair (&b, "-p", o->pidfile);
  strv_add_pair (&b, "-n", o->name && *o->name ? o->name : o->id);
  strv_add_pair (&b, "--exit-dir", o->exit_dir);
  strv_add_pair (&b, "--persist-dir", o->persist_dir);
  strv_add (&b, "--full-attach");
  strv_add_pair (&b, "--socket-dir-path", o->socket_dir);
  strv_add_pair (&b, "-l", log);
  strv_add_pair (&b, "--log-level", "warning");
  if (o->log_size_max > 0)
    {
      char size[24];
      snprintf (size, sizeof (size), "%" PRId64, o->log_size_max);
      strv_add_pair (&b, "--log-size-max", size);
    }
  if (o->log_tag && *o->log_tag)
    strv_add_pair (&b, "--log-tag", o->log_tag);
  /* Once daemonised its stderr is /dev/null: the journal is where a late
   * failure (writing the exit file, say) can still be read.  */
  strv_add (&b, "--syslog");
  add_runtime_args (&b, o->runtime, oci_log);
  strv_add_pair (&b, "--conmon-pidfile", o->conmon_pidfile);
  if (o->terminal)
    strv_add (&b, "-t");
  /* With a terminal, input goes through the pty master whatever -i says;
   * -i would make conmon close it when an attached client leaves, and no
   * later attach could type into the container again (Podman passes -t
   * alone too).  */
  if (o->stdin_open && ! o->terminal)
    strv_add (&b, "-i");
  add_exit_command (&b, o->exit_command);
  if (o->restore_from)
    strv_add_joined (&b, "--restore", o->restore_from);
  if (o->timeout > 0)
    {
      char timeout[16];
      snprintf (timeout, sizeof (timeout), "%d", o->timeout);
      strv_add_pair (&b, "--timeout", timeout);
    }
  if (o->sdnotify_socket)
    strv_add_joined (&b, "--sdnotify-socket", o->sdnotify_socket);
  for (it = o->runtime_opts; it && *it; it++)
    strv_add_joined (&b, "--runtime-opt", *it);
  add_preserve_fds (&b, o->n_preserve_fds);
  return b.v;
}

/* In the forked child: only async-signal-safe calls from here on.  conmon
 * never gets ferry's own stdio, so a pipe that ferry's caller waits on
 * does not stay open in the monitor: stdin is /dev/null, and stdout and
 * stderr are OUTPUT_FD, which conmon replaces with /dev/null when it
 * daemonises; until then it carries the errors conmon prints.  The cwd is
 * the bundle, so that the monitor pins no directory of the caller's.  */
static void __attribute__ ((noreturn))
conmon_child (char **argv, char **envp, const char *cwd, int devnull, int output_fd, const int *pipes,
              size_t n_pipes, int passthrough, const int *preserve, size_t n_preserve, pid_t parent)
{
  /* 0-2, the preserved descriptors from 3 on, then the pipes.  */
  int src[3 + FERRY_PRESERVE_FDS_MAX + 3];
  size_t n = 3 + n_preserve + n_pipes, i;
  struct sigaction sa;
  sigset_t none;

  setsid ();
  /* With PARENT, conmon's first process dies with that ferry, so a
   * killed launch leaves no conmon still to come: only a daemon already
   * forked, which ferry_conmon_end finds.  */
  if (parent > 0 && (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != parent))
    _exit (126);
  if (chdir (cwd) < 0 || n_preserve > FERRY_PRESERVE_FDS_MAX || n_pipes > 3)
    _exit (126);
  src[0] = devnull;
  src[1] = src[2] = output_fd;
  /* --log-driver passthrough: the container's stdio is ferry's, which
   * conmon passes on; its own errors then reach the user as they are.  */
  if (passthrough)
    {
      src[0] = STDIN_FILENO;
      src[1] = STDOUT_FILENO;
      src[2] = STDERR_FILENO;
    }
  for (i = 0; i < n_preserve; i++)
    src[3 + i] = preserve[i] >= 0 ? preserve[i] : devnull;
  for (i = 0; i < n_pipes; i++)
    src[3 + n_preserve + i] = pipes[i];
  /* Copies above every target first, so that no dup2 below overwrites a
   * source still to be placed.  */
  for (i = 0; i < n; i++)
    if ((src[i] = fcntl (src[i], F_DUPFD, (int) n)) < 0)
      _exit (126);
  /* dup2 leaves the copies without FD_CLOEXEC: conmon inherits them.  */
  for (i = 0; i < n; i++)
    if (dup2 (src[i], (int) i) < 0)
      _exit (126);
  if (syscall (SYS_close_range, (unsigned) n, ~0U, 0U) < 0)
    for (i = n; i < 1024; i++)
      close ((int) i);

  memset (&sa, 0, sizeof (sa));
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++)
    sigaction (sig, &sa, NULL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);

  execve (argv[0], argv, envp);
  _exit (127);
}

static int64_t
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct conmon_reply
{
  char *sync;   /* conmon's first line on the sync pipe, or what came before EOF */
  char *stderr; /* what conmon printed before it daemonised */
  bool got_line;
  bool timed_out;
};

static void
buffer_append (char **buf, size_t *len, const char *data, size_t n, size_t max)
{
  if (*len + n > max)
    n = max - *len;
  *buf = xrealloc (*buf, *len + n + 1);
  memcpy (*buf + *len, data, n);
  *len += n;
  (*buf)[*len] = '\0';
}

/* Reads conmon's first reply line from SYNC_FD while draining ERR_FD.  */
static int
read_conmon_reply (int sync_fd, int err_fd, int64_t timeout_ms, struct conmon_reply *reply,
                   ferry_error_t *err)
{
  int64_t deadline = now_ms () + timeout_ms;
  size_t sync_len = 0, err_len = 0;
  bool sync_open = true, err_open = true;

  reply->sync = xstrdup ("");
  reply->stderr = xstrdup ("");
  while (sync_open || (err_open && ! reply->got_line))
    {
      struct pollfd pfd[2]
          = { { sync_open ? sync_fd : -1, POLLIN, 0 }, { err_open ? err_fd : -1, POLLIN, 0 } };
      int64_t left = deadline - now_ms ();
      char buf[4096];
      ssize_t r;
      int n;

      if (left <= 0)
        {
          reply->timed_out = true;
          return 0;
        }
      n = poll (pfd, 2, (int) left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return ferry_make_error (err, errno, "cannot poll conmon's sync pipe");
      if (pfd[0].revents)
        {
          r = read (sync_fd, buf, sizeof (buf));
          if (r < 0 && errno != EINTR && errno != EAGAIN)
            return ferry_make_error (err, errno, "cannot read conmon's sync pipe");
          if (r == 0)
            sync_open = false;
          if (r > 0)
            buffer_append (&reply->sync, &sync_len, buf, r, 1024 * 1024);
          if (strchr (reply->sync, '\n'))
            {
              reply->got_line = true;
              sync_open = false;
            }
        }
      if (pfd[1].revents)
        {
          r = read (err_fd, buf, sizeof (buf));
          if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
            err_open = false;
          if (r > 0)
            buffer_append (&reply->stderr, &err_len, buf, r, 64 * 1024);
        }
    }
  return 0;
}

static void
conmon_reply_release (struct conmon_reply *reply)
{
  free (reply->sync);
  free (reply->stderr);
}

#define cleanup_conmon_reply __attribute__ ((cleanup (conmon_reply_release)))

static int
wait_child (pid_t pid, int *status)
{
  while (waitpid (pid, status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return 0;
}

/* The last non-empty line of TEXT, without conmon's "[conmon:e]: " tag.  */
static char *
last_line (const char *text)
{
  const char *end = text + strlen (text);
  const char *start;

  while (end > text && strchr (" \t\r\n", end[-1]))
    end--;
  start = end;
  while (start > text && start[-1] != '\n')
    start--;
  if (strncmp (start, "[conmon:", 8) == 0 && strchr (start, ' ') && strchr (start, ' ') < end)
    start = strchr (start, ' ') + 1;
  return xstrndup (start, end - start);
}

int
ferry_conmon_read_pid_file (const char *path, pid_t *pid, ferry_error_t *err)
{
  cleanup_free char *text = NULL;
  char *end;
  long value;

  if (ferry_read_file (path, &text, NULL, err) < 0)
    return -1;
  errno = 0;
  value = strtol (text, &end, 10);
  while (*end == '\n' || *end == ' ')
    end++;
  if (errno || end == text || *end || value <= 0 || value > INT_MAX)
    return ferry_make_error (err, 0, "`%s` does not hold a PID", path);
  *pid = (pid_t) value;
  return 0;
}

/* What conmon printed and nobody read yet, now that its first process,
 * the only writer left, has exited.  */
static void
drain_available (int fd, struct conmon_reply *reply)
{
  size_t len = strlen (reply->stderr);
  char buf[4096];
  ssize_t r;

  if (fcntl (fd, F_SETFL, O_NONBLOCK) < 0)
    return;
  while ((r = read (fd, buf, sizeof (buf))) > 0 || (r < 0 && errno == EINTR))
    if (r > 0)
      buffer_append (&reply->stderr, &len, buf, r, 64 * 1024);
}

/* Why conmon, whose first process ended with STATUS, gave no PID.  */
static char *
conmon_failure (const char *conmon, int status, const char *output)
{
  cleanup_free char *said = last_line (output);
  const char *sep = *said ? ": " : "";

  if (WIFEXITED (status) && WEXITSTATUS (status) == 127)
    return xasprintf ("cannot run `%s`%s%s", conmon, sep, said);
  if (WIFSIGNALED (status))
    return xasprintf ("conmon was killed by signal %d%s%s", WTERMSIG (status), sep, said);
  if (WEXITSTATUS (status) != 0)
    return xasprintf ("conmon failed: exit status %d%s%s", WEXITSTATUS (status), sep, said);
  return xasprintf ("conmon exited without reporting the container's PID%s%s", sep, said);
}

/* conmon's first process failed after it forked (writing its pidfile,
 * typically), but the daemon went on and the runtime created the
 * container: remove it, so that a failed create leaves nothing running.  */
static void
undo_orphaned_create (const struct ferry_conmon_options *o, const char *reply)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_json json_object *obj = ferry_json_parse (reply, strlen (reply), "conmon's reply", &ignored);

  if (obj && ferry_json_get_int (obj, "data", -1) > 0)
    ferry_runtime_delete (o->runtime, o->id, 1, &ignored);
}

/* The error for a create that conmon reported as failed (or never
 * reported): the runtime's own words when it left any.  */
static int
create_failed (const struct ferry_conmon_options *o, const char *verb, const char *oci_log,
               const char *message, const char *fallback, ferry_error_t *err)
{
  cleanup_free char *log = NULL;

  if (ferry_path_exists (oci_log))
    {
      cleanup_error ferry_error_t ignored = NULL;

      if (ferry_read_file (oci_log, &log, NULL, &ignored) == 0
          && ferry_runtime_error_from_output (o->runtime, verb, o->id, log, err) < 0)
        return -1;
    }
  if (message && ferry_runtime_error_from_output (o->runtime, verb, o->id, message, err) < 0)
    return -1;
  return ferry_make_error (err, 0, "conmon for container %s: %s", o->id, fallback);
}

/* Makes <socket_dir>/<id> lead to the bundle, where conmon puts the attach
 * socket under --full-attach.  */
static int
link_attach_dir (const char *socket_dir, const char *id, const char *bundle, ferry_error_t *err)
{
  cleanup_free char *link = xasprintf ("%s/%s", socket_dir, id);
  char resolved[PATH_MAX];
  struct stat st;

  if (realpath (link, resolved) != NULL && strcmp (resolved, bundle) == 0)
    return 0;
  if (lstat (link, &st) == 0)
    {
      if (! S_ISLNK (st.st_mode))
        return ferry_make_error (err, EEXIST, "cannot link the attach socket directory `%s` to `%s`", link,
                                 bundle);
      if (unlink (link) < 0)
        return ferry_make_error (err, errno, "cannot remove the stale link `%s`", link);
    }
  if (symlink (bundle, link) < 0)
    return ferry_make_error (err, errno, "cannot link the attach socket directory `%s` to `%s`", link,
                             bundle);
  return 0;
}

static int
unlink_stale (const char *path, ferry_error_t *err)
{
  if (unlink (path) < 0 && errno != ENOENT)
    return ferry_make_error (err, errno, "cannot remove the stale `%s`", path);
  return 0;
}

/* Everything conmon expects to find, and nothing left by an earlier run of
 * the same container that could be taken for this one's.  */
static int
prepare_paths (const struct ferry_conmon_options *o, const char *bundle, const char *oci_log,
               ferry_error_t *err)
{
  cleanup_free char *exit_file = xasprintf ("%s/%s", o->exit_dir, o->id);
  cleanup_free char *persist_exit = xasprintf ("%s/exit", o->persist_dir);

  if (ferry_mkdir_p (o->exit_dir, 0700, err) < 0 || ferry_mkdir_p (o->persist_dir, 0700, err) < 0
      || ferry_mkdir_p (o->socket_dir, 0700, err) < 0)
    return -1;
  if (unlink_stale (exit_file, err) < 0 || unlink_stale (persist_exit, err) < 0
      || unlink_stale (oci_log, err) < 0 || unlink_stale (o->conmon_pidfile, err) < 0)
    return -1;
  return link_attach_dir (o->socket_dir, o->id, bundle, err);
}

static int
check_options (const struct ferry_conmon_options *o, ferry_error_t *err)
{
  if (o->runtime == NULL || o->id == NULL || o->bundle == NULL || o->pidfile == NULL
      || o->conmon_pidfile == NULL || o->exit_dir == NULL || o->persist_dir == NULL || o->socket_dir == NULL
      || (o->log_path == NULL && (o->log_driver == NULL || strcmp (o->log_driver, "k8s-file") == 0)))
    return ferry_make_error (err, EINVAL, "incomplete conmon options for container %s", o->id ? o->id : "?");
  if (o->n_preserve_fds > FERRY_PRESERVE_FDS_MAX)
    return ferry_make_error (err, EINVAL, "container %s: at most %d file descriptors can be passed", o->id,
                             FERRY_PRESERVE_FDS_MAX);
  return 0;
}

/* Forks conmon; *SYNC_R and *OUTPUT_R get the read ends of its sync pipe
 * and of its stdout and stderr.  */
static int
start_conmon (char **argv, char **envp, const char *bundle, const struct ferry_conmon_options *o, pid_t *pid,
              int *sync_r, int *output_r, ferry_error_t *err)
{
  cleanup_close int devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  cleanup_close int sync_w = -1, output_w = -1;
  pid_t self = getpid ();
  int fds[2];

  if (devnull < 0)
    return ferry_make_error (err, errno, "cannot open /dev/null");
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot create conmon's sync pipe");
  *sync_r = fds[0];
  sync_w = fds[1];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot create a pipe for conmon's errors");
  *output_r = fds[0];
  output_w = fds[1];

  *pid = fork ();
  if (*pid < 0)
    return ferry_make_error (err, errno, "cannot fork to run conmon");
  if (*pid == 0)
    conmon_child (argv, envp, bundle, devnull, output_w, &sync_w, 1,
                  o->log_driver && strcmp (o->log_driver, "passthrough") == 0, o->preserve_fds,
                  o->n_preserve_fds, self);
  return 0;
}

/* Reads conmon's reply and reaps its first process, which exits as soon
 * as the daemon is forked (the daemon is no child of ferry's).  */
static int
wait_conmon (const struct ferry_conmon_options *o, pid_t pid, int sync_r, int output_r,
             struct conmon_reply *reply, int *status, ferry_error_t *err)
{
  int timeout = o->reply_timeout > 0 ? o->reply_timeout : FERRY_CONMON_REPLY_TIMEOUT;
  int ret = read_conmon_reply (sync_r, output_r, (int64_t) timeout * 1000, reply, err);

  /* Podman's words, then what ferry did about it (ferry_conmon_create
   * ends the launch) and what the user can do.  */
  if (ret == 0 && reply->timed_out)
    ret = ferry_make_error (err, 0,
                            "container creation timeout: %s %s of container %s did not finish in %d s, and "
                            "ferry ended it: try again, or allow it longer with FERRY_CONMON_TIMEOUT=SECONDS",
                            o->runtime->name, o->restore_from ? "restore" : "create", o->id, timeout);
  if (ret < 0)
    kill (pid, SIGKILL);
  if (wait_child (pid, status) < 0 && ret == 0)
    return ferry_make_error (err, errno, "cannot wait for conmon");
  if (ret == 0)
    drain_available (output_r, reply);
  return ret;
}

static bool
exited_cleanly (int status)
{
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

/* What conmon's REPLY and first process's STATUS say: the container's PID,
 * or why there is none.  */
static int
conmon_outcome (const struct ferry_conmon_options *o, const char *conmon, const char *oci_log,
                const struct conmon_reply *reply, int status, pid_t *container_pid, ferry_error_t *err)
{
  const char *verb = o->restore_from ? "restore" : "create";
  cleanup_json json_object *reply_json = NULL;
  cleanup_free char *why = NULL;
  int64_t data;

  if (! exited_cleanly (status) || ! reply->got_line)
    {
      why = conmon_failure (conmon, status, reply->stderr);
      if (! exited_cleanly (status))
        {
          if (reply->got_line)
            undo_orphaned_create (o, reply->sync);
          /* Podman's words, and its exit code for run (126): the
           * container could not be started.  */
          return ferry_make_error_kind (err, FERRY_ERROR_RUNTIME, "%s", why);
        }
      return create_failed (o, verb, oci_log, NULL, why, err);
    }

  reply_json = ferry_json_parse (reply->sync, strlen (reply->sync), "conmon's reply", err);
  if (reply_json == NULL)
    return ferry_error_wrap (err, "container %s", o->id);
  data = ferry_json_get_int (reply_json, "data", -1);
  if (data <= 0)
    {
      why = xasprintf ("%s %s failed (conmon reported %lld)", o->runtime->name, verb, (long long) data);
      return create_failed (o, verb, oci_log, ferry_json_get_string (reply_json, "message"), why, err);
    }
  *container_pid = (pid_t) data;
  return 0;
}

/* What a launch of conmon runs: conmon itself (its first process and the
 * daemon), the runtime's create or restore, and CRIU under it.  */
static const char *const LAUNCH_HELPERS[] = { "conmon", "runc", "crun", "criu", NULL };

/* True when the conmon PID was started with "-b BUNDLE".  */
static bool
conmon_has_bundle (pid_t pid, const char *bundle)
{
  cleanup_free char *path = xasprintf ("/proc/%d/cmdline", (int) pid);
  cleanup_free char *args = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  size_t len = 0;

  if (ferry_read_file (path, &args, &len, &ignored) < 0)
    return false;
  for (size_t i = 0; i < len; i += strlen (args + i) + 1)
    if (strcmp (args + i, "-b") == 0 && i + 3 < len && strcmp (args + i + 3, bundle) == 0)
      return true;
  return false;
}

/* Kills a live conmon of BUNDLE with what its process group runs.  */
static int
end_conmon (pid_t pid, const struct ferry_process_info *info, void *data)
{
  const char *bundle = data;

  if (strcmp (info->comm, "conmon") != 0 || ! conmon_has_bundle (pid, bundle))
    return 0;
  kill (pid, SIGKILL);
  ferry_process_group_kill (info->pgrp, LAUNCH_HELPERS, 10000);
  return 1;
}

int
ferry_conmon_end (const char *bundle)
{
  char resolved[PATH_MAX];
  int found = 0, n;

  /* conmon is given the bundle's real path; one removed since has its
   * directory's.  */
  if (realpath (bundle, resolved) != NULL)
    bundle = resolved;
  else if (strrchr (bundle, '/') && strrchr (bundle, '/') != bundle)
    {
      cleanup_free char *dir = xstrndup (bundle, strrchr (bundle, '/') - bundle);
      char parent[PATH_MAX];

      if (realpath (dir, parent) != NULL
          && (size_t) snprintf (resolved, sizeof (resolved), "%s%s", parent, strrchr (bundle, '/'))
                 < sizeof (resolved))
        bundle = resolved;
    }
  /* A first process killed while it forked its daemon leaves the daemon,
   * with the same arguments, to the next round.  */
  for (int round = 0; round < 100 && (n = ferry_process_each (end_conmon, (void *) bundle)) > 0; round++)
    found += n;
  return found;
}

int
ferry_conmon_create (const struct ferry_conmon_options *o, pid_t *container_pid, pid_t *conmon_pid,
                     ferry_error_t *err)
{
  cleanup_free char *conmon = NULL;
  cleanup_free char *oci_log = NULL;
  cleanup_strv char **argv = NULL;
  cleanup_strv char **envp = NULL;
  cleanup_close int sync_r = -1, output_r = -1;
  cleanup_conmon_reply struct conmon_reply reply = { 0 };
  char bundle[PATH_MAX];
  int status = 0;
  pid_t pid = -1;

  if (check_options (o, err) < 0)
    return -1;
  if (realpath (o->bundle, bundle) == NULL)
    return ferry_make_error (err, errno, "cannot find the bundle `%s` of container %s", o->bundle, o->id);
  conmon = find_conmon ();
  if (conmon == NULL)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                  "conmon not found: install it (package `conmon`)");
  oci_log = xasprintf ("%s/oci-log", bundle);
  if (prepare_paths (o, bundle, oci_log, err) < 0)
    return -1;

  argv = conmon_argv (conmon, o, bundle, oci_log);
  envp = conmon_environment (o->n_preserve_fds, 1);
  if (start_conmon (argv, envp, bundle, o, &pid, &sync_r, &output_r, err) < 0)
    return -1;
  ferry_fault_point ("conmon-started");
  /* A launch that fails (a runtime or CRIU that hangs, too) leaves no
   * conmon, runtime or CRIU at work on the container.  */
  if (wait_conmon (o, pid, sync_r, output_r, &reply, &status, err) < 0
      || conmon_outcome (o, conmon, oci_log, &reply, status, container_pid, err) < 0)
    {
      ferry_conmon_end (bundle);
      return -1;
    }
  if (ferry_conmon_read_pid_file (o->conmon_pidfile, conmon_pid, err) < 0)
    return ferry_error_wrap (err, "conmon's PID for container %s", o->id);
  return 0;
}

char *
ferry_conmon_attach_path (const char *socket_dir, const char *id)
{
  return xasprintf ("%s/%s/attach", socket_dir, id);
}

int
ferry_conmon_attach_connect (const char *socket_dir, const char *id, ferry_error_t *err)
{
  cleanup_free char *path = ferry_conmon_attach_path (socket_dir, id);
  cleanup_close int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  cleanup_close int dirfd = -1;
  struct sockaddr_un addr;

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot create a socket to attach to container %s", id);
  memset (&addr, 0, sizeof (addr));
  addr.sun_family = AF_UNIX;
  if (strlen (path) < sizeof (addr.sun_path))
    strcpy (addr.sun_path, path);
  else
    {
      /* Too long for sun_path: reach the directory through its fd.  */
      cleanup_free char *dir = xasprintf ("%s/%s", socket_dir, id);

      dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (dirfd < 0)
        return ferry_make_error (err, errno, "cannot open the attach socket directory `%s`", dir);
      snprintf (addr.sun_path, sizeof (addr.sun_path), "/proc/self/fd/%d/attach", dirfd);
    }
  if (connect (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0)
    {
      int e = errno;

      ferry_make_error (err, e, "cannot connect to the attach socket `%s` of container %s", path, id);
      if (e == ENOENT || e == ECONNREFUSED)
        (*err)->kind = FERRY_ERROR_NOT_FOUND;
      return -1;
    }
  return steal_fd (&fd);
}

/* One packet from conmon: the stream byte, then the data.  */
static int
attach_forward_output (const char *packet, size_t len, int out_fd, int err_fd, ferry_error_t *err)
{
  int dest;

  if (len < 1)
    return 0;
  if (packet[0] == ATTACH_STREAM_STDOUT)
    dest = out_fd;
  else if (packet[0] == ATTACH_STREAM_STDERR)
    dest = err_fd;
  else
    return 0;
  if (dest < 0 || len == 1)
    return 0;
  if (ferry_write_all (dest, packet + 1, len - 1) < 0)
    return ferry_make_error (err, errno, "cannot write the container's %s",
                             packet[0] == ATTACH_STREAM_STDOUT ? "stdout" : "stderr");
  return 0;
}

struct attach_input
{
  int fd; /* -1 once it ended */
  char buf[ATTACH_SEND_MAX];
  size_t len; /* bytes in BUF not yet sent */
  bool ended; /* FD reached its end: shut the socket's write side once BUF is sent */
  bool shut;
  const unsigned char *keys; /* the detach keys */
  size_t n_keys;
  size_t matched; /* keys read so far, each alone, held back from the container */
  bool detached;
};

/* Sends what is pending without blocking, so that a container that does
 * not read its stdin never stops ferry from reading its output.  */
static int
attach_send_input (int sock, struct attach_input *in, ferry_error_t *err)
{
  if (in->len > 0)
    {
      ssize_t w = send (sock, in->buf, in->len, MSG_DONTWAIT | MSG_NOSIGNAL);

      if (w < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
      if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
        {
          /* conmon no longer takes input: what is left has nowhere to go.  */
          in->len = 0;
          in->ended = true;
          in->fd = -1;
          in->shut = true;
          return 0;
        }
      if (w < 0)
        return ferry_make_error (err, errno, "cannot send input to the container");
      /* A SOCK_SEQPACKET send is all or nothing.  */
      in->len = 0;
    }
  if (in->ended && ! in->shut)
    {
      if (shutdown (sock, SHUT_WR) < 0 && errno != ENOTCONN)
        return ferry_make_error (err, errno, "cannot close the container's stdin");
      in->shut = true;
    }
  return 0;
}

/* Podman's rule: a read that is the next detach key and nothing else is
 * held back; the last one detaches.  Anything else releases what was held,
 * before it.  */
static void
attach_check_detach (struct attach_input *in, size_t r)
{
  if (r == 1 && in->matched < in->n_keys && (unsigned char) in->buf[in->matched] == in->keys[in->matched])
    {
      in->matched++;
      if (in->matched == in->n_keys)
        in->detached = true;
      return;
    }
  in->len = in->matched + r;
  in->matched = 0;
}

static int
attach_read_input (struct attach_input *in, ferry_error_t *err)
{
  /* Keys held back stay at the front of BUF.  */
  ssize_t r = read (in->fd, in->buf + in->matched, sizeof (in->buf) - in->matched);

  if (r < 0 && (errno == EINTR || errno == EAGAIN))
    return 0;
  if (r < 0 && errno != EIO)
    return ferry_make_error (err, errno, "cannot read the input for the container");
  if (r <= 0)
    {
      in->fd = -1;
      in->ended = true;
      in->len = in->matched;
      in->matched = 0;
      return 0;
    }
  if (in->n_keys == 0)
    in->len = r;
  else
    attach_check_detach (in, r);
  return 0;
}

/* Passes on each signal waiting on IO's signalfd.  */
static void
attach_forward_signals (const struct ferry_attach_io *io)
{
  struct signalfd_siginfo si;

  while (read (io->signal_fd, &si, sizeof (si)) == (ssize_t) sizeof (si))
    if (io->on_signal)
      io->on_signal ((int) si.ssi_signo, io->signal_arg);
}

int
ferry_attach_parse_detach_keys (const char *text, struct ferry_attach_io *io, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (text);
  char *save = NULL, *key;
  size_t n = 0;

  io->n_detach_keys = 0;
  if (*text == '\0')
    return 0;
  for (key = strtok_r (copy, ",", &save); key; key = strtok_r (NULL, ",", &save))
    {
      unsigned char c;

      if (strlen (key) == 1)
        c = (unsigned char) key[0];
      else if (strncmp (key, "ctrl-", 5) == 0 && strlen (key) == 6
               && ((key[5] >= 'a' && key[5] <= 'z') || strchr ("@[\\]^_", key[5])))
        c = key[5] >= 'a' && key[5] <= 'z' ? (unsigned char) (key[5] - 'a' + 1)
                                           : (unsigned char) (key[5] - '@');
      else
        return ferry_make_error (err, 0, "invalid detach keys: Unknown character: '%s'", key);
      if (n == FERRY_DETACH_KEYS_MAX)
        return ferry_make_error (err, 0, "invalid detach keys: more than %d keys", FERRY_DETACH_KEYS_MAX);
      io->detach_keys[n++] = c;
    }
  if (n == 0)
    return ferry_make_error (err, 0, "invalid detach keys: Unknown character: '%s'", text);
  io->n_detach_keys = n;
  return 0;
}

int
ferry_conmon_attach_stream (int fd, const struct ferry_attach_io *io, ferry_error_t *err)
{
  cleanup_free char *packet = xmalloc (ATTACH_RECV_MAX);
  struct attach_input *in = xmalloc0 (sizeof (*in));
  int ret = 0;

  in->fd = io->in_fd;
  in->shut = io->in_fd < 0;
  in->keys = io->detach_keys;
  in->n_keys = io->n_detach_keys;
  for (;;)
    {
      struct pollfd pfd[3];
      ssize_t r;

      pfd[0].fd = fd;
      pfd[0].events = POLLIN | (in->len > 0 || (in->ended && ! in->shut) ? POLLOUT : 0);
      pfd[0].revents = 0;
      pfd[1].fd = in->fd >= 0 && in->len == 0 ? in->fd : -1;
      pfd[1].events = POLLIN;
      pfd[1].revents = 0;
      pfd[2].fd = io->signal_fd;
      pfd[2].events = POLLIN;
      pfd[2].revents = 0;
      if (poll (pfd, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          ret = ferry_make_error (err, errno, "cannot poll the attach socket");
          break;
        }
      if (pfd[2].revents & POLLIN)
        attach_forward_signals (io);
      if (pfd[1].revents && (ret = attach_read_input (in, err)) < 0)
        break;
      if (in->detached)
        {
          ret = 1;
          break;
        }
      if ((pfd[0].revents & POLLOUT) || pfd[1].revents)
        if ((ret = attach_send_input (fd, in, err)) < 0)
          break;
      if (! (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;

      r = recv (fd, packet, ATTACH_RECV_MAX, MSG_DONTWAIT);
      if (r < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (r == 0 || (r < 0 && errno == ECONNRESET))
        break;
      if (r < 0)
        {
          ret = ferry_make_error (err, errno, "cannot read from the attach socket");
          break;
        }
      if ((ret = attach_forward_output (packet, r, io->out_fd, io->err_fd, err)) < 0)
        break;
    }
  free (in);
  return ret;
}

int
ferry_conmon_read_exit (const char *exit_dir, const char *id, int *code, ferry_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s", exit_dir, id);
  cleanup_free char *text = NULL;
  char *end;
  long value;

  if (! ferry_path_exists (path))
    return 0;
  if (ferry_read_file (path, &text, NULL, err) < 0)
    {
      if ((*err)->status == ENOENT)
        {
          ferry_error_release (err);
          return 0;
        }
      return -1;
    }
  errno = 0;
  value = strtol (text, &end, 10);
  while (*end == '\n' || *end == ' ')
    end++;
  if (errno || end == text || *end || value < INT_MIN || value > INT_MAX)
    return ferry_make_error (err, 0, "the exit file `%s` does not hold an exit code", path);
  *code = (int) value;
  return 1;
}

int
ferry_conmon_exit_watch (const char *exit_dir)
{
  int fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);

  if (fd < 0)
    return -1;
  /* Written in place or renamed into place: either ends with one of
   * these.  */
  if (inotify_add_watch (fd, exit_dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

int
ferry_conmon_exit_wait (int watch, int pidfd, int ms)
{
  struct pollfd p[2] = { { .fd = watch, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
  char events[4096] __attribute__ ((aligned (__alignof__(struct inotify_event))));

  if (watch < 0)
    {
      usleep ((useconds_t) ms * 1000);
      return 0;
    }
  if (poll (p, pidfd >= 0 ? 2 : 1, ms) <= 0)
    return 0;
  /* What woke it is only a hint to look again: drained, so that the next
   * wait waits.  */
  while (read (watch, events, sizeof (events)) > 0)
    ;
  return pidfd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR));
}

char *
ferry_conmon_path (void)
{
  return find_conmon ();
}

/* ---- exec sessions ---------------------------------------------------- */

char *
ferry_conmon_exec_exit_path (const char *session_dir, const char *container_id)
{
  return xasprintf ("%s/exit/%s", session_dir, container_id);
}

static char **
conmon_exec_argv (const char *conmon, const struct ferry_conmon_exec_options *o, const char *dir)
{
  struct strv_builder b = { 0 };
  cleanup_free char *pidfile = xasprintf ("%s/exec_pid", dir);
  cleanup_free char *exits = xasprintf ("%s/exit", dir);
  cleanup_free char *persist = xasprintf ("%s/persist", dir);
  cleanup_free char *oci_log = xasprintf ("%s/oci-log", dir);
  cleanup_free char *conmon_pidfile = xasprintf ("%s/conmon.pid", dir);

  strv_add (&b, conmon);
  strv_add_pair (&b, "--api-version", "1");
  strv_add_pair (&b, "-c", o->container_id);
  strv_add_pair (&b, "-u", o->session_id);
  strv_add_pair (&b, "-r", o->runtime->path);
  strv_add_pair (&b, "-b", dir);
  strv_add_pair (&b, "-p", pidfile);
  strv_add_pair (&b, "-n", o->name && *o->name ? o->name : o->container_id);
  strv_add_pair (&b, "--exit-dir", exits);
  strv_add_pair (&b, "--persist-dir", persist);
  strv_add (&b, "--full-attach");
  strv_add_pair (&b, "--socket-dir-path", o->socket_dir);
  /* An exec's output goes to whoever is attached, into no log, as
   * Podman's.  */
  strv_add_pair (&b, "-l", "none");
  strv_add_pair (&b, "--log-level", "warning");
  strv_add (&b, "--syslog");
  add_runtime_args (&b, o->runtime, oci_log);
  strv_add_pair (&b, "--conmon-pidfile", conmon_pidfile);
  if (o->terminal)
    strv_add (&b, "-t");
  if (o->stdin_open)
    strv_add (&b, "-i");
  strv_add (&b, "-e");
  if (o->attach)
    strv_add (&b, "--exec-attach");
  strv_add_joined (&b, "--exec-process-spec", o->process_spec);
  add_exit_command (&b, o->exit_command);
  add_preserve_fds (&b, o->n_preserve_fds);
  return b.v;
}

/* Reads one of conmon's messages (a JSON line) from FD a byte at a time,
 * so that the next one stays in the pipe; waits up to TIMEOUT_MS (-1: no
 * end).  1 with *LINE, 0 at the end of the pipe (conmon went), -1 on
 * error.  */
static int
read_sync_line (int fd, int64_t timeout_ms, char **line, ferry_error_t *err)
{
  int64_t deadline = now_ms () + timeout_ms;
  char buf[4096];
  size_t len = 0;

  for (;;)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      int64_t left = timeout_ms < 0 ? -1 : deadline - now_ms ();
      ssize_t r;
      char c;
      int n;

      if (timeout_ms >= 0 && left <= 0)
        return ferry_make_error (err, ETIMEDOUT, "conmon did not report on the exec session");
      n = poll (&pfd, 1, (int) left);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return ferry_make_error (err, errno, "cannot poll conmon's sync pipe");
      if (n == 0)
        continue;
      r = read (fd, &c, 1);
      if (r < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (r < 0)
        return ferry_make_error (err, errno, "cannot read conmon's sync pipe");
      if (r == 0 && len == 0)
        return 0;
      if (r == 0 || c == '\n')
        break;
      if (len < sizeof (buf) - 1)
        buf[len++] = c;
    }
  buf[len] = '\0';
  *line = xstrdup (buf);
  return 1;
}

/* The "data" and "message" of one of conmon's messages.  */
static int
parse_sync_message (const char *line, int64_t *data, char **message, ferry_error_t *err)
{
  cleanup_json json_object *obj = ferry_json_parse (line, strlen (line), "conmon's message", err);
  const char *text;

  if (obj == NULL)
    return -1;
  if (json_object_object_get (obj, "data") == NULL)
    return ferry_make_error (err, 0, "conmon's message `%s` has no data", line);
  *data = ferry_json_get_int (obj, "data", -1);
  text = ferry_json_get_string (obj, "message");
  *message = text ? xstrdup (text) : NULL;
  return 0;
}

/* The error for an exec that conmon reported as failed: the runtime's own
 * words when it left any.  */
static int
exec_failed (const struct ferry_conmon_exec_options *o, const char *message, const char *fallback,
             ferry_error_t *err)
{
  cleanup_free char *oci_log = xasprintf ("%s/oci-log", o->session_dir);
  cleanup_free char *log = NULL;
  cleanup_error ferry_error_t ignored = NULL;

  if (ferry_read_file (oci_log, &log, NULL, &ignored) == 0
      && ferry_runtime_error_from_output (o->runtime, "exec", o->container_id, log, err) < 0)
    return -1;
  if (message && ferry_runtime_error_from_output (o->runtime, "exec", o->container_id, message, err) < 0)
    return -1;
  return ferry_make_error (err, 0, "exec session %s in container %s: %s", o->session_id, o->container_id,
                           fallback);
}

static int
write_start (int fd, const char *id, ferry_error_t *err)
{
  if (ferry_write_all (fd, "0", 1) < 0)
    return ferry_make_error (err, errno, "cannot start exec session %s", id);
  return 0;
}

/* The terminal's size from its start: conmon keeps it until the runtime
 * hands it the pty, so that the process never sees another.  */
static int
initial_size (const struct ferry_conmon_exec_options *o)
{
  cleanup_free char *ctl = NULL, *msg = NULL;
  cleanup_close int fd = -1;

  if (! o->terminal || o->rows == 0 || o->cols == 0)
    return 0;
  ctl = xasprintf ("%s/ctl", o->session_dir);
  msg = xasprintf ("1 %u %u\n", o->rows, o->cols);
  fd = open (ctl, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  /* Not worth failing the exec for: it is resized again once attached.  */
  if (fd >= 0)
    ferry_write_all (fd, msg, strlen (msg));
  return 0;
}

/* conmon's first process exits once it forked the monitor; what it said
 * before is why it did not.  */
static int
reap_first_conmon (pid_t pid, int output_r, const char *conmon, const char *id, ferry_error_t *err)
{
  struct conmon_reply reply = { .sync = NULL, .stderr = xstrdup ("") };
  cleanup_free char *why = NULL;
  int status = 0;

  if (wait_child (pid, &status) < 0)
    {
      free (reply.stderr);
      return ferry_make_error (err, errno, "cannot wait for conmon");
    }
  if (exited_cleanly (status))
    {
      free (reply.stderr);
      return 0;
    }
  drain_available (output_r, &reply);
  why = conmon_failure (conmon, status, reply.stderr);
  free (reply.stderr);
  return ferry_make_error (err, 0, "conmon for exec session %s: %s", id, why);
}

int
ferry_conmon_exec (const struct ferry_conmon_exec_options *o, struct ferry_conmon_exec *out,
                   ferry_error_t *err)
{
  enum
  {
    SYNC,
    START,
    ATTACH
  };
  cleanup_free char *conmon = NULL, *conmon_pidfile = NULL, *exits = NULL, *persist = NULL, *line = NULL;
  cleanup_free char *message = NULL;
  cleanup_strv char **argv = NULL;
  cleanup_strv char **envp = NULL;
  cleanup_close int devnull = -1, output_r = -1, output_w = -1, attach_fd = -1;
  cleanup_close int sync_r = -1, sync_w = -1, start_r = -1, start_w = -1, attach_r = -1, attach_w = -1;
  size_t n_pipes = o->attach ? 3 : 1;
  int child_ends[3], fds[2];
  int64_t data = -1;
  pid_t pid;
  int r;

  out->pid = out->conmon_pid = 0;
  out->attach_fd = out->sync_fd = -1;
  if (o->n_preserve_fds > FERRY_PRESERVE_FDS_MAX)
    return ferry_make_error (err, EINVAL, "at most %d file descriptors can be passed",
                             FERRY_PRESERVE_FDS_MAX);
  conmon = find_conmon ();
  if (conmon == NULL)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                  "conmon not found: install it (package `conmon`)");
  exits = xasprintf ("%s/exit", o->session_dir);
  persist = xasprintf ("%s/persist", o->session_dir);
  conmon_pidfile = xasprintf ("%s/conmon.pid", o->session_dir);
  /* conmon gives up before it writes the exit file into EXITS when it
   * cannot write one into PERSIST first.  */
  if (ferry_mkdir_p (exits, 0700, err) < 0 || ferry_mkdir_p (persist, 0700, err) < 0
      || ferry_mkdir_p (o->socket_dir, 0700, err) < 0
      || link_attach_dir (o->socket_dir, o->session_id, o->session_dir, err) < 0)
    return -1;
  devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0)
    return ferry_make_error (err, errno, "cannot open /dev/null");
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot create conmon's sync pipe");
  sync_r = fds[0];
  sync_w = fds[1];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot create a pipe for conmon's errors");
  output_r = fds[0];
  output_w = fds[1];
  if (o->attach)
    {
      if (pipe2 (fds, O_CLOEXEC) < 0)
        return ferry_make_error (err, errno, "cannot create conmon's start pipe");
      start_r = fds[0];
      start_w = fds[1];
      if (pipe2 (fds, O_CLOEXEC) < 0)
        return ferry_make_error (err, errno, "cannot create conmon's attach pipe");
      attach_r = fds[0];
      attach_w = fds[1];
    }
  child_ends[SYNC] = sync_w;
  child_ends[START] = start_r;
  child_ends[ATTACH] = attach_w;
  argv = conmon_exec_argv (conmon, o, o->session_dir);
  envp = conmon_environment (o->n_preserve_fds, n_pipes);

  pid = fork ();
  if (pid < 0)
    return ferry_make_error (err, errno, "cannot fork to run conmon");
  if (pid == 0)
    conmon_child (argv, envp, o->session_dir, devnull, output_w, child_ends, n_pipes, 0, o->preserve_fds,
                  o->n_preserve_fds, 0);
  /* Only conmon holds its ends now: its exit is the pipes' end.  */
  close (steal_fd (&sync_w));
  close (steal_fd (&output_w));
  if (o->attach)
    {
      close (steal_fd (&start_r));
      close (steal_fd (&attach_w));
      /* The first process waits for this before it forks the monitor.  */
      if (write_start (start_w, o->session_id, err) < 0)
        {
          kill (pid, SIGKILL);
          wait_child (pid, &r);
          return -1;
        }
    }
  if (reap_first_conmon (pid, output_r, conmon, o->session_id, err) < 0)
    return -1;
  if (ferry_conmon_read_pid_file (conmon_pidfile, &out->conmon_pid, err) < 0)
    return ferry_error_wrap (err, "conmon's PID for exec session %s", o->session_id);
  if (o->attach)
    {
      /* The monitor listens on the attach socket: connect before the
       * process runs, then let it run.  */
      r = read_sync_line (attach_r, CONMON_REPLY_TIMEOUT_MS, &line, err);
      if (r == 0)
        r = ferry_make_error (err, 0, "conmon for exec session %s exited before it was ready", o->session_id);
      if (r > 0)
        {
          attach_fd = ferry_conmon_attach_connect (o->socket_dir, o->session_id, err);
          if (attach_fd < 0 || initial_size (o) < 0 || write_start (start_w, o->session_id, err) < 0)
            r = -1;
        }
      if (r < 0)
        {
          kill (out->conmon_pid, SIGKILL);
          return -1;
        }
      free (steal_pointer (&line));
    }
  r = read_sync_line (sync_r, CONMON_REPLY_TIMEOUT_MS, &line, err);
  if (r < 0)
    {
      kill (out->conmon_pid, SIGKILL);
      return -1;
    }
  if (r == 0)
    return exec_failed (o, NULL, "conmon exited without reporting the process", err);
  if (parse_sync_message (line, &data, &message, err) < 0)
    return ferry_error_wrap (err, "exec session %s", o->session_id);
  if (data <= 0)
    return exec_failed (o, message, message ? message : "the runtime failed", err);
  out->pid = (pid_t) data;
  out->attach_fd = steal_fd (&attach_fd);
  out->sync_fd = steal_fd (&sync_r);
  return 0;
}

int
ferry_conmon_exec_wait (int sync_fd, int *code, ferry_error_t *err)
{
  cleanup_free char *line = NULL, *message = NULL;
  int64_t data;
  int r = read_sync_line (sync_fd, -1, &line, err);

  if (r <= 0)
    return r < 0 ? -1 : ferry_make_error (err, 0, "conmon exited without reporting the exit code");
  if (parse_sync_message (line, &data, &message, err) < 0)
    return -1;
  if (message)
    return ferry_make_error (err, 0, "the exec session ended: %s", message);
  *code = (int) data;
  return 0;
}
