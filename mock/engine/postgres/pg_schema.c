/* Loads the schema cache with PostgREST's introspection (SchemaCache.hs
 * tablesSqlQuery, allViewsKeyDependencies, allM2OandO2ORels, funcsSqlQuery),
 * split into flat queries so that little output needs parsing here (a
 * view's columns for a key column come as one JSON array). The loads run
 * blocking on a connection of their own: they happen at start and on reload.
 * The relationships themselves are derived in pg_rels.c. Computed
 * relationships are not loaded yet. */
#include "pg_schema.h"

#include "xalloc.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pg_fkey {
    const char *constraint;
    const char *schema, *relation, *column;
    const char *ref_schema, *ref_relation, *ref_column;
} pg_fkey_t;

/* A routine for the OpenAPI document, with the roles that may execute it. */
typedef struct pg_openapi_routine {
    const char *schema;
    engine_openapi_routine_t r;
    const char **roles;
    size_t role_count;
} pg_openapi_routine_t;

struct pg_schema {
    int refs;       /* the engine's, plus one per transaction in flight */
    arena_t *arena; /* every string and array below */
    engine_relation_t *rels;
    size_t rel_count;
    pg_fkey_t *fkeys; /* single-column ones (engine_relationship_t) */
    size_t fkey_count;
    /* The routines sorted by schema, name, then decodeFuncs' order
     * (routine_order), so that a name's overloads are one run. */
    const engine_routine_t **routines;
    size_t routine_count;
    pg_rel_t *rel_list; /* every relationship (pg_rels.h), sorted by origin */
    size_t rel_list_count;
    const char **reps; /* dataRepresentations: source, target, function triples */
    size_t rep_count;
    pg_keydep_t *other_pks; /* tables outside the exposed schemas: table, cols */
    size_t other_pk_count;
    const char **timezones; /* pg_timezone_names, sorted (strcmp) */
    size_t timezone_count;
    pg_openapi_routine_t *openapi_routines; /* accessibleFuncs' rows, in oid order */
    size_t openapi_routine_count;
    const char **schema_names; /* the exposed schemas and their comments (NULL: none) */
    const char **schema_descriptions;
    size_t schema_count;
    /* What the two lazy parts (pg_schema_load_openapi, _load_timezones)
     * query with: the relations' oids (rels order) and the schemas' array
     * literal. Each part is tried once per cache. */
    const char **oids;
    const char *names;
    bool openapi_tried;
    bool timezones_tried;
};

void pg_array_literal(buf_t *out, const char *const *items, size_t n)
{
    buf_putc(out, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(out, ',');
        buf_putc(out, '"');
        for (const char *p = items[i]; *p; p++) {
            /* trimNullChars: the text ends at the first NUL (a decoded %00
             * arrives as the two-byte marker "\xC0\x80", urlcodec.h). */
            if ((unsigned char)p[0] == 0xC0 && (unsigned char)p[1] == 0x80)
                break;
            if (*p == '\\' || *p == '"')
                buf_putc(out, '\\');
            buf_putc(out, *p);
        }
        buf_putc(out, '"');
    }
    buf_putc(out, '}');
}

/* The columns CTE of tablesSqlQuery (data_type as PostgREST computes it),
 * with the relation's identity and the base type's name added. */
static const char columns_sql[] =
    "WITH RECURSIVE recurse AS ("
    "  SELECT oid, typbasetype, typnamespace AS base_namespace,"
    "         COALESCE(NULLIF(typbasetype, 0), oid) AS base_type"
    "  FROM pg_type"
    "  UNION"
    "  SELECT t.oid, b.typbasetype, b.typnamespace AS base_namespace,"
    "         COALESCE(NULLIF(b.typbasetype, 0), b.oid) AS base_type"
    "  FROM recurse t JOIN pg_type b ON t.typbasetype = b.oid"
    "), base_types AS ("
    "  SELECT oid, base_namespace, base_type FROM recurse WHERE typbasetype = 0"
    ") "
    "SELECT c.oid::text, a.attname::text,"
    "  not (a.attnotnull OR t.typtype = 'd' AND t.typnotnull) AS is_nullable,"
    "  CASE WHEN t.typtype = 'd' THEN"
    "    CASE WHEN bt.base_namespace = 'pg_catalog'::regnamespace"
    "         THEN format_type(bt.base_type, NULL::integer)"
    "         ELSE format_type(a.atttypid, a.atttypmod) END"
    "  ELSE"
    "    CASE WHEN t.typnamespace = 'pg_catalog'::regnamespace"
    "         THEN format_type(a.atttypid, NULL::integer)"
    "         ELSE format_type(a.atttypid, a.atttypmod) END"
    "  END::text AS data_type,"
    "  format_type(a.atttypid, NULL::integer) AS message_type,"
    "  format_type(bt.base_type, NULL::integer) AS base_type_name,"
    "  format_type(a.atttypid, a.atttypmod)::text AS nominal_data_type,"
    "  CASE"
    "    WHEN (t.typbasetype != 0) AND (ad.adbin IS NULL) THEN pg_get_expr(t.typdefaultbin, 0)"
    "    WHEN a.attidentity = 'd' THEN format('nextval(%L)', seq.objid::regclass)"
    "    WHEN a.attgenerated = 's' THEN null"
    "    ELSE pg_get_expr(ad.adbin, ad.adrelid)::text"
    "  END AS column_default "
    "FROM pg_attribute a"
    "  LEFT JOIN pg_attrdef ad ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum"
    "  JOIN pg_class c ON a.attrelid = c.oid"
    "  JOIN pg_namespace n ON n.oid = c.relnamespace"
    "  JOIN pg_type t ON a.atttypid = t.oid"
    "  LEFT JOIN base_types bt ON t.oid = bt.oid"
    "  LEFT JOIN pg_depend seq"
    "    ON seq.refobjid = a.attrelid AND seq.refobjsubid = a.attnum AND seq.deptype = 'i' "
    "WHERE NOT pg_is_other_temp_schema(c.relnamespace) AND a.attnum > 0"
    "  AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'f', 'm', 'p')"
    "  AND NOT c.relispartition AND n.nspname = ANY($1::text[]) "
    "ORDER BY c.oid, a.attnum";

/* The relations themselves, in creation order. */
static const char relations_sql[] =
    "SELECT c.oid::text, n.nspname::text, c.relname::text, c.relkind IN ('v','m') AS is_view "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('v','r','m','f','p') AND NOT c.relispartition"
    "  AND n.nspname = ANY($1::text[]) "
    "ORDER BY c.oid";

/* tbl_pk_cols, one row per column. */
static const char pks_sql[] =
    "SELECT r.oid::text, a.attname::text "
    "FROM pg_class r JOIN pg_constraint c ON r.oid = c.conrelid"
    "  JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = ANY (c.conkey)"
    "  JOIN pg_namespace n ON n.oid = r.relnamespace "
    "WHERE c.contype IN ('p') AND r.relkind IN ('r', 'p')"
    "  AND NOT pg_is_other_temp_schema(r.relnamespace) AND NOT a.attisdropped"
    "  AND n.nspname = ANY($1::text[]) "
    "ORDER BY r.oid, a.attname";

/* allM2OandO2ORels, unnested into one row per column pair of each foreign
 * key (in key order), over every schema: views of the exposed schemas
 * inherit the keys of tables elsewhere. */
static const char fkeys_sql[] =
    "WITH pks_uniques_cols AS ("
    "  SELECT conrelid, array_agg(key order by key) as cols"
    "  FROM pg_constraint, LATERAL unnest(conkey) AS _(key)"
    "  WHERE contype IN ('p', 'u') AND connamespace <> 'pg_catalog'::regnamespace"
    "  GROUP BY oid, conrelid"
    ") "
    "SELECT traint.oid::text, ns1.nspname::text, tab.relname::text, ns2.nspname::text,"
    "  other.relname::text, traint.conrelid = traint.confrelid AS is_self,"
    "  traint.conname::text, cols.attname::text, refs.attname::text,"
    "  (column_info.cols IN (SELECT cols FROM pks_uniques_cols"
    "                        WHERE conrelid = traint.conrelid)) AS one_to_one "
    "FROM pg_constraint traint"
    "  JOIN LATERAL ("
    "    SELECT array_agg(cols.attnum order by cols.attnum) AS cols"
    "    FROM unnest(traint.conkey) AS _(col)"
    "    JOIN pg_attribute cols ON cols.attrelid = traint.conrelid AND cols.attnum = col"
    "  ) AS column_info ON TRUE"
    "  JOIN LATERAL unnest(traint.conkey, traint.confkey) WITH ORDINALITY AS u(col, ref, ord)"
    "    ON TRUE"
    "  JOIN pg_attribute cols ON cols.attrelid = traint.conrelid AND cols.attnum = u.col"
    "  JOIN pg_attribute refs ON refs.attrelid = traint.confrelid AND refs.attnum = u.ref"
    "  JOIN pg_namespace ns1 ON ns1.oid = traint.connamespace"
    "  JOIN pg_class tab ON tab.oid = traint.conrelid"
    "  JOIN pg_class other ON other.oid = traint.confrelid"
    "  JOIN pg_namespace ns2 ON ns2.oid = other.relnamespace "
    "WHERE traint.contype = 'f' AND traint.conparentid = 0 "
    "ORDER BY traint.conrelid, traint.conname, traint.oid, u.ord";

/* allViewsKeyDependencies, verbatim but for its comments ($1: the exposed
 * schemas, $2: db-extra-search-path, both as escaped identifiers), unnested
 * into one row per key column a view carries: the table, the view, the
 * constraint and its type, the table's column and the view columns that
 * show it (a JSON array), in key order. */
static const char key_deps_sql[] =
    "select d.table_schema::text, d.table_name::text, d.view_schema::text, d.view_name::text,"
    " d.constraint_name::text, d.constraint_type::text, x.col::text,"
    " array_to_json(x.vcols)::text from ("
    "with recursive "
    "pks_fks as ( "
    "  select "
    "    contype::text as contype, "
    "    conname, "
    "    array_length(conkey, 1) as ncol, "
    "    conrelid as resorigtbl, "
    "    col as resorigcol, "
    "    ord "
    "  from pg_constraint "
    "  left join lateral unnest(conkey) with ordinality as _(col, ord) on true "
    "  where contype IN ('p', 'f') "
    "  union "
    "  select "
    "    concat(contype, '_ref') as contype, "
    "    conname, "
    "    array_length(confkey, 1) as ncol, "
    "    confrelid, "
    "    col, "
    "    ord "
    "  from pg_constraint "
    "  left join lateral unnest(confkey) with ordinality as _(col, ord) on true "
    "  where contype='f' "
    "), "
    "views as ( "
    "  select "
    "    c.oid          as view_id, "
    "    c.relnamespace as view_schema_id, "
    "    n.nspname      as view_schema, "
    "    c.relname      as view_name, "
    "    r.ev_action    as view_definition "
    "  from pg_class c "
    "  join pg_namespace n on n.oid = c.relnamespace "
    "  join pg_rewrite r on r.ev_class = c.oid "
    "  where c.relkind in ('v', 'm') and c.relnamespace = ANY($1::regnamespace[] || "
    "$2::regnamespace[]) "
    "), "
    "transform_json as ( "
    "  select "
    "    view_id, view_schema_id, view_schema, view_name, "
    "    replace( "
    "      replace( "
    "      replace( "
    "      replace( "
    "      replace( "
    "      replace( "
    "      replace( "
    "      regexp_replace( "
    "      replace( "
    "      replace( "
    "      replace( "
    "      replace( "
    "      replace( "
    "      replace( "
    "      replace( "
    "      replace( "
    "      replace( "
    "      replace( "
    "      replace( "
    "        view_definition::text, "
    "         '<>'              , '()' "
    "      ), ','               , '' "
    "      ), E'\\\\{'            , '' "
    "      ), E'\\\\}'            , '' "
    "      ), ' :targetList '   , ',\"targetList\":' "
    "      ), ' :resno '        , ',\"resno\":' "
    "      ), ' :resorigtbl '   , ',\"resorigtbl\":' "
    "      ), ' :resorigcol '   , ',\"resorigcol\":' "
    "      ), '{'               , '{ :' "
    "      ), '(('              , '{((' "
    "      ), '({'              , '{({' "
    "      ), ' :[^}{,]+'       , ',\"\":'              , 'g' "
    "      ), ',\"\":}'           , '}' "
    "      ), ',\"\":,'           , ',' "
    "      ), '{('              , '(' "
    "      ), '{,'              , '{' "
    "      ), '('               , '[' "
    "      ), ')'               , ']' "
    "      ), ' '             , ',' "
    "    )::json as view_definition "
    "  from views "
    "), "
    "target_entries as( "
    "  select "
    "    view_id, view_schema_id, view_schema, view_name, "
    "    json_array_elements(view_definition->0->'targetList') as entry "
    "  from transform_json "
    "), "
    "results as( "
    "  select "
    "    view_id, view_schema_id, view_schema, view_name, "
    "    (entry->>'resno')::int as view_column, "
    "    (entry->>'resorigtbl')::oid as resorigtbl, "
    "    (entry->>'resorigcol')::int as resorigcol "
    "  from target_entries "
    "), "
    "recursion(view_id, view_schema_id, view_schema, view_name, view_column, resorigtbl, "
    "resorigcol, is_cycle, path) as( "
    "  select "
    "    r.*, "
    "    false, "
    "    ARRAY[resorigtbl] "
    "  from results r "
    "  where view_schema_id = ANY ($1::regnamespace[]) "
    "  union all "
    "  select "
    "    view.view_id, "
    "    view.view_schema_id, "
    "    view.view_schema, "
    "    view.view_name, "
    "    view.view_column, "
    "    tab.resorigtbl, "
    "    tab.resorigcol, "
    "    tab.resorigtbl = ANY(path), "
    "    path || tab.resorigtbl "
    "  from recursion view "
    "  join results tab on view.resorigtbl=tab.view_id and view.resorigcol=tab.view_column "
    "  where not is_cycle "
    "), "
    "repeated_references as( "
    "  select "
    "    view_id, "
    "    view_schema, "
    "    view_name, "
    "    resorigtbl, "
    "    resorigcol, "
    "    array_agg(attname) as view_columns "
    "  from recursion "
    "  join pg_attribute vcol on vcol.attrelid = view_id and vcol.attnum = view_column "
    "  group by "
    "    view_id, "
    "    view_schema, "
    "    view_name, "
    "    resorigtbl, "
    "    resorigcol "
    ") "
    "select "
    "  sch.nspname as table_schema, "
    "  tbl.relname as table_name, "
    "  rep.view_schema, "
    "  rep.view_name, "
    "  pks_fks.conname as constraint_name, "
    "  pks_fks.contype as constraint_type, "
    "  array_agg(row(col.attname, view_columns) order by pks_fks.ord) as column_dependencies "
    "from repeated_references rep "
    "join pks_fks using (resorigtbl, resorigcol) "
    "join pg_class tbl on tbl.oid = rep.resorigtbl "
    "join pg_attribute col on col.attrelid = tbl.oid and col.attnum = rep.resorigcol "
    "join pg_namespace sch on sch.oid = tbl.relnamespace "
    "group by sch.nspname, tbl.relname, rep.view_schema, rep.view_name, pks_fks.conname, "
    "pks_fks.contype, pks_fks.ncol "
    "having ncol = array_length(array_agg(row(col.attname, view_columns) order by pks_fks.ord), 1) "
    ") d, rows from (unnest(d.column_dependencies) as (col name, vcols name[]))"
    " with ordinality as x(col, vcols, ord) "
    "order by 1, 2, 3, 4, 5, 6, x.ord";

/* funcsSqlQuery (SchemaCache.hs, PostgreSQL < 17 base_types), split in two
 * flat queries: the routines, then their input arguments. */
#define BASE_TYPES_CTE                                                                             \
    "base_types AS ("                                                                              \
    "  WITH RECURSIVE recurse AS ("                                                                \
    "    SELECT oid, typbasetype, typnamespace AS base_namespace,"                                 \
    "      COALESCE(NULLIF(typbasetype, 0), oid) AS base_type"                                     \
    "    FROM pg_type"                                                                             \
    "    UNION"                                                                                    \
    "    SELECT t.oid, b.typbasetype, b.typnamespace AS base_namespace,"                           \
    "      COALESCE(NULLIF(b.typbasetype, 0), b.oid) AS base_type"                                 \
    "    FROM recurse t"                                                                           \
    "    JOIN pg_type b ON t.typbasetype = b.oid"                                                  \
    "  )"                                                                                          \
    "  SELECT oid, base_namespace, base_type FROM recurse WHERE typbasetype = 0"                   \
    ")"

#define ARGUMENTS_CTE                                                                              \
    "arguments AS ("                                                                               \
    "  SELECT oid,"                                                                                \
    "    CASE COUNT(*) - COUNT(name)"                                                              \
    "      WHEN 0 THEN true"                                                                       \
    "      WHEN 1 THEN (array_agg(type))[1] IN ('bytea'::regtype, 'json'::regtype,"                \
    "        'jsonb'::regtype, 'text'::regtype, 'xml'::regtype)"                                   \
    "      ELSE false"                                                                             \
    "    END AS callable"                                                                          \
    "  FROM pg_proc,"                                                                              \
    "       unnest(proargnames, proargtypes, proargmodes)"                                         \
    "         WITH ORDINALITY AS _ (name, type, mode, idx)"                                        \
    "  WHERE type IS NOT NULL"                                                                     \
    "  GROUP BY oid"                                                                               \
    ")"

static const char funcs_sql[] =
    "WITH " BASE_TYPES_CTE ", " ARGUMENTS_CTE " "
    "SELECT p.oid::text, pn.nspname::text, p.proname::text, tn.nspname::text,"
    "  COALESCE(comp.relname, t.typname)::text, p.proretset,"
    "  (t.typtype = 'c' OR COALESCE(proargmodes::text[] && '{t,b,o}', false)),"
    "  p.provolatile::text, p.provariadic > 0,"
    "  (regexp_split_to_array((regexp_split_to_array(iso_config, '='))[2], ','))[1] "
    "FROM pg_proc p "
    "LEFT JOIN arguments a ON a.oid = p.oid "
    "JOIN pg_namespace pn ON pn.oid = p.pronamespace "
    "JOIN base_types bt ON bt.oid = p.prorettype "
    "JOIN pg_type t ON t.oid = bt.base_type "
    "JOIN pg_namespace tn ON tn.oid = t.typnamespace "
    "LEFT JOIN pg_class comp ON comp.oid = t.typrelid "
    "LEFT JOIN LATERAL unnest(proconfig) iso_config"
    "  ON iso_config LIKE 'default_transaction_isolation%' "
    "WHERE t.oid <> 'trigger'::regtype AND COALESCE(a.callable, true)"
    "  AND p.prokind = 'f' AND pn.nspname = ANY($1::text[]) "
    "ORDER BY p.oid";

/* func_settings of funcsSqlQuery, one row per setting: those matching the
 * hoisted list ($2, db-hoisted-tx-settings' default: statement_timeout,
 * plan_filter.statement_cost_limit, default_transaction_isolation). */
static const char func_settings_sql[] =
    "SELECT p.oid::text, substr(setting, 1, strpos(setting, '=') - 1),"
    "  substr(setting, strpos(setting, '=') + 1) "
    "FROM pg_proc p JOIN pg_namespace pn ON pn.oid = p.pronamespace,"
    "     unnest(proconfig) WITH ORDINALITY AS _ (setting, idx) "
    "WHERE setting ~ ANY($2::text[]) AND p.prokind = 'f' AND pn.nspname = ANY($1::text[]) "
    "ORDER BY p.oid, idx";

static const char hoisted_settings[] =
    "{statement_timeout,plan_filter.statement_cost_limit,default_transaction_isolation}";

/* The arguments array_agg of funcsSqlQuery, one row per input argument. */
static const char func_args_sql[] =
    "SELECT p.oid::text, COALESCE(name, ''), type::regtype::text,"
    "  CASE type"
    "    WHEN 'bit'::regtype THEN 'bit varying'"
    "    WHEN 'bit[]'::regtype THEN 'bit varying[]'"
    "    WHEN 'character'::regtype THEN 'character varying'"
    "    WHEN 'character[]'::regtype THEN 'character varying[]'"
    "    ELSE type::regtype::text"
    "  END,"
    "  idx <= (pronargs - pronargdefaults), COALESCE(mode = 'v', false) "
    "FROM pg_proc p JOIN pg_namespace pn ON pn.oid = p.pronamespace,"
    "     unnest(proargnames, proargtypes, proargmodes)"
    "       WITH ORDINALITY AS _ (name, type, mode, idx) "
    "WHERE type IS NOT NULL AND p.prokind = 'f' AND pn.nspname = ANY($1::text[]) "
    "ORDER BY p.oid, idx";

/* What the OpenAPI document adds (Response/OpenAPI.hs over SchemaCache.hs's
 * tablesSqlQuery): per relation its comment and whether it takes writes; per
 * column its comment, character_maximum_length and enum labels; per relation
 * and role, accessibleTables' privilege test (SqlFragment.hs), which
 * PostgREST runs per request as the request's role: here evaluated for every
 * role once per load. */
static const char openapi_rels_sql[] =
    "SELECT c.oid::text, obj_description(c.oid, 'pg_class')::text,"
    "  c.relkind IN ('r','p') OR (c.relkind IN ('v','f')"
    "    AND (pg_relation_is_updatable(c.oid::regclass, TRUE) & 28) <> 0) "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('v','r','m','f','p') AND NOT c.relispartition"
    "  AND n.nspname = ANY($1::text[]) "
    "ORDER BY c.oid";

static const char openapi_cols_sql[] =
    "WITH RECURSIVE recurse AS ("
    "  SELECT oid, typbasetype, COALESCE(NULLIF(typbasetype, 0), oid) AS base_type"
    "  FROM pg_type"
    "  UNION"
    "  SELECT t.oid, b.typbasetype, COALESCE(NULLIF(b.typbasetype, 0), b.oid) AS base_type"
    "  FROM recurse t JOIN pg_type b ON t.typbasetype = b.oid"
    ") "
    "SELECT c.oid::text, a.attname::text, d.description::text,"
    "  information_schema._pg_char_max_length("
    "    information_schema._pg_truetypid(a.*, t.*),"
    "    information_schema._pg_truetypmod(a.*, t.*))::integer,"
    "  to_json(coalesce((SELECT array_agg(enumlabel ORDER BY enumsortorder) FROM pg_enum"
    "    WHERE enumtypid = bt.base_type), '{}'))::text "
    "FROM pg_attribute a"
    "  LEFT JOIN pg_description AS d"
    "    ON d.objoid = a.attrelid AND d.objsubid = a.attnum AND d.classoid = 'pg_class'::regclass"
    "  JOIN pg_class c ON a.attrelid = c.oid"
    "  JOIN pg_namespace n ON n.oid = c.relnamespace"
    "  JOIN pg_type t ON a.atttypid = t.oid"
    "  LEFT JOIN recurse bt ON t.oid = bt.oid AND bt.typbasetype = 0 "
    "WHERE NOT pg_is_other_temp_schema(c.relnamespace) AND a.attnum > 0"
    "  AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'f', 'm', 'p')"
    "  AND NOT c.relispartition AND n.nspname = ANY($1::text[]) "
    "ORDER BY c.oid, a.attnum";

static const char openapi_roles_sql[] =
    "SELECT c.oid::text, r.rolname::text "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, pg_roles r "
    "WHERE c.relkind IN ('v','r','m','f','p') AND NOT c.relispartition"
    "  AND n.nspname = ANY($1::text[])"
    "  AND (pg_has_role(r.oid, c.relowner, 'USAGE')"
    "    OR has_table_privilege(r.oid, c.oid,"
    "         'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
    "    OR has_any_column_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')) "
    "ORDER BY c.oid, r.rolname";

/* accessibleFuncs' rows (SqlFragment.hs baseFuncSqlQuery), with the roles
 * that may execute each instead of has_function_privilege of one role. */
static const char openapi_funcs_sql[] =
    "WITH arguments AS ("
    "  SELECT oid,"
    "    json_agg(json_build_array(COALESCE(name, ''), type::regtype::text,"
    "      idx <= (pronargs - pronargdefaults), COALESCE(mode = 'v', FALSE)) ORDER BY idx) AS args,"
    "    CASE COUNT(*) - COUNT(name)"
    "      WHEN 0 THEN true"
    "      WHEN 1 THEN (array_agg(type))[1] IN ('bytea'::regtype, 'json'::regtype,"
    "        'jsonb'::regtype, 'text'::regtype, 'xml'::regtype)"
    "      ELSE false END AS callable"
    "  FROM pg_proc, unnest(proargnames, proargtypes, proargmodes)"
    "    WITH ORDINALITY AS _ (name, type, mode, idx)"
    "  WHERE type IS NOT NULL GROUP BY oid"
    ") "
    "SELECT pn.nspname::text, p.proname::text, d.description::text,"
    "  COALESCE(a.args, '[]'::json)::text, p.provolatile = 'v',"
    "  COALESCE((SELECT json_agg(r.rolname ORDER BY r.rolname) FROM pg_roles r"
    "    WHERE has_function_privilege(r.oid, p.oid, 'execute')), '[]'::json)::text "
    "FROM pg_proc p"
    "  LEFT JOIN arguments a ON a.oid = p.oid"
    "  JOIN pg_namespace pn ON pn.oid = p.pronamespace"
    "  LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass "
    "WHERE p.prorettype <> 'trigger'::regtype AND COALESCE(a.callable, true)"
    "  AND p.prokind = 'f' AND pn.nspname = ANY($1::text[]) "
    "ORDER BY p.oid";

static const char openapi_schemas_sql[] =
    "SELECT n.nspname::text, obj_description(n.oid, 'pg_namespace')::text "
    "FROM pg_namespace n WHERE n.nspname = ANY($1::text[])";

static PGresult *query2(const pq_api_t *pq, PGconn *conn, const char *sql, int n,
                        const char *const *params, char *err, size_t err_len)
{
    PGresult *r = pq->exec_params(conn, sql, n, NULL, params, NULL, NULL, 0);
    if (r && pq->result_status(r) == PGRES_TUPLES_OK)
        return r;
    snprintf(err, err_len, "schema cache: %s",
             r ? pq->result_error_message(r) : pq->error_message(conn));
    if (r)
        pq->clear(r);
    return NULL;
}

static PGresult *query(const pq_api_t *pq, PGconn *conn, const char *sql, const char *schemas,
                       char *err, size_t err_len)
{
    const char *params[1] = {schemas};
    return query2(pq, conn, sql, 1, params, err, err_len);
}

/* An array literal of the names as escapeIdent writes them ("\"public\""),
 * for the ::regnamespace[] parameters. */
static void ident_array(buf_t *out, const char *const *names, size_t n)
{
    const char **quoted = xcalloc(n ? n : 1, sizeof *quoted);
    for (size_t i = 0; i < n; i++) {
        buf_t q;
        buf_init(&q);
        buf_putc(&q, '"');
        for (const char *p = names[i]; *p; p++) {
            if (*p == '"')
                buf_putc(&q, '"');
            buf_putc(&q, *p);
        }
        buf_putc(&q, '"');
        quoted[i] = buf_steal(&q);
    }
    pg_array_literal(out, quoted, n);
    for (size_t i = 0; i < n; i++)
        free((char *)quoted[i]);
    free(quoted);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *val(const pq_api_t *pq, arena_t *a, const PGresult *r, int row, int col)
{
    if (pq->getisnull(r, row, col))
        return NULL;
    return arena_strdup(a, pq->getvalue(r, row, col));
}

static bool truth(const pq_api_t *pq, const PGresult *r, int row, int col)
{
    return strcmp(pq->getvalue(r, row, col), "t") == 0;
}

/* The relation whose oid text is oid (relations come in oid order, so a
 * linear walk with a cursor is enough; the cursor only moves forward, and
 * only to a relation found: a row of a relation not cached, a partition's
 * primary key, must not skip the ones after it). */
static engine_relation_t *rel_by_oid(pg_schema_t *s, const char **oids, size_t *cursor,
                                     const char *oid)
{
    size_t i = *cursor;
    while (i < s->rel_count && strcmp(oids[i], oid) != 0)
        i++;
    if (i == s->rel_count)
        return NULL;
    *cursor = i;
    return &s->rels[i];
}

/* allViewsKeyDependencies rows grouped into one dependency per (table,
 * view, constraint, type), columns in key order. */
static size_t key_deps(const pq_api_t *pq, arena_t *a, const PGresult *r, pg_keydep_t **out)
{
    int n = pq->ntuples(r);
    pg_keydep_t *deps = arena_calloc(a, n ? (size_t)n : 1, sizeof *deps);
    size_t k = 0;
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n) {
            bool same = true;
            for (int c = 0; same && c < 6; c++)
                same = strcmp(pq->getvalue(r, i, c), pq->getvalue(r, j, c)) == 0;
            if (!same)
                break;
            j++;
        }
        pg_keydep_t *d = &deps[k++];
        d->table = (pg_qi_t){val(pq, a, r, i, 0), val(pq, a, r, i, 1)};
        d->view = (pg_qi_t){val(pq, a, r, i, 2), val(pq, a, r, i, 3)};
        d->cons = val(pq, a, r, i, 4);
        const char *type = pq->getvalue(r, i, 5);
        d->type = strcmp(type, "p") == 0   ? PG_DEP_PK
                  : strcmp(type, "f") == 0 ? PG_DEP_FK
                                           : PG_DEP_FK_REF;
        d->ncols = (size_t)(j - i);
        const char **cols = arena_calloc(a, d->ncols, sizeof *cols);
        const char *const **vcols = arena_calloc(a, d->ncols, sizeof *vcols);
        size_t *nvcols = arena_calloc(a, d->ncols, sizeof *nvcols);
        for (int row = i; row < j; row++) {
            size_t c = (size_t)(row - i);
            cols[c] = val(pq, a, r, row, 6);
            cJSON *arr = cJSON_Parse(pq->getvalue(r, row, 7));
            size_t m = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
            const char **vs = arena_calloc(a, m ? m : 1, sizeof *vs);
            size_t got = 0;
            const cJSON *e;
            cJSON_ArrayForEach(e, arr)
            {
                if (cJSON_IsString(e))
                    vs[got++] = arena_strdup(a, e->valuestring);
            }
            cJSON_Delete(arr);
            vcols[c] = vs;
            nvcols[c] = got;
        }
        d->cols = cols;
        d->vcols = vcols;
        d->nvcols = nvcols;
        i = j;
    }
    *out = deps;
    return k;
}

/* addViewPrimaryKeys: a view carries the primary key of the table it shows,
 * the first view column per key column (takeFirstPK); sorted by name like
 * a table's, one per name. */
static void view_primary_keys(pg_schema_t *s, const pg_keydep_t *deps, size_t ndep)
{
    for (size_t i = 0; i < ndep; i++) {
        const pg_keydep_t *d = &deps[i];
        if (d->type != PG_DEP_PK)
            continue;
        engine_relation_t *rel =
            (engine_relation_t *)pg_schema_find_relation(s, d->view.schema, d->view.name);
        if (!rel || !rel->is_view)
            continue;
        for (size_t c = 0; c < d->ncols; c++) {
            if (!d->nvcols[c])
                continue;
            const char *col = d->vcols[c][0];
            bool dup = false;
            for (size_t k = 0; k < rel->pk_count; k++)
                dup = dup || strcmp(rel->pk[k], col) == 0;
            if (dup)
                continue;
            const char **pk = arena_calloc(s->arena, rel->pk_count + 1, sizeof *pk);
            if (rel->pk_count)
                memcpy(pk, rel->pk, rel->pk_count * sizeof *pk);
            pk[rel->pk_count++] = col;
            qsort(pk, rel->pk_count, sizeof *pk, cmp_name);
            rel->pk = pk;
            for (size_t k = 0; k < rel->column_count; k++)
                if (strcmp(rel->columns[k].name, col) == 0)
                    rel->columns[k].primary_key = true;
        }
    }
}

/* fkeys_sql rows grouped into one foreign key per constraint oid. */
static size_t fk_rows(const pq_api_t *pq, arena_t *a, const PGresult *r, pg_fk_row_t **out)
{
    int n = pq->ntuples(r);
    pg_fk_row_t *fks = arena_calloc(a, n ? (size_t)n : 1, sizeof *fks);
    size_t k = 0;
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && strcmp(pq->getvalue(r, i, 0), pq->getvalue(r, j, 0)) == 0)
            j++;
        pg_fk_row_t *f = &fks[k++];
        f->table = (pg_qi_t){val(pq, a, r, i, 1), val(pq, a, r, i, 2)};
        f->ftable = (pg_qi_t){val(pq, a, r, i, 3), val(pq, a, r, i, 4)};
        f->is_self = truth(pq, r, i, 5);
        f->cons = val(pq, a, r, i, 6);
        f->one_to_one = truth(pq, r, i, 9);
        f->ncols = (size_t)(j - i);
        pg_colpair_t *cols = arena_calloc(a, f->ncols, sizeof *cols);
        for (int row = i; row < j; row++)
            cols[row - i] = (pg_colpair_t){val(pq, a, r, row, 7), val(pq, a, r, row, 8)};
        f->cols = cols;
        i = j;
    }
    *out = fks;
    return k;
}

static bool exposed(const char *const *schemas, size_t n, const char *schema)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(schemas[i], schema) == 0)
            return true;
    return false;
}

/* engine_relationship_t's view: single-column keys touching an exposed
 * schema. */
static void single_column_fkeys(pg_schema_t *s, const pg_fk_row_t *fks, size_t nfk,
                                const char *const *schemas, size_t schema_count)
{
    s->fkeys = arena_calloc(s->arena, nfk ? nfk : 1, sizeof *s->fkeys);
    for (size_t i = 0; i < nfk; i++) {
        const pg_fk_row_t *f = &fks[i];
        if (f->ncols != 1 || (!exposed(schemas, schema_count, f->table.schema) &&
                              !exposed(schemas, schema_count, f->ftable.schema)))
            continue;
        s->fkeys[s->fkey_count++] = (pg_fkey_t){
            .constraint = f->cons,
            .schema = f->table.schema,
            .relation = f->table.name,
            .column = f->cols[0].a,
            .ref_schema = f->ftable.schema,
            .ref_relation = f->ftable.name,
            .ref_column = f->cols[0].b,
        };
    }
}

static bool lookup_cached(void *ctx, pg_qi_t qi)
{
    return pg_schema_find_relation(ctx, qi.schema, qi.name) != NULL;
}

static bool lookup_primary_key(void *ctx, pg_qi_t qi, const char *const **pk, size_t *pk_count)
{
    const pg_schema_t *s = ctx;
    const engine_relation_t *rel = pg_schema_find_relation(s, qi.schema, qi.name);
    if (rel) {
        *pk = (const char *const *)rel->pk;
        *pk_count = rel->pk_count;
        return rel->pk_count > 0;
    }
    for (size_t i = 0; i < s->other_pk_count; i++) {
        const pg_keydep_t *o = &s->other_pks[i];
        if (strcmp(o->table.schema, qi.schema) == 0 && strcmp(o->table.name, qi.name) == 0) {
            *pk = o->cols;
            *pk_count = o->ncols;
            return true;
        }
    }
    return false;
}

/* dataRepresentations, verbatim: implicit casts by function between a
 * domain and json or text. */
static const char representations_sql[] =
    "SELECT c.castsource::regtype::text, c.casttarget::regtype::text, c.castfunc::regproc::text "
    "FROM pg_catalog.pg_cast c"
    "  JOIN pg_catalog.pg_type src_t ON c.castsource::oid = src_t.oid"
    "  JOIN pg_catalog.pg_type dst_t ON c.casttarget::oid = dst_t.oid "
    "WHERE c.castcontext = 'i' AND c.castmethod = 'f'"
    "  AND has_function_privilege(c.castfunc, 'execute')"
    "  AND ((src_t.typtype = 'd' AND c.casttarget IN ('json'::regtype::oid, 'text'::regtype::oid))"
    "   OR (dst_t.typtype = 'd' AND c.castsource IN ('json'::regtype::oid, 'text'::regtype::oid)))";

/* allComputedRels, verbatim but for its comments: functions of one
 * argument, a relation's row, returning a relation's rows. */
static const char computed_rels_sql[] =
    "with all_relations as ("
    "  select reltype from pg_class where relkind in ('v','r','m','f','p')"
    "), computed_rels as ("
    "  select"
    "    (parse_ident(p.pronamespace::regnamespace::text))[1] as schema,"
    "    p.proname::text as name,"
    "    arg_schema.nspname::text as rel_table_schema,"
    "    arg_name.typname::text as rel_table_name,"
    "    ret_schema.nspname::text as rel_ftable_schema,"
    "    ret_name.typname::text as rel_ftable_name,"
    "    not p.proretset or p.prorows = 1 as single_row"
    "  from pg_proc p"
    "    join pg_type arg_name on arg_name.oid = p.proargtypes[0]"
    "    join pg_namespace arg_schema on arg_schema.oid = arg_name.typnamespace"
    "    join pg_type ret_name on ret_name.oid = p.prorettype"
    "    join pg_namespace ret_schema on ret_schema.oid = ret_name.typnamespace"
    "  where p.pronargs = 1"
    "    and p.proargtypes[0] in (select reltype from all_relations)"
    "    and p.prorettype in (select reltype from all_relations)"
    ") "
    "select *,"
    "  row(rel_table_schema, rel_table_name) = row(rel_ftable_schema, rel_ftable_name) as is_self "
    "from computed_rels";

/* The primary keys of tables outside the exposed schemas (tbl_pk_cols
 * covers every schema but pg_catalog and information_schema): a junction
 * may be there. One row per column, grouped per table. */
static const char other_pks_sql[] =
    "SELECT n.nspname::text, r.relname::text, a.attname::text "
    "FROM pg_class r JOIN pg_constraint c ON r.oid = c.conrelid"
    "  JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = ANY (c.conkey)"
    "  JOIN pg_namespace n ON n.oid = r.relnamespace "
    "WHERE c.contype IN ('p') AND r.relkind IN ('r', 'p')"
    "  AND r.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)"
    "  AND NOT pg_is_other_temp_schema(r.relnamespace) AND NOT a.attisdropped"
    "  AND NOT n.nspname = ANY($1::text[]) "
    "ORDER BY 1, 2, 3";

static size_t other_pks(const pq_api_t *pq, arena_t *a, const PGresult *r, pg_keydep_t **out)
{
    int n = pq->ntuples(r);
    pg_keydep_t *v = arena_calloc(a, n ? (size_t)n : 1, sizeof *v);
    size_t k = 0;
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && strcmp(pq->getvalue(r, i, 0), pq->getvalue(r, j, 0)) == 0 &&
               strcmp(pq->getvalue(r, i, 1), pq->getvalue(r, j, 1)) == 0)
            j++;
        pg_keydep_t *t = &v[k++];
        t->table = (pg_qi_t){val(pq, a, r, i, 0), val(pq, a, r, i, 1)};
        t->ncols = (size_t)(j - i);
        const char **cols = arena_calloc(a, t->ncols, sizeof *cols);
        for (int row = i; row < j; row++)
            cols[row - i] = val(pq, a, r, row, 2);
        t->cols = cols;
        i = j;
    }
    *out = v;
    return k;
}

/* The OpenAPI extras (openapi_*_sql) into a cache whose relations and
 * columns are loaded. 0, or -1 with err filled. */
static int load_openapi(const pq_api_t *pq, PGconn *conn, pg_schema_t *s, const char **oids,
                        const char *names, char *err, size_t err_len)
{
    PGresult *r = query(pq, conn, openapi_rels_sql, names, err, err_len);
    if (!r)
        return -1;
    size_t cursor = 0;
    for (int i = 0; i < pq->ntuples(r); i++) {
        engine_relation_t *rel = rel_by_oid(s, oids, &cursor, pq->getvalue(r, i, 0));
        if (!rel)
            continue;
        rel->description = val(pq, s->arena, r, i, 1);
        rel->writable = truth(pq, r, i, 2);
    }
    pq->clear(r);

    if (!(r = query(pq, conn, openapi_cols_sql, names, err, err_len)))
        return -1;
    cursor = 0;
    size_t col = 0;
    engine_relation_t *last = NULL;
    for (int i = 0; i < pq->ntuples(r); i++) {
        engine_relation_t *rel = rel_by_oid(s, oids, &cursor, pq->getvalue(r, i, 0));
        if (!rel)
            continue;
        if (rel != last)
            col = 0;
        last = rel;
        /* Same rows in the same order as columns_sql; find by name to be sure. */
        const char *name = pq->getvalue(r, i, 1);
        while (col < rel->column_count && strcmp(rel->columns[col].name, name) != 0)
            col++;
        if (col == rel->column_count)
            continue;
        pg_column_t *c = &rel->columns[col++];
        c->description = val(pq, s->arena, r, i, 2);
        c->max_length = pq->getisnull(r, i, 3) ? -1 : atoi(pq->getvalue(r, i, 3));
        cJSON *labels = cJSON_Parse(pq->getvalue(r, i, 4));
        int n = cJSON_IsArray(labels) ? cJSON_GetArraySize(labels) : 0;
        if (n > 0) {
            c->enum_labels = arena_calloc(s->arena, (size_t)n, sizeof *c->enum_labels);
            const cJSON *l;
            cJSON_ArrayForEach(l, labels)
            {
                if (cJSON_IsString(l))
                    c->enum_labels[c->enum_count++] = arena_strdup(s->arena, l->valuestring);
            }
        }
        cJSON_Delete(labels);
    }
    pq->clear(r);

    if (!(r = query(pq, conn, openapi_roles_sql, names, err, err_len)))
        return -1;
    /* Count per relation, then fill (rows come in oid order). */
    cursor = 0;
    for (int i = 0; i < pq->ntuples(r); i++) {
        engine_relation_t *rel = rel_by_oid(s, oids, &cursor, pq->getvalue(r, i, 0));
        if (rel)
            rel->role_count++;
    }
    for (size_t i = 0; i < s->rel_count; i++) {
        size_t k = s->rels[i].role_count;
        s->rels[i].roles = arena_calloc(s->arena, k ? k : 1, sizeof(const char *));
        s->rels[i].role_count = 0;
    }
    cursor = 0;
    for (int i = 0; i < pq->ntuples(r); i++) {
        engine_relation_t *rel = rel_by_oid(s, oids, &cursor, pq->getvalue(r, i, 0));
        if (rel)
            rel->roles[rel->role_count++] = val(pq, s->arena, r, i, 1);
    }
    pq->clear(r);

    if (!(r = query(pq, conn, openapi_funcs_sql, names, err, err_len)))
        return -1;
    int nf = pq->ntuples(r);
    s->openapi_routines = arena_calloc(s->arena, nf ? (size_t)nf : 1, sizeof *s->openapi_routines);
    for (int i = 0; i < nf; i++) {
        pg_openapi_routine_t *f = &s->openapi_routines[s->openapi_routine_count++];
        f->schema = val(pq, s->arena, r, i, 0);
        f->r.name = val(pq, s->arena, r, i, 1);
        f->r.description = val(pq, s->arena, r, i, 2);
        f->r.is_volatile = truth(pq, r, i, 4);
        cJSON *args = cJSON_Parse(pq->getvalue(r, i, 3));
        int na = cJSON_IsArray(args) ? cJSON_GetArraySize(args) : 0;
        engine_routine_param_t *ps = arena_calloc(s->arena, na ? (size_t)na : 1, sizeof *ps);
        const cJSON *a;
        size_t k = 0;
        cJSON_ArrayForEach(a, args)
        {
            const cJSON *n = cJSON_GetArrayItem(a, 0), *t = cJSON_GetArrayItem(a, 1);
            if (!cJSON_IsString(n) || !cJSON_IsString(t))
                continue;
            ps[k].name = arena_strdup(s->arena, n->valuestring);
            ps[k].type = arena_strdup(s->arena, t->valuestring);
            ps[k].required = cJSON_IsTrue(cJSON_GetArrayItem(a, 2));
            ps[k].variadic = cJSON_IsTrue(cJSON_GetArrayItem(a, 3));
            k++;
        }
        cJSON_Delete(args);
        f->r.params = ps;
        f->r.param_count = k;
        cJSON *roles = cJSON_Parse(pq->getvalue(r, i, 5));
        int nr = cJSON_IsArray(roles) ? cJSON_GetArraySize(roles) : 0;
        f->roles = arena_calloc(s->arena, nr ? (size_t)nr : 1, sizeof *f->roles);
        cJSON_ArrayForEach(a, roles)
        {
            if (cJSON_IsString(a))
                f->roles[f->role_count++] = arena_strdup(s->arena, a->valuestring);
        }
        cJSON_Delete(roles);
    }
    pq->clear(r);

    if (!(r = query(pq, conn, openapi_schemas_sql, names, err, err_len)))
        return -1;
    int n = pq->ntuples(r);
    s->schema_names = arena_calloc(s->arena, n ? (size_t)n : 1, sizeof *s->schema_names);
    s->schema_descriptions =
        arena_calloc(s->arena, n ? (size_t)n : 1, sizeof *s->schema_descriptions);
    for (int i = 0; i < n; i++) {
        s->schema_names[s->schema_count] = val(pq, s->arena, r, i, 0);
        s->schema_descriptions[s->schema_count++] = val(pq, s->arena, r, i, 1);
    }
    pq->clear(r);
    return 0;
}
static int load_routines(const pq_api_t *pq, PGconn *conn, pg_schema_t *s, const char *names,
                         char *err, size_t err_len);

pg_schema_t *pg_schema_load(const pq_api_t *pq, PGconn *conn, const char *const *schemas,
                            size_t schema_count, const char *const *extra, size_t extra_count,
                            char *err, size_t err_len)
{
    pg_schema_t *s = xcalloc(1, sizeof *s);
    s->refs = 1;
    s->arena = arena_new();
    buf_t lit;
    buf_init(&lit);
    pg_array_literal(&lit, schemas, schema_count);
    const char *names = buf_cstr(&lit);
    PGresult *r = NULL;

    if (!(r = query(pq, conn, relations_sql, names, err, err_len)))
        goto fail;
    int n = pq->ntuples(r);
    s->rels = arena_calloc(s->arena, n ? (size_t)n : 1, sizeof *s->rels);
    const char **oids = arena_calloc(s->arena, n ? (size_t)n : 1, sizeof *oids);
    for (int i = 0; i < n; i++) {
        engine_relation_t *rel = &s->rels[s->rel_count++];
        oids[i] = val(pq, s->arena, r, i, 0);
        rel->schema = val(pq, s->arena, r, i, 1);
        rel->name = val(pq, s->arena, r, i, 2);
        rel->is_view = truth(pq, r, i, 3);
    }
    pq->clear(r);

    /* Columns: count per relation first, then fill. */
    if (!(r = query(pq, conn, columns_sql, names, err, err_len)))
        goto fail;
    n = pq->ntuples(r);
    size_t cursor = 0;
    for (int i = 0; i < n; i++) {
        engine_relation_t *rel = rel_by_oid(s, oids, &cursor, pq->getvalue(r, i, 0));
        if (rel)
            rel->column_count++;
    }
    for (size_t i = 0; i < s->rel_count; i++) {
        size_t k = s->rels[i].column_count;
        s->rels[i].columns = arena_calloc(s->arena, k ? k : 1, sizeof(pg_column_t));
        s->rels[i].column_count = 0;
    }
    cursor = 0;
    for (int i = 0; i < n; i++) {
        engine_relation_t *rel = rel_by_oid(s, oids, &cursor, pq->getvalue(r, i, 0));
        if (!rel)
            continue;
        pg_column_t *c = &rel->columns[rel->column_count++];
        c->name = val(pq, s->arena, r, i, 1);
        c->nullable = truth(pq, r, i, 2);
        c->type = val(pq, s->arena, r, i, 3);
        c->message_type = val(pq, s->arena, r, i, 4);
        c->base_type = val(pq, s->arena, r, i, 5);
        c->nominal_type = val(pq, s->arena, r, i, 6);
        c->default_expr = val(pq, s->arena, r, i, 7);
        c->max_length = -1;
    }
    pq->clear(r);
    s->oids = oids;
    s->names = arena_strdup(s->arena, names);

    if (!(r = query(pq, conn, pks_sql, names, err, err_len)))
        goto fail;
    n = pq->ntuples(r);
    cursor = 0;
    for (int i = 0; i < n; i++) {
        engine_relation_t *rel = rel_by_oid(s, oids, &cursor, pq->getvalue(r, i, 0));
        if (!rel)
            continue;
        const char **pk = arena_calloc(s->arena, rel->pk_count + 1, sizeof *pk);
        if (rel->pk_count)
            memcpy(pk, rel->pk, rel->pk_count * sizeof *pk);
        pk[rel->pk_count++] = val(pq, s->arena, r, i, 1);
        rel->pk = pk;
        for (size_t c = 0; c < rel->column_count; c++)
            if (strcmp(rel->columns[c].name, pq->getvalue(r, i, 1)) == 0)
                rel->columns[c].primary_key = true;
    }
    pq->clear(r);

    /* Views' key dependencies: their primary keys (addViewPrimaryKeys),
     * then with the foreign keys the relationships. */
    {
        buf_t a1, a2;
        buf_init(&a1);
        buf_init(&a2);
        ident_array(&a1, schemas, schema_count);
        ident_array(&a2, extra, extra_count);
        const char *params[2] = {buf_cstr(&a1), buf_cstr(&a2)};
        r = query2(pq, conn, key_deps_sql, 2, params, err, err_len);
        buf_dispose(&a1);
        buf_dispose(&a2);
        if (!r)
            goto fail;
        pg_keydep_t *deps = NULL;
        size_t ndep = key_deps(pq, s->arena, r, &deps);
        pq->clear(r);
        view_primary_keys(s, deps, ndep);

        if (!(r = query2(pq, conn, fkeys_sql, 0, NULL, err, err_len)))
            goto fail;
        pg_fk_row_t *fks = NULL;
        size_t nfk = fk_rows(pq, s->arena, r, &fks);
        pq->clear(r);
        single_column_fkeys(s, fks, nfk, schemas, schema_count);
        if (!(r = query(pq, conn, other_pks_sql, names, err, err_len)))
            goto fail;
        s->other_pk_count = other_pks(pq, s->arena, r, &s->other_pks);
        pq->clear(r);
        pg_rel_lookup_t lookup = {
            .ctx = s, .cached = lookup_cached, .primary_key = lookup_primary_key};
        s->rel_list_count = pg_rels_build(s->arena, fks, nfk, deps, ndep, &lookup, &s->rel_list);

        /* allComputedRels */
        if (!(r = query2(pq, conn, computed_rels_sql, 0, NULL, err, err_len)))
            goto fail;
        int nc = pq->ntuples(r);
        pg_rel_t *computed = arena_calloc(s->arena, nc ? (size_t)nc : 1, sizeof *computed);
        for (int i = 0; i < nc; i++) {
            pg_rel_t *c = &computed[i];
            c->computed = true;
            c->function = (pg_qi_t){val(pq, s->arena, r, i, 0), val(pq, s->arena, r, i, 1)};
            c->table = (pg_qi_t){val(pq, s->arena, r, i, 2), val(pq, s->arena, r, i, 3)};
            c->ftable = (pg_qi_t){val(pq, s->arena, r, i, 4), val(pq, s->arena, r, i, 5)};
            c->to_one = truth(pq, r, i, 6);
            c->is_self = truth(pq, r, i, 7);
        }
        pq->clear(r);
        s->rel_list_count = pg_rels_add_computed(s->arena, s->rel_list, s->rel_list_count, computed,
                                                 (size_t)nc, &lookup, &s->rel_list);
    }

    if (!(r = query2(pq, conn, representations_sql, 0, NULL, err, err_len)))
        goto fail;
    n = pq->ntuples(r);
    s->reps = arena_calloc(s->arena, n ? 3 * (size_t)n : 1, sizeof *s->reps);
    for (int i = 0; i < n; i++) {
        for (int c = 0; c < 3; c++)
            s->reps[3 * s->rep_count + (size_t)c] = val(pq, s->arena, r, i, c);
        s->rep_count++;
    }
    pq->clear(r);

    if (load_routines(pq, conn, s, names, err, err_len) < 0)
        goto fail;
    buf_dispose(&lit);
    return s;
fail:
    buf_dispose(&lit);
    pg_schema_free(s);
    return NULL;
}

int pg_schema_load_openapi(const pq_api_t *pq, PGconn *conn, pg_schema_t *s, char *err,
                           size_t err_len)
{
    if (s->openapi_tried)
        return 0;
    s->openapi_tried = true;
    return load_openapi(pq, conn, s, s->oids, s->names, err, err_len);
}

int pg_schema_load_timezones(const pq_api_t *pq, PGconn *conn, pg_schema_t *s, char *err,
                             size_t err_len)
{
    if (s->timezones_tried)
        return 0;
    s->timezones_tried = true;
    /* SchemaCache.hs timezones: the names Prefer: timezone= may use. */
    PGresult *r = query2(pq, conn, "SELECT name FROM pg_timezone_names ORDER BY name COLLATE \"C\"",
                         0, NULL, err, err_len);
    if (!r)
        return -1;
    int n = pq->ntuples(r);
    s->timezones = arena_calloc(s->arena, n ? (size_t)n : 1, sizeof *s->timezones);
    for (int i = 0; i < n; i++)
        s->timezones[s->timezone_count++] = val(pq, s->arena, r, i, 0);
    pq->clear(r);
    return 0;
}

pg_schema_t *pg_schema_hold(pg_schema_t *s)
{
    s->refs++;
    return s;
}

void pg_schema_free(pg_schema_t *s)
{
    if (!s || --s->refs > 0)
        return;
    arena_free(s->arena);
    free(s);
}

const engine_relation_t *pg_schema_find_relation(const pg_schema_t *s, const char *schema,
                                                 const char *name)
{
    for (size_t i = 0; i < s->rel_count; i++)
        if (strcmp(s->rels[i].schema, schema) == 0 && strcmp(s->rels[i].name, name) == 0)
            return &s->rels[i];
    return NULL;
}

size_t pg_schema_relation_names(const pg_schema_t *s, const char *schema, arena_t *arena,
                                const char ***out)
{
    const char **names = arena_calloc(arena, s->rel_count ? s->rel_count : 1, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < s->rel_count; i++)
        if (strcmp(s->rels[i].schema, schema) == 0)
            names[k++] = s->rels[i].name;
    *out = names;
    return k;
}

size_t pg_schema_relationships(const pg_schema_t *s, const engine_relation_t *rel, arena_t *arena,
                               engine_relationship_t **out)
{
    engine_relationship_t *rels =
        arena_calloc(arena, s->fkey_count ? s->fkey_count : 1, sizeof *rels);
    size_t k = 0;
    for (size_t i = 0; i < s->fkey_count; i++) {
        const pg_fkey_t *f = &s->fkeys[i];
        bool from_self = strcmp(f->schema, rel->schema) == 0 && strcmp(f->relation, rel->name) == 0;
        bool to_self =
            strcmp(f->ref_schema, rel->schema) == 0 && strcmp(f->ref_relation, rel->name) == 0;
        if (!from_self && !to_self)
            continue;
        rels[k++] = (engine_relationship_t){
            .constraint = f->constraint,
            .schema = f->schema,
            .relation = f->relation,
            .column = f->column,
            .ref_schema = f->ref_schema,
            .ref_relation = f->ref_relation,
            .ref_column = f->ref_column,
        };
    }
    *out = rels;
    return k;
}

size_t pg_schema_rels_from(const pg_schema_t *s, const char *schema, const char *name,
                           const pg_rel_t **out)
{
    size_t i = 0;
    while (i < s->rel_list_count && (strcmp(s->rel_list[i].table.schema, schema) != 0 ||
                                     strcmp(s->rel_list[i].table.name, name) != 0))
        i++;
    size_t j = i;
    while (j < s->rel_list_count && strcmp(s->rel_list[j].table.schema, schema) == 0 &&
           strcmp(s->rel_list[j].table.name, name) == 0)
        j++;
    *out = s->rel_list + i;
    return j - i;
}

size_t pg_schema_rel_origins(const pg_schema_t *s, const char *schema, arena_t *arena,
                             const char ***out)
{
    const char **names =
        arena_calloc(arena, s->rel_list_count ? s->rel_list_count : 1, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < s->rel_list_count; i++) {
        const pg_rel_t *r = &s->rel_list[i];
        if (strcmp(r->table.schema, schema) != 0 || strcmp(r->ftable.schema, schema) != 0)
            continue;
        if (k && strcmp(names[k - 1], r->table.name) == 0)
            continue;
        names[k++] = r->table.name;
    }
    *out = names;
    return k;
}

/* schema, name, then decodeFuncs' sort (Routine.hs Ord): fewer parameters
 * first, then the parameters compared field by field. */
static int routine_order(const void *pa, const void *pb)
{
    const engine_routine_t *a = *(const engine_routine_t *const *)pa;
    const engine_routine_t *b = *(const engine_routine_t *const *)pb;
    int c = strcmp(a->schema, b->schema);
    if (!c)
        c = strcmp(a->name, b->name);
    if (c)
        return c;
    if (a->param_count != b->param_count)
        return a->param_count < b->param_count ? -1 : 1;
    for (size_t i = 0; i < a->param_count; i++) {
        const engine_routine_param_t *x = &a->params[i], *y = &b->params[i];
        if ((c = strcmp(x->name, y->name)) || (c = strcmp(x->type, y->type)) ||
            (c = strcmp(x->type_max_length, y->type_max_length)))
            return c;
        if (x->required != y->required)
            return x->required ? 1 : -1;
        if (x->variadic != y->variadic)
            return x->variadic ? 1 : -1;
    }
    return 0;
}

static int load_routines(const pq_api_t *pq, PGconn *conn, pg_schema_t *s, const char *names,
                         char *err, size_t err_len)
{
    PGresult *r = query(pq, conn, funcs_sql, names, err, err_len);
    if (!r)
        return -1;
    int n = pq->ntuples(r);
    engine_routine_t *rs = arena_calloc(s->arena, n ? (size_t)n : 1, sizeof *rs);
    const char **oids = arena_calloc(s->arena, n ? (size_t)n : 1, sizeof *oids);
    for (int i = 0; i < n; i++) {
        engine_routine_t *f = &rs[i];
        oids[i] = val(pq, s->arena, r, i, 0);
        f->schema = val(pq, s->arena, r, i, 1);
        f->name = val(pq, s->arena, r, i, 2);
        f->return_schema = val(pq, s->arena, r, i, 3);
        f->return_name = val(pq, s->arena, r, i, 4);
        f->returns_set = truth(pq, r, i, 5);
        f->returns_composite = truth(pq, r, i, 6);
        const char *v = pq->getvalue(r, i, 7);
        f->volatility = v[0] == 'i'   ? ENGINE_IMMUTABLE
                        : v[0] == 's' ? ENGINE_STABLE
                                      : ENGINE_VOLATILE;
        f->has_variadic = truth(pq, r, i, 8);
        f->isolation_level = val(pq, s->arena, r, i, 9);
    }
    pq->clear(r);
    {
        const char *params[2] = {names, hoisted_settings};
        if (!(r = query2(pq, conn, func_settings_sql, 2, params, err, err_len)))
            return -1;
        int m = pq->ntuples(r);
        size_t cursor = 0;
        for (int i = 0; i < m; i++) {
            unsigned long long oid = strtoull(pq->getvalue(r, i, 0), NULL, 10);
            while (cursor < (size_t)n && strtoull(oids[cursor], NULL, 10) < oid)
                cursor++;
            if (cursor == (size_t)n)
                break;
            if (strtoull(oids[cursor], NULL, 10) != oid)
                continue;
            engine_routine_t *f = &rs[cursor];
            const char **kv = arena_calloc(s->arena, 2 * (f->setting_count + 1), sizeof *kv);
            if (f->setting_count)
                memcpy(kv, f->settings, 2 * f->setting_count * sizeof *kv);
            kv[2 * f->setting_count] = val(pq, s->arena, r, i, 1);
            kv[2 * f->setting_count + 1] = val(pq, s->arena, r, i, 2);
            f->settings = kv;
            f->setting_count++;
        }
        pq->clear(r);
    }
    if (!(r = query(pq, conn, func_args_sql, names, err, err_len)))
        return -1;
    /* Both come in oid order: count per routine, then fill. */
    int m = pq->ntuples(r);
    size_t cursor = 0;
    for (int pass = 0; pass < 2; pass++) {
        cursor = 0;
        for (int i = 0; i < m; i++) {
            unsigned long long oid = strtoull(pq->getvalue(r, i, 0), NULL, 10);
            while (cursor < (size_t)n && strtoull(oids[cursor], NULL, 10) < oid)
                cursor++;
            if (cursor == (size_t)n)
                break;
            if (strtoull(oids[cursor], NULL, 10) != oid)
                continue; /* a routine the first query filtered out */
            engine_routine_t *f = &rs[cursor];
            if (pass == 0) {
                f->param_count++;
                continue;
            }
            engine_routine_param_t *p = (engine_routine_param_t *)&f->params[f->param_count++];
            p->name = val(pq, s->arena, r, i, 1);
            p->type = val(pq, s->arena, r, i, 2);
            p->type_max_length = val(pq, s->arena, r, i, 3);
            p->required = truth(pq, r, i, 4);
            p->variadic = truth(pq, r, i, 5);
        }
        if (pass == 0) {
            for (int i = 0; i < n; i++) {
                rs[i].params =
                    arena_calloc(s->arena, rs[i].param_count + 1, sizeof(engine_routine_param_t));
                rs[i].param_count = 0;
            }
        }
    }
    pq->clear(r);
    s->routines = arena_calloc(s->arena, n ? (size_t)n : 1, sizeof *s->routines);
    for (int i = 0; i < n; i++)
        s->routines[s->routine_count++] = &rs[i];
    qsort(s->routines, s->routine_count, sizeof *s->routines, routine_order);
    return 0;
}

size_t pg_schema_routines(const pg_schema_t *s, const char *schema, const char *name,
                          const engine_routine_t *const **out)
{
    size_t i = 0;
    while (i < s->routine_count &&
           (strcmp(s->routines[i]->schema, schema) != 0 || strcmp(s->routines[i]->name, name) != 0))
        i++;
    size_t k = i;
    while (k < s->routine_count && strcmp(s->routines[k]->schema, schema) == 0 &&
           strcmp(s->routines[k]->name, name) == 0)
        k++;
    *out = (const engine_routine_t *const *)(s->routines + i);
    return k - i;
}

size_t pg_schema_routine_names(const pg_schema_t *s, const char *schema, arena_t *arena,
                               const char ***out)
{
    const char **names =
        arena_calloc(arena, s->routine_count ? s->routine_count : 1, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < s->routine_count; i++) {
        const engine_routine_t *r = s->routines[i];
        if (strcmp(r->schema, schema) == 0 && (k == 0 || strcmp(names[k - 1], r->name) != 0))
            names[k++] = r->name;
    }
    *out = names;
    return k;
}

const pg_column_t *pg_schema_column(const engine_relation_t *rel, const char *name)
{
    for (size_t i = 0; i < rel->column_count; i++)
        if (strcmp(rel->columns[i].name, name) == 0)
            return &rel->columns[i];
    return NULL;
}

const char *pg_schema_description(const pg_schema_t *s, const char *schema)
{
    for (size_t i = 0; i < s->schema_count; i++)
        if (strcmp(s->schema_names[i], schema) == 0)
            return s->schema_descriptions[i];
    return NULL;
}

size_t pg_schema_openapi_routines(const pg_schema_t *s, const char *schema, const char *role,
                                  arena_t *arena, engine_openapi_routine_t **out)
{
    size_t total = s->openapi_routine_count;
    engine_openapi_routine_t *rs = arena_calloc(arena, total ? total : 1, sizeof *rs);
    size_t n = 0;
    for (size_t i = 0; i < total; i++) {
        const pg_openapi_routine_t *f = &s->openapi_routines[i];
        if (strcmp(f->schema, schema) != 0)
            continue;
        bool may = role == NULL; /* ignore-privileges */
        for (size_t k = 0; role && k < f->role_count && !may; k++)
            may = strcmp(f->roles[k], role) == 0;
        if (may)
            rs[n++] = f->r;
    }
    *out = rs;
    return n;
}

bool pg_schema_relation_accessible(const engine_relation_t *rel, const char *role)
{
    for (size_t i = 0; role && i < rel->role_count; i++)
        if (strcmp(rel->roles[i], role) == 0)
            return true;
    return false;
}

const char *pg_schema_representation(const pg_schema_t *s, const char *source, const char *target)
{
    if (!s || !source || !target)
        return NULL;
    for (size_t i = 0; i < s->rep_count; i++)
        if (strcmp(s->reps[3 * i], source) == 0 && strcmp(s->reps[3 * i + 1], target) == 0)
            return s->reps[3 * i + 2];
    return NULL;
}

bool pg_schema_timezone_valid(const pg_schema_t *s, const char *name)
{
    return bsearch(&name, s->timezones, s->timezone_count, sizeof *s->timezones, cmp_name) != NULL;
}
