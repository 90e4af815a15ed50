#include "progress.h"
#include "../util/xalloc.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct line
{
  char *kind;
  char digest[13];
  uint64_t total, done;
  char *status;
};

struct ferry_progress
{
  pthread_mutex_t lock;
  pthread_cond_t wake;
  pthread_t thread;
  struct line *lines;
  size_t n, drawn; /* lines on the screen under our control */
  int stop, started;
  int frozen; /* a line was said below the blob lines: they are final */
  int plain;  /* FERRY_PROGRESS_LINES: no drawing, one line per blob */
};

static void
human (char *buf, size_t len, uint64_t n)
{
  if (n < 1024)
    snprintf (buf, len, "%lluB", (unsigned long long) n);
  else if (n < (1u << 20))
    snprintf (buf, len, "%.1fKiB", n / 1024.0);
  else if (n < (1u << 30))
    snprintf (buf, len, "%.1fMiB", n / 1048576.0);
  else
    snprintf (buf, len, "%.2fGiB", n / 1073741824.0);
}

/* Redraws every line in place: up to the first, then each line cleared
 * and written.  Called with the lock held.  */
static void
draw (struct ferry_progress *p)
{
  size_t i;

  if (p->frozen || p->plain)
    return;
  if (p->drawn > 0)
    fprintf (stderr, "\033[%zuA", p->drawn);
  for (i = 0; i < p->n; i++)
    {
      struct line *l = &p->lines[i];
      char done[32], total[32];

      human (done, sizeof (done), l->done);
      human (total, sizeof (total), l->total);
      fprintf (stderr, "\r\033[2KCopying %s %s", l->kind, l->digest);
      if (l->status)
        fprintf (stderr, " %s\n", l->status);
      else if (l->total)
        fprintf (stderr, " %s / %s\n", done, total);
      else
        fprintf (stderr, " %s\n", done);
    }
  p->drawn = p->n;
  fflush (stderr);
}

static void *
drawer (void *arg)
{
  struct ferry_progress *p = arg;

  pthread_mutex_lock (&p->lock);
  while (! p->stop)
    {
      struct timespec ts;

      clock_gettime (CLOCK_REALTIME, &ts);
      ts.tv_nsec += 200 * 1000 * 1000;
      if (ts.tv_nsec >= 1000000000)
        {
          ts.tv_sec++;
          ts.tv_nsec -= 1000000000;
        }
      pthread_cond_timedwait (&p->wake, &p->lock, &ts);
      draw (p);
    }
  pthread_mutex_unlock (&p->lock);
  return NULL;
}

ferry_progress_t *
ferry_progress_new (int mode)
{
  struct ferry_progress *p;

  if (mode == FERRY_PROGRESS_OFF)
    return NULL;
  p = xmalloc0 (sizeof (*p));
  pthread_mutex_init (&p->lock, NULL);
  pthread_cond_init (&p->wake, NULL);
  p->plain = mode == FERRY_PROGRESS_LINES;
  if (! p->plain)
    p->started = pthread_create (&p->thread, NULL, drawer, p) == 0;
  return p;
}

int
ferry_progress_add (ferry_progress_t *p, const char *kind, const char *digest, uint64_t total)
{
  const char *hex;
  int idx;

  if (p == NULL)
    return -1;
  hex = strchr (digest, ':') ? strchr (digest, ':') + 1 : digest;
  pthread_mutex_lock (&p->lock);
  /* Not on a terminal, Podman's one line per blob, digest in full.  */
  if (p->plain)
    {
      fprintf (stderr, "Copying %s %s\n", kind, digest);
      fflush (stderr);
    }
  p->lines = xrealloc (p->lines, sizeof (*p->lines) * (p->n + 1));
  memset (&p->lines[p->n], 0, sizeof (p->lines[p->n]));
  p->lines[p->n].kind = xstrdup (kind);
  snprintf (p->lines[p->n].digest, sizeof (p->lines[p->n].digest), "%.12s", hex);
  p->lines[p->n].total = total;
  idx = (int) p->n++;
  pthread_mutex_unlock (&p->lock);
  return idx;
}

void
ferry_progress_set (ferry_progress_t *p, int line, uint64_t done)
{
  if (p == NULL || line < 0)
    return;
  pthread_mutex_lock (&p->lock);
  if ((size_t) line < p->n)
    p->lines[line].done = done;
  pthread_mutex_unlock (&p->lock);
}

void
ferry_progress_status (ferry_progress_t *p, int line, const char *status)
{
  if (p == NULL || line < 0)
    return;
  pthread_mutex_lock (&p->lock);
  if ((size_t) line < p->n)
    {
      free (p->lines[line].status);
      p->lines[line].status = xstrdup (status);
    }
  pthread_cond_signal (&p->wake);
  pthread_mutex_unlock (&p->lock);
}

void
ferry_progress_say (ferry_progress_t *p, const char *fmt, ...)
{
  va_list ap;

  if (p == NULL)
    return;
  pthread_mutex_lock (&p->lock);
  /* Below blob lines already drawn, the blobs are done (the manifest
   * goes last): draw them one final time and leave them be.  */
  if (p->n > 0)
    {
      draw (p);
      p->frozen = 1;
    }
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  fflush (stderr);
  pthread_mutex_unlock (&p->lock);
}

void
ferry_progress_finish (ferry_progress_t *p)
{
  size_t i;

  if (p == NULL)
    return;
  pthread_mutex_lock (&p->lock);
  p->stop = 1;
  pthread_cond_signal (&p->wake);
  pthread_mutex_unlock (&p->lock);
  if (p->started)
    pthread_join (p->thread, NULL);
  draw (p);
  for (i = 0; i < p->n; i++)
    {
      free (p->lines[i].kind);
      free (p->lines[i].status);
    }
  free (p->lines);
  pthread_cond_destroy (&p->wake);
  pthread_mutex_destroy (&p->lock);
  free (p);
}
