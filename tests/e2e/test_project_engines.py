"""A Supabase project folder on both engines, byte for byte.

The teams project (tests/fixtures/projects/teams) is the app issue #12 holds
the memory engine to: a trigger on auth.users that makes each new user's
profile and quota (handle_new_user), teams whose rows members see through
EXISTS policies on the membership table, and an RPC that takes from the
caller's quota in one UPDATE and RAISEs PT402 when it is exhausted. The same
folder is served by `--db memory --project` and by `--project` (the database
engine, PostgreSQL 15 behind PostgREST's SQL), the same requests go to both
in the same order, and every status, Content-Type, Content-Range and body
must be the same bytes: the database engine is the truth, so nothing here is
an expectation of supamock's own. Users sign up through GoTrue on each
server (its api/signup.go; autoconfirm from config.toml's
enable_confirmations = false) and then act with their own access tokens.
"""

import json
import os
import unittest

from harness import Supamock, source_dir
from test_pg_project import PG_BIN, READY
from test_scenarios import ANON, SERVICE, JSON_CT, mint

PROJECT = os.path.join(source_dir(), "tests", "fixtures", "projects", "teams")
JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
ADA = "a0000000-0000-4000-8000-000000000001"
ALAN = "a0000000-0000-4000-8000-000000000002"
GRACE = "a0000000-0000-4000-8000-000000000003"


def user_token(sub):
    """A never-expiring access token for a seeded user, shaped as GoTrue's."""
    return mint({"aud": "authenticated", "exp": 4102444800, "iat": 1767225600, "sub": sub,
                 "role": "authenticated", "aal": "aal1", "is_anonymous": False}, JWT_SECRET)


# (who, method, path, body, Prefer): who is a seeded user's id, "anon",
# "service", or "new" (the user who signed up last, with the token GoTrue
# gave on that server).
REQUESTS = [
    # EXISTS policies: each member sees their teams and the teams' projects.
    (ADA, "GET", "/rest/v1/teams?select=name&order=id", None, None),
    (ALAN, "GET", "/rest/v1/teams?select=name&order=id", None, None),
    (GRACE, "GET", "/rest/v1/teams?select=name", None, None),
    (ALAN, "GET", "/rest/v1/projects?select=name,teams(name)&order=id", None, None),
    (ADA, "GET", "/rest/v1/teams?select=name,projects(name)&order=id", None, None),
    ("anon", "GET", "/rest/v1/teams", None, None),
    (ALAN, "HEAD", "/rest/v1/projects", None, "count=exact"),
    # Inserts through WITH CHECK: into one's own team, then into another's.
    (ADA, "POST", "/rest/v1/projects?select=name,team_id", {"team_id": 1, "name": "Mill"},
     "return=representation"),
    (GRACE, "POST", "/rest/v1/projects", {"team_id": 1, "name": "Intruder"}, None),
    # Only owners update: Alan is a member of team 1 (no row), Ada its owner.
    (ALAN, "PATCH", "/rest/v1/projects?id=eq.1&select=name,archived", {"archived": True},
     "return=representation"),
    (ADA, "PATCH", "/rest/v1/projects?id=eq.1&select=name,archived", {"archived": True},
     "return=representation"),
    # The trigger's rows: every seeded user has a profile and a quota.
    (ADA, "GET", "/rest/v1/profiles?select=full_name&order=full_name", None, None),
    (ADA, "GET", "/rest/v1/quotas?select=remaining", None, None),
    # The quota RPC: 3, then 2, 1, 0 left, then PT402 (402) with the
    # function's detail and hint; a bad amount; anon has no EXECUTE.
    (GRACE, "POST", "/rest/v1/rpc/consume_quota", {}, None),
    (GRACE, "POST", "/rest/v1/rpc/consume_quota", {"amount": 2}, None),
    (GRACE, "POST", "/rest/v1/rpc/consume_quota", {}, None),
    (GRACE, "GET", "/rest/v1/quotas?select=remaining", None, None),
    (GRACE, "POST", "/rest/v1/rpc/consume_quota", {"amount": 0}, None),
    ("anon", "POST", "/rest/v1/rpc/consume_quota", {}, None),
    (ADA, "POST", "/rest/v1/rpc/consume_quota", {"amount": 4}, None),
    (ADA, "GET", "/rest/v1/quotas?select=remaining", None, None),
    # A new user: the trigger gives a profile and a quota of 3.
    ("signup", "POST", "/auth/v1/signup",
     {"email": "katherine@example.com", "password": "orbital-mechanics-1962",
      "data": {"full_name": "Katherine Johnson"}}, None),
    ("new", "GET", "/rest/v1/profiles?select=full_name&order=full_name", None, None),
    ("new", "POST", "/rest/v1/rpc/consume_quota", {"amount": 3}, None),
    ("new", "POST", "/rest/v1/rpc/consume_quota", {}, None),
    ("new", "GET", "/rest/v1/teams", None, None),
    ("service", "GET", "/rest/v1/quotas?select=remaining&order=remaining", None, None),
]

HEADERS = ("content-type", "content-range", "proxy-status")


class Replay:
    def replay(self, mock):
        """Every answer as (status, the headers above, body), the signup's as
        the parts that do not hold generated ids or times."""
        answers = []
        new_token = None
        for who, method, path, body, prefer in REQUESTS:
            h = {"apikey": ANON}
            if who == "service":
                h = {"apikey": SERVICE, "Authorization": "Bearer " + SERVICE}
            elif who == "new":
                h["Authorization"] = "Bearer " + new_token
            elif who not in ("anon", "signup"):
                h["Authorization"] = "Bearer " + user_token(who)
            if body is not None:
                h["Content-Type"] = JSON_CT
            if prefer:
                h["Prefer"] = prefer
            st, _, hs, data = mock.request(method, path,
                                           body=json.dumps(body) if body is not None else None,
                                           headers=h)
            if who == "signup":
                self.assertEqual(st, 200, data)
                session = json.loads(data)
                new_token = session["access_token"]
                user = session["user"]
                data = json.dumps([user["email"], user["user_metadata"], session["token_type"]])
            hmap = {k.lower(): v for k, v in hs}
            answers.append(((method, path), st, tuple(hmap.get(k) for k in HEADERS), data))
        return answers


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class TeamsOnBothEngines(Replay, unittest.TestCase):
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
        # The database engine's answers are the app's: a few of them, spelt
        # out, so that a change in both engines at once is seen too.
        by_path = [(w[0][1], w[1]) for w in want]
        self.assertIn(("/rest/v1/projects", 403), by_path)  # Grace's insert into team 1
        self.assertEqual([w[1] for w in want if w[0][1] == "/rest/v1/rpc/consume_quota"],
                         [200, 200, 402, 400, 401, 402, 200, 402])


if __name__ == "__main__":
    unittest.main()
