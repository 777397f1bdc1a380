"""The doors agree: the same units given as a CSV file, a list of dicts, a pandas and a polars
DataFrame give the same results document, byte for byte, or the same problems at the same
unit, criterion and cell. Each kind of data is read by the same layout reader and cell grammar
as a file (criteria/FORMAT.md, "Reading a cell")."""

from __future__ import annotations

import datetime
import functools
import pathlib
import random
import re
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parindex

CANDIDATES = [
    "có", "co\u0301", "không", "yes", "0", "1", "2", "3", "5", "12", "0.5", "1.5", "50", "75",
    "80", "87.5", "100", "87.5%", "0.5%", "45/50", "9/9", "7/9", "đúng hạn", "trễ hạn",
    "15/01/2024", "2024-03-31", "31/12/2024", "85%", "17/20", "N/A",
]
SETS = [s.id for s in parindex.sets()]


@functools.lru_cache(maxsize=None)
def accepted(set_id: str) -> dict[str, list[str]]:
    """Per leaf, the candidate texts its rule takes on their own (checked through one door)."""
    criteria = parindex.load(set_id)
    nodes = criteria.nodes(backend="pandas")
    # Scored one unit at a time, a relative rule would compare a unit with itself only.
    relative = set(nodes.loc[nodes["rule"] == "relative", "code"])
    taken: dict[str, list[str]] = {}
    for code in criteria.leaf_codes:
        taken[code] = []
        for text in CANDIDATES:
            try:
                criteria.score([{"unit": "probe", code: text}])
            except parindex.InputError:
                continue
            taken[code].append(text)
        if code in relative:
            taken[code] = [t for t in taken[code] if t not in ("N/A",)]
    return taken


def typed(text: str | None) -> Any:
    """A text as the value a frame or a JSON-like dict would hold."""
    if text is None:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text) and len(text) < 15:
        return float(text)
    day = re.fullmatch(r"(\d\d)/(\d\d)/(\d{4})", text)
    if day:
        return datetime.date(int(day[3]), int(day[2]), int(day[1]))
    return text


def random_rows(set_id: str, seed: int) -> list[dict[str, str | None]]:
    """Wide rows, one per unit and stage, with every leaf as a column."""
    rng = random.Random(seed)
    criteria = parindex.load(set_id)
    taken = accepted(set_id)
    relative = {c for c, texts in taken.items() if "N/A" not in texts and texts}
    rows = []
    for unit in range(rng.randint(2, 6)):
        for stage, share in zip(criteria.stages, (85, 30)):
            row: dict[str, str | None] = {"unit": f"U-{unit:02}", "stage": stage}
            given = False
            for code in criteria.leaf_codes:
                always = code in relative and stage == criteria.stages[0]
                if taken[code] and (always or rng.randrange(100) < share):
                    row[code] = rng.choice(taken[code])
                    given = True
                else:
                    row[code] = None
            if given or stage == criteria.stages[0]:
                rows.append(row)
    return rows


def outcome(criteria: parindex.CriteriaSet, data: Any) -> tuple[str, Any]:
    try:
        return ("ok", criteria.score(data).to_json())
    except parindex.InputError as error:
        return ("refused", [(p[0], p[1]) for p in error.problems])


def through_every_door(set_id: str, rows: list[dict[str, str | None]], tmp: pathlib.Path) -> dict[str, Any]:
    criteria = parindex.load(set_id)
    names = list(rows[0])
    path = tmp / "units.csv"
    pd.DataFrame(rows, columns=names).to_csv(path, index=False)
    native = [{k: typed(v) for k, v in row.items()} for row in rows]
    frame = pd.DataFrame(native, columns=names)
    polars = pl.DataFrame(
        {name: [row[name] for row in rows] for name in names}, schema={name: pl.Utf8 for name in names}
    )
    # Columns that hold only plain numbers become float columns, as a reader would make them.
    for name in names:
        texts = [t for t in polars[name].to_list() if t is not None]
        if texts and all(isinstance(typed(t), float) for t in texts):
            polars = polars.with_columns(pl.col(name).cast(pl.Float64))
    return {
        "CSV file": outcome(criteria, path),
        "list of dicts": outcome(criteria, native),
        "pandas": outcome(criteria, frame),
        "polars": outcome(criteria, polars),
    }


@pytest.mark.parametrize("set_id", SETS)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_every_door_gives_the_same_document(set_id: str, seed: int, tmp_path: pathlib.Path) -> None:
    rows = random_rows(set_id, seed)
    outcomes = through_every_door(set_id, rows, tmp_path)
    expected = outcomes["CSV file"]
    assert expected[0] == "ok", expected
    for door, got in outcomes.items():
        assert got == expected, f"{door} and the CSV file disagree"


@pytest.mark.parametrize("set_id", SETS)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_every_door_refuses_the_same_cell(set_id: str, seed: int, tmp_path: pathlib.Path) -> None:
    rows = random_rows(set_id, seed)
    rng = random.Random(seed)
    row = rng.randrange(len(rows))
    code = rng.choice(parindex.load(set_id).leaf_codes)
    rows[row][code] = "không rõ"
    outcomes = through_every_door(set_id, rows, tmp_path)
    assert outcomes["CSV file"][0] == "refused"
    assert (rows[row]["unit"], code) in outcomes["CSV file"][1]
    for door, got in outcomes.items():
        assert got == outcomes["CSV file"], f"{door} and the CSV file disagree"


def located(criteria: parindex.CriteriaSet, data: Any) -> tuple[Any, ...]:
    with pytest.raises(parindex.InputError) as caught:
        criteria.score(data)
    error = caught.value
    return (error.unit, error.code, error.line, error.column, str(error).split(": ", 1)[1])


def test_the_same_cell_is_named_by_file_and_frame(commune: parindex.CriteriaSet, tmp_path: pathlib.Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("unit,1.1.2,1.1.4\nA,có,100%\nB,có,1,500%\n".replace("1,500%", '"1,500%"'), encoding="utf-8")
    frame = pd.DataFrame({"unit": ["A", "B"], "1.1.2": ["có", "có"], "1.1.4": ["100%", "1,500%"]})
    from_file = located(commune, path)
    from_frame = located(commune, frame)
    # The file's line counts its header; the frame's row does not.
    assert from_file[:2] == from_frame[:2] == ("B", "1.1.4")
    assert (from_file[2], from_frame[2]) == (3, 2)
    assert from_frame[3] == 3


# Regression tests, one per case the doors used to disagree on.


def test_a_fraction_of_one_is_refused_unless_declared(commune: parindex.CriteriaSet) -> None:
    with pytest.raises(parindex.InputError) as caught:
        commune.score({"unit": ["A"], "1.1.4": [0.875]})
    error = caught.value
    assert (error.unit, error.code, error.line, error.column) == ("A", "1.1.4", 1, 2)
    assert '"0.875" is ambiguous: write 87.5% if it is a fraction of 1, or 0.875% if it is under one percent' in str(error)
    declared = commune.score({"unit": ["A"], "1.1.4": [0.875]}, percents="fraction")
    written = commune.score({"unit": ["A"], "1.1.4": ["87.5%"]})
    assert declared.to_json() == written.to_json()
    with pytest.raises(ValueError, match="not a percent scale"):
        commune.score({"unit": ["A"], "1.1.4": [0.875]}, percents="fractions")


def test_a_percent_formatted_sheet_reads_the_same_from_the_file_and_from_pandas(
    commune: parindex.CriteriaSet, tmp_path: pathlib.Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tự đánh giá"
    sheet.append(["unit", "1.1.4", "1.2.1"])
    for unit, a, b in (("A", 0.875, 1.0), ("B", 0.4, 0.5)):
        sheet.append([unit, a, b])
    for row in sheet.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.number_format = "0.0%"
    path = tmp_path / "units.xlsx"
    book.save(path)
    from_file = commune.score(path)
    frame = pd.read_excel(path)
    assert frame["1.1.4"].tolist() == [0.875, 0.4]
    with pytest.raises(parindex.InputError, match="ambiguous"):
        commune.score(frame)
    assert commune.score(frame, percents="fraction").to_json() == from_file.to_json()


def test_a_float_artefact_reads_as_excel_shows_it(commune: parindex.CriteriaSet) -> None:
    artefact = (0.1 + 0.2) * 100
    assert artefact != 30 and repr(artefact) == "30.000000000000004"
    typed_as_shown = commune.score({"unit": ["A"], "1.2.1": ["30"]})
    assert commune.score({"unit": ["A"], "1.2.1": [artefact]}).to_json() == typed_as_shown.to_json()


def test_decomposed_vietnamese_reads_as_composed(commune: parindex.CriteriaSet) -> None:
    composed = commune.score([{"unit": "A", "1.1.2": "có", "1.1.1": "đúng hạn"}])
    decomposed = commune.score([{"unit": "A", "1.1.2": "co\u0301", "1.1.1": "đu\u0301ng ha\u0323n"}])
    assert composed.to_json() == decomposed.to_json()


def test_the_four_cases_the_list_of_dicts_used_to_refuse(commune: parindex.CriteriaSet, tmp_path: pathlib.Path) -> None:
    cases = [
        ("unit,code,value,evidence\nA,1.1.2,có,x.pdf\n", [{"unit": "A", "code": "1.1.2", "value": "có", "evidence": "x.pdf"}]),
        ("unit,stage,1.1.2\nA,Thẩm định,có\n", [{"unit": "A", "stage": "Thẩm định", "1.1.2": "có"}]),
        ("Unit,1.1.2\nA,có\n", [{"Unit": "A", "1.1.2": "có"}]),
        (
            "unit,code,value,ranked\nA,1.1.2,có,không\nB,1.1.2,có,\n",
            [
                {"unit": "A", "code": "1.1.2", "value": "có", "ranked": "không"},
                {"unit": "B", "code": "1.1.2", "value": "có", "ranked": None},
            ],
        ),
    ]
    for n, (text, rows) in enumerate(cases):
        path = tmp_path / f"case{n}.csv"
        path.write_text(text, encoding="utf-8")
        from_file = commune.score(path)
        assert commune.score(rows).to_json() == from_file.to_json(), text
    ranked = commune.score(cases[3][1]).summary().set_index("unit")
    assert pd.isna(ranked.loc["A", "rank"]) and ranked.loc["B", "rank"] == 1


def test_numbers_written_the_vietnamese_way(commune: parindex.CriteriaSet) -> None:
    written = commune.score([{"unit": "A", "1.1.4": "85,5%", "1.2.1": "87,5"}])
    with_points = commune.score([{"unit": "A", "1.1.4": "85.5%", "1.2.1": "87.5"}])
    assert written.to_json() == with_points.to_json()
    with pytest.raises(parindex.InputError, match='"1,500" could be 1.500 or 1500'):
        commune.score([{"unit": "A", "1.2.1": "1,500"}])
