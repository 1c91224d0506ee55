"""Losses, the one-layer network, and the answer to 'is a ReLU network an SVM?' (issue 5)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from dualsvm import losses
from dualsvm.datasets import load_iris_pair
from dualsvm.network import train
from dualsvm.question import answer

Z = np.array([-1e4, -50.0, -1.0, 0.0, 0.5, 1.0, 2.0, 50.0, 1e4])


def test_losses_by_hand_and_against_scipy():
    np.testing.assert_array_equal(losses.hinge([-1.0, 0.0, 1.0, 3.0]), [2.0, 1.0, 0.0, 0.0])
    np.testing.assert_array_equal(losses.hinge(Z), np.maximum(0, 1 - Z))  # = ReLU(1 - z)
    np.testing.assert_array_equal(losses.squared_hinge([0.0, 2.0, -1.0]), [1.0, 0.0, 4.0])
    np.testing.assert_array_equal(losses.zero_one([-1.0, 0.0, 1e-9]), [1.0, 1.0, 0.0])
    assert losses.logistic(0.0) == pytest.approx(np.log(2.0))
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is the right answer
        val, grad = losses.logistic(Z), losses.logistic_grad(Z)
    assert np.all(np.isfinite(val)) and np.all(np.isfinite(grad))
    np.testing.assert_allclose(val, -special.log_expit(Z), rtol=1e-12)
    assert val[0] == pytest.approx(1e4) and val[-1] == 0.0
    np.testing.assert_allclose(grad, -special.expit(-Z), rtol=1e-15)
    # derivatives against finite differences away from kinks
    for name, (f, g) in losses.LOSSES.items():
        for z in (-0.7, 0.3, 1.6):
            h = 1e-6
            assert g(z) == pytest.approx((f(z + h) - f(z - h)) / (2 * h), abs=1e-6), name
    assert losses.hinge_grad(1.0) == 0.0 and losses.hinge_grad(0.999) == -1.0


def test_network_rejects_unknown_names():
    X, y = load_iris_pair()
    with pytest.raises(ValueError, match=r"activation must be one of \['linear', 'relu', 'sigmoid'\], got 'tanh'"):
        train(X, y, activation="tanh", loss="hinge")
    with pytest.raises(ValueError, match=r"loss must be one of \['hinge', 'logistic', 'cross_entropy', 'squared'\]"):
        train(X, y, activation="relu", loss="mse")


@pytest.fixture(scope="module")
def ans():
    X, y = load_iris_pair()
    return answer(X, y, C=1.0, seed=0)


def _row(ans, act, loss):
    return next(r for r in ans.rows if (r["activation"], r["loss"]) == (act, loss))


def test_claim1_linear_hinge_is_the_svm(ans):
    net = ans.runs[("linear", "hinge")]
    assert net.certificate is not None and net.certificate.relative_gap <= 1e-4
    assert np.linalg.norm(net.w - ans.svm.w) <= net.certificate.radius + ans.svm.radius
    assert _row(ans, "linear", "hinge")["agreement"] == 1.0


def test_claim2_logistic_regression_two_ways_matches_sklearn(ans):
    lm = pytest.importorskip("sklearn.linear_model")
    a, b = ans.runs[("linear", "logistic")], ans.runs[("sigmoid", "cross_entropy")]
    np.testing.assert_allclose(a.w, b.w, rtol=1e-8)
    assert a.b == pytest.approx(b.b, rel=1e-8)
    assert a.certificate is None  # not our model: not certified as an SVM
    lr = lm.LogisticRegression(C=1.0, tol=1e-12, max_iter=100_000).fit(ans.problem.X, ans.problem.y)
    assert np.linalg.norm(a.w - lr.coef_[0]) / np.linalg.norm(lr.coef_[0]) <= 1e-4
    assert a.b == pytest.approx(lr.intercept_[0], rel=1e-4)


def test_claim3_relu_variants_are_not_the_svm(ans):
    for loss in ("hinge", "squared", "cross_entropy"):
        row = _row(ans, "relu", loss)
        assert row["distance_in_radii"] > 1e3, loss  # far beyond the SVM's certified radius
        assert row["svm_relative_gap"] > 1e-1, loss  # and certifiably not optimal for the SVM
        assert "NOT the SVM" in row["verdict"]
    for loss in ("hinge", "squared"):  # every negative example costs >= 1 (proofs/T11)
        net = ans.runs[("relu", loss)]
        neg = ans.problem.y < 0
        out = net.output(ans.problem.X[neg])
        assert np.all(out >= 0)
        cost = losses.hinge(-out) if loss == "hinge" else (out + 1.0) ** 2
        assert cost.min() >= 1.0


def test_claim3_dead_unit_is_reported_and_is_a_spurious_stationary_point(ans):
    dead = ans.dead_unit
    assert dead.dead_at_init and dead.dead_at_end and dead.all_outputs_zero
    assert dead.objective > ans.alive_unit.objective  # a worse stationary point: non-convex
    assert dead.objective == pytest.approx(ans.problem.C * ans.problem.n, rel=1e-6)  # every (0 - y)^2 = 1
    assert "every output 0 = True" in str(ans)


def test_claim4_sparsity(ans):
    assert ans.n_svm_zero_alpha > 0 and ans.n_logistic_zero_weight == 0 and 0 < ans.min_logistic_weight < 1


def test_relu_cli_reads_as_an_answer(capsys):
    from dualsvm.cli import main

    assert main(["relu"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Is a one-layer network with a ReLU output an SVM?  No.")
    for text in ("linear + hinge", "logistic regression", "NOT the SVM", "dead ReLU unit", "no exact support vectors"):
        assert text in out
