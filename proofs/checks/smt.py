"""Small helpers for SMT proofs: a claim is proved when its negation is unsat.

Every proof carries two guards: a negative control (a weakened claim must be
sat, with a counterexample) and a vacuity check (the hypotheses must be sat).
"""

from __future__ import annotations

import z3


def hinge(z):
    """max(0, 1 - z) as a z3 term."""
    return z3.If(1 - z > 0, 1 - z, 0)


def relu(z):
    return z3.If(z > 0, z, 0)


def check(formula, *hyps) -> z3.CheckSatResult:
    s = z3.Solver()
    s.set("timeout", 20_000)
    s.add(*hyps)
    s.add(formula)
    return s.check()


def prove(claim, *hyps) -> None:
    """Assert that ``hyps => claim`` holds for all reals: its negation is unsat, and hyps are sat."""
    assert check(z3.BoolVal(True), *hyps) == z3.sat, "vacuous: hypotheses unsatisfiable"
    s = z3.Solver()
    s.set("timeout", 20_000)
    s.add(*hyps)
    s.add(z3.Not(claim))
    res = s.check()
    assert res == z3.unsat, f"not proved ({res}): {claim}" + (f"; counterexample {s.model()}" if res == z3.sat else "")


def refute(claim, *hyps) -> z3.ModelRef:
    """Negative control: ``hyps => claim`` has a counterexample; return it."""
    s = z3.Solver()
    s.add(*hyps)
    s.add(z3.Not(claim))
    assert s.check() == z3.sat
    return s.model()
