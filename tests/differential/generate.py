"""Request generators of the differential suite: from a seeded PRNG, requests
over the schema of sql/*.sql (the tables, columns and values below mirror it).

One generator per feature (GENERATORS); a later feature (views, RPC) adds its
SQL file to sql/ and its generator here. Every request is a dict
{"as": ROLE, "method": M, "path": "table?query", "headers": {...}, "body": ...}
as in requests.json; nothing here knows what either engine answers.
"""

import random
from urllib.parse import quote

U1 = "13ab4cf1-8587-4685-874b-c2d37beeab38"
U2 = "8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f"
ROLES = ("anon", "user1", "user2", "service")


def q(v):
    """A filter value, percent-encoded as a client would (reserved characters kept)."""
    return quote(str(v), safe=",.()*:{}[]-_'\"")


# column -> (kind, sample values) for the kinds table; the values include the
# seed's edge values so that filters hit and miss them.
KINDS = {
    "id": ("int", [1, 2, 3, 4, 5, 0, -1]),
    "i2": ("int", [1, 0, -32768, 32767, 40000]),
    "i4": ("int", [10, 0, -2147483648, 2147483647]),
    "i8": ("int", [100, 0, 9223372036854775807, -9223372036854775808]),
    "num": ("num", ["1.5", "0", "-0.001", "123456789.123", "1.50", "abc"]),
    "f4": ("num", ["1.25", "0", "-0", "3.4e38", "0.1", "Infinity", "NaN"]),
    "f8": ("num", ["2.5", "0", "-0", "1e308", "0.1", "-Infinity"]),
    "txt": ("text", ["alpha", "alpha beta", "", "Ünicode ☃ 日本", "quote ' \"double\" \\back", "x,y"]),
    "vc": ("text", ["a", "alpha", "ünï", "tab\tx"]),
    "ch": ("text", ["ab", "ab  ", "x", "abcd"]),
    "flag": ("bool", ["true", "false"]),
    "uid": ("uuid", ["00000000-0000-4000-8000-000000000001", "ffffffff-ffff-4fff-bfff-ffffffffffff",
                     "not-a-uuid"]),
    "d": ("date", ["2024-02-29", "infinity", "-infinity", "2000-01-01", "2024-13-01"]),
    "ts": ("date", ["2024-02-29T12:34:56", "-infinity", "2000-01-01 00:00:00", "1999-12-31T23:59:59.999999"]),
    "tstz": ("date", ["2024-02-29T12:34:56Z", "infinity", "2000-01-01T08:00:00+00:00",
                      "1970-01-01T01:00:00+01:00"]),
    "js": ("json", []),
    "jb": ("jsonb", ['{"a":1}', '{}', '[]', '{"c":{"d":"e"}}', '"just a string"']),
    "tags": ("array", ["{red}", "{}", "{red,green}", "{alpha,\"with space\"}", "{NULL}"]),
    "nums": ("array", ["{1}", "{}", "{1,2,3}", "{-1,0}", "{5}"]),
    "m": ("enum", ["sad", "ok", "happy", "angry"]),
    "pos": ("int", [1, 2, 3, 2147483647]),
    "doc": ("tsv", ["fox", "quick & fox", "dog", "lazy dog", "alpha", "jumping", "'the'"]),
    "r4": ("range", ["[1,10)", "[5,7]", "(,0)", "empty", "[0,1)", "3", "[20,30]"]),
    "rn": ("range", ["[1,2]", "(,0)", "[0,0]", "1.5"]),
    "rd": ("range", ["[2024-01-01,2024-02-01)", "(,)", "[2025-06-01,)", "2024-06-01"]),
    "rts": ("range", ["[2024-03-01T00:00:00Z,2024-04-01T00:00:00Z)", "(,)", "empty"]),
}

OPS = {
    "int": ["eq", "neq", "gt", "gte", "lt", "lte", "in", "is", "isdistinct"],
    "num": ["eq", "neq", "gt", "gte", "lt", "lte", "in", "is"],
    "text": ["eq", "neq", "gt", "lt", "like", "ilike", "match", "imatch", "in", "is", "fts", "isdistinct"],
    "bool": ["eq", "neq", "is"],
    "uuid": ["eq", "neq", "in", "is"],
    "date": ["eq", "gt", "gte", "lt", "lte", "is"],
    "json": ["is"],
    "jsonb": ["cs", "cd", "eq", "is"],
    "array": ["cs", "cd", "ov", "eq", "is"],
    "enum": ["eq", "neq", "gt", "lt", "in", "is"],
    "tsv": ["fts", "plfts", "phfts", "wfts"],
    "range": ["cs", "cd", "ov", "sl", "sr", "nxl", "nxr", "adj", "eq", "is"],
}

LIKE_PATTERNS = ["*alpha*", "al*", "*☃*", "%25a%25", "A*", "*'*", "*\\\\*", "_lpha", "*"]
MATCH_PATTERNS = ["^al", "ha$", "^[a-z]+$", "(", "b.t"]
IS_VALUES = ["null", "not_null", "true", "false", "unknown", "NULL", "nil"]


def atom(rng, col, kind, values):
    """col=op.value (or a bad value now and then)."""
    ops = OPS[kind]
    op = rng.choice(ops)
    if op == "is":
        return "%s.is.%s" % (col, rng.choice(IS_VALUES))
    if op in ("like", "ilike"):
        return "%s.%s.%s" % (col, op, q(rng.choice(LIKE_PATTERNS)))
    if op in ("match", "imatch"):
        return "%s.%s.%s" % (col, op, q(rng.choice(MATCH_PATTERNS)))
    if op in ("fts", "plfts", "phfts", "wfts"):
        lang = rng.choice(["", "", "(english)", "(simple)"])
        return "%s.%s%s.%s" % (col, op, lang, q(rng.choice(KINDS["doc"][1])))
    if op == "in":
        vs = rng.sample(values, min(len(values), rng.randint(0, 3)))
        return "%s.in.(%s)" % (col, ",".join(
            '"%s"' % q(v).replace('"', '\\"') if kind == "text" else q(v) for v in vs))
    v = rng.choice(values) if values else "x"
    if kind == "text" and any(c in str(v) for c in ",()"):
        v = '"%s"' % v
    return "%s.%s.%s" % (col, op, q(v))


def filt(rng, depth=0):
    """One top-level filter: col=op.v, col=not.op.v, or/and with nesting."""
    r = rng.random()
    if r < 0.2 and depth < 2:
        word = rng.choice(["or", "and", "not.or", "not.and"])
        parts = [nested(rng, depth + 1) for _ in range(rng.randint(1, 3))]
        return "%s=(%s)" % (word, ",".join(parts))
    if rng.random() < 0.1:
        # A JSON path: on json/jsonb, and on columns PostgREST reads through
        # to_jsonb (arrays, ranges, numbers).
        path = rng.choice(["jb->>a", "jb->c->>d", "js->b->>0", "nums->>0", "tags->>1", "i4->>0",
                           "jb->b->0"])
        op = rng.choice(["eq.1", "eq.red", "is.null", "like.*e*", "in.(1,2)", "gt.0"])
        return "%s=%s%s" % (path, "not." if rng.random() < 0.15 else "", op)
    col = rng.choice(list(KINDS))
    kind, values = KINDS[col]
    a = atom(rng, col, kind, values)
    c, rest = a.split(".", 1)
    if rng.random() < 0.15:
        rest = "not." + rest
    return "%s=%s" % (c, rest)


def nested(rng, depth):
    if rng.random() < 0.25 and depth < 3:
        word = rng.choice(["or", "and", "not.and"])
        return "%s(%s)" % (word, ",".join(nested(rng, depth + 1) for _ in range(rng.randint(1, 2))))
    col = rng.choice(list(KINDS))
    kind, values = KINDS[col]
    a = atom(rng, col, kind, values)
    if rng.random() < 0.15:
        c, rest = a.split(".", 1)
        a = "%s.not.%s" % (c, rest)
    return a


def order(rng):
    cols = rng.sample(list(KINDS), rng.randint(1, 3))
    parts = []
    for c in cols:
        if c == "js":
            c = "js->>a"
        if c == "jb" and rng.random() < 0.5:
            c = "jb->a"
        parts.append(c + rng.choice(["", ".asc", ".desc", ".asc.nullsfirst", ".desc.nullslast",
                                     ".nullsfirst", ".nullslast"]))
    return ",".join(parts + ["id"])


def select_kinds(rng):
    items = []
    for c in rng.sample(list(KINDS), rng.randint(1, 5)):
        r = rng.random()
        if r < 0.15:
            items.append("x_%s:%s" % (c, c))
        elif r < 0.3:
            items.append("%s::text" % c)
        elif c in ("jb", "js") and r < 0.7:
            items.append(rng.choice(["%s->a", "%s->>a", "%s->b->0", "%s->c->>d", "alias:%s->b->>1"]) % c)
        else:
            items.append(c)
    if "id" not in items:
        items.insert(0, "id")
    return ",".join(items)


def gen_read_kinds(rng):
    """A GET on kinds: select, filters, order, limit/offset or Range, count."""
    params = ["select=" + select_kinds(rng)]
    for _ in range(rng.randint(0, 3)):
        params.append(filt(rng))
    params.append("order=" + order(rng))
    headers = {}
    if rng.random() < 0.3:
        params.append("limit=%d" % rng.randint(0, 4))
    if rng.random() < 0.2:
        params.append("offset=%d" % rng.randint(0, 5))
    elif rng.random() < 0.15:
        a = rng.randint(0, 4)
        headers["Range"] = "%d-%d" % (a, a + rng.randint(0, 3))
    if rng.random() < 0.3:
        headers["Prefer"] = "count=" + rng.choice(["exact", "exact", "planned", "estimated"])
    return {"as": rng.choice(ROLES), "method": rng.choice(["GET"] * 9 + ["HEAD"]),
            "path": "kinds?" + "&".join(params), "headers": headers}


EMBEDS = [
    ("projects", ["teams(name)", "teams!inner(name)", "team:teams(id,name)", "...teams(team_name:name)",
                  "parent:projects!parent_id(id,title)", "children:projects!parent_id(id)",
                  "tags(label)", "tags!inner(label)", "project_tags(tag_id)", "versions(version,notes)"],
     ["teams.name=eq.Alpha", "teams.id=gt.1", "tags.label=in.(red,blue)", "children.id=gt.2",
      "teams=not.is.null", "tags.order=label.desc", "versions.limit=1"]),
    ("teams", ["projects(id,title)", "projects!inner(id)", "members(role)", "projects(id,tags(label))"],
     ["projects.is_public=is.true", "projects.order=id.desc", "projects.limit=1", "members.role=eq.owner"]),
    ("tags", ["projects(id,title)", "project_tags(project_id)", "projects!inner(id)"],
     ["projects.id=lt.3", "projects.order=title"]),
    ("releases", ["versions(notes)", "versions!inner(notes)", "...versions(notes)"],
     ["versions.notes=not.is.null"]),
    ("versions", ["releases(id,channel)", "projects(title)"], ["releases.channel=eq.beta"]),
]
BASE_COLS = {"projects": ["id", "title", "budget", "state", "is_public", "team_id", "parent_id"],
             "teams": ["id", "name", "slug", "created_at"], "tags": ["id", "label"],
             "releases": ["id", "channel", "version"], "versions": ["project_id", "version", "notes"]}


def gen_read_embed(rng):
    """A GET with embeddings, spreads, !inner, and filters/orders on them."""
    table, embeds, efilters = rng.choice(EMBEDS)
    cols = rng.sample(BASE_COLS[table], rng.randint(1, min(3, len(BASE_COLS[table]))))
    chosen = rng.sample(embeds, rng.randint(1, min(2, len(embeds))))
    # The same relationship twice without an alias is an error PostgreSQL
    # raises (a known difference); keep it rare, so most cases test more.
    target = [e.lstrip(".").split("(")[0].split(":")[-1].split("!")[0] for e in chosen]
    if len(chosen) == 2 and target[0] == target[1] and rng.random() > 0.1:
        chosen = chosen[:1]
    sel = cols + chosen
    params = ["select=" + ",".join(sel)]
    for f in rng.sample(efilters, rng.randint(0, min(2, len(efilters)))):
        params.append(f)
    if table == "projects" and rng.random() < 0.4:
        params.append(rng.choice(["budget=gt.0", "state=eq.ok", "title=ilike.*child*",
                                  "or=(is_public.is.true,budget.lt.0)", "team_id=is.null"]))
    # A to-many embedding's rows come in no defined order (the plan's join
    # order on the database): each gets an order of its own.
    for e in sel:
        if "(" not in e or e.startswith("..."):
            continue
        head = e.split("(")[0]
        alias, _, target = head.rpartition(":")
        target = target.split("!")[0]
        name = alias or target
        many = {("projects", "tags"), ("projects", "project_tags"), ("projects", "versions"),
                ("projects", "projects"), ("teams", "projects"), ("teams", "members"),
                ("tags", "projects"), ("tags", "project_tags"), ("versions", "releases")}
        if (table, target) in many and "parent" not in name:
            first = e.split("(")[1].split(",")[0].rstrip(")")
            if first and first != "*" and ":" not in first:
                params.append("%s.order=%s" % (name, first))
            if "tags(label)" in e and target == "projects":
                params.append("%s.tags.order=label" % name)
    key = "project_id,version" if table == "versions" else "id"
    # Every order ends in the key: rows that tie come back in no defined order.
    desc = ",".join(k + ".desc" for k in key.split(","))
    params.append("order=" + rng.choice([key, desc, "%s.asc.nullsfirst,%s" % (BASE_COLS[table][-1], key)]))
    headers = {"Prefer": "count=exact"} if rng.random() < 0.2 else {}
    return {"as": rng.choice(ROLES), "method": "GET", "path": table + "?" + "&".join(params),
            "headers": headers}


def tag_body(rng, n):
    out = []
    for _ in range(n):
        r = rng.random()
        row = {"id": rng.choice([1, 2, 60, 61, 62, 63]), "label": rng.choice(
            ["red", "new", "Ünï ☃", "quote'\"", "", "x" * 40])}
        if r < 0.1:
            row["id"] = rng.choice(["abc", None, 1.5, 2**40])
        elif r < 0.15:
            del row["label"]
        elif r < 0.2:
            row["nope"] = 1
        out.append(row)
    return out[0] if n == 1 and rng.random() < 0.5 else out


def project_body(rng):
    row = {"id": rng.choice([7, 8, 1]), "title": rng.choice(["new", "", "☃ 'q'"]),
           "owner_id": rng.choice([U1, U2, None])}
    for k, vs in (("team_id", [1, 2, 99, None]), ("budget", [0, -1.5, 1.005, "12.345", 1e11]),
                  ("state", ["ok", "happy", "angry"]), ("is_public", [True, False, None]),
                  ("parent_id", [1, 6, 42])):
        if rng.random() < 0.3:
            row[k] = rng.choice(vs)
    return row


def prefer(rng, write=True):
    parts = []
    if rng.random() < 0.6:
        parts.append("return=" + rng.choice(["representation", "minimal", "headers-only"]))
    if rng.random() < 0.2:
        parts.append("count=exact")
    if write and rng.random() < 0.2:
        parts.append("missing=default")
    return ",".join(parts)


def gen_write(rng):
    """POST/PATCH/DELETE/upsert on tags or projects, valid and invalid bodies."""
    who = rng.choice(ROLES)
    kind = rng.choice(["insert", "insert", "upsert", "patch", "delete", "insert_project",
                       "patch_project", "delete_project", "insert_kinds"])
    headers = {}
    p = prefer(rng)
    sel = "?select=" + rng.choice(["*", "id", "id,label", "label:label"]) if rng.random() < 0.4 else ""
    if kind == "insert":
        req = {"method": "POST", "path": "tags" + sel, "body": tag_body(rng, rng.randint(1, 3))}
    elif kind == "upsert":
        p = ",".join(x for x in (p, "resolution=" + rng.choice(["merge-duplicates", "ignore-duplicates"])) if x)
        path = "tags" + (sel or "?") + rng.choice(["", "&on_conflict=label", "&on_conflict=id"])
        req = {"method": "POST", "path": path.replace("?&", "?").rstrip("?"),
               "body": tag_body(rng, rng.randint(1, 2))}
    elif kind == "patch":
        f = rng.choice(["id=eq.1", "id=gt.2", "label=like.*e*", "id=eq.999", "id=in.(1,2)"])
        req = {"method": "PATCH", "path": "tags?" + f + sel.replace("?", "&"),
               "body": rng.choice([{"label": "patched"}, {"label": None}, {"id": 2}, {"nope": 1},
                                   {"label": "red"}])}
    elif kind == "delete":
        f = rng.choice(["id=eq.4", "id=eq.1", "label=eq.blue", "id=gte.3", "id=eq.999"])
        req = {"method": "DELETE", "path": "tags?" + f + sel.replace("?", "&")}
    elif kind == "insert_project":
        s = "?select=" + rng.choice(["id,title", "*", "id,teams(name)"]) if rng.random() < 0.4 else ""
        req = {"method": "POST", "path": "projects" + s, "body": project_body(rng)}
    elif kind == "patch_project":
        f = rng.choice(["id=eq.1", "id=eq.4", "id=in.(1,2,3)", "is_public=is.true"])
        req = {"method": "PATCH", "path": "projects?" + f + "&select=id,title,owner_id",
               "body": rng.choice([{"title": "p"}, {"owner_id": U2}, {"budget": 5.5}, {"title": ""},
                                   {"state": "sad"}])}
    elif kind == "delete_project":
        f = rng.choice(["id=eq.2", "id=eq.4", "id=eq.6", "owner_id=eq." + U1])
        req = {"method": "DELETE", "path": "projects?" + f + "&select=id"}
    else:
        row = {"id": rng.choice([9, 1])}
        for c in rng.sample(["i2", "num", "f8", "txt", "vc", "ch", "flag", "d", "tstz", "jb", "tags",
                             "nums", "m", "r4", "rd"], rng.randint(1, 4)):
            row[c] = rng.choice({
                "i2": [1, 40000, "7", -1], "num": [1.23456, "99.9999", "NaN", 1e20],
                "f8": [-0.0, 1e-7, 123.456, "Infinity"], "txt": ["☃", "", "a\nb"],
                "vc": ["12345678", "123456789", "ü" * 8], "ch": ["a", "abcde", ""],
                "flag": [True, "yes", 0], "d": ["2026-02-28", "2026-02-30", "infinity", "epoch"],
                "tstz": ["2026-01-01T00:00:00+02:00", "2026-01-01 12:00", "infinity", "now"],
                "jb": [{"k": [1, None]}, [], "str", 1.50], "tags": [["a", "b c"], [], [None], "{x}"],
                "nums": [[1, 2], [], ["a"]], "m": ["ok", "angry"], "r4": ["[3,1)", "[1,3]", "(1,2)"],
                "rd": ["[2026-01-01,2026-01-01]", "empty"]}[c])
        s = "?select=" + ",".join(["id"] + [c for c in row if c != "id"])
        req = {"method": "POST", "path": "kinds" + s, "body": row}
        if who == "anon":
            who = "service"
    if p:
        headers["Prefer"] = p
    req.update({"as": who, "headers": headers})
    return req


# Each feature's generator with its weight; add views/RPC here when the
# memory engine runs them (their SQL goes into sql/).
GENERATORS = [(gen_read_kinds, 5), (gen_read_embed, 3), (gen_write, 2)]


def generate(seed, count):
    rng = random.Random(seed)
    gens = [g for g, w in GENERATORS for _ in range(w)]
    return [rng.choice(gens)(rng) for _ in range(count)]
