"""A polars-only install works: the README's first lines run, tables come as polars frames
and exact columns are polars Decimals. scripts/test-python runs this file (with the notebook
test) in a second virtual environment that has polars and no pandas; here, with pandas
installed, the same checks run with pandas hidden from the package."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

from conftest import ROOT

HIDE_PANDAS = """
import importlib.abc, sys
class _NoPandas(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "pandas" or name.startswith("pandas.") or name == "pyarrow" or name.startswith("pyarrow."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None
sys.meta_path.insert(0, _NoPandas())
"""


def readme_first_lines() -> str:
    """The README's first Python block: what a new user types first."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    return blocks[0]


CHECKS = """
import polars as pl
assert isinstance(summary, pl.DataFrame), type(summary)
assert isinstance(summary.schema["total"], pl.Decimal)
assert isinstance(parindex.sample(), pl.DataFrame)
assert isinstance(results.explain("CAP-PHU-THUY"), pl.DataFrame)
assert summary.sort("rank")["unit"][0] == "CAP-TAN-THIEN"
print("polars-only ok")
"""


def test_the_readme_runs_without_pandas(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("polars")
    try:
        import pandas  # noqa: F401

        prelude = HIDE_PANDAS
    except ImportError:
        prelude = ""
    script = prelude + readme_first_lines() + CHECKS
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 0, done.stderr
    assert "polars-only ok" in done.stdout
    assert (tmp_path / "results.json").exists() and (tmp_path / "report.html").exists()
