"""The exceptions parindex raises, and the diagnostics a criteria file can carry.

Every exception is a :class:`ParindexError`, a subclass of :class:`ValueError`, so that
``except ValueError`` catches them all. Each carries where the problem is: ``path``, ``line``,
``column`` and the ``code`` of the criterion concerned (any of them ``None`` when unknown).
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass

__all__ = [
    "CriteriaError",
    "Diagnostic",
    "InputError",
    "NotFoundError",
    "ParindexError",
    "PathNotFoundError",
]


@dataclass(frozen=True)
class Diagnostic:
    """One error or warning about a criteria file.

    ``str(diagnostic)`` gives the form editors and CI understand:
    ``file:line:column: error[check] code: message``.
    """

    severity: str
    """``"error"`` or ``"warning"``."""
    check: str
    """The check that fired, as an ``[[acknowledge]]`` entry would name it."""
    path: str
    """The file, as it was named."""
    line: int | None
    """The 1-based line, or ``None`` when unknown."""
    column: int | None
    """The 1-based column, counted in characters, or ``None`` when unknown."""
    code: str | None
    """The code of the node concerned, if any."""
    message: str
    """What is wrong, in words."""

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        return (
            f"{self.path}:{self.line or 0}:{self.column or 0}: "
            f"{self.severity}[{self.check}]{code}: {self.message}"
        )


class ParindexError(ValueError):
    """Any error parindex reports: a bad criteria file, bad input data, or a bug.

    Attributes ``path``, ``line``, ``column`` and ``code`` locate it; each is ``None`` when
    it does not apply.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.code = code

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.message, self.__dict__))


def _rebuild(cls: type[ParindexError], message: str, state: dict[str, object]) -> ParindexError:
    error = cls.__new__(cls)
    ValueError.__init__(error, message)
    error.__dict__.update(state)
    return error


class CriteriaError(ParindexError):
    """A criteria file that does not load.

    ``path``, ``line``, ``column`` and ``code`` locate its first error; ``diagnostics`` holds
    every error found, then the warnings, each a :class:`Diagnostic`.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        code: str | None = None,
        diagnostics: list[Diagnostic] | None = None,
    ) -> None:
        super().__init__(message, path=path, line=line, column=column, code=code)
        self.diagnostics: list[Diagnostic] = list(diagnostics or [])


class InputError(ParindexError):
    """Input data that cannot be scored: a value outside its rule, an unknown column, a
    duplicate unit.

    For a file, ``path``, ``line`` and ``column`` point into it (for a workbook, ``sheet``
    names the sheet and ``line``/``column`` are the cell's row and column). For in-memory data
    ``path`` is ``None``, ``line`` is the 1-based row and ``column`` the 1-based column
    position. ``code`` is the criterion (or attribute) concerned and ``unit`` the unit;
    ``problems`` lists every ``(unit, code, message)`` found (the unit is ``""`` where a file
    reader does not know it).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        code: str | None = None,
        unit: str | None = None,
        sheet: str | None = None,
        problems: list[tuple[str, str, str]] | None = None,
    ) -> None:
        super().__init__(message, path=path, line=line, column=column, code=code)
        self.unit = unit
        self.sheet = sheet
        self.problems: list[tuple[str, str, str]] = list(problems or [])


class NotFoundError(ParindexError, KeyError):
    """A unit, a sample or another name that is not there, such as
    ``results.explain("NO-SUCH-UNIT")``.

    It is both a :class:`ParindexError` (so a :class:`ValueError`) and a :class:`KeyError`, so
    that either ``except`` catches it.
    """


class PathNotFoundError(FileNotFoundError, ParindexError):
    """A file named to parindex (a criteria set, an input file, a plan or a records file) that
    does not exist.

    It is both a :class:`FileNotFoundError` (``errno``, ``strerror`` and ``filename`` as
    usual) and a :class:`ParindexError` (so a :class:`ValueError`), with ``path`` set.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        name = os.fspath(path)
        FileNotFoundError.__init__(self, errno.ENOENT, os.strerror(errno.ENOENT), name)
        self.message = f"{name}: no such file"
        self.path = name
        self.line = None
        self.column = None
        self.code = None

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.path,))
