r"""Certificates of optimality: pure functions on an :class:`SVMProblem`.

Every number here is a bound that holds for *any* candidate ``(w, b)`` and
any dual-feasible ``alpha``; nothing trusts a solver's own status.

* Weak duality and the gap identity (``proofs/T04``): for
  :math:`0 \le \alpha \le C`, :math:`y^\top\alpha = 0`,

  .. math::

     G = P(w,b) - D(\alpha) = \tfrac12\|w - Z^\top\alpha\|^2
         + \sum_i \bigl[C\,\mathrm{hinge}(m_i) - \alpha_i (1 - m_i)\bigr] \ \ge 0,

  with :math:`Z = \mathrm{diag}(y) X` and :math:`m_i = y_i(w^\top x_i + b)`.
* Certified radius (``proofs/T10``): :math:`P` is 1-strongly convex in
  :math:`w`, so :math:`\|w - w^*\| \le r = \sqrt{2G}`, and the same holds for
  :math:`Z^\top\alpha` because :math:`\tfrac12\|Z^\top\alpha - w^*\|^2 \le P^* - D(\alpha)`.
* The b interval (``proofs/T09``): every optimal :math:`b^*` lies in
  :math:`[b_{lo} - rR,\ b_{hi} + rR]` where :math:`[b_{lo}, b_{hi}] =
  \arg\min_b P(w, b)` and :math:`R = \max_i \|x_i\|`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .feasibility import argmin_b, project_dual
from .problem import SVMProblem
from .solution import Solution
from .working_set import refine

__all__ = ["certify"]

Array = NDArray[np.float64]


def _naive_alpha(problem: SVMProblem, m: Array) -> Array:
    """alpha = C inside the margin, 0 outside (a weak but always-valid start)."""
    return np.where(m < 1.0, problem.C, 0.0)


def certify(
    problem: SVMProblem,
    w: ArrayLike,
    b: float,
    alpha: ArrayLike | None = None,
    *,
    method: str = "certify",
    status: str = "certified",
    message: str = "",
    iterations: int = 0,
    solve_time: float = float("nan"),
    extras: dict[str, Any] | None = None,
    target_gap: float = 1e-8,
    build_alpha: bool = True,
) -> Solution:
    r"""Certify any candidate ``(w, b)`` against the standard soft-margin SVM.

    The candidate may come from a dualsvm solver, from scikit-learn's
    ``coef_`` / ``intercept_`` or from a hand calculation.

    A dual-feasible :math:`\alpha` is built exactly. Candidates are
    (i) the projection of the supplied ``alpha`` (:func:`project_dual`);
    (ii) the working-set construction from the margins of ``(w, b)``, which
    fixes coefficients away from the margin and solves the small dual for
    the near-margin points exactly (:func:`dualsvm.working_set.refine`); and (iii) the naive
    rule :math:`\alpha_i = C\,[m_i < 1]`, projected. All are dual feasible,
    so each :math:`D(\alpha)` is a valid lower bound; the largest is kept.

    Parameters
    ----------
    problem : SVMProblem
    w : array_like of shape (d,)
    b : float
    alpha : array_like of shape (n,), optional
        Dual coefficients (not multiplied by y), if the candidate has them.
    method, status, message, iterations, solve_time, extras
        Recorded on the returned :class:`Solution`.
    target_gap : float, default 1e-8
        ``success`` requires ``relative_gap <= target_gap``.
    build_alpha : bool, default True
        With ``False`` only the supplied ``alpha`` (projected) is used: the
        certificate is then the candidate's *own*, with no QP solved.

    Returns
    -------
    Solution
    """
    w_, b_ = problem._check_wb(w, b)
    m = problem.y * (problem.X @ w_ + b_)
    P = problem.primal_objective(w_, b_)
    candidates: list[tuple[str, Array]] = []
    if alpha is not None:
        candidates.append(("supplied", project_dual(problem._check_alpha(alpha), problem.y, problem.C)))
    if alpha is None or build_alpha:
        if not candidates or P - problem.dual_objective(candidates[0][1]) > 1e-13 * max(1.0, abs(P)):
            candidates.append(("working-set", refine(problem, w_, b_).alpha))
        candidates.append(("naive", project_dual(_naive_alpha(problem, m), problem.y, problem.C)))
    D_vals = [problem.dual_objective(a) for _, a in candidates]
    k = int(np.argmax(D_vals))
    source, a = candidates[k]
    return _build_solution(
        problem, w_, b_, a, P, D_vals[k], m,
        method=method, status=status, message=message, iterations=iterations,
        solve_time=solve_time, extras={**(extras or {}), "alpha_source": source},
        target_gap=target_gap,
    )


def _build_solution(
    problem: SVMProblem, w: Array, b: float, alpha: Array, P: float, D: float, m: Array,
    *, method: str, status: str, message: str, iterations: int, solve_time: float,
    extras: dict[str, Any], target_gap: float,
) -> Solution:
    C, u = problem.C, np.finfo(np.float64).eps / 2
    v = problem.X.T @ (problem.y * alpha)
    hinge = np.maximum(0.0, 1.0 - m)
    gap = max(P - D, 0.0)
    # Bound on the rounding error of evaluating P - D in floating point
    # (sums of n + d terms, Higham's gamma_k): the radius never claims more.
    gap_round = (problem.n + problem.d + 2) * u * (
        0.5 * (w @ w + v @ v) + C * float(np.abs(1.0 - m).sum()) + float(alpha.sum())
    )
    rel = gap / max(1.0, abs(P))
    r = float(np.sqrt(2.0 * max(gap, gap_round)))
    comp = C * hinge - alpha * (1.0 - m)
    kkt = {
        "primal_feasibility": 0.0,
        "dual_box": float(max(0.0, -alpha.min(), alpha.max() - C)),
        "dual_equality": float(abs(problem.y @ alpha)),
        "stationarity": float(np.linalg.norm(w - v)),
        "complementarity": float(max(comp.max(), 0.0)),
    }
    # Certified range of every optimal b (proofs/T09).
    b_lo, b_hi = argmin_b(problem, w)
    norms = np.linalg.norm(problem.X, axis=1)
    eps_b = r * float(norms.max())
    b_interval = (b_lo - eps_b, b_hi + eps_b)
    # Certified range of each optimal margin m_i^*.
    ys = m - problem.y * b
    m_lo = ys - r * norms + np.minimum(problem.y * b_interval[0], problem.y * b_interval[1])
    m_hi = ys + r * norms + np.maximum(problem.y * b_interval[0], problem.y * b_interval[1])
    non = m_lo > 1.0
    bound_cert = m_hi < 1.0
    band = ~non & ~bound_cert
    tau = C * np.sqrt(max(gap, gap_round) / max(1.0, abs(P)))
    margin_sv = band & (alpha > tau) & (alpha < C - tau)
    bound_sv = bound_cert | (band & (alpha >= C - tau))
    undecided = band & ~margin_sv & ~bound_sv
    success = rel <= target_gap
    if not message:
        message = (
            f"relative gap {rel:.3g} <= target {target_gap:.3g}" if success
            else f"relative gap {rel:.3g} > target {target_gap:.3g}"
        )
    return Solution(
        method=method, w=w, b=b, alpha=alpha,
        primal_objective=P, dual_objective=D, duality_gap=gap, relative_gap=rel,
        radius=r, gap_floor=gap_round, b_interval=b_interval, kkt=kkt,
        margin_support=np.flatnonzero(margin_sv), bound_support=np.flatnonzero(bound_sv),
        undecided=np.flatnonzero(undecided), margin_range=(m_lo, m_hi),
        status=status, success=bool(success and status in ("optimal", "certified")),
        message=message, iterations=iterations, solve_time=solve_time,
        extras=extras, classes=problem.classes,
    )
