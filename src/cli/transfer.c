/* ferry CLI: the flags of registry transfers (see transfer.h).  */
#include "transfer.h"
#include "common.h"
#include "util/cleanup.h"
#include "engine/config.h"
#include "image/load.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Podman's warning before each new try, in its shape.  */
static void
warn_retry (void *arg, unsigned attempt, unsigned max, int64_t delay_ns, ferry_error_t failure)
{
  const struct ferry_cli_transfer_flags *f = arg;
  cleanup_free char *delay = NULL;

  if (f->quiet)
    return;
  delay = ferry_duration_format (delay_ns);
  ferry_cli_podman_warnf ("Failed, retrying in %s ... (%u/%u). Error: %s", delay, attempt, max, failure->msg);
}

int
ferry_cli_transfer_defaults (struct ferry_cli_transfer_flags *f, struct ferry_transfer_options *o)
{
  struct ferry_config conf;
  ferry_error_t err = NULL;
  int r = 0;

  o->retry.max = FERRY_RETRY_DEFAULT;
  o->retry.delay_ns = FERRY_RETRY_DELAY_DEFAULT_NS;
  o->retry.on_retry = warn_retry;
  o->retry.arg = f;
  ferry_cli_transfer_interactive (o);
  /* containers.conf's retry and retry_delay, as Podman's defaults of the
   * flags; a containers.conf that does not read is the command's own
   * reading's to tell.  */
  if (ferry_config_load (ferry_global.config, &conf, &err) < 0)
    {
      ferry_error_release (&err);
      return 0;
    }
  if (conf.retry >= 0)
    o->retry.max = (unsigned) conf.retry;
  if (conf.retry_delay && ferry_retry_delay_parse (conf.retry_delay, &o->retry.delay_ns, &err) < 0)
    {
      ferry_error_wrap (&err, "failed to parse containers.conf retry_delay");
      ferry_cli_fail (&err);
      r = -1;
    }
  ferry_config_release (&conf);
  return r;
}

static int
parse_retry (const char *arg, unsigned *out)
{
  char *end;
  unsigned long long n;

  errno = 0;
  n = arg[0] >= '0' && arg[0] <= '9' ? strtoull (arg, &end, 10) : 0;
  if (arg[0] < '0' || arg[0] > '9' || *end != '\0')
    return ferry_cli_failf ("invalid argument \"%s\" for \"--retry\" flag: give a number of tries", arg);
  if (errno == ERANGE || n > 1000)
    return ferry_cli_failf ("invalid argument \"%s\" for \"--retry\" flag: at most 1000 tries", arg);
  *out = (unsigned) n;
  return 0;
}

/* --encrypt-layer takes Go's integer slice: comma-separated, repeatable.  */
static int
parse_encrypt_layers (const char *arg, struct ferry_cli_transfer_flags *f)
{
  const char *p = arg;

  for (;;)
    {
      size_t len = strcspn (p, ",");
      cleanup_free char *word = xstrndup (p, len);
      char *end;
      long v;

      errno = 0;
      v = strtol (word, &end, 10);
      if (*word == '\0' || *end != '\0' || errno == ERANGE || v < INT32_MIN || v > INT32_MAX
          || strspn (word, "+-0123456789") != len)
        return ferry_cli_failf ("invalid argument \"%s\" for \"--encrypt-layer\" flag: strconv.Atoi: parsing "
                                "\"%s\": invalid syntax",
                                arg, word);
      if (f->n_encrypt_layers >= 1000)
        return ferry_cli_failf ("invalid argument \"%s\" for \"--encrypt-layer\" flag: too many layers", arg);
      f->encrypt_layers = xrealloc (f->encrypt_layers, sizeof (int) * (f->n_encrypt_layers + 1));
      f->encrypt_layers[f->n_encrypt_layers++] = (int) v;
      p += len;
      if (*p == '\0')
        return 0;
      p++;
    }
}

int
ferry_cli_transfer_option (int opt, const char *arg, struct ferry_cli_transfer_flags *f,
                           struct ferry_transfer_options *o)
{
  ferry_error_t err = NULL;

  switch (opt)
    {
    case OPT_TRANSFER_ARCH:
      f->arch = arg;
      return 1;
    case OPT_TRANSFER_OS:
      f->os = arg;
      return 1;
    case OPT_TRANSFER_VARIANT:
      f->variant = arg;
      return 1;
    case OPT_TRANSFER_RETRY:
      return parse_retry (arg, &o->retry.max) == 0 ? 1 : -1;
    case OPT_TRANSFER_RETRY_DELAY:
      if (ferry_retry_delay_parse (arg, &o->retry.delay_ns, &err) < 0)
        {
          ferry_cli_fail (&err);
          return -1;
        }
      return 1;
    case OPT_TRANSFER_CONTENT_TRUST:
      return 1;
    case OPT_TRANSFER_SIGNATURE_POLICY:
      o->signature_policy = arg;
      return 1;
    case OPT_TRANSFER_DECRYPTION_KEY:
      ferry_strv_add (&f->decryption_keys, arg);
      o->decryption_keys = f->decryption_keys;
      return 1;
    case OPT_TRANSFER_ENCRYPTION_KEY:
      ferry_strv_add (&f->encryption_keys, arg);
      o->encryption_keys = f->encryption_keys;
      return 1;
    case OPT_TRANSFER_ENCRYPT_LAYER:
      if (parse_encrypt_layers (arg, f) != 0)
        return -1;
      o->encrypt_layers = f->encrypt_layers;
      o->n_encrypt_layers = f->n_encrypt_layers;
      return 1;
    default:
      return 0;
    }
}

/* An OS, architecture or variant goes into "OS/ARCH/VARIANT": one word of
 * letters, digits, `_`, `.` and `-`.  */
static int
platform_word_ok (const char *flag, const char *w)
{
  if (*w == '\0'
      || strspn (w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen (w))
    return ferry_cli_failf ("invalid %s `%s`: give one word, such as %s", flag, w,
                            strcmp (flag, "--os") == 0     ? "linux"
                            : strcmp (flag, "--arch") == 0 ? "arm64"
                                                           : "v8");
  return 0;
}

int
ferry_cli_transfer_finish (struct ferry_cli_transfer_flags *f, struct ferry_transfer_options *o)
{
  if (f->platform == NULL)
    f->platform = o->platform;
  if (f->platform && (f->arch || f->os))
    {
      ferry_cli_failf ("--platform option can not be specified with --arch or --os");
      return -1;
    }
  if (! f->arch && ! f->os && ! f->variant)
    return 0;
  if ((f->arch && platform_word_ok ("--arch", f->arch)) || (f->os && platform_word_ok ("--os", f->os))
      || (f->variant && platform_word_ok ("--variant", f->variant)))
    return -1;
  if (f->platform)
    {
      /* --variant with --platform: the variant replaces the platform's.  */
      size_t keep = strcspn (f->platform, "/");

      if (f->platform[keep] == '/')
        keep += 1 + strcspn (f->platform + keep + 1, "/");
      f->platform_owned = xasprintf ("%.*s/%s", (int) keep, f->platform, f->variant);
    }
  else
    f->platform_owned
        = xasprintf ("%s/%s%s%s", f->os ? f->os : "linux", f->arch ? f->arch : ferry_image_host_arch (),
                     f->variant ? "/" : "", f->variant ? f->variant : "");
  o->platform = f->platform_owned;
  return 0;
}

void
ferry_cli_transfer_flags_free (struct ferry_cli_transfer_flags *f)
{
  free (f->platform_owned);
  f->platform_owned = NULL;
  ferry_cleanup_strvp (&f->decryption_keys);
  ferry_cleanup_strvp (&f->encryption_keys);
  free (f->encrypt_layers);
  f->decryption_keys = f->encryption_keys = NULL;
  f->encrypt_layers = NULL;
  f->n_encrypt_layers = 0;
}
