"""Named, seeded test problems (in the manner of qpsolvers' tests/problems.py)."""

from __future__ import annotations

import numpy as np

from dualsvm import SVMProblem
from dualsvm.datasets import load_iris_pair, make_duplicated, make_overlapping, make_separable


def hand_two_margin() -> SVMProblem:
    """Solved by hand: w = (1, 0), b = -1, alpha = (1/2, 1/2, 0, 0), support {0, 1}.

    x0 = (2, 1), y = +1 and x1 = (0, 1), y = -1 sit on the margins w.x + b = +-1;
    x2 = (4, 0) and x3 = (-2, 3) have margin 3. Stationarity w = sum a_i y_i x_i
    gives a0 + a1 = 1 and y^T a = 0 gives a0 = a1. P = D = 1/2.
    """
    X = np.array([[2.0, 1.0], [0.0, 1.0], [4.0, 0.0], [-2.0, 3.0]])
    y = np.array([1, -1, 1, -1])
    return SVMProblem(X, y, C=1.0)


def hand_no_free() -> SVMProblem:
    """Solved by hand: C = 1/4 caps both coefficients (hard margin would need 1/2).

    alpha = (1/4, 1/4), w = (1/2, 0); P(w, b) is constant in b on [-1/2, 1/2],
    so the optimal b fills that interval and its midpoint is 0. P = D = 3/8.
    """
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    y = np.array([1, -1])
    return SVMProblem(X, y, C=0.25)


def hand_weighted(form: str = "sample_weight") -> SVMProblem:
    """Solved by hand, with per-sample costs: C = 1/4, weights (4, 1/2), so C_i = (1, 1/8).

    x0 = (1, 0), y = +1 and x1 = (-1, 0), y = -1. With y^T alpha = 0, alpha = (t, t),
    w = (2t, 0) and D = 2t - 2t^2, whose maximum t = 1/2 is cut by the box at C_1 = 1/8:
    alpha = (1/8, 1/8), w = (1/4, 0), D = 7/32. P(w, b) = 1/32 + max(0, 3/4 - b)
    + max(0, 3/4 + b)/8 falls with slope 7/8 up to b = 3/4 and rises after it, so
    b = 3/4 and P = 7/32 = D. Point 0 sits on the margin (0 < alpha_0 < C_0); point 1
    has margin -1/2 at its bound alpha_1 = C_1. With C = 1/4 for both (weights ignored)
    the optimum is alpha = (1/4, 1/4), w = (1/2, 0), P = 3/8 instead (``hand_no_free``).
    ``form``: the weights as ``sample_weight`` or as ``class_weight``.
    """
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    y = np.array([1, -1])
    if form == "class_weight":
        return SVMProblem(X, y, C=0.25, class_weight={1: 4.0, -1: 0.5})
    return SVMProblem(X, y, C=0.25, sample_weight=[4.0, 0.5])


def seeded(name: str, C: float) -> SVMProblem:
    """Seeded data sets used across the suite."""
    makers = {
        "overlapping": lambda: make_overlapping(120, 3, seed=11),
        "separable": lambda: make_separable(80, 3, gap=1.0, seed=12),
        "d_gt_n": lambda: make_overlapping(20, 40, seed=13),
        "duplicated": lambda: make_duplicated(60, 2, seed=14),
        "iris": load_iris_pair,
    }
    X, y = makers[name]()
    return SVMProblem(X, y, C=C)


SEEDED = ("overlapping", "separable", "d_gt_n", "duplicated", "iris")
NON_DEGENERATE = ("overlapping", "separable", "d_gt_n")
