r"""The interior point and the subgradient method on a dask array: one graph of block sums per step.

:func:`dualsvm.solve_ipm` and :func:`dualsvm.solve_subgradient` call these
when ``problem.chunked`` (``X`` a ``dask.array`` chunked by rows). Every
:math:`n`-vector of the method (:math:`\alpha`, the slacks, the margins,
the steps) is a dask array chunked like the rows of ``X`` and **persisted
on the workers** between the steps of an iteration; what the driver
receives per iteration is the :math:`(d+1)\times(d+1)` Newton system and
a few :math:`d`-vectors and scalars: step lengths (a max over blocks),
complementarity and residuals (sums). The reductions are block-wise
partial sums added by a tree (:meth:`dualsvm.operators.DaskOperator.reduce`),
run by whatever scheduler is active: a ``distributed.Client`` if one
exists, else dask's threads.

**Interior point.** The iteration of :mod:`dualsvm.ipm` in its
:math:`(d+1)\times(d+1)` form (Mehrotra predictor-corrector, the same
formulas), four passes over X per iteration. **Exact finish**, as in memory
(:func:`dualsvm.ipm.solve_ipm`, "Exact finish"): once the estimated relative
gap is below ``finish_below``, the working set (the points that
complementarity does not clearly put at a bound, :math:`\kappa = 10`) is
gathered in one pass with :math:`Z^\top\alpha` and the frozen sums
:math:`Z_U^\top C_U`, :math:`y_U^\top C_U`, if its rows take at most
:data:`WS_MAX_BYTES`; the working-set iteration (shrinking, exact KKT
solves checked on its rows) then runs on the driver, and a KKT point that
passes there is checked on the frozen points in one pass (the gap
identity's brackets summed by block), which gathers the violators' rows to
join (:func:`_ws_finish`). A working set over the cap is not gathered: the
free points alone (at most :data:`FREE_MAX`, from an estimated gap of
1e-4) get a one-shot KKT solve checked in one pass, and otherwise the
iteration goes on to the target gap. ``b`` is the midpoint of
:math:`\arg\min_b P(w, b)`, a distributed selection. The certificate
(:func:`dualsvm.chunked_certificate.certificate_chunked`) decides the status.

**Subgradient.** The full-batch Frank–Wolfe/Polyak step of
:mod:`dualsvm.subgradient` (its docstring), :math:`\alpha` persisted on the
workers; per iteration one pass for the margins and :math:`X^\top\theta`
and a distributed selection for the exact bias. The averaged and the
stochastic variants are in-memory only.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.linalg as sla

from .chunked_certificate import argmin_b_chunked, block_offsets, select
from .exceptions import DualSVMError
from .finish import kkt_solve_rows
from .operators import DaskOperator
from .problem import SVMProblem
from .ws_logic import TRY_BELOW, clip_balanced

__all__ = ["ipm_chunked", "subgradient_chunked", "FREE_MAX", "WS_MAX_BYTES"]

#: The exact finish gathers the free points' rows only when there are at most this many.
FREE_MAX = 5000
_EPS = np.finfo(np.float64).eps
#: ... and is tried only once the estimated relative gap is below this (and below ``finish_below``).
_FINISH_TRY = TRY_BELOW
#: The working-set finish gathers the working set (the points not clearly at a bound) only when its
#: rows take at most this many bytes (64 MB: 419,430 points at d = 20; the in-memory path at 1M x 20
#: starts its working set at 17,680); else the iteration on all points goes on.
WS_MAX_BYTES = 2**26
#: A KKT check returns the rows of at most this many violating frozen points per block (to join the
#: working set); a block with more makes the attempt give up (the partition was read too early).
_JOIN_MAX = 20_000
#: ipm._partition's factor for the working set (points clearly at a bound are frozen).
_KAPPA = 10.0


def _cholesky(M: np.ndarray) -> tuple[Any, float]:
    from .ipm import _cholesky as chol

    return chol(M)


def _persist(*xs: Any) -> tuple[Any, ...]:
    import dask

    return dask.persist(*xs)


# -- one task per row block: the state of a block is a (5, n_b) array [alpha; u; s; xi; zw] -------------
# A block task of the interior point returns a *part* ``(big, (sums, maxima))``: ``big`` (the state or a
# direction, n_b columns) stays on the worker for the next tasks, which take the part and read ``[0]``;
# ``sums`` (a tuple of arrays) and ``maxima`` (one array) are the block's share of the round's reductions,
# combined by :func:`_round` (one getitem per block, a tree of tasks down to at most 8 parts, which the
# driver fetches and adds: one small fetch per round, and no task of its own for the last addition).
def _tree_sum(parts: list[Any]) -> Any:
    from .operators import _tree_sum as ts

    return ts(parts)


def _sum_max(*xs: tuple[tuple[np.ndarray, ...], np.ndarray]) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Blocks' ``(sums, maxima)`` combined: the sums added entry by entry, the maxima by maximum."""
    sums, mx = xs[0]
    for s_, m_ in xs[1:]:
        sums = tuple(a + b for a, b in zip(sums, s_, strict=True))
        mx = np.maximum(mx, m_)
    return sums, mx


def _small_level(parts: list[Any], split_every: int = 8) -> list[Any]:
    """The blocks' ``(sums, maxima)`` added by a tree of ``split_every``-ary tasks down to at most ``split_every``.

    The driver fetches these and adds the last level itself (:func:`_sum_max`): at most ``split_every``
    times O(d^2) numbers travel, and the round trip has no task of its own for the last addition (measured
    on worker processes: 5-15 ms less per round).
    """
    import dask

    f = dask.delayed(_sum_max, pure=True)
    level = _get(parts, 1)
    while len(level) > split_every:
        level = [f(*level[i:i + split_every]) if len(level[i:i + split_every]) > 1 else level[i]
                 for i in range(0, len(level), split_every)]
    return level


def _client() -> Any:
    """The ``distributed.Client`` that dask's collections run on now, or None (threads, or no distributed)."""
    from dask.base import get_scheduler

    get = get_scheduler()
    client = getattr(get, "__self__", None)  # a default Client's scheduler is its bound ``get``
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - dask without distributed
        return None
    return client if isinstance(client, Client) else None


def _round(parts: list[Any]) -> tuple[list[Any], tuple[tuple[np.ndarray, ...], np.ndarray]]:
    """One round of block tasks: their parts kept where they ran, their ``(sums, maxima)`` combined here.

    On a ``distributed.Client`` one submission (``client.compute`` of the parts and the small results:
    the parts stay on the workers as futures, only the small results are gathered); else a persist
    (the threaded scheduler computes the parts in this process) and a compute of the small results.
    """
    import dask

    client = _client()
    if client is None:
        kept = list(_persist(*parts))
        return kept, _sum_max(*dask.compute(*_small_level(kept)))
    level = _small_level(parts)
    futs = client.compute(parts + level)
    return futs[:len(parts)], _sum_max(*client.gather(futs[len(parts):]))


def _measure_part(S: np.ndarray, YC: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
    """A block's (sum, max) parts of :meth:`dualsvm.ipm._QP.measure`, the partitions' counts and a bad flag.

    The counts are :func:`dualsvm.ipm._partition`'s (kappa 1: free and at C; kappa 10: the working set)
    with its ratios cross-multiplied (every term is positive): no division.
    """
    a, u, s, xi, zw = S
    y, C = YC
    r_p = zw + y * b
    r_p += xi
    r_p -= s
    r_p -= 1.0
    sC, xC = s * C, xi * C
    up_wins = xi * a >= s * u  # up >= low
    at_C = (xC > u) & up_wins
    at_C10 = (xC > _KAPPA * u) & up_wins
    n_free = np.count_nonzero(~((sC > a) | at_C))
    n_work = np.count_nonzero(~((sC > _KAPPA * a) | at_C10))
    bad = not (np.isfinite(float(S.sum())) and float(S[:4].min(initial=1.0)) > 0)
    sums = np.array([float(a @ s + u @ xi), float(y @ a), float(a.sum()), float(n_free),
                     float(np.count_nonzero(at_C)), float(bad), float(n_work)])
    return sums, np.array([float(np.abs(r_p).max(initial=0.0))])


def _scalings(S: np.ndarray) -> tuple[np.ndarray, ...]:
    """1/alpha, 1/u, s/alpha, xi/u and h = 1/(s/alpha + xi/u) of a block."""
    a, u, s, xi, _ = S
    ia, iu = 1.0 / a, 1.0 / u
    sa, xu = s * ia, xi * iu
    return ia, iu, sa, xu, 1.0 / (sa + xu)


def _factor_block(Xb: np.ndarray, S: np.ndarray, YC: np.ndarray, b: float) -> tuple[Any, ...]:
    r"""One block of the factor pass: H^T H, X^T [h, y alpha, y h g] and (sum h, sum y h g).

    :math:`g = \xi - s - r_p = 1 - Zw - yb`. :math:`H^\top H` is summed over slices of 8192 rows, as
    :meth:`dualsvm.operators.DenseOperator.weighted_gram` (no scaled copy of the whole block).
    """
    a, _, _, _, zw = S
    y = YC[0]
    h = _scalings(S)[4]
    g = 1.0 - zw - y * b
    r = np.sqrt(h)
    d = Xb.shape[1]
    G = np.zeros((d, d))
    for lo in range(0, Xb.shape[0], 8192):
        H = Xb[lo:lo + 8192] * r[lo:lo + 8192, None]
        G += H.T @ H
    yh = y * h
    V = np.stack([h, y * a, yh * g])
    return G, (V @ Xb).T, np.array([h.sum(), float(yh @ g)])


def _worst(a: np.ndarray, u: np.ndarray, s: np.ndarray, xi: np.ndarray, da_: np.ndarray, ds: np.ndarray,
           dxi: np.ndarray) -> float:
    """The block's largest ratio of :func:`dualsvm.ipm._step_to_boundary` (the step is 1 / max over blocks)."""
    return max(float(np.max(-da_ / a, initial=-np.inf)), float(np.max(da_ / u, initial=-np.inf)),
               float(np.max(-ds / s, initial=-np.inf)), float(np.max(-dxi / xi, initial=-np.inf)))


def _predictor_block(Xb: np.ndarray, P: tuple[Any, ...], YC: np.ndarray, b: float, dw: np.ndarray, db: float,
                     w: np.ndarray) -> tuple[np.ndarray, Any]:
    """The predictor's direction on a block (of the state ``P[0]``) and its step ratio, as a part.

    The direction is kept as rows ``[Z dw, Z w, da, ds, dxi, 1/alpha, 1/u, h]`` (the last three for the corrector);
    the sums are ``(q, X^T V, sum V)`` (below), the maximum the step ratio.
    """
    S = P[0]
    a, u, s, xi, zw = S
    y = YC[0]
    D = np.empty((8, S.shape[1]))
    zdw, z_w, d_a, ds, dxi, ia, iu, h = D
    ia[:], iu[:], sa, xu, h[:] = _scalings(S)
    np.dot(np.stack([dw, w]), Xb.T, out=D[:2])
    zdw *= y
    z_w *= y
    np.multiply(h, 1.0 - zw - y * (b + db) - zdw, out=d_a)  # h (g - Z dw - y db)
    np.multiply(sa, d_a, out=ds)
    ds += s
    np.negative(ds, out=ds)
    np.multiply(xu, d_a, out=dxi)
    dxi -= xi
    # mu_aff(t) * 2n = q0 + q1 t + q2 t^2, and the corrector's right-hand side X^T(y h g2), sum(y h g2) with
    # g2 = sigma mu (1/alpha - 1/u) - (da ds/alpha + da dxi/u): linear in sigma mu, so both parts are
    # formed here, in the predictor's task, and the driver combines them once sigma is known.
    q = np.array([float(a @ s + u @ xi), float(a @ ds + d_a @ s - d_a @ xi + u @ dxi), float(d_a @ ds - d_a @ dxi)])
    yh = y * h
    V = np.stack([yh * (ia - iu), yh * d_a * (ds * ia + dxi * iu)])
    return D, ((q, (V @ Xb).T, V.sum(axis=1)), np.array([_worst(a, u, s, xi, d_a, ds, dxi)]))


def _corrector_block(Xb: np.ndarray, P: tuple[Any, ...], YC: np.ndarray, Q: tuple[Any, ...], smu: float,
                     dw2: np.ndarray, db2: float) -> tuple[np.ndarray, Any]:
    """The combined direction on a block (state ``P[0]``, predictor ``Q[0]``): rows ``[DA, DS, DXI, Z dw2]``,
    and the block's step ratio (no sums), as a part."""
    S, D1 = P[0], Q[0]
    a, u, s, xi, _ = S
    y = YC[0]
    _, _, d_a, ds, dxi, ia, iu, h = D1
    c1a = (smu - d_a * ds) * ia  # c1 / alpha
    c2u = (smu + d_a * dxi) * iu  # c2 / u
    out = np.empty((4, S.shape[1]))
    DA, DS, DXI, zdw2 = out
    np.dot(Xb, dw2, out=zdw2)
    zdw2 *= y
    np.multiply(h, c1a - c2u - zdw2 - y * db2, out=DA)
    DA += d_a
    np.multiply(s * ia, DA, out=DS)
    np.subtract(c1a - s, DS, out=DS)
    np.multiply(xi * iu, DA, out=DXI)
    DXI += c2u - xi
    return out, ((), np.array([_worst(a, u, s, xi, DA, DS, DXI)]))


def _update_block(S: np.ndarray, YC: np.ndarray, D1: np.ndarray, D2: np.ndarray, t: float, b_new: float) -> tuple[Any, ...]:
    """The new iterate on a block, and its measure (the next iteration's first reduction, in the same task)."""
    new = np.empty_like(S)
    tDA = t * D2[0]
    np.add(S[0], tDA, out=new[0])
    np.subtract(S[1], tDA, out=new[1])
    np.add(S[2], t * D2[1], out=new[2])
    np.add(S[3], t * D2[2], out=new[3])
    np.add(D1[0], D2[3], out=new[4])
    new[4] *= t
    new[4] += D1[1]
    return (new, *_measure_part(new, YC, b_new))


def _update_factor_block(Xb: np.ndarray, P: tuple[Any, ...], YC: np.ndarray, Q: tuple[Any, ...],
                         R: tuple[Any, ...], t: float, b_new: float) -> tuple[np.ndarray, Any]:
    """The update (state ``P[0]``, directions ``Q[0]``, ``R[0]``), the next measure and the next factor pass,
    in one task per block (one round trip): the part ``(new state, ((measure sums, H^T H, X^T V, h sums), max |r_p|))``."""
    new, sums, rmax = _update_block(P[0], YC, Q[0], R[0], t, b_new)
    bad = sums[5] > 0
    fac = _factor_block(Xb, new, YC, b_new) if not bad else tuple(np.full_like(x, np.nan) for x in _factor_shapes(Xb))
    return new, ((sums, *fac), rmax)


def _factor_shapes(Xb: np.ndarray) -> tuple[np.ndarray, ...]:
    d = Xb.shape[1]
    return np.zeros((d, d)), np.zeros((d, 3)), np.zeros(2)


def _measure_factor_block(Xb: np.ndarray, S: np.ndarray, YC: np.ndarray, b: float) -> tuple[np.ndarray, Any]:
    """The measure and the factor pass of the start, as the part of :func:`_update_factor_block`."""
    sums, rmax = _measure_part(S, YC, b)
    return S, ((sums, *_factor_block(Xb, S, YC, b)), rmax)


def _partition_block(S: np.ndarray, YC: np.ndarray, kappa: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Free and at-C masks of a block, read off complementarity by :func:`dualsvm.ipm._partition`."""
    from .ipm import _partition

    return _partition(S[0], S[1], S[2], S[3], YC[1], kappa)


def _gather_free_block(Xb: np.ndarray, S: np.ndarray, YC: np.ndarray, off: int) -> tuple[Any, ...]:
    """A block's free rows (with index, y, alpha, C) and its share of Z_U^T C_U and y_U^T C_U."""
    free, at_C = _partition_block(S, YC)
    y, C = YC
    yC_U = np.where(at_C, y * C, 0.0)
    F = np.flatnonzero(free)
    return (F + off, Xb[F].copy(), y[F].copy(), S[0, F].copy(), C[F].copy()), (Xb.T @ yC_U, np.array(float(yC_U.sum())))


def _check_block(Xb: np.ndarray, S: np.ndarray, YC: np.ndarray, off: int, F: np.ndarray, aF: np.ndarray,
                 w: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
    """The candidate's alpha on a block (C_i on U, 0 on L, the solve's on F) and its sums of brackets and of alpha."""
    _, at_C = _partition_block(S, YC)
    y, C = YC
    alpha = np.where(at_C, C, 0.0)
    sel = (F >= off) & (F < off + S.shape[1])
    alpha[F[sel] - off] = aF[sel]
    m = y * (Xb @ w + b)
    br = C * np.maximum(0.0, 1.0 - m) - alpha * (1.0 - m)  # kkt_brackets (proofs/T04)
    return alpha, np.array([float(br.sum()), float(alpha.sum())])


def _finish(
    problem: SVMProblem, op: DaskOperator, xb: list[Any], S: list[Any], YC: list[Any], w0: np.ndarray, b0: float,
    budget: float,
) -> tuple[dict[str, Any], tuple[np.ndarray, float, Any] | None]:
    r"""The exact KKT solve of the partition read off the iterate (kappa = 1); checked in one pass.

    One pass gathers the free rows (at most :data:`FREE_MAX`, checked by the
    caller) with :math:`Z_U^\top C_U`; the equalities are solved on the driver;
    one pass builds the candidate's :math:`\alpha` on the blocks and sums the
    gap identity's brackets. Accepted when the gap is within ``budget``
    relative to :math:`\max(1, |D|)`.
    """
    import dask
    import dask.array as da

    offs = [int(o) for o in block_offsets(op)[:-1]]
    parts = _map(_gather_free_block, xb, S, YC, offs)
    rows, (fixed, ycsum) = dask.compute(_get(parts, 0), _tree_sum(_get(parts, 1)))
    op.passes += 1
    F = np.concatenate([r[0] for r in rows]).astype(np.intp)
    XF = np.concatenate([r[1] for r in rows]).reshape(-1, problem.d)
    yF, aF, CF = (np.concatenate([r[j] for r in rows]) for j in (2, 3, 4))
    op.rows_read += int(F.size)
    ycsum = float(ycsum)
    info: dict[str, Any] = {"n_free": int(F.size)}
    if F.size:
        w, b, a_F = kkt_solve_rows(XF, yF, fixed, ycsum, start=(w0, b0, aF))
        a_F, info["box_excess"] = clip_balanced(a_F, yF, CF, ycsum)
        r_w = w - fixed - XF.T @ (yF * a_F)
        yta = float(yF @ a_F) + ycsum
    else:  # no free point: w is fixed by the bound points alone (b: the iterate's, then argmin_b)
        w, b, a_F = fixed, float(b0), np.zeros(0)
        r_w, yta = np.zeros(problem.d), ycsum
    chk = list(_persist(*_map(_check_block, xb, S, YC, offs, F=F, aF=a_F, w=w, b=b)))
    op.passes += 1
    br, a_sum = _tree_sum(_get(chk, 1)).compute()
    gap = 0.5 * float(r_w @ r_w) + abs(b * yta) + float(br)
    allowed = budget * max(1.0, abs(float(a_sum) - 0.5 * float(w @ w)))
    info.update(gap=gap, allowed=allowed)
    if gap > allowed:
        info["outcome"] = "partition violates"
        return info, None
    info["outcome"] = "KKT point"
    alpha = da.concatenate([da.from_delayed(p, shape=(c,), dtype=np.float64)
                            for p, c in zip(_get(chk, 0), op.row_chunks, strict=True)])
    return info, (w, b, alpha)


# -- the working-set finish: the working set's rows in memory, the frozen points checked block by block --
def _ws_gather_block(Xb: np.ndarray, S: np.ndarray, YC: np.ndarray, off: int) -> tuple[Any, ...]:
    r"""A block's working set (kappa = 10): index, rows, y, C and iterate; its share of the frozen sums.

    The sums: :math:`[Z^\top\alpha, Z_U^\top C_U]` (``d x 2``) and
    :math:`[y_U^\top C_U, \sum_U C_i, \sum_i C_i]`, with :math:`U` the points frozen at :math:`C_i`.
    """
    work, at_C = _partition_block(S, YC, _KAPPA)
    y, C = YC
    yCU = np.where(at_C, y * C, 0.0)
    W = np.flatnonzero(work)
    rows = (W + off, Xb[W], y[W], C[W], S[:4, W].T.copy())
    sums = (Xb.T @ np.column_stack([y * S[0], yCU]), np.array([yCU.sum(), float(C[at_C].sum()), float(C.sum())]))
    return rows, sums


def _frozen_alpha(S0: np.ndarray, YC: np.ndarray, ov_loc: np.ndarray, ov_code: np.ndarray) -> np.ndarray:
    """Frozen alpha of a block: C_i at the gate's bound points, 0 elsewhere, then the overrides (shrunk points)."""
    _, at_C = _partition_block(S0, YC, _KAPPA)
    C = YC[1]
    alpha = np.where(at_C, C, 0.0)
    alpha[ov_loc] = np.where(ov_code == 1, C[ov_loc], 0.0)
    return alpha


def _ws_check_block(Xb: np.ndarray, S0: np.ndarray, YC: np.ndarray, A_loc: np.ndarray, ov_loc: np.ndarray,
                    ov_code: np.ndarray, w: np.ndarray, b: float, thr: float) -> tuple[np.ndarray, Any]:
    """The frozen points of a block (off the working set) against ``(w, b)``: their brackets, and who violates.

    Returns ``[sum of brackets, sum alpha, violators, brackets above rounding]`` and the violators'
    index, rows, y, C, gate iterate and at-C flag (``None`` beyond :data:`_JOIN_MAX`).
    """
    from .finish import kkt_brackets

    alpha = _frozen_alpha(S0, YC, ov_loc, ov_code)
    y, C = YC
    f = Xb @ w
    g = kkt_brackets(y * (f + b), alpha, C)
    g[A_loc] = 0.0  # the working set is checked on the driver, from its rows
    frozen = np.ones(len(g), bool)
    frozen[A_loc] = False
    # exact partition: every bracket at rounding level, C_i |m_i - 1| <= 16 (d+1) u C_i (|x_i^T w| + |b| + 1)
    tol = 16 * (Xb.shape[1] + 1) * np.finfo(np.float64).eps * C * (np.abs(f) + abs(b) + 1.0)
    V = np.flatnonzero(g > thr)
    sums = np.array([float(g.sum()), float(alpha[frozen].sum()), float(V.size), float(np.count_nonzero(g > tol))])
    join = None if V.size > _JOIN_MAX else (V, Xb[V], y[V], C[V], S0[:4, V].T.copy(), alpha[V] > 0)
    return sums, join


def _ws_alpha_block(S0: np.ndarray, YC: np.ndarray, A_loc: np.ndarray, aA: np.ndarray, ov_loc: np.ndarray,
                    ov_code: np.ndarray) -> np.ndarray:
    """The finished alpha of a block: the frozen values, and the working set's solved ones."""
    alpha = _frozen_alpha(S0, YC, ov_loc, ov_code)
    alpha[A_loc] = aA
    return alpha


class _Frozen:
    """The partition of the points off the working set, as the blocks see it (indices split by block)."""

    def __init__(self, problem: SVMProblem, op: DaskOperator, xb: list[Any], S0: list[Any], YC: list[Any]) -> None:
        self.problem, self.op, self.xb, self.S0, self.YC = problem, op, xb, S0, YC
        self.offs = block_offsets(op)
        self.ov: dict[int, int] = {}  # global index -> 0 (at 0) or 1 (at C_i): points shrunk out of the working set
        self.c_b, self.c_sum = 0.0, 0.0  # y_U^T C_U and sum_U C_i (set by the gather)

    # -- what dualsvm.ws_logic.working_set_loop asks (its Frozen protocol) --
    def sums(self) -> tuple[float, float]:
        return self.c_b, self.c_sum

    def kkt_point(self, rows: np.ndarray, A: np.ndarray, yA: np.ndarray, CA: np.ndarray, sub_free: np.ndarray,
                  sub_at_C: np.ndarray, c_w: np.ndarray, start: tuple[Any, ...], budget: float) -> tuple[Any, ...]:
        return _ws_kkt_point(self.problem, self, rows, A, yA, CA, sub_free, sub_at_C, c_w, self.c_b, self.c_sum,
                             start, budget)

    def count(self, join: Any) -> int:
        return sum(int(j[0].size) for j in join or ())

    def freeze(self, at_C: np.ndarray, at_0: np.ndarray, yC: np.ndarray, C: np.ndarray) -> None:
        self.c_b, self.c_sum = self.c_b + float(yC.sum()), self.c_sum + float(C.sum())
        self.ov.update({int(i): 1 for i in at_C})
        self.ov.update({int(i): 0 for i in at_0})

    def take(self, join: list[Any]) -> tuple[Any, ...]:
        """The violators' parts, gathered by :meth:`check`, joined: no longer frozen."""
        d = self.problem.d
        jidx = np.concatenate([j[0] for j in join]).astype(np.int64)
        jrows = np.concatenate([j[1] for j in join]).reshape(-1, d)
        jy, jC = np.concatenate([j[2] for j in join]), np.concatenate([j[3] for j in join])
        jZ = np.concatenate([j[4] for j in join]).reshape(-1, 4)
        was_C = np.concatenate([j[5] for j in join])
        self.op.rows_read += int(jidx.size)
        self.c_b, self.c_sum = self.c_b - float((jy * jC)[was_C].sum()), self.c_sum - float(jC[was_C].sum())
        for i in jidx:
            self.ov.pop(int(i), None)
        return jidx, jrows, jy, jC, jZ, was_C

    def snapshot(self) -> dict[int, int]:
        return dict(self.ov)

    def result(self, found: tuple[np.ndarray, float, np.ndarray], A: np.ndarray, snap: dict[int, int]) -> tuple[Any, ...]:
        self.ov = snap  # the overrides of the partition the KKT point was found with
        return found[0], found[1], self.alpha(A, found[2])

    def split(self, idx: np.ndarray, *vals: np.ndarray) -> list[tuple[np.ndarray, ...]]:
        """``idx`` (sorted global indices) and values, cut by block, the indices made local."""
        cut = np.searchsorted(idx, self.offs)
        return [(idx[cut[i]:cut[i + 1]] - self.offs[i], *(v[cut[i]:cut[i + 1]] for v in vals))
                for i in range(len(self.offs) - 1)]

    def overrides(self) -> list[tuple[np.ndarray, np.ndarray]]:
        idx = np.array(sorted(self.ov), dtype=np.int64)
        code = np.array([self.ov[int(i)] for i in idx], dtype=np.int8)
        return self.split(idx, code)  # type: ignore[return-value]

    def check(self, A: np.ndarray, w: np.ndarray, b: float, thr: float) -> tuple[np.ndarray, list[Any] | None]:
        """One pass: the frozen points' summed brackets and alpha, counts, and the violators (gathered)."""
        import dask

        f = dask.delayed(_ws_check_block, pure=True)
        parts = [f(xb, s0, yc, a_loc, ov_loc, ov_code, w=w, b=b, thr=thr) for xb, s0, yc, (a_loc,), (ov_loc, ov_code)
                 in zip(self.xb, self.S0, self.YC, self.split(A), self.overrides(), strict=True)]
        out = dask.compute(*parts)
        self.op.passes += 1
        sums = np.sum([o[0] for o in out], axis=0)
        joins = [o[1] for o in out]
        if any(j is None for j in joins):
            return sums, None
        return sums, [(j[0] + self.offs[i], *j[1:]) for i, j in enumerate(joins)]

    def alpha(self, A: np.ndarray, aA: np.ndarray) -> Any:
        """The whole alpha as a dask array chunked like X's rows, persisted."""
        import dask
        import dask.array as da

        f = dask.delayed(_ws_alpha_block, pure=True)
        blocks = [da.from_delayed(f(s0, yc, a_loc, a_vals, ov_loc, ov_code), shape=(c,), dtype=np.float64)
                  for s0, yc, (a_loc, a_vals), (ov_loc, ov_code), c
                  in zip(self.S0, self.YC, self.split(A, aA), self.overrides(), self.op.row_chunks, strict=True)]
        return da.concatenate(blocks).persist()


def _ws_kkt_point(
    problem: SVMProblem, frozen: _Frozen, rows: np.ndarray, A: np.ndarray, yA: np.ndarray, CA: np.ndarray,
    sub_free: np.ndarray, sub_at_C: np.ndarray, c_w: np.ndarray, c_b: float, c_sum: float,
    start: tuple[np.ndarray, float, np.ndarray], budget: float,
) -> tuple[dict[str, Any], tuple[np.ndarray, float, np.ndarray] | None, list[Any]]:
    r""":func:`dualsvm.ipm._kkt_point` with the frozen points on the blocks.

    The KKT equalities of the partition of the working set ``A`` (rows in
    memory) are solved and checked on ``A`` by the gap identity; only then one
    pass checks the frozen points (:meth:`_Frozen.check`), which also gathers
    the ones that violate. Returns (info, ``(w, b, alpha_A)`` or None, the
    violators' parts to join).
    """
    from .finish import kkt_brackets

    yC = yA * CA
    F = np.flatnonzero(sub_free)
    fixed = c_w + rows[sub_at_C].T @ yC[sub_at_C]
    ycsum = c_b + float(yC[sub_at_C].sum())
    info: dict[str, Any] = {"n_free": int(F.size)}
    if F.size:
        w, b, aF = kkt_solve_rows(rows[F], yA[F], fixed, ycsum, start=start)
    else:
        w, b, aF = fixed, float(start[1]), np.zeros(0)
    aF, info["box_excess"] = clip_balanced(aF, yA[F], CA[F], ycsum)
    aA = np.where(sub_at_C, CA, 0.0)
    aA[F] = aF
    r_w = w - fixed - rows[F].T @ (yA[F] * aF)
    stat = 0.5 * float(r_w @ r_w) + abs(b * (float(yA @ aA) + c_b))
    allowed = budget * max(1.0, abs(float(aA.sum()) + c_sum - 0.5 * float(w @ w)))
    fA = rows @ w
    gA = kkt_brackets(yA * (fA + b), aA, CA)
    info["gap_working_set"] = stat + float(gA.sum())
    if info["gap_working_set"] > allowed:
        info["outcome"], info["n_violations"] = "working-set point violates", int(np.count_nonzero(gA > 1e-3 * allowed))
        return info, None, []
    if not F.size:  # no equation fixes b: the iterate's, moved into argmin_b P(w, .) (a distributed selection)
        lo, hi = argmin_b_chunked(problem, frozen.op, w, guess=b)
        frozen.op.passes += 1
        b = float(np.clip(b, lo, hi))
        gA = kkt_brackets(yA * (fA + b), aA, CA)
    sums, join = frozen.check(A, w, b, 1e-3 * allowed)
    info["gap"] = stat + float(gA.sum()) + float(sums[0])
    info["n_violations"] = int(np.count_nonzero(gA > 1e-3 * allowed)) + int(sums[2])
    if info["gap"] > allowed:
        info["outcome"] = "frozen point violates"
        return info, None, [] if join is None else join
    tol = 16 * (problem.d + 1) * _EPS * CA * (np.abs(rows) @ np.abs(w) + abs(b) + 1.0)
    info["exact"] = bool(np.all(gA <= tol)) and sums[3] == 0
    info["outcome"] = "KKT point" if info["exact"] else "KKT point within the gap budget"
    return info, (w, b, aA), []


def _ws_finish(
    problem: SVMProblem, op: DaskOperator, xb: list[Any], S0: list[Any], YC: list[Any], b0: float, eta: float,
    budget: float, deadline: float | None, correctors: Any,
) -> tuple[dict[str, Any], tuple[np.ndarray, float, Any] | None, int]:
    r""":func:`dualsvm.ipm._working_set_finish` on a dask problem: the working set gathered, the rest frozen.

    One pass gathers the working set (points not clearly at a bound,
    :math:`\kappa = 10`, at most :data:`WS_MAX_BYTES` of rows by the caller's gate: rows,
    labels, costs and iterate) with :math:`Z^\top\alpha` and the frozen sums
    :math:`Z_U^\top C_U`, :math:`y_U^\top C_U`, :math:`\sum_U C_i`. The working
    set then iterates in memory by the loop of the in-memory finish
    (:func:`dualsvm.ws_logic.working_set_loop`, with :class:`_Frozen` as its host:
    shrinking, exact KKT solves checked on its rows); a partition that passes is checked on the
    frozen points in one pass (:meth:`_Frozen.check`), whose violators join
    (their rows travel with the check; abandoned when more join than the
    working set holds, as in memory). Returns (info, ``(w, b, alpha)`` with
    ``alpha`` a dask array, or None, Newton steps taken).
    """
    import dask

    from .ws_logic import working_set_loop

    d = problem.d
    frozen = _Frozen(problem, op, xb, S0, YC)
    parts = _map(_ws_gather_block, xb, S0, YC, [int(o) for o in frozen.offs[:-1]])
    got, (ZtV, csums) = dask.compute(_get(parts, 0), _tree_sum(_get(parts, 1)))
    op.passes += 1
    A = np.concatenate([g[0] for g in got]).astype(np.int64)
    rows = np.concatenate([g[1] for g in got]).reshape(-1, d)
    yA, CA = np.concatenate([g[2] for g in got]), np.concatenate([g[3] for g in got])
    Z = np.concatenate([g[4] for g in got]).reshape(-1, 4)
    op.rows_read += int(A.size)
    frozen.c_b, frozen.c_sum, C_total = (float(v) for v in csums)
    w_bound = float(np.sqrt(2.0 * C_total))  # 1/2 ||w*||^2 <= P* <= P(0, 0) = sum_i C_i
    info: dict[str, Any] = {"n_working": int(A.size), "working_sizes": [], "n_joined": 0}
    # w: Z^T alpha of the iterate on all points (as ipm's products); the gate's iterate on A warm-starts the loop
    return working_set_loop(frozen, rows, A, yA, CA, tuple(Z[:, j].copy() for j in range(4)), ZtV[:, 0], float(b0),
                            ZtV[:, 1].copy(), d, w_bound, eta, budget, deadline, correctors, True,
                            lambda blocks: np.vstack(blocks), info)


def _map(func: Any, *lists: Any, **consts: Any) -> list[Any]:
    """``func(*blocks, **consts)`` on every row block, as one ``dask.delayed`` task each."""
    import dask

    f = dask.delayed(func, pure=True)
    return [f(*args, **consts) for args in zip(*lists, strict=True)]


def _get(parts: list[Any], i: int) -> list[Any]:
    import operator

    import dask

    g = dask.delayed(operator.getitem, pure=True)
    return [g(p, i) for p in parts]


def _column(op: DaskOperator, S: list[Any], j: int) -> Any:
    """Column ``j`` of the block states, as a dask array chunked like X's rows."""
    import dask
    import dask.array as da

    col = dask.delayed(lambda B, j: B[j].copy(), pure=True)
    return da.concatenate([da.from_delayed(col(sb, j), shape=(c,), dtype=np.float64)
                           for sb, c in zip(S, op.row_chunks, strict=True)])


def ipm_chunked(
    problem: SVMProblem, target_gap: float, max_iter: int, opts: dict[str, Any], deadline: float | None = None,
) -> tuple[tuple[np.ndarray, float, Any], str, str, dict[str, Any]]:
    r"""The interior point of :func:`dualsvm.solve_ipm` on a dask problem (module docstring).

    One ``dask.delayed`` task per row block and step; the state of a block
    (:math:`\alpha, u, s, \xi, Zw`) is a ``(5, n_b)`` array (one row each) persisted where
    the block is. Per iteration three rounds (:func:`_round`: one submission on a
    ``distributed.Client``, the blocks' parts kept on the workers and their small
    results gathered; three is the least for this iteration, as each round needs a
    reduction of the one before: the Newton system, then the predictor's sums, then
    the combined direction's step length): the predictor (:math:`Z\Delta w`, :math:`Zw`, the
    direction, each block's step ratio, :math:`\mu_{aff}(t)` as a quadratic
    in :math:`t`, and the two parts of the corrector's right-hand side, which
    is linear in :math:`\sigma\mu`), the corrector (:math:`Z\Delta w_2`,
    the direction, the ratios), and the update (the new iterate, its measure
    and the next weighted Gram). Four products with X per iteration; what
    reaches the driver is :math:`O(d^2)` numbers (at most 8 partial sums of each).

    Returns the candidate ``(w, b, alpha)`` (``alpha`` a dask array), the
    status and why, and the extras; the caller certifies.
    """

    if opts["newton"] not in ("auto", "features"):
        raise DualSVMError(f"newton={opts['newton']!r} is not available on a dask array; it uses 'features' "
                           "(the (d+1)x(d+1) system, one weighted Gram per iteration)")
    op = problem.operator()
    assert isinstance(op, DaskOperator)
    n, d = problem.n, problem.d
    y, C = op.vector(problem.y), op.vector(problem.costs)  # lazy: never a persisted twin of the problem's keys
    xb = list(op.X.to_delayed().reshape(-1))
    # a block's labels and costs as rows [y; C], its state as rows [alpha; u; s; xi; Z w] (contiguous n_b-vectors)
    YC = list(_persist(*_map(lambda yb, cb: np.stack([yb, cb]), y.to_delayed().reshape(-1),
                                 C.to_delayed().reshape(-1))))
    S = list(_persist(*_map(lambda B: np.stack([0.5 * B[1], 0.5 * B[1], np.ones(B.shape[1]), np.ones(B.shape[1]),
                                                np.zeros(B.shape[1])]), YC)))
    w, b = np.zeros(d), 0.0
    state, small = _round(_map(_measure_factor_block, xb, S, YC, b=b))  # parts (S, ((sums, factor), max r_p))
    eta = float(opts["step_fraction"])
    history: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    deltas: list[float] = []
    found = None
    status, why = "max_iter", f"max_iter={max_iter} Newton steps done"
    last_try: tuple[int, int] | None = None
    gate_below = float(opts["finish_below"])
    sub_iters = 0
    prev: tuple[list[Any], np.ndarray, float] | None = None
    it = 0
    for it in range(max_iter + 1):  # noqa: B007 (read after the loop)
        # one fetch: the measure of the iterate and its factor pass (formed in the update's tasks)
        (sums, G, XtV, hs), rmax = small
        op.passes += 1
        comp, yta, asum, n_free, n_at_C, n_bad, n_work = (float(v) for v in sums)
        rpmax = float(rmax[0])
        if n_bad or not np.all(np.isfinite(w)) or not np.isfinite(b):
            status, why = "inaccurate", f"non-finite Newton step at iteration {it - 1}"
            if prev is not None:
                state, w, b = prev  # keep the last finite iterate for the certificate
            break
        S = _get(state, 0)
        dual = asum - 0.5 * float(w @ w)
        rel = comp / max(1.0, abs(dual))
        row = {"comp": comp, "rel_gap_estimate": rel, "r_p": rpmax, "r_b": abs(yta),
               "n_free": int(n_free), "n_at_C": int(n_at_C)}
        history.append(row)
        converged = rel <= 0.1 * target_gap and rpmax <= 1e-9
        # the KKT solve is tried from an estimated gap of 1e-4 (as on the in-memory working sets): earlier, the
        # partition read off the iterate is wrong and each try costs two passes (measured at 50k x 20: 14 tries, 1 good)
        # The working-set finish, as in memory (gathered when its rows take at most WS_MAX_BYTES) ...
        ws_fits = int(n_work) * d * 8 <= WS_MAX_BYTES
        if bool(opts["finish"]) and rel <= gate_below and ws_fits:
            info, found, k = _ws_finish(problem, op, xb, S, YC, b, eta, 0.1 * target_gap, deadline, opts["correctors"])
            sub_iters += k
            info["iteration"] = it
            attempts.append(info)
            if found is not None:
                status, why = "optimal", f"exact finish after {it} + {sub_iters} Newton steps"
                break
            # the partition was read too early: the next attempt waits for a tenfold smaller estimate (as in memory)
            gate_below = min(gate_below, rel) * 0.1
        # ... else, with a working set too large to gather, the KKT solve of the free set alone
        gate = (bool(opts["finish"]) and not ws_fits and rel <= min(opts["finish_below"], _FINISH_TRY)
                and int(n_free) <= FREE_MAX and (int(n_free), int(n_at_C)) != last_try)
        if gate:
            last_try = (int(n_free), int(n_at_C))
            info, found = _finish(problem, op, xb, S, YC, w, b, 0.1 * target_gap)
            info["iteration"] = it
            attempts.append(info)
            if found is not None:
                status, why = "optimal", f"exact finish after {it} Newton steps"
                break
        if it == max_iter or converged:
            if converged:
                status, why = "optimal", f"interior iterate at iteration {it}"
            break
        if deadline is not None and time.perf_counter() > deadline:
            status, why = "max_time", f"max_time spent after {it} Newton steps"
            break
        # -- the (d+1)x(d+1) matrix of the factor pass, factored on the driver --
        M = np.empty((d + 1, d + 1))
        M[:d, :d] = G
        M[np.arange(d), np.arange(d)] += 1.0
        M[:d, d] = M[d, :d] = XtV[:, 0]
        M[d, d] = hs[0]
        try:
            chol, delta = _cholesky(M)
        except (np.linalg.LinAlgError, ValueError) as exc:
            status, why = "inaccurate", f"Newton system failed at iteration {it}: {exc}"
            break
        deltas.append(delta)
        zta, ztHg = XtV[:, 1], XtV[:, 2]
        sol = sla.cho_solve(chol, np.append(ztHg - (w - zta), hs[1] + yta), check_finite=False)
        dw, db = sol[:-1], float(sol[-1])
        # -- predictor: Z dw and Z w, mu_aff(t) as a quadratic, and both parts of the corrector's rhs --
        pred, ((q, XtV2, V2), (worst,)) = _round(_map(_predictor_block, xb, state, YC, b=b, dw=dw, db=db, w=w))
        op.passes += 2
        t_aff = 1.0 if worst <= 1.0 else 1.0 / worst
        mu = comp / (2 * n)
        mu_aff = float(q[0] + t_aff * q[1] + t_aff**2 * q[2]) / (2 * n)
        sigma = min(1.0, (mu_aff / mu) ** 3)
        smu = sigma * mu
        # -- corrector: its right-hand side from the predictor's parts, one pass for Z dw2 --
        sol2 = sla.cho_solve(chol, np.append(smu * XtV2[:, 0] - XtV2[:, 1], smu * V2[0] - V2[1]), check_finite=False)
        dw2, db2 = sol2[:-1], float(sol2[-1])
        corr, (_, (worst,)) = _round(_map(_corrector_block, xb, state, YC, pred, smu=smu, dw2=dw2, db2=db2))
        op.passes += 1
        t = min(1.0, eta * (1.0 if worst <= 1.0 else 1.0 / worst))
        row.update(sigma=sigma, step=t, step_affine=t_aff, regularization=delta)
        prev = (state, w, b)
        w, b = w + t * (dw + dw2), b + t * (db + db2)
        state, small = _round(_map(_update_factor_block, xb, state, YC, pred, corr, t=t, b_new=b))
        if t < 1e-12:
            status, why = "inaccurate", f"step length {t:.2g} at iteration {it}"
            break
    if found is None:
        # No exact finish: the interior iterate itself (the certificate projects alpha), its own w.
        alpha = _persist(_column(op, _get(state, 0), 0))[0]
        b_lo, b_hi = argmin_b_chunked(problem, op, w, guess=b)
        op.passes += 1
        found = (w, 0.5 * (b_lo + b_hi), alpha)
    else:
        # the KKT solve's b is in argmin_b P(w, .) up to rounding: a narrow window saves selection rounds
        eps = 1e-6 * (1.0 + abs(found[1]))
        b_lo, b_hi = argmin_b_chunked(problem, op, found[0], guess=found[1], window=(found[1] - eps, found[1] + eps))
        op.passes += 1
        found = (found[0], 0.5 * (b_lo + b_hi), found[2])
    extras = {
        "data_passes": op.passes + op.rows_read / n, "full_passes": op.passes, "rows_read": op.rows_read,
        "newton": "features", "history": history, "finish": attempts, "iterations_all_points": it,
        "iterations_working_set": sub_iters, "regularized_steps": int(sum(dl > 0 for dl in deltas)),
        "chunked": {"blocks": op.nblocks, "row_chunks": op.row_chunks[:8]},
    }
    return found, status, why, extras


# -- subgradient ---------------------------------------------------------------------------
def _sg_theta(s: np.ndarray, YC: np.ndarray, b: float, fp: float, fn: float) -> np.ndarray:
    """theta of a block: 1 below the margin, 0 above, the class's fraction on it (proofs/T08)."""
    y = YC[:, 0]
    m = y * (s + b)
    return np.where(m < 1.0, 1.0, 0.0) + np.where(m == 1.0, np.where(y > 0, fp, fn), 0.0)


def _sg_on_block(B: np.ndarray, YC: np.ndarray, b: float) -> np.ndarray:
    """Sums of C by class below the margin and on it: [below +, below -, on +, on -]."""
    y, C = YC.T
    m = y * (B[:, 1] + b)
    below, on = m < 1.0, m == 1.0
    return np.array([C[below & (y > 0)].sum(), C[below & (y < 0)].sum(), C[on & (y > 0)].sum(), C[on & (y < 0)].sum()])


def _sg_sums_block(Xb: np.ndarray, B: np.ndarray, YC: np.ndarray, b: float, fp: float, fn: float) -> tuple[Any, ...]:
    """Z^T (C theta), sum C max(0, 1 - m) and sum alpha of a block."""
    y, C = YC.T
    s = B[:, 1]
    theta = _sg_theta(s, YC, b, fp, fn)
    m = y * (s + b)
    return Xb.T @ (y * C * theta), np.array([float(C @ np.maximum(0.0, 1.0 - m)), float(B[:, 0].sum())])


def subgradient_chunked(
    problem: SVMProblem, target_gap: float, max_iter: int, deadline: float | None = None,
    extrapolate_every: int | None = None,
) -> tuple[tuple[np.ndarray, float, Any], str, str, dict[str, Any]]:
    r"""The full-batch subgradient (Frank–Wolfe) step of :mod:`dualsvm.subgradient` on a dask problem.

    One task per block and step; a block's state is ``[alpha, s]``
    (:math:`s = X_b w`), persisted. Per iteration: the exact bias by a
    distributed selection on :math:`t = y - s` (the window of the last
    iteration's bias tried first), then one pass for :math:`Z^\top(C\theta)`,
    :math:`P` and :math:`\sum\alpha` (:math:`D = \sum\alpha - \frac12\|w\|^2`:
    :math:`w = Z^\top\alpha` along the iteration), the step
    :math:`\eta = \min(1, (P - D)/\|g\|^2)`, and one pass that updates
    :math:`\alpha` and computes the next :math:`s`. :math:`\theta` is 1
    below the margin and 0 above; with :math:`b` strictly inside
    :math:`\arg\min_b` it is balanced (:math:`y^\top C\theta = 0`: the slope is
    zero there), and at a breakpoint the margin points get the fraction of
    their class that balances it (:func:`~dualsvm.subgradient.balanced_violators`).
    The best :math:`P` (with its :math:`w, b`) and the best :math:`D` (with its
    :math:`\alpha`) are kept, as in memory, and the run stops when
    :math:`P_{best} - D_{best} \le` ``target_gap`` :math:`\max(1, |P_{best}|)`.

    Every ``extrapolate_every`` steps, the extrapolation of
    :func:`dualsvm.subgradient._extrapolate` (the same formulas, block by
    block): one round for :math:`\sum(\alpha - \alpha_s)` and the moved
    entries' :math:`y^\top(\alpha - \alpha_s)`, one for the box's ratio, one
    pass that moves :math:`\alpha` and sums :math:`Z^\top\alpha` (the new
    :math:`w`), and one for :math:`s = X_b w`.

    Returns ``(w, b, alpha)`` (``alpha`` a dask array), the status and why, and extras.
    """
    import dask
    import dask.array as da

    op = problem.operator()
    assert isinstance(op, DaskOperator)
    d = problem.d
    y, C = op.vector(problem.y), op.vector(problem.costs)
    xb = list(op.X.to_delayed().reshape(-1))
    YC = list(_persist(*_map(lambda yb, cb: np.column_stack([yb, cb]), y.to_delayed().reshape(-1),
                                 C.to_delayed().reshape(-1))))
    weighted = problem.weighted
    S_pos = None
    if weighted:
        S_pos = float(_tree_sum(_map(lambda B: np.array(float(B[B[:, 0] > 0, 1].sum())), YC)).compute())
    w = np.zeros(d)
    B = list(_persist(*_map(lambda Xb, Yb: np.column_stack([np.zeros(len(Yb)), Xb @ w]), xb, YC)))  # alpha = 0, s = 0
    op.passes += 1
    best_P, best_w, best_b = np.inf, w, 0.0
    best_D, best_B = -np.inf, B
    history: list[dict[str, float]] = []
    status, why = "max_iter", f"max_iter={max_iter} steps done"
    b, window = 0.0, None
    snap, w_snap, n_extrapolated = [None] * len(B), np.zeros(d), 0  # alpha_s = 0, w_s = 0
    t_of = dask.delayed(lambda Bb, Yb: Yb[:, 0] - Bb[:, 1], pure=True)
    c_of = dask.delayed(lambda Yb: Yb[:, 1], pure=True)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        t_blocks = [t_of(Bb, Yb) for Bb, Yb in zip(B, YC, strict=True)]
        if weighted:
            lo, hi = select(op, [(t_blocks, [c_of(Yb) for Yb in YC], S_pos, "left"),
                                 (t_blocks, [c_of(Yb) for Yb in YC], S_pos, "right")], guess=b, window=window)
        else:
            k = float(problem._n_pos)
            lo, hi = select(op, [(t_blocks, None, k, "left"), (t_blocks, None, k, "right")], guess=b, window=window)
        width = max(2.0 * abs(0.5 * (lo + hi) - b), 1e-3 * (1.0 + abs(b)))
        b = 0.5 * (lo + hi)
        window = (lo - width, hi + width)
        fp = fn = 0.0
        if not lo < b < hi:  # b on a breakpoint (or the midpoint of adjacent floats rounded onto one): balance
            bp, bn, onp, onn = _tree_sum(_map(_sg_on_block, B, YC, b=b)).compute()
            if onp + onn > 0:
                target = min(max(bp, bn), min(bp + onp, bn + onn)) if max(bp, bn) <= min(bp + onp, bn + onn) else max(bp, bn)
                fp = 0.0 if onp == 0 else min(1.0, max(0.0, (target - bp) / onp))
                fn = 0.0 if onn == 0 else min(1.0, max(0.0, (target - bn) / onn))
        vt, (hinge, a_sum) = _tree_sum(_map(_sg_sums_block, xb, B, YC, b=b, fp=fp, fn=fn)).compute()
        op.passes += 1
        P = 0.5 * float(w @ w) + float(hinge)
        D = float(a_sum) - 0.5 * float(w @ w)  # w = Z^T alpha
        if P < best_P:
            best_P, best_w, best_b = P, w, b
        if D > best_D:
            best_D, best_B = D, B
        history.append({"P": P, "D": D, "gap": best_P - best_D})
        if best_P - best_D <= target_gap * max(1.0, abs(best_P)):
            status, why = "optimal", f"own gap met at iteration {it}"
            break
        if deadline is not None and time.perf_counter() > deadline:
            status, why = "max_time", f"max_time spent after {it} steps"
            break
        g = w - vt
        gg = float(g @ g)
        if gg == 0.0:  # w = Z^T (C theta): an exact optimum
            status, why = "optimal", f"zero subgradient at iteration {it}"
            best_D, best_B = D, B
            break
        eta = min(1.0, (P - D) / gg)
        w = (1.0 - eta) * w + eta * vt
        B = list(_persist(*_map(_sg_step_fused, xb, B, YC, b=b, fp=fp, fn=fn, eta=eta, w=w)))
        op.passes += 1
        if extrapolate_every and it % extrapolate_every == 0:
            B, w, (snap, w_snap, moves) = _sg_extrapolate_chunked(op, xb, B, snap, YC, w, w_snap)
            n_extrapolated += moves
    col = dask.delayed(lambda Bb: Bb[:, 0], pure=True)
    alpha = da.concatenate([da.from_delayed(col(Bb), shape=(c,), dtype=np.float64)
                            for Bb, c in zip(best_B, op.row_chunks, strict=True)])
    extras = {"data_passes": op.passes, "history": history, "iterations": it, "best_primal": best_P, "best_dual": best_D,
              "chunked": {"blocks": op.nblocks}, "extrapolations": n_extrapolated}
    return (best_w, best_b, alpha), status, why, extras


def _sgx_da(Bb: np.ndarray, Sb: np.ndarray | None, YC: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """alpha - alpha_s on a block, and the entries that moved (beyond a few ulps of C_i)."""
    da_ = Bb[:, 0] - (0.0 if Sb is None else Sb)
    return da_, np.abs(da_) > 1e-14 * YC[:, 1]


def _sgx_stats(Bb: np.ndarray, Sb: np.ndarray | None, YC: np.ndarray) -> np.ndarray:
    """sum(alpha - alpha_s), the moved entries' y^T(alpha - alpha_s) and their count."""
    da_, moved = _sgx_da(Bb, Sb, YC)
    return np.array([float(da_.sum()), float(YC[moved, 0] @ da_[moved]), float(np.count_nonzero(moved))])


def _sgx_dir(Bb: np.ndarray, Sb: np.ndarray | None, YC: np.ndarray, corr: float) -> np.ndarray:
    """The move's direction on a block: the moved entries' alpha - alpha_s, y^T restored (corr = y^T da / k)."""
    da_, moved = _sgx_da(Bb, Sb, YC)
    da_[~moved] = 0.0
    da_[moved] -= YC[moved, 0] * corr
    return da_


def _sgx_ratio(Bb: np.ndarray, Sb: np.ndarray | None, YC: np.ndarray, corr: float) -> float:
    """The longest move within the box on a block."""
    da_ = _sgx_dir(Bb, Sb, YC, corr)
    room = np.where(da_ > 0, YC[:, 1], 0.0) - Bb[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.where(da_ != 0.0, room / da_, np.inf).min(initial=np.inf))


def _sgx_move(Xb: np.ndarray, Bb: np.ndarray, Sb: np.ndarray | None, YC: np.ndarray, corr: float, mu: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """The moved alpha of a block (clipped: rounding at the entry that capped the move) and its Z^T alpha."""
    a = np.clip(Bb[:, 0] + mu * _sgx_dir(Bb, Sb, YC, corr), 0.0, YC[:, 1])
    return a, Xb.T @ (YC[:, 0] * a)


def _sg_extrapolate_chunked(op: DaskOperator, xb: list[Any], B: list[Any], snap: list[Any], YC: list[Any],
                            w: np.ndarray, w_snap: np.ndarray) -> tuple[list[Any], np.ndarray, tuple[Any, ...]]:
    """:func:`dualsvm.subgradient._extrapolate` on blocks: returns the blocks, w, and (next snapshot, its w, moves)."""
    import dask

    from .subgradient import MU_MAX

    pre = list(_persist(*_map(lambda Bb: Bb[:, 0].copy(), B)))  # the next snapshot: alpha before the move
    dw = w - w_snap
    quad = float(dw @ dw)
    st = np.asarray(_tree_sum(_map(_sgx_stats, B, snap, YC)).compute())
    lin = float(st[0]) - float(w @ dw)  # dD/dmu at mu = 0
    if not (lin > 0.0 and quad > 0.0):
        return B, w, (pre, w, 0)
    corr = float(st[1]) / st[2] if st[2] else 0.0
    ratio = min(dask.compute(_map(_sgx_ratio, B, snap, YC, corr=corr))[0])
    mu = min(lin / quad, ratio, MU_MAX)
    if not mu > 0.0:
        return B, w, (pre, w, 0)
    parts = list(_persist(*_map(_sgx_move, xb, B, snap, YC, corr=corr, mu=mu)))
    w_new = np.asarray(_tree_sum(_get(parts, 1)).compute(), dtype=np.float64)  # w = Z^T alpha afresh
    op.passes += 1
    B = list(_persist(*_map(lambda Xb, p, w_: np.column_stack([p[0], Xb @ w_]), xb, parts, w_=w_new)))
    op.passes += 1
    return B, w_new, (pre, w, 1)


def _sg_step_fused(Xb: np.ndarray, Bb: np.ndarray, YC: np.ndarray, b: float, fp: float, fn: float, eta: float,
                   w: np.ndarray) -> np.ndarray:
    """The step on a block: alpha updated with the theta of its current s, and s for the new w."""
    a = (1.0 - eta) * Bb[:, 0] + eta * YC[:, 1] * _sg_theta(Bb[:, 1], YC, b, fp, fn)
    return np.column_stack([a, Xb @ w])
