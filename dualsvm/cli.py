"""The ``dualsvm`` command line.

Exit codes: 0 success (for ``compare``: the solutions agree), 1 the solutions
disagree or a solve missed its target, 2 bad input (a one-line message on
stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .comparison import CertificateViolation
from .exceptions import ConvergenceWarning, DualSVMError
from .problem import SVMProblem

__all__ = ["main", "load_csv"]


class CLIError(Exception):
    """Bad command-line input; printed as one line, exit code 2."""


def load_csv(path: str, label: str) -> tuple[np.ndarray, np.ndarray]:
    """Read a CSV file with a header row; ``label`` names the label column, the rest are features."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except OSError as exc:
        raise CLIError(f"cannot read --csv {path!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CLIError(f"--csv {path!r} is not a UTF-8 text file") from None
    rows = [r for r in rows if r]
    if len(rows) < 2:
        raise CLIError(f"--csv {path!r} needs a header row and at least one data row, got {len(rows)} row(s)")
    header = [h.strip() for h in rows[0]]
    if label not in header:
        raise CLIError(f"--label {label!r} is not a column of {path!r}; columns: {header}")
    j = header.index(label)
    X_rows, y = [], []
    for lineno, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise CLIError(f"{path}:{lineno}: expected {len(header)} fields, got {len(r)}")
        try:
            X_rows.append([float(v) for k, v in enumerate(r) if k != j])
        except ValueError as exc:
            raise CLIError(f"{path}:{lineno}: non-numeric feature ({exc})") from None
        y.append(r[j].strip())
    return np.array(X_rows, dtype=float), np.array(y)


def _problem(args: argparse.Namespace) -> SVMProblem:
    if args.csv is None:
        from .datasets import load_iris_pair

        X, y = load_iris_pair()
    else:
        if args.label is None:
            raise CLIError("--csv needs --label COLUMN naming the label column")
        X, y = load_csv(args.csv, args.label)
    return SVMProblem(X, y, C=args.C)


def _add_data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--csv", metavar="FILE", help="CSV file with a header row (default: built-in iris versicolor/virginica)")
    p.add_argument("--label", metavar="COLUMN", help="name of the label column in --csv")
    p.add_argument("--C", type=float, default=1.0, help="penalty C > 0 (default 1.0)")
    p.add_argument("--json", action="store_true", help="print the machine-readable report")


def _cmd_solve(args: argparse.Namespace) -> int:
    from .dual import solve_dual
    from .primal import solve_primal

    problem = _problem(args)
    fn = {"dual": solve_dual, "primal": solve_primal}[args.method]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported through the status below
        sol = fn(problem, target_gap=args.tol)
    if args.json:
        print(json.dumps(sol.to_dict(), indent=2))
    else:
        print(problem)
        print(sol)
    return 0 if sol.success else 1


def _cmd_compare(args: argparse.Namespace) -> int:
    from .comparison import compare

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    problem = _problem(args)
    progress = None
    if sys.stderr.isatty() and not args.json:
        def progress(msg: str) -> None:
            print(msg, file=sys.stderr, flush=True)
    result = compare(problem, methods=methods, target_gap=args.tol, progress=progress)
    print(json.dumps(result.to_dict(), indent=2) if args.json else result)
    return 0 if result.agree else 1


def _cmd_figures(args: argparse.Namespace) -> int:
    from .figures import NAMES, load

    names = args.only or list(NAMES)
    for name in names:
        if name not in NAMES:
            raise CLIError(f"--only {name!r} is not a figure; choose from {list(NAMES)}")
    for name in names:
        path = load(name).main(args.out, args.format)
        print(path)
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.svm import SVC, LinearSVC

    from .conventions import sgd_alpha_from_C
    from .sklearn import certify_estimator

    problem = _problem(args)
    X, y, C, n = problem.X, problem.y, problem.C, problem.n
    estimators = [
        SVC(kernel="linear", C=C, tol=1e-8),
        LinearSVC(C=C, tol=1e-8, max_iter=100_000),
        LinearSVC(C=C, loss="hinge", intercept_scaling=100.0, tol=1e-10, max_iter=1_000_000),
        SGDClassifier(loss="hinge", alpha=sgd_alpha_from_C(C, n), max_iter=1000, tol=None, random_state=0),
        LogisticRegression(C=C, tol=1e-10, max_iter=10_000),
    ]
    reports = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # liblinear / SGD convergence chatter; the certificate is the judge
        for est in estimators:
            reports.append((est, certify_estimator(est.fit(X, y), X, y)))
    if args.json:
        print(json.dumps([{"params": repr(e), **r.to_dict()} for e, r in reports], indent=2))
        return 0
    print(f"{problem}\nreference optimum P* = {reports[0][1].reference.primal_objective:.10g} (dualsvm.solve_dual)\n")
    for est, r in reports:
        gap = "-" if r.certificate is None else f"{r.certificate.relative_gap:.1e}"
        nsv = "-" if r.certificate is None else str(r.certificate.support.size)
        print(f"{est!r}\n  solves:  {r.problem_solved}\n  rel.gap: {gap}   |w - w*| = {r.distance:.3g}   "
              f"support vectors implied: {nsv}\n  verdict: {r.verdict}\n")
    return 0


def _cmd_relu(args: argparse.Namespace) -> int:
    from .question import answer

    problem = _problem(args)
    ans = answer(problem.X, problem.y, C=problem.C, seed=args.seed)
    if args.json:
        print(json.dumps({"rows": ans.rows, "svm_radius": ans.svm.radius,
                          "n_svm_zero_alpha": ans.n_svm_zero_alpha,
                          "n_logistic_zero_weight": ans.n_logistic_zero_weight}, indent=2))
    else:
        print(ans)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dualsvm", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("solve", help="solve one formulation and print its certificate")
    _add_data_args(p)
    p.add_argument("--method", choices=("dual", "primal"), default="dual")
    p.add_argument("--tol", type=float, default=1e-8, help="target relative duality gap (default 1e-8)")
    p.set_defaults(func=_cmd_solve)
    p = sub.add_parser("compare", help="solve three ways, cross-certify, and report whether the answers agree")
    _add_data_args(p)
    p.add_argument("--methods", default="primal,dual,subgradient",
                   help="comma-separated methods from primal, dual, subgradient, stochastic (default: the first three)")
    p.add_argument("--tol", type=float, default=None,
                   help="target relative gap of the subgradient methods (default 1e-4; 1e-2 for stochastic)")
    p.set_defaults(func=_cmd_compare)
    p = sub.add_parser("explain-sklearn", help="certify SVC, LinearSVC, SGDClassifier and LogisticRegression side by side")
    _add_data_args(p)
    p.set_defaults(func=_cmd_explain)
    p = sub.add_parser("relu", help="is a one-layer ReLU network an SVM? train the variants and print the answer")
    _add_data_args(p)
    p.add_argument("--seed", type=int, default=0, help="seed of the initial weights (default 0)")
    p.set_defaults(func=_cmd_relu)
    p = sub.add_parser("figures", help="regenerate the figure gallery (Agg backend, fixed seeds)")
    p.add_argument("--out", default="gallery", metavar="DIR", help="output folder (default: ./gallery)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="only these figures")
    p.add_argument("--format", choices=("png", "pdf", "svg"), default="png")
    p.set_defaults(func=_cmd_figures)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dualsvm`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: Any = args.func(args)
    except CertificateViolation as exc:
        print(f"dualsvm {args.command}: CERTIFICATE VIOLATION: {exc}", file=sys.stderr)
        return 1
    except ImportError as exc:  # explain-sklearn needs the optional scikit-learn
        print(f"dualsvm {args.command}: error: {exc.name or exc} is not installed; pip install scikit-learn", file=sys.stderr)
        return 2
    except (CLIError, DualSVMError) as exc:
        print(f"dualsvm {args.command}: error: {exc}", file=sys.stderr)
        return 2
    return int(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
