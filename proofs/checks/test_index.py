"""Every claim file names checks that exist, and every check is named by some claim file."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROOFS = ROOT / "proofs"
REF = re.compile(r"`((?:proofs/checks|tests)/[\w/]+\.py)::(\w+)`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def _claim_files() -> list[Path]:
    return sorted(PROOFS.glob("T[0-9][0-9]-*.md"))


def test_every_claim_file_names_existing_checks():
    files = _claim_files()
    assert len(files) >= 13
    for f in files:
        text = f.read_text()
        assert "**Checked by.**" in text, f.name
        refs = REF.findall(text)
        assert refs, f"{f.name} names no check"
        for path, name in refs:
            assert name in _tests_in(ROOT / path), f"{f.name}: {path}::{name} does not exist"


def test_every_check_is_named_by_a_claim_file():
    named = {(p, n) for f in _claim_files() for p, n in REF.findall(f.read_text())}
    for path in sorted((PROOFS / "checks").glob("test_*.py")):
        if path.name == "test_index.py":
            continue
        rel = str(path.relative_to(ROOT))
        for name in _tests_in(path):
            assert (rel, name) in named, f"{rel}::{name} is not referenced by any proofs/T*.md"


def test_readme_lists_every_claim():
    readme = (PROOFS / "README.md").read_text()
    for f in _claim_files():
        assert f"({f.name})" in readme, f.name
