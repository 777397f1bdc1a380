"""The example notebooks run headless from top to bottom, and are kept without outputs.

``analysis.ipynb`` uses pandas and runs where pandas is installed; ``analysis-polars.ipynb``
uses polars only, and runs in the polars-only environment too."""

from __future__ import annotations

import importlib.util
import pathlib

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = {
    "pandas": ROOT / "examples" / "analysis.ipynb",
    "polars": ROOT / "examples" / "analysis-polars.ipynb",
}


@pytest.mark.parametrize("library", sorted(NOTEBOOKS))
def test_notebook_is_stripped_and_its_cells_have_ids(library: str) -> None:
    notebook = nbformat.read(NOTEBOOKS[library], as_version=4)
    ids = [cell.get("id") for cell in notebook.cells]
    assert all(ids) and len(set(ids)) == len(ids)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]


@pytest.mark.parametrize("library", sorted(NOTEBOOKS))
def test_notebook_runs(library: str) -> None:
    nbclient = pytest.importorskip("nbclient")
    if importlib.util.find_spec(library) is None:
        pytest.skip(f"{library} is not installed here")
    notebook = nbformat.read(NOTEBOOKS[library], as_version=4)
    path = NOTEBOOKS[library]
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        # From its own folder, as a user opens it: it reads the plans beside it and writes nothing.
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    if library == "pandas":
        assert any("image/png" in o.get("data", {}) for o in outputs)
    # Every code cell shows something, and every one follows a cell that says what it shows.
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds[0] == "markdown"
