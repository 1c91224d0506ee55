"""Certified support vectors: each point's margin against its α.

The three KKT regions are shaded: α = 0 needs y·f ≥ 1, 0 < α < C needs
y·f = 1, α = C needs y·f ≤ 1 (``proofs/T06``). Each point's label is read off
the certified range of its optimal margin alone: above 1, non-support; below
1, at the bound; containing 1 and narrow, on the margin. Left: the exact dual
QP, where every point is decided. Right: subgradient descent stopped early,
whose certificate is looser; the points it cannot decide are circled.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..datasets import make_overlapping
from ..problem import SVMProblem
from ._common import OKABE_ITO, dual_and_subgradient, save

SEED = 2
NAME = "certified_support"


def _panel(ax, p, s, title):
    m = p.margins(s.w, s.b)
    C = p.C
    ax.axvspan(1, 10, color=OKABE_ITO["sky"], alpha=0.15, lw=0)
    ax.axvspan(-10, 1, color=OKABE_ITO["vermillion"], alpha=0.10, lw=0)
    ax.axvline(1, color=OKABE_ITO["green"], lw=2)
    ax.text(1.02, 0.5 * C, "0<α<C needs y·f = 1", color=OKABE_ITO["green"], fontsize=8, rotation=90, va="center")
    ax.text(0.97, 0.12, "α = 0 allowed: y·f ≥ 1", transform=ax.transAxes, ha="right", fontsize=8)
    ax.text(0.03, 0.95, "α = C allowed: y·f ≤ 1", transform=ax.transAxes, ha="left", va="top", fontsize=8)
    groups = [("non-support", s.non_support, OKABE_ITO["sky"], "o"), ("bound SV", s.bound_support, OKABE_ITO["vermillion"], "s"),
              ("on the margin" + (f" (±{s.margin_width:.0e})" if s.margin_support.size else ""), s.margin_support,
               OKABE_ITO["green"], "D")]
    for lab, idx, col, mk in groups:
        ax.scatter(m[idx], s.alpha[idx], s=22, color=col, marker=mk, label=f"{lab} ({idx.size})", zorder=3)
    ax.scatter(m[s.undecided], s.alpha[s.undecided], s=70, facecolors="none", edgecolors="k", linewidths=1.3,
               label=f"undecided ({s.undecided.size})", zorder=4)
    lo, hi = np.percentile(m, [1, 99])
    ax.set_xlim(min(lo, 0.0) - 0.2, max(hi, 2.0) + 0.2)
    ax.set_ylim(-0.06 * C, 1.12 * C)
    ax.set_xlabel("margin y·f(x)")
    ax.set_ylabel("α")
    ax.set_title(title)
    ax.legend(loc="center right", fontsize=7.5)
    return {"margins": m, "alpha": s.alpha, "margin_support": s.margin_support, "bound_support": s.bound_support,
            "undecided": s.undecided, "relative_gap": s.relative_gap}


def make_figure(seed: int = SEED):
    """Return (figure, numbers): margins, α and the certified partition for both solutions."""
    X, y = make_overlapping(150, 3, sep=2.0, seed=seed)
    p = SVMProblem(X, y, C=1.0)
    qp, sg = dual_and_subgradient(p, target_gap=1e-3)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), constrained_layout=True, sharey=True)
    data = {"dual": _panel(axes[0], p, qp, f"dual QP (relative gap {qp.relative_gap:.0e})"),
            "subgradient": _panel(axes[1], p, sg, f"subgradient, stopped at relative gap {sg.relative_gap:.0e}")}
    fig.suptitle(f"Certified support-vector labels (n={p.n}, C=1, seed {seed}), read off each point's certified margin range")
    return fig, data


def main(outdir: str | Path = "gallery", fmt: str = "png") -> Path:
    fig, _ = make_figure()
    return save(fig, Path(outdir) / NAME, fmt)
