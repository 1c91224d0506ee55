"""T11 a ReLU output with the hinge is not the SVM (structural part), T12 logistic regression has no exact support vectors."""

from __future__ import annotations

import numpy as np
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
    """sigma(-m) = 1 / (1 + e^m) lies in (0, 1) for every real m: no weight is exactly 0 or 1."""
    m = sp.Symbol("m", real=True)
    wgt = 1 / (1 + sp.exp(m))
    assert wgt.is_positive is True
    # 1 - sigma(-m) = sigma(m) = e^m / (1 + e^m), again positive (sympy cannot decide 1 - wgt directly)
    rest = sp.exp(m) / (1 + sp.exp(m))
    assert sp.simplify(1 - wgt - rest) == 0 and rest.is_positive is True


def test_t12_logistic_regression_is_dense_sampled():
    """Sampled: a fitted LogisticRegression gives every training point a positive weight sigma(-m_i)."""
    from scipy.special import expit
    from sklearn.linear_model import LogisticRegression

    import dualsvm as ds

    X, y = ds.datasets.make_overlapping(200, 3, seed=0)
    lr = LogisticRegression(C=1.0, tol=1e-10).fit(X, y)
    m = y * lr.decision_function(X)
    weights = expit(-m)
    assert np.all(weights > 0) and np.all(weights < 1)
    svm = ds.solve_dual(ds.SVMProblem(X, y, C=1.0))
    assert svm.support.size < X.shape[0]  # the SVM's alpha is sparse
