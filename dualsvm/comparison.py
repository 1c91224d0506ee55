r"""Solve one problem three ways and certify that the answers agree.

Every dual point found by any method is a valid lower bound, so the best one,
:math:`D_{best} = \max_k D(\alpha_k)`, tightens every method's gap
:math:`G_k = P(w_k, b_k) - D_{best}` and radius :math:`r_k = \sqrt{2G_k}`.
Two answers then satisfy :math:`\|w_i - w_j\| \le r_i + r_j` (triangle
inequality through :math:`w^*`, ``proofs/T10``); a pair beyond that bound
means a certificate is wrong, and :func:`compare` raises
:class:`CertificateViolation`.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from .certificates import certificate
from .dual import solve_dual
from .exceptions import ConvergenceWarning, DualSVMError
from .primal import solve_primal
from .problem import SVMProblem
from .solution import Solution
from .subgradient import solve_subgradient

__all__ = ["compare", "Comparison", "CertificateViolation", "METHODS"]


class CertificateViolation(AssertionError):
    """Two certified answers are farther apart than their radii allow: a bug."""


def _stochastic(problem: SVMProblem, **kw: Any) -> Solution:
    kw.setdefault("batch_size", min(256, max(2, problem.n // 4)))
    kw.setdefault("tol", 1e-2)
    return solve_subgradient(problem, **kw)


#: Method name -> solver. "stochastic" is the mini-batch subgradient variant.
METHODS: dict[str, Callable[..., Solution]] = {
    "primal": solve_primal,
    "dual": solve_dual,
    "subgradient": solve_subgradient,
    "stochastic": _stochastic,
}


@dataclass
class Comparison:
    """The cross-certified comparison of several methods on one problem.

    Attributes
    ----------
    solutions : dict of str to Solution
        Each method's answer, re-certified against the best dual point
        (``best_dual``), so gaps and radii are the tightest available.
    raw : dict of str to Solution
        Each method's answer with its own certificate, as returned.
    best_dual : float
        :math:`D_{best} = \\max_k D(\\alpha_k)`, from method ``best_dual_method``.
    pairs : list of dict
        Per pair: ``distance`` :math:`\\|w_i - w_j\\|`, ``bound`` :math:`r_i + r_j`,
        ``max_decision_diff`` :math:`\\max_x |f_i(x) - f_j(x)|` on the data,
        ``n_prediction_disagreements``, ``support_diff`` (indices in the
        symmetric difference of the support sets, decided points only) and
        ``support_diff_margins`` (their margins under each method).
    agree : bool
        Every pair is within its certified bound and the support sets agree on
        every point that both certificates decide.
    warnings : dict of str to str
        Convergence warnings issued by a method (e.g. the subgradient method
        stopping at ``max_iter``).
    verdict : str
    """

    problem: SVMProblem
    solutions: dict[str, Solution]
    raw: dict[str, Solution]
    best_dual: float
    best_dual_method: str
    pairs: list[dict[str, Any]]
    agree: bool
    verdict: str
    warnings: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python report for JSON."""
        return {
            "problem": {"n": self.problem.n, "d": self.problem.d, "C": self.problem.C,
                        "classes": [str(c) for c in self.problem.classes]},
            "best_dual": self.best_dual, "best_dual_method": self.best_dual_method,
            "methods": {
                k: {**s.to_dict(), "own_relative_gap": self.raw[k].relative_gap, "own_radius": self.raw[k].radius}
                for k, s in self.solutions.items()
            },
            "pairs": [{**p, "support_diff": [int(i) for i in p["support_diff"]],
                       "support_diff_margins": {k: [float(v) for v in vals] for k, vals in p["support_diff_margins"].items()}}
                      for p in self.pairs],
            "agree": self.agree, "verdict": self.verdict, "warnings": dict(self.warnings),
        }

    def __str__(self) -> str:
        p = self.problem
        head = f"dualsvm compare: n={p.n}, d={p.d}, C={p.C:g}, best lower bound D={self.best_dual:.10g} ({self.best_dual_method})"
        cols = ("method", "objective", "rel.gap", "radius", "b interval", "margin", "bound", "non-SV", "undec.", "iter", "time")
        rows = []
        for k, s in self.solutions.items():
            rows.append((
                k, f"{s.primal_objective:.10g}", f"{s.relative_gap:.1e}", f"{s.radius:.1e}",
                f"[{s.b_interval[0]:.6g}, {s.b_interval[1]:.6g}]", str(s.margin_support.size),
                str(s.bound_support.size), str(s.non_support.size), str(s.undecided.size),
                str(s.iterations), f"{self.raw[k].solve_time:.2f}s",
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
            for i in q["support_diff"][:10]:
                ms = ", ".join(f"{k}: m={v[list(q['support_diff']).index(i)]:.4f}" for k, v in q["support_diff_margins"].items())
                lines.append(f"  point {i} differs ({q['a']} vs {q['b']}): {ms}")
        for k, msg in self.warnings.items():
            lines.append(f"note: {k}: {msg}")
        lines += ["", self.verdict]
        return "\n".join(lines)


def _row_format(widths: list[int]) -> str:
    """First column left-aligned, the rest right-aligned."""
    return "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))


def compare(
    problem: SVMProblem,
    *,
    methods: Sequence[str] = ("primal", "dual", "subgradient"),
    tol: float | None = None,
    options: dict[str, dict[str, Any]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Comparison:
    """Run each method on ``problem``, cross-certify, and compare.

    Parameters
    ----------
    problem : SVMProblem
    methods : sequence of str
        Names from :data:`METHODS`; at least one, no repeats.
    tol : float, optional
        Target relative gap of the subgradient methods (their ``tol``); the
        exact methods keep their own target (1e-8).
    options : dict, optional
        Extra keyword arguments per method, e.g. ``{"subgradient": {"max_iter": 10**5}}``.
    progress : callable, optional
        Called with a short message before each method runs.

    Returns
    -------
    Comparison

    Raises
    ------
    DualSVMError
        For an unknown method name or option.
    CertificateViolation
        If two answers are farther apart than their certified radii allow.
    """
    methods = list(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods or len(set(methods)) != len(methods):
        raise DualSVMError(f"methods must be distinct names from {sorted(METHODS)}, got {methods}")
    options = dict(options or {})
    bad = sorted(set(options) - set(methods))
    if bad:
        raise DualSVMError(f"options given for methods not run: {bad}")
    raw: dict[str, Solution] = {}
    caught: dict[str, str] = {}
    for m in methods:
        kw = dict(options.get(m, {}))
        if tol is not None and m in ("subgradient", "stochastic"):
            kw.setdefault("tol", tol)
        if progress is not None:
            progress(f"running {m} ...")
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always", ConvergenceWarning)
            raw[m] = METHODS[m](problem, **kw)
        for w in rec:
            if issubclass(w.category, ConvergenceWarning):
                caught[m] = str(w.message)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if progress is not None:
            progress(f"  {m}: relative gap {raw[m].relative_gap:.1e} in {time.perf_counter() - t0:.2f}s")
    best_m = max(raw, key=lambda k: raw[k].dual_objective)
    alpha_best = raw[best_m].alpha
    sols = {
        k: certificate(problem, s.w, s.b, alpha_best, method=k, status=s.status, iterations=s.iterations,
                   solve_time=s.solve_time, extras=s.extras, target_gap=1.0)
        for k, s in raw.items()
    }
    for k, s in sols.items():  # keep each method's own success, judged on its own target
        s.success, s.message = raw[k].success, raw[k].message
    pairs, ok = [], True
    f = {k: s.decision_function(problem.X) for k, s in sols.items()}
    for a, b in combinations(sols, 2):
        sa, sb = sols[a], sols[b]
        dist = float(np.linalg.norm(sa.w - sb.w))
        bound = sa.radius + sb.radius
        if dist > bound * (1 + 1e-9) + 1e-12:
            raise CertificateViolation(
                f"{a} and {b} are {dist:.3e} apart but certified within {bound:.3e}: a certificate is wrong"
            )
        undecided = np.union1d(sa.undecided, sb.undecided)
        diff = np.setdiff1d(np.setxor1d(sa.support, sb.support), undecided)
        pairs.append({
            "a": a, "b": b, "distance": dist, "bound": bound,
            "max_decision_diff": float(np.max(np.abs(f[a] - f[b]))),
            "n_prediction_disagreements": int(np.count_nonzero((f[a] > 0) != (f[b] > 0))),
            "support_diff": diff,
            "support_diff_margins": {a: problem.margins(sa.w, sa.b)[diff], b: problem.margins(sb.w, sb.b)[diff]},
            "n_undecided": int(undecided.size),
        })
        ok &= diff.size == 0
    n_und = max((s.undecided.size for s in sols.values()), default=0)
    if ok:
        worst = max(pairs, key=lambda q: q["distance"] / max(q["bound"], 1e-300), default=None)
        verdict = (
            f"AGREE: {len(sols)} method(s) reach the same classifier within their certified radii"
            + (f" (largest |w_i - w_j| = {worst['distance']:.1e} <= {worst['bound']:.1e})" if worst else "")
            + f"; support sets agree on every decided point ({n_und} undecided at the reached accuracy)."
        )
    else:
        n_diff = sum(len(q["support_diff"]) for q in pairs)
        verdict = f"DISAGREE: support sets differ on {n_diff} decided point(s) although every pair is within its radius."
    return Comparison(problem, sols, raw, float(raw[best_m].dual_objective), best_m, pairs, ok, verdict, caught)
