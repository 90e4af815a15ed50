/* ferry: image references, "registry/repository:tag" or "...@sha256:...",
 * normalised as Podman does: a name without a registry is short for
 * docker.io (and docker.io/library for one-component names) when it names
 * something to fetch, and for localhost when ferry itself names an image
 * (import, tag).  */
#ifndef FERRY_IMAGE_REFERENCE_H
#define FERRY_IMAGE_REFERENCE_H

#include "../util/error.h"

struct ferry_reference
{
  char *registry;   /* "docker.io", "localhost", "127.0.0.1:5000" */
  char *repository; /* "library/busybox" */
  char *tag;        /* NULL when a digest is given without a tag */
  char *digest;     /* "sha256:..." or NULL */
};

enum ferry_reference_default
{
  FERRY_REFERENCE_DEFAULT_DOCKER_IO, /* "busybox" -> docker.io/library/busybox */
  FERRY_REFERENCE_DEFAULT_LOCALHOST, /* "busybox" -> localhost/busybox */
};

/* Parses S; a missing tag (and digest) becomes "latest".  */
int ferry_reference_parse (const char *s, enum ferry_reference_default def, struct ferry_reference *out,
                           ferry_error_t *err);

/* True when S names no registry ("busybox", "me/app:1").  */
int ferry_reference_is_short (const char *s);

/* "registry/repository:tag" (with "@digest" when a digest is set and no
 * tag, or both when both are set).  */
char *ferry_reference_string (const struct ferry_reference *r);

/* "registry/repository".  */
char *ferry_reference_name (const struct ferry_reference *r);

void ferry_reference_free (struct ferry_reference *r);

#endif
