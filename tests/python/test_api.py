"""Every public function of the package, used as an analyst would."""

from __future__ import annotations

import json
import pathlib
import tomllib
from decimal import Decimal, localcontext

import pandas as pd
import polars as pl
import pytest

import parindex

from conftest import COMMUNE, GOLDEN, ROOT, golden_files, golden_rows


def test_version_matches_the_engine() -> None:
    assert parindex.__version__
    assert parindex.__version__ == parindex._parindex.__version__


def test_sets_lists_the_shipped_sets() -> None:
    sets = parindex.sets()
    ids = [s.id for s in sets]
    assert COMMUNE in ids
    first = sets[ids.index(COMMUNE)]
    assert first.year == 2024 and first.level == "commune-ward"
    assert first.path.startswith("criteria/")
    assert len(pd.DataFrame(sets)) == len(sets)


def test_load_by_id_and_by_path(commune: parindex.CriteriaSet) -> None:
    path = ROOT / "criteria" / "2024" / "binh-thuan-police-commune.toml"
    for source in (path, str(path)):
        loaded = parindex.load(source)
        assert loaded.id == commune.id
        assert loaded == commune
    assert commune.year == 2024
    assert commune.level == "commune-ward"
    assert commune.max == Decimal("60")
    assert isinstance(commune.title, str) and commune.title
    assert commune.stages == ["self", "appraisal"]
    assert commune.leaf_codes[0] == "1.1.1"
    assert len(commune.content_hash) == 64
    assert "CriteriaSet" in repr(commune)


def test_loads_reads_toml_text(commune: parindex.CriteriaSet) -> None:
    again = parindex.loads(commune.to_toml(), "again.toml")
    assert again.id == commune.id
    assert again.max == commune.max
    assert list(again.nodes()["code"]) == list(commune.nodes()["code"])


def test_nodes_is_the_tree(commune: parindex.CriteriaSet) -> None:
    nodes = commune.nodes()
    assert list(nodes.columns[:4]) == ["code", "name", "name_en", "parent"]
    areas = nodes[nodes["depth"] == 0]
    assert sum(areas["max"], Decimal(0)) == commune.max
    assert all(isinstance(m, Decimal) for m in nodes["max"])
    leaves = nodes[nodes["leaf"]]
    assert list(leaves["code"]) == commune.leaf_codes
    polars = commune.nodes(backend="polars")
    assert isinstance(polars, pl.DataFrame)
    assert isinstance(polars.schema["max"], pl.Decimal)
    assert polars["max"].to_list() == list(nodes["max"])
    floats = commune.nodes(exact=False)
    assert floats["max"].dtype == "float64"


def test_validate_returns_the_warnings(commune: parindex.CriteriaSet) -> None:
    warnings = commune.validate()
    assert isinstance(warnings, list)
    assert all(isinstance(w, parindex.Diagnostic) for w in warnings)
    assert all(w.severity == "warning" for w in warnings)
    # The commune set acknowledges that 1.4.1 gives at most 1 of its 2 points.
    assert any(w.code == "1.4.1" and w.check == "best-points" for w in warnings)
    assert str(warnings[0]).startswith("criteria/")


def test_template_round_trips_through_score(commune: parindex.CriteriaSet) -> None:
    wide = commune.template(["A", "B"])
    assert list(wide.columns) == ["unit", *commune.leaf_codes]
    assert list(wide["unit"]) == ["A", "B"]
    results = commune.score(wide)
    assert list(results.summary()["total"]) == [Decimal(0), Decimal(0)]
    assert len(results.warnings) == 2 * len(commune.leaf_codes)
    long = commune.template(["A"], layout="long")
    assert list(long.columns) == ["unit", "code", "name", "max", "value"]
    assert len(long) == len(commune.leaf_codes)
    long["value"] = "có"
    with pytest.raises(parindex.InputError):
        commune.score(long)  # có is not a percent or a level
    assert commune.template(backend="polars").height == 0
    with pytest.raises(ValueError):
        commune.template(layout="tall")


def test_diff_lists_changes() -> None:
    division = parindex.load("binh-thuan-police/division/2024")
    procedures = parindex.load("binh-thuan-police/division-procedures/2024")
    changes = division.diff(procedures)
    assert {"change", "code", "name", "before", "after", "text"} <= set(changes.columns)
    assert ((changes["change"] == "max") & (changes["code"] == "1")).any()
    assert len(division.diff(division)) == 0
    assert isinstance(division.diff(procedures, backend="polars"), pl.DataFrame)


def test_score_sample_wide(sample_results: parindex.Results, sample_frame: pd.DataFrame) -> None:
    summary = sample_results.summary()
    assert list(summary.columns) == [
        "unit", "name", "group", "total", "max", "index", "index_exact", "rank", "band",
    ]
    assert list(summary["unit"]) == list(sample_frame["unit"])
    assert list(summary["name"]) == list(sample_frame["name"])
    assert sample_results.names["CAP-PHU-THUY"] == "Công an phường Phú Thủy"
    assert len(sample_results) == len(sample_frame) == 30
    assert all(isinstance(t, Decimal) for t in summary["total"])
    assert summary["rank"].dtype == "Int64"
    assert summary["rank"].min() == 1
    # The reported index carries the set's two decimals.
    assert all(i.as_tuple().exponent == -2 for i in summary["index"])
    assert sample_results.provenance["set_id"] == COMMUNE
    assert sample_results.provenance["engine_version"] == parindex.__version__
    # Missing cells in the sample score 0 with a warning.
    assert sample_results.warnings
    assert all(isinstance(w, parindex.ScoreWarning) for w in sample_results.warnings)


def test_summary_floats_and_polars(sample_results: parindex.Results) -> None:
    floats = sample_results.summary(exact=False)
    assert floats["total"].dtype == "float64"
    exact = sample_results.summary()
    assert [float(t) for t in exact["total"]] == list(floats["total"])
    polars = sample_results.summary(backend="polars")
    assert isinstance(polars, pl.DataFrame)
    assert isinstance(polars.schema["total"], pl.Decimal)
    assert polars["total"].to_list() == list(exact["total"])
    assert sample_results.to_polars("summary").equals(polars)
    assert sample_results.to_pandas("areas").equals(sample_results.areas())
    with pytest.raises(ValueError):
        sample_results.to_pandas("everything")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        sample_results.summary(backend="arrow")  # type: ignore[arg-type]


def test_areas_detail_stages(sample_results: parindex.Results, commune: parindex.CriteriaSet) -> None:
    areas = sample_results.areas()
    assert len(areas) == 30 * len(commune.area_codes)
    assert {"unit", "code", "name", "points", "max", "lost", "index", "status"} == set(areas.columns)
    detail = sample_results.detail()
    assert len(detail) == 30 * len(commune.nodes())
    assert set(detail["status"]) <= {"scored", "not-applicable", "missing", "no-evidence"}
    assert "not-applicable" in set(detail["status"])
    stages = sample_results.stages()
    assert list(stages.columns) == ["unit", "code", "self", "appraisal", "change"]
    assert stages["appraisal"].isna().all()  # the sample has self-assessment only
    assert (stages["change"] == Decimal(0)).all()


def test_explain(sample_results: parindex.Results) -> None:
    frame = sample_results.explain("CAP-PHU-THUY")
    assert list(frame.columns) == [
        "code", "name", "depth", "leaf", "max", "applicable_max", "points", "lost",
        "status", "stage", "seen", "reason",
    ]
    assert frame.attrs["unit"] == "CAP-PHU-THUY"
    summary = sample_results.summary().set_index("unit")
    assert frame.attrs["total"] == summary.loc["CAP-PHU-THUY", "total"]
    leaves = frame[frame["leaf"]]
    assert sum(leaves["points"], Decimal(0)) == frame.attrs["total"]
    assert (leaves["reason"].str.len() > 0).all()
    text = sample_results.explain_text("CAP-PHU-THUY")
    assert text.startswith("CAP-PHU-THUY: ")
    assert isinstance(sample_results.explain("CAP-PHU-THUY", backend="polars"), pl.DataFrame)
    with pytest.raises(KeyError):
        sample_results.explain("NOWHERE")
    # Also a ParindexError, so a ValueError, like every error parindex raises.
    with pytest.raises(parindex.NotFoundError) as raised:
        sample_results.explain("NOWHERE")
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, parindex.ParindexError)
    with pytest.raises(TypeError):
        sample_results.explain(42)  # type: ignore[arg-type]


def test_long_layout_equals_wide(commune: parindex.CriteriaSet, sample_frame: pd.DataFrame) -> None:
    long = sample_frame.drop(columns=["name"]).melt(id_vars="unit", var_name="code", value_name="value")
    from_long = commune.score(long).summary().drop(columns="name")
    from_wide = commune.score(sample_frame).summary().drop(columns="name")
    assert from_long.equals(from_wide)


def test_inputs_of_every_kind_agree(commune: parindex.CriteriaSet, sample_frame: pd.DataFrame, tmp_path: pathlib.Path) -> None:
    expected = commune.score(sample_frame).summary()
    records = sample_frame.to_dict("records")
    columns = {name: list(values) for name, values in sample_frame.items()}
    path = tmp_path / "batch.csv"
    sample_frame.to_csv(path, index=False)
    polars = pl.DataFrame(columns)
    for data in (records, columns, polars, path, str(path), [path], sample_frame.set_index("unit")):
        assert commune.score(data).summary(backend="pandas").equals(expected), type(data)
    # A polars frame in gives polars out.
    assert commune.score(polars).summary().equals(commune.score(sample_frame).to_polars())
    with pytest.raises(ValueError, match="stage= applies to in-memory data"):
        commune.score(path, stage="appraisal")


def test_native_python_values(commune: parindex.CriteriaSet) -> None:
    rows = [
        {"unit": "A", "1.1.1": "đúng hạn", "1.1.4": 77.5, "1.5.1": 2.0, "1.2.2": True, "3.1.2": None},
        {"unit": "B", "1.1.1": "trễ hạn", "1.1.4": Decimal("100"), "1.5.1": 3, "1.2.2": False, "3.1.2": "N/A"},
    ]
    results = commune.score(rows)
    explained = results.explain("A").set_index("code")
    assert explained.loc["1.1.4", "seen"] == "77.5"
    assert explained.loc["1.5.1", "seen"] == "2"
    assert explained.loc["3.1.2", "status"] == "missing"
    assert results.explain("B").set_index("code").loc["3.1.2", "status"] == "not-applicable"


def test_stage_argument_and_column(commune: parindex.CriteriaSet) -> None:
    self_rows = [{"unit": "A", "1.1.4": "100%"}]
    appraisal_rows = [{"unit": "A", "stage": "self", "1.1.4": "100%"}, {"unit": "A", "stage": "appraisal", "1.1.4": "7/9"}]
    first = commune.score(self_rows)
    second = commune.score(appraisal_rows)
    assert first.explain("A").set_index("code").loc["1.1.4", "points"] == Decimal(1)
    assert second.explain("A").set_index("code").loc["1.1.4", "points"] == Decimal("0.5")
    stages = second.stages().set_index(["unit", "code"])
    assert stages.loc[("A", "1.1.4"), "change"] == Decimal("-0.5")
    only_appraisal = commune.score(self_rows, stage="appraisal")
    assert only_appraisal.detail().set_index("code").loc["1.1.4", "stage"] == "appraisal"
    with pytest.raises(parindex.InputError, match="not a stage"):
        commune.score(self_rows, stage="council")
    with pytest.raises(TypeError):
        commune.score(self_rows, stage=2)  # type: ignore[arg-type]


def test_compare_two_results(commune: parindex.CriteriaSet, sample_frame: pd.DataFrame) -> None:
    before = commune.score(sample_frame)
    appraised = sample_frame.copy()
    appraised["stage"] = "appraisal"
    worse = appraised.copy()
    worse["1.1.1"] = "không"
    after = commune.score(pd.concat([sample_frame, worse]))
    changes = parindex.compare(before, after)
    assert list(changes.columns) == [
        "unit", "index_before", "index_after", "index_change", "rank_before", "rank_after", "rank_change",
    ]
    assert (changes["index_change"] <= 0).all()
    assert (changes["index_change"] < 0).any()
    areas = parindex.compare(before, after, areas=True)
    assert set(areas["code"]) == set(commune.area_codes)
    assert (areas[areas["code"] != "1"]["change"] == 0).all()
    assert isinstance(parindex.compare(before, after, backend="polars"), pl.DataFrame)
    with pytest.raises(TypeError):
        parindex.compare(before, "after")  # type: ignore[arg-type]


def test_sample_is_embedded() -> None:
    assert COMMUNE in parindex.samples()
    frame = parindex.sample(COMMUNE)
    assert list(frame.columns[:2]) == ["unit", "name"]
    assert len(frame) == 30
    assert parindex.sample(COMMUNE, backend="polars").height == 30
    with pytest.raises(KeyError):
        parindex.sample("nowhere/commune/1999")


def test_repr_html(commune: parindex.CriteriaSet, sample_results: parindex.Results) -> None:
    tree = commune._repr_html_()
    assert "<table>" in tree and "1.1.1" in tree and "60" in tree
    ranking = sample_results._repr_html_()
    assert "<table>" in ranking and "CAP-PHU-THUY" in ranking
    assert "Results" in repr(sample_results)


def test_plots(sample_results: parindex.Results) -> None:
    import matplotlib

    matplotlib.use("Agg")
    ax = parindex.plot.ranking(sample_results, top=10)
    assert len(ax.patches) >= 10
    ax = sample_results.plot_profile("CAP-PHU-THUY")
    assert ax.get_title().startswith("CAP-PHU-THUY")
    with pytest.raises(KeyError):
        parindex.plot.profile(sample_results, "NOWHERE")


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = "import sys, parindex; print(any(m in sys.modules for m in ('pandas', 'polars', 'matplotlib')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(("set_id", "path"), golden_files(), ids=lambda v: str(v))
def test_golden_units_are_exact(set_id: str, path: pathlib.Path) -> None:
    """Units worked out by hand from the official tables give exactly the hand's figures.

    A file's units are scored together, as relative rules compare them with each other."""
    criteria = parindex.load(set_id)
    units = tomllib.loads(path.read_text(encoding="utf-8"))["unit"]
    rows = [row for unit in units for row in golden_rows(unit, criteria.stages[0])]
    results = criteria.score(rows)
    summary = results.summary().set_index("unit")
    areas = results.areas().set_index(["unit", "code"])["points"]
    nodes = results.detail().set_index(["unit", "code"])["points"]
    for unit in units:
        expect = unit["expect"]
        row = summary.loc[unit["id"]]
        assert row["total"] == Decimal(expect["total"]), unit["id"]
        assert str(row["index"]) == expect["index"], unit["id"]
        if "band" in expect:
            assert row["band"] == expect["band"], unit["id"]
        for code, points in expect.get("areas", {}).items():
            assert areas[(unit["id"], code)] == Decimal(points), (unit["id"], code)
        for code, points in expect.get("nodes", {}).items():
            assert nodes[(unit["id"], code)] == Decimal(points), (unit["id"], code)
        if "warnings" in expect:
            got = [w for w in results.warnings if w.unit == unit["id"]]
            assert len(got) == expect["warnings"], unit["id"]


def test_a_golden_total_is_the_hand_worked_decimal() -> None:
    """The commune set's all-max unit: 59 of 60 points, index 98.33, as worked by hand."""
    criteria = parindex.load(COMMUNE)
    units = tomllib.loads((GOLDEN / COMMUNE / "units.toml").read_text(encoding="utf-8"))["unit"]
    all_max = next(u for u in units if u["id"] == "all-max")
    row = criteria.score(golden_rows(all_max, "self")).summary().iloc[0]
    assert row["total"] == Decimal("59") and isinstance(row["total"], Decimal)
    assert str(row["index"]) == "98.33"


def test_exactness_of_decimal_sums(commune: parindex.CriteriaSet, sample_results: parindex.Results) -> None:
    summary = sample_results.summary()
    for total, maximum, index in zip(summary["total"], summary["max"], summary["index_exact"]):
        with localcontext() as context:
            context.prec = 60
            expected = total * commune.scale / maximum
            # The engine keeps 28 significant digits (the column pads them to one scale).
            kept = index.normalize()
            assert kept == expected.quantize(kept), (index, expected)


def test_files_in_and_out(commune: parindex.CriteriaSet, sample_frame: pd.DataFrame, tmp_path: pathlib.Path) -> None:
    results = commune.score(sample_frame)
    text = results.to_json()
    document = json.loads(text)
    assert document["schema"] == "parindex-results/1"
    assert len(document["units"]) == 30
    first = document["units"][0]
    assert first["unit"] == "CAP-PHU-THUY"
    assert Decimal(first["total"]) == results.summary()["total"][0]
    out = tmp_path / "results.json"
    assert results.to_json(out) == text
    assert out.read_text(encoding="utf-8") == text
    lean = json.loads(results.to_json(explain=False))
    assert len(lean["units"]) == 30
    results.to_excel(tmp_path / "results.xlsx")
    assert (tmp_path / "results.xlsx").read_bytes()[:2] == b"PK"
    results.to_html(tmp_path / "report.html", previous=results)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "CAP-PHU-THUY" in page and "<html" in page
    with pytest.raises(OSError):
        results.to_excel(tmp_path / "missing-folder" / "results.xlsx")
    with pytest.raises(TypeError):
        results.to_html(tmp_path / "r.html", previous="last year")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        results.to_excel(42)  # type: ignore[arg-type]


def test_files_are_those_of_the_command_line(commune: parindex.CriteriaSet, tmp_path: pathlib.Path) -> None:
    """The JSON of a file scored from Python is byte for byte the command line's."""
    import shutil
    import subprocess

    # The most recently built of the workspace's binaries, so that a stale build never answers.
    built = [p for p in (ROOT / "target" / "release" / "parindex", ROOT / "target" / "debug" / "parindex") if p.exists()]
    cli = str(max(built, key=lambda p: p.stat().st_mtime)) if built else shutil.which("parindex")
    if cli is None:
        pytest.skip("the parindex command is not built")
    batch = tmp_path / "batch.csv"
    batch.write_text(parindex._parindex.sample_csv(COMMUNE), encoding="utf-8")
    ours = commune.score(batch).to_json(tmp_path / "python.json")
    done = subprocess.run(
        [cli, "score", COMMUNE, str(batch), "-o", str(tmp_path / "cli.json")],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"the command line refused: {done.stderr.strip()[:200]}")
    theirs = (tmp_path / "cli.json").read_text(encoding="utf-8")
    assert json.loads(ours) == json.loads(theirs)


def test_excel_and_json_inputs(commune: parindex.CriteriaSet, sample_frame: pd.DataFrame, tmp_path: pathlib.Path) -> None:
    expected = commune.score(sample_frame).summary()
    path = tmp_path / "batch.xlsx"
    try:
        sample_frame.to_excel(path, index=False)
    except ImportError:
        pytest.skip("pandas cannot write Excel here (no openpyxl)")
    assert commune.score(path).summary()[["unit", "total", "rank"]].equals(expected[["unit", "total", "rank"]])
