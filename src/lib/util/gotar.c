#include "gotar.h"
#include "cleanup.h"
#include "fs.h"
#include "xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 512
#define NAME_SIZE 100
#define PREFIX_SIZE 155
#define OWNER_NAME_SIZE 32
#define BUFFER_SIZE (1 << 16)

/* The fields of a ustar header block, by offset and width.  */
enum
{
  OFF_NAME = 0,
  OFF_MODE = 100,
  OFF_UID = 108,
  OFF_GID = 116,
  OFF_SIZE = 124,
  OFF_MTIME = 136,
  OFF_CHKSUM = 148,
  OFF_TYPE = 156,
  OFF_LINKNAME = 157,
  OFF_MAGIC = 257,
  OFF_VERSION = 263,
  OFF_UNAME = 265,
  OFF_GNAME = 297,
  OFF_DEVMAJOR = 329,
  OFF_DEVMINOR = 337,
  OFF_PREFIX = 345,
};

struct ferry_gotar
{
  int fd;
  char *what;
  char *buf;
  size_t used;
  uint64_t left; /* data still due for the current entry */
  uint64_t pad;  /* zeros due after it */
};

static bool
fits_octal (size_t width, int64_t v)
{
  /* WIDTH - 1 digits, the last byte being the NUL.  */
  return v >= 0 && (width - 1 >= 21 || (uint64_t) v < ((uint64_t) 1 << (3 * (width - 1))));
}

/* Zero-padded octal ending in a NUL; 0 when V does not fit (the PAX
 * record holds it then).  */
static void
put_octal (char *field, size_t width, int64_t v)
{
  char digits[32];
  int n;

  if (! fits_octal (width, v))
    v = 0;
  n = snprintf (digits, sizeof (digits), "%0*llo", (int) width - 1, (unsigned long long) v);
  memcpy (field, digits, (size_t) n);
  field[n] = '\0';
}

/* S, cut to WIDTH, NUL-terminated when shorter.  */
static void
put_string (char *field, size_t width, const char *s)
{
  size_t n = s ? strlen (s) : 0;

  memcpy (field, s ? s : "", n < width ? n : width);
  if (n < width)
    field[n] = '\0';
}

static bool
is_ascii (const char *s)
{
  for (; s && *s; s++)
    if ((unsigned char) *s >= 0x80)
      return false;
  return true;
}

/* S without its bytes past ASCII, what a PAX entry's ustar fields keep.  */
static char *
to_ascii (const char *s)
{
  char *out = xmalloc (strlen (s ? s : "") + 1), *o = out;

  for (; s && *s; s++)
    if ((unsigned char) *s < 0x80)
      *o++ = *s;
  *o = '\0';
  return out;
}

/* Where NAME splits into a ustar prefix (up to 155 bytes) and name (up
 * to 100) at a slash: the slash's index, or -1.  */
static long
ustar_split (const char *name)
{
  size_t len = strlen (name), limit = len;
  long i;

  if (len <= NAME_SIZE || ! is_ascii (name))
    return -1;
  if (limit > PREFIX_SIZE + 1)
    limit = PREFIX_SIZE + 1;
  else if (name[limit - 1] == '/')
    limit--;
  for (i = (long) limit - 1; i >= 0 && name[i] != '/'; i--)
    ;
  if (i <= 0 || len - (size_t) i - 1 > NAME_SIZE || len - (size_t) i - 1 == 0 || (size_t) i > PREFIX_SIZE)
    return -1;
  return i;
}

static void
finish_block (char *blk)
{
  unsigned sum = 0;
  size_t i;

  memcpy (blk + OFF_MAGIC, "ustar\0", 6);
  memcpy (blk + OFF_VERSION, "00", 2);
  memset (blk + OFF_CHKSUM, ' ', 8);
  for (i = 0; i < BLOCK; i++)
    sum += (unsigned char) blk[i];
  put_octal (blk + OFF_CHKSUM, 7, sum);
  blk[OFF_CHKSUM + 7] = ' ';
}

/* The ustar fields of E into BLK; with ASCII_ONLY (a PAX entry's main
 * header) its strings lose what is not ASCII, the records have them.  */
static void
fill_block (char *blk, const struct ferry_gotar_entry *e, const char *name, bool ascii_only)
{
  cleanup_free char *n = ascii_only ? to_ascii (name) : xstrdup (name);
  cleanup_free char *l = ascii_only ? to_ascii (e->linkname) : xstrdup (e->linkname ? e->linkname : "");
  cleanup_free char *u = ascii_only ? to_ascii (e->uname) : xstrdup (e->uname ? e->uname : "");
  cleanup_free char *g = ascii_only ? to_ascii (e->gname) : xstrdup (e->gname ? e->gname : "");

  memset (blk, 0, BLOCK);
  blk[OFF_TYPE] = e->type;
  put_string (blk + OFF_NAME, NAME_SIZE, n);
  put_string (blk + OFF_LINKNAME, NAME_SIZE, l);
  put_octal (blk + OFF_MODE, 8, e->mode);
  put_octal (blk + OFF_UID, 8, (int64_t) e->uid);
  put_octal (blk + OFF_GID, 8, (int64_t) e->gid);
  put_octal (blk + OFF_SIZE, 12, (int64_t) e->size);
  put_octal (blk + OFF_MTIME, 12, e->mtime);
  put_string (blk + OFF_UNAME, OWNER_NAME_SIZE, u);
  put_string (blk + OFF_GNAME, OWNER_NAME_SIZE, g);
  put_octal (blk + OFF_DEVMAJOR, 8, e->devmajor);
  put_octal (blk + OFF_DEVMINOR, 8, e->devminor);
}

static size_t
decimal_digits (size_t n)
{
  size_t d = 1;

  for (; n >= 10; n /= 10)
    d++;
  return d;
}

/* PAX records, binary-safe (an attribute's value may hold anything).  */
struct records
{
  char *data;
  size_t len;
};

/* A PAX record: its own length in decimal first, which counts itself.  */
static void
add_record (struct records *r, const char *key, const char *value, size_t value_len)
{
  size_t base = strlen (key) + value_len + 3;
  size_t size = base + decimal_digits (base);
  char head[64];
  int n;

  size = base + decimal_digits (size);
  n = snprintf (head, sizeof (head), "%zu ", size);
  r->data = xrealloc (r->data, r->len + size + 1);
  memcpy (r->data + r->len, head, (size_t) n);
  r->len += (size_t) n;
  memcpy (r->data + r->len, key, strlen (key));
  r->len += strlen (key);
  r->data[r->len++] = '=';
  memcpy (r->data + r->len, value, value_len);
  r->len += value_len;
  r->data[r->len++] = '\n';
}

/* The name of the PAX header of NAME: "PaxHeaders.0" between its
 * directory and its base name, as Go's path.Join makes it.  */
static char *
pax_header_name (const char *name)
{
  const char *slash = strrchr (name, '/');
  cleanup_free char *dir = slash ? strndup (name, (size_t) (slash - name)) : NULL;
  const char *base = slash ? slash + 1 : name;
  char *joined, *ascii;
  size_t len;

  joined = xasprintf ("%s%sPaxHeaders.0%s%s", dir && *dir ? dir : "", dir && *dir ? "/" : "",
                      *base ? "/" : "", base);
  ascii = to_ascii (joined);
  free (joined);
  if (strlen (ascii) > NAME_SIZE)
    ascii[NAME_SIZE] = '\0';
  for (len = strlen (ascii); len > 0 && ascii[len - 1] == '/'; len--)
    ascii[len - 1] = '\0';
  return ascii;
}

static bool
needs_pax_string (const char *s, size_t width)
{
  return s && (strlen (s) > width || ! is_ascii (s));
}

static int
compare_xattrs (const void *a, const void *b, void *entry)
{
  const struct ferry_gotar_entry *e = entry;

  return strcmp (e->xattr_names[*(const size_t *) a], e->xattr_names[*(const size_t *) b]);
}

/* The PAX records E needs, in key order (Go sorts them: the attributes'
 * SCHILY.xattr. keys before the lower-case ones); *USTAR_OK tells
 * whether plain ustar holds E (a long name split in two).  */
static struct records
pax_records (const struct ferry_gotar_entry *e, bool *ustar_ok)
{
  char gid[32], mtime[32], size[32], uid[32];
  const struct
  {
    const char *key;
    bool needed;
    const char *value;
  } fields[] = {
    { "gid", ! fits_octal (8, (int64_t) e->gid), gid },
    { "gname", needs_pax_string (e->gname, OWNER_NAME_SIZE), e->gname },
    { "linkpath", needs_pax_string (e->linkname, NAME_SIZE), e->linkname },
    { "mtime", ! fits_octal (12, e->mtime), mtime },
    { "path", needs_pax_string (e->name, NAME_SIZE), e->name },
    { "size", ! fits_octal (12, (int64_t) e->size), size },
    { "uid", ! fits_octal (8, (int64_t) e->uid), uid },
    { "uname", needs_pax_string (e->uname, OWNER_NAME_SIZE), e->uname },
  };
  struct records r = { NULL, 0 };
  cleanup_free size_t *order = xmalloc (sizeof (size_t) * (e->n_xattrs + 1));
  size_t i;

  snprintf (gid, sizeof (gid), "%llu", (unsigned long long) e->gid);
  snprintf (mtime, sizeof (mtime), "%lld", (long long) e->mtime);
  snprintf (size, sizeof (size), "%llu", (unsigned long long) e->size);
  snprintf (uid, sizeof (uid), "%llu", (unsigned long long) e->uid);
  *ustar_ok = e->n_xattrs == 0;
  for (i = 0; i < e->n_xattrs; i++)
    order[i] = i;
  qsort_r (order, e->n_xattrs, sizeof (size_t), compare_xattrs, (void *) e);
  for (i = 0; i < e->n_xattrs; i++)
    {
      cleanup_free char *key = xasprintf ("SCHILY.xattr.%s", e->xattr_names[order[i]]);
      add_record (&r, key, e->xattr_values[order[i]], e->xattr_sizes[order[i]]);
    }
  for (i = 0; i < sizeof (fields) / sizeof (fields[0]); i++)
    {
      if (! fields[i].needed)
        continue;
      add_record (&r, fields[i].key, fields[i].value, strlen (fields[i].value));
      /* A long name only may still fit ustar, split at a slash.  */
      if (strcmp (fields[i].key, "path") != 0 || ustar_split (e->name) < 0)
        *ustar_ok = false;
    }
  return r;
}

int
ferry_gotar_format_header (const struct ferry_gotar_entry *e, char **out, size_t *len)
{
  struct records records;
  bool ustar_ok;
  char *blk;

  if (! fits_octal (8, e->devmajor) || ! fits_octal (8, e->devminor) || ! fits_octal (8, e->mode))
    return -1;
  records = pax_records (e, &ustar_ok);
  if (ustar_ok)
    {
      free (records.data);
      long split = ustar_split (e->name);
      cleanup_free char *prefix = split > 0 ? strndup (e->name, (size_t) split) : NULL;

      blk = xmalloc (BLOCK);
      fill_block (blk, e, split > 0 ? e->name + split + 1 : e->name, false);
      if (prefix)
        put_string (blk + OFF_PREFIX, PREFIX_SIZE, prefix);
      finish_block (blk);
      *out = blk;
      *len = BLOCK;
      return 0;
    }
  {
    size_t rlen = records.len, rblocks = (rlen + BLOCK - 1) / BLOCK;
    cleanup_free char *xname = pax_header_name (e->name);

    *len = BLOCK * (2 + rblocks);
    blk = xmalloc0 (*len);
    blk[OFF_TYPE] = 'x';
    put_string (blk + OFF_NAME, NAME_SIZE, xname);
    put_octal (blk + OFF_MODE, 8, 0);
    put_octal (blk + OFF_UID, 8, 0);
    put_octal (blk + OFF_GID, 8, 0);
    put_octal (blk + OFF_SIZE, 12, (int64_t) rlen);
    put_octal (blk + OFF_MTIME, 12, 0);
    finish_block (blk);
    memcpy (blk + BLOCK, records.data, rlen);
    free (records.data);
    fill_block (blk + BLOCK * (1 + rblocks), e, e->name, true);
    finish_block (blk + BLOCK * (1 + rblocks));
    *out = blk;
  }
  return 0;
}

ferry_gotar_t *
ferry_gotar_new (int fd, const char *what)
{
  ferry_gotar_t *w = xmalloc0 (sizeof (*w));

  w->fd = fd;
  w->what = xstrdup (what);
  w->buf = xmalloc (BUFFER_SIZE);
  return w;
}

void
ferry_gotar_free (ferry_gotar_t *w)
{
  if (w == NULL)
    return;
  free (w->what);
  free (w->buf);
  free (w);
}

static int
flush (ferry_gotar_t *w, ferry_error_t *err)
{
  if (w->used && ferry_write_all (w->fd, w->buf, w->used) < 0)
    return ferry_make_error (err, errno, "cannot write to `%s`", w->what);
  w->used = 0;
  return 0;
}

static int
put (ferry_gotar_t *w, const void *data, size_t len, ferry_error_t *err)
{
  if (w->used + len > BUFFER_SIZE && flush (w, err) < 0)
    return -1;
  if (len >= BUFFER_SIZE)
    {
      if (ferry_write_all (w->fd, data, len) < 0)
        return ferry_make_error (err, errno, "cannot write to `%s`", w->what);
      return 0;
    }
  memcpy (w->buf + w->used, data, len);
  w->used += len;
  return 0;
}

static int
put_zeros (ferry_gotar_t *w, size_t n, ferry_error_t *err)
{
  static const char zeros[BLOCK * 2];

  while (n > 0)
    {
      size_t k = n < sizeof (zeros) ? n : sizeof (zeros);
      if (put (w, zeros, k, err) < 0)
        return -1;
      n -= k;
    }
  return 0;
}

static int
entry_done (ferry_gotar_t *w, const char *next, ferry_error_t *err)
{
  if (w->left)
    return ferry_make_error (err, 0,
                             "cannot write to `%s`: %llu bytes of the previous entry missing before %s",
                             w->what, (unsigned long long) w->left, next);
  if (put_zeros (w, w->pad, err) < 0)
    return -1;
  w->pad = 0;
  return 0;
}

int
ferry_gotar_header (ferry_gotar_t *w, const struct ferry_gotar_entry *e, ferry_error_t *err)
{
  cleanup_free char *blocks = NULL;
  size_t len;

  if (entry_done (w, e->name, err) < 0)
    return -1;
  if (ferry_gotar_format_header (e, &blocks, &len) < 0)
    return ferry_make_error (err, EOVERFLOW,
                             "cannot write `%s` to `%s`: a field of its header is too large for tar", e->name,
                             w->what);
  if (put (w, blocks, len, err) < 0)
    return -1;
  w->left = e->type == FERRY_GOTAR_FILE ? e->size : 0;
  w->pad = (BLOCK - w->left % BLOCK) % BLOCK;
  return 0;
}

int
ferry_gotar_data (ferry_gotar_t *w, const void *buf, size_t len, ferry_error_t *err)
{
  if (len > w->left)
    return ferry_make_error (err, 0, "cannot write to `%s`: more data than its tar header announced",
                             w->what);
  w->left -= len;
  return put (w, buf, len, err);
}

int
ferry_gotar_finish (ferry_gotar_t *w, ferry_error_t *err)
{
  if (entry_done (w, "the end of the archive", err) < 0 || put_zeros (w, BLOCK * 2, err) < 0)
    return -1;
  return flush (w, err);
}
