#include "logs.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK (64 * 1024)
#define OUT_BUFFER (64 * 1024)
/* How long a follower waits for new data before asking DONE again.  */
#define FOLLOW_POLL_MS 100
/* Enough of a record's start for its time, stream and tag.  */
#define HEADER_MAX 96

enum stream
{
  STREAM_STDOUT,
  STREAM_STDERR,
};

struct record
{
  const char *time; /* as in the file, TIME_LEN bytes */
  size_t time_len;
  int64_t time_ns;
  enum stream stream;
  int partial;
  const char *text; /* up to the end of the line, newline excluded */
  size_t text_len;
};

/* Everything one read of a log carries from record to record.  */
struct reader
{
  const struct ferry_log_options *o;
  const char *path;
  int fds[2]; /* by enum stream */
  int64_t since_ns;
  int has_since;
  /* Text of P records waiting for their F record, per stream.  */
  struct pending
  {
    char *text;
    size_t len;
    char time[64]; /* of the last P record */
    size_t time_len;
    int64_t time_ns;
  } partial[2];
  /* Output, kept in order across both descriptors.  */
  char out[OUT_BUFFER];
  size_t out_len;
  int out_fd;
};

static int
parse_digits (const char **p, int n, int *out)
{
  int v = 0, i;

  for (i = 0; i < n; i++)
    {
      if ((*p)[i] < '0' || (*p)[i] > '9')
        return -1;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return 0;
}

static int
expect (const char **p, const char *end, char c)
{
  if (*p >= end || **p != c)
    return -1;
  (*p)++;
  return 0;
}

/* Parses all of [S, END) as an RFC 3339 time into nanoseconds since the
 * epoch; a missing offset means UTC.  */
static int
parse_time (const char *s, const char *end, int64_t *ns)
{
  struct tm tm = { 0 };
  int year, mon, day, hh, mm, ss, off_h = 0, off_m = 0, sign = 0;
  int64_t frac = 0, scale = 100000000;
  const char *p = s;

  if (end - p < 19 || parse_digits (&p, 4, &year) < 0 || expect (&p, end, '-') < 0
      || parse_digits (&p, 2, &mon) < 0 || expect (&p, end, '-') < 0 || parse_digits (&p, 2, &day) < 0
      || (*p != 'T' && *p != 't' && *p != ' ') || (p++, parse_digits (&p, 2, &hh)) < 0
      || expect (&p, end, ':') < 0 || parse_digits (&p, 2, &mm) < 0 || expect (&p, end, ':') < 0
      || parse_digits (&p, 2, &ss) < 0)
    return -1;
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60)
    return -1;
  if (p < end && *p == '.')
    {
      p++;
      if (p >= end || *p < '0' || *p > '9')
        return -1;
      for (; p < end && *p >= '0' && *p <= '9'; p++, scale /= 10)
        frac += (*p - '0') * scale;
    }
  if (p < end && (*p == 'Z' || *p == 'z'))
    p++;
  else if (p < end && (*p == '+' || *p == '-'))
    {
      sign = *p++ == '-' ? -1 : 1;
      if (end - p < 5 || parse_digits (&p, 2, &off_h) < 0 || expect (&p, end, ':') < 0
          || parse_digits (&p, 2, &off_m) < 0)
        return -1;
    }
  if (p != end)
    return -1;
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  tm.tm_sec = ss;
  *ns = ((int64_t) timegm (&tm) - sign * (off_h * 3600 + off_m * 60)) * 1000000000LL + frac;
  return 0;
}

/* Parses one line (without its newline) of a k8s-file log.  */
static int
parse_record (const char *line, size_t len, struct record *r)
{
  const char *end = line + len, *p, *sp;

  sp = memchr (line, ' ', len);
  if (sp == NULL || parse_time (line, sp, &r->time_ns) < 0)
    return -1;
  r->time = line;
  r->time_len = sp - line;
  p = sp + 1;
  if (end - p >= 7 && memcmp (p, "stdout ", 7) == 0)
    r->stream = STREAM_STDOUT;
  else if (end - p >= 7 && memcmp (p, "stderr ", 7) == 0)
    r->stream = STREAM_STDERR;
  else
    return -1;
  p += 7;
  if (p >= end || (*p != 'F' && *p != 'P'))
    return -1;
  r->partial = *p++ == 'P';
  /* An empty full line may end right after its tag.  */
  if (p < end && *p++ != ' ')
    return -1;
  r->text = p;
  r->text_len = end - p;
  return 0;
}

static int
flush_output (struct reader *rd, ferry_error_t *err)
{
  if (rd->out_len == 0)
    return 0;
  if (ferry_write_all (rd->out_fd, rd->out, rd->out_len) < 0)
    return ferry_make_error (err, errno, "cannot write the log `%s`", rd->path);
  rd->out_len = 0;
  return 0;
}

static int
emit (struct reader *rd, int fd, const char *data, size_t len, ferry_error_t *err)
{
  if (fd != rd->out_fd && flush_output (rd, err) < 0)
    return -1;
  rd->out_fd = fd;
  if (rd->out_len + len > sizeof (rd->out))
    {
      if (flush_output (rd, err) < 0)
        return -1;
      if (len > sizeof (rd->out))
        {
          if (ferry_write_all (fd, data, len) < 0)
            return ferry_make_error (err, errno, "cannot write the log `%s`", rd->path);
          return 0;
        }
    }
  memcpy (rd->out + rd->out_len, data, len);
  rd->out_len += len;
  return 0;
}

/* NS as Go's RFC3339Nano prints it in UTC, as Podman's timestamps:
 * "2026-12-05T21:05:22.039591627Z", trailing zeros of the fraction
 * dropped.  Returns the length.  */
static size_t
rfc3339_nano (int64_t ns, char *buf, size_t size)
{
  time_t sec = (time_t) (ns / 1000000000);
  long frac = (long) (ns % 1000000000);
  struct tm tm;
  size_t n;

  gmtime_r (&sec, &tm);
  n = strftime (buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
  if (frac)
    {
      n += snprintf (buf + n, size - n, ".%09ld", frac);
      while (buf[n - 1] == '0')
        n--;
    }
  n += snprintf (buf + n, size - n, "Z");
  return n;
}

static int
emit_line (struct reader *rd, const struct record *r, const char *text, size_t len, int newline,
           ferry_error_t *err)
{
  int fd = rd->fds[r->stream];

  if (rd->has_since && r->time_ns < rd->since_ns)
    return 0;
  if (rd->o->has_until_ns && r->time_ns > rd->o->until_ns)
    return 0;
  if (rd->o->color && emit (rd, fd, rd->o->color, strlen (rd->o->color), err) < 0)
    return -1;
  if (rd->o->prefix
      && (emit (rd, fd, rd->o->prefix, strlen (rd->o->prefix), err) < 0 || emit (rd, fd, " ", 1, err) < 0))
    return -1;
  if (rd->o->timestamps)
    {
      char when[64];
      size_t n = rfc3339_nano (r->time_ns, when, sizeof (when));

      if (emit (rd, fd, when, n, err) < 0 || emit (rd, fd, " ", 1, err) < 0)
        return -1;
    }
  if (emit (rd, fd, text, len, err) < 0)
    return -1;
  if (rd->o->color && emit (rd, fd, "\033[0m", 4, err) < 0)
    return -1;
  return newline ? emit (rd, fd, "\n", 1, err) : 0;
}

static void
append_partial (struct pending *pd, const struct record *r)
{
  pd->text = xrealloc (pd->text, pd->len + r->text_len + 1);
  memcpy (pd->text + pd->len, r->text, r->text_len);
  pd->len += r->text_len;
  pd->time_len = r->time_len < sizeof (pd->time) ? r->time_len : sizeof (pd->time);
  memcpy (pd->time, r->time, pd->time_len);
  pd->time_ns = r->time_ns;
}

static int
process_line (struct reader *rd, const char *line, size_t len, ferry_error_t *err)
{
  struct pending *pd;
  struct record r;

  if (parse_record (line, len, &r) < 0)
    return 0; /* not a record: a torn or foreign line */
  pd = &rd->partial[r.stream];
  if (r.partial)
    {
      append_partial (pd, &r);
      return 0;
    }
  if (pd->len == 0)
    return emit_line (rd, &r, r.text, r.text_len, 1, err);
  /* The joined line carries the time of its F record, as in Podman.  */
  append_partial (pd, &r);
  len = pd->len;
  pd->len = 0;
  return emit_line (rd, &r, pd->text, len, 1, err);
}

/* Partial text that no full record ended: the container stopped in the
 * middle of a line.  It goes out as it is, without a newline it never
 * wrote.  */
static int
flush_partials (struct reader *rd, ferry_error_t *err)
{
  int s;

  for (s = STREAM_STDOUT; s <= STREAM_STDERR; s++)
    {
      struct pending *pd = &rd->partial[s];
      struct record r = { .time = pd->time, .time_len = pd->time_len, .time_ns = pd->time_ns, .stream = s };
      size_t len = pd->len;

      if (len == 0)
        continue;
      pd->len = 0;
      if (emit_line (rd, &r, pd->text, len, 0, err) < 0)
        return -1;
    }
  return 0;
}

/* The bytes of lines still waiting for their newline.  */
struct line_buffer
{
  char *data;
  size_t len;
  size_t allocated;
};

/* Reads what FD has now and processes every complete line.  Returns 0 at
 * the end of the data, -1 on error.  */
static int
read_available (struct reader *rd, int fd, struct line_buffer *lb, ferry_error_t *err)
{
  for (;;)
    {
      ssize_t n;
      size_t start = 0, i;

      if (lb->allocated - lb->len < READ_CHUNK)
        {
          lb->allocated = lb->len + READ_CHUNK * 2;
          lb->data = xrealloc (lb->data, lb->allocated);
        }
      n = read (fd, lb->data + lb->len, lb->allocated - lb->len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return ferry_make_error (err, errno, "cannot read the log `%s`", rd->path);
      if (n == 0)
        return 0;
      for (i = lb->len; i < lb->len + (size_t) n; i++)
        if (lb->data[i] == '\n')
          {
            if (process_line (rd, lb->data + start, i - start, err) < 0)
              return -1;
            start = i + 1;
          }
      lb->len += n;
      memmove (lb->data, lb->data + start, lb->len - start);
      lb->len -= start;
    }
}

/* At the very end: a last line without its newline is still a record.  */
static int
finish (struct reader *rd, struct line_buffer *lb, ferry_error_t *err)
{
  if (lb->len > 0 && process_line (rd, lb->data, lb->len, err) < 0)
    return -1;
  lb->len = 0;
  if (flush_partials (rd, err) < 0)
    return -1;
  return flush_output (rd, err);
}

/* The record from START to END: 1 a full one, 0 a partial one, -1 no
 * record (a line a crash cut short, or garbage).  */
static int
header_kind (int fd, off_t start, off_t end)
{
  char buf[HEADER_MAX];
  size_t want = end - start < (off_t) sizeof (buf) ? (size_t) (end - start) : sizeof (buf);
  ssize_t n = pread (fd, buf, want, start);
  const char *nl;
  struct record r;

  if (n <= 0)
    return -1;
  nl = memchr (buf, '\n', n);
  if (nl)
    n = nl - buf;
  /* The header is parsed; the text, cut short here, does not matter.  */
  if (parse_record (buf, n, &r) != 0)
    return -1;
  return r.partial ? 0 : 1;
}

/* Whether the record from START to END ends a line that --tail counts:
 * a full record, or the newest record even when partial (*NEWEST, cleared
 * at the first record seen from the end).  */
static int
ends_counted_line (int fd, off_t start, off_t end, int *newest)
{
  int kind = header_kind (fd, start, end);
  int counted = kind == 1 || (kind == 0 && *newest);

  if (kind >= 0)
    *newest = 0;
  return counted;
}

/* The offset where the last TAIL lines start: just after the (TAIL +
 * 1)th full record from the end, found reading backwards so that a big
 * log costs no more than its tail.  The last record is a line even when
 * partial (a container that wrote no final newline), as Podman counts
 * it: --tail 1 is that text alone, --tail 0 nothing.  */
static int
tail_offset (int fd, int64_t tail, off_t size, off_t *out, ferry_error_t *err, const char *path)
{
  char buf[READ_CHUNK];
  off_t pos = size, line_end = size;
  int64_t full = 0;
  int newest = 1;

  /* A final newline ends the last line; it does not start a new one.  */
  if (size > 0)
    {
      char last;
      if (pread (fd, &last, 1, size - 1) == 1 && last == '\n')
        line_end = size - 1;
    }
  pos = line_end;
  while (pos > 0)
    {
      size_t want = pos < (off_t) sizeof (buf) ? (size_t) pos : sizeof (buf);
      ssize_t n = pread (fd, buf, want, pos - want);
      ssize_t i;

      if (n < 0 && errno == EINTR)
        continue;
      if (n != (ssize_t) want)
        return ferry_make_error (err, n < 0 ? errno : EIO, "cannot read the log `%s`", path);
      for (i = n - 1; i >= 0; i--)
        {
          off_t nl = pos - want + i;

          if (buf[i] != '\n')
            continue;
          if (ends_counted_line (fd, nl + 1, line_end, &newest) && ++full > tail)
            {
              *out = line_end < size ? line_end + 1 : size;
              return 0;
            }
          line_end = nl;
        }
      pos -= want;
    }
  if (line_end > 0 && ends_counted_line (fd, 0, line_end, &newest) && ++full > tail)
    {
      *out = line_end < size ? line_end + 1 : size;
      return 0;
    }
  *out = 0;
  return 0;
}

static int
open_log (const char *path, int *fd, ferry_error_t *err)
{
  *fd = open (path, O_RDONLY | O_CLOEXEC);
  if (*fd >= 0)
    return 1;
  if (errno == ENOENT)
    return 0;
  return ferry_make_error (err, errno, "cannot open the log `%s`", path);
}

/* Positions a freshly opened log where the reading starts.  */
static int
seek_start (struct reader *rd, int fd, ferry_error_t *err)
{
  struct stat st;
  off_t start = 0;

  if (rd->o->tail < 0)
    return 0;
  if (fstat (fd, &st) < 0)
    return ferry_make_error (err, errno, "cannot stat the log `%s`", rd->path);
  if (tail_offset (fd, rd->o->tail, st.st_size, &start, err, rd->path) < 0)
    return -1;
  if (lseek (fd, start, SEEK_SET) < 0)
    return ferry_make_error (err, errno, "cannot seek in the log `%s`", rd->path);
  return 0;
}

/* Watches the log's directory so that a follower wakes when the log is
 * written, created or replaced; -1 when inotify is not available, and the
 * follower then just polls.  */
static int
watch_log_dir (const char *path)
{
  cleanup_free char *dir = xstrdup (path);
  char *slash = strrchr (dir, '/');
  int fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);

  if (fd < 0)
    return -1;
  if (slash == NULL)
    strcpy (dir, ".");
  else if (slash == dir)
    slash[1] = '\0';
  else
    *slash = '\0';
  if (inotify_add_watch (fd, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static void
wait_for_change (int inotify_fd)
{
  struct pollfd p = { .fd = inotify_fd, .events = POLLIN };
  char events[4096] __attribute__ ((aligned (__alignof__(struct inotify_event))));

  if (inotify_fd < 0)
    {
      struct timespec ts = { 0, FOLLOW_POLL_MS * 1000000L };
      nanosleep (&ts, NULL);
      return;
    }
  if (poll (&p, 1, FOLLOW_POLL_MS) > 0)
    while (read (inotify_fd, events, sizeof (events)) > 0)
      ;
}

/* True when PATH now names another file than FD (the log was replaced, as
 * conmon does when it rotates it) or FD was truncated under us.  */
static int
log_replaced (const char *path, int fd)
{
  struct stat by_path, by_fd;
  off_t pos;

  if (stat (path, &by_path) < 0 || fstat (fd, &by_fd) < 0)
    return 0;
  if (by_path.st_ino != by_fd.st_ino || by_path.st_dev != by_fd.st_dev)
    return 1;
  pos = lseek (fd, 0, SEEK_CUR);
  if (pos > by_fd.st_size)
    {
      lseek (fd, 0, SEEK_SET);
      return 0;
    }
  return 0;
}

/* A follower is done once the container has exited, or once the time
 * --until gave has passed: Podman's follower stops then too, with the
 * container still running.  */
static int
is_done (const struct ferry_log_options *o)
{
  struct timespec now;

  if (o->has_until_ns)
    {
      clock_gettime (CLOCK_REALTIME, &now);
      if ((int64_t) now.tv_sec * 1000000000 + now.tv_nsec > o->until_ns)
        return 1;
    }
  return o->done && o->done (o->done_arg);
}

static int
follow (struct reader *rd, int fd, struct line_buffer *lb, ferry_error_t *err)
{
  cleanup_close int inotify_fd = watch_log_dir (rd->path);
  cleanup_close int log_fd = fd;

  for (;;)
    {
      int done;

      if (log_fd >= 0 && read_available (rd, log_fd, lb, err) < 0)
        return -1;
      if (flush_output (rd, err) < 0)
        return -1;
      done = is_done (rd->o);
      if (log_fd < 0)
        {
          int r = open_log (rd->path, &log_fd, err);
          if (r < 0)
            return -1;
          if (r > 0 && seek_start (rd, log_fd, err) < 0)
            return -1;
          if (r > 0)
            continue;
        }
      else if (log_replaced (rd->path, log_fd))
        {
          /* What the old file still had was read above; go on with the new
           * one from its start.  */
          close (steal_fd (&log_fd));
          if (open_log (rd->path, &log_fd, err) < 0)
            return -1;
          continue;
        }
      if (done)
        {
          /* The container is gone: whatever it wrote is in the file now.  */
          if (log_fd >= 0 && read_available (rd, log_fd, lb, err) < 0)
            return -1;
          return finish (rd, lb, err);
        }
      wait_for_change (inotify_fd);
    }
}

int
ferry_logs_read (const char *path, const struct ferry_log_options *o, int out_fd, int err_fd,
                 ferry_error_t *err)
{
  cleanup_free struct reader *rd = xmalloc0 (sizeof (*rd));
  struct line_buffer lb = { NULL, 0, 0 };
  cleanup_close int fd = -1;
  int ret, r;

  rd->o = o;
  rd->path = path;
  rd->fds[STREAM_STDOUT] = out_fd;
  rd->fds[STREAM_STDERR] = err_fd;
  rd->out_fd = out_fd;
  if (o->since)
    {
      if (parse_time (o->since, o->since + strlen (o->since), &rd->since_ns) < 0)
        return ferry_make_error (err, EINVAL, "invalid time `%s` for since: use RFC 3339, e.g. %s", o->since,
                                 "2026-11-23T10:00:00Z");
      rd->has_since = 1;
    }
  if (o->has_since_ns && (! rd->has_since || o->since_ns > rd->since_ns))
    {
      rd->since_ns = o->since_ns;
      rd->has_since = 1;
    }
  r = open_log (path, &fd, err);
  if (r < 0)
    return -1;
  if (r > 0 && seek_start (rd, fd, err) < 0)
    return -1;
  if (o->follow)
    ret = follow (rd, steal_fd (&fd), &lb, err);
  else if (fd < 0)
    ret = 0;
  else
    {
      ret = read_available (rd, fd, &lb, err);
      if (ret == 0)
        ret = finish (rd, &lb, err);
    }
  if (ret < 0)
    {
      /* Still show what was read before the failure.  */
      ferry_error_t ignored = NULL;
      flush_output (rd, &ignored);
      ferry_error_release (&ignored);
    }
  free (lb.data);
  free (rd->partial[STREAM_STDOUT].text);
  free (rd->partial[STREAM_STDERR].text);
  return ret < 0 ? -1 : 0;
}
