r"""Margin losses as functions of the margin :math:`z = y f`, each with its (sub)derivative.

=================  ==============================================  ==========================================
name               loss                                            (sub)derivative in z
=================  ==============================================  ==========================================
``hinge``          :math:`\max(0, 1 - z) = \mathrm{ReLU}(1 - z)`   :math:`-1` for :math:`z < 1`, else 0
``squared_hinge``  :math:`\max(0, 1 - z)^2`                        :math:`-2\max(0, 1 - z)`
``logistic``       :math:`\ln(1 + e^{-z})`                         :math:`-\sigma(-z)`
``zero_one``       :math:`[z \le 0]`                               0 (almost everywhere)
=================  ==============================================  ==========================================

At the hinge's kink :math:`z = 1` the subdifferential is :math:`[-1, 0]`
(``proofs/T01``); :func:`hinge_grad` returns 0 there. The logistic loss is
computed as ``logaddexp(0, -z)`` and its derivative with ``scipy.special.expit``,
so neither overflows nor returns NaN for :math:`|z|` up to the float range
(``proofs/T02``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

__all__ = ["hinge", "hinge_grad", "squared_hinge", "squared_hinge_grad", "logistic", "logistic_grad",
           "zero_one", "zero_one_grad", "LOSSES"]

Array = NDArray[np.float64]


def _z(z: ArrayLike) -> Array:
    return np.asarray(z, dtype=np.float64)


def hinge(z: ArrayLike) -> Array:
    r"""Hinge loss, the ReLU of :math:`1 - z`.

    .. math:: \ell(z) = \max(0, 1 - z) = \mathrm{ReLU}(1 - z).

    Parameters
    ----------
    z : array_like
        Margins :math:`z_i = y_i f(x_i)`.

    Returns
    -------
    ndarray of float64, same shape as z
        :math:`\max(0, 1 - z)`, elementwise.
    """
    return np.maximum(0.0, 1.0 - _z(z))


def hinge_grad(z: ArrayLike) -> Array:
    r"""A subgradient of the hinge loss, 0 at the kink.

    .. math:: g(z) = \begin{cases} -1 & z < 1 \\ 0 & z \ge 1 \end{cases}
       \;\in\; \partial \max(0, 1 - z),

    where the subdifferential at :math:`z = 1` is :math:`[-1, 0]` (``proofs/T01``).

    Parameters
    ----------
    z : array_like
        Margins :math:`z_i = y_i f(x_i)`.

    Returns
    -------
    ndarray of float64, same shape as z
        :math:`-1` where :math:`z < 1`, else 0.
    """
    return np.where(_z(z) < 1.0, -1.0, 0.0)


def squared_hinge(z: ArrayLike) -> Array:
    r"""Squared hinge loss, LinearSVC's default.

    .. math:: \ell(z) = \max(0, 1 - z)^2.

    Parameters
    ----------
    z : array_like
        Margins :math:`z_i = y_i f(x_i)`.

    Returns
    -------
    ndarray of float64, same shape as z
        :math:`\max(0, 1 - z)^2`, elementwise.
    """
    return np.maximum(0.0, 1.0 - _z(z)) ** 2


def squared_hinge_grad(z: ArrayLike) -> Array:
    r"""Derivative of the squared hinge loss (it is differentiable everywhere).

    .. math:: \ell'(z) = -2\max(0, 1 - z).

    Parameters
    ----------
    z : array_like
        Margins :math:`z_i = y_i f(x_i)`.

    Returns
    -------
    ndarray of float64, same shape as z
        :math:`-2\max(0, 1 - z)`, elementwise.
    """
    return -2.0 * np.maximum(0.0, 1.0 - _z(z))


def logistic(z: ArrayLike) -> Array:
    r"""Logistic loss, computed without overflow as ``logaddexp(0, -z)``.

    .. math:: \ell(z) = \ln(1 + e^{-z}) = -\ln\sigma(z), \qquad \sigma(t) = 1/(1 + e^{-t}).

    Parameters
    ----------
    z : array_like
        Margins :math:`z_i = y_i f(x_i)`.

    Returns
    -------
    ndarray of float64, same shape as z
        :math:`\ln(1 + e^{-z})`, elementwise; finite for every finite z (``proofs/T02``).
    """
    return np.logaddexp(0.0, -_z(z))


def logistic_grad(z: ArrayLike) -> Array:
    r"""Derivative of the logistic loss, computed with ``scipy.special.expit``.

    .. math:: \ell'(z) = -\sigma(-z) = -\frac{1}{1 + e^{z}}.

    Parameters
    ----------
    z : array_like
        Margins :math:`z_i = y_i f(x_i)`.

    Returns
    -------
    ndarray of float64, same shape as z
        :math:`-\sigma(-z)`, elementwise, in :math:`[-1, 0]`; never NaN (``proofs/T02``).
    """
    return -expit(-_z(z))


def zero_one(z: ArrayLike) -> Array:
    r"""Zero-one loss: a misclassification, a tie counting as an error.

    .. math:: \ell(z) = [z \le 0] = \begin{cases} 1 & z \le 0 \\ 0 & z > 0 \end{cases}

    Parameters
    ----------
    z : array_like
        Margins :math:`z_i = y_i f(x_i)`.

    Returns
    -------
    ndarray of float64, same shape as z
        1.0 where :math:`z \le 0`, else 0.0.
    """
    return (_z(z) <= 0.0).astype(np.float64)


def zero_one_grad(z: ArrayLike) -> Array:
    r"""Derivative of the zero-one loss: 0 almost everywhere, so descent has nothing to follow.

    .. math:: \ell'(z) = 0 \quad (z \ne 0);

    at :math:`z = 0` the loss jumps and has no derivative; 0 is returned there too.

    Parameters
    ----------
    z : array_like
        Margins :math:`z_i = y_i f(x_i)`.

    Returns
    -------
    ndarray of float64, same shape as z
        Zeros.
    """
    return np.zeros_like(_z(z))


#: name -> (loss, derivative)
LOSSES: dict[str, tuple[Callable[[ArrayLike], Array], Callable[[ArrayLike], Array]]] = {
    "hinge": (hinge, hinge_grad),
    "squared_hinge": (squared_hinge, squared_hinge_grad),
    "logistic": (logistic, logistic_grad),
    "zero_one": (zero_one, zero_one_grad),
}
