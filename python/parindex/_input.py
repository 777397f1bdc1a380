"""Input data of any accepted kind → one ``dict`` of column name → list of cells.

The extension reads the columns with the same layout reader and cell grammar as a file, so
this module only reshapes containers: it never interprets a header or a value.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
from collections.abc import Mapping
from typing import Any

from . import _parindex
from ._errors import InputError, PathNotFoundError

__all__ = ["Prepared", "prepare", "read_csv_text", "records_file"]


class Prepared:
    """Columns ready for the extension, or the files for its readers."""

    __slots__ = ("columns", "files", "origin", "paths", "source")

    def __init__(
        self,
        columns: dict[str, list[Any]] | None = None,
        paths: list[str] | None = None,
        source: str = "<data>",
        files: list[tuple[str, bytes]] | None = None,
        origin: str | None = None,
    ):
        self.columns = columns
        #: Files too large to read here, for the extension to refuse with its own message.
        self.paths = paths
        #: Files read here, as ``(name, bytes)``, read by the extension as files of that name.
        self.files = files
        #: How messages name in-memory data: ``<DataFrame>``, ``<rows>``, ``<columns>``.
        self.source = source
        #: The frame library the data came in (``pandas``, ``polars``), if any.
        self.origin = origin


def read_file(path: str | os.PathLike[str]) -> tuple[str, bytes] | None:
    """A file named by the user as ``(name, bytes)``; ``None`` when it is larger than the
    extension reads (it then refuses the path with its own message). Raises
    :class:`parindex.PathNotFoundError` when it does not exist."""
    name = os.fspath(path)
    try:
        size = os.stat(name).st_size
        if size > _parindex.MAX_INPUT_BYTES:
            return None
        with open(name, "rb") as handle:
            return name, handle.read()
    except FileNotFoundError:
        raise PathNotFoundError(name) from None
    except OSError as error:
        raise InputError(f"{name}: cannot read: {error.strerror or error}", path=name) from None


def _files(paths: list[str]) -> Prepared:
    files: list[tuple[str, bytes]] = []
    large: list[str] = []
    for path in paths:
        read = read_file(path)
        if read is None:
            large.append(path)
        else:
            files.append(read)
    if large:
        return Prepared(paths=paths)
    return Prepared(files=files)


def _kind(data: object) -> str:
    cls = type(data)
    module = cls.__module__.split(".")[0]
    return f"{module}.{cls.__name__}"


def _check_names(names: list[Any]) -> None:
    for position, name in enumerate(names, 1):
        if not isinstance(name, str):
            raise TypeError(
                f"column names must be text; column {position} is named by a {type(name).__name__}"
            )


def _arrow_backed(frame: Any) -> bool:
    """Whether a pandas frame holds only Arrow columns under a plain index, so that its Arrow
    stream is the frame itself: Arrow dtypes, or pandas' text on pyarrow storage (the default
    ``str`` of pandas 3), whose cells are texts and missing values alike through either door."""
    pd = __import__("pandas")
    if not isinstance(frame.index, pd.RangeIndex) or not hasattr(frame, "__arrow_c_stream__"):
        return False

    def arrow(dtype: Any) -> bool:
        text = isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
        return text or isinstance(dtype, pd.ArrowDtype)

    return len(frame.columns) > 0 and all(arrow(t) for t in frame.dtypes)


_PLAIN_POLARS = {
    "String", "Boolean", "Date", "Datetime", "Decimal", "Categorical", "Enum",
    "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64",
}


def _plain_polars(frame: Any) -> bool:
    """Whether a polars frame holds only columns whose Arrow export is a plain column of
    cells (text, numbers, booleans, dates, decimals). Others (all-null, nested, object
    columns) are read value by value, as before, so that they are refused or read the same."""
    return len(frame.columns) > 0 and all(
        dtype.base_type().__name__ in _PLAIN_POLARS for dtype in frame.schema.values()
    )


def _arrow_table(data: Any) -> Any:
    """An object exporting an Arrow stream, kept as an immutable table: a stream (a DuckDB
    relation, a record batch reader) can be read only once, and results keep their input to
    be pickled. pyarrow and polars tables are kept as they are."""
    kind = _kind(data)
    if kind in ("pyarrow.Table", "polars.DataFrame"):
        return data
    for module, make in (("pyarrow", "table"), ("polars", "DataFrame")):
        try:
            library = importlib.import_module(module)
        except ImportError:
            continue
        return getattr(library, make)(data)
    return data


def _from_pandas(frame: Any) -> dict[str, list[Any]]:
    if "unit" not in frame.columns and frame.index.name == "unit":
        frame = frame.reset_index()
    names = list(frame.columns)
    _check_names(names)
    if len(set(names)) != len(names):
        # A dict cannot hold a name twice; pairs keep both, for the reader to report.
        return [(name, frame.iloc[:, i].tolist()) for i, name in enumerate(names)]  # type: ignore[return-value]
    return {name: frame[name].tolist() for name in names}


def _from_polars(frame: Any) -> dict[str, list[Any]]:
    names = list(frame.columns)
    _check_names(names)
    return {name: frame.get_column(name).to_list() for name in names}


def _from_columns(data: Mapping[Any, Any]) -> dict[str, list[Any]]:
    names = list(data.keys())
    _check_names(names)
    columns: dict[str, list[Any]] = {}
    for name in names:
        values = data[name]
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(
                f'column "{name}" must be a list of cells, not a {type(values).__name__}'
            )
        if isinstance(values, Mapping):
            raise TypeError(f'column "{name}" must be a list of cells, not a mapping')
        tolist = getattr(values, "tolist", None)
        columns[name] = tolist() if callable(tolist) else list(values)
    return columns


def _from_records(rows: list[Any] | tuple[Any, ...]) -> dict[str, list[Any]]:
    names: dict[Any, None] = {}
    for position, row in enumerate(rows, 1):
        if not isinstance(row, Mapping):
            raise TypeError(
                f"row {position} is a {type(row).__name__}; a list of rows must hold dicts"
            )
        for key in row:
            names.setdefault(key, None)
    _check_names(list(names))
    return {name: [row.get(name) for row in rows] for name in names}


def read_csv_text(text: str) -> dict[str, list[str | None]]:
    """Reads CSV text with a header row into columns; empty cells become ``None``."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, [])
    columns: dict[str, list[str | None]] = {name.strip(): [] for name in header}
    names = list(columns)
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        for position, name in enumerate(names):
            cell = row[position] if position < len(row) else ""
            columns[name].append(cell if cell.strip() else None)
    return columns


def prepare(data: object, *, arrow: bool = True) -> Prepared:
    """Any accepted input → columns for the extension.

    Accepted: a pandas or polars DataFrame (wide or long layout), any object exporting an
    Arrow stream (``__arrow_c_stream__``: a pyarrow table, a DuckDB relation…), a list of
    dicts (one per row), a dict of column name → list of cells, a path to a file, or a list of
    paths. polars frames and Arrow data are read by the extension through their Arrow stream;
    with ``arrow=False`` every kind of data becomes a ``dict`` of lists.
    """
    kind = _kind(data)
    if isinstance(data, (str, os.PathLike)):
        return _files([os.fspath(data)])
    if isinstance(data, (list, tuple)) and data and all(isinstance(p, (str, os.PathLike)) for p in data):
        return _files([os.fspath(p) for p in data])
    if kind == "pandas.DataFrame" or (kind.startswith("pandas.") and hasattr(data, "columns") and hasattr(data, "index")):
        if arrow and _arrow_backed(data):
            return Prepared(data, source="<DataFrame>", origin="pandas")  # type: ignore[arg-type]
        return Prepared(_from_pandas(data), source="<DataFrame>", origin="pandas")
    if kind == "polars.DataFrame":
        if not arrow or not _plain_polars(data):
            return Prepared(_from_polars(data), source="<DataFrame>", origin="polars")
        # Read through its Arrow stream: no Python object per cell.
        return Prepared(data, source="<DataFrame>", origin="polars")  # type: ignore[arg-type]
    if kind == "polars.LazyFrame":
        raise TypeError("score() takes a polars DataFrame; call .collect() on the LazyFrame first")
    if isinstance(data, Mapping):
        return Prepared(_from_columns(data), source="<columns>")
    if hasattr(data, "__arrow_c_stream__"):
        table = _arrow_table(data)
        if not arrow:
            if _kind(table) == "polars.DataFrame":
                return Prepared(_from_polars(table), source="<Arrow>")
            return Prepared(_from_columns(table.to_pydict()), source="<Arrow>")
        return Prepared(table, source="<Arrow>")
    if isinstance(data, (list, tuple)):
        return Prepared(_from_records(data), source="<rows>")
    raise TypeError(
        "score() takes a pandas or polars DataFrame, Arrow data, a list of dicts, a dict of "
        f"columns or a path, not a {type(data).__name__}"
    )


def records_file(data: object, what: str) -> tuple[str, bytes]:
    """A records argument of ``score`` (``completions=`` or ``survey=``) → ``(name, bytes)``.

    A path is read as it is (CSV or Excel, by its extension); in-memory data (a DataFrame, a
    list of dicts, a dict of columns) becomes CSV text, with dates written dd/mm/yyyy, so that
    it is read exactly as a file would be.
    """
    if isinstance(data, (str, os.PathLike)):
        path = os.fspath(data)
        try:
            with open(path, "rb") as handle:
                return str(path), handle.read()
        except FileNotFoundError:
            raise PathNotFoundError(path) from None
        except OSError as error:
            raise InputError(f"{path}: cannot read: {error.strerror or error}", path=str(path)) from None
    prepared = prepare(data, arrow=False)
    if prepared.columns is None:
        raise TypeError(f"{what}= takes one file, a DataFrame, a list of dicts or a dict of columns")
    names = list(prepared.columns)
    rows = zip(*(prepared.columns[name] for name in names))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if _missing(cell) else _cell_text(cell) for cell in row])
    return f"<{what}>", out.getvalue().encode("utf-8")


def _missing(cell: Any) -> bool:
    return cell is None or (isinstance(cell, float) and cell != cell) or type(cell).__name__ in ("NaTType", "NAType")


def _cell_text(cell: Any) -> str:
    # datetime.date, datetime.datetime and pandas.Timestamp: the day, as offices write it.
    strftime = getattr(cell, "strftime", None)
    if callable(strftime):
        return str(strftime("%d/%m/%Y"))
    return str(cell)
