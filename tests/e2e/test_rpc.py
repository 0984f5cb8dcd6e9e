"""/rest/v1/rpc/NAME on the memory engine: it reports no routines yet, so every
call is PGRST202, worded exactly as PostgREST words it for the arguments
actually sent.

The texts are Error.hs's NoRpc (message, details, hint) for the key set that
ApiRequest.hs/Payload.hs/QueryParams.hs derive from the request: the query
string's arguments on GET/HEAD (values that are no operator expression,
QueryParams.parse with isRpcRead), the JSON body's keys on POST, the form
body's names, none for a raw text/xml/octet-stream body. Examples of each
shape are in PostgREST's test/spec/Feature/Query/RpcSpec.hs ("should fail
with 404 and hint the closest args on unknown proc args", "should not ignore
unknown args and fail with 404", "will err when no function with single
unnamed text parameter exists and text/plain is specified").
"""

import json
import os
import unittest

from harness import Supamock, header, source_dir
from test_rest import SERVICE, JSON_CT, keyed, error

FIXTURE = os.path.join(source_dir(), "tests", "fixtures", "two-users.json")


def details(fn, how):
    return "Searched for the function public.%s%s, but no matches were found in the schema cache." % (
        fn, how)


class RpcOnTheMemoryEngine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--scenario", FIXTURE).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def call(self, method, path, body=None, **headers):
        return self.mock.request(method, "/rest/v1/rpc/" + path, body=body,
                                 headers=keyed(SERVICE, **headers))

    def assertNoRpc(self, resp, message, det, hint=None):
        st, _, hs, data = resp
        self.assertEqual(st, 404)
        self.assertEqual(json.loads(data), json.loads(error("PGRST202", message, det, hint)))
        self.assertEqual(header(hs, "Content-Type"), JSON_CT)

    def test_get_without_arguments(self):
        # RpcSpec.hs "should fail with 404 and hint the closest proc on unknown proc name".
        self.assertNoRpc(self.call("GET", "fake"),
                         "Could not find the function public.fake without parameters in the schema cache",
                         details("fake", " without parameters"))

    def test_get_arguments_are_a_sorted_set(self):
        # S.toList of the key set: sorted, a repeated key once (RpcSpec.hs
        # "should not ignore unknown args": "(a, b, smthelse)").
        self.assertNoRpc(self.call("GET", "add_them?b=2&a=1&a=3"),
                         "Could not find the function public.add_them(a, b) in the schema cache",
                         details("add_them", " with parameters a, b"))
        self.assertNoRpc(self.call("GET", "sayhello?nam=Peter"),
                         "Could not find the function public.sayhello(nam) in the schema cache",
                         details("sayhello", " with parameter nam"))

    def test_get_filters_are_not_arguments(self):
        # pRequestFilter True: "eq.1" is an operator expression, a filter on
        # the result; "1" is an argument; select/order/limit are reserved.
        self.assertNoRpc(self.call("GET", "fn?id=eq.1&x=1&select=a&order=a&limit=1"),
                         "Could not find the function public.fn(x) in the schema cache",
                         details("fn", " with parameter x"))
        self.assertNoRpc(self.call("GET", "fn?id=not.eq.1"),
                         "Could not find the function public.fn without parameters in the schema cache",
                         details("fn", " without parameters"))

    def test_head_and_options(self):
        st, _, hs, data = self.call("HEAD", "fn?a=1")
        self.assertEqual((st, data), (404, b""))
        # OPTIONS (ActRoutineInfo) parses the query string as for a table: no arguments.
        self.assertNoRpc(self.call("OPTIONS", "fn"),
                         "Could not find the function public.fn without parameters in the schema cache",
                         details("fn", " without parameters"))

    def test_post_json_mentions_the_single_unnamed_parameter(self):
        # Error.hs: (True, MTApplicationJSON) adds " or with a single unnamed
        # json/jsonb parameter" (RpcSpec.hs named_json_param case).
        self.assertNoRpc(self.call("POST", "fn", '{"b": 1, "a": 2}', **{"Content-Type": "application/json"}),
                         "Could not find the function public.fn(a, b) in the schema cache",
                         details("fn", " with parameters a, b or with a single unnamed json/jsonb parameter"))
        # No Content-Type is JSON; an empty body is {} (Payload.hs emptyObject).
        self.assertNoRpc(self.call("POST", "fn", ""),
                         "Could not find the function public.fn without parameters in the schema cache",
                         details("fn", " without parameters or with a single unnamed json/jsonb parameter"))
        # An array of objects: the keys they share (payloadAttributes).
        self.assertNoRpc(self.call("POST", "fn", '[{"x": 1}, {"x": 2}]', **{"Content-Type": "application/json"}),
                         "Could not find the function public.fn(x) in the schema cache",
                         details("fn", " with parameter x or with a single unnamed json/jsonb parameter"))
        # columns= names the keys of a RawJSON body.
        self.assertNoRpc(self.call("POST", "fn?columns=k,j", '{"z": 1}', **{"Content-Type": "application/json"}),
                         "Could not find the function public.fn(j, k) in the schema cache",
                         details("fn", " with parameters j, k or with a single unnamed json/jsonb parameter"))

    def test_post_json_errors_come_first(self):
        # Payload.hs: invalid JSON and mismatched keys are PGRST102 before any lookup.
        st, _, _, data = self.call("POST", "fn", "{", **{"Content-Type": "application/json"})
        self.assertEqual((st, data), (400, error("PGRST102", "Empty or invalid json")))
        st, _, _, data = self.call("POST", "fn", '[{"a": 1}, {"b": 1}]',
                                   **{"Content-Type": "application/json"})
        self.assertEqual((st, data), (400, error("PGRST102", "All object keys must match")))

    def test_post_form(self):
        # MTUrlEncoded: the form's names, without the json/jsonb alternative.
        self.assertNoRpc(self.call("POST", "fn", "b=1&a=x+y", **{"Content-Type": "application/x-www-form-urlencoded"}),
                         "Could not find the function public.fn(a, b) in the schema cache",
                         details("fn", " with parameters a, b"))

    def test_post_csv(self):
        # MTTextCSV: csvToJson's array, its header's names as the keys, and no
        # json/jsonb alternative in the details.
        self.assertNoRpc(self.call("POST", "fn", "b,a\n1,2\n", **{"Content-Type": "text/csv"}),
                         "Could not find the function public.fn(a, b) in the schema cache",
                         details("fn", " with parameters a, b"))

    def test_post_raw_bodies(self):
        # RpcSpec.hs "will err when no function with single unnamed text/xml/bytea
        # parameter exists": no parameter list in the message, no hint.
        for ct, what in (("text/plain", "text"), ("text/xml", "xml"),
                         ("application/octet-stream", "bytea")):
            self.assertNoRpc(self.call("POST", "unnamed_int_param", "1", **{"Content-Type": ct}),
                             "Could not find the function public.unnamed_int_param in the schema cache",
                             details("unnamed_int_param", " with a single unnamed %s parameter" % what))


if __name__ == "__main__":
    unittest.main()
