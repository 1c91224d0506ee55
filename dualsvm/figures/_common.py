"""Shared figure plumbing: a colour-blind-safe palette, deterministic saving, 2-D data."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..datasets import load_iris_pair, make_overlapping  # noqa: E402
from ..dual import solve_dual  # noqa: E402
from ..exceptions import ConvergenceWarning  # noqa: E402
from ..problem import SVMProblem  # noqa: E402
from ..solution import Solution  # noqa: E402
from ..subgradient import solve_subgradient  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design": distinguishable with any colour-vision deficiency.
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
}
METHOD_STYLE = {
    "primal": {"color": OKABE_ITO["blue"], "linestyle": "-", "linewidth": 2.6},
    "dual": {"color": OKABE_ITO["orange"], "linestyle": "--", "linewidth": 2.0},
    "subgradient": {"color": OKABE_ITO["green"], "linestyle": ":", "linewidth": 2.0},
}
CLASS_COLORS = (OKABE_ITO["vermillion"], OKABE_ITO["sky"])
FORMATS = ("png", "pdf", "svg")

plt.rcParams.update({
    "figure.dpi": 100, "savefig.dpi": 110, "font.size": 10, "axes.titlesize": 11,
    "legend.fontsize": 8, "svg.hashsalt": "dualsvm", "axes.grid": True, "grid.alpha": 0.3,
})


def iris_2d() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Petal length and width (cm) of the built-in iris pair."""
    X, y = load_iris_pair()
    return X[:, 2:4], y, ["petal length (cm)", "petal width (cm)"]


def overlapping_2d(seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    X, y = make_overlapping(80, 2, sep=2.5, seed=seed)
    return X, y, ["x1", "x2"]


def dual_and_subgradient(problem: SVMProblem, **subgradient_options: Any) -> tuple[Solution, Solution]:
    """The exact dual solution and a subgradient run; a missed target is drawn, not raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return solve_dual(problem), solve_subgradient(problem, **subgradient_options)


def save(fig: plt.Figure, path: Path, fmt: str = "png") -> Path:
    """Save without timestamps or version strings, so reruns are byte-identical."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    meta: dict[str, Any] = {"png": {"Software": None}, "pdf": {"CreationDate": None, "Producer": None, "Creator": None},
                            "svg": {"Date": None, "Creator": None}}[fmt]
    path = path.with_suffix("." + fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=fmt, metadata=meta, bbox_inches="tight")
    plt.close(fig)
    return path
