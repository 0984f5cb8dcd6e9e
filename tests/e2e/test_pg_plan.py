"""application/vnd.pgrst.plan on the database engine (db-plan-enabled).

Over PostgREST's own spec fixture (tests/conformance/postgrest, plan.json
turns db_plan_enabled on as PlanSpec.hs's baseCfg { configDbPlanEnabled =
True } does), the cases of test/spec/Feature/Query/PlanSpec.hs with their own
predicates: the Content-Type PostgREST prints (MediaType.hs toMime of
MTVndPlan), costs above zero or under PlanSpec's thresholds (which hold only
when the SQL is PostgREST's own), the output columns of EXPLAIN VERBOSE (the
json_agg PostgREST's Statements.hs builds), index use and function inlining.
The custom media type cases (text/xml, application/vnd.twkb) need media type
handlers, which supamock does not model. Without db-plan-enabled the plan
media type is not produced: 406 PGRST107 (Negotiate.hs mtPlanToNothing).
"""

import json
import os
import unittest

from harness import Supamock
from test_conformance import CLOCK, FIXTURE, SCENARIO, spec_headers
from test_pg_project import PG_BIN, READY

PLAN_SCENARIO = os.path.join(FIXTURE, "plan.json")
PLAN = "application/vnd.pgrst.plan+json"
FOR_JSON = 'application/vnd.pgrst.plan+json; for="application/json"; charset=utf-8'


def cost(body):
    return json.loads(body)[0]["Plan"]["Total Cost"]


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class PlanSpec(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.headers = spec_headers(PLAN_SCENARIO, FIXTURE)
        cls.mock = Supamock("--scenario", PLAN_SCENARIO, "--clock", CLOCK, "--db", "postgres",
                            cwd=FIXTURE, ready_timeout=READY).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def req(self, method, path, accept=PLAN, body=None, prefer=None):
        h = dict(self.headers, Accept=accept)
        if body is not None:
            h["Content-Type"] = "application/json"
        if prefer:
            h["Prefer"] = prefer
        st, _, hs, data = self.mock.request(method, "/rest/v1" + path,
                                            body=json.dumps(body) if body is not None else None,
                                            headers=h)
        return st, {k.lower(): v for k, v in hs}, data

    def test_read_costs(self):
        # "outputs the total cost for a single filter on a table/view"
        for path in ("/projects?id=in.(1,2,3)", "/projects_view?id=gt.2"):
            with self.subTest(path=path):
                st, hs, body = self.req("GET", path)
                self.assertEqual(st, 200)
                self.assertEqual(hs["content-type"], FOR_JSON)
                self.assertNotEqual(hs.get("content-length"), "0")
                self.assertGreater(cost(body), 0)

    def test_options(self):
        st, hs, body = self.req("GET", "/projects", PLAN + "; options=buffers")
        self.assertEqual(hs["content-type"], 'application/vnd.pgrst.plan+json; '
                         'for="application/json"; options=buffers; charset=utf-8')
        self.assertIn(b"Shared Hit Blocks", body)
        st, hs, body = self.req("GET", "/projects", PLAN + "; options=settings")
        self.assertEqual(hs["content-type"], 'application/vnd.pgrst.plan+json; '
                         'for="application/json"; options=settings; charset=utf-8')
        # PlanSpec.hs expects {"search_path": "\"test\""}. supamock's search
        # path goes on with its own schema (the scenario clock's now() and the
        # seeded gen_random_uuid(), README "Determinism") and pg_catalog, and
        # its cluster runs with jit off: both show here, and only here.
        settings = json.loads(body)[0]["Settings"]
        self.assertEqual(settings["search_path"], '"test", supamock, pg_catalog')
        self.assertEqual(settings.get("jit"), "off")
        st, hs, body = self.req("GET", "/projects", PLAN + "; options=analyze|wal")
        self.assertEqual(hs["content-type"], 'application/vnd.pgrst.plan+json; '
                         'for="application/json"; options=analyze|wal; charset=utf-8')
        self.assertEqual(json.loads(body)[0]["Plan"]["WAL Records"], 0)
        st, hs, body = self.req("GET", "/projects", PLAN + "; options=verbose")
        plan = json.loads(body)[0]
        self.assertEqual(plan["Plan"]["Plans"][0]["Output"],
                         ["projects.id", "projects.name", "projects.client_id"])
        self.assertIn("Query Identifier", plan)

    def test_output_of_the_aggregate(self):
        # "outputs the plan for application/json" and "... vnd.pgrst.object"
        st, hs, body = self.req("GET", "/projects",
                                PLAN + '; for="application/json"; options=verbose')
        self.assertEqual(json.loads(body)[0]["Plan"]["Output"][2],
                         "COALESCE(json_agg(ROW(projects.id, projects.name, projects.client_id)),"
                         " '[]'::json)")
        st, hs, body = self.req("GET", "/projects_view",
                                PLAN + '; for="application/vnd.pgrst.object"; options=verbose')
        self.assertEqual(hs["content-type"], 'application/vnd.pgrst.plan+json; '
                         'for="application/vnd.pgrst.object+json"; options=verbose; '
                         'charset=utf-8')
        self.assertEqual(json.loads(body)[0]["Plan"]["Output"][2],
                         "COALESCE((json_agg(ROW(projects.id, projects.name, "
                         "projects.client_id)) -> 0), 'null'::json)")

    def test_write_costs(self):
        cases = [("POST", "/projects", {"id": 100, "name": "Project 100"}, None),
                 ("PATCH", "/projects?id=eq.3", {"name": "Patched Project"}, None),
                 ("DELETE", "/projects?id=in.(1,2,3)", None, None),
                 ("PUT", "/tiobe_pls?name=eq.Go", [{"name": "Go", "rank": 19}], None),
                 ("POST", "/tiobe_pls", [{"name": "Python", "rank": 19},
                                         {"name": "Go", "rank": 20}],
                  "resolution=merge-duplicates")]
        for method, path, body, prefer in cases:
            with self.subTest(method=method, path=path):
                st, hs, data = self.req(method, path, body=body, prefer=prefer)
                self.assertEqual(st, 200)
                self.assertEqual(hs["content-type"], FOR_JSON)
                self.assertGreater(cost(data), 0)
        st, hs, data = self.req("DELETE", "/projects?id=eq.6",
                                PLAN + '; for="application/vnd.pgrst.object"; options=verbose',
                                prefer="return=representation")
        self.assertEqual(hs["content-type"], 'application/vnd.pgrst.plan+json; '
                         'for="application/vnd.pgrst.object+json"; options=verbose; '
                         'charset=utf-8')
        self.assertEqual(json.loads(data)[0]["Plan"]["Output"][3],
                         "COALESCE((json_agg(ROW(projects.id, projects.name, "
                         "projects.client_id)) -> 0), 'null'::json)")

    def test_text_format(self):
        for accept, ct in ((PLAN.replace("+json", "+text"),
                            'application/vnd.pgrst.plan+text; for="application/json"; '
                            'charset=utf-8'),
                           ("application/vnd.pgrst.plan",
                            'application/vnd.pgrst.plan+text; for="application/json"; '
                            'charset=utf-8')):
            with self.subTest(accept=accept):
                st, hs, body = self.req("GET", "/projects?id=in.(1,2,3)", accept)
                self.assertEqual(st, 200)
                self.assertEqual(hs["content-type"], ct)
                self.assertEqual(body[:9], b"Aggregate")

    def test_cost_thresholds(self):
        # PlanSpec.hs: "!inner vs embed not null" and "function call costs".
        cases = [("/clients?select=*,projects!inner(*)&id=eq.1", 33.3),
                 ("/clients?select=*,projects(*)&projects=not.is.null&id=eq.1", 33.3),
                 ("/projects?select=*,clients!inner(*)&id=eq.1", 16.42),
                 ("/projects?select=*,clients(*)&clients=not.is.null&id=eq.1", 16.42),
                 ("/users?select=*,tasks!inner(*)&tasks.id=eq.1", 20888.83),
                 ("/users?select=*,tasks(*)&tasks.id=eq.1&tasks=not.is.null", 20888.83),
                 ("/rpc/get_projects_below?id=3", 35.4),
                 ("/rpc/getallprojects", 71.0),
                 ("/rpc/add_them?a=3&b=4", 0.08),
                 ("/rpc/getallprojects?id=in.(1,2,3)", None)]
        for path, limit in cases:
            with self.subTest(path=path):
                st, hs, body = self.req("GET", path)
                self.assertEqual(st, 200, body)
                self.assertGreater(cost(body), 0)
                if limit is not None:
                    self.assertLess(cost(body), limit)

    def test_inlining_and_indexes(self):
        for path, absent in (("/rpc/getallusers?id=eq.1", b"getallusers"),
                             ("/rpc/getitemrange?min=10&max=15", b"getitemrange")):
            with self.subTest(path=path):
                st, _, body = self.req("GET", path, "application/vnd.pgrst.plan")
                self.assertEqual(st, 200)
                self.assertNotIn(absent, body)
        for path, present in (("/bets?data_json->>contractId=eq.1", b"Index Cond"),
                              ("/bets?data_jsonb->>contractId=eq.1", b"Index"),
                              ("/bets?order=data_json->>contractId", b"Index"),
                              ("/bets?order=data_jsonb->>contractId", b"Index")):
            with self.subTest(path=path):
                st, _, body = self.req("GET", path, "application/vnd.pgrst.plan")
                self.assertEqual(st, 200)
                self.assertIn(present, body)


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class PlanDisabled(unittest.TestCase):
    def test_not_produced(self):
        headers = spec_headers(SCENARIO, FIXTURE)
        with Supamock("--scenario", SCENARIO, "--clock", CLOCK, "--db", "postgres", cwd=FIXTURE,
                      ready_timeout=READY) as mock:
            st, _, _, body = mock.request("GET", "/rest/v1/projects",
                                          headers=dict(headers, Accept=PLAN))
        self.assertEqual(st, 406)
        self.assertEqual(json.loads(body)["code"], "PGRST107")


if __name__ == "__main__":
    unittest.main()
