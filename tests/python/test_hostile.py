"""Hostile inputs through the Python package: every class of hostile file, and hostile in-memory
data, is a ``ParindexError`` (a ``ValueError``) that says where, never a crash of the
interpreter, a ``PanicException`` or memory without end."""

from __future__ import annotations

import pytest

import parindex

from conftest import ROOT

BAD = ROOT / "tests" / "bad"
HEADER = ["unit", "name", "kind", "1.1", "1.2", "1.3", "2.1", "2.2"]
GOOD = ["A", "Phường Phú Thủy", "ward", "có", "87.5", "15/01/2024", "3", "2"]

# One file or more per class of the hostile-files table, from the bad-input corpus.
HOSTILE_FILES = [
    # Files that panic or abort legacy readers: .xls (also renamed .xlsx) and .ods.
    ("xls-looping-fat.xls", "Excel 97–2003 workbook (.xls)"),
    ("xls-renamed.xlsx", "Excel 97–2003 workbook (.xls)"),
    ("ods-repeated-rows.ods", "OpenDocument spreadsheet (.ods)"),
    # Cells allocated without end.
    ("xlsx-far-reference.xlsx", "beyond Excel's last cell XFD1048576"),
    ("xlsx-row-beyond-excel.xlsx", "beyond Excel's last row 1048576"),
    ("xlsx-merge-whole-sheet.xlsx", "more than 10000000 cells"),
    ("xlsx-empty-cells.xlsx", "more than 10000000 cells"),
    ("xlsx-formula-cells.xlsx", "more than 10000000 cells"),
    ("xlsx-many-merges.xlsx", "more than 10000000 cells"),
    ("xlsx-shared-strings-bomb.xlsx", "shared strings are more than 67108864 bytes"),
    ("xlsx-endless-text.xlsx", "without markup"),
    ("xlsx-cells-out-of-order.xlsx", "out of order"),
    # What would have been a silently wrong score.
    ("xlsx-date-1904.xlsx", "the date 15/03/2024"),
    ("json-duplicate-units.json", 'the key "units" appears twice'),
    ("too-many-digits.csv", "has 31 significant digits"),
    ("underscore-in-number.csv", '"8_7.5" is not a percentage'),
    # Look-alike and invisible ids.
    ("unit-id-fullwidth.csv", 'looks like the unit id "A"'),
    ("unit-id-invisible.csv", "invisible character U+200B"),
    ("unit-id-mixed-script.csv", "mixes scripts"),
]


@pytest.fixture(scope="module")
def corpus_set() -> parindex.CriteriaSet:
    return parindex.load(BAD / "set.toml")


@pytest.mark.parametrize(("name", "message"), HOSTILE_FILES)
def test_every_hostile_file_is_a_located_error(
    corpus_set: parindex.CriteriaSet, name: str, message: str
) -> None:
    path = BAD / "inputs" / name
    with pytest.raises(parindex.ParindexError) as caught:
        corpus_set.score(path)
    assert isinstance(caught.value, ValueError)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("tier-bound-too-many-digits.toml", "has 31 significant digits"),
        ("tiny-number.toml", "has more than 28 decimals"),
        ("code-invisible.toml", "invisible character U+200B"),
        ("code-mixed-script.toml", "a letter of another script than Latin"),
        ("stage-with-slash.toml", "which a sheet name may not"),
        ("level-key-comma.toml", "holds a comma"),
    ],
)
def test_hostile_criteria_files_are_criteria_errors(name: str, message: str) -> None:
    with pytest.raises(parindex.CriteriaError) as caught:
        parindex.load(BAD / "criteria" / name)
    assert message in str(caught.value)


def test_hostile_records_files_are_errors(corpus_set: parindex.CriteriaSet) -> None:
    units = {name: [value] for name, value in zip(HEADER, GOOD)}
    with pytest.raises(parindex.ParindexError, match="more than 10000000 cells"):
        corpus_set.score(units, survey=BAD / "records" / "survey-empty-cells.xlsx")


def test_in_memory_data_is_held_to_the_unit_limit(corpus_set: parindex.CriteriaSet) -> None:
    units = {"unit": [f"U{n}" for n in range(100_001)], "1.1": ["có"] * 100_001}
    with pytest.raises(parindex.InputError, match="more than 100000 units"):
        corpus_set.score(units)


def test_in_memory_data_is_held_to_the_column_limit(corpus_set: parindex.CriteriaSet) -> None:
    # One row of 100,000 columns: refused at once, as a CSV row of as many would be.
    columns: dict[str, list[object]] = {"unit": ["A"]}
    columns.update({f"x{n}": [None] for n in range(100_000)})
    with pytest.raises(parindex.InputError, match="limited to 16384"):
        corpus_set.score(columns)


def test_in_memory_ids_and_numbers_are_read_as_files_are(corpus_set: parindex.CriteriaSet) -> None:
    with pytest.raises(parindex.InputError, match='looks like the unit id "A"'):
        corpus_set.score({"unit": ["A", "\uff21"], "1.1": ["có", "có"]})
    with pytest.raises(parindex.InputError, match="invisible character U\\+200B"):
        corpus_set.score({"unit": ["A\u200b"], "1.1": ["có"]})
    with pytest.raises(parindex.InputError, match='"8_7.5" is not a percentage'):
        corpus_set.score({"unit": ["A"], "1.2": ["8_7.5"]})
    with pytest.raises(parindex.InputError, match="has 31 significant digits"):
        corpus_set.score({"unit": ["A"], "1.2": ["49.99999999999999999999999999999"]})


def test_many_problems_are_counted_not_listed(corpus_set: parindex.CriteriaSet) -> None:
    columns: dict[str, list[object]] = {"unit": ["A"]}
    columns.update({f"x{n}": ["1"] for n in range(5_000)})
    with pytest.raises(parindex.InputError) as caught:
        corpus_set.score(columns)
    text = str(caught.value)
    assert "… and 4000 more problems, not listed (only the first 1000 are)" in text
    assert len(caught.value.problems) == 1_000
