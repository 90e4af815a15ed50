/* ferry CLI: --filter over containers (see container_filter.h).  */
#include "container_filter.h"
#include "common.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
container_filters_release (struct container_filters *f)
{
  size_t i;

  for (i = 0; i < f->n; i++)
    {
      free (f->v[i].key);
      free (f->v[i].value);
      if (f->v[i].has_re)
        regfree (&f->v[i].re);
    }
  free (f->v);
  f->v = NULL;
  f->n = 0;
}

int
container_filters_have (const struct container_filters *f, const char *key)
{
  for (size_t i = 0; i < f->n; i++)
    if (strcmp (f->v[i].key, key) == 0)
      return 1;
  return 0;
}

/* A whole number from MIN to MAX.  */
static int
parse_number (const char *s, long min, long max, long *out)
{
  char *end;

  errno = 0;
  *out = strtol (s, &end, 10);
  return *s && *end == '\0' && errno == 0 && *out >= min && *out <= max ? 0 : -1;
}

int
container_filters_add (struct container_filters *f, const char *arg)
{
  static const char *const keys[]
      = { "name",  "id",    "status", "label",   "label!", "ancestor",       "exited", "before",
          "since", "until", "volume", "network", "health", "restart-policy", NULL };
  static const char *const states[]
      = { "created", "running", "paused", "exited", "stopped", "initialized", NULL };
  const char *eq = strchr (arg, '=');
  struct container_filter flt = { 0 };
  size_t i;

  if (eq == NULL)
    {
      ferry_cli_failf ("invalid filter \"%s\"", arg);
      return -1;
    }
  flt.key = xstrndup (arg, eq - arg);
  flt.value = xstrdup (eq + 1);
  for (i = 0; keys[i] && strcmp (keys[i], flt.key); i++)
    ;
  if (keys[i] == NULL)
    {
      ferry_cli_failf ("%s is an invalid filter", flt.key);
      goto fail;
    }
  if (strcmp (flt.key, "until") == 0)
    {
      struct timespec now;

      for (i = 0; i < f->n; i++)
        if (strcmp (f->v[i].key, "until") == 0)
          {
            ferry_cli_failf ("specify exactly one timestamp for until");
            goto fail;
          }
      clock_gettime (CLOCK_REALTIME, &now);
      if (ferry_time_parse_user (flt.value, &now, 1, &flt.created) < 0)
        {
          ferry_cli_failf ("failed to parse value as time or duration: \"%s\"", flt.value);
          goto fail;
        }
    }
  if (strcmp (flt.key, "status") == 0)
    {
      for (i = 0; states[i] && strcmp (states[i], flt.value); i++)
        ;
      if (states[i] == NULL)
        {
          /* Podman's words; "stopping" too is refused, as Podman 5.4 does,
           * though a container can be in it.  */
          ferry_cli_failf ("unknown container state: %s: invalid argument", flt.value);
          goto fail;
        }
    }
  if (strcmp (flt.key, "restart-policy") == 0)
    {
      static const char *const policies[] = { "none", "no", "always", "on-failure", "unless-stopped", NULL };

      for (i = 0; policies[i] && strcmp (policies[i], flt.value); i++)
        ;
      if (policies[i] == NULL)
        {
          ferry_cli_failf ("%s invalid restart policy", flt.value);
          goto fail;
        }
    }
  if (strcmp (flt.key, "exited") == 0)
    {
      long code;
      if (parse_number (flt.value, 0, 255, &code) < 0)
        {
          ferry_cli_failf ("exited code out of range \"%s\": give a number from 0 to 255", flt.value);
          goto fail;
        }
    }
  /* Podman's name filter drops every "/" of the value: ^/NAME$, as
   * Docker shows names, finds NAME.  */
  if (strcmp (flt.key, "name") == 0)
    {
      char *to = flt.value;

      for (const char *from = flt.value; *from; from++)
        if (*from != '/')
          *to++ = *from;
      *to = '\0';
    }
  /* An id= of anything but hex digits is a regular expression, as in
   * Podman, which matches nothing when it does not compile.  */
  if (strcmp (flt.key, "id") == 0)
    {
      if (flt.value[strspn (flt.value, "0123456789abcdefABCDEF")] != '\0')
        flt.has_re = regcomp (&flt.re, flt.value, REG_EXTENDED | REG_NOSUB) == 0;
    }
  else if (strcmp (flt.key, "name") == 0 || strcmp (flt.key, "ancestor") == 0)
    {
      if (regcomp (&flt.re, flt.value, REG_EXTENDED | REG_NOSUB) != 0)
        {
          ferry_cli_failf ("invalid filter %s: `%s` is not a regular expression", arg, flt.value);
          goto fail;
        }
      flt.has_re = 1;
    }
  f->v = xrealloc (f->v, (f->n + 1) * sizeof (*f->v));
  f->v[f->n++] = flt;
  return 0;

fail:
  free (flt.key);
  free (flt.value);
  return -1;
}

/* before= and since= name containers: look them up once the engine is
 * open.  */
int
container_filters_resolve (struct container_filters *f, ferry_engine_t *e)
{
  size_t i;

  for (i = 0; i < f->n; i++)
    {
      struct container_filter *flt = &f->v[i];
      struct ferry_container *c = NULL;
      ferry_error_t err = NULL;

      if (strcmp (flt->key, "before") && strcmp (flt->key, "since"))
        continue;
      if (ferry_container_lookup (e, flt->value, &c, &err) < 0)
        {
          ferry_error_release (&err);
          ferry_cli_failf ("no container with name or ID \"%s\" found: no such container", flt->value);
          return -1;
        }
      ferry_time_parse (c->created, &flt->created);
      ferry_container_free (c);
    }
  return 0;
}

/* C mounts the named volume V, or something (a bind mount) at V.  */
static int
uses_volume (const struct ferry_container *c, const char *v)
{
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");
  size_t i;

  for (i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      if (ferry_json_string_equals (m, "Type", "volume") ? ferry_json_string_equals (m, "Name", v)
                                                         : ferry_json_string_equals (m, "Destination", v))
        return 1;
    }
  return 0;
}

static int
filter_match_one (const struct container_filter *flt, const struct ferry_container *c, const char *health)
{
  const char *key = flt->key, *v = flt->value;

  /* As Podman's: the status as it is, "" without a check.  */
  if (strcmp (key, "health") == 0)
    return strcmp (v, health) == 0;

  if (strcmp (key, "before") == 0 || strcmp (key, "since") == 0)
    {
      struct timespec t = { 0 };
      int cmp;
      ferry_time_parse (c->created, &t);
      cmp = t.tv_sec != flt->created.tv_sec     ? (t.tv_sec < flt->created.tv_sec ? -1 : 1)
            : t.tv_nsec != flt->created.tv_nsec ? (t.tv_nsec < flt->created.tv_nsec ? -1 : 1)
                                                : 0;
      return strcmp (key, "before") == 0 ? cmp < 0 : cmp > 0;
    }
  if (strcmp (key, "until") == 0)
    {
      struct timespec t = { 0 };
      ferry_time_parse (c->created, &t);
      return t.tv_sec < flt->created.tv_sec
             || (t.tv_sec == flt->created.tv_sec && t.tv_nsec < flt->created.tv_nsec);
    }
  if (strcmp (key, "volume") == 0)
    return uses_volume (c, v);
  if (strcmp (key, "network") == 0)
    return ferry_json_get_object (ferry_json_get_object (c->record, "Networks"), v) != NULL;

  if (strcmp (key, "name") == 0)
    return regexec (&flt->re, c->name, 0, NULL, 0) == 0;
  /* Hex digits are a prefix in either case, anything else a regular
   * expression found anywhere in the ID.  */
  if (strcmp (key, "id") == 0)
    {
      if (v[strspn (v, "0123456789abcdefABCDEF")] == '\0')
        return strncasecmp (c->id, v, strlen (v)) == 0;
      return flt->has_re && regexec (&flt->re, c->id, 0, NULL, 0) == 0;
    }
  if (strcmp (key, "status") == 0)
    return strcmp (v, ferry_container_status_name (c->status)) == 0
           || (strcmp (v, "stopped") == 0 && c->status == FERRY_CONTAINER_EXITED);
  /* none: no --restart given; no: --restart no given.  */
  if (strcmp (key, "restart-policy") == 0)
    {
      const char *policy = ferry_json_get_string (c->record, "RestartPolicy");
      int no = json_object_get_boolean (json_object_object_get (c->record, "RestartPolicyNo"));

      if (strcmp (v, "none") == 0)
        return policy == NULL && ! no;
      if (strcmp (v, "no") == 0)
        return policy == NULL && no;
      return policy && strcmp (policy, v) == 0;
    }
  if (strcmp (key, "exited") == 0)
    return c->status == FERRY_CONTAINER_EXITED && c->exit_code == atoi (v);
  if (strcmp (key, "ancestor") == 0)
    {
      const char *image = ferry_json_get_string (c->record, "ImageName");
      return strcmp (c->image_id, strncmp (v, "sha256:", 7) == 0 ? v + 7 : v) == 0
             || (image && regexec (&flt->re, image, 0, NULL, 0) == 0);
    }
  /* label=K, label=K=V; label! is its negation.  */
  {
    json_object *labels = ferry_json_get_object (c->record, "Labels"), *lv = NULL;
    const char *eq = strchr (v, '=');
    cleanup_free char *k = eq ? xstrndup (v, eq - v) : xstrdup (v);
    int hit = labels && json_object_object_get_ex (labels, k, &lv)
              && (eq == NULL || strcmp (json_object_get_string (lv), eq + 1) == 0);
    return strcmp (key, "label") == 0 ? hit : ! hit;
  }
}

int
container_filters_match (const struct container_filters *f, const struct ferry_container *c,
                         const char *health)
{
  size_t i, j;

  for (i = 0; i < f->n; i++)
    {
      int seen = 0, hit = 0;
      for (j = 0; j < i && ! seen; j++)
        seen = strcmp (f->v[j].key, f->v[i].key) == 0;
      if (seen)
        continue;
      for (j = i; j < f->n && ! hit; j++)
        hit = strcmp (f->v[j].key, f->v[i].key) == 0 && filter_match_one (&f->v[j], c, health);
      if (! hit)
        return 0;
    }
  return 1;
}
