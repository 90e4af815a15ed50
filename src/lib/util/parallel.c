#include "parallel.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

#define PARALLEL_MAX_THREADS 16

struct queue
{
  pthread_mutex_t lock;
  size_t n, next;
  int failed;
  int (*fn) (size_t i, void *arg);
  void *arg;
};

static void *
worker (void *arg)
{
  struct queue *q = arg;

  for (;;)
    {
      size_t i;

      pthread_mutex_lock (&q->lock);
      if (q->failed || q->next >= q->n)
        {
          pthread_mutex_unlock (&q->lock);
          return NULL;
        }
      i = q->next++;
      pthread_mutex_unlock (&q->lock);
      if (q->fn (i, q->arg) < 0)
        {
          pthread_mutex_lock (&q->lock);
          q->failed = 1;
          pthread_mutex_unlock (&q->lock);
        }
    }
}

int
ferry_parallel_for (size_t n, size_t max_threads, int (*fn) (size_t i, void *arg), void *arg)
{
  struct queue q = { .lock = PTHREAD_MUTEX_INITIALIZER, .n = n, .fn = fn, .arg = arg };
  pthread_t threads[PARALLEL_MAX_THREADS];
  size_t i, started;

  if (max_threads > n)
    max_threads = n;
  if (max_threads > PARALLEL_MAX_THREADS)
    max_threads = PARALLEL_MAX_THREADS;
  for (started = 0; started < max_threads; started++)
    if (pthread_create (&threads[started], NULL, worker, &q) != 0)
      break;
  if (started == 0)
    worker (&q);
  for (i = 0; i < started; i++)
    pthread_join (threads[i], NULL);
  pthread_mutex_destroy (&q.lock);
  return q.failed ? -1 : 0;
}

/* A worker's word on one job.  It goes up the pipe in one write of at most
 * PIPE_BUF bytes, which the pipe keeps whole: the words of several workers
 * never mix.  */
struct job_report
{
  uint32_t i;
  int32_t r;
  int32_t kind;   /* the error's, when LEN > 0 */
  int32_t status; /* the error's errno */
  uint32_t len;   /* bytes of message after the header; 0: no error */
};

#define REPORT_MSG_MAX (PIPE_BUF - sizeof (struct job_report))

/* Shared by the caller and its workers (MAP_SHARED): the next job not
 * taken, and which worker took each, so that a worker that dies mid-job
 * leaves its job named.  */
struct board
{
  size_t next;
  pid_t taker[];
};

static int
write_report (int fd, size_t i, int r, ferry_error_t err)
{
  char buf[PIPE_BUF];
  struct job_report h = { .i = (uint32_t) i, .r = r };
  size_t len = 0;
  ssize_t w;

  if (err)
    {
      len = strlen (err->msg);
      if (len > REPORT_MSG_MAX)
        len = REPORT_MSG_MAX;
      h.kind = err->kind;
      h.status = err->status;
      /* Even an empty message says there was an error.  */
      if (len == 0)
        {
          len = 1;
          buf[sizeof (h)] = '?';
        }
      else
        memcpy (buf + sizeof (h), err->msg, len);
    }
  h.len = (uint32_t) len;
  memcpy (buf, &h, sizeof (h));
  do
    w = write (fd, buf, sizeof (h) + len);
  while (w < 0 && errno == EINTR);
  return w == (ssize_t) (sizeof (h) + len) ? 0 : -1;
}

/* Where a worker's jobs come from and where their ends go: the shared
 * board and the pipe in a worker process; a counter and the caller's done
 * when the caller does the jobs itself.  */
struct job_source
{
  /* 0 with the next job in *I, -1 when none is left.  */
  int (*take) (struct job_source *s, size_t *i);
  /* Job I ended with R (and ERR when R < 0); < 0 to take no more.  */
  int (*give) (struct job_source *s, size_t i, int r, ferry_error_t err);
};

/* One worker's life: jobs until none is left, or until where they go
 * takes no more (a worker's pipe broken: no new job is taken).  */
static void
work (const struct ferry_parallel_procs *p, struct job_source *src)
{
  ferry_error_t start_err = NULL;
  void *w = NULL;
  size_t i;

  if (p->worker_start)
    {
      w = p->worker_start (p->arg, &start_err);
      if (w == NULL && start_err == NULL)
        ferry_make_error (&start_err, 0, "the work could not start");
    }
  while (src->take (src, &i) == 0)
    {
      ferry_error_t err = NULL;
      int v = -1, r;

      if (start_err == NULL)
        {
          v = p->job (i, w, p->arg, &err);
          if (v < 0 && err == NULL)
            {
              cleanup_free char *what = p->name ? p->name (i, p->arg) : xasprintf ("job %zu", i);
              ferry_make_error (&err, 0, "%s: failed", what);
            }
        }
      r = src->give (src, i, v, v < 0 ? (start_err ? start_err : err) : NULL);
      ferry_error_release (&err);
      if (r < 0)
        break;
    }
  if (start_err == NULL && p->worker_end)
    p->worker_end (w);
  ferry_error_release (&start_err);
}

/* A worker process's jobs: the board's next, reported up the pipe.  */
struct pipe_source
{
  struct job_source s;
  struct board *b;
  size_t n;
  int fd;
};

static int
pipe_take (struct job_source *s, size_t *i)
{
  struct pipe_source *ps = (struct pipe_source *) s;

  *i = __atomic_fetch_add (&ps->b->next, 1, __ATOMIC_SEQ_CST);
  if (*i >= ps->n)
    return -1;
  __atomic_store_n (&ps->b->taker[*i], getpid (), __ATOMIC_SEQ_CST);
  return 0;
}

static int
pipe_give (struct job_source *s, size_t i, int r, ferry_error_t err)
{
  return write_report (((struct pipe_source *) s)->fd, i, r, err);
}

/* The caller's own jobs, when no worker can start: in order, each handed
 * to done at once.  */
struct here_source
{
  struct job_source s;
  const struct ferry_parallel_procs *p;
  size_t next;
  int failed;
};

static int
here_take (struct job_source *s, size_t *i)
{
  struct here_source *hs = (struct here_source *) s;

  *i = hs->next++;
  return *i < hs->p->n ? 0 : -1;
}

static int
here_give (struct job_source *s, size_t i, int r, ferry_error_t err)
{
  struct here_source *hs = (struct here_source *) s;
  ferry_error_t copy = NULL;

  /* done may take the error it is given: a copy, as from a worker.  */
  if (err)
    {
      ferry_make_error (&copy, err->status, "%s", err->msg);
      copy->kind = err->kind;
    }
  if (r < 0)
    hs->failed = 1;
  hs->p->done (i, r, &copy, hs->p->arg);
  ferry_error_release (&copy);
  return 0;
}

static int
read_full (int fd, void *buf, size_t len)
{
  size_t got = 0;

  while (got < len)
    {
      ssize_t r = read (fd, (char *) buf + got, len - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return -1;
      got += (size_t) r;
    }
  return 0;
}

struct job_end
{
  int ended, r;
  ferry_error_t err;
};

/* Hands on every job from *NEXT that has ended with all before it.  */
static void
flush_ended (const struct ferry_parallel_procs *p, struct job_end *ends, size_t *next, int *failed)
{
  for (; *next < p->n && ends[*next].ended; (*next)++)
    {
      if (ends[*next].r < 0)
        *failed = 1;
      p->done (*next, ends[*next].r, &ends[*next].err, p->arg);
      ferry_error_release (&ends[*next].err);
    }
}

/* What the caller says of job I when no worker reported it.  */
static void
unreported (const struct ferry_parallel_procs *p, struct job_end *end, size_t i, pid_t taker,
            const pid_t *pids, const int *statuses, size_t n_pids)
{
  cleanup_free char *what = p->name ? p->name (i, p->arg) : xasprintf ("job %zu", i);
  int status = -1;

  for (size_t k = 0; k < n_pids; k++)
    if (pids[k] == taker)
      status = statuses[k];
  end->ended = 1;
  end->r = -1;
  if (taker == 0)
    ferry_make_error (&end->err, 0, "%s: not done: every worker process ended before taking it", what);
  else if (status >= 0 && WIFSIGNALED (status))
    ferry_make_error (&end->err, 0,
                      "%s: its worker process %d was killed by signal %d before it reported: the next "
                      "command settles what it left",
                      what, (int) taker, WTERMSIG (status));
  else
    ferry_make_error (&end->err, 0,
                      "%s: its worker process %d ended before it reported: the next command settles "
                      "what it left",
                      what, (int) taker);
}

int
ferry_parallel_procs_run (const struct ferry_parallel_procs *p)
{
  size_t procs = p->max_procs < p->n ? p->max_procs : p->n, started = 0, next = 0, k;
  size_t board_size = sizeof (struct board) + p->n * sizeof (pid_t);
  cleanup_free struct job_end *ends = NULL;
  cleanup_free pid_t *pids = NULL;
  cleanup_free int *statuses = NULL;
  struct board *b;
  int fds[2], failed = 0;
  struct job_report h;
  pid_t self;

  if (p->n == 0)
    return 0;
  if (procs == 0)
    procs = 1;
  ends = xmalloc0 (p->n * sizeof (*ends));
  pids = xmalloc0 (procs * sizeof (*pids));
  statuses = xmalloc0 (procs * sizeof (*statuses));
  b = p->n > UINT32_MAX ? MAP_FAILED
                        : mmap (NULL, board_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (b == MAP_FAILED)
    b = NULL;
  if (b && pipe2 (fds, O_CLOEXEC) < 0)
    {
      munmap (b, board_size);
      b = NULL;
    }
  /* Without shared memory or a pipe no worker can start (nor do reports
   * number more jobs): the caller does them itself, one after another.  */
  if (b == NULL)
    goto serial;
  fflush (stdout);
  fflush (stderr);
  self = getpid ();
  for (; started < procs; started++)
    {
      pid_t pid = fork ();
      if (pid < 0)
        break;
      if (pid == 0)
        {
          /* The workers are the command: a kill -9 of it ends them too,
           * at whatever step, as it would end the command done in one
           * process, and the next command settles what they left.  */
          if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != self)
            _exit (1);
          close (fds[0]);
          signal (SIGPIPE, SIG_IGN);
          struct pipe_source ps = { { pipe_take, pipe_give }, b, p->n, fds[1] };

          work (p, &ps.s);
          fflush (stdout);
          fflush (stderr);
          _exit (0);
        }
      pids[started] = pid;
    }
  close (fds[1]);
  while (started > 0 && read_full (fds[0], &h, sizeof (h)) == 0)
    {
      char msg[PIPE_BUF];

      /* A worker is this program, but its words are still checked.  */
      if (h.i >= p->n || ends[h.i].ended || h.len > REPORT_MSG_MAX
          || (h.len && read_full (fds[0], msg, h.len) < 0))
        break;
      ends[h.i].ended = 1;
      ends[h.i].r = h.r;
      if (h.len)
        {
          msg[h.len] = '\0';
          ferry_make_error (&ends[h.i].err, 0, "%s", msg);
          ends[h.i].err->status = h.status;
          ends[h.i].err->kind = (enum ferry_error_kind) h.kind;
        }
      flush_ended (p, ends, &next, &failed);
    }
  close (fds[0]);
  for (k = 0; k < started; k++)
    {
      while (waitpid (pids[k], &statuses[k], 0) < 0 && errno == EINTR)
        ;
    }
  /* No worker could be forked: the caller does the jobs itself.  */
  if (started == 0)
    {
      munmap (b, board_size);
      goto serial;
    }
  for (k = next; k < p->n; k++)
    if (! ends[k].ended)
      unreported (p, &ends[k], k, __atomic_load_n (&b->taker[k], __ATOMIC_SEQ_CST), pids, statuses, started);
  munmap (b, board_size);
  flush_ended (p, ends, &next, &failed);
  return failed ? -1 : 0;

serial:
  {
    struct here_source hs = { { here_take, here_give }, p, 0, 0 };

    work (p, &hs.s);
    failed = hs.failed;
  }
  return failed ? -1 : 0;
}
