"""Aggregates on the memory engine (db_aggregates_enabled): the numbers as
PostgreSQL 15 prints them. avg of integers and of numeric is numeric at the
scale numeric_div picks (select_div_scale: at least 16 significant digits);
sum of integers is bigint, of numeric numeric at the widest input scale. The
expected texts are psql's for the same aggregates over the same values.

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_aggregates.py
"""

import json
import os
import shutil
import tempfile
import unittest

from harness import Supamock
from test_scenarios import Client

SCHEMA = """
create table v (id int primary key, grp text, x int, y numeric, z bigint);
insert into v values
  (1, 'a', 1, null, null), (2, 'a', 2, null, null),
  (3, 'b', 100000, null, null), (4, 'b', 2, null, null),
  (5, 'c', 7, null, null), (6, 'c', 2, null, null),
  (7, 'd', 1, 1.5, 12345678901234), (8, 'd', 1, 2.25, 3), (9, 'd', 1, 3, null),
  (10, 'e', 2, 0.001, null), (11, 'e', 1, 0.002, null), (12, 'e', 1, null, null),
  (13, 'f', null, 1.50, null), (14, 'f', null, 2.255, null);
"""


class AggregateNumbersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        with open(os.path.join(cls.dir, "schema.sql"), "w") as f:
            f.write(SCHEMA)
        with open(os.path.join(cls.dir, "scenario.json"), "w") as f:
            json.dump({"name": "agg", "clock": "2026-01-01T00:00:00Z", "sql": ["schema.sql"],
                       "postgrest": {"db_aggregates_enabled": True}}, f)
        cls.mock = Supamock("--scenario", os.path.join(cls.dir, "scenario.json"),
                            cwd=cls.dir).start()
        cls.c = Client(cls.mock)

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()
        shutil.rmtree(cls.dir)

    def values(self, select):
        st, _, _, body = self.c.rest("GET", "v?select=grp," + select + "&order=grp")
        self.assertEqual(st, 200, body)
        # the numbers' text, as Postgres wrote them (not as floats)
        rows = body.decode().replace(" ", "").replace("\n", "")
        return rows

    def test_avg_of_integers_is_numeric_at_numeric_div_scale(self):
        # psql: select avg(x) from (values (1),(2)) v(x) -> 1.5000000000000000 ...
        self.assertEqual(self.values("x.avg()"),
                         '[{"grp":"a","avg":1.5000000000000000},'
                         '{"grp":"b","avg":50001.000000000000},'
                         '{"grp":"c","avg":4.5000000000000000},'
                         '{"grp":"d","avg":1.00000000000000000000},'
                         '{"grp":"e","avg":1.3333333333333333},'
                         '{"grp":"f","avg":null}]')

    def test_numeric_and_bigint(self):
        # psql: avg(1.5, 2.25, 3) = 2.2500000000000000, avg(0.001, 0.002) =
        # 0.00150000000000000000, sum(1.50, 2.255) = 3.755, avg of bigint
        # (12345678901234, 3) = 6172839450618.5000
        self.assertEqual(self.values("y.avg(),y.sum(),z.avg(),x.sum()"),
                         '[{"grp":"a","avg":null,"sum":null,"avg":null,"sum":3},'
                         '{"grp":"b","avg":null,"sum":null,"avg":null,"sum":100002},'
                         '{"grp":"c","avg":null,"sum":null,"avg":null,"sum":9},'
                         '{"grp":"d","avg":2.2500000000000000,"sum":6.75,'
                         '"avg":6172839450618.5000,"sum":3},'
                         '{"grp":"e","avg":0.00150000000000000000,"sum":0.003,"avg":null,"sum":4},'
                         '{"grp":"f","avg":1.8775000000000000,"sum":3.755,"avg":null,"sum":null}]')

    def test_count_and_min_max_and_casts(self):
        st, _, _, body = self.c.rest(
            "GET", "v?select=n:count(),x.count(),grp.min(),grp.max(),x.sum()::text")
        self.assertEqual(st, 200, body)
        self.assertEqual(json.loads(body), [{"n": 14, "count": 12, "min": "a", "max": "f",
                                             "sum": "100021"}])

    def test_sum_of_text_does_not_exist(self):
        # psql: ERROR: function sum(text) does not exist
        st, _, _, body = self.c.rest("GET", "v?select=grp.sum()")
        self.assertEqual(st, 404, body)
        self.assertEqual(json.loads(body)["message"], "function sum(text) does not exist")


if __name__ == "__main__":
    unittest.main()
