"""Dask arrays (issue 14): the same certified answers as in memory, on the threaded scheduler and on a cluster.

Small and fast (n <= 2000): what is checked is that the block-wise solvers and
certificate give the in-memory answer within the certified radii, with the same
certified support sets, for any chunking; and that bad input and the in-memory
solvers fail with the in-memory errors. Speed is measured in benchmarks/bench_dask.py.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

import dualsvm as ds
from dualsvm import DualSVMError

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

N, D = 600, 4
UNEVEN = (37, 140, 5, 200, 61, 90, 67)  # 7 uneven row chunks, n = 600


def _data(seed: int = 0, n: int = N, d: int = D) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.array([1.0, 3.0, 0.5, 2.0])[:d]
    y = np.where(X @ rng.normal(size=d) + 0.7 * rng.normal(size=n) > 0, "yes", "no")  # labels of any type
    return X, y


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    return _data()


@pytest.fixture(scope="module")
def reference(data: tuple[np.ndarray, np.ndarray]) -> ds.Solution:
    X, y = data
    return ds.solve_ipm(ds.SVMProblem(X, y, C=2.0))


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture
def threads():
    with dask.config.set(scheduler="threads"):  # wins over a Client, so the module's cluster stays idle here
        yield


def _same_answer(sol: ds.Solution, ref: ds.Solution) -> None:
    """Two certified answers to one problem: within each other's radii, the same certified labels."""
    assert sol.success and ref.success, (sol.message, ref.message)
    assert np.linalg.norm(sol.w - ref.w) <= sol.radius + ref.radius
    lo, hi = max(sol.b_interval[0], ref.b_interval[0]), min(sol.b_interval[1], ref.b_interval[1])
    assert lo <= hi, (sol.b_interval, ref.b_interval)  # both contain every optimal b
    assert abs(sol.primal_objective - ref.primal_objective) <= sol.duality_gap + ref.duality_gap + 1e-12
    for name in ("margin_support", "bound_support", "non_support", "undecided"):
        got, want = getattr(sol, name), getattr(ref, name)
        assert isinstance(got, np.ndarray) and got.dtype.kind == "i", name  # index arrays in memory
        np.testing.assert_array_equal(got, want, err_msg=name)


def test_import_dualsvm_never_imports_dask() -> None:
    """`import dualsvm` and an in-memory solve import neither dask nor distributed (a fresh interpreter)."""
    code = (
        "import sys, numpy as np, dualsvm as ds\n"
        "p = ds.SVMProblem(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 0, 1, 1])\n"
        "ds.solve_ipm(p); ds.certify(p, [2.0], -3.0)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "assert not bad, bad[:3]\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "ok\n"


def test_operator_matches_dense(threads: None) -> None:
    """Every DaskOperator product equals DenseOperator's; reductions come back as numpy, n-vectors stay lazy."""
    from dualsvm.operators import DaskOperator, DenseOperator

    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 3))
    op, ref = DaskOperator(da.from_array(X, chunks=((7, 20, 23), 2))), DenseOperator(X)
    w, v, s = rng.normal(size=3), rng.normal(size=50), rng.random(50)
    m = op.matvec(w)
    assert hasattr(m, "dask")  # lazy: computed where the blocks are
    np.testing.assert_allclose(m.compute(), ref.matvec(w), rtol=1e-13)
    np.testing.assert_allclose(op.rmatvec(v), ref.rmatvec(v), rtol=1e-12)
    G, XtV = op.weighted_gram(s, np.column_stack([v, s]))
    G0, XtV0 = ref.weighted_gram(s, np.column_stack([v, s]))
    np.testing.assert_allclose(G, G0, rtol=1e-12)
    np.testing.assert_allclose(XtV, XtV0, rtol=1e-12)
    np.testing.assert_allclose(op.gram_diagonal(s), ref.gram_diagonal(s), rtol=1e-12)
    np.testing.assert_allclose(op.row_norms().compute(), ref.row_norms(), rtol=1e-14)
    np.testing.assert_allclose(op.abs_matvec(np.abs(w)).compute(), ref.abs_matvec(np.abs(w)), rtol=1e-13)
    np.testing.assert_allclose(op.abs_rmatvec(np.abs(v)), ref.abs_rmatvec(np.abs(v)), rtol=1e-12)
    np.testing.assert_array_equal(op.rows([3, 40, 8]), X[[3, 40, 8]])
    assert (op.passes, op.rows_read) == (7, 3)
    for f in (op.dense, op.row_gram):
        with pytest.raises(DualSVMError, match="solve_ipm or dualsvm.solve_subgradient"):
            f()


@pytest.mark.parametrize("scheduler", ["threads", "cluster"])
def test_solve_ipm_on_dask_equals_in_memory(scheduler: str, data, reference, request) -> None:
    """solve_ipm on a dask X (7 uneven chunks): the in-memory answer within the radii, the same support sets.

    On the cluster every step runs as tasks of the LocalCluster (the task stream is not empty).
    """
    X, y = data
    Xd = da.from_array(X, chunks=(UNEVEN, D))
    if scheduler == "threads":
        with dask.config.set(scheduler="threads"):
            sol = ds.solve_ipm(ds.SVMProblem(Xd, y, C=2.0))
    else:
        client = request.getfixturevalue("client")
        with distributed.get_task_stream(client) as ts:
            sol = ds.solve_ipm(ds.SVMProblem(Xd, da.from_array(y, chunks=50), C=2.0))  # y as dask too
        assert len(ts.data) > 0
        # the certificate's block pass runs once per block (built into both the row array and the sums, dask.array
        # fused it into the rows' tasks and it ran twice)
        keys = [t["key"][0] if isinstance(t["key"], tuple) else str(t["key"]) for t in ts.data]
        assert sum("cert_block" in k for k in keys) == len(UNEVEN)
    _same_answer(sol, reference)
    assert sol.status == "optimal" and sol.relative_gap <= 1e-9
    assert hasattr(sol.alpha, "dask") and sol.alpha.shape == (N,)  # alpha stays a dask array
    assert "optimal" in repr(sol) and sol.to_dict()["n_bound_support"] == reference.bound_support.size
    np.testing.assert_array_equal(sol.predict(X), reference.predict(X))
    np.testing.assert_allclose(sol.alpha.compute(), reference.alpha, atol=1e-6 * 2.0)
    np.testing.assert_allclose(sol.margins.compute(), reference.margins, atol=1e-8)
    assert sol.extras["newton"] == "features" and sol.extras["finish"][-1]["n_free"] <= 2 * (D + 1)
    # the working-set finish of the in-memory path, step for step: the same Newton steps on all points and on
    # the working set, an exact KKT point, and no undecided point (as in memory)
    assert sol.extras["finish"][-1]["outcome"] == "KKT point" and sol.extras["finish"][-1]["exact"]
    for key in ("iterations_all_points", "iterations_working_set"):
        assert sol.extras[key] == reference.extras[key] > 0, key
    assert sol.extras["finish"][-1]["working_sizes"] == reference.extras["finish"][-1]["working_sizes"]
    assert sol.undecided.size == 0 == reference.undecided.size


def test_one_chunk_and_seven_uneven_chunks_same_answer(threads: None, data) -> None:
    """The chunking changes no certified answer: 1 chunk against 7 uneven ones."""
    X, y = data
    one = ds.solve_ipm(ds.SVMProblem(da.from_array(X, chunks=(N, D)), y, C=2.0))
    seven = ds.solve_ipm(ds.SVMProblem(da.from_array(X, chunks=(UNEVEN, D)), y, C=2.0))
    _same_answer(one, seven)


def _balanced_dyadic(alpha: np.ndarray, y_pm: np.ndarray, C: np.ndarray, bits: int = 20) -> np.ndarray:
    """``alpha`` rounded down onto the grid 2**-bits, in the box, with y'alpha = 0 exactly.

    Every sum of its entries is then exact in float64 whatever the order, so the block-wise and the
    in-memory certificates see the same dual residual (0). With a residual of rounding size instead,
    each is a valid bound but they differ in the last bits of G, and near G = 0 the b interval's ends
    move like sqrt(G) (measured: 2e-8 apart for a residual 1.6e-15 against 2.4e-15).
    """
    q = 2.0**-bits
    k = np.floor(np.minimum(alpha, C) / q)
    r = int(y_pm @ k)  # exact: |k| < 2**40
    side = y_pm == np.sign(r)  # the class with the excess gives it back
    for i in np.flatnonzero(side & (k > 0)):
        if r == 0:
            break
        take = min(int(k[i]), abs(r))
        k[i] -= take
        r -= int(np.sign(r)) * take
    assert r == 0
    return k * q


@pytest.mark.parametrize("weights", [None, "weighted"])
def test_certificate_on_dask_equals_in_memory(threads: None, data, reference, weights) -> None:
    """certify(..., build_alpha=False) of one candidate: the same gap, b interval and labels as in memory.

    The b interval is an exact order statistic (uniform costs) or a weighted one found by the distributed
    selection; a candidate that is not optimal (w scaled) makes the selection work on a wide window.
    """
    X, y = data
    kw = {} if weights is None else {"sample_weight": np.linspace(0.5, 2.0, N), "class_weight": "balanced"}
    p, pd = ds.SVMProblem(X, y, C=2.0, **kw), ds.SVMProblem(da.from_array(X, chunks=(UNEVEN, D)), y, C=2.0, **kw)
    sol = reference if weights is None else ds.solve_ipm(p)
    alpha = _balanced_dyadic(sol.alpha, p.y, p.costs)
    for w, b in ((sol.w, sol.b), (0.8 * sol.w, sol.b + 0.1)):
        c = ds.certify(p, w, b, alpha, build_alpha=False)
        cd = ds.certify(pd, w, b, alpha, build_alpha=False)
        assert cd.duality_gap == pytest.approx(c.duality_gap, rel=1e-9, abs=1e-15)
        assert cd.primal_objective == pytest.approx(c.primal_objective, rel=1e-12)
        assert cd.dual_objective == pytest.approx(c.dual_objective, rel=1e-12)
        # The same order statistics; the ends also carry G's widening, whose last bits depend on the
        # order of the longdouble sums (one ulp apart at the second candidate, measured).
        np.testing.assert_allclose(cd.b_interval, c.b_interval, rtol=1e-12, atol=1e-12)
        for name in ("margin_support", "bound_support", "non_support", "undecided"):
            np.testing.assert_array_equal(getattr(cd, name), getattr(c, name), err_msg=name)
        np.testing.assert_allclose(cd.margin_range[0].compute(), c.margin_range[0], rtol=1e-12, atol=1e-12)
        assert cd.kkt["dual_equality"] >= c.kkt["dual_equality"] - 1e-15


def test_certify_builds_alpha_by_solve_ipm(threads: None, data, reference) -> None:
    """certify(problem, w, b) on dask data finds a dual point with solve_ipm and certifies the optimum."""
    X, y = data
    c = ds.certify(ds.SVMProblem(da.from_array(X, chunks=(UNEVEN, D)), y, C=2.0), reference.w, reference.b)
    assert c.success and c.extras["alpha_source"] == "ipm" and c.relative_gap <= 1e-9


def test_working_set_finish_joins_shrinks_and_abandons_on_dask(threads: None, data, reference, monkeypatch) -> None:
    """A working set read too early (kappa = 1, from a relative gap of 0.99): frozen points violate the KKT check.

    The first attempt shrinks its working set, then finds more frozen violators than it holds and is abandoned;
    a later one joins the violators (their rows gathered by the check's pass) and ends at an exact KKT point.
    The certified answer is the in-memory one, with no undecided point.
    """
    import dualsvm.chunked as chunked

    monkeypatch.setattr(chunked, "_KAPPA", 1.0)
    X, y = data
    sol = ds.solve_ipm(ds.SVMProblem(da.from_array(X, chunks=(UNEVEN, D)), y, C=2.0), finish_below=0.99)
    _same_answer(sol, reference)
    outcomes = [a["outcome"] for a in sol.extras["finish"]]
    assert outcomes[0] == "abandoned: mass join" and outcomes[-1] == "KKT point", outcomes
    assert len(sol.extras["finish"][0]["working_sizes"]) > 1  # shrunk before the check
    assert sol.extras["finish"][-1]["n_joined"] > 0
    assert sol.undecided.size == 0


def test_working_set_over_the_cap_falls_back(threads: None, data, reference, monkeypatch) -> None:
    """A working set over WS_MAX_BYTES is not gathered: the free-set KKT solve alone, then the same certified answer."""
    import dualsvm.chunked as chunked

    monkeypatch.setattr(chunked, "WS_MAX_BYTES", 4 * D * 8)  # 4 rows; the working set has 17, never fewer than 5
    X, y = data
    sol = ds.solve_ipm(ds.SVMProblem(da.from_array(X, chunks=(UNEVEN, D)), y, C=2.0))
    _same_answer(sol, reference)
    assert sol.extras["finish"] and all("n_working" not in a for a in sol.extras["finish"])
    assert sol.extras["iterations_working_set"] == 0


def test_working_set_finish_joins_a_point_frozen_at_C(threads: None, data, reference, monkeypatch) -> None:
    """A point frozen at C that violates joins the working set, and leaves the frozen sums (Z_U^T C_U, y_U^T C_U).

    No natural run froze a wrong point at C (C in 0.05..10, finish_below up to 0.99), so the gate's iterate is
    made by hand: the points within 0.3 of the margin (the in-memory margins) in the working set, the others
    clearly at their in-memory bound, except one point of the in-memory non-support (margin 2.3), read at C.
    The finish must join it from C and end at the in-memory answer, certified on the whole problem.
    """
    import dualsvm.chunked as chunked

    X, y = data
    pm = ds.SVMProblem(X, y, C=2.0)
    p = ds.SVMProblem(da.from_array(X, chunks=(UNEVEN, D)), y, C=2.0)
    yp, C, m = np.asarray(pm.y), np.asarray(pm.costs), np.asarray(reference.margins)
    at_C = np.isin(np.arange(N), reference.bound_support)
    work = np.abs(m - 1.0) < 0.3
    far = reference.non_support[m[reference.non_support] > 1.3]
    i0 = far[np.argmin(np.linalg.norm(X[far], axis=1))]  # the shortest row: a small pull on w while misread
    at_C[i0] = True
    e = 1e-3  # kappa = 10 reads u_i = e C_i, xi_i = 0.1 as at C; the working set's s = xi = 1e-3 as undecided
    alpha = np.where(at_C, (1.0 - e) * C, e * C)
    s, xi = np.where(at_C, e, 0.1), np.where(at_C, 0.1, e)
    work[i0] = False
    alpha[work] = np.clip(reference.alpha[work], 0.05 * C[work], 0.95 * C[work])
    s[work] = xi[work] = 1e-3
    S = np.stack([alpha, C - alpha, s, xi, np.zeros(N)])
    cuts = np.cumsum((0,) + UNEVEN)
    S0 = [S[:, lo:hi] for lo, hi in zip(cuts[:-1], cuts[1:], strict=True)]
    YC = [np.stack([yp[lo:hi], C[lo:hi]]) for lo, hi in zip(cuts[:-1], cuts[1:], strict=True)]
    from_C: list[int] = []  # the violators the frozen check found at C (global indices)
    check = chunked._Frozen.check

    def spy(self, *args, **kw):
        sums, joins = check(self, *args, **kw)
        for j in joins or ():
            from_C.extend(int(i) for i in j[0][j[5]])
        return sums, joins

    monkeypatch.setattr(chunked._Frozen, "check", spy)
    # Before every KKT attempt the frozen sums (y_U^T C_U, sum_U C_i) equal the frozen alpha's, recomputed from
    # the blocks' partition and the overrides, in particular after the join from C.
    kkt, take, after_join = chunked._Frozen.kkt_point, chunked._Frozen.take, []

    def take_spy(self, join):
        after_join.append(0)
        return take(self, join)

    def kkt_spy(self, rows, A, *args, **kw):
        a = np.asarray(self.alpha(A, np.zeros(A.size)).compute())  # frozen points at 0 or C_i; A set to 0
        assert self.c_sum == pytest.approx(float(a.sum()), rel=1e-12, abs=1e-12)
        assert self.c_b == pytest.approx(float(yp @ a), rel=1e-12, abs=1e-12)
        if after_join:
            after_join[-1] += 1
        return kkt(self, rows, A, *args, **kw)

    monkeypatch.setattr(chunked._Frozen, "take", take_spy)
    monkeypatch.setattr(chunked._Frozen, "kkt_point", kkt_spy)
    op = p.operator()
    info, found, _ = chunked._ws_finish(p, op, list(op.X.to_delayed().reshape(-1)), S0, YC, float(reference.b),
                                        0.995, 1e-11, None, "auto")
    assert i0 in from_C and info["n_joined"] >= 1
    assert after_join and after_join[-1] >= 1  # the sums were checked after the join
    assert found is not None and info["outcome"] == "KKT point", info
    w, b, a = found
    sol = ds.certify(p, w, b, a, build_alpha=False)  # its own alpha, on all points
    _same_answer(sol, reference)
    assert sol.relative_gap <= 1e-12


def test_selection_reuses_the_windows_values_only_while_it_stands(threads: None, monkeypatch) -> None:
    """The selection's first counting round brings back the values of the tried window; they serve only if the
    window is not narrowed afterwards (here 14 values in it, 2 a block, against a gather cap of 10: it is narrowed).

    The order statistics equal numpy's, with the window's values brought back (a wide cap) and without.
    """
    import dualsvm.chunked_certificate as cc

    rng = np.random.default_rng(3)
    t = rng.uniform(-50.0, 900.0, N)
    cuts = np.cumsum((0,) + UNEVEN)
    inside = np.concatenate([lo + rng.choice(hi - lo, 2, replace=False) for lo, hi in zip(cuts[:-1], cuts[1:],
                                                                                           strict=True)])
    t[inside] = 1000.0 + rng.permutation(inside.size)  # 14 values in [1000, 1014), two in every block
    op = ds.SVMProblem(da.from_array(np.ones((N, 1)), chunks=(UNEVEN, 1)), np.where(t > 500, 1, -1)).operator()
    td = op.vector(t)
    o = np.sort(t)
    below = int(np.count_nonzero(t < 1000.0))
    for cap in (10, 65_536):
        monkeypatch.setattr(cc, "_GATHER_MAX", cap)
        for k in (3, 9, 12):
            got = cc.select(op, [(td, None, float(below + k), "left"), (td, None, float(below + k), "right")],
                            window=(1000.0, 1014.0))
            assert got == [o[below + k - 1], o[below + k]], (cap, k, got)


def test_selection_answers_a_value_when_the_window_lies_beyond_every_value(threads: None) -> None:
    """No value reaches T (numpy's rule: the largest value), or T <= 0 (the smallest), with a window above or
    below every value: the answer is that value, not the window's end (found by review: a certified b
    interval came out 40 times wider at its top with a class of weights 1e-20)."""
    import dualsvm.chunked_certificate as cc

    rng = np.random.default_rng(4)
    t = rng.normal(size=N)
    w = rng.uniform(0.5, 2.0, N)
    op = ds.SVMProblem(da.from_array(np.ones((N, 1)), chunks=(UNEVEN, 1)), np.where(t > 0, 1, -1)).operator()
    td, wd = op.vector(t), op.vector(w)
    total = float(w.sum())
    for window in ((t.max() + 5.0, t.max() + 6.0), (t.min() - 6.0, t.min() - 5.0), None):
        got = cc.select(op, [(td, wd, 2.0 * total, "right"), (td, wd, total, "right"), (td, wd, 0.0, "left"),
                             (td, wd, -1.0, "left")], window=window)
        assert got == [t.max(), t.max(), t.min(), t.min()], window


def test_solve_subgradient_on_dask_follows_in_memory(threads: None, data, reference) -> None:
    """The full-batch subgradient on dask takes the in-memory steps; both certified answers hold the optimum."""
    X, y = data
    pd = ds.SVMProblem(da.from_array(X, chunks=(UNEVEN, D)), y, C=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ds.ConvergenceWarning)
        sg = ds.solve_subgradient(pd, target_gap=1e-2, max_iter=40)  # two extrapolations, at steps 20 and 40
        sgm = ds.solve_subgradient(ds.SVMProblem(X, y, C=2.0), target_gap=1e-2, max_iter=40)
        plain = ds.solve_subgradient(pd, target_gap=1e-2, max_iter=40, extrapolate_every=None)
        plain_m = ds.solve_subgradient(ds.SVMProblem(X, y, C=2.0), target_gap=1e-2, max_iter=40, extrapolate_every=None)
    assert sg.extras["extrapolations"] == sgm.extras["extrapolations"] == 2
    assert plain.extras["extrapolations"] == 0
    np.testing.assert_allclose(plain.w, plain_m.w, rtol=1e-9, atol=1e-12)
    assert not np.allclose(plain.w, sg.w, rtol=1e-6)  # the moves changed the path
    assert sg.iterations == sgm.iterations
    np.testing.assert_allclose(sg.w, sgm.w, rtol=1e-9, atol=1e-12)
    assert np.linalg.norm(sg.w - reference.w) <= sg.radius + reference.radius
    # the same primal point; the dual points differ (in memory the weighted-average dual iterate is a candidate too)
    assert sg.b == pytest.approx(sgm.b, rel=1e-9, abs=1e-12)
    assert sg.primal_objective == pytest.approx(sgm.primal_objective, rel=1e-9)


def test_nan_in_last_chunk_gives_the_in_memory_error(threads: None, data) -> None:
    """A NaN in the last block, three labels, a bad weight: the in-memory message, word for word."""
    X, y = data
    bad = X.copy()
    bad[-1, 2] = np.nan
    bad[-3, 0] = np.inf
    cases = [((bad, y), {}), ((X, np.where(np.arange(N) == N - 1, "maybe", y)), {}),
             ((X, y), {"sample_weight": np.where(np.arange(N) == N - 2, -1.0, 1.0)})]
    for (Xc, yc), kw in cases:
        with pytest.raises(DualSVMError) as mem:
            ds.SVMProblem(Xc, yc, **kw)
        with pytest.raises(DualSVMError) as dsk:
            ds.SVMProblem(da.from_array(Xc, chunks=(UNEVEN, D)), yc, **kw)
        assert str(dsk.value) == str(mem.value)
    with pytest.raises(DualSVMError, match="X must be finite, got 2 NaN or infinite entries"):
        ds.SVMProblem(da.from_array(bad, chunks=(UNEVEN, D)), y)


def test_in_memory_solvers_and_kernels_refuse_dask(threads: None, data) -> None:
    """solve_dual and solve_primal need the problem in memory: their error names solve_ipm and solve_subgradient."""
    X, y = data
    pd = ds.SVMProblem(da.from_array(X, chunks=(UNEVEN, D)), y)
    for solver, name in ((ds.solve_dual, "solve_dual"), (ds.solve_primal, "solve_primal")):
        with pytest.raises(DualSVMError, match=rf"{name} .*dualsvm.solve_ipm or dualsvm.solve_subgradient"):
            solver(pd)
    with pytest.raises(DualSVMError, match="only kernel='linear'"):
        ds.SVMProblem(da.from_array(X, chunks=(UNEVEN, D)), y, kernel="rbf")
    with pytest.raises(DualSVMError, match="newton='samples' is not available on a dask array"):
        ds.solve_ipm(pd, newton="samples")


def test_caller_arrays_unchanged_and_repr(threads: None, data) -> None:
    """The caller's arrays are not modified; the problem reports its classes and counts like in memory."""
    X, y = data
    X0, y0 = X.copy(), y.copy()
    pd = ds.SVMProblem(da.from_array(X, chunks=(UNEVEN, D)), y)
    ds.solve_ipm(pd)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    assert repr(pd) == repr(ds.SVMProblem(X, y))
    assert pd.chunked and not ds.SVMProblem(X, y).chunked


@pytest.mark.slow
def test_worker_killed_mid_solve_never_gives_an_unverified_optimum() -> None:
    """processes=True: a worker process is killed after the first iteration. The solve finishes with a valid
    certificate (dask recomputes the lost blocks from their graph) or raises a clear error, never an
    unverified "optimal"."""
    import os
    import signal
    import threading
    import time

    X, y = _data(seed=1, n=2000)
    ref = ds.solve_ipm(ds.SVMProblem(X, y, C=2.0))
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cl, \
            distributed.Client(cl) as client:
        pids = list(client.run(os.getpid).values())
        pd = ds.SVMProblem(da.from_array(X, chunks=(250, D)), y, C=2.0)
        killed = threading.Event()

        def kill() -> None:
            time.sleep(1.0)
            os.kill(pids[0], signal.SIGKILL)
            killed.set()

        threading.Thread(target=kill, daemon=True).start()
        try:
            sol = ds.solve_ipm(pd)
        except Exception as exc:  # a clear error is acceptable; an unverified optimum is not
            assert killed.is_set()
            assert str(exc)
            return
        assert killed.is_set()
        # the certificate is recomputed from the data, not trusted from the solver: it must hold
        if sol.success:
            _same_answer(sol, ref)
        else:
            assert sol.status != "optimal"
