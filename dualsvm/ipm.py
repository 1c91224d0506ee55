r"""A primal-dual interior-point method for the soft-margin SVM, with an exact finish.

The QP (``proofs/T03``, ``proofs/T13``), with :math:`Z = \mathrm{diag}(y)X`:

.. math::

    \min_{w, b, \xi}\ \tfrac12\|w\|^2 + \textstyle\sum_i C_i\xi_i
    \quad\text{s.t.}\quad Zw + yb + \xi - s = 1,\quad \xi \ge 0,\ s \ge 0,

whose multipliers :math:`\alpha` of the equality are the dual variables
(:math:`0 \le \alpha_i \le C_i`, :math:`y^\top\alpha = 0`, :math:`w = Z^\top\alpha`;
:math:`C_i` the per-sample costs, all :math:`C` unweighted).
The central path keeps :math:`\alpha_i s_i = \mu` and
:math:`(C_i - \alpha_i)\xi_i = \mu`. Each Newton step eliminates
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

The same iteration runs on a *working set* :math:`A` with the other points
frozen at a bound (:math:`U` at :math:`C_i`, the rest at 0): the objective gains
:math:`-c_w^\top w - c_b b` with :math:`c_w = Z_U^\top C_U`,
:math:`c_b = y_U^\top C_U`, so only the residuals change:
:math:`r_w = w - c_w - Z_A^\top\alpha_A` and :math:`r_b = y_A^\top\alpha_A + c_b`.
"""

from __future__ import annotations

import numbers
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse.linalg as spla
from numpy.typing import NDArray

from .certificates import certificate
from .exceptions import ConvergenceWarning, DualSVMError
from .feasibility import argmin_b, project_dual, slope_zero
from .finish import kkt_brackets, kkt_solve_fits, kkt_solve_wb
from .operators import DenseOperator, blas_threads
from .problem import SVMProblem, check_max_iter, check_max_time, check_target_gap
from .solution import Solution
from .ws_logic import clip_balanced, working_set_loop

__all__ = ["solve_ipm", "solve_working_set", "IPM_OPTIONS"]

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]

#: Newton steps on all points, by default (``max_iter=None`` means this too).
IPM_MAX_ITER = 100
#: Options of :func:`solve_ipm` beyond ``target_gap`` and ``max_iter``, with defaults.
IPM_OPTIONS: dict[str, Any] = {
    "newton": "auto",  # "features": (d+1)x(d+1); "samples": n x n; "cg", "cg-samples": those by CG; "auto": _choose_form
    "finish": True,  # working-set finish with an exact KKT solve; False: certify the interior iterate
    "step_fraction": 0.995,  # fraction of the step to the boundary
    "finish_below": 0.1,  # start the working-set finish once the estimated relative gap is below this
    "blas_threads": 1,  # BLAS threads during the solve (operators.blas_threads); None: as configured
    "correctors": "auto",  # Gondzio's centrality correctors per Newton step, at most; "auto": _correctors
}

#: A point is frozen at a bound for the working-set finish only when complementarity
#: says so by this factor (alpha_i/C_i < s_i/KAPPA or u_i/C_i < xi_i/KAPPA).
_KAPPA = 10.0
#: Newton steps allowed on one working set.
_SUB_MAX_ITER = 60
#: After a finish attempt of solve_ipm fails, the next one waits until the estimated
#: relative gap is this factor below the failed attempt's (the partition was read too early).
_GATE_AFTER_FAILURE = 0.1
_EPS = np.finfo(np.float64).eps
#: "auto" forms a dense Newton matrix only up to this order; above it (both n and d + 1
#: larger) it solves the n x n system by conjugate gradients ("cg-samples").
_DENSE_NEWTON_MAX = 4000
#: Conjugate-gradient budget per Newton solve, and its relative residual.
_CG_MAX_ITER = 2000
_CG_RTOL = 1e-10
#: The forms whose w is implicit, w = c_w + Z^T alpha (the n x n systems).
_IMPLICIT_W = ("samples", "cg-samples")
#: Sparse X: CG when min(n, d+1)^3 > _SPARSE_CG_NNZ * nnz, and min(n, d+1) > _SPARSE_CG_MIN (see _choose_form).
_SPARSE_CG_NNZ = 10_000
_SPARSE_CG_MIN = 300


def _correctors(option: Any, form: str, d: int) -> int:
    """Gondzio correctors per step: the option, or "auto": 2 where a solve is cheap beside the matrix.

    A corrector costs one more solve with the factored matrix (two passes in the
    features form), against one weighted Gram of :math:`n d^2` for the matrix. Measured
    (CPU time, one BLAS thread, 0/1/2 correctors): 10k x 100 0.107/0.102/0.087 s;
    the RBF factor of 30k moons (rank 226) 3.25/2.76/2.95 s, Newton steps 66/55/54;
    but 100k x 20 0.217/0.243/0.231 s (a solve is a tenth of a Gram there). CG
    forms pay a whole CG run per solve: none.
    """
    if option != "auto":
        return int(option)
    return 2 if form in ("features", "samples") and d >= 50 else 0


def _choose_form(n: int, d: int, nnz: int | None = None) -> str:
    """The Newton form "auto" picks: the smaller dense system, or the n x n one by CG.

    Dense X: CG once both dense forms have more than 4000 rows. Sparse X
    (``nnz`` stored entries): CG once the dense Cholesky, of order
    m = min(n, d + 1), costs more than a CG Newton step, about
    3 solves x 60 iterations x 4 nnz flops at a fraction of the
    dense kernels' speed: m^3 > 10^4 nnz (measured, n = d = 5000, 0.1 %
    density: 3.1 s against 24.6 s for the dense form; n = 20000, d = 1500:
    the dense (d+1)x(d+1) form wins, 13.6 s against 20.2 s).
    """
    m = min(n, d + 1)
    if m > _DENSE_NEWTON_MAX or (nnz is not None and m > _SPARSE_CG_MIN and m**3 > _SPARSE_CG_NNZ * nnz):
        return "cg-samples"
    return "samples" if d + 1 > n else "features"


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

    def __init__(self, op: DenseOperator, y: Array, c_w: Array) -> None:
        self.op, self.y = op, y
        self.deltas: list[float] = []

    def factor(self, D: Array, alpha: Array, g: Array) -> Array:
        r"""Form and factor M in one pass; return :math:`Z^\top\alpha`.

        The same pass gives :math:`X^\top H 1` (for M), :math:`Z^\top\alpha`
        (for :math:`r_w`) and :math:`Z^\top H g` (the predictor's right-hand
        side, kept for :meth:`solve`).
        """
        y, h = self.y, 1.0 / D
        G, XtV = self.op.weighted_gram(h, np.column_stack([h, y * alpha, y * h * g]))
        d = G.shape[0]
        M = np.empty((d + 1, d + 1))
        M[:d, :d] = G
        M[np.arange(d), np.arange(d)] += 1.0
        M[:d, d] = M[d, :d] = XtV[:, 0]
        M[d, d] = h.sum()
        self.chol, delta = _cholesky(M)
        self.deltas.append(delta)
        self.h, self.g, self.ztHg = h, g, XtV[:, 2]
        return XtV[:, 1]

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
        sol = self._solve_system(rhs)
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

    def _solve_system(self, rhs: Array) -> Array:
        return sla.cho_solve(self.chol, rhs, check_finite=False)


class _CGNewton(_FeatureNewton):
    r"""The :math:`(d+1)\times(d+1)` system of :class:`_FeatureNewton`, solved matrix-free by CG.

    For sparse data with both :math:`n` and :math:`d` large neither dense
    form fits (:math:`d^2` or :math:`n^2` doubles), and a sparse Cholesky of
    :math:`X^\top H X` fills in (text data: every pair of words in a document
    couples). So :math:`M` is applied as
    :math:`M[v; c] = [v + X^\top t;\ 1^\top t]`, :math:`t = h \circ (Xv + c)`
    (two passes, :math:`O(\mathrm{nnz})`), and preconditioned by its diagonal
    (Jacobi: :math:`1 + \sum_i h_i x_{ij}^2` and :math:`\sum_i h_i`). Memory
    :math:`O(\mathrm{nnz} + n + d)`. The step is inexact to the CG tolerance;
    the iteration is an infeasible-start one (the residuals are carried), and
    the certificate, not the step, decides. Only on request (``newton="cg"``):
    "auto" takes :class:`_SampleCGNewton`, whose conditioning does not grow
    with :math:`1/\mu` (its docstring).
    """

    form = "cg"

    def factor(self, D: Array, alpha: Array, g: Array) -> Array:
        r"""The preconditioner and the products of the factor pass; return :math:`Z^\top\alpha`."""
        y, h = self.y, 1.0 / D
        XtV = self.op.rmatvec(np.column_stack([h, y * alpha, y * h * g]))
        self.pre = 1.0 / np.append(1.0 + self.op.gram_diagonal(h), h.sum())
        self.deltas.append(0.0)
        self.h, self.g, self.ztHg = h, g, XtV[:, 2]
        if not hasattr(self, "cg_iterations"):
            self.cg_iterations: list[int] = []
        return XtV[:, 1]

    def _solve_system(self, rhs: Array) -> Array:
        op, h, d = self.op, self.h, rhs.shape[0] - 1

        def apply(x: Array) -> Array:
            t = h * (op.matvec(x[:d]) + x[d])
            return np.append(x[:d] + op.rmatvec(t), t.sum())

        count = [0]

        def tick(_: Array) -> None:
            count[0] += 1

        M = spla.LinearOperator((d + 1, d + 1), matvec=apply, dtype=np.float64)
        P = spla.LinearOperator((d + 1, d + 1), matvec=lambda r: self.pre * r, dtype=np.float64)
        sol, info = spla.cg(M, rhs, rtol=_CG_RTOL, atol=0.0, maxiter=_CG_MAX_ITER, M=P, callback=tick)
        self.cg_iterations.append(count[0])
        if not np.all(np.isfinite(sol)):
            raise np.linalg.LinAlgError(f"conjugate gradients broke down (info {info})")
        return sol


class _SampleNewton:
    r"""The :math:`n\times n` form, for :math:`d + 1 > n`; :math:`w = c_w + Z^\top\alpha` stays implicit."""

    form = "samples"

    def __init__(self, op: DenseOperator, y: Array, c_w: Array) -> None:
        self.op, self.y = op, y
        self.K = y[:, None] * op.row_gram() * y[None, :]
        self.zc = y * op.matvec(c_w) if np.any(c_w) else np.zeros_like(y)  # Z c_w
        self.deltas: list[float] = []

    def factor(self, D: Array, alpha: Array, g: Array) -> None:
        A = self.K.copy()
        A[np.diag_indices_from(A)] += D
        self.chol, delta = _cholesky(A)
        self.deltas.append(delta)
        self.q = sla.cho_solve(self.chol, self.y, check_finite=False)

    def products(self, alpha: Array, extra: Array) -> tuple[Array, Array]:
        r""":math:`Z^\top\alpha` and :math:`X^\top` ``extra``; one pass."""
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
        r""":math:`Zw = Zc_w + K\alpha` for :math:`w = c_w + Z^\top\alpha`; no pass."""
        return self.zc + self.K @ alpha


class _SampleCGNewton(_SampleNewton):
    r"""The :math:`n\times n` form of :class:`_SampleNewton`, solved matrix-free by CG.

    :math:`(ZZ^\top + D)v` is applied in two passes (:math:`X^\top` then
    :math:`X`, :math:`O(\mathrm{nnz})`) and preconditioned by its diagonal
    :math:`\|x_i\|^2 + D_i`. Unlike the :math:`(d+1)\times(d+1)` system of
    :class:`_CGNewton`, whose Jacobi scaling cannot undo the spread of
    :math:`h_i = 1/D_i` (from :math:`\mu` to :math:`1/\mu` as the iteration
    converges) inside one feature's column, here :math:`D_i` sits on the
    diagonal: a point clearly at a bound has :math:`D_i \gg \|x_i\|^2` and is
    scaled to an identity row, and what is left is the Gram matrix of the
    free points, whose conditioning is the data's, not :math:`\mu`'s.
    Per Newton step one more solve, :math:`q = (ZZ^\top + D)^{-1}y`, eliminates
    :math:`\Delta b`. Memory :math:`O(\mathrm{nnz} + n + d)`.
    """

    form = "cg-samples"

    def __init__(self, op: DenseOperator, y: Array, c_w: Array) -> None:
        self.op, self.y = op, y
        self.diagK = op.row_norms() ** 2
        self.zc = y * op.matvec(c_w) if np.any(c_w) else np.zeros_like(y)  # Z c_w
        self.deltas: list[float] = []
        self.cg_iterations: list[int] = []
        self.q: Array | None = None

    def _K(self, v: Array) -> Array:
        r""":math:`ZZ^\top v` (``v`` of shape (n,) or (n, k)); two passes."""
        y = self.y if v.ndim == 1 else self.y[:, None]
        return y * self.op.matvec(self.op.rmatvec(y * v))

    def _cg(self, rhs: Array, x0: Array | None = None) -> Array:
        n, D = self.y.shape[0], self.D
        count = [0]

        def tick(_: Array) -> None:
            count[0] += 1

        M = spla.LinearOperator((n, n), matvec=lambda v: self._K(v) + D * v, dtype=np.float64)
        P = spla.LinearOperator((n, n), matvec=lambda r: self.pre * r, dtype=np.float64)
        sol, info = spla.cg(M, rhs, x0=x0, rtol=_CG_RTOL, atol=0.0, maxiter=_CG_MAX_ITER, M=P, callback=tick)
        self.cg_iterations.append(count[0])
        if not np.all(np.isfinite(sol)):
            raise np.linalg.LinAlgError(f"conjugate gradients broke down (info {info})")
        return sol

    def factor(self, D: Array, alpha: Array, g: Array) -> None:
        self.D = D
        self.pre = 1.0 / (self.diagK + D)
        self.deltas.append(0.0)
        self.q = self._cg(self.y, self.q)  # warm start: the previous step's q

    def solve(
        self, g: Array, r_w: Array | None, r_b: float, also: Array | None = None
    ) -> tuple[None, float, Array, Array, None]:
        p = self._cg(g)
        q = self.q
        db = float((self.y @ p + r_b) / (self.y @ q))  # type: ignore[operator]
        da = p - q * db  # type: ignore[operator]
        return None, db, da, self._K(da), None  # Z dw = Z Z^T da exactly, not the CG residual's

    def margins(self, w: Array, alpha: Array) -> Array:
        r""":math:`Zw = Zc_w + ZZ^\top\alpha` for :math:`w = c_w + Z^\top\alpha`; two passes."""
        return self.zc + self._K(alpha)


# -- one interior-point problem: all points, or a working set ----------------------------
@dataclass
class _Iterate:
    """Interior iterate on the active points; ``w`` is None in the n x n form (implicit)."""

    alpha: Array
    u: Array  # C_i - alpha, kept as its own variable: computed as C_i - alpha it rounds to 0 when C_i is large
    s: Array
    xi: Array
    w: Array | None
    b: float
    zw: Array  # Z w on the active points


class _QP:
    r"""The QP on the active points ``idx`` with the others frozen: offsets :math:`c_w, c_b`.

    ``const`` is :math:`\sum_{i \in U} C_i`, the frozen part of :math:`\sum_i\alpha_i`, so that
    the relative-gap estimate is that of the whole problem.
    """

    def __init__(
        self, op: DenseOperator, y: Array, C: Array, form: str, c_w: Array, c_b: float, const: float
    ) -> None:
        self.op, self.y, self.C, self.form = op, y, C, form
        self.c_w, self.c_b, self.const = c_w, c_b, const
        self.n = y.shape[0]
        newton = {"features": _FeatureNewton, "samples": _SampleNewton, "cg": _CGNewton,
                  "cg-samples": _SampleCGNewton}[form]
        self.newton: _FeatureNewton | _SampleNewton | _SampleCGNewton = newton(op, y, c_w)

    def measure(self, z: _Iterate) -> dict[str, float]:
        """Complementarity, residuals and the estimated relative gap at ``z``."""
        y = self.y
        comp = float(z.alpha @ z.s + z.u @ z.xi)
        r_p = z.zw + y * z.b + z.xi - z.s - 1.0
        if z.w is not None:
            w_sq = float(z.w @ z.w)
        else:  # ||c_w + Z^T a||^2 = c_w.c_w + a.(Z c_w) + a.(Z c_w + K a)
            nw = self.newton
            w_sq = float(self.c_w @ self.c_w + z.alpha @ nw.zc + z.alpha @ z.zw)  # type: ignore[union-attr]
        dual = float(z.alpha.sum()) + self.const - 0.5 * w_sq
        return {
            "comp": comp, "rel_gap_estimate": comp / max(1.0, abs(dual)),
            "r_p": float(np.abs(r_p).max()) if r_p.size else 0.0, "r_b": abs(float(y @ z.alpha) + self.c_b),
            "_r_p": r_p,  # type: ignore[dict-item]
        }

    def step(
        self, z: _Iterate, m: dict[str, Any], zta: Array | None, eta: float, correctors: int = 0
    ) -> tuple[_Iterate, dict[str, float]]:
        """One Mehrotra predictor-corrector step from ``z`` (after :meth:`factor`), with up to ``correctors`` of Gondzio's."""
        y, n, nw = self.y, self.n, self.newton
        alpha, u, s, xi = z.alpha, z.u, z.s, z.xi
        sa, xu = self.sa, self.xu  # s/alpha and xi/u, from factor
        r_b = float(y @ alpha) + self.c_b
        r_w = None if z.w is None or zta is None else z.w - self.c_w - zta
        mu = m["comp"] / (2 * n)
        dw, db, da, zdw, z_w = nw.solve(self.g_aff, r_w, r_b, also=z.w)
        ds_ = -(s + sa * da)  # from S da + A ds = -A s
        dxi = xu * da - xi  # from -Xi da + U dxi = -U xi
        t_aff = _step_to_boundary(alpha, u, s, xi, da, ds_, dxi)
        mu_aff = float((alpha + t_aff * da) @ (s + t_aff * ds_) + (u - t_aff * da) @ (xi + t_aff * dxi)) / (2 * n)
        sigma = min(1.0, (mu_aff / mu) ** 3)
        # Corrector: centring sigma*mu and the second-order terms of the predictor.
        c1 = sigma * mu - da * ds_
        c2 = sigma * mu + da * dxi
        dw2, db2, da2, zdw2, _ = nw.solve(c1 / alpha - c2 / u, None, 0.0)
        DA = da + da2
        DS = c1 / alpha - s - sa * DA
        DXI = c2 / u - xi + xu * DA
        DW = None if dw is None else dw + dw2
        DB, ZDW = db + db2, zdw + zdw2
        t_max = _step_to_boundary(alpha, u, s, xi, DA, DS, DXI)
        used = 0
        for _ in range(correctors if t_max < 1.0 else 0):
            # Gondzio (1996): aim at a longer step, and pull the complementarity products that
            # step would give back into [0.1, 10] sigma*mu; one more solve with the same matrix.
            t_try = min(1.0, 1.5 * t_max + 0.1)
            v1 = (alpha + t_try * DA) * (s + t_try * DS)
            v2 = (u - t_try * DA) * (xi + t_try * DXI)
            lo, hi = 0.1 * sigma * mu, 10.0 * sigma * mu
            r1 = np.maximum(np.clip(v1, lo, hi) - v1, -hi)
            r2 = np.maximum(np.clip(v2, lo, hi) - v2, -hi)
            cw, cb, ca, czw, _ = nw.solve(r1 / alpha - r2 / u, None, 0.0)
            CA, CS, CXI = DA + ca, DS + r1 / alpha - sa * ca, DXI + r2 / u + xu * ca
            t_new = _step_to_boundary(alpha, u, s, xi, CA, CS, CXI)
            if t_new < t_max + 0.1 * (t_try - t_max):  # not worth it: keep the last direction
                break
            DA, DS, DXI, t_max, used = CA, CS, CXI, t_new, used + 1
            DW = None if DW is None else DW + cw
            DB, ZDW = DB + cb, ZDW + czw
            if t_max >= 1.0:
                break
        t = min(1.0, eta * t_max)
        zw = (z.zw if z_w is None else z_w) + t * ZDW  # z_w: Z w recomputed in the predictor's pass
        new = _Iterate(
            alpha + t * DA, u - t * DA, s + t * DS, xi + t * DXI,
            None if z.w is None else z.w + t * DW,  # type: ignore[operator]
            z.b + t * DB, zw,
        )
        return new, {"sigma": sigma, "step": t, "step_affine": t_aff, "regularization": nw.deltas[-1],
                     "correctors": used}

    def factor(self, z: _Iterate, m: dict[str, Any]) -> Array | None:
        r"""Form and factor the Newton matrix at ``z``; :math:`Z^\top\alpha` in the features form."""
        self.sa, self.xu = z.s / z.alpha, z.xi / z.u
        self.g_aff = z.xi - z.s - m["_r_p"]
        return self.newton.factor(self.sa + self.xu, z.alpha, self.g_aff)


def _finite(z: _Iterate) -> bool:
    """All of the iterate finite, and strictly inside the bounds."""
    parts = [z.alpha, z.u, z.s, z.xi, z.zw] + ([] if z.w is None else [z.w])
    return bool(np.isfinite(z.b) and all(np.all(np.isfinite(v)) for v in parts)
                and all(v.min(initial=1.0) > 0 for v in (z.alpha, z.u, z.s, z.xi)))


def _step_to_boundary(alpha: Array, u: Array, s: Array, xi: Array, da: Array, ds: Array, dxi: Array) -> float:
    """Largest t <= 1 keeping alpha, u = C - alpha, s and xi >= 0 along (da, -da, ds, dxi).

    As 1 / max(1, max_i -dv_i / v_i): one division and one max per vector, no masks.
    """
    worst = max(float(np.max(-da / alpha)), float(np.max(da / u)), float(np.max(-ds / s)), float(np.max(-dxi / xi)))
    return 1.0 if worst <= 1.0 else 1.0 / worst


# -- helpers ---------------------------------------------------------------------------
def _check_options(target_gap: Any, max_iter: Any, options: dict[str, Any]) -> tuple[float, int, dict[str, Any]]:
    unknown = sorted(set(options) - set(IPM_OPTIONS))
    if unknown:
        raise DualSVMError(f"unknown keyword(s) {unknown} for solve_ipm; it takes target_gap, max_iter, max_time and "
                           f"the options {sorted(IPM_OPTIONS)}")
    target_gap = check_target_gap(target_gap)
    max_iter = check_max_iter(max_iter)
    opts = {**IPM_OPTIONS, **options}
    if opts["newton"] not in ("auto", "features", "samples", "cg", "cg-samples"):
        raise DualSVMError(f"newton must be 'auto', 'features', 'samples', 'cg-samples' or 'cg', "
                           f"got {opts['newton']!r}")
    if not isinstance(opts["finish"], (bool, np.bool_)):
        raise DualSVMError(f"finish must be True or False, got {opts['finish']!r}")
    sf = opts["step_fraction"]
    if isinstance(sf, (bool, np.bool_)) or not isinstance(sf, numbers.Real) or not 0 < sf < 1:
        raise DualSVMError(f"step_fraction must be a number in (0, 1), got {sf!r}")
    bt = opts["blas_threads"]
    if bt is not None and (isinstance(bt, (bool, np.bool_)) or not isinstance(bt, (int, np.integer)) or bt < 1):
        raise DualSVMError(f"blas_threads must be None or an integer >= 1, got {bt!r}")
    k = opts["correctors"]
    if not (k == "auto" if isinstance(k, str) else
            isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)) and 0 <= k <= 10):
        raise DualSVMError(f"correctors must be 'auto' or an integer in [0, 10], got {k!r}")
    fb = opts["finish_below"]
    if isinstance(fb, (bool, np.bool_)) or not isinstance(fb, numbers.Real) or not fb > 0:
        raise DualSVMError(f"finish_below must be a number > 0, got {fb!r}")
    return target_gap, (IPM_MAX_ITER if max_iter is None else max_iter), opts


def _argmin_b_mid(problem: SVMProblem, op: DenseOperator, w: Array) -> float:
    """Midpoint of :func:`dualsvm.argmin_b`; the pass it makes over X is counted on ``op``."""
    op.passes += 1  # argmin_b reads X once; it takes no operator yet
    return 0.5 * sum(argmin_b(problem, w))


def _partition(alpha: Array, u: Array, s: Array, xi: Array, C: Array, kappa: float = 1.0) -> tuple[Mask, Mask]:
    r"""Free and at-C masks read off complementarity.

    :math:`\alpha_i s_i = \mu` and :math:`u_i\xi_i = \mu` (:math:`u_i = C_i - \alpha_i`): a point is at 0
    when :math:`\kappa\,\alpha_i / C_i < s_i`, at :math:`C_i` when :math:`\kappa\,u_i/C_i < \xi_i`
    (the larger ratio wins if both), free otherwise. Both sides are in the
    units of a margin; :math:`\kappa > 1` leaves the doubtful points free.
    """
    tiny = np.finfo(np.float64).tiny
    low = s / np.maximum(kappa * alpha / C, tiny)  # > 1: alpha -> 0
    up = xi / np.maximum(kappa * u / C, tiny)  # > 1: alpha -> C
    at_C = (up > 1.0) & (up >= low)
    at_0 = (low > 1.0) & ~at_C
    return ~at_0 & ~at_C, at_C


def _margins_consistent(XF: Array, yF: Array, w_bound: float = np.inf) -> bool:
    r"""Can all of ``XF`` lie on the margins, :math:`X_F w + b = y_F` for some :math:`(w, b)` with :math:`\|w\| \le` ``w_bound``?

    A cheap necessary condition for the KKT equalities of a free set: with
    more free points than :math:`d + 1` it fails unless the points are
    degenerate (duplicates, collinear), so it spares a dense KKT solve on a
    free set that still holds points on their way to a bound.

    ``w_bound`` is an a priori bound on :math:`\|w^*\|` (:math:`\sqrt{2\sum_i C_i}`:
    :math:`\frac12\|w^*\|^2 \le P^* \le P(0, 0)`). The fit of least norm in
    :math:`w` (b eliminated by centring) must stay within it: on a kernel factor,
    whose trailing columns are tiny (singular values 3.5e-6 against 59 at
    10,000 moons), thousands of points can be fitted by a huge :math:`w`, and
    the residual test alone, scaled by that :math:`w`, passed them (measured at
    100,000 moons: 58 KKT solves on such free sets, 257 s of a 325 s solve).
    """
    k, d = XF.shape
    if k <= d + 1:
        return True
    XF = XF.toarray() if hasattr(XF, "toarray") else XF  # a sparse block: here k > d + 1, so d is small
    mean_x = XF.mean(axis=0)
    Xc, yc = XF - mean_x, yF - yF.mean()
    w = sla.lstsq(Xc, yc, lapack_driver="gelsy", check_finite=False)[0]  # least ||w|| among the best fits
    if not float(np.sqrt(w @ w)) <= w_bound * (1.0 + 1e-8):
        return False
    b = float(yF.mean() - mean_x @ w)
    scale = 1.0 + float(np.abs(XF).max()) * float(np.abs(w).sum()) + abs(b)
    return bool(np.abs(XF @ w + b - yF).max() <= 1e-8 * scale)


def _kkt_point(
    problem: SVMProblem, op: DenseOperator, rows: Array, A: Array, sub_free: Mask, sub_at_C: Mask,
    at_C: Mask, c_w: Array, start: tuple[Array, float, Array], budget: float,
) -> tuple[dict[str, Any], tuple[Array, float, Array] | None, Array]:
    r"""Exact KKT solve for a partition of the working set ``A``; checks on ``A``, then on all points.

    ``rows`` are the working set's rows (in memory), so the solve and the
    checks on ``A`` cost no pass; only a partition that passes them is
    checked on every point (one pass). ``start`` is ``(w, b, alpha_F)``.

    Returns (info, the triple or None, the frozen points that violate).

    The check is the duality gap itself, term by term (``proofs/T04``):
    :math:`\frac12\|w - Z^\top\alpha\|^2` with the solve's own :math:`w` and
    the box-clipped :math:`\alpha`, plus one bracket
    :func:`~dualsvm.finish.kkt_brackets` per point, each the cost of one
    violated KKT condition. The partition is accepted when the sum is at most
    ``budget`` times :math:`\max(1, |D(\alpha)|)`. A tolerance on the margins
    instead would have to know the rounding error of :math:`x_i^\top w`, which
    grows with the scale of the features (measured: 5e-9 on features
    spanning 4 orders of magnitude, for an exact partition).
    """
    C, y, n = problem.costs, problem.y, problem.n
    yC = y * C
    free = np.zeros(n, bool)
    free[A[sub_free]] = True
    U = at_C.copy()
    U[A[sub_at_C]] = True
    fixed = c_w + rows[sub_at_C].T @ yC[A[sub_at_C]]
    info: dict[str, Any] = {"n_free": int(free.sum()), "n_at_C": int(U.sum())}
    if not kkt_solve_fits(problem.d, info["n_free"], problem.sparse):
        # Many features and many free points (sparse text data): the k x k solve would not fit;
        # the interior iteration goes on, and its own iterate is certified.
        info["outcome"] = "free set too large for an exact KKT solve"
        return info, None, np.zeros(0, np.intp)
    w, b, a = kkt_solve_wb(problem, free, U, start=start, fixed=fixed)
    F = np.flatnonzero(free)
    a[F], info["box_excess"] = clip_balanced(a[F], y[F], C[F], float(yC[U].sum()))
    # With no free point no equation fixes b: the working set is checked with the
    # iterate's b (its sub-problem's multiplier), every point with that b moved into
    # argmin_b P(w, .) (so a frozen point that violates there is named to join).
    no_free = not F.size
    if no_free:
        b = float(start[1])
    # The gap identity (proofs/T04) term by term: stationarity (Z^T alpha from
    # the working set's rows: A and F are sorted, so rows[sub_free] are F's
    # rows), then one bracket per point.
    r_w = w - fixed - rows[sub_free].T @ (y[F] * a[F])
    stat = 0.5 * float(r_w @ r_w) + abs(b * (float(y @ a)))
    allowed = budget * max(1.0, abs(float(a.sum()) - 0.5 * float(w @ w)))
    gA = kkt_brackets(y[A] * (rows @ w + b), a[A], C[A])
    info["gap_working_set"] = stat + float(gA.sum())
    if info["gap_working_set"] > allowed:
        info["outcome"], info["n_violations"] = "working-set point violates", int(np.count_nonzero(gA > 1e-3 * allowed))
        return info, None, np.zeros(0, np.intp)
    f = op.matvec(w)
    if no_free:
        t = y - f
        b = float(np.clip(b, *slope_zero(t, t, y, C if problem.weighted else None)))
    g = kkt_brackets(y * (f + b), a, C)
    info["gap"] = stat + float(g.sum())
    info["n_violations"] = int(np.count_nonzero(g > 1e-3 * allowed))
    if info["gap"] > allowed:
        info["outcome"] = "frozen point violates"
        out = np.ones(n, bool)
        out[A] = False
        return info, None, np.flatnonzero(out & (g > 1e-3 * allowed))
    # Exact, or only within the budget? A bracket of an exact partition is
    # rounding: C_i |m_i - 1| with |m_i - 1| <= (d+1) u (|x_i|^T |w| + |b| + 1);
    # a point on the wrong side of the partition by a hair is more than that.
    # (For the frozen points |x_i^T w| stands in for |x_i|^T |w|.)
    tol = 16 * (problem.d + 1) * _EPS * C
    scale = np.abs(f) + abs(b) + 1.0
    scale[A] = abs(rows) @ np.abs(w) + abs(b) + 1.0  # abs(): rows may be a sparse block
    info["exact"] = bool(np.all(g <= tol * scale))
    info["outcome"] = "KKT point" if info["exact"] else "KKT point within the gap budget"
    return info, (w, b, a), np.zeros(0, np.intp)


# -- the solver --------------------------------------------------------------------------
def solve_ipm(
    problem: SVMProblem,
    *,
    target_gap: float = 1e-9,
    max_iter: int | None = IPM_MAX_ITER,
    max_time: float | None = None,
    **options: Any,
) -> Solution:
    r"""Solve the SVM QP by a primal-dual interior-point method and certify the answer.

    Mehrotra's predictor-corrector (Nocedal & Wright, *Numerical
    Optimization*, 2nd ed., algorithm 16.4) on the QP of :mod:`dualsvm.ipm`,
    started from :math:`\alpha = C/2`, :math:`s = \xi = 1`, :math:`w = 0`,
    :math:`b = 0` (an infeasible start; the equality residuals shrink by the
    step each iteration). Per iteration, with :math:`H = D^{-1}`,
    :math:`D = \mathrm{diag}(s/\alpha + \xi/u)`, :math:`u = C - \alpha` (kept as
    its own variable: as :math:`C - \alpha` it rounds to 0 for large C):

    * one pass forms :math:`M = \begin{bmatrix} I + X^\top H X & X^\top H 1 \\
      1^\top H X & 1^\top H 1\end{bmatrix}` (a weighted Gram), and in the same
      pass :math:`Z^\top\alpha` and the predictor's right-hand side;
      :math:`M` is factored by Cholesky, with a proximal term
      :math:`\delta I` if a pivot is not positive;
    * the predictor (:math:`\sigma = 0`) needs :math:`Z\Delta w` (one pass),
      the corrector, with :math:`\sigma = (\mu_{aff}/\mu)^3` and the
      second-order terms, one :math:`X^\top` and one :math:`X` product.

    That is four passes per iteration, plus two per Gondzio centrality
    corrector (Gondzio, *Multiple centrality corrections in a primal-dual
    method for linear programming*, Comput. Optim. Appl. 6, 1996): a further
    solve with the same matrix that pulls the complementarity products of a
    longer trial step back into :math:`[0.1, 10]\,\sigma\mu`, kept only when
    it lengthens the step (``correctors``, "auto": 2 when :math:`d \ge 50`
    in the dense forms, where a Gram costs far more than a solve, else 0).
    The reduction of the Newton system to
    :math:`M` is ``proofs/T13-newton-reduction.md``. When :math:`d + 1 > n`
    the :math:`n\times n` system :math:`(ZZ^\top + D)\Delta\alpha + y\Delta b = g`
    is factored instead (no data pass per iteration). When both are large
    (for sparse X: when a dense Cholesky would cost more than the
    :math:`O(\mathrm{nnz})` products of conjugate gradients, as on text data)
    the :math:`n\times n` system is solved by CG, matrix-free, preconditioned
    by its diagonal :math:`\|x_i\|^2 + D_i` (``newton="cg-samples"``;
    memory :math:`O(\mathrm{nnz} + n + d)`). Not the :math:`(d+1)\times(d+1)`
    one (``newton="cg"``): as the iteration converges its weights
    :math:`1/D_i` spread from :math:`\mu` to :math:`1/\mu` inside each
    feature's column, where no diagonal scaling reaches them; measured on
    text data, n = d = 5000, without the finish: 11 iterations of at most 64
    CG steps and 2.9 s to a gap of 8e-12, against 34 iterations, 307 s and a
    gap stuck at 3e-7.

    **Exact finish** (working set, then KKT). Once the estimated relative gap
    :math:`\sum_i[\alpha_i s_i + u_i\xi_i]/\max(1, |D|)` is below
    ``finish_below``, the points that complementarity clearly puts at a bound
    (:math:`10\,\alpha_i/C < s_i`: at 0; :math:`10\,u_i/C < \xi_i`: at
    :math:`C`) are frozen there and the same iteration goes on over the
    others, the working set, warm-started and held in memory: it costs no
    pass over the data, and it keeps shrinking as more points become clear
    (LIBSVM's shrinking). At each working-set iterate the partition is read
    off complementarity (at 0 when :math:`\alpha_i/C < s_i`, at :math:`C`
    when :math:`u_i/C < \xi_i`, else free); the KKT equalities of that
    partition are solved exactly (:func:`dualsvm.finish.kkt_solve_wb`, the
    minimum-norm correction of the iterate; :math:`y^\top\alpha = 0`,
    :math:`w - Z^\top\alpha = 0` and :math:`m_F = 1`), and the inequalities
    are checked through the gap identity (``proofs/T04``, ``T06``):
    :math:`G = \frac12\|w - Z^\top\alpha\|^2 + \sum_i [C\max(0, 1 - m_i) -
    \alpha_i(1 - m_i)]`, each bracket the cost of one violated sign
    condition (:math:`m_i \ge 1` at 0, :math:`m_i \le 1` at :math:`C`,
    :math:`m_i = 1` when free), first on the working set, then in one pass on
    every point. A partition is accepted when :math:`G \le 0.1\,`
    ``target_gap`` :math:`\cdot\max(1, |D|)`, and called exact when every
    bracket is at rounding level; a partition that is only within the budget
    is kept while the working set iterates on for the exact one (a point
    within about 1e-8 of the margin can stop that: the candidate within the
    budget is returned). Frozen points that violate join the working set
    (when more of them violate than the working set holds, the attempt is
    abandoned and the iteration on all points resumes; the next attempt
    waits for a tenfold smaller estimate); a
    wrong partition is never accepted beyond the budget, and the certificate
    alone sets ``status``. ``b`` is the midpoint of :math:`\arg\min_b P(w, b)`.

    Parameters
    ----------
    problem : SVMProblem
        The problem to solve.
    target_gap : float, default 1e-9
        Required certified relative gap :math:`G/\max(1,|P|)`, in (0, 1).
    max_iter : int, default 100
        Newton steps on all points at most (each working set gets up to 60 more);
        ``None`` means the default.
    max_time : float, optional
        Wall-clock budget in seconds: no Newton step starts after it is spent
        (the certificate of the answer in hand still runs), and the status is
        then ``"max_time"`` unless that answer meets ``target_gap``.
    **options
        ``newton`` (``"auto"``, ``"features"``, ``"samples"``, ``"cg-samples"``, ``"cg"``), ``finish``
        (bool, default True; False certifies the interior iterate itself),
        ``step_fraction`` (default 0.995), ``finish_below`` (default 0.1),
        ``correctors`` (``"auto"`` or an integer in [0, 10]: Gondzio correctors per step at most),
        ``blas_threads`` (default 1: BLAS runs single-threaded during the
        solve, see :func:`dualsvm.operators.blas_threads`; ``None`` leaves it
        as configured).
        See :data:`IPM_OPTIONS`. Unknown keys raise :class:`DualSVMError`.

    Returns
    -------
    Solution
        ``method="ipm"``. ``status`` is ``"optimal"`` only when the
        certificate meets ``target_gap``; otherwise ``"max_iter"``,
        ``"max_time"`` or ``"inaccurate"`` with a :class:`ConvergenceWarning`.
        ``extras["data_passes"]`` counts the solver's reads of ``X``: full
        passes, plus rows read for working sets as a fraction of ``n`` (the
        certificate's own evaluation is not counted). ``extras["history"]``
        has one row per iteration, ``extras["finish"]`` one per attempt.

    Raises
    ------
    DualSVMError
        For ``target_gap`` outside (0, 1), ``max_iter < 1``, ``max_time <= 0`` or an unknown option,
        naming the argument and the value received.
    """
    target_gap, max_iter, opts = _check_options(target_gap, max_iter, options)
    max_time = check_max_time(max_time)
    t0 = time.perf_counter()
    deadline = None if max_time is None else t0 + max_time
    pos = None if getattr(problem, "chunked", False) else np.flatnonzero(problem.costs > 0)
    with blas_threads(opts["blas_threads"]):
        if getattr(problem, "chunked", False):  # X on dask blocks: the same iteration in dualsvm/chunked.py
            from .chunked import ipm_chunked

            (w, b, a), status, why, extras = ipm_chunked(problem, target_gap, max_iter, opts, deadline)
        else:
            (w, b, a), status, why, extras = _solve_positive(problem, pos, target_gap, max_iter, opts, deadline)
        ipm_time = time.perf_counter() - t0
        # certificate keeps "max_iter"/"inaccurate", and turns "optimal" into "inaccurate" if the gap misses.
        sol = certificate(
            problem, w, b, a, method="ipm", status=status, iterations=extras["iterations_all_points"]
            + extras["iterations_working_set"], solve_time=float("nan"), target_gap=target_gap,
            extras={**extras, "ipm_time": ipm_time, "stop": why},
        )
    sol.solve_time = time.perf_counter() - t0
    sol.extras["certificate_time"] = sol.solve_time - ipm_time
    if not sol.success and status in ("max_iter", "max_time") and sol.relative_gap <= target_gap:
        sol.status, sol.success = "optimal", True  # a budget stopped it, on an answer that meets the target
    if not sol.success:
        sol.message = (
            f"interior point stopped ({why}) at certified relative gap {sol.relative_gap:.3g} > target "
            f"{target_gap:.3g}; raise {'max_time' if status == 'max_time' else 'max_iter'}, or standardize X if it is not"
            + _kernel_hint(problem)
        )
        warnings.warn(sol.message, ConvergenceWarning, stacklevel=2)
    return sol


def _kernel_hint(problem: SVMProblem) -> str:
    """What to change when a kernel factor's residual keeps the gap up: kernel_tol, or the budget that capped it."""
    f = problem.kernel_factor
    if f is not None and f.exact_residual:
        return (f"; the kernel factor was capped at rank {f.rank} by memory_budget (its residual, evaluated with the "
                "exact Gram, enters the gap): raise memory_budget")
    return "; the kernel factor's residual enters the gap: lower kernel_tol" if problem.kernel_residual > 0 else ""


def _solve_positive(
    problem: SVMProblem, pos: NDArray[np.intp], target_gap: float, max_iter: int, opts: dict[str, Any],
    deadline: float | None,
) -> tuple[tuple[Array, float, Array], str, str, dict[str, Any]]:
    """:func:`_interior_point` on the points of positive cost ``pos``; the others get alpha = 0."""
    n, C = problem.n, problem.costs
    if pos.size == n:
        return _interior_point(problem, target_gap, max_iter, opts, deadline)
    # A point of cost 0 has alpha_i = 0 and no term in P: solve without it (one pass
    # to copy the rest), then take b for the whole problem (the same interval).
    sub = SVMProblem(problem.X[pos], problem.y[pos], C=1.0, sample_weight=C[pos])
    (w, _, a_sub), status, why, extras = _interior_point(sub, target_gap, max_iter, opts, deadline)
    a = np.zeros(n)
    a[pos] = a_sub
    b = 0.5 * sum(argmin_b(problem, w))
    extras.update(data_passes=extras["data_passes"] + 2, full_passes=extras["full_passes"] + 2,
                  zero_cost_points=int(n - pos.size))
    return (w, b, a), status, why, extras


def solve_working_set(
    problem: SVMProblem,
    w: Array,
    b: float,
    work: Mask,
    at_C: Mask,
    *,
    target_gap: float = 1e-9,
    margins: Array | None = None,
    deadline: float | None = None,
) -> tuple[tuple[Array, float, Array] | None, dict[str, Any]]:
    r"""The interior point on a working set, the other points frozen, started from a candidate.

    The exact finish of :func:`solve_ipm` (its docstring, "Exact finish"),
    entered from outside: the points off ``work`` are frozen, at :math:`C_i`
    on ``at_C`` and at 0 elsewhere; the working set starts from the centre of
    its box (:math:`\alpha_i = C_i/2`) with the candidate's ``w`` and ``b``
    and slacks :math:`s_i = 1 + \max(0, m_i - 1)`,
    :math:`\xi_i = 1 + \max(0, 1 - m_i)` that make its margins feasible
    (:math:`m_i = y_i(x_i^\top w + b)`). Frozen points that violate their
    sign condition join the working set; points its iterates put clearly at a
    bound leave it. Used by :func:`dualsvm.working_set.refine` for the
    candidates of OSQP, cvxpy and outside estimators.

    Parameters
    ----------
    problem : SVMProblem
        The problem whose candidate is finished.
    w : ndarray of shape (d,)
        The candidate's weights: the start of the working set's iterate.
    b : float
        The candidate's bias; only its margins and its ``w`` (the start) are used.
    work, at_C : ndarray of bool, shape (n,)
        The working set, and the frozen points held at :math:`C_i`
        (disjoint). Points of cost 0 are never in either: they are at 0.
    target_gap : float, default 1e-9
        A partition is accepted when its gap is at most a tenth of this,
        relative to :math:`\max(1, |D|)`.
    margins : ndarray of shape (n,), optional
        :math:`m_i` of the candidate, if the caller has them (saves a pass).
    deadline : float, optional
        A ``time.perf_counter()`` value after which no Newton step starts.

    Returns
    -------
    triple : tuple (w, b, alpha) or None
        A KKT point within the gap budget (``b`` the midpoint of
        :func:`~dualsvm.argmin_b`), or None when none was found.
    info : dict
        The finish's record (``n_working``, ``working_sizes``, ``n_joined``,
        ``outcome``, ``sub_iterations``) and ``data_passes``.
    """
    y, C, n = problem.y, problem.costs, problem.n
    op = problem.operator()  # dense or sparse
    live = C > 0
    work = np.asarray(work, bool) & live
    at_C = np.asarray(at_C, bool) & live & ~work
    w = np.asarray(w, dtype=np.float64)
    m = y * (op.matvec(w) + b) if margins is None else np.asarray(margins, dtype=np.float64)
    half = 0.5 * C
    z = _Iterate(half, half.copy(), 1.0 + np.maximum(0.0, m - 1.0), 1.0 + np.maximum(0.0, 1.0 - m), w, float(b),
                 m - y * b)
    c_w = op.rmatvec(np.where(at_C, y * C, 0.0)) if at_C.any() else np.zeros(problem.d)
    with blas_threads(IPM_OPTIONS["blas_threads"]):
        info, found, k = _working_set_finish(problem, op, z, work, at_C, c_w, w, IPM_OPTIONS["step_fraction"],
                                             0.1 * check_target_gap(target_gap), deadline,
                                             correctors=IPM_OPTIONS["correctors"])
    if found is not None:
        found = (found[0], _argmin_b_mid(problem, op, found[0]), found[2])
    info.update(sub_iterations=k, data_passes=op.passes + op.rows_read / n)
    return found, info


def _interior_point(
    problem: SVMProblem, target_gap: float, max_iter: int, opts: dict[str, Any], deadline: float | None = None
) -> tuple[tuple[Array, float, Array], str, str, dict[str, Any]]:
    """The iteration of :func:`solve_ipm` on a problem whose costs are all > 0.

    Returns the candidate ``(w, b, alpha)`` (the exact finish's, or the last
    interior iterate with alpha projected), the status and why, and extras.
    """
    y, C, n, d = problem.y, problem.costs, problem.n, problem.d
    op = problem.operator()  # dense or sparse (dualsvm/operators.py); its own pass counts
    form = opts["newton"] if opts["newton"] != "auto" else _choose_form(n, d, getattr(op, "nnz", None))
    n_corr = _correctors(opts["correctors"], form, d)
    eta = float(opts["step_fraction"])
    qp = _QP(op, y, C, form, np.zeros(d), 0.0, 0.0)
    alpha0 = 0.5 * C  # the centre of the box; s = xi = 1: all products equal C_i/2
    implicit = form in _IMPLICIT_W
    z = _Iterate(alpha0, alpha0.copy(), np.ones(n), np.ones(n), None if implicit else np.zeros(d), 0.0,
                 qp.newton.margins(None, alpha0) if implicit else np.zeros(n))  # type: ignore[arg-type]
    history: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    found: tuple[Array, float, Array] | None = None
    status, why = "max_iter", f"max_iter={max_iter} Newton steps done"
    tried: set[bytes] = set()
    sub_iters = 0
    it = 0
    gate_below = float(opts["finish_below"])
    for it in range(max_iter + 1):  # noqa: B007 (read after the loop)
        m = qp.measure(z)
        row = {k: v for k, v in m.items() if not k.startswith("_")}
        history.append(row)
        # The interior iterate is as good as asked for: certify it as it is.
        converged = m["rel_gap_estimate"] <= 0.1 * target_gap and m["r_p"] <= 1e-9
        # Working set: the points not clearly at a bound.
        gate = bool(opts["finish"]) and m["rel_gap_estimate"] <= gate_below
        if gate:
            ws, at_C = _partition(z.alpha, z.u, z.s, z.xi, C, _KAPPA)
            key = np.packbits(np.concatenate([ws, at_C])).tobytes()
            gate = key not in tried
            row["n_working"] = int(ws.sum())
        last = it == max_iter or converged
        if last and not gate:
            if converged:
                status, why = "optimal", f"interior iterate at iteration {it}"
            break
        if gate:
            # The finish needs Z^T alpha and Z_U^T C_U only: one product, no Newton
            # matrix (the finish usually ends the solve; if not, M is formed below).
            w_now, c_w = qp.newton.products(z.alpha, np.where(at_C, y * C, 0.0))
            tried.add(key)
            info, found, k = _working_set_finish(problem, op, z, ws, at_C, c_w, w_now, eta, 0.1 * target_gap,
                                                 deadline, abandon_on_mass_join=True,
                                                 correctors=opts["correctors"])
            sub_iters += k
            info["iteration"] = it
            attempts.append(info)
            if found is not None:
                found = (found[0], _argmin_b_mid(problem, op, found[0]), found[2])
                status, why = "optimal", f"exact finish after {it} + {sub_iters} Newton steps"
                break
            # The partition was read too early: the next attempt waits for a tenfold smaller
            # estimate (measured on kernel factors: each early attempt cost up to 60 Newton steps).
            gate_below = min(gate_below, m["rel_gap_estimate"]) * _GATE_AFTER_FAILURE
        if last:
            if converged:
                status, why = "optimal", f"interior iterate at iteration {it}"
            break
        if deadline is not None and time.perf_counter() > deadline:
            status, why = "max_time", f"max_time spent after {it} Newton steps"
            break
        try:
            zta = qp.factor(z, m)
        except np.linalg.LinAlgError as exc:
            status, why = "inaccurate", f"Newton system failed at iteration {it}: {exc}"
            break
        z_new, info = qp.step(z, m, zta, eta, n_corr)
        row.update(info)
        if not _finite(z_new):  # keep the last finite iterate for the certificate
            status, why = "inaccurate", f"non-finite Newton step at iteration {it}"
            break
        z = z_new
        if info["step"] < 1e-12:
            status, why = "inaccurate", f"step length {info['step']:.2g} at iteration {it}"
            break
    if found is None:
        # No exact finish: certify the interior iterate itself, alpha projected onto
        # the dual feasible set. Its own w, not Z^T alpha: the Newton steps keep
        # its margins accurate, and w - Z^T alpha enters the gap only squared.
        a = project_dual(z.alpha, y, C)
        w_f = z.w if z.w is not None else op.rmatvec(y * a)
        found = (w_f, _argmin_b_mid(problem, op, w_f), a)
    extras = {
        "data_passes": op.passes + op.rows_read / n, "full_passes": op.passes, "rows_read": op.rows_read,
        "newton": form, "history": history, "finish": attempts, "iterations_all_points": it,
        "iterations_working_set": sub_iters, "regularized_steps": int(sum(dl > 0 for dl in qp.newton.deltas)),
    }
    if form in ("cg", "cg-samples"):
        extras["cg_iterations"] = list(getattr(qp.newton, "cg_iterations", []))
    return found, status, why, extras


def _working_set_finish(
    problem: SVMProblem, op: DenseOperator, z: _Iterate, ws: Mask, at_C: Mask, c_w: Array, w_now: Array,
    eta: float, budget: float, deadline: float | None = None, abandon_on_mass_join: bool = False,
    correctors: Any = "auto",
) -> tuple[dict[str, Any], tuple[Array, float, Array] | None, int]:
    """Freeze the points off the working set ``ws``; iterate on ``ws`` with exact KKT finishes.

    With ``abandon_on_mass_join`` (the caller, :func:`solve_ipm`, can go back to
    its iteration on all points), an attempt whose KKT check finds more frozen
    violators than the working set has points is given up (outcome
    ``"abandoned: mass join"``): the frozen partition was wrong, and the joined
    points, warm-started from a stale iterate, take tens of short steps (measured
    on an RBF factor, 10,000 moons: 1,465 joined to a working set of 606, then
    steps of 0.00-0.01 for 10 iterations; 225 working-set steps in all).

    The working set keeps shrinking as its own iterates put points clearly at
    a bound (LIBSVM's shrinking, Chang & Lin 2011, section 5.1, here inside
    an interior-point method), and grows by the frozen points a KKT check
    finds violating (warm-started from the iterate ``z`` on all points, and
    not frozen again). Its rows are held in memory: nothing in here reads the
    data but the checks of KKT points on all points (one pass each) and the
    rows of points that join.

    Returns (info, KKT triple or None, Newton steps taken on working sets).
    """
    y, C = problem.y, problem.costs
    A = np.flatnonzero(ws)
    host = _InMemoryFrozen(problem, op, z, at_C)
    info: dict[str, Any] = {"n_working": int(A.size), "n_frozen_at_C": int(host.U.sum()), "working_sizes": [],
                            "n_joined": 0}
    w_bound = float(np.sqrt(2.0 * C.sum()))  # 1/2 ||w*||^2 <= P* <= P(0, 0) = sum_i C_i
    return working_set_loop(host, op.rows(A), A, y[A], C[A], (z.alpha[A], z.u[A], z.s[A], z.xi[A]), w_now, z.b, c_w,
                            problem.d, w_bound, eta, budget, deadline, correctors, abandon_on_mass_join, op.vstack,
                            info)


class _InMemoryFrozen:
    """The frozen points of :func:`_working_set_finish`: every point in reach (:class:`dualsvm.ws_logic.Frozen`)."""

    def __init__(self, problem: SVMProblem, op: DenseOperator, z: _Iterate, at_C: Mask) -> None:
        self.problem, self.op, self.z = problem, op, z
        self.yC = problem.y * problem.costs
        self.U = at_C.copy()  # frozen at C_i; frozen at 0: neither in the working set nor in U

    def sums(self) -> tuple[float, float]:
        return float(self.yC[self.U].sum()), float(self.problem.costs[self.U].sum())

    def kkt_point(self, rows: Any, A: Array, yA: Array, CA: Array, sub_free: Mask, sub_at_C: Mask, c_w: Array,
                  start: tuple[Array, float, Array], budget: float) -> tuple[Any, ...]:
        return _kkt_point(self.problem, self.op, rows, A, sub_free, sub_at_C, self.U, c_w, start, budget)

    def count(self, join: Any) -> int:
        return 0 if join is None else int(join.size)

    def freeze(self, at_C: Array, at_0: Array, yC: Array, C: Array) -> None:
        self.U[at_C] = True

    def take(self, join: Array) -> tuple[Any, ...]:
        z = self.z
        was_C = self.U[join]
        self.U[join] = False
        Z = np.column_stack([z.alpha[join], z.u[join], z.s[join], z.xi[join]])
        return join, self.op.rows(join), self.problem.y[join], self.problem.costs[join], Z, was_C

    def snapshot(self) -> None:
        return None

    def result(self, found: tuple[Array, float, Array], A: Array, snap: None) -> tuple[Array, float, Array]:
        return found  # alpha is whole already
