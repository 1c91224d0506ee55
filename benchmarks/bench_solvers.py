"""Benchmark: dualsvm's solvers against scikit-learn/libsvm, measured side by side in one run.

    python benchmarks/bench_solvers.py                 # n = 1000, 10000, 50000
    python benchmarks/bench_solvers.py --sizes 1000 10000 --repeat 3

Data: ``make_overlapping(n, d=20, seed=0)`` (standardized), C = 1. Every time is
the best of ``--repeat`` wall-clock runs; ratios are against SVC timed in the
same run, because the machine is shared and noisy. Relative gaps are measured
by dualsvm's own certificate (outside answers via ``dualsvm.certify``).
Speed is reported here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import time
import warnings

from sklearn.linear_model import SGDClassifier
from sklearn.svm import SVC

import dualsvm as ds
from dualsvm.datasets import make_overlapping


def best_of(repeat, fn):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def run(n: int, d: int, C: float, repeat: int, svc_max_n: int) -> list[tuple]:
    X, y = make_overlapping(n, d, seed=0)
    p = ds.SVMProblem(X, y, C=C)
    rows = []
    t_svc6 = t_svc3 = float("nan")
    if n <= svc_max_n:
        t_svc6, svc = best_of(repeat, lambda: SVC(kernel="linear", C=C, tol=1e-6).fit(X, y))
        c = ds.certify(p, svc.coef_[0], svc.intercept_[0])
        rows.append(("SVC(tol=1e-6)", t_svc6, c.relative_gap, svc.support_.size, 1.0, ""))
        t_svc3, svc3 = best_of(repeat, lambda: SVC(kernel="linear", C=C, tol=1e-3).fit(X, y))
        c3 = ds.certify(p, svc3.coef_[0], svc3.intercept_[0])
        rows.append(("SVC(tol=1e-3)", t_svc3, c3.relative_gap, svc3.support_.size, t_svc3 / t_svc6, ""))
    t, s = best_of(repeat, lambda: ds.solve_dual(p))
    rows.append(("solve_dual", t, s.relative_gap, s.support.size, t / t_svc6, ""))
    t, s = best_of(repeat, lambda: ds.solve_primal(p))
    rows.append(("solve_primal", t, s.relative_gap, s.support.size, t / t_svc6,
                 f"cvxpy compile {s.extras['compile_time']:.2f}s, Clarabel {s.extras['solver_time']:.2f}s"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ds.ConvergenceWarning)
        for tol in (1e-2, 1e-3, 1e-4):
            t, s = best_of(repeat, lambda tol=tol: ds.solve_subgradient(p, target_gap=tol))
            rows.append((f"solve_subgradient(tol={tol:g})", t, s.relative_gap, s.support.size, t / t_svc3,
                         f"{s.iterations} it, {s.status}; ratio vs SVC(tol=1e-3)"))
        bs = 256
        for tol in (1e-2,):
            t, s = best_of(repeat, lambda tol=tol: ds.solve_subgradient(p, target_gap=tol, batch_size=bs, max_iter=100_000))
            rows.append((f"stochastic(batch={bs}, tol={tol:g})", t, s.relative_gap, s.support.size, t / t_svc3,
                         f"{s.iterations} it, {s.status}; ratio vs SVC(tol=1e-3)"))
        for max_iter in (5, 50, 1000):
            t, sgd = best_of(repeat, lambda m=max_iter: SGDClassifier(
                loss="hinge", alpha=1.0 / (n * C), max_iter=m, tol=None, random_state=0).fit(X, y))
            c = ds.certify(p, sgd.coef_[0], sgd.intercept_[0])
            rows.append((f"SGDClassifier(max_iter={max_iter})", t, c.relative_gap, c.support.size, t / t_svc3,
                         "alpha = 1/(nC); certified from outside"))
        t, cmp = best_of(repeat, lambda: ds.compare(p))
        rows.append(("compare (primal+dual+subgradient)", t, max(x.relative_gap for x in cmp.solutions.values()),
                     cmp.solutions["dual"].support.size, t / t_svc6, f"agree={cmp.agree}"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    ap.add_argument("--d", type=int, default=20)
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--svc-max-n", type=int, default=50_000, help="skip SVC above this n (it is O(n^2))")
    args = ap.parse_args()
    print(f"d={args.d}, C={args.C:g}, make_overlapping(seed=0), best of {args.repeat}\n")
    print("| n | method | time (s) | relative gap | #SV | time / SVC | note |")
    print("|---|---|---:|---:|---:|---:|---|")
    for n in args.sizes:
        for name, t, gap, nsv, ratio, note in run(n, args.d, args.C, args.repeat, args.svc_max_n):
            print(f"| {n} | {name} | {t:.3f} | {gap:.1e} | {nsv} | {ratio:.2f} | {note} |", flush=True)


if __name__ == "__main__":
    main()
