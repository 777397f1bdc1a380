"""``CriteriaSet``: one authority's table for one year, loaded, validated and ready to score."""

from __future__ import annotations

import hashlib
import html
import os
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Literal, overload

from . import _parindex
from ._errors import Diagnostic
from ._frames import Backend, Frame, as_dict, resolve_backend, to_frame
from ._input import Prepared, prepare, records_file

if TYPE_CHECKING:
    import pandas
    import polars

    from ._results import Results

__all__ = ["CriteriaSet"]

#: How a set can be loaded again in another process: ``("id", id)`` for a shipped set,
#: ``("toml", text, name)`` for a file or text, ``None`` when the file changed since.
SetSource = tuple[str, ...] | None


def file_source(name: str, content_hash: str) -> SetSource:
    """The text of a criteria file just loaded, when it is still the text that was loaded."""
    try:
        with open(name, "rb") as handle:
            text = handle.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    text = text.removeprefix("\ufeff")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != content_hash:
        return None
    return ("toml", text, name)


def restore_set(source: SetSource) -> CriteriaSet:
    """A set loaded again from its :data:`SetSource` (unpickling)."""
    if source is not None and source[0] == "id":
        return CriteriaSet(_parindex.load(source[1]), source)
    if source is not None and source[0] == "toml":
        return CriteriaSet(_parindex.loads(source[1], source[2]), source)
    raise ValueError("this criteria set cannot be restored: its file changed after it was loaded")


class CriteriaSet:
    """A loaded and validated criteria set, compiled for scoring.

    Get one with :func:`parindex.load` (a shipped id or a TOML file) or
    :func:`parindex.loads` (TOML text). Frame-returning methods take ``backend="pandas"``
    (the default) or ``backend="polars"``, and ``exact=True`` (``Decimal`` points, the
    default) or ``exact=False`` (floats, for plotting).

    >>> import parindex
    >>> s = parindex.load("binh-thuan-police/commune/2024")
    >>> s.year, s.max
    (2024, Decimal('60'))
    """

    __slots__ = ("_digits", "_inner", "_source")

    def __init__(self, inner: _parindex.CriteriaSet, source: SetSource = None) -> None:
        if not isinstance(inner, _parindex.CriteriaSet):
            raise TypeError("use parindex.load() or parindex.loads() to get a CriteriaSet")
        self._inner = inner
        self._source = source
        # Integer digits an exact column has room for: those of the set's total and scale.
        biggest = max(abs(inner.max), abs(inner.scale))
        self._digits = len(str(int(biggest))) + 1

    def __reduce__(self) -> tuple[object, ...]:
        if self._source is None:
            raise TypeError(
                f"the criteria set {self.id!r} cannot be pickled: its file changed after it was "
                "loaded; load it again"
            )
        return (restore_set, (self._source,))

    # Identity -----------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The set's id, ``authority/level/year``."""
        return self._inner.id

    @property
    def year(self) -> int:
        """The year scored."""
        return self._inner.year

    @property
    def level(self) -> str:
        """What is scored: commune, ward, department, official…"""
        return self._inner.level

    @property
    def title(self) -> str:
        """The title, in the source's language."""
        return self._inner.title

    @property
    def title_en(self) -> str | None:
        """The English title, if the file gives one."""
        return self._inner.title_en

    @property
    def max(self) -> Decimal:
        """The declared total, exact."""
        return self._inner.max

    @property
    def language(self) -> str:
        """The language of the names: ``vi`` or ``en``."""
        return self._inner.language

    @property
    def content_hash(self) -> str:
        """SHA-256 of the file's text: the provenance every result carries."""
        return self._inner.content_hash

    @property
    def origin(self) -> dict[str, str | None]:
        """Where the set comes from: authority, decision, issued, source, status, notes."""
        return self._inner.origin

    @property
    def stages(self) -> list[str]:
        """The stages in order; the final value of a leaf is that of its last stage present."""
        return self._inner.stages

    @property
    def scale(self) -> Decimal:
        """The index scale, usually 100."""
        return self._inner.scale

    @property
    def leaf_codes(self) -> list[str]:
        """The codes of the leaves, in order: the value columns of a wide input."""
        return self._inner.leaf_codes

    @property
    def area_codes(self) -> list[str]:
        """The codes of the areas, in order."""
        return self._inner.area_codes

    @property
    def attributes(self) -> list[dict[str, Any]]:
        """The unit attributes the set uses: name, type, label and allowed values."""
        return self._inner.attributes

    @property
    def bands(self) -> list[tuple[str, str | None, str]]:
        """The bands, best first: ``(name, label, index range)``."""
        return self._inner.bands

    # Inspection -----------------------------------------------------------------------------

    @overload
    def nodes(self, *, backend: Literal["pandas"], exact: bool = ...) -> pandas.DataFrame: ...
    @overload
    def nodes(self, *, backend: Literal["polars"], exact: bool = ...) -> polars.DataFrame: ...
    @overload
    def nodes(self, *, backend: None = ..., exact: bool = ...) -> Frame: ...
    def nodes(self, *, backend: Backend | None = None, exact: bool = True) -> Frame:
        """The tree as a DataFrame, one row per node in the table's order: code, name,
        parent, depth, leaf, max, kind, source, rule kind and rule as TOML."""
        return self._frame(self._inner.nodes(exact), backend)

    def _frame(self, columns: Any, backend: object, origin: Backend | None = None) -> Frame:
        frame: Frame = to_frame(columns, resolve_backend(backend, origin), self._digits)
        return frame

    def validate(self) -> list[Diagnostic]:
        """The warnings of the set: acknowledged inconsistencies of the source, renumbered
        rows. A set with errors does not load at all (:class:`parindex.CriteriaError`)."""
        return self._inner.warnings()

    @overload
    def template(
        self, units: Iterable[str] = ..., *, layout: str = ..., backend: Literal["pandas"]
    ) -> pandas.DataFrame: ...
    @overload
    def template(
        self, units: Iterable[str] = ..., *, layout: str = ..., backend: Literal["polars"]
    ) -> polars.DataFrame: ...
    @overload
    def template(
        self, units: Iterable[str] = ..., *, layout: str = ..., backend: None = ...
    ) -> Frame: ...
    def template(
        self, units: Iterable[str] = (), *, layout: str = "wide", backend: Backend | None = None
    ) -> Frame:
        """A DataFrame to fill in and pass to :meth:`score`.

        ``layout="wide"``: a ``unit`` column, one column per attribute, one column per leaf
        code, and one row per unit in ``units``. ``layout="long"``: one row per unit and leaf
        with ``unit``, ``code``, ``name``, ``max`` and an empty ``value``.
        """
        chosen = resolve_backend(backend)
        if isinstance(units, str):
            raise TypeError("units must be a list of unit ids, not a single str")
        ids = [str(u) for u in units]
        if not isinstance(layout, str):
            raise TypeError(f"layout must be 'wide' or 'long', not a {type(layout).__name__}")
        if layout == "wide":
            columns: list[tuple[str, str, list[Any]]] = [("unit", "text", ids)]
            for attribute in self.attributes:
                columns.append((attribute["name"], "text", [None] * len(ids)))
            for code in self.leaf_codes:
                columns.append((code, "text", [None] * len(ids)))
            return self._frame(columns, chosen)
        if layout == "long":
            tree = as_dict(self._inner.nodes(True))
            leaves = [
                (code, name, maximum)
                for code, name, maximum, leaf in zip(tree["code"], tree["name"], tree["max"], tree["leaf"])
                if leaf
            ]
            rows = [(unit, *leaf) for unit in ids for leaf in leaves]
            scale = max((-m.as_tuple().exponent for _, _, m in leaves), default=0)
            return self._frame(
                [
                    ("unit", "text", [r[0] for r in rows]),
                    ("code", "text", [r[1] for r in rows]),
                    ("name", "text", [r[2] for r in rows]),
                    ("max", f"decimal:{max(scale, 0)}:1", [r[3] for r in rows]),
                    ("value", "text", [None] * len(rows)),
                ],
                chosen,
            )
        raise ValueError(f"layout must be 'wide' or 'long', not {layout!r}")

    @overload
    def diff(
        self, other: CriteriaSet, *, backend: Literal["pandas"], exact: bool = ...
    ) -> pandas.DataFrame: ...
    @overload
    def diff(
        self, other: CriteriaSet, *, backend: Literal["polars"], exact: bool = ...
    ) -> polars.DataFrame: ...
    @overload
    def diff(self, other: CriteriaSet, *, backend: None = ..., exact: bool = ...) -> Frame: ...
    def diff(self, other: CriteriaSet, *, backend: Backend | None = None, exact: bool = True) -> Frame:
        """What changed from this set to ``other``: one row per change (added, removed,
        moved, max, rule, renamed), matched by code, with moved rows matched by name."""
        if not isinstance(other, CriteriaSet):
            raise TypeError(f"diff() compares with another CriteriaSet, not a {type(other).__name__}")
        return self._frame(self._inner.diff(other._inner, exact), backend)

    def to_toml(self) -> str:
        """The set written back as TOML."""
        return self._inner.to_toml()

    def to_excel_template(self, path: str | os.PathLike[str]) -> None:
        """Writes the Excel template units fill in, as ``parindex template`` does: a sheet per
        stage with header rows giving each leaf's code, name, maximum and how to write its
        value, and an instructions sheet (``Hướng dẫn``), printed on A4 pages that repeat the
        unit's id and name. Written atomically."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"a path must be a str or os.PathLike, not a {type(path).__name__}")
        self._inner.write_template(os.fspath(path))

    def to_pandas(self) -> pandas.DataFrame:
        """The tree as a pandas DataFrame (same as ``nodes(backend="pandas")``)."""
        return self.nodes(backend="pandas")

    def to_polars(self) -> polars.DataFrame:
        """The tree as a polars DataFrame (same as ``nodes(backend="polars")``)."""
        return self.nodes(backend="polars")

    # Scoring ---------------------------------------------------------------------------------

    def score(
        self,
        data: object,
        *,
        stage: str | None = None,
        percents: str = "percent",
        plan: str | os.PathLike[str] | None = None,
        completions: object = None,
        survey: object = None,
        records_stage: str | None = None,
    ) -> Results:
        """Scores units and returns :class:`parindex.Results`.

        ``data`` is a pandas or polars DataFrame, any object exporting an Arrow stream
        (``__arrow_c_stream__``: a pyarrow table, a DuckDB relation, pandas with Arrow dtypes or
        pandas 3's text columns, parindex results), a list of dicts (one per row), a dict of
        column name → list of cells, or a path to a CSV, Excel or JSON input file (or a list
        of paths, read together), read exactly as the command line reads it. Two layouts are
        read:

        - wide: a ``unit`` column and one column per leaf code (see :meth:`template`), plus
          attribute columns and optionally a ``stage`` column;
        - long: ``unit``, ``code`` and ``value`` columns, optionally ``stage``, ``evidence``
          and ``note``, plus attribute columns.

        Every kind of data goes through the same reader as a file (``criteria/FORMAT.md``, "Reading
        a cell"), so the same units give the same results whatever their container:

        - cells are read as an office writes them (``có``, ``87.5%``, ``45/50``, ``N/A``…),
          composed or decomposed Vietnamese alike (text is NFC-normalised);
        - floats are read as Excel shows them, at 15 significant digits (``0.1 + 0.2`` is
          ``0.3``); ints and ``Decimal`` are exact; ``None``, NaN and missing markers are
          missing;
        - on a criterion measured in percent, a bare number is a percentage (``87.5``), and
          one strictly between 0 and 1 (``0.875``) is refused as ambiguous, unless
          ``percents="fraction"`` declares that every bare number is a fraction of 1, as a
          %-formatted column read with ``pandas.read_excel`` holds it (``0.875`` is 87.5%).

        ``stage`` names the stage of values that have no ``stage`` column (default: the first
        stage). The GIL is released while reading and scoring, and Ctrl-C
        (``KeyboardInterrupt``) returns at once: the call finishes in the background, unused.

        Measurements can also come from the year's records (see ``docs/records.md``):

        - ``plan``: the year's reform plan (a ``.toml`` path) with ``completions``, the units'
          completion records (``unit``, ``task``, ``done``, ``product``, ``note``): leaves that
          declare ``derive = "plan-done"`` (or ``plan-on-time``, ``plan-late``) are measured
          from them, task by task;
        - ``survey``: raw answers (``unit``, ``group``, ``item``, ``answer``), tallied into the
          survey leaves with the share satisfied and its 95% Wilson interval.

        ``completions`` and ``survey`` are a path (CSV or Excel), a DataFrame, a list of dicts
        or a dict of columns. ``records_stage`` names the stage the derived values go into
        (default: the first). :meth:`Results.tasks` and :meth:`Results.surveys` show them.

        Raises :class:`parindex.InputError` for data that cannot be scored and
        :class:`TypeError` for data of the wrong type.
        """
        for name, value in (("stage", stage), ("percents", percents), ("records_stage", records_stage)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a str, not a {type(value).__name__}")
        if plan is not None and not isinstance(plan, (str, os.PathLike)):
            raise TypeError(f"plan must be a path to a plan .toml file, not a {type(plan).__name__}")
        if (plan is None) != (completions is None):
            raise ValueError("plan= and completions= go together: the plan and its completion records")
        if plan is not None and not os.path.exists(plan):
            from ._errors import PathNotFoundError

            raise PathNotFoundError(plan)
        records = {
            "plan": os.fspath(plan) if plan is not None else None,
            "completions": records_file(completions, "completions") if completions is not None else None,
            "survey": records_file(survey, "survey") if survey is not None else None,
            "records_stage": records_stage,
        }
        prepared = prepare(data)
        if prepared.columns is None and stage is not None:
            raise ValueError(
                "stage= applies to in-memory data; a file gives its stage in a stage "
                "column, or by its sheet's name in a workbook"
            )
        return self.score_prepared(prepared, stage, percents, records)

    def score_prepared(
        self, prepared: Prepared, stage: str | None, percents: str, records: dict[str, Any]
    ) -> Results:
        """Scores data already prepared; the results keep what they need to be pickled."""
        from ._results import Recipe, Results

        recipe = Recipe(prepared, stage, percents, records)
        if prepared.files is not None:
            inner = self._inner.score_bytes(prepared.files, percents, **records)
        elif prepared.paths is not None:
            inner = self._inner.score_files(prepared.paths, percents, **records)
        else:
            assert prepared.columns is not None
            inner = self._inner.score(prepared.columns, prepared.source, stage, percents, **records)
        return Results(inner, self, recipe)

    def rank(self, ranking: object) -> list[int | None]:
        """Ranks units scored apart exactly as the engine ranks units scored together.

        ``ranking`` is Arrow data (a pyarrow or polars table, a pandas frame with pyarrow
        installed, anything exporting ``__arrow_c_stream__``) holding the columns of
        :meth:`parindex.Results.ranking` for every unit, from every partition, in any order.
        Returns each row's rank (``None`` for a unit not ranked), by the set's ranking groups,
        tie policy and tie-breakers: the same ranks as scoring every unit in one call.
        """
        if not hasattr(ranking, "__arrow_c_stream__"):
            raise TypeError(
                f"rank() takes Arrow data with the columns of Results.ranking(), not a {type(ranking).__name__}"
            )
        return list(self._inner.rank(ranking))

    # Display -----------------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"<CriteriaSet {self.id!r}: {self.title} (max {self.max})>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CriteriaSet) and other.content_hash == self.content_hash

    def __hash__(self) -> int:
        return hash(self.content_hash)

    def _repr_html_(self) -> str:
        tree = as_dict(self._inner.nodes(True))
        rows = []
        for code, name, depth, maximum, rule, kind in zip(
            tree["code"], tree["name"], tree["depth"], tree["max"], tree["rule"], tree["kind"]
        ):
            pad = 0.2 + 1.2 * depth
            weight = "bold" if depth == 0 else "normal"
            label = html.escape(name)
            extra = f" <i>({kind})</i>" if kind != "scored" else ""
            rows.append(
                f"<tr><td style='padding-left:{pad}em;font-weight:{weight};text-align:left'>"
                f"{html.escape(code)}</td><td style='text-align:left'>{label}{extra}</td>"
                f"<td style='text-align:right'>{maximum}</td>"
                f"<td style='text-align:left'>{html.escape(rule or '')}</td></tr>"
            )
        origin = self.origin
        return (
            f"<div><b>{html.escape(self.title)}</b><br>"
            f"<code>{html.escape(self.id)}</code> · {self.level} · {self.year} · max "
            f"{self.max} · {html.escape(str(origin.get('status')))}"
            f"{' · ' + html.escape(str(origin['decision'])) if origin.get('decision') else ''}"
            "<table><thead><tr><th>code</th><th>name</th><th>max</th><th>rule</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
