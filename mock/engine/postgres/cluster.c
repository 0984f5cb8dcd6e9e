/* The ephemeral PostgreSQL cluster: find the server, build the cached
 * template (initdb + baseline), copy it into a private directory, start and
 * stop `postgres` there, and sweep what a killed supamock left behind.
 * It does not speak SQL beyond applying the baseline: queries, the schema
 * cache and the event loop belong to the engine built on top of it. */
/* copy_file_range, close_range and prctl's PR_SET_PDEATHSIG are GNU/Linux. */
#define _GNU_SOURCE 1
#include "cluster.h"

#include "pq.h"
#include "baseline.h"

#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#define DIR_PREFIX     "supamock-pg-"
#define PID_FILE       "supamock.pid"
#define LOG_FILE       "postgres.log"
#define PG_PORT        "5432"
#define PG_MAJOR       "15"
#define DEFAULT_BINDIR "/usr/lib/postgresql/" PG_MAJOR "/bin"
/* How long a fast shutdown may take before SIGKILL, and a start before we give up. */
#define STOP_TIMEOUT_MS  10000
#define START_TIMEOUT_MS 60000

/* initdb's arguments after -D DIR. They are part of the template's cache key,
 * so changing one builds a new template. C.UTF-8 is the collation Supabase's
 * image sets (LC_COLLATE=C.UTF-8 in github.com/supabase/postgres's
 * Dockerfile) and the one the memory engine compares text with; 1 MB WAL
 * segments keep the template, and so every copy of it, small. */
static const char *const initdb_flags[] = {"-U",
                                           PG_CLUSTER_SUPERUSER,
                                           "--auth-local=trust",
                                           "--auth-host=reject",
                                           "--encoding=UTF8",
                                           "--locale=C.UTF-8",
                                           "--no-sync",
                                           "--wal-segsize=1",
                                           "--no-instructions",
                                           NULL};

/* Settings for a throwaway test database: nothing survives a crash, so
 * nothing is fsynced; no TCP listener; UTC as on Supabase. Query ids on, as
 * on Supabase, where pg_stat_statements is preloaded and turns
 * compute_query_id=auto on: EXPLAIN VERBOSE then shows "Query Identifier"
 * (PostgREST's PlanSpec.hs expects it). */
static const char *const server_settings[] = {"listen_addresses=",
                                              "unix_socket_permissions=0700",
                                              "fsync=off",
                                              "synchronous_commit=off",
                                              "full_page_writes=off",
                                              "wal_level=minimal",
                                              "max_wal_senders=0",
                                              "min_wal_size=2MB",
                                              "max_wal_size=64MB",
                                              "max_connections=50",
                                              "shared_buffers=16MB",
                                              "huge_pages=off",
                                              "jit=off",
                                              "compute_query_id=on",
                                              "ssl=off",
                                              "logging_collector=off",
                                              "TimeZone=UTC",
                                              "log_timezone=UTC",
                                              "cluster_name=supamock",
                                              NULL};

/* The environment initdb and postgres get: nothing of supamock's own (no
 * PG* variables, no locale surprises; English server messages, as on Supabase). */
static char env_path[] = "PATH=/usr/local/bin:/usr/bin:/bin", env_lang[] = "LANG=C.UTF-8",
            env_lc_all[] = "LC_ALL=C.UTF-8", env_tz[] = "TZ=UTC";
static char *const child_env[] = {env_path, env_lang, env_lc_all, env_tz, NULL};

/* Who runs initdb and postgres. */
typedef struct runner {
    bool drop; /* supamock is root: switch to uid/gid in the child */
    uid_t uid;
    gid_t gid;
    char name[64];
} runner_t;

struct pg_cluster {
    char *tmp_root; /* the directory DIR was made in (absolute, resolved) */
    char *name;     /* DIR's last component, supamock-pg-XXXXXX */
    char *dir;      /* tmp_root/name */
    char *data_dir; /* dir/data */
    char *run_dir;  /* dir/run: the socket directory */
    char *log_path; /* dir/postgres.log */
    runner_t runner;
    pid_t postmaster; /* 0 before the fork and after the reap */
    double spawn_at;  /* monotonic ms at the fork of postgres */
    pg_cluster_timings_t timings;
};

/* ---- small helpers ------------------------------------------------------ */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static int fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, PG_CLUSTER_ERR_MAX, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Appends "; server log: ..." with the log's last lines to err. */
static void append_log_tail(char *err, const char *log_path)
{
    if (!err || !log_path)
        return;
    int fd = open(log_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return;
    char tail[600];
    off_t size = lseek(fd, 0, SEEK_END);
    off_t from = size > (off_t)sizeof tail - 1 ? size - (off_t)(sizeof tail - 1) : 0;
    ssize_t n = pread(fd, tail, sizeof tail - 1, from);
    close(fd);
    if (n <= 0)
        return;
    tail[n] = '\0';
    size_t len = strlen(err);
    if (len + 20 < PG_CLUSTER_ERR_MAX)
        snprintf(err + len, PG_CLUSTER_ERR_MAX - len, "; server log: %s", tail);
}

static bool pid_alive(pid_t pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* ---- processes ---------------------------------------------------------- */

/* Closes every descriptor above stderr in a freshly forked child. */
static void close_from_3(void)
{
#if defined(__linux__) && defined(SYS_close_range)
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = 3; fd < max; fd++)
        close(fd);
}

/* Forks and executes argv[0] with child_env, stdin from /dev/null and stdout
 * and stderr to out_fd (or /dev/null when negative), as the runner when one
 * is given. Everything the child needs is prepared before fork: between fork
 * and exec it makes only async-signal-safe calls, then execs or _exits
 * (which also keeps LeakSanitizer out of the child). Returns the pid or -1. */
static pid_t spawn(char *const argv[], int out_fd, const runner_t *runner)
{
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0)
        return -1;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0) {
        close(null_fd);
        return pid;
    }
    /* The child. Its own process group: a Ctrl-C at supamock's terminal is
     * supamock's to handle (it stops the server in order), not the server's. */
    setpgid(0, 0);
    if (dup2(null_fd, 0) < 0 || dup2(out_fd >= 0 ? out_fd : null_fd, 1) < 0 ||
        dup2(out_fd >= 0 ? out_fd : null_fd, 2) < 0)
        _exit(126);
    close_from_3();
    if (runner && runner->drop) {
        if (setgroups(1, &runner->gid) < 0 || setgid(runner->gid) < 0 || setuid(runner->uid) < 0 ||
            getuid() != runner->uid)
            _exit(126);
    }
#ifdef __linux__
    /* Set after setuid, which clears it: when supamock dies, even by SIGKILL,
     * the server gets a fast shutdown instead of outliving it. The signal
     * follows the forking *thread*, so fork only from the loop's thread,
     * which lives as long as supamock. */
    prctl(PR_SET_PDEATHSIG, SIGINT);
    if (getppid() != parent)
        _exit(0);
#else
    (void)parent;
#endif
    execve(argv[0], argv, child_env);
    _exit(127);
}

/* Runs argv to completion, collecting up to cap-1 bytes of its stdout into
 * out (NUL-terminated, trailing newline removed). Returns its exit status,
 * or -1 when it could not run or was killed. */
static int run_capture(char *const argv[], char *out, size_t cap)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = spawn(argv, fds[1], NULL);
    close(fds[1]);
    size_t len = 0;
    for (;;) {
        char chunk[256];
        ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t take = (size_t)n < cap - 1 - len ? (size_t)n : cap - 1 - len;
        memcpy(out + len, chunk, take);
        len += take;
    }
    close(fds[0]);
    out[len] = '\0';
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        out[--len] = '\0';
    if (pid < 0)
        return -1;
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Waits for pid up to timeout_ms. Returns 1 when it was reaped (status set),
 * 0 on timeout, -1 when it is not our child. */
static int wait_for(pid_t pid, int *status, long timeout_ms)
{
    double deadline = now_ms() + (double)timeout_ms;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
        if (now_ms() >= deadline)
            return 0;
        sleep_ms(5);
    }
}

/* SIGINT (fast shutdown), then SIGKILL after STOP_TIMEOUT_MS; reaps. */
static void stop_child(pid_t pid)
{
    int status;
    if (pid <= 0)
        return;
    kill(pid, SIGINT);
    int r = wait_for(pid, &status, STOP_TIMEOUT_MS);
    if (r == 0) {
        kill(pid, SIGKILL);
        wait_for(pid, &status, STOP_TIMEOUT_MS);
    }
}

/* ---- where things are ---------------------------------------------------- */

/* Whether dir holds an executable postgres and initdb. */
static bool has_server(const char *dir)
{
    char *pg = xasprintf("%s/postgres", dir);
    char *initdb = xasprintf("%s/initdb", dir);
    bool ok = access(pg, X_OK) == 0 && access(initdb, X_OK) == 0;
    free(pg);
    free(initdb);
    return ok;
}

static int find_bindir(const pg_cluster_options_t *opt, char **out, char *err)
{
    const char *env = getenv("SUPAMOCK_PG_BINDIR");
    const char *given = opt && opt->bin_dir ? opt->bin_dir : env && *env ? env : NULL;
    if (given) {
        if (has_server(given)) {
            *out = xstrdup(given);
            return 0;
        }
        return fail(err,
                    "no PostgreSQL server in %s (postgres and initdb): install the Debian "
                    "package postgresql-" PG_MAJOR " or fix SUPAMOCK_PG_BINDIR",
                    given);
    }
    if (has_server(DEFAULT_BINDIR)) {
        *out = xstrdup(DEFAULT_BINDIR);
        return 0;
    }
    /* Elsewhere (another layout), ask pg_config. */
    char from_pg_config[PATH_MAX] = "";
    char sh[] = "/bin/sh", dash_c[] = "-c", cmd[] = "exec pg_config --bindir";
    char *argv[] = {sh, dash_c, cmd, NULL};
    if (run_capture(argv, from_pg_config, sizeof from_pg_config) == 0 && from_pg_config[0] &&
        has_server(from_pg_config)) {
        *out = xstrdup(from_pg_config);
        return 0;
    }
    return fail(err,
                "PostgreSQL " PG_MAJOR
                " server not found (no postgres and initdb in " DEFAULT_BINDIR
                "%s%s): install the Debian package postgresql-" PG_MAJOR
                " (apt-get install postgresql-" PG_MAJOR ") or set SUPAMOCK_PG_BINDIR",
                from_pg_config[0] ? " nor " : "", from_pg_config);
}

/* "15.20" from "postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)". */
static int server_version(const char *bindir, char *out, size_t cap, char *err)
{
    char *path = xasprintf("%s/postgres", bindir);
    char version_flag[] = "--version";
    char *argv[] = {path, version_flag, NULL};
    char line[256];
    int rc = run_capture(argv, line, sizeof line);
    free(path);
    const char *v = strstr(line, "(PostgreSQL) ");
    if (rc != 0 || !v)
        return fail(err, "%s/postgres --version failed (%s)", bindir, line);
    v += strlen("(PostgreSQL) ");
    size_t len = strcspn(v, " ");
    if (len == 0 || len >= cap)
        return fail(err, "unexpected postgres --version output: %s", line);
    memcpy(out, v, len);
    out[len] = '\0';
    if (strncmp(out, PG_MAJOR ".", strlen(PG_MAJOR) + 1) != 0)
        return fail(err,
                    "%s/postgres is PostgreSQL %s; supamock needs " PG_MAJOR
                    " (the Debian package postgresql-" PG_MAJOR ")",
                    bindir, out);
    return 0;
}

/* The runner: supamock itself, or when root an unprivileged account. */
static int find_runner(runner_t *r, char *err)
{
    memset(r, 0, sizeof *r);
    if (geteuid() != 0) {
        r->uid = geteuid();
        r->gid = getegid();
        snprintf(r->name, sizeof r->name, "uid %ld", (long)r->uid);
        return 0;
    }
    const char *want = getenv("SUPAMOCK_PG_USER");
    const char *names[] = {want && *want ? want : NULL, "postgres", "nobody"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!names[i])
            continue;
        struct passwd *pw = getpwnam(names[i]);
        if (pw && pw->pw_uid != 0) {
            r->drop = true;
            r->uid = pw->pw_uid;
            r->gid = pw->pw_gid;
            snprintf(r->name, sizeof r->name, "%s", names[i]);
            return 0;
        }
        if (i == 0)
            return fail(err, "SUPAMOCK_PG_USER=%s: no such non-root user", names[i]);
    }
    return fail(err, "supamock runs as root and Postgres refuses to: found neither a "
                     "`postgres` nor a `nobody` user to run it as (set SUPAMOCK_PG_USER)");
}

static char *resolve_tmp_root(const char *tmp_dir, char *err)
{
    const char *t = tmp_dir;
    if (!t) {
        t = getenv("TMPDIR");
        if (!t || !*t)
            t = "/tmp";
    }
    char *real = realpath(t, NULL);
    if (!real) {
        fail(err, "temporary directory %s: %s", t, strerror(errno));
        return NULL;
    }
    /* DIR/run/.s.PGSQL.5432 must fit a Unix socket address. */
    struct sockaddr_un sun;
    size_t need = strlen(real) + strlen("/" DIR_PREFIX "XXXXXX/run/.s.PGSQL." PG_PORT) + 1;
    if (need > sizeof sun.sun_path) {
        fail(err, "temporary directory %s is too long for a Unix socket path (set TMPDIR)", real);
        free(real);
        return NULL;
    }
    char *copy = xstrdup(real);
    free(real);
    return copy;
}

/* mkdir -p, making missing components 0700. */
static int mkdirs(const char *path)
{
    char *p = xstrdup(path);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0700) < 0 && errno != EEXIST) {
                rc = -errno;
                break;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    free(p);
    return rc;
}

char *pg_cluster_cache_dir(const pg_cluster_options_t *opt, char *err)
{
    char *dir = NULL;
    const char *env = getenv("SUPAMOCK_PG_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (opt && opt->cache_dir)
        dir = xstrdup(opt->cache_dir);
    else if (env && *env)
        dir = xstrdup(env);
    else if (xdg && xdg[0] == '/') /* the XDG spec ignores relative values */
        dir = xasprintf("%s/supamock/postgres", xdg);
    else {
        if (!home || home[0] != '/') {
            struct passwd *pw = getpwuid(geteuid());
            home = pw ? pw->pw_dir : NULL;
        }
        if (!home || home[0] != '/') {
            fail(err, "no cache directory: set SUPAMOCK_PG_CACHE_DIR or HOME");
            return NULL;
        }
        dir = xasprintf("%s/.cache/supamock/postgres", home);
    }
    if (dir[0] != '/') {
        fail(err, "cache directory %s is not an absolute path", dir);
        free(dir);
        return NULL;
    }
    int rc = mkdirs(dir);
    struct stat st;
    if (rc < 0 || lstat(dir, &st) < 0) {
        fail(err, "cache directory %s: %s", dir, strerror(rc < 0 ? -rc : errno));
        free(dir);
        return NULL;
    }
    /* Templates are trusted input (they become the server's data): refuse a
     * directory someone else could have put files into. */
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
        fail(err, "cache directory %s is not a directory owned by this user", dir);
        free(dir);
        return NULL;
    }
    if ((st.st_mode & 0022) != 0) {
        fail(err, "cache directory %s is writable by group or others (chmod 700 it)", dir);
        free(dir);
        return NULL;
    }
    return dir;
}

char *pg_cluster_template_name(const char *server_version, const char *baseline)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    MOCK_ASSERT(md != NULL);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    static const char format[] = "supamock postgres template 1\n";
    int ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    ok = ok && EVP_DigestUpdate(md, format, sizeof format - 1);
    for (size_t i = 0; ok && initdb_flags[i]; i++)
        ok = EVP_DigestUpdate(md, initdb_flags[i], strlen(initdb_flags[i]) + 1);
    ok = ok && EVP_DigestUpdate(md, baseline, strlen(baseline));
    ok = ok && EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    MOCK_ASSERT(ok && len >= 8);
    char hex[17];
    for (int i = 0; i < 8; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return xasprintf("pg-%s-%s", server_version, hex);
}

/* ---- files: fd-relative, never following a symlink ---------------------- */

/* Removes name under the directory parent and everything below it. Every
 * step is relative to a directory descriptor opened with O_NOFOLLOW, so a
 * symlink swapped in by whoever can write below (the server's user) cannot
 * send the removal outside the tree; it stays on one file system. */
static int rm_tree_at(int parent, const char *name, dev_t dev)
{
    struct stat st;
    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISDIR(st.st_mode))
        return unlinkat(parent, name, 0) == 0 || errno == ENOENT ? 0 : -errno;
    if (st.st_dev != dev)
        return -EXDEV;
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = errno;
        close(fd);
        return -e;
    }
    int rc = 0;
    bool removed;
    do { /* whether readdir sees entries removed under it is unspecified: rescan */
        removed = false;
        rewinddir(d);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            int r = rm_tree_at(dirfd(d), e->d_name, dev);
            if (r < 0) {
                rc = r;
                break;
            }
            removed = true;
        }
    } while (removed && rc == 0);
    closedir(d);
    if (rc == 0 && unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        rc = -errno;
    return rc;
}

/* Removes the directory at path (its parent resolved, its name not followed). */
static int rm_tree(const char *parent_path, const char *name)
{
    int pfd = open(parent_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (pfd < 0)
        return -errno;
    struct stat st;
    int rc = fstat(pfd, &st) < 0 ? -errno : rm_tree_at(pfd, name, st.st_dev);
    close(pfd);
    return rc;
}

static int copy_file(int in, int out)
{
    for (;;) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
        if (n == 0)
            return 0;
        if (n > 0)
            continue;
        if (errno == EINTR)
            continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
            return -errno;
        break; /* no copy_file_range between these files: plain reads and writes */
    }
    char buf[1 << 16];
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return 0;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return -errno;
            off += w;
        }
    }
}

/* Copies the contents of directory src into the existing directory dst:
 * directories 0700, files with their owner bits only; owned by `owner` when
 * it drops privileges (supamock is root), else by supamock. Only regular
 * files and directories exist in a data directory; anything else is an error.
 * postmaster.pid is skipped: a template never holds a live server's. */
static int copy_tree(int src, int dst, const runner_t *owner)
{
    int sfd = dup(src);
    if (sfd < 0)
        return -errno;
    DIR *d = fdopendir(sfd);
    if (!d) {
        int e = errno;
        close(sfd);
        return -e;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, "postmaster.pid") == 0)
            continue;
        struct stat st;
        if (fstatat(src, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = -errno;
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            if (mkdirat(dst, n, 0700) < 0) {
                rc = -errno;
                break;
            }
            int s = openat(src, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            int t = openat(dst, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (s < 0 || t < 0)
                rc = -errno;
            else if (owner && owner->drop && fchown(t, owner->uid, owner->gid) < 0)
                rc = -errno;
            else
                rc = copy_tree(s, t, owner);
            if (s >= 0)
                close(s);
            if (t >= 0)
                close(t);
        } else if (S_ISREG(st.st_mode)) {
            int s = openat(src, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            int t = openat(dst, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                           st.st_mode & 0700);
            if (s < 0 || t < 0)
                rc = -errno;
            else if (owner && owner->drop && fchown(t, owner->uid, owner->gid) < 0)
                rc = -errno;
            else
                rc = copy_file(s, t);
            if (s >= 0)
                close(s);
            if (t >= 0)
                close(t);
        } else {
            rc = -EINVAL;
        }
    }
    closedir(d);
    return rc;
}

/* Writes DIR/supamock.pid atomically: "OWNER POSTMASTER\n". */
static int write_pid_file(const char *dir, pid_t postmaster)
{
    char *tmp = xasprintf("%s/" PID_FILE ".tmp", dir);
    char *final = xasprintf("%s/" PID_FILE, dir);
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        rc = -errno;
    else {
        char line[64];
        int len = snprintf(line, sizeof line, "%ld %ld\n", (long)getpid(), (long)postmaster);
        if (write(fd, line, (size_t)len) != len)
            rc = -EIO;
        close(fd);
        if (rc == 0 && rename(tmp, final) < 0)
            rc = -errno;
    }
    free(tmp);
    free(final);
    return rc;
}

/* Reads "OWNER POSTMASTER" from the pid file in the directory dfd, only if it
 * is a regular file this user owns. Returns 0 or -1. */
static int read_pid_file(int dfd, pid_t *owner, pid_t *postmaster)
{
    int fd = openat(dfd, PID_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    char line[64];
    ssize_t n = -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid())
        n = read(fd, line, sizeof line - 1);
    close(fd);
    if (n <= 0)
        return -1;
    line[n] = '\0';
    long o, p;
    if (sscanf(line, "%ld %ld", &o, &p) != 2 || o <= 0 || p < 0)
        return -1;
    *owner = (pid_t)o;
    *postmaster = (pid_t)p;
    return 0;
}

/* ---- one cluster directory ---------------------------------------------- */

static void cluster_free(pg_cluster_t *c)
{
    if (!c)
        return;
    free(c->tmp_root);
    free(c->name);
    free(c->dir);
    free(c->data_dir);
    free(c->run_dir);
    free(c->log_path);
    free(c);
}

/* Makes DIR with its pid file, data/ and run/ (the runner's, 0700) and the
 * log. Returns the cluster value (no server yet) or NULL with err filled. */
static pg_cluster_t *cluster_dir_new(const char *tmp_root, const runner_t *runner, char *err)
{
    char *path = xasprintf("%s/" DIR_PREFIX "XXXXXX", tmp_root);
    if (!mkdtemp(path)) { /* mkdtemp makes it 0700 */
        fail(err, "mkdtemp in %s: %s", tmp_root, strerror(errno));
        free(path);
        return NULL;
    }
    pg_cluster_t *c = xcalloc(1, sizeof *c);
    c->tmp_root = xstrdup(tmp_root);
    c->dir = path;
    c->name = xstrdup(strrchr(path, '/') + 1);
    c->data_dir = xasprintf("%s/data", path);
    c->run_dir = xasprintf("%s/run", path);
    c->log_path = xasprintf("%s/" LOG_FILE, path);
    c->runner = *runner;
    int rc = write_pid_file(path, 0);
    if (rc == 0 && runner->drop) {
        /* The server's user may traverse DIR (to reach data/ and run/) but not
         * list or change it, and nobody else may enter. */
        if (chown(path, 0, runner->gid) < 0 || chmod(path, 0710) < 0)
            rc = -errno;
    }
    const char *subdirs[] = {c->data_dir, c->run_dir};
    for (int i = 0; rc == 0 && i < 2; i++) {
        if (mkdir(subdirs[i], 0700) < 0 ||
            (runner->drop && chown(subdirs[i], runner->uid, runner->gid) < 0))
            rc = -errno;
    }
    if (rc == 0) {
        int fd = open(c->log_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            rc = -errno;
        else
            close(fd);
    }
    if (rc < 0) {
        fail(err, "preparing %s: %s", path, strerror(-rc));
        rm_tree(c->tmp_root, c->name);
        cluster_free(c);
        return NULL;
    }
    return c;
}

/* Forks `postgres` on the cluster's data directory. */
static int start_server(pg_cluster_t *c, const char *bindir, char *err)
{
    size_t nset = 0;
    while (server_settings[nset])
        nset++;
    char **argv = xcalloc(2 * nset + 8, sizeof *argv);
    size_t n = 0;
    argv[n++] = xasprintf("%s/postgres", bindir);
    argv[n++] = xstrdup("-D");
    argv[n++] = xstrdup(c->data_dir);
    argv[n++] = xstrdup("-c");
    argv[n++] = xasprintf("unix_socket_directories=%s", c->run_dir);
    argv[n++] = xstrdup("-c");
    argv[n++] = xstrdup("port=" PG_PORT);
    for (size_t i = 0; i < nset; i++) {
        argv[n++] = xstrdup("-c");
        argv[n++] = xstrdup(server_settings[i]);
    }
    int log_fd = open(c->log_path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    pid_t pid = log_fd < 0 ? -1 : spawn(argv, log_fd, &c->runner);
    if (log_fd >= 0)
        close(log_fd);
    for (size_t i = 0; i < n; i++)
        free(argv[i]);
    free(argv);
    if (pid < 0)
        return fail(err, "starting postgres: %s", strerror(errno));
    c->postmaster = pid;
    c->spawn_at = now_ms();
    if (write_pid_file(c->dir, pid) < 0)
        return fail(err, "writing %s/" PID_FILE ": %s", c->dir, strerror(errno));
    return 0;
}

/* Single-quotes a conninfo value (libpq: backslash escapes ' and \). */
static void put_conn_value(char *out, size_t cap, const char *v)
{
    size_t n = 0;
    if (n + 1 < cap)
        out[n++] = '\'';
    for (; *v && n + 3 < cap; v++) {
        if (*v == '\'' || *v == '\\')
            out[n++] = '\\';
        out[n++] = *v;
    }
    if (n + 1 < cap)
        out[n++] = '\'';
    out[n] = '\0';
}

char *pg_cluster_conninfo(const pg_cluster_t *c, const char *user)
{
    char host[PATH_MAX * 2 + 3], role[256];
    put_conn_value(host, sizeof host, c->run_dir);
    put_conn_value(role, sizeof role, user ? user : PG_CLUSTER_SUPERUSER);
    return xasprintf("host=%s port=" PG_PORT " dbname=postgres user=%s sslmode=disable "
                     "connect_timeout=10 application_name=supamock",
                     host, role);
}

/* Whether data_dir/postmaster.pid says the server accepts connections: its
 * 8th line (LOCK_FILE_LINE_PM_STATUS, PostgreSQL 10 and later) starts with
 * PM_STATUS_READY, "ready". */
static bool pid_file_ready(const char *data_dir)
{
    char *path = xasprintf("%s/postmaster.pid", data_dir);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return false;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    const char *line = buf;
    for (int i = 1; i < 8 && line; i++) {
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return line && strncmp(line, "ready", 5) == 0;
}

int pg_cluster_poll(pg_cluster_t *c, char *err)
{
    char pq_err[PG_CLUSTER_ERR_MAX];
    const pq_api_t *pq = pq_load(pq_err, sizeof pq_err);
    if (!pq)
        return fail(err, "%s", pq_err);
    if (c->postmaster <= 0)
        return fail(err, "the server is not running");
    int status;
    pid_t r = waitpid(c->postmaster, &status, WNOHANG);
    if (r == c->postmaster) {
        c->postmaster = 0;
        fail(err, "postgres exited during start (%s %d)", WIFEXITED(status) ? "status" : "signal",
             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        append_log_tail(err, c->log_path);
        return -1;
    }
    /* Nothing accepts connections before the postmaster writes "ready" into
     * postmaster.pid (what pg_ctl waits for), and every PQping before that
     * makes the postmaster fork a backend only to answer "the database
     * system is starting up": while startup replays the WAL, a ping every
     * few milliseconds costs more CPU than the start. One PQping after it
     * (on a local socket it answers at once, so this does not block). */
    if (!pid_file_ready(c->data_dir))
        return 0;
    char *conninfo = pg_cluster_conninfo(c, NULL);
    PGPing ping = pq->ping(conninfo);
    free(conninfo);
    if (ping == PQPING_OK) {
        if (c->timings.ready_ms == 0)
            c->timings.ready_ms = now_ms() - c->spawn_at;
        return 1;
    }
    if (ping == PQPING_NO_ATTEMPT)
        return fail(err, "libpq refused the connection parameters for %s", c->run_dir);
    return 0;
}

static int wait_ready(pg_cluster_t *c, char *err)
{
    double deadline = now_ms() + START_TIMEOUT_MS;
    for (;;) {
        int r = pg_cluster_poll(c, err);
        if (r != 0)
            return r < 0 ? -1 : 0;
        if (now_ms() > deadline) {
            fail(err, "postgres did not accept connections within %d s", START_TIMEOUT_MS / 1000);
            append_log_tail(err, c->log_path);
            return -1;
        }
        sleep_ms(5);
    }
}

int pg_cluster_stop(pg_cluster_t *c, char *err)
{
    if (!c)
        return 0;
    stop_child(c->postmaster);
    c->postmaster = 0;
    int rc = rm_tree(c->tmp_root, c->name);
    if (rc < 0)
        fail(err, "removing %s: %s", c->dir, strerror(-rc));
    cluster_free(c);
    return rc < 0 ? -1 : 0;
}

int pg_cluster_check(pg_cluster_t *c, char *out, size_t cap, char *err)
{
    char pq_err[PG_CLUSTER_ERR_MAX];
    const pq_api_t *pq = pq_load(pq_err, sizeof pq_err);
    if (!pq)
        return fail(err, "%s", pq_err);
    static const char sub[] = "13ab4cf1-8587-4685-874b-c2d37beeab38";
    char *conninfo = pg_cluster_conninfo(c, "authenticator");
    PGconn *conn = pq->connectdb(conninfo);
    free(conninfo);
    int rc = 0;
    if (pq->status(conn) != CONNECTION_OK) {
        rc = fail(err, "connecting as authenticator: %s", pq->error_message(conn));
        goto done;
    }
    /* What PostgREST runs for a request, in one transaction. */
    char claims[128];
    snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"role\":\"authenticated\"}", sub);
    const char *params[] = {claims};
    PGresult *res = pq->exec(conn, "begin; set local role authenticated");
    if (pq->result_status(res) != PGRES_COMMAND_OK)
        rc = fail(err, "set local role authenticated: %s", pq->result_error_message(res));
    pq->clear(res);
    if (rc == 0) {
        res =
            pq->exec_params(conn,
                            "select set_config('request.jwt.claims', $1, true), auth.uid()::text, "
                            "current_user, current_setting('server_version')",
                            1, NULL, params, NULL, NULL, 0);
        if (pq->result_status(res) != PGRES_TUPLES_OK || pq->ntuples(res) != 1)
            rc = fail(err, "auth.uid(): %s", pq->result_error_message(res));
        else if (strcmp(pq->getvalue(res, 0, 1), sub) != 0 ||
                 strcmp(pq->getvalue(res, 0, 2), "authenticated") != 0)
            rc = fail(err, "auth.uid() read %s as %s", pq->getvalue(res, 0, 1),
                      pq->getvalue(res, 0, 2));
        else
            snprintf(out, cap, "%s", pq->getvalue(res, 0, 3));
        pq->clear(res);
    }
    pq->clear(pq->exec(conn, "rollback"));
done:
    pq->finish(conn);
    return rc;
}

/* ---- the template -------------------------------------------------------- */

/* The 1-based line of byte offset pos (1-based, as Postgres reports it) in s. */
static int line_of(const char *s, long pos)
{
    int line = 1;
    for (long i = 0; s[i] && i < pos - 1; i++)
        line += s[i] == '\n';
    return line;
}

static int apply_baseline(pg_cluster_t *c, const char *baseline, char *err)
{
    char pq_err[PG_CLUSTER_ERR_MAX];
    const pq_api_t *pq = pq_load(pq_err, sizeof pq_err);
    if (!pq)
        return fail(err, "%s", pq_err);
    char *conninfo = pg_cluster_conninfo(c, NULL);
    PGconn *conn = pq->connectdb(conninfo);
    free(conninfo);
    int rc = 0;
    if (pq->status(conn) != CONNECTION_OK) {
        rc = fail(err, "connecting to the new cluster: %s", pq->error_message(conn));
    } else {
        /* One simple-protocol query: the statements run in order and the
         * first error stops the rest. */
        PGresult *res = pq->exec(conn, baseline);
        ExecStatusType st = pq->result_status(res);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            const char *pos = pq->result_error_field(res, PG_DIAG_STATEMENT_POSITION);
            rc = fail(err, "the Supabase baseline failed at line %d: %s",
                      pos ? line_of(baseline, atol(pos)) : 0, pq->result_error_message(res));
        }
        pq->clear(res);
        if (rc == 0) {
            res = pq->exec(conn, "CHECKPOINT");
            if (pq->result_status(res) != PGRES_COMMAND_OK)
                rc = fail(err, "CHECKPOINT: %s", pq->result_error_message(res));
            pq->clear(res);
        }
    }
    pq->finish(conn);
    return rc;
}

/* Sweeps DIR/.staging-PID-* entries whose builder is dead. */
static void sweep_staging(const char *cache)
{
    DIR *d = opendir(cache);
    if (!d)
        return;
    struct stat st;
    if (fstat(dirfd(d), &st) < 0) {
        closedir(d);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid;
        if (sscanf(e->d_name, ".staging-%ld-", &pid) == 1 && !pid_alive((pid_t)pid))
            rm_tree_at(dirfd(d), e->d_name, st.st_dev);
    }
    closedir(d);
}

/* initdb + baseline in a private cluster directory, then copied into
 * cache/name via a staging directory and one rename, so a template is either
 * complete or absent, and two supamocks building at once both succeed. */
static int build_template(const char *bindir, const char *tmp_root, const runner_t *runner,
                          const char *cache, const char *name, const char *baseline, char *err)
{
    pg_cluster_t *c = cluster_dir_new(tmp_root, runner, err);
    if (!c)
        return -1;
    int rc = 0;
    char *staging = NULL;
    size_t nflags = 0;
    while (initdb_flags[nflags])
        nflags++;
    char **argv = xcalloc(nflags + 4, sizeof *argv);
    argv[0] = xasprintf("%s/initdb", bindir);
    argv[1] = xstrdup("-D");
    argv[2] = xstrdup(c->data_dir);
    for (size_t i = 0; i < nflags; i++)
        argv[3 + i] = xstrdup(initdb_flags[i]);
    int log_fd = open(c->log_path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    pid_t pid = log_fd < 0 ? -1 : spawn(argv, log_fd, runner);
    if (log_fd >= 0)
        close(log_fd);
    for (size_t i = 0; i < nflags + 3; i++)
        free(argv[i]);
    free(argv);
    int status = 0;
    if (pid < 0 || wait_for(pid, &status, START_TIMEOUT_MS) != 1 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        if (pid > 0 && waitpid(pid, &status, WNOHANG) == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        rc = fail(err, "initdb failed (as %s)", runner->name);
        append_log_tail(err, c->log_path);
        goto done;
    }
    if (start_server(c, bindir, err) < 0 || wait_ready(c, err) < 0 ||
        apply_baseline(c, baseline, err) < 0) {
        rc = -1;
        goto done;
    }
    stop_child(c->postmaster);
    c->postmaster = 0;

    sweep_staging(cache);
    staging = xasprintf("%s/.staging-%ld-XXXXXX", cache, (long)getpid());
    if (!mkdtemp(staging)) {
        rc = fail(err, "mkdtemp in %s: %s", cache, strerror(errno));
        free(staging);
        staging = NULL;
        goto done;
    }
    int src = open(c->data_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int dst = open(staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int r = src < 0 || dst < 0 ? -errno : copy_tree(src, dst, NULL);
    if (src >= 0)
        close(src);
    if (dst >= 0)
        close(dst);
    if (r < 0) {
        rc = fail(err, "copying the template into %s: %s", cache, strerror(-r));
        goto done;
    }
    char *final = xasprintf("%s/%s", cache, name);
    if (rename(staging, final) < 0 && errno != EEXIST && errno != ENOTEMPTY)
        rc = fail(err, "installing the template %s: %s", final, strerror(errno));
    free(final);
done:
    if (staging) {
        rm_tree(cache, strrchr(staging, '/') + 1); /* gone after a successful rename */
        free(staging);
    }
    pg_cluster_stop(c, NULL);
    return rc;
}

/* ---- start, sweep --------------------------------------------------------- */

int pg_cluster_spawn(const pg_cluster_options_t *opt, pg_cluster_t **out, char *err)
{
    *out = NULL;
    double t0 = now_ms();
    const char *baseline = opt && opt->baseline ? opt->baseline : pg_baseline_sql;
    char *bindir = NULL, *tmp_root = NULL, *cache = NULL, *name = NULL, *template = NULL;
    char version[32];
    runner_t runner;
    pg_cluster_t *c = NULL;
    int rc = -1;
    if (find_bindir(opt, &bindir, err) < 0 ||
        server_version(bindir, version, sizeof version, err) < 0 || find_runner(&runner, err) < 0)
        goto done;
    tmp_root = resolve_tmp_root(opt ? opt->tmp_dir : NULL, err);
    cache = tmp_root ? pg_cluster_cache_dir(opt, err) : NULL;
    if (!cache)
        goto done;
    pg_cluster_sweep(tmp_root);
    name = pg_cluster_template_name(version, baseline);
    template = xasprintf("%s/%s", cache, name);

    pg_cluster_timings_t timings = {0};
    struct stat st;
    timings.cache_hit = lstat(template, &st) == 0 && S_ISDIR(st.st_mode);
    if (!timings.cache_hit) {
        double tb = now_ms();
        if (build_template(bindir, tmp_root, &runner, cache, name, baseline, err) < 0)
            goto done;
        timings.template_ms = now_ms() - tb;
    }

    c = cluster_dir_new(tmp_root, &runner, err);
    if (!c)
        goto done;
    double tc = now_ms();
    int src = open(template, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int dst = open(c->data_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int r = src < 0 || dst < 0 ? -errno : copy_tree(src, dst, &runner);
    if (src >= 0)
        close(src);
    if (dst >= 0)
        close(dst);
    if (r < 0) {
        fail(err, "copying the template %s: %s", template, strerror(-r));
        goto done;
    }
    timings.copy_ms = now_ms() - tc;
    if (start_server(c, bindir, err) < 0)
        goto done;
    c->timings = timings;
    c->timings.total_ms = now_ms() - t0; /* pg_cluster_start adds the wait */
    *out = c;
    c = NULL;
    rc = 0;
done:
    if (c)
        pg_cluster_stop(c, NULL);
    free(bindir);
    free(tmp_root);
    free(cache);
    free(name);
    free(template);
    return rc;
}

int pg_cluster_start(const pg_cluster_options_t *opt, pg_cluster_t **out, char *err)
{
    double t0 = now_ms();
    pg_cluster_t *c;
    if (pg_cluster_spawn(opt, &c, err) < 0) {
        *out = NULL;
        return -1;
    }
    if (wait_ready(c, err) < 0) {
        pg_cluster_stop(c, NULL);
        *out = NULL;
        return -1;
    }
    c->timings.total_ms = now_ms() - t0;
    *out = c;
    return 0;
}

const char *pg_cluster_dir(const pg_cluster_t *c)
{
    return c->dir;
}

const char *pg_cluster_socket_dir(const pg_cluster_t *c)
{
    return c->run_dir;
}

pid_t pg_cluster_postmaster_pid(const pg_cluster_t *c)
{
    return c->postmaster;
}

const pg_cluster_timings_t *pg_cluster_timings(const pg_cluster_t *c)
{
    return &c->timings;
}

/* Whether pid is a process whose working directory is data_dir: a postmaster
 * chdirs into its data directory, so this tells our server from an unrelated
 * process that reused the pid. Linux only; elsewhere (false) the server
 * notices its lock file is gone and shuts itself down within a minute. */
static bool is_server_of(pid_t pid, const char *data_dir)
{
#ifdef __linux__
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/%ld/cwd", (long)pid);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0)
        return false;
    target[n] = '\0';
    return strcmp(target, data_dir) == 0;
#else
    (void)pid;
    (void)data_dir;
    return false;
#endif
}

int pg_cluster_sweep(const char *tmp_dir)
{
    char *root = resolve_tmp_root(tmp_dir, NULL);
    if (!root)
        return 0;
    DIR *d = opendir(root);
    if (!d) {
        free(root);
        return 0;
    }
    struct stat rst;
    if (fstat(dirfd(d), &rst) < 0) {
        closedir(d);
        free(root);
        return 0;
    }
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, DIR_PREFIX, strlen(DIR_PREFIX)) != 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
            st.st_uid != geteuid())
            continue;
        int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            continue;
        pid_t owner, postmaster;
        int r = read_pid_file(fd, &owner, &postmaster);
        close(fd);
        if (r < 0 || owner == getpid() || pid_alive(owner))
            continue;
        char *data_dir = xasprintf("%s/%s/data", root, e->d_name);
        if (postmaster > 0 && is_server_of(postmaster, data_dir)) {
            kill(postmaster, SIGINT);
            double deadline = now_ms() + STOP_TIMEOUT_MS;
            while (is_server_of(postmaster, data_dir) && now_ms() < deadline)
                sleep_ms(5);
            if (is_server_of(postmaster, data_dir))
                kill(postmaster, SIGKILL);
        }
        free(data_dir);
        if (rm_tree_at(dirfd(d), e->d_name, rst.st_dev) == 0)
            removed++;
    }
    closedir(d);
    free(root);
    return removed;
}
