"""The certificate's documented rounding allowances and kkt residuals, against exact arithmetic.

The exact oracle (tests/test_oracle.py) shows every certificate *valid*; it cannot see an allowance
that is 3 times too large (still valid) or 3 times too small (the allowances have about tenfold slack
on real data). Here each allowance of ``gap_floor``, as documented in the module docstring of
``dualsvm/certificates.py``, is evaluated independently in ``fractions.Fraction`` from the exact
margins, the exact Z^T alpha and the exact gap identity, on data crafted so that it is the largest
term, and compared with the certificate's ``gap_floor``. The float evaluation inside the certificate
differs from the exact one by a relative 1e-15 or so; an allowance off by a factor (2 for 3, k for
k + 1 in gamma_k) moves gap_floor by far more than the 1e-9 allowed here.
"""

from __future__ import annotations

import math
from fractions import Fraction as Fr

import numpy as np
import pytest
from oracle import fr
from problems import hand_two_margin

import dualsvm as ds
from dualsvm import SVMProblem
from dualsvm.certificates import certificate

U = Fr(2) ** -53  # unit roundoff of float64
UE = fr(float(np.finfo(np.longdouble).eps)) / 2  # of longdouble (== U where longdouble is double)


def gamma(k: int, u: Fr = UE) -> Fr:
    """Higham's gamma_k = k u / (1 - k u), exactly."""
    return k * u / (1 - k * u)


def norm(v: list[Fr]) -> Fr:
    """sqrt of a sum of squares, to well within 1e-15 (the tests compare at 1e-9)."""
    return fr(math.sqrt(float(sum((x * x for x in v), Fr(0)))))


def documented_floor(p: SVMProblem, sol: ds.Solution) -> dict[str, Fr]:
    """Each term of gap_floor as documented, evaluated exactly at (w, b, alpha) of ``sol``
    (alpha: the projected dual point the certificate used)."""
    n, d = p.n, p.d
    X = [[fr(v) for v in row] for row in p.X]
    y = [int(v) for v in p.y]
    C = [fr(v) for v in p.costs]
    w, b, a = [fr(v) for v in sol.w], fr(sol.b), [fr(v) for v in sol.alpha]
    m = [y[i] * (sum((X[i][j] * w[j] for j in range(d)), Fr(0)) + b) for i in range(n)]
    v = [sum((a[i] * y[i] * X[i][j] for i in range(n)), Fr(0)) for j in range(d)]
    r_wv = [w[j] - v[j] for j in range(d)]
    brackets = [C[i] * max(Fr(0), 1 - m[i]) - a[i] * (1 - m[i]) for i in range(n)]
    G_hat = sum((x * x for x in r_wv), Fr(0)) / 2 + sum(brackets, Fr(0))  # y^T alpha = 0 here: no b term
    delta = [2 * gamma(d + 2) * (sum((abs(X[i][j]) * abs(w[j]) for j in range(d)), Fr(0)) + abs(b)) for i in range(n)]
    eps = [2 * gamma(n + 2) * sum((abs(X[i][j]) * a[i] for i in range(n)), Fr(0)) for j in range(d)]
    lip = [max(C[i] - a[i] if 1 - m[i] > -2 * delta[i] else Fr(0), a[i] if 1 - m[i] < 2 * delta[i] else Fr(0)) for i in range(n)]
    nrm, ne = norm(r_wv), norm(eps)
    terms = {
        "brackets": 2 * (1 + gamma(n, U)) * sum((lip[i] * delta[i] for i in range(n)), Fr(0)),
        "square": 2 * (nrm * ne + ne * ne / 2) + gamma(d + 2) * nrm * nrm,
        "sum": G_hat * (gamma(n + d + 6) + 4 * U),
    }
    terms["G_hat"] = G_hat
    return terms


def close(a: Fr, b: Fr, rel: float = 1e-9) -> bool:
    """|a - b| <= rel |b|, with no absolute floor (pytest.approx's 1e-12 would hide every allowance)."""
    return abs(a - b) <= fr(rel) * abs(b)


def check_floor(p: SVMProblem, sol: ds.Solution, binding: str) -> dict[str, Fr]:
    """gap_floor equals the documented sum of its terms (y^T alpha = 0, so no balance term), and
    ``binding`` is more than 90 % of it; the gap and radius follow from it as documented."""
    assert sol.kkt["dual_equality"] == 0.0  # the crafted dual points are balanced exactly
    t = documented_floor(p, sol)
    floor = t["brackets"] + t["square"] + t["sum"]
    assert t[binding] > Fr(9, 10) * floor, {k: float(v) for k, v in t.items()}
    assert close(fr(sol.gap_floor), floor), (float(fr(sol.gap_floor) / floor), {k: float(v) for k, v in t.items()})
    G = (t["G_hat"] + floor) * (1 + 4 * U)
    assert close(fr(sol.duality_gap), G)
    assert close(fr(sol.radius), fr(math.sqrt(2 * float(G))))
    return t


def test_margin_allowance_is_binding_at_an_exact_optimum():
    """hand_two_margin at its exact optimum: the identity is exactly 0, w = Z^T alpha exactly, so
    gap_floor is the brackets' allowance, from the two points on the margin (slope 1/2 on each side)."""
    p = hand_two_margin()
    sol = certificate(p, [1.0, 0.0], -1.0, [0.5, 0.5, 0.0, 0.0])
    t = check_floor(p, sol, "brackets")
    # By hand: delta_0 = 2 gamma_4 (2 + 1), delta_1 = 2 gamma_4 (0 + 1), L_0 = L_1 = 1/2, points 2, 3 off the margin.
    assert t["brackets"] == 2 * (1 + gamma(4, U)) * (Fr(1, 2) * 2 * gamma(4) * 3 + Fr(1, 2) * 2 * gamma(4) * 1)


def test_margin_allowance_counts_the_steeper_side_of_the_kink():
    """Four points on the margin with alpha_i = 1/4 and w = Z^T alpha = (1, 0), b = 0: the identity
    is exactly 0. Bracket i has slope C - alpha_i below margin 1 and alpha_i above; the allowance
    counts the larger: 3/4 at C = 1, and 1/4 (not C - alpha_i = 1/20) at C = 0.3."""
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [1.0, 0.0], [-1.0, 0.0]])
    y = np.array([1.0, -1.0, 1.0, -1.0])
    for C, slope in ((1.0, Fr(3, 4)), (0.3, Fr(1, 4))):
        p = SVMProblem(X, y, C=C)
        sol = certificate(p, [1.0, 0.0], 0.0, [0.25] * 4)
        t = check_floor(p, sol, "brackets")
        assert t["brackets"] == 2 * (1 + gamma(4, U)) * 4 * slope * 2 * gamma(4) * 1  # |x_i|^T |w| + |b| = 1


def test_square_allowance_is_binding_near_an_all_at_C_optimum():
    """Every alpha* = C (C = 2^-10, integer data): w* = C sum y_i x_i is exact in float. A candidate
    w* + e with |e| = 1e-9: no margin is near 1 (no bracket allowance), the identity is |e|^2 / 2,
    and the allowance for Z^T alpha, 2 |e| |eps|, is the largest term."""
    rng = np.random.default_rng(3)
    X = rng.integers(-3, 4, size=(24, 2)).astype(float)
    y = np.where(np.arange(24) % 2 == 0, 1.0, -1.0)
    p = SVMProblem(X, y, C=2.0**-10)
    w_star = p.C * (X.T @ y)
    alpha = np.full(24, p.C)
    assert np.all(p.margins(w_star, 0.0) < 1 - 1e-3)  # all at C: every margin below 1
    e = np.array([1e-9, 0.0])
    sol = certificate(p, w_star + e, 0.0, alpha)
    check_floor(p, sol, "square")


def test_sum_allowance_is_binding_far_from_the_optimum():
    """A poor candidate and a poor balanced dual point: the identity is of order 1 and its own rounding,
    G_hat (gamma_{n+d+6} + 4u), is the largest term."""
    X, y = ds.datasets.make_overlapping(30, 3, seed=4)
    p = SVMProblem(X, y, C=1.0)
    pos, neg = np.flatnonzero(p.y > 0), np.flatnonzero(p.y < 0)
    alpha = np.zeros(p.n)
    k = min(pos.size, neg.size)
    alpha[pos[:k]] = alpha[neg[:k]] = 0.375  # equal pairs: y^T alpha = 0 exactly
    sol = certificate(p, [0.3, -0.2, 0.1], 0.05, alpha)
    assert 0.1 < sol.duality_gap
    check_floor(p, sol, "sum")


def test_balance_term_scales_with_y_alpha():
    """A dual point balanced only to rounding (solve_dual's, projected): gap_floor exceeds the other
    documented terms by (|b| + B) |y^T alpha| (1 + 8u), with B the largest end of a first b interval:
    at least that of the certified one (which it contains), and not much more."""
    for seed in range(40):
        X, y = ds.datasets.make_overlapping(12, 2, seed=seed)
        p = SVMProblem(X, y, C=1.0)
        opt = ds.solve_dual(p)
        sol = certificate(p, opt.w, opt.b, opt.alpha)
        yta = fr(sol.kkt["dual_equality"])
        t = documented_floor(p, sol)
        rest = fr(sol.gap_floor) - (t["brackets"] + t["square"] + t["sum"])
        if yta == 0 or rest < fr(sol.gap_floor) / 2:
            continue  # balanced exactly, or the balance term not the largest: no precise reading of B
        B = rest / (yta * (1 + 8 * U)) - abs(fr(sol.b))
        ends = max(abs(fr(sol.b_interval[0])), abs(fr(sol.b_interval[1])))
        assert ends <= B <= ends * Fr(101, 100), (float(B), float(ends))
        return
    pytest.fail("no dual point left unbalanced by rounding in 40 seeds")


def test_dual_box_is_measured_before_the_projection():
    """kkt["dual_box"] = max(0, -min alpha_i, max(alpha_i - C_i)) of alpha as supplied (it was always 0:
    the projected alpha is in the box by construction); the projected alpha is in the box."""
    p = hand_two_margin()
    assert certificate(p, [1.0, 0.0], -1.0, [0.5, 0.5, 0.0, 0.0]).kkt["dual_box"] == 0.0
    s = certificate(p, [1.0, 0.0], -1.0, [0.5, 1.75, -0.25, 0.0])
    assert s.kkt["dual_box"] == 0.75 and s.alpha.min() >= 0.0 and s.alpha.max() <= 1.0
    assert certificate(p, [1.0, 0.0], -1.0, [-0.5, 0.5, 0.0, 0.25]).kkt["dual_box"] == 0.5
    # Per-sample costs: alpha_i = 0.75 is inside [0, C] = [0, 1] but outside [0, C_i] = [0, 0.5].
    q = SVMProblem(p.X, p.y, C=1.0, sample_weight=[1.0, 0.5, 1.0, 1.0])
    alpha = np.array([0.5, 0.75, 0.0, 0.0])
    s = certificate(q, [1.0, 0.0], -1.0, alpha)
    assert s.kkt["dual_box"] == 0.25 and s.alpha[1] <= 0.5
    assert alpha.tolist() == [0.5, 0.75, 0.0, 0.0]  # the caller's array is not modified


def test_project_dual_rejects_labels_other_than_plus_minus_one():
    with pytest.raises(ds.DualSVMError, match=r"y must hold only -1 and \+1, got values \[0.0, 1.0\]"):
        ds.project_dual([0.5, 0.5], [0.0, 1.0], 1.0)
    with pytest.raises(ValueError, match=r"y must hold only -1 and \+1, got values \[-2.0, 2.0\]"):
        ds.project_dual([0.5, 0.5], [2.0, -2.0], 1.0)
