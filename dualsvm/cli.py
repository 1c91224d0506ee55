"""The ``dualsvm`` command line (the console script; ``python -m dualsvm.cli`` is the same).

``main(argv)`` returns the exit code: 0 success (for ``compare``: the verdict
AGREE), 1 ``compare``: DISAGREE (a certificate is wrong), ``solve``: the
solver missed its target; 2 bad input (a one-line message on stderr, never a
traceback); 3 ``compare``: INCONCLUSIVE (a method missed its target).
``load_csv`` is the CSV reader behind ``--csv``.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import inspect
import json
import math
import os
import shlex
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, NoReturn

import numpy as np
import scipy.sparse as sp

from . import __version__
from .comparison import FIRST_ORDER, METHODS, VERDICTS, CertificateViolation
from .datasets import standardize
from .exceptions import ConvergenceWarning, DualSVMError
from .figures import NAMES as FIGURE_NAMES
from .problem import SVMProblem

__all__ = ["main", "build_parser", "load_csv", "CSVData", "SOLVE_METHODS"]

#: ``solve --method`` NAME -> (the solver's tolerance keyword, its default, what it is).
#: The solver itself is ``comparison.METHODS[NAME]``; offering another method is one line here.
SOLVE_METHODS: dict[str, tuple[str, float, str]] = {
    "dual": ("target_gap", 1e-8, "OSQP on the dual QP, then an exact active-set refinement"),
    "primal": ("target_gap", 1e-8, "the primal QP in cvxpy (Clarabel's interior point; SCS's CG on large sparse X)"),
    "subgradient": ("target_gap", 1e-4, "subgradient descent on the primal, numpy only"),
    "stochastic": ("target_gap", 1e-2, "mini-batch (Pegasos-style) subgradient descent"),
    "ipm": ("target_gap", 1e-9, "interior-point method on the (d+1)x(d+1) or n x n Newton system, then an exact finish"),
}

#: Cells read as "no value" in a feature column (compared in lower case).
MISSING = frozenset({"", "nan", "na", "n/a", "null", "none", "?"})

BUILTIN = "built-in iris data (versicolor vs virginica)"


class CLIError(DualSVMError):
    """Bad command-line input; printed as one line, exit code 2."""


# -- data ----------------------------------------------------------------------
@dataclass
class CSVData:
    """What :func:`load_csv` read: features, labels and where they came from."""

    X: Any  # ndarray, or a scipy.sparse CSR array from load_svmlight
    y: np.ndarray
    features: list[str]
    label: str
    source: str
    #: The labels merged into the "rest" class by ``positive`` (empty without it).
    rest: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    standardized: bool = False
    #: Per-row weights from ``weight`` (``None`` without it).
    sample_weight: np.ndarray | None = None
    weight_column: str | None = None
    class_weight: str | None = None


def _rest_name(positive: str) -> str:
    """The name of "every other class": "(rest)", which sorts before letters and digits, so that ``positive`` is +1.

    (SVMProblem makes the larger label +1; a label such as "#1" that sorts before "(" gets " (rest)".)
    """
    for name in ("(rest)", " (rest)"):
        if name < positive:
            return name
    raise CLIError(f"--positive {positive!r}: use a label that starts with a letter or a digit")


def _as_numbers(labels: Sequence[str]) -> np.ndarray | None:
    """The labels as numbers (integers when all are whole), or None if any is not a number."""
    try:
        v = np.array([float(x) for x in labels])
    except ValueError:
        return None
    if not np.all(np.isfinite(v)):
        return None
    return v.astype(np.int64) if np.all(v == np.round(v)) and np.all(np.abs(v) < 2**53) else v


def _num(v: float) -> str:
    """1e-08 -> 1e-8 for help texts."""
    return f"{v:.0e}".replace("e-0", "e-")


def _shown(items: Sequence[str], k: int = 6) -> str:
    return ", ".join(map(str, items[:k])) + (f", ... ({len(items)} in all)" if len(items) > k else "")


def load_csv(path: str, label: str, *, drop: Sequence[str] = (), positive: str | None = None,
             source: str | None = None, weight: str | None = None) -> CSVData:
    """Read a CSV file with a header row: ``label`` names the label column, the other columns are features.

    Parameters
    ----------
    path : str
    label : str
        The label column. Every row needs a label; exactly two classes unless ``positive`` is given.
    drop : sequence of str
        Columns to leave out (e.g. names, dates, ids).
    positive : str, optional
        This label becomes +1 and every other label one class, -1, named "(rest)".
    source : str, optional
        How messages name the file (default ``path``).
    weight : str, optional
        A column of per-row weights (finite, >= 0): ``sample_weight``, not a feature.

    Raises
    ------
    DualSVMError
        A one-line message naming the line and the column: unreadable file, ragged row, empty
        or NaN cell, missing label, non-numeric column (suggesting ``--drop``), more than two
        classes (suggesting ``--positive``).
    """
    name = source or path
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    except OSError as exc:
        raise CLIError(f"cannot read --csv {path!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CLIError(f"--csv {path!r} is not a UTF-8 text file") from None
    except csv.Error as exc:
        raise CLIError(f"--csv {path!r} is not valid CSV: {exc}") from None
    if len(rows) < 2:
        raise CLIError(f"--csv {name} needs a header row and at least one data row, got {len(rows)} row(s)")
    header = [h.strip() for h in rows[0][1]]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise CLIError(f"{name}: column names must be distinct; repeated: {_shown(dupes)}")
    if label not in header:
        raise CLIError(f"--label {label!r} is not a column of {name}; columns: {_shown(header, 20)}")
    if weight is not None and (weight == label or weight not in header):
        raise CLIError(f"--weight-column {weight!r} " + ("is the label column" if weight == label else
                                                          f"is not a column of {name}; columns: {_shown(header, 20)}"))
    for col in drop:
        if col == label:
            raise CLIError(f"--drop {col!r} is the label column")
        if col not in header:
            raise CLIError(f"--drop {col!r} is not a column of {name}; columns: {_shown(header, 20)}")
    j = header.index(label)
    keep = [k for k, h in enumerate(header) if k != j and h not in drop and h != weight]
    if not keep:
        raise CLIError(f"{name} has no feature columns besides the label {label!r}" + (" and --drop" if drop else ""))

    # One pass to split cells; errors are raised afterwards, most useful first.
    cells, labels, weights = [], [], []
    for lineno, r in rows[1:]:
        if len(r) != len(header):
            raise CLIError(f"{name} line {lineno}: expected {len(header)} fields (as in the header), got {len(r)}")
        lab = r[j].strip()
        if not lab:
            raise CLIError(f"{name} line {lineno}: the label (column {label!r}) is empty; every row needs one")
        labels.append(lab)
        cells.append([r[k].strip() for k in keep])
        if weight is not None:
            v = r[header.index(weight)].strip()
            try:
                weights.append(float(v))
            except ValueError:
                weights.append(math.nan)
            if not (math.isfinite(weights[-1]) and weights[-1] >= 0):
                raise CLIError(f"{name} line {lineno}, column {weight!r} (--weight-column): {v!r} is not a finite number >= 0")
    non_numeric: dict[str, tuple[int, str]] = {}
    X = np.empty((len(cells), len(keep)))
    for i, row in enumerate(cells):
        for c, v in enumerate(row):
            try:
                X[i, c] = float(v)
            except ValueError:
                X[i, c] = math.nan
                if v.lower() not in MISSING:
                    non_numeric.setdefault(header[keep[c]], (rows[i + 1][0], v))
    if non_numeric:
        cols = list(non_numeric)
        one = len(cols) == 1
        where = "; ".join(f"{'' if one else repr(c) + ' at '}line {ln}: {v!r}" for c, (ln, v) in list(non_numeric.items())[:3])
        drops = " ".join(f"--drop {shlex.quote(c)}" for c in cols)
        raise CLIError(f"{name}: {'column' if one else 'columns'} {', '.join(map(repr, cols))} "
                       f"{'is' if one else 'are'} not numeric ({where}); leave {'it' if one else 'them'} out with {drops}")
    bad = np.argwhere(~np.isfinite(X))
    if bad.size:
        i, c = bad[0]
        col, v = header[keep[c]], cells[i][c]
        what = "is empty" if v == "" else f"has no value ({v!r})" if math.isnan(X[i, c]) else f"is infinite ({v!r})"
        raise CLIError(f"{name} line {rows[i + 1][0]}, column {col!r} {what}; every feature needs a finite number: "
                       f"fill it in, delete the row, or leave the column out with --drop {shlex.quote(col)}")
    y, rest = _two_classes(labels, positive, name, f"column {label!r}")
    return CSVData(X, y, [header[k] for k in keep], label, name, rest, [c for c in header if c in drop],
                   sample_weight=np.array(weights) if weight is not None else None, weight_column=weight)


def _two_classes(labels: list[str], positive: str | None, name: str, where: str) -> tuple[np.ndarray, list[str]]:
    """The labels as y (numbers when all are numbers), with ``positive`` against the rest; the merged labels."""
    y = np.array(labels)
    numeric = _as_numbers(labels)  # numeric labels order as numbers (9 < 10), as in scikit-learn
    classes = sorted(set(labels)) if numeric is None else [str(v) for v in sorted(set(numeric.tolist()))]
    rest: list[str] = []
    if positive is not None:
        key = _as_numbers([positive]) if numeric is not None else None
        match = (numeric == key[0]) if key is not None else (y == positive)
        if not match.any():
            raise CLIError(f"--positive {positive!r} is not a label in {where} of {name}; labels: {_shown(classes, 10)}")
        rest = sorted(set(y[~match].tolist()), key=lambda v: (numeric is not None and float(v), v))
        if rest:
            y = np.where(match, positive, _rest_name(positive))
    elif len(classes) > 2:
        raise CLIError(f"{name}: {where} has {len(classes)} classes ({_shown(classes)}); the SVM separates two: "
                       f"choose one with --positive LABEL (that class against the rest)")
    elif numeric is not None:
        y = numeric
    if len(set(y.tolist())) < 2:
        raise CLIError(f"{name}: {where} has only one class ({classes[0]!r}); the SVM needs two")
    return y, rest


def load_svmlight(path: str, *, positive: str | None = None, source: str | None = None) -> CSVData:
    """Read sparse data in the svmlight / LIBSVM text format: ``label index:value ...`` per line.

    Indices are 1-based, as LIBSVM writes them (feature ``j`` is column
    ``j - 1``); a file that uses index 0 is read as 0-based (scikit-learn's
    ``load_svmlight_file(zero_based="auto")``). Features not listed are 0;
    ``#`` starts a comment. The result's ``X`` is a ``scipy.sparse`` CSR
    array, never densified; there are as many features as the largest index.

    Parameters
    ----------
    path : str
        The file.
    positive : str, optional
        This label becomes +1 and every other label one class, -1, named "(rest)".
    source : str, optional
        How messages name the file (default ``path``).

    Returns
    -------
    CSVData
        ``X`` (CSR), ``y``, the features named by their index in the file, and the merged labels.

    Raises
    ------
    DualSVMError
        A one-line message naming the line: unreadable file, a token that is not
        ``index:value``, a negative or repeated index, a value that is not a finite
        number, ``qid:`` (ranking data), more than two classes without ``--positive``.
    """
    name = source or path
    labels: list[str] = []
    cols: list[int] = []
    vals: list[float] = []
    indptr = [0]
    try:
        with open(path, encoding="utf-8-sig") as fh:
            for lineno, line in enumerate(fh, start=1):
                tokens = line.split("#", 1)[0].split()
                if not tokens:
                    continue
                if "," in tokens[0] or (len(tokens) == 1 and ":" in tokens[0]):  # a CSV row, or no label
                    raise CLIError(f"{name} line {lineno}: not svmlight format (label index:value ...), got "
                                   f"{line.strip()[:60]!r}; a CSV file goes with --csv FILE --label COLUMN")
                labels.append(tokens[0])
                seen: set[int] = set()
                for tok in tokens[1:]:
                    idx, sep, val = tok.partition(":")
                    if idx == "qid":
                        raise CLIError(f"{name} line {lineno}: 'qid:' is ranking data; the SVM here classifies")
                    try:
                        j = int(idx)
                    except ValueError:
                        j = -1
                    if not sep or j < 0:
                        raise CLIError(f"{name} line {lineno}: {tok!r} is not index:value with an integer index >= 0")
                    try:
                        v = float(val)
                    except ValueError:
                        v = math.nan
                    if not math.isfinite(v):
                        raise CLIError(f"{name} line {lineno}: the value of feature {j} is not a finite number ({val!r})")
                    if j in seen:
                        raise CLIError(f"{name} line {lineno}: feature {j} is given twice")
                    seen.add(j)
                    cols.append(j)
                    vals.append(v)
                indptr.append(len(cols))
    except OSError as exc:
        raise CLIError(f"cannot read --svmlight {path!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CLIError(f"--svmlight {path!r} is not a UTF-8 text file") from None
    if len(labels) < 2:
        raise CLIError(f"--svmlight {name} needs at least two data rows, got {len(labels)}")
    col = np.array(cols, dtype=np.int64)
    base = 1 if col.size and col.min() > 0 else 0  # 1-based, as LIBSVM writes it, unless an index is 0
    col -= base
    d = int(col.max()) + 1 if col.size else 1
    X = sp.csr_array((np.array(vals, dtype=np.float64), col, np.array(indptr, dtype=np.int64)), shape=(len(labels), d))
    y, rest = _two_classes(labels, positive, name, "the labels")
    return CSVData(X, y, [str(j + base) for j in range(d)], "(first field)", name, rest)  # features named by index


def _data(args: argparse.Namespace) -> CSVData:
    if getattr(args, "svmlight", None) is not None:
        given = [opt for opt, v in (("--csv", args.csv), ("--label", args.label), ("--drop", args.drop),
                                    ("--weight-column", getattr(args, "weight_column", None)),
                                    ("--standardize", args.standardize)) if v]
        if given:
            why = ("centring would make every entry non-zero; scale the rows instead (e.g. tf-idf of unit norm)"
                   if given[0] == "--standardize" else "the label is each line's first field and every other "
                   "field a feature")
            raise CLIError(f"--svmlight does not take {given[0]}: {why}")
        return load_svmlight(args.svmlight, positive=args.positive)
    if args.csv is None:
        if args.label is not None:
            raise CLIError("--label needs --csv FILE")
        ref = resources.files("dualsvm") / "data" / "iris_versicolor_virginica.csv"
        with resources.as_file(ref) as path:
            data = load_csv(str(path), "species", drop=args.drop or (), positive=args.positive, source=BUILTIN,
                            weight=getattr(args, "weight_column", None))
    else:
        if args.label is None:
            raise CLIError("--csv needs --label COLUMN naming the label column")
        data = load_csv(args.csv, args.label, drop=args.drop or (), positive=args.positive,
                        weight=getattr(args, "weight_column", None))
    if args.standardize:
        data.X, data.standardized = standardize(data.X, data.sample_weight), True
    return data


def _problem(args: argparse.Namespace) -> tuple[SVMProblem, CSVData]:
    data = _data(args)
    data.class_weight = getattr(args, "class_weight", None)
    kernel = {k: getattr(args, k) for k in ("kernel", "gamma", "degree", "coef0") if hasattr(args, k)}
    return SVMProblem(data.X, data.y, C=args.C, sample_weight=data.sample_weight, class_weight=data.class_weight,
                      **kernel), data


def _classes_text(problem: SVMProblem, data: CSVData) -> str:
    neg, pos = (str(c) for c in problem.classes)
    neg_text = f"{neg!r} ({', '.join(data.rest)})" if data.rest else repr(neg)
    return f"classes: -1 = {neg_text}, +1 = {pos!r}"


def _data_text(problem: SVMProblem, data: CSVData) -> str:
    std = " (standardized)" if data.standardized else ""
    weights = "".join([f"; weights: column {data.weight_column!r}" if data.weight_column else "",
                       f"; class_weight: {data.class_weight}" if data.class_weight else ""])
    kf = problem.kernel_factor
    kernel = "" if kf is None else (
        f"\nkernel: {kf.kernel} (gamma {kf.gamma:.6g}, degree {kf.degree}, coef0 {kf.coef0:g}); solved on a pivoted "
        f"Cholesky factor of rank {kf.rank}, residual trace {kf.residual_trace:.2g} (w is in the factor's coordinates)")
    return (f"data: {data.source}, {problem.n} rows; label: {data.label!r}; "
            f"features{std}: {_shown(data.features)}{weights}\n{_classes_text(problem, data)}{kernel}")


def _data_dict(problem: SVMProblem, data: CSVData) -> dict[str, Any]:
    neg, pos = (str(c) for c in problem.classes)
    return {"source": data.source, "label": data.label, "features": list(data.features),
            "classes": {"-1": neg, "+1": pos}, "rest": list(data.rest), "dropped": list(data.dropped),
            "standardized": data.standardized, "weight_column": data.weight_column,
            "class_weight": data.class_weight,
            "kernel": None if problem.kernel_factor is None else {
                "kernel": problem.kernel_factor.kernel, "gamma": problem.kernel_factor.gamma,
                "degree": problem.kernel_factor.degree, "coef0": problem.kernel_factor.coef0,
                "rank": problem.kernel_factor.rank, "residual_trace": problem.kernel_factor.residual_trace}}


# -- commands ------------------------------------------------------------------
def _target_gap(args: argparse.Namespace) -> float | None:
    """--target-gap, or the deprecated --tol (said once on stderr)."""
    if args.tol is not None:
        print("dualsvm: --tol is deprecated; use --target-gap", file=sys.stderr)
        return args.tol if args.target_gap is None else args.target_gap
    return args.target_gap


def _budgets(args: argparse.Namespace, method: str) -> dict[str, Any]:
    """--max-iter and --time-limit as the keywords ``method`` takes, plus a progress bar on a terminal."""
    kw: dict[str, Any] = {}
    takes = inspect.signature(METHODS[method]).parameters if method in METHODS else {}  # compare names the unknown
    if args.max_iter is not None:
        kw["max_iter"] = args.max_iter
    if args.time_limit is not None:
        if "max_time" not in takes and method not in FIRST_ORDER:
            raise DualSVMError(f"--time-limit: {method} takes no time budget (it stops within --max-iter iterations)")
        kw["max_time"] = args.time_limit
    if method in FIRST_ORDER and not args.quiet and not args.json and sys.stderr.isatty():
        kw["progress"] = _progress_bar(method, args.max_iter)
    return kw


def _progress_bar(method: str, max_iter: int | None) -> Any:
    """A tqdm bar on stderr: iteration, certified gap, elapsed time (tqdm: a well-kept, tiny progress library)."""
    from tqdm import tqdm

    bars: list[Any] = []  # made at the first report, so that it starts after "running ..."

    def update(info: dict[str, Any]) -> None:
        if not bars:
            bars.append(tqdm(total=max_iter, desc=method, unit="it", file=sys.stderr, mininterval=0.2, leave=False))
        bar = bars[0]
        bar.update(info["iteration"] - bar.n)
        bar.set_postfix_str(f"certified gap {info['relative_gap']:.1e}", refresh=False)
        if info.get("done"):
            bar.close()

    return update


def _cmd_solve(args: argparse.Namespace) -> int:
    problem, data = _problem(args)
    keyword, default, _ = SOLVE_METHODS[args.method]
    target = _target_gap(args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported through the status below
        sol = METHODS[args.method](problem, **{keyword: default if target is None else target},
                                   **_budgets(args, args.method))
    if args.json:
        print(json.dumps({"data": _data_dict(problem, data), **sol.to_dict()}, indent=2))
    else:
        print(_data_text(problem, data))
        print(problem)
        print(sol)
    return 0 if sol.success else 1


def _cmd_compare(args: argparse.Namespace) -> int:
    from .comparison import compare

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    problem, data = _problem(args)
    progress = None
    if sys.stderr.isatty() and not args.json and not args.quiet:
        def progress(msg: str) -> None:
            print(msg, file=sys.stderr, flush=True)
    options = {m: _budgets(args, m) for m in methods}
    result = compare(problem, methods=methods, target_gap=_target_gap(args), options=options,
                     progress=progress, strict=False)
    if args.json:
        print(json.dumps({"data": _data_dict(problem, data), **result.to_dict()}, indent=2))
    else:
        print(_data_text(problem, data), end="\n\n")
        print(result)
    if result.verdict == "DISAGREE":
        print(f"dualsvm compare: CERTIFICATE VIOLATION: {result.summary}", file=sys.stderr)
    return VERDICTS[result.verdict]


def _cmd_figures(args: argparse.Namespace) -> int:
    from .figures import load

    for name in args.only or FIGURE_NAMES:
        print(load(name).main(args.out, args.format))
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.svm import SVC, LinearSVC

    from .conventions import sgd_alpha_from_C
    from .sklearn import certify_estimator

    problem, data = _problem(args)
    X, y, C, n = problem.X, problem.y, problem.C, problem.n
    estimators = [
        SVC(kernel="linear", C=C, tol=1e-8),
        LinearSVC(C=C, tol=1e-8, max_iter=100_000),
        LinearSVC(C=C, loss="hinge", intercept_scaling=100.0, tol=1e-10, max_iter=1_000_000),
        SGDClassifier(loss="hinge", alpha=sgd_alpha_from_C(C, n), max_iter=1000, tol=None, random_state=0),
        LogisticRegression(C=C, tol=1e-10, max_iter=10_000),
        SVC(kernel="rbf", C=C, tol=1e-8),  # another problem (the rbf kernel's), certified in its RKHS
    ]
    reports = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # liblinear / SGD convergence chatter; the certificate is the judge
        for est in estimators:
            reports.append((est, certify_estimator(est.fit(X, y), X, y)))
    if args.json:
        print(json.dumps({"data": _data_dict(problem, data),
                          "estimators": [{"params": repr(e), **r.to_dict()} for e, r in reports]}, indent=2))
        return 0
    print(f"{_data_text(problem, data)}\n{problem}\n"
          f"reference optimum P* = {reports[0][1].reference.primal_objective:.10g} (dualsvm.solve_dual)\n")
    for est, r in reports:
        if r.kernel is not None:
            numbers = (f"rel.gap: {r.relative_gap:.1e}   |f - f*|_H = {r.distance:.3g} (certified <= {r.bound:.3g})   "
                       f"support vectors: {len(est.support_)}")
        elif r.certificate is None:
            numbers = f"rel.gap: -   |w - w*| = {r.distance:.3g}"
        else:
            numbers = (f"rel.gap: {r.relative_gap:.1e}   |w - w*| = {r.distance:.3g} (certified <= {r.bound:.3g})   "
                       f"support vectors implied: {r.certificate.support.size}")
        print(f"{est!r}\n  solves:  {r.problem_solved}\n  {numbers}\n  verdict: {r.verdict}\n")
    return 0


def _cmd_relu(args: argparse.Namespace) -> int:
    from .question import answer

    problem, data = _problem(args)
    ans = answer(problem.X, problem.y, C=problem.C, seed=args.seed)
    if args.json:
        print(json.dumps({"data": _data_dict(problem, data), "rows": ans.rows, "svm_radius": ans.svm.radius,
                          "n_svm_zero_alpha": ans.n_svm_zero_alpha,
                          "n_logistic_zero_weight": ans.n_logistic_zero_weight}, indent=2))
    else:
        print(ans)  # it starts with the question and describes the (standardized) data itself
        print(_classes_text(problem, data))
    return 0


# -- the parser ----------------------------------------------------------------
DESCRIPTION = """\
Train a linear support vector machine (the soft-margin SVM: hinge loss, bias
not regularized) and prove how good the answer is. Every answer comes with a
certificate: a duality gap that bounds how far its objective can be from the
best possible one, and a radius around w that must contain the exact optimum.

Without --csv, commands use the built-in data: Fisher's iris flowers,
versicolor (-1) against virginica (+1), 100 rows and 4 features.
"""

EPILOG = """\
exit codes:
  0  success (compare: the verdict AGREE)
  1  compare: DISAGREE, a certificate is wrong; solve: the solver stopped
     before its target
  2  bad input (one line on stderr, no traceback)
  3  compare: INCONCLUSIVE, a method missed its target (budget or accuracy)

examples:
  dualsvm compare
  dualsvm solve --csv data.csv --label y --standardize -C 10
  dualsvm compare --csv iris.csv --label species --positive setosa --json

Run 'dualsvm COMMAND --help' for a command's options and examples.
"""

_COMMANDS: dict[str, dict[str, str]] = {
    "solve": {
        "help": "solve with one method and print its certificate",
        "description": """\
Solve the SVM with one method and print the answer (w, b) with its
certificate: the primal and dual objectives, the relative duality gap (an
upper bound on how far from optimal the answer is), the radius around w that
contains the exact optimum, the interval of optimal b, and which points are
support vectors.""",
        "epilog": """\
exit codes:
  0  the certified gap reached --target-gap
  1  the solver stopped before --target-gap, or a budget (--max-iter,
     --time-limit) stopped it (the answer and its certificate are still
     printed; the status line says why)
  2  bad input

examples:
  dualsvm solve
  dualsvm solve --method subgradient --target-gap 1e-3 --time-limit 10
  dualsvm solve --csv data.csv --label y --drop id --standardize --json
""",
    },
    "compare": {
        "help": "solve several ways, cross-certify, report whether the answers agree",
        "description": """\
Solve the same problem with several methods, certify every answer against the
best lower bound any of them found, and check that they agree: for each pair,
the distance between the two w's must stay within the sum of their certified
radii. Prints one row per method, one per pair, and a verdict: AGREE (every
method met its own target and every certified bound holds), INCONCLUSIVE (a
method missed its target, so a bound it satisfies proves little; it is named
with its certified gap) or DISAGREE (a certified bound is violated: a bug).""",
        "epilog": """\
exit codes:
  0  AGREE
  1  DISAGREE: a certificate was violated (a bug; said on stderr)
  2  bad input
  3  INCONCLUSIVE: a method missed its target (budget or accuracy)

examples:
  dualsvm compare
  dualsvm compare --methods dual,subgradient --target-gap 1e-3 -C 0.5
  dualsvm compare --csv data.csv --label y --standardize --max-iter 20000 --time-limit 30
  dualsvm compare --csv wine.csv --label class --positive 1 --standardize
""",
    },
    "explain-sklearn": {
        "help": "certify SVC, LinearSVC, SGDClassifier and LogisticRegression side by side",
        "description": """\
Fit scikit-learn's SVC(kernel='linear'), LinearSVC (squared hinge and hinge),
SGDClassifier(loss='hinge') and LogisticRegression on the data, each with the
C matched to its own conventions; certify each answer against the SVM, and say
which problem each estimator really solves. Needs scikit-learn:
pip install 'dualsvm[sklearn]'.""",
        "epilog": """\
exit codes:
  0  success
  2  bad input, or scikit-learn is not installed

example:
  dualsvm explain-sklearn -C 10
""",
    },
    "relu": {
        "help": "is a one-layer ReLU network an SVM? train the variants and print the answer",
        "description": """\
Is a one-layer network with a ReLU output an SVM? Train one-layer networks
(linear, sigmoid and ReLU outputs with the hinge, logistic, squared and
cross-entropy losses) on the standardized data with the same C, and compare
each with the certified SVM.""",
        "epilog": """\
exit codes:
  0  success
  2  bad input

example:
  dualsvm relu --seed 1
""",
    },
    "figures": {
        "help": "redraw the figure gallery (Agg backend, fixed seeds)",
        "description": """\
Redraw the figure gallery, one file per figure, from fixed seeds with
matplotlib's Agg backend, so that the files do not change from run to run.
Prints the path of each file written.""",
        "epilog": """\
exit codes:
  0  success
  2  bad input, or the output folder cannot be written

example:
  dualsvm figures --out docs/gallery --only boundaries dual_box --format svg
""",
    },
}


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr (exit 2), pointing to --help instead of printing the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30)


def _add_data_args(p: argparse.ArgumentParser, weights: bool = True, sparse: bool = True) -> None:
    """The data options; ``weights=False`` for commands whose models are fitted unweighted, ``sparse=False``
    for those that need dense features (no ``--svmlight``)."""
    g = p.add_argument_group("data (default: the built-in iris data)")
    g.add_argument("--csv", metavar="FILE",
                   help="CSV file with a header row; every column except --label and --drop is a feature")
    if sparse:
        g.add_argument("--svmlight", metavar="FILE",
                       help="sparse data in the svmlight/LIBSVM format ('label index:value ...' per line, "
                            "1-based indices), solved sparse (e.g. text); --positive applies, --label, --drop"
                            + (", --weight-column" if weights else "") + " and --standardize do not")
    g.add_argument("--label", metavar="COLUMN", help="name of the label column in --csv")
    g.add_argument("--drop", metavar="COLUMN", action="append",
                   help="leave out this column, e.g. a name or a date (repeat for several)")
    g.add_argument("--positive", metavar="LABEL",
                   help="LABEL is +1 and every other class -1, named '(rest)' (for data with more than two classes)")
    if weights:
        _add_weight_args(g)
    g.add_argument("--standardize", action="store_true",
                   help="z-score every feature (subtract the mean, divide by the standard deviation"
                        + ("; weighted by --weight-column" if weights else "")
                        + "); recommended for unscaled data: C and the tolerances assume features of order 1")
    p.add_argument("-C", "--C", dest="C", type=float, default=1.0, metavar="C",
                   help="penalty C > 0 on the hinge losses (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print a machine-readable JSON report instead of text")


def _add_kernel_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("kernel (default: linear)")
    g.add_argument("--kernel", choices=("linear", "rbf", "poly", "sigmoid"), default="linear",
                   help="kernel, as scikit-learn's SVC; any but linear is solved on a pivoted Cholesky factor "
                        "and certified in the kernel's RKHS")
    g.add_argument("--gamma", type=_gamma, default="scale",
                   help="'scale' (1 / (n_features * X.var()), the default), 'auto' (1 / n_features) or a number > 0")
    g.add_argument("--degree", type=int, default=3, help="degree of the poly kernel (default: %(default)s)")
    g.add_argument("--coef0", type=float, default=0.0, help="constant of the poly and sigmoid kernels (default: %(default)s)")


def _gamma(text: str) -> str | float:
    if text in ("scale", "auto"):
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be 'scale', 'auto' or a number > 0, got {text}") from None


def _add_weight_args(g: Any) -> None:
    g.add_argument("--weight-column", metavar="COLUMN",
                   help="a column of per-row weights >= 0 (sample_weight: each row's C is multiplied by it; "
                        "weight k is the row repeated k times); not a feature")
    g.add_argument("--class-weight", choices=("balanced",), default=None,
                   help="'balanced': multiply each class's C by n / (2 * rows of the class), as scikit-learn")


def _add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tol", type=_relative_gap, default=None, help="deprecated alias of --target-gap")
    p.add_argument("--max-iter", type=_positive_int, default=None, metavar="N",
                   help="iteration budget of every method (default: each method's own): steps of the "
                        "first-order methods, Newton steps of ipm, OSQP iterations per round of dual, Clarabel's "
                        "or SCS's iterations of primal; the exact working-set refinement that may follow dual or primal "
                        "has its own bounded loop and is not counted")
    p.add_argument("--time-limit", type=_positive_float, default=None, metavar="SECONDS",
                   help="wall-clock budget of every method (default: none)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr (it shows only on a terminal)")


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return v


def _relative_gap(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a relative gap in (0, 1), got {text}") from None
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"must be a relative gap in (0, 1), got {text}")
    return v


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {text}") from None
    if not (v > 0 and math.isfinite(v)):
        raise argparse.ArgumentTypeError(f"must be a number of seconds > 0, got {text}")
    return v


def _parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = _Parser(prog="dualsvm", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=_Formatter, allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cmds = {name: sub.add_parser(name, formatter_class=_Formatter, allow_abbrev=False, **text)
            for name, text in _COMMANDS.items()}

    p = cmds["solve"]
    _add_data_args(p)
    p.add_argument("--method", choices=list(SOLVE_METHODS), default="ipm",  # the fastest exact one, as DualSVC
                   help="the solver, one of the methods listed below (default: %(default)s)")
    tols = ", ".join(f"{_num(v[1])} for {k}" for k, v in SOLVE_METHODS.items())
    p.add_argument("--target-gap", type=_relative_gap, default=None, metavar="GAP",
                   help=f"target certified relative duality gap (default: {tols})")
    _add_run_args(p)
    _add_kernel_args(p)
    p.epilog = "methods:\n" + "".join(f"  {k:<12} {v[2]}\n" for k, v in SOLVE_METHODS.items()) + "\n" + p.epilog
    p.set_defaults(func=_cmd_solve)

    p = cmds["compare"]
    _add_data_args(p)
    p.add_argument("--methods", default="primal,dual,subgradient", metavar="M1,M2,...",
                   help=f"comma-separated, from {', '.join(METHODS)} (default: %(default)s)")
    p.add_argument("--target-gap", type=_relative_gap, default=None, metavar="GAP",
                   help="target certified relative gap of the subgradient methods; the QP methods aim at 1e-8 "
                        "(default: 1e-4 for subgradient, 1e-2 for stochastic)")
    _add_run_args(p)
    _add_kernel_args(p)
    p.set_defaults(func=_cmd_compare)

    p = cmds["explain-sklearn"]
    _add_data_args(p, weights=False)
    p.set_defaults(func=_cmd_explain)

    p = cmds["relu"]
    _add_data_args(p, weights=False, sparse=False)  # the network is trained on dense features
    p.add_argument("--seed", type=int, default=0, help="seed of the initial weights (default: %(default)s)")
    p.set_defaults(func=_cmd_relu)

    p = cmds["figures"]
    p.add_argument("--out", default="gallery", metavar="DIR", help="output folder (default: ./%(default)s)")
    p.add_argument("--only", nargs="+", metavar="NAME", choices=FIGURE_NAMES, type=_figure_name,
                   help=f"only these figures, from: {', '.join(FIGURE_NAMES)} (default: all)")
    p.add_argument("--format", choices=("png", "pdf", "svg"), default="png",
                   help="file format: png, pdf or svg (default: %(default)s)")
    p.set_defaults(func=_cmd_figures)
    return parser, cmds


def _figure_name(name: str) -> str:
    if name not in FIGURE_NAMES:
        raise argparse.ArgumentTypeError(f"{name!r} is not a figure; choose from {', '.join(FIGURE_NAMES)}")
    return name


def build_parser() -> argparse.ArgumentParser:
    """The ``dualsvm`` argument parser (no abbreviations: ``--c`` is not ``--csv``)."""
    return _parsers()[0]


def _unrecognized(parser: argparse.ArgumentParser, extras: list[str]) -> str:
    """argparse's "unrecognized arguments" plus a did-you-mean for options in the wrong case or abbreviated."""
    options = [o for a in parser._actions for o in a.option_strings]
    hints = []
    for arg in extras:
        flag = arg.split("=", 1)[0]
        if not flag.startswith("-") or flag in options:
            continue
        close = ([o for o in options if o.lower() == flag.lower()]
                 or [o for o in options if o.startswith(flag)]
                 or difflib.get_close_matches(flag, options, n=2))
        if close:
            hints.append(f"{flag}: did you mean {' or '.join(close)}?")
    msg = f"unrecognized arguments: {' '.join(extras)}"
    if hints:
        msg += f" ({'; '.join(hints)} Options are case-sensitive and never abbreviated.)"
    return msg


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``dualsvm`` console script; returns the exit code."""
    try:
        return _main(argv)
    except BrokenPipeError:  # dualsvm ... | head: stop quietly, as other command-line tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that the interpreter's final flush does not fail again
        return 141
    except KeyboardInterrupt:
        print("dualsvm: interrupted", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    parser, cmds = _parsers()
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            p = cmds.get(getattr(args, "command", None) or "", parser)
            p.error(_unrecognized(p, extras))
    except SystemExit as exc:  # --help, --version, or a usage error (argparse printed it)
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    try:
        code: Any = args.func(args)
    except CertificateViolation as exc:
        print(f"dualsvm {args.command}: CERTIFICATE VIOLATION: {exc}", file=sys.stderr)
        return 1
    except ImportError as exc:  # explain-sklearn needs the optional scikit-learn
        print(f"dualsvm {args.command}: error: {exc.name or exc} is not installed; pip install 'dualsvm[sklearn]'",
              file=sys.stderr)
        return 2
    except DualSVMError as exc:
        print(f"dualsvm {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except (BrokenPipeError, KeyboardInterrupt):
        raise
    except OSError as exc:  # e.g. figures --out in a folder that cannot be written
        where = f": {exc.filename}" if exc.filename else ""
        print(f"dualsvm {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    return int(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
