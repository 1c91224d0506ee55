"""Three solvers, one boundary.

The primal QP (cvxpy), the dual QP (OSQP) and unconstrained subgradient
descent, solved on the same 2-D data, draw the same decision line and the same
±1 margins, each within its certified radius of the others (``proofs/T10``).
Margin support vectors (0 < α < C, on the margin) and bound support vectors
(α = C) are marked differently (``proofs/T06``). Left: the built-in iris pair
(petal length and width); right: a seeded overlapping set.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..comparison import compare
from ..exceptions import ConvergenceWarning
from ..problem import SVMProblem
from ._common import CLASS_COLORS, METHOD_STYLE, OKABE_ITO, iris_2d, overlapping_2d, save

SEED = 7
NAME = "boundaries"


def _panel(ax, X, y, labels, C):
    problem = SVMProblem(X, y, C=C)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = compare(problem)
    pad = 0.1 * (X.max(0) - X.min(0))
    lo, hi = X.min(0) - pad, X.max(0) + pad
    for k, cls in enumerate(problem.classes):
        pts = X[problem.y == (1 if k else -1)]
        ax.scatter(pts[:, 0], pts[:, 1], s=18, color=CLASS_COLORS[k], alpha=0.75, label=f"class {cls}", zorder=2)
    xs = np.linspace(lo[0], hi[0], 200)
    out = {}
    for m, s in res.solutions.items():
        w, b = s.w, s.b
        for level, lw in ((0, 1.0), (-1, 0.55), (1, 0.55)):
            if abs(w[1]) > 1e-12:
                ax.plot(xs, (level - b - w[0] * xs) / w[1], **{**METHOD_STYLE[m], "linewidth": METHOD_STYLE[m]["linewidth"] * lw},
                        label=(f"{m}: P={s.primal_objective:.4g}, gap={s.relative_gap:.0e}" if level == 0 else None), zorder=3)
        out[m] = {"w": s.w, "b": s.b, "radius": s.radius, "objective": s.primal_objective, "relative_gap": s.relative_gap,
                  "margin_support": s.margin_support, "bound_support": s.bound_support}
    ref = res.solutions["dual"]
    ax.scatter(*X[ref.margin_support].T, s=110, facecolors="none", edgecolors=OKABE_ITO["black"], linewidths=1.6,
               label="on the margin (certified)", zorder=4)
    ax.scatter(*X[ref.bound_support].T, s=60, marker="x", color=OKABE_ITO["black"], linewidths=1.0,
               label="bound SV (certified α=C)", zorder=4)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    out["pairs"] = [{"a": q["a"], "b": q["b"], "distance": q["distance"], "bound": q["bound"]} for q in res.pairs]
    out["agree"] = res.agree
    return out


def make_figure(seed: int = SEED):
    """Return (figure, numbers drawn): per panel and method w, b, radius, objective, gap, supports; pairs."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.8), constrained_layout=True)
    data = {}
    X, y, labels = iris_2d()
    data["iris"] = _panel(axes[0], X, y, labels, C=1.0)
    axes[0].set_title("iris, versicolor vs virginica (C = 1)")
    X, y, labels = overlapping_2d(seed)
    data["overlapping"] = _panel(axes[1], X, y, labels, C=1.0)
    axes[1].set_title(f"seeded overlapping data (seed {seed}, C = 1)")
    for ax in axes:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    fig.suptitle("Three solvers, one boundary: decision lines and ±1 margins coincide")
    return fig, data


def main(outdir: str | Path = "gallery", fmt: str = "png") -> Path:
    fig, _ = make_figure()
    return save(fig, Path(outdir) / NAME, fmt)
