"""Scoring a national dataset on an existing distributed engine: Dask, one scoring call per
partition, ranks merged exactly across partitions.

The engine scores a partition in one call (up to 100,000 units); ranks are the one thing that
depends on every unit, so each partition also returns its units' ranking keys
(``Results.ranking()``), and the set ranks them all at once (``CriteriaSet.rank``). The
results equal those of a single process scoring every unit together. See ``docs/scale.md``.

    python examples/scale_out.py --units 2000000 --partitions 20 --folder units

generates the synthetic units as Parquet (every figure is invented), scores them with Dask
and with one process partition by partition, checks that both agree, and prints the times.
"""

from __future__ import annotations

import argparse
import pathlib
import tempfile
import time
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import parindex

SET = "binh-thuan-police/commune/2024"
RANKING = ["unit", "group", "ranked", "rank_on"]


def generate(folder: pathlib.Path, units: int, partitions: int, seed: int = 2024) -> None:
    """Writes ``units`` synthetic units in ``partitions`` Parquet files: each leaf's value is
    drawn from the values the set's sample batch gives that leaf (all invented)."""
    sample = parindex.sample(SET, backend="pandas")
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    size = -(-units // partitions)
    for part in range(partitions):
        start = part * size
        count = min(size, units - start)
        if count <= 0:
            break
        ids = np.char.add(f"U{part:03}-", np.char.zfill(np.arange(count).astype(str), 7))
        columns: dict[str, Any] = {"unit": pa.array(ids, type=pa.string())}
        for name in sample.columns:
            if name in ("unit", "name"):
                continue
            choices = np.array(sample[name].tolist(), dtype=object)
            columns[name] = pa.array(rng.choice(choices, count), type=pa.string())
        pq.write_table(pa.table(columns), folder / f"part-{part:03}.parquet")


def score_partition(frame: pd.DataFrame, criteria: parindex.CriteriaSet) -> pd.DataFrame:
    """One partition: its summary with the ranking keys in place of its (partial) ranks."""
    results = criteria.score(frame)
    summary = results.summary(backend="pandas").drop(columns=["rank"])
    ranking = results.ranking(backend="pandas").drop(columns=["group"])
    return summary.merge(ranking, on="unit", how="left")


def merge_ranks(scored: pd.DataFrame, criteria: parindex.CriteriaSet) -> pd.DataFrame:
    """Every partition's rows together, ranked at once as the engine ranks: exact."""
    keys = [c for c in scored.columns if c in RANKING or c.startswith("tie_")]
    ranks = criteria.rank(pa.Table.from_pandas(scored[keys], preserve_index=False))
    out = scored.drop(columns=[c for c in keys if c not in ("unit", "group")])
    out["rank"] = pd.array(ranks, dtype="Int64")
    return out.sort_values("unit", ignore_index=True)


def with_dask(folder: pathlib.Path, criteria: parindex.CriteriaSet) -> pd.DataFrame:
    """Dask: a partition per Parquet file, scored where it is read (threads by default: the
    engine releases the GIL while it scores)."""
    import dask.dataframe as dd

    units = dd.read_parquet(str(folder), dtype_backend="pyarrow")
    meta = score_partition(units.head(2), criteria).iloc[:0]
    scored = units.map_partitions(score_partition, criteria, meta=meta).compute()
    return merge_ranks(scored, criteria)


def single_process(folder: pathlib.Path, criteria: parindex.CriteriaSet) -> pd.DataFrame:
    """The same work in one process, one partition after another."""
    parts = [
        score_partition(pq.read_table(path).to_pandas(types_mapper=pd.ArrowDtype), criteria)
        for path in sorted(folder.glob("*.parquet"))
    ]
    return merge_ranks(pd.concat(parts, ignore_index=True), criteria)


def main(units: int, partitions: int, folder: pathlib.Path | None = None) -> dict[str, float]:
    """Generates, scores both ways, checks they agree; returns the seconds each took."""
    criteria = parindex.load(SET)
    with tempfile.TemporaryDirectory() as scratch:
        where = folder or pathlib.Path(scratch)
        started = time.perf_counter()
        generate(where, units, partitions)
        generated = time.perf_counter()
        distributed = with_dask(where, criteria)
        dask_done = time.perf_counter()
        alone = single_process(where, criteria)
        alone_done = time.perf_counter()
    pd.testing.assert_frame_equal(distributed, alone)
    return {
        "generate": generated - started,
        "dask": dask_done - generated,
        "single": alone_done - dask_done,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--folder", type=pathlib.Path)
    args = parser.parse_args()
    times = main(args.units, args.partitions, args.folder)
    print(
        f"{args.units} units in {args.partitions} partitions: generated in {times['generate']:.1f} s; "
        f"Dask {times['dask']:.1f} s; one process {times['single']:.1f} s"
    )
