/* ferry: container migrate, both ends (migrate.h).  */
#include "ns_modes.h"
#include "userns.h"
#include "migrate.h"
#include "ssh.h"
#include "internal.h"
#include "../runtime/conmon.h"
#include "../runtime/runtime.h"
#include "../state/lock.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/relay.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define PROTOCOL_VERSION "1"
#define FRAME_DATA 'D'
#define FRAME_END 'E'
#define FRAME_COMMIT 'C'
#define FRAME_PAD 'P'
#define FRAME_SYNC 'S'
#define FRAME_HELLO 'H'
/* Padding sent before the freeze: ssh's first megabytes on a connection
 * crawl (12 MB took 0.9 s here, then 0.06 s after 4 MiB had passed), and
 * they would otherwise be the container's.  */
#define WARM_UP_BYTES (4u << 20)
#define FRAME_MAX (4u << 20)
/* How long one end waits for the other's next word once the slow part
 * (dump, transfer, restore) is over.  */
#define ANSWER_TIMEOUT_MS 60000
/* The target's start (ssh, its ferry, its settle), and its restore after
 * the archive's end.  */
#define READY_TIMEOUT_MS 120000
#define RUNNING_TIMEOUT_MS 600000

void
ferry_migrate_stats_release (struct ferry_migrate_stats *s)
{
  free (s->target_id);
  free (s->host);
  s->target_id = NULL;
  s->host = NULL;
}

/* ---- programs read ahead ----------------------------------------------------
 *
 * A container's downtime should not include reading programs from the
 * disk: while the two ends connect, a thread runs with --version what the
 * checkpoint or the restore will run, so that their code is in the page
 * cache by the freeze (on a cold cache this took a 16 MiB container's
 * restore from 0.68 to 0.49 s here).  CRIU itself runs tar and gzip for
 * the container's tmpfs mounts, and iptables (ip6tables and the -restore
 * commands are the same program) to probe the kernel when it keeps no
 * cache of what it found, or to lock the network without nftables.  */

/* What CRIU runs beside itself on either end, for
 * ferry_runtime_warm_up_start.  */
static void
programs_load_start (struct ferry_runtime_warm_up *w, ferry_engine_t *e, int restore)
{
  cleanup_free char *conmon = restore ? ferry_conmon_path () : NULL;
  const char *more[] = { "tar", "gzip", "iptables", conmon, NULL };

  ferry_runtime_warm_up_start (w, &e->runtime, more);
}

static void
programs_load_finish (struct ferry_runtime_warm_up *w)
{
  free (ferry_runtime_warm_up_finish (w));
}

/* ---- frames --------------------------------------------------------------- */

/* A pipe that holds a megabyte (the most an unprivileged process may ask
 * for by default) takes the archive in fewer, larger moves than the
 * default 64 KiB; a pipe that cannot stays as it is.  */
static void
enlarge_pipe (int fd)
{
  fcntl (fd, F_SETPIPE_SZ, 1 << 20);
}

/* A frame's header: its type, and LEN in 32 bits, big-endian.  */
static void
frame_header (unsigned char h[5], char type, uint32_t len)
{
  h[0] = (unsigned char) type;
  h[1] = (unsigned char) (len >> 24);
  h[2] = (unsigned char) (len >> 16);
  h[3] = (unsigned char) (len >> 8);
  h[4] = (unsigned char) len;
}

/* A whole frame; the archive's data frames go by splice instead
 * (send_available).  */
static int
write_frame (int fd, char type, const void *data, uint32_t len)
{
  unsigned char h[5];

  frame_header (h, type, len);
  return ferry_write_all (fd, h, sizeof (h)) < 0 || ferry_write_all (fd, data, len) < 0 ? -1 : 0;
}

/* Reads exactly LEN bytes: 1, or 0 at the end before any, -1 otherwise.  */
static int
read_exact (int fd, void *buf, size_t len)
{
  char *p = buf;
  size_t got = 0;

  while (got < len)
    {
      ssize_t n = read (fd, p + got, len - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = got ? EPIPE : 0;
          return n == 0 && got == 0 ? 0 : -1;
        }
      got += (size_t) n;
    }
  return 1;
}

/* The next frame's header: 1, or 0 at the end of the stream, -1 on a
 * broken one.  */
static int
read_frame_header (int fd, char *type, uint32_t *len)
{
  unsigned char h[5];
  int r = read_exact (fd, h, sizeof (h));

  if (r <= 0)
    return r;
  *type = (char) h[0];
  *len = ((uint32_t) h[1] << 24) | ((uint32_t) h[2] << 16) | ((uint32_t) h[3] << 8) | h[4];
  if ((*type != FRAME_DATA && *type != FRAME_PAD && *type != FRAME_HELLO && *len) || *len > FRAME_MAX)
    {
      errno = EPROTO;
      return -1;
    }
  return 1;
}

/* ---- the source ----------------------------------------------------------- */

struct source
{
  const struct ferry_migrate_request *r;
  struct ferry_ssh_dest dest;
  const char *name; /* the container's, for messages */
  struct ferry_ssh_link link;
  json_object *detail; /* the operation's "migrate" */
  /* The archive: the checkpoint writes it into ARCHIVE_W; the sender
   * thread frames what comes out of ARCHIVE_R onto the link.  */
  int archive_r, archive_w;
  pthread_t sender;
  int sender_started;
  int complete;   /* the archive is whole: its end is an end, not a cut */
  int send_errno; /* the link failed */
  uint64_t bytes;
  long long send_start_us, sent_at_us, running_at_us;
  /* What the target said went wrong, or the link's last words.  */
  char *target_error;
  int outcome_unknown;
  /* Post-copy (--lazy): ssh forwards the target's connections to its
   * socket PAGES_PATH to ours at LISTEN_PATH (in the private directory
   * PAGES_DIR); the target connects at once (PAGES_CONN), and RELAY joins
   * that to CRIU's page server once the dump is done.  */
  char *pages_dir, *listen_path, *pages_path;
  int listen_fd, pages_conn;
  ferry_relay_t *relay;
  long long committed_at_us;
};

/* Frames what the archive pipe holds onto the link: the header, then the
 * bytes moved from pipe to pipe (no copy).  Returns the bytes sent, 0 at
 * the archive's end, -1 when the link failed.  */
static ssize_t
send_available (struct source *s)
{
  struct pollfd pfd = { .fd = s->archive_r, .events = POLLIN };
  unsigned char h[5];
  int avail = 0;
  uint32_t len, left;

  for (;;)
    {
      if (poll (&pfd, 1, -1) < 0 && errno != EINTR)
        return -1;
      if (ioctl (s->archive_r, FIONREAD, &avail) < 0)
        return -1;
      if (avail > 0)
        break;
      if (pfd.revents & (POLLHUP | POLLERR))
        return 0;
    }
  len = (uint32_t) avail < FRAME_MAX ? (uint32_t) avail : FRAME_MAX;
  frame_header (h, FRAME_DATA, len);
  if (ferry_write_all (s->link.in, h, sizeof (h)) < 0)
    return -1;
  for (left = len; left;)
    {
      ssize_t n = splice (s->archive_r, NULL, s->link.in, NULL, left, SPLICE_F_MOVE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EPIPE;
          return -1;
        }
      left -= (uint32_t) n;
    }
  return (ssize_t) len;
}

static void *
sender_main (void *arg)
{
  struct source *s = arg;
  long long last = 0;
  ssize_t n;

  for (;;)
    {
      n = send_available (s);
      if (n < 0)
        {
          s->send_errno = errno;
          break;
        }
      if (s->send_start_us == 0)
        s->send_start_us = ferry_time_monotonic_us ();
      if (n == 0)
        {
          /* A checkpoint that failed half-way sends no end: the target
           * sees the stream cut when the link closes.  */
          if (__atomic_load_n (&s->complete, __ATOMIC_ACQUIRE)
              && write_frame (s->link.in, FRAME_END, NULL, 0) < 0)
            s->send_errno = errno;
          break;
        }
      s->bytes += (uint64_t) n;
      if (s->r->progress && ferry_time_monotonic_us () - last > 250000)
        {
          last = ferry_time_monotonic_us ();
          s->r->progress (s->bytes, last - s->send_start_us, s->r->progress_arg);
        }
    }
  s->sent_at_us = ferry_time_monotonic_us ();
  if (s->r->progress && s->send_start_us)
    s->r->progress (s->bytes, s->sent_at_us - s->send_start_us, s->r->progress_arg);
  /* The checkpoint's writes fail now rather than wait for a reader.  */
  close (s->archive_r);
  s->archive_r = -1;
  return NULL;
}

/* The target's word on a failure: its "error" line, else the link's
 * last words, else what happened to the link.  */
static void
source_take_target_error (struct source *s, long long timeout_ms)
{
  char *line;

  if (s->target_error)
    return;
  while ((line = ferry_ssh_link_read_line (&s->link, timeout_ms)) != NULL)
    {
      if (strncmp (line, "error ", 6) == 0)
        {
          s->target_error = xstrdup (line + 6);
          free (line);
          return;
        }
      free (line);
    }
  /* Its end: ssh has said why by now, or says it as it exits.  */
  ferry_ssh_link_finish (&s->link, 5000);
  s->target_error = ferry_ssh_link_stderr_line (&s->link);
}

static int ask_outcome (const struct ferry_ssh_dest *d, const char *dest_root, const char *dest_runroot,
                        const char *id, ferry_error_t *err);

static int
source_await (void *arg, ferry_error_t *err)
{
  struct source *s = arg;
  cleanup_free char *line = NULL;
  int kept;

  __atomic_store_n (&s->complete, 1, __ATOMIC_RELEASE);
  close (s->archive_w);
  s->archive_w = -1;
  pthread_join (s->sender, NULL);
  s->sender_started = 0;
  /* The archive did not arrive whole: the target cannot run it.  */
  if (s->send_errno)
    {
      source_take_target_error (s, 5000);
      return ferry_make_error (err, s->send_errno,
                               "the connection to %s broke off while the archive was sent%s%s", s->dest.host,
                               s->target_error ? ": " : "", s->target_error ? s->target_error : "");
    }
  ferry_fault_point ("migrate-sent");
  line = ferry_ssh_link_read_line (&s->link, RUNNING_TIMEOUT_MS);
  if (line && strncmp (line, "running ", 8) == 0 && strlen (line + 8) == 64
      && strspn (line + 8, "0123456789abcdef") == 64)
    {
      s->running_at_us = ferry_time_monotonic_us ();
      json_object_object_add (s->detail, "target_id", json_object_new_string (line + 8));
      return 1;
    }
  /* It failed, and undid what it made before it said so.  */
  if (line && strncmp (line, "error ", 6) == 0)
    {
      s->target_error = xstrdup (line + 6);
      return ferry_make_error (err, 0, "%s could not restore it: %s", s->dest.host, s->target_error);
    }
  /* It went away with the whole archive: it may have been restoring it.
   * A copy runs here anyway, and the target undoes its half at its next
   * command; the container itself resumes only once the target says it
   * does not have it.  */
  source_take_target_error (s, 2000);
  if (s->r->name)
    return ferry_make_error (err, 0, "the connection to %s ended before it ran the copy%s%s", s->dest.host,
                             s->target_error ? ": " : "", s->target_error ? s->target_error : "");
  kept = ask_outcome (&s->dest, s->r->dest_root, s->r->dest_runroot,
                      ferry_json_get_string (s->detail, "target_id"), err);
  if (kept == 0)
    return ferry_make_error (err, 0, "%s could not restore it%s%s", s->dest.host, s->target_error ? ": " : "",
                             s->target_error ? s->target_error : "");
  if (kept > 0)
    {
      s->running_at_us = ferry_time_monotonic_us ();
      return 1;
    }
  s->outcome_unknown = 1;
  return ferry_error_wrap (err,
                           "the connection to %s broke off as it restored container %s; it stays frozen here "
                           "until %s answers whether it has it, which the next ferry command asks",
                           s->dest.host, s->name, s->dest.host);
}

static int
source_commit (void *arg, ferry_error_t *err)
{
  struct source *s = arg;
  cleanup_free char *line = NULL;
  int kept;

  if (write_frame (s->link.in, FRAME_COMMIT, NULL, 0) == 0)
    {
      ferry_fault_point ("migrate-committed");
      /* Post-copy: the target keeps it once every page is there.  */
      line = ferry_ssh_link_read_line (&s->link, s->relay ? RUNNING_TIMEOUT_MS : ANSWER_TIMEOUT_MS);
      if (line && strcmp (line, "committed") == 0)
        {
          s->committed_at_us = ferry_time_monotonic_us ();
          return 1;
        }
    }
  /* The answer is lost: the target knows.  */
  kept = ask_outcome (&s->dest, s->r->dest_root, s->r->dest_runroot,
                      ferry_json_get_string (s->detail, "target_id"), err);
  if (kept == 0)
    {
      source_take_target_error (s, 1000);
      ferry_make_error (err, 0, "%s could not keep it%s%s", s->dest.host, s->target_error ? ": " : "",
                        s->target_error ? s->target_error : "");
    }
  if (kept < 0)
    {
      s->outcome_unknown = 1;
      ferry_error_wrap (err,
                        "the connection to %s broke off as container %s was handed over; it stays frozen "
                        "here until %s answers whether it kept it, which the next ferry command asks",
                        s->dest.host, s->name, s->dest.host);
    }
  return kept;
}

/* The dump is done and CRIU's page server ready on PS_FD: the target's
 * lazy-pages daemon, at the other end of PAGES_CONN, gets it from here.  */
static int
source_pages (int ps_fd, void *arg, ferry_error_t *err)
{
  struct source *s = arg;
  int fd = fcntl (ps_fd, F_DUPFD_CLOEXEC, 3);

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot duplicate a socket");
  s->relay = ferry_relay_start (s->pages_conn, fd, err);
  s->pages_conn = -1;
  return s->relay ? 0 : -1;
}

/* A private directory for the socket ssh forwards the target's page
 * requests to (named for this process: what a killed ferry leaves is
 * swept as its staging is), and the name of the socket on the target
 * that it forwards from.  */
static int
pages_listen (ferry_engine_t *e, struct source *s, ferry_error_t *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  cleanup_free char *random = ferry_random_hex (8);
  cleanup_free char *ckroot = xasprintf ("%s/checkpoints", e->runroot);
  cleanup_free char *dir = ferry_operation_make_name (ckroot, "migrate-");

  if (strlen (dir) + 3 > sizeof (sa.sun_path))
    return ferry_make_error (err, ENAMETOOLONG, "the runroot `%s` is too long a path for a socket in it",
                             e->runroot);
  if (ferry_mkdir_p (ckroot, 0700, err) < 0)
    return -1;
  if (mkdir (dir, 0700) < 0)
    return ferry_make_error (err, errno, "cannot create `%s`", dir);
  s->pages_dir = steal_pointer (&dir);
  s->listen_path = xasprintf ("%s/p", s->pages_dir);
  s->pages_path = xasprintf ("/tmp/ferry-pages-%s.sock", random);
  snprintf (sa.sun_path, sizeof (sa.sun_path), "%s", s->listen_path);
  s->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->listen_fd < 0 || bind (s->listen_fd, (struct sockaddr *) &sa, sizeof (sa)) < 0
      || listen (s->listen_fd, 1) < 0)
    return ferry_make_error (err, errno, "cannot listen on `%s`", s->listen_path);
  return 0;
}

/* The target's connection through ssh's forwarding, made as it starts.  */
static int
pages_accept (struct source *s, ferry_error_t *err)
{
  struct pollfd pfd = { .fd = s->listen_fd, .events = POLLIN };
  int r;

  do
    r = poll (&pfd, 1, ANSWER_TIMEOUT_MS);
  while (r < 0 && errno == EINTR);
  if (r == 1)
    s->pages_conn = accept4 (s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (s->pages_conn >= 0)
    return 0;
  return ferry_make_error (err, r == 0 ? ETIMEDOUT : errno,
                           "%s did not connect back through ssh for --lazy (its sshd must allow stream-local "
                           "forwarding); container %s runs here as before",
                           s->dest.host, s->name);
}

static void
pages_release (struct source *s, int abort)
{
  ferry_relay_finish (s->relay, abort);
  s->relay = NULL;
  if (s->pages_conn >= 0)
    close (s->pages_conn);
  if (s->listen_fd >= 0)
    close (s->listen_fd);
  if (s->listen_path)
    unlink (s->listen_path);
  if (s->pages_dir)
    rmdir (s->pages_dir);
  free (s->pages_dir);
  free (s->listen_path);
  free (s->pages_path);
}

/* Asks the target whether container ID stayed there.  */
static int
ask_outcome (const struct ferry_ssh_dest *d, const char *dest_root, const char *dest_runroot, const char *id,
             ferry_error_t *err)
{
  static const char *const options[] = { "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", NULL };
  const char *args[] = { "container", "migrate", "--receive-outcome", id, NULL };
  cleanup_free char *command = NULL;
  cleanup_strv char **argv = NULL;
  cleanup_free char *line = NULL, *why = NULL;
  struct ferry_ssh_link l;

  if (! ferry_id_is_full (id))
    return ferry_make_error (err, 0, "the record of the migration names no container on the target");
  command = ferry_ssh_ferry_command (dest_root, dest_runroot, args);
  argv = ferry_ssh_argv (d, options, command);
  if (ferry_ssh_link_start (&l, argv, -1, -1, err) < 0)
    return -1;
  line = ferry_ssh_link_read_line (&l, ANSWER_TIMEOUT_MS);
  ferry_ssh_link_finish (&l, 5000);
  if (line && strcmp (line, "kept") == 0)
    return 1;
  if (line && strcmp (line, "gone") == 0)
    return 0;
  why = ferry_ssh_link_stderr_line (&l);
  return ferry_make_error (err, 0, "cannot ask %s whether it kept container %.12s%s%s", d->host, id,
                           why ? ": " : "", why ? why : "");
}

int
ferry_migrate_outcome (ferry_engine_t *e, const struct ferry_operation *op, ferry_error_t *err)
{
  json_object *m = json_object_object_get (op->detail, "migrate");
  const char *destination = ferry_json_get_string (m, "destination");
  const char *root = ferry_json_get_string (m, "dest_root");
  const char *runroot = ferry_json_get_string (m, "dest_runroot");
  const char *identity = ferry_json_get_string (m, "identity");
  struct ferry_ssh_dest d;
  int ret;

  (void) e;
  if (destination == NULL || ferry_ssh_dest_parse (destination, &d, err) < 0)
    return ferry_make_error (err, 0, "container %.12s was being migrated, but the record says not where to",
                             op->container_id);
  if ((root && root[0] != '/') || (runroot && runroot[0] != '/') || (identity && identity[0] != '/'))
    {
      ferry_ssh_dest_release (&d);
      return ferry_make_error (err, 0, "container %.12s was being migrated, but the record is damaged",
                               op->container_id);
    }
  d.identity = identity ? xstrdup (identity) : NULL;
  ret = ask_outcome (&d, root, runroot, ferry_json_get_string (m, "target_id"), err);
  if (ret < 0)
    ferry_error_wrap (err,
                      "container %.12s stays frozen until %s answers whether its migration completed; "
                      "the next ferry command asks again",
                      op->container_id, d.host);
  ferry_ssh_dest_release (&d);
  return ret;
}

/* Sends WARM_UP_BYTES of padding and waits until the target has had it
 * all, before the container is touched.  */
static int
warm_up (struct source *s, ferry_error_t *err)
{
  cleanup_free char *zeros = xmalloc0 (1u << 20);
  cleanup_free char *line = NULL;
  uint32_t sent;

  for (sent = 0; sent < WARM_UP_BYTES; sent += 1u << 20)
    if (write_frame (s->link.in, FRAME_PAD, zeros, 1u << 20) < 0)
      break;
  if (sent == WARM_UP_BYTES && write_frame (s->link.in, FRAME_SYNC, NULL, 0) == 0)
    line = ferry_ssh_link_read_line (&s->link, ANSWER_TIMEOUT_MS);
  if (line && strcmp (line, "synced") == 0)
    return 0;
  source_take_target_error (s, 2000);
  return ferry_make_error (
      err, 0, "the connection to %s failed before container %s was touched%s%s; it runs here as before",
      s->dest.host, s->name, s->target_error ? ": " : "", s->target_error ? s->target_error : "");
}

/* Sends C's record and waits for the target to accept it: a target that
 * lacks the image, or has the name or a volume already, says so before
 * the container is touched.  */
static int
hello (struct source *s, const struct ferry_container *c, ferry_error_t *err)
{
  const char *rec = json_object_to_json_string_ext (c->record, JSON_C_TO_STRING_PLAIN);
  cleanup_free char *line = NULL;
  size_t len = strlen (rec);

  if (len > FRAME_MAX)
    return ferry_make_error (err, 0, "the record of container %s is too large to send", c->name);
  if (write_frame (s->link.in, FRAME_HELLO, rec, (uint32_t) len) == 0)
    line = ferry_ssh_link_read_line (&s->link, ANSWER_TIMEOUT_MS);
  if (line && strcmp (line, "accepted") == 0)
    return 0;
  if (line && strncmp (line, "error ", 6) == 0)
    return ferry_make_error (err, 0, "%s cannot take it: %s; container %s runs here as before, untouched",
                             s->dest.host, line + 6, c->name);
  source_take_target_error (s, 2000);
  return ferry_make_error (
      err, 0, "the connection to %s failed before container %s was touched%s%s; it runs here as before",
      s->dest.host, c->name, s->target_error ? ": " : "", s->target_error ? s->target_error : "");
}

/* What a settle needs to ask the target: where it is, and (for a move)
 * the container's ID there, its own.  */
static json_object *
migrate_detail (const struct ferry_migrate_request *r, const char *id)
{
  json_object *d = json_object_new_object ();

  if (r->name == NULL)
    json_object_object_add (d, "target_id", json_object_new_string (id));
  json_object_object_add (d, "destination", json_object_new_string (r->destination));
  if (r->identity)
    json_object_object_add (d, "identity", json_object_new_string (r->identity));
  if (r->dest_root)
    json_object_object_add (d, "dest_root", json_object_new_string (r->dest_root));
  if (r->dest_runroot)
    json_object_object_add (d, "dest_runroot", json_object_new_string (r->dest_runroot));
  return d;
}

int
ferry_container_migrate (ferry_engine_t *e, const char *ref, const struct ferry_migrate_request *r,
                         struct ferry_migrate_stats *stats, ferry_error_t *err)
{
  /* AES-GCM first: ssh puts ChaCha20 first for processors without AES
   * instructions, and on those that have them (all x86-64 machines of
   * the last decade) AES-GCM moves the archive faster (372 against 268
   * MB/s here), while the dump and the compression wait on it.  The '^'
   * keeps the rest of ssh's default list behind it.  */
  static const char *const options[] = { "-o", "ServerAliveInterval=5",
                                         "-o", "ServerAliveCountMax=3",
                                         "-o", "Ciphers=^aes128-gcm@openssh.com,aes256-gcm@openssh.com",
                                         NULL };
  struct source s = { .r = r, .archive_r = -1, .archive_w = -1, .listen_fd = -1, .pages_conn = -1 };
  struct ferry_runtime_warm_up warm = { 0 };
  struct ferry_checkpoint_handover handover = { 0 };
  struct ferry_checkpoint_request cr = { .compression = FERRY_COMPRESSION_ZSTD };
  struct ferry_cr_stats cs;
  const char *args[18], *ssh_options[16];
  cleanup_free char *command = NULL, *line = NULL, *forward = NULL;
  cleanup_strv char **argv = NULL;
  struct ferry_container *c = NULL;
  long long t0 = ferry_time_monotonic_us ();
  size_t n = 0;
  int fds[2], ret = -1, linked = 0;

  memset (stats, 0, sizeof (*stats));
  if (ferry_ssh_dest_parse (r->destination, &s.dest, err) < 0)
    return -1;
  if (r->identity)
    {
      if (r->identity[0] != '/')
        {
          ferry_ssh_dest_release (&s.dest);
          return ferry_make_error (err, 0, "invalid identity file `%s`: give an absolute path", r->identity);
        }
      s.dest.identity = xstrdup (r->identity);
    }
  stats->host = xstrdup (s.dest.host);
  if ((r->dest_root && r->dest_root[0] != '/') || (r->dest_runroot && r->dest_runroot[0] != '/'))
    {
      ferry_make_error (err, 0, "--dest-root and --dest-runroot must be absolute paths on the target");
      goto out;
    }
  if (r->name && ! ferry_container_name_is_valid (r->name))
    {
      ferry_make_error (err, 0,
                        "invalid container name `%s` for --name: names must match "
                        "[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument",
                        r->name);
      goto out;
    }
  /* Found, and running, before anything goes over the wire.  */
  if (ferry_container_find (e, ref, &c, err) < 0)
    goto out;
  if (c->status != FERRY_CONTAINER_RUNNING)
    {
      ferry_make_error_kind (err, FERRY_ERROR_STATE,
                             "container %s is %s: only a running container can be migrated", c->name,
                             ferry_container_status_name (c->status));
      goto out;
    }
  if (ferry_ns_modes_checkpoint_check (c, err) < 0 || ferry_userns_checkpoint_check (c, err) < 0)
    goto out;
  s.name = c->name;
  /* Post-copy needs CRIU's page server here and its lazy restore there;
   * each end says what it lacks before the container is touched.  */
  if (r->lazy && (ferry_runtime_criu_page_server_check (err) < 0 || pages_listen (e, &s, err) < 0))
    {
      ferry_error_wrap (err, "cannot migrate container %s with --lazy", c->name);
      goto out;
    }

  args[n++] = "container";
  args[n++] = "migrate";
  args[n++] = "--receive";
  if (r->lazy)
    {
      args[n++] = "--lazy-pages-socket";
      args[n++] = s.pages_path;
    }
  if (r->name)
    {
      args[n++] = "--name";
      args[n++] = r->name;
    }
  if (r->tcp_established)
    args[n++] = "--tcp-established";
  if (r->file_locks)
    args[n++] = "--file-locks";
  if (r->ignore_rootfs)
    args[n++] = "--ignore-rootfs";
  if (r->ignore_volumes)
    args[n++] = "--ignore-volumes";
  if (r->tls_verify >= 0)
    args[n++] = r->tls_verify ? "--tls-verify=true" : "--tls-verify=false";
  if (r->cert_dir)
    {
      args[n++] = "--cert-dir";
      args[n++] = r->cert_dir;
    }
  args[n] = NULL;
  command = ferry_ssh_ferry_command (r->dest_root, r->dest_runroot, args);
  n = 0;
  for (const char *const *o = options; *o; o++)
    ssh_options[n++] = *o;
  if (r->lazy)
    {
      /* The target's page requests come back over the same connection.  */
      forward = xasprintf ("%s:%s", s.pages_path, s.listen_path);
      ssh_options[n++] = "-o";
      ssh_options[n++] = "ExitOnForwardFailure=yes";
      ssh_options[n++] = "-R";
      ssh_options[n++] = forward;
    }
  ssh_options[n] = NULL;
  argv = ferry_ssh_argv (&s.dest, ssh_options, command);
  programs_load_start (&warm, e, 0);
  if (ferry_ssh_link_start (&s.link, argv, -1, -1, err) < 0)
    goto out;
  linked = 1;
  /* The target answers before the container is touched: an unreachable
   * host, a missing ferry or a bad root cost nothing here.  */
  line = ferry_ssh_link_read_line (&s.link, READY_TIMEOUT_MS);
  if (line == NULL || strcmp (line, "ready " PROTOCOL_VERSION) != 0)
    {
      int timed_out = line == NULL && errno == ETIMEDOUT;
      cleanup_free char *why = NULL;

      if (line && strncmp (line, "error ", 6) == 0)
        why = xstrdup (line + 6);
      else
        {
          ferry_ssh_link_finish (&s.link, 5000);
          why = ferry_ssh_link_stderr_line (&s.link);
        }
      ferry_make_error (err, 0, "cannot reach ferry on %s%s%s; container %s runs here as before", s.dest.host,
                        why ? ": " : (timed_out ? ": it did not answer" : ""), why ? why : "", c->name);
      goto out;
    }

  if ((r->lazy && pages_accept (&s, err) < 0) || warm_up (&s, err) < 0 || hello (&s, c, err) < 0)
    goto out;
  programs_load_finish (&warm);

  if (pipe2 (fds, O_CLOEXEC) < 0)
    {
      ferry_make_error (err, errno, "cannot make a pipe");
      goto out;
    }
  s.archive_r = fds[0];
  s.archive_w = fds[1];
  enlarge_pipe (s.archive_w);
  enlarge_pipe (s.link.in);
  if (pthread_create (&s.sender, NULL, sender_main, &s) != 0)
    {
      ferry_make_error (err, errno, "cannot start a thread");
      goto out;
    }
  s.sender_started = 1;

  s.detail = migrate_detail (r, c->id);
  handover.await = source_await;
  handover.commit = source_commit;
  if (r->lazy)
    handover.pages = source_pages;
  handover.arg = &s;
  handover.detail = s.detail;
  cr.export_path = "-";
  cr.export_fd = s.archive_w;
  cr.handover = &handover;
  /* A copy leaves this one running; a move ends it here once the target
   * has it, and removes it unless asked to keep it.  */
  cr.leave_running = r->name != NULL;
  cr.remove = ! r->keep_source;
  cr.tcp_established = r->tcp_established;
  cr.file_locks = r->file_locks;
  cr.ignore_rootfs = r->ignore_rootfs;
  cr.ignore_volumes = r->ignore_volumes;
  ret = ferry_container_checkpoint (e, c->id, &cr, &cs, err);
  stats->freeze_us = cs.freeze_us;
  stats->dump_us = cs.runtime_us;
  ferry_cr_stats_release (&cs);
  if (s.running_at_us)
    {
      stats->downtime_us = s.running_at_us - cs.frozen_at_us;
      stats->restore_us = s.running_at_us - s.sent_at_us;
      stats->target_id = xstrdup (ferry_json_get_string (s.detail, "target_id"));
    }
  if (s.sent_at_us && s.send_start_us)
    stats->transfer_us = s.sent_at_us - s.send_start_us;
  stats->bytes = s.bytes;
  if (s.committed_at_us && s.running_at_us && r->lazy)
    stats->pages_us = s.committed_at_us - s.running_at_us;
  stats->pages_bytes = ferry_relay_bytes (s.relay);
  /* A copy runs here whatever happened there; say what did.  */
  if (ret == 0 && s.outcome_unknown)
    {
      ferry_make_error (err, 0, "cannot tell whether the copy %s runs on %s: ask there with ferry ps",
                        r->name, s.dest.host);
      ret = -1;
    }
  else if (ret < 0 && ! s.outcome_unknown)
    {
      int link_failed;

      /* The sender is done with the link first: without the archive's
       * end, the target sees the stream cut.  */
      if (s.archive_w >= 0)
        close (s.archive_w);
      s.archive_w = -1;
      if (s.sender_started)
        pthread_join (s.sender, NULL);
      s.sender_started = 0;
      /* The checkpoint failed on its own (say so), or because the link or
       * the target did (say what the target said, if it did).  */
      link_failed = s.send_errno != 0 || (*err)->status == EPIPE || s.target_error != NULL;
      if (link_failed && s.running_at_us == 0 && ! s.target_error)
        source_take_target_error (&s, 2000);
      if (link_failed && s.target_error && ! strstr ((*err)->msg, s.target_error))
        {
          free ((*err)->msg);
          (*err)->msg = xasprintf ("%s could not restore it: %s", s.dest.host, s.target_error);
          (*err)->status = 0;
        }
      {
        /* Post-copy: it ran there before every page had come.  */
        const char *lost = r->lazy && s.running_at_us ? " (what it did there meanwhile is lost)" : "";
        char *msg = (*err)->status ? xasprintf ("%s: %s; it runs here as before%s", (*err)->msg,
                                                strerror ((*err)->status), lost)
                                   : xasprintf ("%s; it runs here as before%s", (*err)->msg, lost);
        free ((*err)->msg);
        (*err)->msg = msg;
        (*err)->status = 0;
      }
    }

out:
  programs_load_finish (&warm);
  if (s.archive_w >= 0)
    close (s.archive_w);
  if (s.sender_started)
    pthread_join (s.sender, NULL);
  if (s.archive_r >= 0)
    close (s.archive_r);
  pages_release (&s, ret < 0);
  if (linked)
    ferry_ssh_link_finish (&s.link, ret == 0 ? 30000 : 5000);
  json_object_put (s.detail);
  free (s.target_error);
  ferry_ssh_dest_release (&s.dest);
  ferry_container_free (c);
  stats->total_us = ferry_time_monotonic_us () - t0;
  return ret;
}

/* ---- the target ----------------------------------------------------------- */

struct target
{
  int in, out;
  int stop;      /* the restore is over: the receiver stops reading */
  int archive_w; /* the restore reads what the receiver thread writes here */
  pthread_t receiver;
  int receiver_started;
  int ended;         /* the archive's end came */
  int recv_errno;    /* the stream broke */
  pid_t lazy_daemon; /* --lazy: CRIU's lazy-pages daemon, once it runs */
};

/* Waits until IN has something to read or T is told to stop: 0 or -1.  */
static int
target_wait_input (struct target *t)
{
  struct pollfd pfd = { .fd = t->in, .events = POLLIN };

  while (! __atomic_load_n (&t->stop, __ATOMIC_ACQUIRE))
    if (poll (&pfd, 1, 200) > 0)
      return 0;
  errno = ECANCELED;
  return -1;
}

/* Reads LEN bytes of a frame into BUF.  */
static int
receive_payload (struct target *t, char *buf, uint32_t len)
{
  uint32_t got = 0;

  while (got < len)
    {
      ssize_t n;

      if (target_wait_input (t) < 0)
        return -1;
      n = read (t->in, buf + got, len - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return -1;
      got += (uint32_t) n;
    }
  return 0;
}

/* Passes LEN bytes of a frame on to the restore: moved from pipe to pipe
 * where the kernel can (no copy), else through BUF.  */
static int
pass_payload (struct target *t, char *buf, uint32_t len)
{
  while (len)
    {
      ssize_t n;

      if (target_wait_input (t) < 0)
        return -1;
      n = splice (t->in, NULL, t->archive_w, NULL, len, SPLICE_F_MOVE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EINVAL)
        {
          /* Standard input is no pipe or socket here.  */
          if (receive_payload (t, buf, len) < 0)
            {
              errno = EPIPE;
              return -1;
            }
          return ferry_write_all (t->archive_w, buf, len);
        }
      if (n == 0)
        errno = EPIPE;
      if (n <= 0)
        return -1;
      len -= (uint32_t) n;
    }
  return 0;
}

static void *
receiver_main (void *arg)
{
  struct target *t = arg;
  cleanup_free char *buf = xmalloc (FRAME_MAX);
  uint32_t len;
  char type;
  int r, received = 0;

  for (;;)
    {
      if (target_wait_input (t) < 0)
        {
          t->recv_errno = errno;
          break;
        }
      r = read_frame_header (t->in, &type, &len);
      if (r <= 0)
        {
          t->recv_errno = r == 0 ? EPIPE : errno;
          break;
        }
      if (type == FRAME_END)
        {
          t->ended = 1;
          break;
        }
      if (type != FRAME_DATA)
        {
          t->recv_errno = EPROTO;
          break;
        }
      /* The restore stopped reading (it failed, and says why), or the
       * stream broke off.  */
      if (pass_payload (t, buf, len) < 0)
        {
          t->recv_errno = errno;
          break;
        }
      if (! received)
        ferry_fault_point ("migrate-receiving");
      received = 1;
    }
  /* A cut stream ends the archive short, which the restore refuses.  */
  close (t->archive_w);
  t->archive_w = -1;
  return NULL;
}

static int
target_handover (const char *id, void *arg, ferry_error_t *err)
{
  struct target *t = arg;
  cleanup_free char *line = xasprintf ("running %s\n", id);
  struct pollfd pfd = { .fd = t->in, .events = POLLIN };
  uint32_t len;
  char type;
  int r;

  pthread_join (t->receiver, NULL);
  t->receiver_started = 0;
  if (! t->ended)
    return ferry_make_error (err, t->recv_errno, "the archive from the source broke off");
  if (ferry_write_all (t->out, line, strlen (line)) < 0)
    return ferry_make_error (err, errno, "cannot answer the source");
  ferry_fault_point ("migrate-running");
  do
    r = poll (&pfd, 1, ANSWER_TIMEOUT_MS);
  while (r < 0 && errno == EINTR);
  if (r == 0)
    return ferry_make_error (err, 0, "the source did not say to keep the container in time");
  if (read_frame_header (t->in, &type, &len) != 1 || type != FRAME_COMMIT)
    return ferry_make_error (err, 0, "the source went away before saying to keep the container");
  /* Post-copy: it stays once every page is here, and not before, or it
   * would run on with pages that never came.  */
  if (t->lazy_daemon > 0)
    {
      ferry_fault_point ("migrate-fetching");
      r = ferry_runtime_criu_lazy_pages_wait (t->lazy_daemon, 0);
      t->lazy_daemon = -1;
      if (r < 0)
        return ferry_make_error (err, 0, "the container's memory did not all arrive from the source");
    }
  return 1;
}

/* Before the archive: the warm-up's padding (dropped) and sync (answered
 * "synced"), then the container's record, which the target checks as an
 * import would before anything is made ("accepted").  */
static int
target_preflight (ferry_engine_t *e, struct target *t, const struct ferry_restore_request *r, char **pulled,
                  ferry_error_t *err)
{
  cleanup_free char *buf = xmalloc (FRAME_MAX + 1);
  uint32_t len;
  char type;

  for (;;)
    {
      int got = read_frame_header (t->in, &type, &len);

      if (got <= 0)
        return ferry_make_error (err, got == 0 ? 0 : errno,
                                 "the source went away before sending the container");
      if (len && read_exact (t->in, buf, len) <= 0)
        return ferry_make_error (err, EPIPE, "the source went away before sending the container");
      if (type == FRAME_PAD)
        continue;
      if (type == FRAME_SYNC)
        {
          if (ferry_write_all (t->out, "synced\n", 7) < 0)
            return ferry_make_error (err, errno, "cannot answer the source");
          continue;
        }
      if (type != FRAME_HELLO)
        return ferry_make_error (err, EPROTO, "the source sent the archive before the container's record");
      {
        cleanup_json json_object *rec
            = ferry_json_parse (buf, len, "the container's record from the source", err);

        if (rec == NULL || ferry_restore_preflight (e, rec, r, pulled, err) < 0)
          return -1;
      }
      if (ferry_write_all (t->out, "accepted\n", 9) < 0)
        return ferry_make_error (err, errno, "cannot answer the source");
      return 0;
    }
}

static void
target_say_error (struct target *t, const ferry_error_t err)
{
  cleanup_free char *line = xasprintf ("error %s\n", err->msg);

  for (char *p = line; *p && p[1]; p++)
    if (*p == '\n')
      *p = ' ';
  ferry_write_all (t->out, line, strlen (line));
}

/* The socket the source's ssh forwards to its page server: a name it
 * made (ssh made the socket, for this user alone), connected to and
 * removed at once.  */
static int
connect_pages (const char *path, ferry_error_t *err)
{
  static const char prefix[] = "/tmp/ferry-pages-";
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  const char *hex = path + strlen (prefix);
  cleanup_close int fd = -1;

  if (strncmp (path, prefix, strlen (prefix)) != 0 || strspn (hex, "0123456789abcdef") != 16
      || strcmp (hex + 16, ".sock") != 0)
    return ferry_make_error (err, EINVAL, "invalid --lazy-pages-socket `%s`", path);
  if (! ferry_runtime_criu_has_lazy_pages ())
    return ferry_make_error (err, 0,
                             "CRIU here cannot restore memory lazily (`criu check --feature uffd-noncoop` "
                             "fails): migrate without --lazy");
  snprintf (sa.sun_path, sizeof (sa.sun_path), "%s", path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &sa, sizeof (sa)) < 0)
    return ferry_make_error (err, errno, "cannot connect to the source's page server through ssh (`%s`)",
                             path);
  unlink (path);
  return steal_fd (&fd);
}

/* Up to the freeze: the page server's connection (--lazy), "ready", then
 * target_preflight.  */
static int
target_begin (ferry_engine_t *e, struct target *t, const struct ferry_restore_request *r,
              const char *pages_socket, int *pages_fd, char **pulled, ferry_error_t *err)
{
  if (pages_socket && (*pages_fd = connect_pages (pages_socket, err)) < 0)
    return -1;
  if (ferry_write_all (t->out, "ready " PROTOCOL_VERSION "\n", 8) < 0)
    return ferry_make_error (err, errno, "cannot answer the source");
  return target_preflight (e, t, r, pulled, err);
}

int
ferry_migrate_receive (ferry_engine_t *e, const struct ferry_restore_request *r, const char *pages_socket,
                       int in, int out, char **id, ferry_error_t *err)
{
  struct ferry_restore_request rr = *r;
  struct target t = { .in = in, .out = out, .archive_w = -1, .lazy_daemon = -1 };
  cleanup_free char *pulled = NULL;
  cleanup_close int pages_fd = -1;
  struct ferry_cr_stats stats;
  struct ferry_runtime_warm_up warm;
  int fds[2], ret;

  *id = NULL;
  ferry_crypto_preload ();
  programs_load_start (&warm, e, 1);
  ret = target_begin (e, &t, r, pages_socket, &pages_fd, &pulled, err);
  programs_load_finish (&warm);
  if (ret < 0)
    {
      target_say_error (&t, *err);
      return -1;
    }
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot make a pipe");
  t.archive_w = fds[1];
  enlarge_pipe (t.archive_w);
  if (pthread_create (&t.receiver, NULL, receiver_main, &t) != 0)
    {
      close (fds[0]);
      close (fds[1]);
      return ferry_make_error (err, errno, "cannot start a thread");
    }
  t.receiver_started = 1;
  rr.import_path = "-";
  rr.import_fd = fds[0];
  rr.handover = target_handover;
  rr.handover_arg = &t;
  if (pages_fd >= 0)
    {
      rr.lazy_pages_fd = pages_fd;
      rr.lazy_daemon = &t.lazy_daemon;
    }
  ret = ferry_container_restore (e, NULL, &rr, id, &stats, err);
  ferry_cr_stats_release (&stats);
  /* The source hears at once; when "committed" is lost it asks again.  */
  if (ret == 0)
    ferry_write_all (out, "committed\n", 10);
  else
    {
      target_say_error (&t, *err);
      ferry_restore_preflight_undo (e, pulled);
    }
  /* A receiver still writing gets EPIPE now, one still reading stops.  */
  close (fds[0]);
  __atomic_store_n (&t.stop, 1, __ATOMIC_RELEASE);
  if (t.receiver_started)
    pthread_join (t.receiver, NULL);
  return ret;
}

int
ferry_migrate_kept (ferry_engine_t *e, const char *id, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  struct ferry_operation op;
  int attempt, pending = 0;

  if (! ferry_id_is_full (id))
    return ferry_make_error (err, EINVAL,
                             "invalid container ID `%s`: 64 lowercase hexadecimal digits expected", id);
  for (attempt = 0; attempt < 2; attempt++)
    {
      /* A receive holds the lock until it has kept or undone the
       * container; a record found under the lock is a dead owner's.  */
      cleanup_lock int lock = ferry_container_lock (e, id, err);

      if (lock < 0 || (pending = ferry_operation_get (e, id, &op, err)) < 0)
        return -1;
      if (! pending)
        break;
      ferry_operation_release (&op);
      ferry_lock_release (lock);
      lock = -1;
      ferry_operations_settle (e);
    }
  if (pending)
    return ferry_make_error (err, 0, "container %.12s has an operation that cannot be settled yet", id);
  if (ferry_container_find (e, id, &c, err) < 0)
    {
      if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
        return -1;
      ferry_error_release (err);
      return 0;
    }
  ferry_container_free (c);
  return 1;
}
