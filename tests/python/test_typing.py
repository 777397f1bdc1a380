"""The package's types, as mypy --strict sees them: frame-returning methods say which frame
they return, and wrong arguments are caught before they run."""

from __future__ import annotations

import pathlib

import pytest

api = pytest.importorskip("mypy.api")

GOOD = '''
import pandas
import polars
import parindex

criteria = parindex.load("binh-thuan-police/commune/2024")
results = criteria.score(parindex.sample(criteria.id, backend="pandas"))
reveal_type(results.summary(backend="pandas"))
reveal_type(results.summary(backend="polars"))
reveal_type(results.summary())
reveal_type(parindex.compare(results, results, backend="polars"))
reveal_type(results.sensitivity(replications=10).intervals(backend="pandas"))
reveal_type(criteria.nodes(backend="polars"))
reveal_type(results.to_polars("detail"))
frame: pandas.DataFrame = results.explain("CAP-PHU-THUY", backend="pandas")
'''

BAD = '''
import parindex

parindex.load(123)
parindex.load("binh-thuan-police/commune/2024").score([]).summary(backend="arrow")
'''


def _mypy(tmp_path: pathlib.Path, name: str, text: str) -> tuple[str, int]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out, err, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(path)]
    )
    return out + err, status


def test_frame_methods_say_which_frame_they_return(tmp_path: pathlib.Path) -> None:
    out, status = _mypy(tmp_path, "good.py", GOOD)
    revealed = [line.split("Revealed type is ")[1] for line in out.splitlines() if "Revealed type" in line]
    assert revealed == [
        '"pandas.core.frame.DataFrame"',
        '"polars.dataframe.frame.DataFrame"',
        '"pandas.core.frame.DataFrame | polars.dataframe.frame.DataFrame"',
        '"polars.dataframe.frame.DataFrame"',
        '"pandas.core.frame.DataFrame"',
        '"polars.dataframe.frame.DataFrame"',
        '"polars.dataframe.frame.DataFrame"',
    ], out
    assert "error" not in out.replace("Success: no issues", ""), out


def test_wrong_arguments_are_type_errors(tmp_path: pathlib.Path) -> None:
    out, status = _mypy(tmp_path, "bad.py", BAD)
    assert status == 1
    assert 'Argument 1 to "load" has incompatible type "int"' in out, out
    assert 'No overload variant of "summary" of "Results" matches argument type "str"' in out, out
