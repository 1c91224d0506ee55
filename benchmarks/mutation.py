"""Mutation testing of the certificate code with mutmut; prints the score per file.

    pip install -e ".[mutation]"
    python benchmarks/mutation.py                    # mutate, run, report (resumes a previous run)
    python benchmarks/mutation.py --fresh            # start over (deletes mutants/)
    python benchmarks/mutation.py --report-only      # only the table of the last run
    python benchmarks/mutation.py --max-children 2

What is mutated and which tests judge the mutants is configured in
``pyproject.toml`` (``[tool.mutmut]``): ``dualsvm/certificates.py``,
``feasibility.py``, ``comparison.py``, ``working_set.py`` and ``finish.py``
(where ``kkt_solve`` and ``polish`` now live), against the
oracle (``tests/test_oracle.py``), ``tests/test_working_set.py``,
``tests/test_foundation.py``, compare's tests in
``tests/test_subgradient_compare.py`` and ``proofs/checks``. mutmut runs,
for each mutant, only the tests that call the mutated function (fastest
first, stopping at the first failure).

``DUALSVM_MUTATION=1`` is set for the test runs: the oracle's hypothesis
tests then draw a fixed (derandomized) set of examples, so that two runs
on the same code give the same score.

The score counts a mutant as killed when a test failed or timed out
(mutmut's ``killed`` and ``timeout``); survivors are ``survived`` and ``no
tests`` (no selected test calls the function). Not in the default test run:
it takes well over an hour on two shared cores, and resumes where it stopped.
Every survivor seen, killed or explained: ``benchmarks/mutation_survivors.md``.
mutmut does not mutate decorated functions: keep the mutated files' functions undecorated.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILLED = {"killed", "timeout"}


def results() -> dict[str, str]:
    """mutant name -> status, from ``mutmut results --all true``."""
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    found = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\w.]+__mutmut_\d+): (.+?)\s*$", line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def report(status: dict[str, str]) -> int:
    by_file: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for name, st in status.items():
        module = ".".join(name.split(".")[:2])  # dualsvm.<module>
        by_file[module][st] += 1
        if st not in KILLED:
            survivors[module].append(f"{name} ({st})")
    total_k = total = 0
    print(f"{'file':<28} {'killed':>7} {'total':>6} {'score':>7}   statuses")
    for module in sorted(by_file):
        c = by_file[module]
        k, n = sum(c[s] for s in KILLED), sum(c.values())
        total_k, total = total_k + k, total + n
        print(f"{module.replace('.', '/') + '.py':<28} {k:>7} {n:>6} {k / n:>7.1%}   {dict(c)}")
    if total:
        print(f"{'all':<28} {total_k:>7} {total:>6} {total_k / total:>7.1%}")
    for module in sorted(survivors):
        print(f"\nsurvivors in {module}:")
        for s in sorted(survivors[module], key=lambda v: int(v.split("__mutmut_")[1].split(" ")[0])):
            print("   ", s)
    print("\nshow one with: python -m mutmut show <name>")
    return 0 if total else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--fresh", action="store_true", help="delete mutants/ first")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("mutants", nargs="*", help="run only these mutant names (globs allowed, as mutmut run)")
    args = ap.parse_args()
    if not args.report_only:
        if args.fresh:
            shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        (ROOT / "mutants").mkdir(exist_ok=True)
        (ROOT / "mutants" / ".gitignore").write_text("*\n")  # keep the work tree clean
        env = {**os.environ, "DUALSVM_MUTATION": "1"}
        t0 = time.perf_counter()
        cmd = [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children), *args.mutants]
        subprocess.run(cmd, cwd=ROOT, env=env, check=False)
        print(f"\nmutmut run took {time.perf_counter() - t0:.0f} s")
    return report(results())


if __name__ == "__main__":
    sys.exit(main())
