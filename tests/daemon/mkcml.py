#!/usr/bin/env python3
"""mkcml.py -- CommerceML catalog files for the formixd tests.

    mkcml.py DIR N          N "changes only" catalogs, import-01.xml ...:
                            file k adds one product, "dp-k", article "DA-k"
    mkcml.py DIR N --big K  one full catalog, import.xml, with K products
                            whose names are long (fills a small store map)
"""
import os
import sys

HEAD = ('\ufeff<?xml version="1.0" encoding="UTF-8"?>\n'
        '<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" '
        'ВерсияСхемы="2.08" ДатаФормирования="2026-11-20T06:00:00">\n'
        '\t<Каталог СодержитТолькоИзменения="%s">\n'
        '\t\t<Ид>cat-d</Ид>\n\t\t<Наименование>Каталог</Наименование>\n'
        '\t\t<Товары>\n')
ITEM = ('\t\t\t<Товар>\n\t\t\t\t<Ид>%s</Ид>\n\t\t\t\t<Артикул>%s</Артикул>\n'
        '\t\t\t\t<Наименование>%s</Наименование>\n'
        '\t\t\t\t<БазоваяЕдиница Код="796">шт</БазоваяЕдиница>\n'
        '\t\t\t</Товар>\n')
TAIL = '\t\t</Товары>\n\t</Каталог>\n</КоммерческаяИнформация>\n'


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    if len(sys.argv) > 3 and sys.argv[3] == '--big':
        k = int(sys.argv[4])
        with open(os.path.join(out, 'import.xml'), 'w', encoding='utf-8') as f:
            f.write(HEAD % 'false')
            for i in range(k):
                f.write(ITEM % ('bp-%d' % i, 'BA-%d' % i,
                                'Товар номер %d ' % i + 'х' * 200))
            f.write(TAIL)
        return
    for i in range(1, n + 1):
        with open(os.path.join(out, 'import-%02d.xml' % i), 'w',
                  encoding='utf-8') as f:
            f.write(HEAD % 'true')
            f.write(ITEM % ('dp-%d' % i, 'DA-%d' % i, 'Товар %d' % i))
            f.write(TAIL)


if __name__ == '__main__':
    main()
