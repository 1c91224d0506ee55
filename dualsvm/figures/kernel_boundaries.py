r"""Kernel boundaries, three ways, with the certified band.

The RBF kernel SVM (``gamma="scale"``, C = 1) on seeded, standardized moons
(top) and circles (bottom), solved as the primal QP in representer form, the
dual QP and by subgradient descent (columns). Each panel draws that answer's
boundary :math:`f(x) = 0` and its ±1 margins, and shades the certified band
where the sign of the optimal :math:`f^*` is not certified,
:math:`|f(x)| \le \beta(x) = \sqrt{2G}\sqrt{k(x, x)} + \max(b - B_{lo}, B_{hi} - b)`,
a bound on :math:`|f(x) - f^*(x)|` at every x (``proofs/T14``). The exact
methods' band is at most 1e-4 wide and hidden under the line; the
subgradient's, at its target relative gap 1e-4, is a visible strip, widest
where f is flat (far from the data), and the exact boundary (dashed) runs
inside it, as it must: where :math:`f^*(x) = 0`, :math:`|f(x)| \le \beta(x)`.
Support vectors carry their certified labels (``proofs/T06``): on the margin,
at the bound α = C, or undecided.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..comparison import compare, decision_values, pointwise_band
from ..datasets import standardize
from ..exceptions import ConvergenceWarning
from ..problem import SVMProblem
from ._common import CLASS_COLORS, METHOD_STYLE, OKABE_ITO, save

SEED = 5
NAME = "kernel_boundaries"
METHODS = ("primal", "dual", "subgradient")
#: Points per side of the drawing grid; the certified fraction is counted on it.
GRID = 200


def moons(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles (scikit-learn's ``make_moons`` construction), Gaussian noise, labels 0/1."""
    rng = np.random.default_rng(seed)
    n_out = n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n - n_out)
    X = np.vstack([np.column_stack([np.cos(t_out), np.sin(t_out)]),
                   np.column_stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)])])
    return X + noise * rng.standard_normal(X.shape), np.repeat([0, 1], [n_out, n - n_out])


def circles(n: int, noise: float, factor: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A circle inside another (scikit-learn's ``make_circles`` construction), Gaussian noise, labels 0/1."""
    rng = np.random.default_rng(seed)
    n_out = n // 2
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n - n_out, endpoint=False)
    X = np.vstack([np.column_stack([np.cos(t_out), np.sin(t_out)]),
                   factor * np.column_stack([np.cos(t_in), np.sin(t_in)])])
    return X + noise * rng.standard_normal(X.shape), np.repeat([0, 1], [n_out, n - n_out])


def data_sets(seed: int = SEED) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The two standardized data sets drawn: ``moons`` and ``circles``, 200 points each."""
    Xm, ym = moons(200, 0.25, seed)
    Xc, yc = circles(200, 0.1, 0.5, seed + 1)
    return {"moons": (standardize(Xm), ym), "circles": (standardize(Xc), yc)}


def _grid(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pad = 0.08 * (X.max(0) - X.min(0))
    xs = np.linspace(X[:, 0].min() - pad[0], X[:, 0].max() + pad[0], GRID)
    ys = np.linspace(X[:, 1].min() - pad[1], X[:, 1].max() + pad[1], GRID)
    gx, gy = np.meshgrid(xs, ys)
    return gx, gy, np.column_stack([gx.ravel(), gy.ravel()])


def _panel(ax, problem, X, s, method, gx, gy, pts, exact=None):
    f = decision_values(problem, s, pts)
    band = pointwise_band(problem, s, pts)
    F, B = f.reshape(gx.shape), band.reshape(gx.shape)
    style = METHOD_STYLE[method]
    ax.contourf(gx, gy, (np.abs(F) <= B).astype(float), levels=[0.5, 1.5], colors=[style["color"]], alpha=0.35)
    for k in (0, 1):
        P = X[problem.y == (1 if k else -1)]
        ax.scatter(P[:, 0], P[:, 1], s=10, color=CLASS_COLORS[k], alpha=0.7, lw=0, zorder=2)
    ax.contour(gx, gy, F, levels=[-1, 1], colors=[style["color"]], linewidths=0.8, linestyles=":", zorder=3)
    ax.contour(gx, gy, F, levels=[0], colors=[style["color"]], linewidths=1.8, linestyles="-", zorder=3)
    if exact is not None:  # f*(x) = 0 implies |f(x)| <= band(x): the exact boundary runs inside this band
        ax.contour(gx, gy, exact.reshape(gx.shape), levels=[0], colors=[OKABE_ITO["black"]], linewidths=0.9,
                   linestyles="--", zorder=3)
    ax.scatter(*X[s.margin_support].T, s=55, facecolors="none", edgecolors=OKABE_ITO["black"], linewidths=1.1, zorder=4)
    ax.scatter(*X[s.bound_support].T, s=22, marker="x", color=OKABE_ITO["black"], linewidths=0.8, zorder=4)
    ax.scatter(*X[s.undecided].T, s=55, marker="s", facecolors="none", edgecolors=OKABE_ITO["purple"], linewidths=1.1,
               zorder=4)
    n_cert = int(np.count_nonzero(np.abs(f) > band))
    certified = n_cert / f.size
    ax.set_title(f"{method}: certified gap {s.relative_gap:.0e}, band ≤ {band.max():.1e}\n"
                 f"sign of f* certified at {n_cert:,} of {f.size:,} grid points", fontsize=9)
    ax.set_xlim(gx.min(), gx.max())
    ax.set_ylim(gy.min(), gy.max())
    ax.set_aspect("equal")
    ax.grid(False)
    return {"relative_gap": s.relative_gap, "objective": s.primal_objective, "radius": s.radius, "b_interval": s.b_interval,
            "band_max": float(band.max()), "band_data": float(pointwise_band(problem, s).max()),
            "n_margin": int(s.margin_support.size), "n_bound": int(s.bound_support.size),
            "n_undecided": int(s.undecided.size), "margin_support": s.margin_support,
            "bound_support": s.bound_support, "undecided": s.undecided,
            "certified_fraction": certified, "f": f, "band": band}


def make_figure(seed: int = SEED):
    r"""Return (figure, numbers): per data set and method the certified gap, band, support labels, certified fraction.

    The numbers per data set: ``X``, ``y`` (standardized, labels 0/1), ``grid`` (the drawing grid's points),
    ``verdict`` of :func:`~dualsvm.compare`, ``gamma`` (resolved), and per method ``relative_gap``,
    ``radius``, ``b_interval``, ``band_max`` (largest band on the grid), ``band_data`` (on the data),
    ``n_margin``, ``n_bound``, ``n_undecided`` and their indices, ``certified_fraction`` (the share of grid
    points where :math:`|f(x)| > \beta(x)`), ``f`` and ``band`` on the grid.
    """
    fig, axes = plt.subplots(2, 3, figsize=(12.5, 8.6), constrained_layout=True)
    data = {}
    for row, (name, (X, y)) in zip(axes, data_sets(seed).items(), strict=True):
        problem = SVMProblem(X, y, C=1.0, kernel="rbf", gamma="scale")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            res = compare(problem, methods=METHODS)
        gx, gy, pts = _grid(X)
        out = {"X": X, "y": y, "grid": pts, "verdict": res.verdict, "gamma": problem.kernel_factor.gamma,
               "rank": problem.d}
        exact = decision_values(problem, res.solutions["dual"], pts)
        for ax, m in zip(row, METHODS, strict=True):
            out[m] = _panel(ax, problem, X, res.solutions[m], m, gx, gy, pts,
                            exact=exact if m == "subgradient" else None)
        row[0].set_ylabel(f"{name} (n={problem.n}, rank {problem.d})\nx2")
        data[name] = out
    for ax in axes[-1]:
        ax.set_xlabel("x1")
    handles = [Line2D([], [], color="0.3", lw=1.8, label="boundary f(x) = 0"),
               Line2D([], [], color="0.3", lw=0.8, ls=":", label="margins f(x) = ±1"),
               Line2D([], [], color="k", lw=0.9, ls="--", label="the dual's boundary, inside the band"),
               Patch(color="0.3", alpha=0.35, label="band: |f(x)| ≤ β(x), sign of f* not certified"),
               Line2D([], [], ls="", marker="o", mfc="none", mec="k", label="on the margin (certified)"),
               Line2D([], [], ls="", marker="x", color="k", label="bound SV, α = C (certified)"),
               Line2D([], [], ls="", marker="s", mfc="none", mec=OKABE_ITO["purple"], label="undecided"),
               *(Line2D([], [], ls="", marker="o", color=CLASS_COLORS[k], label=f"class {k}") for k in (0, 1))]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, frameon=False, fontsize=8.5)
    fig.suptitle(f"RBF kernel (gamma = scale, C = 1, seed {seed}): three formulations, one boundary, "
                 "and the certified band |f − f*| ≤ √(2G)·√k(x, x) + b width")
    return fig, data


def main(outdir: str | Path = "gallery", fmt: str = "png") -> Path:
    fig, _ = make_figure()
    return save(fig, Path(outdir) / NAME, fmt)
