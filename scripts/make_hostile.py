#!/usr/bin/env python3
"""Write a folder of hostile and broken inputs for cpoms-qa's robustness tests.

    python3 scripts/make_hostile.py OUTDIR [--bomb-mb N]

Python 3 standard library only. Every file is made here (nothing downloaded); the same command
always writes the same bytes. `hostile.tsv` in OUTDIR lists each file with the status it must get
and a regular expression its reason must match (the tool skips the .tsv itself as a data file).
"""

import argparse
import io
import os
import random
import struct
import sys
import zipfile
import zlib

CONTENT_TYPES_DOCX = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS_DOCX = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def document_xml(body):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f"<w:document {W_NS}><w:body>{body}</w:body></w:document>")


def para(text):
    return f"<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


# A fixed zip timestamp so the output is the same on every run.
STAMP = (2020, 1, 1, 0, 0, 0)


def zip_bytes(parts, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = method
            z.writestr(info, data)
    return buf.getvalue()


def docx(body, extra=()):
    return zip_bytes([("[Content_Types].xml", CONTENT_TYPES_DOCX), ("_rels/.rels", RELS_DOCX),
                      ("word/document.xml", document_xml(body)), *extra])


def xlsx(sheet_xml):
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          "</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          '<sheets><sheet name="QA" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" '
               'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
               'Target="worksheets/sheet1.xml"/></Relationships>')
    return zip_bytes([("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb),
                      ("xl/_rels/workbook.xml.rels", wb_rels), ("xl/worksheets/sheet1.xml", sheet_xml)])


def sheet(rows_xml, dimension="A1"):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>')


def cfb(streams):
    """A minimal version-3 OLE compound file holding `streams` (name, bytes) in its root storage.

    Each stream is padded to at least 4096 bytes so it lives in regular sectors (no mini stream).
    """
    sector = 512
    end, free, fat_sect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    streams = [(n, d + b"\0" * max(0, 4096 - len(d))) for n, d in streams]
    # Sector 0: FAT; sector 1: directory; then the streams.
    fat = [fat_sect, end]
    starts = []
    for _, data in streams:
        count = (len(data) + sector - 1) // sector
        first = len(fat)
        starts.append(first)
        fat.extend(range(first + 1, first + count))
        fat.append(end)
    assert len(fat) <= sector // 4 and len(streams) <= 3
    fat += [free] * (sector // 4 - len(fat))

    def entry(name, kind, child, left, right, start, size):
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", left, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<IQ", start, size))

    # Siblings as a simple right-leaning chain, ordered by (length, upper-case name) as CFB sorts them.
    order = sorted(range(len(streams)), key=lambda i: (len(streams[i][0]), streams[i][0].upper()))
    entries = [None] * len(streams)
    for pos, i in enumerate(order):
        right = order[pos + 1] + 1 if pos + 1 < len(order) else nostream
        entries[i] = entry(streams[i][0], 2, nostream, nostream, right, starts[i], len(streams[i][1]))
    root = entry("Root Entry", 5, order[0] + 1 if order else nostream, nostream, nostream, end, 0)
    directory = root + b"".join(entries)
    directory += entry("", 0, nostream, nostream, nostream, 0, 0) * (4 - 1 - len(streams))
    header = (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    assert len(header) == 512
    body = struct.pack("<%dI" % (sector // 4), *fat) + directory
    for _, data in streams:
        body += data.ljust(((len(data) + sector - 1) // sector) * sector, b"\0")
    return header + body


def write(out, name, data, expected, reason, manifest):
    path = os.path.join(out, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    manifest.append((name, expected, reason))


def zip_bomb(mb):
    """A docx whose document.xml inflates to `mb` MiB (mostly spaces) but is about 1/1000 of that."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", STAMP), CONTENT_TYPES_DOCX)
        z.writestr(zipfile.ZipInfo("_rels/.rels", STAMP), RELS_DOCX)
        info = zipfile.ZipInfo("word/document.xml", STAMP)
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0"?><w:document {W_NS}><w:body><w:p><w:r><w:t>'.encode())
            chunk = b" " * (1 << 20)
            for _ in range(mb):
                part.write(chunk)
            part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--bomb-mb", type=int, default=1024, help="inflated size of the zip bomb (MiB)")
    args = ap.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20190701)
    m = []
    ANY = "^"  # any reason (or none)

    write(out, "empty.docx", b"", "failed", "empty", m)
    write(out, "random_bytes.docx", bytes(rng.getrandbits(8) for _ in range(20000)), "failed", "random bytes", m)
    write(out, "random_bytes.xlsx", bytes(rng.getrandbits(8) for _ in range(3000)), "failed", "random bytes", m)
    good = docx(para("Dear parents, the trip is on Friday."))
    write(out, "truncated.docx", good[: len(good) // 2], "failed|partial", "truncated|damaged", m)
    write(out, "truncated_head.docx", good[:40], "failed", "truncated|damaged", m)
    write(out, "no_document_xml.docx",
          zip_bytes([("[Content_Types].xml", CONTENT_TYPES_DOCX), ("_rels/.rels", RELS_DOCX),
                     ("word/styles.xml", "<w:styles/>")]),
          "failed", "damaged|missing|no part|main", m)
    write(out, "malformed_xml.docx",
          zip_bytes([("[Content_Types].xml", CONTENT_TYPES_DOCX), ("_rels/.rels", RELS_DOCX),
                     ("word/document.xml", f"<w:document {W_NS}><w:body><w:p><w:r><w:t>unclosed & <<</w:p>")]),
          "failed|partial", "damaged|malformed|XML|not a CPOMS|not the CPOMS", m)
    encryption_info = struct.pack("<HHI", 4, 4, 0x40) + b"<?xml version=\"1.0\"?><encryption/>"
    write(out, "encrypted.docx", cfb([("EncryptionInfo", encryption_info), ("EncryptedPackage", b"\x10" * 64)]),
          "failed", "password", m)
    write(out, "encrypted_named.xlsx", cfb([("EncryptionInfo", encryption_info), ("EncryptedPackage", b"\x10" * 64)]),
          "failed", "password", m)
    fib = struct.pack("<HHHHHH", 0xA5EC, 0xC1, 0, 0x0809, 0, 0x0100)  # wIdent nFib unused lid pnNext flags: fEncrypted
    write(out, "encrypted_legacy.doc", cfb([("WordDocument", fib), ("1Table", b"")]), "failed", "password", m)
    write(out, "zip_bomb.docx", zip_bomb(args.bomb_mb), "failed", "limit|too large|bomb", m)
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
              + f']><w:document {W_NS}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')
    write(out, "billion_laughs.docx",
          zip_bytes([("[Content_Types].xml", CONTENT_TYPES_DOCX), ("_rels/.rels", RELS_DOCX),
                     ("word/document.xml", laughs)]),
          "failed", "DTD|DOCTYPE|entit|damaged|unsafe|limit", m)
    depth = 20000
    nested = ("<w:tbl><w:tr><w:tc>" * depth) + para("deep") + ("</w:tc></w:tr></w:tbl>" * depth)
    write(out, "deep_tables.docx", docx(nested), "failed|partial", "deep|nest|limit|not a CPOMS|not the CPOMS", m)
    deep_xml = "<w:p>" * 100000 + "</w:p>" * 100000
    write(out, "deep_xml.docx", docx(deep_xml), "failed|partial", "deep|nest|limit|not a CPOMS|not the CPOMS", m)
    write(out, "huge_sheet.xlsx",
          xlsx(sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
                     '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>',
                     "A1:XFD1048576")),
          "failed|partial", ANY, m)
    many = "".join(f'<row r="{r}">' + "".join(f'<c r="{col}{r}"><v>{r}</v></c>' for col in "ABCDEFGHIJ") + "</row>"
                   for r in range(1, 30001))
    write(out, "many_cells.xlsx", xlsx(sheet(many, "A1:J30000")), "failed|partial", ANY, m)
    write(out, "xlsx_named.docx", xlsx(sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>hello</t></is></c></row>')),
          "failed|partial", ANY, m)
    write(out, "docx_named.xls", good, "failed|partial", ANY, m)
    write(out, "web_page.xls",
          "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><body><table><tr><td>1.1</td><td>YES</td>"
          "</tr></table></body></html>", "failed", "web page", m)
    write(out, "web_page.doc", "<!DOCTYPE html>\n<html><body><p>Hello</p></body></html>", "failed", "web page", m)
    write(out, "rtf_named.doc", r"{\rtf1\ansi\deff0 {\fonttbl {\f0 Times;}}\f0 Hello\par}", "failed|partial", ANY, m)
    write(out, "fake.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF",
          "failed|partial", ANY, m)
    write(out, "image.docx", b"\x89PNG\r\n\x1a\n" + bytes(rng.getrandbits(8) for _ in range(500)), "failed", "image", m)
    write(out, "photo.jpg", b"\xff\xd8\xff\xe0" + bytes(500), "skipped", "image", m)
    text = "CPOMS Quality Assurance Tool\r\nName of person conducting QA:\tA Reviewer\r\n1.1\tYES\tGood\r\n"
    write(out, "utf16.txt", b"\xff\xfe" + text.encode("utf-16-le"), "failed|partial|ok", ANY, m)
    write(out, "utf16_no_bom.txt", text.encode("utf-16-le"), "failed|partial|ok", ANY, m)
    write(out, "utf16be.txt", b"\xfe\xff" + text.encode("utf-16-be"), "failed|partial|ok", ANY, m)
    write(out, "binary.txt", bytes(rng.getrandbits(8) for _ in range(4000)), "failed", "random bytes", m)
    write(out, "zip_slip.docx",
          zip_bytes([("[Content_Types].xml", CONTENT_TYPES_DOCX), ("_rels/.rels", RELS_DOCX),
                     ("../../../../tmp/evil.xml", "x"), ("word/document.xml", document_xml(para("x")))]),
          "failed|partial|ok", ANY, m)
    write(out, "returns.zip", zip_bytes([("a.docx", good)]), "skipped", "archive", m)
    write(out, "data.json", "{}", "skipped", "data", m)
    write(out, "~$locked.docx", b"\x0cA Reviewer" + bytes(150), "ignored", ANY, m)
    write(out, ".~lock.form.odt#", "A Reviewer,host,01.01.2020", "ignored", ANY, m)
    # Odd file names, each holding a small well-formed document that is not the form.
    letter = docx(para("Dear parents, the trip is on Friday."))
    for name in ["name with  spaces.docx", "ünïcødé 名前 ✓.docx", "-leading-dash.docx", "--help.docx",
                 "semi;colon 'quote\" $(x).docx", "x" * 200 + ".docx", "UPPER.DOCX", "two.dots..docx"]:
        write(out, name, letter, "failed|partial|ok", ANY, m)
    os.makedirs(os.path.join(out, "sub folder", "deeper"), exist_ok=True)
    write(out, os.path.join("sub folder", "deeper", "nested.docx"), letter, "failed|partial|ok", ANY, m)

    with open(os.path.join(out, "hostile.tsv"), "w", encoding="utf-8") as f:
        f.write("file\texpected\treason\n")
        for name, expected, reason in m:
            f.write(f"{name}\t{expected}\t{reason}\n")
    print(f"wrote {len(m)} files to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
