"""The scale-out example of docs/scale.md runs on a small dataset: Dask scores the Parquet
partitions, ranks are merged exactly, and the results equal one process's and one call's."""

from __future__ import annotations

import importlib.util
import pathlib
import sys

import pandas as pd
import pytest

import parindex

from conftest import ROOT

pytest.importorskip("dask")
pytest.importorskip("pyarrow")


def _example():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("scale_out", ROOT / "examples" / "scale_out.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["scale_out"] = module
    spec.loader.exec_module(module)
    return module


def test_the_example_agrees_with_one_call(tmp_path: pathlib.Path) -> None:
    example = _example()
    times = example.main(units=12_000, partitions=4, folder=tmp_path)
    assert set(times) == {"generate", "dask", "single"}
    criteria = parindex.load(example.SET)
    merged = example.single_process(tmp_path, criteria)
    everything = pd.concat(
        [pd.read_parquet(path) for path in sorted(tmp_path.glob("*.parquet"))], ignore_index=True
    )
    one_call = criteria.score(everything).summary(backend="pandas").sort_values("unit", ignore_index=True)
    assert list(merged["unit"]) == list(one_call["unit"])
    assert list(merged["rank"]) == list(one_call["rank"])
    assert list(merged["index_exact"]) == list(one_call["index_exact"])
    assert list(merged["band"]) == list(one_call["band"])
    # Some ranks come from units of other partitions: the merge is not a formality.
    assert merged["rank"].max() > 12_000 / 4
