/* ferry: an HTTP session with one registry, speaking the OCI distribution
 * API (https://github.com/opencontainers/distribution-spec) through libcurl.
 *
 * Opening a session pings /v2/ and learns how the registry wants to be
 * authenticated: not at all, Basic, or Bearer tokens from the realm its
 * challenge names.  Every request then carries the right Authorization,
 * fetching (and caching, per scope) tokens as needed; a 401 with a new
 * challenge is answered once.  Sessions are safe to use from several
 * threads: each request takes a libcurl handle from a pool, so
 * connections are reused.  */
#ifndef FERRY_IMAGE_REGISTRY_H
#define FERRY_IMAGE_REGISTRY_H

#include "../util/error.h"

#include <stddef.h>
#include <stdint.h>

struct ferry_registry_options
{
  int tls_verify;    /* 0: accept any certificate, and fall back to plain HTTP; -1: as registries.conf says */
  const char *creds; /* "USER:PASS", or NULL to use the auth file */
  const char *authfile;     /* NULL: the default auth file */
  const char *creds_origin; /* where CREDS came from, for messages (NULL: "--creds") */
  /* An identity token (OAuth2 refresh token) kept with CREDS, or alone
   * when CREDS is NULL; NULL: none.  */
  const char *identity_token;
  const char *cert_dir; /* CA certificates (*.crt) to trust besides the system's; may be NULL */
};

typedef struct ferry_registry ferry_registry_t;

/* REGISTRY is "host[:port]" ("docker.io" is reached at
 * registry-1.docker.io).  Fails when the registry cannot be reached or is
 * not a registry.  */
int ferry_registry_open (const char *registry, const struct ferry_registry_options *o, ferry_registry_t **out,
                         ferry_error_t *err);
/* The same, for a session with one REPOSITORY ("ns/app") of REGISTRY: its
 * credentials are the most specific the auth file has for it
 * ("reg/ns/app", "reg/ns", then "reg"), as containers/image picks them.
 * ferry_registry_open is for the registry as a whole (search, login).  */
int ferry_registry_open_repository (const char *registry, const char *repository,
                                    const struct ferry_registry_options *o, ferry_registry_t **out,
                                    ferry_error_t *err);
void ferry_registry_close (ferry_registry_t *r);

const char *ferry_registry_name (ferry_registry_t *r);
/* True when the session has credentials (from --creds or the auth file).  */
int ferry_registry_has_credentials (ferry_registry_t *r);

/* Checks that the session's credentials are accepted (ferry login).  */
int ferry_registry_check_login (ferry_registry_t *r, ferry_error_t *err);

/* Receives a response body as it arrives; returns 0 to go on, or a
 * negative value (with its own error recorded) to abort the transfer.  */
typedef int (*ferry_http_sink_t) (const void *data, size_t len, void *arg);

struct ferry_http_request
{
  const char *method; /* "GET", "HEAD", "PUT", "POST", "PATCH" */
  const char *url;    /* "/v2/..." on the registry, or absolute (an upload Location) */
  const char *scope;  /* token scopes, space-separated: "repository:a/b:pull,push" */
  const char *accept;
  const char *content_type;
  const void *body; /* a request body from memory, */
  int body_fd;      /* or, when > 0, from this file's start (so a retry can resend it) */
  size_t body_len;
  ferry_http_sink_t sink; /* NULL: keep a 2xx body in memory, up to max_body */
  void *sink_arg;
  size_t max_body; /* 0: 4 MiB */
};

struct ferry_http_response
{
  long status;
  char *body; /* NUL-terminated; for a non-2xx response always the (capped) body */
  size_t body_len;
  char *content_type;
  char *location; /* absolute */
  char *docker_content_digest;
  char *link;              /* the Link header (a paginated list's next page), as sent */
  uint64_t content_length; /* UINT64_MAX when not given */
  int too_large;           /* the body passed max_body and was cut off */
};

/* Performs REQ.  Fails only when no HTTP answer came (or the sink aborted);
 * any HTTP status is returned in RESP for the caller to judge.  A 401 after
 * the authentication dance is reported as an error that says what to do.  */
int ferry_registry_do (ferry_registry_t *r, const struct ferry_http_request *req,
                       struct ferry_http_response *resp, ferry_error_t *err);
void ferry_http_response_free (struct ferry_http_response *resp);

/* The message of a distribution-spec error body ("manifest unknown"),
 * or "HTTP <status>" when there is none.  Returns a new string.  */
char *ferry_registry_error_text (const struct ferry_http_response *resp);

/* TEXT as a registry sent it, fit for a one-line message: control
 * characters (newlines, terminal escapes) become spaces, and it is cut
 * after 256 bytes.  Returns a new string.  */
char *ferry_registry_printable (const char *text);

/* The first error code of a distribution-spec error body
 * ("MANIFEST_UNKNOWN"), or NULL.  Returns a new string.  */
char *ferry_registry_error_code (const struct ferry_http_response *resp);

#endif
