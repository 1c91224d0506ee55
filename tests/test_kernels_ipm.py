"""solve_ipm on kernel factors: a finish attempt on a wrong frozen partition is given up, never accepted."""

from __future__ import annotations

import numpy as np
import pytest

import dualsvm as ds
from dualsvm import ipm

pytest.importorskip("sklearn")
from sklearn.datasets import make_moons  # noqa: E402


def _moons_rbf(n: int) -> ds.SVMProblem:
    X, y = make_moons(n, noise=0.3, random_state=0)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return ds.SVMProblem(X, y, C=1.0, kernel="rbf", gamma="scale")


def test_finish_on_a_wrong_partition_is_abandoned_and_the_answer_stays_exact(monkeypatch):
    # Force what happened at 10,000 moons points (225 working-set steps): a finish
    # entered while complementarity still misreads the partition. kappa = 1 freezes
    # every point that leans to a bound, from the first iteration on.
    problem = _moons_rbf(600)
    reference = ds.solve_ipm(problem)
    assert reference.success
    monkeypatch.setattr(ipm, "_KAPPA", 1.0)
    sol = ds.solve_ipm(problem, finish_below=1.0)
    outcomes = [a["outcome"] for a in sol.extras["finish"]]
    assert outcomes[0] == "abandoned: mass join"  # the scenario under test did happen
    assert outcomes[-1] == "KKT point"
    # The abandoned attempt's candidate was not taken: the answer is certified and
    # is the reference's optimum within the two radii.
    assert sol.success and sol.relative_gap <= 1e-9
    assert np.linalg.norm(sol.w - reference.w) <= sol.radius + reference.radius
    np.testing.assert_array_equal(sol.bound_support, reference.bound_support)
    np.testing.assert_array_equal(sol.non_support, reference.non_support)


def test_a_later_attempt_waits_for_a_tenfold_smaller_gap_estimate(monkeypatch):
    problem = _moons_rbf(600)
    monkeypatch.setattr(ipm, "_KAPPA", 1.0)
    sol = ds.solve_ipm(problem, finish_below=1.0)
    attempts, history = sol.extras["finish"], sol.extras["history"]
    failed = [a for a in attempts if a["outcome"] != "KKT point"]
    assert failed
    for prev, nxt in zip(attempts[:-1], attempts[1:], strict=True):
        est_prev = history[prev["iteration"]]["rel_gap_estimate"]
        est_next = history[nxt["iteration"]]["rel_gap_estimate"]
        assert est_next <= ipm._GATE_AFTER_FAILURE * est_prev


def test_solve_working_set_never_abandons():
    # refine's entry (OSQP's, cvxpy's and outside candidates) has no interior iteration to go back
    # to: with the same wrong start it joins the violators and finishes.
    problem = _moons_rbf(300)
    ref = ds.solve_ipm(problem)
    work = np.zeros(problem.n, bool)
    work[:20] = True
    found, info = ipm.solve_working_set(problem, np.zeros(problem.d), 0.0, work, np.zeros(problem.n, bool))
    assert info["outcome"] != "abandoned: mass join"
    if found is not None:
        sol = ds.certify(problem, found[0], found[1], found[2])
        assert np.linalg.norm(sol.w - ref.w) <= sol.radius + ref.radius


def test_a_free_set_fitted_only_by_a_huge_w_is_not_consistent():
    # Rows of a kernel factor: trailing columns tiny. 20 points on 10 features can lie on
    # y = X w + b exactly, but only with ||w|| ~ 1e7, far beyond sqrt(2 sum C) >= ||w*||:
    # such a free set is no optimum's, and its dense KKT solve is not worth doing.
    rng = np.random.default_rng(0)
    XF = rng.standard_normal((20, 10))
    XF[:, 5:] *= 1e-7
    w0 = np.concatenate([rng.standard_normal(5), 1e7 * rng.standard_normal(5)])
    yF = XF @ w0 + 0.3
    assert ipm._margins_consistent(XF, yF)  # the residual test alone: an exact fit exists
    assert not ipm._margins_consistent(XF, yF, w_bound=100.0)
    # a fit within the bound passes
    w1 = np.concatenate([rng.standard_normal(5), np.zeros(5)])
    assert ipm._margins_consistent(XF, XF @ w1 - 0.2, w_bound=100.0)
    assert not ipm._margins_consistent(XF, XF @ w1 - 0.2 + 1e-3 * rng.standard_normal(20), w_bound=100.0)
