"""Rank uncertainty from Python: intervals, indices, reproducibility and the plot."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

import parindex


def test_without_uncertainty_the_intervals_are_the_point_result(sample_results: parindex.Results) -> None:
    frame = sample_results.sensitivity(replications=20, survey=None).intervals()
    summary = sample_results.summary(exact=False).set_index("unit")
    frame = frame.set_index("unit")
    assert (frame["index_p5"] == frame["index_p95"]).all()
    assert (frame["index_p5"] == summary.loc[frame.index, "index"]).all()
    ranked = frame["rank"].notna()
    assert (frame.loc[ranked, "rank_p5"] == frame.loc[ranked, "rank"]).all()
    assert (frame.loc[ranked, "rank_p95"] == frame.loc[ranked, "rank"]).all()


def test_sources_give_intervals_indices_and_the_same_numbers_on_any_threads(
    sample_results: parindex.Results,
) -> None:
    options = dict(
        replications=200, survey="resample", appraisal=0.1, ties=["dense"], weights=0.1, indices=True
    )
    one = sample_results.sensitivity(threads=1, **options)
    two = parindex.sensitivity(sample_results, threads=2, **options)
    pd.testing.assert_frame_equal(one.intervals(), two.intervals())
    pd.testing.assert_frame_equal(one.indices(), two.indices())
    assert one.info["sources"] == ["survey", "appraisal", "methods", "weights"]
    assert one.info["runs"] == 200 * 6
    intervals = one.intervals()
    assert (intervals["rank_p5"] <= intervals["rank_median"]).all()
    bands = intervals[[c for c in intervals.columns if c.startswith("p_band_")]].sum(axis=1)
    assert ((bands - 1.0).abs() < 1e-9).all()
    indices = one.indices(backend="polars")
    assert isinstance(indices, pl.DataFrame)
    assert indices["source"].to_list() == ["survey", "appraisal", "methods", "weights"]
    assert "Rank uncertainty" in one._repr_html_()


def test_the_plot_draws_one_row_per_unit(sample_results: parindex.Results) -> None:
    import matplotlib

    matplotlib.use("Agg")
    analysis = sample_results.sensitivity(replications=50, appraisal=0.1)
    ax = analysis.plot(top=12)
    assert len(ax.get_yticklabels()) == 12


def test_bad_options_raise_value_or_type_errors(sample_results: parindex.Results) -> None:
    with pytest.raises(ValueError, match="survey model"):
        sample_results.sensitivity(survey="bootstrap")
    with pytest.raises(ValueError, match="not between 0 and 1"):
        sample_results.sensitivity(appraisal=2.0)
    with pytest.raises(ValueError, match="tie policy"):
        sample_results.sensitivity(ties=["random"])
    with pytest.raises(TypeError):
        sample_results.sensitivity(ties="dense")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        sample_results.sensitivity(replications="many")  # type: ignore[arg-type]
