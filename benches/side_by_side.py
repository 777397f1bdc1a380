"""The engine and the alternatives, measured side by side in one run, with the ratios.

    .venv/bin/python benches/side_by_side.py [units] [--repeat K] [--criterion]

Every measurement is taken ``--repeat`` times, in turns (one of each, then again), so that the
machine's load falls on all of them alike; the best of each is reported. The units are those of
benches/make_units.py against binh-thuan-police/division-procedures/2024 (92 leaves). Before
timing, the pandas scorer is checked to give every unit the engine's index, rank and band.

What is compared, at three depths:

- **scoring** (inputs already read, to index, rank and band): the engine's ``Plan::score`` as
  the Python package times it inside ``score(path)``, and, with ``--criterion``, as the
  criterion benchmark measures it (``cargo bench -p parindex-core --bench score``); the pandas
  scorer on numbers it has already read; plain Python with ``decimal.Decimal``
  (benches/baseline_score.py, already-interpreted inputs of its own generator);
- **reading** (CSV text to inputs): the engine's reading inside ``score(path)``; pandas
  ``read_csv`` plus turning each cell into a number;
- **end to end** (CSV file in, summary CSV out): ``parindex score … -o results.csv`` as a user
  runs it (the release build, a process per run); pandas reading, scoring and ``to_csv``.
  ``-o results.json`` is timed too.

Timings are never asserted in tests; the figures go in benches/README.md.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

import baseline_pandas
import baseline_score
import parindex

HERE = Path(__file__).resolve().parent
CLI = HERE.parent / "target/release/parindex"
SET_ID = baseline_pandas.SET_ID


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def run_cli(*args: str) -> float:
    """The wall time of one command-line run, checked to succeed."""
    start = time.perf_counter()
    subprocess.run([str(CLI), *args], check=True, capture_output=True)
    return time.perf_counter() - start


def criterion_figures() -> dict[str, float]:
    """The criterion benchmark's middle estimates, in seconds, by benchmark name."""
    output = subprocess.run(
        ["cargo", "bench", "-p", "parindex-core", "--bench", "score", "--",
         "--warm-up-time", "1", "--measurement-time", "4"],
        cwd=HERE.parent, check=True, capture_output=True, text=True,
    ).stdout
    units = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    figures, name = {}, None
    for line in output.splitlines():
        if line.startswith(("score/", "read/")):
            name = line.strip()
        match = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
        if match and name:
            figures[name] = float(match[1]) * units[match[2]]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("units", nargs="?", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--criterion", action="store_true",
                        help="also run the criterion benchmark of the core (a few minutes)")
    args = parser.parse_args()

    plan = baseline_pandas.Plan(baseline_pandas.SET_FILE)
    criteria = parindex.load(SET_ID)
    data, nodes = baseline_score.load()
    leaves = [n for n in nodes if "rule" in n]
    decimal_units = baseline_score.synthetic_units(leaves, args.units)
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, float("inf")), seconds)

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / f"units-{args.units}.csv"
        with open(csv_path, "wb") as out:
            command = [sys.executable, str(baseline_pandas.MAKE_UNITS), str(args.units)]
            subprocess.run(command, stdout=out, check=True)
        units = baseline_pandas.read_units(csv_path)
        engine = criteria.score(str(csv_path)).summary(backend="pandas", exact=False)
        if baseline_pandas.check(plan.score(units), engine, plan.decimals):
            sys.exit(1)
        have_cli = CLI.is_file()
        for _ in range(args.repeat):
            seconds, units = timed(lambda: baseline_pandas.read_units(csv_path))
            keep("pandas read_csv", seconds)
            seconds, measured = timed(lambda: plan.measure(units))
            keep("pandas cells to numbers", seconds)
            seconds, ours = timed(lambda: plan.score_measured(measured))
            keep("pandas scoring", seconds)
            seconds, _ = timed(lambda: ours.to_csv(Path(tmp) / "pandas.csv", index=False))
            keep("pandas to_csv", seconds)
            seconds, _ = timed(lambda: baseline_score.score(nodes, leaves, decimal_units))
            keep("python decimal scoring", seconds)
            seconds, results = timed(lambda: criteria.score(str(csv_path)))
            _, read, score = results._inner.timings()
            keep("engine score(path)", seconds)
            keep("engine reading", read)
            keep("engine scoring", score)
            if have_cli:
                keep("cli csv out", run_cli("score", SET_ID, str(csv_path), "-o",
                                            str(Path(tmp) / "engine.csv")))
                keep("cli json out", run_cli("score", SET_ID, str(csv_path), "-o",
                                             str(Path(tmp) / "engine.json")))
    figures = criterion_figures() if args.criterion else {}

    pandas_read = best["pandas read_csv"] + best["pandas cells to numbers"]
    pandas_end = pandas_read + best["pandas scoring"] + best["pandas to_csv"]
    rows = [
        ("scoring", "engine Plan::score, inside score(path), all cores", best["engine scoring"]),
        *[(
            "scoring", f"engine Plan::score, criterion: {name.split('/', 1)[1]}", seconds,
        ) for name, seconds in figures.items() if name.startswith("score/")],
        ("scoring", "pandas, from numbers already read", best["pandas scoring"]),
        ("scoring", "plain Python decimal.Decimal", best["python decimal scoring"]),
        ("reading", "engine, CSV text to the batch", best["engine reading"]),
        ("reading", "pandas read_csv + cells to numbers", pandas_read),
        ("end to end", "engine `parindex score … -o results.csv`", best.get("cli csv out", np.nan)),
        ("end to end", "engine `parindex score … -o results.json`", best.get("cli json out", np.nan)),
        ("end to end", "engine score(path) from Python", best["engine score(path)"]),
        ("end to end", "pandas read, score, to_csv", pandas_end),
    ]
    print(
        f"\n{args.units} units × {len(plan.leaves)} leaves of {SET_ID}; pandas {pd.__version__}, "
        f"numpy {np.__version__}, parindex {parindex.__version__}; best of {args.repeat}, in turns"
    )
    width = max(len(name) for _, name, _ in rows)
    for depth, name, seconds in rows:
        print(f"{depth:<11} {name:<{width}}  {seconds * 1e3:9.1f} ms")
    ratios = [
        ("scoring: pandas ÷ engine", best["pandas scoring"] / best["engine scoring"]),
        ("scoring: plain decimal ÷ engine", best["python decimal scoring"] / best["engine scoring"]),
        ("reading: pandas ÷ engine", pandas_read / best["engine reading"]),
        ("end to end: pandas ÷ command line (CSV out)", pandas_end / best.get("cli csv out", np.nan)),
        ("end to end: pandas ÷ engine from Python", pandas_end / best["engine score(path)"]),
    ]
    print("\nratios (above 1: the engine is faster)")
    width = max(len(name) for name, _ in ratios)
    for name, ratio in ratios:
        print(f"  {name:<{width}}  {ratio:6.2f}×")


if __name__ == "__main__":
    main()
