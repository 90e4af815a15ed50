/* ferry: `init`, Podman's "initialized" state.
 *
 * The container is created in the runtime under its monitor (the rootfs
 * mounted, the network attached, the runtime's init process waiting) and
 * recorded initialized; `start` then only starts its process.
 *
 * Crash safety: the launch is an operation (kind "init", phase
 * "launching") recorded before its first side effect.  Its end and the
 * state "initialized" are recorded in one transaction, so a ferry that
 * finds the record with its owner gone knows the launch never finished:
 * it tears down whatever the launch made and the container stays as it
 * was (created or exited).  */
#include "container.h"
#include "internal.h"
#include "operation.h"
#include "../state/lock.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"
#include <stdlib.h>

static int
init_locked (ferry_engine_t *e, struct ferry_container *c, ferry_error_t *err)
{
  enum ferry_container_status before = c->status;
  struct ferry_operation op;
  int ret = -1;

  if (ferry_operation_begin (e, &op, c->id, FERRY_OPERATION_INIT, "launching", NULL, err) < 0)
    {
      ferry_operation_release (&op);
      return -1;
    }
  ferry_fault_point ("init-recorded");
  if (ferry_container_launch (e, c, NULL, NULL, NULL, NULL, NULL, err) < 0)
    goto undo;
  ferry_fault_point ("init-launched");
  c->status = FERRY_CONTAINER_INITIALIZED;
  c->exit_code = 0;
  free (c->error);
  c->error = xstrdup ("");
  if (ferry_operation_end_with (e, c, &op, err) < 0)
    {
      c->status = before;
      ferry_container_teardown (e, c);
      goto undo;
    }
  ferry_container_event (e, c, "init");
  ret = 0;
  goto out;

undo:
  {
    cleanup_error ferry_error_t ignored = NULL;
    if (ferry_operation_end (e, &op, &ignored) < 0)
      ferry_error_release (&ignored);
  }
out:
  ferry_operation_release (&op);
  return ret;
}

int
ferry_container_init (ferry_engine_t *e, const char *ref, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  int ret;

  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  if (ferry_container_has_monitor (c) || c->operation)
    ret = ferry_make_error_kind (err, FERRY_ERROR_STATE,
                                 "container %s has already been created in runtime: container state improper",
                                 c->id);
  else
    ret = init_locked (e, c, err);
  ferry_container_free (c);
  return ret;
}

/* The launch never finished (its end is recorded with the state): what
 * it made goes, and the container is what it was.  */
int
ferry_init_settle (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  int ret;

  if (ferry_container_find (e, op->container_id, &c, err) < 0)
    {
      if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
        return -1;
      ferry_error_release (err);
      return ferry_operation_end (e, op, err);
    }
  if (! ferry_container_has_monitor (c))
    ferry_container_teardown (e, c);
  ret = ferry_operation_end (e, op, err);
  ferry_container_free (c);
  return ret;
}
