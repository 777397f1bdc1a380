"""Columns from the extension → pandas or polars frames, each library imported lazily.

The extension returns a frame as a list of ``(name, kind, values)``, where ``kind`` is one of
``text``, ``decimal:S:D`` (exact decimals with at most ``S`` decimals and ``D`` integer
digits), ``float``, ``int`` and ``bool``.

Exact decimals become typed columns that the frame library computes with:

- pandas with pyarrow installed: ``pd.ArrowDtype(pa.decimal128(precision, scale))``, so that
  ``plot``, ``groupby().mean()``, ``sort_values`` and arithmetic work and stay exact; without
  pyarrow, ``object`` columns of :class:`decimal.Decimal`;
- polars: ``pl.Decimal(precision, scale)``.

The scale is the most decimals any value of the column has (a reported index has the set's
decimals); the precision adds the integer digits the set's totals and the values need.
``exact=False`` gives ``float64`` columns instead, for plotting.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any, Literal, Sequence, TypeAlias, Union

from . import _parindex

if TYPE_CHECKING:
    import pandas
    import polars

Backend = Literal["pandas", "polars"]
Columns = Sequence[tuple[str, str, list[Any]]]
#: A pandas or a polars DataFrame: what a table method returns without ``backend=``.
Frame: TypeAlias = Union["pandas.DataFrame", "polars.DataFrame"]

_EXTRAS = {"pandas": "pandas", "polars": "polars", "matplotlib": "plot", "pyarrow": "arrow"}

__all__ = ["Backend", "Frame", "Options", "options", "resolve_backend", "to_frame"]


def require(module: str) -> Any:
    """Imports an optional dependency, saying which extra installs it when it is missing."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        top = module.split(".")[0]
        extra = _EXTRAS.get(top, top)
        raise ImportError(
            f"this needs {top}: pip install {top} (or pip install 'parindex[{extra}]')"
        ) from error


def installed(module: str) -> bool:
    """Whether an optional dependency can be imported, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def check_backend(backend: object) -> Backend:
    """Checks a ``backend=`` argument."""
    # Compared only as a str: a frame's `==` compares element by element.
    if isinstance(backend, str) and backend in ("pandas", "polars"):
        return backend  # type: ignore[return-value]
    raise ValueError(f"backend must be 'pandas' or 'polars', not {backend!r}")


class Options:
    """Package-wide settings, as ``parindex.options``.

    ``backend`` is the frame library every table method returns when no ``backend=`` is
    given: ``"pandas"``, ``"polars"``, or ``"auto"`` (the default), which returns the library
    of the data that was scored (a polars frame in gives polars out), else pandas when it is
    installed, else polars.

    ``memory_limit`` is the most memory, in bytes, the units and results of one scoring call
    may take (360 MiB by default, as on the command line); a larger call raises
    :class:`InputError` before it scores, saying how many units fit. ``None`` restores the
    default.

    ``max_units`` is the most units one scoring call reads (100,000 by default, as on the
    command line's ``--max-units``); the unit beyond it raises :class:`InputError`. Raising it
    lets a call read more, within ``memory_limit``. ``None`` restores the default.

    >>> import parindex
    >>> parindex.options.backend = "polars"   # doctest: +SKIP
    """

    __slots__ = ("_backend",)

    def __init__(self) -> None:
        self._backend: Literal["auto", "pandas", "polars"] = "auto"

    @property
    def backend(self) -> Literal["auto", "pandas", "polars"]:
        """``"auto"``, ``"pandas"`` or ``"polars"``."""
        return self._backend

    @backend.setter
    def backend(self, value: Literal["auto", "pandas", "polars"]) -> None:
        if not (isinstance(value, str) and value in ("auto", "pandas", "polars")):
            raise ValueError(f"options.backend must be 'auto', 'pandas' or 'polars', not {value!r}")
        self._backend = value

    @property
    def memory_limit(self) -> int:
        """The most memory, in bytes, one scoring call's units and results may take."""
        return _parindex.memory_limit()

    @memory_limit.setter
    def memory_limit(self, value: int | None) -> None:
        if value is None:
            value = _parindex.MAX_SCORING_BYTES
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"options.memory_limit must be a positive number of bytes, not {value!r}")
        _parindex.set_memory_limit(min(value, 2**64 - 1))

    @property
    def max_units(self) -> int:
        """The most units one scoring call reads."""
        return _parindex.max_units()

    @max_units.setter
    def max_units(self, value: int | None) -> None:
        if value is None:
            value = _parindex.MAX_UNITS
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"options.max_units must be a positive number of units, not {value!r}")
        _parindex.set_max_units(min(value, 2**64 - 1))

    def __repr__(self) -> str:
        return (
            f"parindex.options(backend={self._backend!r}, memory_limit={self.memory_limit}, "
            f"max_units={self.max_units})"
        )


options = Options()


def resolve_backend(backend: object = None, origin: Backend | None = None) -> Backend:
    """The library a table is returned in: ``backend=`` when given, else
    ``options.backend``, else the library of the data scored (``origin``), else pandas when
    installed, else polars."""
    if backend is not None:
        return check_backend(backend)
    if options.backend != "auto":
        return options.backend
    if origin is not None and installed(origin):
        return origin
    if installed("pandas"):
        return "pandas"
    if installed("polars"):
        return "polars"
    raise ImportError(
        "tables need pandas or polars: pip install pandas (or polars), "
        "or pip install 'parindex[pandas]'"
    )


def to_frame(columns: Columns, backend: Backend = "pandas", digits: int = 1) -> Any:
    """Builds a pandas or polars frame from extension columns; ``digits`` is the fewest
    integer digits an exact column is given room for (the set's totals')."""
    if check_backend(backend) == "polars":
        return _polars(columns, digits)
    return _pandas(columns, digits)


def as_dict(columns: Columns) -> dict[str, list[Any]]:
    """Extension columns as a plain ``dict`` of lists, for code that needs no frame library."""
    return {name: values for name, _, values in columns}


def _decimal_shape(kind: str, digits: int) -> tuple[int, int] | None:
    """``(precision, scale)`` for a ``decimal:S:D`` column, or ``None`` beyond 38 digits."""
    _, scale_text, digits_text = (kind.split(":") + ["0", "1"])[:3]
    scale, integer = int(scale_text), max(int(digits_text), digits)
    precision = scale + integer
    if precision > 38:
        return None
    return precision, scale


def _pandas(columns: Columns, digits: int) -> Any:
    pd = require("pandas")
    arrow = installed("pyarrow")
    data: dict[str, Any] = {}
    for name, kind, values in columns:
        if kind.startswith("decimal"):
            shape = _decimal_shape(kind, digits) if arrow else None
            if shape is None:
                data[name] = pd.Series(values, dtype=object)
            else:
                pa = require("pyarrow")
                dtype = pa.decimal128(*shape)
                data[name] = pd.array(pa.array(values, type=dtype), dtype=pd.ArrowDtype(dtype))
        elif kind == "text":
            data[name] = pd.Series(values, dtype=object)
        elif kind == "int":
            data[name] = pd.array(values, dtype="Int64")
        elif kind == "float":
            data[name] = pd.array([float("nan") if v is None else v for v in values], dtype="float64")
        elif kind == "bool":
            data[name] = pd.array(values, dtype="bool")
        else:
            data[name] = values
    return pd.DataFrame(data)


def _polars(columns: Columns, digits: int) -> Any:
    pl = require("polars")
    series = []
    for name, kind, values in columns:
        if kind.startswith("decimal"):
            shape = _decimal_shape(kind, digits)
            if shape is None:  # beyond 38 digits: keep the Python objects, still exact
                series.append(pl.Series(name, values, dtype=pl.Object))
            else:
                series.append(pl.Series(name, values, dtype=pl.Decimal(*shape)))
        elif kind == "int":
            series.append(pl.Series(name, values, dtype=pl.Int64))
        elif kind == "float":
            series.append(pl.Series(name, values, dtype=pl.Float64))
        elif kind == "bool":
            series.append(pl.Series(name, values, dtype=pl.Boolean))
        else:
            series.append(pl.Series(name, values, dtype=pl.String))
    return pl.DataFrame(series)
