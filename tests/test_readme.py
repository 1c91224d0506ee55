"""The README's Python example runs as written (kept true to the code)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks
    for code in blocks:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # LinearSVC's convergence chatter
            exec(compile(code, str(README), "exec"), {})


def test_readme_test_command_is_what_ci_runs():
    ci = (README.parent / ".ci" / "run").read_text()
    cmd = 'pip install -q -e ".[test]" && ruff check . && python -m pytest'
    assert cmd in README.read_text() and cmd in ci
