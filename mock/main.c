/* supamock's entry point: argv -> mock_config_t, the `validate`, `keys`,
 * `token` and `run` subcommands, then scenario, instance, server and signals
 * on one libuv loop. No request logic lives here. Exit codes: 0 after a
 * signal, 2 for usage and scenario errors, 1 for anything else; `run` exits
 * with its command's status. */
#include "config.h"
#include "admin.h"
#include "app.h"
#include "clock.h"
#include "cluster.h"
#include "pg_load.h"
#include "pg_site.h"
#include "project.h"
#include "gotrue.h"
#include "jwt.h"
#include "instance.h"
#include "journal.h"
#include "log.h"
#include "router.h"
#include "rules.h"
#include "scenario.h"
#include "runtime.h"
#include "reloc_trim.h"
#include "xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MOCK_VERSION
#define MOCK_VERSION "0.0.0"
#endif

#ifndef MOCK_DATADIR
#define MOCK_DATADIR "/usr/local/share/supamock"
#endif
#define MOCK_DATADIR_TEXT MOCK_DATADIR "/scenarios"

#define EXIT_USAGE 2
/* `supamock run`: how many failed requests the summary lists one by one. */
#define RUN_SUMMARY_MAX 20

static const char usage_text[] =
    "usage: supamock [--scenario NAME|FILE] [--host ADDR] [--port N] [--jwt-secret S]\n"
    "                [--clock real|ISO8601] [--seed N] [--log-level debug|info|warn|error]\n"
    "                [--log-format pretty|json] [--ready-file PATH] [--admin-token TOKEN]\n"
    "                [--journal-limit N] [--max-body-bytes N] [--max-connections N]\n"
    "                [--idle-timeout-ms N] [--admin-host NAME[:PORT]]...\n"
    "                [--db memory|postgres|postgres://URL] [--project DIR]\n"
    "       supamock run [flags above] -- CMD [ARGS...]\n"
    "       supamock validate FILE|DIR...\n"
    "       supamock keys [--scenario NAME|FILE] [--host ADDR] [--port N] [--jwt-secret S]\n"
    "                     [--format env|json|github]\n"
    "       supamock token --role ROLE [--sub UUID] [--email E] [--exp SECONDS|never]\n"
    "                      [--kid KID] [--clock TIME|real] [--scenario NAME|FILE]\n"
    "       supamock jwks [--scenario NAME|FILE]\n"
    "       supamock db-check\n"
    "       supamock --help | --version\n"
    "\n"
    "Impersonates a Supabase project's Data API (PostgREST behind the gateway) for tests.\n"
    "\n"
    "  --scenario NAME|FILE   scenario to serve (default: the built-in 'default')\n"
    "  --host ADDR            address to listen on (default 127.0.0.1; others need --admin-token)\n"
    "  --port N               port (default 54321; 0 lets the kernel choose)\n"
    "  --jwt-secret S         override the scenario's JWT secret\n"
    "  --clock real|ISO8601   scenario clock (default: the scenario's, else real time)\n"
    "  --seed N               PRNG seed (default 1)\n"
    "  --log-level LEVEL      debug, info, warn or error (default info)\n"
    "  --log-format FORMAT    pretty or json (default: pretty on a terminal, else json)\n"
    "  --ready-file PATH      write the listening URL here once ready\n"
    "  --admin-token TOKEN    require 'Authorization: Bearer TOKEN' on /__mock\n"
    "  --admin-host NAME      also accept Host: NAME (any port; NAME:PORT for one port) on\n"
    "                         /__mock, e.g. a Docker service name; repeatable. By default\n"
    "                         /__mock answers only Host: the listening address or a\n"
    "                         loopback name (localhost, 127.x.x.x, [::1]), and refuses\n"
    "                         cross-origin requests and non-JSON bodies\n"
    "  --journal-limit N      requests kept in the journal (default 10000)\n"
    "  --max-body-bytes N     larger request bodies get 413 (default 1048576)\n"
    "  --max-connections N    more connections are closed at once (default 4096)\n"
    "  --idle-timeout-ms N    cut connections without a complete request (default 60000)\n"
    "  --db ENGINE            memory (default), postgres (a PostgreSQL 15 cluster supamock\n"
    "                         starts on a private socket) or a postgres:// URL of an existing\n"
    "                         server (supamock creates its own database there, drops it on exit)\n"
    "  --project DIR          serve a Supabase project folder: supabase/config.toml,\n"
    "                         migrations/*.sql in order, seed.sql, optional supamock.json;\n"
    "                         on the database engine unless --db memory is given\n"
    "\n"
    "db-check starts the PostgreSQL 15 cluster the database engine will use (building its\n"
    "cached template with the Supabase baseline on first use), checks it, prints how long\n"
    "each step took, and stops it. Requests are still served by the memory engine.\n"
    "\n"
    "When listening it prints 'supamock listening on http://HOST:PORT' to stdout.\n"
    "Exit status: 0 after SIGINT/SIGTERM, 2 for usage or scenario errors, 1 otherwise.\n"
    "\n"
    "A scenario NAME is looked for as NAME.json in: ./scenarios, then\n"
    "<folder of this binary>/../share/supamock/scenarios, then\n" MOCK_DATADIR_TEXT
    " (where cmake --install put them).\n"
    "\n"
    "supamock run serves on a free port (--port 0 unless --port is given; log level\n"
    "warn unless --log-level is given), runs CMD with SUPABASE_URL,\n"
    "SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY, SUPABASE_PUBLISHABLE_KEY, SUPABASE_SECRET_KEY,\n"
    "SUPABASE_JWT_SECRET and the Supabase CLI's names (API_URL, REST_URL, ANON_KEY,\n"
    "SERVICE_ROLE_KEY, PUBLISHABLE_KEY, SECRET_KEY, JWT_SECRET) in its environment,\n"
    "forwards SIGINT/SIGTERM to it, stops the server when it exits and exits with its\n"
    "status (128+N after signal N; 127 when CMD is not found). When CMD fails, the\n"
    "requests answered with 4xx/5xx or a connection fault are listed on stderr.\n"
    "supamock keys --format prints the same variables: env (NAME=value, shell-quoted\n"
    "where needed), json (one object on one line) or github (lines for $GITHUB_ENV,\n"
    "multi-line safe).\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "supamock: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'supamock --help'.\n");
    va_end(ap);
    return EXIT_USAGE;
}

/* A decimal number in [min, max]; the whole string must be digits. */
static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!*s)
        return -1;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Fills cfg from argv[1..]. Returns 0, or an exit status (usage error, or
 * -1 after printing --help/--version, meaning "exit 0"). */
static int parse_args(int argc, char **argv, mock_config_t *cfg)
{
    bool db_given = false, scenario_given = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage_text, stdout);
            return -1;
        }
        if (strcmp(arg, "--version") == 0) {
            printf("supamock %s\n", MOCK_VERSION);
            return -1;
        }
        if (strncmp(arg, "--", 2) != 0)
            return usage_error("unexpected argument '%s'", arg);
        /* --opt=value or --opt value */
        char name[64];
        const char *value = NULL;
        const char *eq = strchr(arg, '=');
        size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
        if (nlen >= sizeof name)
            return usage_error("unknown option '%s'", arg);
        memcpy(name, arg, nlen);
        name[nlen] = '\0';
        static const char *const known[] = {"--scenario",
                                            "--host",
                                            "--port",
                                            "--jwt-secret",
                                            "--clock",
                                            "--seed",
                                            "--log-level",
                                            "--log-format",
                                            "--ready-file",
                                            "--admin-token",
                                            "--journal-limit",
                                            "--max-body-bytes",
                                            "--max-connections",
                                            "--idle-timeout-ms",
                                            "--admin-host",
                                            "--db",
                                            "--project",
                                            NULL};
        bool ok = false;
        for (int k = 0; known[k]; k++)
            if (strcmp(name, known[k]) == 0)
                ok = true;
        if (!ok)
            return usage_error("unknown option '%s'", name);
        if (eq) {
            value = eq + 1;
        } else {
            if (i + 1 >= argc)
                return usage_error("option '%s' needs a value", name);
            value = argv[++i];
        }
        uint64_t n = 0;
        if (strcmp(name, "--scenario") == 0) {
            if (!*value)
                return usage_error("--scenario needs a name or file");
            cfg->scenario = value;
            scenario_given = true;
        } else if (strcmp(name, "--host") == 0) {
            if (!*value)
                return usage_error("--host needs an address");
            cfg->host = value;
        } else if (strcmp(name, "--port") == 0) {
            if (parse_u64(value, 0, 65535, &n) < 0)
                return usage_error("--port must be a number from 0 to 65535, not '%s'", value);
            cfg->port = (int)n;
        } else if (strcmp(name, "--jwt-secret") == 0) {
            cfg->jwt_secret = value;
        } else if (strcmp(name, "--clock") == 0) {
            if (!*value)
                return usage_error("--clock needs 'real' or an ISO 8601 instant");
            cfg->clock = value;
        } else if (strcmp(name, "--seed") == 0) {
            if (parse_u64(value, 0, UINT64_MAX, &n) < 0)
                return usage_error("--seed must be a non-negative number, not '%s'", value);
            cfg->seed = n;
        } else if (strcmp(name, "--log-level") == 0) {
            int lv = log_level_parse(value);
            if (lv < 0)
                return usage_error("--log-level must be debug, info, warn or error, not '%s'",
                                   value);
            cfg->log_level = lv;
        } else if (strcmp(name, "--log-format") == 0) {
            int f = log_format_parse(value);
            if (f < 0)
                return usage_error("--log-format must be pretty or json, not '%s'", value);
            cfg->log_format = f;
        } else if (strcmp(name, "--ready-file") == 0) {
            if (!*value)
                return usage_error("--ready-file needs a path");
            cfg->ready_file = value;
        } else if (strcmp(name, "--admin-token") == 0) {
            if (!*value)
                return usage_error("--admin-token must not be empty");
            cfg->admin_token = value;
        } else if (strcmp(name, "--journal-limit") == 0) {
            if (parse_u64(value, 1, SIZE_MAX, &n) < 0)
                return usage_error("--journal-limit must be a positive number, not '%s'", value);
            cfg->journal_limit = (size_t)n;
        } else if (strcmp(name, "--max-body-bytes") == 0) {
            if (parse_u64(value, 1, SIZE_MAX / 2, &n) < 0)
                return usage_error("--max-body-bytes must be a positive number, not '%s'", value);
            cfg->max_body_bytes = (size_t)n;
        } else if (strcmp(name, "--max-connections") == 0) {
            if (parse_u64(value, 1, 1u << 20, &n) < 0)
                return usage_error("--max-connections must be a number from 1 to 1048576, "
                                   "not '%s'",
                                   value);
            cfg->max_connections = (size_t)n;
        } else if (strcmp(name, "--idle-timeout-ms") == 0) {
            if (parse_u64(value, 1, UINT32_MAX, &n) < 0)
                return usage_error("--idle-timeout-ms must be a positive number, not '%s'", value);
            cfg->idle_timeout_ms = n;
        } else if (strcmp(name, "--admin-host") == 0) {
            if (!admin_host_value_ok(value))
                return usage_error("--admin-host must be a host name or address with an optional "
                                   ":PORT (IPv6 in brackets), not '%s'",
                                   value);
            if (cfg->admin_host_count >= MOCK_MAX_ADMIN_HOSTS)
                return usage_error("at most %d --admin-host values", MOCK_MAX_ADMIN_HOSTS);
            cfg->admin_hosts[cfg->admin_host_count++] = value;
        } else if (strcmp(name, "--db") == 0) {
            if (strcmp(value, "memory") != 0 && strcmp(value, "postgres") != 0 &&
                strncmp(value, "postgres://", 11) != 0 && strncmp(value, "postgresql://", 13) != 0)
                return usage_error("--db must be memory, postgres or a postgres:// URL, not '%s'",
                                   value);
            cfg->db = value;
            db_given = true;
        } else if (strcmp(name, "--project") == 0) {
            if (!*value)
                return usage_error("--project needs a folder");
            cfg->project = value;
        }
    }
    if (cfg->project) {
        /* A project folder runs exactly on the database engine, its default;
         * --db memory reads its SQL into the memory engine's model instead
         * (what it does not model is said at start). */
        if (scenario_given)
            return usage_error("--project and --scenario exclude each other: put the "
                               "project's rules and overrides in supamock.json in its folder");
        if (!db_given)
            cfg->db = "postgres";
    }
    if (!admin_is_loopback_host(cfg->host) && !cfg->admin_token)
        return usage_error("refusing to listen on non-loopback host '%s' without --admin-token: "
                           "the admin API (/__mock) would be open to the network",
                           cfg->host);
    return 0;
}

/* What the scenario's SQL held that the memory engine does not run: said once
 * at start (the database engine runs it all). */
static void log_scenario_notices(const scenario_t *sc)
{
    for (size_t i = 0; i < sc->notice_count; i++) {
        const scenario_notice_t *n = &sc->notices[i];
        log_msg(LOG_WARN, "%s:%d:%d: note: %s", n->pos.file ? n->pos.file : "", n->pos.line,
                n->pos.col, n->message);
    }
}

/* `supamock validate DIR` for a project folder: read it, then load it on the
 * database engine (the only one that runs its SQL) into a template, which
 * reports the first failing statement at FILE:LINE:COL. The cluster is
 * started on the first folder and kept for the others (*site). */
static int validate_project(const char *dir, pg_site_t **site)
{
    project_t *p = NULL;
    scenario_t *sc = NULL;
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    int rc = project_load(dir, &p, &err) < 0 || project_scenario(p, false, &sc, &err) < 0 ? -1 : 0;
    if (rc == 0 && !*site) {
        char msg[1200];
        if (pg_site_open(NULL, site, msg, sizeof msg) < 0) {
            fprintf(stderr, "%s: database engine: %s\n", dir, msg);
            scenario_free(sc);
            project_free(p);
            return 1;
        }
    }
    if (rc == 0) {
        pg_template_t *tpl = NULL;
        rc = pg_template_build(*site, sc, (const char *const *)p->sql_files, p->sql_file_count,
                               &tpl, &err);
        pg_template_free(tpl);
    }
    if (rc < 0) {
        char msg[1200];
        scenario_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
    } else {
        printf("%s: ok (%zu migrations and %zu seed files on PostgreSQL)\n", dir,
               p->migration_count, p->sql_file_count - p->migration_count);
    }
    scenario_free(sc);
    project_free(p);
    return rc < 0 ? EXIT_USAGE : 0;
}

/* `supamock validate FILE|DIR...`: load each scenario and build its instance;
 * a directory is a project folder (validate_project). */
static int cmd_validate(int argc, char **argv)
{
    if (argc < 3)
        return usage_error("validate needs at least one FILE");
    mock_config_t cfg;
    mock_config_defaults(&cfg);
    log_setup(LOG_WARN, LOG_FORMAT_PLAIN); /* notes read as FILE:LINE:COL: note: ... */
    /* Every file is checked and reported, so one run shows all that is wrong;
     * the exit status says whether any file failed. */
    int status = 0;
    pg_site_t *site = NULL;
    for (int i = 2; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            int rc = validate_project(argv[i], &site);
            if (rc)
                status = rc == 1 && status == 0 ? 1 : EXIT_USAGE;
            continue;
        }
        /* scenarios/ also ships the editors' JSON Schema: skipping it lets
         * one glob over scenarios/ validate every scenario there. */
        size_t len = strlen(argv[i]);
        if (len >= 12 && strcmp(argv[i] + len - 12, ".schema.json") == 0) {
            printf("%s: skipped (a JSON Schema, not a scenario)\n", argv[i]);
            continue;
        }
        scenario_t *sc = NULL;
        instance_t *inst = NULL;
        scenario_errors_t *errs = xcalloc(1, sizeof *errs);
        int rc = scenario_load_all(argv[i], &sc, errs);
        if (rc != 0 && errs->partial) {
            /* The rules are compiled when the instance is built, which a file
             * with errors never reaches: check them here so one run shows
             * theirs too. */
            rules_check_all(errs->partial, errs);
            scenario_free(errs->partial);
        }
        if (sc)
            log_scenario_notices(sc);
        if (rc == 0)
            rc = rules_check_all(sc, errs); /* every rule's errors, not the first */
        if (rc == 0) {
            /* Seed rows and policy expressions are checked when the instance
             * is built, once the file itself is sound. */
            rc = instance_new(sc, &cfg, &inst, &errs->items[0]);
            errs->count = rc < 0;
        }
        instance_free(inst);
        scenario_free(sc);
        for (size_t k = 0; k < errs->count; k++) {
            char msg[1200];
            scenario_error_format(&errs->items[k], msg, sizeof msg);
            fprintf(stderr, "%s\n", msg);
        }
        if (errs->more)
            fprintf(stderr, "%s: and %zu more errors\n", argv[i], errs->more);
        free(errs);
        if (rc < 0) {
            status = EXIT_USAGE;
            continue;
        }
        printf("%s: ok\n", argv[i]);
    }
    pg_site_close(site);
    return status;
}

/* `--name value` or `--name=value` among `known`; the subcommands' own parser.
 * Returns 0 with name and value set, or a usage exit status. */
static int sub_option(int argc, char **argv, int *i, const char *const *known, char *name,
                      size_t name_len, const char **value)
{
    const char *arg = argv[*i];
    if (strncmp(arg, "--", 2) != 0)
        return usage_error("unexpected argument '%s'", arg);
    const char *eq = strchr(arg, '=');
    size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
    if (nlen >= name_len)
        return usage_error("unknown option '%s'", arg);
    memcpy(name, arg, nlen);
    name[nlen] = '\0';
    bool ok = false;
    for (int k = 0; known[k]; k++)
        if (strcmp(name, known[k]) == 0)
            ok = true;
    if (!ok)
        return usage_error("unknown option '%s'", name);
    if (eq) {
        *value = eq + 1;
    } else {
        if (*i + 1 >= argc)
            return usage_error("option '%s' needs a value", name);
        *value = argv[++*i];
    }
    return 0;
}

static int load_scenario_or_fail(const char *name, scenario_t **sc)
{
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    if (scenario_load(name, sc, &err) < 0) {
        char msg[1200];
        scenario_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        return EXIT_USAGE;
    }
    return 0;
}

/* The variables a backend needs to reach this mock: SUPABASE_* first, then
 * the names `supabase status -o env` prints for the same values (API_URL,
 * REST_URL, ANON_KEY, SERVICE_ROLE_KEY, PUBLISHABLE_KEY, SECRET_KEY,
 * JWT_SECRET, as the Supabase CLI's internal/status/status.go names them), so
 * a test suite written against `supabase start` runs unchanged. */
#define KEY_VAR_COUNT          13
#define KEY_VAR_SUPABASE_COUNT 6

typedef struct key_vars {
    const char *names[KEY_VAR_COUNT];
    const char *values[KEY_VAR_COUNT]; /* borrowed, except those below */
    char *url;                         /* owned */
    char *rest_url;                    /* owned */
} key_vars_t;

/* Fills v from the scenario, the base URL and the JWT secret in force (the
 * --jwt-secret override, else the scenario's). Borrows sc and jwt_secret;
 * key_vars_dispose frees what it owns. */
static void key_vars_init(key_vars_t *v, const scenario_t *sc, const char *url,
                          const char *jwt_secret)
{
    v->url = xstrdup(url);
    v->rest_url = xasprintf("%s/rest/v1", url);
    const char *anon = sc->anon_key ? sc->anon_key : "";
    const char *service = sc->service_role_key ? sc->service_role_key : "";
    const char *publishable = sc->publishable_key ? sc->publishable_key : "";
    const char *secret = sc->secret_key ? sc->secret_key : "";
    const char *jwt = jwt_secret ? jwt_secret : (sc->jwt_secret ? sc->jwt_secret : "");
    const char *names[KEY_VAR_COUNT] = {"SUPABASE_URL",
                                        "SUPABASE_ANON_KEY",
                                        "SUPABASE_SERVICE_ROLE_KEY",
                                        "SUPABASE_PUBLISHABLE_KEY",
                                        "SUPABASE_SECRET_KEY",
                                        "SUPABASE_JWT_SECRET",
                                        "API_URL",
                                        "REST_URL",
                                        "ANON_KEY",
                                        "SERVICE_ROLE_KEY",
                                        "PUBLISHABLE_KEY",
                                        "SECRET_KEY",
                                        "JWT_SECRET"};
    const char *values[KEY_VAR_COUNT] = {v->url,      anon,   service,     publishable, secret,
                                         jwt,         v->url, v->rest_url, anon,        service,
                                         publishable, secret, jwt};
    memcpy(v->names, names, sizeof names);
    memcpy(v->values, values, sizeof values);
}

static void key_vars_dispose(key_vars_t *v)
{
    free(v->url);
    free(v->rest_url);
}

/* True when a shell reads s back unchanged without quotes. */
static bool shell_safe(const char *s)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  strchr("_-./:@%+,=", c);
        if (!ok)
            return false;
    }
    return true;
}

/* --format env: NAME=value, single-quoted for the shell when a value holds
 * anything but letters, digits and _-./:@%+,= (keys and URLs never do). */
static void print_env(const key_vars_t *v)
{
    for (int i = 0; i < KEY_VAR_COUNT; i++) {
        const char *val = v->values[i];
        if (shell_safe(val)) {
            printf("%s=%s\n", v->names[i], val);
            continue;
        }
        printf("%s='", v->names[i]);
        for (const char *p = val; *p; p++) {
            if (*p == '\'')
                fputs("'\\''", stdout);
            else
                putchar(*p);
        }
        fputs("'\n", stdout);
    }
}

/* --format github: lines for $GITHUB_ENV. A value with a line break uses the
 * NAME<<DELIMITER form, with a delimiter the value does not contain
 * (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions#multiline-strings).
 */
static void print_github(const key_vars_t *v)
{
    for (int i = 0; i < KEY_VAR_COUNT; i++) {
        const char *val = v->values[i];
        if (!strpbrk(val, "\r\n")) {
            printf("%s=%s\n", v->names[i], val);
            continue;
        }
        char delim[40];
        unsigned n = 0;
        do
            snprintf(delim, sizeof delim, "SUPAMOCK_EOF_%u", n++);
        while (strstr(val, delim));
        printf("%s<<%s\n%s\n%s\n", v->names[i], delim, val, delim);
    }
}

static void print_json(const key_vars_t *v)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < KEY_VAR_COUNT; i++)
        if (!cJSON_AddStringToObject(o, v->names[i], v->values[i]))
            abort(); /* allocation failure aborts in xalloc's hooks first */
    char *text = cJSON_PrintUnformatted(o);
    printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(o);
}

/* `supamock keys`: the environment a backend needs to talk to this mock, from
 * the scenario's auth section. Without --format: the SUPABASE_* lines only. */
static int cmd_keys(int argc, char **argv)
{
    static const char *const known[] = {"--scenario",   "--host",   "--port",
                                        "--jwt-secret", "--format", NULL};
    const char *scenario = "default", *host = "127.0.0.1", *jwt_secret = NULL, *format = NULL;
    uint64_t port = 54321;
    for (int i = 2; i < argc; i++) {
        char name[64];
        const char *value = NULL;
        int rc = sub_option(argc, argv, &i, known, name, sizeof name, &value);
        if (rc)
            return rc;
        if (strcmp(name, "--scenario") == 0) {
            if (!*value)
                return usage_error("--scenario needs a name or file");
            scenario = value;
        } else if (strcmp(name, "--host") == 0) {
            if (!*value)
                return usage_error("--host needs an address");
            host = value;
        } else if (strcmp(name, "--jwt-secret") == 0) {
            jwt_secret = value;
        } else if (strcmp(name, "--format") == 0) {
            if (strcmp(value, "env") != 0 && strcmp(value, "json") != 0 &&
                strcmp(value, "github") != 0)
                return usage_error("--format must be env, json or github, not '%s'", value);
            format = value;
        } else if (parse_u64(value, 1, 65535, &port) < 0) {
            return usage_error("--port must be a number from 1 to 65535, not '%s'", value);
        }
    }
    scenario_t *sc = NULL;
    int rc = load_scenario_or_fail(scenario, &sc);
    if (rc)
        return rc;
    bool v6 = strchr(host, ':') != NULL;
    char *url = xasprintf("http://%s%s%s:%llu", v6 ? "[" : "", host, v6 ? "]" : "",
                          (unsigned long long)port);
    key_vars_t v;
    key_vars_init(&v, sc, url, jwt_secret);
    if (!format) {
        for (int i = 0; i < KEY_VAR_SUPABASE_COUNT; i++)
            printf("%s=%s\n", v.names[i], v.values[i]);
    } else if (strcmp(format, "env") == 0) {
        print_env(&v);
    } else if (strcmp(format, "json") == 0) {
        print_json(&v);
    } else {
        print_github(&v);
    }
    key_vars_dispose(&v);
    free(url);
    scenario_free(sc);
    return 0;
}

/* `supamock jwks`: the body of /auth/v1/.well-known/jwks.json for the
 * scenario's signing keys ({"keys":[]} without asymmetric keys, as GoTrue
 * answers then). */
static int cmd_jwks(int argc, char **argv)
{
    static const char *const known[] = {"--scenario", NULL};
    const char *scenario = "default";
    for (int i = 2; i < argc; i++) {
        char name[64];
        const char *value = NULL;
        int rc = sub_option(argc, argv, &i, known, name, sizeof name, &value);
        if (rc)
            return rc;
        if (!*value)
            return usage_error("--scenario needs a name or file");
        scenario = value;
    }
    scenario_t *sc = NULL;
    int rc = load_scenario_or_fail(scenario, &sc);
    if (rc)
        return rc;
    char *text = jwt_jwks_json(sc->signing_keys, sc->signing_key_count);
    printf("%s\n", text);
    free(text);
    scenario_free(sc);
    return 0;
}

/* `supamock token`: a JWT signed with the scenario's secret (or, with --kid,
 * one of its signing keys, the kid in the header as GoTrue puts it). An authenticated
 * user (--sub) gets GoTrue's access-token claims (gotrue.h); any other role
 * gets the demo keys' shape {"iss":"supabase-demo","role":..,"exp":..}. Time
 * comes from the scenario clock (real time for a real clock). */
static int cmd_token(int argc, char **argv)
{
    static const char *const known[] = {"--scenario", "--role", "--sub",   "--email",
                                        "--exp",      "--kid",  "--clock", NULL};
    const char *scenario = "default", *role = NULL, *sub = NULL, *email = NULL, *kid = NULL;
    const char *clock = NULL;
    bool never = false, past = false;
    uint64_t ttl = GOTRUE_ACCESS_TOKEN_TTL_S;
    for (int i = 2; i < argc; i++) {
        char name[64];
        const char *value = NULL;
        int rc = sub_option(argc, argv, &i, known, name, sizeof name, &value);
        if (rc)
            return rc;
        if (strcmp(name, "--scenario") == 0) {
            if (!*value)
                return usage_error("--scenario needs a name or file");
            scenario = value;
        } else if (strcmp(name, "--role") == 0) {
            if (!*value)
                return usage_error("--role needs a role name");
            role = value;
        } else if (strcmp(name, "--sub") == 0) {
            if (!*value)
                return usage_error("--sub needs a user id");
            sub = value;
        } else if (strcmp(name, "--email") == 0) {
            email = value;
        } else if (strcmp(name, "--kid") == 0) {
            if (!*value)
                return usage_error("--kid needs a key id");
            kid = value;
        } else if (strcmp(name, "--clock") == 0) {
            /* The server's --clock: iat and exp on the clock it checks them by. */
            int64_t probe;
            if (strcmp(value, "real") != 0 && scenario_parse_time(value, &probe) < 0)
                return usage_error("--clock needs 'real' or an ISO 8601 instant such as "
                                   "2026-01-01T00:00:00Z, not '%s'",
                                   value);
            clock = value;
        } else if (strcmp(value, "never") == 0) {
            never = true;
        } else if (parse_u64(value + (*value == '-'), 1, (uint64_t)1 << 40, &ttl) < 0) {
            return usage_error("--exp must be a non-zero number of seconds or 'never', not '%s'",
                               value);
        } else {
            /* -N: exp N seconds before now, an already expired token. */
            past = *value == '-';
        }
    }
    if (!role)
        return usage_error("token needs --role ROLE");
    scenario_t *sc = NULL;
    int rc = load_scenario_or_fail(scenario, &sc);
    if (rc)
        return rc;
    /* --kid: one of the scenario's signing keys, whatever its status (a
     * revoked key mints the tokens a rotation refuses). */
    const signing_key_t *key = NULL;
    for (size_t i = 0; kid && i < sc->signing_key_count; i++)
        if (strcmp(sc->signing_keys[i].kid, kid) == 0)
            key = &sc->signing_keys[i];
    if (kid && !key) {
        rc = usage_error("--kid '%s' is not one of the scenario's signing keys", kid);
        scenario_free(sc);
        return rc;
    }
    int64_t now_us = sc->clock_real ? clock_real_now_us() : sc->clock_start_us;
    if (clock && strcmp(clock, "real") == 0)
        now_us = clock_real_now_us();
    else if (clock)
        scenario_parse_time(clock, &now_us); /* checked above */
    int64_t iat = now_us / 1000000 - (now_us % 1000000 < 0) + MOCK_PG_EPOCH_UNIX;
    int64_t exp = never ? -1 : past ? iat - (int64_t)ttl : iat + (int64_t)ttl;
    char *claims = NULL;
    if (strcmp(role, "authenticated") == 0 && sub) {
        cJSON *app = cJSON_CreateObject();
        cJSON_AddStringToObject(app, "provider", "email");
        cJSON *providers = cJSON_AddArrayToObject(app, "providers");
        cJSON_AddItemToArray(providers, cJSON_CreateString("email"));
        /* GOTRUE_JWT_ISSUER of the CLI's stack on its default port. */
        claims = gotrue_claims_json("http://127.0.0.1:54321/auth/v1", sub, iat, exp, email, NULL,
                                    app, NULL, role, iat, NULL);
        cJSON_Delete(app);
    } else {
        buf_t b;
        buf_init(&b);
        buf_puts(&b, "{\"iss\":\"supabase-demo\"");
        if (sub) {
            buf_puts(&b, ",\"sub\":");
            gotrue_put_go_string(&b, sub);
        }
        if (email) {
            buf_puts(&b, ",\"email\":");
            gotrue_put_go_string(&b, email);
        }
        buf_puts(&b, ",\"role\":");
        gotrue_put_go_string(&b, role);
        if (!never) {
            buf_puts(&b, ",\"exp\":");
            buf_put_int(&b, exp);
        }
        buf_putc(&b, '}');
        claims = buf_steal(&b);
    }
    char *jwt = key ? jwt_sign_key(claims, key)
                    : jwt_sign_hs256(claims, sc->jwt_secret ? sc->jwt_secret : "");
    printf("%s\n", jwt);
    free(jwt);
    free(claims);
    scenario_free(sc);
    return 0;
}

/* Writes the URL to PATH atomically: a temporary file in the same directory,
 * then rename(2), so a watcher never sees a half-written file. */
static int write_ready_file(const char *path, const char *url)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int rc = -1;
    if (f) {
        bool ok = fprintf(f, "%s\n", url) > 0;
        ok = (fclose(f) == 0) && ok;
        if (ok && rename(tmp, path) == 0)
            rc = 0;
    }
    if (rc < 0) {
        log_msg(LOG_ERROR, "cannot write --ready-file %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

static double elapsed_ms(const struct timespec *from)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - from->tv_sec) * 1000.0 +
           (double)(now.tv_nsec - from->tv_nsec) / 1e6;
}

/* `supamock db-check`: start the database engine's cluster, check it, stop
 * it, with timings. A developer's check that this machine can run the
 * engine; it serves nothing. */
static int cmd_db_check(int argc, char **argv)
{
    if (argc > 2)
        return usage_error("db-check takes no arguments, not '%s'", argv[2]);
    char err[PG_CLUSTER_ERR_MAX] = "";
    pg_cluster_t *c = NULL;
    if (pg_cluster_start(NULL, &c, err) < 0) {
        fprintf(stderr, "db-check: %s\n", err);
        return 1;
    }
    const pg_cluster_timings_t *t = pg_cluster_timings(c);
    printf("cluster:  %s (socket in %s)\n", pg_cluster_dir(c), pg_cluster_socket_dir(c));
    if (t->cache_hit)
        printf("template: cached\n");
    else
        printf("template: built in %.0f ms (initdb + Supabase baseline)\n", t->template_ms);
    printf("start:    %.0f ms (copy %.0f ms, postgres ready %.0f ms)\n", t->total_ms, t->copy_ms,
           t->ready_ms);
    char version[64] = "";
    int rc = pg_cluster_check(c, version, sizeof version, err);
    if (rc == 0)
        printf("check:    PostgreSQL %s; authenticator -> authenticated, auth.uid() reads "
               "request.jwt.claims\n",
               version);
    else
        fprintf(stderr, "db-check: %s\n", err);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (pg_cluster_stop(c, err) < 0) {
        fprintf(stderr, "db-check: %s\n", err);
        return 1;
    }
    printf("stop:     %.0f ms (server stopped, directory removed)\n", elapsed_ms(&t0));
    return rc == 0 ? 0 : 1;
}

typedef struct ready_ctx {
    const mock_config_t *cfg;
    const scenario_t *sc;
    mock_app_t *app;
} ready_ctx_t;

/* The server listens: write --ready-file, print the URL, log the scenario. */
static int on_ready(void *arg, const char *url)
{
    ready_ctx_t *r = arg;
    app_set_listen_url(r->app, url);
    if (r->cfg->ready_file && write_ready_file(r->cfg->ready_file, url) < 0)
        return -1;
    printf("supamock listening on %s\n", url);
    fflush(stdout);
    log_msg(LOG_INFO, "serving scenario '%s' on %s", r->sc->name ? r->sc->name : r->cfg->scenario,
            url);
    return 0;
}

/* What serve and run start from: the scenario (or the project folder's),
 * the engine, the app. Returns 0, or an exit status after a message: 2 for
 * scenario and project errors (FILE:LINE:COL), 1 when the database cannot
 * be started or reached. On success the caller disposes *app (which closes
 * the database engine) and then frees *project. */
static int start_app(const mock_config_t *cfg, mock_app_t *app, scenario_t **sc,
                     project_t **project)
{
    *sc = NULL;
    *project = NULL;
    memset(app, 0, sizeof *app);
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = 0;
    if (cfg->project)
        rc = project_load(cfg->project, project, &err) < 0 ||
                     project_scenario(*project, !mock_config_uses_postgres(cfg), sc, &err) < 0
                 ? EXIT_USAGE
                 : 0;
    else
        rc = scenario_load(cfg->scenario, sc, &err) < 0 ? EXIT_USAGE : 0;
    if (rc == 0 && mock_config_uses_postgres(cfg)) {
        pg_site_t *site = NULL;
        char msg[1200];
        bool url = strcmp(cfg->db, "postgres") != 0;
        if (pg_site_open(url ? cfg->db : NULL, &site, msg, sizeof msg) < 0) {
            fprintf(stderr, "supamock: database engine: %s\n", msg);
            scenario_free(*sc);
            project_free(*project);
            *sc = NULL;
            *project = NULL;
            return 1;
        }
        bool hit = true;
        double start_ms = pg_site_start_ms(site, &hit);
        if (!url)
            log_msg(LOG_INFO, "database engine: PostgreSQL started in %.0f ms (%s template)",
                    start_ms, hit ? "cached" : "new");
        rc = app_init_db(app, cfg, *sc, site, *project, &err) < 0 ? EXIT_USAGE : 0;
        if (rc == 0)
            log_msg(LOG_INFO, "database engine: ready in %.0f ms", elapsed_ms(&t0));
    } else if (rc == 0) {
        rc = app_init(app, cfg, *sc, &err) < 0 ? EXIT_USAGE : 0;
    }
    if (rc != 0) {
        char msg[1200];
        scenario_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        /* app_init and app_init_db own sc (and the site) once called. */
        if (app->root.scenario)
            app_dispose(app);
        else
            scenario_free(*sc);
        project_free(*project);
        *sc = NULL;
        *project = NULL;
    }
    return rc;
}

static int serve(const mock_config_t *cfg)
{
    log_setup(cfg->log_level, cfg->log_format);
    scenario_t *sc = NULL;
    project_t *project = NULL;
    mock_app_t model;
    int rc = start_app(cfg, &model, &sc, &project);
    if (rc != 0)
        return rc;
    /* The database engine runs all the SQL: the notes are the memory engine's. */
    if (!mock_config_uses_postgres(cfg))
        log_scenario_notices(sc);
    ready_ctx_t ready = {.cfg = cfg, .sc = sc, .app = &model};
    int status = runtime_serve(cfg, router_handle, &model, on_ready, &ready);
    app_dispose(&model);
    runtime_shared_loop_free(); /* after the app: its engine may have lived on it */
    project_free(project);
    log_flush();
    return status;
}

/* ---- supamock run ---- */

extern char **environ;

typedef struct run_ctx {
    const mock_config_t *cfg;
    const scenario_t *sc;
    mock_app_t *app;
    char **argv;  /* the command, borrowed from main's argv */
    char **env;   /* owned: the child's environment, NULL-terminated */
    size_t n_env; /* entries in env that this process allocated */
} run_ctx_t;

/* The server listens: build the child's environment (ours, with the key
 * variables set to this server's values) and name the command. */
static int on_run_ready(void *arg, const char *url, runtime_command_t *cmd)
{
    run_ctx_t *r = arg;
    app_set_listen_url(r->app, url);
    if (r->cfg->ready_file && write_ready_file(r->cfg->ready_file, url) < 0)
        return -1;
    log_msg(LOG_INFO, "serving scenario '%s' on %s for the command",
            r->sc->name ? r->sc->name : r->cfg->scenario, url);
    key_vars_t v;
    key_vars_init(&v, r->sc, url, r->cfg->jwt_secret);
    size_t n = 0;
    for (char **e = environ; *e; e++)
        n++;
    r->env = xcalloc(n + KEY_VAR_COUNT + 1, sizeof *r->env);
    size_t k = 0;
    for (char **e = environ; *e; e++) {
        bool ours = false;
        for (int i = 0; i < KEY_VAR_COUNT && !ours; i++) {
            size_t len = strlen(v.names[i]);
            ours = strncmp(*e, v.names[i], len) == 0 && (*e)[len] == '=';
        }
        if (!ours)
            r->env[k++] = xstrdup(*e);
    }
    for (int i = 0; i < KEY_VAR_COUNT; i++)
        r->env[k++] = xasprintf("%s=%s", v.names[i], v.values[i]);
    r->n_env = k;
    key_vars_dispose(&v);
    cmd->argv = r->argv;
    cmd->env = r->env;
    return 0;
}

/* After a failed command: the requests supamock answered with 4xx/5xx, or
 * with a connection fault (status 0), from the journal, first
 * RUN_SUMMARY_MAX of them, on stderr. Usually the reason the command failed. */
static void print_failed_requests(journal_t *journal, int status)
{
    journal_filter_t all;
    memset(&all, 0, sizeof all);
    buf_t b;
    buf_init(&b);
    journal_write_json(journal, &all, &b);
    cJSON *doc = cJSON_ParseWithLength(b.data, b.len);
    buf_dispose(&b);
    const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(doc, "requests");
    int total = cJSON_GetArraySize(reqs), failed = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, reqs)
    {
        double st = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "status"));
        if (st >= 400 || st == 0)
            failed++;
    }
    if (total == 0) {
        fprintf(stderr,
                "supamock: the command exited with status %d and sent supamock no request\n",
                status);
        cJSON_Delete(doc);
        return;
    }
    if (failed == 0) {
        fprintf(stderr,
                "supamock: the command exited with status %d; none of the %d "
                "requests supamock answered failed\n",
                status, total);
        cJSON_Delete(doc);
        return;
    }
    fprintf(stderr,
            "supamock: the command exited with status %d; %d of the %d requests "
            "supamock answered failed:\n",
            status, failed, total);
    int shown = 0;
    cJSON_ArrayForEach(e, reqs)
    {
        double st = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "status"));
        if (!(st >= 400 || st == 0))
            continue;
        if (shown++ == RUN_SUMMARY_MAX)
            break;
        const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "method"));
        const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "path"));
        const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "code"));
        const char *rule = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "rule"));
        if (st == 0)
            fprintf(stderr, "  %s %s -> connection fault", method ? method : "?",
                    path ? path : "?");
        else
            fprintf(stderr, "  %s %s -> %d", method ? method : "?", path ? path : "?", (int)st);
        if (code)
            fprintf(stderr, " %s", code);
        if (rule)
            fprintf(stderr, " (rule %s)", rule);
        fputc('\n', stderr);
    }
    if (failed > RUN_SUMMARY_MAX)
        fprintf(stderr, "  ... and %d more\n", failed - RUN_SUMMARY_MAX);
    cJSON_Delete(doc);
}

/* `supamock run [flags] -- CMD ARGS...`: serve, run CMD beside the server,
 * stop, exit with CMD's status. */
static int cmd_run(int argc, char **argv)
{
    int dashdash = 0;
    for (int i = 2; i < argc && !dashdash; i++)
        if (strcmp(argv[i], "--") == 0)
            dashdash = i;
    if (!dashdash || dashdash + 1 >= argc)
        return usage_error("run needs a command: supamock run [flags] -- CMD [ARGS...]");
    mock_config_t cfg;
    mock_config_defaults(&cfg);
    /* A harness wants a free port and the command's output undisturbed by
     * the access log; both can still be asked for. */
    cfg.port = 0;
    cfg.log_level = LOG_WARN;
    /* argv[1] ("run") stands in for the program name parse_args skips. */
    int rc = parse_args(dashdash - 1, argv + 1, &cfg);
    if (rc == -1)
        return 0;
    if (rc != 0)
        return rc;
    log_setup(cfg.log_level, cfg.log_format);
    scenario_t *sc = NULL;
    project_t *project = NULL;
    mock_app_t model;
    rc = start_app(&cfg, &model, &sc, &project);
    if (rc != 0)
        return rc;
    /* The database engine runs all the SQL: the notes are the memory engine's. */
    if (!mock_config_uses_postgres(&cfg))
        log_scenario_notices(sc);
    run_ctx_t run = {.cfg = &cfg, .sc = sc, .app = &model, .argv = argv + dashdash + 1};
    int child_status = 0;
    int status = runtime_run(&cfg, router_handle, &model, on_run_ready, &run, &child_status);
    if (status == 0) {
        status = child_status;
        if (status != 0)
            print_failed_requests(model.root.journal, status);
    }
    for (size_t i = 0; i < run.n_env; i++)
        free(run.env[i]);
    free(run.env);
    app_dispose(&model);
    runtime_shared_loop_free();
    project_free(project);
    log_flush();
    return status;
}

int main(int argc, char **argv)
{
    /* The loader is done with the relocation table: its pages would
     * otherwise stay resident for the life of the server. */
    mock_reloc_trim();
    xalloc_install_cjson_hooks();
    if (argc >= 2 && strcmp(argv[1], "validate") == 0)
        return cmd_validate(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "keys") == 0)
        return cmd_keys(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "jwks") == 0)
        return cmd_jwks(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "token") == 0)
        return cmd_token(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return cmd_run(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "db-check") == 0)
        return cmd_db_check(argc, argv);
    mock_config_t cfg;
    mock_config_defaults(&cfg);
    int rc = parse_args(argc, argv, &cfg);
    if (rc == -1)
        return 0;
    if (rc != 0)
        return rc;
    return serve(&cfg);
}
