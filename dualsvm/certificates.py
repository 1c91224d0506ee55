r"""Certificates of optimality: pure functions of ``(problem, w, b, alpha)``.

Every number here is a bound that holds *in exact arithmetic* for any
candidate ``(w, b)`` and any ``alpha`` (projected onto the dual feasible set
first); nothing trusts a solver's own status, and nothing here solves an
optimization problem. Building a good ``alpha`` for a candidate that has none
is a solver's job (:func:`dualsvm.certify`, ``dualsvm/dual_point.py``).

* **Gap** (``proofs/T04``). For :math:`0 \le \alpha_i \le C_i`, with
  :math:`Z = \mathrm{diag}(y) X` and :math:`m_i = y_i(w^\top x_i + b)`,

  .. math::

     P(w,b) - D(\alpha) = \tfrac12\|w - Z^\top\alpha\|^2
         + \sum_i \bigl[C_i\max(0, 1 - m_i) - \alpha_i (1 - m_i)\bigr] - b\,y^\top\alpha,

  every bracket :math:`\ge 0`, and :math:`P(w,b) - P^* \le P(w,b) - D(\alpha) + |b^*|\,|y^\top\alpha|`
  (the last term because a rounded :math:`\alpha` need not have
  :math:`y^\top\alpha = 0` exactly; :math:`|b^*| \le 1 + R\sqrt{2P(w,b)}`).
  The gap is evaluated through this identity, in extended precision
  (``numpy.longdouble``), and every rounding error is bounded a priori
  (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
  section 3.1, :math:`\gamma_k = ku/(1-ku)`), so the reported
  ``duality_gap`` :math:`\bar G` is an upper bound on :math:`P(w,b) - P^*`
  in exact arithmetic (``proofs/T10``).
* **Rounding allowances** (``gap_floor``; :math:`u`, :math:`u_e` the unit
  roundoffs of float64 and longdouble, :math:`\gamma_k = \gamma_k(u_e)`
  unless marked, :math:`v = Z^\top\alpha`, :math:`\hat G` the computed
  identity): :math:`\delta_i = 2\gamma_{d+2}(|x_i|^\top|w| + |b|)` for
  :math:`m_i`; :math:`\epsilon_j = 2\gamma_{n+2}(|X|^\top\alpha)_j` for
  :math:`v_j`; the brackets :math:`2(1 + \gamma_n(u))\sum_i L_i\delta_i`, with
  :math:`L_i` the largest slope of bracket :math:`i` within :math:`2\delta_i`
  of :math:`m_i` (:math:`C_i - \alpha_i` below 1, :math:`\alpha_i` above);
  the square :math:`2(\|w - v\|\|\epsilon\| + \tfrac12\|\epsilon\|^2) + \gamma_{d+2}\|w - v\|^2`;
  the sum :math:`\hat G(\gamma_{n+d+6} + 4u)`; and
  :math:`(|b| + B)\,|y^\top\alpha|(1 + 8u)`, :math:`B \ge |b^*|` from a
  first b interval. Then :math:`\bar G = (\hat G + \text{gap\_floor})(1 + 4u)`.
  (``tests/test_oracle.py`` pins each on data where it is the
  largest term.)
* **Radius** (``proofs/T10``): :math:`P` is 1-strongly convex in :math:`w`,
  so :math:`\|w - w^*\| \le r = \sqrt{2\bar G}` (rounded up).
* **Optimal margins and the b interval** (``proofs/T09``): with
  :math:`\rho_i = r\|x_i\| + \delta_i` (:math:`\delta_i` the rounding bound of
  :math:`x_i^\top w`), :math:`t_i^* = y_i - x_i^\top w^*` lies in
  :math:`[t_i - \rho_i, t_i + \rho_i]`, so every optimal :math:`b^*` lies
  between the :math:`n_+`-th order statistic of :math:`t - \rho` and the
  :math:`(n_+ + 1)`-th of :math:`t + \rho`, and every optimal margin
  :math:`m_i^* = y_i x_i^\top w^* + y_i b^*` in ``margin_range``.
* **Labels** (``proofs/T06``, :func:`support_labels`): read off the margin
  range alone.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .feasibility import project_dual, slope_zero
from .problem import SVMProblem
from .solution import SUCCESS_STATUSES, Solution

__all__ = ["certificate", "support_labels", "NON", "MARGIN", "BOUND", "UNDECIDED"]

Array = NDArray[np.float64]

#: Label codes of :func:`support_labels`.
NON, MARGIN, BOUND, UNDECIDED = 0, 1, 2, 3

_U = np.finfo(np.float64).eps / 2  # unit roundoff of float64
_U_EXT = float(np.finfo(np.longdouble).eps) / 2  # of the extended type (== _U where longdouble is double)


def _gamma(k: float, u: float) -> float:
    """Higham's :math:`\\gamma_k = ku / (1 - ku)`."""
    return k * u / (1.0 - k * u)


def _verdict(G: float, P: float, target_gap: float, status: str, message: str) -> tuple[float, str, bool, str]:
    """The relative gap G / max(1, |P|), the status ("inaccurate" for a success that misses ``target_gap``),
    success (a success status and the target met) and the default message."""
    rel = G / max(1.0, abs(P))
    met = rel <= target_gap
    if status in SUCCESS_STATUSES and not met:
        status = "inaccurate"
    if not message:
        message = f"relative gap {rel:.3g} {'<=' if met else '>'} target {target_gap:.3g}"
    return rel, status, bool(met and status in SUCCESS_STATUSES), message


def support_labels(m_lo: ArrayLike, m_hi: ArrayLike, margin_tol: float) -> NDArray[np.int8]:
    r"""Certified support-vector labels from certified margin bounds (``proofs/T06``).

    Given :math:`m^{lo}_i \le m_i^* \le m^{hi}_i` for every optimal
    :math:`(w^*, b^*)`, and the KKT conditions that hold for every pair of
    primal and dual optima (:math:`\alpha_i^* > 0 \Rightarrow m_i^* \le 1`,
    :math:`\alpha_i^* < C_i \Rightarrow m_i^* \ge 1`):

    * :data:`NON` if :math:`m^{lo}_i > 1`: every optimal :math:`\alpha_i^* = 0`;
    * :data:`BOUND` if :math:`m^{hi}_i < 1`: every optimal :math:`\alpha_i^* = C_i`;
    * :data:`MARGIN` if :math:`m^{lo}_i \le 1 \le m^{hi}_i` and
      :math:`m^{hi}_i - m^{lo}_i \le` ``margin_tol``: the point lies on the
      margin within the interval's width, :math:`|m_i^* - 1| \le m^{hi}_i - m^{lo}_i`
      (a statement about the margin, not about :math:`\alpha_i^*`);
    * :data:`UNDECIDED` otherwise.

    Parameters
    ----------
    m_lo, m_hi : array_like of shape (n,)
        Certified bounds :math:`m^{lo}_i \le m_i^* \le m^{hi}_i` on every optimal margin
        (``Solution.margin_range``).
    margin_tol : float
        Largest width :math:`m^{hi}_i - m^{lo}_i` labelled :data:`MARGIN`.

    Returns
    -------
    ndarray of int8 of shape (n,)
        One code per point: :data:`NON` (0), :data:`MARGIN` (1), :data:`BOUND` (2)
        or :data:`UNDECIDED` (3).
    """
    lo, hi = np.asarray(m_lo, dtype=np.float64), np.asarray(m_hi, dtype=np.float64)
    out = np.full(lo.shape, UNDECIDED, dtype=np.int8)
    out[(lo <= 1.0) & (hi >= 1.0) & (hi - lo <= margin_tol)] = MARGIN
    out[lo > 1.0] = NON
    out[hi < 1.0] = BOUND
    return out


def certificate(
    problem: SVMProblem,
    w: ArrayLike,
    b: ArrayLike,
    alpha: ArrayLike,
    *,
    method: str = "certify",
    status: str = "certified",
    message: str = "",
    iterations: int = 0,
    solve_time: float = float("nan"),
    extras: dict[str, Any] | None = None,
    target_gap: float = 1e-8,
    margin_tol: float = 1e-3,
) -> Solution:
    r"""The certificate of ``(w, b)`` by the dual point ``alpha``: a pure function.

    ``alpha`` is first projected onto :math:`\{0 \le \alpha_i \le C_i,\ y^\top\alpha = 0\}`
    (:func:`dualsvm.project_dual`); any ``alpha`` gives a valid certificate,
    a better one a smaller gap. The formulas are in the module docstring and
    on :class:`~dualsvm.Solution`.

    What is certified, for every optimum :math:`(w^*, b^*)` and in exact arithmetic:

    .. math::

       \bar G \ge P(w, b) - P^*, \qquad \|w - w^*\| \le r = \sqrt{2\bar G}, \qquad
       b^* \in [b_{lo}, b_{hi}], \qquad m^{lo}_i \le m_i^* \le m^{hi}_i.

    Parameters
    ----------
    problem : SVMProblem
        The data, labels and costs :math:`C_i`.
    w : array_like of shape (d,) or (1, d)
        The candidate's weights (scikit-learn's ``coef_`` as it is).
    b : float or array_like of shape (1,)
        The candidate's bias (scikit-learn's ``intercept_`` as it is).
    alpha : array_like of shape (n,)
        Dual coefficients, not multiplied by y.
    method : str, default "certify"
        Recorded on the returned :class:`~dualsvm.Solution`: who produced the candidate.
    status : str, default "certified"
        The caller's status: kept when the certificate meets ``target_gap``
        (or when it already names a failure such as ``"max_iter"``); a
        success status whose certificate misses the target becomes
        ``"inaccurate"``.
    message : str, default ""
        Recorded; when empty, the relative gap against ``target_gap`` is recorded instead.
    iterations : int, default 0
        Recorded: the producer's iteration count.
    solve_time : float, default nan
        Recorded: the producer's wall-clock seconds.
    extras : dict, optional
        Recorded (copied): the producer's raw information.
    target_gap : float, default 1e-8
        Required relative gap :math:`\bar G / \max(1, |P|)`.
    margin_tol : float, default 1e-3
        Largest width of a certified margin range for the label
        :data:`MARGIN` (:func:`support_labels`).

    Returns
    -------
    Solution
        The candidate ``(w, b)``, the projected ``alpha``, and every certified quantity:
        ``duality_gap`` :math:`\bar G`, ``relative_gap``, ``radius``, ``b_interval``,
        ``margin_range``, the KKT residuals and the certified labels. The
        ``kkt`` residuals are those of ``(w, b)`` and the projected ``alpha``
        (``Solution.alpha``), except ``kkt["dual_box"]``:
        :math:`\max(0, -\min_i\alpha_i, \max_i(\alpha_i - C_i))` of ``alpha``
        *as supplied*, before the projection (after it, the box holds exactly,
        so that residual would always be 0). It says how far the caller's dual
        point was from the box; the certificate does not depend on it.
    """
    if getattr(problem, "chunked", False):  # X on dask blocks: the same bounds, block by block
        from .chunked_certificate import certificate_chunked

        return certificate_chunked(problem, w, b, alpha, method=method, status=status, message=message,
                                   iterations=iterations, solve_time=solve_time, extras=extras,
                                   target_gap=target_gap, margin_tol=margin_tol)
    w_, b_ = problem._check_wb(w, b)
    a_in = problem._check_alpha(alpha)
    a = project_dual(a_in, problem.y, problem.costs)
    y, C, n, d = problem.y, problem.costs, problem.n, problem.d  # C: the costs C_i
    op = problem.operator()  # dense or sparse: every product below is O(nnz) extra memory
    u, ue = _U, _U_EXT
    s_ext, v_ext = op.extended(w_, y * a)  # y * a is exact: y is +-1
    m_ext = y * (s_ext + b_)
    one_m = 1.0 - m_ext
    brackets = np.where(one_m > 0, (C - a) * one_m, a * (-one_m))  # C*hinge - alpha*(1 - m), each >= 0
    r_wv = w_ - v_ext
    identity = 0.5 * np.dot(r_wv, r_wv) + np.sum(brackets)
    P = float(0.5 * np.dot(w_.astype(np.longdouble), w_) + np.dot(C.astype(np.longdouble), np.maximum(one_m, 0)))
    D = float(np.sum(a, dtype=np.longdouble) - 0.5 * np.dot(v_ext, v_ext))
    yta = math.fsum((y * a).tolist())  # correctly rounded; y*a is exact

    # A priori rounding bounds, each inflated by 2 to cover its own evaluation.
    delta = 2.0 * _gamma(d + 2, ue) * (op.abs_matvec(np.abs(w_)) + abs(b_))  # |fl(m_i) - m_i|
    eps_v = 2.0 * _gamma(n + 2, ue) * op.abs_rmatvec(a)  # |fl(v_j) - v_j|
    norms = op.row_norms() * (1.0 + _gamma(d + 2, u))
    if problem.kernel_factor is not None:  # |f(x_i) - f*(x_i)| <= ||f - f*||_H sqrt(K_ii), K_ii = ||L_i||^2 + E_ii
        norms = np.sqrt(norms**2 + problem.kernel_factor.residual_diag) * (1.0 + 2 * u)
    R = float(norms.max())
    # Bracket i is piecewise linear in m_i with slopes -(C - alpha_i) below 1 and alpha_i above;
    # only the slopes met within delta_i of the computed margin count.
    # (compared in longdouble with 2*delta: m -+ delta can round back to m in float64)
    lip = np.maximum(np.where(one_m > -2 * delta, C - a, 0.0), np.where(one_m < 2 * delta, a, 0.0))
    err_brackets = 2.0 * float(lip @ delta) * (1.0 + _gamma(n, u))
    nrm = float(np.sqrt(2.0 * float(0.5 * np.dot(r_wv, r_wv))))
    err_wv = 2.0 * (nrm * float(np.linalg.norm(eps_v)) + 0.5 * float(eps_v @ eps_v)) + _gamma(d + 2, ue) * nrm**2
    G_hat = max(float(identity), 0.0)
    if problem.kernel_factor is not None:  # the true kernel's dual: D_K >= D_L - (sum_i alpha_i sqrt(E_ii))^2 / 2 (T14)
        q = 0.5 * float(a @ np.sqrt(problem.kernel_factor.residual_diag)) ** 2 * (1.0 + _gamma(n + 4, u))
        if problem.kernel_factor.exact_residual:  # rank capped by the budget: v'Ev itself, exact Gram in blocks (T15)
            q = min(q, 0.5 * problem.kernel_factor.residual_quadratic(problem.X, y * a) * (1.0 + 4 * u))
        D -= q
        G_hat += q
    floor0 = G_hat * (_gamma(n + d + 6, ue) + 4 * u) + err_brackets + err_wv
    s = s_ext.astype(np.float64)
    t = y - s
    weights = problem.costs if problem.weighted else None

    def bounds(b_star: float) -> tuple[float, float, float, tuple[float, float], Array]:
        """Gap bound, radius and b interval, given |b*| <= b_star."""
        gap_floor = floor0 + (abs(b_) + b_star) * abs(yta) * (1.0 + 8 * u)
        G = (G_hat + gap_floor) * (1.0 + 4 * u)
        r = math.sqrt(2.0 * G) * (1.0 + 2 * u)
        rho = (r * norms + delta + u * np.abs(s)) * (1.0 + 4 * u)
        t_lo = (t - rho) - 2 * u * (np.abs(t) + rho)
        t_hi = (t + rho) + 2 * u * (np.abs(t) + rho)
        B = slope_zero(t_lo, t_hi, y, weights, slack=_gamma(n + 2, u))  # the weighted sums' rounding
        return gap_floor, G, r, B, rho

    # |b*| <= max_i |t_i^*| <= 1 + R ||w^*|| and ||w^*||^2 <= 2 P^* <= 2 P(w, b): valid but loose.
    # The b interval it certifies bounds |b*| again, more tightly (the gap term shrinks).
    # Each hinge term is off by at most C_i delta_i (err_brackets misses points at alpha_i = C_i).
    P_up = abs(P) * (1 + 1e-6) + 2.0 * float(C @ delta) + 1.0
    *_, B, _ = bounds(1.0 + R * math.sqrt(2.0 * P_up))
    gap_floor, G, r, (B_lo, B_hi), rho = bounds(max(abs(B[0]), abs(B[1])))
    ys = y * s
    yb_lo, yb_hi = np.minimum(y * B_lo, y * B_hi), np.maximum(y * B_lo, y * B_hi)
    scale = np.abs(ys) + rho + np.abs(yb_lo) + np.abs(yb_hi)
    m_lo = ys - rho + yb_lo - 4 * u * scale
    m_hi = ys + rho + yb_hi + 4 * u * scale
    labels = support_labels(m_lo, m_hi, margin_tol)
    labels[C == 0] = NON  # a zero cost fixes alpha_i = 0 in every dual point

    m = m_ext.astype(np.float64)
    comp = brackets.astype(np.float64)
    kkt = {
        "dual_box": float(max(0.0, -a_in.min(), (a_in - C).max())),  # before projection: after it, 0 by construction
        "dual_equality": abs(yta),
        "stationarity": float(np.sqrt(float(np.dot(r_wv, r_wv)))),
        "complementarity": float(comp.max(initial=0.0)),
    }
    rel, status, success, message = _verdict(G, P, target_gap, status, message)
    is_margin = labels == MARGIN
    return Solution(
        method=method, w=w_, b=b_, alpha=a,
        primal_objective=P, dual_objective=D, duality_gap=G, relative_gap=rel,
        radius=r, gap_floor=gap_floor, b_interval=(B_lo, B_hi), kkt=kkt,
        margin_support=np.flatnonzero(is_margin), bound_support=np.flatnonzero(labels == BOUND),
        non_support=np.flatnonzero(labels == NON), undecided=np.flatnonzero(labels == UNDECIDED),
        margin_range=(m_lo, m_hi), margin_tol=float(margin_tol),
        margin_width=float((m_hi - m_lo)[is_margin].max(initial=0.0)),
        status=status, success=success,
        message=message, iterations=iterations, solve_time=solve_time,
        extras=dict(extras or {}), classes=problem.classes, margins=m, C=C,
    )
