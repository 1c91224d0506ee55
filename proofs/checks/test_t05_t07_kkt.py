"""T05 strong duality (cited, with sampled evidence), T06 KKT and the certified partition, T07 uniqueness."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import z3
from smt import hinge, prove, refute

import dualsvm as ds

m, a, C, G = z3.Reals("m a C G")
TERM = C * hinge(m) - a * (1 - m)  # the per-sample bracket of the gap identity


def test_t05_strong_duality_sampled():
    """Evidence, not proof: the exact solvers close the gap to rounding on seeded data (T05 is cited)."""
    for seed in range(3):
        X, y = ds.datasets.make_overlapping(60, 4, seed=seed)
        s = ds.solve_dual(ds.SVMProblem(X, y, C=1.0))
        assert s.relative_gap <= 1e-12


def test_t06_kkt_partition_at_an_exact_optimum_smt():
    """At an optimum every bracket is 0: a = C => m <= 1; a = 0 => m >= 1; 0 < a < C => m = 1."""
    box = (C > 0, a >= 0, a <= C, TERM == 0)
    prove(m <= 1, *box, a == C)
    prove(m >= 1, *box, a == 0)
    prove(m == 1, *box, a > 0, a < C)
    # the direction matters: a bound support vector may lie exactly on the margin
    refute(m < 1, *box, a == C)
    # and a point on the margin may have any a in [0, C]
    prove(TERM == 0, C > 0, a >= 0, a <= C, m == 1)


def test_t06_certified_partition_smt():
    """With bracket <= G: m > 1 => a (m - 1) <= G, and m < 1 => (C - a)(1 - m) <= G."""
    hyp = (C > 0, a >= 0, a <= C, G >= 0, TERM <= G)
    prove(a * (m - 1) <= G, *hyp, m > 1)
    prove((C - a) * (1 - m) <= G, *hyp, m < 1)
    refute(a * (m - 1) <= G / 2, *hyp, m > 1)  # negative control


def _P(X, y, C, w, b):
    return sum((wi * wi for wi in w), F(0)) / 2 + C * sum(
        (max(F(0), 1 - yi * (sum((xj * wj for xj, wj in zip(x, w, strict=True)), F(0)) + b)) for x, yi in zip(X, y, strict=True)), F(0))


def _D(X, y, alpha):
    d = len(X[0])
    v = [sum((ai * yi * x[j] for x, yi, ai in zip(X, y, alpha, strict=True)), F(0)) for j in range(d)]
    return sum(alpha, F(0)) - sum((vj * vj for vj in v), F(0)) / 2


def test_t07_b_not_unique_exact():
    """x = (+1, 0), (-1, 0), C = 1/4: every b in [-1/2, 1/2] is optimal (P = D = 3/8 exactly)."""
    X, y, C = [(F(1), F(0)), (F(-1), F(0))], [1, -1], F(1, 4)
    alpha = [F(1, 4), F(1, 4)]
    assert sum(ai * yi for ai, yi in zip(alpha, y, strict=True)) == 0 and all(0 <= ai <= C for ai in alpha)
    D = _D(X, y, alpha)
    for b in (F(-1, 2), F(-1, 5), F(0), F(1, 3), F(1, 2)):
        assert _P(X, y, C, (F(1, 2), F(0)), b) == D == F(3, 8)
    assert _P(X, y, C, (F(1, 2), F(0)), F(3, 5)) > D  # outside the interval: not optimal
    # and dualsvm reports that interval
    s = ds.solve_dual(ds.SVMProblem(np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([1, -1]), C=0.25))
    assert abs(s.b_interval[0] + 0.5) < 1e-6 and abs(s.b_interval[1] - 0.5) < 1e-6


def test_t07_alpha_not_unique_w_unique_exact():
    """A duplicated margin point: alpha = (1/2, 1/2, 0) and (1/2, 1/4, 1/4) give the same w and D."""
    X, y, C = [(F(1), F(0)), (F(-1), F(0)), (F(-1), F(0))], [1, -1, -1], F(1)
    a1, a2 = [F(1, 2), F(1, 2), F(0)], [F(1, 2), F(1, 4), F(1, 4)]
    for al in (a1, a2):
        assert sum(ai * yi for ai, yi in zip(al, y, strict=True)) == 0
    assert _D(X, y, a1) == _D(X, y, a2) == _P(X, y, C, (F(1), F(0)), F(0)) == F(1, 2)
