/* ferry: `system check`, the consistency of one root's storage, as
 * Podman's: the image store's layers and images (image/check.h), the
 * containers (their image there and whole, their read-write layer there),
 * and what no record accounts for (a killed ferry's leftovers: layer
 * directories, blob files, container directories; engine/sweep.h).
 *
 * With repair: the leftovers, and damaged layers no image uses, are
 * removed; damaged images are removed when no container uses them, and
 * with force the damaged containers go first (stopped if running), then
 * their images.  */
#ifndef FERRY_ENGINE_STORAGE_CHECK_H
#define FERRY_ENGINE_STORAGE_CHECK_H

#include "engine.h"
#include "../image/check.h"

struct ferry_check_options
{
  int quick;
  int repair;
  int force;
  long long max_age; /* seconds: a layer no image uses, older, is damage */
};

struct ferry_check_report
{
  struct ferry_damage_list layers;
  struct ferry_damage_list images;
  struct ferry_damage_list containers;
  char **removed_layers; /* each list NULL-terminated, never NULL */
  char **removed_images;
  char **removed_containers;
};

int ferry_system_check (ferry_engine_t *e, const struct ferry_check_options *o, struct ferry_check_report *r,
                        ferry_error_t *err);
/* Whether R found any damage.  */
int ferry_check_report_damaged (const struct ferry_check_report *r);
void ferry_check_report_release (struct ferry_check_report *r);

#endif
