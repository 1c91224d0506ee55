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

import numbers

from .exceptions import DualSVMError
from .problem import check_C

__all__ = ["sgd_alpha_from_C", "C_from_sgd_alpha", "pegasos_lambda", "prml_lambda", "linearsvc_bias_penalty"]


def sgd_alpha_from_C(C: float, n: int) -> float:
    r"""The ``alpha`` of ``SGDClassifier(loss="hinge")`` that has dualsvm's minimisers for a given C.

    SGDClassifier minimises :math:`\frac\alpha2\|w\|^2 + \frac1n\sum_i \max(0, 1 - m_i)`, which is
    :math:`P(w, b)/(nC)` when

    .. math:: \alpha = \frac{1}{nC}.

    Parameters
    ----------
    C : float
        dualsvm's penalty, finite and > 0.
    n : int
        The number of training samples.

    Returns
    -------
    float
        :math:`1/(nC)`.

    Raises
    ------
    DualSVMError
        If C is not a finite number > 0.
    """
    return 1.0 / (_check_n(n) * check_C(C))


def C_from_sgd_alpha(alpha: float, n: int) -> float:
    r"""dualsvm's C with the minimisers of ``SGDClassifier(loss="hinge", alpha=alpha)``; the inverse map.

    .. math:: C = \frac{1}{n\alpha}.

    Parameters
    ----------
    alpha : float
        SGDClassifier's regularization strength, finite and > 0.
    n : int
        The number of training samples.

    Returns
    -------
    float
        :math:`1/(n\alpha)`.

    Raises
    ------
    DualSVMError
        If alpha is not a finite number > 0.
    """
    return 1.0 / (_check_n(n) * check_C(alpha, "alpha"))


def pegasos_lambda(C: float, n: int) -> float:
    r"""Pegasos' :math:`\lambda` for dualsvm's C (the same number as SGDClassifier's alpha).

    Pegasos minimises :math:`\frac\lambda2\|w\|^2 + \frac1n\sum_i \max(0, 1 - m_i)`
    (Shalev-Shwartz et al. 2011), which is :math:`P(w, b)/(nC)` when

    .. math:: \lambda = \frac{1}{nC}.

    Parameters
    ----------
    C : float
        dualsvm's penalty, finite and > 0.
    n : int
        The number of training samples.

    Returns
    -------
    float
        :math:`1/(nC)`.
    """
    return sgd_alpha_from_C(C, n)


def prml_lambda(C: float) -> float:
    r"""PRML's weight decay :math:`\lambda` for dualsvm's C (Bishop, PRML section 7.1.2).

    PRML minimises :math:`\sum_i \max(0, 1 - m_i) + \lambda\|w\|^2`, which is :math:`P(w, b)/C` when

    .. math:: \lambda = \frac{1}{2C}.

    Parameters
    ----------
    C : float
        dualsvm's penalty, finite and > 0.

    Returns
    -------
    float
        :math:`1/(2C)`.

    Raises
    ------
    DualSVMError
        If C is not a finite number > 0.
    """
    return 1.0 / (2.0 * check_C(C))


def linearsvc_bias_penalty(b: float, intercept_scaling: float) -> float:
    r"""What ``LinearSVC(intercept_scaling=s)`` adds to the objective for an intercept b.

    LinearSVC appends a constant feature :math:`s` and regularizes its weight :math:`b/s`
    with the rest of :math:`w`, so it pays

    .. math:: \frac12\Bigl(\frac{b}{s}\Bigr)^2,

    where dualsvm, whose bias is not regularized, pays nothing.

    Parameters
    ----------
    b : float
        The intercept.
    intercept_scaling : float
        LinearSVC's :math:`s`, finite and > 0 (a symbolic value, such as a
        sympy symbol, is passed through unchecked).

    Returns
    -------
    float
        :math:`b^2/(2s^2)`.
    """
    s = intercept_scaling
    # Numbers are checked; other objects (sympy symbols, for proofs/T00's symbolic check) pass through.
    if isinstance(s, (bool, str)) or (isinstance(s, numbers.Real) and not 0 < s < float("inf")):
        raise DualSVMError(f"intercept_scaling must be a finite number > 0, got {intercept_scaling!r}")
    return 0.5 * (b / s) ** 2


def _check_n(n: int) -> int:
    """The number of samples: an integer >= 1; else :class:`DualSVMError`."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise DualSVMError(f"n must be an integer >= 1 (the number of samples), got {n!r}")
    return int(n)
