/* ferry: `container clone`, a new container made from another's record,
 * as Podman's.
 *
 * The copy takes every option of the original's record but what names
 * that container alone: its ID and name, the hostname that was its ID,
 * its anonymous volumes (the copy gets its own), the addresses it was
 * given on its networks (IPv4, IPv6 and MAC) and the names of its
 * interfaces' host ends, the files --cidfile and --conmon-pidfile write,
 * the command line that created it, and its restart history.  Its root
 * file system is the image's, as the original's was when created: the
 * original's changes are not copied.
 * The copy is made as `create` makes a container, in one transaction.
 * Resource flags change the copy's limits as `update` would change the
 * original's.  */
#include "container.h"
#include "checkpoint_image.h"
#include "internal.h"
#include "network.h"
#include "resources.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"
#include <stdio.h>
#include <string.h>

/* Podman's names for a copy of NAME: NAME-clone, then NAME-clone1, ...  */
static char *
clone_name (ferry_engine_t *e, const char *name)
{
  for (unsigned i = 0; i < 1000; i++)
    {
      char *candidate = i == 0 ? xasprintf ("%s-clone", name) : xasprintf ("%s-clone%u", name, i);
      if (! ferry_container_taken (e, candidate, ""))
        return candidate;
      free (candidate);
    }
  return NULL;
}

static void
forget_own_identity (json_object *rec, const struct ferry_container *c, const char *id, const char *name)
{
  json_object *mounts = ferry_json_get_array (rec, "Mounts");
  json_object *nets = ferry_json_get_object (rec, "Networks");
  cleanup_free char *now = ferry_time_now ();

  json_object_object_add (rec, "Id", json_object_new_string (id));
  json_object_object_add (rec, "Name", json_object_new_string (name));
  json_object_object_add (rec, "Created", json_object_new_string (now));
  if (strncmp (ferry_json_get_string (rec, "Hostname") ? ferry_json_get_string (rec, "Hostname") : "", c->id,
               12)
      == 0)
    {
      cleanup_free char *host = xstrndup (id, 12);
      json_object_object_add (rec, "Hostname", json_object_new_string (host));
    }
  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      if (json_object_get_boolean (json_object_object_get (m, "Anonymous")))
        json_object_object_del (m, "Name");
    }
  /* Left on no network by a disconnect: the copy is made on the default
   * one, as Podman's clone makes it.  */
  if (nets && json_object_object_length (nets) == 0 && ferry_json_string_equals (rec, "Network", "bridge"))
    json_object_object_add (nets, FERRY_DEFAULT_NETWORK, json_object_new_object ());
  if (nets)
    {
      json_object_object_foreach (nets, unused, att)
      {
        json_object *options = ferry_json_get_object (att, "Options");

        (void) unused;
        json_object_object_del (att, "IP");
        json_object_object_del (att, "IPv6");
        json_object_object_del (att, "MAC");
        /* The host's end of its veth pair: a name only one may have.  */
        if (options)
          json_object_object_del (options, "host_interface_name");
      }
    }
  /* The command line named the original (--name, --replace): a unit
   * of generate systemd --new made from it would replace that one.  */
  json_object_object_del (rec, "CreateCommand");
  json_object_object_del (rec, "CreateCommandImage");
  json_object_object_del (rec, "ContainerIDFile");
  json_object_object_del (rec, "ConmonPidFile");
  json_object_object_del (rec, "StoppedByUser");
  json_object_object_del (rec, "RestartCount");
}

/* The copy's record names IMAGE (stored here) in place of the original's,
 * whose command and settings it keeps; *OUT the image.  */
static int
other_image (ferry_engine_t *e, json_object *rec, const char *image, struct ferry_image **out,
             ferry_error_t *err)
{
  cleanup_free char *matched = NULL;

  if (json_object_object_get (rec, "Rootfs"))
    return ferry_make_error (err, 0, "the container runs a --rootfs, not an image: clone it without IMAGE");
  if (ferry_store_lookup_matched (e->store, image, out, &matched, err) < 0)
    {
      if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
        return -1;
      ferry_error_release (err);
      return ferry_make_error_kind (
          err, FERRY_ERROR_NOT_FOUND,
          "%s: image not known: pull it (ferry pull %s) or load it before the clone", image, image);
    }
  if (ferry_checkpoint_image_is (*out))
    return ferry_make_error (err, 0, "%s is a checkpoint image: restore it (ferry container restore %s)",
                             image, image);
  json_object_object_add (rec, "Image", json_object_new_string (image));
  json_object_object_add (rec, "ImageName",
                          json_object_new_string (matched            ? matched
                                                  : (*out)->names[0] ? (*out)->names[0]
                                                                     : image));
  json_object_object_add (rec, "ImageID", json_object_new_string ((*out)->id));
  json_object_object_add (rec, "ImageDigest", json_object_new_string ((*out)->manifest_digest));
  return 0;
}

int
ferry_container_clone (ferry_engine_t *e, const char *ref, const struct ferry_clone_options *o, char **out_id,
                       ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_json json_object *rec = NULL;
  cleanup_free char *id = ferry_random_hex (32);
  cleanup_free char *name = NULL;
  const struct ferry_resource_options none = { 0 };
  struct ferry_image *img = NULL;
  int ret = -1;

  *out_id = NULL;
  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return -1;
  if (o->name)
    {
      if (! ferry_container_name_is_valid (o->name))
        {
          ferry_make_error (
              err, 0,
              "invalid container name `%s`: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid "
              "argument",
              o->name);
          goto out;
        }
      name = xstrdup (o->name);
    }
  else if ((name = clone_name (e, c->name)) == NULL)
    {
      ferry_make_error (err, 0, "no free name for a copy of container %s: give one with --name", c->name);
      goto out;
    }
  if (ferry_container_taken (e, name, ""))
    {
      ferry_make_error_kind (
          err, FERRY_ERROR_EXISTS,
          "creating container storage: the container name \"%s\" is already in use: remove that "
          "container (ferry rm %s) or choose another name",
          name, name);
      goto out;
    }
  rec = json_object_new_null ();
  if (json_object_deep_copy (c->record, &rec, NULL) < 0)
    {
      ferry_make_error (err, 0, "cannot copy the record of container %s", c->name);
      goto out;
    }
  forget_own_identity (rec, c, id, name);
  /* Podman's clone wants its own --memory with a swap limit, even when
   * the original has one.  */
  if (o->resources && o->resources->memory_swap_set && o->resources->memory_swap != -1 && o->memory <= 0)
    {
      ferry_make_error (err, 0,
                        "you should always set a memory limit when using a memoryswap limit, see usage");
      goto out;
    }
  if (ferry_resources_update_record (rec, o->resources ? o->resources : &none, o->memory, o->nano_cpus, 0,
                                     e->runtime.name, err)
      < 0)
    goto out;
  if (o->image && other_image (e, rec, o->image, &img, err) < 0)
    goto out;
  if (ferry_container_insert (e,
                              img                           ? img->id
                              : c->image_id && *c->image_id ? c->image_id
                                                            : NULL,
                              rec, NULL, err)
      < 0)
    goto out;
  ferry_container_event_record (e, id, rec, "create", -1);
  *out_id = steal_pointer (&id);
  ret = 0;
out:
  ferry_image_free (img);
  ferry_container_free (c);
  return ret;
}
