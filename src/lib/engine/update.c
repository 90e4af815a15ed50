/* ferry: `update` (update.h).  */
#include "update.h"
#include "container.h"
#include "internal.h"
#include "../runtime/spec.h"
#include "../state/lock.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <string.h>
#include <unistd.h>

/* The running container C gets REC's limits through the runtime.  */
static int
update_running (ferry_engine_t *e, const struct ferry_container *c, json_object *rec, ferry_error_t *err)
{
  cleanup_json json_object *resources = ferry_resources_runtime_update (rec, FERRY_DEFAULT_PIDS_LIMIT, err);
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, c->id);
  cleanup_free char *path = xasprintf ("%s/update-resources.json", bundle);
  const char *text;
  int ret;

  if (resources == NULL)
    return -1;
  text = ferry_json_to_string (resources, 0);
  if (ferry_write_file_atomic (path, text, strlen (text), 0600, err) < 0)
    return -1;
  ret = ferry_runtime_update (&e->runtime, c->id, path, err);
  unlink (path);
  return ret;
}

int
ferry_container_update (ferry_engine_t *e, const char *ref, const struct ferry_update_options *o, char **id,
                        ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  cleanup_json json_object *rec = NULL;
  int ret = -1;

  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  if (json_object_deep_copy (c->record, &rec, NULL) < 0)
    abort ();
  if (ferry_resources_update_record (rec, &o->resources, o->memory, o->nano_cpus, o->pids_limit,
                                     e->runtime.name, err)
      < 0)
    goto out;
  if ((c->status == FERRY_CONTAINER_RUNNING || c->status == FERRY_CONTAINER_PAUSED)
      && update_running (e, c, rec, err) < 0)
    {
      /* runc may have written some files before it refused one (it
       * writes cpu.shares, then checks what the kernel made of it): the
       * record's limits go back.  */
      cleanup_error ferry_error_t ignored = NULL;
      update_running (e, c, c->record, &ignored);
      goto out;
    }
  if (ferry_container_update_record (e, c->id, rec, err) < 0)
    goto out;
  ferry_container_event_record (e, c->id, rec, "update", -1);
  *id = xstrdup (c->id);
  ret = 0;
out:
  ferry_container_free (c);
  return ret;
}
