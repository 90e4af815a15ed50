#include "registry.h"
#include "auth.h"
#include "registries.h"
#include "../util/base64.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/query.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <curl/curl.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DEFAULT_MAX_BODY (4u << 20)
#define ERROR_BODY_MAX (64u << 10)
#define POOL_MAX 16
#define PRINTABLE_MAX 256
/* The client_id of an OAuth2 refresh-token grant: containers/image sends
 * "containers/image", Docker "docker"; ferry names itself.  */
#define FERRY_OAUTH2_CLIENT_ID "ferry"
/* Response headers of a transfer, redirects included: a registry's are a
 * few KiB.  */
#define HEADERS_MAX (256u << 10)

enum auth_kind
{
  AUTH_NONE,
  AUTH_BASIC,
  AUTH_BEARER,
};

struct token
{
  char *scope;
  char *value;
  struct token *next;
};

struct ferry_registry
{
  char *name; /* as the user wrote it: "docker.io", "127.0.0.1:5000" */
  char *base; /* "https://registry-1.docker.io" */
  int tls_verify;
  char *ca_bundle; /* with --cert-dir: the system's CAs and the dir's, PEM; else NULL */
  size_t ca_bundle_len;
  struct ferry_credentials creds;
  int have_creds;
  char *creds_origin; /* "--creds" or the auth file's path, for messages */

  pthread_mutex_t lock; /* guards everything below */
  enum auth_kind auth;
  char *realm;
  char *service;
  struct token *tokens;
  CURL *pool[POOL_MAX];
  size_t n_pool;
};

/* libcurl is opened on the first registry a command talks to, not when
 * ferry starts: linked, it and what it links (TLS, Kerberos, LDAP, IDN,
 * ...) cost every ferry command, a container's exit hook included, about
 * 15 ms warm and 40 ms on a cold cache, and only pull, push, login and
 * search use it.  */
#define LIBCURL_SONAME "libcurl.so.4"

static struct
{
  CURLcode (*global_init) (long flags);
  CURL *(*easy_init) (void);
  void (*easy_reset) (CURL *h);
  CURLcode (*easy_setopt) (CURL *h, CURLoption option, ...);
  CURLcode (*easy_getinfo) (CURL *h, CURLINFO info, ...);
  CURLcode (*easy_perform) (CURL *h);
  void (*easy_cleanup) (CURL *h);
  const char *(*easy_strerror) (CURLcode rc);
  char *(*easy_escape) (CURL *h, const char *s, int len);
  void (*free) (void *p);
  struct curl_slist *(*slist_append) (struct curl_slist *list, const char *s);
  void (*slist_free_all) (struct curl_slist *list);
  CURLU *(*url) (void);
  CURLUcode (*url_set) (CURLU *u, CURLUPart part, const char *content, unsigned int flags);
  CURLUcode (*url_get) (const CURLU *u, CURLUPart part, char **content, unsigned int flags);
  void (*url_cleanup) (CURLU *u);
} curl;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static char *curl_load_error; /* why libcurl could not be had, or NULL */

static void
curl_init_once (void)
{
  static const struct
  {
    const char *name;
    size_t offset;
  } symbols[] = {
#define SYMBOL(field) { "curl_" #field, offsetof (__typeof__ (curl), field) }
    SYMBOL (global_init),  SYMBOL (easy_init),    SYMBOL (easy_reset),   SYMBOL (easy_setopt),
    SYMBOL (easy_getinfo), SYMBOL (easy_perform), SYMBOL (easy_cleanup), SYMBOL (easy_strerror),
    SYMBOL (easy_escape),  SYMBOL (free),         SYMBOL (slist_append), SYMBOL (slist_free_all),
    SYMBOL (url),          SYMBOL (url_set),      SYMBOL (url_get),      SYMBOL (url_cleanup),
#undef SYMBOL
  };
  void *lib = dlopen (LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);

  if (lib == NULL)
    {
      curl_load_error = xasprintf ("cannot load %s (%s): install libcurl4", LIBCURL_SONAME, dlerror ());
      return;
    }
  for (size_t i = 0; i < sizeof (symbols) / sizeof (symbols[0]); i++)
    {
      void *sym = dlsym (lib, symbols[i].name);

      if (sym == NULL)
        {
          curl_load_error
              = xasprintf ("%s has no %s: install libcurl4 7.80 or later", LIBCURL_SONAME, symbols[i].name);
          return;
        }
      memcpy ((char *) &curl + symbols[i].offset, &sym, sizeof (sym));
    }
  curl.global_init (CURL_GLOBAL_DEFAULT);
}

const char *
ferry_registry_name (ferry_registry_t *r)
{
  return r->name;
}

int
ferry_registry_has_credentials (ferry_registry_t *r)
{
  return r->have_creds;
}

/* ---- handles -------------------------------------------------------------- */

static CURL *
handle_get (ferry_registry_t *r)
{
  CURL *h = NULL;

  pthread_mutex_lock (&r->lock);
  if (r->n_pool > 0)
    h = r->pool[--r->n_pool];
  pthread_mutex_unlock (&r->lock);
  if (h == NULL)
    h = curl.easy_init ();
  if (h == NULL)
    return NULL;
  curl.easy_reset (h);
  curl.easy_setopt (h, CURLOPT_USERAGENT, "ferry/" FERRY_VERSION);
  curl.easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl.easy_setopt (h, CURLOPT_CONNECTTIMEOUT, 30L);
  /* A transfer that stalls for a minute is dead, however large.  */
  curl.easy_setopt (h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl.easy_setopt (h, CURLOPT_LOW_SPEED_TIME, 60L);
  curl.easy_setopt (h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl.easy_setopt (h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  if (! r->tls_verify)
    {
      curl.easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl.easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  else if (r->ca_bundle)
    {
      struct curl_blob blob = { .data = r->ca_bundle, .len = r->ca_bundle_len, .flags = CURL_BLOB_NOCOPY };
      curl.easy_setopt (h, CURLOPT_CAINFO_BLOB, &blob);
    }
  return h;
}

static void
handle_put (ferry_registry_t *r, CURL *h)
{
  if (h == NULL)
    return;
  /* The handle points at the last transfer's error buffer and callback
   * data, all on a stack that is gone: forget them, keep the connections.  */
  curl.easy_reset (h);
  pthread_mutex_lock (&r->lock);
  if (r->n_pool < POOL_MAX)
    {
      r->pool[r->n_pool++] = h;
      h = NULL;
    }
  pthread_mutex_unlock (&r->lock);
  if (h)
    curl.easy_cleanup (h);
}

/* ---- one transfer --------------------------------------------------------- */

struct transfer
{
  CURL *h;
  const struct ferry_http_request *req;
  struct ferry_http_response *resp;
  size_t cap;
  const unsigned char *upload; /* from memory */
  uint64_t upload_off;
  char *challenge; /* WWW-Authenticate of the final response */
  int sink_failed;
  int status_known;
  int to_sink;
  size_t header_bytes;
  int headers_too_large;
};

static void
response_reset (struct ferry_http_response *resp)
{
  free (resp->body);
  free (resp->content_type);
  free (resp->location);
  free (resp->docker_content_digest);
  free (resp->link);
  memset (resp, 0, sizeof (*resp));
  resp->content_length = UINT64_MAX;
}

void
ferry_http_response_free (struct ferry_http_response *resp)
{
  response_reset (resp);
}

static char *
trim_value (const char *v, size_t n)
{
  while (n > 0 && isspace ((unsigned char) *v))
    {
      v++;
      n--;
    }
  while (n > 0 && isspace ((unsigned char) v[n - 1]))
    n--;
  return xstrndup (v, n);
}

static size_t
on_header (char *data, size_t size, size_t nmemb, void *arg)
{
  struct transfer *t = arg;
  size_t len = size * nmemb;
  const char *colon;
  size_t klen;

  t->header_bytes += len;
  if (t->header_bytes > HEADERS_MAX)
    {
      t->headers_too_large = 1;
      return 0;
    }
  if (len >= 5 && strncmp (data, "HTTP/", 5) == 0)
    {
      /* A new response (after a redirect or a 100 Continue): forget the
       * headers of the one before.  */
      free (t->resp->content_type);
      free (t->resp->location);
      free (t->resp->docker_content_digest);
      free (t->resp->link);
      free (t->challenge);
      t->resp->content_type = t->resp->location = t->resp->docker_content_digest = t->challenge = NULL;
      t->resp->link = NULL;
      t->resp->content_length = UINT64_MAX;
      return len;
    }
  colon = memchr (data, ':', len);
  if (colon == NULL)
    return len;
  klen = colon - data;
#define HEADER_IS(name) (klen == strlen (name) && strncasecmp (data, name, klen) == 0)
  if (HEADER_IS ("content-type"))
    {
      free (t->resp->content_type);
      t->resp->content_type = trim_value (colon + 1, len - klen - 1);
    }
  else if (HEADER_IS ("location"))
    {
      free (t->resp->location);
      t->resp->location = trim_value (colon + 1, len - klen - 1);
    }
  else if (HEADER_IS ("docker-content-digest"))
    {
      free (t->resp->docker_content_digest);
      t->resp->docker_content_digest = trim_value (colon + 1, len - klen - 1);
    }
  else if (HEADER_IS ("link"))
    {
      free (t->resp->link);
      t->resp->link = trim_value (colon + 1, len - klen - 1);
    }
  else if (HEADER_IS ("www-authenticate"))
    {
      free (t->challenge);
      t->challenge = trim_value (colon + 1, len - klen - 1);
    }
  else if (HEADER_IS ("content-length"))
    {
      cleanup_free char *v = trim_value (colon + 1, len - klen - 1);
      char *end;
      unsigned long long n;

      errno = 0;
      n = strtoull (v, &end, 10);
      if (errno == 0 && end != v && *end == '\0')
        t->resp->content_length = n;
    }
#undef HEADER_IS
  return len;
}

static size_t
on_body (char *data, size_t size, size_t nmemb, void *arg)
{
  struct transfer *t = arg;
  size_t len = size * nmemb;
  size_t max;

  if (! t->status_known)
    {
      long status = 0;

      curl.easy_getinfo (t->h, CURLINFO_RESPONSE_CODE, &status);
      t->status_known = 1;
      t->to_sink = status >= 200 && status < 300 && t->req->sink != NULL;
    }
  if (t->to_sink)
    {
      if (t->req->sink (data, len, t->req->sink_arg) < 0)
        {
          t->sink_failed = 1;
          return 0;
        }
      return len;
    }
  max = t->req->max_body ? t->req->max_body : DEFAULT_MAX_BODY;
  if (t->req->sink)
    max = ERROR_BODY_MAX;
  if (t->resp->body_len + len > max)
    {
      t->resp->too_large = 1;
      return 0;
    }
  if (t->resp->body_len + len + 1 > t->cap)
    {
      t->cap = (t->resp->body_len + len + 1) * 2;
      if (t->cap > max + 1)
        t->cap = max + 1;
      t->resp->body = xrealloc (t->resp->body, t->cap);
    }
  memcpy (t->resp->body + t->resp->body_len, data, len);
  t->resp->body_len += len;
  t->resp->body[t->resp->body_len] = '\0';
  return len;
}

static size_t
on_upload (char *buf, size_t size, size_t nmemb, void *arg)
{
  struct transfer *t = arg;
  size_t want = size * nmemb;
  uint64_t left = t->req->body_len - t->upload_off;

  if (want > left)
    want = left;
  if (want == 0)
    return 0;
  if (t->req->body_fd > 0)
    {
      ssize_t n = pread (t->req->body_fd, buf, want, (off_t) t->upload_off);
      if (n <= 0)
        return CURL_READFUNC_ABORT;
      want = (size_t) n;
    }
  else
    memcpy (buf, t->upload + t->upload_off, want);
  t->upload_off += want;
  return want;
}

/* libcurl rewinds the body to send it again: after a reused connection
 * turned out closed, or a redirect.  */
static int
on_seek (void *arg, curl_off_t offset, int origin)
{
  struct transfer *t = arg;

  if (origin != SEEK_SET || offset < 0 || (uint64_t) offset > t->req->body_len)
    return CURL_SEEKFUNC_CANTSEEK;
  t->upload_off = (uint64_t) offset;
  return CURL_SEEKFUNC_OK;
}

static const char *
describe_curl (CURLcode rc, const char *errbuf)
{
  return errbuf[0] ? errbuf : curl.easy_strerror (rc);
}

static int
is_tls_failure (CURLcode rc)
{
  return rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CERTPROBLEM
         || rc == CURLE_SSL_CIPHER || rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_RECV_ERROR
         || rc == CURLE_GOT_NOTHING || rc == CURLE_WEIRD_SERVER_REPLY || rc == CURLE_SEND_ERROR;
}

/* A connection the server refused, which a later try may not meet
 * (Podman's --retry tries again after it; not after a name that does not
 * resolve, as measured).  */
static int
is_unreachable (CURLcode rc)
{
  return rc == CURLE_COULDNT_CONNECT;
}

/* Performs one HTTP exchange with AUTHORIZATION (a full header line, or
 * NULL).  Returns the libcurl code; *CHALLENGE gets the response's
 * WWW-Authenticate.  */
static CURLcode
perform (CURL *h, const char *url, const struct ferry_http_request *req, const char *authorization,
         struct ferry_http_response *resp, char **challenge, int *sink_failed, char errbuf[CURL_ERROR_SIZE])
{
  struct transfer t = { .h = h, .req = req, .resp = resp, .upload = req->body };
  struct curl_slist *headers = NULL;
  cleanup_free char *accept = NULL, *ctype = NULL;
  CURLcode rc;

  response_reset (resp);
  errbuf[0] = '\0';
  curl.easy_setopt (h, CURLOPT_URL, url);
  curl.easy_setopt (h, CURLOPT_ERRORBUFFER, errbuf);
  curl.easy_setopt (h, CURLOPT_HEADERFUNCTION, on_header);
  curl.easy_setopt (h, CURLOPT_HEADERDATA, &t);
  curl.easy_setopt (h, CURLOPT_WRITEFUNCTION, on_body);
  curl.easy_setopt (h, CURLOPT_WRITEDATA, &t);
  /* Blobs may live behind a redirect (to object storage); libcurl keeps
   * our Authorization header from other hosts.  */
  curl.easy_setopt (h, CURLOPT_FOLLOWLOCATION, 1L);
  curl.easy_setopt (h, CURLOPT_MAXREDIRS, 10L);

  if (strcmp (req->method, "HEAD") == 0)
    curl.easy_setopt (h, CURLOPT_NOBODY, 1L);
  else if (strcmp (req->method, "GET") == 0)
    curl.easy_setopt (h, CURLOPT_HTTPGET, 1L);
  else if (req->body || req->body_fd > 0)
    {
      curl.easy_setopt (h, CURLOPT_UPLOAD, 1L);
      curl.easy_setopt (h, CURLOPT_READFUNCTION, on_upload);
      curl.easy_setopt (h, CURLOPT_READDATA, &t);
      curl.easy_setopt (h, CURLOPT_SEEKFUNCTION, on_seek);
      curl.easy_setopt (h, CURLOPT_SEEKDATA, &t);
      curl.easy_setopt (h, CURLOPT_INFILESIZE_LARGE, (curl_off_t) req->body_len);
      curl.easy_setopt (h, CURLOPT_CUSTOMREQUEST, req->method);
      curl.easy_setopt (h, CURLOPT_FOLLOWLOCATION, 0L);
    }
  else
    {
      /* A request without a body (POST to start an upload, PUT to finish
       * one whose data went before).  */
      curl.easy_setopt (h, CURLOPT_POST, 1L);
      curl.easy_setopt (h, CURLOPT_POSTFIELDS, "");
      curl.easy_setopt (h, CURLOPT_POSTFIELDSIZE, 0L);
      curl.easy_setopt (h, CURLOPT_CUSTOMREQUEST, req->method);
      curl.easy_setopt (h, CURLOPT_FOLLOWLOCATION, 0L);
    }
  headers = curl.slist_append (headers, "Expect:");
  if (req->accept)
    {
      accept = xasprintf ("Accept: %s", req->accept);
      headers = curl.slist_append (headers, accept);
    }
  if (req->content_type)
    {
      ctype = xasprintf ("Content-Type: %s", req->content_type);
      headers = curl.slist_append (headers, ctype);
    }
  if (authorization)
    headers = curl.slist_append (headers, authorization);
  curl.easy_setopt (h, CURLOPT_HTTPHEADER, headers);

  rc = curl.easy_perform (h);
  curl.easy_getinfo (h, CURLINFO_RESPONSE_CODE, &resp->status);
  if (t.headers_too_large)
    snprintf (errbuf, CURL_ERROR_SIZE, "the response headers pass %u KiB: refusing them", HEADERS_MAX >> 10);
  if (resp->location)
    {
      /* Resolve a relative Location against the URL it answered.  */
      CURLU *u = curl.url ();
      char *abs = NULL;

      if (u && curl.url_set (u, CURLUPART_URL, url, 0) == CURLUE_OK
          && curl.url_set (u, CURLUPART_URL, resp->location, 0) == CURLUE_OK
          && curl.url_get (u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
        {
          free (resp->location);
          resp->location = xstrdup (abs);
        }
      curl.free (abs);
      curl.url_cleanup (u);
    }
  if (resp->body == NULL)
    resp->body = xmalloc0 (1);
  curl.easy_setopt (h, CURLOPT_HTTPHEADER, NULL);
  curl.slist_free_all (headers);
  *challenge = t.challenge;
  *sink_failed = t.sink_failed;
  return rc;
}

/* ---- authentication ------------------------------------------------------- */

/* Reads one `key="value"` (or key=token) pair of a challenge at *P.  */
static int
challenge_param (const char **p, char **key, char **value)
{
  const char *s = *p, *k;
  char *v;
  size_t n = 0;

  while (*s == ' ' || *s == ',' || *s == '\t')
    s++;
  k = s;
  while (*s && *s != '=' && *s != ' ' && *s != ',')
    s++;
  if (*s != '=' || s == k)
    return 0;
  *key = xstrndup (k, s - k);
  s++;
  v = xmalloc (strlen (s) + 1);
  if (*s == '"')
    {
      s++;
      while (*s && *s != '"')
        {
          if (*s == '\\' && s[1])
            s++;
          v[n++] = *s++;
        }
      if (*s == '"')
        s++;
    }
  else
    while (*s && *s != ',' && *s != ' ')
      v[n++] = *s++;
  v[n] = '\0';
  *value = v;
  *p = s;
  return 1;
}

/* Learns the scheme (and the realm and service of a Bearer challenge)
 * from CHALLENGE.  *SCOPE gets the scope the challenge names, if any.  */
static enum auth_kind
parse_challenge (ferry_registry_t *r, const char *challenge, char **scope)
{
  const char *p;
  char *key, *value;

  if (scope)
    *scope = NULL;
  if (challenge == NULL)
    return AUTH_NONE;
  if (strncasecmp (challenge, "Basic", 5) == 0 && (challenge[5] == '\0' || challenge[5] == ' '))
    {
      pthread_mutex_lock (&r->lock);
      r->auth = AUTH_BASIC;
      pthread_mutex_unlock (&r->lock);
      return AUTH_BASIC;
    }
  if (strncasecmp (challenge, "Bearer ", 7) != 0)
    return AUTH_NONE;
  p = challenge + 7;
  pthread_mutex_lock (&r->lock);
  r->auth = AUTH_BEARER;
  while (challenge_param (&p, &key, &value))
    {
      if (strcasecmp (key, "realm") == 0)
        {
          free (r->realm);
          r->realm = steal_pointer (&value);
        }
      else if (strcasecmp (key, "service") == 0)
        {
          free (r->service);
          r->service = steal_pointer (&value);
        }
      else if (strcasecmp (key, "scope") == 0 && scope)
        {
          free (*scope);
          *scope = steal_pointer (&value);
        }
      free (key);
      free (value);
    }
  pthread_mutex_unlock (&r->lock);
  return AUTH_BEARER;
}

static char *
basic_header (const struct ferry_credentials *c)
{
  cleanup_free char *plain = xasprintf ("%s:%s", c->username, c->password);
  size_t len = strlen (plain);
  cleanup_free char *b64 = ferry_base64_encode (FERRY_BASE64_STD, plain, len);

  explicit_bzero (plain, len);
  return xasprintf ("Authorization: Basic %s", b64);
}

/* A refusal in Podman's words, then ferry's: SAID is what the registry
 * said (Podman prints it: "authentication required" from distribution
 * behind htpasswd, "requested access to the resource is denied" for a
 * token without access), whether credentials were missing or refused;
 * ferry adds which, and the fix.  */
static int
refusal (ferry_registry_t *r, const char *said, ferry_error_t *err)
{
  if (r->have_creds && r->creds.identity_token)
    return ferry_make_error_kind (err, FERRY_ERROR_UNAUTHORIZED,
                                  "%s: registry %s refused the identity token (from %s): log in again for a "
                                  "new one",
                                  said, r->name, r->creds_origin);
  if (r->have_creds)
    return ferry_make_error_kind (err, FERRY_ERROR_UNAUTHORIZED,
                                  "%s: registry %s refused the credentials of user `%s` (from %s): check the "
                                  "user name and password",
                                  said, r->name, r->creds.username, r->creds_origin);
  return ferry_make_error_kind (err, FERRY_ERROR_UNAUTHORIZED,
                                "%s: registry %s wants credentials: log in with `ferry login %s` or pass "
                                "--creds USER:PASSWORD",
                                said, r->name, r->name);
}

/* A 401 of the registry itself: its error's message, else (a HEAD has no
 * body) what Podman says then.  A token that lacks the scope
 * (error="insufficient_scope" in CHALLENGE) is, in Podman's words,
 * "requested access to the resource is denied", whatever the body says.  */
static int
auth_failure (ferry_registry_t *r, const struct ferry_http_response *resp, const char *challenge,
              ferry_error_t *err)
{
  cleanup_free char *said = NULL;

  if (challenge && strncasecmp (challenge, "Bearer ", 7) == 0 && strstr (challenge, "insufficient_scope"))
    return refusal (r, "requested access to the resource is denied", err);
  said = resp ? ferry_registry_error_text (resp) : NULL;
  if (said == NULL || strncmp (said, "HTTP ", 5) == 0)
    {
      free (said);
      said = xstrdup ("authentication required");
    }
  return refusal (r, said, err);
}

/* A 401 or 403 of the token server, as Podman words it: "unable to
 * retrieve auth token: invalid username/password: CODE: MESSAGE".  */
static int
token_refused (ferry_registry_t *r, const struct ferry_http_response *resp, ferry_error_t *err)
{
  cleanup_free char *code = ferry_registry_error_code (resp), *text = ferry_registry_error_text (resp);
  cleanup_free char *said = NULL;

  for (char *c = code; c && *c; c++)
    *c = (char) tolower ((unsigned char) *c);
  said = code && *code
             ? xasprintf ("unable to retrieve auth token: invalid username/password: %s: %s", code, text)
             : xasprintf ("unable to retrieve auth token: invalid username/password: %s", text);
  return refusal (r, said, err);
}

static char *
token_cached (ferry_registry_t *r, const char *scope)
{
  struct token *t;
  char *v = NULL;

  pthread_mutex_lock (&r->lock);
  for (t = r->tokens; t; t = t->next)
    if (strcmp (t->scope, scope) == 0)
      {
        v = xstrdup (t->value);
        break;
      }
  pthread_mutex_unlock (&r->lock);
  return v;
}

static void
token_remember (ferry_registry_t *r, const char *scope, const char *value)
{
  struct token *t;

  pthread_mutex_lock (&r->lock);
  for (t = r->tokens; t; t = t->next)
    if (strcmp (t->scope, scope) == 0)
      {
        free (t->value);
        t->value = xstrdup (value);
        pthread_mutex_unlock (&r->lock);
        return;
      }
  t = xmalloc0 (sizeof (*t));
  t->scope = xstrdup (scope);
  t->value = xstrdup (value);
  t->next = r->tokens;
  r->tokens = t;
  pthread_mutex_unlock (&r->lock);
}

/* MEMBER of a token response: missing, null or "" is no token; anything
 * else must be a token an Authorization header can carry (RFC 6750's
 * b64token is narrower, but registries send JWTs and opaque strings): no
 * white space, no control characters, nothing to end the header early.  */
static int
token_member (json_object *j, const char *member, const char **tok, ferry_error_t *err)
{
  json_object *v = NULL;
  const char *s;

  *tok = NULL;
  if (! json_object_object_get_ex (j, member, &v) || v == NULL)
    return 0;
  if (! json_object_is_type (v, json_type_string))
    return ferry_make_error (err, 0, "sent a `%s` that is not a string but %s", member,
                             ferry_json_type_name (v));
  s = ferry_json_string_value (v);
  if (s == NULL)
    return ferry_make_error (err, 0, "sent a `%s` holding a NUL byte", member);
  for (; *s; s++)
    if ((unsigned char) *s <= 0x20 || (unsigned char) *s >= 0x7f)
      return ferry_make_error (err, 0, "sent a `%s` holding characters an HTTP header cannot carry", member);
  *tok = json_object_get_string (v);
  if (**tok == '\0')
    *tok = NULL;
  return 0;
}

/* The token of a token response: "token", else "access_token" (OAuth2).
 * A refusal says what the service "sent".  */
static int
token_of (json_object *j, const char **tok, ferry_error_t *err)
{
  if (! json_object_is_type (j, json_type_object))
    return ferry_make_error (err, 0, "sent a response that is not a JSON object but %s",
                             ferry_json_type_name (j));
  if (token_member (j, "token", tok, err) < 0)
    return -1;
  if (*tok == NULL && token_member (j, "access_token", tok, err) < 0)
    return -1;
  if (*tok == NULL)
    return ferry_make_error (err, 0, "sent no token");
  return 0;
}

/* The token request's parameters as containers/image sends them: the
 * realm's own query, then (for a GET) account=USER when there is a user
 * name, service=SERVICE when the challenge named one, and scope=S for
 * each of SCOPE's (space-separated).  */
static void
token_params (struct ferry_query *q, const char *realm_query, const char *account, const char *service,
              const char *scope)
{
  cleanup_free char *scopes = xstrdup (scope ? scope : "");
  char *save = NULL;

  ferry_query_parse (q, realm_query);
  if (account && *account)
    ferry_query_add (q, "account", account);
  if (service && *service)
    ferry_query_add (q, "service", service);
  for (char *one = strtok_r (scopes, " ", &save); one; one = strtok_r (NULL, " ", &save))
    ferry_query_add (q, "scope", one);
}

/* The realm's query (after '?', before any '#'), or "" (a copy).  */
static char *
realm_query (const char *realm)
{
  const char *q = strchr (realm, '?');

  return q ? xstrndup (q + 1, strcspn (q + 1, "#")) : xstrdup ("");
}

/* Asks the realm for a token for SCOPE (space-separated scopes, or "").  */
static int
fetch_token (ferry_registry_t *r, const char *scope, char **out, ferry_error_t *err)
{
  CURL *h = handle_get (r);
  struct ferry_http_request req = { .method = "GET", .max_body = 1u << 20 };
  struct ferry_http_response resp = { 0 };
  cleanup_free char *realm = NULL, *service = NULL, *url = NULL, *auth = NULL, *challenge = NULL;
  cleanup_free char *shown = NULL, *body = NULL;
  cleanup_json json_object *j = NULL;
  char errbuf[CURL_ERROR_SIZE];
  const char *tok;
  int sink_failed, ret = -1;
  CURLcode rc;

  if (h == NULL)
    return ferry_make_error (err, ENOMEM, "cannot start an HTTP session");
  pthread_mutex_lock (&r->lock);
  realm = r->realm ? xstrdup (r->realm) : NULL;
  service = r->service ? xstrdup (r->service) : NULL;
  pthread_mutex_unlock (&r->lock);
  if (realm == NULL || (strncmp (realm, "https://", 8) != 0 && strncmp (realm, "http://", 7) != 0))
    {
      cleanup_free char *said = ferry_registry_printable (realm ? realm : "");
      ferry_make_error (err, 0, "registry %s asks for a token from an unusable realm `%s`", r->name, said);
      goto out;
    }

  shown = ferry_registry_printable (realm);
  /* Credentials travel to the realm: over plain http only when the user
   * turned TLS verification off, as for the registry itself.  */
  if (r->have_creds && r->tls_verify && strncmp (realm, "http://", 7) == 0)
    {
      ferry_make_error (err, 0,
                        "registry %s asks for credentials to be sent to %s over plain http: refusing; pass "
                        "--tls-verify=false if you trust that network",
                        r->name, shown);
      goto out;
    }

  if (r->have_creds && r->creds.identity_token)
    {
      /* An identity token is an OAuth2 refresh token: POSTed to the
       * realm as a form, as containers/image sends it (the Docker
       * registry's OAuth2 token protocol): the realm's query stays in
       * the URL and is in the form too.  Its client_id is ferry's own:
       * the protocol asks a client to name itself.  */
      struct ferry_query form = { 0 };
      cleanup_free char *rq = realm_query (realm);

      token_params (&form, rq, NULL, service, scope);
      ferry_query_add (&form, "grant_type", "refresh_token");
      ferry_query_add (&form, "refresh_token", r->creds.identity_token);
      ferry_query_add (&form, "client_id", FERRY_OAUTH2_CLIENT_ID);
      body = ferry_query_encode (&form);
      ferry_query_release (&form);
      url = xstrndup (realm, strcspn (realm, "#"));
      req.method = "POST";
      req.body = body;
      req.body_len = strlen (body);
      req.content_type = "application/x-www-form-urlencoded";
    }
  else
    {
      /* The realm with its query read and written again, as Go does:
       * REALM?account=USER&scope=A&scope=B&service=S, sorted by key.  */
      struct ferry_query q = { 0 };
      cleanup_free char *rq = realm_query (realm), *query = NULL;
      int user = r->have_creds && r->creds.username && *r->creds.username;

      token_params (&q, rq, user ? r->creds.username : NULL, service, scope);
      query = ferry_query_encode (&q);
      ferry_query_release (&q);
      url = xasprintf ("%.*s%s%s", (int) strcspn (realm, "?#"), realm, *query ? "?" : "", query);
      /* Basic credentials go with a user name and a password only.  */
      if (user && r->creds.password && *r->creds.password)
        auth = basic_header (&r->creds);
    }
  rc = perform (h, url, &req, auth, &resp, &challenge, &sink_failed, errbuf);
  if (rc != CURLE_OK)
    {
      ferry_make_error (err, 0, "cannot get a token for registry %s from %s: %s", r->name, shown,
                        describe_curl (rc, errbuf));
      goto out;
    }
  if (resp.status == 401 || resp.status == 403)
    {
      token_refused (r, &resp, err);
      goto out;
    }
  if (resp.status != 200)
    {
      cleanup_free char *why = ferry_registry_error_text (&resp);
      ferry_make_error (err, 0, "cannot get a token for registry %s from %s: %s", r->name, shown, why);
      goto out;
    }
  j = ferry_json_parse (resp.body, resp.body_len, "token response", err);
  if (j == NULL)
    {
      ferry_error_wrap (err, "registry %s", r->name);
      goto out;
    }
  if (token_of (j, &tok, err) < 0)
    {
      cleanup_error ferry_error_t why = steal_pointer (err);
      ferry_make_error (err, 0, "the token service of registry %s (%s) %s", r->name, shown, why->msg);
      goto out;
    }
  *out = xstrdup (tok);
  ret = 0;

out:
  if (body)
    explicit_bzero (body, strlen (body));
  ferry_http_response_free (&resp);
  handle_put (r, h);
  return ret;
}

/* The Authorization header for a request with SCOPE, or NULL.  */
static int
authorization_for (ferry_registry_t *r, const char *scope, int refresh, char **out, ferry_error_t *err)
{
  enum auth_kind kind;
  cleanup_free char *tok = NULL;

  *out = NULL;
  pthread_mutex_lock (&r->lock);
  kind = r->auth;
  pthread_mutex_unlock (&r->lock);
  if (kind == AUTH_BASIC)
    {
      if (r->have_creds)
        *out = basic_header (&r->creds);
      return 0;
    }
  if (kind != AUTH_BEARER)
    return 0;
  if (! refresh)
    tok = token_cached (r, scope ? scope : "");
  if (tok == NULL)
    {
      if (fetch_token (r, scope ? scope : "", &tok, err) < 0)
        return -1;
      token_remember (r, scope ? scope : "", tok);
    }
  *out = xasprintf ("Authorization: Bearer %s", tok);
  return 0;
}

/* Scopes A (may be NULL) and whichever of B's (may be NULL) A lacks, or
 * NULL when that is just A.  */
static char *
scope_union (const char *a, const char *b)
{
  cleanup_free char *copy = NULL;
  char *out = NULL, *save = NULL, *one;

  if (b == NULL)
    return NULL;
  copy = xstrdup (b);
  for (one = strtok_r (copy, " ", &save); one; one = strtok_r (NULL, " ", &save))
    {
      const char *have = a ? a : "";
      size_t n = strlen (one);
      const char *at;
      int found = 0;

      for (at = strstr (have, one); at && ! found; at = strstr (at + 1, one))
        found = (at == have || at[-1] == ' ') && (at[n] == '\0' || at[n] == ' ');
      if (found)
        continue;
      if (out == NULL)
        out = xstrdup (a ? a : "");
      {
        char *more = xasprintf ("%s%s%s", out, *out ? " " : "", one);
        free (out);
        out = more;
      }
    }
  return out;
}

static char *
absolute_url (ferry_registry_t *r, const char *url)
{
  if (strncmp (url, "https://", 8) == 0 || strncmp (url, "http://", 7) == 0)
    return xstrdup (url);
  return xasprintf ("%s%s", r->base, url);
}

/* "scheme://host:port" of URL, lower case, the port always spelt out; NULL
 * when URL does not parse.  */
static char *
url_origin (const char *url)
{
  CURLU *u = curl.url ();
  char *scheme = NULL, *host = NULL, *port = NULL, *origin = NULL, *c;

  if (u && curl.url_set (u, CURLUPART_URL, url, 0) == CURLUE_OK
      && curl.url_get (u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK
      && curl.url_get (u, CURLUPART_HOST, &host, 0) == CURLUE_OK
      && curl.url_get (u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
    {
      origin = xasprintf ("%s://%s:%s", scheme, host, port);
      for (c = origin; *c; c++)
        *c = (char) tolower ((unsigned char) *c);
    }
  curl.free (scheme);
  curl.free (host);
  curl.free (port);
  curl.url_cleanup (u);
  return origin;
}

/* Credentials and tokens are the registry's: a URL elsewhere (an upload
 * Location naming another host, port or scheme) gets none, as libcurl
 * already does for redirects.  */
static int
is_registry_url (ferry_registry_t *r, const char *url)
{
  cleanup_free char *ours = url_origin (r->base), *theirs = url_origin (url);

  return ours && theirs && strcmp (ours, theirs) == 0;
}

int
ferry_registry_do (ferry_registry_t *r, const struct ferry_http_request *req,
                   struct ferry_http_response *resp, ferry_error_t *err)
{
  CURL *h = handle_get (r);
  cleanup_free char *url = absolute_url (r, req->url);
  char errbuf[CURL_ERROR_SIZE];
  cleanup_free char *retry_scope = NULL;
  int attempt, ret = -1, ours = is_registry_url (r, url);

  memset (resp, 0, sizeof (*resp));
  if (h == NULL)
    return ferry_make_error (err, ENOMEM, "cannot start an HTTP session");
  for (attempt = 0; attempt < 2; attempt++)
    {
      cleanup_free char *auth = NULL, *challenge = NULL, *scope = NULL;
      int sink_failed = 0;
      CURLcode rc;

      if (ours && authorization_for (r, retry_scope ? retry_scope : req->scope, attempt > 0, &auth, err) < 0)
        goto out;
      rc = perform (h, url, req, auth, resp, &challenge, &sink_failed, errbuf);
      if (sink_failed)
        {
          ferry_make_error (err, 0, "transfer from registry %s aborted", r->name);
          goto out;
        }
      if (rc != CURLE_OK && ! (resp->too_large && resp->status != 0))
        {
          cleanup_free char *shown = ferry_registry_printable (url);
          ferry_make_error_kind (err, is_unreachable (rc) ? FERRY_ERROR_UNREACHABLE : FERRY_ERROR_GENERIC,
                                 "%s %s: %s", req->method, shown, describe_curl (rc, errbuf));
          goto out;
        }
      if (resp->status != 401 || ! ours)
        break;
      if (attempt > 0)
        {
          auth_failure (r, resp, challenge, err);
          goto out;
        }
      /* A challenge: learn it, then answer it once.  */
      switch (parse_challenge (r, challenge, &scope))
        {
        case AUTH_BASIC:
          if (! r->have_creds || auth != NULL)
            {
              auth_failure (r, resp, challenge, err);
              goto out;
            }
          break;
        case AUTH_BEARER:
          /* The token to ask for covers the scope the challenge names.  */
          retry_scope = scope_union (req->scope, scope);
          break;
        default:
          auth_failure (r, resp, challenge, err);
          goto out;
        }
    }
  ret = 0;

out:
  handle_put (r, h);
  if (ret < 0)
    response_reset (resp);
  return ret;
}

/* ---- errors --------------------------------------------------------------- */

char *
ferry_registry_printable (const char *text)
{
  size_t n = strlen (text), i;
  char *out;

  if (n > PRINTABLE_MAX)
    n = PRINTABLE_MAX;
  out = xmalloc (n + 4);
  for (i = 0; i < n; i++)
    {
      unsigned char c = (unsigned char) text[i];
      out[i] = c < 0x20 || c == 0x7f ? ' ' : (char) c;
    }
  strcpy (out + n, text[n] ? "..." : "");
  return out;
}

static json_object *
first_error (const struct ferry_http_response *resp, json_object **root)
{
  json_object *errors, *e;

  *root = NULL;
  if (resp->body == NULL || resp->body_len == 0)
    return NULL;
  *root = json_tokener_parse (resp->body);
  if (*root == NULL)
    return NULL;
  errors = ferry_json_get_array (*root, "errors");
  if (errors == NULL || json_object_array_length (errors) == 0)
    return NULL;
  e = json_object_array_get_idx (errors, 0);
  return json_object_is_type (e, json_type_object) ? e : NULL;
}

char *
ferry_registry_error_text (const struct ferry_http_response *resp)
{
  cleanup_json json_object *root = NULL;
  json_object *e = first_error (resp, &root);
  const char *msg = e ? ferry_json_get_string (e, "message") : NULL;
  const char *code = e ? ferry_json_get_string (e, "code") : NULL;

  if (msg && *msg)
    return ferry_registry_printable (msg);
  if (code && *code)
    return ferry_registry_printable (code);
  return xasprintf ("HTTP %ld", resp->status);
}

char *
ferry_registry_error_code (const struct ferry_http_response *resp)
{
  cleanup_json json_object *root = NULL;
  json_object *e = first_error (resp, &root);
  const char *code = e ? ferry_json_get_string (e, "code") : NULL;

  return code ? ferry_registry_printable (code) : NULL;
}

/* ---- sessions ------------------------------------------------------------- */

static int
ping (ferry_registry_t *r, int *tls_failed, ferry_error_t *err)
{
  CURL *h = handle_get (r);
  struct ferry_http_request req = { .method = "GET", .url = "/v2/", .max_body = 64u << 10 };
  struct ferry_http_response resp = { 0 };
  cleanup_free char *url = absolute_url (r, "/v2/"), *challenge = NULL;
  char errbuf[CURL_ERROR_SIZE];
  int sink_failed, ret = -1;
  CURLcode rc;

  *tls_failed = 0;
  if (h == NULL)
    return ferry_make_error (err, ENOMEM, "cannot start an HTTP session");
  rc = perform (h, url, &req, NULL, &resp, &challenge, &sink_failed, errbuf);
  if (rc != CURLE_OK && ! resp.too_large)
    {
      *tls_failed = strncmp (url, "https:", 6) == 0 && is_tls_failure (rc);
      if (*tls_failed && r->tls_verify)
        ferry_make_error (err, 0,
                          "cannot reach registry %s over HTTPS: %s (a registry with a self-signed "
                          "certificate, or one that speaks plain HTTP, needs --tls-verify=false)",
                          r->name, describe_curl (rc, errbuf));
      else
        {
          long os_errno = 0;

          /* Podman's cause ends in the system's words ("connect:
           * connection refused"), which scripts look for.  */
          if (curl.easy_getinfo (h, CURLINFO_OS_ERRNO, &os_errno) != CURLE_OK)
            os_errno = 0;
          ferry_make_error_kind (err, is_unreachable (rc) ? FERRY_ERROR_UNREACHABLE : FERRY_ERROR_GENERIC,
                                 "cannot reach registry %s at %s: %s%s", r->name, url,
                                 describe_curl (rc, errbuf),
                                 os_errno == ECONNREFUSED ? ": connect: connection refused" : "");
        }
      goto out;
    }
  if (resp.status == 401)
    {
      if (parse_challenge (r, challenge, NULL) == AUTH_NONE)
        {
          cleanup_free char *said = ferry_registry_printable (challenge ? challenge : "(no challenge)");
          ferry_make_error (err, 0, "registry %s asks for an authentication ferry does not know: %s", r->name,
                            said);
          goto out;
        }
    }
  else if (resp.status != 200)
    {
      ferry_make_error (err, 0, "%s is not a container registry: %s answered HTTP %ld", r->name, url,
                        resp.status);
      goto out;
    }
  ret = 0;

out:
  ferry_http_response_free (&resp);
  handle_put (r, h);
  return ret;
}

static int
load_credentials (ferry_registry_t *r, const char *repository, const struct ferry_registry_options *o,
                  ferry_error_t *err)
{
  cleanup_free char *path = NULL, *key = NULL;
  int found;

  if (o->creds || o->identity_token)
    {
      if (o->creds && ferry_credentials_parse (o->creds, &r->creds, err) < 0)
        return -1;
      if (o->identity_token)
        {
          if (r->creds.username == NULL)
            {
              r->creds.username = xstrdup ("");
              r->creds.password = xstrdup ("");
            }
          r->creds.identity_token = xstrdup (o->identity_token);
        }
      r->have_creds = 1;
      r->creds_origin = xstrdup (o->creds_origin ? o->creds_origin : "--creds");
      return 0;
    }
  path = ferry_auth_file_path (o->authfile);
  key = repository ? xasprintf ("%s/%s", r->name, repository) : xstrdup (r->name);
  found = ferry_auth_get (path, ferry_auth_file_is_default (o->authfile) ? FERRY_AUTH_DEFAULT_FILE : 0, key,
                          &r->creds, &r->creds_origin, err);
  if (found < 0)
    return ferry_error_wrap (err, "getting username and password");
  r->have_creds = found;
  return 0;
}

static void
append_text (char **buf, size_t *len, const char *text, size_t n)
{
  *buf = xrealloc (*buf, *len + n + 2);
  memcpy (*buf + *len, text, n);
  *len += n;
  (*buf)[(*len)++] = '\n';
  (*buf)[*len] = '\0';
}

/* --cert-dir: the CA certificates (*.crt, PEM) in DIR are trusted beside
 * the system's, as Podman trusts them.  */
static int
load_cert_dir (ferry_registry_t *r, const char *dir, ferry_error_t *err)
{
  cleanup_dir DIR *d = opendir (dir);
  CURL *probe = curl.easy_init ();
  char *system_cas = NULL;
  struct dirent *de;
  size_t found = 0;

  if (d == NULL)
    {
      if (probe)
        curl.easy_cleanup (probe);
      return ferry_make_error (err, errno, "cannot read certificate directory `%s` (--cert-dir)", dir);
    }
  if (probe && curl.easy_getinfo (probe, CURLINFO_CAINFO, &system_cas) == CURLE_OK && system_cas)
    {
      cleanup_free char *text = NULL;
      cleanup_error ferry_error_t ignored = NULL;
      size_t len;
      if (ferry_read_file (system_cas, &text, &len, &ignored) == 0)
        append_text (&r->ca_bundle, &r->ca_bundle_len, text, len);
    }
  if (probe)
    curl.easy_cleanup (probe);
  while ((de = readdir (d)))
    {
      size_t n = strlen (de->d_name);
      cleanup_free char *path = NULL, *text = NULL;
      size_t len;

      if (n <= 4 || strcmp (de->d_name + n - 4, ".crt") != 0)
        continue;
      path = xasprintf ("%s/%s", dir, de->d_name);
      if (ferry_read_file (path, &text, &len, err) < 0)
        return ferry_error_wrap (err, "--cert-dir");
      append_text (&r->ca_bundle, &r->ca_bundle_len, text, len);
      found++;
    }
  if (found == 0)
    return ferry_make_error (err, 0,
                             "certificate directory `%s` holds no CA certificate (*.crt): put the registry's "
                             "CA there, or leave out --cert-dir",
                             dir);
  return 0;
}

int
ferry_registry_open (const char *registry, const struct ferry_registry_options *o, ferry_registry_t **out,
                     ferry_error_t *err)
{
  return ferry_registry_open_repository (registry, NULL, o, out, err);
}

int
ferry_registry_open_repository (const char *registry, const char *repository,
                                const struct ferry_registry_options *o, ferry_registry_t **out,
                                ferry_error_t *err)
{
  ferry_registry_t *r;
  const struct ferry_registries_conf *conf;
  const char *host = registry;
  int tls_failed, insecure;

  pthread_once (&curl_once, curl_init_once);
  *out = NULL;
  if (*registry == '\0' || strpbrk (registry, "/?#@ \t\r\n") != NULL)
    return ferry_make_error (err, 0, "`%s` is not a registry name: give it as HOST[:PORT]", registry);
  if (curl_load_error)
    return ferry_make_error (err, 0, "cannot talk to registry %s: %s", registry, curl_load_error);
  /* registries.conf may block the registry, or let TLS be skipped there
   * when --tls-verify is not given.  */
  if (ferry_registries_conf_get (&conf, err) < 0
      || ferry_registries_check_access (conf, registry, &insecure, err) < 0)
    return -1;
  if (strcmp (registry, "docker.io") == 0)
    host = "registry-1.docker.io";

  r = xmalloc0 (sizeof (*r));
  pthread_mutex_init (&r->lock, NULL);
  r->name = xstrdup (registry);
  r->tls_verify = o->tls_verify >= 0 ? o->tls_verify : ! insecure;
  r->base = xasprintf ("https://%s", host);
  if (o->cert_dir && load_cert_dir (r, o->cert_dir, err) < 0)
    goto fail;
  if (load_credentials (r, repository, o, err) < 0)
    goto fail;
  if (ping (r, &tls_failed, err) == 0)
    {
      *out = r;
      return 0;
    }
  if (! tls_failed)
    goto fail;
  if (r->tls_verify)
    goto fail;
  /* --tls-verify=false: as Podman, try plain HTTP when TLS fails.  */
  ferry_error_release (err);
  free (r->base);
  r->base = xasprintf ("http://%s", host);
  if (ping (r, &tls_failed, err) == 0)
    {
      *out = r;
      return 0;
    }

fail:
  ferry_registry_close (r);
  return -1;
}

int
ferry_registry_check_login (ferry_registry_t *r, ferry_error_t *err)
{
  struct ferry_http_request req = { .method = "GET", .url = "/v2/", .max_body = 64u << 10 };
  struct ferry_http_response resp;
  enum auth_kind kind;

  pthread_mutex_lock (&r->lock);
  kind = r->auth;
  pthread_mutex_unlock (&r->lock);
  if (kind == AUTH_BEARER)
    {
      cleanup_free char *tok = NULL;
      /* A token for no scope proves the credentials, as `docker login` does.  */
      return fetch_token (r, "", &tok, err);
    }
  if (ferry_registry_do (r, &req, &resp, err) < 0)
    return -1;
  if (resp.status != 200)
    {
      cleanup_free char *why = ferry_registry_error_text (&resp);
      ferry_http_response_free (&resp);
      return ferry_make_error (err, 0, "cannot log in to registry %s: %s", r->name, why);
    }
  ferry_http_response_free (&resp);
  return 0;
}

void
ferry_registry_close (ferry_registry_t *r)
{
  struct token *t;
  size_t i;

  if (r == NULL)
    return;
  for (i = 0; i < r->n_pool; i++)
    curl.easy_cleanup (r->pool[i]);
  free (r->ca_bundle);
  while ((t = r->tokens))
    {
      r->tokens = t->next;
      free (t->scope);
      free (t->value);
      free (t);
    }
  ferry_credentials_clear (&r->creds);
  free (r->creds_origin);
  free (r->name);
  free (r->base);
  free (r->realm);
  free (r->service);
  pthread_mutex_destroy (&r->lock);
  free (r);
}
