#include "archive_info.h"
#include "archive_record.h"
#include "trust.h"
#include "../archive/archive.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/sign.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
starts_with (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

/* Sizes by kind, from the verified entries.  */
static void
add_sizes (json_object *o, json_object *entries)
{
  int64_t checkpoint = 0, pages = 0, diff = 0;
  json_object *volumes = json_object_new_array ();
  int n = 0;

  json_object_object_foreach (entries, name, e)
  {
    int64_t size = ferry_json_get_int (e, "size", 0);

    n++;
    if (e == NULL)
      continue;
    if (starts_with (name, "checkpoint/"))
      {
        checkpoint += size;
        if (starts_with (name, "checkpoint/pages-"))
          pages += size;
      }
    else if (strcmp (name, "rootfs-diff.tar") == 0)
      diff = size;
    else if (starts_with (name, "volumes/"))
      {
        json_object *v = json_object_new_object ();
        cleanup_free char *vol = xstrndup (name + 8, strlen (name + 8) - 4);
        json_object_object_add (v, "Name", json_object_new_string (vol));
        json_object_object_add (v, "Size", json_object_new_int64 (size));
        json_object_array_add (volumes, v);
      }
  }
  json_object_object_add (o, "Entries", json_object_new_int (n));
  json_object_object_add (o, "CheckpointSize", json_object_new_int64 (checkpoint));
  json_object_object_add (o, "MemorySize", json_object_new_int64 (pages));
  json_object_object_add (o, "RootfsDiffSize", json_object_new_int64 (diff));
  json_object_object_add (o, "Volumes", volumes);
}

static json_object *
string_or_empty (const char *s)
{
  return json_object_new_string (s ? s : "");
}

/* What the container record says, once checked as a restore would.  */
static void
add_record (ferry_engine_t *e, json_object *o, json_object *dump, const char *path)
{
  json_object *rec = ferry_json_get_object (dump, "ferry");
  struct ferry_restore_request r
      = { .import_path = path, .trust_archive = 1, .plain_default_sysctls = e->config.default_sysctls };
  cleanup_error ferry_error_t err = NULL;
  json_object *ctr = json_object_new_object (), *img = json_object_new_object ();
  json_object *binds = json_object_new_array ();
  json_object *mounts;
  cleanup_free char *asks = NULL;

  json_object_object_add (o, "Container", ctr);
  json_object_object_add (o, "Image", img);
  json_object_object_add (o, "Runtime", string_or_empty (ferry_json_get_string (dump, "runtime")));
  json_object_object_add (o, "CriuVersion", string_or_empty (ferry_json_get_string (dump, "criuVersion")));
  json_object_object_add (ctr, "CheckpointedAt",
                          string_or_empty (ferry_json_get_string (dump, "checkpointedTime")));
  json_object_object_add (o, "BindMounts", binds);
  if (ferry_archive_record_check (rec, &r, &err) < 0)
    {
      /* Shown as it is: a restore would refuse it for this.  */
      json_object_object_add (o, "RecordError", json_object_new_string (err->msg));
      json_object_object_add (ctr, "Name", string_or_empty (ferry_json_get_string (dump, "name")));
      json_object_object_add (ctr, "Id", string_or_empty (ferry_json_get_string (dump, "id")));
      return;
    }
  json_object_object_add (ctr, "Id", string_or_empty (ferry_json_get_string (rec, "Id")));
  json_object_object_add (ctr, "Name", string_or_empty (ferry_json_get_string (rec, "Name")));
  json_object_object_add (ctr, "Created", string_or_empty (ferry_json_get_string (rec, "Created")));
  json_object_object_add (ctr, "Network", string_or_empty (ferry_json_get_string (rec, "Network")));
  json_object_object_add (img, "Name", string_or_empty (ferry_json_get_string (rec, "ImageName")));
  json_object_object_add (img, "Id", string_or_empty (ferry_json_get_string (rec, "ImageID")));
  json_object_object_add (img, "Digest", string_or_empty (ferry_json_get_string (rec, "ImageDigest")));
  mounts = ferry_json_get_array (rec, "Mounts");
  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      json_object *b;

      if (! ferry_json_string_equals (m, "Type", "bind"))
        continue;
      b = json_object_new_object ();
      json_object_object_add (b, "Source", string_or_empty (ferry_json_get_string (m, "Source")));
      json_object_object_add (b, "Destination", string_or_empty (ferry_json_get_string (m, "Destination")));
      json_object_object_add (
          b, "RW", json_object_new_boolean (json_object_get_boolean (json_object_object_get (m, "RW"))));
      json_object_array_add (binds, b);
    }
  asks = ferry_archive_record_privileges (rec, e->config.default_sysctls);
  json_object_object_add (o, "AsksFor", string_or_empty (asks));
}

/* Signed?  By which key?  Trusted here?  */
static int
add_signature (ferry_engine_t *e, json_object *o, const struct ferry_archive_proof *proof, const char *what,
               char *const *verify_keys, ferry_error_t *err)
{
  __attribute__ ((cleanup (ferry_trust_release))) struct ferry_trust trust = { 0 };
  cleanup_free char *named = NULL;
  cleanup_error ferry_error_t bad = NULL;
  int trusted;

  if (ferry_trust_load (e, verify_keys, &trust, err) < 0)
    return -1;
  json_object_object_add (o, "Signed", json_object_new_boolean (proof->signature != NULL));
  if (proof->signature)
    named = ferry_sign_document_key (proof->signature, proof->signature_len);
  json_object_object_add (o, "SignedBy", string_or_empty (named));
  trusted = ferry_trust_check (&trust, proof, what, NULL, &bad);
  json_object_object_add (o, "Trusted", json_object_new_boolean (trusted > 0));
  if (trusted < 0)
    json_object_object_add (o, "SignatureError", json_object_new_string (bad->msg));
  return 0;
}

static void
release_keys (struct ferry_archive_keys *k)
{
  ferry_age_keys_free ((struct ferry_age_key *) k->identities, k->n);
}

/* The recipient stanzas in the age header at the start of FD; 0 when it
 * is not encrypted.  */
static size_t
age_recipients (int fd)
{
  cleanup_free unsigned char *head = xmalloc (64 * 1024);
  ssize_t n = pread (fd, head, 64 * 1024, 0);

  return n > 0 ? ferry_age_count_stanzas (head, (size_t) n) : 0;
}

int
ferry_archive_inspect (ferry_engine_t *e, const char *path, char *const *verify_keys, const char *decrypt_key,
                       json_object **out, ferry_error_t *err)
{
  __attribute__ ((cleanup (release_keys))) struct ferry_archive_keys keys = { NULL, 0 };
  struct ferry_age_key *identities = NULL;
  size_t recipients;
  static const char *const keep[] = { "config.dump", "network.status", NULL };
  cleanup_free char *what = xasprintf ("checkpoint archive `%s`", path);
  __attribute__ ((cleanup (ferry_archive_contents_release))) struct ferry_archive_contents contents = { 0 };
  __attribute__ ((cleanup (ferry_archive_proof_release))) struct ferry_archive_proof proof = { 0 };
  cleanup_json json_object *o = json_object_new_object ();
  cleanup_json json_object *dump = NULL;
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  const char *config;
  size_t config_len;
  struct stat st;

  if (fd < 0 || fstat (fd, &st) < 0)
    return ferry_make_error (err, errno, "cannot open checkpoint archive `%s`", path);
  json_object_object_add (o, "File", json_object_new_string (path));
  json_object_object_add (o, "Size", json_object_new_int64 (st.st_size));
  recipients = age_recipients (fd);
  json_object_object_add (o, "Encrypted", json_object_new_boolean (recipients > 0));
  if (recipients)
    json_object_object_add (o, "Recipients", json_object_new_int64 ((int64_t) recipients));
  if (recipients && decrypt_key == NULL)
    {
      /* All the rest is inside the encryption.  */
      *out = steal_pointer (&o);
      return 0;
    }
  if (decrypt_key && ferry_age_identities_load (decrypt_key, &identities, &keys.n, err) < 0)
    return -1;
  keys.identities = identities;
  if (ferry_archive_scan (fd, &keys, keep, what, &contents, &proof, err) < 0)
    return -1;
  json_object_object_add (o, "Compression",
                          json_object_new_string (ferry_compression_name (proof.compression)));
  if (add_signature (e, o, &proof, what, verify_keys, err) < 0)
    return -1;
  config = ferry_archive_contents_get (&contents, "config.dump", &config_len);
  if (config == NULL || (dump = ferry_json_parse (config, config_len, "config.dump", err)) == NULL
      || ! json_object_is_type (dump, json_type_object))
    {
      ferry_error_release (err);
      return ferry_make_error (err, 0, "%s has no readable config.dump: it is not a ferry checkpoint archive",
                               what);
    }
  add_record (e, o, dump, path);
  {
    size_t len;
    const char *status = ferry_archive_contents_get (&contents, "network.status", &len);
    cleanup_error ferry_error_t ignored = NULL;
    json_object *networks = status ? ferry_json_parse (status, len, "network.status", &ignored) : NULL;

    if (networks && ! json_object_is_type (networks, json_type_object))
      {
        json_object_put (networks);
        networks = NULL;
      }
    json_object_object_add (o, "Networks", networks ? networks : json_object_new_object ());
  }
  add_sizes (o, contents.entries);
  *out = steal_pointer (&o);
  return 0;
}
