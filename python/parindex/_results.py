"""``Results``: per unit its totals, index, rank, band, per-node detail and explanation."""

from __future__ import annotations

import html
import os
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from . import _parindex
from ._frames import Backend, as_dict, check_backend, to_frame

if TYPE_CHECKING:
    from ._sensitivity import Sensitivity
    from ._set import CriteriaSet

__all__ = ["Results", "ScoreWarning"]

Table = Literal["summary", "areas", "detail", "stages"]


class ScoreWarning(NamedTuple):
    """A warning met while scoring: a missing input, scored 0."""

    unit: str
    code: str
    message: str


class Results:
    """The results of scoring a batch of units with a :class:`parindex.CriteriaSet`.

    Every table comes as a pandas DataFrame by default; pass ``backend="polars"`` for a
    polars one (or call :meth:`to_polars`). Points and indices are exact
    :class:`decimal.Decimal` (an ``object`` column in pandas, ``Decimal`` in polars); pass
    ``exact=False`` for floats, for plotting.
    """

    __slots__ = ("_inner", "_set")

    def __init__(self, inner: _parindex.Results, criteria: CriteriaSet) -> None:
        if not isinstance(inner, _parindex.Results):
            raise TypeError("Results come from CriteriaSet.score()")
        self._inner = inner
        self._set = criteria

    @property
    def set(self) -> CriteriaSet:
        """The criteria set that was scored."""
        return self._set

    @property
    def units(self) -> list[str]:
        """The unit ids, in input order."""
        return self._inner.units

    @property
    def names(self) -> dict[str, str]:
        """Units' names, by id, from the input's ``name`` column."""
        return self._inner.names

    @property
    def provenance(self) -> dict[str, Any]:
        """The set's id, content hash, year and level, and the engine's version."""
        return self._inner.provenance

    @property
    def warnings(self) -> list[ScoreWarning]:
        """Warnings met while scoring: missing inputs, scored 0 under the set's policy."""
        return [ScoreWarning(*w) for w in self._inner.warnings()]

    def __len__(self) -> int:
        return len(self._inner)

    # Tables ---------------------------------------------------------------------------------

    def summary(self, *, backend: Backend = "pandas", exact: bool = True) -> Any:
        """One row per unit, in input order: ``unit``, ``name``, ``group``, ``total``, ``max``,
        ``index`` (as reported, rounded as the set says), ``index_exact``, ``rank``, ``band``.
        """
        return to_frame(self._inner.summary(exact), check_backend(backend))

    def areas(self, *, backend: Backend = "pandas", exact: bool = True) -> Any:
        """One row per unit and area: ``points``, applicable ``max``, ``lost``, the exact
        sub-``index`` and ``status``."""
        return to_frame(self._inner.areas(exact), check_backend(backend))

    def by_reform_area(self, *, backend: Backend = "pandas", exact: bool = True) -> Any:
        """One row per unit and reform area of the PAR programme that the set's rows declare
        (``direction``, ``institutional``, ``procedures``, ``organisation``, ``civil-service``,
        ``public-finance``, ``modernisation``, ``impact``): the ``area``, its Vietnamese
        ``name`` and ``name_en``, the ``points`` of its rows, their applicable ``max``,
        ``lost``, the sub-``index`` as reported (rounded as the set says) and ``index_exact``.
        The index is empty where nothing in the area applies to the unit.

        Sets number their areas their own way; reform areas are the same in every set, so
        these frames of two sets or two years can be set side by side without a crosswalk.
        """
        return to_frame(self._inner.reform_areas(exact), check_backend(backend))

    def detail(self, *, backend: Backend = "pandas", exact: bool = True) -> Any:
        """One row per unit and node: ``points``, applicable ``max``, ``lost``, ``status``
        (scored, not-applicable, missing, no-evidence), the ``stage`` whose input was used and
        the ``value`` seen."""
        return to_frame(self._inner.detail(exact), check_backend(backend))

    def stages(self, *, backend: Backend = "pandas", exact: bool = True) -> Any:
        """One row per unit and node: the points at every stage (one column per stage, empty
        where the unit has no input at that stage) and the ``change`` from the first stage
        present to the last."""
        return to_frame(self._inner.stages(exact), check_backend(backend))

    def tasks(self, *, backend: Backend = "pandas") -> Any:
        """The reform-plan tasks behind every leaf measured from the plan: one row per unit,
        leaf and task, with the task's ``due`` day, the day ``done``, the ``outcome``
        (``on-time``, ``late``, ``not-done``), ``days_late`` and the ``product`` recorded.
        Empty when the run had no plan."""
        return to_frame(self._inner.tasks(), check_backend(backend))

    def surveys(self, *, backend: Backend = "pandas", exact: bool = True) -> Any:
        """The survey tallies behind every leaf measured from raw answers: one row per unit,
        leaf and respondent group, with ``respondents``, ``satisfied``, the ``share``
        satisfied and the option-``weighted`` score (percent, exact), and the 95% Wilson
        interval of the share as ``ci_low``, ``ci_high`` (fractions). Empty when the run had
        no survey answers."""
        return to_frame(self._inner.surveys(exact), check_backend(backend))

    def explain(self, unit: str, *, backend: Backend = "pandas", exact: bool = True) -> Any:
        """Where a unit won and lost its points: one row per node with the maximum, the
        applicable maximum, the points won and lost, the measurement ``seen`` and the
        ``reason`` (the branch of the rule that fired).

        With pandas, ``frame.attrs`` holds the unit's ``total``, ``max``, ``index``,
        ``rank`` and ``band``. Raises :class:`parindex.NotFoundError` (a :class:`KeyError`) for
        a unit not in the results.
        """
        backend = check_backend(backend)
        header, columns = self._inner.explain(unit, exact)
        frame = to_frame(columns, backend)
        if backend == "pandas":
            frame.attrs.update(header)
        return frame

    def explain_text(self, unit: str) -> str:
        """A unit's explanation as an indented tree: code, points of the applicable maximum,
        points lost, and why."""
        return self._inner.explain_text(unit)

    def to_pandas(self, table: Table = "summary", *, exact: bool = True) -> Any:
        """A table (``summary``, ``areas``, ``detail`` or ``stages``) as a pandas DataFrame."""
        return self._table(table)(backend="pandas", exact=exact)

    def to_polars(self, table: Table = "summary", *, exact: bool = True) -> Any:
        """A table (``summary``, ``areas``, ``detail`` or ``stages``) as a polars DataFrame."""
        return self._table(table)(backend="polars", exact=exact)

    def _table(self, table: str) -> Any:
        if not isinstance(table, str) or table not in ("summary", "areas", "detail", "stages"):
            raise ValueError(
                f"table must be 'summary', 'areas', 'detail' or 'stages', not {table!r}"
            )
        return getattr(self, table)

    # Files ----------------------------------------------------------------------------------

    def to_json(self, path: str | os.PathLike[str] | None = None, *, explain: bool = True) -> str:
        """The results as the versioned JSON document ``parindex-results/1`` the command line
        writes (decimals as strings); also written to ``path``, atomically, when given. With
        ``explain=False`` the nodes carry no ``seen`` and no ``reason``."""
        text = self._inner.to_json(explain)
        if path is not None:
            self._inner.write_json(_path(path), explain)
        return text

    def to_excel(self, path: str | os.PathLike[str]) -> None:
        """Writes the Excel workbook the command line writes (ranking, areas, detail),
        atomically: a failed write never leaves a half-written file."""
        self._inner.write_excel(_path(path))

    def to_html(
        self,
        path: str | os.PathLike[str],
        *,
        previous: Results | None = None,
        crosswalk: dict[str, str] | None = None,
    ) -> None:
        """Writes the self-contained HTML report the command line writes, atomically.
        ``previous`` (last year's :class:`Results`) adds the change since then; ``crosswalk``
        maps its area codes to this year's where the numbering changed."""
        if previous is not None and not isinstance(previous, Results):
            raise TypeError(f"previous must be Results, not a {type(previous).__name__}")
        if crosswalk is not None and not isinstance(crosswalk, dict):
            raise TypeError("crosswalk must be a dict of older code → newer code")
        self._inner.write_html(
            _path(path), None if previous is None else previous._inner, crosswalk
        )

    # Uncertainty ----------------------------------------------------------------------------

    def sensitivity(
        self,
        *,
        replications: int = 1000,
        seed: int = 2024,
        threads: int | None = None,
        survey: str | None = "resample",
        appraisal: float | None = None,
        not_applicable: list[str] | None = None,
        rounding: list[str] | None = None,
        ties: list[str] | None = None,
        weights: float | None = None,
        top: int = 10,
        indices: bool = False,
    ) -> Sensitivity:
        """How sure is each rank? Replicates this run under the uncertainty of its inputs and
        choices, and returns a :class:`parindex.Sensitivity`.

        Sources of uncertainty, each off unless given:

        - ``survey``: ``"resample"`` (default: the respondents of every survey share with
          known counts are drawn again) or ``"posterior"`` (the share is drawn from its Beta
          posterior), or ``None``;
        - ``appraisal``: the probability that a self-assessed leaf with ordered outcomes moves
          one outcome, half down and half up;
        - ``not_applicable``, ``rounding``, ``ties``: alternatives drawn with the set's own
          (``"full-points"``, ``"half-even"``, ``"dense"``…);
        - ``weights``: each area's maximum is multiplied by a factor within ``1 ± weights``.

        The same ``seed`` gives the same numbers on any number of ``threads``. With
        ``indices=True``, first-order and total variance-based sensitivity indices of the ranks
        are estimated per source (Saltelli's design, Jansen's estimators), at the cost of
        (sources + 2) × ``replications`` runs. The GIL is released while it runs.
        """
        from ._sensitivity import Sensitivity

        for name, value in (("not_applicable", not_applicable), ("rounding", rounding), ("ties", ties)):
            if value is not None and (isinstance(value, str) or not all(isinstance(v, str) for v in value)):
                raise TypeError(f"{name} must be a list of names, like ['dense']")
        for name, count in (("replications", replications), ("seed", seed), ("threads", threads)):
            if isinstance(count, int) and not isinstance(count, bool) and count < 0:
                raise ValueError(f"{name} must be 0 or more, not {count}")
        inner = self._inner.sensitivity(
            replications,
            seed,
            threads,
            survey,
            appraisal,
            list(not_applicable or []),
            list(rounding or []),
            list(ties or []),
            weights,
            top,
            indices,
        )
        return Sensitivity(inner, self)

    # Plots ----------------------------------------------------------------------------------

    def plot_ranking(self, *, top: int | None = None, ax: Any = None) -> Any:
        """A bar chart of the ranking: see :func:`parindex.plot.ranking`."""
        from .plot import ranking

        return ranking(self, top=top, ax=ax)

    def plot_profile(self, unit: str, *, ax: Any = None) -> Any:
        """A unit's sub-index per area against the mean: see :func:`parindex.plot.profile`."""
        from .plot import profile

        return profile(self, unit, ax=ax)

    # Display ----------------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"<Results: {len(self)} units scored with {self._set.id!r}>"

    def _repr_html_(self, limit: int = 30) -> str:
        summary = as_dict(self._inner.summary(True))
        order = sorted(
            range(len(summary["unit"])),
            key=lambda i: (summary["rank"][i] is None, summary["rank"][i] or 0, i),
        )
        rows = []
        for i in order[:limit]:
            rank = summary["rank"][i]
            cells = [
                "–" if rank is None else str(rank),
                html.escape(summary["unit"][i]),
                str(summary["total"][i]),
                str(summary["max"][i]),
                "–" if summary["index"][i] is None else str(summary["index"][i]),
                html.escape(summary["band"][i] or ""),
            ]
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        more = (
            f"<tr><td colspan=6>… {len(order) - limit} more units</td></tr>"
            if len(order) > limit
            else ""
        )
        warnings = len(self._inner.warnings())
        note = f" · {warnings} warnings (missing inputs)" if warnings else ""
        return (
            f"<div><b>{html.escape(self._set.title)}</b><br><code>{html.escape(self._set.id)}"
            f"</code> · {len(order)} units{note}<table><thead><tr><th>rank</th><th>unit</th>"
            "<th>total</th><th>max</th><th>index</th><th>band</th></tr></thead>"
            f"<tbody>{''.join(rows)}{more}</tbody></table></div>"
        )


def compare(
    before: Results,
    after: Results,
    *,
    areas: bool = False,
    reform_areas: bool = False,
    crosswalk: dict[str, str] | None = None,
    backend: Backend = "pandas",
    exact: bool = True,
) -> Any:
    """Compares two runs' results unit by unit (matched by id): a year with the next, or
    self-assessment with appraisal.

    One row per unit of ``after`` with ``index_before``, ``index_after``, ``index_change``,
    ``rank_before``, ``rank_after`` and ``rank_change`` (places gained). With ``areas=True``,
    one row per unit and area of the newer set with its sub-index ``before`` and ``after``
    and the ``change``; ``crosswalk`` maps older area codes to newer ones where the numbering
    changed.

    With ``reform_areas=True``, one row per reform area of the PAR programme with the
    ``units``, ``mean``, ``min`` and ``max`` sub-index of each (``…_before``, ``…_after``) and
    the ``change`` in the mean. No crosswalk is needed, and the two may be results of
    different sets, such as a province's department set and its commune set.
    """
    for name, value in (("before", before), ("after", after)):
        if not isinstance(value, Results):
            raise TypeError(f"compare() takes two Results; {name} is a {type(value).__name__}")
    if crosswalk is not None and not isinstance(crosswalk, dict):
        raise TypeError("crosswalk must be a dict of older code → newer code")
    if reform_areas:
        if areas or crosswalk is not None:
            raise ValueError("reform_areas=True takes neither areas=True nor a crosswalk")
        columns = _parindex.compare_reform_areas(before._inner, after._inner, exact)
        return to_frame(columns, check_backend(backend))
    columns = _parindex.compare(before._inner, after._inner, crosswalk, areas, exact)
    return to_frame(columns, check_backend(backend))


def _path(path: object) -> str:
    if isinstance(path, (str, os.PathLike)):
        return os.fspath(path)  # type: ignore[return-value]
    raise TypeError(f"a path must be a str or os.PathLike, not a {type(path).__name__}")
