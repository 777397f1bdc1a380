"""Plotting helpers for results, with matplotlib imported only when a plot is drawn.

>>> import parindex
>>> s = parindex.load("binh-thuan-police/commune/2024")
>>> results = s.score(parindex.sample("binh-thuan-police/commune/2024"))
>>> ax = parindex.plot.ranking(results, top=10)          # doctest: +SKIP
>>> ax = parindex.plot.profile(results, "CAP-PHU-THUY")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import NotFoundError
from ._frames import as_dict, require

if TYPE_CHECKING:
    from ._results import Results
    from ._sensitivity import Sensitivity

__all__ = ["profile", "ranking", "rank_intervals"]


def _check_results(results: object) -> None:
    from ._results import Results

    if not isinstance(results, Results):
        raise TypeError(f"plots take parindex.Results, not a {type(results).__name__}")


def _axes(ax: Any, size: tuple[float, float]) -> Any:
    if ax is not None:
        if not isinstance(ax, require("matplotlib.axes").Axes):
            raise TypeError(f"ax must be a matplotlib Axes, not a {type(ax).__name__}")
        return ax
    plt = require("matplotlib.pyplot")
    _, ax = plt.subplots(figsize=size)
    return ax


def ranking(results: Results, *, top: int | None = None, ax: Any = None) -> Any:
    """A horizontal bar chart of the index of every ranked unit, best at the top, coloured
    by band. ``top`` keeps only the first units. Returns the matplotlib ``Axes``."""
    _check_results(results)
    summary = as_dict(results._inner.summary(False))
    order = sorted(
        (i for i, rank in enumerate(summary["rank"]) if rank is not None),
        key=lambda i: (summary["rank"][i], i),
    )
    if top is not None:
        order = order[:top]
    units = [summary["unit"][i] for i in order]
    index = [summary["index"][i] or 0.0 for i in order]
    bands = [summary["band"][i] or "" for i in order]
    ax = _axes(ax, (7.0, 0.8 + 0.28 * len(units)))
    names = sorted(set(bands))
    palette = require("matplotlib").colormaps["tab10"]
    colours = {band: palette(n % 10) for n, band in enumerate(names)}
    ax.barh(range(len(units)), index, color=[colours[b] for b in bands])
    ax.set_yticks(range(len(units)), units)
    ax.invert_yaxis()
    ax.set_xlim(0, float(results.set.scale))
    ax.set_xlabel("index")
    ax.set_title(f"{results.set.id}: ranking")
    for band in names:
        if band:
            ax.bar(0, 0, color=colours[band], label=band)
    if any(names):
        ax.legend(title="band", loc="lower right")
    return ax


def profile(results: Results, unit: str, *, ax: Any = None) -> Any:
    """A unit's sub-index per area (points ÷ applicable maximum × scale) as bars, with the
    mean over all units as markers. Returns the matplotlib ``Axes``."""
    _check_results(results)
    if not isinstance(unit, str):
        raise TypeError(f"unit must be a unit id (str), not a {type(unit).__name__}")
    if unit not in results.units:
        raise NotFoundError(f"no unit {unit!r} in these results")
    areas = as_dict(results._inner.areas(False))
    codes = results.set.area_codes
    mine: dict[str, float] = {}
    totals: dict[str, list[float]] = {code: [] for code in codes}
    for who, code, index in zip(areas["unit"], areas["code"], areas["index"]):
        if index is None:
            continue
        totals[code].append(index)
        if who == unit:
            mine[code] = index
    means = [sum(v) / len(v) if v else 0.0 for v in (totals[c] for c in codes)]
    ax = _axes(ax, (max(5.0, 0.7 * len(codes) + 2), 4.0))
    positions = range(len(codes))
    ax.bar(positions, [mine.get(c, 0.0) for c in codes], label=unit)
    ax.plot(positions, means, "o", color="black", label="mean of all units")
    ax.set_xticks(positions, codes)
    ax.set_ylim(0, float(results.set.scale))
    ax.set_xlabel("area")
    ax.set_ylabel("sub-index")
    ax.set_title(f"{unit}: profile across areas")
    ax.legend(loc="lower right")
    return ax


def rank_intervals(analysis: Sensitivity, *, top: int | None = None, ax: Any = None) -> Any:
    """Each ranked unit, best at the top, with its 5–95% rank interval over the replications
    (a bar), its median rank (a tick) and its published rank (a dot). ``top`` keeps only the
    first units. Returns the matplotlib ``Axes``."""
    columns = as_dict(analysis._inner.intervals())
    order = sorted(
        (i for i, rank in enumerate(columns["rank"]) if rank is not None and columns["rank_p5"][i] is not None),
        key=lambda i: (columns["rank"][i], columns["unit"][i]),
    )
    if top is not None:
        order = order[:top]
    units = [columns["unit"][i] for i in order]
    ax = _axes(ax, (7.0, 0.8 + 0.28 * len(units)))
    rows = range(len(units))
    low = [columns["rank_p5"][i] for i in order]
    high = [columns["rank_p95"][i] for i in order]
    ax.hlines(rows, low, high, linewidth=5, color="tab:blue", alpha=0.5, label="5–95% of replications")
    ax.plot([columns["rank_median"][i] for i in order], rows, "|", color="black", markersize=10, label="median")
    ax.plot([columns["rank"][i] for i in order], rows, "o", color="black", markersize=3, label="published rank")
    ax.set_yticks(rows, units)
    ax.invert_yaxis()
    ax.set_xlabel("rank")
    info = analysis.info
    ax.set_title(f"rank uncertainty: {info['replications']} replications ({', '.join(info['sources']) or 'no source'})")
    ax.legend(loc="lower right")
    return ax
