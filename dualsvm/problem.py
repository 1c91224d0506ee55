r"""The soft-margin linear SVM problem, validated once.

Primal (the bias :math:`b` is *not* regularized):

.. math::

    P(w, b) = \tfrac12 \|w\|^2 + C \sum_i \max\bigl(0,\ 1 - y_i (w^\top x_i + b)\bigr)

Dual:

.. math::

    D(\alpha) = \sum_i \alpha_i - \tfrac12 \Bigl\|\sum_i \alpha_i y_i x_i\Bigr\|^2,
    \qquad 0 \le \alpha \le C,\quad y^\top \alpha = 0.

Derivations: ``proofs/`` (T0 slack elimination, T3 the dual).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .exceptions import DualSVMError

__all__ = ["SVMProblem", "check_C"]


def check_C(C: Any, name: str = "C") -> float:
    """Return ``C`` as a float, or raise :class:`DualSVMError` unless it is finite and > 0."""
    if isinstance(C, (bool, np.bool_)) or not isinstance(C, numbers.Real):
        raise DualSVMError(f"{name} must be a real number > 0, got {C!r} of type {type(C).__name__}")
    C = float(C)
    if not np.isfinite(C) or C <= 0:
        raise DualSVMError(f"{name} must be finite and > 0, got {C!r}")
    return C


def _check_X(X: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(X)
    if arr.dtype.kind == "c":
        raise DualSVMError(f"X must hold real numbers, got complex dtype {arr.dtype}")
    if arr.dtype.kind not in "biuf":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise DualSVMError(f"X must hold numbers, got dtype {arr.dtype} ({exc})") from None
    if arr.ndim != 2:
        raise DualSVMError(f"X must be a 2-D array of shape (n_samples, n_features), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise DualSVMError(f"X must be non-empty, got shape {arr.shape}")
    out = np.array(arr, dtype=np.float64, copy=True)
    if not np.all(np.isfinite(out)):
        bad = int(np.count_nonzero(~np.isfinite(out)))
        raise DualSVMError(f"X must be finite, got {bad} NaN or infinite entries")
    return out


def _check_y(y: ArrayLike, n: int) -> tuple[NDArray[np.float64], NDArray[Any]]:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise DualSVMError(f"y must be a 1-D array of labels, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise DualSVMError(f"X and y must have the same number of samples, got X with {n} rows and y with {arr.shape[0]}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise DualSVMError("y must not contain NaN or infinite labels")
    try:
        classes, inverse = np.unique(arr, return_inverse=True)
    except TypeError as exc:
        raise DualSVMError(f"y labels must be mutually comparable, got {exc}") from None
    if classes.shape[0] != 2:
        shown = classes[:5].tolist()
        raise DualSVMError(
            f"y must hold exactly two distinct labels (classes), got {classes.shape[0]}: {shown}"
            + (" ..." if classes.shape[0] > 5 else "")
        )
    # The larger label maps to +1, as in scikit-learn.
    return np.where(inverse.reshape(-1) == 1, 1.0, -1.0), classes


class SVMProblem:
    r"""A validated binary soft-margin linear SVM instance.

    Parameters
    ----------
    X : array_like of shape (n, d)
        Finite real features.
    y : array_like of shape (n,)
        Exactly two distinct labels of any comparable type. The larger one
        (``np.unique`` order) becomes :math:`+1`, as in scikit-learn.
    C : float, default 1.0
        Finite penalty > 0.

    Attributes
    ----------
    X : ndarray of shape (n, d)
        Read-only float64 copy of the features.
    y : ndarray of shape (n,)
        Read-only labels in :math:`\{-1, +1\}`.
    classes : ndarray of shape (2,)
        Original labels; ``classes[0]`` maps to -1 and ``classes[1]`` to +1.
    C : float
    n, d : int

    Raises
    ------
    DualSVMError
        (a :class:`ValueError`) naming the argument, for non-finite or
        non-numeric ``X``, wrong shapes, fewer or more than two classes,
        ``n < 2`` or ``C <= 0``. The caller's arrays are never modified.
    """

    def __init__(self, X: ArrayLike, y: ArrayLike, C: float = 1.0) -> None:
        self.C = check_C(C)
        X_ = _check_X(X)
        if X_.shape[0] < 2:
            raise DualSVMError(f"X must have at least 2 samples, got {X_.shape[0]}")
        y_, classes = _check_y(y, X_.shape[0])
        X_.setflags(write=False)
        y_.setflags(write=False)
        self.X = X_
        self.y = y_
        self.classes = classes
        self.n, self.d = X_.shape

    def __repr__(self) -> str:
        n_pos = int(np.count_nonzero(self.y > 0))
        return (
            f"SVMProblem(n={self.n}, d={self.d}, C={self.C:g}, "
            f"classes={self.classes.tolist()}, n_pos={n_pos}, n_neg={self.n - n_pos})"
        )

    # -- elementary quantities -------------------------------------------------
    def with_C(self, C: float) -> SVMProblem:
        """The same data with another penalty ``C`` (no re-validation of X, y)."""
        other = object.__new__(SVMProblem)
        other.__dict__.update(self.__dict__)
        other.C = check_C(C)
        return other

    def _check_wb(self, w: ArrayLike, b: Any) -> tuple[NDArray[np.float64], float]:
        """Validate a primal point: ``w`` of shape (d,) or (1, d), ``b`` a number or a one-entry array.

        scikit-learn's ``coef_`` (or ``coef_[0]``) and ``intercept_`` are accepted as they are.
        Anything else (another shape, non-numbers, NaN or inf) raises :class:`DualSVMError`
        naming the argument and what it got.
        """

        def real(v: Any, name: str) -> NDArray[np.float64]:
            try:
                arr = np.asarray(v)
                if arr.dtype.kind not in "iufO" or (arr.dtype.kind == "O" and any(x is None for x in arr.flat)):
                    raise TypeError  # bool, complex, str, bytes, datetime, None: not numbers here
                return np.asarray(arr, dtype=np.float64)
            except (TypeError, ValueError):
                shown = repr(v) if len(repr(v)) <= 60 else repr(v)[:57] + "..."
                raise DualSVMError(f"{name} must hold real numbers, got {shown} of type {type(v).__name__}") from None

        w_ = real(w, "w")
        if w_.shape not in ((self.d,), (1, self.d)):
            raise DualSVMError(
                f"w must have {self.d} entries (n_features), shape ({self.d},) or (1, {self.d}); got shape {w_.shape}")
        w_ = w_.reshape(-1)
        if not np.all(np.isfinite(w_)):
            raise DualSVMError(f"w must be finite, got {np.count_nonzero(~np.isfinite(w_))} NaN or infinite entries")
        b_ = real(b, "b")
        if b_.ndim > 1 or b_.size != 1:
            raise DualSVMError(f"b must be a number or an array with one entry (like intercept_), got shape {b_.shape}")
        b_ = float(b_.reshape(-1)[0])
        if not np.isfinite(b_):
            raise DualSVMError(f"b must be finite, got {b_!r}")
        return w_, b_

    def _check_alpha(self, alpha: ArrayLike) -> NDArray[np.float64]:
        a = np.asarray(alpha, dtype=np.float64).reshape(-1)
        if a.shape[0] != self.n:
            raise DualSVMError(f"alpha must have {self.n} entries (n_samples), got {a.shape[0]}")
        if not np.all(np.isfinite(a)):
            raise DualSVMError("alpha must be finite")
        return a

    def margins(self, w: ArrayLike, b: float) -> NDArray[np.float64]:
        r"""Functional margins :math:`m_i = y_i (w^\top x_i + b)`."""
        w_, b_ = self._check_wb(w, b)
        return self.y * (self.X @ w_ + b_)

    def primal_objective(self, w: ArrayLike, b: float) -> float:
        r""":math:`P(w,b) = \frac12\|w\|^2 + C\sum_i \max(0, 1 - m_i)`."""
        w_, b_ = self._check_wb(w, b)
        m = self.y * (self.X @ w_ + b_)
        return float(0.5 * w_ @ w_ + self.C * np.maximum(0.0, 1.0 - m).sum())

    def dual_objective(self, alpha: ArrayLike) -> float:
        r""":math:`D(\alpha) = \sum_i \alpha_i - \frac12\|\sum_i \alpha_i y_i x_i\|^2`.

        Evaluated as written; it is a lower bound on the optimum only when
        ``alpha`` is dual feasible (see :func:`dualsvm.project_dual`).
        """
        a = self._check_alpha(alpha)
        v = self.X.T @ (self.y * a)
        return float(a.sum() - 0.5 * v @ v)
