/* ferry: external credential helpers (see credential_helper.h).  */
#include "credential_helper.h"
#include "registry.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The helpers' own words for "nothing kept for that server".  */
#define NOT_FOUND "credentials not found in native keychain"

int
ferry_credential_helper_name_valid (const char *name)
{
  if (*name == '\0' || *name == '.' || strlen (name) > 128)
    return 0;
  for (const char *p = name; *p; p++)
    if (! ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.'
           || *p == '_' || *p == '-'))
      return 0;
  return 1;
}

/* docker-credential-HELPER on $PATH, as exec.LookPath finds it; NULL when
 * there is none.  */
static char *
find_program (const char *program)
{
  const char *path = getenv ("PATH");
  cleanup_free char *dirs = xstrdup (path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
  char *save = NULL;

  for (char *dir = strtok_r (dirs, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char *candidate = xasprintf ("%s/%s", dir, program);
      struct stat st;

      if (*dir == '/' && stat (candidate, &st) == 0 && S_ISREG (st.st_mode) && access (candidate, X_OK) == 0)
        return candidate;
      free (candidate);
    }
  return NULL;
}

static long long
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What one run of a helper came to.  WHY is NULL when it exited 0, else
 * what went wrong in Go's words ("exit status 1"); OUT is its standard
 * output either way.  */
struct helper_run
{
  char *why;
  char *out;
  size_t len;
};

static void
helper_run_release (struct helper_run *r)
{
  free (r->why);
  if (r->out)
    explicit_bzero (r->out, r->len);
  free (r->out);
  memset (r, 0, sizeof (*r));
}

static void
child_exec (const char *path, const char *program, const char *action, int in, int out)
{
  char *argv[] = { (char *) program, (char *) action, NULL };
  int null = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  sigset_t all;

  if (dup2 (in, 0) < 0 || dup2 (out, 1) < 0 || (null >= 0 && dup2 (null, 2) < 0))
    _exit (127);
  signal (SIGPIPE, SIG_DFL);
  sigemptyset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);
  execve (path, argv, environ);
  _exit (127);
}

/* Whether PID has exited, left to be reaped.  */
static int
has_exited (pid_t pid)
{
  siginfo_t info = { 0 };

  return waitid (P_PID, (id_t) pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

/* Feeds INPUT to the helper PID on IN and reads its output from OUT until
 * it closes it, at most the output bound and until DEADLINE.  Once the
 * helper has exited, what it wrote is read and no more is waited for: a
 * child it left behind (an agent it started) may hold the pipe open.  */
static void
exchange (pid_t pid, int in, int out, const char *input, long long deadline, struct helper_run *r)
{
  size_t sent = 0, want = input ? strlen (input) : 0;
  int exited = 0;
  char buf[4096];

  if (want == 0)
    {
      close (in);
      in = -1;
    }
  while (out >= 0)
    {
      struct pollfd p[2] = { { .fd = out, .events = POLLIN }, { .fd = in, .events = POLLOUT } };
      long long left = deadline - now_ms ();
      ssize_t n;

      if (left <= 0)
        {
          r->why = xasprintf ("timed out after %d s", FERRY_CREDENTIAL_HELPER_TIMEOUT_MS / 1000);
          break;
        }
      /* A tenth of a second at a time, to see the helper exit.  */
      n = poll (p, in >= 0 ? 2 : 1, exited ? 0 : left < 100 ? (int) left : 100);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          r->why = xasprintf ("poll: %s", strerror (errno));
          break;
        }
      if (n == 0)
        {
          /* Its output was all in the pipe when it exited.  */
          if (exited)
            break;
          exited = has_exited (pid);
          continue;
        }
      if (in >= 0 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP)))
        {
          n = send (in, input + sent, want - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
          if (n > 0)
            sent += (size_t) n;
          if (n < 0 ? errno != EAGAIN && errno != EINTR : sent == want)
            {
              close (in);
              in = -1;
            }
        }
      if (p[0].revents & (POLLIN | POLLERR | POLLHUP))
        {
          n = read (out, buf, sizeof (buf));
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          if (r->len + (size_t) n > FERRY_CREDENTIAL_HELPER_MAX_OUTPUT)
            {
              r->why = xasprintf ("printed more than %d KiB", FERRY_CREDENTIAL_HELPER_MAX_OUTPUT / 1024);
              break;
            }
          r->out = xrealloc (r->out, r->len + (size_t) n + 1);
          memcpy (r->out + r->len, buf, (size_t) n);
          r->len += (size_t) n;
          r->out[r->len] = '\0';
        }
    }
  explicit_bzero (buf, sizeof (buf));
  if (in >= 0)
    close (in);
}

/* Waits for PID until DEADLINE (then kills it): "exit status N" or
 * "signal: N" when it did not exit 0, else NULL.  */
static char *
reap (pid_t pid, long long deadline, int kill_now)
{
  int status = 0;

  for (;;)
    {
      pid_t w;

      if (kill_now || now_ms () >= deadline)
        {
          kill (pid, SIGKILL);
          while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
            ;
          return kill_now ? NULL
                          : xasprintf ("timed out after %d s", FERRY_CREDENTIAL_HELPER_TIMEOUT_MS / 1000);
        }
      w = waitpid (pid, &status, WNOHANG);
      if (w == pid)
        break;
      if (w < 0 && errno != EINTR)
        return xasprintf ("wait: %s", strerror (errno));
      usleep (2000);
    }
  if (WIFEXITED (status))
    return WEXITSTATUS (status) == 0 ? NULL : xasprintf ("exit status %d", WEXITSTATUS (status));
  return xasprintf ("signal: %s", strsignal (WTERMSIG (status)));
}

/* Runs docker-credential-HELPER ACTION with INPUT (or none) on its stdin.
 * -1 only when ferry itself cannot (no pipe, no fork); a helper that is
 * missing, fails or misbehaves is R->WHY.  */
static int
run_helper (const char *helper, const char *action, const char *input, struct helper_run *r,
            ferry_error_t *err)
{
  cleanup_free char *program = xasprintf ("docker-credential-%s", helper);
  cleanup_free char *path = NULL;
  long long deadline = now_ms () + FERRY_CREDENTIAL_HELPER_TIMEOUT_MS;
  int in[2], out[2];
  pid_t pid;

  memset (r, 0, sizeof (*r));
  if (! ferry_credential_helper_name_valid (helper))
    return ferry_make_error (err, 0, "invalid credential helper \"%s\"", helper);
  path = find_program (program);
  if (path == NULL)
    {
      r->why = xasprintf ("exec: \"%s\": executable file not found in $PATH", program);
      return 0;
    }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
    return ferry_make_error (err, errno, "credential helper %s: socketpair", helper);
  if (pipe2 (out, O_CLOEXEC) < 0)
    {
      close (in[0]);
      close (in[1]);
      return ferry_make_error (err, errno, "credential helper %s: pipe", helper);
    }
  pid = fork ();
  if (pid < 0)
    {
      close (in[0]), close (in[1]), close (out[0]), close (out[1]);
      return ferry_make_error (err, errno, "credential helper %s: fork", helper);
    }
  if (pid == 0)
    child_exec (path, program, action, in[1], out[1]);
  close (in[1]);
  close (out[1]);
  exchange (pid, in[0], out[0], input, deadline, r);
  close (out[0]);
  {
    char *why = reap (pid, deadline, r->why != NULL);

    if (r->why == NULL)
      r->why = why;
    else
      free (why);
  }
  return 0;
}

/* The helper's output for a message: printable, trimmed, one short line.  */
static char *
shown_output (const struct helper_run *r)
{
  cleanup_free char *text = xstrndup (r->out ? r->out : "", 256);
  size_t n = strlen (text);

  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' ' || text[n - 1] == '\r' || text[n - 1] == '\t'))
    text[--n] = '\0';
  return ferry_registry_printable (text + strspn (text, " \t\r\n"));
}

static int
is_not_found (const struct helper_run *r)
{
  cleanup_free char *shown = shown_output (r);

  return r->why && strcmp (shown, NOT_FOUND) == 0;
}

/* "error getting credentials - err: exit status 1, out: `...`", the
 * words of Docker's client, which Podman passes on.  */
static int
helper_fail (const struct helper_run *r, const char *doing, ferry_error_t *err)
{
  cleanup_free char *shown = shown_output (r);

  return ferry_make_error (err, 0, "error %s credentials - err: %s, out: `%s`", doing, r->why, shown);
}

int
ferry_credential_helper_get (const char *helper, const char *server, struct ferry_credentials *out,
                             ferry_error_t *err)
{
  struct helper_run r;
  cleanup_json json_object *doc = NULL;
  json_object *user = NULL, *secret = NULL;
  int ret;

  memset (out, 0, sizeof (*out));
  if (run_helper (helper, "get", server, &r, err) < 0)
    return -1;
  if (r.why)
    {
      ret = is_not_found (&r) ? 0 : helper_fail (&r, "getting", err);
      helper_run_release (&r);
      return ret;
    }
  ret = ferry_json_parse_nullable (r.out ? r.out : "", r.len, "credential helper output", &doc, err);
  helper_run_release (&r);
  if (ret < 0)
    return ferry_error_wrap (err, "credential helper %s get %s", helper, server);
  /* Go's decoder reads null as no credentials, and the next helper is
   * asked, as after "credentials not found".  */
  if (doc == NULL)
    return 0;
  if (! json_object_is_type (doc, json_type_object)
      || (json_object_object_get_ex (doc, "Username", &user)
          && ! json_object_is_type (user, json_type_string))
      || (json_object_object_get_ex (doc, "Secret", &secret)
          && ! json_object_is_type (secret, json_type_string)))
    return ferry_make_error (err, 0,
                             "credential helper %s get %s: the answer is not {\"Username\": \"...\", "
                             "\"Secret\": \"...\"}",
                             helper, server);
  if (user == NULL || secret == NULL || json_object_get_string_len (secret) == 0)
    return 0;
  /* "<token>" marks an identity token (an OAuth2 refresh token), which
   * containers/image sends to the token server in place of a password.  */
  if (strcmp (json_object_get_string (user), "<token>") == 0)
    {
      if (strlen (json_object_get_string (secret)) != (size_t) json_object_get_string_len (secret))
        return ferry_make_error (err, 0, "credential helper %s get %s: a secret ferry cannot send", helper,
                                 server);
      out->username = xstrdup ("");
      out->password = xstrdup ("");
      out->identity_token = xstrdup (json_object_get_string (secret));
      return 1;
    }
  if (strlen (json_object_get_string (user)) != (size_t) json_object_get_string_len (user)
      || strlen (json_object_get_string (secret)) != (size_t) json_object_get_string_len (secret)
      || strchr (json_object_get_string (user), ':'))
    return ferry_make_error (err, 0, "credential helper %s get %s: a user name or secret ferry cannot send",
                             helper, server);
  out->username = xstrdup (json_object_get_string (user));
  out->password = xstrdup (json_object_get_string (secret));
  return 1;
}

int
ferry_credential_helper_store (const char *helper, const char *server, const struct ferry_credentials *c,
                               ferry_error_t *err)
{
  cleanup_json json_object *doc = json_object_new_object ();
  cleanup_free char *text = NULL;
  struct helper_run r;
  int ret = 0;

  json_object_object_add (doc, "ServerURL", json_object_new_string (server));
  json_object_object_add (doc, "Username", json_object_new_string (c->username));
  json_object_object_add (doc, "Secret", json_object_new_string (c->password));
  text = xstrdup (
      json_object_to_json_string_ext (doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  if (run_helper (helper, "store", text, &r, err) < 0)
    ret = -1;
  else if (r.why)
    ret = helper_fail (&r, "storing", err);
  explicit_bzero (text, strlen (text));
  helper_run_release (&r);
  return ret;
}

int
ferry_credential_helper_erase (const char *helper, const char *server, ferry_error_t *err)
{
  struct helper_run r;
  int ret = 0;

  if (run_helper (helper, "erase", server, &r, err) < 0)
    return -1;
  if (r.why)
    ret = helper_fail (&r, "erasing", err);
  helper_run_release (&r);
  return ret;
}

int
ferry_credential_helper_list (const char *helper, char ***servers, ferry_error_t *err)
{
  cleanup_json json_object *doc = NULL;
  struct helper_run r;
  size_t n = 0;

  *servers = NULL;
  if (run_helper (helper, "list", NULL, &r, err) < 0)
    return -1;
  if (r.why)
    {
      helper_fail (&r, "listing", err);
      helper_run_release (&r);
      return -1;
    }
  if (ferry_json_parse_nullable (r.out ? r.out : "", r.len, "credential helper output", &doc, err) < 0)
    {
      helper_run_release (&r);
      return ferry_error_wrap (err, "credential helper %s list", helper);
    }
  helper_run_release (&r);
  /* null is an empty list to Go's decoder; any other value that is no
   * object is refused in its words.  */
  if (doc == NULL)
    {
      *servers = xmalloc0 (sizeof (char *));
      return 0;
    }
  if (! json_object_is_type (doc, json_type_object))
    return ferry_make_error (err, 0,
                             "json: cannot unmarshal %s into Go value of type map[string]string: credential "
                             "helper %s list: the answer is not {\"SERVER\": \"USER\", ...}",
                             ferry_json_go_kind (doc), helper);
  *servers = xmalloc0 ((json_object_object_length (doc) + 1) * sizeof (char *));
  json_object_object_foreach (doc, key, val)
  {
    if (! json_object_is_type (val, json_type_string))
      {
        ferry_cleanup_strvp (servers);
        *servers = NULL;
        return ferry_make_error (
            err, 0, "credential helper %s list: the answer is not {\"SERVER\": \"USER\", ...}", helper);
      }
    (*servers)[n++] = xstrdup (key);
  }
  return 0;
}
