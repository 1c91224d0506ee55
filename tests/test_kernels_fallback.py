"""The exact-Gram fallback: a numerical rank above memory_budget caps the factor, and the certificate
evaluates v'Ev with the exact Gram in row blocks (proofs/T15)."""

from __future__ import annotations

import numpy as np
import pytest

import dualsvm as ds
from dualsvm.kernels import kernel_matrix

pytest.importorskip("sklearn")
from sklearn.datasets import make_moons  # noqa: E402

N = 200


def _X_y():
    X, y = make_moons(N, noise=0.3, random_state=0)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _capped(rank: int, gamma: float = 5.0, **kw) -> ds.SVMProblem:
    X, y = _X_y()
    with pytest.warns(ds.ConvergenceWarning, match=rf"numerical rank is above {rank}, .*exact Gram in row blocks"):
        return ds.SVMProblem(X, y, C=1.0, kernel="rbf", gamma=gamma, memory_budget=8 * N * rank, **kw)


def test_residual_quadratic_is_v_E_v_rounded_up():
    p = _capped(40)
    f = p.kernel_factor
    assert f.exact_residual and p.d == 40
    K = kernel_matrix("rbf", f.X_train, f.X_train, gamma=f.gamma)
    rng = np.random.default_rng(0)
    for _ in range(5):
        v = rng.standard_normal(N)
        exact = float(v @ K @ v - np.sum((p.X.T @ v) ** 2))
        q = f.residual_quadratic(p.X, v)
        assert exact <= q <= exact + 1e-10 * (np.abs(v) @ np.abs(K) @ np.abs(v))


@pytest.mark.parametrize("rank", [40, 80])
def test_capped_factor_certificate_bounds_the_true_gap_and_says_so(rank):
    p = _capped(rank)
    with pytest.warns(ds.ConvergenceWarning, match=rf"capped at rank {rank} by memory_budget.*raise memory_budget"):
        sol = ds.solve_ipm(p)
    assert not sol.success  # the truncated problem is not the kernel problem: not certified, and said so
    f = p.kernel_factor
    K = kernel_matrix("rbf", f.X_train, f.X_train, gamma=f.gamma)
    v = p.y * sol.alpha
    D_K = sol.alpha.sum() - 0.5 * v @ K @ v  # the true kernel dual at the solver's alpha
    P_K = p.primal_objective(sol.w, sol.b)  # = P_K(f_w, b) (T14)
    assert P_K - D_K <= sol.duality_gap <= (P_K - D_K) * (1 + 1e-9) + 1e-9  # valid, and exact up to rounding
    # and far tighter than the bound (sum_i alpha_i sqrt(E_ii))^2 / 2 the converged factor uses
    bound = 0.5 * float(sol.alpha @ np.sqrt(f.residual_diag)) ** 2
    assert sol.duality_gap < 0.1 * bound
    # The optimum of the full-rank problem lies within the certified radius.
    X, y = _X_y()
    ref = ds.solve_ipm(ds.SVMProblem(X, y, C=1.0, kernel="rbf", gamma=5.0))
    assert ref.primal_objective >= P_K - sol.duality_gap - 1e-9


def test_a_factor_within_budget_keeps_the_cheap_bound():
    X, y = _X_y()
    p = ds.SVMProblem(X, y, C=1.0, kernel="rbf", gamma="scale")
    assert not p.kernel_factor.exact_residual
    assert ds.solve_ipm(p).success
