"""Margin losses against the margin z = y·f, in the layout of PRML Fig. 7.5.

The hinge max(0, 1 − z) (blue) is a ReLU of 1 − z: flat at 0 beyond the
margin z = 1, slope −1 before it (``proofs/T01``). The logistic loss
ln(1 + e^(−z)), rescaled by 1/ln 2 to pass through (0, 1) as in Bishop's
figure, is its smooth cousin (``proofs/T02``); the 0-1 loss (black) and the
squared error (1 − z)² (green) complete Bishop's picture, and the squared hinge
(LinearSVC's default) is added. Right: the same hinge read as a ReLU unit.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..losses import hinge, logistic, squared_hinge, zero_one
from ._common import OKABE_ITO, save

SEED = 0  # nothing random is drawn; kept for the gallery pattern
NAME = "loss_functions"


def make_figure(seed: int = SEED):
    """Return (figure, numbers): the z grid and every curve drawn."""
    z = np.linspace(-2.0, 2.0, 801)
    curves = {
        "hinge max(0, 1 − z)": (hinge(z), OKABE_ITO["blue"], "-", 2.4),
        "logistic ln(1 + e^(−z)) / ln 2": (logistic(z) / np.log(2.0), OKABE_ITO["vermillion"], "-", 1.8),
        "0-1 loss [z ≤ 0]": (zero_one(z), OKABE_ITO["black"], "-", 1.6),
        "squared error (1 − z)²": ((1 - z) ** 2, OKABE_ITO["green"], "-", 1.6),
        "squared hinge max(0, 1 − z)²": (squared_hinge(z), OKABE_ITO["purple"], "--", 1.4),
    }
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.3), constrained_layout=True)
    for lab, (v, col, ls, lw) in curves.items():
        if lab.startswith("0-1"):
            ax.step(z, v, where="post", color=col, lw=lw, label=lab)
        else:
            ax.plot(z, v, color=col, ls=ls, lw=lw, label=lab)
    ax.set_ylim(-0.1, 4.0)
    ax.set_xlim(-2, 2)
    ax.axvline(1, color="0.5", lw=0.8, ls=":")
    ax.set_xlabel("margin z = y·f(x)")
    ax.set_ylabel("loss E(z)")
    ax.set_title("margin losses (layout of PRML Fig. 7.5)")
    ax.legend(loc="upper right", fontsize=8)
    u = 1 - z
    bx.plot(u, np.maximum(u, 0), color=OKABE_ITO["blue"], lw=2.4, label="ReLU(u) = max(0, u)")
    bx.axvline(0, color="0.5", lw=0.8, ls=":")
    bx.annotate("u = 1 − z = 0: the margin z = 1", xy=(0, 0), xytext=(0.4, 1.9),
                arrowprops={"arrowstyle": "->", "color": "0.3"}, fontsize=8)
    bx.set_xlabel("u = 1 − z (how far inside the margin)")
    bx.set_ylabel("hinge = ReLU(u)")
    bx.set_title("the hinge is a ReLU of the margin, applied in the loss")
    bx.legend(loc="upper left", fontsize=8)
    bx.set_xlim(-1, 3)
    bx.set_ylim(-0.1, 3.0)
    data = {"z": z, **{lab: v for lab, (v, *_rest) in curves.items()}}
    return fig, data


def main(outdir: str | Path = "gallery", fmt: str = "png") -> Path:
    fig, _ = make_figure()
    return save(fig, Path(outdir) / NAME, fmt)
