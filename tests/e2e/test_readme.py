"""Every snippet of README.md and scenarios/README.md, run for real.

The READMEs' fenced code blocks are extracted in order and each is handled by
its language tag:

- ```console```: a terminal session. A line starting with `$ ` is a command
  (continued on the next line while it ends with a backslash); the lines up
  to the next `$ ` are its expected output. The block runs in a fresh
  `bash -u` (so a variable used before the block defines it fails), each
  command's stdout and stderr merged as a terminal shows them, and every
  command's output is compared exactly with the README's.
  A block whose only command is `supamock [FLAGS]` (no subcommand) is the
  server the reader starts in another terminal: the test starts it with
  those flags, compares its ready line, and the blocks after it, up to the
  end of that `##` section, talk to it. Blocks in a section that starts no
  server talk to `supamock --clock 2026-01-01T00:00:00Z`, the server the
  README says its sessions were recorded against.
- ```js``` / ```python``` whose first line is a comment naming a file
  (`// profile.mjs`, `# quota_test.py`): written under that name into the
  folder the console blocks run in (a console block runs it, e.g.
  `node profile.mjs`). That folder links `node_modules` to the supabase-js
  client suite's (tests/clients/js, `npm ci`) and `scenarios` to the
  checkout's, as a project using supamock would have them.
- ```sh```: run with `bash -eu`; must exit 0.
- ```text```: listings and outputs, not snippets.
- Anything else, or a block without a tag, fails the test: a new snippet has
  to say what it is.
A block preceded by an HTML comment `<!-- not run: REASON -->` is skipped;
the test prints the skipped blocks with their reasons.

`supamock` resolves to the built binary ($SUPAMOCK_BIN). What cannot be the
same on every run is normalized, and only that:
- the port: servers listen on a free port (54321 may be taken on a shared
  machine), `supamock keys` gets `--port` of the current server (through a
  small wrapper first on PATH) and the actual port in outputs reads 54321;
- session ids: their 16 random hex digits (OpenSSL RAND_bytes) are masked on
  both sides, the counter part is compared;
- unittest's `Ran N tests in X.XXXs` timing;
- CRLF line ends (curl -i prints the HTTP head's), and blank lines at the end
  of a command's output (a body without a final newline);
- supabase-js's notice on Node 20 and older (printed to stderr: "Node.js 20
  and below are deprecated ..."), which depends on the reader's Node.

What this checks is that the READMEs tell the truth about the binary: a
reader who types what they show gets what they show. Whether those answers
are Supabase's (PostgREST's and GoTrue's sources, supabase-js's behaviour) is
asserted, with the sources cited, by test_scenarios.py, test_walkthrough.py,
test_rest.py, test_rls.py, test_auth.py, test_explain.py, test_sessions.py,
test_run.py, test_keys.py and the client suites (tests/clients).

Run: cd tests/e2e && SUPAMOCK_BIN=... python3 -m unittest -v test_readme
"""

import os
import re
import shlex
import shutil
import stat
import subprocess
import tempfile
import unittest

from harness import FIXED_CLOCK, Supamock, binary, source_dir

STANDARD_SERVER = list(FIXED_CLOCK)
NOT_RUN_RE = re.compile(r"^<!--\s*not run:\s*(.+?)\s*-->$")
FENCE_RE = re.compile(r"^(\s*)```(\S*)\s*$")
FILE_COMMENT = {"js": re.compile(r"^//\s*(\S+\.m?js)\b"), "python": re.compile(r"^#\s*(\S+\.py)\b")}
MARK = "@@README-CMD %d@@"
MARK_RE = re.compile(r"\n@@README-CMD (\d+)@@\n")
SESSION_ID_RE = re.compile(r"\b([0-9a-f]{8})[0-9a-f]{16}\b")
UNITTEST_TIME_RE = re.compile(r"^(Ran \d+ tests? in )\d+\.\d+s$", re.M)
NODE_NOTICE_RE = re.compile(r"^.*Node\.js 20 and below are deprecated.*\n?", re.M)


class Block:
    def __init__(self, path, line, lang, text, section, not_run):
        self.path, self.line, self.lang, self.text = path, line, lang, text
        self.section, self.not_run = section, not_run

    def where(self):
        return "%s:%d (%s, section %r)" % (os.path.basename(self.path), self.line,
                                           self.lang or "no tag", self.section)


def blocks_of(path):
    """The fenced blocks of a Markdown file, in order."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out, section, i = [], "", 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section = line[3:].strip()
        m = FENCE_RE.match(line)
        if not m:
            i += 1
            continue
        indent, lang = m.group(1), m.group(2)
        j, prev = i - 1, None
        while j >= 0 and lines[j].strip() == "":
            j -= 1
        if j >= 0:
            prev = NOT_RUN_RE.match(lines[j].strip())
        body, k = [], i + 1
        while k < len(lines) and not re.match(r"^\s*```\s*$", lines[k]):
            text = lines[k]
            body.append(text[len(indent):] if text.startswith(indent) else text.lstrip())
            k += 1
        if k == len(lines):
            raise AssertionError("%s:%d: unclosed code block" % (path, i + 1))
        out.append(Block(path, i + 1, lang, "\n".join(body), section,
                         prev.group(1) if prev else None))
        i = k + 1
    return out


def parse_console(text):
    """[(command, expected output)] of a console block."""
    lines = text.split("\n")
    cmds, i = [], 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            raise AssertionError("output before the first command: %r" % lines[i])
        cmd = [lines[i][2:]]
        while cmd[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            cmd.append(lines[i])
        i += 1
        out = []
        while i < len(lines) and not lines[i].startswith("$ "):
            out.append(lines[i])
            i += 1
        cmds.append(("\n".join(cmd), "\n".join(out)))
    return cmds


def server_flags(cmds):
    """The flags of a `supamock [FLAGS]` server block, or None."""
    if len(cmds) != 1:
        return None
    argv = shlex.split(cmds[0][0], comments=True)
    if not argv or argv[0] != "supamock" or "&" in argv[-1]:
        return None
    if len(argv) > 1 and (not argv[1].startswith("--") or argv[1] in ("--help", "--version")):
        return None
    return argv[1:]


def normalize(text, port):
    text = text.replace("\r\n", "\n")
    if port:
        text = text.replace("127.0.0.1:%d" % port, "127.0.0.1:54321")
    text = SESSION_ID_RE.sub(lambda m: m.group(1) + "x" * 16, text)
    text = UNITTEST_TIME_RE.sub(r"\1<time>s", text)
    text = NODE_NOTICE_RE.sub("", text)
    return text.rstrip("\n").rstrip()


def expected_norm(text):
    text = SESSION_ID_RE.sub(lambda m: m.group(1) + "x" * 16, text)
    text = UNITTEST_TIME_RE.sub(r"\1<time>s", text)
    return text.rstrip("\n").rstrip()


class Reader:
    """One reader following a README top to bottom: a project folder, a
    terminal with the server, and a terminal for the commands."""

    def __init__(self, test, workdir):
        self.test = test
        self.workdir = workdir
        self.server = None
        self.server_section = None
        self.skipped = []
        self.compared = 0  # commands whose output was compared
        bindir = os.path.join(workdir, ".bin")
        os.makedirs(bindir)
        real = os.path.abspath(binary())
        # `supamock keys` names the port of the server this test started.
        wrapper = os.path.join(bindir, "supamock")
        with open(wrapper, "w") as f:
            f.write('#!/bin/bash\n'
                    'if [ "${1:-}" = keys ]; then\n'
                    '  case " $* " in *" --port"*) ;; *) set -- "$@" --port "$README_TEST_PORT";; esac\n'
                    'fi\n'
                    'exec %s "$@"\n' % shlex.quote(real))
        os.chmod(wrapper, stat.S_IRWXU)
        self.project = os.path.join(workdir, "project")
        os.makedirs(self.project)
        os.symlink(os.path.join(source_dir(), "scenarios"), os.path.join(self.project, "scenarios"))
        modules = os.path.join(source_dir(), "tests", "clients", "js", "node_modules")
        self.have_node_modules = os.path.isdir(modules) and shutil.which("node") is not None
        if self.have_node_modules:
            os.symlink(modules, os.path.join(self.project, "node_modules"))
        self.env = {
            "PATH": bindir + os.pathsep + os.path.dirname(real) + os.pathsep
                    + "/usr/local/bin:/usr/bin:/bin",
            "HOME": os.environ.get("HOME", workdir),
            "LANG": "C.UTF-8",
            "TMPDIR": workdir,
        }
        for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if name in os.environ:
                self.env[name] = os.environ[name]

    def stop_server(self):
        if self.server:
            self.server.stop()
            self.server = None

    def start_server(self, flags):
        self.stop_server()
        self.server = Supamock(*flags, cwd=self.project, bin_path=os.path.abspath(binary())).start()
        return self.server

    def ensure_server(self, section):
        if self.server_section != section:
            self.stop_server()
            self.server_section = section
        if not self.server:
            self.start_server(STANDARD_SERVER)

    def run_console(self, block):
        cmds = parse_console(block.text)
        flags = server_flags(cmds)
        if flags is not None:
            if self.server_section != block.section:
                self.stop_server()
                self.server_section = block.section
            server = self.start_server(flags)
            self.test.assertEqual(normalize("supamock listening on %s" % server.url, server.port),
                                  expected_norm(cmds[0][1]), block.where())
            return
        if any(re.search(r"\bnode\b", c) for c, _ in cmds) and not self.have_node_modules:
            self.skipped.append((block, "node or tests/clients/js/node_modules missing (npm ci)"))
            return
        self.ensure_server(block.section)
        script = ["cd %s" % shlex.quote(self.project)]
        for n, (cmd, _) in enumerate(cmds):
            script.append("__rc=$?; printf '\\n%s\\n'; (exit $__rc)" % (MARK % n))
            script.append(cmd)
        script.append("printf '\\n%s\\n'" % (MARK % len(cmds)))
        env = dict(self.env, README_TEST_PORT=str(self.server.port))
        p = subprocess.run(["bash", "-u", "-c", "\n".join(script)], env=env, cwd=self.project,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        out = p.stdout.decode("utf-8", "replace")
        parts = MARK_RE.split("\n" + out)
        # parts: [before, "0", out0, "1", out1, ..., "N", after]
        got = {int(parts[i]): parts[i + 1] for i in range(1, len(parts) - 1, 2)}
        for n, (cmd, expected) in enumerate(cmds):
            if n not in got:
                self.test.fail("%s: the session stopped before %r:\n%s" % (block.where(), cmd, out))
            self.compared += 1
            with self.test.subTest(block=block.where(), command=cmd):
                self.test.assertEqual(normalize(got[n], self.server.port), expected_norm(expected),
                                      "%s\n$ %s" % (block.where(), cmd))

    def run_sh(self, block):
        self.ensure_server(block.section)
        env = dict(self.env, README_TEST_PORT=str(self.server.port))
        p = subprocess.run(["bash", "-eu", "-c", block.text], env=env, cwd=self.project,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        self.test.assertEqual(p.returncode, 0, "%s exited %d:\n%s"
                              % (block.where(), p.returncode, p.stdout.decode("utf-8", "replace")))

    def write_file(self, block):
        m = FILE_COMMENT[block.lang].match(block.text.split("\n", 1)[0])
        self.test.assertIsNotNone(m, "%s: a %s snippet starts with a comment naming its file "
                                     "(or is marked <!-- not run: REASON -->)"
                                  % (block.where(), block.lang))
        with open(os.path.join(self.project, m.group(1)), "w") as f:
            f.write(block.text + "\n")

    def read(self, path):
        for block in blocks_of(path):
            if block.not_run is not None:
                self.skipped.append((block, block.not_run))
                continue
            if block.lang == "text":
                continue
            # One failing block does not hide the others' results.
            with self.test.subTest(block=block.where()):
                if block.lang == "console":
                    self.run_console(block)
                elif block.lang == "sh":
                    self.run_sh(block)
                elif block.lang in FILE_COMMENT:
                    self.write_file(block)
                else:
                    self.test.fail("%s: tag the block console, sh, js, python or text, or mark it "
                                   "<!-- not run: REASON -->" % block.where())
        self.stop_server()


class ReadmeTest(unittest.TestCase):
    def read(self, name):
        with tempfile.TemporaryDirectory(prefix="supamock-readme-") as workdir:
            reader = Reader(self, workdir)
            try:
                reader.read(os.path.join(source_dir(), name))
            finally:
                reader.stop_server()
            for block, reason in reader.skipped:
                print("not run: %s: %s" % (block.where(), reason))
            print("%s: %d commands compared" % (name, reader.compared))
            # A parser that finds nothing must not pass.
            self.assertGreater(reader.compared, 0, name)

    def test_one_naming_scheme_for_variables(self):
        """Every $VARIABLE the READMEs mention, in prose or code, is one that
        `supamock keys` prints, one a README snippet assigns, or one the
        system or CI provides: no second name for the same key."""
        p = subprocess.run([binary(), "keys", "--format", "env"], capture_output=True, text=True,
                           timeout=30, cwd=source_dir())
        self.assertEqual(p.returncode, 0, p.stderr)
        printed = {line.split("=", 1)[0] for line in p.stdout.splitlines()}
        self.assertIn("SUPABASE_SERVICE_ROLE_KEY", printed)
        system = {"HOME", "PATH", "PWD", "TMPDIR", "XDG_CACHE_HOME", "ORIGIN", "GITHUB_ENV",
                  "GITHUB_PATH", "RUNNER_TEMP"}
        for name in ("README.md", os.path.join("scenarios", "README.md")):
            path = os.path.join(source_dir(), name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            assigned = set()
            for block in blocks_of(path):
                assigned.update(re.findall(r"(?:^|[\s;(])([A-Z][A-Z0-9_]*)=", block.text, re.M))
            for m in re.finditer(r"\$\{?([A-Z][A-Z0-9_]*)", text):
                var = m.group(1)
                line = text.count("\n", 0, m.start()) + 1
                self.assertTrue(var in printed or var in assigned or var in system,
                                "%s:%d: $%s is neither printed by `supamock keys` nor assigned "
                                "by a snippet" % (name, line, var))

    def test_readme(self):
        self.read("README.md")

    def test_scenarios_readme(self):
        self.read(os.path.join("scenarios", "README.md"))


if __name__ == "__main__":
    unittest.main()
