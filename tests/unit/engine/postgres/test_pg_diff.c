/* Differential: the same /rest/v1 requests through the PostgREST layer
 * (rest_handle) once on the memory engine built from a scenario and once on
 * the database engine over a real PostgreSQL 15 holding the same tables,
 * rows, grants and policies (written here as the DDL a Supabase migration
 * would hold). Status, body and every header but Date must be equal: where
 * they differ one engine is not doing what Postgres does, and the Postgres
 * side is the one that is right by construction. The requests run in order
 * on both sides, so the writes keep the two databases alike.
 * Skipped when the PostgreSQL 15 server binaries are not installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* The request table below lists positional fields and leaves the rest out. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "cluster.h"
#include "config.h"
#include "instance.h"
#include "pg_engine.h"
#include "pq.h"
#include "rest.h"
#include "runtime.h"
#include "scenario.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ANON_KEY                                                                                   \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleH"  \
    "AiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
#define SERVICE_KEY                                                                                \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm"  \
    "9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU"

/* The memory side: the default project (keys, gateway) plus `items`. */
static const char SCENARIO[] =
    "{\"name\": \"diff\", \"extends\": \"default\", \"clock\": \"2026-01-01T00:00:00Z\","
    " \"postgrest\": {\"db_schemas\": [\"public\"]},"
    " \"tables\": {\"items\": {\"columns\": ["
    "   {\"name\": \"id\", \"type\": \"integer\", \"primary_key\": true},"
    "   {\"name\": \"name\", \"type\": \"text\", \"nullable\": false, \"unique\": true},"
    "   {\"name\": \"qty\", \"type\": \"integer\"},"
    "   {\"name\": \"price\", \"type\": \"numeric\"},"
    "   {\"name\": \"tags\", \"type\": \"text[]\"},"
    "   {\"name\": \"meta\", \"type\": \"jsonb\"}],"
    "  \"rls\": true,"
    "  \"policies\": ["
    "   {\"name\": \"read\", \"command\": \"select\", \"roles\": [\"anon\"], \"using\": \"true\"},"
    "   {\"name\": \"add\", \"command\": \"insert\", \"roles\": [\"anon\"],"
    "    \"with_check\": \"qty >= 0\"}],"
    "  \"rows\": ["
    "   {\"id\": 1, \"name\": \"apple\", \"qty\": 5, \"price\": 1.5, \"tags\": [\"fruit\"],"
    "    \"meta\": {\"n\": 2, \"color\": \"red\"}},"
    "   {\"id\": 2, \"name\": \"pear\", \"qty\": 1, \"price\": 2.25, \"tags\": []},"
    "   {\"id\": 3, \"name\": \"banana\", \"qty\": null, \"price\": 0.5, \"tags\": [\"fruit\", "
    "\"yellow\"]}]}}}";

/* The database side: the same, as a migration. */
static const char DDL[] =
    "set role postgres;"
    "create table public.items (id integer primary key, name text not null unique,"
    "  qty integer, price numeric, tags text[], meta jsonb);"
    "alter table public.items enable row level security;"
    "create policy read on public.items for select to anon using (true);"
    "create policy add on public.items for insert to anon with check (qty >= 0);"
    "insert into public.items values (1, 'apple', 5, 1.5, '{fruit}', '{\"n\": 2, \"color\": "
    "\"red\"}'), (2, 'pear', 1, 2.25, '{}', null),"
    "  (3, 'banana', null, 0.5, '{fruit,yellow}', null);"
    "create table public.events (id int primary key,"
    "  method text default current_setting('request.method', true),"
    "  path text default current_setting('request.path', true),"
    "  agent text default current_setting('request.headers', true)::json->>'user-agent',"
    "  who text default current_setting('request.jwt.claims', true)::json->>'role');"
    "create function public.events_guc() returns trigger language plpgsql as $$ begin"
    "  perform set_config('response.status', '202', true);"
    "  perform set_config('response.headers',"
    "    '[{\"X-Made\": \"yes\"}, {\"content-type\": \"text/plain\"}]', true);"
    "  return new; end $$;"
    "create trigger events_guc before insert on public.events"
    "  for each row execute function public.events_guc();"
    "reset role;";

static char tmp_root[64];
static pg_cluster_t *cluster;
static engine_t *pg;
static struct uv_loop_s *loop; /* for pg_async's connections */
static engine_t *pg_async;     /* the same database, on the loop */
static scenario_t *sc;
static instance_t *inst;

static bool server_installed(void)
{
    const char *dir = getenv("SUPAMOCK_PG_BINDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/postgres", dir ? dir : "/usr/lib/postgresql/15/bin");
    return access(path, X_OK) == 0;
}

static int group_setup(void **state)
{
    (void)state;
    if (!server_installed())
        return 0;
    scenario_error_t serr;
    memset(&serr, 0, sizeof serr);
    if (scenario_load_text("diff.json", SCENARIO, strlen(SCENARIO), &sc, &serr) != 0 ||
        instance_new(sc, NULL, &inst, &serr) != 0) {
        fprintf(stderr, "scenario: %s\n", serr.message);
        return -1;
    }
    snprintf(tmp_root, sizeof tmp_root, "/tmp/supamock-test-XXXXXX");
    if (!mkdtemp(tmp_root) || chmod(tmp_root, 0755) < 0)
        return -1;
    pg_cluster_options_t opt = {0};
    opt.tmp_dir = tmp_root;
    char err[PG_CLUSTER_ERR_MAX] = "";
    if (pg_cluster_start(&opt, &cluster, err) != 0) {
        fprintf(stderr, "pg_cluster_start: %s\n", err);
        return -1;
    }
    const pq_api_t *pq = pq_load(err, sizeof err);
    if (!pq)
        return -1;
    char *su = pg_cluster_conninfo(cluster, NULL);
    PGconn *c = pq->connectdb(su);
    free(su);
    PGresult *r = pq->exec(c, DDL);
    bool ok = pq->result_status(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "DDL: %s\n", pq->result_error_message(r));
    pq->clear(r);
    pq->finish(c);
    if (!ok)
        return -1;
    char *auth = pg_cluster_conninfo(cluster, "authenticator");
    char *owner = pg_cluster_conninfo(cluster, "postgres");
    const char *schemas[] = {"public"};
    pg_engine_options_t eo = {.conninfo = auth,
                              .owner_conninfo = owner,
                              .schemas = schemas,
                              .schema_count = 1,
                              .extra_search_path = "public, extensions",
                              .pool_size = 1};
    pg = pg_engine_new(&eo, err, sizeof err);
    /* Made blocking, as an instance is before the server's loop exists, then
     * moved onto the loop. */
    loop = runtime_loop_new();
    pg_async = pg_engine_new(&eo, err, sizeof err);
    if (pg_async && pg_engine_attach_loop(pg_async, loop, err, sizeof err) < 0) {
        fprintf(stderr, "pg_engine_attach_loop: %s\n", err);
        return -1;
    }
    free(auth);
    free(owner);
    if (!pg || !pg_async) {
        fprintf(stderr, "pg_engine_new: %s\n", err);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    engine_free(pg);
    engine_free(pg_async);
    if (loop && runtime_loop_free(loop, 5000) != 0)
        return -1;
    instance_free(inst);
    scenario_free(sc);
    if (cluster)
        pg_cluster_stop(cluster, NULL);
    if (tmp_root[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
        if (system(cmd) != 0)
            return -1;
    }
    return 0;
}

typedef struct req {
    const char *method;
    const char *path; /* after /rest/v1/ */
    const char *query;
    const char *prefer;
    const char *accept;
    const char *body;
    const char *key;   /* apikey (and Bearer) */
    const char *agent; /* User-Agent */
} req_t;

static int deferred; /* answers that came later */

static void on_then(void *arg, mock_response_t *resp)
{
    (void)resp;
    *(bool *)arg = true;
}

/* status, headers (sorted by nothing: in the order written) but Date, body */
static void answer(engine_t *e, const req_t *r, buf_t *out)
{
    arena_t *arena = arena_new();
    mock_header_t headers[8];
    size_t n = 0;
    headers[n++] = (mock_header_t){"apikey", r->key ? r->key : ANON_KEY};
    headers[n++] = (mock_header_t){"authorization",
                                   arena_sprintf(arena, "Bearer %s", r->key ? r->key : ANON_KEY)};
    if (r->prefer)
        headers[n++] = (mock_header_t){"prefer", r->prefer};
    if (r->accept)
        headers[n++] = (mock_header_t){"accept", r->accept};
    if (r->body)
        headers[n++] = (mock_header_t){"content-type", "application/json"};
    if (r->agent)
        headers[n++] = (mock_header_t){"user-agent", r->agent};
    mock_request_t req = {.arena = arena,
                          .method = r->method,
                          .target = "",
                          .path = arena_sprintf(arena, "/rest/v1/%s", r->path),
                          .query = r->query ? r->query : "",
                          .headers = headers,
                          .header_count = n,
                          .body = r->body ? r->body : "",
                          .body_len = r->body ? strlen(r->body) : 0,
                          .keep_alive = true,
                          .http_minor = 1};
    rest_env_t env = {.sc = sc,
                      .engine = e,
                      .jwt_cache = instance_jwt_cache(inst),
                      .now_us = instance_now_us(inst),
                      .http_date = instance_http_date(inst)};
    mock_response_t resp;
    mock_response_init(&resp);
    rest_handle(&env, &req, r->path, &resp);
    if (mock_response_pending(&resp)) {
        /* The engine on the loop answers later (deferred response). */
        deferred++;
        bool completed = false;
        mock_response_then(&resp, on_then, &completed);
        assert_int_equal(runtime_loop_run_until(loop, &completed, 10000), 0);
    }
    buf_printf(out, "%d\n", resp.status);
    for (size_t i = 0; i < resp.header_count; i++)
        if (strcmp(resp.headers[i].name, "Date") != 0)
            buf_printf(out, "%s: %s\n", resp.headers[i].name, resp.headers[i].value);
    /* A HEAD answer's body bytes never reach the wire (omit_body). */
    buf_printf(out, "\n%s", resp.omit_body ? "(omitted)" : buf_cstr(&resp.body));
    mock_response_dispose(&resp);
    arena_free(arena);
}

static void same_on(engine_t *e, const req_t *r)
{
    buf_t mem, db;
    buf_init(&mem);
    buf_init(&db);
    answer(instance_engine(inst), r, &mem);
    answer(e, r, &db);
    if (strcmp(buf_cstr(&mem), buf_cstr(&db)) != 0)
        fail_msg("%s /%s?%s\n--- memory\n%s\n--- postgres\n%s", r->method, r->path,
                 r->query ? r->query : "", buf_cstr(&mem), buf_cstr(&db));
    buf_dispose(&mem);
    buf_dispose(&db);
}

static void same(const req_t *r)
{
    same_on(pg, r);
}

#define NEED_SERVER()                                                                              \
    do {                                                                                           \
        if (!cluster)                                                                              \
            skip();                                                                                \
    } while (0)

static void test_reads(void **state)
{
    (void)state;
    NEED_SERVER();
    same(&(req_t){"GET", "items", "order=id"});
    same(&(req_t){"GET", "items", "select=id,name&qty=gt.1&order=name.desc"});
    same(&(req_t){"GET", "items", "select=id&order=id&limit=2&offset=1", "count=exact"});
    same(&(req_t){"GET", "items", "select=id,label:name&or=(qty.lt.2,name.eq.banana)&order=id"});
    same(&(req_t){"GET", "items", "select=name&name=like.*an*&order=id"});
    same(&(req_t){"GET", "items", "select=id&tags=cs.{fruit}&order=qty.desc.nullsfirst"});
    same(&(req_t){"GET", "items", "id=eq.2", NULL, "application/vnd.pgrst.object+json"});
    same(&(req_t){"GET", "items", "select=id,name&order=id", NULL, "text/csv"});
    same(&(req_t){"GET", "items", "select=id&id=in.(1,3)&order=id.desc"});
    same(&(req_t){"GET", "items", "select=id,qty&qty=is.null"});
    same(&(req_t){"GET", "items", "select=id&qty=not.eq.5&order=id"});
    same(&(req_t){"GET", "items", "select=id,qty::text,price&order=price.asc"});
    same(&(req_t){"GET", "items", "order=id&offset=5", "count=exact"});
    same(&(req_t){"GET", "items", "select=id,qty&order=id", NULL,
                  "application/vnd.pgrst.array+json;nulls=stripped"});
    same(&(req_t){"GET", "items", "select=id&not.or=(id.eq.1,id.eq.2)"});
    same(&(req_t){"HEAD", "items", "order=id", "count=exact"});
    same(&(req_t){"GET", "items", "select=id,meta->>color,n:meta->n&meta->n=gt.1"});
    same(&(req_t){"GET", "items", "select=id,meta&order=meta->n.desc.nullslast,id"});
    same(&(req_t){"GET", "items", "select=id&meta->>color=eq.red"});
}

static void test_read_errors(void **state)
{
    (void)state;
    NEED_SERVER();
    same(&(req_t){"GET", "items", "select=nope"});
    same(&(req_t){"GET", "items", "id=eq.x"});
    same(&(req_t){"GET", "items", "order=id", NULL, "application/vnd.pgrst.object+json"});
}

static void test_writes(void **state)
{
    (void)state;
    NEED_SERVER();
    same(&(req_t){"POST", "items", NULL, "return=representation", NULL,
                  "{\"id\":10,\"name\":\"kiwi\",\"qty\":3,\"price\":1.10,\"tags\":[\"green\"]}"});
    same(&(req_t){"POST", "items", NULL, NULL, NULL, "{\"id\":10,\"name\":\"kiwi2\",\"qty\":3}"});
    same(&(req_t){"POST", "items", NULL, NULL, NULL, "{\"id\":11,\"name\":\"fig\",\"qty\":-1}"});
    same(&(req_t){"POST", "items", NULL, "return=headers-only", NULL,
                  "{\"id\":12,\"name\":\"lime\",\"qty\":2}"});
    same(&(req_t){"PATCH", "items", "id=eq.10", "return=representation", NULL, "{\"qty\":4}",
                  SERVICE_KEY});
    same(&(req_t){
        "POST", "items", NULL, "resolution=merge-duplicates,return=representation", NULL,
        "[{\"id\":10,\"name\":\"kiwi\",\"qty\":7},{\"id\":13,\"name\":\"plum\",\"qty\":1}]",
        SERVICE_KEY});
    same(&(req_t){"PUT", "items", "id=eq.2", "return=representation", NULL,
                  "{\"id\":2,\"name\":\"pear\",\"qty\":9,\"price\":null,\"tags\":null}",
                  SERVICE_KEY});
    same(&(req_t){"DELETE", "items", NULL, NULL, NULL, NULL, SERVICE_KEY});
    same(&(req_t){"DELETE", "items", "id=gte.10", "return=representation,count=exact", NULL, NULL,
                  SERVICE_KEY});
    same(&(req_t){"POST", "items", "columns=id,name,qty&select=id,qty,tags",
                  "return=representation,missing=default", NULL,
                  "[{\"id\":20,\"name\":\"a\"},{\"id\":21,\"name\":\"b\",\"qty\":2}]"});
    same(&(req_t){"PATCH", "items", "id=gte.20", "handling=strict,max-affected=1", NULL,
                  "{\"qty\":0}", SERVICE_KEY});
    same(&(req_t){"PATCH", "items", "id=gte.20", "return=minimal,count=exact", NULL, "{\"qty\":0}",
                  SERVICE_KEY});
    same(&(req_t){"POST", "items", NULL, NULL, NULL, "{\"id\":40,\"nope\":1}"});
    same(&(req_t){"POST", "items", NULL, NULL, NULL, "[{\"id\":40,\"name\":\"x\"},{\"id\":41}]"});
    same(&(req_t){"PUT", "items", "name=eq.pear", NULL, NULL, "{\"id\":2,\"name\":\"pear\"}",
                  SERVICE_KEY});
    same(&(req_t){"PUT", "items", "id=eq.2", NULL, NULL, "{\"id\":3,\"name\":\"pear\"}",
                  SERVICE_KEY});
    /* (PATCH of several rows with Accept: vnd.pgrst.object+json and no
     * return=representation is left out: PostgREST answers PGRST116, see
     * test_pg_engine.c; the memory engine answers 204.) */
    same(&(req_t){"PATCH", "items", "id=eq.1", NULL, NULL, "{\"name\":\"pear\"}", SERVICE_KEY});
    same(&(req_t){"POST", "items", "columns=id,name", "return=representation", NULL,
                  "{\"id\":42,\"name\":\"yuzu\",\"qty\":99}"});
    same(&(req_t){"POST", "items", "on_conflict=name&select=id,name,qty",
                  "resolution=merge-duplicates,return=representation", NULL,
                  "{\"id\":50,\"name\":\"yuzu\",\"qty\":5}", SERVICE_KEY});
    same(&(req_t){"POST", "items", NULL, "resolution=ignore-duplicates", NULL,
                  "{\"id\":42,\"name\":\"other\",\"qty\":5}", SERVICE_KEY});
    same(&(req_t){"POST", "items", "select=id,name", "return=representation", "text/csv",
                  "[{\"id\":51,\"name\":\"c1\"},{\"id\":52,\"name\":\"c2\"}]", SERVICE_KEY});
    same(&(req_t){"DELETE", "items", "id=gt.50", "return=representation",
                  "application/vnd.pgrst.object+json", NULL, SERVICE_KEY});
    same(&(req_t){"GET", "items", "order=id"});
}

/* Not differential: what only the database engine has. The transaction
 * variables a default or a trigger reads (request.method, request.path,
 * request.headers, request.jwt.claims: PreQuery.hs) and response.status /
 * response.headers set by a trigger (Response.hs overrideStatusHeaders: the
 * GUC's status wins, its headers replace the answer's of the same name).
 * The trigger is BEFORE INSERT: an AFTER trigger fires once the statement,
 * and so the reading of the GUCs, is over, on PostgREST as here. */
static void test_database_only(void **state)
{
    (void)state;
    NEED_SERVER();
    buf_t out;
    buf_init(&out);
    answer(pg,
           &(req_t){"POST", "events", NULL, "return=representation", NULL, "{\"id\":1}",
                    SERVICE_KEY, "diff-test/1.0"},
           &out);
    assert_string_equal(buf_cstr(&out),
                        "202\n"
                        "Server: postgrest/14.5\n"
                        "Content-Range: */*\n"
                        "Preference-Applied: return=representation\n"
                        "X-Made: yes\n"
                        "content-type: text/plain\n"
                        "\n"
                        "[{\"id\":1,\"method\":\"POST\",\"path\":\"/events\",\"agent\":"
                        "\"diff-test/1.0\",\"who\":\"service_role\"}]");
    buf_dispose(&out);
}

/* The same through the engine on the event loop: rest_handle defers the
 * response and completes it from the engine's callback. */
static void test_on_the_loop(void **state)
{
    (void)state;
    NEED_SERVER();
    int before = deferred;
    same_on(pg_async, &(req_t){"GET", "items", "select=id,name&order=id", "count=exact"});
    same_on(pg_async, &(req_t){"POST", "items", NULL, "return=representation", NULL,
                               "{\"id\":30,\"name\":\"date\",\"qty\":1}"});
    same_on(pg_async, &(req_t){"GET", "items", "id=eq.x"});
    same_on(pg_async, &(req_t){"DELETE", "items", "id=eq.30", NULL, NULL, NULL, SERVICE_KEY});
    /* All four waited for the loop (the 22P02 is the server's answer too). */
    assert_int_equal(deferred - before, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads),       cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_writes),      cmocka_unit_test(test_database_only),
        cmocka_unit_test(test_on_the_loop),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
