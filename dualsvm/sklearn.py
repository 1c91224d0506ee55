"""scikit-learn integration: a certified estimator, and certificates for scikit-learn's own linear models.

* :class:`DualSVC` is a binary scikit-learn classifier that solves dualsvm's
  problem with any of its methods and keeps the certificate.
* :func:`certify_estimator` certifies a fitted ``SVC(kernel="linear")``,
  ``LinearSVC``, ``SGDClassifier(loss="hinge")`` or ``LogisticRegression``
  against the standard soft-margin SVM with the matched C, and says which
  problem the estimator actually solved (:mod:`dualsvm.conventions`).

scikit-learn is needed only for this module (the ``test`` extra installs it).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .comparison import METHODS
from .conventions import C_from_sgd_alpha
from .dual import solve_dual
from .dual_point import certify
from .exceptions import ConvergenceWarning, DualSVMError
from .problem import SVMProblem
from .solution import Solution

#: Sparse formats DualSVC.decision_function takes as they are (others are converted to CSR by scikit-learn).
_SPARSE = ("csr", "csc", "coo")

__all__ = ["DualSVC", "certify_estimator", "EstimatorReport"]

_METHODS = {k: METHODS[k] for k in ("ipm", "primal", "dual", "subgradient")}


class DualSVC(ClassifierMixin, BaseEstimator):
    r"""Binary SVM (hinge loss, unregularized intercept), linear or kernel, with a certificate of optimality.

    With the labels mapped to :math:`y_i \in \{-1, +1\}` (``classes_[1]`` is +1), it solves

    .. math::

       \min_{w, b}\; P(w, b) = \tfrac12\|w\|^2 + \sum_{i=1}^n C_i \max\bigl(0,\, 1 - y_i(w^\top x_i + b)\bigr),
       \qquad C_i = C\, s_i\, c_{y_i},

    with :math:`s` the ``sample_weight`` of :meth:`fit` (default 1) and :math:`c` the
    ``class_weight`` (default 1), the same problem as ``SVC(kernel="linear")``. The dual is

    .. math::

       \max_\alpha\; \sum_i \alpha_i - \tfrac12\Bigl\|\sum_i \alpha_i y_i x_i\Bigr\|^2
       \quad\text{s.t. } 0 \le \alpha_i \le C_i,\; y^\top\alpha = 0,

    and ``certificate_`` bounds the answer's suboptimality
    :math:`P(w, b) - P^*` and its distance :math:`\|w - w^*\| \le \sqrt{2\bar G}`
    to the optimum (:class:`dualsvm.Solution`). With a ``kernel``, :math:`x_i` is replaced by
    the feature map of the kernel (``proofs/T14``).

    Parameters
    ----------
    C : float, default 1.0
        The penalty C, finite and > 0.
    method : {"ipm", "dual", "primal", "subgradient"}, default "ipm"
        The solver: ``dualsvm.solve_ipm`` (interior point with an exact finish,
        the fastest exact method), ``solve_dual``, ``solve_primal`` or ``solve_subgradient``.
    tol : float, optional
        Target relative duality gap; default 1e-8 for the QP methods and
        1e-4 for "subgradient".
    max_iter : int, optional
        Only for "subgradient" (default 200 000).
    class_weight : dict or "balanced", optional
        Per-class multipliers of C, keyed by label, or ``"balanced"`` =
        n / (2 · count of the class), as in ``SVC``: the costs are
        :math:`C_i = C s_i c_{y_i}` with ``sample_weight`` :math:`s` from :meth:`fit`.
    kernel : {"linear", "rbf", "poly", "sigmoid", "precomputed"} or callable, default "linear"
        The kernel, as ``SVC``.
    gamma : "scale", "auto" or float, default "scale"
        Of rbf, poly and sigmoid, as ``SVC``.
    degree : int, default 3
        Of poly.
    coef0 : float, default 0.0
        Of poly and sigmoid. All four as ``SVC`` (:class:`dualsvm.SVMProblem`). A kernel is solved as the linear SVM on
        a pivoted Cholesky factor; :meth:`decision_function` evaluates the certified
        function on new points through the Nyström map (``proofs/T14``).

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
        :math:`w`; only for ``kernel="linear"`` (as ``SVC``).
    kernel_factor_ : KernelFactor or None
        The kernel, its pivots and residual (None for ``"linear"``).
    intercept_ : ndarray of shape (1,)
        :math:`b`.
    classes_ : ndarray of shape (2,)
        The labels; ``classes_[1]`` is the +1 class.
    support_ : ndarray of shape (n_SV,)
        Indices of the support vectors, grouped by class as in ``SVC``: the
        certified ``margin_support`` and ``bound_support`` of ``certificate_``.
    support_vectors_ : ndarray or scipy.sparse CSR of shape (n_SV, n_features)
        ``X[support_]``; sparse (CSR) when ``X`` was sparse, as ``SVC``.
    n_support_ : ndarray of shape (2,)
        Number of support vectors of ``classes_[0]`` and of ``classes_[1]``.
    dual_coef_ : ndarray of shape (1, n_SV)
        :math:`y_i\alpha_i` on the support, in ``support_`` order (SVC's layout). Nonzero
        :math:`\alpha_i` off ``support_`` (undecided points, a loose solver's small values) are not
        exported, so :math:`\sum_j` ``dual_coef_`` :math:`_j\,k(` ``support_vectors_`` :math:`_j, x) +`
        ``intercept_`` is the dual expansion :math:`f_\alpha` only where :math:`\alpha` vanishes off
        ``support_``. ``decision_function`` evaluates the Nyström map instead; to certify
        :math:`f_\alpha` with every nonzero :math:`\alpha_i`, see :func:`dualsvm.kernels.certify_expansion`.
    n_iter_ : int
        The solver's iteration count.
    certificate_ : Solution
        The full certificate: gap, radius, b interval, KKT residuals.

    Notes
    -----
    Binary only: more than two classes raise ``ValueError`` (use
    ``sklearn.multiclass.OneVsRestClassifier(DualSVC())`` for one-vs-rest).
    A missed target is reported by ``certificate_.status`` and a
    :class:`dualsvm.ConvergenceWarning`.
    """

    def __init__(self, *, C: float = 1.0, method: str = "ipm", tol: float | None = None, max_iter: int | None = None,
                 class_weight: dict[Any, float] | str | None = None, kernel: Any = "linear", gamma: Any = "scale",
                 degree: int = 3, coef0: float = 0.0):
        self.C = C
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.method = method
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.sparse = True  # scipy.sparse X is solved sparse (issue 13)
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> DualSVC:
        r"""Solve the SVM on (X, y) with ``method`` and store the certificate.

        ``sample_weight`` (finite, >= 0) multiplies each point's C, as in ``SVC``;
        an integer weight k is the same as the row repeated k times.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix of shape (n_samples, n_features)
            Training features. Sparse X (any format, converted to CSR) is
            solved sparse, never densified (with a kernel it is densified for
            the kernel, as in :class:`~dualsvm.SVMProblem`).
        y : array_like of shape (n_samples,)
            Exactly two classes.
        sample_weight : array_like of shape (n_samples,), optional
            Weights :math:`s_i \ge 0` in :math:`C_i = C\, s_i\, c_{y_i}`. Default: all 1.

        Returns
        -------
        DualSVC
            This estimator, fitted.

        Raises
        ------
        ValueError
            For an unknown ``method``, or a target that is not binary.
        """
        if self.method not in _METHODS:
            raise ValueError(f"method must be one of {sorted(_METHODS)}, got {self.method!r}")
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_min_samples=2, accept_sparse="csr")
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        classes = np.unique(y)
        if y_type != "binary" or classes.size != 2:
            raise ValueError(
                f"Only binary classification is supported. The type of the target is {y_type} "
                f"with {classes.size} class(es): {classes[:5].tolist()}. "
                "Use OneVsRestClassifier(DualSVC()) for more than two classes."
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        problem = SVMProblem(X, y, C=self.C, sample_weight=sample_weight, class_weight=self.class_weight,
                             kernel=self.kernel, gamma=self.gamma, degree=self.degree, coef0=self.coef0)
        kw: dict[str, Any] = {}
        if self.method == "subgradient":
            if self.tol is not None:
                kw["target_gap"] = self.tol
            if self.max_iter is not None:
                kw["max_iter"] = self.max_iter
        elif self.tol is not None:
            kw["target_gap"] = self.tol
        sol = _METHODS[self.method](problem, **kw)
        self.classes_ = problem.classes
        self.certificate_ = sol
        self.kernel_factor_ = problem.kernel_factor
        if problem.kernel_factor is None:
            self.coef_ = sol.w.reshape(1, -1)
        elif hasattr(self, "coef_"):
            del self.coef_  # a refit with a kernel: no coef_, as SVC
        self.intercept_ = np.array([sol.b])
        sup = sol.support
        order = np.lexsort((sup, problem.y[sup] > 0))  # class -1 first, as SVC
        self.support_ = sup[order].astype(np.int32)
        self.support_vectors_ = X[self.support_]  # CSR rows for sparse X
        self.n_support_ = np.array([np.count_nonzero(problem.y[self.support_] < 0),
                                    np.count_nonzero(problem.y[self.support_] > 0)], dtype=np.int32)
        self.dual_coef_ = (problem.y * sol.alpha)[self.support_].reshape(1, -1)
        self.n_iter_ = sol.iterations
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        r"""The decision function :math:`f(x) = w^\top x + b` (with a kernel, :math:`\varphi(x)^\top w + b`,
        the Nyström map); positive means ``classes_[1]``.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix of shape (m, n_features)
            Points to evaluate (sparse: a sparse product; with a kernel, made dense).

        Returns
        -------
        ndarray of shape (m,)
            :math:`f(x_j)` for each row.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False, accept_sparse=_SPARSE)
        if self.kernel_factor_ is not None:
            X = X.toarray() if sp.issparse(X) else X  # the kernel columns are dense
            return self.kernel_factor_.decision_function(self.certificate_.w, self.intercept_[0], X)
        return np.asarray(X @ self.coef_[0]).reshape(-1) + self.intercept_[0]

    def predict(self, X: Any) -> np.ndarray:
        r"""Predicted labels: ``classes_[1]`` where :math:`f(x) = w^\top x + b > 0`, else ``classes_[0]``.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix of shape (m, n_features)
            Points to classify.

        Returns
        -------
        ndarray of shape (m,)
            One of ``classes_`` per row.
        """
        f = self.decision_function(X)
        return self.classes_[(f > 0).astype(int)]


@dataclass(repr=False)
class EstimatorReport:
    """What :func:`certify_estimator` found.

    ``repr`` is one line (verdict, certified gap, distance, bound); :meth:`to_dict`
    has everything, including both certificates.

    Attributes
    ----------
    estimator : str
        The estimator's class name.
    problem_solved : str
        The problem the estimator actually minimises, in dualsvm's terms.
    C : float
        dualsvm's C matched to the estimator's parameters. For ``SGDClassifier``
        it is 1/(n alpha) rounded to 12 significant digits, which removes the
        floating-point noise of the conversion (1/(49 * (1/49)) = 1.0000000000000002).
    kernel : dict or None
        For a kernel ``SVC``: libsvm's function certified in the RKHS
        (:func:`dualsvm.kernels.expansion_certificate`, against the lower bound
        :func:`dualsvm.kernels.dual_lower_bound` of the reference's alpha: both read the
        exact Gram, so the gap is rigorous in floating point): ``primal_objective``,
        ``duality_gap``, ``radius`` (bound on :math:`\\|f - f^*\\|_{\\mathcal H}`); then
        ``distance`` is :math:`\\|f - f_{ref}\\|_{\\mathcal H}` and ``certificate`` is None.
    certified : bool
        False when the estimator minimises another loss (LogisticRegression):
        no certificate against the SVM is meaningful then.
    certificate : Solution or None
        The estimator's ``(coef_, intercept_)`` certified against the SVM with C.
        Its ``support``/``alpha`` are the support vectors and coefficients the
        answer implies (reconstructed for LinearSVC and SGDClassifier).
    reference : Solution
        dualsvm's own certified optimum of the same problem.
    distance : float
        :math:`\\|w - w^*_{ref}\\|`, with ``certificate.radius + reference.radius`` as bound.
    verdict : str
        One phrase: "near-optimal", "approximately optimal", "NOT optimal" (with
        both objectives) or "a different loss"; the numbers are in the other fields.
    """

    estimator: str
    problem_solved: str
    C: float
    certified: bool
    certificate: Solution | None
    reference: Solution
    distance: float
    verdict: str
    kernel: dict[str, Any] | None = None

    @property
    def relative_gap(self) -> float | None:
        """The estimator's certified relative gap for the SVM (None when not certified)."""
        if self.kernel is not None:
            return self.kernel["duality_gap"] / max(1.0, abs(self.kernel["primal_objective"]))
        return None if self.certificate is None else self.certificate.relative_gap

    @property
    def bound(self) -> float | None:
        """Certified bound on :attr:`distance`: ``certificate.radius + reference.radius`` (None when not certified)."""
        if self.kernel is not None:
            return self.kernel["radius"] + self.reference.radius
        return None if self.certificate is None else self.certificate.radius + self.reference.radius

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python report for JSON, with both certificates in full (:meth:`Solution.to_dict`).

        Returns
        -------
        dict of str to object
            The fields, ``bound``, ``relative_gap``, the radius and support size of the
            estimator's certificate (``None`` when not certified) and both certificates as dicts.
        """
        c = self.certificate
        return {
            "estimator": self.estimator, "problem_solved": self.problem_solved, "C": self.C,
            "certified": self.certified, "distance": self.distance, "bound": self.bound, "verdict": self.verdict,
            "relative_gap": self.relative_gap, "radius": None if c is None else c.radius,
            "n_support": None if c is None else int(c.support.size),
            "kernel": None if self.kernel is None else {k: v for k, v in self.kernel.items() if k != "decision"},
            "certificate": None if c is None else c.to_dict(), "reference": self.reference.to_dict(),
        }

    def __repr__(self) -> str:
        if self.kernel is not None:
            numbers = f"relative gap {self.relative_gap:.1e}, |f - f*|_H = {self.distance:.3g} <= {self.bound:.3g}"
        elif self.certificate is None:
            numbers = f"no certificate, |w - w*| = {self.distance:.3g}"
        else:
            numbers = f"relative gap {self.relative_gap:.1e}, |w - w*| = {self.distance:.3g} <= {self.bound:.3g}"
        return f"EstimatorReport({self.estimator}, C={self.C:.12g}: {self.verdict}; {numbers})"


def _describe(est: Any, n: int) -> tuple[str, float, bool]:
    name = type(est).__name__
    p = est.get_params()
    if name == "SVC":
        if p["kernel"] not in ("linear", "rbf", "poly", "sigmoid", "precomputed"):
            raise DualSVMError(f"SVC's kernel must be a named kernel, got kernel={p['kernel']!r}")
        if p["kernel"] != "linear":
            return (f"the same problem with kernel={p['kernel']!r} (hinge loss, unregularized intercept; libsvm)",
                    float(p["C"]), True)
        return "the same problem (hinge loss, unregularized intercept; libsvm)", float(p["C"]), True
    if name == "LinearSVC":
        loss = "squared hinge" if p["loss"] == "squared_hinge" else "hinge"
        s = p["intercept_scaling"]
        bias = (f"a regularized intercept (penalty b^2/(2 s^2), s = intercept_scaling = {s:g})"
                if p["fit_intercept"] else "no intercept")
        return f"{loss} loss with {bias}; liblinear", float(p["C"]), True
    if name == "SGDClassifier":
        if p["loss"] != "hinge" or p["penalty"] != "l2":
            raise DualSVMError(
                f"SGDClassifier must have loss='hinge', penalty='l2', got loss={p['loss']!r}, penalty={p['penalty']!r}")
        C = float(f"{C_from_sgd_alpha(p['alpha'], n):.12g}")  # 1/(n alpha) carries 1e-16 noise
        text = f"the same problem scaled by 1/(nC): alpha = {p['alpha']:g} = 1/(nC) gives C = {C:g}; stochastic, inexact"
        return text, C, True
    if name == "LogisticRegression":
        return ("logistic loss ln(1 + e^{-m}) with an L2 penalty (intercept unpenalized in lbfgs): "
                "a different loss, not certified against the SVM"), float(p["C"]), False
    raise DualSVMError(
        "estimator must be a fitted SVC, LinearSVC, SGDClassifier(loss='hinge') "
        f"or LogisticRegression, got {name}"
    )


def certify_estimator(
    estimator: Any, X: Any, y: Any, *, sample_weight: Any = None, near_optimal: float = 1e-6
) -> EstimatorReport:
    r"""Certify a fitted scikit-learn linear classifier against dualsvm's SVM with the matched C.

    The estimator's :math:`(w, b)` = ``(coef_, intercept_)`` is certified, as it is,
    for the standard soft-margin SVM

    .. math:: P(w, b) = \tfrac12\|w\|^2 + \sum_i C_i \max\bigl(0,\, 1 - y_i(w^\top x_i + b)\bigr),
       \qquad C_i = C\, s_i\, c_{y_i},

    with C matched to the estimator's parameters (:mod:`dualsvm.conventions`;
    :math:`C = 1/(n\alpha)` for ``SGDClassifier``). What is certified, in exact arithmetic:

    .. math::

       \bar G \ge P(w, b) - P^*, \qquad
       \|w - w^*\| \le r = \sqrt{2\bar G}, \qquad
       \|w - w^*_{ref}\| \le r + r_{ref},

    where :math:`\bar G` is the certified duality gap of :math:`(w, b)`, :math:`w^*` the
    optimum, and :math:`w^*_{ref}` dualsvm's own certified answer with radius
    :math:`r_{ref}` (``distance`` and ``bound`` of the report). The verdict reads the
    relative gap :math:`\bar G/\max(1, |P|)`.

    Parameters
    ----------
    estimator : estimator object
        A fitted ``SVC(kernel="linear")``, ``LinearSVC``, ``SGDClassifier(loss="hinge")``
        or ``LogisticRegression``, binary.
    X : array_like or scipy.sparse matrix of shape (n, d)
        The training features the estimator was fitted on (sparse stays sparse:
        the reference is solved on the sparse problem).
    y : array_like of shape (n,)
        The training labels it was fitted on.
    sample_weight : array_like of shape (n,), optional
        The ``sample_weight`` passed to the estimator's ``fit``; its
        ``class_weight`` parameter is read from the estimator. Both multiply
        each point's C, as in libsvm and liblinear.
    near_optimal : float, default 1e-6
        Relative gap under which the verdict says "near-optimal"; up to 1e-3
        it says "approximately optimal", above that "NOT optimal".

    Returns
    -------
    EstimatorReport
        The problem the estimator solved, the matched C, its certificate (``None``
        for LogisticRegression, which minimises another loss), dualsvm's reference
        answer, the distance between the two and the verdict.

    Raises
    ------
    DualSVMError
        For another estimator, a non-linear SVC, an SGDClassifier with another
        loss or penalty, or a multi-class estimator.
    """
    check_is_fitted(estimator)
    problem_text, C, certifiable = _describe(estimator, X.shape[0] if sp.issparse(X) else np.asarray(X).shape[0])
    class_weight = estimator.get_params().get("class_weight")
    if type(estimator).__name__ == "SVC" and estimator.get_params()["kernel"] != "linear":
        return _certify_kernel_svc(estimator, X, y, C, problem_text, sample_weight, class_weight, near_optimal)
    problem = SVMProblem(X, y, C=C, sample_weight=sample_weight, class_weight=class_weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = solve_dual(problem)
    coef_ = estimator.coef_
    coef = np.asarray(coef_.toarray() if sp.issparse(coef_) else coef_, dtype=float)  # SVC on sparse X: CSR
    if coef.shape[0] != 1:
        raise DualSVMError(f"estimator must be binary (coef_ with one row), got coef_ of shape {coef.shape}")
    w, b = coef[0], float(np.ravel(estimator.intercept_)[0]) if np.size(estimator.intercept_) else 0.0
    dist = float(np.linalg.norm(w - ref.w))
    name = type(estimator).__name__
    if not certifiable:
        verdict = (f"minimises a different loss; its distance to the SVM's w* "
                   f"(|w*| = {np.linalg.norm(ref.w):.3g}) says nothing about optimality")
        return EstimatorReport(name, problem_text, C, False, None, ref, dist, verdict)
    cert = certify(problem, w, b, method=name, target_gap=near_optimal)
    if cert.relative_gap <= near_optimal:
        verdict = "near-optimal for the SVM"
    elif cert.relative_gap <= 1e-3:
        verdict = "approximately optimal for the SVM (within solver tolerance)"
    else:
        verdict = (f"NOT optimal for the standard SVM: objective {cert.primal_objective:.6g} "
                   f"vs optimum {ref.primal_objective:.6g}")
    return EstimatorReport(name, problem_text, C, True, cert, ref, dist, verdict)


def _certify_kernel_svc(est: Any, X: Any, y: Any, C: float, problem_text: str, sample_weight: Any,
                        class_weight: Any, near_optimal: float) -> EstimatorReport:
    """A kernel SVC's function :math:`\\sum_j c_j k(x_{s_j}, \\cdot) + b`, certified in the RKHS (``proofs/T14``)."""
    from .ipm import solve_ipm
    from .kernels import dual_lower_bound, expansion_certificate

    p = est.get_params()
    gamma = getattr(est, "_gamma", p["gamma"])  # the value libsvm used ("scale" resolved at fit)
    problem = SVMProblem(X, y, C=C, sample_weight=sample_weight, class_weight=class_weight, kernel=p["kernel"],
                         gamma=gamma if p["kernel"] != "precomputed" else "scale", degree=p["degree"], coef0=p["coef0"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = solve_ipm(problem)
    dual_coef = est.dual_coef_.toarray() if sp.issparse(est.dual_coef_) else np.asarray(est.dual_coef_)  # sparse fit
    if dual_coef.shape[0] != 1:
        raise DualSVMError(f"estimator must be binary (dual_coef_ with one row), got shape {dual_coef.shape}")
    S, c, b = est.support_, np.asarray(dual_coef[0], dtype=float), float(est.intercept_[0])
    # libsvm's decision is sum_j dual_coef_j k(sv_j, x) + intercept with classes_[1] positive, as dualsvm's +1.
    # The lower bound on P*_K reads the exact Gram on the reference's support: rigorous in floating point,
    # where the factor's P - G is not (proofs/T14, "The computed factor").
    kc = expansion_certificate(problem, dual_lower_bound(problem, ref.alpha), S, c, b)
    f = problem.kernel_factor
    beta = np.linalg.solve(f.L_P.T, ref.w)  # the reference function: sum_j beta_j k(x_{p_j}, .)
    # ||f_SVC - f_ref||^2 = c'K_SS c - 2 beta'K_PS c + beta'K_PP beta, with K_PS c = (f_SVC - b) at the pivots
    K_PP = f.cross_kernel(f.X_train[f.pivots])  # k(x_P, x_P), r x r (rows of the Gram for "precomputed")
    d2 = kc["norm2"] - 2 * beta @ (kc["decision"][f.pivots] - b) + beta @ K_PP @ beta
    dist = float(np.sqrt(max(d2, 0.0)))
    rel = kc["duality_gap"] / max(1.0, abs(kc["primal_objective"]))
    if rel <= near_optimal:
        verdict = "near-optimal for the kernel SVM"
    elif rel <= 1e-3:
        verdict = "approximately optimal for the kernel SVM (within solver tolerance)"
    else:
        verdict = f"NOT optimal for the kernel SVM: objective {kc['primal_objective']:.6g} vs optimum {ref.primal_objective:.6g}"
    return EstimatorReport("SVC", problem_text, C, True, None, ref, dist, verdict, kernel=kc)
