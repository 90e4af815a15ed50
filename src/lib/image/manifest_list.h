/* ferry: manifest lists (image indexes) made on this host, as Podman's
 * `manifest` commands make them.
 *
 * A list is stored as an image (store.h: is_list) whose manifest is the
 * index itself, in the order and shape Podman writes: schemaVersion,
 * mediaType, manifests (mediaType, size, digest, platform, annotations),
 * annotations.  Its mediaType is Docker's manifest list while it holds only
 * Docker schema 2 images and has no annotations, else the OCI index, as
 * Podman chooses.  These functions only compute texts; the store records
 * them (ferry_store_add_list, ferry_store_edit_list).  */
#ifndef FERRY_IMAGE_MANIFEST_LIST_H
#define FERRY_IMAGE_MANIFEST_LIST_H

#include "pull.h"
#include "store.h"
#include "../util/error.h"

#include <json-c/json.h>
#include <stdbool.h>

/* What `manifest add` and `annotate` set on an entry; NULL fields are
 * left as they are (add: as the image's config says).  */
struct ferry_list_platform
{
  const char *os, *arch, *variant, *os_version;
  char **features;          /* NULL-terminated */
  char **os_features;       /* NULL-terminated */
  json_object *annotations; /* string values, added to the entry's */
};

/* A new empty list, with ANNOTATIONS (may be NULL) on the index.  */
char *ferry_manifest_list_new (json_object *annotations);

/* LIST with the stored image IMG added (an entry of the same digest is
 * replaced), its platform taken from IMG's config, then P.  */
char *ferry_manifest_list_add_image (const char *list, const struct ferry_image *img,
                                     const struct ferry_list_platform *p, ferry_error_t *err);

/* LIST with the entry of DIGEST changed by P, and ANNOTATIONS (may be
 * NULL) added to the index's own; DIGEST NULL changes only the index.
 * An entry that is not there is kind FERRY_ERROR_NOT_FOUND.  */
char *ferry_manifest_list_annotate (const char *list, const char *digest, const struct ferry_list_platform *p,
                                    json_object *annotations, ferry_error_t *err);

/* LIST with SUBJECT (a descriptor: mediaType, size, digest) as the
 * index's subject, replacing any; the list becomes an OCI index.  */
char *ferry_manifest_list_set_subject (const char *list, json_object *subject, ferry_error_t *err);

/* LIST without the entry of DIGEST (kind FERRY_ERROR_NOT_FOUND when it has
 * none).  */
char *ferry_manifest_list_remove (const char *list, const char *digest, ferry_error_t *err);

/* LIST in FORMAT ("oci": the OCI index; "v2s2": Docker's list, which has
 * no annotations), its entries' digests, sizes and media types changed
 * as CHANGED says (pairs of old digest and new descriptor, may be NULL).  */
char *ferry_manifest_list_convert (const char *list, const char *format, json_object *changed,
                                   ferry_error_t *err);

/* The list a push sends: LIST converted as ferry_manifest_list_convert
 * does, where a CHANGED descriptor may also carry "annotations" to add to
 * the entry, with the descriptors ADDED (may be NULL) appended; an OCI
 * index then has the entries marked zstd (FERRY_ANNOTATION_ZSTD) after
 * the others, each group in its order, as Podman sorts them.  */
#define FERRY_ANNOTATION_ZSTD "io.github.containers.compression.zstd"
char *ferry_manifest_list_for_push (const char *list, const char *format, json_object *changed,
                                    json_object *added, ferry_error_t *err);

/* What `manifest inspect` prints of a list: LIST as Podman shows it (an
 * empty list's manifests null, its subject with an empty platform).  */
json_object *ferry_manifest_list_inspect (const char *list, ferry_error_t *err);

/* ---- lists of the store (manifest_store.c) ---------------------------------- */

/* The manifest digests of the stored images REF stands for, appended to
 * *DIGESTS (NULL-terminated): with docker://, the registry's (pulled into
 * the store, verified as a pull verifies); a full name on a registry other
 * than localhost, the registry's when it answers, else the store's;
 * anything else the store's (with ALL, a list's every image; else the one
 * for this host), else the registry's.  Of a registry's index, this host's
 * image, or with ALL every one (at most 256).  MARKS (may be NULL) gets,
 * by digest, the annotations a registry's index has for the images taken
 * from it, which Podman's add keeps.  */
int ferry_manifest_images_to_add (ferry_store_t *s, const char *ref, bool all,
                                  const struct ferry_transfer_options *o, char ***digests, json_object *marks,
                                  ferry_error_t *err);

/* The subject `manifest annotate --subject REF` gives a list: the stored
 * list REF names, else the stored image, as a descriptor: mediaType, size, digest.  None: an error in
 * Podman's words.  */
json_object *ferry_manifest_subject (ferry_store_t *s, const char *ref, ferry_error_t *err);

/* `manifest add --artifact`: an artifact manifest made of files, as
 * Podman 5.4 makes it.  */
struct ferry_list_artifact
{
  char *const *files;      /* the files, one layer each, NULL-terminated */
  const char *type;        /* artifactType; NULL: application/vnd.unknown.artifact.v1 */
  const char *config;      /* a file whose bytes are the config (inline in the manifest); may be NULL */
  const char *config_type; /* the config's media type; NULL: the OCI image config's, or the empty one's */
  const char *layer_type;  /* every layer's media type; NULL: each file's, as Go sniffs it */
  bool exclude_titles;     /* no org.opencontainers.image.title annotation on the layers */
};

/* The marks of an artifact entry in a stored list: its manifest text (the
 * list keeps it, and the files' paths, as Podman keeps them, to read the
 * files when it is pushed); neither is shown by inspect nor pushed.  */
#define FERRY_LIST_ARTIFACT_MANIFEST "ferry.artifactManifest"
#define FERRY_LIST_ARTIFACT_FILES "files"

/* LIST with ENTRY (an artifact's descriptor, with its marks) added (an
 * entry of the same digest is replaced), changed by P, and SUBJECT (may
 * be NULL) as the list's subject.  */
char *ferry_manifest_list_add_artifact_entry (const char *list, json_object *entry,
                                              const struct ferry_list_platform *p, json_object *subject,
                                              ferry_error_t *err);

/* Adds to the stored list LIST the artifact A describes, its entry changed
 * by P; SUBJECT (a descriptor, may be NULL) becomes the list's subject, as
 * Podman 5.4's --artifact-subject does.  One transaction of the store.  */
int ferry_manifest_list_add_artifact (ferry_store_t *s, const char *list, const struct ferry_list_artifact *a,
                                      const struct ferry_list_platform *p, json_object *subject,
                                      ferry_error_t *err);

/* Adds the stored images DIGESTS to the list LIST, their entries changed
 * by P (under the annotations MARKS, as ferry_manifest_images_to_add
 * fills it, has for them; may be NULL), and ANNOTATIONS (may be NULL) to
 * the list's own: one transaction.  */
int ferry_manifest_list_add_stored (ferry_store_t *s, const char *list, char **digests,
                                    const struct ferry_list_platform *p, json_object *annotations,
                                    json_object *marks, ferry_error_t *err);

/* Makes the list NAME (normalised) of the stored images DIGESTS with
 * ANNOTATIONS; with AMEND, a list NAME that exists gets them instead.
 * *ID gets the list's ID.  */
int ferry_manifest_list_create (ferry_store_t *s, const char *name, char **digests, json_object *annotations,
                                bool amend, char **id, ferry_error_t *err);

#endif
