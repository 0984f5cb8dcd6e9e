"""Resource embedding on the database engine where tests/conformance does not
reach: writes that return embeds, embeds on a function's result (RpcSpec.hs),
counts under null-embed filters, and the
request shapes supabase-js sends (`select=*,rel(*)`, `!inner`, spreads, hints,
Accept: vnd.pgrst.object+json, HEAD), and data representations on writes. The server runs PostgREST's own
spec-test fixture (tests/conformance/postgrest) loaded into PostgreSQL, with
every transaction rolled back as PostgREST's spec configuration has it
(SpecHelper.hs: configDbTxRollbackAll), so each case sees the fixture's data.
Every expectation cites the PostgREST spec file and line it comes from.

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD \
     SUPAMOCK_PG_CACHE_DIR=build/X/pg-cache python3 -m unittest tests/e2e/test_pg_embed.py
"""

import json
import os
import shutil
import tempfile
import unittest

from test_conformance import spec_headers
from harness import Supamock, source_dir

# PostgREST's spec fixture creates a foreign server and loads as a superuser
# in PostgREST's own test setup: on the database engine its SQL runs as the
# administrator only when trusted so (pg_load.c).
os.environ["SUPAMOCK_PG_TRUST_SQL"] = "1"

FIXTURE = os.path.join(source_dir(), "tests", "conformance", "postgrest")
CLOCK = "2026-01-01T00:00:00Z"
UPDATE = "test/spec/Feature/Query/UpdateSpec.hs"
DELETE = "test/spec/Feature/Query/DeleteSpec.hs"
INSERT = "test/spec/Feature/Query/InsertSpec.hs"
RELATED = "test/spec/Feature/Query/RelatedQueriesSpec.hs"

# (spec line, method, path, body, expected status, expected JSON)
WRITES = [
    (UPDATE + ":432", "PATCH", "web_content?id=eq.0&select=id,name,web_content(name)",
     {"name": "tardis-patched"}, 200,
     [{"id": 0, "name": "tardis-patched",
       "web_content": [{"name": "fezz"}, {"name": "foo"}, {"name": "bar"}]}]),
    (UPDATE + ":458", "PATCH",
     "web_content?id=eq.0&select=id,name,web_content(name)&web_content.name=like.f*",
     {"name": "tardis-patched"}, 200,
     [{"id": 0, "name": "tardis-patched", "web_content": [{"name": "fezz"}, {"name": "foo"}]}]),
    (UPDATE + ":471", "PATCH",
     "web_content?id=eq.0&select=id,name,web_content(name,web_content(name)),"
     "parent_content:p_web_id(name)",
     {"name": "tardis-patched-2"}, 200,
     [{"id": 0, "name": "tardis-patched-2", "parent_content": {"name": "wat"},
       "web_content": [{"name": "fezz", "web_content": [{"name": "wut"}]},
                       {"name": "foo", "web_content": []},
                       {"name": "bar", "web_content": []}]}]),
    (UPDATE + ":492", "PATCH",
     "web_content?id=eq.0&select=id,name,web_content(name,web_content(name)),"
     "parent_content:p_web_id(name)&web_content.name=like.f*&web_content.web_content.id=eq.4"
     "&parent_content.name=neq.wat",
     {"name": "tardis-patched-2"}, 200,
     [{"id": 0, "name": "tardis-patched-2", "parent_content": None,
       "web_content": [{"name": "fezz", "web_content": [{"name": "wut"}]},
                       {"name": "foo", "web_content": []}]}]),
    (UPDATE + ":513", "PATCH", "web_content?id=eq.0&select=name,web_content(name)",
     {"name": "tardis-patched"}, 200,
     [{"name": "tardis-patched",
       "web_content": [{"name": "fezz"}, {"name": "foo"}, {"name": "bar"}]}]),
    (UPDATE + ":525", "PATCH", "web_content?id=eq.0&select=name,web_content(name)"
     "&web_content.name=like.b*",
     {"name": "tardis-patched"}, 200, [{"name": "tardis-patched", "web_content": [{"name": "bar"}]}]),
    (UPDATE + ":539", "PATCH", "users?id=eq.1&select=name,tasks(name,project:projects(name))",
     {"name": "Kevin Malone"}, 200,
     [{"name": "Kevin Malone", "tasks": [
         {"name": "Design w7", "project": {"name": "Windows 7"}},
         {"name": "Code w7", "project": {"name": "Windows 7"}},
         {"name": "Design w10", "project": {"name": "Windows 10"}},
         {"name": "Code w10", "project": {"name": "Windows 10"}}]}]),
    (UPDATE + ":579", "PATCH", "students?id=eq.1&select=name,students_info(address)",
     {"name": "Johnny Doe"}, 200,
     [{"name": "Johnny Doe", "students_info": {"address": "Street 1"}}]),
    (UPDATE + ":592", "PATCH", "students_info?id=eq.1&select=address,students(name)",
     {"address": "New Street 1"}, 200,
     [{"address": "New Street 1", "students": {"name": "John Doe"}}]),
    (UPDATE + ":607", "PATCH",
     "students?id=eq.1&select=name,students_info(address)&students_info.code=like.0002",
     {"name": "Johnny Doe"}, 200, [{"name": "Johnny Doe", "students_info": None}]),
    (UPDATE + ":740", "PATCH",
     "web_content?id=eq.0&select=id,name,web_content(name)&web_content.order=name.asc",
     {"name": "tardis-patched"}, 200,
     [{"id": 0, "name": "tardis-patched",
       "web_content": [{"name": "bar"}, {"name": "fezz"}, {"name": "foo"}]}]),
    (DELETE + ":79", "DELETE", "students?id=eq.1&select=name,students_info(address)", None, 200,
     [{"name": "John Doe", "students_info": {"address": "Street 1"}}]),
    (DELETE + ":91", "DELETE", "students_info?id=eq.1&select=address,students(name)", None, 200,
     [{"address": "Street 1", "students": {"name": "John Doe"}}]),
    (DELETE + ":160", "DELETE", "artists?id=lt.3&select=id,name,albums(title)&order=id.desc",
     None, 200,
     [{"id": 2, "name": "black country, new road", "albums": [{"title": "ants from up above"}]},
      {"id": 1, "name": "duster",
       "albums": [{"title": "stratosphere"}, {"title": "contemporary movement"}]}]),
    (INSERT + ":94", "POST", "projects?select=id,name,clients(id,name)",
     {"id": 6, "name": "New Project", "client_id": 2}, 201,
     [{"id": 6, "name": "New Project", "clients": {"id": 2, "name": "Apple"}}]),
    (INSERT + ":698", "POST", "web_content?select=id,name,parent_content:p_web_id(name)",
     {"id": 6, "name": "wot", "p_web_id": 4}, 201,
     [{"id": 6, "name": "wot", "parent_content": {"name": "wut"}}]),
]

# RelatedQueriesSpec.hs:278: null-embed filters count as they filter
# (readPlanToCountQuery's EXISTS).
COUNTS = [
    ("projects?select=name,clients(name)&clients=not.is.null", "0-3/4",
     [{"name": "Windows 7", "clients": {"name": "Microsoft"}},
      {"name": "Windows 10", "clients": {"name": "Microsoft"}},
      {"name": "IOS", "clients": {"name": "Apple"}},
      {"name": "OSX", "clients": {"name": "Apple"}}]),
    ("projects?select=name,clients()&clients=is.null", "0-0/1", [{"name": "Orphan"}]),
    ("client?select=*,clientinfo(),contact()&clientinfo.other=ilike.*main*"
     "&contact.name=ilike.*tabby*&or=(clientinfo.not.is.null,contact.not.is.null)", "0-1/2",
     [{"id": 1, "name": "Walmart"}, {"id": 2, "name": "Target"}]),
]


class PgEmbedTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The fixture with db-tx-end = rollback (every case sees the seed).
        cls.tmp = tempfile.mkdtemp(prefix="supamock-pg-embed-")
        for name in os.listdir(FIXTURE):
            shutil.copy(os.path.join(FIXTURE, name), cls.tmp)
        path = os.path.join(cls.tmp, "scenario.json")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text = text.replace('"postgrest": {"db_schemas": ["test"]}',
                            '"postgrest": {"db_schemas": ["test"], "db_tx_end": "rollback"}')
        assert '"db_tx_end": "rollback"' in text
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        cls.headers = spec_headers(path, cls.tmp)
        cls.mock = Supamock("--scenario", path, "--clock", CLOCK, "--db", "postgres",
                            cwd=cls.tmp, ready_timeout=120).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def req(self, method, path, body=None, **headers):
        h = dict(self.headers)
        h.update({k.replace("_", "-"): v for k, v in headers.items()})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        st, _, hs, out = self.mock.request(method, "/rest/v1/" + path, headers=h, body=data)
        return st, {k.lower(): v for k, v in hs}, out

    def test_writes_return_embeds(self):
        for src, method, path, body, status, want in WRITES:
            with self.subTest(src=src, path=path):
                st, hs, out = self.req(method, path, body, Prefer="return=representation")
                self.assertEqual(st, status, out)
                self.assertEqual(json.loads(out), want)

    def test_insert_count_with_embed(self):
        # InsertSpec.hs:94: count=exact on a write counts the rows written.
        st, hs, out = self.req("POST", "projects?select=id,name,clients(id,name)",
                               {"id": 6, "name": "New Project", "client_id": 2},
                               Prefer="return=representation, count=exact")
        self.assertEqual(st, 201, out)
        self.assertEqual(hs.get("content-range"), "*/1")
        self.assertNotIn("location", hs)

    def test_null_embed_filters_count(self):
        for path, rng, want in COUNTS:
            with self.subTest(path=path):
                st, hs, out = self.req("GET", path, Prefer="count=exact")
                self.assertEqual(st, 200, out)
                self.assertEqual(hs.get("content-range"), rng)
                self.assertEqual(json.loads(out), want)

    def test_head_and_singular_with_embed(self):
        # RelatedQueriesSpec.hs:278's first read, as HEAD (no body, the same
        # count) and as one object (SingularSpec.hs: vnd.pgrst.object+json).
        st, hs, out = self.req("HEAD", "projects?select=name,clients(name)&clients=not.is.null",
                               Prefer="count=exact")
        self.assertEqual((st, out), (200, b""))
        self.assertEqual(hs.get("content-range"), "0-3/4")
        st, hs, out = self.req("GET", "projects?id=eq.1&select=name,clients(name)",
                               Accept="application/vnd.pgrst.object+json")
        self.assertEqual(st, 200, out)
        self.assertEqual(json.loads(out), {"name": "Windows 7", "clients": {"name": "Microsoft"}})

    def test_data_representations_on_writes(self):
        # InsertSpec.hs:815 and :825: the payload is parsed by the json-to-domain
        # cast (withJsonParse) and the representation formatted back.
        st, hs, out = self.req("POST", "datarep_todos?select=id,label_color",
                               {"id": 5, "name": "party", "label_color": "#001100",
                                "due_at": "2018-01-03T11:00:00+00"},
                               Prefer="return=representation")
        self.assertEqual(st, 201, out)
        self.assertEqual(json.loads(out), [{"id": 5, "label_color": "#001100"}])
        st, hs, out = self.req("POST", "datarep_todos",
                               {"id": 5, "name": "party", "label_color": "#001100",
                                "due_at": "2018-01-03T11:00:00+00", "icon_image": "3q2+7w",
                                "created_at": -15, "budget": "-100000000000000.13"},
                               Prefer="return=representation")
        self.assertEqual(st, 201, out)
        self.assertEqual(json.loads(out), [{
            "id": 5, "name": "party", "label_color": "#001100", "due_at": "2018-01-03T11:00:00Z",
            "icon_image": "3q2+7w==", "created_at": -15, "budget": "-100000000000000.13"}])

    def test_embed_error_statuses(self):
        # Error.hs statuses: PGRST200 400 (EmbedDisambiguationSpec.hs:217),
        # PGRST201 300 (EmbedDisambiguationSpec.hs:15), PGRST108 400
        # (QuerySpec.hs's embedded filter on a resource not selected).
        st, _, out = self.req("GET", "projects?select=*,nope(*)")
        self.assertEqual((st, json.loads(out)["code"]), (400, "PGRST200"))
        st, _, out = self.req("GET", "sites?select=*,big_projects(*)")
        self.assertEqual((st, json.loads(out)["code"]), (300, "PGRST201"))
        st, _, out = self.req("GET", "projects?select=*&clients.id=eq.1")
        self.assertEqual((st, json.loads(out)["code"]), (400, "PGRST108"))
        # RelatedQueriesSpec.hs:108: a related order needs a to-one embed.
        st, _, out = self.req("GET", "clients?select=*,projects(*)&order=projects(id)")
        self.assertEqual(st, 400)
        self.assertEqual(json.loads(out), {
            "code": "PGRST118", "hint": None,
            "message": "A related order on 'projects' is not possible",
            "details": "'clients' and 'projects' do not form a many-to-one or one-to-one "
                       "relationship"})

    def test_embeds_on_calls(self):
        # RpcSpec.hs "foreign entities embedding": the read plan over the
        # call's result (callReadPlan: its relation is the function's
        # composite type, so findRel starts from that table).
        rpc = "test/spec/Feature/Query/RpcSpec.hs"
        cases = [
            (rpc + ":325", "POST", "rpc/getproject?select=id,name,client:clients(id),tasks(id)",
             {"id": 1}, [{"id": 1, "name": "Windows 7", "client": {"id": 1},
                          "tasks": [{"id": 1}, {"id": 2}]}]),
            (rpc + ":328", "GET", "rpc/getproject?id=1&select=id,name,client:clients(id),tasks(id)",
             None, [{"id": 1, "name": "Windows 7", "client": {"id": 1},
                     "tasks": [{"id": 1}, {"id": 2}]}]),
            (rpc + ":348", "GET", "rpc/getallusers?select=name,tasks(name)&id=gt.1", None,
             [{"name": "Michael Scott",
               "tasks": [{"name": "Design IOS"}, {"name": "Code IOS"}, {"name": "Design OSX"}]},
              {"name": "Dwight Schrute", "tasks": [{"name": "Design w7"}, {"name": "Design IOS"}]}]),
            (rpc + ":355", "GET", "rpc/get_yards?select=groups(*)", None, []),
            (rpc + ":360", "GET",
             "rpc/getallusers?select=name,tasks(name,project:projects(name))&id=gt.1", None,
             [{"name": "Michael Scott", "tasks": [
                 {"name": "Design IOS", "project": {"name": "IOS"}},
                 {"name": "Code IOS", "project": {"name": "IOS"}},
                 {"name": "Design OSX", "project": {"name": "OSX"}}]},
              {"name": "Dwight Schrute", "tasks": [
                  {"name": "Design w7", "project": {"name": "Windows 7"}},
                  {"name": "Design IOS", "project": {"name": "IOS"}}]}]),
            (rpc + ":375", "GET", "rpc/allcapitals?select=name,country(name)", None,
             [{"name": "Kabul", "country": {"name": "Afghanistan"}},
              {"name": "Algiers", "country": {"name": "Algeria"}}]),
            (rpc + ":381", "GET", "rpc/allcountries?select=name,capital(name)", None,
             [{"name": "Afghanistan", "capital": {"name": "Kabul"}},
              {"name": "Algeria", "capital": {"name": "Algiers"}}]),
            (rpc + ":1471", "GET", "rpc/getallprojects?select=id,clients(id)&clients.name=not.is.null",
             None, [{"id": 1, "clients": {"id": 1}}, {"id": 2, "clients": {"id": 1}},
                    {"id": 3, "clients": {"id": 2}}, {"id": 4, "clients": {"id": 2}},
                    {"id": 5, "clients": None}]),
        ]
        for src, method, path, body, want in cases:
            with self.subTest(src=src, path=path):
                st, _, out = self.req(method, path, body)
                self.assertEqual(st, 200, out)
                self.assertEqual(json.loads(out), want)
        # RpcSpec.hs:824 and :838: the same embed over two overloads' results.
        st, _, out = self.req("POST", "rpc/overloaded_default?select=id,name,users(name)", {})
        self.assertEqual((st, json.loads(out)),
                         (200, [{"id": 2, "name": "Code w7", "users": [{"name": "Angela Martin"}]}]))
        st, _, out = self.req("POST", "rpc/overloaded_default?select=id,name,users(name)", {"a": 4})
        self.assertEqual((st, json.loads(out)), (200, [
            {"id": 5, "name": "Design IOS",
             "users": [{"name": "Michael Scott"}, {"name": "Dwight Schrute"}]}]))
        # EmbedInnerJoinSpec.hs:310 and RpcSpec.hs:94: !inner counts as it
        # filters (readPlanToCountQuery's EXISTS over the call's rows).
        for path in ("rpc/getallprojects?select=id,clients!inner(id)&clients.id=eq.1",
                     "rpc/getallprojects?select=*,clients!inner(*)&clients.id=eq.1"):
            with self.subTest(path=path):
                st, hs, out = self.req("HEAD", path, Prefer="count=exact")
                self.assertEqual((st, out), (200, b""))
                self.assertEqual(hs.get("content-range"), "0-1/2")
        # RpcSpec.hs:335: article_stars is not in the exposed schema.
        st, _, out = self.req("GET", "rpc/single_article?id=1&select=*,article_stars(*)")
        self.assertEqual((st, json.loads(out)["code"]), (400, "PGRST200"))


if __name__ == "__main__":
    unittest.main()
