r"""A primal-dual interior-point method for the soft-margin SVM, with an exact finish.

The QP (``proofs/T03``, ``proofs/T13``), with :math:`Z = \mathrm{diag}(y)X`:

.. math::

    \min_{w, b, \xi}\ \tfrac12\|w\|^2 + C\,1^\top\xi
    \quad\text{s.t.}\quad Zw + yb + \xi - s = 1,\quad \xi \ge 0,\ s \ge 0,

whose multipliers :math:`\alpha` of the equality are the dual variables
(:math:`0 \le \alpha \le C`, :math:`y^\top\alpha = 0`, :math:`w = Z^\top\alpha`).
The central path keeps :math:`\alpha_i s_i = \mu` and
:math:`(C - \alpha_i)\xi_i = \mu`. Each Newton step eliminates
:math:`\Delta s, \Delta\xi, \Delta\alpha` and solves one
:math:`(d+1)\times(d+1)` system (Ferris & Munson, *Interior-point methods
for massive support vector machines*, SIAM J. Optim. 13(3), 2002; the SVM
module of OOQP, Gertz & Wright, ACM TOMS 29(1), 2003) with
:math:`H = D^{-1}`, :math:`D = \mathrm{diag}(s/\alpha + \xi/(C - \alpha))`:

.. math::

    \begin{bmatrix} I + X^\top H X & X^\top H 1 \\ 1^\top H X & 1^\top H 1 \end{bmatrix}
    \begin{bmatrix} \Delta w \\ \Delta b \end{bmatrix} =
    \begin{bmatrix} Z^\top H g - r_w \\ y^\top H g + r_b \end{bmatrix},
    \qquad \Delta\alpha = H(g - Z\Delta w - y\Delta b),

formed in one pass over the data (a weighted Gram). When :math:`d + 1 > n` the
:math:`n \times n` form :math:`(ZZ^\top + D)\Delta\alpha + y\Delta b = g`,
:math:`y^\top\Delta\alpha = -r_b` is solved instead.
"""

from __future__ import annotations

import numbers
import time
import warnings
from typing import Any

import numpy as np
import scipy.linalg as sla
from numpy.typing import NDArray

from .certificates import certify
from .exceptions import ConvergenceWarning, DualSVMError
from .feasibility import argmin_b, project_dual
from .finish import kkt_solve_wb, partition_violations
from .operators import DenseOperator
from .problem import SVMProblem
from .solution import Solution

__all__ = ["solve_ipm", "IPM_OPTIONS"]

Array = NDArray[np.float64]

#: Options of :func:`solve_ipm` beyond ``target_gap`` and ``max_iter``, with defaults.
IPM_OPTIONS: dict[str, Any] = {
    "newton": "auto",  # "features": (d+1)x(d+1) system; "samples": n x n; "auto": the smaller
    "finish": True,  # exact finish on the partition read off complementarity
    "step_fraction": 0.995,  # fraction of the step to the boundary
    "finish_below": 1e-5,  # try the finish once the estimated relative gap is below this
}

_EPS = np.finfo(np.float64).eps


# -- the Newton systems ----------------------------------------------------------------
def _cholesky(M: Array) -> tuple[tuple[Array, bool], float]:
    """Cholesky factor of ``M``, adding a proximal term ``delta*I`` if a pivot is not positive.

    Returns the factor and the ``delta`` used (0 when none was needed). The
    direction is then that of a proximal-point Newton step: inexact, but the
    iteration goes on and the certificate, not this step, decides.
    """
    delta = 0.0
    scale = max(1.0, float(np.abs(np.diag(M)).max()))
    for _ in range(12):
        try:
            Mr = M if delta == 0.0 else M + delta * np.eye(M.shape[0])
            return sla.cho_factor(Mr, lower=False, check_finite=False), delta
        except np.linalg.LinAlgError:
            delta = 1e-14 * scale if delta == 0.0 else 100.0 * delta
    raise np.linalg.LinAlgError("Newton matrix not positive definite even after regularization")


class _FeatureNewton:
    r"""The :math:`(d+1)\times(d+1)` Schur complement, one data pass to form."""

    form = "features"

    def __init__(self, op: DenseOperator, y: Array) -> None:
        self.op, self.y = op, y
        self.deltas: list[float] = []

    def factor(self, D: Array, alpha: Array, g: Array, extra: Array | None = None) -> tuple[Array, Array | None]:
        r"""Form and factor M in one pass; return :math:`Z^\top\alpha` and :math:`X^\top` ``extra``.

        The same pass gives :math:`X^\top H 1` (for M) and :math:`Z^\top H g`
        (the predictor's right-hand side, kept for :meth:`solve`).
        """
        y, h = self.y, 1.0 / D
        cols = [h, y * alpha, y * h * g] + ([] if extra is None else [extra])
        G, XtV = self.op.weighted_gram(h, np.column_stack(cols))
        d = G.shape[0]
        M = np.empty((d + 1, d + 1))
        M[:d, :d] = G
        M[np.arange(d), np.arange(d)] += 1.0
        M[:d, d] = M[d, :d] = XtV[:, 0]
        M[d, d] = h.sum()
        self.chol, delta = _cholesky(M)
        self.deltas.append(delta)
        self.h, self.g, self.ztHg = h, g, XtV[:, 2]
        return XtV[:, 1], (None if extra is None else XtV[:, 3])

    def products(self, alpha: Array, extra: Array) -> tuple[Array, Array]:
        r""":math:`Z^\top\alpha` and :math:`X^\top` ``extra`` without a factorization; one pass."""
        out = self.op.rmatvec(np.column_stack([self.y * alpha, extra]))
        return out[:, 0], out[:, 1]

    def solve(
        self, g: Array, r_w: Array | None, r_b: float, also: Array | None = None
    ) -> tuple[Array, float, Array, Array, Array | None]:
        r"""Return :math:`(\Delta w, \Delta b, \Delta\alpha, Z\Delta w)` and :math:`Z` ``also`` (same pass)."""
        y, h = self.y, self.h
        ztHg = self.ztHg if g is self.g else self.op.rmatvec(y * h * g)
        rhs = np.append(ztHg if r_w is None else ztHg - r_w, float((y * h) @ g) + r_b)
        sol = sla.cho_solve(self.chol, rhs, check_finite=False)
        dw, db = sol[:-1], float(sol[-1])
        if also is None:
            zdw, z_also = y * self.op.matvec(dw), None
        else:
            both = self.op.matvec(np.column_stack([dw, also]))
            zdw, z_also = y * both[:, 0], y * both[:, 1]
        da = h * (g - zdw - y * db)
        return dw, db, da, zdw, z_also

    def margins(self, w: Array, alpha: Array) -> Array:
        r""":math:`Zw`; one pass."""
        return self.y * self.op.matvec(w)


class _SampleNewton:
    r"""The :math:`n\times n` form, for :math:`d + 1 > n`; :math:`w = Z^\top\alpha` stays implicit."""

    form = "samples"

    def __init__(self, op: DenseOperator, y: Array) -> None:
        self.op, self.y = op, y
        self.K = y[:, None] * op.row_gram() * y[None, :]
        self.deltas: list[float] = []

    def factor(self, D: Array, alpha: Array, g: Array, extra: Array | None = None) -> tuple[Array | None, Array | None]:
        A = self.K.copy()
        A[np.diag_indices_from(A)] += D
        self.chol, delta = _cholesky(A)
        self.deltas.append(delta)
        self.q = sla.cho_solve(self.chol, self.y, check_finite=False)
        return (None, None) if extra is None else self.products(alpha, extra)

    def products(self, alpha: Array, extra: Array) -> tuple[Array, Array]:
        out = self.op.rmatvec(np.column_stack([self.y * alpha, extra]))
        return out[:, 0], out[:, 1]

    def solve(
        self, g: Array, r_w: Array | None, r_b: float, also: Array | None = None
    ) -> tuple[None, float, Array, Array, None]:
        p = sla.cho_solve(self.chol, g, check_finite=False)
        db = float((self.y @ p + r_b) / (self.y @ self.q))
        da = p - self.q * db
        return None, db, da, self.K @ da, None

    def margins(self, w: Array, alpha: Array) -> Array:
        r""":math:`Zw = K\alpha` for :math:`w = Z^\top\alpha`; no pass."""
        return self.K @ alpha


# -- helpers ---------------------------------------------------------------------------
def _max_step(v: Array, dv: Array) -> float:
    """Largest t <= 1 with v + t*dv >= 0 (v > 0)."""
    neg = dv < 0
    return min(1.0, float((-v[neg] / dv[neg]).min())) if neg.any() else 1.0


def _start(y: Array, C: float) -> tuple[Array, Array, Array, float]:
    """alpha = C/2 (the centre of the box), s = xi = 1 (margins of order 1), b = 0: all products equal."""
    n = y.shape[0]
    return np.full(n, 0.5 * C), np.ones(n), np.ones(n), 0.0


def _check_options(target_gap: Any, max_iter: Any, options: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(IPM_OPTIONS))
    if unknown:
        raise DualSVMError(f"unknown option(s) {unknown} for solve_ipm; valid: ['max_iter', 'target_gap', "
                           + ", ".join(repr(k) for k in sorted(IPM_OPTIONS)) + "]")
    if isinstance(target_gap, (bool, np.bool_)) or not isinstance(target_gap, numbers.Real) \
            or not np.isfinite(target_gap) or target_gap <= 0:
        raise DualSVMError(f"target_gap must be a finite number > 0, got {target_gap!r}")
    if isinstance(max_iter, (bool, np.bool_)) or not isinstance(max_iter, numbers.Integral) or max_iter < 1:
        raise DualSVMError(f"max_iter must be an integer >= 1, got {max_iter!r}")
    opts = {**IPM_OPTIONS, **options}
    if opts["newton"] not in ("auto", "features", "samples"):
        raise DualSVMError(f"newton must be 'auto', 'features' or 'samples', got {opts['newton']!r}")
    if not isinstance(opts["finish"], (bool, np.bool_)):
        raise DualSVMError(f"finish must be True or False, got {opts['finish']!r}")
    sf = opts["step_fraction"]
    if isinstance(sf, (bool, np.bool_)) or not isinstance(sf, numbers.Real) or not 0 < sf < 1:
        raise DualSVMError(f"step_fraction must be a number in (0, 1), got {sf!r}")
    fb = opts["finish_below"]
    if isinstance(fb, (bool, np.bool_)) or not isinstance(fb, numbers.Real) or not fb > 0:
        raise DualSVMError(f"finish_below must be a number > 0, got {fb!r}")
    return opts


def _argmin_b_mid(problem: SVMProblem, op: DenseOperator, w: Array) -> float:
    """Midpoint of :func:`dualsvm.argmin_b`; the pass it makes over X is counted on ``op``."""
    op.passes += 1  # argmin_b reads X once; it takes no operator yet
    return 0.5 * sum(argmin_b(problem, w))


def _partition(alpha: Array, s: Array, xi: Array, C: float) -> tuple[Array, Array]:
    r"""Free and at-C masks read off complementarity.

    :math:`\alpha_i s_i = \mu` and :math:`(C-\alpha_i)\xi_i = \mu`: a point is at 0
    when :math:`\alpha_i / C < s_i`, at C when :math:`1 - \alpha_i/C < \xi_i`,
    free otherwise (both sides in the units of a margin).
    """
    a = alpha / C
    low = s - a  # > 0: alpha -> 0
    up = xi - (1.0 - a)  # > 0: alpha -> C
    at_C = (up > 0) & (up >= low)
    at_0 = (low > 0) & ~at_C
    return ~at_0 & ~at_C, at_C


def _finish(
    problem: SVMProblem, op: DenseOperator, newton: _FeatureNewton | _SampleNewton,
    free: Array, at_C: Array, fixed: Array, start: tuple[Array, float, Array], *, rounds: int = 3, max_moves: int = 5,
) -> tuple[dict[str, Any], tuple[Array, float, Array] | None]:
    r"""The exact finish: KKT solve on the partition, then the sign checks; a few active-set corrections.

    ``fixed`` is :math:`C Z_U^\top 1` for ``at_C`` (from the Newton pass). A
    violator is moved (a free :math:`\alpha` below 0 to the lower bound,
    above :math:`C` to the upper one; a fixed point with the wrong margin to
    the free set; a free point off the margin to the side its margin says)
    and the equalities are solved again. Moving points only needs their
    rows; each check of the margins costs one pass (none in the
    :math:`n \times n` form).
    """
    C, y = problem.C, problem.y
    free, at_C = free.copy(), at_C.copy()
    info: dict[str, Any] = {"n_free": int(free.sum()), "n_at_C": int(at_C.sum()), "rounds": 0}
    tol_a = 1e-9 * C

    def move(to_C: Array, from_C: Array) -> None:
        nonlocal fixed
        rows = np.flatnonzero(to_C | from_C)
        if rows.size:
            sign = np.where(to_C[rows], 1.0, -1.0)
            fixed = fixed + C * (op.rows(rows).T @ (sign * y[rows]))

    for rnd in range(1, rounds + 1):
        info["rounds"] = rnd
        if free.sum() > max(2000, 10 * (problem.d + 1)):
            info["outcome"] = "too many free points for a dense KKT solve"
            return info, None
        w, b, a = kkt_solve_wb(problem, free, at_C, start=start, fixed=fixed, operator=op)
        low, high = free & (a < -tol_a), free & (a > C + tol_a)
        if low.any() or high.any():  # a free alpha left the box: fix it at that bound
            info["outcome"], info["n_violations"] = "free alpha outside the box", int((low | high).sum())
            if (low | high).sum() > max_moves:
                break
            free &= ~(low | high)
            at_C |= high
            move(high, np.zeros_like(high))
            start = (w, b, a[free])
            continue
        a = np.clip(a, 0.0, C)
        F = np.flatnonzero(free)
        w = fixed + op.rows(F).T @ (y[F] * a[F]) if F.size else fixed.copy()
        zw = newton.margins(w, a)
        if not F.size:  # no equation fixes b: take the exact minimiser of P(w, .)
            b = _argmin_b_mid(problem, op, w)
        m = zw + y * b
        tol_m = 1e-9 * (1.0 + float(np.abs(zw).max()) + abs(b))
        viol = partition_violations(m, a, C, free, at_C, tol_m=tol_m, tol_a=tol_a)
        info["n_violations"] = int(viol.sum())
        if not viol.any():
            info["outcome"] = "KKT point"
            return info, (w, b, a)
        info["outcome"] = "sign conditions violated"
        if viol.sum() > max_moves:
            break
        at_0 = ~free & ~at_C
        join = viol & ~free  # fixed points with the wrong margin become free
        leave_up, leave_low = viol & free & (m < 1.0), viol & free & (m > 1.0)
        move(leave_up, join & at_C)
        at_C = (at_C & ~join) | leave_up
        free = (free | join) & ~leave_up & ~leave_low
        del at_0
        start = (w, b, a[free])
    return info, None


# -- the solver --------------------------------------------------------------------------
def solve_ipm(
    problem: SVMProblem,
    *,
    target_gap: float = 1e-9,
    max_iter: int = 100,
    **options: Any,
) -> Solution:
    r"""Solve the SVM QP by a primal-dual interior-point method and certify the answer.

    Mehrotra's predictor-corrector (Nocedal & Wright, *Numerical
    Optimization*, 2nd ed., algorithm 16.4) on the QP of :mod:`dualsvm.ipm`,
    started from :math:`\alpha = C/2`, :math:`s = \xi = 1`, :math:`w = 0`,
    :math:`b = 0` (an infeasible start; the equality residuals shrink by the
    step each iteration). Per iteration, with :math:`H = D^{-1}`:

    * one pass forms :math:`M = \begin{bmatrix} I + X^\top H X & X^\top H 1 \\
      1^\top H X & 1^\top H 1\end{bmatrix}` (a weighted Gram), and in the same
      pass :math:`Z^\top\alpha` and the predictor's right-hand side;
      :math:`M` is factored by Cholesky, with a proximal term
      :math:`\delta I` if a pivot is not positive;
    * the predictor (:math:`\sigma = 0`) needs :math:`Z\Delta w` (one pass),
      the corrector, with :math:`\sigma = (\mu_{aff}/\mu)^3` and the
      second-order terms, one :math:`X^\top` and one :math:`X` product.

    That is four passes per iteration. The reduction of the Newton system to
    :math:`M` is ``proofs/T13-newton-reduction.md``. When :math:`d + 1 > n`
    the :math:`n\times n` system :math:`(ZZ^\top + D)\Delta\alpha + y\Delta b = g`
    is factored instead (no data pass per iteration).

    **Exact finish.** Once the estimated relative gap
    :math:`\sum_i[\alpha_i s_i + (C-\alpha_i)\xi_i]/\max(1, |D|)` is below
    ``finish_below``, each iterate's partition is read off complementarity
    (at 0 when :math:`\alpha_i/C < s_i`, at :math:`C` when
    :math:`1 - \alpha_i/C < \xi_i`, else free), the KKT equalities of that
    partition are solved exactly (:func:`dualsvm.finish.kkt_solve`, as the
    minimum-norm correction of the iterate), and every inequality is checked:
    :math:`0 \le \alpha_F \le C`, :math:`m_i \ge 1` at 0, :math:`m_i \le 1` at
    :math:`C` (``proofs/T06``). A wrong partition fails a check and the
    iterations go on. ``b`` is the midpoint of :math:`\arg\min_b P(w, b)`.

    Parameters
    ----------
    problem : SVMProblem
    target_gap : float, default 1e-9
        Required certified relative gap :math:`G/\max(1,|P|)`.
    max_iter : int, default 100
        Newton steps at most.
    **options
        ``newton`` (``"auto"``, ``"features"``, ``"samples"``), ``finish``
        (bool, default True; False certifies the interior iterate itself),
        ``step_fraction`` (default 0.995), ``finish_below`` (default 1e-5).
        See :data:`IPM_OPTIONS`. Unknown keys raise :class:`DualSVMError`.

    Returns
    -------
    Solution
        ``method="ipm"``. ``status`` is ``"optimal"`` only when the
        certificate meets ``target_gap``; otherwise ``"max_iter"`` or
        ``"inaccurate"`` with a :class:`ConvergenceWarning`.
        ``extras["data_passes"]`` counts the solver's reads of ``X`` (the
        certificate's own evaluation is not counted); ``extras["history"]``
        has one row per iteration, ``extras["finish"]`` one per attempt.

    Raises
    ------
    DualSVMError
        For ``target_gap <= 0``, ``max_iter < 1`` or an unknown option,
        naming the argument and the value received.
    """
    opts = _check_options(target_gap, max_iter, options)
    t0 = time.perf_counter()
    y, C, n, d = problem.y, problem.C, problem.n, problem.d
    op = DenseOperator(problem.X)
    form = opts["newton"] if opts["newton"] != "auto" else ("samples" if d + 1 > n else "features")
    newton: _FeatureNewton | _SampleNewton = _FeatureNewton(op, y) if form == "features" else _SampleNewton(op, y)
    eta = float(opts["step_fraction"])

    alpha, s, xi, b = _start(y, C)
    w = np.zeros(d)
    zw = np.zeros(n) if form == "features" else newton.K @ alpha  # type: ignore[union-attr]
    history: list[dict[str, float]] = []
    attempts: list[dict[str, Any]] = []
    found: tuple[Array, float, Array] | None = None
    status, why = "max_iter", f"max_iter={max_iter} Newton steps done"
    last_failed: bytes | None = None
    prev_part = None
    it = 0
    for it in range(max_iter + 1):  # noqa: B007 (read after the loop)
        u = C - alpha
        comp = float(alpha @ s + u @ xi)
        r_p = zw + y * b + xi - s - 1.0
        r_b = float(y @ alpha)
        if form == "samples":
            w_sq = float(alpha @ zw)  # ||Z^T alpha||^2 = alpha^T K alpha
        else:
            w_sq = float(w @ w)
        rel_est = comp / max(1.0, abs(float(alpha.sum()) - 0.5 * w_sq))
        row = {"mu": comp / (2 * n), "rel_gap_estimate": rel_est, "r_p": float(np.abs(r_p).max()), "r_b": abs(r_b)}
        history.append(row)
        if not np.all(np.isfinite(r_p)) or not np.isfinite(comp):
            status, why = "inaccurate", f"non-finite iterate at iteration {it}"
            break
        if not opts["finish"] and rel_est <= 0.1 * target_gap and row["r_p"] <= 1e-9 and abs(r_b) <= 1e-9 * C * n:
            status, why = "optimal", f"interior iterate at iteration {it}"
            break
        # The finish's partition is read off the current iterate, so C Z_U^T 1 can
        # ride along in the pass that forms the Newton matrix.
        gate = bool(opts["finish"]) and rel_est <= opts["finish_below"]
        free, at_C = _partition(alpha, s, xi, C)
        row["n_changed"] = -1 if prev_part is None else int(np.count_nonzero((free != prev_part[0]) | (at_C != prev_part[1])))
        prev_part = (free, at_C)
        if gate:
            key = np.packbits(np.concatenate([free, at_C])).tobytes()
            gate = key != last_failed
        extra = np.where(at_C, y, 0.0) if gate else None
        D = s / alpha + xi / u
        g_aff = xi - s - r_p
        if it == max_iter:
            if not gate:
                break
            zta, XtE = newton.products(alpha, extra)
        else:
            try:
                zta, XtE = newton.factor(D, alpha, g_aff, extra)
            except np.linalg.LinAlgError as exc:
                status, why = "inaccurate", f"Newton system failed at iteration {it}: {exc}"
                break
        if gate:
            w_start = w if zta is None else zta
            info, found = _finish(problem, op, newton, free, at_C, C * XtE, (w_start, b, alpha[free]))
            info["iteration"] = it
            attempts.append(info)
            if found is not None:
                # b: the exact minimiser of P(w, .), the midpoint when it is an interval.
                found = (found[0], _argmin_b_mid(problem, op, found[0]), found[2])
                status, why = "optimal", f"exact finish at iteration {it}"
                break
            last_failed = key
        if it == max_iter:
            break
        # -- Mehrotra predictor-corrector --------------------------------------------------
        r_w = None if zta is None else w - zta
        mu = comp / (2 * n)
        dw, db, da, zdw, z_w = newton.solve(g_aff, r_w, r_b, also=w if form == "features" else None)
        ds_ = -s - s * da / alpha
        dxi = -xi + xi * da / u
        t_aff = min(_max_step(alpha, da), _max_step(u, -da), _max_step(s, ds_), _max_step(xi, dxi))
        mu_aff = float((alpha + t_aff * da) @ (s + t_aff * ds_) + (u - t_aff * da) @ (xi + t_aff * dxi)) / (2 * n)
        sigma = min(1.0, (mu_aff / mu) ** 3)
        c1 = sigma * mu - da * ds_
        c2 = sigma * mu + da * dxi
        dw2, db2, da2, zdw2, _ = newton.solve(c1 / alpha - c2 / u, None, 0.0)
        DA = da + da2
        DS = (c1 - alpha * s - s * DA) / alpha
        DXI = (c2 - u * xi + xi * DA) / u
        t = min(1.0, eta * min(_max_step(alpha, DA), _max_step(u, -DA), _max_step(s, DS), _max_step(xi, DXI)))
        row.update(sigma=sigma, step=t, step_affine=t_aff, regularization=newton.deltas[-1],
                   limit=int(np.argmin([_max_step(alpha, DA), _max_step(u, -DA), _max_step(s, DS), _max_step(xi, DXI)])))
        alpha = alpha + t * DA
        s = s + t * DS
        xi = xi + t * DXI
        b += t * (db + db2)
        if form == "features":
            w = w + t * (dw + dw2)
            zw = z_w + t * (zdw + zdw2)
        else:
            zw = zw + t * (zdw + zdw2)
        if t < 1e-12:
            status, why = "inaccurate", f"step length {t:.2g} at iteration {it}"
            break
    ipm_time = time.perf_counter() - t0
    if found is None:
        # No certified finish: certify the interior iterate itself (projected onto the dual feasible set).
        a = project_dual(alpha, y, C)
        w_f = op.rmatvec(y * a)
        found = (w_f, _argmin_b_mid(problem, op, w_f), a)
    passes = op.passes
    sol = certify(
        problem, found[0], found[1], found[2], method="ipm", status="optimal" if status == "optimal" else status,
        iterations=it, solve_time=float("nan"), target_gap=target_gap, build_alpha=False,
        extras={
            "data_passes": passes, "newton": form, "history": history, "finish": attempts,
            "regularized_steps": int(sum(dl > 0 for dl in newton.deltas)), "ipm_time": ipm_time, "stop": why,
        },
    )
    sol.solve_time = time.perf_counter() - t0
    sol.extras["certificate_time"] = sol.solve_time - ipm_time
    if not sol.success:
        if status == "optimal":
            status = "inaccurate"
        sol.status = status
        sol.message = (
            f"interior point stopped ({why}) at certified relative gap {sol.relative_gap:.3g} > target "
            f"{target_gap:.3g}; raise max_iter, or standardize X"
        )
        warnings.warn(sol.message, ConvergenceWarning, stacklevel=2)
    return sol
