/* ferry: the OCI runtime driver.  Every verb runs the runtime binary with an
 * explicit argv, stdin from /dev/null, and its stdout and stderr captured;
 * the runtime logs in JSON so that its error message can be told apart from
 * the rest of its chatter.  */
#include "runtime.h"
#include "conmon.h"
#include "freezer.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/process.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/param.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* More than any runtime prints for the verbs ferry uses; the rest is
 * dropped rather than letting a runaway child grow ferry's memory.  */
#define CAPTURE_MAX (4 * 1024 * 1024)

/* Where a runtime named without a path is looked for before $PATH, in
 * the order of containers.conf's default [engine.runtimes] lists, so that
 * ferry runs (and info names) the file Podman runs: /usr/bin/runc where
 * /usr/bin/runc and /usr/sbin/runc are both there.  */
static const char *const RUNTIME_SEARCH_DIRS[]
    = { "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/sbin", "/bin", NULL };

/* Variables that would make the runtime or conmon act on ferry's behalf
 * towards systemd (with NOTIFY_SOCKET the runtime would wait for the
 * container to notify readiness, LISTEN_* would hand it ferry's sockets)
 * or that belong to a monitor's own protocol.  */
static const char *const ENVIRONMENT_DROPPED[]
    = { "NOTIFY_SOCKET", "LISTEN_PID",     "LISTEN_FDS",      "LISTEN_FDNAMES",
        "_OCI_SYNCPIPE", "_OCI_STARTPIPE", "_OCI_ATTACHPIPE", NULL };

static bool
is_executable_file (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && access (path, X_OK) == 0;
}

static char *
find_in_fixed (const char *name, const char *const *dirs)
{
  for (; *dirs; dirs++)
    {
      cleanup_free char *candidate = xasprintf ("%s/%s", *dirs, name);

      if (is_executable_file (candidate))
        return steal_pointer (&candidate);
    }
  return NULL;
}

static char *
find_in_path (const char *name, const char *dirs)
{
  cleanup_free char *copy = dirs ? xstrdup (dirs) : NULL;
  char *save = NULL, *dir;

  if (copy == NULL)
    return NULL;
  for (dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      cleanup_free char *candidate = NULL;

      if (*dir != '/')
        continue;
      candidate = xasprintf ("%s/%s", dir, name);
      if (is_executable_file (candidate))
        return steal_pointer (&candidate);
    }
  return NULL;
}

int
ferry_runtime_init (struct ferry_runtime *rt, const char *name_or_path, const char *runroot,
                    ferry_error_t *err)
{
  cleanup_free char *path = NULL;
  const char *slash;

  memset (rt, 0, sizeof (*rt));
  if (name_or_path == NULL || *name_or_path == '\0')
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                  "no OCI runtime given: pass --runtime NAME|PATH");

  if (strchr (name_or_path, '/'))
    {
      char resolved[PATH_MAX];

      /* An absolute path stays as given (/usr/bin/runc, a link), as
       * Podman keeps it.  */
      if (*name_or_path == '/' && is_executable_file (name_or_path))
        path = xstrdup (name_or_path);
      else if (realpath (name_or_path, resolved) != NULL && is_executable_file (resolved))
        path = xstrdup (resolved);
    }
  else
    {
      path = find_in_fixed (name_or_path, RUNTIME_SEARCH_DIRS);
      if (path == NULL)
        path = find_in_path (name_or_path, getenv ("PATH"));
    }
  if (path == NULL)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                  "OCI runtime `%s` not found: install it or pass --runtime PATH",
                                  name_or_path);

  slash = strrchr (name_or_path, '/');
  rt->name = xstrdup (slash ? slash + 1 : name_or_path);
  /* A relative path would name another file from another directory.  */
  rt->requested = xstrdup (slash && *name_or_path != '/' ? path : name_or_path);
  rt->path = steal_pointer (&path);
  rt->root = xasprintf ("%s/runtime", runroot);
  if (ferry_mkdir_p (rt->root, 0700, err) < 0)
    {
      ferry_runtime_release (rt);
      return -1;
    }
  return 0;
}

void
ferry_runtime_release (struct ferry_runtime *rt)
{
  if (rt == NULL)
    return;
  free (rt->name);
  free (rt->requested);
  free (rt->path);
  free (rt->root);
  ferry_cleanup_strvp (&rt->flags);
  memset (rt, 0, sizeof (*rt));
}

char **
ferry_runtime_global_args (const struct ferry_runtime *rt)
{
  size_t n = 0, i;
  char **args;

  while (rt->flags && rt->flags[n])
    n++;
  args = xmalloc0 ((3 + n) * sizeof (char *));
  args[0] = xstrdup ("--root");
  args[1] = xstrdup (rt->root);
  for (i = 0; i < n; i++)
    args[2 + i] = xstrdup (rt->flags[i]);
  return args;
}

/* path --root ROOT --log-format=json [--log LOG] ARGS...  */
static char **
runtime_argv (const struct ferry_runtime *rt, const char *log_path, const char *const *args)
{
  cleanup_strv char **global = ferry_runtime_global_args (rt);
  char **argv = NULL, **it;
  size_t n = 0;

  ferry_strv_append (&argv, &n, rt->path);
  for (it = global; *it; it++)
    ferry_strv_append (&argv, &n, *it);
  ferry_strv_append (&argv, &n, "--log-format=json");
  if (log_path)
    {
      ferry_strv_append (&argv, &n, "--log");
      ferry_strv_append (&argv, &n, log_path);
    }
  for (; *args; args++)
    ferry_strv_append (&argv, &n, *args);
  return argv;
}

bool
ferry_runtime_environment_is_dropped (const char *entry)
{
  const char *const *it;

  for (it = ENVIRONMENT_DROPPED; *it; it++)
    {
      size_t len = strlen (*it);

      if (strncmp (entry, *it, len) == 0 && entry[len] == '=')
        return true;
    }
  return false;
}

static char **
runtime_environment (void)
{
  char **env = NULL, **it;
  size_t n = 0;

  ferry_strv_append (&env, &n, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (it = environ; it && *it; it++)
    if (! ferry_runtime_environment_is_dropped (*it))
      {
        if (strncmp (*it, "PATH=", 5) == 0)
          {
            free (env[0]);
            env[0] = xstrdup (*it);
          }
        else
          ferry_strv_append (&env, &n, *it);
      }
  return env;
}

/* In the forked child: only async-signal-safe calls from here on.  FDS[I]
 * becomes descriptor I, for each of the N (at most CHILD_FDS_MAX) given;
 * the rest are closed.  */
#define CHILD_FDS_MAX (3 + FERRY_PRESERVE_FDS_MAX)
static void __attribute__ ((noreturn))
child_exec (char **argv, char **envp, const int *fds, int n, int go_fd, pid_t parent)
{
  int src[CHILD_FDS_MAX];
  struct sigaction sa;
  sigset_t none;
  int i;

  if (go_fd >= 0)
    {
      char go;

      /* A group of our own, dying with ferry, and started only once the
       * parent has recorded the group (see struct ferry_runtime_hook).  */
      setpgid (0, 0);
      if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != parent)
        _exit (127);
      while ((i = read (go_fd, &go, 1)) < 0 && errno == EINTR)
        ;
      if (i != 1)
        _exit (127);
    }

  if (n > CHILD_FDS_MAX)
    _exit (127);
  /* Move the sources out of 0..N-1 first so no dup2 clobbers another.  */
  for (i = 0; i < n; i++)
    if ((src[i] = fcntl (fds[i], F_DUPFD, n)) < 0)
      _exit (127);
  for (i = 0; i < n; i++)
    if (dup2 (src[i], i) < 0)
      _exit (127);
  if (syscall (SYS_close_range, (unsigned) n, ~0U, 0U) < 0)
    for (i = n; i < 1024; i++)
      close (i);

  memset (&sa, 0, sizeof (sa));
  sa.sa_handler = SIG_DFL;
  for (i = 1; i < NSIG; i++)
    sigaction (i, &sa, NULL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);

  execve (argv[0], argv, envp);
  _exit (127);
}

static int
spawn (char **argv, int in_fd, int out_fd, int err_fd, pid_t *pid, ferry_error_t *err)
{
  cleanup_strv char **envp = runtime_environment ();
  const int fds[3] = { in_fd, out_fd, err_fd };

  *pid = fork ();
  if (*pid < 0)
    return ferry_make_error (err, errno, "cannot fork to run `%s`", argv[0]);
  if (*pid == 0)
    child_exec (argv, envp, fds, 3, -1, 0);
  return 0;
}

/* spawn, with PRESERVE[I] (-1: NULL_FD) as descriptor 3+I too.  */
static int
spawn_preserving (char **argv, const int stdio[3], const int *preserve, size_t n_preserve, int null_fd,
                  pid_t *pid, ferry_error_t *err)
{
  cleanup_strv char **envp = runtime_environment ();
  int fds[CHILD_FDS_MAX];
  size_t i;

  if (n_preserve > FERRY_PRESERVE_FDS_MAX)
    return ferry_make_error (err, EINVAL, "at most %d file descriptors can be passed",
                             FERRY_PRESERVE_FDS_MAX);
  for (i = 0; i < 3; i++)
    fds[i] = stdio[i];
  for (i = 0; i < n_preserve; i++)
    fds[3 + i] = preserve[i] >= 0 ? preserve[i] : null_fd;
  *pid = fork ();
  if (*pid < 0)
    return ferry_make_error (err, errno, "cannot fork to run `%s`", argv[0]);
  if (*pid == 0)
    child_exec (argv, envp, fds, (int) (3 + n_preserve), -1, 0);
  return 0;
}

/* A process that outlives ferry for one purpose: should ferry die while
 * the runtime's process group runs, it sees the group to its end without
 * killing CRIU in the middle of its work (see struct ferry_runtime_hook).
 * It reads a pipe only ferry writes: a byte means the runtime is done,
 * end of file that ferry died.  It is in a session of its own, so that a
 * kill of ferry's whole process group does not take it too.  */
struct watchdog
{
  pid_t pid;
  int fd;       /* ferry's end */
  char **fifos; /* the page FIFOs it drains, made before the fork */
  size_t n_fifos;
};

static void
watchdog_sleep_ms (long ms)
{
  struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* Whether a process of group PGID lives (a zombie does not: nobody may
 * reap it where PID 1 does not).  In the forked child: raw system calls
 * and stack buffers only.  -1 when /proc cannot tell.  */
static int
group_alive (pid_t pgid)
{
  char buf[4096];
  int dir = open ("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), alive = 0;
  long n;

  if (dir < 0)
    return -1;
  while (! alive && (n = syscall (SYS_getdents64, dir, buf, sizeof (buf))) > 0)
    for (long off = 0; off < n && ! alive;)
      {
        struct
        {
          uint64_t ino;
          int64_t off;
          unsigned short reclen;
          unsigned char type;
          char name[];
        } *d = (void *) (buf + off);
        char path[64] = "/proc/", stat[512];
        size_t len = 6, i;
        ssize_t got;
        int fd;
        const char *p;
        long fields[2] = { 0, 0 };
        char state;

        off += d->reclen;
        if (d->name[0] < '1' || d->name[0] > '9')
          continue;
        for (i = 0; d->name[i] && len < sizeof (path) - 6; i++)
          path[len++] = d->name[i];
        memcpy (path + len, "/stat", 6);
        fd = open (path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
          continue;
        got = read (fd, stat, sizeof (stat) - 1);
        close (fd);
        if (got <= 0)
          continue;
        stat[got] = '\0';
        /* "PID (COMM) STATE PPID PGRP ...": COMM may hold anything, so
         * from its last ')'.  */
        p = NULL;
        for (i = 0; i < (size_t) got; i++)
          if (stat[i] == ')')
            p = stat + i;
        if (p == NULL || p[1] != ' ')
          continue;
        state = p[2];
        p += 3;
        for (int f = 0; f < 2; f++)
          {
            while (*p == ' ')
              p++;
            for (; *p >= '0' && *p <= '9'; p++)
              fields[f] = fields[f] * 10 + (*p - '0');
          }
        if (fields[1] == pgid && state != 'Z' && state != 'X')
          alive = 1;
      }
  close (dir);
  return alive;
}

/* In the forked child: only async-signal-safe calls.  Ferry died: the
 * FIFOs CRIU writes are opened (so that its own opens do not wait for a
 * reader) and read to nowhere until the group has ended by itself, for
 * at most FERRY_RUNTIME_GRACE_MS; then what is left is killed.  */
static void
watchdog_take_over (pid_t pgid, char **fifos, size_t n_fifos)
{
  int fds[FERRY_RUNTIME_DRAIN_FIFOS];
  size_t n = 0;
  long waited;
  char buf[65536];

  for (size_t i = 0; i < n_fifos && n < FERRY_RUNTIME_DRAIN_FIFOS; i++)
    {
      struct stat st;
      int fd;

      if (lstat (fifos[i], &st) < 0 || ! S_ISFIFO (st.st_mode))
        continue;
      fd = open (fifos[i], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd >= 0)
        fds[n++] = fd;
    }
  for (waited = 0; waited < FERRY_RUNTIME_GRACE_MS;)
    {
      int got = 0;

      if ((kill (-pgid, 0) < 0 && errno == ESRCH) || group_alive (pgid) == 0)
        _exit (0);
      for (size_t i = 0; i < n; i++)
        while (read (fds[i], buf, sizeof (buf)) > 0)
          got = 1;
      if (! got)
        {
          watchdog_sleep_ms (10);
          waited += 10;
        }
    }
  kill (-pgid, SIGKILL);
}

/* In the forked child: only async-signal-safe calls.  */
static void __attribute__ ((noreturn)) watchdog_child (int fd, pid_t pgid, char **fifos, size_t n_fifos)
{
  sigset_t none;
  ssize_t n;
  char done;

  setsid ();
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  /* Nothing of ferry's stays open here: locks, FIFOs, the archive.  */
  if (fd != 3 && (dup2 (fd, 3) < 0 || close (fd) < 0))
    _exit (1);
  if (syscall (SYS_close_range, 4U, ~0U, 0U) < 0)
    for (int i = 4; i < 1024; i++)
      close (i);
  close (0);
  close (1);
  close (2);
  while ((n = read (3, &done, 1)) < 0 && errno == EINTR)
    ;
  if (n == 0)
    watchdog_take_over (pgid, fifos, n_fifos);
  _exit (0);
}

static int
watchdog_start (struct watchdog *wd, pid_t pgid, const char *drain_dir, ferry_error_t *err)
{
  int p[2];

  if (drain_dir)
    {
      wd->fifos = xmalloc0 (sizeof (char *) * (FERRY_RUNTIME_DRAIN_FIFOS + 1));
      for (size_t i = 0; i < FERRY_RUNTIME_DRAIN_FIFOS; i++)
        wd->fifos[i] = xasprintf ("%s/pages-%zu.img", drain_dir, i + 1);
      wd->n_fifos = FERRY_RUNTIME_DRAIN_FIFOS;
    }
  if (pipe2 (p, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot create a pipe");
  wd->pid = fork ();
  if (wd->pid < 0)
    {
      close (p[0]);
      close (p[1]);
      return ferry_make_error (err, errno, "cannot fork a watchdog for the runtime");
    }
  if (wd->pid == 0)
    watchdog_child (p[0], pgid, wd->fifos, wd->n_fifos);
  close (p[0]);
  wd->fd = p[1];
  return 0;
}

/* The runtime is done: the watchdog goes without touching anything.  */
static void
watchdog_stop (struct watchdog *wd)
{
  int status;

  ferry_cleanup_strvp (&wd->fifos);
  wd->n_fifos = 0;
  if (wd->pid <= 0)
    return;
  ferry_write_all (wd->fd, "d", 1);
  close (wd->fd);
  while (waitpid (wd->pid, &status, 0) < 0 && errno == EINTR)
    ;
  wd->pid = 0;
  wd->fd = -1;
}

/* spawn, for a runtime call that must not outlive ferry: HOOK learns the
 * child's process group before the runtime is executed, and WD watches
 * over it.  */
static int
spawn_watched (char **argv, int in_fd, int out_fd, int err_fd, const struct ferry_runtime_hook *hook,
               pid_t *pid, struct watchdog *wd, ferry_error_t *err)
{
  cleanup_strv char **envp = runtime_environment ();
  cleanup_close int go_r = -1, go_w = -1;
  const int fds[3] = { in_fd, out_fd, err_fd };
  pid_t parent = getpid ();
  int go[2];

  if (pipe2 (go, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot create a pipe");
  go_r = go[0];
  go_w = go[1];
  *pid = fork ();
  if (*pid < 0)
    return ferry_make_error (err, errno, "cannot fork to run `%s`", argv[0]);
  if (*pid == 0)
    child_exec (argv, envp, fds, 3, go_r, parent);
  /* Both sides set the group, so it exists whichever runs first.  */
  setpgid (*pid, *pid);
  if (hook->started (*pid, hook->arg, err) < 0 || watchdog_start (wd, *pid, hook->drain_dir, err) < 0
      || ferry_write_all (go_w, "g", 1) < 0)
    {
      int status;

      if (*err == NULL)
        ferry_make_error (err, errno, "cannot start `%s`", argv[0]);
      kill (*pid, SIGKILL);
      while (waitpid (*pid, &status, 0) < 0 && errno == EINTR)
        ;
      watchdog_stop (wd);
      return -1;
    }
  return 0;
}

/* Exit status as a shell reports it: 128+N for signal N.  */
static int
wait_exit_code (pid_t pid, ferry_error_t *err)
{
  int status;

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return ferry_make_error (err, errno, "cannot wait for process %d", (int) pid);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

struct capture
{
  char *data;
  size_t len, allocated;
};

static void
capture_append (struct capture *c, const char *buf, size_t n)
{
  if (c->len + n > CAPTURE_MAX)
    n = CAPTURE_MAX - c->len;
  if (c->len + n + 1 > c->allocated)
    {
      c->allocated = (c->len + n + 1) * 2;
      c->data = xrealloc (c->data, c->allocated);
    }
  memcpy (c->data + c->len, buf, n);
  c->len += n;
  c->data[c->len] = '\0';
}

/* Reads FDS[0] into OUT and FDS[1] into ERROUT until both end.  */
static int
capture_both (int fds[2], struct capture *out, struct capture *errout, ferry_error_t *err)
{
  struct capture *dest[2] = { out, errout };
  bool open_[2] = { true, true };

  capture_append (out, "", 0);
  capture_append (errout, "", 0);
  while (open_[0] || open_[1])
    {
      struct pollfd pfd[2];
      int i;

      for (i = 0; i < 2; i++)
        {
          pfd[i].fd = open_[i] ? fds[i] : -1;
          pfd[i].events = POLLIN;
          pfd[i].revents = 0;
        }
      if (poll (pfd, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return ferry_make_error (err, errno, "cannot poll the runtime's output");
        }
      for (i = 0; i < 2; i++)
        {
          char buf[8192];
          ssize_t r;

          if (! open_[i] || pfd[i].revents == 0)
            continue;
          r = read (fds[i], buf, sizeof (buf));
          if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
          if (r <= 0)
            open_[i] = false;
          else
            capture_append (dest[i], buf, r);
        }
    }
  return 0;
}

struct run_result
{
  int exit_code;
  struct capture out, errout;
};

static void
run_result_release (struct run_result *r)
{
  free (r->out.data);
  free (r->errout.data);
}

#define cleanup_run_result __attribute__ ((cleanup (run_result_release)))

/* Runs ARGV, capturing its output.  Fails only when it cannot be run at
 * all; its own failure is in R->exit_code.  */
static int
run_argv (char **argv, const struct ferry_runtime_hook *hook, struct run_result *r, ferry_error_t *err)
{
  cleanup_close int devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  cleanup_close int out_r = -1, out_w = -1, err_r = -1, err_w = -1;
  struct watchdog wd = { .pid = 0, .fd = -1, .fifos = NULL, .n_fifos = 0 };
  int fds[2];
  pid_t pid = -1;
  int ret;

  memset (r, 0, sizeof (*r));
  if (devnull < 0)
    return ferry_make_error (err, errno, "cannot open /dev/null");
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot create a pipe");
  out_r = fds[0];
  out_w = fds[1];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot create a pipe");
  err_r = fds[0];
  err_w = fds[1];

  if ((hook ? spawn_watched (argv, devnull, out_w, err_w, hook, &pid, &wd, err)
            : spawn (argv, devnull, out_w, err_w, &pid, err))
      < 0)
    return -1;
  close (steal_fd (&out_w));
  close (steal_fd (&err_w));

  fds[0] = out_r;
  fds[1] = err_r;
  ret = capture_both (fds, &r->out, &r->errout, err);
  if (ret < 0)
    {
      cleanup_error ferry_error_t ignored = NULL;

      kill (pid, SIGKILL);
      wait_exit_code (pid, &ignored);
      watchdog_stop (&wd);
      return -1;
    }
  r->exit_code = wait_exit_code (pid, err);
  watchdog_stop (&wd);
  return r->exit_code < 0 ? -1 : 0;
}

static int
runtime_run_watched (const struct ferry_runtime *rt, const char *const *args,
                     const struct ferry_runtime_hook *hook, struct run_result *r, ferry_error_t *err)
{
  cleanup_strv char **argv = runtime_argv (rt, NULL, args);

  return run_argv (argv, hook, r, err);
}

static int
runtime_run (const struct ferry_runtime *rt, const char *const *args, struct run_result *r,
             ferry_error_t *err)
{
  return runtime_run_watched (rt, args, NULL, r, err);
}

/* A helper program NAME: in the PATH, else where distributions put it.  */
static char *
find_program (const char *name)
{
  char *path = find_in_path (name, getenv ("PATH"));

  return path ? path : find_in_fixed (name, RUNTIME_SEARCH_DIRS);
}

/* "4.2.1" from the output of `criu --version`: "Version: 4.2.1\n...".  */
static char *
criu_version_in (const char *out)
{
  const char *v = out ? strstr (out, "Version:") : NULL;

  if (v == NULL)
    return NULL;
  v += strlen ("Version:");
  v += strspn (v, " \t");
  return xstrndup (v, strcspn (v, "\n"));
}

/* Runs PROGRAM (a name found in the PATH, or a path) with --version; its
 * output, when it ran and succeeded, goes to *OUT.  */
static void
run_version (const char *program, char **out)
{
  cleanup_run_result struct run_result r = { 0 };
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_free char *path = strchr (program, '/') ? xstrdup (program) : find_program (program);
  char *argv[3] = { path, (char *) "--version", NULL };

  if (path && run_argv (argv, NULL, &r, &ignored) == 0 && r.exit_code == 0 && out && r.out.data)
    *out = xstrdup (r.out.data);
}

char *
ferry_program_version (const char *program, char **path)
{
  cleanup_free char *found = strchr (program, '/') ? xstrdup (program) : find_program (program);
  char *out = NULL;
  size_t len;

  if (path)
    *path = found ? xstrdup (found) : NULL;
  if (found)
    run_version (found, &out);
  for (len = out ? strlen (out) : 0; len && out[len - 1] == '\n'; len--)
    out[len - 1] = '\0';
  return out;
}

char *
ferry_criu_version_number (const char *version_output)
{
  return criu_version_in (version_output);
}

/* CRIU first: of the programs, a checkpoint runs it soonest and needs its
 * version.  */
static char *
warm_up (const char *runtime, char *const *more)
{
  cleanup_free char *out = NULL;

  run_version ("criu", &out);
  if (runtime)
    run_version (runtime, NULL);
  for (; more && *more; more++)
    run_version (*more, NULL);
  return criu_version_in (out);
}

static void *
warm_up_main (void *arg)
{
  struct ferry_runtime_warm_up *w = arg;

  w->criu_version = warm_up (w->runtime, w->programs);
  return NULL;
}

void
ferry_runtime_warm_up_start (struct ferry_runtime_warm_up *w, const struct ferry_runtime *rt,
                             const char *const *more)
{
  size_t n = 0;

  memset (w, 0, sizeof (*w));
  w->runtime = rt ? xstrdup (rt->path) : NULL;
  for (; more && *more && n < FERRY_WARM_UP_MAX; more++)
    w->programs[n++] = xstrdup (*more);
  w->started = pthread_create (&w->thread, NULL, warm_up_main, w) == 0;
}

char *
ferry_runtime_warm_up_finish (struct ferry_runtime_warm_up *w)
{
  char *version;

  if (w->started)
    pthread_join (w->thread, NULL);
  w->started = 0;
  free (w->runtime);
  w->runtime = NULL;
  for (size_t i = 0; i < FERRY_WARM_UP_MAX; i++)
    {
      free (w->programs[i]);
      w->programs[i] = NULL;
    }
  version = w->criu_version;
  w->criu_version = NULL;
  return version;
}

/* `criu check --feature FEATURE` passes.  */
static int
criu_has_feature (const char *feature)
{
  cleanup_free char *path = find_program ("criu");
  cleanup_run_result struct run_result r = { 0 };
  cleanup_error ferry_error_t ignored = NULL;
  char *argv[5] = { path, (char *) "check", (char *) "--feature", (char *) feature, NULL };

  return path && run_argv (argv, NULL, &r, &ignored) == 0 && r.exit_code == 0;
}

int
ferry_runtime_criu_has_dirty_tracking (void)
{
  return criu_has_feature ("mem_dirty_track");
}

int
ferry_runtime_criu_has_lazy_pages (void)
{
  return criu_has_feature ("uffd-noncoop");
}

int
ferry_runtime_criu_has_nftables_lock (const char *cache)
{
  cleanup_free char *path = find_program ("criu");
  cleanup_free char *key = NULL, *kept = NULL, *line = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  struct stat st;
  size_t len;
  int has;

  if (path == NULL || stat (path, &st) < 0)
    return 0;
  /* The answer holds for this very binary: its identity is the key.  */
  key = xasprintf ("%s %ju %ju %jd.%09ld %jd", path, (uintmax_t) st.st_dev, (uintmax_t) st.st_ino,
                   (intmax_t) st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (intmax_t) st.st_size);
  if (ferry_read_file (cache, &kept, &len, &ignored) == 0 && len == strlen (key) + 2
      && strncmp (kept, key, strlen (key)) == 0 && kept[strlen (key)] == ' '
      && (kept[len - 1] == '0' || kept[len - 1] == '1'))
    return kept[len - 1] == '1';
  ferry_error_release (&ignored);
  has = criu_has_feature ("network_lock_nftables");
  line = xasprintf ("%s %d", key, has);
  ferry_write_file_atomic (cache, line, strlen (line), 0600, &ignored);
  return has;
}

/* CRIU's page server (criu/page-pipe.c, pipe_read_dest_init) sizes a
 * pipe to 819 pages, which the kernel rounds up to 4 MiB and refuses
 * beyond fs.pipe-max-size (1 MiB by default) to a process without
 * CAP_SYS_RESOURCE; CRIU ignores the failure and then fails its first
 * splice ("page-pipe: splice: Bad file descriptor").  */
#define PAGE_SERVER_PIPE_BYTES (4L << 20)
#define CAP_SYS_RESOURCE_BIT 24

int
ferry_runtime_criu_page_server_check (ferry_error_t *err)
{
  cleanup_free char *status = NULL, *max = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  const char *cap;

  if (ferry_read_file ("/proc/self/status", &status, NULL, &ignored) == 0
      && (cap = strstr (status, "\nCapEff:")) != NULL
      && (strtoull (cap + 8, NULL, 16) >> CAP_SYS_RESOURCE_BIT & 1))
    return 0;
  if (ferry_read_file ("/proc/sys/fs/pipe-max-size", &max, NULL, &ignored) == 0
      && strtol (max, NULL, 10) >= PAGE_SERVER_PIPE_BYTES)
    return 0;
  return ferry_make_error_kind (err, FERRY_ERROR_STATE,
                                "CRIU's page server needs 4 MiB pipes, which fs.pipe-max-size (%s bytes) "
                                "refuses to ferry without CAP_SYS_RESOURCE: raise it "
                                "(sysctl -w fs.pipe-max-size=%ld)",
                                max ? strtok (max, "\n") : "?", PAGE_SERVER_PIPE_BYTES);
}

int
ferry_runtime_criu_lazy_pages_start (const char *images, const char *work, int ps_fd, pid_t *pid,
                                     int *status_fd, ferry_error_t *err)
{
  cleanup_free char *path = find_program ("criu");
  cleanup_strv char **envp = runtime_environment ();
  cleanup_close int status_r = -1, status_w = -1, devnull = -1;
  char *argv[] = { path,
                   (char *) "lazy-pages",
                   (char *) "--page-server",
                   (char *) "--ps-socket",
                   (char *) "3",
                   (char *) "--status-fd",
                   (char *) "4",
                   (char *) "-D",
                   (char *) images,
                   (char *) "-W",
                   (char *) work,
                   (char *) "-o",
                   (char *) "lazy-pages.log",
                   NULL };
  int p[2];

  *pid = -1;
  *status_fd = -1;
  if (path == NULL)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "criu not found in PATH");
  devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0)
    return ferry_make_error (err, errno, "cannot open /dev/null");
  if (pipe2 (p, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot create a pipe");
  status_r = p[0];
  status_w = p[1];
  *pid = fork ();
  if (*pid < 0)
    return ferry_make_error (err, errno, "cannot fork to run `%s`", path);
  if (*pid == 0)
    {
      /* PS_FD is CRIU's descriptor 3, the status pipe 4.  */
      const int fds[5] = { devnull, devnull, devnull, ps_fd, status_w };

      setpgid (0, 0);
      child_exec (argv, envp, fds, 5, -1, 0);
    }
  setpgid (*pid, *pid);
  *status_fd = steal_fd (&status_r);
  return 0;
}

int
ferry_runtime_criu_lazy_pages_ready (pid_t *pid, int status_fd, const char *work, ferry_error_t *err)
{
  struct pollfd pfd = { .fd = status_fd, .events = POLLIN };
  char ready;
  int r;

  /* CRIU writes a byte once its socket for the restore is there; it
   * closes the pipe without one when it fails.  */
  do
    r = poll (&pfd, 1, 30000);
  while (r < 0 && errno == EINTR);
  r = r == 1 && read (status_fd, &ready, 1) == 1;
  close (status_fd);
  if (r)
    return 0;
  ferry_runtime_criu_lazy_pages_wait (*pid, 1);
  *pid = -1;
  return ferry_make_error (err, 0, "CRIU's lazy-pages daemon did not start (log: %s/lazy-pages.log)", work);
}

int
ferry_runtime_criu_lazy_pages_wait (pid_t pid, int kill_it)
{
  int status;

  if (pid <= 0)
    return -1;
  if (kill_it)
    kill (-pid, SIGKILL);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
}

static char *
trim (const char *s, size_t len)
{
  while (len > 0 && strchr (" \t\r\n", *s))
    s++, len--;
  while (len > 0 && strchr (" \t\r\n", s[len - 1]))
    len--;
  return xstrndup (s, len);
}

/* The message of one line of runtime output: the "msg" of a JSON log entry
 * (with its level in *LEVEL) or the line itself.  */
static char *
log_line_message (const char *line, size_t len, char **level)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_json json_object *obj = NULL;
  const char *msg;

  *level = NULL;
  if (len > 0 && *line == '{')
    obj = ferry_json_parse (line, len, "runtime log", &ignored);
  if (obj == NULL || (msg = ferry_json_get_string (obj, "msg")) == NULL)
    return trim (line, len);
  if (ferry_json_get_string (obj, "level"))
    *level = xstrdup (ferry_json_get_string (obj, "level"));
  return trim (msg, strlen (msg));
}

/* The runtime's error in TEXT (its stderr or its JSON log): the last entry
 * logged at level error or fatal, else (unless ERRORS_ONLY) the last
 * non-empty line.  NULL when TEXT has none.  */
static char *
runtime_error_from_text (const char *text, bool errors_only)
{
  cleanup_free char *last_error = NULL;
  cleanup_free char *last_line = NULL;
  const char *line = text;

  while (line && *line)
    {
      const char *end = strchr (line, '\n');
      size_t len = end ? (size_t) (end - line) : strlen (line);
      cleanup_free char *level = NULL;
      cleanup_free char *msg = log_line_message (line, len, &level);

      if (*msg)
        {
          bool is_error = level && (strcmp (level, "error") == 0 || strcmp (level, "fatal") == 0);

          if (is_error)
            {
              free (last_error);
              last_error = xstrdup (msg);
            }
          if (is_error || level == NULL || strcmp (level, "debug") != 0)
            {
              free (last_line);
              last_line = steal_pointer (&msg);
            }
        }
      line = end ? end + 1 : NULL;
    }
  if (last_error || errors_only)
    return steal_pointer (&last_error);
  return steal_pointer (&last_line);
}

/* Where the runtime names the command it could not run, the part from the
 * quoted command on: runc says `exec: "CMD": REASON`.  */
static const char *
command_error_detail (const char *message)
{
  const char *p = NULL, *next = message;

  while ((next = strstr (next, "exec: \"")) != NULL)
    {
      p = next;
      next++;
    }
  return p ? p + strlen ("exec: ") : NULL;
}

enum ferry_error_kind
ferry_runtime_classify_exec_error (const char *message)
{
  bool about_command;

  if (message == NULL)
    return FERRY_ERROR_GENERIC;
  if (strcasestr (message, "executable file not found") || strcasestr (message, "executable file `"))
    return FERRY_ERROR_COMMAND_NOT_FOUND;
  /* "no such file or directory" alone also describes a missing mount
   * source or working directory; only an error about starting the command
   * (runc: `exec: "CMD": ...`, crun: "executable ...") is the command's.  */
  about_command = command_error_detail (message) != NULL || strcasestr (message, "executable") != NULL;
  if (! about_command)
    return FERRY_ERROR_GENERIC;
  if (strcasestr (message, "no such file or directory") || strcasestr (message, "not found"))
    return FERRY_ERROR_COMMAND_NOT_FOUND;
  if (strcasestr (message, "permission denied") || strcasestr (message, "exec format error")
      || strcasestr (message, "is a directory"))
    return FERRY_ERROR_COMMAND_NOT_EXECUTABLE;
  return FERRY_ERROR_GENERIC;
}

/* runc prefixes its message with "<verb> failed: " (or "runc <verb>
 * failed: "), which ferry's own prefix already says.  */
static const char *
strip_failed_prefix (const char *message, const char *name, const char *verb)
{
  cleanup_free char *long_prefix = xasprintf ("%s %s failed: ", name, verb);
  cleanup_free char *short_prefix = xasprintf ("%s failed: ", verb);

  if (strncmp (message, long_prefix, strlen (long_prefix)) == 0)
    return message + strlen (long_prefix);
  if (strncmp (message, short_prefix, strlen (short_prefix)) == 0)
    return message + strlen (short_prefix);
  return message;
}

static int
runtime_make_error (ferry_error_t *err, const struct ferry_runtime *rt, const char *verb, const char *id,
                    const char *message, int exit_code)
{
  enum ferry_error_kind kind;
  const char *detail;

  if (message == NULL || *message == '\0')
    return ferry_make_error_kind (err, FERRY_ERROR_GENERIC, "%s %s %s: exited with status %d", rt->name, verb,
                                  id, exit_code);
  kind = ferry_runtime_classify_exec_error (message);
  detail = command_error_detail (message);
  /* Podman's words, which users grep for: the runtime's message whole,
   * then what it means.  */
  /* Podman reads any create or exec failure by its words alone: one
   * that says "permission denied" or "operation not permitted" (an
   * rlimit above the hard one) is "OCI permission denied", one that
   * says "no such file or directory" (a cgroup file the kernel lacks,
   * blkio.bfq.weight_device without BFQ; exec's missing -w) a command
   * not found.  */
  if (kind == FERRY_ERROR_GENERIC && (strcmp (verb, "create") == 0 || strcmp (verb, "exec") == 0))
    {
      if (strcasestr (message, "permission denied") || strcasestr (message, "operation not permitted"))
        kind = FERRY_ERROR_COMMAND_NOT_EXECUTABLE;
      else if (strcasestr (message, "no such file or directory"))
        kind = FERRY_ERROR_COMMAND_NOT_FOUND;
      if (kind != FERRY_ERROR_GENERIC)
        detail = message;
    }
  if (kind == FERRY_ERROR_COMMAND_NOT_FOUND && detail)
    return ferry_make_error_kind (
        err, kind, "%s: %s: OCI runtime attempted to invoke a command that was not found", rt->name, message);
  if (kind == FERRY_ERROR_COMMAND_NOT_EXECUTABLE && detail)
    return ferry_make_error_kind (err, kind, "%s: %s: OCI permission denied", rt->name, message);
  if (kind == FERRY_ERROR_GENERIC && (strstr (message, "does not exist") || strstr (message, "not exist")))
    kind = FERRY_ERROR_NOT_FOUND;
  /* A container the runtime would not create (a memory limit below what
   * it needs, say) is Podman's "OCI runtime error", whose run exits 126.  */
  if (kind == FERRY_ERROR_GENERIC && strcmp (verb, "create") == 0)
    return ferry_make_error_kind (err, FERRY_ERROR_RUNTIME, "OCI runtime error: %s: %s", rt->name, message);
  /* So is an exec the runtime would not start (a relative -w, one that
   * is a file), attached exiting 255 as Podman's.  */
  if (kind == FERRY_ERROR_GENERIC && strcmp (verb, "exec") == 0)
    return ferry_make_error_kind (err, FERRY_ERROR_RUNTIME, "OCI runtime error: %s: %s", rt->name, message);
  return ferry_make_error_kind (err, kind, "%s %s %s: %s", rt->name, verb, id,
                                strip_failed_prefix (message, rt->name, verb));
}

int
ferry_runtime_error_from_output (const struct ferry_runtime *rt, const char *verb, const char *id,
                                 const char *output, ferry_error_t *err)
{
  cleanup_free char *message = output ? runtime_error_from_text (output, false) : NULL;

  if (message == NULL || *message == '\0')
    return 0;
  return runtime_make_error (err, rt, verb, id, message, 0);
}

/* Shared by the verbs that print nothing useful on success.  IGNORED lists
 * error messages that mean the goal is already reached.  */
static int
runtime_simple_watched (const struct ferry_runtime *rt, const char *verb, const char *const *args,
                        const char *id, const char *const *ignored, const struct ferry_runtime_hook *hook,
                        ferry_error_t *err)
{
  cleanup_run_result struct run_result r = { 0 };
  cleanup_free char *message = NULL;

  if (runtime_run_watched (rt, args, hook, &r, err) < 0)
    return ferry_error_wrap (err, "%s %s %s", rt->name, verb, id);
  if (r.exit_code == 0)
    return 0;
  message = runtime_error_from_text (r.errout.data, false);
  if (message == NULL)
    message = runtime_error_from_text (r.out.data, false);
  for (; ignored && *ignored; ignored++)
    if (message && strcasestr (message, *ignored))
      return 0;
  return runtime_make_error (err, rt, verb, id, message, r.exit_code);
}

static int
runtime_simple (const struct ferry_runtime *rt, const char *verb, const char *const *args, const char *id,
                const char *const *ignored, ferry_error_t *err)
{
  return runtime_simple_watched (rt, verb, args, id, ignored, NULL, err);
}

int
ferry_runtime_state (const struct ferry_runtime *rt, const char *id, struct ferry_runtime_state *st,
                     ferry_error_t *err)
{
  const char *args[] = { "state", id, NULL };
  cleanup_run_result struct run_result r = { 0 };
  cleanup_json json_object *state = NULL;
  cleanup_free char *what = NULL;
  const char *status;

  memset (st, 0, sizeof (*st));
  if (runtime_run (rt, args, &r, err) < 0)
    return ferry_error_wrap (err, "%s state %s", rt->name, id);
  if (r.exit_code != 0)
    {
      cleanup_free char *message = runtime_error_from_text (r.errout.data, false);

      return runtime_make_error (err, rt, "state", id, message, r.exit_code);
    }
  what = xasprintf ("output of `%s state %s`", rt->name, id);
  state = ferry_json_parse (r.out.data, r.out.len, what, err);
  if (state == NULL)
    return -1;
  status = ferry_json_get_string (state, "status");
  if (status == NULL)
    return ferry_make_error (err, 0, "%s has no status", what);
  snprintf (st->status, sizeof (st->status), "%s", status);
  st->pid = (pid_t) ferry_json_get_int (state, "pid", 0);
  return 0;
}

int
ferry_runtime_start (const struct ferry_runtime *rt, const char *id, ferry_error_t *err)
{
  const char *args[] = { "start", id, NULL };

  return runtime_simple (rt, "start", args, id, NULL, err);
}

int
ferry_runtime_update (const struct ferry_runtime *rt, const char *id, const char *resources,
                      ferry_error_t *err)
{
  const char *args[] = { "update", "--resources", resources, id, NULL };

  return runtime_simple (rt, "update", args, id, NULL, err);
}

int
ferry_runtime_kill (const struct ferry_runtime *rt, const char *id, int signal, int all, ferry_error_t *err)
{
  static const char *const gone[]
      = { "container not running", "not exist", "process already finished", "no such process", NULL };
  char signal_arg[16];
  const char *args[6];
  size_t n = 0;

  snprintf (signal_arg, sizeof (signal_arg), "%d", signal);
  args[n++] = "kill";
  if (all)
    args[n++] = "--all";
  args[n++] = id;
  args[n++] = signal_arg;
  args[n] = NULL;
  return runtime_simple (rt, "kill", args, id, gone, err);
}

/* Whether /proc/PID/status says PID is 1 in the innermost of its PID
 * namespaces ("NSpid:" with more than one number, the last 1).  */
static int
is_pid_namespace_init (pid_t pid)
{
  cleanup_free char *path = xasprintf ("/proc/%d/status", (int) pid);
  cleanup_free char *text = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  char *line, *tok, *save = NULL, *last = NULL;
  size_t len, fields = 0;

  if (ferry_read_file_max (path, 1 << 16, &text, &len, &ignored) < 0)
    return 0;
  line = strstr (text, "\nNSpid:");
  if (line == NULL)
    return 0;
  line += strlen ("\nNSpid:");
  line[strcspn (line, "\n")] = '\0';
  for (tok = strtok_r (line, " \t", &save); tok; tok = strtok_r (NULL, " \t", &save))
    {
      last = tok;
      fields++;
    }
  return fields >= 2 && strcmp (last, "1") == 0;
}

int
ferry_runtime_kill_pid_namespace (pid_t pid, const char *id, ferry_error_t *err)
{
  cleanup_close int pidfd = -1;
  struct ferry_freezer f;

  if (pid <= 0)
    return 0;
  /* The pidfd is taken first: should PID die and its number be reused
   * once the checks below passed, the signal goes nowhere (ESRCH), never
   * to the newcomer.  */
  pidfd = syscall (SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    return 0;
  if (ferry_freezer_find (pid, id, &f) < 0)
    return 0;
  ferry_freezer_release (&f);
  if (! is_pid_namespace_init (pid))
    return 0;
  if (syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
    return ferry_make_error (err, errno, "cannot kill container %s", id);
  return 1;
}

/* A runc killed in its restore leaves the container's root file system
 * bound at criu-root in the container's state directory STATE, which it
 * never recorded (no state.json).  runc's delete of a container it does
 * not know removes that directory with everything below it: through the
 * mount, the container's own files.  So the mount goes first.  */
static void
unmount_unknown_state (const char *state)
{
  cleanup_free char *record = xasprintf ("%s/state.json", state);
  cleanup_free char *criu_root = xasprintf ("%s/criu-root", state);

  if (access (record, F_OK) == 0)
    return;
  while (umount2 (criu_root, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
    ;
}

int
ferry_runtime_delete (const struct ferry_runtime *rt, const char *id, int force, ferry_error_t *err)
{
  static const char *const gone[] = { "not exist", NULL };
  cleanup_free char *state = xasprintf ("%s/%s", rt->root, id);
  const char *args[5];
  size_t n = 0;

  /* runc and crun keep a directory of state per container under their
   * root: without one they know no such container, and there is nothing
   * to run them for (a launch deletes first, in case).  */
  if (strchr (id, '/') == NULL && access (state, F_OK) < 0 && errno == ENOENT)
    return 0;
  args[n++] = "delete";
  if (force)
    args[n++] = "--force";
  args[n++] = id;
  args[n] = NULL;
  if (strchr (id, '/') == NULL)
    unmount_unknown_state (state);
  return runtime_simple (rt, "delete", args, id, gone, err);
}

/* Freezes (ON) or thaws container ID through its cgroup's freezer, or
 * through `runtime pause|resume` when that cannot be found.  */
static int
freeze (const struct ferry_runtime *rt, const char *id, pid_t pid, int on, ferry_error_t *err)
{
  const char *verb = on ? "pause" : "resume";
  const char *args[] = { verb, id, NULL };
  struct ferry_freezer f;
  int ret;

  if (ferry_freezer_find (pid, id, &f) < 0)
    return runtime_simple (rt, verb, args, id, NULL, err);
  ret = on ? ferry_freezer_freeze (&f, err) : ferry_freezer_thaw (&f, err);
  ferry_freezer_release (&f);
  return ret < 0 ? ferry_error_wrap (err, "cannot %s container %s", verb, id) : 0;
}

int
ferry_runtime_pause (const struct ferry_runtime *rt, const char *id, pid_t pid, ferry_error_t *err)
{
  return freeze (rt, id, pid, 1, err);
}

int
ferry_runtime_resume (const struct ferry_runtime *rt, const char *id, pid_t pid, ferry_error_t *err)
{
  return freeze (rt, id, pid, 0, err);
}

int
ferry_runtime_kill_frozen (const struct ferry_runtime *rt, const char *id, pid_t pid, ferry_error_t *err)
{
  struct ferry_freezer f;
  int ret;

  if (ferry_freezer_find (pid, id, &f) < 0)
    {
      if (ferry_runtime_kill (rt, id, SIGKILL, 1, err) < 0)
        return -1;
      return ferry_runtime_resume (rt, id, 0, err);
    }
  ret = ferry_freezer_signal_all (&f, SIGKILL, err);
  ferry_freezer_release (&f);
  return ret < 0 ? ferry_error_wrap (err, "cannot kill container %s", id) : 0;
}

static json_object *
string_array (char **strings)
{
  json_object *array = json_object_new_array ();

  for (; *strings; strings++)
    json_object_array_add (array, json_object_new_string (*strings));
  return array;
}

/* The "process" object for `runtime exec`: the container's own, with the
 * options' fields on top.  */
static json_object *
exec_process (const struct ferry_exec_options *o, ferry_error_t *err)
{
  json_object *process, *user;
  size_t i;

  if (o->args == NULL || o->args[0] == NULL)
    {
      ferry_make_error (err, 0, "no command given to exec");
      return NULL;
    }
  if (o->process_template_json)
    {
      process = ferry_json_parse (o->process_template_json, strlen (o->process_template_json),
                                  "the container's process template", err);
      if (process == NULL)
        return NULL;
      if (! json_object_is_type (process, json_type_object))
        {
          json_object_put (process);
          ferry_make_error (err, 0, "the container's process template is not a JSON object");
          return NULL;
        }
    }
  else
    process = json_object_new_object ();

  json_object_object_add (process, "args", string_array (o->args));
  if (o->env)
    json_object_object_add (process, "env", string_array (o->env));
  json_object_object_add (process, "cwd", json_object_new_string (o->cwd && *o->cwd ? o->cwd : "/"));
  json_object_object_add (process, "terminal", json_object_new_boolean (o->terminal));

  user = ferry_json_get_object (process, "user");
  if (user == NULL)
    {
      user = json_object_new_object ();
      json_object_object_add (process, "user", user);
    }
  json_object_object_add (user, "uid", json_object_new_int64 (o->uid));
  json_object_object_add (user, "gid", json_object_new_int64 (o->gid));
  json_object_object_del (user, "additionalGids");
  if (o->n_additional_gids > 0)
    {
      json_object *gids = json_object_new_array ();

      for (i = 0; i < o->n_additional_gids; i++)
        json_object_array_add (gids, json_object_new_int64 (o->additional_gids[i]));
      json_object_object_add (user, "additionalGids", gids);
    }
  return process;
}

json_object *
ferry_runtime_exec_process (const struct ferry_exec_options *o, ferry_error_t *err)
{
  return exec_process (o, err);
}

/* Removes the process files (and the runtime's logs beside them) of
 * execs whose ferry is gone: one SIGKILLed while its process ran left
 * them in DIR.  Their names carry their ferry's PID and start time.  */
static void
sweep_dead_exec_files (const char *dir)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  while (d && (de = readdir (d)))
    {
      unsigned long long start;
      char *end;
      long pid;

      if (strncmp (de->d_name, "exec-", 5) != 0)
        continue;
      pid = strtol (de->d_name + 5, &end, 10);
      if (*end != '-' || pid <= 0)
        continue;
      start = strtoull (end + 1, &end, 10);
      if (*end == '-' && ! ferry_process_is_alive ((pid_t) pid, start))
        unlinkat (dirfd (d), de->d_name, 0);
    }
}

/* Writes PROCESS to a new file under the runtime root; returns its path.  */
static char *
write_process_file (const struct ferry_runtime *rt, json_object *process, ferry_error_t *err)
{
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;
  const char *text = ferry_json_to_string (process, 0);

  sweep_dead_exec_files (rt->root);
  path = xasprintf ("%s/exec-%ld-%llu-XXXXXX", rt->root, (long) getpid (), ferry_process_self_start_time ());
  fd = mkostemp (path, O_CLOEXEC);
  if (fd < 0)
    {
      ferry_make_error (err, errno, "cannot create the exec process file in `%s`", rt->root);
      return NULL;
    }
  if (ferry_write_all (fd, text, strlen (text)) < 0)
    {
      ferry_make_error (err, errno, "cannot write `%s`", path);
      unlink (path);
      return NULL;
    }
  return steal_pointer (&path);
}

static void
unlink_and_free (char **path)
{
  if (*path)
    unlink (*path);
  free (*path);
}

#define cleanup_unlink __attribute__ ((cleanup (unlink_and_free)))

/* What runc prints to its standard error when it cannot start an exec'd
 * process, besides logging it.  */
#define RUNTIME_EXEC_FAILED "exec failed: "

/* Copies BUF (N bytes) to ferry's standard error, but for a first write
 * (*RELAYED still false) that reads as the runtime's own failure, which
 * is held back in *HELD: it is the one thing written before a process
 * starts, and ferry says that failure itself.  */
static void
relay_chunk (const char *buf, size_t n, bool *relayed, char **held)
{
  size_t len = strlen (RUNTIME_EXEC_FAILED);

  if (! *relayed && n > len && memcmp (buf, RUNTIME_EXEC_FAILED, len) == 0)
    *held = xstrndup (buf, n);
  else
    {
      if (*held)
        {
          (void) ferry_write_all (STDERR_FILENO, *held, strlen (*held));
          free (steal_pointer (held));
        }
      (void) ferry_write_all (STDERR_FILENO, buf, n);
    }
  *relayed = true;
}

/* Relays what is written to the pipe RFD (relay_chunk; *RELAYED says
 * whether anything went through yet) until the child PID exits, then what
 * is in the pipe at that moment and no more: a daemon the process started
 * may hold the pipe open and write to it for good.  Returns PID's exit
 * code as wait_exit_code does.  */
static int
relay_exec_stderr (int rfd, pid_t pid, bool *relayed, char **held, ferry_error_t *err)
{
  cleanup_close int pidfd = syscall (SYS_pidfd_open, pid, 0);
  char buf[1 << 14];
  ssize_t r;
  int left;

  for (;;)
    {
      struct pollfd p[2] = { { .fd = rfd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };

      /* Without a pidfd (an old kernel), the pipe's end is the end.  */
      if (poll (p, pidfd >= 0 ? 2 : 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (pidfd >= 0 && (p[1].revents & POLLIN))
        break;
      if (! (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      r = read (rfd, buf, sizeof (buf));
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      relay_chunk (buf, (size_t) r, relayed, held);
    }
  if (ioctl (rfd, FIONREAD, &left) == 0)
    while (left > 0 && (r = read (rfd, buf, MIN ((size_t) left, sizeof (buf)))) > 0)
      {
        relay_chunk (buf, (size_t) r, relayed, held);
        left -= (int) r;
      }
  return wait_exit_code (pid, err);
}

/* The process ID the runtime wrote to PATH, or -1.  */
static pid_t
read_pid_file (const char *path)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_free char *text = NULL;
  char *end;
  long v;

  if (ferry_read_file (path, &text, NULL, &ignored) < 0)
    return -1;
  errno = 0;
  v = strtol (text, &end, 10);
  if (errno || end == text || (*end && *end != '\n') || v <= 0 || v > INT_MAX)
    return -1;
  return (pid_t) v;
}

/* Waits for the exec'd process PID, relaying its standard error from
 * RFD (-1: none) as relay_exec_stderr does.  */
static int
wait_exec_process (int rfd, pid_t pid, bool *relayed, char **held, ferry_error_t *err)
{
  return rfd >= 0 ? relay_exec_stderr (rfd, pid, relayed, held, err) : wait_exit_code (pid, err);
}

int
ferry_runtime_exec (const struct ferry_runtime *rt, const char *id, const struct ferry_exec_options *o,
                    int *exit_code, ferry_error_t *err)
{
  cleanup_json json_object *process = NULL;
  cleanup_unlink char *process_path = NULL;
  cleanup_unlink char *log_path = NULL;
  cleanup_close int devnull = -1;
  cleanup_strv char **argv = NULL;
  cleanup_free char *log = NULL;
  cleanup_free char *message = NULL;
  cleanup_free char *held = NULL;
  cleanup_unlink char *pid_path = NULL;
  cleanup_close int relay_r = -1, relay_w = -1;
  const char *args[12];
  char n_fds[24];
  size_t n = 0;
  int in_fd, out_fd, err_fd, code, subreaper = 0;
  bool relayed = false;
  pid_t pid = -1, child;

  *exit_code = 125;
  process = exec_process (o, err);
  if (process == NULL)
    return -1;
  process_path = write_process_file (rt, process, err);
  if (process_path == NULL)
    return -1;
  /* The process owns stdout and stderr; the runtime's own error comes
   * from its JSON log instead.  */
  log_path = xasprintf ("%s.log", process_path);

  /* Without a terminal, a runtime that waits for the process itself
   * copies its output through pipes of its own until every holder has
   * closed them: `sh -c 'daemon &'` would not return before the daemon
   * ends.  The runtime starts it detached instead, on ferry's own
   * descriptors, and ferry waits for the process alone, as Podman (through
   * conmon) does: a subreaper, it becomes the process's parent once the
   * runtime has exited.  */
  if (! o->detach && ! o->terminal && prctl (PR_GET_CHILD_SUBREAPER, &subreaper) == 0
      && (subreaper || prctl (PR_SET_CHILD_SUBREAPER, 1) == 0))
    pid_path = xasprintf ("%s.pid", process_path);
  args[n++] = "exec";
  if (o->terminal)
    args[n++] = "--tty";
  if (o->detach || pid_path)
    args[n++] = "--detach";
  if (pid_path)
    {
      args[n++] = "--pid-file";
      args[n++] = pid_path;
    }
  if (o->n_preserve_fds > 0)
    {
      snprintf (n_fds, sizeof (n_fds), "%zu", o->n_preserve_fds);
      args[n++] = "--preserve-fds";
      args[n++] = n_fds;
    }
  args[n++] = "--process";
  args[n++] = process_path;
  args[n++] = id;
  args[n] = NULL;
  argv = runtime_argv (rt, log_path, args);

  devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0)
    return ferry_make_error (err, errno, "cannot open /dev/null");
  in_fd = o->detach || ! (o->keep_stdin || o->terminal) ? devnull : STDIN_FILENO;
  out_fd = o->detach ? devnull : STDOUT_FILENO;
  err_fd = o->detach ? devnull : STDERR_FILENO;
  if (o->capture_output && ! o->detach)
    {
      in_fd = devnull;
      out_fd = err_fd = o->output_fd;
    }
  /* The runtime says why it could not start the process on its standard
   * error and in its log: said once, from the log, as Podman does.  */
  if (err_fd == STDERR_FILENO)
    {
      int p[2];

      if (pipe2 (p, O_CLOEXEC) < 0)
        return ferry_make_error (err, errno, "cannot create a pipe");
      relay_r = p[0];
      relay_w = p[1];
      err_fd = relay_w;
    }
  code = spawn_preserving (argv, (const int[3]){ in_fd, out_fd, err_fd }, o->preserve_fds, o->n_preserve_fds,
                           devnull, &pid, err);
  if (code == 0)
    {
      if (relay_r >= 0)
        close (steal_fd (&relay_w));
      code = wait_exec_process (relay_r, pid, &relayed, &held, err);
    }
  else
    ferry_error_wrap (err, "%s exec %s", rt->name, id);
  if (code == 0 && pid_path)
    {
      /* Started: nothing more of the runtime's can come.  */
      if (held)
        {
          (void) ferry_write_all (STDERR_FILENO, held, strlen (held));
          free (steal_pointer (&held));
        }
      relayed = true;
      child = read_pid_file (pid_path);
      code = child > 0
                 ? wait_exec_process (relay_r, child, &relayed, &held, err)
                 : ferry_make_error (err, 0, "%s exec %s did not say which process it started", rt->name, id);
    }
  if (pid_path && ! subreaper)
    prctl (PR_SET_CHILD_SUBREAPER, 0);
  if (code < 0)
    return -1;

  /* A failing process exits non-zero too; only an error in the log
   * means that the runtime itself failed.  */
  if (code != 0 && ferry_path_exists (log_path))
    {
      cleanup_error ferry_error_t ignored = NULL;

      if (ferry_read_file (log_path, &log, NULL, &ignored) == 0)
        message = runtime_error_from_text (log, true);
    }
  /* What the runtime printed is said below; anything else was the
   * process's.  */
  if (held && (message == NULL || strstr (held, message) == NULL))
    (void) ferry_write_all (STDERR_FILENO, held, strlen (held));
  if (message == NULL)
    {
      *exit_code = code;
      return 0;
    }
  runtime_make_error (err, rt, "exec", id, message, code);
  if ((*err)->kind == FERRY_ERROR_COMMAND_NOT_FOUND)
    *exit_code = 127;
  else if ((*err)->kind == FERRY_ERROR_COMMAND_NOT_EXECUTABLE)
    *exit_code = 126;
  return -1;
}

char *
ferry_runtime_criu_log_errors (const char *path)
{
  cleanup_fclose FILE *f = fopen (path, "re");
  char *out = NULL, line[1024];
  size_t n = 0;

  if (f == NULL)
    return NULL;
  while (fgets (line, sizeof (line), f))
    {
      size_t len = strlen (line);
      char *next;

      /* CRIU logs as an error, then goes on without, a limit it may not
       * raise (root without CAP_SYS_RESOURCE): never the cause, and it
       * would come first in every message.  */
      if (strstr (line, "Error") == NULL || strstr (line, "Can't setup RLIMIT_NOFILE"))
        continue;
      while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
      /* CRIU prefixes a time stamp: "(00.012345) Error (criu/...)".  */
      next = xasprintf ("%s%s%s", out ? out : "", out ? "; " : "",
                        line[0] == '(' && strchr (line, ')') ? strchr (line, ')') + 2 : line);
      free (out);
      out = next;
      if (++n >= 8)
        break;
    }
  return out;
}

int
ferry_runtime_checkpoint (const struct ferry_runtime *rt, const char *id,
                          const struct ferry_checkpoint_options *o, ferry_error_t *err)
{
  const char *args[16];
  size_t n = 0;

  args[n++] = "checkpoint";
  args[n++] = "--image-path";
  args[n++] = o->image_path;
  args[n++] = "--work-path";
  args[n++] = o->work_path;
  if (o->leave_running)
    args[n++] = "--leave-running";
  if (o->tcp_established)
    args[n++] = "--tcp-established";
  if (o->file_locks)
    args[n++] = "--file-locks";
  if (o->lazy_pages_address)
    {
      args[n++] = "--lazy-pages";
      args[n++] = "--page-server";
      args[n++] = o->lazy_pages_address;
    }
  args[n++] = id;
  args[n] = NULL;
  return runtime_simple_watched (rt, "checkpoint", args, id, NULL, o->hook, err);
}
