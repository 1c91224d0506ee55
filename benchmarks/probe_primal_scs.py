"""Issue 13 probe: peak memory, time and accuracy of solve_primal on sparse text data, Clarabel
(direct LDL) against SCS with its indirect (conjugate-gradient) linear solver.

Each configuration runs in a child forked from a fresh forkserver (as tests/test_sparse.py's
_peak_bytes): a warm-up on a small problem, then /proc/self/clear_refs resets VmHWM and the peak
is the larger of tracemalloc's (numpy, scipy, cvxpy's canonicalization) and the resident set's
high-water mark above the start (SCS's and Clarabel's own C and Rust allocations).

Usage: OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
    python benchmarks/probe_primal_scs.py --n 1000 5000 --d 50000 --configs clarabel scs-indirect
"""

from __future__ import annotations

import argparse
import json
import os
import time
import tracemalloc
import warnings

from child_memory import reset_high_water, run_in_child, status_bytes

CONFIGS = {
    "auto": {},  # solve_primal's own choice (choose_solver)
    "clarabel": {"solver": "CLARABEL"},
    "scs-indirect": {"solver": "SCS", "use_indirect": True, "eps_abs": 1e-5, "eps_rel": 1e-5},
    "scs-indirect-1e-3": {"solver": "SCS", "use_indirect": True, "eps_abs": 1e-3, "eps_rel": 1e-3},
    "scs-indirect-1e-4": {"solver": "SCS", "use_indirect": True, "eps_abs": 1e-4, "eps_rel": 1e-4},
    "scs-indirect-1e-6": {"solver": "SCS", "use_indirect": True, "eps_abs": 1e-6, "eps_rel": 1e-6},
    "scs-direct": {"solver": "SCS", "use_indirect": False},
    # SCS 3.3's indirect solver deflates its warm CG solves with 30 harvested eigenvectors (eigCG):
    # 2 x 30 vectors kept plus a 90-vector Lanczos window; SCS_DEFLATE=0 turns it off.
    "scs-indirect-nodeflate": {"solver": "SCS", "use_indirect": True, "eps_abs": 1e-5, "eps_rel": 1e-5,
                               "env": {"SCS_DEFLATE": "0"}},
}


def _solve(problem, opts):
    import dualsvm as ds

    t0 = time.perf_counter()
    sol = ds.solve_primal(problem, **opts)
    e = sol.extras
    return {
        "success": bool(sol.success), "rel_gap": float(sol.relative_gap), "time_s": time.perf_counter() - t0,
        "solver": e["solver"], "cvxpy_status": e["cvxpy_status"], "iter": int(sol.iterations),
        "compile_s": e["compile_time"], "solver_s": e["solver_time"], "solver_rel_gap": e["solver_relative_gap"],
        "polished": e["polished"], "refined": e["refined"],
    }


def _child(config, n, d, nnz_per_row, conn):
    try:
        import dualsvm as ds
        from dualsvm.datasets import make_sparse_text

        opts = dict(CONFIGS[config])
        os.environ.update(opts.pop("env", {}))
        p = ds.SVMProblem(*make_sparse_text(n, d, nnz_per_row=nnz_per_row, seed=1), C=1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _solve(ds.SVMProblem(*make_sparse_text(100, 500, nnz_per_row=10, seed=2), C=1.0), opts)
            start = reset_high_water()
            tracemalloc.start()
            out = _solve(p, opts)
            traced = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            rss = status_bytes()["VmHWM"] - start
        X = p.X
        B = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
        out.update(peak_MB=max(traced, rss) / 1e6, traced_MB=traced / 1e6, resident_MB=rss / 1e6,
                   B_MB=B / 1e6, V_MB=8 * (n + d) / 1e6, peak_over_B=max(traced, rss) / B, nnz=int(X.nnz))
        conn.send(out)
    except BaseException as exc:  # report, never hang the parent
        conn.send(repr(exc))


def run(config, n, d, nnz_per_row, timeout):
    return run_in_child(_child, (config, n, d, nnz_per_row), ["dualsvm", "cvxpy", "clarabel", "scs"], timeout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1000])
    ap.add_argument("--d", type=int, default=50_000)
    ap.add_argument("--nnz-per-row", type=int, default=50)
    ap.add_argument("--configs", nargs="+", default=["clarabel", "scs-indirect"], choices=sorted(CONFIGS))
    ap.add_argument("--timeout", type=float, default=900.0)
    args = ap.parse_args()
    for n in args.n:
        for config in args.configs:
            got = run(config, n, args.d, args.nnz_per_row, args.timeout)
            print(json.dumps({"n": n, "d": args.d, "config": config, "result": got}), flush=True)


if __name__ == "__main__":
    main()
