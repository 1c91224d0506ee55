"""KKT checks as four separate assertions, after cvxpy's SolverTestHelper."""

from __future__ import annotations

import numpy as np

from dualsvm import Solution, SVMProblem


def check_dual_domain(sol: Solution, problem: SVMProblem, tol: float) -> None:
    a = sol.alpha
    assert a.min() >= -tol and a.max() <= problem.C + tol, (a.min(), a.max())
    assert abs(problem.y @ a) <= tol * max(1.0, problem.C * problem.n)
    assert sol.kkt["dual_box"] <= tol and sol.kkt["dual_equality"] <= tol * max(1.0, problem.C * problem.n)


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
    check_dual_domain(sol, problem, tol)
    check_complementarity(sol, problem, tol)
    check_stationarity(sol, problem, tol)
