"""T03 the dual (Lagrangian and stationarity), T04 the gap identity and weak duality."""

from __future__ import annotations

import numpy as np
import sympy as sp
import z3
from smt import hinge, prove, refute

import dualsvm as ds


def _symbols(n, d):
    X = sp.Matrix(n, d, lambda i, j: sp.Symbol(f"x{i}{j}", real=True))
    y = [sp.Symbol(f"y{i}", real=True) for i in range(n)]
    w = sp.Matrix(d, 1, lambda j, _: sp.Symbol(f"w{j}", real=True))
    a = [sp.Symbol(f"a{i}", real=True) for i in range(n)]
    xi = [sp.Symbol(f"xi{i}", real=True) for i in range(n)]
    return X, y, w, a, xi


def test_t03_lagrangian_stationarity_gives_the_dual_symbolic():
    """With w = sum a_i y_i x_i, y^T a = 0 and mu = C - a, the Lagrangian equals D(a), for (n, d) = (3, 2) and (4, 3)."""
    for n, d in ((3, 2), (4, 3)):
        X, y, w, a, xi = _symbols(n, d)
        b, C = sp.symbols("b C", real=True)
        mu = [C - a[i] for i in range(n)]
        marg = [y[i] * ((X.row(i) * w)[0] + b) for i in range(n)]
        L = (w.T * w)[0] / 2 + C * sum(xi) - sum(a[i] * (marg[i] - 1 + xi[i]) for i in range(n)) - sum(mu[i] * xi[i] for i in range(n))
        # stationarity in w, b, xi
        grad_w = [sp.diff(L, w[j]) for j in range(d)]
        w_star = sp.Matrix(d, 1, lambda j, _: sum(a[i] * y[i] * X[i, j] for i in range(n)))
        for j in range(d):
            assert sp.expand(grad_w[j].subs({w[k]: w_star[k] for k in range(d)})) == 0
        assert sp.expand(sp.diff(L, b) + sum(a[i] * y[i] for i in range(n))) == 0
        assert all(sp.expand(sp.diff(L, xi[i])) == 0 for i in range(n))  # since mu = C - a
        # the dual function: L at the stationary w, on the plane y^T a = 0 (eliminate a_{n-1}), with y_i^2 = 1
        L_star = L.subs({w[k]: w_star[k] for k in range(d)})
        D = sum(a) - (w_star.T * w_star)[0] / 2
        diff = sp.expand(L_star - D)
        # what remains is -b * y^T a, zero on the constraint plane
        assert sp.expand(diff + b * sum(a[i] * y[i] for i in range(n))) == 0


def test_t04_gap_identity_symbolic():
    """P - D = 1/2|w - Z^T a|^2 + sum [C xi_i - a_i (1 - m_i)] - b y^T a, with xi_i the hinge value, y_i^2 = 1."""
    for n, d in ((3, 2), (4, 3)):
        X, y, w, a, xi = _symbols(n, d)
        b, C = sp.symbols("b C", real=True)
        v = sp.Matrix(d, 1, lambda j, _: sum(a[i] * y[i] * X[i, j] for i in range(n)))
        m = [y[i] * ((X.row(i) * w)[0] + b) for i in range(n)]
        P = (w.T * w)[0] / 2 + C * sum(xi)
        D = sum(a) - (v.T * v)[0] / 2
        rhs = ((w - v).T * (w - v))[0] / 2 + sum(C * xi[i] - a[i] * (1 - m[i]) for i in range(n)) - b * sum(a[i] * y[i] for i in range(n))
        diff = sp.expand(P - D - rhs)
        diff = sp.expand(diff.subs({y[i] ** 2: 1 for i in range(n)}))
        assert diff == 0


def test_t04_per_sample_term_nonnegative_smt():
    """C*hinge(m) - a(1 - m) >= 0 for 0 <= a <= C: every bracket of the identity is >= 0 (weak duality)."""
    m, a, C = z3.Reals("m a C")
    term = C * hinge(m) - a * (1 - m)
    prove(term >= 0, a >= 0, a <= C)
    refute(term >= 0, a >= 0, a <= 2 * C, C > 0)  # negative control: outside the box it fails


def test_t04_identity_holds_for_dualsvm_certify():
    """The package's own certificate obeys the identity (checks dualsvm.certify, not a copy)."""
    rng = np.random.default_rng(0)
    X, y = ds.datasets.make_overlapping(40, 3, seed=5)
    p = ds.SVMProblem(X, y, C=0.7)
    for _ in range(5):
        w, b = rng.normal(size=3), float(rng.normal())
        s = ds.certify(p, w, b, alpha=rng.uniform(0, 0.7, size=40))
        m = p.margins(w, b)
        v = p.X.T @ (p.y * s.alpha)
        rhs = 0.5 * np.sum((w - v) ** 2) + np.sum(p.C * np.maximum(0, 1 - m) - s.alpha * (1 - m)) - b * (p.y @ s.alpha)
        assert abs(s.duality_gap - rhs) <= 1e-9 * max(1, abs(s.primal_objective))
        assert s.duality_gap >= 0
