"""PL/pgSQL, language sql and row triggers on the memory engine, held to
PostgreSQL 15: the functions project (tests/fixtures/projects/functions) gets
the same requests, in the same order, on both engines, and every answer
must be the same bytes. The expected answers below are what the database
engine (PostgreSQL 15 behind PostgREST's SQL) gives; with PostgreSQL
installed the test also replays them there, so the expectations cannot
drift from the real thing.

The texts come from PostgreSQL 15's pl_exec.c (exec_stmt_execsql: P0002
"query returned no rows", P0003 "query returned more than one row" with its
hint; exec_stmt_case: 20000 "case not found"; exec_stmt_raise: % formatting,
%% a percent sign, a condition name's SQLSTATE, the SQLSTATE as message when
none is given), trigger.c (BEFORE ROW changing NEW or skipping the row, NEW
NULL in DELETE triggers) and PostgREST's Error.hs (P0001 400, PTxyz xyz, 23505
409, other SQLSTATEs 500; 57014 500).
"""

import os
import unittest

from harness import Supamock, source_dir
from test_pg_project import PG_BIN, READY
from test_scenarios import ANON, SERVICE

PROJECT = os.path.join(source_dir(), "tests", "fixtures", "projects", "functions")
JSON = "application/json"

# (method, path, body, key, expected status, expected body bytes), in order:
# the writes change what later requests see.
REQUESTS = [
    ("GET", "rpc/fizz?n=20", None, SERVICE, 200, b'"12F4F7"'),
    ("GET", "rpc/countdown?start=7", None, SERVICE, 200, b"[7, 5, 3, 1]"),
    ("GET", "rpc/grade?score=95", None, SERVICE, 200, b'"A"'),
    ("GET", "rpc/grade?score=10", None, SERVICE, 400,
     b'{"code":"20000","details":null,"hint":"CASE statement is missing ELSE part.",'
     b'"message":"case not found"}'),
    ("GET", "rpc/note_title?wanted=1", None, SERVICE, 200, b'"Hello World"'),
    ("GET", "rpc/note_title?wanted=9", None, SERVICE, 500,
     b'{"code":"P0002","details":null,"hint":null,"message":"query returned no rows"}'),
    ("GET", "rpc/any_title", None, SERVICE, 500,
     b'{"code":"P0003","details":null,"hint":"Make sure the query returns a single row, or use '
     b'LIMIT 1.","message":"query returned more than one row"}'),
    ("GET", "rpc/found_note?wanted=1", None, SERVICE, 200, b"true"),
    ("GET", "rpc/found_note?wanted=9", None, SERVICE, 200, b"false"),
    # BEFORE INSERT/UPDATE set slug and edits; AFTER rows go to audit.
    ("POST", "notes?select=id,title,slug,edits", b'{"id": 4, "title": "New Note Now"}', SERVICE,
     201, b'[{"id":4,"title":"New Note Now","slug":"new note now-4","edits":0}]'),
    ("PATCH", "notes?id=eq.1&select=id,slug,edits", b'{"title": "Hello Again"}', SERVICE, 200,
     b'[{"id":1,"slug":"hello again-1","edits":1}]'),
    # keep_pinned (WHEN old.title = 'pinned') returns NULL: row 2 stays.
    ("DELETE", "notes?id=in.(2,3)", None, SERVICE, 204, b""),
    ("GET", "notes?select=id,title,slug,edits&order=id", None, SERVICE, 200,
     b'[{"id":1,"title":"Hello Again","slug":"hello again-1","edits":1}, \n'
     b' {"id":2,"title":"pinned","slug":null,"edits":0}, \n'
     b' {"id":4,"title":"New Note Now","slug":"new note now-4","edits":0}]'),
    ("GET", "audit?select=op,note_id&order=seq", None, SERVICE, 200,
     b'[{"op":"INSERT","note_id":4}, \n {"op":"UPDATE","note_id":1}, \n'
     b' {"op":"DELETE","note_id":3}]'),
    ("GET", "rpc/audit_count", None, SERVICE, 200, b"3"),
    # RAISE: format with %%, hint; a condition name; a bare SQLSTATE.
    ("POST", "rpc/shout_at", b'{"who": "bob", "n": 5}', SERVICE, 400,
     b'{"code":"P0001","details":null,"hint":"lower it","message":"too loud: bob x5 (100%)"}'),
    ("POST", "rpc/shout_at", b'{"who": "bob", "n": -1}', SERVICE, 409,
     b'{"code":"23505","details":null,"hint":null,"message":"negative -1"}'),
    ("POST", "rpc/shout_at", b'{"who": "bob", "n": 0}', SERVICE, 418,
     b'{"code":"PT418","details":"teapot","hint":null,"message":"PT418"}'),
    ("POST", "rpc/shout_at", b'{"who": "bob", "n": 1}', SERVICE, 200, b"1"),
    # OUT parameters: an object; no row: NULL fields.
    ("GET", "rpc/split_title?id_in=1", None, SERVICE, 200,
     b'{"first_word":"Hello Again","rest":"hello again-1"}'),
    ("GET", "rpc/split_title?id_in=99", None, SERVICE, 200,
     b'{"first_word":null,"rest":null}'),
    # RETURNS TABLE with RETURN QUERY; a default; filters on the result.
    ("GET", "rpc/titles", None, SERVICE, 200,
     b'[{"id":1,"title":"Hello Again"}, \n {"id":2,"title":"pinned"}, \n'
     b' {"id":4,"title":"New Note Now"}]'),
    ("GET", "rpc/titles?min_id=2&id=lt.4", None, SERVICE, 200, b'[{"id":2,"title":"pinned"}]'),
    # STRICT: NULL in, NULL out.
    ("GET", "rpc/twice?x=21", None, SERVICE, 200, b"42"),
    ("POST", "rpc/twice", b'{"x": null}', SERVICE, 200, b"null"),
    # language sql INSERT ... RETURNING * through the trigger; then 23505.
    ("POST", "rpc/add_note", b'{"new_id": 9, "new_title": "Nine"}', SERVICE, 200,
     b'{"id":9,"title":"Nine","slug":"nine-9","edits":0}'),
    ("POST", "rpc/add_note", b'{"new_id": 9, "new_title": "Nine"}', SERVICE, 409,
     b'{"code":"23505","details":"Key (id)=(9) already exists.","hint":null,'
     b'"message":"duplicate key value violates unique constraint \\"notes_pkey\\""}'),
    # GET DIAGNOSTICS ROW_COUNT.
    ("POST", "rpc/touch_all", b"{}", SERVICE, 200, b"4"),
    # An endless loop ends at anon's statement_timeout.
    ("GET", "rpc/forever?n=1", None, ANON, 500,
     b'{"code":"57014","details":null,"hint":null,'
     b'"message":"canceling statement due to statement timeout"}'),
]


class Replay:
    def replay(self, mock):
        for method, path, body, key, status, expected in REQUESTS:
            headers = {"apikey": key, "Authorization": "Bearer " + key}
            if body is not None:
                headers["Content-Type"] = JSON
            if method in ("POST", "PATCH") and not path.startswith("rpc/"):
                headers["Prefer"] = "return=representation"
            st, _, _, data = mock.request(method, "/rest/v1/" + path, body=body, headers=headers)
            with self.subTest(request="%s %s" % (method, path)):
                self.assertEqual((st, data), (status, expected))


class FunctionsOnTheMemoryEngine(Replay, unittest.TestCase):
    def test_same_answers_as_postgres(self):
        with Supamock("--scenario", os.path.join(PROJECT, "memory.json")) as mock:
            self.replay(mock)
            mock.assert_healthy(self)


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class FunctionsOnTheDatabaseEngine(Replay, unittest.TestCase):
    def test_expectations_are_postgres_answers(self):
        with Supamock("--project", PROJECT, ready_timeout=READY) as mock:
            self.replay(mock)


if __name__ == "__main__":
    unittest.main()
