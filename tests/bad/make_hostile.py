"""Writes the hostile files of the bad-input corpus: workbooks with hand-written sheet XML, legacy
and OpenDocument spreadsheets, JSON with duplicate keys, look-alike ids. It needs nothing but the
standard library, so that every byte of these files is chosen here, not by a spreadsheet library.

    python3 tests/bad/make_hostile.py

The files it writes are committed; rerunning it rewrites them with the same content. Then bless
the expectations (see README.md) and check every changed `.expected` by eye.
"""

from __future__ import annotations

import pathlib
import struct
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
INPUTS = HERE / "inputs"
CRITERIA = HERE / "criteria"

HEADER = ["unit", "name", "kind", "1.1", "1.2", "1.3", "2.1", "2.2"]
GOOD_ROW = ["A", "Phường Phú Thủy", "ward", "có", "87.5", "15/01/2024", "3", "2"]
# A fixed time for the archives' entries, so that rerunning gives the same files.
FIXED = (2024, 1, 1, 0, 0, 0)


# ---- workbooks from hand-written XML ------------------------------------------------------

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""

WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""

# Cell format 0: general; 1: a date (dd/mm/yyyy); 2: a percentage.
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>
<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="10"/></cellXfs>
</styleSheet>"""


def workbook_xml(sheet: str = "Tự đánh giá", date1904: bool = False) -> str:
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
{pr}<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>"""


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def column(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def header_row() -> str:
    cells = "".join(inline(f"{column(i)}1", h) for i, h in enumerate(HEADER))
    return f'<row r="1">{cells}</row>'


def good_cells(row: int, replace: dict[str, str] | None = None) -> str:
    """The good row's cells, some of them replaced by raw cell XML (or left out with "")."""
    cells = []
    for i, value in enumerate(GOOD_ROW):
        name = HEADER[i]
        if replace and name in replace:
            cells.append(replace[name])
            continue
        cells.append(inline(f"{column(i)}{row}", value))
    return "".join(cells)


def sheet_xml(rows: str, after: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData>{after}</worksheet>"""


def write_zip(path: pathlib.Path, parts: dict[str, bytes | str]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, content.encode("utf-8") if isinstance(content, str) else content)


def xlsx(name: str, sheet: str, *, strings: str | bytes | None = None, date1904: bool = False) -> None:
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook_xml(date1904=date1904),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": STYLES,
        "xl/worksheets/sheet1.xml": sheet,
    }
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings
    write_zip(INPUTS / name, parts)


def workbooks() -> None:
    # A reference beyond column XFD: a reader that multiplies without checking wraps it round
    # and fills billions of empty cells.
    xlsx(
        "xlsx-far-reference.xlsx",
        sheet_xml(header_row() + f'<row r="2">{good_cells(2)}<c r="ZZZZZZZZZZZZ2"><v>1</v></c></row>'),
    )
    # A row number beyond 1,048,576.
    xlsx(
        "xlsx-row-beyond-excel.xlsx",
        sheet_xml(header_row() + f'<row r="2">{good_cells(2)}</row><row r="99999999999"><c><v>1</v></c></row>'),
    )
    # One merged range over the whole sheet: 17 billion cells.
    xlsx(
        "xlsx-merge-whole-sheet.xlsx",
        sheet_xml(
            header_row() + f'<row r="2">{good_cells(2)}</row>',
            '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
        ),
    )
    # Formulas without saved values, one of them shared over the whole sheet (a reader that
    # expands shared formulas by their range would map 17 billion cells).
    xlsx(
        "xlsx-formulas-without-values.xlsx",
        sheet_xml(
            header_row()
            + f'<row r="2">{good_cells(2, {"2.1": "", "2.2": ""})}'
            + '<c r="G2"><f t="shared" ref="G2:XFD1048576" si="0">1+1</f></c>'
            + '<c r="H2"><f t="shared" si="0"/></c></row>'
        ),
    )
    # A shared-strings part that unzips to 80 MB from a few hundred kilobytes.
    item = "<si><t>" + "x" * 1000 + "</t></si>"
    bomb = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + item * 80_000
        + "</sst>"
    )
    xlsx(
        "xlsx-shared-strings-bomb.xlsx",
        sheet_xml(header_row() + f'<row r="2">{good_cells(2)}</row>'),
        strings=bomb,
    )
    # Cells out of order: a sheet cannot be read one row at a time.
    xlsx(
        "xlsx-cells-out-of-order.xlsx",
        sheet_xml(header_row() + f'<row r="3">{good_cells(3)}</row><row r="2">{good_cells(2)}</row>'),
    )
    # A text run without markup longer than any cell: the XML reader would buffer it whole.
    xlsx(
        "xlsx-endless-text.xlsx",
        sheet_xml(header_row() + '<row r="2"><c r="A2" t="inlineStr"><is><t>' + "A" * 2_000_000 + "</t></is></c></row>"),
    )
    # More cells than a run may read, every one empty: 611 rows of 16,384 cells without a
    # reference, 10 million cells in all from a few kilobytes.
    empty_row = "<row>" + "<c/>" * 16_384 + "</row>"
    xlsx("xlsx-empty-cells.xlsx", sheet_xml(header_row() + empty_row * 611))
    # As many formulas without values, each of which is a problem to report.
    formula_row = "<row>" + "<c><f>1+1</f></c>" * 16_384 + "</row>"
    xlsx("xlsx-formula-cells.xlsx", sheet_xml(header_row() + formula_row * 611))
    # Five million merged ranges of two cells each.
    merges = '<mergeCell ref="A2:B2"/>' * 5_100_000
    xlsx(
        "xlsx-many-merges.xlsx",
        sheet_xml(header_row() + f'<row r="2">{good_cells(2)}</row>', f"<mergeCells>{merges}</mergeCells>"),
    )
    # A survey answers file (read by --survey) with ten million empty cells below its header.
    records = HERE / "records"
    records.mkdir(exist_ok=True)
    survey_header = '<row r="1">' + inline("A1", "unit") + inline("B1", "item") + inline("C1", "answer") + "</row>"
    write_zip(
        records / "survey-empty-cells.xlsx",
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": ROOT_RELS,
            "xl/workbook.xml": workbook_xml(sheet="Phiếu"),
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
            "xl/styles.xml": STYLES,
            "xl/worksheets/sheet1.xml": sheet_xml(survey_header + empty_row * 611),
        },
    )
    # The 1904 date system (old Mac Excel): serial 43904 is 15/03/2024, not 14/03/2020. The date
    # sits in a percent criterion, so the message shows the date read.
    xlsx(
        "xlsx-date-1904.xlsx",
        sheet_xml(
            header_row()
            + '<row r="2">'
            + good_cells(2, {"1.2": '<c r="E2" s="1"><v>43904</v></c>'})
            + "</row>"
        ),
        date1904=True,
    )


# ---- legacy and OpenDocument spreadsheets -------------------------------------------------


def ole_header(fat_sector: int, directory: int, sectors: int) -> bytes:
    """A compound-file header: the container of .xls workbooks."""
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, sectors)  # FAT sectors
    struct.pack_into("<I", header, 48, directory)  # first directory sector
    struct.pack_into("<I", header, 56, 4096)
    struct.pack_into("<I", header, 60, 0xFFFFFFFE)
    struct.pack_into("<I", header, 68, 0xFFFFFFFE)
    struct.pack_into("<I", header, 76, fat_sector)
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, 0xFFFFFFFF)
    return bytes(header)


def legacy() -> None:
    # A FAT whose chain points at itself, and a directory sector far beyond the file: the kind
    # of .xls that makes a reader loop or allocate without end.
    fat = bytearray(512)
    for i in range(128):
        struct.pack_into("<I", fat, 4 * i, 1)
    body = ole_header(fat_sector=0, directory=0x7FFFFFF0, sectors=1) + bytes(fat) + b"\x09\x08\x10\x00" * 128
    (INPUTS / "xls-looping-fat.xls").write_bytes(body)
    # The same file named .xlsx: the content decides, not the name.
    (INPUTS / "xls-renamed.xlsx").write_bytes(body)
    # An OpenDocument spreadsheet whose one row repeats a billion times.
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        '<table:table table:name="Tự đánh giá"><table:table-row table:number-rows-repeated="1000000000">'
        '<table:table-cell table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    parts = {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": content}
    write_zip(INPUTS / "ods-repeated-rows.ods", parts)


# ---- JSON and text ------------------------------------------------------------------------


def text_files() -> None:
    # Two "units" arrays: a reader keeping the last would drop the first without a word.
    (INPUTS / "json-duplicate-units.json").write_text(
        '{"units": [{"unit": "A", "values": {"1.1": "có"}}],\n'
        ' "units": [{"unit": "B", "values": {"1.1": "không"}}]}\n',
        encoding="utf-8",
    )
    (INPUTS / "json-duplicate-value.json").write_text(
        '{"units": [{"unit": "A", "values": {"1.2": "40", "1.2": "100"}}]}\n', encoding="utf-8"
    )
    rows = lambda *ids: "".join(  # noqa: E731
        ",".join([i] + GOOD_ROW[1:]) + "\n" for i in ids
    )
    head = ",".join(HEADER) + "\n"
    # Look-alike ids: a fullwidth A, an A followed by a zero-width space, a Cyrillic А.
    (INPUTS / "unit-id-fullwidth.csv").write_text(head + rows("A", "\uff21"), encoding="utf-8")
    (INPUTS / "unit-id-invisible.csv").write_text(head + rows("A", "A\u200b"), encoding="utf-8")
    (INPUTS / "unit-id-mixed-script.csv").write_text(head + rows("CAP-\u0410B"), encoding="utf-8")
    # NFC and NFD forms of one name are one id.
    (INPUTS / "unit-id-nfc-nfd.csv").write_text(
        head + rows("Phường-1", "Phu\u031bo\u031b\u0300ng-1"), encoding="utf-8"
    )
    # A code with a zero-width space in a header: named, so that it is not a mystery.
    (INPUTS / "code-invisible.csv").write_text(
        head.replace("1.2", "1.2\u200b") + rows("A"), encoding="utf-8"
    )
    # Semicolon CSV as Excel writes it in Vietnamese locales, with a title line that has a
    # comma, and a quoted comma in the header: both read as semicolon-separated.
    semicolon = ";".join(HEADER) + "\n" + ";".join(GOOD_ROW) + "\n"
    (INPUTS / "ok-semicolon-title.csv").write_text(
        "Báo cáo tự đánh giá, năm 2024\n" + semicolon, encoding="utf-8"
    )
    (INPUTS / "semicolon-quoted-comma-header.csv").write_text(
        semicolon.replace("kind;", 'kind;"Ghi chú, nếu có";', 1).replace("ward;", "ward;;", 1),
        encoding="utf-8",
    )


# ---- criteria -----------------------------------------------------------------------------

SET = """# {comment}
[set]
format = 1
id = "tests/{name}/2024"
title = "Bad criteria: {name}"
level = "commune"
year = 2024
language = "en"
max = 3
{policy}
[origin]
authority = "parindex tests"
source = "written for the bad-input corpus"
status = "example"

[[node]]
code = "1"
name = "Direction"
max = 3

[[node]]
code = "{code}"
name = "Plan issued"
max = 1
rule = {{ kind = "yes-no" }}

[[node]]
code = "1.2"
name = "Tasks done"
max = 2
{rule}
"""

LEVELS = """[node.rule]
kind = "levels"
[[node.rule.level]]
key = "{key}"
points = 2
[[node.rule.level]]
key = "none"
points = 0"""

TIERS = """[node.rule]
kind = "tiers"
measure = "percent"
tier = [{ when = "x >= 50", points = 2 }, { when = "x < 50", points = 0 }]"""


def criteria() -> None:
    def write(name: str, comment: str, code: str = "1.1", policy: str = "", rule: str = TIERS) -> None:
        text = SET.format(comment=comment, name=name, code=code, policy=policy, rule=rule)
        (CRITERIA / f"{name}.toml").write_text(text, encoding="utf-8")

    write("code-invisible", "bad-code: a code holding a zero-width space.", code="1.1\u200b")
    write("code-mixed-script", "bad-code: a code with a Cyrillic І that looks like a Latin I.", code="1.\u0406")
    write(
        "stage-with-slash",
        "wrong-type: a stage named with a slash, which no sheet name may hold.",
        policy='\n[policy]\nstages = ["self", "appraisal 1/2"]\n',
    )
    write(
        "level-key-comma",
        "wrong-type: a level key with a comma, which would split the template's list.",
        rule=LEVELS.format(key="full, on time"),
    )


def fuzz_seeds() -> None:
    """Small workbooks of hand-written sheet XML for the fuzzers' seeds (fuzz/seeds/input_xlsx)."""
    seeds = HERE.parent.parent / "fuzz" / "seeds" / "input_xlsx"
    strings = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{t}</t></si>" for t in HEADER + GOOD_ROW)
        + '<si><r><t>rich </t></r><r><t>text</t></r><rPh><t>x</t></rPh></si><si/></sst>'
    )
    shared = lambda row, values: "".join(  # noqa: E731
        f'<c r="{column(i)}{row}" t="s"><v>{v}</v></c>' for i, v in enumerate(values)
    )
    rows = (
        '<row r="1">' + shared(1, range(8)) + "</row>"
        + '<row r="2">' + shared(2, range(8, 16)).replace('<c r="E2" t="s"><v>12</v></c>', '<c r="E2" s="2"><v>0.875</v></c>') + "</row>"
        + '<row r="3"><c r="A3" t="s"><v>16</v></c><c r="D3" t="b"><v>1</v></c><c r="F3" s="1"><v>45306</v></c>'
        + '<c r="G3" t="e"><v>#N/A</v></c><c r="H3"><f>1+1</f><v>2</v></c></row>'
    )
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook_xml(),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": strings,
        "xl/worksheets/sheet1.xml": sheet_xml(rows, '<mergeCells count="1"><mergeCell ref="A5:B6"/></mergeCells>'),
    }
    write_zip(seeds / "sheet-shared-strings.xlsx", parts)


if __name__ == "__main__":
    fuzz_seeds()
    workbooks()
    legacy()
    text_files()
    criteria()
