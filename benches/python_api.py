#!/usr/bin/env python3
"""Times the Python path: 10,000 units from a pandas DataFrame → scored → summary DataFrame.

    python benches/python_api.py [--units 10000] [--repeat 7] [--set ID]

It needs the package built into the interpreter (`maturin develop --release`, or
`pip install .`) and pandas. The units are those of `benches/make_units.py` (same set, same
seed, same way of drawing each leaf's value from the sample batch), built directly as a
DataFrame; the figures are invented.

Each repetition reports, with time.perf_counter:

- python total: `criteria.score(frame)` then `results.summary()`, what a user waits for;
- rust batch: the time the extension spends, detached from Python, reading the cells into a
  batch and scoring it (`Plan::score`): the pure-Rust batch time for the same work, measured
  inside the same call;
- pandas: what pandas itself spends — `Series.tolist()` on the input columns and
  `pd.DataFrame(...)` on the summary's columns — timed on their own.

The target is python total ≤ 2 × rust batch: a DataFrame in, a summary DataFrame out, in at
most twice the Rust time of reading and scoring the same units. The medians are printed with
the verdict. Timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from typing import Any

import pandas as pd

import parindex
from parindex._frames import to_frame

SAMPLE_SET = "binh-thuan-police/division-procedures/2024"


def make_frame(criteria_id: str, units: int, seed: int = 2024) -> pd.DataFrame:
    """Synthetic units drawn, leaf by leaf, from the values of the set's sample batch."""
    rng = random.Random(seed)
    rows = list(csv.reader(parindex._parindex.sample_csv(criteria_id).splitlines()))
    header, sample = rows[0], rows[1:]
    leaves = header[2:]
    choices = [[row[2 + i] for row in sample] for i in range(len(leaves))]
    data: dict[str, list[Any]] = {
        "unit": [f"U{n:05d}" for n in range(units)],
        "name": [f"Đơn vị thử nghiệm {n}" for n in range(units)],
    }
    draws = [[rng.choice(options) for options in choices] for _ in range(units)]
    for i, code in enumerate(leaves):
        data[code] = [row[i] or None for row in draws]
    return pd.DataFrame(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--set", default=SAMPLE_SET)
    args = parser.parse_args()

    criteria = parindex.load(args.set)
    frame = make_frame(args.set, args.units)
    print(
        f"parindex {parindex.__version__}, pandas {pd.__version__}, Python "
        f"{sys.version.split()[0]}: {args.units} units × {len(criteria.leaf_codes)} leaves "
        f"of {args.set}, {args.repeat} repetitions"
    )
    criteria.score(frame).summary()  # warm up: imports, allocator, caches

    rows = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        results = criteria.score(frame)
        scored = time.perf_counter()
        summary = results.summary()
        done = time.perf_counter()
        convert, read, score = results._inner.timings()

        t0 = time.perf_counter()
        for name in frame.columns:
            frame[name].tolist()
        t1 = time.perf_counter()
        columns = results._inner.summary(True)
        t2 = time.perf_counter()
        to_frame(columns, "pandas")
        t3 = time.perf_counter()
        assert len(summary) == args.units
        rows.append(
            {
                "python total": done - start,
                "  score()": scored - start,
                "  summary()": done - scored,
                "rust batch (read + score)": read + score,
                "  read cells into batch": read,
                "  score batch": score,
                "cells Python → Rust (after tolist)": convert,
                "summary columns Rust → Python": t2 - t1,
                "pandas (tolist + DataFrame)": (t1 - t0) + (t3 - t2),
            }
        )

    width = max(len(k) for k in rows[0])
    print(f"{'median of ' + str(args.repeat):>{width}}    ms   (min ms)")
    medians = {}
    for key in rows[0]:
        values = [r[key] for r in rows]
        medians[key] = statistics.median(values)
        print(f"{key:>{width}}  {medians[key] * 1e3:7.1f}  ({min(values) * 1e3:6.1f})")
    rust = medians["rust batch (read + score)"]
    total = medians["python total"]
    print(
        f"\npython total / rust batch = {total / rust:.2f}× (target ≤ 2×): "
        f"{'within' if total <= 2 * rust else 'OVER'} the target"
    )


if __name__ == "__main__":
    main()
