/* ferry: `container prune`, removing the containers that do not run.  */
#ifndef FERRY_ENGINE_PRUNE_H
#define FERRY_ENGINE_PRUNE_H

#include "engine.h"

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

#endif
