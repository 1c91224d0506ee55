"""T13 the interior-point Newton system and its reduction to (d+1) x (d+1) (and to n x n)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from dualsvm.ipm import _FeatureNewton, _SampleNewton
from dualsvm.operators import DenseOperator


def _newton_symbols(n, d):
    """Symbolic data, iterate, residuals and a free (dw, db); back substitution as in T13 step 2."""
    X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"x{i}{j}", real=True))
    y = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"y{i}", real=True))
    pos = {"positive": True}
    a, u, s, xi = (sp.Matrix(n, 1, lambda i, _, k=k: sp.Symbol(f"{k}{i}", **pos)) for k in ("a", "u", "s", "xi"))
    r1, r2, rp = (sp.Matrix(n, 1, lambda i, _, k=k: sp.Symbol(f"{k}{i}", real=True)) for k in ("ra", "ru", "rp"))
    rw = sp.Matrix(d, 1, lambda j, _: sp.Symbol(f"rw{j}", real=True))
    rb = sp.Symbol("rb", real=True)
    dw = sp.Matrix(d, 1, lambda j, _: sp.Symbol(f"dw{j}", real=True))
    db = sp.Symbol("db", real=True)
    Z = sp.diag(*y) * X
    D = [s[i] / a[i] + xi[i] / u[i] for i in range(n)]
    H = sp.diag(*[1 / D[i] for i in range(n)])
    g = sp.Matrix(n, 1, lambda i, _: -rp[i] - r2[i] / u[i] + r1[i] / a[i])
    da = H * (g - Z * dw - y * db)
    ds = sp.Matrix(n, 1, lambda i, _: (r1[i] - s[i] * da[i]) / a[i])
    dxi = sp.Matrix(n, 1, lambda i, _: (r2[i] + xi[i] * da[i]) / u[i])
    return locals()


def _zero(expr) -> bool:
    return sp.expand(sp.numer(sp.together(expr))) == 0


@pytest.mark.parametrize(("n", "d"), [(3, 2), (4, 2)])
def test_t13_reduction_symbolic(n, d):
    """With da, ds, dxi from back substitution, the full Newton system's last three block rows vanish
    identically and its first two equal the reduced (d+1) x (d+1) system's residual (up to sign)."""
    v = _newton_symbols(n, d)
    X, y, Z, H, g, a, u, s, xi = (v[k] for k in ("X", "y", "Z", "H", "g", "a", "u", "s", "xi"))
    dw, db, da, ds, dxi, rw, rb, rp, r1, r2 = (v[k] for k in ("dw", "db", "da", "ds", "dxi", "rw", "rb", "rp", "r1", "r2"))
    # Full system, rows (3)-(5): the margin equality and the two complementarity linearizations.
    for i in range(n):
        assert _zero((Z * dw)[i] + y[i] * db + dxi[i] - ds[i] + rp[i])
        assert _zero(s[i] * da[i] + a[i] * ds[i] - r1[i])
        assert _zero(-xi[i] * da[i] + u[i] * dxi[i] - r2[i])
    # Rows (1)-(2) against the reduced system M [dw; db] = rhs.
    M_ww = sp.eye(d) + Z.T * H * Z
    M_wb = Z.T * H * y
    M_bb = (y.T * H * y)[0]
    red_w = M_ww * dw + M_wb * db - (Z.T * H * g - rw)
    red_b = (M_wb.T * dw)[0] + M_bb * db - ((y.T * H * g)[0] + rb)
    full_w = dw - Z.T * da + rw
    full_b = (y.T * da)[0] + rb
    for j in range(d):
        assert _zero(full_w[j] - red_w[j])
    assert _zero(full_b + red_b)
    # Negative control: without the identity block (the 1/2|w|^2 term) the reduction is wrong.
    assert not _zero(full_w[0] - (red_w[0] - dw[0]))


def test_t13_one_pass_gram_form_symbolic():
    """With y_i^2 = 1: Z^T H Z = X^T H X, Z^T H y = X^T H 1, y^T H y = 1^T H 1, so M is the Gram of [X 1]
    weighted by H plus diag(I, 0); and v^T M v = |v_w|^2 + sum_i h_i (x_i^T v_w + v_b)^2."""
    n, d = 4, 3
    X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"x{i}{j}", real=True))
    y = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"y{i}", real=True))
    h = [sp.Symbol(f"h{i}", positive=True) for i in range(n)]
    H = sp.diag(*h)
    Z = sp.diag(*y) * X
    sq = {y[i] ** 2: 1 for i in range(n)}
    M = sp.zeros(d + 1, d + 1)
    M[:d, :d] = sp.eye(d) + Z.T * H * Z
    M[:d, d] = Z.T * H * y
    M[d, :d] = (Z.T * H * y).T
    M[d, d] = (y.T * H * y)[0]
    A = X.row_join(sp.ones(n, 1))
    gram = A.T * H * A + sp.diag(*([1] * d + [0]))
    assert (M - gram).applyfunc(lambda e: sp.expand(sp.expand(e).subs(sq))) == sp.zeros(d + 1, d + 1)
    vw = sp.Matrix(d, 1, lambda j, _: sp.Symbol(f"v{j}", real=True))
    vb = sp.Symbol("vb", real=True)
    vv = vw.col_join(sp.Matrix([[vb]]))
    sos = (vw.T * vw)[0] + sum(h[i] * ((X.row(i) * vw)[0] + vb) ** 2 for i in range(n))
    assert sp.expand((vv.T * gram * vv)[0] - sos) == 0


def test_t13_samples_form_and_woodbury_symbolic():
    """The n x n form: with D da = g - Z dw - y db (back substitution), (Z Z^T + D) da + y db - g - Z r_w
    = -Z (dw - Z^T da + r_w), zero exactly when row (1) holds; and the push-through identity
    (D + Z Z^T) H Z = Z (I + Z^T H Z) behind Sherman-Morrison-Woodbury, at (n, d) = (4, 3)."""
    n, d = 4, 3
    X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"x{i}{j}", real=True))
    y = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"y{i}", real=True))
    Dd = [sp.Symbol(f"D{i}", positive=True) for i in range(n)]
    D, H = sp.diag(*Dd), sp.diag(*[1 / Di for Di in Dd])
    g = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"g{i}", real=True))
    rw = sp.Matrix(d, 1, lambda j, _: sp.Symbol(f"rw{j}", real=True))
    dw = sp.Matrix(d, 1, lambda j, _: sp.Symbol(f"dw{j}", real=True))
    db = sp.Symbol("db", real=True)
    Z = sp.diag(*y) * X
    da = H * (g - Z * dw - y * db)
    lhs = (Z * Z.T + D) * da + y * db - g - Z * rw
    full_w = dw - Z.T * da + rw  # row (1) of the full system
    for i in range(n):
        assert _zero(lhs[i] + (Z * full_w)[i])
    push = (D + Z * Z.T) * H * Z - Z * (sp.eye(d) + Z.T * H * Z)
    assert all(_zero(e) for e in push)


@pytest.mark.parametrize("form", ["features", "samples"])
def test_t13_package_newton_step_solves_full_system_sampled(form):
    """Sampled: dualsvm.ipm's own Newton solvers (not a copy) return a direction satisfying all five block
    rows of the full system to rounding, at random data and interior iterates."""
    rng = np.random.default_rng(13)
    for n, d in ((30, 4), (7, 12)):
        X = rng.normal(size=(n, d)) * rng.uniform(0.1, 10, size=d)
        y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
        C = 2.0
        a = rng.uniform(0.01, 0.99, n) * C
        u = C - a
        s, xi = rng.uniform(0.01, 3, n), rng.uniform(0.01, 3, n)
        r1, r2, rp = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
        rb = float(rng.normal())
        op = DenseOperator(X)
        Z = y[:, None] * X
        D = s / a + xi / u
        g = -rp - r2 / u + r1 / a
        if form == "features":
            nw = _FeatureNewton(op, y, np.zeros(d))
            rw = rng.normal(size=d)
        else:  # w is implicit in the n x n form: r_w = 0 by construction
            nw = _SampleNewton(op, y, np.zeros(d))
            rw = np.zeros(d)
        nw.factor(D, a, g)
        dw, db, da, zdw, _ = nw.solve(g, rw if form == "features" else None, rb)
        if dw is None:
            dw = Z.T @ da
        ds = (r1 - s * da) / a
        dxi = (r2 + xi * da) / u
        scale = 1.0 + np.abs(g).max() + np.abs(rw).max() + abs(rb)
        rows = [
            dw - Z.T @ da + rw,
            np.array([y @ da + rb]),
            Z @ dw + y * db + dxi - ds + rp,
            s * da + a * ds - r1,
            -xi * da + u * dxi - r2,
        ]
        for k, r in enumerate(rows, 1):
            assert np.abs(r).max() <= 1e-9 * scale * max(1.0, np.abs(X).max() ** 2), (form, n, d, k)
        np.testing.assert_allclose(zdw, Z @ dw, atol=1e-9 * scale * np.abs(X).max() ** 2)
