r"""The certificate of :mod:`dualsvm.certificates` on a dask array, block by block.

The same bounds as :func:`dualsvm.certificates.certificate`, in the same
extended precision and with the same rounding allowances (its module
docstring), computed without bringing an :math:`n`-vector to the driver:

* **one pass over X** (one task per row block) gives every partial sum of the
  gap identity (:math:`\sum_i` brackets, :math:`P`, :math:`\sum_i\alpha_i`,
  :math:`Z^\top\alpha` in longdouble, :math:`|X|^\top\alpha`,
  :math:`\sum_i L_i\delta_i`, the largest row norm, :math:`y^\top\alpha`) and
  keeps four numbers per row on the workers (:math:`x_i^\top w`, its rounding
  bound :math:`\delta_i`, :math:`\|x_i\|`, :math:`m_i`). Higham's bounds on a
  sum hold for any order of summation, so a tree of block sums is covered by
  the same :math:`\gamma_k`;
* :math:`y^\top\alpha` is summed exactly per block (``math.fsum`` and its
  residual) and the blocks' pairs by ``math.fsum``; what is left (the
  rounding of each block's residual and of the last sum) is added to
  :math:`|y^\top\alpha|` as an upper bound;
* **the b interval** (the weighted order statistics of ``proofs/T09``) is a
  distributed selection (:func:`select`): a few passes over
  :math:`t \mp \rho` that narrow a window of values by samples, then gather
  the window (at most 65,536 values) and finish the search on the driver;
* **the projection** onto :math:`\{0 \le \alpha_i \le C_i, y^\top\alpha = 0\}`
  (:func:`project_dual_chunked`) finds the root :math:`\lambda` of the
  piecewise-linear :math:`y^\top\mathrm{clip}(\alpha - \lambda y, 0, C)` by
  safeguarded Newton steps, one pass over :math:`\alpha` each; its residual
  :math:`y^\top\alpha` enters the gap through the usual
  :math:`(|b| + B)|y^\top\alpha|` term.

The per-point results (``alpha``, ``margins``, ``margin_range``) stay dask
arrays on the workers; the certified label sets come back as index arrays.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .certificates import _U, _U_EXT, BOUND, MARGIN, NON, UNDECIDED, _gamma, _verdict, support_labels
from .exceptions import DualSVMError
from .operators import DaskOperator, is_dask_array
from .problem import SVMProblem
from .solution import Solution

__all__ = ["certificate_chunked", "project_dual_chunked", "slope_zero_chunked", "argmin_b_chunked", "select",
           "block_offsets", "gather_indices"]

#: A selection window is gathered to the driver once it holds at most this many values.
_GATHER_MAX = 65_536
#: Values sampled per block to place the next window.
_SAMPLE = 64


def block_offsets(op: DaskOperator) -> np.ndarray:
    """The first row of every block, and n at the end."""
    return np.concatenate([[0], np.cumsum(op.row_chunks)]).astype(np.int64)


def _blocks(op: DaskOperator, *vectors: Any) -> list[tuple[Any, ...]]:
    """The delayed blocks of the vectors (chunked like X), zipped block by block."""
    vs = [op.vector(v).to_delayed().reshape(-1) for v in vectors]
    return list(zip(*vs, strict=True))


def gather_indices(op: DaskOperator, mask: Any) -> np.ndarray:
    """``np.flatnonzero(mask)`` of a lazy boolean n-vector: only the indices travel."""
    import dask

    offs = block_offsets(op)
    fn = dask.delayed(lambda mb, o: np.flatnonzero(np.asarray(mb)) + o, pure=True)
    parts = dask.compute(*[fn(mb, int(offs[i])) for i, (mb,) in enumerate(_blocks(op, mask))])
    return np.concatenate(parts).astype(np.intp) if parts else np.zeros(0, np.intp)


# -- distributed selection ------------------------------------------------------------------
def _window_stats(tb: Any, wb: Any, lo: float, hi: float, m: int) -> tuple[int, float, np.ndarray, np.ndarray]:
    t = np.asarray(tb)
    w = np.ones_like(t) if wb is None else np.asarray(wb)
    inw = (t >= lo) & (t < hi)
    tw, ww = t[inw], w[inw]
    step = max(1, tw.size // m)
    return int(tw.size), float(ww.sum()), tw[::step].copy(), ww[::step].copy()


def _below(tb: Any, wb: Any, ps: list[float], cap: int = -1) -> tuple[np.ndarray, Any, tuple[float, float]]:
    """The weight below each split ``p`` (row 0) and the number of values below it (row 1).

    With ``cap >= 0``, also the values in ``[ps[0], ps[-1])`` and their weights (:func:`_gather`), if at
    most ``cap``; else None. Last, the block's smallest and largest value (``inf``, ``-inf`` if empty).
    """
    t = np.asarray(tb)
    w = np.ones_like(t) if wb is None else np.asarray(wb)
    out = np.empty((2, len(ps)))
    for i, p in enumerate(ps):
        below = t < p
        out[0, i], out[1, i] = float(w[below].sum()), float(np.count_nonzero(below))
    vals = None
    if cap >= 0 and out[1, -1] - out[1, 0] <= cap:
        vals = _gather(t, w, ps[0], ps[-1])
    return out, vals, (float(t.min(initial=np.inf)), float(t.max(initial=-np.inf)))


def _gather(tb: Any, wb: Any, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(tb)
    w = np.ones_like(t) if wb is None else np.asarray(wb)
    inw = (t >= lo) & (t < hi)
    return t[inw].copy(), w[inw].copy()


def select(
    op: DaskOperator, searches: list[tuple[Any, Any, float, str]], guess: float | None = None,
    window: tuple[float, float] | None = None,
) -> list[float]:
    r"""Weighted order statistics of lazy n-vectors, by a distributed selection.

    Each search ``(t, weights, T, side)`` returns the first value of ``t``, in
    sorted order, at which the cumulative sum of ``weights`` (``None``: ones)
    is ``>= T`` (``side="left"``) or ``> T`` (``side="right"``), or the
    largest value if there is none: ``t[o[searchsorted(cumsum(weights[o]), T, side)]]``
    with ``o`` the sorting order, as :func:`dualsvm.feasibility.slope_zero`.
    A window :math:`[L, H)` known to hold the answer, and the weight below it,
    shrink by one sample pass (up to 64 values a block) and one counting pass
    per round, all searches at once, until the window holds at most 65,536
    values; those are gathered and searched on the driver (``window``, a
    guess of an interval holding every answer, is tried first: its counting
    pass also brings back its values, which serve if it still stands). The
    answer is clamped into the values' range, so a window beyond every value
    (no value reaches ``T``, or ``T <= 0``) still gives a value. ``t`` and
    ``weights`` are dask arrays chunked like X's rows, or lists of their
    blocks (``dask.delayed``). Exact for unit
    weights; for others the sum below the window is a tree sum (its rounding
    differs from a sequential cumsum's: a caller passes ``T`` with slack).
    """
    import dask

    k = len(searches)
    L, H, WL = [-np.inf] * k, [np.inf] * k, [0.0] * k
    stuck: set[int] = set()  # windows that no split can narrow (ties): gathered as they are

    def as_blocks(v: Any) -> list[Any]:
        return list(v) if isinstance(v, list) else [b[0] for b in _blocks(op, v)]

    blocks = [list(zip(as_blocks(t), as_blocks(w) if w is not None else [None] * op.nblocks, strict=True))
              for t, w, _, _ in searches]
    f_stats, f_below, f_gather = (dask.delayed(f, pure=True) for f in (_window_stats, _below, _gather))
    first = [True] * k
    pending = None if window is None else {j: sorted({float(window[0]), float(window[1])}) for j in range(k)}
    # values in [L, H) when both ends were splits of the last counting round (then no stats round is needed
    # to know that the window is small enough to gather: a window that holds the answers saves a round)
    inside: list[float | None] = [None] * k
    # the window's values, brought back by its counting round when it holds the answers (no gather round)
    pre: dict[int, tuple[tuple[float, float], list[Any]]] = {}
    # the smallest and largest value, from any counting round: the answer is one of the values, so a window
    # that lies beyond all of them (no value reaches T, or T <= 0) must not leave its end as the answer
    t_min, t_max = [-np.inf] * k, [np.inf] * k
    cap = -1
    for _ in range(64):
        splits: dict[int, list[float]] = {}
        if pending is not None:
            todo, splits, pending = list(range(k)), pending, None
            first = [False] * k
            cap = -(-_GATHER_MAX // op.nblocks)  # at most _GATHER_MAX values in all, as a gather
        elif all(j in stuck or (inside[j] is not None and inside[j] <= _GATHER_MAX) for j in range(k)):
            break
        else:
            stats = dask.compute([[f_stats(bl[0], bl[1], L[j], H[j], _SAMPLE) for bl in blocks[j]]
                                  for j in range(k)])[0]
            todo = [j for j in range(k) if sum(s[0] for s in stats[j]) > _GATHER_MAX and j not in stuck]
            if not todo:
                break
        for j in todo:
            if j in splits:
                continue
            T, side = searches[j][2], searches[j][3]
            ts = np.concatenate([s[2] for s in stats[j]])
            # each sampled value stands for its block's window weight / its sample's weight
            ws = np.concatenate([s[3] * (s[1] / s[3].sum() if s[3].sum() > 0 else 0.0) for s in stats[j]])
            o = np.argsort(ts, kind="stable")
            cum = WL[j] + np.cumsum(ws[o])
            total = WL[j] + sum(s[1] for s in stats[j])
            span = max(total - WL[j], 1e-300)
            q = (T - WL[j]) / span
            dq = 2.0 / math.sqrt(max(ts.size, 1)) + 1.0 / max(ts.size, 1)
            if first[j] and guess is not None and L[j] < guess < H[j]:
                ps = [guess]
            else:
                i1 = int(np.searchsorted(cum, WL[j] + max(0.0, q - dq) * span, side="left"))
                i2 = int(np.searchsorted(cum, WL[j] + min(1.0, q + dq) * span, side="right"))
                ps = sorted({float(ts[o[min(i1, ts.size - 1)]]), float(ts[o[min(i2, ts.size - 1)]])})
                if len(ps) == 1 or not (ps[0] > L[j]) and not (ps[-1] < H[j]):  # no progress: bisect
                    lo_, hi_ = (float(ts[o[0]]) if np.isinf(L[j]) else L[j]), (float(ts[o[-1]]) if np.isinf(H[j]) else H[j])
                    ps = sorted({0.5 * (lo_ + hi_), *ps})
            first[j] = False
            valid = [p for p in ps if L[j] < p < H[j] and np.isfinite(p)]
            if valid:
                splits[j] = valid
            else:
                stuck.add(j)
        todo = [j for j in todo if j in splits]
        if not todo:
            break
        below = dask.compute({j: [f_below(bl[0], bl[1], splits[j], cap) for bl in blocks[j]]
                              for j in todo})[0]
        for j in todo:
            T, side = searches[j][2], searches[j][3]
            Wp, Np = np.sum([bw[0] for bw in below[j]], axis=0)
            t_min[j] = min(bw[2][0] for bw in below[j])
            t_max[j] = max(bw[2][1] for bw in below[j])
            window_j = (splits[j][0], splits[j][-1])
            for p, W in zip(splits[j], Wp, strict=True):
                hit = W >= T if side == "left" else W > T
                if hit:  # the answer is below p
                    H[j] = min(H[j], p)
                    break
                L[j], WL[j] = p, float(W)
            n_at = {**dict(zip(splits[j], Np, strict=True)), -np.inf: 0.0, np.inf: float(op.n)}
            inside[j] = n_at[H[j]] - n_at[L[j]] if L[j] in n_at and H[j] in n_at else None
            if cap >= 0 and (L[j], H[j]) == window_j and all(bw[1] is not None for bw in below[j]):
                pre[j] = (window_j, [bw[1] for bw in below[j]])
        cap = -1
    got = {j: v for j, (win, v) in pre.items() if win == (L[j], H[j])}  # still the window (not narrowed since)
    rest = [j for j in range(k) if j not in got]
    fetched = dask.compute([[f_gather(bl[0], bl[1], L[j], H[j]) for bl in blocks[j]] for j in rest])[0] if rest else []
    got.update(zip(rest, fetched, strict=True))
    out = []
    for j in range(k):
        T, side = searches[j][2], searches[j][3]
        tw = np.concatenate([g[0] for g in got[j]])
        ww = np.concatenate([g[1] for g in got[j]])
        o = np.argsort(tw, kind="stable")
        cum = WL[j] + np.cumsum(ww[o])
        i = int(np.searchsorted(cum, T, side=side))
        if i < tw.size:
            r = float(tw[o[i]])
        elif np.isinf(H[j]):  # no value reaches T: the largest (slope_zero's clamp to the last order statistic)
            r = float(tw[o[-1]]) if tw.size else float(L[j])
        else:  # an empty window below every value (T <= 0)
            r = float(H[j])
        out.append(min(max(r, t_min[j]), t_max[j]))  # a window's end beyond every value becomes that value
    return out


def slope_zero_chunked(
    op: DaskOperator, t_lo: Any, t_hi: Any, y: Any, costs: Any, n_pos: int, *, slack: float = 0.0,
    guess: float | None = None, window: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """:func:`dualsvm.feasibility.slope_zero` on lazy n-vectors (``costs=None``: uniform), by :func:`select`.

    ``window``: an interval ``[L, H)`` believed to hold both ends (:func:`select` checks it first).
    """
    if costs is None:
        return tuple(select(op, [(t_lo, None, float(n_pos), "left"), (t_hi, None, float(n_pos), "right")],
                            guess, window))  # type: ignore[return-value]
    S = float(op.reduce(lambda Xb, yb, cb: np.array(float(cb[yb > 0].sum())), y, costs).compute())
    return tuple(select(op, [(t_lo, costs, S * (1.0 - slack), "left"), (t_hi, costs, S * (1.0 + slack), "right")],
                        guess, window))  # type: ignore[return-value]


def argmin_b_chunked(
    problem: SVMProblem, op: DaskOperator, w: ArrayLike, guess: float | None = None,
    window: tuple[float, float] | None = None,
) -> tuple[float, float]:
    """:func:`dualsvm.argmin_b` on a dask problem: one pass over X (Xw) and a distributed selection.

    ``guess`` (a value near the interval) and ``window`` (an interval ``[L, H)`` believed to hold it) only
    save selection rounds (:func:`select`); the result does not depend on them.
    """
    t = problem.y - op.matvec(np.asarray(w, dtype=np.float64).reshape(-1))
    t = t.persist()
    return slope_zero_chunked(op, t, t, problem.y, problem.costs if problem.weighted else None, problem._n_pos,
                              guess=guess, window=window)


# -- the projection ------------------------------------------------------------------------
def _proj_block(Xb: Any, ab: Any, yb: Any, cb: Any, lam: float) -> np.ndarray:
    v = ab - lam * yb
    inside = (v > 0) & (v < cb)
    return np.array([float(yb @ np.clip(v, 0.0, cb)), float(np.count_nonzero(inside)),
                     float(np.min(np.minimum(yb * ab, yb * (ab - cb)), initial=np.inf)),
                     float(np.max(np.maximum(yb * ab, yb * (ab - cb)), initial=-np.inf)),
                     float(cb.sum()), float(np.count_nonzero(~np.isfinite(ab)))])


def project_dual_chunked(op: DaskOperator, alpha: Any, y: Any, C: Any, *, max_rounds: int = 100) -> tuple[Any, int]:
    r"""Project a lazy :math:`\alpha` onto :math:`\{0 \le \alpha_i \le C_i,\ y^\top\alpha = 0\}`; persisted.

    :math:`h(\lambda) = y^\top\mathrm{clip}(\alpha - \lambda y, 0, C)` is
    non-increasing and piecewise linear with slope :math:`-\#\{i: 0 < \alpha_i - \lambda y_i < C_i\}`;
    Newton steps from :math:`\lambda = 0` inside a bracket (bisection when a
    step leaves it) find its root, one pass over :math:`(\alpha, y, C)` each
    (not over X). The box holds exactly (a clip); :math:`y^\top\alpha` is 0 to
    rounding, and the certificate counts what is left. Returns the projection
    and the number of passes. The first pass also sums :math:`C` (the scale of
    the stopping test) and counts non-finite entries of :math:`\alpha`: there
    are none, or :class:`~dualsvm.DualSVMError` is raised.
    """
    import dask

    f = dask.delayed(lambda ab, yb, cb, lam: _proj_block(None, ab, yb, cb, lam), pure=True)
    blocks = _blocks(op, alpha, y, C)

    def h(lam: float) -> tuple[float, ...]:
        parts = dask.compute(*[f(ab, yb, cb, lam) for ab, yb, cb in blocks])
        arr = np.array(parts)
        return (float(arr[:, 0].sum()), float(arr[:, 1].sum()), float(arr[:, 2].min()), float(arr[:, 3].max()),
                float(arr[:, 4].sum()), float(arr[:, 5].sum()))

    val, slope, lo, hi, scale, bad = h(0.0)
    if bad:
        raise DualSVMError("alpha must be finite")
    lam, rounds = 0.0, 1
    lo, hi = min(lo, 0.0), max(hi, 0.0)  # h(lo) >= 0 >= h(hi): every term is clipped at one end
    while abs(val) > 4 * _U * scale and rounds < max_rounds and hi > lo:
        if val > 0:
            lo = lam
        else:
            hi = lam
        nxt = lam + val / slope if slope > 0 else 0.5 * (lo + hi)
        lam = nxt if lo < nxt < hi else 0.5 * (lo + hi)
        val, slope, *_ = h(lam)
        rounds += 1
    a = _clip(alpha, y, C, lam)
    return a.persist(), rounds


def _clip(alpha: Any, y: Any, C: Any, lam: float) -> Any:
    import dask.array as da

    return da.minimum(da.maximum(alpha - lam * y, 0.0), C)


# -- the certificate -----------------------------------------------------------------------
def _cert_block(Xb: Any, yb: Any, cb: Any, ab: Any, a_in: Any, w: np.ndarray, b: float) -> dict[str, Any]:
    """One block of the certificate's pass: partial sums, and four numbers per row kept on the worker."""
    u, ue = _U, _U_EXT
    d = Xb.shape[1]
    XL = Xb.astype(np.longdouble)
    wl = w.astype(np.longdouble)
    ya = yb * ab  # exact: y is +-1
    s_ext = np.einsum("ij,j->i", XL, wl)  # einsum: numpy's longdouble @ is slower (DenseOperator.extended)
    v_ext = np.einsum("i,ij->j", ya.astype(np.longdouble), XL)
    m_ext = yb * (s_ext + b)
    one_m = 1.0 - m_ext
    brackets = np.where(one_m > 0, (cb - ab) * one_m, ab * (-one_m))
    delta = 2.0 * _gamma(d + 2, ue) * (np.abs(Xb) @ np.abs(w) + abs(b))
    norms = np.sqrt(np.einsum("ij,ij->i", Xb, Xb)) * (1.0 + _gamma(d + 2, u))
    lip = np.maximum(np.where(one_m > -2 * delta, cb - ab, 0.0), np.where(one_m < 2 * delta, ab, 0.0))
    hi = math.fsum(ya.tolist())
    lo = math.fsum([*ya.tolist(), -hi])  # the block's exact sum is hi + lo, up to the rounding of lo
    rows = np.column_stack([s_ext.astype(np.float64), delta, norms, m_ext.astype(np.float64)])
    return {
        "rows": rows,
        "sums": (np.sum(brackets), np.dot(cb.astype(np.longdouble), np.maximum(one_m, 0)), np.sum(ab, dtype=np.longdouble),
                 v_ext, np.abs(Xb).T @ ab, np.array(float(lip @ delta))),
        "max": (float(brackets.astype(np.float64).max(initial=0.0)), float(norms.max(initial=0.0)),
                float(max(0.0, -a_in.min(initial=0.0), (a_in - cb).max(initial=0.0)))),
        "yta": (hi, lo),
    }


def _labels_block(lo: Any, hi: Any, tol: float) -> np.ndarray:
    return support_labels(lo, hi, tol)


def _label_sets_block(lb: Any, lo: Any, hi: Any, off: int) -> tuple[list[np.ndarray], float]:
    lb = np.asarray(lb)
    sets = [np.flatnonzero(lb == k) + off for k in (MARGIN, BOUND, NON, UNDECIDED)]
    on = lb == MARGIN
    return sets, float(np.max(np.asarray(hi)[on] - np.asarray(lo)[on], initial=0.0))


def _label_sets(op: DaskOperator, labels: Any, m_lo: Any, m_hi: Any) -> tuple[dict[int, np.ndarray], float]:
    """The four label sets as index arrays, and the widest margin range of a margin point, in one round."""
    import dask

    offs = block_offsets(op)
    fn = dask.delayed(_label_sets_block, pure=True)
    parts = dask.compute(*[fn(lb, lo, hi, int(offs[i])) for i, (lb, lo, hi) in enumerate(_blocks(op, labels, m_lo, m_hi))])
    sets = {k: np.concatenate([p[0][j] for p in parts]).astype(np.intp) for j, k in enumerate((MARGIN, BOUND, NON, UNDECIDED))}
    return sets, max((p[1] for p in parts), default=0.0)


def certificate_chunked(
    problem: SVMProblem, w: ArrayLike, b: ArrayLike, alpha: Any, *, method: str = "certify",
    status: str = "certified", message: str = "", iterations: int = 0, solve_time: float = float("nan"),
    extras: dict[str, Any] | None = None, target_gap: float = 1e-8, margin_tol: float = 1e-3,
) -> Solution:
    r""":func:`dualsvm.certificates.certificate` for a problem on a dask array (``problem.chunked``).

    Same arguments, same bounds (the module docstring says how each is
    computed on blocks). ``alpha`` may be a dask array chunked like X's rows
    or an in-memory vector. The returned :class:`~dualsvm.Solution` holds
    ``alpha``, ``margins``, ``margin_range`` and ``C`` as **dask arrays**,
    persisted on the workers; the label sets (``margin_support``, ...) are
    index arrays in memory. ``extras["certificate_passes"]`` counts the
    passes over X (1) and over n-vectors (the selection and the projection).
    """
    import dask
    import dask.array as da

    w_, b_ = problem._check_wb(w, b)
    op = problem.operator()
    if not isinstance(op, DaskOperator):
        raise DualSVMError("certificate_chunked takes a problem on a dask array (problem.chunked)")
    y, C, n, d = problem.y, problem.costs, problem.n, problem.d
    if is_dask_array(alpha):
        if alpha.ndim != 1 or alpha.shape[0] != n:
            raise DualSVMError(f"alpha must have {n} entries (n_samples), got shape {alpha.shape}")
        a_in = op.vector(alpha.astype(np.float64))
    else:
        a_np = np.asarray(alpha, dtype=np.float64).reshape(-1)
        if a_np.shape[0] != n:
            raise DualSVMError(f"alpha must have {n} entries (n_samples), got {a_np.shape[0]}")
        a_in = op.vector(a_np)
    a, proj_rounds = project_dual_chunked(op, a_in, y, C)
    u, ue = _U, _U_EXT

    fn = dask.delayed(_cert_block, pure=True)
    # persisted first: built lazily into both the row array and the sums, dask.array's graph optimization
    # fused _cert_block into the rows' tasks and the pass ran twice (measured on a LocalCluster)
    parts = list(dask.persist(*[fn(xb, yb, cb, ab, ib, w_, b_) for xb, (yb, cb, ab, ib) in
                                zip(op.X.to_delayed().reshape(-1), _blocks(op, y, C, a, a_in), strict=True)]))
    rows = da.concatenate([da.from_delayed(dask.delayed(lambda p: p["rows"])(p), shape=(c, 4), dtype=np.float64)
                           for p, c in zip(parts, op.row_chunks, strict=True)])
    from .operators import _tree_sum

    sums = _tree_sum([dask.delayed(lambda p: p["sums"])(p) for p in parts])
    maxes = [dask.delayed(lambda p: (p["max"], p["yta"]))(p) for p in parts]
    rows, sums, maxes = dask.persist(rows, sums, maxes)
    op.passes += 1
    (br_sum, hinge, a_sum, v_ext, abs_xta, lip_delta), mx = dask.compute(sums, maxes)
    comp_max = max(m[0][0] for m in mx)
    R = max(m[0][1] for m in mx)
    dual_box = max(m[0][2] for m in mx)
    pairs = [p for m in mx for p in m[1]]
    yta = math.fsum(pairs)
    yta_abs = (abs(yta) + u * sum(abs(m[1][1]) for m in mx)) * (1.0 + 2 * u)  # an upper bound on |y^T alpha|

    r_wv = w_ - v_ext
    identity = 0.5 * np.dot(r_wv, r_wv) + br_sum
    P = float(0.5 * np.dot(w_.astype(np.longdouble), w_) + hinge)
    D = float(a_sum - 0.5 * np.dot(v_ext, v_ext))
    eps_v = 2.0 * _gamma(n + 2, ue) * np.asarray(abs_xta, dtype=np.float64)
    err_brackets = 2.0 * float(lip_delta) * (1.0 + _gamma(n, u))
    nrm = float(np.sqrt(2.0 * float(0.5 * np.dot(r_wv, r_wv))))
    err_wv = 2.0 * (nrm * float(np.linalg.norm(eps_v)) + 0.5 * float(eps_v @ eps_v)) + _gamma(d + 2, ue) * nrm**2
    G_hat = max(float(identity), 0.0)
    floor0 = G_hat * (_gamma(n + d + 6, ue) + 4 * u) + err_brackets + err_wv
    s, delta, norms, m = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    t = y - s
    weights = C if problem.weighted else None

    def bounds(b_star: float, window: tuple[float, float] | None = None) -> tuple[float, float, float, tuple[float, float], Any]:
        gap_floor = floor0 + (abs(b_) + b_star) * yta_abs * (1.0 + 8 * u)
        G = (G_hat + gap_floor) * (1.0 + 4 * u)
        r = math.sqrt(2.0 * G) * (1.0 + 2 * u)
        rho = (r * norms + delta + u * abs(s)) * (1.0 + 4 * u)
        t_lo = (t - rho) - 2 * u * (abs(t) + rho)
        t_hi = (t + rho) + 2 * u * (abs(t) + rho)
        t_lo, t_hi = dask.persist(t_lo, t_hi)  # read by every selection round
        if window is None:
            # Tried first by the selection (only rounds depend on it): both ends lie within max_i rho_i of
            # argmin_b P(w, .), and the candidate's b is usually in it. A hit costs one round (the count brings
            # the window's values back) against eight from the guess alone (measured at 1M x 20).
            half = 4.0 * r * R + 1e-6 * (1.0 + abs(b_))
            window = (b_ - half, b_ + half)
        B = slope_zero_chunked(op, t_lo, t_hi, y, weights, problem._n_pos, slack=_gamma(n + 2, u), guess=b_,
                               window=window)
        return gap_floor, G, r, B, rho

    P_up = abs(P) * (1 + 1e-6) + err_brackets + 1.0
    *_, B, _ = bounds(1.0 + R * math.sqrt(2.0 * P_up))
    # A smaller b_star shrinks rho: t_lo moves up, t_hi down, and both order statistics move into [B[0], B[1]]
    # (tried first by the selection; if b_star grew instead, the selection widens the window itself)
    gap_floor, G, r, (B_lo, B_hi), rho = bounds(max(abs(B[0]), abs(B[1])), (B[0], float(np.nextafter(B[1], np.inf))))
    ys = y * s
    yb_lo, yb_hi = da.minimum(y * B_lo, y * B_hi), da.maximum(y * B_lo, y * B_hi)
    scale = abs(ys) + rho + abs(yb_lo) + abs(yb_hi)
    m_lo = ys - rho + yb_lo - 4 * u * scale
    m_hi = ys + rho + yb_hi + 4 * u * scale
    labels = da.map_blocks(_labels_block, m_lo, m_hi, float(margin_tol), dtype=np.int8)
    m_lo, m_hi, labels = dask.persist(m_lo, m_hi, labels)
    sets, margin_width = _label_sets(op, labels, m_lo, m_hi)
    kkt = {"dual_box": dual_box, "dual_equality": yta_abs,
           "stationarity": float(np.sqrt(float(np.dot(r_wv, r_wv)))), "complementarity": comp_max}
    rel, status, success, message = _verdict(G, P, target_gap, status, message)
    ex = dict(extras or {})
    ex["certificate_passes"] = {"X": 1, "alpha (projection)": proj_rounds}
    return Solution(
        method=method, w=w_, b=b_, alpha=a,
        primal_objective=P, dual_objective=D, duality_gap=G, relative_gap=rel,
        radius=r, gap_floor=gap_floor, b_interval=(B_lo, B_hi), kkt=kkt,
        margin_support=sets[MARGIN], bound_support=sets[BOUND], non_support=sets[NON], undecided=sets[UNDECIDED],
        margin_range=(m_lo, m_hi), margin_tol=float(margin_tol), margin_width=margin_width,
        status=status, success=success,
        message=message, iterations=iterations, solve_time=solve_time,
        extras=ex, classes=problem.classes, margins=m.persist(), C=C,
    )
