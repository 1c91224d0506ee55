"""The README's Python example runs as written and its results say what the README says.

The assertions read the variables the example leaves behind, picked by type
(every ``Solution``, ``Comparison``, ``SVMProblem`` and fitted ``LinearSVC``),
so rewording the README's prose or renaming its variables does not break them;
dropping one of those objects from the example does.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

import dualsvm as ds

README = Path(__file__).resolve().parents[1] / "README.md"


def _run_readme() -> dict:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks
    ns: dict = {}
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")  # LinearSVC's convergence chatter
        for code in blocks:
            exec(compile(code, str(README), "exec"), ns)
    return ns


def _of_type(ns: dict, cls: type) -> list:
    return [v for k, v in ns.items() if not k.startswith("__") and isinstance(v, cls)]


def test_readme_python_blocks_run():
    svm = pytest.importorskip("sklearn.svm")
    ns = _run_readme()
    (problem,) = [p for p in _of_type(ns, ds.SVMProblem) if not p.weighted and not p.chunked]
    # "Beyond one machine": the dask example's solution is certified too; its alpha is a dask array
    dask_sols = [s for s in _of_type(ns, ds.Solution) if hasattr(s.alpha, "dask")]
    assert dask_sols and all(s.success and s.relative_gap <= 1e-9 for s in dask_sols), [s.message for s in dask_sols]
    sols = [s for s in _of_type(ns, ds.Solution) if not hasattr(s.alpha, "dask")]
    # The three solvers, each certified to its target.
    assert {s.method for s in sols} >= {"primal", "dual", "subgradient"}, [s.method for s in sols]
    for s in sols:
        assert s.success and s.status == "optimal", (s.method, s.status, s.message)
        assert s.relative_gap <= (1e-8 if s.method in ("primal", "dual") else 1e-4), (s.method, s.relative_gap)
        assert s.alpha.shape == (problem.n,) and s.w.shape == (problem.d,)
    # Certified answers agree within their radii (proofs/T10).
    for s, t in combinations(sols, 2):
        assert np.linalg.norm(s.w - t.w) <= s.radius + t.radius, (s.method, t.method)
    # compare agrees, and says so pair by pair.
    (res,) = _of_type(ns, ds.Comparison)
    assert res.agree and set(res.solutions) >= {"primal", "dual", "subgradient"}
    assert res.pairs and all(pr["distance"] <= pr["bound"] for pr in res.pairs)
    # LinearSVC solves another problem: its certificate shows a large gap.
    (lin,) = _of_type(ns, svm.LinearSVC)
    c = ds.certify(problem, lin.coef_[0], lin.intercept_[0])
    assert c.relative_gap > 1e-3 and not c.success


def test_readme_test_command_is_what_ci_runs():
    ci = (README.parent / ".ci" / "run").read_text()
    cmd = 'pip install -q -e ".[test]" && ruff check . && python -m pytest'
    assert cmd in README.read_text() and cmd in ci
