#include "transport.h"
#include "reference.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct
{
  const char *name;
  enum ferry_transport transport;
} transports[] = {
  { "docker", FERRY_TRANSPORT_DOCKER },
  { "oci-archive", FERRY_TRANSPORT_OCI_ARCHIVE },
  { "oci", FERRY_TRANSPORT_OCI },
  { "docker-archive", FERRY_TRANSPORT_DOCKER_ARCHIVE },
  { "dir", FERRY_TRANSPORT_DIR },
  { "containers-storage", FERRY_TRANSPORT_CONTAINERS_STORAGE },
  { "docker-daemon", FERRY_TRANSPORT_DOCKER_DAEMON },
};

const char *
ferry_transport_name (enum ferry_transport t)
{
  size_t i;

  for (i = 0; i < sizeof (transports) / sizeof (transports[0]); i++)
    if (transports[i].transport == t)
      return transports[i].name;
  return "";
}

/* The transport S starts with, and where its details begin.  */
static enum ferry_transport
transport_of (const char *s, const char **details)
{
  size_t i, n = strcspn (s, ":");

  if (s[n] != ':')
    return FERRY_TRANSPORT_NONE;
  for (i = 0; i < sizeof (transports) / sizeof (transports[0]); i++)
    if (strlen (transports[i].name) == n && strncmp (s, transports[i].name, n) == 0)
      {
        /* "docker:x" is a name with a tag; the transport is "docker://".  */
        if (transports[i].transport == FERRY_TRANSPORT_DOCKER && strncmp (s + n, "://", 3) != 0)
          return FERRY_TRANSPORT_NONE;
        *details = s + n + (transports[i].transport == FERRY_TRANSPORT_DOCKER ? 3 : 1);
        return transports[i].transport;
      }
  return FERRY_TRANSPORT_NONE;
}

int
ferry_transport_is_prefixed (const char *s)
{
  const char *details;

  return transport_of (s, &details) != FERRY_TRANSPORT_NONE;
}

/* An OCI layout's ref.name, as containers/image accepts one: components
 * of [A-Za-z0-9._-] joined by ':', '/', '@' or '+'.  */
static int
oci_ref_is_valid (const char *r)
{
  size_t i;
  int in_component = 0;

  for (i = 0; r[i]; i++)
    {
      unsigned char c = (unsigned char) r[i];

      if (isalnum (c) || c == '.' || c == '_' || c == '-')
        in_component = 1;
      else if ((c == ':' || c == '/' || c == '@' || c == '+') && in_component)
        in_component = 0;
      else
        return 0;
    }
  return in_component;
}

/* PATH[:REF] of oci and oci-archive: the first colon ends the path, as
 * containers/image splits it.  */
static int
parse_oci (const char *details, struct ferry_transport_ref *out, ferry_error_t *err)
{
  const char *colon = strchr (details, ':');

  out->path = colon ? xstrndup (details, colon - details) : xstrdup (details);
  if (colon && colon[1] != '\0')
    {
      if (! oci_ref_is_valid (colon + 1))
        return ferry_make_error (err, 0, "invalid image reference %s:%s: %s is no image name or tag",
                                 ferry_transport_name (out->transport), details, colon + 1);
      out->ref = xstrdup (colon + 1);
    }
  return 0;
}

/* PATH[:REF|:@N] of docker-archive.  */
static int
parse_docker_archive (const char *details, struct ferry_transport_ref *out, ferry_error_t *err)
{
  const char *colon = strchr (details, ':');
  struct ferry_reference r;
  char *end;
  long n;

  out->path = colon ? xstrndup (details, colon - details) : xstrdup (details);
  if (colon == NULL || colon[1] == '\0')
    return 0;
  if (colon[1] == '@')
    {
      n = strtol (colon + 2, &end, 10);
      if (! isdigit ((unsigned char) colon[2]) || *end != '\0' || n > 65535)
        return ferry_make_error (err, 0, "Invalid source index @%s in docker-archive:%s: it must be a number",
                                 colon + 2, details);
      out->index = (int) n;
      return 0;
    }
  if (ferry_reference_parse (colon + 1, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, err) < 0)
    return ferry_error_wrap (err, "docker-archive:%s", details);
  if (r.digest)
    {
      ferry_reference_free (&r);
      return ferry_make_error (
          err, 0, "docker-archive:%s: a reference with a digest is not supported: name a tag", details);
    }
  out->ref = ferry_reference_string (&r);
  ferry_reference_free (&r);
  return 0;
}

int
ferry_transport_parse (const char *s, struct ferry_transport_ref *out, ferry_error_t *err)
{
  const char *details = s;

  memset (out, 0, sizeof (*out));
  out->index = -1;
  out->transport = transport_of (s, &details);
  switch (out->transport)
    {
    case FERRY_TRANSPORT_NONE:
      out->ref = xstrdup (s);
      return 0;
    case FERRY_TRANSPORT_OCI_ARCHIVE:
    case FERRY_TRANSPORT_OCI:
      if (parse_oci (details, out, err) < 0)
        break;
      goto check_path;
    case FERRY_TRANSPORT_DOCKER_ARCHIVE:
      if (parse_docker_archive (details, out, err) < 0)
        break;
      goto check_path;
    case FERRY_TRANSPORT_DIR:
      out->path = xstrdup (details);
    check_path:
      if (out->path[0] != '\0')
        return 0;
      ferry_make_error (err, 0, "invalid image reference %s: it names no file or directory: write %s:PATH", s,
                        ferry_transport_name (out->transport));
      break;
    default:
      if (details[0] != '\0')
        {
          out->ref = xstrdup (details);
          return 0;
        }
      ferry_make_error (err, 0, "invalid image reference %s: it names no image: write %s%sIMAGE", s,
                        ferry_transport_name (out->transport),
                        out->transport == FERRY_TRANSPORT_DOCKER ? "://" : ":");
      break;
    }
  ferry_transport_ref_free (out);
  return -1;
}

void
ferry_transport_ref_free (struct ferry_transport_ref *r)
{
  free (r->path);
  free (r->ref);
  r->path = r->ref = NULL;
}
