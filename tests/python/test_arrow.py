"""Arrow interchange: anything exporting ``__arrow_c_stream__`` is scored as the same data in
any other container would be, and results export the stream themselves."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import parindex


def test_arrow_data_of_every_kind_gives_the_same_results(
    commune: parindex.CriteriaSet, sample_frame: pd.DataFrame
) -> None:
    expected = commune.score(sample_frame).to_json()
    table = pa.Table.from_pandas(sample_frame, preserve_index=False)
    kinds = [
        table,
        table.to_reader(),
        pl.from_pandas(sample_frame),
        sample_frame.astype(pd.ArrowDtype(pa.string())),
    ]
    duckdb = pytest.importorskip("duckdb")
    kinds.append(duckdb.from_arrow(table))
    for data in kinds:
        assert commune.score(data).to_json() == expected, type(data)


def test_a_pandas_frame_of_text_is_read_through_its_arrow_stream_as_its_cells_are(
    commune: parindex.CriteriaSet, sample_frame: pd.DataFrame
) -> None:
    from parindex._input import _arrow_backed

    cells = sample_frame.copy()
    cells.iloc[0, 3] = None  # a missing cell
    text = cells.astype("str")  # pandas' own text on pyarrow storage, pandas 3's default
    assert all(isinstance(t, pd.StringDtype) and t.storage == "pyarrow" for t in text.dtypes)
    assert _arrow_backed(text)
    assert not _arrow_backed(cells)  # object columns are read cell by cell
    by_cells = commune.score({name: cells[name].tolist() for name in cells.columns})
    assert commune.score(text).to_json() == by_cells.to_json()
    assert commune.score(cells).to_json() == by_cells.to_json()


def test_arrow_types_read_as_their_python_values(commune: parindex.CriteriaSet) -> None:
    rows = {
        "unit": ["A", "B", "C"],
        "1.1.4": [Decimal("77.5"), Decimal("100"), None],
        "1.5.1": [2, 3, None],
        "1.2.2": [True, False, None],
        "3.1.2": ["N/A", None, "85%"],
        "1.1.2": ["có", None, "không"],
        "3.2.1": [80.5, float("nan"), 99.0],
    }
    by_rows = commune.score(rows).to_json()
    typed = pa.table(
        {
            "unit": pa.array(rows["unit"]).dictionary_encode(),
            "1.1.4": pa.array(rows["1.1.4"], type=pa.decimal128(5, 1)),
            "1.5.1": pa.array(rows["1.5.1"], type=pa.int8()),
            "1.2.2": pa.array(rows["1.2.2"]),
            "3.1.2": pa.array(rows["3.1.2"], type=pa.large_string()),
            "3.2.1": pa.array(rows["3.2.1"], type=pa.float32()),
            "1.1.2": pa.array(rows["1.1.2"]).dictionary_encode(),
        }
    )
    assert commune.score(typed).to_json() == by_rows
    days = {"unit": ["A"], "1.1.1": ["đúng hạn"]}
    stamped = pa.table(
        {
            "unit": ["A"],
            "1.1.1": ["đúng hạn"],
            "when": pa.array([datetime.datetime(2024, 3, 31, 23, 30)], type=pa.timestamp("s", "Asia/Ho_Chi_Minh")),
        }
    )
    with pytest.raises(parindex.InputError, match="when"):
        commune.score(stamped)
    assert commune.score(pa.table(days)).to_json() == commune.score([{"unit": "A", "1.1.1": "đúng hạn"}]).to_json()
    with pytest.raises(TypeError, match="Arrow type List"):
        commune.score(pa.table({"unit": ["A"], "1.1.4": pa.array([[1, 2]])}))


def test_results_export_an_arrow_stream(sample_results: parindex.Results) -> None:
    assert pl.DataFrame(sample_results).equals(sample_results.summary(backend="polars"))
    table = pa.table(sample_results)
    pandas = sample_results.summary(backend="pandas")
    assert table.schema.field("total").type == pandas["total"].dtype.pyarrow_dtype
    assert table.column("index").to_pylist() == list(sample_results.summary(backend="pandas")["index"])
    detail = pa.table(sample_results.to_arrow("detail"))
    assert detail.num_rows == len(sample_results.detail(backend="pandas"))
    duckdb = pytest.importorskip("duckdb")
    summary = sample_results.to_arrow()
    best = duckdb.sql("select unit from summary order by rank, unit limit 1").fetchall()
    assert best == [("CAP-TAN-THIEN",)]
    with pytest.raises(ValueError, match="table must be"):
        sample_results.to_arrow("nodes")  # type: ignore[arg-type]


def test_units_scored_apart_are_ranked_as_if_scored_together(
    commune: parindex.CriteriaSet, sample_frame: pd.DataFrame
) -> None:
    together = commune.score(sample_frame).summary(backend="pandas").set_index("unit")["rank"]
    parts = [sample_frame.iloc[:7], sample_frame.iloc[7:19], sample_frame.iloc[19:]]
    rankings = [commune.score(part).ranking(backend="polars") for part in parts]
    ranking = pl.concat(rankings)
    ranks = commune.rank(ranking)
    assert dict(zip(ranking["unit"], ranks)) == together.to_dict()
    # Alone, a partition ranks only among itself.
    alone = commune.score(parts[1]).summary(backend="pandas").set_index("unit")["rank"]
    assert (alone != together[alone.index]).any()
    with pytest.raises(TypeError, match="Arrow data"):
        commune.rank([{"unit": "A"}])
    with pytest.raises(ValueError, match='no column "rank_on"'):
        commune.rank(pa.table({"unit": ["A"], "group": [None], "ranked": [True]}))
