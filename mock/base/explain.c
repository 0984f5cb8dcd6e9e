/* Rendering of an explanation (explain.h): the structured JSON object and the
 * words. Runs only on GET /__mock/requests/ID/explain and for the debug
 * access log, never on the request path itself. */
#include "explain.h"

#include <stdio.h>
#include <string.h>

void mock_explain_init(mock_explain_t *x)
{
    memset(x, 0, offsetof(mock_explain_t, policies));
}

void mock_explain_name(char dst[MOCK_EXPLAIN_NAME_MAX], const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= MOCK_EXPLAIN_NAME_MAX)
        n = MOCK_EXPLAIN_NAME_MAX - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

const char *mock_explain_command_name(unsigned cmd)
{
    static const char *const names[] = {"ALL", "SELECT", "INSERT", "UPDATE", "DELETE"};
    return cmd < sizeof names / sizeof names[0] ? names[cmd] : "ALL";
}

static const char *source_name(unsigned source)
{
    switch (source) {
    case MOCK_EXPLAIN_FROM_APIKEY:
        return "apikey";
    case MOCK_EXPLAIN_FROM_AUTHORIZATION:
        return "authorization";
    default:
        return "none";
    }
}

/* Does p apply to command cmd for the request's role? */
static bool applies(unsigned cmd, const mock_explain_policy_t *p)
{
    return p->for_role && (p->command == MOCK_EXPLAIN_ALL || p->command == cmd);
}

static void put_str_or_null(buf_t *out, const char *s)
{
    if (s)
        buf_put_json_string(out, s);
    else
        buf_puts(out, "null");
}

static void put_bool(buf_t *out, bool b)
{
    buf_puts(out, b ? "true" : "false");
}

static void put_table(buf_t *out, const mock_explain_t *x)
{
    buf_puts(out, x->schema);
    buf_putc(out, '.');
    buf_puts(out, x->table);
}

void mock_explain_json(const mock_explain_subject_t *s, buf_t *out)
{
    const mock_explain_t *x = s->x;
    if (!x) {
        buf_puts(out, "null");
        return;
    }
    buf_puts(out, "{\"role\":");
    put_str_or_null(out, s->role);
    buf_puts(out, ",\"key\":");
    put_str_or_null(out, s->key);
    buf_puts(out, ",\"role_from\":");
    buf_put_json_string(out, source_name(x->source));
    if (!x->engine) {
        buf_puts(out, ",\"table\":null,\"command\":null,\"grants\":[],\"rls\":null,"
                      "\"policies\":[],\"with_check\":null}");
        return;
    }
    buf_t t;
    buf_init(&t);
    put_table(&t, x);
    buf_puts(out, ",\"table\":");
    buf_put_json_string(out, buf_cstr(&t));
    buf_puts(out, ",\"command\":");
    buf_put_json_string(out, mock_explain_command_name(x->command));
    buf_puts(out, ",\"grants\":[");
    for (size_t i = 0; i < x->grant_count; i++) {
        if (i)
            buf_putc(out, ',');
        buf_puts(out, "{\"privilege\":");
        buf_put_json_string(out, mock_explain_command_name(x->grants[i].privilege));
        buf_puts(out, ",\"table\":");
        buf_put_json_string(out, buf_cstr(&t));
        buf_puts(out, ",\"role\":");
        put_str_or_null(out, s->role);
        buf_puts(out, ",\"granted\":");
        put_bool(out, x->grants[i].granted);
        buf_putc(out, '}');
    }
    buf_dispose(&t);
    buf_puts(out, "],\"rls\":{\"enabled\":");
    put_bool(out, x->rls_enabled);
    buf_puts(out, ",\"bypassed\":");
    put_bool(out, x->rls_bypassed);
    buf_puts(out, ",\"rows_matched\":");
    if (x->counted)
        buf_put_int(out, x->matched);
    else
        buf_puts(out, "null");
    buf_puts(out, ",\"rows_visible\":");
    if (x->counted)
        buf_put_int(out, x->visible);
    else
        buf_puts(out, "null");
    buf_puts(out, ",\"policies_not_recorded\":");
    buf_put_int(out, x->policy_total - x->policy_count);
    buf_puts(out, "},\"policies\":[");
    for (size_t i = 0; i < x->policy_count; i++) {
        const mock_explain_policy_t *p = &x->policies[i];
        if (i)
            buf_putc(out, ',');
        buf_puts(out, "{\"name\":");
        buf_put_json_string(out, p->name);
        buf_puts(out, ",\"command\":");
        buf_put_json_string(out, mock_explain_command_name(p->command));
        buf_puts(out, ",\"permissive\":");
        put_bool(out, p->permissive);
        buf_puts(out, ",\"for_role\":");
        put_bool(out, p->for_role);
        buf_puts(out, ",\"roles\":");
        put_str_or_null(out, p->for_role ? NULL : p->roles);
        buf_puts(out, ",\"applies\":");
        put_bool(out, x->rls_enabled && !x->rls_bypassed && applies(x->command, p));
        buf_puts(out, ",\"rows_hidden\":");
        buf_put_int(out, p->hidden);
        buf_putc(out, '}');
    }
    buf_puts(out, "],\"with_check\":");
    if (!x->check_failed) {
        buf_puts(out, "null}");
        return;
    }
    buf_puts(out, "{\"failed\":true,\"command\":");
    buf_put_json_string(out, mock_explain_command_name(x->check_command));
    buf_puts(out, ",\"policy\":");
    put_str_or_null(out, x->check_policy[0] ? x->check_policy : NULL);
    buf_puts(out, ",\"conflict\":");
    put_bool(out, x->check_conflict);
    buf_puts(out, "}}");
}

/* ---- words ---- */

static const char *plural(unsigned long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static const char *key_words(const char *key)
{
    if (!key)
        return NULL;
    if (strcmp(key, "anon") == 0)
        return "the anon key";
    if (strcmp(key, "service_role") == 0)
        return "the service_role key";
    if (strcmp(key, "publishable") == 0)
        return "a publishable key, which the gateway turns into the anon JWT";
    if (strcmp(key, "secret") == 0)
        return "a secret key, which the gateway turns into the service_role JWT";
    if (strcmp(key, "user") == 0)
        return "a user JWT";
    if (strcmp(key, "missing") == 0)
        return "no key";
    return "an invalid key";
}

static void put_identity(buf_t *out, const mock_explain_subject_t *s)
{
    const mock_explain_t *x = s->x;
    const char *kw = key_words(s->key);
    if (!s->role) {
        buf_printf(out, "no role was resolved (%s)", kw ? kw : "no key");
        return;
    }
    buf_printf(out, "role %s", s->role);
    switch (x->source) {
    case MOCK_EXPLAIN_FROM_AUTHORIZATION:
        buf_puts(out, " from the Authorization header");
        break;
    case MOCK_EXPLAIN_FROM_APIKEY:
        buf_puts(out, " from the apikey");
        break;
    default:
        buf_puts(out, " (no credential: anon)");
        break;
    }
    if (kw)
        buf_printf(out, " (%s)", kw);
}

/* "'A' is SELECT only, 'B' is for authenticated" for the policies that do
 * not apply; "the table has no policies" when there are none. */
static void put_other_policies(buf_t *out, const mock_explain_t *x, unsigned cmd)
{
    if (x->policy_total == 0) {
        buf_puts(out, " (the table has no policies)");
        return;
    }
    buf_puts(out, " (policies: ");
    bool first = true;
    for (size_t i = 0; i < x->policy_count; i++) {
        const mock_explain_policy_t *p = &x->policies[i];
        if (!first)
            buf_puts(out, ", ");
        first = false;
        buf_printf(out, "'%s' is ", p->name);
        if (!p->for_role)
            buf_printf(out, "for %s", p->roles);
        else if (p->command != MOCK_EXPLAIN_ALL && p->command != cmd)
            buf_printf(out, "%s only", mock_explain_command_name(p->command));
        else
            buf_printf(out, "%s", p->permissive ? "permissive" : "restrictive");
        if (!p->for_role && p->command != MOCK_EXPLAIN_ALL)
            buf_printf(out, " (%s)", mock_explain_command_name(p->command));
    }
    if (x->policy_total > x->policy_count)
        buf_printf(out, ", and %u more", (unsigned)(x->policy_total - x->policy_count));
    buf_putc(out, ')');
}

static size_t count_applying(const mock_explain_t *x, unsigned cmd, bool permissive_only)
{
    size_t n = 0;
    for (size_t i = 0; i < x->policy_count; i++)
        if (applies(cmd, &x->policies[i]) && (!permissive_only || x->policies[i].permissive))
            n++;
    return n;
}

/* What each applying policy (and any other whose USING hid rows, such as
 * SELECT's under an UPDATE) did. */
static void put_policy_effects(buf_t *out, const mock_explain_t *x)
{
    bool first = true;
    for (size_t i = 0; i < x->policy_count; i++) {
        const mock_explain_policy_t *p = &x->policies[i];
        if (!applies(x->command, p) && p->hidden == 0)
            continue;
        buf_puts(out, first ? "; " : ", ");
        first = false;
        buf_printf(out, "policy '%s' (%s, %s)", p->name, mock_explain_command_name(p->command),
                   p->permissive ? "permissive" : "restrictive");
        if (!x->counted)
            buf_puts(out, " applied");
        else if (p->hidden)
            buf_printf(out, " USING hid %u %s", (unsigned)p->hidden,
                       plural(p->hidden, "row", "rows"));
        else
            buf_puts(out, " hid no rows");
    }
}

static void put_grants(buf_t *out, const mock_explain_subject_t *s)
{
    const mock_explain_t *x = s->x;
    if (!x->grant_count)
        return;
    buf_puts(out, "; grants checked:");
    for (size_t i = 0; i < x->grant_count; i++)
        buf_printf(out, "%s %s", i ? "," : "", mock_explain_command_name(x->grants[i].privilege));
    buf_printf(out, " on %s.%s to %s, all granted", x->schema, x->table,
               s->role ? s->role : "anon");
}

static const char *short_path(const char *path)
{
    const char *p = path ? strstr(path, "/rest/v1/") : NULL;
    return p ? p + 8 : (path ? path : "");
}

void mock_explain_text(const mock_explain_subject_t *s, buf_t *out)
{
    const mock_explain_t *x = s->x;
    const char *path = short_path(s->path);
    const char *method = s->method ? s->method : "?";
    if (!x && s->rule) {
        buf_printf(out, "%s %s was answered by the fault rule '%s' (status %d), not by the model",
                   method, s->path ? s->path : "", s->rule, s->status);
        return;
    }
    if (!x) {
        buf_printf(out,
                   "%s %s answered %d: nothing was recorded to explain (only /rest/v1 "
                   "requests are explained)",
                   method, s->path ? s->path : "", s->status);
        return;
    }
    if (!x->engine) {
        buf_printf(out, "%s %s answered %d", method, path, s->status);
        if (s->code)
            buf_printf(out, " (%s)", s->code);
        buf_puts(out, " with no grant or RLS facts recorded (the request ended before a "
                      "statement ran, or an engine that records none served it); ");
        put_identity(out, s);
        return;
    }
    const char *cmd = mock_explain_command_name(x->command);
    /* A privilege missing ends the statement before RLS. */
    for (size_t i = 0; i < x->grant_count; i++) {
        if (x->grants[i].granted)
            continue;
        const char *priv = mock_explain_command_name(x->grants[i].privilege);
        buf_printf(out,
                   "%s %s was refused (%d %s): role %s lacks the %s privilege on %s.%s (GRANT %s "
                   "ON %s.%s TO %s); ",
                   method, path, s->status, s->code ? s->code : "42501", s->role ? s->role : "anon",
                   priv, x->schema, x->table, priv, x->schema, x->table,
                   s->role ? s->role : "anon");
        put_identity(out, s);
        return;
    }
    if (x->check_failed) {
        const char *ccmd = mock_explain_command_name(x->check_command);
        buf_printf(out, "%s %s was refused (%d %s): ", method, path, s->status,
                   s->code ? s->code : "42501");
        if (x->check_policy[0]) {
            buf_printf(out, "the %s row failed the %s of restrictive policy '%s' (%s) on %s.%s",
                       x->check_conflict ? "existing" : "new",
                       x->check_conflict ? "USING" : "WITH CHECK", x->check_policy, ccmd, x->schema,
                       x->table);
        } else {
            unsigned cc = x->check_command;
            if (count_applying(x, cc, true) == 0) {
                buf_printf(out, "role %s has no %s policy on %s.%s, so every %s row is refused",
                           s->role ? s->role : "anon", ccmd, x->schema, x->table,
                           x->check_conflict ? "existing" : "new");
                put_other_policies(out, x, cc);
            } else {
                buf_printf(out, "the %s row failed the %s of every permissive %s policy on %s.%s:",
                           x->check_conflict ? "existing" : "new",
                           x->check_conflict ? "USING" : "WITH CHECK", ccmd, x->schema, x->table);
                bool first = true;
                for (size_t i = 0; i < x->policy_count; i++) {
                    const mock_explain_policy_t *p = &x->policies[i];
                    if (!applies(cc, p) || !p->permissive)
                        continue;
                    buf_printf(out, "%s '%s'", first ? "" : ",", p->name);
                    first = false;
                }
            }
        }
        buf_puts(out, "; ");
        put_identity(out, s);
        put_grants(out, s);
        return;
    }
    buf_printf(out, "%s %s", method, path);
    if (x->counted) {
        buf_printf(out, " matched %u %s", (unsigned)x->visible, plural(x->visible, "row", "rows"));
        if (x->matched != x->visible)
            buf_printf(out, ": %u %s", (unsigned)x->matched,
                       plural(x->matched, "row exists", "rows exist"));
    } else {
        buf_printf(out, " answered %d", s->status);
        if (s->code)
            buf_printf(out, " (%s)", s->code);
    }
    buf_puts(out, "; ");
    if (!x->rls_enabled) {
        buf_printf(out, "RLS is disabled on %s.%s, so no policy applied", x->schema, x->table);
    } else if (x->rls_bypassed) {
        buf_printf(out, "role %s bypasses RLS on %s.%s (BYPASSRLS), so no policy applied",
                   s->role ? s->role : "?", x->schema, x->table);
    } else if (count_applying(x, x->command, true) == 0) {
        buf_printf(out, "role %s has no %s policy on %s.%s", s->role ? s->role : "anon", cmd,
                   x->schema, x->table);
        if (x->counted && x->matched)
            buf_puts(out, ", so RLS hides every row from it");
        put_other_policies(out, x, x->command);
        put_policy_effects(out, x);
    } else {
        buf_printf(out, "RLS applies to role %s on %s.%s", s->role ? s->role : "anon", x->schema,
                   x->table);
        put_policy_effects(out, x);
    }
    buf_puts(out, "; ");
    put_identity(out, s);
    put_grants(out, s);
}
