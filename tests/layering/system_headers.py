"""Checks that each third-party header with a single owning wing is included
only there: libuv and llhttp in net/, libpg_query in sql/, libpq in
engine/postgres/, libstemmer in tsearch/. Include directories cannot enforce this because these
headers live in the system include path. Exit status 1 lists every offender."""

import pathlib
import re
import sys

OWNERS = {
    "uv.h": "net",
    "llhttp.h": "net",
    "pg_query.h": "sql",
    "libpq-fe.h": "engine/postgres",
    "libstemmer.h": "tsearch",
}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)


def main(root: str) -> int:
    base = pathlib.Path(root)
    bad = []
    files = sorted(p for p in base.rglob("*") if p.suffix in (".c", ".h"))
    for path in files:
        rel = path.relative_to(base).as_posix()
        for header in INCLUDE.findall(path.read_text(encoding="utf-8", errors="replace")):
            owner = OWNERS.get(header.split("/")[-1])
            if owner and not rel.startswith(owner + "/"):
                bad.append(f"{rel}: includes {header}, which only {owner}/ may include")
    for line in bad:
        print(line)
    print(f"{len(files)} files scanned, {len(bad)} wrong-way system includes")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
