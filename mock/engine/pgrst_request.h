/* PostgREST's request vocabulary (its ApiRequest, as the front parsed it):
 * filters and logic trees, select items, order terms, the query string's
 * other parameters, Prefer and the negotiated media type. The PostgREST
 * layer fills these (postgrest/pgrst_query.c); the engines take them, so they
 * live below both. Every pointer lives in the request's arena. */
#ifndef MOCK_PGRST_REQUEST_H
#define MOCK_PGRST_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum pgrst_op {
    PGRST_OP_EQ,
    PGRST_OP_NEQ,
    PGRST_OP_GT,
    PGRST_OP_GTE,
    PGRST_OP_LT,
    PGRST_OP_LTE,
    PGRST_OP_LIKE,
    PGRST_OP_ILIKE,
    PGRST_OP_MATCH,
    PGRST_OP_IMATCH,
    PGRST_OP_IN,
    PGRST_OP_IS,
    PGRST_OP_ISDISTINCT,
    PGRST_OP_FTS,
    PGRST_OP_PLFTS,
    PGRST_OP_PHFTS,
    PGRST_OP_WFTS,
    PGRST_OP_CS,
    PGRST_OP_CD,
    PGRST_OP_OV,
    PGRST_OP_SL,
    PGRST_OP_SR,
    PGRST_OP_NXR,
    PGRST_OP_NXL,
    PGRST_OP_ADJ,
} pgrst_op_t;

typedef enum pgrst_quant { PGRST_QUANT_NONE, PGRST_QUANT_ANY, PGRST_QUANT_ALL } pgrst_quant_t;

typedef enum pgrst_is_value {
    PGRST_IS_NULL,
    PGRST_IS_NOT_NULL,
    PGRST_IS_TRUE,
    PGRST_IS_FALSE,
    PGRST_IS_UNKNOWN,
} pgrst_is_value_t;

/* One step of a JSON path: ->key, ->>key, ->0, ->-1. */
typedef struct pgrst_json_step {
    bool as_text;    /* ->> */
    bool is_index;   /* numeric step */
    const char *key; /* the key, or the index as written */
    long index;
} pgrst_json_step_t;

/* A column reference, possibly with a JSON path and an embedded-resource prefix. */
typedef struct pgrst_field {
    const char *name; /* column name, unquoted */
    const pgrst_json_step_t *path;
    size_t path_len;
    const char *const *relation; /* "rel.col" filters / "rel.order": embedded path, else NULL */
    size_t relation_len;
} pgrst_field_t;

typedef struct pgrst_filter {
    pgrst_field_t field;
    bool negated; /* not.op */
    pgrst_op_t op;
    pgrst_quant_t quant;     /* op(any) / op(all) */
    const char *value;       /* operand text for scalar operators; NULL for in/quantified/is */
    const char *const *list; /* in.(...) elements, or {a,b} elements of (any)/(all) */
    size_t list_len;
    const char *fts_language;  /* fts(english): "english", else NULL */
    pgrst_is_value_t is_value; /* PGRST_OP_IS only */
    const char *raw_value;     /* operand text as sent for scalar and quantified operators
                                  (e.g. "{a,b}" for eq(any)); NULL for in/is. list is NULL
                                  when a quantified operand is not a valid {..} literal. */
} pgrst_filter_t;

typedef enum pgrst_logic_kind {
    PGRST_LOGIC_FILTER,
    PGRST_LOGIC_AND,
    PGRST_LOGIC_OR,
} pgrst_logic_kind_t;

/* A node of a where-clause tree. */
typedef struct pgrst_logic {
    pgrst_logic_kind_t kind;
    bool negated;          /* not.and / not.or (a filter carries its own) */
    pgrst_filter_t filter; /* PGRST_LOGIC_FILTER */
    const struct pgrst_logic *children;
    size_t child_count;
    const char *const *relation; /* rel.or=(...): embedded path, else NULL */
    size_t relation_len;
} pgrst_logic_t;

/* One item of a select list. The top-level list (pgrst_query_t.select) keeps
 * its flat form: plain columns are star/field/alias/cast as before. An
 * embedding rel(...) / alias:rel!hint!inner(...) / ...rel(...) is one item
 * with is_embed set whose `children` is the embedded resource's own select
 * list (the same shape, recursively): a select tree. */
typedef struct pgrst_select_item {
    bool star;         /* "*" */
    const char *alias; /* alias:..., else NULL */
    pgrst_field_t field;
    const char *cast;       /* ::type, else NULL */
    bool is_embed;          /* rel(...), ...rel(...): an embedded resource */
    bool is_aggregate;      /* col.sum() etc. (not modelled yet) */
    const char *embed_name; /* is_embed: the relation (or FK/column) name; alias is `alias` */
    bool is_spread;         /* ...rel(...) */
    const char *embed_hint; /* rel!hint(...), else NULL */
    const char *join_type;  /* "inner" / "left", else NULL (left) */
    const struct pgrst_select_item *children; /* the embed's own select list (may be empty:
                                                 rel()) */
    size_t child_count;
    const char *aggregate;      /* "sum", "avg", "count", "max", "min", else NULL */
    const char *aggregate_cast; /* col.sum()::int: "int", else NULL */
} pgrst_select_item_t;

typedef enum pgrst_order_dir {
    PGRST_ORDER_DEFAULT,
    PGRST_ORDER_ASC,
    PGRST_ORDER_DESC
} pgrst_order_dir_t;
typedef enum pgrst_nulls { PGRST_NULLS_DEFAULT, PGRST_NULLS_FIRST, PGRST_NULLS_LAST } pgrst_nulls_t;

typedef struct pgrst_order_term {
    pgrst_field_t field;
    const char *related; /* order=rel(col).desc: "rel" (a related order), else NULL */
    pgrst_order_dir_t dir;
    pgrst_nulls_t nulls;
} pgrst_order_term_t;

/* rel.limit= / rel.offset= of an embedded resource (QueryParams qsRanges with a
 * non-empty path; the top-level limit/offset stay pgrst_query_t.limit/offset).
 * One entry per path: the last limit and the last offset sent for it. */
typedef struct pgrst_embed_range {
    const char *const *relation; /* the embed path, relation_len >= 1 */
    size_t relation_len;
    int64_t limit;  /* -1 when absent or not an integer */
    int64_t offset; /* 0 when absent or not an integer */
} pgrst_embed_range_t;

/* A decoded query parameter, in request order. */
typedef struct pgrst_param {
    const char *key;
    const char *value;
} pgrst_param_t;

typedef struct pgrst_query {
    const pgrst_param_t *params; /* every decoded key=value pair (keys without '=' dropped) */
    size_t param_count;
    const pgrst_select_item_t *select; /* absent select: one star item */
    size_t select_count;
    const pgrst_logic_t *where; /* top-level conjunction, in query-string order: one
                                   PGRST_LOGIC_FILTER per filter parameter and one node
                                   per or=/and=/not.or= parameter */
    size_t where_count;
    const pgrst_order_term_t *order;
    size_t order_count;
    int64_t limit;              /* -1 when absent */
    int64_t offset;             /* 0 when absent */
    const char *const *columns; /* columns= list, NULL when absent */
    size_t column_count;
    const char *const *on_conflict; /* on_conflict= list, NULL when absent */
    size_t on_conflict_count;
    const pgrst_embed_range_t *embed_ranges; /* rel.limit / rel.offset, in first-seen order */
    size_t embed_range_count;
    /* GET/HEAD on /rpc/NAME (QueryParams.parse with isRpcRead): the
     * parameters whose value is no operator expression are the routine's
     * arguments (qsParams), in request order; the others stay filters. */
    const pgrst_param_t *rpc_args;
    size_t rpc_arg_count;
} pgrst_query_t;

/* Notes on the fields above (pgrst_query.c):
 * - order holds the terms of the first order parameter per embed path (PostgREST
 *   looks the path up with `find`); terms of rel.order carry field.relation.
 * - filters (where), logic trees and order terms whose field.relation /
 *   relation is set belong to the embedded resource at that path (an alias or
 *   a relation name of the select tree); the engines place them.
 * - limit/offset come from the last top-level limit=/offset= (HashMap.fromList);
 *   values Haskell's readMaybe rejects are ignored, as PostgREST ignores them. A
 *   negative offset is kept as sent. */

typedef enum pgrst_return {
    PGRST_RETURN_UNSET,
    PGRST_RETURN_MINIMAL,
    PGRST_RETURN_REPRESENTATION,
    PGRST_RETURN_HEADERS_ONLY
} pgrst_return_t;
typedef enum pgrst_count {
    PGRST_COUNT_UNSET,
    PGRST_COUNT_EXACT,
    PGRST_COUNT_PLANNED,
    PGRST_COUNT_ESTIMATED
} pgrst_count_t;
typedef enum pgrst_resolution {
    PGRST_RESOLUTION_UNSET,
    PGRST_RESOLUTION_MERGE,
    PGRST_RESOLUTION_IGNORE
} pgrst_resolution_t;
typedef enum pgrst_missing {
    PGRST_MISSING_UNSET,
    PGRST_MISSING_DEFAULT,
    PGRST_MISSING_NULL
} pgrst_missing_t;
typedef enum pgrst_handling {
    PGRST_HANDLING_UNSET,
    PGRST_HANDLING_STRICT,
    PGRST_HANDLING_LENIENT
} pgrst_handling_t;
typedef enum pgrst_tx { PGRST_TX_UNSET, PGRST_TX_COMMIT, PGRST_TX_ROLLBACK } pgrst_tx_t;

typedef struct pgrst_prefer {
    pgrst_return_t ret;
    pgrst_count_t count;
    pgrst_resolution_t resolution;
    pgrst_missing_t missing;
    pgrst_handling_t handling;
    pgrst_tx_t tx;
    const char *timezone;       /* timezone=..., NULL when absent */
    int64_t max_affected;       /* -1 when absent */
    const char *const *invalid; /* tokens that are not valid preferences, in order */
    size_t invalid_count;
} pgrst_prefer_t;

typedef enum pgrst_media {
    PGRST_MEDIA_JSON,    /* application/json, any type, application/vnd.pgrst.array+json */
    PGRST_MEDIA_OBJECT,  /* application/vnd.pgrst.object+json */
    PGRST_MEDIA_CSV,     /* text/csv */
    PGRST_MEDIA_GEOJSON, /* application/geo+json (not modelled yet) */
} pgrst_media_t;

/* application/vnd.pgrst.plan options (MediaType.hs MTVndPlanOption), in
 * the order PostgREST prints them. */
enum {
    PGRST_PLAN_ANALYZE = 1 << 0,
    PGRST_PLAN_VERBOSE = 1 << 1,
    PGRST_PLAN_SETTINGS = 1 << 2,
    PGRST_PLAN_BUFFERS = 1 << 3,
    PGRST_PLAN_WAL = 1 << 4,
    PGRST_PLAN_OPTION_COUNT = 5,
};

/* The name of option bit i (PGRST_PLAN_ANALYZE is bit 0) in the media type,
 * MediaType.hs toMimePlanOption: "analyze", ... */
static inline const char *pgrst_plan_option_name(unsigned i)
{
    static const char *const names[PGRST_PLAN_OPTION_COUNT] = {"analyze", "verbose", "settings",
                                                               "buffers", "wal"};
    return i < PGRST_PLAN_OPTION_COUNT ? names[i] : "";
}

/* Accept: application/vnd.pgrst.plan (MediaType.hs MTVndPlan), negotiated
 * only when db-plan-enabled is on and the engine can explain: the answer is
 * the statement's EXPLAIN output instead of its rows. */
typedef struct pgrst_plan {
    bool on;
    bool json;            /* +json: FORMAT JSON; else FORMAT TEXT */
    unsigned options;     /* PGRST_PLAN_* */
    const char *for_mime; /* toMime of the `for` media type: "application/json", ... */
} pgrst_plan_t;

typedef struct pgrst_accept {
    pgrst_media_t media; /* with plan.on, the media type the plan is for */
    bool nulls_stripped; /* ;nulls=stripped on a vnd.pgrst.* type */
    pgrst_plan_t plan;
} pgrst_accept_t;

#endif
