#include "signature.h"
#include "policy.h"
#include "../util/base64.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/process.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

extern char **environ;

#define SIGNATURE_MAX_SIZE (4 * 1024 * 1024)
/* A store that holds more is taken to be broken or hostile (one that
 * answers 200 for every signature-N would otherwise be read until memory
 * runs out), as containers/image takes it.  */
#define SIGNATURES_MAX 128

/* Temporary names carry their maker's PID and start time, so that what a
 * killed ferry left (a keyring, a half-written signature) is removed by
 * the next one that makes such a name in the same directory, and nothing
 * of a live one is.  */
static char *
owned_prefix (const char *prefix)
{
  return xasprintf ("%s%ld-%llu-", prefix, (long) getpid (), ferry_process_self_start_time ());
}

static void
sweep_dead (const char *dir, const char *prefix)
{
  cleanup_dir DIR *d = opendir (dir);
  size_t plen = strlen (prefix);
  struct dirent *de;

  if (d == NULL)
    return;
  while ((de = readdir (d)))
    {
      long pid;
      unsigned long long start;
      char *end;

      if (strncmp (de->d_name, prefix, plen) != 0)
        continue;
      pid = strtol (de->d_name + plen, &end, 10);
      if (*end != '-' || pid <= 0)
        continue;
      start = strtoull (end + 1, &end, 10);
      if (*end != '-' || ferry_process_is_alive ((pid_t) pid, start))
        continue;
      {
        cleanup_free char *path = xasprintf ("%s/%s", dir, de->d_name);
        ferry_rm_rf_quietly (path);
      }
    }
}

/* ---- registries.d ------------------------------------------------------------------- */

char *
ferry_registries_d_default (void)
{
  const char *home = getenv ("HOME");
  struct stat st;

  if (home && *home)
    {
      cleanup_free char *user = xasprintf ("%s/.config/containers/registries.d", home);
      if (stat (user, &st) == 0)
        return steal_pointer (&user);
    }
  return xstrdup ("/etc/containers/registries.d");
}

static const char *
yaml_scalar (yaml_document_t *doc, yaml_node_t *n)
{
  if (n == NULL || n->type != YAML_SCALAR_NODE)
    return NULL;
  (void) doc;
  return (const char *) n->data.scalar.value;
}

/* One section of a registries.d file as JSON, keeping the keys ferry
 * uses and checking that they are strings.  */
static int
yaml_section (const char *file, const char *scope, yaml_document_t *doc, yaml_node_t *n, json_object **out,
              ferry_error_t *err)
{
  cleanup_json json_object *o = json_object_new_object ();
  yaml_node_pair_t *pair;

  if (n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0)
    {
      *out = steal_pointer (&o);
      return 0;
    }
  if (n->type != YAML_MAPPING_NODE)
    return ferry_make_error (err, 0, "parsing %s: the section of `%s` is not a mapping", file, scope);
  for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++)
    {
      const char *k = yaml_scalar (doc, yaml_document_get_node (doc, pair->key));
      const char *v = yaml_scalar (doc, yaml_document_get_node (doc, pair->value));

      if (k == NULL)
        return ferry_make_error (err, 0, "parsing %s: a key of `%s` is not a string", file, scope);
      if (strcmp (k, "lookaside") == 0 || strcmp (k, "lookaside-staging") == 0 || strcmp (k, "sigstore") == 0
          || strcmp (k, "sigstore-staging") == 0)
        {
          if (v == NULL)
            return ferry_make_error (err, 0, "parsing %s: `%s` of `%s` is not a string", file, k, scope);
          json_object_object_add (o, k, json_object_new_string (v));
        }
      else if (strcmp (k, "use-sigstore-attachments") == 0)
        {
          /* YAML 1.2's booleans, as Go's yaml reads them.  */
          if (v && (strcmp (v, "true") == 0 || strcmp (v, "True") == 0 || strcmp (v, "TRUE") == 0))
            json_object_object_add (o, k, json_object_new_boolean (1));
          else if (v && (strcmp (v, "false") == 0 || strcmp (v, "False") == 0 || strcmp (v, "FALSE") == 0))
            json_object_object_add (o, k, json_object_new_boolean (0));
          else
            return ferry_make_error (err, 0, "parsing %s: `%s` of `%s` is not a boolean (true or false)",
                                     file, k, scope);
        }
    }
  *out = steal_pointer (&o);
  return 0;
}

/* Merges FILE into CONFIG ({"default-docker": {...}, "docker": {scope:
 * {...}}, "origin": {scope: file}}), refusing a scope two files define.  */
static int
load_registries_file (const char *file, json_object *config, ferry_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_node_t *root;
  yaml_node_pair_t *pair;
  json_object *docker = ferry_json_get_object (config, "docker");
  json_object *origin = ferry_json_get_object (config, "origin");
  int ret = -1;

  if (ferry_read_file_max (file, FERRY_POLICY_MAX_FILE, &text, &len, err) < 0)
    return -1;
  yaml_parser_initialize (&parser);
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, len);
  if (! yaml_parser_load (&parser, &doc))
    {
      ret = ferry_make_error (err, 0, "parsing %s: %s at line %zu", file,
                              parser.problem ? parser.problem : "invalid YAML", parser.problem_mark.line + 1);
      yaml_parser_delete (&parser);
      return ret;
    }
  root = yaml_document_get_root_node (&doc);
  if (root == NULL)
    {
      ret = 0;
      goto out;
    }
  if (root->type != YAML_MAPPING_NODE)
    {
      ferry_make_error (err, 0, "parsing %s: not a YAML mapping", file);
      goto out;
    }
  for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++)
    {
      const char *k = yaml_scalar (&doc, yaml_document_get_node (&doc, pair->key));
      yaml_node_t *v = yaml_document_get_node (&doc, pair->value);

      if (k == NULL)
        continue;
      if (strcmp (k, "default-docker") == 0)
        {
          json_object *section = NULL;
          const char *before = ferry_json_get_string (origin, "");
          if (before)
            {
              ferry_make_error (err, 0, "Configuration for default-docker defined both in %s and %s", before,
                                file);
              goto out;
            }
          if (yaml_section (file, "default-docker", &doc, v, &section, err) < 0)
            goto out;
          json_object_object_add (config, "default-docker", section);
          json_object_object_add (origin, "", json_object_new_string (file));
        }
      else if (strcmp (k, "docker") == 0)
        {
          yaml_node_pair_t *sp;
          if (v->type != YAML_MAPPING_NODE)
            {
              if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0)
                continue;
              ferry_make_error (err, 0, "parsing %s: `docker` is not a mapping", file);
              goto out;
            }
          for (sp = v->data.mapping.pairs.start; sp < v->data.mapping.pairs.top; sp++)
            {
              const char *scope = yaml_scalar (&doc, yaml_document_get_node (&doc, sp->key));
              json_object *section = NULL;
              const char *before;

              if (scope == NULL || *scope == '\0')
                {
                  ferry_make_error (err, 0, "parsing %s: a scope of `docker` is not a string", file);
                  goto out;
                }
              before = ferry_json_get_string (origin, scope);
              if (before)
                {
                  ferry_make_error (err, 0, "Configuration for %s defined both in %s and %s", scope, before,
                                    file);
                  goto out;
                }
              if (yaml_section (file, scope, &doc, yaml_document_get_node (&doc, sp->value), &section, err)
                  < 0)
                goto out;
              json_object_object_add (docker, scope, section);
              json_object_object_add (origin, scope, json_object_new_string (file));
            }
        }
    }
  ret = 0;
out:
  yaml_document_delete (&doc);
  yaml_parser_delete (&parser);
  return ret;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
load_registries_d (const char *dir, json_object **out, ferry_error_t *err)
{
  cleanup_free char *def = NULL;
  cleanup_json json_object *config = json_object_new_object ();
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  char **names = NULL;
  size_t n = 0, i;
  int ret = 0;

  if (dir == NULL)
    dir = def = ferry_registries_d_default ();
  json_object_object_add (config, "docker", json_object_new_object ());
  json_object_object_add (config, "origin", json_object_new_object ());
  d = opendir (dir);
  if (d == NULL)
    {
      if (errno != ENOENT)
        return ferry_make_error (err, errno, "cannot read registries.d directory `%s`", dir);
      *out = steal_pointer (&config);
      return 0;
    }
  while ((de = readdir (d)))
    {
      size_t len = strlen (de->d_name);
      if (len > 5 && strcmp (de->d_name + len - 5, ".yaml") == 0)
        {
          names = xrealloc (names, sizeof (char *) * (n + 1));
          names[n++] = xasprintf ("%s/%s", dir, de->d_name);
        }
    }
  if (n > 1)
    qsort (names, n, sizeof (char *), compare_names);
  for (i = 0; i < n; i++)
    {
      /* The refusals quote the YAML's keys and values: one line.  */
      if (ret == 0 && load_registries_file (names[i], config, err) < 0)
        ret = ferry_error_one_line (err);
      free (names[i]);
    }
  free (names);
  if (ret == 0)
    *out = steal_pointer (&config);
  return ret;
}

static char *
builtin_lookaside (void)
{
  const char *home = getenv ("HOME");

  if (geteuid () == 0 || home == NULL)
    return xstrdup ("file:///var/lib/containers/sigstore");
  return xasprintf ("file://%s/.local/share/containers/sigstore", home);
}

/* DOCKER's section named NAME into *SECTION, if it has KEY (or KEY is NULL).  */
static int
section_named (json_object *docker, const char *name, const char *key, json_object **section)
{
  return json_object_object_get_ex (docker, name, section)
         && (key == NULL || json_object_object_get_ex (*section, key, NULL));
}

/* The most precise section of DOCKER for REF (the same namespaces as the
 * policy's, policy.c) that has KEY, or any when KEY is NULL: as
 * containers/image looks up lookasides and use-sigstore-attachments.  */
static json_object *
matching_section (json_object *docker, const struct ferry_reference *ref, const char *key)
{
  cleanup_free char *full = ferry_reference_string (ref);
  cleanup_free char *name = ferry_reference_name (ref);
  json_object *section;
  char *slash, *colon, *dot;

  if (section_named (docker, full, key, &section))
    return section;
  for (;;)
    {
      if (section_named (docker, name, key, &section))
        return section;
      slash = strrchr (name, '/');
      if (slash == NULL)
        break;
      *slash = '\0';
    }
  colon = strchr (name, ':');
  if (colon)
    *colon = '\0';
  for (dot = strchr (name, '.'); dot; dot = strchr (dot + 1, '.'))
    {
      cleanup_free char *wild = xasprintf ("*.%s", dot + 1);
      if (section_named (docker, wild, key, &section))
        return section;
    }
  return NULL;
}

int
ferry_registries_d_sigstore_attachments (const char *dir, const struct ferry_reference *ref, int *use,
                                         ferry_error_t *err)
{
  cleanup_json json_object *config = NULL;
  json_object *section, *v;

  *use = 0;
  if (load_registries_d (dir, &config, err) < 0)
    return -1;
  section = matching_section (ferry_json_get_object (config, "docker"), ref, "use-sigstore-attachments");
  if (section == NULL)
    section = ferry_json_get_object (config, "default-docker");
  if (section && json_object_object_get_ex (section, "use-sigstore-attachments", &v))
    *use = json_object_get_boolean (v);
  return 0;
}

static const char *
section_url (json_object *section, int write)
{
  const char *url = NULL;

  if (write)
    {
      url = ferry_json_get_string (section, "lookaside-staging");
      if (url == NULL)
        url = ferry_json_get_string (section, "sigstore-staging");
    }
  if (url == NULL)
    url = ferry_json_get_string (section, "lookaside");
  if (url == NULL)
    url = ferry_json_get_string (section, "sigstore");
  return url;
}

int
ferry_lookaside_url (const char *dir, const struct ferry_reference *ref, int write, char **url,
                     ferry_error_t *err)
{
  cleanup_json json_object *config = NULL;
  json_object *section;
  const char *u;

  *url = NULL;
  if (load_registries_d (dir, &config, err) < 0)
    return -1;
  section = matching_section (ferry_json_get_object (config, "docker"), ref, NULL);
  if (section == NULL)
    section = ferry_json_get_object (config, "default-docker");
  if (section == NULL)
    {
      *url = builtin_lookaside ();
      return 0;
    }
  u = section_url (section, write);
  if (u)
    *url = xstrdup (u);
  return 0;
}

int
ferry_lookaside_all (const char *dir, json_object **out, ferry_error_t *err)
{
  cleanup_json json_object *config = NULL;
  json_object *res = json_object_new_object (), *def;

  if (load_registries_d (dir, &config, err) < 0)
    {
      json_object_put (res);
      return -1;
    }
  {
    json_object_object_foreach (ferry_json_get_object (config, "docker"), scope, section)
    {
      const char *u = section_url (section, 0);
      json_object_object_add (res, scope, json_object_new_string (u ? u : ""));
    }
  }
  def = ferry_json_get_object (config, "default-docker");
  if (def && section_url (def, 0))
    json_object_object_add (res, "", json_object_new_string (section_url (def, 0)));
  *out = res;
  return 0;
}

/* ---- lookaside reading and writing -------------------------------------------------- */

static int
is_http_url (const char *url)
{
  return strncmp (url, "http://", 7) == 0 || strncmp (url, "https://", 8) == 0;
}

static int
file_url_path (const char *url, const char **path, ferry_error_t *err)
{
  if (strncmp (url, "file://", 7) == 0 && url[7] == '/')
    {
      *path = url + 7;
      return 0;
    }
  return ferry_make_error (err, 0, "unsupported lookaside URL %s: use file:///DIR, http:// or https://", url);
}

static char *
signature_dir (const char *base, const struct ferry_reference *ref, const char *digest)
{
  const char *colon = strchr (digest, ':');
  size_t blen = strlen (base);

  while (blen > 1 && base[blen - 1] == '/')
    blen--;
  return xasprintf ("%.*s/%s@%.*s=%s", (int) blen, base, ref->repository, (int) (colon - digest), digest,
                    colon + 1);
}

static int
valid_digest (const char *digest)
{
  size_t i;

  if (digest == NULL || strncmp (digest, "sha256:", 7) != 0 || strlen (digest) != 71)
    return 0;
  for (i = 7; i < 71; i++)
    if (! ((digest[i] >= '0' && digest[i] <= '9') || (digest[i] >= 'a' && digest[i] <= 'f')))
      return 0;
  return 1;
}

static int
read_whole (int fd, size_t size, char **data, size_t *len)
{
  char *buf = xmalloc (size + 1);
  size_t got = 0;

  while (got < size)
    {
      ssize_t r = read (fd, buf + got, size - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          free (buf);
          if (r == 0)
            errno = EIO;
          return -1;
        }
      got += (size_t) r;
    }
  buf[got] = '\0';
  *data = buf;
  *len = got;
  return 0;
}

static int
too_many_signatures (ferry_error_t *err)
{
  return ferry_make_error (err, 0,
                           "server provided %d signatures, assuming that's unreasonable and a server error",
                           SIGNATURES_MAX);
}

static void
signatures_add (struct ferry_signature **sigs, size_t *n, struct ferry_signature s)
{
  *sigs = xrealloc (*sigs, sizeof (**sigs) * (*n + 1));
  (*sigs)[(*n)++] = s;
}

/* signature-1, -2, ... of DIR (a URL) until the server answers 404.  */
static int
signatures_read_http (const char *dir, ferry_registry_t *reg, struct ferry_signature **sigs, size_t *n,
                      ferry_error_t *err)
{
  size_t i;

  if (reg == NULL)
    return ferry_make_error (err, 0, "cannot read signatures from %s here: no HTTP session", dir);
  for (i = 1;; i++)
    {
      cleanup_free char *url = xasprintf ("%s/signature-%zu", dir, i);
      struct ferry_http_request req = { .method = "GET", .url = url, .max_body = SIGNATURE_MAX_SIZE };
      struct ferry_http_response resp;
      struct ferry_signature s = { 0 };

      if (i > SIGNATURES_MAX)
        return too_many_signatures (err);
      if (ferry_registry_do (reg, &req, &resp, err) < 0)
        return ferry_error_wrap (err, "reading signature from %s", url);
      if (resp.status == 404)
        {
          ferry_http_response_free (&resp);
          return 0;
        }
      if (resp.status != 200 || resp.too_large)
        {
          long status = resp.status;
          int too_large = resp.too_large;
          ferry_http_response_free (&resp);
          if (too_large)
            return ferry_make_error (err, 0, "reading signature from %s: it is larger than 4 MiB", url);
          return ferry_make_error (err, 0, "reading signature from %s: the server answered HTTP %ld", url,
                                   status);
        }
      s.data = steal_pointer (&resp.body);
      s.len = resp.body_len;
      s.where = steal_pointer (&url);
      ferry_http_response_free (&resp);
      signatures_add (sigs, n, s);
    }
}

int
ferry_signatures_read (const char *base, const struct ferry_reference *ref, const char *digest,
                       ferry_registry_t *reg, struct ferry_signature **sigs, size_t *n, ferry_error_t *err)
{
  cleanup_free char *dir = NULL;
  const char *path = NULL;
  size_t i;

  *sigs = NULL;
  *n = 0;
  if (! valid_digest (digest))
    return ferry_make_error (err, 0, "invalid manifest digest `%s`", digest ? digest : "");
  if (is_http_url (base))
    {
      dir = signature_dir (base, ref, digest);
      if (signatures_read_http (dir, reg, sigs, n, err) == 0)
        return 0;
      ferry_signatures_free (*sigs, *n);
      *sigs = NULL;
      *n = 0;
      return -1;
    }
  if (file_url_path (base, &path, err) < 0)
    return -1;
  dir = signature_dir (path, ref, digest);
  for (i = 1;; i++)
    {
      cleanup_free char *file = xasprintf ("%s/signature-%zu", dir, i);
      /* Not blocking: a FIFO there would hold the open until a writer
       * came; it is refused below as no regular file.  */
      cleanup_close int fd = open (file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
      struct stat st;
      struct ferry_signature s = { 0 };

      if (fd < 0 && errno == ENOENT)
        return 0;
      if (i > SIGNATURES_MAX)
        {
          too_many_signatures (err);
          goto fail;
        }
      if (fd < 0 || fstat (fd, &st) < 0)
        {
          ferry_make_error (err, errno, "cannot read signature `%s`", file);
          goto fail;
        }
      if (! S_ISREG (st.st_mode) || st.st_size > SIGNATURE_MAX_SIZE)
        {
          ferry_make_error (err, 0, "signature `%s` is not a regular file of at most 4 MiB", file);
          goto fail;
        }
      if (read_whole (fd, (size_t) st.st_size, &s.data, &s.len) < 0)
        {
          ferry_make_error (err, errno, "cannot read signature `%s`", file);
          goto fail;
        }
      s.where = steal_pointer (&file);
      signatures_add (sigs, n, s);
    }
fail:
  ferry_signatures_free (*sigs, *n);
  *sigs = NULL;
  *n = 0;
  return -1;
}

void
ferry_signatures_free (struct ferry_signature *sigs, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    {
      free (sigs[i].data);
      free (sigs[i].where);
    }
  free (sigs);
}

int
ferry_signature_store (const char *dir, const struct ferry_reference *ref, const char *digest,
                       const char *sig, size_t len, char **path, ferry_error_t *err)
{
  cleanup_free char *sdir = NULL, *tmp = NULL;
  cleanup_close int fd = -1;
  size_t i;

  if (! valid_digest (digest))
    return ferry_make_error (err, 0, "invalid manifest digest `%s`", digest ? digest : "");
  sdir = signature_dir (dir, ref, digest);
  if (ferry_mkdir_p (sdir, 0755, err) < 0)
    return -1;
  sweep_dead (sdir, ".signature-");
  {
    cleanup_free char *prefix = owned_prefix (".signature-");
    tmp = xasprintf ("%s/%sXXXXXX", sdir, prefix);
  }
  fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot write a signature in `%s`", sdir);
  if (ferry_write_all (fd, sig, len) < 0 || fchmod (fd, 0644) < 0 || fsync (fd) < 0)
    {
      ferry_make_error (err, errno, "cannot write a signature in `%s`", sdir);
      unlink (tmp);
      return -1;
    }
  /* link() takes the first free number even when another signer races.  */
  for (i = 1; i < 100000; i++)
    {
      cleanup_free char *file = xasprintf ("%s/signature-%zu", sdir, i);
      if (link (tmp, file) == 0)
        {
          unlink (tmp);
          cleanup_error ferry_error_t ignored = NULL;
          ferry_fsync_path (sdir, &ignored);
          if (path)
            *path = steal_pointer (&file);
          return 0;
        }
      if (errno != EEXIST)
        {
          ferry_make_error (err, errno, "cannot store signature `%s`", file);
          unlink (tmp);
          return -1;
        }
    }
  unlink (tmp);
  return ferry_make_error (err, 0, "too many signatures in `%s`", sdir);
}

/* ---- gpg ---------------------------------------------------------------------------- */

/* Runs ARGV with stdin from /dev/null and stdout, stderr into files;
 * returns the exit status (or -1 with ERR).  */
static int
run_tool (char *const *argv, const char *out_path, const char *err_path, char *const *envp,
          ferry_error_t *err)
{
  posix_spawn_file_actions_t fa;
  pid_t pid;
  int status, r;

  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen (&fa, STDOUT_FILENO, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen (&fa, STDERR_FILENO, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  r = posix_spawnp (&pid, argv[0], &fa, NULL, argv, envp ? envp : environ);
  posix_spawn_file_actions_destroy (&fa);
  if (r != 0)
    return ferry_make_error (err, r, "cannot run %s (install GnuPG)", argv[0]);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return ferry_make_error (err, errno, "waiting for %s", argv[0]);
  if (! WIFEXITED (status))
    return 128 + (WIFSIGNALED (status) ? WTERMSIG (status) : 0);
  return WEXITSTATUS (status);
}

/* What gpgv may spend on one signature: a signature's content may be
 * compressed, in packets compressed again, and gpgv unpacks it before it
 * knows which key made it, so a few KiB from anyone could unpack to
 * gigabytes of content, or of packets it skips for hours.  Checking a
 * real one takes milliseconds and writes a few KiB.  */
#define GPGV_MAX_CPU_SECONDS 5
#define GPGV_MAX_FILE_SIZE SIGNATURE_MAX_SIZE

/* Lowers RESOURCE of PID to SOFT and HARD, never raising what it has
 * (a ferry run under a lower ulimit passes that on).  */
static int
limit_child (pid_t pid, int resource, rlim_t soft, rlim_t hard)
{
  struct rlimit cur, want;

  if (prlimit (pid, resource, NULL, &cur) < 0)
    return -1;
  want.rlim_max = MIN (hard, cur.rlim_max);
  want.rlim_cur = MIN (MIN (soft, cur.rlim_cur), want.rlim_max);
  return prlimit (pid, resource, &want, NULL);
}

/* Runs gpgv's ARGV, which writes the signed content to its standard
 * output and its status lines to fd 3: those into STATUS_PATH, its
 * standard error into ERR_PATH, and *OUT (of *OUT_LEN bytes) gets the
 * content.  Past SIGNATURE_MAX_SIZE of content or GPGV_MAX_CPU_SECONDS
 * gpgv is stopped, and ERR says, as a signature WHERE ferry cannot parse.
 * Returns gpgv's exit status as run_tool does, or -1 with ERR.  */
static int
run_gpgv (char *const *argv, const char *where, const char *status_path, const char *err_path, char **out,
          size_t *out_len, ferry_error_t *err)
{
  posix_spawn_file_actions_t fa;
  cleanup_close int rfd = -1;
  cleanup_free char *buf = NULL;
  size_t got = 0, allocated = 0;
  int p[2], status, r, read_errno = 0;
  pid_t pid;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot create a pipe");
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2 (&fa, p[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen (&fa, 3, status_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen (&fa, STDERR_FILENO, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  r = posix_spawnp (&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  close (p[1]);
  rfd = p[0];
  if (r != 0)
    return ferry_make_error (err, r, "cannot run %s (install GnuPG)", argv[0]);
  /* Set as it starts: what it did before is far below either.  */
  if (limit_child (pid, RLIMIT_CPU, GPGV_MAX_CPU_SECONDS, GPGV_MAX_CPU_SECONDS + 1) < 0
      || limit_child (pid, RLIMIT_FSIZE, GPGV_MAX_FILE_SIZE, GPGV_MAX_FILE_SIZE) < 0)
    {
      r = errno;
      kill (pid, SIGKILL);
      while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
        ;
      return ferry_make_error (err, r, "cannot limit %s", argv[0]);
    }
  while (got <= SIGNATURE_MAX_SIZE)
    {
      ssize_t n;

      if (allocated - got < 4096)
        {
          allocated = allocated ? allocated * 2 : 65536;
          buf = xrealloc (buf, allocated + 1);
        }
      n = read (rfd, buf + got, allocated - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          read_errno = n < 0 ? errno : 0;
          break;
        }
      got += (size_t) n;
    }
  if (got > SIGNATURE_MAX_SIZE || read_errno)
    kill (pid, SIGKILL);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return ferry_make_error (err, errno, "waiting for %s", argv[0]);
  if (got > SIGNATURE_MAX_SIZE)
    return ferry_make_error (err, 0, "parsing signature \"%s\": its signed content is larger than %d MiB",
                             where, SIGNATURE_MAX_SIZE >> 20);
  if (WIFSIGNALED (status) && (WTERMSIG (status) == SIGXCPU || WTERMSIG (status) == SIGKILL))
    return ferry_make_error (err, 0,
                             "parsing signature \"%s\": verifying it took %s more than %d s of CPU time",
                             where, argv[0], GPGV_MAX_CPU_SECONDS);
  if (WIFSIGNALED (status) && WTERMSIG (status) == SIGXFSZ)
    return ferry_make_error (err, 0, "parsing signature \"%s\": %s wrote more than %d MiB about it", where,
                             argv[0], GPGV_MAX_FILE_SIZE >> 20);
  if (read_errno)
    return ferry_make_error (err, read_errno, "cannot read what %s verified", argv[0]);
  buf[got] = '\0';
  *out = steal_pointer (&buf);
  *out_len = got;
  if (! WIFEXITED (status))
    return 128 + (WIFSIGNALED (status) ? WTERMSIG (status) : 0);
  return WEXITSTATUS (status);
}

static char *
private_tmpdir (ferry_error_t *err)
{
  const char *t = getenv ("TMPDIR");
  const char *parent = t && *t == '/' ? t : "/tmp";
  cleanup_free char *prefix = owned_prefix ("ferry-gpg-");

  sweep_dead (parent, "ferry-gpg-");
  return ferry_mkdtemp_in (parent, prefix, err);
}

/* OpenPGP ASCII armor (RFC 4880 section 6.2) to binary, appended to OUT;
 * binary keys are appended as they are.  */
static int
append_key (const char *data, size_t len, FILE *out, const char *what, ferry_error_t *err)
{
  const char *p = data, *end = data + len;
  int blocks = 0;

  if (len > 0 && ((unsigned char) data[0] & 0x80))
    return fwrite (data, 1, len, out) == len ? 0 : ferry_make_error (err, errno, "cannot write keyring");
  while ((p = memmem (p, (size_t) (end - p), "-----BEGIN PGP ", 15)) != NULL)
    {
      cleanup_free char *b64 = xmalloc (len + 1);
      size_t n = 0;
      unsigned char *bin;
      ssize_t got;
      int in_body = 0;
      const char *line = memchr (p, '\n', (size_t) (end - p));

      while (line && line < end)
        {
          const char *next, *eol;
          line++;
          eol = memchr (line, '\n', (size_t) (end - line));
          if (eol == NULL)
            eol = end;
          next = eol;
          while (eol > line && (eol[-1] == '\r' || eol[-1] == ' '))
            eol--;
          if (eol - line >= 5 && strncmp (line, "-----", 5) == 0)
            {
              p = next;
              break;
            }
          if (! in_body)
            {
              if (eol == line)
                in_body = 1;
              else if (memchr (line, ':', (size_t) (eol - line)) == NULL)
                {
                  in_body = 1;
                  memcpy (b64 + n, line, (size_t) (eol - line));
                  n += (size_t) (eol - line);
                }
            }
          else if (! (eol - line == 5 && line[0] == '='))
            {
              memcpy (b64 + n, line, (size_t) (eol - line));
              n += (size_t) (eol - line);
            }
          line = next < end ? next : NULL;
          if (line == NULL)
            p = end;
        }
      b64[n] = '\0';
      if (n == 0 || n % 4 != 0)
        return ferry_make_error (err, 0, "%s: invalid ASCII-armored key", what);
      bin = xmalloc (ferry_base64_decoded_max (n));
      got = ferry_base64_decode_to (FERRY_BASE64_STD, 0, b64, n, bin, NULL);
      if (got < 0 || fwrite (bin, 1, (size_t) got, out) != (size_t) got)
        {
          free (bin);
          return ferry_make_error (err, 0, "%s: invalid ASCII-armored key", what);
        }
      free (bin);
      blocks++;
      if (p >= end)
        break;
    }
  if (blocks == 0)
    return ferry_make_error (err, 0, "%s: not an OpenPGP key", what);
  return 0;
}

static int
write_keyring (const struct ferry_signature_keys *keys, const char *path, ferry_error_t *err)
{
  cleanup_fclose FILE *f = fopen (path, "we");
  size_t i;

  if (f == NULL)
    return ferry_make_error (err, errno, "cannot create `%s`", path);
  for (i = 0; i < keys->n_paths; i++)
    {
      cleanup_free char *data = NULL;
      size_t len = 0;
      if (ferry_read_file_max (keys->paths[i], FERRY_POLICY_MAX_FILE, &data, &len, err) < 0)
        return -1;
      if (append_key (data, len, f, keys->paths[i], err) < 0)
        return -1;
    }
  if (keys->data && append_key (keys->data, keys->data_len, f, "keyData", err) < 0)
    return -1;
  if (fflush (f) != 0)
    return ferry_make_error (err, errno, "cannot write `%s`", path);
  return 0;
}

/* containers/image tells the historical format (a bare OpenPGP message)
 * from the newer one ("\0simple-signing\n" first) by the first byte.  */
static int
signature_blob (const struct ferry_signature *sig, const char **data, size_t *len, ferry_error_t *err)
{
  static const char prefix[] = "\0simple-signing\n";

  if (sig->len == 0)
    return ferry_make_error (err, 0, "parsing signature \"%s\": empty signature blob", sig->where);
  if ((unsigned char) sig->data[0] & 0x80)
    {
      *data = sig->data;
      *len = sig->len;
      return 0;
    }
  if (sig->len > sizeof (prefix) - 1 && memcmp (sig->data, prefix, sizeof (prefix) - 1) == 0)
    {
      *data = sig->data + sizeof (prefix) - 1;
      *len = sig->len - (sizeof (prefix) - 1);
      return 0;
    }
  return ferry_make_error (
      err, 0, "parsing signature \"%s\": unrecognized signature format, starting with binary %#x", sig->where,
      (unsigned) (unsigned char) sig->data[0]);
}

/* What gpgv's status lines say went wrong.  */
static char *
gpgv_reason (const char *status, const char *stderr_text)
{
  static const struct
  {
    const char *tag, *before, *after;
  } known[] = {
    { "[GNUPG:] BADSIG ", "bad signature by key ", "" },
    { "[GNUPG:] EXPKEYSIG ", "signed by the expired key ", "" },
    { "[GNUPG:] REVKEYSIG ", "signed by the revoked key ", "" },
    { "[GNUPG:] EXPSIG ", "expired signature by key ", "" },
    { "[GNUPG:] NO_PUBKEY ", "signed by key ", ", which the policy does not trust" },
  };
  size_t i;

  for (i = 0; i < sizeof (known) / sizeof (known[0]); i++)
    {
      const char *at = strstr (status, known[i].tag);
      if (at)
        {
          const char *id = at + strlen (known[i].tag);
          size_t idlen = strcspn (id, " \n");
          cleanup_free char *key = xstrndup (id, idlen);
          return xasprintf ("%s%s%s", known[i].before, key, known[i].after);
        }
    }
  if (strstr (status, "[GNUPG:] NODATA"))
    return xstrdup ("not an OpenPGP signature");
  {
    size_t n = strlen (stderr_text);
    const char *last;
    while (n > 0 && stderr_text[n - 1] == '\n')
      n--;
    last = n ? memrchr (stderr_text, '\n', n) : NULL;
    last = last ? last + 1 : stderr_text;
    return n ? xstrndup (last, (size_t) (stderr_text + n - last)) : xstrdup ("gpgv refused it");
  }
}

int
ferry_signature_verify (const struct ferry_signature_keys *keys, const struct ferry_signature *sig,
                        char **payload, size_t *payload_len, ferry_error_t *err)
{
  cleanup_free char *tmp = NULL, *keyring = NULL, *sig_path = NULL, *status_path = NULL, *err_path = NULL,
                    *status = NULL, *stderr_text = NULL, *content = NULL;
  const char *blob = NULL;
  size_t blob_len = 0, len, content_len = 0;
  int rc, ret = -1;

  *payload = NULL;
  if (signature_blob (sig, &blob, &blob_len, err) < 0)
    return -1;
  tmp = private_tmpdir (err);
  if (tmp == NULL)
    return -1;
  keyring = xasprintf ("%s/keyring.gpg", tmp);
  sig_path = xasprintf ("%s/signature", tmp);
  status_path = xasprintf ("%s/status", tmp);
  err_path = xasprintf ("%s/stderr", tmp);
  if (write_keyring (keys, keyring, err) < 0
      || ferry_write_file_atomic (sig_path, blob, blob_len, 0600, err) < 0)
    goto out;
  {
    char *argv[] = { "gpgv", "--homedir", tmp, "--keyring", keyring, "--status-fd",
                     "3",    "--output",  "-", sig_path,    NULL };
    rc = run_gpgv (argv, sig->where, status_path, err_path, &content, &content_len, err);
  }
  if (rc < 0)
    goto out;
  if (ferry_read_file (status_path, &status, &len, err) < 0
      || ferry_read_file (err_path, &stderr_text, &len, err) < 0)
    goto out;
  if (rc != 0 || strstr (status, "[GNUPG:] VALIDSIG ") == NULL
      || strstr (status, "[GNUPG:] GOODSIG ") == NULL)
    {
      cleanup_free char *why = gpgv_reason (status, stderr_text);
      ferry_make_error (err, 0, "Invalid GPG signature: %s", why);
      goto out;
    }
  *payload = steal_pointer (&content);
  *payload_len = content_len;
  ret = 0;
out:
  ferry_rm_rf_quietly (tmp);
  return ret;
}

/* ---- the payload -------------------------------------------------------------------- */

static int
only_members (json_object *o, const char *const *known, const char *what, ferry_error_t *err)
{
  json_object_object_foreach (o, key, val)
  {
    size_t i;
    (void) val;
    for (i = 0; known[i]; i++)
      if (strcmp (key, known[i]) == 0)
        break;
    if (known[i] == NULL)
      return ferry_make_error (err, 0, "Invalid signature format: %s has an unknown member \"%s\"", what,
                               key);
  }
  return 0;
}

static json_object *
member_object (json_object *o, const char *key, const char *what, ferry_error_t *err)
{
  json_object *v;

  if (! json_object_object_get_ex (o, key, &v) || ! json_object_is_type (v, json_type_object))
    {
      ferry_make_error (err, 0, "Invalid signature format: %s.%s is missing or not an object", what, key);
      return NULL;
    }
  return v;
}

static const char *
member_string (json_object *o, const char *key, const char *what, ferry_error_t *err)
{
  json_object *v;
  const char *s;

  if (! json_object_object_get_ex (o, key, &v) || (s = ferry_json_string_value (v)) == NULL)
    {
      ferry_make_error (err, 0, "Invalid signature format: %s.%s is missing or not a string", what, key);
      return NULL;
    }
  return s;
}

/* Parses a reference as containers/image's ParseNormalizedNamed would:
 * *NAME_ONLY says whether it had neither tag nor digest.  */
static int
parse_ref (const char *s, struct ferry_reference *r, int *name_only, ferry_error_t *err)
{
  const char *slash = strrchr (s, '/');

  *name_only = strchr (s, '@') == NULL && strchr (slash ? slash : s, ':') == NULL;
  return ferry_reference_parse (s, FERRY_REFERENCE_DEFAULT_DOCKER_IO, r, err);
}

static int
same_name (const struct ferry_reference *a, const struct ferry_reference *b)
{
  return strcmp (a->registry, b->registry) == 0 && strcmp (a->repository, b->repository) == 0;
}

static int
same_exact (const struct ferry_reference *a, const struct ferry_reference *b)
{
  cleanup_free char *sa = ferry_reference_string (a);
  cleanup_free char *sb = ferry_reference_string (b);
  return strcmp (sa, sb) == 0;
}

static int
repo_digest_or_exact (const struct ferry_reference *intended, const struct ferry_reference *signed_ref,
                      int signed_name_only)
{
  if (intended->digest)
    return same_name (intended, signed_ref);
  return ! signed_name_only && same_exact (intended, signed_ref);
}

/* remapIdentity: INTENDED with PREFIX replaced by SIGNED_PREFIX when its
 * name starts with PREFIX at a component boundary.  */
static int
remap (const struct ferry_reference *intended, const char *prefix, const char *signed_prefix,
       struct ferry_reference *out, int *remapped, ferry_error_t *err)
{
  cleanup_free char *s = ferry_reference_string (intended);
  size_t n = strlen (prefix);
  cleanup_free char *re = NULL;

  *remapped = 0;
  if (strncmp (s, prefix, n) != 0 || (s[n] != '\0' && s[n] != '/' && s[n] != ':' && s[n] != '@'))
    return 0;
  re = xasprintf ("%s%s", signed_prefix, s + n);
  if (ferry_reference_parse (re, FERRY_REFERENCE_DEFAULT_DOCKER_IO, out, err) < 0)
    return -1;
  *remapped = 1;
  return 0;
}

static int
identity_accepts (json_object *identity, const struct ferry_reference *intended,
                  const struct ferry_reference *signed_ref, int signed_name_only, ferry_error_t *err)
{
  const char *type = identity ? ferry_json_get_string (identity, "type") : "matchRepoDigestOrExact";

  if (strcmp (type, "matchRepoDigestOrExact") == 0)
    return repo_digest_or_exact (intended, signed_ref, signed_name_only);
  if (strcmp (type, "matchExact") == 0)
    return ! signed_name_only && same_exact (intended, signed_ref);
  if (strcmp (type, "matchRepository") == 0)
    return same_name (intended, signed_ref);
  if (strcmp (type, "exactReference") == 0 || strcmp (type, "exactRepository") == 0)
    {
      struct ferry_reference want = { 0 };
      int name_only, r;
      const char *s = ferry_json_get_string (
          identity, strcmp (type, "exactReference") == 0 ? "dockerReference" : "dockerRepository");
      if (parse_ref (s, &want, &name_only, err) < 0)
        return -1;
      if (strcmp (type, "exactReference") == 0)
        r = ! signed_name_only && same_exact (&want, signed_ref);
      else
        r = same_name (&want, signed_ref);
      ferry_reference_free (&want);
      return r;
    }
  if (strcmp (type, "remapIdentity") == 0)
    {
      struct ferry_reference re = { 0 };
      int remapped, r;
      if (remap (intended, ferry_json_get_string (identity, "prefix"),
                 ferry_json_get_string (identity, "signedPrefix"), &re, &remapped, err)
          < 0)
        return -1;
      r = repo_digest_or_exact (remapped ? &re : intended, signed_ref, signed_name_only);
      ferry_reference_free (&re);
      return r;
    }
  return 0;
}

int
ferry_signature_identity_accepts (json_object *identity, const struct ferry_reference *intended,
                                  const char *signed_ref, ferry_error_t *err)
{
  struct ferry_reference parsed = { 0 };
  int name_only, ok;

  if (parse_ref (signed_ref, &parsed, &name_only, err) < 0)
    {
      /* A reference that does not parse matches nothing.  */
      ferry_error_release (err);
      return 0;
    }
  ok = identity_accepts (identity, intended, &parsed, name_only, err);
  ferry_reference_free (&parsed);
  return ok;
}

static int
check_payload (const char *payload, size_t len, const char *digest, const struct ferry_reference *intended,
               json_object *identity, ferry_error_t *err)
{
  static const char *const top[] = { "critical", "optional", NULL };
  static const char *const critical_keys[] = { "type", "image", "identity", NULL };
  static const char *const image_keys[] = { "docker-manifest-digest", NULL };
  static const char *const identity_keys[] = { "docker-reference", NULL };
  cleanup_json json_object *root = NULL;
  json_object *critical, *image, *ident, *optional;
  const char *type, *signed_digest, *signed_ref;
  struct ferry_reference parsed = { 0 };
  int name_only, ok;

  root = ferry_json_parse (payload, len, "the signature's payload", err);
  if (root == NULL)
    return ferry_error_wrap (err, "Invalid signature format");
  if (! json_object_is_type (root, json_type_object))
    return ferry_make_error (err, 0, "Invalid signature format: the payload is not a JSON object");
  if (only_members (root, top, "the payload", err) < 0)
    return -1;
  if (json_object_object_get_ex (root, "optional", &optional)
      && ! json_object_is_type (optional, json_type_object))
    return ferry_make_error (err, 0, "Invalid signature format: optional is not an object");
  critical = member_object (root, "critical", "the payload", err);
  if (critical == NULL || only_members (critical, critical_keys, "critical", err) < 0)
    return -1;
  type = member_string (critical, "type", "critical", err);
  if (type == NULL)
    return -1;
  if (strcmp (type, "atomic container signature") != 0)
    return ferry_make_error (err, 0, "Unrecognized signature type %s", type);
  image = member_object (critical, "image", "critical", err);
  if (image == NULL || only_members (image, image_keys, "critical.image", err) < 0)
    return -1;
  ident = member_object (critical, "identity", "critical", err);
  if (ident == NULL || only_members (ident, identity_keys, "critical.identity", err) < 0)
    return -1;
  signed_digest = member_string (image, "docker-manifest-digest", "critical.image", err);
  signed_ref = signed_digest ? member_string (ident, "docker-reference", "critical.identity", err) : NULL;
  if (signed_ref == NULL)
    return -1;
  if (digest == NULL || strcmp (signed_digest, digest) != 0)
    return ferry_make_error (err, 0, "Signature for digest %s does not match", signed_digest);
  if (parse_ref (signed_ref, &parsed, &name_only, err) < 0)
    {
      ferry_error_release (err);
      return ferry_make_error (err, 0, "Invalid signature format: invalid docker-reference \"%s\"",
                               signed_ref);
    }
  ok = identity_accepts (identity, intended, &parsed, name_only, err);
  ferry_reference_free (&parsed);
  if (ok < 0)
    return -1;
  if (! ok)
    return ferry_make_error (err, 0, "Signature for identity \"%s\" is not accepted", signed_ref);
  return 0;
}

int
ferry_signature_check_payload (const char *payload, size_t len, const char *digest,
                               const struct ferry_reference *intended, json_object *identity,
                               ferry_error_t *err)
{
  /* The refusals quote the payload's members: escaped, one line.  */
  if (check_payload (payload, len, digest, intended, identity, err) < 0)
    return ferry_error_one_line (err);
  return 0;
}

/* ---- signing ------------------------------------------------------------------------ */

char *
ferry_signature_payload_new (const char *type, const char *ref_string, const char *digest)
{
  cleanup_json json_object *root = json_object_new_object ();
  json_object *critical = json_object_new_object (), *identity = json_object_new_object (),
              *image = json_object_new_object (), *optional = json_object_new_object ();

  /* Members in the order Go's encoding/json writes a map: sorted.  */
  json_object_object_add (identity, "docker-reference", json_object_new_string (ref_string));
  json_object_object_add (image, "docker-manifest-digest", json_object_new_string (digest));
  json_object_object_add (critical, "identity", identity);
  json_object_object_add (critical, "image", image);
  json_object_object_add (critical, "type", json_object_new_string (type));
  json_object_object_add (optional, "creator", json_object_new_string ("ferry " FERRY_VERSION));
  json_object_object_add (optional, "timestamp", json_object_new_int64 ((int64_t) time (NULL)));
  json_object_object_add (root, "critical", critical);
  json_object_object_add (root, "optional", optional);
  return xstrdup (ferry_json_to_string (root, 0));
}

int
ferry_signature_sign (const char *key_id, const char *passphrase, const char *ref_string, const char *digest,
                      char **sig, size_t *len, ferry_error_t *err)
{
  cleanup_free char *text = ferry_signature_payload_new ("atomic container signature", ref_string, digest);
  cleanup_free char *tmp = NULL, *in = NULL, *out = NULL, *out_log = NULL, *err_log = NULL, *pass = NULL;
  int rc, ret = -1;

  *sig = NULL;

  tmp = private_tmpdir (err);
  if (tmp == NULL)
    return -1;
  in = xasprintf ("%s/payload", tmp);
  out = xasprintf ("%s/signature", tmp);
  out_log = xasprintf ("%s/stdout", tmp);
  err_log = xasprintf ("%s/stderr", tmp);
  if (ferry_write_file_atomic (in, text, strlen (text), 0600, err) < 0)
    goto out;
  if (passphrase)
    {
      /* A file in the private directory, never an argument: ps shows
       * those.  */
      pass = xasprintf ("%s/passphrase", tmp);
      if (ferry_write_file_atomic (pass, passphrase, strlen (passphrase), 0600, err) < 0)
        goto out;
    }
  {
    char *argv[16];
    size_t n = 0;

    argv[n++] = "gpg";
    argv[n++] = "--batch";
    argv[n++] = "--no-tty";
    argv[n++] = "--yes";
    if (pass)
      {
        argv[n++] = "--pinentry-mode";
        argv[n++] = "loopback";
        argv[n++] = "--passphrase-file";
        argv[n++] = pass;
      }
    argv[n++] = "--local-user";
    argv[n++] = (char *) key_id;
    argv[n++] = "--output";
    argv[n++] = out;
    argv[n++] = "--sign";
    argv[n++] = in;
    argv[n] = NULL;
    rc = run_tool (argv, out_log, err_log, NULL, err);
  }
  if (rc < 0)
    goto out;
  if (rc != 0)
    {
      cleanup_free char *text_err = NULL;
      cleanup_free char *why = NULL;
      size_t n = 0;
      cleanup_error ferry_error_t ignored = NULL;
      ferry_read_file (err_log, &text_err, &n, &ignored);
      why = gpgv_reason ("", text_err ? text_err : "");
      ferry_make_error (err, 0, "signing with key %s: %s", key_id, why);
      goto out;
    }
  if (ferry_read_file (out, sig, len, err) < 0)
    goto out;
  ret = 0;
out:
  ferry_rm_rf_quietly (tmp);
  return ret;
}

/* ---- key identities ----------------------------------------------------------------- */

static void
ids_add (char ***ids, size_t *n, char *s)
{
  *ids = xrealloc (*ids, sizeof (char *) * (*n + 2));
  (*ids)[(*n)++] = s;
  (*ids)[*n] = NULL;
}

int
ferry_gpg_key_ids (const char *path, const void *data, size_t len, char ***ids)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *tmp = NULL, *file = NULL, *out = NULL, *err_path = NULL, *listing = NULL;
  size_t n = 0, got = 0;
  char *line, *save = NULL;
  int rc;

  *ids = xmalloc0 (sizeof (char *));
  tmp = private_tmpdir (&err);
  if (tmp == NULL)
    return -1;
  out = xasprintf ("%s/stdout", tmp);
  err_path = xasprintf ("%s/stderr", tmp);
  if (path == NULL)
    {
      file = xasprintf ("%s/key", tmp);
      if (ferry_write_file_atomic (file, data, len, 0600, &err) < 0)
        goto out;
      path = file;
    }
  {
    /* "--": a keyPath is the policy's, and may start with a dash.  */
    char *argv[] = { "gpg",           "--homedir",   tmp,  "--batch",     "--no-tty",
                     "--with-colons", "--show-keys", "--", (char *) path, NULL };
    rc = run_tool (argv, out, err_path, NULL, &err);
  }
  if (rc != 0 || ferry_read_file (out, &listing, &got, &err) < 0)
    goto out;
  for (line = strtok_r (listing, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *field = line, *end, *lt, *gt;
      int i;

      if (strncmp (line, "uid:", 4) != 0 && strncmp (line, "pub:", 4) != 0)
        continue;
      for (i = 0; i < 9 && field; i++)
        {
          field = strchr (field, ':');
          if (field)
            field++;
        }
      if (field == NULL || *field == ':' || *field == '\0')
        continue;
      end = strchr (field, ':');
      if (end)
        *end = '\0';
      lt = strchr (field, '<');
      gt = lt ? strchr (lt, '>') : NULL;
      if (lt && gt)
        ids_add (ids, &n, xstrndup (lt + 1, (size_t) (gt - lt - 1)));
      else
        ids_add (ids, &n, xstrdup (field));
    }
out:
  ferry_rm_rf_quietly (tmp);
  return 0;
}

int
ferry_signature_sign_store (const char *key_id, const char *passphrase, const char *dir,
                            const char *registries_d, const struct ferry_reference *ref, const char *digest,
                            ferry_error_t *err)
{
  cleanup_free char *url = NULL, *ref_string = ferry_reference_string (ref), *sig = NULL;
  size_t len = 0;

  if (dir == NULL)
    {
      if (ferry_lookaside_url (registries_d, ref, 1, &url, err) < 0)
        return -1;
      if (url == NULL)
        return ferry_make_error (err, 0,
                                 "no signature storage for %s: name a lookaside-staging or lookaside in "
                                 "registries.d",
                                 ref_string);
      if (strncmp (url, "file:///", 8) != 0)
        return ferry_make_error (err, 0, "writing to %s is not supported. Use a supported scheme", url);
      dir = url + 7;
    }
  if (ferry_signature_sign (key_id, passphrase, ref_string, digest, &sig, &len, err) < 0
      || ferry_signature_store (dir, ref, digest, sig, len, NULL, err) < 0)
    return -1;
  return 0;
}
