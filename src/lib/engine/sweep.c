#include "sweep.h"
#include "internal.h"
#include "../image/store.h"
#include "../state/lock.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where a container has directories named by its ID.  */
enum
{
  N_CONTAINER_PARENTS = 3
};

static void
container_parents (ferry_engine_t *e, char *parents[N_CONTAINER_PARENTS])
{
  parents[0] = xasprintf ("%s/containers", e->root);
  parents[1] = xasprintf ("%s/storage/overlay", e->root);
  parents[2] = xasprintf ("%s/containers", e->runroot);
}

static char **
strv_add (char **v, size_t *n, char *s)
{
  v = xrealloc (v, sizeof (char *) * (*n + 2));
  v[(*n)++] = s;
  v[*n] = NULL;
  return v;
}

static int
strv_has (char **v, const char *s)
{
  for (; v && *v; v++)
    if (strcmp (*v, s) == 0)
      return 1;
  return 0;
}

/* Adds to *IDS the names in DIR that could be a container's: 64 hex
 * digits, a directory itself and not a symlink to one.  */
static int
collect_ids (const char *dir, char ***ids, size_t *n, ferry_error_t *err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int fd;

  fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : ferry_make_error (err, errno, "cannot open `%s`", dir);
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return ferry_make_error (err, errno, "cannot read `%s`", dir);
    }
  while ((de = readdir (d)))
    {
      cleanup_free char *digest = xasprintf ("sha256:%s", de->d_name);
      struct stat st;

      if (! ferry_digest_is_valid (digest) || fstatat (fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0
          || ! S_ISDIR (st.st_mode) || strv_has (*ids, de->d_name))
        continue;
      *ids = strv_add (*ids, n, xstrdup (de->d_name));
    }
  return 0;
}

/* 1 when SQL (one text parameter) finds a row for ID, 0 when certainly
 * none, -1 when it cannot tell.  */
static int
row_exists (ferry_engine_t *e, const char *sql, const char *id, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = ferry_db_prepare (e->db, sql, err);
  int rc;

  if (st == NULL)
    return -1;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  return ferry_db_error (e->db, err, "cannot read the containers");
}

/* 1 when ID is the database's (its row, or an operation's record that
 * settling will end), 0 when not, -1 when it cannot tell.  */
static int
container_known (ferry_engine_t *e, const char *id, ferry_error_t *err)
{
  int r = row_exists (e, "SELECT 1 FROM containers WHERE id = ?", id, err);

  if (r != 0)
    return r;
  return row_exists (e, "SELECT 1 FROM operations WHERE container_id = ?", id, err);
}

/* Removes ID's directories under PARENTS, mounts below them first.  */
static int
remove_container_dirs (char *parents[N_CONTAINER_PARENTS], const char *id, char ***removed, size_t *n,
                       ferry_error_t *err)
{
  const char *const entries[] = { id, NULL };
  size_t i;

  for (i = 0; i < N_CONTAINER_PARENTS; i++)
    {
      cleanup_close int fd = open (parents[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      struct stat st;

      if (fd < 0 || fstatat (fd, id, &st, AT_SYMLINK_NOFOLLOW) < 0 || ! S_ISDIR (st.st_mode))
        continue;
      ferry_unmount_below (parents[i], entries);
      if (ferry_rm_rf_at (fd, id, err) < 0)
        return ferry_error_wrap (err, "cannot remove `%s/%s`", parents[i], id);
      *removed = strv_add (*removed, n, xasprintf ("%s/%s", parents[i], id));
    }
  return 0;
}

/* ID's directories go when, holding its lock, the database still knows
 * nothing of it: whoever makes or removes a container holds that lock
 * while its directories and its row disagree.  */
static int
sweep_container (ferry_engine_t *e, char *parents[N_CONTAINER_PARENTS], const char *id, char ***removed,
                 size_t *n, ferry_error_t *err)
{
  cleanup_free char *name = xasprintf ("container-%s", id);
  cleanup_lock int lock = -1;
  int busy = 0, r;

  r = container_known (e, id, err);
  if (r != 0)
    return r;
  lock = ferry_lock_try_acquire (e->root, name, 1, &busy, err);
  if (lock < 0)
    return busy ? 0 : -1;
  r = container_known (e, id, err);
  if (r != 0)
    return r;
  /* The lock file stays, as rm leaves it: one unlinked while another
   * ferry waits on it would let two hold "the" lock.  */
  if (remove_container_dirs (parents, id, removed, n, err) < 0)
    return -1;
  /* An rm killed after the row went left its exit file too.  */
  {
    cleanup_free char *exits = ferry_engine_exit_dir (e);
    cleanup_free char *exit_file = xasprintf ("%s/%s", exits, id);

    if (unlink (exit_file) < 0 && errno != ENOENT)
      return ferry_make_error (err, errno, "cannot remove `%s`", exit_file);
  }
  return 0;
}

int
ferry_storage_sweep (ferry_engine_t *e, char ***removed, ferry_error_t *err)
{
  char *parents[N_CONTAINER_PARENTS];
  cleanup_strv char **ids = xmalloc0 (sizeof (char *));
  size_t n_ids = 0, n = 0, i;
  int ret = -1;

  if (ferry_store_sweep (e->store, removed, err) < 0)
    return -1;
  while ((*removed)[n])
    n++;
  container_parents (e, parents);
  for (i = 0; i < N_CONTAINER_PARENTS; i++)
    if (collect_ids (parents[i], &ids, &n_ids, err) < 0)
      goto out;
  for (i = 0; i < n_ids; i++)
    if (sweep_container (e, parents, ids[i], removed, &n, err) < 0)
      goto out;
  ret = 0;
out:
  for (i = 0; i < N_CONTAINER_PARENTS; i++)
    free (parents[i]);
  return ret;
}

/* 1 when ID is external now: no row, and no ferry holds its lock.  */
static int
is_external (ferry_engine_t *e, const char *id, ferry_error_t *err)
{
  cleanup_free char *name = xasprintf ("container-%s", id);
  cleanup_lock int lock = -1;
  int busy = 0, r;

  r = container_known (e, id, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  lock = ferry_lock_try_acquire (e->root, name, 1, &busy, err);
  if (lock < 0)
    return busy ? 0 : -1;
  r = container_known (e, id, err);
  return r < 0 ? -1 : ! r;
}

/* The last change of ID's directory under PARENTS, the latest of them.  */
static char *
dir_time (char *parents[N_CONTAINER_PARENTS], const char *id)
{
  struct timespec latest = { 0 };

  for (size_t i = 0; i < N_CONTAINER_PARENTS; i++)
    {
      cleanup_free char *path = xasprintf ("%s/%s", parents[i], id);
      struct stat st;

      if (lstat (path, &st) == 0 && S_ISDIR (st.st_mode)
          && (st.st_mtim.tv_sec > latest.tv_sec
              || (st.st_mtim.tv_sec == latest.tv_sec && st.st_mtim.tv_nsec > latest.tv_nsec)))
        latest = st.st_mtim;
    }
  return ferry_time_format_nano (&latest);
}

int
ferry_storage_external_containers (ferry_engine_t *e, struct ferry_external_container **out, size_t *n,
                                   ferry_error_t *err)
{
  char *parents[N_CONTAINER_PARENTS];
  cleanup_strv char **ids = xmalloc0 (sizeof (char *));
  size_t n_ids = 0, i;
  int ret = -1;

  *out = NULL;
  *n = 0;
  container_parents (e, parents);
  for (i = 0; i < N_CONTAINER_PARENTS; i++)
    if (collect_ids (parents[i], &ids, &n_ids, err) < 0)
      goto out;
  for (i = 0; i < n_ids; i++)
    {
      int r = is_external (e, ids[i], err);

      if (r < 0)
        {
          ferry_external_containers_free (*out, *n);
          *out = NULL;
          *n = 0;
          goto out;
        }
      if (r == 0)
        continue;
      *out = xrealloc (*out, sizeof (**out) * (*n + 1));
      (*out)[*n].id = xstrdup (ids[i]);
      (*out)[*n].created = dir_time (parents, ids[i]);
      (*n)++;
    }
  ret = 0;
out:
  for (i = 0; i < N_CONTAINER_PARENTS; i++)
    free (parents[i]);
  return ret;
}

void
ferry_external_containers_free (struct ferry_external_container *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (v[i].id);
      free (v[i].created);
    }
  free (v);
}

int
ferry_storage_container_strays (ferry_engine_t *e, char ***found, ferry_error_t *err)
{
  struct ferry_external_container *v = NULL;
  size_t n = 0;

  if (ferry_storage_external_containers (e, &v, &n, err) < 0)
    return -1;
  *found = xmalloc0 (sizeof (char *) * (n + 1));
  for (size_t i = 0; i < n; i++)
    (*found)[i] = steal_pointer (&v[i].id);
  ferry_external_containers_free (v, n);
  return 0;
}
