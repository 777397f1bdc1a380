"""The workbooks as they print: the results workbook and the input template rendered to PDF by
LibreOffice, read back page by page. Checks what a person holding the pages would: landscape
pages, the header rows and the unit's id repeated on every page, every column of the detail on
one page's width, integers printed without a trailing point. The PDFs stay in
target/report-render/ as artifacts."""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess

import pytest

import parindex

from conftest import ROOT

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
ARTIFACTS = ROOT / "target" / "report-render"
SET = "binh-thuan-police/commune/2024"


def _pages(workbook: pathlib.Path, profile: pathlib.Path) -> list[tuple[str, bool]]:
    """Each printed page's text and whether it is landscape."""
    pypdf = pytest.importorskip("pypdf")
    assert SOFFICE is not None
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf", "--outdir", str(ARTIFACTS), str(workbook)],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )
    pdf = ARTIFACTS / (workbook.stem + ".pdf")
    assert done.returncode == 0 and pdf.exists(), done.stdout + done.stderr
    pages = pypdf.PdfReader(str(pdf)).pages
    return [(p.extract_text(), float(p.mediabox.width) > float(p.mediabox.height)) for p in pages]


def test_the_results_workbook_prints_landscape_with_its_headers_on_every_page(tmp_path: pathlib.Path) -> None:
    results = parindex.load(SET).score(parindex.sample(SET))
    workbook = tmp_path / "results.xlsx"
    results.to_excel(workbook)
    pages = _pages(workbook, tmp_path / "profile")
    assert all(landscape for _, landscape in pages)
    first = pages[0][0]
    top = results.summary(exact=False).sort_values("rank").iloc[0]
    assert "Hạng" in first and str(top["unit"]) in first, first[:800]
    # The detail runs over many pages; each repeats its header row and holds every column,
    # down to the explanation in the last one (fit to the page's width).
    detail = [text for text, _ in pages if "Mã tiêu chí" in text and "Điểm mất" in text]
    assert len(detail) >= 5, len(detail)
    assert all("Giải thích" in text for text in detail)
    # The set's maximum prints as an integer, "60", never "60." or "60,"; so does every other
    # whole number of the ranking.
    maximum = str(int(parindex.load(SET).max))
    assert re.search(rf"(?<![\d.,]){maximum}(?![\d.,])", first), first[:800]
    assert not re.search(r"\d[.,](?!\d)", first), first[:800]


def test_the_template_prints_on_readable_pages_that_repeat_the_unit(tmp_path: pathlib.Path) -> None:
    criteria = parindex.load(SET)
    workbook = tmp_path / "template.xlsx"
    criteria.to_excel_template(workbook)
    pages = _pages(workbook, tmp_path / "profile")
    # The instructions sheet (a page of text, upright), then a sheet per stage.
    stage = [(text, landscape) for text, landscape in pages if "Mẫu nhập số liệu" not in text]
    assert len(stage) == len(pages) - 1
    assert all(landscape for _, landscape in stage)
    # 42 leaves are not squeezed onto one page: each stage's columns run over several pages,
    # and every page repeats the columns of the unit's id and name (`unit`, `name`) and the
    # header rows giving each leaf's maximum and how to write its value.
    assert len(stage) >= 3 * len(criteria.stages), len(stage)
    for text, _ in stage:
        assert re.search(r"\bunit name\b", text) and "Điểm tối đa" in text and "Cách nhập" in text, text[:400]
    leaf_codes = criteria.leaf_codes
    printed = "\n".join(text for text, _ in stage)
    assert all(code in printed for code in leaf_codes)
