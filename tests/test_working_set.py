"""The working-set refinement (dualsvm/working_set.py) where shrinking must act.

Elsewhere the working set is usually every point, so a ``refine`` that never
added a violator would pass. Here n = 2000, d = 2 and the initial working set
has 10 points: the frozen points' sign conditions fail after the first solve
and only their joining leads to the optimum from that working set.
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
def test_refine_from_a_poor_start_adds_violators_and_converges(big, C):
    p, opt = big[C]
    w0, b0 = opt.w + np.array([0.02, 0.01]), opt.b  # poor: dozens to hundreds of frozen points violate at first
    r = ws.refine(p, w0, b0, n_work=10)
    first = r.info["attempts"][0]
    assert first["n_work"] == 10 and first["n_working"] >= 10
    # Converged, to the optimum, and certified so.
    P = p.primal_objective(r.w, r.b)
    assert r.converged and r.gap <= 1e-10 * max(1.0, abs(P))
    assert r.gap == pytest.approx(P - p.dual_objective(r.alpha), abs=1e-12 * max(1.0, abs(P)))
    sol = certificate(p, r.w, r.b, r.alpha)
    assert sol.relative_gap <= 1e-10
    assert np.linalg.norm(r.w - opt.w) <= sol.radius + opt.radius
    # From the first working set, because the frozen points that violated joined it (not
    # because the working set was widened to every point), and shrinking kept it small.
    assert len(r.info["attempts"]) == 1 and first["n_joined"] > 0
    assert max(first["working_sizes"]) < p.n // 2
    np.testing.assert_array_equal(sol.margin_support, opt.margin_support)
    np.testing.assert_array_equal(sol.bound_support, opt.bound_support)


def test_refine_default_working_set_size_and_widening():
    X, y = ds.datasets.make_overlapping(300, 2, sep=3.0, seed=1)
    p = SVMProblem(X, y, C=1.0)
    opt = ds.solve_dual(p)
    r = ws.refine(p, opt.w, opt.b)
    assert [a["n_work"] for a in r.info["attempts"]] == [200]  # min(n, max(200, 10 (d + 1)))
    assert r.converged
    r = ws.refine(p, opt.w, opt.b, n_work=1000)
    assert r.info["attempts"][0]["n_work"] == 300  # never more than n
    # In 20 dimensions the default is 10 (d + 1) = 210.
    q = SVMProblem(*ds.datasets.make_overlapping(300, 20, seed=1), C=1.0)
    r = ws.refine(q, np.zeros(20), 0.0)
    assert r.info["attempts"][0]["n_work"] == 210 and r.converged


def test_refine_widens_the_working_set_when_the_engine_finds_nothing(monkeypatch):
    """A working set from which the engine finds no KKT point is widened 4x, up to every point."""
    p = SVMProblem(*ds.datasets.make_overlapping(300, 2, sep=3.0, seed=1), C=1.0)
    real = ws.solve_working_set
    sizes = []

    def fails_below_all(problem, w, b, work, at_C, **kw):
        sizes.append(int(work.sum()))
        if work.sum() < problem.n:
            return None, {"data_passes": 0.0, "outcome": "forced failure"}
        return real(problem, w, b, work, at_C, **kw)

    monkeypatch.setattr(ws, "solve_working_set", fails_below_all)
    r = ws.refine(p, np.zeros(2), 0.0, n_work=10)
    assert sizes == [10, 40, 160, 300] and r.converged
    assert certificate(p, r.w, r.b, r.alpha).relative_gap <= 1e-10
    # The record's data passes: one for the margins, plus each attempt's.
    monkeypatch.setattr(ws, "solve_working_set", lambda *a, **kw: (None, {"data_passes": 0.5}))
    r = ws.refine(p, np.zeros(2), 0.0, n_work=10)
    assert not r.converged and len(r.info["attempts"]) == 4 and r.info["data_passes"] == 3.0


def test_refine_balances_the_frozen_costs():
    """Frozen at C: every positive point below the margin; the working set then needs enough
    negative cost to balance y^T alpha = 0, and gets it from the frozen points nearest the margin."""
    p = hand_two_margin()  # y = (+1, -1, +1, -1)
    w, b = np.array([1.0, 0.0]), -3.0  # positive points 0 and 2 have margins -2 and 1
    work = np.array([False, False, True, False])
    at_C = np.array([True, False, False, False])  # y_U^T C_U = 1, but the working set holds no negative point
    order = np.argsort(np.abs(p.margins(w, b) - 1.0), kind="stable")
    joined = ws._balance(work, at_C, p.y, p.costs, order)
    r = float((p.y * p.costs)[at_C].sum())  # what the working set must balance now
    assert joined >= 1 and p.costs[work & (p.y == -np.sign(r or 1.0))].sum() > abs(r)
    assert not np.any(work & at_C)
    r = ws.refine(p, w, b, n_work=1)
    assert r.converged and r.info["attempts"][0]["n_balance"] >= 1
    np.testing.assert_allclose(r.alpha, [0.5, 0.5, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(r.w, [1.0, 0.0], atol=1e-12)


def test_refine_falls_back_to_the_naive_dual_point():
    """When the engine finds no KKT point (here: its time is spent) the result is alpha = C [m < 1], projected."""
    p = hand_two_margin()
    w, b = np.array([1.0, 0.0]), -3.0
    r = ws.refine(p, w, b, n_work=1, deadline=0.0)
    assert r.converged is False and len(r.info["attempts"]) == 1
    m = p.margins(w, b)
    a = ds.project_dual(np.where(m < 1.0, p.C, 0.0), p.y, p.C)
    np.testing.assert_array_equal(r.alpha, a)
    np.testing.assert_allclose(r.w, p.X.T @ (p.y * a))
    assert r.b == 0.5 * sum(ds.argmin_b(p, r.w))
    assert r.gap == pytest.approx(p.primal_objective(r.w, r.b) - p.dual_objective(r.alpha))


def test_engine_on_a_working_set_is_exact_on_the_hand_case():
    p = hand_two_margin()
    found, info = ds.ipm.solve_working_set(p, np.zeros(2), 0.0, np.ones(4, bool), np.zeros(4, bool))
    w, b, a = found
    np.testing.assert_allclose(a, [0.5, 0.5, 0.0, 0.0], atol=1e-14)
    np.testing.assert_allclose(w, [1.0, 0.0], atol=1e-14)
    assert b == pytest.approx(-1.0, abs=1e-14) and info["outcome"] == "KKT point" and info["exact"]
    # Frozen coefficients are exactly 0 or C: point 3 frozen at 0, the rest free to move.
    found, _ = ds.ipm.solve_working_set(p, np.zeros(2), 0.0, np.array([True, True, True, False]), np.zeros(4, bool))
    assert found[2][3] == 0.0
    np.testing.assert_allclose(found[2], [0.5, 0.5, 0.0, 0.0], atol=1e-14)


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


def _balance_case(sign: float):
    """Six points of positive cost (point 3 costs 0.27, the rest 0.25) and six of cost 0, labels
    times ``sign``: points 0 and 1 (class +sign) frozen at C, so r = y_U^T C_U = 0.5 sign; the working
    set holds point 3 (class -sign, 0.27). Point 2 (class +sign, frozen at 0) comes first in the
    order but cannot help."""
    y = sign * np.array([1.0, 1.0, 1.0, -1.0, -1.0, -1.0] + [-1.0] * 6)
    C = np.array([0.25, 0.25, 0.25, 0.27, 0.25, 0.25] + [0.0] * 6)
    work = np.zeros(12, bool)
    work[3] = True
    at_C = np.zeros(12, bool)
    at_C[:2] = True
    return work, at_C, y, C, np.array([2, 4, 0, 5, 1])  # the order lists the points of positive cost only


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_balance_joins_the_nearest_points_that_close_the_deficit(sign):
    """_balance as its docstring states: |r| = 0.5 against 0.27 of the other class in the working set,
    plus a spare of a tenth of the median positive cost (0.025): a deficit of 0.255. The points that
    help are of the other class frozen at 0 (4, 5) or of the excess class frozen at C (0, 1); in the
    given order, 4 (0.25) and then 0 close it, and 0 leaves the frozen-at-C set."""
    work, at_C, y, C, order = _balance_case(sign)
    assert ws._balance(work, at_C, y, C, order) == 2
    assert np.flatnonzero(work).tolist() == [0, 3, 4]
    assert np.flatnonzero(at_C).tolist() == [1]
    # Balanced now: the working set's cost of the other class exceeds what is still frozen at C.
    r = float((y * C)[at_C].sum())
    assert C[work & (y == -np.sign(r))].sum() > abs(r)


def test_balance_leaves_a_balanced_working_set_alone():
    """No deficit (the working set already holds 0.27 + 0.5 of the other class against 0.5 + the
    spare): nothing joins and 0 is returned."""
    work, at_C, y, C, order = _balance_case(1.0)
    work[[4, 5]] = True
    before = work.copy()
    assert ws._balance(work, at_C, y, C, order) == 0
    np.testing.assert_array_equal(work, before)


def test_refine_starts_from_the_points_nearest_the_margin(monkeypatch):
    """The first working set is the n_work points of positive cost with the smallest |m_i - 1|
    (plus those _balance adds, counted in n_balance); the engine gets refine's target_gap and the
    margins already computed (no second pass over the data for them)."""
    p = SVMProblem(*ds.datasets.make_overlapping(60, 2, seed=2), C=1.0)
    w, b = np.array([0.7, -0.4]), 0.2
    real = ws.solve_working_set
    first, kws = [], []

    def spy(problem, w_, b_, work, at_C, **kw):
        first.append(work.copy())
        kws.append(kw)
        return real(problem, w_, b_, work, at_C, **kw)

    monkeypatch.setattr(ws, "solve_working_set", spy)
    r = ws.refine(p, w, b, n_work=8, target_gap=1e-6)
    nearest = np.argsort(np.abs(p.margins(w, b) - 1.0))[:8]
    assert set(nearest.tolist()) <= set(np.flatnonzero(first[0]).tolist())
    assert first[0].sum() == 8 + r.info["attempts"][0]["n_balance"]
    assert kws[0]["target_gap"] == 1e-6
    np.testing.assert_array_equal(kws[0]["margins"], p.margins(w, b))
