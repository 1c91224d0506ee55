r"""A one-layer network trained by plain unconstrained (sub)gradient descent, in numpy.

The output is :math:`f(x) = \mathrm{act}(w^\top x + b)` and training minimises

.. math::

    J(w, b) = \tfrac12\|w\|^2 + C\sum_i \ell(y_i, f(x_i)),

the weight decay matched to C so that ``activation="linear", loss="hinge"``
is exactly dualsvm's SVM objective :math:`P(w, b)` (``proofs/T00``). In the
mean-loss convention :math:`\frac1n\sum\ell + \frac\lambda2\|w\|^2` this is
:math:`\lambda = 1/(nC)`; in PRML's :math:`\sum\ell + \lambda\|w\|^2` it is
:math:`\lambda = 1/(2C)` (:mod:`dualsvm.conventions`).

Losses on the output, with labels :math:`y \in \{-1, +1\}` and the shifted
target :math:`t = (y + 1)/2 \in \{0, 1\}`:

* ``"hinge"``: :math:`\max(0, 1 - y f)`;
* ``"logistic"``: :math:`\ln(1 + e^{-y f})`;
* ``"cross_entropy"``: :math:`-[t\ln p + (1 - t)\ln(1 - p)]` with
  :math:`p = \sigma(w^\top x + b)` for a sigmoid output (then it *is* the
  logistic loss, ``proofs/T02``) and :math:`p = \mathrm{clip}(f, \epsilon, 1-\epsilon)`
  otherwise;
* ``"squared"``: :math:`(f - y)^2`.

Steps: smooth objectives (logistic, sigmoid + cross-entropy, squared error)
take the fixed step :math:`1/L` with :math:`L = 1 + C\kappa\|[X, 1]\|_2^2`
(:math:`\kappa` the loss curvature bound); non-smooth ones take
:math:`\eta_t = \eta_0/(t + 1)` with weighted averaging. The best iterate (by
:math:`J`) is returned. A ReLU unit can die: if its pre-activation is
negative on every example, every gradient is zero (``proofs/T11``); that is
reported, not hidden.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from .dual_point import certify
from .exceptions import ConvergenceWarning, DualSVMError
from .losses import hinge, hinge_grad, logistic, logistic_grad
from .problem import SVMProblem
from .solution import Solution

__all__ = ["train", "TrainResult", "ACTIVATIONS", "NET_LOSSES"]

ACTIVATIONS = ("linear", "relu", "sigmoid")
NET_LOSSES = ("hinge", "logistic", "cross_entropy", "squared")
_EPS = 1e-7
Array = NDArray[np.float64]


@dataclass
class TrainResult:
    r"""A trained one-layer network, :math:`f(x) = \mathrm{act}(w^\top x + b)`.

    Attributes
    ----------
    w : ndarray of shape (d,)
        The weights :math:`w`.
    b : float
        The bias :math:`b`.
    activation : str
        One of :data:`ACTIVATIONS`.
    loss : str
        One of :data:`NET_LOSSES`.
    C : float
        The penalty in :math:`J(w, b) = \tfrac12\|w\|^2 + C\sum_i \ell(y_i, f(x_i))`.
    objective : float
        :math:`J(w, b)` at the returned weights.
    history : ndarray
        :math:`J` at every iteration.
    n_iter : int
        Iterations run.
    converged : bool
        Smooth objectives: the gradient norm fell below ``tol``; non-smooth:
        always False (no stopping test exists for them); see ``certificate``.
    dead_at_init, dead_at_end : bool
        ReLU only: the pre-activation is <= 0 on every example (a dead unit).
    all_outputs_zero : bool
        Every output f(x_i) is 0 at the end (the unit predicts nothing).
    certificate : Solution or None
        For ``linear`` + ``hinge`` (the SVM objective itself): dualsvm's
        certificate of (w, b). None for any other model: it is not ours.
    classes : ndarray of shape (2,)
        The original labels; ``classes[1]`` is the +1 class.
    """

    w: Array
    b: float
    activation: str
    loss: str
    C: float
    objective: float
    history: Array
    n_iter: int
    converged: bool
    dead_at_init: bool
    dead_at_end: bool
    all_outputs_zero: bool
    certificate: Solution | None
    classes: NDArray[Any] = field(default_factory=lambda: np.array([-1, 1]))

    def output(self, X: ArrayLike) -> Array:
        r"""The network's output :math:`f(x) = \mathrm{act}(w^\top x + b)` for each row of ``X``.

        Parameters
        ----------
        X : array_like of shape (m, d)
            Points to evaluate.

        Returns
        -------
        ndarray of shape (m,)
            :math:`f(x_j)`: :math:`w^\top x_j + b` (linear), :math:`\max(0, w^\top x_j + b)` (relu)
            or :math:`\sigma(w^\top x_j + b)` (sigmoid).
        """
        return _act(self.activation, np.asarray(X, dtype=float) @ self.w + self.b)

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """Class ``classes[1]`` where the output is above the activation's midpoint (0, or 1/2 for sigmoid).

        Parameters
        ----------
        X : array_like of shape (m, d)
            Points to classify.

        Returns
        -------
        ndarray of shape (m,)
            ``classes[1]`` where :math:`f(x) > 0` (:math:`f(x) > 1/2` for sigmoid), else ``classes[0]``.
        """
        thr = 0.5 if self.activation == "sigmoid" else 0.0
        return np.where(self.output(X) > thr, self.classes[1], self.classes[0])


def _act(name: str, s: Array) -> Array:
    if name == "linear":
        return s
    if name == "relu":
        return np.maximum(s, 0.0)
    return expit(s)


def _loss_and_dds(activation: str, loss: str, s: Array, y: Array) -> tuple[Array, Array]:
    """Per-sample loss and its derivative with respect to the pre-activation s."""
    t = 0.5 * (y + 1.0)
    if activation == "sigmoid" and loss == "cross_entropy":
        z = y * s  # BCE of sigmoid(s) is the logistic loss of the margin (proofs/T02)
        return logistic(z), y * logistic_grad(z)
    f = _act(activation, s)
    dfds = np.ones_like(s) if activation == "linear" else ((s > 0).astype(float) if activation == "relu" else f * (1 - f))
    if loss == "hinge":
        val, dldf = hinge(y * f), y * hinge_grad(y * f)
    elif loss == "logistic":
        val, dldf = logistic(y * f), y * logistic_grad(y * f)
    elif loss == "squared":
        val, dldf = (f - y) ** 2, 2.0 * (f - y)
    else:  # cross_entropy on an output that is not a probability: clip it into one
        p = np.clip(f, _EPS, 1 - _EPS)
        val = -(t * np.log(p) + (1 - t) * np.log(1 - p))
        inside = (f > _EPS) & (f < 1 - _EPS)
        dldf = np.where(inside, (p - t) / (p * (1 - p)), 0.0)
    return val, dldf * dfds


def train(
    X: ArrayLike,
    y: ArrayLike,
    *,
    activation: str,
    loss: str,
    C: float = 1.0,
    seed: int = 0,
    max_iter: int = 20_000,
    tol: float = 1e-9,
    init_bias: float = 0.0,
    init_scale: float = 0.1,
) -> TrainResult:
    r"""Train a one-layer network by full-batch (sub)gradient descent.

    Minimises :math:`J(w, b) = \tfrac12\|w\|^2 + C\sum_i \ell(y_i, f(x_i))` with
    :math:`f(x) = \mathrm{act}(w^\top x + b)`; the losses and steps are in the module docstring.

    Parameters
    ----------
    X : array_like of shape (n, d)
        Features (validated by :class:`~dualsvm.SVMProblem`).
    y : array_like of shape (n,)
        Two labels of any type; the larger is +1.
    activation : {"linear", "relu", "sigmoid"}
        The output's activation: :math:`s`, :math:`\max(0, s)` or :math:`\sigma(s)` of :math:`s = w^\top x + b`.
    loss : {"hinge", "logistic", "cross_entropy", "squared"}
        The loss :math:`\ell` on the output (module docstring).
    C : float, default 1.0
        Penalty; the weight decay is :math:`\tfrac12\|w\|^2` (:math:`\lambda = 1/(nC)` per mean loss).
    seed : int, default 0
        Seed of the initial weights w ~ N(0, init_scale^2).
    max_iter : int, default 20 000
        Iteration budget.
    tol : float, default 1e-9
        Smooth objectives stop when :math:`\|\nabla J\| \le \mathrm{tol}\cdot\max(1, |J|)`.
    init_bias : float, default 0.0
        Initial b (a very negative value kills a ReLU unit at initialisation).
    init_scale : float, default 0.1
        Standard deviation of the initial weights.

    Returns
    -------
    TrainResult
        The best iterate by :math:`J`, its history, and dualsvm's certificate when the
        model is ``linear`` + ``hinge`` (the SVM objective itself).

    Raises
    ------
    DualSVMError
        For an unknown activation or loss, a ``max_iter`` that is not an integer >= 1,
        or data that :class:`~dualsvm.SVMProblem` rejects.
    """
    if activation not in ACTIVATIONS:
        raise DualSVMError(f"activation must be one of {list(ACTIVATIONS)}, got {activation!r}")
    if loss not in NET_LOSSES:
        raise DualSVMError(f"loss must be one of {list(NET_LOSSES)}, got {loss!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise DualSVMError(f"max_iter must be an integer >= 1, got {max_iter!r}")
    problem = SVMProblem(X, y, C=C)
    Xa, ya, n, d = problem.X, problem.y, problem.n, problem.d
    rng = np.random.default_rng(seed)
    w = init_scale * rng.standard_normal(d)
    b = float(init_bias)
    dead_at_init = activation == "relu" and bool(np.all(Xa @ w + b <= 0))
    smooth = loss in ("logistic", "squared") and activation != "relu" or (activation == "sigmoid" and loss == "cross_entropy")
    kappa = {"logistic": 0.25, "squared": 2.0, "cross_entropy": 0.25, "hinge": 1.0}[loss]
    if activation == "sigmoid" and loss == "squared":
        kappa = 2.0  # |d^2/ds^2 (sigma(s) - y)^2| <= 2 for y in {-1, +1}
    L = 1.0 + C * kappa * float(np.linalg.norm(np.c_[Xa, np.ones(n)], 2) ** 2)

    def J_and_grad(w: Array, b: float) -> tuple[float, Array, float]:
        s = Xa @ w + b
        val, dds = _loss_and_dds(activation, loss, s, ya)
        return 0.5 * w @ w + C * float(val.sum()), w + C * (Xa.T @ dds), C * float(dds.sum())

    hist = np.empty(max_iter)
    best = (np.inf, w.copy(), b)
    w_avg, b_avg, weight = np.zeros(d), 0.0, 0.0
    converged, it = False, 0
    for it in range(1, max_iter + 1):
        J, gw, gb = J_and_grad(w, b)
        hist[it - 1] = J
        if J < best[0]:
            best = (J, w.copy(), b)
        gnorm = float(np.sqrt(gw @ gw + gb * gb))
        if smooth and gnorm <= tol * max(1.0, abs(J)):
            converged = True
            break
        eta = 1.0 / L if smooth else 2.0 / (it + 1)  # mu = 1 in w: Lacoste-Julien, Schmidt & Bach 2012
        w, b = w - eta * gw, b - eta * gb
        if not smooth:
            weight += it
            w_avg += it * w
            b_avg += it * b
    hist = hist[:it]
    if weight:
        J_avg = J_and_grad(w_avg / weight, b_avg / weight)[0]
        if J_avg < best[0]:
            best = (J_avg, w_avg / weight, b_avg / weight)
    J, w, b = best
    s = Xa @ w + b
    out = _act(activation, s)
    cert = None
    if activation == "linear" and loss == "hinge":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            cert = certify(problem, w, b, method="network(linear, hinge)", iterations=it, target_gap=1e-4)
    return TrainResult(
        w=w, b=float(b), activation=activation, loss=loss, C=problem.C, objective=float(J), history=hist,
        n_iter=it, converged=converged, dead_at_init=dead_at_init,
        dead_at_end=activation == "relu" and bool(np.all(s <= 0)), all_outputs_zero=bool(np.all(out == 0)),
        certificate=cert, classes=problem.classes,
    )
