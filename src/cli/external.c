/* ferry CLI: --external (external.h).  */
#include "external.h"
#include "common.h"
#include "template.h"
#include "engine/sweep.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <string.h>

int
ferry_cli_external_exists (ferry_engine_t *e, const char *ref)
{
  struct ferry_external_container *v = NULL;
  ferry_error_t err = NULL;
  size_t n = 0, matches = 0, len = strlen (ref);

  if (ferry_storage_external_containers (e, &v, &n, &err) < 0)
    {
      ferry_cli_fail (&err);
      return -1;
    }
  for (size_t i = 0; i < n && len > 0; i++)
    if (strncmp (v[i].id, ref, len) == 0)
      matches++;
  ferry_external_containers_free (v, n);
  return matches == 1;
}

json_object **
ferry_cli_external_rows (ferry_engine_t *e, int no_trunc, size_t *n)
{
  struct ferry_external_container *v = NULL;
  ferry_error_t err = NULL;
  json_object **rows;

  if (ferry_storage_external_containers (e, &v, n, &err) < 0)
    {
      ferry_cli_fail (&err);
      return NULL;
    }
  rows = xmalloc0 ((*n + 1) * sizeof (*rows));
  for (size_t i = 0; i < *n; i++)
    {
      json_object *o = json_object_new_object ();
      cleanup_free char *ago = ferry_cli_time_ago (v[i].created);

      json_object_object_add (o, "ID", json_object_new_string_len (v[i].id, no_trunc ? 64 : 12));
      json_object_object_add (o, "Names", json_object_new_string (""));
      json_object_object_add (o, "Image", json_object_new_string (""));
      json_object_object_add (o, "ImageID", json_object_new_string (""));
      json_object_object_add (o, "Command", json_object_new_string (""));
      json_object_object_add (o, "Created", ferry_cli_tpl_time (v[i].created));
      json_object_object_add (o, "CreatedAt", ferry_cli_tpl_time_text (v[i].created));
      json_object_object_add (o, "CreatedHuman", json_object_new_string (ago));
      json_object_object_add (o, "RunningFor", json_object_new_string (ago));
      json_object_object_add (o, "Status", json_object_new_string ("Storage"));
      json_object_object_add (o, "State", json_object_new_string ("storage"));
      json_object_object_add (o, "Ports", json_object_new_string (""));
      json_object_object_add (o, "Labels", ferry_cli_tpl_map (NULL));
      json_object_object_add (o, "Mounts", json_object_new_array ());
      json_object_object_add (o, "Networks", json_object_new_string (""));
      json_object_object_add (o, "ExitCode", json_object_new_int (0));
      json_object_object_add (o, "Exited", json_object_new_boolean (0));
      json_object_object_add (o, "ExitedAt", json_object_new_int64 (0));
      json_object_object_add (o, "StartedAt", json_object_new_int64 (0));
      json_object_object_add (o, "Pid", json_object_new_int (0));
      json_object_object_add (o, "AutoRemove", json_object_new_boolean (0));
      json_object_object_add (o, "Restarts", json_object_new_int (0));
      json_object_object_add (o, "Pod", json_object_new_string (""));
      json_object_object_add (o, "PodName", json_object_new_string (""));
      json_object_object_add (o, "IsInfra", json_object_new_boolean (0));
      rows[i] = o;
    }
  ferry_external_containers_free (v, *n);
  return rows;
}
