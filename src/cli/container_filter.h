/* ferry CLI: --filter KEY=VALUE over containers, as Podman's ps takes it;
 * stop, start, restart, pause, unpause and rm pick their containers with
 * the same keys.  Filters of one key are alternatives, filters of different
 * keys must all hold.  */
#ifndef FERRY_CLI_CONTAINER_FILTER_H
#define FERRY_CLI_CONTAINER_FILTER_H

#include "engine/engine.h"
#include "engine/container.h"

#include <regex.h>
#include <stddef.h>
#include <time.h>

struct container_filter
{
  char *key;
  char *value;
  regex_t re; /* name, ancestor, and id when it is not hex digits */
  int has_re;
  struct timespec created; /* before and since: that container's creation; until: the time */
};

struct container_filters
{
  struct container_filter *v;
  size_t n;
};

/* Adds ARG (KEY=VALUE); a bad one is said and gives -1.  */
int container_filters_add (struct container_filters *f, const char *arg);

/* Looks up the containers before= and since= name; -1 after saying which
 * is none.  */
int container_filters_resolve (struct container_filters *f, ferry_engine_t *e);

/* C (whose health check status is HEALTH, "" without one) passes F.  */
int container_filters_match (const struct container_filters *f, const struct ferry_container *c,
                             const char *health);

/* F has a filter of KEY.  */
int container_filters_have (const struct container_filters *f, const char *key);

void container_filters_release (struct container_filters *f);

#endif
