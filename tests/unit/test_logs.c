/* Unit tests for src/lib/engine/logs.c: reading k8s-file container logs.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/logs.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define T1 "2026-11-23T10:00:01.000000001+00:00"
#define T2 "2026-11-23T10:00:02.000000002+00:00"
#define T3 "2026-11-23T10:00:03.5Z"
#define T4 "2026-11-23T11:00:04.000000004+01:00" /* 10:00:04 UTC */
#define T5 "2026-11-23T10:00:05.000000005+00:00"

struct fixture
{
  char *dir;
  char *log; /* <dir>/ctr.log, not created */
  int out;   /* memfds collecting what the reader wrote */
  int err;
};

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  char tmpl[] = "/tmp/ferry-test-logs-XXXXXX";

  if (mkdtemp (tmpl) == NULL)
    return -1;
  f->dir = xstrdup (tmpl);
  f->log = xasprintf ("%s/ctr.log", f->dir);
  f->out = memfd_create ("out", MFD_CLOEXEC);
  f->err = memfd_create ("err", MFD_CLOEXEC);
  if (f->out < 0 || f->err < 0)
    return -1;
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  int ret = ferry_rm_rf (f->dir, &err);

  close (f->out);
  close (f->err);
  free (f->dir);
  free (f->log);
  free (f);
  return ret;
}

static void
write_log (struct fixture *f, const char *text)
{
  cleanup_error ferry_error_t err = NULL;

  if (ferry_write_file_atomic (f->log, text, strlen (text), 0600, &err) < 0)
    fail_msg ("writing the log: %s", err->msg);
}

static void
append_log (const char *path, const char *text)
{
  cleanup_close int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

  assert_true (fd >= 0);
  assert_int_equal (ferry_write_all (fd, text, strlen (text)), 0);
}

/* Everything written to FD so far, which is then emptied.  */
static char *
take (int fd)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *path = xasprintf ("/proc/self/fd/%d", fd);
  char *text = NULL;

  assert_int_equal (ferry_read_file (path, &text, NULL, &err), 0);
  assert_int_equal (ftruncate (fd, 0), 0);
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  return text;
}

static void
read_ok (struct fixture *f, const struct ferry_log_options *o)
{
  cleanup_error ferry_error_t err = NULL;

  if (ferry_logs_read (f->log, o, f->out, f->err, &err) < 0)
    fail_msg ("ferry_logs_read: %s", err->msg);
}

static void
assert_output (struct fixture *f, const char *out, const char *err)
{
  cleanup_free char *got_out = take (f->out);
  cleanup_free char *got_err = take (f->err);

  assert_string_equal (got_out, out);
  assert_string_equal (got_err, err);
}

static const struct ferry_log_options ALL = { .tail = -1 };

static const char FIVE_LINES[] = T1 " stdout F one\n" T2 " stderr F two\n" T3 " stdout F three\n" T4
                                    " stdout F four\n" T5 " stderr F five\n";

static void
test_full_lines_by_stream (void **state)
{
  struct fixture *f = *state;

  write_log (f, FIVE_LINES);
  read_ok (f, &ALL);
  assert_output (f, "one\nthree\nfour\n", "two\nfive\n");
}

static void
test_same_fd_keeps_order (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;

  write_log (f, FIVE_LINES);
  assert_int_equal (ferry_logs_read (f->log, &ALL, f->out, f->out, &err), 0);
  assert_output (f, "one\ntwo\nthree\nfour\nfive\n", "");
}

static void
test_partial_records_joined (void **state)
{
  struct fixture *f = *state;

  write_log (f, T1 " stdout P hel\n" T1 " stderr P err-\n" T2 " stdout P lo \n" T2 " stderr F part\n" T3
                   " stdout F world\n" T4 " stdout F \n" T5 " stdout F\n" T5 " stdout P no newline yet");
  read_ok (f, &ALL);
  /* Empty full lines stay lines; a trailing partial goes out as written.  */
  assert_output (f, "hello world\n\n\nno newline yet", "err-part\n");
}

static void
test_malformed_lines_skipped (void **state)
{
  struct fixture *f = *state;

  write_log (f, "garbage\n"
                "\n" T1 " stdout F good1\n"
                "2026-13-01T00:00:00Z stdout F bad month\n"
                "2026-11-23T10:00:01 stdin F bad stream\n"
                "2026-11-23T10:00:01Zstdout F no space\n" T1 " stdout X bad tag\n" T1 " stdout Fno space\n" T1
                " stdout\n"
                "not-a-time stdout F nope\n" T2 " stderr F good2\n");
  read_ok (f, &ALL);
  assert_output (f, "good1\n", "good2\n");
}

static void
test_tail (void **state)
{
  struct fixture *f = *state;
  struct ferry_log_options o = { .tail = 2 };

  write_log (f, FIVE_LINES);
  read_ok (f, &o);
  assert_output (f, "four\n", "five\n");

  o.tail = 0;
  read_ok (f, &o);
  assert_output (f, "", "");

  o.tail = 5;
  read_ok (f, &o);
  assert_output (f, "one\nthree\nfour\n", "two\nfive\n");

  o.tail = 100;
  read_ok (f, &o);
  assert_output (f, "one\nthree\nfour\n", "two\nfive\n");
}

static void
test_tail_counts_joined_lines_and_skips_garbage (void **state)
{
  struct fixture *f = *state;
  struct ferry_log_options o = { .tail = 2 };

  write_log (f, T1 " stdout F first\n" T2 " stdout P sec\n" T2 " stdout P o\n" T2 " stdout F nd\n"
                   "garbage after\n" T3 " stdout F third\n"
                   "more garbage");
  read_ok (f, &o);
  assert_output (f, "second\nthird\n", "");

  o.tail = 1;
  read_ok (f, &o);
  assert_output (f, "third\n", "");
}

/* A container that wrote no final newline: its last text is a line of
 * its own for --tail, as Podman counts it.  */
static void
test_tail_counts_a_last_partial_record (void **state)
{
  struct fixture *f = *state;
  struct ferry_log_options o = { .tail = 0 };

  write_log (f, T1 " stdout F a\n" T2 " stdout F b\n" T3 " stdout P c\n");
  read_ok (f, &o);
  assert_output (f, "", "");

  o.tail = 1;
  read_ok (f, &o);
  assert_output (f, "c", "");

  o.tail = 2;
  read_ok (f, &o);
  assert_output (f, "b\nc", "");
}

static void
test_tail_of_a_big_log (void **state)
{
  struct fixture *f = *state;
  struct ferry_log_options o = { .tail = 3 };
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream (&buf, &len);
  int i;

  /* Several read chunks long, and one line longer than a chunk.  */
  for (i = 0; i < 20000; i++)
    fprintf (mem, T1 " stdout F line %d\n", i);
  fputs (T2 " stdout F ", mem);
  for (i = 0; i < 100000; i++)
    fputc ('x', mem);
  fputs ("\n" T3 " stdout F last\n", mem);
  fclose (mem);
  write_log (f, buf);
  free (buf);

  read_ok (f, &o);
  {
    cleanup_free char *out = take (f->out);
    assert_true (strncmp (out, "line 19999\nxxx", 14) == 0);
    assert_int_equal (strlen (out), strlen ("line 19999\n") + 100000 + 1 + strlen ("last\n"));
    assert_string_equal (out + strlen (out) - 7, "x\nlast\n");
  }
  o.tail = -1;
  read_ok (f, &o);
  {
    cleanup_free char *out = take (f->out);
    assert_true (strncmp (out, "line 0\nline 1\n", 14) == 0);
  }
}

static void
test_timestamps (void **state)
{
  struct fixture *f = *state;
  struct ferry_log_options o = { .tail = -1, .timestamps = 1 };

  write_log (f, T1 " stdout P a\n" T2 " stdout F b\n" T3 " stderr F c\n" T4 " stderr F d\n");
  read_ok (f, &o);
  /* The time of the F record as Podman prints it, Go's RFC3339Nano in UTC:
   * the fraction's trailing zeros dropped, an offset turned into Z.  */
  assert_output (f, "2026-11-23T10:00:02.000000002Z ab\n",
                 "2026-11-23T10:00:03.5Z c\n2026-11-23T10:00:04.000000004Z d\n");
}

static void
test_since (void **state)
{
  struct fixture *f = *state;
  struct ferry_log_options o = { .tail = -1, .since = "2026-11-23T10:00:03.5Z" };

  write_log (f, FIVE_LINES);
  read_ok (f, &o);
  /* T3 itself is not older; T4 is later though written in another zone.  */
  assert_output (f, "three\nfour\n", "five\n");

  o.since = "2026-11-23T12:00:03+02:00";
  read_ok (f, &o);
  assert_output (f, "three\nfour\n", "five\n");

  o.since = "2026-11-23T10:00:04.1Z";
  o.tail = 3;
  read_ok (f, &o);
  assert_output (f, "", "five\n");

  o.since = "2030-01-01T00:00:00Z";
  read_ok (f, &o);
  assert_output (f, "", "");
}

static void
test_bad_since (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  struct ferry_log_options o = { .tail = -1, .since = "yesterday" };

  write_log (f, FIVE_LINES);
  assert_true (ferry_logs_read (f->log, &o, f->out, f->err, &err) < 0);
  assert_non_null (strstr (err->msg, "yesterday"));
  assert_output (f, "", "");
}

static void
test_missing_log_is_empty (void **state)
{
  struct fixture *f = *state;

  read_ok (f, &ALL);
  assert_output (f, "", "");
}

struct writer
{
  const char *path;
  atomic_int finished;
  atomic_int done_calls;
};

static void
sleep_ms (int ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

static void *
writer_thread (void *arg)
{
  struct writer *w = arg;

  sleep_ms (250);
  append_log (w->path, T3 " stdout P th\n");
  sleep_ms (150);
  append_log (w->path, T3 " stdout F ree\n" T4 " stderr F four\n");
  sleep_ms (150);
  /* The last line lands just before the container is seen gone.  */
  append_log (w->path, T5 " stdout F five\n");
  atomic_store (&w->finished, 1);
  return NULL;
}

static int
writer_done (void *arg)
{
  struct writer *w = arg;

  atomic_fetch_add (&w->done_calls, 1);
  return atomic_load (&w->finished);
}

static void
follow_with_writer (struct fixture *f, struct writer *w, const struct ferry_log_options *o)
{
  pthread_t th;

  w->path = f->log;
  assert_int_equal (pthread_create (&th, NULL, writer_thread, w), 0);
  read_ok (f, o);
  assert_int_equal (pthread_join (th, NULL), 0);
}

static void
test_follow (void **state)
{
  struct fixture *f = *state;
  struct writer w = { 0 };
  struct ferry_log_options o = { .tail = -1, .follow = 1, .done = writer_done, .done_arg = &w };

  write_log (f, T1 " stdout F one\n" T2 " stderr F two\n");
  follow_with_writer (f, &w, &o);
  assert_output (f, "one\nthree\nfive\n", "two\nfour\n");
  /* It waited for the writer, asking more than once.  */
  assert_true (atomic_load (&w.done_calls) > 1);
}

static void
test_follow_with_tail (void **state)
{
  struct fixture *f = *state;
  struct writer w = { 0 };
  struct ferry_log_options o = { .tail = 1, .follow = 1, .done = writer_done, .done_arg = &w };

  write_log (f, T1 " stdout F one\n" T2 " stderr F two\n");
  follow_with_writer (f, &w, &o);
  assert_output (f, "three\nfive\n", "two\nfour\n");
}

static void
test_follow_log_created_later (void **state)
{
  struct fixture *f = *state;
  struct writer w = { 0 }; /* the log appears with its first line */
  struct ferry_log_options o = { .tail = -1, .follow = 1, .done = writer_done, .done_arg = &w };

  follow_with_writer (f, &w, &o);
  assert_output (f, "three\nfive\n", "four\n");
}

static int
always_done (void *arg)
{
  (void) arg;
  return 1;
}

static void
test_follow_of_exited_container_returns (void **state)
{
  struct fixture *f = *state;
  struct ferry_log_options o = { .tail = -1, .follow = 1, .done = always_done };

  write_log (f, FIVE_LINES);
  read_ok (f, &o);
  assert_output (f, "one\nthree\nfour\n", "two\nfive\n");

  /* No log and nothing running: nothing to wait for.  */
  unlink (f->log);
  read_ok (f, &o);
  assert_output (f, "", "");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_full_lines_by_stream, setup, teardown),
    cmocka_unit_test_setup_teardown (test_same_fd_keeps_order, setup, teardown),
    cmocka_unit_test_setup_teardown (test_partial_records_joined, setup, teardown),
    cmocka_unit_test_setup_teardown (test_malformed_lines_skipped, setup, teardown),
    cmocka_unit_test_setup_teardown (test_tail, setup, teardown),
    cmocka_unit_test_setup_teardown (test_tail_counts_joined_lines_and_skips_garbage, setup, teardown),
    cmocka_unit_test_setup_teardown (test_tail_counts_a_last_partial_record, setup, teardown),
    cmocka_unit_test_setup_teardown (test_tail_of_a_big_log, setup, teardown),
    cmocka_unit_test_setup_teardown (test_timestamps, setup, teardown),
    cmocka_unit_test_setup_teardown (test_since, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bad_since, setup, teardown),
    cmocka_unit_test_setup_teardown (test_missing_log_is_empty, setup, teardown),
    cmocka_unit_test_setup_teardown (test_follow, setup, teardown),
    cmocka_unit_test_setup_teardown (test_follow_with_tail, setup, teardown),
    cmocka_unit_test_setup_teardown (test_follow_log_created_later, setup, teardown),
    cmocka_unit_test_setup_teardown (test_follow_of_exited_container_returns, setup, teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
