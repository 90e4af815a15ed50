/* ferry: reading CRIU's stats-dump and stats-restore.
 *
 * The file is two little-endian magics (IMG_SERVICE, STATS) and then
 * length-prefixed protobuf StatsEntry messages (stats.proto):
 *   stats_entry { optional dump_stats_entry dump = 1;
 *                 optional restore_stats_entry restore = 2; }
 * The decoder below knows just enough protobuf for that: varints and
 * length-delimited fields, skipping fixed-size ones, every length checked
 * against what is left, since the file comes from an archive that may have
 * been crafted.  */
#include "criu_stats.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#define CRIU_MAGIC_IMG_SERVICE 0x55105940u
#define CRIU_MAGIC_STATS 0x57093306u

/* Stats files are a few dozen bytes.  */
#define CRIU_STATS_MAX_SIZE (1024 * 1024)

enum wire_type
{
  WIRE_VARINT = 0,
  WIRE_FIXED64 = 1,
  WIRE_LEN = 2,
  WIRE_FIXED32 = 5,
};

struct field_name
{
  unsigned number;
  const char *name;
  bool is_uint32; /* protobuf truncates uint32 fields to 32 bits */
};

static const struct field_name dump_fields[] = {
  { 1, "freezing_time", true },
  { 2, "frozen_time", true },
  { 3, "memdump_time", true },
  { 4, "memwrite_time", true },
  { 5, "pages_scanned", false },
  { 6, "pages_skipped_parent", false },
  { 7, "pages_written", false },
  { 8, "irmap_resolve", true },
  { 9, "pages_lazy", false },
  { 10, "page_pipes", false },
  { 11, "page_pipe_bufs", false },
  { 12, "shpages_scanned", false },
  { 13, "shpages_skipped_parent", false },
  { 14, "shpages_written", false },
  { 0, NULL, false },
};

static const struct field_name restore_fields[] = {
  { 1, "pages_compared", false }, { 2, "pages_skipped_cow", false }, { 3, "forking_time", true },
  { 4, "restore_time", true },    { 5, "pages_restored", false },    { 0, NULL, false },
};

/* A bounded view of bytes being decoded.  */
struct cursor
{
  const unsigned char *p;
  size_t left;
};

static bool
read_varint (struct cursor *c, uint64_t *out)
{
  uint64_t v = 0;
  unsigned shift;

  for (shift = 0; shift < 64; shift += 7)
    {
      unsigned char b;

      if (c->left == 0)
        return false;
      b = *c->p++;
      c->left--;
      /* The tenth byte may carry only the top bit of 64.  */
      if (shift == 63 && (b & 0x7e))
        return false;
      v |= (uint64_t) (b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        {
          *out = v;
          return true;
        }
    }
  return false;
}

static bool
skip (struct cursor *c, uint64_t n)
{
  if (n > c->left)
    return false;
  c->p += n;
  c->left -= n;
  return true;
}

/* Reads one field's key.  For a length-delimited field, *SUB is its body
 * (already skipped in C); a varint's value goes to *VALUE; others are
 * skipped.  */
static bool
next_field (struct cursor *c, unsigned *number, unsigned *type, uint64_t *value, struct cursor *sub)
{
  uint64_t key, len;

  if (! read_varint (c, &key) || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
    return false;
  *number = key >> 3;
  *type = key & 7;
  switch (*type)
    {
    case WIRE_VARINT:
      return read_varint (c, value);
    case WIRE_FIXED64:
      return skip (c, 8);
    case WIRE_FIXED32:
      return skip (c, 4);
    case WIRE_LEN:
      if (! read_varint (c, &len) || len > c->left)
        return false;
      sub->p = c->p;
      sub->left = len;
      return skip (c, len);
    default:
      /* Groups (3, 4) are not in stats.proto; 6 and 7 do not exist.  */
      return false;
    }
}

static void
add_field (json_object *out, const struct field_name *names, unsigned number, uint64_t value)
{
  const struct field_name *f;

  for (f = names; f->name; f++)
    if (f->number == number)
      {
        if (f->is_uint32)
          json_object_object_add (out, f->name, json_object_new_int64 ((uint32_t) value));
        else
          json_object_object_add (out, f->name, json_object_new_uint64 (value));
        return;
      }
  /* A field of a newer CRIU: left out rather than guessed at.  */
}

static bool
decode_counters (struct cursor c, const struct field_name *names, json_object *out)
{
  while (c.left > 0)
    {
      unsigned number, type;
      uint64_t value = 0;
      struct cursor sub;

      if (! next_field (&c, &number, &type, &value, &sub))
        return false;
      if (type == WIRE_VARINT)
        add_field (out, names, number, value);
    }
  return true;
}

static bool
decode_stats_entry (struct cursor c, json_object *out)
{
  while (c.left > 0)
    {
      unsigned number, type;
      uint64_t value;
      struct cursor sub;

      if (! next_field (&c, &number, &type, &value, &sub))
        return false;
      if (type != WIRE_LEN)
        continue;
      if (number == 1 && ! decode_counters (sub, dump_fields, out))
        return false;
      if (number == 2 && ! decode_counters (sub, restore_fields, out))
        return false;
    }
  return true;
}

/* Reads PATH into *OUT, refusing more than CRIU_STATS_MAX_SIZE bytes
 * before reading them.  */
static int
read_capped (const char *path, unsigned char **out, size_t *len, ferry_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  cleanup_free unsigned char *buf = NULL;
  size_t n = 0;

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open CRIU statistics `%s`", path);
  buf = xmalloc (CRIU_STATS_MAX_SIZE + 1);
  for (;;)
    {
      ssize_t r = read (fd, buf + n, CRIU_STATS_MAX_SIZE + 1 - n);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return ferry_make_error (err, errno, "cannot read CRIU statistics `%s`", path);
      if (r == 0)
        break;
      n += r;
      if (n > CRIU_STATS_MAX_SIZE)
        return ferry_make_error (err, EFBIG, "CRIU statistics `%s` are too large", path);
    }
  /* Exactly the file: a read past its end is a read past the buffer.  */
  *out = xrealloc (steal_pointer (&buf), n ? n : 1);
  *len = n;
  return 0;
}

static uint32_t
le32 (const unsigned char *p)
{
  return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

json_object *
ferry_criu_stats_parse (const char *path, ferry_error_t *err)
{
  cleanup_free unsigned char *data = NULL;
  cleanup_json json_object *out = NULL;
  struct cursor c;
  size_t len = 0, messages = 0;

  if (read_capped (path, &data, &len, err) < 0)
    return NULL;
  c.p = data;
  c.left = len;
  if (len < 8 || le32 (c.p) != CRIU_MAGIC_IMG_SERVICE || le32 (c.p + 4) != CRIU_MAGIC_STATS)
    {
      ferry_make_error (err, 0, "`%s` is not a CRIU statistics file (wrong magic)", path);
      return NULL;
    }
  skip (&c, 8);
  out = json_object_new_object ();
  while (c.left > 0)
    {
      struct cursor body;
      uint32_t size;

      if (c.left < 4 || (size = le32 (c.p)) > c.left - 4)
        {
          ferry_make_error (err, 0, "CRIU statistics `%s` are truncated", path);
          return NULL;
        }
      body.p = c.p + 4;
      body.left = size;
      if (! decode_stats_entry (body, out))
        {
          ferry_make_error (err, 0, "CRIU statistics `%s` are corrupt: invalid protobuf message", path);
          return NULL;
        }
      skip (&c, 4 + (uint64_t) size);
      messages++;
    }
  if (messages == 0)
    {
      ferry_make_error (err, 0, "CRIU statistics `%s` are empty", path);
      return NULL;
    }
  return steal_pointer (&out);
}
