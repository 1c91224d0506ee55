"""Benchmark: the exact solvers on sparse text-shaped data, against LinearSVC and SVC, in one run.

    pip install -e ".[bench]"
    python benchmarks/bench_sparse.py                        # n = d = 50000, 50 non-zeros per row
    python benchmarks/bench_sparse.py --size 10000x10000 --budget 120

Data: ``dualsvm.datasets.make_sparse_text(n, d, nnz_per_row=50, seed=0)``:
tf-idf-like rows (Zipf word frequencies, unit norm), labels from a sparse
planted ``w`` plus noise; C = 1; a ``scipy.sparse`` CSR matrix, never densified.

Methods, each run once:

* ``solve_ipm`` (at this size both dense Newton forms are too large, so it
  solves its (d+1)x(d+1) system by Jacobi-preconditioned conjugate gradients);
* ``solve_dual`` (OSQP on the lifted dual; ``--dual-mkl``: its MKL indirect
  solver) and ``solve_primal`` (cvxpy; on this data its own choice is SCS
  with the indirect linear solver, ``--primal-solver CLARABEL`` forces the
  direct factorization): each in a forked child with ``--budget`` seconds
  and ``--mem-gb`` of address space, because a sparse KKT factorization
  fills in on text data; a run that exceeds either is reported as such;
* ``LinearSVC(loss="hinge", tol=1e-6)`` (liblinear; its intercept is
  regularized, so it solves another problem and its certified gap against
  this one is not small);
* ``SVC(kernel="linear", tol=1e-6)`` (libsvm) with the same budget, in a
  child; if it does not finish, the row says so, and SVC is also timed on a
  subsample (``--svc-n``) where it finishes, against solve_ipm on that same
  subsample.

Every answer is certified by dualsvm (``certify``; a peer without a dual
point gets solve_ipm's optimal alpha). The last column is solve_ipm's time
over the method's. BLAS is limited to ``--blas-threads`` (default 1), as in
``bench_ipm.py``. Speed is reported here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.svm import SVC, LinearSVC
from threadpoolctl import threadpool_limits

import dualsvm as ds
from dualsvm.datasets import make_sparse_text

Result = tuple[float, np.ndarray, float, np.ndarray | None, str, float | None]  # time, w, b, alpha, note, passes


def fit_ipm(p: ds.SVMProblem) -> Result:
    t0 = time.perf_counter()
    s = ds.solve_ipm(p, target_gap=1e-9)
    t = time.perf_counter() - t0
    e = s.extras
    cg = e.get("cg_iterations", [])
    note = (f"{e['newton']} Newton form, {e['iterations_all_points']}+{e['iterations_working_set']} it, "
            f"{e['data_passes']:.0f} passes" + (f", CG {sum(cg)} it (max {max(cg)})" if cg else "")
            + f"; {s.status}; its certificate {e['certificate_time']:.1f}s")
    return t, s.w, s.b, s.alpha, note, e["data_passes"]


DUAL_OPTIONS: dict[str, Any] = {}  # --dual-mkl: {"algebra": "mkl", "solver_type": "indirect"}
PRIMAL_OPTIONS: dict[str, Any] = {}  # --primal-solver NAME: {"solver": NAME}


def fit_dual(p: ds.SVMProblem) -> Result:
    t0 = time.perf_counter()
    s = ds.solve_dual(p, **DUAL_OPTIONS)
    return (time.perf_counter() - t0, s.w, s.b, s.alpha,
            f"{s.status}, {len(s.extras['rounds'])} round(s) of {s.extras['osqp']}", s.extras.get("data_passes"))


def fit_primal(p: ds.SVMProblem) -> Result:
    t0 = time.perf_counter()
    s = ds.solve_primal(p, **PRIMAL_OPTIONS)
    e = s.extras
    how = "polish" if e["polished"] else "refinement" if e["refined"] else "none needed"
    return (time.perf_counter() - t0, s.w, s.b, s.alpha,
            f"{s.status}, {e['solver']} {s.iterations} it ({e['solver_choice'].split(':')[-1].strip()}), "
            f"its own gap {e['solver_relative_gap']:.1e}, finish: {how}", s.extras.get("data_passes"))


def fit_linearsvc(p: ds.SVMProblem) -> Result:
    t0 = time.perf_counter()
    m = LinearSVC(C=p.C, loss="hinge", tol=1e-6, dual=True, max_iter=10_000).fit(p.X, p.y)
    t = time.perf_counter() - t0
    return t, m.coef_[0], float(m.intercept_[0]), None, "regularized intercept", float(m.n_iter_)  # epochs


def dense(a: Any) -> np.ndarray:
    """SVC fitted on sparse X keeps sparse ``coef_`` and ``dual_coef_``."""
    return a.toarray() if hasattr(a, "toarray") else np.asarray(a)


def fit_svc(p: ds.SVMProblem) -> Result:
    t0 = time.perf_counter()
    m = SVC(kernel="linear", C=p.C, tol=1e-6).fit(p.X, p.y)
    t = time.perf_counter() - t0
    alpha = np.zeros(p.n)
    alpha[m.support_] = np.abs(dense(m.dual_coef_)[0])
    return t, dense(m.coef_).reshape(-1), float(m.intercept_[0]), alpha, f"{m.support_.size} SV", None


def _child(fn: Callable[[ds.SVMProblem], Result], p: ds.SVMProblem, mem_gb: float, conn: Any) -> None:
    try:
        lim = int(mem_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            conn.send(("ok", fn(p)))
    except MemoryError:
        conn.send(("error", f"out of memory (> {mem_gb:g} GB address space)"))
    except Exception as exc:  # report, do not hide: the row says what failed
        conn.send(("error", f"{type(exc).__name__}: {exc}"[:200] + "\n" + traceback.format_exc(limit=2)[-300:]))


def limited(fn: Callable[[ds.SVMProblem], Result], p: ds.SVMProblem, budget: float, mem_gb: float) -> Result | str:
    """Run ``fn(p)`` in a forked child with a time and memory budget; its result, or why not."""
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, p, mem_gb, send))
    t0 = time.perf_counter()
    proc.start()
    send.close()  # the child's end only: a child that dies (a Rust allocation abort) closes the pipe
    got = recv.poll(budget)
    if not got:
        proc.kill()
        proc.join()
        return f"not finished within the budget of {budget:.0f} s (killed)"
    try:
        kind, out = recv.recv()
    except EOFError:
        proc.join()
        return (f"died after {time.perf_counter() - t0:.0f} s (exit code {proc.exitcode}; an allocation "
                f"beyond the {mem_gb:g} GB limit aborts Clarabel's Rust code: see stderr)")
    proc.join()
    if kind != "ok":
        return f"failed after {time.perf_counter() - t0:.0f} s: {out}"
    return out


def certify(p: ds.SVMProblem, r: Result, name: str) -> ds.Solution:
    t, w, b, alpha = r[:4]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ds.certify(p, w, b, alpha, method=name)


def table(p: ds.SVMProblem, label: str, results: dict[str, Result | str]) -> None:
    """One row per method: time, data passes, certified gap, and time over LinearSVC's and SVC's."""
    ref = {k: r[0] for k, r in results.items() if k in ("LinearSVC", "SVC") and not isinstance(r, str)}
    for name, r in results.items():
        if isinstance(r, str):
            print(f"| {label} | {name} | — | — | — | — | — | — | {r.splitlines()[0]} |", flush=True)
            continue
        c = certify(p, r, name)
        ratios = " | ".join(f"{r[0] / ref[k]:.3g}" if k in ref else "—" for k in ("LinearSVC", "SVC"))
        passes = "—" if r[5] is None else f"{r[5]:.0f}"
        print(f"| {label} | {name} | {r[0]:.2f} | {passes} | {c.relative_gap:.1e} | {c.support.size} | {ratios} | {r[4]} |",
              flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="50000x50000", help="n x d")
    ap.add_argument("--nnz-per-row", type=int, default=50)
    ap.add_argument("--budget", type=float, default=900.0, help="seconds for each of solve_dual, solve_primal, SVC")
    ap.add_argument("--mem-gb", type=float, default=6.0, help="address-space limit of those children")
    ap.add_argument("--svc-n", type=int, default=5000, help="subsample on which SVC is also timed")
    ap.add_argument("--skip", nargs="*", default=[], help="methods not to run, e.g. solve_primal SVC")
    ap.add_argument("--blas-threads", type=int, default=1)
    ap.add_argument("--primal-solver", default=None, help="solve_primal's solver (default: its own choice)")
    ap.add_argument("--dual-mkl", action="store_true", help="solve_dual with OSQP's MKL indirect solver ([mkl] extra)")
    args = ap.parse_args()
    if args.primal_solver:
        PRIMAL_OPTIONS["solver"] = args.primal_solver
    if args.dual_mkl:
        DUAL_OPTIONS.update(algebra="mkl", solver_type="indirect")
    n, d = (int(v) for v in args.size.lower().split("x"))
    t0 = time.perf_counter()
    X, y = make_sparse_text(n, d, nnz_per_row=args.nnz_per_row, seed=0)
    p = ds.SVMProblem(X, y, C=1.0)
    print(f"make_sparse_text({n}, {d}, nnz_per_row={args.nnz_per_row}, seed=0): nnz = {X.nnz} "
          f"(density {X.nnz / (n * d):.2e}), {int(np.sum(p.y > 0))} positive; C = 1; one run each; "
          f"BLAS threads {args.blas_threads}; budget {args.budget:.0f} s and {args.mem_gb:g} GB per child; "
          f"data built in {time.perf_counter() - t0:.1f} s\n")
    print("| data | method | time (s) | data passes | certified rel. gap | certified #SV | time / LinearSVC's "
          "| time / SVC's | note |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    with threadpool_limits(args.blas_threads):
        results: dict[str, Result | str] = {"solve_ipm": fit_ipm(p)}
        for name, fn in (("solve_dual", fit_dual), ("solve_primal", fit_primal)):
            if name not in args.skip:
                results[name] = limited(fn, p, args.budget, args.mem_gb)
        results["LinearSVC"] = fit_linearsvc(p)
        if "SVC" not in args.skip:
            results["SVC"] = limited(fit_svc, p, args.budget, args.mem_gb)
        table(p, f"{n}x{d}", results)
        if "SVC" not in args.skip and args.svc_n < n:
            idx = np.random.default_rng(1).choice(n, size=args.svc_n, replace=False)
            q = ds.SVMProblem(X[np.sort(idx)], y[np.sort(idx)], C=1.0)
            sub = {"solve_ipm": fit_ipm(q), "LinearSVC": fit_linearsvc(q),
                   "SVC": limited(fit_svc, q, args.budget, args.mem_gb)}
            table(q, f"{args.svc_n}x{d} subsample", sub)


if __name__ == "__main__":
    main()
