/* ferry: `image scp`, an image copied to, from or between other hosts.
 *
 * Each end is this host's store or ferry on another host, reached through
 * ssh (ssh.h).  The image goes as an OCI archive (the blobs as stored, so
 * its digests survive) straight from `save` into `load`: through ssh's
 * standard input, out of its standard output, or from one host's ssh into
 * the other's, with no file on either side.  The load on the receiving end
 * checks every blob and records the image only once all of it is there, so
 * a copy cut short (a lost link, a killed ferry) leaves that store as it
 * was, and its next command sweeps the partial spool.  */
#ifndef FERRY_ENGINE_IMAGE_SCP_H
#define FERRY_ENGINE_IMAGE_SCP_H

#include "ssh.h"
#include "../image/store.h"

#include <stdbool.h>
#include <stdio.h>

/* One argument of `image scp`: IMAGE (this host), or Podman's
 * [USER@]HOST[:PORT]::[IMAGE] (also with ssh:// before it).  */
struct ferry_scp_end
{
  bool remote;
  struct ferry_ssh_dest dest; /* when REMOTE */
  char *host;                 /* when REMOTE: [USER@]HOST[:PORT] as given, for messages */
  char *image;                /* NULL: none given (a destination) */
};

/* Parses ARG into END.  -1 with ERR for a form ferry does not take.  */
int ferry_scp_end_parse (const char *arg, struct ferry_scp_end *end, ferry_error_t *err);
void ferry_scp_end_release (struct ferry_scp_end *end);

struct ferry_image_scp_request
{
  const struct ferry_scp_end *source;      /* with an image */
  const struct ferry_scp_end *destination; /* without; NULL: this host */
  bool quiet;                              /* no progress, no "Loaded image" lines */
  FILE *out;                               /* where "Loaded image: NAME" lines go */
  FILE *progress;                          /* where a local save's progress goes */
};

/* Copies the image.  S is this host's store, needed (and only used) when
 * an end is this host.  */
int ferry_image_scp (ferry_store_t *s, const struct ferry_image_scp_request *req, ferry_error_t *err);

#endif
