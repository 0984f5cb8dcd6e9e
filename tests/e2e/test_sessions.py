"""Sessions: one more project in the same process per POST /__mock/sessions.

Scenario: tests/fixtures/sessions.json (default plus a notes table with ids the
clients choose). Each session has its own rows, rules, clock and journal,
reached with X-Supamock-Session: ID or under the base URL /s/ID; the root
(requests naming no session) is untouched by them.
"""

import json
import statistics
import threading
import time
import unittest

from harness import Supamock

FIXTURE = "tests/fixtures/sessions.json"
SECRET = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"  # the Supabase CLI's secret key
DATA = {"apikey": SECRET, "Content-Type": "application/json"}
JSON = {"Content-Type": "application/json"}


class SessionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--scenario", FIXTURE)
        cls.mock.start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def tearDown(self):
        for s in self.admin("GET", "/__mock/sessions")[1]:
            self.admin("DELETE", "/__mock/sessions/" + s["id"])
        self.admin("POST", "/__mock/reset")

    def admin(self, method, path, body=None, headers=None):
        h = dict(JSON if body is not None else {}, **(headers or {}))
        status, _, _, data = self.mock.request(
            method, path, None if body is None else json.dumps(body), h)
        return status, json.loads(data) if data else None

    def create(self, body=None):
        status, s = self.admin("POST", "/__mock/sessions", body)
        self.assertEqual(status, 201, s)
        return s

    def test_create_answers_id_and_url(self):
        status, _, _, data = self.mock.request("POST", "/__mock/sessions")
        self.assertEqual(status, 201, data)
        s = json.loads(data)
        self.assertRegex(s["id"], r"^[0-9a-f]{24}$")
        self.assertEqual(s["url"], "http://%s:%d/s/%s" % (self.mock.host, self.mock.port, s["id"]))
        self.assertEqual(s["scenario"], "sessions")
        other = self.create({})
        self.assertNotEqual(other["id"], s["id"])
        status, listed = self.admin("GET", "/__mock/sessions")
        self.assertEqual(status, 200)
        self.assertEqual([x["id"] for x in listed], [s["id"], other["id"]])

    def test_rows_are_isolated_under_concurrent_clients(self):
        a, b = self.create(), self.create()
        spaces = {"root": ("", {}), "a": ("/s/" + a["id"], {}),
                  "b": ("", {"X-Supamock-Session": b["id"]})}
        errors = []

        def client(name):
            base, extra = spaces[name]
            conn = self.mock.http()
            try:
                for i in range(1, 21):
                    status, _, _, body = self.mock.request(
                        "POST", base + "/rest/v1/notes", json.dumps({"id": i, "who": name}),
                        dict(DATA, **extra), conn=conn)
                    if status != 201:
                        errors.append((name, i, status, body))
                    status, _, _, body = self.mock.request(
                        "GET", base + "/rest/v1/notes?select=who", None, dict(DATA, **extra),
                        conn=conn)
                    rows = json.loads(body)
                    if status != 200 or len(rows) != i or {r["who"] for r in rows} != {name}:
                        errors.append((name, i, status, body))
            finally:
                conn.close()

        threads = [threading.Thread(target=client, args=(n,)) for n in spaces]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        # The admin API under a session sees that session's rows.
        for name, (base, extra) in spaces.items():
            status, rows = self.admin("GET", base + "/__mock/tables/notes", headers=extra)
            self.assertEqual(status, 200)
            self.assertEqual({r["who"] for r in rows}, {name})
            self.assertEqual(len(rows), 20)

    def test_rules_of_a_session_scenario_stay_in_it(self):
        faulty = self.create({"scenario": "connection-faults"})
        plain = self.create()
        self.assertEqual(faulty["scenario"], "connection-faults")
        with self.assertRaises((ConnectionResetError, ConnectionError, OSError)):
            self.mock.request("GET", "/s/%s/rest/v1/profiles" % faulty["id"], None, DATA)
        for base in ("", "/s/" + plain["id"]):
            status, _, _, body = self.mock.request("GET", base + "/rest/v1/profiles", None, DATA)
            self.assertEqual(status, 200, body)
        status, entries = self.admin("GET", "/s/%s/__mock/requests?fault=connection_reset"
                                     % faulty["id"])
        self.assertEqual([e["rule"] for e in entries["requests"]], ["read: connection reset"])
        self.assertEqual(self.admin("GET", "/__mock/requests?status=0")[1]["requests"], [])

    def test_clock_and_journal_are_per_session(self):
        a = self.create()
        base = "/s/" + a["id"]
        before = self.admin("GET", "/__mock/clock")[1]["now"]
        status, moved = self.admin("POST", base + "/__mock/clock", {"set": "2030-05-05T00:00:00Z"})
        self.assertEqual(status, 200)
        self.assertTrue(moved["now"].startswith("2030-05-05T00:00:00"), moved)
        self.assertTrue(self.admin("GET", base + "/__mock/clock")[1]["now"].startswith("2030-05-05"))
        self.assertEqual(self.admin("GET", "/__mock/clock")[1]["now"][:10], before[:10])
        self.admin("DELETE", "/__mock/requests")
        self.mock.request("GET", base + "/rest/v1/notes?select=id", None, DATA)
        self.mock.request("GET", "/rest/v1/notes?select=who", None,
                          dict(DATA, **{"X-Supamock-Session": a["id"]}))
        entries = self.admin("GET", base + "/__mock/requests")[1]
        self.assertEqual([e["path"] for e in entries["requests"]], ["/rest/v1/notes", "/rest/v1/notes"])
        self.assertEqual(self.admin("GET", "/__mock/requests/count")[1], {"count": 0})
        # Reset under a session rebuilds that session alone.
        self.mock.request("POST", base + "/rest/v1/notes", json.dumps({"id": 1}), DATA)
        self.mock.request("POST", "/rest/v1/notes", json.dumps({"id": 1}), DATA)
        self.assertEqual(self.admin("POST", base + "/__mock/reset")[0], 200)
        self.assertEqual(self.admin("GET", base + "/__mock/tables/notes")[1], [])
        self.assertEqual(len(self.admin("GET", "/__mock/tables/notes")[1]), 1)

    def test_delete_ends_a_session(self):
        a = self.create()
        status, body = self.admin("DELETE", "/__mock/sessions/" + a["id"])
        self.assertEqual((status, body), (200, {"deleted": a["id"]}))
        for path, headers in (("/s/%s/rest/v1/notes" % a["id"], DATA),
                              ("/rest/v1/notes", dict(DATA, **{"X-Supamock-Session": a["id"]})),
                              ("/s/%s/__mock/requests" % a["id"], {})):
            status, _, hdrs, data = self.mock.request("GET", path, None, headers)
            self.assertEqual(status, 404, path)
            self.assertEqual(json.loads(data),
                             {"error": "unknown session \"%s\" (POST /__mock/sessions creates "
                                       "one; DELETE ends it)" % a["id"]})
        self.assertEqual(self.admin("DELETE", "/__mock/sessions/" + a["id"]),
                         (404, {"error": "unknown session \"%s\"" % a["id"]}))
        self.assertEqual(self.admin("GET", "/__mock/sessions"), (200, []))

    def test_unknown_and_conflicting_ids(self):
        status, _, _, data = self.mock.request("GET", "/s/nope/rest/v1/notes", None, DATA)
        self.assertEqual(status, 404)
        self.assertIn("unknown session \\\"nope\\\"", data.decode())
        a = self.create()
        status, _, _, data = self.mock.request(
            "GET", "/s/%s/rest/v1/notes" % a["id"], None,
            dict(DATA, **{"X-Supamock-Session": "other"}))
        self.assertEqual(status, 400, data)
        self.assertEqual(self.admin("POST", "/__mock/sessions", {"scenario": "../etc"})[0], 400)
        self.assertEqual(self.admin("POST", "/__mock/sessions", {"scenario": "nosuch"})[0], 400)
        self.assertEqual(self.admin("POST", "/__mock/sessions", {"name": "default"})[0], 400)
        self.assertEqual(self.admin("PUT", "/__mock/sessions", {})[0], 405)

    def test_cap(self):
        ids = [self.create()["id"] for _ in range(256)]
        status, body = self.admin("POST", "/__mock/sessions")
        self.assertEqual(status, 429)
        self.assertIn("at most 256", body["error"])
        self.admin("DELETE", "/__mock/sessions/" + ids[0])
        self.create()

    def test_create_time(self):
        times = []
        conn = self.mock.http()
        try:
            for _ in range(30):
                t0 = time.perf_counter()
                status, _, _, data = self.mock.request("POST", "/__mock/sessions", conn=conn)
                times.append(time.perf_counter() - t0)
                self.assertEqual(status, 201)
                sid = json.loads(data)["id"]
                self.mock.request("DELETE", "/__mock/sessions/" + sid, conn=conn)
        finally:
            conn.close()
        print("\nsession create: median %.2f ms of %d" % (statistics.median(times) * 1000,
                                                          len(times)))


class ReadmeTest(unittest.TestCase):
    """The "Sessions" section of README.md, on the default scenario."""

    def test_snippets(self):
        with Supamock() as mock:
            authority = "%s:%d" % (mock.host, mock.port)
            status, _, _, data = mock.request("POST", "/__mock/sessions")
            self.assertEqual(status, 201)
            first = json.loads(data)
            self.assertEqual(first, {"id": first["id"],
                                     "url": "http://%s/s/%s" % (authority, first["id"]),
                                     "scenario": "default"})
            status, _, _, data = mock.request("POST", "/__mock/sessions",
                                              json.dumps({"scenario": "connection-faults"}), JSON)
            self.assertEqual(status, 201)
            self.assertEqual(json.loads(data)["scenario"], "connection-faults")
            sid = first["id"]
            for path, extra in (("/s/%s/rest/v1/profiles?select=email" % sid, {}),
                                ("/rest/v1/profiles?select=email", {"X-Supamock-Session": sid})):
                status, _, _, data = mock.request("GET", path, None,
                                                  dict({"apikey": SECRET}, **extra))
                self.assertEqual((status, data), (200, b'[{"email":"demo@example.com"}]'))
            status, _, _, data = mock.request("GET", "/__mock/sessions")
            self.assertEqual([s["scenario"] for s in json.loads(data)],
                             ["default", "connection-faults"])
            status, _, _, data = mock.request("DELETE", "/__mock/sessions/" + sid)
            self.assertEqual((status, json.loads(data)), (200, {"deleted": sid}))


if __name__ == "__main__":
    unittest.main()
