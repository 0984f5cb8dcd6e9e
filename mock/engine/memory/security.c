/* The security model: per-table grants (role -> privilege bits), RLS flags,
 * policies and column CHECK constraints, built from the scenario, changed by
 * /__mock/sql, and the pure decisions Postgres makes from them (which
 * privilege is missing, which rows a policy set lets through, which WITH CHECK
 * OPTION fails). It does not know HTTP or which privileges a verb needs: that
 * is rest_security.c's. */
#include "security.h"

#include "log.h"

#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct sec_grant {
    char *role;
    unsigned privs;
} sec_grant_t;

/* One table's security state. Policies and checks are owned here. */
typedef struct sec_table {
    const store_table_t *t; /* borrowed from the store, which outlives us */
    sec_grant_t *grants;
    size_t grant_count;
    bool rls;
    security_policy_t *policies;
    size_t policy_count, policy_cap;
    policy_expr_t **checks; /* one per column, NULL when the column has none */
    size_t check_count;
} sec_table_t;

struct security {
    const scenario_t *sc;   /* borrowed; outlives the model */
    policy_reader_t reader; /* how policies' subqueries read tables (ctx: this model) */
    sec_table_t *tables;
    size_t table_count;
};

void security_policy_dispose(security_policy_t *p)
{
    if (!p)
        return;
    free(p->name);
    for (size_t i = 0; i < p->role_count; i++)
        free(p->roles[i]);
    free(p->roles);
    free(p->using_text);
    free(p->check_text);
    policy_expr_free(p->using_expr);
    policy_expr_free(p->check_expr);
    memset(p, 0, sizeof *p);
}

/* Tables are few (a scenario's handful plus auth.users), so a linear scan by
 * pointer is the cheapest lookup and keeps service_role's cost at one scan. */
static sec_table_t *find(const security_t *s, const store_table_t *t)
{
    for (size_t i = 0; i < s->table_count; i++)
        if (s->tables[i].t == t)
            return &s->tables[i];
    return NULL;
}

static void add_grant(sec_table_t *st, const char *role, unsigned privs)
{
    for (size_t i = 0; i < st->grant_count; i++) {
        if (strcmp(st->grants[i].role, role) == 0) {
            st->grants[i].privs |= privs;
            return;
        }
    }
    st->grants = xrealloc(st->grants, (st->grant_count + 1) * sizeof *st->grants);
    st->grants[st->grant_count].role = xstrdup(role);
    st->grants[st->grant_count].privs = privs;
    st->grant_count++;
}

static security_command_t parse_command(const char *cmd)
{
    if (!cmd || strcasecmp(cmd, "all") == 0)
        return SECURITY_CMD_ALL;
    if (strcasecmp(cmd, "select") == 0)
        return SECURITY_CMD_SELECT;
    if (strcasecmp(cmd, "insert") == 0)
        return SECURITY_CMD_INSERT;
    if (strcasecmp(cmd, "update") == 0)
        return SECURITY_CMD_UPDATE;
    return SECURITY_CMD_DELETE; /* scenario.c validated the value */
}

/* The position of byte `offset` inside a JSON string value at pos (its
 * opening quote): exact while the text has no escapes or newlines, which is
 * how policy expressions are written. */
static scenario_pos_t pos_in_string(scenario_pos_t pos, size_t offset)
{
    if (pos.line > 0)
        pos.col += 1 + (int)offset;
    return pos;
}

/* Parses text against t; on failure fills err at the offending byte when pos
 * is the string value's own position (in_string), else at pos itself. */
static policy_expr_t *parse_at(const char *text, const store_t *store, const store_table_t *t,
                               const char *clause, scenario_pos_t pos, bool in_string,
                               const char *what, scenario_error_t *err)
{
    policy_expr_error_t perr;
    memset(&perr, 0, sizeof perr);
    policy_expr_t *e = policy_expr_parse_clause(text, store, t, clause, &perr);
    if (!e)
        scenario_error_at(err, in_string ? pos_in_string(pos, perr.offset) : pos, "%s: %s", what,
                          perr.message);
    return e;
}

/* A construct of the scenario's SQL this engine does not evaluate: the
 * parse error in err becomes a warning, and the load goes on. */
static void skipped(scenario_error_t *err, const char *what, const char *name)
{
    log_msg(LOG_WARN,
            "%s:%d:%d: note: %s (%s %s: not run by the memory engine; runs on --db "
            "postgres)",
            err->file, err->line, err->col, err->message, what, name);
    memset(err, 0, sizeof *err);
}

static int build_policy(const scenario_policy_t *sp, const store_t *store, const store_table_t *t,
                        security_policy_t *p, scenario_error_t *err)
{
    memset(p, 0, sizeof *p);
    p->name = xstrdup(sp->name);
    p->command = parse_command(sp->command);
    p->permissive = sp->permissive;
    if (sp->role_count) {
        p->roles = xcalloc(sp->role_count, sizeof *p->roles);
        for (size_t i = 0; i < sp->role_count; i++)
            p->roles[p->role_count++] = xstrdup(sp->roles[i]);
    }
    char what[300];
    if (sp->using_expr) {
        p->using_text = xstrdup(sp->using_expr);
        snprintf(what, sizeof what, "policy \"%s\" using", sp->name);
        p->using_expr =
            parse_at(sp->using_expr, store, t, "POLICY", sp->using_pos, true, what, err);
        if (!p->using_expr)
            return -1;
    }
    if (sp->with_check) {
        p->check_text = xstrdup(sp->with_check);
        snprintf(what, sizeof what, "policy \"%s\" with_check", sp->name);
        p->check_expr =
            parse_at(sp->with_check, store, t, "POLICY", sp->with_check_pos, true, what, err);
        if (!p->check_expr)
            return -1;
    }
    return 0;
}

static void push_policy(sec_table_t *st, security_policy_t *p)
{
    if (st->policy_count == st->policy_cap) {
        st->policy_cap = st->policy_cap ? st->policy_cap * 2 : 4;
        st->policies = xrealloc(st->policies, st->policy_cap * sizeof *st->policies);
    }
    st->policies[st->policy_count++] = *p;
    memset(p, 0, sizeof *p);
}

/* Seed rows went in before the model existed (instance.c inserts them first);
 * a seed row that violates a CHECK is a load error like any other constraint. */
static int check_seed_rows(const security_t *s, const sec_table_t *st, const scenario_table_t *sct,
                           scenario_error_t *err)
{
    pgrst_error_t perr;
    pgrst_error_init(&perr);
    size_t r = 0;
    for (store_row_t *row = store_table_first(st->t); row; row = store_row_next(row), r++) {
        policy_eval_env_t env = {.row = store_row_values(row), .claims = NULL, .role = "postgres"};
        if (security_check_constraints(s, st->t, &env, false, &perr) < 0) {
            scenario_pos_t pos = r < (size_t)cJSON_GetArraySize(sct->rows) && sct->row_pos
                                     ? sct->row_pos[r]
                                     : sct->pos;
            scenario_error_at(err, pos, "seed row %zu of %s.%s: %s (%s)%s%s", r + 1, sct->schema,
                              sct->name, perr.message, perr.code, perr.details ? ": " : "",
                              perr.details ? perr.details : "");
            pgrst_error_dispose(&perr);
            return -1;
        }
    }
    return 0;
}

static int build_table(security_t *s, sec_table_t *st, const scenario_table_t *sct, store_t *store,
                       scenario_error_t *err)
{
    st->rls = sct->rls;
    if (sct->has_grants) {
        for (size_t i = 0; i < sct->grant_count; i++)
            add_grant(st, sct->grants[i].role, sct->grants[i].privileges);
    } else {
        /* Supabase's legacy default privileges (supabase/postgres
         * initial-schema.sql): ALL to the three API roles on every new public
         * table. */
        add_grant(st, "anon", SCENARIO_PRIV_ALL);
        add_grant(st, "authenticated", SCENARIO_PRIV_ALL);
        add_grant(st, "service_role", SCENARIO_PRIV_ALL);
    }
    for (size_t i = 0; i < sct->policy_count; i++) {
        security_policy_t p;
        const scenario_policy_t *sp = &sct->policies[i];
        if (build_policy(sp, store, st->t, &p, err) < 0) {
            security_policy_dispose(&p);
            /* A permissive policy from the scenario's SQL that this engine
             * cannot evaluate is left out, and said: without it the role
             * sees fewer rows, never more. A restrictive one cannot be left
             * out safely: that stays a load error. */
            if (!(sp->from_sql && sp->permissive))
                return -1;
            skipped(err, "policy", sp->name);
            continue;
        }
        push_policy(st, &p);
    }
    for (size_t i = 0; i < sct->column_count; i++) {
        const scenario_column_t *col = &sct->columns[i];
        if (!col->check)
            continue;
        int idx = store_table_find_column(st->t, col->name);
        MOCK_ASSERT(idx >= 0);
        char what[300];
        snprintf(what, sizeof what, "column \"%s\" check", col->name);
        policy_expr_t *e =
            parse_at(col->check, store, st->t, "CHECK", col->check_pos, true, what, err);
        if (!e && col->check_from_sql) {
            skipped(err, "CHECK constraint of column", col->name);
            continue;
        }
        if (!e)
            return -1;
        st->checks[idx] = e;
    }
    return check_seed_rows(s, st, sct, err);
}

/* ---- what a policy's subquery reads ---- */

/* Do the policies that apply to cmd for role on st hold a subquery? */
static bool policies_have_subquery(const sec_table_t *st, security_command_t cmd, const char *role)
{
    for (size_t i = 0; i < st->policy_count; i++) {
        const security_policy_t *p = &st->policies[i];
        if (security_policy_applies(p, cmd, role) &&
            (policy_expr_has_subquery(p->using_expr) || policy_expr_has_subquery(p->check_expr)))
            return true;
    }
    return false;
}

static int recursion_error(const store_table_t *t, pgrst_error_t *err)
{
    /* rewriteHandler.c fireRIRrules */
    return pgrst_error_setf(err, "42P17",
                            "infinite recursion detected in policy for relation \"%s\"",
                            store_table_name(t));
}

/* A subquery in a policy is planned as part of the user's query: its table
 * needs the SELECT privilege (ExecCheckRTPerms) and gets its own SELECT
 * policies, whose subqueries are expanded in turn; meeting a table whose
 * policies are being expanded already is 42P17. */
static int reader_begin(const void *ctx, const store_table_t *t, const policy_eval_env_t *env,
                        pgrst_error_t *err)
{
    const security_t *s = ctx;
    static const unsigned select_priv[] = {SCENARIO_PRIV_SELECT};
    if (security_require(s, t, env->role, select_priv, 1, err) < 0)
        return -1;
    const sec_table_t *st = find(s, t);
    if (!st || !security_rls_applies(s, t, env->role) ||
        !policies_have_subquery(st, SECURITY_CMD_SELECT, env->role))
        return 0;
    for (const policy_active_t *a = env->active; a; a = a->up)
        if (a->t == t)
            return recursion_error(t, err);
    return 0;
}

static int reader_visible(const void *ctx, const store_table_t *t, const pgvalue_t *row,
                          const policy_eval_env_t *env, bool *visible, pgrst_error_t *err)
{
    const security_t *s = ctx;
    if (!security_rls_applies(s, t, env->role)) {
        *visible = true;
        return 0;
    }
    policy_active_t me = {.t = t, .up = env->active};
    policy_eval_env_t in = *env;
    in.row = row;
    in.active = &me;
    return security_row_visible(s, t, SECURITY_CMD_SELECT, &in, visible, err);
}

const policy_reader_t *security_reader(const security_t *s)
{
    return &s->reader;
}

static void init_reader(security_t *s)
{
    s->reader = (policy_reader_t){.ctx = s, .begin = reader_begin, .visible = reader_visible};
}

/* fireRIRrules over the policies alone: t's policies for cmd, then the
 * SELECT policies of every table their subqueries read, and so on. Tables
 * are few and each step either stops or adds a table to `active`, so the
 * walk ends. */
static int expand(const security_t *s, const store_table_t *t, security_command_t cmd,
                  const char *role, const policy_active_t *active, pgrst_error_t *err)
{
    const sec_table_t *st = find(s, t);
    if (!st || !security_rls_applies(s, t, role) || !policies_have_subquery(st, cmd, role))
        return 0;
    for (const policy_active_t *a = active; a; a = a->up)
        if (a->t == t)
            return recursion_error(t, err);
    policy_active_t me = {.t = t, .up = active};
    for (size_t i = 0; i < st->policy_count; i++) {
        const security_policy_t *p = &st->policies[i];
        if (!security_policy_applies(p, cmd, role))
            continue;
        const policy_expr_t *exprs[2] = {p->using_expr, p->check_expr};
        for (int k = 0; k < 2; k++) {
            const store_table_t *read[16];
            size_t n = policy_expr_tables(exprs[k], read, 16);
            for (size_t j = 0; j < n; j++)
                if (expand(s, read[j], SECURITY_CMD_SELECT, role, &me, err) < 0)
                    return -1;
        }
    }
    return 0;
}

int security_check_recursion(const security_t *s, const store_table_t *t, security_command_t cmd,
                             const char *role, pgrst_error_t *err)
{
    return expand(s, t, cmd, role, NULL, err);
}

int security_new(const scenario_t *sc, store_t *store, security_t **out, scenario_error_t *err)
{
    security_t *s = xcalloc(1, sizeof *s);
    s->sc = sc;
    init_reader(s);
    s->table_count = store_table_count(store);
    s->tables = xcalloc(s->table_count ? s->table_count : 1, sizeof *s->tables);
    for (size_t i = 0; i < s->table_count; i++) {
        sec_table_t *st = &s->tables[i];
        st->t = store_table_at(store, i);
        st->check_count = store_table_column_count(st->t);
        st->checks = xcalloc(st->check_count ? st->check_count : 1, sizeof *st->checks);
    }
    for (size_t i = 0; i < sc->table_count; i++) {
        const scenario_table_t *sct = &sc->tables[i];
        store_table_t *t = store_find_table(store, sct->schema, sct->name);
        sec_table_t *st = t ? find(s, t) : NULL;
        if (!st && sct->view_sql)
            continue; /* a view the memory engine left out (mem_view.h) */
        MOCK_ASSERT(st);
        /* The auth schema (auth.users) is GoTrue's: the API roles hold no
         * grants there, so it stays unreachable even when exposed. */
        if (strcmp(sct->schema, "auth") == 0 && !sct->has_grants) {
            st->rls = sct->rls;
            continue;
        }
        if (build_table(s, st, sct, store, err) < 0) {
            security_free(s);
            return -1;
        }
    }
    *out = s;
    return 0;
}

void security_free(security_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->table_count; i++) {
        sec_table_t *st = &s->tables[i];
        for (size_t k = 0; k < st->grant_count; k++)
            free(st->grants[k].role);
        free(st->grants);
        for (size_t k = 0; k < st->policy_count; k++)
            security_policy_dispose(&st->policies[k]);
        free(st->policies);
        for (size_t k = 0; k < st->check_count; k++)
            policy_expr_free(st->checks[k]);
        free(st->checks);
    }
    free(s->tables);
    free(s);
}

/* ---- roles ---- */

static const scenario_role_t *find_role(const security_t *s, const char *role)
{
    for (size_t i = 0; i < s->sc->role_count; i++)
        if (strcmp(s->sc->roles[i].name, role) == 0)
            return &s->sc->roles[i];
    return NULL;
}

bool security_role_exists(const security_t *s, const char *role)
{
    if (!role)
        return false;
    return strcmp(role, "anon") == 0 || strcmp(role, "authenticated") == 0 ||
           strcmp(role, "service_role") == 0 || find_role(s, role) != NULL;
}

bool security_role_bypasses_rls(const security_t *s, const char *role)
{
    if (!role)
        return false;
    const scenario_role_t *r = find_role(s, role);
    if (r)
        return r->bypass_rls;
    /* Supabase creates service_role with BYPASSRLS (supabase/postgres initial-schema.sql). */
    return strcmp(role, "service_role") == 0;
}

/* ---- per table ---- */

unsigned security_privileges(const security_t *s, const store_table_t *t, const char *role)
{
    /* A statement's own subquery: the privileges that matter are those on
     * the tables it reads, checked when it runs. */
    if (store_table_is_detached(t))
        return SCENARIO_PRIV_ALL;
    const sec_table_t *st = find(s, t);
    if (!st || !role)
        return 0;
    for (size_t i = 0; i < st->grant_count; i++)
        if (strcmp(st->grants[i].role, role) == 0)
            return st->grants[i].privs;
    return 0;
}

bool security_rls_enabled(const security_t *s, const store_table_t *t)
{
    const sec_table_t *st = find(s, t);
    return st && st->rls;
}

size_t security_policy_count(const security_t *s, const store_table_t *t)
{
    const sec_table_t *st = find(s, t);
    return st ? st->policy_count : 0;
}

const security_policy_t *security_policy_at(const security_t *s, const store_table_t *t, size_t i)
{
    const sec_table_t *st = find(s, t);
    return st && i < st->policy_count ? &st->policies[i] : NULL;
}

const policy_expr_t *security_column_check(const security_t *s, const store_table_t *t, size_t col)
{
    const sec_table_t *st = find(s, t);
    return st && col < st->check_count ? st->checks[col] : NULL;
}

/* ---- changes ---- */

int security_create_policy(security_t *s, const store_table_t *t, security_policy_t *p,
                           char **error)
{
    sec_table_t *st = find(s, t);
    MOCK_ASSERT(st);
    for (size_t i = 0; i < st->policy_count; i++) {
        if (strcmp(st->policies[i].name, p->name) == 0) {
            *error = xasprintf("policy \"%s\" for table \"%s\" already exists", p->name,
                               store_table_name(t));
            security_policy_dispose(p);
            return -1;
        }
    }
    push_policy(st, p);
    return 0;
}

int security_drop_policy(security_t *s, const store_table_t *t, const char *name, bool if_exists,
                         char **error)
{
    sec_table_t *st = find(s, t);
    MOCK_ASSERT(st);
    for (size_t i = 0; i < st->policy_count; i++) {
        if (strcmp(st->policies[i].name, name) == 0) {
            security_policy_dispose(&st->policies[i]);
            memmove(&st->policies[i], &st->policies[i + 1],
                    (st->policy_count - i - 1) * sizeof *st->policies);
            st->policy_count--;
            return 0;
        }
    }
    if (if_exists)
        return 0;
    *error = xasprintf("policy \"%s\" for table \"%s\" does not exist", name, store_table_name(t));
    return -1;
}

void security_set_rls(security_t *s, const store_table_t *t, bool enabled)
{
    sec_table_t *st = find(s, t);
    MOCK_ASSERT(st);
    st->rls = enabled;
}

void security_grant(security_t *s, const store_table_t *t, const char *role, unsigned privileges)
{
    sec_table_t *st = find(s, t);
    MOCK_ASSERT(st);
    add_grant(st, role, privileges & SCENARIO_PRIV_ALL);
}

void security_revoke(security_t *s, const store_table_t *t, const char *role, unsigned privileges)
{
    sec_table_t *st = find(s, t);
    MOCK_ASSERT(st);
    for (size_t i = 0; i < st->grant_count; i++)
        if (strcmp(st->grants[i].role, role) == 0)
            st->grants[i].privs &= ~privileges;
}

/* ---- decisions ---- */

bool security_rls_applies(const security_t *s, const store_table_t *t, const char *role)
{
    /* The role first: service_role (the benchmark's key) then costs a scan of
     * the scenario's few roles and no table lookup (scripts/bench measures this path). */
    return !security_role_bypasses_rls(s, role) && security_rls_enabled(s, t);
}

static const char *priv_name(unsigned bit)
{
    switch (bit) {
    case SCENARIO_PRIV_SELECT:
        return "SELECT";
    case SCENARIO_PRIV_INSERT:
        return "INSERT";
    case SCENARIO_PRIV_UPDATE:
        return "UPDATE";
    default:
        return "DELETE";
    }
}

int security_require(const security_t *s, const store_table_t *t, const char *role,
                     const unsigned *privs, size_t n, pgrst_error_t *err)
{
    unsigned held = security_privileges(s, t, role);
    for (size_t i = 0; i < n; i++) {
        if ((held & privs[i]) == privs[i])
            continue;
        /* aclchk.c aclcheck_error: ACLCHECK_NO_PRIV on a table. The hint is
         * the one newer Supabase Postgres builds add; vanilla Postgres has none. */
        pgrst_error_setf(err, "42501", "permission denied for table %s", store_table_name(t));
        pgrst_error_hintf(err,
                          "Grant the required privileges to the current role with: GRANT %s ON "
                          "%s.%s TO %s;",
                          priv_name(privs[i]), store_table_schema(t), store_table_name(t),
                          role ? role : "anon");
        return -1;
    }
    return 0;
}

bool security_policy_applies(const security_policy_t *p, security_command_t cmd, const char *role)
{
    if (p->command != SECURITY_CMD_ALL && p->command != cmd)
        return false;
    if (p->role_count == 0)
        return true;
    for (size_t i = 0; i < p->role_count; i++) {
        if (strcasecmp(p->roles[i], "public") == 0)
            return true;
        if (role && strcmp(p->roles[i], role) == 0)
            return true;
    }
    return false;
}

/* Evaluates e with this model as the reader of its subqueries' tables
 * (unless the caller brought one). */
static int eval(const security_t *s, const policy_expr_t *e, const policy_eval_env_t *env,
                policy_truth_t *out, pgrst_error_t *err)
{
    if (env->reader || !policy_expr_has_subquery(e))
        return policy_expr_eval(e, env, out, err);
    policy_eval_env_t in = *env;
    in.reader = &s->reader;
    return policy_expr_eval(e, &in, out, err);
}

int security_row_visible(const security_t *s, const store_table_t *t, security_command_t cmd,
                         const policy_eval_env_t *env, bool *visible, pgrst_error_t *err)
{
    return security_row_visible_counted(s, t, cmd, env, visible, NULL, 0, err);
}

int security_row_visible_counted(const security_t *s, const store_table_t *t,
                                 security_command_t cmd, const policy_eval_env_t *env,
                                 bool *visible, uint32_t *hidden, size_t hidden_n,
                                 pgrst_error_t *err)
{
    const sec_table_t *st = find(s, t);
    *visible = false;
    if (!st)
        return 0;
    /* rowsecurity.c add_security_quals: permissive quals OR-ed, restrictive
     * quals AND-ed on top; without a permissive qual the default is deny.
     * Restrictive policies are evaluated only when a permissive one passed,
     * which is what the planner's AND would short-circuit to as well. */
    bool any_permissive = false, passed = false;
    for (size_t i = 0; i < st->policy_count && !passed; i++) {
        const security_policy_t *p = &st->policies[i];
        if (!p->permissive || !p->using_expr || !security_policy_applies(p, cmd, env->role))
            continue;
        any_permissive = true;
        policy_truth_t r;
        if (eval(s, p->using_expr, env, &r, err) < 0)
            return -1;
        passed = r == POLICY_TRUE;
    }
    if (!any_permissive || !passed) {
        /* No permissive policy passed, so each applicable one was evaluated
         * and said no. */
        for (size_t i = 0; hidden && i < st->policy_count && i < hidden_n; i++) {
            const security_policy_t *p = &st->policies[i];
            if (p->permissive && p->using_expr && security_policy_applies(p, cmd, env->role))
                hidden[i]++;
        }
        return 0;
    }
    for (size_t i = 0; i < st->policy_count; i++) {
        const security_policy_t *p = &st->policies[i];
        if (p->permissive || !p->using_expr || !security_policy_applies(p, cmd, env->role))
            continue;
        policy_truth_t r;
        if (eval(s, p->using_expr, env, &r, err) < 0)
            return -1;
        if (r != POLICY_TRUE) {
            if (hidden && i < hidden_n)
                hidden[i]++;
            return 0;
        }
    }
    *visible = true;
    return 0;
}

static int wco_fail(const store_table_t *t, const char *polname, security_wco_kind_t kind,
                    pgrst_error_t *err)
{
    /* execMain.c ExecWithCheckOptions, WCO_RLS_INSERT_CHECK/UPDATE_CHECK and
     * WCO_RLS_CONFLICT_CHECK. */
    const char *using = kind == SECURITY_WCO_CONFLICT ? " (USING expression)" : "";
    if (polname)
        return pgrst_error_setf(err, "42501",
                                "new row violates row-level security policy \"%s\"%s for table "
                                "\"%s\"",
                                polname, using, store_table_name(t));
    return pgrst_error_setf(err, "42501",
                            "new row violates row-level security policy%s for table \"%s\"", using,
                            store_table_name(t));
}

/* The expression a policy contributes to a WCO (rowsecurity.c QUAL_FOR_WCO). */
static const policy_expr_t *wco_qual(const security_policy_t *p, bool force_using)
{
    return !force_using && p->check_expr ? p->check_expr : p->using_expr;
}

int security_with_check(const security_t *s, const store_table_t *t, security_command_t cmd,
                        bool force_using, security_wco_kind_t kind, const policy_eval_env_t *env,
                        pgrst_error_t *err)
{
    return security_with_check_named(s, t, cmd, force_using, kind, env, NULL, err);
}

int security_with_check_named(const security_t *s, const store_table_t *t, security_command_t cmd,
                              bool force_using, security_wco_kind_t kind,
                              const policy_eval_env_t *env, const char **failed_policy,
                              pgrst_error_t *err)
{
    if (failed_policy)
        *failed_policy = NULL;
    const sec_table_t *st = find(s, t);
    if (!st)
        return wco_fail(t, NULL, kind, err);
    /* First WCO: the permissive quals OR-ed, unnamed; an always-false one when
     * there is none (default deny). ExecQual: NULL or false fails. */
    bool any = false, passed = false;
    for (size_t i = 0; i < st->policy_count && !passed; i++) {
        const security_policy_t *p = &st->policies[i];
        const policy_expr_t *q = wco_qual(p, force_using);
        if (!p->permissive || !q || !security_policy_applies(p, cmd, env->role))
            continue;
        any = true;
        policy_truth_t r;
        if (eval(s, q, env, &r, err) < 0)
            return -1;
        passed = r == POLICY_TRUE;
    }
    if (!any || !passed)
        return wco_fail(t, NULL, kind, err);
    /* Then one WCO per restrictive policy, named in the error. */
    for (size_t i = 0; i < st->policy_count; i++) {
        const security_policy_t *p = &st->policies[i];
        const policy_expr_t *q = wco_qual(p, force_using);
        if (p->permissive || !q || !security_policy_applies(p, cmd, env->role))
            continue;
        policy_truth_t r;
        if (eval(s, q, env, &r, err) < 0)
            return -1;
        if (r != POLICY_TRUE) {
            if (failed_policy)
                *failed_policy = p->name;
            return wco_fail(t, p->name, kind, err);
        }
    }
    return 0;
}

int security_check_constraints(const security_t *s, const store_table_t *t,
                               const policy_eval_env_t *env, bool hide_details, pgrst_error_t *err)
{
    const sec_table_t *st = find(s, t);
    if (!st)
        return 0;
    size_t n = store_table_column_count(t);
    /* ExecConstraints checks NOT NULL before CHECK constraints. */
    for (size_t i = 0; i < n; i++) {
        const store_column_t *col = store_table_column(t, i);
        if (!col->nullable && env->row[i].is_null)
            return 0;
    }
    for (size_t i = 0; i < st->check_count; i++) {
        if (!st->checks[i])
            continue;
        policy_truth_t r;
        if (eval(s, st->checks[i], env, &r, err) < 0)
            return -1;
        /* ExecRelCheck uses ExecCheck: NULL counts as a pass. */
        if (r != POLICY_FALSE)
            continue;
        const char *tn = store_table_name(t);
        pgrst_error_setf(err, "23514",
                         "new row for relation \"%s\" violates check constraint \"%s_%s_check\"",
                         tn, tn, store_table_column(t, i)->name);
        if (!hide_details) {
            buf_t b;
            buf_init(&b);
            store_row_description(t, env->row, &b);
            pgrst_error_detailsf(err, "Failing row contains %s.", buf_cstr(&b));
            buf_dispose(&b);
        }
        return -1;
    }
    return 0;
}
