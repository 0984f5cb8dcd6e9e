"""The OpenAPI document at GET /rest/v1/ (PostgREST's root endpoint), over
PostgREST's own spec fixture (tests/conformance/postgrest). Expectations are
PostgREST v14's test/spec/Feature/OpenApi/OpenApiSpec.hs (lines cited) and
its src/library/PostgREST/Response/OpenAPI.hs, Plan.hs (inspectPlan),
ApiRequest.hs (getAction) and Response.hs; the key order is the one aeson
gives swagger2's types, as a hosted project's document shows it.

The fixture cases run on both engines (e2e-postgres/test_openapi runs this
file with --db postgres); what the memory engine leaves out of the fixture
(comments, views, the time type) is checked on a project folder of the
fixture's relations, on the database engine.

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_openapi.py
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import Supamock, binary, source_dir

# PostgREST's fixture creates a foreign-data server and other objects that
# need the administrator, as in PostgREST's own test setup: on the database
# engine its SQL runs as the administrator only when trusted so (pg_load.c).
os.environ["SUPAMOCK_PG_TRUST_SQL"] = "1"

FIXTURE = os.path.join(source_dir(), "tests", "conformance", "postgrest")
SCENARIO = os.path.join(FIXTURE, "scenario.json")
CLOCK = "2026-01-01T00:00:00Z"
ON_PG = os.environ.get("SUPAMOCK_ENGINE") == "postgres"
SPEC = "test/spec/Feature/OpenApi/OpenApiSpec.hs"


def token(role):
    return subprocess.run(
        [binary(), "token", "--scenario", SCENARIO, "--role", role, "--exp", "never",
         "--clock", CLOCK], check=True, capture_output=True, text=True, cwd=FIXTURE).stdout.strip()


class OpenApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        keys = json.loads(subprocess.run(
            [binary(), "keys", "--scenario", SCENARIO, "--format", "json"], check=True,
            capture_output=True, text=True, cwd=FIXTURE).stdout)
        cls.apikey = keys["SUPABASE_ANON_KEY"]
        # PostgREST's spec runs as postgrest_test_anonymous (its db-anon-role).
        cls.anon = token("postgrest_test_anonymous")
        cls.author = token("postgrest_test_author")
        cls.mock = Supamock("--scenario", SCENARIO, "--clock", CLOCK, cwd=FIXTURE,
                            ready_timeout=120).start()
        st, _, _, body = cls.root()
        assert st == 200, body
        cls.doc = json.loads(body)

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    @classmethod
    def root(cls, method="GET", accept=None, bearer=None, extra=None):
        h = {"apikey": cls.apikey, "Authorization": "Bearer " + (bearer or cls.anon)}
        if accept:
            h["Accept"] = accept
        h.update(extra or {})
        st, _, hs, body = cls.mock.request(method, "/rest/v1/", headers=h)
        return st, {k.lower(): v for k, v in hs}, hs, body

    # -- the answer -------------------------------------------------------

    def test_head_has_no_length(self):
        # OpenApiSpec.hs:19 "root path returns a valid openapi spec": HEAD with
        # Accept application/openapi+json is 200, the openapi content type, no
        # Content-Length (Response.hs: headersOnly drops it).
        st, hs, _, body = self.root("HEAD", accept="application/openapi+json")
        self.assertEqual(st, 200)
        self.assertEqual(hs["content-type"], "application/openapi+json; charset=utf-8")
        self.assertNotIn("content-length", hs)
        self.assertEqual(body, b"")

    def test_get_content_type_and_length(self):
        # OpenApiSpec.hs:40 "includes postgrest.org current version api docs":
        # a non-zero Content-Length; the docs link of the major version.
        st, hs, _, body = self.root(accept="application/json")
        self.assertEqual(st, 200)
        self.assertEqual(hs["content-type"], "application/openapi+json; charset=utf-8")
        self.assertEqual(int(hs["content-length"]), len(body))
        self.assertGreater(len(body), 0)
        self.assertEqual(self.doc["externalDocs"]["url"],
                         "https://postgrest.org/en/v14/references/api.html")

    def test_unsupported_media_type(self):
        # OpenApiSpec.hs:35 "should respond to openapi request with unsupported
        # media type with 406" (Plan.hs inspectPlan: MediaTypeError, PGRST107).
        st, _, _, body = self.root(accept="text/csv")
        self.assertEqual(st, 406)
        self.assertEqual(json.loads(body), {
            "code": "PGRST107", "details": None, "hint": None,
            "message": "None of these media types are available: text/csv"})

    def test_openapi_on_a_table_is_406(self):
        # OpenApiSpec.hs:30 "should respond to openapi request on none root
        # path with 406".
        h = {"apikey": self.apikey, "Authorization": "Bearer " + self.anon,
             "Accept": "application/openapi+json"}
        st, _, _, _ = self.mock.request("GET", "/rest/v1/items", headers=h)
        self.assertEqual(st, 406)

    def test_options_and_other_methods(self):
        # Response.hs: ActSchemaInfo answers respondInfo "OPTIONS,GET,HEAD";
        # ApiRequest.hs getAction: any other method on the root is
        # UnsupportedMethod (PGRST117, 405).
        st, hs, _, _ = self.root("OPTIONS")
        self.assertEqual(st, 200)
        self.assertEqual(hs["allow"], "OPTIONS,GET,HEAD")
        st, _, _, body = self.root("POST")
        self.assertEqual(st, 405)
        self.assertEqual(json.loads(body)["code"], "PGRST117")
        self.assertEqual(json.loads(body)["message"], "Unsupported HTTP method: POST")

    def test_top_level_shape(self):
        # Response/OpenAPI.hs postgrestSpec; the key order of swagger2's
        # Swagger record, "swagger" first; no security by default
        # (OpenApiSpec.hs:1095 "does not include security or security
        # definitions by default").
        self.assertEqual(list(self.doc), [
            "swagger", "info", "host", "basePath", "schemes", "consumes", "produces", "paths",
            "definitions", "parameters", "externalDocs"])
        self.assertEqual(self.doc["swagger"], "2.0")
        self.assertEqual(self.doc["basePath"], "/")
        self.assertEqual(self.doc["consumes"], [
            "application/json", "application/vnd.pgrst.object+json;nulls=stripped",
            "application/vnd.pgrst.object+json", "text/csv"])
        self.assertEqual(self.doc["paths"]["/"], {"get": {
            "produces": ["application/openapi+json", "application/json"],
            "responses": {"200": {"description": "OK"}},
            "summary": "OpenAPI description (this document)", "tags": ["Introspection"]}})
        self.assertEqual(list(self.doc["paths"])[0], "/")

    # -- tables -------------------------------------------------------------

    def test_table_path_parameters(self):
        # OpenApiSpec.hs:66 "includes paths to tables" (parameters and
        # responses of /child_entities).
        p = self.doc["paths"]["/child_entities"]
        self.assertEqual(list(p), ["get", "post", "delete", "patch"])  # PathItem's field order
        refs = lambda names: [{"$ref": "#/parameters/" + n} for n in names]
        self.assertEqual(p["get"]["parameters"], refs([
            "rowFilter.child_entities.id", "rowFilter.child_entities.name",
            "rowFilter.child_entities.parent_id", "select", "order", "range", "rangeUnit",
            "offset", "limit", "preferCount"]))
        self.assertEqual(p["post"]["parameters"], refs([
            "body.child_entities", "select", "preferPost"]))
        self.assertEqual(p["post"]["responses"]["201"]["description"], "Created")
        self.assertEqual(p["patch"]["responses"]["204"]["description"], "No Content")
        self.assertEqual(p["delete"]["responses"]["204"]["description"], "No Content")
        # OpenApiSpec.hs:123 "includes an array type for GET responses"
        self.assertEqual(p["get"]["responses"]["200"]["schema"], {
            "items": {"$ref": "#/definitions/child_entities"}, "type": "array"})

    def test_privileged_table_hidden_from_anonymous(self):
        # OpenApiSpec.hs:211 "doesn't include privileged table for anonymous",
        # OpenApiSpec.hs:217 "includes table if user has permission".
        self.assertNotIn("/authors_only", self.doc["paths"])
        st, _, _, body = self.root(bearer=self.author)
        self.assertEqual(st, 200)
        doc = json.loads(body)
        self.assertEqual(doc["paths"]["/authors_only"]["post"]["tags"][0], "authors_only")

    def test_type_mapping(self):
        # OpenApiSpec.hs:362 "PostgreSQL to Swagger Type Mapping".
        props = self.doc["definitions"]["openapi_types"]["properties"]
        expect = {
            "a_character_varying": {"format": "character varying", "type": "string"},
            "a_character": {"maxLength": 1, "format": "character", "type": "string"},
            "a_text": {"format": "text", "type": "string"},
            "a_boolean": {"format": "boolean", "type": "boolean"},
            "a_smallint": {"format": "int32", "type": "integer"},
            "a_integer": {"format": "int32", "type": "integer"},
            "a_bigint": {"format": "int64", "type": "integer"},
            "a_numeric": {"format": "numeric", "type": "number"},
            "a_real": {"format": "real", "type": "number"},
            "a_double_precision": {"format": "double precision", "type": "number"},
            "a_json": {"format": "json"},
            "a_jsonb": {"format": "jsonb"},
            "a_text_arr": {"format": "text[]", "type": "array", "items": {"type": "string"}},
            "a_int_arr": {"format": "integer[]", "type": "array", "items": {"type": "integer"}},
            "a_bool_arr": {"format": "boolean[]", "type": "array", "items": {"type": "boolean"}},
            "a_char_arr": {"format": "character[]", "type": "array", "items": {"type": "string"}},
            "a_varchar_arr": {"format": "character varying[]", "type": "array",
                              "items": {"type": "string"}},
            "a_bigint_arr": {"format": "bigint[]", "type": "array", "items": {"type": "integer"}},
            "a_numeric_arr": {"format": "numeric[]", "type": "array",
                              "items": {"type": "number"}},
            "a_json_arr": {"format": "json[]", "type": "array", "items": {}},
            "a_jsonb_arr": {"format": "jsonb[]", "type": "array", "items": {}},
        }
        for col, want in expect.items():
            self.assertEqual(props[col], want, col)

    def test_parameters_section(self):
        # Response/OpenAPI.hs makeParamDefs; OpenApiSpec.hs:1087 "does not
        # include empty enum in the preferParams parameter".
        params = self.doc["parameters"]
        self.assertNotIn("enum", params["preferParams"])
        self.assertEqual(params["preferPost"]["enum"], [
            "return=representation", "return=minimal", "return=none",
            "resolution=ignore-duplicates", "resolution=merge-duplicates"])
        self.assertEqual(params["rangeUnit"], {
            "name": "Range-Unit", "description": "Limiting and Pagination", "required": False,
            "default": "items", "in": "header", "type": "string"})
        self.assertEqual(params["body.child_entities"], {
            "name": "child_entities", "description": "child_entities", "required": False,
            "in": "body", "schema": {"$ref": "#/definitions/child_entities"}})
        self.assertEqual(list(params)[:11], [
            "preferParams", "preferReturn", "preferCount", "preferPost", "select", "on_conflict",
            "order", "range", "rangeUnit", "offset", "limit"])

    def test_defaults_lengths_enums(self):
        # Response/OpenAPI.hs makeProperty over the fixture's DDL: parseDefault
        # of column_default as PostgreSQL prints it (now(); 1; ''::text, the
        # "::text" and the quotes dropped), maxLength from
        # character_maximum_length, the enum's labels in order.
        defs = self.doc["definitions"]
        if not ON_PG:
            # The database engine loads the trusted fixture with another
            # search_path, under which pg_get_expr prints pg_catalog.now().
            self.assertEqual(defs["auto_incrementing_pk"]["properties"]["inserted_at"], {
                "default": "now()", "format": "timestamp with time zone", "type": "string"})
        # nextval('...'::regclass) does not decode as JSON: no default.
        self.assertNotIn("default", defs["auto_incrementing_pk"]["properties"]["id"])
        self.assertEqual(defs["complex_items"]["properties"]["field-with_sep"], {
            "default": 1, "format": "int32", "type": "integer"})
        self.assertEqual(defs["message"]["properties"]["body"], {
            "default": "", "format": "text", "type": "string"})
        self.assertEqual(defs["competitors"]["properties"]["full_name"], {
            "format": "character varying", "maxLength": 40, "type": "string"})
        self.assertEqual(defs["factory_buildings"]["properties"]["code"], {
            "format": "character", "maxLength": 4, "type": "string"})
        visit_type = defs["visits"]["properties"]["visit_type"]
        self.assertEqual(visit_type["enum"], ["vacation", "work"])
        self.assertEqual(visit_type["type"], "string")
        if ON_PG:
            # format_type qualifies a type outside the search_path, as
            # OpenApiSpec.hs:709 "enum" shows ("test.enum_menagerie_type").
            self.assertEqual(visit_type["format"], "test.visit_type")
        self.assertEqual(defs["has_fk"]["properties"]["simple_fk"]["description"],
                         "Note:\nThis is a Foreign Key to `simple_pk.k`."
                         "<fk table='simple_pk' column='k'/>")

    def test_table_definition_pk(self):
        # OpenApiSpec.hs:144 "includes definitions to tables" (the primary key
        # note and required; the comments are checked on the database engine).
        d = self.doc["definitions"]["child_entities"]
        self.assertEqual(d["required"], ["id"])
        self.assertEqual(d["type"], "object")
        self.assertTrue(d["properties"]["id"]["description"].endswith(
            "Note:\nThis is a Primary Key.<pk/>"))



class OpenApiModes(unittest.TestCase):
    """openapi-mode (Config.hs OpenAPIMode) over the fixture: ignore-privileges
    lists every relation of the schema (MainTx.hs), disabled answers
    PGRST126 (ApiRequest.hs getResource, Error.hs: 404 "Root endpoint
    metadata is disabled")."""

    def start(self, mode):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp, True)
        # The fixture's SQL with the mode in the scenario's "postgrest" key
        # (a scenario extends only files of its own folder).
        with open(SCENARIO) as f:
            base = json.loads("".join(l for l in f if not l.lstrip().startswith("//")))
        for name in base["sql"]:
            shutil.copy(os.path.join(FIXTURE, name), tmp)
        base["name"] = "openapi-" + mode
        base["postgrest"]["openapi_mode"] = mode
        path = os.path.join(tmp, "scenario.json")
        with open(path, "w") as f:
            json.dump(base, f)
        keys = json.loads(subprocess.run(
            [binary(), "keys", "--scenario", path, "--format", "json"], check=True,
            capture_output=True, text=True, cwd=tmp).stdout)
        mock = Supamock("--scenario", path, "--clock", CLOCK, cwd=tmp,
                        ready_timeout=120).start()
        self.addCleanup(mock.stop)
        tok = subprocess.run(
            [binary(), "token", "--scenario", path, "--role", "postgrest_test_anonymous",
             "--exp", "never", "--clock", CLOCK], check=True, capture_output=True, text=True,
            cwd=tmp).stdout.strip()
        return mock, {"apikey": keys["SUPABASE_ANON_KEY"], "Authorization": "Bearer " + tok}

    def test_ignore_privileges(self):
        # IgnorePrivOpenApiSpec.hs:41 "includes privileged table even if user
        # does not have permission".
        mock, h = self.start("ignore-privileges")
        st, _, _, body = mock.request("GET", "/rest/v1/", headers=h)
        self.assertEqual(st, 200)
        self.assertIn("/authors_only", json.loads(body)["paths"])

    def test_disabled(self):
        # DisabledOpenApiSpec.hs:17 "responds with 404"; other paths still answer.
        mock, h = self.start("disabled")
        st, _, _, body = mock.request("GET", "/rest/v1/", headers=h)
        self.assertEqual(st, 404)
        self.assertEqual(json.loads(body), {"code": "PGRST126", "details": None, "hint": None,
                                            "message": "Root endpoint metadata is disabled"})
        st, _, _, _ = mock.request("GET", "/rest/v1/items?limit=1", headers=h)
        self.assertEqual(st, 200)

PG_BIN = "/usr/lib/postgresql/15/bin/postgres"
PROJECT = os.path.join(source_dir(), "tests", "fixtures", "projects", "openapi")


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
@unittest.skipIf(ON_PG, "a project folder runs on the database engine anyway: once is enough")
class OpenApiProject(unittest.TestCase):
    """What the memory engine leaves out of PostgREST's fixture (comments,
    views, the time type): a project folder (tests/fixtures/projects/openapi,
    excerpts of the fixture in a Supabase project's public schema) on the
    database engine."""

    @classmethod
    def setUpClass(cls):
        from test_scenarios import ANON, SERVICE
        cls.anon, cls.service = ANON, SERVICE
        cls.mock = Supamock("--project", PROJECT, ready_timeout=120).start()
        cls.doc = cls.get(ANON)

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    @classmethod
    def get(cls, key):
        st, _, _, body = cls.mock.request("GET", "/rest/v1/", headers={"apikey": key})
        assert st == 200, body
        return json.loads(body)

    def test_schema_title(self):
        # Response/OpenAPI.hs postgrestSpec: the schema's comment, first line
        # the title, the rest the description; Supabase's public schema says
        # "standard public schema" (as a hosted project's document shows).
        self.assertEqual(self.doc["info"], {"description": "", "title": "standard public schema",
                                            "version": "14.5"})

    def test_comments_and_keys(self):
        # OpenApiSpec.hs:66 "includes paths to tables" (summary/description),
        # OpenApiSpec.hs:144 "includes definitions to tables".
        get = self.doc["paths"]["/child_entities"]["get"]
        self.assertEqual(get["summary"], "child_entities comment")
        self.assertNotIn("description", get)
        gget = self.doc["paths"]["/grandchild_entities"]["get"]
        self.assertEqual(gget["summary"], "grandchild_entities summary")
        self.assertEqual(gget["description"],
                         "grandchild_entities description\nthat spans\nmultiple lines")
        d = self.doc["definitions"]["child_entities"]
        self.assertEqual(d, {
            "type": "object", "description": "child_entities comment",
            "properties": {
                "id": {"description": "child_entities id comment\n\nNote:\nThis is a Primary "
                                      "Key.<pk/>", "format": "int32", "type": "integer"},
                "name": {"description": "child_entities name comment. Can be longer than "
                                        "sixty-three characters long",
                         "format": "text", "type": "string"},
                "parent_id": {"description": "Note:\nThis is a Foreign Key to `entities.id`."
                                             "<fk table='entities' column='id'/>",
                              "format": "int32", "type": "integer"}},
            "required": ["id"]})
        # A definitions Schema keeps swagger2's field order.
        self.assertEqual(list(d), ["description", "required", "properties", "type"])

    def test_view_definition(self):
        # OpenApiSpec.hs:179 "includes definitions to views": the comments,
        # the primary key of the table it shows, no required.
        d = self.doc["definitions"]["child_entities_view"]
        self.assertEqual(d["description"], "child_entities_view comment")
        self.assertNotIn("required", d)
        self.assertEqual(d["properties"]["id"]["description"],
                         "child_entities_view id comment\n\nNote:\nThis is a Primary Key.<pk/>")
        self.assertEqual(d["properties"]["name"], {
            "description": "child_entities_view name comment. Can be longer than sixty-three "
                           "characters long", "format": "text", "type": "string"})

    def test_defaults(self):
        # OpenApiSpec.hs:653 "Detects default values".
        props = self.doc["definitions"]["openapi_defaults"]["properties"]
        self.assertEqual(props["text"]["default"], "default")
        self.assertIs(props["boolean"]["default"], False)
        self.assertEqual(props["integer"]["default"], 42)
        self.assertEqual(props["numeric"]["default"], 42.2)
        self.assertEqual(props["date"]["default"], "1900-01-01")
        self.assertEqual(props["time"]["default"], "13:00:00")

    def test_enum(self):
        # OpenApiSpec.hs:709 "enum" (the format is the type's name as
        # format_type prints it: unqualified here, the type being in public).
        self.assertEqual(self.doc["definitions"]["menagerie"]["properties"]["enum"], {
            "enum": ["foo", "bar"], "format": "enum_menagerie_type", "type": "string"})

    def test_rpc_get_parameters(self):
        # OpenApiSpec.hs:729 "includes function summary/description and query
        # parameters for arguments in the get path item".
        get = self.doc["paths"]["/rpc/varied_arguments_openapi"]["get"]
        self.assertEqual(get["summary"], "An RPC function")
        self.assertEqual(get["description"], "Just a test for RPC function arguments")
        q = lambda fmt, name, req, typ: {"format": fmt, "in": "query", "name": name,
                                         "required": req, "type": typ}
        self.assertEqual(get["parameters"], [
            q("double precision", "double", True, "number"),
            q("character varying", "varchar", True, "string"),
            q("boolean", "boolean", True, "boolean"),
            q("date", "date", True, "string"),
            q("money", "money", True, "string"),
            q("enum_menagerie_type", "enum", True, "string"),
            q("text[]", "text_arr", True, "string"),
            q("integer[]", "int_arr", True, "string"),
            q("boolean[]", "bool_arr", True, "string"),
            q("character[]", "char_arr", True, "string"),
            q("character varying[]", "varchar_arr", True, "string"),
            q("bigint[]", "bigint_arr", True, "string"),
            q("numeric[]", "numeric_arr", True, "string"),
            q("json[]", "json_arr", True, "string"),
            q("jsonb[]", "jsonb_arr", True, "string"),
            q("int32", "integer", False, "integer"),
            q("json", "json", False, "string"),
            q("jsonb", "jsonb", False, "string")])
        self.assertEqual(get["tags"], ["(rpc) varied_arguments_openapi"])

    def test_rpc_post_body(self):
        # OpenApiSpec.hs:875 "includes function summary/description and body
        # schema for arguments in the post path item".
        post = self.doc["paths"]["/rpc/varied_arguments_openapi"]["post"]
        self.assertEqual(post["summary"], "An RPC function")
        schema = post["parameters"][0]["schema"]
        self.assertEqual(schema["required"], [
            "double", "varchar", "boolean", "date", "money", "enum", "text_arr", "int_arr",
            "bool_arr", "char_arr", "varchar_arr", "bigint_arr", "numeric_arr", "json_arr",
            "jsonb_arr"])
        self.assertEqual(schema["type"], "object")
        self.assertEqual(schema["description"],
                         "An RPC function\n\nJust a test for RPC function arguments")
        props = schema["properties"]
        self.assertEqual(props["double"], {"format": "double precision", "type": "number"})
        self.assertEqual(props["int_arr"], {"format": "integer[]", "type": "array",
                                            "items": {"type": "integer"}})
        self.assertEqual(props["json_arr"], {"format": "json[]", "type": "array", "items": {}})
        self.assertEqual(props["integer"], {"format": "int32", "type": "integer"})
        self.assertEqual(props["json"], {"format": "json"})
        self.assertEqual(post["parameters"][1], {"$ref": "#/parameters/preferParams"})

    def test_rpc_params_and_volatility(self):
        paths = self.doc["paths"]
        # OpenApiSpec.hs:1024 "doesn't include OUT params of function as
        # required parameters", :1032 "includes INOUT params(with no DEFAULT)
        # of function as required parameters".
        self.assertNotIn("required",
                         paths["/rpc/many_out_params"]["post"]["parameters"][0]["schema"])
        self.assertEqual(
            paths["/rpc/many_inout_params"]["post"]["parameters"][0]["schema"]["required"],
            ["num", "str"])
        # OpenApiSpec.hs:1040 "uses a multi collection format when the
        # function has a VARIADIC parameter".
        self.assertEqual(paths["/rpc/variadic_param"]["get"]["parameters"][0], {
            "collectionFormat": "multi", "in": "query",
            "items": {"format": "text", "type": "string"},
            "name": "v", "required": False, "type": "array"})
        # OpenApiSpec.hs:1060 "only includes POST method for volatile
        # functions", :1078 immutable ones get both.
        self.assertEqual(list(paths["/rpc/reset_table"]), ["post"])
        self.assertEqual(list(paths["/rpc/variadic_param"]), ["get", "post"])

    def test_rpc_follow_privileges(self):
        # OpenApiSpec.hs:1009 "doesn't include privileged function for
        # anonymous", :1015 "includes function if user has permission".
        self.assertNotIn("/rpc/privileged_hello", self.doc["paths"])
        doc = self.get(self.service)
        self.assertEqual(doc["paths"]["/rpc/privileged_hello"]["post"]["tags"],
                         ["(rpc) privileged_hello"])

    def test_follow_privileges(self):
        # OpenApiSpec.hs:211/217: a table the role may not use is left out;
        # the service_role (granted everything by Supabase) sees it.
        self.assertNotIn("/authors_only", self.doc["paths"])
        self.assertNotIn("authors_only", self.doc["definitions"])
        doc = self.get(self.service)
        self.assertIn("/authors_only", doc["paths"])
        self.assertEqual(doc["definitions"]["authors_only"]["required"], ["owner", "secret"])


if __name__ == "__main__":
    unittest.main()
