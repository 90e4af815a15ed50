/* ferry CLI: the flags of a registry transfer that pull, run, create and
 * push share beside the registry ones (common.h): the platform to choose
 * from an image index as Podman's --arch, --os and --variant give it, and
 * --retry, --retry-delay and --disable-content-trust.  */
#ifndef FERRY_CLI_TRANSFER_H
#define FERRY_CLI_TRANSFER_H

#include "image/pull.h"

enum
{
  OPT_TRANSFER_ARCH = 0x1a00, /* past resources.h's (run and create take both) */
  OPT_TRANSFER_OS,
  OPT_TRANSFER_VARIANT,
  OPT_TRANSFER_RETRY,
  OPT_TRANSFER_RETRY_DELAY,
  OPT_TRANSFER_CONTENT_TRUST,
};

/* The image trust policy (compat-trust's block).  */
enum
{
  OPT_TRANSFER_SIGNATURE_POLICY = 0x2700,
};

/* Layer encryption (compat-encrypt's block): pull, run and create take
 * --decryption-key, push --encryption-key and --encrypt-layer.  */
enum
{
  OPT_TRANSFER_DECRYPTION_KEY = 0x2800,
  OPT_TRANSFER_ENCRYPTION_KEY,
  OPT_TRANSFER_ENCRYPT_LAYER,
};

/* pull, run and create: all of them.  */
#define FERRY_PULL_FLAGS                                                                                     \
  { "arch", required_argument, NULL, OPT_TRANSFER_ARCH },                                                    \
      { "os", required_argument, NULL, OPT_TRANSFER_OS },                                                    \
      { "variant", required_argument, NULL, OPT_TRANSFER_VARIANT },                                          \
      { "retry", required_argument, NULL, OPT_TRANSFER_RETRY },                                              \
      { "retry-delay", required_argument, NULL, OPT_TRANSFER_RETRY_DELAY },                                  \
      { "signature-policy", required_argument, NULL, OPT_TRANSFER_SIGNATURE_POLICY },                        \
      { "decryption-key", required_argument, NULL, OPT_TRANSFER_DECRYPTION_KEY },                            \
  {                                                                                                          \
    "disable-content-trust", no_argument, NULL, OPT_TRANSFER_CONTENT_TRUST                                   \
  }

#define FERRY_SIGNATURE_POLICY_HELP                                                                          \
  "      --signature-policy FILE  the trust policy to obey instead of\n"                                     \
  "                           ~/.config/containers/policy.json or /etc/containers/policy.json\n"

#define FERRY_PULL_FLAGS_HELP                                                                                \
  "      --arch ARCH          choose ARCH from a multi-platform image (default: this host's)\n"              \
  "      --os OS              choose OS from a multi-platform image (default linux)\n"                       \
  "      --variant VARIANT    choose this variant of the architecture (v7, v8, ...)\n"                       \
  "      --retry N            tries after a first pull that cannot reach the registry\n"                     \
  "                           (default 3)\n" FERRY_RETRY_DELAY_HELP FERRY_SIGNATURE_POLICY_HELP              \
      FERRY_DECRYPTION_KEY_HELP

#define FERRY_DECRYPTION_KEY_HELP                                                                            \
  "      --decryption-key KEY[:PASSPHRASE]  a private key (PEM or DER, RSA or EC) that opens\n"              \
  "                           the image's encrypted layers (JWE); repeat for several\n"

#define FERRY_RETRY_DELAY_HELP                                                                               \
  "      --retry-delay D      the wait before each, such as 500ms or 2s (default 1s)\n"                      \
  "      --disable-content-trust  accepted and ignored, as Podman does (a Docker flag)\n"

/* push: only the retry ones and --disable-content-trust.  */
#define FERRY_PUSH_FLAGS                                                                                     \
  { "retry", required_argument, NULL, OPT_TRANSFER_RETRY },                                                  \
      { "retry-delay", required_argument, NULL, OPT_TRANSFER_RETRY_DELAY },                                  \
  {                                                                                                          \
    "disable-content-trust", no_argument, NULL, OPT_TRANSFER_CONTENT_TRUST                                   \
  }

#define FERRY_PUSH_FLAGS_HELP                                                                                \
  "      --retry N            tries after a first push that cannot reach the registry\n"                     \
  "                           (default 3)\n" FERRY_RETRY_DELAY_HELP

/* push: layer encryption.  */
#define FERRY_ENCRYPT_FLAGS                                                                                  \
  { "encryption-key", required_argument, NULL, OPT_TRANSFER_ENCRYPTION_KEY },                                \
  {                                                                                                          \
    "encrypt-layer", required_argument, NULL, OPT_TRANSFER_ENCRYPT_LAYER                                     \
  }

#define FERRY_ENCRYPT_FLAGS_HELP                                                                             \
  "      --encryption-key KIND:KEY  encrypt the layers for this recipient: jwe:FILE, an RSA\n"               \
  "                           or EC public key (PEM or DER); repeat for several\n"                           \
  "      --encrypt-layer N[,N...]  encrypt only these layers, 0 the first, -1 the last\n"                    \
  "                           (default: all of them; without --encryption-key, ignored)\n"

struct ferry_cli_transfer_flags
{
  const char *platform, *arch, *os, *variant;
  char *platform_owned;
  int quiet; /* no retry warnings (--log-level error) */
  /* --decryption-key, --encryption-key (NULL-terminated) and
   * --encrypt-layer, which O points at.  */
  char **decryption_keys, **encryption_keys;
  int *encrypt_layers;
  size_t n_encrypt_layers;
};

/* Handles OPT when it is one of FERRY_PULL_FLAGS or FERRY_PUSH_FLAGS (or
 * --platform, when the caller passes its value there): 1 done, 0 not one
 * of them, -1 bad value (error printed).  */
int ferry_cli_transfer_option (int opt, const char *arg, struct ferry_cli_transfer_flags *f,
                               struct ferry_transfer_options *o);
/* Podman's defaults: 3 more tries, a second apart, each announced with
 * its warning, unless containers.conf's retry and retry_delay say
 * otherwise; -1 (error printed) when its retry_delay is no duration.  */
int ferry_cli_transfer_defaults (struct ferry_cli_transfer_flags *f, struct ferry_transfer_options *o);
/* After the options: O->platform from --platform or --arch/--os/--variant;
 * -1 (error printed) when they conflict.  */
int ferry_cli_transfer_finish (struct ferry_cli_transfer_flags *f, struct ferry_transfer_options *o);
void ferry_cli_transfer_flags_free (struct ferry_cli_transfer_flags *f);
/* Frees them on every return of a command, early ones included, once
 * --decryption-key or --encryption-key has filled them.  */
#define cleanup_transfer_flags __attribute__ ((cleanup (ferry_cli_transfer_flags_free)))

#endif
