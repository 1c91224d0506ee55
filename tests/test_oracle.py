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

import math
import os
import re
import warnings
from collections import Counter
from fractions import Fraction as Fr

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
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
FAST = settings(max_examples=12 if MUTATION else 40, derandomize=MUTATION, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DEEP = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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
test_noisy_optimum_and_exact_optimum = FAST(given(**noisy_args)(noisy_optimum_and_exact_optimum))
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
        sol = ds.solve_subgradient(p, max_iter=50)
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

method       objective  rel.gap   radius            b interval  margin  bound  non-SV  undec.  iter   time
-----------  ---------  -------  -------  --------------------  ------  -----  ------  ------  ----  -----
exact              #  #  #              [#, #]       #      #       #       #     #   #s
subgradient    #  #  #  [#, #]       #      #       #       #     #  #s

pair                  |w_i - w_j|  bound r_i+r_j  max |f_i-f_j|  pred. diff  support diff
--------------------  -----------  -------------  -------------  ----------  ------------
exact vs subgradient     #       #       #           #             #
  point # differs (exact vs subgradient): exact: m=#, subgradient: m=#
  point # differs (exact vs subgradient): exact: m=#, subgradient: m=#
note: subgradient: stopped early on purpose

DISAGREE: support sets differ on # decided point(s) although every pair is within its radius."""


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


@settings(max_examples=60 if not MUTATION else 30, derandomize=MUTATION, deadline=None)
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
    # The docstring says "at the level of one ulp of C"; measured exactly, up to 9 ulps (the residual
    # it absorbs is itself a rounded float dot product). The certificate uses the exact value (fsum).
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
    # One class only: y^T alpha = 0 in the box leaves alpha = 0 (the set {0} is not empty: the
    # DualSVMError branch of project_dual is unreachable, h(min bp) = C n_+ >= 0 >= -C n_- = h(max bp)).
    np.testing.assert_array_equal(ds.project_dual([0.5, 0.7], [1.0, 1.0], 1.0), [0.0, 0.0])
    np.testing.assert_array_equal(ds.project_dual([0.5, 0.7], [-1.0, -1.0], 1.0), [0.0, 0.0])
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
    """alpha and y as any array_like of numbers (here strings and nested lists) become float64."""
    out = ds.project_dual(["0.25", "0.75"], [["1"], ["-1"]], 1.0)
    assert out.dtype == np.float64 and out.tolist() == [0.5, 0.5]


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

