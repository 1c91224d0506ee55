"""T08 subgradient descent, T09 recovery of w and b, T10 the certificate radius."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
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


# -- exact arithmetic helpers (T09, T10) ----------------------------------------------
def _q(v) -> F:
    """An int, float or Fraction (numpy scalars included) as an exact Fraction."""
    return F(v.item()) if isinstance(v, np.generic) else F(v)


def _dot(u, v) -> F:
    return sum((_q(a_) * _q(b_) for a_, b_ in zip(u, v, strict=True)), F(0))


def _P(X, y, C, w, b) -> F:
    """P(w, b) in exact rational arithmetic (every input converted exactly from its float or int)."""
    return _dot(w, w) / 2 + _q(C) * sum((max(F(0), 1 - int(yi) * (_dot(x, w) + _q(b))) for x, yi in zip(X, y, strict=True)), F(0))


def _breakpoints(X, y, w) -> list[F]:
    return sorted(int(yi) - _dot(x, w) for x, yi in zip(X, y, strict=True))


def assert_is_argmin_b(X, y, C, w, lo, hi) -> None:
    """[lo, hi] is exactly argmin_b P(w, .), checked in Fractions against the definition.

    P(w, .) is convex and piecewise linear with kinks at the breakpoints. If it is constant on [lo, hi]
    (equal at lo, hi and every kink between) and strictly larger at lo - delta and hi + delta, with no
    kink strictly between lo - delta and lo nor between hi and hi + delta, then lo is a local hence global
    minimiser, and the argmin (a convex set) contains [lo, hi] and neither lo - delta nor hi + delta, where
    P is strictly monotone: so it is [lo, hi].
    """
    lo, hi = F(lo), F(hi)
    assert lo <= hi, f"ends swapped: {lo} > {hi}"
    pts = sorted(set(_breakpoints(X, y, w)) | {lo, hi})
    diffs = [b_ - a_ for a_, b_ in zip(pts[:-1], pts[1:], strict=True)]
    delta = min(diffs) / 2 if diffs else F(1)
    f = lambda b: _P(X, y, C, w, b)  # noqa: E731
    v = f(lo)
    for b in [hi] + [t for t in pts if lo < t < hi]:
        assert f(b) == v, f"P(w, .) is not constant on [{lo}, {hi}]: P({b}) = {f(b)} != {v}"
    assert f(lo - delta) > v, f"P(w, {lo - delta}) = {f(lo - delta)} <= P(w, lo) = {v}: the interval starts too late"
    assert f(hi + delta) > v, f"P(w, {hi + delta}) = {f(hi + delta)} <= P(w, hi) = {v}: the interval ends too early"


def _small_exact_problem(rng: np.random.Generator, n_range: tuple[int, int] = (2, 9)):
    """Integer X in [-3, 3], dyadic w: X @ w and y - X @ w are exact in floats. Duplicated rows make tied breakpoints."""
    n, d = int(rng.integers(*n_range)), int(rng.integers(1, 4))
    X = rng.integers(-3, 4, size=(n, d))
    if rng.random() < 0.5:
        X = np.vstack([X, X[rng.integers(0, n, size=int(rng.integers(1, 4)))]])
    y = rng.choice([-1, 1], size=X.shape[0])
    y[:2] = (1, -1)
    w = rng.integers(-8, 9, size=d) / 4
    C = float(rng.choice([0.25, 1.0, 3.0]))
    return X, y, C, w


def test_t09_argmin_b_exact():
    """dualsvm.argmin_b returns exactly argmin_b P(w, .), both ends, on 300 small problems with ties, in Fractions
    (every tenth with 40 to 80 points: numpy's partition fully sorts small arrays, which would hide a
    selection bug)."""
    rng = np.random.default_rng(9)
    n_ties = n_wide = 0
    for k in range(300):
        X, y, C, w = _small_exact_problem(rng, n_range=(2, 9) if k % 10 else (40, 81))
        p = ds.SVMProblem(X.astype(float), y, C=C)
        lo, hi = ds.argmin_b(p, w)
        assert_is_argmin_b(X, y, C, w, lo, hi)
        t = _breakpoints(X, y, w)
        n_ties += len(set(t)) < len(t)
        n_wide += lo < hi
    assert n_ties > 50 and n_wide > 50  # both kinds of instance were exercised


def test_t09_exact_check_rejects_wrong_intervals():
    """Negative control: the exact check fails for a swapped, collapsed, shrunk or widened interval."""
    X, y, C, w = np.array([[1], [-1], [3], [-2]]), np.array([1, -1, 1, -1]), 1.0, np.array([0.25])
    # breakpoints y_i - x_i w = 3/4, -3/4, 1/4, -1/2; n+ = 2, so argmin_b = [-1/2, 1/4]
    lo, hi = F(-1, 2), F(1, 4)
    assert_is_argmin_b(X, y, C, w, lo, hi)
    for bad in ((hi, lo), (lo, lo), (hi, hi), ((lo + hi) / 2, hi), (lo, (lo + hi) / 2), (lo - 1, hi), (lo, hi + 1)):
        with pytest.raises(AssertionError):
            assert_is_argmin_b(X, y, C, w, *bad)


# -- T10 ------------------------------------------------------------------------------
C_TINY = 2.0**-10  # exact in floats; small enough that alpha = C for every point is optimal


def _all_at_C_problem(seed: int):
    """Balanced classes, integer X, C = 2^-10: alpha = C 1 is dual feasible and optimal, w* = C sum y_i x_i is exact."""
    rng = np.random.default_rng(seed)
    X = rng.integers(-3, 4, size=(8, 3))
    y = np.array([1, -1] * 4)
    C = F(C_TINY)
    w_star = [C * sum(int(yi) * int(x[j]) for x, yi in zip(X, y, strict=True)) for j in range(3)]
    D_star = C * len(y) - _dot(w_star, w_star) / 2  # D(C 1)
    t = _breakpoints(X, y, w_star)
    n_pos = int((y > 0).sum())
    B_lo, B_hi = t[n_pos - 1], t[n_pos]
    assert_is_argmin_b(X, y, C, w_star, B_lo, B_hi)  # the optimal b set is argmin_b P(w*, .) (T09)
    assert _P(X, y, C, w_star, B_lo) == D_star  # zero duality gap, exactly: (w*, b) optimal, P* = D*
    return X, y, w_star, D_star, (B_lo, B_hi)


TINY = 1e-7  # absolute slack for the non-vacuity bound; the candidates sit ~1e-6 from w*


def test_t10_radius_exact():
    """For 300 candidates w* + 1e-6 noise, b in the optimal b set, the package's certify must give, in Fractions:
    |w - w*|^2 <= radius^2 (upper bound), radius <= 2 sqrt(2 (P(w, b) - P*)) + 1e-7 (not vacuous), and a b interval
    containing the whole optimal b set."""
    rng = np.random.default_rng(10)
    not_upper, vacuous, b_missed = [], [], []
    for seed in range(3):
        X, y, w_star, P_star, (B_lo, B_hi) = _all_at_C_problem(seed)
        p = ds.SVMProblem(X.astype(float), y, C=C_TINY)
        w_star_f = np.array([float(v) for v in w_star])
        assert all(F(a_) == b_ for a_, b_ in zip(w_star_f, w_star, strict=True))
        for _ in range(100):
            w = w_star_f + 1e-6 * rng.normal(size=3)
            b = float(B_lo + (B_hi - B_lo) * F(float(rng.uniform(0.05, 0.95))))
            assert B_lo <= F(b) <= B_hi
            c = ds.certify(p, w, b)
            r = F(c.radius)
            dist2 = sum((F(a_) - b_) ** 2 for a_, b_ in zip(w, w_star, strict=True))
            excess = _P(X, y, C_TINY, w, b) - P_star
            if dist2 > r * r:
                not_upper.append(f"|w - w*|^2 = {float(dist2):.17g} > radius^2 = {float(r * r):.17g}")
            if r - F(TINY) > 0 and (r - F(TINY)) ** 2 > 8 * excess:
                vacuous.append(f"radius {float(r):.3g} > 2 sqrt(2 (P - P*)) + {TINY:g} = {2 * np.sqrt(2 * float(excess)) + TINY:.3g}")
            if not (F(c.b_interval[0]) <= B_lo and B_hi <= F(c.b_interval[1])):
                b_missed.append(f"b_interval {c.b_interval} misses the optimal b set [{float(B_lo)}, {float(B_hi)}]")
    report = [f"{len(v)}/300 {name}, e.g. {v[0]}" for name, v in (
        ("radii are not upper bounds in exact arithmetic", not_upper),
        ("radii are vacuous", vacuous),
        ("b intervals miss optimal biases", b_missed)) if v]
    assert not report, "; ".join(report)


def test_t10_exact_rational_certificate():
    """A rational instance with a dyadic candidate: the package's P and D are exact, its gap bounds the exact one, its radius and b interval
    bound the exact distance to the optimum (w*, b*) = ((1, 0), -1), whose optimality is certified exactly."""
    X = [(2, 1), (0, 1), (4, 0), (-2, 3)]
    y = [1, -1, 1, -1]
    C = F(1)
    alpha = [F(1, 2), F(1, 2), F(0), F(0)]
    v = [sum((ai * yi * x[j] for x, yi, ai in zip(X, y, alpha, strict=True)), F(0)) for j in range(2)]
    D = sum(alpha, F(0)) - _dot(v, v) / 2
    w_star, b_star = (F(1), F(0)), F(-1)
    assert _P(X, y, C, w_star, b_star) == D == F(1, 2)  # zero gap: optimal
    assert_is_argmin_b(X, y, C, w_star, b_star, b_star)  # b* is the only optimal bias
    w, b = (F(7, 8), F(1, 16)), F(-1)  # a perturbed candidate, exact in floats
    P = _P(X, y, C, w, b)
    G = P - D
    dist2 = (w[0] - w_star[0]) ** 2 + (w[1] - w_star[1]) ** 2
    assert 0 <= dist2 <= 2 * G  # T10 on this instance, exactly
    # the package, on the same numbers
    p = ds.SVMProblem(np.array(X, dtype=float), np.array(y), C=float(C))
    s = ds.certify(p, [float(w[0]), float(w[1])], float(b), alpha=[float(a_) for a_ in alpha], build_alpha=False)
    assert F(s.primal_objective) == P and F(s.dual_objective) == D
    # the reported gap bounds P(w, b) - P* (= G here, P* = D) in exact arithmetic, and is not much larger
    assert G <= F(s.duality_gap) <= G * (1 + F(1, 10**12))
    assert F(s.radius) ** 2 >= 2 * G >= dist2
    assert F(s.b_interval[0]) <= b_star <= F(s.b_interval[1])
