"""scikit-learn integration: DualSVC passes the estimator suite; certify_estimator judges sklearn's models (issue 7)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.linear_model import LogisticRegression, SGDClassifier  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC, LinearSVC  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from dualsvm import ConvergenceWarning  # noqa: E402
from dualsvm.conventions import sgd_alpha_from_C  # noqa: E402
from dualsvm.datasets import make_overlapping  # noqa: E402
from dualsvm.sklearn import DualSVC, certify_estimator  # noqa: E402


@parametrize_with_checks([DualSVC(method=m) for m in ("primal", "dual", "subgradient")])
def test_sklearn_estimator_suite(estimator, check):
    with warnings.catch_warnings():
        # the suite fits on data the subgradient method may not finish; its status says so
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def test_dualsvc_matches_svc():
    X, y = make_overlapping(150, 4, seed=21)
    ours = DualSVC(C=1.0).fit(X, y)
    svc = SVC(kernel="linear", C=1.0, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(ours.coef_, svc.coef_, rtol=1e-4)
    np.testing.assert_allclose(ours.intercept_, svc.intercept_, rtol=1e-4)
    np.testing.assert_array_equal(ours.support_, svc.support_)
    np.testing.assert_array_equal(ours.n_support_, svc.n_support_)
    np.testing.assert_allclose(ours.dual_coef_, svc.dual_coef_, atol=1e-5)
    assert ours.certificate_.relative_gap <= 1e-8 and ours.score(X, y) == svc.score(X, y)


def test_multiclass_is_a_clear_error():
    X = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(ValueError, match="Only binary classification is supported.*3 class"):
        DualSVC().fit(X, np.arange(30) % 3)
    with pytest.raises(ValueError, match="method must be one of"):
        DualSVC(method="newton").fit(X, np.arange(30) % 2)


def test_pipeline_and_grid_search():
    X, y = make_overlapping(120, 3, seed=2)
    pipe = make_pipeline(StandardScaler(), DualSVC())
    gs = GridSearchCV(pipe, {"dualsvc__C": [0.01, 1.0]}, cv=3).fit(X, y)
    assert gs.best_params_["dualsvc__C"] in (0.01, 1.0) and gs.score(X, y) > 0.6


def test_certify_estimator_verdicts():
    X, y = make_overlapping(300, 5, seed=4)
    X = X + 2.0  # an off-centre optimum (b* != 0), so an intercept penalty matters
    n, C = X.shape[0], 1.0
    svc_est = SVC(kernel="linear", C=C, tol=1e-8).fit(X, y)
    svc = certify_estimator(svc_est, X, y)
    assert svc.certified and svc.certificate.relative_gap <= 1e-6 and "near-optimal" in svc.verdict
    lin = certify_estimator(LinearSVC(C=C, tol=1e-8, max_iter=100_000).fit(X, y), X, y)
    assert lin.certificate.relative_gap > 1e-3 and "NOT optimal" in lin.verdict and "squared hinge" in lin.problem_solved
    assert lin.distance <= lin.certificate.radius + lin.reference.radius
    # with the hinge loss, LinearSVC approaches the SVM as intercept_scaling grows
    gaps = [certify_estimator(LinearSVC(C=C, loss="hinge", intercept_scaling=s, tol=1e-10, max_iter=1_000_000).fit(X, y), X, y)
            .certificate.relative_gap for s in (0.1, 1.0, 10.0)]
    assert gaps[0] > gaps[1] > gaps[2]
    # SGDClassifier: the gap shrinks with max_iter
    sgd_gaps = []
    for it in (5, 500):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sgd = SGDClassifier(loss="hinge", alpha=sgd_alpha_from_C(C, n), max_iter=it, tol=None, random_state=0).fit(X, y)
        rep = certify_estimator(sgd, X, y)
        assert rep.C == pytest.approx(C)
        sgd_gaps.append(rep.certificate.relative_gap)
    assert sgd_gaps[1] < sgd_gaps[0]
    lr = certify_estimator(LogisticRegression(C=C).fit(X, y), X, y)
    assert not lr.certified and lr.certificate is None and "different loss" in lr.verdict
    # LinearSVC stores no support vectors, and at a relative gap of 0.13 (certified radius ~8)
    # its certificate honestly decides no point at all.
    assert lin.certificate.alpha.shape == (n,) and lin.certificate.undecided.size == n
    # SVC, near-optimal, gets its support set back exactly where it is decided
    decided = np.setdiff1d(np.arange(n), svc.certificate.undecided)
    np.testing.assert_array_equal(np.intersect1d(svc.certificate.support, decided), np.intersect1d(svc_est.support_, decided))
    with pytest.raises(ValueError, match="kernel='linear'"):
        certify_estimator(SVC(kernel="rbf").fit(X, y), X, y)
