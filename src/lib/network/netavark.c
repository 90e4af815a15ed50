#include "netavark.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/process.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

/* netavark's output is a few kilobytes; anything past this is not it.  */
#define OUTPUT_MAX (1024 * 1024)

/* nft and ip are in sbin, which a user's PATH may lack.  */
static const char NETAVARK_PATH[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct capture
{
  char *data;
  size_t len;
};

static void
capture_append (struct capture *c, const char *buf, size_t n)
{
  if (c->len + n > OUTPUT_MAX)
    n = OUTPUT_MAX - c->len;
  c->data = xrealloc (c->data, c->len + n + 1);
  memcpy (c->data + c->len, buf, n);
  c->len += n;
  c->data[c->len] = '\0';
}

/* Reads OUT and ERR until both end.  */
static void
collect (int out, int err, struct capture *o, struct capture *e)
{
  struct pollfd p[2] = { { out, POLLIN, 0 }, { err, POLLIN, 0 } };
  int open_fds = 2;

  o->data = xstrdup ("");
  e->data = xstrdup ("");
  while (open_fds > 0)
    {
      char buf[8192];
      int i;

      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return;
        }
      for (i = 0; i < 2; i++)
        {
          ssize_t n;

          if (p[i].fd < 0 || ! (p[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
          n = read (p[i].fd, buf, sizeof (buf));
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              p[i].fd = -1;
              open_fds--;
              continue;
            }
          capture_append (i == 0 ? o : e, buf, (size_t) n);
        }
    }
}

/* The message of a failed run: netavark prints {"error": "..."} on its
 * standard output, and logs on its standard error.  */
static char *
failure_message (const struct capture *o, const struct capture *e)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_json json_object *j
      = o->len ? ferry_json_parse (o->data, o->len, "netavark output", &ignored) : NULL;
  const char *msg = j ? ferry_json_get_string (j, "error") : NULL;
  char *text, *nl;

  if (msg == NULL)
    msg = e->len ? e->data : o->data;
  text = xstrdup (*msg ? msg : "no message");
  /* One line.  */
  for (nl = text; (nl = strchr (nl, '\n'));)
    *nl = nl[1] ? ' ' : '\0';
  return text;
}

/* The netavark running for this config dir, as "PID START-TIME" in
 * netavark.pid: a ferry killed while netavark works leaves it running,
 * and its lock released, so the next ferry would set up or tear down
 * beside it (a teardown racing the setup it undoes left aardvark-dns's
 * state behind).  */
static char *
pid_file (const struct ferry_netavark *n)
{
  return xasprintf ("%s/netavark.pid", n->config_dir);
}

static void
pid_file_write (const struct ferry_netavark *n, pid_t pid)
{
  struct ferry_process_info info;
  cleanup_free char *path = pid_file (n);
  cleanup_free char *text = NULL;
  int fd;

  if (ferry_process_info (pid, &info) < 0)
    return;
  text = xasprintf ("%d %llu\n", (int) pid, info.start_time);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return;
  ferry_write_all (fd, text, strlen (text));
  close (fd);
}

/* PID runs N's netavark binary (by its command name, which the kernel
 * cuts to 15 bytes).  A start time alone does not say so: a runroot that
 * is not a tmpfs keeps the file across a reboot, after which another
 * process can have both the number and the start time (in clock ticks
 * since boot).  */
static int
is_netavark (const struct ferry_netavark *n, pid_t pid)
{
  struct ferry_process_info info;
  const char *base = strrchr (n->binary, '/');

  base = base ? base + 1 : n->binary;
  return ferry_process_info (pid, &info) == 0 && strncmp (info.comm, base, 15) == 0
         && strlen (info.comm) == (strlen (base) < 15 ? strlen (base) : 15);
}

/* How long a netavark left running is waited for before going on.  */
#define ORPHAN_WAIT_MS 60000

void
ferry_netavark_wait_orphan (const struct ferry_netavark *n)
{
  cleanup_free char *path = pid_file (n);
  char buf[64] = "";
  unsigned long long start;
  ssize_t len;
  int pid, fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return;
  len = read (fd, buf, sizeof (buf) - 1);
  close (fd);
  if (len <= 0)
    return;
  buf[len] = '\0';
  if (sscanf (buf, "%d %llu", &pid, &start) != 2 || pid <= 1 || ! is_netavark (n, pid))
    return;
  for (int waited = 0; waited < ORPHAN_WAIT_MS && ferry_process_is_alive (pid, start); waited += 20)
    usleep (20 * 1000);
}

/* Runs netavark COMMAND with ARGS (up to 3, NULL-terminated), OPTIONS
 * (may be NULL) on its standard input.  */
static int
run_args (const struct ferry_netavark *n, const char *command, const char *const *args, json_object *options,
          struct capture *out, ferry_error_t *err)
{
  const char *text = options ? ferry_json_to_string (options, 0) : "";
  char *argv[] = { (char *) n->binary,
                   "--config",
                   (char *) n->config_dir,
                   "--firewall-driver",
                   "nftables",
                   "--rootless",
                   "false",
                   "--aardvark-binary",
                   (char *) n->aardvark,
                   (char *) command,
                   NULL,
                   NULL,
                   NULL,
                   NULL };
  char *envp[] = { (char *) NETAVARK_PATH, NULL };
  int in[2] = { -1, -1 }, o[2] = { -1, -1 }, e[2] = { -1, -1 };
  posix_spawn_file_actions_t fa;
  struct capture errs = { 0 };
  pid_t pid;
  int r, status = 0, lock = -1;

  for (size_t i = 0; i < 3 && args[i]; i++)
    argv[10 + i] = (char *) args[i];
  if (access (n->binary, X_OK) < 0)
    return ferry_make_error (err, errno,
                             "cannot run netavark `%s`: install it (Debian: apt-get install netavark, as "
                             "scripts/install-deps.sh does)",
                             n->binary);
  if (ferry_mkdir_p (n->config_dir, 0700, err) < 0)
    return -1;
  /* One netavark at a time, as Podman runs it: two at once race to start
   * aardvark-dns and to write its configuration.  */
  {
    cleanup_free char *path = xasprintf ("%s/netavark.lock", n->config_dir);
    lock = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lock < 0)
      return ferry_make_error (err, errno, "cannot open `%s`", path);
    while (flock (lock, LOCK_EX) < 0)
      if (errno != EINTR)
        {
          r = ferry_make_error (err, errno, "cannot lock `%s`", path);
          close (lock);
          return r;
        }
  }
  if (pipe2 (in, O_CLOEXEC) < 0 || pipe2 (o, O_CLOEXEC) < 0 || pipe2 (e, O_CLOEXEC) < 0)
    {
      r = ferry_make_error (err, errno, "cannot create pipes for netavark");
      goto out;
    }
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, in[0], 0);
  posix_spawn_file_actions_adddup2 (&fa, o[1], 1);
  posix_spawn_file_actions_adddup2 (&fa, e[1], 2);
  ferry_netavark_wait_orphan (n);
  r = posix_spawn (&pid, n->binary, &fa, NULL, argv, envp);
  posix_spawn_file_actions_destroy (&fa);
  if (r != 0)
    {
      r = ferry_make_error (err, r, "cannot run netavark `%s`", n->binary);
      goto out;
    }
  pid_file_write (n, pid);
  close (in[0]);
  close (o[1]);
  close (e[1]);
  in[0] = o[1] = e[1] = -1;
  /* Far less than a pipe holds: written whole before reading.  */
  {
    struct sigaction ign = { .sa_handler = SIG_IGN }, old;
    sigaction (SIGPIPE, &ign, &old);
    ferry_write_all (in[1], text, strlen (text));
    sigaction (SIGPIPE, &old, NULL);
  }
  close (in[1]);
  in[1] = -1;
  collect (o[0], e[0], out, &errs);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  {
    cleanup_free char *path = pid_file (n);
    unlink (path);
  }
  if (! WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      cleanup_free char *msg = failure_message (out, &errs);
      /* Podman's words for any of netavark's refusals.  */
      r = ferry_make_error (err, 0, "netavark: %s", msg);
      goto out;
    }
  r = 0;

out:
  for (int i = 0; i < 2; i++)
    {
      if (in[i] >= 0)
        close (in[i]);
      if (o[i] >= 0)
        close (o[i]);
      if (e[i] >= 0)
        close (e[i]);
    }
  free (errs.data);
  if (lock >= 0)
    close (lock);
  return r;
}

static int
run (const struct ferry_netavark *n, const char *command, const char *netns, json_object *options,
     struct capture *out, ferry_error_t *err)
{
  const char *args[] = { netns, NULL };

  return run_args (n, command, args, options, out, err);
}

int
ferry_netavark_update_dns (const struct ferry_netavark *n, const char *name, const char *servers,
                           ferry_error_t *err)
{
  const char *args[] = { "--network-dns-servers", servers, name, NULL };
  struct capture out = { 0 };
  int r = run_args (n, "update", args, NULL, &out, err);

  free (out.data);
  return r;
}

int
ferry_netavark_setup (const struct ferry_netavark *n, const char *netns, json_object *options,
                      json_object **status, ferry_error_t *err)
{
  struct capture out = { 0 };
  int r = run (n, "setup", netns, options, &out, err);

  *status = NULL;
  if (r == 0)
    {
      *status = ferry_json_parse (out.data, out.len, "netavark's status", err);
      if (*status == NULL)
        r = -1;
      else if (! json_object_is_type (*status, json_type_object))
        {
          json_object_put (*status);
          *status = NULL;
          r = ferry_make_error (err, 0, "netavark setup printed no status object");
        }
    }
  free (out.data);
  return r;
}

int
ferry_netavark_teardown (const struct ferry_netavark *n, const char *netns, json_object *options,
                         ferry_error_t *err)
{
  struct capture out = { 0 };
  int r = run (n, "teardown", netns, options, &out, err);

  free (out.data);
  return r;
}
