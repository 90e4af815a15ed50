/* ferry engine: what its files share and nothing outside uses.  */
#ifndef FERRY_ENGINE_INTERNAL_H
#define FERRY_ENGINE_INTERNAL_H

#include "container.h"
#include "../util/parse.h"

#include <stddef.h>
#include <stdint.h>

char *ferry_random_hex (size_t bytes);

/* Finds without refreshing the state.  */
int ferry_container_find (ferry_engine_t *e, const char *ref, struct ferry_container **out,
                          ferry_error_t *err);
int ferry_container_save_state (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err);
/* Brings C's state up to date with what conmon and the runtime say.  */
void ferry_container_refresh (ferry_engine_t *e, struct ferry_container *c);

#endif
