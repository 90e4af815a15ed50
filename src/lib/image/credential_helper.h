/* ferry: external credential helpers, the docker-credential-NAME programs
 * that registries.conf's credential-helpers name, spoken to as Docker's
 * and containers/image's clients speak to them:
 *
 *   docker-credential-NAME get      stdin: SERVER   stdout: {"ServerURL","Username","Secret"}
 *   docker-credential-NAME store    stdin: {"ServerURL","Username","Secret"}
 *   docker-credential-NAME erase    stdin: SERVER
 *   docker-credential-NAME list     stdout: {"SERVER": "USER", ...}
 *
 * A helper that has nothing for SERVER exits non-zero saying "credentials
 * not found in native keychain".  The program is found on $PATH and run
 * with an explicit argv (no shell), its stderr discarded, its output
 * bounded and its time too; what it prints is checked before use.  */
#ifndef FERRY_IMAGE_CREDENTIAL_HELPER_H
#define FERRY_IMAGE_CREDENTIAL_HELPER_H

#include "auth.h"
#include "../util/error.h"

/* What a helper may print (bytes), and how long it may take (ms).  */
#define FERRY_CREDENTIAL_HELPER_MAX_OUTPUT (64 * 1024)
#define FERRY_CREDENTIAL_HELPER_TIMEOUT_MS 30000

/* NAME can be the NAME of docker-credential-NAME: letters, digits, `.`,
 * `_` and `-`, not starting with `.`.  */
int ferry_credential_helper_name_valid (const char *name);

/* 1 with SERVER's credentials in OUT, 0 when the helper has none.  */
int ferry_credential_helper_get (const char *helper, const char *server, struct ferry_credentials *out,
                                 ferry_error_t *err);

int ferry_credential_helper_store (const char *helper, const char *server, const struct ferry_credentials *c,
                                   ferry_error_t *err);

/* Removes SERVER's credentials; a helper that has none fails, with its
 * words, as containers/image reports it.  */
int ferry_credential_helper_erase (const char *helper, const char *server, ferry_error_t *err);

/* The servers the helper holds credentials for (NULL-terminated).  */
int ferry_credential_helper_list (const char *helper, char ***servers, ferry_error_t *err);

#endif
