"""T00 slack elimination and conventions, T01 hinge, T02 logistic."""

from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
import sympy as sp
import z3
from hypothesis import example, given, settings
from hypothesis import strategies as st
from smt import hinge, prove, refute

import dualsvm as ds
from dualsvm import conventions, losses

z, z1, z2, t, g, u, xi, C = z3.Reals("z z1 z2 t g u xi C")


# -- T00 -----------------------------------------------------------------------
def test_t00_slack_elimination_smt():
    """min over xi >= max(0, 1 - m) of C*xi is C*hinge(m): every feasible xi costs at least that, and hinge(m) is feasible."""
    m = z
    prove(C * xi >= C * hinge(m), C > 0, xi >= 0, xi >= 1 - m)
    prove(z3.And(hinge(m) >= 0, hinge(m) >= 1 - m))
    refute(C * xi >= C * hinge(m) + 1, C > 0, xi >= 0, xi >= 1 - m)  # negative control


def test_t00_convention_map_symbolic():
    """Solve for the weight decay that makes each rescaled objective equal P / const: lam = 1/(nC) and lam' = 1/(2C)."""
    n, Cs, w2, H, lam = sp.symbols("n C w2 H lam", positive=True)  # w2 = |w|^2, H = sum of hinges
    P = w2 / 2 + Cs * H
    # Pegasos / SGDClassifier: P/(nC) = (lam/2)|w|^2 + (1/n) sum hinge, for all w2 and H
    assert sp.solve(sp.expand(P / (n * Cs) - (lam / 2 * w2 + H / n)).coeff(w2), lam) == [1 / (n * Cs)]
    assert sp.expand(P / (n * Cs) - (w2 / (2 * n * Cs) + H / n)) == 0
    # PRML: P/C = sum hinge + lam' |w|^2
    assert sp.solve(sp.expand(P / Cs - (H + lam * w2)).coeff(w2), lam) == [1 / (2 * Cs)]
    assert sp.expand(P / Cs - (H + w2 / (2 * Cs))) == 0
    # LinearSVC: the bias is the weight v of a constant feature s, so b = s v and its decay (1/2) v^2 is
    # dualsvm.conventions.linearsvc_bias_penalty (evaluated here on symbols: the package's own formula).
    v, s_ = sp.symbols("v s", positive=True)
    assert sp.simplify(conventions.linearsvc_bias_penalty(s_ * v, s_) - v**2 / 2) == 0


def _within_ulps(got: float, exact: F, k: int) -> bool:
    """|got - exact| <= k units of roundoff of exact (k = the number of roundings in the computation)."""
    return abs(F(got) - exact) <= k * F(2.0**-53) * abs(exact)


def test_t00_convention_functions_sampled():
    """dualsvm.conventions returns the derived parameters: checked exactly (to its roundings) and through P itself."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(2, 10**6))
        C = float(10.0 ** rng.uniform(-6, 6))
        exact_sgd, exact_prml = 1 / (n * F(C)), 1 / (2 * F(C))
        assert _within_ulps(conventions.sgd_alpha_from_C(C, n), exact_sgd, 2), (C, n)
        assert _within_ulps(conventions.pegasos_lambda(C, n), exact_sgd, 2), (C, n)
        assert _within_ulps(conventions.prml_lambda(C), exact_prml, 2), C
        alpha = conventions.sgd_alpha_from_C(C, n)
        assert _within_ulps(conventions.C_from_sgd_alpha(alpha, n), 1 / (n * F(alpha)), 2), (alpha, n)
        assert _within_ulps(conventions.C_from_sgd_alpha(alpha, n), F(C), 6), (C, n)
    # and the rescaled objectives equal P / const on data, with the package's P and hinge
    X, y = ds.datasets.make_overlapping(50, 3, seed=3)
    for C in (1e-3, 0.7, 40.0):
        p = ds.SVMProblem(X, y, C=C)
        for _ in range(5):
            w, b = rng.normal(size=3), float(rng.normal())
            P, w2, hinges = p.primal_objective(w, b), float(w @ w), losses.hinge(p.margins(w, b))
            lam = conventions.pegasos_lambda(C, p.n)
            assert math.isclose(P / (p.n * C), lam / 2 * w2 + hinges.mean(), rel_tol=1e-12)
            assert math.isclose(P / C, hinges.sum() + conventions.prml_lambda(C) * w2, rel_tol=1e-12)
        assert math.isclose(conventions.linearsvc_bias_penalty(3.0, 10.0), 0.5 * (3.0 / 10.0) ** 2, rel_tol=1e-15)


# -- T01 -----------------------------------------------------------------------
def test_t01_hinge_convex():
    prove(hinge(t * z1 + (1 - t) * z2) <= t * hinge(z1) + (1 - t) * hinge(z2), t >= 0, t <= 1)
    # negative control: the 0-1 loss is not convex
    zo = lambda v: z3.If(v <= 0, 1, 0)  # noqa: E731
    refute(zo(t * z1 + (1 - t) * z2) <= t * zo(z1) + (1 - t) * zo(z2), t >= 0, t <= 1)


def test_t01_hinge_one_lipschitz_and_bounds_zero_one():
    dist = z3.If(z1 - z2 >= 0, z1 - z2, z2 - z1)
    prove(z3.And(hinge(z1) - hinge(z2) <= dist, hinge(z2) - hinge(z1) <= dist))
    refute(hinge(z1) - hinge(z2) <= dist / 2)  # negative control: not 1/2-Lipschitz
    prove(hinge(z) >= z3.If(z <= 0, 1, 0))
    refute(hinge(z) >= 2 * z3.If(z <= 0, 1, 0))


def test_t01_subdifferential():
    """g in the subdifferential at z iff hinge(u) >= hinge(z) + g (u - z) for all u."""
    sub = z3.ForAll([u], hinge(u) >= hinge(z) + g * (u - z))
    prove(sub, z < 1, g == -1)
    prove(sub, z > 1, g == 0)
    prove(sub, z == 1, g >= -1, g <= 0)
    # and nothing else is a subgradient: outside [-1, 0] at z = 1 the inequality fails somewhere
    prove(z3.Not(sub), z == 1, z3.Or(g < -1, g > 0))
    refute(sub, z == 1, g >= -1, g <= 0.5)  # negative control


# The properties above are proved for the piecewise form hinge(z) = If(1 - z > 0, 1 - z, 0) (smt.hinge).
# dualsvm.losses.hinge is a numpy function z3 cannot trace, so these two tests tie it to that term:
# on every sampled float it returns the correctly rounded value of the proved term, and its subgradient
# satisfies the proved subgradient inequality, re-proved by z3 at that exact point.
FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)
EDGES = [0.0, -0.0, 1.0, np.nextafter(1.0, 2.0), np.nextafter(1.0, 0.0), 1e-300, -1e-300, 5e-324,
         1 + 2.0**-52, 1 - 2.0**-53, 2.0**53, -(2.0**53), 1e308, -1e308, 0.5, 3.0, -7.25]


def _exact_hinge(zf: float) -> F:
    return z3.simplify(z3.substitute(hinge(z), (z, z3.RealVal(F(zf))))).as_fraction()


@settings(max_examples=300, deadline=None)
@given(FLOATS)
@example(1.0)
@example(np.nextafter(1.0, 2.0))
@example(np.nextafter(1.0, 0.0))
@example(5e-324)
def test_t01_package_hinge_is_the_proved_term_sampled(zf):
    """dualsvm.losses.hinge(z) is the proved term max(0, 1 - z) rounded once to nearest: exactly float(exact)."""
    got = losses.hinge(zf)
    assert got.shape == () and float(got) == float(_exact_hinge(zf)), zf
    # vectorised calls agree with scalar ones
    np.testing.assert_array_equal(losses.hinge(np.array([zf, zf])), [float(got)] * 2)


def test_t01_package_hinge_grad_is_a_subgradient():
    """At each sampled point z0, g = dualsvm.losses.hinge_grad(z0) satisfies hinge(u) >= hinge(z0) + g (u - z0) for all real u (z3)."""
    rng = np.random.default_rng(1)
    points = EDGES + list(rng.normal(1.0, 2.0, 40)) + list(rng.integers(-5, 6, 10).astype(float))
    for zf in points:
        g = float(losses.hinge_grad(zf))
        z0 = z3.RealVal(F(zf))
        prove(z3.ForAll([u], hinge(u) >= hinge(z0) + z3.RealVal(F(g)) * (u - z0)))
    assert float(losses.hinge_grad(1.0)) == 0.0  # at the kink it returns 0, as documented
    # negative control: a wrong sign is not a subgradient
    refute(z3.ForAll([u], hinge(u) >= hinge(z3.RealVal(F(1, 2))) + 1 * (u - F(1, 2))))


# -- T02 -----------------------------------------------------------------------
def test_t02_logistic_is_minus_log_sigmoid_symbolic():
    s = sp.symbols("z", real=True)
    sigma = 1 / (1 + sp.exp(-s))
    assert sp.simplify(sp.expand_log(-sp.log(sigma), force=True) - sp.log(1 + sp.exp(-s))) == 0


def test_t02_binary_cross_entropy_is_logistic_of_margin_symbolic():
    f = sp.symbols("f", real=True)
    sigma = lambda v: 1 / (1 + sp.exp(-v))  # noqa: E731
    for y in (1, -1):
        t_ = sp.Rational(y + 1, 2)
        bce = -(t_ * sp.log(sigma(f)) + (1 - t_) * sp.log(1 - sigma(f)))
        diff = sp.simplify(sp.expand_log(bce - sp.log(1 + sp.exp(-y * f)), force=True))
        assert diff == 0, (y, diff)
        # a numeric spot check guards against a vacuous simplification
        for v in (-3.0, 0.0, 2.5):
            assert math.isclose(float(bce.subs(f, v)), math.log1p(math.exp(-y * v)), rel_tol=1e-12)
