"""parindex: exact scoring of PAR Index criteria sets, for pandas and polars.

The PAR Index (Chỉ số cải cách hành chính) scores wards, departments and officials against a
criteria set that an authority publishes each year. parindex loads those sets as validated
TOML, scores units exactly (points are :class:`decimal.Decimal`, never floats), ranks and
bands them, and explains every point won and lost. The engine is the Rust crate
``parindex-core``; this package is a thin layer over it.

>>> import parindex
>>> s = parindex.load("binh-thuan-police/commune/2024")
>>> results = s.score(parindex.sample(s.id))
>>> results.summary().head()                     # doctest: +SKIP
>>> results.explain("CAP-PHU-THUY")              # doctest: +SKIP

Tables come in the frame library of the data scored (a polars frame in gives polars out),
else pandas when it is installed, else polars; ``parindex.options.backend`` or
``backend=`` chooses. Points are exact decimals (Arrow ``decimal128`` in pandas with pyarrow,
``Decimal`` in polars); ``exact=False`` gives floats.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, overload

from . import _parindex
from ._errors import (
    CriteriaError,
    Diagnostic,
    InputError,
    NotFoundError,
    ParindexError,
    PathNotFoundError,
)
from ._frames import Backend, Frame, Options, options, resolve_backend, to_frame
from ._input import read_csv_text
from ._results import Results, ScoreWarning, compare
from ._sensitivity import Sensitivity, sensitivity
from ._set import CriteriaSet, file_source
from ._targets import targets

if TYPE_CHECKING:
    import pandas
    import polars

    from . import plot as plot

__version__: str = _parindex.__version__

__all__ = [
    "CriteriaError",
    "CriteriaSet",
    "Diagnostic",
    "InputError",
    "NotFoundError",
    "Options",
    "ParindexError",
    "PathNotFoundError",
    "Results",
    "ScoreWarning",
    "Sensitivity",
    "SetInfo",
    "__version__",
    "compare",
    "load",
    "loads",
    "options",
    "plot",
    "sample",
    "samples",
    "sensitivity",
    "sets",
    "targets",
]


class SetInfo(NamedTuple):
    """A shipped criteria set, as listed by :func:`sets`."""

    id: str
    year: int
    level: str
    title: str
    status: str
    path: str


def sets() -> list[SetInfo]:
    """The criteria sets shipped with parindex, by year then id.

    ``pandas.DataFrame(parindex.sets())`` makes a table of them.
    """
    return [SetInfo(**entry) for entry in _parindex.sets()]


def load(id_or_path: str | os.PathLike[str]) -> CriteriaSet:
    """Loads a criteria set: a shipped set by id (``"binh-thuan-police/commune/2024"``), or
    a TOML file by path (``str`` or :class:`os.PathLike`; a ``str`` is a path when it names a
    file or ends in ``.toml``).

    Raises :class:`PathNotFoundError` (a :class:`FileNotFoundError`) for a path that does not
    exist, and :class:`CriteriaError` (a :class:`ValueError`) with the file, line, column and
    code of the first error, and every diagnostic in ``.diagnostics``.
    """
    is_path = isinstance(id_or_path, os.PathLike) or (
        isinstance(id_or_path, str) and (os.path.isfile(id_or_path) or id_or_path.endswith(".toml"))
    )
    if not is_path:
        return CriteriaSet(_parindex.load(id_or_path), ("id", id_or_path) if isinstance(id_or_path, str) else None)
    name = os.fspath(id_or_path)
    if not os.path.exists(name):
        raise PathNotFoundError(name)
    inner = _parindex.load(id_or_path)
    return CriteriaSet(inner, file_source(name, inner.content_hash))


def loads(text: str, path: str = "<string>") -> CriteriaSet:
    """Loads a criteria set from TOML text; ``path`` names it in messages."""
    if not isinstance(text, str):
        raise TypeError(f"loads() takes TOML text (str), not a {type(text).__name__}")
    return CriteriaSet(_parindex.loads(text, path), ("toml", text, path))


def samples() -> list[str]:
    """The ids of the sets that have a sample batch (synthetic data, for demos)."""
    return list(_parindex.samples())


@overload
def sample(
    id: str = ..., *, backend: Literal["pandas"]
) -> pandas.DataFrame: ...
@overload
def sample(
    id: str = ..., *, backend: Literal["polars"]
) -> polars.DataFrame: ...
@overload
def sample(id: str = ..., *, backend: None = ...) -> Frame: ...
def sample(
    id: str = "binh-thuan-police/commune/2024", *, backend: Backend | None = None
) -> Frame:
    """A sample batch for a shipped set, as a wide DataFrame of text cells, in the library
    ``backend=`` or ``parindex.options.backend`` chooses (pandas when installed, else polars).

    **Every figure is invented** (see ``criteria/samples/README.md``): the batches exist for
    demos and tests, and describe no real unit. They are embedded in the extension, so they
    work from an installed wheel.
    """
    chosen = resolve_backend(backend)
    columns = read_csv_text(_parindex.sample_csv(id))
    frame: Frame = to_frame([(name, "text", values) for name, values in columns.items()], chosen)
    return frame


def __getattr__(name: str) -> Any:
    # `parindex.plot` imports on first use, so `import parindex` never imports matplotlib.
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module 'parindex' has no attribute {name!r}")
