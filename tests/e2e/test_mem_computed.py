"""Computed fields, computed relationships and reads over a call's result on
the memory engine, held to PostgreSQL 15: the computed project
(tests/fixtures/projects/computed) gets the same requests on both engines,
and every answer must be the same bytes. The expected answers below are what
the database engine (PostgreSQL 15 behind PostgREST's SQL) gives; with
PostgreSQL installed the test also replays them there, so the expectations
cannot drift from the real thing.

What they exercise: PostgREST writes every select, filter and order field as
"schema"."table"."name", which Postgres reads as the function name(table)
when the table has no such column (parse_func.c ParseFuncOrColumn, the
PostgREST docs' "Computed Fields"); computed relationships are functions of
one table's row type returning another table's rows (SchemaCache.hs
allComputedRels: to-one when not SETOF or ROWS 1); a call's read projects
what callPlanToQuery returns (QueryBuilder.hs, Plan.hs inferColsEmbedNeeds
and getFilterFieldNames). Statuses follow PostgREST's Error.hs.
"""

import os
import unittest

from harness import Supamock, source_dir
from test_pg_project import PG_BIN, READY
from test_scenarios import ANON, SERVICE

PROJECT = os.path.join(source_dir(), "tests", "fixtures", "projects", "computed")

# (method, path, key, expected status, expected body bytes): reads, in any order.
REQUESTS = [
    # Computed fields (column notation: full_name(authors) for authors.full_name):
    # in select, in a filter, in order; $1.field and a named parameter's field.
    ('GET', 'authors?select=id,full_name&order=id', SERVICE, 200,
     b'[{"id":1,"full_name":"Ursula Le Guin"}, '
     b'\n {"id":2,"full_name":"J.R.R. Tolkien"}, '
     b'\n {"id":3,"full_name":"Octavia Butler"}]'),
    ('GET', 'authors?select=id,full_name&full_name=like.*Le*', SERVICE, 200,
     b'[{"id":1,"full_name":"Ursula Le Guin"}]'),
    ('GET', 'books?select=id,long_book&order=long_book.desc,id', SERVICE, 200,
     b'[{"id":2,"long_book":true}, \n {"id":3,"long_book":true}, '
     b'\n {"id":4,"long_book":true}, \n {"id":1,"long_book":false}, '
     b'\n {"id":5,"long_book":false}, \n {"id":6,"long_book":false}]'),
    ('GET', 'authors?select=id,book_count&book_count=gt.1&order=id', SERVICE, 200,
     b'[{"id":1,"book_count":2}, \n {"id":2,"book_count":2}]'),
    ('GET', 'authors?select=full_name->x&id=eq.1', SERVICE, 200,
     b'[{"x":null}]'),
    # A PL/pgSQL one: its row parameter a record (a.last) and $1.
    ('GET', 'authors?select=id,shelf_name&order=shelf_name', SERVICE, 200,
     b'[{"id":3,"shelf_name":"BUTLER, Octavia"}, \n {"id":1,"shelf_name":"LE GUIN, Ursula"}, '
     b'\n {"id":2,"shelf_name":"TOLKIEN, J.R.R."}]'),
    ('GET', 'authors?select=id&shelf_name=like.B*', SERVICE, 200, b'[{"id":3}]'),
    # No column and no function of the row type: Postgres's missing column;
    # a function without EXECUTE for the role: 42501 (401 for anon, Error.hs).
    ('GET', 'authors?select=id,nope', SERVICE, 400,
     b'{"code":"42703","details":null,"hint":null,"message":"column authors.nope '
     b'does not exist"}'),
    ('GET', 'authors?select=id,royalties', ANON, 401,
     b'{"code":"42501","details":null,"hint":null,"message":"permission denied '
     b'for function royalties"}'),
    ('GET', 'authors?select=id,royalties&order=id', SERVICE, 200,
     b'[{"id":1,"royalties":0.1}, \n {"id":2,"royalties":0.2}, '
     b'\n {"id":3,"royalties":0.3}]'),
    # A function whose only parameter is an unnamed row type is no route
    # (SchemaCache.hs funcsSqlQuery: not callable), so no "Perhaps you meant"
    # either; one with a named parameter is.
    ('GET', 'rpc/full_name', SERVICE, 404,
     b'{"code":"PGRST202","details":"Searched for the function public.full_name without '
     b'parameters, but no matches were found in the schema cache.","hint":null,'
     b'"message":"Could not find the function public.full_name without parameters in the '
     b'schema cache"}'),
    ('GET', 'rpc/book_count', SERVICE, 404,
     b'{"code":"PGRST202","details":"Searched for the function public.book_count without '
     b'parameters, but no matches were found in the schema cache.","hint":null,'
     b'"message":"Could not find the function public.book_count without parameters in the '
     b'schema cache"}'),
    # A function of another table's row type is no field of this one.
    ('GET', 'books?select=title,full_name', SERVICE, 400,
     b'{"code":"42703","details":null,"hint":null,"message":"column '
     b'books.full_name does not exist"}'),
    # A function returning a row is a composite field (rendered as
    # row_to_json's object, NULL when the body finds no row) that a JSON path
    # reads and is.null tests.
    ('GET', 'books?select=title,author_row&id=lt.3', SERVICE, 200,
     b'[{"title":"A Wizard of Earthsea","author_row":{"id":1,"first":"Ursula","last":"Le Guin"}}, '
     b'\n {"title":"The Dispossessed","author_row":{"id":1,"first":"Ursula","last":"Le Guin"}}]'),
    ('GET', 'books?select=title,author_row&id=eq.6', SERVICE, 200,
     b'[{"title":"Anonymous Verse","author_row":null}]'),
    ('GET', 'books?select=title&author_row=is.null', SERVICE, 200,
     b'[{"title":"Anonymous Verse"}]'),
    ('GET', 'books?select=title,author_row->>last&id=lt.3', SERVICE, 200,
     b'[{"title":"A Wizard of Earthsea","last":"Le Guin"}, '
     b'\n {"title":"The Dispossessed","last":"Le Guin"}]'),
    # Computed relationships (SchemaCache.hs allComputedRels): SETOF ... ROWS 1
    # and a non-set function are to-one (a non-set function's NULL row is a row
    # of NULLs in FROM), plain SETOF to-many; spread, !inner, related order,
    # and PGRST118 for a related order on a to-many one (Plan.hs).
    ('GET', 'books?select=title,author:author_of(last)&order=id', SERVICE, 200,
     b'[{"title":"A Wizard of Earthsea","author":{"last": "Le Guin"}}, '
     b'\n {"title":"The Dispossessed","author":{"last": "Le Guin"}}, '
     b'\n {"title":"The Hobbit","author":{"last": "Tolkien"}}, '
     b'\n {"title":"The Fellowship of the Ring","author":{"last": "Tolkien"}}, '
     b'\n {"title":"Kindred","author":{"last": "Butler"}}, '
     b'\n {"title":"Anonymous Verse","author":null}]'),
    ('GET', 'books?select=title,author_row(last)&order=id', SERVICE, 200,
     b'[{"title":"A Wizard of Earthsea","author_row":{"last": "Le Guin"}}, '
     b'\n {"title":"The Dispossessed","author_row":{"last": "Le Guin"}}, '
     b'\n {"title":"The Hobbit","author_row":{"last": "Tolkien"}}, '
     b'\n {"title":"The Fellowship of the Ring","author_row":{"last": '
     b'"Tolkien"}}, \n {"title":"Kindred","author_row":{"last": "Butler"}}, '
     b'\n {"title":"Anonymous Verse","author_row":{"last": null}}]'),
    ('GET', 'authors?select=last,written(title)&order=id', SERVICE, 200,
     b'[{"last":"Le Guin","written":[{"title": "A Wizard of Earthsea"}, '
     b'{"title": "The Dispossessed"}]}, '
     b'\n {"last":"Tolkien","written":[{"title": "The Hobbit"}, '
     b'{"title": "The Fellowship of the Ring"}]}, '
     b'\n {"last":"Butler","written":[{"title": "Kindred"}]}]'),
    ('GET',
     'authors?select=last,written(title,long_book)&written.pages=gt.300&order=id',
     SERVICE, 200,
     b'[{"last":"Le Guin","written":[{"title": "The Dispossessed", '
     b'"long_book": true}]}, '
     b'\n {"last":"Tolkien","written":[{"title": "The Hobbit", "long_book": true}, '
     b'{"title": "The Fellowship of the Ring", "long_book": true}]}, '
     b'\n {"last":"Butler","written":[]}]'),
    ('GET', 'books?select=title,...author_of(last)&order=id', SERVICE, 200,
     b'[{"title":"A Wizard of Earthsea","last":"Le Guin"}, '
     b'\n {"title":"The Dispossessed","last":"Le Guin"}, '
     b'\n {"title":"The Hobbit","last":"Tolkien"}, '
     b'\n {"title":"The Fellowship of the Ring","last":"Tolkien"}, '
     b'\n {"title":"Kindred","last":"Butler"}, '
     b'\n {"title":"Anonymous Verse","last":null}]'),
    ('GET', 'books?select=title,author_of!inner(last)&author_of.last=eq.Tolkien', SERVICE, 200,
     b'[{"title":"The Hobbit","author_of":{"last": "Tolkien"}}, '
     b'\n {"title":"The Fellowship of the Ring","author_of":{"last": "Tolkien"}}]'),
    ('GET', 'books?select=id,author_of(id)&order=author_of(id).desc,id', SERVICE, 200,
     b'[{"id":6,"author_of":null}, \n {"id":5,"author_of":{"id": 3}}, '
     b'\n {"id":3,"author_of":{"id": 2}}, \n {"id":4,"author_of":{"id": 2}}, '
     b'\n {"id":1,"author_of":{"id": 1}}, \n {"id":2,"author_of":{"id": 1}}]'),
    ('GET', 'authors?select=id,written(id)&order=written(id)', SERVICE, 400,
     b'{"code":"PGRST118","details":"\'authors\' and \'written\' do not form a '
     b'many-to-one or one-to-one relationship","hint":null,"message":"A related '
     b'order on \'written\' is not possible"}'),
    # A computed relationship named as a table replaces the foreign key's
    # relationships to it (getOverrideRelationshipsMap); one named as a
    # constraint is ambiguous with the foreign key (Error.hs compressedRel
    # and relHint give a computed one {} and an empty hint).
    ('GET', 'authors?select=last,books(title)&order=id', SERVICE, 200,
     b'[{"last":"Le Guin","books":[{"title": "The Dispossessed"}]}, '
     b'\n {"last":"Tolkien","books":[{"title": "The Hobbit"}, '
     b'{"title": "The Fellowship of the Ring"}]}, \n {"last":"Butler","books":[]}]'),
    ('GET', 'books?select=title,books_author_id_fkey(last)', SERVICE, 300,
     b'{"code":"PGRST201","details":[{"cardinality":"many-to-one","embedding":"books with '
     b'authors","relationship":"books_author_id_fkey using books(author_id) and '
     b'authors(id)"},{}],"hint":"Try changing \'books_author_id_fkey\' to one of the '
     b'following: \'authors!books_author_id_fkey\', . Find the desired relationship in '
     b'the \'details\' key.","message":"Could not embed because more than one '
     b'relationship was found for \'books\' and \'books_author_id_fkey\'"}'),
    # A computed field inside an embed of a foreign-key relationship.
    ('GET', 'books?select=title,authors(full_name)&id=lt.3&order=id', SERVICE, 200,
     b'[{"title":"A Wizard of Earthsea","authors":{"full_name": "Ursula Le '
     b'Guin"}}, '
     b'\n {"title":"The Dispossessed","authors":{"full_name": "Ursula Le Guin"}}]'),
    # On a call's result (callPlanToQuery): computed fields and relationships of
    # the return table apply; the call projects the root's fields, its embeds'
    # join columns and every filtered field unless * or a computed relationship
    # (inferColsEmbedNeeds), so other names fail on pgrst_call or on the alias,
    # a computed field through the record's coercion to the row type.
    ('GET',
     'rpc/thick_books?min_pages=300&select=title,long_book,author_of(full_name)&order=id',
     SERVICE, 200,
     b'[{"title":"The Dispossessed","long_book":true,"author_of":{"full_name": '
     b'"Ursula Le Guin"}}, '
     b'\n {"title":"The Hobbit","long_book":true,"author_of":{"full_name": '
     b'"J.R.R. Tolkien"}}, '
     b'\n {"title":"The Fellowship of the '
     b'Ring","long_book":true,"author_of":{"full_name": "J.R.R. Tolkien"}}]'),
    ('GET', 'rpc/thick_books?min_pages=300&select=title,authors(last)', SERVICE, 200,
     b'[{"title":"The Dispossessed","authors":{"last": "Le Guin"}}, '
     b'\n {"title":"The Hobbit","authors":{"last": "Tolkien"}}, '
     b'\n {"title":"The Fellowship of the Ring","authors":{"last": "Tolkien"}}]'),
    ('GET', 'rpc/thick_books?min_pages=300&select=*,long_book&order=long_book,id', SERVICE, 200,
     b'[{"id":2,"title":"The '
     b'Dispossessed","author_id":1,"pages":387,"long_book":true}, '
     b'\n {"id":3,"title":"The '
     b'Hobbit","author_id":2,"pages":310,"long_book":true}, '
     b'\n {"id":4,"title":"The Fellowship of the '
     b'Ring","author_id":2,"pages":423,"long_book":true}]'),
    ('GET', 'rpc/thick_books?min_pages=300&select=title,nope', SERVICE, 400,
     b'{"code":"42703","details":null,"hint":null,"message":"column '
     b'pgrst_call.nope does not exist"}'),
    ('GET', 'rpc/thick_books?min_pages=300&select=title&order=id', SERVICE, 400,
     b'{"code":"42703","details":null,"hint":null,"message":"column books.id '
     b'does not exist"}'),
    ('GET',
     'rpc/thick_books?min_pages=300&select=title,authors(last)&authors.last=eq.Tolkien',
     SERVICE, 400,
     b'{"code":"42703","details":null,"hint":null,"message":"column '
     b'pgrst_call.last does not exist"}'),
    ('GET', 'rpc/thick_books?min_pages=300&select=title&order=long_book', SERVICE, 400,
     b'{"code":"42846","details":"Cannot cast type text to integer in column '
     b'1.","hint":null,"message":"cannot cast type record to books"}'),
]

# Then writes, in order, with Prefer: return=representation: computed fields
# and relationships over the rows a statement wrote (RETURNING, then the read
# over it) and in a write's filter.
WRITES = [
    ("POST", "authors?select=id,full_name,shelf_name",
     b'{"id": 4, "first": "Mary", "last": "Shelley"}', 201,
     b'[{"id":4,"full_name":"Mary Shelley","shelf_name":"SHELLEY, Mary"}]'),
    ("PATCH", "books?id=eq.6&select=title,author_of(last),long_book", b'{"author_id": 4}', 200,
     b'[{"title":"Anonymous Verse","long_book":false,"author_of":{"last": "Shelley"}}]'),
    ("PATCH", "books?long_book=is.true&author_id=eq.2&select=id", b'{"pages": 500}', 200,
     b'[{"id":3}, \n {"id":4}]'),
    ("DELETE", "books?select=id,author_row(last)&id=eq.6", None, 200,
     b'[{"id":6,"author_row":{"last": "Shelley"}}]'),
    ("GET", "authors?select=id,book_count&order=id", None, 200,
     b'[{"id":1,"book_count":2}, \n {"id":2,"book_count":2}, \n {"id":3,"book_count":1}, '
     b'\n {"id":4,"book_count":0}]'),
]


class Replay:
    def replay(self, mock):
        for method, path, key, status, expected in REQUESTS:
            headers = {"apikey": key, "Authorization": "Bearer " + key}
            st, _, _, data = mock.request(method, "/rest/v1/" + path, headers=headers)
            with self.subTest(request="%s %s" % (method, path)):
                self.assertEqual((st, data), (status, expected))
        for method, path, body, status, expected in WRITES:
            headers = {"apikey": SERVICE, "Authorization": "Bearer " + SERVICE,
                       "Prefer": "return=representation"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            st, _, _, data = mock.request(method, "/rest/v1/" + path, body=body, headers=headers)
            with self.subTest(request="%s %s" % (method, path)):
                self.assertEqual((st, data), (status, expected))


class ComputedOnTheMemoryEngine(Replay, unittest.TestCase):
    def test_same_answers_as_postgres(self):
        with Supamock("--scenario", os.path.join(PROJECT, "memory.json")) as mock:
            self.replay(mock)
            # Every function of the project loads (what is left out is said
            # at load).
            self.assertNotIn("create function", mock.stderr())
            mock.assert_healthy(self)


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class ComputedOnTheDatabaseEngine(Replay, unittest.TestCase):
    def test_expectations_are_postgres_answers(self):
        with Supamock("--project", PROJECT, ready_timeout=READY) as mock:
            self.replay(mock)


if __name__ == "__main__":
    unittest.main()
