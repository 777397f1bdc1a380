"""What a notebook needs from long and shared work: results that pickle (joblib,
multiprocessing), analyses too large for memory refused before they start, Ctrl-C honoured
during a long run, exact comparisons, and sensitivity summaries that show what was asked."""

from __future__ import annotations

import _thread
import multiprocessing
import pathlib
import pickle
import threading
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from typing import Any

import pandas as pd
import polars as pl
import pytest

import parindex

from conftest import COMMUNE, ROOT


def _summary_json(results: parindex.Results) -> str:
    """Runs in a child process: the results arrive pickled."""
    return results.to_json()


def test_results_pickle_to_the_same_results_from_every_kind_of_input(
    commune: parindex.CriteriaSet, sample_frame: pd.DataFrame, tmp_path: pathlib.Path
) -> None:
    path = tmp_path / "batch.csv"
    sample_frame.to_csv(path, index=False)
    inputs: list[Any] = [
        sample_frame,
        pl.from_pandas(sample_frame),
        sample_frame.to_dict("records"),
        {name: list(values) for name, values in sample_frame.items()},
        path,
        [str(path)],
    ]
    for data in inputs:
        results = commune.score(data)
        again = pickle.loads(pickle.dumps(results))
        assert isinstance(again, parindex.Results)
        assert again.to_json() == results.to_json(), type(data)
        assert again.set == commune
    # The file's bytes travel with the results: they unpickle after the file is gone.
    results = commune.score(path)
    data = pickle.dumps(results)
    path.unlink()
    assert pickle.loads(data).to_json() == results.to_json()


def test_sets_from_files_and_text_pickle_with_their_text(tmp_path: pathlib.Path) -> None:
    text = (ROOT / "criteria" / "2024" / "binh-thuan-police-commune.toml").read_text(encoding="utf-8")
    path = tmp_path / "set.toml"
    path.write_text(text, encoding="utf-8")
    for criteria in (parindex.load(path), parindex.loads(text, "mine.toml"), parindex.load(COMMUNE)):
        again = pickle.loads(pickle.dumps(criteria))
        assert again.content_hash == criteria.content_hash and again.id == criteria.id
    # The text is kept as it was loaded: changing the file afterwards changes nothing.
    loaded = parindex.load(path)
    path.write_text(text + "\n# changed\n", encoding="utf-8")
    assert pickle.loads(pickle.dumps(loaded)).content_hash == loaded.content_hash


def test_results_cross_to_another_process(sample_results: parindex.Results) -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        document = pool.submit(_summary_json, sample_results).result(timeout=120)
    assert document == sample_results.to_json()


def test_sensitivity_pickles_to_the_same_numbers(sample_results: parindex.Results) -> None:
    analysis = sample_results.sensitivity(replications=50, appraisal=0.1, indices=True)
    again = pickle.loads(pickle.dumps(analysis))
    pd.testing.assert_frame_equal(again.intervals(), analysis.intervals())
    pd.testing.assert_frame_equal(again.indices(), analysis.indices())
    assert again.info == analysis.info


def test_an_analysis_too_large_for_memory_raises_with_the_estimate(
    sample_results: parindex.Results,
) -> None:
    with pytest.raises(parindex.ParindexError) as caught:
        sample_results.sensitivity(replications=10**12)
    message = str(caught.value)
    assert message.startswith("1000000000000 runs of 30 units would take about ")
    assert "TiB of memory, more than the limit of 4.0 GiB: ask for at most " in message
    with pytest.raises(ValueError, match="more than the limit of 1.0 MiB"):
        sample_results.sensitivity(replications=100_000, memory_limit=2**20)
    # The process is still alive and the results still work.
    assert sample_results.sensitivity(replications=20, memory_limit=2**20).info["replications"] == 20


def test_ctrl_c_stops_a_long_analysis(sample_results: parindex.Results) -> None:
    # About half a minute of work on one thread, interrupted at once: the interrupt stops the
    # run itself (its note says how far it got), not only the Python code after it.
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt) as caught:
            sample_results.sensitivity(replications=2_000_000, appraisal=0.1, threads=1)
    finally:
        timer.cancel()
    notes = getattr(caught.value, "__notes__", [])
    assert any(n.startswith("the sensitivity analysis stopped after ") for n in notes), notes
    assert any(n.endswith(" of 2000000 runs") for n in notes), notes
    # The next call runs as usual.
    assert sample_results.sensitivity(replications=10).info["runs"] == 10


def test_compare_subtracts_exact_indices(commune: parindex.CriteriaSet, sample_frame: pd.DataFrame) -> None:
    before = commune.score(sample_frame)
    changed = sample_frame.copy()
    changed.loc[:, "1.1.1"] = "trễ hạn"
    after = commune.score(changed)
    changes = parindex.compare(before, after, backend="pandas").set_index("unit")
    exact_before = before.summary(backend="pandas").set_index("unit")["index_exact"]
    exact_after = after.summary(backend="pandas").set_index("unit")["index_exact"]
    for unit, row in changes.iterrows():
        if pd.isna(row["index_change"]):
            continue
        assert abs(row["index_change"] - (exact_after[unit] - exact_before[unit])) < Decimal("1e-20"), unit
    # The same loss of points against the same applicable maximum is the same change, exactly.
    losses = changes[changes["index_change"] != 0]
    assert len(losses) > 1
    by_change: dict[Decimal, int] = {}
    for value in losses["index_change"]:
        by_change[value] = by_change.get(value, 0) + 1
    assert max(by_change.values()) > 1
    areas = parindex.compare(before, after, areas=True, backend="pandas")
    first = areas[areas["code"] == commune.area_codes[0]]
    for b, a, change in zip(first["before"], first["after"], first["change"]):
        assert abs(change - (a - b)) < Decimal("1e-20")
    # Every unit that lost the same half point of the same area shows the very same change.
    lost = first[first["change"] < 0]["change"]
    assert len(lost) > 1 and lost.nunique() == 1


def test_sensitivity_summaries_show_whole_ranks_and_the_sources_asked_for(
    sample_results: parindex.Results,
) -> None:
    analysis = sample_results.sensitivity(replications=100, appraisal=0.2, indices=True)
    assert analysis.info["sources"] == ["appraisal"]
    intervals = analysis.intervals(backend="pandas")
    sources = [c for c in intervals.columns if c.startswith(("s1_", "st_"))]
    assert sources == ["s1_appraisal", "st_appraisal"]
    for column in ("rank", "rank_p5", "rank_median", "rank_p95"):
        assert str(intervals[column].dtype) == "Int64", column
    assert (intervals["rank_p5"] <= intervals["rank_p95"]).all()
    assert list(analysis.indices(backend="pandas")["source"]) == ["appraisal"]
    # Without any source named, survey sampling is the one run.
    assert sample_results.sensitivity(replications=10).info["sources"] == ["survey"]
    assert sample_results.sensitivity(replications=10, survey=None).info["sources"] == []


def test_ctrl_c_returns_from_a_long_scoring_call(commune: parindex.CriteriaSet, sample_frame: pd.DataFrame) -> None:
    import pyarrow as pa

    # 99,990 units: several seconds of reading and scoring, interrupted at once.
    one = pa.Table.from_pandas(sample_frame, preserve_index=False)
    many = pa.concat_tables([one] * 3333)
    ids = pa.array([f"U-{i:06}" for i in range(many.num_rows)])
    many = many.set_column(many.schema.get_field_index("unit"), "unit", ids)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt) as caught:
            commune.score(many)
    finally:
        timer.cancel()
    notes = getattr(caught.value, "__notes__", [])
    assert notes == ["the scoring call was abandoned; it finishes in the background, unused"], notes
    assert len(commune.score(sample_frame)) == 30
