"""Per-sample costs C_i = C * sample_weight_i * class_weight[y_i] (issue 13)."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from problems import hand_weighted

import dualsvm as ds
from dualsvm import DualSVMError, SVMProblem
from dualsvm.datasets import make_overlapping


def _duplicated(X, y, k):
    return np.repeat(X, k, axis=0), np.repeat(y, k)


@pytest.mark.parametrize("solver", ["dual", "primal", "subgradient"])
def test_integer_weight_equals_the_row_repeated(solver):
    """What a weight means: weight k is the row k times, for every formulation."""
    X, y = make_overlapping(40, 3, seed=21)
    k = np.random.default_rng(0).integers(0, 4, size=40)
    k[[0, 1]] = 1  # keep both classes
    fn = {"dual": ds.solve_dual, "primal": ds.solve_primal, "subgradient": ds.solve_subgradient}[solver]
    weighted = fn(SVMProblem(X, y, C=1.0, sample_weight=k))
    Xd, yd = _duplicated(X, y, k)
    exact = ds.solve_dual(SVMProblem(Xd, yd, C=1.0))
    assert np.linalg.norm(weighted.w - exact.w) <= weighted.radius + exact.radius
    assert abs(weighted.primal_objective - exact.primal_objective) <= weighted.duality_gap + exact.duality_gap + 1e-9
    if solver != "subgradient":
        assert weighted.relative_gap <= 1e-8
        np.testing.assert_allclose(weighted.w, exact.w, atol=1e-6)
        # the weighted dual point carries the k copies' total: alpha_i = sum of the copies' alphas
        owner = np.repeat(np.arange(40), k)
        np.testing.assert_allclose(weighted.alpha, np.bincount(owner, exact.alpha, minlength=40), atol=1e-6)


def test_zero_weight_removes_the_point():
    X, y = make_overlapping(40, 3, seed=22)
    s = np.ones(40)
    s[5] = 0.0
    sol = ds.solve_dual(SVMProblem(X, y, C=1.0, sample_weight=s))
    without = ds.solve_dual(SVMProblem(np.delete(X, 5, 0), np.delete(y, 5), C=1.0))
    assert np.linalg.norm(sol.w - without.w) <= sol.radius + without.radius
    assert sol.alpha[5] == 0.0 and 5 in sol.non_support and 5 not in sol.support


def test_certificate_bounds_the_suboptimality_of_weighted_candidates():
    """P(w, b) - P* <= certified gap, with P* from the duplicated (unweighted) problem."""
    X, y = make_overlapping(30, 2, seed=23)
    k = np.array([1, 2, 3] * 10)
    p = SVMProblem(X, y, C=2.0, sample_weight=k)
    P_star = ds.solve_dual(SVMProblem(*_duplicated(X, y, k), C=2.0)).primal_objective
    rng = np.random.default_rng(1)
    opt = ds.solve_dual(p)
    for scale in (1e-6, 1e-3, 1e-1):
        w = opt.w + scale * rng.standard_normal(2)
        c = ds.certify(p, w, opt.b + scale)
        assert c.primal_objective - P_star <= c.duality_gap * (1 + 1e-9) + 1e-12
        assert c.primal_objective == pytest.approx(p.primal_objective(w, opt.b + scale), rel=1e-13)


@pytest.mark.parametrize("form", ["sample_weight", "class_weight"])
@pytest.mark.parametrize("solver", ["dual", "primal", "subgradient", "ipm"])
def test_hand_solved_weighted_case(solver, form):
    """Every solver finds the hand-solved weighted optimum, certified, with its support labels."""
    p = hand_weighted(form)
    np.testing.assert_array_equal(p.costs, [1.0, 0.125])
    P_star, w_star, b_star = 7 / 32, np.array([0.25, 0.0]), 0.75
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = getattr(ds, f"solve_{solver}")(p)
    assert sol.success, (solver, sol.status, sol.relative_gap)
    assert sol.dual_objective <= P_star <= sol.primal_objective  # both sides bracket the hand optimum
    assert sol.primal_objective - P_star <= sol.duality_gap
    assert np.linalg.norm(sol.w - w_star) <= sol.radius
    assert sol.b_interval[0] <= b_star <= sol.b_interval[1]
    np.testing.assert_array_equal(sol.margin_support, [0])
    np.testing.assert_array_equal(sol.bound_support, [1])


def test_certificate_bounds_the_suboptimality_on_the_hand_solved_weighted_case():
    """P(w, b) - P* <= certified gap for candidates near and far from the hand optimum P* = 7/32.

    P is evaluated exactly (Fractions of the float candidates): near the optimum the projected
    alpha is exactly optimal, D = P*, and the gap exceeds P - P* by about 1e-19 only.
    """
    p = hand_weighted()
    rng = np.random.default_rng(2)
    for scale in (0.0, 1e-6, 1e-3, 1e-1, 1.0):
        w, b = np.array([0.25, 0.0]) + scale * rng.standard_normal(2), 0.75 + scale * rng.standard_normal()
        alpha = np.clip(np.array([0.125, 0.125]) + scale * rng.standard_normal(2), 0.0, None)
        c = ds.certify(p, w, b, alpha)
        w0, w1, b_ = (Fraction(float(t)) for t in (w[0], w[1], b))
        P = (w0 * w0 + w1 * w1) / 2 + max(Fraction(0), 1 - (w0 + b_)) + max(Fraction(0), 1 - (w0 - b_)) / 8
        assert c.primal_objective == pytest.approx(float(P), rel=1e-14)
        assert P - Fraction(7, 32) <= Fraction(c.duality_gap)
        assert Fraction(c.dual_objective) <= Fraction(7, 32)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(6, 25), seed=st.integers(0, 10_000), logC=st.floats(-1.5, 1.5))
def test_property_random_weights_three_formulations_agree(n, seed, logC):
    X, y = make_overlapping(n, 2, seed=seed)
    s = np.random.default_rng(seed).uniform(0.0, 3.0, size=n)
    p = SVMProblem(X, y, C=10.0**logC, sample_weight=s)
    res = ds.compare(p, methods=("primal", "dual", "subgradient"), options={"subgradient": {"max_iter": 2000}})
    assert res.verdict in ("AGREE", "INCONCLUSIVE")  # DISAGREE raises
    assert res.solutions["dual"].relative_gap <= 1e-8
    # the weighted objective is what the solvers minimised
    d = res.solutions["dual"]
    assert d.primal_objective == pytest.approx(p.primal_objective(d.w, d.b), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("kind", ["class_weight", "sample_weight"])
def test_matches_libsvm_with_weights(kind):
    svm = pytest.importorskip("sklearn.svm")
    X, y = make_overlapping(150, 3, seed=24)
    y = np.where(np.arange(150) < 110, y, 1)  # imbalanced
    if kind == "class_weight":
        svc = svm.SVC(kernel="linear", C=1.0, class_weight="balanced", tol=1e-10).fit(X, y)
        est = ds.DualSVC(C=1.0, class_weight="balanced").fit(X, y)
        p = SVMProblem(X, y, C=1.0, class_weight="balanced")
        weights = {}
    else:
        s = np.random.default_rng(2).uniform(0.2, 2.0, size=150)
        svc = svm.SVC(kernel="linear", C=1.0, tol=1e-10).fit(X, y, sample_weight=s)
        est = ds.DualSVC(C=1.0).fit(X, y, sample_weight=s)
        p = SVMProblem(X, y, C=1.0, sample_weight=s)
        weights = {"sample_weight": s}
    sol = est.certificate_
    assert sol.success
    c_svc = ds.certify(p, svc.coef_, svc.intercept_)
    assert np.linalg.norm(sol.w - svc.coef_[0]) <= sol.radius + c_svc.radius
    decided = np.setdiff1d(np.arange(150), sol.undecided)
    np.testing.assert_array_equal(np.intersect1d(sol.support, decided), np.intersect1d(svc.support_, decided))
    assert sol.undecided.size == 0
    rep = ds.sklearn.certify_estimator(svc, X, y, **weights)
    assert rep.certified and rep.certificate.relative_gap <= 1e-6


def test_balanced_class_weight_is_n_over_two_counts():
    X, y = make_overlapping(40, 2, seed=25)
    y = np.where(np.arange(40) < 30, 0, 1)
    p = SVMProblem(X, y, C=2.0, class_weight="balanced")
    np.testing.assert_allclose(p.costs[y == 0], 2.0 * 40 / (2 * 30))
    np.testing.assert_allclose(p.costs[y == 1], 2.0 * 40 / (2 * 10))
    q = SVMProblem(X, y, C=2.0, class_weight={1: 3.0})
    np.testing.assert_array_equal(q.costs, np.where(y == 1, 6.0, 2.0))
    assert p.with_C(4.0).costs[0] == pytest.approx(2 * p.costs[0])


@pytest.mark.parametrize("kw, match", [
    ({"sample_weight": [1.0] * 9}, r"sample_weight must have shape \(10,\)"),
    ({"sample_weight": [1.0] * 9 + [-1.0]}, r"sample_weight must be finite and >= 0, got -1.0 at index 9"),
    ({"sample_weight": [1.0] * 9 + [np.nan]}, "sample_weight must be finite"),
    ({"sample_weight": [0.0] * 10}, "every sample weight 0"),
    ({"sample_weight": [0.0, 1.0] * 5}, "every sample of class 0 has weight 0"),
    ({"class_weight": "balance"}, "class_weight must be None, 'balanced' or a dict"),
    ({"class_weight": {7: 1.0}}, r"class_weight has labels \[7\] that are not in y"),
    ({"class_weight": {0: -2.0}}, r"class_weight\[0\] must be a finite number >= 0"),
    ({"class_weight": {0: 0.0}}, "every sample of class 0 has weight 0"),
])
def test_bad_weights_raise_naming_the_argument(kw, match):
    X = np.arange(20.0).reshape(10, 2)
    y = [0, 1] * 5
    with pytest.raises(DualSVMError, match=match):
        SVMProblem(X, y, C=1.0, **kw)


def test_callers_weights_are_not_modified():
    X, y = make_overlapping(20, 2, seed=26)
    s = np.linspace(0.5, 2.0, 20)
    before = s.copy()
    p = SVMProblem(X, y, sample_weight=s)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds.solve_subgradient(p, max_iter=100)
    np.testing.assert_array_equal(s, before)
    assert not p.costs.flags.writeable
