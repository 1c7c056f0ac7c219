#!/usr/bin/python3
"""Make the spreadsheet fixtures of tests/unit/t_sheet.c into OUTDIR.

    /usr/bin/python3 mksheets.py OUTDIR

Run by t_sheet at test time, so that no binary is committed: the small
order files the readers must read (XLS by xlwt, XLSX by openpyxl and by
hand the way Excel and 1C write them, CSV in every encoding dealers send)
and the hostile ones they must refuse (zip bombs, overlapping entries, a
1,000,000-row sheet, password-protected files, truncated files).  Needs
Debian's python3-openpyxl and python3-xlwt (tools/deps).
"""
import io
import os
import struct
import sys
import zipfile
import zlib

import openpyxl
import xlwt

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def path(name):
    return os.path.join(out, name)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


# The reference rows: what every format below must read the same way.
# (article cell, quantity cell); numbers are number cells in XLS/XLSX.
ROWS = [
    (1065.0, 3),                # a number cell: the article "1065"
    ("01065", 2),               # a text cell keeps its zero
    (2608577253, 1),            # not 2.608577253e9
    ("  A-1 ", 1.5),            # spaces kept; a fractional quantity
    ("ИА\u201312.345", "10"),   # en dash; the quantity a text cell
    ("X\u00a0", "2,5"),         # NBSP kept; decimal comma
    (None, None),               # a blank row: skipped
    ("W26110", "много"),        # not a number
    ("D-17544", 0.1),
]
HEADER = ("Артикул", "Количество")


# --- XLSX with openpyxl (inline strings) ----------------------------------

def xlsx_openpyxl(name, rows, header=HEADER, title="Заказ", build=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    if header:
        ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    if build:
        build(wb, ws)
    wb.save(path(name))


xlsx_openpyxl("basic.xlsx", ROWS)
xlsx_openpyxl("noheader.xlsx", ROWS, header=None)


def hidden_first(wb, ws):
    # A hidden lookup sheet before the order: passed over.
    h = wb.create_sheet("Справочник", 0)
    h.append(["не", "это"])
    h.sheet_state = "hidden"


xlsx_openpyxl("hidden.xlsx", ROWS, build=hidden_first)


def second_sheet(wb, ws):
    s = wb.create_sheet("Второй")
    s.append(["SKU", "Qty"])
    s.append(["Z-9", 9])


xlsx_openpyxl("twosheets.xlsx", ROWS, build=second_sheet)


def merged(wb, ws):
    ws.append(["M-1", 4])
    ws.append([None, 5])
    ws.merge_cells("A%d:A%d" % (ws.max_row - 1, ws.max_row))


xlsx_openpyxl("merged.xlsx", [("A-1", 1)], build=merged)


# No header, data in B and C, and a note far right on one row.
wb = openpyxl.Workbook()
ws = wb.active
ws["B2"] = "B-1"
ws["C2"] = 7
ws["B3"] = "B-2"
ws["C3"] = 8
ws["F3"] = "примечание"
wb.save(path("cols_bc.xlsx"))

# English header, in other columns, with a unit in the quantity label.
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["№", " SKU ", "Наименование", "Qty, pcs"])
ws.append([1, "E-1", "Ключ", 5])
ws.append([2, "E-2", "Отвёртка", 6])
wb.save(path("header_en.xlsx"))

# A title above the header, as 1C order templates have.
wb = openpyxl.Workbook()
ws = wb.active
ws["A1"] = "Заказ ООО «Ромашка»"
ws["A2"] = "от 01.03.2026"
ws.append([])
ws.append(["Код", "Кол-во"])
ws.append(["T-1", 1])
ws.append(["T-2", 2])
wb.save(path("title.xlsx"))

# A header that names the article but no quantity: refused.
xlsx_openpyxl("header_half.xlsx", [("A-1", 1)],
              header=("Артикул", "Штук"))
xlsx_openpyxl("only_header.xlsx", [])
wb = openpyxl.Workbook()
wb.save(path("empty_sheet.xlsx"))

# openpyxl writes formulas without a saved value.
xlsx_openpyxl("formula_nocache.xlsx", [("A-1", "=1+1")])

# One column only.
xlsx_openpyxl("onecol.xlsx", [("A-1",), ("A-2",)], header=None)


# --- XLSX by hand: shared strings, as Excel and 1C write it ---------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HDR = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def raw_parts(sheet_xml, sst=None, sheets=None, data_at=0):
    """The parts of a workbook; sheets: [(name, state or None)]; sheet
    number data_at holds sheet_xml, the others a decoy row."""
    sheets = sheets or [("Лист1", None)]
    parts = [
        ("[Content_Types].xml", HDR + '<Types xmlns="http://schemas.'
         'openxmlformats.org/package/2006/content-types"><Default '
         'Extension="xml" ContentType="application/xml"/></Types>'),
        ("_rels/.rels", HDR + '<Relationships xmlns="%s"><Relationship '
         'Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/>'
         '</Relationships>' % (PKG, REL)),
    ]
    sh = "".join('<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>' % (
        n, i + 1, ' state="%s"' % s if s else "", i + 1)
        for i, (n, s) in enumerate(sheets))
    parts.append(("xl/workbook.xml", HDR + '<workbook xmlns="%s" '
                  'xmlns:r="%s"><sheets>%s</sheets></workbook>'
                  % (MAIN, REL, sh)))
    rels = "".join('<Relationship Id="rId%d" Type="%s/worksheet" '
                   'Target="worksheets/sheet%d.xml"/>' % (i + 1, REL, i + 1)
                   for i in range(len(sheets)))
    rels += ('<Relationship Id="rIdS" Type="%s/sharedStrings" '
             'Target="sharedStrings.xml"/>' % REL)
    parts.append(("xl/_rels/workbook.xml.rels", HDR +
                  '<Relationships xmlns="%s">%s</Relationships>'
                  % (PKG, rels)))
    parts.append(("xl/sharedStrings.xml", HDR + '<sst xmlns="%s">%s</sst>'
                  % (MAIN, "".join(sst or []))))
    for i in range(len(sheets)):
        parts.append(("xl/worksheets/sheet%d.xml" % (i + 1),
                      sheet_xml if i == data_at else HDR +
                      '<worksheet xmlns="%s"><sheetData><row r="1"><c '
                      'r="A1" t="inlineStr"><is><t>DECOY</t></is></c><c '
                      'r="B1"><v>99</v></c></row></sheetData></worksheet>'
                      % MAIN))
    return parts


def sheet(rows_xml, extra=""):
    return (HDR + '<worksheet xmlns="%s"><sheetData>%s</sheetData>%s'
            '</worksheet>' % (MAIN, rows_xml, extra))


def zip_parts(name, parts):
    with zipfile.ZipFile(path(name), "w", zipfile.ZIP_DEFLATED) as z:
        for n, text in parts:
            z.writestr(n, text.encode("utf-8") if isinstance(text, str)
                       else text)


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# The reference rows again, with shared strings, the way Excel writes them.
sst = []


def sidx(s):
    sst.append('<si><t xml:space="preserve">%s</t></si>' % esc(s))
    return len(sst) - 1


def rows_sst(rows, header=HEADER):
    xml = []
    allrows = ([header] if header else []) + list(rows)
    for i, (a, q) in enumerate(allrows, start=1):
        cells = []
        for col, v in (("A", a), ("B", q)):
            if v is None:
                continue
            if isinstance(v, str):
                cells.append('<c r="%s%d" t="s"><v>%d</v></c>'
                             % (col, i, sidx(v)))
            else:
                cells.append('<c r="%s%d"><v>%r</v></c>' % (col, i, v))
        xml.append('<row r="%d">%s</row>' % (i, "".join(cells)))
    return "".join(xml)


x = rows_sst(ROWS)
zip_parts("basic.sst.xlsx", raw_parts(sheet(x), sst))

# Formulas with saved values, a string formula, rich text with a phonetic
# run, a boolean, an error, an inline string, cells and rows without r.
sst = []
rich = ('<si><r><rPr><b/></rPr><t>C-</t></r><r><t>3</t></r>'
        '<rPh sb="0" eb="1"><t>ignored</t></rPh></si>')
sst.append(rich)
rows = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Артикул</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Кол-во</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>F-1</t></is></c>'
    '<c r="B2"><f>1+1</f><v>2</v></c></row>'
    '<row r="3"><c r="A3" t="str"><f>"F-"&amp;"2"</f><v>F-2</v></c>'
    '<c r="B3"><v>3</v></c></row>'
    '<row r="4"><c r="A4" t="s"><v>0</v></c><c r="B4" t="e"><v>#N/A</v>'
    '</c></row>'
    '<row><c t="b"><v>1</v></c><c><v>1E-3</v></c></row>'
    '<row r="7"><c r="A7" t="inlineStr"><is><r><t>R-</t></r><r><t>7</t>'
    '</r></is></c><c r="B7"><v>1.5E+2</v></c></row>'
    '<row r="8"><c r="A8" s="3"/><c r="B8" s="3"/></row>'
)
zip_parts("cells.xlsx", raw_parts(sheet(rows, '<mergeCells count="0"/>'),
                                  sst))

# Hidden and very hidden sheets before the order sheet, by hand.
sst = []
zip_parts("hidden.sst.xlsx", raw_parts(
    sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>H-1</t></is></c>'
          '<c r="B1"><v>1</v></c></row>'), sst,
    [("Скрытый", "hidden"), ("Очень", "veryHidden"), ("Видимый", None)],
    data_at=2))

# A DOCTYPE with an external entity in the sheet: refused, never read.
zip_parts("xxe.xlsx", raw_parts(
    HDR + '<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    '<worksheet xmlns="%s"><sheetData><row r="1"><c r="A1" t="inlineStr">'
    '<is><t>&e;</t></is></c></row></sheetData></worksheet>' % MAIN, []))

# A shared string index out of range.
zip_parts("sst_range.xlsx", raw_parts(sheet(
    '<row r="1"><c r="A1" t="s"><v>7</v></c><c r="B1"><v>1</v></c></row>'),
    ['<si><t>only</t></si>']))


# --- XLS with xlwt ----------------------------------------------------------

def xls(name, rows, header=HEADER, sheets=None):
    wb = xlwt.Workbook(encoding="utf-8")
    for sname in (sheets or []):
        s = wb.add_sheet(sname)
        s.write(0, 0, "SKU")
        s.write(0, 1, "Qty")
        s.write(1, 0, "Z-9")
        s.write(1, 1, 9)
    ws = wb.add_sheet("Заказ")
    r0 = 0
    if header:
        ws.write(0, 0, header[0])
        ws.write(0, 1, header[1])
        r0 = 1
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None:
                ws.write(r0 + i, j, v)
    wb.save(path(name))


xls("basic.xls", ROWS)
xls("twosheets.xls", ROWS, sheets=["Первый"])

data = open(path("basic.xls"), "rb").read()
write("truncated.xls", data[:len(data) // 2])
# OLE2 magic, then noise.
write("noise.xls", data[:8] + bytes((i * 37 + 11) % 256
                                    for i in range(4096)))


def biff_patch(data, old_type, new_type):
    """Turn the first record of old_type in the workbook globals into
    new_type (same length).  xlwt writes the Workbook stream contiguously
    from the first sector after the header."""
    b = bytearray(data)
    off = 512
    while off + 4 <= len(b):
        t, n = struct.unpack_from("<HH", b, off)
        if t == old_type:
            struct.pack_into("<H", b, off, new_type)
            return bytes(b)
        if t == 0x000A:     # EOF of the globals
            break
        off += 4 + n
    raise SystemExit("mksheets: record 0x%04x not found" % old_type)


# A FILEPASS record (0x002F) is what a password-protected XLS carries:
# made here from xlwt's PASSWORD record (0x0013), the same length.
write("password.xls", biff_patch(data, 0x0013, 0x002F))


# --- An OLE2 container as Excel writes a password-protected XLSX ----------

def cfb(streams):
    """A minimal compound file (version 3, 512-byte sectors) with the
    given streams, each stored in regular sectors (>= 4096 bytes)."""
    ss = 512
    nsect = [(len(d) + ss - 1) // ss for _, d in streams]
    fat = [0xFFFFFFFD, 0xFFFFFFFE]      # sector 0: FAT; 1: directory
    starts = []
    nxt = 2
    for n in nsect:
        starts.append(nxt)
        for k in range(n):
            fat.append(nxt + k + 1 if k + 1 < n else 0xFFFFFFFE)
        nxt += n
    fat += [0xFFFFFFFF] * (ss // 4 - len(fat))
    hdr = bytearray(512)
    hdr[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", hdr, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", hdr, 44, 1)              # FAT sectors
    struct.pack_into("<I", hdr, 48, 1)              # first dir sector
    struct.pack_into("<I", hdr, 56, 4096)           # mini cutoff
    struct.pack_into("<I", hdr, 60, 0xFFFFFFFE)     # no mini FAT
    struct.pack_into("<I", hdr, 68, 0xFFFFFFFE)     # no DIFAT sectors
    struct.pack_into("<I", hdr, 76, 0)              # DIFAT[0]: sector 0
    for i in range(1, 109):
        struct.pack_into("<I", hdr, 76 + 4 * i, 0xFFFFFFFF)

    def entry(name, typ, child, right, start, size):
        e = bytearray(128)
        n = name.encode("utf-16-le")
        e[0:len(n)] = n
        struct.pack_into("<HBB", e, 64, len(n) + 2, typ, 1)
        struct.pack_into("<III", e, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)

    d = entry("Root Entry", 5, 1, 0xFFFFFFFF, 0xFFFFFFFE, 0)
    for i, (name, data) in enumerate(streams):
        right = i + 2 if i + 1 < len(streams) else 0xFFFFFFFF
        d += entry(name, 2, 0xFFFFFFFF, right, starts[i], len(data))
    d += b"\0" * (ss - len(d))
    body = b"".join(data + b"\0" * (n * ss - len(data))
                    for (_, data), n in zip(streams, nsect))
    return bytes(hdr) + struct.pack("<%dI" % (ss // 4), *fat) + d + body


write("encrypted.xlsx", cfb([
    ("EncryptionInfo", b"\x04\x00\x04\x00" + b"\x40" * 4092),
    ("EncryptedPackage", bytes((i * 7) % 256 for i in range(8192))),
]))


# --- CSV --------------------------------------------------------------------

def csv_text(rows, delim=";", header=HEADER):
    def cell(v):
        if v is None:
            return ""
        if isinstance(v, float) and v == int(v):
            v = int(v)
        s = str(v)
        if delim in s or '"' in s:
            s = '"' + s.replace('"', '""') + '"'
        return s
    lines = [delim.join(header)] if header else []
    lines += [delim.join(cell(v) for v in r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


t = csv_text(ROWS)
write("basic.csv", t.encode("utf-8"))
write("bom.csv", b"\xef\xbb\xbf" + t.encode("utf-8"))
write("cp1251.csv", t.encode("cp1251"))
write("utf16.csv", b"\xff\xfe" + csv_text(ROWS, "\t").encode("utf-16-le"))
write("comma.csv", csv_text(ROWS, ",").encode("utf-8"))
write("tab.csv", csv_text(ROWS, "\t").encode("utf-8"))
write("mixed.csv", "Артикул;Количество\r\nA-1;1\r\nA-2;2\r\nA-3,3\r\n"
      .encode("utf-8"))
write("quoted.csv", ('Артикул;Количество\n"Q;1";"1,5"\n'
                     '"Дюйм 1/2"" с\nпереносом";2\n'
                     'Q-3;3\n').encode("utf-8"))
write("unterminated.csv", 'Артикул;Количество\nA-1;1\n"A-2;2\n'
      .encode("utf-8"))
bad = ("Артикул;Количество\nЗаказ-1;1\nЗаказ-2;2\n").encode("utf-8")
write("badutf8.csv", bad + b"\xd0\xd0-3;3\n" + "Ключ-4;4\n".encode("utf-8"))
write("binary.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
write("empty.csv", b"")
write("blank.csv", b"\r\n \r\n;\r\n")
write("onecol.csv", b"A-1\nA-2\n")
write("long.csv", "".join("L-%d;%d\n" % (i, i) for i in range(1, 26))
      .encode("utf-8"))
write("only_header.csv", "Артикул;Количество\r\n".encode("utf-8"))
write("not_cp1251.csv", b"A-1;1\nA\x98;2\n")
# What 1C and old Excel save as "XLS": a web page.
write("html.xls", '<html><body><table><tr><td>A-1</td><td>1</td></tr>'
      '</table></body></html>\n'.encode("utf-8"))


# --- Hostile ZIPs, written byte by byte -------------------------------------

def dos_time():
    return (0, 0x21)      # 1980-01-01


def zip_raw(name, entries, cd_extra=None):
    """entries: dicts with name, data (stored bytes), method (0/8),
    crc, usize, csize, and optional 'at' (reuse the local header of an
    earlier entry: overlapping), 'zip64' (declare usize in a zip64
    extra), 'lname' (another name in the local header)."""
    f = io.BytesIO()
    cd = []
    offsets = []
    for e in entries:
        n = e["name"].encode()
        if "at" in e:
            off = offsets[e["at"]]
        else:
            off = f.tell()
            extra = b""
            usize = e["usize"]
            csize = len(e["data"])
            if e.get("zip64"):
                extra = struct.pack("<HHQQ", 1, 16, usize, csize)
                usize32 = csize32 = 0xFFFFFFFF
            else:
                usize32, csize32 = usize, csize
            ln = e.get("lname", e["name"]).encode()
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034b50, 45,
                                e.get("flags", 0), e["method"], 0, 0x21,
                                e["crc"], csize32,
                                usize32, len(ln), len(extra)))
            f.write(ln + extra + e["data"])
        offsets.append(off)
        cd.append((e, off))
    cdoff = f.tell()
    for e, off in cd:
        n = e["name"].encode()
        usize = e["usize"]
        csize = len(e["data"])
        extra = b""
        if e.get("zip64"):
            extra = struct.pack("<HHQQ", 1, 16, usize, csize)
            usize32 = csize32 = 0xFFFFFFFF
        else:
            usize32, csize32 = usize, csize
        f.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 45, 45,
                            e.get("flags", 0), e["method"], 0, 0x21,
                            e["crc"], csize32,
                            usize32, len(n), len(extra), 0, 0, 0, 0, off))
        f.write(n + extra)
    cdsize = f.tell() - cdoff
    f.write(struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, len(cd), len(cd),
                        cdsize, cdoff, 0))
    write(name, f.getvalue())


def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def ent(name, text, **kw):
    raw = text.encode() if isinstance(text, str) else text
    e = {"name": name, "data": deflate(raw), "method": 8,
         "crc": zlib.crc32(raw), "usize": len(raw)}
    e.update(kw)
    return e


def book(sheet_entry):
    parts = dict(raw_parts(sheet('<row r="1"><c r="A1" t="inlineStr"><is>'
                                 '<t>A-1</t></is></c><c r="B1"><v>1</v>'
                                 '</c></row>'), []))
    es = [ent(n, t) for n, t in parts.items()
          if n != "xl/worksheets/sheet1.xml"]
    return es + [sheet_entry]


# Declares 5.2 GB for the sheet (a zip64 size), holds a few bytes.
zip_raw("bomb_declared.xlsx", book(ent(
    "xl/worksheets/sheet1.xml", sheet(""), usize=5200000000, zip64=True)))

# Compresses 1000 times: 50 MB of spaces in the sheet.
big = HDR + '<worksheet xmlns="%s"><sheetData>' % MAIN
big = big.encode() + b" " * 50000000 + b"</sheetData></worksheet>"
zip_raw("bomb_ratio.xlsx", book(ent("xl/worksheets/sheet1.xml", big)))

# Declares 1000 bytes, expands to 50 MB.
zip_raw("bomb_liar.xlsx", book(ent("xl/worksheets/sheet1.xml", big,
                                   usize=1000)))

# Overlapping entries: two names, one local header and one kernel.
es = book(ent("xl/worksheets/sheet1.xml", sheet("")))
es.append(dict(es[-1], name="xl/worksheets/sheet2.xml", at=len(es) - 1))
zip_raw("bomb_overlap.xlsx", es)

# A ZIP-encrypted sheet (general purpose flag bit 0: traditional PKWARE).
zip_raw("zipcrypt.xlsx", book(ent("xl/worksheets/sheet1.xml", sheet(""),
                                  flags=1)))

# What the ZIP reader must read: every part stored, not deflated; and
# every entry with a data descriptor (sizes after the data, as streaming
# writers make them: zipfile on a pipe).
def stored(name, text, **kw):
    raw = text.encode() if isinstance(text, str) else text
    e = {"name": name, "data": raw, "method": 0, "crc": zlib.crc32(raw),
         "usize": len(raw)}
    e.update(kw)
    return e


ROW1 = ('<row r="1"><c r="A1" t="inlineStr"><is><t>A-1</t></is></c>'
        '<c r="B1"><v>1</v></c></row>')
zip_raw("stored.xlsx", [stored(n, t) for n, t in
                        raw_parts(sheet(ROW1), [])])


class Pipe(io.RawIOBase):
    def __init__(self):
        self.b = bytearray()

    def writable(self):
        return True

    def seekable(self):
        return False

    def write(self, d):
        self.b += d
        return len(d)


p = Pipe()
with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
    for n, t in raw_parts(sheet(ROW1), []):
        z.writestr(n, t)
assert all(i.flag_bits & 8 for i in zipfile.ZipFile(io.BytesIO(p.b)).infolist())
write("datadesc.xlsx", bytes(p.b))

# And what it must refuse: a wrong CRC; another compression method
# (12: bzip2); compressed data cut short; a declared size the data does
# not reach; a stored entry whose two sizes differ; a local header
# naming another part; two entries of one name.
S1 = "xl/worksheets/sheet1.xml"
BIG = sheet("".join('<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d">'
                    '<v>1</v></c></row>' % (i, i, 1000 + i, i)
                    for i in range(1, 2001)))
zip_raw("crc.xlsx", book(ent(S1, BIG, crc=zlib.crc32(BIG.encode()) ^ 1)))
# (The reader stops at </sheetData>: the CRC still covers what follows.)
TAIL = sheet(ROW1, '<pageMargins left="0.7"/>' * 5000)
zip_raw("crc_tail.xlsx", book(ent(S1, TAIL,
                                  crc=zlib.crc32(TAIL.encode()) ^ 1)))
zip_raw("bzip2.xlsx", book(ent(S1, BIG, method=12)))
e = ent(S1, BIG)
e["data"] = e["data"][:len(e["data"]) // 2]
zip_raw("cut.xlsx", book(e))
zip_raw("short.xlsx", book(ent(S1, BIG, usize=len(BIG) + 1000)))
zip_raw("stored_sizes.xlsx", book(stored(S1, BIG, usize=len(BIG) + 5)))
zip_raw("lname.xlsx", book(ent(S1, BIG, lname="xl/worksheets/sheetX.xml")))
zip_raw("dupname.xlsx", book(ent(S1, BIG)) + [ent(S1, sheet(ROW1))])

# Too many entries.
es = book(ent("xl/worksheets/sheet1.xml", sheet("")))
es += [ent("x/%d.xml" % i, "<x/>") for i in range(1001)]
zip_raw("bomb_entries.xlsx", es)

# 1,000,000 rows of raw sheet XML, streamed into the archive.
with zipfile.ZipFile(path("rows_1m.xlsx"), "w", zipfile.ZIP_DEFLATED,
                     compresslevel=1) as z:
    for n, t in raw_parts(sheet(""), []):
        if n != "xl/worksheets/sheet1.xml":
            z.writestr(n, t)
    with z.open("xl/worksheets/sheet1.xml", "w") as f:
        f.write((HDR + '<worksheet xmlns="%s"><sheetData>' % MAIN).encode())
        for base in range(1, 1000001, 10000):
            f.write("".join('<row r="%d"><c r="A%d"><v>%d</v></c>'
                            '<c r="B%d"><v>1</v></c></row>'
                            % (i, i, 100000 + i, i)
                            for i in range(base, base + 10000)).encode())
        f.write(b"</sheetData></worksheet>")

# A truncated XLSX, and one with its sheet's deflate data damaged.
data = open(path("basic.xlsx"), "rb").read()
write("truncated.xlsx", data[:len(data) // 2])
es = book(ent("xl/worksheets/sheet1.xml", sheet("".join(
    '<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><v>1</v></c></row>'
    % (i, i, 1000 + i, i) for i in range(1, 2001)))))
d = bytearray(es[-1]["data"])
for i in range(len(d) // 3, len(d) // 3 + 16):
    d[i] ^= 0x5A
es[-1]["data"] = bytes(d)
zip_raw("corrupt.xlsx", es)

# A ZIP that is not a workbook, and an ODS.
with zipfile.ZipFile(path("notbook.xlsx"), "w") as z:
    z.writestr("readme.txt", "hello")
with zipfile.ZipFile(path("sheet.ods"), "w") as z:
    z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    z.writestr("content.xml", "<x/>")
