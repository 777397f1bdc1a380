"""Shared fixtures: the package is imported as a user would, from the installed build."""

from __future__ import annotations

import pathlib
import tomllib
from typing import Any

import pytest

import parindex

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
COMMUNE = "binh-thuan-police/commune/2024"


@pytest.fixture(scope="session")
def commune() -> parindex.CriteriaSet:
    return parindex.load(COMMUNE)


@pytest.fixture(scope="session")
def sample_frame() -> Any:
    return parindex.sample(COMMUNE)


@pytest.fixture(scope="session")
def sample_results(commune: parindex.CriteriaSet, sample_frame: Any) -> parindex.Results:
    return commune.score(sample_frame)


def golden_files() -> list[tuple[str, pathlib.Path]]:
    """Every golden file, with its set id (its path under tests/golden/)."""
    return [
        (str(path.parent.relative_to(GOLDEN)), path)
        for path in sorted(GOLDEN.glob("**/units.toml"))
    ]


def golden_units() -> list[tuple[str, dict[str, Any]]]:
    units = []
    for set_id, path in golden_files():
        for unit in tomllib.loads(path.read_text(encoding="utf-8"))["unit"]:
            units.append((set_id, unit))
    return units


def golden_rows(unit: dict[str, Any], first_stage: str) -> list[dict[str, Any]]:
    """A golden unit as rows of the long layout: unit, code, value, stage and attributes."""
    attributes = unit.get("attributes", {})
    rows = []
    stages = [(first_stage, unit.get("values", {}))] + list(unit.get("stages", {}).items())
    for stage, values in stages:
        for code, value in values.items():
            rows.append({"unit": unit["id"], "code": code, "value": value, "stage": stage, **attributes})
    if not rows:
        rows.append({"unit": unit["id"], "code": None, "value": None, "stage": None, **attributes})
    return rows
