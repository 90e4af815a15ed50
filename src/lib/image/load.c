#include "load.h"
#include "policy.h"
#include "media.h"
#include "reference.h"
#include "schema.h"
#include "../storage/unpack.h"
#include "../util/decompress.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/parallel.h"
#include "../util/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"

/* One file of the archive, copied to the spool directory with its digest.  */
struct spooled
{
  char *name;
  char *path; /* in the spool dir; NULL for a link until resolved */
  char *link; /* the archive name a symlink or hard link entry points at */
  char digest[FERRY_DIGEST_LEN + 1];
  uint64_t size;
};

struct spool
{
  const char *archive; /* the file name, for messages */
  int fd;              /* the archive's descriptor, or -1: open ARCHIVE */
  char *dir;
  struct spooled *files;
  size_t n;
  int flat_blobs;     /* a docker-dir: blobs named <hex> at the top, not blobs/sha256/<hex> */
  size_t descriptors; /* listed by the indexes walked so far, see oci_index */
};

/* An index may name a nested index many times over, and that one another:
 * a few kilobytes of them would make billions of descriptors to walk.  A
 * layout of thousands of multi-platform images lists fewer.  */
#define OCI_MAX_DESCRIPTORS 65536

static void
spool_free (struct spool *sp)
{
  size_t i;

  if (sp->dir)
    {
      ferry_error_t ignored = NULL;
      ferry_rm_rf (sp->dir, &ignored);
      ferry_error_release (&ignored);
      free (sp->dir);
    }
  for (i = 0; i < sp->n; i++)
    {
      free (sp->files[i].name);
      free (sp->files[i].path);
      free (sp->files[i].link);
    }
  free (sp->files);
}

static int
spool_entry_data (struct archive *a, int fd, struct spooled *f, const char *archive, ferry_error_t *err)
{
  ferry_sha256_t *h = ferry_sha256_new ();
  char buf[1 << 17];

  for (;;)
    {
      la_ssize_t r = archive_read_data (a, buf, sizeof (buf));
      if (r == 0)
        break;
      if (r < 0)
        {
          ferry_sha256_free (h);
          return ferry_make_error (err, 0, "cannot read `%s` from image archive `%s`: %s", f->name, archive,
                                   archive_error_string (a));
        }
      if (ferry_write_all (fd, buf, r) < 0)
        {
          int saved = errno;
          ferry_sha256_free (h);
          return ferry_make_error (err, saved, "cannot copy `%s` from image archive `%s`", f->name, archive);
        }
      ferry_sha256_update (h, buf, r);
      f->size += r;
    }
  ferry_sha256_finish (h, f->digest);
  return 0;
}

/* A link entry's target, relative to the archive root.  Symlinks are
 * relative to the entry's directory (docker-archive links duplicate layers
 * as "../<id>/layer.tar").  */
static char *
link_target (const char *name, const char *target, int symlink)
{
  cleanup_free char *joined = NULL;
  const char *slash;

  if (! symlink || target[0] == '/')
    return ferry_path_normalize_entry (target);
  slash = strrchr (name, '/');
  joined = slash ? xasprintf ("%.*s/%s", (int) (slash - name), name, target) : xstrdup (target);
  /* Collapse "dir/../x" once per "..": enough for the layouts writers use.  */
  for (;;)
    {
      char *dots = strstr (joined, "/../");
      char *start;

      if (dots == NULL)
        break;
      start = dots;
      while (start > joined && start[-1] != '/')
        start--;
      memmove (start, dots + 4, strlen (dots + 4) + 1);
    }
  return ferry_path_normalize_entry (joined);
}

static int
spool_archive (struct spool *sp, const char *path, ferry_error_t *err)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *entry;
  int ret = -1, r;

  /* The compressions image archives come in, all handled in-process: not
   * filter_all, which may run external programs (lrzip, lzop, grzip) on
   * whatever a hostile file claims to be.  */
  archive_read_support_filter_gzip (a);
  archive_read_support_filter_zstd (a);
  archive_read_support_filter_xz (a);
  archive_read_support_filter_bzip2 (a);
  archive_read_support_format_tar (a);
  if (sp->fd >= 0)
    r = archive_read_open_fd (a, sp->fd, 1 << 17);
  else
    r = archive_read_open_filename (a, path, 1 << 17);
  if (r != ARCHIVE_OK)
    {
      /* libarchive's errno for a format it does not know is noise.
       * Podman's words first, for this and a tar of no image.  */
      ferry_make_error (err, 0,
                        "payload does not match any of the supported image formats: cannot open image "
                        "archive `%s`: %s",
                        path, archive_error_string (a));
      goto out;
    }
  while ((r = archive_read_next_header (a, &entry)) == ARCHIVE_OK)
    {
      const char *name = archive_entry_pathname (entry);
      mode_t type = archive_entry_filetype (entry);
      struct spooled *f;

      if (type == AE_IFDIR && name && (strcmp (name, ".") == 0 || strcmp (name, "./") == 0))
        continue;
      if (name == NULL || ! ferry_path_is_clean_relative (name))
        {
          ferry_make_error (err, 0, "image archive `%s` has an entry with an unsafe name `%s`", path,
                            name ? name : "");
          goto out;
        }
      if (type == AE_IFDIR)
        continue;
      sp->files = xrealloc (sp->files, sizeof (*sp->files) * (sp->n + 1));
      f = &sp->files[sp->n++];
      memset (f, 0, sizeof (*f));
      f->name = ferry_path_normalize_entry (name);
      if (archive_entry_hardlink (entry))
        {
          f->link = link_target (name, archive_entry_hardlink (entry), 0);
          continue;
        }
      if (type == AE_IFLNK)
        {
          const char *target = archive_entry_symlink (entry);

          /* A header's empty link name reads as none.  */
          if (target == NULL || *target == '\0')
            {
              ferry_make_error (err, 0, "image archive `%s` has a symbolic link `%s` without a target", path,
                                name);
              goto out;
            }
          f->link = link_target (name, target, 1);
          continue;
        }
      if (type != AE_IFREG)
        continue;
      {
        cleanup_close int fd = -1;

        f->path = xasprintf ("%s/%zu", sp->dir, sp->n);
        fd = open (f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
          {
            ferry_make_error (err, errno, "cannot create `%s`", f->path);
            goto out;
          }
        if (spool_entry_data (a, fd, f, path, err) < 0)
          goto out;
      }
    }
  if (r != ARCHIVE_EOF)
    {
      ferry_make_error (err, 0, "cannot read image archive `%s`: %s (is it complete?)", path,
                        archive_error_string (a));
      goto out;
    }
  ret = 0;
out:
  archive_read_free (a);
  return ret;
}

/* Copies the file open on SRC, NAME in the image directory DIR, into the
 * spool, hashing it as an archive's entries are.  */
static int
spool_file_from_fd (struct spool *sp, int src, const char *name, ferry_error_t *err)
{
  cleanup_close int fd = -1;
  struct spooled *f;
  ferry_sha256_t *h;
  char buf[1 << 17];

  sp->files = xrealloc (sp->files, sizeof (*sp->files) * (sp->n + 1));
  f = &sp->files[sp->n++];
  memset (f, 0, sizeof (*f));
  f->name = xstrdup (name);
  f->path = xasprintf ("%s/%zu", sp->dir, sp->n);
  fd = open (f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot create `%s`", f->path);
  h = ferry_sha256_new ();
  for (;;)
    {
      ssize_t r = read (src, buf, sizeof (buf));

      if (r == 0)
        break;
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 || ferry_write_all (fd, buf, (size_t) r) < 0)
        {
          int saved = errno;

          ferry_sha256_free (h);
          return ferry_make_error (err, saved, "cannot copy `%s` from image directory `%s`", name,
                                   sp->archive);
        }
      ferry_sha256_update (h, buf, (size_t) r);
      f->size += (uint64_t) r;
    }
  ferry_sha256_finish (h, f->digest);
  return 0;
}

/* Spools the regular files below DIRFD (PREFIX their path in the layout).
 * Nothing is followed: a symbolic link, a device or a FIFO in an image
 * directory is refused, so a hostile directory cannot make ferry read a
 * file outside it.  */
static int
spool_directory_at (struct spool *sp, int dirfd, const char *prefix, int depth, ferry_error_t *err)
{
  DIR *d;
  struct dirent *de;
  int copy, ret = 0;

  if (depth > 8)
    return ferry_make_error (err, 0, "image directory `%s` nests deeper than an image layout does",
                             sp->archive);
  copy = dup (dirfd);
  if (copy < 0 || (d = fdopendir (copy)) == NULL)
    {
      int saved = errno;

      if (copy >= 0)
        close (copy);
      return ferry_make_error (err, saved, "cannot read image directory `%s`", sp->archive);
    }
  while (ret == 0 && (errno = 0, de = readdir (d)) != NULL)
    {
      cleanup_free char *name = NULL;
      cleanup_close int fd = -1;
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      name = prefix ? xasprintf ("%s/%s", prefix, de->d_name) : xstrdup (de->d_name);
      fd = openat (dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0 && errno == ELOOP)
        ret = ferry_make_error (
            err, 0,
            "image directory `%s` has a symbolic link `%s`: ferry loads only regular files "
            "and directories from it",
            sp->archive, name);
      else if (fd < 0 || fstat (fd, &st) < 0)
        ret = ferry_make_error (err, errno, "cannot open `%s` in image directory `%s`", name, sp->archive);
      else if (S_ISDIR (st.st_mode))
        ret = spool_directory_at (sp, fd, name, depth + 1, err);
      else if (S_ISREG (st.st_mode))
        ret = spool_file_from_fd (sp, fd, name, err);
      else
        ret = ferry_make_error (
            err, 0,
            "image directory `%s` has `%s`, which is not a regular file: ferry loads only "
            "regular files and directories from it",
            sp->archive, name);
    }
  if (ret == 0 && errno != 0)
    ret = ferry_make_error (err, errno, "cannot read image directory `%s`", sp->archive);
  closedir (d);
  return ret;
}

static struct spooled *
spool_find (struct spool *sp, const char *name)
{
  cleanup_free char *norm = ferry_path_normalize_entry (name);
  size_t i, hops;

  for (hops = 0; hops < 8; hops++)
    {
      struct spooled *found = NULL;

      for (i = 0; i < sp->n; i++)
        if (strcmp (sp->files[i].name, norm) == 0)
          found = &sp->files[i];
      if (found == NULL || found->link == NULL)
        return found;
      free (norm);
      norm = xstrdup (found->link);
    }
  return NULL;
}

/* The spooled blob DIGEST names, checked against the digest and size the
 * descriptor promises.  */
static struct spooled *
blob_for (struct spool *sp, json_object *desc, const char *what, ferry_error_t *err)
{
  const char *digest = ferry_json_get_string (desc, "digest");
  int64_t size = ferry_json_get_int (desc, "size", -1);
  cleanup_free char *name = NULL;
  struct spooled *f;

  if (digest == NULL || ! ferry_digest_is_valid (digest))
    {
      ferry_make_error (err, 0, "%s in image archive `%s` has an invalid digest `%s`", what, sp->archive,
                        digest ? digest : "");
      return NULL;
    }
  name = xasprintf ("%s%s", sp->flat_blobs ? "" : "blobs/sha256/", ferry_digest_hex (digest));
  f = spool_find (sp, name);
  if (f == NULL)
    {
      ferry_make_error (err, 0, "image archive `%s` lacks the blob %s (%s): the archive is incomplete",
                        sp->archive, digest, what);
      return NULL;
    }
  if (strcmp (f->digest, digest) != 0)
    {
      ferry_make_error (
          err, 0, "blob %s in image archive `%s` is corrupt: its content hashes to %s; re-create the archive",
          digest, sp->archive, f->digest);
      return NULL;
    }
  if (size >= 0 && (uint64_t) size != f->size)
    {
      ferry_make_error (err, 0, "blob %s in image archive `%s` has %llu bytes where its descriptor says %lld",
                        digest, sp->archive, (unsigned long long) f->size, (long long) size);
      return NULL;
    }
  return f;
}

static char *
read_spooled (struct spooled *f, size_t *len, ferry_error_t *err)
{
  char *text = NULL;

  if (ferry_read_file (f->path, &text, len, err) < 0)
    return NULL;
  return text;
}

/* An image found in the archive, its layers not yet unpacked.  */
struct pending
{
  struct ferry_new_image img;
  char **layer_files; /* spool paths, parallel to img.layers */
  char *what;         /* for messages: the image's name or digest */
  char *ref_name;     /* OCI: the name its index gives it (containerd's, else the ref.name) */
  char *ref_match;    /* OCI: the ref.name its index gives it, which oci:PATH:REF selects */
};

static void
pending_free (struct pending *p)
{
  ferry_new_image_free (&p->img);
  free (p->layer_files);
  free (p->what);
  free (p->ref_name);
  free (p->ref_match);
}

/* DEF: docker-archive RepoTags are Docker's references (a short one is
 * docker.io's); an OCI ref.name is a name ferry gives, a short one
 * localhost's ("latest" is localhost/latest:latest), as Podman names it.  */
static char **
names_of (const char *const *given, enum ferry_reference_default def)
{
  size_t n = 0, i;
  char **names = xmalloc0 (sizeof (char *));

  for (i = 0; given && given[i]; i++)
    {
      struct ferry_reference r;
      ferry_error_t ignored = NULL;

      /* A name that is no reference leaves the image unnamed.  */
      if (ferry_reference_parse (given[i], def, &r, &ignored) < 0)
        {
          ferry_error_release (&ignored);
          continue;
        }
      names = xrealloc (names, sizeof (char *) * (n + 2));
      names[n++] = ferry_reference_string (&r);
      names[n] = NULL;
      ferry_reference_free (&r);
    }
  return names;
}

/* Checks CONFIG_TEXT and fills the parts of P that come from it.  */
static int
take_config (struct pending *p, const char *config_text, size_t len, const char *config_digest,
             const char *archive, ferry_error_t *err)
{
  cleanup_json json_object *config = NULL;
  json_object *rootfs, *diff_ids;
  size_t i;

  config = ferry_json_parse (config_text, len, "image config", err);
  if (config == NULL)
    return ferry_error_wrap (err, "image archive `%s`", archive);
  if (ferry_image_check_config (config, err) < 0)
    return ferry_error_wrap (err, "image archive `%s`: image config %s", archive, config_digest);
  rootfs = ferry_json_get_object (config, "rootfs");
  diff_ids = ferry_json_get_array (rootfs, "diff_ids");
  if (diff_ids == NULL || json_object_array_length (diff_ids) != p->img.n_layers)
    return ferry_make_error (err, 0, "image config %s in `%s` lists %zu diff_ids for %zu layers",
                             config_digest, archive, diff_ids ? json_object_array_length (diff_ids) : 0,
                             p->img.n_layers);
  for (i = 0; i < p->img.n_layers; i++)
    {
      const char *d = ferry_json_string_value (json_object_array_get_idx (diff_ids, i));
      if (! ferry_digest_is_valid (d))
        return ferry_make_error (err, 0, "image config %s in `%s` has an invalid diff_id `%s`", config_digest,
                                 archive, d ? d : "");
      snprintf (p->img.layers[i].diff_id, sizeof (p->img.layers[i].diff_id), "%s", d);
    }
  p->img.config = xstrndup (config_text, len);
  snprintf (p->img.config_digest, sizeof (p->img.config_digest), "%s", config_digest);
  return 0;
}

/* The image whose manifest is MF (DESC its descriptor, may be NULL).  */
static int
take_manifest (struct spool *sp, struct spooled *mf, json_object *desc, const char *const *names,
               struct pending *p, ferry_error_t *err)
{
  cleanup_free char *text = NULL, *config_text = NULL;
  cleanup_json json_object *manifest = NULL;
  struct spooled *cf;
  json_object *config, *layers;
  const char *mt, *config_mt;
  size_t len, config_len, i;

  if ((text = read_spooled (mf, &len, err)) == NULL)
    return -1;
  manifest = ferry_json_parse (text, len, "image manifest", err);
  if (manifest == NULL)
    return ferry_error_wrap (err, "image archive `%s`", sp->archive);
  if (ferry_image_check_manifest (manifest, err) < 0)
    return ferry_error_wrap (err, "image archive `%s`: image manifest %s", sp->archive, mf->digest);
  mt = ferry_json_get_string (manifest, "mediaType");
  if (mt == NULL)
    mt = ferry_json_get_string (desc, "mediaType");
  if (mt && strcmp (mt, MEDIA_OCI_MANIFEST) != 0 && strcmp (mt, MEDIA_DOCKER_MANIFEST) != 0)
    return ferry_make_error (err, 0, "image archive `%s` has a manifest of unknown media type `%s`",
                             sp->archive, mt);
  config = ferry_json_get_object (manifest, "config");
  layers = ferry_json_get_array (manifest, "layers");
  if (config == NULL || layers == NULL)
    return ferry_make_error (err, 0, "image manifest %s in `%s` lacks its config or layers", mf->digest,
                             sp->archive);
  config_mt = ferry_json_get_string (config, "mediaType");
  if (config_mt == NULL
      || (strcmp (config_mt, MEDIA_OCI_CONFIG) != 0 && strcmp (config_mt, MEDIA_DOCKER_CONFIG) != 0))
    return ferry_make_error (err, 0,
                             "image archive `%s` holds no container image: config media type `%s` is unknown",
                             sp->archive, config_mt ? config_mt : "");

  p->img.n_layers = json_object_array_length (layers);
  p->img.layers = xmalloc0 (sizeof (*p->img.layers) * (p->img.n_layers + 1));
  p->layer_files = xmalloc0 (sizeof (char *) * (p->img.n_layers + 1));
  for (i = 0; i < p->img.n_layers; i++)
    {
      json_object *ld = json_object_array_get_idx (layers, i);
      const char *lmt = ferry_json_get_string (ld, "mediaType");
      struct spooled *lf;

      if (lmt == NULL || ! ferry_media_is_layer (lmt))
        return ferry_make_error (err, 0, "image archive `%s` has a layer of unknown media type `%s`",
                                 sp->archive, lmt ? lmt : "");
      lf = blob_for (sp, ld, "layer", err);
      if (lf == NULL)
        return -1;
      p->img.layers[i].media_type = xstrdup (lmt);
      snprintf (p->img.layers[i].blob_digest, sizeof (p->img.layers[i].blob_digest), "%s", lf->digest);
      p->img.layers[i].blob_size = lf->size;
      p->layer_files[i] = lf->path;
    }

  cf = blob_for (sp, config, "image config", err);
  if (cf == NULL || (config_text = read_spooled (cf, &config_len, err)) == NULL)
    return -1;
  if (take_config (p, config_text, config_len, cf->digest, sp->archive, err) < 0)
    return -1;
  p->img.manifest = steal_pointer (&text);
  snprintf (p->img.manifest_digest, sizeof (p->img.manifest_digest), "%s", mf->digest);
  p->img.names = names_of (names, FERRY_REFERENCE_DEFAULT_LOCALHOST);
  p->what = xstrdup (p->img.names[0] ? p->img.names[0] : mf->digest);
  return 0;
}

static int
oci_manifest (struct spool *sp, json_object *desc, const char *const *names, struct pending *p,
              ferry_error_t *err)
{
  struct spooled *mf = blob_for (sp, desc, "image manifest", err);

  if (mf == NULL)
    return -1;
  return take_manifest (sp, mf, desc, names, p, err);
}

/* A docker-dir (save --format docker-dir, Podman's dir: transport): one
 * image, its manifest in manifest.json, its blobs beside it named by their
 * hex digests, and no name; its digest is that of manifest.json.  */
static int
docker_dir (struct spool *sp, struct spooled *mf, struct pending **out, size_t *n, ferry_error_t *err)
{
  sp->flat_blobs = 1;
  *out = xmalloc0 (sizeof (**out));
  *n = 1;
  return take_manifest (sp, mf, NULL, NULL, &(*out)[0], err);
}

/* True when the spooled directory has the version file a docker-dir has.  */
static int
is_docker_dir (struct spool *sp)
{
  struct spooled *v = spool_find (sp, "version");
  cleanup_free char *text = NULL;
  ferry_error_t ignored = NULL;
  size_t len;

  if (v == NULL || v->path == NULL || v->size > 4096)
    return 0;
  if ((text = read_spooled (v, &len, &ignored)) == NULL)
    {
      ferry_error_release (&ignored);
      return 0;
    }
  return len >= 28 && strncmp (text, "Directory Transport Version:", 28) == 0;
}

static int
platform_matches (json_object *desc)
{
  json_object *platform = ferry_json_get_object (desc, "platform");
  const char *os = ferry_json_get_string (platform, "os");
  const char *arch = ferry_json_get_string (platform, "architecture");

  return platform == NULL
         || ((os == NULL || strcmp (os, "linux") == 0)
             && (arch == NULL || strcmp (arch, ferry_image_host_arch ()) == 0));
}

/* The images FROM to TO came from the top-level descriptor whose
 * annotations are ANN: their names as load gives them, and the ref a
 * pull selects by.  */
static void
mark_refs (struct pending *imgs, size_t from, size_t to, json_object *ann)
{
  const char *ref = ferry_json_get_string (ann, "org.opencontainers.image.ref.name");
  const char *containerd = ferry_json_get_string (ann, "io.containerd.image.name");

  for (; from < to; from++)
    {
      imgs[from].ref_match = ref ? xstrdup (ref) : NULL;
      imgs[from].ref_name = containerd ? xstrdup (containerd) : ref ? xstrdup (ref) : NULL;
    }
}

/* WHAT names INDEX in messages: "index.json", or the nested index's digest.  */
static int
oci_index (struct spool *sp, json_object *index, const char *what, const char *const *names,
           struct pending **out, size_t *n, int depth, ferry_error_t *err)
{
  json_object *manifests;
  size_t i;

  if (ferry_image_check_index (index, err) < 0)
    return ferry_error_wrap (err, "image archive `%s`: %s", sp->archive, what);
  manifests = ferry_json_get_array (index, "manifests");
  if (depth > 4)
    return ferry_make_error (err, 0, "image archive `%s` nests indexes too deeply", sp->archive);
  sp->descriptors += json_object_array_length (manifests);
  if (sp->descriptors > OCI_MAX_DESCRIPTORS)
    return ferry_make_error (err, 0,
                             "image archive `%s` names more than %d image descriptors, nested indexes "
                             "counted each time they are named: it is no image layout ferry loads",
                             sp->archive, OCI_MAX_DESCRIPTORS);
  for (i = 0; i < json_object_array_length (manifests); i++)
    {
      json_object *desc = json_object_array_get_idx (manifests, i);
      json_object *ann = ferry_json_get_object (desc, "annotations");
      const char *mt = ferry_json_get_string (desc, "mediaType");
      const char *ref = ferry_json_get_string (ann, "io.containerd.image.name");
      const char *own[] = { NULL, NULL };
      const char *const *use = names;
      size_t before = *n;

      if (ref == NULL)
        ref = ferry_json_get_string (ann, "org.opencontainers.image.ref.name");
      if (ref && depth == 0)
        {
          own[0] = ref;
          use = own;
        }
      if (mt && (strcmp (mt, MEDIA_OCI_INDEX) == 0 || strcmp (mt, MEDIA_DOCKER_LIST) == 0))
        {
          cleanup_free char *text = NULL;
          cleanup_json json_object *child = NULL;
          cleanup_free char *child_what = NULL;
          struct spooled *f = blob_for (sp, desc, "image index", err);
          size_t len;

          if (f == NULL || (text = read_spooled (f, &len, err)) == NULL)
            return -1;
          child = ferry_json_parse (text, len, "image index", err);
          if (child == NULL)
            return ferry_error_wrap (err, "image archive `%s`", sp->archive);
          child_what = xasprintf ("image index %s", f->digest);
          if (oci_index (sp, child, child_what, use, out, n, depth + 1, err) < 0)
            return -1;
          if (depth == 0)
            mark_refs (*out, before, *n, ann);
          continue;
        }
      if (! platform_matches (desc))
        continue;
      *out = xrealloc (*out, sizeof (**out) * (*n + 1));
      memset (&(*out)[*n], 0, sizeof (**out));
      (*n)++;
      if (oci_manifest (sp, desc, use, &(*out)[*n - 1], err) < 0)
        return -1;
      if (depth == 0)
        mark_refs (*out, before, *n, ann);
      if (depth > 0)
        break; /* one platform of a multi-platform image */
    }
  return 0;
}

static const char *
media_type_for (enum ferry_compression c)
{
  switch (c)
    {
    case FERRY_COMPRESSION_GZIP:
      return "application/vnd.oci.image.layer.v1.tar+gzip";
    case FERRY_COMPRESSION_ZSTD:
      return "application/vnd.oci.image.layer.v1.tar+zstd";
    default:
      return "application/vnd.oci.image.layer.v1.tar";
    }
}

static enum ferry_compression
compression_of_file (const char *path)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);

  return fd < 0 ? FERRY_COMPRESSION_NONE : ferry_compression_of_fd (fd);
}

/* Writes the OCI manifest a docker-archive image does not carry.  */
static void
synthesize_manifest (struct pending *p, uint64_t config_size)
{
  json_object *m = json_object_new_object (), *c = json_object_new_object (), *ls = json_object_new_array ();
  size_t i;

  json_object_object_add (m, "schemaVersion", json_object_new_int (2));
  json_object_object_add (m, "mediaType", json_object_new_string (MEDIA_OCI_MANIFEST));
  json_object_object_add (c, "mediaType", json_object_new_string (MEDIA_OCI_CONFIG));
  json_object_object_add (c, "digest", json_object_new_string (p->img.config_digest));
  json_object_object_add (c, "size", json_object_new_int64 (config_size));
  json_object_object_add (m, "config", c);
  for (i = 0; i < p->img.n_layers; i++)
    {
      json_object *l = json_object_new_object ();
      json_object_object_add (l, "mediaType", json_object_new_string (p->img.layers[i].media_type));
      json_object_object_add (l, "digest", json_object_new_string (p->img.layers[i].blob_digest));
      json_object_object_add (l, "size", json_object_new_int64 (p->img.layers[i].blob_size));
      json_object_array_add (ls, l);
    }
  json_object_object_add (m, "layers", ls);
  p->img.manifest = xstrdup (ferry_json_to_string (m, 0));
  ferry_sha256_buffer (p->img.manifest, strlen (p->img.manifest), p->img.manifest_digest);
  json_object_put (m);
}

static int
docker_image (struct spool *sp, json_object *entry, struct pending *p, ferry_error_t *err)
{
  const char *config_name = ferry_json_get_string (entry, "Config");
  json_object *layers = ferry_json_get_array (entry, "Layers");
  json_object *tags = ferry_json_get_array (entry, "RepoTags");
  cleanup_free char *config_text = NULL;
  cleanup_free const char **tag_list = NULL;
  struct spooled *cf;
  const char *base;
  size_t len, i, n_tags;

  if (config_name == NULL || layers == NULL)
    return ferry_make_error (err, 0, "manifest.json of docker-archive `%s` lacks Config or Layers",
                             sp->archive);
  cf = spool_find (sp, config_name);
  if (cf == NULL)
    return ferry_make_error (err, 0, "docker-archive `%s` lacks its config `%s`: the archive is incomplete",
                             sp->archive, config_name);
  /* The config's name is its digest ("<hex>.json" or "blobs/sha256/<hex>").  */
  base = strrchr (config_name, '/') ? strrchr (config_name, '/') + 1 : config_name;
  if (strspn (base, "0123456789abcdef") == FERRY_DIGEST_HEX_LEN
      && strncmp (base, ferry_digest_hex (cf->digest), FERRY_DIGEST_HEX_LEN) != 0)
    return ferry_make_error (err, 0,
                             "config `%s` in docker-archive `%s` is corrupt: its content hashes to %s",
                             config_name, sp->archive, cf->digest);
  if ((config_text = read_spooled (cf, &len, err)) == NULL)
    return -1;

  p->img.n_layers = json_object_array_length (layers);
  p->img.layers = xmalloc0 (sizeof (*p->img.layers) * (p->img.n_layers + 1));
  p->layer_files = xmalloc0 (sizeof (char *) * (p->img.n_layers + 1));
  for (i = 0; i < p->img.n_layers; i++)
    {
      const char *lname = ferry_json_string_value (json_object_array_get_idx (layers, i));
      struct spooled *lf = lname ? spool_find (sp, lname) : NULL;

      if (lf == NULL || lf->path == NULL)
        return ferry_make_error (err, 0, "docker-archive `%s` lacks layer `%s`: the archive is incomplete",
                                 sp->archive, lname ? lname : "");
      if (strncmp (lname, "blobs/sha256/", 13) == 0
          && strcmp (lname + 13, ferry_digest_hex (lf->digest)) != 0)
        return ferry_make_error (err, 0,
                                 "layer `%s` in docker-archive `%s` is corrupt: its content hashes to %s",
                                 lname, sp->archive, lf->digest);
      p->img.layers[i].media_type = xstrdup (media_type_for (compression_of_file (lf->path)));
      snprintf (p->img.layers[i].blob_digest, sizeof (p->img.layers[i].blob_digest), "%s", lf->digest);
      p->img.layers[i].blob_size = lf->size;
      p->layer_files[i] = lf->path;
    }
  if (take_config (p, config_text, len, cf->digest, sp->archive, err) < 0)
    return -1;
  synthesize_manifest (p, len);

  n_tags = tags ? json_object_array_length (tags) : 0;
  tag_list = xmalloc0 (sizeof (char *) * (n_tags + 1));
  for (i = 0; i < n_tags; i++)
    tag_list[i] = ferry_json_string_value (json_object_array_get_idx (tags, i));
  p->img.names = names_of (tag_list, FERRY_REFERENCE_DEFAULT_DOCKER_IO);
  p->what = xstrdup (p->img.names[0] ? p->img.names[0] : p->img.config_digest);
  return 0;
}

static int
docker_archive (struct spool *sp, struct spooled *mf, struct pending **out, size_t *n, ferry_error_t *err)
{
  cleanup_free char *text = NULL;
  cleanup_json json_object *list = NULL;
  size_t len, i;

  if ((text = read_spooled (mf, &len, err)) == NULL)
    return -1;
  list = ferry_json_parse (text, len, "manifest.json", err);
  if (list == NULL)
    return ferry_error_wrap (err, "docker-archive `%s`", sp->archive);
  if (! json_object_is_type (list, json_type_array))
    return ferry_make_error (err, 0, "manifest.json of docker-archive `%s` is not a list", sp->archive);
  if (ferry_image_check_docker_manifest (list, err) < 0)
    return ferry_error_wrap (err, "manifest.json of docker-archive `%s`", sp->archive);
  for (i = 0; i < json_object_array_length (list); i++)
    {
      *out = xrealloc (*out, sizeof (**out) * (*n + 1));
      memset (&(*out)[*n], 0, sizeof (**out));
      (*n)++;
      if (docker_image (sp, json_object_array_get_idx (list, i), &(*out)[*n - 1], err) < 0)
        return -1;
    }
  return 0;
}

/* Unpacking runs on every core; each job is one layer not yet stored.  */
struct unpack_job
{
  struct ferry_new_layer *layer;
  const char *file;
  const char *what;
  const char *tmp_dir;
  ferry_error_t err;
};

struct unpack_queue
{
  struct unpack_job *jobs;
  size_t n;
};

static int
unpack_one (struct unpack_job *job)
{
  struct ferry_new_layer *l = job->layer;
  struct ferry_unpack_result res;
  cleanup_close int fd = open (job->file, O_RDONLY | O_CLOEXEC);
  char *dir;

  if (fd < 0)
    return ferry_make_error (&job->err, errno, "cannot open `%s`", job->file);
  dir = ferry_mkdtemp_in (job->tmp_dir, "layer-", &job->err);
  if (dir == NULL)
    return -1;
  l->unpacked = dir;
  /* mkdtemp made it 0700; the layer's root is the container's "/".  */
  if (chmod (dir, 0755) < 0)
    return ferry_make_error (&job->err, errno, "cannot set the mode of `%s`", dir);
  if (ferry_unpack_tar_named (fd, l->blob_digest, dir, FERRY_UNPACK_OVERLAY_WHITEOUTS, &res, &job->err) < 0)
    return ferry_error_wrap (&job->err, "layer %s of %s", l->blob_digest, job->what);
  if (strcmp (res.diff_digest, l->diff_id) != 0)
    return ferry_make_error (&job->err, 0,
                             "layer %s of %s is corrupt: it unpacks to %s but the image config says %s",
                             l->blob_digest, job->what, res.diff_digest, l->diff_id);
  l->size = res.diff_size;
  return 0;
}

static int
unpack_nth (size_t i, void *arg)
{
  struct unpack_queue *q = arg;

  return unpack_one (&q->jobs[i]);
}

/* True when the store has layer L unpacked from this very blob.  Its blob
 * file may still be missing (a layer stored before blobs were kept): then
 * the spooled one is kept, already verified against the blob digest.  */
static int
layer_stored (ferry_store_t *s, struct ferry_new_layer *l, const char *file)
{
  char known[FERRY_DIGEST_LEN + 1];
  cleanup_free char *path = NULL;
  cleanup_free char *blob = NULL;

  if (! ferry_store_has_blob (s, l->blob_digest, known) || strcmp (known, l->diff_id) != 0)
    return 0;
  path = ferry_store_layer_path (s, l->diff_id);
  if (! ferry_path_exists (path))
    return 0;
  blob = ferry_store_blob_path (s, l->blob_digest);
  if (! ferry_path_exists (blob))
    l->blob_file = xstrdup (file);
  return 1;
}

/* True when a queued job unpacks the same blob to the same diff_id: L then
 * shares its result.  A blob the config pairs with another diff_id gets its
 * own job, which proves one of them wrong.  */
static int
queued (const struct unpack_queue *q, const struct ferry_new_layer *l)
{
  size_t k;

  for (k = 0; k < q->n; k++)
    if (strcmp (q->jobs[k].layer->diff_id, l->diff_id) == 0
        && strcmp (q->jobs[k].layer->blob_digest, l->blob_digest) == 0)
      return 1;
  return 0;
}

/* Finds, among the layers of all images, those the store lacks, unpacks each
 * once, and lets duplicates share the result.  Each layer that is unpacked
 * keeps its spooled blob.  */
static int
unpack_layers (ferry_store_t *s, struct pending *imgs, size_t n, ferry_error_t *err)
{
  struct unpack_queue q = { 0 };
  size_t i, j, k;
  long cpus = sysconf (_SC_NPROCESSORS_ONLN);
  int ret = 0;

  for (i = 0; i < n; i++)
    for (j = 0; j < imgs[i].img.n_layers; j++)
      {
        struct ferry_new_layer *l = &imgs[i].img.layers[j];

        if (layer_stored (s, l, imgs[i].layer_files[j]) || queued (&q, l))
          continue;
        l->blob_file = xstrdup (imgs[i].layer_files[j]);
        q.jobs = xrealloc (q.jobs, sizeof (*q.jobs) * (q.n + 1));
        q.jobs[q.n++] = (struct unpack_job){
          .layer = l, .file = imgs[i].layer_files[j], .what = imgs[i].what, .tmp_dir = ferry_store_tmp_dir (s)
        };
      }

  ferry_parallel_for (q.n, cpus < 1 ? 1 : (size_t) cpus, unpack_nth, &q);
  for (k = 0; k < q.n; k++)
    if (q.jobs[k].err)
      {
        if (ret == 0)
          *err = steal_pointer (&q.jobs[k].err);
        else
          ferry_error_release (&q.jobs[k].err);
        ret = -1;
      }
  free (q.jobs);
  if (ret < 0)
    return -1;

  return 0;
}

/* Each unpacked directory belongs to one layer entry; duplicates point at
 * nothing and are recorded through the entry that owns the directory.  */
static int
add_images (ferry_store_t *s, struct pending *imgs, size_t n, struct ferry_load_report *report,
            ferry_error_t *err)
{
  size_t i, j, count = 0;

  report->loaded = xmalloc0 (sizeof (char *));
  report->ids = xmalloc0 (sizeof (char *) * (n + 1));
  report->blobs = xmalloc0 (sizeof (char **) * (n + 1));
  report->names = xmalloc0 (sizeof (char **) * (n + 1));
  for (i = 0; i < n; i++)
    {
      if (ferry_store_add_image (s, &imgs[i].img, err) < 0)
        return ferry_error_wrap (err, "cannot store image %s", imgs[i].what);
      report->ids[i] = xstrdup (ferry_digest_hex (imgs[i].img.config_digest));
      report->blobs[i] = xmalloc0 (sizeof (char *) * (imgs[i].img.n_layers + 1));
      for (j = 0; j < imgs[i].img.n_layers; j++)
        report->blobs[i][j] = xstrdup (imgs[i].img.layers[j].blob_digest);
      report->names[i] = xmalloc0 (sizeof (char *));
      for (j = 0; imgs[i].img.names[j]; j++)
        {
          report->names[i] = xrealloc (report->names[i], sizeof (char *) * (j + 2));
          report->names[i][j] = xstrdup (imgs[i].img.names[j]);
          report->names[i][j + 1] = NULL;
        }
      for (j = 0; imgs[i].img.names[j]; j++)
        {
          report->loaded = xrealloc (report->loaded, sizeof (char *) * (count + 2));
          report->loaded[count++] = xstrdup (imgs[i].img.names[j]);
          report->loaded[count] = NULL;
        }
      if (imgs[i].img.names[0] == NULL)
        {
          report->loaded = xrealloc (report->loaded, sizeof (char *) * (count + 2));
          report->loaded[count++] = xstrdup (imgs[i].img.config_digest);
          report->loaded[count] = NULL;
        }
    }
  return 0;
}

static int
strv_has_name (char *const *v, const char *s)
{
  for (; v && *v; v++)
    if (strcmp (*v, s) == 0)
      return 1;
  return 0;
}

static void
set_names (struct pending *p, const char *name)
{
  ferry_cleanup_strvp (&p->img.names);
  p->img.names = xmalloc0 (sizeof (char *) * 2);
  if (name)
    p->img.names[0] = xstrdup (name);
}

/* The names SEL gives P.  An OCI ref.name without a registry is
 * localhost's, as Podman names an image it pulls from an oci-archive.  */
static int
name_image (const struct ferry_load_selection *sel, struct pending *p)
{
  struct ferry_reference r;
  ferry_error_t ignored = NULL;
  char *name;

  if (sel->naming == FERRY_LOAD_NAMES_NONE)
    set_names (p, NULL);
  else if (sel->naming == FERRY_LOAD_NAMES_GIVEN)
    set_names (p, sel->name);
  else if (sel->layout == FERRY_LOAD_DOCKER_ARCHIVE && sel->ref)
    set_names (p, sel->ref);
  else if (sel->layout == FERRY_LOAD_OCI)
    {
      if (p->ref_name == NULL)
        {
          set_names (p, NULL);
          return 0;
        }
      if (ferry_reference_parse (p->ref_name, FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, &ignored) < 0)
        {
          ferry_error_release (&ignored);
          return -1;
        }
      name = ferry_reference_string (&r);
      ferry_reference_free (&r);
      set_names (p, name);
      free (name);
    }
  return 0;
}

/* Keeps of IMGS what SEL selects (freeing the others) and names them.  */
static int
select_images (const struct ferry_load_selection *sel, const char *path, struct pending *imgs, size_t *n,
               ferry_error_t *err)
{
  size_t i, kept = 0, total;

  for (i = 0; i < *n; i++)
    {
      struct pending *p = &imgs[i];
      int keep;

      if (sel->layout == FERRY_LOAD_OCI)
        keep = sel->ref == NULL || (p->ref_match && strcmp (p->ref_match, sel->ref) == 0);
      else if (sel->ref)
        keep = strv_has_name (p->img.names, sel->ref);
      else
        keep = sel->index < 0 || (size_t) sel->index == i;
      if (! keep)
        {
          pending_free (p);
          continue;
        }
      imgs[kept++] = *p;
    }
  total = *n;
  *n = kept;
  if (sel->layout == FERRY_LOAD_OCI && sel->ref && kept == 0)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "no descriptor found for reference \"%s\"",
                                  sel->ref);
  if (sel->layout == FERRY_LOAD_OCI && kept > 1)
    return ferry_make_error (err, 0, "more than one image in oci, choose an image");
  if (sel->layout == FERRY_LOAD_DOCKER_ARCHIVE && sel->ref && kept == 0)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "Tag \"%s\" not found", sel->ref);
  if (sel->layout == FERRY_LOAD_DOCKER_ARCHIVE && sel->index >= 0 && kept == 0)
    return ferry_make_error (err, 0, "Invalid source index @%d, only %zu manifest items available",
                             sel->index, total);
  for (i = 0; i < kept; i++)
    if (name_image (sel, &imgs[i]) < 0)
      return ferry_make_error (err, 0, "invalid image name `%s` in `%s`", imgs[i].ref_name, path);
  return 0;
}

/* The layout SEL asks for is the one PATH has, in Podman's words when
 * it is not.  */
static int
check_layout (const struct ferry_load_selection *sel, struct spool *sp, const char *path, int is_dir,
              struct spooled *index, struct spooled *mf, ferry_error_t *err)
{
  switch (sel->layout)
    {
    case FERRY_LOAD_OCI:
      if (index && index->path)
        return 0;
      if (is_dir)
        return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                      "open %s/index.json: no such file or directory", path);
      return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                    "loading index: `%s` has no index.json: it is no oci-archive", path);
    case FERRY_LOAD_DOCKER_ARCHIVE:
      if (mf && mf->path && ! is_dir)
        return 0;
      return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                    "loading tar component \"manifest.json\": file does not exist");
    default:
      if (mf && mf->path && is_dir && is_docker_dir (sp))
        return 0;
      return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "open %s/%s: no such file or directory", path,
                                    mf && mf->path ? "version" : "manifest.json");
    }
}

/* The trust policy's verdict on the images of an archive, as Podman
 * judges them: the OCI transports and docker-archive by their own scopes
 * (an archive carries no signatures ferry reads).  */
static int
check_policy (const char *policy, const char *path, const char *transport, struct pending *imgs,
              ferry_error_t *err)
{
  cleanup_free char *shown = NULL, *abs = NULL;
  struct ferry_policy_image img = { 0 };

  abs = realpath (path, NULL);
  img.transport = transport;
  if (strcmp (transport, "docker-archive") == 0)
    shown = xasprintf ("docker-archive:%s%s%s", path, imgs->img.names && imgs->img.names[0] ? ":" : "",
                       imgs->img.names && imgs->img.names[0] ? imgs->img.names[0] : "");
  else
    shown = xasprintf ("%s:%s:", transport, path);
  img.shown = shown;
  img.path = abs ? abs : path;
  return ferry_policy_check_path (policy, &img, err);
}

/* PATH, or when FD is not -1 the archive read from FD (PATH names it).
 * SEL (may be NULL: everything, as load takes it) selects and names;
 * POLICY is the trust policy file (NULL: the default one).  */
static int
load (ferry_store_t *s, const char *path, int fd, const struct ferry_load_selection *sel, const char *policy,
      struct ferry_load_report *report, ferry_error_t *err)
{
  const char *transport = NULL;
  struct spool sp = { .archive = path, .fd = fd };
  struct pending *imgs = NULL;
  struct spooled *index, *mf;
  cleanup_close int dirfd = -1;
  size_t n = 0, i;
  int ret = -1;

  memset (report, 0, sizeof (*report));
  sp.dir = ferry_mkdtemp_in (ferry_store_tmp_dir (s), "load-", err);
  if (sp.dir == NULL)
    return -1;
  /* A directory is an OCI image layout or a docker-dir (save --format
   * oci-dir or docker-dir).  */
  if (fd < 0)
    dirfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd >= 0 ? spool_directory_at (&sp, dirfd, NULL, 0, err) < 0 : spool_archive (&sp, path, err) < 0)
    goto out;

  index = spool_find (&sp, "index.json");
  mf = spool_find (&sp, "manifest.json");
  if (sel && check_layout (sel, &sp, path, dirfd >= 0, index, mf, err) < 0)
    goto out;
  if (index && index->path && (sel == NULL || sel->layout == FERRY_LOAD_OCI))
    {
      cleanup_free char *text = NULL;
      cleanup_json json_object *root = NULL;
      size_t len;

      if ((text = read_spooled (index, &len, err)) == NULL)
        goto out;
      root = ferry_json_parse (text, len, "index.json", err);
      if (root == NULL)
        {
          ferry_error_wrap (err, "image archive `%s`", path);
          goto out;
        }
      if (oci_index (&sp, root, "index.json", NULL, &imgs, &n, 0, err) < 0)
        goto out;
      transport = dirfd >= 0 ? "oci" : "oci-archive";
    }
  else if (dirfd >= 0 && mf && mf->path && is_docker_dir (&sp))
    {
      if (docker_dir (&sp, mf, &imgs, &n, err) < 0)
        goto out;
      transport = "dir";
    }
  else if (dirfd >= 0)
    {
      ferry_make_error (err, 0,
                        "`%s` is neither an OCI image layout (no index.json) nor a docker-dir (no version "
                        "file and manifest.json); ferry loads a directory saved with `save --format oci-dir` "
                        "or `save --format docker-dir`",
                        path);
      goto out;
    }
  else if (mf && mf->path)
    {
      if (docker_archive (&sp, mf, &imgs, &n, err) < 0)
        goto out;
      transport = "docker-archive";
    }
  else
    {
      ferry_make_error (err, 0,
                        "payload does not match any of the supported image formats: `%s` is not an image "
                        "archive: it has neither index.json (OCI) nor manifest.json "
                        "(docker-archive); save images with `podman save --format oci-archive`",
                        path);
      goto out;
    }
  if (n == 0)
    {
      ferry_make_error (err, 0, "image archive `%s` holds no image for linux/%s", path,
                        ferry_image_host_arch ());
      goto out;
    }
  if (sel && select_images (sel, path, imgs, &n, err) < 0)
    goto out;
  if (n > 0 && check_policy (policy, path, transport, imgs, err) < 0)
    goto out;
  if (unpack_layers (s, imgs, n, err) < 0)
    goto out;
  ferry_fault_point ("load-unpacked");
  if (add_images (s, imgs, n, report, err) < 0)
    goto out;
  ret = 0;

out:
  for (i = 0; i < n; i++)
    pending_free (&imgs[i]);
  free (imgs);
  spool_free (&sp);
  if (ret < 0)
    ferry_load_report_free (report);
  return ret;
}

int
ferry_image_load (ferry_store_t *s, const char *path, struct ferry_load_report *report, ferry_error_t *err)
{
  return load (s, path, strcmp (path, "-") == 0 ? STDIN_FILENO : -1, NULL, NULL, report, err);
}

int
ferry_image_load_selected (ferry_store_t *s, const char *path, const struct ferry_load_selection *sel,
                           struct ferry_load_report *report, ferry_error_t *err)
{
  return load (s, path, -1, sel, NULL, report, err);
}

int
ferry_image_load_policy (ferry_store_t *s, const char *path, const char *policy,
                         struct ferry_load_report *report, ferry_error_t *err)
{
  return load (s, path, strcmp (path, "-") == 0 ? STDIN_FILENO : -1, NULL, policy, report, err);
}

int
ferry_image_load_fd (ferry_store_t *s, int fd, const char *name, struct ferry_load_report *report,
                     ferry_error_t *err)
{
  return load (s, name, fd, NULL, NULL, report, err);
}

void
ferry_load_report_free (struct ferry_load_report *r)
{
  ferry_cleanup_strvp (&r->loaded);
  for (size_t i = 0; r->ids && r->ids[i]; i++)
    {
      if (r->blobs && r->blobs[i])
        ferry_cleanup_strvp (&r->blobs[i]);
      if (r->names && r->names[i])
        ferry_cleanup_strvp (&r->names[i]);
    }
  free (r->blobs);
  free (r->names);
  r->blobs = r->names = NULL;
  ferry_cleanup_strvp (&r->ids);
}

const char *
ferry_image_host_arch (void)
{
  static const struct
  {
    const char *machine, *arch;
  } map[] = { { "x86_64", "amd64" },    { "aarch64", "arm64" }, { "i686", "386" },       { "armv7l", "arm" },
              { "ppc64le", "ppc64le" }, { "s390x", "s390x" },   { "riscv64", "riscv64" } };
  static char machine[65];
  struct utsname u;
  size_t i;

  if (uname (&u) < 0)
    return "amd64";
  for (i = 0; i < sizeof (map) / sizeof (map[0]); i++)
    if (strcmp (u.machine, map[i].machine) == 0)
      return map[i].arch;
  snprintf (machine, sizeof (machine), "%s", u.machine);
  return machine;
}
