"""``Results``: per unit its totals, index, rank, band, per-node detail and explanation."""

from __future__ import annotations

import html
import os
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, overload

from . import _parindex
from ._frames import Backend, Frame, as_dict, resolve_backend
from ._input import Prepared

if TYPE_CHECKING:
    import pandas
    import polars

    from ._sensitivity import Sensitivity
    from ._set import CriteriaSet

__all__ = ["ArrowTable", "Recipe", "Results", "ScoreWarning"]

Table = Literal["summary", "areas", "detail", "stages"]
ArrowTableName = Literal["summary", "areas", "detail", "stages", "ranking"]


class ArrowTable(Protocol):
    """Arrow data: anything exporting the Arrow PyCapsule stream interface."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The data as an Arrow C stream capsule."""
        ...


class ScoreWarning(NamedTuple):
    """A warning met while scoring: a missing input, scored 0."""

    unit: str
    code: str
    message: str


class Recipe:
    """What a scoring run was given: enough to score it again in another process, which is
    how :class:`Results` are pickled (scoring is deterministic, so the same results come
    back). A plan file is kept by its path; every other input is kept by value."""

    __slots__ = ("percents", "prepared", "records", "stage")

    def __init__(
        self, prepared: Prepared, stage: str | None, percents: str, records: dict[str, Any]
    ) -> None:
        self.prepared = prepared
        self.stage = stage
        self.percents = percents
        self.records = records

    def __reduce__(self) -> tuple[object, ...]:
        p = self.prepared
        data = (p.columns, p.paths, p.source, p.files, p.origin)
        return (_recipe, (data, self.stage, self.percents, self.records))


def _recipe(
    data: tuple[Any, ...], stage: str | None, percents: str, records: dict[str, Any]
) -> Recipe:
    columns, paths, source, files, origin = data
    prepared = Prepared(columns, paths, source, files, origin)
    return Recipe(prepared, stage, percents, records)


def _restore_results(criteria: CriteriaSet, recipe: Recipe) -> Results:
    return criteria.score_prepared(recipe.prepared, recipe.stage, recipe.percents, recipe.records)


class Results:
    """The results of scoring a batch of units with a :class:`parindex.CriteriaSet`.

    Every table comes in the frame library chosen by ``backend=``, else by
    ``parindex.options.backend``, else the library of the data scored (a polars frame in
    gives polars out), else pandas. Points and indices are exact: Arrow ``decimal128``
    columns in pandas (with pyarrow installed; :class:`decimal.Decimal` objects otherwise),
    ``Decimal`` in polars; pass ``exact=False`` for floats.

    Results can be pickled (for joblib or multiprocessing): they are scored again from the
    same inputs where they are unpickled.
    """

    __slots__ = ("_inner", "_recipe", "_set")

    def __init__(
        self, inner: _parindex.Results, criteria: CriteriaSet, recipe: Recipe | None = None
    ) -> None:
        if not isinstance(inner, _parindex.Results):
            raise TypeError("Results come from CriteriaSet.score()")
        self._inner = inner
        self._set = criteria
        self._recipe = recipe

    def __reduce__(self) -> tuple[object, ...]:
        if self._recipe is None:
            raise TypeError("these results cannot be pickled: they were not made by score()")
        return (_restore_results, (self._set, self._recipe))

    def _frame(self, columns: Any, backend: object) -> Frame:
        origin = self._recipe.prepared.origin if self._recipe is not None else None
        return self._set._frame(columns, backend, origin)  # type: ignore[arg-type]

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

    @overload
    def summary(self, *, backend: Literal["pandas"], exact: bool = ...) -> pandas.DataFrame: ...
    @overload
    def summary(self, *, backend: Literal["polars"], exact: bool = ...) -> polars.DataFrame: ...
    @overload
    def summary(self, *, backend: None = ..., exact: bool = ...) -> Frame: ...
    def summary(self, *, backend: Backend | None = None, exact: bool = True) -> Frame:
        """One row per unit, in input order: ``unit``, ``name``, ``group``, ``total``, ``max``,
        ``index`` (as reported, rounded as the set says), ``index_exact``, ``rank``, ``band``.
        """
        return self._frame(self._inner.summary(exact), backend)

    @overload
    def areas(self, *, backend: Literal["pandas"], exact: bool = ...) -> pandas.DataFrame: ...
    @overload
    def areas(self, *, backend: Literal["polars"], exact: bool = ...) -> polars.DataFrame: ...
    @overload
    def areas(self, *, backend: None = ..., exact: bool = ...) -> Frame: ...
    def areas(self, *, backend: Backend | None = None, exact: bool = True) -> Frame:
        """One row per unit and area: ``points``, applicable ``max``, ``lost``, the exact
        sub-``index`` and ``status``."""
        return self._frame(self._inner.areas(exact), backend)

    @overload
    def by_reform_area(
        self, *, backend: Literal["pandas"], exact: bool = ...
    ) -> pandas.DataFrame: ...
    @overload
    def by_reform_area(
        self, *, backend: Literal["polars"], exact: bool = ...
    ) -> polars.DataFrame: ...
    @overload
    def by_reform_area(self, *, backend: None = ..., exact: bool = ...) -> Frame: ...
    def by_reform_area(self, *, backend: Backend | None = None, exact: bool = True) -> Frame:
        """One row per unit and reform area of the PAR programme that the set's rows declare
        (``direction``, ``institutional``, ``procedures``, ``organisation``, ``civil-service``,
        ``public-finance``, ``modernisation``, ``impact``): the ``area``, its Vietnamese
        ``name`` and ``name_en``, the ``points`` of its rows, their applicable ``max``,
        ``lost``, the sub-``index`` as reported (rounded as the set says) and ``index_exact``.
        The index is empty where nothing in the area applies to the unit.

        Sets number their areas their own way; reform areas are the same in every set, so
        these frames of two sets or two years can be set side by side without a crosswalk.
        """
        return self._frame(self._inner.reform_areas(exact), backend)

    @overload
    def detail(self, *, backend: Literal["pandas"], exact: bool = ...) -> pandas.DataFrame: ...
    @overload
    def detail(self, *, backend: Literal["polars"], exact: bool = ...) -> polars.DataFrame: ...
    @overload
    def detail(self, *, backend: None = ..., exact: bool = ...) -> Frame: ...
    def detail(self, *, backend: Backend | None = None, exact: bool = True) -> Frame:
        """One row per unit and node: ``points``, applicable ``max``, ``lost``, ``status``
        (scored, not-applicable, missing, no-evidence), the ``stage`` whose input was used and
        the ``value`` seen."""
        return self._frame(self._inner.detail(exact), backend)

    @overload
    def stages(self, *, backend: Literal["pandas"], exact: bool = ...) -> pandas.DataFrame: ...
    @overload
    def stages(self, *, backend: Literal["polars"], exact: bool = ...) -> polars.DataFrame: ...
    @overload
    def stages(self, *, backend: None = ..., exact: bool = ...) -> Frame: ...
    def stages(self, *, backend: Backend | None = None, exact: bool = True) -> Frame:
        """One row per unit and node: the points at every stage (one column per stage, empty
        where the unit has no input at that stage) and the ``change`` from the first stage
        present to the last."""
        return self._frame(self._inner.stages(exact), backend)

    @overload
    def tasks(self, *, backend: Literal["pandas"]) -> pandas.DataFrame: ...
    @overload
    def tasks(self, *, backend: Literal["polars"]) -> polars.DataFrame: ...
    @overload
    def tasks(self, *, backend: None = ...) -> Frame: ...
    def tasks(self, *, backend: Backend | None = None) -> Frame:
        """The reform-plan tasks behind every leaf measured from the plan: one row per unit,
        leaf and task, with the task's ``due`` day, the day ``done``, the ``outcome``
        (``on-time``, ``late``, ``not-done``), ``days_late`` and the ``product`` recorded.
        Empty when the run had no plan."""
        return self._frame(self._inner.tasks(), backend)

    @overload
    def surveys(self, *, backend: Literal["pandas"], exact: bool = ...) -> pandas.DataFrame: ...
    @overload
    def surveys(self, *, backend: Literal["polars"], exact: bool = ...) -> polars.DataFrame: ...
    @overload
    def surveys(self, *, backend: None = ..., exact: bool = ...) -> Frame: ...
    def surveys(self, *, backend: Backend | None = None, exact: bool = True) -> Frame:
        """The survey tallies behind every leaf measured from raw answers: one row per unit,
        leaf and respondent group, with ``respondents``, ``satisfied``, the ``share``
        satisfied and the option-``weighted`` score (percent, exact), and the 95% Wilson
        interval of the share as ``ci_low``, ``ci_high`` (fractions). Empty when the run had
        no survey answers."""
        return self._frame(self._inner.surveys(exact), backend)

    @overload
    def ranking(self, *, backend: Literal["pandas"], exact: bool = ...) -> pandas.DataFrame: ...
    @overload
    def ranking(self, *, backend: Literal["polars"], exact: bool = ...) -> polars.DataFrame: ...
    @overload
    def ranking(self, *, backend: None = ..., exact: bool = ...) -> Frame: ...
    def ranking(self, *, backend: Backend | None = None, exact: bool = True) -> Frame:
        """What ranking needs of each unit: ``unit``, ``group``, whether ``ranked``, the index
        ranks are based on (``rank_on``: reported or exact, as the set says) and the index of
        each tie-breaker node (``tie_<code>``). Units scored apart (in partitions, on several
        machines) are ranked exactly as if scored together by passing their rankings, put
        together, to :meth:`parindex.CriteriaSet.rank` (see ``docs/scale.md``)."""
        return self._frame(self._inner.ranking(exact), backend)

    @overload
    def explain(
        self, unit: str, *, backend: Literal["pandas"], exact: bool = ...
    ) -> pandas.DataFrame: ...
    @overload
    def explain(
        self, unit: str, *, backend: Literal["polars"], exact: bool = ...
    ) -> polars.DataFrame: ...
    @overload
    def explain(self, unit: str, *, backend: None = ..., exact: bool = ...) -> Frame: ...
    def explain(self, unit: str, *, backend: Backend | None = None, exact: bool = True) -> Frame:
        """Where a unit won and lost its points: one row per node with the maximum, the
        applicable maximum, the points won and lost, the measurement ``seen`` and the
        ``reason`` (the branch of the rule that fired).

        With pandas, ``frame.attrs`` holds the unit's ``total``, ``max``, ``index``,
        ``rank`` and ``band``. Raises :class:`parindex.NotFoundError` (a :class:`KeyError`) for
        a unit not in the results.
        """
        header, columns = self._inner.explain(unit, exact)
        frame = self._frame(columns, backend)
        attrs = getattr(frame, "attrs", None)
        if isinstance(attrs, dict):
            attrs.update(header)
        return frame

    def explain_text(self, unit: str) -> str:
        """A unit's explanation as an indented tree: code, points of the applicable maximum,
        points lost, and why."""
        return self._inner.explain_text(unit)

    def to_pandas(self, table: Table = "summary", *, exact: bool = True) -> pandas.DataFrame:
        """A table (``summary``, ``areas``, ``detail`` or ``stages``) as a pandas DataFrame."""
        return self._table(table)(backend="pandas", exact=exact)  # type: ignore[no-any-return]

    def to_polars(self, table: Table = "summary", *, exact: bool = True) -> polars.DataFrame:
        """A table (``summary``, ``areas``, ``detail`` or ``stages``) as a polars DataFrame."""
        return self._table(table)(backend="polars", exact=exact)  # type: ignore[no-any-return]

    def to_arrow(self, table: ArrowTableName = "summary") -> ArrowTable:
        """A table (``summary``, ``areas``, ``detail``, ``stages`` or ``ranking``) as Arrow
        data: an object
        exporting ``__arrow_c_stream__``, built from the results directly (never through
        Python objects), with exact decimals as ``decimal128`` columns. Pass it to
        ``polars.DataFrame``, ``pyarrow.table``, DuckDB, or ``parindex`` itself."""
        if not isinstance(table, str) or table not in ("summary", "areas", "detail", "stages", "ranking"):
            raise ValueError(
                f"table must be 'summary', 'areas', 'detail', 'stages' or 'ranking', not {table!r}"
            )
        arrow: ArrowTable = self._inner.arrow(table)
        return arrow

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The summary table as an Arrow C stream (the Arrow PyCapsule interface), so that
        ``polars.DataFrame(results)``, ``pyarrow.table(results)`` and DuckDB read the results
        without a copy through Python objects. See :meth:`to_arrow` for the other tables."""
        stream: object = self._inner.arrow("summary").__arrow_c_stream__(requested_schema)
        return stream

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
        survey: Literal["resample", "posterior", "auto"] | None = "auto",
        appraisal: float | None = None,
        not_applicable: list[str] | None = None,
        rounding: list[str] | None = None,
        ties: list[str] | None = None,
        weights: float | None = None,
        top: int = 10,
        indices: bool = False,
        memory_limit: int | None = None,
    ) -> Sensitivity:
        """How sure is each rank? Replicates this run under the uncertainty of its inputs and
        choices, and returns a :class:`parindex.Sensitivity`.

        Sources of uncertainty; the analysis runs those asked for:

        - ``survey``: ``"resample"`` (the respondents of every survey share with known counts
          are drawn again) or ``"posterior"`` (the share is drawn from its Beta posterior), or
          ``None``; by default (``"auto"``) ``"resample"`` when no other source is given, and
          off when one is;
        - ``appraisal``: the probability that a self-assessed leaf with ordered outcomes moves
          one outcome, half down and half up;
        - ``not_applicable``, ``rounding``, ``ties``: alternatives drawn with the set's own
          (``"full-points"``, ``"half-even"``, ``"dense"``…);
        - ``weights``: each area's maximum is multiplied by a factor within ``1 ± weights``.

        The same ``seed`` gives the same numbers on any number of ``threads``. With
        ``indices=True``, first-order and total variance-based sensitivity indices of the ranks
        are estimated per source (Saltelli's design, Jansen's estimators), at the cost of
        (sources + 2) × ``replications`` runs.

        The memory the replications need is estimated before anything is allocated, and an
        analysis above ``memory_limit`` bytes (default 4 GiB) raises
        :class:`parindex.ParindexError` with the estimate and the most replications that fit.
        The GIL is released while it runs, and Ctrl-C (``KeyboardInterrupt``) stops it within
        a fraction of a second.
        """
        from ._sensitivity import Sensitivity

        options = {
            "replications": replications, "seed": seed, "threads": threads, "survey": survey,
            "appraisal": appraisal, "not_applicable": not_applicable, "rounding": rounding,
            "ties": ties, "weights": weights, "top": top, "indices": indices,
            "memory_limit": memory_limit,
        }
        if isinstance(survey, str) and survey == "auto":
            others = (appraisal, weights, not_applicable, rounding, ties)
            # Compared by type, never with `==`: a frame's `==` compares element by element.
            given = [o for o in others if o is not None and not (isinstance(o, list) and not o)]
            survey = None if given else "resample"

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
            memory_limit,
        )
        return Sensitivity(inner, self, options)

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


@overload
def compare(
    before: Results,
    after: Results,
    *,
    areas: bool = ...,
    reform_areas: bool = ...,
    crosswalk: dict[str, str] | None = ...,
    backend: Literal["pandas"],
    exact: bool = ...,
) -> pandas.DataFrame: ...
@overload
def compare(
    before: Results,
    after: Results,
    *,
    areas: bool = ...,
    reform_areas: bool = ...,
    crosswalk: dict[str, str] | None = ...,
    backend: Literal["polars"],
    exact: bool = ...,
) -> polars.DataFrame: ...
@overload
def compare(
    before: Results,
    after: Results,
    *,
    areas: bool = ...,
    reform_areas: bool = ...,
    crosswalk: dict[str, str] | None = ...,
    backend: None = ...,
    exact: bool = ...,
) -> Frame: ...
def compare(
    before: Results,
    after: Results,
    *,
    areas: bool = False,
    reform_areas: bool = False,
    crosswalk: dict[str, str] | None = None,
    backend: Backend | None = None,
    exact: bool = True,
) -> Frame:
    """Compares two runs' results unit by unit (matched by id): a year with the next, or
    self-assessment with appraisal.

    One row per unit of ``after`` with ``index_before`` and ``index_after`` (the indices as
    reported), ``index_change`` (the change of the exact indices, unrounded: round it only to
    show it), ``rank_before``, ``rank_after`` and ``rank_change`` (places gained). With
    ``areas=True``, one row per unit and area of the newer set with its exact sub-index
    ``before`` and ``after`` and the ``change``; ``crosswalk`` maps older area codes to newer
    ones where the numbering changed.

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
        return after._frame(columns, backend)
    columns = _parindex.compare(before._inner, after._inner, crosswalk, areas, exact)
    return after._frame(columns, backend)


def _path(path: object) -> str:
    if isinstance(path, (str, os.PathLike)):
        return str(os.fspath(path))
    raise TypeError(f"a path must be a str or os.PathLike, not a {type(path).__name__}")
