"""certificate() against its documented definitions, on crafted data (issue 16's mutation survivors).

kkt["dual_box"] of the alpha as supplied; the relative gap; the dual objective's extended precision;
the weighted b interval; the kernel terms (T14).

(The pins of the rounding allowances and project_dual's check of y are in tests/test_oracle.py,
the file mutation testing, benchmarks/mutation.py, runs.)
"""

from __future__ import annotations

from fractions import Fraction as Fr

import numpy as np
import pytest
from problems import hand_two_margin

import dualsvm as ds
from dualsvm import SVMProblem
from dualsvm.certificates import certificate


def test_dual_box_is_measured_before_the_projection():
    """kkt["dual_box"] = max(0, -min alpha_i, max(alpha_i - C_i)) of alpha as supplied (it was always 0:
    the projected alpha is in the box by construction); the projected alpha is in the box."""
    p = hand_two_margin()
    assert certificate(p, [1.0, 0.0], -1.0, [0.5, 0.5, 0.0, 0.0]).kkt["dual_box"] == 0.0
    s = certificate(p, [1.0, 0.0], -1.0, [0.5, 1.75, -0.25, 0.0])
    assert s.kkt["dual_box"] == 0.75 and s.alpha.min() >= 0.0 and s.alpha.max() <= 1.0
    assert certificate(p, [1.0, 0.0], -1.0, [-0.5, 0.5, 0.0, 0.25]).kkt["dual_box"] == 0.5
    # Per-sample costs: alpha_i = 0.75 is inside [0, C] = [0, 1] but outside [0, C_i] = [0, 0.5].
    q = SVMProblem(p.X, p.y, C=1.0, sample_weight=[1.0, 0.5, 1.0, 1.0])
    alpha = np.array([0.5, 0.75, 0.0, 0.0])
    s = certificate(q, [1.0, 0.0], -1.0, alpha)
    assert s.kkt["dual_box"] == 0.25 and s.alpha[1] <= 0.5
    assert alpha.tolist() == [0.5, 0.75, 0.0, 0.0]  # the caller's array is not modified


# -- the certified quantities of certificate() against independent evaluations (issue 16 mutants) ---

def test_relative_gap_divides_by_max_of_one_and_P():
    """target_gap is met when duality_gap <= target_gap * max(1, |P|): below |P| = 1 the gap itself
    is compared (hand_two_margin, a candidate with P < 1), above it the gap relative to P."""
    p = hand_two_margin()
    s = certificate(p, [0.9, 0.05], -0.9, [0.5, 0.5, 0.0, 0.0])
    assert 0.0 < s.primal_objective < 1.0 and s.duality_gap > 0.0
    assert s.relative_gap == s.duality_gap
    assert not certificate(p, [0.9, 0.05], -0.9, [0.5, 0.5, 0.0, 0.0], target_gap=0.75 * s.duality_gap).success
    big = certificate(p, [3.0, 0.0], -1.0, [0.5, 0.5, 0.0, 0.0])  # P = 4.5
    assert big.primal_objective == 4.5 and big.relative_gap == pytest.approx(big.duality_gap / 4.5, rel=1e-15)
    assert certificate(p, [3.0, 0.0], -1.0, [0.5, 0.5, 0.0, 0.0], target_gap=0.25 * big.duality_gap).success


def test_dual_objective_in_extended_precision():
    """dual_objective = sum(alpha) - |Z^T alpha|^2 / 2, evaluated in longdouble: with six alpha_i = a
    and y_i x_i = 1, D = 6a - 18a^2 is 2e-10 at a = 0.3333333333 while its two terms are 2: the sum
    of alpha in float64 would err by 1e-16, here it is within 2u |D| + 16 u_ext (the terms)."""
    if np.finfo(np.longdouble).eps == np.finfo(np.float64).eps:
        pytest.skip("longdouble is float64 here")
    X = np.array([[1.0], [-1.0]] * 3)
    p = SVMProblem(X, [1.0, -1.0] * 3, C=1.0)
    s = certificate(p, [2.0], 0.0, [0.3333333333] * 6)
    a = [Fr(float(v)) for v in s.alpha]
    assert a == [Fr(0.3333333333)] * 6  # balanced and inside the box: the projection keeps it
    v = sum(a, Fr(0))  # sum alpha_i y_i x_i, y_i x_i = 1
    D = sum(a, Fr(0)) - v * v / 2
    u, ue = Fr(2) ** -53, Fr(float(np.finfo(np.longdouble).eps)) / 2
    assert abs(Fr(s.dual_objective) - D) <= 2 * u * abs(D) + 16 * ue * (sum(a, Fr(0)) + v * v / 2)


def test_weighted_b_interval_is_the_weighted_order_statistic():
    """Per-sample costs, every alpha*_i = C_i (C = 2^-10, integer data): two positives of weight 2,
    four negatives of weight 1. Then w* = sum_i C_i y_i x_i exactly, every margin is below 1, and the
    optimal bias set is [max_{y_i < 0} t*_i, min_{y_i > 0} t*_i] (the slope of the hinge sum,
    -sum_+ C_i + sum_- C_i, is 0 between them); the unweighted order statistics (n_+ = 2) would
    end it below every positive breakpoint."""
    X = np.array([[1.0, 2.0], [2.0, -1.0], [-1.0, 0.0], [0.0, -2.0], [-2.0, 1.0], [-1.0, -1.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0, -1.0, -1.0])
    p = SVMProblem(X, y, C=2.0**-10, sample_weight=[2.0, 2.0, 1.0, 1.0, 1.0, 1.0])
    w_star = (p.costs * y) @ X  # exact: dyadic
    s = certificate(p, w_star, 0.0, p.costs)
    t = [Fr(int(yi)) - sum((Fr(xi[j]) * Fr(w_star[j]) for j in range(2)), Fr(0)) for xi, yi in zip(X, y, strict=True)]
    b_lo = max(t[i] for i in range(6) if y[i] < 0)
    b_hi = min(t[i] for i in range(6) if y[i] > 0)
    assert b_lo < 0 < b_hi and s.radius < 1e-6  # b = 0 optimal: every margin y_i s_i < 1 there
    assert Fr(s.b_interval[0]) <= b_lo and b_hi <= Fr(s.b_interval[1])
    assert s.b_interval[0] > float(b_lo) - 1e-6 and s.b_interval[1] < float(b_hi) + 1e-6


def test_kernel_certificate_uses_the_true_kernel():
    """A coarse rbf-kernel factor (K = L L^T + E, E visible), two poor candidates and a random dual
    point: (1) duality_gap >= P_K(f_w, b) - D_K(alpha) with D_K from the full Gram (T14; the gap
    identity of the factor is most of it for the poor candidate); (2) dual_objective lies in
    [D_K - q, D_K], q = (sum_i alpha_i sqrt(E_ii))^2 / 2; (3) each margin range is
    2 r sqrt(|L_i|^2 + E_ii) + 2 delta_i plus the b interval's width wide, and no narrower than
    with sqrt(K_ii)."""
    from dualsvm.kernels import kernel_matrix

    X, y = ds.datasets.make_overlapping(40, 2, seed=3)
    p = SVMProblem(X, y, C=1.0, kernel="rbf", gamma=2.0, kernel_tol=1e-3)
    f = p.kernel_factor
    K = kernel_matrix("rbf", X, X, gamma=f.gamma)
    E = np.asarray(f.residual_diag)
    assert E.max() > 1e-4  # the factor is coarse: E matters (K_ii = 1)
    rng = np.random.default_rng(0)
    alpha = rng.uniform(0.0, 1.0, p.n)  # any dual point (projected by the certificate)
    for scale in (0.1, 1.0):
        w, b = scale * rng.standard_normal(p.d), 0.1
        s = certificate(p, w, b, alpha)
        v = p.y * s.alpha
        D_K = s.alpha.sum() - 0.5 * v @ K @ v
        q = 0.5 * float(s.alpha @ np.sqrt(E)) ** 2
        assert p.primal_objective(w, b) - D_K <= s.duality_gap
        assert D_K - q - 1e-12 <= s.dual_objective <= D_K + 1e-12
        L2 = np.einsum("ij,ij->i", p.X, p.X)
        B_w = s.b_interval[1] - s.b_interval[0]
        width = s.margin_range[1] - s.margin_range[0]
        np.testing.assert_allclose(width, 2 * s.radius * np.sqrt(L2 + E) + B_w, rtol=1e-9)
        assert np.all(width >= 2 * s.radius * np.sqrt(np.diag(K)) * (1 - 1e-12) + B_w)
        assert s.duality_gap > 10 * q  # the identity, not q, is most of the gap


def test_dask_problem_is_handed_off_with_every_argument():
    """certificate() of a problem on a dask array is the block-wise certificate of the same arguments:
    what it records (method, status, message, iterations, solve_time, extras) is what was passed, and
    target_gap and margin_tol decide success and the labels as in memory. Every argument is given a
    value other than its default, and the two values that decide something are chosen so that the
    default would decide otherwise (the hand-off's arguments survived mutation: no test had a dask
    problem)."""
    da = pytest.importorskip("dask.array")
    dask = pytest.importorskip("dask")
    p = hand_two_margin()
    pd = SVMProblem(da.from_array(p.X, chunks=(2, 2)), p.y, C=1.0)
    assert pd.chunked and not p.chunked
    w, b, alpha = [0.9, 0.05], -0.9, [0.5, 0.5, 0.0, 0.0]  # a poor candidate: wide margin ranges
    base = certificate(p, w, b, alpha)
    kw = dict(method="mine", status="optimal", message="", iterations=7, solve_time=0.25,
              extras={"k": 1}, target_gap=2.0 * base.relative_gap, margin_tol=10.0)
    ref = certificate(p, w, b, alpha, **kw)
    # The defaults would decide otherwise: the gap misses 1e-8, and margin_tol = 1e-3 labels fewer margins.
    assert not base.success and ref.success and ref.status == "optimal"
    assert len(ref.margin_support) > len(base.margin_support)
    with dask.config.set(scheduler="synchronous"):
        got = certificate(pd, w, b, alpha, **kw)
        for name, value in (("status", "max_iter"), ("message", "stopped by hand")):
            assert getattr(certificate(pd, w, b, alpha, **{**kw, name: value}), name) == value
    assert "certificate_passes" in got.extras  # the block-wise certificate, not the in-memory one
    assert (got.method, got.status, got.iterations, got.solve_time) == ("mine", "optimal", 7, 0.25)
    assert got.extras["k"] == 1 and got.success and got.margin_tol == 10.0
    assert got.message == ref.message and "<=" in got.message
    assert got.relative_gap == pytest.approx(ref.relative_gap, rel=1e-12)
    for name in ("margin_support", "bound_support", "non_support", "undecided"):
        np.testing.assert_array_equal(getattr(got, name), getattr(ref, name), err_msg=name)
    np.testing.assert_allclose(got.b_interval, ref.b_interval, rtol=1e-12)


def test_capped_factor_dual_objective_uses_v_E_v_itself():
    """A factor capped by memory_budget (rank 20 of 120, exact_residual): the dual objective is the true
    kernel dual D_K(alpha) = sum alpha - v'Kv / 2 (full Gram, v = y * alpha), up to rounding, and not
    the diagonal bound D_L - (sum_i alpha_i sqrt(E_ii))^2 / 2, which is ~1000 lower here (T15); the gap
    is P_K - D_K up to rounding. The exact-residual line of certificate() survived mutation: the
    fallback's tests are not in the mutation selection."""
    from dualsvm.kernels import kernel_matrix

    X, y = ds.datasets.make_overlapping(120, 2, seed=3)
    with pytest.warns(ds.ConvergenceWarning, match=r"numerical rank is above 20"):
        p = SVMProblem(X, y, C=1.0, kernel="rbf", gamma=5.0, memory_budget=8 * 120 * 20)
    f = p.kernel_factor
    assert f.exact_residual and p.d == 20
    K = kernel_matrix("rbf", f.X_train, f.X_train, gamma=f.gamma)
    rng = np.random.default_rng(0)
    alpha = rng.uniform(0.0, 1.0, p.n)  # any dual point (projected by the certificate)
    w, b = 0.1 * rng.standard_normal(p.d), 0.1
    s = certificate(p, w, b, alpha)
    v = p.y * s.alpha
    D_K = s.alpha.sum() - 0.5 * v @ K @ v
    vEv = v @ K @ v - np.sum((p.X.T @ v) ** 2)
    diag_bound = 0.5 * float(s.alpha @ np.sqrt(f.residual_diag)) ** 2
    tol = 1e-10 * float(np.abs(v) @ np.abs(K) @ np.abs(v))  # the float64 reference's own rounding, with room
    assert diag_bound - 0.5 * vEv > 100.0 and vEv > 1.0  # either term would be seen
    assert D_K - tol <= s.dual_objective <= D_K + tol
    P_K = p.primal_objective(w, b)  # = P_K(f_w, b) (T14)
    assert P_K - D_K - tol <= s.duality_gap <= P_K - D_K + tol
