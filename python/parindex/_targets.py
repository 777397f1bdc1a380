"""``targets``: a reform programme's targets in a year, each met, on track, behind or without data."""

from __future__ import annotations

import os
from collections.abc import Iterable

from . import _parindex
from ._frames import Backend, Frame, resolve_backend, to_frame
from ._input import records_file
from ._results import Results

__all__ = ["targets"]


def targets(
    programme: str | os.PathLike[str],
    *,
    year: int,
    measured: Iterable[object] | object = (),
    plan: str | os.PathLike[str] | None = None,
    completions: object = None,
    backend: Backend | None = None,
    exact: bool = True,
) -> Frame:
    """Each target of a programme file (``programmes/*.toml``, see ``docs/records.md``) in
    ``year``, as a frame with one row per target.

    Measured values come from:

    - ``measured``: :class:`Results` scored in this session and results documents (``.json``
      paths written by ``parindex score``), for targets that declare a ``measure`` of a node
      or a reform area; and typed tables (a ``.csv`` or ``.xlsx`` path, a DataFrame, a list of
      dicts) with the columns ``target``, ``year``, ``unit`` (empty for the population as a
      whole), ``value`` and optionally ``source``, for any target. One of them, or a list;
    - ``plan`` and ``completions``: the year's reform plan and its completion records, for
      targets measured by one of its tasks.

    Columns: ``target``, ``area``, ``indicator``, ``indicator_en``, ``comparator``, ``value``
    and ``unit`` (the target), ``due`` (empty for a yearly target), ``population``, ``year``,
    ``status`` (``met``, ``on-track``, ``behind``, ``no-data``), ``measured`` (as shown:
    ``94.44% (17 of 18 units)``), ``measured_value``, ``units_meeting``, ``units``,
    ``share_meeting``, ``expected`` (the value the straight line to the target asks for this
    year), ``source`` and ``reason``.
    """
    if not isinstance(programme, (str, os.PathLike)):
        raise TypeError(f"programme must be the path of a programme file, not a {type(programme).__name__}")
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"year must be an int, not a {type(year).__name__}")
    if (plan is None) != (completions is None):
        raise ValueError("plan= and completions= go together: the plan and its completion records")
    items: list[object]
    if isinstance(measured, (str, os.PathLike, Results)) or not isinstance(measured, Iterable) or hasattr(measured, "columns") or (
        isinstance(measured, list) and measured and isinstance(measured[0], dict)
    ):
        items = [measured]
    else:
        items = list(measured)
    runs = []
    documents = []
    tables = []
    for item in items:
        if isinstance(item, Results):
            runs.append(item._inner)
        elif isinstance(item, (str, os.PathLike)) and os.fspath(item).lower().endswith(".json"):
            documents.append(os.fspath(item))
        else:
            tables.append(records_file(item, "measured"))
    columns = _parindex.targets(
        os.fspath(programme),
        year,
        runs,
        documents,
        tables,
        None if plan is None else os.fspath(plan),
        None if completions is None else records_file(completions, "completions"),
        exact,
    )
    frame: Frame = to_frame(columns, resolve_backend(backend))
    return frame
