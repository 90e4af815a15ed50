/* ferry: the commands about a whole root: how much room its images,
 * containers and volumes take (`system df`), and putting it back to
 * nothing (`system reset`).  */
#ifndef FERRY_ENGINE_SYSTEM_H
#define FERRY_ENGINE_SYSTEM_H

#include "engine.h"

#include <stddef.h>
#include <stdint.h>

/* One name of an image (an unnamed image has one row, NULL name).  */
struct ferry_df_image
{
  char *id;
  char *name; /* normalised "repo:tag", or NULL */
  char *created;
  uint64_t size;        /* its layers */
  uint64_t shared_size; /* of them, the layers another image has too */
  int containers;       /* containers made from it */
};

struct ferry_df_container
{
  char *id;
  char *image_id;
  char *command; /* the command words, joined by spaces */
  char *created;
  char *status; /* as ps says it: created, running, paused, exited */
  char *name;
  int local_volumes; /* named volumes it mounts */
  uint64_t rw_size;  /* what its root file system holds of its own */
};

struct ferry_df_volume
{
  char *name;
  int links; /* containers that use it */
  uint64_t size;
};

struct ferry_df_report
{
  struct ferry_df_image *images;
  size_t n_images;
  uint64_t images_size; /* every layer once, and each image's config and manifests */
  struct ferry_df_container *containers;
  size_t n_containers;
  struct ferry_df_volume *volumes;
  size_t n_volumes;
};

/* Measures the root: images (one row per name, in the order they were
 * stored: the oldest first), containers
 * (oldest first) and volumes (by name), with their sizes read from the
 * store's layers, the containers' upper directories and the volumes'
 * data.  */
int ferry_system_df (ferry_engine_t *e, struct ferry_df_report *out, ferry_error_t *err);
void ferry_df_report_release (struct ferry_df_report *r);

/* The bytes of the files below the directory PATH (not following
 * symbolic links; a hard-linked file once), 0 when PATH is missing.  WHAT
 * names it in errors.  */
int ferry_path_usage (const char *path, const char *what, uint64_t *out, ferry_error_t *err);

/* What `system reset` did.  */
struct ferry_reset_report
{
  size_t containers, images, volumes, networks;
};

/* Stops and removes every container, then removes every image, volume
 * and network (but the default one); when all went, the files ferry
 * keeps under ROOT and RUNROOT (the database first, so that a reset cut
 * short leaves a root the next ferry reads as empty, and never anything
 * else in those directories, nor through a symbolic link or into a mount
 * that is not ferry's).  E is closed and freed (*E set to NULL) before
 * the files go.  A container that cannot be removed stops the reset
 * before any file goes: the error names it.  */
int ferry_system_reset (ferry_engine_t **e, struct ferry_reset_report *report, ferry_error_t *err);

#endif
