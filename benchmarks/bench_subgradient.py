"""Benchmark: solve_subgradient now against an earlier commit, side by side in one run.

    pip install -e ".[bench]"
    python benchmarks/bench_subgradient.py                          # against 55d9560, 10000x20, target 1e-4
    python benchmarks/bench_subgradient.py --baseline 55d9560 --sizes 10000x20 100000x20 --repeat 3

The baseline's ``dualsvm/`` is extracted with ``git archive`` into a
temporary directory and run in a child process; the current tree runs in
another child. The two alternate, ``--repeat`` times each, and the best time
of each is kept, because the machine is shared and noisy; so is the best CPU
time of the child process (``time.process_time``), which a loaded machine
disturbs far less than the wall time when BLAS runs one thread. 55d9560 is the code
issue 10 measured ("today's time"): its subgradient recorded a projected
alpha at every history step. Both runs solve the same data
(``bench_ipm.data``: make_classification, standardized, C = 1) to the same
target relative gap (the baseline calls it ``tol``), full batch, BLAS limited
to ``--blas-threads``. Both answers are certified here by the *current*
certificate (the baseline's own certificate had the rounding defects of issue
16), and the current run's data passes per iteration are reported. Speed is
reported here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

CHILD = r"""
import json, sys, time, warnings
import numpy as np
from threadpoolctl import threadpool_limits
sys.path.insert(0, {bench!r})
import dualsvm as ds
from bench_ipm import data
n, d, target, threads, kw = {n}, {d}, {target}, {threads}, {kw!r}
p = data(n, d)
with threadpool_limits(threads), warnings.catch_warnings():
    warnings.simplefilter("ignore")
    t0, c0 = time.perf_counter(), time.process_time()
    s = ds.solve_subgradient(p, **{{kw: target}})
    t, c = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({{"time": t, "cpu": c, "iterations": int(s.iterations), "status": s.status,
                  "passes": s.extras.get("data_passes"),
                  "w": s.w.tolist(), "b": float(s.b), "alpha": s.alpha.tolist()}}))
"""


def run_child(src: Path, n: int, d: int, target: float, threads: int, kw: str) -> dict:
    code = CHILD.format(bench=str(ROOT / "benchmarks"), n=n, d=d, target=target, threads=threads, kw=kw)
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=src, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="55d9560", help="git revision to compare against")
    ap.add_argument("--sizes", nargs="+", default=["10000x20"])
    ap.add_argument("--target-gap", type=float, default=1e-4)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--blas-threads", type=int, default=1)
    args = ap.parse_args()
    from bench_ipm import data

    import dualsvm as ds

    with tempfile.TemporaryDirectory() as tmp:
        blob = subprocess.run(["git", "archive", args.baseline, "dualsvm"], cwd=ROOT, capture_output=True,
                              check=True).stdout
        tarfile.open(fileobj=BytesIO(blob)).extractall(tmp, filter="data")
        print(f"solve_subgradient to a relative gap {args.target_gap:g}, full batch; baseline {args.baseline}; "
              f"best of {args.repeat}, alternating; BLAS threads {args.blas_threads}\n")
        print("| n x d | code | time (s) | CPU time (s) | iterations | passes / iteration "
              "| certified rel. gap (current certificate) | status | now / baseline (time) | (CPU) |")
        print("|---|---|---:|---:|---:|---:|---:|---|---:|---:|")
        for size in args.sizes:
            n, d = (int(v) for v in size.lower().split("x"))
            best: dict[str, dict] = {}
            for _ in range(args.repeat):
                for name, src, kw in (("baseline", Path(tmp), "tol"), ("now", ROOT, "target_gap")):
                    r = run_child(src, n, d, args.target_gap, args.blas_threads, kw)
                    if name not in best:
                        best[name] = r
                    best[name]["time"] = min(best[name]["time"], r["time"])
                    best[name]["cpu"] = min(best[name]["cpu"], r["cpu"])
            p = data(n, d)
            for name in ("baseline", "now"):
                r = best[name]
                cert = ds.certify(p, np.array(r["w"]), r["b"], np.array(r["alpha"]), build_alpha=False)
                per = f"{r['passes'] / max(1, r['iterations']):.2f}" if r["passes"] else "—"
                ratio, cpu = ((best["now"][k] / best["baseline"][k] if name == "now" else 1.0) for k in ("time", "cpu"))
                print(f"| {size} | {name} | {r['time']:.3f} | {r['cpu']:.3f} | {r['iterations']} | {per} "
                      f"| {cert.relative_gap:.1e} | {r['status']} | {ratio:.3f} | {cpu:.3f} |", flush=True)


if __name__ == "__main__":
    main()
