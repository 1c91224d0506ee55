"""KKT checks as separate assertions, after cvxpy's SolverTestHelper.

There is no primal-feasibility check: the slack is eliminated
(``proofs/T00``), so every (w, b) is primal feasible and such a check could
not fail.
"""

from __future__ import annotations

import numpy as np

from dualsvm import Solution, SVMProblem

EPS = np.finfo(np.float64).eps


def equality_tol(problem: SVMProblem) -> float:
    """What ``project_dual`` guarantees for |y^T alpha|: a few ulps of C sqrt(n).

    Measured on every seeded problem (solve_dual and solve_primal at C = 0.01,
    1, 100) and on 3000 random projections: |y^T alpha| <= 1.04 eps C sqrt(n).
    """
    return 4.0 * EPS * problem.C * np.sqrt(problem.n)


def check_dual_domain(sol: Solution, problem: SVMProblem, box_tol: float = 0.0, eq_tol: float | None = None) -> None:
    """alpha in the box [0, C] (exactly, by default: project_dual clips) and |y^T alpha| <= eq_tol."""
    eq_tol = equality_tol(problem) if eq_tol is None else eq_tol
    a = sol.alpha
    assert a.min() >= -box_tol and a.max() <= problem.C + box_tol, (a.min(), a.max() - problem.C)
    assert abs(problem.y @ a) <= eq_tol, (abs(problem.y @ a), eq_tol)
    assert sol.kkt["dual_box"] <= box_tol and sol.kkt["dual_equality"] <= eq_tol, sol.kkt


def check_complementarity(sol: Solution, problem: SVMProblem, tol: float) -> None:
    m = problem.margins(sol.w, sol.b)
    terms = problem.C * np.maximum(0.0, 1.0 - m) - sol.alpha * (1.0 - m)
    assert terms.min() >= -tol  # each bracket of the gap identity is >= 0
    assert terms.sum() <= sol.duality_gap + tol
    assert sol.kkt["complementarity"] <= tol * max(1.0, abs(sol.primal_objective))


def check_stationarity(sol: Solution, problem: SVMProblem, tol: float) -> None:
    v = problem.X.T @ (problem.y * sol.alpha)
    assert np.linalg.norm(sol.w - v) <= tol * max(1.0, np.linalg.norm(sol.w))
    assert abs(sol.kkt["stationarity"] - np.linalg.norm(sol.w - v)) <= 1e-12 * max(1.0, np.linalg.norm(v))


def check_all(sol: Solution, problem: SVMProblem, tol: float = 1e-6) -> None:
    check_dual_domain(sol, problem)
    check_complementarity(sol, problem, tol)
    check_stationarity(sol, problem, tol)
