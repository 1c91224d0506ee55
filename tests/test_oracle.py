"""Every certified quantity against the exact optimum, in rational arithmetic (tests/oracle.py).

The exact reference is the rational KKT solution of the optimal partition
(``oracle.exact_optimum``), or the closed form when ``alpha* = C`` on every
point. Candidates are deliberately inaccurate: the optimum plus seeded noise,
the subgradient method stopped early, scikit-learn's SVC at tol=1e-3 and
LinearSVC (another problem), a random dual point, and the exact optimum
rounded to float. For each, ``oracle.check`` tests, exactly:

* ``duality_gap >= P(w, b) - P*`` and ``radius**2 >= |w - w*|**2``;
* ``b_interval`` contains the optimal bias set ``[b*_lo, b*_hi]``;
* ``margin_range`` contains every optimal margin ``m*_i`` over that set;
* every label is true (non_support: ``m*_i > 1``, bound_support: ``m*_i < 1``,
  margin_support: ``|m*_i - 1| <= width <= margin_tol``, for every optimal b);
* with a dual point built by ``certify``, the certificate is also
  informative (``radius <= 4 sqrt(2 (P - P*)) + 1e-6``, b interval at most
  ``4 r R`` wider than the optimal set).

The counts (certificates checked, violations, skipped examples) are printed
in the terminal summary line ``oracle: ...``.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
import warnings
from collections import Counter
from fractions import Fraction as Fr

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from oracle import check, closed_form_all_at_C, exact_optimum, fr
from problems import hand_no_free, hand_two_margin, seeded

import dualsvm as ds
import dualsvm.comparison as comparison
from dualsvm import ConvergenceWarning, SVMProblem, certify
from dualsvm.certificates import certificate

STATS: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report(request):
    """Print the oracle's counts at the end of the module; skipped examples must be rare."""
    yield
    line = (
        f"oracle: {STATS['certificates']} certificates checked, {STATS['violations']} violations, "
        f"{STATS['examples']} problems solved exactly, {STATS['skipped']} skipped; by candidate: "
        + ", ".join(f"{k[5:]}={v}" for k, v in sorted(STATS.items()) if k.startswith("kind:"))
    )
    tr = request.config.pluginmanager.get_plugin("terminalreporter")
    capman = request.config.pluginmanager.get_plugin("capturemanager")
    if tr is not None and capman is not None:
        with capman.global_and_fixture_disabled():
            tr.write_line(line)
    assert STATS["skipped"] <= max(2, STATS["examples"] // 20), line


def expect_valid(ex, sol, kind: str, *, tight: bool = False) -> None:
    bad = check(ex, sol, tight=tight)
    STATS["certificates"] += 1
    STATS[f"kind:{kind}"] += 1
    STATS["violations"] += len(bad)
    assert not bad, f"{kind}: " + "; ".join(bad[:5])


def quiet(fn, *args, **kw):
    """Call a solver that may stop early; its ConvergenceWarning is expected here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kw)


def make_data(kind: str, n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if kind == "overlapping":
        return ds.datasets.make_overlapping(n, d, seed=seed)
    if kind == "separable":
        return ds.datasets.make_separable(n, d, gap=1.0, seed=seed)
    if kind == "duplicated":  # repeated rows, some with the opposite label
        X, y = ds.datasets.make_overlapping(n, d, seed=seed)
        k = max(1, n // 3)
        rows = rng.choice(n, size=k)
        flip = np.where(rng.random(k) < 0.3, -1.0, 1.0)
        return np.vstack([X, X[rows]]), np.concatenate([y, y[rows] * flip])
    # ties: a small integer grid, so breakpoints and margins coincide exactly
    X = rng.integers(-2, 3, size=(n, d)).astype(float) * (0.5 if seed % 2 else 1.0)
    y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    return X, y


KINDS = ("overlapping", "separable", "duplicated", "ties")


def solved(kind, n, d, logC, seed, log_xscale=0):
    """(problem, float optimum, exact optimum); skips the example (counted) if no partition verifies."""
    X, y = make_data(kind, n, d, seed)
    p = SVMProblem(X * 10.0**log_xscale, y, C=10.0**logC)
    opt = quiet(ds.solve_dual, p)
    ex = exact_optimum(p, opt)
    if ex is None:
        STATS["skipped"] += 1
    assume(ex is not None)
    STATS["examples"] += 1
    return p, opt, ex


def rounded_optimum(ex):
    w = np.array([float(v) for v in ex.w])
    return w, float((ex.b_lo + ex.b_hi) / 2)


problem_args = {
    "kind": st.sampled_from(KINDS),
    "n": st.integers(4, 25),
    "d": st.integers(1, 3),
    "logC": st.floats(-2, 2),
    "seed": st.integers(0, 2**16),
    "log_xscale": st.sampled_from([0, 0, 0, -3, 3]),  # ill-scaled data: larger rounding errors
}
# Under mutation testing (benchmarks/mutation.py) a fixed, smaller set of examples: a reproducible score.
MUTATION = os.environ.get("DUALSVM_MUTATION") == "1"
FAST = settings(max_examples=12 if MUTATION else 40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DEEP = settings(max_examples=1500, derandomize=False, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def noisy_optimum_and_exact_optimum(kind, n, d, logC, seed, log_xscale, log_scale, perturb_b, noise_seed):
    """w* + noise (1e-9..1e-3), b in the optimal set or perturbed; the optimum rounded; the solvers' answers."""
    p, opt, ex = solved(kind, n, d, logC, seed, log_xscale)
    rng = np.random.default_rng(noise_seed)
    w0, b0 = rounded_optimum(ex)
    expect_valid(ex, certify(p, w0, b0), "rounded-optimum", tight=True)
    # The pure certificate with the exact dual point rounded to float, not searched for a better one.
    expect_valid(ex, certificate(p, w0, b0, [float(a) for a in ex.alpha]), "rounded-optimum-own-alpha", tight=True)
    expect_valid(ex, opt, "solve_dual", tight=True)
    scale = 10.0**log_scale * np.sqrt(float(sum(v * v for v in ex.w)) + 1.0)
    w = w0 + scale * rng.standard_normal(p.d)
    b = b0 + (scale * rng.standard_normal() if perturb_b else 0.0)
    expect_valid(ex, certify(p, w, b), "noisy-optimum", tight=True)
    # The same candidate with a poor dual point: valid, just loose.
    alpha = rng.uniform(0, p.C, p.n)
    expect_valid(ex, certificate(p, w, b, alpha), "random-alpha")


def early_stopped_and_outside_solvers(kind, n, d, logC, seed, log_xscale, max_iter, batch, sg_seed):
    """Subgradient (full and mini-batch) stopped early; scikit-learn's SVC (tol=1e-3) and LinearSVC via certify."""
    svm = pytest.importorskip("sklearn.svm")
    p, opt, ex = solved(kind, n, d, logC, seed, log_xscale)
    expect_valid(ex, quiet(ds.solve_subgradient, p, max_iter=max_iter), "subgradient-early")
    expect_valid(ex, quiet(ds.solve_subgradient, p, max_iter=max_iter, batch_size=min(batch, p.n), seed=sg_seed), "stochastic-early")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's own ConvergenceWarning
        svc = svm.SVC(kernel="linear", C=p.C, tol=1e-3, max_iter=20_000).fit(p.X, p.y)  # ill-scaled data: capped
        lin = svm.LinearSVC(C=p.C).fit(p.X, p.y)
    expect_valid(ex, certify(p, svc.coef_[0], svc.intercept_[0]), "sklearn-SVC", tight=True)
    expect_valid(ex, certify(p, lin.coef_[0], lin.intercept_[0]), "sklearn-LinearSVC", tight=True)


noisy_args = {**problem_args, "log_scale": st.floats(-9, -3), "perturb_b": st.booleans(), "noise_seed": st.integers(0, 2**16)}
early_args = {**problem_args, "max_iter": st.integers(1, 200), "batch": st.integers(2, 8), "sg_seed": st.integers(0, 100)}
# The example: ties on features of scale 1e3, where solve_ipm stopped at a certified 7e-9 and certify's
# radius for the rounded optimum was 5e-4 (found by a random run; certify now falls back to solve_dual).
test_noisy_optimum_and_exact_optimum = FAST(example(kind="ties", n=19, d=1, logC=1e-07, seed=9391, log_xscale=3,
                                                    log_scale=-3.0, perturb_b=False, noise_seed=0)(
    given(**noisy_args)(noisy_optimum_and_exact_optimum)))
test_early_stopped_and_outside_solvers = FAST(given(**early_args)(early_stopped_and_outside_solvers))
# The same properties over many more examples: python -m pytest -m slow tests/test_oracle.py
test_noisy_optimum_deep = pytest.mark.slow(DEEP(given(**noisy_args)(noisy_optimum_and_exact_optimum)))
test_early_stopped_deep = pytest.mark.slow(DEEP(given(**early_args)(early_stopped_and_outside_solvers)))


def test_solve_primal_on_seeded_problems():
    """The primal solver's answers (cvxpy) on a few named problems, small enough for the oracle."""
    for kind, C in (("overlapping", 1.0), ("ties", 0.3), ("separable", 50.0)):
        X, y = make_data(kind, 20, 2, 5)
        p = SVMProblem(X, y, C=C)
        ex = exact_optimum(p)
        assert ex is not None
        expect_valid(ex, ds.solve_primal(p), "solve_primal", tight=True)


def test_hand_problems_exactly():
    """The two hand-solved problems: the oracle finds the hand answer, and certificates hold."""
    ex = exact_optimum(hand_two_margin())
    assert ex.w == [1, 0] and ex.b_lo == ex.b_hi == -1 and ex.P == Fr(1, 2)
    assert ex.alpha == [Fr(1, 2), Fr(1, 2), 0, 0]
    ex2 = exact_optimum(hand_no_free())
    assert ex2.w == [Fr(1, 2), 0] and (ex2.b_lo, ex2.b_hi) == (Fr(-1, 2), Fr(1, 2)) and ex2.P == Fr(3, 8)
    for e, p in ((ex, hand_two_margin()), (ex2, hand_no_free())):
        for w, b in (([1.0, 0.0], -1.0), ([0.5, 0.0], 0.0), ([0.5, 1e-3], 0.2), ([0.9, 0.05], -0.9)):
            expect_valid(e, certify(p, w, b), "hand", tight=True)


# -- the audit's reproducers -----------------------------------------------------------------
def all_at_C_problem() -> SVMProblem:
    """24 points, d = 2, C = 1e-3: every alpha* = C (checked exactly by closed_form_all_at_C)."""
    return SVMProblem(*ds.datasets.make_overlapping(24, 2, seed=3), C=1e-3)


def test_audit_radius_rounding_all_at_C():
    """Audit 1: with alpha* = C everywhere (closed form w* = C sum y_i x_i), 300 noisy candidates:
    |w - w*| <= radius in exact arithmetic for every one (180 of these 300 failed at 36e9ff9, before the fix;
    the audit counted 276 of 300 on its own problem)."""
    p = all_at_C_problem()
    ex = closed_form_all_at_C(p)
    assert ex.b_lo < ex.b_hi  # no free coefficient: the optimal bias is an interval
    rng = np.random.default_rng(0)
    w0, b0 = rounded_optimum(ex)
    failures = 0
    for _ in range(300):
        w = w0 + 1e-6 * rng.standard_normal(p.d)
        sol = certify(p, w, b0)
        r = fr(sol.radius)
        failures += not (r * r >= ex.dist2(sol.w))
        assert fr(sol.duality_gap) >= ex.primal_f(sol.w, sol.b) - ex.P
    STATS["certificates"] += 300
    STATS["kind:audit-all-at-C"] += 300
    STATS["violations"] += failures
    assert failures == 0
    # The full check, with tightness, on a few of them.
    for _ in range(5):
        expect_valid(ex, certify(p, w0 + 1e-6 * rng.standard_normal(p.d), b0), "audit-all-at-C-full", tight=True)


def test_audit_labels_early_subgradient():
    """Audit 2: make_overlapping(30, 3, seed=8), C = 100, 50 subgradient steps (relative gap ~0.88).
    Point 25 has m* = 1.53 and alpha* = 0 at the optimum, so it must not be labelled bound."""
    p = SVMProblem(*ds.datasets.make_overlapping(30, 3, seed=8), C=100.0)
    ex = exact_optimum(p)
    assert ex is not None and ex.alpha[25] == 0
    assert ex.margin_extremes(25)[0] == ex.margin_extremes(25)[1]  # b* unique here
    assert float(ex.margin_extremes(25)[0]) == pytest.approx(1.53, abs=0.01)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        sol = ds.solve_subgradient(p, max_iter=50, extrapolate_every=None)  # plain steps: the audit's candidate
    assert sol.relative_gap > 0.5
    assert 25 not in sol.bound_support
    expect_valid(ex, sol, "audit-labels")


def test_audit_stochastic_batches_hold_both_classes():
    """Audit 3: X = 0..7, alternating labels, batch_size=2 raised ``kth(=2) out of bounds``."""
    p = SVMProblem(np.arange(8.0).reshape(-1, 1), [1, -1] * 4, C=1.0)
    ex = exact_optimum(p)
    assert ex is not None
    for seed in range(5):
        sol = quiet(ds.solve_subgradient, p, batch_size=2, max_iter=50, seed=seed)
        expect_valid(ex, sol, "audit-stochastic")
    # Both classes in every batch (the class-stratified sampler), seen from outside:
    # with a one-class batch the batch's exact bias does not exist and the step raises.
    from dualsvm.subgradient import _stratified_batches

    y = p.y
    gen = _stratified_batches(y, 2, np.random.default_rng(1))
    for _ in range(200):
        idx, scale = next(gen)
        assert set(y[idx].tolist()) == {-1.0, 1.0}
        assert np.isclose(np.sum(scale * (y[idx] > 0)), 4.0) and np.isclose(np.sum(scale * (y[idx] < 0)), 4.0)


# -- compare's pairwise bound ----------------------------------------------------------------------
def test_pairwise_bound_holds_for_separately_certified_candidates():
    """|w_1 - w_2| <= r_1 + r_2 for two candidates certified separately, exactly."""
    p = seeded("overlapping", 1.0)
    p = SVMProblem(p.X[:25], p.y[:25], C=1.0)
    ex = exact_optimum(p)
    rng = np.random.default_rng(3)
    w0, b0 = rounded_optimum(ex)
    for scale in (1e-8, 1e-5, 1e-2):
        s1 = certify(p, w0 + scale * rng.standard_normal(p.d), b0)
        s2 = quiet(ds.solve_subgradient, p, max_iter=int(1 + 1 / scale**0.25))
        d2 = sum(((fr(a) - fr(b)) ** 2 for a, b in zip(s1.w, s2.w, strict=True)), Fr(0))
        assert d2 <= (fr(s1.radius) + fr(s2.radius)) ** 2
        STATS["certificates"] += 2
        STATS["kind:pairwise"] += 2


def _fake_methods(monkeypatch, problem, candidates):
    """Replace comparison.METHODS by methods that return certify(...) of fixed candidates."""
    fakes = {name: (lambda pr, w=w, b=b, **kw: certify(pr, w, b)) for name, (w, b) in candidates.items()}
    monkeypatch.setattr(comparison, "METHODS", fakes)
    return list(fakes)


def test_compare_accepts_a_pair_between_max_and_sum_of_radii(monkeypatch):
    """hand_no_free: P(w, b) = 3/8 + |w - w*|^2 / 2 near w* = (1/2, 0) (|b| small), so w* + e1 and
    w* + e2 with |e1| = |e2| = eps orthogonal get r_i ~ eps and sit sqrt(2) eps apart: strictly between
    max(r_1, r_2) and r_1 + r_2. compare must accept them (a bound of max(r_i, r_j) would not)."""
    p = hand_no_free()
    ex = exact_optimum(p)
    eps = 1e-3
    cands = {"plus": ([0.5 + eps, 0.0], 0.0), "minus": ([0.5, eps], 0.0)}
    names = _fake_methods(monkeypatch, p, cands)
    res = ds.compare(p, methods=names)
    (q,) = res.pairs
    r1, r2 = res.solutions["plus"].radius, res.solutions["minus"].radius
    assert max(r1, r2) * 1.2 < q["distance"] < (r1 + r2) / 1.2
    assert q["bound"] == r1 + r2 and res.verdict != "DISAGREE" and not res.violations
    for name in names:
        expect_valid(ex, res.solutions[name], "compare-pair", tight=True)
    # And a pair farther apart than r_1 + r_2 is refused: a certificate shrunk by half must fail.
    real = comparison.certificate

    def shrunk(*args, **kw):
        s = real(*args, **kw)
        s.radius *= 0.5
        return s

    monkeypatch.setattr(comparison, "certificate", shrunk)
    with pytest.raises(ds.CertificateViolation, match="a certificate is wrong"):
        ds.compare(p, methods=names)


def test_compare_recertifies_with_the_best_dual_point(monkeypatch):
    """compare's re-certification against the best alpha is valid for every method, exactly."""
    p = SVMProblem(*ds.datasets.make_overlapping(20, 2, seed=4), C=3.0)
    ex = exact_optimum(p)
    w0, b0 = rounded_optimum(ex)
    cands = {"near": (w0 + 1e-6, b0), "far": (w0 * 0.9, b0 + 0.1)}
    names = _fake_methods(monkeypatch, p, cands)
    res = ds.compare(p, methods=names)
    assert res.best_dual_method in names
    for name in names:
        expect_valid(ex, res.solutions[name], "compare", tight=True)
        assert res.solutions[name].duality_gap <= res.raw[name].duality_gap * (1 + 1e-12) + 1e-15


def test_compare_of_first_order_methods_uses_the_exact_reference_dual_point():
    """With no exact method among those run, compare takes its dual point from solve_ipm: each
    first-order answer's certified gap is then P(w_k, b_k) - P* up to rounding, checked exactly."""
    p = SVMProblem(*ds.datasets.make_overlapping(30, 2, seed=6), C=1.0)
    ex = exact_optimum(p)
    res = ds.compare(p, methods=["subgradient"], target_gap=1e-2, options={"subgradient": {"max_iter": 200}})
    assert res.best_dual_method == ds.comparison.REFERENCE
    P_star = float(ex.P)
    for name, sol in res.solutions.items():
        expect_valid(ex, sol, "compare-reference", tight=True)
        assert sol.duality_gap <= res.raw[name].duality_gap
        assert sol.duality_gap == pytest.approx(sol.primal_objective - P_star, rel=1e-6, abs=1e-12)
    # With an exact method among them, its own dual point serves and no reference is computed.
    res = ds.compare(p, methods=["ipm", "subgradient"], target_gap=1e-2)
    assert res.best_dual_method == "ipm"


def test_radius_is_informative_not_only_valid():
    """Non-vacuity: near the optimum the radius tracks sqrt(2 (P - P*)), not 10 times it."""
    p = SVMProblem(*ds.datasets.make_overlapping(25, 3, seed=2), C=1.0)
    ex = exact_optimum(p)
    w0, b0 = rounded_optimum(ex)
    rng = np.random.default_rng(7)
    for scale in (1e-6, 1e-4, 1e-2):
        sol = certify(p, w0 + scale * rng.standard_normal(3), b0)
        true = math.sqrt(2 * float(ex.primal_f(sol.w, sol.b) - ex.P))
        assert true <= sol.radius <= 1.5 * true + 1e-7
        expect_valid(ex, sol, "informative", tight=True)


# -- compare: its defaults, arguments and report (these also kill mutants of comparison.py) ------------
def test_stochastic_method_defaults():
    """compare's "stochastic" method: batch min(256, max(2, n // 4)), target_gap 1e-2, other arguments passed on."""
    stochastic = comparison.METHODS["stochastic"]
    for n, batch in ((6, 2), (40, 10), (1200, 256)):
        p = SVMProblem(*ds.datasets.make_overlapping(n, 2, seed=1), C=1.0)
        sol = quiet(stochastic, p, max_iter=3)
        assert sol.extras["batch_size"] == batch and sol.extras["target_gap"] == 1e-2 and sol.iterations == 3
    sol = quiet(stochastic, p, max_iter=2, batch_size=4, target_gap=0.5)
    assert sol.extras["batch_size"] == 4 and sol.extras["target_gap"] == 0.5 and sol.iterations == 2
    assert set(comparison.METHODS) == {"primal", "dual", "subgradient", "stochastic", "ipm"}
    assert comparison.METHODS["ipm"] is ds.solve_ipm
    assert comparison.METHODS["dual"] is ds.solve_dual and comparison.METHODS["primal"] is ds.solve_primal
    assert comparison.METHODS["subgradient"] is ds.solve_subgradient


def _skeleton(text: str) -> str:
    """The report with every number replaced by '#': its layout and words, not its rounding."""
    return re.sub(r"[-+]?(\d+\.?\d*(e[-+]?\d+)?|nan|inf)", "#", text)


REPORT_SKELETON = """\
dualsvm compare: n=#, d=#, C=#, best lower bound D=# (exact)

method          status  objective  certified gap  target   radius            b interval  margin  bound  non-SV  undec.  iter   time
-----------  ---------  ---------  -------------  ------  -------  --------------------  ------  -----  ------  ------  ----  -----
exact        certified        #        #   #  #              [#, #]       #      #       #       #     #      -
budgeted     certified        #        #   #  #              [#, #]       #      #       #       #     #      -
subgradient   max_iter    #        #   #  #  [#, #]       #      #       #       #     #  #s

pair                     |w_i - w_j|  bound r_i+r_j  max |f_i-f_j|  pred. diff  support diff
-----------------------  -----------  -------------  -------------  ----------  ------------
exact vs budgeted           #       #       #           #             #
exact vs subgradient        #       #       #           #             #
budgeted vs subgradient     #       #       #           #             #
  point # differs (exact vs subgradient): exact: m=#, subgradient: m=#
  point # differs (exact vs subgradient): exact: m=#, subgradient: m=#
  point # differs (budgeted vs subgradient): budgeted: m=#, subgradient: m=#
  point # differs (budgeted vs subgradient): budgeted: m=#, subgradient: m=#

pointwise band: |f(x) - f*(x)| <= band(x) = r sqrt(k(x, x)) + b width at every x; the largest shown
method       band on the data  on the grid #x#  sign of f* certified on the grid
-----------  ----------------  -----------------  --------------------------------
exact                #           #                            #%
budgeted             #           #                            #%
subgradient          #           #                             #%

pair                     data: max |f_i-f_j|  <= max band_i+band_j  grid #x#: max |f_i-f_j|  <= max band_i+band_j
-----------------------  -------------------  --------------------  -------------------------  --------------------
exact vs budgeted                   #              #                   #              #
exact vs subgradient                #              #                   #              #
budgeted vs subgradient             #              #                   #              #
note: subgradient stopped with status max_iter after # iterations; certified gap # (its own dual point alone certifies #), target #

INCONCLUSIVE: subgradient (max_iter, certified gap # <= target #) did not meet its target on its own, so the bound it satisfies proves little. \
The certified methods (exact, budgeted) agree: largest |w_i - w_j| = #, # prediction difference(s). \
Raise the budget (--max-iter, --time-limit), standardize X if it is not, or use an exact method."""


def _relabel_all_non_support(monkeypatch, method):
    """Overwrite one method's re-certified labels: every point certified non-support."""
    real = comparison.certificate

    def relabel(problem, w, b, alpha, **kw):
        s = real(problem, w, b, alpha, **kw)
        if kw["method"] == method:
            s.margin_support = s.bound_support = s.undecided = np.array([], dtype=np.intp)
            s.non_support = np.arange(problem.n)
        return s

    monkeypatch.setattr(comparison, "certificate", relabel)


def test_compare_report_dict_and_arguments(monkeypatch):
    """Three fake methods on hand_two_margin: the exact optimum twice (one takes a max_iter argument)
    and a poor candidate that stops at max_iter and warns. (Ported from the compare before the verdicts.)"""
    p = hand_two_margin()
    seen: dict[str, dict] = {}

    def exact(pr, **kw):
        seen["exact"] = kw
        return certify(pr, [1.0, 0.0], -1.0)

    def budgeted(pr, max_iter=None, **kw):
        seen["budgeted"] = {"max_iter": max_iter, **kw}
        return certify(pr, [1.0, 0.0], -1.0)

    def poor(pr, **kw):
        seen["subgradient"] = kw
        warnings.warn("stopped early on purpose", ConvergenceWarning, stacklevel=1)
        warnings.warn("an unrelated warning", UserWarning, stacklevel=1)
        s = certificate(pr, [0.9, 0.05], -0.9, [0.5, 0.5, 0.0, 0.0], status="max_iter", iterations=7, solve_time=0.25,
                        extras={"target_gap": 0.125, "k": 1})
        return s

    monkeypatch.setattr(comparison, "METHODS", {"exact": exact, "budgeted": budgeted, "subgradient": poor})
    _relabel_all_non_support(monkeypatch, "subgradient")
    msgs: list[str] = []
    with pytest.warns(UserWarning, match="an unrelated warning"):
        res = ds.compare(p, methods=["exact", "budgeted", "subgradient"], target_gap=0.125, max_iter=9, max_time=5.0,
                         options={"exact": {"flag": 1}}, progress=msgs.append)
    # Arguments: target_gap and both budgets reach the first-order method; max_iter reaches a method that
    # has that parameter; options go to their own method only.
    assert seen == {"exact": {"flag": 1}, "budgeted": {"max_iter": 9}, "subgradient": {"target_gap": 0.125, "max_iter": 9, "max_time": 5.0}}
    assert [_skeleton(m) for m in msgs] == [
        "running exact ...", "  exact: certified, own certified gap # in #s (cross-certified in the table)",
        "running budgeted ...", "  budgeted: certified, own certified gap # in #s (cross-certified in the table)",
        "running subgradient ...", "  subgradient: max_iter, own certified gap # in #s (cross-certified in the table)"]
    assert msgs[5].startswith(f"  subgradient: max_iter, own certified gap {res.raw['subgradient'].relative_gap:.1e} in ")
    # Targets: a method's own extras["target_gap"], else the exact methods' 1e-8.
    assert res.targets == {"exact": 1e-8, "budgeted": 1e-8, "subgradient": 0.125}
    assert res.met_target == {"exact": True, "budgeted": True, "subgradient": False}
    # Re-certification against the best dual point (the exact optimum's alpha); each keeps its own record.
    sx, ss = res.solutions["exact"], res.solutions["subgradient"]
    assert res.best_dual_method == "exact" and res.best_dual == res.raw["exact"].dual_objective == 0.5
    np.testing.assert_array_equal(ss.alpha, res.raw["exact"].alpha)
    assert ss.status == "max_iter" and not ss.success and sx.status == "certified" and sx.success and sx.method == "exact"
    assert ss.iterations == 7 and ss.solve_time == 0.25 and ss.extras == {"target_gap": 0.125, "k": 1}
    assert res.warnings == {"subgradient": "stopped early on purpose"}
    # The pairs, in the order of the methods.
    assert [(q["a"], q["b"]) for q in res.pairs] == [("exact", "budgeted"), ("exact", "subgradient"), ("budgeted", "subgradient")]
    q = res.pairs[1]
    assert q["distance"] == float(np.linalg.norm(sx.w - ss.w)) and q["bound"] == sx.radius + ss.radius
    f = {k: s.decision_function(p.X) for k, s in res.solutions.items()}
    assert q["max_decision_diff"] == pytest.approx(float(np.max(np.abs(f["exact"] - f["subgradient"]))), rel=1e-12)
    assert q["n_prediction_disagreements"] == q["n_unexplained_predictions"] == 0
    # exact certifies points 0, 1 on the margin and 2, 3 non-support; the relabelled method all non-support.
    assert sx.margin_support.tolist() == [0, 1] and sx.non_support.tolist() == [2, 3] and sx.undecided.size == 0
    assert q["support_diff"].tolist() == [0, 1] and q["n_undecided"] == 0
    np.testing.assert_array_equal(q["support_diff_margins"]["exact"], p.margins(sx.w, sx.b)[[0, 1]])
    np.testing.assert_array_equal(q["support_diff_margins"]["subgradient"], p.margins(ss.w, ss.b)[[0, 1]])
    assert res.pairs[0]["support_diff"].size == 0 and res.pairs[0]["distance"] == 0.0
    # A support difference is not a broken implication: the verdict is the missed target's.
    assert res.violations == [] and res.verdict == "INCONCLUSIVE" and not res.agree
    assert res.summary == (
        f"subgradient (max_iter, certified gap {ss.relative_gap:.1e} <= target 0.125) did not meet its target on its own, "
        "so the bound it satisfies proves little. The certified methods (exact, budgeted) agree: largest |w_i - w_j| = "
        "0.0e+00, 0 prediction difference(s). Raise the budget (--max-iter, --time-limit), standardize X if it is not, or use an exact method.")
    # The report.
    text = str(res)
    assert _skeleton(text) == REPORT_SKELETON, text
    assert f"{sx.primal_objective:.10g}" in text and f"[{ss.b_interval[0]:.6g}, {ss.b_interval[1]:.6g}]" in text
    assert f"{q['distance']:.2e}" in text and f"{q['bound']:.2e}" in text and f"{q['max_decision_diff']:.2e}" in text
    assert "point 0 differs (exact vs subgradient)" in text and "point 1 differs (budgeted vs subgradient)" in text
    assert f"exact: m={q['support_diff_margins']['exact'][0]:.4f}, subgradient: m={q['support_diff_margins']['subgradient'][0]:.4f}" in text
    assert f"D={res.best_dual:.10g} (exact)" in text and "0.25s" in text and f"{ss.radius:.1e}" in text
    row = next(line for line in text.splitlines() if line.startswith("subgradient "))
    assert row.split()[1:5] == ["max_iter", f"{ss.primal_objective:.10g}", f"{ss.relative_gap:.1e}", "0.125"]
    assert row.split()[-6:] == ["0", "0", "4", "0", "7", "0.25s"]  # margin, bound, non-SV, undecided, iterations, time
    assert (f"note: subgradient stopped with status max_iter after 7 iterations; certified gap {ss.relative_gap:.1e} "
            f"(its own dual point alone certifies {res.raw['subgradient'].relative_gap:.1e}), target 0.125") in text
    assert text.endswith("\n\nINCONCLUSIVE: " + res.summary)
    # The dict, JSON-ready.
    d = res.to_dict()
    assert set(d) == {"problem", "best_dual", "best_dual_method", "methods", "pairs", "agree", "verdict", "summary", "violations", "warnings",
                      "band"}
    assert d["problem"] == {"n": 4, "d": 2, "C": 1.0, "classes": ["-1", "1"]}
    assert d["best_dual"] == 0.5 and d["best_dual_method"] == "exact" and d["summary"] == res.summary
    assert d["agree"] is False and d["verdict"] == "INCONCLUSIVE" and d["violations"] == [] and d["warnings"] == res.warnings
    for k, s in res.solutions.items():
        r = res.raw[k]
        assert d["methods"][k] == {**s.to_dict(), "target_gap": res.targets[k], "met_target": res.met_target[k], "status": r.status,
                                   "success": bool(r.success), "self_certified_gap": r.relative_gap, "self_certified_message": r.message}
    assert d["pairs"][1] == {**{k: v for k, v in q.items() if k not in ("support_diff", "support_diff_margins")},
                             "support_diff": [0, 1],
                             "support_diff_margins": {k: [float(v) for v in vals] for k, vals in q["support_diff_margins"].items()}}
    assert all(type(i) is int for i in d["pairs"][1]["support_diff"])
    assert all(type(v) is float for vals in d["pairs"][1]["support_diff_margins"].values() for v in vals)
    assert json.loads(json.dumps(d))["pairs"][1]["support_diff"] == [0, 1]


def test_compare_agreeing_report_and_bad_arguments(monkeypatch):
    p = hand_two_margin()
    fakes = {"a": lambda pr, **kw: certify(pr, [1.0, 0.0], -1.0), "b": lambda pr, **kw: certify(pr, [1.0, 1e-9], -1.0)}
    monkeypatch.setattr(comparison, "METHODS", fakes)
    res = ds.compare(p, methods=("a", "b"))
    (q,) = res.pairs
    assert res.agree and res.verdict == "AGREE" and res.warnings == {} and res.violations == []
    n_und = max(s.undecided.size for s in res.solutions.values())
    assert q["distance"] == 1e-9 and q["n_undecided"] == n_und
    assert res.summary == (
        f"every method met its target and the 2 answers are within their certified radii of one optimum (the pair closest to "
        f"its bound, a vs b: |w_i - w_j| = "
        f"{q['distance']:.1e} <= {q['bound']:.1e}); certified support labels agree on every point both decide ({n_und} undecided "
        "at most); predictions agree.")
    assert str(res).endswith("\n\nAGREE: " + res.summary) and "note:" not in str(res) and "differs" not in str(res)
    one = ds.compare(p, methods=("a",))
    assert one.pairs == [] and one.agree and one.summary == "a met its target; there is nothing to compare it with."
    assert "a vs" not in str(one) and "pair  " in str(one)
    for methods in (("a", "zzz"), (), ("a", "a")):
        with pytest.raises(ds.DualSVMError, match=r"methods must be distinct names from \['a', 'b'\], got"):
            ds.compare(p, methods=methods)
    with pytest.raises(ds.DualSVMError, match=r"options given for methods not run: \['b'\]"):
        ds.compare(p, methods=("a",), options={"b": {}})
    # The default methods are primal, dual and subgradient, in that order.
    monkeypatch.setattr(comparison, "METHODS", {k: fakes["a"] for k in ("primal", "dual", "subgradient", "ipm")})
    assert list(ds.compare(p).solutions) == ["primal", "dual", "subgradient"]


def test_compare_guard_is_the_sum_of_radii_exactly(monkeypatch):
    """dist > r_a + r_b is a violation, dist == r_a + r_b is not (no slack); identical answers never are."""
    p = hand_two_margin()
    d = 0.5  # |w_a - w_b| exactly
    fakes = {"a": lambda pr, **kw: certify(pr, [1.0, 0.0], -1.0), "b": lambda pr, **kw: certify(pr, [1.5, 0.0], -1.0)}
    monkeypatch.setattr(comparison, "METHODS", fakes)
    _patched_radii(monkeypatch, {"a": 0.375, "b": 0.125})
    res = ds.compare(p, methods=("a", "b"), strict=False)
    assert res.pairs[0]["distance"] == res.pairs[0]["bound"] == d
    assert not any("apart" in v for v in res.violations)
    _patched_radii(monkeypatch, {"a": float(np.nextafter(0.375, 0.0)), "b": 0.125})  # the sum is one ulp below d
    with pytest.raises(ds.CertificateViolation, match=r"a and b are 5.000e-01 apart but certified within 5.000e-01"):
        ds.compare(p, methods=("a", "b"))
    # The same answer twice, radii 0: no violation.
    monkeypatch.setattr(comparison, "METHODS", {"a": fakes["a"], "c": fakes["a"]})
    _patched_radii(monkeypatch, {"a": 0.0, "c": 0.0})
    res = ds.compare(p, methods=("a", "c"))
    assert res.pairs[0]["distance"] == 0.0 and res.verdict == "AGREE"


def test_compare_verdict_names_the_pair_with_the_largest_distance_over_bound(monkeypatch):
    """Pairs (distance, bound): a-b (0.1, 0.11), a-c (0.3, 0.65), b-c (0.32, 0.66): a-b is the worst by
    distance / bound although b-c has the largest distance and the largest distance * bound."""
    p = hand_two_margin()
    cands = {"a": ([1.0, 0.0], -1.0), "b": ([1.1, 0.0], -1.0), "c": ([1.0, 0.3], -1.0)}
    loose = {"target_gap": 0.5}  # each meets this target, so the verdict is AGREE

    def method(w, b):
        return lambda pr, **kw: certificate(pr, w, b, [0.5, 0.5, 0.0, 0.0], status="optimal", extras=loose, **loose)

    monkeypatch.setattr(comparison, "METHODS", {k: method(w, b) for k, (w, b) in cands.items()})
    _patched_radii(monkeypatch, {"a": 0.05, "b": 0.06, "c": 0.6})
    res = ds.compare(p, methods=list(cands))
    assert res.verdict == "AGREE" and res.targets == {"a": 0.5, "b": 0.5, "c": 0.5}, res.summary
    assert "(the pair closest to its bound, a vs b: |w_i - w_j| = 1.0e-01 <= 1.1e-01)" in res.summary


def test_compare_lists_at_most_ten_differing_points_per_pair(monkeypatch):
    X, y = ds.datasets.make_overlapping(14, 2, seed=3)
    p = SVMProblem(X, y, C=1.0)
    monkeypatch.setattr(comparison, "METHODS", {"a": lambda pr, **kw: certify(pr, [0.0, 0.0], 0.0),
                                                "b": lambda pr, **kw: certify(pr, [0.0, 0.0], 0.0)})
    real = comparison.certificate

    def relabel(problem, w, b, alpha, **kw):
        s = real(problem, w, b, alpha, **kw)
        empty = np.array([], dtype=np.intp)
        s.margin_support, s.undecided = empty, empty
        s.bound_support, s.non_support = (np.arange(problem.n), empty) if kw["method"] == "a" else (empty, np.arange(problem.n))
        return s

    monkeypatch.setattr(comparison, "certificate", relabel)
    res = ds.compare(p, methods=("a", "b"), strict=False)
    text = str(res)
    assert res.pairs[0]["support_diff"].tolist() == list(range(14))
    assert text.count(" differs (a vs b)") == 10 and "point 9 differs" in text and "point 10 differs" not in text
    # Bound by one method and non-support by the other is a broken implication; at most 10 points are named.
    assert res.verdict == "DISAGREE" and any(v.startswith(f"points {list(range(10))} are certified non-support") for v in res.violations)


def test_compare_prints_the_target_and_a_missing_time_as_they_are(monkeypatch):
    """A target of 0.125 is printed as 0.125 (it was rounded to "1e-01", below the gap it was compared with),
    and a solution with no solve time (certify's) shows "-" in the time column, not "nans"."""
    p = hand_two_margin()
    alpha = np.full(4, 0.2)
    monkeypatch.setattr(comparison, "METHODS", {"m": lambda pr, **kw: certificate(
        pr, [1.0, 0.0], -1.0, alpha, status="max_iter", extras={"target_gap": 0.125})})
    res = ds.compare(p, methods=("m",))
    assert math.isnan(res.raw["m"].solve_time) and res.targets == {"m": 0.125}
    assert f"certified gap {res.solutions['m'].relative_gap:.1e} > target 0.125)" in res.summary
    text = str(res)
    assert "nan" not in text and "target 0.125" in text
    assert text.splitlines()[4].split()[-1] == "-"


def test_compare_status_target_and_warning_routing(monkeypatch):
    """The re-certified solution keeps a failure status and turns a success whose gap against the best
    dual point misses its target into "inaccurate"; met_target reads the method's own status; target_gap
    reaches "stochastic"; other warnings keep their outer filters; the progress time is the method's."""
    p = hand_two_margin()
    v = p.X.T @ p.y  # Z^T 1

    def fake(t, status):
        alpha = np.full(4, t)  # feasible (y balanced); D = 4 t - t^2 |Z^T 1|^2 / 2
        return lambda pr, **kw: certificate(pr, [1.0, 0.0], -1.0, alpha, status=status, target_gap=10.0)

    t = 0.2
    assert 0.5 - (4 * t - t * t * float(v @ v) / 2) > 1e-8  # P = 1/2 at the exact optimum
    for status, recertified in (("optimal", "inaccurate"), ("max_iter", "max_iter")):
        monkeypatch.setattr(comparison, "METHODS", {"m": fake(t, status)})
        res = ds.compare(p, methods=("m",))
        assert res.raw["m"].status == status and res.solutions["m"].status == recertified
        assert res.targets == {"m": 1e-8} and res.met_target == {"m": False} and res.verdict == "INCONCLUSIVE"
        assert res.summary.startswith(f"m ({status}, certified gap {res.solutions['m'].relative_gap:.1e} > target 1e-08) did not meet")
        assert "Certified: none." in res.summary
    seen = {}

    def stochastic(pr, **kw):
        seen.update(kw)
        return certify(pr, [1.0, 0.0], -1.0)

    after = []

    def warns(pr, **kw):
        warnings.warn("not a convergence warning", UserWarning, stacklevel=1)
        after.append(True)
        return certify(pr, [1.0, 0.0], -1.0)

    monkeypatch.setattr(comparison, "METHODS", {"stochastic": stochastic, "w": warns})
    msgs: list[str] = []
    t0 = time.perf_counter()
    res = ds.compare(p, methods=("stochastic",), target_gap=0.25, progress=msgs.append)
    assert seen == {"target_gap": 0.25} and res.targets == {"stochastic": 0.25}
    assert msgs[0] == "running stochastic ..." and msgs[-1] == "running ipm for a reference dual point ..."  # all first-order
    assert 0.0 <= float(re.search(r" in ([\d.]+)s \(", msgs[1]).group(1)) <= time.perf_counter() - t0 + 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # an outer filter applies inside the method
        with pytest.raises(UserWarning, match="not a convergence warning"):
            ds.compare(p, methods=("w",))
    assert after == []


def test_compare_prediction_counts_read_f_zero_as_predict_does(monkeypatch):
    """x1 = (0, 1) has y = -1. w = (1, 1), b = -1 gives f(x1) = 0 (predicted -1, as by w = (1, 0), b = -1)."""
    p = hand_two_margin()
    cands = {"exact": ([1.0, 0.0], -1.0), "zero": ([1.0, 1.0], -1.0)}
    monkeypatch.setattr(comparison, "METHODS", {k: (lambda pr, w=w, b=b, **kw: certify(pr, w, b)) for k, (w, b) in cands.items()})
    res = ds.compare(p, methods=list(cands), strict=False)
    pred = {k: s.predict(p.X) for k, s in res.solutions.items()}
    assert res.solutions["zero"].decision_function(p.X)[1] == 0.0
    assert res.pairs[0]["n_prediction_disagreements"] == int(np.count_nonzero(pred["exact"] != pred["zero"]))


def test_compare_prediction_counts_read_f_zero_as_the_minus_one_class(monkeypatch):
    """x0 = (2, 1) has y = +1; w = (1/2, 0), b = -1 gives f(x0) = 0, which predict() reads as the -1
    class, as w = (0.4, 0), b = -1 (f(x0) < 0) does: no prediction difference there."""
    p = hand_two_margin()
    cands = {"zero": ([0.5, 0.0], -1.0), "below": ([0.4, 0.0], -1.0)}
    monkeypatch.setattr(comparison, "METHODS", {k: (lambda pr, w=w, b=b, **kw: certify(pr, w, b)) for k, (w, b) in cands.items()})
    res = ds.compare(p, methods=list(cands), strict=False)
    pred = {k: s.predict(p.X) for k, s in res.solutions.items()}
    assert res.solutions["zero"].decision_function(p.X)[0] == 0.0 and pred["zero"][0] == pred["below"][0] == -1
    assert res.pairs[0]["n_prediction_disagreements"] == int(np.count_nonzero(pred["zero"] != pred["below"]))


def test_compare_sign_and_interval_checks_are_strict(monkeypatch):
    """A sign of f* is certified only by a margin range that excludes 0 (a range ending at 0 does not);
    intervals that touch at one point intersect; at most 10 points are named per broken implication."""
    X = np.vstack([np.eye(2)] * 6) * [1.0, 1.0]
    y = np.array([1.0, -1.0] * 6)
    p = SVMProblem(X, y, C=1.0)
    cands = {"a": ([1.0, 1.0], 0.0), "b": ([-1.0, -1.0], 0.0)}  # opposite predictions at all 12 points
    monkeypatch.setattr(comparison, "METHODS", {k: (lambda pr, w=w, b=b, **kw: certify(pr, w, b)) for k, (w, b) in cands.items()})
    real = comparison.certificate

    def run(range_a, range_b, b_a=(-1.0, 0.0), b_b=(0.0, 1.0)):
        def fixed(*args, **kw):
            s = real(*args, **kw)
            lo, hi = (range_a, range_b)[kw["method"] == "b"]
            s.margin_range = (np.full(p.n, lo), np.full(p.n, hi))
            s.b_interval = (b_a, b_b)[kw["method"] == "b"]
            s.margin_support = s.bound_support = s.non_support = np.array([], dtype=np.intp)
            s.undecided = np.arange(p.n)
            s.radius = 10.0
            return s

        monkeypatch.setattr(comparison, "certificate", fixed)
        return ds.compare(p, methods=("a", "b"), strict=False)

    assert run((0.25, 0.5), (0.5, 0.75)).pairs[0]["n_unexplained_predictions"] == 12  # both certify a sign (> 0)
    for ra, rb in (((0.0, 0.5), (0.5, 0.75)), ((-0.5, 0.0), (0.25, 0.75)), ((-0.5, 0.5), (0.5, 0.75)),
                   ((0.5, 0.75), (0.0, 0.5)), ((0.5, 0.75), (-0.5, 0.0)), ((0.5, 0.75), (-0.5, 0.5))):
        res = run(ra, rb)  # one range reaches or straddles 0: that sign is not certified
        assert res.pairs[0]["n_unexplained_predictions"] == 0, (ra, rb)
        assert not any("opposite predictions" in v for v in res.violations), (ra, rb, res.violations)
    res = run((-0.75, -0.5), (0.5, 0.75))  # disjoint ranges of opposite certified signs
    assert res.violations == [
        f"certified optimal-margin ranges of a and b are disjoint at points {list(range(10))}",
        f"a and b both certify opposite predictions at points {list(range(10))}"]
    res = run((-0.5, 0.5), (0.5, 0.75), b_a=(-1.0, 0.25), b_b=(0.25, 1.0))  # ranges and b intervals touching at a point
    assert res.violations == [] and res.pairs[0]["n_undecided"] == 12
    res = run((-0.5, 0.5), (0.5, 0.75), b_a=(-1.0, 0.25), b_b=(0.5, 1.0))
    assert res.violations == ["the certified b intervals of a (-1.0, 0.25) and b (0.5, 1.0) are disjoint"]


def test_compare_counts_undecided_points_and_checks_target_gap(monkeypatch):
    """hand_no_free has no free support vector: the optimal b fills [-1/2, 1/2] and both points stay
    undecided, so no support difference is claimed there. target_gap is validated; tol is its alias."""
    p = hand_no_free()
    fakes = {"a": lambda pr, **kw: certify(pr, [0.5, 0.0], 0.0), "b": lambda pr, **kw: certify(pr, [0.5, 0.0], 0.25)}
    monkeypatch.setattr(comparison, "METHODS", fakes)
    res = ds.compare(p, methods=("a", "b"))
    (q,) = res.pairs
    undecided = np.union1d(res.solutions["a"].undecided, res.solutions["b"].undecided)
    assert undecided.size == 2 and q["n_undecided"] == 2 and q["support_diff"].size == 0
    for bad in (0.0, 1.0, -1e-3, "0.1"):
        with pytest.raises(ds.DualSVMError, match=r"target_gap must be a relative gap in \(0, 1\)"):
            ds.compare(p, methods=("a",), target_gap=bad)
    monkeypatch.setattr(comparison, "METHODS", {"stochastic": lambda pr, **kw: certify(pr, [0.5, 0.0], 0.0, target_gap=kw["target_gap"])})
    with pytest.warns(DeprecationWarning, match=r"compare\(tol=...\) is deprecated"):
        res = ds.compare(p, methods=("stochastic",), tol=0.25)
    assert res.targets == {"stochastic": 0.25}


def test_compare_summaries_count_and_join(monkeypatch):
    """The summaries' counts and lists: an AGREE with a prediction difference at an uncertified sign;
    two methods that miss their targets, named together; violations of every pair, joined by '; ';
    a target met with equality; compare_solutions raises by default, and keeps each method's status."""
    p = hand_two_margin()
    loose = {"target_gap": 0.6}

    def method(w, b, status="optimal", extras=loose):
        return lambda pr, **kw: certificate(pr, w, b, [0.5, 0.5, 0.0, 0.0], status=status, extras=extras, **extras)

    # x0: predicted +1 by (1, 0), -1 by (1/2, 0) (f = 0), whose margin range at x0 straddles 0.
    monkeypatch.setattr(comparison, "METHODS", {"a": method([1.0, 0.0], -1.0), "b": method([0.5, 0.0], -1.0)})
    res = ds.compare(p, methods=("a", "b"))
    assert res.verdict == "AGREE" and res.pairs[0]["n_prediction_disagreements"] == 1
    assert {k: s.status for k, s in res.solutions.items()} == {"a": "optimal", "b": "optimal"}  # each within its 0.6
    assert res.summary.endswith("; 1 prediction difference(s), each at a point whose sign of f* is not certified.")
    # Two methods miss their targets: both named, comma-separated, each with its relative gap against the target.
    tight = {"target_gap": 1e-3}
    monkeypatch.setattr(comparison, "METHODS", {"a": method([1.0, 0.0], -1.0), "b": method([0.5, 0.0], -1.0, extras=tight),
                                                "c": method([0.8, 0.0], -1.0, extras=tight)})
    res = ds.compare(p, methods=("a", "b", "c"))
    gb, gc = res.solutions["b"].relative_gap, res.solutions["c"].relative_gap
    assert res.summary.startswith(f"b (inaccurate, certified gap {gb:.1e} > target 0.001), c (inaccurate, certified gap {gc:.1e} > target 0.001) "
                                  "did not meet its target on its own") and "Certified: a." in res.summary
    # A target equal to the certified relative gap is met.
    monkeypatch.setattr(comparison, "METHODS", {"c": method([0.8, 0.0], -1.0, extras={"target_gap": gc})})
    res = ds.compare(p, methods=("c",))
    assert res.met_target == {"c": True} and res.verdict == "AGREE"
    # Violations from two pairs, all listed and joined by "; ".
    monkeypatch.setattr(comparison, "METHODS", {"a": method([1.0, 0.0], -1.0), "b": method([1.0, 0.0], -1.0), "c": method([-1.0, 0.0], 1.0)})
    _patched_radii(monkeypatch, {"a": 0.0, "b": 0.0, "c": 0.0})
    res = ds.compare(p, methods=("a", "b", "c"), strict=False)
    apart = [v for v in res.violations if "apart" in v]
    assert [v.split(" are ")[0] for v in apart] == ["a and c", "b and c"]
    assert res.summary == "a certificate is wrong (a bug): " + "; ".join(res.violations) and len(res.violations) >= 2
    # compare_solutions on its own: strict unless told otherwise.
    with pytest.raises(ds.CertificateViolation):
        comparison.compare_solutions(p, res.raw, targets=res.targets)
    assert comparison.compare_solutions(p, res.raw, targets=res.targets, strict=False).verdict == "DISAGREE"


def test_compare_reads_a_methods_default_target_and_routes_the_references_warnings(monkeypatch):
    """A method's target is its extras["target_gap"], else the default of its target_gap parameter,
    else 1e-8. The reference solve_ipm of an all-first-order compare silences only its ConvergenceWarning."""
    p = hand_two_margin()

    def own_default(pr, target_gap=0.25, **kw):
        return certify(pr, [1.0, 0.0], -1.0)

    monkeypatch.setattr(comparison, "METHODS", {"m": own_default, "n": lambda pr, **kw: certify(pr, [1.0, 0.0], -1.0)})
    assert ds.compare(p, methods=("m", "n")).targets == {"m": 0.25, "n": 1e-8}
    real_ipm = comparison.solve_ipm

    def noisy_ipm(pr, **kw):
        warnings.warn("reference stopped early", ConvergenceWarning, stacklevel=1)
        warnings.warn("something else", UserWarning, stacklevel=1)
        return real_ipm(pr, **kw)

    monkeypatch.setattr(comparison, "solve_ipm", noisy_ipm)
    monkeypatch.setattr(comparison, "METHODS", {"subgradient": lambda pr, **kw: certify(pr, [0.9, 0.05], -0.9)})
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        ds.compare(p, methods=("subgradient",))
    assert [str(w.message) for w in rec] == ["something else"]


def test_compare_prediction_counts_and_implications(monkeypatch):
    """n_prediction_disagreements counts points predicted differently (here f != 0 everywhere);
    each certificate implication broken on its own gives its own violation."""
    p = hand_two_margin()
    cands = {"exact": ([1.0, 0.0], -1.0), "flip": ([-1.0, 0.0], 1.0)}
    monkeypatch.setattr(comparison, "METHODS", {k: (lambda pr, w=w, b=b, **kw: certify(pr, w, b)) for k, (w, b) in cands.items()})
    res = ds.compare(p, methods=list(cands), strict=False)
    (q,) = res.pairs
    pred = {k: s.predict(p.X) for k, s in res.solutions.items()}
    assert q["n_prediction_disagreements"] == int(np.count_nonzero(pred["exact"] != pred["flip"])) == 4
    # flip is certified with a large radius: its margin ranges straddle 0, so no prediction is unexplained
    assert q["n_unexplained_predictions"] == 0 and res.verdict == "INCONCLUSIVE"
    # Each implication, broken by a certificate that claims too much: radius, b interval, margins, labels, signs.
    real = comparison.certificate
    breaks = {
        "apart but certified within": lambda s: setattr(s, "radius", 0.0),
        "b intervals": lambda s: setattr(s, "b_interval", (5.0, 6.0)),
        # ranges around 0 (no sign certified) that miss exact's ranges around 1 and 3:
        "optimal-margin ranges": lambda s: setattr(s, "margin_range", (np.full(4, -0.5), np.full(4, 0.5))),
        "certified non-support by one": lambda s: setattr(s, "bound_support", np.arange(4)),
        # a positive sign certified (ranges overlapping exact's) where flip predicts the other class:
        "both certify opposite predictions": lambda s: setattr(s, "margin_range", (np.full(4, 0.5), np.full(4, 5.0))),
    }
    for phrase, breaker in breaks.items():
        def broken(*args, _b=breaker, **kw):
            s = real(*args, **kw)
            if kw["method"] == "flip":
                _b(s)
            return s

        monkeypatch.setattr(comparison, "certificate", broken)
        res = ds.compare(p, methods=list(cands), strict=False)
        assert res.verdict == "DISAGREE" and not res.agree
        assert [phrase in v for v in res.violations].count(True) == 1, (phrase, res.violations)
        assert res.summary == "a certificate is wrong (a bug): " + "; ".join(res.violations)
        with pytest.raises(ds.CertificateViolation, match=re.escape(res.summary[:40])):
            ds.compare(p, methods=list(cands))


def exact_projection(a: list[Fr], y: list[int], C: Fr) -> list[Fr]:
    """The Euclidean projection onto {0 <= alpha <= C, y^T alpha = 0}, in fractions: clip(a - lam y)
    at the root lam of the non-increasing piecewise-linear h(lam) = y^T clip(a - lam y, 0, C)."""

    def h(lam: Fr) -> Fr:
        return sum((yi * min(C, max(Fr(0), ai - lam * yi)) for ai, yi in zip(a, y, strict=True)), Fr(0))

    bps = sorted({yi * ai for ai, yi in zip(a, y, strict=True)} | {yi * (ai - C) for ai, yi in zip(a, y, strict=True)})
    for lo, hi in zip(bps, bps[1:], strict=False):
        h_lo, h_hi = h(lo), h(hi)
        if h_lo >= 0 >= h_hi:
            lam = lo if h_lo == 0 else (hi if h_hi == 0 else lo + (hi - lo) * h_lo / (h_lo - h_hi))
            return [min(C, max(Fr(0), ai - lam * yi)) for ai, yi in zip(a, y, strict=True)]
    raise AssertionError("no root")


@settings(max_examples=60 if not MUTATION else 30, deadline=None)
@given(n=st.integers(2, 30), seed=st.integers(0, 2**16), logC=st.floats(-3, 3), spread=st.sampled_from([0.1, 1.0, 10.0]),
       ties=st.booleans())
def test_project_dual_exactly(n, seed, logC, spread, ties):
    """project_dual against the exact projection: within rounding, in the box exactly, y^T alpha within a few ulps of C."""
    rng = np.random.default_rng(seed)
    C = 10.0**logC
    y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    y[0], y[-1] = 1.0, -1.0
    a0 = C * (rng.integers(-2, 4, n) / 2.0 if ties else rng.normal(0.5, spread, n))
    out = ds.project_dual(a0, y, C)
    ref = exact_projection([fr(v) for v in a0], [int(v) for v in y], fr(C))
    np.testing.assert_allclose(out, [float(v) for v in ref], rtol=0, atol=1e-12 * C * (1 + spread))
    assert out.min() >= 0.0 and out.max() <= C
    yta = sum((fr(yi) * fr(ai) for yi, ai in zip(y, out, strict=True)), Fr(0))
    # The docstring's a priori bound, exactly: the error of the float sum it absorbs, gamma_{n-1} sum(alpha),
    # plus the rounding of the coordinate that absorbs it, u C. (Loose: a missing absorption still passes
    # it here; test_project_dual_absorbs_the_rounding_residual catches that.)
    u = Fr(2) ** -53
    gamma = (n - 1) * u / (1 - (n - 1) * u)
    assert abs(yta) <= gamma * sum((fr(v) for v in out), Fr(0)) + u * fr(C), float(yta / fr(np.spacing(C)))
    # And what it measures (at most 11 ulps of C in 20,000 such projections): the sum, not 16 of them.
    assert abs(yta) <= 16 * fr(np.spacing(C)), float(yta / fr(np.spacing(C)))


def test_project_dual_edge_cases():
    # Already feasible: returned unchanged (a new array).
    y = np.array([1.0, -1.0, 1.0, -1.0])
    a = np.array([0.25, 0.5, 0.25, 0.0])
    out = ds.project_dual(a, y, 1.0)
    np.testing.assert_array_equal(out, a)
    assert out is not a
    # Unbalanced only by rounding: the residual goes to the coordinate with the most room in the box.
    a = np.array([0.1, 0.2, 0.7, 0.6 + 2**-52 * 0.6, 0.0, 0.0])
    y = np.array([1.0, 1.0, 1.0, -1.0, -1.0, -1.0])
    out = ds.project_dual(a, y, 1.0)
    assert float(y @ out) == 0.0 and out.min() >= 0 and out.max() <= 1.0
    # One class only: y^T alpha = 0 in the box leaves alpha = 0 (the set {0} is not empty:
    # h(min bp) = C n_+ >= 0 >= -C n_- = h(max bp), so the root is always bracketed).
    np.testing.assert_array_equal(ds.project_dual([0.5, 0.7], [1.0, 1.0], 1.0), [0.0, 0.0])
    np.testing.assert_array_equal(ds.project_dual([0.5, 0.7], [-1.0, -1.0], 1.0), [0.0, 0.0])
    # C = 0: h is 0 everywhere, the interval's ends are both roots (no division by h_lo - h_hi = 0).
    np.testing.assert_array_equal(ds.project_dual([0.5, 0.25], [1.0, -1.0], 0.0), [0.0, 0.0])
    # A 2-D alpha (scikit-learn's dual_coef_ shape) is flattened.
    np.testing.assert_array_equal(ds.project_dual([[0.5, 0.5]], [[1.0, -1.0]], 1.0), [0.5, 0.5])


def test_argmin_b_exactly():
    """argmin_b's interval is [t_(n+), t_(n+ + 1)] exactly, ties and one-sided counts included."""
    for seed in range(20):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(2, 15))
        X = rng.integers(-2, 3, size=(n, 2)).astype(float)
        y = np.where(rng.random(n) < 0.3, 1.0, -1.0)
        y[0], y[-1] = 1.0, -1.0
        p = SVMProblem(X, y, C=1.0)
        w = rng.integers(-2, 3, 2) / 2.0
        lo, hi = ds.argmin_b(p, w)
        t = sorted(fr(yi) - fr(x[0]) * fr(w[0]) - fr(x[1]) * fr(w[1]) for x, yi in zip(X, y, strict=True))
        n_pos = int(np.sum(y > 0))
        assert (fr(lo), fr(hi)) == (t[n_pos - 1], t[n_pos])
        assert type(lo) is float and type(hi) is float
    assert ds.argmin_b(hand_no_free(), [[0.5, 0.0]]) == (-0.5, 0.5)  # w as a row, as coef_
    assert ds.argmin_b(hand_no_free(), ["0.5", "0"]) == (-0.5, 0.5)  # any array_like of numbers
    # Large n, where numpy's partition leaves the rest unsorted: the two order statistics exactly.
    rng = np.random.default_rng(1)
    for _ in range(300):
        n = int(rng.integers(40, 1500))
        y = np.where(rng.random(n) < rng.uniform(0.1, 0.9), 1.0, -1.0)
        y[0], y[-1] = 1.0, -1.0
        p = SVMProblem(rng.standard_normal((n, 1)), y, C=1.0)
        t = np.sort(p.y - p.X @ np.array([0.7]))
        n_pos = int(np.sum(y > 0))
        assert ds.argmin_b(p, [0.7]) == (t[n_pos - 1], t[n_pos])


def test_slope_zero_weighted_and_its_slack():
    """slope_zero with costs: the slope of b -> sum_i C_i max(0, 1 - y_i(s_i + b)) rises from
    -sum_+ C_i by C_i at each breakpoint; it is zero between the returned order statistics, and
    ``slack`` widens the search by that fraction of S = sum_+ C_i on each side (lo at S (1 - slack),
    hi at S (1 + slack)). Dyadic costs: every cumulative sum is exact."""
    from dualsvm.feasibility import slope_zero

    t = np.arange(6.0)
    y = np.array([-1.0, 1.0, -1.0, 1.0, -1.0, 1.0])
    ones = np.ones(6)
    assert slope_zero(t, t, y, ones) == (2.0, 3.0)  # the slope is 0 exactly between t = 2 and t = 3
    assert slope_zero(t, t, y, ones, slack=0.5) == (1.0, 4.0)  # searched at 1.5 and 4.5 of 6
    assert slope_zero(t - 0.5, t + 0.5, y, ones) == (1.5, 3.5)  # lo from t_lo, hi from t_hi
    # Two points: the slope is -0.75 after t = 0 and +0.25 after t = 1, so zero at b = 1, the last
    # breakpoint (and beyond the last one when the slack reaches the whole cost sum).
    t2, y2, c2 = np.array([0.0, 1.0]), np.array([-1.0, 1.0]), np.array([0.25, 1.0])
    assert slope_zero(t2, t2, y2, c2) == (1.0, 1.0)
    assert slope_zero(t2, t2, y2, c2, slack=0.25) == (1.0, 1.0)


# -- compare: the pairwise guard's exact threshold, prediction counts, the worst pair, the status ------
def _patched_radii(monkeypatch, radii):
    """Make compare's re-certification report the given radius per method name."""
    def fixed(*args, **kw):
        s = certificate(*args, **kw)
        s.radius = radii[kw["method"]]
        return s

    monkeypatch.setattr(comparison, "certificate", fixed)


def test_support_labels_rules():
    """support_labels read off (m_lo, m_hi) alone: NON above 1, BOUND below 1, MARGIN when the range
    contains 1 (ends included) and is at most margin_tol wide, else UNDECIDED; int8 codes."""
    from dualsvm.certificates import BOUND, MARGIN, NON, UNDECIDED, support_labels

    lo = [1.0 + 1e-12, 0.5, 1.0, 1.0 - 1e-5, 0.99, 1.0 - 2e-4, 0.9]
    hi = [1.5, 1.0 - 1e-12, 1.0 + 1e-5, 1.0, 1.01, 1.0, 0.95]
    out = support_labels(lo, hi, 1e-4)
    assert out.tolist() == [NON, BOUND, MARGIN, MARGIN, UNDECIDED, UNDECIDED, BOUND]
    assert out.dtype == np.int8 and (NON, MARGIN, BOUND, UNDECIDED) == (0, 1, 2, 3)
    assert support_labels([1.0], [1.0], 0.0).tolist() == [MARGIN]  # a zero-width range at 1
    # array_like in, as documented: strings of numbers are converted like any other.
    assert support_labels(["1.5", "0.5"], ["2", "0.75"], 1e-4).tolist() == [NON, BOUND]


def test_project_dual_converts_array_like():
    """alpha, y and C as any array_like of numbers (here strings and nested lists) become float64."""
    out = ds.project_dual(["0.25", "0.75"], [["1"], ["-1"]], 1.0)
    assert out.dtype == np.float64 and out.tolist() == [0.5, 0.5]
    assert ds.project_dual([0.25, 0.75], [1, -1], "0.375").tolist() == [0.375, 0.375]  # C binds


def test_project_dual_rejects_labels_other_than_plus_minus_one():
    with pytest.raises(ds.DualSVMError, match=r"y must hold only -1 and \+1, got values \[0.0, 1.0\]"):
        ds.project_dual([0.5, 0.5], [0.0, 1.0], 1.0)
    with pytest.raises(ValueError, match=r"y must hold only -1 and \+1, got values \[-2.0, 2.0\]"):
        ds.project_dual([0.5, 0.5], [2.0, -2.0], 1.0)
    # Many distinct labels: the message lists the first six, sorted.
    with pytest.raises(ValueError, match=r"got values \[0.0, 2.0, 3.0, 4.0, 5.0, 6.0\]$"):
        ds.project_dual(np.full(8, 0.5), [0.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], 1.0)


def test_project_dual_absorbs_the_rounding_residual():
    """A case (found by search) where the interpolated projection leaves y^T alpha = 26.5 ulps of C
    exactly; moving the float residual into one coordinate brings it to half an ulp."""
    rng = np.random.default_rng(66)
    n, C = int(rng.integers(2, 31)), 10 ** rng.uniform(-3, 3)
    y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    y[0], y[-1] = 1.0, -1.0
    a0 = C * rng.normal(0.5, 0.1, n)
    out = ds.project_dual(a0, y, C)
    yta = sum((fr(yi) * fr(ai) for yi, ai in zip(y, out, strict=True)), Fr(0))
    assert abs(yta) <= fr(np.spacing(C)), float(yta / fr(np.spacing(C)))
    assert out.min() >= 0.0 and out.max() <= C


def test_tight_certificates_expose_unaccounted_rounding():
    """The pure certificate with the exact dual point (rounded) and w* + e, |e| in 1e-8..1e-2: then
    D(alpha) = P* to rounding, so the bound duality_gap >= P(w, b) - P* is tight and every
    rounding error the floor does not account for shows. (Measured: scores and Z^T alpha summed in
    float64 instead of longdouble give 489 violations in 1800 such candidates; all Higham gamma_k
    set to 0 give 58 in 540; gamma_k / 10 gives none: the allowances have about tenfold slack.)"""
    probs = [hand_no_free()] + [SVMProblem(*ds.datasets.make_overlapping(20, 3, seed=s), C=c) for s in range(4) for c in (0.01, 1.0)]
    for p in probs:
        ex = exact_optimum(p)
        alpha = [float(v) for v in ex.alpha]
        w0, b0 = rounded_optimum(ex)
        rng = np.random.default_rng(0)
        for _ in range(40):
            e = 10.0 ** rng.uniform(-8, -2) * rng.standard_normal(p.d)
            expect_valid(ex, certificate(p, w0 + e, b0, alpha), "tight-exact-alpha")


def test_certificate_defaults_and_large_n():
    """certificate()'s documented defaults; Z^T alpha accumulated over every row block (n > 16384)."""
    p = hand_two_margin()
    s = certificate(p, [1.0, 0.0], -1.0, [0.5, 0.5, 0.0, 0.0])
    assert (s.method, s.status, s.success, s.iterations, s.extras, s.margin_tol) == ("certify", "certified", True, 0, {}, 1e-3)
    assert math.isnan(s.solve_time) and s.message == f"relative gap {s.relative_gap:.3g} <= target 1e-08"
    assert np.all(s.C == 1.0) and s.classes.tolist() == [-1, 1] and s.margins.tolist() == [1.0, 1.0, 3.0, 3.0]
    bad = certificate(p, [0.9, 0.05], -0.9, [0.5, 0.5, 0.0, 0.0], status="optimal")
    assert bad.status == "inaccurate" and not bad.success and bad.message == f"relative gap {bad.relative_gap:.3g} > target 1e-08"
    kept = certificate(p, [0.9, 0.05], -0.9, [0.5, 0.5, 0.0, 0.0], status="max_iter", message="m", iterations=3, solve_time=1.5,
                       extras={"k": 1}, method="x", target_gap=0.5, margin_tol=0.25)
    assert (kept.status, kept.success, kept.message, kept.iterations, kept.solve_time, kept.extras, kept.method) == (
        "max_iter", False, "m", 3, 1.5, {"k": 1}, "x")
    assert kept.margin_tol == 0.25 and certificate(p, [0.9, 0.05], -0.9, [0.5, 0.5, 0, 0], target_gap=0.5).success
    # kkt and margin_width as documented; a certificate meets a target equal to its own relative gap.
    assert s.kkt["dual_box"] == 0.0 and s.kkt["dual_equality"] == 0.0  # alpha strictly inside the box
    assert s.margin_support.tolist() == [0, 1] and s.margin_width == float(np.max(s.margin_range[1][:2] - s.margin_range[0][:2]))
    assert bad.margin_support.size == 0 and bad.margin_width == 0.0
    assert certificate(p, [0.9, 0.05], -0.9, [0.5, 0.5, 0, 0], target_gap=bad.relative_gap).success
    # n > _BLOCK rows: w = Z^T alpha exactly, so the stationarity residual is rounding only.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16_384 + 700, 2))
    y = np.where(np.arange(X.shape[0]) % 2 == 0, 1.0, -1.0)
    q = SVMProblem(X, y, C=1.0)
    alpha = np.full(q.n, 0.5)
    w = X.T @ (y * alpha)
    s = certificate(q, w, 0.0, alpha)
    assert s.kkt["stationarity"] <= 1e-9 * np.linalg.norm(w)


def test_large_all_at_C_problem_exactly():
    """n = 1406 (closed form, alpha* = C everywhere): the b interval's order statistics at a size
    where numpy's partition does not sort. (Found by search: partitioning t - rho at n_+ - 2 instead
    of n_+ - 1 picks the wrong element here and the interval comes out empty.)"""
    rng = np.random.default_rng(26)
    n = int(rng.integers(100, 800)) * 2
    p = SVMProblem(*ds.datasets.make_overlapping(n, 2, seed=26), C=1e-4)
    ex = closed_form_all_at_C(p)
    w0, b0 = rounded_optimum(ex)
    sol = certify(p, w0 + 1e-7 * rng.standard_normal(2), b0)
    assert sol.b_interval[0] <= ex.b_lo < ex.b_hi <= sol.b_interval[1]
    expect_valid(ex, sol, "large-all-at-C", tight=True)


def test_certificate_inside_the_box_and_original_labels(monkeypatch):
    p = hand_two_margin()
    s = certificate(p, [1.0, 0.0], -1.0, [0.5, 0.5, 0.25, 0.25])  # 0 < alpha < C everywhere, y^T alpha = 0
    assert s.kkt["dual_box"] == 0.0
    q = SVMProblem(p.X, ["b", "a", "b", "a"], C=1.0)
    s = certificate(q, [1.0, 0.0], -1.0, [0.5, 0.5, 0.0, 0.0])
    assert s.classes.tolist() == ["a", "b"] and s.predict(q.X).tolist() == ["b", "a", "b", "a"]


# -- the rounding allowances of gap_floor, pinned --------------------------------------------------
# The oracle above shows every certificate *valid*; it cannot see an allowance that is 3 times too
# large (still valid) or 3 times too small (the allowances have about tenfold slack on real data).
# Here each allowance of gap_floor, as documented in the module docstring of dualsvm/certificates.py,
# is evaluated independently in Fractions from the exact margins, the exact Z^T alpha and the exact
# gap identity, on data crafted so that it is the largest term, and compared with the certificate's
# gap_floor. The float evaluation inside the certificate differs from the exact one by a relative
# 1e-15 or so; an allowance off by a factor (2 for 3, k for k + 1 in gamma_k) moves gap_floor by far
# more than the 1e-9 allowed here.
U = Fr(2) ** -53  # unit roundoff of float64
UE = fr(float(np.finfo(np.longdouble).eps)) / 2  # of longdouble (== U where longdouble is double)


def gamma(k: int, u: Fr = UE) -> Fr:
    """Higham's gamma_k = k u / (1 - k u), exactly."""
    return k * u / (1 - k * u)


def _norm(v: list[Fr]) -> Fr:
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
    nrm, ne = _norm(r_wv), _norm(eps)
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


def test_lipschitz_window_is_two_deltas_wide():
    """The brackets' allowance counts a slope only within 2 delta_i of the kink (module docstring).
    Two points whose exact margins are 1 -+ 20 * 2^-64, between 2 delta_i = 16 * 2^-64 and 3 delta_i
    (w_2 = 20 * 2^-64 carries the offset; every product is exact in longdouble): the point below the
    kink counts only C - alpha_i, the one above only alpha_i. At C = 0.6 (alpha_i = 1/2 > C - alpha_i)
    and C = 2 (C - alpha_i > alpha_i) the slope outside the window would be the larger one."""
    if UE == U:
        pytest.skip("needs an extended longdouble: the offsets are below float64's resolution")
    off = 20 * 2.0**-64
    X = np.array([[1.0, -1.0], [-1.0, -1.0]])
    y = np.array([1.0, -1.0])
    for C in (0.6, 2.0):
        p = SVMProblem(X, y, C=C)
        sol = certificate(p, [1.0, off], 0.0, [0.5, 0.5])
        t = check_floor(p, sol, "brackets")
        delta = 2 * gamma(4) * (1 + fr(off))  # |x_i|^T |w| + |b| = 1 + off on both points
        assert 2 * delta < 20 * UE < 3 * delta
        assert t["brackets"] == 2 * (1 + gamma(2, U)) * ((fr(C) - Fr(1, 2)) + Fr(1, 2)) * delta


def _first_interval_chain(p: SVMProblem, sol: ds.Solution) -> tuple[Fr, tuple[float, float]]:
    """gap_floor as documented, with B from a *first* b interval: that interval is certified as the
    final one (T09: order statistics of t -+ rho, rho_i = r_1 |x_i|), from the gap bound with
    |b*| <= 1 + R sqrt(2 P_up), P_up = |P(w, b)| (1 + 1e-6) + 1 (the a priori bound and its cushion
    for P's rounding), R = max |x_i|. Exact except for square roots and the sort (floats)."""
    t = documented_floor(p, sol)
    floor0 = t["brackets"] + t["square"] + t["sum"]
    y = [int(v) for v in p.y]
    a = [fr(v) for v in sol.alpha]
    yta = abs(sum((yi * ai for yi, ai in zip(y, a, strict=True)), Fr(0)))
    w, b = [fr(v) for v in sol.w], fr(sol.b)
    X = [[fr(v) for v in row] for row in p.X]
    s = [sum((X[i][j] * w[j] for j in range(p.d)), Fr(0)) for i in range(p.n)]
    P = sum((v * v for v in w), Fr(0)) / 2 + sum((fr(p.costs[i]) * max(Fr(0), 1 - y[i] * (s[i] + b)) for i in range(p.n)), Fr(0))
    norms = np.linalg.norm(p.X, axis=1)
    tt = np.array([float(y[i] - s[i]) for i in range(p.n)])
    n_pos = sum(1 for v in y if v > 0)
    b1 = 1 + float(norms.max()) * math.sqrt(2 * (float(P) * (1 + 1e-6) + 1))
    r1 = math.sqrt(2 * float(t["G_hat"] + floor0 + (abs(b) + fr(b1)) * yta))
    first = (float(np.sort(tt - r1 * norms)[n_pos - 1]), float(np.sort(tt + r1 * norms)[n_pos]))
    B = max(abs(first[0]), abs(first[1]))
    return floor0 + (abs(b) + fr(B)) * yta, first


def test_balance_term_reads_the_first_b_interval():
    """solve_dual's dual point, left unbalanced by rounding (|y^T alpha| ~ 1e-12 at C = 1e4), on data
    shifted so that b* < 0: the balance term is most of gap_floor, and B is the larger end in absolute
    value of a first interval 1e-4 wider (relative) than the final one. gap_floor is pinned at 1e-8
    to the documented chain: the first |b*| bound 1 + R sqrt(2 P_up) doubled or its square root
    dropped, or B read off the upper end only, moves it by 1e-6 or more."""
    seen = 0
    for seed in (1, 4, 6, 8):
        X, y = ds.datasets.make_overlapping(12, 2, seed=seed)
        p = SVMProblem(X + np.array([3.0, 0.0]), y, C=1e4)
        opt = ds.solve_dual(p)
        sol = certificate(p, opt.w, opt.b, opt.alpha)
        doc, first = _first_interval_chain(p, sol)
        if sol.kkt["dual_equality"] == 0.0:
            continue  # balanced exactly: no balance term to read
        seen += 1
        assert close(fr(sol.gap_floor), doc, 1e-8), (float(fr(sol.gap_floor) / doc - 1), first, sol.b_interval)
        assert first[0] <= sol.b_interval[0] <= sol.b_interval[1] <= first[1]  # the final interval is the tighter
    assert seen >= 2


def _symmetric_problem():
    """Points and their negatives with opposite labels (so b* = 0), most also mirrored in x_2, plus
    (0, 1) and (0, -1): w*_2 = 0 here (checked), so s_i = 0 at those two. Returns the problem and its
    exact optimum (tests/oracle.py)."""
    rng = np.random.default_rng(5)
    A = np.round(rng.uniform(0.5, 3, size=(5, 2)) * 8) / 8
    pos = np.vstack([A, A * [1, -1], [[0.0, 1.0]]])
    p = SVMProblem(np.vstack([pos, -pos]), [1.0] * len(pos) + [-1.0] * len(pos), C=1.0)
    return p, exact_optimum(p)


def test_b_interval_and_margin_range_at_the_documented_ends():
    """At b* = 0 (symmetric data, the rounded exact optimum), the ends of the b interval and of the
    margin ranges are of the size of rho ~ 1e-8 and are pinned to the documented ones, from the
    certified radius: b in [t_(n+) - rho, t_(n+ + 1) + rho] (order statistics of t_i -+ rho_i,
    rho_i = r |x_i| + delta_i), m_i in y_i s_i -+ rho_i + [min, max] y_i [b_lo, b_hi], up to the
    rounding of their evaluation (8u times the magnitudes) and of s_i to float64 (u |s_i|).
    A rounding term that divides by these magnitudes instead would add ~1e-7."""
    p, ex = _symmetric_problem()
    assert ex.b_lo == ex.b_hi == 0 and ex.w[1] == 0
    w = np.array([float(v) for v in ex.w])
    sol = certificate(p, w, 0.0, [float(v) for v in ex.alpha])
    r = fr(sol.radius)
    y = [int(v) for v in p.y]
    n_pos = sum(1 for v in y if v > 0)
    X = [[fr(v) for v in row] for row in p.X]
    s = [sum((X[i][j] * fr(w[j]) for j in range(p.d)), Fr(0)) for i in range(p.n)]
    norms = [_norm(row) for row in X]
    delta = [2 * gamma(p.d + 2) * sum((abs(X[i][j]) * abs(fr(w[j])) for j in range(p.d)), Fr(0)) for i in range(p.n)]
    rho = [r * norms[i] + delta[i] for i in range(p.n)]
    t = [y[i] - s[i] for i in range(p.n)]
    lo = sorted(t[i] - rho[i] for i in range(p.n))[n_pos - 1]
    hi = sorted(t[i] + rho[i] for i in range(p.n))[n_pos]
    slack = 8 * U * (1 + max(abs(v) for v in s))
    assert abs(fr(sol.b_interval[0]) - lo) <= slack and abs(fr(sol.b_interval[1]) - hi) <= slack, (sol.b_interval, float(lo), float(hi))
    assert 1e-9 < -lo < 1e-6  # the ends are small: the slack above is 1e-7 of them
    B_lo, B_hi = fr(sol.b_interval[0]), fr(sol.b_interval[1])
    for i in range(p.n):
        yb = sorted((y[i] * B_lo, y[i] * B_hi))
        m_lo, m_hi = y[i] * s[i] - rho[i] + yb[0], y[i] * s[i] + rho[i] + yb[1]
        tol = 8 * U * (abs(s[i]) + rho[i] + abs(B_lo) + abs(B_hi)) + U * abs(s[i])
        assert abs(fr(sol.margin_range[0][i]) - m_lo) <= tol and abs(fr(sol.margin_range[1][i]) - m_hi) <= tol, i
    assert abs(sol.margin_range[0][-1]) < 1e-6  # the point (0, -1): s = 0, its range of the size of rho
