"""Project files: no build output in git, license and citation metadata that agree with pyproject.toml."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import dualsvm

ROOT = Path(__file__).resolve().parents[1]
BUILD_OUTPUT = re.compile(r"(^|/)([^/]+\.egg-info|__pycache__|\.venv[^/]*)(/|$)|\.py[co]$")


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def checkout() -> Path:
    """The repository root, or skip when the tests do not run from a git checkout (e.g. an sdist)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    top = git("rev-parse", "--show-toplevel")
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != ROOT:
        pytest.skip(f"{ROOT} is not the top of a git checkout")
    return ROOT


def pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_build_output_pattern():
    for bad in ("dualsvm.egg-info/PKG-INFO", "dualsvm/__pycache__/cli.cpython-311.pyc", ".venv/bin/python",
                ".venv-ci/pyvenv.cfg", "tests/x.pyc"):
        assert BUILD_OUTPUT.search(bad), bad
    for good in ("dualsvm/cli.py", "docs/gallery/boundaries.png", "benchmarks/venv_notes.md", ".gitignore"):
        assert not BUILD_OUTPUT.search(good), good


def test_no_build_output_is_tracked(checkout):
    files = git("ls-files", "-z").stdout.split("\0")
    assert "pyproject.toml" in files
    tracked = [f for f in files if BUILD_OUTPUT.search(f)]
    assert not tracked, f"build output tracked by git (git rm -r --cached them): {tracked[:10]}"


def test_build_output_is_ignored(checkout):
    """What `pip install -e .`, pytest and .ci/run write must not show up in `git status`."""
    paths = ["dualsvm.egg-info/PKG-INFO", "dualsvm/__pycache__/cli.cpython-311.pyc", ".venv-ci/pyvenv.cfg",
             "build/lib/dualsvm/cli.py", ".pytest_cache/README.md"]
    r = git("check-ignore", "--no-index", *paths)
    assert sorted(r.stdout.split()) == sorted(paths), f"not ignored by .gitignore: {set(paths) - set(r.stdout.split())}"


@pytest.mark.skipif(not os.environ.get("CI"), reason="only in CI, which runs in a fresh clone after pip install -e")
def test_ci_checkout_is_clean(checkout):
    status = git("status", "--porcelain", "--untracked-files=all").stdout
    assert status == "", f"the fresh clone is dirty after pip install -e and the tests:\n{status}"


def test_version_is_the_same_everywhere():
    version = pyproject()["project"]["version"]
    assert dualsvm.__version__ == version
    cff = (ROOT / "CITATION.cff").read_text()
    assert re.search(rf"^version: {re.escape(version)}$", cff, flags=re.M)


def test_citation_cff_has_the_required_fields():
    """CFF 1.2.0 requires cff-version, message, title and authors (validated once with cffconvert --validate)."""
    cff = (ROOT / "CITATION.cff").read_text()
    top = dict(re.findall(r"^([a-z-]+):[ ]?(.*)$", cff, flags=re.M))
    assert top["cff-version"] == "1.2.0" and top["license"] == "MIT" and top["type"] == "software"
    assert top["message"].strip('"') and top["title"].strip('"').startswith("dualsvm")
    assert top["authors"] == "" and re.search(r'^authors:\n  - name: "The dualsvm developers"$', cff, flags=re.M)
    assert "\t" not in cff  # YAML forbids tabs in indentation


def test_license_and_authors():
    project = pyproject()["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert project["authors"] == [{"name": "The dualsvm developers"}]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n\nCopyright (c) 2026 The dualsvm developers\n")
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text


def test_sklearn_extra_is_part_of_test():
    extras = pyproject()["project"]["optional-dependencies"]
    assert extras["sklearn"] == ["scikit-learn>=1.6"]
    assert set(extras["sklearn"]) <= set(extras["test"])


def test_changelog_follows_keep_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog\n") and "keepachangelog.com" in text
    sections = re.findall(r"^## \[(.+?)\]", text, flags=re.M)
    assert sections and sections[0] == "Unreleased"
    kinds = set(re.findall(r"^### (.+)$", text, flags=re.M))
    assert kinds and kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
