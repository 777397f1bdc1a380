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

Tables are pandas DataFrames by default; pass ``backend="polars"`` for polars, and
``exact=False`` for floats.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from . import _parindex
from ._errors import CriteriaError, Diagnostic, InputError, NotFoundError, ParindexError
from ._frames import Backend, check_backend, to_frame
from ._input import read_csv_text
from ._results import Results, ScoreWarning, compare
from ._sensitivity import Sensitivity, sensitivity
from ._set import CriteriaSet
from ._targets import targets

__version__: str = _parindex.__version__

__all__ = [
    "CriteriaError",
    "CriteriaSet",
    "Diagnostic",
    "InputError",
    "NotFoundError",
    "ParindexError",
    "Results",
    "ScoreWarning",
    "Sensitivity",
    "SetInfo",
    "__version__",
    "compare",
    "load",
    "loads",
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


def load(id_or_path: Any) -> CriteriaSet:
    """Loads a criteria set: a shipped set by id (``"binh-thuan-police/commune/2024"``), or
    a TOML file by path (``str`` or :class:`os.PathLike`).

    Raises :class:`CriteriaError` (a :class:`ValueError`) with the file, line, column and
    code of the first error, and every diagnostic in ``.diagnostics``.
    """
    return CriteriaSet(_parindex.load(id_or_path))


def loads(text: str, path: str = "<string>") -> CriteriaSet:
    """Loads a criteria set from TOML text; ``path`` names it in messages."""
    if not isinstance(text, str):
        raise TypeError(f"loads() takes TOML text (str), not a {type(text).__name__}")
    return CriteriaSet(_parindex.loads(text, path))


def samples() -> list[str]:
    """The ids of the sets that have a sample batch (synthetic data, for demos)."""
    return list(_parindex.samples())


def sample(id: str = "binh-thuan-police/commune/2024", *, backend: Backend = "pandas") -> Any:
    """A sample batch for a shipped set, as a wide DataFrame of text cells.

    **Every figure is invented** (see ``criteria/samples/README.md``): the batches exist for
    demos and tests, and describe no real unit. They are embedded in the extension, so they
    work from an installed wheel.
    """
    backend = check_backend(backend)
    columns = read_csv_text(_parindex.sample_csv(id))
    return to_frame([(name, "text", values) for name, values in columns.items()], backend)


def __getattr__(name: str) -> Any:
    # `parindex.plot` imports on first use, so `import parindex` never imports matplotlib.
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module 'parindex' has no attribute {name!r}")
