"""T11 a ReLU output with the hinge is not the SVM (structural part), T12 logistic regression has no exact support vectors."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import z3
from smt import hinge, prove, refute, relu


def test_t11_negative_example_costs_at_least_one_smt():
    """With f = ReLU(s) >= 0, a negative example (y = -1) pays hinge(-f) = 1 + f >= 1: it can never reach zero loss."""
    s = z3.Real("s")
    prove(z3.And(hinge(-relu(s)) >= 1, hinge(-relu(s)) == 1 + relu(s)))
    refute(hinge(-s) >= 1)  # with a linear output (the SVM) it can


def test_t11_dead_unit_has_zero_gradient_smt():
    """If s = w.x + b < 0 then d ReLU(s)/ds = 0: a unit dead on every example gets no gradient from any loss."""
    s, h = z3.Reals("s h")
    # the difference quotient of ReLU vanishes in a neighbourhood of any negative s
    prove(relu(s + h) - relu(s) == 0, s < 0, h > s, h < -s)
    refute(relu(s + h) - relu(s) == 0, s > 0, h > -s, h < s, h != 0)


def test_t12_logistic_weights_strictly_inside_symbolic():
    """d/dm ln(1 + e^-m) = -sigma(-m), and sigma(-m) = 1 / (1 + e^m) lies in (0, 1) for every real m."""
    m = sp.Symbol("m", real=True)
    wgt = 1 / (1 + sp.exp(m))
    assert sp.simplify(sp.diff(sp.log(1 + sp.exp(-m)), m) + wgt) == 0  # the stationarity weights are sigma(-m_i)
    assert wgt.is_positive is True
    # 1 - sigma(-m) = sigma(m) = e^m / (1 + e^m), again positive (sympy cannot decide 1 - wgt directly)
    rest = sp.exp(m) / (1 + sp.exp(m))
    assert sp.simplify(1 - wgt - rest) == 0 and rest.is_positive is True


@pytest.mark.parametrize(
    ("name", "min_beta", "min_share"),
    [("overlapping", 1e-2, 0.1), ("iris", 1e-4, 0.3)],
)
def test_t12_logistic_regression_weighs_the_svm_non_support_points_sampled(name, min_beta, min_share):
    """The package's logistic regression (network.train, linear + logistic) is a stationary point with weights
    beta_i = C sigma(-m_i) (computed with scipy, not the package); on the points the SVM certifies non-support
    (m_lo > 1, so alpha*_i = 0 by T06) every beta_i >= min_beta C and they carry >= min_share of the total weight;
    removing them leaves the SVM's w within its radii and moves logistic regression's w by more than 10%."""
    from scipy.special import expit

    import dualsvm as ds
    from dualsvm.network import train

    X, y = ds.datasets.make_overlapping(200, 3, seed=0) if name == "overlapping" else ds.datasets.load_iris_pair()
    p = ds.SVMProblem(ds.datasets.standardize(np.asarray(X, dtype=float)), y, C=1.0)
    svm = ds.solve_dual(p)
    N = np.flatnonzero(svm.margin_range[0] > 1.0)  # certified: alpha*_i = 0 for every optimal alpha* (T06)
    assert N.size >= p.n // 4
    lr = train(p.X, p.y, activation="linear", loss="logistic", C=p.C)
    m = p.y * (p.X @ lr.w + lr.b)
    beta = p.C * expit(-m)
    # stationarity of J = 1/2 |w|^2 + C sum ln(1 + e^-m_i): these beta are logistic regression's "dual" weights
    res_w, res_b = float(np.linalg.norm(lr.w - p.X.T @ (p.y * beta))), float(abs(p.y @ beta))
    assert res_w <= 1e-6 * max(1.0, float(np.linalg.norm(lr.w))), f"not stationary: |w - sum beta_i y_i x_i| = {res_w:.3g}"
    assert res_b <= 1e-6 * p.C * p.n, f"not stationary in b: |y^T beta| = {res_b:.3g}"
    assert beta[N].min() >= min_beta * p.C, f"smallest weight on the SVM's non-support points: {beta[N].min():.3g}"
    assert beta[N].sum() >= min_share * beta.sum(), f"their share of the weight: {beta[N].sum() / beta.sum():.3g}"
    # drop the SVM's non-support points: the SVM does not move, logistic regression does
    keep = np.setdiff1d(np.arange(p.n), N)
    p2 = ds.SVMProblem(p.X[keep], p.y[keep], C=p.C)
    svm2 = ds.solve_dual(p2)
    assert float(np.linalg.norm(svm.w - svm2.w)) <= svm.radius + svm2.radius
    lr2 = train(p2.X, p2.y, activation="linear", loss="logistic", C=p.C)
    moved = float(np.linalg.norm(lr.w - lr2.w) / np.linalg.norm(lr.w))
    assert moved >= 0.1, f"logistic regression moved only {moved:.3g} (relative) without the SVM's non-support points"
