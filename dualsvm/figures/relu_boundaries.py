"""Decision boundaries of one-layer networks beside the SVM's.

The same seeded 2-D data and the same C, trained by :mod:`dualsvm.network`:
linear + hinge lands on the SVM's boundary (it is the SVM objective);
linear + logistic (= sigmoid + cross-entropy) is logistic regression, close but
not equal; ReLU outputs with the hinge, the squared error or a clipped
cross-entropy end elsewhere (``proofs/T11``, ``proofs/T12``). The SVM's line is
dashed in every panel and its support vectors are circled.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..datasets import make_overlapping
from ..dual import solve_dual
from ..exceptions import ConvergenceWarning
from ..network import train
from ..problem import SVMProblem
from ._common import CLASS_COLORS, OKABE_ITO, save

SEED = 4
NAME = "relu_boundaries"
PANELS = (("linear", "hinge"), ("linear", "logistic"), ("sigmoid", "cross_entropy"),
          ("relu", "hinge"), ("relu", "squared"), ("relu", "cross_entropy"))


def make_figure(seed: int = SEED):
    """Return (figure, numbers): per variant w, b, distance to the SVM's w and agreement of predictions."""
    X, y = make_overlapping(120, 2, sep=2.5, seed=seed)
    p = SVMProblem(X, y, C=1.0)
    svm = solve_dual(p)
    fig, axes = plt.subplots(2, 3, figsize=(12, 7.4), constrained_layout=True, sharex=True, sharey=True)
    lo, hi = X.min(0) - 0.3, X.max(0) + 0.3
    xs = np.linspace(lo[0], hi[0], 100)
    data = {"svm": {"w": svm.w, "b": svm.b, "radius": svm.radius}}
    for ax, (act, loss) in zip(axes.ravel(), PANELS, strict=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            net = train(X, y, activation=act, loss=loss, C=1.0, seed=seed)
        for k, sgn in enumerate((-1, 1)):
            pts = X[p.y == sgn]
            ax.scatter(pts[:, 0], pts[:, 1], s=12, color=CLASS_COLORS[k], alpha=0.7)
        ax.scatter(*X[svm.support].T, s=60, facecolors="none", edgecolors="0.2", linewidths=0.8)
        ax.plot(xs, -(svm.b + svm.w[0] * xs) / svm.w[1], color=OKABE_ITO["black"], ls="--", lw=1.4, label="SVM (dual QP)")
        if abs(net.w[1]) > 1e-12:
            ax.plot(xs, -(net.b + net.w[0] * xs) / net.w[1], color=OKABE_ITO["blue"], lw=2.2, label=f"{act} + {loss}")
        agree = float(np.mean((X @ net.w + net.b > 0) == (X @ svm.w + svm.b > 0)))
        dist = float(np.linalg.norm(net.w - svm.w))
        note = "  DEAD UNIT" if net.all_outputs_zero else ""
        ax.set_title(f"{act} + {loss}: |w − w_svm| = {dist:.2g}\nsame predictions {agree:.0%}{note}", fontsize=9.5)
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.legend(loc="lower left", fontsize=7.5)
        data[f"{act}+{loss}"] = {"w": net.w, "b": net.b, "distance": dist, "agreement": agree,
                                 "all_outputs_zero": net.all_outputs_zero}
    for ax in axes[-1]:
        ax.set_xlabel("x1")
    for ax in axes[:, 0]:
        ax.set_ylabel("x2")
    fig.suptitle(f"One-layer networks vs the SVM (n={p.n}, C=1, seed {seed}; circled: the SVM's support vectors)")
    return fig, data


def main(outdir: str | Path = "gallery", fmt: str = "png") -> Path:
    fig, _ = make_figure()
    return save(fig, Path(outdir) / NAME, fmt)
