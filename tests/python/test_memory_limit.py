"""The memory limit of a scoring call, as the command line has it: units whose batch and
results would take more than ``parindex.options.memory_limit`` are refused while they are
read, with a ParindexError saying how many fit, instead of exhausting the interpreter's
memory."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

import parindex


@pytest.fixture()
def one_mib() -> Iterator[None]:
    parindex.options.memory_limit = 1024 * 1024
    try:
        yield
    finally:
        parindex.options.memory_limit = None


def _units(sample_frame: Any, count: int) -> list[dict[str, Any]]:
    rows = sample_frame.to_dict("records")
    return [{**rows[n % len(rows)], "unit": f"U{n:05}", "name": f"Đơn vị {n}"} for n in range(count)]


def test_the_default_is_that_of_the_command_line() -> None:
    assert parindex.options.memory_limit == 360 * 1024 * 1024


def test_units_over_the_limit_are_refused_and_fewer_are_scored(
    commune: parindex.CriteriaSet, sample_frame: Any, one_mib: None
) -> None:
    with pytest.raises(parindex.InputError, match="over the memory limit of 1 MiB") as refused:
        commune.score(_units(sample_frame, 600))
    found = re.search(r"runs of fewer than (\d+)", str(refused.value))
    assert found, str(refused.value)
    fit = int(found.group(1))
    assert 1 < fit < 600
    results = commune.score(_units(sample_frame, fit - 1))
    assert len(results) == fit - 1


def test_the_limit_takes_bytes_and_none_restores_the_default() -> None:
    for bad in (0, -1, 1.5, "1 GB", True):
        with pytest.raises(ValueError, match="positive number of bytes"):
            parindex.options.memory_limit = bad  # type: ignore[assignment]
    parindex.options.memory_limit = 2**40
    assert parindex.options.memory_limit == 2**40
    parindex.options.memory_limit = None
    assert parindex.options.memory_limit == 360 * 1024 * 1024


def test_the_unit_limit_can_be_lowered_or_raised(commune: parindex.CriteriaSet, sample_frame: Any) -> None:
    assert parindex.options.max_units == 100_000
    parindex.options.max_units = 5
    try:
        with pytest.raises(parindex.InputError, match="more than 5 units: a run is limited to 5") as refused:
            commune.score(_units(sample_frame, 6))
        assert "parindex.options.max_units" in str(refused.value)
        assert len(commune.score(_units(sample_frame, 5))) == 5
        for bad in (0, -1, 1.5, "many", True):
            with pytest.raises(ValueError, match="positive number of units"):
                parindex.options.max_units = bad  # type: ignore[assignment]
    finally:
        parindex.options.max_units = None
    assert parindex.options.max_units == 100_000
    assert "max_units=100000" in repr(parindex.options)
