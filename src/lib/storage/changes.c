#include "changes.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define OPAQUE_XATTR "trusted.overlay.opaque"

/* The walk keeps one descriptor per level of the upper tree; the layers'
 * directories are reopened by path for each upper directory (and closed
 * before descending), so that deep trees over many layers do not run out of
 * descriptors.  */
struct walker
{
  const char *upper;
  const char *const *lowers;
  const int *lower_fds; /* each layer's root */
  struct ferry_changes *out;
  size_t allocated;
};

/* The layers (top first) that hold one directory of the lower view, as
 * indexes into walker.lowers, and their open descriptors.  */
struct lower_dirs
{
  size_t *layers;
  int *fds;
  size_t n;
};

/* An upper directory to descend into once its parent is done.  */
struct pending_dir
{
  char *name;
  size_t *layers; /* lower layers that have it as a directory, top first */
  size_t n_layers;
};

struct name_list
{
  char **names;
  size_t n;
};

static void
lower_dirs_release (struct lower_dirs *l)
{
  for (size_t i = 0; i < l->n; i++)
    if (l->fds[i] >= 0)
      close (l->fds[i]);
  free (l->fds);
  free (l->layers);
  l->fds = NULL;
  l->layers = NULL;
  l->n = 0;
}

static void
name_list_release (struct name_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    free (l->names[i]);
  free (l->names);
  l->names = NULL;
  l->n = 0;
}

static void
pending_release (struct pending_dir *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (p[i].name);
      free (p[i].layers);
    }
  free (p);
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
compare_changes (const void *a, const void *b)
{
  return strcmp (((const struct ferry_change *) a)->path, ((const struct ferry_change *) b)->path);
}

static void
add_change (struct walker *w, char *path, enum ferry_change_kind kind)
{
  struct ferry_changes *c = w->out;

  if (c->n == w->allocated)
    {
      w->allocated = w->allocated ? w->allocated * 2 : 64;
      c->items = xrealloc (c->items, w->allocated * sizeof (*c->items));
    }
  c->items[c->n].path = path;
  c->items[c->n].kind = kind;
  c->n++;
}

static char *
child_path (const char *path, const char *name)
{
  return xasprintf ("%s/%s", path, name);
}

static bool
is_whiteout (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0);
}

/* 1 when FD is a directory marked opaque, 0 when not, < 0 on error.  */
static int
is_opaque (int fd, const char *root, const char *path, ferry_error_t *err)
{
  char value[2];
  ssize_t r = fgetxattr (fd, OPAQUE_XATTR, value, sizeof (value));

  if (r < 0)
    {
      if (errno == ENODATA || errno == ENOTSUP || errno == ERANGE)
        return 0;
      return ferry_make_error (err, errno, "cannot read the xattrs of `%s%s`", root, path);
    }
  /* "x" only says that the directory holds xattr whiteouts.  */
  return r == 1 && value[0] == 'y';
}

/* Opens the directory RELPATH ("." for the root) of layer LAYER without
 * following symlinks: every component was seen to be a directory.  */
static int
open_layer_dir (struct walker *w, size_t layer, const char *relpath, ferry_error_t *err)
{
  const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  int fd = ferry_openat2 (w->lower_fds[layer], relpath, flags, 0,
                          RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);

  if (fd < 0 && errno == ENOSYS)
    fd = openat (w->lower_fds[layer], relpath, flags);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open `%s/%s`", w->lowers[layer], relpath);
  return fd;
}

/* Opens the lower view's directory PATH in LAYERS (top first), stopping
 * after the first one marked opaque.  A layer's root is never opaque, as
 * for overlayfs.  */
static int
open_lower_dirs (struct walker *w, const char *path, const size_t *layers, size_t n, struct lower_dirs *out,
                 ferry_error_t *err)
{
  const char *relpath = path[0] ? path + 1 : ".";

  out->layers = xmalloc (sizeof (size_t) * (n ? n : 1));
  out->fds = xmalloc (sizeof (int) * (n ? n : 1));
  out->n = 0;
  for (size_t i = 0; i < n; i++)
    {
      int fd = open_layer_dir (w, layers[i], relpath, err);
      int opaque;

      if (fd < 0)
        return -1;
      out->layers[out->n] = layers[i];
      out->fds[out->n] = fd;
      out->n++;
      if (path[0] == '\0')
        continue;
      opaque = is_opaque (fd, w->lowers[layers[i]], path, err);
      if (opaque < 0)
        return -1;
      if (opaque)
        break;
    }
  return 0;
}

/* Looks NAME up in the lower view of the directory whose layers are DIRS.
 * Sets *PRESENT and, where the lower view has a directory, the layers that
 * hold it (top first; opaque ones are cut later, when they are opened);
 * *N_LAYERS stays 0 for a non-directory.  The topmost layer that has NAME
 * decides: a whiteout hides it, and a non-directory (or a whiteout) stops
 * the merge of directories below it.  */
static int
lookup_lower (struct walker *w, const struct lower_dirs *dirs, const char *path, const char *name,
              bool *present, size_t *layers, size_t *n_layers, ferry_error_t *err)
{
  *present = false;
  *n_layers = 0;
  for (size_t i = 0; i < dirs->n; i++)
    {
      struct stat st;

      if (fstatat (dirs->fds[i], name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno == ENOENT)
            continue;
          return ferry_make_error (err, errno, "cannot stat `%s%s/%s`", w->lowers[dirs->layers[i]], path,
                                   name);
        }
      if (! S_ISDIR (st.st_mode))
        {
          if (*n_layers == 0 && ! is_whiteout (&st))
            *present = true;
          return 0;
        }
      *present = true;
      layers[(*n_layers)++] = dirs->layers[i];
    }
  return 0;
}

struct lower_entry
{
  char *name;
  size_t order;
  bool whiteout;
};

static int
compare_lower_entries (const void *a, const void *b)
{
  const struct lower_entry *x = a, *y = b;
  int c = strcmp (x->name, y->name);

  if (c)
    return c;
  return x->order < y->order ? -1 : x->order > y->order;
}

static int
read_layer_dir (struct walker *w, const struct lower_dirs *dirs, size_t i, const char *path,
                struct lower_entry **entries, size_t *n, size_t *allocated, ferry_error_t *err)
{
  int fd = openat (dirs->fds[i], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  if (fd >= 0)
    d = fdopendir (fd);
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return ferry_make_error (err, errno, "cannot read directory `%s%s`", w->lowers[dirs->layers[i]], path);
    }
  while ((errno = 0, de = readdir (d)))
    {
      bool whiteout = false;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (de->d_type == DT_CHR || de->d_type == DT_UNKNOWN)
        {
          struct stat st;

          if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            return ferry_make_error (err, errno, "cannot stat `%s%s/%s`", w->lowers[dirs->layers[i]], path,
                                     de->d_name);
          whiteout = is_whiteout (&st);
        }
      if (*n == *allocated)
        {
          *allocated = *allocated ? *allocated * 2 : 64;
          *entries = xrealloc (*entries, *allocated * sizeof (**entries));
        }
      (*entries)[*n].name = xstrdup (de->d_name);
      (*entries)[*n].order = i;
      (*entries)[*n].whiteout = whiteout;
      (*n)++;
    }
  if (errno)
    return ferry_make_error (err, errno, "cannot read directory `%s%s`", w->lowers[dirs->layers[i]], path);
  return 0;
}

/* The names in the lower view of the directory held by DIRS: the union of
 * the layers' entries where the topmost layer having a name decides, minus
 * whiteouts.  Sorted.  */
static int
list_lower_view (struct walker *w, const struct lower_dirs *dirs, const char *path, struct name_list *out,
                 ferry_error_t *err)
{
  struct lower_entry *entries = NULL;
  size_t n = 0, allocated = 0;
  int r = 0;

  for (size_t i = 0; i < dirs->n && r == 0; i++)
    r = read_layer_dir (w, dirs, i, path, &entries, &n, &allocated, err);
  if (r == 0)
    {
      qsort (entries, n, sizeof (*entries), compare_lower_entries);
      out->names = xmalloc (sizeof (char *) * (n ? n : 1));
      out->n = 0;
    }
  /* Sorted by name, then from the top layer down: the first entry of a
   * name decides.  */
  for (size_t i = 0; r == 0 && i < n; i++)
    if ((i == 0 || strcmp (entries[i - 1].name, entries[i].name) != 0) && ! entries[i].whiteout)
      out->names[out->n++] = xstrdup (entries[i].name);
  for (size_t i = 0; i < n; i++)
    free (entries[i].name);
  free (entries);
  return r;
}

static int
read_upper_names (struct walker *w, DIR *d, const char *path, struct name_list *out, ferry_error_t *err)
{
  size_t allocated = 0;
  struct dirent *de;

  while ((errno = 0, de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (out->n == allocated)
        {
          allocated = allocated ? allocated * 2 : 64;
          out->names = xrealloc (out->names, allocated * sizeof (char *));
        }
      out->names[out->n++] = xstrdup (de->d_name);
    }
  if (errno)
    return ferry_make_error (err, errno, "cannot read directory `%s%s`", w->upper, path);
  if (out->n)
    qsort (out->names, out->n, sizeof (char *), compare_strings);
  return 0;
}

/* Every name in the lower view of an opaque upper directory that the upper
 * directory does not have again (whiteouts there are reported by
 * process_entry).  */
static int
add_opaque_deletions (struct walker *w, const struct lower_dirs *dirs, const char *path,
                      const struct name_list *upper_names, ferry_error_t *err)
{
  struct name_list lower = { NULL, 0 };

  if (list_lower_view (w, dirs, path, &lower, err) < 0)
    return -1;
  for (size_t i = 0; i < lower.n; i++)
    if (upper_names->n == 0
        || bsearch (&lower.names[i], upper_names->names, upper_names->n, sizeof (char *), compare_strings)
               == NULL)
      add_change (w, child_path (path, lower.names[i]), FERRY_CHANGE_DELETED);
  name_list_release (&lower);
  return 0;
}

/* PENDING has room for one more.  */
static int
process_entry (struct walker *w, int upper_fd, const struct lower_dirs *dirs, const char *path,
               const char *name, struct pending_dir *pending, size_t *n_pending, ferry_error_t *err)
{
  struct stat st;
  bool present;
  cleanup_free size_t *layers = xmalloc (sizeof (size_t) * (dirs->n ? dirs->n : 1));
  size_t n_layers;

  if (fstatat (upper_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return ferry_make_error (err, errno, "cannot stat `%s%s/%s`", w->upper, path, name);
  if (lookup_lower (w, dirs, path, name, &present, layers, &n_layers, err) < 0)
    return -1;
  if (is_whiteout (&st))
    {
      if (present)
        add_change (w, child_path (path, name), FERRY_CHANGE_DELETED);
      return 0;
    }
  add_change (w, child_path (path, name), present ? FERRY_CHANGE_MODIFIED : FERRY_CHANGE_ADDED);
  if (! S_ISDIR (st.st_mode))
    return 0;
  pending[*n_pending].name = xstrdup (name);
  /* N_LAYERS is 0 where the lower view has no directory: nothing merges.  */
  pending[*n_pending].n_layers = n_layers;
  pending[*n_pending].layers = steal_pointer (&layers);
  (*n_pending)++;
  return 0;
}

static int walk_dir (struct walker *w, int upper_fd, const char *path, const size_t *layers, size_t n_layers,
                     bool inherited_opaque, ferry_error_t *err);

static int
walk_children (struct walker *w, int upper_fd, const char *path, const struct pending_dir *pending, size_t n,
               bool opaque, ferry_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *sub = child_path (path, pending[i].name);
      int fd = openat (upper_fd, pending[i].name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      if (fd < 0)
        return ferry_make_error (err, errno, "cannot open `%s%s`", w->upper, sub);
      if (walk_dir (w, fd, sub, pending[i].layers, pending[i].n_layers, opaque, err) < 0)
        return -1;
    }
  return 0;
}

/* Compares the upper directory UPPER_FD (owned) at PATH ("" for the root,
 * else "/a/b") with its lower view, held by LAYERS.  INHERITED_OPAQUE: an
 * ancestor is opaque in upper, so overlayfs merges nothing below it even
 * where this directory itself is not marked.  */
static int
walk_dir (struct walker *w, int upper_fd, const char *path, const size_t *layers, size_t n_layers,
          bool inherited_opaque, ferry_error_t *err)
{
  cleanup_dir DIR *d = fdopendir (upper_fd);
  struct lower_dirs dirs = { NULL, NULL, 0 };
  struct name_list names = { NULL, 0 };
  struct pending_dir *pending = NULL;
  size_t n_pending = 0;
  bool opaque = inherited_opaque;
  int r = 0;

  if (d == NULL)
    {
      close (upper_fd);
      return ferry_make_error (err, errno, "cannot read directory `%s%s`", w->upper, path);
    }
  /* Overlayfs ignores an opaque mark on the upper root.  */
  if (path[0] && ! opaque)
    {
      r = is_opaque (dirfd (d), w->upper, path, err);
      if (r < 0)
        return -1;
      opaque = r == 1;
      r = 0;
    }
  if (read_upper_names (w, d, path, &names, err) < 0
      || open_lower_dirs (w, path, layers, n_layers, &dirs, err) < 0)
    r = -1;
  pending = xmalloc (sizeof (*pending) * (names.n ? names.n : 1));
  for (size_t i = 0; r == 0 && i < names.n; i++)
    r = process_entry (w, dirfd (d), &dirs, path, names.names[i], pending, &n_pending, err);
  if (r == 0 && opaque && dirs.n > 0)
    r = add_opaque_deletions (w, &dirs, path, &names, err);
  lower_dirs_release (&dirs);
  name_list_release (&names);
  if (r == 0)
    r = walk_children (w, dirfd (d), path, pending, n_pending, opaque, err);
  pending_release (pending, n_pending);
  return r;
}

void
ferry_changes_free (struct ferry_changes *c)
{
  if (c == NULL)
    return;
  for (size_t i = 0; i < c->n; i++)
    free (c->items[i].path);
  free (c->items);
  c->items = NULL;
  c->n = 0;
}

int
ferry_changes_compute (const char *upper, const char *const *lowers, size_t n_lowers,
                       struct ferry_changes *out, ferry_error_t *err)
{
  struct ferry_changes result = { NULL, 0 };
  struct walker w = { .upper = upper, .lowers = lowers, .out = &result };
  cleanup_free int *lower_fds = xmalloc (sizeof (int) * (n_lowers ? n_lowers : 1));
  cleanup_free size_t *layers = xmalloc (sizeof (size_t) * (n_lowers ? n_lowers : 1));
  int upper_fd;
  size_t opened = 0;
  int r = 0;

  for (; opened < n_lowers; opened++)
    {
      lower_fds[opened] = open (lowers[opened], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (lower_fds[opened] < 0)
        {
          r = ferry_make_error (err, errno, "cannot open the layer directory `%s`", lowers[opened]);
          break;
        }
      layers[opened] = opened;
    }
  w.lower_fds = lower_fds;
  if (r == 0)
    {
      upper_fd = open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (upper_fd < 0)
        r = ferry_make_error (err, errno, "cannot open the upper directory `%s`", upper);
      else
        r = walk_dir (&w, upper_fd, "", layers, n_lowers, false, err);
    }
  for (size_t i = 0; i < opened; i++)
    close (lower_fds[i]);
  if (r < 0)
    {
      ferry_changes_free (&result);
      return ferry_error_wrap (err, "cannot compute the changes of `%s`", upper);
    }
  if (result.n)
    qsort (result.items, result.n, sizeof (*result.items), compare_changes);
  *out = result;
  return 0;
}

char
ferry_change_kind_letter (enum ferry_change_kind kind)
{
  switch (kind)
    {
    case FERRY_CHANGE_ADDED:
      return 'A';
    case FERRY_CHANGE_MODIFIED:
      return 'C';
    case FERRY_CHANGE_DELETED:
      return 'D';
    }
  return '?';
}
