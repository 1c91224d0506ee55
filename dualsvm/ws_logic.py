r"""The working-set loop of the exact finish, shared by the in-memory and the dask interior point.

:func:`dualsvm.ipm._working_set_finish` (rows in memory, every point in
reach) and :func:`dualsvm.chunked._ws_finish` (the working set gathered from
dask blocks, the frozen points left on them) make the same decisions; only
where the frozen points live differs. :func:`working_set_loop` holds the
decisions, a :class:`Frozen` host the data:

* the partition of each working-set iterate (:func:`dualsvm.ipm._partition`,
  :math:`\kappa = 1`), and when its KKT point is tried: a partition not tried
  yet, a free set whose margins can all be 1, an estimated gap of at most ``TRY_BELOW`` (1e-4);
* what a KKT attempt leads to: exact (done), within the budget (kept as the
  best, and iterate on), frozen points that violate (they join; more of them
  than the working set holds, or none named: give up);
* shrinking (:math:`\kappa = 10`): once a fifth of a working set of more than
  :math:`4(d+1)` points is clearly at a bound, those points are frozen (their
  :math:`Z^\top C` enters the frozen sums), joined points never again;
* the stopping rule of the inner iteration (60 Newton steps in all, an
  estimated gap of 1e-15, the deadline, a failed or vanishing step);
* the rebuild: the kept points and the joined ones (warm-started from the
  gate's iterate), sorted by index, the joined at-C points' :math:`Z^\top C`
  taken out of the frozen sums.

:func:`clip_balanced` is the KKT solves' common last step (also of the dask
free-set finish, :func:`dualsvm.chunked._finish`).
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import numpy as np

__all__ = ["Frozen", "clip_balanced", "working_set_loop", "TRY_BELOW"]

#: A KKT point is tried only once the estimated relative gap is at most this (also the dask free-set gate's).
TRY_BELOW = 1e-4


def clip_balanced(aF: np.ndarray, yF: np.ndarray, CF: np.ndarray, ycsum: float) -> tuple[np.ndarray, float]:
    r"""A KKT solve's free :math:`\alpha_F` clipped into its box, :math:`y^\top\alpha = 0` restored after the clip.

    ``ycsum`` is :math:`y_U^\top C_U` of the points at :math:`C_i`. The residual of
    :math:`y^\top\alpha` after the clip is taken out of one free coordinate that has room for it
    (the one farthest from its bounds). Returns the new :math:`\alpha_F` and the box excess before
    the clip (the largest distance outside :math:`[0, C_i]`).
    """
    excess = float(np.maximum(0.0, np.maximum(-aF, aF - CF)).max(initial=0.0))
    aF = np.clip(aF, 0.0, CF)
    res = float(yF @ aF) + ycsum
    room = np.flatnonzero((aF - yF * res >= 0.0) & (aF - yF * res <= CF))
    if room.size:
        i = room[np.argmax(np.minimum(aF[room], CF[room] - aF[room]))]
        aF[i] -= yF[i] * res
    return aF, excess


class Frozen(Protocol):
    """Where the frozen points live: what :func:`working_set_loop` asks of them."""

    def sums(self) -> tuple[float, float]:
        r""":math:`y_U^\top C_U` and :math:`\sum_U C_i` of the points frozen at :math:`C_i` (set :math:`U`)."""

    def kkt_point(self, rows: Any, A: np.ndarray, yA: np.ndarray, CA: np.ndarray, sub_free: np.ndarray,
                  sub_at_C: np.ndarray, c_w: np.ndarray, start: tuple[Any, ...], budget: float
                  ) -> tuple[dict[str, Any], tuple[np.ndarray, float, Any] | None, Any]:
        """The KKT point of the partition of ``A``, checked on ``A`` and then on the frozen points.

        Returns (info, the triple or None, the frozen violators as :meth:`count` and :meth:`take` read them).
        """

    def count(self, join: Any) -> int:
        """How many points ``join`` names."""

    def freeze(self, at_C: np.ndarray, at_0: np.ndarray, yC: np.ndarray, C: np.ndarray) -> None:
        """Points of the working set (global indices) frozen at :math:`C_i` and at 0 by shrinking
        (``yC``, ``C``: the :math:`y_i C_i` and :math:`C_i` of the points frozen at :math:`C_i`)."""

    def take(self, join: Any) -> tuple[np.ndarray, Any, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The joining points, no longer frozen: sorted global indices, rows, y, C, the gate's iterate
        ``(k, 4)`` (alpha, u, s, xi) and whether each was frozen at :math:`C_i`."""

    def snapshot(self) -> Any:
        """What :meth:`result` needs later to rebuild a KKT point of the present partition."""

    def result(self, found: tuple[np.ndarray, float, Any], A: np.ndarray, snap: Any) -> tuple[np.ndarray, float, Any]:
        """The caller's ``(w, b, alpha)`` of a KKT point found with working set ``A`` (and :meth:`snapshot`)."""


def working_set_loop(
    host: Frozen, rows: Any, A: np.ndarray, yA: np.ndarray, CA: np.ndarray, z: tuple[np.ndarray, ...],
    w: np.ndarray, b: float, c_w: np.ndarray, d: int, w_bound: float, eta: float, budget: float,
    deadline: float | None, correctors: Any, abandon_on_mass_join: bool, vstack: Any, info: dict[str, Any],
) -> tuple[dict[str, Any], tuple[np.ndarray, float, Any] | None, int]:
    r"""Iterate on the working set ``A`` (sorted global indices) with exact KKT finishes (module docstring).

    Parameters
    ----------
    host : Frozen
        The frozen points (everything off ``A``).
    rows, yA, CA : the working set's rows (dense or sparse), labels and costs.
    z : tuple of four ndarrays
        The gate's iterate on ``A``: alpha, u, s, xi.
    w, b : the iterate's :math:`w` (:math:`Z^\top\alpha` on all points) and :math:`b`.
    c_w : ndarray of shape (d,)
        :math:`Z_U^\top C_U` of the points frozen at :math:`C_i`.
    d, w_bound : the dimension, and an a priori bound on :math:`\|w^*\|`.
    eta, budget, deadline, correctors : the step fraction, the KKT budget, the deadline, the correctors option.
    abandon_on_mass_join : bool
        Give up when more frozen points violate than the working set holds.
    vstack : callable
        Stacks two row blocks (dense or sparse).
    info : dict
        The record to fill (``working_sizes`` and ``n_joined`` are expected in it).

    Returns
    -------
    (info, ``host.result`` of the KKT point or None, Newton steps taken).
    """
    from .ipm import (
        _IMPLICIT_W,
        _KAPPA,
        _QP,
        _SUB_MAX_ITER,
        _choose_form,
        _correctors,
        _finite,
        _Iterate,
        _margins_consistent,
        _partition,
    )
    from .operators import make_operator

    alpha, u_, s, xi = z
    pinned = np.zeros(A.size, bool)  # joined after violating: never frozen again here
    k_all = 0
    best: tuple[dict[str, Any], tuple[np.ndarray, float, Any], np.ndarray, Any] | None = None
    inconsistent: set[bytes] = set()  # free sets (global indices) whose margins cannot all be 1

    def done(res: dict[str, Any], found: tuple[np.ndarray, float, Any], A_: np.ndarray, snap: Any) -> tuple[Any, ...]:
        return {**res, "sub_iterations": k_all}, host.result(found, A_, snap), k_all

    def fail(res: dict[str, Any]) -> tuple[Any, ...]:
        return ({**res, "sub_iterations": k_all}, None, k_all) if best is None else done(*best)

    while True:
        info["working_sizes"].append(int(A.size))
        c_b, c_sum = host.sums()
        if A.size == 0:
            none = np.zeros(0, bool)
            res, found, _ = host.kkt_point(rows, A, yA, CA, none, none, c_w, (w, b, np.zeros(0)), budget)
            info.update(res)
            return done(info, found, A, host.snapshot()) if found is not None else fail(info)
        form = _choose_form(A.size, d, getattr(rows, "nnz", None))
        n_corr = _correctors(correctors, form, d)
        sub = _QP(make_operator(rows), yA, CA, form, c_w, c_b, c_sum)
        implicit = form in _IMPLICIT_W
        zA = _Iterate(alpha, u_, s, xi, None if implicit else w, b,
                      sub.newton.margins(c_w, alpha) if implicit else yA * (rows @ w))
        tried: set[bytes] = set()
        keep: np.ndarray | None = None  # rebuild the working set from these of its points (and the joined)
        join: Any = None
        while k_all <= _SUB_MAX_ITER:
            m = sub.measure(zA)
            f, u = _partition(zA.alpha, zA.u, zA.s, zA.xi, CA)
            key = np.packbits(np.concatenate([f, u])).tobytes()
            w_sub = zA.w if zA.w is not None else c_w + rows.T @ (yA * zA.alpha)
            fkey = A[f].tobytes()  # A is sorted: the free set itself, whatever the working set
            consider = key not in tried and fkey not in inconsistent and m["rel_gap_estimate"] <= TRY_BELOW
            if consider and not _margins_consistent(rows[f], yA[f], w_bound):
                inconsistent.add(fkey)
                consider = False
            if consider:
                tried.add(key)
                res, found, join = host.kkt_point(rows, A, yA, CA, f, u, c_w, (w_sub, zA.b, zA.alpha[f]), budget)
                info.update(res, sub_iterations=k_all)
                if found is not None:
                    if res["exact"]:
                        return done(info, found, A, host.snapshot())
                    # Within the budget but not exact: keep it, and iterate on for the exact partition.
                    info["n_inexact"] = info.get("n_inexact", 0) + 1
                    if best is None or res["gap"] < best[0]["gap"]:
                        best = (dict(info), found, A.copy(), host.snapshot())
                if res["outcome"] == "frozen point violates":
                    n_join = host.count(join)
                    if abandon_on_mass_join and n_join > A.size:
                        info.update(outcome="abandoned: mass join", n_violations=n_join)
                        return fail(info)
                    if not n_join:  # violations spread too thin to name: give up here
                        return fail(info)
                    keep = np.ones(A.size, bool)
                    break
            # Shrink again once a fifth of the working set is clearly at a bound
            # (not worth it on a working set of a few times d + 1 rows).
            f10, u10 = _partition(zA.alpha, zA.u, zA.s, zA.xi, CA, _KAPPA)
            f10 |= pinned
            u10 &= ~pinned
            if A.size > 4 * (d + 1) and np.count_nonzero(~f10) >= 0.2 * A.size:
                c_w = c_w + rows[u10].T @ (yA * CA)[u10]
                host.freeze(A[u10], A[~f10 & ~u10], (yA * CA)[u10], CA[u10])
                keep = f10
                break
            if k_all == _SUB_MAX_ITER or m["rel_gap_estimate"] <= 1e-15:  # budget spent, or no more digits
                break
            if deadline is not None and time.perf_counter() > deadline:
                info["outcome"] = "max_time"
                break
            try:
                zta = sub.factor(zA, m)
            except np.linalg.LinAlgError:
                info["outcome"] = "working-set Newton system failed"
                return fail(info)
            zA_new, st = sub.step(zA, m, zta, eta, n_corr)
            k_all += 1
            if not _finite(zA_new) or st["step"] < 1e-12:
                break
            zA = zA_new
        if keep is None:
            info.setdefault("outcome", "working set did not converge")
            return fail(info)
        # Rebuild: drop the frozen, add the joined (warm-started from the gate's iterate), keep A sorted.
        w, b = w_sub, zA.b
        if join is not None and host.count(join):
            jidx, jrows, jy, jC, jZ, was_C = host.take(join)
            info["n_joined"] += int(jidx.size)
            c_w = c_w - jrows[was_C].T @ (jy * jC)[was_C]
        else:
            jidx, jrows, jy, jC, jZ = np.zeros(0, np.int64), None, np.zeros(0), np.zeros(0), np.zeros((0, 4))
        idx = np.concatenate([A[keep], jidx])
        order = np.argsort(idx, kind="stable")
        rows = (rows[keep] if jrows is None else vstack([rows[keep], jrows]))[order]
        yA, CA = np.concatenate([yA[keep], jy])[order], np.concatenate([CA[keep], jC])[order]
        pinned = np.concatenate([pinned[keep], np.ones(jidx.size, bool)])[order]
        alpha, u_, s, xi = (np.concatenate([v[keep], jZ[:, j]])[order] for j, v in enumerate((zA.alpha, zA.u, zA.s, zA.xi)))
        A = idx[order]
