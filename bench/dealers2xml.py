#!/usr/bin/env python3
"""dealers2xml.py -- convert bench-data's dealers.yaml to formix-conditions.

Usage: dealers2xml.py dealers.yaml > conditions.xml

Reads the dealers file shared/bench-data/gen.py writes (format
formix-dealers/1) and writes one formix-conditions file (formix-xml(5)),
full="true", UTF-8, to standard output:

  - every dealer, with each of its legal entities;
  - an entity's head is the id of its dealer's entity with "head: true"
    (empty for that entity itself);
  - price-type is empty for entities on the base price type: in formix an
    empty price type means the base price less the discount, the rule
    bench-data's answer key uses.  Any other price type (none in bench
    data) is written as its id, the entity's own price;
  - default-discount and the group discounts as given;
  - invented, deterministic commercial terms: contract number, expiry
    2027-12-31, credit and overdue limits and payment days derived from a
    checksum of the entity id.

Standard library only: the YAML subset gen.py writes (block mappings and
sequences, flow mappings, "[]", double-quoted strings, null, booleans and
numbers, comments) is parsed here.  Numbers are kept as their text and
converted with decimal, so that a percent is never rounded by a float.

Exit status: 0 ok, 64 usage, 65 bad input, 66 input missing.
"""

import decimal
import sys
import zlib

PROG = "dealers2xml.py"


class DataError(Exception):
    def __init__(self, line, msg):
        Exception.__init__(self, msg)
        self.line = line
        self.msg = msg


class Plain(str):
    """An unquoted scalar, kept as written (a number, usually)."""


# ---------------------------------------------------------------------------
# The YAML subset
# ---------------------------------------------------------------------------

def strip_comment(s):
    """Drop a '#' comment that is outside quotes and after white space."""
    if "#" not in s:
        return s
    q = None
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if q == '"':
            if c == "\\":
                i += 1
            elif c == '"':
                q = None
        elif q == "'":
            if c == "'":
                q = None
        elif c in "\"'":
            q = c
        elif c == "#" and (i == 0 or s[i - 1] in " \t"):
            return s[:i]
        i += 1
    return s


ESCAPES = {"\\": "\\", '"': '"', "/": "/", "n": "\n", "t": "\t", "r": "\r",
           "0": "\0", "a": "\a", "b": "\b", "e": "\x1b", "f": "\f",
           "v": "\v", " ": " ", "N": "\x85", "_": "\xa0", "L": "\u2028",
           "P": "\u2029"}
HEXLEN = {"x": 2, "u": 4, "U": 8}


def dquoted(s, i, lineno):
    """Parse a double-quoted scalar starting at s[i] == '"'.

    Returns (string, index after the closing quote)."""
    out = []
    i += 1
    start = i
    n = len(s)
    while True:
        j = s.find('"', i)
        k = s.find("\\", i)
        if j < 0:
            raise DataError(lineno, "unterminated string")
        if k < 0 or j < k:
            out.append(s[start:j])
            return "".join(out), j + 1
        out.append(s[start:k])
        if k + 1 >= n:
            raise DataError(lineno, "unterminated string")
        c = s[k + 1]
        if c in ESCAPES:
            out.append(ESCAPES[c])
            i = k + 2
        elif c in HEXLEN:
            h = s[k + 2:k + 2 + HEXLEN[c]]
            try:
                out.append(chr(int(h, 16)))
            except ValueError:
                raise DataError(lineno, "bad escape \\%s%s" % (c, h))
            i = k + 2 + HEXLEN[c]
        else:
            raise DataError(lineno, "bad escape \\%s" % c)
        start = i


def squoted(s, i, lineno):
    out = []
    i += 1
    while True:
        j = s.find("'", i)
        if j < 0:
            raise DataError(lineno, "unterminated string")
        out.append(s[i:j])
        if s.startswith("''", j):
            out.append("'")
            i = j + 2
            continue
        return "".join(out), j + 1


def plain(text):
    t = text.strip()
    if t in ("null", "~", "Null", "NULL", ""):
        return None
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    return Plain(t)


def flow(s, i, lineno):
    """Parse a flow node at s[i]: a mapping, a sequence or a scalar.

    Returns (value, index after it)."""
    n = len(s)
    while i < n and s[i] == " ":
        i += 1
    if i >= n:
        return None, i
    c = s[i]
    if c == '"':
        return dquoted(s, i, lineno)
    if c == "'":
        return squoted(s, i, lineno)
    if c in "{[":
        close = "}" if c == "{" else "]"
        res = {} if c == "{" else []
        i += 1
        while True:
            while i < n and s[i] == " ":
                i += 1
            if i >= n:
                raise DataError(lineno, "unterminated %s" % c)
            if s[i] == close:
                return res, i + 1
            if c == "{":
                key, i = flow_key(s, i, lineno)
                val, i = flow(s, i, lineno)
                res[key] = val
            else:
                val, i = flow(s, i, lineno)
                res.append(val)
            while i < n and s[i] == " ":
                i += 1
            if i < n and s[i] == ",":
                i += 1
            elif i < n and s[i] == close:
                continue
            else:
                raise DataError(lineno, "expected ',' or '%s'" % close)
    # A plain scalar inside a flow collection ends at , } or ].
    j = i
    while j < n and s[j] not in ",}]":
        j += 1
    return plain(s[i:j]), j


def flow_key(s, i, lineno):
    if s[i] == '"':
        key, i = dquoted(s, i, lineno)
    elif s[i] == "'":
        key, i = squoted(s, i, lineno)
    else:
        j = s.find(":", i)
        if j < 0:
            raise DataError(lineno, "expected 'key: value'")
        key, i = s[i:j].strip(), j
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s) or s[i] != ":":
        raise DataError(lineno, "expected ':' after key")
    return key, i + 1


def scalar_or_flow(text, lineno):
    val, end = flow(text, 0, lineno)
    if text[end:].strip():
        if isinstance(val, Plain) or val is None:
            return plain(text)
        raise DataError(lineno, "unexpected text after value: %r"
                        % text[end:].strip())
    return val


def split_key(text, lineno):
    """'key: rest' -> (key, rest); None if text is not a mapping entry."""
    if text[0] in "\"'":
        key, i = (dquoted if text[0] == '"' else squoted)(text, 0, lineno)
        rest = text[i:].lstrip(" ")
        if not rest.startswith(":"):
            return None
        return key, rest[1:].strip()
    if text[0] in "{[":
        return None
    i = text.find(": ")
    if i < 0:
        if text.endswith(":"):
            return text[:-1].strip(), ""
        return None
    return text[:i].strip(), text[i + 2:].strip()


class Lines:
    def __init__(self, text):
        self.v = []
        for no, raw in enumerate(text.split("\n"), 1):
            if "\t" in raw[:len(raw) - len(raw.lstrip())]:
                raise DataError(no, "tab in indentation")
            s = strip_comment(raw).rstrip()
            if not s.strip() or s.strip() in ("---", "..."):
                continue
            ind = len(s) - len(s.lstrip(" "))
            self.v.append([ind, s[ind:], no])


def is_item(text):
    return text == "-" or text.startswith("- ")


def parse_node(L, i, ind):
    if is_item(L.v[i][1]):
        return parse_seq(L, i, ind)
    return parse_map(L, i, ind)


def parse_block_value(L, i, ind, lineno):
    """The value of 'key:' or '-' with nothing after it on the line."""
    if i < len(L.v):
        nind, ntext, _ = L.v[i]
        if nind > ind or (nind == ind and is_item(ntext)):
            return parse_node(L, i, nind)
    return None, i


def parse_map(L, i, ind):
    d = {}
    while i < len(L.v):
        cind, text, no = L.v[i]
        if cind < ind:
            break
        if cind > ind:
            raise DataError(no, "bad indentation")
        if is_item(text):
            break
        kv = split_key(text, no)
        if kv is None:
            raise DataError(no, "expected 'key: value'")
        key, rest = kv
        if key in d:
            raise DataError(no, "duplicate key %r" % key)
        i += 1
        if rest == "":
            d[key], i = parse_block_value(L, i, ind, no)
        else:
            d[key] = scalar_or_flow(rest, no)
    return d, i


def parse_seq(L, i, ind):
    out = []
    while i < len(L.v):
        cind, text, no = L.v[i]
        if cind != ind or not is_item(text):
            if cind > ind:
                raise DataError(no, "bad indentation")
            break
        rest = text[1:].lstrip(" ")
        if rest == "":
            val, i = parse_block_value(L, i + 1, ind, no)
        elif split_key(rest, no) is not None:
            # "- key: value": a mapping whose first entry shares the line.
            L.v[i] = [ind + len(text) - len(rest), rest, no]
            val, i = parse_map(L, i, L.v[i][0])
        else:
            val = scalar_or_flow(rest, no)
            i += 1
        out.append(val)
    return out, i


def yaml_load(text):
    L = Lines(text)
    if not L.v:
        return None
    val, i = parse_node(L, 0, L.v[0][0])
    if i < len(L.v):
        raise DataError(L.v[i][2], "unexpected content")
    return val


# ---------------------------------------------------------------------------
# The conversion
# ---------------------------------------------------------------------------

def xesc(s):
    s = str(s)
    if any(c in s for c in "&<>\"\n\r\t"):
        s = (s.replace("&", "&amp;").replace("<", "&lt;")
             .replace(">", "&gt;").replace('"', "&quot;")
             .replace("\n", "&#10;").replace("\r", "&#13;")
             .replace("\t", "&#9;"))
    return s


def pct(v, what):
    """A percent as formix reads it: at most two decimals, 0..100."""
    if v is None:
        return "0"
    if isinstance(v, bool):
        raise ValueError("%s: not a number" % what)
    try:
        d = decimal.Decimal(str(v).replace(",", "."))
    except decimal.InvalidOperation:
        raise ValueError("%s: %r is not a number" % (what, v))
    if d != d.quantize(decimal.Decimal("0.01")) or d < 0 or d > 100:
        raise ValueError("%s: %s is not a percent with at most two "
                         "decimals" % (what, v))
    d = d.quantize(decimal.Decimal("0.01")).normalize()
    return format(d, "f")


LIMITS = (100000, 250000, 300000, 500000, 750000, 1000000, 1500000,
          2000000)
DAYS = (0, 14, 21, 30, 30, 45, 60)


def terms(entity_id, sole_trader):
    """Invented but deterministic commercial terms for an entity."""
    h = zlib.crc32(entity_id.encode("utf-8"))
    limit = LIMITS[h % len(LIMITS)]
    if sole_trader:
        limit //= 5
    days = DAYS[(h >> 8) % len(DAYS)]
    return limit, limit // 5, days


def convert(doc, out):
    if not isinstance(doc, dict):
        raise ValueError("not a mapping of sections")
    fmt = doc.get("format")
    if fmt is not None and fmt != "formix-dealers/1":
        raise ValueError("format %r, expected formix-dealers/1" % (fmt,))
    generated = doc.get("generated") or "1970-01-01T00:00:00"
    ptypes = doc.get("price_types") or {}
    dealers = doc.get("dealers") or []
    if not isinstance(dealers, list):
        raise ValueError("dealers: not a list")

    w = out.append
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w("<!-- Written by dealers2xml.py from a formix-dealers/1 file; "
      "terms invented. -->\n")
    w('<formix-conditions version="1" generated="%s" full="true">\n'
      % xesc(generated))
    contract = 0
    counts = [0, 0, 0]
    for d in dealers:
        did = d.get("id")
        if not did:
            raise ValueError("a dealer without an id")
        w('\t<dealer id="%s" name="%s" blocked="false">\n'
          % (xesc(did), xesc(d.get("name") or did)))
        counts[0] += 1
        ents = d.get("legal_entities") or []
        head = ""
        for e in ents:
            if e.get("head") is True:
                head = e.get("id") or ""
                break
        for e in ents:
            eid = e.get("id")
            if not eid:
                raise ValueError("dealer %s: an entity without an id" % did)
            inn = str(e.get("inn") or "")
            kpp = e.get("kpp")
            kpp = "" if kpp is None else str(kpp)
            pt = e.get("price_type")
            if pt is None or pt == "base":
                ptid = ""
            elif pt in ptypes and isinstance(ptypes[pt], dict):
                ptid = ptypes[pt].get("id") or ""
            else:
                ptid = str(pt)
            contract += 1
            limit, overdue_limit, days = terms(eid, len(inn) == 12)
            w('\t\t<entity id="%s" name="%s" full-name="%s" inn="%s" '
              'kpp="%s" head="%s" contract="Д-%d/2025" '
              'contract-expires="2027-12-31" credit-limit="%d.00" '
              'overdue-limit="%d.00" debt="0.00" overdue="0.00" '
              'payment-days="%d" price-type="%s" default-discount="%s" '
              'blocked="false">\n'
              % (xesc(eid), xesc(e.get("name") or eid),
                 xesc(e.get("full_name") or ""), xesc(inn), xesc(kpp),
                 "" if e.get("head") is True else xesc(head),
                 contract, limit, overdue_limit, days, xesc(ptid),
                 pct(e.get("default_discount"),
                     "%s: default_discount" % eid)))
            counts[1] += 1
            if e.get("city"):
                w("\t\t\t<address>г. %s</address>\n" % xesc(e["city"]))
            for r in e.get("discounts") or []:
                gid = r.get("group_id")
                if not gid:
                    raise ValueError("%s: a discount without group_id"
                                     % eid)
                w('\t\t\t<discount group="%s" percent="%s"/>\n'
                  % (xesc(gid), pct(r.get("percent"),
                                    "%s: discount percent" % eid)))
                counts[2] += 1
            w("\t\t</entity>\n")
        w("\t</dealer>\n")
    w("</formix-conditions>\n")
    return counts


def main(argv):
    if len(argv) == 2 and argv[1] in ("-h", "--help"):
        sys.stdout.write(__doc__.split("\n\n")[0] + "\n\n"
                         + __doc__.split("\n\n")[1] + "\n")
        return 0
    if len(argv) != 2 or argv[1].startswith("-") and argv[1] != "-":
        sys.stderr.write("usage: %s dealers.yaml > conditions.xml\n" % PROG)
        return 64
    path = argv[1]
    try:
        if path == "-":
            text = sys.stdin.buffer.read().decode("utf-8")
            path = "<stdin>"
        else:
            with open(path, "rb") as f:
                text = f.read().decode("utf-8")
    except OSError as e:
        sys.stderr.write("%s: %s: %s\n" % (PROG, path, e.strerror))
        return 66
    except UnicodeDecodeError as e:
        sys.stderr.write("%s: %s: not UTF-8 (byte %d)\n"
                         % (PROG, path, e.start))
        return 65
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        doc = yaml_load(text)
        out = []
        convert(doc, out)
    except DataError as e:
        sys.stderr.write("%s: %s:%d: %s\n" % (PROG, path, e.line, e.msg))
        return 65
    except (ValueError, AttributeError, TypeError) as e:
        sys.stderr.write("%s: %s: %s\n" % (PROG, path, e))
        return 65
    try:
        sys.stdout.buffer.write("".join(out).encode("utf-8"))
        sys.stdout.flush()
    except OSError as e:
        sys.stderr.write("%s: write: %s\n" % (PROG, e.strerror))
        return 74
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
