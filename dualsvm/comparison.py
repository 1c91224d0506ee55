r"""Solve one problem several ways and certify whether the answers agree.

Every dual point found by any method is a valid lower bound, so the best one,
:math:`D_{best} = \max_k D(\alpha_k)`, tightens every method's certified gap
:math:`G_k \ge P(w_k, b_k) - P^*` and radius :math:`r_k = \sqrt{2G_k}`: that
is the one certified gap reported per method. Certificates then imply
(``proofs/T06``, ``T09``, ``T10``):

* :math:`\|w_i - w_j\| \le r_i + r_j` (triangle inequality through :math:`w^*`);
* the certified b intervals intersect, and so do the certified ranges of
  every optimal margin;
* no point is certified non-support by one method and bound by another;
* where two methods predict differently, at least one of them has a
  certified margin range containing 0 (its sign is not certified);
* at every point :math:`x`, :math:`|f_i(x) - f_j(x)| \le \beta_i(x) + \beta_j(x)`,
  where :math:`\beta_k(x) = r_k\sqrt{k(x, x)} + \max(b_k - B_{lo}, B_{hi} - b_k)`
  (:math:`[B_{lo}, B_{hi}]` its certified b interval) is method k's pointwise
  band (:func:`pointwise_band`; ``proofs/T14``, and for the linear kernel
  :math:`\sqrt{k(x, x)} = \|x\|`), checked on the training points and, for
  2-D data, on a grid over the data's padded bounding box.

A failure of any of these is a certificate bug: verdict **DISAGREE**, and
:class:`CertificateViolation` unless ``strict=False``. Otherwise the verdict
is **AGREE** when every method met its own target (its status is a success
and its certified relative gap is within its target) and **INCONCLUSIVE**
when one did not: a budget stopped it, or its gap is above target. Such a
bound holds only because the failed method's radius is large, so it is not
agreement.
"""

from __future__ import annotations

import inspect
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .certificates import certificate
from .dual import solve_dual
from .exceptions import ConvergenceWarning, DualSVMError
from .feasibility import project_dual
from .ipm import solve_ipm
from .operators import blas_threads
from .primal import solve_primal
from .problem import SVMProblem, check_target_gap
from .solution import SUCCESS_STATUSES, Solution
from .subgradient import solve_subgradient

__all__ = ["compare", "Comparison", "CertificateViolation", "METHODS", "VERDICTS", "REFERENCE", "pointwise_band",
           "decision_values", "band_grid", "BAND_GRID"]

Array = NDArray[np.float64]
_U = np.finfo(np.float64).eps / 2

#: Points per side of the grid on which :func:`compare` evaluates the band for 2-D data.
BAND_GRID = 50
#: The grid extends beyond the data's bounding box by this fraction of each side.
BAND_PAD = 0.1

#: The verdicts of :func:`compare`, and the exit code ``dualsvm compare`` gives each.
VERDICTS: dict[str, int] = {"AGREE": 0, "DISAGREE": 1, "INCONCLUSIVE": 3}


class CertificateViolation(AssertionError):
    """Two certified answers are farther apart than their radii allow: a bug."""


def _stochastic(problem: SVMProblem, **kw: Any) -> Solution:
    kw.setdefault("batch_size", min(256, max(2, problem.n // 4)))
    kw.setdefault("target_gap", 1e-2)
    return solve_subgradient(problem, **kw)


#: ``Comparison.best_dual_method`` when the best dual point is the reference one of :func:`compare`.
REFERENCE = "ipm (reference dual point)"

#: The methods whose target is a loose relative gap (``target_gap``), not the exact methods' 1e-8.
FIRST_ORDER = frozenset({"subgradient", "stochastic"})

#: Method name -> solver. "stochastic" is the mini-batch subgradient variant.
METHODS: dict[str, Callable[..., Solution]] = {
    "primal": solve_primal,
    "dual": solve_dual,
    "subgradient": solve_subgradient,
    "stochastic": _stochastic,
    "ipm": solve_ipm,
}


@dataclass
class Comparison:
    """The cross-certified comparison of several methods on one problem.

    Attributes
    ----------
    problem : SVMProblem
        The problem every method solved.
    solutions : dict of str to Solution
        Each method's answer certified against the best dual point
        (``best_dual``): its ``relative_gap`` is the one certified gap of
        that method, everywhere (table, JSON, progress).
    raw : dict of str to Solution
        Each method's answer as returned, with the certificate of its *own*
        dual point (``self_certified_gap`` in the JSON): looser or equal.
    targets : dict of str to float
        Each method's own target relative gap.
    met_target : dict of str to bool
        The method's status is a success and its certified gap is within its target.
    best_dual : float
        :math:`D_{best} = \\max_k D(\\alpha_k)`, from method ``best_dual_method``.
    best_dual_method : str
        The method whose dual point gives ``best_dual``; every answer in
        ``solutions`` is certified with that dual point. :data:`REFERENCE` when it
        is the reference dual point :func:`compare` computes with
        :func:`~dualsvm.solve_ipm` when every method run is first-order.
    pairs : list of dict
        Per pair: ``distance`` :math:`\\|w_i - w_j\\|`, ``bound`` :math:`r_i + r_j`,
        ``max_decision_diff`` :math:`\\max_x |f_i(x) - f_j(x)|` on the data,
        ``n_prediction_disagreements``, ``n_unexplained_predictions`` (points
        where both methods certify opposite signs of :math:`f^*`: a violation),
        ``support_diff`` (points in the symmetric difference of the certified
        support sets, both decided) and ``support_diff_margins``; and the pointwise band check
        :math:`|f_i(x) - f_j(x)| \\le \\beta_i(x) + \\beta_j(x)` (:func:`pointwise_band`):
        ``band_bound`` (the largest :math:`\\beta_i + \\beta_j` over the data), and for 2-D data
        ``max_decision_diff_grid`` and ``band_bound_grid``, the same over the grid (None otherwise).
    violations : list of str
        Broken certificate implications (empty unless ``verdict == "DISAGREE"``).
    verdict : str
        ``"AGREE"``, ``"DISAGREE"`` or ``"INCONCLUSIVE"`` (:data:`VERDICTS`).
    summary : str
        One paragraph saying why.
    warnings : dict of str to str
        Convergence warnings issued by a method.
    bands : dict of str to dict
        Per method its certified pointwise band :math:`\\beta(x) \\ge |f(x) - f^*(x)|`
        (:func:`pointwise_band`): ``data``, the largest over the training points; ``grid``,
        the largest over the grid (None unless the data is 2-D); ``grid_sign_certified``, the
        fraction of grid points where :math:`|f(x)| > \\beta(x)`, so the sign of :math:`f^*(x)`
        is certified (None unless 2-D).
    grid : dict or None
        The grid of 2-D data (:func:`band_grid`): ``size`` per side, ``lo`` and ``hi`` corners.
    """

    problem: SVMProblem
    solutions: dict[str, Solution]
    raw: dict[str, Solution]
    targets: dict[str, float]
    met_target: dict[str, bool]
    best_dual: float
    best_dual_method: str
    pairs: list[dict[str, Any]]
    violations: list[str]
    verdict: str
    summary: str
    warnings: dict[str, str] = field(default_factory=dict)
    bands: dict[str, dict[str, Any]] = field(default_factory=dict)
    grid: dict[str, Any] | None = None

    @property
    def agree(self) -> bool:
        """True only for the verdict AGREE."""
        return self.verdict == "AGREE"

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python report for JSON.

        Returns
        -------
        dict of str to object
            ``problem`` (n, d, C, classes), ``best_dual``, ``methods`` (per method its
            cross-certified :meth:`Solution.to_dict` with its own status, target and
            ``self_certified_gap``), ``pairs``, ``agree``, ``verdict``, ``summary``,
            ``violations``, ``warnings`` and ``band`` (``methods``: :attr:`bands`; ``grid``).
        """
        return {
            "problem": {"n": self.problem.n, "d": self.problem.d, "C": self.problem.C,
                        "classes": [str(c) for c in self.problem.classes]},
            "best_dual": self.best_dual, "best_dual_method": self.best_dual_method,
            "methods": {
                k: {**s.to_dict(), "target_gap": self.targets[k], "met_target": self.met_target[k],
                    "status": self.raw[k].status, "success": bool(self.raw[k].success),
                    "self_certified_gap": self.raw[k].relative_gap, "self_certified_message": self.raw[k].message}
                for k, s in self.solutions.items()
            },
            "pairs": [{**p, "support_diff": [int(i) for i in p["support_diff"]],
                       "support_diff_margins": {k: [float(v) for v in vals] for k, vals in p["support_diff_margins"].items()}}
                      for p in self.pairs],
            "agree": self.agree, "verdict": self.verdict, "summary": self.summary,
            "violations": list(self.violations), "warnings": dict(self.warnings),
            "band": {"methods": {k: dict(v) for k, v in self.bands.items()},
                     "grid": None if self.grid is None else dict(self.grid)},
        }

    def __str__(self) -> str:
        p = self.problem
        head = f"dualsvm compare: n={p.n}, d={p.d}, C={p.C:g}, best lower bound D={self.best_dual:.10g} ({self.best_dual_method})"
        cols = ("method", "status", "objective", "certified gap", "target", "radius", "b interval",
                "margin", "bound", "non-SV", "undec.", "iter", "time")
        rows = []
        for k, s in self.solutions.items():
            rows.append((
                k, self.raw[k].status, f"{s.primal_objective:.10g}", f"{s.relative_gap:.1e}", f"{self.targets[k]:.3g}",
                f"{s.radius:.1e}", f"[{s.b_interval[0]:.6g}, {s.b_interval[1]:.6g}]", str(s.margin_support.size),
                str(s.bound_support.size), str(s.non_support.size), str(s.undecided.size),
                str(s.iterations), f"{self.raw[k].solve_time:.2f}s" if np.isfinite(self.raw[k].solve_time) else "-",
            ))
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
        fmt = _row_format(widths)
        lines = [head, "", fmt.format(*cols), fmt.format(*("-" * w for w in widths))]
        lines += [fmt.format(*r) for r in rows]
        lines.append("")
        pcols = ("pair", "|w_i - w_j|", "bound r_i+r_j", "max |f_i-f_j|", "pred. diff", "support diff")
        prow = [(f"{q['a']} vs {q['b']}", f"{q['distance']:.2e}", f"{q['bound']:.2e}",
                 f"{q['max_decision_diff']:.2e}", str(q["n_prediction_disagreements"]), str(len(q["support_diff"])))
                for q in self.pairs]
        pw = [max(len(c), *(len(r[i]) for r in prow)) if prow else len(c) for i, c in enumerate(pcols)]
        pfmt = _row_format(pw)
        lines += [pfmt.format(*pcols), pfmt.format(*("-" * w for w in pw))]
        lines += [pfmt.format(*r) for r in prow]
        for q in self.pairs:
            for j, i in enumerate(q["support_diff"][:10]):
                ms = ", ".join(f"{k}: m={v[j]:.4f}" for k, v in q["support_diff_margins"].items())
                lines.append(f"  point {i} differs ({q['a']} vs {q['b']}): {ms}")
        lines += self._band_lines()
        for k in self.warnings:
            r, s = self.raw[k], self.solutions[k]
            lines.append(f"note: {k} stopped with status {r.status} after {r.iterations} iterations; certified gap "
                         f"{s.relative_gap:.1e} (its own dual point alone certifies {r.relative_gap:.1e}), target "
                         f"{self.targets[k]:.3g}")
        lines += ["", f"{self.verdict}: {self.summary}"]
        return "\n".join(lines)

    def _band_lines(self) -> list[str]:
        """The band table: per method its largest band, per pair the observed difference beside the bound.

        The grid columns appear only when there is a grid (2-D data).
        """
        if not self.bands:
            return []
        g = self.grid

        def table(cols: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
            w = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
            fmt = _row_format(w)
            return [fmt.format(*cols), fmt.format(*("-" * x for x in w))] + [fmt.format(*r) for r in rows]

        grid = f"grid {g['size']}x{g['size']}" if g else ""
        cols: tuple[str, ...] = ("method", "band on the data")
        rows = [(k, f"{v['data']:.2e}") for k, v in self.bands.items()]
        if g:
            cols += (f"on the {grid}", "sign of f* certified on the grid")
            rows = [r + (f"{v['grid']:.2e}", f"{math.floor(1000 * v['grid_sign_certified']) / 10:.1f}%")
                    for r, v in zip(rows, self.bands.values(), strict=True)]
        out = ["", "pointwise band: |f(x) - f*(x)| <= band(x) = r sqrt(k(x, x)) + b width at every x; the largest shown",
               *table(cols, rows)]
        if self.pairs:
            pcols: tuple[str, ...] = ("pair", "data: max |f_i-f_j|", "<= max band_i+band_j")
            prow = [(f"{q['a']} vs {q['b']}", f"{q['max_decision_diff']:.2e}", f"{q['band_bound']:.2e}") for q in self.pairs]
            if g:
                pcols += (f"{grid}: max |f_i-f_j|", "<= max band_i+band_j")
                prow = [r + (f"{q['max_decision_diff_grid']:.2e}", f"{q['band_bound_grid']:.2e}")
                        for r, q in zip(prow, self.pairs, strict=True)]
            out += ["", *table(pcols, prow)]
        return out


def _row_format(widths: list[int]) -> str:
    """First column left-aligned, the rest right-aligned."""
    return "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))


def _gamma(k: int) -> float:
    """Higham's :math:`\\gamma_k = ku/(1-ku)`: the relative rounding of a k-term dot product."""
    return k * _U / (1.0 - k * _U)


def _check_points(problem: SVMProblem, X: ArrayLike, name: str) -> Array:
    """New points in the problem's original feature space, validated."""
    factor = problem.kernel_factor
    if factor is not None and factor.kernel == "precomputed":
        raise DualSVMError(f"{name} cannot be evaluated at new points for kernel='precomputed' (there are no points); "
                           "use dualsvm.kernels.pointwise_bound with kxx=, or X=None for the training points")
    d0 = problem.d if factor is None else factor.X_train.shape[1]
    X_ = np.asarray(X, dtype=np.float64)
    if X_.ndim != 2 or X_.shape[1] != d0:
        raise DualSVMError(f"X must have shape (m, {d0}) (the problem's original features), got {X_.shape}")
    if not np.all(np.isfinite(X_)):
        raise DualSVMError(f"X must be finite, got {int(np.count_nonzero(~np.isfinite(X_)))} NaN or infinite values")
    return X_


def _sqrt_kxx(problem: SVMProblem, X: Array | None) -> Array:
    r""":math:`\sqrt{k(x, x)}`: :math:`\|x\|` for the linear kernel, else from an upper bound on the kernel's diagonal."""
    factor = problem.kernel_factor
    if factor is None:
        return problem.operator().row_norms() if X is None else np.sqrt(np.einsum("ij,ij->i", X, X))
    return np.sqrt(np.maximum(factor.kernel_diag(X, upper=True), 0.0))


def _band(solution: Solution, sqrt_k: Array, d: int) -> Array:
    r""":math:`(r\sqrt{k(x, x)} + \text{b width})`, rounded up (the norm or kernel value within :math:`\gamma_{d+8}`)."""
    lo, hi = solution.b_interval
    b = float(solution.b)
    width = max(b - lo, hi - b, 0.0)  # |b - b*| for every optimal b*, which lies in the b interval
    return (float(solution.radius) * sqrt_k + width) * (1.0 + _gamma(d + 8))


def pointwise_band(problem: SVMProblem, solution: Solution, X: ArrayLike | None = None) -> Array:
    r"""The certified band :math:`|f(x) - f^*(x)| \le \beta(x)` around an answer's decision function.

    .. math::

        \beta(x) = \sqrt{2G}\,\sqrt{k(x, x)} + \max(b - B_{lo},\ B_{hi} - b),

    with :math:`\sqrt{2G}` = ``solution.radius`` (:math:`\|f - f^*\|_{\mathcal H} \le \sqrt{2G}`, so
    :math:`|\langle f - f^*, k(x, \cdot)\rangle| \le \sqrt{2G}\sqrt{k(x, x)}` by Cauchy–Schwarz) and
    :math:`[B_{lo}, B_{hi}]` = ``solution.b_interval``, which holds every optimal :math:`b^*`
    (``proofs/T14``). For the linear kernel :math:`\sqrt{k(x, x)} = \|x\|`, the same formula;
    for a kernel it is the bound of :func:`dualsvm.kernels.pointwise_bound` (this one rounds up by
    :math:`\gamma_{d+8}` rather than :math:`4u`, to cover the norm's rounding). Where
    :math:`|f(x)| > \beta(x)` the sign of :math:`f^*(x)`, the optimal prediction, is certified.

    Parameters
    ----------
    problem : SVMProblem
        The problem, linear or with a kernel.
    solution : Solution
        A certified answer for ``problem`` (its ``radius`` and ``b_interval`` are used).
    X : array_like of shape (m, d0), optional
        Points in the problem's original feature space (not the kernel factor's); default: the
        training points. Not available for ``kernel="precomputed"``, which has no points.

    Returns
    -------
    ndarray of shape (m,)
        :math:`\beta(x)` at each point, rounded up.

    Raises
    ------
    DualSVMError
        If ``X`` has the wrong number of columns or is not finite, or the kernel is precomputed.
    """
    X_ = None if X is None else _check_points(problem, X, "pointwise_band")
    d0 = problem.d if problem.kernel_factor is None else problem.kernel_factor.X_train.shape[1]
    return _band(solution, _sqrt_kxx(problem, X_), d0)


def decision_values(problem: SVMProblem, solution: Solution, X: ArrayLike | None = None) -> Array:
    r"""An answer's decision function :math:`f(x)` at points of the original feature space.

    :math:`f(x) = w^\top x + b` for a linear problem and :math:`\varphi(x)^\top w + b` (the Nyström
    map of the kernel factor, :meth:`~dualsvm.kernels.KernelFactor.decision_function`) with a kernel.

    Parameters
    ----------
    problem : SVMProblem
        The problem, linear or with a kernel.
    solution : Solution
        An answer for ``problem``.
    X : array_like of shape (m, d0), optional
        Points in the original feature space; default: the training points (then :math:`f(x_i) = y_i m_i`).

    Returns
    -------
    ndarray of shape (m,)
        :math:`f(x_j)`.

    Raises
    ------
    DualSVMError
        If ``X`` has the wrong number of columns or is not finite, or the kernel is precomputed.
    """
    if X is None:
        return problem.operator().matvec(solution.w) + float(solution.b)
    X_ = _check_points(problem, X, "decision_values")
    if problem.kernel_factor is None:
        return X_ @ solution.w + float(solution.b)
    return problem.kernel_factor.decision_function(solution.w, solution.b, X_)


def band_grid(problem: SVMProblem, size: int = BAND_GRID, pad: float = BAND_PAD) -> Array | None:
    """A ``size`` × ``size`` grid over the padded bounding box of 2-D training data.

    Parameters
    ----------
    problem : SVMProblem
        The problem; its original points are used (not the kernel factor's rows).
    size : int, default :data:`BAND_GRID`
        Points per side, at least 2.
    pad : float, default :data:`BAND_PAD`
        The box extends beyond the data by this fraction of each side (by ``pad`` itself when a side is 0).

    Returns
    -------
    ndarray of shape (size * size, 2) or None
        The grid points, first coordinate fastest (``numpy.meshgrid``'s "xy" order, flattened);
        None unless the original data has two features (and for ``kernel="precomputed"``).

    Raises
    ------
    DualSVMError
        If ``size`` is not an integer >= 2 or ``pad`` is not a finite number >= 0.
    """
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 2:
        raise DualSVMError(f"band_grid size must be an integer >= 2, got {size!r}")
    if isinstance(pad, bool) or not isinstance(pad, (int, float, np.floating, np.integer)) or not np.isfinite(pad) or pad < 0:
        raise DualSVMError(f"band_grid pad must be a finite number >= 0, got {pad!r}")
    factor = problem.kernel_factor
    if factor is None:
        if problem.d != 2:
            return None
        X = problem.X.toarray() if problem.sparse else np.asarray(problem.X)
    else:
        if factor.kernel == "precomputed" or factor.X_train.shape[1] != 2:
            return None
        X = factor.X_train
    lo, hi = X.min(axis=0), X.max(axis=0)
    side = np.where(hi > lo, hi - lo, 1.0) * float(pad)
    xs, ys = (np.linspace(lo[j] - side[j], hi[j] + side[j], int(size)) for j in (0, 1))
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def _check_grid_size(grid_size: Any) -> int:
    if isinstance(grid_size, bool) or not isinstance(grid_size, (int, np.integer)) or grid_size == 1 or grid_size < 0:
        raise DualSVMError(f"grid_size must be 0 (no grid) or an integer >= 2, got {grid_size!r}")
    return int(grid_size)


def _band_values(problem: SVMProblem, sols: dict[str, Solution], grid: Array | None) -> dict[str, dict[str, Any]]:
    """Per place ("data", "grid") the points' feature norms and each method's f and band, for compare."""
    factor = problem.kernel_factor
    d0 = problem.d if factor is None else factor.X_train.shape[1]
    places: dict[str, dict[str, Any]] = {}
    # ||phi(x)|| of the features actually multiplied (x itself, or a row of L, or the computed Nystrom map):
    # the pair check bounds |phi^T (w_i - w_j)| through it, so rounding in phi cannot raise a false alarm.
    norms = problem.operator().row_norms()
    places["data"] = {"sqrt_k": _sqrt_kxx(problem, None), "phi_norm": norms, "rank": problem.d,
                      "f": {k: problem.y * s.margins for k, s in sols.items()}}
    if grid is not None:
        F = grid if factor is None else factor.feature_map(grid)
        places["grid"] = {"sqrt_k": _sqrt_kxx(problem, grid), "phi_norm": np.sqrt(np.einsum("ij,ij->i", F, F)),
                          "rank": F.shape[1], "f": {k: F @ s.w + float(s.b) for k, s in sols.items()}}
    for v in places.values():
        v["band"] = {k: _band(s, v["sqrt_k"], d0) for k, s in sols.items()}
    return places


def _band_pair(places: dict[str, dict[str, Any]], a: str, sa: Solution, b: str, sb: Solution
               ) -> tuple[dict[str, Any], list[str]]:
    r"""Check :math:`|f_a(x) - f_b(x)| \le \beta_a(x) + \beta_b(x)` at every point of every place."""
    rep: dict[str, Any] = {"band_bound": None, "max_decision_diff_grid": None, "band_bound_grid": None}
    bad: list[str] = []
    for where, v in places.items():
        diff = np.abs(v["f"][a] - v["f"][b])
        bound = v["band"][a] + v["band"][b]
        # Arithmetic, not slack: the computed features may be longer than sqrt(k(x, x)) by rounding, and
        # each f carries gamma_{r+2} (|phi| |w| + |b|) of its own rounding.
        phi = v["phi_norm"]
        allowance = ((sa.radius + sb.radius) * np.maximum(phi - v["sqrt_k"], 0.0)
                     + _gamma(v["rank"] + 2) * (phi * (np.linalg.norm(sa.w) + np.linalg.norm(sb.w))
                                                + abs(sa.b) + abs(sb.b)))
        over = np.flatnonzero(diff > (bound + allowance) * (1.0 + 2 * _U))
        if over.size:
            i = int(over[np.argmax(diff[over] - bound[over])])
            bad.append(f"{a} and {b} differ by {diff[i]:.3e} at {'training point' if where == 'data' else 'grid point'} "
                       f"{i}, more than their pointwise bands allow ({bound[i]:.3e}), at {over.size} point(s)")
        key = "" if where == "data" else "_grid"
        rep[f"band_bound{key}"] = float(bound.max())
        if where == "grid":
            rep["max_decision_diff_grid"] = float(diff.max())
    return rep, bad


def _pair(problem: SVMProblem, a: str, sa: Solution, b: str, sb: Solution) -> tuple[dict[str, Any], list[str]]:
    """Compare two certified answers; return the pair's report and the implications it breaks."""
    bad: list[str] = []
    dist = float(np.linalg.norm(sa.w - sb.w))
    bound = sa.radius + sb.radius
    if dist > bound:
        bad.append(f"{a} and {b} are {dist:.3e} apart but certified within {bound:.3e}")
    if max(sa.b_interval[0], sb.b_interval[0]) > min(sa.b_interval[1], sb.b_interval[1]):
        bad.append(f"the certified b intervals of {a} {sa.b_interval} and {b} {sb.b_interval} are disjoint")
    (lo_a, hi_a), (lo_b, hi_b) = sa.margin_range, sb.margin_range
    disjoint = np.flatnonzero(np.maximum(lo_a, lo_b) > np.minimum(hi_a, hi_b))
    if disjoint.size:
        bad.append(f"certified optimal-margin ranges of {a} and {b} are disjoint at points {disjoint[:10].tolist()}")
    clash = np.union1d(np.intersect1d(sa.non_support, sb.bound_support), np.intersect1d(sa.bound_support, sb.non_support))
    if clash.size:
        bad.append(f"points {clash[:10].tolist()} are certified non-support by one of {a}, {b} and bound by the other")
    fa, fb = problem.y * sa.margins, problem.y * sb.margins  # f = y m, since m = y f and y = +-1
    differ = np.flatnonzero((fa > 0) != (fb > 0))  # as predict() reads f: +1 when f > 0, else -1
    # f*(x_i) = y_i m_i^*: a method certifies the sign when its margin range excludes 0.
    cert_a = (lo_a[differ] > 0) | (hi_a[differ] < 0)
    cert_b = (lo_b[differ] > 0) | (hi_b[differ] < 0)
    unexplained = differ[cert_a & cert_b]
    if unexplained.size:
        bad.append(f"{a} and {b} both certify opposite predictions at points {unexplained[:10].tolist()}")
    decided = np.setdiff1d(np.arange(problem.n), np.union1d(sa.undecided, sb.undecided))
    diff = np.intersect1d(np.setxor1d(sa.support, sb.support), decided)
    report = {
        "a": a, "b": b, "distance": dist, "bound": bound,
        "max_decision_diff": float(np.max(np.abs(fa - fb))),
        "n_prediction_disagreements": int(differ.size),
        "n_unexplained_predictions": int(unexplained.size),
        "support_diff": diff,
        "support_diff_margins": {a: sa.margins[diff], b: sb.margins[diff]},
        "n_undecided": int(problem.n - decided.size),
    }
    return report, bad


def compare(
    problem: SVMProblem,
    *,
    methods: Sequence[str] = ("primal", "dual", "subgradient"),
    target_gap: float | None = None,
    max_iter: int | None = None,
    max_time: float | None = None,
    options: dict[str, dict[str, Any]] | None = None,
    progress: Callable[[str], None] | None = None,
    strict: bool = True,
    tol: float | None = None,
    grid_size: int = BAND_GRID,
) -> Comparison:
    r"""Run each method on ``problem``, cross-certify, and give a verdict.

    Every method's dual point is feasible, so the best one,
    :math:`\alpha_{best} = \arg\max_k D(\alpha_k)` (a reference point of
    :func:`~dualsvm.solve_ipm` included when every method is first-order, see below), certifies every answer
    :math:`(w_k, b_k)`: its gap and radius

    .. math::

       G_k \ge P(w_k, b_k) - P^*, \qquad \|w_k - w^*\| \le r_k = \sqrt{2 G_k},

    hold in exact arithmetic, so by the triangle inequality through the unique
    :math:`w^*` every pair must satisfy

    .. math:: \|w_i - w_j\| \le r_i + r_j,

    and their certified b intervals and margin ranges must intersect, and no point may be
    certified non-support by one method and bound support by another. The verdict:

    * **DISAGREE** if any of these implications fails: a certificate is wrong (a bug);
    * **AGREE** if none fails and every method met its own target, a success status and
      :math:`G_k / \max(1, |P(w_k, b_k)|) \le` its target relative gap;
    * **INCONCLUSIVE** if none fails but some method missed its target: the bound it
      satisfies may hold only because its radius :math:`r_k` is large.

    When every method run is first-order (subgradient, stochastic), no answer
    is exact enough to serve as the reference dual point, so the fastest
    exact method, :func:`~dualsvm.solve_ipm`, is run once for one (about 20
    data passes): each answer then gets its tightest certified gap,
    :math:`P(w_k, b_k) - D(\alpha_{ipm})`.

    Parameters
    ----------
    problem : SVMProblem
        The problem to solve, validated once and shared by every method.
    methods : sequence of str
        Names from :data:`METHODS`; at least one, no repeats.
    target_gap : float, optional
        Target relative gap of the first-order methods (subgradient,
        stochastic); the exact methods keep their own (1e-8).
    max_iter : int, optional
        Iteration budget passed to every method that has one. A method stopped
        by it makes the verdict INCONCLUSIVE.
    max_time : float, optional
        Wall-clock budget in seconds, passed to every method that has one
        (all but ``"ipm"``); a method stopped by it makes the verdict INCONCLUSIVE.
    options : dict, optional
        Extra keyword arguments per method, e.g. ``{"subgradient": {"max_iter": 10**5}}``.
    progress : callable, optional
        Called with a short message before and after each method.
    strict : bool, default True
        Raise :class:`CertificateViolation` on the verdict DISAGREE (a bug);
        with ``False`` the :class:`Comparison` carries it instead.
    tol : float, optional
        Deprecated alias of ``target_gap``.
    grid_size : int, default :data:`BAND_GRID`
        For 2-D data, the pointwise band (:func:`pointwise_band`) is also evaluated and checked on a
        ``grid_size`` × ``grid_size`` grid over the padded bounding box (:func:`band_grid`); 0 turns it off.

    Returns
    -------
    Comparison
        The cross-certified answers, the per-pair distances and bounds, the
        verdict and a one-paragraph summary of why.

    Raises
    ------
    DualSVMError
        For an unknown method name or option.
    CertificateViolation
        If ``strict`` and a certificate implication is broken.
    """
    if tol is not None or target_gap is not None:
        target_gap = check_target_gap(target_gap, tol, "compare")
    _check_grid_size(grid_size)
    methods = list(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods or len(set(methods)) != len(methods):
        why = f"unknown {unknown}" if unknown else ("none given" if not methods else "a name repeated")
        raise DualSVMError(f"methods must be distinct names from {sorted(METHODS)}, got {methods} ({why})")
    options = dict(options or {})
    bad_opts = sorted(set(options) - set(methods))
    if bad_opts:
        raise DualSVMError(f"options given for methods not run: {bad_opts}")
    raw: dict[str, Solution] = {}
    caught: dict[str, str] = {}
    targets: dict[str, float] = {}
    for m in methods:
        kw = dict(options.get(m, {}))
        fn = METHODS[m]
        params = inspect.signature(fn).parameters
        if target_gap is not None and m in FIRST_ORDER:
            kw.setdefault("target_gap", target_gap)
        for name, value in (("max_iter", max_iter), ("max_time", max_time)):
            if value is not None and (name in params or m in FIRST_ORDER):
                kw.setdefault(name, value)
        if progress is not None:
            progress(f"running {m} ...")
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always", ConvergenceWarning)
            raw[m] = fn(problem, **kw)
        for w in rec:
            if issubclass(w.category, ConvergenceWarning):
                caught[m] = str(w.message)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        targets[m] = float(raw[m].extras.get("target_gap", kw.get("target_gap", params["target_gap"].default
                                                                      if "target_gap" in params else 1e-8)))
        if progress is not None:
            progress(f"  {m}: {raw[m].status}, own certified gap {raw[m].relative_gap:.1e} "
                     f"in {time.perf_counter() - t0:.2f}s (cross-certified in the table)")
    reference = None
    if all(m in FIRST_ORDER for m in methods):
        # No exact answer to take a dual point from: the fastest exact method gives one
        # (about 20 data passes), so that each first-order answer gets its tightest gap.
        if progress is not None:
            progress("running ipm for a reference dual point ...")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # an inexact dual point is still a valid one
            reference = solve_ipm(problem).alpha
    return compare_solutions(problem, raw, targets=targets, warnings_=caught, strict=strict, reference=reference,
                             grid_size=grid_size)


def compare_solutions(
    problem: SVMProblem,
    raw: dict[str, Solution],
    *,
    targets: dict[str, float],
    warnings_: dict[str, str] | None = None,
    strict: bool = True,
    reference: Array | None = None,
    grid_size: int = BAND_GRID,
) -> Comparison:
    """Cross-certify already computed answers and give the verdict (the second half of :func:`compare`).

    ``reference`` is a further dual point (the ``alpha`` of an exact method not
    among ``raw``); it is used when its :math:`D` is the largest. ``grid_size``
    is the side of the band's grid for 2-D data (0: no grid).
    """
    best_m = max(raw, key=lambda k: raw[k].dual_objective)
    alpha_best, best_dual = raw[best_m].alpha, float(raw[best_m].dual_objective)
    if reference is not None:
        reference = project_dual(reference, problem.y, problem.costs)
        if problem.dual_objective(reference) > best_dual:
            best_m, alpha_best, best_dual = REFERENCE, reference, float(problem.dual_objective(reference))
    with blas_threads(1):  # the certificate's products are gemv on one vector: one BLAS thread is enough
        sols = {
            k: certificate(problem, s.w, s.b, alpha_best, method=k, status=s.status, iterations=s.iterations,
                           solve_time=s.solve_time, extras=s.extras, target_gap=targets[k])
            for k, s in raw.items()
        }
    met = {k: bool(raw[k].status in SUCCESS_STATUSES and sols[k].relative_gap <= targets[k]) for k in sols}
    pairs, violations = [], []
    grid = band_grid(problem, grid_size) if _check_grid_size(grid_size) else None
    places = _band_values(problem, sols, grid)
    bands = {k: {"data": float(places["data"]["band"][k].max(initial=0.0)),
                 "grid": float(places["grid"]["band"][k].max()) if grid is not None else None,
                 "grid_sign_certified": (float(np.mean(np.abs(places["grid"]["f"][k]) > places["grid"]["band"][k]))
                                         if grid is not None else None)}
             for k in sols}
    for a, b in combinations(sols, 2):
        rep, bad = _pair(problem, a, sols[a], b, sols[b])
        brep, bbad = _band_pair(places, a, sols[a], b, sols[b])
        pairs.append({**rep, **brep})
        violations += bad + bbad
    if violations:
        verdict = "DISAGREE"
        summary = "a certificate is wrong (a bug): " + "; ".join(violations)
    elif all(met.values()):
        verdict = "AGREE"
        worst = max(pairs, key=lambda q: q["distance"] / max(q["bound"], 1e-300), default=None)
        n_und = max((s.undecided.size for s in sols.values()), default=0)
        n_pred = sum(q["n_prediction_disagreements"] for q in pairs)
        summary = (
            f"every method met its target and the {len(sols)} answers are within their certified radii of one "
            "optimum" + (f" (the pair closest to its bound, {worst['a']} vs {worst['b']}: |w_i - w_j| = "
                         f"{worst['distance']:.1e} <= {worst['bound']:.1e})" if worst else "")
            + f"; certified support labels agree on every point both decide ({n_und} undecided at most)"
            + (f"; {n_pred} prediction difference(s), each at a point whose sign of f* is not certified"
               if n_pred else "; predictions agree") + "."
        ) if len(sols) > 1 else f"{next(iter(sols))} met its target; there is nothing to compare it with."
    else:
        verdict = "INCONCLUSIVE"
        missed = [f"{k} ({raw[k].status}, certified gap {sols[k].relative_gap:.1e} "
                  f"{'>' if sols[k].relative_gap > targets[k] else '<='} target {targets[k]:.3g})"
                  for k in sols if not met[k]]
        good = [k for k in sols if met[k]]
        agreed = [q for q in pairs if q["a"] in good and q["b"] in good]
        summary = (
            f"{', '.join(missed)} did not meet its target on its own, so the bound it satisfies proves little. "
            + (f"The certified methods ({', '.join(good)}) agree: largest |w_i - w_j| = "
               f"{max(q['distance'] for q in agreed):.1e}, {sum(q['n_prediction_disagreements'] for q in agreed)} "
               "prediction difference(s)." if len(good) > 1 else
               f"Certified: {', '.join(good) or 'none'}.")
            + " Raise the budget (--max-iter, --time-limit), standardize X if it is not, or use an exact method."
        )
    grid_info = None if grid is None else {"size": int(grid_size), "lo": grid.min(axis=0).tolist(),
                                           "hi": grid.max(axis=0).tolist()}
    out = Comparison(problem, sols, raw, targets, met, best_dual, best_m, pairs, violations, verdict, summary,
                     dict(warnings_ or {}), bands, grid_info)
    if verdict == "DISAGREE" and strict:
        raise CertificateViolation(summary)
    return out
