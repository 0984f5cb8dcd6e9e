"""The database engine end to end: --db postgres and --project DIR.

Project folders from tests/fixtures/projects load as `supabase db reset` builds
them (migrations in filename order, then seed.sql: supabase/cli
pkg/migration), their tables answer through /rest/v1 with the rows the seed
and the project's own trigger made, row-level security decides as Postgres
does, a failing migration stops the start with FILE:LINE:COL and Postgres's
message, /__mock/reset restores the loaded state from the template database,
and /__mock/sql runs any SQL there. Expected rows and errors are what
PostgreSQL 15 itself answers for the same SQL (the fixtures' migrations);
PGRST205 and its message come from PostgREST's Error.hs (SchemaCacheErr
TableNotFound). The shipped JSON scenarios load on this engine too.
"""

import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import Supamock, binary, source_dir
from test_scenarios import SERVICE, ANON, JSON_CT, mint, T0

PG_BIN = "/usr/lib/postgresql/15/bin/postgres"
PROJECTS = os.path.join(source_dir(), "tests", "fixtures", "projects")
JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"

# A cluster start is a few hundred milliseconds warm, seconds cold (initdb
# into the template cache) or on a loaded machine.
READY = 120.0


def project(name):
    return os.path.join(PROJECTS, name)


def token(sub):
    """A user access token shaped like GoTrue's, valid for a long while."""
    now = int(time.time())
    return mint({"aud": "authenticated", "exp": now + 3600, "iat": now, "sub": sub,
                 "role": "authenticated", "aal": "aal1", "is_anonymous": False}, JWT_SECRET)


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class ProjectFolders(unittest.TestCase):
    def get(self, mock, path, key=SERVICE, bearer=None, **headers):
        h = {"apikey": key, "Authorization": "Bearer " + (bearer or key)}
        h.update(headers)
        status, _, _, body = mock.request("GET", path, headers=h)
        return status, json.loads(body) if body else None

    def sql(self, mock, text):
        status, _, _, body = mock.request("POST", "/__mock/sql", body=json.dumps({"sql": text}),
                                          headers={"Content-Type": JSON_CT})
        return status, json.loads(body)

    def test_profiles_trigger_rows(self):
        with Supamock("--project", project("profiles"), ready_timeout=READY) as mock:
            status, rows = self.get(mock, "/rest/v1/profiles?select=full_name,username&order=full_name")
            self.assertEqual(status, 200)
            # seed.sql inserts two auth users; handle_new_user made their profiles.
            self.assertEqual(rows, [{"full_name": "Ada Lovelace", "username": "ada"},
                                    {"full_name": "Alan Turing", "username": None}])
            # "Public profiles are viewable by everyone.": anon sees them too.
            status, rows = self.get(mock, "/rest/v1/profiles?select=username&username=eq.ada",
                                    key=ANON)
            self.assertEqual((status, rows), (200, [{"username": "ada"}]))
            mock.assert_healthy(self)

    def test_todos_rls_and_reset(self):
        user = "d0d0d0d0-0000-4000-8000-000000000001"
        with Supamock("--project", project("todos"), ready_timeout=READY) as mock:
            status, rows = self.get(mock, "/rest/v1/todos?select=task&order=id", key=ANON)
            # RLS: auth.uid() is null for anon, so no row passes the policy.
            self.assertEqual((status, rows), (200, []))
            status, rows = self.get(mock, "/rest/v1/todos?select=task&order=id", key=ANON,
                                    bearer=token(user))
            self.assertEqual(rows, [{"task": "Write the migration"}, {"task": "Seed the database"}])
            status, body = self.sql(mock, "delete from todos")
            self.assertEqual(status, 200)
            self.assertEqual(body, {"results": [{"command": "DELETE 2"}]})
            status, rows = self.get(mock, "/rest/v1/todos?select=task")
            self.assertEqual(rows, [])
            t0 = time.monotonic()
            status, _, _, _ = mock.request("POST", "/__mock/reset", body="{}",
                                           headers={"Content-Type": JSON_CT})
            elapsed = time.monotonic() - t0
            self.assertEqual(status, 200)
            print("\n/__mock/reset on the database engine: %.0f ms" % (elapsed * 1000))
            self.assertLess(elapsed, 5.0)  # a clone of the template; well under 1 s unloaded
            status, rows = self.get(mock, "/rest/v1/todos?select=task&order=id")
            self.assertEqual(len(rows), 2)

    def test_admin_tables_and_a_slow_sql_on_the_database(self):
        user = "d0d0d0d0-0000-4000-8000-000000000001"
        with Supamock("--project", project("todos"), ready_timeout=READY) as mock:
            # /__mock/tables reads the database, ignoring RLS (as its owner).
            status, _, _, body = mock.request("GET", "/__mock/tables/todos")
            rows = json.loads(body)
            self.assertEqual(status, 200)
            self.assertEqual([(r["id"], r["task"], r["is_complete"]) for r in rows],
                             [(1, "Write the migration", True), (2, "Seed the database", False)])
            # PUT replaces the rows in one transaction; /rest/v1 sees them.
            new = [{"id": 7, "user_id": user, "task": "Only this one", "is_complete": False,
                    "inserted_at": "2024-01-01T00:00:00+00:00"}]
            status, _, _, body = mock.request("PUT", "/__mock/tables/public.todos",
                                              body=json.dumps(new),
                                              headers={"Content-Type": JSON_CT})
            self.assertEqual(status, 200, body)
            self.assertEqual([r["task"] for r in json.loads(body)], ["Only this one"])
            status, rows = self.get(mock, "/rest/v1/todos?select=id,task", key=ANON,
                                    bearer=token(user))
            self.assertEqual(rows, [{"id": 7, "task": "Only this one"}])
            # Postgres decides: a duplicate key is 23505 (409), the check
            # constraint 23514 (409), an unknown relation 42P01 (404); the
            # failed PUT left the table as it was.
            for rows_, status_, code in [(new + new, 409, "23505"),
                                         ([dict(new[0], task="no")], 409, "23514")]:
                status, _, _, body = mock.request("PUT", "/__mock/tables/todos",
                                                  body=json.dumps(rows_),
                                                  headers={"Content-Type": JSON_CT})
                self.assertEqual((status, json.loads(body)["code"]), (status_, code), body)
            status, _, _, body = mock.request("GET", "/__mock/tables/nope")
            self.assertEqual((status, json.loads(body)["error"]),
                             (404, 'relation "public.nope" does not exist'))
            status, _, _, body = mock.request("GET", "/__mock/tables/todos")
            self.assertEqual([r["id"] for r in json.loads(body)], [7])

            # A slow /__mock/sql runs on the loop like the engine's statements:
            # /rest/v1 answers while it sleeps.
            import threading
            done = {}

            def slow():
                done["sql"] = self.sql(mock, "select pg_sleep(2) as slept")
                done["sql_at"] = time.monotonic()

            t = threading.Thread(target=slow)
            t0 = time.monotonic()
            t.start()
            time.sleep(0.3)
            status, rows = self.get(mock, "/rest/v1/todos?select=id")
            rest_at = time.monotonic()
            t.join()
            self.assertEqual((status, rows), (200, [{"id": 7}]))
            self.assertEqual(done["sql"], (200, {"results": [{"command": "SELECT 1",
                                                                "rows": [{"slept": ""}]}]}))
            self.assertLess(rest_at, done["sql_at"])
            self.assertGreater(done["sql_at"] - t0, 1.9)

    def test_multi_schema_views(self):
        with Supamock("--project", project("multi-schema"), ready_timeout=READY) as mock:
            status, rows = self.get(mock, "/rest/v1/products?select=name,tags&order=id",
                                    **{"Accept-Profile": "api"})
            self.assertEqual(status, 200)
            self.assertEqual(rows, [{"name": "Widget", "tags": ["tools"]},
                                    {"name": "Gadget", "tags": ["tools", "gifts"]},
                                    {"name": "Gizmo", "tags": []}])
            status, rows = self.get(mock, "/rest/v1/order_totals?select=name,total_cents&order=id",
                                    **{"Accept-Profile": "api"})
            self.assertEqual(rows, [{"name": "Widget", "total_cents": 3000},
                                    {"name": "Gadget", "total_cents": 2500}])

    def test_roles_a_migration_may_create(self):
        # CREATE ROLE, GRANT role and ALTER ROLE ... SET pgrst.* run as on
        # Supabase; the role answers a JWT that names it, and PostgREST's
        # db-max-rows from the role setting caps the read (Config.hs reads
        # pgrst.* settings of the authenticator role).
        with Supamock("--project", project("roles"), ready_timeout=READY) as mock:
            bearer = mint({"role": "reporting", "exp": int(time.time()) + 3600}, JWT_SECRET)
            status, rows = self.get(mock, "/rest/v1/sales?order=id", key=ANON, bearer=bearer)
            self.assertEqual((status, rows), (200, [{"id": 1, "amount_cents": 1250}]))
            status, body = self.sql(mock, "select rolcreaterole, rolsuper from pg_roles "
                                          "where rolname = 'reporting'")
            self.assertEqual(body["results"][0]["rows"],
                             [{"rolcreaterole": False, "rolsuper": False}])

    def test_sql_and_the_schema_cache(self):
        with Supamock("--db", "postgres", ready_timeout=READY) as mock:
            status, body = self.sql(mock, "create table public.late (id int); "
                                          "insert into public.late values (1)")
            self.assertEqual(status, 200)
            self.assertEqual([r["command"] for r in body["results"]], ["CREATE TABLE", "INSERT 0 1"])
            # Created after the schema cache was loaded: PGRST205 until a reload.
            status, err = self.get(mock, "/rest/v1/late")
            self.assertEqual(status, 404)
            self.assertEqual(err["code"], "PGRST205")
            status, body = self.sql(mock, "notify pgrst, 'reload schema'")
            self.assertEqual(status, 200)
            status, rows = self.get(mock, "/rest/v1/late")
            self.assertEqual((status, rows), (200, [{"id": 1}]))
            # A Postgres error: its SQLSTATE, message and 1-based position.
            status, body = self.sql(mock, "select * from nowhere")
            self.assertEqual(status, 400)
            self.assertEqual(body["code"], "42P01")
            self.assertEqual(body["error"], 'relation "nowhere" does not exist')
            self.assertEqual(body["position"], 15)

    def test_json_scenarios_on_the_database(self):
        with Supamock("--db", "postgres", "--scenario", "table-not-in-cache",
                      ready_timeout=READY) as mock:
            status, rows = self.get(mock, "/rest/v1/profiles?select=email")
            self.assertEqual((status, rows), (200, [{"email": "demo@example.com"}]))
            # image_generations exists (created after the cache was loaded)...
            status, body = self.sql(mock, "select count(*) as n from image_generations")
            self.assertEqual(body["results"][0]["rows"], [{"n": 0}])
            # ...but PostgREST has not seen it.
            status, err = self.get(mock, "/rest/v1/image_generations")
            self.assertEqual(status, 404)
            self.assertEqual(err["code"], "PGRST205")
            status, _, _, _ = mock.request("POST", "/__mock/reload-schema", body="{}",
                                           headers={"Content-Type": JSON_CT})
            status, rows = self.get(mock, "/rest/v1/image_generations")
            self.assertEqual((status, rows), (200, []))


    def test_existing_server_and_sessions(self):
        """--db postgres://...: a private database on a server that has Supabase's
        roles (here the cluster of another supamock), dropped on exit."""
        tmp = tempfile.mkdtemp(prefix="supamock-e2e-")
        os.chmod(tmp, 0o755)  # run as root, the server's own user must traverse it
        try:
            with Supamock("--db", "postgres", env={"TMPDIR": tmp}, ready_timeout=READY) as server:
                run = glob.glob(os.path.join(tmp, "supamock-pg-*", "run"))
                self.assertEqual(len(run), 1)
                url = "postgresql://supabase_admin@/postgres?host=" + run[0]
                names = "select string_agg(datname, ',' order by datname) as d from pg_database"
                with Supamock("--db", url, "--project", project("todos"),
                              ready_timeout=READY) as mock:
                    status, rows = self.get(mock, "/rest/v1/todos?select=task&order=id")
                    self.assertEqual((status, len(rows)), (200, 2))
                    # A session clones the template into a database of its own.
                    status, _, _, body = mock.request("POST", "/__mock/sessions", body="{}",
                                                      headers={"Content-Type": JSON_CT})
                    self.assertEqual(status, 201, body)
                    sid = json.loads(body)["id"]
                    status, body = self.sql(server, names)
                    dbs = body["results"][0]["rows"][0]["d"].split(",")
                    self.assertEqual(len([d for d in dbs if d.startswith("supamock_%d_" % mock.proc.pid)]), 3)
                    status, _, _, _ = mock.request(
                        "POST", "/s/%s/__mock/sql" % sid, body=json.dumps({"sql": "delete from todos"}),
                        headers={"Content-Type": JSON_CT})
                    status, rows = self.get(mock, "/s/%s/rest/v1/todos" % sid)
                    self.assertEqual(rows, [])
                    status, rows = self.get(mock, "/rest/v1/todos?select=id")
                    self.assertEqual(len(rows), 2)  # the root's database is untouched
                    pid = mock.proc.pid
                status, body = self.sql(server, names)
                self.assertNotIn("supamock_%d_" % pid, body["results"][0]["rows"][0]["d"])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class LoadErrors(unittest.TestCase):
    def run_mock(self, *args):
        return subprocess.run([binary(), "--port", "0"] + list(args), cwd=source_dir(),
                              capture_output=True, text=True, timeout=READY)

    def test_failing_migration(self):
        r = self.run_mock("--project", project("broken-migration"))
        self.assertEqual(r.returncode, 2, r.stderr)
        # Postgres places the error at "titel": line 5, column 8 of the file.
        self.assertIn("20240402000000_broken.sql:5:8:", r.stderr)
        self.assertIn('column "titel" of relation "notes" does not exist', r.stderr)

    def test_missing_extension(self):
        r = self.run_mock("--project", project("missing-extension"))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("20240501000000_cron.sql:2:1:", r.stderr)
        self.assertIn("postgresql-15-cron", r.stderr)

    def test_no_way_to_superuser_power(self):
        # On PostgreSQL 15 a CREATEROLE role may grant itself
        # pg_execute_server_program and run programs as the server's OS user;
        # `postgres` here has no CREATEROLE and the gate (pg_gate.c) refuses
        # to run such a grant as the superuser, so Postgres answers as it
        # does a role without the ADMIN option (its message, 42501).
        with tempfile.TemporaryDirectory() as tmp:
            marker = os.path.join(tmp, "ran")
            os.makedirs(os.path.join(tmp, "supabase", "migrations"))
            attempts = [
                ("grant pg_execute_server_program to postgres;\n",
                 'must have admin option on role "pg_execute_server_program"'),
                ("alter role postgres createrole /* set pgrst.x */;\n",
                 "must be superuser to alter replication roles or change replication attribute"),
                ("create role sneaky superuser;\n", "must be superuser to create superusers"),
                ("copy (select 1) to '%s';\n" % marker,
                 "must be superuser or have privileges of the pg_write_server_files role"),
            ]
            for sql, message in attempts:
                with open(os.path.join(tmp, "supabase", "migrations", "1_attempt.sql"), "w") as f:
                    f.write("create table t (id int);\n" + sql +
                            "copy (select 1) to program 'touch %s';\n" % marker)
                r = self.run_mock("--project", tmp)
                self.assertEqual(r.returncode, 2, (sql, r.stderr))
                self.assertIn("1_attempt.sql:2:1: ERROR: " + message, r.stderr)
                self.assertFalse(os.path.exists(marker), sql)

    def test_validate_folders(self):
        r = subprocess.run([binary(), "validate", project("todos"), project("broken-migration")],
                           cwd=source_dir(), capture_output=True, text=True, timeout=READY)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(project("todos") + ": ok (1 migrations and 1 seed files on PostgreSQL)",
                      r.stdout)
        self.assertIn("20240402000000_broken.sql:5:8: ERROR:", r.stderr)

    def test_flags(self):
        for args, text in [(["--db", "mysql"], "--db must be memory, postgres or a postgres:// URL"),
                           (["--project", project("todos"), "--scenario", "default"],
                            "--project and --scenario exclude each other"),
                           (["--project", PROJECTS], "not a Supabase project folder")]:
            r = self.run_mock(*args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(text, r.stderr)


if __name__ == "__main__":
    unittest.main()
