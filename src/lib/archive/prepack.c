#include "prepack.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>
#include <zstd.h>

#define PREPACK_IO_SIZE (4 * 1024 * 1024)

struct follow
{
  struct ferry_prepacked out;
  int in_fd;
  int out_fd;
  ferry_sha256_t *hash;
  ZSTD_CCtx *cctx;
};

struct ferry_prepack
{
  char *images_dir;
  int level;
  char *out_dir;
  int inotify_fd;
  pthread_t thread;
  int thread_started;
  atomic_int writer_done;
  struct follow *files;
  size_t n_files;
  struct ferry_prepacked *results;
  ferry_error_t err;
  unsigned char *in_buf;
  unsigned char *out_buf;
  size_t out_size;
};

static int
is_pages_image (const char *name)
{
  size_t n = strlen (name);
  return strncmp (name, "pages-", 6) == 0 && n > 10 && strcmp (name + n - 4, ".img") == 0;
}

static int
follow_open (ferry_prepack_t *p, const char *name)
{
  cleanup_free char *in_path = xasprintf ("%s/%s", p->images_dir, name);
  struct follow *f;
  int in_fd;

  in_fd = open (in_path, O_RDONLY | O_CLOEXEC);
  if (in_fd < 0)
    return ferry_make_error (&p->err, errno, "cannot open `%s`", in_path);
  p->files = xrealloc (p->files, sizeof (*p->files) * (p->n_files + 1));
  f = &p->files[p->n_files++];
  memset (f, 0, sizeof (*f));
  f->in_fd = in_fd;
  f->out.name = xstrdup (name);
  f->out.path = xasprintf ("%s/%s.zst", p->out_dir, name);
  f->out_fd = open (f->out.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (f->out_fd < 0)
    return ferry_make_error (&p->err, errno, "cannot create `%s`", f->out.path);
  f->hash = ferry_sha256_new ();
  f->cctx = ZSTD_createCCtx ();
  if (f->cctx == NULL)
    return ferry_make_error (&p->err, ENOMEM, "cannot create a zstd compressor");
  ZSTD_CCtx_setParameter (f->cctx, ZSTD_c_compressionLevel, p->level);
  ZSTD_CCtx_setParameter (f->cctx, ZSTD_c_checksumFlag, 1);
  /* One worker: CRIU itself needs the other core while it dumps.  */
  ZSTD_CCtx_setParameter (f->cctx, ZSTD_c_nbWorkers, 1);
  return 0;
}

static int
compress_chunk (ferry_prepack_t *p, struct follow *f, const void *data, size_t len, ZSTD_EndDirective mode)
{
  ZSTD_inBuffer in = { data, len, 0 };

  for (;;)
    {
      ZSTD_outBuffer out = { p->out_buf, p->out_size, 0 };
      size_t remaining = ZSTD_compressStream2 (f->cctx, &out, &in, mode);

      if (ZSTD_isError (remaining))
        return ferry_make_error (&p->err, 0, "cannot compress `%s`: %s", f->out.name,
                                 ZSTD_getErrorName (remaining));
      if (out.pos && ferry_write_all (f->out_fd, p->out_buf, out.pos) < 0)
        return ferry_make_error (&p->err, errno, "cannot write `%s`", f->out.path);
      if (mode == ZSTD_e_continue ? in.pos == in.size : remaining == 0)
        return 0;
    }
}

/* Reads what the file has beyond what was read before.  Returns the bytes
 * taken, or -1.  */
static ssize_t
follow_step (ferry_prepack_t *p, struct follow *f)
{
  ssize_t total = 0;

  for (;;)
    {
      ssize_t n = read (f->in_fd, p->in_buf, PREPACK_IO_SIZE);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return ferry_make_error (&p->err, errno, "cannot read `%s`", f->out.name);
      if (n == 0)
        return total;
      ferry_sha256_update (f->hash, p->in_buf, n);
      f->out.size += n;
      total += n;
      if (compress_chunk (p, f, p->in_buf, n, ZSTD_e_continue) < 0)
        return -1;
    }
}

static int
scan_for_new (ferry_prepack_t *p)
{
  cleanup_dir DIR *d = opendir (p->images_dir);
  struct dirent *de;

  if (d == NULL)
    return ferry_make_error (&p->err, errno, "cannot read `%s`", p->images_dir);
  while ((de = readdir (d)))
    {
      size_t i;
      int known = 0;

      if (! is_pages_image (de->d_name))
        continue;
      for (i = 0; i < p->n_files; i++)
        if (strcmp (p->files[i].out.name, de->d_name) == 0)
          known = 1;
      if (! known && follow_open (p, de->d_name) < 0)
        return -1;
    }
  return 0;
}

static int
follow_close (ferry_prepack_t *p, struct follow *f)
{
  if (compress_chunk (p, f, NULL, 0, ZSTD_e_end) < 0)
    return -1;
  if (close (f->out_fd) < 0)
    {
      f->out_fd = -1;
      return ferry_make_error (&p->err, errno, "cannot write `%s`", f->out.path);
    }
  f->out_fd = -1;
  ferry_sha256_finish (f->hash, f->out.sha256);
  f->hash = NULL;
  return 0;
}

static void *
prepack_thread (void *arg)
{
  ferry_prepack_t *p = arg;

  for (;;)
    {
      int done = atomic_load (&p->writer_done);
      ssize_t progress = 0;
      size_t i;

      if (scan_for_new (p) < 0)
        return NULL;
      for (i = 0; i < p->n_files; i++)
        {
          ssize_t n = follow_step (p, &p->files[i]);
          if (n < 0)
            return NULL;
          progress += n;
        }
      /* DONE was read before this last pass: everything is in now.  */
      if (done)
        {
          for (i = 0; i < p->n_files; i++)
            if (follow_close (p, &p->files[i]) < 0)
              return NULL;
          return NULL;
        }
      if (progress == 0)
        {
          struct pollfd pfd = { p->inotify_fd, POLLIN, 0 };
          char events[4096];

          if (poll (&pfd, 1, 20) > 0)
            while (read (p->inotify_fd, events, sizeof (events)) > 0)
              ;
        }
    }
}

ferry_prepack_t *
ferry_prepack_start (const char *images_dir, const char *out_dir, int level, ferry_error_t *err)
{
  ferry_prepack_t *p = xmalloc0 (sizeof (*p));

  p->images_dir = xstrdup (images_dir);
  p->out_dir = xstrdup (out_dir);
  p->level = level ? level : 1;
  p->in_buf = xmalloc (PREPACK_IO_SIZE);
  p->out_size = ZSTD_CStreamOutSize () * 16;
  p->out_buf = xmalloc (p->out_size);
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
  p->thread_started = 1;
  return p;
}

int
ferry_prepack_finish (ferry_prepack_t *p, const struct ferry_prepacked **out, size_t *n, ferry_error_t *err)
{
  size_t i;

  atomic_store (&p->writer_done, 1);
  if (p->thread_started)
    {
      pthread_join (p->thread, NULL);
      p->thread_started = 0;
    }
  if (p->err)
    {
      *err = steal_pointer (&p->err);
      return -1;
    }
  p->results = xmalloc0 (sizeof (*p->results) * (p->n_files + 1));
  for (i = 0; i < p->n_files; i++)
    p->results[i] = p->files[i].out;
  *out = p->results;
  *n = p->n_files;
  return 0;
}

void
ferry_prepack_free (ferry_prepack_t *p)
{
  size_t i;

  if (p == NULL)
    return;
  if (p->thread_started)
    {
      atomic_store (&p->writer_done, 1);
      pthread_join (p->thread, NULL);
    }
  for (i = 0; i < p->n_files; i++)
    {
      struct follow *f = &p->files[i];
      if (f->in_fd >= 0)
        close (f->in_fd);
      if (f->out_fd >= 0)
        close (f->out_fd);
      ferry_sha256_free (f->hash);
      ZSTD_freeCCtx (f->cctx);
      free (f->out.name);
      free (f->out.path);
    }
  free (p->files);
  free (p->results);
  if (p->inotify_fd >= 0)
    close (p->inotify_fd);
  ferry_error_release (&p->err);
  free (p->in_buf);
  free (p->out_buf);
  free (p->images_dir);
  free (p->out_dir);
  free (p);
}
