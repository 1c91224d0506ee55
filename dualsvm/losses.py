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
    r""":math:`\max(0, 1 - z)`, the ReLU of :math:`1 - z`."""
    return np.maximum(0.0, 1.0 - _z(z))


def hinge_grad(z: ArrayLike) -> Array:
    """A subgradient of the hinge: -1 where z < 1, 0 where z >= 1."""
    return np.where(_z(z) < 1.0, -1.0, 0.0)


def squared_hinge(z: ArrayLike) -> Array:
    r""":math:`\max(0, 1 - z)^2` (LinearSVC's default loss)."""
    return np.maximum(0.0, 1.0 - _z(z)) ** 2


def squared_hinge_grad(z: ArrayLike) -> Array:
    r""":math:`-2\max(0, 1 - z)`."""
    return -2.0 * np.maximum(0.0, 1.0 - _z(z))


def logistic(z: ArrayLike) -> Array:
    r""":math:`\ln(1 + e^{-z}) = -\ln\sigma(z)`, computed stably."""
    return np.logaddexp(0.0, -_z(z))


def logistic_grad(z: ArrayLike) -> Array:
    r""":math:`-\sigma(-z) = -1/(1 + e^{z})`, computed stably."""
    return -expit(-_z(z))


def zero_one(z: ArrayLike) -> Array:
    r""":math:`[z \le 0]`: a misclassification (a tie counts as an error)."""
    return (_z(z) <= 0.0).astype(np.float64)


def zero_one_grad(z: ArrayLike) -> Array:
    """0 almost everywhere: the 0-1 loss gives descent nothing to follow."""
    return np.zeros_like(_z(z))


#: name -> (loss, derivative)
LOSSES: dict[str, tuple[Callable[[ArrayLike], Array], Callable[[ArrayLike], Array]]] = {
    "hinge": (hinge, hinge_grad),
    "squared_hinge": (squared_hinge, squared_hinge_grad),
    "logistic": (logistic, logistic_grad),
    "zero_one": (zero_one, zero_one_grad),
}
