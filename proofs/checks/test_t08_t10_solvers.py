"""T08 subgradient descent, T09 recovery of w and b, T10 the certificate radius."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import z3
from hypothesis import given, settings
from hypothesis import strategies as st
from smt import hinge, prove, refute

import dualsvm as ds
from dualsvm.subgradient import balanced_violators


def test_t08_box_invariance_smt():
    """(1 - eta) a + eta C theta stays in [0, C] for a in [0, C], theta in [0, 1], eta in [0, 1]."""
    a, C, th, eta = z3.Reals("a C th eta")
    new = (1 - eta) * a + eta * C * th
    hyp = (C > 0, a >= 0, a <= C, th >= 0, th <= 1, eta >= 0, eta <= 1)
    prove(z3.And(new >= 0, new <= C), *hyp)
    refute(z3.And(new >= 0, new <= C), C > 0, a >= 0, a <= C, th >= 0, th <= 1, eta >= 0, eta <= 2)


def test_t08_violator_term_equals_hinge_smt():
    """C theta (1 - m) = C hinge(m) for theta = 1 on m < 1, 0 on m > 1, anything on m = 1: so FW gap = duality gap."""
    m, C, th = z3.Reals("m C th")
    rule = z3.And(z3.Implies(m < 1, th == 1), z3.Implies(m > 1, th == 0), th >= 0, th <= 1)
    prove(C * th * (1 - m) == C * hinge(m), rule)
    refute(C * th * (1 - m) == C * hinge(m), th >= 0, th <= 1)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 40), st.integers(0, 10_000), st.booleans())
def test_t08_balanced_violators_sampled(n, seed, ties):
    """Sampled: dualsvm's balanced_violators returns b in argmin_b and y^T theta = 0 exactly, ties included."""
    rng = np.random.default_rng(seed)
    y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    s = rng.integers(-3, 4, size=n).astype(float) if ties else rng.normal(size=n)
    b, theta = balanced_violators(y, s)
    assert abs(y @ theta) <= 1e-12 and theta.min() >= 0 and theta.max() <= 1
    m = y * (s + b)
    assert np.all(theta[m < 1 - 1e-12] == 1) and np.all(theta[m > 1 + 1e-12] == 0)
    f = lambda bb: np.maximum(0, 1 - y * (s + bb)).sum()  # noqa: E731
    assert f(b) <= min(f(b + 1e-3), f(b - 1e-3)) + 1e-12


def test_t09_argmin_b_sampled():
    """Sampled: argmin_b's interval contains the grid minimiser and nothing outside it does better."""
    rng = np.random.default_rng(1)
    for seed in range(10):
        X, y = ds.datasets.make_overlapping(30, 2, seed=seed)
        p = ds.SVMProblem(X, y, C=1.0)
        w = rng.normal(size=2)
        lo, hi = ds.argmin_b(p, w)
        grid = np.linspace(lo - 2, hi + 2, 2001)
        vals = np.array([p.primal_objective(w, g) for g in grid])
        inside = (grid >= lo) & (grid <= hi)
        assert vals[~inside].min() > p.primal_objective(w, lo) - 1e-12


def test_t10_radius_sampled():
    """Sampled: ||w - w*|| <= sqrt(2 G) and every optimal b lies in b_interval, for perturbed candidates."""
    rng = np.random.default_rng(2)
    for seed in range(5):
        X, y = ds.datasets.make_overlapping(50, 3, seed=seed)
        p = ds.SVMProblem(X, y, C=0.5)
        opt = ds.solve_dual(p)
        for scale in (1e-4, 1e-2, 1.0):
            w = opt.w + scale * rng.normal(size=3)
            b = opt.b + scale * rng.normal()
            c = ds.certify(p, w, b)
            assert np.linalg.norm(w - opt.w) <= c.radius + opt.radius
            assert c.b_interval[0] <= opt.b <= c.b_interval[1]


def test_t10_exact_rational_certificate():
    """A rigorous gap on a rational instance: P - D computed in exact arithmetic bounds |w - w*|^2 / 2."""
    X = [(F(2), F(1)), (F(0), F(1)), (F(4), F(0)), (F(-2), F(3))]
    y = [1, -1, 1, -1]
    C = F(1)
    w, b = (F(9, 10), F(1, 20)), F(-1)  # a perturbed candidate; the optimum is w* = (1, 0), b* = -1
    alpha = [F(1, 2), F(1, 2), F(0), F(0)]
    P = (w[0] ** 2 + w[1] ** 2) / 2 + C * sum(
        (max(F(0), 1 - yi * (x[0] * w[0] + x[1] * w[1] + b)) for x, yi in zip(X, y, strict=True)), F(0))
    v = [sum((ai * yi * x[j] for x, yi, ai in zip(X, y, alpha, strict=True)), F(0)) for j in range(2)]
    D = sum(alpha, F(0)) - (v[0] ** 2 + v[1] ** 2) / 2
    G = P - D
    dist2 = (w[0] - 1) ** 2 + (w[1] - 0) ** 2
    assert G >= 0 and dist2 <= 2 * G
