r"""The regularization conventions, in one place (``proofs/T00``).

dualsvm's problem is :math:`P(w,b) = \frac12\|w\|^2 + C\sum_i \mathrm{hinge}(m_i)`
with an unregularized bias. Other tools scale it differently:

==========================================  ==========================================================  =========================
tool / text                                 objective                                                   parameter from C
==========================================  ==========================================================  =========================
``sklearn.svm.SVC(kernel="linear", C)``     same as dualsvm (libsvm)                                    C
Pegasos (Shalev-Shwartz et al. 2011)        :math:`\frac\lambda2\|w\|^2 + \frac1n\sum\mathrm{hinge}`    :math:`\lambda = 1/(nC)`
``SGDClassifier(loss="hinge", alpha)``      :math:`\frac\alpha2\|w\|^2 + \frac1n\sum\mathrm{hinge}`     :math:`\alpha = 1/(nC)`
Bishop, PRML §7.1.2                         :math:`\sum\mathrm{hinge} + \lambda\|w\|^2`                 :math:`\lambda = 1/(2C)`
``LinearSVC(C, intercept_scaling=s)``       squared hinge by default, and the bias is a                 C, with a penalty
                                            weight on a constant feature s, so it pays                  :math:`b^2/(2s^2)` on b
                                            :math:`\frac12 (b/s)^2`
==========================================  ==========================================================  =========================

Each map divides :math:`P` by a positive constant, so minimisers are shared.
``LinearSVC`` solves a different problem unless ``loss="hinge"`` and
:math:`s \to \infty`; :func:`dualsvm.sklearn.certify_estimator` measures how far.
"""

from __future__ import annotations

from .problem import check_C

__all__ = ["sgd_alpha_from_C", "C_from_sgd_alpha", "pegasos_lambda", "prml_lambda", "linearsvc_bias_penalty"]


def sgd_alpha_from_C(C: float, n: int) -> float:
    """``SGDClassifier(alpha=...)`` matching dualsvm's C on n samples: 1/(nC)."""
    return 1.0 / (int(n) * check_C(C))


def C_from_sgd_alpha(alpha: float, n: int) -> float:
    """dualsvm's C matching ``SGDClassifier(alpha)`` on n samples: 1/(n alpha)."""
    return 1.0 / (int(n) * check_C(alpha, "alpha"))


def pegasos_lambda(C: float, n: int) -> float:
    """Pegasos' lambda: 1/(nC) (the same number as SGDClassifier's alpha)."""
    return sgd_alpha_from_C(C, n)


def prml_lambda(C: float) -> float:
    r"""PRML's weight decay :math:`\lambda` for :math:`\sum\mathrm{hinge} + \lambda\|w\|^2`: :math:`1/(2C)`."""
    return 1.0 / (2.0 * check_C(C))


def linearsvc_bias_penalty(b: float, intercept_scaling: float) -> float:
    """What LinearSVC adds to the objective for an intercept b: (b / s)^2 / 2."""
    return 0.5 * (b / intercept_scaling) ** 2
