"""The KKT test helpers (tests/kkt.py) themselves: they pass on exact answers and fail on wrong ones.

Two defects fixed here: check_dual_domain read the scalar C instead of the per-sample costs
C_i (so it rejected alpha_i in (C, C_i] and accepted alpha_i in (C_i, C]), and
check_stationarity's absolute tolerance rejected exact answers on unscaled data.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from kkt import check_all, check_dual_domain, check_stationarity

import dualsvm as ds
from dualsvm import SVMProblem


def unscaled(C: float) -> SVMProblem:
    """Features over six orders of magnitude, two of them far from 0: Z^T alpha cancels terms of 1e8."""
    X, y = ds.datasets.make_overlapping(200, 4, seed=0)
    return SVMProblem(X * np.array([1e-2, 1.0, 1e3, 4e3]) + np.array([0.0, 0.0, 5e3, -2e4]), y, C=C)


@pytest.mark.parametrize("C", [1.0, 100.0])
def test_check_all_accepts_exact_answers_on_unscaled_data(C):
    """At C = 1 and 100 the old check (|kkt - |w - v|| <= 1e-12 max(1, |v|)) rejected these answers."""
    p = unscaled(C)
    sol = ds.solve_ipm(p)
    assert sol.success
    check_all(sol, p, tol=1e-6)


def test_check_stationarity_still_fails_on_a_wrong_w():
    p = unscaled(100.0)
    sol = ds.solve_ipm(p)
    e = np.zeros(p.d)
    e[0] = 1e-4 * np.linalg.norm(sol.w)  # far above tol = 1e-6 relative, far below the terms' size
    with pytest.raises(AssertionError):
        check_stationarity(dataclasses.replace(sol, w=sol.w + e), p, tol=1e-6)
    # kkt["stationarity"] must be the norm of w - Z^T alpha: a value off by 1e-4 |w| is caught too.
    kkt = {**sol.kkt, "stationarity": sol.kkt["stationarity"] + float(e[0])}
    with pytest.raises(AssertionError):
        check_stationarity(dataclasses.replace(sol, kkt=kkt), p, tol=1e-6)


def test_check_dual_domain_reads_each_points_cost():
    """Weights 2 on the first half, 1/2 on the rest: the box is [0, C_i], not [0, C]."""
    X, y = ds.datasets.make_overlapping(40, 2, seed=5)
    weights = np.where(np.arange(40) < 20, 2.0, 0.5)
    p = SVMProblem(X, y, C=1.0, sample_weight=weights)
    sol = ds.solve_ipm(p)
    assert sol.success and np.any(sol.alpha > p.C)  # some alpha_i in (C, C_i]: inside its box
    check_dual_domain(sol, p)
    # alpha_i in (C_i, C] is outside point i's box; with y^T alpha kept at 0 (a pair moved together).
    i = int(np.flatnonzero((np.arange(40) >= 20) & (y > 0))[0])
    j = int(np.flatnonzero((np.arange(40) >= 20) & (y < 0))[0])
    alpha = sol.alpha.copy()
    alpha[[i, j]] = 0.75  # C_i = C_j = 0.5 < 0.75 <= C = 1
    with pytest.raises(AssertionError):
        check_dual_domain(dataclasses.replace(sol, alpha=alpha), p)
