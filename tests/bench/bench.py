#!/usr/bin/env python3
"""The performance budgets of README.md (Benchmarks), driven by scripts/bench
(which installs wrk, builds supamock and the ceiling server, and owns the temporary directory).

Every server this starts listens on 127.0.0.1, is recorded in the pid file that
scripts/bench's EXIT trap reads, and is stopped here as soon as it is done.
It prints a table of measurements with their budgets and PASS/FAIL; its exit
status is 0 when the measurements ran (whatever they show) and 1 when the
benchmark itself could not run. Python standard library only.
"""

import argparse
import http.client
import json
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid

# The default scenario's demo user and the Supabase CLI's service_role key
# (scenarios/default.json, auth.service_role_key).
USER_ID = "13ab4cf1-8587-4685-874b-c2d37beeab38"
PROFILES_PATH = "/rest/v1/profiles?user_id=eq." + USER_ID
SERVICE_KEY = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6"
    "InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU"
)
HEADERS = {"apikey": SERVICE_KEY, "Authorization": "Bearer " + SERVICE_KEY}

BIG_ROWS = 100_000
SMALL_ROWS = 10
# The integer column repeats every BIG_ROWS / FILTER_GROUP rows, so an equality
# filter on it matches FILTER_GROUP rows of the big table.
FILTER_GROUP = 5
# Rows of the scenario also written on a single line (loading time only).
ONE_LINE_ROWS = 10_000


class BenchError(Exception):
    """The benchmark itself could not run (not a failed budget)."""


# ---- processes ---------------------------------------------------------------


class Server:
    """One server process started with --port 0. The caller stops it."""

    def __init__(self, name, argv, log_path, pidfile, cpu=None, env=None):
        self.name = name
        if cpu is not None:
            argv = ["taskset", "-c", str(cpu)] + argv
        self.t_spawn = time.perf_counter()
        log = open(log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                env=dict(os.environ, **(env or {}))
            )
        finally:
            log.close()
        with open(pidfile, "a") as f:
            f.write("%d\n" % self.proc.pid)
        self.port = None
        self.t_ready = None

    def wait_ready(self, timeout=120.0):
        """Reads the ready line; returns the port."""
        line = self._readline(timeout)
        self.t_ready = time.perf_counter()
        m = re.match(r"^\S+ listening on http://127\.0\.0\.1:(\d+)\s*$", line)
        if not m:
            self.stop()
            raise BenchError("%s did not print a ready line (got %r)" % (self.name, line))
        self.port = int(m.group(1))
        return self.port

    def _readline(self, timeout):
        import selectors

        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        data = b""
        deadline = time.monotonic() + timeout
        while not data.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                break
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                break
            data += chunk
        sel.close()
        return data.decode("utf-8", "replace")

    def status(self, field):
        """A /proc/PID/status field in kB (VmRSS, VmHWM)."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise BenchError("no %s in /proc/%d/status" % (field, self.proc.pid))

    def cpu_seconds(self):
        """User plus system CPU time the process has used so far
        (/proc/PID/stat fields 14 and 15, in clock ticks)."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


def get(port, path, headers=HEADERS):
    """One GET on a fresh connection: (status, body bytes)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", path, headers=headers)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


# ---- wrk ---------------------------------------------------------------------

UNIT = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text):
    m = re.match(r"^([\d.]+)(us|ms|s|m)$", text)
    if not m:
        raise BenchError("cannot read wrk time %r" % text)
    return float(m.group(1)) * UNIT[m.group(2)]


class Wrk:
    def __init__(self, cpu, threads, pidfile):
        self.pidfile = pidfile
        self.cpu = cpu
        self.threads = threads

    def run(self, port, path, connections, duration, script=None, env=None, headers=None):
        argv = []
        if self.cpu is not None:
            argv += ["taskset", "-c", str(self.cpu)]
        argv += ["wrk", "-t%d" % min(self.threads, connections), "-c%d" % connections]
        argv += ["-d%ds" % duration, "--latency", "--timeout", "10s"]
        for k, v in (headers or HEADERS).items():
            argv += ["-H", "%s: %s" % (k, v)]
        if script:
            argv += ["-s", script]
        argv.append("http://127.0.0.1:%d%s" % (port, path))
        env = dict(os.environ, **(env or {}))
        done_file = env.get("BENCH_DONE_FILE")
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env)
        with open(self.pidfile, "a") as f:
            f.write("%d\n" % p.pid)
        if done_file:
            # count.lua: every thread has stopped once each wrote its line.
            threads = min(self.threads, connections)
            while p.poll() is None:
                try:
                    with open(done_file) as f:
                        if len(f.readlines()) >= threads:
                            p.send_signal(signal.SIGINT)
                            break
                except FileNotFoundError:
                    pass
                time.sleep(0.05)
        out, err = p.communicate()
        if p.returncode != 0:
            raise BenchError("wrk failed (%d): %s" % (p.returncode, err.strip()))
        return parse_wrk(out)


def parse_wrk(out):
    r = {"non2xx": 0, "socket_errors": 0, "not200": None}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    n = re.search(r"(\d+) requests in", out)
    if not m or not n:
        raise BenchError("cannot read wrk output:\n" + out)
    r["rps"] = float(m.group(1))
    r["requests"] = int(n.group(1))
    for pct in ("50", "99"):
        m = re.search(r"^\s+%s%%\s+(\S+)" % pct, out, re.M)
        if not m:
            raise BenchError("no %s%% latency in wrk output:\n%s" % (pct, out))
        r["p" + pct] = to_ms(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if m:
        r["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        r["socket_errors"] = sum(int(x) for x in m.groups())
    m = re.search(r"bench-not200: (\d+)", out)
    if m:
        r["not200"] = int(m.group(1))
    return r


# ---- scenario generation -----------------------------------------------------


def table(rows, rng, prefix):
    """A table with a uuid primary key, a unique text column and an integer
    column repeating every rows/FILTER_GROUP rows. Returns (definition, ids)."""
    group = max(1, rows // FILTER_GROUP)
    ids = [str(uuid.UUID(bytes=rng.randbytes(16), version=4)) for _ in range(rows)]
    data = [
        {"id": ids[i], "slug": "%s-%06d" % (prefix, i), "n": i % group} for i in range(rows)
    ]
    definition = {
        "columns": [
            {"name": "id", "type": "uuid", "primary_key": True},
            {"name": "slug", "type": "text", "nullable": False, "unique": True},
            {"name": "n", "type": "integer", "nullable": False},
        ],
        "rows": data,
    }
    return definition, ids


def write_big_scenario(path, rows=BIG_ROWS, one_line=False):
    rng = random.Random(1)
    big, big_ids = table(rows, rng, "big")
    small, small_ids = table(SMALL_ROWS, rng, "small")
    doc = {
        "name": "bench-100k",
        "description": "scripts/bench: a 100,000-row table and a 10-row table of the same shape.",
        "extends": "default",
        "tables": {"bench_big": big, "bench_small": small},
    }
    write_scenario(path, doc, one_line)
    return big_ids, small_ids


def write_scenario(path, doc, one_line):
    """One row per line, as a person or a script writing a readable file would;
    or the whole document on one line, as json.dumps gives by default."""
    compact = (",", ":")
    with open(path, "w") as f:
        if one_line:
            json.dump(doc, f, separators=compact)
            return
        f.write('{"name":%s,"description":%s,"extends":"default","tables":{\n'
                % (json.dumps(doc["name"]), json.dumps(doc["description"])))
        for t, (name, tdef) in enumerate(doc["tables"].items()):
            f.write('%s:{"columns":%s,"rows":[\n' % (json.dumps(name),
                                                     json.dumps(tdef["columns"], separators=compact)))
            rows = tdef["rows"]
            for i, row in enumerate(rows):
                f.write(json.dumps(row, separators=compact) + (",\n" if i + 1 < len(rows) else "\n"))
            f.write("]}%s\n" % ("," if t + 1 < len(doc["tables"]) else ""))
        f.write("}}\n")


# ---- report ------------------------------------------------------------------


class Report:
    def __init__(self):
        self.rows = []
        self.failed = 0

    def add(self, what, value, reference, ratio, budget, ok):
        if ok is None:
            verdict = "info"
        else:
            verdict = "PASS" if ok else "FAIL"
            self.failed += 0 if ok else 1
        self.rows.append((what, value, reference, ratio, budget, verdict))
        print("  %-44s %s" % (what, verdict), flush=True)

    def print(self):
        head = ("measurement", "supamock", "reference", "ratio", "budget", "result")
        widths = [max(len(str(r[i])) for r in self.rows + [head]) for i in range(6)]
        line = "  ".join("-" * w for w in widths)
        print()
        print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
        print(line)
        for r in self.rows:
            print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
        print(line)
        print(
            "%d budget(s) failed" % self.failed if self.failed else "every budget passed",
            flush=True,
        )


def ms(x):
    return "%.2f ms" % x if x < 100 else "%.0f ms" % x


def mb(kb):
    return "%.1f MB" % (kb / 1024.0)


# ---- the measurements --------------------------------------------------------


def say(text):
    print("==> " + text, flush=True)


def check_answer(port, path, name, rows=None):
    status, body = get(port, path)
    if status != 200:
        raise BenchError("%s answered %d to GET %s: %r" % (name, status, path, body[:300]))
    if rows is not None:
        got = len(json.loads(body))
        if got != rows:
            raise BenchError("%s gave %d rows for %s, expected %d" % (name, got, path, rows))
    return body


def throughput(a, rep, sm_argv, ceiling_bin):
    say("throughput: GET %s, 64 connections, %d x %d s per server (+%d s warm-up)"
        % (PROFILES_PATH, a.rounds, a.duration, a.warmup))
    sm = Server("supamock", sm_argv + ["--port", "0"], a.tmp + "/supamock-load.log",
                a.pidfile, a.server_cpu)
    try:
        sm.wait_ready()
        body = check_answer(sm.port, PROFILES_PATH, "supamock", rows=1)
        body_file = a.tmp + "/body.json"
        with open(body_file, "wb") as f:
            f.write(body)
        ce = Server("ceiling", [ceiling_bin, "--port", "0", "--body-file", body_file],
                    a.tmp + "/ceiling.log", a.pidfile, a.server_cpu)
        try:
            ce.wait_ready()
            cbody = check_answer(ce.port, PROFILES_PATH, "ceiling")
            if len(cbody) != len(body):
                raise BenchError("ceiling body is %d bytes, supamock's %d" % (len(cbody), len(body)))
            results = {"supamock": [], "ceiling": []}
            servers = [sm, ce]
            for rnd in range(a.rounds):
                # Alternate which server goes first, so that a slow spell on a
                # shared machine does not always fall on the same one.
                for s in servers if rnd % 2 == 0 else servers[::-1]:
                    if a.warmup:
                        a.wrk.run(s.port, PROFILES_PATH, 64, a.warmup)
                    cpu0 = s.cpu_seconds()
                    r = a.wrk.run(s.port, PROFILES_PATH, 64, a.duration)
                    # Server CPU time per answered request: steadier than
                    # requests/s when the machine is shared.
                    r["cpu_us"] = 1e6 * (s.cpu_seconds() - cpu0) / max(r["requests"], 1)
                    if r["non2xx"] or r["socket_errors"]:
                        raise BenchError("%s: %d non-2xx answers and %d socket errors under load"
                                         % (s.name, r["non2xx"], r["socket_errors"]))
                    results[s.name].append(r)
                    print("    round %d %-8s %9.0f req/s  p50 %s  p99 %s  cpu %.2f us/req"
                          "  (%d requests, 0 non-2xx)"
                          % (rnd + 1, s.name, r["rps"], ms(r["p50"]), ms(r["p99"]), r["cpu_us"],
                             r["requests"]),
                          flush=True)
            hwm = sm.status("VmHWM")
        finally:
            ce.stop()
    finally:
        sm.stop()
    med = {k: {f: statistics.median(x[f] for x in v) for f in ("rps", "p50", "p99", "cpu_us")}
           for k, v in results.items()}
    s, c = med["supamock"], med["ceiling"]
    rps_ratio = s["rps"] / c["rps"]
    rep.add("requests/s, 64 conns (median of %d)" % a.rounds, "%.0f/s" % s["rps"],
            "%.0f/s ceiling" % c["rps"], "%.0f%%" % (100 * rps_ratio), ">= 80% of ceiling",
            rps_ratio >= 0.80)
    # CPU efficiency: the ceiling's CPU time per request over supamock's.
    cpu_ratio = c["cpu_us"] / s["cpu_us"] if s["cpu_us"] > 0 else 0.0
    rep.add("server CPU per request (median of %d)" % a.rounds, "%.2f us" % s["cpu_us"],
            "%.2f us ceiling" % c["cpu_us"], "%.0f%%" % (100 * cpu_ratio),
            ">= 60% efficient", cpu_ratio >= 0.60)
    p99_ratio = s["p99"] / c["p99"]
    rep.add("p99 latency, 64 conns (median of %d)" % a.rounds, ms(s["p99"]),
            ms(c["p99"]) + " ceiling", "%.2fx" % p99_ratio, "<= 1.5x ceiling", p99_ratio <= 1.5)
    rep.add("peak RSS under load (VmHWM)", mb(hwm), "", "", "< 16 MB", hwm < 16 * 1024)
    rep.body_bytes = len(body)


def startup(a, rep, sm_argv, ceiling_bin):
    say("start to first answered request: %d runs each" % a.starts)

    def one(name, argv, path):
        s = Server(name, argv + ["--port", "0"], "/dev/null", a.pidfile)
        try:
            port = s.wait_ready()
            status, _ = get(port, path)
            t = time.perf_counter()
            if status != 200:
                raise BenchError("%s answered %d at start" % (name, status))
            return (t - s.t_spawn) * 1000.0, (s.t_ready - s.t_spawn) * 1000.0
        finally:
            s.stop()

    body_file = a.tmp + "/body.json"
    sm_t = [one("supamock", sm_argv, PROFILES_PATH) for _ in range(a.starts)]
    ce_t = [one("ceiling", [ceiling_bin, "--body-file", body_file], "/") for _ in range(a.starts)]
    first = statistics.median(t[0] for t in sm_t)
    ready = statistics.median(t[1] for t in sm_t)
    floor = statistics.median(t[0] for t in ce_t)
    rep.add("start to first answer (median of %d)" % a.starts, ms(first),
            ms(floor) + " ceiling", "", "< 20 ms", first < 20.0)
    rep.add("  of which spawn to ready line", ms(ready), "", "", "", None)


def big_table(a, rep, sm_bin):
    say("100,000-row table: generating the scenario")
    path = a.tmp + "/bench-100k.json"
    big_ids, small_ids = write_big_scenario(path)
    size = os.path.getsize(path)
    loads = []
    for i in range(a.loads):
        s = Server("supamock", [sm_bin, "--scenario", path, "--port", "0"],
                   a.tmp + "/supamock-100k.log", a.pidfile, a.server_cpu)
        try:
            s.wait_ready()
            loads.append((s.t_ready - s.t_spawn) * 1000.0)
            if i + 1 < a.loads:
                continue
            rss = s.status("VmRSS")
            say("100,000-row table: latency at 1 connection, %d s per query" % a.latency_duration)
            last = BIG_ROWS - 1
            value = last % (BIG_ROWS // FILTER_GROUP)
            queries = [
                ("pk", "/rest/v1/bench_big?id=eq." + big_ids[last],
                 "/rest/v1/bench_small?id=eq." + small_ids[-1], 1, 1),
                ("unique", "/rest/v1/bench_big?slug=eq.big-%06d" % last,
                 "/rest/v1/bench_small?slug=eq.small-%06d" % (SMALL_ROWS - 1), 1, 1),
                ("scan", "/rest/v1/bench_big?n=eq.%d" % value,
                 "/rest/v1/bench_small?n=eq.%d" % ((SMALL_ROWS - 1) % (SMALL_ROWS // FILTER_GROUP)),
                 FILTER_GROUP, FILTER_GROUP),
            ]
            res = {}
            for kind, big_q, small_q, big_n, small_n in queries:
                check_answer(s.port, big_q, "supamock", rows=big_n)
                check_answer(s.port, small_q, "supamock", rows=small_n)
                # One second of each first: the first requests after loading a
                # 100k-row file pay for page faults, not for the lookup.
                a.wrk.run(s.port, big_q, 1, 1)
                a.wrk.run(s.port, small_q, 1, 1)
                rb = a.wrk.run(s.port, big_q, 1, a.latency_duration)
                rs = a.wrk.run(s.port, small_q, 1, a.latency_duration)
                for r in (rb, rs):
                    if r["non2xx"] or r["socket_errors"]:
                        raise BenchError("non-2xx answers or socket errors on the 100k table")
                res[kind] = (rb, rs)
                print("    %-6s 100k: p50 %s p99 %s   10 rows: p50 %s p99 %s"
                      % (kind, ms(rb["p50"]), ms(rb["p99"]), ms(rs["p50"]), ms(rs["p99"])),
                      flush=True)
        finally:
            s.stop()
    for kind, label in (("pk", "primary key"), ("unique", "unique text column")):
        rb, rs = res[kind]
        ratio = rb["p50"] / rs["p50"]
        rep.add("eq on %s, 100k vs 10 rows (p50)" % label, ms(rb["p50"]),
                ms(rs["p50"]) + " 10 rows", "%.2fx" % ratio, "<= 1.5x (indexed)", ratio <= 1.5)
    rb, rs = res["scan"]
    rep.add("filtered scan n=eq.V, 100k rows (p99)", ms(rb["p99"]),
            ms(rs["p99"]) + " 10 rows", "%.0fx" % (rb["p99"] / rs["p99"]), "< 30 ms",
            rb["p99"] < 30.0)
    rep.add("load 100k-row scenario (%.1f MB file, median of %d)" % (size / 1e6, a.loads),
            ms(statistics.median(loads)), "", "", "", None)
    rep.add("  RSS with the 100k-row scenario loaded", mb(rss), "", "", "", None)

    # The same rows written on one line: positions are kept per row, and a
    # column number counts code points from the start of its line.
    n = ONE_LINE_ROWS
    times = {}
    for one_line in (False, True):
        p = "%s/bench-%d-%s.json" % (a.tmp, n, "one-line" if one_line else "lines")
        write_big_scenario(p, rows=n, one_line=one_line)
        t0 = time.perf_counter()
        r = subprocess.run([sm_bin, "validate", p], capture_output=True, text=True)
        times[one_line] = (time.perf_counter() - t0) * 1000.0
        if r.returncode != 0:
            raise BenchError("supamock validate %s: %s" % (p, r.stdout + r.stderr))
    rep.add("validate %dk rows on one line vs per line" % (n // 1000), ms(times[True]),
            ms(times[False]) + " per line", "%.0fx" % (times[True] / times[False]), "", None)


def memory_flat(a, rep, sm_argv):
    first = a.requests // 10
    say("memory over %d requests (64 connections, access log to /dev/null; VmRSS after %d"
        " and after %d)" % (a.requests, first, a.requests))
    s = Server("supamock", sm_argv + ["--port", "0"], "/dev/null", a.pidfile, a.server_cpu)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "count.lua")
    try:
        s.wait_ready()
        done = 0
        rss = {}
        for target in (first, a.requests):
            # count.lua stops each wrk thread after BENCH_STOP_AFTER answers.
            per_thread = (target - done + a.wrk.threads - 1) // a.wrk.threads
            done_file = "%s/wrk-done-%d" % (a.tmp, target)
            r = a.wrk.run(s.port, PROFILES_PATH, 64, 3600, script=script,
                          env={"BENCH_STOP_AFTER": str(per_thread), "BENCH_DONE_FILE": done_file})
            if r["not200"] is None or r["not200"] or r["socket_errors"]:
                raise BenchError("memory run: %s answers that were not 200, %d socket errors"
                                 % (r["not200"], r["socket_errors"]))
            done += r["requests"]
            rss[target] = (done, s.status("VmRSS"))
            print("    after %d requests: VmRSS %s" % (done, mb(rss[target][1])), flush=True)
        hwm = s.status("VmHWM")
    finally:
        s.stop()
    (n1, r1), (n2, r2) = rss[first], rss[a.requests]
    growth = r2 - r1
    rep.add("VmRSS after %dk requests" % (n1 // 1000), mb(r1), "", "", "", None)
    rep.add("VmRSS after %dk requests" % (n2 // 1000), mb(r2), "", "%+d kB" % growth,
            "growth < 1 MB", growth < 1024)
    rep.add("  VmHWM after %dk requests" % (n2 // 1000), mb(hwm), "", "", "", None)


def sessions(a, rep, sm_argv):
    """POST /__mock/sessions on the default scenario (a new instance: its
    store, Auth, rules and journal), then DELETE: the time to create one, on
    a keep-alive connection, as the client sees it."""
    n = 200
    say("sessions: %d creates and deletes on the default scenario" % n)
    s = Server("supamock", sm_argv + ["--port", "0"], a.tmp + "/supamock-sessions.log",
               a.pidfile, a.server_cpu)
    try:
        port = s.wait_ready()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        times = []
        for _ in range(n):
            t = time.perf_counter()
            c.request("POST", "/__mock/sessions", body="{}",
                      headers={"Content-Type": "application/json"})
            r = c.getresponse()
            body = r.read()
            times.append((time.perf_counter() - t) * 1000.0)
            if r.status not in (200, 201):
                raise BenchError("POST /__mock/sessions answered %d: %r" % (r.status, body[:200]))
            sid = json.loads(body)["id"]
            c.request("DELETE", "/__mock/sessions/" + sid)
            r = c.getresponse()
            r.read()
            if r.status not in (200, 204):
                raise BenchError("DELETE /__mock/sessions answered %d" % r.status)
        c.close()
    finally:
        s.stop()
    med = statistics.median(times)
    rep.add("create a session (median of %d)" % n, ms(med), "", "", "< 1 ms", med < 1.0)


def tree_rss_kb(root):
    """VmRSS of root and every process below it (/proc), in kB."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def database_engine(a, rep):
    """--db postgres against the memory engine, in the same run: start (cold and
    warm template cache), GET and PATCH of the demo user's own profile through
    row-level security, /__mock/reset, and memory (supamock's and the cluster's)."""
    say("database engine (--db postgres): start, RLS throughput against the memory engine, "
        "reset, memory")
    token = subprocess.run([a.supamock, "token", "--role", "authenticated", "--sub", USER_ID],
                           check=True, capture_output=True, text=True).stdout.strip()
    anon = json.loads(subprocess.run([a.supamock, "keys", "--format", "json"], check=True,
                                     capture_output=True, text=True).stdout)["SUPABASE_ANON_KEY"]
    user = {"apikey": anon, "Authorization": "Bearer " + token}
    cache = a.tmp + "/pg-cache"
    env = {"SUPAMOCK_PG_CACHE_DIR": cache}
    db_argv = [a.supamock, "--db", "postgres", "--port", "0"]

    cpu = []

    def first_answer():
        # CPU of the whole start as the kernel accounts it to reaped children:
        # supamock, and through it the postmaster and its backends (supamock
        # reaps the postmaster when it stops; the stop is included). Steadier
        # than wall time when the machine is shared.
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        s = Server("supamock-db", db_argv, a.tmp + "/supamock-db.log", a.pidfile, env=env)
        try:
            port = s.wait_ready()
            status, _ = get(port, PROFILES_PATH, headers=user)
            if status != 200:
                raise BenchError("--db postgres answered %d at start" % status)
            return (time.perf_counter() - s.t_spawn) * 1000.0
        finally:
            s.stop()
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(1000.0 * (after.ru_utime - before.ru_utime
                                 + after.ru_stime - before.ru_stime))

    cold = first_answer()  # an empty cache: initdb and the baseline first
    warm = statistics.median(first_answer() for _ in range(3))
    rep.add("db: start to first answer, cold cache", ms(cold), "", "", "", None)
    rep.add("db: start to first answer, warm (median of 3)", ms(warm), "", "", "< 1 s",
            warm < 1000.0)
    rep.add("  CPU of a warm start and stop, with the cluster", ms(statistics.median(cpu[1:])),
            "", "", "", None)

    patch = a.tmp + "/patch.lua"
    with open(patch, "w") as f:
        f.write('wrk.method = "PATCH"\n'
                'wrk.body = \'{"free_image_quota":5}\'\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
                'wrk.headers["Prefer"] = "return=minimal"\n')
    results = {}
    for name, argv, e in (("memory", [a.supamock, "--port", "0"], None), ("db", db_argv, env)):
        s = Server(name, argv, a.tmp + "/supamock-%s-load.log" % name, a.pidfile, a.server_cpu,
                   env=e)
        try:
            port = s.wait_ready()
            check = get(port, PROFILES_PATH, headers=user)
            if check[0] != 200 or len(json.loads(check[1])) != 1:
                raise BenchError("%s engine: the demo user does not see its profile" % name)
            got = {}
            for what, script in (("GET", None), ("PATCH", patch)):
                if a.warmup:
                    a.wrk.run(port, PROFILES_PATH, 16, a.warmup, script=script, headers=user)
                cpu0 = s.cpu_seconds()
                r = a.wrk.run(port, PROFILES_PATH, 16, a.duration, script=script, headers=user)
                if r["non2xx"] or r["socket_errors"]:
                    raise BenchError("%s engine %s: %d non-2xx, %d socket errors"
                                     % (name, what, r["non2xx"], r["socket_errors"]))
                r["cpu_us"] = 1e6 * (s.cpu_seconds() - cpu0) / max(r["requests"], 1)
                got[what] = r
                print("    %-6s %-5s %9.0f req/s  p99 %s  supamock cpu %.1f us/req"
                      % (name, what, r["rps"], ms(r["p99"]), r["cpu_us"]), flush=True)
            if name == "db":
                resets = []
                for _ in range(5):
                    t = time.perf_counter()
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    c.request("POST", "/__mock/reset")
                    st = c.getresponse().status
                    c.close()
                    if st != 200:
                        raise BenchError("--db postgres: /__mock/reset answered %d" % st)
                    resets.append((time.perf_counter() - t) * 1000.0)
                got["reset"] = statistics.median(resets)
                got["rss_supamock"] = s.status("VmHWM")
                got["rss_tree"] = tree_rss_kb(s.proc.pid)
            results[name] = got
        finally:
            s.stop()
    m, d = results["memory"], results["db"]
    for what in ("GET", "PATCH"):
        rep.add("db: %s own profile through RLS, 16 conns" % what, "%.0f/s" % d[what]["rps"],
                "%.0f/s memory engine" % m[what]["rps"],
                "%.0f%%" % (100 * d[what]["rps"] / m[what]["rps"]), "", None)
    rep.add("db: /__mock/reset (median of 5)", ms(d["reset"]), "", "", "< 1 s",
            d["reset"] < 1000.0)
    rep.add("db: RSS of supamock (VmHWM)", mb(d["rss_supamock"]), "", "", "", None)
    rep.add("db: RSS of supamock and the cluster", mb(d["rss_tree"]), "", "", "", None)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--supamock", required=True)
    p.add_argument("--ceiling", required=True)
    p.add_argument("--tmp", required=True)
    p.add_argument("--pidfile", required=True)
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--starts", type=int, default=11)
    p.add_argument("--loads", type=int, default=3)
    p.add_argument("--latency-duration", type=int, default=3)
    p.add_argument("--requests", type=int, default=1_000_000)
    p.add_argument("--pin", choices=("auto", "on", "off"), default="auto")
    p.add_argument("--no-database", dest="database", action="store_false",
                   help="skip the database engine's section (needs postgresql-15)")
    a = p.parse_args()

    cpus = len(os.sched_getaffinity(0))
    pin = a.pin == "on" or (a.pin == "auto" and cpus >= 2)
    if pin:
        # One core for the server under test, another for wrk (one thread):
        # both servers are single-threaded event loops, and on 2 cores this
        # gave steadier numbers than letting them migrate.
        a.server_cpu, a.wrk = 0, Wrk(1, 1, a.pidfile)
        placement = "server pinned to CPU 0, wrk (1 thread) to CPU 1 (taskset)"
    else:
        a.server_cpu, a.wrk = None, Wrk(None, 2, a.pidfile)
        placement = "no pinning, wrk with 2 threads"
    sm_argv = [a.supamock]
    load = os.getloadavg()
    say("%d CPUs; %s; load average before: %.2f %.2f %.2f" % (cpus, placement, *load))
    say("supamock: %s with default flags, access log (JSON lines) to a file" % a.supamock)

    # SIGTERM unwinds like Ctrl-C, so every `finally` stops its server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    rep = Report()
    try:
        throughput(a, rep, sm_argv, a.ceiling)
        startup(a, rep, sm_argv, a.ceiling)
        big_table(a, rep, a.supamock)
        memory_flat(a, rep, sm_argv)
        sessions(a, rep, sm_argv)
        if a.database:
            database_engine(a, rep)
    except BenchError as e:
        print("scripts/bench: %s" % e, file=sys.stderr, flush=True)
        if rep.rows:
            rep.print()
        return 1
    rep.print()
    print("(response body %d bytes from both servers; the ceiling sends a shorter head)"
          % rep.body_bytes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
