"""Columns from the extension → pandas or polars frames, each library imported lazily.

The extension returns a frame as a list of ``(name, kind, values)``, where ``kind`` is one of
``text``, ``decimal``, ``float``, ``int`` and ``bool``. Decimals stay :class:`decimal.Decimal`:
an ``object`` column in pandas, a ``Decimal`` column in polars.
"""

from __future__ import annotations

import importlib
from typing import Any, Literal, Sequence

Backend = Literal["pandas", "polars"]
Columns = Sequence[tuple[str, str, list[Any]]]

_EXTRAS = {"pandas": "pandas", "polars": "polars", "matplotlib": "plot"}


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


def check_backend(backend: object) -> Backend:
    """Checks a ``backend=`` argument."""
    # Compared only as a str: a frame's `==` compares element by element.
    if isinstance(backend, str) and backend in ("pandas", "polars"):
        return backend  # type: ignore[return-value]
    raise ValueError(f"backend must be 'pandas' or 'polars', not {backend!r}")


def to_frame(columns: Columns, backend: Backend = "pandas") -> Any:
    """Builds a pandas or polars frame from extension columns."""
    if check_backend(backend) == "polars":
        return _polars(columns)
    return _pandas(columns)


def as_dict(columns: Columns) -> dict[str, list[Any]]:
    """Extension columns as a plain ``dict`` of lists, for code that needs no frame library."""
    return {name: values for name, _, values in columns}


def _pandas(columns: Columns) -> Any:
    pd = require("pandas")
    data: dict[str, Any] = {}
    for name, kind, values in columns:
        if kind == "decimal" or kind == "text":
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


def _decimal_dtype(pl: Any, values: list[Any]) -> Any:
    """The narrowest polars ``Decimal`` that holds every value exactly."""
    scale = 0
    integer_digits = 1
    for value in values:
        if value is None:
            continue
        sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)
        scale = max(scale, -exponent)
        integer_digits = max(integer_digits, len(digits) + exponent)
    if integer_digits + scale > 38:
        return None
    return pl.Decimal(precision=38, scale=scale)


def _polars(columns: Columns) -> Any:
    pl = require("polars")
    series = []
    for name, kind, values in columns:
        if kind == "decimal":
            dtype = _decimal_dtype(pl, values)
            if dtype is None:  # beyond 38 digits: keep the Python objects, still exact
                series.append(pl.Series(name, values, dtype=pl.Object))
            else:
                series.append(pl.Series(name, values, dtype=dtype))
        elif kind == "int":
            series.append(pl.Series(name, values, dtype=pl.Int64))
        elif kind == "float":
            series.append(pl.Series(name, values, dtype=pl.Float64))
        elif kind == "bool":
            series.append(pl.Series(name, values, dtype=pl.Boolean))
        else:
            series.append(pl.Series(name, values, dtype=pl.String))
    return pl.DataFrame(series)

