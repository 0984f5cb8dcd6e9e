/* findProc, NoRpc/AmbiguousRpc and callPlan's argument shapes (Plan.hs,
 * Error.hs, Plan/CallPlan.hs of PostgREST v14). Pure functions over the
 * routines the engine reports; strings and arrays live in the arena. */
#include "pgrst_rpc.h"

#include "buf.h"
#include "fuzzy.h"

#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t pgrst_rpc_key_set(const char **keys, size_t n)
{
    if (n < 2)
        return n;
    qsort(keys, n, sizeof *keys, cmp_str);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (strcmp(keys[i], keys[k - 1]) != 0)
            keys[k++] = keys[i];
    return k;
}

static bool has_key(const pgrst_rpc_lookup_t *l, const char *name)
{
    return l->key_count && bsearch(&name, l->keys, l->key_count, sizeof *l->keys, cmp_str) != NULL;
}

/* findProc's matchesParams. */
static bool matches_params(const engine_routine_t *r, const pgrst_rpc_lookup_t *l)
{
    if (r->param_count == 0)
        return l->key_count == 0 &&
               !(l->is_post && (l->media == PGRST_RPC_OCTET || l->media == PGRST_RPC_TEXT ||
                                l->media == PGRST_RPC_XML));
    /* Every key must be a parameter (required or optional); every required
     * parameter must be a key. The three cases of the partition reduce to
     * this, with one exception: with only required parameters the key set
     * must equal theirs, which the same two checks give. */
    size_t required = 0;
    for (size_t i = 0; i < r->param_count; i++) {
        if (r->params[i].required) {
            required++;
            if (!has_key(l, r->params[i].name))
                return false;
        }
    }
    for (size_t k = 0; k < l->key_count; k++) {
        bool found = false;
        for (size_t i = 0; i < r->param_count && !found; i++)
            found = strcmp(r->params[i].name, l->keys[k]) == 0;
        if (!found)
            return false;
    }
    (void)required;
    return true;
}

/* hasSingleUnnamedParam */
static bool single_unnamed(const engine_routine_t *r, const pgrst_rpc_lookup_t *l)
{
    if (r->param_count != 1 || !l->is_post || r->params[0].name[0] != '\0')
        return false;
    const char *t = r->params[0].type;
    switch (l->media) {
    case PGRST_RPC_JSON:
        return strcmp(t, "json") == 0 || strcmp(t, "jsonb") == 0;
    case PGRST_RPC_TEXT:
        return strcmp(t, "text") == 0;
    case PGRST_RPC_XML:
        return strcmp(t, "xml") == 0;
    case PGRST_RPC_OCTET:
        return strcmp(t, "bytea") == 0;
    default:
        return false;
    }
}

/* "(a, b)" of names sorted (noRpcHint's listToText). */
static const char *list_to_text(arena_t *a, const char **names, size_t n)
{
    qsort(names, n, sizeof *names, cmp_str);
    buf_t b;
    buf_init(&b);
    buf_putc(&b, '(');
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
    buf_putc(&b, ')');
    char *s = arena_strndup(a, b.data, b.len);
    buf_dispose(&b);
    return s;
}

/* Error.hs NoRpc: message, details and hint. */
static void no_rpc(engine_t *e, arena_t *a, const pgrst_rpc_lookup_t *l,
                   const engine_routine_t *const *overloads, size_t overload_count,
                   pgrst_error_t *err)
{
    bool only_single = l->is_post && (l->media == PGRST_RPC_TEXT || l->media == PGRST_RPC_XML ||
                                      l->media == PGRST_RPC_OCTET);
    buf_t prms;
    buf_init(&prms);
    for (size_t i = 0; i < l->key_count; i++)
        buf_printf(&prms, "%s%s", i ? ", " : "", l->keys[i]);
    const char *p = buf_cstr(&prms);
    if (only_single)
        pgrst_error_setf(err, "PGRST202", "Could not find the function %s.%s in the schema cache",
                         l->schema, l->name);
    else if (l->key_count == 0)
        pgrst_error_setf(err, "PGRST202",
                         "Could not find the function %s.%s without parameters in the schema cache",
                         l->schema, l->name);
    else
        pgrst_error_setf(err, "PGRST202",
                         "Could not find the function %s.%s(%s) in the schema cache", l->schema,
                         l->name, p);
    const char *with = l->key_count == 0 ? " without parameters"
                                         : arena_sprintf(a, " with parameter%s%s",
                                                         l->key_count > 1 ? "s " : " ", p);
    const char *how = with;
    if (l->is_post) {
        switch (l->media) {
        case PGRST_RPC_TEXT:
            how = " with a single unnamed text parameter";
            break;
        case PGRST_RPC_XML:
            how = " with a single unnamed xml parameter";
            break;
        case PGRST_RPC_OCTET:
            how = " with a single unnamed bytea parameter";
            break;
        case PGRST_RPC_JSON:
            how = arena_sprintf(a, "%s or with a single unnamed json/jsonb parameter", with);
            break;
        default:
            break;
        }
    }
    pgrst_error_detailsf(err,
                         "Searched for the function %s.%s%s, but no matches were found in the "
                         "schema cache.",
                         l->schema, l->name, how);
    buf_dispose(&prms);
    if (only_single)
        return;
    /* noRpcHint: another routine's name when none has this one, else the
     * parameter list of the closest overload. */
    if (overload_count == 0) {
        const char **names = NULL;
        size_t n = e->ops->routine_names(e, l->schema, a, &names);
        double min = l->postgrest_version >= 14 ? FUZZY_MIN_SCORE_TABLES : FUZZY_MIN_SCORE_LEGACY;
        int best = fuzzy_best(l->name, names, n, min);
        if (best >= 0)
            pgrst_error_hintf(err, "Perhaps you meant to call the function %s.%s", l->schema,
                              names[best]);
        return;
    }
    const char **cands = arena_calloc(a, overload_count, sizeof *cands);
    for (size_t i = 0; i < overload_count; i++) {
        const engine_routine_t *r = overloads[i];
        const char **names = arena_calloc(a, r->param_count + 1, sizeof *names);
        for (size_t k = 0; k < r->param_count; k++)
            names[k] = r->params[k].name;
        cands[i] = list_to_text(a, names, r->param_count);
    }
    const char **sent = arena_calloc(a, l->key_count + 1, sizeof *sent);
    for (size_t k = 0; k < l->key_count; k++)
        sent[k] = l->keys[k];
    int best = fuzzy_best(list_to_text(a, sent, l->key_count), cands, overload_count,
                          FUZZY_MIN_SCORE_LEGACY);
    if (best >= 0)
        pgrst_error_hintf(err, "Perhaps you meant to call the function %s.%s%s", l->schema, l->name,
                          cands[best]);
}

/* Error.hs AmbiguousRpc. */
static void ambiguous(const engine_routine_t *const *procs, size_t n, pgrst_error_t *err)
{
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        const engine_routine_t *r = procs[i];
        buf_printf(&b, "%s%s.%s(", i ? ", " : "", r->schema, r->name);
        for (size_t k = 0; k < r->param_count; k++)
            buf_printf(&b, "%s%s => %s", k ? ", " : "", r->params[k].name, r->params[k].type);
        buf_putc(&b, ')');
    }
    pgrst_error_setf(err, "PGRST203", "Could not choose the best candidate function between: %s",
                     buf_cstr(&b));
    pgrst_error_hintf(err, "Try renaming the parameters or the function itself in the database so "
                           "function overloading can be resolved");
    buf_dispose(&b);
}

const engine_routine_t *pgrst_rpc_find(engine_t *e, arena_t *arena, const pgrst_rpc_lookup_t *l,
                                       pgrst_error_t *err)
{
    const engine_routine_t *const *all = NULL;
    size_t n = e->ops->routines(e, l->schema, l->name, &all);
    const engine_routine_t **matching = arena_calloc(arena, n + 1, sizeof *matching);
    const engine_routine_t **fallback = arena_calloc(arena, n + 1, sizeof *fallback);
    size_t nm = 0, nf = 0;
    for (size_t i = 0; i < n; i++) {
        if (matches_params(all[i], l))
            matching[nm++] = all[i];
        else if (single_unnamed(all[i], l))
            fallback[nf++] = all[i];
    }
    if (nm == 1)
        return matching[0];
    if (nm > 1) {
        ambiguous(matching, nm, err);
        return NULL;
    }
    if (nf == 1)
        return fallback[0];
    if (nf > 1) {
        ambiguous(fallback, nf, err);
        return NULL;
    }
    no_rpc(e, arena, l, all, n, err);
    return NULL;
}

void pgrst_rpc_call_params(arena_t *arena, const engine_routine_t *r, const char *const *keys,
                           size_t key_count, engine_call_t *call)
{
    call->positional = r->param_count == 1 && r->params[0].name[0] == '\0';
    const engine_routine_param_t **ps = arena_calloc(arena, r->param_count + 1, sizeof *ps);
    size_t k = 0;
    for (size_t i = 0; i < r->param_count && !call->positional; i++) {
        for (size_t j = 0; j < key_count; j++) {
            if (strcmp(r->params[i].name, keys[j]) == 0) {
                ps[k++] = &r->params[i];
                break;
            }
        }
    }
    call->params = ps;
    call->param_count = k;
}

/* Pair indexes ordered by name, then by position (a stable grouping). */
typedef struct named_index {
    const char *name;
    size_t index;
} named_index_t;

static int by_name_then_index(const void *pa, const void *pb)
{
    const named_index_t *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

static bool is_variadic_param(const engine_routine_t *r, const char *name)
{
    for (size_t p = 0; p < r->param_count && r->has_variadic; p++)
        if (r->params[p].variadic && strcmp(r->params[p].name, name) == 0)
            return true;
    return false;
}

void pgrst_rpc_direct_args(arena_t *arena, const engine_routine_t *r, const char *const *names,
                           const char *const *values, size_t n, engine_call_t *call)
{
    /* Grouped by sorting, not by searching, so that a body of many pairs
     * costs n log n on the loop. */
    named_index_t *order = arena_calloc(arena, n + 1, sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = (named_index_t){names[i], i};
    qsort(order, n, sizeof *order, by_name_then_index);
    engine_call_arg_t *args = arena_calloc(arena, n + 1, sizeof *args);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && strcmp(order[j].name, order[i].name) == 0)
            j++;
        engine_call_arg_t *a = &args[k++];
        a->name = order[i].name;
        a->variadic = is_variadic_param(r, a->name);
        if (a->variadic) {
            /* fromListWith's merge keeps every value, in request order. */
            const char **vs = arena_calloc(arena, j - i, sizeof *vs);
            for (size_t m = i; m < j; m++)
                vs[m - i] = values[order[m].index];
            a->values = vs;
            a->value_count = j - i;
        } else {
            /* HM.fromList: the last value wins. */
            const char **vs = arena_calloc(arena, 1, sizeof *vs);
            vs[0] = values[order[j - 1].index];
            a->values = vs;
            a->value_count = 1;
        }
        i = j;
    }
    call->json_args = false;
    call->args = args;
    call->arg_count = k;
}
