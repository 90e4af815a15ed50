/* ferry: `update` (update.h).  */
#include "update.h"
#include "container.h"
#include "internal.h"
#include "operation.h"
#include "../runtime/spec.h"
#include "../state/db.h"
#include "../state/lock.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The one phase: the new record is in the operation's detail ("record"),
 * the runtime may or may not have its limits yet.  Forward: give them to
 * the runtime (again), save the record.  */
#define PHASE_APPLYING "applying"

/* --restart into REC, as Podman's update takes it; the restart history
 * of a policy that is gone goes with it.  */
static int
update_restart_policy (const char *restart, json_object *rec, ferry_error_t *err)
{
  const char *colon = strchr (restart, ':');
  cleanup_free char *name = colon ? xstrndup (restart, colon - restart) : xstrdup (restart);
  long long retries = 0;

  if (strcmp (name, "never") == 0 || *name == '\0')
    {
      free (name);
      name = xstrdup ("no");
    }
  if (colon)
    {
      char *end;

      if (strcmp (name, "on-failure") != 0)
        return ferry_make_error (
            err, 0, "restart policy retries can only be specified with on-failure restart policy");
      errno = 0;
      retries = strtoll (colon + 1, &end, 10);
      if (colon[1] == '\0' || *end != '\0' || errno || retries > INT32_MAX || retries < INT32_MIN)
        return ferry_make_error (err, 0,
                                 "parsing restart policy retry count: strconv.Atoi: parsing \"%s\": invalid "
                                 "syntax",
                                 colon + 1);
      if (retries < 0)
        return ferry_make_error (err, 0,
                                 "must specify restart policy retry count as a number greater than 0");
    }
  if (strcmp (name, "no") != 0 && strcmp (name, "always") != 0 && strcmp (name, "on-failure") != 0
      && strcmp (name, "unless-stopped") != 0)
    return ferry_make_error (err, 0, "\"%s\" is not a valid restart policy: invalid argument", name);
  /* Podman's update takes a policy for a --rm container; ferry's record
   * refuses the pair (a restore would), as create does.  */
  if (strcmp (name, "no") != 0 && json_object_get_boolean (json_object_object_get (rec, "AutoRemove")))
    return ferry_make_error (err, 0,
                             "the --rm option conflicts with --restart, when the restartPolicy is not \"\" "
                             "and \"no\": remove the container and create it again without --rm");
  json_object_object_del (rec, "RestartRetries");
  json_object_object_del (rec, "RestartPolicyNo");
  if (strcmp (name, "no") == 0)
    {
      json_object_object_del (rec, "RestartPolicy");
      json_object_object_del (rec, "RestartCount");
      json_object_object_add (rec, "RestartPolicyNo", json_object_new_boolean (1));
      return 0;
    }
  json_object_object_add (rec, "RestartPolicy", json_object_new_string (name));
  if (retries > 0)
    json_object_object_add (rec, "RestartRetries", json_object_new_int ((int) retries));
  return 0;
}

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
  ret = ferry_runtime_update (ferry_engine_runtime_or_own (e, c), c->id, path, err);
  unlink (path);
  return ret;
}

/* REC to a running or paused C, or C's own record back when the runtime
 * refuses it: runc may have written some files before it refused one (it
 * writes cpu.shares, then checks what the kernel made of it).  */
static int
apply (ferry_engine_t *e, const struct ferry_container *c, json_object *rec, ferry_error_t *err)
{
  cleanup_error ferry_error_t ignored = NULL;

  if (c->status != FERRY_CONTAINER_RUNNING && c->status != FERRY_CONTAINER_PAUSED)
    return 0;
  if (update_running (e, c, rec, err) == 0)
    return 0;
  update_running (e, c, c->record, &ignored);
  return -1;
}

/* The record and the end of OP, in one transaction.  */
static int
finish (ferry_engine_t *e, const char *id, json_object *rec, const struct ferry_operation *op,
        ferry_error_t *err)
{
  if (ferry_db_begin (e->db, err) < 0)
    return -1;
  if (ferry_container_update_record (e, id, rec, err) < 0 || ferry_operation_end (e, op, err) < 0
      || ferry_db_commit (e->db, err) < 0)
    {
      ferry_db_rollback (e->db);
      return -1;
    }
  return 0;
}

/* A new check runs on its own timer, as Podman makes it again; where
 * systemd is not PID 1 there is none (health.h).  The record is saved:
 * a timer that cannot be made is no reason to undo it, and the next
 * start makes one.  */
static void
restart_health_timer (ferry_engine_t *e, struct ferry_container *c, json_object *rec)
{
  cleanup_error ferry_error_t ignored = NULL;
  json_object *old = c->record;

  ferry_container_health_timer_stop (e, c->id);
  c->record = rec;
  ferry_container_health_timer_start (e, c, &ignored);
  c->record = old;
}

/* OP is over with nothing changed.  */
static void
abandon (ferry_engine_t *e, const struct ferry_operation *op)
{
  cleanup_error ferry_error_t ignored = NULL;

  ferry_operation_end (e, op, &ignored);
}

int
ferry_container_update (ferry_engine_t *e, const char *ref, const struct ferry_update_options *o, char **id,
                        ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  struct ferry_operation op = { 0 };
  cleanup_lock int lock = -1;
  cleanup_json json_object *rec = NULL;
  json_object *detail;
  int check_changed = 0, ret = -1;

  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  if (json_object_deep_copy (c->record, &rec, NULL) < 0)
    abort ();
  if (ferry_resources_update_record (rec, &o->resources, o->memory, o->nano_cpus, o->pids_limit,
                                     ferry_engine_runtime_or_own (e, c)->name, err)
      < 0)
    goto out;
  if (o->health && ferry_health_update_record (o->health, rec, &check_changed, err) < 0)
    goto out;
  if (o->restart && update_restart_policy (o->restart, rec, err) < 0)
    goto out;
  detail = json_object_new_object ();
  json_object_object_add (detail, "record", json_object_get (rec));
  if (ferry_operation_begin (e, &op, c->id, FERRY_OPERATION_UPDATE, PHASE_APPLYING, detail, err) < 0)
    goto out;
  ferry_fault_point ("update-begun");
  if (apply (e, c, rec, err) < 0)
    {
      abandon (e, &op);
      goto out;
    }
  ferry_fault_point ("update-applied");
  if (finish (e, c->id, rec, &op, err) < 0)
    goto out;
  ferry_container_event_record (e, c->id, rec, "update", -1);
  if (check_changed && c->status == FERRY_CONTAINER_RUNNING)
    restart_health_timer (e, c, rec);
  *id = xstrdup (c->id);
  ret = 0;
out:
  ferry_operation_release (&op);
  ferry_container_free (c);
  return ret;
}

int
ferry_update_settle (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err)
{
  json_object *rec = ferry_json_get_object (op->detail, "record");
  struct ferry_container *c = NULL;
  int ret = -1;

  if (ferry_container_find (e, op->container_id, &c, err) < 0)
    {
      if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
        return -1;
      ferry_error_release (err);
      return ferry_operation_end (e, op, err);
    }
  /* The database's word is checked like any: a record of another
   * container, or none, is dropped with the operation.  */
  if (rec == NULL || ! ferry_json_string_equals (rec, "Id", c->id))
    ret = ferry_operation_end (e, op, err);
  else if (apply (e, c, rec, err) < 0)
    {
      abandon (e, op);
      ret = -1;
    }
  else
    ret = finish (e, c->id, rec, op, err);
  ferry_container_free (c);
  return ret;
}
