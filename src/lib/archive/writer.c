/* ferry: writing checkpoint archives.
 *
 * libarchive only frames the tar (pax restricted, so plain ustar unless a
 * name needs more); its output goes through a callback into our own
 * compressor.  That way the number of zstd threads and the level are ours,
 * every byte that reaches FD is counted, and every write is checked (a
 * full disk is an error with ENOSPC, never a short archive).  The sha256
 * of each entry is computed from the same buffer that is written, and the
 * manifest that lists them all is the last entry.
 *
 * Into a regular file, the compressed bytes go out in big aligned buffers
 * that a thread of its own writes with O_DIRECT where the file system
 * allows it: the archive is never copied into the page cache (fresh pages
 * for every byte of it, which cost more than compressing it on some
 * virtual machines), the disk works while the next buffer fills, and the
 * caller's fsync finds little left to write.  */
#include "archive.h"
#include "../util/age.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/sign.h"
#include "../util/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/crypto.h>
#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

/* Big enough that zstd's workers get whole jobs and a 1 GiB dump takes a
 * few hundred system calls.  */
#define WRITER_IO_SIZE (4 * 1024 * 1024)
#define WRITER_OUT_SIZE (4 * 1024 * 1024)
/* Output buffers: one filling, the others queued for the output thread.  */
#define WRITER_OUT_BUFS 4
/* O_DIRECT wants offsets, lengths and addresses aligned to the logical
 * block size; no device has larger ones than a page.  */
#define WRITER_ALIGN 4096

#define ZSTD_DEFAULT_LEVEL 1
/* Streamed entries are CRIU's memory pages: mostly binary, where zstd's
 * fast levels lose little size (0.7% on bench/memhog's pages) and halve the
 * time, which the dump is waiting on.  */
#define ZSTD_STREAM_LEVEL (-1)
#define GZIP_DEFAULT_LEVEL 6

/* An entry written while its content still grows (begin/stream/end): its
 * header goes in a frame of fixed size, patched once the size is known.  */
struct stream
{
  bool open;
  char *name;
  unsigned parts;     /* in parts (ferry_archive_writer_stream_in_parts): how many so far */
  uint64_t header_at; /* where its header frame is, from base */
  uint64_t size;
  time_t mtime;
  ferry_sha256_t *hash;
};

/* Seals CHUNKS whole chunks of SRC (the first is chunk FIRST) into DST,
 * placeholders (zeros) for those in [SKIP_FIRST, + SKIP_COUNT), which the
 * writer seals itself later.  One job at a time.  */
struct sealer
{
  pthread_t thread;
  bool started, stop, busy;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  ferry_age_seal_t *seal;
  const unsigned char *src;
  unsigned char *dst;
  size_t chunks;
  uint64_t first, skip_first;
  size_t skip_count;
  bool failed;
};

/* The job set in S.  */
static void
seal_job (struct sealer *s)
{
  for (size_t i = 0; i < s->chunks; i++)
    {
      uint64_t index = s->first + i;
      unsigned char *out = s->dst + i * (FERRY_AGE_CHUNK + FERRY_AGE_TAG);
      ferry_error_t err = NULL;

      if (index >= s->skip_first && index < s->skip_first + s->skip_count)
        memset (out, 0, FERRY_AGE_CHUNK + FERRY_AGE_TAG);
      else if (ferry_age_seal_chunk (s->seal, index, 0, s->src + i * FERRY_AGE_CHUNK, FERRY_AGE_CHUNK, out,
                                     &err)
               < 0)
        {
          ferry_error_release (&err);
          s->failed = true;
        }
    }
}

static void *
sealer_main (void *arg)
{
  struct sealer *s = arg;

  pthread_mutex_lock (&s->lock);
  for (;;)
    {
      while (! s->busy && ! s->stop)
        pthread_cond_wait (&s->cond, &s->lock);
      if (! s->busy)
        break;
      pthread_mutex_unlock (&s->lock);
      seal_job (s);
      pthread_mutex_lock (&s->lock);
      s->busy = false;
      pthread_cond_broadcast (&s->cond);
    }
  pthread_mutex_unlock (&s->lock);
  return NULL;
}

/* Waits for the job in hand; false when one failed.  */
static bool
sealer_wait (struct sealer *s)
{
  bool ok;

  if (! s->started)
    return ! s->failed;
  pthread_mutex_lock (&s->lock);
  while (s->busy)
    pthread_cond_wait (&s->cond, &s->lock);
  ok = ! s->failed;
  pthread_mutex_unlock (&s->lock);
  return ok;
}

/* Starts the job set in S (done here when no thread can start).  */
static void
sealer_post (struct sealer *s)
{
  if (! s->started && ! s->stop)
    {
      pthread_mutex_init (&s->lock, NULL);
      pthread_cond_init (&s->cond, NULL);
      s->started = pthread_create (&s->thread, NULL, sealer_main, s) == 0;
      if (! s->started)
        {
          pthread_cond_destroy (&s->cond);
          pthread_mutex_destroy (&s->lock);
          s->stop = true; /* no thread: not tried again */
        }
    }
  if (! s->started)
    {
      seal_job (s);
      return;
    }
  pthread_mutex_lock (&s->lock);
  s->busy = true;
  pthread_cond_broadcast (&s->cond);
  pthread_mutex_unlock (&s->lock);
}

static void
sealer_stop (struct sealer *s)
{
  if (! s->started)
    return;
  sealer_wait (s);
  pthread_mutex_lock (&s->lock);
  s->stop = true;
  pthread_cond_broadcast (&s->cond);
  pthread_mutex_unlock (&s->lock);
  pthread_join (s->thread, NULL);
  pthread_cond_destroy (&s->cond);
  pthread_mutex_destroy (&s->lock);
  s->started = false;
}

/* The thread that writes full output buffers at their offsets.  Buffer N
 * (counted from the start) is bufs[N % WRITER_OUT_BUFS]; the writer fills
 * buffer QUEUED while the thread writes those from DONE on.  */
struct output
{
  pthread_t thread;
  bool started;
  bool stop;
  bool direct; /* O_DIRECT is set on the descriptor */
  /* O_DIRECT was set at the start: hand out whole blocks only.  Unlike
   * DIRECT, which the thread clears should the file system refuse
   * O_DIRECT after all, it stays as it is.  */
  bool aligned;
  int flags; /* the descriptor's status flags before */
  pthread_mutex_t lock;
  pthread_cond_t changed;
  unsigned char *bufs[WRITER_OUT_BUFS];
  size_t lens[WRITER_OUT_BUFS];
  off_t offsets[WRITER_OUT_BUFS];
  uint64_t queued, done;
  int error; /* errno of the first failed write */
};

struct ferry_archive_writer
{
  int fd;
  enum ferry_compression compression;
  struct archive *ar;

  ZSTD_CCtx *zstd;
  /* gzip: ISA-L's deflate, at many times zlib's speed for a few percent
   * more bytes (image/compress.c measures the same trade).  */
  struct isal_zstream *isal;
  unsigned char *isal_buf;

  unsigned char *out; /* compressed bytes not yet handed out */
  size_t out_len;
  unsigned char *io; /* file contents on their way in */
  uint64_t bytes;    /* handed out: out[0] goes at base + bytes */
  struct output output;

  /* Why the output failed, set inside the libarchive callback.  */
  ferry_error_t sink_err;
  /* Once anything failed, the stream is unusable: nothing more is written,
   * not even the tar trailer when libarchive is freed.  */
  bool broken;
  bool finished;
  bool in_parts;         /* streamed entries go in parts (archive.h) */
  EVP_PKEY *signing_key; /* borrowed; NULL: unsigned */

  /* Encrypting (age): the compressors' bytes gather in PLAIN and go into
   * OUT sealed, a chunk at a time.  NULL: OUT gets them as they are.  */
  ferry_age_seal_t *seal;
  size_t seal_header;   /* bytes of the age header and payload nonce */
  unsigned char *plain; /* WRITER_OUT_SIZE bytes */
  size_t plain_len;
  uint64_t plain_bytes; /* sealed so far: plain[0] is at this offset */
  /* The chunks holding a streamed entry's header frame stay unsealed (a
   * placeholder goes out) until the frame is patched: a chunk is sealed
   * once, never again under the same nonce.  */
  uint64_t pin_first;
  size_t pin_count;
  bool pin_held[2];
  unsigned char *pinned[2];
  /* The whole chunks of a full PLAIN are sealed on a thread of their own
   * while the compressors fill the other buffer: sealing costs about a
   * quarter of what compressing does, and the caller's thread is the one
   * a checkpoint waits on.  */
  struct sealer sealer;
  unsigned char *plain_spare;

  struct stream stream;
  ferry_hash_thread_t *hasher; /* hashes streamed entries beside zstd */
  int level;                   /* zstd's, for everything but streamed entries */
  int workers;                 /* zstd's threads, for everything but streamed entries */
  off_t base;                  /* the descriptor's offset when the writer started */

  /* name -> { "sha256", "size" } in the order added: the manifest.  */
  json_object *files;
  /* Directory names (explicit entries and parents of other entries), so
   * that a name is never both a file and a directory.  */
  json_object *dirs;
};

/* ---- output: compression and the descriptor ---------------------------- */

/* ---- the output thread -------------------------------------------------- */

static int
pwrite_all (int fd, const unsigned char *buf, size_t len, off_t offset)
{
  while (len > 0)
    {
      ssize_t n = pwrite (fd, buf, len, offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        {
          errno = EIO;
          return -1;
        }
      buf += n;
      len -= n;
      offset += n;
    }
  return 0;
}

/* Back to the descriptor's own flags (without O_DIRECT).  */
static void
output_undirect (ferry_archive_writer_t *w)
{
  if (! w->output.direct)
    return;
  fcntl (w->fd, F_SETFL, w->output.flags);
  w->output.direct = false;
}

static void *
output_main (void *data)
{
  ferry_archive_writer_t *w = data;
  struct output *o = &w->output;

  pthread_mutex_lock (&o->lock);
  for (;;)
    {
      size_t i;
      int e = 0;

      while (o->done == o->queued && ! o->stop)
        pthread_cond_wait (&o->changed, &o->lock);
      if (o->done == o->queued)
        break;
      i = o->done % WRITER_OUT_BUFS;
      pthread_mutex_unlock (&o->lock);

      /* o->direct changes only here while writes are queued.  After a
       * failed write the rest is dropped.  */
      if (! o->error && pwrite_all (w->fd, o->bufs[i], o->lens[i], o->offsets[i]) < 0)
        {
          e = errno;
          /* Refused for its alignment: then through the page cache.  */
          if (e == EINVAL && o->direct)
            {
              output_undirect (w);
              e = pwrite_all (w->fd, o->bufs[i], o->lens[i], o->offsets[i]) < 0 ? errno : 0;
            }
        }

      pthread_mutex_lock (&o->lock);
      if (e && ! o->error)
        o->error = e;
      o->done++;
      pthread_cond_broadcast (&o->changed);
    }
  pthread_mutex_unlock (&o->lock);
  return NULL;
}

/* Into a regular file at an aligned offset, the output thread writes,
 * with O_DIRECT if the file system takes it; otherwise (a pipe) the writer
 * writes itself, in order.  */
static void
output_start (ferry_archive_writer_t *w)
{
  struct output *o = &w->output;
  struct stat st;
  size_t i;

  for (i = 0; i < WRITER_OUT_BUFS; i++)
    if (posix_memalign ((void **) &o->bufs[i], WRITER_ALIGN, WRITER_OUT_SIZE) != 0)
      abort ();
  w->out = o->bufs[0];
  if (w->base < 0 || fstat (w->fd, &st) < 0 || ! S_ISREG (st.st_mode))
    return;
  pthread_mutex_init (&o->lock, NULL);
  pthread_cond_init (&o->changed, NULL);
  if (pthread_create (&o->thread, NULL, output_main, w) != 0)
    {
      pthread_cond_destroy (&o->changed);
      pthread_mutex_destroy (&o->lock);
      return;
    }
  o->started = true;
  o->flags = fcntl (w->fd, F_GETFL);
  if (o->flags >= 0 && w->base % WRITER_ALIGN == 0 && fcntl (w->fd, F_SETFL, o->flags | O_DIRECT) == 0)
    o->direct = o->aligned = true;
}

/* Waits until the output thread has written everything queued; returns
 * the errno of the first failed write, or 0.  */
static int
output_drain (struct output *o)
{
  int e;

  if (! o->started)
    return 0;
  pthread_mutex_lock (&o->lock);
  while (o->done < o->queued)
    pthread_cond_wait (&o->changed, &o->lock);
  e = o->error;
  pthread_mutex_unlock (&o->lock);
  return e;
}

static void
output_stop (ferry_archive_writer_t *w)
{
  struct output *o = &w->output;
  size_t i;

  if (o->started)
    {
      pthread_mutex_lock (&o->lock);
      o->stop = true;
      pthread_cond_broadcast (&o->changed);
      pthread_mutex_unlock (&o->lock);
      pthread_join (o->thread, NULL);
      pthread_cond_destroy (&o->changed);
      pthread_mutex_destroy (&o->lock);
      o->started = false;
    }
  output_undirect (w);
  for (i = 0; i < WRITER_OUT_BUFS; i++)
    free (o->bufs[i]);
  w->out = NULL;
}

/* Hands the first LEN bytes of the output buffer to the output thread and
 * carries the rest over into the next buffer.  */
static int
output_queue (ferry_archive_writer_t *w, size_t len)
{
  struct output *o = &w->output;
  unsigned char *next;
  int e;

  pthread_mutex_lock (&o->lock);
  o->lens[o->queued % WRITER_OUT_BUFS] = len;
  o->offsets[o->queued % WRITER_OUT_BUFS] = w->base + (off_t) w->bytes;
  o->queued++;
  pthread_cond_broadcast (&o->changed);
  /* The next buffer is free once the thread is done with it.  */
  while (o->queued - o->done >= WRITER_OUT_BUFS)
    pthread_cond_wait (&o->changed, &o->lock);
  e = o->error;
  pthread_mutex_unlock (&o->lock);
  next = o->bufs[o->queued % WRITER_OUT_BUFS];
  memcpy (next, w->out + len, w->out_len - len);
  w->out = next;
  if (e)
    {
      errno = e;
      return -1;
    }
  return 0;
}

/* Writes out the compressed bytes collected so far: all of them when ALL,
 * else (with O_DIRECT) only whole blocks, the rest waiting for more.  */
static int
out_flush (ferry_archive_writer_t *w, bool all)
{
  struct output *o = &w->output;
  size_t len = w->out_len;
  int r;

  if (o->started && o->aligned && ! all)
    len -= len % WRITER_ALIGN;
  if (len == 0)
    return 0;
  if (o->started)
    r = output_queue (w, len);
  else
    {
      r = ferry_write_all (w->fd, w->out, len);
      memmove (w->out, w->out + len, w->out_len - len);
    }
  w->bytes += len;
  w->out_len -= len;
  if (r < 0)
    return ferry_make_error (&w->sink_err, errno, "cannot write the checkpoint archive");
  return 0;
}

/* Writes out everything and waits for it: the last bytes, which O_DIRECT
 * would refuse for their length, through the page cache.  */
static int
out_finish (ferry_archive_writer_t *w)
{
  size_t tail;
  int e;

  if (out_flush (w, false) < 0)
    return -1;
  if ((e = output_drain (&w->output)) != 0)
    return ferry_make_error (&w->sink_err, e, "cannot write the checkpoint archive");
  output_undirect (w);
  tail = w->out_len;
  if (tail > 0)
    {
      if (w->output.started ? pwrite_all (w->fd, w->out, tail, w->base + (off_t) w->bytes) < 0
                            : ferry_write_all (w->fd, w->out, tail) < 0)
        return ferry_make_error (&w->sink_err, errno, "cannot write the checkpoint archive");
      w->bytes += tail;
      w->out_len = 0;
    }
  /* pwrite leaves the offset alone: leave it at the end, as write would
   * (also when the thread's whole blocks were all there was).  */
  if (w->output.started)
    lseek (w->fd, w->base + (off_t) w->bytes, SEEK_SET);
  return 0;
}

/* Replaces LEN bytes at archive offset AT (relative to base), which were
 * handed out already or are still in the buffer, or partly both.  */
static int
out_patch (ferry_archive_writer_t *w, uint64_t at, const unsigned char *data, size_t len)
{
  size_t on_disk = at >= w->bytes ? 0 : (size_t) (w->bytes - at) < len ? (size_t) (w->bytes - at) : len;
  int e;

  if (on_disk < len)
    memcpy (w->out + (at + on_disk - w->bytes), data + on_disk, len - on_disk);
  if (on_disk == 0)
    return 0;
  if ((e = output_drain (&w->output)) != 0)
    {
      errno = e;
      return -1;
    }
  /* A few bytes in the middle of a block: through the page cache.  The
   * blocks before w->bytes are complete, and O_DIRECT never writes them
   * again.  */
  if (w->output.direct)
    fcntl (w->fd, F_SETFL, w->output.flags);
  e = pwrite_all (w->fd, data, on_disk, w->base + (off_t) at) < 0 ? errno : 0;
  if (w->output.direct)
    fcntl (w->fd, F_SETFL, w->output.flags | O_DIRECT);
  errno = e;
  return e ? -1 : 0;
}

/* ---- encryption: between the compressors and the output ---------------- */

/* The age chunk of plaintext offset AT.  */
static uint64_t
chunk_of (uint64_t at)
{
  return at / FERRY_AGE_CHUNK;
}

static bool
is_pinned (ferry_archive_writer_t *w, uint64_t index)
{
  return w->pin_count > 0 && index >= w->pin_first && index < w->pin_first + w->pin_count;
}

/* Hands the whole chunks of PLAIN but the last to the sealer, with room
 * for them in OUT (pinned ones copied first: they go out as
 * placeholders), and goes on with the other buffer, which gets the rest.
 * The sealer is idle.  */
static int
seal_hand_over (ferry_archive_writer_t *w)
{
  struct sealer *s = &w->sealer;
  size_t chunks = w->plain_len > FERRY_AGE_CHUNK ? (w->plain_len - 1) / FERRY_AGE_CHUNK : 0;
  size_t need = chunks * (FERRY_AGE_CHUNK + FERRY_AGE_TAG), sealed = chunks * FERRY_AGE_CHUNK;
  uint64_t first = chunk_of (w->plain_bytes);
  unsigned char *swap;

  if (chunks == 0)
    return 0;
  if (WRITER_OUT_SIZE - w->out_len < need && out_flush (w, false) < 0)
    return -1;
  if (WRITER_OUT_SIZE - w->out_len < need)
    return ferry_make_error (&w->sink_err, ENOBUFS, "cannot encrypt the archive: no room to seal into");
  for (size_t i = 0; i < w->pin_count; i++)
    if (w->pin_first + i >= first && w->pin_first + i < first + chunks)
      {
        memcpy (w->pinned[i], w->plain + (w->pin_first + i - first) * FERRY_AGE_CHUNK, FERRY_AGE_CHUNK);
        w->pin_held[i] = true;
      }
  s->seal = w->seal;
  s->src = w->plain;
  s->dst = w->out + w->out_len;
  s->chunks = chunks;
  s->first = first;
  s->skip_first = w->pin_first;
  s->skip_count = w->pin_count;
  w->out_len += need;
  /* The rest starts the other buffer, which the compressors fill while
   * the sealer reads this one.  */
  memcpy (w->plain_spare, w->plain + sealed, w->plain_len - sealed);
  swap = w->plain;
  w->plain = w->plain_spare;
  w->plain_spare = swap;
  w->plain_len -= sealed;
  w->plain_bytes += sealed;
  sealer_post (s);
  return 0;
}

/* Seals the whole chunks gathered in PLAIN into OUT, but keeps the last
 * one back until something follows it (the final chunk is marked as
 * such); with LAST, everything, the last chunk marked final.  */
static int
seal_flush (ferry_archive_writer_t *w, bool last)
{
  size_t done = 0;

  if (! sealer_wait (&w->sealer))
    return ferry_make_error (&w->sink_err, 0, "cannot encrypt the archive: ChaCha20-Poly1305 failed");
  if (! last)
    return seal_hand_over (w);
  for (;;)
    {
      size_t left = w->plain_len - done;
      size_t n = left < FERRY_AGE_CHUNK ? left : FERRY_AGE_CHUNK;
      uint64_t index = chunk_of (w->plain_bytes + done);
      bool final = last && left <= FERRY_AGE_CHUNK;

      if (! final && left <= FERRY_AGE_CHUNK)
        break;
      if (WRITER_OUT_SIZE - w->out_len < n + FERRY_AGE_TAG && out_flush (w, false) < 0)
        return -1;
      if (is_pinned (w, index) && ! final)
        {
          /* A placeholder now, the sealed chunk once it is patched.  */
          size_t slot = (size_t) (index - w->pin_first);
          memcpy (w->pinned[slot], w->plain + done, n);
          w->pin_held[slot] = true;
          memset (w->out + w->out_len, 0, n + FERRY_AGE_TAG);
        }
      else if (ferry_age_seal_chunk (w->seal, index, final, w->plain + done, n, w->out + w->out_len,
                                     &w->sink_err)
               < 0)
        return -1;
      w->out_len += n + FERRY_AGE_TAG;
      done += n;
      if (final)
        break;
    }
  memmove (w->plain, w->plain + done, w->plain_len - done);
  w->plain_len -= done;
  w->plain_bytes += done;
  return 0;
}

/* Where the compressors write: OUT, or PLAIN when encrypting.  */
static unsigned char *
stage_buf (ferry_archive_writer_t *w)
{
  return w->seal ? w->plain : w->out;
}

static size_t *
stage_len (ferry_archive_writer_t *w)
{
  return w->seal ? &w->plain_len : &w->out_len;
}

/* The stage is full: on with it.  */
static int
stage_flush (ferry_archive_writer_t *w)
{
  return w->seal ? seal_flush (w, false) : out_flush (w, false);
}

/* The offset the next byte written to the stage gets, counted in the
 * compressed stream (the plaintext of the encryption).  */
static uint64_t
stage_offset (ferry_archive_writer_t *w)
{
  return w->seal ? w->plain_bytes + w->plain_len : w->bytes + w->out_len;
}

/* Keeps the chunks under [AT, AT + LEN) unsealed until seal_unpin.  */
static void
seal_pin (ferry_archive_writer_t *w, uint64_t at, size_t len)
{
  size_t i;

  if (w->seal == NULL)
    return;
  w->pin_first = chunk_of (at);
  w->pin_count = (size_t) (chunk_of (at + len - 1) - w->pin_first + 1);
  for (i = 0; i < w->pin_count; i++)
    {
      if (w->pinned[i] == NULL)
        w->pinned[i] = xmalloc (FERRY_AGE_CHUNK);
      w->pin_held[i] = false;
    }
}

/* Seals the pinned chunks that went out as placeholders and puts them in
 * their place.  */
static int
seal_unpin (ferry_archive_writer_t *w)
{
  cleanup_free unsigned char *sealed = NULL;
  size_t i;
  int r = 0;

  /* The placeholders must be in OUT, and the sealer done with the key.  */
  if (! sealer_wait (&w->sealer))
    r = ferry_make_error (&w->sink_err, 0, "cannot encrypt the archive: ChaCha20-Poly1305 failed");
  for (i = 0; i < w->pin_count && r == 0; i++)
    {
      uint64_t index = w->pin_first + i;

      if (! w->pin_held[i])
        continue;
      if (sealed == NULL)
        sealed = xmalloc (FERRY_AGE_CHUNK + FERRY_AGE_TAG);
      if (ferry_age_seal_chunk (w->seal, index, false, w->pinned[i], FERRY_AGE_CHUNK, sealed, &w->sink_err)
          < 0)
        r = -1;
      else if (out_patch (w, ferry_age_chunk_offset (w->seal_header, index), sealed,
                          FERRY_AGE_CHUNK + FERRY_AGE_TAG)
               < 0)
        r = ferry_make_error (&w->sink_err, errno, "cannot write the checkpoint archive");
    }
  w->pin_count = 0;
  return r;
}

/* Replaces LEN bytes at offset AT of the compressed stream: in OUT, or
 * (encrypting) in PLAIN or a pinned chunk.  */
static int
stage_patch (ferry_archive_writer_t *w, uint64_t at, const unsigned char *data, size_t len)
{
  if (w->seal == NULL)
    {
      if (out_patch (w, at, data, len) < 0)
        return ferry_make_error (&w->sink_err, errno, "cannot write the checkpoint archive");
      return 0;
    }
  while (len > 0)
    {
      uint64_t index = chunk_of (at);
      size_t in_chunk = (size_t) (at % FERRY_AGE_CHUNK), n;
      unsigned char *dst;

      if (at >= w->plain_bytes)
        {
          n = len;
          dst = w->plain + (at - w->plain_bytes);
        }
      else if (is_pinned (w, index) && w->pin_held[index - w->pin_first])
        {
          n = FERRY_AGE_CHUNK - in_chunk < len ? FERRY_AGE_CHUNK - in_chunk : len;
          dst = w->pinned[index - w->pin_first] + in_chunk;
        }
      else
        return ferry_make_error (&w->sink_err, EINVAL,
                                 "cannot patch the archive at %llu: it is sealed already",
                                 (unsigned long long) at);
      memcpy (dst, data, n);
      at += n;
      data += n;
      len -= n;
    }
  return seal_unpin (w);
}

static int
sink_plain (ferry_archive_writer_t *w, const unsigned char *data, size_t len)
{
  while (len > 0)
    {
      size_t *have = stage_len (w);
      size_t n = WRITER_OUT_SIZE - *have;

      if (n > len)
        n = len;
      memcpy (stage_buf (w) + *have, data, n);
      *have += n;
      data += n;
      len -= n;
      if (*have == WRITER_OUT_SIZE && stage_flush (w) < 0)
        return -1;
    }
  return 0;
}

static int
sink_zstd (ferry_archive_writer_t *w, const void *data, size_t len, ZSTD_EndDirective mode)
{
  ZSTD_inBuffer in = { data, len, 0 };

  for (;;)
    {
      ZSTD_outBuffer out = { stage_buf (w), WRITER_OUT_SIZE, *stage_len (w) };
      size_t remaining = ZSTD_compressStream2 (w->zstd, &out, &in, mode);

      if (ZSTD_isError (remaining))
        return ferry_make_error (&w->sink_err, 0, "cannot compress the checkpoint archive: %s",
                                 ZSTD_getErrorName (remaining));
      *stage_len (w) = out.pos;
      if (out.pos == WRITER_OUT_SIZE && stage_flush (w) < 0)
        return -1;
      if (mode == ZSTD_e_continue ? in.pos == in.size : remaining == 0)
        return 0;
    }
}

/* Compresses LEN bytes of DATA; with FINISH, ends the member (its
 * trailer included) once they are in.  */
static int
sink_gzip (ferry_archive_writer_t *w, const void *data, size_t len, bool finish)
{
  struct isal_zstream *z = w->isal;

  z->next_in = (uint8_t *) data;
  z->avail_in = (uint32_t) len; /* libarchive's pieces are far smaller */
  z->flush = NO_FLUSH;
  z->end_of_stream = finish;
  for (;;)
    {
      z->next_out = stage_buf (w) + *stage_len (w);
      z->avail_out = (uint32_t) (WRITER_OUT_SIZE - *stage_len (w));
      if (isal_deflate (z) != COMP_OK)
        return ferry_make_error (&w->sink_err, 0, "cannot compress the checkpoint archive: ISA-L error");
      *stage_len (w) = WRITER_OUT_SIZE - z->avail_out;
      if (*stage_len (w) == WRITER_OUT_SIZE && stage_flush (w) < 0)
        return -1;
      if (finish ? z->internal_state.state == ZSTATE_END : z->avail_in == 0)
        return 0;
    }
}

static int
sink_write (ferry_archive_writer_t *w, const void *data, size_t len)
{
  switch (w->compression)
    {
    case FERRY_COMPRESSION_ZSTD:
      return sink_zstd (w, data, len, ZSTD_e_continue);
    case FERRY_COMPRESSION_GZIP:
      return sink_gzip (w, data, len, false);
    case FERRY_COMPRESSION_NONE:
    default:
      return sink_plain (w, data, len);
    }
}

/* Ends the compressed stream; its last bytes are in the output buffer.  */
static int
sink_finish (ferry_archive_writer_t *w)
{
  if (w->compression == FERRY_COMPRESSION_ZSTD)
    return sink_zstd (w, NULL, 0, ZSTD_e_end);
  if (w->compression == FERRY_COMPRESSION_GZIP)
    return sink_gzip (w, NULL, 0, true);
  return 0;
}

/* Ends the current zstd frame or gzip member, so that bytes framed
 * elsewhere can follow in the output; the next data starts a new frame
 * (member).  Concatenated frames and members are one stream to every
 * reader.  */
static int
sink_end_frame (ferry_archive_writer_t *w)
{
  if (sink_finish (w) < 0)
    return -1;
  /* Its level and wrapper stay.  */
  if (w->compression == FERRY_COMPRESSION_GZIP)
    isal_deflate_reset (w->isal);
  return 0;
}

static la_ssize_t
tar_output (struct archive *ar, void *data, const void *buf, size_t len)
{
  ferry_archive_writer_t *w = data;

  /* libarchive closes the tar when it is freed; after a failure that
   * trailer must not make a broken archive look complete.  */
  if (w->broken)
    return len;
  if (sink_write (w, buf, len) < 0)
    {
      w->broken = true;
      archive_set_error (ar, w->sink_err->status ? w->sink_err->status : EIO, "%s", w->sink_err->msg);
      return -1;
    }
  return len;
}

/* ---- setup ------------------------------------------------------------- */

static int
init_zstd (ferry_archive_writer_t *w, int level, ferry_error_t *err)
{
  long cpus = sysconf (_SC_NPROCESSORS_ONLN);
  size_t r;

  if (level == 0)
    level = ZSTD_DEFAULT_LEVEL;
  if (level < ZSTD_minCLevel () || level > ZSTD_maxCLevel ())
    return ferry_make_error (err, EINVAL, "invalid zstd compression level %d (use %d to %d)", level,
                             ZSTD_minCLevel (), ZSTD_maxCLevel ());
  w->zstd = ZSTD_createCCtx ();
  if (w->zstd == NULL)
    return ferry_make_error (err, ENOMEM, "cannot create a zstd compressor");
  w->level = level;
  r = ZSTD_CCtx_setParameter (w->zstd, ZSTD_c_compressionLevel, level);
  if (! ZSTD_isError (r))
    r = ZSTD_CCtx_setParameter (w->zstd, ZSTD_c_checksumFlag, 1);
  if (ZSTD_isError (r))
    return ferry_make_error (err, EINVAL, "cannot configure the zstd compressor: %s", ZSTD_getErrorName (r));
  /* A libzstd built without threads refuses workers: then one thread it is.  */
  if (cpus > 1 && ! ZSTD_isError (ZSTD_CCtx_setParameter (w->zstd, ZSTD_c_nbWorkers, (int) cpus)))
    w->workers = (int) cpus;
  return 0;
}

static int
init_gzip (ferry_archive_writer_t *w, int level, ferry_error_t *err)
{
  static const uint32_t buf_sizes[]
      = { 0, ISAL_DEF_LVL1_DEFAULT, ISAL_DEF_LVL2_DEFAULT, ISAL_DEF_LVL3_DEFAULT };
  int isal_level;

  if (level == 0)
    level = GZIP_DEFAULT_LEVEL;
  if (level < 1 || level > 9)
    return ferry_make_error (err, EINVAL, "invalid gzip compression level %d (use 1 to 9)", level);
  /* zlib's 1 to 9 onto ISA-L's 1 to 3.  */
  isal_level = level <= 1 ? 1 : level <= 3 ? 2 : 3;
  w->isal = xmalloc0 (sizeof (*w->isal));
  w->isal_buf = xmalloc (buf_sizes[isal_level]);
  isal_deflate_init (w->isal);
  w->isal->level = (uint32_t) isal_level;
  w->isal->level_buf = w->isal_buf;
  w->isal->level_buf_size = buf_sizes[isal_level];
  /* A gzip header and trailer, not a raw deflate stream.  */
  w->isal->gzip_flag = IGZIP_GZIP;
  return 0;
}

static int
init_tar (ferry_archive_writer_t *w, ferry_error_t *err)
{
  w->ar = archive_write_new ();
  if (w->ar == NULL)
    return ferry_make_error (err, ENOMEM, "cannot create a tar writer");
  /* Block size 0: libarchive hands every piece straight to tar_output
   * instead of copying it into 10 KiB records; the compressor buffers.  */
  if (archive_write_set_format_pax_restricted (w->ar) != ARCHIVE_OK
      || archive_write_set_bytes_per_block (w->ar, 0) != ARCHIVE_OK
      || archive_write_open2 (w->ar, w, NULL, tar_output, NULL, NULL) != ARCHIVE_OK)
    return ferry_make_error (err, 0, "cannot create a tar writer: %s", archive_error_string (w->ar));
  return 0;
}

ferry_archive_writer_t *
ferry_archive_writer_new (int fd, enum ferry_compression compression, int level, ferry_error_t *err)
{
  ferry_archive_writer_t *w = xmalloc0 (sizeof (*w));
  int r = 0;

  w->fd = fd;
  w->compression = compression;
  /* -1 for a pipe, or a file opened to append (where pwrite appends):
   * entries cannot be streamed into it (their headers are patched in
   * place), and it is written in order.  */
  w->base = (fcntl (fd, F_GETFL) & O_APPEND) ? -1 : lseek (fd, 0, SEEK_CUR);
  output_start (w);
  w->io = xmalloc (WRITER_IO_SIZE);
  w->hasher = ferry_hash_thread_new ();
  w->files = json_object_new_object ();
  w->dirs = json_object_new_object ();
  if (compression == FERRY_COMPRESSION_ZSTD)
    r = init_zstd (w, level, err);
  else if (compression == FERRY_COMPRESSION_GZIP)
    r = init_gzip (w, level, err);
  else if (compression != FERRY_COMPRESSION_NONE)
    r = ferry_make_error (err, EINVAL, "unknown compression %d", (int) compression);
  if (r == 0)
    r = init_tar (w, err);
  if (r < 0)
    {
      w->broken = true;
      ferry_archive_writer_free (w);
      return NULL;
    }
  return w;
}

void
ferry_archive_writer_free (ferry_archive_writer_t *w)
{
  if (w == NULL)
    return;
  /* Freeing an open libarchive writer closes it: say nothing more to fd.  */
  w->broken = true;
  if (w->ar)
    archive_write_free (w->ar);
  ZSTD_freeCCtx (w->zstd);
  free (w->isal);
  free (w->isal_buf);
  ferry_error_release (&w->sink_err);
  sealer_stop (&w->sealer);
  ferry_age_seal_free (w->seal);
  if (w->plain)
    OPENSSL_cleanse (w->plain, WRITER_OUT_SIZE);
  if (w->plain_spare)
    OPENSSL_cleanse (w->plain_spare, WRITER_OUT_SIZE);
  free (w->plain);
  free (w->plain_spare);
  for (size_t i = 0; i < 2; i++)
    {
      if (w->pinned[i])
        OPENSSL_cleanse (w->pinned[i], FERRY_AGE_CHUNK);
      free (w->pinned[i]);
    }
  json_object_put (w->files);
  json_object_put (w->dirs);
  free (w->stream.name);
  ferry_hash_thread_free (w->hasher);
  ferry_sha256_free (w->stream.hash);
  output_stop (w);
  free (w->io);
  free (w);
}

int
ferry_archive_writer_encrypt (ferry_archive_writer_t *w, const struct ferry_age_key *recipients, size_t n,
                              ferry_error_t *err)
{
  cleanup_free unsigned char *header = NULL;
  size_t len;

  if (w->seal || w->bytes || w->out_len || w->broken)
    return ferry_make_error (err, EINVAL, "cannot encrypt an archive already begun");
  w->seal = ferry_age_seal_new (recipients, n, &header, &len, err);
  if (w->seal == NULL)
    return -1;
  /* The header goes out as it is; everything after it sealed.  */
  memcpy (w->out, header, len);
  w->out_len = len;
  w->seal_header = len;
  w->plain = xmalloc (WRITER_OUT_SIZE);
  w->plain_spare = xmalloc (WRITER_OUT_SIZE);
  return 0;
}

uint64_t
ferry_archive_writer_bytes (ferry_archive_writer_t *w)
{
  return w->bytes;
}

/* ---- entries ----------------------------------------------------------- */

/* The error of a failed libarchive call: ours when the output failed.  */
static int
tar_error (ferry_archive_writer_t *w, const char *name, ferry_error_t *err)
{
  w->broken = true;
  if (w->sink_err)
    {
      int status = w->sink_err->status;
      ferry_make_error (err, status, "cannot add `%s` to the archive: %s", name, w->sink_err->msg);
      return -1 - status;
    }
  return ferry_make_error (err, archive_errno (w->ar) > 0 ? archive_errno (w->ar) : 0,
                           "cannot add `%s` to the archive: %s", name, archive_error_string (w->ar));
}

static int
check_usable (ferry_archive_writer_t *w, const char *name, ferry_error_t *err)
{
  if (w->finished)
    return ferry_make_error (err, EINVAL, "cannot add `%s` to the archive: it is already finished", name);
  if (w->broken)
    return ferry_make_error (err, EIO, "cannot add `%s` to the archive: an earlier write failed", name);
  return 0;
}

static bool
is_file (ferry_archive_writer_t *w, const char *name)
{
  return json_object_object_get_ex (w->files, name, NULL);
}

static bool
is_dir (ferry_archive_writer_t *w, const char *name)
{
  return json_object_object_get_ex (w->dirs, name, NULL);
}

/* Checks NAME and returns its normalised form, or NULL.  A name is taken
 * once, and never both as a file and as the directory of another.  */
static char *
claim_name (ferry_archive_writer_t *w, const char *name, bool dir, ferry_error_t *err)
{
  cleanup_free char *clean = NULL;
  char *slash;

  if (check_usable (w, name, err) < 0)
    return NULL;
  clean = ferry_path_normalize_entry (name);
  if (! ferry_path_is_clean_relative (clean))
    {
      ferry_make_error (err, EINVAL, "cannot add `%s` to the archive: not a clean relative name", name);
      return NULL;
    }
  if (strcmp (clean, FERRY_ARCHIVE_MANIFEST) == 0)
    {
      ferry_make_error (err, EINVAL, "cannot add `%s` to the archive: the name is reserved for the manifest",
                        name);
      return NULL;
    }
  if (is_file (w, clean) || (! dir && is_dir (w, clean)))
    {
      ferry_make_error (err, EEXIST, "cannot add `%s` to the archive: an entry of that name is already there",
                        clean);
      return NULL;
    }
  for (slash = strchr (clean, '/'); slash; slash = strchr (slash + 1, '/'))
    {
      bool taken;

      *slash = '\0';
      taken = is_file (w, clean);
      *slash = '/';
      if (taken)
        {
          ferry_make_error (err, EEXIST, "cannot add `%s` to the archive: `%.*s` is a file in it", clean,
                            (int) (slash - clean), clean);
          return NULL;
        }
    }
  return steal_pointer (&clean);
}

/* Records the directories that NAME, now in the archive, implies.  */
static void
mark_parents (ferry_archive_writer_t *w, const char *entry)
{
  cleanup_free char *name = xstrdup (entry);
  char *slash;

  for (slash = strchr (name, '/'); slash; slash = strchr (slash + 1, '/'))
    {
      *slash = '\0';
      if (! is_dir (w, name))
        json_object_object_add (w->dirs, name, NULL);
      *slash = '/';
    }
}

static struct archive_entry *
new_entry (const char *name, mode_t type, mode_t perm, int64_t size, const struct timespec *mtime)
{
  struct archive_entry *ae = archive_entry_new ();

  if (ae == NULL)
    abort ();
  archive_entry_set_pathname (ae, name);
  archive_entry_set_filetype (ae, type);
  archive_entry_set_perm (ae, perm);
  archive_entry_set_uid (ae, 0);
  archive_entry_set_gid (ae, 0);
  archive_entry_set_size (ae, size);
  archive_entry_set_mtime (ae, mtime->tv_sec, mtime->tv_nsec);
  return ae;
}

static void
remember_file (ferry_archive_writer_t *w, const char *name, ferry_sha256_t *h, uint64_t size)
{
  char digest[FERRY_DIGEST_LEN + 1];
  json_object *e = json_object_new_object ();

  ferry_sha256_finish (h, digest);
  json_object_object_add (e, "sha256", json_object_new_string (digest));
  json_object_object_add (e, "size", json_object_new_int64 ((int64_t) size));
  json_object_object_add (w->files, name, e);
  mark_parents (w, name);
}

static int
write_header (ferry_archive_writer_t *w, struct archive_entry *ae, const char *name, ferry_error_t *err)
{
  int r = archive_write_header (w->ar, ae);

  archive_entry_free (ae);
  /* A warning (a name not in the locale's charset) still wrote it.  */
  if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
    return tar_error (w, name, err);
  return 0;
}

static int
write_data (ferry_archive_writer_t *w, const char *name, const void *data, size_t len, ferry_error_t *err)
{
  la_ssize_t r = archive_write_data (w->ar, data, len);

  if (r < 0 || (size_t) r != len)
    return tar_error (w, name, err);
  return 0;
}

static int
add_data_named (ferry_archive_writer_t *w, const char *name, const void *data, size_t len, ferry_error_t *err)
{
  ferry_sha256_t *h;
  struct timespec now;

  clock_gettime (CLOCK_REALTIME, &now);
  if (write_header (w, new_entry (name, AE_IFREG, 0600, len, &now), name, err) < 0
      || write_data (w, name, data, len, err) < 0)
    return -1;
  h = ferry_sha256_new ();
  ferry_sha256_update (h, data, len);
  remember_file (w, name, h, len);
  return 0;
}

int
ferry_archive_writer_add_data (ferry_archive_writer_t *w, const char *name, const void *data, size_t len,
                               ferry_error_t *err)
{
  cleanup_free char *clean = claim_name (w, name, false, err);

  if (clean == NULL)
    return -1;
  return add_data_named (w, clean, data, len, err);
}

/* LEN - 1 octal digits and a NUL; the caller keeps VALUE in range.  */
static void
octal_field (char *field, size_t len, uint64_t value)
{
  size_t i;

  field[len - 1] = '\0';
  for (i = len - 1; i > 0; i--)
    {
      field[i - 1] = '0' + (value & 7);
      value >>= 3;
    }
}

/* A ustar header of a regular file, mode 0600, owner 0:0.  Sizes of 8 GiB
 * and more use the base-256 form GNU tar and libarchive read.  */
static void
ustar_header (unsigned char h[512], const char *name, uint64_t size, time_t mtime)
{
  unsigned int sum = 0;
  size_t i;

  memset (h, 0, 512);
  memcpy (h, name, strlen (name));
  octal_field ((char *) h + 100, 8, 0600);
  octal_field ((char *) h + 108, 8, 0);
  octal_field ((char *) h + 116, 8, 0);
  if (size < 077777777777ULL)
    octal_field ((char *) h + 124, 12, size);
  else
    {
      h[124] = 0x80;
      for (i = 0; i < 8; i++)
        h[135 - i] = (size >> (8 * i)) & 0xff;
    }
  octal_field ((char *) h + 136, 12, mtime > 0 ? (uint64_t) mtime : 0);
  memset (h + 148, ' ', 8);
  h[156] = '0';
  memcpy (h + 257, "ustar", 6);
  memcpy (h + 263, "00", 2);
  for (i = 0; i < 512; i++)
    sum += h[i];
  octal_field ((char *) h + 148, 7, sum);
  h[155] = ' ';
}

/* A zstd frame of exactly STREAM_HEADER_FRAME bytes holding one raw
 * (uncompressed) block: the 512-byte tar header.  Its size does not depend
 * on the header's content, so it can be written first and patched later.  */
#define STREAM_HEADER_FRAME (4 + 1 + 2 + 3 + 512)

static void
header_frame (unsigned char frame[STREAM_HEADER_FRAME], const unsigned char header[512])
{
  static const unsigned char prefix[] = {
    0x28, 0xb5, 0x2f, 0xfd, /* magic */
    0x60,                   /* one segment, 2-byte content size, no checksum */
    0x00, 0x01,             /* content size 512 (stored as 512 - 256) */
    0x01, 0x10, 0x00,       /* last block, raw, 512 bytes */
  };

  memcpy (frame, prefix, sizeof (prefix));
  memcpy (frame + sizeof (prefix), header, 512);
}

/* Sets the level and the number of workers for the frames that follow.
 * zstd refuses a change of workers inside a frame, and takes a change of
 * level there only for the next job: between frames only, and checked, so
 * that an archive is never silently compressed otherwise.  */
static int
zstd_frame_params (ferry_archive_writer_t *w, int level, int workers)
{
  size_t r = ZSTD_CCtx_setParameter (w->zstd, ZSTD_c_compressionLevel, level);

  if (! ZSTD_isError (r) && w->workers)
    r = ZSTD_CCtx_setParameter (w->zstd, ZSTD_c_nbWorkers, workers);
  if (ZSTD_isError (r))
    return ferry_make_error (&w->sink_err, 0, "cannot configure the zstd compressor: %s",
                             ZSTD_getErrorName (r));
  return 0;
}

void
ferry_archive_writer_stream_in_parts (ferry_archive_writer_t *w)
{
  w->in_parts = true;
}

int
ferry_archive_writer_can_stream (ferry_archive_writer_t *w)
{
  return (w->in_parts || (w->compression == FERRY_COMPRESSION_ZSTD && w->base >= 0)) && ! w->broken
         && ! w->finished;
}

/* Streamed in parts: each piece of content as it comes is an entry of its
 * own, NAME.ferry-part-NNNNNNNN, numbered from 0.  */
static int
stream_part (ferry_archive_writer_t *w, const void *data, size_t len, ferry_error_t *err)
{
  cleanup_free char *name = NULL;
  struct timespec mtime = { w->stream.mtime, 0 };

  if (w->stream.parts > FERRY_ARCHIVE_PART_MAX)
    return ferry_make_error (err, EFBIG, "cannot add `%s`: too many parts", w->stream.name);
  name = xasprintf ("%s" FERRY_ARCHIVE_PART_SUFFIX "%08u", w->stream.name, w->stream.parts);
  if (write_header (w, new_entry (name, AE_IFREG, 0600, (int64_t) len, &mtime), name, err) < 0
      || (len && write_data (w, name, data, len, err) < 0))
    {
      w->broken = true;
      return -1;
    }
  w->stream.parts++;
  return 0;
}

int
ferry_archive_writer_begin_stream (ferry_archive_writer_t *w, const char *name, ferry_error_t *err)
{
  unsigned char header[512], frame[STREAM_HEADER_FRAME];
  cleanup_free char *clean = NULL;

  if (! ferry_archive_writer_can_stream (w) || w->stream.open)
    return ferry_make_error (err, EINVAL, "cannot stream `%s` into this archive", name);
  clean = claim_name (w, name, false, err);
  if (clean == NULL)
    return -1;
  if (w->in_parts)
    {
      w->stream.open = true;
      w->stream.name = steal_pointer (&clean);
      w->stream.size = 0;
      w->stream.parts = 0;
      w->stream.mtime = time (NULL);
      w->stream.hash = ferry_sha256_new ();
      return 0;
    }
  if (strlen (clean) >= 100)
    return ferry_make_error (err, ENAMETOOLONG, "cannot stream `%s`: the name is too long", clean);
  /* libarchive pads the previous entry lazily: have it do so now, before
   * bytes of our own follow.  */
  if (archive_write_finish_entry (w->ar) != ARCHIVE_OK)
    return tar_error (w, clean, err);
  if (sink_end_frame (w) < 0)
    goto sink_failed;
  /* Between frames, so the level applies from the content's first frame.
   * Compressed in this thread: a streamed entry already has the caller's
   * thread, the hasher's and CRIU's running beside it, and zstd's workers
   * would only add copies and hand-overs (1 GiB: 1.36 s against 1.22 s).  */
  if (zstd_frame_params (w, ZSTD_STREAM_LEVEL, 0) < 0)
    goto sink_failed;
  w->stream.header_at = stage_offset (w);
  seal_pin (w, w->stream.header_at, sizeof (frame));
  ustar_header (header, clean, 0, 0);
  header_frame (frame, header);
  if (sink_plain (w, frame, sizeof (frame)) < 0)
    goto sink_failed;
  w->stream.open = true;
  w->stream.name = steal_pointer (&clean);
  w->stream.size = 0;
  w->stream.mtime = time (NULL);
  w->stream.hash = ferry_sha256_new ();
  return 0;

sink_failed:
  w->broken = true;
  *err = steal_pointer (&w->sink_err);
  return ferry_error_wrap (err, "cannot add `%s`", name);
}

int
ferry_archive_writer_stream_data (ferry_archive_writer_t *w, const void *data, size_t len, ferry_error_t *err)
{
  if (! w->stream.open)
    return ferry_make_error (err, EINVAL, "no entry is being streamed");
  /* Hashed on a thread of its own while this one compresses the same
   * bytes: DATA stays the caller's until the next call returns.  */
  ferry_hash_thread_post (w->hasher, w->stream.hash, data, len);
  w->stream.size += len;
  if (w->in_parts)
    {
      if (stream_part (w, data, len, err) < 0)
        {
          ferry_hash_thread_wait (w->hasher);
          return ferry_error_wrap (err, "cannot add `%s`", w->stream.name);
        }
      return 0;
    }
  if (sink_write (w, data, len) < 0)
    {
      ferry_hash_thread_wait (w->hasher); /* DATA is the caller's again */
      w->broken = true;
      *err = steal_pointer (&w->sink_err);
      return ferry_error_wrap (err, "cannot add `%s`", w->stream.name);
    }
  return 0;
}

int
ferry_archive_writer_end_stream (ferry_archive_writer_t *w, ferry_error_t *err)
{
  static const unsigned char zeros[512];
  unsigned char header[512], frame[STREAM_HEADER_FRAME];
  char digest[FERRY_DIGEST_LEN + 1];
  cleanup_free char *name = NULL;
  json_object *e;

  if (! w->stream.open)
    return ferry_make_error (err, EINVAL, "no entry is being streamed");
  if (w->in_parts)
    {
      ferry_hash_thread_wait (w->hasher);
      /* An empty file is one empty part.  */
      if (w->stream.parts == 0 && stream_part (w, NULL, 0, err) < 0)
        return ferry_error_wrap (err, "cannot add `%s`", w->stream.name);
      name = steal_pointer (&w->stream.name);
      w->stream.open = false;
      remember_file (w, name, steal_pointer (&w->stream.hash), w->stream.size);
      return 0;
    }
  name = steal_pointer (&w->stream.name);
  w->stream.open = false;
  ferry_hash_thread_wait (w->hasher);
  /* The padding starts the next frame: the content's frames end here.  */
  if (sink_end_frame (w) < 0 || zstd_frame_params (w, w->level, w->workers) < 0
      || (w->stream.size % 512 && sink_write (w, zeros, 512 - w->stream.size % 512) < 0))
    {
      w->broken = true;
      *err = steal_pointer (&w->sink_err);
      return ferry_error_wrap (err, "cannot add `%s`", name);
    }
  ustar_header (header, name, w->stream.size, w->stream.mtime);
  header_frame (frame, header);
  if (stage_patch (w, w->stream.header_at, frame, sizeof (frame)) < 0)
    {
      int status = w->sink_err->status;
      w->broken = true;
      ferry_make_error (err, status, "cannot write the header of `%s` into the archive: %s", name,
                        w->sink_err->msg);
      return -1 - status;
    }
  ferry_sha256_finish (w->stream.hash, digest);
  w->stream.hash = NULL;
  e = json_object_new_object ();
  json_object_object_add (e, "sha256", json_object_new_string (digest));
  json_object_object_add (e, "size", json_object_new_int64 ((int64_t) w->stream.size));
  json_object_object_add (w->files, name, e);
  mark_parents (w, name);
  return 0;
}

void
ferry_archive_writer_abort_stream (ferry_archive_writer_t *w)
{
  /* The caller frees the buffer it streamed last: the hasher may be
   * reading it still.  */
  ferry_hash_thread_wait (w->hasher);
  w->broken = true;
}

/* Streams the regular file open at FD (described by ST) as entry NAME.
 * PATH names it in errors.  */
static int
add_fd (ferry_archive_writer_t *w, const char *name, int fd, const struct stat *st, const char *path,
        ferry_error_t *err)
{
  ferry_sha256_t *h;
  uint64_t left = st->st_size;

  if (write_header (w, new_entry (name, AE_IFREG, 0600, st->st_size, &st->st_mtim), name, err) < 0)
    return -1;
  h = ferry_sha256_new ();
  while (left > 0)
    {
      size_t want = left < WRITER_IO_SIZE ? left : WRITER_IO_SIZE;
      ssize_t n = read (fd, w->io, want);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          /* The header promised st_size bytes: the archive cannot go on.  */
          w->broken = true;
          ferry_sha256_free (h);
          if (n == 0)
            return ferry_make_error (err, EIO, "cannot add `%s` to the archive: it shrank while being read",
                                     path);
          return ferry_make_error (err, errno, "cannot read `%s`", path);
        }
      ferry_sha256_update (h, w->io, n);
      if (write_data (w, name, w->io, n, err) < 0)
        {
          ferry_sha256_free (h);
          return -1;
        }
      left -= n;
    }
  remember_file (w, name, h, st->st_size);
  return 0;
}

static int
not_regular_error (const char *path, mode_t mode, ferry_error_t *err)
{
  const char *what = S_ISLNK (mode)    ? "a symbolic link"
                     : S_ISCHR (mode)  ? "a character device"
                     : S_ISBLK (mode)  ? "a block device"
                     : S_ISFIFO (mode) ? "a FIFO"
                     : S_ISSOCK (mode) ? "a socket"
                     : S_ISDIR (mode)  ? "a directory"
                                       : "not a regular file";

  return ferry_make_error (err, EINVAL, "cannot add `%s` to the archive: it is %s, not a regular file", path,
                           what);
}

/* Adds the file open at FD as NAME once fstat shows it a regular file
 * (PATH names it in errors).  */
static int
add_opened (ferry_archive_writer_t *w, const char *name, int fd, const char *path, ferry_error_t *err)
{
  struct stat st;

  if (fstat (fd, &st) < 0)
    return ferry_make_error (err, errno, "cannot stat `%s`", path);
  if (! S_ISREG (st.st_mode))
    return not_regular_error (path, st.st_mode, err);
  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return add_fd (w, name, fd, &st, path, err);
}

int
ferry_archive_writer_add_file (ferry_archive_writer_t *w, const char *name, const char *path,
                               ferry_error_t *err)
{
  cleanup_free char *clean = claim_name (w, name, false, err);
  cleanup_close int fd = -1;

  if (clean == NULL)
    return -1;
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", path);
  return add_opened (w, clean, fd, path, err);
}

/* ---- directories ------------------------------------------------------- */

/* Explicit directory entries carry a non-NULL value in w->dirs.  */
static bool
is_dir_entry (ferry_archive_writer_t *w, const char *name)
{
  return json_object_object_get (w->dirs, name) != NULL;
}

/* Adds directory NAME, once: adding two trees under one prefix merges them
 * (their files must still differ).  */
static int
add_dir_entry (ferry_archive_writer_t *w, const char *name, const struct stat *st, ferry_error_t *err)
{
  cleanup_free char *clean = claim_name (w, name, true, err);

  if (clean == NULL)
    return -1;
  if (is_dir_entry (w, clean))
    return 0;
  if (write_header (w, new_entry (clean, AE_IFDIR, 0700, 0, &st->st_mtim), clean, err) < 0)
    return -1;
  json_object_object_add (w->dirs, clean, json_object_new_boolean (1));
  mark_parents (w, clean);
  return 0;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The names in directory D, sorted.  */
static char **
sorted_names (DIR *d, const char *path, ferry_error_t *err)
{
  cleanup_strv char **names = xmalloc0 (sizeof (char *));
  size_t n = 0, allocated = 1;
  struct dirent *de;

  for (errno = 0; (de = readdir (d)); errno = 0)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (n + 1 >= allocated)
        {
          allocated *= 2;
          names = xrealloc (names, allocated * sizeof (char *));
        }
      names[n++] = xstrdup (de->d_name);
      names[n] = NULL;
    }
  if (errno != 0)
    {
      ferry_make_error (err, errno, "cannot read directory `%s`", path);
      return NULL;
    }
  qsort (names, n, sizeof (char *), compare_names);
  return steal_pointer (&names);
}

static int add_tree (ferry_archive_writer_t *w, int dfd, const char *prefix, const char *path,
                     ferry_error_t *err);

/* Adds CHILD of the directory open at DFD as entry NAME; PATH names it in
 * errors.  Only directories and regular files can be carried.  */
static int
add_tree_child (ferry_archive_writer_t *w, int dfd, const char *child, const char *name, const char *path,
                ferry_error_t *err)
{
  cleanup_free char *clean = NULL;
  cleanup_close int fd = -1;
  struct stat st;

  if (fstatat (dfd, child, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return ferry_make_error (err, errno, "cannot stat `%s`", path);
  if (S_ISDIR (st.st_mode))
    {
      fd = openat (dfd, child, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return ferry_make_error (err, errno, "cannot open directory `%s`", path);
      if (add_dir_entry (w, name, &st, err) < 0)
        return -1;
      return add_tree (w, steal_fd (&fd), name, path, err);
    }
  if (! S_ISREG (st.st_mode))
    return not_regular_error (path, st.st_mode, err);
  /* Streamed in already (begin/end_stream) while it was being written.  */
  if (is_file (w, name))
    return 0;
  clean = claim_name (w, name, false, err);
  if (clean == NULL)
    return -1;
  fd = openat (dfd, child, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", path);
  /* It may have been replaced since the fstatat: add_opened looks again.  */
  return add_opened (w, clean, fd, path, err);
}

/* Adds the children of the directory open at DFD (which it takes) as
 * PREFIX/<name>, or <name> for an empty PREFIX.  PATH names DFD in errors.  */
static int
add_tree (ferry_archive_writer_t *w, int dfd, const char *prefix, const char *path, ferry_error_t *err)
{
  cleanup_dir DIR *d = fdopendir (dfd);
  cleanup_strv char **names = NULL;
  char **it;

  if (d == NULL)
    {
      int saved = errno;
      close (dfd);
      return ferry_make_error (err, saved, "cannot read directory `%s`", path);
    }
  names = sorted_names (d, path, err);
  if (names == NULL)
    return -1;
  for (it = names; *it; it++)
    {
      cleanup_free char *name = *prefix ? xasprintf ("%s/%s", prefix, *it) : xstrdup (*it);
      cleanup_free char *child_path = xasprintf ("%s/%s", path, *it);

      if (add_tree_child (w, dirfd (d), *it, name, child_path, err) < 0)
        return -1;
    }
  return 0;
}

int
ferry_archive_writer_add_directory (ferry_archive_writer_t *w, const char *name, ferry_error_t *err)
{
  struct stat st = { 0 };

  clock_gettime (CLOCK_REALTIME, &st.st_mtim);
  return add_dir_entry (w, name, &st, err);
}

int
ferry_archive_writer_add_dir (ferry_archive_writer_t *w, const char *prefix, const char *dir,
                              ferry_error_t *err)
{
  cleanup_free char *clean = NULL;
  cleanup_close int fd = -1;
  struct stat st;

  if (check_usable (w, dir, err) < 0)
    return -1;
  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open directory `%s`", dir);
  if (fstat (fd, &st) < 0)
    return ferry_make_error (err, errno, "cannot stat `%s`", dir);
  if (prefix == NULL || *prefix == '\0')
    return add_tree (w, steal_fd (&fd), "", dir, err);
  clean = ferry_path_normalize_entry (prefix);
  /* The prefix directory itself is an entry too, as `tar -C parent dir`
   * would write it; checkpointctl expects "checkpoint/".  */
  if (add_dir_entry (w, clean, &st, err) < 0)
    return -1;
  return add_tree (w, steal_fd (&fd), clean, dir, err);
}

/* ---- the end ----------------------------------------------------------- */

static char *
manifest_text (ferry_archive_writer_t *w, size_t *len)
{
  cleanup_json json_object *m = json_object_new_object ();

  json_object_object_add (m, "format", json_object_new_string (FERRY_ARCHIVE_FORMAT));
  json_object_object_add (m, "version", json_object_new_int (FERRY_ARCHIVE_VERSION));
  json_object_object_add (m, "entries", json_object_get (w->files));
  {
    const char *s = ferry_json_to_string (m, 1);
    char *text = xasprintf ("%s\n", s);
    *len = strlen (text);
    return text;
  }
}

void
ferry_archive_writer_set_signing_key (ferry_archive_writer_t *w, EVP_PKEY *key)
{
  w->signing_key = key;
}

/* manifest.sig, right after the manifest it signs.  */
static int
write_signature (ferry_archive_writer_t *w, const char *manifest, size_t len, const struct timespec *now,
                 ferry_error_t *err)
{
  cleanup_free char *doc = ferry_sign (w->signing_key, manifest, len, err);

  if (doc == NULL)
    return -1;
  if (write_header (w, new_entry (FERRY_ARCHIVE_SIGNATURE, AE_IFREG, 0600, strlen (doc), now),
                    FERRY_ARCHIVE_SIGNATURE, err)
          < 0
      || write_data (w, FERRY_ARCHIVE_SIGNATURE, doc, strlen (doc), err) < 0)
    return -1;
  return 0;
}

int
ferry_archive_writer_finish (ferry_archive_writer_t *w, ferry_error_t *err)
{
  cleanup_free char *manifest = NULL;
  size_t len = 0;
  struct timespec now;

  if (check_usable (w, FERRY_ARCHIVE_MANIFEST, err) < 0)
    return -1;
  manifest = manifest_text (w, &len);
  clock_gettime (CLOCK_REALTIME, &now);
  if (write_header (w, new_entry (FERRY_ARCHIVE_MANIFEST, AE_IFREG, 0600, len, &now), FERRY_ARCHIVE_MANIFEST,
                    err)
          < 0
      || write_data (w, FERRY_ARCHIVE_MANIFEST, manifest, len, err) < 0)
    return -1;
  if (w->signing_key && write_signature (w, manifest, len, &now, err) < 0)
    return -1;
  if (archive_write_close (w->ar) != ARCHIVE_OK)
    return tar_error (w, "the end-of-archive marker", err);
  w->finished = true;
  if (sink_finish (w) < 0 || (w->seal && seal_flush (w, true) < 0) || out_finish (w) < 0)
    {
      int status = w->sink_err->status;
      w->broken = true;
      ferry_make_error (err, status, "%s", w->sink_err->msg);
      return -1 - status;
    }
  return 0;
}
