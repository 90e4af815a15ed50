/* Containers that depend on another: those that joined its namespaces
 * (--network, --pid, --ipc, --uts or --cgroupns container:ID, recorded
 * by ID) or require it (--requires),
 * which Podman removes first with rm --depend and refuses to orphan
 * otherwise.  */
#include "container.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <string.h>

/* True when REC's --requires names container ID.  */
static int
requires_id (json_object *rec, const char *id)
{
  json_object *ids = ferry_json_get_array (rec, "Requires");

  for (size_t i = 0; i < ferry_json_array_length (ids); i++)
    if (strcmp (json_object_get_string (json_object_array_get_idx (ids, i)) ?: "", id) == 0)
      return 1;
  return 0;
}

/* True when REC's namespace mode KEY is container:ID.  */
static int
joins_id (json_object *rec, const char *key, const char *id)
{
  const char *mode = ferry_json_get_string (rec, key);

  return mode && strncmp (mode, "container:", 10) == 0 && strcmp (mode + 10, id) == 0;
}

/* True when C depends on container ID (and is not ID itself).  */
static int
depends_on (const struct ferry_container *c, const char *id)
{
  static const char *const modes[] = { "Network", "PidMode", "IpcMode", "UTSMode", "CgroupNs" };

  if (strcmp (c->id, id) == 0)
    return 0;
  for (size_t i = 0; i < sizeof (modes) / sizeof (modes[0]); i++)
    if (joins_id (c->record, modes[i], id))
      return 1;
  return requires_id (c->record, id);
}

int
ferry_container_dependents (ferry_engine_t *e, const char *id, char ***ids, ferry_error_t *err)
{
  struct ferry_container **list = NULL;
  size_t n = 0, found = 0, i;

  *ids = NULL;
  if (ferry_container_list (e, &list, &n, err) < 0)
    return -1;
  *ids = xmalloc0 ((n + 1) * sizeof (**ids));
  for (i = 0; i < n; i++)
    if (depends_on (list[i], id))
      (*ids)[found++] = xstrdup (list[i]->id);
  ferry_containers_free (list, n);
  return 0;
}

int
ferry_containers_have_dependents (ferry_engine_t *e, const char *const *ids, size_t n_ids, ferry_error_t *err)
{
  struct ferry_container **list = NULL;
  size_t n = 0;
  int found = 0;

  if (ferry_container_list (e, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n && ! found; i++)
    for (size_t k = 0; k < n_ids && ! found; k++)
      found = depends_on (list[i], ids[k]);
  ferry_containers_free (list, n);
  return found;
}
