#!/usr/bin/python3
"""Check rows read from a bench-data order against its answer key.

    /usr/bin/python3 checkkey.py order-N.expected.json ROWS.tsv

ROWS.tsv is what t_sheet wrote: row, article, quantity, thousandths and
flags, tab-separated, with backslash, tab, CR and LF escaped.  Prints one
line per problem and exits 1 if there is any.  What it checks:

  - every data row is there, rows 2 .. N+1 (the header is row 1);
  - the noisy articles read exactly as the key says the dealer typed
    them: leading or trailing spaces and tabs, a trailing NBSP, lower
    case, a dash other than "-";
  - unknown, deleted, ambiguous and zero-quantity rows read with the raw
    article of the key, exactly;
  - every row of a priced line reads as that line's article under the
    key's reference normalisation, and the quantities of its rows sum to
    the line's quantity.
"""
import json
import sys

DASHES = ["\u2013", "\u2014", "\u2011"]


def canon(a):
    a = a.replace("\u00a0", " ").strip()
    for d in DASHES:
        a = a.replace(d, "-")
    return a.casefold()


def unescape(s):
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}
                       .get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


key = json.load(open(sys.argv[1], encoding="utf-8"))
rows = {}
for line in open(sys.argv[2], encoding="utf-8", newline="\n"):
    f = line.rstrip("\n").split("\t")
    rows[int(f[0])] = (unescape(f[1]), unescape(f[2]), int(f[3]), int(f[4]))

bad = []
n = key["data_rows"]
if sorted(rows) != list(range(2, n + 2)):
    bad.append("rows: %d read, want rows 2..%d" % (len(rows), n + 1))


def art(r):
    return rows.get(r, ("<missing>",))[0]


noise = key["noise_rows"]
for r in noise.get("spaces", []):
    a = art(r)
    if a == a.strip(" \t") or a.strip(" \t") == "":
        bad.append("row %d: spaces: %r has none around it" % (r, a))
for r in noise.get("nbsp", []):
    if not art(r).endswith("\u00a0"):
        bad.append("row %d: nbsp: %r" % (r, art(r)))
for r in noise.get("case", []):
    if art(r) != art(r).lower() or art(r) == art(r).upper():
        bad.append("row %d: case: %r is not lower case" % (r, art(r)))
for r in noise.get("dash", []):
    if not any(d in art(r) for d in DASHES):
        bad.append("row %d: dash: %r has no other dash" % (r, art(r)))
for kind in ("unknown", "deleted", "ambiguous", "zero_qty"):
    for e in key[kind]:
        if art(e["row"]) != str(e["article"]):
            bad.append("row %d: %s: read %r, key %r" % (
                e["row"], kind, art(e["row"]), str(e["article"])))
for e in key["zero_qty"]:
    q = rows.get(e["row"])
    if q is None or q[2] != 0 or not q[3] & 4:
        bad.append("row %d: zero quantity read as %r" % (e["row"], q))
for line in key["lines"]:
    total = 0
    for r in line["rows"]:
        if canon(art(r)) != canon(line["article"]):
            bad.append("row %d: %r is not %r" % (r, art(r), line["article"]))
        q = rows.get(r)
        if q is None or not q[3] & 4:
            bad.append("row %d: quantity %r is not a number" % (r, q))
        else:
            total += q[2]
    if total != line["qty"] * 1000:
        bad.append("line %s: quantity %d/1000, key %d" % (
            line["article"], total, line["qty"]))

for b in bad[:20]:
    print(b)
if len(bad) > 20:
    print("... %d more" % (len(bad) - 20))
sys.exit(1 if bad else 0)
