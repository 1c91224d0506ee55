"""Convergence of unconstrained subgradient descent, certified at every step.

The primal objective minus the best lower bound, and the certified duality gap,
against iterations (log-log), for full-batch subgradient descent (last and
weighted-average iterate) and the stochastic variant. Dotted horizontal lines
mark the exact solvers' final accuracy; the dashed reference is the
Frank–Wolfe bound 27 C_f / (2(t + 2)) the solver relies on (``proofs/T08``);
with the solver's default extrapolation the measured gap falls far below its
O(1/t) slope (plain steps, ``extrapolate_every=None``, follow it).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..datasets import make_overlapping
from ..dual import solve_dual
from ..exceptions import ConvergenceWarning
from ..primal import solve_primal
from ..problem import SVMProblem
from ..subgradient import solve_subgradient
from ._common import OKABE_ITO, save

SEED = 3
NAME = "convergence"


def make_figure(seed: int = SEED):
    """Return (figure, numbers): the three histories, the exact solvers' gaps and the reference constant C_f."""
    X, y = make_overlapping(400, 5, seed=seed)
    p = SVMProblem(X, y, C=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        full = solve_subgradient(p, target_gap=1e-7, max_iter=5_000)
        stoch = solve_subgradient(p, target_gap=1e-7, max_iter=5_000, batch_size=64, seed=seed)
    exact = {"primal": solve_primal(p), "dual": solve_dual(p)}
    P_star = exact["dual"].dual_objective  # a certified lower bound, within 1e-13 of P*
    hf, hs = full.extras["history"], stoch.extras["history"]
    Cf = float((p.C * np.linalg.norm(p.X, axis=1).sum()) ** 2)
    fig, ax = plt.subplots(figsize=(7.5, 5), constrained_layout=True)
    ax.loglog(hf["iteration"], hf["gap"], color=OKABE_ITO["green"], lw=2, label="full batch: certified gap P − D(α)")
    ax.loglog(hf["iteration"], hf["primal_last"] - P_star, color=OKABE_ITO["green"], lw=1, ls="--",
              label="full batch, last iterate: P − P*")
    ax.loglog(hf["iteration"], np.maximum(hf["primal_avg"] - P_star, 1e-16), color=OKABE_ITO["blue"], lw=1.5,
              label="full batch, averaged iterate: P − P*")
    ax.loglog(hs["iteration"], hs["gap"], color=OKABE_ITO["purple"], lw=2, label="stochastic (batch 64): certified gap")
    t = hf["iteration"].astype(float)
    ax.loglog(t, 27 * Cf / (2 * (t + 2)), color=OKABE_ITO["black"], ls="-.", lw=1,
              label="Frank–Wolfe bound 27 C_f / (2(t+2))")
    styles = {"primal": OKABE_ITO["orange"], "dual": OKABE_ITO["vermillion"]}
    for k, s in exact.items():
        ax.axhline(max(s.duality_gap, s.gap_floor), color=styles[k], ls=":", lw=1.5,
                   label=f"{k} QP: final certified gap {max(s.duality_gap, s.gap_floor):.0e}")
    ax.set_xlabel("iteration t")
    ax.set_ylabel("objective gap (absolute)")
    ax.set_title(f"Subgradient descent certifies itself (n={p.n}, d={p.d}, C=1, seed {seed})")
    ax.legend(loc="lower left", fontsize=7.5)
    ax.set_ylim(1e-14, None)
    data = {
        "iteration": hf["iteration"], "gap": hf["gap"], "primal_last_minus_opt": hf["primal_last"] - P_star,
        "primal_avg_minus_opt": hf["primal_avg"] - P_star, "stochastic_iteration": hs["iteration"],
        "stochastic_gap": hs["gap"], "exact_gap": {k: s.duality_gap for k, s in exact.items()},
        "C_f": Cf, "P_star_lower_bound": P_star,
    }
    return fig, data


def main(outdir: str | Path = "gallery", fmt: str = "png") -> Path:
    fig, _ = make_figure()
    return save(fig, Path(outdir) / NAME, fmt)
