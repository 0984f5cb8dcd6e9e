/* libFuzzer target for a scenario's SQL: arbitrary bytes through Postgres's
 * parser (sql_parse.c, with the nesting bound before it), the lexical walk
 * for expression spans (sql_text.c) and the translation of parse trees into
 * tables, policies, grants and rows (scenario_sql.c). Whatever the text, the
 * result is a scenario that frees cleanly, or a positioned error. */
#include "scenario.h"
#include "scenario_sql.h"

#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *any_type(const scenario_t *s, const char *type, char *buf, size_t len)
{
    (void)s;
    (void)buf;
    (void)len;
    /* Every type but one the scenario would refuse, so both paths run. */
    return strstr(type, "bytea") ? "type bytea" : NULL;
}

static scenario_table_t *find(const scenario_t *s, const char *schema, const char *name)
{
    for (size_t i = 0; i < s->table_count; i++)
        if (strcmp(s->tables[i].schema, schema) == 0 && strcmp(s->tables[i].name, name) == 0)
            return &s->tables[i];
    return NULL;
}

static scenario_table_t *add(scenario_t *s, char *schema, char *name)
{
    s->tables = xrealloc(s->tables, (s->table_count + 1) * sizeof *s->tables);
    scenario_table_t *t = &s->tables[s->table_count++];
    memset(t, 0, sizeof *t);
    t->schema = schema;
    t->name = name;
    t->in_schema_cache = true;
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    scenario_t *s = xcalloc(1, sizeof *s);
    scenario_sql_host_t host = {
        .s = s, .type_problem = any_type, .find_table = find, .add_table = add};
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    scenario_sql_apply(&host, "fuzz.sql", text, &err);
    scenario_sql_host_dispose(&host);
    scenario_free(s);
    free(text);
    return 0;
}
