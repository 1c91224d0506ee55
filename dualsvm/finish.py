r"""The exact finish shared by the formulations: solve the KKT equalities of a partition.

Every solver ends the same way (``../shared/DESIGN.md``, layer 3's one shared
piece): read a partition of the points off an approximate solution,

* :math:`L = \{\alpha_i = 0\}` (need :math:`m_i \ge 1`),
* :math:`U = \{\alpha_i = C\}` (need :math:`m_i \le 1`),
* :math:`F` the free points, :math:`0 < \alpha_i < C` (need :math:`m_i = 1`),

solve the KKT *equalities* of that partition exactly (:func:`kkt_solve`) and
check the *inequalities*: the box on :math:`F` and the sign conditions on
:math:`L \cup U` (:func:`partition_violations`, ``proofs/T06``). When none is
violated the triple is a KKT point of the full problem, up to rounding.

:func:`kkt_solve` and :func:`polish` moved here from ``working_set.py``
unchanged; ``working_set`` imports them from here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .feasibility import argmin_b, project_dual
from .problem import SVMProblem

__all__ = ["kkt_solve", "kkt_solve_wb", "polish", "exact_triple", "partition_violations"]

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]


def kkt_solve(
    problem: SVMProblem,
    free: Mask,
    at_C: Mask,
    *,
    start: tuple[Array, float, Array] | None = None,
    fixed: Array | None = None,
    operator: Any = None,
) -> Array:
    r"""Solve the KKT equalities of a fixed partition exactly; return alpha.

    Unknowns :math:`(w, b, \alpha_F)`; equations
    :math:`w - Z_F^\top\alpha_F = C Z_U^\top 1`,
    :math:`Z_F w + b\,y_F = 1` (free points on the margin) and
    :math:`y_F^\top\alpha_F = -C\,1^\top y_U`. Least squares (minimum norm)
    handles degenerate partitions. The result may leave the box; callers
    project it. :func:`kkt_solve_wb` also returns ``w`` and ``b``.

    Parameters
    ----------
    problem : SVMProblem
    free, at_C : ndarray of bool, shape (n,)
        The free set :math:`F` and the bound set :math:`U`; the rest is at 0.
    start : (w, b, alpha_F), optional
        A point near the solution set. The result is then ``start`` plus the
        minimum-norm *correction* (not the minimum-norm solution). When the
        equalities leave a family of solutions (duplicated points, more free
        points than :math:`d + 1`), this keeps the one nearest the start, e.g.
        an interior point's analytic centre, inside the box.
    fixed : ndarray of shape (d,), optional
        :math:`C Z_U^\top 1`, if the caller has it (an interior-point method
        gets it in the pass that forms its Newton matrix).
    operator : DenseOperator, optional
        Reads the free rows, and computes ``fixed`` in one counted pass when
        it is not given; without it ``problem.X`` is indexed directly.
    """
    return kkt_solve_wb(problem, free, at_C, start=start, fixed=fixed, operator=operator)[2]


def kkt_solve_wb(
    problem: SVMProblem,
    free: Mask,
    at_C: Mask,
    *,
    start: tuple[Array, float, Array] | None = None,
    fixed: Array | None = None,
    operator: Any = None,
) -> tuple[Array, float, Array]:
    r""":func:`kkt_solve` returning ``(w, b, alpha)``; :math:`w = C Z_U^\top 1 + Z_F^\top\alpha_F`."""
    X, y, C, d = problem.X, problem.y, problem.C, problem.d
    F = np.flatnonzero(free)
    k = F.size
    if operator is None:
        ZF = y[F, None] * X[F]
        if fixed is None:
            fixed = C * (X[at_C].T @ y[at_C])
    else:
        ZF = y[F, None] * operator.rows(F)
        if fixed is None:
            fixed = C * operator.rmatvec(np.where(at_C, y, 0.0))
    M = np.zeros((d + k + 1, d + 1 + k))
    M[:d, :d] = np.eye(d)
    M[:d, d + 1 :] = -ZF.T
    M[d : d + k, :d] = ZF
    M[d : d + k, d] = y[F]
    M[d + k, d + 1 :] = y[F]
    rhs = np.concatenate([fixed, np.ones(k), [-C * y[at_C].sum()]])
    if start is None:
        sol = np.linalg.lstsq(M, rhs, rcond=None)[0]
    else:
        x0 = np.concatenate([start[0], [start[1]], start[2]])
        sol = x0 + np.linalg.lstsq(M, rhs - M @ x0, rcond=None)[0]
        # One step of iterative refinement: the correction is computed from a
        # residual that cancels, so a second solve recovers the last digits.
        sol = sol + np.linalg.lstsq(M, rhs - M @ sol, rcond=None)[0]
    alpha = np.where(at_C, C, 0.0)
    alpha[F] = sol[d + 1 :]
    return fixed + ZF.T @ alpha[F], float(sol[d]), alpha


def exact_triple(problem: SVMProblem, alpha: Array) -> tuple[Array, float, Array, float]:
    """Feasible alpha, w = Z^T alpha, exact b, and the gap of that triple."""
    a = project_dual(alpha, problem.y, problem.C)
    w = problem.X.T @ (problem.y * a)
    b = 0.5 * sum(argmin_b(problem, w))
    return w, b, a, problem.primal_objective(w, b) - problem.dual_objective(a)


def polish(problem: SVMProblem, alpha: Array) -> tuple[Array, float, Array, float]:
    """Exact KKT solve on the active set read off ``alpha``; the better of the two triples.

    Returns ``(w, b, alpha, gap)`` with ``alpha`` dual feasible.
    """
    C = problem.C
    start = exact_triple(problem, alpha)
    a = start[2]
    tau = 1e-7 * C
    free = (a > tau) & (a < C - tau)
    if not free.any():
        m = problem.y * (problem.X @ start[0] + start[1])
        free[np.argmin(np.abs(m - 1.0))] = True
    if np.count_nonzero(free) > max(300, 10 * (problem.d + 1)):
        return start  # a dense KKT solve would cost more than it is worth
    cand = exact_triple(problem, kkt_solve(problem, free, (a >= C - tau) & ~free))
    return cand if cand[3] < start[3] else start


def partition_violations(
    m: Array, alpha: Array, C: float, free: Mask, at_C: Mask, *, tol_m: float, tol_a: float
) -> Mask:
    r"""Points whose KKT inequality fails for the partition (``proofs/T06``).

    A point at 0 needs :math:`m_i \ge 1`, a point at :math:`C` needs
    :math:`m_i \le 1`, a free point needs :math:`0 \le \alpha_i \le C` and
    :math:`m_i = 1` (the equalities of :func:`kkt_solve` are solved in the
    least-squares sense, so an inconsistent partition shows up here). The
    tolerances absorb rounding only: ``tol_m`` on margins, ``tol_a`` on
    :math:`\alpha` (both absolute).
    """
    at_0 = ~free & ~at_C
    return (
        (at_0 & (m < 1.0 - tol_m))
        | (at_C & (m > 1.0 + tol_m))
        | (free & ((alpha < -tol_a) | (alpha > C + tol_a) | (np.abs(m - 1.0) > tol_m)))
    )
