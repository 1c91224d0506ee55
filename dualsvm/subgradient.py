r"""Unconstrained subgradient descent on the primal, with its implicit dual.

The method minimises, with no constraint and no projection,

.. math::

    F(w) = \min_b P(w, b) = \tfrac12\|w\|^2 + \min_b C\sum_i \max(0, 1 - y_i(w^\top x_i + b)),

which is 1-strongly convex in :math:`w` (partial minimisation of a jointly
convex function keeps convexity). The bias is neither dropped nor
regularised: each step minimises over :math:`b` exactly
(:func:`dualsvm.argmin_b`, a sorted piecewise-linear search).

**Step.** With :math:`\theta_i = 1` for margin violators (:math:`m_i < 1`),
0 for :math:`m_i > 1`, and a fraction on points exactly at the margin that
makes :math:`\sum_i \theta_i y_i = 0` (it exists because :math:`b` is optimal,
``proofs/T08``), :math:`g = w - C\sum_i\theta_i y_i x_i \in \partial F(w)` and

.. math::

    w \leftarrow w - \eta g = (1 - \eta)\,w + \eta\,C\sum_i\theta_i y_i x_i,
    \qquad \eta = \min\Bigl(1, \frac{P(w,b) - D(\alpha)}{\|g\|^2}\Bigr).

**The implicit dual.** Started at :math:`w = 0`, every iterate is
:math:`w_t = \sum_i\alpha_i^{(t)} y_i x_i` with
:math:`\alpha^{(t+1)} = (1-\eta)\alpha^{(t)} + \eta C\theta`: a convex
combination of points of the box, so :math:`0 \le \alpha^{(t)} \le C`, and
:math:`y^\top\alpha^{(t)} = 0` because :math:`y^\top\theta = 0`. So the
unconstrained descent walks inside the dual feasible set that the QP
enforces, and :math:`D(\alpha^{(t)})` is a lower bound at every step: the
method certifies itself with no QP solver.

The step is the exact line search of Frank–Wolfe on the dual: :math:`C\theta`
is the linear-maximisation vertex of :math:`\nabla D` over the dual feasible
set (with :math:`b` its multiplier), the Frank–Wolfe gap equals the duality
gap :math:`P(w,b) - D(\alpha)`, and :math:`\eta` maximises :math:`D` on the
segment (Lacoste-Julien, Jaggi, Schmidt and Pletscher, *Block-Coordinate
Frank-Wolfe Optimization for Structural SVMs*, ICML 2013, section 3; the
step is the Polyak step :math:`(F(w) - \text{lower bound})/\|g\|^2`). The
guarantee relied on (Jaggi, *Revisiting Frank-Wolfe*, ICML 2013, Theorems 1
and 2; ``proofs/T08``):

.. math::

    P^* - D(\alpha^{(t)}) \le \frac{2 C_f}{t + 2},\qquad
    \min_{s \le t} G_s \le \frac{27\, C_f}{2\,(t + 2)},\qquad
    C_f \le \max_{\alpha, \alpha'} \|Z^\top(\alpha - \alpha')\|^2 \le \Bigl(C\sum_i\|x_i\|\Bigr)^2.

**Stochastic variant** (``batch_size``): Pegasos-style steps
:math:`\eta_t = 2/(t + 2)` on seeded mini-batches stratified by class (each
batch holds both classes in proportion, so the batch's exact bias exists),
with the hinge gradient of a class-:math:`c` point scaled by
:math:`n_c/k_c` (its inverse sampling rate) and :math:`b` minimised exactly on the batch.
Its coefficients may leave the box (a point sampled more often than average
collects more than :math:`C`), so the certificate projects the weighted
average :math:`\bar\alpha` onto the dual feasible set. It has no rate
guarantee with the exact bias; its certificate is still valid.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .certificates import certificate
from .exceptions import ConvergenceWarning, DualSVMError
from .feasibility import project_dual, slope_zero
from .problem import SVMProblem, check_max_time, check_target_gap
from .solution import Solution

__all__ = ["solve_subgradient", "balanced_violators"]

Array = NDArray[np.float64]


def balanced_violators(y: Array, s: Array, costs: Array | None = None) -> tuple[float, Array]:
    r"""Exact bias and balanced violator weights for scores ``s = X w``.

    Returns ``(b, theta)`` with :math:`b \in \arg\min_b P(w, b)` (the midpoint
    of the interval) and :math:`\theta \in [0, 1]^n`: 1 on margin violators,
    0 on points beyond the margin, and a common fraction on the points whose
    breakpoint equals ``b`` chosen so that :math:`\sum_i C_i\theta_i y_i = 0`
    exactly (``costs`` :math:`C_i`; ``None`` for uniform costs).
    """
    n_pos = int(np.count_nonzero(y > 0))
    if not 0 < n_pos < y.size:  # min_b is unbounded: every b below (above) all breakpoints is optimal
        raise DualSVMError(f"y must contain both +1 and -1 for an exact bias, got {n_pos} positive of {y.size}")
    b, theta, _ = _violators(y, y - s, costs)
    return b, theta


def _violators(y: Array, t: Array, costs: Array | None) -> tuple[float, Array, Array]:
    r""":func:`balanced_violators` from the breakpoints :math:`t = y - s`, also returning :math:`1 - m`.

    :math:`1 - m_i = 1 - y_i(s_i + b) = y_i(t_i - b)` because :math:`y_i^2 = 1`:
    one array gives both the violators and the hinge losses.
    """
    lo, hi = slope_zero(t, t, y, costs)
    b = 0.5 * (lo + hi)
    viol = y * (t - b)  # 1 - m_i
    theta = (viol > 0).astype(np.float64)
    if not lo < b < hi:  # b sits on breakpoints: balance with the points on the margin
        _balance_ties(theta, y, costs, t == b)
    return float(b), theta, viol


def _balance_ties(theta: Array, y: Array, costs: Array | None, tie: NDArray[np.bool_]) -> None:
    r"""Set :math:`\theta` on the points at the margin (``tie``) so that :math:`\sum_i C_i\theta_i y_i = 0`, in place.

    One side of the ties gets the common fraction that cancels the violators'
    excess cost; it exists because :math:`b` minimises :math:`P(w, \cdot)` (``proofs/T08``).
    """
    c = np.ones_like(y) if costs is None else costs
    excess = float((y * c) @ theta)  # > 0: too much positive violator cost
    side = tie & ((y < 0) if excess > 0 else (y > 0))
    room = float(c[side].sum())
    if excess != 0.0 and room > 0:
        theta[side] = min(1.0, abs(excess) / room)


def _window_pair(t: Array, k: int, center: float, width: float) -> tuple[float, float] | None:
    """The k-th and (k+1)-th smallest entries of ``t`` (1-based), if both lie within ``width`` of ``center``.

    Exact whenever it answers: the ranks are counted over all of ``t``, and
    only the window is partitioned. None when the window misses either rank.
    """
    inside = t >= center - width
    j = k - 1 - (t.size - int(np.count_nonzero(inside)))  # rank of the k-th smallest inside the window
    if j < 0:
        return None
    inside &= t <= center + width
    win = t[inside]
    if j + 1 >= win.size:
        return None
    part = np.partition(win, (j, j + 1))
    return float(part[j]), float(part[j + 1])


class _ImplicitDual:
    r"""The full-batch dual iterate, updated in O(changed points) per step instead of O(n).

    Frank–Wolfe's step :math:`\alpha \leftarrow (1-\eta)\alpha + \eta C\theta`
    touches every coordinate, but :math:`\theta` changes on few points. So
    :math:`\alpha_i = S\,C_i\,(a_i + \theta_i(\Lambda - \ell_i))` with the scalars
    :math:`S = \prod(1-\eta)` and :math:`\Lambda = \sum \eta / S`: a step
    changes only them, and a point whose :math:`\theta_i` changes closes its
    interval (:math:`a_i \mathrel{+}= \theta_i(\Lambda - \ell_i)`, :math:`\ell_i = \Lambda`).
    :math:`\sum_i \alpha_i` is kept from three running sums, and the weighted
    average :math:`\sum_t t\,\alpha^{(t)}` from two more scalars
    (:math:`M_1 = \sum_t tS_t`, :math:`M_2 = \sum_t tS_t\Lambda_t`) and their
    values at each point's interval start. Everything is rebuilt from the
    materialized vectors every ``renew`` steps, when :math:`S` falls below
    1e-4 (the sums' rounding grows like :math:`1/S`), and at :math:`\eta = 1`.
    """

    def __init__(self, C: Array, renew: int = 1000) -> None:
        n = C.size
        self.C, self.renew, self.since = C, renew, 0
        self.theta, self.acc, self.start = np.zeros(n), np.zeros(n), np.zeros(n)
        self.avg, self.m1_at, self.m2_at = np.zeros(n), np.zeros(n), np.zeros(n)
        self.S, self.lam, self.m1, self.m2 = 1.0, 0.0, 0.0, 0.0
        self.sum_acc = self.sum_ct = self.sum_ctl = 0.0  # sum C a, sum C theta, sum C theta l
        self.avg_total = 0.0  # sum_t t * sum_i alpha_i^(t)

    def value(self, idx: NDArray[np.intp] | slice = slice(None)) -> Array:
        """The current alpha (at ``idx``), clipped to its box: exactly, it is a convex combination of points of the box."""
        Ci = self.C[idx]
        return np.clip(self.S * Ci * (self.acc[idx] + self.theta[idx] * (self.lam - self.start[idx])), 0.0, Ci)

    def total(self) -> float:
        """sum_i alpha_i."""
        return self.S * (self.sum_acc + self.lam * self.sum_ct - self.sum_ctl)

    def average(self, idx: NDArray[np.intp] | slice = slice(None)) -> Array:
        """sum_t t alpha^(t) (at ``idx``), over the steps so far."""
        th = self.theta[idx]
        return self.avg[idx] + self.C[idx] * (
            (self.acc[idx] - th * self.start[idx]) * (self.m1 - self.m1_at[idx]) + th * (self.m2 - self.m2_at[idx]))

    def set_theta(self, idx: NDArray[np.intp], new: Array) -> None:
        """theta[idx] = new, before the step."""
        old, start, Ci, acc = self.theta[idx], self.start[idx], self.C[idx], self.acc[idx]  # each gathered once
        self.avg[idx] += Ci * ((acc - old * start) * (self.m1 - self.m1_at[idx]) + old * (self.m2 - self.m2_at[idx]))
        self.m1_at[idx], self.m2_at[idx] = self.m1, self.m2
        gain = old * (self.lam - start)
        self.acc[idx] = acc + gain
        self.sum_acc += float(Ci @ gain)
        self.sum_ct += float(Ci @ (new - old))
        self.sum_ctl += float(Ci @ new) * self.lam - float(Ci @ (old * start))
        self.start[idx], self.theta[idx] = self.lam, new

    def step(self, eta: float, it: int) -> None:
        """alpha <- (1 - eta) alpha + eta C theta, then add it * alpha to the average."""
        self.since += 1
        if eta >= 1.0 or self.since >= self.renew or self.S * (1.0 - eta) < 1e-4:  # 1/S scales the rounding of the sums
            alpha = self.C * self.theta if eta >= 1.0 else (1.0 - eta) * self.value() + eta * self.C * self.theta
            self._rebuild(alpha)
        else:
            self.S *= 1.0 - eta
            self.lam += eta / self.S
        self.m1 += it * self.S
        self.m2 += it * self.S * self.lam
        self.avg_total += it * self.total()

    def _rebuild(self, alpha: Array) -> None:
        self.avg = self.average()
        self.m1_at[:], self.m2_at[:], self.m1, self.m2 = 0.0, 0.0, 0.0, 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            self.acc = np.where(self.C > 0, alpha / self.C, 0.0)
        self.start[:] = 0.0
        self.S, self.lam, self.since = 1.0, 0.0, 0
        self.sum_acc, self.sum_ct, self.sum_ctl = float(alpha.sum()), float(self.C @ self.theta), 0.0


def _stratified_batches(y: Array, batch_size: int, rng: np.random.Generator) -> Iterator[tuple[NDArray[np.intp], Array]]:
    """Seeded mini-batches holding both classes, in class proportion; yields (indices, n_c / k_c per index).

    Each class is walked through its own permutation, reshuffled when used up;
    a point of class c is drawn with rate k_c / n_c per step, so scaling its
    hinge gradient by n_c / k_c keeps the step unbiased.
    """
    members = [np.flatnonzero(y > 0), np.flatnonzero(y < 0)]
    n_pos, n_neg = members[0].size, members[1].size
    k_pos = int(np.clip(round(batch_size * n_pos / y.size), max(1, batch_size - n_neg), min(n_pos, batch_size - 1)))
    ks = (k_pos, batch_size - k_pos)
    scale = np.concatenate([np.full(ks[0], n_pos / ks[0]), np.full(ks[1], n_neg / ks[1])])
    perms = [rng.permutation(c) for c in members]
    cursor = [0, 0]
    while True:
        parts = []
        for c in (0, 1):
            if cursor[c] + ks[c] > members[c].size:
                perms[c], cursor[c] = rng.permutation(members[c]), 0
            parts.append(perms[c][cursor[c] : cursor[c] + ks[c]])
            cursor[c] += ks[c]
        yield np.concatenate(parts), scale


def solve_subgradient(
    problem: SVMProblem,
    *,
    max_iter: int = 200_000,
    target_gap: float | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    max_time: float | None = None,
    n_history: int = 200,
    check_every: int | None = None,
    callback: Callable[[int, Array, float, Array], None] | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    tol: float | None = None,
) -> Solution:
    r"""Unconstrained subgradient descent with exact bias and its own certificate.

    Parameters
    ----------
    problem : SVMProblem
        The problem to solve.
    max_iter : int, default 200 000
        Iteration budget; reaching it gives the status ``"max_iter"``.
    target_gap : float in (0, 1), default 1e-4
        Stop when the method's own certified relative gap
        :math:`(P(w,b) - D(\alpha))/\max(1, |P|)` is at most ``target_gap``.
    batch_size : int, optional
        ``None`` (default) runs full-batch steps with the Frank–Wolfe line
        search; an integer runs the stochastic variant on seeded batches.
    seed : int, default 0
        Seed of the batch sampler (unused for full batch, which is
        deterministic).
    max_time : float, optional
        Wall-clock limit in seconds; reaching it is reported like ``max_iter``.
    n_history : int, default 200
        About this many log-spaced records in ``extras["history"]``.
    check_every : int, optional
        Stochastic variant only: iterations between certificate checks (each
        costs :math:`O(nd)`); default one epoch, ``max(10, n // batch_size)``.
    callback : callable, optional
        ``callback(t, w, b, alpha)`` at every certificate check, with the
        current iterate (copies are not made: do not modify them).
    progress : callable, optional
        ``progress(info)`` at most every 0.2 s and once at the end, with
        ``info = {"iteration", "relative_gap", "elapsed", "done"}``: the
        method's own certified relative gap so far (it costs nothing extra).
        The command line draws it as a progress bar.
    tol : float, optional
        Deprecated alias of ``target_gap``.

    Returns
    -------
    Solution
        ``alpha`` are the implicit coefficients (projected onto the dual
        feasible set to clean rounding, or for the stochastic variant).
        ``extras["history"]`` has columns ``iteration``, ``primal`` (best
        :math:`P` so far), ``dual`` (best :math:`D` so far), ``gap``,
        ``primal_last``, ``primal_avg`` and ``gap_avg`` (the weighted
        average iterate with its own dual point). ``extras["alpha_trace"]``
        holds :math:`\alpha^{(t)}` at the recorded iterations for at most 64
        points, ``extras["trace_index"]`` says which. ``extras["data_passes"]``
        counts products with X or Xᵀ (a product with k of the n rows counts
        k/n): at most 3 per full-batch iteration. ``status`` is
        ``"optimal"`` or ``"max_iter"`` (with a :class:`ConvergenceWarning`).
    """
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise DualSVMError(f"max_iter must be an integer >= 1, got {max_iter!r}")
    if target_gap is None and tol is None:
        target_gap = 1e-4
    target_gap = check_target_gap(target_gap, tol, "solve_subgradient")
    max_time = check_max_time(max_time)
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or not 2 <= batch_size <= problem.n
    ):
        raise DualSVMError(f"batch_size must be None or an integer in [2, n={problem.n}], got {batch_size!r}")
    X, y, n = problem.X, problem.y, problem.n
    C = problem.costs  # C_i; the implicit alpha = convex combinations of C * theta
    costs = C if problem.weighted else None
    yC = y * C
    if check_every is None:
        check_every = max(10, n // (batch_size or n))
    t0 = time.perf_counter()
    record_at = set(np.unique(np.geomspace(1, max_iter, num=max(2, n_history)).astype(int)).tolist())
    trace_index = np.linspace(0, n - 1, num=min(n, 64)).astype(int)
    hist: dict[str, list[float]] = {k: [] for k in ("iteration", "primal", "dual", "gap", "primal_last", "primal_avg", "gap_avg")}
    trace: list[Array] = []

    full = batch_size is None
    alpha = np.zeros(n)  # the stochastic iterate; the full-batch one is `dual`
    dual = _ImplicitDual(C) if full else None
    w = np.zeros(problem.d)
    alpha_avg, w_avg, weight = np.zeros(0 if full else n), np.zeros(problem.d), 0.0
    best_P, best_w, best_b = np.inf, w.copy(), 0.0
    best_D, best_alpha = -np.inf, None if full else alpha.copy()  # None: the full-batch iterate (D never decreases)
    rng = np.random.default_rng(seed)
    status, it = "max_iter", 0
    # full batch: u = y C theta and v = X^T u, kept up to date on the points whose theta flips
    u, v = np.zeros(n), np.zeros(problem.d)
    pos = y > 0
    cur, prev, flip = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    frac = np.zeros(0, dtype=np.intp)  # points with 0 < theta < 1, from a step whose b sat on breakpoints
    n_pos, b, b_last, width = int(np.count_nonzero(pos)), 0.0, 0.0, 0.0
    batches = None if full else _stratified_batches(y, batch_size, rng)
    passes = 0.0  # products with X or X^T, in units of the whole matrix
    last_progress = t0

    def scale(P: float) -> float:
        return max(1.0, abs(P))

    for it in range(1, max_iter + 1):
        check = full or it == 1 or it % check_every == 0 or it in record_at
        if check:
            t = y - X @ w  # breakpoints
            passes += 1
            if full:
                pair = None if it == 1 or costs is not None else _window_pair(t, n_pos, b, width)
                lo, hi = slope_zero(t, t, y, costs) if pair is None else pair
                b = 0.5 * (lo + hi)
                width = max(8.0 * abs(b - b_last), 1e-3 * (1.0 + abs(b)))  # measured: the window holds both ranks 19 times in 20
                b_last = b
                t -= b  # y_i (1 - m_i)
                if lo < b < hi:  # no breakpoint at b: theta is the violator indicator
                    np.greater(t, 0.0, out=cur)
                    np.equal(cur, pos, out=cur)  # y_i (t_i - b) > 0
                    np.not_equal(cur, prev, out=flip)
                    idx = np.flatnonzero(flip)
                    if frac.size:
                        idx, frac = np.union1d(idx, frac), frac[:0]
                    new = cur[idx].astype(np.float64)
                else:
                    theta = (y * t > 0).astype(np.float64)
                    _balance_ties(theta, y, costs, t == 0.0)
                    idx = np.flatnonzero(theta != dual.theta)
                    new = theta[idx]
                    np.equal(theta, 1.0, out=cur)
                    frac = np.flatnonzero((theta > 0.0) & (theta < 1.0))
                prev, cur = cur, prev
                du = yC[idx] * new - u[idx]
                u[idx] += du
                dual.set_theta(idx, new)
                P = 0.5 * w @ w + float(u @ t)  # sum_i C_i theta_i y_i (t_i - b): the hinge losses
                D = dual.total() - 0.5 * w @ w  # w = Z^T alpha, alpha feasible
                best_D = max(best_D, D)
            else:
                b, theta, viol = _violators(y, t, costs)
                P = 0.5 * w @ w + float(C @ np.maximum(viol, 0.0))
            if P < best_P:
                best_P, best_w, best_b = P, w.copy(), b
            if not full and weight:
                w_bar = w_avg / weight
                P_bar, b_bar = _primal_exact_b(problem, w_bar)
                if P_bar < best_P:
                    best_P, best_w, best_b = P_bar, w_bar, b_bar
                a_feas = project_dual(alpha_avg / weight, y, C)
                D = problem.dual_objective(a_feas)
                passes += 2
                if D > best_D:
                    best_D, best_alpha = D, a_feas
            if callback is not None:
                callback(it, w, b, dual.value() if full else alpha)
            if progress is not None and time.perf_counter() - last_progress > 0.2:
                last_progress = time.perf_counter()
                progress({"iteration": it, "relative_gap": (best_P - best_D) / scale(best_P),
                          "elapsed": last_progress - t0, "done": False})
            if it in record_at:
                D_avg = _averaged_dual(problem, dual, alpha_avg, w_avg, weight)
                _record(problem, hist, it, best_P, best_D, P, w_avg, weight, D_avg)
                passes += 1 if full else 2
                trace.append(dual.value(trace_index) if full else alpha[trace_index].copy())
            if best_P - best_D <= target_gap * scale(best_P):
                status = "optimal"
                break
            if max_time is not None and time.perf_counter() - t0 > max_time:
                status = "max_time"
                break
        if full:
            # v = X^T u: updated on the flipped points when they are few (late
            # iterations), else recomputed (early, most points can flip: measured 29k of 50k).
            if it % 1000 == 1 or idx.size > n // 16:
                v = X.T @ u
                passes += 1
            else:
                v = v + X[idx].T @ du
                passes += idx.size / n
            g = w - v
            gg = float(g @ g)
            if gg == 0.0:  # w = sum C_i theta_i y_i x_i: an exact optimum
                status = "optimal"
                break
            eta = min(1.0, (P - D) / gg)
            dual.step(eta, it)
            w = (1.0 - eta) * w + eta * v
        else:
            idx, inv_rate = next(batches)
            _, theta_b = balanced_violators(y[idx], X[idx] @ w, None if costs is None else costs[idx])
            passes += 2 * batch_size / n
            eta = 2.0 / (it + 2)
            coef = eta * C[idx] * inv_rate * theta_b
            alpha *= 1.0 - eta
            alpha[idx] += coef
            w = (1.0 - eta) * w + X[idx].T @ (y[idx] * coef)
            alpha_avg += it * alpha
        # Weighted (by t) averaging of the iterates: O(1/T) for strongly convex
        # objectives (Lacoste-Julien, Schmidt & Bach, 2012, arXiv:1212.2002).
        weight += it
        w_avg += it * w
    elapsed = time.perf_counter() - t0
    if best_alpha is None:
        best_alpha = dual.value()
    if weight:
        a_avg = project_dual((dual.average() if full else alpha_avg) / weight, y, C)
        w_bar = w_avg / weight
        P_bar, b_bar = _primal_exact_b(problem, w_bar)
        if P_bar < best_P:
            best_P, best_w, best_b = P_bar, w_bar, b_bar
        D_bar = problem.dual_objective(a_avg)
        passes += 2
        if D_bar > best_D:
            best_D, best_alpha = D_bar, a_avg
    if not hist["iteration"] or hist["iteration"][-1] != it:
        D_avg = _averaged_dual(problem, dual, alpha_avg, w_avg, weight)
        _record(problem, hist, it, best_P, best_D, P, w_avg, weight, D_avg)
        trace.append(dual.value(trace_index) if full else alpha[trace_index].copy())
    extras: dict[str, Any] = {
        "history": {k: np.asarray(v) for k, v in hist.items()},
        "alpha_trace": np.asarray(trace), "trace_index": trace_index,
        "batch_size": batch_size, "seed": seed, "target_gap": target_gap, "data_passes": passes,
    }
    if progress is not None:
        progress({"iteration": it, "relative_gap": (best_P - best_D) / scale(best_P), "elapsed": elapsed, "done": True})
    sol = certificate(
        problem, best_w, best_b, best_alpha,  # certificate() projects it (rounding; the stochastic box)
        method="subgradient" if batch_size is None else "stochastic subgradient",
        status="optimal", iterations=it, solve_time=elapsed, extras=extras, target_gap=target_gap,
    )
    if not sol.success:
        sol.status = status if status != "optimal" else "inaccurate"
        sol.message = (
            f"stopped at {status} ({it} iterations) with its own certified relative gap {sol.relative_gap:.3g} "
            f"> target_gap {target_gap:.3g}; raise max_iter or max_time, loosen target_gap, standardize X if it is not, "
            "or use an exact method (solve_dual, solve_primal) for large C"
        )
        warnings.warn(sol.message, ConvergenceWarning, stacklevel=2)
    return sol


def _primal_exact_b(problem: SVMProblem, w: Array) -> tuple[float, float]:
    """(P(w, b), b) with b the midpoint of argmin_b P(w, .): one data pass."""
    s = problem.X @ w
    b, _ = balanced_violators(problem.y, s, problem.costs if problem.weighted else None)
    return 0.5 * float(w @ w) + float(problem.costs @ np.maximum(0.0, 1.0 - problem.y * (s + b))), b


def _averaged_dual(problem: SVMProblem, dual: _ImplicitDual | None, alpha_avg: Array, w_avg: Array, weight: float) -> float:
    """D at the weighted average of the dual iterates (the full-batch one is feasible: no pass)."""
    if not weight:
        return -np.inf
    if dual is not None:  # alpha_bar is feasible and w_bar = Z^T alpha_bar by linearity
        w_bar = w_avg / weight
        return dual.avg_total / weight - 0.5 * float(w_bar @ w_bar)
    return problem.dual_objective(project_dual(alpha_avg / weight, problem.y, problem.costs))


def _record(
    problem: SVMProblem, hist: dict[str, list[float]], it: int, best_P: float, best_D: float,
    P_last: float, w_avg: Array, weight: float, D_avg: float,
) -> None:
    """Append one history row; costs one data pass."""
    hist["iteration"].append(it)
    hist["primal"].append(best_P)
    hist["dual"].append(best_D)
    hist["gap"].append(best_P - best_D)
    hist["primal_last"].append(P_last)
    P_bar = _primal_exact_b(problem, w_avg / weight)[0] if weight else P_last
    hist["primal_avg"].append(P_bar)
    hist["gap_avg"].append(P_bar - (D_avg if weight else best_D))
