"""cvc5 as a second opinion on the key lemmas proved with z3 (same claims, an independent solver)."""

from __future__ import annotations

import pytest

cp = pytest.importorskip("cvc5.pythonic")


def _hinge(z):
    return cp.If(1 - z > 0, 1 - z, 0)


def _status(*formulas):
    s = cp.Solver()
    s.add(*formulas)
    return s.check()


def _prove(claim, *hyps):
    assert _status(*hyps) == cp.sat  # not vacuous
    assert _status(cp.Not(claim), *hyps) == cp.unsat


def _refute(claim, *hyps):
    assert _status(cp.Not(claim), *hyps) == cp.sat


def test_cvc5_t01_hinge_convex():
    t, z1, z2 = cp.Reals("t z1 z2")
    _prove(_hinge(t * z1 + (1 - t) * z2) <= t * _hinge(z1) + (1 - t) * _hinge(z2), t >= 0, t <= 1)
    _refute(_hinge(t * z1 + (1 - t) * z2) <= t * _hinge(z1) + (1 - t) * _hinge(z2) - 1, t >= 0, t <= 1)


def test_cvc5_t04_bracket_nonnegative():
    m, a, C = cp.Reals("m a C")
    term = C * _hinge(m) - a * (1 - m)
    _prove(term >= 0, a >= 0, a <= C)
    _refute(term >= 0, a >= 0, a <= 2 * C, C > 0)


def test_cvc5_t06_bound_support_vector_direction():
    m, a, C = cp.Reals("m a C")
    term = C * _hinge(m) - a * (1 - m)
    box = (C > 0, a >= 0, a <= C, term == 0)
    _prove(m <= 1, *box, a == C)
    _refute(m < 1, *box, a == C)


def test_cvc5_t08_box_invariance():
    a, C, th, eta = cp.Reals("a C th eta")
    new = (1 - eta) * a + eta * C * th
    _prove(cp.And(new >= 0, new <= C), C > 0, a >= 0, a <= C, th >= 0, th <= 1, eta >= 0, eta <= 1)
    _refute(cp.And(new >= 0, new <= C), C > 0, a >= 0, a <= C, th >= 0, th <= 1, eta >= 0, eta <= 2)
