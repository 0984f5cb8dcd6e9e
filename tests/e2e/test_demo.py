"""scripts/demo against the built binary: every shipped scenario has a demo,
each runs to the end, and the failures show as scenarios/README.md describes
them (the texts checked here are PostgREST's and the gateway's, asserted in
detail by test_scenarios.py)."""

import os
import subprocess
import sys
import unittest

from harness import source_dir


class DemoTest(unittest.TestCase):
    def test_every_scenario_plays(self):
        out = subprocess.run(
            [sys.executable, os.path.join(source_dir(), "scripts", "demo.py"),
             "--bin", os.environ["SUPAMOCK_BIN"], "--width", "160"],
            capture_output=True, text=True, timeout=240)
        self.assertEqual(out.returncode, 0, out.stderr)
        text = out.stdout
        for name in sorted(os.listdir(os.path.join(source_dir(), "scenarios"))):
            if name.endswith(".json") and not name.endswith(".schema.json"):
                self.assertIn("\n" + name[:-5] + "\n", text)
        # One sign of each kind of failure.
        self.assertIn("PGRST205", text)           # stale-schema-cache, table-not-in-cache
        self.assertIn("PGRST204", text)           # column-not-in-cache
        self.assertIn("42501", text)              # missing-grants, anon-key-as-service-key
        self.assertIn("HTTP/1.1 204 No Content", text)  # no-update-policy: silent
        self.assertIn("PGRST303", text)           # expired-user-jwt
        self.assertIn("PGRST002", text)           # schema-cache-loading
        self.assertIn("HTTP/1.1 502", text)       # gateway-5xx
        self.assertIn("[connection reset by the server (RST)]", text)  # connection-faults


if __name__ == "__main__":
    unittest.main()
