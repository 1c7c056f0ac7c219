#!/usr/bin/env python3
"""Count what a CommerceML package holds, independently of formix.

The conformance tests compare these counts with `formix-admin db stat`
after an import: groups, products, price_types, prices, warehouses, stock.
ElementTree reads whole files, which is fine for the samples.
"""
import json
import sys
import xml.etree.ElementTree as ET


def local(tag):
    return tag.rsplit('}', 1)[-1]


def kids(e, name):
    return [c for c in e if local(c.tag) == name]


def text(e, name):
    for c in e:
        if local(c.tag) == name:
            return (c.text or '').strip()
    return ''


def main(paths):
    groups, products, ptypes, whs = set(), set(), set(), set()
    prices = stock = 0
    for p in paths:
        root = ET.parse(p).getroot()
        for e in root.iter():
            n = local(e.tag)
            if n in ('Группа', 'Категория') and text(e, 'Ид') and \
                    any(local(c.tag) in ('Ид', 'Наименование') for c in e):
                groups.add(text(e, 'Ид'))
            elif n == 'Товар':
                products.add(text(e, 'Ид'))
            elif n == 'ТипЦены':
                ptypes.add(text(e, 'Ид'))
            elif n == 'Склады':
                for w in kids(e, 'Склад'):
                    whs.add(text(w, 'Ид'))
            elif n == 'Предложение':
                for c in kids(e, 'Цены'):
                    prices += sum(1 for pr in kids(c, 'Цена')
                                  if text(pr, 'ЦенаЗаЕдиницу'))
                stock += len(kids(e, 'Склад'))
                for r in kids(e, 'Остатки'):
                    for o in kids(r, 'Остаток'):
                        stock += len(kids(o, 'Склад'))
    json.dump({'groups': len(groups), 'products': len(products),
               'price_types': len(ptypes), 'prices': prices,
               'warehouses': len(whs), 'stock': stock}, sys.stdout,
              sort_keys=True)
    print()


if __name__ == '__main__':
    main(sys.argv[1:])
