r"""The exact finish shared by the formulations: solve the KKT equalities of a partition.

Every solver ends the same way (``../shared/DESIGN.md``, layer 3's one shared
piece): read a partition of the points off an approximate solution,

* :math:`L = \{\alpha_i = 0\}` (need :math:`m_i \ge 1`),
* :math:`U = \{\alpha_i = C\}` (need :math:`m_i \le 1`),
* :math:`F` the free points, :math:`0 < \alpha_i < C` (need :math:`m_i = 1`),

solve the KKT *equalities* of that partition exactly (:func:`kkt_solve`) and
check the *inequalities*: the box on :math:`F` and the sign conditions on
:math:`L \cup U` (``proofs/T06``). When none is violated the triple is a KKT
point of the full problem, up to rounding. :func:`kkt_brackets` weighs each
violation by its share of the duality gap (``proofs/T04``).

:func:`kkt_solve` and :func:`polish` moved here from ``working_set.py``
unchanged; ``working_set`` imports them from here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

from .feasibility import argmin_b, project_dual
from .problem import SVMProblem

__all__ = ["kkt_solve", "kkt_solve_wb", "kkt_solve_rows", "kkt_solve_fits", "polish", "exact_triple", "kkt_brackets"]

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
    :math:`w - Z_F^\top\alpha_F = Z_U^\top C_U` (the costs :math:`C_i` of the bound points),
    :math:`Z_F w + b\,y_F = 1` (free points on the margin) and
    :math:`y_F^\top\alpha_F = -y_U^\top C_U`. Least squares (minimum norm)
    handles degenerate partitions. The result may leave the box; callers
    project it. :func:`kkt_solve_wb` also returns ``w`` and ``b``.

    Parameters
    ----------
    problem : SVMProblem
        The data, labels and costs :math:`C_i`.
    free, at_C : ndarray of bool, shape (n,)
        The free set :math:`F` and the bound set :math:`U`; the rest is at 0.
    start : (w, b, alpha_F), optional
        A point near the solution set. The result is then ``start`` plus the
        minimum-norm *correction* (not the minimum-norm solution). When the
        equalities leave a family of solutions (duplicated points, more free
        points than :math:`d + 1`), this keeps the one nearest the start, e.g.
        an interior point's analytic centre, inside the box.
    fixed : ndarray of shape (d,), optional
        :math:`Z_U^\top C_U`, if the caller has it (an interior-point method
        gets it in the pass that forms its Newton matrix).
    operator : DenseOperator or SparseOperator, optional
        Reads the free rows, and computes ``fixed`` in one counted pass when
        it is not given; default ``problem.operator()``. With more than
        2000 features and fewer free points than features, ``w`` is
        eliminated and a :math:`(k+1)\times(k+1)` system is solved
        (:func:`_kkt_solve_reduced`): no :math:`d \times d` matrix for sparse text data.

    Returns
    -------
    ndarray of shape (n,)
        :math:`\alpha`: 0 off :math:`F \cup U`, :math:`C_i` on :math:`U`, the
        solved :math:`\alpha_F` on :math:`F` (possibly outside the box).
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
    r""":func:`kkt_solve` returning the whole solution ``(w, b, alpha)`` of the equalities.

    ``w`` is the solve's own, not :math:`Z^\top\alpha` recomputed: its margins
    :math:`Z_F w + b y_F = 1` are what the equations fix, so an error of the
    solve moves the gap only through :math:`\frac12\|w - Z^\top\alpha\|^2`,
    quadratically, where recomputing :math:`w` from :math:`\alpha` moves every
    margin (measured: a gap of 7e-4 against 3e-12 on features spanning four
    orders of magnitude at C = 1000).

    Parameters
    ----------
    problem : SVMProblem
        The data, labels and costs :math:`C_i`.
    free, at_C : ndarray of bool, shape (n,)
        The free set :math:`F` and the bound set :math:`U`; the rest is at 0.
    start : (w, b, alpha_F), optional
        A point near the solution set: the result is ``start`` plus the
        minimum-norm correction (see :func:`kkt_solve`).
    fixed : ndarray of shape (d,), optional
        :math:`Z_U^\top C_U`, if the caller has it.
    operator : DenseOperator or SparseOperator, optional
        Reads the free rows and computes ``fixed``; default ``problem.operator()``.

    Returns
    -------
    w : ndarray of shape (d,)
        The solved weights.
    b : float
        The solved bias.
    alpha : ndarray of shape (n,)
        As returned by :func:`kkt_solve`.
    """
    y, C, d = problem.y, problem.costs, problem.d
    F = np.flatnonzero(free)
    k = F.size
    yC = (y * C)[at_C]
    op = problem.operator() if operator is None else operator
    XF = op.rows(F)  # dense rows, or a CSR block for sparse data
    if fixed is None:
        # the caller's operator: one counted pass; else the bound rows only (as before operators)
        fixed = (op.rmatvec(np.where(at_C, y * C, 0.0)) if operator is not None
                 else np.asarray(op.rows(at_C).T @ yC).reshape(-1))
    if _eliminate_w(d, k) or (hasattr(XF, "tocsr") and k > _CG_KKT_ABOVE_K):
        # Many features, or many sparse free rows: w eliminated (by CG on sparse rows).
        reduced = _kkt_solve_reduced(y[F], XF, fixed, float(yC.sum()), C, at_C, F, start,
                                     dense_fallback=_eliminate_w(d, k))
        if reduced is not None:
            return reduced
    w, b, aF = kkt_solve_rows(op.to_dense(XF), y[F], fixed, float(yC.sum()), start)
    alpha = np.where(at_C, C, 0.0)
    alpha[F] = aF
    return w, b, alpha


def kkt_solve_rows(
    XF: Array, yF: Array, fixed: Array, yC_sum: float, start: tuple[Array, float, Array] | None = None,
) -> tuple[Array, float, Array]:
    r"""The KKT equalities of :func:`kkt_solve_wb` from the free rows themselves: ``(w, b, alpha_F)``.

    The dense :math:`(d+k+1) \times (d+k+1)` system of :func:`kkt_solve_wb` for
    rows ``XF`` (``k x d``, in memory), labels ``yF``, :math:`Z_U^\top C_U`
    (``fixed``) and :math:`y_U^\top C_U` (``yC_sum``): what a caller whose data
    is not in memory (a dask array) needs, having gathered the ~d free rows.

    Parameters
    ----------
    XF : ndarray of shape (k, d)
        The free points' rows.
    yF : ndarray of shape (k,)
        Their labels in {-1, +1}.
    fixed : ndarray of shape (d,)
        :math:`Z_U^\top C_U`.
    yC_sum : float
        :math:`y_U^\top C_U`.
    start : (w, b, alpha_F), optional
        The result is ``start`` plus the minimum-norm correction (see :func:`kkt_solve`).

    Returns
    -------
    w : ndarray of shape (d,)
        The solved weights.
    b : float
        The solved bias.
    alpha_F : ndarray of shape (k,)
        The free points' coefficients, possibly outside the box.
    """
    k, d = XF.shape
    ZF = yF[:, None] * XF
    M = np.zeros((d + k + 1, d + 1 + k))
    M[:d, :d] = np.eye(d)
    M[:d, d + 1 :] = -ZF.T
    M[d : d + k, :d] = ZF
    M[d : d + k, d] = yF
    M[d + k, d + 1 :] = yF
    rhs = np.concatenate([fixed, np.ones(k), [-float(yC_sum)]])
    if start is None:
        sol = np.linalg.lstsq(M, rhs, rcond=None)[0]
    else:
        # gelsy (complete orthogonal factorization) gives the same minimum-norm
        # solution as gelsd's SVD, about 10x faster at these sizes (measured).
        x0 = np.concatenate([start[0], [start[1]], start[2]])
        sol = x0 + sla.lstsq(M, rhs - M @ x0, lapack_driver="gelsy", check_finite=False)[0]
        # One step of iterative refinement: the correction is computed from a
        # residual that cancels, so a second solve recovers the last digits.
        sol = sol + sla.lstsq(M, rhs - M @ sol, lapack_driver="gelsy", check_finite=False)[0]
    return sol[:d], float(sol[d]), sol[d + 1 :]


#: Above this many features (and more features than free points) the KKT equalities are
#: solved with w eliminated: a (k+1)x(k+1) system instead of (d+k+1)x(d+k+1), never d x d.
_REDUCE_ABOVE_D = 2000
#: ... and so are they above this many features when they outnumber the free points 2 to 1: the
#: (d+k+1)-square least squares costs about (d+k)^3, the reduced one k^2 (d+k), 8 times less there
#: (measured: 3.7 s to 0.05 s at d = 2000, k = 217, sparse; 29 s to 1.8 s at d = 2000, k = 632, dense).
_REDUCE_ABOVE_2K_D = 256


def _eliminate_w(d: int, k: int) -> bool:
    """Whether the KKT equalities are solved with w eliminated (k+1 unknowns) rather than in full (d+k+1)."""
    return d > max(k, _REDUCE_ABOVE_D) or d > max(2 * k, _REDUCE_ABOVE_2K_D)


#: :func:`polish` skips the reduced solve beyond this many free points (a k x k least squares).
_REDUCED_MAX_K = 3000
#: Sparse rows and more free points than this: the reduced system by conjugate gradients,
#: matrix-free, instead of a dense k x k least squares (measured at k = 1489 on text data,
#: n = d = 5000: 1.1 s per least squares, 8 per solve_ipm, against 0.05 s for CG).
_CG_KKT_ABOVE_K = 300
#: Relative residual of each CG solve, and the budget; then one step of refinement.
_CG_KKT_RTOL = 1e-13
_CG_KKT_MAX_ITER = 5000


def kkt_solve_fits(d: int, k: int, sparse: bool = False) -> bool:
    r"""Whether :func:`kkt_solve_wb` with ``k`` free points on ``d`` features stays small.

    True unless ``w`` would be eliminated (``d`` above 2000 and above ``k``) and the
    ``k x k`` system has more than 3000 rows (72 MB, tens of seconds of least squares).
    On sparse rows the reduced system is solved matrix-free (conjugate gradients,
    :func:`_kkt_solve_reduced`), which fits at any ``k``.

    Parameters
    ----------
    d : int
        Number of features.
    k : int
        Number of free points (:math:`0 < \alpha_i < C_i`) in the system.
    sparse : bool, default False
        Whether the rows are a ``scipy.sparse`` block.

    Returns
    -------
    bool
        False only when ``d > max(k, 2000)``, ``k > 3000`` and the rows are dense.
    """
    return sparse or not (d > max(k, _REDUCE_ABOVE_D) and k > _REDUCED_MAX_K)


def _kkt_solve_reduced(
    yF: Array, XF: Any, fixed: Array, yC_sum: float, C: Array, at_C: Mask, F: Array,
    start: tuple[Array, float, Array] | None, dense_fallback: bool = True,
) -> tuple[Array, float, Array] | None:
    r"""The KKT equalities with :math:`w = c + Z_F^\top\alpha_F` substituted (:math:`c` = ``fixed``).

    :math:`K\alpha_F + b\,y_F = 1 - Z_F c` and :math:`y_F^\top\alpha_F = -y_U^\top C_U`,
    with :math:`K = Z_F Z_F^\top` (``k x k``, formed from the rows, sparse or
    dense). Used when ``d`` is large (sparse text data): memory
    :math:`O(k^2 + \mathrm{nnz}(X_F) + d)`. ``w`` is then :math:`c + Z_F^\top\alpha_F`
    exactly; the minimum-norm correction from ``start`` is taken in
    :math:`(\alpha_F, b)` (``w`` follows from them), which is the same set of
    solutions of the equalities.
    """
    k = yF.size
    ZF_rows = XF  # K and Z_F c are formed through X_F; y enters as diagonal scalings
    rhs = np.concatenate([1.0 - yF * np.asarray(ZF_rows @ fixed).reshape(-1), [-yC_sum]])
    x0 = np.zeros(k + 1) if start is None else np.append(start[2], start[1])
    sol = None
    if hasattr(ZF_rows, "tocsr") and k > _CG_KKT_ABOVE_K:
        sol = _reduced_by_cg(yF, ZF_rows, rhs, x0)
    if sol is None and not dense_fallback:
        return None  # the caller solves the full system instead
    if sol is None and hasattr(ZF_rows, "tocsr") and k > _REDUCED_MAX_K:
        sol = x0  # CG failed and a k x k matrix would not fit: no correction; the gap check decides
    if sol is None:
        K = yF[:, None] * _dense(ZF_rows @ ZF_rows.T) * yF[None, :]
        M = np.zeros((k + 1, k + 1))
        M[:k, :k] = K
        M[:k, k] = M[k, :k] = yF
        sol = x0 + sla.lstsq(M, rhs - M @ x0, lapack_driver="gelsy", check_finite=False)[0]
        sol = sol + sla.lstsq(M, rhs - M @ sol, lapack_driver="gelsy", check_finite=False)[0]  # refinement
    w = fixed + np.asarray(ZF_rows.T @ (yF * sol[:k])).reshape(-1)
    alpha = np.where(at_C, C, 0.0)
    alpha[F] = sol[:k]
    return w, float(sol[k]), alpha


def _reduced_by_cg(yF: Array, XF: Any, rhs: Array, x0: Array) -> Array | None:
    r"""Solve :math:`\begin{bmatrix}K & y_F\\ y_F^\top & 0\end{bmatrix}x = r` from ``x0`` by CG, matrix-free.

    :math:`K = Z_F Z_F^\top` is applied in two sparse products
    (:math:`O(\mathrm{nnz}(X_F))`, no :math:`k \times k` matrix) and
    preconditioned by its diagonal. The border is eliminated:
    :math:`Kp = r_1 - Kx_0 - y\,b_0`, :math:`Kq = y`, then
    :math:`\delta b = (y^\top p - \rho_2)/(y^\top q)`,
    :math:`\delta\alpha = p - q\,\delta b`; a second round on the residual
    refines it (as the least-squares path does). CG from zero stays in the
    range of :math:`K`, so the correction is the minimum-norm one when
    :math:`K` is singular but the system consistent. Returns None when a
    solve does not reach its tolerance (:math:`y` outside the range of a
    singular :math:`K`, say): the caller then takes the dense least squares.
    """
    k = yF.size
    XT = XF.T.tocsr()  # X_F^T as CSR: both products row-parallel reads

    def K(v: Array) -> Array:
        return yF * (XF @ (XT @ (yF * v)))

    diag = np.asarray(XF.multiply(XF).sum(axis=1)).reshape(-1)
    pre = 1.0 / np.where(diag > 0, diag, 1.0)
    A = spla.LinearOperator((k, k), matvec=K, dtype=np.float64)
    P = spla.LinearOperator((k, k), matvec=lambda r: pre * r, dtype=np.float64)

    def cg(r: Array) -> Array | None:
        x, info = spla.cg(A, r, rtol=_CG_KKT_RTOL, atol=0.0, maxiter=_CG_KKT_MAX_ITER, M=P)
        return x if info == 0 and np.all(np.isfinite(x)) else None

    q = cg(yF)
    if q is None or not abs(float(yF @ q)) > 0:
        return None
    sol = x0.copy()
    for _ in range(2):  # the solve, then one refinement on its residual
        r1 = rhs[:k] - K(sol[:k]) - yF * sol[k]
        r2 = rhs[k] - float(yF @ sol[:k])
        p = cg(r1)
        if p is None:
            return None
        db = (float(yF @ p) - r2) / float(yF @ q)
        sol[:k] += p - q * db
        sol[k] += db
    return sol


def _dense(A: Any) -> Array:
    """A Gram block as an ndarray (sparse products return sparse blocks)."""
    return A.toarray() if hasattr(A, "toarray") else np.asarray(A)


def exact_triple(problem: SVMProblem, alpha: Array) -> tuple[Array, float, Array, float]:
    """Feasible alpha, w = Z^T alpha, exact b, and the gap of that triple."""
    a = project_dual(alpha, problem.y, problem.costs)
    w = problem.X.T @ (problem.y * a)
    b = 0.5 * sum(argmin_b(problem, w))
    return w, b, a, problem.primal_objective(w, b) - problem.dual_objective(a)


def polish(problem: SVMProblem, alpha: Array) -> tuple[Array, float, Array, float]:
    """Exact KKT solve on the active set read off ``alpha``; the better of the two triples.

    Returns ``(w, b, alpha, gap)`` with ``alpha`` dual feasible.
    """
    C = problem.costs
    start = exact_triple(problem, alpha)
    a = start[2]
    tau = 1e-7 * C
    free = (a > tau) & (a < C - tau)
    if not free.any():
        m = problem.y * (problem.X @ start[0] + start[1])
        free[np.argmin(np.abs(m - 1.0))] = True
    k = int(np.count_nonzero(free))
    if k > max(300, 10 * (problem.d + 1)) or not kkt_solve_fits(problem.d, k, problem.sparse):
        return start  # a dense KKT solve would cost more than it is worth
    cand = exact_triple(problem, kkt_solve(problem, free, (a >= C - tau) & ~free))
    return cand if cand[3] <= start[3] else start  # ties: the KKT solve's alpha is exact on the bounds


def kkt_brackets(m: Array, alpha: Array, C: float | Array) -> Array:
    r"""Each point's share of the duality gap: :math:`C_i\max(0, 1 - m_i) - \alpha_i(1 - m_i)`.

    For :math:`0 \le \alpha_i \le C_i` every bracket is :math:`\ge 0`, and with
    :math:`w = Z^\top\alpha`, :math:`y^\top\alpha = 0` they sum to the gap
    :math:`P(w, b) - D(\alpha)` (``proofs/T04``). A bracket is 0 exactly when
    the point satisfies its KKT condition (``proofs/T06``): :math:`m_i \ge 1`
    at 0, :math:`m_i \le 1` at :math:`C_i`, :math:`m_i = 1` in between; so the
    brackets weigh each violated sign condition of a partition by what it
    costs in the certificate.

    Parameters
    ----------
    m : ndarray of shape (n,)
        Margins :math:`m_i = y_i(w^\top x_i + b)`.
    alpha : ndarray of shape (n,)
        Dual coefficients, not multiplied by y.
    C : float or ndarray of shape (n,)
        The costs :math:`C_i` (a float for uniform costs).

    Returns
    -------
    ndarray of shape (n,)
        :math:`C_i\max(0, 1 - m_i) - \alpha_i(1 - m_i)`, elementwise.
    """
    return C * np.maximum(0.0, 1.0 - m) - alpha * (1.0 - m)
