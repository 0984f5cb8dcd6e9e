"""Views on the memory engine against PostgreSQL 15, byte for byte.

The catalog project (tests/fixtures/projects/catalog) keeps its tables in a
private schema and serves them through views, the way Supabase projects
hide tables from the Data API. The same folder is served by `--db memory
--project` (views are derived relations of the store, mem_view.c) and by
`--project` (the database engine: real PostgreSQL 15 behind PostgREST's
SQL); the same requests go to both, in order, and every status,
Content-Type, Content-Range and body must be the same bytes. Nothing here is
an expectation of supamock's own: PostgreSQL decides what a view shows, how
its relationships are found (PostgREST's allViewsKeyDependencies over
pg_rewrite), which views a write goes through (rewriteHandler.c's
view_query_is_auto_updatable) and with which error when it does not.
"""

import json
import os
import unittest

from harness import Supamock, source_dir
from test_pg_project import PG_BIN, READY
from test_scenarios import ANON, SERVICE, JSON_CT

PROJECT = os.path.join(source_dir(), "tests", "fixtures", "projects", "catalog")

# (who, method, path, body, Prefer)
REQUESTS = [
    # Reads: a projection, a rename, a filter with a computed column, a view
    # over a view, a join, an aggregate, DISTINCT, WITH, a subquery in FROM.
    ("anon", "GET", "/rest/v1/products?order=id", None, None),
    ("anon", "GET", "/rest/v1/tags?name=eq.small", None, None),
    ("anon", "GET", "/rest/v1/available?select=name,shout&order=price.desc", None, None),
    ("anon", "GET", "/rest/v1/cheap?order=id", None, None),
    ("anon", "GET", "/rest/v1/product_vendors?vendor=eq.Globex&order=id", None, None),
    ("anon", "GET", "/rest/v1/vendor_stats?order=vendor_id", None, None),
    ("anon", "GET", "/rest/v1/countries?order=country", None, None),
    ("anon", "GET", "/rest/v1/expensive?order=id", None, None),
    ("anon", "GET", "/rest/v1/vendor_names?id=gt.1&order=id", None, "count=exact"),
    # Relationships through views: many-to-one, one-to-many, many-to-many
    # through a junction view, a renamed column as the key, a view over a
    # view, and one that has none (the aggregate).
    ("anon", "GET", "/rest/v1/products?select=name,vendors(name)&order=id", None, None),
    ("anon", "GET", "/rest/v1/vendors?select=name,products(name)&order=id", None, None),
    ("anon", "GET", "/rest/v1/products?select=name,tags(name)&id=in.(1,5)&order=id", None, None),
    ("anon", "GET", "/rest/v1/available?select=name,vendors(name)&order=id", None, None),
    ("anon", "GET", "/rest/v1/vendors?select=name,cheap(name)&order=id", None, None),
    ("anon", "GET", "/rest/v1/products?select=name,vendors!inner(name)&vendors.country=eq.DE",
     None, None),
    ("anon", "GET", "/rest/v1/vendor_stats?select=*,vendors(name)&order=vendor_id", None, None),
    ("anon", "GET", "/rest/v1/products?select=name,vendor:vendor_id(name)&id=eq.1", None, None),
    # Row-level security below a view: the owner's view shows every note,
    # the security_invoker one only what the policy lets anon see.
    ("anon", "GET", "/rest/v1/all_notes?order=id", None, None),
    ("anon", "GET", "/rest/v1/visible_notes?order=id", None, None),
    # Writes through automatically updatable views, returning what the
    # view shows; then the refusals, in Postgres's words.
    ("service", "POST", "/rest/v1/products",
     {"id": 6, "vendor_id": 3, "name": "clip", "price": 0.5}, "return=representation"),
    ("service", "PATCH", "/rest/v1/cheap?id=eq.6", {"name": "paper clip"},
     "return=representation"),
    ("service", "PATCH", "/rest/v1/available?name=eq.gear", {"maker": 1},
     "return=representation"),
    ("service", "POST", "/rest/v1/tags", {"id": 4, "name": "tiny"}, "return=representation"),
    ("service", "GET", "/rest/v1/cheap?order=id", None, None),
    ("service", "DELETE", "/rest/v1/available?id=eq.6", None, "return=representation"),
    ("service", "POST", "/rest/v1/available", {"id": 7, "shout": "LOUD"}, None),
    ("service", "POST", "/rest/v1/product_vendors", {"id": 8, "name": "x"}, None),
    ("service", "PATCH", "/rest/v1/vendor_stats?vendor_id=eq.1", {"total": 0}, None),
    ("service", "DELETE", "/rest/v1/countries?country=eq.US", None, None),
    ("service", "PATCH", "/rest/v1/expensive?id=eq.1", {"name": "y"}, None),
    ("service", "GET", "/rest/v1/products?order=id", None, None),
]

HEADERS = ("content-type", "content-range")


class Replay:
    def replay(self, mock):
        answers = []
        for who, method, path, body, prefer in REQUESTS:
            h = {"apikey": ANON}
            if who == "service":
                h = {"apikey": SERVICE, "Authorization": "Bearer " + SERVICE}
            if body is not None:
                h["Content-Type"] = JSON_CT
            if prefer:
                h["Prefer"] = prefer
            st, _, hs, data = mock.request(method, path,
                                           body=json.dumps(body) if body is not None else None,
                                           headers=h)
            hmap = {k.lower(): v for k, v in hs}
            answers.append(((method, path), st, tuple(hmap.get(k) for k in HEADERS), data))
        return answers


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class ViewsOnBothEngines(Replay, unittest.TestCase):
    def test_same_bytes(self):
        with Supamock("--db", "memory", "--project", PROJECT) as memory:
            got = self.replay(memory)
            memory.assert_healthy(self)
        with Supamock("--project", PROJECT, ready_timeout=READY) as database:
            want = self.replay(database)
        self.assertEqual(len(got), len(want))
        for g, w in zip(got, want):
            with self.subTest(request="%s %s" % g[0]):
                self.assertEqual(g, w)
        # A few of PostgreSQL's answers spelt out, so that a change in both
        # engines at once is seen too.
        status = [(w[0][0], w[0][1], w[1]) for w in want]
        # 55000 is a 500 (PostgREST's Error.hs pgErrorStatus), 0A000 a 400
        self.assertIn(("POST", "/rest/v1/product_vendors", 500), status)
        self.assertIn(("POST", "/rest/v1/available", 400), status)  # 0A000: shout
        notes = [json.loads(w[3]) for w in want if w[0][1].startswith("/rest/v1/visible_notes")]
        self.assertEqual([n["body"] for n in notes[0]], ["drop with care", "red"])


if __name__ == "__main__":
    unittest.main()
