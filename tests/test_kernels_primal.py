"""solve_primal(form="representer"): beta, b, xi in cvxpy with ||L^T beta||^2 through the factor (proofs/T15)."""

from __future__ import annotations

import numpy as np
import pytest

import dualsvm as ds
from dualsvm.kernels import kernel_matrix

pytest.importorskip("sklearn")
from sklearn.datasets import make_circles, make_moons  # noqa: E402


def _std(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def _problem(name: str, n: int = 150, **kw) -> ds.SVMProblem:
    if name == "moons":
        X, y = make_moons(n, noise=0.3, random_state=0)
    else:
        X, y = make_circles(n, noise=0.15, factor=0.5, random_state=1)
    return ds.SVMProblem(_std(X), y, C=1.0, **kw)


@pytest.mark.parametrize(("data", "kw"), [
    ("moons", dict(kernel="rbf", gamma="scale")),
    ("circles", dict(kernel="rbf", gamma=2.0)),
    ("moons", dict(kernel="poly", gamma="scale", degree=3, coef0=1.0)),
])
def test_representer_form_agrees_with_the_other_formulations(data, kw):
    p = _problem(data, **kw)
    rep = ds.solve_primal(p, form="representer")
    assert rep.success and rep.relative_gap <= 1e-8
    assert rep.extras["form"] == "representer"
    for other in (ds.solve_ipm(p), ds.solve_dual(p), ds.solve_primal(p)):
        assert other.success
        assert np.linalg.norm(rep.w - other.w) <= rep.radius + other.radius
        np.testing.assert_array_equal(rep.bound_support, other.bound_support)
        np.testing.assert_array_equal(rep.non_support, other.non_support)


def test_representer_beta_is_the_expansion_of_f():
    # f = sum_j beta_j k(x_j, .): on the training points f = K beta with the exact Gram, and
    # ||f||_H^2 = beta^T K beta; through the factor these are L w and ||w||^2 with w = L^T beta.
    p = _problem("moons", kernel="rbf", gamma="scale")
    rep = ds.solve_primal(p, form="representer")
    beta = rep.extras["beta"]
    assert beta.shape == (p.n,)
    f = p.kernel_factor
    K = kernel_matrix("rbf", f.X_train, f.X_train, gamma=f.gamma)
    w_beta = p.X.T @ beta
    np.testing.assert_allclose(K @ beta, p.X @ w_beta, rtol=0, atol=1e-6 * (1 + np.abs(beta).sum()))
    assert beta @ K @ beta == pytest.approx(w_beta @ w_beta, rel=1e-6)
    # cvxpy's beta is itself a near-optimal expansion: certified, and within the radii of the answer.
    c = ds.certify(p, w_beta, rep.b)
    assert c.relative_gap <= 1e-6
    assert np.linalg.norm(w_beta - rep.w) <= c.radius + rep.radius


def test_representer_form_on_a_gram_with_a_rounding_level_negative_eigenvalue():
    # K = A A^T of rank 3 has eigenvalues at -1e-16 by rounding: quad_form(beta, K) would need
    # psd_wrap (cvxpy#2362); through the factor the QP is convex as written.
    rng = np.random.default_rng(3)
    A = rng.standard_normal((60, 3))
    K = A @ A.T
    assert np.linalg.eigvalsh(K)[0] < 0
    y = np.where(A[:, 0] + 0.3 * rng.standard_normal(60) > 0, 1, -1)
    p = ds.SVMProblem(K, y, C=1.0, kernel="precomputed")
    rep = ds.solve_primal(p, form="representer")
    ref = ds.solve_ipm(p)
    assert rep.success and ref.success
    assert np.linalg.norm(rep.w - ref.w) <= rep.radius + ref.radius


def test_representer_form_on_a_linear_problem_is_the_dual_form_primal():
    X, y = make_moons(80, noise=0.3, random_state=2)
    p = ds.SVMProblem(_std(X), y, C=1.0)
    rep = ds.solve_primal(p, form="representer")
    slack = ds.solve_primal(p)
    assert rep.success and slack.success
    assert np.linalg.norm(rep.w - slack.w) <= rep.radius + slack.radius
    assert rep.extras["beta"].shape == (p.n,)


@pytest.mark.parametrize("form", ["kernel", "", None, 1])
def test_bad_form_is_named(form):
    p = _problem("moons", n=30, kernel="rbf")
    with pytest.raises(ds.DualSVMError, match=r"form must be one of \['slack', 'representer'\], got"):
        ds.solve_primal(p, form=form)


def test_default_form_is_unchanged():
    p = _problem("moons", n=60, kernel="rbf")
    s = ds.solve_primal(p)
    assert s.extras["form"] == "slack" and "beta" not in s.extras
