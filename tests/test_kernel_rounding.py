"""Kernel values in floating point: every certificate that reads computed kernel values bounds their rounding.

The reference is the kernel evaluated on the same float inputs in 200-bit
arithmetic (mpmath). The data are chosen where the float64 formulas lose most:
far from the origin (the RBF's ||a||^2 + ||b||^2 - 2a.b cancels) and a
degree-7 polynomial (the power multiplies the base's error by 7).
"""

from __future__ import annotations

from types import SimpleNamespace

import mpmath as mp
import numpy as np
import pytest

import dualsvm as ds
from dualsvm.kernels import (
    certify_expansion,
    dual_lower_bound,
    expansion_certificate,
    factorize,
    kernel_block,
    pointwise_bound,
)

U = 2.0**-53
mp.mp.prec = 200


def _exact(kernel, a, b, gamma, degree, coef0):
    a = [mp.mpf(float(t)) for t in a]
    b = [mp.mpf(float(t)) for t in b]
    g = mp.mpf(gamma)
    if kernel == "rbf":
        return mp.exp(-g * mp.fsum((x - z) ** 2 for x, z in zip(a, b, strict=True)))
    ip = mp.fsum(x * z for x, z in zip(a, b, strict=True))
    if kernel == "linear":
        return ip
    if kernel == "poly":
        return (g * ip + mp.mpf(coef0)) ** degree
    return mp.tanh(g * ip + mp.mpf(coef0))


def _exact_gram(kernel, A, B, gamma, degree, coef0):
    return [[_exact(kernel, a, b, gamma, degree, coef0) for b in B] for a in A]


def _far(rng, n, d):
    return 1000.0 + rng.normal(size=(n, d))


CASES = {  # kernel, gamma, degree, coef0, data
    "rbf-far": ("rbf", 0.2, 3, 0.0, lambda rng: _far(rng, 24, 5)),
    "rbf-spread": ("rbf", 0.5, 3, 0.0, lambda rng: 1.5 * rng.normal(size=(24, 30))),
    "poly7": ("poly", 0.5, 7, 1.0, lambda rng: 1.5 * rng.normal(size=(24, 30))),
    "poly7-no-c0": ("poly", 1 / 30, 7, 0.0, lambda rng: rng.normal(size=(24, 30))),
    "poly0": ("poly", 0.5, 0, 1.0, lambda rng: rng.normal(size=(6, 3))),
    "linear-large": ("linear", 1.0, 3, 0.0, lambda rng: 1e3 * rng.normal(size=(24, 30))),
    "sigmoid": ("sigmoid", 0.01, 3, -0.5, lambda rng: rng.normal(size=(24, 30))),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_kernel_block_bounds_every_value_and_is_not_vacuous(case):
    kernel, gamma, degree, coef0, make = CASES[case]
    X = make(np.random.default_rng(0))
    K, delta = kernel_block(kernel, X, X, gamma=gamma, degree=degree, coef0=coef0)
    np.testing.assert_array_equal(K, ds.kernels.kernel_matrix(kernel, X, X, gamma=gamma, degree=degree, coef0=coef0))
    Ke = _exact_gram(kernel, X, X, gamma, degree, coef0)
    err = np.array([[float(abs(mp.mpf(float(K[i, j])) - Ke[i][j])) for j in range(len(X))] for i in range(len(X))])
    assert np.all(err <= delta), f"max err/bound {np.max(err / np.where(delta > 0, delta, np.inf)):.3g}"
    if degree == 0 and kernel == "poly":
        assert np.all(delta == 0) and np.all(err == 0)
    else:  # the worst entry's rounding is within 1000x of its bound: a bound that cannot fail is a bug
        assert np.max(err / delta) > 1e-3


def _problem(case, n_pos=12):
    kernel, gamma, degree, coef0, make = CASES[case]
    X = make(np.random.default_rng(1))
    y = np.where(np.arange(len(X)) < n_pos, 1, -1)
    return ds.SVMProblem(X, y, C=1.0, kernel=kernel, gamma=gamma, degree=degree, coef0=coef0), X


@pytest.mark.parametrize("case", ["rbf-far", "poly7"])
def test_residual_quadratic_bounds_the_exact_form(case):
    """v'(K - LL')v with the exact K stays below residual_quadratic, for several v (fails if K's rounding is ignored)."""
    p, X = _problem(case)
    f = p.kernel_factor
    L = np.asarray(p.X)
    Ke = _exact_gram(f.kernel, X, X, f.gamma, f.degree, f.coef0)
    rng = np.random.default_rng(2)
    for _ in range(8):
        v = rng.normal(size=len(X))
        t = [mp.fsum(mp.mpf(float(L[i, k])) * mp.mpf(float(v[i])) for i in range(len(X))) for k in range(L.shape[1])]
        q = mp.fsum(mp.mpf(float(v[i])) * Ke[i][j] * mp.mpf(float(v[j])) for i in range(len(X)) for j in range(len(X)))
        q -= mp.fsum(tk * tk for tk in t)
        assert f.residual_quadratic(L, v) >= q


@pytest.mark.parametrize("case", ["rbf-far", "poly7"])
def test_expansion_certificate_gap_covers_the_exact_objective(case):
    """G >= P_K(f, b) - lower_bound with P_K in exact arithmetic (lower_bound 0, always valid: P >= 0)."""
    p, X = _problem(case)
    f = p.kernel_factor
    Ke = _exact_gram(f.kernel, X, X, f.gamma, f.degree, f.coef0)
    y, C = p.y, p.costs
    rng = np.random.default_rng(3)
    S = np.arange(0, len(X), 2)
    for scale in (0.1, 1.0, 10.0, 0.1, 1.0, 10.0):
        c = rng.normal(size=S.size) * scale
        b = float(rng.normal())
        fx = [mp.fsum(mp.mpf(float(c[k])) * Ke[i][int(s)] for k, s in enumerate(S)) + mp.mpf(b) for i in range(len(X))]
        norm2 = mp.fsum(mp.mpf(float(c[k])) * fx[int(s)] - mp.mpf(float(c[k])) * mp.mpf(b) for k, s in enumerate(S))
        P = norm2 / 2 + mp.fsum(mp.mpf(float(C[i])) * max(mp.mpf(0), 1 - mp.mpf(float(y[i])) * fx[i])
                                for i in range(len(X)))
        assert expansion_certificate(p, 0.0, S, c, b)["duality_gap"] >= P


def test_pointwise_bound_uses_an_upper_bound_on_the_exact_k_xx():
    """radius * sqrt(k(x, x)) with the exact k: the degree-7 diagonal rounds by up to ~7(d + 2)u."""
    p, X = _problem("poly7")
    f = p.kernel_factor
    sol = SimpleNamespace(radius=1.0, b=0.0, b_interval=(0.0, 0.0))
    for pts in (None, 1.5 * np.random.default_rng(4).normal(size=(40, X.shape[1]))):
        Z = X if pts is None else pts
        band = pointwise_bound(p, sol, pts)
        for i, x in enumerate(Z):
            assert band[i] >= mp.sqrt(_exact(f.kernel, x, x, f.gamma, f.degree, f.coef0))


def test_residual_diagonal_bounds_the_exact_one():
    """factorize's E_ii upper bounds hold for the exact K_ii - ||L_i||^2 (K_ii's own rounding included).

    Two points in 3000 dimensions, degree 9: the diagonal's rounding (about 9 times the
    inner product's) exceeds the factor's own allowance, so ignoring it fails here.
    """
    for seed in range(10):
        X = np.random.default_rng(seed).normal(size=(2, 3000))
        L, f = factorize(X, "poly", gamma=1 / 3000, degree=9, coef0=0.0)
        for i, x in enumerate(X):
            e = _exact("poly", x, x, 1 / 3000, 9, 0.0) - mp.fsum(mp.mpf(float(t)) ** 2 for t in L[i])
            assert f.residual_diag[i] >= e


@pytest.mark.parametrize("case", ["moons", "rbf-far", "poly7-wide"])
def test_factor_residual_term_bounds_the_exact_residual_form(case):
    """v'(K - LL')v, K exact, stays below (sum_i |v_i| sqrt(E_ii))^2, the certificate's term (T14), for 500 v.

    K - LL' (exact K, the stored L) is formed in mpmath and rounded to float64
    entrywise, whose error is far below the margins seen (worst ratio 0.01 here;
    1860 on "rbf-far" when the factor's RBF columns came from the expansion
    ||x||^2 + ||x'||^2 - 2x.x', which cancels 1000 units from the origin).
    """
    rng = np.random.default_rng(6)
    if case == "moons":
        from sklearn.datasets import make_moons

        X, kw = make_moons(40, noise=0.3, random_state=0)[0], dict(kernel="rbf", gamma=1.0, degree=3, coef0=0.0)
    elif case == "rbf-far":
        X, kw = _far(rng, 40, 5), dict(kernel="rbf", gamma=0.2, degree=3, coef0=0.0)
    else:
        X, kw = rng.normal(size=(8, 400)), dict(kernel="poly", gamma=1 / 400, degree=7, coef0=1.0)
    L, f = factorize(X, kw["kernel"], gamma=kw["gamma"], degree=kw["degree"], coef0=kw["coef0"])
    n, r = L.shape
    Lm = [[mp.mpf(float(t)) for t in row] for row in L]
    E = np.array([[float(_exact(f.kernel, X[i], X[j], f.gamma, f.degree, f.coef0)
                         - mp.fsum(Lm[i][k] * Lm[j][k] for k in range(r))) for j in range(n)] for i in range(n)])
    V = rng.uniform(-1, 1, (500, n)) * (rng.uniform(size=(500, n)) < 0.5)
    q = np.einsum("ki,ij,kj->k", V, E, V)
    bound = (np.abs(V) @ np.sqrt(f.residual_diag)) ** 2
    assert np.all(q <= bound), f"worst ratio {np.max(q / bound):.3g}"


def _exact_dual(Ke, y, a):
    v = [mp.mpf(float(y[i] * a[i])) for i in range(len(a))]
    n = len(a)
    return mp.fsum(mp.mpf(float(t)) for t in a) - mp.fsum(v[i] * Ke[i][j] * v[j] for i in range(n) for j in range(n)) / 2


@pytest.mark.parametrize("case", ["rbf-far", "poly7"])
def test_dual_lower_bound_is_below_the_exact_dual_value(case):
    """dual_lower_bound(alpha) <= D_K(alpha) with K exact (y'alpha = 0 exactly: paired entries), and close to it."""
    p, X = _problem(case)
    f = p.kernel_factor
    Ke = _exact_gram(f.kernel, X, X, f.gamma, f.degree, f.coef0)
    rng = np.random.default_rng(7)
    pos, neg = np.flatnonzero(p.y > 0), np.flatnonzero(p.y < 0)
    for k in range(30):
        a = np.zeros(len(X))
        t = rng.uniform(0, (1e-3, 0.1, 1.0)[k % 3], size=min(len(pos), len(neg)))
        a[rng.permutation(pos)[:t.size]] = t
        a[rng.permutation(neg)[:t.size]] = t  # y'alpha = 0 in exact arithmetic
        D = _exact_dual(Ke, p.y, a)
        low = dual_lower_bound(p, a)
        assert low <= D
        assert D - low <= 1e-7 * max(1.0, abs(float(D)))  # not vacuous: the rounding allowances only


def test_dual_lower_bound_covers_the_sums_rounding_on_a_cancelling_gram():
    """K = 1e6 * 11' + I (precomputed: its values are exact), y'alpha = 0: c'Kc = ||c||^2 exactly, but the
    computed sums carry 1e6-sized rounding; the bound's gamma term must cover it (Fractions as reference)."""
    from fractions import Fraction

    n = 40
    K = 1e6 * np.ones((n, n)) + np.eye(n)
    y = np.where(np.arange(n) < n // 2, 1, -1)
    p = ds.SVMProblem(K, y, C=1.0, kernel="precomputed")
    rng = np.random.default_rng(8)
    for _ in range(30):
        t = rng.uniform(0, 1, size=n // 2)
        a = np.concatenate([t, rng.permutation(t)])  # y'alpha = 0 exactly
        D = sum(Fraction(float(x)) for x in a) - sum(Fraction(float(x)) ** 2 for x in a) / 2
        assert Fraction(dual_lower_bound(p, a)) <= D


def test_dual_lower_bound_charges_an_unbalanced_alpha():
    """With y'alpha != 0 the bound subtracts |b*| |y'alpha| (weak duality needs y'alpha = 0), so it is below D_K."""
    p, X = _problem("rbf-far")
    f = p.kernel_factor
    Ke = _exact_gram(f.kernel, X, X, f.gamma, f.degree, f.coef0)
    a = np.zeros(len(X))
    a[0] = 0.5  # one positive point only: y'alpha = 0.5
    assert dual_lower_bound(p, a) < _exact_dual(Ke, p.y, a) - 0.5


def test_certify_expansion_covers_the_exact_gap_of_a_solution():
    """G >= P_K(f_alpha, b) - D_K(alpha), both in exact arithmetic, for solve_ipm's and solve_dual's answers."""
    p, X = _problem("rbf-far")
    f = p.kernel_factor
    Ke = _exact_gram(f.kernel, X, X, f.gamma, f.degree, f.coef0)
    y, C = p.y, p.costs
    for solve in (ds.solve_ipm, ds.solve_dual):
        sol = solve(p)
        ce = certify_expansion(p, sol)
        a = np.clip(sol.alpha, 0.0, C)
        c = [mp.mpf(float(y[j] * a[j])) for j in range(len(X))]
        fx = [mp.fsum(c[j] * Ke[i][j] for j in range(len(X))) + mp.mpf(float(sol.b)) for i in range(len(X))]
        P = mp.fsum(c[j] * (fx[j] - mp.mpf(float(sol.b))) for j in range(len(X))) / 2
        P += mp.fsum(mp.mpf(float(C[i])) * max(mp.mpf(0), 1 - mp.mpf(float(y[i])) * fx[i]) for i in range(len(X)))
        assert ce["primal_objective"] == pytest.approx(float(P), rel=1e-9)
        assert ce["lower_bound"] <= _exact_dual(Ke, y, a) and ce["duality_gap"] >= P - _exact_dual(Ke, y, a)


def _exact_pstar(K, y, C):
    """P* of a tiny kernel SVM in exact arithmetic (Fractions): the best KKT point over all 3^n active sets."""
    from fractions import Fraction
    from itertools import product

    import sympy

    n, best = len(y), None
    for state in product((0, 1, 2), repeat=n):  # alpha_i = 0, free, = C_i
        free = [i for i in range(n) if state[i] == 1]
        if not free:
            continue
        fixed = {i: (Fraction(0) if state[i] == 0 else C[i]) for i in range(n) if state[i] != 1}
        A = sympy.Matrix([[y[i] * y[j] * K[i][j] for j in free] + [y[i]] for i in free] + [[y[j] for j in free] + [0]])
        rhs = sympy.Matrix([1 - sum(y[i] * y[j] * K[i][j] * a for j, a in fixed.items()) for i in free]
                           + [-sum(y[j] * a for j, a in fixed.items())])
        if A.det() == 0:
            continue
        sol = [Fraction(int(t.p), int(t.q)) for t in A.LUsolve(rhs)]
        a = [fixed.get(i, Fraction(0)) for i in range(n)]
        for k, i in enumerate(free):
            a[i] = sol[k]
        b = sol[-1]
        f = [sum(K[i][j] * y[j] * a[j] for j in range(n)) for i in range(n)]
        m = [y[i] * (f[i] + b) for i in range(n)]
        if any(not 0 <= a[i] <= C[i] for i in range(n)) or any(
                (state[i] == 0 and m[i] < 1) or (state[i] == 2 and m[i] > 1) for i in range(n)):
            continue
        P = sum(y[i] * a[i] * f[i] for i in range(n)) / 2 + sum(C[i] * max(Fraction(0), 1 - m[i]) for i in range(n))
        best = P if best is None else min(best, P)
    return best


def test_certify_expansion_on_a_gram_symmetric_only_up_to_rounding():
    """A precomputed Gram off by 3.9e-12 in one entry (accepted) is solved and certified as its upper triangle,
    mirrored. Before, the factor read columns and the expansion rows of two different matrices: the certified
    gap 3.5e-12 was below the exact 1.8e-10 (found by review; P* exact by active-set enumeration)."""
    from fractions import Fraction

    Ks = np.array([[1.0, 0.9, 0.5, 0.2], [0.9, 1.0, 0.4, 0.3], [0.5, 0.4, 1.0, 0.8], [0.2, 0.3, 0.8, 1.0]])
    X = Ks.copy()
    X[0, 1] -= 3.9e-12
    y, C = [1, -1, -1, 1], 10.0
    p = ds.SVMProblem(X, np.array(y), C=C, kernel="precomputed")
    K_up = np.triu(X) + np.triu(X, 1).T
    np.testing.assert_array_equal(p.kernel_factor.X_train, K_up)
    Kf = [[Fraction(float(K_up[i, j])) for j in range(4)] for i in range(4)]
    P_star = _exact_pstar(Kf, y, [Fraction(C)] * 4)
    for solve in (ds.solve_ipm, ds.solve_dual):
        sol = solve(p)
        ce = certify_expansion(p, sol)
        a = [Fraction(float(t)) for t in np.clip(sol.alpha, 0.0, C)]
        b = Fraction(float(sol.b))
        f = [sum(Kf[i][j] * y[j] * a[j] for j in range(4)) for i in range(4)]
        P = sum(y[i] * a[i] * f[i] for i in range(4)) / 2 + sum(
            Fraction(C) * max(Fraction(0), 1 - y[i] * (f[i] + b)) for i in range(4))
        assert Fraction(ce["lower_bound"]) <= P_star
        assert P - P_star <= Fraction(ce["duality_gap"])


def test_dual_lower_bound_and_certify_expansion_give_no_bound_on_overflow():
    """Costs near the float64 limit overflow the sums: -inf and inf, never nan or a crash (found by review)."""
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(8, 2)), np.array([1, -1] * 4)
    for C in (1e300, 1.7e308):
        p = ds.SVMProblem(X, y, C=C, kernel="rbf")
        a = np.where(y > 0, C, C / 2)
        assert dual_lower_bound(p, a) == -np.inf
        assert certify_expansion(p, SimpleNamespace(alpha=a, b=0.0))["duality_gap"] == np.inf
