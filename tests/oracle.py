r"""An exact reference for small SVM problems, in :class:`fractions.Fraction`.

The float64 data are converted to fractions exactly, a float solver
(:func:`dualsvm.solve_dual`) proposes the optimal partition (zero, free, at
C), and the KKT equalities of that partition are solved in rational
arithmetic. The result is accepted only if every KKT condition then holds
*exactly* (``proofs/T06``):

* :math:`0 \le \alpha \le C`, :math:`y^\top\alpha = 0`, :math:`w = \sum_i\alpha_i y_i x_i`;
* :math:`\alpha_i = 0 \Rightarrow m_i \ge 1`, :math:`\alpha_i = C \Rightarrow m_i \le 1`,
  :math:`0 < \alpha_i < C \Rightarrow m_i = 1`.

A KKT point is an optimum, and :math:`w^*` is unique (``proofs/T07``), so
this gives :math:`w^*`, :math:`P^*` and the whole optimal bias set
:math:`\arg\min_b P(w^*, b) = [t^*_{(n_+)}, t^*_{(n_++1)}]` (``proofs/T09``)
exactly. When the proposed partition fails the check, its violators are
moved (an exact active-set step) a few times; if that still fails,
:func:`exact_optimum` returns ``None`` and the caller skips the example.

:func:`check` then compares every certified quantity of a
:class:`~dualsvm.Solution` against that truth, in exact arithmetic, and
returns the list of violations (empty when the certificate is right).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction as Fr

import numpy as np

import dualsvm as ds
from dualsvm import Solution, SVMProblem

ZERO, FREE, AT_C = 0, 1, 2


def fr(v: float) -> Fr:
    """The exact rational value of a float (no rounding)."""
    return Fr(float(v))


@dataclass
class Exact:
    """The exact optimum of an :class:`SVMProblem` (all fields rational)."""

    X: list[list[Fr]]
    y: list[int]
    C: Fr
    w: list[Fr]  #: the unique optimal w*
    alpha: list[Fr]  #: one optimal dual point
    b_lo: Fr  #: the optimal bias set is [b_lo, b_hi]
    b_hi: Fr
    P: Fr  #: P*
    partition: list[int]  #: ZERO / FREE / AT_C per point, of ``alpha``
    tries: int  #: partitions tried before one verified

    @property
    def n(self) -> int:
        return len(self.y)

    def dot(self, i: int, w: list[Fr]) -> Fr:
        return sum((a * b for a, b in zip(self.X[i], w, strict=True)), Fr(0))

    def primal(self, w: list[Fr], b: Fr) -> Fr:
        r""":math:`P(w, b)` exactly."""
        hinge = sum((max(Fr(0), 1 - yi * (self.dot(i, w) + b)) for i, yi in enumerate(self.y)), Fr(0))
        return sum((v * v for v in w), Fr(0)) / 2 + self.C * hinge

    def primal_f(self, w: np.ndarray, b: float) -> Fr:
        return self.primal([fr(v) for v in np.asarray(w, dtype=float).reshape(-1)], fr(b))

    def dist2(self, w: np.ndarray) -> Fr:
        r""":math:`\|w - w^*\|^2` exactly, for a float vector."""
        return sum(((fr(a) - b) ** 2 for a, b in zip(np.asarray(w, dtype=float).reshape(-1), self.w, strict=True)), Fr(0))

    def margin_extremes(self, i: int) -> tuple[Fr, Fr]:
        r"""min and max of :math:`m_i^* = y_i(w^{*\top}x_i + b^*)` over the optimal bias set."""
        base = self.y[i] * self.dot(i, self.w)
        ends = (base + self.y[i] * self.b_lo, base + self.y[i] * self.b_hi)
        return min(ends), max(ends)


def _solve(A: list[list[Fr]], rhs: list[Fr], guess: list[Fr]) -> list[Fr] | None:
    """A solution of A x = rhs by Gauss-Jordan elimination in fractions, or None if inconsistent.

    Free variables (rank deficiency) take their value from ``guess``.
    """
    m, k = len(A), len(guess)
    M = [row[:] + [r] for row, r in zip(A, rhs, strict=True)]
    pivots: list[int] = []
    r = 0
    for c in range(k):
        p = next((i for i in range(r, m) if M[i][c] != 0), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        inv = 1 / M[r][c]
        M[r] = [v * inv for v in M[r]]
        for i in range(m):
            if i != r and M[i][c] != 0:
                f = M[i][c]
                M[i] = [a - f * b for a, b in zip(M[i], M[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == m:
            break
    if any(M[i][k] != 0 for i in range(r, m)):  # 0 = nonzero: inconsistent
        return None
    x = guess[:]
    free = [c for c in range(k) if c not in pivots]
    for i, c in enumerate(pivots):
        x[c] = M[i][k] - sum((M[i][j] * guess[j] for j in free), Fr(0))
    return x


def _kkt_point(X, y, C, part, alpha_guess, b_guess):
    """Solve the KKT equalities of ``part``; return (w, b, alpha) or None when inconsistent."""
    n, d = len(y), len(X[0])
    F = [i for i in range(n) if part[i] == FREE]
    U = [i for i in range(n) if part[i] == AT_C]
    wU = [C * sum((y[i] * X[i][j] for i in U), Fr(0)) for j in range(d)]
    # Unknowns (alpha_F, b); w = wU + sum_F alpha_j y_j x_j is substituted.
    A, rhs = [], []
    for i in F:
        xi_wU = sum((X[i][j] * wU[j] for j in range(d)), Fr(0))
        row = [y[i] * y[j] * sum((X[i][c] * X[j][c] for c in range(d)), Fr(0)) for j in F] + [Fr(y[i])]
        A.append(row)
        rhs.append(1 - y[i] * xi_wU)
    A.append([Fr(y[j]) for j in F] + [Fr(0)])
    rhs.append(-C * sum((y[i] for i in U), Fr(0)))
    sol = _solve(A, rhs, [alpha_guess[j] for j in F] + [b_guess])
    if sol is None:
        return None
    alpha = [C if part[i] == AT_C else Fr(0) for i in range(n)]
    for j, v in zip(F, sol[:-1], strict=True):
        alpha[j] = v
    w = [wU[c] + sum((alpha[j] * y[j] * X[j][c] for j in F), Fr(0)) for c in range(d)]
    b = sol[-1]
    if not F:
        # b is not fixed by any equation: take the middle of the b values the signs allow.
        lo, hi = None, None
        for i in range(n):
            t = y[i] - sum((X[i][c] * w[c] for c in range(d)), Fr(0))  # m_i = 1 <=> b = t_i
            # alpha_i = C needs m_i <= 1; alpha_i = 0 needs m_i >= 1: y_i b <= / >= y_i t_i.
            upper = (part[i] == AT_C) == (y[i] > 0)
            if upper:
                hi = t if hi is None else min(hi, t)
            else:
                lo = t if lo is None else max(lo, t)
        if lo is not None and hi is not None:
            b = (lo + hi) / 2
        else:
            b = lo if hi is None else hi
    return w, b, alpha


def _violations(X, y, C, w, b, alpha, part):
    """Indices whose KKT sign condition fails, with the partition each should move to."""
    moves = {}
    for i in range(len(y)):
        m = y[i] * (sum((X[i][c] * w[c] for c in range(len(w))), Fr(0)) + b)
        if part[i] == FREE and alpha[i] < 0:
            moves[i] = ZERO
        elif part[i] == FREE and alpha[i] > C:
            moves[i] = AT_C
        elif part[i] == ZERO and m < 1:
            moves[i] = FREE
        elif part[i] == AT_C and m > 1:
            moves[i] = FREE
    return moves


def exact_optimum(problem: SVMProblem, start: Solution | None = None, *, max_tries: int = 12) -> Exact | None:
    """The exact optimum, from the partition of a float solve; None if no tried partition verifies.

    Starting partitions: read off the float alpha, off the float margins
    (free where |m - 1| <= 1e-9, 1e-6 or 1e-4), and both. From each, up to
    ``max_tries`` exact active-set steps move the violators.
    """
    X = [[fr(v) for v in row] for row in problem.X]
    y = [int(v) for v in problem.y]
    C = fr(problem.C)
    n = len(y)
    sol = start if start is not None else ds.solve_dual(problem)
    a, Cf = sol.alpha, problem.C
    alpha_guess = [fr(v) for v in a]
    m_f = problem.margins(sol.w, sol.b)
    by_alpha = [[AT_C if a[i] >= Cf - tau else (FREE if a[i] > tau else ZERO) for i in range(n)] for tau in (1e-7 * Cf, 1e-13 * Cf)]
    starts = [by_alpha[0]]
    for tol in (1e-9, 1e-6, 1e-4):  # margins of an ill-scaled float solve are less accurate than its gap
        near = np.abs(m_f - 1.0) <= tol
        starts.append([FREE if near[i] else by_alpha[0][i] for i in range(n)])
        starts.append([FREE if near[i] else (AT_C if m_f[i] < 1 else ZERO) for i in range(n)])
    starts.append(by_alpha[1])
    seen: set[tuple[int, ...]] = set()
    for part in starts:
        for _ in range(1, max_tries + 1):
            key = tuple(part)
            if key in seen:
                break
            seen.add(key)
            got = _kkt_point(X, y, C, part, alpha_guess, fr(sol.b))
            if got is None:  # inconsistent equalities: try the next starting partition
                break
            w, b, alpha = got
            box = all(0 <= v <= C for v in alpha)
            balanced = sum((yi * ai for yi, ai in zip(y, alpha, strict=True)), Fr(0)) == 0
            moves = _violations(X, y, C, w, b, alpha, part)
            if box and balanced and not moves:
                ex = Exact(X, y, C, w, alpha, Fr(0), Fr(0), Fr(0), part, len(seen))
                n_pos = sum(1 for v in y if v > 0)
                t = sorted(yi - ex.dot(i, w) for i, yi in enumerate(y))
                ex.b_lo, ex.b_hi = t[n_pos - 1], t[n_pos]
                ex.P = ex.primal(w, ex.b_lo)
                assert ex.b_lo <= b <= ex.b_hi and ex.primal(w, b) == ex.P  # the KKT b is optimal
                assert ex.P == sum(alpha, Fr(0)) - sum((v * v for v in w), Fr(0)) / 2  # D(alpha) = P: no gap
                return ex
            if not balanced:
                break
            part = part[:]
            for i, to in moves.items():
                part[i] = to
    return None


def closed_form_all_at_C(problem: SVMProblem) -> Exact:
    r"""The optimum when :math:`\alpha^* = C` on every point (tiny C, balanced classes), in closed form.

    :math:`w^* = C\sum_i y_i x_i`; it is the optimum iff every margin can be
    :math:`\le 1` at one b (checked exactly here, else AssertionError).
    """
    X = [[fr(v) for v in row] for row in problem.X]
    y = [int(v) for v in problem.y]
    C = fr(problem.C)
    assert sum(y) == 0, "alpha = C everywhere needs balanced classes"
    part = [AT_C] * len(y)
    w, b, alpha = _kkt_point(X, y, C, part, [C] * len(y), Fr(0))
    assert not _violations(X, y, C, w, b, alpha, part), "alpha = C everywhere is not optimal here"
    ex = Exact(X, y, C, w, alpha, Fr(0), Fr(0), Fr(0), part, 0)
    n_pos = sum(1 for v in y if v > 0)
    t = sorted(yi - ex.dot(i, w) for i, yi in enumerate(y))
    ex.b_lo, ex.b_hi = t[n_pos - 1], t[n_pos]
    ex.P = ex.primal(w, ex.b_lo)
    return ex


def check(ex: Exact, sol: Solution, *, tight: bool = False) -> list[str]:
    r"""Every certified claim of ``sol`` against the exact optimum; returns the violations.

    With ``tight`` the certificate must also be informative (for candidates
    whose dual point is built by :func:`dualsvm.certify`): radius at most
    ``4 sqrt(2 (P(w,b) - P*) + 2e-10 max(1, P*)) + 1e-7`` (the dual point is
    an interior-point solve at tolerance 1e-10, polished exactly only when the
    partition's minimum-norm KKT solution stays in the box) and a b interval at most ``4 r R + 1e-6``
    wider than the exact optimal set (its ends are order statistics of
    :math:`t_i \pm \rho_i`, and each :math:`t_i` is within :math:`r\|x_i\|` of :math:`t_i^*`).
    """
    bad: list[str] = []
    subopt = ex.primal_f(sol.w, sol.b) - ex.P
    assert subopt >= 0, "exact optimum beaten: the oracle is wrong"
    G = fr(sol.duality_gap)
    if not G >= subopt:
        bad.append(f"duality_gap {float(G):.3e} < P(w,b) - P* = {float(subopt):.3e}")
    r = fr(sol.radius)
    d2 = ex.dist2(sol.w)
    if not r * r >= d2:
        bad.append(f"radius {sol.radius:.3e} < |w - w*| = {math.sqrt(float(d2)):.3e}")
    B_lo, B_hi = fr(sol.b_interval[0]), fr(sol.b_interval[1])
    if not (B_lo <= ex.b_lo and ex.b_hi <= B_hi):
        bad.append(f"b_interval {sol.b_interval} does not contain [{float(ex.b_lo)}, {float(ex.b_hi)}]")
    m_lo, m_hi = sol.margin_range
    non, bound, margin = set(sol.non_support.tolist()), set(sol.bound_support.tolist()), set(sol.margin_support.tolist())
    und = set(sol.undecided.tolist())
    if sorted(non | bound | margin | und) != list(range(ex.n)) or len(non) + len(bound) + len(margin) + len(und) != ex.n:
        bad.append("labels are not a partition of the points")
    for i in range(ex.n):
        lo_i, hi_i = ex.margin_extremes(i)
        ml, mh = fr(m_lo[i]), fr(m_hi[i])
        if not (ml <= lo_i and hi_i <= mh):
            bad.append(f"point {i}: margin_range [{m_lo[i]!r}, {m_hi[i]!r}] misses optimal margins [{float(lo_i)!r}, {float(hi_i)!r}]")
        if i in non and not lo_i > 1:
            bad.append(f"point {i} labelled non_support but an optimal margin is {float(lo_i)!r} <= 1")
        if i in non and ex.alpha[i] != 0:
            bad.append(f"point {i} labelled non_support but an optimal alpha is {float(ex.alpha[i])!r}")
        if i in bound and not hi_i < 1:
            bad.append(f"point {i} labelled bound_support but an optimal margin is {float(hi_i)!r} >= 1")
        if i in bound and ex.alpha[i] != ex.C:
            bad.append(f"point {i} labelled bound_support but an optimal alpha is {float(ex.alpha[i])!r}")
        if i in margin:
            width = mh - ml
            if not (max(abs(lo_i - 1), abs(hi_i - 1)) <= width <= fr(sol.margin_tol)):
                bad.append(f"point {i} labelled margin_support: |m* - 1| up to {float(max(abs(lo_i - 1), abs(hi_i - 1)))!r}, width {float(width)!r}")
    if sol.margin_support.size:
        widths = [fr(m_hi[i]) - fr(m_lo[i]) for i in sol.margin_support]
        if not fr(sol.margin_width) >= max(widths) * (1 - Fr(1, 2**50)):
            bad.append(f"margin_width {sol.margin_width!r} below a margin_support width {float(max(widths))!r}")
    if tight:
        bound_r = 4 * math.sqrt(2 * float(subopt) + 2e-10 * max(1.0, float(ex.P))) + 1e-7
        if not sol.radius <= bound_r:
            bad.append(f"radius {sol.radius:.3e} not informative: > 4 sqrt(2 (P - P*) + 2e-10 max(1, P*)) = {bound_r:.3e}")
        R = max(math.sqrt(float(sum((v * v for v in row), Fr(0)))) for row in ex.X)
        slack = 4 * sol.radius * R * (1 + 1e-6) + 1e-6
        if not float(B_hi - B_lo) <= float(ex.b_hi - ex.b_lo) + slack:
            bad.append(f"b_interval {sol.b_interval} is wider than the optimal set by more than 4 r R")
    return bad
