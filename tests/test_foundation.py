"""The foundation: SVMProblem, certify, solve_primal and solve_dual (issue 2)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from kkt import check_all
from problems import NON_DEGENERATE, SEEDED, hand_no_free, hand_two_margin, seeded

import dualsvm as ds
from dualsvm import ConvergenceWarning, DualSVMError, SVMProblem, argmin_b, certify, conventions, project_dual

SOLVERS = {"primal": ds.solve_primal, "dual": ds.solve_dual}


# -- solved by hand ---------------------------------------------------------------
@pytest.mark.parametrize("method", SOLVERS)
def test_hand_two_margin(method):
    sol = SOLVERS[method](hand_two_margin())
    np.testing.assert_allclose(sol.alpha, [0.5, 0.5, 0.0, 0.0], atol=1e-8)
    np.testing.assert_allclose(sol.w, [1.0, 0.0], atol=1e-8)
    assert sol.b == pytest.approx(-1.0, abs=1e-8)
    assert sol.primal_objective == pytest.approx(0.5, abs=1e-8)
    assert sol.margin_support.tolist() == [0, 1]
    assert sol.bound_support.size == 0 and sol.undecided.size == 0
    assert sol.status == "optimal" and sol.success


@pytest.mark.parametrize("method", SOLVERS)
def test_hand_no_free_support_vector(method):
    sol = SOLVERS[method](hand_no_free())
    np.testing.assert_allclose(sol.alpha, [0.25, 0.25], atol=1e-8)
    np.testing.assert_allclose(sol.w, [0.5, 0.0], atol=1e-8)
    assert sol.b == pytest.approx(0.0, abs=1e-8)  # midpoint of the optimal interval
    assert sol.b_interval[0] == pytest.approx(-0.5, abs=1e-6)
    assert sol.b_interval[1] == pytest.approx(0.5, abs=1e-6)
    assert sol.primal_objective == pytest.approx(0.375, abs=1e-8)
    # Both alpha_i = C, but every b in [-1/2, 1/2] is optimal, so each point's optimal
    # margin 1/2 +- b ranges over [0, 1] and touches 1: no margin rule can decide (proofs/T06).
    assert sol.undecided.tolist() == [0, 1]
    assert sol.bound_support.size == 0 and sol.margin_support.size == 0 and sol.non_support.size == 0
    assert sol.alpha_partition()["at_bound"].tolist() == [0, 1]  # the solver's own (uncertified) reading


def test_certify_hand_candidate_exactly():
    p = hand_two_margin()
    sol = certify(p, [1.0, 0.0], -1.0, [0.5, 0.5, 0.0, 0.0])
    assert sol.primal_objective == 0.5 == sol.dual_objective
    # The identity evaluates to exactly 0; what is left is the rounding allowance of the margins.
    assert sol.duality_gap == pytest.approx(sol.gap_floor, rel=1e-12) and 0.0 < sol.gap_floor <= 1e-17
    assert sol.margin_support.tolist() == [0, 1] and sol.non_support.tolist() == [2, 3]
    assert sol.success and sol.status == "certified"


# -- KKT, per solver, on every seeded data set ------------------------------------------
@pytest.mark.parametrize("method", SOLVERS)
@pytest.mark.parametrize("name", SEEDED)
@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
def test_kkt_and_certificate(method, name, C):
    p = seeded(name, C)
    sol = SOLVERS[method](p)
    assert sol.success and sol.relative_gap <= 1e-8
    check_all(sol, p, tol=1e-6)
    # The gap identity (proofs/T04) ties the reported numbers together.
    m = p.margins(sol.w, sol.b)
    v = p.X.T @ (p.y * sol.alpha)
    identity = 0.5 * np.sum((sol.w - v) ** 2) + np.sum(p.C * np.maximum(0, 1 - m) - sol.alpha * (1 - m)) - sol.b * (p.y @ sol.alpha)
    assert sol.duality_gap == pytest.approx(identity, abs=1e-9 * max(1.0, abs(sol.primal_objective)))
    assert sol.b_interval[0] <= sol.b <= sol.b_interval[1]


def test_all_points_support_vectors_at_small_C():
    p = seeded("overlapping", 1e-3)
    lo, hi = argmin_b(p, ds.solve_dual(p).w)
    for fn in SOLVERS.values():
        sol = fn(p)
        np.testing.assert_array_equal(sol.alpha, np.full(p.n, p.C))
        # No free coefficient: b* fills [t_(n+), t_(n+ + 1)], and the two points whose
        # breakpoints end it reach margin 1 at one end, so exactly they stay undecided.
        t = p.y - p.X @ sol.w
        ends = np.flatnonzero(np.isclose(t, lo, rtol=0, atol=1e-9) | np.isclose(t, hi, rtol=0, atol=1e-9))
        assert sol.undecided.tolist() == ends.tolist() and ends.size == 2
        assert sol.bound_support.size == p.n - 2
        check_all(sol, p)


def test_primal_and_dual_agree_within_certified_radius():
    for name in SEEDED:
        p = seeded(name, 1.0)
        a, b = ds.solve_primal(p), ds.solve_dual(p)
        assert np.linalg.norm(a.w - b.w) <= a.radius + b.radius
        # Both b intervals contain every optimal b, so they intersect.
        assert max(a.b_interval[0], b.b_interval[0]) <= min(a.b_interval[1], b.b_interval[1])


# -- building blocks ---------------------------------------------------------------
def test_project_dual_is_the_euclidean_projection():
    cp = pytest.importorskip("cvxpy")
    rng = np.random.default_rng(0)
    y = np.where(rng.random(15) < 0.4, 1.0, -1.0)
    a0 = rng.normal(0.3, 1.0, 15)
    before = a0.copy()  # taken before the call: the caller's array must come back untouched
    a = project_dual(a0, y, 0.7)
    np.testing.assert_array_equal(a0, before)
    assert a is not a0 and not np.shares_memory(a, a0)
    x = cp.Variable(15)
    cp.Problem(cp.Minimize(cp.sum_squares(x - a0)), [x >= 0, x <= 0.7, y @ x == 0]).solve(solver="CLARABEL")
    np.testing.assert_allclose(a, x.value, atol=1e-7)
    assert a.min() >= 0 and a.max() <= 0.7 and abs(y @ a) <= 1e-15


def test_argmin_b_matches_brute_force():
    p = seeded("overlapping", 0.5)
    w = np.array([0.3, -0.2, 0.5])
    lo, hi = argmin_b(p, w)
    grid = np.linspace(lo - 1, hi + 1, 4001)
    vals = np.array([p.primal_objective(w, g) for g in grid])
    best = vals.min()
    assert p.primal_objective(w, lo) <= best + 1e-12 and p.primal_objective(w, hi) <= best + 1e-12
    # Just outside the interval the objective is strictly larger.
    assert p.primal_objective(w, lo - 1e-3) > p.primal_objective(w, lo)
    assert p.primal_objective(w, hi + 1e-3) > p.primal_objective(w, hi)


# -- against libsvm ------------------------------------------------------------------
@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
@pytest.mark.parametrize("name", NON_DEGENERATE)
def test_against_libsvm(name, C):
    svm = pytest.importorskip("sklearn.svm")
    p = seeded(name, C)
    sol = ds.solve_dual(p)
    svc = svm.SVC(kernel="linear", C=C, tol=1e-10).fit(p.X, p.y)
    w_svc, b_svc = svc.coef_[0], svc.intercept_[0]
    alpha_svc = np.zeros(p.n)
    alpha_svc[svc.support_] = np.abs(svc.dual_coef_[0])
    # libsvm's reported objective is its dual objective D(alpha).
    assert p.dual_objective(alpha_svc) == pytest.approx(sol.primal_objective, rel=1e-6)
    # Its primal value is less accurate: margin errors are multiplied by C.
    assert sol.dual_objective - 1e-9 <= p.primal_objective(w_svc, b_svc) <= sol.primal_objective * (1 + 1e-4)
    assert np.linalg.norm(sol.w - w_svc) / np.linalg.norm(w_svc) <= 1e-4
    # libsvm's b is not exact (off by ~1e-8 here); both certified intervals contain b*.
    c_svc = certify(p, svc.coef_[0], svc.intercept_[0])
    assert max(sol.b_interval[0], c_svc.b_interval[0]) <= min(sol.b_interval[1], c_svc.b_interval[1])
    decided = np.setdiff1d(np.arange(p.n), sol.undecided)
    np.testing.assert_array_equal(np.intersect1d(sol.support, decided), np.intersect1d(svc.support_, decided))
    # An exact answer leaves a point undecided only when b* is not unique (no free SV).
    if sol.undecided.size:
        assert sol.b_interval[1] - sol.b_interval[0] > sol.margin_tol and sol.margin_support.size == 0
    # dual_coef_ is y * alpha on the support.
    np.testing.assert_allclose(svc.dual_coef_[0], (p.y * sol.alpha)[svc.support_], atol=1e-5 * C)


def test_certify_judges_outside_estimators():
    svm = pytest.importorskip("sklearn.svm")
    p = seeded("overlapping", 1.0)
    opt = ds.solve_dual(p)
    svc = svm.SVC(kernel="linear", C=1.0, tol=1e-10).fit(p.X, p.y)
    c_svc = certify(p, svc.coef_[0], svc.intercept_[0])
    assert c_svc.relative_gap <= 1e-7
    # The certificate is close to the true suboptimality, not just an upper bound.
    assert c_svc.duality_gap <= 10 * (c_svc.primal_objective - opt.dual_objective) + 1e-9
    lin = svm.LinearSVC(C=1.0, tol=1e-10, max_iter=100_000).fit(p.X, p.y)
    c_lin = certify(p, lin.coef_[0], lin.intercept_[0])
    assert c_lin.relative_gap > 1e-3 and not c_lin.success  # squared hinge + regularized intercept
    assert np.linalg.norm(lin.coef_[0] - opt.w) <= c_lin.radius + opt.radius
    w_bad = opt.w + 0.05 * np.ones(p.d)
    c_bad = certify(p, w_bad, opt.b)
    assert not c_bad.success and c_bad.relative_gap > 1e-5
    assert np.linalg.norm(w_bad - opt.w) <= c_bad.radius + opt.radius


def test_certify_from_margins_is_tight_on_svc_output():
    """Without alpha, the built dual point gives a gap near the true suboptimality."""
    svm = pytest.importorskip("sklearn.svm")
    for name in NON_DEGENERATE:
        p = seeded(name, 1.0)
        opt = ds.solve_dual(p)
        svc = svm.SVC(kernel="linear", C=1.0, tol=1e-3).fit(p.X, p.y)
        c = certify(p, svc.coef_[0], svc.intercept_[0])
        subopt = c.primal_objective - opt.dual_objective
        assert subopt - 1e-12 <= c.duality_gap <= 2 * subopt + 1e-10


# -- status honesty --------------------------------------------------------------------
def test_early_stop_says_so():
    p = seeded("overlapping", 1.0)
    with pytest.warns(ConvergenceWarning, match="max_rounds"):
        sol = ds.solve_dual(p, max_rounds=1, max_iter=5, polishing=False, refine_working_set=False)
    assert sol.status == "max_iter" and not sol.success  # OSQP's iteration budget stopped it
    assert sol.relative_gap > 1e-8  # and the certificate is still valid
    opt = ds.solve_dual(p)
    assert np.linalg.norm(sol.w - opt.w) <= sol.radius + opt.radius


def test_solution_api():
    X, y = ds.datasets.load_iris_pair()
    p = SVMProblem(X, y)
    sol = ds.solve_dual(p)
    pred = sol.predict(X)
    assert set(pred) <= {"versicolor", "virginica"}
    assert np.array_equal(pred == "virginica", sol.decision_function(X) > 0)
    text = repr(sol)
    for key in ("relative_gap", "radius", "b_interval", "support", "kkt"):
        assert key in text
    d = sol.to_dict()
    assert d["n_margin_support"] + d["n_bound_support"] + d["n_undecided"] + d["n_non_support"] == p.n


# -- bad input ----------------------------------------------------------------------
X_OK = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0]])
Y_OK = np.array([0, 1, 1])


@pytest.mark.parametrize(
    ("X", "y", "C", "match"),
    [
        (np.array([[np.nan, 1.0], [1.0, 0.0], [2.0, 1.0]]), Y_OK, 1.0, "X must be finite"),
        (np.array([[np.inf, 1.0], [1.0, 0.0], [2.0, 1.0]]), Y_OK, 1.0, "X must be finite"),
        (np.array([[0.0, 1.0], [1.0, np.nan], [np.inf, 1.0]]), Y_OK, 1.0,
         r"^X must be finite, got 2 NaN or infinite entries \(the first at row 1, column 1\)$"),
        (X_OK, np.array([1, 1, 1]), 1.0, r"exactly two distinct labels \(classes\), got 1"),
        (X_OK, np.array([0, 1, 2]), 1.0, r"exactly two distinct labels \(classes\), got 3"),
        (X_OK, np.array([0, 1]), 1.0, "same number of samples"),
        (X_OK[0], Y_OK, 1.0, "X must be a 2-D array"),
        (np.empty((0, 2)), np.array([]), 1.0, "X must be non-empty"),
        (X_OK[:1], Y_OK[:1], 1.0, "at least 2 samples"),
        (X_OK, Y_OK, 0.0, "C must be finite and > 0, got 0.0"),
        (X_OK, Y_OK, -1.0, "C must be finite and > 0"),
        (X_OK, Y_OK, float("inf"), "C must be finite and > 0"),
        (X_OK, Y_OK, "1", "C must be a real number"),
        (X_OK, Y_OK, True, "C must be a real number"),
        (np.array([["a", "b"], ["c", "d"], ["e", "f"]]), Y_OK, 1.0, "X must hold numbers"),
        (X_OK + 1j, Y_OK, 1.0, "complex"),
        (X_OK, Y_OK.reshape(-1, 1), 1.0, "y must be a 1-D array"),
        (X_OK, np.array([0.0, np.nan, 1.0]), 1.0, "y must not contain NaN"),
    ],
)
def test_bad_input(X, y, C, match):
    X_copy, y_copy = np.copy(X), np.copy(y)
    with pytest.raises(ValueError, match=match) as info:
        SVMProblem(X, y, C=C)
    assert isinstance(info.value, DualSVMError)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_non_finite_sparse_x_is_located_like_dense():
    X = np.array([[0.0, 1.0], [1.0, np.nan], [np.inf, 1.0]])
    for fmt in (sp.csr_matrix, sp.csc_matrix, sp.coo_matrix):
        with pytest.raises(DualSVMError, match=r"got 2 NaN or infinite stored entries in the sparse matrix X "
                                               r"\(the first at row 1, column 1\)$"):
            SVMProblem(fmt(X), Y_OK)


def test_labels_of_any_type_and_no_mutation():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 3.0]])
    X_copy = X.copy()
    for y, pos in [(["b", "a", "b", "a"], "b"), ([True, False, True, False], True), ([-3, 7, -3, 7], 7)]:
        p = SVMProblem(X, y)
        assert p.classes[1] == pos
        np.testing.assert_array_equal(p.y, np.where(np.asarray(y) == pos, 1.0, -1.0))
        sol = ds.solve_dual(p)
        assert set(sol.predict(X).tolist()) <= set(y)
    np.testing.assert_array_equal(X, X_copy)
    assert not p.X.flags.writeable and p.X is not X


def test_bad_solver_options():
    p = hand_two_margin()
    with pytest.raises(ValueError, match=r"unknown keyword\(s\) \['eps_typo'\] for solve_dual"):
        ds.solve_dual(p, eps_typo=1.0)
    with pytest.raises(ValueError, match="solver must be one of the installed cvxpy solvers.*'NOPE'"):
        ds.solve_primal(p, solver="NOPE")
    with pytest.raises(ValueError, match="target_gap must be a relative gap in \\(0, 1\\)"):
        ds.solve_dual(p, target_gap=0)
    with pytest.raises(ValueError, match="w must have 2 entries"):
        certify(p, [1.0, 0.0, 3.0], 0.0)
    with pytest.raises(ValueError, match="alpha must have 4 entries"):
        certify(p, [1.0, 0.0], 0.0, alpha=[0.5])


@pytest.mark.parametrize("solver", [ds.solve_dual, ds.solve_primal, ds.solve_subgradient])
@pytest.mark.parametrize("bad", [0.0, 1.0, 5.0, float("nan"), float("inf"), "1e-3", True])
def test_target_gap_must_be_a_relative_gap_below_one(solver, bad):
    """A relative gap of 1 or more certifies nothing; it was accepted and led to AGREE on 99 differing predictions."""
    with pytest.raises(DualSVMError, match=r"target_gap must be a relative gap in \(0, 1\), got"):
        solver(hand_two_margin(), target_gap=bad)


@pytest.mark.parametrize("bad", [1.5, "10", 10.0, 0])
def test_max_iter_must_be_an_integer_for_every_solver(bad):
    for solver in (ds.solve_dual, ds.solve_primal, ds.solve_subgradient):
        with pytest.raises(DualSVMError, match=r"max_iter must be an integer >= 1"):
            solver(hand_two_margin(), max_iter=bad)


def test_tol_and_target_gap_together_are_refused():
    with pytest.warns(DeprecationWarning), pytest.raises(DualSVMError, match="not both"):
        ds.solve_subgradient(hand_two_margin(), tol=1e-1, target_gap=1e-5)


def test_primal_status_follows_the_certificate_not_the_solver():
    """A time-limited Clarabel run whose answer is certified to the target is optimal (it said max_time)."""
    p = seeded("overlapping", 1.0)
    sol = ds.solve_primal(p, max_iter=6)  # Clarabel stops early; the exact KKT finish closes the gap
    assert sol.extras["cvxpy_status"] != "optimal"
    assert (sol.status == "optimal") == (sol.relative_gap <= 1e-8) == sol.success


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: conventions.sgd_alpha_from_C(1.0, 0), r"n must be an integer >= 1 \(the number of samples\), got 0"),
        (lambda: conventions.sgd_alpha_from_C(1.0, 2.5), r"n must be .* got 2\.5"),
        (lambda: conventions.C_from_sgd_alpha(1e-3, -1), r"n must be .* got -1"),
        (lambda: conventions.pegasos_lambda(1.0, True), r"n must be .* got True"),
        (lambda: conventions.sgd_alpha_from_C(0.0, 10), r"C must be"),
        (lambda: conventions.linearsvc_bias_penalty(1.0, 0), r"intercept_scaling must be a finite number > 0, got 0"),
        (lambda: conventions.linearsvc_bias_penalty(1.0, float("nan")), r"intercept_scaling .* got nan"),
        (lambda: conventions.linearsvc_bias_penalty(1.0, "2"), r"intercept_scaling .* got '2'"),
    ],
)
def test_conventions_refuse_bad_input(call, match):
    with pytest.raises(DualSVMError, match=match):
        call()
    assert conventions.sgd_alpha_from_C(2.0, np.int64(5)) == 0.1  # numpy integers are integers
    assert conventions.linearsvc_bias_penalty(2.0, 4) == 0.125
