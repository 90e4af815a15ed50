/* ferry: a byte relay between two connected sockets.  */
#include "relay.h"
#include "fs.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* Pages go through in runs of up to 4 MiB (CRIU's largest transfer):
 * a buffer of 1 MiB a way keeps the copies few.  */
#define RELAY_BUFFER (1u << 20)

struct ferry_relay
{
  int fd[2];
  int wake[2]; /* a byte here ends the relay */
  pthread_t thread;
  int failed;
  uint64_t bytes;
};

/* Moves what FROM has to TO: 1 when it moved some, 0 at FROM's end (TO's
 * writing is shut down), -1 when either failed.  */
static int
relay_move (struct ferry_relay *r, int from, int to, char *buf)
{
  ssize_t n;

  do
    n = read (from, buf, RELAY_BUFFER);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  if (n == 0)
    {
      shutdown (to, SHUT_WR);
      return 0;
    }
  if (ferry_write_all (to, buf, (size_t) n) < 0)
    return -1;
  __atomic_add_fetch (&r->bytes, (uint64_t) n, __ATOMIC_RELAXED);
  return 1;
}

static void *
relay_main (void *arg)
{
  struct ferry_relay *r = arg;
  char *buf = xmalloc (RELAY_BUFFER);
  int open_ways[2] = { 1, 1 }; /* fd[0] to fd[1], fd[1] to fd[0] */

  while (open_ways[0] || open_ways[1])
    {
      struct pollfd p[3] = { { .fd = open_ways[0] ? r->fd[0] : -1, .events = POLLIN },
                             { .fd = open_ways[1] ? r->fd[1] : -1, .events = POLLIN },
                             { .fd = r->wake[0], .events = POLLIN } };
      int i;

      if (poll (p, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          r->failed = 1;
          break;
        }
      if (p[2].revents)
        {
          r->failed = 1;
          break;
        }
      for (i = 0; i < 2; i++)
        if (p[i].revents)
          {
            int moved = relay_move (r, r->fd[i], r->fd[1 - i], buf);

            if (moved < 0)
              {
                r->failed = 1;
                open_ways[0] = open_ways[1] = 0;
                break;
              }
            if (moved == 0)
              open_ways[i] = 0;
          }
    }
  /* Either end sees the other go.  */
  shutdown (r->fd[0], SHUT_RDWR);
  shutdown (r->fd[1], SHUT_RDWR);
  free (buf);
  return NULL;
}

ferry_relay_t *
ferry_relay_start (int a, int b, ferry_error_t *err)
{
  struct ferry_relay *r = xmalloc0 (sizeof (*r));

  r->fd[0] = a;
  r->fd[1] = b;
  if (pipe2 (r->wake, O_CLOEXEC) < 0)
    {
      ferry_make_error (err, errno, "cannot make a pipe");
      goto fail;
    }
  if (pthread_create (&r->thread, NULL, relay_main, r) != 0)
    {
      ferry_make_error (err, errno, "cannot start a thread");
      close (r->wake[0]);
      close (r->wake[1]);
      goto fail;
    }
  return r;

fail:
  close (a);
  close (b);
  free (r);
  return NULL;
}

int
ferry_relay_finish (ferry_relay_t *r, int abort)
{
  int ret;

  if (r == NULL)
    return 0;
  if (abort)
    {
      /* A write that waits on a stalled end returns too.  */
      ferry_write_all (r->wake[1], "x", 1);
      shutdown (r->fd[0], SHUT_RDWR);
      shutdown (r->fd[1], SHUT_RDWR);
    }
  pthread_join (r->thread, NULL);
  ret = r->failed ? -1 : 0;
  close (r->fd[0]);
  close (r->fd[1]);
  close (r->wake[0]);
  close (r->wake[1]);
  free (r);
  return ret;
}

uint64_t
ferry_relay_bytes (const ferry_relay_t *r)
{
  return r ? __atomic_load_n (&r->bytes, __ATOMIC_RELAXED) : 0;
}
