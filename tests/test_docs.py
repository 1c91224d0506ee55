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
from html import unescape
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
    # The formulas reach the page as math (LaTeX source in MathJax's delimiters), each in its own entry.
    assert '<script defer="defer" src="https://cdn.jsdelivr.net/npm/mathjax' in api, "README/docs say MathJax's CDN"
    for name, formula in (("dualsvm.losses.hinge", r"\ell(z) = \max(0, 1 - z)"),
                          ("dualsvm.conventions.sgd_alpha_from_C", r"\alpha = \frac{1}{nC}"),
                          ("dualsvm.sklearn.DualSVC", r"C_i = C\, s_i\, c_{y_i}"),
                          ("dualsvm.sklearn.certify_estimator", r"\|w - w^*\| \le r = \sqrt{2\bar G}"),
                          ("dualsvm.compare", r"\|w_i - w_j\| \le r_i + r_j")):
        entry = _entry(api, name)
        blocks = [unescape(m) for m in re.findall(r'<div class="math[^"]*">(.*?)</div>', entry, flags=re.S)]
        assert any(formula in b and b.lstrip().startswith("\\[") for b in blocks), (name, formula, blocks)


def _entry(page: str, name: str) -> str:
    """The HTML of one API entry: from its anchor to the next anchor that is not one of its members."""
    start = page.index(f'id="{name}"')
    for m in re.finditer(r'id="(dualsvm\.[\w.]+)"', page[start + 1:]):
        if not m[1].startswith(name + "."):
            return page[start : start + 1 + m.start()]
    return page[start:]


# --- numpydoc: every public name has a docstring with its Parameters and Returns --------------------------------

#: The numpydoc codes that fail the test: a docstring that is missing, has no summary, or whose Parameters and
#: Returns do not match the signature (missing, unknown, out of order, without a type or a description).
CHECKED_CODES = {
    "GL08": "no docstring",
    "SS01": "no summary line",
    "GL06": "unknown section (a typo such as 'Return' renders as plain text)",
    "GL07": "sections out of order (numpydoc renders them in the documented order)",
    "PR01": "a parameter of the signature is not documented",
    "PR02": "a documented parameter is not in the signature",
    "PR03": "parameters documented in another order than the signature's",
    "PR04": "a parameter without a type (autodoc_typehints = 'none': the docstring is the only place it shows)",
    "PR07": "a parameter without a description",
    "PR10": "'name: type' without the space, which numpydoc reads as a parameter named 'name: type'",
    "RT01": "a function that returns a value has no Returns section",
    "RT03": "a return value without a description",
    "YD01": "a generator has no Yields section",
}
#: Ignored, all of them style rather than content: cross-references and examples (SA01, EX01), an extended
#: summary (ES01), the wording and punctuation of a summary (SS02-SS06: many summaries here are a formula,
#: such as ``:math:`\max(0, 1 - z)```), of a parameter or return line (PR05, PR06, PR08, PR09, RT02, RT04,
#: RT05) or of See Also entries (SA02-SA04), and the placement of quotes, blank lines and tabs (GL01-GL03, GL05),
#: and directive syntax (GL09, GL10; the -W Sphinx build catches a broken directive).
IGNORED_CODES = {"SA01", "EX01", "ES01", "SS02", "SS03", "SS04", "SS05", "SS06", "PR05", "PR06", "PR08", "PR09",
                 "RT02", "RT04", "RT05", "SA02", "SA03", "SA04", "GL01", "GL02", "GL03", "GL05", "GL09", "GL10"}


def _resolve(path: str):
    import importlib

    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
            break
        except ImportError:
            continue
    for part in parts[i:]:
        obj = getattr(obj, part)
    return obj


def public_api() -> dict[str, object]:
    """Import path -> object for every public function, class, method and property.

    Public means: ``dualsvm.__all__`` and the lazily served scikit-learn names, everything docs/api.rst
    documents (``.. autofunction::``, ``.. autoclass::``, and the ``:members:`` of an ``.. automodule::``,
    all of a module's own functions and classes when the list is empty), the functions of the modules among
    them, and every method and property a public class defines itself (not one inherited from scikit-learn).
    """
    import inspect

    import dualsvm

    paths = {f"dualsvm.{n}" for n in [*dualsvm.__all__, *dualsvm._SKLEARN_NAMES]}
    directive = None
    for line in (DOCS / "api.rst").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^\.\. auto(\w+):: (\S+)", line):
            directive = m
            paths.add(m[2])
        elif (m := re.match(r"^\s+:members:\s*(.*)$", line)) and directive and directive[1] == "module":
            members = [s.strip() for s in m[1].split(",") if s.strip()]
            paths.update(f"{directive[2]}.{k}" for k in members or ["*"])

    def own(module):
        return {k: v for k, v in vars(module).items()
                if not k.startswith("_") and (inspect.isfunction(v) or inspect.isclass(v)) and v.__module__ == module.__name__}

    api: dict[str, object] = {}
    for path in sorted(paths):
        if path.endswith(".*"):
            module = _resolve(path[:-2])
            objs = [(f"{module.__name__}.{k}", v) for k, v in own(module).items()]
        else:
            obj = _resolve(path)
            if inspect.ismodule(obj):
                if f"dualsvm.{obj.__name__.rpartition('.')[2]}" in {f"dualsvm.{n}" for n in dualsvm.__all__}:
                    objs = [(f"{obj.__name__}.{k}", v) for k, v in own(obj).items()]  # a module in __all__
                else:
                    continue  # documented as a module: its members are listed on their own
            elif inspect.isfunction(obj) or inspect.isclass(obj):
                objs = [(f"{obj.__module__}.{obj.__qualname__}", obj)]
            else:
                continue  # data (STATUSES, METHODS, VERDICTS): autodata, no signature
        for name, obj in objs:
            api[name] = obj
            if inspect.isclass(obj):
                for k, v in vars(obj).items():
                    if not k.startswith("_") and (inspect.isfunction(v) or isinstance(v, (property, staticmethod, classmethod))):
                        api[f"{name}.{k}"] = v
    return api


def _dataclass_field_errors(cls) -> list[str]:
    """A dataclass documents its fields (its constructor's parameters) under Parameters or Attributes."""
    import dataclasses

    from numpydoc.docscrape import ClassDoc

    doc = ClassDoc(cls)
    described = {n.strip(): "".join(p.desc).strip() for p in [*doc["Parameters"], *doc["Attributes"]]
                 for n in p.name.split(",")}
    errors = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.name not in described:
            errors.append(f"field {f.name!r} is not documented under Attributes")
        elif not described[f.name]:
            errors.append(f"field {f.name!r} has no description")
    return errors


def numpydoc_errors() -> dict[str, list[str]]:
    import dataclasses
    import inspect

    from numpydoc.validate import validate

    out = {}
    for name, obj in public_api().items():
        errors = []
        for code, message in validate(name)["errors"]:
            if code not in CHECKED_CODES:
                continue
            if inspect.isclass(obj) and dataclasses.is_dataclass(obj) and code in ("PR01", "PR03", "PR04", "PR07"):
                continue  # its fields: checked below, under Attributes
            errors.append(f"{code} {message}")
        if inspect.isclass(obj) and dataclasses.is_dataclass(obj):
            errors += _dataclass_field_errors(obj)
        if errors:
            out[name] = errors
    return out


def test_checked_and_ignored_numpydoc_codes_cover_every_code():
    """A code numpydoc adds must be sorted into one set or the other, not silently ignored."""
    from numpydoc.validate import ERROR_MSGS

    assert not CHECKED_CODES.keys() & IGNORED_CODES
    assert set(ERROR_MSGS) == CHECKED_CODES.keys() | IGNORED_CODES, set(ERROR_MSGS) ^ (CHECKED_CODES.keys() | IGNORED_CODES)


def test_public_api_is_found():
    """The enumeration is not vacuous: it reaches functions, classes, methods and properties of every kind."""
    api = public_api()
    for name in ("dualsvm.solution.Solution", "dualsvm.solution.Solution.predict", "dualsvm.solution.Solution.support",
                 "dualsvm.sklearn.DualSVC.fit", "dualsvm.sklearn.certify_estimator", "dualsvm.losses.hinge",
                 "dualsvm.conventions.prml_lambda", "dualsvm.datasets.make_overlapping", "dualsvm.problem.SVMProblem.margins",
                 "dualsvm.certificates.support_labels", "dualsvm.feasibility.argmin_b", "dualsvm.comparison.compare",
                 "dualsvm.operators.DenseOperator.matvec", "dualsvm.network.train", "dualsvm.question.answer"):
        assert name in api, name
    assert not any(n.startswith("dualsvm.sklearn.DualSVC.get_params") for n in api)  # inherited from scikit-learn


def test_every_public_name_has_a_numpydoc_docstring():
    errors = numpydoc_errors()
    report = "\n".join(f"{name}: {e}" for name, errs in sorted(errors.items()) for e in errs)
    assert not errors, f"{sum(map(len, errors.values()))} numpydoc errors in {len(errors)} public names:\n{report}"


def test_no_docstring_lost_a_backslash_to_an_escape():
    r"""``\alpha``, ``\beta``, ``\frac``, ``\top``, ``\rho`` and ``\nabla`` are escapes in a non-raw string.

    Such a docstring compiles silently (``\a`` is BEL, ``\t`` a tab) and renders broken math; ruff's W605 only
    sees *invalid* escapes such as ``\s``. Every module, class and function docstring in the package is read
    from the source, so private helpers are checked too.
    """
    import ast

    bad = []
    for path in sorted((ROOT / "dualsvm").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node, clean=False)
                if doc and any(c in doc for c in "\a\b\f\v\r\t"):
                    bad.append(f"{path.relative_to(ROOT)}:{getattr(node, 'name', '<module>')}")
    assert not bad, f"make these docstrings raw (r\"\"\"...\"\"\"): {bad}"
