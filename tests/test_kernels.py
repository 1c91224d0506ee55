"""Kernels: the factor, the certificate in the RKHS, scikit-learn's SVC as the outside reference, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import dualsvm as ds
from dualsvm.kernels import certify_expansion, expansion_certificate, kernel_matrix, pointwise_bound, resolve_gamma

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import make_circles, make_moons  # noqa: E402
from sklearn.svm import SVC  # noqa: E402


def _standardized(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def _data(name: str, n: int = 120):
    if name == "moons":
        X, y = make_moons(n, noise=0.3, random_state=0)
    elif name == "breast_cancer":  # a standardized real data set (shipped with scikit-learn), every 2nd row
        from sklearn.datasets import load_breast_cancer

        d = load_breast_cancer()
        X, y = d.data[::2][:n], d.target[::2][:n]
    else:
        X, y = make_circles(n, noise=0.15, factor=0.5, random_state=1)
    return _standardized(X), y


KERNEL_CASES = {
    "rbf": dict(kernel="rbf", gamma="scale"),
    "poly": dict(kernel="poly", gamma="scale", degree=3, coef0=1.0),
}


def _full_gram(problem):
    f = problem.kernel_factor
    if f.kernel == "precomputed":
        return np.array(f.X_train)
    return kernel_matrix(f.kernel, f.X_train, f.X_train, gamma=f.gamma, degree=f.degree, coef0=f.coef0)


# -- conventions and the factor ---------------------------------------------------------------

@pytest.mark.parametrize("gamma", ["scale", "auto", 0.7])
def test_gamma_matches_svc(gamma):
    X, y = _data("moons")
    X = X * np.array([1.0, 3.0])  # var(X) != 1, so "scale" and "auto" differ
    svc = SVC(kernel="rbf", gamma=gamma).fit(X, y)
    assert resolve_gamma(gamma, X) == pytest.approx(svc._gamma, rel=1e-15)


@pytest.mark.parametrize("name", ["rbf", "poly", "sigmoid", "linear"])
def test_kernel_matrix_matches_sklearn(name):
    from sklearn.metrics.pairwise import pairwise_kernels

    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(7, 3)), rng.normal(size=(5, 3))
    kw = {} if name == "linear" else dict(gamma=0.3)
    if name in ("poly", "sigmoid"):
        kw.update(coef0=0.5)
    if name == "poly":
        kw.update(degree=2)
    ours = kernel_matrix(name, A, B, **kw)
    np.testing.assert_allclose(ours, pairwise_kernels(A, B, metric=name, **kw), rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("case", ["rbf", "poly"])
def test_factor_residual_and_nystrom_identity(case):
    X, y = _data("moons", 150)
    p = ds.SVMProblem(X, y, kernel=case, **{k: v for k, v in KERNEL_CASES[case].items() if k != "kernel"})
    f = p.kernel_factor
    K = _full_gram(p)
    E = K - p.X @ p.X.T
    # The stated stop: tr(E) <= tol * tr(K), and residual_trace bounds tr(E) and lambda_max(E).
    assert np.trace(E) <= p.kernel_residual <= 1.01 * f.tol * np.trace(K) + 1e-12
    assert np.linalg.eigvalsh(E)[-1] <= p.kernel_residual
    assert p.d == f.rank < p.n
    # L_P lower triangular; the Nystrom map reproduces the rows of L on the training points.
    assert np.all(np.triu(f.L_P, 1) == 0)
    np.testing.assert_allclose(f.feature_map(X), p.X, atol=1e-8)
    # ||f_w||_H = ||w|| for the solution's w: beta = L_P^{-T} w, beta' K_PP beta (T14; measured 1e-15
    # relative here; for an arbitrary w along L_P's ill-conditioned directions it is only 1e-5).
    sol = ds.solve_ipm(p)
    beta = np.linalg.solve(f.L_P.T, sol.w)
    assert beta @ K[np.ix_(f.pivots, f.pivots)] @ beta == pytest.approx(sol.w @ sol.w, rel=1e-12)
    np.testing.assert_allclose(K[:, f.pivots] @ beta, p.X @ sol.w, atol=1e-12 * np.abs(p.X @ sol.w).max())
    # The delivered function f_w, certified with the exact kernel (no factor in its primal), meets solve_ipm's target.
    cert = expansion_certificate(p, sol.primal_objective - sol.duality_gap, f.pivots, beta, sol.b)
    assert cert["duality_gap"] / max(1.0, cert["primal_objective"]) <= 1e-9
    assert cert["primal_objective"] == pytest.approx(sol.primal_objective, rel=1e-12)


def test_linear_default_is_untouched():
    X, y = _data("moons")
    p = ds.SVMProblem(X, y)
    assert p.kernel_factor is None and p.kernel_residual == 0.0
    np.testing.assert_array_equal(p.X, X)


def test_memory_budget_caps_the_rank():
    X, y = _data("moons", 200)
    with pytest.warns(ds.ConvergenceWarning, match=r"numerical rank is above 2, .*memory_budget=4000.*exact Gram"):
        p = ds.SVMProblem(X, y, kernel="rbf", gamma=50.0, memory_budget=4000)
    assert p.d == 2 and p.kernel_factor.exact_residual  # capped, and said so (tests/test_kernels_fallback.py)


# -- the certificate against the true kernel problem -------------------------------------------

@pytest.mark.parametrize("gamma", ["scale", 3.0])
def test_certificate_bounds_true_kernel_gap(gamma):
    """G_K bounds P_K(f_w, b) - D_K(alpha) computed with the full Gram; the residual term is needed."""
    X, y = _data("circles", 150)
    p = ds.SVMProblem(X, y, C=2.0, kernel="rbf", gamma=gamma, kernel_tol=1e-6)  # a coarse factor: E visible
    with pytest.warns(ds.ConvergenceWarning):  # the residual term keeps the gap above 1e-8: said so
        sol = ds.solve_ipm(p)
    K = _full_gram(p)
    v = p.y * sol.alpha
    D_K = sol.alpha.sum() - 0.5 * v @ K @ v
    P_K = p.primal_objective(sol.w, sol.b)  # = P_K(f_w, b) by T14
    assert P_K - D_K <= sol.duality_gap
    term = 0.5 * float(sol.alpha @ np.sqrt(p.kernel_factor.residual_diag)) ** 2
    assert P_K - D_K > sol.duality_gap - term  # without the term the gap is too small: the term is needed
    assert term <= 0.5 * p.kernel_residual * sol.alpha @ sol.alpha  # and tighter than tr(E)||alpha||^2 / 2


def test_kernel_row_norms_in_margin_ranges():
    """The margin ranges use sqrt(K_ii), not ||L_i||: on a coarse factor the ranges hold the exact kernel optimum."""
    X, y = _data("moons", 100)
    coarse = ds.SVMProblem(X, y, kernel="rbf", kernel_tol=1e-3)
    with pytest.warns(ds.ConvergenceWarning):
        sol = ds.solve_ipm(coarse)
    # The exact kernel optimum: the full-rank factor of the same Gram (E = 0 up to rounding).
    ref = ds.solve_ipm(ds.SVMProblem(_full_gram(coarse), y, kernel="precomputed", kernel_tol=1e-15))
    assert ref.radius < 1e-4 * sol.radius
    width = ref.radius + (ref.b_interval[1] - ref.b_interval[0])  # ref's own uncertainty, tiny
    lo, hi = sol.margin_range
    assert np.all(lo <= ref.margins + width) and np.all(ref.margins - width <= hi)


# -- scikit-learn's SVC as the outside reference ------------------------------------------------

def _svc_case(data: str, case: str, n: int = 120):
    X, y = _data(data, n)
    if case == "precomputed":
        G = kernel_matrix("rbf", X, X, gamma=0.5)
        return G, y, dict(kernel="precomputed"), SVC(kernel="precomputed", C=1.0, tol=1e-10).fit(G, y)
    kw = {k: v for k, v in KERNEL_CASES[case].items() if k != "kernel"}
    return X, y, dict(kernel=case, **kw), SVC(kernel=case, C=1.0, tol=1e-10, **kw).fit(X, y)


@pytest.mark.parametrize("data", ["moons", "circles", "breast_cancer"])
@pytest.mark.parametrize("case", ["rbf", "poly", "precomputed"])
def test_svc_reference(data, case):
    """Equal support sets, decision functions within both certified bounds, equal predictions."""
    X, y, kw, svc = _svc_case(data, case)
    p = ds.SVMProblem(X, y, C=1.0, **kw)
    sol = ds.solve_ipm(p)
    assert sol.success and sol.undecided.size == 0
    certified = np.union1d(sol.margin_support, sol.bound_support)
    np.testing.assert_array_equal(certified, np.sort(svc.support_))
    ours = p.kernel_factor.decision_function(sol.w, sol.b, X)
    theirs = svc.decision_function(X)
    # libsvm's answer certified from outside against the same kernel problem: its gap includes
    # everything libsvm did (float32 kernel cache, tol 1e-10), so no allowance is added by hand.
    lower = sol.primal_objective - sol.duality_gap
    cert = expansion_certificate(p, lower, svc.support_, svc.dual_coef_[0], svc.intercept_[0])
    np.testing.assert_allclose(cert["decision"], theirs, atol=1e-12 * max(1.0, np.abs(theirs).max()))
    lo, hi = sol.b_interval
    kxx = p.kernel_factor.diag
    bound_ours = pointwise_bound(p, sol)
    bound_svc = cert["radius"] * np.sqrt(kxx) + max(svc.intercept_[0] - lo, hi - svc.intercept_[0])
    assert np.all(np.abs(ours - theirs) <= bound_ours + bound_svc)
    assert np.abs(ours - theirs).max() > 0  # two different computations
    np.testing.assert_array_equal(np.where(ours > 0, 1, 0), svc.predict(X))


@pytest.mark.parametrize("case", ["rbf", "poly"])
def test_three_way_agreement(case):
    X, y = _data("moons", 100)
    kw = {k: v for k, v in KERNEL_CASES[case].items() if k != "kernel"}
    res = ds.compare(ds.SVMProblem(X, y, C=1.0, kernel=case, **kw), methods=("primal", "dual", "ipm"))
    assert res.verdict == "AGREE", res


def test_linear_kernel_through_the_kernel_path():
    """A callable linear kernel and a precomputed X X^T give the linear path's f within the radii."""
    X, y = _data("moons", 100)
    lin = ds.solve_ipm(ds.SVMProblem(X, y, C=1.0))
    f_lin = X @ lin.w + lin.b
    for kw, Xin in ((dict(kernel=lambda A, B: A @ B.T), X), (dict(kernel="precomputed"), X @ X.T)):
        p = ds.SVMProblem(Xin, y, C=1.0, **kw)
        assert p.d == 2  # rank of X X^T
        sol = ds.solve_ipm(p)
        f_k = p.X @ sol.w + sol.b
        kxx = np.einsum("ij,ij->i", X, X)
        width = lambda s: max(s.b - s.b_interval[0], s.b_interval[1] - s.b)  # noqa: E731
        bound = (lin.radius + sol.radius) * np.sqrt(kxx) + width(lin) + width(sol)
        assert np.all(np.abs(f_k - f_lin) <= bound)
        assert sol.primal_objective == pytest.approx(lin.primal_objective, rel=1e-9)


def test_new_points_through_the_nystrom_map():
    X, y = _data("moons", 150)
    Xtr, Xte, ytr = X[:100], X[100:], y[:100]
    p = ds.SVMProblem(Xtr, ytr, C=1.0, kernel="rbf", gamma=0.5)
    sol = ds.solve_ipm(p)
    svc = SVC(kernel="rbf", gamma=0.5, C=1.0, tol=1e-10).fit(Xtr, ytr)
    ours = p.kernel_factor.decision_function(sol.w, sol.b, Xte)
    lower = sol.primal_objective - sol.duality_gap
    cert = expansion_certificate(p, lower, svc.support_, svc.dual_coef_[0], svc.intercept_[0])
    lo, hi = sol.b_interval
    bound = pointwise_bound(p, sol, Xte) + cert["radius"] + max(svc.intercept_[0] - lo, hi - svc.intercept_[0])
    assert np.all(np.abs(ours - svc.decision_function(Xte)) <= bound)


# -- bad input ---------------------------------------------------------------------------------

_X, _y = _data("moons", 40)


@pytest.mark.parametrize(("kw", "X", "match"), [
    (dict(kernel="rbff"), _X, r"kernel must be one of .* got 'rbff'"),
    (dict(kernel=3), _X, r"kernel must be one of .* got 3"),
    (dict(kernel="rbf", gamma="scaled"), _X, r"gamma must be .* got 'scaled'"),
    (dict(kernel="rbf", gamma=-1.0), _X, r"gamma must be .* got -1.0"),
    (dict(kernel="rbf", gamma=float("nan")), _X, r"gamma must be .* got nan"),
    (dict(kernel="poly", degree=-1), _X, r"degree must be an integer >= 0, got -1"),
    (dict(kernel="poly", degree=2.5), _X, r"degree must be an integer >= 0, got 2.5"),
    (dict(kernel="poly", coef0=float("inf")), _X, r"coef0 must be a finite real number, got inf"),
    (dict(kernel="rbf", kernel_tol=2.0), _X, r"kernel_tol must be a number in \[0, 1\), got 2.0"),
    (dict(kernel="rbf", memory_budget=10), _X, r"memory_budget must be .* got 10"),
    (dict(kernel="precomputed"), _X, r"square Gram matrix .* got shape \(40, 2\)"),
    (dict(kernel="precomputed"), _X @ _X.T + np.triu(np.ones((40, 40)), 1), r"symmetric Gram matrix .* = 1"),
    (dict(kernel="precomputed"), np.where(np.eye(40) > 0, np.nan, _X @ _X.T), r"X must be finite, got 40 NaN"),
    (dict(kernel=lambda A, B: (A @ B.T)[:, :1]), _X, r"callable must return shape \(len\(A\), len\(B\)\) = \(40, 40\), "
                                                     r"got shape \(40, 1\)"),
    (dict(kernel=lambda A, B: np.ones((len(A), len(B) + 1))), _X, r"= \(40, 40\), got shape \(40, 41\)"),
    (dict(kernel="sigmoid", gamma=2.0, coef0=0.0), _X, r"not positive semidefinite: its most negative eigenvalue is -\d"),
    (dict(kernel="precomputed"), -np.eye(40), r"not positive semidefinite: its diagonal K\[0,0\] = -1"),
    (dict(kernel="precomputed"), np.ones((40, 40)) - np.eye(40),
     r"kernel='precomputed' is not positive semidefinite: its most negative eigenvalue is"),
    (dict(kernel="precomputed"), np.zeros((40, 40)), r"is zero"),
])
def test_bad_kernel_input(kw, X, match):
    X_before = np.array(X)
    with pytest.raises(ds.DualSVMError, match=match):
        ds.SVMProblem(X, _y, **kw)
    np.testing.assert_array_equal(X, X_before)  # never modified


# -- the faces ---------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["rbf", "poly"])
def test_dualsvc_kernel_matches_svc(case):
    X, y = _data("moons", 150)
    Xtr, Xte, ytr = X[:100], X[100:], y[:100]
    kw = {k: v for k, v in KERNEL_CASES[case].items() if k != "kernel"}
    ours = ds.DualSVC(kernel=case, **kw).fit(Xtr, ytr)
    svc = SVC(kernel=case, tol=1e-10, **kw).fit(Xtr, ytr)
    assert not hasattr(ours, "coef_") and ours.kernel_factor_ is not None
    np.testing.assert_array_equal(np.sort(ours.support_), np.sort(svc.support_))
    np.testing.assert_array_equal(ours.predict(Xte), svc.predict(Xte))
    # SVC's layout: decision = dual_coef_ . k(support_vectors_, x) + intercept_, up to the factor's residual.
    via_coef = ours.dual_coef_[0] @ kernel_matrix(case, ours.support_vectors_, Xte, gamma=ours.kernel_factor_.gamma,
                                                  degree=ours.degree, coef0=ours.coef0) + ours.intercept_[0]
    # |sum_i c_i E(x_i, x)| <= sum_i |c_i| sqrt(E_ii) sqrt(E(x, x)), plus w's stationarity residual |w - L^T c|.
    f = ours.kernel_factor_
    phi = f.feature_map(Xte)
    kxx = f.kernel_diag(Xte)
    E_xx = np.maximum(kxx - np.einsum("ij,ij->i", phi, phi), 0.0)
    resid = np.abs(ours.dual_coef_[0]) @ np.sqrt(f.residual_diag[ours.support_]) * np.sqrt(E_xx)
    bound = resid + ours.certificate_.kkt["stationarity"] * np.sqrt(kxx) + 1e-12
    assert np.all(np.abs(via_coef - ours.decision_function(Xte)) <= bound)
    assert np.all(ours.dual_coef_[0] * np.where(ytr[ours.support_] > 0, 1, -1) > 0)  # y_i alpha_i, alpha_i > 0
    assert np.all(np.diff(ytr[ours.support_]) >= 0)  # class -1 first, as SVC


def test_dualsvc_precomputed_and_refit_linear():
    X, y = _data("circles", 100)
    G = kernel_matrix("rbf", X, X, gamma=1.0)
    est = ds.DualSVC(kernel="precomputed").fit(G, y)
    svc = SVC(kernel="precomputed", tol=1e-10).fit(G, y)
    np.testing.assert_array_equal(est.predict(G[:10]), svc.predict(G[:10]))
    est.set_params(kernel="linear").fit(X, y)
    assert est.coef_.shape == (1, 2) and est.kernel_factor_ is None


@pytest.mark.parametrize("case", ["rbf", "poly", "precomputed"])
def test_certify_estimator_kernel_svc(case):
    X, y, _, svc = _svc_case("moons", case)
    rep = ds.certify_estimator(svc, X, y)
    assert rep.kernel is not None and rep.relative_gap < 1e-6, rep
    assert rep.distance <= rep.bound
    assert "near-optimal for the kernel SVM" in repr(rep)
    # An early-stopped SVC is caught: a large gap, and its RKHS distance still within the bound.
    from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning

    with pytest.warns(SkConvergenceWarning, match="max_iter=3"):
        loose = SVC(**{**svc.get_params(), "tol": 1.0, "max_iter": 3}).fit(X, y)
    bad = ds.certify_estimator(loose, X, y)
    assert bad.relative_gap > 1e-4 and bad.distance <= bad.bound and "NOT optimal" in bad.verdict


def test_cli_kernel_options(capsys):
    import json

    from dualsvm.cli import main

    assert main(["compare", "--standardize", "--kernel", "rbf", "--gamma", "0.5", "--methods", "ipm,dual", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "AGREE" and out["data"]["kernel"]["gamma"] == 0.5 and out["data"]["kernel"]["rank"] > 4
    assert main(["solve", "--standardize", "--kernel", "poly", "--degree", "2", "--coef0", "1", "--method", "ipm"]) == 0
    assert "kernel: poly (gamma 0.25, degree 2, coef0 1)" in capsys.readouterr().out
    assert main(["solve", "--standardize", "--kernel", "sigmoid", "--gamma", "3"]) == 2
    assert "not positive semidefinite: its most negative eigenvalue is -" in capsys.readouterr().err


def test_sparse_X_with_a_kernel_is_the_dense_problem():
    import scipy.sparse as sparse

    X, y = _data("moons", 80)
    dense = ds.solve_ipm(ds.SVMProblem(X, y, kernel="rbf"))
    sp_problem = ds.SVMProblem(sparse.csr_array(X), y, kernel="rbf")
    assert not sp_problem.sparse and sp_problem.kernel_factor.X_train.shape == X.shape
    np.testing.assert_array_equal(ds.solve_ipm(sp_problem).w, dense.w)


from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402


# gamma="scale" reads X.var() of the rows as given, so a weight k is not k repeated rows there (as in SVC):
# the estimator checks run with a fixed gamma. Not poly: the checks' unscaled data (loc=100) give Gram entries
# near 1e12, where float64 leaves a certified relative gap near 0.1 (honestly reported, with a ConvergenceWarning).
@parametrize_with_checks([ds.DualSVC(kernel="rbf", gamma=1.0)])
def test_dualsvc_kernel_passes_sklearn_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("budget", [2**30, 40_000])  # the dense eigvalsh, and Lanczos in row blocks (n^2 over budget)
def test_not_psd_names_the_eigenvalue(budget):
    G = np.ones((40, 40)) - np.eye(40)  # eigenvalues 39 and -1 (39 times)
    with pytest.raises(ds.DualSVMError, match=r"most negative eigenvalue is -1 \(largest 39\)"):
        ds.SVMProblem(G, _y, kernel="precomputed", memory_budget=budget)
    ok = ds.SVMProblem(G + 1.5 * np.eye(40), _y, kernel="precomputed", memory_budget=budget)  # the stated shift
    assert ok.kernel_factor.lambda_min == pytest.approx(0.5, rel=1e-6)


def test_a_psd_check_that_cannot_converge_in_the_budget_names_memory_budget():
    # An RBF Gram's smallest eigenvalues cluster near 0, where Lanczos (used when 32 n^2 bytes exceed the
    # budget) does not converge: that was scipy's ArpackNoConvergence, not a DualSVMError naming the knob.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    G = np.exp(-0.5 * ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    y = np.where(X[:, 0] > 0, 1.0, -1.0)
    with pytest.raises(ds.DualSVMError, match=r"memory_budget=100000 is too small to check .* at least 2880000 bytes"):
        ds.SVMProblem(G, y, kernel="precomputed", memory_budget=100_000)


def test_a_coarse_factor_says_which_knob_to_turn():
    """When the factor's residual keeps the certified gap above target, the warning names kernel_tol."""
    X, y = _data("moons")
    p = ds.SVMProblem(X, y, C=1.0, kernel="rbf", kernel_tol=1e-2)
    assert p.kernel_residual > 0
    with pytest.warns(ds.ConvergenceWarning, match="lower kernel_tol"):
        sol = ds.solve_ipm(p)
    assert not sol.success and sol.relative_gap > 1e-9
    fine = ds.solve_ipm(ds.SVMProblem(X, y, C=1.0, kernel="rbf"))
    assert fine.success


def test_certify_expansion_agrees_across_the_formulations_in_the_rkhs():
    """Each solver's dual expansion f_alpha, certified with the exact Gram: pairwise ||f_i - f_j||_H <= r_i + r_j.

    The distances are cK c with c the difference of the y*alpha, on seeded moons (n = 300, RBF);
    the exact gaps are small where the solvers certify small factor gaps (non-vacuous radii).
    """
    X, y = make_moons(300, noise=0.3, random_state=0)
    X = (X - X.mean(0)) / X.std(0)
    p = ds.SVMProblem(X, y, C=1.0, kernel="rbf")
    K = kernel_matrix("rbf", X, X, gamma=p.kernel_factor.gamma)
    out = {}
    for name in ("ipm", "dual", "primal", "subgradient"):
        sol = getattr(ds, f"solve_{name}")(p)
        ce = certify_expansion(p, sol)
        assert ce["lower_bound"] <= sol.primal_objective and ce["duality_gap"] >= 0
        if name != "subgradient":
            assert ce["relative_gap"] <= 1e-9, name
        out[name] = (p.y * np.clip(sol.alpha, 0.0, p.costs), ce["radius"])
    names = list(out)
    for i, a in enumerate(names):
        for b_ in names[i + 1:]:
            dc = out[a][0] - out[b_][0]
            assert np.sqrt(max(float(dc @ K @ dc), 0.0)) <= out[a][1] + out[b_][1], (a, b_)


def test_precomputed_gram_is_kept_intact_by_the_factor():
    """The factor read the first pivot's column as a view of the stored Gram and divided it in place by
    sqrt(K_pp): every later reader of the Gram (the exact-Gram residual, expansion_certificate,
    dual_lower_bound) saw a non-symmetric matrix. Invisible where K_pp = 1 (an RBF Gram)."""
    rng = np.random.default_rng(9)
    X = 2.0 * rng.normal(size=(30, 4))
    K = X @ X.T
    for G in (K, np.asfortranarray(K)):
        before = G.copy()
        p = ds.SVMProblem(G, np.where(X[:, 0] > 0, 1, -1), kernel="precomputed")
        np.testing.assert_array_equal(p.kernel_factor.X_train, before)
        np.testing.assert_array_equal(G, before)  # and the caller's array, as always
