"""Repeated names and text Postgres refuses, on the wire.

PostgREST reads columns= and the payload's keys as sets, and hands the body to
Postgres, whose json_to_record(set) keeps the last of duplicate keys, refuses
the \\u0000 escape, and whose UTF-8 verification refuses bad bytes. Expected
texts come from PostgREST v14.17's source (github.com/PostgREST/postgrest) and
from PostgreSQL 15 itself, as each test says.
"""

import json
import os
import unittest

from harness import FIXED_CLOCK, ResponseReader, Supamock, header

SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
ANON = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJl"
        "eHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0")
DEMO_USER = "13ab4cf1-8587-4685-874b-c2d37beeab38"
ROW = "profiles?user_id=eq." + DEMO_USER


def error(code, message, details=None, hint=None):
    return json.dumps({"code": code, "details": details, "hint": hint, "message": message},
                      separators=(",", ":"), ensure_ascii=False).encode()


def vm_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)


class BadTextTest(unittest.TestCase):
    def setUp(self):
        # ASan keeps freed blocks in a quarantine (256 MB by default) before
        # reusing them; without it, freed memory is reused at once and RSS
        # measures what is really kept.
        asan = os.environ.get("ASAN_OPTIONS", "")
        self.mock = Supamock(*FIXED_CLOCK, env={"ASAN_OPTIONS": asan + ":quarantine_size_mb=0"}).start()

    def tearDown(self):
        self.mock.stop()

    def req(self, method, path, body=None, key=SERVICE, content_type="application/json",
            prefer="return=representation"):
        h = {"apikey": key, "Authorization": "Bearer " + key}
        if prefer:
            h["Prefer"] = prefer
        if body is not None:
            h["Content-Type"] = content_type
        return self.mock.request(method, "/rest/v1/" + path, body=body, headers=h)

    def assertError(self, resp, status, body):
        st, _, hs, data = resp
        self.assertEqual((st, data), (status, body))
        self.assertEqual(header(hs, "Proxy-Status"), "PostgREST; error=" + json.loads(body)["code"])

    def full_name(self):
        st, _, _, body = self.req("GET", ROW + "&select=full_name")
        self.assertEqual(st, 200)
        return json.loads(body)[0]["full_name"]

    # -- item 1: repeated names ---------------------------------------------------

    def test_repeated_columns_do_not_leak(self):
        # The attack: one name 1,000 times in columns= with a 100 kB value, as
        # anon. anon may INSERT but no policy lets the row in, so every request
        # ends in 42501 "new row violates row-level security policy" (401 for
        # the anon role, Error.hs pgErrorStatus) after the values were read.
        path = "profiles?columns=" + ",".join(["full_name"] * 1000)
        body = json.dumps({"full_name": "x" * 100_000})

        def attack():
            resp = self.req("POST", path, body, key=ANON, prefer=None)
            self.assertError(resp, 401, error(
                "42501", 'new row violates row-level security policy for table "profiles"'))

        attack()  # warms the allocator's pools
        before = vm_rss_kb(self.mock.proc.pid)
        for _ in range(5):
            attack()
        grown = vm_rss_kb(self.mock.proc.pid) - before
        # Each attack used to keep about 100 MB (999 overwritten copies).
        self.assertLess(grown, 20_000, "RSS grew by %d kB over 5 attacks" % grown)
        self.mock.assert_healthy(self)

    def test_repeated_column_counts_once(self):
        # pRequestColumns is S.fromList (QueryParams.hs): the name counts once.
        st, _, _, body = self.req(
            "PATCH", ROW + "&columns=full_name,full_name&select=full_name",
            json.dumps({"full_name": "New Name"}))
        self.assertEqual((st, body), (200, b'[{"full_name":"New Name"}]'))

    def test_columns_resolve_in_ascending_order(self):
        # Plan.hs resolves S.toList of the column set, so of two unknown names
        # the smaller one is reported (PGRST204, Error.hs).
        resp = self.req("POST", "profiles?columns=zz,aa,zz", '{"zz":1}')
        self.assertError(resp, 400, error(
            "PGRST204", "Could not find the 'aa' column of 'profiles' in the schema cache"))

    def test_last_duplicate_key_wins(self):
        # PostgreSQL 15: select * from json_to_record('{"a":"first","a":"last"}'::json)
        # as t(a text) gives "last" (json_to_recordset likewise); that is what
        # PostgREST's UPDATE ... FROM json_to_record($1) and INSERT ... FROM
        # json_to_recordset($1) read (SqlFragment.hs fromJsonBodyF).
        for method in ("PATCH", "PUT"):
            with self.subTest(method=method):
                if method == "PATCH":
                    path = ROW
                    body = '{"full_name":"first","full_name":"last %s"}' % method
                else:
                    path = "profiles?id=eq.5f0c6a4e-7a43-4c1b-9d55-2d4bce1f0a11"
                    body = ('{"id":"5f0c6a4e-7a43-4c1b-9d55-2d4bce1f0a11","user_id":"%s",'
                            '"email":"demo@example.com","full_name":"first",'
                            '"full_name":"last %s"}' % (DEMO_USER, method))
                st, _, _, _ = self.req(method, path, body)
                self.assertEqual(st, 200)
                self.assertEqual(self.full_name(), "last " + method)
        # POST (an upsert onto the demo row): the rows' key sets are compared
        # as sets (Payload.hs payloadAttributes), so repeats are no PGRST102.
        st, _, _, body = self.req(
            "POST", "profiles?on_conflict=user_id&select=email,full_name",
            '[{"user_id":"%s","email":"a@x","full_name":"one","full_name":"two","email":"b@x"},'
            '{"email":"b@x","user_id":"%s","full_name":"three"}]' % (DEMO_USER, DEMO_USER),
            prefer="return=representation,resolution=merge-duplicates")
        # Both rows hit the same row: Postgres refuses the second (21000).
        self.assertEqual(json.loads(body)["code"], "21000")
        st, _, _, body = self.req(
            "POST", "profiles?on_conflict=user_id&select=email,full_name",
            '[{"user_id":"%s","email":"a@x","full_name":"one","full_name":"two","email":"b@x"}]'
            % DEMO_USER, prefer="return=representation,resolution=merge-duplicates")
        self.assertEqual((st, body), (200, b'[{"email":"b@x","full_name":"two"}]'))

    # -- item 9: text Postgres refuses ------------------------------------------------

    def test_nul_escape_is_refused(self):
        # PostgreSQL 15: select * from json_to_record('{"a":"x\u0000y"}'::json)
        # as t(a text) -> ERROR 22P05 unsupported Unicode escape sequence,
        # DETAIL \u0000 cannot be converted to text. It is raised for any string
        # of the object (other keys, nested values, key names too), since the
        # whole object is de-escaped. Class 22 is 400 (Error.hs pgErrorStatus).
        refused = error("22P05", "unsupported Unicode escape sequence",
                        details="\\u0000 cannot be converted to text.")
        for body in ('{"full_name":"x\\u0000y"}',
                     '{"full_name":"ok","email":"a\\u0000"}',
                     '{"full_name":"ok","x\\u0000":1}'):
            with self.subTest(body=body):
                self.assertError(self.req("PATCH", ROW + "&columns=full_name", body), 400, refused)
        self.assertError(self.req("PATCH", ROW, '{"full_name":"x\\u0000y"}'), 400, refused)
        self.assertEqual(self.full_name(), "Demo User")
        # An escaped backslash before u0000 is plain text.
        st, _, _, body = self.req("PATCH", ROW + "&select=full_name", '{"full_name":"x\\\\u0000"}')
        self.assertEqual((st, body), (200, b'[{"full_name":"x\\\\u0000"}]'))

    def test_invalid_utf8_body_is_invalid_json(self):
        # Without columns= PostgREST decodes the body with aeson (Payload.hs
        # JSON.decode), whose string decoder refuses bytes that are not UTF-8
        # and raw control characters ("unescaped control character"); any
        # failure is "Empty or invalid json" (PGRST102, 400).
        invalid = error("PGRST102", "Empty or invalid json")
        for body in (b'{"full_name":"x\xffy"}', b'{"full_name":"\xc3("}',
                     b'{"full_name":"\xed\xa0\x80"}', b'{"full_name":"a\nb"}'):
            with self.subTest(body=body):
                self.assertError(self.req("PATCH", ROW, body), 400, invalid)
                self.assertError(self.req("POST", "profiles", body), 400, invalid)
        self.assertEqual(self.full_name(), "Demo User")

    def test_invalid_utf8_body_with_columns_is_refused_by_postgres(self):
        # With columns= the body goes to Postgres undecoded (Payload.hs RawJSON),
        # as the json parameter, whose binary input verifies the encoding.
        # PostgreSQL 15 through libpq, json_to_recordset($1) with a json
        # parameter: ERROR 22021 invalid byte sequence for encoding "UTF8":
        # 0xff; as many bytes as the lead byte announces, e.g. "0xe2 0x82 0x22"
        # for a truncated three-byte sequence before the closing quote.
        cases = ((b'{"full_name":"x\xffy"}', "0xff"),
                 (b'{"full_name":"x\xe2\x82"}', "0xe2 0x82 0x22"),
                 (b'{"full_name":"x\xc0\x80"}', "0xc0 0x80"))
        for body, hexes in cases:
            with self.subTest(body=body):
                resp = self.req("PATCH", ROW + "&columns=full_name", body)
                self.assertError(resp, 400, error(
                    "22021", 'invalid byte sequence for encoding "UTF8": ' + hexes))
        self.assertEqual(self.full_name(), "Demo User")
        st, _, _, body = self.req("GET", ROW)
        json.loads(body)  # every answer stays valid JSON

    def test_other_content_types_are_not_json(self):
        # MediaType.hs decodeMediaType: "application/jsonx" is another type
        # (MTOther), which Payload.hs refuses with PGRST102 "Content-Type not
        # acceptable: " + toMime, the header as sent for an unknown type and
        # the canonical name for a known one. vnd.pgrst.array+json is JSON.
        cases = (("application/jsonx", "application/jsonx"),
                 ("application/json-patch+json", "application/json-patch+json"),
                 ("text/plain; charset=utf-8", "text/plain"),
                 ("application/vnd.pgrst.object+json", "application/vnd.pgrst.object+json"))
        for ct, name in cases:
            with self.subTest(content_type=ct):
                resp = self.req("PATCH", ROW, '{"full_name":"x"}', content_type=ct)
                self.assertError(resp, 400, error(
                    "PGRST102", "Content-Type not acceptable: " + name))
        for ct in ("application/json;charset=utf-8", "APPLICATION/JSON",
                   "application/vnd.pgrst.array+json"):
            with self.subTest(content_type=ct):
                st, _, _, _ = self.req("PATCH", ROW, '{"full_name":"y"}', content_type=ct)
                self.assertEqual(st, 200)

    def test_nul_in_a_filter_value_ends_it(self):
        # PostgREST passes a filter value as a text-format parameter
        # (SqlFragment.hs unknownLiteral; hasql's unknown encoder is text
        # format), and libpq reads a text parameter up to its first NUL, so
        # eq.5%00x filters on 5 (PostgreSQL 15 via libpq: $1::int with the
        # bytes "1\0x" gives 1).
        st, _, _, body = self.req("GET", "profiles?free_image_quota=eq.5%00x&select=full_name")
        self.assertEqual((st, body), (200, b'[{"full_name":"Demo User"}]'))

    # A query parameter that is not UTF-8. QueryParams.hs (PostgREST v14.17)
    # decodes every key and value it reads with T.decodeUtf8, which throws
    # (text 2.0's strict decoder: overlong forms and surrogates too); App.hs
    # installs no handler that answers, so Warp 3.4.14 (the version
    # stack.yaml pins) sends defaultOnExceptionResponse (warp
    # Network/Wai/Handler/Warp/Settings.hs): 500, Content-Type
    # "text/plain; charset=utf-8", body "Something went wrong"; its
    # sendResponse adds Date and Server (setServerName "postgrest/<version>"
    # in App.hs). The exception bypasses PostgREST's own middlewares (no
    # Proxy-Status, no CORS headers of PostgREST's); the gateway's
    # Access-Control-Allow-Origin still comes on top. PostgREST issue #1944
    # shows the decodeUtf8 exception for a %ef in a query string.
    WARP_500 = [("Date", "Thu, 01 Jan 2026 00:00:00 GMT"), ("Server", "postgrest/14.5"),
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Access-Control-Allow-Origin", "*"), ("Content-Length", "20")]

    def test_query_parameter_not_utf8_is_warps_500(self):
        cases = [
            "full_name=eq.%FF",             # a filter value
            "%FF=eq.1",                     # a key
            "select=%FF",                   # the select list
            "order=full_name%C3%28",        # a truncated sequence in order
            "or=(full_name.eq.%E9)",        # a logic tree
            "columns=%FF",                  # columns
            "limit=%FF",                    # read by ApiRequest.getRanges
            "offset=1%FF",
            "full_name=eq.%ED%A0%80",       # a UTF-16 surrogate
            "full_name=eq.%C0%80",          # an overlong NUL
            "full_name=eq.%F4%90%80%80",    # past U+10FFFF
            "select=id&%FF",                # a key without a value (L.lookup "columns")
        ]
        for q in cases:
            with self.subTest(query=q):
                st, _, hs, body = self.req("GET", "profiles?" + q, prefer=None)
                self.assertEqual((st, body), (500, b"Something went wrong"))
                self.assertEqual(hs, self.WARP_500)
        # PATCH reads its query string the same way, before the body.
        st, _, hs, body = self.req("PATCH", "profiles?full_name=eq.%FF", '{"full_name":"x"}')
        self.assertEqual((st, body, hs), (500, b"Something went wrong", self.WARP_500))
        # Nothing was written, and the server keeps serving.
        st, _, _, body = self.req("GET", ROW + "&select=full_name")
        self.assertEqual((st, body), (200, b'[{"full_name":"Demo User"}]'))

    def test_raw_byte_in_the_request_target_is_refused_by_the_http_layer(self):
        # RFC 9112 section 3.2: the request-target is ASCII (RFC 3986 characters),
        # and supamock's HTTP parsing is strict (llhttp's strict mode), so an
        # unescaped 0xFF never reaches PostgREST's query parser: 400 and close,
        # as for any malformed request line. Escaped as %FF it gets Warp's 500
        # (test_query_parameter_not_utf8_is_warps_500).
        with self.mock.connect() as s:
            s.sendall(b"GET /rest/v1/profiles?full_name=eq.\xff HTTP/1.1\r\nHost: t\r\n"
                      b"apikey: " + SERVICE.encode() + b"\r\n\r\n")
            st, _, hs, body = ResponseReader(s).read()
        self.assertEqual(st, 400)
        self.assertIn(("Connection", "close"), hs)

    def test_head_not_utf8_has_no_body(self):
        # Warp's sendResponse answers HEAD with RspNoBody: no body and, for a
        # responseLBS without one, no Content-Length (Response.hs).
        with self.mock.connect() as s:
            s.sendall(b"HEAD /rest/v1/profiles?full_name=eq.%FF HTTP/1.1\r\nHost: t\r\n"
                      b"apikey: " + SERVICE.encode() + b"\r\n\r\n"
                      b"GET /rest/v1/profiles?select=full_name HTTP/1.1\r\nHost: t\r\n"
                      b"apikey: " + SERVICE.encode() + b"\r\n\r\n")
            reader = ResponseReader(s)
            st, _, hs, _ = reader.read(head_only=True)
            self.assertEqual((st, hs), (500, self.WARP_500[:4]))
            # The next response on the connection parses: no stray body bytes.
            st, _, _, body = reader.read()
            self.assertEqual((st, body), (200, b'[{"full_name":"Demo User"}]'))

    def test_not_utf8_comes_after_the_gateway_and_jwt(self):
        # The gateway checks the apikey, and PostgREST's Auth.middleware the
        # JWT, before the application parses the query (App.hs postgrest).
        st, _, _, body = self.mock.request("GET", "/rest/v1/profiles?full_name=eq.%FF")
        self.assertEqual(st, 401)
        self.assertEqual(json.loads(body)["message"], "No API key found in request")
        st, _, hs, body = self.mock.request(
            "GET", "/rest/v1/profiles?full_name=eq.%FF",
            headers={"apikey": SERVICE, "Authorization": "Bearer not-a-jwt"})
        self.assertEqual((st, header(hs, "Proxy-Status")), (401, "PostgREST; error=PGRST301"))

    def test_not_utf8_is_read_lazily(self):
        # Haskell decodes a parameter when QueryParams.parse first reads it:
        # the order parameters are parsed while the keys are scanned, so a
        # bad order before the bad key answers PGRST100 (Either stops at the
        # first Left) ...
        resp = self.req("GET", "profiles?order=full_name.x&%FF=eq.1", prefer=None)
        self.assertError(resp, 400, error(
            "PGRST100", '"failed to parse order (full_name.x)" (line 1, column 11)',
            'unexpected "x" expecting "asc", "desc", "nullsfirst" or "nullslast"'))
        # ... and a second select= is never read (lookupParam takes the
        # first), while Content-Location keeps its bytes (qsCanonical is built
        # from the undecoded parameters, repeated keys joined with ",").
        st, _, hs, body = self.req("GET", "profiles?select=full_name&select=%FF", prefer=None)
        self.assertEqual((st, body), (200, b'[{"full_name":"Demo User"}]'))
        self.assertEqual(header(hs, "Content-Location"), "/profiles?select=full_name,%FF")

    # A decoded %00 in a parameter PostgREST parses with Parsec. Parsec reads
    # the NUL as any other character (showLitChar prints it as \NUL); the
    # message is `show (errorPos e)`, whose source name is the value as is,
    # so aeson writes the NUL as \u0000 (QueryParams.hs mapError).

    def test_nul_in_the_select_list(self):
        # pFieldSelect reads "id", then finds neither ")", "," nor the end
        # (pEnd): the expected set is that of the doctest for "name!hint".
        resp = self.req("GET", "profiles?select=id%00,full_name", prefer=None)
        self.assertError(resp, 400, error(
            "PGRST100", '"failed to parse select parameter (id\u0000,full_name)" (line 1, column 3)',
            "unexpected '\\NUL' expecting letter, digit, \"-\", \"->>\", \"->\", \"::\", \".\", "
            "\")\", \",\" or end of input"))

    def test_nul_alone_in_the_select_list_is_an_empty_select(self):
        # With the NUL first, no item starts and consumes nothing, so
        # pFieldForest (sepBy, no eof) gives [], as select= does; an empty
        # root select reads every column (QueryBuilder.hs defSelect; QuerySpec
        # "empty root select gives all columns"). Content-Location keeps %00.
        full = self.req("GET", ROW, prefer=None)[3]
        for q in ("select=", "select=%00"):
            with self.subTest(query=q):
                st, _, hs, body = self.req("GET", "profiles?" + q, prefer=None)
                self.assertEqual((st, body), (200, full))
                self.assertEqual(header(hs, "Content-Location"), "/profiles?" + q)

    def test_nul_in_order(self):
        # pOrder reads the field "full_name", then wants a delimiter, "," or
        # the end: the expected set of the doctest for pOrder "clients(name,id)".
        resp = self.req("GET", "profiles?order=full_name%00x", prefer=None)
        self.assertError(resp, 400, error(
            "PGRST100", '"failed to parse order (full_name\u0000x)" (line 1, column 10)',
            "unexpected '\\NUL' expecting letter, digit, \"-\", \"->>\", \"->\", "
            "delimiter (.), \",\" or end of input"))


if __name__ == "__main__":
    unittest.main()
