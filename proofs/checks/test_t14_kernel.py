"""T14 the kernel SVM through a pivoted Cholesky factor: exact identities and the dual bound."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from dualsvm.kernels import pivoted_cholesky


def _exact_pivoted_cholesky(K: sp.Matrix, rank: int) -> tuple[sp.Matrix, list[int]]:
    """The greedy diagonal-pivoting partial Cholesky in exact arithmetic (sympy square roots)."""
    n = K.shape[0]
    L = sp.zeros(n, rank)
    e = [K[i, i] for i in range(n)]
    piv: list[int] = []
    for k in range(rank):
        p = max((i for i in range(n) if i not in piv), key=lambda i: float(e[i]))
        col = [K[i, p] - sum(L[i, j] * L[p, j] for j in range(k)) for i in range(n)]
        s = sp.sqrt(e[p])
        for i in range(n):
            L[i, k] = 0 if i in piv else sp.radsimp(col[i] / s)
        for i in range(n):
            e[i] = sp.simplify(e[i] - L[i, k] ** 2)
        piv.append(p)
    return L, piv


def _rational_gram(seed: int, n: int, rank: int) -> sp.Matrix:
    rng = random.Random(seed)
    A = sp.Matrix(n, rank, lambda i, j: sp.Rational(rng.randint(-4, 4), rng.randint(1, 3)))
    return A * A.T


@pytest.mark.parametrize(("seed", "rank"), [(1, 3), (2, 4)])
def test_t14_factor_identities_exact(seed, rank):
    n = 6
    K = _rational_gram(seed, n, rank + 1)  # the factor stops one step short: E != 0
    L, piv = _exact_pivoted_cholesky(K, rank)
    LP = L.extract(piv, list(range(rank)))
    assert all(LP[i, j] == 0 for i in range(rank) for j in range(i + 1, rank))  # lower triangular
    assert all(LP[i, i].is_positive for i in range(rank))
    LPinv = LP.inv()
    for i in range(n):  # phi(x_i) = L_P^{-1} K[P, i] = L_i, pivot or not
        diff = LPinv * K.extract(piv, [i]) - L[i, :].T
        assert all(sp.simplify(v) == 0 for v in diff)
    assert all(sp.simplify(v) == 0 for v in (LP * LP.T - K.extract(piv, piv)))  # L_P L_P^T = K_PP
    E = (K - L * L.T).applyfunc(sp.simplify)
    assert all(E[p, j] == 0 for p in piv for j in range(n))  # E[P, :] = 0
    assert sp.simplify(E.trace()) != 0
    ev = [sp.N(v, 30) for v in E.eigenvals(multiple=True)]
    assert min(sp.re(v) for v in ev) > -1e-25  # E is PSD (its eigenvalues, to 30 digits)
    w = sp.Matrix(rank, 1, lambda j, _: sp.Symbol(f"w{j}", real=True))
    beta = LPinv.T * w
    assert sp.expand(sp.simplify((beta.T * K.extract(piv, piv) * beta)[0] - (w.T * w)[0])) == 0  # ||f_w||_H = ||w||
    # The package's factor: the same pivots, the same L to rounding.
    Kf = np.array(K.tolist(), dtype=float)
    Ln, pn, _ = pivoted_cholesky(lambda p: Kf[:, p], np.diag(Kf).copy(), tol=0.0, max_rank=rank)
    assert pn.tolist() == piv
    np.testing.assert_allclose(Ln, np.array(L.evalf(30).tolist(), dtype=float), atol=1e-12)


def test_t14_dual_bound_exact():
    """D_K(alpha) >= D_L(alpha) - tr(E)||alpha||^2 / 2 in Fractions; without the term it fails for some alpha.

    A rank-2 truncation by a rational factor (an LDL^T in Fractions, so that L L^T is exact):
    L = L~ D^{1/2} gives L L^T = L~ D L~^T, and E = K - L~ D L~^T, its trace exact.
    """
    rng = random.Random(5)
    n, rank = 6, 2
    A = [[Fraction(rng.randint(-3, 3)) for _ in range(4)] for _ in range(n)]
    K = [[sum(A[i][k] * A[j][k] for k in range(4)) for j in range(n)] for i in range(n)]
    # exact LDL^T with greedy diagonal pivots, truncated at `rank`
    e = [K[i][i] for i in range(n)]
    cols: list[list[Fraction]] = []
    dvals: list[Fraction] = []
    piv: list[int] = []
    for _ in range(rank):
        p = max((i for i in range(n) if i not in piv), key=lambda i: e[i])
        col = [K[i][p] - sum(c[i] * c[p] * dv for c, dv in zip(cols, dvals, strict=True)) for i in range(n)]
        dp = e[p]
        lt = [v / dp for v in col]
        cols.append(lt)
        dvals.append(dp)
        e = [e[i] - lt[i] ** 2 * dp for i in range(n)]
        piv.append(p)
    LLt = [[sum(c[i] * c[j] * dv for c, dv in zip(cols, dvals, strict=True)) for j in range(n)] for i in range(n)]
    E = [[K[i][j] - LLt[i][j] for j in range(n)] for i in range(n)]
    trE = sum(E[i][i] for i in range(n))
    assert trE > 0
    y = [1, -1, 1, -1, 1, -1]
    needed = False
    for _ in range(200):
        a = [Fraction(rng.randint(0, 8), 8) for _ in range(n)]
        v = [y[i] * a[i] for i in range(n)]
        quad = lambda M: sum(v[i] * M[i][j] * v[j] for i in range(n) for j in range(n))  # noqa: E731
        D_K = sum(a) - quad(K) / 2
        D_L = sum(a) - quad(LLt) / 2
        aa = sum(x * x for x in a)
        assert D_K >= D_L - trE * aa / 2
        # the tighter form: vᵀEv <= (sum_i a_i sqrt(E_ii))^2, i.e. with s_ij = a_i a_j sqrt(E_ii E_jj):
        # vᵀEv <= sum_ij s_ij, checked as: every |v_i v_j E_ij| <= s_ij (squares, exact) and sum them
        for i in range(n):
            for j in range(n):
                assert (v[i] * v[j] * E[i][j]) ** 2 <= (a[i] * a[j]) ** 2 * E[i][i] * E[j][j]
        needed |= D_K < D_L
    assert needed  # the term is not vacuous: D_K < D_L for some alpha
