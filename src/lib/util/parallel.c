#include "parallel.h"

#include <pthread.h>

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
