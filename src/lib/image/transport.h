/* ferry: image transports, as Podman's users write them
 * (containers-transports(5)): "TRANSPORT:DETAILS" in front of an image
 * for pull, push, run and create.
 *
 *   docker://REF                    a registry (pull.h)
 *   oci-archive:PATH[:REF]          a tar of an OCI layout; REF its ref.name
 *   oci:PATH[:REF]                  an OCI layout directory
 *   docker-archive:PATH[:REF|:@N]   `docker save`'s tar; REF a RepoTag, N an index
 *   dir:PATH                        containers/image's directory of blobs
 *   containers-storage:REF          the engine's own store: ferry's store
 *   docker-daemon:REF               a Docker daemon's images
 *
 * Only the text is parsed here; what each one reads or writes is in
 * load.c and save.c, and pull_transport.c puts them together.  */
#ifndef FERRY_IMAGE_TRANSPORT_H
#define FERRY_IMAGE_TRANSPORT_H

#include "../util/error.h"

enum ferry_transport
{
  FERRY_TRANSPORT_NONE, /* no transport: a name of the store or a registry */
  FERRY_TRANSPORT_DOCKER,
  FERRY_TRANSPORT_OCI_ARCHIVE,
  FERRY_TRANSPORT_OCI,
  FERRY_TRANSPORT_DOCKER_ARCHIVE,
  FERRY_TRANSPORT_DIR,
  FERRY_TRANSPORT_CONTAINERS_STORAGE,
  FERRY_TRANSPORT_DOCKER_DAEMON,
};

struct ferry_transport_ref
{
  enum ferry_transport transport;
  char *path; /* the archive or directory; NULL for the others */
  /* oci, oci-archive: the ref.name as written; docker-archive: the
   * RepoTag, normalised ("docker.io/library/x:latest"); docker,
   * containers-storage, docker-daemon: the reference as written after
   * the transport; NULL when none was given.  */
  char *ref;
  int index; /* docker-archive ":@N"; -1 when none */
};

/* Parses S.  A text that does not start with a transport's name and a
 * colon is FERRY_TRANSPORT_NONE, with REF a copy of S.  A transport with
 * bad details (no path, a bad reference or index) is an error naming it.  */
int ferry_transport_parse (const char *s, struct ferry_transport_ref *out, ferry_error_t *err);

/* True when S starts with one of the transports' names and a colon
 * (docker: only as docker://): no plain image name does.  */
int ferry_transport_is_prefixed (const char *s);

/* "oci-archive", ...; "" for NONE.  */
const char *ferry_transport_name (enum ferry_transport t);

void ferry_transport_ref_free (struct ferry_transport_ref *r);

/* ---- copying (transport_copy.c) ---- */

#include "store.h"

#include <stdbool.h>

/* Pulls SRC (not NONE nor DOCKER: those are registry pulls) into the
 * store, named as Podman names it: oci-archive by its ref.name, oci by
 * the REF given (else unnamed), docker-archive by its RepoTags (or the
 * REF given), dir unnamed.  *IDS gets an image ID per image and name
 * copied (Podman copies a docker-archive image once per tag), so the
 * same ID may repeat.  With SAY, Podman's lines for each copy on standard
 * error ("Getting image source signatures", "Copying blob ...").  Nothing
 * is stored unless all of it is verified (load.h).  */
int ferry_transport_pull (ferry_store_t *s, const struct ferry_transport_ref *src, bool say, char ***ids,
                          ferry_error_t *err);

/* Writes the stored IMAGE to DEST (not NONE nor DOCKER): an archive or a
 * directory as save.h writes it, named by DEST's REF where it has one;
 * containers-storage: tags it.  COMPRESS gzips a dir: destination's
 * layers.  SAY as for a pull.  *DIGEST (when DIGEST is not NULL) gets the
 * digest of the manifest written (save.h's manifest_digest; the stored
 * one for containers-storage:).  */
int ferry_transport_push (ferry_store_t *s, const char *image, const struct ferry_transport_ref *dest,
                          bool say, bool compress, char **digest, ferry_error_t *err);

#endif
