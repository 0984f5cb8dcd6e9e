"""Installing supamock anywhere: `cmake --install` to a fresh prefix, the
relocatable tarball and the Debian package that cpack makes.

Each installed binary is run from a directory without scenarios/ and must
find a shipped scenario by name in its own tree and answer with it. The
tarball and the .deb come from the release build (scripts/test runs cpack and
names them in $SUPAMOCK_TARBALL and $SUPAMOCK_DEB); without those variables
their tests are skipped, with the reason shown."""

import glob
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import unittest

from harness import Supamock, binary, sanitizer_report, source_dir

SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
SHIPPED = ["default", "missing-grants", "stale-schema-cache", "connection-faults"]
# Libraries an installed binary may load from the machine: the C library's.
SYSTEM_LIBS = re.compile(r"^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|/lib64/ld-linux[^ ]*)$")


def build_dir():
    """The CMake build directory of $SUPAMOCK_BIN (the one holding CMakeCache.txt)."""
    d = os.path.dirname(os.path.abspath(binary()))
    while d != "/":
        if os.path.exists(os.path.join(d, "CMakeCache.txt")):
            return d
        d = os.path.dirname(d)
    raise AssertionError("no CMakeCache.txt above " + binary())


def package(var):
    path = os.environ.get(var)
    if not path:
        raise unittest.SkipTest(var + " is not set (scripts/test builds the packages with cpack "
                                "in build/release and sets it)")
    return path


class InstalledBinary:
    def __init__(self, test, prefix):
        self.test = test
        self.bin = os.path.join(prefix, "bin", "supamock")

    def assert_answers_from_elsewhere(self):
        """Served from an empty directory, `--scenario missing-grants` is the
        shipped file: service_role is refused the profiles table."""
        with tempfile.TemporaryDirectory() as elsewhere:
            with Supamock("--scenario", "missing-grants", bin_path=self.bin,
                          cwd=elsewhere) as mock:
                status, _, _, body = mock.request(
                    "GET", "/rest/v1/profiles",
                    headers={"apikey": SERVICE, "Authorization": "Bearer " + SERVICE})
                self.test.assertEqual(status, 403, body)
                self.test.assertIn(b"permission denied for table profiles", body)

    def run(self, *args, cwd):
        p = subprocess.run([self.bin] + list(args), cwd=cwd, capture_output=True, text=True,
                           timeout=60)
        self.test.assertIsNone(sanitizer_report(p.stderr), p.stderr)
        return p


def assert_tree(test, prefix):
    test.assertTrue(os.access(os.path.join(prefix, "bin", "supamock"), os.X_OK))
    data = os.path.join(prefix, "share", "supamock", "scenarios")
    for name in SHIPPED + ["scenario"]:
        suffix = ".schema.json" if name == "scenario" else ".json"
        test.assertTrue(os.path.isfile(os.path.join(data, name + suffix)), name)
    # The SQL twins: a project folder and the failures over it.
    for rel in ("supabase/supamock.json", "supabase/supabase/config.toml",
                "supabase/supabase/seed.sql", "supabase/supabase/migrations/20260101000000_profiles.sql",
                "supabase/failures/missing-grants.json", "supabase/failures/missing-grants.sql"):
        test.assertTrue(os.path.isfile(os.path.join(data, rel)), rel)
    docs = os.path.join(prefix, "share", "doc", "supamock")
    test.assertTrue(os.path.isfile(os.path.join(docs, "README.md")))
    test.assertTrue(os.path.isfile(os.path.join(docs, "scenarios.md")))
    # The README's dashboard screenshots, at the relative path it uses.
    test.assertTrue(os.path.isfile(os.path.join(docs, "docs", "dashboard-stale-cache.png")))


def ldd(path):
    """{library: resolved path or None} as the dynamic loader sees path."""
    out = subprocess.run(["ldd", path], capture_output=True, text=True, check=True).stdout
    libs = {}
    for line in out.splitlines():
        line = line.strip()
        m = re.match(r"^(\S+) => (not found|(\S+) \(0x[0-9a-f]+\))$", line)
        if m:
            libs[m.group(1)] = m.group(3)
        else:
            libs[line.split(" ")[0]] = line.split(" ")[0]
    return libs


class CmakeInstallTest(unittest.TestCase):
    def test_install_to_a_prefix_then_move_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            prefix = os.path.join(tmp, "prefix")
            subprocess.run(["cmake", "--install", build_dir(), "--prefix", prefix],
                           check=True, capture_output=True)
            assert_tree(self, prefix)
            InstalledBinary(self, prefix).assert_answers_from_elsewhere()
            # The tree still works once moved: scenarios are found beside the
            # binary, not at the prefix compiled in.
            moved = os.path.join(tmp, "moved")
            os.rename(prefix, moved)
            InstalledBinary(self, moved).assert_answers_from_elsewhere()

    def test_name_not_found_lists_the_places(self):
        """The three places a NAME is looked for, in order, in the message."""
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "bin"))
            shutil.copy(binary(), os.path.join(tmp, "bin", "supamock"))
            p = InstalledBinary(self, tmp).run("--scenario", "no-such-scenario", "--port", "0",
                                               cwd=tmp)
            self.assertEqual(p.returncode, 2)
            m = re.search(r"looked for ([^)\n]*)", p.stderr)
            self.assertIsNotNone(m, p.stderr)
            places = m.group(1).split(", ")
            self.assertEqual(places[:2], [
                "scenarios/no-such-scenario.json",
                os.path.realpath(tmp) + "/share/supamock/scenarios/no-such-scenario.json"])
            self.assertEqual(len(places), 3, places)
            self.assertRegex(places[2], r"^/.*/share/supamock/scenarios/no-such-scenario\.json$")

    def test_current_directory_scenarios_come_first(self):
        """A checkout's (or a project's) scenarios/ wins over the installed one."""
        with tempfile.TemporaryDirectory() as tmp:
            prefix = os.path.join(tmp, "prefix")
            subprocess.run(["cmake", "--install", build_dir(), "--prefix", prefix],
                           check=True, capture_output=True)
            project = os.path.join(tmp, "project")
            os.makedirs(os.path.join(project, "scenarios"))
            with open(os.path.join(project, "scenarios", "missing-grants.json"), "w") as f:
                f.write('{"name": "local", "extends": "default"}')
            with Supamock("--scenario", "missing-grants", cwd=project,
                          bin_path=os.path.join(prefix, "bin", "supamock")) as mock:
                status, _, _, body = mock.request(
                    "GET", "/rest/v1/profiles?select=user_id",
                    headers={"apikey": SERVICE, "Authorization": "Bearer " + SERVICE})
                self.assertEqual(status, 200, body)


class DockerEntrypointTest(unittest.TestCase):
    """scripts/docker-entrypoint, the image's entry point, run against an
    installed tree on PATH as the image has it."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        prefix = os.path.join(self.tmp.name, "opt")
        subprocess.run(["cmake", "--install", build_dir(), "--prefix", prefix], check=True,
                       capture_output=True)
        self.env = {"PATH": os.path.join(prefix, "bin") + os.pathsep + os.environ["PATH"]}
        self.entry = os.path.join(source_dir(), "scripts", "docker-entrypoint")
        self.cwd = os.path.join(self.tmp.name, "work")
        os.makedirs(self.cwd)

    def tearDown(self):
        self.tmp.cleanup()

    def test_loopback_without_a_token(self):
        with Supamock("--scenario", "missing-grants", bin_path=self.entry, cwd=self.cwd,
                      env=self.env) as mock:
            self.assertEqual(mock.host, "127.0.0.1")
            status, _, _, _ = mock.request("GET", "/__mock/health")
            self.assertEqual(status, 200)

    def test_every_interface_with_the_admin_token(self):
        env = dict(self.env, SUPAMOCK_ADMIN_TOKEN="s3cret-token")
        with Supamock("--scenario", "missing-grants", bin_path=self.entry, cwd=self.cwd,
                      env=env) as mock:
            self.assertEqual(mock.host, "0.0.0.0")
            status, _, _, _ = mock.request("GET", "/__mock/health",
                                           headers={"Host": "localhost"})
            self.assertEqual(status, 401)
            status, _, _, _ = mock.request(
                "GET", "/__mock/health",
                headers={"Host": "localhost", "Authorization": "Bearer s3cret-token"})
            self.assertEqual(status, 200)

    def test_subcommands_pass_through(self):
        env = dict(os.environ, **self.env, SUPAMOCK_ADMIN_TOKEN="s3cret-token")
        p = subprocess.run([self.entry, "keys", "--format", "json"], cwd=self.cwd, env=env,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('"SUPABASE_URL":"http://127.0.0.1:54321"', p.stdout)
        p = subprocess.run([self.entry, "run", "--scenario", "missing-grants", "--", "sh", "-c",
                            "curl -sS -H \"apikey: $SERVICE_ROLE_KEY\" \"$REST_URL/profiles\""],
                           cwd=self.cwd, env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("permission denied for table profiles", p.stdout)


class TarballTest(unittest.TestCase):
    def test_unpacked_anywhere_it_runs(self):
        tarball = package("SUPAMOCK_TARBALL")
        with tempfile.TemporaryDirectory() as tmp:
            with tarfile.open(tarball) as t:
                tops = {m.name.split("/")[0] for m in t.getmembers()}
                self.assertEqual(len(tops), 1, tops)
                t.extractall(tmp)
            top = os.path.join(tmp, tops.pop())
            assert_tree(self, top)
            exe = os.path.join(top, "bin", "supamock")
            # Everything but the C library is static or shipped in lib/.
            libs = ldd(exe)
            for name, path in libs.items():
                if SYSTEM_LIBS.match(name):
                    continue
                self.assertIsNotNone(path, "%s not found: %s" % (name, libs))
                self.assertEqual(os.path.dirname(os.path.realpath(path)),
                                 os.path.realpath(os.path.join(top, "lib")),
                                 "%s comes from the machine: %s" % (name, libs))
            self.assertIn("libcjson.so.1", libs)
            self.assertNotIn("libuv.so.1", libs)
            self.assertNotIn("libcrypto.so.3", libs)
            InstalledBinary(self, top).assert_answers_from_elsewhere()
            # The one-line harness from the tarball, against a shipped scenario.
            with tempfile.TemporaryDirectory() as elsewhere:
                p = InstalledBinary(self, top).run(
                    "run", "--scenario", "missing-grants", "--", "sh", "-c",
                    "curl -sS -o /dev/null -w '%{http_code}' -H \"apikey: $SERVICE_ROLE_KEY\" "
                    "\"$REST_URL/profiles\"", cwd=elsewhere)
                self.assertEqual((p.returncode, p.stdout), (0, "403"), p.stderr)


class DebTest(unittest.TestCase):
    def deb(self):
        return package("SUPAMOCK_DEB")

    def test_control_and_files(self):
        deb = self.deb()
        fields = subprocess.run(["dpkg-deb", "--field", deb, "Package", "Depends"],
                                capture_output=True, text=True, check=True).stdout
        self.assertIn("Package: supamock", fields)
        self.assertRegex(fields, r"Depends: .*libc6 \(>= 2\.\d+\)")
        self.assertIn("libcjson1", fields)
        files = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True,
                               check=True).stdout
        paths = {line.split()[-1] for line in files.splitlines()}
        self.assertIn("./usr/bin/supamock", paths)
        self.assertIn("./usr/share/supamock/scenarios/missing-grants.json", paths)
        self.assertIn("./usr/share/supamock/scenarios/scenario.schema.json", paths)
        self.assertIn("./usr/share/doc/supamock/README.md", paths)
        # Debian's own libcjson1 provides cJSON: the .deb ships no library.
        self.assertEqual([p for p in paths if "/lib/" in p], [])

    def test_extracted_tree_runs(self):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["dpkg-deb", "-x", self.deb(), tmp], check=True)
            InstalledBinary(self, os.path.join(tmp, "usr")).assert_answers_from_elsewhere()

    def test_apt_resolves_its_dependencies(self):
        if not shutil.which("apt-get"):
            self.skipTest("no apt-get")
        deb = os.path.abspath(self.deb())
        p = subprocess.run(["apt-get", "install", "--simulate", "-y", deb],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"Inst supamock |supamock is already the newest")

    def test_apt_install_and_remove(self):
        """The real thing, when asked for (scripts/test as root) and when it
        leaves the machine as it was: no supamock package or /usr/bin/supamock
        before."""
        if os.environ.get("SUPAMOCK_TEST_DEB_INSTALL") != "1":
            self.skipTest("SUPAMOCK_TEST_DEB_INSTALL=1 not set")
        if os.geteuid() != 0:
            self.skipTest("not root")
        installed = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "supamock"],
                                   capture_output=True, text=True)
        if "installed" in installed.stdout or os.path.exists("/usr/bin/supamock"):
            self.skipTest("a supamock is installed on this machine already")
        deb = os.path.abspath(self.deb())
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        try:
            subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", deb],
                           check=True, capture_output=True, env=env, timeout=300)
            InstalledBinary(self, "/usr").assert_answers_from_elsewhere()
        finally:
            subprocess.run(["apt-get", "remove", "-y", "-qq", "supamock"], capture_output=True,
                           env=env, timeout=300)
        self.assertFalse(os.path.exists("/usr/bin/supamock"))


if __name__ == "__main__":
    unittest.main()
