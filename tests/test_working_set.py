"""The working-set refinement (dualsvm/working_set.py) where shrinking must act.

Elsewhere the working set is usually every point, so a ``refine`` that never
added a violator would pass. Here n = 2000, d = 2 and the initial working set
has 10 points: the fixed points' sign conditions fail after the first solve
and only adding those violators leads to the optimum (measured: without
``work |= viol`` none of these starts converges in 20 outer steps; the
relative gap stays at 0.1 to 1).
"""

from __future__ import annotations

import numpy as np
import pytest
from oracle import AT_C, FREE, exact_optimum
from problems import hand_no_free, hand_two_margin

import dualsvm as ds
import dualsvm.working_set as ws
from dualsvm import SVMProblem
from dualsvm.certificates import certificate


@pytest.fixture(scope="module")
def big():
    """n = 2000, d = 2, well separated means; solved once per C."""
    X, y = ds.datasets.make_overlapping(2000, 2, sep=3.0, seed=0)
    return {C: (p := SVMProblem(X, y, C=C), ds.solve_dual(p)) for C in (0.1, 1.0, 10.0)}


@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_refine_from_a_poor_start_adds_violators_and_converges(big, C, monkeypatch):
    p, opt = big[C]
    w0, b0 = opt.w + np.array([0.02, 0.01]), opt.b  # poor: dozens to hundreds of fixed points violate after the first solve
    calls = []
    real = ws.solve_working_set

    def recording(problem, work, at_C, **kw):
        alpha, info = real(problem, work, at_C, **kw)
        calls.append((work.copy(), at_C.copy(), alpha))
        return alpha, info

    monkeypatch.setattr(ws, "solve_working_set", recording)
    r = ws.refine(p, w0, b0, n_work=10)
    assert r.info[0]["n_work"] == 10
    # Converged, to the optimum, and certified so.
    P = p.primal_objective(r.w, r.b)
    assert r.converged and r.gap <= 1e-10 * max(1.0, abs(P))
    assert r.gap == pytest.approx(P - p.dual_objective(r.alpha), abs=1e-12 * max(1.0, abs(P)))
    sol = certificate(p, r.w, r.b, r.alpha)
    assert sol.relative_gap <= 1e-10
    assert np.linalg.norm(r.w - opt.w) <= sol.radius + opt.radius
    # Violators were found and added: each step's working set holds the previous one and its violators.
    n_viol = [i.get("n_violators", 0) for i in r.info]
    assert max(n_viol) > 0 and n_viol[-1] == 0
    assert len(calls) == len(r.info) == r.n_outer
    for k in range(len(calls) - 1):
        work, at_C, alpha = calls[k]
        if alpha is None:
            continue
        w1, b1, _, _ = ws.polish(p, alpha)
        m_new = p.y * (p.X @ w1 + b1)
        viol = (at_C & (m_new > 1 + 1e-10)) | (~work & ~at_C & (m_new < 1 - 1e-10))
        assert viol.sum() == r.info[k]["n_violators"] > 0
        nxt = calls[k + 1][0]
        assert np.all(nxt[work | viol]), f"step {k}: {int(np.sum((work | viol) & ~nxt))} violators not added"
        assert not np.any(nxt & calls[k + 1][1])  # a working point is never also fixed at C
    # Shrinking acted: the final working set is a fraction of the data.
    assert r.info[-1]["n_work"] < p.n // 2


def test_refine_default_working_set_size_and_doubling():
    X, y = ds.datasets.make_overlapping(300, 2, sep=3.0, seed=1)
    p = SVMProblem(X, y, C=1.0)
    opt = ds.solve_dual(p)
    r = ws.refine(p, opt.w, opt.b)
    assert r.info[0]["n_work"] == 200  # min(n, max(200, 10 (d + 1)))
    assert r.converged and r.n_outer == 1 and r.info[0]["n_violators"] == 0
    r = ws.refine(p, opt.w, opt.b, n_work=1000)
    assert r.info[0]["n_work"] == 300  # never more than n
    # A working set that cannot balance y^T alpha = 0 doubles and tries again.
    r = ws.refine(p, np.zeros(2), 5.0, n_work=1, max_outer=3)
    assert [(i["n_work"], i["status"]) for i in r.info] == [(1, "PrimalInfeasible"), (2, "PrimalInfeasible"), (4, "PrimalInfeasible")]
    assert r.n_outer == 3 and r.converged is False
    r = ws.refine(p, np.zeros(2), 5.0, max_outer=0)  # no step: the naive dual point
    assert r.n_outer == 0 and r.info == [] and r.converged is False
    # In 20 dimensions the default is 10 (d + 1) = 210.
    q = SVMProblem(*ds.datasets.make_overlapping(300, 20, seed=1), C=1.0)
    r = ws.refine(q, np.zeros(20), 0.0, max_outer=1)
    assert r.info[0]["n_work"] == 210 and r.info[0]["status"] == "Solved" and r.info[0]["iter"] >= 1


def test_refine_falls_back_to_the_naive_dual_point():
    """When no working-set solve succeeds the result is the naive alpha = C [m < 1], projected."""
    p = hand_two_margin()
    w, b = np.array([1.0, 0.0]), -3.0  # every margin of a positive point < 1: at_C unbalanced
    r = ws.refine(p, w, b, n_work=1, max_outer=1)
    assert r.info[0]["status"] != "Solved" and r.n_outer == 1 and r.converged is False
    m = p.margins(w, b)
    a = ds.project_dual(np.where(m < 1.0, p.C, 0.0), p.y, p.C)
    np.testing.assert_array_equal(r.alpha, a)
    np.testing.assert_allclose(r.w, p.X.T @ (p.y * a))
    assert r.b == 0.5 * sum(ds.argmin_b(p, r.w))
    assert r.gap == pytest.approx(p.primal_objective(r.w, r.b) - p.dual_objective(r.alpha))


def test_solve_working_set_infeasible_and_feasible():
    p = hand_two_margin()  # y = (+1, -1, +1, -1), C = 1
    work = np.array([True, False, False, False])
    # alpha_0 must equal C * (number of fixed negatives) = 2 > C: infeasible.
    alpha, info = ws.solve_working_set(p, work, np.array([False, True, False, True]))
    assert alpha is None and "Solved" not in info["status"] and info["n_work"] == 1
    alpha, info = ws.solve_working_set(p, np.ones(4, bool), np.zeros(4, bool))
    assert info["status"] == "Solved" and info["n_work"] == 4
    np.testing.assert_allclose(alpha, [0.5, 0.5, 0.0, 0.0], atol=1e-8)
    # Fixed coefficients are exactly 0 or C.
    alpha, _ = ws.solve_working_set(p, np.array([True, False, True, False]), np.array([False, True, False, False]))
    assert alpha[1] == 1.0 and alpha[3] == 0.0 and abs(alpha[0] + alpha[2] - 1.0) <= 1e-8


def test_kkt_solve_is_exact_on_the_optimal_partition():
    p = hand_two_margin()
    a = ws.kkt_solve(p, np.array([True, True, False, False]), np.zeros(4, bool))
    np.testing.assert_allclose(a, [0.5, 0.5, 0.0, 0.0], rtol=0, atol=1e-15)
    a = ws.kkt_solve(hand_no_free(), np.zeros(2, bool), np.ones(2, bool))
    np.testing.assert_array_equal(a, [0.25, 0.25])
    for seed in range(3):
        q = SVMProblem(*ds.datasets.make_overlapping(25, 3, seed=seed), C=2.0)
        ex = exact_optimum(q)
        free = np.array([v == FREE for v in ex.partition])
        at_C = np.array([v == AT_C for v in ex.partition])
        a = ws.kkt_solve(q, free, at_C)
        np.testing.assert_allclose(a, [float(v) for v in ex.alpha], rtol=0, atol=1e-12 * q.C)


def test_polish_keeps_the_better_triple():
    p = SVMProblem(*ds.datasets.make_overlapping(40, 2, seed=5), C=1.0)
    opt = ds.solve_dual(p)
    noisy = np.clip(opt.alpha + 1e-9 * np.random.default_rng(0).standard_normal(p.n), 0, p.C)
    w, b, a, gap = ws.polish(p, noisy)
    start = ws.exact_triple(p, noisy)
    assert gap <= start[3] and gap <= 1e-12 * max(1.0, p.primal_objective(w, b))
    assert gap == pytest.approx(p.primal_objective(w, b) - p.dual_objective(a), abs=1e-14)
    assert a.min() >= 0 and a.max() <= p.C and abs(p.y @ a) <= 1e-15
    np.testing.assert_allclose(w, p.X.T @ (p.y * a), atol=1e-14)
    # An alpha with no free coefficient: the point nearest the margin is taken as free. Here
    # (hand_no_free, alpha = C on both) that is already the optimum: the exact answer comes back.
    q = hand_no_free()
    w2, b2, a2, gap2 = ws.polish(q, np.array([0.25, 0.25]))
    np.testing.assert_array_equal(a2, [0.25, 0.25])
    np.testing.assert_array_equal(w2, [0.5, 0.0])
    assert b2 == 0.0 and gap2 == 0.0


def test_refine_is_silent(capfd):
    """The interior-point solver's log is switched off."""
    p = hand_two_margin()
    ws.refine(p, np.array([1.0, 0.0]), -1.0)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_converged_needs_the_gap_not_only_no_violators(monkeypatch):
    """Without the exact KKT polish the interior-point answer leaves a relative gap of ~2e-11:
    no fixed point violates its sign condition, yet refine must not call that converged."""
    p = SVMProblem(*ds.datasets.make_overlapping(300, 2, sep=3.0, seed=1), C=1.0)
    opt = ds.solve_dual(p)
    monkeypatch.setattr(ws, "polish", lambda problem, alpha: ws.exact_triple(problem, alpha))
    r = ws.refine(p, opt.w, opt.b)
    assert r.info[-1]["n_violators"] == 0
    assert r.gap > 1e-12 * max(1.0, abs(p.dual_objective(r.alpha))) and r.converged is False
