/* Unit tests for src/lib/util/parallel.c's worker processes: every job
 * reported once, in order; errors carried whole from a worker; a worker
 * killed mid-job named by its job; a worker that cannot start failing the
 * jobs it takes.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/parallel.h"
#include "util/xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_JOBS 64

struct run
{
  size_t n_done;
  size_t order[MAX_JOBS];
  int values[MAX_JOBS];
  char *msgs[MAX_JOBS];
  int kinds[MAX_JOBS], statuses[MAX_JOBS];
  pid_t pids[MAX_JOBS]; /* the worker that did each (from its value) */
  int kill_job;         /* this job's worker kills itself; -1: none */
  int fail_start;
};

static void *
start (void *arg, ferry_error_t *err)
{
  struct run *r = arg;

  if (r->fail_start)
    {
      ferry_make_error (err, EACCES, "cannot open the store");
      return NULL;
    }
  return xstrdup ("worker");
}

static int
job (size_t i, void *worker, void *arg, ferry_error_t *err)
{
  struct run *r = arg;

  assert_string_equal (worker, "worker");
  if ((int) i == r->kill_job)
    raise (SIGKILL);
  /* Jobs that end out of order: the later ones first.  */
  usleep ((useconds_t) (MAX_JOBS - i) * 300);
  if (i % 5 == 3)
    {
      ferry_make_error_kind (err, FERRY_ERROR_STATE, "job %zu is in the wrong state", i);
      (*err)->status = ENOENT;
      return -1;
    }
  return getpid ();
}

static void
end (void *worker)
{
  free (worker);
}

static void
done (size_t i, int v, ferry_error_t *err, void *arg)
{
  struct run *r = arg;

  assert_true (r->n_done < MAX_JOBS);
  r->order[r->n_done++] = i;
  r->values[i] = v;
  if (v < 0)
    {
      assert_non_null (*err);
      r->msgs[i] = xstrdup ((*err)->msg);
      r->kinds[i] = (*err)->kind;
      r->statuses[i] = (*err)->status;
    }
  else
    {
      assert_null (*err);
      r->pids[i] = v;
    }
}

static char *
name (size_t i, void *arg)
{
  (void) arg;
  return xasprintf ("container c%zu", i);
}

static int
run_jobs (struct run *r, size_t n, size_t procs)
{
  struct ferry_parallel_procs p = {
    .n = n,
    .max_procs = procs,
    .arg = r,
    .worker_start = start,
    .job = job,
    .worker_end = end,
    .done = done,
    .name = name,
  };

  return ferry_parallel_procs_run (&p);
}

static void
release (struct run *r)
{
  for (size_t i = 0; i < MAX_JOBS; i++)
    free (r->msgs[i]);
}

static void
test_every_job_in_order (void **state)
{
  struct run r = { .kill_job = -1 };
  size_t i, distinct = 0;

  (void) state;
  assert_int_equal (run_jobs (&r, 20, 4), -1); /* jobs 3, 8, 13, 18 fail */
  assert_int_equal (r.n_done, 20);
  for (i = 0; i < 20; i++)
    {
      assert_int_equal (r.order[i], i);
      if (i % 5 == 3)
        {
          char want[64];
          snprintf (want, sizeof (want), "job %zu is in the wrong state", i);
          assert_int_equal (r.values[i], -1);
          assert_string_equal (r.msgs[i], want);
          assert_int_equal (r.kinds[i], FERRY_ERROR_STATE);
          assert_int_equal (r.statuses[i], ENOENT);
          continue;
        }
      /* Done in a worker, not here.  */
      assert_true (r.pids[i] > 0);
      assert_int_not_equal (r.pids[i], getpid ());
    }
  /* Several workers shared the jobs.  */
  for (i = 0; i < 20; i++)
    {
      size_t k;
      for (k = 0; k < i && (r.pids[k] != r.pids[i] || r.pids[i] == 0); k++)
        ;
      if (k == i && r.pids[i])
        distinct++;
    }
  assert_true (distinct > 1);
  assert_true (distinct <= 4);
  release (&r);
}

static void
test_all_succeed (void **state)
{
  struct run r = { .kill_job = -1 };

  (void) state;
  /* Jobs 0..2 only: none fails.  */
  assert_int_equal (run_jobs (&r, 3, 8), 0);
  assert_int_equal (r.n_done, 3);
  release (&r);
}

static void
test_killed_worker (void **state)
{
  struct run r = { .kill_job = 6 };
  size_t i;

  (void) state;
  assert_int_equal (run_jobs (&r, 12, 3), -1);
  assert_int_equal (r.n_done, 12);
  for (i = 0; i < 12; i++)
    assert_int_equal (r.order[i], i);
  assert_int_equal (r.values[6], -1);
  assert_non_null (strstr (r.msgs[6], "container c6: its worker process "));
  assert_non_null (strstr (r.msgs[6], " was killed by signal 9 before it reported"));
  /* The other workers did the rest.  */
  for (i = 7; i < 12; i++)
    if (i % 5 != 3)
      assert_true (r.values[i] > 0);
  release (&r);
}

static void
test_worker_cannot_start (void **state)
{
  struct run r = { .kill_job = -1, .fail_start = 1 };

  (void) state;
  assert_int_equal (run_jobs (&r, 5, 2), -1);
  assert_int_equal (r.n_done, 5);
  for (size_t i = 0; i < 5; i++)
    {
      assert_string_equal (r.msgs[i], "cannot open the store");
      assert_int_equal (r.statuses[i], EACCES);
    }
  release (&r);
}

static void
test_no_jobs (void **state)
{
  struct run r = { .kill_job = -1 };

  (void) state;
  assert_int_equal (run_jobs (&r, 0, 4), 0);
  assert_int_equal (r.n_done, 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_every_job_in_order),
    cmocka_unit_test (test_all_succeed),
    cmocka_unit_test (test_killed_worker),
    cmocka_unit_test (test_worker_cannot_start),
    cmocka_unit_test (test_no_jobs),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
