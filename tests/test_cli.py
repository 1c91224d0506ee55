"""The command line: help, options, data preparation, output, exit codes and error paths (issue 11)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import dualsvm as ds
from dualsvm.cli import SOLVE_METHODS, load_csv, main
from dualsvm.comparison import METHODS
from dualsvm.datasets import load_iris_pair, standardize
from dualsvm.figures import NAMES as FIGURE_NAMES

COMMANDS = ("solve", "compare", "explain-sklearn", "relu", "figures")


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def write_csv(path: Path, header, rows) -> Path:
    path.write_text(",".join(header) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return path


@pytest.fixture
def three_classes(tmp_path) -> tuple[Path, np.ndarray, np.ndarray]:
    """60 rows: a text column, two features on very different scales, three classes a/b/c (20 each)."""
    rng = np.random.default_rng(7)
    labels = np.repeat(np.array(["a", "b", "c"]), 20)
    centre = {"a": (0.0, 0.0), "b": (3.0, 0.0), "c": (0.0, 3.0)}
    X = np.array([centre[c] for c in labels]) + rng.normal(size=(60, 2))
    X = X * np.array([1000.0, 0.001])  # unscaled: grams and kilometres
    rows = [(f"s{i}", repr(float(x0)), repr(float(x1)), lab) for i, ((x0, x1), lab) in enumerate(zip(X, labels, strict=True))]
    return write_csv(tmp_path / "three.csv", ["name", "mass", "size", "kind"], rows), X, labels


# -- 1. help ---------------------------------------------------------------------
def test_top_level_help_is_plain_words_with_exit_codes(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    assert "``" not in out and "The ``dualsvm`` command line" not in out
    assert "certificate" in out and "built-in data" in out
    assert "exit codes:\n  0  success" in out and "\n  2  bad input" in out and "examples:\n  dualsvm compare" in out
    for cmd in COMMANDS:
        assert f"\n    {cmd}" in out


@pytest.mark.parametrize("cmd", COMMANDS)
def test_every_command_has_a_description_exit_codes_and_an_example(cmd, capsys):
    code, out, _ = run([cmd, "--help"], capsys)
    assert code == 0
    usage, description = out.split("\n\n")[:2]
    assert usage.startswith(f"usage: dualsvm {cmd}")
    assert len(description.split()) >= 20 and "``" not in description  # a paragraph in plain words
    assert "exit codes:\n  0  " in out and "\n  2  bad input" in out
    assert f"\n  dualsvm {cmd}" in out.split("exit codes:")[1]  # an example after the exit codes


def test_figures_help_lists_the_names_and_the_format_default(capsys):
    _, out, _ = run(["figures", "--help"], capsys)
    flat = " ".join(out.split())
    for name in FIGURE_NAMES:
        assert name in flat
    assert "(default: png)" in flat
    code, _, err = run(["figures", "--only", "nope"], capsys)
    assert code == 2 and "'nope' is not a figure; choose from boundaries" in err


def test_version(capsys):
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out == f"dualsvm {ds.__version__}\n"


# -- 2. no prefix matching; -C and --C ---------------------------------------------
def test_lowercase_c_is_not_taken_as_csv(capsys):
    code, out, err = run(["compare", "--c", "2"], capsys)
    assert code == 2 and out == ""
    assert "unrecognized arguments: --c 2" in err and "did you mean --C?" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["compare", "--cs", "x.csv"], "did you mean --csv?"),
        (["solve", "--stand"], "did you mean --standardize?"),
        (["solve", "--meth", "primal"], "did you mean --method"),
        (["figures", "--form", "svg"], "did you mean --format?"),
        (["relu", "--see", "1"], "did you mean --seed?"),
        (["--vers", "compare"], "unrecognized arguments: --vers"),
    ],
)
def test_abbreviations_are_rejected_everywhere(argv, hint, capsys):
    code, _, err = run(argv, capsys)
    assert code == 2 and "unrecognized arguments" in err and hint in err


@pytest.mark.parametrize("flag", ["-C", "--C"])
def test_short_and_long_C(flag, capsys):
    code, out, _ = run(["compare", "--methods", "dual", "--json", flag, "2.5"], capsys)
    assert code == 0 and json.loads(out)["problem"]["C"] == 2.5


# -- 3. solve --method ---------------------------------------------------------------
def test_solve_offers_every_method_from_one_table(capsys):
    assert set(SOLVE_METHODS) == set(METHODS)  # a solver added to comparison.METHODS needs its line in SOLVE_METHODS
    _, out, _ = run(["solve", "--help"], capsys)
    assert "{" + ",".join(SOLVE_METHODS) + "}" in " ".join(out.split())
    assert "(default: ipm)" in out
    for name, (_, _, text) in SOLVE_METHODS.items():
        assert f"  {name}" in out and text in " ".join(out.split())
    code, js, _ = run(["solve", "--json"], capsys)  # the fastest exact method, as DualSVC's default
    assert code == 0 and json.loads(js)["method"] == "ipm"


def test_solve_command(capsys):
    code, out, _ = run(["solve", "--method", "primal"], capsys)
    assert code == 0 and "method: primal" in out and "status: optimal" in out


def test_solve_subgradient_uses_its_own_default_tolerance(capsys):
    code, out, _ = run(["solve", "--method", "subgradient", "--json"], capsys)
    d = json.loads(out)
    assert code == 0 and d["method"] == "subgradient" and d["success"] is True
    assert 1e-6 < d["relative_gap"] <= 1e-4  # its default 1e-4, not the QP methods' 1e-8
    code, out, _ = run(["solve", "--method", "subgradient", "--target-gap", "1e-2", "--json"], capsys)
    assert code == 0 and json.loads(out)["relative_gap"] <= 1e-2


# -- 4. data preparation -------------------------------------------------------------
def test_positive_drop_and_standardize(three_classes, capsys):
    path, X, labels = three_classes
    code, out, _ = run(["solve", "--csv", str(path), "--label", "kind", "--drop", "name", "--positive", "c",
                        "--standardize", "--json"], capsys)
    assert code == 0
    d = json.loads(out)
    assert d["data"]["features"] == ["mass", "size"] and d["data"]["dropped"] == ["name"]
    assert d["data"]["classes"] == {"-1": "(rest)", "+1": "c"} and d["data"]["rest"] == ["a", "b"]
    assert d["data"]["standardized"] is True
    # the same problem through the Python API: standardized X, c against the rest
    ref = ds.solve_dual(ds.SVMProblem(standardize(X), np.where(labels == "c", 1, -1)))
    np.testing.assert_allclose(d["w"], ref.w, atol=1e-6)
    assert d["b"] == pytest.approx(ref.b, abs=1e-6)


def test_standardize_changes_the_problem(three_classes, capsys):
    path, X, labels = three_classes
    base = ["solve", "--csv", str(path), "--label", "kind", "--drop", "name", "--positive", "b", "--json"]
    _, raw, _ = run(base, capsys)
    _, std, _ = run([*base, "--standardize"], capsys)
    raw, std = json.loads(raw), json.loads(std)
    y = np.where(labels == "b", 1, -1)
    np.testing.assert_allclose(raw["w"], ds.solve_dual(ds.SVMProblem(X, y)).w, rtol=1e-5, atol=1e-9)
    assert raw["data"]["standardized"] is False and not np.allclose(raw["w"], std["w"])


@pytest.mark.parametrize("positive", ["Apple", "1", "#1", "zebra"])
def test_positive_label_is_plus_one_whatever_it_sorts_like(tmp_path, capsys, positive):
    others = ["pear", "0", "2", "Zulu"]
    f = write_csv(tmp_path / "d.csv", ["x", "y"], [(0, positive), (1, positive), *((3 + k, o) for k, o in enumerate(others))])
    code, out, _ = run(["solve", "--csv", str(f), "--label", "y", "--positive", positive, "--json"], capsys)
    assert code == 0
    d = json.loads(out)
    assert d["data"]["classes"]["+1"] == positive and d["data"]["classes"]["-1"].strip() == "(rest)"
    assert d["w"][0] < 0  # the positive rows have the smallest x


def test_builtin_data_takes_the_same_flags(capsys):
    code, out, _ = run(["solve", "--drop", "sepal_width", "--positive", "versicolor", "--json"], capsys)
    d = json.loads(out)
    assert code == 0 and d["data"]["features"] == ["sepal_length", "petal_length", "petal_width"]
    assert d["data"]["classes"] == {"-1": "(rest)", "+1": "versicolor"} and d["data"]["rest"] == ["virginica"]


# -- 5. CSV errors -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "args", "match"),
    [
        (None, ["--label", "y"], "cannot read --csv"),
        ("a,b,y\n1,2,0\n3,4,1\n", ["--label", "nope"], "--label 'nope' is not a column of .*d.csv; columns: a, b, y"),
        ("a,b,y\n1,2,0\n3,x,1\n", ["--label", "y"], r"column 'b' is not numeric \(line 3: 'x'\); leave it out with --drop b"),
        ("n,b,y\nann,2,0\nbob,4,1\n", ["--label", "y"], "column 'n' is not numeric .*--drop n"),
        ("a,b,y\n1,2,0\n3,4\n", ["--label", "y"], "line 3: expected 3 fields .*got 2"),
        ("a,b,y\n1,2,0\n3,4,0\n", ["--label", "y"], "column 'y' has only one class"),
        ("a,b,y\n1,2,0\nnan,4,1\n", ["--label", "y"], r"line 3, column 'a' has no value \('nan'\)"),
        ("a,b,y\n1,2,0\n3,,1\n", ["--label", "y"], "line 3, column 'b' is empty.*--drop b"),
        ("a,b,y\n1,2,0\n\n\n3,4,1\n5,,0\n", ["--label", "y"], "line 6, column 'b' is empty"),  # blank lines counted
        ("a,b,y\n1,2,0\n3,inf,1\n", ["--label", "y"], "line 3, column 'b' is infinite"),
        ("a,b,y\n1,2,0\n3,4,\n5,6,1\n", ["--label", "y"], r"line 3: the label \(column 'y'\) is empty"),
        ("a,b,y\n1,2,0\n3,4,1\n5,6,2\n", ["--label", "y"],
         "column 'y' has 3 classes .*choose one with --positive LABEL"),
        ("a,b,y\n1,2,0\n3,4,1\n", ["--label", "y", "--positive", "7"], "--positive '7' is not a label in column 'y'"),
        ("a,b,y\n1,2,0\n3,4,1\n", ["--label", "y", "--drop", "c"], "--drop 'c' is not a column"),
        ("a,b,y\n1,2,0\n3,4,1\n", ["--label", "y", "--drop", "y"], "--drop 'y' is the label column"),
        ("a,a,y\n1,2,0\n3,4,1\n", ["--label", "y"], "column names must be distinct; repeated: a"),
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
    assert code == 2 and out == ""
    assert err.startswith("dualsvm compare: error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert __import__("re").search(match, err), err


def test_load_csv_raises_dualsvm_error(tmp_path, three_classes):
    path, _, _ = three_classes
    with pytest.raises(ds.DualSVMError, match="column 'name' is not numeric .*--drop name"):
        load_csv(str(path), "kind")
    with pytest.raises(ds.DualSVMError, match="column 'kind' has 3 classes .*--positive"):
        load_csv(str(path), "kind", drop=["name"])
    f = write_csv(tmp_path / "gap.csv", ["a", "b", "y"], [(1, 2, "p"), (3, "NaN", "q")])
    with pytest.raises(ds.DualSVMError, match=r"gap.csv line 3, column 'b' has no value \('NaN'\)"):
        load_csv(str(f), "y")
    f = write_csv(tmp_path / "nolabel.csv", ["a", "y"], [(1, "p"), (3, " "), (4, "q")])
    with pytest.raises(ds.DualSVMError, match=r"line 3: the label \(column 'y'\) is empty"):
        load_csv(str(f), "y")
    data = load_csv(str(path), "kind", drop=["name"], positive="a")
    assert data.features == ["mass", "size"] and data.rest == ["b", "c"] and sorted(set(data.y)) == ["(rest)", "a"]


# -- 6. which class is +1 --------------------------------------------------------------
def test_compare_prints_which_class_is_plus_one(capsys):
    code, out, err = run(["compare"], capsys)
    assert code == 0
    assert "classes: -1 = 'versicolor', +1 = 'virginica'" in out
    assert "n=100, d=4, C=1" in out and "AGREE" in out
    for m in ("primal", "dual", "subgradient"):
        assert m in out
    assert "Traceback" not in err


def test_json_names_the_classes_and_features_and_the_sign_is_right(capsys):
    code, out, _ = run(["compare", "--json", "--methods", "dual,subgradient", "--target-gap", "1e-3", "--C", "0.5"], capsys)
    assert code == 0
    d = json.loads(out)
    assert d["agree"] is True and d["verdict"] == "AGREE" and set(d["methods"]) == {"dual", "subgradient"}
    assert d["problem"]["C"] == 0.5
    assert d["methods"]["subgradient"]["self_certified_gap"] <= 1e-3
    assert d["data"]["classes"] == {"-1": "versicolor", "+1": "virginica"}
    assert d["data"]["features"] == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    X, y = load_iris_pair()
    f = X @ np.array(d["methods"]["dual"]["w"]) + d["methods"]["dual"]["b"]
    assert np.mean((f > 0) == (y == d["data"]["classes"]["+1"])) > 0.9  # +1 really is that class


def test_solve_text_names_the_classes(three_classes, capsys):
    path, _, _ = three_classes
    code, out, _ = run(["solve", "--csv", str(path), "--label", "kind", "--drop", "name", "--positive", "b",
                        "--standardize"], capsys)
    assert code == 0
    assert "classes: -1 = '(rest)' (a, c), +1 = 'b'" in out
    assert "features (standardized): mass, size" in out


def test_compare_user_csv(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.where(X[:, 0] + 0.3 * rng.normal(size=40) > 0, "yes", "no")
    f = tmp_path / "data.csv"
    f.write_text("a,label,b\n" + "\n".join(f"{x0},{lab},{x1}" for (x0, x1), lab in zip(X, y, strict=True)) + "\n")
    code, out, _ = run(["compare", "--csv", str(f), "--label", "label"], capsys)
    assert code == 0 and "n=40, d=2" in out and "classes: -1 = 'no', +1 = 'yes'" in out


# -- exit codes, console script ----------------------------------------------------------
def script() -> str:
    path = Path(sys.executable).with_name("dualsvm")
    assert path.exists(), "pip install -e . installs the dualsvm console script next to python"
    return str(path)


def test_console_script(tmp_path):
    """The installed `dualsvm` script: a normal run (exit 0) and a data error (exit 2, one line, no traceback)."""
    r = subprocess.run([script(), "compare", "--methods", "dual", "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["agree"] is True
    bad = write_csv(tmp_path / "bad.csv", ["a", "y"], [(1, 0), ("", 1)])
    r = subprocess.run([script(), "solve", "--csv", str(bad), "--label", "y"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == (f"dualsvm solve: error: {bad} line 3, column 'a' is empty; every feature needs a finite number: "
                        "fill it in, delete the row, or leave the column out with --drop a\n")


def test_closed_stdout_is_not_a_traceback():
    """`dualsvm compare | head -1`: the reader goes away; dualsvm stops quietly."""
    p = subprocess.Popen([script(), "compare", "--methods", "dual"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()
    assert p.wait(timeout=120) == 141
    assert p.stderr.read() == b""
    p.stderr.close()


def test_violation_exits_1(overconfident_certify, capsys):
    code, _, err = run(["compare", "--methods", "dual,subgradient"], capsys)
    assert code == 1 and "CERTIFICATE VIOLATION" in err


def test_unwritable_figure_folder_exits_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(["figures", "--out", str(blocker / "sub"), "--only", "loss_functions"], capsys)
    assert code == 2 and err.startswith("dualsvm figures: error: ") and err.count("\n") == 1


def test_explain_sklearn(capsys):
    code, out, _ = run(["explain-sklearn"], capsys)
    assert code == 0
    assert "classes: -1 = 'versicolor', +1 = 'virginica'" in out
    for name in ("SVC", "LinearSVC", "SGDClassifier", "LogisticRegression", "squared hinge", "different loss", "certified <="):
        assert name in out
    assert "the same problem with kernel='rbf'" in out and "|f - f*|_H" in out


# -- verdicts, budgets, progress -----------------------------------------------------
@pytest.fixture(scope="module")
def breast_cancer_csv(tmp_path_factory) -> Path:
    """scikit-learn's breast cancer data, unscaled (features over 4 orders of magnitude)."""
    datasets = pytest.importorskip("sklearn.datasets")
    d = datasets.load_breast_cancer()
    rows = [[repr(float(v)) for v in x] + [str(t)] for x, t in zip(d.data, d.target, strict=True)]
    header = [n.replace(" ", "_") for n in d.feature_names] + ["label"]
    return write_csv(tmp_path_factory.mktemp("bc") / "bc.csv", header, rows)


def test_compare_exit_code_3_when_a_budget_stops_a_method(breast_cancer_csv, capsys):
    """The audit's case: unscaled data, C = 100; subgradient cannot reach 1e-4 within the budget."""
    code, out, _ = run(["compare", "--csv", str(breast_cancer_csv), "--label", "label", "-C", "100",
                        "--max-iter", "2000", "--json"], capsys)
    d = json.loads(out)
    assert code == 3 and d["verdict"] == "INCONCLUSIVE" and d["agree"] is False
    sg = d["methods"]["subgradient"]
    assert sg["status"] == "max_iter" and sg["met_target"] is False and sg["relative_gap"] > 1e-4
    assert "subgradient (max_iter, certified gap" in d["summary"]
    assert d["methods"]["primal"]["met_target"] and d["methods"]["dual"]["met_target"]


@pytest.mark.slow
def test_compare_exit_code_3_with_default_budgets(breast_cancer_csv, capsys):
    """Default budgets (200 000 iterations, about a minute): still INCONCLUSIVE, never AGREE."""
    code, out, _ = run(["compare", "--csv", str(breast_cancer_csv), "--label", "label", "-C", "100"], capsys)
    assert code == 3 and "INCONCLUSIVE: subgradient (max_iter" in out


def test_compare_exit_code_0_when_every_method_meets_its_target(breast_cancer_csv, capsys):
    code, out, _ = run(["compare", "--csv", str(breast_cancer_csv), "--label", "label", "-C", "1",
                        "--standardize", "--target-gap", "1e-3"], capsys)
    assert code == 0 and "\nAGREE: every method met its target" in out


def test_time_limit_stops_solve_and_says_so(breast_cancer_csv, capsys):
    code, out, _ = run(["solve", "--csv", str(breast_cancer_csv), "--label", "label", "-C", "100",
                        "--method", "subgradient", "--time-limit", "0.2", "--json"], capsys)
    d = json.loads(out)
    assert code == 1 and d["status"] == "max_time" and d["success"] is False


def test_tol_is_a_deprecated_alias_of_target_gap(capsys):
    code, out, err = run(["solve", "--method", "subgradient", "--tol", "1e-2", "--json"], capsys)
    assert code == 0 and "--tol is deprecated; use --target-gap" in err
    assert json.loads(out)["relative_gap"] <= 1e-2


def _run_on_a_terminal(argv: list[str]) -> tuple[int, str]:
    """Run the console script with stderr on a pseudo-terminal; return (exit code, what the terminal showed)."""
    import fcntl
    import os
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new pty is 0 columns wide
    proc = subprocess.Popen([sys.executable, "-m", "dualsvm.cli", *argv], stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(), b"".join(chunks).decode(errors="replace")


def test_progress_bar_on_a_terminal_and_none_with_quiet():
    # C = 100: on iris at C = 1 subgradient descent reaches 1e-12 in 0.02 s, before the bar's first refresh
    argv = ["solve", "--method", "subgradient", "-C", "100", "--target-gap", "1e-12", "--time-limit", "1"]
    code, shown = _run_on_a_terminal(argv)
    assert code in (0, 1) and "subgradient" in shown and "certified gap" in shown and "it/s" in shown
    code, shown = _run_on_a_terminal([*argv, "--quiet"])
    assert "certified gap" not in shown


def test_no_progress_when_stderr_is_not_a_terminal():
    r = subprocess.run([sys.executable, "-m", "dualsvm.cli", "solve", "--method", "subgradient", "--target-gap", "1e-12",
                        "--time-limit", "1"], capture_output=True, text=True)
    assert "certified gap" not in r.stderr and "it/s" not in r.stderr


# -- weights (issue 13) ----------------------------------------------------------------
def test_weight_column_and_class_weight(tmp_path, capsys):
    X, y = ds.datasets.make_overlapping(40, 2, seed=31)
    k = np.arange(40) % 3  # weights 0, 1, 2
    k[:2] = 1
    rows = [(repr(float(a)), repr(float(b)), int(kk), int(t)) for (a, b), kk, t in zip(X, k, y, strict=True)]
    f = write_csv(tmp_path / "w.csv", ["a", "b", "count", "y"], rows)
    code, out, _ = run(["solve", "--csv", str(f), "--label", "y", "--weight-column", "count", "--json"], capsys)
    d = json.loads(out)
    assert code == 0 and d["data"]["features"] == ["a", "b"] and d["data"]["weight_column"] == "count"
    ref = ds.solve_dual(ds.SVMProblem(np.repeat(X, k, axis=0), np.repeat(y, k)))  # weight k == k copies
    np.testing.assert_allclose(d["w"], ref.w, atol=1e-6)
    code, out, _ = run(["solve", "--csv", str(f), "--label", "y", "--drop", "count", "--class-weight", "balanced",
                        "--json"], capsys)
    d = json.loads(out)
    ref = ds.solve_dual(ds.SVMProblem(X, y, class_weight="balanced"))
    assert code == 0 and d["data"]["class_weight"] == "balanced"
    np.testing.assert_allclose(d["w"], ref.w, atol=1e-6)


def test_bad_weight_column_names_line_and_column(tmp_path, capsys):
    f = write_csv(tmp_path / "w.csv", ["a", "wt", "y"], [(1, 1, 0), (2, -1, 1), (3, 1, 1)])
    code, _, err = run(["solve", "--csv", str(f), "--label", "y", "--weight-column", "wt"], capsys)
    assert code == 2 and "line 3, column 'wt' (--weight-column): '-1' is not a finite number >= 0" in err
    code, _, err = run(["solve", "--csv", str(f), "--label", "y", "--weight-column", "nope"], capsys)
    assert code == 2 and "--weight-column 'nope' is not a column" in err


def test_explain_and_relu_do_not_take_weights(capsys):
    """Their estimators are fitted unweighted: the flags were accepted and silently ignored."""
    for cmd in ("explain-sklearn", "relu"):
        code, _, err = run([cmd, "--class-weight", "balanced"], capsys)
        assert code == 2 and "unrecognized arguments: --class-weight" in err
        code, out, _ = run([cmd, "--help"], capsys)
        assert code == 0 and "--standardize" in out and "--weight-column" not in out  # nor does their help promise weights


def test_explain_json_is_valid_json_with_the_data(capsys):
    pytest.importorskip("sklearn")
    code, out, _ = run(["explain-sklearn", "--json"], capsys)
    d = json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert code == 0 and d["data"]["classes"] == {"-1": "versicolor", "+1": "virginica"} and len(d["estimators"]) == 6


def test_numeric_labels_order_as_numbers(tmp_path, capsys):
    f = write_csv(tmp_path / "n.csv", ["a", "b", "y"], [(1, 2, 9), (2, 3, 10), (3, 1, 9), (0, 5, 10)])
    code, out, _ = run(["solve", "--csv", str(f), "--label", "y", "--json"], capsys)
    assert code == 0 and json.loads(out)["data"]["classes"] == {"-1": "9", "+1": "10"}  # as SVMProblem, SVC
    code, out, _ = run(["solve", "--csv", str(f), "--label", "y", "--positive", "9.0", "--json"], capsys)
    assert code == 0 and json.loads(out)["data"]["classes"]["+1"] == "9.0"


def test_usage_errors_are_one_line(capsys):
    for argv in (["solve", "-C", "abc"], ["compare", "--max-iter", "0"], ["solve", "--stand"]):
        code, out, err = run(argv, capsys)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err


def test_a_bad_target_gap_names_the_option(capsys):
    """The error names --target-gap (or --tol), the option the user typed, not the Python keyword target_gap."""
    for argv, option in ((["solve", "--target-gap", "2"], "--target-gap"), (["compare", "--target-gap", "0"], "--target-gap"),
                         (["solve", "--tol", "nan"], "--tol")):
        code, out, err = run(argv, capsys)
        assert code == 2 and out == ""
        assert f"argument {option}: must be a relative gap in (0, 1), got {argv[-1]}" in err, err
