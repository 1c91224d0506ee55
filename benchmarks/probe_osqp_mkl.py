"""Issue 13 probe: peak memory of solve_dual's OSQP with the builtin direct solver (QDLDL)
against osqp-mkl's indirect solver (MKL RCI PCG on P + sigma I + A^T diag(rho) A).

Each configuration runs in a child forked from a fresh forkserver (as tests/test_sparse.py's
_peak_bytes): a warm-up on a small problem, then /proc/self/clear_refs resets VmHWM and the
peak resident set above the start is read (tracemalloc cannot see MKL's or OSQP's C allocations).

Two phases are measured, each in its own child:

* ``osqp``: one OSQP solve of the lifted dual at solve_dual's first-round settings (eps 1e-2, no
  polish), then ds.certify on OSQP's own (w, b, alpha) and on the exact KKT polish of its alpha;
* ``full``: ds.solve_dual end to end (OSQP, polish, working-set refinement).

The osqp-mkl shared object links libmkl_rt.so.2 and libiomp5.so without an rpath; pip's
``mkl<2026`` and ``intel-openmp`` wheels put them in ``$VIRTUAL_ENV/lib``, and
``dualsvm.dual.load_mkl_algebra`` preloads them from there (``pip install -e ".[mkl]"``), so
``LD_LIBRARY_PATH`` is no longer needed.

Usage: OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    python benchmarks/probe_osqp_mkl.py --n 1000 5000 --configs builtin mkl-indirect
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np
from child_memory import reset_high_water, run_in_child, status_bytes

CONFIGS = {
    "builtin": {"algebra": "builtin"},
    "mkl-direct": {"algebra": "mkl", "solver_type": "direct"},
    "mkl-indirect": {"algebra": "mkl", "solver_type": "indirect", "cg_preconditioner": "diagonal"},
    "mkl-indirect-noprec": {"algebra": "mkl", "solver_type": "indirect", "cg_preconditioner": None},
}


def _osqp_phase(problem, opts):
    import osqp

    import dualsvm as ds
    from dualsvm.dual import DEFAULT_OSQP_SETTINGS, lifted_dual, load_mkl_algebra
    from dualsvm.working_set import polish

    if opts["algebra"] == "mkl":
        load_mkl_algebra()
    settings = {**DEFAULT_OSQP_SETTINGS, **{k: v for k, v in opts.items() if k != "algebra"}}
    t0 = time.perf_counter()
    solver = osqp.OSQP(algebra=opts["algebra"])
    solver.setup(*lifted_dual(problem), **settings)
    t_setup = time.perf_counter() - t0
    res = solver.solve(raise_error=False)
    t_solve = time.perf_counter() - t0 - t_setup
    n, d = problem.n, problem.d
    alpha = np.clip(res.x[:n], 0.0, problem.costs)
    cert = ds.certify(problem, res.x[n:], float(res.y[d]), alpha=alpha)
    w, b, _, gap = polish(problem, res.x[:n])
    rel = gap / max(1.0, abs(problem.primal_objective(w, b)))
    return {
        "status": str(res.info.status), "iter": int(res.info.iter), "setup_s": t_setup, "solve_s": t_solve,
        "osqp_rel_gap": float(cert.relative_gap), "polished_rel_gap": float(rel), "solver": str(solver),
    }


def _full_phase(problem, opts):
    import dualsvm as ds

    t0 = time.perf_counter()
    sol = ds.solve_dual(problem, **opts)
    return {
        "success": bool(sol.success), "rel_gap": float(sol.relative_gap), "time_s": time.perf_counter() - t0,
        "rounds": [{k: r.get(k) for k in ("iter", "relative_gap", "refined_relative_gap", "status")}
                   for r in sol.extras["rounds"]],
    }


def _child(phase, config, n, d, conn):
    try:
        import dualsvm as ds
        from dualsvm.datasets import make_sparse_text

        opts = CONFIGS[config]
        fn = _osqp_phase if phase == "osqp" else _full_phase
        p = ds.SVMProblem(*make_sparse_text(n, d, nnz_per_row=50, seed=1), C=1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(ds.SVMProblem(*make_sparse_text(100, 500, nnz_per_row=10, seed=2), C=1.0), opts)
            start = reset_high_water()
            out = fn(p, opts)
            out["peak_MB"] = (status_bytes()["VmHWM"] - start) / 1e6
            out["start_MB"] = start / 1e6
        X = p.X
        out["B_MB"] = (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 1e6
        conn.send(out)
    except BaseException as exc:  # report, never hang the parent
        conn.send(repr(exc))


def run(phase, config, n, d, timeout):
    return run_in_child(_child, (phase, config, n, d), ["dualsvm", "osqp"], timeout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1000])
    ap.add_argument("--d", type=int, default=50_000)
    ap.add_argument("--configs", nargs="+", default=["builtin", "mkl-indirect"], choices=sorted(CONFIGS))
    ap.add_argument("--phases", nargs="+", default=["osqp", "full"], choices=["osqp", "full"])
    ap.add_argument("--timeout", type=float, default=900.0)
    args = ap.parse_args()
    for n in args.n:
        for phase in args.phases:
            for config in args.configs:
                got = run(phase, config, n, args.d, args.timeout)
                print(json.dumps({"n": n, "d": args.d, "phase": phase, "config": config, "result": got}), flush=True)


if __name__ == "__main__":
    main()
