/* ferry: the media types of the OCI image spec and Docker's schema 2.  */
#ifndef FERRY_IMAGE_MEDIA_H
#define FERRY_IMAGE_MEDIA_H

#include <string.h>

#define FERRY_MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define FERRY_MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define FERRY_MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define FERRY_MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"

static inline int
ferry_media_is_manifest (const char *mt)
{
  return strcmp (mt, FERRY_MEDIA_OCI_MANIFEST) == 0 || strcmp (mt, FERRY_MEDIA_DOCKER_MANIFEST) == 0;
}

static inline int
ferry_media_is_index (const char *mt)
{
  return strcmp (mt, FERRY_MEDIA_OCI_INDEX) == 0 || strcmp (mt, FERRY_MEDIA_DOCKER_LIST) == 0;
}

/* Layers ferry can unpack: tar, plain or gzip or zstd (detected from the
 * bytes, whatever the type says).  */
static inline int
ferry_media_is_layer (const char *mt)
{
  static const char *const known[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    NULL,
  };
  size_t i;

  for (i = 0; known[i]; i++)
    if (strcmp (mt, known[i]) == 0)
      return 1;
  return 0;
}

#endif
