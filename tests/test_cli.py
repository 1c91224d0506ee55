"""The command line: output, exit codes and error paths."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from dualsvm.cli import main


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_compare_on_builtin_data(capsys):
    code, out, err = run(["compare"], capsys)
    assert code == 0
    assert "n=100, d=4, C=1" in out and "AGREE" in out
    for m in ("primal", "dual", "subgradient"):
        assert m in out
    assert "Traceback" not in err


def test_compare_json(capsys):
    code, out, _ = run(["compare", "--json", "--methods", "dual,subgradient", "--tol", "1e-3", "--C", "0.5"], capsys)
    assert code == 0
    d = json.loads(out)
    assert d["agree"] is True and set(d["methods"]) == {"dual", "subgradient"}
    assert d["problem"]["C"] == 0.5
    assert d["methods"]["subgradient"]["self_certified_gap"] <= 1e-3


def test_compare_user_csv(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.where(X[:, 0] + 0.3 * rng.normal(size=40) > 0, "yes", "no")
    f = tmp_path / "data.csv"
    f.write_text("a,label,b\n" + "\n".join(f"{x0},{lab},{x1}" for (x0, x1), lab in zip(X, y, strict=True)) + "\n")
    code, out, _ = run(["compare", "--csv", str(f), "--label", "label"], capsys)
    assert code == 0 and "n=40, d=2" in out


@pytest.mark.parametrize(
    ("content", "args", "match"),
    [
        (None, ["--label", "y"], "cannot read --csv"),
        ("a,b,y\n1,2,0\n3,4,1\n", ["--label", "nope"], "--label 'nope' is not a column"),
        ("a,b,y\n1,2,0\n3,x,1\n", ["--label", "y"], "non-numeric feature"),
        ("a,b,y\n1,2,0\n3,4\n", ["--label", "y"], "expected 3 fields, got 2"),
        ("a,b,y\n1,2,0\n3,4,0\n", ["--label", "y"], "exactly two distinct labels (classes), got 1"),
        ("a,b,y\n1,2,0\nnan,4,1\n", ["--label", "y"], "X must be finite"),
        ("a,b,y\n", ["--label", "y"], "needs a header row and at least one data row"),
        ("a,b,y\n1,2,0\n3,4,1\n", [], "--csv needs --label"),
        ("a,b,y\n1,2,0\n3,4,1\n", ["--label", "y", "--C", "-1"], "C must be finite and > 0"),
        ("a,b,y\n1,2,0\n3,4,1\n", ["--label", "y", "--methods", "dual,magic"], "methods must be distinct names"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, content, args, match):
    f = tmp_path / "d.csv"
    if content is not None:
        f.write_text(content)
    code, out, err = run(["compare", "--csv", str(f), *args], capsys)
    assert code == 2
    assert match in err and err.count("\n") == 1 and "Traceback" not in err


def test_solve_command(capsys):
    code, out, _ = run(["solve", "--method", "primal"], capsys)
    assert code == 0 and "method: primal" in out and "status: optimal" in out


def test_console_script_entry_point():
    r = subprocess.run([sys.executable, "-m", "dualsvm.cli", "compare", "--methods", "dual", "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["agree"] is True


def test_violation_exits_1(overconfident_certify, capsys):
    code, _, err = run(["compare", "--methods", "dual,subgradient"], capsys)
    assert code == 1 and "CERTIFICATE VIOLATION" in err


def test_explain_sklearn(capsys):
    code, out, _ = run(["explain-sklearn"], capsys)
    assert code == 0
    for name in ("SVC", "LinearSVC", "SGDClassifier", "LogisticRegression", "squared hinge", "different loss"):
        assert name in out
