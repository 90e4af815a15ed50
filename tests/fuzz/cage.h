/* For the libFuzzer targets that write files (fuzz_archive, fuzz_unpack):
 * a cage, a fixed directory (FERRY_FUZZ_CAGE, default
 * /tmp/ferry-fuzz-cage-TARGET) holding a sentinel file, three levels of directories and the
 * destination at the bottom:
 *
 *   CAGE/sentinel  CAGE/1/sentinel  CAGE/1/2/3/dest/
 *
 * An entry that climbs out of dest by "..", through a symlink or a hard
 * link, lands in the cage (a fixed name, so that an absolute symlink can
 * find it too).  After each input, cage_check aborts when anything in the
 * cage but dest changed (a new file, a sentinel's content, mode, owner,
 * times or link count), or when a file in dest is a hard link of a file
 * outside it: that is an escape even when no sanitizer sees anything.
 * Then dest is removed (without following a symlink) for the next input.
 *
 * A cage is one run's: a second run of the same target with the same
 * cage stops at once (CAGE.lock is held).  */
#ifndef FERRY_FUZZ_CAGE_H
#define FERRY_FUZZ_CAGE_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#define CAGE_SENTINEL_TEXT "outside the destination: never to be written\n"

static char cage_root[4096];
static char cage_dest[4096];
static struct stat cage_before[6];
static const char *const cage_fixed[] = { "", "/sentinel", "/1", "/1/sentinel", "/1/2", "/1/2/3" };
enum
{
  N_CAGE_FIXED = sizeof (cage_fixed) / sizeof (cage_fixed[0])
};

static void
cage_die (const char *what, const char *path)
{
  fprintf (stderr, "cage: %s: %s (%s)\n", what, path, strerror (errno));
  abort ();
}

static int
cage_remove_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st;
  (void) ftw;
  /* An entry may have left a directory unreadable or unwritable.  */
  if (flag == FTW_DP || flag == FTW_D || flag == FTW_DNR)
    {
      chmod (path, 0700);
      if (rmdir (path) < 0 && errno != ENOENT)
        cage_die ("cannot remove", path);
      return 0;
    }
  if (unlink (path) < 0 && errno != ENOENT)
    cage_die ("cannot remove", path);
  return 0;
}

static void
cage_remove (const char *dir)
{
  struct stat st;

  if (lstat (dir, &st) < 0)
    return;
  if (! S_ISDIR (st.st_mode))
    {
      unlink (dir);
      return;
    }
  /* Unreadable directories first, so that nftw can descend.  */
  chmod (dir, 0700);
  if (nftw (dir, cage_remove_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
    cage_die ("cannot walk", dir);
}

static void
cage_write_sentinel (const char *path)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  if (fd < 0
      || write (fd, CAGE_SENTINEL_TEXT, sizeof (CAGE_SENTINEL_TEXT) - 1)
             != (ssize_t) sizeof (CAGE_SENTINEL_TEXT) - 1)
    cage_die ("cannot write", path);
  close (fd);
}

/* Makes the cage of target NAME afresh; dest is made by cage_begin.  */
static void
cage_init (const char *name)
{
  const char *root = getenv ("FERRY_FUZZ_CAGE");
  char path[4200];
  int lock;

  if (root && *root)
    snprintf (cage_root, sizeof (cage_root), "%s", root);
  else
    snprintf (cage_root, sizeof (cage_root), "/tmp/ferry-fuzz-cage-%s", name);
  snprintf (path, sizeof (path), "%s.lock", cage_root);
  lock = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || flock (lock, LOCK_EX | LOCK_NB) < 0)
    cage_die ("another run holds the cage", path);
  snprintf (cage_dest, sizeof (cage_dest), "%s/1/2/3/dest", cage_root);
  cage_remove (cage_root);
  if (mkdir (cage_root, 0755) < 0)
    cage_die ("cannot make", cage_root);
  snprintf (path, sizeof (path), "%s/1/2/3", cage_root);
  for (char *p = path + strlen (cage_root) + 1;; p++)
    if (*p == '/' || *p == '\0')
      {
        char c = *p;
        *p = '\0';
        if (mkdir (path, 0755) < 0 && errno != EEXIST)
          cage_die ("cannot make", path);
        *p = c;
        if (c == '\0')
          break;
      }
  snprintf (path, sizeof (path), "%s/sentinel", cage_root);
  cage_write_sentinel (path);
  snprintf (path, sizeof (path), "%s/1/sentinel", cage_root);
  cage_write_sentinel (path);
  for (size_t i = 0; i < N_CAGE_FIXED; i++)
    {
      snprintf (path, sizeof (path), "%s%s", cage_root, cage_fixed[i]);
      if (lstat (path, &cage_before[i]) < 0)
        cage_die ("cannot stat", path);
    }
}

static void
cage_begin (void)
{
  if (mkdir (cage_dest, 0755) < 0)
    cage_die ("cannot make", cage_dest);
}

static bool
cage_same (const struct stat *a, const struct stat *b)
{
  return a->st_ino == b->st_ino && a->st_mode == b->st_mode && a->st_uid == b->st_uid
         && a->st_gid == b->st_gid && a->st_nlink == b->st_nlink && a->st_size == b->st_size
         && a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The names in DIR must be exactly the NULL-terminated WANT.  */
static void
cage_only (const char *dir, const char *const *want)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  size_t n = 0, n_want = 0;

  if (d == NULL)
    cage_die ("cannot open", dir);
  while (want[n_want])
    n_want++;
  while ((de = readdir (d)))
    {
      bool known = false;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      for (size_t i = 0; want[i]; i++)
        known = known || strcmp (want[i], de->d_name) == 0;
      if (! known)
        {
          fprintf (stderr, "cage: `%s` appeared in %s, outside the destination\n", de->d_name, dir);
          abort ();
        }
      n++;
    }
  closedir (d);
  if (n != n_want)
    {
      fprintf (stderr, "cage: something was removed from %s\n", dir);
      abort ();
    }
}

/* Hard links in dest: every file with more than one link must have all
 * of them in dest (else it is a file outside, reachable from dest).  */
struct cage_links
{
  ino_t ino;
  nlink_t nlink;
  nlink_t seen;
};
static struct cage_links *cage_links;
static size_t cage_n_links, cage_cap_links;

static int
cage_count_link (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) path;
  (void) ftw;
  if (flag != FTW_F || S_ISDIR (st->st_mode) || st->st_nlink < 2)
    return 0;
  for (size_t i = 0; i < cage_n_links; i++)
    if (cage_links[i].ino == st->st_ino)
      {
        cage_links[i].seen++;
        return 0;
      }
  if (cage_n_links == cage_cap_links)
    {
      cage_cap_links = cage_cap_links ? 2 * cage_cap_links : 64;
      cage_links = realloc (cage_links, cage_cap_links * sizeof (*cage_links));
      if (cage_links == NULL)
        abort ();
    }
  cage_links[cage_n_links++] = (struct cage_links){ st->st_ino, st->st_nlink, 1 };
  return 0;
}

static void
cage_check (void)
{
  char path[4200];
  static const char *const in_root[] = { "sentinel", "1", NULL };
  static const char *const in_1[] = { "sentinel", "2", NULL };
  static const char *const in_2[] = { "3", NULL };
  static const char *const in_3[] = { "dest", NULL };
  char text[sizeof (CAGE_SENTINEL_TEXT)];

  for (size_t i = 0; i < N_CAGE_FIXED; i++)
    {
      struct stat st;

      snprintf (path, sizeof (path), "%s%s", cage_root, cage_fixed[i]);
      if (lstat (path, &st) < 0)
        cage_die ("lost", path);
      /* A directory's times change when dest is made and removed.  */
      if (S_ISDIR (st.st_mode))
        {
          if (st.st_ino != cage_before[i].st_ino || st.st_mode != cage_before[i].st_mode
              || st.st_uid != cage_before[i].st_uid || st.st_gid != cage_before[i].st_gid)
            cage_die ("changed", path);
          continue;
        }
      if (! cage_same (&st, &cage_before[i]))
        cage_die ("changed", path);
      {
        int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        ssize_t n = fd < 0 ? -1 : read (fd, text, sizeof (text));
        if (fd >= 0)
          close (fd);
        if (n != (ssize_t) sizeof (CAGE_SENTINEL_TEXT) - 1
            || memcmp (text, CAGE_SENTINEL_TEXT, sizeof (CAGE_SENTINEL_TEXT) - 1) != 0)
          cage_die ("sentinel written", path);
      }
    }
  cage_only (cage_root, in_root);
  snprintf (path, sizeof (path), "%s/1", cage_root);
  cage_only (path, in_1);
  snprintf (path, sizeof (path), "%s/1/2", cage_root);
  cage_only (path, in_2);
  snprintf (path, sizeof (path), "%s/1/2/3", cage_root);
  cage_only (path, in_3);
  cage_n_links = 0;
  if (nftw (cage_dest, cage_count_link, 32, FTW_PHYS | FTW_MOUNT) < 0 && errno != EACCES)
    cage_die ("cannot walk", cage_dest);
  for (size_t i = 0; i < cage_n_links; i++)
    if (cage_links[i].seen != cage_links[i].nlink)
      {
        fprintf (stderr, "cage: a file in dest (inode %llu) has %llu links, %llu of them in dest\n",
                 (unsigned long long) cage_links[i].ino, (unsigned long long) cage_links[i].nlink,
                 (unsigned long long) cage_links[i].seen);
        abort ();
      }
}

static void
cage_end (void)
{
  cage_check ();
  cage_remove (cage_dest);
}

/* A descriptor reading DATA (SIZE bytes) from its start: a memfd, as a
 * file given with -i is.  */
static int
cage_input_fd (const unsigned char *data, size_t size)
{
  int fd = memfd_create ("fuzz-input", MFD_CLOEXEC);
  size_t done = 0;

  if (fd < 0)
    cage_die ("cannot make", "memfd");
  while (done < size)
    {
      ssize_t n = write (fd, data + done, size - done);
      if (n <= 0)
        cage_die ("cannot write", "memfd");
      done += n;
    }
  if (lseek (fd, 0, SEEK_SET) < 0)
    cage_die ("cannot seek", "memfd");
  return fd;
}

#endif
