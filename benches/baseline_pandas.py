"""Vectorised pandas baseline for the scoring benchmark.

What an analyst would write with pandas and numpy instead of parindex: read the units' CSV with
``pandas.read_csv``, then score every unit at once in float64, one leaf (column) at a time and
never one unit at a time: each leaf's points from its rule, sums up the tree, the index, the
competition rank and the band. The set is binh-thuan-police/division-procedures/2024 (92
leaves); the units are those of benches/make_units.py, written to a temporary CSV, the same file
the engine then scores from its path.

Before timing, every unit's reported index, rank and band are checked against
``parindex.load(...).score(path).summary()``; any disagreement exits non-zero. Then, best of
``--repeat``: the pandas read, the pandas scoring, and the engine's ``score()`` from the path
(and, for a like-for-like scoring figure, from the frame pandas read), with the ratios.

    .venv/bin/python benches/baseline_pandas.py [units] [--repeat K]

Only what this set and make_units.py produce is handled (yes-no, levels, timeliness outcomes,
percent and count tiers, survey shares; ``N/A``/``KAD`` and empty cells; reduce-maximum, no
bonus or penalty blocks, no tie-breakers or groups); anything else is refused, never guessed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

import parindex

HERE = Path(__file__).resolve().parent
SET_ID = "binh-thuan-police/division-procedures/2024"
SET_FILE = HERE.parent / "criteria/2024/binh-thuan-police-division-procedures.toml"
MAKE_UNITS = HERE / "make_units.py"

CONDITION = re.compile(
    r"^\s*(?:(?P<lo>[\d.]+)\s*(?P<lop><=|<)\s*)?x\s*(?:(?P<op><=|>=|<|>|=)\s*(?P<hi>[\d.]+))?\s*$"
)

# Cell words, compared after strip + lower-case. make_units.py copies the sample batch, which is
# stored in NFC, so the text is not normalised again here.
NOT_APPLICABLE = ["n/a", "na", "kad", "không áp dụng", "not applicable"]
YES = ["có", "yes", "1", "true", "x", "đạt"]
NO = ["không", "no", "0", "false", "không đạt"]
ON_TIME = ["đúng hạn", "on time", "on-time"]
LATE = ["trễ hạn", "late", "chậm"]
NOT_DONE = ["không", "missing"]

# A percent cell: 87.5, 87.5% or a ratio 45/50. A count: a whole number.
PERCENT_CELL = r"\d+(?:\.\d+)?%?|\d+/\d+"
COUNT_CELL = r"\d+"

# Half-away-from-zero rounding in float64 needs a nudge: an exact half such as 85.125 may be
# held as 85.12499999999999. Every point value and maximum of the set has at most 3 decimals, so
# with points p/1000 and applicable maximum m/1000 (m ≤ 100,000) the index in hundredths is
# 10⁴·p/m: its fraction is exactly ½ or at least 1/(2m) ≥ 5·10⁻⁶ away from it, while the float
# error of summing 92 leaves is about 10⁻¹⁰. A nudge of 10⁻⁶ thus decides every case as exact
# arithmetic would.
HALF_NUDGE = 1e-6

Measure = Callable[[pd.Series], np.ndarray]
Points = Callable[[np.ndarray], np.ndarray]


class Scorer:
    """A leaf's rule in two steps, as the engine splits reading from scoring: ``measure`` turns
    cell text into numbers (a word's position in the rule's table, a percent, a count; NaN
    where refused), ``points`` turns those numbers into points (NaN where none applies)."""

    def __init__(self, measure: Measure, points: Points) -> None:
        self.measure = measure
        self.points = points


def condition_mask(text: str, x: np.ndarray) -> np.ndarray:
    """The units whose measure x satisfies a printed condition (``50 <= x < 100``, ``any``).

    NaN (an unreadable or empty cell) satisfies no condition, so it falls through every tier.
    """
    text = text.replace("≥", ">=").replace("≤", "<=")
    if text.strip() == "any":
        known: np.ndarray = ~np.isnan(x)
        return known
    m = CONDITION.match(text)
    if m is None:
        raise ValueError(f"condition not understood: {text!r}")
    mask: np.ndarray = np.ones(x.shape, dtype=bool)
    if m["lo"]:
        lo = float(m["lo"])
        mask = mask & ((x >= lo) if m["lop"] == "<=" else (x > lo))
    if m["op"]:
        v = float(m["hi"])
        compare = {"<=": x <= v, "<": x < v, ">=": x >= v, ">": x > v, "=": x == v}
        mask = mask & compare[m["op"]]
    return mask


def word_scorer(words: dict[str, float]) -> Scorer:
    """Points by looking each cell up in a word table (a hash lookup, vectorised by pandas):
    measured as the word's position in the table, scored by taking its points."""
    positions = {word: float(i) for i, word in enumerate(words)}
    table = np.array(list(words.values()) + [np.nan], dtype=np.float64)

    def measure(text: pd.Series) -> np.ndarray:
        return text.map(positions).to_numpy(dtype=np.float64, na_value=np.nan)

    def points(position: np.ndarray) -> np.ndarray:
        index = np.where(np.isnan(position), len(table) - 1, position).astype(np.int64)
        return table[index]

    return Scorer(measure, points)


def percent_measure(text: pd.Series) -> np.ndarray:
    """A percent in [0, 100] from ``87.5``, ``87.5%`` or ``45/50``; NaN where not one.

    A ratio becomes 100·a/b in float64. That is safe against the set's bounds (whole numbers):
    when 100·a/b is not a bound it is at least 1/b away from it, far beyond float rounding, and
    when it is one (7/10 against 70) 100·a and the quotient are exact.
    """
    ok = text.str.fullmatch(PERCENT_CELL).to_numpy(dtype=bool)
    ratio = text.str.contains("/", regex=False).to_numpy(dtype=bool)
    # Unreadable cells become "0" only so that the cast succeeds; they are masked below.
    number = text.str.replace(r"(?:%|/\d+)$", "", regex=True).where(ok, "0").astype("float64")
    below = text.str.replace(r"^[^/]*/?", "", regex=True).where(ok & ratio, "1").astype("float64")
    a, b = number.to_numpy(), below.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(ratio, 100.0 * a / b, a)
    bare = ok & ~ratio & ~text.str.endswith("%").to_numpy(dtype=bool)
    # As the engine: a bare number strictly between 0 and 1 is ambiguous (0.875: 87.5% or
    # 0.875%?), and a percent above 100 (11/10) is an input error; both are refused.
    refused = ~ok | (bare & (a > 0) & (a < 1)) | ~(x <= 100.0) | (ratio & (b == 0))
    return np.where(refused, np.nan, x)


def count_measure(text: pd.Series) -> np.ndarray:
    """A whole number ≥ 0; NaN where not one."""
    ok = text.str.fullmatch(COUNT_CELL)
    return text.where(ok, "nan").astype("float64").to_numpy()


def tier_scorer(rule: dict[str, Any]) -> Scorer:
    """Points of the first tier whose condition holds (``np.select`` keeps the first match,
    which is how the set writes overlapping printed edges such as 70–100% next to 50–70%)."""
    if rule.get("better", "higher") != "higher":
        raise NotImplementedError("better = 'lower' tiers")
    measure = count_measure if rule.get("measure") == "count" else percent_measure
    tiers = rule["tier"]

    def points(x: np.ndarray) -> np.ndarray:
        conditions = [condition_mask(t["when"], x) for t in tiers]
        return np.select(conditions, [float(t["points"]) for t in tiers], default=np.nan)

    return Scorer(measure, points)


def leaf_scorer(node: dict[str, Any]) -> Scorer:
    """The scorer of a leaf's rule: cell text in, points out (NaN where the cell is refused)."""
    rule = node["rule"]
    kind = rule["kind"]
    if kind == "yes-no":
        yes, no = float(rule.get("yes", node["max"])), float(rule.get("no", 0))
        words = {w: yes for w in YES} | {w: no for w in NO}
        for label, points in ((rule.get("yes_label"), yes), (rule.get("no_label"), no)):
            if label:
                words[label.strip().lower()] = points
        return word_scorer(words)
    if kind == "levels":
        words = {}
        for position, level in enumerate(rule["level"], start=1):
            points = float(level["points"])
            words[str(position)] = points
            words[level["key"].lower()] = points
            if "label" in level:
                words[level["label"].strip().lower()] = points
        return word_scorer(words)
    if kind == "timeliness":
        if "due" in rule or "per_day_late" in rule:
            raise NotImplementedError("timeliness with a due date")
        words = (
            {w: float(rule.get("missing", 0)) for w in NOT_DONE}
            | {w: float(rule["late"]) for w in LATE}
            | {w: float(rule["on_time"]) for w in ON_TIME}
        )
        return word_scorer(words)
    share = kind == "survey" and rule.get("mode") == "share" and "groups" not in rule
    if kind == "tiers" or share:
        return tier_scorer(rule)
    raise NotImplementedError(f"{node['code']}: rule kind {kind!r}")


class Measured:
    """Units read into numbers: the ids, and per leaf its numbers and its empty and
    not-applicable masks."""

    def __init__(
        self, units: np.ndarray, leaves: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    ) -> None:
        self.units = units
        self.leaves = leaves


class Plan:
    """The set read with tomllib, compiled into one vectorised scorer per leaf."""

    def __init__(self, path: Path) -> None:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        policy = data.get("policy", {})
        self.scale = float(policy.get("scale", 100))
        self.decimals = int(policy.get("decimals", 2))
        self.ties = policy.get("ties", "competition")
        self.missing = policy.get("missing", "zero-with-warning")
        # Fail loudly on anything this baseline does not implement rather than score it wrongly.
        unsupported = {
            "rounding": policy.get("rounding", "half-away-from-zero") != "half-away-from-zero",
            "not_applicable": policy.get("not_applicable", "reduce-maximum") != "reduce-maximum",
            "rank_on": policy.get("rank_on", "reported") != "reported",
            "tie_breakers": bool(policy.get("tie_breakers")),
            "group_by": "group_by" in policy,
            "evidence": policy.get("evidence", "optional") != "optional",
            "ties": self.ties not in ("competition", "dense"),
        }
        nodes = data["node"]
        unsupported["bonus/penalty blocks"] = any("kind" in n for n in nodes)
        unsupported["applies / not_applicable overrides"] = any(
            "applies" in n or "not_applicable" in n for n in nodes
        )
        if any(unsupported.values()):
            raise NotImplementedError(", ".join(k for k, v in unsupported.items() if v))

        self.leaves = [n for n in nodes if "rule" in n]
        self.leaf_max = {n["code"]: float(n["max"]) for n in self.leaves}
        self.scorers = {n["code"]: leaf_scorer(n) for n in self.leaves}
        self.children: dict[str | None, list[str]] = {}
        for node in nodes:
            parent = node["code"].rsplit(".", 1)[0] if "." in node["code"] else None
            self.children.setdefault(parent, []).append(node["code"])
        # Parents deepest first, so each one's children are summed before it is.
        self.bottom_up = sorted(
            (n["code"] for n in nodes if n["code"] in self.children), key=lambda c: -c.count(".")
        )
        self.bands = [(b["name"], b["when"]) for b in data["band"]]

    def score(self, units: pd.DataFrame) -> pd.DataFrame:
        """Index, rank and band of every unit, in input order (as the engine's summary)."""
        return self.score_measured(self.measure(units))

    def measure(self, units: pd.DataFrame) -> Measured:
        """Reading: every cell's text into numbers, leaf by leaf, with what is empty and what is
        not applicable. A cell the rule cannot read is an error, as in the engine."""
        leaves: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for code, scorer in self.scorers.items():
            text = units[code].str.strip().str.lower()
            empty = (text == "").to_numpy(dtype=bool)
            not_applicable = text.isin(NOT_APPLICABLE).to_numpy(dtype=bool)
            measured = scorer.measure(text)
            refused = np.isnan(measured) & ~empty & ~not_applicable
            if refused.any():
                row = int(np.flatnonzero(refused)[0])
                raise ValueError(f"{code}: cannot read {units[code].iloc[row]!r} (row {row + 2})")
            if self.missing == "error" and empty.any():
                row = int(np.flatnonzero(empty)[0])
                raise ValueError(f"{code}: a value is missing (row {row + 2})")
            leaves[code] = (measured, empty, not_applicable)
        return Measured(units["unit"].to_numpy(), leaves)

    def score_measured(self, measured: Measured) -> pd.DataFrame:
        """Scoring, from numbers already read: each leaf's points by its rule, sums up the tree,
        the index, the rank and the band; the work of the engine's ``Plan::score``."""
        count = len(measured.units)
        points: dict[str, np.ndarray] = {}
        maximum: dict[str, np.ndarray] = {}
        for code, scorer in self.scorers.items():
            values, empty, not_applicable = measured.leaves[code]
            raw = scorer.points(values)
            if (np.isnan(raw) & ~empty & ~not_applicable).any():
                raise ValueError(f"{code}: a value no tier holds")
            # zero-with-warning: an empty cell earns 0 and keeps its maximum; reduce-maximum: a
            # not-applicable leaf earns 0 and leaves the denominator.
            points[code] = np.where(empty | not_applicable, 0.0, raw)
            maximum[code] = np.where(not_applicable, 0.0, self.leaf_max[code])

        # Up the tree. Under reduce-maximum a parent's points and applicable maximum are the sums
        # over its children, so the tree only matters for sub-indices; it is summed anyway, as
        # the per-area figures an analyst reports come from here.
        for code in self.bottom_up:
            kids = self.children[code]
            points[code] = np.sum([points[c] for c in kids], axis=0)
            maximum[code] = np.sum([maximum[c] for c in kids], axis=0)
        areas = self.children[None]
        total = np.sum([points[a] for a in areas], axis=0)
        applicable = np.sum([maximum[a] for a in areas], axis=0)
        if not (applicable > 0).all():
            raise ValueError("a unit to which no leaf applies has no index")

        index = total * self.scale / applicable
        factor = 10.0**self.decimals
        # Reported index as a whole number of hundredths: exact for ranking and banding.
        reported = np.floor(index * factor + 0.5 + HALF_NUDGE).astype(np.int64)

        # Competition (1, 2, 2, 4) or dense (1, 2, 2, 3) ranks on the reported index. Tied units
        # share a rank; the engine lists them by unit id, which orders them but moves no rank.
        method: Literal["min", "dense"] = "min" if self.ties == "competition" else "dense"
        rank = pd.Series(-reported).rank(method=method).to_numpy(dtype=np.int64)

        # Bands, best first, over the reported index; np.select keeps the first band that holds.
        value = reported / factor
        conditions = [condition_mask(when, value) for _, when in self.bands]
        band = np.select(conditions, [name for name, _ in self.bands], default="")
        if (band == "").any():
            raise ValueError("the bands leave a gap")

        return pd.DataFrame(
            {
                "unit": measured.units,
                "total": total,
                "max": applicable,
                "index": value,
                "reported": reported,
                "rank": rank,
                "band": band,
            },
            index=pd.RangeIndex(count),
        )


def read_units(path: Path) -> pd.DataFrame:
    """The CSV as text cells. pandas' defaults would read ``N/A`` and ``NA`` as missing (NaN),
    but for the set they mean "not applicable", which scores differently: keep every cell as
    written, an empty one as ""."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)


def check(ours: pd.DataFrame, engine: pd.DataFrame, decimals: int) -> int:
    """Compares the reported index, rank and band unit by unit; returns the disagreements."""
    factor = 10**decimals
    theirs = np.rint(engine["index"].to_numpy(dtype=np.float64) * factor).astype(np.int64)
    same = (
        (ours["unit"].to_numpy() == engine["unit"].to_numpy())
        & (ours["reported"].to_numpy() == theirs)
        & (ours["rank"].to_numpy() == engine["rank"].to_numpy(dtype=np.int64))
        & (ours["band"].to_numpy() == engine["band"].to_numpy())
    )
    worst = np.abs(ours["total"].to_numpy() - engine["total"].to_numpy(dtype=np.float64)).max()
    print(
        f"agreement: {int(same.sum())} of {len(same)} units have the engine's index "
        f"({decimals} decimals), rank and band; largest |total − engine total| {worst:.1e}"
    )
    wrong = np.flatnonzero(~same)
    if len(wrong):
        side = pd.DataFrame(
            {
                "unit": ours["unit"].to_numpy()[wrong],
                "index": ours["index"].to_numpy()[wrong],
                "engine index": engine["index"].to_numpy()[wrong],
                "rank": ours["rank"].to_numpy()[wrong],
                "engine rank": engine["rank"].to_numpy()[wrong],
                "band": ours["band"].to_numpy()[wrong],
                "engine band": engine["band"].to_numpy()[wrong],
            }
        )
        print(side.head(10).to_string(index=False), file=sys.stderr)
    return len(wrong)


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """The shortest of ``repeat`` timed runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("units", nargs="?", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    plan = Plan(SET_FILE)
    criteria = parindex.load(SET_ID)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / f"units-{args.units}.csv"
        # The generator itself, run as the README runs it, so the file is byte for byte the one
        # the command line would score.
        with open(csv_path, "wb") as out:
            command = [sys.executable, str(MAKE_UNITS), str(args.units)]
            subprocess.run(command, stdout=out, check=True)

        # Check first, untimed: the same file through both.
        units = read_units(csv_path)
        ours = plan.score(units)
        engine = criteria.score(str(csv_path)).summary(backend="pandas", exact=False)
        if check(ours, engine, plan.decimals):
            sys.exit(1)

        # Best of --repeat; the runs above served as warm-up.
        read_s, units = best_of(args.repeat, lambda: read_units(csv_path))
        score_s, _ = best_of(args.repeat, lambda: plan.score(units))
        path_s, results = best_of(args.repeat, lambda: criteria.score(str(csv_path)))
        summary_s, _ = best_of(args.repeat, lambda: results.summary())
        frame_s, _ = best_of(args.repeat, lambda: criteria.score(units))

    pandas_total = read_s + score_s
    engine_total = path_s + summary_s
    print(
        f"\n{args.units} units × {len(plan.leaves)} leaves of {SET_ID}; pandas {pd.__version__}, "
        f"numpy {np.__version__}, parindex {parindex.__version__}; best of {args.repeat}"
    )
    rows = [
        ("pandas  read_csv", read_s),
        ("pandas  score: leaves, tree, index, rank, band", score_s),
        ("pandas  end to end (read + score)", pandas_total),
        ("engine  score(csv path): read and score in one call", path_s),
        ("engine  .summary() to a DataFrame", summary_s),
        ("engine  end to end (score(path) + summary())", engine_total),
        ("engine  score(DataFrame read above)", frame_s),
    ]
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds * 1e3:8.1f} ms")
    # The engine reads and scores a file in one call, so "scoring" is given two ways: from the
    # frame pandas read (both start from the same text cells) and from the path (which also reads).
    ratios = [
        ("scoring: engine score(DataFrame) ÷ pandas score", frame_s / score_s),
        ("scoring: engine score(path) ÷ pandas score", path_s / score_s),
        ("end to end: engine score(path) + summary() ÷ pandas read + score",
         engine_total / pandas_total),
    ]
    width = max(len(name) for name, _ in ratios)
    print("\nengine ÷ pandas (below 1: the engine is faster)")
    for name, ratio in ratios:
        print(f"  {name:<{width}}  {ratio:5.2f}")


if __name__ == "__main__":
    main()
