/* ferry: `container prune`, removing the containers that do not run.  */
#ifndef FERRY_ENGINE_PRUNE_H
#define FERRY_ENGINE_PRUNE_H

#include "engine.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* Checks FILTER ("label=K[=V]", "label!=K[=V]", "until=T" with T a Unix
 * time, an RFC 3339 time or a duration such as 10m or 2h30m).  */
int ferry_prune_filter_check (const char *filter, ferry_error_t *err);

/* Removes every container that is created or exited (not running,
 * paused, nor in the middle of an operation) and that passes every one of
 * FILTERS (NULL-terminated, may be NULL).  *REMOVED gets the IDs it
 * removed, in creation order (NULL-terminated, never NULL).  A container
 * that cannot be removed does not stop the others: the first such failure
 * is returned after all were tried.  */
int ferry_container_prune (ferry_engine_t *e, char **filters, char ***removed, ferry_error_t *err);

/* Checks a `system prune` FILTER as Podman does, with its words: only
 * label=, label!= and until= ("until" takes what ferry_prune_filter_check
 * takes).  */
int ferry_system_prune_filter_check (const char *filter, ferry_error_t *err);

/* True when an object with LABELS (an object, may be NULL) created at
 * CREATED (RFC 3339) passes every one of FILTERS (checked ones,
 * NULL-terminated, may be NULL).  */
bool ferry_prune_filters_pass (char **filters, json_object *labels, const char *created);

/* What `system prune` removed (each list NULL-terminated, never NULL) and
 * the bytes that freed.  */
struct ferry_system_prune_report
{
  char **containers; /* IDs */
  char **volumes;    /* names */
  char **images;     /* IDs */
  char **networks;   /* names */
  uint64_t reclaimed;
};

/* Removes the containers that do not run, then (with VOLUMES) the volumes
 * no container uses, the images no container uses (only the unnamed ones
 * unless ALL), and the networks no container uses but the default one,
 * each only when it passes FILTERS.  Something that cannot go does not
 * stop the rest: the first failure is returned after all were tried, and
 * REPORT says what went.  */
int ferry_system_prune (ferry_engine_t *e, int all, int volumes, char **filters,
                        struct ferry_system_prune_report *report, ferry_error_t *err);
void ferry_system_prune_report_release (struct ferry_system_prune_report *r);

#endif
