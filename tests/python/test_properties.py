"""Invariants of the Python API, stated as hypothesis properties."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import hypothesis.strategies as st
import pandas as pd
import polars as pl
from hypothesis import HealthCheck, given, settings

import parindex

from conftest import COMMUNE

COMMUNE_SET = parindex.load(COMMUNE)
SAMPLE = parindex.sample(COMMUNE)
LEAVES = COMMUNE_SET.leaf_codes

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.permutations(range(len(SAMPLE))))
def test_results_do_not_depend_on_row_order(order: list[int]) -> None:
    expected = COMMUNE_SET.score(SAMPLE).summary().set_index("unit").sort_index()
    shuffled = SAMPLE.iloc[order].reset_index(drop=True)
    got = COMMUNE_SET.score(shuffled).summary().set_index("unit").sort_index()
    assert got.equals(expected)


@SETTINGS
@given(st.permutations(range(len(SAMPLE))), st.permutations(LEAVES))
def test_long_rows_and_columns_in_any_order(order: list[int], columns: list[str]) -> None:
    frame = SAMPLE.iloc[order][["unit", *columns]]
    long = frame.melt(id_vars="unit", var_name="code", value_name="value").sample(frac=1, random_state=len(order))
    got = COMMUNE_SET.score(long).summary().set_index("unit").sort_index().drop(columns="name")
    expected = COMMUNE_SET.score(SAMPLE).summary().set_index("unit").sort_index().drop(columns="name")
    assert got.equals(expected)


# One cell per leaf: either an answer that leaf accepts, N/A, or empty.
ANSWERS: dict[str, list[str]] = {
    code: sorted({v for v in SAMPLE[code].dropna()} | {"N/A"}) for code in LEAVES
}


@st.composite
def batches(draw: Any) -> pd.DataFrame:
    units = draw(st.integers(min_value=1, max_value=12))
    rows = []
    for n in range(units):
        row: dict[str, Any] = {"unit": f"U{n}"}
        for code in LEAVES:
            row[code] = draw(st.one_of(st.none(), st.sampled_from(ANSWERS[code])))
        rows.append(row)
    return pd.DataFrame(rows)


@SETTINGS
@given(batches())
def test_summary_totals_equal_the_sum_of_the_areas(batch: pd.DataFrame) -> None:
    results = COMMUNE_SET.score(batch)
    summary = results.summary().set_index("unit")
    areas = results.areas()
    for unit, group in areas.groupby("unit"):
        applicable = group[group["status"] != "not-applicable"]
        assert sum(applicable["points"], Decimal(0)) == summary.loc[unit, "total"]
        assert sum(applicable["max"], Decimal(0)) == summary.loc[unit, "max"]
    for total, maximum in zip(summary["total"], summary["max"]):
        assert Decimal(0) <= total <= maximum <= COMMUNE_SET.max


@SETTINGS
@given(batches())
def test_exact_and_float_views_agree(batch: pd.DataFrame) -> None:
    results = COMMUNE_SET.score(batch)
    exact = results.summary()
    floats = results.summary(exact=False)
    for d, f in zip(exact["index_exact"], floats["index_exact"]):
        assert (d is None and math.isnan(f)) or float(d) == f
    polars = results.summary(backend="polars")
    assert polars["total"].to_list() == list(exact["total"])


@SETTINGS
@given(batches())
def test_ranks_follow_the_index(batch: pd.DataFrame) -> None:
    summary = COMMUNE_SET.score(batch).summary()
    ranked = summary.dropna(subset=["rank"]).sort_values("rank")
    indices = list(ranked["index"])
    assert indices == sorted(indices, reverse=True)
    assert ranked["rank"].iloc[0] == 1


# Garbage: any JSON-like values, any keys, any shapes.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["unit", "code", "value", "stage", "1.1.1", "1.1.4", "N/A", "có", "100%", "7/9", "-1", "1e400"]),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.binary(max_size=4),
)
values = st.recursive(scalars, lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)), max_leaves=6)
keys = st.one_of(st.sampled_from(["unit", "code", "value", "stage", "evidence", "name", *LEAVES[:6], "1", "1.1"]), st.text(max_size=8), st.integers())
rows = st.dictionaries(keys, values, max_size=6)
garbage = st.one_of(
    values,
    st.lists(rows, max_size=5),
    st.dictionaries(keys, st.lists(values, max_size=4), max_size=5),
    st.dictionaries(keys, values, max_size=5),
)


def _score_garbage(data: Any) -> None:
    try:
        results = COMMUNE_SET.score(data)
    except (parindex.ParindexError, TypeError):
        return
    except NotImplementedError:  # a str naming a file type not read yet
        assert isinstance(data, str)
        return
    # Scoring succeeded: every table must build.
    results.summary()
    results.areas()
    results.detail()
    results.stages()
    for unit in results.units[:2]:
        results.explain(unit)


@settings(max_examples=300, deadline=None)
@given(garbage)
def test_garbage_raises_parindex_or_type_errors(data: Any) -> None:
    _score_garbage(data)


@settings(max_examples=150, deadline=None)
@given(st.lists(rows, max_size=5))
def test_garbage_frames_raise_parindex_or_type_errors(records: list[dict[Any, Any]]) -> None:
    try:
        frame = pd.DataFrame(records)
    except Exception:  # pandas refuses it before parindex sees it
        return
    _score_garbage(frame)
    try:
        polars = pl.DataFrame(records, strict=False)
    except (Exception, BaseException) as error:  # polars itself may panic on such rows
        if isinstance(error, KeyboardInterrupt):
            raise
        return
    _score_garbage(polars)
