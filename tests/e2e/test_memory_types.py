"""The memory engine's bytea, oid, time and ltree columns, partitioned tables
and CREATE TABLE AS, from a scenario's SQL, over /rest/v1. Every expected
value is PostgreSQL 15's answer to the same statements (psql, the same
schema and rows: json_agg of the rows, the filters as WHERE clauses, the
errors with their SQLSTATEs), wrapped by PostgREST as Error.hs does (23514
and 22xxx are 400; 42883 is 404).

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_memory_types.py
"""

import json
import os
import shutil
import tempfile
import unittest
import urllib.parse

from harness import Supamock
from test_scenarios import Client, error

SQL = r"""
create table blobs (id int primary key, data bytea, o oid, t time, path ltree);
insert into blobs values
  (1, '\x0aff', 12345, '04:05:06.5', 'Top.Science'),
  (2, 'abc', 4294967295, '23:59', 'Top.Science.Astronomy'),
  (3, null, null, null, 'Top.Hobbies');

create table car_models (name varchar(64) not null, year int not null)
  partition by list (year);
create table car_models_2021 partition of car_models for values in (2021);
create table car_models_old partition of car_models for values in (1981, 1997);
insert into car_models values ('DeLorean', 1981);
insert into car_models_2021 values ('Model S', 2021);
update car_models set year = 1997 where name = 'DeLorean';

create table sales (d varchar(64) not null, q int) partition by range (d);
create table sales_jan partition of sales for values from ('2021-01-01') to ('2021-01-31');
create table sales_rest partition of sales default;

create table consts as select 1 as id, ''::text as s, 2.5 as n, 3000000000 as big, 'x' as u;
"""


class MemoryTypesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        with open(os.path.join(cls.dir, "schema.sql"), "w") as f:
            f.write(SQL)
        with open(os.path.join(cls.dir, "scenario.json"), "w") as f:
            json.dump({"name": "memory-types", "clock": "2026-01-01T00:00:00Z",
                       "sql": ["schema.sql"]}, f)
        cls.mock = Supamock("--scenario", os.path.join(cls.dir, "scenario.json"),
                            cwd=cls.dir).start()
        cls.c = Client(cls.mock)

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()
        shutil.rmtree(cls.dir)

    def get(self, path):
        st, _, _, body = self.c.rest("GET", path)
        return st, body

    def ids(self, query):
        st, body = self.get("blobs?select=id&order=id&" + query)
        self.assertEqual(st, 200, body)
        return [r["id"] for r in json.loads(body)]

    def test_rows_render_as_postgres_writes_them(self):
        # json_agg over the rows: bytea in hex with its backslash escaped,
        # oid as a string (to_json writes only int/float/numeric bare), time
        # without trailing zero fractions, ltree as its text.
        st, body = self.get("blobs?order=id")
        self.assertEqual(st, 200, body)
        self.assertEqual(json.loads(body), [
            {"id": 1, "data": "\\x0aff", "o": "12345", "t": "04:05:06.5", "path": "Top.Science"},
            {"id": 2, "data": "\\x616263", "o": "4294967295", "t": "23:59:00",
             "path": "Top.Science.Astronomy"},
            {"id": 3, "data": None, "o": None, "t": None, "path": "Top.Hobbies"}])

    def test_filters(self):
        self.assertEqual(self.ids("data=eq." + urllib.parse.quote("\\x616263")), [2])
        self.assertEqual(self.ids("o=gt.100000"), [2])
        self.assertEqual(self.ids("t=lt.12:00"), [1])
        # ltree's <@ and @> (descendant of, ancestor of)
        self.assertEqual(self.ids("path=cd.Top.Science"), [1, 2])
        self.assertEqual(self.ids("path=cs.Top.Science.Astronomy.Stars"), [1, 2])

    def test_input_errors(self):
        st, body = self.get("blobs?o=eq.-5000000000")
        self.assertEqual((st, body), (400, error(
            "22003", 'value "-5000000000" is out of range for type oid')))
        st, body = self.get("blobs?data=eq." + urllib.parse.quote("\\x4"))
        self.assertEqual((st, body), (400, error(
            "22023", "invalid hexadecimal data: odd number of digits")))
        st, body = self.get("blobs?path=eq.Top..x")
        self.assertEqual((st, body), (400, error("42601", "ltree syntax error at character 5")))

    def test_partitioned_table_reads_every_partition(self):
        # Rows inserted through the parent and through a partition, and the
        # seed UPDATE ... WHERE: the parent shows them all.
        # (another test inserts a Roadster: left out here)
        st, body = self.get("car_models?order=name&name=neq.Roadster")
        self.assertEqual(st, 200, body)
        self.assertEqual(json.loads(body), [{"name": "DeLorean", "year": 1997},
                                            {"name": "Model S", "year": 2021}])

    def test_partitions_are_not_in_the_schema_cache(self):
        # SchemaCache.hs's tables query: AND not c.relispartition.
        st, body = self.get("car_models_2021")
        self.assertEqual(st, 404, body)
        self.assertEqual(json.loads(body)["code"], "PGRST205")

    def test_a_row_no_partition_takes_is_refused(self):
        # ExecFindPartition: 23514 with the partition key described.
        st, _, _, body = self.c.rest("POST", "car_models", {"name": "Countach", "year": 1990})
        self.assertEqual((st, body), (400, error(
            "23514", 'no partition of relation "car_models" found for row',
            "Partition key of the failing row contains (year) = (1990).")))
        st, _, _, body = self.c.rest("POST", "car_models", {"name": "Roadster", "year": 2021})
        self.assertEqual(st, 201, body)
        # A range partition's upper bound is exclusive; the default takes it.
        st, _, _, body = self.c.rest("POST", "sales", {"d": "2021-01-31", "q": 1},
                                     Prefer="return=representation")
        self.assertEqual((st, json.loads(body)), (201, [{"d": "2021-01-31", "q": 1}]))

    def test_create_table_as(self):
        # CREATE TABLE AS types: integer, text, numeric, bigint, text.
        st, body = self.get("consts")
        self.assertEqual(st, 200, body)
        self.assertEqual(json.loads(body), [{"id": 1, "s": "", "n": 2.5, "big": 3000000000,
                                             "u": "x"}])
        st, body = self.get("consts?u=eq.x&big=gt.2147483647")
        self.assertEqual(json.loads(body), [{"id": 1, "s": "", "n": 2.5, "big": 3000000000,
                                             "u": "x"}])


HIDDEN_SQL = r"""
create schema api;
create extension if not exists ltree with schema public;
create table api.tree (path public.ltree);
insert into api.tree values ('Top'), ('Top.Science');
-- outside public Supabase's default privileges do not reach: the API roles
-- read api.tree only once granted
grant usage on schema api to anon, authenticated, service_role;
grant select on api.tree to anon, authenticated, service_role;
alter role authenticator set pgrst.db_extra_search_path = '';
"""


class HiddenLtreeTest(unittest.TestCase):
    """ltree created in public, the API on schema api, no extra search path:
    the search path PostgREST sets holds api only, where Postgres 15 finds
    none of ltree's operators (the same statements with search_path = api)."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        with open(os.path.join(cls.dir, "schema.sql"), "w") as f:
            f.write(HIDDEN_SQL)
        with open(os.path.join(cls.dir, "scenario.json"), "w") as f:
            json.dump({"name": "hidden-ltree", "sql": ["schema.sql"],
                       "postgrest": {"db_schemas": ["api"]}}, f)
        cls.mock = Supamock("--scenario", os.path.join(cls.dir, "scenario.json"),
                            cwd=cls.dir).start()
        cls.c = Client(cls.mock)

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()
        shutil.rmtree(cls.dir)

    def test_operators_of_an_extension_off_the_path(self):
        st, _, _, body = self.c.rest("GET", "tree?path=cd.Top")
        self.assertEqual((st, body), (400, error(
            "42725", "operator is not unique: public.ltree <@ unknown",
            hint="Could not choose a best candidate operator. You might need to add explicit "
                 "type casts.")))
        st, _, _, body = self.c.rest("GET", "tree?path=eq.Top")
        self.assertEqual((st, body), (404, error(
            "42883", "operator does not exist: public.ltree = unknown",
            hint="No operator matches the given name and argument types. You might need to add "
                 "explicit type casts.")))
        # = ANY and ORDER BY (the type's default btree class) still resolve.
        st, _, _, body = self.c.rest("GET", "tree?path=in.(Top)&order=path")
        self.assertEqual((st, json.loads(body)), (200, [{"path": "Top"}]))


if __name__ == "__main__":
    unittest.main()
