/* Unit tests for src/lib/runtime: the runc driver and the conmon driver,
 * against the real runc and conmon with a busybox bundle built by hand.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "runtime/cgroup_mounts.h"
#include "runtime/conmon.h"
#include "runtime/freezer.h"
#include "runtime/runtime.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A test that hangs (a stream that never ends) fails instead.  */
#define TEST_TIMEOUT_SECONDS 90

struct fixture
{
  char *dir;
  char *runroot;
  char *bundle;
  char *id;
  char *exit_dir;
  char *persist_dir;
  char *socket_dir;
  char *log_path;
  char *pidfile;
  char *conmon_pidfile;
  struct ferry_runtime rt;
  pid_t conmon_pid;
};

static int
run_argv (const char *cwd, char *const argv[])
{
  int status;
  pid_t pid = fork ();

  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      int devnull = open ("/dev/null", O_RDWR);

      dup2 (devnull, 0);
      dup2 (devnull, 1);
      if (cwd && chdir (cwd) < 0)
        _exit (126);
      execv (argv[0], argv);
      _exit (127);
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

static void
copy_file (const char *from, const char *to, mode_t mode)
{
  cleanup_free char *data = NULL;
  cleanup_error ferry_error_t err = NULL;
  size_t len;

  assert_int_equal (ferry_read_file (from, &data, &len, &err), 0);
  assert_int_equal (ferry_write_file_atomic (to, data, len, mode, &err), 0);
}

static void
write_text (const char *path, const char *text, mode_t mode)
{
  cleanup_error ferry_error_t err = NULL;

  assert_int_equal (ferry_write_file_atomic (path, text, strlen (text), mode, &err), 0);
}

static char *
read_text (const char *path)
{
  cleanup_error ferry_error_t err = NULL;
  char *text = NULL;

  if (ferry_read_file (path, &text, NULL, &err) < 0)
    return NULL;
  return text;
}

/* rootfs with busybox, and config.json from `runc spec` made to run ARGS.  */
static void
make_bundle (struct fixture *f, const char *const *args)
{
  static const char *const applets[] = { "sh", "echo", "sleep", "cat", NULL };
  cleanup_free char *rootfs = xasprintf ("%s/rootfs", f->bundle);
  cleanup_free char *bin = xasprintf ("%s/bin", rootfs);
  cleanup_free char *etc = xasprintf ("%s/etc", rootfs);
  cleanup_free char *busybox = xasprintf ("%s/busybox", bin);
  cleanup_free char *notexec = xasprintf ("%s/notexec", etc);
  cleanup_free char *config = xasprintf ("%s/config.json", f->bundle);
  cleanup_free char *cgroups_path = xasprintf ("/ferry-test/%s", f->id);
  cleanup_error ferry_error_t err = NULL;
  cleanup_json json_object *spec = NULL;
  char *spec_argv[] = { f->rt.path, (char *) "spec", NULL };
  json_object *process, *root, *linux_, *argv;
  const char *const *a, *text;

  assert_int_equal (ferry_mkdir_p (bin, 0755, &err), 0);
  assert_int_equal (ferry_mkdir_p (etc, 0755, &err), 0);
  copy_file ("/bin/busybox", busybox, 0755);
  for (a = applets; *a; a++)
    {
      cleanup_free char *link = xasprintf ("%s/%s", bin, *a);

      assert_int_equal (symlink ("busybox", link), 0);
    }
  write_text (notexec, "not a program\n", 0644);

  unlink (config);
  assert_int_equal (run_argv (f->bundle, spec_argv), 0);
  spec = ferry_json_parse_file (config, "config.json", &err);
  assert_non_null (spec);
  process = ferry_json_get_object (spec, "process");
  root = ferry_json_get_object (spec, "root");
  linux_ = ferry_json_get_object (spec, "linux");
  assert_non_null (process);
  assert_non_null (root);
  assert_non_null (linux_);
  json_object_object_add (process, "terminal", json_object_new_boolean (0));
  argv = json_object_new_array ();
  for (a = args; *a; a++)
    json_object_array_add (argv, json_object_new_string (*a));
  json_object_object_add (process, "args", argv);
  json_object_object_add (root, "path", json_object_new_string (rootfs));
  json_object_object_add (root, "readonly", json_object_new_boolean (0));
  json_object_object_add (linux_, "cgroupsPath", json_object_new_string (cgroups_path));
  text = ferry_json_to_string (spec, 1);
  write_text (config, text, 0644);
}

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  cleanup_error ferry_error_t err = NULL;
  char tmpl[] = "/tmp/ferry-test-runtime-XXXXXX";
  static unsigned counter;

  alarm (TEST_TIMEOUT_SECONDS);
  if (mkdtemp (tmpl) == NULL)
    return -1;
  f->dir = xstrdup (tmpl);
  f->runroot = xasprintf ("%s/run", f->dir);
  f->bundle = xasprintf ("%s/bundle", f->dir);
  f->id = xasprintf ("ferry-test-%d-%u-%ld", (int) getpid (), counter++, (long) time (NULL));
  f->exit_dir = xasprintf ("%s/exits", f->runroot);
  f->persist_dir = xasprintf ("%s/persist/%s", f->runroot, f->id);
  f->socket_dir = xasprintf ("%s/socket", f->runroot);
  f->log_path = xasprintf ("%s/ctr.log", f->bundle);
  f->pidfile = xasprintf ("%s/pidfile", f->bundle);
  f->conmon_pidfile = xasprintf ("%s/conmon.pid", f->bundle);
  if (ferry_mkdir_p (f->bundle, 0700, &err) < 0 || ferry_runtime_init (&f->rt, "runc", f->runroot, &err) < 0)
    {
      ferry_error_print (err);
      return -1;
    }
  *state = f;
  return 0;
}

static bool
process_is_alive (pid_t pid)
{
  cleanup_free char *path = xasprintf ("/proc/%d/stat", (int) pid);
  cleanup_free char *stat = read_text (path);
  char *paren;

  if (stat == NULL)
    return false;
  paren = strrchr (stat, ')');
  return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

/* conmon's daemon is re-parented to this process (a subreaper): reap it
 * and the exit commands it left behind.  */
static void
reap_orphans (void)
{
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
}

/* runc removes a container's cgroups on delete; the shared parent (and a
 * container's own, when a failed test left it) go here.  */
static void
remove_test_cgroups (const char *id)
{
  cleanup_dir DIR *d = opendir ("/sys/fs/cgroup");
  struct dirent *de;

  while (d && (de = readdir (d)))
    {
      cleanup_free char *own = xasprintf ("/sys/fs/cgroup/%s/ferry-test/%s", de->d_name, id);
      cleanup_free char *parent = xasprintf ("/sys/fs/cgroup/%s/ferry-test", de->d_name);

      if (de->d_name[0] == '.')
        continue;
      rmdir (own);
      rmdir (parent);
    }
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  int i;

  ferry_runtime_delete (&f->rt, f->id, 1, &err);
  ferry_error_release (&err);
  if (f->conmon_pid > 0 && process_is_alive (f->conmon_pid))
    kill (f->conmon_pid, SIGKILL);
  for (i = 0; i < 50 && f->conmon_pid > 0 && process_is_alive (f->conmon_pid); i++)
    {
      reap_orphans ();
      usleep (20000);
    }
  reap_orphans ();
  remove_test_cgroups (f->id);
  if (ferry_rm_rf (f->dir, &err) < 0)
    ferry_error_print (err);
  ferry_runtime_release (&f->rt);
  free (f->dir);
  free (f->runroot);
  free (f->bundle);
  free (f->id);
  free (f->exit_dir);
  free (f->persist_dir);
  free (f->socket_dir);
  free (f->log_path);
  free (f->pidfile);
  free (f->conmon_pidfile);
  free (f);
  alarm (0);
  return 0;
}

static struct ferry_conmon_options
conmon_options (struct fixture *f)
{
  struct ferry_conmon_options o = { 0 };

  o.runtime = &f->rt;
  o.id = f->id;
  o.name = "test";
  o.bundle = f->bundle;
  o.pidfile = f->pidfile;
  o.conmon_pidfile = f->conmon_pidfile;
  o.exit_dir = f->exit_dir;
  o.persist_dir = f->persist_dir;
  o.socket_dir = f->socket_dir;
  o.log_path = f->log_path;
  return o;
}

static pid_t
create_container (struct fixture *f, const struct ferry_conmon_options *o)
{
  cleanup_error ferry_error_t err = NULL;
  pid_t container_pid = 0;

  if (ferry_conmon_create (o, &container_pid, &f->conmon_pid, &err) < 0)
    fail_msg ("ferry_conmon_create: %s", err->msg);
  assert_true (container_pid > 0);
  assert_true (f->conmon_pid > 0);
  return container_pid;
}

/* Polls for the exit file for up to 20 s; returns the code.  */
static int
wait_exit_code (struct fixture *f)
{
  int i, code = -1000;

  for (i = 0; i < 2000; i++)
    {
      cleanup_error ferry_error_t err = NULL;
      int ret = ferry_conmon_read_exit (f->exit_dir, f->id, &code, &err);

      assert_true (ret >= 0);
      if (ret == 1)
        return code;
      /* A detached exec's process is orphaned to this subreaper; the
       * container's init is not reaped while it is an unreaped zombie.  */
      reap_orphans ();
      usleep (10000);
    }
  fail_msg ("no exit file for %s", f->id);
  return -1;
}

static char *
wait_for_file (const char *path)
{
  int i;

  for (i = 0; i < 2000; i++)
    {
      char *text = read_text (path);

      if (text && *text)
        return text;
      free (text);
      usleep (10000);
    }
  return NULL;
}

static bool
wait_process_gone (pid_t pid)
{
  int i;

  for (i = 0; i < 2000; i++)
    {
      reap_orphans ();
      if (! process_is_alive (pid))
        return true;
      usleep (10000);
    }
  return false;
}

static void
assert_state (struct fixture *f, const char *status)
{
  cleanup_error ferry_error_t err = NULL;
  struct ferry_runtime_state st;

  if (ferry_runtime_state (&f->rt, f->id, &st, &err) < 0)
    fail_msg ("state: %s", err->msg);
  assert_string_equal (st.status, status);
}

/* Runtime lookup.  */

static void
test_runtime_init_finds_runc (void **state)
{
  struct fixture *f = *state;
  cleanup_strv char **args = ferry_runtime_global_args (&f->rt);
  struct stat st;

  assert_string_equal (f->rt.name, "runc");
  assert_true (f->rt.path[0] == '/');
  assert_int_equal (access (f->rt.path, X_OK), 0);
  assert_int_equal (stat (f->rt.root, &st), 0);
  assert_true (S_ISDIR (st.st_mode));
  assert_int_equal (st.st_mode & 0777, 0700);
  assert_string_equal (args[0], "--root");
  assert_string_equal (args[1], f->rt.root);
  assert_null (args[2]);
}

static void
test_runtime_init_rejects_unknown (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  struct ferry_runtime rt;

  assert_true (ferry_runtime_init (&rt, "no-such-runtime", f->runroot, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
  assert_string_equal (err->msg,
                       "OCI runtime `no-such-runtime` not found: install it or pass --runtime PATH");
  ferry_error_release (&err);

  assert_true (ferry_runtime_init (&rt, "/nonexistent/runc", f->runroot, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
  assert_non_null (strstr (err->msg, "`/nonexistent/runc`"));
}

/* crun is chosen by name like runc (it cannot run containers on this
 * machine; a stand-in shows the lookup), and a path names itself.  */
static void
test_runtime_init_by_name_and_path (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *bindir = xasprintf ("%s/bin", f->dir);
  cleanup_free char *crun = xasprintf ("%s/crun", bindir);
  cleanup_free char *old_path = xstrdup (getenv ("PATH") ? getenv ("PATH") : "/usr/bin");
  cleanup_free char *new_path = xasprintf ("%s:%s", bindir, old_path);
  cleanup_error ferry_error_t err = NULL;
  struct ferry_runtime rt;

  assert_int_equal (ferry_mkdir_p (bindir, 0755, &err), 0);
  write_text (crun, "#!/bin/sh\nexit 0\n", 0755);
  setenv ("PATH", new_path, 1);
  assert_int_equal (ferry_runtime_init (&rt, "crun", f->runroot, &err), 0);
  setenv ("PATH", old_path, 1);
  assert_string_equal (rt.name, "crun");
  assert_string_equal (rt.path, crun);
  ferry_runtime_release (&rt);

  assert_int_equal (ferry_runtime_init (&rt, f->rt.path, f->runroot, &err), 0);
  assert_string_equal (rt.name, "runc");
  assert_string_equal (rt.path, f->rt.path);
  ferry_runtime_release (&rt);
}

static void
test_classify_exec_error (void **state)
{
  (void) state;
  assert_int_equal (ferry_runtime_classify_exec_error (
                        "exec failed: unable to start container process: exec: \"nosuch\": executable file "
                        "not found in $PATH"),
                    FERRY_ERROR_COMMAND_NOT_FOUND);
  assert_int_equal (
      ferry_runtime_classify_exec_error ("runc create failed: unable to start container process: "
                                         "exec: \"/nosuch\": stat /nosuch: no such file or "
                                         "directory"),
      FERRY_ERROR_COMMAND_NOT_FOUND);
  assert_int_equal (
      ferry_runtime_classify_exec_error (
          "exec failed: unable to start container process: exec: \"/etc/passwd\": permission denied"),
      FERRY_ERROR_COMMAND_NOT_EXECUTABLE);
  assert_int_equal (
      ferry_runtime_classify_exec_error ("executable file `nosuch` not found in $PATH: No such file "
                                         "or directory"),
      FERRY_ERROR_COMMAND_NOT_FOUND);
  /* A missing mount source is not a missing command.  */
  assert_int_equal (
      ferry_runtime_classify_exec_error ("runc create failed: unable to start container process: "
                                         "error mounting \"/x\" to rootfs at \"/y\": stat /x: no "
                                         "such file or directory"),
      FERRY_ERROR_GENERIC);
  assert_int_equal (ferry_runtime_classify_exec_error ("container does not exist"), FERRY_ERROR_GENERIC);
  assert_int_equal (ferry_runtime_classify_exec_error (NULL), FERRY_ERROR_GENERIC);
}

/* conmon: stdio through the attach socket, exit file, log, exit command.  */

static void
test_conmon_attach_stdio_exit_log (void **state)
{
  struct fixture *f = *state;
  const char *args[] = { "sh", "-c", "echo out; echo err >&2; read x; echo got:$x; exit 7", NULL };
  cleanup_free char *ran = xasprintf ("%s/ran", f->dir);
  cleanup_free char *ran_script = xasprintf ("echo ran > %s", ran);
  char *exit_command[] = { (char *) "/bin/sh", (char *) "-c", ran_script, NULL };
  struct ferry_conmon_options o = conmon_options (f);
  cleanup_error ferry_error_t err = NULL;
  cleanup_close int sock = -1;
  cleanup_free char *log = NULL;
  cleanup_free char *ran_text = NULL;
  cleanup_free char *persist_exit = xasprintf ("%s/exit", f->persist_dir);
  cleanup_free char *persist_text = NULL;
  int in[2], out[2], errp[2];
  char buf[256];
  ssize_t n;
  pid_t container_pid;

  make_bundle (f, args);
  o.stdin_open = 1;
  o.exit_command = exit_command;
  container_pid = create_container (f, &o);
  /* conmon outlives the call that started it.  */
  assert_true (process_is_alive (f->conmon_pid));
  assert_true (process_is_alive (container_pid));
  assert_state (f, "created");

  sock = ferry_conmon_attach_connect (f->socket_dir, f->id, &err);
  if (sock < 0)
    fail_msg ("attach: %s", err->msg);
  assert_int_equal (ferry_runtime_start (&f->rt, f->id, &err), 0);

  assert_int_equal (pipe2 (in, O_CLOEXEC), 0);
  assert_int_equal (pipe2 (out, O_CLOEXEC), 0);
  assert_int_equal (pipe2 (errp, O_CLOEXEC), 0);
  assert_int_equal (write (in[1], "hello\n", 6), 6);
  close (in[1]);
  if (ferry_conmon_attach_stream (
          sock,
          &(struct ferry_attach_io){ .in_fd = in[0], .out_fd = out[1], .err_fd = errp[1], .signal_fd = -1 },
          &err)
      < 0)
    fail_msg ("stream: %s", err->msg);
  close (in[0]);
  close (out[1]);
  close (errp[1]);
  n = read (out[0], buf, sizeof (buf) - 1);
  assert_true (n >= 0);
  buf[n] = '\0';
  assert_string_equal (buf, "out\ngot:hello\n");
  n = read (errp[0], buf, sizeof (buf) - 1);
  assert_true (n >= 0);
  buf[n] = '\0';
  assert_string_equal (buf, "err\n");
  close (out[0]);
  close (errp[0]);

  assert_int_equal (wait_exit_code (f), 7);
  persist_text = read_text (persist_exit);
  assert_non_null (persist_text);
  assert_int_equal (atoi (persist_text), 7);

  log = read_text (f->log_path);
  assert_non_null (log);
  {
    bool saw_out = false, saw_err = false;
    char *save = NULL, *line;

    for (line = strtok_r (log, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
      {
        char *space = strchr (line, ' ');

        /* "<RFC 3339 time> <stream> F <text>" */
        assert_non_null (space);
        assert_non_null (memchr (line, 'T', space - line));
        if (strcmp (space, " stdout F out") == 0)
          saw_out = true;
        if (strcmp (space, " stderr F err") == 0)
          saw_err = true;
      }
    assert_true (saw_out);
    assert_true (saw_err);
  }

  assert_state (f, "stopped");
  ran_text = wait_for_file (ran);
  assert_non_null (ran_text);
  assert_string_equal (ran_text, "ran\n");
  /* The monitor goes once the container has.  */
  assert_true (wait_process_gone (f->conmon_pid));
}

/* A caller that reads ferry's output to its end (a test harness, `$(...)`)
 * is not held up by the monitor that ferry leaves running.  */
static void
test_conmon_does_not_hold_callers_stdio (void **state)
{
  struct fixture *f = *state;
  const char *args[] = { "sleep", "100", NULL };
  struct ferry_conmon_options o = conmon_options (f);
  char buf[256];
  size_t len = 0;
  int out[2], status;
  pid_t child;

  make_bundle (f, args);
  assert_int_equal (pipe2 (out, O_CLOEXEC), 0);
  fflush (stdout);
  fflush (stderr);
  child = fork ();
  assert_true (child >= 0);
  if (child == 0)
    {
      cleanup_error ferry_error_t err = NULL;
      pid_t container_pid, conmon_pid;
      int n;

      dup2 (out[1], STDOUT_FILENO);
      dup2 (out[1], STDERR_FILENO);
      /* As a harness's descriptor inherited by ferry, not close-on-exec.  */
      dup2 (out[1], 9);
      if (ferry_conmon_create (&o, &container_pid, &conmon_pid, &err) < 0)
        _exit (1);
      n = snprintf (buf, sizeof (buf), "%d\n", (int) conmon_pid);
      _exit (write (STDOUT_FILENO, buf, n) == n ? 0 : 1);
    }
  close (out[1]);
  for (;;)
    {
      struct pollfd pfd = { out[0], POLLIN, 0 };
      ssize_t n;

      /* Without the fix this never ends: conmon would hold the pipe.  */
      assert_int_equal (poll (&pfd, 1, 20000), 1);
      n = read (out[0], buf + len, sizeof (buf) - 1 - len);
      assert_true (n >= 0);
      if (n == 0)
        break;
      len += n;
    }
  close (out[0]);
  buf[len] = '\0';
  assert_int_equal (waitpid (child, &status, 0), child);
  assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  f->conmon_pid = atoi (buf);
  assert_true (f->conmon_pid > 0);
  assert_true (process_is_alive (f->conmon_pid));
  assert_state (f, "created");
}

/* The attach socket is reachable when its path is too long for sun_path.  */
static void
test_conmon_attach_long_socket_path (void **state)
{
  struct fixture *f = *state;
  const char *args[] = { "sh", "-c", "echo long-path-ok", NULL };
  struct ferry_conmon_options o = conmon_options (f);
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *long_dir = NULL;
  cleanup_free char *path = NULL;
  cleanup_close int sock = -1;
  int out[2];
  char buf[64];
  ssize_t n;

  long_dir
      = xasprintf ("%s/%s", f->runroot,
                   "a-directory-name-long-enough-to-push-the-attach-socket-path-past-one-hundred-and-eight-"
                   "bytes");
  o.socket_dir = long_dir;
  path = ferry_conmon_attach_path (long_dir, f->id);
  assert_true (strlen (path) >= 108);
  make_bundle (f, args);
  create_container (f, &o);

  sock = ferry_conmon_attach_connect (long_dir, f->id, &err);
  if (sock < 0)
    fail_msg ("attach: %s", err->msg);
  assert_int_equal (ferry_runtime_start (&f->rt, f->id, &err), 0);
  assert_int_equal (pipe2 (out, O_CLOEXEC), 0);
  assert_int_equal (
      ferry_conmon_attach_stream (
          sock, &(struct ferry_attach_io){ .in_fd = -1, .out_fd = out[1], .err_fd = -1, .signal_fd = -1 },
          &err),
      0);
  close (out[1]);
  n = read (out[0], buf, sizeof (buf) - 1);
  close (out[0]);
  assert_true (n >= 0);
  buf[n] = '\0';
  assert_string_equal (buf, "long-path-ok\n");
  assert_int_equal (wait_exit_code (f), 0);
}

static void
test_conmon_attach_unknown_container (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;

  assert_true (ferry_conmon_attach_connect (f->socket_dir, "nosuch", &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
  assert_non_null (strstr (err->msg, "nosuch"));
}

/* A detached container through its whole life.  */
static void
test_runtime_lifecycle (void **state)
{
  struct fixture *f = *state;
  const char *args[] = { "sleep", "100", NULL };
  struct ferry_conmon_options o = conmon_options (f);
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *proc = NULL;
  struct ferry_runtime_state st;
  pid_t container_pid;

  make_bundle (f, args);
  container_pid = create_container (f, &o);
  assert_int_equal (ferry_runtime_start (&f->rt, f->id, &err), 0);

  assert_int_equal (ferry_runtime_state (&f->rt, f->id, &st, &err), 0);
  assert_string_equal (st.status, "running");
  assert_true (st.pid > 0);
  assert_int_equal (st.pid, container_pid);
  proc = xasprintf ("/proc/%d", (int) st.pid);
  assert_true (ferry_path_exists (proc));

  /* Through the runtime, without the process.  */
  assert_int_equal (ferry_runtime_pause (&f->rt, f->id, 0, &err), 0);
  assert_state (f, "paused");
  assert_int_equal (ferry_runtime_resume (&f->rt, f->id, 0, &err), 0);
  assert_state (f, "running");
  /* Through the cgroup's freezer, which the runtime reads back.  */
  assert_int_equal (ferry_runtime_pause (&f->rt, f->id, st.pid, &err), 0);
  assert_state (f, "paused");
  assert_int_equal (ferry_runtime_resume (&f->rt, f->id, st.pid, &err), 0);
  assert_state (f, "running");
  /* Another container's process is not taken for this one's.  */
  {
    struct ferry_freezer fz;

    assert_int_equal (ferry_freezer_find (st.pid, f->id, &fz), 0);
    ferry_freezer_release (&fz);
    assert_true (ferry_freezer_find (st.pid, "0123456789abcdef", &fz) < 0);
    assert_true (ferry_freezer_find (getpid (), f->id, &fz) < 0);
  }
  assert_true (process_is_alive (f->conmon_pid));

  /* Killed while frozen: it dies once thawed.  */
  assert_int_equal (ferry_runtime_pause (&f->rt, f->id, st.pid, &err), 0);
  assert_int_equal (ferry_runtime_kill_frozen (&f->rt, f->id, st.pid, &err), 0);
  assert_int_equal (wait_exit_code (f), 137);
  assert_state (f, "stopped");
  /* Killing what is gone already is not an error.  */
  assert_int_equal (ferry_runtime_kill (&f->rt, f->id, SIGTERM, 0, &err), 0);
  assert_int_equal (ferry_runtime_kill (&f->rt, f->id, SIGKILL, 1, &err), 0);
  /* But pausing it is, and the message says who said what.  */
  assert_true (ferry_runtime_pause (&f->rt, f->id, 0, &err) < 0);
  assert_non_null (strstr (err->msg, "runc pause "));
  assert_non_null (strstr (err->msg, f->id));
  assert_non_null (strstr (err->msg, "not running"));
  ferry_error_release (&err);

  assert_int_equal (ferry_runtime_delete (&f->rt, f->id, 0, &err), 0);
  assert_true (ferry_runtime_state (&f->rt, f->id, &st, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
  assert_non_null (strstr (err->msg, f->id));
  assert_non_null (strstr (err->msg, "does not exist"));
  ferry_error_release (&err);
  /* Deleting the unknown is not an error either.  */
  assert_int_equal (ferry_runtime_delete (&f->rt, f->id, 0, &err), 0);
  assert_int_equal (ferry_runtime_delete (&f->rt, f->id, 1, &err), 0);
  assert_int_equal (ferry_runtime_kill (&f->rt, f->id, SIGKILL, 0, &err), 0);
}

static void
test_runtime_delete_force_running (void **state)
{
  struct fixture *f = *state;
  const char *args[] = { "sleep", "100", NULL };
  struct ferry_conmon_options o = conmon_options (f);
  cleanup_error ferry_error_t err = NULL;
  struct ferry_runtime_state st;
  pid_t container_pid;

  make_bundle (f, args);
  container_pid = create_container (f, &o);
  assert_int_equal (ferry_runtime_start (&f->rt, f->id, &err), 0);
  assert_true (ferry_runtime_delete (&f->rt, f->id, 0, &err) < 0);
  assert_non_null (strstr (err->msg, "runc delete "));
  ferry_error_release (&err);
  assert_int_equal (ferry_runtime_delete (&f->rt, f->id, 1, &err), 0);
  assert_true (ferry_runtime_state (&f->rt, f->id, &st, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
  assert_true (wait_process_gone (container_pid));
}

/* Runs exec with the test's stdout sent to a file; returns what it got.  */
static char *
exec_capture (struct fixture *f, struct ferry_exec_options *o, int *exit_code, int *ret, ferry_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/exec-out", f->dir);
  int saved, fd;

  fflush (stdout);
  saved = dup (STDOUT_FILENO);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  assert_true (saved >= 0 && fd >= 0);
  dup2 (fd, STDOUT_FILENO);
  close (fd);
  *ret = ferry_runtime_exec (&f->rt, f->id, o, exit_code, err);
  dup2 (saved, STDOUT_FILENO);
  close (saved);
  return read_text (path);
}

static void
test_runtime_exec (void **state)
{
  struct fixture *f = *state;
  const char *args[] = { "sleep", "100", NULL };
  struct ferry_conmon_options o = conmon_options (f);
  cleanup_free char *config = xasprintf ("%s/config.json", f->bundle);
  cleanup_free char *marker = xasprintf ("%s/rootfs/marker", f->bundle);
  cleanup_error ferry_error_t err = NULL;
  cleanup_json json_object *spec = NULL;
  struct ferry_exec_options x;
  char *echo_hi[] = { (char *) "echo", (char *) "hi", NULL };
  char *exit_5[] = { (char *) "sh", (char *) "-c", (char *) "exit 5", NULL };
  char *killed[] = { (char *) "sh", (char *) "-c", (char *) "kill -9 $$", NULL };
  char *env_cwd[] = { (char *) "sh", (char *) "-c", (char *) "echo $FOO; pwd", NULL };
  char *env[] = { (char *) "PATH=/bin", (char *) "FOO=bar", NULL };
  char *nosuch[] = { (char *) "nosuchcmd", NULL };
  char *notexec[] = { (char *) "/etc/notexec", NULL };
  char *detached[] = { (char *) "sh", (char *) "-c", (char *) "echo detached > /marker", NULL };
  int code, ret;

  make_bundle (f, args);
  create_container (f, &o);
  assert_int_equal (ferry_runtime_start (&f->rt, f->id, &err), 0);
  spec = ferry_json_parse_file (config, "config.json", &err);
  assert_non_null (spec);

  memset (&x, 0, sizeof (x));
  x.process_template_json = ferry_json_to_string (ferry_json_get_object (spec, "process"), 0);

  {
    cleanup_free char *out = NULL;

    x.args = echo_hi;
    out = exec_capture (f, &x, &code, &ret, &err);
    assert_int_equal (ret, 0);
    assert_int_equal (code, 0);
    assert_string_equal (out, "hi\n");
  }
  {
    cleanup_free char *out = NULL;

    x.args = exit_5;
    out = exec_capture (f, &x, &code, &ret, &err);
    assert_int_equal (ret, 0);
    assert_int_equal (code, 5);
  }
  {
    cleanup_free char *out = NULL;

    x.args = killed;
    out = exec_capture (f, &x, &code, &ret, &err);
    assert_int_equal (ret, 0);
    assert_int_equal (code, 137);
  }
  {
    cleanup_free char *out = NULL;

    x.args = env_cwd;
    x.env = env;
    x.cwd = "/bin";
    out = exec_capture (f, &x, &code, &ret, &err);
    assert_int_equal (ret, 0);
    assert_int_equal (code, 0);
    assert_string_equal (out, "bar\n/bin\n");
    x.env = NULL;
    x.cwd = NULL;
  }
  {
    cleanup_free char *out = NULL;

    x.args = nosuch;
    out = exec_capture (f, &x, &code, &ret, &err);
    assert_true (ret < 0);
    assert_int_equal (code, 127);
    assert_int_equal (err->kind, FERRY_ERROR_COMMAND_NOT_FOUND);
    assert_string_equal (
        err->msg, "runc: exec failed: unable to start container process: exec: \"nosuchcmd\": executable "
                  "file not found in $PATH: OCI runtime attempted to invoke a command that was not found");
    ferry_error_release (&err);
  }
  {
    cleanup_free char *out = NULL;

    x.args = notexec;
    out = exec_capture (f, &x, &code, &ret, &err);
    assert_true (ret < 0);
    assert_int_equal (code, 126);
    assert_int_equal (err->kind, FERRY_ERROR_COMMAND_NOT_EXECUTABLE);
    assert_non_null (strstr (err->msg, "/etc/notexec"));
    ferry_error_release (&err);
  }
  {
    cleanup_free char *text = NULL;

    x.args = detached;
    x.detach = 1;
    assert_int_equal (ferry_runtime_exec (&f->rt, f->id, &x, &code, &err), 0);
    assert_int_equal (code, 0);
    text = wait_for_file (marker);
    assert_non_null (text);
    assert_string_equal (text, "detached\n");
    x.detach = 0;
  }

  /* No process file or log is left in the runtime root.  */
  {
    cleanup_dir DIR *d = opendir (f->rt.root);
    struct dirent *de;

    assert_non_null (d);
    while ((de = readdir (d)))
      assert_null (strstr (de->d_name, "exec-"));
  }

  assert_int_equal (ferry_runtime_kill (&f->rt, f->id, SIGKILL, 0, &err), 0);
  assert_int_equal (wait_exit_code (f), 137);
  x.args = echo_hi;
  assert_true (ferry_runtime_exec (&f->rt, f->id, &x, &code, &err) < 0);
  /* Podman's words for an exec the runtime would not start.  */
  assert_int_equal (err->kind, FERRY_ERROR_RUNTIME);
  assert_non_null (strstr (err->msg, "OCI runtime error: "));
  assert_non_null (strstr (err->msg, "stopped"));
}

static void
test_conmon_create_missing_command (void **state)
{
  struct fixture *f = *state;
  const char *args[] = { "/nosuch", NULL };
  struct ferry_conmon_options o = conmon_options (f);
  cleanup_error ferry_error_t err = NULL;
  struct ferry_runtime_state st;
  pid_t container_pid = 0, conmon_pid = 0;
  int code;

  make_bundle (f, args);
  assert_true (ferry_conmon_create (&o, &container_pid, &conmon_pid, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_COMMAND_NOT_FOUND);
  assert_string_equal (
      err->msg,
      "runc: runc create failed: unable to start container process: exec: \"/nosuch\": stat /nosuch: no such "
      "file or directory: OCI runtime attempted to invoke a command that was not found");
  ferry_error_release (&err);
  assert_true (ferry_runtime_state (&f->rt, f->id, &st, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
  ferry_error_release (&err);
  assert_int_equal (ferry_conmon_read_exit (f->exit_dir, f->id, &code, &err), 0);
}

static void
test_conmon_create_command_not_in_path (void **state)
{
  struct fixture *f = *state;
  const char *args[] = { "nosuchcmd", NULL };
  struct ferry_conmon_options o = conmon_options (f);
  cleanup_error ferry_error_t err = NULL;
  pid_t container_pid = 0, conmon_pid = 0;

  make_bundle (f, args);
  assert_true (ferry_conmon_create (&o, &container_pid, &conmon_pid, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_COMMAND_NOT_FOUND);
  assert_string_equal (
      err->msg,
      "runc: runc create failed: unable to start container process: exec: \"nosuchcmd\": executable file not "
      "found in $PATH: OCI runtime attempted to invoke a command that was not found");
}

/* conmon that fails before it replies: its own message, and its status.  */
static void
test_conmon_fails_without_reply (void **state)
{
  struct fixture *f = *state;
  const char *args[] = { "sh", NULL };
  struct ferry_conmon_options o = conmon_options (f);
  cleanup_free char *pidfile = xasprintf ("%s/no-such-dir/conmon.pid", f->dir);
  cleanup_error ferry_error_t err = NULL;
  struct ferry_runtime_state st;
  pid_t container_pid = 0, conmon_pid = 0;

  make_bundle (f, args);
  o.conmon_pidfile = pidfile;
  assert_true (ferry_conmon_create (&o, &container_pid, &conmon_pid, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_RUNTIME);
  assert_non_null (strstr (err->msg, "conmon failed: exit status 1"));
  assert_non_null (strstr (err->msg, "Failed to write conmon pidfile"));
  ferry_error_release (&err);
  assert_true (ferry_runtime_state (&f->rt, f->id, &st, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_NOT_FOUND);
}

/* A runtime error that is not about the command keeps the runtime's words,
 * as Podman's "OCI runtime error", and no command kind.  */
static void
test_conmon_create_bad_bundle (void **state)
{
  struct fixture *f = *state;
  const char *args[] = { "sh", NULL };
  struct ferry_conmon_options o = conmon_options (f);
  cleanup_free char *config = xasprintf ("%s/config.json", f->bundle);
  cleanup_error ferry_error_t err = NULL;
  pid_t container_pid = 0, conmon_pid = 0;

  make_bundle (f, args);
  write_text (config, "{\"ociVersion\": \"1.0.2\", \"process\": 7}", 0644);
  assert_true (ferry_conmon_create (&o, &container_pid, &conmon_pid, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_RUNTIME);
  assert_non_null (strstr (err->msg, "OCI runtime error: runc: "));
}

/* A container checkpointed with runc comes back through conmon --restore,
 * its runtime options passed on.  */
static void
test_conmon_restore (void **state)
{
  struct fixture *f = *state;
  const char *args[]
      = { "sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /count; sleep 0.1; done", NULL };
  struct ferry_conmon_options o = conmon_options (f);
  cleanup_free char *images = xasprintf ("%s/checkpoint", f->dir);
  cleanup_free char *count_path = xasprintf ("%s/rootfs/count", f->bundle);
  cleanup_free char *before = NULL;
  cleanup_error ferry_error_t err = NULL;
  char *checkpoint[] = { f->rt.path,
                         (char *) "--root",
                         f->rt.root,
                         (char *) "checkpoint",
                         (char *) "--image-path",
                         images,
                         (char *) "--work-path",
                         images,
                         f->id,
                         NULL };
  char *runtime_opts[] = { (char *) "--tcp-established", NULL };
  struct ferry_runtime_state st;
  pid_t container_pid;
  int i;

  if (run_argv (NULL, (char *[]){ (char *) "/usr/sbin/criu", (char *) "check", NULL }) != 0)
    skip ();
  make_bundle (f, args);
  create_container (f, &o);
  assert_int_equal (ferry_runtime_start (&f->rt, f->id, &err), 0);
  before = wait_for_file (count_path);
  assert_non_null (before);
  usleep (300000);

  assert_int_equal (run_argv (NULL, checkpoint), 0);
  assert_int_equal (wait_exit_code (f), 137);
  assert_true (wait_process_gone (f->conmon_pid));
  assert_int_equal (ferry_runtime_delete (&f->rt, f->id, 1, &err), 0);
  free (before);
  before = read_text (count_path);
  assert_non_null (before);

  o.restore_from = images;
  o.runtime_opts = runtime_opts;
  container_pid = create_container (f, &o);
  assert_int_equal (ferry_runtime_state (&f->rt, f->id, &st, &err), 0);
  assert_string_equal (st.status, "running");
  assert_int_equal (st.pid, container_pid);
  /* The counter carries on from where it stopped.  */
  for (i = 0; i < 200; i++)
    {
      cleanup_free char *now = read_text (count_path);

      if (now && atoi (now) > atoi (before))
        break;
      usleep (20000);
    }
  assert_true (i < 200);
  assert_int_equal (ferry_runtime_kill (&f->rt, f->id, SIGKILL, 0, &err), 0);
  assert_int_equal (wait_exit_code (f), 137);
}

static void
test_conmon_read_exit (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = xasprintf ("%s/%s", f->exit_dir, f->id);
  cleanup_error ferry_error_t err = NULL;
  int code = -5;

  assert_int_equal (ferry_conmon_read_exit (f->exit_dir, f->id, &code, &err), 0);
  assert_int_equal (code, -5);
  assert_int_equal (ferry_mkdir_p (f->exit_dir, 0700, &err), 0);
  write_text (path, "42", 0600);
  assert_int_equal (ferry_conmon_read_exit (f->exit_dir, f->id, &code, &err), 1);
  assert_int_equal (code, 42);
  write_text (path, "garbage", 0600);
  assert_true (ferry_conmon_read_exit (f->exit_dir, f->id, &code, &err) < 0);
  assert_non_null (strstr (err->msg, path));
}

static void
test_conmon_attach_path (void **state)
{
  cleanup_free char *path = ferry_conmon_attach_path ("/run/ferry/socket", "abc");

  (void) state;
  assert_string_equal (path, "/run/ferry/socket/abc/attach");
}

static void
test_detach_keys_parse (void **state)
{
  struct ferry_attach_io io = { 0 };
  ferry_error_t err = NULL;

  (void) state;
  assert_int_equal (ferry_attach_parse_detach_keys ("ctrl-p,ctrl-q", &io, &err), 0);
  assert_int_equal (io.n_detach_keys, 2);
  assert_int_equal (io.detach_keys[0], 0x10);
  assert_int_equal (io.detach_keys[1], 0x11);
  assert_int_equal (ferry_attach_parse_detach_keys ("a,ctrl-@,ctrl-_,ctrl-[", &io, &err), 0);
  assert_int_equal (io.n_detach_keys, 4);
  assert_int_equal (io.detach_keys[0], 'a');
  assert_int_equal (io.detach_keys[1], 0);
  assert_int_equal (io.detach_keys[2], 0x1f);
  assert_int_equal (io.detach_keys[3], 0x1b);
  assert_int_equal (ferry_attach_parse_detach_keys ("", &io, &err), 0);
  assert_int_equal (io.n_detach_keys, 0);
  assert_true (ferry_attach_parse_detach_keys ("ctrl-1", &io, &err) < 0);
  assert_string_equal (err->msg, "invalid detach keys: Unknown character: 'ctrl-1'");
  ferry_error_release (&err);
  assert_true (ferry_attach_parse_detach_keys ("ab", &io, &err) < 0);
  ferry_error_release (&err);
  assert_true (ferry_attach_parse_detach_keys (",", &io, &err) < 0);
  ferry_error_release (&err);
}

/* Streams PIECES, written a tenth of a second apart (each a read of its
 * own), to a socket standing for conmon's, whose end a child holds: it
 * hands what reached it back through a pipe and hangs up when the stream
 * ends its input or leaves.  Returns what the stream returned; GOT gets
 * what reached "conmon".  */
static int
stream_pieces (const char *const *pieces, char *got, size_t size)
{
  struct ferry_attach_io io = { .out_fd = -1, .err_fd = -1, .signal_fd = -1 };
  ferry_error_t err = NULL;
  int sv[2], in[2], res[2], ret;
  ssize_t n;
  size_t len = 0;
  pid_t pid;

  assert_int_equal (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  assert_int_equal (pipe2 (in, O_CLOEXEC), 0);
  assert_int_equal (pipe2 (res, O_CLOEXEC), 0);
  assert_int_equal (ferry_attach_parse_detach_keys ("ctrl-p,ctrl-q", &io, &err), 0);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      char buf[256];

      close (in[0]);
      close (sv[0]);
      close (res[0]);
      /* A stream that detached reads no more.  */
      signal (SIGPIPE, SIG_IGN);
      for (size_t i = 0; pieces[i]; i++)
        {
          if (write (in[1], pieces[i], strlen (pieces[i])) < 0)
            break;
          usleep (100000);
        }
      close (in[1]);
      while ((n = recv (sv[1], buf, sizeof (buf), 0)) > 0)
        if (write (res[1], buf, n) != n)
          _exit (1);
      _exit (0);
    }
  close (in[1]);
  close (sv[1]);
  close (res[1]);
  io.in_fd = in[0];
  ret = ferry_conmon_attach_stream (sv[0], &io, &err);
  close (sv[0]);
  close (in[0]);
  while (len + 1 < size && (n = read (res[0], got + len, size - len - 1)) > 0)
    len += n;
  got[len] = '\0';
  close (res[0]);
  waitpid (pid, NULL, 0);
  return ret;
}

static void
test_attach_detach_keys (void **state)
{
  const char *const typed[] = { "x\n", "\x10", "\x11", "lost\n", NULL };
  const char *const pasted[] = { "y\n", "\x10\x11z\n", NULL };
  const char *const broken[] = { "\x10", "w", NULL };
  char got[64];

  (void) state;
  /* Each key alone in a read: detached, nothing of them sent.  */
  assert_int_equal (stream_pieces (typed, got, sizeof (got)), 1);
  assert_string_equal (got, "x\n");
  /* Inside one read they are the container's; its end ends the stream.  */
  assert_int_equal (stream_pieces (pasted, got, sizeof (got)), 0);
  assert_string_equal (got, "y\n\x10\x11z\n");
  /* A key held back goes out with what follows it.  */
  assert_int_equal (stream_pieces (broken, got, sizeof (got)), 0);
  assert_string_equal (got, "\x10w");
}

/* An exec session under conmon (exec -it, exec -d): attached before the
 * process starts, its output and input through the attach socket, its exit
 * code on the sync pipe and in the exit file; a command that is not there
 * is the runtime's error, with its kind.  */
static void
test_conmon_exec_session (void **state)
{
  struct fixture *f = *state;
  const char *args[] = { "sleep", "100", NULL };
  struct ferry_conmon_options o = conmon_options (f);
  cleanup_free char *config = xasprintf ("%s/config.json", f->bundle);
  cleanup_free char *session = xasprintf ("%s/session", f->dir);
  cleanup_free char *spec_path = xasprintf ("%s/process.json", f->dir);
  cleanup_error ferry_error_t err = NULL;
  cleanup_json json_object *spec = NULL;
  struct ferry_exec_options x = { 0 };
  struct ferry_conmon_exec_options eo = { 0 };
  struct ferry_conmon_exec started;
  char *script[] = { (char *) "sh", (char *) "-c", (char *) "echo out; read x; echo got:$x; exit 5", NULL };
  char *nosuch[] = { (char *) "nosuchcmd", NULL };
  int in[2], out[2], code = -1;
  char buf[256];
  ssize_t n;

  make_bundle (f, args);
  create_container (f, &o);
  assert_int_equal (ferry_runtime_start (&f->rt, f->id, &err), 0);
  spec = ferry_json_parse_file (config, "config.json", &err);
  assert_non_null (spec);
  x.process_template_json = ferry_json_to_string (ferry_json_get_object (spec, "process"), 0);
  x.keep_stdin = 1;
  x.args = script;
  {
    cleanup_json json_object *process = ferry_runtime_exec_process (&x, &err);
    const char *text;

    assert_non_null (process);
    text = ferry_json_to_string (process, 0);
    write_text (spec_path, text, 0600);
  }
  assert_int_equal (ferry_mkdir_p (session, 0700, &err), 0);
  eo.runtime = &f->rt;
  eo.container_id = f->id;
  eo.session_id = "0123456789abcdef";
  eo.name = "test";
  eo.session_dir = session;
  eo.process_spec = spec_path;
  eo.socket_dir = f->socket_dir;
  eo.stdin_open = 1;
  eo.attach = 1;
  if (ferry_conmon_exec (&eo, &started, &err) < 0)
    fail_msg ("ferry_conmon_exec: %s", err->msg);
  assert_true (started.pid > 0);
  assert_true (started.conmon_pid > 0 && process_is_alive (started.conmon_pid));
  assert_true (started.attach_fd >= 0);

  assert_int_equal (pipe2 (in, O_CLOEXEC), 0);
  assert_int_equal (pipe2 (out, O_CLOEXEC), 0);
  assert_int_equal (write (in[1], "hello\n", 6), 6);
  close (in[1]);
  if (ferry_conmon_attach_stream (
          started.attach_fd,
          &(struct ferry_attach_io){ .in_fd = in[0], .out_fd = out[1], .err_fd = -1, .signal_fd = -1 }, &err)
      < 0)
    fail_msg ("stream: %s", err->msg);
  close (in[0]);
  close (out[1]);
  n = read (out[0], buf, sizeof (buf) - 1);
  assert_true (n >= 0);
  buf[n] = '\0';
  /* Nothing lost: attached before the process ran.  */
  assert_string_equal (buf, "out\ngot:hello\n");
  close (out[0]);
  assert_int_equal (ferry_conmon_exec_wait (started.sync_fd, &code, &err), 0);
  assert_int_equal (code, 5);
  {
    cleanup_free char *exit_path = ferry_conmon_exec_exit_path (session, f->id);
    cleanup_free char *text = wait_for_file (exit_path);

    assert_non_null (text);
    assert_int_equal (atoi (text), 5);
  }
  close (started.attach_fd);
  close (started.sync_fd);
  assert_true (wait_process_gone (started.conmon_pid));

  /* A command that is not there: the runtime's error and its kind.  */
  x.args = nosuch;
  {
    cleanup_json json_object *process = ferry_runtime_exec_process (&x, &err);

    assert_non_null (process);
    write_text (spec_path, ferry_json_to_string (process, 0), 0600);
  }
  eo.session_id = "fedcba9876543210";
  eo.attach = 0;
  assert_true (ferry_conmon_exec (&eo, &started, &err) < 0);
  assert_int_equal (err->kind, FERRY_ERROR_COMMAND_NOT_FOUND);
  assert_non_null (strstr (err->msg, "nosuchcmd"));
}

/* CRIU's errors, one line: its time stamps gone, its rlimit complaint
 * (not a cause) left out.  */
static void
test_criu_log_errors (void **state)
{
  char path[] = "/tmp/ferry-test-criu-log-XXXXXX";
  int fd = mkstemp (path);
  const char *log = "(00.000100) Version: 4.2\n"
                    "(00.000200) Error (criu/util.c:1534): rlimit: Can't setup RLIMIT_NOFILE for self: "
                    "Operation not permitted\n"
                    "(00.010000) Error (criu/bfd.c:131): bfd: Error flushing image: No space left on device\n"
                    "(00.020000) Error (criu/cr-dump.c:1975): Dumping FAILED.\n";
  cleanup_free char *errors = NULL;

  (void) state;
  assert_true (fd >= 0);
  assert_int_equal (ferry_write_all (fd, log, strlen (log)), 0);
  close (fd);
  errors = ferry_runtime_criu_log_errors (path);
  unlink (path);
  assert_string_equal (errors, "Error (criu/bfd.c:131): bfd: Error flushing image: No space left on device; "
                               "Error (criu/cr-dump.c:1975): Dumping FAILED.");
}

/* This machine's hybrid layout: a tmpfs at /sys/fs/cgroup, v1 hierarchies
 * below it (one of them named, one of two controllers), an empty cgroup2,
 * and a cgroup mount elsewhere that runc does not bind into containers.  */
static const char HYBRID_MOUNTINFO[]
    = "23 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
      "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
      "50 1 0:32 / /mnt/memory rw,relatime - cgroup cgroup rw,memory\n";

static void
test_cgroup_v1_mount_map_hybrid (void **state)
{
  cleanup_free char *lines = ferry_cgroup_v1_mount_map (HYBRID_MOUNTINFO, "/ferry/ab12-c0ffee", NULL);

  (void) state;
  assert_non_null (lines);
  assert_string_equal (
      lines, "ext-mount-map \"/sys/fs/cgroup/cpu,cpuacct:/sys/fs/cgroup/cpu,cpuacct/ferry/ab12-c0ffee\"\n"
             "ext-mount-map \"/sys/fs/cgroup/memory:/sys/fs/cgroup/memory/ferry/ab12-c0ffee\"\n"
             "ext-mount-map \"/sys/fs/cgroup/systemd:/sys/fs/cgroup/systemd/ferry/ab12-c0ffee\"\n");
}

static void
test_cgroup_v1_mount_map_v2_alone (void **state)
{
  cleanup_free char *lines = ferry_cgroup_v1_mount_map (
      "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", "/ferry/x", NULL);

  (void) state;
  assert_string_equal (lines, "");
}

/* A hierarchy mounted from below its root (ferry itself in a container):
 * runc still makes the cgroup right below the mount point.  */
static void
test_cgroup_v1_mount_map_nested_root (void **state)
{
  static const char mountinfo[] = "35 31 0:32 /outer /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
  cleanup_free char *lines = ferry_cgroup_v1_mount_map (mountinfo, "/ferry/x", NULL);

  (void) state;
  assert_string_equal (lines, "ext-mount-map \"/sys/fs/cgroup/memory:/sys/fs/cgroup/memory/ferry/x\"\n");
}

/* --systemd binds the whole name=systemd hierarchy over the container's
 * cgroup there: that directory is named for the mount.  */
static void
test_cgroup_v1_mount_map_bind_over (void **state)
{
  cleanup_json json_object *spec = json_tokener_parse (
      "{\"mounts\": [{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\"},"
      " {\"destination\": \"/sys/fs/cgroup/systemd\", \"type\": \"tmpfs\", \"source\": \"tmpfs\"},"
      " {\"destination\": \"/sys/fs/cgroup/systemd\", \"type\": \"bind\", \"source\": "
      "\"/sys/fs/cgroup/systemd\"},"
      " {\"destination\": \"/sys/fs/cgroup/memory\", \"options\": [\"rbind\", \"ro\"], \"source\": "
      "\"/srv/m\"}]}");
  cleanup_free char *lines = ferry_cgroup_v1_mount_map (HYBRID_MOUNTINFO, "/ferry/ab12-c0ffee", spec);

  (void) state;
  assert_string_equal (
      lines, "ext-mount-map \"/sys/fs/cgroup/cpu,cpuacct:/sys/fs/cgroup/cpu,cpuacct/ferry/ab12-c0ffee\"\n"
             "ext-mount-map \"/sys/fs/cgroup/memory:/srv/m\"\n"
             "ext-mount-map \"/sys/fs/cgroup/systemd:/sys/fs/cgroup/systemd\"\n");
}

/* A container's cgroup in every hierarchy under /sys/fs/cgroup, v2's
 * too; not the same hierarchy mounted elsewhere, not the tmpfs.  */
static void
test_cgroup_dirs (void **state)
{
  cleanup_strv char **dirs = ferry_cgroup_dirs (HYBRID_MOUNTINFO, "/ferry/ab12-c0ffee");
  cleanup_strv char **nested = ferry_cgroup_dirs (
      "35 31 0:32 /outer /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", "/ferry/x");

  (void) state;
  assert_non_null (dirs[3]);
  assert_string_equal (dirs[0], "/sys/fs/cgroup/cpu,cpuacct/ferry/ab12-c0ffee");
  assert_string_equal (dirs[1], "/sys/fs/cgroup/memory/ferry/ab12-c0ffee");
  assert_string_equal (dirs[2], "/sys/fs/cgroup/systemd/ferry/ab12-c0ffee");
  assert_string_equal (dirs[3], "/sys/fs/cgroup/unified/ferry/ab12-c0ffee");
  assert_null (dirs[4]);
  assert_string_equal (nested[0], "/sys/fs/cgroup/memory/ferry/x");
  assert_null (nested[1]);
}

/* Never a parent, and never a path that leads anywhere else.  */
static void
test_cgroup_dirs_refuses_parents (void **state)
{
  static const char *const bad[]
      = { "/ferry", "/", "", "ferry/x", "/ferry/..", "/ferry/../x", "/ferry/./x", "/ferry/x/", NULL };

  (void) state;
  for (size_t i = 0; bad[i]; i++)
    {
      cleanup_strv char **dirs = ferry_cgroup_dirs (HYBRID_MOUNTINFO, bad[i]);

      assert_null (dirs[0]);
    }
  {
    cleanup_strv char **dirs = ferry_cgroup_dirs (HYBRID_MOUNTINFO, NULL);

    assert_null (dirs[0]);
  }
}

static void
test_cgroup_v1_mount_map_refuses_quote (void **state)
{
  (void) state;
  assert_null (ferry_cgroup_v1_mount_map (HYBRID_MOUNTINFO, "/a\"b/x", NULL));
  assert_null (ferry_cgroup_v1_mount_map (HYBRID_MOUNTINFO, "/a\\b/x", NULL));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_cgroup_v1_mount_map_hybrid),
    cmocka_unit_test (test_cgroup_v1_mount_map_v2_alone),
    cmocka_unit_test (test_cgroup_v1_mount_map_nested_root),
    cmocka_unit_test (test_cgroup_v1_mount_map_bind_over),
    cmocka_unit_test (test_cgroup_v1_mount_map_refuses_quote),
    cmocka_unit_test (test_cgroup_dirs),
    cmocka_unit_test (test_cgroup_dirs_refuses_parents),
    cmocka_unit_test_setup_teardown (test_runtime_init_finds_runc, setup, teardown),
    cmocka_unit_test_setup_teardown (test_runtime_init_rejects_unknown, setup, teardown),
    cmocka_unit_test_setup_teardown (test_runtime_init_by_name_and_path, setup, teardown),
    cmocka_unit_test (test_classify_exec_error),
    cmocka_unit_test (test_criu_log_errors),
    cmocka_unit_test (test_conmon_attach_path),
    cmocka_unit_test (test_detach_keys_parse),
    cmocka_unit_test (test_attach_detach_keys),
    cmocka_unit_test_setup_teardown (test_conmon_read_exit, setup, teardown),
    cmocka_unit_test_setup_teardown (test_conmon_attach_stdio_exit_log, setup, teardown),
    cmocka_unit_test_setup_teardown (test_conmon_attach_long_socket_path, setup, teardown),
    cmocka_unit_test_setup_teardown (test_conmon_does_not_hold_callers_stdio, setup, teardown),
    cmocka_unit_test_setup_teardown (test_conmon_attach_unknown_container, setup, teardown),
    cmocka_unit_test_setup_teardown (test_runtime_lifecycle, setup, teardown),
    cmocka_unit_test_setup_teardown (test_runtime_delete_force_running, setup, teardown),
    cmocka_unit_test_setup_teardown (test_runtime_exec, setup, teardown),
    cmocka_unit_test_setup_teardown (test_conmon_create_missing_command, setup, teardown),
    cmocka_unit_test_setup_teardown (test_conmon_create_command_not_in_path, setup, teardown),
    cmocka_unit_test_setup_teardown (test_conmon_create_bad_bundle, setup, teardown),
    cmocka_unit_test_setup_teardown (test_conmon_fails_without_reply, setup, teardown),
    cmocka_unit_test_setup_teardown (test_conmon_restore, setup, teardown),
    cmocka_unit_test_setup_teardown (test_conmon_exec_session, setup, teardown),
  };

  if (geteuid () != 0 || access ("/bin/busybox", X_OK) != 0)
    {
      fprintf (stderr, "test_runtime needs root and /bin/busybox\n");
      return 77;
    }
  /* conmon daemonises; as subreaper this process inherits and reaps it.  */
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  return cmocka_run_group_tests (tests, NULL, NULL);
}
