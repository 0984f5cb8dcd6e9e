"""A small backend shaped like the bug report's /api/generate-image handler,
standard library only (http.server + urllib), used to show what each supamock
scenario does to real backend code and how a backend should map the errors.

POST /api/generate-image {"user_id": UUID}
  1. reads the profile with the configured key:
     GET /rest/v1/profiles?user_id=eq.X&select=free_image_quota
     (Accept: application/vnd.pgrst.object+json; retried on 503 as PostgREST asks)
  2. decrements free_image_quota with a conditional PATCH
     (…&free_image_quota=eq.OLD, Prefer: return=representation), so that a
     retried or concurrent write never decrements twice and an ignored write
     (RLS: 0 rows) is visible as [].
An incoming `Authorization: Bearer <user JWT>` is forwarded (the backend then
acts as the user). Every failure becomes a JSON answer {"error", "message"}
with a status that says whose problem it is; nothing is allowed to escape as a
crash or a bare 500 with a stack trace.
"""

import base64
import http.client
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCHEMA_CACHE_CODES = ("PGRST204", "PGRST205")
UNAVAILABLE_CODES = ("PGRST000", "PGRST001", "PGRST002", "PGRST003")
MAX_READ_ATTEMPTS = 3
MAX_RETRY_SLEEP_S = 2.0


class Failure(Exception):
    """What the backend answers: an HTTP status, an error slug and a message."""

    def __init__(self, status, error, message):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def key_role(key):
    """The role claim of a legacy JWT key, 'service_role'/'anon' for sb_ keys,
    or None (the backend names it in its messages)."""
    if not key:
        return None
    if key.startswith("sb_secret_"):
        return "service_role"
    if key.startswith("sb_publishable_"):
        return "anon"
    try:
        payload = key.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get("role")
    except (IndexError, ValueError, AttributeError):
        return None


class Supabase:
    """The Data API calls the handler makes. `key` is what the deployment
    configured as its service key (possibly wrong: that is the point)."""

    def __init__(self, url, key, timeout=5.0):
        self.url = url.rstrip("/")
        self.key = key
        self.timeout = timeout
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, method, path, body=None, headers=None, user_token=None):
        """(status, parsed JSON body or raw text, headers). Transport failures
        raise Failure(502)."""
        h = {"Accept": "application/json"}
        if self.key:
            h["apikey"] = self.key
        bearer = user_token or self.key
        if bearer:
            h["Authorization"] = "Bearer " + bearer
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        req = urllib.request.Request(self.url + "/rest/v1/" + path, data=data, headers=h, method=method)
        try:
            try:
                resp = self.opener.open(req, timeout=self.timeout)
            except urllib.error.HTTPError as e:
                resp = e
            with resp:
                raw = resp.read()
                status, rh = resp.status, resp.headers
        except (OSError, http.client.HTTPException, urllib.error.URLError) as e:
            reason = getattr(e, "reason", None) or e
            raise Failure(502, "supabase_unreachable", "could not reach Supabase (%s %s): %s: %s"
                          % (method, "/rest/v1/" + path.split("?")[0], type(reason).__name__, reason or "no response"))
        text = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return status, parsed, rh

    def read(self, path, user_token=None):
        """A GET, retried (it is idempotent) while PostgREST answers 503 with
        Retry-After, at most MAX_READ_ATTEMPTS times."""
        for attempt in range(1, MAX_READ_ATTEMPTS + 1):
            status, body, rh = self.call("GET", path, user_token=user_token, headers={
                "Accept": "application/vnd.pgrst.object+json"})
            if status != 503 or attempt == MAX_READ_ATTEMPTS or rh.get("Retry-After") is None:
                return status, body, rh
            try:
                delay = float(rh.get("Retry-After"))
            except ValueError:
                delay = MAX_RETRY_SLEEP_S
            time.sleep(min(max(delay, 0.0), MAX_RETRY_SLEEP_S))
        raise AssertionError("unreachable")


def explain(status, body, key, writing):
    """Maps a Supabase error answer to a Failure with a clear message."""
    pg = body if isinstance(body, dict) and "code" in body and "message" in body else None
    code = pg.get("code") if pg else None
    if pg is None:
        # Not PostgREST's shape: the gateway answered (apikey checks, 5xx).
        text = body.get("message") if isinstance(body, dict) else (body or "")
        if status == 401:
            if not key:
                return Failure(500, "supabase_api_key",
                               "no Supabase API key was sent (is SUPABASE_SERVICE_ROLE_KEY set?): %s" % text)
            return Failure(500, "supabase_api_key",
                           "invalid Supabase API key: the gateway answered '%s'; check "
                           "SUPABASE_SERVICE_ROLE_KEY against the project's keys" % text)
        if status == 504:
            return Failure(504, "supabase_timeout", "Supabase timed out (%s)%s" % (
                text, "; the update may or may not have been applied" if writing else ""))
        if status >= 500:
            return Failure(502, "supabase_unavailable", "Supabase is unavailable: HTTP %d %s" % (status, text))
        return Failure(502, "supabase_error", "unexpected answer from Supabase: HTTP %d %s" % (status, text))
    msg = pg["message"]
    if code in SCHEMA_CACHE_CODES:
        return Failure(503, "schema_out_of_date",
                       "database schema is out of date, retry shortly (%s: %s)" % (code, msg))
    if code in UNAVAILABLE_CODES:
        return Failure(503, "database_unavailable", "database temporarily unavailable, retry shortly (%s: %s)"
                       % (code, msg))
    if code == "PGRST116":
        return Failure(404, "no_profile", "no profile")
    if code == "PGRST303":
        return Failure(401, "session_expired", "your session has expired, sign in again (%s)" % msg)
    if code == "PGRST301":
        return Failure(401, "invalid_session", "your session token is invalid, sign in again (%s)" % msg)
    if code == "42501":
        hint = (" " + pg["hint"]) if pg.get("hint") else ""
        return Failure(500, "permission_denied",
                       "Supabase refused the %s with the configured key (role %s): %s.%s"
                       % ("update" if writing else "read", key_role(key) or "unknown", msg, hint))
    return Failure(502, "supabase_error", "Supabase answered %d %s: %s" % (status, code, msg))


def generate_image(sb, user_id, user_token=None):
    """The handler's logic: returns the JSON answer, raises Failure."""
    quoted = urllib.parse.quote(user_id, safe="")
    status, body, _ = sb.read("profiles?user_id=eq.%s&select=free_image_quota" % quoted, user_token)
    if status != 200:
        f = explain(status, body, sb.key, writing=False)
        if f.error == "no_profile":
            f.message = "no profile for user %s" % user_id
        raise f
    quota = body["free_image_quota"]
    if quota <= 0:
        raise Failure(402, "quota_exhausted", "no free images left")
    status, body, _ = sb.call(
        "PATCH", "profiles?user_id=eq.%s&free_image_quota=eq.%d" % (quoted, quota),
        {"free_image_quota": quota - 1}, headers={"Prefer": "return=representation"},
        user_token=user_token)
    if status != 200:
        raise explain(status, body, sb.key, writing=True)
    if body == []:
        who = "the user's token" if user_token else "the configured key (role %s)" % key_role(sb.key)
        hint = (" The configured key is the anon key, not the service_role key."
                if not user_token and key_role(sb.key) == "anon" else
                " Check the UPDATE policy on profiles, or retry if the quota changed concurrently.")
        raise Failure(500, "update_ignored",
                      "the quota update changed no row: row-level security hid the profile from %s.%s"
                      % (who, hint))
    return {"user_id": user_id, "free_image_quota": body[0]["free_image_quota"], "image": "generated"}


class Handler(BaseHTTPRequestHandler):
    server_version = "generate-image-backend/1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def answer(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        if self.path != "/api/generate-image":
            return self.answer(404, {"error": "not_found", "message": "no such endpoint"})
        try:
            n = int(self.headers.get("Content-Length") or 0)
            req = json.loads(self.rfile.read(n) or b"null")
            user_id = req.get("user_id") if isinstance(req, dict) else None
            if not isinstance(user_id, str) or not user_id:
                return self.answer(400, {"error": "bad_request", "message": "body must be {\"user_id\": ...}"})
            auth = self.headers.get("Authorization") or ""
            token = auth[7:] if auth.startswith("Bearer ") else None
            return self.answer(200, generate_image(self.server.supabase, user_id, token))
        except Failure as f:
            return self.answer(f.status, {"error": f.error, "message": f.message})
        except ValueError:
            return self.answer(400, {"error": "bad_request", "message": "body is not JSON"})


class Backend:
    """The backend on 127.0.0.1 (ephemeral port) in a thread; stop() ends it."""

    def __init__(self, supabase_url, key):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.supabase = Supabase(supabase_url, key)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)

    def generate(self, user_id, user_token=None, timeout=30.0):
        """POST /api/generate-image: (status, JSON answer)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Content-Type": "application/json"}
            if user_token:
                headers["Authorization"] = "Bearer " + user_token
            conn.request("POST", "/api/generate-image", body=json.dumps({"user_id": user_id}), headers=headers)
            r = conn.getresponse()
            return r.status, json.loads(r.read())
        finally:
            conn.close()


if __name__ == "__main__":
    import os
    import sys
    b = Backend(os.environ.get("SUPABASE_URL", "http://127.0.0.1:54321"),
                os.environ.get("SUPABASE_SERVICE_ROLE_KEY", ""))
    print("listening on http://127.0.0.1:%d" % b.port, file=sys.stderr)
    b.httpd.serve_forever()
