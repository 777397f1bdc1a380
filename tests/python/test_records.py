"""Measurements from the year's records through the Python API: the Quảng Ngãi city 2018 plan
with its completion records, and raw survey answers, as files and as DataFrames. The expected
figures are worked out by hand in the comments."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pandas as pd
import polars as pl
import pytest

import parindex

from conftest import COMMUNE, ROOT

DIVISION = "binh-thuan-police/division-procedures/2024"
PLANS = ROOT / "plans" / "2018"


def test_plan_and_completion_files_measure_each_department() -> None:
    results = parindex.load(DIVISION).score(
        PLANS / "quang-ngai-city-departments.csv",
        plan=PLANS / "quang-ngai-city.toml",
        completions=PLANS / "quang-ngai-city-completions.csv",
    )
    # Phòng Kinh tế leads nine tasks; 1.2 not done; 2.12 due 31/03/2018, done 10/04/2018.
    explained = results.explain("kinh-te")
    row = explained[explained["code"] == "1.1.4"].iloc[0]
    assert row["points"] == Decimal("0.5")
    assert row["reason"].startswith("8 of 9 plan tasks done, 7 on time; late: 2.12; not done: 1.2")
    tasks = results.tasks()
    mine = tasks[tasks["unit"] == "kinh-te"]
    assert list(mine["task"]) == ["1.1", "1.2", "2.3", "2.4", "2.5", "2.12", "3.2", "3.5", "3.6"]
    late = mine[mine["task"] == "2.12"].iloc[0]
    assert (late["due"], late["done"], late["outcome"], late["days_late"]) == (
        "31/03/2018",
        "10/04/2018",
        "late",
        10,
    )
    assert mine[mine["task"] == "1.2"].iloc[0]["outcome"] == "not-done"
    assert isinstance(results.tasks(backend="polars"), pl.DataFrame)


def test_completions_as_a_dataframe_with_real_dates() -> None:
    units = pd.DataFrame({"unit": ["tu-phap"]})
    # Phòng Tư pháp leads 1.1 and 1.2 through phong-ban, and 1.3, 1.4 itself, among others;
    # here only 1.3 (due in 01/2018) is recorded, done 31/01/2018: on time.
    done = pd.DataFrame(
        {
            "unit": ["tu-phap"],
            "task": ["1.3"],
            "done": [datetime.date(2018, 1, 31)],
            "product": ["KH 01/KH-PTP"],
        }
    )
    results = parindex.load(DIVISION).score(
        units, plan=PLANS / "quang-ngai-city.toml", completions=done
    )
    tasks = results.tasks()
    row = tasks[tasks["task"] == "1.3"].iloc[0]
    assert (row["done"], row["outcome"], row["product"]) == ("31/01/2018", "on-time", "KH 01/KH-PTP")
    assert (tasks["outcome"] == "on-time").sum() == 1


def test_survey_answers_are_tallied_with_their_intervals() -> None:
    answers = [{"unit": "CAP-A", "item": "3.2.2", "answer": "có"}] * 8 + [
        {"unit": "CAP-A", "item": "3.2.2", "answer": "không"}
    ] * 2
    units = [{"unit": "CAP-A", "1.1.1": "đúng hạn"}]
    results = parindex.load(COMMUNE).score(units, survey=answers)
    # 8 of 10 = 80%, in the tier 70 <= x <= 100: 1 point; Wilson 95%: 0.4902 to 0.9433.
    assert results.detail().set_index(["unit", "code"]).loc[("CAP-A", "3.2.2"), "points"] == Decimal("1")
    surveys = results.surveys()
    row = surveys.iloc[0]
    assert (row["code"], row["respondents"], row["satisfied"], row["share"]) == ("3.2.2", 10, 8, Decimal("80"))
    assert row["ci_low"] == pytest.approx(0.490162, abs=1e-6)
    assert row["ci_high"] == pytest.approx(0.943318, abs=1e-6)
    assert str(surveys["share"].dtype) == "decimal128(4, 0)[pyarrow]"
    assert results.surveys(exact=False)["share"].dtype == "float64"


def test_bad_records_raise_input_errors_with_their_place() -> None:
    commune = parindex.load(COMMUNE)
    units = [{"unit": "CAP-A"}]
    answers = pd.DataFrame({"unit": ["CAP-A", "CAP-A"], "item": ["3.2.2", "3.2.2"], "answer": ["có", "maybe"]})
    with pytest.raises(parindex.InputError) as caught:
        commune.score(units, survey=answers)
    assert caught.value.line == 3
    assert "\"maybe\" is neither satisfied" in str(caught.value)
    with pytest.raises(ValueError, match="go together"):
        commune.score(units, plan=PLANS / "quang-ngai-city.toml")
    with pytest.raises(TypeError):
        commune.score(units, survey=42)
    with pytest.raises(parindex.CriteriaError):
        commune.score(units, plan=PLANS / "quang-ngai-city-completions.csv", completions=[{"unit": "x", "task": "1", "done": ""}])
