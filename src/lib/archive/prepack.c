#include "prepack.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREPACK_IO_SIZE (4 * 1024 * 1024)

struct ferry_prepack
{
  char *images_dir;
  char *prefix;
  ferry_archive_writer_t *w;
  int inotify_fd;
  pthread_t thread;
  bool thread_started;
  atomic_int dump_done;
  /* The file being streamed, and the names streamed or skipped so far.  */
  int current_fd;
  char *current;
  bool current_closed;
  char **seen;
  size_t n_seen;
  /* Pages images CRIU has closed, whichever was being read then.  */
  char **closed;
  size_t n_closed;
  ferry_error_t err;
  /* Two, used in turn: the writer hashes one while we read into the
   * other (ferry_archive_writer_stream_data).  */
  unsigned char *bufs[2];
  unsigned char *buf;
  int next_buf;
  /* pages-1.img ... pages-<n_fifos>.img made FIFOs before the dump, so
   * CRIU's pages flow straight into the archive without ever being stored
   * (see ferry_prepack_start).  fifo_fd[i] is our read end, -1 once its
   * entry is complete.  */
  size_t n_fifos;
  int *fifo_fd;
  struct pollfd *pfds; /* room to poll every FIFO and the inotify fd */
  bool current_is_fifo;
  size_t current_fifo;
};

static bool
is_pages_image (const char *name)
{
  size_t n = strlen (name);
  return strncmp (name, "pages-", 6) == 0 && n > 10 && strcmp (name + n - 4, ".img") == 0;
}

static bool
in_list (char *const *list, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (list[i], name) == 0)
      return true;
  return false;
}

static bool
was_seen (ferry_prepack_t *p, const char *name)
{
  return in_list (p->seen, p->n_seen, name);
}

/* CRIU numbers its page images: pages-2.img comes before pages-10.img.  */
static bool
comes_before (const char *a, const char *b)
{
  long na = strtol (a + 6, NULL, 10), nb = strtol (b + 6, NULL, 10);
  return na != nb ? na < nb : strcmp (a, b) < 0;
}

static char *
fifo_name (size_t i)
{
  return xasprintf ("pages-%zu.img", i + 1);
}

/* A FIFO CRIU has opened (data waits, or it came and went): stream it.  */
static int
open_next_fifo (ferry_prepack_t *p)
{
  struct pollfd *pfd = p->pfds;
  cleanup_free char *name = NULL, *entry = NULL;
  size_t i;

  for (i = 0; i < p->n_fifos; i++)
    pfd[i] = (struct pollfd){ .fd = p->fifo_fd[i], .events = POLLIN };
  if (poll (pfd, p->n_fifos, 0) <= 0)
    return 0;
  for (i = 0; i < p->n_fifos; i++)
    if (p->fifo_fd[i] >= 0 && (pfd[i].revents & (POLLIN | POLLHUP)))
      break;
  if (i == p->n_fifos)
    return 0;
  name = fifo_name (i);
  entry = xasprintf ("%s/%s", p->prefix, name);
  if (ferry_archive_writer_begin_stream (p->w, entry, &p->err) < 0)
    return -1;
  p->seen = xrealloc (p->seen, sizeof (char *) * (p->n_seen + 1));
  p->seen[p->n_seen++] = xstrdup (name);
  p->current = steal_pointer (&name);
  p->current_fd = p->fifo_fd[i];
  p->current_is_fifo = true;
  p->current_fifo = i;
  return 1;
}

/* Opens the next pages image CRIU has created, in name order.  */
static int
open_next (ferry_prepack_t *p)
{
  cleanup_dir DIR *d = NULL;
  cleanup_free char *best = NULL, *path = NULL, *entry = NULL;
  struct dirent *de;
  int r;

  if (p->n_fifos > 0 && (r = open_next_fifo (p)) != 0)
    return r;
  d = opendir (p->images_dir);
  if (d == NULL)
    return ferry_make_error (&p->err, errno, "cannot read `%s`", p->images_dir);
  while ((de = readdir (d)))
    if (is_pages_image (de->d_name) && ! was_seen (p, de->d_name) && de->d_type != DT_FIFO
        && (best == NULL || comes_before (de->d_name, best)))
      {
        free (best);
        best = xstrdup (de->d_name);
      }
  if (best == NULL)
    return 0;
  path = xasprintf ("%s/%s", p->images_dir, best);
  p->current_fd = open (path, O_RDONLY | O_CLOEXEC);
  if (p->current_fd < 0)
    return ferry_make_error (&p->err, errno, "cannot open `%s`", path);
  entry = xasprintf ("%s/%s", p->prefix, best);
  if (ferry_archive_writer_begin_stream (p->w, entry, &p->err) < 0)
    return -1;
  p->seen = xrealloc (p->seen, sizeof (char *) * (p->n_seen + 1));
  p->seen[p->n_seen++] = xstrdup (best);
  p->current_closed = in_list (p->closed, p->n_closed, best);
  p->current = steal_pointer (&best);
  return 1;
}

/* Streams what the current file has beyond what was taken.  Returns the
 * bytes taken, or -1.  */
static ssize_t
take (ferry_prepack_t *p)
{
  ssize_t total = 0;

  for (;;)
    {
      ssize_t n;

      p->buf = p->bufs[p->next_buf];
      n = read (p->current_fd, p->buf, PREPACK_IO_SIZE);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN && p->current_is_fifo)
        return total;
      if (n == 0 && p->current_is_fifo)
        {
          /* The writer closed it: complete.  */
          p->current_closed = true;
          return total;
        }
      if (n < 0)
        return ferry_make_error (&p->err, errno, "cannot read `%s`", p->current);
      if (n == 0)
        return total;
      if (ferry_archive_writer_stream_data (p->w, p->buf, n, &p->err) < 0)
        return -1;
      /* Killed here, ferry dies while CRIU is writing the pages.  */
      if (p->current_is_fifo)
        ferry_fault_point ("checkpoint-pages-streaming");
      p->next_buf ^= 1;
      total += n;
    }
}

static int
close_current (ferry_prepack_t *p)
{
  close (p->current_fd);
  if (p->current_is_fifo)
    p->fifo_fd[p->current_fifo] = -1;
  p->current_is_fifo = false;
  p->current_fd = -1;
  free (p->current);
  p->current = NULL;
  p->current_closed = false;
  return ferry_archive_writer_end_stream (p->w, &p->err);
}

/* Waits a little for CRIU to write more, noting which file it closed.  */
static void
wait_for_more (ferry_prepack_t *p)
{
  struct pollfd *pfd = p->pfds;
  char events[4096] __attribute__ ((aligned (__alignof__(struct inotify_event))));
  size_t i, n_fds = 1;
  ssize_t n;

  pfd[0] = (struct pollfd){ .fd = p->inotify_fd, .events = POLLIN };
  if (p->current_is_fifo)
    pfd[n_fds++] = (struct pollfd){ .fd = p->current_fd, .events = POLLIN };
  else if (p->current == NULL)
    for (i = 0; i < p->n_fifos; i++)
      if (p->fifo_fd[i] >= 0)
        pfd[n_fds++] = (struct pollfd){ .fd = p->fifo_fd[i], .events = POLLIN };
  if (poll (pfd, n_fds, 20) <= 0 || ! (pfd[0].revents & POLLIN))
    return;
  while ((n = read (p->inotify_fd, events, sizeof (events))) > 0)
    {
      char *it = events;
      while (it < events + n)
        {
          struct inotify_event *ev = (struct inotify_event *) it;
          if ((ev->mask & IN_CLOSE_WRITE) && ev->len && is_pages_image (ev->name))
            {
              if (p->current && strcmp (ev->name, p->current) == 0)
                p->current_closed = true;
              else if (! in_list (p->closed, p->n_closed, ev->name))
                {
                  p->closed = xrealloc (p->closed, sizeof (char *) * (p->n_closed + 1));
                  p->closed[p->n_closed++] = xstrdup (ev->name);
                }
            }
          it += sizeof (*ev) + ev->len;
        }
    }
}

/* After an error: CRIU must not block on a FIFO nobody reads, so read
 * and drop whatever it writes until the dump is over.  */
static void
drain_fifos (ferry_prepack_t *p)
{
  struct pollfd *pfd = p->pfds;
  size_t i;

  if (p->n_fifos == 0)
    return;
  for (;;)
    {
      bool done = atomic_load (&p->dump_done);
      size_t n_fds = 0;

      for (i = 0; i < p->n_fifos; i++)
        if (p->fifo_fd[i] >= 0)
          pfd[n_fds++] = (struct pollfd){ .fd = p->fifo_fd[i], .events = POLLIN };
      if (n_fds == 0)
        return;
      poll (pfd, n_fds, 20);
      for (i = 0; i < n_fds; i++)
        {
          ssize_t n;
          while ((n = read (pfd[i].fd, p->buf, PREPACK_IO_SIZE)) > 0)
            ;
          if (n == 0 && (pfd[i].revents & POLLHUP))
            for (size_t k = 0; k < p->n_fifos; k++)
              if (p->fifo_fd[k] == pfd[i].fd)
                {
                  /* Its writer is gone for good.  */
                  if (p->current_is_fifo && p->current_fifo == k)
                    p->current_fd = -1;
                  close (p->fifo_fd[k]);
                  p->fifo_fd[k] = -1;
                }
        }
      if (done)
        return;
    }
}

static void *prepack_main (ferry_prepack_t *p);

static void *
prepack_thread (void *arg)
{
  ferry_prepack_t *p = arg;

  prepack_main (p);
  if (p->err && p->current)
    /* A read failed in mid-entry: the writer may still hash one of our
     * buffers, which ferry_prepack_free frees.  */
    ferry_archive_writer_abort_stream (p->w);
  if (p->err)
    drain_fifos (p);
  return NULL;
}

static void *
prepack_main (ferry_prepack_t *p)
{
  for (;;)
    {
      /* Read before the pass: when set, this pass sees everything.  */
      bool done = atomic_load (&p->dump_done);
      bool closed;
      ssize_t got = 0;

      if (p->current == NULL)
        {
          int r = open_next (p);
          if (r < 0)
            return NULL;
          if (r == 0)
            {
              if (done)
                return NULL;
              wait_for_more (p);
              continue;
            }
        }
      /* Noted before reading: a close seen now means the read below gets
       * everything CRIU wrote.  */
      closed = p->current_closed;
      got = take (p);
      if (got < 0)
        return NULL;
      if (done || closed)
        {
          /* CRIU closed it before this pass read to its end: complete.  */
          if (close_current (p) < 0)
            return NULL;
          continue;
        }
      if (got == 0)
        wait_for_more (p);
    }
}

/* Makes pages-1.img ... FIFOs and opens their read ends (without
 * blocking, and so that CRIU's open for writing does not block either).  */
static int
make_fifos (ferry_prepack_t *p, size_t n, ferry_error_t *err)
{
  size_t i;

  p->fifo_fd = xmalloc (sizeof (int) * n);
  for (i = 0; i < n; i++)
    p->fifo_fd[i] = -1;
  p->n_fifos = n;
  for (i = 0; i < n; i++)
    {
      cleanup_free char *name = fifo_name (i);
      cleanup_free char *path = xasprintf ("%s/%s", p->images_dir, name);

      if (mkfifo (path, 0600) < 0)
        return ferry_make_error (err, errno, "cannot create FIFO `%s`", path);
      p->fifo_fd[i] = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
      if (p->fifo_fd[i] < 0)
        return ferry_make_error (err, errno, "cannot open FIFO `%s`", path);
      /* Room for CRIU to splice big runs of pages at once.  */
      fcntl (p->fifo_fd[i], F_SETPIPE_SZ, 1 << 20);
    }
  return 0;
}

/* The FIFOs CRIU did not use are no page images: they go.  Each name
 * goes before its read end: should CRIU still run (its runc failed), an
 * open() of the name then creates a file, where with the name still there
 * and no reader it would block forever.  */
static void
remove_fifos (ferry_prepack_t *p)
{
  size_t i;

  for (i = 0; i < p->n_fifos; i++)
    {
      cleanup_free char *name = fifo_name (i);
      cleanup_free char *path = xasprintf ("%s/%s", p->images_dir, name);

      unlink (path);
      if (p->fifo_fd[i] >= 0 && (! p->current_is_fifo || p->current_fifo != i))
        {
          close (p->fifo_fd[i]);
          p->fifo_fd[i] = -1;
        }
    }
}

ferry_prepack_t *
ferry_prepack_start (const char *images_dir, const char *prefix, ferry_archive_writer_t *w, size_t n_fifos,
                     ferry_error_t *err)
{
  ferry_prepack_t *p = xmalloc0 (sizeof (*p));

  p->images_dir = xstrdup (images_dir);
  p->prefix = xstrdup (prefix);
  p->w = w;
  p->current_fd = -1;
  p->pfds = xmalloc0 (sizeof (*p->pfds) * (n_fifos + 1));
  p->bufs[0] = xmalloc (PREPACK_IO_SIZE);
  p->bufs[1] = xmalloc (PREPACK_IO_SIZE);
  p->buf = p->bufs[0];
  if (! ferry_archive_writer_can_stream (w))
    {
      ferry_make_error (err, EINVAL, "the archive cannot take streamed entries");
      ferry_prepack_free (p);
      return NULL;
    }
  if (n_fifos > 0 && make_fifos (p, n_fifos, err) < 0)
    {
      remove_fifos (p);
      ferry_prepack_free (p);
      return NULL;
    }
  p->inotify_fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  if (p->inotify_fd < 0
      || inotify_add_watch (p->inotify_fd, images_dir, IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE) < 0)
    {
      ferry_make_error (err, errno, "cannot watch `%s`", images_dir);
      ferry_prepack_free (p);
      return NULL;
    }
  if (pthread_create (&p->thread, NULL, prepack_thread, p) != 0)
    {
      ferry_make_error (err, errno, "cannot start the prepacking thread");
      ferry_prepack_free (p);
      return NULL;
    }
  p->thread_started = true;
  return p;
}

int
ferry_prepack_finish (ferry_prepack_t *p, ferry_error_t *err)
{
  atomic_store (&p->dump_done, 1);
  if (p->thread_started)
    {
      pthread_join (p->thread, NULL);
      p->thread_started = false;
    }
  remove_fifos (p);
  if (p->err)
    {
      *err = steal_pointer (&p->err);
      return -1;
    }
  return 0;
}

void
ferry_prepack_free (ferry_prepack_t *p)
{
  if (p == NULL)
    return;
  if (p->thread_started)
    {
      atomic_store (&p->dump_done, 1);
      pthread_join (p->thread, NULL);
    }
  remove_fifos (p);
  if (p->current_fd >= 0)
    close (p->current_fd);
  free (p->fifo_fd);
  free (p->pfds);
  free (p->current);
  for (size_t i = 0; i < p->n_seen; i++)
    free (p->seen[i]);
  free (p->seen);
  for (size_t i = 0; i < p->n_closed; i++)
    free (p->closed[i]);
  free (p->closed);
  if (p->inotify_fd > 0)
    close (p->inotify_fd);
  ferry_error_release (&p->err);
  free (p->bufs[0]);
  free (p->bufs[1]);
  free (p->images_dir);
  free (p->prefix);
  free (p);
}
