/* ferry: extracting and verifying checkpoint archives.
 *
 * The bytes come through ferry_decompress (gzip, zstd or plain, told by the
 * magic bytes); libarchive only parses the tar from them and never touches
 * the file system.  Each entry is checked before anything is created:
 * clean relative name, a regular file or a directory, allowed by the
 * caller, not seen before, nothing after the manifest.  Files are created
 * with O_EXCL below a parent resolved by openat2() with RESOLVE_IN_ROOT |
 * RESOLVE_NO_SYMLINKS, so no name can lead outside DIR, and hashed as they
 * are written.  The manifest is kept in memory and checked at the end
 * against what was actually extracted.  */
#include "archive.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/prefetch.h"
#include "../util/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define READER_BUF_SIZE (4 * 1024 * 1024)
/* A callback returns once it has this much, so that libarchive hands out
 * big blocks without waiting for a slow pipe to fill all of the buffer.  */
#define READER_BLOCK_MIN (1024 * 1024)
/* The manifest lists a few thousand entries at most.  */
#define MANIFEST_MAX_SIZE (16 * 1024 * 1024)

/* What ferry_decompress calls the stream in its messages.  */
#define DECOMPRESS_NAME "`archive`"

/* Entries this big are hashed by one more thread and written by another,
 * in chunks of this size, at most this many queued.  */
#define FILE_WRITER_MIN_SIZE (8 * 1024 * 1024)
#define FILE_WRITER_CHUNK (1024 * 1024)
#define FILE_WRITER_SLOTS 16

struct file_writer
{
  pthread_t hasher, writer;
  bool hasher_started, writer_started, started;
  bool stop;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  /* A ring of chunks, counted since the start: chunk N sits in slot
   * N % FILE_WRITER_SLOTS from when it is queued until both threads are
   * past it.  */
  unsigned char *bufs[FILE_WRITER_SLOTS];
  size_t lens[FILE_WRITER_SLOTS];
  uint64_t queued, hashed, written;
  /* The file being written.  */
  int fd;
  ferry_sha256_t *hash;
  int write_errno;
};

struct reader
{
  const char *what;
  const char *dir;
  int (*allowed) (const char *name);
  int dirfd;

  ferry_prefetch_t *prefetch;
  int fd;
  /* Opens an encrypted archive; lets any other through.  */
  ferry_age_open_t *age;
  const struct ferry_archive_keys *keys;
  ferry_decompress_t *stream;
  ferry_error_t read_err; /* why the stream failed, if it did */
  unsigned char *buf;
  size_t peeked; /* bytes already in buf, handed to libarchive first */
  struct archive *ar;
  uint64_t entries;
  struct file_writer writer;

  /* The parent directory of the last file: CRIU images share one.  */
  char *parent_path;
  int parent_fd;

  /* name -> { "sha256", "size" } for files, NULL for directories, in the
   * order they came.  */
  json_object *seen;
  /* What the entries may write in all: the staging file system's free
   * space less a reserve, so that no archive (a small one declaring huge
   * entries, say) can fill the disk before the manifest is checked.  */
  uint64_t budget;
  uint64_t declared;
  char *manifest;
  size_t manifest_len;
  bool have_manifest;
  char *signature; /* manifest.sig, the one entry allowed after it */
  size_t signature_len;

  /* The file whose parts (NAME.ferry-part-NNNNNNNN, archive.h) are being
   * joined: NAME, the next part's number, its file (none in a scan), the
   * hash and size so far.  */
  struct
  {
    char *name;
    unsigned next;
    bool has_fd;
    int fd;
    ferry_sha256_t *hash;
    uint64_t size;
  } part;

  /* Scanning (ferry_archive_scan): nothing is written; the entries KEEP
   * names are kept in CONTENTS, every other one is only hashed.  */
  const char *const *keep;
  struct ferry_archive_contents *contents;

  /* FERRY_ARCHIVE_UNVERIFIED_OK: no manifest is no refusal.  */
  bool unverified_ok;
};

static void file_writer_stop (struct file_writer *fw);

static void
reader_release (struct reader *rd)
{
  file_writer_stop (&rd->writer);
  if (rd->ar)
    archive_read_free (rd->ar);
  ferry_decompress_close (rd->stream);
  ferry_age_open_free (rd->age);
  ferry_prefetch_stop (rd->prefetch);
  ferry_error_release (&rd->read_err);
  free (rd->buf);
  if (rd->dirfd >= 0)
    close (rd->dirfd);
  if (rd->parent_fd >= 0)
    close (rd->parent_fd);
  free (rd->parent_path);
  if (rd->part.has_fd)
    close (rd->part.fd);
  ferry_sha256_free (rd->part.hash);
  free (rd->part.name);
  json_object_put (rd->seen);
  free (rd->manifest);
  free (rd->signature);
}

/* ---- the byte stream --------------------------------------------------- */

static la_ssize_t
read_callback (struct archive *ar, void *data, const void **block)
{
  struct reader *rd = data;
  size_t len = rd->peeked;

  rd->peeked = 0;
  while (len < READER_BLOCK_MIN)
    {
      ssize_t r = ferry_decompress_read (rd->stream, rd->buf + len, READER_BUF_SIZE - len, &rd->read_err);

      if (r < 0)
        {
          archive_set_error (ar, EIO, "%s", rd->read_err->msg);
          return -1;
        }
      if (r == 0)
        break;
      len += r;
    }
  *block = rd->buf;
  return len;
}

/* The error for a failed read of the stream or a tar libarchive rejects.  */
static int
stream_error (struct reader *rd, ferry_error_t *err)
{
  const char *msg;

  /* The encryption found the stream cut or tampered with.  */
  if (rd->age && ferry_age_open_error (rd->age))
    return ferry_make_error (err, 0, "%s", ferry_age_open_error (rd->age));
  if (rd->read_err)
    {
      msg = rd->read_err->msg;
      if (rd->read_err->status)
        return ferry_make_error (err, rd->read_err->status, "cannot read %s", rd->what);
      if (strstr (msg, "truncated"))
        return ferry_make_error (err, 0, "%s is truncated: its %s stream ends early", rd->what,
                                 ferry_compression_name (ferry_decompress_kind (rd->stream)));
      /* "corrupt zstd stream `archive`: <why>": keep the why.  */
      if (strstr (msg, DECOMPRESS_NAME ": "))
        msg = strstr (msg, DECOMPRESS_NAME ": ") + strlen (DECOMPRESS_NAME ": ");
      return ferry_make_error (err, 0, "%s is corrupt: its %s stream is damaged (%s)", rd->what,
                               ferry_compression_name (ferry_decompress_kind (rd->stream)), msg);
    }
  msg = archive_error_string (rd->ar);
  if (msg == NULL)
    msg = "unknown error";
  if (strcasestr (msg, "truncated"))
    return ferry_make_error (err, 0, "%s is truncated: %s", rd->what, msg);
  if (rd->entries == 0)
    return ferry_make_error (err, 0, "%s is not a tar archive: %s", rd->what, msg);
  return ferry_make_error (err, 0, "%s is not a valid tar archive: %s", rd->what, msg);
}

/* Names a compression this reader does not undo, from its magic bytes.  */
static const char *
unsupported_compression (const unsigned char *m, size_t n)
{
  if (n >= 6
      && memcmp (m,
                 "\xfd"
                 "7zXZ\0",
                 6)
             == 0)
    return "xz";
  if (n >= 4 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h' && m[3] >= '1' && m[3] <= '9')
    return "bzip2";
  if (n >= 4 && memcmp (m, "\x04\x22\x4d\x18", 4) == 0)
    return "lz4";
  if (n >= 4 && memcmp (m, "LZIP", 4) == 0)
    return "lzip";
  if (n >= 3 && m[0] == 0x5d && m[1] == 0 && m[2] == 0)
    return "lzma";
  return NULL;
}

/* Reads the first bytes to refuse what cannot be a tar before libarchive
 * says something vaguer.  They stay in the buffer for libarchive.  */
static int
peek (struct reader *rd, ferry_error_t *err)
{
  const char *other;

  while (rd->peeked < 512)
    {
      ssize_t r = ferry_decompress_read (rd->stream, rd->buf + rd->peeked, READER_BUF_SIZE - rd->peeked,
                                         &rd->read_err);
      if (r < 0)
        return stream_error (rd, err);
      if (r == 0)
        break;
      rd->peeked += r;
    }
  if (rd->peeked == 0)
    return ferry_make_error (err, 0, "%s is empty: not a ferry checkpoint archive, or truncated", rd->what);
  if (ferry_decompress_kind (rd->stream) != FERRY_COMPRESSION_NONE)
    return 0;
  other = unsupported_compression (rd->buf, rd->peeked);
  if (other)
    return ferry_make_error (err, 0,
                             "%s uses an unsupported compression (%s): ferry reads zstd, gzip or "
                             "uncompressed archives",
                             rd->what, other);
  return 0;
}

static int
open_tar (struct reader *rd, ferry_error_t *err)
{
  rd->ar = archive_read_new ();
  if (rd->ar == NULL)
    return ferry_make_error (err, ENOMEM, "cannot create a tar reader");
  /* Formats only, no filters: decompression is ours.  */
  archive_read_support_format_tar (rd->ar);
  if (archive_read_open (rd->ar, rd, NULL, read_callback, NULL) != ARCHIVE_OK)
    return stream_error (rd, err);
  return 0;
}

/* ---- the file system --------------------------------------------------- */

static int
open_in_root (int rootfd, const char *path, int flags, mode_t mode)
{
  return ferry_openat2 (rootfd, path, flags, mode, FERRY_RESOLVE_SAFE);
}

static int
fs_error (struct reader *rd, const char *name, const char *action, int errno_, ferry_error_t *err)
{
  switch (errno_)
    {
    case ELOOP:
      return ferry_make_error (err, errno_, "%s: cannot %s `%s`: it leads through a symlink", rd->what,
                               action, name);
    case ENOTDIR:
      return ferry_make_error (err, errno_, "%s: cannot %s `%s`: a parent is not a directory", rd->what,
                               action, name);
    default:
      return ferry_make_error (err, errno_, "%s: cannot %s `%s` in `%s`", rd->what, action, name, rd->dir);
    }
}

/* Opens (creating it when missing) the directory PATH below DIR, one
 * component at a time.  Returns an owned descriptor.  */
static int
open_dir_creating (struct reader *rd, const char *path, const char *name, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (path);
  cleanup_close int cur = -1;
  char *component, *saveptr = NULL;

  for (component = strtok_r (copy, "/", &saveptr); component; component = strtok_r (NULL, "/", &saveptr))
    {
      int at = cur >= 0 ? cur : rd->dirfd;
      int fd = open_in_root (at, component, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);

      if (fd < 0 && errno == ENOENT)
        {
          if (mkdirat (at, component, 0700) < 0 && errno != EEXIST)
            return fs_error (rd, name, "create the directory of", errno, err);
          fd = open_in_root (at, component, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        }
      if (fd < 0)
        return fs_error (rd, name, "open the directory of", errno, err);
      if (cur >= 0)
        close (cur);
      cur = fd;
    }
  return steal_fd (&cur);
}

/* A borrowed descriptor of the directory that holds NAME, whose last
 * component starts at BASE.  */
static int
parent_of (struct reader *rd, const char *name, const char *base, ferry_error_t *err)
{
  cleanup_free char *parent = NULL;
  int fd;

  if (base == name)
    return rd->dirfd;
  parent = xstrndup (name, base - name - 1);
  if (rd->parent_path && strcmp (rd->parent_path, parent) == 0)
    return rd->parent_fd;
  fd = open_dir_creating (rd, parent, name, err);
  if (fd < 0)
    return -1;
  if (rd->parent_fd >= 0)
    close (rd->parent_fd);
  free (rd->parent_path);
  rd->parent_fd = fd;
  rd->parent_path = steal_pointer (&parent);
  return fd;
}

static const char *
base_name (const char *name)
{
  const char *slash = strrchr (name, '/');

  return slash ? slash + 1 : name;
}

static int
make_directory (struct reader *rd, const char *name, ferry_error_t *err)
{
  const char *base = base_name (name);
  int pfd = parent_of (rd, name, base, err);
  int fd;

  if (pfd < 0)
    return -1;
  if (mkdirat (pfd, base, 0700) == 0)
    return 0;
  if (errno != EEXIST)
    return fs_error (rd, name, "create directory", errno, err);
  /* Created before as the parent of an earlier entry: fine if a directory.  */
  fd = open_in_root (pfd, base, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0)
    return fs_error (rd, name, "create directory", errno, err);
  close (fd);
  return 0;
}

/* ---- entries ----------------------------------------------------------- */

static const char *
type_name (struct archive_entry *ae)
{
  if (archive_entry_hardlink (ae))
    return "a hard link";
  switch (archive_entry_filetype (ae))
    {
    case AE_IFLNK:
      return "a symbolic link";
    case AE_IFCHR:
      return "a character device";
    case AE_IFBLK:
      return "a block device";
    case AE_IFIFO:
      return "a FIFO";
    case AE_IFSOCK:
      return "a socket";
    case AE_IFREG:
    case AE_IFDIR:
      return NULL;
    default:
      return "of an unknown type";
    }
}

/* ---- the file writer threads ------------------------------------------
 *
 * Hashing a big entry (sha256 is sequential), writing it out (every page
 * of a tmpfs is a fresh allocation) and decoding the stream each cost
 * about as much, so big entries are handed in chunks to two threads, one
 * hashing and one writing, while this one decodes what comes next.  Only
 * bytes in memory are queued, so the threads never wait on the archive's
 * descriptor and can always be joined.  */

/* The loop of the thread that advances DONE (fw->hashed or fw->written)
 * by hashing or writing each chunk.  */
static void
file_writer_consume (struct file_writer *fw, uint64_t *done, bool hashing)
{
  pthread_mutex_lock (&fw->lock);
  for (;;)
    {
      size_t slot;
      int failed, e = 0;

      while (*done == fw->queued && ! fw->stop)
        pthread_cond_wait (&fw->changed, &fw->lock);
      if (*done == fw->queued)
        break;
      slot = *done % FILE_WRITER_SLOTS;
      failed = fw->write_errno;
      pthread_mutex_unlock (&fw->lock);

      /* fw->fd and fw->hash stay as they are while chunks are queued: the
       * other side waits for an empty queue before it touches them.  After
       * a failed write the rest is dropped.  */
      if (hashing)
        ferry_sha256_update (fw->hash, fw->bufs[slot], fw->lens[slot]);
      else if (! failed && ferry_write_all (fw->fd, fw->bufs[slot], fw->lens[slot]) < 0)
        e = errno;

      pthread_mutex_lock (&fw->lock);
      if (e)
        fw->write_errno = e;
      (*done)++;
      pthread_cond_broadcast (&fw->changed);
    }
  pthread_mutex_unlock (&fw->lock);
}

static void *
file_hasher_main (void *data)
{
  struct file_writer *fw = data;

  file_writer_consume (fw, &fw->hashed, true);
  return NULL;
}

static void *
file_writer_main (void *data)
{
  struct file_writer *fw = data;

  file_writer_consume (fw, &fw->written, false);
  return NULL;
}

static int
file_writer_start (struct file_writer *fw, ferry_error_t *err)
{
  size_t i;
  int r;

  if (fw->started)
    return 0;
  for (i = 0; i < FILE_WRITER_SLOTS; i++)
    fw->bufs[i] = xmalloc (FILE_WRITER_CHUNK);
  pthread_mutex_init (&fw->lock, NULL);
  pthread_cond_init (&fw->changed, NULL);
  fw->queued = fw->hashed = fw->written = 0;
  r = pthread_create (&fw->hasher, NULL, file_hasher_main, fw);
  if (r == 0)
    {
      fw->hasher_started = true;
      r = pthread_create (&fw->writer, NULL, file_writer_main, fw);
      fw->writer_started = r == 0;
    }
  fw->started = true;
  if (r != 0)
    {
      file_writer_stop (fw);
      return ferry_make_error (err, r, "cannot start a thread to write extracted files");
    }
  return 0;
}

/* Waits until every queued chunk is hashed and written; returns the errno
 * of the first failed write, or 0.  */
static int
file_writer_drain (struct file_writer *fw)
{
  int e;

  pthread_mutex_lock (&fw->lock);
  while (fw->hashed < fw->queued || fw->written < fw->queued)
    pthread_cond_wait (&fw->changed, &fw->lock);
  e = fw->write_errno;
  pthread_mutex_unlock (&fw->lock);
  return e;
}

/* Queues a copy of DATA; returns the errno of a failed write, or 0.  */
static int
file_writer_push (struct file_writer *fw, const unsigned char *data, size_t len)
{
  while (len > 0)
    {
      size_t n = len < FILE_WRITER_CHUNK ? len : FILE_WRITER_CHUNK;
      size_t slot;
      int e;

      pthread_mutex_lock (&fw->lock);
      while (fw->queued - (fw->hashed < fw->written ? fw->hashed : fw->written) == FILE_WRITER_SLOTS)
        pthread_cond_wait (&fw->changed, &fw->lock);
      slot = fw->queued % FILE_WRITER_SLOTS;
      e = fw->write_errno;
      pthread_mutex_unlock (&fw->lock);
      if (e)
        return e;

      memcpy (fw->bufs[slot], data, n);
      fw->lens[slot] = n;
      pthread_mutex_lock (&fw->lock);
      fw->queued++;
      pthread_cond_broadcast (&fw->changed);
      pthread_mutex_unlock (&fw->lock);
      data += n;
      len -= n;
    }
  return 0;
}

static void
file_writer_stop (struct file_writer *fw)
{
  size_t i;

  if (! fw->started)
    return;
  pthread_mutex_lock (&fw->lock);
  fw->stop = true;
  pthread_cond_broadcast (&fw->changed);
  pthread_mutex_unlock (&fw->lock);
  if (fw->hasher_started)
    pthread_join (fw->hasher, NULL);
  if (fw->writer_started)
    pthread_join (fw->writer, NULL);
  pthread_cond_destroy (&fw->changed);
  pthread_mutex_destroy (&fw->lock);
  for (i = 0; i < FILE_WRITER_SLOTS; i++)
    free (fw->bufs[i]);
  fw->hasher_started = fw->writer_started = fw->started = false;
}

/* ---- entry data -------------------------------------------------------- */

/* Where the data of one entry goes: the file FD (through the writer
 * thread when THREADED), or MEMORY of LIMIT bytes when FD is -1.  */
struct entry_sink
{
  int fd;
  bool threaded;
  char *memory;
  size_t limit;
  ferry_sha256_t *hash;
  uint64_t size;
};

static int
sink_block (struct reader *rd, struct entry_sink *s, const char *name, const void *block, size_t len,
            ferry_error_t *err)
{
  int e;

  if (s->fd < 0)
    {
      /* No memory: a scan that only hashes this entry.  */
      if (s->memory && len > s->limit - s->size)
        return ferry_make_error (err, 0, "%s has a `%s` larger than %zu bytes: refusing it", rd->what, name,
                                 s->limit);
      if (s->memory)
        memcpy (s->memory + s->size, block, len);
      ferry_sha256_update (s->hash, block, len);
    }
  else if (s->threaded)
    {
      e = file_writer_push (&rd->writer, block, len);
      if (e)
        return fs_error (rd, name, "write", e, err);
    }
  else
    {
      ferry_sha256_update (s->hash, block, len);
      if (ferry_write_all (s->fd, block, len) < 0)
        return fs_error (rd, name, "write", errno, err);
    }
  s->size += len;
  return 0;
}

static int
sink_blocks (struct reader *rd, struct entry_sink *s, const char *name, ferry_error_t *err)
{
  for (;;)
    {
      const void *block;
      size_t len;
      la_int64_t offset;
      int r = archive_read_data_block (rd->ar, &block, &len, &offset);

      if (r == ARCHIVE_EOF)
        return 0;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return stream_error (rd, err);
      /* Sparse entries leave holes: ferry never writes them.  */
      if (offset < 0 || (uint64_t) offset != s->size)
        return ferry_make_error (err, 0, "%s has a sparse entry `%s`: refusing it", rd->what, name);
      if (sink_block (rd, s, name, block, len, err) < 0)
        return -1;
    }
}

/* Copies the data of the current entry into S while hashing it, and
 * writes its digest to DIGEST.  */
static int
copy_data (struct reader *rd, struct entry_sink *s, const char *name, char digest[FERRY_DIGEST_LEN + 1],
           ferry_error_t *err)
{
  int r, e;

  s->hash = ferry_sha256_new ();
  if (s->threaded)
    {
      /* The queue is empty: the thread is waiting and touches none.  */
      pthread_mutex_lock (&rd->writer.lock);
      rd->writer.fd = s->fd;
      rd->writer.hash = s->hash;
      rd->writer.write_errno = 0;
      pthread_mutex_unlock (&rd->writer.lock);
    }
  r = sink_blocks (rd, s, name, err);
  /* Even after an error: the thread must be done with the descriptor
   * before the caller closes it.  */
  if (s->threaded && (e = file_writer_drain (&rd->writer)) != 0 && r == 0)
    r = fs_error (rd, name, "write", e, err);
  if (r < 0)
    {
      ferry_sha256_free (s->hash);
      return -1;
    }
  ferry_sha256_finish (s->hash, digest);
  return 0;
}

static void
remember (struct reader *rd, const char *name, const char *digest, uint64_t size)
{
  json_object *e = json_object_new_object ();

  json_object_object_add (e, "sha256", json_object_new_string (digest));
  json_object_object_add (e, "size", json_object_new_int64 ((int64_t) size));
  json_object_object_add (rd->seen, name, e);
}

/* What a scan keeps of one entry.  */
#define SCAN_KEEP_MAX (4 << 20)

static int
scan_file (struct reader *rd, const char *name, ferry_error_t *err)
{
  char digest[FERRY_DIGEST_LEN + 1];
  struct entry_sink sink = { .fd = -1 };
  struct ferry_archive_contents *c = rd->contents;
  const char *const *k;
  cleanup_free char *memory = NULL;

  for (k = rd->keep; k && *k && strcmp (*k, name) != 0; k++)
    ;
  if (k && *k)
    {
      memory = xmalloc (SCAN_KEEP_MAX + 1);
      sink.memory = memory;
      sink.limit = SCAN_KEEP_MAX;
    }
  if (copy_data (rd, &sink, name, digest, err) < 0)
    return -1;
  remember (rd, name, digest, sink.size);
  if (memory)
    {
      memory[sink.size] = '\0';
      c->names = xrealloc (c->names, sizeof (char *) * (c->n + 1));
      c->data = xrealloc (c->data, sizeof (char *) * (c->n + 1));
      c->lens = xrealloc (c->lens, sizeof (size_t) * (c->n + 1));
      c->names[c->n] = xstrdup (name);
      c->data[c->n] = steal_pointer (&memory);
      c->lens[c->n] = sink.size;
      c->n++;
    }
  return 0;
}

static int
extract_file (struct reader *rd, struct archive_entry *ae, const char *name, ferry_error_t *err)
{
  const char *base = base_name (name);
  char digest[FERRY_DIGEST_LEN + 1];
  struct entry_sink sink = { .fd = -1 };
  cleanup_close int fd = -1;
  int pfd = parent_of (rd, name, base, err);

  if (pfd < 0)
    return -1;
  fd = open_in_root (pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      if (errno == EEXIST)
        return ferry_make_error (
            err, EEXIST, "%s has entry `%s` where a directory of that name is: refusing it", rd->what, name);
      return fs_error (rd, name, "create", errno, err);
    }
  sink.fd = fd;
  if (archive_entry_size (ae) < 0 || (uint64_t) archive_entry_size (ae) > rd->budget - rd->declared)
    return ferry_make_error (err, ENOSPC,
                             "%s needs more space than `%s` has free (entry `%s` is %" PRId64
                             " bytes, %" PRIu64 " KiB are left; or restore elsewhere)",
                             rd->what, rd->dir, name, (int64_t) archive_entry_size (ae),
                             (rd->budget - rd->declared) >> 10);
  rd->declared += (uint64_t) archive_entry_size (ae);
  /* Small files are not worth a trip through the other thread.  */
  if (archive_entry_size (ae) >= FILE_WRITER_MIN_SIZE && file_writer_start (&rd->writer, err) < 0)
    return -1;
  sink.threaded = rd->writer.started && archive_entry_size (ae) >= FILE_WRITER_MIN_SIZE;
  if (copy_data (rd, &sink, name, digest, err) < 0)
    return -1;
  if (close (steal_fd (&fd)) < 0)
    return fs_error (rd, name, "write", errno, err);
  remember (rd, name, digest, sink.size);
  return 0;
}

/* NAME, when it is "<base>.ferry-part-<8 digits>": *BASE (allocated) and
 * *INDEX.  */
static bool
part_of (const char *name, char **base, unsigned *index)
{
  const char *suffix = strstr (name, FERRY_ARCHIVE_PART_SUFFIX);
  const char *digits;

  if (suffix == NULL || suffix == name)
    return false;
  /* The last one: a base may not hold the suffix itself.  */
  while (strstr (suffix + 1, FERRY_ARCHIVE_PART_SUFFIX))
    suffix = strstr (suffix + 1, FERRY_ARCHIVE_PART_SUFFIX);
  digits = suffix + strlen (FERRY_ARCHIVE_PART_SUFFIX);
  if (strlen (digits) != 8 || strspn (digits, "0123456789") != 8)
    return false;
  *base = xstrndup (name, (size_t) (suffix - name));
  *index = (unsigned) strtoul (digits, NULL, 10);
  return true;
}

/* The parts of the file being joined are all in: it is one entry.  */
static int
part_finish (struct reader *rd, ferry_error_t *err)
{
  char digest[FERRY_DIGEST_LEN + 1];
  cleanup_free char *name = steal_pointer (&rd->part.name);

  if (name == NULL)
    return 0;
  ferry_sha256_finish (steal_pointer (&rd->part.hash), digest);
  if (rd->part.has_fd)
    {
      rd->part.has_fd = false;
      if (close (rd->part.fd) < 0)
        return fs_error (rd, name, "write", errno, err);
    }
  remember (rd, name, digest, rd->part.size);
  return 0;
}

/* Part INDEX of BASE (taken): the next of the file being joined, or the
 * first of a new one.  */
static int
extract_part (struct reader *rd, struct archive_entry *ae, char *base, unsigned index, ferry_error_t *err)
{
  cleanup_free char *name = base;
  struct entry_sink sink = { .fd = -1 };
  int r;

  if (rd->part.name == NULL || strcmp (rd->part.name, name) != 0)
    {
      if (part_finish (rd, err) < 0)
        return -1;
      if (json_object_object_get_ex (rd->seen, name, NULL))
        return ferry_make_error (err, 0, "%s has entry `%s` twice: refusing it", rd->what, name);
      if (index != 0)
        return ferry_make_error (err, 0, "%s has entry `%s` without its first part: refusing it", rd->what,
                                 name);
      if (rd->contents == NULL)
        {
          const char *leaf = base_name (name);
          int pfd = parent_of (rd, name, leaf, err);

          if (pfd < 0)
            return -1;
          rd->part.fd = open_in_root (pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
          if (rd->part.fd < 0)
            return fs_error (rd, name, "create", errno, err);
          rd->part.has_fd = true;
        }
      rd->part.name = steal_pointer (&name);
      rd->part.next = 0;
      rd->part.size = 0;
      rd->part.hash = ferry_sha256_new ();
    }
  else if (index != rd->part.next)
    return ferry_make_error (err, 0, "%s has the parts of entry `%s` out of order: refusing it", rd->what,
                             rd->part.name);
  if (archive_entry_size (ae) < 0
      || (rd->part.has_fd && (uint64_t) archive_entry_size (ae) > rd->budget - rd->declared))
    return ferry_make_error (
        err, ENOSPC,
        "%s needs more space than `%s` has free (entry `%s`, %" PRIu64 " KiB are left; or restore elsewhere)",
        rd->what, rd->dir ? rd->dir : "", rd->part.name, (rd->budget - rd->declared) >> 10);
  rd->declared += (uint64_t) archive_entry_size (ae);
  /* SINK counts this part's bytes, from its offset 0.  */
  sink.fd = rd->part.has_fd ? rd->part.fd : -1;
  sink.hash = rd->part.hash;
  r = sink_blocks (rd, &sink, rd->part.name, err);
  rd->part.size += sink.size;
  rd->part.next++;
  return r;
}

static int
read_manifest (struct reader *rd, struct archive_entry *ae, ferry_error_t *err)
{
  char digest[FERRY_DIGEST_LEN + 1];
  struct entry_sink sink = { .fd = -1 };
  la_int64_t declared = archive_entry_size (ae);

  if (declared < 0 || declared > MANIFEST_MAX_SIZE)
    return ferry_make_error (err, 0, "%s has a %s larger than %d bytes: refusing it", rd->what,
                             FERRY_ARCHIVE_MANIFEST, MANIFEST_MAX_SIZE);
  rd->manifest = xmalloc ((size_t) declared + 1);
  sink.memory = rd->manifest;
  sink.limit = (size_t) declared;
  if (copy_data (rd, &sink, FERRY_ARCHIVE_MANIFEST, digest, err) < 0)
    return -1;
  rd->manifest[sink.size] = '\0';
  rd->manifest_len = sink.size;
  rd->have_manifest = true;
  return 0;
}

/* A signature document is a few hundred bytes.  */
#define SIGNATURE_MAX_SIZE 4096

static int
read_signature (struct reader *rd, struct archive_entry *ae, ferry_error_t *err)
{
  char digest[FERRY_DIGEST_LEN + 1];
  struct entry_sink sink = { .fd = -1 };
  la_int64_t declared = archive_entry_size (ae);

  if (archive_entry_filetype (ae) != AE_IFREG || declared <= 0 || declared > SIGNATURE_MAX_SIZE)
    return ferry_make_error (err, 0, "%s has a malformed %s: refusing it", rd->what, FERRY_ARCHIVE_SIGNATURE);
  rd->signature = xmalloc ((size_t) declared + 1);
  sink.memory = rd->signature;
  sink.limit = (size_t) declared;
  if (copy_data (rd, &sink, FERRY_ARCHIVE_SIGNATURE, digest, err) < 0)
    return -1;
  rd->signature[sink.size] = '\0';
  rd->signature_len = sink.size;
  return 0;
}

/* Bytes of an entry name an error quotes.  */
#define SHOWN_NAME_MAX 256

static bool
has_control_characters (const char *s)
{
  for (; *s; s++)
    if ((unsigned char) *s < 0x20 || *s == 0x7f)
      return true;
  return false;
}

/* NAME as an error may quote it: control bytes escaped, cut short when
 * long.  An archive chooses its names, and an error is one line on the
 * user's terminal.  */
static char *
shown_name (const char *name)
{
  return ferry_error_quotable (name, SHOWN_NAME_MAX);
}

/* The root directory itself, as `tar -C dir .` writes it.  */
static bool
is_root_entry (const char *raw, struct archive_entry *ae)
{
  return archive_entry_filetype (ae) == AE_IFDIR && archive_entry_hardlink (ae) == NULL
         && (strcmp (raw, ".") == 0 || strcmp (raw, "./") == 0);
}

static int
extract_entry (struct reader *rd, struct archive_entry *ae, ferry_error_t *err)
{
  const char *raw = archive_entry_pathname (ae);
  cleanup_free char *name = NULL;
  const char *bad_type;

  if (raw == NULL)
    return ferry_make_error (err, 0, "%s has an entry without a readable name: refusing it", rd->what);
  if (has_control_characters (raw))
    {
      cleanup_free char *shown = shown_name (raw);
      return ferry_make_error (err, 0, "%s has an entry named with control characters, `%s`: refusing it",
                               rd->what, shown);
    }
  name = ferry_path_normalize_entry (raw);
  /* The parts of a file come one after the other: anything else ends it.  */
  {
    char *base = NULL;
    unsigned index;

    if (! rd->have_manifest && ferry_path_is_clean_relative (name) && archive_entry_filetype (ae) == AE_IFREG
        && part_of (name, &base, &index))
      {
        if (rd->allowed && ! rd->allowed (base))
          {
            ferry_make_error (err, 0,
                              "%s has an unexpected entry `%s`: it is not a ferry checkpoint archive, or it "
                              "was tampered with",
                              rd->what, name);
            free (base);
            return -1;
          }
        return extract_part (rd, ae, base, index, err);
      }
    if (part_finish (rd, err) < 0)
      return -1;
  }
  free (name);
  name = NULL;
  if (rd->have_manifest)
    {
      cleanup_free char *after = ferry_path_normalize_entry (raw);
      if (rd->signature == NULL && strcmp (after, FERRY_ARCHIVE_SIGNATURE) == 0)
        return read_signature (rd, ae, err);
      return ferry_make_error (err, 0, "%s has entry `%s` after %s, which must be last: refusing it",
                               rd->what, raw,
                               rd->signature ? FERRY_ARCHIVE_SIGNATURE : FERRY_ARCHIVE_MANIFEST);
    }
  if (is_root_entry (raw, ae))
    return 0;
  name = ferry_path_normalize_entry (raw);
  if (! ferry_path_is_clean_relative (name))
    return ferry_make_error (err, 0, "%s has an unsafe entry `%s`: refusing it", rd->what, raw);
  bad_type = type_name (ae);
  if (bad_type)
    return ferry_make_error (err, 0, "%s has an unsafe entry `%s` (%s): refusing it", rd->what, raw,
                             bad_type);
  if (strcmp (name, FERRY_ARCHIVE_MANIFEST) == 0)
    {
      if (archive_entry_filetype (ae) != AE_IFREG)
        return ferry_make_error (err, 0, "%s has a %s that is not a file: refusing it", rd->what,
                                 FERRY_ARCHIVE_MANIFEST);
      return read_manifest (rd, ae, err);
    }
  if (rd->allowed && ! rd->allowed (name))
    return ferry_make_error (
        err, 0,
        "%s has an unexpected entry `%s`: it is not a ferry checkpoint archive, or it was tampered with",
        rd->what, name);
  if (json_object_object_get_ex (rd->seen, name, NULL))
    return ferry_make_error (err, 0, "%s has entry `%s` twice: refusing it", rd->what, name);
  if (archive_entry_filetype (ae) == AE_IFDIR)
    {
      if (rd->contents == NULL && make_directory (rd, name, err) < 0)
        return -1;
      json_object_object_add (rd->seen, name, NULL);
      return 0;
    }
  if (rd->contents)
    return scan_file (rd, name, err);
  return extract_file (rd, ae, name, err);
}

static int
extract_all (struct reader *rd, ferry_error_t *err)
{
  for (;;)
    {
      struct archive_entry *ae;
      int r = archive_read_next_header (rd->ar, &ae);

      if (r == ARCHIVE_EOF)
        return part_finish (rd, err);
      /* ARCHIVE_RETRY (a damaged header) is no success either.  */
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return stream_error (rd, err);
      if (extract_entry (rd, ae, err) < 0)
        return -1;
      rd->entries++;
    }
}

/* ---- verification ------------------------------------------------------ */

static int
parse_manifest (struct reader *rd, json_object **out, ferry_error_t *err)
{
  cleanup_json json_object *m = NULL;
  cleanup_free char *what = xasprintf ("%s of %s", FERRY_ARCHIVE_MANIFEST, rd->what);
  const char *format;
  json_object *version, *entries;
  int64_t v;

  if (! rd->have_manifest)
    return ferry_make_error (err, 0, "%s has no %s: not a ferry checkpoint archive, or truncated", rd->what,
                             FERRY_ARCHIVE_MANIFEST);
  m = ferry_json_parse (rd->manifest, rd->manifest_len, what, err);
  if (m == NULL)
    return -1;
  format = ferry_json_get_string (m, "format");
  if (format == NULL || strcmp (format, FERRY_ARCHIVE_FORMAT) != 0)
    {
      cleanup_free char *shown = shown_name (format ? format : "(none)");
      return ferry_make_error (err, 0, "%s is not a ferry checkpoint archive: its %s has format `%s`",
                               rd->what, FERRY_ARCHIVE_MANIFEST, shown);
    }
  if (! json_object_object_get_ex (m, "version", &version) || ! json_object_is_type (version, json_type_int)
      || (v = json_object_get_int64 (version)) < 1)
    return ferry_make_error (err, 0, "%s has an invalid %s: no valid version", rd->what,
                             FERRY_ARCHIVE_MANIFEST);
  if (v > FERRY_ARCHIVE_VERSION)
    return ferry_make_error (err, 0,
                             "%s has format version %" PRId64 ", but this ferry reads only up to version %d: "
                             "upgrade ferry to restore it",
                             rd->what, v, FERRY_ARCHIVE_VERSION);
  entries = ferry_json_get_object (m, "entries");
  if (entries == NULL)
    return ferry_make_error (err, 0, "%s has an invalid %s: no entries", rd->what, FERRY_ARCHIVE_MANIFEST);
  *out = steal_pointer (&m);
  return 0;
}

/* Compares the file NAME as extracted (SEEN) with what the manifest says.  */
static int
verify_file (struct reader *rd, const char *name, json_object *seen, json_object *entries, ferry_error_t *err)
{
  json_object *want, *size;
  const char *want_digest, *got_digest = ferry_json_get_string (seen, "sha256");
  int64_t want_size, got_size = ferry_json_get_int (seen, "size", -1);

  if (! json_object_object_get_ex (entries, name, &want) || want == NULL)
    return ferry_make_error (err, 0, "%s has entry `%s` that its manifest does not list: refusing it",
                             rd->what, name);
  want_digest = ferry_json_get_string (want, "sha256");
  /* Checked before it goes into a message: the manifest is the archive's
   * to write, a newline or an escape sequence included.  */
  if (want_digest == NULL || ! ferry_digest_is_valid (want_digest)
      || ! json_object_object_get_ex (want, "size", &size) || ! json_object_is_type (size, json_type_int))
    return ferry_make_error (err, 0, "%s has an invalid %s: entry `%s` has no valid sha256 or size", rd->what,
                             FERRY_ARCHIVE_MANIFEST, name);
  want_size = json_object_get_int64 (size);
  if (strcmp (want_digest, got_digest) != 0)
    return ferry_make_error (err, 0, "%s: entry `%s` is corrupt: its sha256 is %s, the manifest says %s",
                             rd->what, name, got_digest, want_digest);
  if (want_size != got_size)
    return ferry_make_error (
        err, 0, "%s: entry `%s` is corrupt: its size is %" PRId64 " bytes, the manifest says %" PRId64,
        rd->what, name, got_size, want_size);
  return 0;
}

static int
verify (struct reader *rd, ferry_error_t *err)
{
  cleanup_json json_object *m = NULL;
  json_object *entries;

  if (parse_manifest (rd, &m, err) < 0)
    return -1;
  entries = ferry_json_get_object (m, "entries");
  /* In archive order, so the first bad entry is the one named.  */
  json_object_object_foreach (rd->seen, name, seen)
  {
    if (seen == NULL)
      continue; /* a directory: no content to check */
    if (verify_file (rd, name, seen, entries, err) < 0)
      return -1;
  }
  json_object_object_foreach (entries, listed, unused)
  {
    json_object *got;
    (void) unused;
    if (! json_object_object_get_ex (rd->seen, listed, &got) || got == NULL)
      {
        cleanup_free char *shown = shown_name (listed);
        return ferry_make_error (err, 0, "%s is missing entry `%s` that its manifest lists", rd->what, shown);
      }
  }
  return 0;
}

/* The free space of DIRFD's file system, less 5% of its size: what an
 * archive may fill.  */
static uint64_t
staging_budget (int dirfd)
{
  struct statvfs sv;
  uint64_t avail, reserve;

  if (fstatvfs (dirfd, &sv) < 0)
    return UINT64_MAX;
  avail = (uint64_t) sv.f_bavail * sv.f_frsize;
  reserve = (uint64_t) sv.f_blocks * sv.f_frsize / 20;
  return avail > reserve ? avail - reserve : 0;
}

void
ferry_archive_proof_release (struct ferry_archive_proof *p)
{
  free (p->manifest);
  free (p->signature);
  memset (p, 0, sizeof (*p));
}

int
ferry_archive_extract_verified (int fd, const char *dir, int (*allowed) (const char *name), const char *what,
                                ferry_error_t *err)
{
  return ferry_archive_extract_proven (fd, NULL, dir, allowed, 0, what, NULL, err);
}

static ssize_t
read_fd (void *arg, void *buf, size_t len)
{
  return read (*(int *) arg, buf, len);
}

/* Reads the whole archive from FD into RD (extracting, or scanning), and
 * verifies it against its manifest.  */
static int
read_verified (struct reader *rd, int fd, struct ferry_archive_proof *proof, ferry_error_t *err)
{
  rd->seen = json_object_new_object ();
  rd->fd = fd;
  rd->prefetch = ferry_prefetch_start (fd);
  rd->age = ferry_age_open_new (
      rd->prefetch ? ferry_prefetch_read : read_fd, rd->prefetch ? (void *) rd->prefetch : (void *) &rd->fd,
      rd->keys ? rd->keys->identities : NULL, rd->keys ? rd->keys->n : 0, rd->what, err);
  if (rd->age == NULL)
    return -1;
  if (proof)
    proof->encrypted = ferry_age_open_encrypted (rd->age);
  rd->stream = ferry_decompress_open_with (fd, ferry_age_open_read, rd->age, "archive", err);
  if (rd->stream == NULL && ferry_age_open_error (rd->age))
    {
      ferry_error_release (err);
      return ferry_make_error (err, 0, "%s", ferry_age_open_error (rd->age));
    }
  if (rd->stream == NULL)
    return ferry_error_wrap (err, "cannot read %s", rd->what);
  if (proof)
    proof->compression = ferry_decompress_kind (rd->stream);
  /* Every entry is hashed on its own; digests of the whole stream would
   * only cost time.  */
  ferry_decompress_skip_digests (rd->stream);
  rd->buf = xmalloc (READER_BUF_SIZE);
  if (peek (rd, err) < 0 || open_tar (rd, err) < 0 || extract_all (rd, err) < 0)
    return -1;
  /* What follows the tar's end must still decode: a cut compressed stream
   * is reported as such, not accepted because the tar looked complete.  */
  if (ferry_decompress_drain (rd->stream, &rd->read_err) < 0)
    return stream_error (rd, err);
  if (! rd->have_manifest && rd->unverified_ok && rd->entries > 0)
    {
      if (proof)
        proof->unverified = 1;
      return 0;
    }
  if (verify (rd, err) < 0)
    return -1;
  if (proof)
    {
      proof->manifest = steal_pointer (&rd->manifest);
      proof->manifest_len = rd->manifest_len;
      proof->signature = steal_pointer (&rd->signature);
      proof->signature_len = rd->signature_len;
    }
  return 0;
}

int
ferry_archive_scan (int fd, const struct ferry_archive_keys *keys, const char *const *keep, const char *what,
                    struct ferry_archive_contents *out, struct ferry_archive_proof *proof, ferry_error_t *err)
{
  __attribute__ ((cleanup (reader_release))) struct reader rd
      = { .what = what, .dirfd = -1, .parent_fd = -1, .keep = keep, .contents = out, .keys = keys };
  int ret;

  memset (out, 0, sizeof (*out));
  rd.budget = UINT64_MAX;
  ret = read_verified (&rd, fd, proof, err);
  if (ret == 0)
    out->entries = json_object_get (rd.seen);
  return ret;
}

void
ferry_archive_contents_release (struct ferry_archive_contents *c)
{
  for (size_t i = 0; i < c->n; i++)
    {
      free (c->names[i]);
      free (c->data[i]);
    }
  free (c->names);
  free (c->data);
  free (c->lens);
  json_object_put (c->entries);
  memset (c, 0, sizeof (*c));
}

const char *
ferry_archive_contents_get (const struct ferry_archive_contents *c, const char *name, size_t *len)
{
  for (size_t i = 0; i < c->n; i++)
    if (strcmp (c->names[i], name) == 0)
      {
        if (len)
          *len = c->lens[i];
        return c->data[i];
      }
  return NULL;
}

int
ferry_archive_extract_proven (int fd, const struct ferry_archive_keys *keys, const char *dir,
                              int (*allowed) (const char *name), unsigned flags, const char *what,
                              struct ferry_archive_proof *proof, ferry_error_t *err)
{
  __attribute__ ((cleanup (reader_release))) struct reader rd
      = { .what = what, .dir = dir, .allowed = allowed, .dirfd = -1, .parent_fd = -1, .keys = keys };

  rd.unverified_ok = (flags & FERRY_ARCHIVE_UNVERIFIED_OK) != 0;

  if (what == NULL)
    rd.what = "checkpoint archive";
  rd.dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rd.dirfd < 0)
    return ferry_make_error (err, errno, "cannot open directory `%s`", dir);
  rd.budget = staging_budget (rd.dirfd);
  return read_verified (&rd, fd, proof, err);
}
