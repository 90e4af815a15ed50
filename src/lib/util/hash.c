#include "hash.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
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

struct ferry_hash_thread
{
  pthread_t thread;
  bool started, stop;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  ferry_sha256_t *hash;
  const void *data; /* a chunk to hash, or NULL when idle */
  size_t len;
};

static void *
hash_thread_main (void *arg)
{
  ferry_hash_thread_t *t = arg;

  pthread_mutex_lock (&t->lock);
  for (;;)
    {
      while (t->data == NULL && ! t->stop)
        pthread_cond_wait (&t->cond, &t->lock);
      if (t->data == NULL)
        break;
      pthread_mutex_unlock (&t->lock);
      ferry_sha256_update (t->hash, t->data, t->len);
      pthread_mutex_lock (&t->lock);
      t->data = NULL;
      pthread_cond_broadcast (&t->cond);
    }
  pthread_mutex_unlock (&t->lock);
  return NULL;
}

ferry_hash_thread_t *
ferry_hash_thread_new (void)
{
  ferry_hash_thread_t *t = calloc (1, sizeof (*t));

  if (t == NULL)
    abort ();
  return t;
}

void
ferry_hash_thread_wait (ferry_hash_thread_t *t)
{
  if (! t->started)
    return;
  pthread_mutex_lock (&t->lock);
  while (t->data != NULL)
    pthread_cond_wait (&t->cond, &t->lock);
  pthread_mutex_unlock (&t->lock);
}

void
ferry_hash_thread_post (ferry_hash_thread_t *t, ferry_sha256_t *hash, const void *data, size_t len)
{
  if (! t->started && ! t->stop)
    {
      pthread_mutex_init (&t->lock, NULL);
      pthread_cond_init (&t->cond, NULL);
      t->started = pthread_create (&t->thread, NULL, hash_thread_main, t) == 0;
      if (! t->started)
        {
          pthread_cond_destroy (&t->cond);
          pthread_mutex_destroy (&t->lock);
          t->stop = true; /* hash in the caller's thread from now on */
        }
    }
  if (! t->started)
    {
      ferry_sha256_update (hash, data, len);
      return;
    }
  ferry_hash_thread_wait (t);
  if (len == 0)
    return;
  pthread_mutex_lock (&t->lock);
  t->hash = hash;
  t->data = data;
  t->len = len;
  pthread_cond_broadcast (&t->cond);
  pthread_mutex_unlock (&t->lock);
}

void
ferry_hash_thread_free (ferry_hash_thread_t *t)
{
  if (t == NULL)
    return;
  if (t->started)
    {
      ferry_hash_thread_wait (t);
      pthread_mutex_lock (&t->lock);
      t->stop = true;
      pthread_cond_broadcast (&t->cond);
      pthread_mutex_unlock (&t->lock);
      pthread_join (t->thread, NULL);
      pthread_cond_destroy (&t->cond);
      pthread_mutex_destroy (&t->lock);
    }
  free (t);
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
ferry_id_is_full (const char *id)
{
  return id != NULL && strlen (id) == FERRY_DIGEST_HEX_LEN
         && strspn (id, "0123456789abcdef") == FERRY_DIGEST_HEX_LEN;
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
