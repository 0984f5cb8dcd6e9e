#!/usr/bin/env python3
"""Extracts request/response cases from PostgREST's hspec files into
cases.json: each `get "PATH" `shouldRespondWith` EXPECTED` whose EXPECTED is a
[json| ... |] body, a string body or a status, with the matchStatus and the
matchHeaders (`"Name" <:> "value"`) that follow. Every case keeps the spec file
and line it came from. Cases in a `withConfig`/`describe` needing another
configuration than the file's baseCfg, or any form this reader does not
understand, are left out (the count of skipped lines is printed).

Usage: extract.py POSTGREST_CHECKOUT test/spec/Feature/Query/QuerySpec.hs ... > cases.json
"""

import json
import os
import re
import sys


def extract(root, rel):
    lines = open(os.path.join(root, rel), encoding="utf-8").read().split("\n")
    cases, skipped = [], 0
    i = 0
    while i < len(lines):
        m = re.match(r'^(\s*)get "((?:[^"\\]|\\.)*)"\s*(.*)$', lines[i])
        if not m:
            i += 1
            continue
        start = i + 1
        # The expression runs until a line indented no deeper than `get`.
        indent = len(m.group(1))
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
            j += 1
        text = m.group(3) + "\n" + "\n".join(lines[i + 1:j])
        i = j
        # A Haskell string literal: its \\ and \" escapes read as JSON's.
        path = json.loads('"%s"' % m.group(2))
        case = {"spec": "%s:%d" % (rel, start), "method": "GET", "path": path}
        t = text.strip()
        if not t.startswith("`shouldRespondWith`"):
            skipped += 1
            continue
        t = t[len("`shouldRespondWith`"):].strip()
        jm = re.match(r"\[json\|(.*?)\|\]", t, re.S)
        sm = re.match(r'"((?:[^"\\]|\\.)*)"', t)
        nm = re.match(r"(\d{3})\b", t)
        if jm:
            try:
                case["json"] = json.loads(jm.group(1))
            except ValueError:
                skipped += 1
                continue
            case["status"] = 200
            rest = t[jm.end():]
        elif sm:
            case["body"] = json.loads('"%s"' % sm.group(1))
            case["status"] = 200
            rest = t[sm.end():]
        elif nm:
            case["status"] = int(nm.group(1))
            rest = t[nm.end():]
        else:
            skipped += 1
            continue
        st = re.search(r"matchStatus\s*=\s*(\d{3})", rest)
        if st:
            case["status"] = int(st.group(1))
        hs = re.findall(r'"([A-Za-z-]+)"\s*<:>\s*"([^"]*)"', rest)
        if hs:
            case["headers"] = dict(hs)
        if re.search(r"matchHeaders\s*=\s*\[[^\]]*matchContentTypeJson", rest):
            case.setdefault("headers", {})["Content-Type"] = "application/json; charset=utf-8"
        if "<>" in rest or "withConfig" in rest:
            skipped += 1
            continue
        cases.append(case)
    return cases, skipped


if __name__ == "__main__":
    import os
    root = sys.argv[1]
    out = []
    for rel in sys.argv[2:]:
        cases, skipped = extract(root, rel)
        out += cases
        print("%s: %d cases, %d skipped" % (rel, len(cases), skipped), file=sys.stderr)
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    print()
