r"""The working-set refinement: an exact answer from a candidate's margins.

A first-order or ADMM answer (OSQP's, cvxpy's at a loose tolerance, an
outside estimator's) usually has the right margins to a few digits, which is
enough to tell the points far from the margin. :func:`refine` is the
shrinking strategy LIBSVM uses (Chang & Lin, *LIBSVM: a library for support
vector machines*, ACM TIST 2011, section 5.1), made exact: the points far
from the margin are frozen (at :math:`C_i` when :math:`m_i < 1`, at 0 when
:math:`m_i > 1`), and the QP on the rest, the working set :math:`W`,

.. math::

    \min_{\alpha_W, w}\ \tfrac12\|w\|^2 - 1^\top\alpha_W
    \quad\text{s.t.}\quad w - Z_W^\top\alpha_W = Z_U^\top C_U,\quad
    y_W^\top\alpha_W = -y_U^\top C_U,\quad 0 \le \alpha_W \le C_W,

(:math:`Z = \mathrm{diag}(y) X`, :math:`U` the points frozen at their cost)
is solved by the interior-point engine of :func:`dualsvm.solve_ipm`
(:func:`dualsvm.ipm.solve_working_set`) and finished exactly by a KKT solve
on the partition its complementarity shows. Every frozen point is then
checked against the new margins (``proofs/T06``); a violator joins the
working set and the iteration goes on. When no frozen point violates, the
triple is a KKT point of the whole problem. The working set's rows are held
in memory: a refinement costs a few passes over the data.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from .finish import exact_triple, kkt_solve, polish
from .ipm import solve_working_set
from .problem import SVMProblem

__all__ = ["kkt_solve", "polish", "refine", "Refined"]

Array = NDArray[np.float64]


class Refined(NamedTuple):
    """Result of :func:`refine`."""

    w: Array
    b: float
    alpha: Array
    gap: float  #: P(w, b) - D(alpha), evaluated in float64
    converged: bool  #: the engine found a KKT point of the whole problem (within its gap budget)
    info: dict[str, Any]  #: ``attempts`` (the engine's record per working set tried) and ``data_passes``


def refine(
    problem: SVMProblem,
    w: Array,
    b: float,
    *,
    n_work: int | None = None,
    target_gap: float = 1e-9,
    deadline: float | None = None,
) -> Refined:
    r"""Shrink to the points near the margin of ``(w, b)`` and solve there exactly.

    Parameters
    ----------
    problem : SVMProblem
    w : ndarray of shape (d,)
    b : float
        Starting candidate: its margins :math:`m_i` pick the working set and
        the frozen points, its ``w`` starts the interior point.
    n_work : int, optional
        Initial working-set size: the points of positive cost with the
        smallest :math:`|m_i - 1|`. Default :math:`\min(n, \max(200, 10(d+1)))`.
    target_gap : float, default 1e-9
        The engine accepts a partition whose gap is at most a tenth of this,
        relative to :math:`\max(1, |D|)`.
    deadline : float, optional
        A ``time.perf_counter()`` value after which no Newton step starts.

    When the engine finds no KKT point from a working set (a poor candidate
    can freeze points wrongly enough to stall it), the working set is widened
    fourfold and the engine restarts, up to every point of positive cost.

    Returns
    -------
    Refined
        The engine's KKT triple when it found one; otherwise the naive dual
        point :math:`\alpha_i = C_i[m_i < 1]` projected onto the dual
        feasible set, with :math:`w = Z^\top\alpha` and the exact ``b``
        (``converged=False``). ``alpha`` is dual feasible either way.
    """
    n, d, C, y = problem.n, problem.d, problem.costs, problem.y
    w = np.asarray(w, dtype=np.float64)
    m = problem.margins(w, b)
    live = np.flatnonzero(C > 0)
    k = min(live.size, n_work or max(200, 10 * (d + 1)))
    order = live[np.argsort(np.abs(m[live] - 1.0), kind="stable")]  # nearest to the margin first
    attempts: list[dict[str, Any]] = []
    found = None
    while found is None:
        work = np.zeros(n, bool)
        work[order[:k]] = True
        at_C = ~work & (m < 1.0) & (C > 0)
        n_balance = _balance(work, at_C, y, C, order)
        found, info = solve_working_set(problem, w, float(b), work, at_C, target_gap=target_gap, margins=m,
                                        deadline=deadline)
        attempts.append({**info, "n_work": k, "n_balance": n_balance})
        if k == live.size or (deadline is not None and time.perf_counter() > deadline):
            break
        k = min(live.size, 4 * k)  # the engine found no KKT point from this working set: widen it
    record = {"attempts": attempts, "data_passes": 1 + sum(a["data_passes"] for a in attempts)}
    if found is None:
        wr, br, ar, gap = exact_triple(problem, np.where(m < 1.0, C, 0.0))
        return Refined(wr, br, ar, gap, False, record)
    wr, br, ar = found
    return Refined(wr, br, ar, problem.primal_objective(wr, br) - problem.dual_objective(ar), True, record)


def _balance(work: NDArray[np.bool_], at_C: NDArray[np.bool_], y: Array, C: Array, order: NDArray[np.intp]) -> int:
    r"""Grow ``work`` (in place) until :math:`y_W^\top\alpha_W = -y_U^\top C_U` has a strict solution.

    With :math:`r = y_U^\top C_U` the working set must hold more cost of the
    class :math:`-\mathrm{sign}(r)` than :math:`|r|`. Each frozen point that
    closes the deficit (one of that class frozen at 0, or one of the other
    class frozen at :math:`C_i`) joins, nearest to the margin first, until a
    tenth of a typical cost is left to spare (the interior point needs an
    interior). Returns how many joined.
    """
    r = float((y * C)[at_C].sum())
    s = 1.0 if r >= 0 else -1.0  # the class whose frozen costs are in excess
    spare = 0.1 * float(np.median(C[C > 0]))
    deficit = s * r - float(C[work & (y == -s)].sum()) + spare
    if deficit <= 0:
        return 0
    helps = (~work) & (((y == -s) & ~at_C) | ((y == s) & at_C))
    cand = order[helps[order]]
    take = cand[: int(np.searchsorted(np.cumsum(C[cand]), deficit)) + 1]
    at_C[take] = False
    work[take] = True
    return int(take.size)
