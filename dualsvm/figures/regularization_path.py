"""Regularization path: support vectors, ‖w‖ and margin width against C.

For C on a log grid, the number of margin, bound and non-support vectors,
‖w‖ and the margin width 2/‖w‖. At every C the three methods are solved and
cross-certified by :func:`dualsvm.compare`; their markers coincide wherever
the certificate decides a point (the subgradient method, stopped at a relative
gap of 1e-3, leaves some near-margin points undecided; drawn in grey)
(``proofs/T06``, ``proofs/T10``).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..comparison import compare
from ..datasets import make_overlapping
from ..exceptions import ConvergenceWarning
from ..problem import SVMProblem
from ._common import METHOD_STYLE, OKABE_ITO, save

SEED = 11
NAME = "regularization_path"
C_GRID = np.logspace(-2, 2, 9)


def make_figure(seed: int = SEED):
    """Return (figure, numbers): per C and method the support counts, ‖w‖, width; and agreement."""
    X, y = make_overlapping(120, 2, sep=2.0, seed=seed)
    base = SVMProblem(X, y, C=1.0)
    rows = {m: {"n_margin": [], "n_bound": [], "n_non": [], "n_undecided": [], "norm_w": []} for m in METHOD_STYLE}
    agree: list[str] = []
    for C in C_GRID:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            res = compare(base.with_C(C), options={"subgradient": {"max_iter": 20_000, "target_gap": 1e-3}})
        agree.append(res.verdict)
        for m, s in res.solutions.items():
            rows[m]["n_margin"].append(s.margin_support.size)
            rows[m]["n_bound"].append(s.bound_support.size)
            rows[m]["n_non"].append(s.non_support.size)
            rows[m]["n_undecided"].append(s.undecided.size)
            rows[m]["norm_w"].append(float(np.linalg.norm(s.w)))
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.5), constrained_layout=True)
    counts = {"n_margin": ("margin SV", OKABE_ITO["green"]), "n_bound": ("bound SV", OKABE_ITO["vermillion"]),
              "n_non": ("non-SV", OKABE_ITO["sky"])}
    markers = {"primal": "o", "dual": "s", "subgradient": "^"}
    sizes = {"primal": 70, "dual": 40, "subgradient": 18}
    for key, (lab, col) in counts.items():
        ax.plot(C_GRID, rows["dual"][key], color=col, lw=1.2, label=lab)
        for m in METHOD_STYLE:
            ax.scatter(C_GRID, rows[m][key], marker=markers[m], s=sizes[m], facecolors="none" if m != "subgradient" else col,
                       edgecolors=col, linewidths=1.0)
    ax.plot(C_GRID, rows["subgradient"]["n_undecided"], color="0.45", ls=":", marker="^", ms=4,
            label="undecided (subgradient)")
    for m in METHOD_STYLE:
        ax.scatter([], [], marker=markers[m], s=sizes[m], facecolors="none", edgecolors="k", label=m)
    ax.set_xscale("log")
    ax.set_xlabel("C")
    ax.set_ylabel("number of points")
    ax.set_title("support-vector partition (markers: the three methods;\nsubgradient leaves near-margin points undecided)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4, fontsize=7.5, frameon=False)
    for m in METHOD_STYLE:
        nw = np.array(rows[m]["norm_w"])
        bx.loglog(C_GRID, nw, marker=markers[m], ms=np.sqrt(sizes[m]), mfc="none", ls=METHOD_STYLE[m]["linestyle"],
                  color=METHOD_STYLE[m]["color"], label=f"‖w‖, {m}")
    width = 2 / np.array(rows["dual"]["norm_w"])
    bx.loglog(C_GRID, width, color=OKABE_ITO["black"], marker="d", ms=4, label="margin width 2/‖w‖ (dual)")
    bx.set_xlabel("C")
    bx.set_ylabel("‖w‖ and 2/‖w‖")
    bx.set_title("weight norm and margin width")
    bx.legend(loc="center right", fontsize=7.5)
    verdicts = sorted(set(agree))
    fig.suptitle(f"Regularization path (n={base.n}, seed {seed}); compare's verdict at every C: {', '.join(verdicts)}")
    return fig, {"C": C_GRID, "rows": rows, "verdict": agree}


def main(outdir: str | Path = "gallery", fmt: str = "png") -> Path:
    fig, _ = make_figure()
    return save(fig, Path(outdir) / NAME, fmt)
