"""KKT checks as separate assertions, after cvxpy's SolverTestHelper.

There is no primal-feasibility check: the slack is eliminated
(``proofs/T00``), so every (w, b) is primal feasible and such a check could
not fail.
"""

from __future__ import annotations

import math

import numpy as np

from dualsvm import Solution, SVMProblem

EPS = np.finfo(np.float64).eps


def equality_tol(problem: SVMProblem) -> float:
    """What ``project_dual`` guarantees for |y^T alpha|: a few ulps of max C_i sqrt(n).

    Measured on every seeded problem (solve_dual and solve_primal at C = 0.01,
    1, 100) and on 3000 random projections: |y^T alpha| <= 1.04 eps C sqrt(n).
    """
    return 4.0 * EPS * float(problem.costs.max()) * np.sqrt(problem.n)


def check_dual_domain(sol: Solution, problem: SVMProblem, box_tol: float = 0.0, eq_tol: float | None = None) -> None:
    """alpha in the box [0, C_i] of each point's own cost (exactly, by default: project_dual clips)
    and |y^T alpha| <= eq_tol. (kkt["dual_box"] is the caller's alpha before that projection: not checked here.)"""
    eq_tol = equality_tol(problem) if eq_tol is None else eq_tol
    a, C = sol.alpha, problem.costs
    assert np.all(a >= -box_tol) and np.all(a <= C + box_tol), (a.min(), (a - C).max())
    # Summed exactly (the products y_i alpha_i are exact): BLAS's dot adds its own rounding, up to
    # gamma_n sum(alpha) (measured: 1.2e-16 by dot where the exact sum is -1.7e-17).
    res = abs(math.fsum(problem.y * a))
    assert res <= eq_tol, (res, eq_tol)
    assert sol.kkt["dual_equality"] <= eq_tol, sol.kkt


def check_complementarity(sol: Solution, problem: SVMProblem, tol: float) -> None:
    m = problem.margins(sol.w, sol.b)
    terms = problem.costs * np.maximum(0.0, 1.0 - m) - sol.alpha * (1.0 - m)
    assert terms.min() >= -tol  # each bracket of the gap identity is >= 0
    assert terms.sum() <= sol.duality_gap + tol
    assert sol.kkt["complementarity"] <= tol * max(1.0, abs(sol.primal_objective))


def stationarity_rounding(sol: Solution, problem: SVMProblem) -> float:
    """A priori bound on the rounding of |w - Z^T alpha| evaluated in float64: 2 gamma_{n+2} | |X|^T alpha |.

    Z^T alpha sums terms alpha_i |x_ij| that cancel on unscaled data (features up to 4254 in breast
    cancer: terms of 1e6 give |w| ~ 1e1), so its rounding error scales with | |X|^T alpha |, the
    size of the terms, not with |w| or with 1. Both the solver's w and the v computed here carry it.
    """
    k = problem.n + 2
    gamma = k * EPS / 2 / (1 - k * EPS / 2)
    return 2.0 * gamma * float(np.linalg.norm(np.abs(problem.X).T @ sol.alpha))


def check_stationarity(sol: Solution, problem: SVMProblem, tol: float) -> None:
    """|w - Z^T alpha| <= tol |w| plus the rounding allowance, and kkt["stationarity"] is that norm."""
    v = problem.X.T @ (problem.y * sol.alpha)
    res = float(np.linalg.norm(sol.w - v))
    rounding = stationarity_rounding(sol, problem)
    assert res <= tol * np.linalg.norm(sol.w) + rounding, (res, rounding)
    # kkt["stationarity"] is evaluated in longdouble, v above in float64: the same norm up to rounding.
    assert abs(sol.kkt["stationarity"] - res) <= rounding, (sol.kkt["stationarity"], res, rounding)


def check_all(sol: Solution, problem: SVMProblem, tol: float = 1e-6) -> None:
    check_dual_domain(sol, problem)
    check_complementarity(sol, problem, tol)
    check_stationarity(sol, problem, tol)
