"""solve_ipm on a dask array on a LocalCluster (issue 14), against the same solve in memory.

Generates a seeded n x d problem chunk by chunk on the workers (``da.random.default_rng``:
it is never whole in the driver's memory), persists it there, and solves it with
``dualsvm.solve_ipm`` on a ``distributed.LocalCluster`` (worker processes, one thread each; ``--threads``: see below).
Reports wall time, iterations, passes over X, the certified relative gap and the driver's
peak memory (``ru_maxrss`` of this process, read right after the solve: it includes the
interpreter, numpy, dask and distributed themselves). Then, for scale, the dask solve and
the in-memory solve at ``--mem-n`` rows (same generator, gathered into memory).

    python benchmarks/bench_dask.py --n 10000000 --d 20
    python benchmarks/bench_dask.py --n 1000000 --mem-n 1000000      # the 2x comparison only

``--threads`` runs the LocalCluster's two workers as threads of this process
(``processes=False``, as the tests' cluster) instead of processes: numpy releases the
GIL in its loops and BLAS, and a round of tasks (three per interior-point iteration)
then costs no inter-process messages; measured at 1M x 20 on the loaded 2-core
machine, 22 s against 56 s with worker processes (the same solve in memory: 12 s).
The driver's peak memory then includes the workers' blocks, so the 10M run's memory
figure needs worker processes (the default).

Worker processes start without distributed's ``MALLOC_TRIM_THRESHOLD_=65536``
(``--malloc-trim`` keeps it): with it set, glibc stops raising its mmap threshold, so
every temporary n_b-vector of a block task (2 MB at 250,000 rows) is mapped and
zero-filled afresh; measured on one 250,000 x 20 block, the predictor's task 22 ms
without against 56 ms with it, the corrector's 9 against 32 ms. The price is memory a
worker may keep from the OS after a spike of temporaries.

Timings on the shared 2-core machine move a lot with its load; run once, read as an order of magnitude.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

import numpy as np

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def make(n: int, d: int, chunk: int, seed: int):
    """A separable-with-noise problem, generated block by block where dask runs the tasks."""
    import dask.array as da

    rng = da.random.default_rng(seed)
    X = rng.standard_normal((n, d), chunks=(chunk, d))
    w_true = np.random.default_rng(seed + 1).normal(size=d)
    noise = rng.standard_normal(n, chunks=(chunk,))
    y = da.where(X @ w_true + 0.5 * noise > 0, 1.0, -1.0)
    return X, y


def peak_mb() -> float:
    """Peak resident memory of this process, in MB (Linux reports ru_maxrss in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def solve(problem, label: str) -> dict:
    import dualsvm as ds

    t0 = time.perf_counter()
    sol = ds.solve_ipm(problem)
    wall = time.perf_counter() - t0
    out = {"run": label, "n": problem.n, "d": problem.d, "wall_s": round(wall, 2), "status": sol.status,
           "iterations": sol.iterations, "relative_gap": sol.relative_gap, "radius": sol.radius,
           "data_passes": round(float(sol.extras["data_passes"]), 2),
           "ipm_s": round(sol.extras["ipm_time"], 2), "certificate_s": round(sol.extras["certificate_time"], 2),
           "n_margin_support": int(sol.margin_support.size), "n_bound_support": int(sol.bound_support.size),
           "n_undecided": int(sol.undecided.size), "driver_peak_MB": round(peak_mb(), 1)}
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--d", type=int, default=20)
    ap.add_argument("--chunk", type=int, default=250_000, help="rows per block")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--mem-n", type=int, default=1_000_000, help="rows of the in-memory comparison (0: skip)")
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--malloc-trim", action="store_true",
                    help="keep distributed's MALLOC_TRIM_THRESHOLD_=65536 in the worker processes (see the docstring)")
    ap.add_argument("--threads", action="store_true",
                    help="workers as threads of this process (processes=False): less latency per round of tasks, "
                    "but the driver's memory then includes the data")
    args = ap.parse_args()

    import dask
    import distributed

    import dualsvm as ds

    print(json.dumps({"driver_peak_MB_at_start": round(peak_mb(), 1), "dask": dask.__version__,
                      "distributed": distributed.__version__, "workers": "threads" if args.threads else "processes",
                      "MALLOC_TRIM_THRESHOLD_": "65536" if args.malloc_trim else "unset"}),
          flush=True)
    if not args.malloc_trim:  # None: the nanny does not set it (distributed.nanny._get_env_variables)
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})
    with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=not args.threads,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        results = []
        t0 = time.perf_counter()
        X, y = make(args.n, args.d, args.chunk, args.seed)
        X, y = client.persist([X, y])
        distributed.wait([X, y])
        gen = time.perf_counter() - t0
        t0 = time.perf_counter()
        problem = ds.SVMProblem(X, y, C=args.C)
        print(json.dumps({"generate_s": round(gen, 2), "validate_s": round(time.perf_counter() - t0, 2),
                          "blocks": len(X.chunks[0])}), flush=True)
        results.append(solve(problem, "dask"))
        del problem, X, y
        print(json.dumps({"driver_peak_MB_after_dask_solve": round(peak_mb(), 1)}), flush=True)
        if args.mem_n:
            X, y = make(args.mem_n, args.d, min(args.chunk, args.mem_n), args.seed)
            X, y = client.persist([X, y])
            distributed.wait([X, y])
            if args.mem_n != args.n:  # else the run above is the comparison
                results.append(solve(ds.SVMProblem(X, y, C=args.C), "dask (comparison size)"))
            Xm, ym = client.compute([X, y], sync=True)  # the same data, gathered into memory
    if args.mem_n:
        results.append(solve(ds.SVMProblem(Xm, ym, C=args.C), "in memory"))
        a, b = results[-2], results[-1]
        print(json.dumps({"dask_over_in_memory": round(a["wall_s"] / b["wall_s"], 2)}), flush=True)


if __name__ == "__main__":
    main()
