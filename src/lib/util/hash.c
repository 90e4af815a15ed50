#include "hash.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

struct ferry_sha256
{
  EVP_MD_CTX *ctx;
};

static pthread_mutex_t preload_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t preload_thread;
static int preload_started;

static void *
preload_main (void *arg)
{
  OPENSSL_init_crypto (OPENSSL_INIT_LOAD_CONFIG, NULL);
  return NULL;
}

void
ferry_crypto_preload (void)
{
  pthread_mutex_lock (&preload_lock);
  if (! preload_started)
    preload_started = pthread_create (&preload_thread, NULL, preload_main, NULL) == 0;
  pthread_mutex_unlock (&preload_lock);
}

void
ferry_crypto_preload_finish (void)
{
  pthread_mutex_lock (&preload_lock);
  if (preload_started > 0)
    {
      pthread_join (preload_thread, NULL);
      /* Once: a later preload has nothing left to read.  */
      preload_started = -1;
    }
  pthread_mutex_unlock (&preload_lock);
}

ferry_sha256_t *
ferry_sha256_new (void)
{
  ferry_sha256_t *h = malloc (sizeof (*h));

  ferry_crypto_preload_finish ();

  if (h == NULL || (h->ctx = EVP_MD_CTX_new ()) == NULL || ! EVP_DigestInit_ex (h->ctx, EVP_sha256 (), NULL))
    abort ();
  return h;
}

void
ferry_sha256_update (ferry_sha256_t *h, const void *data, size_t len)
{
  if (len && ! EVP_DigestUpdate (h->ctx, data, len))
    abort ();
}

void
ferry_sha256_finish (ferry_sha256_t *h, char out[FERRY_DIGEST_LEN + 1])
{
  static const char hex[] = "0123456789abcdef";
  unsigned char md[32];
  unsigned int n = 0, i;

  if (! EVP_DigestFinal_ex (h->ctx, md, &n))
    abort ();
  memcpy (out, "sha256:", 7);
  for (i = 0; i < n; i++)
    {
      out[7 + 2 * i] = hex[md[i] >> 4];
      out[7 + 2 * i + 1] = hex[md[i] & 15];
    }
  out[FERRY_DIGEST_LEN] = '\0';
  ferry_sha256_free (h);
}

void
ferry_sha256_free (ferry_sha256_t *h)
{
  if (h == NULL)
    return;
  EVP_MD_CTX_free (h->ctx);
  free (h);
}

void
ferry_sha256_buffer (const void *data, size_t len, char out[FERRY_DIGEST_LEN + 1])
{
  ferry_sha256_t *h = ferry_sha256_new ();

  ferry_sha256_update (h, data, len);
  ferry_sha256_finish (h, out);
}

int
ferry_sha256_file (const char *path, char out[FERRY_DIGEST_LEN + 1], ferry_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  ferry_sha256_t *h;
  char buf[1 << 16];

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", path);
  h = ferry_sha256_new ();
  for (;;)
    {
      ssize_t r = read (fd, buf, sizeof (buf));
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int saved = errno;
          ferry_sha256_free (h);
          return ferry_make_error (err, saved, "cannot read `%s`", path);
        }
      if (r == 0)
        break;
      ferry_sha256_update (h, buf, r);
    }
  ferry_sha256_finish (h, out);
  return 0;
}

int
ferry_digest_is_valid (const char *digest)
{
  size_t i;

  if (digest == NULL || strncmp (digest, "sha256:", 7) != 0 || strlen (digest) != FERRY_DIGEST_LEN)
    return 0;
  for (i = 7; i < FERRY_DIGEST_LEN; i++)
    if (! ((digest[i] >= '0' && digest[i] <= '9') || (digest[i] >= 'a' && digest[i] <= 'f')))
      return 0;
  return 1;
}

const char *
ferry_digest_hex (const char *digest)
{
  return digest + 7;
}
