"""Errors are Python exceptions that subclass ValueError and say where the problem is."""

from __future__ import annotations

import errno
import pathlib
import pickle
from decimal import Decimal

import pandas as pd
import pytest

import parindex

from conftest import COMMUNE

GOOD = """\
[set]
format = 1
id = "example/commune/2024"
title = "Example"
level = "commune"
year = 2024
language = "en"
max = 2

[origin]
authority = "Example office"
source = "made up for this test"
status = "example"

[[node]]
code = "1"
name = "Plan"
max = 2
rule = { kind = "yes-no" }
"""


def test_the_hierarchy() -> None:
    assert issubclass(parindex.ParindexError, ValueError)
    assert issubclass(parindex.CriteriaError, parindex.ParindexError)
    assert issubclass(parindex.InputError, parindex.ParindexError)


def test_bad_toml_file_gives_a_located_criteria_error(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("max = 2\nrule", "max = 2\nmaxx = 2\nrule"), encoding="utf-8")
    with pytest.raises(parindex.CriteriaError) as caught:
        parindex.load(path)
    error = caught.value
    assert error.path == str(path)
    assert (error.line, error.column) == (19, 1)
    assert error.code == "1"
    assert f"{path}:19:1: error[unknown-key] 1: unknown key `maxx`" in str(error)
    assert error.diagnostics and isinstance(error.diagnostics[0], parindex.Diagnostic)
    first = error.diagnostics[0]
    assert (first.severity, first.check, first.line, first.code) == ("error", "unknown-key", 19, "1")
    assert isinstance(error, ValueError)


def test_toml_syntax_error_is_located() -> None:
    with pytest.raises(parindex.CriteriaError) as caught:
        parindex.loads(GOOD.replace('title = "Example"', "title = Example"), "syntax.toml")
    error = caught.value
    assert error.path == "syntax.toml"
    assert error.line == 4
    assert error.column is not None
    assert error.diagnostics[0].check == "syntax"


def test_every_error_is_reported() -> None:
    broken = GOOD.replace("max = 2\nrule", "max = 2\nmaxx = 3\nrule").replace('level = "commune"', 'level = "commune"\ncolour = "red"')
    with pytest.raises(parindex.CriteriaError) as caught:
        parindex.loads(broken, "two.toml")
    checks = {d.check for d in caught.value.diagnostics if d.severity == "error"}
    assert "unknown-key" in checks
    assert len(caught.value.diagnostics) >= 2


def test_unknown_id_and_missing_file() -> None:
    with pytest.raises(parindex.CriteriaError, match="no shipped set has this id"):
        parindex.load("nowhere/commune/1999")
    with pytest.raises(FileNotFoundError, match="no such file") as missing:
        parindex.load("no/such/file.toml")
    assert isinstance(missing.value, parindex.PathNotFoundError)
    assert isinstance(missing.value, parindex.ParindexError)
    assert missing.value.path == missing.value.filename == "no/such/file.toml"


def test_a_missing_path_is_a_file_not_found_error_everywhere(
    commune: parindex.CriteriaSet, tmp_path: pathlib.Path
) -> None:
    missing = tmp_path / "missing.csv"
    plan = tmp_path / "plan.toml"
    calls = [
        lambda: parindex.load(tmp_path / "missing.toml"),
        lambda: commune.score(missing),
        lambda: commune.score(str(missing)),
        lambda: commune.score([missing]),
        lambda: commune.score([{"unit": "A"}], survey=missing),
        lambda: commune.score([{"unit": "A"}], plan=plan, completions=[{"unit": "A"}]),
    ]
    for call in calls:
        with pytest.raises(FileNotFoundError) as caught:
            call()
        error = caught.value
        assert isinstance(error, parindex.ParindexError) and isinstance(error, ValueError)
        assert error.errno == errno.ENOENT
        assert error.path in (str(missing), str(plan), str(tmp_path / "missing.toml"))
        assert pickle.loads(pickle.dumps(error)).path == error.path


def test_bad_value_gives_a_located_input_error(commune: parindex.CriteriaSet) -> None:
    frame = pd.DataFrame({"unit": ["A", "B"], "1.1.4": ["100%", "1,500%"]})
    with pytest.raises(parindex.InputError) as caught:
        commune.score(frame)
    error = caught.value
    assert str(error) == '<DataFrame>: row 2, column 2 (1.1.4): "1,500%" could be 1.500 or 1500: write it with a decimal point (1.500) or without a separator (1500)'
    assert (error.path, error.line, error.column) == (None, 2, 2)
    assert (error.unit, error.code) == ("B", "1.1.4")


def test_bad_value_in_a_file_points_into_the_file(commune: parindex.CriteriaSet, tmp_path: pathlib.Path) -> None:
    path = tmp_path / "batch.csv"
    path.write_text("unit,1.1.1,1.1.4\nA,đúng hạn,100%\nB,đúng hạn,200%\n", encoding="utf-8")
    with pytest.raises(parindex.InputError) as caught:
        commune.score(path)
    error = caught.value
    assert (error.path, error.line, error.code) == (str(path), 3, "1.1.4")
    assert error.column is not None
    assert "outside 0–100%" in str(error)
    assert str(error).startswith(f"{path}:3:")


def test_input_errors_name_the_problem(commune: parindex.CriteriaSet) -> None:
    cases = [
        ({"name": ["x"]}, 'no "unit" column'),
        ({"unit": ["A"], "9.9": ["có"]}, 'column "9.9" is not a criterion or an attribute of this set'),
        ({"unit": ["A"], "1.1": ["có"]}, 'column "1.1" is scored from its sub-criteria'),
        ({"unit": ["A", "A"], "1.1.2": ["có", "có"]}, 'row 2, column 1: unit "A" appears twice'),
        ({"unit": ["A", None], "1.1.2": ["có", "có"]}, "row 2, column 1: a row with values has no unit id"),
        ({"unit": ["A", "B"], "1.1.2": ["có"]}, 'column "1.1.2" has 1 values but the first column has 2'),
        ({"unit": ["A"], "1.1.2": ["maybe"]}, 'row 1, column 2 (1.1.2): "maybe" is not yes or no'),
        ({"unit": ["A"], "code": ["1.1.2"], "value": ["có"], "colour": ["red"]}, 'column 4: column "colour" is not one of unit, code, value'),
        ({"unit": ["A", "A"], "code": ["1.1.2", "1.1.2"], "value": ["có", "không"]}, 'unit "A" has a second value for 1.1.2 at stage self'),
        ({"unit": ["A"], "code": ["1.1.2"], "value": [None], "evidence": ["x.pdf"]}, "row 1, column 4 (1.1.2): has evidence recorded but no value"),
    ]
    for data, message in cases:
        with pytest.raises(parindex.InputError, match=None) as caught:
            commune.score(data)
        assert message in str(caught.value), (data, str(caught.value))


def test_scoring_problems_are_all_listed() -> None:
    strict = parindex.loads(GOOD.replace("[[node]]", '[policy]\nmissing = "error"\n\n[[node]]'), "strict.toml")
    with pytest.raises(parindex.InputError) as caught:
        strict.score({"unit": ["A", "B", "C"], "1": [None, "có", None]})
    error = caught.value
    assert [(p[0], p[1]) for p in error.problems] == [("A", "1"), ("C", "1")]
    # A missing value is located at its unit's row.
    assert (error.unit, error.code, error.line, error.column) == ("A", "1", 1, 1)
    assert str(error) == (
        "<columns>: row 1, column 1 (1): unit A: has no input\n"
        "<columns>: row 3, column 1 (1): unit C: has no input"
    )


def test_wrong_types_are_type_errors(commune: parindex.CriteriaSet) -> None:
    with pytest.raises(TypeError, match="load\\(\\) takes a set id or a path"):
        parindex.load(42)
    with pytest.raises(TypeError):
        parindex.loads(b"[set]")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="score\\(\\) takes a pandas or polars DataFrame"):
        commune.score(42)
    with pytest.raises(TypeError, match="must hold dicts"):
        commune.score([1, 2])
    with pytest.raises(TypeError, match="column names must be text"):
        commune.score({1: ["A"]})
    with pytest.raises(TypeError, match='column "unit" must be a list of cells'):
        commune.score({"unit": "A"})
    with pytest.raises(TypeError, match='column "1.1.2", row 1: a list cannot be a cell'):
        commune.score({"unit": ["A"], "1.1.2": [["có"]]})
    with pytest.raises(TypeError, match="bytes cannot be a cell"):
        commune.score([{"unit": "A", "1.1.2": b"c\xc3\xb3"}])
    with pytest.raises(TypeError, match="diff\\(\\) compares with another CriteriaSet"):
        commune.diff("binh-thuan-police/division/2024")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parindex.CriteriaSet("binh-thuan-police/commune/2024")  # type: ignore[arg-type]


def test_errors_pickle_with_their_attributes(commune: parindex.CriteriaSet) -> None:
    with pytest.raises(parindex.InputError) as caught:
        commune.score({"unit": ["A"], "1.1.4": ["200%"]})
    again = pickle.loads(pickle.dumps(caught.value))
    assert type(again) is parindex.InputError
    assert (again.unit, again.code, again.line, str(again)) == ("A", "1.1.4", 1, str(caught.value))


def test_overflow_is_an_error_not_a_panic(commune: parindex.CriteriaSet) -> None:
    # A count far beyond any real one must not crash the interpreter.
    with pytest.raises(parindex.ParindexError):
        commune.score({"unit": ["A"], "1.5.1": ["99999999999999999999999999999999999"]})


def test_decimal_cells_are_exact(commune: parindex.CriteriaSet) -> None:
    results = commune.score({"unit": ["A"], "1.1.4": [Decimal("50.0")]})
    line = results.explain("A").set_index("code").loc["1.1.4"]
    assert line["points"] == Decimal("0.5")


def test_an_engine_panic_never_reaches_python_as_panic_exception() -> None:
    # Numbers at the edge of the decimal range made the mean of a relative rule overflow
    # (a panic in the engine). Whatever the engine does with them, Python sees a
    # ParindexError or a result, never pyo3's PanicException (a BaseException).
    hai_phong = parindex.load("hai-phong/official/2025")
    huge = "79228162514264337593543950335"
    try:
        hai_phong.score({"unit": ["A", "B"], "II.5.1.a": [huge, huge]})
    except parindex.ParindexError as error:
        assert isinstance(error, ValueError)
