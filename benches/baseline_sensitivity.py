"""Plain-numpy baseline for the rank-uncertainty benchmark.

What an analyst would otherwise write with numpy: the Monte Carlo of benches/sensitivity.rs
(crate parindex-analysis), with the same synthetic units, the same set
(binh-thuan-police/division-procedures/2024, 92 leaves), the same sources of uncertainty and the
same summaries.

- The units are those of benches/synthetic.rs, drawn by the same generator (LCG, seed 2024, one
  draw per leaf per unit in leaf order); survey shares are typed as respondent counts (`31/47`).
- The point result is scored exactly with benches/baseline_score.py (decimal.Decimal), then
  rounded, ranked and banded as the set's policy says.
- Each replication redraws every survey share k/n typed with n != 100 as k' ~ Binomial(n, k/n)
  and maps k'/n through the leaf's tiers, and moves every self-assessed leaf with ordered
  outcomes one outcome down or up, each with probability 0.05; vectorised over units × leaves.
- Summaries per unit: the 5%, 50% and 95% quantiles of the reported index and of the rank, the
  probability of each band and of a rank of at most 10, and the convergence check (the share of
  units whose 5% or 95% rank moves by more than one place from half the replications to all).

The random streams are not Rust's; the work is the same. The timed part is the replications and
the summaries; building the deltas a replication applies (which the Rust benchmark times as part
of its replication model) is reported apart as "setup".

    .venv/bin/python benches/baseline_sensitivity.py [units] [replications]    # 5000 1000
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import baseline_score  # noqa: E402  (the sibling file, found through the path above)

SEED = 2024
APPRAISAL = 0.1  # probability that an appraised leaf moves one outcome: half down, half up
TOP = 10  # the k of "the probability of a rank of at most k"
QUANTILES = (0.05, 0.5, 0.95)

Bound = tuple[float, bool] | None  # (value, inclusive), or no bound on that side
Tier = tuple[Bound, Bound, float]  # (lower, upper, points)


def synthetic_units(leaves: list[dict], count: int) -> list[list]:
    """The units of benches/synthetic.rs, as the values baseline_score.leaf_points reads.

    Only the survey shares differ from baseline_score.synthetic_units: synthetic.rs types them
    as respondent counts (20 to 59 respondents), so that they can be redrawn.
    """
    rng = baseline_score.Lcg(2024)
    units = []
    for _ in range(count):
        values: list = []
        for node in leaves:
            r = rng.next()
            rule = node["rule"]
            kind = rule["kind"]
            if kind == "yes-no":
                values.append(r % 5 != 0)  # "không" when r % 5 == 0, else "có"
            elif kind == "levels":
                values.append(r % len(rule["level"]))  # the position of the level's key
            elif kind == "timeliness":
                values.append(r % 3)  # đúng hạn, trễ hạn, không
            elif kind == "tiers" and rule.get("measure") == "count":
                values.append((Decimal(r % 6), Decimal(1)))
            elif kind == "survey" and rule.get("mode") == "share":
                n = 20 + r % 40
                values.append((Decimal(n - (r >> 8) % (n // 2 + 1)), Decimal(n)))
            else:
                den = 10 + r % 40
                values.append((Decimal(den - (r >> 8) % (den // 2 + 1)), Decimal(den)))
        units.append(values)
    return units


def outcome_points(rule: dict) -> list[Decimal] | None:
    """The distinct points of a rule's ordered outcomes, ascending; None when the rule has no
    short list of outcomes, or only one (as parindex-analysis decides what appraisal moves)."""
    kind = rule["kind"]
    if kind == "yes-no":
        points = [rule["yes"], rule.get("no", Decimal(0))]
    elif kind == "levels":
        points = [level["points"] for level in rule["level"]]
    elif kind == "timeliness" and "per_day_late" not in rule:
        points = [rule["on_time"], rule["late"], rule.get("missing", Decimal(0))]
    elif kind == "tiers":
        points = [tier["points"] for tier in rule["tier"]]
    else:
        return None
    points = sorted(set(points))
    return points if len(points) > 1 else None


@dataclass
class Bands:
    """The [[band]] table: names and conditions in the set's order, and for a vectorised lookup
    the lower edges ascending with the band that each interval between them belongs to."""

    names: list[str]
    conditions: list
    edges: np.ndarray
    of_interval: np.ndarray


def band_table(data: dict) -> Bands:
    """Reads the bands. They must tile the line, each closed below where the one under it is
    open above (x >= 90, 80 <= x < 90, ...): what searchsorted(side="right") assumes."""
    names = [band["name"] for band in data["band"]]
    conds = [baseline_score.parse_condition(band["when"]) for band in data["band"]]
    by_low = sorted(range(len(conds)), key=lambda i: conds[i][0][0] if conds[i][0] else -1e300)
    assert conds[by_low[0]][0] is None and conds[by_low[-1]][1] is None, "bands leave a gap"
    for below, above in zip(by_low, by_low[1:]):
        lo, hi = conds[above][0], conds[below][1]
        assert lo and lo[1] and hi and hi[0] == lo[0] and not hi[1], "bands leave a gap"
    edges = np.array([float(conds[i][0][0]) for i in by_low[1:]])
    return Bands(names, conds, edges, np.array(by_low, dtype=np.int8))


def reported_index(total: np.ndarray, maximum: float, scale: float, decimals: int) -> np.ndarray:
    """The index as the set reports it: the total clipped to [0, max], rounded half away from
    zero, the product cleaned of binary noise first (so that 88.145 rounds as the decimal)."""
    factor = 10.0**decimals
    exact = np.clip(total, 0.0, maximum) / maximum * scale
    return np.floor(np.round(exact * factor, 6) + 0.5) / factor


def competition_ranks(reported: np.ndarray, id_order: np.ndarray) -> np.ndarray:
    """Competition ranks on the reported index, highest first, ties listed by unit id."""
    order = np.lexsort((id_order, -reported))
    keys = -reported[order]
    ranks = np.empty(reported.shape, dtype=np.int32)
    # A unit's rank is 1 + the position of the first unit with its index.
    ranks[order] = np.searchsorted(keys, keys, side="left") + 1
    return ranks


@dataclass
class PointResult:
    """The exact point result, with the leaves' points as floats for the replications."""

    points: np.ndarray  # [unit, leaf]
    totals: np.ndarray  # [unit]
    maximum: float
    index: list[Decimal]
    rank: list[int]
    band: list[str]


def point_result(data: dict, nodes: list[dict], leaves: list[dict], units: list[list],
                 bands: Bands) -> PointResult:
    """Scores every unit exactly, then rounds, ranks and bands as the set's policy says."""
    rows = baseline_score.score(nodes, leaves, units)  # sorted by rank: put back in input order
    rows.sort(key=lambda row: row[0])
    policy = data["policy"]
    scale = Decimal(str(policy["scale"]))
    quantum = Decimal(1).scaleb(-policy["decimals"])
    maximum = sum((n["max"] for n in nodes if "." not in n["code"]), Decimal(0))
    # baseline_score quantizes half to even; this set rounds half away from zero.
    index = [(row[1] * scale / maximum).quantize(quantum, ROUND_HALF_UP) for row in rows]
    order = sorted(range(len(rows)), key=lambda u: (-index[u], rows[u][0]))
    rank = [0] * len(rows)
    for position, u in enumerate(order):
        tied = position > 0 and index[u] == index[order[position - 1]]
        rank[u] = rank[order[position - 1]] if tied else position + 1
    band = [
        next(n for n, c in zip(bands.names, bands.conditions)
             if baseline_score.contains(c, x, Decimal(100)))
        for x in index
    ]
    points = np.array([[float(row[3][leaf["code"]]) for leaf in leaves] for row in rows])
    totals = np.array([float(row[1]) for row in rows])
    return PointResult(points, totals, float(maximum), index, rank, band)


@dataclass
class Surveys:
    """The survey leaves' values: counts satisfied and respondents [unit, survey leaf], which
    are redrawn, and each leaf's tiers."""

    satisfied: np.ndarray
    respondents: np.ndarray
    redrawn: np.ndarray  # bool: False for a share typed as a percent (n == 100)
    base_points: np.ndarray
    tiers: list[list[Tier]]


def survey_model(leaves: list[dict], units: list[list], point: PointResult) -> Surveys:
    columns = [j for j, leaf in enumerate(leaves)
               if leaf["rule"]["kind"] == "survey" and leaf["rule"].get("mode") == "share"]
    count = len(units)
    k = np.array([[int(u[j][0]) for j in columns] for u in units], dtype=np.int64)
    n = np.array([[int(u[j][1]) for j in columns] for u in units], dtype=np.int64)
    k, n = k.reshape(count, len(columns)), n.reshape(count, len(columns))
    tiers = []
    for j in columns:
        leaf_tiers = []
        for tier in leaves[j]["rule"]["tier"]:
            lo, hi = tier["cond"]
            leaf_tiers.append((
                None if lo is None else (float(lo[0]), lo[1]),
                None if hi is None else (float(hi[0]), hi[1]),
                float(tier["points"]),
            ))
        tiers.append(leaf_tiers)
    # A share typed as a percent says nothing about the respondents: it is held fixed.
    return Surveys(k, n, n != 100, point.points[:, columns], tiers)


def survey_points(satisfied: np.ndarray, respondents: np.ndarray, tiers: list[Tier]) -> np.ndarray:
    """Points of shares satisfied/respondents through one leaf's tiers, the first that holds
    winning (as np.select picks). Exact: 100·k against bound·n, integers in float64."""
    x, n = 100 * satisfied, respondents
    conditions = []
    for lo, hi, _ in tiers:
        holds = np.ones(x.shape, dtype=bool)
        if lo is not None:
            holds &= (x >= lo[0] * n) if lo[1] else (x > lo[0] * n)
        if hi is not None:
            holds &= (x <= hi[0] * n) if hi[1] else (x < hi[0] * n)
        conditions.append(holds)
    return np.select(conditions, [t[2] for t in tiers], default=np.nan)


def appraisal_deltas(leaves: list[dict], point: PointResult) -> tuple[np.ndarray, np.ndarray, int]:
    """Per unit and appraised leaf (self-assessed: no `source`; ordered outcomes), the change of
    points one outcome down and one up, 0 where there is none; and how many leaves."""
    appraised = {j: outcome_points(leaf["rule"]) for j, leaf in enumerate(leaves)
                 if "source" not in leaf}
    ordered = [(j, points) for j, points in appraised.items() if points is not None]
    count = point.points.shape[0]
    down = np.zeros((count, len(ordered)))
    up = np.zeros((count, len(ordered)))
    for c, (j, points) in enumerate(ordered):
        outcomes = np.array([float(p) for p in points])
        now = point.points[:, j]
        at = np.searchsorted(outcomes, now)  # every unit's points is one of the outcomes
        assert np.array_equal(outcomes[at], now)
        last = len(outcomes) - 1
        down[:, c] = np.where(at > 0, outcomes[np.maximum(at - 1, 0)] - now, 0.0)
        up[:, c] = np.where(at < last, outcomes[np.minimum(at + 1, last)] - now, 0.0)
    return down, up, len(ordered)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    replications = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    data, nodes = baseline_score.load()
    leaves = [n for n in nodes if "rule" in n]
    policy = data["policy"]
    scale, decimals = float(policy["scale"]), int(policy["decimals"])
    bands = band_table(data)

    start = time.perf_counter()
    units = synthetic_units(leaves, count)
    point = point_result(data, nodes, leaves, units, bands)
    ids = [f"U{u:05}" for u in range(count)]
    id_order = np.argsort(np.argsort(ids, kind="stable"))  # each unit's position by id
    prepared = time.perf_counter() - start

    # Setup, the counterpart of the Rust replication model: what a replication may change.
    start = time.perf_counter()
    # Every row applies and nothing rescales, so every leaf's weight in the total is 1: a
    # leaf's change of points is the total's. A set that rescales would need weights here.
    assert policy["not_applicable"] == "reduce-maximum"
    assert np.abs(point.points.sum(axis=1) - point.totals).max() < 1e-9
    surveys = survey_model(leaves, units, point)
    n_draw = surveys.respondents[surveys.redrawn]
    p_draw = surveys.satisfied[surveys.redrawn] / n_draw
    down, up, appraised = appraisal_deltas(leaves, point)
    # With nothing moved, the float path gives the exact point result.
    unmoved = reported_index(point.totals, point.maximum, scale, decimals)
    assert np.array_equal(unmoved, np.array([float(x) for x in point.index]))
    assert np.array_equal(competition_ranks(unmoved, id_order), np.array(point.rank))
    setup = time.perf_counter() - start

    # The Monte Carlo: the replications, then the summaries.
    start = time.perf_counter()
    rng = np.random.default_rng(SEED)
    index_runs = np.empty((replications, count))
    rank_runs = np.empty((replications, count), dtype=np.int32)
    band_runs = np.empty((replications, count), dtype=np.int8)
    for r in range(replications):
        # Survey sampling: redraw the counts satisfied and score the shares again.
        k = surveys.satisfied.copy()
        k[surveys.redrawn] = rng.binomial(n_draw, p_draw)
        redrawn_points = np.column_stack([
            survey_points(k[:, c], surveys.respondents[:, c], tiers)
            for c, tiers in enumerate(surveys.tiers)
        ])
        change = (redrawn_points - surveys.base_points).sum(axis=1)
        # Appraisal: one uniform per appraised leaf value; below p/2 down, below p up.
        u = rng.random(down.shape)
        change += np.where(u < APPRAISAL / 2, down, np.where(u < APPRAISAL, up, 0.0)).sum(axis=1)
        reported = reported_index(point.totals + change, point.maximum, scale, decimals)
        index_runs[r] = reported
        rank_runs[r] = competition_ranks(reported, id_order)
        band_runs[r] = bands.of_interval[np.searchsorted(bands.edges, reported, side="right")]

    index_q = np.quantile(index_runs, QUANTILES, axis=0, method="linear")
    rank_q = np.quantile(rank_runs, QUANTILES, axis=0, method="linear")
    band_probability = np.stack([(band_runs == b).mean(axis=0) for b in range(len(bands.names))])
    top_probability = (rank_runs <= TOP).mean(axis=0)
    half_q = np.quantile(rank_runs[: replications // 2], (0.05, 0.95), axis=0, method="linear")
    shift = (np.abs(half_q - rank_q[[0, 2]]) > 1.0).any(axis=0).mean()
    elapsed = time.perf_counter() - start

    assert not np.isnan(index_runs).any(), "a survey share matched no tier"
    redrawn = int(surveys.redrawn.sum())
    rank_width = rank_q[2] - rank_q[0]
    best = point.rank.index(1)
    print(f"plain numpy {np.__version__}: {replications} replications × {count} units "
          f"× {len(leaves)} leaves")
    print(f"survey values redrawn: {redrawn}, held: {surveys.redrawn.size - redrawn}")
    print(f"appraisable leaf values: {down.size} ({appraised} leaves); "
          f"perturbable in all (appraisable + redrawn): {down.size + redrawn}")
    print(f"units and point scoring: {prepared:.2f} s (not timed); setup: {setup:.2f} s")
    print(f"Monte Carlo (replications + summaries): {elapsed:.2f} s, "
          f"{elapsed / replications * 1000:.2f} ms per replication")
    print(f"5–95% rank interval width: median {np.median(rank_width):.1f}, "
          f"mean {rank_width.mean():.1f}, max {rank_width.max():.1f}")
    print(f"5–95% index interval width: median {np.median(index_q[2] - index_q[0]):.2f}")
    print(f"point rank 1 ({ids[best]}, index {point.index[best]}, band {point.band[best]}): "
          f"rank 5% / 50% / 95% {rank_q[0, best]:g} / {rank_q[1, best]:g} / {rank_q[2, best]:g}, "
          f"P(top {TOP}) {top_probability[best]:.3f}")
    print("point bands: " + ", ".join(f"{b} {point.band.count(b)}" for b in bands.names))
    print("band probabilities, mean over units: " + ", ".join(
        f"{b} {p:.4f}" for b, p in zip(bands.names, band_probability.mean(axis=1))))
    print(f"units with P(top {TOP}) > 0: {int((top_probability > 0).sum())}; "
          f"convergence, rank-interval shift: {shift:.3f}")


if __name__ == "__main__":
    main()
