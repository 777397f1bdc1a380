"""Results by reform area, the comparison of two sets by reform area, and programme targets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

import parindex
from conftest import ROOT

PROGRAMMES = ROOT / "programmes"
PLANS = ROOT / "plans" / "2018"


def test_by_reform_area_gives_each_units_sub_index(sample_results: parindex.Results) -> None:
    frame = sample_results.by_reform_area()
    assert list(frame.columns) == [
        "unit", "area", "name", "name_en", "points", "max", "lost", "index", "index_exact",
    ]
    assert len(frame) == 30 * 7
    assert list(frame["area"].unique()) == [
        "direction", "institutional", "procedures", "organisation", "civil-service", "modernisation", "impact",
    ]
    # The reform areas share out each unit's total and applicable maximum (the commune set has
    # no bonus block and classifies every row).
    summary = sample_results.summary().set_index("unit")
    for unit, rows in frame.groupby("unit"):
        assert sum(rows["points"], Decimal(0)) == summary.loc[unit, "total"]
        assert sum(rows["max"], Decimal(0)) == summary.loc[unit, "max"]
    row = frame[(frame["unit"] == "CAP-TAN-THIEN") & (frame["area"] == "direction")].iloc[0]
    assert (row["points"], row["max"], row["index"]) == (Decimal(16), Decimal(17), Decimal("94.12"))
    floats = sample_results.by_reform_area(exact=False, backend="polars")
    assert floats["index"].dtype.is_float()


def test_two_sets_are_compared_by_reform_area(sample_results: parindex.Results) -> None:
    division = parindex.load("binh-thuan-police/division-procedures/2024")
    divisions = division.score(parindex.sample(division.id))
    frame = parindex.compare(divisions, sample_results, reform_areas=True)
    assert list(frame["area"]) == [
        "direction", "institutional", "procedures", "organisation", "civil-service",
        "public-finance", "modernisation", "impact",
    ]
    finance = frame[frame["area"] == "public-finance"].iloc[0]
    assert (finance["units_before"], finance["units_after"]) == (12, 0)
    assert pd.isna(finance["mean_after"])  # no unit of the commune set has a public-finance row
    with pytest.raises(ValueError, match="reform_areas=True takes neither"):
        parindex.compare(divisions, sample_results, reform_areas=True, areas=True)


def test_targets_from_a_table_the_plan_and_results(sample_results: parindex.Results) -> None:
    dialogues = [
        {"target": "T01", "year": 2018, "unit": "ubnd-thanh-pho", "value": 2},
        {"target": "T01", "year": 2018, "unit": "phuong-chanh-lo", "value": 1},
        {"target": "T03", "year": 2018, "unit": "", "value": 4},
    ]
    frame = parindex.targets(
        PROGRAMMES / "quang-ngai-city-2018.toml",
        year=2018,
        measured=[dialogues, sample_results],
        plan=PLANS / "quang-ngai-city.toml",
        completions=PLANS / "quang-ngai-city-completions.csv",
    )
    statuses = dict(zip(frame["target"], frame["status"]))
    assert statuses == {"T01": "behind", "T02": "behind", "T03": "met"}
    t01 = frame[frame["target"] == "T01"].iloc[0]
    assert (t01["units_meeting"], t01["units"], t01["share_meeting"]) == (1, 2, Decimal(50))
    assert t01["measured"] == "50% (1 of 2 units)"
    t02 = frame[frame["target"] == "T02"].iloc[0]
    assert t02["source"] == "plan quang-ngai-city/2018, task 2.8: done 18/05/2018, 48 days after 31/03/2018"
    none = parindex.targets(PROGRAMMES / "quang-ngai-city-2018.toml", year=2018, backend="polars")
    assert none["status"].to_list() == ["no-data"] * 3


def test_targets_refuse_what_the_command_line_refuses() -> None:
    with pytest.raises(parindex.InputError, match="has no target T09"):
        parindex.targets(
            PROGRAMMES / "quang-ngai-city-2018.toml",
            year=2018,
            measured=[{"target": "T09", "year": 2018, "value": 1}],
        )
    with pytest.raises(ValueError, match="plan= and completions= go together"):
        parindex.targets(PROGRAMMES / "quang-ngai-city-2018.toml", year=2018, plan=PLANS / "quang-ngai-city.toml")
    with pytest.raises(parindex.CriteriaError):
        parindex.targets(ROOT / "criteria" / "2024" / "binh-thuan-police-commune.toml", year=2024)
    with pytest.raises(TypeError):
        parindex.targets(PROGRAMMES / "quang-ngai-city-2018.toml", year="2018")  # type: ignore[arg-type]


def _statuses(frame: Any) -> set[str]:
    return set(frame["status"])


def test_every_seed_programme_loads() -> None:
    for path in sorted(PROGRAMMES.glob("*.toml")):
        frame = parindex.targets(path, year=2015)
        assert _statuses(frame) == {"no-data"}, path
        assert set(frame["area"]) <= {
            "direction", "institutional", "procedures", "organisation", "civil-service",
            "public-finance", "modernisation", "impact",
        }
