"""``Sensitivity``: how sure each rank is, from :meth:`parindex.Results.sensitivity`."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Literal, overload

from . import _parindex
from ._frames import Backend, Frame, as_dict

if TYPE_CHECKING:
    import pandas
    import polars

    from ._results import Results

__all__ = ["Sensitivity", "sensitivity"]


class Sensitivity:
    """The uncertainty of a run's ranks over many replications.

    Made by :meth:`parindex.Results.sensitivity` (or :func:`parindex.sensitivity`). Tables
    come in the frame library the results' tables do (``backend=`` chooses). Ranks are whole
    numbers, and only the sources asked for have columns. A ``Sensitivity`` can be pickled:
    it is computed again, to the same numbers, from its results and options.
    """

    __slots__ = ("_inner", "_options", "_results")

    def __init__(
        self,
        inner: _parindex.Sensitivity,
        results: Results,
        options: dict[str, Any] | None = None,
    ) -> None:
        self._inner = inner
        self._results = results
        self._options = dict(options or {})

    def __reduce__(self) -> tuple[object, ...]:
        return (_restore, (self._results, self._options))

    @property
    def info(self) -> dict[str, Any]:
        """What was run: ``replications``, ``runs``, ``seed``, ``top``, ``sources``, ``bands``,
        the survey values redrawn and held fixed, and the convergence check
        (``rank_interval_shift``, ``widest_index_interval``, ``converged``)."""
        return self._inner.info()

    @overload
    def intervals(self, *, backend: Literal["pandas"]) -> pandas.DataFrame: ...
    @overload
    def intervals(self, *, backend: Literal["polars"]) -> polars.DataFrame: ...
    @overload
    def intervals(self, *, backend: None = ...) -> Frame: ...
    def intervals(self, *, backend: Backend | None = None) -> Frame:
        """One row per unit: the point ``index``, ``rank`` and ``band``; the 5%, median and 95%
        of the index (``index_p5``…) and of the rank (``rank_p5``…) over the replications; the
        probability of the top k (``p_top_10``) and of each band (``p_band_A``…); and, with
        ``indices=True``, the first-order and total sensitivity of the unit's rank to each
        source (``s1_survey``, ``st_survey``…)."""
        return self._results._frame(self._inner.intervals(), backend)

    @overload
    def indices(self, *, backend: Literal["pandas"]) -> pandas.DataFrame: ...
    @overload
    def indices(self, *, backend: Literal["polars"]) -> polars.DataFrame: ...
    @overload
    def indices(self, *, backend: None = ...) -> Frame: ...
    def indices(self, *, backend: Backend | None = None) -> Frame:
        """One row per source of uncertainty: its first-order and total variance-based
        indices of the ranks over all units, with 95% bootstrap intervals. Empty unless the
        analysis ran with ``indices=True``."""
        return self._results._frame(self._inner.indices(), backend)

    def plot(self, *, top: int | None = None, ax: Any = None) -> Any:
        """The rank-interval chart: each ranked unit, best at the top, with its 5–95% rank
        interval (a bar), median (a tick) and published rank (a dot). ``top`` keeps only the
        first units. Returns the matplotlib ``Axes``."""
        from .plot import rank_intervals

        return rank_intervals(self, top=top, ax=ax)

    def __repr__(self) -> str:
        info = self.info
        return (
            f"<Sensitivity: {len(self._results)} units, {info['replications']} replications, "
            f"sources {', '.join(info['sources']) or 'none'}>"
        )

    def _repr_html_(self, limit: int = 30) -> str:
        info = self.info
        columns = as_dict(self._inner.intervals())
        order = sorted(
            range(len(columns["unit"])),
            key=lambda i: (columns["rank"][i] is None, columns["rank"][i] or 0, columns["unit"][i]),
        )[:limit]
        top = f"p_top_{info['top']}"

        def number(x: Any, places: int = 2) -> str:
            return "" if x is None or x != x else f"{x:.{places}f}"

        rows = "".join(
            f"<tr><td>{columns['rank'][i] or '–'}</td><td style='text-align:left'>{html.escape(columns['unit'][i])}</td>"
            f"<td>{number(columns['index'][i])}</td>"
            f"<td>{number(columns['index_p5'][i])}–{number(columns['index_p95'][i])}</td>"
            f"<td>{number(columns['rank_p5'][i], 0)}–{number(columns['rank_p95'][i], 0)}</td>"
            f"<td>{number(100 * columns[top][i], 0)}%</td></tr>"
            for i in order
        )
        return (
            f"<div><b>Rank uncertainty</b>: {info['replications']} replications, sources "
            f"{html.escape(', '.join(info['sources']) or 'none')}, seed {info['seed']}"
            f"{'' if info['converged'] else ' (not converged: more replications advised)'}"
            "<table><thead><tr><th>rank</th><th>unit</th><th>index</th><th>index 5–95%</th>"
            f"<th>rank 5–95%</th><th>top {info['top']}</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )


def _restore(results: Results, options: dict[str, Any]) -> Sensitivity:
    return results.sensitivity(**options)


def sensitivity(results: Results, **options: Any) -> Sensitivity:
    """The same as ``results.sensitivity(**options)``: see :meth:`parindex.Results.sensitivity`."""
    from ._results import Results

    if not isinstance(results, Results):
        raise TypeError(f"sensitivity() takes parindex.Results, not a {type(results).__name__}")
    return results.sensitivity(**options)
