/* An ephemeral PostgreSQL 15 cluster that supamock starts for itself.
 *
 * The first start initialises a template cluster (initdb, then the Supabase
 * baseline of baseline.sql) into a cache directory, keyed by the server's
 * version and a hash of the baseline, so a new server or a changed baseline
 * builds a new template. Every start copies the template into a private
 * directory made with mkdtemp under $TMPDIR (or /tmp) and starts `postgres`
 * there, listening only on a Unix socket in that directory: never a TCP port.
 *
 * Layout of one cluster's directory, DIR = $TMPDIR/supamock-pg-XXXXXX:
 *   DIR/supamock.pid   "OWNER_PID POSTMASTER_PID\n", written by supamock
 *   DIR/data/          the data directory (owned by the server's OS user)
 *   DIR/run/           the socket directory (.s.PGSQL.5432)
 *   DIR/postgres.log   the server's stderr
 * DIR is 0700 and owned by supamock's user. When supamock runs as root,
 * Postgres refuses to run as root, so initdb and postgres run as an
 * unprivileged OS user (SUPAMOCK_PG_USER, else `postgres`, the account
 * Debian's postgresql-common creates, else `nobody`); DIR is then root's,
 * group the server user's, mode 0710 (that user may only traverse it), and
 * data/ and run/ are the server user's, mode 0700. The socket accepts any
 * role without a password ("local all all trust"): reaching it already takes
 * the rights of the user who owns the data files.
 *
 * Stop sends SIGINT (fast shutdown), waits, then SIGKILL, and removes DIR.
 * A supamock killed with SIGKILL leaves DIR behind; the next start sweeps
 * such directories (pg_cluster_sweep). On Linux the server also gets SIGINT
 * when supamock dies (PR_SET_PDEATHSIG), so it does not outlive it.
 *
 * Starting is synchronous in this foundation: pg_cluster_start forks the
 * server and waits (PQping) until it accepts connections, about a quarter of
 * a second from a warm cache. The API is shaped for an event-loop start
 * later: pg_cluster_spawn returns once the server is forked, and
 * pg_cluster_poll says whether it is ready without blocking. Building the
 * template on a cold cache (initdb, a few seconds) stays synchronous.
 *
 * Environment:
 *   SUPAMOCK_PG_CACHE_DIR  the template cache (default
 *                          $XDG_CACHE_HOME/supamock/postgres, else
 *                          ~/.cache/supamock/postgres)
 *   SUPAMOCK_PG_BINDIR     where initdb and postgres are (default
 *                          /usr/lib/postgresql/15/bin, else pg_config --bindir)
 *   SUPAMOCK_PG_USER       the OS user the server runs as when supamock is root
 *   TMPDIR                 where cluster directories are made (default /tmp)
 */
#ifndef MOCK_PG_CLUSTER_H
#define MOCK_PG_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Room for one error message; every function that can fail fills one. */
#define PG_CLUSTER_ERR_MAX 1024

/* The database role the baseline makes the bootstrap superuser (initdb -U). */
#define PG_CLUSTER_SUPERUSER "supabase_admin"

typedef struct pg_cluster pg_cluster_t;

typedef struct pg_cluster_options {
    const char *cache_dir; /* NULL: from the environment, see above */
    const char *tmp_dir;   /* NULL: $TMPDIR, else /tmp */
    const char *bin_dir;   /* NULL: from the environment, see above */
    const char *baseline;  /* NULL: the embedded baseline (baseline.sql) */
} pg_cluster_options_t;

/* What a start cost, in milliseconds, from a monotonic clock. */
typedef struct pg_cluster_timings {
    bool cache_hit;     /* the template was already in the cache */
    double template_ms; /* initdb + baseline + copy into the cache; 0 on a hit */
    double copy_ms;     /* template -> the private data directory */
    double ready_ms;    /* fork of postgres -> PQping says it accepts connections */
    double total_ms;    /* the whole pg_cluster_start */
} pg_cluster_timings_t;

/* Makes a private directory, copies the template into it (building the
 * template first when the cache lacks it) and forks the server. Sweeps stale
 * cluster directories under tmp_dir first. Returns 0 and sets *out, which the
 * caller owns and ends with pg_cluster_stop, or a negative value with err
 * filled and nothing left behind. */
int pg_cluster_spawn(const pg_cluster_options_t *opt, pg_cluster_t **out, char *err);

/* Does not block: 1 when the server accepts connections, 0 while it starts,
 * negative with err filled (and the server's log tail) when it exited. */
int pg_cluster_poll(pg_cluster_t *c, char *err);

/* pg_cluster_spawn, then pg_cluster_poll every few milliseconds until ready
 * (at most 60 s). On failure nothing is left behind and *out is NULL. */
int pg_cluster_start(const pg_cluster_options_t *opt, pg_cluster_t **out, char *err);

/* A libpq connection string for role `user` (NULL: the superuser) on the
 * cluster's socket, database `postgres`. The caller frees it. */
char *pg_cluster_conninfo(const pg_cluster_t *c, const char *user);

const char *pg_cluster_dir(const pg_cluster_t *c);
const char *pg_cluster_socket_dir(const pg_cluster_t *c);
pid_t pg_cluster_postmaster_pid(const pg_cluster_t *c);
const pg_cluster_timings_t *pg_cluster_timings(const pg_cluster_t *c);

/* Checks that the cluster answers as the Data API will use it: logs in as
 * authenticator, switches to authenticated with request.jwt.claims set, and
 * reads auth.uid() back. Fills out (cap bytes) with the server version.
 * Returns 0, or negative with err filled. */
int pg_cluster_check(pg_cluster_t *c, char *out, size_t cap, char *err);

/* Stops the server (SIGINT, up to 10 s, then SIGKILL), reaps it, removes the
 * cluster directory and frees c. NULL is a no-op. Returns 0, or negative
 * with err (may be NULL) filled when something could not be removed; c is
 * freed either way. */
int pg_cluster_stop(pg_cluster_t *c, char *err);

/* Removes every supamock-pg-* directory under tmp_dir (NULL: $TMPDIR or
 * /tmp) that this user owns and whose owning supamock is dead, after
 * killing its server if that still runs there. A directory someone else owns,
 * or whose pid file is missing or not ours, is left alone. Returns how many
 * it removed. */
int pg_cluster_sweep(const char *tmp_dir);

/* The cache entry name for a server version ("15.20") and a baseline:
 * "pg-15.20-" followed by 16 hex digits of SHA-256 over the baseline and the
 * initdb settings. The caller frees it. */
char *pg_cluster_template_name(const char *server_version, const char *baseline);

/* The cache directory the options resolve to, created 0700 if missing;
 * NULL with err filled when it cannot be made or is unsafe (not a
 * directory, not ours, or writable by group or others). The caller frees it. */
char *pg_cluster_cache_dir(const pg_cluster_options_t *opt, char *err);

#endif
