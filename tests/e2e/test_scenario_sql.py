"""A scenario whose schema is SQL ("sql": [files]) on the memory engine:
the Supabase starters' migrations (tests/fixtures/sql-scenario) read by
Postgres's own parser (libpg_query). Expected errors are PostgreSQL 15's own
texts (the same statements in psql) wrapped by PostgREST as Error.hs does;
what the memory engine does not run is said at load, file:line:col, never
silently.

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_scenario_sql.py
"""

import os
import shutil
import subprocess
import tempfile
import unittest

from harness import Supamock, binary, source_dir
from test_scenarios import ANON, DEMO_USER, SERVICE, Client, error, user_token

FIXTURE = os.path.join(source_dir(), "tests", "fixtures", "sql-scenario")
SCENARIO = os.path.join(FIXTURE, "scenario.json")
MIGRATION = "supabase/migrations/20240101000000_init.sql"


def validate(path):
    p = subprocess.run([binary(), "validate", path], capture_output=True, text=True, cwd=FIXTURE)
    return p.returncode, p.stdout, p.stderr


class LoadTest(unittest.TestCase):
    def test_validate_lists_what_the_memory_engine_skips(self):
        rc, out, err = validate("scenario.json")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "scenario.json: ok\n")
        # The function and trigger of handle_new_user run on the memory
        # engine (PL/pgSQL, a row trigger on auth.users): nothing to say.
        self.assertNotIn("handle_new_user", err)
        self.assertNotIn("on_auth_user_created", err)
        # char_length is not among the memory engine's functions: the CHECK is
        # left out and said so, at the constraint.
        self.assertIn(MIGRATION + ":12:4: note: column \"id\" check: function char_length(text) "
                      "does not exist (CHECK constraint of column id: not run by the memory "
                      "engine; runs on --db postgres)", err)
        self.assertEqual(len(err.splitlines()), 2, err)

    def copy_fixture(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        shutil.copytree(FIXTURE, os.path.join(d, "p"))
        return os.path.join(d, "p")

    def test_syntax_error_is_postgres_message_at_file_line_col(self):
        d = self.copy_fixture()
        with open(os.path.join(d, "supabase", "migrations", "20240103000000_bad.sql"), "w") as f:
            f.write("-- a typo\nalter table todos\n  add colum done boolean;\n")
        rc, _, err = validate(os.path.join(d, "scenario.json"))
        self.assertEqual(rc, 2)
        # psql: ERROR:  syntax error at or near "boolean", LINE 2: add colum done boolean;
        self.assertIn("supabase/migrations/20240103000000_bad.sql:3:18: syntax error at or near "
                      "\"boolean\"", err)

    def test_sql_outside_the_scenario_folder_is_refused(self):
        d = self.copy_fixture()
        outside = tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False)
        outside.write("create table x (id int);\n")
        outside.close()
        self.addCleanup(os.unlink, outside.name)
        with open(os.path.join(d, "scenario.json"), "w") as f:
            f.write('{"name": "x", "sql": ["../../%s"]}' % os.path.relpath(outside.name, "/"))
        rc, _, err = validate(os.path.join(d, "scenario.json"))
        self.assertEqual(rc, 2)
        self.assertIn("is outside this scenario's folder", err)
        with open(os.path.join(d, "scenario.json"), "w") as f:
            f.write('{"name": "x", "sql": ["%s"]}' % outside.name)
        rc, _, err = validate(os.path.join(d, "scenario.json"))
        self.assertEqual(rc, 2)
        self.assertIn("paths relative to the scenario file", err)


class ServeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--scenario", SCENARIO, cwd=FIXTURE).start()
        cls.c = Client(cls.mock)

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def test_seed_rows_and_a_permissive_select_policy(self):
        # "Public profiles are viewable by everyone." using (true): anon reads.
        st, _, _, body = self.c.rest("GET", "profiles?select=id,username,quota", key=ANON)
        self.assertEqual((st, body), (200, b'[{"id":"%s","username":"demo","quota":5}]'
                                            % DEMO_USER.encode()))

    def test_revoke_delete_from_anon(self):
        # REVOKE DELETE ON todos FROM anon: Postgres's 42501, PostgREST's 401
        # for anon (Error.hs: an anonymous role's permission error).
        st, _, _, body = self.c.rest("DELETE", "todos?id=eq.1", key=ANON)
        self.assertEqual(st, 401)
        self.assertEqual(body, error("42501", "permission denied for table todos", None,
                                     "Grant the required privileges to the current role with: "
                                     "GRANT DELETE ON public.todos TO anon;"))

    def test_identity_enum_and_defaults_from_sql(self):
        token = user_token()
        st, _, _, body = self.c.rest(
            "POST", "todos?select=id,task,state,is_complete,priority,inserted_at",
            {"user_id": DEMO_USER, "task": "write tests"}, key=ANON, bearer=token,
            Prefer="return=representation")
        self.assertEqual(st, 201, body)
        # id from the identity, state 'todo' and priority 1 from their
        # defaults (the second migration added priority), inserted_at from
        # timezone('utc'::text, now()) at the scenario's clock.
        self.assertEqual(body, b'[{"id":1,"task":"write tests","state":"todo",'
                               b'"is_complete":false,"priority":1,'
                               b'"inserted_at":"2026-01-01T00:00:00+00:00"}]')
        # Postgres 15: invalid input value for enum status: "nope"
        st, _, _, body = self.c.rest("POST", "todos", {"user_id": DEMO_USER, "state": "nope"},
                                     key=ANON, bearer=token)
        self.assertEqual((st, body), (400, error(
            "22P02", 'invalid input value for enum status: "nope"')))
        # WITH CHECK (auth.uid() = user_id) of the insert policy.
        other = "00000000-0000-0000-0000-000000000001"
        st, _, _, body = self.c.rest("POST", "todos", {"user_id": other, "task": "not mine"},
                                     key=ANON, bearer=token)
        self.assertEqual((st, body), (403, error(
            "42501", 'new row violates row-level security policy for table "todos"')))


if __name__ == "__main__":
    unittest.main()
