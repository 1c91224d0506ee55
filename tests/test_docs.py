"""The docs: the tour runs in a real Jupyter kernel, its two files agree, and the Sphinx site builds with -W.

* ``docs/tour.py`` (jupytext percent format) is the source of ``docs/tour.ipynb``;
  both are stored without outputs.
* The tour is executed here by nbclient in an ipykernel of *this* Python
  (checked: the kernel's ``sys.prefix`` is the test's), so a broken tour makes
  ``python -m pytest`` red.
* The site build (``sphinx-build -W``) is marked ``docs``; it runs in the
  default suite (about 20-30 s on the 2-core machine).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TOUR_PY, TOUR_NB = DOCS / "tour.py", DOCS / "tour.ipynb"
TOUR_BUDGET_S = 60.0
SYNC = "run `jupytext --sync docs/tour.py` (tour.py is the source)"


def _cells(nb):
    return [(c.cell_type, c.source) for c in nb.cells]


def test_tour_notebook_is_in_sync_with_its_source():
    assert _cells(jupytext.read(TOUR_PY)) == _cells(nbformat.read(TOUR_NB, as_version=4)), f"docs/tour.ipynb is stale: {SYNC}"


def test_tour_is_stored_without_outputs_and_names_its_source():
    nb = nbformat.read(TOUR_NB, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"outputs stored in docs/tour.ipynb: {SYNC}"
    assert nb.cells[0].cell_type == "markdown" and "`docs/tour.py`" in nb.cells[0].source
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_every_claim_is_followed_by_its_asserts():
    """A markdown cell stating claims is followed by a code cell of asserts, and every assert cell has its claims."""
    cells = nbformat.read(TOUR_NB, as_version=4).cells
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and re.search(r"^#? ?Claims?\b", cell.source, flags=re.M):
            nxt = cells[i + 1]
            assert nxt.cell_type == "code" and "assert " in nxt.source, f"cell {i}: claims without asserts after them"
        if cell.cell_type == "code" and re.search(r"^\s*assert ", cell.source, flags=re.M):
            prev = cells[i - 1]
            assert prev.cell_type == "markdown" and re.search(r"^Claims?\b", prev.source, flags=re.M), (
                f"cell {i}: asserts with no 'Claims' cell before them")


def test_tour_executes_in_a_kernel_of_this_python():
    nb = nbformat.read(TOUR_NB, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys\nprint(sys.prefix)"))
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(DOCS)}})
    t0 = time.perf_counter()
    client.execute()  # raises CellExecutionError, with the failing cell and traceback, on any error or failed assert
    elapsed = time.perf_counter() - t0
    kernel_prefix = nb.cells[-1].outputs[0]["text"].strip()
    assert Path(kernel_prefix).resolve() == Path(sys.prefix).resolve(), (
        f"the tour ran in {kernel_prefix}, not in this environment ({sys.prefix}): install ipykernel here")
    assert elapsed < TOUR_BUDGET_S, f"the tour took {elapsed:.0f} s; its budget is {TOUR_BUDGET_S:.0f} s"


def test_api_reference_lists_every_public_name():
    """Every name in dualsvm.__all__ has its entry in docs/api.rst (modules through automodule)."""
    import dualsvm

    api = (DOCS / "api.rst").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. auto\w+:: (\S+)", api, flags=re.M))
    missing = [n for n in dualsvm.__all__ if f"dualsvm.{n}" not in documented]
    assert not missing, f"add {missing} to docs/api.rst"


@pytest.mark.docs
def test_sphinx_site_builds_offline_with_warnings_as_errors(tmp_path):
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
           "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"sphinx-build failed:\n{run.stdout[-4000:]}\n{run.stderr[-8000:]}"
    html = tmp_path / "html"
    for page in ("index", "api", "tour", "figures/index", "proofs/index"):
        assert (html / f"{page}.html").is_file(), page
    from dualsvm.figures import NAMES

    for name in NAMES:
        assert (html / "figures" / f"{name}.html").is_file(), name
    for proof in (ROOT / "proofs").glob("T*.md"):
        assert (html / "proofs" / f"{proof.stem}.html").is_file(), proof.name
    api = (html / "api.html").read_text(encoding="utf-8")
    for name in ("dualsvm.SVMProblem", "dualsvm.solve_primal", "dualsvm.solve_dual", "dualsvm.solve_subgradient",
                 "dualsvm.certify", "dualsvm.compare", "dualsvm.Comparison", "dualsvm.Solution",
                 "dualsvm.sklearn.DualSVC", "dualsvm.sklearn.certify_estimator", "dualsvm.losses.hinge",
                 "dualsvm.network.train"):
        assert f'id="{name}"' in api, f"{name} is missing from the API reference"
