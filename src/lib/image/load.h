/* ferry: bringing images in from files.
 *
 * `load` reads an OCI image archive or a docker-archive (each possibly
 * compressed as a whole; layers plain, gzip or zstd), checks every blob
 * against its digest and every layer against the config's diff_ids, unpacks
 * the layers the store lacks, keeps their blobs as the archive has them, and
 * records the images.  `import` makes a one-layer image of a root-filesystem
 * tarball, whose blob is the tarball as given.  Either succeeds whole or
 * leaves the store as it was.  */
#ifndef FERRY_IMAGE_LOAD_H
#define FERRY_IMAGE_LOAD_H

#include "store.h"

struct ferry_load_report
{
  char **loaded; /* NULL-terminated: a name per named image, "sha256:ID" for an unnamed one */
  char **ids;    /* NULL-terminated: the ID of each image loaded, in the archive's order */
  char ***blobs; /* parallel to IDS: each image's layer blobs as the archive names them */
  char ***names; /* parallel to IDS: the names each image got from the archive */
};

/* PATH "-" reads standard input.  The trust policy (policy.h) decides
 * whether the archive's images may come in.  */
int ferry_image_load (ferry_store_t *s, const char *path, struct ferry_load_report *report,
                      ferry_error_t *err);
/* The same, obeying the trust policy file POLICY (NULL: the default;
 * policy.h) instead of the default one.  */
int ferry_image_load_policy (ferry_store_t *s, const char *path, const char *policy,
                             struct ferry_load_report *report, ferry_error_t *err);
/* The same, reading the archive (not a directory) from FD, which stays
 * the caller's; NAME names it in messages.  */
int ferry_image_load_fd (ferry_store_t *s, int fd, const char *name, struct ferry_load_report *report,
                         ferry_error_t *err);
void ferry_load_report_free (struct ferry_load_report *r);

/* What a pull from a file transport (transport.h) takes of PATH, and the
 * names it gives, as Podman's do.  */
enum ferry_load_layout
{
  FERRY_LOAD_OCI,            /* an OCI layout: index.json */
  FERRY_LOAD_DOCKER_ARCHIVE, /* manifest.json listing images */
  FERRY_LOAD_DOCKER_DIR,     /* manifest.json of one image, and version */
};

enum ferry_load_naming
{
  FERRY_LOAD_NAMES_OWN,   /* OCI: the ref.name (short ones localhost's); docker-archive: RepoTags */
  FERRY_LOAD_NAMES_NONE,  /* none: known by ID */
  FERRY_LOAD_NAMES_GIVEN, /* NAME */
};

struct ferry_load_selection
{
  enum ferry_load_layout layout;
  /* OCI: the image whose ref.name is REF, else the only one the index
   * lists; docker-archive: the image tagged REF (normalised), else the
   * INDEXth (INDEX >= 0), else all of them.  */
  const char *ref;
  int index;
  enum ferry_load_naming naming;
  const char *name;
};

/* ferry_image_load of what SEL selects in PATH (a file or directory, as
 * the layout has it), named as SEL says.  */
int ferry_image_load_selected (ferry_store_t *s, const char *path, const struct ferry_load_selection *sel,
                               struct ferry_load_report *report, ferry_error_t *err);

/* What import puts in the image's config beside its layer.  */
struct ferry_import_options
{
  char **changes;      /* Dockerfile instructions (change.h), NULL-terminated; may be NULL */
  const char *message; /* the history entry's comment; NULL: where the layer came from */
  const char *os;      /* NULL: linux */
  const char *arch;    /* NULL: this host's */
  const char *variant; /* NULL: none */
  /* import: the trust policy file (NULL: the default; policy.h), which
   * judges the tarball as Podman's tarball: transport.  */
  const char *signature_policy;
};

/* NAME may be NULL for an unnamed image; O may be NULL.  *ID gets the new
 * image's ID.  */
int ferry_image_import (ferry_store_t *s, const char *path, const char *name,
                        const struct ferry_import_options *o, char **id, ferry_error_t *err);

/* Checks O's changes (nothing else of O needs a check): 0, or -1 and ERR
 * naming the first bad one.  */
int ferry_image_import_check (const struct ferry_import_options *o, ferry_error_t *err);

/* The OCI manifest of IMG (its config and layers must be filled), with
 * ANNOTATIONS (may be NULL), as a pull would store it.  */
char *ferry_image_manifest_text (const struct ferry_new_image *img, json_object *annotations);

enum
{
  /* The layer is kept as its blob only, never unpacked (store.h): for a
   * checkpoint image, whose layer is its archive.  Its digests are still
   * computed from every byte.  */
  FERRY_IMPORT_BLOB_ONLY = 1 << 0,
};

/* ferry_image_import of the file BLOB, which is on the store's file
 * system and becomes the layer's blob as it is (a hard link, no copy; the
 * caller still removes its name), with ANNOTATIONS (may be NULL) in the
 * manifest; SOURCE names it in the image's history and in errors.  FLAGS:
 * FERRY_IMPORT_*.  */
int ferry_image_import_file (ferry_store_t *s, const char *blob, const char *name, json_object *annotations,
                             const char *source, unsigned flags, char **id, ferry_error_t *err);

/* "amd64", "arm64", ... for this machine, as OCI names architectures.  */
const char *ferry_image_host_arch (void);

#endif
