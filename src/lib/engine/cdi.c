/* ferry: CDI devices, --seccomp-policy and --rdt-class (cdi.h).  */
#include "cdi.h"
#include "../runtime/cdi.h"
#include "../runtime/seccomp.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <string.h>

char *
ferry_cdi_seccomp_policy_error (const char *policy)
{
  if (policy == NULL || *policy == '\0' || strcmp (policy, "default") == 0 || strcmp (policy, "image") == 0)
    return NULL;
  return xasprintf ("invalid seccomp policy \"%s\": valid policies are [\"default\" \"image\"]", policy);
}

static void
add_name (json_object **list, const char *name)
{
  if (*list == NULL)
    *list = json_object_new_array ();
  json_object_array_add (*list, json_object_new_string (name));
}

/* The image's profile, checked as a --security-opt seccomp=FILE one.  */
static int
record_image_seccomp (json_object *image_config, json_object *rec, ferry_error_t *err)
{
  json_object *labels = ferry_json_get_object (image_config, "Labels");
  const char *text = ferry_json_get_string (labels, FERRY_SECCOMP_IMAGE_LABEL);
  cleanup_json json_object *profile = NULL, *oci = NULL;
  ferry_error_t why = NULL;

  /* Unconfined stays so, and the image's label is not even read, as
   * with Podman.  */
  if (ferry_json_string_equals (rec, "Seccomp", "unconfined"))
    return 0;
  if (text == NULL || *text == '\0')
    return ferry_make_error (err, 0, "no seccomp policy defined by image");
  /* Podman's words, then what is wrong with it.  */
  profile = ferry_json_parse (text, strlen (text), "decoding seccomp profile failed: the profile", &why);
  if (profile && ! json_object_is_type (profile, json_type_object))
    ferry_make_error (&why, 0, "decoding seccomp profile failed: the profile is not a JSON object");
  else if (profile)
    oci = ferry_seccomp_to_oci (profile, NULL,
                                "the image's seccomp profile (label " FERRY_SECCOMP_IMAGE_LABEL ")", &why);
  if (oci == NULL)
    {
      ferry_make_error (err, 0, "loading seccomp profile failed: %s", why->msg);
      ferry_error_release (&why);
      return -1;
    }
  /* Privileged, Podman reads the profile and then runs without one.  */
  if (json_object_get_boolean (json_object_object_get (rec, "Privileged")))
    return 0;
  json_object_object_add (rec, "Seccomp", json_object_get (profile));
  return 0;
}

int
ferry_cdi_record (const struct ferry_cdi_options *o, char *const *devices, json_object *image_config,
                  json_object *rec, ferry_error_t *err)
{
  json_object *names = NULL;

  for (size_t i = 0; devices && devices[i]; i++)
    if (ferry_cdi_is_qualified_name (devices[i]))
      add_name (&names, devices[i]);
  for (size_t i = 0; o && o->gpus && o->gpus[i]; i++)
    {
      cleanup_free char *name = xasprintf ("nvidia.com/gpu=%s", o->gpus[i]);
      add_name (&names, name);
    }
  if (names)
    json_object_object_add (rec, "CDIDevices", names);
  if (o == NULL)
    return 0;
  if (o->rdt_class && *o->rdt_class)
    {
      if (strchr (o->rdt_class, '\n'))
        return ferry_make_error (err, 0, "invalid --rdt-class `%s`: a class of service is one line",
                                 o->rdt_class);
      json_object_object_add (rec, "IntelRdtClosID", json_object_new_string (o->rdt_class));
    }
  if (o->seccomp_policy && strcmp (o->seccomp_policy, "image") == 0)
    return record_image_seccomp (image_config, rec, err);
  return 0;
}

void
ferry_cdi_set_spec_dirs (ferry_engine_t *e, char *const *dirs)
{
  size_t n = 0;

  while (dirs && dirs[n])
    n++;
  if (n == 0)
    return;
  ferry_cleanup_strvp (&e->config.cdi_spec_dirs);
  e->config.cdi_spec_dirs = xmalloc0 (sizeof (char *) * (n + 1));
  for (size_t i = 0; i < n; i++)
    e->config.cdi_spec_dirs[i] = xstrdup (dirs[i]);
}

int
ferry_cdi_apply (ferry_engine_t *e, const struct ferry_container *c, json_object *spec, ferry_error_t *err)
{
  json_object *names = ferry_json_get_array (c->record, "CDIDevices");
  const char *clos = ferry_json_get_string (c->record, "IntelRdtClosID");

  if (clos)
    {
      json_object *linux_ = json_object_object_get (spec, "linux");
      json_object *rdt = json_object_new_object ();

      if (! json_object_is_type (linux_, json_type_object))
        {
          linux_ = json_object_new_object ();
          json_object_object_add (spec, "linux", linux_);
        }

      json_object_object_add (rdt, "closID", json_object_new_string (clos));
      json_object_object_add (linux_, "intelRdt", rdt);
    }
  if (ferry_json_array_length (names))
    {
      size_t n = ferry_json_array_length (names);
      cleanup_free char **list = xmalloc0 (sizeof (char *) * (n + 1));

      for (size_t i = 0; i < n; i++)
        list[i] = (char *) json_object_get_string (json_object_array_get_idx (names, i));
      if (ferry_cdi_inject (spec, list, e->config.cdi_spec_dirs, err) < 0)
        {
          ferry_error_wrap (err, "setting up CDI devices");
          /* What Podman's run exits with (126) when the container
           * cannot start.  */
          (*err)->kind = FERRY_ERROR_COMMAND_NOT_EXECUTABLE;
          return -1;
        }
    }
  return 0;
}
