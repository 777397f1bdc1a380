"""The example notebook runs headless from top to bottom, and is kept without outputs."""

from __future__ import annotations

import pathlib

import nbformat
import pytest

from conftest import ROOT

NOTEBOOK = ROOT / "examples" / "analysis.ipynb"


def test_notebook_is_stripped() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:40]


def test_notebook_runs() -> None:
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        # From its own folder, as a user opens it: it reads the plans beside it and writes nothing.
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)
