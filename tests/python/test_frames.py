"""Typed frames: exact decimals that pandas and polars compute with, the backend chosen once,
and the library of the data scored kept for its results."""

from __future__ import annotations

from decimal import Decimal

import matplotlib
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import parindex

matplotlib.use("Agg")


def test_pandas_gets_arrow_decimals_it_computes_with(sample_results: parindex.Results) -> None:
    summary = sample_results.summary(backend="pandas")
    for column in ("total", "max", "index", "index_exact"):
        dtype = summary[column].dtype
        assert isinstance(dtype, pd.ArrowDtype) and pa.types.is_decimal(dtype.pyarrow_dtype), column
    # The reported index has the set's decimals; totals the scale of the set's points.
    assert summary["index"].dtype.pyarrow_dtype.scale == sample_results.set._inner.decimals
    assert summary["total"].dtype.pyarrow_dtype.scale == 1
    assert isinstance(summary["total"][0], Decimal)
    # sort_values, groupby().mean(), arithmetic and plot work on the exact columns.
    ranked = summary.sort_values("index", ascending=False)
    assert list(ranked["index"]) == sorted(summary["index"], reverse=True)
    means = summary.groupby("band")["total"].mean()
    for band, mean in means.items():
        totals = [t for t, b in zip(summary["total"], summary["band"]) if b == band]
        assert abs(mean - sum(totals) / len(totals)) <= Decimal("0.05"), band
    lost = summary["max"] - summary["total"]
    assert all(isinstance(x, Decimal) for x in lost)
    assert (lost + summary["total"] == summary["max"]).all()
    ax = summary.head(10).plot.barh(x="unit", y="index")
    assert len(ax.patches) == 10
    assert sorted(p.get_width() for p in ax.patches) == sorted(float(x) for x in summary.head(10)["index"])
    # describe() summarises the float view; exact=False keeps floats.
    floats = sample_results.summary(backend="pandas", exact=False)
    assert floats["index"].dtype == "float64"
    described = floats.describe()
    assert described.loc["count", "index"] == len(summary)


def test_polars_gets_decimals_of_the_same_shape(sample_results: parindex.Results) -> None:
    pandas = sample_results.summary(backend="pandas")
    polars = sample_results.summary(backend="polars")
    for column in ("total", "max", "index", "index_exact"):
        dtype = polars.schema[column]
        assert isinstance(dtype, pl.Decimal), column
        arrow = pandas[column].dtype.pyarrow_dtype
        assert (dtype.precision, dtype.scale) == (arrow.precision, arrow.scale), column
    assert polars.select(pl.col("total").sum()).item() == sum(pandas["total"])


def test_the_backend_follows_the_data_and_the_option(
    commune: parindex.CriteriaSet, sample_frame: pd.DataFrame
) -> None:
    from_polars = commune.score(pl.from_pandas(sample_frame))
    assert isinstance(from_polars.summary(), pl.DataFrame)
    assert isinstance(from_polars.explain(from_polars.units[0]), pl.DataFrame)
    assert isinstance(from_polars.sensitivity(replications=10).intervals(), pl.DataFrame)
    assert isinstance(parindex.compare(from_polars, from_polars), pl.DataFrame)
    from_rows = commune.score(sample_frame.to_dict("records"))
    assert isinstance(from_rows.summary(), pd.DataFrame)
    assert isinstance(parindex.sample(), pd.DataFrame)
    try:
        parindex.options.backend = "polars"
        assert isinstance(parindex.sample(), pl.DataFrame)
        assert isinstance(from_rows.summary(), pl.DataFrame)
        assert isinstance(from_rows.summary(backend="pandas"), pd.DataFrame)
        assert isinstance(commune.nodes(), pl.DataFrame)
        with pytest.raises(ValueError, match="options.backend must be"):
            parindex.options.backend = "arrow"  # type: ignore[assignment]
    finally:
        parindex.options.backend = "auto"
    assert isinstance(from_polars.summary(), pl.DataFrame)
