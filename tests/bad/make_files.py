"""Writes the files of the bad-input corpus that are not plain UTF-8 text: Excel workbooks,
other encodings, a very long cell and deeply nested documents.

Run it from anywhere with the project's virtual environment (it needs openpyxl):

    .venv/bin/python tests/bad/make_files.py

The files it writes are committed; rerunning it rewrites them with the same content. Then
bless the expectations (see README.md) and check every changed `.expected` by eye.
"""

from __future__ import annotations

import datetime
import io
import pathlib
import re
import unicodedata
import zipfile

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

HERE = pathlib.Path(__file__).resolve().parent
INPUTS = HERE / "inputs"
CRITERIA = HERE / "criteria"

HEADER = ["unit", "name", "kind", "1.1", "1.2", "1.3", "2.1", "2.2"]
GOOD_ROW = ["A", "Phường Phú Thủy", "ward", "có", "87.5", "15/01/2024", "3", "2"]
# Excel's largest row and column.
LAST_ROW, LAST_COLUMN = 1_048_576, 16_384
# A fixed time for the workbooks' properties, so that rerunning gives the same files.
FIXED = datetime.datetime(2024, 1, 1)


# ---- text in other encodings --------------------------------------------------------------


def cp1258(text: str) -> bytes:
    """Windows-1258, as old Vietnamese Windows software writes it: base letters precomposed
    where the code page has them, tone marks as combining characters."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        for cut in range(len(parts), 0, -1):
            try:
                out += unicodedata.normalize("NFC", parts[:cut]).encode("cp1258")
                out += parts[cut:].encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise ValueError(f"{ch!r} has no Windows-1258 form")
    return bytes(out)


def csv_text(*rows: list[str]) -> str:
    return "".join(",".join(row) + "\n" for row in (HEADER, *rows))


def text_files() -> None:
    good = csv_text(GOOD_ROW)
    (INPUTS / "windows-1258.csv").write_bytes(cp1258(good))
    (INPUTS / "utf16le-bom.csv").write_bytes(b"\xff\xfe" + good.encode("utf-16-le"))
    (INPUTS / "utf16be-bom.csv").write_bytes(b"\xfe\xff" + good.encode("utf-16-be"))
    (INPUTS / "utf16le-no-bom.csv").write_bytes(good.encode("utf-16-le"))
    (INPUTS / "utf16be-no-bom.csv").write_bytes(good.encode("utf-16-be"))
    (INPUTS / "ok-utf8-bom.csv").write_bytes(b"\xef\xbb\xbf" + good.encode("utf-8"))
    comma = csv_text(["A", "Phường Phú Thủy", "ward", "có", '"85,5"', "15/01/2024", "3", "2"])
    (INPUTS / "ok-utf8-bom-decimal-comma.csv").write_bytes(b"\xef\xbb\xbf" + comma.encode("utf-8"))
    json = '{"units": [{"unit": "A", "name": "Phường Phú Thủy", "values": {"1.1": "có"}}]}\n'
    (INPUTS / "json-utf16le-bom.json").write_bytes(b"\xff\xfe" + json.encode("utf-16-le"))
    (INPUTS / "json-windows-1258.json").write_bytes(cp1258(json))
    (INPUTS / "json-deep-nesting.json").write_text("[" * 10_000 + "]" * 10_000 + "\n")
    # One character more than an Excel cell holds.
    long_name = "Phường " * (32_767 // 7) + "x" * (32_768 - 7 * (32_767 // 7))
    (INPUTS / "cell-too-long.csv").write_text(
        csv_text(["A", long_name, "ward", "có", "87.5", "15/01/2024", "3", "2"]), encoding="utf-8"
    )
    ten_thousand = 10_000
    (CRITERIA / "deep-arrays.toml").write_text(
        "# syntax: 10,000 nested arrays.\na = " + "[" * ten_thousand + "]" * ten_thousand + "\n"
    )
    (CRITERIA / "deep-inline-tables.toml").write_text(
        "# syntax: 10,000 nested inline tables.\na = "
        + "{ b = " * ten_thousand
        + "1"
        + " }" * ten_thousand
        + "\n"
    )
    (CRITERIA / "deep-dotted-keys.toml").write_text(
        "# syntax: a key of 10,000 dotted parts.\n" + ".".join(["a"] * ten_thousand) + " = 1\n"
    )
    (CRITERIA / "deep-table-header.toml").write_text(
        "# syntax: a table header of 10,000 dotted parts.\n["
        + ".".join(["a"] * ten_thousand)
        + "]\n"
    )
    criteria = (CRITERIA / "unknown-key.toml").read_text(encoding="utf-8")
    for name, comment in [
        ("windows-1258", "a criteria file saved as Windows-1258"),
        ("utf16le-bom", "a criteria file saved as UTF-16 with a byte-order mark"),
        ("utf16le-no-bom", "a criteria file saved as UTF-16 without a byte-order mark"),
        ("utf8-bom", "a UTF-8 byte-order mark is accepted; the file's error is still found"),
    ]:
        text = criteria.replace(
            "# unknown-key: `maxx` is not a key of a node.",
            f"# {comment}.\n# Tiêu chí: Kế hoạch cải cách hành chính.",
            1,
        )
        path = CRITERIA / f"encoding-{name}.toml"
        if name == "windows-1258":
            path.write_bytes(cp1258(text))
        elif name == "utf16le-bom":
            path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
        elif name == "utf16le-no-bom":
            path.write_bytes(text.encode("utf-16-le"))
        else:
            path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


# ---- workbooks -----------------------------------------------------------------------------


def workbook(title: str = "Tự đánh giá") -> tuple[openpyxl.Workbook, Worksheet]:
    wb = openpyxl.Workbook()
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.properties.creator = "parindex tests"
    ws = wb.active
    assert ws is not None
    ws.title = title
    return wb, ws


def put(ws: Worksheet, first_row: int, *rows: list[object]) -> None:
    for r, row in enumerate(rows, first_row):
        for c, value in enumerate(row, 1):
            ws.cell(row=r, column=c, value=value)


def save(wb: openpyxl.Workbook, name: str, patch: dict[str, tuple[str, str]] | None = None) -> None:
    """Saves a workbook with fixed zip timestamps; `patch` replaces text in its parts."""
    buffer = io.BytesIO()
    wb.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in sorted(source.infolist(), key=lambda i: i.filename):
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                # openpyxl stamps the time of saving; a fixed one keeps reruns identical.
                data = re.sub(
                    rb"<dcterms:modified([^>]*)>[^<]*<",
                    rb"<dcterms:modified\1>2024-01-01T00:00:00Z<",
                    data,
                )
            if patch and item.filename in patch:
                old, new = patch[item.filename]
                text = data.decode("utf-8")
                assert re.search(old, text), (name, item.filename, old)
                data = re.sub(old, new, text, count=1).encode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    (INPUTS / name).write_bytes(out.getvalue())


def workbooks() -> None:
    # Merged cells: one answer spread over two criteria's cells.
    wb, ws = workbook()
    put(ws, 1, HEADER, ["A", "Phường Phú Thủy", "ward", "có", None, "15/01/2024", 3, 2])
    ws.merge_cells("D2:E2")
    save(wb, "merged-cells.xlsx")

    # A merged title above the header row is fine.
    wb, ws = workbook()
    put(ws, 1, ["Tự đánh giá năm 2024"])
    ws.merge_cells("A1:H1")
    put(ws, 3, HEADER, GOOD_ROW)
    save(wb, "ok-merged-title.xlsx")

    # A formula that Excel never computed (saved by a program that does not calculate).
    wb, ws = workbook()
    put(ws, 1, HEADER, ["A", "Phường Phú Thủy", "ward", "có", "87.5", "15/01/2024", 3, "=1+1"])
    save(wb, "formula-without-value.xlsx")

    # A formula with the value Excel saved beside it: the value is read.
    wb, ws = workbook()
    put(ws, 1, HEADER, ["A", "Phường Phú Thủy", "ward", "có", "87.5", "15/01/2024", 3, "=1+1"])
    save(
        wb,
        "ok-formula-with-value.xlsx",
        {"xl/worksheets/sheet1.xml": (r"<f>1\+1</f><v\s*/>|<f>1\+1</f><v></v>|<f>1\+1</f>", "<f>1+1</f><v>2</v>")},
    )

    # A hidden sheet with units' values: never read silently.
    wb, ws = workbook()
    put(ws, 1, HEADER, GOOD_ROW)
    hidden = wb.create_sheet("Thẩm định")
    put(hidden, 1, HEADER, ["A", "Phường Phú Thủy", "ward", "không", "40", "15/01/2024", 0, 0])
    hidden.sheet_state = "hidden"
    save(wb, "hidden-sheet.xlsx")

    # A hidden sheet of lists (no unit column) is ignored, like any such sheet.
    wb, ws = workbook()
    put(ws, 1, HEADER, GOOD_ROW)
    lists = wb.create_sheet("Danh sách")
    put(lists, 1, ["có"], ["không"])
    lists.sheet_state = "hidden"
    save(wb, "ok-hidden-lists.xlsx")

    # A date typed into a General cell: Excel keeps its serial number.
    wb, ws = workbook()
    put(ws, 1, HEADER, ["A", "Phường Phú Thủy", "ward", "có", "87.5", 45306, 3, 2])
    save(wb, "date-as-serial-number.xlsx")

    # A real date cell for the date criterion, and numbers as Excel stores them: read.
    wb, ws = workbook()
    put(
        ws,
        1,
        HEADER,
        ["A", "Phường Phú Thủy", "ward", True, 0.875, datetime.date(2024, 1, 15), 3, 2.75],
    )
    ws["F2"].number_format = "dd/mm/yyyy"
    ws["E2"].number_format = "0.0%"
    save(wb, "ok-typed-cells.xlsx")

    # A ratio 5/6 typed into a number cell: Excel turned it into the 5th of June.
    wb, ws = workbook()
    put(ws, 1, HEADER, ["A", "Phường Phú Thủy", "ward", "có", datetime.date(2024, 6, 5), "15/01/2024", 3, 2])
    ws["E2"].number_format = "d-mmm"
    save(wb, "date-in-percent-cell.xlsx")

    # Numbers stored as text: read as written, so a decimal comma is refused at its cell.
    wb, ws = workbook()
    put(ws, 1, HEADER, ["A", "Phường Phú Thủy", "ward", "có", "85,5", "15/01/2024", "3", "2"])
    save(wb, "ok-number-as-text-decimal-comma.xlsx")

    # A huge number cell.
    wb, ws = workbook()
    put(ws, 1, HEADER, ["A", "Phường Phú Thủy", "ward", "có", "87.5", "15/01/2024", 1e30, 2])
    save(wb, "huge-number-cell.xlsx")

    # An Excel error saved in a cell.
    wb, ws = workbook()
    put(ws, 1, HEADER, ["A", "Phường Phú Thủy", "ward", "có", "#DIV/0!", "15/01/2024", 3, 2])
    save(wb, "excel-error-cell.xlsx")

    # Two sheets with units, neither named after a stage.
    wb, ws = workbook("Sheet1")
    put(ws, 1, HEADER, GOOD_ROW)
    other = wb.create_sheet("Sheet2")
    put(other, 1, HEADER, ["B", "Xã B", "commune", "có", "87.5", "15/01/2024", 3, 2])
    save(wb, "sheets-not-stages.xlsx")

    # A cell at Excel's last row and column: a sheet as large as Excel allows, nearly empty.
    wb, ws = workbook()
    put(ws, 1, HEADER, GOOD_ROW)
    ws.cell(row=LAST_ROW, column=LAST_COLUMN, value="x")
    save(wb, "far-cell.xlsx")


if __name__ == "__main__":
    text_files()
    workbooks()
