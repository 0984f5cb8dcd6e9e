/* Fault rules: compiled from the scenario's "rules" (validated, with
 * positions), matched in order against each /rest/v1 and /auth/v1 request,
 * counted (after, times), expired by events (until), and driving the scenario
 * state machine (in_state/to_state). Answers are filled into the response;
 * acting out delays and connection faults is server.c's. No I/O here. */
#include "rules.h"

#include "glob.h"
#include "urlcodec.h"
#include "rule_error.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct rule_kv {
    char *name; /* query: as written; header: lowercased */
    const char *glob;
} rule_kv_t;

typedef enum rule_kind {
    RULE_ERROR,
    RULE_LITERAL,
    RULE_FAULT,
    RULE_PASS,
} rule_kind_t;

typedef struct rule {
    char *name;        /* the rule's "name", or "rules[N]" */
    const cJSON *json; /* the rule as written (borrowed from the scenario) */
    /* match: every list NULL/0 means "any" */
    char **methods;
    size_t method_count;
    const char *path; /* exact or glob; NULL any */
    const char **roles;
    size_t role_count;
    const char **keys;
    size_t key_count;
    rule_kv_t *query;
    size_t query_count;
    rule_kv_t *headers;
    size_t header_count;
    const cJSON *body; /* subset to match; NULL: any body */
    /* respond */
    rule_kind_t kind;
    const char *code;          /* RULE_ERROR */
    const cJSON *message;      /* overrides (NULL: not given) */
    const cJSON *details;      /* may be JSON null */
    const cJSON *hint;         /* may be JSON null */
    int status;                /* 0: the code's / 200 for literal */
    const cJSON *resp_headers; /* object of strings, NULL when absent */
    char *literal_code;        /* error=CODE of a literal answer's Proxy-Status header, or NULL */
    const cJSON *resp_body;    /* literal body: string (raw) or JSON; NULL: empty */
    mock_fault_t fault;
    const char *fault_name; /* static: the faults[] name, for the outcome */
    /* timing, counting, state */
    uint32_t delay_ms;
    uint64_t after;
    int64_t times; /* -1: unlimited */
    const char *until;
    const char *in_state;
    const char *to_state;
    uint64_t matched;
    uint64_t answered;
    bool expired;
} rule_t;

struct rules {
    const scenario_t *sc;
    rule_t *rules;
    size_t count;
    const char *state; /* "Started" or a rule's to_state (scenario strings) */
};

static const char *const key_kinds[] = {"anon", "service_role", "publishable", "secret",
                                        "user", "missing",      "invalid"};

static const struct {
    const char *name;
    mock_fault_t fault;
} faults[] = {
    {"connection_reset", MOCK_FAULT_CONNECTION_RESET},
    {"empty_response", MOCK_FAULT_EMPTY_RESPONSE},
    {"malformed_response", MOCK_FAULT_MALFORMED_RESPONSE},
    {"random_data_then_close", MOCK_FAULT_RANDOM_DATA_THEN_CLOSE},
    {"truncated_body", MOCK_FAULT_TRUNCATED_BODY},
    {"no_response", MOCK_FAULT_NO_RESPONSE},
};

/* ---- globs and subsets --------------------------------------------------- */

/* Objects match recursively (every key of `want` present and matching);
 * arrays and scalars must be equal. */
static bool json_subset(const cJSON *want, const cJSON *have)
{
    if (cJSON_IsObject(want)) {
        if (!cJSON_IsObject(have))
            return false;
        for (const cJSON *w = want->child; w; w = w->next) {
            const cJSON *h = cJSON_GetObjectItemCaseSensitive(have, w->string);
            if (!h || !json_subset(w, h))
                return false;
        }
        return true;
    }
    return cJSON_Compare(want, have, true);
}

/* ---- compiling ------------------------------------------------------------ */

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

/* Where a rule's field is in its file: the compiler gets the rule and
 * scenario so an error points at the offending value, not the whole rule. */
typedef struct rule_site {
    const scenario_t *sc; /* NULL: no positions */
    size_t index;
    scenario_errors_t *all; /* rules_check_all: every key's error, and go on */
} rule_site_t;

static scenario_pos_t at(const rule_site_t *site, const char *path)
{
    return site->sc ? scenario_rule_field_pos(site->sc, site->index, path) : (scenario_pos_t){0};
}

/* The position of "prefix.key" (or "key" with no prefix). */
static scenario_pos_t at_key(const rule_site_t *site, const char *prefix, const char *key)
{
    char path[256];
    snprintf(path, sizeof path, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
    return at(site, path);
}

static int bad(scenario_error_t *err, scenario_pos_t pos, const char *name, const char *what)
{
    scenario_error_at(err, pos, "rule \"%s\": %s", name, what);
    return -1;
}

/* A string or a non-empty list of strings, into *out (borrowed strings). */
static int string_list(const cJSON *j, const char ***out, size_t *n)
{
    if (cJSON_IsString(j)) {
        *out = xcalloc(1, sizeof **out);
        (*out)[0] = j->valuestring;
        *n = 1;
        return 0;
    }
    if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) == 0)
        return -1;
    size_t count = (size_t)cJSON_GetArraySize(j);
    *out = xcalloc(count, sizeof **out);
    *n = 0;
    for (const cJSON *e = j->child; e; e = e->next) {
        if (!cJSON_IsString(e))
            return -1;
        (*out)[(*n)++] = e->valuestring;
    }
    return 0;
}

static int kv_globs(const cJSON *j, bool lower, rule_kv_t **out, size_t *n)
{
    if (!cJSON_IsObject(j))
        return -1;
    size_t count = (size_t)cJSON_GetArraySize(j);
    *out = xcalloc(count ? count : 1, sizeof **out);
    *n = 0;
    for (const cJSON *e = j->child; e; e = e->next) {
        if (!cJSON_IsString(e))
            return -1;
        rule_kv_t *kv = &(*out)[(*n)++];
        kv->name = xstrdup(e->string);
        if (lower)
            for (char *p = kv->name; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        kv->glob = e->valuestring;
    }
    return 0;
}

static int compile_match(rule_t *r, const cJSON *m, const rule_site_t *site, scenario_error_t *err)
{
    if (!cJSON_IsObject(m))
        return bad(err, at(site, "match"), r->name, "\"match\" must be an object");
    for (const cJSON *e = m->child; e; e = e->next) {
        const char *k = e->string;
        scenario_pos_t pos = at_key(site, "match", k);
        if (strcmp(k, "method") == 0) {
            const char **list = NULL;
            size_t n = 0;
            int rc = string_list(e, &list, &n);
            r->methods = xcalloc(n ? n : 1, sizeof *r->methods);
            for (size_t i = 0; i < n; i++) {
                r->methods[i] = xstrdup(list[i]);
                for (char *p = r->methods[i]; *p; p++)
                    *p = (char)toupper((unsigned char)*p);
            }
            r->method_count = n;
            free(list);
            if (rc < 0)
                return bad(err, pos, r->name, "match.method must be a string or a list of strings");
        } else if (strcmp(k, "path") == 0) {
            if (!cJSON_IsString(e))
                return bad(err, pos, r->name, "match.path must be a string");
            r->path = e->valuestring;
        } else if (strcmp(k, "role") == 0) {
            if (string_list(e, &r->roles, &r->role_count) < 0)
                return bad(err, pos, r->name, "match.role must be a string or a list of strings");
        } else if (strcmp(k, "key") == 0) {
            if (string_list(e, &r->keys, &r->key_count) < 0)
                return bad(err, pos, r->name, "match.key must be a string or a list of strings");
            for (size_t i = 0; i < r->key_count; i++) {
                if (!in_list(r->keys[i], key_kinds, sizeof key_kinds / sizeof key_kinds[0])) {
                    scenario_error_at(err, pos,
                                      "rule \"%s\": unknown key kind \"%s\" (use anon, "
                                      "service_role, publishable, secret, user, missing, invalid)",
                                      r->name, r->keys[i]);
                    return -1;
                }
            }
        } else if (strcmp(k, "query") == 0) {
            if (kv_globs(e, false, &r->query, &r->query_count) < 0)
                return bad(err, pos, r->name, "match.query must map names to string globs");
        } else if (strcmp(k, "header") == 0 || strcmp(k, "headers") == 0) {
            if (kv_globs(e, true, &r->headers, &r->header_count) < 0)
                return bad(err, pos, r->name, "match.header must map names to string globs");
        } else if (strcmp(k, "body") == 0) {
            r->body = e;
        } else {
            scenario_error_at(err, pos,
                              "rule \"%s\": unknown key \"match.%s\" (use method, path, role, "
                              "key, query, header, body)",
                              r->name, k);
            return -1;
        }
    }
    return 0;
}

/* The code a literal answer names in a Proxy-Status header, as PostgREST
 * writes it (`PostgREST; error=PGRST205`): heap string, or NULL. */
static char *proxy_status_code(const cJSON *headers)
{
    for (const cJSON *h = headers->child; h; h = h->next) {
        if (strcasecmp(h->string, "proxy-status") != 0 || !cJSON_IsString(h))
            continue;
        const char *e = strstr(h->valuestring, "error=");
        if (!e)
            return NULL;
        e += 6;
        size_t n = strcspn(e, ";, ");
        return n ? xstrndup(e, n) : NULL;
    }
    return NULL;
}

static int compile_respond(rule_t *r, const cJSON *j, const rule_site_t *site,
                           scenario_error_t *err)
{
    if (!cJSON_IsObject(j))
        return bad(err, at(site, "respond"), r->name, "\"respond\" must be an object");
    const cJSON *error = NULL, *fault = NULL, *pass = NULL;
    for (const cJSON *e = j->child; e; e = e->next) {
        const char *k = e->string;
        scenario_pos_t pos = at_key(site, "respond", k);
        if (strcmp(k, "error") == 0)
            error = e;
        else if (strcmp(k, "fault") == 0)
            fault = e;
        else if (strcmp(k, "pass") == 0)
            pass = e;
        else if (strcmp(k, "message") == 0)
            r->message = e;
        else if (strcmp(k, "details") == 0)
            r->details = e;
        else if (strcmp(k, "hint") == 0)
            r->hint = e;
        else if (strcmp(k, "status") == 0) {
            if (!cJSON_IsNumber(e) || e->valuedouble < 100 || e->valuedouble > 599 ||
                e->valuedouble != (double)(int)e->valuedouble)
                return bad(err, pos, r->name, "respond.status must be an integer from 100 to 599");
            r->status = e->valueint;
        } else if (strcmp(k, "headers") == 0) {
            if (!cJSON_IsObject(e))
                return bad(err, pos, r->name, "respond.headers must be an object of strings");
            for (const cJSON *h = e->child; h; h = h->next)
                if (!cJSON_IsString(h) || strpbrk(h->string, "\r\n:") ||
                    strpbrk(h->valuestring, "\r\n"))
                    return bad(err, pos, r->name,
                               "respond.headers must map header names to single-line strings");
            if (cJSON_GetArraySize(e) > MOCK_MAX_RESPONSE_HEADERS - 8)
                return bad(err, pos, r->name, "respond.headers has too many headers");
            r->resp_headers = e;
            r->literal_code = proxy_status_code(e);
        } else if (strcmp(k, "body") == 0) {
            r->resp_body = e;
        } else {
            scenario_error_at(err, pos,
                              "rule \"%s\": unknown key \"respond.%s\" (use error, message, "
                              "details, hint, status, headers, body, fault, pass)",
                              r->name, k);
            return -1;
        }
    }
    if ((error != NULL) + (fault != NULL) + (pass != NULL) > 1)
        return bad(err, at(site, "respond"), r->name, "respond takes one of error, fault and pass");
    for (const cJSON *o = r->message; o; o = NULL)
        if (!cJSON_IsString(o))
            return bad(err, at(site, "respond.message"), r->name,
                       "respond.message must be a string");
    if ((r->details && !cJSON_IsString(r->details) && !cJSON_IsNull(r->details)) ||
        (r->hint && !cJSON_IsString(r->hint) && !cJSON_IsNull(r->hint)))
        return bad(err,
                   at(site, r->details && !cJSON_IsString(r->details) && !cJSON_IsNull(r->details)
                                ? "respond.details"
                                : "respond.hint"),
                   r->name, "respond.details and respond.hint must be strings or null");
    if (error) {
        if (!cJSON_IsString(error))
            return bad(err, at(site, "respond.error"), r->name,
                       "respond.error must be a string code");
        r->kind = RULE_ERROR;
        r->code = error->valuestring;
        bool sqlstate = rule_error_is_sqlstate(r->code);
        bool pt = strncmp(r->code, "PT", 2) == 0 && sqlstate;
        if (!rule_error_known(r->code) && !((sqlstate || pt) && r->message)) {
            scenario_error_at(err, at(site, "respond.error"),
                              "rule \"%s\": unknown error code \"%s\" (a PGRST code of the "
                              "catalogue, a known SQLSTATE, or any SQLSTATE with a \"message\")",
                              r->name, r->code);
            return -1;
        }
        if (r->resp_body)
            return bad(err, at(site, "respond.body"), r->name,
                       "respond.body does not go with respond.error");
    } else if (fault) {
        if (!cJSON_IsString(fault))
            return bad(err, at(site, "respond.fault"), r->name, "respond.fault must be a string");
        r->kind = RULE_FAULT;
        for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
            if (strcmp(faults[i].name, fault->valuestring) == 0) {
                r->fault = faults[i].fault;
                r->fault_name = faults[i].name;
            }
        if (r->fault == MOCK_FAULT_NONE) {
            scenario_error_at(err, at(site, "respond.fault"),
                              "rule \"%s\": unknown fault \"%s\" (use connection_reset, "
                              "empty_response, malformed_response, random_data_then_close, "
                              "truncated_body, no_response)",
                              r->name, fault->valuestring);
            return -1;
        }
    } else if (pass) {
        if (!cJSON_IsTrue(pass))
            return bad(err, at(site, "respond.pass"), r->name, "respond.pass must be true");
        r->kind = RULE_PASS;
        if (r->status || r->resp_headers || r->resp_body || r->message || r->details || r->hint)
            return bad(err, at(site, "respond.pass"), r->name,
                       "a pass rule does not respond: drop the other keys");
    } else {
        r->kind = RULE_LITERAL;
        if (r->message || r->details || r->hint)
            return bad(err,
                       at(site, r->message   ? "respond.message"
                                : r->details ? "respond.details"
                                             : "respond.hint"),
                       r->name, "message, details and hint need respond.error");
    }
    return 0;
}

static int compile_rule(rule_t *r, const cJSON *j, const rule_site_t *site, scenario_error_t *err)
{
    size_t index = site->index;
    r->json = j;
    r->times = -1;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name");
    if (name && !cJSON_IsString(name)) {
        scenario_error_at(err, at(site, "name"), "rule %zu: \"name\" must be a string", index);
        return -1;
    }
    r->name = name ? xstrdup(name->valuestring) : xasprintf("rules[%zu]", index);
    bool has_respond = false;
    int rc = 0;
    /* In rules_check_all's mode a wrong key is recorded and the next one
     * checked; otherwise the first error ends the compile. */
    /* (A bare block, not do-while: its `continue` must reach the key loop.) */
#define KEY_FAILED()                                                                               \
    {                                                                                              \
        if (!site->all)                                                                            \
            return -1;                                                                             \
        scenario_errors_add(site->all, err);                                                       \
        rc = -1;                                                                                   \
        continue;                                                                                  \
    }
    for (const cJSON *e = j->child; e; e = e->next) {
        const char *k = e->string;
        scenario_pos_t pos = at_key(site, NULL, k);
        if (strcmp(k, "name") == 0 || strcmp(k, "description") == 0) {
            if (!cJSON_IsString(e)) {
                bad(err, pos, r->name, "name and description must be strings");
                KEY_FAILED();
            }
        } else if (strcmp(k, "match") == 0) {
            if (compile_match(r, e, site, err) < 0)
                KEY_FAILED();
        } else if (strcmp(k, "respond") == 0) {
            has_respond = true;
            if (compile_respond(r, e, site, err) < 0)
                KEY_FAILED();
        } else if (strcmp(k, "delay_ms") == 0 || strcmp(k, "after") == 0) {
            if (!cJSON_IsNumber(e) || e->valuedouble < 0 || e->valuedouble > 86400000.0 ||
                e->valuedouble != (double)(int64_t)e->valuedouble) {
                bad(err, pos, r->name,
                    "delay_ms and after must be non-negative integers (delay at most a "
                    "day)");
                KEY_FAILED();
            }
            if (k[0] == 'd')
                r->delay_ms = (uint32_t)e->valuedouble;
            else
                r->after = (uint64_t)e->valuedouble;
        } else if (strcmp(k, "times") == 0) {
            if (cJSON_IsNull(e))
                continue;
            if (!cJSON_IsNumber(e) || e->valuedouble < 1 ||
                e->valuedouble != (double)(int64_t)e->valuedouble) {
                bad(err, pos, r->name, "times must be a positive integer or null");
                KEY_FAILED();
            }
            r->times = (int64_t)e->valuedouble;
        } else if (strcmp(k, "until") == 0) {
            if (cJSON_IsNull(e))
                continue;
            if (!cJSON_IsString(e) || strcmp(e->valuestring, "schema_reload") != 0) {
                bad(err, pos, r->name, "until must be \"schema_reload\" or null");
                KEY_FAILED();
            }
            r->until = e->valuestring;
        } else if (strcmp(k, "in_state") == 0 || strcmp(k, "to_state") == 0) {
            if (!cJSON_IsString(e) || !*e->valuestring) {
                bad(err, pos, r->name, "in_state and to_state must be non-empty strings");
                KEY_FAILED();
            }
            if (k[0] == 'i')
                r->in_state = e->valuestring;
            else
                r->to_state = e->valuestring;
        } else {
            scenario_error_at(err, pos,
                              "rule \"%s\": unknown key \"%s\" (use name, description, match, "
                              "respond, delay_ms, after, times, until, in_state, to_state)",
                              r->name, k);
            KEY_FAILED();
        }
    }
#undef KEY_FAILED
    if (!has_respond) {
        bad(err, site->sc && site->sc->rule_pos ? site->sc->rule_pos[index] : (scenario_pos_t){0},
            r->name, "\"respond\" is required");
        if (!site->all)
            return -1;
        scenario_errors_add(site->all, err);
        rc = -1;
    }
    return rc;
}

static void rule_dispose(rule_t *r)
{
    free(r->name);
    free(r->literal_code);
    for (size_t i = 0; i < r->method_count; i++)
        free(r->methods[i]);
    free(r->methods);
    free(r->roles);
    free(r->keys);
    for (size_t i = 0; i < r->query_count; i++)
        free(r->query[i].name);
    free(r->query);
    for (size_t i = 0; i < r->header_count; i++)
        free(r->headers[i].name);
    free(r->headers);
}

int rules_new(const scenario_t *sc, rules_t **out, scenario_error_t *err)
{
    rules_t *r = xcalloc(1, sizeof *r);
    r->sc = sc;
    r->state = "Started";
    size_t n = sc && sc->rules ? (size_t)cJSON_GetArraySize(sc->rules) : 0;
    r->rules = xcalloc(n ? n : 1, sizeof *r->rules);
    size_t i = 0;
    for (const cJSON *j = n ? sc->rules->child : NULL; j; j = j->next, i++) {
        scenario_pos_t pos = sc->rule_pos ? sc->rule_pos[i] : (scenario_pos_t){0};
        r->count = i + 1;
        if (!cJSON_IsObject(j)) {
            scenario_error_at(err, pos, "rule %zu must be an object", i);
            rules_free(r);
            return -1;
        }
        rule_site_t site = {sc, i, NULL};
        if (compile_rule(&r->rules[i], j, &site, err) < 0) {
            rules_free(r);
            return -1;
        }
    }
    *out = r;
    return 0;
}

int rules_check_all(const scenario_t *sc, scenario_errors_t *errs)
{
    size_t n = sc && sc->rules ? (size_t)cJSON_GetArraySize(sc->rules) : 0;
    int rc = 0;
    size_t i = 0;
    for (const cJSON *j = n ? sc->rules->child : NULL; j; j = j->next, i++) {
        scenario_error_t err;
        memset(&err, 0, sizeof err);
        rule_t rule;
        memset(&rule, 0, sizeof rule);
        rule_site_t site = {sc, i, errs};
        if (!cJSON_IsObject(j)) {
            scenario_error_at(&err, at(&site, ""), "rule %zu must be an object", i);
            scenario_errors_add(errs, &err);
            rc = -1;
            continue;
        }
        size_t before = errs->count + errs->more;
        if (compile_rule(&rule, j, &site, &err) < 0) {
            /* compile_rule added its keys' errors; what ends it (no respond) is ours. */
            if (errs->count + errs->more == before)
                scenario_errors_add(errs, &err);
            rc = -1;
        }
        rule_dispose(&rule);
    }
    return rc;
}

void rules_free(rules_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++)
        rule_dispose(&r->rules[i]);
    free(r->rules);
    free(r);
}

bool rules_empty(const rules_t *r)
{
    return !r || r->count == 0;
}

/* ---- matching ------------------------------------------------------------- */

/* Per-request lazily parsed body. */
typedef struct req_body {
    bool parsed;
    cJSON *json; /* NULL: empty or not JSON */
} req_body_t;

static bool query_matches(const mock_request_t *req, const rule_kv_t *kv)
{
    const char *p = req->query;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        const char *k = url_form_decode(req->arena, p, klen);
        if (strcmp(k, kv->name) == 0) {
            const char *v = eq ? url_form_decode(req->arena, eq + 1, len - klen - 1) : "";
            if (glob_match(kv->glob, v))
                return true;
        }
        p = amp ? amp + 1 : NULL;
    }
    return false;
}

static bool header_matches(const mock_request_t *req, const rule_kv_t *kv)
{
    for (size_t i = 0; i < req->header_count; i++)
        if (strcmp(req->headers[i].name, kv->name) == 0 &&
            glob_match(kv->glob, req->headers[i].value))
            return true;
    return false;
}

static bool rule_matches(const rule_t *r, const mock_request_t *req, const char *key_kind,
                         const char *role, req_body_t *body)
{
    if (r->method_count && !in_list(req->method, (const char *const *)r->methods, r->method_count))
        return false;
    if (r->path && !glob_match(r->path, req->path))
        return false;
    if (r->role_count && (!role || !in_list(role, r->roles, r->role_count)))
        return false;
    if (r->key_count && (!key_kind || !in_list(key_kind, r->keys, r->key_count)))
        return false;
    for (size_t i = 0; i < r->query_count; i++)
        if (!query_matches(req, &r->query[i]))
            return false;
    for (size_t i = 0; i < r->header_count; i++)
        if (!header_matches(req, &r->headers[i]))
            return false;
    if (r->body) {
        if (!body->parsed) {
            body->parsed = true;
            body->json = req->body_len ? cJSON_ParseWithLength(req->body, req->body_len) : NULL;
        }
        /* A non-JSON body never matches a body rule. */
        if (!body->json || !json_subset(r->body, body->json))
            return false;
    }
    return true;
}

/* ---- answering ------------------------------------------------------------ */

static void respond_headers(const rule_t *r, const mock_request_t *req, mock_response_t *resp)
{
    for (const cJSON *h = r->resp_headers ? r->resp_headers->child : NULL; h; h = h->next)
        mock_response_add_header_copy(resp, arena_strdup(req->arena, h->string), h->valuestring);
}

static void respond_error(const rules_t *rs, const rule_t *r, const store_t *store,
                          const mock_request_t *req, const char *role, mock_response_t *resp)
{
    rule_error_ctx_t ctx = {
        .sc = rs->sc,
        .store = store,
        .req = req,
        .role = role,
    };
    pgrst_error_t err;
    pgrst_error_init(&err);
    rule_error_fill(&ctx, r->code, &err);
    if (r->message) {
        free(err.message);
        err.message = xstrdup(r->message->valuestring);
    }
    if (r->details) {
        free(err.details);
        err.details = cJSON_IsString(r->details) ? xstrdup(r->details->valuestring) : NULL;
    }
    if (r->hint) {
        free(err.hint);
        err.hint = cJSON_IsString(r->hint) ? xstrdup(r->hint->valuestring) : NULL;
    }
    rule_error_respond(&ctx, &err, r->status, resp);
    pgrst_error_dispose(&err);
    respond_headers(r, req, resp);
}

static void respond_literal(const rule_t *r, const mock_request_t *req, mock_response_t *resp)
{
    resp->status = r->status ? r->status : 200;
    bool has_ct = false;
    for (const cJSON *h = r->resp_headers ? r->resp_headers->child : NULL; h; h = h->next)
        has_ct = has_ct || strcasecmp(h->string, "content-type") == 0;
    if (r->resp_body && !cJSON_IsString(r->resp_body) && !has_ct)
        mock_response_add_header(resp, "Content-Type", "application/json; charset=utf-8");
    respond_headers(r, req, resp);
    /* The handler names its error for the access log and the journal. */
    if (r->literal_code)
        resp->outcome.code = arena_strdup(req->arena, r->literal_code);
    if (cJSON_IsString(r->resp_body)) {
        buf_puts(&resp->body, r->resp_body->valuestring);
    } else if (r->resp_body) {
        char *s = cJSON_PrintUnformatted(r->resp_body);
        MOCK_ASSERT(s);
        buf_puts(&resp->body, s);
        cJSON_free(s);
    }
    resp->omit_body = strcmp(req->method, "HEAD") == 0;
}

int rules_apply(rules_t *rs, const store_t *store, const mock_request_t *req, const char *key_kind,
                const char *role, mock_response_t *resp)
{
    if (rules_empty(rs))
        return 0;
    req_body_t body = {0};
    int answered = 0;
    for (size_t i = 0; i < rs->count; i++) {
        rule_t *r = &rs->rules[i];
        if (r->expired)
            continue;
        if (r->in_state && strcmp(rs->state, r->in_state) != 0)
            continue;
        if (!rule_matches(r, req, key_kind, role, &body))
            continue;
        r->matched++;
        if (r->matched <= r->after)
            continue; /* let the first N through to the next rules */
        resp->delay_ms += r->delay_ms;
        if (r->to_state)
            rs->state = r->to_state;
        r->answered++;
        if (r->times > 0 && r->answered >= (uint64_t)r->times)
            r->expired = true;
        if (r->kind == RULE_PASS)
            continue;
        resp->outcome.rule = arena_strdup(req->arena, r->name);
        switch (r->kind) {
        case RULE_ERROR:
            respond_error(rs, r, store, req, role, resp);
            answered = 1;
            break;
        case RULE_LITERAL:
            respond_literal(r, req, resp);
            answered = 1;
            break;
        case RULE_FAULT:
            resp->fault = r->fault;
            resp->outcome.fault = r->fault_name;
            /* truncated_body cuts a real response: a literal one when the
             * rule gives a status or body, else the model's (the router then
             * runs the handler as if no rule had answered). */
            if (r->fault == MOCK_FAULT_TRUNCATED_BODY && !r->status && !r->resp_body) {
                answered = 0;
            } else {
                if (r->fault == MOCK_FAULT_TRUNCATED_BODY)
                    respond_literal(r, req, resp);
                answered = 1;
            }
            break;
        case RULE_PASS:
            break;
        }
        break;
    }
    cJSON_Delete(body.json);
    return answered;
}

void rules_on_event(rules_t *rs, const char *event)
{
    for (size_t i = 0; rs && i < rs->count; i++)
        if (rs->rules[i].until && strcmp(rs->rules[i].until, event) == 0)
            rs->rules[i].expired = true;
}

const char *rules_state(const rules_t *rs)
{
    return rs ? rs->state : "Started";
}

cJSON *rules_to_json(const rules_t *rs)
{
    cJSON *arr = cJSON_CreateArray();
    MOCK_ASSERT(arr);
    for (size_t i = 0; rs && i < rs->count; i++) {
        const rule_t *r = &rs->rules[i];
        cJSON *o = cJSON_Duplicate(r->json, true);
        MOCK_ASSERT(o);
        MOCK_ASSERT(cJSON_AddNumberToObject(o, "matched", (double)r->matched));
        MOCK_ASSERT(cJSON_AddNumberToObject(o, "answered", (double)r->answered));
        MOCK_ASSERT(cJSON_AddBoolToObject(o, "expired", r->expired));
        MOCK_ASSERT(cJSON_AddItemToArray(arr, o));
    }
    return arr;
}
