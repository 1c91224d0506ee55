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
formulas), four passes over X per iteration. **Exact finish**: once the
estimated relative gap is below ``finish_below``, the partition is read off
complementarity (as :func:`dualsvm.ipm._partition` with :math:`\kappa = 1`);
if it has at most :data:`FREE_MAX` free points their rows are gathered
(about :math:`d` of them), the KKT equalities are solved on the driver
(:func:`dualsvm.finish.kkt_solve_rows`, with :math:`Z_U^\top C_U` a tree
sum) and the candidate is checked by the gap identity in one pass; accepted
at 0.1 ``target_gap``, else the iteration goes on. The working-set
iteration of the in-memory finish is not used (its working set can be
:math:`O(n)`). ``b`` is the midpoint of :math:`\arg\min_b P(w, b)`, a
distributed selection. The certificate
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

from .chunked_certificate import argmin_b_chunked, block_offsets, project_dual_chunked, select
from .exceptions import DualSVMError
from .finish import kkt_solve_rows
from .operators import DaskOperator
from .problem import SVMProblem

__all__ = ["ipm_chunked", "subgradient_chunked", "FREE_MAX"]

#: The exact finish gathers the free points' rows only when there are at most this many.
FREE_MAX = 5000


def _cholesky(M: np.ndarray) -> tuple[Any, float]:
    from .ipm import _cholesky as chol

    return chol(M)


def _persist(*xs: Any) -> tuple[Any, ...]:
    import dask

    return dask.persist(*xs)


def _compute(*xs: Any) -> tuple[Any, ...]:
    import dask

    return dask.compute(*xs)


# -- one task per row block: the state of a block is an (n_b, 5) array [alpha, u, s, xi, zw] ----------
def _tree_sum(parts: list[Any]) -> Any:
    from .operators import _tree_sum as ts

    return ts(parts)


def _measure_part(S: np.ndarray, YC: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
    """A block's (sum, max) parts of :meth:`dualsvm.ipm._QP.measure`, the partition's counts and the bad entries."""
    a, u, s, xi, zw = S.T
    y, C = YC.T
    r_p = zw + y * b + xi - s - 1.0
    tiny = np.finfo(np.float64).tiny
    low = s / np.maximum(a / C, tiny)
    up = xi / np.maximum(u / C, tiny)
    at_C = (up > 1.0) & (up >= low)
    free = ~((low > 1.0) & ~at_C) & ~at_C
    bad = ~np.isfinite(S).all(axis=1) | (S[:, :4].min(axis=1) <= 0)
    sums = np.array([float(a @ s + u @ xi), float(y @ a), float(a.sum()), float(free.sum()), float(at_C.sum()),
                     float(bad.sum())])
    return sums, np.array([float(np.abs(r_p).max(initial=0.0))])


def _factor_block(Xb: np.ndarray, S: np.ndarray, YC: np.ndarray, b: float) -> tuple[Any, ...]:
    """One block of the factor pass: H^T H, X^T [h, y alpha, y h g] and (sum h, sum y h g)."""
    a, u, s, xi, zw = S.T
    y = YC[:, 0]
    rp = zw + y * b + xi - s - 1.0
    h = 1.0 / (s / a + xi / u)
    g = xi - s - rp
    H = Xb * np.sqrt(h)[:, None]
    V = np.column_stack([h, y * a, y * h * g])
    return H.T @ H, Xb.T @ V, np.array([h.sum(), float((y * h) @ g)])


def _worst(a: np.ndarray, u: np.ndarray, s: np.ndarray, xi: np.ndarray, da_: np.ndarray, ds: np.ndarray,
           dxi: np.ndarray) -> float:
    """The block's largest ratio of :func:`dualsvm.ipm._step_to_boundary` (the step is 1 / max over blocks)."""
    return max(float(np.max(-da_ / a, initial=-np.inf)), float(np.max(da_ / u, initial=-np.inf)),
               float(np.max(-ds / s, initial=-np.inf)), float(np.max(-dxi / xi, initial=-np.inf)))


def _predictor_block(Xb: np.ndarray, S: np.ndarray, YC: np.ndarray, b: float, dw: np.ndarray, db: float,
                     w: np.ndarray) -> tuple[np.ndarray, float]:
    """The predictor's direction on a block: [Z dw, Z w, da, ds, dxi] and the block's step ratio."""
    a, u, s, xi, zw = S.T
    y = YC[:, 0]
    rp = zw + y * b + xi - s - 1.0
    sa, xu = s / a, xi / u
    h = 1.0 / (sa + xu)
    g = xi - s - rp
    XW = Xb @ np.column_stack([dw, w])
    zdw, z_w = y * XW[:, 0], y * XW[:, 1]
    d_a = h * (g - zdw - y * db)
    ds = -(s + sa * d_a)
    dxi = xu * d_a - xi
    return np.column_stack([zdw, z_w, d_a, ds, dxi]), _worst(a, u, s, xi, d_a, ds, dxi)


def _mu_aff_part(S: np.ndarray, D1: np.ndarray, t: float) -> np.ndarray:
    a, u, s, xi, _ = S.T
    d_a, ds, dxi = D1[:, 2], D1[:, 3], D1[:, 4]
    return np.array(float((a + t * d_a) @ (s + t * ds) + (u - t * d_a) @ (xi + t * dxi)))


def _g2(S: np.ndarray, YC: np.ndarray, D1: np.ndarray, smu: float) -> tuple[np.ndarray, ...]:
    a, u, s, xi, _ = S.T
    d_a, ds, dxi = D1[:, 2], D1[:, 3], D1[:, 4]
    c1 = smu - d_a * ds
    c2 = smu + d_a * dxi
    return c1, c2, c1 / a - c2 / u


def _rhs2_block(Xb: np.ndarray, S: np.ndarray, YC: np.ndarray, D1: np.ndarray, smu: float) -> tuple[np.ndarray, np.ndarray]:
    """The corrector's right-hand side on a block: X^T (y h g2) and sum y h g2."""
    a, u, s, xi, _ = S.T
    y = YC[:, 0]
    h = 1.0 / (s / a + xi / u)
    v = y * h * _g2(S, YC, D1, smu)[2]
    return Xb.T @ v, np.array(float(v.sum()))


def _corrector_block(Xb: np.ndarray, S: np.ndarray, YC: np.ndarray, D1: np.ndarray, smu: float, dw2: np.ndarray,
                     db2: float) -> tuple[np.ndarray, float]:
    """The combined direction on a block: [DA, DS, DXI, Z dw2] and the block's step ratio."""
    a, u, s, xi, _ = S.T
    y = YC[:, 0]
    sa, xu = s / a, xi / u
    h = 1.0 / (sa + xu)
    c1, c2, g2 = _g2(S, YC, D1, smu)
    zdw2 = y * (Xb @ dw2)
    DA = D1[:, 2] + h * (g2 - zdw2 - y * db2)
    DS = c1 / a - s - sa * DA
    DXI = c2 / u - xi + xu * DA
    return np.column_stack([DA, DS, DXI, zdw2]), _worst(a, u, s, xi, DA, DS, DXI)


def _update_block(S: np.ndarray, YC: np.ndarray, D1: np.ndarray, D2: np.ndarray, t: float, b_new: float) -> tuple[Any, ...]:
    """The new iterate on a block, and its measure (the next iteration's first reduction, in the same task)."""
    a, u, s, xi, _ = S.T
    DA, DS, DXI, zdw2 = D2.T
    new = np.column_stack([a + t * DA, u - t * DA, s + t * DS, xi + t * DXI, D1[:, 1] + t * (D1[:, 0] + zdw2)])
    return (new, *_measure_part(new, YC, b_new))


def _step_max(a: Any, u: Any, s: Any, xi: Any, da_: Any, ds: Any, dxi: Any) -> Any:
    """The largest ratio of :func:`dualsvm.ipm._step_to_boundary`, lazily (a max over blocks)."""
    import dask.array as da

    return da.stack([(-da_ / a).max(), (da_ / u).max(), (-ds / s).max(), (-dxi / xi).max()]).max()


def _scatter(op: DaskOperator, base: Any, idx: np.ndarray, vals: np.ndarray) -> Any:
    """``base`` (lazy n-vector) with ``base[idx] = vals``, block by block (only the block's share travels)."""
    import dask
    import dask.array as da

    offs = block_offsets(op)

    def put(bb: Any, li: np.ndarray, lv: np.ndarray) -> np.ndarray:
        out = np.array(bb, dtype=np.float64, copy=True)
        out[li] = lv
        return out

    f = dask.delayed(put, pure=True)
    parts = []
    for i, bb in enumerate(op.vector(base).to_delayed().reshape(-1)):
        sel = (idx >= offs[i]) & (idx < offs[i + 1])
        parts.append(da.from_delayed(f(bb, idx[sel] - offs[i], vals[sel]), shape=(int(offs[i + 1] - offs[i]),),
                                     dtype=np.float64))
    return da.concatenate(parts)


def _partition_block(S: np.ndarray, YC: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Free and at-C masks of a block, read off complementarity as :func:`dualsvm.ipm._partition` (kappa = 1)."""
    a, u, s, xi, _ = S.T
    C = YC[:, 1]
    tiny = np.finfo(np.float64).tiny
    low = s / np.maximum(a / C, tiny)
    up = xi / np.maximum(u / C, tiny)
    at_C = (up > 1.0) & (up >= low)
    return ~((low > 1.0) & ~at_C) & ~at_C, at_C


def _gather_free_block(Xb: np.ndarray, S: np.ndarray, YC: np.ndarray, off: int) -> tuple[Any, ...]:
    """A block's free rows (with index, y, alpha, C) and its share of Z_U^T C_U and y_U^T C_U."""
    free, at_C = _partition_block(S, YC)
    y, C = YC.T
    yC_U = np.where(at_C, y * C, 0.0)
    F = np.flatnonzero(free)
    return (F + off, Xb[F].copy(), y[F].copy(), S[F, 0].copy(), C[F].copy()), (Xb.T @ yC_U, np.array(float(yC_U.sum())))


def _check_block(Xb: np.ndarray, S: np.ndarray, YC: np.ndarray, off: int, F: np.ndarray, aF: np.ndarray,
                 w: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
    """The candidate's alpha on a block (C_i on U, 0 on L, the solve's on F) and its sums of brackets and of alpha."""
    _, at_C = _partition_block(S, YC)
    y, C = YC.T
    alpha = np.where(at_C, C, 0.0)
    sel = (F >= off) & (F < off + len(S))
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
        info["box_excess"] = float(np.maximum(0.0, np.maximum(-a_F, a_F - CF)).max(initial=0.0))
        a_F = np.clip(a_F, 0.0, CF)
        res = float(yF @ a_F) + ycsum
        room = np.flatnonzero((a_F - yF * res >= 0.0) & (a_F - yF * res <= CF))
        if room.size:  # restore y^T alpha = 0 after the clip, in one free coordinate with room (as ipm._kkt_point)
            i = room[np.argmax(np.minimum(a_F[room], CF[room] - a_F[room]))]
            a_F[i] -= yF[i] * res
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


def _map(fn: Any, *lists: Any, **consts: Any) -> list[Any]:
    """``fn(*blocks, **consts)`` on every row block, as one ``dask.delayed`` task each."""
    import dask

    f = dask.delayed(fn, pure=True)
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

    col = dask.delayed(lambda B, j: B[:, j], pure=True)
    return da.concatenate([da.from_delayed(col(sb, j), shape=(c,), dtype=np.float64)
                           for sb, c in zip(S, op.row_chunks, strict=True)])


def ipm_chunked(
    problem: SVMProblem, target_gap: float, max_iter: int, opts: dict[str, Any], deadline: float | None = None,
) -> tuple[tuple[np.ndarray, float, Any], str, str, dict[str, Any]]:
    r"""The interior point of :func:`dualsvm.solve_ipm` on a dask problem (module docstring).

    One ``dask.delayed`` task per row block and step; the state of a block
    (:math:`\alpha, u, s, \xi, Zw`) is an ``(n_b, 5)`` array persisted where
    the block is. Per iteration: the factor pass (a tree sum of
    :math:`(d+1)^2` numbers), the predictor (persisted, with each block's
    step ratio), :math:`\mu_{aff}` (a sum), the corrector's right-hand side
    (a tree sum of :math:`d + 1`), the corrector (persisted, with its ratios)
    and the update (persisted, with the next iteration's measure): six round
    trips, four passes over X, and no :math:`n`-vector on the driver.

    Returns the candidate ``(w, b, alpha)`` (``alpha`` a dask array), the
    status and why, and the extras; the caller certifies.
    """
    import dask

    if opts["newton"] not in ("auto", "features"):
        raise DualSVMError(f"newton={opts['newton']!r} is not available on a dask array; it uses 'features' "
                           "(the (d+1)x(d+1) system, one weighted Gram per iteration)")
    op = problem.operator()
    assert isinstance(op, DaskOperator)
    n, d = problem.n, problem.d
    y, C = _persist(op.vector(problem.y), op.vector(problem.costs))
    xb = list(op.X.to_delayed().reshape(-1))
    YC = list(_persist(*_map(lambda yb, cb: np.column_stack([yb, cb]), y.to_delayed().reshape(-1),
                                 C.to_delayed().reshape(-1))))
    S = list(_persist(*_map(lambda B: np.column_stack([0.5 * B[:, 1], 0.5 * B[:, 1], np.ones(len(B)), np.ones(len(B)),
                                                       np.zeros(len(B))]), YC)))
    w, b = np.zeros(d), 0.0
    parts = _map(_measure_part, S, YC, b=b)
    sums_l, maxs_l = _get(parts, 0), _get(parts, 1)
    eta = float(opts["step_fraction"])
    history: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    deltas: list[float] = []
    found = None
    status, why = "max_iter", f"max_iter={max_iter} Newton steps done"
    last_try: tuple[int, int] | None = None
    prev: tuple[list[Any], np.ndarray, float] | None = None
    it = 0
    for it in range(max_iter + 1):  # noqa: B007 (read after the loop)
        sums, rmax = dask.compute(_tree_sum(sums_l), maxs_l)
        comp, yta, asum, n_free, n_at_C, n_bad = (float(v) for v in sums)
        rpmax = max(float(m[0]) for m in rmax)
        if n_bad or not np.all(np.isfinite(w)) or not np.isfinite(b):
            status, why = "inaccurate", f"non-finite Newton step at iteration {it - 1}"
            if prev is not None:
                S, w, b = prev  # keep the last finite iterate for the certificate
            break
        dual = asum - 0.5 * float(w @ w)
        rel = comp / max(1.0, abs(dual))
        row = {"comp": comp, "rel_gap_estimate": rel, "r_p": rpmax, "r_b": abs(yta),
               "n_free": int(n_free), "n_at_C": int(n_at_C)}
        history.append(row)
        converged = rel <= 0.1 * target_gap and rpmax <= 1e-9
        gate = (bool(opts["finish"]) and rel <= opts["finish_below"] and int(n_free) <= FREE_MAX
                and (int(n_free), int(n_at_C)) != last_try)
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
        # -- factor: one pass, the (d+1)x(d+1) matrix and the predictor's right-hand side --
        G, XtV, hs = _tree_sum(_map(_factor_block, xb, S, YC, b=b)).compute()
        op.passes += 1
        M = np.empty((d + 1, d + 1))
        M[:d, :d] = G
        M[np.arange(d), np.arange(d)] += 1.0
        M[:d, d] = M[d, :d] = XtV[:, 0]
        M[d, d] = hs[0]
        try:
            chol, delta = _cholesky(M)
        except np.linalg.LinAlgError as exc:
            status, why = "inaccurate", f"Newton system failed at iteration {it}: {exc}"
            break
        deltas.append(delta)
        zta, ztHg = XtV[:, 1], XtV[:, 2]
        sol = sla.cho_solve(chol, np.append(ztHg - (w - zta), hs[1] + yta), check_finite=False)
        dw, db = sol[:-1], float(sol[-1])
        # -- predictor: one pass (Z dw and Z w), persisted with each block's step ratio --
        pred = list(_persist(*_map(_predictor_block, xb, S, YC, b=b, dw=dw, db=db, w=w)))
        op.passes += 1
        D1 = _get(pred, 0)
        worst = max(dask.compute(_get(pred, 1))[0])
        t_aff = 1.0 if worst <= 1.0 else 1.0 / worst
        mu = comp / (2 * n)
        mu_aff = sum(dask.compute(_map(_mu_aff_part, S, D1, t=t_aff))[0]) / (2 * n)
        sigma = min(1.0, (float(mu_aff) / mu) ** 3)
        smu = sigma * mu
        # -- corrector: one pass for its right-hand side, one for Z dw2 --
        rhs_w, rhs_b = _tree_sum(_map(_rhs2_block, xb, S, YC, D1, smu=smu)).compute()
        op.passes += 1
        sol2 = sla.cho_solve(chol, np.append(rhs_w, float(rhs_b)), check_finite=False)
        dw2, db2 = sol2[:-1], float(sol2[-1])
        corr = list(_persist(*_map(_corrector_block, xb, S, YC, D1, smu=smu, dw2=dw2, db2=db2)))
        op.passes += 1
        worst = max(dask.compute(_get(corr, 1))[0])
        t = min(1.0, eta * (1.0 if worst <= 1.0 else 1.0 / worst))
        row.update(sigma=sigma, step=t, step_affine=t_aff, regularization=delta)
        prev = (S, w, b)
        w, b = w + t * (dw + dw2), b + t * (db + db2)
        upd = list(_persist(*_map(_update_block, S, YC, D1, _get(corr, 0), t=t, b_new=b)))
        S, sums_l, maxs_l = _get(upd, 0), _get(upd, 1), _get(upd, 2)
        if t < 1e-12:
            status, why = "inaccurate", f"step length {t:.2g} at iteration {it}"
            break
    if found is None:
        # No exact finish: the interior iterate itself (the certificate projects alpha), its own w.
        alpha = _persist(_column(op, S, 0))[0]
        b_lo, b_hi = argmin_b_chunked(problem, op, w, guess=b)
        op.passes += 1
        found = (w, 0.5 * (b_lo + b_hi), alpha)
    else:
        b_lo, b_hi = argmin_b_chunked(problem, op, found[0], guess=found[1])
        op.passes += 1
        found = (found[0], 0.5 * (b_lo + b_hi), found[2])
    extras = {
        "data_passes": op.passes + op.rows_read / n, "full_passes": op.passes, "rows_read": op.rows_read,
        "newton": "features", "history": history, "finish": attempts, "iterations_all_points": it,
        "iterations_working_set": 0, "regularized_steps": int(sum(dl > 0 for dl in deltas)),
        "chunked": {"blocks": op.nblocks, "row_chunks": op.row_chunks[:8]},
    }
    return found, status, why, extras


# -- subgradient ---------------------------------------------------------------------------
def subgradient_chunked(
    problem: SVMProblem, target_gap: float, max_iter: int, deadline: float | None = None,
) -> tuple[tuple[np.ndarray, float, Any], str, str, dict[str, Any]]:
    r"""The full-batch subgradient (Frank–Wolfe) step of :mod:`dualsvm.subgradient` on a dask problem.

    Per iteration: :math:`s = Xw` (one pass, kept on the workers), the exact
    bias by a distributed selection (the :math:`n_+`-th and :math:`(n_+ + 1)`-th
    order statistics of :math:`t = y - s`, weighted by :math:`C_i`), the
    violators :math:`\theta` (1 below the margin, 0 above, and on the margin
    the fraction that balances :math:`y^\top\theta = 0`: the in-memory
    :func:`~dualsvm.subgradient.balanced_violators`), then :math:`X^\top(C\theta y)`,
    :math:`P`, :math:`D` and :math:`\|g\|^2` in one tree sum, and the step
    :math:`\eta = \min(1, (P - D)/\|g\|^2)`. :math:`\alpha` is
    :math:`(1-\eta)\alpha + \eta C\theta`, persisted.

    Returns the best ``(w, b, alpha)`` seen (by :math:`P - D`), the status and why, and extras.
    """
    import dask.array as da

    op = problem.operator()
    assert isinstance(op, DaskOperator)
    n, d = problem.n, problem.d
    y, C = _persist(op.vector(problem.y), op.vector(problem.costs))
    costs = C if problem.weighted else None
    w = np.zeros(d)
    (alpha,) = _persist(da.zeros(n, chunks=(op.row_chunks,)))
    v = np.zeros(d)  # Z^T alpha = w along the iteration (started at 0)
    best: tuple[float, np.ndarray, float, Any] | None = None
    history: list[dict[str, float]] = []
    status, why = "max_iter", f"max_iter={max_iter} steps done"
    b = 0.0
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        (s,) = _persist(op.matvec(w))
        t = y - s
        if costs is None:
            k = problem._n_pos
            lo, hi = select(op, [(t, None, float(k), "left"), (t, None, float(k), "right")], guess=b)
        else:
            S = float(_compute(da.where(y > 0, C, 0.0).sum())[0])
            lo, hi = select(op, [(t, C, S, "left"), (t, C, S, "right")], guess=b)
        b = 0.5 * (lo + hi)
        m = y * (s + b)
        # theta: 1 strictly below the margin, 0 above, a balancing fraction on it (y^T theta = 0, proofs/T08)
        on = m == 1.0
        below = m < 1.0
        cw = C
        pos_in = _compute(da.where(below & (y > 0), cw, 0.0).sum(), da.where(below & (y < 0), cw, 0.0).sum(),
                          da.where(on & (y > 0), cw, 0.0).sum(), da.where(on & (y < 0), cw, 0.0).sum())
        bp, bn, op_, on_ = (float(x) for x in pos_in)
        # choose fractions f+, f- on the margin points with bp + f+ op = bn + f- on (prefer the larger side full)
        if op_ + on_ > 0:
            target = max(min(bp + op_, bn + on_), max(bp, bn))
            fp = 0.0 if op_ == 0 else min(1.0, max(0.0, (target - bp) / op_))
            fn = 0.0 if on_ == 0 else min(1.0, max(0.0, (target - bn) / on_))
        else:
            fp = fn = 0.0
        theta = da.where(below, 1.0, 0.0) + da.where(on, da.where(y > 0, fp, fn), 0.0)
        ctheta = C * theta
        vt, parts = op.reduce(
            lambda Xb, vb, mb, cb, ab: (Xb.T @ vb, np.array([float(cb @ np.maximum(0.0, 1.0 - mb)), float(ab.sum())])),
            y * ctheta, m, C, alpha).compute()
        op.passes += 1
        P = 0.5 * float(w @ w) + float(parts[0])
        D = float(parts[1]) - 0.5 * float(v @ v)
        gap = P - D
        if best is None or gap < best[0]:
            best = (gap, w.copy(), b, alpha)
        history.append({"P": P, "D": D, "gap": gap})
        if gap <= 0.1 * target_gap * max(1.0, abs(P)):
            status, why = "optimal", f"gap estimate met at iteration {it}"
            break
        g = w - vt
        gg = float(g @ g)
        if gg == 0.0:
            status, why = "optimal", f"zero subgradient at iteration {it}"
            break
        eta = min(1.0, gap / gg)
        w = (1.0 - eta) * w + eta * vt
        v = w.copy()
        (alpha,) = _persist((1.0 - eta) * alpha + eta * ctheta)
        if deadline is not None and time.perf_counter() > deadline:
            status, why = "max_time", f"max_time spent after {it} steps"
            break
    assert best is not None
    _, w_b, b_b, a_b = best
    a_b, _ = project_dual_chunked(op, a_b, y, C)
    extras = {"data_passes": op.passes, "history": history, "iterations": it, "chunked": {"blocks": op.nblocks}}
    return (w_b, b_b, a_b), status, why, extras
