/* Why a /rest/v1 request got its answer: where its role came from, which
 * grants were checked, and what row-level security did (which policies applied
 * to the command and the role, how many rows each USING hid, which WITH CHECK
 * refused the new row). The PostgREST layer fills the gateway part, the engine
 * the rest; the journal keeps a copy and GET /__mock/requests/ID/explain renders
 * it.
 *
 * Plain data with no pointers, so that the journal copies it with memcpy: the
 * per-request cost is integer counting and a few name copies; words and JSON
 * are built only when asked for. Names are cut at MOCK_EXPLAIN_NAME_MAX - 1
 * bytes (Postgres's NAMEDATALEN limit, so nothing real is cut). */
#ifndef MOCK_EXPLAIN_H
#define MOCK_EXPLAIN_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MOCK_EXPLAIN_NAME_MAX     64
#define MOCK_EXPLAIN_MAX_POLICIES 8 /* a table's first 8 policies are recorded */
#define MOCK_EXPLAIN_MAX_GRANTS   4

/* Commands and privileges, numbered as security.h's security_command_t. */
enum {
    MOCK_EXPLAIN_ALL,
    MOCK_EXPLAIN_SELECT,
    MOCK_EXPLAIN_INSERT,
    MOCK_EXPLAIN_UPDATE,
    MOCK_EXPLAIN_DELETE,
};

/* Where the credential that decided the role came from. */
typedef enum mock_explain_source {
    MOCK_EXPLAIN_FROM_NONE,          /* no credential: anon */
    MOCK_EXPLAIN_FROM_APIKEY,        /* the apikey header (or ?apikey=) */
    MOCK_EXPLAIN_FROM_AUTHORIZATION, /* Authorization: Bearer */
} mock_explain_source_t;

typedef struct mock_explain_grant {
    uint8_t privilege; /* MOCK_EXPLAIN_SELECT... */
    bool granted;
} mock_explain_grant_t;

typedef struct mock_explain_policy {
    char name[MOCK_EXPLAIN_NAME_MAX];
    uint8_t command;                   /* MOCK_EXPLAIN_ALL... */
    bool permissive;                   /* false: restrictive */
    bool for_role;                     /* its roles include the request's role (or PUBLIC) */
    char roles[MOCK_EXPLAIN_NAME_MAX]; /* when !for_role: its roles, ", "-joined and cut */
    bool has_using;
    bool has_check;
    /* Rows whose visibility this policy's USING decided against: every
     * permissive policy evaluated on a hidden row counts it, a restrictive
     * one counts the rows it failed. Counted over every pass (an UPDATE also
     * checks SELECT's policies). */
    uint32_t hidden;
} mock_explain_policy_t;

typedef struct mock_explain {
    uint8_t source; /* mock_explain_source_t */
    /* The rest is set once the statement reached a table (engine true). */
    bool engine;
    uint8_t command; /* the statement's: SELECT, INSERT, UPDATE (PATCH, PUT's update), DELETE */
    char schema[MOCK_EXPLAIN_NAME_MAX];
    char table[MOCK_EXPLAIN_NAME_MAX];
    uint8_t grant_count;
    mock_explain_grant_t grants[MOCK_EXPLAIN_MAX_GRANTS]; /* in the order checked */
    bool rls_enabled;
    bool rls_bypassed;     /* RLS is on but the role bypasses it (service_role) */
    bool counted;          /* RLS filtered rows: matched and visible are set */
    uint32_t matched;      /* rows the filters matched before RLS */
    uint32_t visible;      /* of those, the rows RLS let through */
    bool check_failed;     /* a WITH CHECK refused the new row (42501) */
    bool check_conflict;   /* ON CONFLICT DO UPDATE's check of the existing row */
    uint8_t check_command; /* whose policies' check failed */
    char check_policy[MOCK_EXPLAIN_NAME_MAX]; /* the restrictive policy; "" for the
                                                 permissive ones together */
    uint8_t policy_total;                     /* the table's policies (may exceed policy_count) */
    uint8_t policy_count;
    mock_explain_policy_t policies[MOCK_EXPLAIN_MAX_POLICIES]; /* last: see MOCK_EXPLAIN_SIZE */
} mock_explain_t;

/* The bytes of x that hold data (the policies past policy_count are not). */
#define MOCK_EXPLAIN_SIZE(x)                                                                       \
    (offsetof(mock_explain_t, policies) + (size_t)(x)->policy_count * sizeof(mock_explain_policy_t))

/* Zeroes what MOCK_EXPLAIN_SIZE covers with no policies. */
void mock_explain_init(mock_explain_t *x);
/* Copies a name, cut to fit. */
void mock_explain_name(char dst[MOCK_EXPLAIN_NAME_MAX], const char *src);
const char *mock_explain_command_name(unsigned cmd); /* "SELECT", ..., "ALL" */

/* The request an explanation is about, as the journal kept it. */
typedef struct mock_explain_subject {
    const char *method;
    const char *path;
    int status;
    const char *code;        /* NULL when none */
    const char *role;        /* NULL when none was resolved */
    const char *key;         /* key kind */
    const char *rule;        /* the fault rule that answered or delayed, NULL when none */
    const mock_explain_t *x; /* NULL when nothing was recorded */
} mock_explain_subject_t;

/* The structured object: {"role","key","source","table","command","grants",
 * "rls":{...},"policies":[...],"with_check":...}; null for no record. */
void mock_explain_json(const mock_explain_subject_t *s, buf_t *out);
/* The same in words, one paragraph, e.g. "PATCH /profiles matched 0 rows: 1
 * row exists; role anon has no UPDATE policy on public.profiles (policies:
 * 'Users can view own profile' is SELECT only)". */
void mock_explain_text(const mock_explain_subject_t *s, buf_t *out);

#endif
