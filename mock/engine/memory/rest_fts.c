/* The full-text filters over store values: the column's value as a tsvector
 * (as it is, or through to_tsvector of text or of json(b)'s string values)
 * matched against the filter's tsquery. The query is built once per
 * request; the document once per row. */
#include "rest_fts.h"

#include "tsquery.h"
#include "tsvector.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

typedef enum doc_kind { DOC_VECTOR, DOC_TEXT, DOC_JSON } doc_kind_t;

struct rest_fts {
    tsquery_t query;
    ts_config_id_t cfg;
    doc_kind_t doc;
};

static tsq_function_t function_of(pgrst_op_t op)
{
    switch (op) {
    case PGRST_OP_PLFTS:
        return TSQ_PLAINTO;
    case PGRST_OP_PHFTS:
        return TSQ_PHRASETO;
    case PGRST_OP_WFTS:
        return TSQ_WEBSEARCH;
    default:
        return TSQ_TO_TSQUERY;
    }
}

rest_fts_t *rest_fts_compile(const pgtype_t *t, pgrst_op_t op, const char *language,
                             const char *value, pgrst_error_t *err)
{
    doc_kind_t doc;
    if (t->is_array)
        doc = (doc_kind_t)-1;
    else if (t->kind == PGTYPE_TSVECTOR)
        doc = DOC_VECTOR;
    else if (t->kind == PGTYPE_TEXT || t->kind == PGTYPE_VARCHAR || t->kind == PGTYPE_CHAR)
        doc = DOC_TEXT;
    else if (t->kind == PGTYPE_JSON || t->kind == PGTYPE_JSONB)
        doc = DOC_JSON;
    else
        doc = (doc_kind_t)-1;
    if ((int)doc < 0) {
        /* Postgres resolves to_tsvector([unknown,] type) before it reads
         * the configuration name. */
        char scratch[96];
        pgrst_error_setf(err, "42883", "function to_tsvector(%s%s) does not exist",
                         language ? "unknown, " : "", pgtype_name(t, scratch, sizeof scratch));
        pgrst_error_hintf(err, "No function matches the given name and argument types. You "
                               "might need to add explicit type casts.");
        return NULL;
    }
    ts_config_id_t cfg = TS_CFG_DEFAULT;
    if (language && !ts_config_lookup(language, &cfg)) {
        pgrst_error_setf(err, "42704", "text search configuration \"%s\" does not exist", language);
        return NULL;
    }
    rest_fts_t *f = xcalloc(1, sizeof *f);
    f->cfg = cfg;
    f->doc = doc;
    char *why;
    const char *code;
    const char *v = value ? value : "";
    if (tsquery_build(cfg, function_of(op), v, strlen(v), &f->query, &why, &code) < 0) {
        pgrst_error_setf(err, code, "%s", why);
        free(why);
        free(f);
        return NULL;
    }
    return f;
}

/* The string values of a JSON document in order (jsonb_to_tsvector with
 * the default filter, "string"): borrowed from the cJSON tree. */
static void strings_of(const cJSON *j, const char ***out, size_t **lens, size_t *n, size_t *cap)
{
    if (cJSON_IsString(j)) {
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 8;
            *out = xrealloc(*out, *cap * sizeof **out);
            *lens = xrealloc(*lens, *cap * sizeof **lens);
        }
        (*out)[*n] = j->valuestring;
        (*lens)[*n] = strlen(j->valuestring);
        (*n)++;
        return;
    }
    for (const cJSON *c = (cJSON_IsArray(j) || cJSON_IsObject(j)) ? j->child : NULL; c; c = c->next)
        strings_of(c, out, lens, n, cap);
}

bool rest_fts_match(const rest_fts_t *f, const pgvalue_t *v, mock_work_t *w)
{
    /* Parsing and stemming a document costs about a step per few bytes. */
    if (!mock_work_charge(w, strlen(v->s) / 4 + 1))
        return false;
    tsvector_t doc = {NULL, 0};
    char *why = NULL;
    const char *code;
    int rc = -1;
    switch (f->doc) {
    case DOC_VECTOR:
        rc = tsvector_parse(v->s, strlen(v->s), &doc, &why, &code);
        break;
    case DOC_TEXT:
        rc = tsvector_from_text(f->cfg, v->s, strlen(v->s), &doc, &why);
        break;
    case DOC_JSON: {
        cJSON *j = cJSON_Parse(v->s);
        const char **texts = NULL;
        size_t *lens = NULL, n = 0, cap = 0;
        strings_of(j, &texts, &lens, &n, &cap);
        rc = tsvector_from_texts(f->cfg, texts, lens, n, &doc, &why);
        free(texts);
        free(lens);
        cJSON_Delete(j);
        break;
    }
    }
    free(why);
    if (rc < 0)
        return false; /* a document over tsvector's 1 MB: Postgres fails; no match here */
    size_t positions = 0;
    for (size_t i = 0; i < doc.count; i++)
        positions += doc.lex[i].npos + 1;
    /* Matching visits each query node, phrases each position under it. */
    if (!mock_work_charge(w, (uint64_t)f->query.nodes * (positions / 16 + 1))) {
        tsvector_dispose(&doc);
        return false;
    }
    bool m = tsquery_match(&f->query, &doc);
    tsvector_dispose(&doc);
    return m;
}

void rest_fts_free(rest_fts_t *f)
{
    if (!f)
        return;
    tsquery_dispose(&f->query);
    free(f);
}
