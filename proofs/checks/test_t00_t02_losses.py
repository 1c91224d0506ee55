"""T00 slack elimination and conventions, T01 hinge, T02 logistic."""

from __future__ import annotations

import math

import sympy as sp
import z3
from smt import hinge, prove, refute, relu

z, z1, z2, t, g, u, xi, C = z3.Reals("z z1 z2 t g u xi C")


# -- T00 -----------------------------------------------------------------------
def test_t00_slack_elimination_smt():
    """min over xi >= max(0, 1 - m) of C*xi is C*hinge(m): every feasible xi costs at least that, and hinge(m) is feasible."""
    m = z
    prove(C * xi >= C * hinge(m), C > 0, xi >= 0, xi >= 1 - m)
    prove(z3.And(hinge(m) >= 0, hinge(m) >= 1 - m))
    refute(C * xi >= C * hinge(m) + 1, C > 0, xi >= 0, xi >= 1 - m)  # negative control


def test_t00_convention_map_symbolic():
    """P/(nC) = (lam/2)|w|^2 + mean hinge with lam = 1/(nC); P/C = sum hinge + lam'|w|^2 with lam' = 1/(2C) (PRML)."""
    n, Cs, w2, H = sp.symbols("n C w2 H", positive=True)  # w2 = |w|^2, H = sum of hinges
    P = w2 / 2 + Cs * H
    lam = 1 / (n * Cs)
    assert sp.simplify(P / (n * Cs) - (lam / 2 * w2 + H / n)) == 0
    lam_prml = 1 / (2 * Cs)
    assert sp.simplify(P / Cs - (H + lam_prml * w2)) == 0


# -- T01 -----------------------------------------------------------------------
def test_t01_hinge_is_relu_of_one_minus_margin():
    prove(hinge(z) == relu(1 - z))


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
