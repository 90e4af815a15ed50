/* ferry: reaching ferry on another host through ssh (ssh.h).  */
#include "ssh.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"

#include "../util/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void
ferry_ssh_dest_release (struct ferry_ssh_dest *d)
{
  free (d->user);
  free (d->host);
  free (d->port);
  free (d->identity);
  memset (d, 0, sizeof (*d));
}

int
ferry_ssh_dest_parse (const char *s, struct ferry_ssh_dest *d, ferry_error_t *err)
{
  static const char hint[] = ": use ssh://[USER@]HOST[:PORT]";
  const char *p, *at, *host_end, *colon;
  size_t n;

  memset (d, 0, sizeof (*d));
  if (strncmp (s, "ssh://", 6) != 0)
    return ferry_make_error (err, 0, "invalid destination `%s`%s", s, hint);
  p = s + 6;
  at = strchr (p, '@');
  if (at)
    {
      n = (size_t) (at - p);
      if (n == 0 || n > 32 || p[0] == '-'
          || strspn (p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
        return ferry_make_error (err, 0, "invalid user in destination `%s`%s", s, hint);
      d->user = xstrndup (p, n);
      p = at + 1;
    }
  if (*p == '[')
    {
      host_end = strchr (p, ']');
      n = host_end ? (size_t) (host_end - p - 1) : 0;
      if (n == 0 || strspn (p + 1, "0123456789abcdefABCDEF:.") != n)
        goto bad_host;
      d->host = xstrndup (p + 1, n);
      colon = host_end[1] == ':' ? host_end + 1 : NULL;
      if (host_end[1] && ! colon)
        goto bad_host;
    }
  else
    {
      n = strcspn (p, ":");
      if (n == 0 || n > 253 || p[0] == '-' || p[0] == '.'
          || strspn (p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != n)
        goto bad_host;
      d->host = xstrndup (p, n);
      colon = p[n] == ':' ? p + n : NULL;
    }
  if (colon)
    {
      char *end;
      long port;

      errno = 0;
      port = strtol (colon + 1, &end, 10);
      if (! isdigit ((unsigned char) colon[1]) || *end || errno || port < 1 || port > 65535)
        {
          ferry_ssh_dest_release (d);
          return ferry_make_error (err, 0, "invalid port in destination `%s`%s", s, hint);
        }
      d->port = xasprintf ("%ld", port);
    }
  return 0;

bad_host:
  ferry_ssh_dest_release (d);
  return ferry_make_error (err, 0, "invalid host in destination `%s`%s", s, hint);
}

/* WORD quoted for the remote user's shell, which ssh hands the command to.  */
static void
append_quoted (char **cmd, const char *word)
{
  size_t len = strlen (*cmd);
  size_t i;

  *cmd = xrealloc (*cmd, len + 4 * strlen (word) + 4);
  (*cmd)[len++] = ' ';
  (*cmd)[len++] = '\'';
  for (i = 0; word[i]; i++)
    {
      if (word[i] == '\'')
        {
          memcpy (*cmd + len, "'\\''", 4);
          len += 4;
          continue;
        }
      (*cmd)[len++] = word[i];
    }
  (*cmd)[len++] = '\'';
  (*cmd)[len] = '\0';
}

char *
ferry_ssh_ferry_command (const char *dest_root, const char *dest_runroot, const char *const *args)
{
  char *cmd = xstrdup ("ferry");

  if (dest_root)
    {
      append_quoted (&cmd, "--root");
      append_quoted (&cmd, dest_root);
    }
  if (dest_runroot)
    {
      append_quoted (&cmd, "--runroot");
      append_quoted (&cmd, dest_runroot);
    }
  for (; *args; args++)
    append_quoted (&cmd, *args);
  return cmd;
}

char **
ferry_ssh_argv (const struct ferry_ssh_dest *d, const char *const *options, const char *command)
{
  const char *env = getenv ("FERRY_SSH_COMMAND");
  cleanup_free char *words = xstrdup (env && *env ? env : "ssh");
  char **v = xmalloc0 (sizeof (char *));
  char *save = NULL, *w;
  size_t n = 0;

  for (w = strtok_r (words, " \t", &save); w; w = strtok_r (NULL, " \t", &save))
    ferry_strv_push (&v, &n, xstrdup (w));
  if (n == 0)
    ferry_strv_push (&v, &n, xstrdup ("ssh"));
  for (; *options; options++)
    ferry_strv_push (&v, &n, xstrdup (*options));
  if (d->identity)
    {
      ferry_strv_push (&v, &n, xstrdup ("-i"));
      ferry_strv_push (&v, &n, xstrdup (d->identity));
    }
  if (d->port)
    {
      ferry_strv_push (&v, &n, xstrdup ("-p"));
      ferry_strv_push (&v, &n, xstrdup (d->port));
    }
  if (d->user)
    {
      ferry_strv_push (&v, &n, xstrdup ("-l"));
      ferry_strv_push (&v, &n, xstrdup (d->user));
    }
  ferry_strv_push (&v, &n, xstrdup (d->host));
  ferry_strv_push (&v, &n, xstrdup (command));
  return v;
}

/* ---- a running ssh ---------------------------------------------------------- */

static void *
stderr_main (void *arg)
{
  struct ferry_ssh_link *l = arg;
  char buf[1024];
  ssize_t n;

  while ((n = read (l->err, buf, sizeof (buf))) > 0 || (n < 0 && errno == EINTR))
    {
      if (n < 0)
        continue;
      /* BUF is smaller than the tail kept.  */
      pthread_mutex_lock (&l->err_lock);
      if (l->elen + (size_t) n > sizeof (l->etail))
        {
          size_t drop = l->elen + (size_t) n - sizeof (l->etail);
          memmove (l->etail, l->etail + drop, l->elen - drop);
          l->elen -= drop;
        }
      memcpy (l->etail + l->elen, buf, (size_t) n);
      l->elen += (size_t) n;
      pthread_mutex_unlock (&l->err_lock);
    }
  return NULL;
}

char *
ferry_ssh_link_stderr_line (struct ferry_ssh_link *l)
{
  char *text, *line = NULL, *save = NULL, *it;

  pthread_mutex_lock (&l->err_lock);
  text = xstrndup (l->etail, l->elen);
  pthread_mutex_unlock (&l->err_lock);
  for (it = strtok_r (text, "\r\n", &save); it; it = strtok_r (NULL, "\r\n", &save))
    if (*it)
      line = it;
  if (line && strncmp (line, "Error: ", 7) == 0)
    line += 7;
  line = line ? xstrdup (line) : NULL;
  free (text);
  return line;
}

int
ferry_ssh_link_start (struct ferry_ssh_link *l, char **argv, int in_fd, int out_fd, ferry_error_t *err)
{
  int in[2] = { -1, -1 }, out[2] = { -1, -1 }, er[2] = { -1, -1 };
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t defaults;
  int r;

  memset (l, 0, sizeof (*l));
  l->in = l->out = l->err = -1;
  pthread_mutex_init (&l->err_lock, NULL);
  if ((in_fd < 0 && pipe2 (in, O_CLOEXEC) < 0) || (out_fd < 0 && pipe2 (out, O_CLOEXEC) < 0)
      || pipe2 (er, O_CLOEXEC) < 0)
    {
      r = errno;
      goto fail;
    }
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, in_fd >= 0 ? in_fd : in[0], 0);
  posix_spawn_file_actions_adddup2 (&fa, out_fd >= 0 ? out_fd : out[1], 1);
  posix_spawn_file_actions_adddup2 (&fa, er[1], 2);
  posix_spawnattr_init (&attr);
  /* ferry ignores SIGPIPE; ssh gets the default.  */
  sigemptyset (&defaults);
  sigaddset (&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault (&attr, &defaults);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGDEF);
  r = posix_spawnp (&l->pid, argv[0], &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  posix_spawnattr_destroy (&attr);
  if (r != 0)
    goto fail;
  if (in[0] >= 0)
    close (in[0]);
  if (out[1] >= 0)
    close (out[1]);
  close (er[1]);
  l->in = in[1];
  l->out = out[0];
  l->err = er[0];
  if (pthread_create (&l->err_thread, NULL, stderr_main, l) == 0)
    l->err_thread_started = 1;
  return 0;

fail:
  for (int i = 0; i < 2; i++)
    {
      if (in[i] >= 0)
        close (in[i]);
      if (out[i] >= 0)
        close (out[i]);
      if (er[i] >= 0)
        close (er[i]);
    }
  l->pid = 0;
  return ferry_make_error (err, r, "cannot run `%s`", argv[0]);
}

int
ferry_ssh_link_finish (struct ferry_ssh_link *l, long long timeout_ms)
{
  long long deadline = ferry_time_monotonic_ms () + timeout_ms;
  int status = -1;

  if (l->finished)
    return -1;
  l->finished = 1;
  if (l->in >= 0)
    close (l->in);
  l->in = -1;
  if (l->pid > 0)
    {
      while (waitpid (l->pid, &status, WNOHANG) == 0)
        {
          if (ferry_time_monotonic_ms () > deadline)
            {
              kill (l->pid, SIGKILL);
              waitpid (l->pid, &status, 0);
              break;
            }
          usleep (10000);
        }
      l->pid = 0;
    }
  if (l->out >= 0)
    close (l->out);
  l->out = -1;
  if (l->err_thread_started)
    pthread_join (l->err_thread, NULL);
  l->err_thread_started = 0;
  if (l->err >= 0)
    close (l->err);
  l->err = -1;
  return status;
}

char *
ferry_ssh_link_read_line (struct ferry_ssh_link *l, long long timeout_ms)
{
  long long deadline = ferry_time_monotonic_ms () + timeout_ms;

  for (;;)
    {
      char *nl = memchr (l->obuf, '\n', l->olen);
      struct pollfd pfd = { .fd = l->out, .events = POLLIN };
      long long left;
      ssize_t n;

      if (nl)
        {
          char *line = xstrndup (l->obuf, (size_t) (nl - l->obuf));
          l->olen -= (size_t) (nl + 1 - l->obuf);
          memmove (l->obuf, nl + 1, l->olen);
          return line;
        }
      if (l->olen == sizeof (l->obuf))
        {
          errno = EPROTO;
          return NULL;
        }
      if (l->out < 0)
        {
          errno = EPIPE;
          return NULL;
        }
      left = deadline - ferry_time_monotonic_ms ();
      if (left <= 0)
        {
          errno = ETIMEDOUT;
          return NULL;
        }
      if (poll (&pfd, 1, (int) (left > 1000 ? 1000 : left)) <= 0)
        continue;
      n = read (l->out, l->obuf + l->olen, sizeof (l->obuf) - l->olen);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          errno = n == 0 ? EPIPE : errno;
          return NULL;
        }
      l->olen += (size_t) n;
    }
}
