#!/usr/bin/env python3
"""Write the data of the formix demo: what 1C would send a new instance.

    tools/mkdemo.py --out DIR [--today YYYY-MM-DD]

writes four files into DIR (created if need be):

  import.xml        CommerceML 2.08 catalog: the group tree, the brands and
                    about 400 goods of a tools and garage equipment
                    distributor (two of them deleted in 1C, two articles
                    carried by two goods each);
  offers.xml        CommerceML 2.08 offer package: the price types
                    Розничная and Оптовая, four warehouses, prices and stock;
  conditions.xml    formix-conditions (formix-xml(5)): three dealers, their
                    legal entities and discounts;
  deliveries.xml    formix-deliveries (formix-xml(5)): six incoming
                    deliveries in the months after --today.

The output depends on nothing but --today (default: today's date, so that
the deliveries are still to come when the demo is run): the generator uses
a fixed random seed and fixed dates, and two runs with the same --today
write the same bytes.  Standard library only.

tools/demo relies on a few fixed values, written as constants below: the
article 27087-10 (in stock, with deliveries), the ambiguous article 48215,
the INN/KPP of the entities, the group names.
"""

import argparse
import datetime
import os
import random
import string
import sys
import uuid
from xml.etree import ElementTree
from xml.sax.saxutils import escape

SEED = 20261120
CATALOG_DATE = "2026-11-20T06:00:00"
OFFERS_DATE = "2026-11-20T06:05:00"
CONDITIONS_DATE = "2026-11-20T06:10:00"

BRANDS = ["ЗУБР", "Matrix", "King Tony", "Mighty Seven", "Unison"]

# The group tree: (name, [subgroups]); a subgroup is a name or such a pair.
TREE = [
    ("Ручной инструмент", [
        ("Ключи", ["Комбинированные", "Рожковые", "Накидные"]),
        ("Головки и биты", ["Головки 1/4\"", "Головки 1/2\""]),
        "Отвертки",
        "Молотки и кувалды",
        "Шарнирно-губцевый инструмент",
        "Наборы инструмента",
    ]),
    ("Электроинструмент", [
        "Дрели и шуруповерты",
        "Угловые шлифмашины",
        "Перфораторы",
        "Пилы и лобзики",
    ]),
    ("Гаражное оборудование", [
        ("Домкраты", ["Подкатные", "Бутылочные"]),
        "Подставки страховочные",
        "Прессы и съемники",
        "Лежаки и стойки",
    ]),
    ("Пневмоинструмент", [
        "Гайковерты и трещотки",
        "Краскопульты",
        "Компрессоры",
        "Шланги и фитинги",
    ]),
    ("Измерительный инструмент", [
        "Штангенциркули",
        "Рулетки",
        "Уровни и нивелиры",
        "Динамометрические ключи",
    ]),
    ("Хранение", [
        "Инструментальные тележки",
        "Ящики и органайзеры",
        "Верстаки и тиски",
    ]),
]

WAREHOUSES = ["Москва", "Санкт-Петербург", "Екатеринбург", "Новосибирск"]
WH_SHARE = [0.45, 0.25, 0.17, 0.13]

UNITS = {
    "шт": ('Код="796" НаименованиеПолное="Штука" '
           'МеждународноеСокращение="PCE"'),
    "компл": ('Код="839" НаименованиеПолное="Комплект" '
              'МеждународноеСокращение="SET"'),
}

# The values tools/demo shows.
DEMO_ARTICLE = "27087-10"       # Ключ комбинированный 10 мм ЗУБР
AMBIGUOUS = ["48215", "MS-00123"]


def num(v):
    """A number as a Russian name writes it: 2.5 -> '2,5'."""
    if isinstance(v, float):
        if v == int(v):
            return str(int(v))
        return ("%g" % v).replace(".", ",")
    return str(v)


def plural(n, one, few, many):
    """'1 ящик', '3 ящика', '5 ящиков'."""
    if n % 10 == 1 and n % 100 != 11:
        return "%d %s" % (n, one)
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "%d %s" % (n, few)
    return "%d %s" % (n, many)


class NameFormatter(string.Formatter):
    """Names of goods: {} is a number written the Russian way ("2,5"),
    {:.1f} too with one decimal ("2,0"), and {:п}, {:я}, {:ч} a number of
    items, drawers, cells with the noun in its right form ("82 предмета")."""

    NOUNS = {"п": ("предмет", "предмета", "предметов"),
             "я": ("ящик", "ящика", "ящиков"),
             "ч": ("ячейка", "ячейки", "ячеек")}

    def format_field(self, value, spec):
        if spec in self.NOUNS:
            return plural(value, *self.NOUNS[spec])
        if spec:
            return format(value, spec).replace(".", ",")
        return num(value)


NAMEFMT = NameFormatter()


def attr(v):
    """An XML attribute value, quoted."""
    return '"%s"' % escape(v, {'"': "&quot;"})


# Product families: (group path, brand, unit, name template, variants,
# retail price in roubles as a function of the variant, article base).
# A variant is a tuple of template arguments (a bare value is one argument).
# The article base fixes the family's article where the brand's style
# needs one (ЗУБР's 27087 gives 27087-10 for the 10 mm key); None draws one.
I = "\""    # inch sign
F = [
    # Ручной инструмент / Ключи
    ("Ключи/Комбинированные", "ЗУБР", "шт", "Ключ комбинированный {} мм",
     [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27,
      30, 32], lambda s: 90 + s * 18, "27087"),
    ("Ключи/Комбинированные", "King Tony", "шт", "Ключ комбинированный {} мм",
     list(range(8, 20)), lambda s: 150 + s * 25, "W261"),
    ("Ключи/Комбинированные", "Mighty Seven", "шт",
     "Ключ комбинированный трещоточный {} мм",
     [8, 10, 12, 13, 14, 17, 19], lambda s: 700 + s * 40, None),
    ("Ключи/Рожковые", "ЗУБР", "шт", "Ключ рожковый {}x{} мм",
     [(6, 7), (8, 10), (10, 12), (12, 13), (13, 14), (14, 15), (17, 19),
      (19, 22), (22, 24), (24, 27)], lambda a, b: 80 + (a + b) * 8,
     "2-27027"),
    ("Ключи/Рожковые", "Matrix", "шт", "Ключ рожковый {}x{} мм, хромированный",
     [(6, 7), (8, 10), (10, 12), (12, 13), (13, 14), (14, 17), (17, 19),
      (22, 24)], lambda a, b: 60 + (a + b) * 6, None),
    ("Ключи/Накидные", "Matrix", "шт", "Ключ накидной изогнутый {}x{} мм",
     [(6, 7), (8, 10), (10, 12), (12, 13), (13, 14), (14, 17), (17, 19),
      (22, 24)], lambda a, b: 90 + (a + b) * 8, None),
    ("Ключи/Накидные", "King Tony", "шт", "Ключ накидной 75° {}x{} мм",
     [(8, 9), (10, 11), (12, 13), (14, 15), (16, 17), (18, 19), (21, 23),
      (24, 27)], lambda a, b: 180 + (a + b) * 12, "B190"),
    ("Ключи", "ЗУБР", "шт", "Ключ разводной {} мм",
     [150, 200, 250, 300, 375], lambda l: 300 + l * 2.5, "27250"),
    ("Ключи", "King Tony", "компл", "Набор ключей комбинированных {}",
     ["6–22 мм, 12 шт", "8–24 мм, 14 шт", "6–32 мм, 26 шт"],
     lambda v: {"6–22 мм, 12 шт": 4200, "8–24 мм, 14 шт": 5100}.get(v, 14900),
     "K120"),
    ("Ключи", "Matrix", "компл", "Набор ключей рожковых {}",
     ["6–22 мм, 8 шт", "6–32 мм, 12 шт"],
     lambda v: 1400 if "8 шт" in v else 2600, None),
    # Ручной инструмент / Головки и биты
    ("Головки и биты/Головки 1/4\"", "King Tony", "шт",
     "Головка торцевая 1/4" + I + " {} мм", list(range(4, 15)),
     lambda s: 110 + s * 8, "P233"),
    ("Головки и биты/Головки 1/4\"", "ЗУБР", "шт",
     "Головка торцевая 1/4" + I + " {} мм",
     [4, 5, 5.5, 6, 7, 8, 9, 10, 11, 12, 13], lambda s: 70 + s * 5, "27725"),
    ("Головки и биты/Головки 1/2\"", "ЗУБР", "шт",
     "Головка торцевая 1/2" + I + " {} мм",
     [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 30, 32],
     lambda s: 120 + s * 9, "27727"),
    ("Головки и биты/Головки 1/2\"", "Mighty Seven", "шт",
     "Головка торцевая ударная 1/2" + I + " {} мм",
     [10, 12, 13, 14, 17, 19, 21, 22, 24, 27], lambda s: 350 + s * 20, None),
    ("Головки и биты/Головки 1/2\"", "King Tony", "шт",
     "Головка торцевая 1/2" + I + " {} мм, удлиненная",
     [10, 12, 13, 14, 17, 19], lambda s: 260 + s * 15, "P423"),
    ("Головки и биты", "King Tony", "шт", "Трещотка {} 72 зуба",
     ["1/4" + I, "3/8" + I, "1/2" + I],
     lambda v: {"1/4": 2900, "3/8": 3400}.get(v[:3], 3900), "T372"),
    ("Головки и биты", "ЗУБР", "шт", "Трещотка {} 48 зубьев",
     ["1/4" + I, "3/8" + I, "1/2" + I],
     lambda v: {"1/4": 690, "3/8": 790}.get(v[:3], 990), "27705"),
    ("Головки и биты", "ЗУБР", "шт", "Удлинитель 1/2" + I + " {} мм",
     [75, 125, 250], lambda l: 250 + l * 1.6, "27729"),
    ("Головки и биты", "Matrix", "компл", "Набор бит, {:п}",
     [10, 32, 40], lambda n: 250 + n * 22, None),
    ("Головки и биты", "ЗУБР", "шт", "Вороток Г-образный 1/2" + I + " {} мм",
     [250], lambda l: 640, "27728"),
    # Ручной инструмент
    ("Отвертки", "Matrix", "шт", "Отвертка шлицевая SL{}x{} мм",
     [(3, 75), (4, 100), (5, 100), (6, 125), (6, 150), (8, 150)],
     lambda w, l: 90 + w * 10 + l * 0.6, None),
    ("Отвертки", "Matrix", "шт", "Отвертка крестовая PH{}x{} мм",
     [(0, 75), (1, 75), (1, 100), (2, 100), (2, 150), (3, 150)],
     lambda n, l: 100 + n * 20 + l * 0.6, None),
    ("Отвертки", "Unison", "шт", "Отвертка диэлектрическая {}, 1000 В",
     ["SL4x100", "SL5,5x125", "PH1x80", "PH2x100"],
     lambda v: 420, "31"),
    ("Отвертки", "ЗУБР", "компл", "Набор отверток {} шт",
     [6, 8, 12], lambda n: 300 + n * 95, "25105"),
    ("Молотки и кувалды", "ЗУБР", "шт", "Молоток слесарный {} г",
     [200, 300, 400, 500, 600, 800, 1000], lambda g: 250 + g * 0.7,
     "20045"),
    ("Молотки и кувалды", "ЗУБР", "шт", "Кувалда {} кг",
     [2, 3, 4, 5, 6, 8], lambda k: 600 + k * 240, "20110"),
    ("Молотки и кувалды", "Matrix", "шт", "Молоток-гвоздодер {} г",
     [450, 600], lambda g: 380 + g * 0.6, None),
    ("Молотки и кувалды", "Matrix", "шт", "Киянка резиновая {} г",
     [225, 450, 680], lambda g: 170 + g * 0.4, None),
    ("Шарнирно-губцевый инструмент", "King Tony", "шт",
     "Плоскогубцы комбинированные {} мм", [160, 180, 200],
     lambda l: 600 + l * 4, "6111"),
    ("Шарнирно-губцевый инструмент", "King Tony", "шт", "Бокорезы {} мм",
     [140, 160, 180], lambda l: 650 + l * 4, "6211"),
    ("Шарнирно-губцевый инструмент", "King Tony", "шт", "Длинногубцы {} мм",
     [160, 200], lambda l: 620 + l * 4, "6311"),
    ("Шарнирно-губцевый инструмент", "ЗУБР", "шт",
     "Клещи переставные {} мм", [250, 300], lambda l: 300 + l * 2.2,
     "22281"),
    ("Шарнирно-губцевый инструмент", "Unison", "шт",
     "Пассатижи диэлектрические {} мм", [160, 180, 200],
     lambda l: 400 + l * 3, "32"),
    ("Наборы инструмента", "King Tony", "компл",
     "Набор инструмента 1/4" + I + " и 1/2" + I + ", {:п}",
     [56, 82, 108, 150], lambda n: 6000 + n * 160, "K725"),
    ("Наборы инструмента", "ЗУБР", "компл",
     "Набор инструмента {:п}, в кейсе", [38, 64, 94, 131],
     lambda n: 1200 + n * 60, "27640"),
    ("Наборы инструмента", "Mighty Seven", "компл",
     "Набор головок 1/2" + I + " {:п}", [12, 17, 24],
     lambda n: 2800 + n * 260, None),
    ("Наборы инструмента", "Matrix", "компл",
     "Набор инструмента для автомобилиста, {:п}", [46, 82],
     lambda n: 1300 + n * 35, None),
    # Электроинструмент
    ("Дрели и шуруповерты", "ЗУБР", "шт", "Дрель ударная {} Вт",
     [550, 650, 750, 850, 1050], lambda w: 1500 + w * 3.2, "ДУ"),
    ("Дрели и шуруповерты", "ЗУБР", "шт",
     "Шуруповерт аккумуляторный {} В, {:.1f} А·ч",
     [(12, 1.5), (12, 2.0), (18, 2.0), (18, 4.0)],
     lambda v, a: 2200 + v * 150 + a * 900, "ДША"),
    ("Дрели и шуруповерты", "Matrix", "шт", "Дрель-шуруповерт сетевая {} Вт",
     [280, 400], lambda w: 1600 + w * 4, None),
    ("Дрели и шуруповерты", "ЗУБР", "шт", "Миксер строительный {} Вт",
     [1200, 1600], lambda w: 3500 + w * 3, "МР"),
    ("Угловые шлифмашины", "ЗУБР", "шт", "Угловая шлифмашина {} мм, {} Вт",
     [(115, 750), (125, 900), (125, 1100), (150, 1400), (180, 2000),
      (230, 2200)], lambda d, w: 1900 + w * 3.5, "УШМ"),
    ("Угловые шлифмашины", "Matrix", "шт", "Угловая шлифмашина {} мм, {} Вт",
     [(125, 850), (230, 2100)], lambda d, w: 1700 + w * 3, None),
    ("Перфораторы", "ЗУБР", "шт", "Перфоратор SDS-plus {} Вт, {} Дж",
     [(650, 2.2), (800, 2.8), (950, 3.2), (1100, 4.0)],
     lambda w, j: 3000 + w * 6, "П"),
    ("Перфораторы", "ЗУБР", "шт", "Перфоратор SDS-max {} Вт, {} Дж",
     [(1300, 8), (1500, 12)], lambda w, j: 9000 + w * 8, "ПМ"),
    ("Пилы и лобзики", "ЗУБР", "шт", "Пила циркулярная {} мм, {} Вт",
     [(160, 1200), (185, 1400), (210, 1800)], lambda d, w: 2800 + w * 3,
     "ДП"),
    ("Пилы и лобзики", "ЗУБР", "шт", "Лобзик электрический {} Вт",
     [550, 710, 800], lambda w: 1800 + w * 3, "Л"),
    ("Пилы и лобзики", "ЗУБР", "шт", "Пила сабельная {} Вт",
     [900, 1050], lambda w: 3600 + w * 3, "ПСБ"),
    ("Пилы и лобзики", "ЗУБР", "шт", "Пила торцовочная {} мм, {} Вт",
     [(210, 1500), (255, 1800)], lambda d, w: 7500 + w * 6, "ПТ"),
    # Гаражное оборудование
    ("Домкраты/Подкатные", "Matrix", "шт", "Домкрат подкатной {} т",
     [2.0, 2.5, 3.0], lambda t: 3200 + t * 1700, None),
    ("Домкраты/Подкатные", "ЗУБР", "шт", "Домкрат подкатной {} т",
     [2.0, 3.0, 3.5], lambda t: 3900 + t * 2100, "43050"),
    ("Домкраты/Подкатные", "King Tony", "шт",
     "Домкрат подкатной низкопрофильный {} т", [2.5, 3.0],
     lambda t: 14000 + t * 5200, "9TY1"),
    ("Домкраты/Бутылочные", "ЗУБР", "шт", "Домкрат бутылочный {} т",
     [2, 3, 5, 8, 10, 12, 16, 20, 32], lambda t: 1300 + t * 170, "43060"),
    ("Домкраты/Бутылочные", "Matrix", "шт", "Домкрат бутылочный {} т",
     [2, 4, 6, 8, 10, 15, 20], lambda t: 1100 + t * 150, None),
    ("Домкраты", "ЗУБР", "шт", "Домкрат ромбический {} т",
     [1.5, 2.0], lambda t: 1400 + t * 600, "43040"),
    ("Домкраты", "Matrix", "шт", "Домкрат реечный {} мм", [1150, 1350],
     lambda h: 3300 + h * 1.5, None),
    ("Подставки страховочные", "ЗУБР", "компл",
     "Подставка страховочная {} т, 2 шт", [2, 3, 6, 12],
     lambda t: 1500 + t * 420, "43070"),
    ("Подставки страховочные", "Matrix", "компл",
     "Подставка страховочная {} т, 2 шт", [3, 6],
     lambda t: 1300 + t * 380, None),
    ("Прессы и съемники", "Matrix", "шт", "Пресс гидравлический {} т",
     [12, 20, 30], lambda t: 14000 + t * 900, None),
    ("Прессы и съемники", "King Tony", "шт",
     "Съемник подшипников {}-захватный, {} мм",
     [(2, 100), (3, 150), (3, 200), (2, 250)],
     lambda n, d: 1500 + n * 300 + d * 14, "7962"),
    ("Прессы и съемники", "Mighty Seven", "шт",
     "Съемник шаровых опор {} мм", [18, 22, 28], lambda d: 1600 + d * 45,
     None),
    ("Лежаки и стойки", "Matrix", "шт", "Лежак ремонтный {}",
     ["на 6 колесах", "с подголовником"], lambda v: 2900 if "6" in v else
     3400, None),
    ("Лежаки и стойки", "King Tony", "шт", "Сиденье ремонтное {}",
     ["с ящиком"], lambda v: 6900, "9TZ2"),
    ("Лежаки и стойки", "ЗУБР", "шт", "Стойка трансмиссионная {} кг",
     [300, 500], lambda k: 9000 + k * 20, "43090"),
    ("Лежаки и стойки", "Matrix", "шт", "Кран гаражный складной {} т",
     [1.0, 2.0], lambda t: 17000 + t * 7000, None),
    # Пневмоинструмент
    ("Гайковерты и трещотки", "Mighty Seven", "шт",
     "Гайковерт пневматический 1/2" + I + " {} Н·м",
     [680, 800, 1200, 1600], lambda n: 5000 + n * 8, None),
    ("Гайковерты и трещотки", "King Tony", "шт",
     "Гайковерт пневматический 3/4" + I + " {} Н·м", [1600, 2100],
     lambda n: 9000 + n * 9, "336"),
    ("Гайковерты и трещотки", "Mighty Seven", "шт",
     "Гайковерт пневматический 1" + I + " {} Н·м", [3300],
     lambda n: 42000, None),
    ("Гайковерты и трещотки", "Matrix", "шт",
     "Гайковерт пневматический 1/2" + I + " {} Н·м", [680, 900],
     lambda n: 3300 + n * 5, None),
    ("Гайковерты и трещотки", "King Tony", "шт",
     "Трещотка пневматическая 1/2" + I + " {} Н·м", [68, 95],
     lambda n: 5500 + n * 40, "334"),
    ("Краскопульты", "Matrix", "шт",
     "Краскопульт пневматический HVLP, сопло {} мм",
     [1.3, 1.4, 1.5, 1.7, 2.0], lambda d: 1900 + d * 300, None),
    ("Краскопульты", "Matrix", "шт",
     "Краскопульт пневматический LVLP, сопло {} мм", [1.3, 1.5],
     lambda d: 2600 + d * 300, None),
    ("Компрессоры", "ЗУБР", "шт", "Компрессор масляный {} л, {} л/мин",
     [(24, 206), (50, 260), (50, 350), (100, 420)],
     lambda v, q: 7000 + v * 60 + q * 25, "КПМ"),
    ("Компрессоры", "Matrix", "шт", "Компрессор безмасляный {} л, {} л/мин",
     [(6, 180), (24, 230)], lambda v, q: 5500 + v * 120, None),
    ("Шланги и фитинги", "Matrix", "шт",
     "Шланг пневматический полиуретановый {}x{} мм, {} м",
     [(6, 8, 5), (6, 8, 10), (8, 12, 10), (8, 12, 15), (10, 14, 20)],
     lambda d, D, l: 250 + d * l * 9, None),
    ("Шланги и фитинги", "Matrix", "шт", "Быстросъемное соединение {}",
     ["1/4" + I + ", внутренняя резьба", "1/4" + I + ", наружная резьба",
      "елочка 8 мм", "елочка 10 мм"], lambda v: 140, None),
    ("Шланги и фитинги", "King Tony", "шт",
     "Пистолет для подкачки шин {}", ["с манометром"], lambda v: 2400,
     "33P1"),
    # Измерительный инструмент
    ("Штангенциркули", "ЗУБР", "шт", "Штангенциркуль ШЦ-I-{} 0,05 мм",
     [125, 150, 200, 250, 300], lambda l: 500 + l * 6, "34510"),
    ("Штангенциркули", "Matrix", "шт", "Штангенциркуль цифровой {} мм",
     [150, 200], lambda l: 900 + l * 6, None),
    ("Рулетки", "Unison", "шт", "Рулетка {} м, {} мм",
     [(3, 16), (5, 19), (5, 25), (7.5, 25), (8, 25), (10, 25)],
     lambda m, w: 180 + m * 45 + w * 6, "12"),
    ("Рулетки", "ЗУБР", "шт", "Рулетка {} м, {} мм",
     [(3, 16), (5, 19), (10, 25)], lambda m, w: 150 + m * 40 + w * 5,
     "34052"),
    ("Рулетки", "Matrix", "шт", "Рулетка геодезическая {} м", [20, 30, 50],
     lambda m: 450 + m * 14, None),
    ("Уровни и нивелиры", "Unison", "шт", "Уровень строительный {} мм",
     [400, 600, 800, 1000, 1200, 1500, 2000], lambda l: 300 + l * 0.9, "14"),
    ("Уровни и нивелиры", "ЗУБР", "шт", "Нивелир лазерный линейный, {} м",
     [15, 20, 30], lambda m: 2500 + m * 190, "НЛ"),
    ("Динамометрические ключи", "King Tony", "шт",
     "Ключ динамометрический {} {}–{} Н·м",
     [("1/4" + I, 5, 25), ("1/2" + I, 28, 210), ("1/2" + I, 40, 200),
      ("1/2" + I, 60, 340)], lambda s, a, b: 6500 + b * 25, "344"),
    ("Динамометрические ключи", "Mighty Seven", "шт",
     "Ключ динамометрический {} {}–{} Н·м", [("3/4" + I, 140, 980)],
     lambda s, a, b: 24000, None),
    ("Динамометрические ключи", "ЗУБР", "шт",
     "Ключ динамометрический {} {}–{} Н·м",
     [("3/8" + I, 19, 110), ("1/2" + I, 42, 210)],
     lambda s, a, b: 2800 + b * 10, "64091"),
    # Хранение
    ("Инструментальные тележки", "King Tony", "шт",
     "Тележка инструментальная, {:я}", [5, 7, 8],
     lambda n: 36000 + n * 4500, "87D"),
    ("Инструментальные тележки", "Mighty Seven", "шт",
     "Тележка инструментальная, {:я}", [6, 7], lambda n: 28000 + n * 3500,
     None),
    ("Инструментальные тележки", "King Tony", "компл",
     "Тележка инструментальная, 7 ящиков, с набором {:п}", [196, 258],
     lambda n: 78000 + n * 300, "934"),
    ("Инструментальные тележки", "Matrix", "шт",
     "Тележка инструментальная, {:я}", [4, 5], lambda n: 15000 + n * 2500,
     None),
    ("Ящики и органайзеры", "ЗУБР", "шт", "Ящик для инструмента {}" + I,
     [13, 16, 19, 22], lambda n: 300 + n * 45, "38181"),
    ("Ящики и органайзеры", "Matrix", "шт", "Ящик металлический {} мм",
     [420, 500], lambda l: 900 + l * 3, None),
    ("Ящики и органайзеры", "Unison", "шт", "Органайзер на {:ч}",
     [10, 18, 24], lambda n: 250 + n * 25, "45"),
    ("Верстаки и тиски", "ЗУБР", "шт", "Верстак слесарный {} мм",
     [1200, 1500, 1800], lambda l: 18000 + l * 9, "ВС"),
    ("Верстаки и тиски", "Mighty Seven", "шт", "Верстак с тумбой, {:я}",
     [5, 7], lambda n: 42000 + n * 4000, None),
    ("Верстаки и тиски", "ЗУБР", "шт", "Тиски слесарные {} мм",
     [100, 125, 150, 200], lambda w: 1500 + w * 30, "32702"),
]

# Two more goods, deleted in 1C (Статус="Удален"); families as above.
DELETED = [
    ("Дрели и шуруповерты", "ЗУБР", "шт", "Дрель ударная {} Вт", [500],
     lambda w: 2900, "ДУ"),
    ("Ключи/Рожковые", "Matrix", "шт",
     "Ключ рожковый {}x{} мм, хромированный", [(30, 32)],
     lambda a, b: 520, None),
]


class Gen:
    def __init__(self, today):
        self.rng = random.Random(SEED)
        self.today = today
        self.articles = set()
        # The ambiguous articles are set by hand: keep them from the draw.
        self.used5 = {48215, 123}
        self.groups = []        # (id, name, parent id or None, depth)
        self.gid = {}           # "Ключи/Комбинированные" and "Ключи" -> id
        self.products = []

    def guid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def five(self, lo=10000, hi=99999):
        while True:
            n = self.rng.randint(lo, hi)
            if n not in self.used5:
                self.used5.add(n)
                return n

    # ---- catalog -------------------------------------------------------

    def make_groups(self):
        def add(name, parent, path, depth):
            gid = self.guid()
            self.groups.append((gid, name, parent, depth))
            self.gid[path] = gid
            self.gid.setdefault(name, gid)
            return gid

        for top, subs in TREE:
            t = add(top, None, top, 0)
            for s in subs:
                if isinstance(s, tuple):
                    name, leaves = s
                    m = add(name, t, name, 1)
                    for leaf in leaves:
                        add(leaf, m, name + "/" + leaf, 2)
                else:
                    add(s, t, s, 1)

    def family_articles(self, brand, base, codes):
        """Articles of a family in its brand's style."""
        rng = self.rng
        if brand == "ЗУБР":
            if base is None or not base[-1].isdigit():
                # ЗУБР power tools: ЗУБР's own letter codes, as ДУ-850.
                pre = base or "З"
                return ["%s-%s" % (pre, c) for c in codes]
            return ["%s-%s" % (base, c) for c in codes]
        if brand == "King Tony":
            return ["%s%s" % (base, c) for c in codes]
        if brand == "Mighty Seven":
            return ["MS-%05d" % self.five(100, 99999) for _ in codes]
        if brand == "Matrix":
            # Consecutive numbers, as Matrix numbers a range.
            n = len(codes)
            while True:
                start = rng.randint(10000, 99999 - n)
                run = set(range(start, start + n))
                if not run & self.used5:
                    break
            self.used5 |= run
            return ["%d" % a for a in sorted(run)]
        if brand == "Unison":
            n = rng.randint(100, 990 - len(codes))
            return ["ИА-%s.%03d" % (base, n + i) for i in range(len(codes))]
        raise ValueError(brand)

    @staticmethod
    def codes(variants, brand):
        """Article suffixes: the size where the variant has one (10 -> "10",
        2.5 -> "25", 8x10 -> "08-10", 125 mm 1100 W -> "125-1100"), else
        the variant's number; King Tony's are two digits or two pairs."""
        def code(x):
            if isinstance(x, int):
                return "%02d" % x
            if isinstance(x, float):
                return "%02d" % x if x == int(x) else ("%g" % x).replace(
                    ".", "")
            return None

        out = []
        for v in variants:
            if not isinstance(v, tuple):
                c = code(v)
            elif len(v) == 2 and all(isinstance(x, int) for x in v):
                c = code(v[0]) + "-" + code(v[1])
            else:
                c = code(v[0])
            if brand == "King Tony" and c is not None:
                c = c.replace("-", "")
                if len(c) not in (2, 4):
                    c = None
            out.append(c)
        if None in out or len(set(out)) != len(out):
            out = ["%02d" % (i + 1) for i in range(len(variants))]
        return out

    def make_products(self):
        for fam in F:
            self.add_family(fam, deleted=False)
        for fam in DELETED:
            self.add_family(fam, deleted=True)
        # Two articles carried by two goods each, as in a real 1C base where
        # a manager made a second card for the same article.
        by_name = {p["name"]: p for p in self.products}
        pairs = [
            ("Домкрат подкатной 3 т Matrix", "48215",
             "Домкрат подкатной 3 т, в кейсе, Matrix"),
            ("Гайковерт пневматический 1/2\" 1200 Н·м Mighty Seven",
             "MS-00123",
             "Гайковерт пневматический 1/2\" 1200 Н·м, с набором головок, "
             "Mighty Seven"),
        ]
        for name, art, twin in pairs:
            p = by_name[name]
            self.articles.discard(p["article"])
            p["article"] = art
            q = dict(p)
            q["id"] = self.guid()
            q["name"] = twin
            q["unit"] = "компл"
            q["price"] = p["price"] * 1.25
            q["barcode"] = self.ean(q["brand"])
            self.products.append(q)
        arts = [p["article"] for p in self.products]
        dup = {a for a in arts if arts.count(a) > 1}
        assert dup == set(AMBIGUOUS), dup
        assert DEMO_ARTICLE in arts

    def ean(self, brand):
        if self.rng.random() < 0.2:
            return None
        pre = "471" if brand in ("King Tony", "Mighty Seven") else "460"
        body = pre + "".join(str(self.rng.randint(0, 9)) for _ in range(9))
        s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body))
        return body + str((10 - s % 10) % 10)

    def add_family(self, fam, deleted):
        path, brand, unit, tmpl, variants, price, base = fam
        codes = self.codes(variants, brand)
        arts = self.family_articles(brand, base, codes)
        for v, art in zip(variants, arts):
            args = v if isinstance(v, tuple) else (v,)
            name = NAMEFMT.format(tmpl, *args)
            name += (", " if "," in tmpl else " ") + brand
            if art in self.articles:
                raise SystemExit("mkdemo: article %s twice" % art)
            self.articles.add(art)
            self.products.append({
                "id": self.guid(), "article": art, "name": name,
                "unit": unit, "group": self.gid[path], "brand": brand,
                "price": price(*args), "deleted": deleted,
                "barcode": self.ean(brand),
            })

    def write_import(self, out, bid):
        w = out.append
        w('<?xml version="1.0" encoding="UTF-8"?>')
        w('<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" '
          'ВерсияСхемы="2.08" ДатаФормирования="%s">' % CATALOG_DATE)
        w('\t<Классификатор>')
        w('\t\t<Ид>%s</Ид>' % self.cls_id)
        w('\t\t<Наименование>Классификатор (Основной каталог товаров)'
          '</Наименование>')
        w('\t\t<Владелец>')
        w('\t\t\t<Ид>%s</Ид>' % self.owner_id)
        w('\t\t\t<Наименование>ООО "ИнструментСнаб"</Наименование>')
        w('\t\t\t<ОфициальноеНаименование>Общество с ограниченной '
          'ответственностью "ИнструментСнаб"</ОфициальноеНаименование>')
        w('\t\t\t<ИНН>%s</ИНН>' % self.owner_inn)
        w('\t\t\t<КПП>772901001</КПП>')
        w('\t\t</Владелец>')
        w('\t\t<Группы>')

        def tree(parent, ind):
            kids = [g for g in self.groups if g[2] == parent]
            for gid, name, _, _ in kids:
                w(ind + '<Группа>')
                w(ind + '\t<Ид>%s</Ид>' % gid)
                w(ind + '\t<Наименование>%s</Наименование>' % escape(name))
                if any(g[2] == gid for g in self.groups):
                    w(ind + '\t<Группы>')
                    tree(gid, ind + '\t\t')
                    w(ind + '\t</Группы>')
                w(ind + '</Группа>')
        tree(None, '\t\t\t')
        w('\t\t</Группы>')
        w('\t\t<Свойства>')
        w('\t\t\t<Свойство>')
        w('\t\t\t\t<Ид>%s</Ид>' % self.prop_id)
        w('\t\t\t\t<Наименование>Бренд</Наименование>')
        w('\t\t\t\t<ТипЗначений>Справочник</ТипЗначений>')
        w('\t\t\t\t<ВариантыЗначений>')
        for b in BRANDS:
            w('\t\t\t\t\t<Справочник>')
            w('\t\t\t\t\t\t<ИдЗначения>%s</ИдЗначения>' % bid[b])
            w('\t\t\t\t\t\t<Значение>%s</Значение>' % escape(b))
            w('\t\t\t\t\t</Справочник>')
        w('\t\t\t\t</ВариантыЗначений>')
        w('\t\t\t</Свойство>')
        w('\t\t</Свойства>')
        w('\t</Классификатор>')
        w('\t<Каталог СодержитТолькоИзменения="false">')
        w('\t\t<Ид>%s</Ид>' % self.cat_id)
        w('\t\t<ИдКлассификатора>%s</ИдКлассификатора>' % self.cls_id)
        w('\t\t<Наименование>Основной каталог товаров</Наименование>')
        w('\t\t<Товары>')
        for p in self.products:
            w('\t\t\t<Товар Статус="Удален">' if p["deleted"]
              else '\t\t\t<Товар>')
            w('\t\t\t\t<Ид>%s</Ид>' % p["id"])
            if p["barcode"]:
                w('\t\t\t\t<Штрихкод>%s</Штрихкод>' % p["barcode"])
            w('\t\t\t\t<Артикул>%s</Артикул>' % escape(p["article"]))
            w('\t\t\t\t<Наименование>%s</Наименование>' % escape(p["name"]))
            w('\t\t\t\t<БазоваяЕдиница %s>%s</БазоваяЕдиница>'
              % (UNITS[p["unit"]], p["unit"]))
            w('\t\t\t\t<Группы>')
            w('\t\t\t\t\t<Ид>%s</Ид>' % p["group"])
            w('\t\t\t\t</Группы>')
            w('\t\t\t\t<ЗначенияСвойств>')
            w('\t\t\t\t\t<ЗначенияСвойства>')
            w('\t\t\t\t\t\t<Ид>%s</Ид>' % self.prop_id)
            w('\t\t\t\t\t\t<Значение>%s</Значение>' % bid[p["brand"]])
            w('\t\t\t\t\t</ЗначенияСвойства>')
            w('\t\t\t\t</ЗначенияСвойств>')
            w('\t\t\t\t<СтавкиНалогов>')
            w('\t\t\t\t\t<СтавкаНалога>')
            w('\t\t\t\t\t\t<Наименование>НДС</Наименование>')
            w('\t\t\t\t\t\t<Ставка>20</Ставка>')
            w('\t\t\t\t\t</СтавкаНалога>')
            w('\t\t\t\t</СтавкиНалогов>')
            w('\t\t\t\t<ЗначенияРеквизитов>')
            for k, v in (("ВидНоменклатуры", "Товар"),
                         ("ТипНоменклатуры", "Товар"),
                         ("Полное наименование", p["name"])):
                w('\t\t\t\t\t<ЗначениеРеквизита>')
                w('\t\t\t\t\t\t<Наименование>%s</Наименование>' % k)
                w('\t\t\t\t\t\t<Значение>%s</Значение>' % escape(v))
                w('\t\t\t\t\t</ЗначениеРеквизита>')
            w('\t\t\t\t</ЗначенияРеквизитов>')
            w('\t\t\t</Товар>')
        w('\t\t</Товары>')
        w('\t</Каталог>')
        w('</КоммерческаяИнформация>')

    # ---- offers --------------------------------------------------------

    def make_offers(self):
        rng = self.rng
        live = [p for p in self.products if not p["deleted"]]
        for p in live:
            retail = max(10, int(round(p["price"] * rng.uniform(0.93, 1.07)
                                       / 10.0)) * 10)
            if retail >= 5000:
                retail = int(round(retail / 100.0)) * 100 - 10
            off = rng.uniform(0.15, 0.30)
            base = int(round(retail * 100 * (1 - off)))
            if rng.random() < 0.6:
                base = base // 100 * 100         # whole roubles
            p["retail"] = retail * 100
            p["base"] = base
        # Out of stock everywhere: about 12%, never the demo's own article.
        cand = [p for p in live if p["article"] != DEMO_ARTICLE]
        empty = set(id(p) for p in rng.sample(cand, round(len(live) * 0.12)))
        for p in live:
            if id(p) in empty:
                p["stock"] = [0, 0, 0, 0]
                continue
            r = p["retail"] / 100.0
            mean = 400 if r < 300 else 120 if r < 1000 else 40 if r < 5000 \
                else 12 if r < 20000 else 4
            total = max(1, int(mean * rng.lognormvariate(0, 0.6)))
            st = []
            for share in WH_SHARE:
                q = int(round(total * share * rng.uniform(0.5, 1.5)))
                if rng.random() < 0.22:
                    q = 0
                st.append(q)
            if sum(st) == 0:
                st[0] = max(1, total // 2)
            p["stock"] = st
        demo = next(p for p in live if p["article"] == DEMO_ARTICLE)
        demo["stock"] = [146, 38, 0, 12]

    @staticmethod
    def money(k):
        if k % 100 == 0:
            return "%d" % (k // 100)
        return "%d.%02d" % (k // 100, k % 100)

    def write_offers(self, out):
        w = out.append
        w('<?xml version="1.0" encoding="UTF-8"?>')
        w('<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" '
          'ВерсияСхемы="2.08" ДатаФормирования="%s">' % OFFERS_DATE)
        w('\t<ПакетПредложений СодержитТолькоИзменения="false">')
        w('\t\t<Ид>%s#</Ид>' % self.cat_id)
        w('\t\t<Наименование>Пакет предложений (Основной каталог товаров)'
          '</Наименование>')
        w('\t\t<ИдКаталога>%s</ИдКаталога>' % self.cat_id)
        w('\t\t<ИдКлассификатора>%s</ИдКлассификатора>' % self.cls_id)
        w('\t\t<ТипыЦен>')
        for ptid, name in ((self.pt_retail, "Розничная"),
                           (self.pt_base, "Оптовая")):
            w('\t\t\t<ТипЦены>')
            w('\t\t\t\t<Ид>%s</Ид>' % ptid)
            w('\t\t\t\t<Наименование>%s</Наименование>' % name)
            w('\t\t\t\t<Валюта>RUB</Валюта>')
            w('\t\t\t\t<Налог>')
            w('\t\t\t\t\t<Наименование>НДС</Наименование>')
            w('\t\t\t\t\t<УчтеноВСумме>true</УчтеноВСумме>')
            w('\t\t\t\t</Налог>')
            w('\t\t\t</ТипЦены>')
        w('\t\t</ТипыЦен>')
        w('\t\t<Склады>')
        for wid, name in zip(self.wh_ids, WAREHOUSES):
            w('\t\t\t<Склад>')
            w('\t\t\t\t<Ид>%s</Ид>' % wid)
            w('\t\t\t\t<Наименование>%s</Наименование>' % name)
            w('\t\t\t</Склад>')
        w('\t\t</Склады>')
        w('\t\t<Предложения>')
        for p in self.products:
            if p["deleted"]:
                continue
            w('\t\t\t<Предложение>')
            w('\t\t\t\t<Ид>%s</Ид>' % p["id"])
            w('\t\t\t\t<Артикул>%s</Артикул>' % escape(p["article"]))
            w('\t\t\t\t<Наименование>%s</Наименование>' % escape(p["name"]))
            w('\t\t\t\t<БазоваяЕдиница %s>%s</БазоваяЕдиница>'
              % (UNITS[p["unit"]], p["unit"]))
            w('\t\t\t\t<Цены>')
            for ptid, k in ((self.pt_retail, p["retail"]),
                            (self.pt_base, p["base"])):
                m = self.money(k)
                rub = "{:,}".format(k // 100).replace(",", " ")
                w('\t\t\t\t\t<Цена>')
                w('\t\t\t\t\t\t<Представление>%s,%02d руб. за %s'
                  '</Представление>' % (rub, k % 100, p["unit"]))
                w('\t\t\t\t\t\t<ИдТипаЦены>%s</ИдТипаЦены>' % ptid)
                w('\t\t\t\t\t\t<ЦенаЗаЕдиницу>%s</ЦенаЗаЕдиницу>' % m)
                w('\t\t\t\t\t\t<Валюта>RUB</Валюта>')
                w('\t\t\t\t\t\t<Единица>%s</Единица>' % p["unit"])
                w('\t\t\t\t\t\t<Коэффициент>1</Коэффициент>')
                w('\t\t\t\t\t</Цена>')
            w('\t\t\t\t</Цены>')
            w('\t\t\t\t<Количество>%d</Количество>' % sum(p["stock"]))
            for wid, q in zip(self.wh_ids, p["stock"]):
                w('\t\t\t\t<Склад ИдСклада="%s" КоличествоНаСкладе="%d"/>'
                  % (wid, q))
            w('\t\t\t</Предложение>')
        w('\t\t</Предложения>')
        w('\t</ПакетПредложений>')
        w('</КоммерческаяИнформация>')

    # ---- conditions ----------------------------------------------------

    def write_conditions(self, out):
        g = self.gid
        dealers = [
            ("Д-0001", "Автомир-Инструмент (Москва)", [
                dict(id="Д-0001-1", name='ООО "Автомир-Инструмент"',
                     full='Общество с ограниченной ответственностью '
                          '"Автомир-Инструмент"',
                     inn=HEAD_INN, kpp=HEAD_KPP, head="",
                     contract="Д-118/2025", expires="2027-12-31",
                     credit="1500000", overdue_limit="300000",
                     debt="412350.75", overdue="0", days="30",
                     price_type="", default="5",
                     address="115230, г. Москва, Варшавское ш., д. 42, "
                             "стр. 3",
                     discounts=[("Ручной инструмент", "8"),
                                ("Ключи", "12.5"),
                                ("Головки 1/2\"", "15"),
                                ("Гаражное оборудование", "6"),
                                ("Домкраты", "7.25")]),
                dict(id="Д-0001-2", name='ООО "Автомир-Север"',
                     full='Общество с ограниченной ответственностью '
                          '"Автомир-Север"',
                     inn=SUB_INN, kpp=SUB_KPP, head="Д-0001-1",
                     contract="Д-119/2025", expires="2027-12-31",
                     credit="600000", overdue_limit="100000",
                     debt="87400", overdue="12500.40", days="45",
                     default="3",
                     address="196084, г. Санкт-Петербург, ул. Цветочная, "
                             "д. 25, лит. А",
                     discounts=[("Ручной инструмент", "10"),
                                ("Электроинструмент", "4")]),
                dict(id="Д-0001-3", name="ИП Соколов А.В.",
                     full="Индивидуальный предприниматель Соколов Андрей "
                          "Викторович",
                     inn=IP_INN, kpp="", head="Д-0001-1",
                     contract="Д-121/2025", expires="2027-06-30",
                     credit="150000", days="14", default="2",
                     address="141014, Московская обл., г. Мытищи, "
                             "ул. Колпакова, д. 10, кв. 45",
                     discounts=[]),
            ]),
            ("Д-0002", "ТехноГараж (Екатеринбург)", [
                dict(id="Д-0002-1", name='ООО "ТехноГараж"',
                     full='Общество с ограниченной ответственностью '
                          '"ТехноГараж"',
                     inn=TG_INN, kpp="667101001", head="",
                     contract="Д-37/2026", expires="2028-03-31",
                     credit="2000000", overdue_limit="500000",
                     debt="-25000", days="21", default="7",
                     address="620102, г. Екатеринбург, ул. Посадская, д. 21",
                     discounts=[("Гаражное оборудование", "10"),
                                ("Подкатные", "12"),
                                ("Пневмоинструмент", "9.5")]),
                # A branch: the same INN with the KPP of its own tax office.
                dict(id="Д-0002-2", name='ООО "ТехноГараж", филиал '
                                         'в Челябинске',
                     inn=TG_INN, kpp="745145001", head="Д-0002-1",
                     contract="Д-38/2026", expires="2028-03-31",
                     credit="500000", days="21", default="7",
                     address="454091, г. Челябинск, ул. Свободы, д. 70",
                     discounts=[("Гаражное оборудование", "10"),
                                ("Пневмоинструмент", "9.5")]),
            ]),
            ("Д-0003", "Инструмент-Сибирь (Новосибирск)", [
                dict(id="Д-0003-1", name='АО "Инструмент-Сибирь"',
                     full='Акционерное общество "Инструмент-Сибирь"',
                     inn=SIB_INN, kpp="540601001", head="",
                     contract="Д-7/2026", expires="2028-06-30",
                     credit="800000", overdue_limit="150000",
                     debt="264980.10", overdue="48000", days="30",
                     default="4",
                     address="630005, г. Новосибирск, ул. Фрунзе, д. 88",
                     discounts=[("Измерительный инструмент", "6"),
                                ("Электроинструмент", "3.5")]),
            ]),
        ]
        w = out.append
        w('<?xml version="1.0" encoding="UTF-8"?>')
        w('<!-- Dealer conditions of the formix demo (tools/mkdemo.py); '
          'see formix-xml(5). -->')
        w('<formix-conditions version="1" generated="%s" full="true">'
          % CONDITIONS_DATE)
        for did, dname, ents in dealers:
            w('\t<dealer id=%s name=%s>' % (attr(did), attr(dname)))
            for e in ents:
                at = [("id", e["id"]), ("name", e["name"])]
                if "full" in e:
                    at.append(("full-name", e["full"]))
                at.append(("inn", e["inn"]))
                if e["kpp"]:
                    at.append(("kpp", e["kpp"]))
                at.append(("head", e["head"]))
                at += [("contract", e["contract"]),
                       ("contract-expires", e["expires"]),
                       ("credit-limit", e["credit"])]
                for k, a in (("overdue_limit", "overdue-limit"),
                             ("debt", "debt"), ("overdue", "overdue")):
                    if k in e:
                        at.append((a, e[k]))
                at.append(("payment-days", e["days"]))
                if "price_type" in e:
                    at.append(("price-type", e["price_type"]))
                at.append(("default-discount", e["default"]))
                w('\t\t<entity %s>' % " ".join(
                    "%s=%s" % (k, attr(v))
                    for k, v in at))
                w('\t\t\t<address>%s</address>' % escape(e["address"]))
                for grp, pct in e["discounts"]:
                    w('\t\t\t<discount group="%s" percent="%s"/>'
                      % (g[grp], pct))
                w('\t\t</entity>')
            w('\t</dealer>')
        w('</formix-conditions>')

    # ---- deliveries ----------------------------------------------------

    def write_deliveries(self, out):
        rng = self.rng
        live = [p for p in self.products if not p["deleted"]]
        wh = dict(zip(WAREHOUSES, self.wh_ids))
        plan = [
            # days from today, warehouse, brands, by article?, comment
            (8, "Москва", ["ЗУБР"], False, "Фура ЗУБР, склад поставщика"),
            (16, "Санкт-Петербург", ["King Tony"], True,
             "Контейнер King Tony из Тайваня"),
            (29, "Екатеринбург", ["Matrix"], False,
             "Matrix, склад в Подольске"),
            (44, "Москва", ["Mighty Seven"], True,
             "Контейнер Mighty Seven из Тайваня"),
            (67, "Новосибирск", ["ЗУБР", "Matrix"], False,
             "Перемещение из Москвы"),
            (96, None, ["Unison", "ЗУБР", "King Tony"], True,
             "Заказ поставщику, склад приемки уточняется"),
        ]
        demo = next(p for p in live if p["article"] == DEMO_ARTICLE)
        empty = [p for p in live if sum(p["stock"]) == 0]
        lines = [[] for _ in plan]
        # Most of what is out of stock is on its way, in the first delivery
        # that brings its brand.
        for p in empty:
            if rng.random() < 0.8:
                i = next(i for i, d in enumerate(plan) if p["brand"] in d[2])
                lines[i].append(p)
        for i, d in enumerate(plan):
            pool = [p for p in live if p["brand"] in d[2] and p not in lines[i]
                    and sum(p["stock"]) > 0 and p is not demo]
            lines[i] += rng.sample(pool, rng.randint(6, 12))
        lines[0].insert(0, demo)
        lines[4].insert(0, demo)

        w = out.append
        w('<?xml version="1.0" encoding="UTF-8"?>')
        w('<!-- Incoming deliveries of the formix demo (tools/mkdemo.py); '
          'see formix-xml(5). -->')
        w('<formix-deliveries version="1" generated="%sT06:20:00" '
          'full="true">' % self.today.isoformat())
        for i, d in enumerate(plan):
            days, whn, _, by_art, comment = d
            date = self.today + datetime.timedelta(days=days)
            at = 'id="ЗП-%06d" date="%s"' % (412 + i * 17, date.isoformat())
            if whn:
                at += ' warehouse="%s"' % wh[whn]
            w('\t<delivery %s comment=%s>' % (at, attr(comment)))
            for p in lines[i]:
                r = p["retail"] / 100.0
                q = rng.choice([100, 150, 200, 300, 500]) if r < 300 else \
                    rng.choice([20, 30, 40, 50, 60]) if r < 1500 else \
                    rng.choice([5, 6, 8, 10, 12, 15]) if r < 10000 else \
                    rng.randint(1, 5)
                if p is demo:
                    q = 120 if i == 0 else 40
                if by_art and p["article"] not in AMBIGUOUS:
                    w('\t\t<line article=%s qty="%d"/>'
                      % (attr(p["article"]), q))
                else:
                    w('\t\t<line product="%s" qty="%d"/>' % (p["id"], q))
            w('\t</delivery>')
        w('</formix-deliveries>')

    # ---- all -----------------------------------------------------------

    def run(self, outdir):
        self.cls_id = self.guid()
        self.cat_id = self.guid()
        self.owner_id = self.guid()
        self.owner_inn = inn10("772905318")
        self.prop_id = self.guid()
        bid = {b: self.guid() for b in BRANDS}
        self.pt_retail = self.guid()
        self.pt_base = self.guid()
        self.wh_ids = [self.guid() for _ in WAREHOUSES]
        self.make_groups()
        self.make_products()
        self.make_offers()
        files = {}
        # CommerceML from 1C 8 comes in UTF-8 with a BOM; formix's own
        # formats without.
        for name, fn, bom in (
                ("import.xml", lambda o: self.write_import(o, bid), True),
                ("offers.xml", self.write_offers, True),
                ("conditions.xml", self.write_conditions, False),
                ("deliveries.xml", self.write_deliveries, False)):
            out = []
            fn(out)
            files[name] = ("\ufeff" if bom else "") + "\n".join(out) + "\n"
        for name, text in files.items():
            try:    # well-formed, or nothing is written
                ElementTree.fromstring(text.encode("utf-8"))
            except ElementTree.ParseError as e:
                raise SystemExit("mkdemo: %s: %s" % (name, e))
        os.makedirs(outdir, exist_ok=True)
        for name, text in files.items():
            path = os.path.join(outdir, name)
            tmp = os.path.join(outdir, "." + name + ".tmp")
            with open(tmp, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            os.replace(tmp, path)
        live = [p for p in self.products if not p["deleted"]]
        print("mkdemo: %s: %d groups, %d goods (%d deleted, %d out of stock),"
              " 4 warehouses, 3 dealers, 6 deliveries"
              % (outdir, len(self.groups), len(self.products),
                 len(self.products) - len(live),
                 sum(1 for p in live if sum(p["stock"]) == 0)))


def check_digit(digits, weights):
    return sum(int(d) * w for d, w in zip(digits, weights)) % 11 % 10


def inn10(first9):
    return first9 + str(check_digit(first9, [2, 4, 10, 3, 5, 9, 4, 6, 8]))


def inn12(first10):
    s = first10 + str(check_digit(first10, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]))
    return s + str(check_digit(s, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]))


# The legal entities tools/demo looks at.
HEAD_INN, HEAD_KPP = inn10("772412873"), "772401001"
SUB_INN, SUB_KPP = inn10("781062219"), "781001001"
IP_INN = inn12("5029184706")
TG_INN = inn10("667140583")
SIB_INN = inn10("540632917")


def main():
    ap = argparse.ArgumentParser(
        description="Write the formix demo data: import.xml, offers.xml, "
                    "conditions.xml and deliveries.xml.")
    ap.add_argument("--out", required=True, metavar="DIR",
                    help="directory to write into (created if need be)")
    ap.add_argument("--today", metavar="YYYY-MM-DD",
                    help="the date deliveries are planned from "
                         "(default: today)")
    a = ap.parse_args()
    if a.today:
        try:
            today = datetime.date.fromisoformat(a.today)
        except ValueError:
            ap.error("--today %r is not a date (YYYY-MM-DD)" % a.today)
    else:
        today = datetime.date.today()
    Gen(today).run(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
