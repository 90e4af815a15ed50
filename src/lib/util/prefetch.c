/* ferry: a read-ahead thread for big files (see prefetch.h).  */
#include "prefetch.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREFETCH_CHUNK (4 * 1024 * 1024)
#define PREFETCH_SLOTS 4
/* O_DIRECT wants offsets, lengths and addresses aligned to the logical
 * block size; no device has larger ones than a page.  */
#define PREFETCH_ALIGN 4096

/* Chunk N (counted from the start) sits in bufs[N % PREFETCH_SLOTS] from
 * when the thread has read it until the reader is past it.  */
struct ferry_prefetch
{
  int fd;
  int flags; /* the descriptor's status flags before */
  bool direct;
  off_t start;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  bool stop;
  unsigned char *bufs[PREFETCH_SLOTS];
  size_t lens[PREFETCH_SLOTS];
  uint64_t filled, taken;
  bool eof;
  int error;
  /* The reader's place in chunk TAKEN, and the bytes it has had.  */
  size_t pos;
  uint64_t consumed;
};

/* Reads one chunk at OFFSET into BUF; the length, 0 at the end, or -1.  */
static ssize_t
read_chunk (ferry_prefetch_t *p, unsigned char *buf, off_t offset)
{
  size_t got = 0;

  while (got < PREFETCH_CHUNK)
    {
      ssize_t n = pread (p->fd, buf + got, PREFETCH_CHUNK - got, offset + (off_t) got);

      if (n < 0 && errno == EINTR)
        continue;
      /* Refused for its alignment (a short read before the end, or a file
       * system that takes O_DIRECT only at open): through the page cache.  */
      if (n < 0 && errno == EINVAL && p->direct)
        {
          fcntl (p->fd, F_SETFL, p->flags);
          p->direct = false;
          continue;
        }
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      got += n;
    }
  return got;
}

static void *
prefetch_main (void *data)
{
  ferry_prefetch_t *p = data;
  off_t offset = p->start;

  pthread_mutex_lock (&p->lock);
  for (;;)
    {
      size_t i;
      ssize_t n;
      int e;

      while (p->filled - p->taken == PREFETCH_SLOTS && ! p->stop)
        pthread_cond_wait (&p->changed, &p->lock);
      if (p->stop)
        break;
      i = p->filled % PREFETCH_SLOTS;
      pthread_mutex_unlock (&p->lock);
      n = read_chunk (p, p->bufs[i], offset);
      e = errno;
      pthread_mutex_lock (&p->lock);
      if (n < 0)
        p->error = e;
      else if (n == 0)
        p->eof = true;
      else
        {
          p->lens[i] = n;
          p->filled++;
          offset += n;
        }
      pthread_cond_broadcast (&p->changed);
      if (n <= 0)
        break;
    }
  pthread_mutex_unlock (&p->lock);
  return NULL;
}

ferry_prefetch_t *
ferry_prefetch_start (int fd)
{
  ferry_prefetch_t *p;
  struct stat st;
  off_t start = lseek (fd, 0, SEEK_CUR);
  size_t i;

  if (start < 0 || fstat (fd, &st) < 0 || ! S_ISREG (st.st_mode))
    return NULL;
  p = xmalloc0 (sizeof (*p));
  p->fd = fd;
  p->start = start;
  p->flags = fcntl (fd, F_GETFL);
  for (i = 0; i < PREFETCH_SLOTS; i++)
    if (posix_memalign ((void **) &p->bufs[i], PREFETCH_ALIGN, PREFETCH_CHUNK) != 0)
      abort ();
  if (p->flags >= 0 && start % PREFETCH_ALIGN == 0 && fcntl (fd, F_SETFL, p->flags | O_DIRECT) == 0)
    p->direct = true;
  pthread_mutex_init (&p->lock, NULL);
  pthread_cond_init (&p->changed, NULL);
  if (pthread_create (&p->thread, NULL, prefetch_main, p) != 0)
    {
      if (p->direct)
        fcntl (fd, F_SETFL, p->flags);
      pthread_cond_destroy (&p->changed);
      pthread_mutex_destroy (&p->lock);
      for (i = 0; i < PREFETCH_SLOTS; i++)
        free (p->bufs[i]);
      free (p);
      return NULL;
    }
  return p;
}

ssize_t
ferry_prefetch_read (void *prefetch, void *buf, size_t len)
{
  ferry_prefetch_t *p = prefetch;
  size_t i, n;

  pthread_mutex_lock (&p->lock);
  while (p->filled == p->taken && ! p->eof && ! p->error)
    pthread_cond_wait (&p->changed, &p->lock);
  if (p->filled == p->taken)
    {
      int e = p->error;

      pthread_mutex_unlock (&p->lock);
      if (e == 0)
        return 0;
      errno = e;
      return -1;
    }
  pthread_mutex_unlock (&p->lock);

  /* The chunk at TAKEN is the reader's until it moves past it.  */
  i = p->taken % PREFETCH_SLOTS;
  n = p->lens[i] - p->pos;
  if (n > len)
    n = len;
  memcpy (buf, p->bufs[i] + p->pos, n);
  p->pos += n;
  p->consumed += n;
  if (p->pos == p->lens[i])
    {
      pthread_mutex_lock (&p->lock);
      p->taken++;
      p->pos = 0;
      pthread_cond_broadcast (&p->changed);
      pthread_mutex_unlock (&p->lock);
    }
  return n;
}

void
ferry_prefetch_stop (ferry_prefetch_t *p)
{
  size_t i;

  if (p == NULL)
    return;
  pthread_mutex_lock (&p->lock);
  p->stop = true;
  pthread_cond_broadcast (&p->changed);
  pthread_mutex_unlock (&p->lock);
  pthread_join (p->thread, NULL);
  if (p->direct)
    fcntl (p->fd, F_SETFL, p->flags);
  lseek (p->fd, p->start + (off_t) p->consumed, SEEK_SET);
  pthread_cond_destroy (&p->changed);
  pthread_mutex_destroy (&p->lock);
  for (i = 0; i < PREFETCH_SLOTS; i++)
    free (p->bufs[i]);
  free (p);
}
