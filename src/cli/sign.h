/* ferry CLI: the signing flags of push, manifest push and artifact push,
 * as Podman has them: --sign-by (GnuPG simple signing, into the lookaside
 * registries.d names), --sign-by-sigstore-private-key (a sigstore
 * signature, into the registry's sigstore attachment) and
 * --sign-passphrase-file.  What was pushed is signed under the
 * destination's name once its manifest is up; a list's images are signed
 * too, as Podman signs each instance it copies.  --sign-by-sigstore
 * takes a parameter file's private key; one naming Fulcio or Rekor is
 * refused, as ferry cannot use them.  */
#ifndef FERRY_CLI_SIGN_H
#define FERRY_CLI_SIGN_H

#include "image/pull.h"

#include <openssl/evp.h>

#include <stdbool.h>

/* compat-sigstore's block.  */
enum
{
  OPT_SIGN_BY = 0x2900,
  OPT_SIGN_PASSPHRASE_FILE,
  OPT_SIGN_BY_SIGSTORE_PRIVATE_KEY,
  OPT_SIGN_BY_SIGSTORE,
};

#define FERRY_SIGN_FLAGS                                                                                     \
  { "sign-by", required_argument, NULL, OPT_SIGN_BY },                                                       \
      { "sign-by-sigstore-private-key", required_argument, NULL, OPT_SIGN_BY_SIGSTORE_PRIVATE_KEY },         \
      { "sign-by-sigstore", required_argument, NULL, OPT_SIGN_BY_SIGSTORE },                                 \
  {                                                                                                          \
    "sign-passphrase-file", required_argument, NULL, OPT_SIGN_PASSPHRASE_FILE                                \
  }

#define FERRY_SIGN_FLAGS_HELP                                                                                \
  "      --sign-by KEY        sign what was pushed with this GnuPG key, storing the\n"                       \
  "                           signature where registries.d says (ferry-image-sign(1))\n"                     \
  "      --sign-by-sigstore-private-key PATH  sign it with this sigstore private key\n"                      \
  "                           (skopeo generate-sigstore-key), into the registry's\n"                         \
  "                           sigstore attachment (registries.d: use-sigstore-attachments)\n"                \
  "      --sign-by-sigstore PATH  the same with the privateKeyFile of a sigstore signing\n"                  \
  "                           parameter file (no Fulcio or Rekor)\n"                                         \
  "      --sign-passphrase-file FILE  the passphrase of the signing key, read from FILE\n"

struct ferry_cli_sign_flags
{
  const char *sign_by;
  const char *passphrase_file;
  const char *sigstore_key_path;
  const char *sigstore_params_path;
  char *passphrase;              /* read by ferry_cli_sign_finish */
  EVP_PKEY *sigstore_key;        /* loaded by ferry_cli_sign_finish */
  EVP_PKEY *sigstore_params_key; /* the parameter file's, likewise */
};

/* Handles OPT when it is one of FERRY_SIGN_FLAGS: 1 done, 0 not one.  */
int ferry_cli_sign_option (int opt, const char *arg, struct ferry_cli_sign_flags *f);

/* After the options, before anything is pushed: reads the passphrase
 * file (Podman reads it even when nothing signs) and unlocks the sigstore
 * private key (the passphrase from the file, else asked on a terminal).
 * 0, or -1 after printing the error.  */
int ferry_cli_sign_finish (struct ferry_cli_sign_flags *f);

/* Signs DIGEST, pushed to DEST ([docker://]REGISTRY/REPO[:TAG]; NULL:
 * the local IMAGE's own name, where a short one is under localhost/),
 * and when IS_LIST the images the list names (fetched from the registry
 * as pushed) as F asks.  0, or 125 after printing the error.  */
int ferry_cli_sign_pushed (const struct ferry_cli_sign_flags *f, const char *dest, const char *image,
                           const char *digest, bool is_list, const struct ferry_transfer_options *o);

/* Wipes the passphrase and frees the keys; again is harmless.  */
void ferry_cli_sign_flags_free (struct ferry_cli_sign_flags *f);

#define cleanup_sign_flags __attribute__ ((cleanup (ferry_cli_sign_flags_free)))

#endif
