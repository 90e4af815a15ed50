/* ferry: searching a registry, as `podman search` does.
 *
 * A registry with the old v1 search endpoint (Docker Hub) answers the
 * term itself; any other is searched through the distribution API's
 * catalog, whose repository names are matched by substring, page after
 * page, an exact match listed first.  A repository's tags come from its
 * tags list.  Everything a registry sends is type-checked, its text made
 * printable, and the number of pages bounded.  */
#ifndef FERRY_IMAGE_SEARCH_H
#define FERRY_IMAGE_SEARCH_H

#include "registry.h"

#include <stddef.h>
#include <stdint.h>

struct ferry_search_result
{
  char *name; /* the repository, as the registry names it */
  char *description;
  int64_t stars;
  int official, automated;
};

/* Searches REGISTRY ("host[:port]") for repositories whose name holds
 * TERM, at most LIMIT of them.  */
int ferry_registry_search (const char *registry, const char *term, size_t limit,
                           const struct ferry_registry_options *o, struct ferry_search_result **results,
                           size_t *n, ferry_error_t *err);
void ferry_search_results_free (struct ferry_search_result *results, size_t n);

/* The tags of REPOSITORY on REGISTRY, in the registry's order, as a NULL-
 * terminated vector.  */
int ferry_registry_list_tags (const char *registry, const char *repository,
                              const struct ferry_registry_options *o, char ***tags, ferry_error_t *err);

#endif
