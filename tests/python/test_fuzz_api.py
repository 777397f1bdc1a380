"""Every public function and method of ``parindex``, and of its compiled half, fed arbitrary
objects: ``None``, numbers (with nan and inf), huge and odd strings, bytes, nested containers and
frames with odd dtypes.

A call may succeed or raise :class:`parindex.ParindexError`, :class:`TypeError` or
:class:`ValueError`; nothing else, and never pyo3's ``PanicException``. The one exception to
the list is a file the caller names for writing: a path that cannot be written (a folder, an
empty name) raises :class:`OSError`, as :func:`open` does.
"""

from __future__ import annotations

import datetime
import decimal
import os
import pathlib
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import hypothesis.strategies as st
import matplotlib
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

import parindex
import parindex.plot
from parindex import _parindex

from conftest import COMMUNE

matplotlib.use("Agg")

COMMUNE_SET = parindex.load(COMMUNE)
OTHER_SET = parindex.load("binh-thuan-police/division-procedures/2024")
SAMPLE = parindex.sample(COMMUNE)
RESULTS = COMMUNE_SET.score(SAMPLE)
OTHER_RESULTS = OTHER_SET.score(parindex.sample(OTHER_SET.id))
UNIT = RESULTS.units[0]

ALLOWED = (parindex.ParindexError, TypeError, ValueError)
ALLOWED_WRITING = (*ALLOWED, OSError)

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module", autouse=True)
def in_a_scratch_folder() -> Iterator[None]:
    """Paths written by the fuzzed calls land in a folder of their own."""
    before = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        (pathlib.Path(scratch) / "a-folder").mkdir()
        try:
            yield
        finally:
            os.chdir(before)


# ---- arbitrary objects ---------------------------------------------------------------------

WORDS = [
    COMMUNE,
    "binh-thuan-police/division-procedures/2024",
    UNIT,
    "",
    " ",
    "\x00",
    "N/A",
    "có",
    "85,5",
    "1e400",
    "pandas",
    "polars",
    "summary",
    "areas",
    "wide",
    "long",
    "self",
    "appraisal",
    "1.1.1",
    "unit",
    "a.toml",
    "a.csv",
    "a.xlsx",
    "a.json",
    "a-folder",
    ".",
    "..",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**200), max_value=2**200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(WORDS),
    st.binary(max_size=8),
    st.complex_numbers(allow_nan=True),
    st.dates(),
    st.datetimes(),
    st.just(object()),
    st.just(float("nan")),
)
objects = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=6), st.integers(), st.sampled_from(WORDS)), inner, max_size=4),
        st.sets(st.one_of(st.text(max_size=4), st.integers()), max_size=3),
    ),
    max_leaves=8,
)


def _pandas_frames() -> list[Any]:
    n = 3
    units = ["A", "B", None]
    return [
        pd.DataFrame({"unit": units, "1.1.1": pd.Categorical(["đúng hạn", "trễ hạn", None])}),
        pd.DataFrame({"unit": units, "1.1.4": pd.to_datetime(["2024-01-01", None, "2024-02-03"])}),
        pd.DataFrame({"unit": units, "1.1.4": pd.to_timedelta([1, 2, 3], unit="D")}),
        pd.DataFrame({"unit": units, "1.1.4": pd.array([1, None, 3], dtype="Int64")}),
        pd.DataFrame({"unit": units, "1.1.4": [1 + 2j, 3j, float("nan")]}),
        pd.DataFrame({"unit": units, "1.1.4": [b"\xff", b"7/9", None]}),
        pd.DataFrame({"unit": units, "1.1.4": pd.interval_range(0, n)}),
        pd.DataFrame({"unit": units, "1.1.4": pd.period_range("2024-01", periods=n, freq="M")}),
        pd.DataFrame({"unit": units, "1.1.4": [[1], {"a": 1}, (2,)]}),
        pd.DataFrame({"unit": [1.5, float("inf"), -0.0], "1.1.4": [float("nan"), 1e308, -1e-308]}),
        pd.DataFrame({"unit": units, "1.1.4": pd.array([True, None, False], dtype="boolean")}),
        pd.DataFrame({"unit": units, "1.1.4": pd.array(["a", None, "b"], dtype="string")}),
        pd.DataFrame({"unit": units, "1.1.4": [decimal.Decimal("NaN"), decimal.Decimal("1e999"), decimal.Decimal("-0")]}),
        pd.DataFrame({"unit": ["A"] * 2, "1.1.4": ["7/9", "8/9"]}),
        pd.DataFrame({0: ["A"], 1: ["x"]}),
        pd.DataFrame({"unit": ["A"], "code": [None], "value": [None]}),
        pd.DataFrame({"unit": ["A"], "stage": [float("nan")], "1.1.4": ["7/9"]}),
        pd.DataFrame(),
        pd.DataFrame({"unit": ["A", "B"]}).set_index("unit"),
        pd.DataFrame({"unit": ["A"], "1.1.4": ["7/9"]}).T,
        pd.DataFrame({("unit", "x"): ["A"]}),
        pd.Series(["A", "B"], name="unit"),
    ]


def _polars_frames() -> list[Any]:
    return [
        pl.DataFrame({"unit": ["A", None], "1.1.4": [[1, 2], None]}),
        pl.DataFrame({"unit": ["A", "B"], "1.1.4": [{"a": 1}, {"a": None}]}),
        pl.DataFrame({"unit": ["A", "B"], "1.1.4": [datetime.date(2024, 1, 1), None]}),
        pl.DataFrame({"unit": ["A", "B"], "1.1.4": pl.Series([decimal.Decimal("1.5"), None], dtype=pl.Decimal(10, 2))}),
        pl.DataFrame({"unit": ["A", "B"], "1.1.4": pl.Series([None, None], dtype=pl.Null)}),
        pl.DataFrame({"unit": ["A", "B"], "1.1.4": pl.Series(["x", "y"], dtype=pl.Categorical)}),
        pl.DataFrame({"unit": [1, 2], "1.1.4": [float("nan"), float("inf")]}),
        pl.DataFrame({"unit": ["A"], "1.1.4": [b"\x00\xff"]}),
        pl.DataFrame(),
        pl.DataFrame({"unit": ["A"]}).lazy(),
    ]


frames = st.sampled_from(_pandas_frames() + _polars_frames())
# Huge strings at the top level only: nested, they make hypothesis's reports huge.
huge = st.sampled_from(["x" * 100_000, "ư" * 40_000, "1" * 5_000 + ".5"])
anything = st.one_of(objects, frames, huge, st.just(SAMPLE), st.just(COMMUNE_SET), st.just(RESULTS))
# Names of files to write: relative, so that nothing is written outside the scratch folder.
paths = st.one_of(
    st.text(max_size=12).map(lambda s: s.replace("/", "_").replace("\\", "_")),
    st.sampled_from(["", ".", "..", "a-folder", "\x00", "out.json", "out.xlsx", "out.html"]),
    st.builds(pathlib.Path, st.sampled_from(["p.json", "a-folder", "q.html"])),
    objects,
)


def _call(function: Callable[..., Any], *args: Any, writing: bool = False, **kwargs: Any) -> Any:
    """Calls `function`; a result, or one of the allowed exceptions."""
    allowed = ALLOWED_WRITING if writing else ALLOWED
    try:
        return function(*args, **kwargs)
    except allowed:
        return None
    except BaseException as error:  # noqa: BLE001 - the point of the test
        if isinstance(error, KeyboardInterrupt):
            raise
        raise AssertionError(
            f"{getattr(function, '__qualname__', function)} raised {type(error).__module__}."
            f"{type(error).__name__}: {error!s:.300}"
        ) from error


# ---- module functions ------------------------------------------------------------------------


@SETTINGS
@given(anything)
def test_load(x: Any) -> None:
    _call(parindex.load, x)
    _call(_parindex.load, x)


@SETTINGS
@given(anything, anything)
def test_loads(text: Any, path: Any) -> None:
    _call(parindex.loads, text)
    _call(parindex.loads, text, path)
    _call(_parindex.loads, text, path)


@SETTINGS
@given(anything, anything)
def test_samples_and_sets(x: Any, backend: Any) -> None:
    assert parindex.sets() and parindex.samples()
    _call(parindex.sample, x)
    _call(parindex.sample, COMMUNE, backend=backend)
    _call(_parindex.sample_csv, x)


@SETTINGS
@given(anything, anything, anything, anything, anything, anything)
def test_compare(before: Any, after: Any, areas: Any, crosswalk: Any, backend: Any, exact: Any) -> None:
    _call(parindex.compare, before, after)
    _call(parindex.compare, RESULTS, OTHER_RESULTS, areas=areas, crosswalk=crosswalk, backend=backend, exact=exact)
    _call(parindex.compare, RESULTS, RESULTS, areas=True, crosswalk=crosswalk)
    _call(_parindex.compare, before, after, crosswalk, areas, exact)
    _call(_parindex.compare, RESULTS._inner, RESULTS._inner, crosswalk, areas, exact)


# ---- CriteriaSet ------------------------------------------------------------------------------


@SETTINGS
@given(anything, anything, anything)
def test_criteria_set_methods(x: Any, backend: Any, exact: Any) -> None:
    s = COMMUNE_SET
    _call(s.nodes, backend=backend, exact=exact)
    _call(s.template, x)
    _call(s.template, ["A"], layout=x, backend=backend)
    _call(s.diff, x)
    _call(s.diff, OTHER_SET, backend=backend, exact=exact)
    _call(lambda: s == x)
    _call(parindex.CriteriaSet, x)
    _call(s._inner.nodes, exact)
    _call(s._inner.diff, x, exact)
    assert s.validate() == [] or s.validate()
    assert s.to_toml() and repr(s) and s._repr_html_() and hash(s) == hash(COMMUNE_SET)
    assert len(s.to_pandas()) and len(s.to_polars())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(anything, anything)
def test_score(data: Any, stage: Any) -> None:
    result = _call(COMMUNE_SET.score, data)
    if result is not None:
        result.summary()
        result.detail(backend="polars")
    _call(COMMUNE_SET.score, SAMPLE, stage=stage)
    _call(COMMUNE_SET._inner.score, data, stage)
    _call(COMMUNE_SET._inner.score, {"unit": ["A"], "1.1.4": [data]}, None)
    _call(COMMUNE_SET._inner.score_files, data)


# ---- Results ------------------------------------------------------------------------------------


@SETTINGS
@given(anything, anything, anything)
def test_results_tables(x: Any, backend: Any, exact: Any) -> None:
    r = RESULTS
    for table in (r.summary, r.areas, r.detail, r.stages):
        _call(table, backend=backend, exact=exact)
    _call(r.explain, x)
    _call(r.explain, UNIT, backend=backend, exact=exact)
    _call(r.explain_text, x)
    _call(r.to_pandas, x, exact=exact)
    _call(r.to_polars, x, exact=exact)
    _call(r._repr_html_, x)
    for method in (r._inner.summary, r._inner.areas, r._inner.detail, r._inner.stages):
        _call(method, exact)
    _call(r._inner.explain, x, exact)
    _call(r._inner.explain_text, x)
    _call(r._inner.to_json, exact)
    _call(parindex.Results, x, COMMUNE_SET)
    assert len(r) == len(r.units) and r.provenance and repr(r) and r.names is not None
    assert r.warnings is not None and r._inner.timings() and r._inner.stage_names


@SETTINGS
@given(paths, anything, anything, anything)
def test_results_files(path: Any, explain: Any, previous: Any, crosswalk: Any) -> None:
    r = RESULTS
    _call(r.to_json, explain=explain)
    _call(r.to_json, path, writing=True)
    _call(r.to_excel, path, writing=True)
    _call(r.to_html, path, writing=True)
    _call(r.to_html, "report.html", previous=previous, crosswalk=crosswalk, writing=True)
    _call(r.to_html, "report.html", previous=OTHER_RESULTS, crosswalk=crosswalk, writing=True)
    _call(r._inner.write_json, path, explain, writing=True)
    _call(r._inner.write_excel, path, writing=True)
    _call(r._inner.write_html, path, previous, crosswalk, writing=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(anything, anything, anything)
def test_plots(results: Any, x: Any, ax: Any) -> None:
    import matplotlib.pyplot as plt

    try:
        _call(RESULTS.plot_ranking, top=x)
        _call(RESULTS.plot_ranking, ax=ax)
        _call(RESULTS.plot_profile, x)
        _call(RESULTS.plot_profile, UNIT, ax=ax)
        _call(parindex.plot.ranking, results)
        _call(parindex.plot.profile, results, x)
        _call(parindex.plot.profile, RESULTS, UNIT, ax=ax)
    finally:
        plt.close("all")


# ---- Records and rank uncertainty -----------------------------------------------------------


@SETTINGS
@given(anything, anything, anything, anything)
def test_records_and_sensitivity(x: Any, y: Any, backend: Any, exact: Any) -> None:
    r = RESULTS
    _call(r.tasks, backend=backend)
    _call(r.surveys, backend=backend, exact=exact)
    _call(COMMUNE_SET.score, SAMPLE, plan=x, completions=y)
    _call(COMMUNE_SET.score, SAMPLE, survey=x)
    _call(COMMUNE_SET.score, SAMPLE, survey=[{"unit": x, "item": "3.2.2", "answer": y}])
    _call(COMMUNE_SET.score, SAMPLE, survey=x, records_stage=y)
    # Few replications whatever else is drawn: the point is the arguments, not the work.
    _call(r.sensitivity, replications=4, survey=x)
    _call(r.sensitivity, replications=4, appraisal=x, weights=y)
    _call(r.sensitivity, replications=4, not_applicable=x, rounding=y, ties=x)
    _call(r.sensitivity, replications=4, seed=x, threads=y, top=x, indices=y)
    small = x if isinstance(x, int) and not isinstance(x, bool) and x < 50 else "x"
    analysis = _call(r.sensitivity, replications=small)
    if analysis is not None:
        _call(analysis.intervals, backend=backend)
        _call(analysis.indices, backend=backend)
        assert analysis.info and repr(analysis) and analysis._repr_html_()
    _call(parindex.sensitivity, x)
    _call(r._inner.sensitivity, 4, x, y)
