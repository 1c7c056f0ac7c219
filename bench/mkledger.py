#!/usr/bin/env python3
"""mkledger.py -- a receivables ledger for make bench, from its conditions.

Usage: mkledger.py CONDITIONS.xml TODAY [ENTITIES [DOCS]] > ledger.xml

Reads the formix-conditions file bench.sh makes from bench-data
(dealers2xml.py) and writes one formix-ledger file (formix-xml(5)),
full="true", UTF-8, to standard output: for the first ENTITIES legal
entities of the file (default 1000), DOCS documents each (default 200),
dated within the 540 days up to TODAY (YYYY-MM-DD), none after it.

The documents look like 1C's: GUID ids, Cyrillic labels and order
numbers; about 70% debits (a due date from the entity's payment days, left
out on every other one so that formix computes it), 30% credits, of which
one in five names the debit it pays (applies-to) and one in twenty splits
itself over two (<apply>).  Everything derives from the entity id, so the
same arguments always give the same bytes.  The ids of the entities used
are written to standard error, one a line, for the report benchmark.

Standard library only.  Exit status: 0 ok, 64 usage, 66 input missing.
"""

import datetime
import random
import sys
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

PROG = "mkledger.py"


def guid(rng):
    v = rng.getrandbits(128)
    h = "%032x" % v
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def money(kop):
    return "%d.%02d" % (kop // 100, kop % 100)


def entity_docs(eid, days, today, ndocs):
    rng = random.Random("formix-bench:" + eid)
    out = []
    debits = []
    for i in range(ndocs):
        date = today - datetime.timedelta(days=rng.randint(0, 540))
        ds = date.isoformat()
        if rng.random() < 0.7 or not debits:
            did = guid(rng)
            kop = rng.randint(100000, 50000000)
            num = rng.randint(1, 99999)
            attrs = [("id", did), ("date", ds)]
            if i % 2 == 0:
                attrs.append(("due", (date + datetime.timedelta(
                    days=days)).isoformat()))
            attrs += [("amount", money(kop)),
                      ("order", "ЗК-%08d" % rng.randint(1, 99999999)),
                      ("doc", "Реализация товаров и услуг 00НФ-%06d от %s"
                       % (num, date.strftime("%d.%m.%Y")))]
            debits.append((did, kop))
            out.append("\t\t<debit %s/>" % " ".join(
                "%s=%s" % (k, quoteattr(v)) for k, v in attrs))
            continue
        cid = guid(rng)
        kop = rng.randint(50000, 30000000)
        r = rng.random()
        kind = "payment" if r < 0.85 else ("return" if r < 0.95
                                           else "adjustment")
        label = {"payment": "Поступление на расчётный счёт",
                 "return": "Возврат товаров от покупателя",
                 "adjustment": "Корректировка долга"}[kind]
        attrs = [("id", cid), ("date", ds), ("amount", money(kop)),
                 ("kind", kind),
                 ("doc", "%s 00НФ-%06d от %s" % (
                     label, rng.randint(1, 99999),
                     date.strftime("%d.%m.%Y")))]
        a = rng.random()
        if a < 0.2:
            attrs.append(("applies-to", rng.choice(debits)[0]))
        head = "\t\t<credit %s" % " ".join(
            "%s=%s" % (k, quoteattr(v)) for k, v in attrs)
        if 0.2 <= a < 0.25 and len(debits) >= 2:
            d1, d2 = rng.sample(debits, 2)
            part = kop // 2
            out.append(head + ">")
            out.append("\t\t\t<apply debit=%s amount=%s/>" % (
                quoteattr(d1[0]), quoteattr(money(part))))
            out.append("\t\t\t<apply debit=%s amount=%s/>" % (
                quoteattr(d2[0]), quoteattr(money(kop - part))))
            out.append("\t\t</credit>")
        else:
            out.append(head + "/>")
    return out


def main(argv):
    if len(argv) < 3 or len(argv) > 5:
        sys.stderr.write("usage: %s CONDITIONS.xml TODAY [ENTITIES [DOCS]]\n"
                         % PROG)
        return 64
    try:
        today = datetime.date.fromisoformat(argv[2])
        nent = int(argv[3]) if len(argv) > 3 else 1000
        ndocs = int(argv[4]) if len(argv) > 4 else 200
    except ValueError as e:
        sys.stderr.write("%s: %s\n" % (PROG, e))
        return 64
    ents = []
    try:
        for _, el in ET.iterparse(argv[1]):
            if el.tag == "entity":
                ents.append((el.get("id"),
                             int(el.get("payment-days") or 0)))
                el.clear()
                if len(ents) == nent:
                    break
    except OSError as e:
        sys.stderr.write("%s: %s: %s\n" % (PROG, argv[1], e.strerror))
        return 66
    w = sys.stdout.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w('<formix-ledger version="1" generated="%sT06:00:00" full="true">\n'
      % today.isoformat())
    for eid, days in ents:
        w("\t<entity id=%s>\n" % quoteattr(eid))
        w("\n".join(entity_docs(eid, days, today, ndocs)))
        w("\n\t</entity>\n")
        sys.stderr.write(eid + "\n")
    w("</formix-ledger>\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
