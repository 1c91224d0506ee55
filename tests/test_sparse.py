"""scipy.sparse X in SVMProblem, every solver and the certificate (issue 13, second half)."""

from __future__ import annotations

import importlib.util
import sys
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import dualsvm as ds
import dualsvm.finish as finish
import dualsvm.ipm as ipm
from dualsvm import DualSVMError, SVMProblem
from dualsvm.certificates import certificate
from dualsvm.datasets import make_overlapping, make_sparse_text
from dualsvm.operators import DenseOperator, SparseOperator

FORMATS = [sp.csr_matrix, sp.csc_matrix, sp.coo_matrix, sp.lil_matrix, sp.dok_matrix,
           sp.csr_array, sp.csc_array, sp.coo_array, sp.bsr_array]


def _pair(X, y, C=1.0, **kw):
    """The same problem with dense and with sparse X."""
    Xd = X.toarray() if sp.issparse(X) else X
    return SVMProblem(Xd, y, C=C, **kw), SVMProblem(sp.csr_matrix(Xd), y, C=C, **kw)


def _text_pair(C=1.0, signed=False):
    X, y = make_sparse_text(200, 600, nnz_per_row=15, n_informative=60, seed=3)
    if signed:  # tf-idf is >= 0, where |X| = X: signs make the rounding bounds' |X| matter
        X.data *= np.random.default_rng(4).choice([-1.0, 1.0], size=X.nnz)
    return _pair(X, y, C=C)


# -- SVMProblem ------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.__name__)
def test_every_sparse_format_is_accepted_as_csr_without_touching_the_input(fmt):
    X, y = make_overlapping(30, 4, seed=1)
    X[X < 0] = 0.0  # some structural zeros
    Xs = fmt(X)
    before = Xs.copy()
    p = SVMProblem(Xs, y)
    assert p.sparse and isinstance(p.X, sp.csr_array) and p.X.dtype == np.float64
    np.testing.assert_array_equal(p.X.toarray(), X)
    assert (Xs != before).nnz == 0 and type(Xs) is fmt  # the caller's matrix is not modified
    assert not p.X.data.flags.writeable and not p.X.indices.flags.writeable
    np.testing.assert_allclose(p.margins(np.ones(4), 0.5), SVMProblem(X, y).margins(np.ones(4), 0.5), rtol=1e-14)


@pytest.mark.parametrize("fmt", ["coo", "csr"])
def test_duplicate_entries_are_summed(fmt):
    data, rows, cols = np.array([1.0, 2.0, 5.0]), np.array([0, 0, 1]), np.array([1, 1, 0])
    X = (sp.coo_array((data, (rows, cols)), shape=(2, 2)) if fmt == "coo"
         else sp.csr_array((data, cols, np.array([0, 2, 3])), shape=(2, 2)))  # a CSR with a repeated (0, 1)
    p = SVMProblem(X, [0, 1])
    np.testing.assert_array_equal(p.X.toarray(), [[0.0, 3.0], [5.0, 0.0]])
    assert p.X.nnz == 2 and p.X.has_canonical_format


@pytest.mark.parametrize("bad, needle", [(np.nan, "NaN"), (np.inf, "infinite")])
def test_non_finite_stored_entries_are_refused(bad, needle):
    X = sp.random_array((20, 5), density=0.5, random_state=0, format="csr")
    X.data[3] = bad
    with pytest.raises(DualSVMError, match=rf"X must be finite.*{needle}"):
        SVMProblem(X, np.arange(20) % 2)


@pytest.mark.parametrize("shape, y_len, msg", [
    ((0, 5), 0, r"X must be non-empty"), ((4, 0), 4, r"X must be non-empty"),
    ((6, 3), 5, r"X and y must have the same number of samples.*X with 6 rows and y with 5"),
    ((1, 3), 1, r"X must have at least 2 samples"),
])
def test_bad_sparse_shapes_name_X(shape, y_len, msg):
    with pytest.raises(DualSVMError, match=msg):
        SVMProblem(sp.csr_array(shape), np.arange(y_len) % 2)


def test_complex_sparse_X_is_refused():
    with pytest.raises(DualSVMError, match="X must hold real numbers"):
        SVMProblem(sp.csr_array(np.array([[1 + 1j, 0], [0, 1]])), [0, 1])


def test_validation_never_densifies():
    """A 2 x 10^9 matrix would need 16 GB dense; validating it reads its 3 stored entries."""
    X = sp.coo_array((np.array([1.0, np.nan, 2.0]), (np.array([0, 1, 1]), np.array([5, 7, 999_999_999]))),
                     shape=(2, 10**9))
    with pytest.raises(DualSVMError, match="X must be finite, got 1 NaN"):
        SVMProblem(X, [0, 1])
    X.data[1] = 3.0
    p = SVMProblem(X, [0, 1])
    assert p.X.nnz == 3 and p.d == 10**9


# -- the operator ----------------------------------------------------------------------
def test_sparse_operator_matches_the_dense_one_method_by_method():
    X, _ = make_sparse_text(60, 40, nnz_per_row=6, seed=2)
    X.data *= np.random.default_rng(1).choice([-1.0, 1.0], size=X.nnz)
    Xd = X.toarray()
    dn, sq = DenseOperator(Xd), SparseOperator(X)
    rng = np.random.default_rng(0)
    w, W, v, V, s = rng.normal(size=40), rng.normal(size=(40, 3)), rng.normal(size=60), rng.normal(size=(60, 2)), rng.random(60)
    close = lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)  # noqa: E731
    close(sq.matvec(w), dn.matvec(w))
    close(sq.matvec(W), dn.matvec(W))
    close(sq.rmatvec(v), dn.rmatvec(v))
    close(sq.rmatvec(V), dn.rmatvec(V))
    G, XtV = sq.weighted_gram(s, V)
    Gd, XtVd = dn.weighted_gram(s, V)
    close(G, Gd)
    close(XtV, XtVd)
    close(sq.row_gram(), dn.row_gram())
    close(sq.gram_diagonal(s), dn.gram_diagonal(s))
    close(sq.gram_diagonal(s), np.diag(Gd))
    close(sq.row_norms(), np.linalg.norm(Xd, axis=1))
    close(sq.abs_matvec(np.abs(w)), np.abs(Xd) @ np.abs(w))
    close(sq.abs_rmatvec(s), np.abs(Xd).T @ s)
    for a, b in zip(sq.extended(w, v), dn.extended(w, v), strict=True):
        assert a.dtype == np.longdouble
        np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-15, atol=1e-15)
    idx = np.array([3, 0, 7])
    close(sq.to_dense(sq.rows(idx)), dn.rows(idx))
    close(sq.to_dense(sq.vstack([sq.rows(idx), sq.rows([1])])), np.vstack([Xd[idx], Xd[[1]]]))
    # one pass per whole-matrix method (12 calls above), rows counted apart (3 + 3 + 1 rows)
    assert (sq.passes, sq.rows_read) == (12, 7) and (dn.passes, dn.rows_read) == (8, 3)
    assert sq.dense() is sq._X  # handed to cvxpy/OSQP as CSR, not densified


# -- the certificate -------------------------------------------------------------------
def test_certificate_of_a_sparse_problem_equals_the_dense_one():
    """Every field, on a poor candidate (a large radius, so row norms and rounding bounds all matter)."""
    dense, sparse = _text_pair(signed=True)
    rng = np.random.default_rng(5)
    w, b, alpha = rng.normal(size=dense.d) * 0.3, 0.2, rng.random(dense.n)
    cd, cs = certificate(dense, w, b, alpha), certificate(sparse, w, b, alpha)
    assert cd.relative_gap > 1e-2  # not a trivial candidate
    for f in ("primal_objective", "dual_objective", "duality_gap", "gap_floor", "radius"):
        np.testing.assert_allclose(getattr(cs, f), getattr(cd, f), rtol=1e-12, err_msg=f)
    np.testing.assert_allclose(cs.b_interval, cd.b_interval, rtol=1e-12)
    np.testing.assert_allclose(cs.margin_range[0], cd.margin_range[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(cs.margin_range[1], cd.margin_range[1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(cs.gap_floor, cd.gap_floor, rtol=1e-12)
    assert cs.gap_floor > 0


# -- every solver: the same answer within the certified radii, the same certified sets --
SOLVERS = {
    "ipm": ds.solve_ipm,
    "ipm-cg": lambda p: ds.solve_ipm(p, newton="cg"),
    "ipm-cg-samples": lambda p: ds.solve_ipm(p, newton="cg-samples"),
    "dual": ds.solve_dual,
    "primal": ds.solve_primal,
    "primal-scs": lambda p: ds.solve_primal(p, solver="SCS", use_indirect=True),
    "subgradient": lambda p: ds.solve_subgradient(p, target_gap=1e-2, max_iter=2000),
    "certify": lambda p: ds.certify(p, np.full(p.d, 0.05), 0.1),
}


@pytest.mark.parametrize("data", ["overlapping", "text"])
@pytest.mark.parametrize("solver", list(SOLVERS))
def test_sparse_and_dense_give_the_same_certified_answer(solver, data):
    if data == "text":
        dense, sparse = _text_pair(C=10.0)
    else:
        X, y = make_overlapping(150, 4, seed=8)
        X[np.abs(X) < 0.5] = 0.0
        dense, sparse = _pair(X, y, C=1.0)
    fn = SOLVERS[solver]
    a, b = fn(dense), fn(sparse)
    assert sparse.sparse and not dense.sparse
    assert np.linalg.norm(a.w - b.w) <= a.radius + b.radius
    assert max(a.b_interval[0], b.b_interval[0]) <= min(a.b_interval[1], b.b_interval[1])  # both hold b*
    for part in ("margin_support", "bound_support", "non_support", "undecided"):
        np.testing.assert_array_equal(getattr(a, part), getattr(b, part), err_msg=part)
    if solver not in ("subgradient", "certify"):
        assert a.success and b.success and b.relative_gap <= 1e-8
    if solver in ("ipm-cg", "ipm-cg-samples"):
        assert b.extras["newton"] == solver[4:] and b.extras["cg_iterations"]
    if solver == "primal-scs":  # SCS alone is loose: the polish or the refinement made it exact
        assert b.extras["solver"] == "SCS" and b.extras["solver_options"]["use_indirect"] is True
        assert b.extras["polished"] or b.extras["refined"]


def test_ipm_auto_takes_conjugate_gradients_when_both_dense_forms_are_large(monkeypatch):
    dense, sparse = _text_pair()
    monkeypatch.setattr(ipm, "_DENSE_NEWTON_MAX", 150)  # n = 200, d + 1 = 601: both "large"
    s = ds.solve_ipm(dense)
    assert s.extras["newton"] == "cg-samples" and s.success
    monkeypatch.setattr(ipm, "_DENSE_NEWTON_MAX", 4000)
    ref = ds.solve_ipm(dense)
    assert ref.extras["newton"] == "samples"
    assert np.linalg.norm(s.w - ref.w) <= s.radius + ref.radius
    # Sparse X: CG as soon as a dense Cholesky of order min(n, d + 1) costs more than
    # the O(nnz) products of a CG step (_choose_form's measured cases).
    assert ipm._choose_form(5000, 5000, nnz=235_657) == "cg-samples"
    assert ipm._choose_form(1000, 50_000, nnz=50_000) == "cg-samples"
    assert ipm._choose_form(20_000, 1500, nnz=1_000_000) == "features"
    assert ipm._choose_form(200, 600, nnz=3000) == "samples"  # small: the robust dense form


def test_primal_chooses_scs_indirect_where_a_factor_could_outgrow_it():
    """The rule: SCS when 6 min(n, d+1)^2 bytes of fill exceed SCS's 300 vectors of length n + d, sparse X only."""
    from dualsvm.primal import SCS_INDIRECT, choose_solver

    def problem(n, d, sparse=True):
        X, y = make_sparse_text(n, d, nnz_per_row=5, seed=1)
        return SVMProblem(X if sparse else X.toarray(), y)

    assert choose_solver(problem(1000, 1000))[0] == "SCS"  # 6 MB of fill > 4.8 MB
    assert choose_solver(problem(700, 700))[0] == "CLARABEL"  # 2.9 MB <= 3.4 MB
    assert choose_solver(problem(1000, 50_000))[0] == "CLARABEL"  # 6 MB <= 122 MB: the d-long vectors dominate
    assert choose_solver(problem(50_000, 40))[0] == "CLARABEL"  # min(n, d + 1) = 41
    assert choose_solver(problem(1000, 1000, sparse=False)) == ("CLARABEL", "dense X")
    assert choose_solver(problem(1000, 1000), form="representer")[0] == "CLARABEL"
    p = problem(1000, 1000)
    s = ds.solve_primal(p)
    assert s.success and s.extras["solver"] == "SCS" and "SCS indirect" in s.extras["solver_choice"]
    assert s.extras["solver_options"] == SCS_INDIRECT and s.extras["solver_relative_gap"] > 0
    named = ds.solve_primal(p, solver="clarabel")
    assert named.extras["solver"] == "CLARABEL" and named.extras["solver_choice"] == "named by the caller"
    assert np.linalg.norm(s.w - named.w) <= s.radius + named.radius
    # the caller's options go to the chosen solver, over SCS_INDIRECT; the budgets become SCS's own
    with pytest.warns(ds.ConvergenceWarning, match="max_iter"):
        short = ds.solve_primal(p, eps_abs=1e-3, max_iter=3, refine_working_set=False)
    assert short.extras["solver_options"] == {**SCS_INDIRECT, "eps_abs": 1e-3, "max_iters": 3}
    assert short.iterations == 3 and short.status == "max_iter" and not short.success
    with pytest.raises(DualSVMError, match=r"bad option for solver SCS"):
        ds.solve_primal(p, tol_gap_abs=1e-9)  # a Clarabel option, given to the solver actually chosen
    with pytest.raises(DualSVMError, match=r"max_iter and max_time apply to solver='CLARABEL' or 'SCS' only, got solver='OSQP'"):
        ds.solve_primal(p, solver="OSQP", max_iter=3)


def test_ipm_with_zero_costs_on_sparse_data():
    dense, _ = _text_pair()
    sw = np.ones(dense.n)
    sw[::7] = 0.0
    a = ds.solve_ipm(SVMProblem(dense.X, dense.classes[(dense.y > 0).astype(int)], sample_weight=sw))
    b = ds.solve_ipm(SVMProblem(sp.csc_matrix(dense.X), dense.classes[(dense.y > 0).astype(int)], sample_weight=sw))
    assert b.success and np.linalg.norm(a.w - b.w) <= a.radius + b.radius
    np.testing.assert_array_equal(a.non_support, b.non_support)


def test_reduced_kkt_solve_equals_the_full_one(monkeypatch):
    """The KKT solve with w eliminated (many features) gives the full system's solution."""
    p = SVMProblem(*make_overlapping(60, 100, seed=4), C=1.0)
    s = ds.solve_ipm(p)
    free = np.zeros(p.n, bool)
    free[s.margin_support] = True
    at_C = np.zeros(p.n, bool)
    at_C[s.bound_support] = True
    assert 0 < free.sum() < p.d
    full = finish.kkt_solve_wb(p, free, at_C)
    monkeypatch.setattr(finish, "_REDUCE_ABOVE_D", 0)
    red = finish.kkt_solve_wb(p, free, at_C)
    np.testing.assert_allclose(red[0], full[0], rtol=1e-9, atol=1e-10)
    assert abs(red[1] - full[1]) <= 1e-9
    np.testing.assert_allclose(red[2], full[2], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(red[2], s.alpha, atol=1e-8)


@pytest.mark.parametrize("duplicates", [False, True])
def test_kkt_solve_by_cg_on_sparse_rows_equals_the_least_squares_one(monkeypatch, duplicates):
    """The reduced KKT solve by CG (sparse free rows) gives the dense least squares' solution.

    With duplicated rows K = Z_F Z_F^T is singular: the equalities then have a
    family of solutions, and both solves must return the one nearest the start
    (CG from the start stays in the range of K: the minimum-norm correction).
    """
    X, y = make_sparse_text(200, 600, nnz_per_row=15, n_informative=60, seed=3)
    if duplicates:
        X = sp.vstack([X, X[:40]]).tocsr()
        y = np.concatenate([y, y[:40]])
    p = SVMProblem(X, y, C=10.0)
    s = ds.solve_ipm(SVMProblem(X.toarray(), y, C=10.0))
    free = np.zeros(p.n, bool)
    free[s.margin_support] = True
    at_C = np.zeros(p.n, bool)
    at_C[s.bound_support] = True
    assert free.sum() > 20
    rng = np.random.default_rng(0)
    start = (s.w + 1e-3 * rng.normal(size=p.d), s.b + 1e-3, s.alpha[free] + 1e-3 * rng.random(int(free.sum())))
    calls = []
    real = finish._reduced_by_cg
    monkeypatch.setattr(finish, "_reduced_by_cg", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(finish, "_CG_KKT_ABOVE_K", 0)
    w_cg, b_cg, a_cg = finish.kkt_solve_wb(p, free, at_C, start=start)
    assert calls
    monkeypatch.setattr(finish, "_CG_KKT_ABOVE_K", 10**9)  # the least-squares path
    w_ls, b_ls, a_ls = finish.kkt_solve_wb(p, free, at_C, start=start)
    assert len(calls) == 1
    np.testing.assert_allclose(a_cg, a_ls, rtol=0, atol=1e-9)
    np.testing.assert_allclose(w_cg, w_ls, rtol=0, atol=1e-9)
    assert abs(b_cg - b_ls) <= 1e-9
    np.testing.assert_allclose(p.margins(w_cg, b_cg)[free], 1.0, atol=1e-10)  # the free points on the margin
    if duplicates:  # alpha_i - alpha_j of two copies is a null direction: kept from the start
        a0 = np.zeros(p.n)
        a0[free] = start[2]
        both = np.flatnonzero(free[:40] & free[200:])
        assert both.size > 5
        np.testing.assert_allclose(a_cg[both + 200] - a_cg[both], a0[both + 200] - a0[both], rtol=0, atol=1e-9)


def test_ipm_samples_cg_converges_on_its_own(monkeypatch):
    """Without the exact finish, the n x n CG form reaches the target gap and the dense answer."""
    dense, sparse = _text_pair(C=10.0)
    s = ds.solve_ipm(sparse, newton="cg-samples", finish=False)
    ref = ds.solve_ipm(dense)
    assert s.success and s.relative_gap <= 1e-9 and s.extras["newton"] == "cg-samples"
    assert np.linalg.norm(s.w - ref.w) <= s.radius + ref.radius
    assert max(s.extras["cg_iterations"]) < ipm._CG_MAX_ITER  # every solve converged


# -- memory: d = 50,000 at 0.1 % density through every solver ----------------------------
def _status_bytes() -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, val = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(val.split()[0]) * 1024
    return out


_MEMORY_RUNS = {
    "ipm": lambda q: ds.solve_ipm(q),
    "ipm-cg": lambda q: ds.solve_ipm(q, newton="cg"),
    "subgradient": lambda q: ds.solve_subgradient(q, max_iter=50, target_gap=0.5),
    "certify": lambda q: ds.certify(q, np.zeros(q.d), 0.0),
    "dual": lambda q: ds.solve_dual(q),
    "dual-mkl": lambda q: ds.solve_dual(q, algebra="mkl", solver_type="indirect"),
    "primal": lambda q: ds.solve_primal(q),
}


def _peak_child(name, n, d, conn):
    """In a fresh child (forked from multiprocessing's forkserver): ``name`` on a small problem first (imports, code pages,
    first-use caches), then the peak of ``name`` on make_sparse_text(n, d, 50 per row, seed 1).

    The peak is the larger of tracemalloc's (numpy, scipy, OSQP: Python's
    allocator) and the resident set's high-water mark above its start
    (``/proc/self/clear_refs`` resets it; sees Clarabel's Rust allocations).
    Not a fork of the test process, which can inherit a lock held by one of
    its threads and hang (it did, in the full suite).
    """
    try:
        fn = _MEMORY_RUNS[name]
        p = SVMProblem(*make_sparse_text(n, d, nnz_per_row=50, seed=1), C=1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ds.ConvergenceWarning)
            fn(SVMProblem(*make_sparse_text(100, 500, nnz_per_row=10, seed=2), C=1.0))
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # VmHWM := VmRSS
            start = _status_bytes()["VmRSS"]
            tracemalloc.start()
            sol = fn(p)
            traced = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            rss = _status_bytes()["VmHWM"] - start
        conn.send((max(traced, rss), traced, rss, sol.success, float(sol.relative_gap)))
    except BaseException as exc:  # report to the parent, never hang it
        conn.send(repr(exc))


def _peak_bytes(name, n, d):
    import multiprocessing as mp

    ctx = mp.get_context("forkserver")  # children forked from a fresh single-threaded server
    ctx.set_forkserver_preload(["dualsvm", "cvxpy", "osqp", "clarabel", "scs._scs_indirect"])  # the warm-up may not load it
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_peak_child, args=(name, n, d, send))
    proc.start()
    send.close()
    try:
        got = recv.recv() if recv.poll(600) else "no answer within 600 s"
    except EOFError:
        proc.join(5)
        got = f"the child died (exit code {proc.exitcode})"
    proc.join(5)
    if proc.is_alive():
        proc.kill()
    assert not isinstance(got, str), got
    return got


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self (Linux)")
def test_every_solver_runs_on_d_50000_without_densifying():
    r"""Peak memory of each solver against a bound in nnz, n and d, measured, not guessed.

    Units: :math:`B` = the bytes of one CSR copy of X (values, column
    indices, row pointers) and :math:`V = 8(n + d)`, one float vector of each
    length. The iterative solvers may hold 8 copies of X and 8 of the
    vectors, :math:`8(B + V)`: ``solve_ipm`` (CG on the :math:`n\times n`
    Newton system, ``_choose_form``; the working set's rows; the KKT solve's
    CG, which also makes a CSR copy of :math:`X_F^\top`), ``solve_subgradient``
    and ``certify`` (its longdouble copy of the stored values is 2B at most,
    :math:`|X|` and :math:`X\circ X` one each). Measured here, about 4 to 7 MB
    against 8 MB. ``solve_dual`` and ``solve_primal`` factor a sparse KKT
    matrix (OSQP's QDLDL, Clarabel's), whose workspace is about 80 vectors
    of length n + d and whose factor fills in the block of the n dual
    variables: on text data every pair of documents sharing a word couples,
    up to :math:`n(n+1)/2` entries of 12 bytes. Their bound is
    :math:`8B + 128V + 6n^2`. That term is why neither finishes at
    n = d = 50,000 (15 GB of fill; README), where solve_primal now takes SCS
    (the next test); at this shape its own choice is still Clarabel. None of the bounds is within a
    third of the dense X, :math:`8nd` = 400 MB. Every solver runs in a child of its own.
    """
    n, d = 1000, 50_000
    p = SVMProblem(*make_sparse_text(n, d, nnz_per_row=50, seed=1), C=1.0)  # the children's problem
    assert 0.0009 <= p.X.nnz / (n * d) <= 0.0011
    assert ds.primal.choose_solver(p)[0] == "CLARABEL"  # 6 MB of fill < SCS's 300 vectors of length n + d
    B = (p.X.data.itemsize + p.X.indices.itemsize) * p.X.nnz + p.X.indptr.itemsize * (n + 1)
    V = 8 * (n + d)
    iterative = 8 * (B + V)
    factored = 8 * B + 128 * V + 6 * n * n
    assert factored < 8 * n * d / 3  # densifying X once would break either bound
    bounds = {"ipm": iterative, "ipm-cg": iterative, "subgradient": iterative, "certify": iterative,
              "dual": factored, "primal": factored}
    peaks, over = {}, {}
    for name, bound in bounds.items():
        peak, traced, rss, success, gap = _peak_bytes(name, n, d)
        peaks[name] = f"{peak / 1e6:.1f} MB (traced {traced / 1e6:.1f}, resident {rss / 1e6:.1f}) of {bound / 1e6:.1f}"
        if peak > bound:
            over[name] = peaks[name]
        assert np.isfinite(gap)
        if name in ("ipm", "ipm-cg", "dual", "primal"):
            assert success, name
    assert not over, peaks


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self (Linux)")
def test_solve_primal_on_sparse_text_stays_linear_in_nnz():
    r"""solve_primal's own choice on text data where Clarabel's factor fills: SCS indirect, O(nnz + n + d).

    At n = d = 4000 (50 per row) a factor of the slack form's KKT matrix holds
    the dense triangle of the n margin rows, at least :math:`6n^2` = 96 MB;
    Clarabel's peak was 202 MB here (``benchmarks/probe_primal_scs.md``).
    SCS with its indirect solver holds about a dozen copies of X
    (cvxpy's canonicalization, SCS's normalized copy and transpose) and 300
    vectors of length n + d (``dualsvm.primal.SCS_WORKSPACE_VECTORS``): the
    bound is :math:`16B + 400V`, with B and V as in the test above (measured
    47 MB of 62).
    """
    from dualsvm.primal import choose_solver

    n = d = 4000
    p = SVMProblem(*make_sparse_text(n, d, nnz_per_row=50, seed=1), C=1.0)  # the child's problem
    assert choose_solver(p)[0] == "SCS"
    B = (p.X.data.itemsize + p.X.indices.itemsize) * p.X.nnz + p.X.indptr.itemsize * (n + 1)
    V = 8 * (n + d)
    bound = 16 * B + 400 * V
    assert bound < 6 * n * n * 2 / 3  # well below the fill any factor of the n x n block holds
    peak, traced, rss, success, gap = _peak_bytes("primal", n, d)
    assert success and gap <= 1e-8
    assert peak <= bound, f"{peak / 1e6:.1f} MB (traced {traced / 1e6:.1f}, resident {rss / 1e6:.1f}) of {bound / 1e6:.1f}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self (Linux)")
@pytest.mark.skipif(importlib.util.find_spec("osqp_mkl") is None, reason="needs osqp-mkl (pip install 'dualsvm[mkl]')")
def test_solve_dual_on_sparse_text_stays_linear_in_nnz_with_mkl():
    r"""solve_dual's own choice where QDLDL's factor fills, with the mkl extra: OSQP's CG, O(nnz + n + d).

    At n = 5000, d = 50,000 (50 per row) the direct factor can fill up to
    :math:`6n^2` = 150 MB; measured here: QDLDL (``algebra="builtin"``) 214 MB,
    the indirect path 39.8 MB. Bound: 24 MB + 8B + 16V, with B and V as above
    (55 MB): the builtin path fails it.
    """
    from dualsvm.dual import choose_algebra

    n, d = 5000, 50_000
    p = SVMProblem(*make_sparse_text(n, d, nnz_per_row=50, seed=1), C=1.0)  # the child's problem
    assert choose_algebra(p)[0] == {"algebra": "mkl", "solver_type": "indirect"}
    B = (p.X.data.itemsize + p.X.indices.itemsize) * p.X.nnz + p.X.indptr.itemsize * (n + 1)
    V = 8 * (n + d)
    bound = 24e6 + 8 * B + 16 * V
    peak, traced, rss, success, gap = _peak_bytes("dual-mkl", n, d)
    assert success and gap <= 1e-8
    assert peak <= bound, f"{peak / 1e6:.1f} MB (traced {traced / 1e6:.1f}, resident {rss / 1e6:.1f}) of {bound / 1e6:.1f}"


# -- the faces: DualSVC, certify_estimator, the CLI --------------------------------------
@pytest.mark.parametrize("method", ["ipm", "dual"])
def test_dualsvc_fits_and_predicts_on_sparse_X(method):
    from dualsvm.sklearn import DualSVC

    dense, sparse = _text_pair(C=10.0)
    X, y = sparse.X, sparse.classes[(sparse.y > 0).astype(int)]
    a = DualSVC(C=10.0, method=method).fit(X.toarray(), y)
    b = DualSVC(C=10.0, method=method).fit(sp.csr_matrix(X), y)
    assert b.certificate_.success and b.certificate_.relative_gap <= 1e-8
    assert np.linalg.norm(a.coef_[0] - b.coef_[0]) <= a.certificate_.radius + b.certificate_.radius
    np.testing.assert_array_equal(a.support_, b.support_)
    assert sp.issparse(b.support_vectors_)  # as SVC: sparse in, sparse support vectors
    np.testing.assert_array_equal(b.support_vectors_.toarray(), X.toarray()[b.support_])
    Xt, _ = make_sparse_text(50, 600, nnz_per_row=15, n_informative=60, seed=9)
    for fmt in (sp.csr_matrix, sp.csc_array, sp.coo_matrix):
        f = b.decision_function(fmt(Xt))
        assert isinstance(f, np.ndarray) and f.shape == (50,)
        np.testing.assert_allclose(f, Xt.toarray() @ b.coef_[0] + b.intercept_[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(b.predict(fmt(Xt)), b.classes_[(f > 0).astype(int)])
    # the same model, within the certified radii, decides the same on points clear of the boundary
    fa, fb = a.decision_function(Xt.toarray()), b.decision_function(Xt)
    clear = np.abs(fa) > 1e-6
    np.testing.assert_array_equal(np.sign(fa[clear]), np.sign(fb[clear]))


def test_certify_estimator_on_estimators_fitted_on_sparse_X():
    """LinearSVC, SVC (whose coef_ is then a sparse matrix) and SGDClassifier fitted on CSR."""
    from sklearn.linear_model import SGDClassifier
    from sklearn.svm import SVC, LinearSVC

    from dualsvm.conventions import sgd_alpha_from_C
    from dualsvm.sklearn import certify_estimator

    dense, sparse = _text_pair(C=1.0)
    Xs, Xd, y = sp.csr_matrix(sparse.X), dense.X, dense.classes[(dense.y > 0).astype(int)]
    estimators = [
        SVC(kernel="linear", C=1.0, tol=1e-10),
        LinearSVC(C=1.0, loss="hinge", tol=1e-8, max_iter=100_000),
        SGDClassifier(loss="hinge", alpha=sgd_alpha_from_C(1.0, dense.n), max_iter=50, tol=None, random_state=0),
    ]
    for est in estimators:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            on_sparse = certify_estimator(est.fit(Xs, y), Xs, y)
            if isinstance(est, SVC):
                assert sp.issparse(est.coef_)
            on_dense = certify_estimator(est, Xd, y)  # the same fitted (w, b), certified on dense X
        name = type(est).__name__
        assert on_sparse.reference.success and on_sparse.reference.relative_gap <= 1e-8, name
        np.testing.assert_allclose(on_sparse.certificate.duality_gap, on_dense.certificate.duality_gap,
                                   rtol=1e-9, atol=1e-12, err_msg=name)
        assert on_sparse.verdict == on_dense.verdict, name
        assert on_sparse.distance <= on_sparse.bound, name
    assert estimators[0].fit(Xs, y) and certify_estimator(estimators[0], Xs, y).relative_gap <= 1e-6


def _write_svmlight(path, X, y, one_based=True):
    X = sp.csr_array(X)
    X.sort_indices()  # the format wants increasing indices on a line (scikit-learn's reader checks)
    lines = []
    for i in range(X.shape[0]):
        lo, hi = X.indptr[i], X.indptr[i + 1]
        feats = " ".join(f"{j + one_based}:{float(v)!r}" for j, v in zip(X.indices[lo:hi], X.data[lo:hi], strict=True))
        lines.append(f"{y[i]} {feats}  # row {i}\n")
    path.write_text("".join(lines))
    return path


@pytest.mark.parametrize("one_based", [True, False])
def test_cli_reads_svmlight_sparse_data(tmp_path, capsys, one_based):
    import json

    from sklearn.datasets import load_svmlight_file

    from dualsvm.cli import load_svmlight, main

    X, y = make_sparse_text(120, 400, nnz_per_row=12, n_informative=40, seed=5)
    X = X[:, : X.indices.max() + 1]  # the file has as many features as the largest index
    labels = np.where(y > 0, 3, -1)
    path = _write_svmlight(tmp_path / "text.svm", X, labels, one_based)
    data = load_svmlight(str(path))
    assert sp.issparse(data.X) and data.X.shape == X.shape
    np.testing.assert_array_equal(data.X.toarray(), X.toarray())
    ref_X, ref_y = load_svmlight_file(str(path), zero_based=not one_based)  # scikit-learn reads it alike
    np.testing.assert_array_equal(data.X.toarray(), ref_X.toarray()[:, : X.shape[1]])
    np.testing.assert_array_equal(data.y, ref_y)
    code = main(["solve", "--svmlight", str(path), "--method", "ipm", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    ref = ds.solve_ipm(SVMProblem(X, labels))
    assert np.linalg.norm(np.array(out["w"]) - ref.w) <= out["radius"] + ref.radius
    assert out["data"]["classes"] == {"-1": "-1", "+1": "3"}


@pytest.mark.parametrize("argv, needle", [
    (["--svmlight", "FILE", "--standardize"], "--svmlight does not take --standardize: centring"),
    (["--svmlight", "FILE", "--label", "y"], "--svmlight does not take --label"),
])
def test_cli_svmlight_refuses_dense_only_options(tmp_path, capsys, argv, needle):
    from dualsvm.cli import main

    path = _write_svmlight(tmp_path / "t.svm", sp.csr_array(np.eye(4)), [1, -1, 1, -1])
    code = main(["solve"] + [str(path) if a == "FILE" else a for a in argv])
    assert code == 2 and needle in capsys.readouterr().err


@pytest.mark.parametrize("text, needle", [
    ("1 1:0.5\n-1 x:1\n", "line 2: 'x:1' is not index:value"),
    ("1 1:0.5\n-1 2:x\n", "line 2: the value of feature 2 is not a finite number ('x')"),
    ("1 1:0.5\n-1 2:nan\n", "line 2: the value of feature 2 is not a finite number"),
    ("1 1:0.5 1:2\n-1 2:1\n", "line 1: feature 1 is given twice"),
    ("1 qid:3 1:0.5\n-1 2:1\n", "line 1: 'qid:' is ranking data"),
    ("1 1:0.5\n2 2:1\n3 1:1\n", "the labels has 3 classes"),
])
def test_cli_svmlight_errors_name_the_line(tmp_path, capsys, text, needle):
    from dualsvm.cli import main

    path = tmp_path / "bad.svm"
    path.write_text(text)
    assert main(["solve", "--svmlight", str(path)]) == 2
    assert needle in capsys.readouterr().err


def test_svmlight_given_a_csv_says_so(tmp_path, capsys):
    # Each CSV line used to become one "label", and the error spoke of 570 classes and --positive.
    from dualsvm.cli import main

    f = tmp_path / "bc.csv"
    f.write_text("a,b,target\n1.0,2.0,0\n3.0,4.0,1\n")
    code = main(["solve", "--svmlight", str(f)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "line 1: not svmlight format (label index:value ...), got 'a,b,target'; a CSV file goes with --csv" in err


# -- issue 13 probe: OSQP's algebra (osqp-mkl's indirect PCG solver) ------------------------
def test_solve_dual_rejects_an_algebra_that_is_not_installed():
    p = SVMProblem(*make_sparse_text(40, 200, nnz_per_row=8, seed=3), C=1.0)
    with pytest.raises(ValueError, match=r"algebra must be one of osqp.algebras_available\(\).*or 'mkl'.*got 'nope'"):
        ds.solve_dual(p, algebra="nope")


def _without_mkl(monkeypatch, installed, dirs=None):
    """As on a machine whose osqp-mkl is absent (installed=False) or whose MKL libraries are not where pip puts them."""
    import osqp

    import dualsvm.dual as dual

    monkeypatch.setattr(osqp, "algebra_available", lambda algebra: algebra == "builtin")
    monkeypatch.setattr(dual, "_osqp_mkl_installed", lambda: installed)
    loaded = []
    monkeypatch.setattr("ctypes.CDLL", lambda path, mode=0: loaded.append(path))
    if dirs is not None:
        monkeypatch.setattr(dual, "_mkl_library_dirs", lambda: dirs)
    return loaded


def test_solve_dual_mkl_without_osqp_mkl_says_what_to_install(monkeypatch):
    p = SVMProblem(*make_sparse_text(40, 200, nnz_per_row=8, seed=3), C=1.0)
    loaded = _without_mkl(monkeypatch, installed=False)
    with pytest.raises(ValueError, match=r"algebra='mkl' needs osqp-mkl, which is not installed: "
                                         r"pip install 'dualsvm\[mkl\]' \(osqp-mkl and mkl<2026"):
        ds.solve_dual(p, algebra="mkl", solver_type="indirect")
    assert loaded == []  # nothing preloaded when there is nothing to load it for


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the preload looks for Linux shared objects")
def test_solve_dual_mkl_libraries_missing_names_where_it_looked(monkeypatch, tmp_path):
    p = SVMProblem(*make_sparse_text(40, 200, nnz_per_row=8, seed=3), C=1.0)
    (tmp_path / "libiomp5.so").write_bytes(b"")  # one of the two is there: it is loaded, the other is named
    loaded = _without_mkl(monkeypatch, installed=True, dirs=[str(tmp_path / "none"), str(tmp_path)])
    with pytest.raises(ValueError, match=r"algebra='mkl': osqp-mkl is installed but cannot load .*"
                                         rf"libmkl_rt.so.2 not found in \['{tmp_path}/none', '{tmp_path}'\].*"
                                         r"LD_LIBRARY_PATH"):
        ds.solve_dual(p, algebra="mkl")
    assert loaded == [str(tmp_path / "libiomp5.so")]


def _fresh_python_without_ld_library_path(code: str) -> str:
    """Run ``code`` in a fresh interpreter without LD_LIBRARY_PATH (where osqp-mkl could not load by itself); its stdout."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_importing_dualsvm_or_solving_with_builtin_never_loads_mkl():
    """In a fresh interpreter without LD_LIBRARY_PATH (where osqp-mkl, if installed, could not load by itself)."""
    code = (
        "import sys, dualsvm as ds\n"
        "from dualsvm.datasets import make_sparse_text\n"
        "ds.solve_dual(ds.SVMProblem(*make_sparse_text(40, 200, nnz_per_row=8, seed=3)))\n"
        "maps = open('/proc/self/maps').read() if sys.platform.startswith('linux') else ''\n"
        "print('osqp_mkl' in sys.modules, 'libmkl_rt' in maps, 'libiomp5' in maps)\n"
    )
    assert _fresh_python_without_ld_library_path(code).split() == ["False", "False", "False"]


_OSQP_MKL = __import__("importlib.util").util.find_spec("osqp_mkl") is not None


@pytest.mark.skipif(not _OSQP_MKL or not sys.platform.startswith("linux"), reason="needs osqp-mkl (pip install 'dualsvm[mkl]')")
def test_solve_dual_mkl_loads_without_ld_library_path():
    """The preload: osqp-mkl's indirect solver runs in a fresh interpreter with no LD_LIBRARY_PATH."""
    code = (
        "import osqp, dualsvm as ds\n"
        "from dualsvm.datasets import make_sparse_text\n"
        "assert not osqp.algebra_available('mkl')  # not loadable by itself\n"
        "s = ds.solve_dual(ds.SVMProblem(*make_sparse_text(200, 2000, nnz_per_row=20, seed=5)), algebra='mkl',\n"
        "                  solver_type='indirect')\n"
        "print(s.extras['osqp'], s.success)\n"
    )
    assert _fresh_python_without_ld_library_path(code).strip() == "OSQP with algebra=mkl (indirect) True"


def test_solve_dual_pins_the_builtin_algebra(monkeypatch):
    """osqp picks the highest installed algebra (cuda > mkl > builtin) unless told: installing osqp-mkl
    would silently swap QDLDL for Pardiso. A preferred algebra that cannot load stands in for it here."""
    import osqp.interface

    p = SVMProblem(*make_sparse_text(60, 300, nnz_per_row=8, seed=4), C=1.0)
    monkeypatch.setattr(osqp.interface, "OSQP_ALGEBRA_BACKEND", "cuda")
    with pytest.raises(RuntimeError, match="cuda not available"):
        osqp.OSQP()  # the unpinned default now fails
    sol = ds.solve_dual(p)
    assert sol.success


@pytest.mark.skipif(not _OSQP_MKL, reason="needs osqp-mkl (pip install 'dualsvm[mkl]')")
@pytest.mark.parametrize("solver_type", ["indirect", "direct"])
def test_solve_dual_with_osqp_mkl_agrees_with_builtin(solver_type):
    p = SVMProblem(*make_sparse_text(400, 4000, nnz_per_row=20, seed=5), C=1.0)
    a = ds.solve_dual(p)
    b = ds.solve_dual(p, algebra="mkl", solver_type=solver_type, cg_preconditioner="diagonal")
    assert a.success and b.success
    assert a.extras["osqp"] == "OSQP with algebra=builtin (direct)"
    assert b.extras["osqp"] == f"OSQP with algebra=mkl ({solver_type})"
    assert np.linalg.norm(a.w - b.w) <= a.radius + b.radius
    for s, t in ((a, b), (b, a)):  # certified labels are proofs: they may leave points undecided, never contradict
        assert not set(s.non_support) & (set(t.bound_support) | set(t.margin_support))


def test_solve_dual_chooses_the_indirect_solver_where_a_factor_could_outgrow_it(monkeypatch):
    """choose_algebra: builtin for dense X and small fill; mkl indirect past the indirect path's peak; else a warning."""
    import dualsvm.dual as dual

    big = SVMProblem(*make_sparse_text(2000, 2000, nnz_per_row=5, seed=3), C=1.0)  # 6 m^2 = 24 MB > 20.9 MB
    small = SVMProblem(*make_sparse_text(1800, 2000, nnz_per_row=5, seed=3), C=1.0)  # 19.4 MB < 20.9 MB
    dense = SVMProblem(big.X.toarray(), big.y, C=1.0)
    assert dual.choose_algebra(dense) == ({}, "dense X: builtin")
    assert dual.choose_algebra(small)[0] == {}
    loaded = _without_mkl(monkeypatch, installed=False)
    with pytest.warns(UserWarning, match=r"factor may take up to 24 MB .*pip install 'dualsvm\[mkl\]'.*solve_ipm"):
        settings, why = dual.choose_algebra(big)
    assert settings == {} and why.endswith("builtin, MKL not available") and loaded == []
    monkeypatch.setattr(dual, "load_mkl_algebra", lambda: None)  # as where osqp-mkl loads
    settings, why = dual.choose_algebra(big)
    assert settings == {"algebra": "mkl", "solver_type": "indirect"} and why.endswith("mkl indirect")
    p = SVMProblem(*make_sparse_text(40, 200, nnz_per_row=8, seed=3), C=1.0)
    assert ds.solve_dual(p).extras["osqp_choice"].endswith(": builtin")
    assert ds.solve_dual(p, algebra="builtin").extras["osqp_choice"] == "named by the caller"
