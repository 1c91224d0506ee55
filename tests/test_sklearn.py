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


@parametrize_with_checks([DualSVC(method=m) for m in ("ipm", "primal", "dual", "subgradient")])
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
    with pytest.raises(ValueError, match="SVC's kernel must be a named kernel, got kernel=<function"):
        certify_estimator(SVC(kernel=lambda A, B: A @ B.T).fit(X, y), X, y)  # kernel SVCs: tests/test_kernels.py


def test_certify_takes_sklearn_coef_and_intercept_as_is():
    """certify(problem, svc.coef_[0], svc.intercept_) and certify(problem, svc.coef_, svc.intercept_) both work."""
    import dualsvm as ds

    X, y = make_overlapping(80, 3, seed=5)
    problem = ds.SVMProblem(X, y, C=1.0)
    svc = SVC(kernel="linear", C=1.0, tol=1e-10).fit(X, y)
    assert svc.coef_.shape == (1, 3) and svc.intercept_.shape == (1,)
    flat = ds.certify(problem, svc.coef_[0], svc.intercept_)
    row = ds.certify(problem, svc.coef_, svc.intercept_)
    assert flat.b == row.b == pytest.approx(float(svc.intercept_[0]))
    np.testing.assert_array_equal(flat.w, svc.coef_[0])
    assert flat.relative_gap <= 1e-6 and row.primal_objective == flat.primal_objective
    assert problem.primal_objective(svc.coef_, svc.intercept_) == pytest.approx(flat.primal_objective)


@pytest.mark.parametrize(
    ("w", "b", "match"),
    [
        (np.ones(2), 0.0, r"w must have 3 entries \(n_features\).*got shape \(2,\)"),
        (np.ones((3, 1)), 0.0, r"w must have 3 entries.*got shape \(3, 1\)"),
        (np.ones((2, 3)), 0.0, r"got shape \(2, 3\)"),
        (np.ones(3), np.array([1.0, 2.0]), r"b must be a number or an array with one entry.*got shape \(2,\)"),
        (np.ones(3), "0.5", r"b must hold real numbers, got '0.5' of type str"),
        (np.ones(3), None, r"b must hold real numbers, got None"),
        (["a", "b", "c"], 0.0, r"w must hold real numbers, got \['a', 'b', 'c'\]"),
        (np.ones(3), np.array([np.nan]), r"b must be finite, got nan"),
        (np.array([1.0, np.inf, 0.0]), 0.0, r"w must be finite, got 1 NaN or infinite"),
        (np.ones(3), 1 + 2j, r"b must hold real numbers, got \(1\+2j\) of type complex"),
    ],
)
def test_certify_rejects_bad_w_b_by_name(w, b, match):
    import dualsvm as ds

    X, y = make_overlapping(20, 3, seed=0)
    with pytest.raises(ds.DualSVMError, match=match):
        ds.certify(ds.SVMProblem(X, y), w, b)


def test_estimator_report_repr_is_one_short_line_and_to_dict_has_the_rest():
    import json

    X, y = make_overlapping(49, 3, seed=3)
    n = X.shape[0]
    alpha = sgd_alpha_from_C(1.0, n)
    assert 1.0 / (n * alpha) == 1.0000000000000002  # the raw conversion is noisy for n = 49 ...
    sgd = SGDClassifier(loss="hinge", alpha=alpha, max_iter=50, tol=None, random_state=0).fit(X, y)
    rep = certify_estimator(sgd, X, y)
    assert rep.C == 1.0  # ... the report is not
    text = repr(rep)
    assert text.startswith("EstimatorReport(SGDClassifier, C=1: ") and "\n" not in text and len(text) < 200, text
    for part in (rep.verdict, f"relative gap {rep.relative_gap:.1e}", f"|w - w*| = {rep.distance:.3g}", f"<= {rep.bound:.3g}"):
        assert part in text
    assert "primal_objective" not in text and "b_interval" not in text  # no nested certificate dump
    d = json.loads(json.dumps(rep.to_dict()))
    assert d["certificate"]["w"] == rep.certificate.w.tolist() and d["certificate"]["method"] == "SGDClassifier"
    assert d["reference"]["relative_gap"] <= 1e-8 and d["C"] == 1.0
    assert d["bound"] == rep.certificate.radius + rep.reference.radius >= rep.distance
    lr = certify_estimator(LogisticRegression().fit(X, y), X, y)
    assert "no certificate" in repr(lr) and lr.bound is None and lr.to_dict()["certificate"] is None


def test_dualsvc_from_the_top_level_is_lazy():
    """`import dualsvm` does not import scikit-learn; `from dualsvm import DualSVC` then does (one fresh interpreter)."""
    import subprocess
    import sys

    code = (
        "import sys, dualsvm\n"
        "assert 'sklearn' not in sys.modules, sorted(m for m in sys.modules if m.startswith('sklearn'))[:3]\n"
        "sys.modules['sklearn'] = None  # as if scikit-learn were not installed\n"
        "try:\n"
        "    from dualsvm import DualSVC\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
        "del sys.modules['sklearn']\n"
        "from dualsvm import DualSVC, certify_estimator\n"
        "import dualsvm.sklearn as sk\n"
        "assert DualSVC is sk.DualSVC and certify_estimator is sk.certify_estimator and 'sklearn' in sys.modules\n"
        "assert 'DualSVC' in dir(dualsvm)\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "dualsvm.DualSVC needs scikit-learn: pip install 'dualsvm[sklearn]'\nok\n"
    import dualsvm

    with pytest.raises(AttributeError, match="has no attribute 'DualSVM'"):
        dualsvm.DualSVM  # noqa: B018
