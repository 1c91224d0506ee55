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

**Extrapolation** (``extrapolate_every``, full batch). Frank–Wolfe's
steps zigzag: the vertex :math:`C\theta` stays far from :math:`\alpha^*`
wherever :math:`\alpha^*` is fractional, so :math:`\|g\|` stays large, the
steps stay short, and the weight of stale vertices decays slowly. Measured at
10k × 20, the best primal value was within 0.05 of :math:`P^*` while
:math:`D` was still 0.67 below it: the lower bound held up the stop. Every
``extrapolate_every`` steps the method therefore moves along the progress
made since its previous snapshot,
:math:`\alpha \leftarrow \alpha + \mu(\alpha - \alpha_s)`,
:math:`w \leftarrow w + \mu(w - w_s)`, with the :math:`\mu \ge 0` that
maximises :math:`D` on that ray (:math:`D` is a concave quadratic in
:math:`\mu`, known from :math:`\sum\alpha`, :math:`w` and :math:`w_s` with
no data pass), capped where :math:`\alpha` would leave the box. Both
invariants survive by linearity (:math:`y^\top(\alpha - \alpha_s) = 0`,
:math:`w - w_s = Z^\top(\alpha - \alpha_s)`), so the iterate stays
unconstrained in :math:`w`, :math:`\alpha` stays feasible with no
projection, and :math:`D` never decreases: the guarantees above still hold
(the proofs only need each step to raise :math:`D` at least as much as the
Frank–Wolfe step does). The move is a heuristic, kept because it measured
well: 10k × 20 to 1e-4 in 781 steps instead of 17,247, and every seeded test
problem at C = 1 and 100 in a few hundred steps (several did not finish in
50,000 without it).

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
MU_MAX = 100.0  # longest extrapolation, in units of the progress since the snapshot


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


def _violators(
    y: Array, t: Array, costs: Array | None, near: tuple[int, float, float] | None = None
) -> tuple[float, Array, Array]:
    r""":func:`balanced_violators` from the breakpoints :math:`t = y - s`, also returning :math:`1 - m`.

    :math:`1 - m_i = 1 - y_i(s_i + b) = y_i(t_i - b)` because :math:`y_i^2 = 1`:
    one array gives both the violators and the hinge losses. ``near`` is
    ``(n_pos, b_prev, width)`` for uniform costs: the two order statistics
    are first sought among the breakpoints within ``width`` of the previous
    bias (:func:`_window_pair`), where the bias of the next iterate lies.
    """
    pair = None if near is None or costs is not None else _window_pair(t, *near)
    lo, hi = slope_zero(t, t, y, costs) if pair is None else pair
    b = 0.5 * (lo + hi)
    viol = y * (t - b)  # 1 - m_i
    theta = (viol > 0).astype(np.float64)
    if not lo < b < hi:  # b sits on breakpoints (also when the midpoint of adjacent floats rounds onto one)
        pos = y > 0
        c = np.ones_like(y) if costs is None else costs
        tie = t == b
        excess = float((y * c) @ theta)  # > 0: too much positive violator cost
        side = tie & (~pos if excess > 0 else pos)
        room = float(c[side].sum())
        if excess != 0.0 and room > 0:
            theta[side] = min(1.0, abs(excess) / room)
    return float(b), theta, viol


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


def _extrapolate(
    alpha: Array, w: Array, alpha_snap: Array, w_snap: Array, y: Array, C: Array, buf: Array
) -> tuple[Array, Array, float]:
    r"""Exact dual line search along the progress since the last snapshot; ``alpha``, ``alpha_snap`` in place.

    Moves :math:`\alpha \leftarrow \alpha + \mu(\alpha - \alpha_s)` and :math:`w \leftarrow w + \mu(w - w_s)`
    with the :math:`\mu \ge 0` that maximises :math:`D` on this ray, capped where the ray leaves the box.
    :math:`y^\top\alpha = 0` and :math:`w = Z^\top\alpha` are kept by linearity, so :math:`D` stays a
    certified lower bound, and it never decreases. The iterate *before* the move becomes the next
    snapshot (``alpha_snap`` is overwritten), so the next direction includes this move: with the moved
    iterate as snapshot the moves alternated long and short (measured: separable data at C = 100
    stalled at 20 000 iterations; with this rule it stops at a few hundred). Returns the new ``w``, the
    next snapshot of ``w`` and :math:`\mu` (0: no move).
    """
    da = np.subtract(alpha, alpha_snap, out=buf)
    alpha_snap[:] = alpha
    dw = w - w_snap
    quad = float(dw @ dw)
    lin = float(da.sum()) - float(w @ dw)  # dD/dmu at mu = 0, as D = sum(alpha) - ||w||^2 / 2
    if not (lin > 0.0 and quad > 0.0):
        return w, w, 0.0
    # Rounding: an entry that stayed at 0 or C drifts by a few ulps over the steps since the snapshot;
    # it is not moved (else it would cap the move at 0). And y^T da = 0 is restored on the entries
    # that do move: the move multiplies whatever rounding da carries, and the moves compound
    # (measured: |y^T alpha| grew to 1e-8 n C without this). w is recomputed by the caller.
    moved = np.abs(da) > 1e-14 * C
    da[~moved] = 0.0
    k = int(np.count_nonzero(moved))
    if k:
        da[moved] -= y[moved] * (float(y @ da) / k)
    room = np.where(da > 0, C, 0.0) - alpha  # signed distance to the bound the entry moves towards
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(da != 0.0, room / da, np.inf)
    mu = min(lin / quad, float(ratio.min()), MU_MAX)
    if not mu > 0.0:
        return w, w, 0.0
    alpha += mu * da
    np.clip(alpha, 0.0, C, out=alpha)  # rounding at the entry that capped the move
    return w + mu * dw, w, mu


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
    extrapolate_every: int | None = 20,
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
    extrapolate_every : int or None, default 20
        Full batch only: every this many steps, move along the progress made
        since the last such move, as far as the dual objective rises and the
        box allows (see the module's docstring); ``None`` runs the plain
        Frank–Wolfe/Polyak steps. On dask arrays too (block by block).

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
        ``extras["extrapolations"]`` counts the extrapolation moves made.
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
    if extrapolate_every is not None and (
        isinstance(extrapolate_every, bool) or not isinstance(extrapolate_every, (int, np.integer))
        or extrapolate_every < 1
    ):
        raise DualSVMError(f"extrapolate_every must be None or an integer >= 1, got {extrapolate_every!r}")
    if getattr(problem, "chunked", False):  # X on dask blocks: dualsvm/chunked.py, full batch only
        if batch_size is not None or callback is not None:
            raise DualSVMError("on a dask array solve_subgradient runs full batch without callback; got "
                               f"batch_size={batch_size!r}, callback={callback!r}")
        from .chunked import subgradient_chunked

        t0 = time.perf_counter()
        (w, b, a), status, why, extras = subgradient_chunked(problem, target_gap, max_iter,
                                                             None if max_time is None else t0 + max_time,
                                                             extrapolate_every)
        extras.update(target_gap=target_gap, stop=why)
        return _certified(problem, w, b, a, status, extras["iterations"], time.perf_counter() - t0, extras,
                          target_gap, "subgradient")
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

    alpha = np.zeros(n)
    w = np.zeros(problem.d)
    alpha_avg, w_avg, weight = np.zeros(n), np.zeros(problem.d), 0.0
    best_P, best_w, best_b = np.inf, w.copy(), 0.0
    best_D, best_alpha = -np.inf, alpha.copy()
    factor = getattr(problem, "kernel_factor", None)
    sqrt_e = None if factor is None else np.sqrt(factor.residual_diag)
    rng = np.random.default_rng(seed)
    status, it = "max_iter", 0
    theta_prev, v = np.zeros(n), np.zeros(problem.d)
    alpha_snap, w_snap, n_extrapolated = np.zeros(n), np.zeros(problem.d), 0
    buf, ctheta = np.empty(n), np.empty(n)  # scratch for the O(n) updates, so that they allocate nothing
    n_pos, b, b_last, width = int(np.count_nonzero(y > 0)), 0.0, 0.0, 0.0
    batches = _stratified_batches(y, batch_size, rng) if batch_size is not None else None
    passes = 0.0  # products with X or X^T, in units of the whole matrix
    last_progress = t0

    def scale(P: float) -> float:
        return max(1.0, abs(P))

    for it in range(1, max_iter + 1):
        check = batch_size is None or it == 1 or it % check_every == 0 or it in record_at
        if check:
            t = y - X @ w  # breakpoints
            passes += 1
            b, theta, viol = _violators(y, t, costs, None if it == 1 else (n_pos, b, width))
            width = max(2.0 * abs(b - b_last), 1e-3 * (1.0 + abs(b)))  # measured: the window holds both ranks 4 times in 5
            b_last = b
            np.multiply(C, theta, out=ctheta)
            P = 0.5 * w @ w + float(ctheta @ viol)  # theta_i = 1 where 1 - m_i > 0, 0 where < 0; at ties 1 - m_i = 0
            if P < best_P:
                best_P, best_w, best_b = P, w.copy(), b
            if batch_size is None:
                D = float(alpha.sum()) - 0.5 * w @ w  # exact: w = Z^T alpha, alpha feasible
                if D > best_D:
                    best_D, best_alpha = D, alpha.copy()
            elif weight:
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
                callback(it, w, b, alpha)
            if progress is not None and time.perf_counter() - last_progress > 0.2:
                last_progress = time.perf_counter()
                progress({"iteration": it, "relative_gap": (best_P - best_D) / scale(best_P),
                          "elapsed": last_progress - t0, "done": False})
            if it in record_at:
                _record(problem, hist, it, best_P, best_D, P, w_avg, alpha_avg, weight, batch_size is None)
                passes += 1 if batch_size is None else 2
                trace.append(alpha[trace_index].copy())
            if best_P - best_D <= target_gap * scale(best_P):
                # A kernel problem's certificate also charges the factor's residual, q(alpha) (T14):
                # go on while q alone leaves room, stop where it alone fills half the target.
                q = 0.0 if sqrt_e is None else 0.5 * float(best_alpha @ sqrt_e) ** 2
                if best_P - best_D + q <= target_gap * scale(best_P) or 2 * q > target_gap * scale(best_P):
                    status = "optimal"
                    break
            if max_time is not None and time.perf_counter() - t0 > max_time:
                status = "max_time"
                break
        if batch_size is None:
            # v = sum_i theta_i y_i x_i, updated on the points whose theta changed
            # when they are few (late iterations), else recomputed (the violator
            # set can swing on most points early: measured 29k of 50k). A gather of
            # n/64 rows of a column-major X costs about two thirds of the whole
            # product (measured at 100k x 20).
            flipped = theta != theta_prev
            if it % 1000 == 1 or np.count_nonzero(flipped) > n // 64:
                v = X.T @ (y * ctheta)
                passes += 1
            else:
                changed = np.flatnonzero(flipped)
                v = v + X[changed].T @ (yC[changed] * (theta[changed] - theta_prev[changed]))
                passes += changed.size / n
            theta_prev = theta
            g = w - v  # v = sum_i C_i theta_i y_i x_i
            gg = float(g @ g)
            if gg == 0.0:  # w = sum C_i theta_i y_i x_i: an exact optimum
                status = "optimal"
                break
            eta = min(1.0, (P - D) / gg)
            alpha *= 1.0 - eta
            np.multiply(ctheta, eta, out=buf)
            alpha += buf
            w = (1.0 - eta) * w + eta * v
            if extrapolate_every and it % extrapolate_every == 0:
                w, w_snap, mu = _extrapolate(alpha, w, alpha_snap, w_snap, y, C, buf)
                if mu > 0:  # w = Z^T alpha afresh: the move multiplies the rounding both carry by 1 + mu
                    w = X.T @ (y * alpha)
                    passes += 1
                    n_extrapolated += 1
        else:
            idx, inv_rate = next(batches)
            _, theta_b = balanced_violators(y[idx], X[idx] @ w, None if costs is None else costs[idx])
            passes += 2 * batch_size / n
            eta = 2.0 / (it + 2)
            coef = eta * C[idx] * inv_rate * theta_b
            alpha *= 1.0 - eta
            alpha[idx] += coef
            w = (1.0 - eta) * w + X[idx].T @ (y[idx] * coef)
        # Weighted (by t) averaging of the iterates: O(1/T) for strongly convex
        # objectives (Lacoste-Julien, Schmidt & Bach, 2012, arXiv:1212.2002).
        weight += it
        np.multiply(alpha, it, out=buf)
        alpha_avg += buf
        w_avg += it * w
    elapsed = time.perf_counter() - t0
    if weight:
        a_avg = project_dual(alpha_avg / weight, y, C)
        w_bar = w_avg / weight
        P_bar, b_bar = _primal_exact_b(problem, w_bar)
        if P_bar < best_P:
            best_P, best_w, best_b = P_bar, w_bar, b_bar
        D_bar = problem.dual_objective(a_avg)
        passes += 2
        if D_bar > best_D:
            best_D, best_alpha = D_bar, a_avg
    if not hist["iteration"] or hist["iteration"][-1] != it:
        _record(problem, hist, it, best_P, best_D, P, w_avg, alpha_avg, weight, batch_size is None)
        trace.append(alpha[trace_index].copy())
    extras: dict[str, Any] = {
        "history": {k: np.asarray(v) for k, v in hist.items()},
        "alpha_trace": np.asarray(trace), "trace_index": trace_index,
        "batch_size": batch_size, "seed": seed, "target_gap": target_gap, "data_passes": passes,
        "extrapolations": n_extrapolated,
    }
    if progress is not None:
        progress({"iteration": it, "relative_gap": (best_P - best_D) / scale(best_P), "elapsed": elapsed, "done": True})
    return _certified(problem, best_w, best_b, best_alpha, status, it, elapsed, extras, target_gap,
                      "subgradient" if batch_size is None else "stochastic subgradient")


def _certified(
    problem: SVMProblem, w: Array, b: float, alpha: Any, status: str, it: int, elapsed: float,
    extras: dict[str, Any], target_gap: float, method: str,
) -> Solution:
    """The certificate of the method's best answer, with the warning that names the fix when it misses."""
    sol = certificate(
        problem, w, b, alpha,  # certificate() projects alpha (rounding; the stochastic box)
        method=method, status="optimal", iterations=it, solve_time=elapsed, extras=extras, target_gap=target_gap,
    )
    if not sol.success:
        sol.status = status if status != "optimal" else "inaccurate"
        why = "its stopping test passed" if status == "optimal" else f"stopped at {status}"  # optimal: q(alpha), T14
        sol.message = (
            f"{why} ({it} iterations) with its own certified relative gap {sol.relative_gap:.3g} "
            f"> target_gap {target_gap:.3g}; raise max_iter or max_time, loosen target_gap, standardize X if it is not, "
            "or use an exact method (solve_dual, solve_primal) for large C"
        )
        warnings.warn(sol.message, ConvergenceWarning, stacklevel=3)
    return sol


def _primal_exact_b(problem: SVMProblem, w: Array) -> tuple[float, float]:
    """(P(w, b), b) with b the midpoint of argmin_b P(w, .): one data pass."""
    s = problem.X @ w
    b, _ = balanced_violators(problem.y, s, problem.costs if problem.weighted else None)
    return 0.5 * float(w @ w) + float(problem.costs @ np.maximum(0.0, 1.0 - problem.y * (s + b))), b


def _record(
    problem: SVMProblem, hist: dict[str, list[float]], it: int, best_P: float, best_D: float,
    P_last: float, w_avg: Array, alpha_avg: Array, weight: float, full_batch: bool,
) -> None:
    """Append one history row; costs one data pass (two for the stochastic variant)."""
    hist["iteration"].append(it)
    hist["primal"].append(best_P)
    hist["dual"].append(best_D)
    hist["gap"].append(best_P - best_D)
    hist["primal_last"].append(P_last)
    if weight:
        w_bar = w_avg / weight
        P_bar = _primal_exact_b(problem, w_bar)[0]
        if full_batch:  # alpha_bar is feasible and w_bar = Z^T alpha_bar by linearity: no pass
            D_bar = float(alpha_avg.sum()) / weight - 0.5 * float(w_bar @ w_bar)
        else:
            D_bar = problem.dual_objective(project_dual(alpha_avg / weight, problem.y, problem.costs))
    else:
        P_bar, D_bar = P_last, best_D
    hist["primal_avg"].append(P_bar)
    hist["gap_avg"].append(P_bar - D_bar)
