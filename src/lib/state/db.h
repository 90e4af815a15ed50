/* ferry: the state database, <root>/ferry.db (SQLite, WAL).
 *
 * Opening it creates the file if needed, sets WAL mode and a busy timeout,
 * and runs forward migrations up to FERRY_DB_SCHEMA_VERSION inside one
 * exclusive transaction, so concurrent first opens are safe.  Every change
 * goes through ferry_db_begin() (BEGIN IMMEDIATE: a writer waits for the
 * others instead of failing half way) and ferry_db_commit().  */
#ifndef FERRY_STATE_DB_H
#define FERRY_STATE_DB_H

#include "../util/error.h"

#include <sqlite3.h>
#include <stddef.h>

typedef struct ferry_db ferry_db_t;

extern const int FERRY_DB_SCHEMA_VERSION;

/* Opens (and creates, with ROOT itself) <root>/ferry.db.  */
int ferry_db_open (const char *root, ferry_db_t **out, ferry_error_t *err);
void ferry_db_close (ferry_db_t *db);

sqlite3 *ferry_db_handle (ferry_db_t *db);

/* Before a wait of unknown length that reads nothing (an attach): a
 * connection that holds the database for itself (opened on a full disk)
 * closes, so that the others are not kept out meanwhile; the next
 * statement opens it again.  */
void ferry_db_idle (ferry_db_t *db);
int ferry_db_schema_version (ferry_db_t *db, ferry_error_t *err);

int ferry_db_begin (ferry_db_t *db, ferry_error_t *err);
int ferry_db_commit (ferry_db_t *db, ferry_error_t *err);
/* Never fails visibly: used on error paths.  */
void ferry_db_rollback (ferry_db_t *db);

/* Runs SQL with no result rows.  */
int ferry_db_exec (ferry_db_t *db, const char *sql, ferry_error_t *err);

/* Prepares SQL; on failure sets *err naming the statement.  */
sqlite3_stmt *ferry_db_prepare (ferry_db_t *db, const char *sql, ferry_error_t *err);

/* Fills *err from the connection's last error, with CONTEXT.  */
int ferry_db_error (ferry_db_t *db, ferry_error_t *err, const char *context);

/* Runs SELECT ("SELECT ... FROM ...", no WHERE; its rows have columns
 * name and id) for the one row whose name or id is REF, else whose id
 * starts with REF (up to ID_LEN hex digits), as users name containers
 * and secrets.  *OUT gets MAKE's object of that row (DROP frees one), or
 * NULL when there is none; -1 on error: an ambiguous prefix is "WHAT ID
 * prefix `REF` is ambiguous: give more digits or the name".  */
int ferry_db_find_by_name_or_id (ferry_db_t *db, const char *select, const char *ref, size_t id_len,
                                 const char *what, void *(*make) (sqlite3_stmt *), void (*drop) (void *),
                                 void **out, ferry_error_t *err);

static inline void
ferry_cleanup_stmtp (sqlite3_stmt **s)
{
  if (*s)
    sqlite3_finalize (*s);
}
#define cleanup_stmt __attribute__ ((cleanup (ferry_cleanup_stmtp)))

/* Opens a database at PATH exactly like ferry_db_open but with a caller-given
 * migration list; exists so tests can exercise migration from an older
 * version.  MIGRATIONS[i] upgrades version i to i+1.  */
int ferry_db_open_with (const char *path, const char *const *migrations, int n_migrations, ferry_db_t **out,
                        ferry_error_t *err);

#endif
