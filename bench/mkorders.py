#!/usr/bin/env python3
"""Orders keyed in 1C for the report benchmark (formix-order report).

    mkorders.py CONDITIONS.xml OFFERS.xml OUTDIR [ORDERS_PER_ENTITY] [LINES]

Writes OUTDIR/orders-N.xml, CommerceML containers of at most 10,000 order
documents each (order1c.c's limit per file): every legal entity of the
conditions file gets ORDERS_PER_ENTITY orders (default 12) of LINES lines
(default 30), dated over the twelve months before 2026-11-27, goods drawn
from the offers with a skew (a few goods most dealers buy, a long tail),
one order in ten cancelled.  Seeded: the same input gives the same files.
"""
import os
import random
import re
import sys
from xml.sax.saxutils import escape


def main():
    cond, offers, out = sys.argv[1:4]
    per = int(sys.argv[4]) if len(sys.argv) > 4 else 12
    nlines = int(sys.argv[5]) if len(sys.argv) > 5 else 30
    rnd = random.Random(640)
    ents = re.findall(r'<entity [^>]*?inn="(\d+)" kpp="(\d*)"',
                      open(cond, encoding="utf-8").read())
    text = open(offers, encoding="utf-8").read()
    prods = re.findall(r"<Предложение>\s*<Ид>([^<]+)</Ид>", text)
    del text
    os.makedirs(out, exist_ok=True)
    docs = []
    n = 0
    for inn, kpp in ents:
        for _ in range(per):
            n += 1
            day = rnd.randrange(1, 366)
            # 2025-11-27 + day days, roughly: months of 30 days are enough.
            m = (10 + day // 30) % 12 + 1
            y = 2025 if (10 + day // 30) < 12 else 2026
            date = "%04d-%02d-%02d" % (y, m, min(28, day % 30 + 1))
            status = "Отменен" if rnd.random() < 0.1 else "Принят"
            goods = set()
            while len(goods) < nlines:
                # Pareto-like: low indexes are the popular goods.
                i = int(rnd.paretovariate(0.6)) - 1
                goods.add(prods[i % len(prods)])
            lines = "".join(
                "<Товар><Ид>%s</Ид><Количество>%d</Количество>"
                "<Цена>1</Цена></Товар>" % (escape(g), rnd.randrange(1, 20))
                for g in sorted(goods))
            kp = "<КПП>%s</КПП>" % kpp if kpp else ""
            docs.append(
                "<Документ><Ид>bench-%d</Ид><Номер>Б-%d</Номер>"
                "<Дата1С>%s</Дата1С><Контрагенты><Контрагент><ИНН>%s</ИНН>%s"
                "</Контрагент></Контрагенты><Товары>%s</Товары>"
                "<ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>"
                "Статус заказа</Наименование><Значение>%s</Значение>"
                "</ЗначениеРеквизита></ЗначенияРеквизитов></Документ>\n"
                % (n, n, date, inn, kp, lines, status))
    for f in range(0, len(docs), 10000):
        with open(os.path.join(out, "orders-%02d.xml" % (f // 10000)), "w",
                  encoding="utf-8") as fp:
            fp.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                     '<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" '
                     'ВерсияСхемы="2.08" ДатаФормирования="2026-11-27T12:00:00">'
                     "\n<Контейнер>\n")
            fp.writelines(docs[f:f + 10000])
            fp.write("</Контейнер>\n</КоммерческаяИнформация>\n")
    print("%d entities, %d orders, %d lines" % (len(ents), n, n * nlines))


main()
