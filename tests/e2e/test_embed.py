"""Resource embedding on /rest/v1, end to end, data-driven.

Scenario: tests/fixtures/embed.json, the tables of PostgREST's spec-test
fixture (test/spec/fixtures/schema.sql, data.sql) that its embedding specs
use. Every case cites the PostgREST v14 spec file and line its expectation
comes from (test/spec/Feature/Query/*.hs). Those specs match bodies as JSON
values (hspec-wai-json), so most cases compare JSON values; the byte form of
embedded values (row_to_json(...)::jsonb and json_agg(...)::jsonb inside
json_agg, as QueryBuilder.hs generates them) is checked in BYTES against what
PostgreSQL 15 prints for the same query, and spec cases that pin a
Content-Length check it too.

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_embed.py
"""

import json
import os
import unittest

from harness import Supamock, source_dir
from test_scenarios import ANON, Client

FIXTURE = os.path.join(source_dir(), "tests", "fixtures", "embed.json")

Q = "test/spec/Feature/Query/QuerySpec.hs"
INNER = "test/spec/Feature/Query/EmbedInnerJoinSpec.hs"
SPREAD = "test/spec/Feature/Query/SpreadQueriesSpec.hs"
RELATED = "test/spec/Feature/Query/RelatedQueriesSpec.hs"
DISAMB = "test/spec/Feature/Query/EmbedDisambiguationSpec.hs"


def err(code, message, details=None, hint=None):
    return {"code": code, "details": details, "hint": hint, "message": message}


def not_embedded(name):
    """Error.hs NotEmbedded."""
    return err("PGRST108", "'%s' is not an embedded resource in this request" % name,
               hint="Verify that '%s' is included in the 'select' query parameter." % name)


# (source, path, status, expected JSON value)
READS = [
    (Q + ":524", "clients?select=id,projects(id,tasks(id,name))&projects.tasks.name=like.Design*", 200,
     [{"id": 1, "projects": [{"id": 1, "tasks": [{"id": 1, "name": "Design w7"}]}, {"id": 2, "tasks": [{"id": 3, "name": "Design w10"}]}]},
      {"id": 2, "projects": [{"id": 3, "tasks": [{"id": 5, "name": "Design IOS"}]}, {"id": 4, "tasks": [{"id": 7, "name": "Design OSX"}]}]}]),
    (Q + ":529", "clients?select=*&non_existent_projects.name=like.*NonExistent*", 400,
     not_embedded("non_existent_projects")),
    (Q + ":541", "clients?select=*,amiga_projects:projects(*)&amiga_projectsss.name=ilike.*Amiga*", 400,
     not_embedded("amiga_projectsss")),
    (Q + ":550", "clients?select=id,projects(id,tasks(id,name))&projects.tasks2.name=like.Design*", 400,
     not_embedded("tasks2")),
    (Q + ":638", "projects?select=name,client:clients(clientId:id,name)", 200,
     [{"name": "Windows 7", "client": {"name": "Microsoft", "clientId": 1}},
      {"name": "Windows 10", "client": {"name": "Microsoft", "clientId": 1}},
      {"name": "IOS", "client": {"name": "Apple", "clientId": 2}},
      {"name": "OSX", "client": {"name": "Apple", "clientId": 2}},
      {"name": "Orphan", "client": None}]),
    (Q + ":657", "projects?id=eq.1&select=myId:id, name, project_client:clients(*), project_tasks:tasks(id, name)", 200,
     [{"myId": 1, "name": "Windows 7", "project_client": {"id": 1, "name": "Microsoft"},
       "project_tasks": [{"id": 1, "name": "Design w7"}, {"id": 2, "name": "Code w7"}]}]),
    (Q + ":662", "projects?id=eq.1&select=id, name, clients(id)", 200,
     [{"id": 1, "name": "Windows 7", "clients": {"id": 1}}]),
    (Q + ":666", "projects?id=in.(1,5)&select=id,clients(id)", 200,
     [{"id": 1, "clients": {"id": 1}}, {"id": 5, "clients": None}]),
    (Q + ":671", "projects?id=in.(5)&select=id,tasks(id)", 200, [{"id": 5, "tasks": []}]),
    (Q + ":675", "clients?id=eq.1&select=id,projects(id,tasks(id))", 200,
     [{"id": 1, "projects": [{"id": 1, "tasks": [{"id": 1}, {"id": 2}]}, {"id": 2, "tasks": [{"id": 3}, {"id": 4}]}]}]),
    (Q + ":680", "tasks?select=id,users(id)", 200,
     [{"id": 1, "users": [{"id": 1}, {"id": 3}]}, {"id": 2, "users": [{"id": 1}]}, {"id": 3, "users": [{"id": 1}]},
      {"id": 4, "users": [{"id": 1}]}, {"id": 5, "users": [{"id": 2}, {"id": 3}]}, {"id": 6, "users": [{"id": 2}]},
      {"id": 7, "users": [{"id": 2}]}, {"id": 8, "users": []}]),
    (Q + ":685", "tasks?id=eq.1&select=id,theUsers:users(id)", 200, [{"id": 1, "theUsers": [{"id": 1}, {"id": 3}]}]),
    (Q + ":690", "users?select=id,tasks(id)", 200,
     [{"id": 1, "tasks": [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}]}, {"id": 2, "tasks": [{"id": 5}, {"id": 6}, {"id": 7}]},
      {"id": 3, "tasks": [{"id": 1}, {"id": 5}]}]),
    (Q + ":730", "country?select=name,capital(name)", 200,
     [{"name": "Afghanistan", "capital": {"name": "Kabul"}}, {"name": "Algeria", "capital": {"name": "Algiers"}}]),
    (Q + ":733", "capital?select=name,country(name)", 200,
     [{"name": "Kabul", "country": {"name": "Afghanistan"}}, {"name": "Algiers", "country": {"name": "Algeria"}}]),
    (Q + ":738", "capital?select=name,country_id(name)", 200,
     [{"name": "Kabul", "country_id": {"name": "Afghanistan"}}, {"name": "Algiers", "country_id": {"name": "Algeria"}}]),
    (Q + ":741", "capital?select=name,capital_country_id_fkey(name)", 200,
     [{"name": "Kabul", "capital_country_id_fkey": {"name": "Afghanistan"}}, {"name": "Algiers", "capital_country_id_fkey": {"name": "Algeria"}}]),
    (Q + ":744", "country?select=name,capital_country_id_fkey(name)", 200,
     [{"name": "Afghanistan", "capital_country_id_fkey": {"name": "Kabul"}}, {"name": "Algeria", "capital_country_id_fkey": {"name": "Algiers"}}]),
    (Q + ":747", "country?select=name,id(name)", 200,
     [{"name": "Afghanistan", "id": {"name": "Kabul"}}, {"name": "Algeria", "id": {"name": "Algiers"}}]),
    (Q + ":752", "country?select=name,capital!id(name)", 200,
     [{"name": "Afghanistan", "capital": {"name": "Kabul"}}, {"name": "Algeria", "capital": {"name": "Algiers"}}]),
    (Q + ":755", "country?select=name,capital!country_id(name)", 200,
     [{"name": "Afghanistan", "capital": {"name": "Kabul"}}, {"name": "Algeria", "capital": {"name": "Algiers"}}]),
    (Q + ":758", "capital?select=name,country!id(name)", 200,
     [{"name": "Kabul", "country": {"name": "Afghanistan"}}, {"name": "Algiers", "country": {"name": "Algeria"}}]),
    (Q + ":761", "capital?select=name,country!country_id(name)", 200,
     [{"name": "Kabul", "country": {"name": "Afghanistan"}}, {"name": "Algiers", "country": {"name": "Algeria"}}]),
    (Q + ":1031", "users?select=id,designTasks:tasks(id,name),codeTasks:tasks(id,name)&designTasks.name=like.*Design*&codeTasks.name=like.*Code*", 200,
     [{"id": 1, "designTasks": [{"id": 1, "name": "Design w7"}, {"id": 3, "name": "Design w10"}],
       "codeTasks": [{"id": 2, "name": "Code w7"}, {"id": 4, "name": "Code w10"}]},
      {"id": 2, "designTasks": [{"id": 5, "name": "Design IOS"}, {"id": 7, "name": "Design OSX"}],
       "codeTasks": [{"id": 6, "name": "Code IOS"}]},
      {"id": 3, "designTasks": [{"id": 1, "name": "Design w7"}, {"id": 5, "name": "Design IOS"}], "codeTasks": []}]),
    (Q + ":1155", "projects?id=eq.1&select=id, name, tasks(id, name)&tasks.order=name.asc", 200,
     [{"id": 1, "name": "Windows 7", "tasks": [{"id": 2, "name": "Code w7"}, {"id": 1, "name": "Design w7"}]}]),
    (Q + ":1160", "projects?id=eq.1&select=id, name, the_tasks:tasks(id, name)&the_tasks.order=name.asc", 200,
     [{"id": 1, "name": "Windows 7", "the_tasks": [{"id": 2, "name": "Code w7"}, {"id": 1, "name": "Design w7"}]}]),
    (Q + ":1165", "projects?id=eq.1&select=id, name, tasks(id, name, users(id, name))&tasks.order=name.asc&tasks.users.order=name.desc", 200,
     [{"id": 1, "name": "Windows 7", "tasks": [{"id": 2, "name": "Code w7", "users": [{"id": 1, "name": "Angela Martin"}]},
                                            {"id": 1, "name": "Design w7", "users": [{"id": 3, "name": "Dwight Schrute"}, {"id": 1, "name": "Angela Martin"}]}]}]),
    (Q + ":1170", "projects?id=eq.1&select=id, name, clients(id, name)&clients.order=name.asc", 200,
     [{"id": 1, "name": "Windows 7", "clients": {"id": 1, "name": "Microsoft"}}]),
    (Q + ":1442", "projects?select=id,name,clients()", 200,
     [{"id": 1, "name": "Windows 7"}, {"id": 2, "name": "Windows 10"}, {"id": 3, "name": "IOS"}, {"id": 4, "name": "OSX"}, {"id": 5, "name": "Orphan"}]),
    (Q + ":1450", "projects?select=id,name,clients!inner()&clients.id=eq.2", 200,
     [{"id": 3, "name": "IOS"}, {"id": 4, "name": "OSX"}]),
    (Q + ":1457", "clients?select=id,name,projects()", 200, [{"id": 1, "name": "Microsoft"}, {"id": 2, "name": "Apple"}]),
    (Q + ":1460", "clients?select=id,name,projects!inner()&projects.name=eq.IOS", 200, [{"id": 2, "name": "Apple"}]),
    (Q + ":1465", "users?select=*,tasks!inner()", 200,
     [{"id": 1, "name": "Angela Martin"}, {"id": 2, "name": "Michael Scott"}, {"id": 3, "name": "Dwight Schrute"}]),
    (Q + ":1468", "users?select=*,tasks!inner()&tasks.id=eq.3", 200, [{"id": 1, "name": "Angela Martin"}]),
    (Q + ":1473", "users?select=*,users_tasks(tasks(projects()))", 200,
     [{"id": 1, "name": "Angela Martin"}, {"id": 2, "name": "Michael Scott"}, {"id": 3, "name": "Dwight Schrute"}]),
    (Q + ":1476", "users?select=*,users_tasks!inner(tasks!inner(projects()))&users_tasks.tasks.id=eq.3", 200,
     [{"id": 1, "name": "Angela Martin"}]),
    (Q + ":1479", "users?select=*,tasks(projects(clients()),users_tasks())", 200,
     [{"id": 1, "name": "Angela Martin"}, {"id": 2, "name": "Michael Scott"}, {"id": 3, "name": "Dwight Schrute"}]),
    (Q + ":1482", "users?select=*,tasks!inner(projects(clients()),users_tasks(),name)&tasks.id=eq.3", 200,
     [{"id": 1, "name": "Angela Martin", "tasks": [{"name": "Design w10"}]}]),
    (Q + ":1488", "projects?select=", 200,
     [{"id": 1, "name": "Windows 7", "client_id": 1}, {"id": 2, "name": "Windows 10", "client_id": 1},
      {"id": 3, "name": "IOS", "client_id": 2}, {"id": 4, "name": "OSX", "client_id": 2}, {"id": 5, "name": "Orphan", "client_id": None}]),
    (INNER + ":17", "projects?select=id,clients!inner(id)", 200,
     [{"id": 1, "clients": {"id": 1}}, {"id": 2, "clients": {"id": 1}}, {"id": 3, "clients": {"id": 2}}, {"id": 4, "clients": {"id": 2}}]),
    (INNER + ":22", "projects?select=id,clients!left(id)", 200,
     [{"id": 1, "clients": {"id": 1}}, {"id": 2, "clients": {"id": 1}}, {"id": 3, "clients": {"id": 2}}, {"id": 4, "clients": {"id": 2}},
      {"id": 5, "clients": None}]),
    (INNER + ":36", "projects?select=id,clients!inner(id)&clients.id=eq.1", 200,
     [{"id": 1, "clients": {"id": 1}}, {"id": 2, "clients": {"id": 1}}]),
    (INNER + ":46", "projects?select=id,clients!inner(id)&clients.id=eq.0", 200, []),
    (INNER + ":57", "tasks?select=id,projects!inner(id,clients!inner(id))&projects.clients.id=eq.1", 200,
     [{"id": 1, "projects": {"id": 1, "clients": {"id": 1}}}, {"id": 2, "projects": {"id": 1, "clients": {"id": 1}}},
      {"id": 3, "projects": {"id": 2, "clients": {"id": 1}}}, {"id": 4, "projects": {"id": 2, "clients": {"id": 1}}}]),
    (INNER + ":79", "tasks?select=id,projects(id,clients!inner(id))&projects.clients.id=eq.2&order=id", 200,
     [{"id": 1, "projects": None}, {"id": 2, "projects": None}, {"id": 3, "projects": None}, {"id": 4, "projects": None},
      {"id": 5, "projects": {"id": 3, "clients": {"id": 2}}}, {"id": 6, "projects": {"id": 3, "clients": {"id": 2}}},
      {"id": 7, "projects": {"id": 4, "clients": {"id": 2}}}, {"id": 8, "projects": {"id": 4, "clients": {"id": 2}}}]),
    (INNER + ":292", "projects?select=name,clients!inner(name),users!inner(name)", 200,
     [{"name": "Windows 7", "clients": {"name": "Microsoft"}, "users": [{"name": "Angela Martin"}, {"name": "Dwight Schrute"}]},
      {"name": "Windows 10", "clients": {"name": "Microsoft"}, "users": [{"name": "Angela Martin"}]},
      {"name": "IOS", "clients": {"name": "Apple"}, "users": [{"name": "Michael Scott"}, {"name": "Dwight Schrute"}]},
      {"name": "OSX", "clients": {"name": "Apple"}, "users": [{"name": "Michael Scott"}]}]),
    (INNER + ":318", "projects?select=id,clients!client!inner(id)&clients.id=eq.2", 200,
     [{"id": 3, "clients": {"id": 2}}, {"id": 4, "clients": {"id": 2}}]),
    (INNER + ":321", "projects?select=id,client!inner(id)&client.id=eq.2", 200,
     [{"id": 3, "client": {"id": 2}}, {"id": 4, "client": {"id": 2}}]),
    (SPREAD + ":14", "projects?select=id,...clients(client_name:name)", 200,
     [{"id": 1, "client_name": "Microsoft"}, {"id": 2, "client_name": "Microsoft"}, {"id": 3, "client_name": "Apple"},
      {"id": 4, "client_name": "Apple"}, {"id": 5, "client_name": None}]),
    (SPREAD + ":55", "country?select=name,...capital(capital:name)", 200,
     [{"name": "Afghanistan", "capital": "Kabul"}, {"name": "Algeria", "capital": "Algiers"}]),
    (SPREAD + ":65", "users?select=*,tasks:users_tasks(*,...tasks(*))&limit=1", 200,
     [{"id": 1, "name": "Angela Martin", "tasks": [
         {"user_id": 1, "task_id": 1, "id": 1, "name": "Design w7", "project_id": 1},
         {"user_id": 1, "task_id": 2, "id": 2, "name": "Code w7", "project_id": 1},
         {"user_id": 1, "task_id": 3, "id": 3, "name": "Design w10", "project_id": 2},
         {"user_id": 1, "task_id": 4, "id": 4, "name": "Code w10", "project_id": 2}]}]),
    (SPREAD + ":78", "users?select=*,tasks:users_tasks(...tasks(*))&limit=1", 200,
     [{"id": 1, "name": "Angela Martin", "tasks": [
         {"id": 1, "name": "Design w7", "project_id": 1}, {"id": 2, "name": "Code w7", "project_id": 1},
         {"id": 3, "name": "Design w10", "project_id": 2}, {"id": 4, "name": "Code w10", "project_id": 2}]}]),
    (SPREAD + ":144", "managers?select=name,...organizations(organizations:name,referees:referee)&id=eq.1", 200,
     [{"name": "Referee Manager", "organizations": ["Referee Org"], "referees": [None]}]),
    (RELATED + ":15", "projects?select=id,clients(name)&order=clients(name).nullsfirst", 200,
     [{"id": 5, "clients": None}, {"id": 3, "clients": {"name": "Apple"}}, {"id": 4, "clients": {"name": "Apple"}},
      {"id": 1, "clients": {"name": "Microsoft"}}, {"id": 2, "clients": {"name": "Microsoft"}}]),
    (RELATED + ":25", "projects?select=id,client:clients(name)&order=client(name).asc", 200,
     [{"id": 3, "client": {"name": "Apple"}}, {"id": 4, "client": {"name": "Apple"}}, {"id": 1, "client": {"name": "Microsoft"}},
      {"id": 2, "client": {"name": "Microsoft"}}, {"id": 5, "client": None}]),
    (RELATED + ":67", "users?select=name,tasks(id,name,projects(id,name))&tasks.order=projects(id).desc&limit=1", 200,
     [{"name": "Angela Martin", "tasks": [
         {"id": 3, "name": "Design w10", "projects": {"id": 2, "name": "Windows 10"}},
         {"id": 4, "name": "Code w10", "projects": {"id": 2, "name": "Windows 10"}},
         {"id": 1, "name": "Design w7", "projects": {"id": 1, "name": "Windows 7"}},
         {"id": 2, "name": "Code w7", "projects": {"id": 1, "name": "Windows 7"}}]}]),
    (RELATED + ":108", "clients?select=*,projects(*)&order=projects(id)", 400,
     err("PGRST118", "A related order on 'projects' is not possible",
         "'clients' and 'projects' do not form a many-to-one or one-to-one relationship")),
    (RELATED + ":118", "clients?select=*,pros:projects(*)&order=pros(id)", 400,
     err("PGRST118", "A related order on 'pros' is not possible",
         "'clients' and 'pros' do not form a many-to-one or one-to-one relationship")),
    (RELATED + ":140", "projects?select=id,clients(name)&order=clientsx(name).nullsfirst", 400, not_embedded("clientsx")),
    (RELATED + ":153", "projects?select=name,clients()&clients=not.is.null", 200,
     [{"name": "Windows 7"}, {"name": "Windows 10"}, {"name": "IOS"}, {"name": "OSX"}]),
    (RELATED + ":163", "projects?select=name,clients()&clients=is.null", 200, [{"name": "Orphan"}]),
    (RELATED + ":201", "users?select=name,tasks()&tasks.id=eq.1&tasks=not.is.null", 200,
     [{"name": "Angela Martin"}, {"name": "Dwight Schrute"}]),
    (RELATED + ":209", "users?select=name,tasks()&tasks.id=eq.1&tasks=is.null", 200, [{"name": "Michael Scott"}]),
    (RELATED + ":236", "projects?select=name,client_id,client:client_id(name)&client_id=eq.2", 200,
     [{"name": "IOS", "client_id": 2, "client": {"name": "Apple"}}, {"name": "OSX", "client_id": 2, "client": {"name": "Apple"}}]),
    (DISAMB + ":187", "projects?id=in.(1,3)&select=id,name,client(id,name)", 200,
     [{"id": 1, "name": "Windows 7", "client": {"id": 1, "name": "Microsoft"}}, {"id": 3, "name": "IOS", "client": {"id": 2, "name": "Apple"}}]),
    (DISAMB + ":192", "projects?id=in.(1,3)&select=id,name,client_id,client(id,name)", 200,
     [{"id": 1, "name": "Windows 7", "client_id": 1, "client": {"id": 1, "name": "Microsoft"}},
      {"id": 3, "name": "IOS", "client_id": 2, "client": {"id": 2, "name": "Apple"}}]),
    (DISAMB + ":133", "first?select=second(*)", 300,
     err("PGRST201", "Could not embed because more than one relationship was found for 'first' and 'second'",
         [{"cardinality": "one-to-one", "embedding": "first with second", "relationship": "first_second_id_1_fkey using first(second_id_1) and second(id)"},
          {"cardinality": "one-to-one", "embedding": "first with second", "relationship": "first_second_id_2_fkey using first(second_id_2) and second(id)"}],
         "Try changing 'second' to one of the following: 'second!first_second_id_1_fkey', 'second!first_second_id_2_fkey'. Find the desired relationship in the 'details' key.")),
]


class EmbedCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--scenario", FIXTURE).start()
        cls.c = Client(cls.mock)

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def get(self, path, **headers):
        # The spec paths carry literal spaces; on the wire they are %20.
        st, _, hs, body = self.c.rest("GET", path.replace(" ", "%20"), **headers)
        return st, hs, body

    def test_spec_reads(self):
        for src, path, status, want in READS:
            with self.subTest(src=src, path=path):
                st, _, body = self.get(path)
                self.assertEqual(st, status, body)
                self.assertEqual(json.loads(body), want)

    def test_bytes_match_postgres(self):
        # The same statements run on PostgreSQL 15 (to-one: row_to_json(...)::jsonb,
        # to-many: json_agg(...)::jsonb, both inside json_agg) print exactly these bytes.
        st, _, body = self.get("projects?id=in.(1,3)&select=id,name,client(id,name)")
        self.assertEqual(body, b'[{"id":1,"name":"Windows 7","client":{"id": 1, "name": "Microsoft"}}, \n'
                               b' {"id":3,"name":"IOS","client":{"id": 2, "name": "Apple"}}]')
        st, _, body = self.get("clients?select=id,name,projects(id,name)")
        self.assertEqual(body, b'[{"id":1,"name":"Microsoft","projects":[{"id": 1, "name": "Windows 7"}, '
                               b'{"id": 2, "name": "Windows 10"}]}, \n'
                               b' {"id":2,"name":"Apple","projects":[{"id": 3, "name": "IOS"}, {"id": 4, "name": "OSX"}]}]')

    def test_content_length_of_spec(self):
        # QuerySpec.hs:629 pins Content-Length 141 for this body.
        st, hs, body = self.get("projects?id=eq.1&select=id, name, clients(*), tasks(id, name)")
        self.assertEqual(st, 200)
        self.assertEqual(json.loads(body), [{"id": 1, "name": "Windows 7", "clients": {"id": 1, "name": "Microsoft"},
                                             "tasks": [{"id": 1, "name": "Design w7"}, {"id": 2, "name": "Code w7"}]}])
        self.assertEqual(len(body), 141)

    def test_inner_join_count(self):
        # EmbedInnerJoinSpec.hs:26 and :49: the count of an inner-joined read.
        for path, rng in [("projects?select=id,clients!inner(id)", "0-3/4"),
                          ("projects?select=id,clients!inner(id)&clients.id=eq.1", "0-1/2"),
                          ("projects?select=name,clients!inner(name),users!inner(name)", "0-3/4")]:
            with self.subTest(path=path):
                st, _, hs, _ = self.c.rest("HEAD", path, Prefer="count=exact")
                self.assertEqual(st, 200)
                self.assertEqual(dict((k.lower(), v) for k, v in hs)["content-range"], rng)

    def test_no_relationship_hint(self):
        # Error.hs noRelBetweenHint; EmbedDisambiguationSpec's PGRST200 shape.
        st, _, body = self.get("projects?select=id,cliente(*)")
        self.assertEqual(st, 400)
        self.assertEqual(json.loads(body), err(
            "PGRST200", "Could not find a relationship between 'projects' and 'cliente' in the schema cache",
            "Searched for a foreign key relationship between 'projects' and 'cliente' in the schema 'public', "
            "but no matches were found.", "Perhaps you meant 'clients' instead of 'cliente'."))
        st, _, body = self.get("projects?select=id,clients!nope(*)")
        self.assertEqual(json.loads(body)["details"],
                         "Searched for a foreign key relationship between 'projects' and 'clients' using the hint "
                         "'nope' in the schema 'public', but no matches were found.")

    def test_self_references(self):
        # Plan.hs findRel: on a self relationship the table name is the one-to-many,
        # the column name the many-to-one; a hint picks by the referenced column.
        st, _, body = self.get("family_tree?select=id,parent(id,name)&id=eq.4")
        self.assertEqual(json.loads(body), [{"id": "4", "parent": {"id": "2", "name": "Kid One"}}])
        st, _, body = self.get("family_tree?select=id,children:family_tree(id)&id=eq.1")
        self.assertEqual(json.loads(body), [{"id": "1", "children": [{"id": "2"}, {"id": "3"}]}])
        st, _, body = self.get("organizations?select=name,auditees:organizations!auditor(name)&id=eq.2")
        self.assertEqual(json.loads(body), [{"name": "Auditor Org", "auditees": [{"name": "Acme"}, {"name": "Umbrella"}]}])
        st, _, body = self.get("organizations?select=name,referee(name),auditor(name)&id=eq.5")
        self.assertEqual(json.loads(body), [{"name": "Cyberdyne", "referee": {"name": "Acme"}, "auditor": {"name": "Umbrella"}}])

    def test_embed_limit_offset_and_or(self):
        # QueryParams.hs: rel.limit/rel.offset (pRequestRange) and rel.or (pRequestLogicTree).
        st, _, body = self.get("clients?select=id,projects(id)&projects.order=id.desc&projects.limit=1&projects.offset=1")
        self.assertEqual(json.loads(body), [{"id": 1, "projects": [{"id": 1}]}, {"id": 2, "projects": [{"id": 3}]}])
        st, _, body = self.get("clients?select=id,projects(id)&projects.or=(id.eq.1,id.eq.4)")
        self.assertEqual(json.loads(body), [{"id": 1, "projects": [{"id": 1}]}, {"id": 2, "projects": [{"id": 4}]}])

    def test_unknown_column_in_embed(self):
        # Postgres names the embedded table by its alias (QueryBuilder: <table>_<depth>).
        st, _, body = self.get("clients?select=id,projects(nope)")
        self.assertEqual(st, 400)
        self.assertEqual(json.loads(body)["message"], "column projects_1.nope does not exist")

    def test_grants_and_rls_on_embedded_tables(self):
        # An embedded table the role cannot SELECT fails the statement (42501, as
        # for the root table); rows RLS hides are absent from the embed.
        st, body = self.c.rest("GET", "clients?select=id,secrets(id)", key=ANON)[0::3]
        self.assertEqual(st, 401)
        self.assertEqual(json.loads(body)["message"], "permission denied for table secrets")
        st, body = self.c.rest("GET", "clients?select=id,notes(id)", key=ANON)[0::3]
        self.assertEqual(json.loads(body), [{"id": 1, "notes": [{"id": 1}]}, {"id": 2, "notes": []}])

    def test_writes_embed(self):
        # InsertSpec.hs:94, UpdateSpec.hs:559, DeleteSpec.hs:72.
        st, _, _, body = self.c.rest("POST", "projects?select=id,name,clients(id,name)",
                                     {"id": 6, "name": "New Project", "client_id": 2},
                                     Prefer="return=representation")
        self.assertEqual((st, json.loads(body)), (201, [{"id": 6, "name": "New Project", "clients": {"id": 2, "name": "Apple"}}]))
        st, _, _, body = self.c.rest(
            "PATCH", "users?id=eq.1&select=name,tasks(name,project:projects(name))&tasks.name=ilike.code*&tasks.project.name=like.*10",
            {"name": "Kevin Malone"}, Prefer="return=representation")
        self.assertEqual((st, json.loads(body)), (200, [{"name": "Kevin Malone", "tasks": [
            {"name": "Code w7", "project": None}, {"name": "Code w10", "project": {"name": "Windows 10"}}]}]))
        st, _, _, body = self.c.rest("DELETE", "users_tasks?task_id=eq.8", Prefer="return=minimal")
        st, _, _, body = self.c.rest("DELETE", "tasks?id=eq.8&select=id,name,project:projects(id)",
                                     Prefer="return=representation")
        self.assertEqual((st, json.loads(body)), (200, [{"id": 8, "name": "Code OSX", "project": {"id": 4}}]))


if __name__ == "__main__":
    unittest.main()
