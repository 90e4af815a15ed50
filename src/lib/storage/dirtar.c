#include "dirtar.h"
#include "unpack.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int
copy_data (struct archive *disk, struct archive *out, const char *name, ferry_error_t *err)
{
  char buf[1 << 16];

  for (;;)
    {
      la_ssize_t r = archive_read_data (disk, buf, sizeof (buf));
      if (r == 0)
        return 0;
      if (r < 0)
        return ferry_make_error (err, archive_errno (disk) > 0 ? archive_errno (disk) : 0,
                                 "cannot read `%s`: %s", name, archive_error_string (disk));
      if (archive_write_data (out, buf, r) != r)
        return ferry_make_error (err, archive_errno (out) > 0 ? archive_errno (out) : 0,
                                 "cannot write `%s`: %s", name, archive_error_string (out));
    }
}

int
ferry_tar_directory (const char *dir, const char *tar_path, ferry_error_t *err)
{
  struct archive *disk = archive_read_disk_new ();
  struct archive *out = archive_write_new ();
  struct archive_entry *entry = archive_entry_new ();
  size_t dir_len = strlen (dir);

  while (dir_len > 1 && dir[dir_len - 1] == '/')
    dir_len--;
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int ret = -1, r;

  if (dfd < 0)
    {
      ferry_make_error (err, errno, "cannot open `%s`", dir);
      goto out;
    }
  archive_write_set_format_pax_restricted (out);
  if (archive_write_open_filename (out, tar_path) != ARCHIVE_OK)
    {
      ferry_make_error (err, archive_errno (out) > 0 ? archive_errno (out) : 0, "cannot create `%s`: %s",
                        tar_path, archive_error_string (out));
      goto out;
    }
  archive_read_disk_set_symlink_physical (disk);
  archive_read_disk_set_behavior (disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS | ARCHIVE_READDISK_RESTORE_ATIME);
  archive_read_disk_set_standard_lookup (disk);
  if (archive_read_disk_open (disk, dir) != ARCHIVE_OK)
    {
      ferry_make_error (err, 0, "cannot read `%s`: %s", dir, archive_error_string (disk));
      goto out;
    }
  while ((r = archive_read_next_header2 (disk, entry)) == ARCHIVE_OK)
    {
      const char *name = archive_entry_pathname (entry);

      archive_read_disk_descend (disk);
      /* Names relative to DIR: "DIR/a/b" becomes "a/b", and DIR itself "./"
       * so that its owner and mode travel too (a database's volume is
       * often 0700 and owned by its user).  */
      if (strncmp (name, dir, dir_len) != 0 || (name[dir_len] != '/' && name[dir_len] != '\0'))
        continue;
      /* Sockets have no tar form (and Podman's exports skip them too).  */
      if (archive_entry_filetype (entry) == AE_IFSOCK)
        continue;
      {
        cleanup_free char *rel = xstrdup (name[dir_len] == '\0' ? "./" : name + dir_len + 1);
        archive_entry_set_pathname (entry, rel);
      }
      /* A warning (a name that is not valid in the locale's charset) still
       * wrote the entry, byte for byte.  */
      r = archive_write_header (out, entry);
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        {
          ferry_make_error (err, archive_errno (out) > 0 ? archive_errno (out) : 0, "cannot save `%s/%s`: %s",
                            dir, archive_entry_pathname (entry), archive_error_string (out));
          goto out;
        }
      if (archive_entry_size (entry) > 0 && copy_data (disk, out, archive_entry_pathname (entry), err) < 0)
        goto out;
    }
  if (r != ARCHIVE_EOF)
    {
      ferry_make_error (err, 0, "cannot read `%s`: %s", dir, archive_error_string (disk));
      goto out;
    }
  if (archive_write_close (out) != ARCHIVE_OK)
    {
      ferry_make_error (err, archive_errno (out) > 0 ? archive_errno (out) : 0, "cannot write `%s`: %s",
                        tar_path, archive_error_string (out));
      goto out;
    }
  ret = 0;
out:
  archive_entry_free (entry);
  archive_read_free (disk);
  archive_write_free (out);
  return ret;
}

int
ferry_untar_directory (const char *tar_path, const char *dir, ferry_error_t *err)
{
  cleanup_close int fd = open (tar_path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", tar_path);
  if (ferry_unpack_tar_named (fd, tar_path, dir, 0, NULL, err) < 0)
    return ferry_error_wrap (err, "cannot unpack `%s`", tar_path);
  return 0;
}
