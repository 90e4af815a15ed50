#include "sign.h"
#include "common.h"
#include "image/reference.h"
#include "image/signature.h"
#include "image/sigstore.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int
ferry_cli_sign_option (int opt, const char *arg, struct ferry_cli_sign_flags *f)
{
  switch (opt)
    {
    case OPT_SIGN_BY:
      f->sign_by = arg;
      return 1;
    case OPT_SIGN_PASSPHRASE_FILE:
      f->passphrase_file = arg;
      return 1;
    case OPT_SIGN_BY_SIGSTORE_PRIVATE_KEY:
      f->sigstore_key_path = arg;
      return 1;
    case OPT_SIGN_BY_SIGSTORE:
      f->sigstore_params_path = arg;
      return 1;
    default:
      return 0;
    }
}

/* The passphrase from the terminal, not echoed.  */
static char *
ask_passphrase (void)
{
  struct termios before, quiet;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int echo_off;

  fputs ("Key Passphrase: ", stderr);
  fflush (stderr);
  echo_off = tcgetattr (STDIN_FILENO, &before) == 0;
  if (echo_off)
    {
      quiet = before;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  n = getline (&line, &cap, stdin);
  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &before);
  fputc ('\n', stderr);
  if (n < 0)
    {
      free (line);
      return xstrdup ("");
    }
  line[strcspn (line, "\r\n")] = '\0';
  return line;
}

static int
load_sigstore_key (struct ferry_cli_sign_flags *f)
{
  ferry_error_t err = NULL;

  if (f->sigstore_key_path == NULL)
    return 0;
  /* Without a file Podman asks on the terminal; with none it has an empty
   * passphrase.  */
  if (f->passphrase == NULL)
    f->passphrase = isatty (STDIN_FILENO) ? ask_passphrase () : xstrdup ("");
  if (ferry_sigstore_private_key_load (f->sigstore_key_path, f->passphrase, &f->sigstore_key, &err) < 0)
    {
      ferry_cli_fail (&err);
      return -1;
    }
  return 0;
}

/* --sign-by-sigstore: the parameter file's key, unlocked with its own
 * passphrase file, else asked on the terminal.  */
static int
load_params_key (struct ferry_cli_sign_flags *f)
{
  cleanup_free char *key_file = NULL, *pass_file = NULL, *pass = NULL;
  ferry_error_t err = NULL;
  size_t len = 0;
  int r;

  if (f->sigstore_params_path == NULL)
    return 0;
  if (ferry_sigstore_params_load (f->sigstore_params_path, &key_file, &pass_file, &err) < 0)
    {
      ferry_cli_fail (&err);
      return -1;
    }
  if (pass_file)
    {
      if (ferry_read_file_max (pass_file, FERRY_SIGSTORE_MAX_KEY_FILE, &pass, &len, &err) < 0)
        {
          ferry_cli_fail (&err);
          return -1;
        }
      pass[strcspn (pass, "\r\n")] = '\0';
    }
  else
    pass = isatty (STDIN_FILENO) ? ask_passphrase () : xstrdup ("");
  r = ferry_sigstore_private_key_load (key_file, pass, &f->sigstore_params_key, &err);
  explicit_bzero (pass, strlen (pass));
  if (r < 0)
    {
      ferry_cli_fail (&err);
      return -1;
    }
  return 0;
}

int
ferry_cli_sign_finish (struct ferry_cli_sign_flags *f)
{
  cleanup_free char *text = NULL;
  ferry_error_t err = NULL;
  size_t len = 0;

  if (f->passphrase_file && f->sign_by && f->sigstore_key_path)
    {
      ferry_cli_failf ("only one of --sign-by and sign-by-sigstore-private-key can be used with "
                       "--sign-passphrase-file");
      return -1;
    }
  if (load_params_key (f) < 0)
    return -1;
  if (f->passphrase_file == NULL)
    return load_sigstore_key (f);
  if (ferry_read_file_max (f->passphrase_file, FERRY_SIGSTORE_MAX_KEY_FILE, &text, &len, &err) < 0)
    {
      int e = err->status ? err->status : EIO;
      cleanup_free char *why = xstrdup (strerror (e));
      ferry_error_release (&err);
      /* Go's words: "open F: no such file or directory".  */
      why[0] = (char) tolower ((unsigned char) why[0]);
      ferry_cli_failf ("open %s: %s", f->passphrase_file, why);
      return -1;
    }
  /* The file's first line, as Podman takes it.  */
  text[strcspn (text, "\r\n")] = '\0';
  f->passphrase = steal_pointer (&text);
  return load_sigstore_key (f);
}

static int
sign_one (const struct ferry_cli_sign_flags *f, const struct ferry_reference *ref, const char *digest,
          ferry_error_t *err)
{
  if (f->sign_by == NULL)
    return 0;
  if (ferry_signature_sign_store (f->sign_by, f->passphrase, NULL, NULL, ref, digest, err) < 0)
    return ferry_error_wrap (err, "creating signature");
  return 0;
}

/* The digests of the images the list DIGEST of REF names, as the
 * registry holds it.  */
static int
list_instances (const struct ferry_reference *ref, const char *digest, const struct ferry_transfer_options *o,
                json_object **manifests, ferry_error_t *err)
{
  cleanup_free char *name = ferry_reference_name (ref), *at = NULL, *body = NULL, *media_type = NULL;
  cleanup_json json_object *list = NULL;
  char got[FERRY_DIGEST_LEN + 1];
  json_object *m;
  size_t len = 0;

  at = xasprintf ("%s@%s", name, digest);
  if (ferry_image_fetch_manifest (at, o, &body, &len, &media_type, got, err) < 0)
    return ferry_error_wrap (err, "creating signature: reading the list pushed to %s", at);
  list = ferry_json_parse (body, len, "the pushed list", err);
  if (list == NULL)
    return -1;
  m = ferry_json_get_array (list, "manifests");
  *manifests = m ? json_object_get (m) : json_object_new_array ();
  return 0;
}

int
ferry_cli_sign_pushed (const struct ferry_cli_sign_flags *f, const char *dest, const char *image,
                       const char *digest, bool is_list, const struct ferry_transfer_options *o)
{
  struct ferry_reference ref = { 0 };
  cleanup_json json_object *manifests = NULL;
  ferry_error_t err = NULL;
  size_t i;
  int ret = FERRY_EXIT_ERROR;

  if (f->sign_by == NULL && f->sigstore_key == NULL && f->sigstore_params_key == NULL)
    return 0;
  if (dest && strncmp (dest, "docker://", 9) == 0)
    dest += 9;
  if (ferry_reference_parse (dest ? dest : image,
                             dest ? FERRY_REFERENCE_DEFAULT_DOCKER_IO : FERRY_REFERENCE_DEFAULT_LOCALHOST,
                             &ref, &err)
      < 0)
    return ferry_cli_fail (&err);
  /* Podman signs each image as it is copied, then the list.  */
  if (is_list && list_instances (&ref, digest, o, &manifests, &err) < 0)
    goto out;
  for (i = 0; manifests && i < json_object_array_length (manifests); i++)
    {
      const char *d = ferry_json_get_string (json_object_array_get_idx (manifests, i), "digest");
      if (d && sign_one (f, &ref, d, &err) < 0)
        goto out;
    }
  if (sign_one (f, &ref, digest, &err) < 0)
    goto out;
  if (f->sigstore_key || f->sigstore_params_key)
    {
      EVP_PKEY *keys[2] = { f->sigstore_params_key, f->sigstore_key };
      size_t n = manifests ? json_object_array_length (manifests) : 0, k = 0, j;
      cleanup_free const char **digests = xmalloc0 (sizeof (char *) * (n + 1));

      /* Each image as it is copied, then the list, as Podman.  */
      for (i = 0; i < n; i++)
        {
          const char *d = ferry_json_get_string (json_object_array_get_idx (manifests, i), "digest");
          if (d)
            digests[k++] = d;
        }
      digests[k++] = digest;
      for (j = 0; j < 2; j++)
        if (keys[j] && ferry_sigstore_sign_attach (keys[j], &o->registry, NULL, &ref, digests, k, &err) < 0)
          goto out;
    }
  ret = 0;
out:
  ferry_reference_free (&ref);
  return ret == 0 ? 0 : ferry_cli_fail (&err);
}

void
ferry_cli_sign_flags_free (struct ferry_cli_sign_flags *f)
{
  EVP_PKEY_free (f->sigstore_key);
  f->sigstore_key = NULL;
  EVP_PKEY_free (f->sigstore_params_key);
  f->sigstore_params_key = NULL;
  if (f->passphrase)
    {
      explicit_bzero (f->passphrase, strlen (f->passphrase));
      free (f->passphrase);
      f->passphrase = NULL;
    }
}
