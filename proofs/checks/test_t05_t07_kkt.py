"""T05 strong duality (cited, with sampled evidence), T06 KKT and the certified partition, T07 uniqueness."""

from __future__ import annotations

import warnings
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


# -- T06: the certified labelling rule ------------------------------------------------
# Codes of dualsvm.certificates.support_labels.
NON, MARGIN, BOUND, UNDECIDED = 0, 1, 2, 3


def rule(lo, hi, tol, And):
    """T06's rule, written once: the same function builds the z3 terms proved below and the exact oracle."""
    return {NON: lo > 1, BOUND: hi < 1, MARGIN: And(lo <= 1, 1 <= hi, hi - lo <= tol)}


def test_t06_certified_partition_smt():
    """Given lo <= m* <= hi for the optimal margin and the KKT bracket C hinge(m*) - a*(1 - m*) = 0 of any optimal a*:
    lo > 1 => a* = 0; hi < 1 => a* = C; lo <= 1 <= hi and hi - lo <= tol => |m* - 1| <= hi - lo (<= tol)."""
    lo, hi, tol = z3.Reals("lo hi tol")
    kkt = (C > 0, a >= 0, a <= C, TERM == 0)  # T04/T05: every bracket vanishes at a primal-dual optimal pair
    cert = (lo <= m, m <= hi)  # certified bounds on m*, valid for every optimal (w*, b*) (T09, T10)
    lab = rule(lo, hi, tol, z3.And)
    # the KKT facts the rule uses follow from the bracket
    prove(z3.Implies(a > 0, m <= 1), *kkt)
    prove(z3.Implies(a < C, m >= 1), *kkt)
    # each label's claim (prove() also checks that the hypotheses are satisfiable: no vacuous proof)
    prove(a == 0, *kkt, *cert, lab[NON])
    prove(a == C, *kkt, *cert, lab[BOUND])
    dist = z3.If(m >= 1, m - 1, 1 - m)
    prove(z3.And(dist <= hi - lo, dist <= tol), *cert, lab[MARGIN])
    # negative controls: the strict inequalities matter, and a margin label says nothing about a*
    refute(a == 0, *kkt, *cert, lo >= 1)
    refute(a == C, *kkt, *cert, hi <= 1)
    for claim in (a == 0, a == C, z3.And(a > 0, a < C)):
        refute(claim, *kkt, *cert, lab[MARGIN])
    refute(dist <= (hi - lo) / 2, *cert, lab[MARGIN])  # the reported width is not twice too generous
    # and without the KKT bracket nothing is proved about a*
    refute(a == 0, C > 0, a >= 0, a <= C, *cert, lab[NON])
    # the labels are mutually exclusive whenever the bounds are consistent (lo <= hi)
    for i, j in ((NON, BOUND), (NON, MARGIN), (BOUND, MARGIN)):
        prove(z3.Not(z3.And(lab[i], lab[j])), lo <= hi, tol >= 0)
    refute(z3.Not(z3.And(lab[NON], lab[BOUND])), tol >= 0)  # only because lo <= hi


def _oracle(lo: float, hi: float, tol: float) -> int:
    """The proved rule, evaluated exactly on the floats (as rationals)."""
    lab = rule(F(lo), F(hi), F(tol), lambda *c: all(c))
    hits = [k for k, v in lab.items() if v]
    assert len(hits) <= 1
    return hits[0] if hits else UNDECIDED


def _intervals(rng: np.random.Generator, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Random intervals around 1 and the edge cases of the rule: ends at 1 and 1 +- ulp, width = tol and tol +- ulp."""
    up, down = np.nextafter(1.0, 2.0), np.nextafter(1.0, 0.0)
    t_up, t_down = np.nextafter(tol, 1.0), np.nextafter(tol, 0.0)
    edges = [
        (1.0, 1.0), (up, up), (down, down), (1.0, up), (down, 1.0), (down, up), (up, 2.0), (0.5, down),
        (1.0, 1.0 + tol), (1.0 - tol, 1.0), (1.0 - tol / 2, 1.0 + tol / 2), (1.0, 1.0 + t_up), (1.0 - t_up, 1.0),
        (1.0, 1.0 + t_down), (1.0 - tol / 4, 1.0 + 3 * tol / 4), (1.0 - tol, 1.0 + tol), (up, 1.0 + tol),
        (1.0 - tol, down), (-1e300, 0.5), (1.5, 1e300), (-1e300, 1e300), (-5.0, 40.0), (0.0, 0.0),
    ]
    c = 1.0 + rng.normal(0.0, 4 * tol, 400)
    half = np.abs(rng.normal(0.0, tol, 400)) * rng.choice([0.0, 0.5, 1.0, 2.0], 400)
    lo = np.concatenate([[e[0] for e in edges], c - half])
    hi = np.concatenate([[e[1] for e in edges], c + half])
    return lo, hi


def test_t06_support_labels_implements_the_rule_sampled():
    """dualsvm.certificates.support_labels(m_lo, m_hi, margin_tol) returns exactly the proved rule's label, edges included."""
    from dualsvm import certificates

    support_labels = certificates.support_labels
    assert (certificates.NON, certificates.MARGIN, certificates.BOUND, certificates.UNDECIDED) == (NON, MARGIN, BOUND, UNDECIDED)
    rng = np.random.default_rng(6)
    for tol in (0.0, 2.0**-20, 1e-6, 0.1, 0.25, 3.0):
        lo, hi = _intervals(rng, tol)
        # near 1 the ends are within a factor 2 of each other, so hi - lo is exact in floats (Sterbenz):
        # the package's float comparisons and the exact oracle must agree on every row
        lo_in, hi_in = lo.copy(), hi.copy()
        got = np.asarray(support_labels(lo, hi, tol))
        np.testing.assert_array_equal(lo, lo_in)
        np.testing.assert_array_equal(hi, hi_in)
        assert got.shape == lo.shape and np.issubdtype(got.dtype, np.integer)
        want = np.array([_oracle(a_, b_, tol) for a_, b_ in zip(lo, hi, strict=True)])
        bad = np.flatnonzero(got != want)
        assert bad.size == 0, [(lo[i], hi[i], tol, int(got[i]), int(want[i])) for i in bad[:5]]
        assert set(np.unique(want)) >= ({NON, BOUND, UNDECIDED} | ({MARGIN} if tol > 0 else set()))
    # and a Solution's labels are the rule applied to its own certified margin range
    X, y = ds.datasets.make_overlapping(80, 3, seed=6)
    p = ds.SVMProblem(X, y, C=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ds.ConvergenceWarning)
        sols = [ds.solve_dual(p), ds.solve_subgradient(p, max_iter=30)]
    # a margin_tol that splits the ranges containing 1, so that the width test decides some labels
    lo30, hi30 = sols[1].margin_range
    contains = (lo30 <= 1) & (hi30 >= 1)
    tol_split = float(np.median((hi30 - lo30)[contains]))
    sols.append(ds.certify(p, sols[1].w, sols[1].b, sols[1].alpha, build_alpha=False, margin_tol=tol_split))
    for sol in sols:
        m_lo, m_hi = sol.margin_range
        want = np.array([_oracle(a_, b_, sol.margin_tol) for a_, b_ in zip(m_lo, m_hi, strict=True)])
        for code, got in ((NON, sol.non_support), (MARGIN, sol.margin_support), (BOUND, sol.bound_support), (UNDECIDED, sol.undecided)):
            np.testing.assert_array_equal(got, np.flatnonzero(want == code), err_msg=f"{sol.method}: label {code}")
    assert sols[1].undecided.size > 0  # the early-stopped run exercises the undecided label
    assert sols[2].margin_support.size > 0 and sols[2].undecided.size > 0  # and tol_split the width test


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
    """A duplicated margin point: alpha = (1/2, 1/2, 0) and (1/2, 1/4, 1/4) give the same w and D, in exact arithmetic
    and as the package computes them (the data are dyadic, so its float values must be exact)."""
    X, y, C = [(F(1), F(0)), (F(-1), F(0)), (F(-1), F(0))], [1, -1, -1], F(1)
    a1, a2 = [F(1, 2), F(1, 2), F(0)], [F(1, 2), F(1, 4), F(1, 4)]
    for al in (a1, a2):
        assert sum(ai * yi for ai, yi in zip(al, y, strict=True)) == 0
    assert _D(X, y, a1) == _D(X, y, a2) == _P(X, y, C, (F(1), F(0)), F(0)) == F(1, 2)
    # the package, on the same instance
    p = ds.SVMProblem(np.array(X, dtype=float), np.array(y), C=float(C))
    w = np.array([1.0, 0.0])
    assert F(p.primal_objective(w, 0.0)) == F(1, 2)
    for al in (a1, a2):
        a = np.array(al, dtype=float)
        assert F(p.dual_objective(a)) == _D(X, y, al) == F(1, 2)
        s = ds.certify(p, w, 0.0, alpha=a, build_alpha=False)  # the candidate's own certificate
        np.testing.assert_array_equal(s.alpha, a)  # already feasible: the projection leaves it alone
        assert s.kkt["stationarity"] == 0.0  # the package's |w - Z^T alpha|: both alpha give this w exactly
        assert F(s.primal_objective) == F(s.dual_objective) == F(1, 2)
        assert 0.0 <= s.duality_gap <= 1e-15  # exact zero gap, plus at most the certificate's rounding allowance
    # a solver returns one of the many optimal alpha, and the unique w
    sol = ds.solve_dual(p)
    np.testing.assert_allclose(sol.w, w, atol=1e-8)
    assert abs(sol.alpha[0] - 0.5) <= 1e-8 and abs(sol.alpha[1] + sol.alpha[2] - 0.5) <= 1e-8
    assert np.linalg.norm(sol.w - w) <= sol.radius
