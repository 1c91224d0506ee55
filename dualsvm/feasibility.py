r"""Exact building blocks of every certificate: the dual projection and the b search.

Pure functions of an :class:`~dualsvm.problem.SVMProblem` and arrays; no
solver is involved.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .exceptions import DualSVMError
from .problem import SVMProblem

__all__ = ["project_dual", "argmin_b", "slope_zero"]

Array = NDArray[np.float64]


def project_dual(alpha: ArrayLike, y: ArrayLike, C: float | ArrayLike) -> Array:
    r"""Euclidean projection onto :math:`\{0 \le \alpha_i \le C_i,\ y^\top\alpha = 0\}`.

    The projection is :math:`\alpha(\lambda) = \mathrm{clip}(a - \lambda y, 0, C)`
    for the root :math:`\lambda` of the non-increasing piecewise-linear
    :math:`h(\lambda) = y^\top\alpha(\lambda)`. The root is bracketed by a
    binary search over the sorted breakpoints and found exactly by linear
    interpolation, in :math:`O(n \log n)`. A last rounding residual is
    absorbed by a coordinate strictly inside the box, so that
    :math:`|y^\top\alpha|` is at the level of one ulp of :math:`C`.

    Parameters
    ----------
    alpha : array_like of shape (n,)
        The point to project (any real vector, e.g. a solver's rounded dual).
    y : array_like of shape (n,)
        Labels in {-1, +1} containing both signs.
    C : float or array_like of shape (n,)
        The upper ends :math:`C_i` of the box (``SVMProblem.costs``).

    Returns
    -------
    ndarray of shape (n,)
        The projection :math:`\arg\min\{\|\alpha' - \alpha\| : 0 \le \alpha'_i \le C_i,\ y^\top\alpha' = 0\}`;
        a new array, the input is not modified.

    Raises
    ------
    DualSVMError
        If ``y`` does not contain both signs (the set is then empty unless :math:`\alpha' = 0`).
    """
    a = np.asarray(alpha, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    C = np.broadcast_to(np.asarray(C, dtype=np.float64), a.shape)

    def h(lam: float) -> float:
        return float(y @ np.clip(a - lam * y, 0.0, C))

    # Breakpoints: a_i - lam*y_i hits 0 at lam = y_i a_i and C at y_i (a_i - C).
    bp = np.unique(np.concatenate([y * a, y * (a - C)]))
    lo, hi = 0, bp.size - 1
    if h(bp[lo]) < 0.0 or h(bp[hi]) > 0.0:  # cannot happen with both signs in y
        raise DualSVMError("y must contain both +1 and -1 for the dual feasible set to be non-empty")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if h(bp[mid]) >= 0.0:
            lo = mid
        else:
            hi = mid
    h_lo, h_hi = h(bp[lo]), h(bp[hi])
    lam = bp[lo] if h_lo == h_hi else bp[lo] + (bp[hi] - bp[lo]) * h_lo / (h_lo - h_hi)
    out = np.clip(a - lam * y, 0.0, C)
    _absorb_equality_residual(out, y, C)
    return out


def _absorb_equality_residual(alpha: Array, y: Array, C: Array) -> None:
    """Move the rounding residual of y^T alpha into one coordinate with room (in place)."""
    res = float(y @ alpha)
    if res == 0.0:
        return
    # alpha_i -> alpha_i - y_i*res keeps the box if alpha_i - y_i*res in [0, C].
    target = alpha - y * res
    ok = np.flatnonzero((target >= 0.0) & (target <= C))
    if ok.size:
        i = ok[np.argmax(np.minimum(alpha[ok], C[ok] - alpha[ok]))]
        alpha[i] = target[i]


def slope_zero(t_lo: Array, t_hi: Array, y: Array, costs: Array | None, *, slack: float = 0.0) -> tuple[float, float]:
    r"""Where the slope of :math:`b \mapsto \sum_i C_i\max(0, 1 - y_i(s_i + b))` crosses zero.

    With breakpoints :math:`t_i = y_i - s_i`, the slope rises from
    :math:`-\sum_{y_i > 0} C_i` by :math:`C_i` at each :math:`t_i` (``proofs/T09``);
    it is zero exactly between the two weighted order statistics returned,
    the first taken from ``t_lo`` and the second from ``t_hi`` (pass the same
    array twice for :func:`argmin_b`; the certificate passes :math:`t \mp \rho`).
    ``costs=None`` means uniform costs: the :math:`n_+`-th and
    :math:`(n_+ + 1)`-th order statistics, by partition in :math:`O(n)`.
    ``slack`` (>= 0) widens the weighted search by that much of the cost
    sum on each side, to absorb the rounding of a cumulative sum.
    """
    pos = y > 0
    if costs is None:
        n_pos = int(np.count_nonzero(pos))
        lo = np.partition(t_lo, n_pos - 1)[n_pos - 1]
        hi = np.partition(t_hi, n_pos)[n_pos:].min()  # one kth and a min: 2x faster than kth=(k-1, k)
        return float(lo), float(hi)
    S = float(costs[pos].sum())
    o_lo, o_hi = np.argsort(t_lo, kind="stable"), np.argsort(t_hi, kind="stable")
    k_lo = int(np.searchsorted(np.cumsum(costs[o_lo]), S * (1.0 - slack), side="left"))
    k_hi = int(np.searchsorted(np.cumsum(costs[o_hi]), S * (1.0 + slack), side="right"))
    return float(t_lo[o_lo[min(k_lo, t_lo.size - 1)]]), float(t_hi[o_hi[min(k_hi, t_hi.size - 1)]])


def argmin_b(problem: SVMProblem, w: ArrayLike) -> tuple[float, float]:
    r"""The interval :math:`\arg\min_b P(w, b)` for a fixed ``w``, exactly.

    :math:`P(w,\cdot)` is convex piecewise linear with breakpoints
    :math:`t_i = y_i - w^\top x_i`. Each breakpoint raises the slope by
    :math:`C_i`, from :math:`-\sum_{y_i > 0} C_i` at :math:`-\infty`, so the
    slope is zero between two weighted order statistics of :math:`t`; with
    uniform costs, the :math:`n_+`-th and :math:`(n_+ + 1)`-th smallest
    (``proofs/T09``, :func:`slope_zero`). Cost :math:`O(nd)` plus a
    partition (a sort with weights).

    .. math:: \arg\min_b P(w, b) = [\,b_{lo}, b_{hi}\,], \qquad
       P(w, b) = \tfrac12\|w\|^2 + \sum_i C_i \max(0, 1 - y_i(w^\top x_i + b)).

    Parameters
    ----------
    problem : SVMProblem
        The data, labels and costs :math:`C_i`.
    w : array_like of shape (d,) or (1, d)
        The fixed weights.

    Returns
    -------
    b_lo, b_hi : float
        The ends of the interval of minimisers (equal when the minimiser is unique);
        every :math:`b` in between minimises :math:`P(w, \cdot)`.
    """
    w_ = np.asarray(w, dtype=np.float64).reshape(-1)
    t = problem.y - problem.X @ w_
    return slope_zero(t, t, problem.y, problem.costs if problem.weighted else None)
