"""Row-level security with subqueries in policies (EXISTS, IN, scalar), end to end.

Scenario: tests/fixtures/team-policies.json. Every expected answer is what a
real PostgreSQL 15 gives for the same schema, data and roles:
tests/e2e/test_rls_subquery.sql (psql -f; its output is quoted below). HTTP
statuses and error bodies follow PostgREST's Error.hs (42501 as 403 for a
signed-in role; 42P17 as 500).

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_rls_subquery.py
"""

import json
import os
import unittest

from harness import Supamock, source_dir
from test_scenarios import ANON, DEMO_USER, Client, error, user_token

FIXTURE = os.path.join(source_dir(), "tests", "fixtures", "team-policies.json")
SECOND_USER = "8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f"


class RlsSubqueryCase(unittest.TestCase):
    def setUp(self):
        self.mock = Supamock("--scenario", FIXTURE).start()
        self.c = Client(self.mock)
        self.first = user_token()
        self.second = user_token(sub=SECOND_USER, email="second@example.com")

    def tearDown(self):
        self.mock.stop()

    def ids(self, token, table, key="id"):
        st, _, _, data = self.c.rest("GET", "%s?select=%s&order=%s" % (table, key, key),
                                     key=ANON, bearer=token)
        self.assertEqual(st, 200, data)
        return [r[key] for r in json.loads(data)]

    def test_exists_through_a_join_sees_the_teams_of_the_user(self):
        # psql: projects -> 1 for the first user, 2 for the second.
        self.assertEqual(self.ids(self.first, "projects"), [1])
        self.assertEqual(self.ids(self.second, "projects"), [2])

    def test_subquery_reads_the_other_table_under_its_own_policies(self):
        # teams' policy reads members, whose own policy shows each user only
        # their memberships: psql gives teams -> 1, members -> 1.
        self.assertEqual(self.ids(self.first, "teams"), [1])
        self.assertEqual(self.ids(self.first, "members", "team_id"), [1])

    def test_embedding_applies_both_tables_policies(self):
        # psql: `select t.id, (select json_agg(p.id) from projects p where
        # p.team_id = t.id) from teams t` as the first user -> 1 | [1].
        st, _, _, data = self.c.rest("GET", "teams?select=id,projects(id)", key=ANON,
                                     bearer=self.first)
        self.assertEqual((st, json.loads(data)), (200, [{"id": 1, "projects": [{"id": 1}]}]))

    def test_unqualified_column_resolves_to_the_subquerys_table(self):
        # `m.team_id = team_id`: team_id is members' own column (inner FROM
        # first), so any member sees every doc; psql: docs -> 1, 2 for both.
        self.assertEqual(self.ids(self.first, "docs"), [1, 2])
        self.assertEqual(self.ids(self.second, "docs"), [1, 2])

    def test_anon_has_no_policy(self):
        # psql as anon: count 0.
        st, _, _, data = self.c.rest("GET", "projects?select=id", key=ANON)
        self.assertEqual((st, data), (200, b"[]"))

    def test_in_subquery_with_check(self):
        # The first user owns team 1: insert (4, 1) passes; (5, 2) fails.
        st, _, _, data = self.c.rest("POST", "projects", {"id": 4, "team_id": 1, "title": "p4"},
                                     key=ANON, bearer=self.first, Prefer="return=minimal")
        self.assertEqual(st, 201, data)
        denied = error("42501", 'new row violates row-level security policy for table "projects"')
        st, _, _, data = self.c.rest("POST", "projects", {"id": 5, "team_id": 2, "title": "p5"},
                                     key=ANON, bearer=self.first, Prefer="return=minimal")
        self.assertEqual((st, data), (403, denied))
        # The second user is a member of team 2, not its owner: refused too.
        st, _, _, data = self.c.rest("POST", "projects", {"id": 6, "team_id": 2, "title": "p6"},
                                     key=ANON, bearer=self.second, Prefer="return=minimal")
        self.assertEqual((st, data), (403, denied))

    def test_policy_reading_its_own_table_is_infinite_recursion(self):
        # psql: `select id from loops` (no rows at all) raises 42P17.
        st, _, _, data = self.c.rest("GET", "loops?select=id", key=ANON, bearer=self.first)
        self.assertEqual((st, data), (500, error(
            "42P17", 'infinite recursion detected in policy for relation "loops"')))

    def test_service_role_bypasses_rls_and_its_recursion(self):
        st, _, _, data = self.c.rest("GET", "loops?select=id")
        self.assertEqual((st, data), (200, b"[]"))

    def sql(self, text):
        st, _, _, data = self.mock.request("POST", "/__mock/sql", body=json.dumps({"sql": text}),
                                           headers={"Content-Type": "application/json"})
        self.assertEqual(st, 200, data)
        return json.loads(data)

    def test_create_policy_with_a_qualified_exists_at_run_time(self):
        # psql (after the script): drop policy pitfall on docs; create policy
        # exact ... (exists (... m.team_id = docs.team_id ...)) -> the first
        # user sees doc 1, the second none.
        self.sql("drop policy pitfall on docs")
        self.sql("create policy exact on docs for select to authenticated using (exists "
                 "(select 1 from members m where m.team_id = docs.team_id and "
                 "m.user_id = auth.uid()))")
        self.assertEqual(self.ids(self.first, "docs"), [1])
        self.assertEqual(self.ids(self.second, "docs"), [])

    def test_pg_policies_deparses_subqueries(self):
        # pg_policies.qual / with_check as psql printed them.
        st, _, _, data = self.mock.request(
            "POST", "/__mock/sql", headers={"Content-Type": "application/json"},
            body=json.dumps({"sql": "select policyname, qual, with_check from pg_policies "
                                    "where tablename = 'projects'"}))
        self.assertEqual(st, 200, data)
        rows = {r["policyname"]: r for r in json.loads(data)["results"][0]["rows"]}
        self.assertEqual(rows["team members read"]["qual"],
                         "(EXISTS ( SELECT 1\n"
                         "   FROM (members m\n"
                         "     JOIN teams t ON ((t.id = m.team_id)))\n"
                         "  WHERE ((t.id = projects.team_id) AND (m.user_id = auth.uid()))))")
        self.assertEqual(rows["owners insert"]["with_check"],
                         "(team_id IN ( SELECT members.team_id\n"
                         "   FROM members\n"
                         "  WHERE ((members.user_id = ( SELECT auth.uid() AS uid)) AND "
                         "(members.role = 'owner'::text))))")


if __name__ == "__main__":
    unittest.main()
