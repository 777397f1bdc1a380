"""The HTML report as people see it: rendered by headless Chromium at a phone's width (390 px)
and a desktop's, and printed to PDF. Measures what the eye would check (the size of chart
labels, whether a table is clipped, what the first printed page holds) and keeps the
screenshots and the PDF in target/report-render/ as artifacts."""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess

import pytest

import parindex

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
ARTIFACTS = ROOT / "target" / "report-render"

# Appended to a copy of the report: measures the rendered page and writes what it found into
# the DOM, which --dump-dom prints.
PROBE = """
<script>
const clipped = [...document.querySelectorAll('section table')].filter(t => {
  const s = t.closest('section');
  return t.getBoundingClientRect().width > s.getBoundingClientRect().width + 1 && getComputedStyle(s).overflowX === 'visible';
}).length;
const text = [...document.querySelectorAll('svg.chart text')].map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
const out = document.createElement('pre');
out.id = 'measured';
out.textContent = JSON.stringify({
  smallest_label_px: Math.min(...text), labels: text.length, clipped_tables: clipped,
  page_width: document.documentElement.scrollWidth, body_width: document.body.getBoundingClientRect().width});
document.body.appendChild(out);
</script>
"""


def _chromium(*args: str) -> str:
    assert CHROMIUM is not None
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    results = parindex.load("binh-thuan-police/commune/2024").score(parindex.sample())
    path = tmp_path_factory.mktemp("report") / "report.html"
    results.to_html(path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("width", [390, 1280])
def test_labels_are_readable_and_tables_scroll_instead_of_clipping(report: pathlib.Path, width: int) -> None:
    probe = report.with_name(f"probe-{width}.html")
    probe.write_text(report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _chromium(f"--window-size={width},900", "--dump-dom", probe.as_uri())
    found = json.loads(re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S).group(1))  # type: ignore[union-attr]
    assert found["labels"] > 30, found
    assert found["smallest_label_px"] >= 11, found
    assert found["clipped_tables"] == 0, found
    _chromium(f"--window-size={width},2400", f"--screenshot={ARTIFACTS / f'report-{width}.png'}", report.as_uri())
    assert (ARTIFACTS / f"report-{width}.png").stat().st_size > 10_000


def test_the_first_printed_page_holds_the_ranking(report: pathlib.Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    pdf = ARTIFACTS / "report.pdf"
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri())
    pages = pypdf.PdfReader(str(pdf)).pages
    first = pages[0].extract_text()
    # The title, the legend and the start of the ranking chart: not a page with a header alone.
    assert "Xếp hạng" in first, first[:500]
    assert len(first.split()) > 80, first
    assert "≥ 90" in first
