"""/rest/v1 end to end: statuses, headers and bodies byte for byte.

Every expected value is taken from PostgREST's source and tests (cited per
case), from the seed data of scenarios/default.json and
tests/fixtures/two-users.json.
"""

import json
import os
import re
import unittest

from harness import ResponseReader, Supamock, header, source_dir

SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
ANON = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJl"
        "eHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0")
DEMO_USER = "13ab4cf1-8587-4685-874b-c2d37beeab38"
SECOND_USER = "8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f"
# row_to_json of the seeded profile (compact objects; timestamptz
# as ISO 8601 with +00:00 on a UTC database; the clock is 2026-01-01T00:00:00Z).
DEMO_ROW = ('{"id":"5f0c6a4e-7a43-4c1b-9d55-2d4bce1f0a11","user_id":"13ab4cf1-8587-4685-874b-c2d37beeab38",'
            '"email":"demo@example.com","full_name":"Demo User","free_image_quota":5,'
            '"created_at":"2026-01-01T00:00:00+00:00","updated_at":"2026-01-01T00:00:00+00:00"}')
JSON_CT = "application/json; charset=utf-8"
FIXTURE = os.path.join(source_dir(), "tests", "fixtures", "two-users.json")


def keyed(key=SERVICE, **extra):
    h = {"apikey": key, "Authorization": "Bearer " + key}
    h.update(extra)
    return h


def error(code, message, details=None, hint=None):
    """PostgREST's compact error body, keys in aeson order (Error.hs)."""
    return json.dumps({"code": code, "details": details, "hint": hint, "message": message},
                      separators=(",", ":"), ensure_ascii=False).encode()


class RestTest(unittest.TestCase):
    def setUp(self):
        self.mock = Supamock("--scenario", FIXTURE).start()

    def tearDown(self):
        self.mock.stop()

    def req(self, method, path, body=None, key=SERVICE, **headers):
        h = keyed(key, **{k.replace("_", "-"): v for k, v in headers.items()})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if body is not None:
            h.setdefault("Content-Type", "application/json")
        return self.mock.request(method, "/rest/v1/" + path, body=body, headers=h)

    def assertError(self, resp, status, body):
        st, _, hs, data = resp
        self.assertEqual((st, data), (status, body))
        self.assertEqual(header(hs, "Content-Type"), JSON_CT)
        # v13+ adds Proxy-Status with the code (CHANGELOG #2967).
        self.assertEqual(header(hs, "Proxy-Status"),
                         "PostgREST; error=" + json.loads(body)["code"])

    # -- reads --------------------------------------------------------------------

    def test_issue_example_get_by_user_id(self):
        st, reason, hs, body = self.req("GET", "profiles?user_id=eq." + DEMO_USER)
        self.assertEqual((st, reason), (200, "OK"))
        self.assertEqual(body, ("[" + DEMO_ROW + "]").encode())
        self.assertEqual(header(hs, "Content-Type"), JSON_CT)
        self.assertEqual(header(hs, "Content-Range"), "0-0/*")  # one row, no count
        self.assertEqual(header(hs, "Content-Location"), "/profiles?user_id=eq." + DEMO_USER)
        # db_schemas lists two schemas, so the schema counts as negotiated
        # (ApiRequest.hs getSchema).
        self.assertEqual(header(hs, "Content-Profile"), "public")
        self.assertEqual(header(hs, "Content-Length"), str(len(body)))
        self.assertEqual(header(hs, "Date"), "Thu, 01 Jan 2026 00:00:00 GMT")

    def test_issue_example_unknown_table(self):
        # The exact body of README.md's curl session; v14.6+ fuzzy threshold (0.75).
        self.assertError(self.req("GET", "profile"), 404,
                         b'{"code":"PGRST205","details":null,"hint":"Perhaps you meant the table '
                         b'\'public.profiles\'","message":"Could not find the table \'public.profile\' '
                         b'in the schema cache"}')

    def test_head_error_has_the_get_head_and_no_body(self):
        # Warp answers HEAD with the head of the GET answer and no body bytes
        # (Network.Wai.Handler.Warp.Response: RspNoBody for HEAD), errors included;
        # the connection stays usable (the next request is answered).
        _, _, ghs, gbody = self.req("GET", "profile")
        with self.mock.connect() as s:
            s.sendall(("HEAD /rest/v1/profile HTTP/1.1\r\nHost: localhost\r\napikey: %s\r\n"
                       "Authorization: Bearer %s\r\n\r\n" % (SERVICE, SERVICE)).encode()
                      + ("GET /rest/v1/profile HTTP/1.1\r\nHost: localhost\r\napikey: %s\r\n"
                         "Authorization: Bearer %s\r\n\r\n" % (SERVICE, SERVICE)).encode())
            reader = ResponseReader(s)
            st, _, hs, body = reader.read(head_only=True)
            self.assertEqual((st, body), (404, b""))
            self.assertEqual(header(hs, "Content-Length"), str(len(gbody)))
            self.assertEqual(header(hs, "Proxy-Status"), header(ghs, "Proxy-Status"))
            st2, _, _, body2 = reader.read()
            self.assertEqual((st2, body2), (404, gbody))

    def test_unknown_table_without_close_match_has_no_hint(self):
        self.assertError(self.req("GET", "invoices"), 404,
                         error("PGRST205", "Could not find the table 'public.invoices' in the schema cache"))

    def test_rows_are_joined_as_json_agg_does(self):
        self.req("POST", "profiles", {"user_id": SECOND_USER, "email": "b@example.com"})
        st, _, hs, body = self.req("GET", "profiles?select=email&order=email.asc")
        self.assertEqual(st, 200)
        # json_agg's separator between composite elements is ", \n " (PG json.c).
        self.assertEqual(body, b'[{"email":"b@example.com"}, \n {"email":"demo@example.com"}]')
        self.assertEqual(header(hs, "Content-Range"), "0-1/*")

    def test_empty_result(self):
        st, _, hs, body = self.req("GET", "profiles?email=eq.nobody@example.com")
        self.assertEqual((st, body), (200, b"[]"))
        self.assertEqual(header(hs, "Content-Range"), "*/*")

    def test_count_exact_and_partial_content(self):
        self.req("POST", "profiles", {"user_id": SECOND_USER})
        st, _, hs, body = self.req("GET", "profiles?select=user_id&limit=1", Prefer="count=exact")
        # 206 when fewer rows than the total come back (RangeQuery.hs).
        self.assertEqual(st, 206)
        self.assertEqual(header(hs, "Content-Range"), "0-0/2")
        self.assertEqual(header(hs, "Preference-Applied"), "count=exact")
        self.assertEqual(body, ('[{"user_id":"%s"}]' % DEMO_USER).encode())

    def test_offset_beyond_the_end_with_count_is_416(self):
        st, _, hs, body = self.req("GET", "profiles?offset=10", Prefer="count=exact")
        self.assertEqual(st, 416)
        self.assertEqual(header(hs, "Content-Range"), "*/1")
        self.assertEqual(body, error("PGRST103", "Requested range not satisfiable",
                                     "An offset of 10 was requested, but there are only 1 rows."))

    def test_head_has_headers_and_no_body(self):
        st, _, hs, body = self.req("HEAD", "profiles", Prefer="count=exact")
        self.assertEqual((st, body), (200, b""))
        self.assertEqual(header(hs, "Content-Range"), "0-0/1")

    def test_singular_object(self):
        st, _, hs, body = self.req("GET", "profiles?user_id=eq." + DEMO_USER,
                                   Accept="application/vnd.pgrst.object+json")
        self.assertEqual((st, body), (200, DEMO_ROW.encode()))
        self.assertEqual(header(hs, "Content-Type"),
                         "application/vnd.pgrst.object+json; charset=utf-8")

    def test_singular_object_with_no_rows_is_pgrst116(self):
        self.assertError(self.req("GET", "profiles?user_id=eq." + SECOND_USER,
                                  Accept="application/vnd.pgrst.object+json"), 406,
                         error("PGRST116", "Cannot coerce the result to a single JSON object",
                               "The result contains 0 rows"))

    def test_singular_writes_need_exactly_one_row_whatever_return_says(self):
        # MainTx.hs failMutation: failNotSingular on the statement's row count
        # for POST, PATCH and DELETE (return=minimal too), then SQL.condemn:
        # 406 PGRST116 and nothing changed (SingularSpec.hs "raises an error
        # for multiple rows" / "for zero rows").
        obj = "application/vnd.pgrst.object+json"
        none = error("PGRST116", "Cannot coerce the result to a single JSON object",
                     "The result contains 0 rows")
        self.assertError(self.req("DELETE", "profiles?user_id=eq." + SECOND_USER, Accept=obj),
                         406, none)
        self.assertError(self.req("PATCH", "profiles?user_id=eq." + SECOND_USER,
                                  {"free_image_quota": 1}, Accept=obj), 406, none)
        st, _, _, body = self.req("GET", "profiles?select=free_image_quota&user_id=eq." +
                                  DEMO_USER)
        self.assertEqual((st, body), (200, b'[{"free_image_quota":5}]'))
        # Exactly one row: done, 204 with return=minimal.
        st, _, _, _ = self.req("PATCH", "profiles?user_id=eq." + DEMO_USER,
                               {"free_image_quota": 5}, Accept=obj)
        self.assertEqual(st, 204)

    def test_filters_and_logic(self):
        self.req("POST", "profiles", {"user_id": SECOND_USER, "email": "second@example.com",
                                      "free_image_quota": 0})
        cases = {
            "profiles?select=email&free_image_quota=gt.0": ["demo@example.com"],
            "profiles?select=email&free_image_quota=lte.0": ["second@example.com"],
            "profiles?select=email&email=like.*second*": ["second@example.com"],
            "profiles?select=email&email=ilike.DEMO*": ["demo@example.com"],
            "profiles?select=email&full_name=is.null": ["second@example.com"],
            "profiles?select=email&full_name=not.is.null": ["demo@example.com"],
            "profiles?select=email&user_id=in.(%s,%s)&order=email.desc" % (DEMO_USER, SECOND_USER):
                ["second@example.com", "demo@example.com"],
            "profiles?select=email&or=(free_image_quota.eq.0,full_name.eq.Demo%20User)&order=email":
                ["demo@example.com", "second@example.com"],
            "profiles?select=email&and=(free_image_quota.gte.0,email.not.eq.demo@example.com)":
                ["second@example.com"],
            "profiles?select=email&full_name=neq.Demo%20User": [],  # NULL <> x is NULL
            "profiles?select=email&order=full_name.asc.nullsfirst": ["second@example.com", "demo@example.com"],
            "profiles?select=email&order=email&limit=1&offset=1": ["second@example.com"],
        }
        for path, emails in cases.items():
            with self.subTest(path=path):
                st, _, _, body = self.req("GET", path)
                self.assertEqual(st, 200, body)
                self.assertEqual([r["email"] for r in json.loads(body)], emails)

    def test_select_aliases_and_casts(self):
        st, _, _, body = self.req("GET", "profiles?select=quota:free_image_quota,uid:user_id::text")
        self.assertEqual(body, ('[{"quota":5,"uid":"%s"}]' % DEMO_USER).encode())

    # -- errors from the model -----------------------------------------------------

    def test_unknown_column_in_select_is_42703(self):
        self.assertError(self.req("GET", "profiles?select=nope"), 400,
                         error("42703", "column profiles.nope does not exist"))

    def test_unknown_column_gets_postgres_hint(self):
        # errorMissingColumn: a close column name is suggested.
        self.assertError(self.req("GET", "profiles?select=emial"), 400,
                         error("42703", "column profiles.emial does not exist",
                               hint='Perhaps you meant to reference the column "profiles.email".'))

    def test_bad_uuid_is_22p02(self):
        self.assertError(self.req("GET", "profiles?user_id=eq.abc"), 400,
                         error("22P02", 'invalid input syntax for type uuid: "abc"'))

    def test_bad_integer_is_22p02(self):
        self.assertError(self.req("GET", "profiles?free_image_quota=eq.five"), 400,
                         error("22P02", 'invalid input syntax for type integer: "five"'))

    def test_filter_without_operator_is_pgrst100(self):
        # PostgREST QuerySpec.hs: ?id=0.
        self.assertError(self.req("GET", "profiles?id=0"), 400,
                         error("PGRST100", '"failed to parse filter (0)" (line 1, column 1)',
                               'unexpected "0" expecting "not" or operator (eq, gt, ...)'))

    def test_failing_cast_is_the_input_functions_error(self):
        self.assertError(self.req("GET", "profiles?select=email::integer"), 400,
                         error("22P02", 'invalid input syntax for type integer: "demo@example.com"'))

    def test_embedding_an_unrelated_name_is_pgrst200(self):
        self.assertError(self.req("GET", "profiles?select=*,invoices(*)"), 400, error(
            "PGRST200", "Could not find a relationship between 'profiles' and 'invoices' in the "
            "schema cache", "Searched for a foreign key relationship between 'profiles' and "
            "'invoices' in the schema 'public', but no matches were found."))

    def test_aggregates_are_disabled_by_default(self):
        # db_aggregates_enabled is false on Supabase.
        self.assertError(self.req("GET", "profiles?select=free_image_quota.sum()"), 400,
                         error("PGRST123", "Use of aggregate functions is not allowed"))

    def test_unexposed_schema_is_pgrst106(self):
        # v13.0.7+ wording.
        self.assertError(self.req("GET", "profiles", Accept_Profile="auth"), 406,
                         error("PGRST106", "Invalid schema: auth",
                               hint="Only the following schemas are exposed: public, graphql_public"))

    def test_nested_path_is_pgrst125(self):
        self.assertError(self.req("GET", "profiles/1"), 404,
                         error("PGRST125", "Invalid path specified in request URL"))

    def test_unacceptable_media_type_is_pgrst107(self):
        st, _, _, body = self.req("GET", "profiles", Accept="application/xml")
        self.assertEqual(st, 406)
        self.assertEqual(json.loads(body)["code"], "PGRST107")

    def test_unsupported_method_is_pgrst117(self):
        self.assertError(self.mock.request("TRACE", "/rest/v1/profiles", headers=keyed()), 405,
                         error("PGRST117", "Unsupported HTTP method: TRACE"))

    def test_empty_in_list_is_the_empty_array(self):
        # supabase-js .in(col, []) sends in.(): QueryParams.hs pListVal reads
        # it as [""], which SqlFragment.hs renders `= ANY('{}')`: no row, on
        # any column type (no 22P02 for an integer column), and not.in.()
        # every row, a NULL in the column included (nothing is compared).
        st, _, _, body = self.req("GET", "profiles?select=email&free_image_quota=in.()")
        self.assertEqual((st, body), (200, b"[]"))
        st, _, _, body = self.req("GET", "profiles?select=email&email=in.()")
        self.assertEqual((st, body), (200, b"[]"))
        st, _, _, body = self.req("GET", "profiles?select=email&free_image_quota=not.in.()")
        self.assertEqual((st, body), (200, b'[{"email":"demo@example.com"}]'))
        st, _, _, body = self.req("PATCH", "profiles?user_id=eq." + DEMO_USER, {"email": None},
                                  Prefer="return=minimal")
        self.assertEqual(st, 204)
        st, _, _, body = self.req("GET", "profiles?select=email&email=not.in.()")
        self.assertEqual((st, body), (200, b'[{"email":null}]'))

    def test_rpc_takes_only_get_head_post_options(self):
        # ApiRequest.hs getAction: (ResourceRoutine _, _) -> InvalidRpcMethod,
        # before any function is looked up; Error.hs: 405, PGRST101,
        # "Cannot use the " <> method <> " method on RPC". Unknown methods too.
        for method in ("PUT", "PATCH", "DELETE", "TRACE"):
            self.assertError(self.mock.request(method, "/rest/v1/rpc/whatever", body="{}",
                                               headers=keyed(**{"Content-Type": "application/json"})),
                             405, error("PGRST101", "Cannot use the %s method on RPC" % method))

    def test_request_errors_in_postgrests_order(self):
        # ApiRequest.hs userApiRequest: getResource (PGRST125), then getSchema
        # (PGRST106), then getAction (PGRST117), then the query string, then
        # getRanges (PGRST103), all before the payload and the schema cache.
        self.assertError(self.mock.request("TRACE", "/rest/v1/a/b", headers=keyed()), 404,
                         error("PGRST125", "Invalid path specified in request URL"))
        self.assertError(
            # getSchema reads Content-Profile for every method but GET and HEAD.
            self.mock.request("TRACE", "/rest/v1/profiles",
                              headers=dict(keyed(), **{"Content-Profile": "auth"})), 406,
            error("PGRST106", "Invalid schema: auth",
                  hint="Only the following schemas are exposed: public, graphql_public"))
        # An invalid Range header wins over an unknown column and an unknown table.
        for path in ("profiles?select=nope", "nope"):
            self.assertError(self.req("GET", path, Range="5-1"), 416,
                             error("PGRST103", "Requested range not satisfiable",
                                   "The lower boundary must be lower than or equal to the upper "
                                   "boundary in the Range header."))

    def test_limit_zero_is_the_empty_range(self):
        # RangeSpec.hs "succeeds and returns an empty array if limit equals 0":
        # 200 [] with Content-Range */*, a Range header notwithstanding.
        for extra in ({}, {"Range": "0-0"}):
            st, _, hs, body = self.req("GET", "profiles?select=id&limit=0", **extra)
            self.assertEqual((st, body), (200, b"[]"))
            self.assertEqual(header(hs, "Content-Range"), "*/*")

    def test_negative_offset_is_a_no_op(self):
        # RangeSpec.hs "succeeds if offset is negative as a no-op".
        st, _, hs, body = self.req("GET", "profiles?select=user_id&offset=-4")
        self.assertEqual(st, 200)
        self.assertEqual(body, ('[{"user_id":"%s"}]' % DEMO_USER).encode())
        self.assertEqual(header(hs, "Content-Range"), "0-0/*")

    # -- writes --------------------------------------------------------------------

    def test_insert_minimal(self):
        st, _, hs, body = self.req("POST", "profiles", {"user_id": SECOND_USER})
        # return=minimal: 201, empty body, Content-Length 0, Content-Range */*, no Content-Type.
        self.assertEqual((st, body), (201, b""))
        self.assertEqual(header(hs, "Content-Length"), "0")
        self.assertEqual(header(hs, "Content-Range"), "*/*")
        self.assertIsNone(header(hs, "Content-Type"))
        self.assertIsNone(header(hs, "Preference-Applied"))

    def test_insert_representation(self):
        st, _, hs, body = self.req("POST", "profiles?select=user_id,free_image_quota",
                                   {"user_id": SECOND_USER}, Prefer="return=representation")
        self.assertEqual(st, 201)
        self.assertEqual(body, ('[{"user_id":"%s","free_image_quota":5}]' % SECOND_USER).encode())
        self.assertEqual(header(hs, "Preference-Applied"), "return=representation")
        self.assertEqual(header(hs, "Content-Range"), "*/*")

    def test_insert_headers_only_sets_location(self):
        st, _, hs, _ = self.req("POST", "profiles",
                                {"id": "0b7e2d4c-1111-4222-8333-944455556666", "user_id": SECOND_USER},
                                Prefer="return=headers-only")
        self.assertEqual(st, 201)
        self.assertEqual(header(hs, "Location"), "/profiles?id=eq.0b7e2d4c-1111-4222-8333-944455556666")

    def test_invalid_json_is_pgrst102(self):
        self.assertError(self.req("POST", "profiles", b"{nope"), 400,
                         error("PGRST102", "Empty or invalid json"))

    def test_body_errors_come_before_schema_cache_errors(self):
        # PostgREST decodes the payload while reading the request (ApiRequest),
        # before it looks the table up.
        self.assertError(self.req("POST", "no_such_table", b"{nope"), 400,
                         error("PGRST102", "Empty or invalid json"))
        self.assertError(self.req("POST", "profiles", b"{} // a comment"), 400,
                         error("PGRST102", "Empty or invalid json"))

    def test_unknown_payload_column_is_pgrst204(self):
        self.assertError(self.req("POST", "profiles", {"user_id": SECOND_USER, "avatar_url": "x"}), 400,
                         error("PGRST204", "Could not find the 'avatar_url' column of 'profiles' in the schema cache"))

    def test_not_null_is_23502_with_failing_row(self):
        st, _, _, body = self.req("POST", "profiles", {"email": "x@example.com"})
        self.assertEqual(st, 400)
        err = json.loads(body)
        self.assertEqual(err["code"], "23502")
        self.assertEqual(err["message"],
                         'null value in column "user_id" of relation "profiles" violates not-null constraint')
        # The row in Postgres text output: id, user_id, email, full_name, quota, created_at, updated_at.
        self.assertRegex(err["details"], r"^Failing row contains \([0-9a-f-]{36}, null, x@example\.com, "
                         r"null, 5, 2026-01-01 00:00:00\+00, 2026-01-01 00:00:00\+00\)\.$")

    def test_unique_violation_is_23505(self):
        self.assertError(self.req("POST", "profiles", {"user_id": DEMO_USER}), 409,
                         error("23505", 'duplicate key value violates unique constraint "profiles_user_id_key"',
                               "Key (user_id)=(%s) already exists." % DEMO_USER))

    def test_foreign_key_violation_is_23503(self):
        stranger = "00000000-0000-4000-8000-000000000000"
        self.assertError(self.req("POST", "profiles", {"user_id": stranger}), 409,
                         error("23503", 'insert or update on table "profiles" violates foreign key '
                               'constraint "profiles_user_id_fkey"',
                               'Key (user_id)=(%s) is not present in table "users".' % stranger))

    def test_bulk_insert_is_atomic(self):
        st, _, _, _ = self.req("POST", "profiles", [{"user_id": SECOND_USER}, {"user_id": DEMO_USER}])
        self.assertEqual(st, 409)
        st, _, hs, _ = self.req("HEAD", "profiles", Prefer="count=exact")
        self.assertEqual(header(hs, "Content-Range"), "0-0/1")

    def test_bulk_insert_keys_must_match(self):
        self.assertError(self.req("POST", "profiles", [{"user_id": SECOND_USER}, {"email": "x"}]), 400,
                         error("PGRST102", "All object keys must match"))

    def test_upsert_merge_duplicates(self):
        st, _, hs, body = self.req("POST", "profiles?on_conflict=user_id&select=user_id,full_name",
                                   [{"user_id": DEMO_USER, "full_name": "New Name"}],
                                   Prefer="resolution=merge-duplicates,return=representation")
        # 200 when no row was newly inserted (isInsertIfGTZero).
        self.assertEqual(st, 200)
        self.assertEqual(body, ('[{"user_id":"%s","full_name":"New Name"}]' % DEMO_USER).encode())
        self.assertEqual(header(hs, "Preference-Applied"),
                         "resolution=merge-duplicates, return=representation")

    def test_upsert_ignore_duplicates(self):
        st, _, _, body = self.req("POST", "profiles?on_conflict=user_id&select=user_id",
                                  [{"user_id": DEMO_USER}, {"user_id": SECOND_USER}],
                                  Prefer="resolution=ignore-duplicates,return=representation")
        self.assertEqual(st, 201)
        self.assertEqual(body, ('[{"user_id":"%s"}]' % SECOND_USER).encode())

    def test_patch_minimal_and_heap_order(self):
        self.req("POST", "profiles", {"user_id": SECOND_USER, "email": "second@example.com"})
        st, _, hs, body = self.req("PATCH", "profiles?user_id=eq." + DEMO_USER, {"free_image_quota": 4})
        self.assertEqual((st, body), (204, b""))
        self.assertEqual(header(hs, "Content-Range"), "0-0/*")
        # An UPDATE writes a new row version at the end of the heap, so reads
        # without an order list it last.
        _, _, _, body = self.req("GET", "profiles?select=email,free_image_quota")
        self.assertEqual(json.loads(body), [{"email": "second@example.com", "free_image_quota": 5},
                                            {"email": "demo@example.com", "free_image_quota": 4}])

    def test_patch_representation_with_no_rows(self):
        st, _, hs, body = self.req("PATCH", "profiles?user_id=eq." + SECOND_USER, {"free_image_quota": 1},
                                   Prefer="return=representation")
        # No row updated with return=representation: 200 with [] and Content-Range */*.
        self.assertEqual((st, body), (200, b"[]"))
        self.assertEqual(header(hs, "Content-Range"), "*/*")

    def test_unfiltered_patch_and_delete_are_refused(self):
        self.assertError(self.req("PATCH", "profiles", {"free_image_quota": 0}), 400,
                         error("21000", "UPDATE requires a WHERE clause"))
        self.assertError(self.req("DELETE", "profiles"), 400,
                         error("21000", "DELETE requires a WHERE clause"))

    def test_delete(self):
        self.req("POST", "profiles", {"user_id": SECOND_USER})
        st, _, hs, body = self.req("DELETE", "profiles?user_id=eq." + SECOND_USER, Prefer="count=exact")
        self.assertEqual((st, body), (204, b""))
        self.assertEqual(header(hs, "Content-Range"), "*/1")

    def test_tx_rollback_is_ignored_without_override(self):
        # db_tx_end "commit" does not allow the override (Prefer tx is then ignored).
        st, _, hs, _ = self.req("POST", "profiles", {"user_id": SECOND_USER}, Prefer="tx=rollback")
        self.assertEqual(st, 201)
        self.assertIsNone(header(hs, "Preference-Applied"))
        _, _, hs, _ = self.req("HEAD", "profiles", Prefer="count=exact")
        self.assertEqual(header(hs, "Content-Range"), "0-1/2")

    def test_strict_handling_rejects_invalid_preferences(self):
        self.assertError(self.req("GET", "profiles", Prefer="handling=strict, foo"), 400,
                         error("PGRST122", "Invalid preferences given with handling=strict",
                               "Invalid preferences: foo"))

    def test_put_upserts_by_primary_key(self):
        pid = "0b7e2d4c-1111-4222-8333-944455556666"
        st, _, _, body = self.req("PUT", "profiles?id=eq." + pid + "&select=id,user_id",
                                  {"id": pid, "user_id": SECOND_USER}, Prefer="return=representation")
        self.assertEqual(st, 201)
        self.assertEqual(body, ('[{"id":"%s","user_id":"%s"}]' % (pid, SECOND_USER)).encode())
        self.assertError(self.req("PUT", "profiles?user_id=eq." + SECOND_USER, {"user_id": SECOND_USER}),
                         405, error("PGRST105", "Filters must include all and only primary key columns "
                                    "with 'eq' operators"))

    # -- gateway -------------------------------------------------------------------

    def test_missing_apikey(self):
        st, _, _, body = self.mock.request("GET", "/rest/v1/profiles")
        self.assertEqual(st, 401)
        self.assertEqual(body, b'{"message":"No API key found in request","hint":"No `apikey` request '
                               b'header or url param was found."}')

    def test_invalid_apikey(self):
        st, _, _, body = self.mock.request("GET", "/rest/v1/profiles", headers={"apikey": "nope"})
        self.assertEqual(st, 401)
        self.assertEqual(body, b'{"message":"Invalid API key","hint":"Double check your Supabase '
                               b'`anon` or `service_role` API key."}')

    def test_apikey_in_query_string(self):
        st, _, _, body = self.mock.request("GET", "/rest/v1/profiles?select=user_id&apikey=" + SERVICE)
        self.assertEqual((st, body), (200, ('[{"user_id":"%s"}]' % DEMO_USER).encode()))

    def test_wrong_secret_jwt_is_pgrst301(self):
        forged = SERVICE[:-2] + ("AA" if not SERVICE.endswith("AA") else "BB")
        st, _, hs, body = self.mock.request("GET", "/rest/v1/profiles",
                                            headers={"apikey": ANON, "Authorization": "Bearer " + forged})
        self.assertEqual(st, 401)
        # PostgREST v13+ texts (Error.hs), as field reports and public logs show them.
        self.assertEqual(body, error("PGRST301", "No suitable key or wrong key type",
                                     "None of the keys was able to decode the JWT"))
        self.assertEqual(header(hs, "WWW-Authenticate"),
                         'Bearer error="invalid_token", error_description="No suitable key or wrong key type"')

    def test_opaque_key_as_bearer_is_no_user_jwt(self):
        # `Bearer sb_...` counts as no user JWT (Supabase's Kong rewrite); the
        # secret key maps to service_role.
        sb_secret = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"
        st, _, _, body = self.mock.request("GET", "/rest/v1/profiles?select=user_id",
                                           headers={"apikey": sb_secret, "Authorization": "Bearer " + sb_secret})
        self.assertEqual((st, body), (200, ('[{"user_id":"%s"}]' % DEMO_USER).encode()))

    def test_cors_preflight_is_answered_by_the_gateway(self):
        # Kong 2.8.1's cors plugin runs before key-auth (priority 2000): no apikey needed.
        st, _, hs, body = self.mock.request("OPTIONS", "/rest/v1/profiles", headers={
            "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "apikey,authorization,content-type"})
        self.assertEqual((st, body), (200, b""))
        self.assertEqual(header(hs, "Access-Control-Allow-Origin"), "*")
        self.assertEqual(header(hs, "Access-Control-Allow-Headers"), "apikey,authorization,content-type")
        self.assertEqual(header(hs, "Access-Control-Allow-Methods"),
                         "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT")

    def test_api_responses_allow_any_origin(self):
        _, _, hs, _ = self.req("GET", "profiles", Origin="http://localhost:3000")
        self.assertEqual(header(hs, "Access-Control-Allow-Origin"), "*")
        # PostgREST's CORS middleware exposes its headers (CorsSpec.hs).
        self.assertEqual(header(hs, "Access-Control-Expose-Headers"),
                         "Content-Encoding, Content-Location, Content-Range, Content-Type, Date, "
                         "Location, Server, Transfer-Encoding, Range-Unit")
        _, _, hs, _ = self.mock.request("GET", "/rest/v1/profiles")  # rejected by key-auth
        self.assertEqual(header(hs, "Access-Control-Allow-Origin"), "*")

    def test_unknown_route(self):
        st, _, _, body = self.mock.request("GET", "/nope")
        self.assertEqual((st, body), (404, b'{"message":"no Route matched with those values"}'))


if __name__ == "__main__":
    unittest.main()
