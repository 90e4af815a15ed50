/* ferry: reaching ferry on another host through the system's ssh client.
 *
 * `container migrate` and `image scp` run ferry on the other host as
 * `ssh [OPTIONS] [-p PORT] [-l USER] HOST 'ferry' 'ARG'...`, so the user's
 * keys, ~/.ssh/config and known_hosts apply; $FERRY_SSH_COMMAND (words split
 * at blanks) replaces "ssh".  */
#ifndef FERRY_ENGINE_SSH_H
#define FERRY_ENGINE_SSH_H

#include "../util/error.h"

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

struct ferry_ssh_dest
{
  char *user; /* may be NULL */
  char *host;
  char *port;     /* may be NULL */
  char *identity; /* ssh's -i: may be NULL */
};

/* ssh://[USER@]HOST[:PORT], HOST a name, an IPv4 address or [IPv6].
 * Nothing in it may look like an option to ssh.  */
int ferry_ssh_dest_parse (const char *s, struct ferry_ssh_dest *d, ferry_error_t *err);
void ferry_ssh_dest_release (struct ferry_ssh_dest *d);

/* "ferry [--root ROOT] [--runroot RUNROOT] ARGS...", each word quoted for
 * the remote user's shell (ROOT, RUNROOT may be NULL).  */
char *ferry_ssh_ferry_command (const char *root, const char *runroot, const char *const *args);

/* $FERRY_SSH_COMMAND (default "ssh"), OPTIONS, the destination and
 * COMMAND: NULL-terminated, for posix_spawn.  The user's options come
 * first, and for ssh the first value given wins.  */
char **ferry_ssh_argv (const struct ferry_ssh_dest *d, const char *const *options, const char *command);

/* A running ssh (or anything else): its standard input and output as
 * pipes of ours, unless given, and the tail of its standard error, read
 * on a thread of its own for messages.  */
struct ferry_ssh_link
{
  pid_t pid;
  int in;  /* its standard input, ours to write; -1 when given */
  int out; /* its standard output; -1 when given */
  char obuf[4096];
  size_t olen;
  int err;
  pthread_t err_thread;
  int err_thread_started;
  pthread_mutex_t err_lock;
  char etail[4096];
  size_t elen;
  int finished;
};

/* Runs ARGV with IN_FD as its standard input and OUT_FD as its standard
 * output, or a pipe of ours (l->in, l->out) where one is -1.  The given
 * descriptors stay the caller's.  */
int ferry_ssh_link_start (struct ferry_ssh_link *l, char **argv, int in_fd, int out_fd, ferry_error_t *err);

/* Closes our end of its input and waits for it to exit, up to
 * TIMEOUT_MS; then it is killed.  Returns its wait status.  */
int ferry_ssh_link_finish (struct ferry_ssh_link *l, long long timeout_ms);

/* The next line it wrote, without its newline, waiting up to TIMEOUT_MS.
 * NULL at its end, on a timeout (errno ETIMEDOUT) or on a line longer
 * than the buffer (EPROTO).  */
char *ferry_ssh_link_read_line (struct ferry_ssh_link *l, long long timeout_ms);

/* The last non-empty line it wrote on standard error, without ferry's
 * "Error: " prefix; NULL when none.  */
char *ferry_ssh_link_stderr_line (struct ferry_ssh_link *l);

#endif
