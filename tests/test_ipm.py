"""solve_ipm: the interior-point method, its exact finish, and the data operator (issue 10)."""

from __future__ import annotations

import numpy as np
import pytest
from kkt import check_all, check_complementarity, check_dual_domain
from problems import NON_DEGENERATE, SEEDED, hand_no_free, hand_two_margin, seeded

import dualsvm as ds
from dualsvm import ConvergenceWarning, DualSVMError, SVMProblem
from dualsvm.finish import kkt_brackets
from dualsvm.operators import DenseOperator


def _gap_identity(sol, p):
    """The gap identity of proofs/T04, recomputed from the returned numbers."""
    m = p.margins(sol.w, sol.b)
    v = p.X.T @ (p.y * sol.alpha)
    return 0.5 * np.sum((sol.w - v) ** 2) + np.sum(kkt_brackets(m, sol.alpha, p.costs)) - sol.b * (p.y @ sol.alpha)


def _svc(p, C=None):
    svm = pytest.importorskip("sklearn.svm")
    svc = svm.SVC(kernel="linear", C=p.C if C is None else C, tol=1e-10).fit(p.X, p.y)
    alpha = np.zeros(p.n)
    alpha[svc.support_] = np.abs(svc.dual_coef_[0])
    return svc, alpha


# -- solved by hand ---------------------------------------------------------------------
def test_hand_two_margin():
    sol = ds.solve_ipm(hand_two_margin())
    np.testing.assert_allclose(sol.alpha, [0.5, 0.5, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(sol.w, [1.0, 0.0], atol=1e-12)
    assert sol.b == pytest.approx(-1.0, abs=1e-12)
    assert sol.primal_objective == pytest.approx(0.5, abs=1e-12)
    assert sol.margin_support.tolist() == [0, 1]
    assert sol.bound_support.size == 0 and sol.undecided.size == 0
    assert sol.status == "optimal" and sol.success and sol.method == "ipm"


def test_hand_no_free_support_vector():
    """No free coefficient: the optimal b fill [-1/2, 1/2] and b is its midpoint (n x n form: d + 1 > n)."""
    sol = ds.solve_ipm(hand_no_free())
    assert sol.extras["newton"] == "samples"
    np.testing.assert_allclose(sol.alpha, [0.25, 0.25], atol=1e-12)
    np.testing.assert_allclose(sol.w, [0.5, 0.0], atol=1e-12)
    assert sol.b == pytest.approx(0.0, abs=1e-12)
    assert sol.b_interval[0] == pytest.approx(-0.5, abs=1e-6) and sol.b_interval[1] == pytest.approx(0.5, abs=1e-6)
    # Every b in [-1/2, 1/2] is optimal, so each optimal margin 1/2 +- b touches 1: the certified labels
    # cannot decide (proofs/T06); the solver's own reading puts both at the bound.
    assert sol.undecided.tolist() == [0, 1]
    assert sol.alpha_partition()["at_bound"].tolist() == [0, 1]


@pytest.mark.parametrize(("C", "alpha", "w", "b"), [(10.0, 1.0, 1.0, -1.0), (0.25, 0.25, 0.25, -0.25)])
def test_two_points(C, alpha, w, b):
    """n = 2, x = (0,0) and (1,1): hard margin w = (1,1), alpha = 1 when C >= 1; else alpha = C and
    P(w, b) is flat for b in [-1, 1/2] (midpoint -1/4)."""
    p = SVMProblem([[0.0, 0.0], [1.0, 1.0]], [-1, 1], C=C)
    sol = ds.solve_ipm(p)
    assert sol.status == "optimal"
    np.testing.assert_allclose(sol.alpha, [alpha, alpha], atol=1e-12)
    np.testing.assert_allclose(sol.w, [w, w], atol=1e-12)
    assert sol.b == pytest.approx(b, abs=1e-12)


# -- KKT and the certificate on every seeded data set -------------------------------------
@pytest.mark.parametrize("name", SEEDED)
@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
def test_kkt_and_certificate(name, C):
    p = seeded(name, C)
    sol = ds.solve_ipm(p)
    assert sol.status == "optimal" and sol.success and sol.relative_gap <= 1e-9
    check_all(sol, p, tol=1e-6)
    assert sol.duality_gap == pytest.approx(_gap_identity(sol, p), abs=1e-9 * max(1.0, abs(sol.primal_objective)))
    assert sol.b_interval[0] <= sol.b <= sol.b_interval[1]
    lo, hi = ds.argmin_b(p, sol.w)
    assert sol.b == 0.5 * (lo + hi)  # the exact minimiser of P(w, .), as solve_dual takes it
    # The finish found an exact KKT point, not an interior iterate.
    assert sol.extras["finish"][-1]["outcome"] == "KKT point"
    assert 0 < sol.extras["data_passes"] <= 100
    assert sol.extras["data_passes"] == sol.extras["full_passes"] + sol.extras["rows_read"] / p.n


# -- libsvm --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SEEDED)
@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
def test_against_libsvm(name, C):
    p = seeded(name, C)
    sol = ds.solve_ipm(p)
    svc, alpha_svc = _svc(p)
    # libsvm's objective is its dual objective D(alpha).
    assert p.dual_objective(alpha_svc) == pytest.approx(sol.primal_objective, rel=1e-6)
    # The exact partition: alpha > 0 exactly where libsvm has a support vector.
    own = sol.alpha_partition()
    np.testing.assert_array_equal(np.union1d(own["free"], own["at_bound"]), np.sort(svc.support_))
    # The certified labels agree wherever they decide; they leave a point undecided only when
    # b* is not unique (no free support vector), as in tests/test_foundation.py.
    decided = np.setdiff1d(np.arange(p.n), sol.undecided)
    np.testing.assert_array_equal(np.intersect1d(sol.support, decided), np.intersect1d(svc.support_, decided))
    if sol.undecided.size:
        assert sol.b_interval[1] - sol.b_interval[0] > sol.margin_tol and sol.margin_support.size == 0
    # libsvm's b is its own estimate (iris, C = 1: 5e-5 below the certified interval of every optimal b).
    assert svc.intercept_[0] == pytest.approx(sol.b, rel=1e-4, abs=1e-4)
    if name in NON_DEGENERATE:  # alpha* is unique (no duplicated rows): the coefficients agree too
        np.testing.assert_allclose(svc.dual_coef_[0], (p.y * sol.alpha)[svc.support_], atol=1e-5 * C)


# -- robustness ------------------------------------------------------------------------------
@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
def test_unscaled_breast_cancer(C):
    """Features over four orders of magnitude (0.03 to 4254). libsvm is no reference here (at C = 1 it
    leaves alpha > 0 on points of margin 1.27), so Clarabel through solve_primal is."""
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.load_breast_cancer(return_X_y=True)
    p = SVMProblem(X, y, C=C)
    sol = ds.solve_ipm(p)
    assert sol.status == "optimal" and sol.relative_gap <= 1e-9
    check_all(sol, p, tol=1e-6)  # stationarity relative to the size of the terms of Z^T alpha
    # and much tighter than 1e-6 (features up to 4254 cancel):
    v = p.X.T @ (p.y * sol.alpha)
    assert np.linalg.norm(sol.w - v) <= 1e-12 * np.linalg.norm(np.abs(p.X).T @ sol.alpha)
    ref = ds.solve_primal(p)
    assert sol.primal_objective == pytest.approx(ref.primal_objective, rel=1e-9)
    assert np.linalg.norm(sol.w - ref.w) <= sol.radius + ref.radius
    decided = np.setdiff1d(np.arange(p.n), np.union1d(sol.undecided, ref.undecided))
    assert np.array_equal(np.isin(decided, sol.support), np.isin(decided, ref.support))


def test_separable_large_C():
    p = SVMProblem(*ds.datasets.make_separable(80, 3, gap=1.0, seed=12), C=1000.0)
    sol = ds.solve_ipm(p)
    assert sol.status == "optimal" and sol.relative_gap <= 1e-9
    assert sol.bound_support.size == 0  # separable: no margin errors
    assert np.all(p.margins(sol.w, sol.b) >= 1 - 1e-9)
    svc, _ = _svc(p)
    assert np.array_equal(sol.support, np.sort(svc.support_))


def test_duplicated_rows_share_alpha():
    """Every point twice: the finish keeps the interior point's split (its analytic centre), equal halves."""
    p = seeded("duplicated", 1.0)
    sol = ds.solve_ipm(p)
    half = p.n // 2
    np.testing.assert_allclose(sol.alpha[:half], sol.alpha[half:], atol=1e-9)
    assert np.array_equal(np.isin(np.arange(half), sol.support), np.isin(np.arange(half, p.n), sol.support))


def test_identical_rows_with_opposite_labels():
    X, y = ds.datasets.make_overlapping(40, 3, seed=21)
    X = np.vstack([X, X[:5]])
    y = np.concatenate([y, -y[:5]])
    p = SVMProblem(X, y, C=1.0)
    sol = ds.solve_ipm(p)
    assert sol.status == "optimal" and sol.relative_gap <= 1e-9
    check_all(sol, p, tol=1e-6)
    m = p.margins(sol.w, sol.b)
    np.testing.assert_allclose(m[:5] + m[40:], 0.0, atol=1e-12)  # same f(x), opposite labels
    svc, _ = _svc(p)
    assert np.array_equal(sol.support, np.sort(svc.support_))


def test_constant_and_collinear_features():
    """Rank-deficient X: a constant column, and two columns that are multiples of a third."""
    X, y = ds.datasets.make_overlapping(60, 3, seed=22)
    X = np.column_stack([X, np.full(60, 3.0), 2.0 * X[:, 0], X[:, 0] - X[:, 1]])
    p = SVMProblem(X, y, C=1.0)
    sol = ds.solve_ipm(p)
    assert sol.status == "optimal" and sol.relative_gap <= 1e-9
    check_all(sol, p, tol=1e-6)
    assert abs(sol.w[3]) <= 1e-9  # a constant feature only shifts b, and b is free
    svc, alpha_svc = _svc(p)
    assert np.array_equal(sol.support, np.sort(svc.support_))
    assert p.dual_objective(alpha_svc) == pytest.approx(sol.primal_objective, rel=1e-6)


def test_d_greater_than_n_both_forms_agree():
    p = seeded("d_gt_n", 1.0)  # n = 20, d = 40: "auto" solves the n x n form
    auto = ds.solve_ipm(p)
    feat = ds.solve_ipm(p, newton="features")
    assert auto.extras["newton"] == "samples" and feat.extras["newton"] == "features"
    for s in (auto, feat):
        assert s.status == "optimal" and s.relative_gap <= 1e-9
    np.testing.assert_allclose(auto.w, feat.w, atol=1e-9)
    assert np.array_equal(auto.support, feat.support)
    q = seeded("overlapping", 1.0)  # n > d: the n x n form on request gives the same answer
    np.testing.assert_allclose(ds.solve_ipm(q, newton="samples").w, ds.solve_ipm(q).w, atol=1e-9)


def test_interior_iterate_without_finish():
    p = seeded("overlapping", 1.0)
    sol = ds.solve_ipm(p, finish=False)
    assert sol.status == "optimal" and sol.relative_gap <= 1e-9
    assert sol.extras["finish"] == [] and "interior iterate" in sol.extras["stop"]
    opt = ds.solve_ipm(p)
    assert np.linalg.norm(sol.w - opt.w) <= sol.radius + opt.radius


@pytest.mark.parametrize("correctors", [0, 2, 4])
def test_centrality_correctors_keep_the_infeasible_start_path(correctors):
    """A Gondzio corrector changes only complementarity: the linear residuals still shrink by exactly 1 - t.

    The step solves the Newton system for the residuals r_p = Zw + yb + xi - s - 1 and y'alpha with right-hand
    sides -r; each corrector adds a solve with zero residual right-hand sides. So after a step of length t both
    residuals are (1 - t) times the last, to rounding; a corrector that disturbed them (a wrong sign in its
    ds or dxi) breaks this. The answer is the same, and correctors are used when asked for.
    """
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 60))
    y = np.where(X[:, 0] + 0.5 * rng.normal(size=300) > 0, 1, -1)
    p = SVMProblem(X, y, C=1.0)
    sol = ds.solve_ipm(p, finish=False, correctors=correctors, target_gap=1e-6)
    h = sol.extras["history"]
    assert sol.status == "optimal"
    sum_round = p.n * np.finfo(float).eps * p.costs.sum()  # rounding of y'alpha, a sum of n terms <= C_i
    for prev, nxt in zip(h[:-1], h[1:], strict=True):
        shrink = 1.0 - prev["step"]
        assert nxt["r_p"] == pytest.approx(shrink * prev["r_p"], rel=1e-6, abs=1e-12)
        assert nxt["r_b"] == pytest.approx(shrink * prev["r_b"], rel=1e-6, abs=sum_round)
    used = sum(row.get("correctors", 0) for row in h)
    assert (used > 0) == (correctors > 0)
    ref = ds.solve_ipm(p)
    assert np.linalg.norm(sol.w - ref.w) <= sol.radius + ref.radius


def test_max_iter_one_is_not_optimal():
    p = seeded("overlapping", 1.0)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        sol = ds.solve_ipm(p, max_iter=1)
    assert sol.status == "max_iter" and not sol.success
    assert sol.relative_gap > 1e-9
    opt = ds.solve_ipm(p)
    assert np.linalg.norm(sol.w - opt.w) <= sol.radius + opt.radius  # still a valid certificate
    assert sol.dual_objective <= opt.primal_objective + 1e-12


def test_max_time_stops_and_says_so():
    p = seeded("overlapping", 1.0)
    with pytest.warns(ConvergenceWarning, match="max_time"):
        sol = ds.solve_ipm(p, max_time=1e-9)
    assert sol.status == "max_time" and not sol.success and sol.relative_gap > 1e-9
    assert sol.extras["iterations_all_points"] == 0 and "max_time" in sol.extras["stop"]
    opt = ds.solve_ipm(p, max_time=60.0)  # a budget that is not spent changes nothing
    assert opt.status == "optimal" and opt.relative_gap <= 1e-9
    assert np.linalg.norm(sol.w - opt.w) <= sol.radius + opt.radius


def test_blas_runs_single_threaded_inside_the_solve(monkeypatch):
    """The weighted Gram runs with one BLAS thread by default (a second one thrashes on a busy
    machine: operators.blas_threads), and with the caller's setting under blas_threads=None."""
    from threadpoolctl import threadpool_info, threadpool_limits

    seen: list[int] = []
    real = DenseOperator.weighted_gram

    def spy(self, *a, **k):
        seen.append(max(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"))
        return real(self, *a, **k)

    monkeypatch.setattr(DenseOperator, "weighted_gram", spy)
    p = seeded("overlapping", 1.0)
    with threadpool_limits(limits=2, user_api="blas"):
        ds.solve_ipm(p, newton="features")
        assert seen and set(seen) == {1}
        seen.clear()
        ds.solve_ipm(p, newton="features", blas_threads=None)
        outside = max(q["num_threads"] for q in threadpool_info() if q["user_api"] == "blas")
    assert seen and set(seen) == {outside}
    # certify's and compare's certificates too (certificate itself is undecorated: mutmut skips decorated functions).
    import dualsvm.comparison as comparison
    import dualsvm.dual_point as dual_point

    counts: list[int] = []
    for mod in (dual_point, comparison):
        real_cert = mod.certificate

        def cert_spy(*a, _real=real_cert, **k):
            counts.append(max(q["num_threads"] for q in threadpool_info() if q["user_api"] == "blas"))
            return _real(*a, **k)

        monkeypatch.setattr(mod, "certificate", cert_spy)
    opt = ds.solve_ipm(p)
    with threadpool_limits(limits=2, user_api="blas"):
        ds.certify(p, opt.w, opt.b)
        ds.compare(p, methods=["ipm", "dual"])
    assert len(counts) == 3 and set(counts) == {1}


# -- bad options -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target_gap": 0.0}, r"target_gap must be a relative gap in \(0, 1\), got 0\.0"),
        ({"target_gap": -1e-9}, r"target_gap .* got -1e-09"),
        ({"target_gap": 1.0}, r"target_gap .* got 1\.0"),
        ({"target_gap": float("nan")}, r"target_gap .* got nan"),
        ({"max_iter": 0}, r"max_iter must be an integer >= 1, got 0"),
        ({"max_iter": 2.5}, r"max_iter .* got 2\.5"),
        ({"tol": 1e-3}, r"unknown keyword\(s\) \['tol'\] for solve_ipm; it takes target_gap, max_iter, max_time and"),
        ({"newton": "cholesky"}, r"newton must be .* got 'cholesky'"),
        ({"step_fraction": 1.0}, r"step_fraction .* got 1\.0"),
        ({"max_time": 0}, r"max_time must be None or a finite number of seconds > 0, got 0"),
        ({"max_time": True}, r"max_time .* got True"),
        ({"max_time": float("inf")}, r"max_time .* got inf"),
        ({"max_time": "1"}, r"max_time .* got '1'"),
        ({"blas_threads": 0}, r"blas_threads must be None or an integer >= 1, got 0"),
        ({"correctors": -1}, r"correctors must be 'auto' or an integer in \[0, 10\], got -1"),
        ({"correctors": 1.5}, r"correctors .* got 1\.5"),
        ({"correctors": True}, r"correctors .* got True"),
        ({"correctors": "many"}, r"correctors .* got 'many'"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(DualSVMError, match=match):
        ds.solve_ipm(hand_two_margin(), **kwargs)


# -- the data operator ---------------------------------------------------------------------------
def test_dense_operator_products_and_passes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20_000, 5))  # more rows than one block of weighted_gram
    op = DenseOperator(X)
    w, v, s = rng.normal(size=5), rng.normal(size=20_000), rng.uniform(0, 2, size=20_000)
    np.testing.assert_allclose(op.matvec(w), X @ w)
    np.testing.assert_allclose(op.rmatvec(v), X.T @ v)
    G, XtV = op.weighted_gram(s, np.column_stack([v, s]))
    np.testing.assert_allclose(G, X.T @ (s[:, None] * X), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(XtV, X.T @ np.column_stack([v, s]))
    np.testing.assert_allclose(op.row_norms(), np.linalg.norm(X, axis=1))
    assert op.passes == 4  # one each; the Gram and its X^T V share a pass
    np.testing.assert_array_equal(op.rows([3, 7]), X[[3, 7]])
    assert op.passes == 4 and op.rows_read == 2
    small = DenseOperator(X[:6])
    np.testing.assert_allclose(small.row_gram(), X[:6] @ X[:6].T)
    assert small.dense().flags.writeable is False and small.passes == 2
    with pytest.raises(DualSVMError, match="weights s must be >= 0"):
        op.weighted_gram(-s)


def test_kkt_solve_moved_to_finish():
    """working_set still offers kkt_solve and polish, now the ones from dualsvm.finish."""
    import dualsvm.finish as finish
    import dualsvm.working_set as working_set

    assert working_set.kkt_solve is finish.kkt_solve and working_set.polish is finish.polish


def test_kkt_brackets_weigh_violations():
    C = 2.0
    m = np.array([1.5, 0.5, 1.0, 1.2, 0.7])
    alpha = np.array([0.0, C, 0.7, C, 0.0])  # two consistent with their margins, one free on it, two violating
    g = kkt_brackets(m, alpha, C)
    np.testing.assert_allclose(g, [0.0, 0.0, 0.0, C * 0.2, C * 0.3])


def test_near_degenerate_point_gets_exact_alpha():
    """A copy of a free support vector moved 1e-7 outside the margin: at the optimum its alpha is 0
    (w* is unique and its margin is 1 + 1e-7) and no other alpha changes. A partition that makes it
    free passes the gap budget at target_gap = 1e-8 (budget 1e-9), so only the exactness test of the
    finish sends the iteration on to the exact partition. (Closer than about 1e-8 the working-set
    iteration reaches its floor first and the finish returns the candidate within the budget.)"""
    p = seeded("overlapping", 1.0)
    ref = ds.solve_ipm(p)
    j = ref.margin_support[0]
    x_new = p.X[j] + 1e-7 * p.y[j] * ref.w / (ref.w @ ref.w)
    q = SVMProblem(np.vstack([p.X, x_new]), np.append(p.y, p.y[j]), C=1.0)
    sol = ds.solve_ipm(q, target_gap=1e-8)
    assert sol.status == "optimal" and sol.relative_gap <= 1e-8
    assert sol.alpha[-1] <= 1e-12
    np.testing.assert_allclose(sol.alpha[:-1], ref.alpha, atol=1e-9)
    assert sum(a.get("n_inexact", 0) for a in sol.extras["finish"]) >= 1  # the trap was there
    assert q.margins(sol.w, sol.b)[-1] == pytest.approx(1 + 1e-7, abs=1e-9)


# -- per-sample costs C_i ----------------------------------------------------------------------------
def test_integer_weight_equals_the_row_repeated():
    """Weight k is the row k times (tests/test_weights.py): the weighted alpha is the copies' total."""
    X, y = ds.datasets.make_overlapping(40, 3, seed=21)
    k = np.random.default_rng(0).integers(0, 4, size=40)
    k[[0, 1]] = 1  # both classes keep weight; some rows get weight 0
    weighted = ds.solve_ipm(SVMProblem(X, y, C=1.0, sample_weight=k))
    exact = ds.solve_ipm(SVMProblem(np.repeat(X, k, axis=0), np.repeat(y, k), C=1.0))
    assert weighted.status == "optimal" and weighted.extras["zero_cost_points"] == int(np.sum(k == 0))
    np.testing.assert_allclose(weighted.w, exact.w, atol=1e-9)
    owner = np.repeat(np.arange(40), k)
    np.testing.assert_allclose(weighted.alpha, np.bincount(owner, exact.alpha, minlength=40), atol=1e-9)
    assert np.all(weighted.alpha[k == 0] == 0.0)


@pytest.mark.parametrize("C", [0.1, 10.0])
def test_class_weight_against_libsvm(C):
    """Costs C_i = C * class_weight[y_i], as libsvm's class_weight (data with w* != 0: with heavy enough
    weights on one class w* = 0 and alpha* is far from unique)."""
    X, y = ds.datasets.make_overlapping(120, 3, sep=3.0, seed=11)
    p = SVMProblem(X, y, C=C, class_weight={-1.0: 2.0, 1.0: 0.5})
    sol = ds.solve_ipm(p)
    assert sol.status == "optimal" and sol.relative_gap <= 1e-9
    check_dual_domain(sol, p)  # the box [0, C_i] of each point's cost
    check_complementarity(sol, p, 1e-6)
    assert sol.duality_gap == pytest.approx(_gap_identity(sol, p), abs=1e-9 * max(1.0, abs(sol.primal_objective)))
    svm = pytest.importorskip("sklearn.svm")
    svc = svm.SVC(kernel="linear", C=C, tol=1e-10, class_weight={-1.0: 2.0, 1.0: 0.5}).fit(p.X, p.y)
    own = sol.alpha_partition()
    np.testing.assert_array_equal(np.union1d(own["free"], own["at_bound"]), np.sort(svc.support_))
    np.testing.assert_allclose(svc.dual_coef_[0], (p.y * sol.alpha)[svc.support_], atol=1e-6 * C)
