/* ferry: `commit`, an image of a container: its image's layers, one more
 * layer of the container's changes (deletions as OCI whiteouts), and its
 * configuration (command, environment, labels, working directory, user)
 * with Dockerfile-style changes applied.  */
#ifndef FERRY_ENGINE_COMMIT_H
#define FERRY_ENGINE_COMMIT_H

#include "engine.h"

struct ferry_commit_options
{
  const char *name;    /* the new image's name; NULL: none */
  char **changes;      /* "CMD [...]", "ENV K=V", ... NULL-terminated, may be NULL */
  const char *author;  /* may be NULL */
  const char *comment; /* the history entry's comment; NULL: "FROM <image>" */
  int pause;           /* pause a running container while its changes are read */
  int include_volumes; /* every mount's destination in Volumes (else only anonymous volumes') */
  int squash;          /* one layer of the whole root file system, no base layers */
  /* --config: a file holding a Docker container configuration (Cmd, Env,
   * Labels, ...) merged into the image's as Podman merges it: CHANGES go
   * onto it first, then the whole over the image's; NULL: none.  */
  const char *config_file;
};

/* Checks CHANGE (one --change) without applying it: 0, or -1 with the
 * reason.  */
int ferry_commit_change_check (const char *change, ferry_error_t *err);

/* *ID gets the new image's ID.  */
int ferry_container_commit (ferry_engine_t *e, const char *ref, const struct ferry_commit_options *o,
                            char **id, ferry_error_t *err);

#endif
