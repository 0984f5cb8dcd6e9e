/* supamock's entry point: argv -> mock_config_t, the `validate` subcommand,
 * then scenario, instance, server and signals on one libuv loop. No request
 * logic lives here; exit codes follow SPEC §3 (0 after a signal, 2 for usage
 * and scenario errors, 1 for anything else). */
#include "config.h"
#include "admin.h"
#include "app.h"
#include "clock.h"
#include "gotrue.h"
#include "jwt.h"
#include "instance.h"
#include "log.h"
#include "router.h"
#include "scenario.h"
#include "runtime.h"
#include "xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MOCK_VERSION
#define MOCK_VERSION "0.0.0"
#endif

#define EXIT_USAGE 2

static const char usage_text[] =
    "usage: supamock [--scenario NAME|FILE] [--host ADDR] [--port N] [--jwt-secret S]\n"
    "                [--clock real|ISO8601] [--seed N] [--log-level debug|info|warn|error]\n"
    "                [--log-format pretty|json] [--ready-file PATH] [--admin-token TOKEN]\n"
    "                [--journal-limit N] [--max-body-bytes N] [--max-connections N]\n"
    "                [--idle-timeout-ms N] [--admin-host NAME[:PORT]]...\n"
    "       supamock validate FILE...\n"
    "       supamock keys [--scenario NAME|FILE] [--host ADDR] [--port N]\n"
    "       supamock token --role ROLE [--sub UUID] [--email E] [--exp SECONDS|never]\n"
    "                      [--scenario NAME|FILE]\n"
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
    "\n"
    "When listening it prints 'supamock listening on http://HOST:PORT' to stdout.\n"
    "Exit status: 0 after SIGINT/SIGTERM, 2 for usage or scenario errors, 1 otherwise.\n";

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
        }
    }
    if (!admin_is_loopback_host(cfg->host) && !cfg->admin_token)
        return usage_error("refusing to listen on non-loopback host '%s' without --admin-token: "
                           "the admin API (/__mock) would be open to the network",
                           cfg->host);
    return 0;
}

/* `supamock validate FILE...`: load each scenario and build its instance. */
static int cmd_validate(int argc, char **argv)
{
    if (argc < 3)
        return usage_error("validate needs at least one FILE");
    mock_config_t cfg;
    mock_config_defaults(&cfg);
    log_setup(LOG_WARN, cfg.log_format);
    /* Every file is checked and reported, so one run shows all that is wrong;
     * the exit status says whether any file failed. */
    int status = 0;
    for (int i = 2; i < argc; i++) {
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

/* `supamock keys`: the environment a backend needs to talk to this mock
 * (SPEC §3), from the scenario's auth section. */
static int cmd_keys(int argc, char **argv)
{
    static const char *const known[] = {"--scenario", "--host", "--port", NULL};
    const char *scenario = "default", *host = "127.0.0.1";
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
        } else if (parse_u64(value, 1, 65535, &port) < 0) {
            return usage_error("--port must be a number from 1 to 65535, not '%s'", value);
        }
    }
    scenario_t *sc = NULL;
    int rc = load_scenario_or_fail(scenario, &sc);
    if (rc)
        return rc;
    bool v6 = strchr(host, ':') != NULL;
    printf("SUPABASE_URL=http://%s%s%s:%llu\n", v6 ? "[" : "", host, v6 ? "]" : "",
           (unsigned long long)port);
    printf("SUPABASE_ANON_KEY=%s\n", sc->anon_key ? sc->anon_key : "");
    printf("SUPABASE_SERVICE_ROLE_KEY=%s\n", sc->service_role_key ? sc->service_role_key : "");
    printf("SUPABASE_PUBLISHABLE_KEY=%s\n", sc->publishable_key ? sc->publishable_key : "");
    printf("SUPABASE_SECRET_KEY=%s\n", sc->secret_key ? sc->secret_key : "");
    printf("SUPABASE_JWT_SECRET=%s\n", sc->jwt_secret ? sc->jwt_secret : "");
    scenario_free(sc);
    return 0;
}

/* `supamock token`: a JWT signed with the scenario's secret. An authenticated
 * user (--sub) gets GoTrue's access-token claims (gotrue.h); any other role
 * gets the demo keys' shape {"iss":"supabase-demo","role":..,"exp":..}. Time
 * comes from the scenario clock (real time for a real clock). */
static int cmd_token(int argc, char **argv)
{
    static const char *const known[] = {"--scenario", "--role", "--sub", "--email", "--exp", NULL};
    const char *scenario = "default", *role = NULL, *sub = NULL, *email = NULL;
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
    int64_t now_us = sc->clock_real ? clock_real_now_us() : sc->clock_start_us;
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
    char *jwt = jwt_sign_hs256(claims, sc->jwt_secret ? sc->jwt_secret : "");
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

static int serve(const mock_config_t *cfg)
{
    log_setup(cfg->log_level, cfg->log_format);
    scenario_t *sc = NULL;
    mock_app_t model;
    memset(&model, 0, sizeof model);
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    if (scenario_load(cfg->scenario, &sc, &err) < 0 || app_init(&model, cfg, sc, &err) < 0) {
        char msg[1200];
        scenario_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        if (model.scenario)
            app_dispose(&model);
        else
            scenario_free(sc);
        return EXIT_USAGE;
    }
    ready_ctx_t ready = {.cfg = cfg, .sc = sc, .app = &model};
    int status = runtime_serve(cfg, router_handle, &model, on_ready, &ready);
    app_dispose(&model);
    log_flush();
    return status;
}

int main(int argc, char **argv)
{
    xalloc_install_cjson_hooks();
    if (argc >= 2 && strcmp(argv[1], "validate") == 0)
        return cmd_validate(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "keys") == 0)
        return cmd_keys(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "token") == 0)
        return cmd_token(argc, argv);
    mock_config_t cfg;
    mock_config_defaults(&cfg);
    int rc = parse_args(argc, argv, &cfg);
    if (rc == -1)
        return 0;
    if (rc != 0)
        return rc;
    return serve(&cfg);
}
