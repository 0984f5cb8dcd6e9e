"""Primary keys and foreign keys over several columns on the memory engine,
from a scenario's SQL: enforced on writes as PostgreSQL 15 enforces them
(MATCH SIMPLE, ON DELETE actions; the expected messages are psql's for the
same statements) and related and embedded as PostgREST's schema cache relates
them (SchemaCache.hs allM2OandO2ORels, addInverseRels, addM2MRels): every
column pair joins.

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_composite_keys.py
"""

import json
import os
import shutil
import tempfile
import unittest

from harness import Supamock
from test_scenarios import Client, error

SCHEMA = """
create table users (id int primary key, name text);
create table tasks (id int primary key, name text);
create table users_tasks (
  user_id int not null references users(id),
  task_id int not null references tasks(id),
  primary key (task_id, user_id)
);
create table comments (
  id int primary key, user_id int, task_id int, body text,
  foreign key (task_id, user_id) references users_tasks (task_id, user_id) on delete cascade
);
create table notes (
  id int primary key, user_id int, task_id int,
  foreign key (user_id, task_id) references users_tasks (user_id, task_id)
);
create table profiles (
  user_id int, task_id int, bio text,
  primary key (user_id, task_id),
  constraint profile_of foreign key (user_id, task_id) references users_tasks (user_id, task_id)
);
insert into users values (1, 'a'), (2, 'b');
insert into tasks values (1, 't1'), (2, 't2');
insert into users_tasks values (1, 1), (2, 1), (2, 2);
insert into comments values (1, 1, 1, 'x'), (2, 2, 1, 'y');
insert into notes values (1, 1, 1);
insert into profiles values (2, 1, 'p');
"""


class CompositeKeysTest(unittest.TestCase):
    def setUp(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        with open(os.path.join(d, "schema.sql"), "w") as f:
            f.write(SCHEMA)
        with open(os.path.join(d, "scenario.json"), "w") as f:
            json.dump({"name": "composite", "clock": "2026-01-01T00:00:00Z",
                       "sql": ["schema.sql"]}, f)
        self.mock = Supamock("--scenario", os.path.join(d, "scenario.json"), cwd=d).start()
        self.addCleanup(self.mock.stop)
        self.c = Client(self.mock)

    def get(self, path):
        st, _, _, body = self.c.rest("GET", path)
        self.assertEqual(st, 200, body)
        return json.loads(body)

    def test_insert_needs_the_whole_key(self):
        # psql: ERROR: insert or update on table "comments" violates foreign key
        # constraint "comments_task_id_user_id_fkey" / DETAIL: Key (task_id,
        # user_id)=(2, 1) is not present in table "users_tasks". The default
        # name joins every column (ChooseForeignKeyConstraintNameAddition).
        st, _, _, body = self.c.rest("POST", "comments",
                                     {"id": 3, "user_id": 1, "task_id": 2, "body": "z"})
        self.assertEqual(st, 409, body)
        self.assertEqual(body, error(
            "23503", 'insert or update on table "comments" violates foreign key constraint '
            '"comments_task_id_user_id_fkey"',
            'Key (task_id, user_id)=(2, 1) is not present in table "users_tasks".'))
        # MATCH SIMPLE: a NULL column leaves the row unchecked (psql: INSERT 0 1).
        st, _, _, body = self.c.rest("POST", "comments",
                                     {"id": 4, "user_id": None, "task_id": 2, "body": "n"})
        self.assertEqual(st, 201, body)

    def test_delete_no_action_and_cascade(self):
        # psql: ERROR: update or delete on table "users_tasks" violates foreign
        # key constraint "notes_user_id_task_id_fkey" on table "notes" / DETAIL:
        # Key (user_id, task_id)=(1, 1) is still referenced from table "notes".
        st, _, _, body = self.c.rest("DELETE", "users_tasks?user_id=eq.1&task_id=eq.1")
        self.assertEqual(st, 409, body)
        self.assertEqual(body, error(
            "23503", 'update or delete on table "users_tasks" violates foreign key constraint '
            '"notes_user_id_task_id_fkey" on table "notes"',
            'Key (user_id, task_id)=(1, 1) is still referenced from table "notes".'))
        # ON DELETE CASCADE takes comment 2 with its (2, 1) link... once the
        # profile referencing (2, 1) (NO ACTION) is gone.
        st, _, _, body = self.c.rest("DELETE", "profiles?user_id=eq.2")
        self.assertEqual(st, 204, body)
        st, _, _, body = self.c.rest("DELETE", "users_tasks?user_id=eq.2&task_id=eq.1")
        self.assertEqual(st, 204, body)
        self.assertEqual(self.get("comments?select=id&order=id"), [{"id": 1}])

    def test_embeds_join_on_every_column(self):
        # many-to-one over (task_id, user_id)
        self.assertEqual(self.get("comments?select=id,users_tasks(user_id,task_id)&order=id"), [
            {"id": 1, "users_tasks": {"user_id": 1, "task_id": 1}},
            {"id": 2, "users_tasks": {"user_id": 2, "task_id": 1}}])
        # one-to-many back; (2, 2) has none
        self.assertEqual(
            self.get("users_tasks?select=user_id,task_id,comments(id)&order=user_id,task_id"), [
                {"user_id": 1, "task_id": 1, "comments": [{"id": 1}]},
                {"user_id": 2, "task_id": 1, "comments": [{"id": 2}]},
                {"user_id": 2, "task_id": 2, "comments": []}])
        # one-to-one: profiles' key is its foreign key's columns, so the embed
        # is an object both ways (allM2OandO2ORels one_to_one, addInverseRels)
        self.assertEqual(
            self.get("users_tasks?select=user_id,task_id,profiles(bio)&order=user_id,task_id"), [
                {"user_id": 1, "task_id": 1, "profiles": None},
                {"user_id": 2, "task_id": 1, "profiles": {"bio": "p"}},
                {"user_id": 2, "task_id": 2, "profiles": None}])
        # the constraint's name as the hint (Plan.hs findRel matchConstraint)
        self.assertEqual(self.get("profiles?select=bio,users_tasks!profile_of(task_id)"),
                         [{"bio": "p", "users_tasks": {"task_id": 1}}])

    def test_many_to_many_through_a_composite_primary_key(self):
        # addM2MRels: users_tasks' two foreign keys lie within its primary key
        self.assertEqual(self.get("users?select=id,tasks(id)&order=id&tasks.order=id"), [
            {"id": 1, "tasks": [{"id": 1}]},
            {"id": 2, "tasks": [{"id": 1}, {"id": 2}]}])
        self.assertEqual(self.get("tasks?select=id,users!users_tasks(name)&id=eq.2"),
                         [{"id": 2, "users": [{"name": "b"}]}])

    def test_column_hints_name_one_column_keys_only(self):
        # matchFKSingleCol: a column names only a foreign key of one column
        st, _, _, body = self.c.rest("GET", "comments?select=id,users_tasks!user_id(*)")
        self.assertEqual(st, 400, body)
        self.assertEqual(json.loads(body)["code"], "PGRST200")


if __name__ == "__main__":
    unittest.main()
