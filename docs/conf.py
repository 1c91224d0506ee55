"""Sphinx configuration of the dualsvm site.

Build (offline, warnings are errors):

    pip install -e ".[docs]"
    sphinx-build -W -b html docs docs/_build/html

Two folders are generated here, at every build, from their one source each
(both are git-ignored):

* ``docs/figures/``: one page per gallery figure, from the modules in
  ``dualsvm/figures/`` (title and caption from the module docstring, the
  picture from ``docs/gallery/NAME.png``, which ``dualsvm figures`` draws, and
  the module's source);
* ``docs/proofs/``: one page per file of ``proofs/``, each including that file.

The tour (``tour.ipynb``) is rendered by myst-nb without executing it: the
test suite executes it (``tests/test_docs.py``). Nothing is downloaded at build
time (no intersphinx). Math is rendered by MathJax in the reader's browser,
loaded from its CDN (Sphinx's default ``mathjax_path``): offline, a page shows
the LaTeX source of each formula. ``sphinx.ext.imgmath`` would render offline
but needs a LaTeX installation at build time, which the ``docs`` extra cannot
install.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import dualsvm  # noqa: E402
from dualsvm.figures import NAMES as FIGURES  # noqa: E402

project = "dualsvm"
author = "the dualsvm authors"
copyright = "dualsvm authors, MIT licence"
release = version = dualsvm.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "tour.py"]
html_theme = "alabaster"
html_title = f"dualsvm {release}"
html_static_path: list[str] = []
html_theme_options = {"description": "The soft-margin SVM solved three ways, every answer certified.", "fixed_sidebar": True}

# autodoc + numpydoc: the public API, documented from the docstrings alone.
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc sections say the types; signatures stay readable
numpydoc_show_class_members = False  # autodoc's :members: lists them once
numpydoc_xref_param_type = False

# myst-nb: render the tour as stored (without outputs); CI executes it separately.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]  # proofs/ files may start below level 1 in an included page


def _write(path: Path, text: str) -> None:
    """Write only when the content changes, so incremental builds stay incremental."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _clean(folder: Path, keep: set[str], suffix: str) -> None:
    folder.mkdir(exist_ok=True)
    for stale in folder.glob(f"*{suffix}"):
        if stale.name not in keep:
            stale.unlink()


def _title(text: str) -> str:
    return f"{text}\n{'=' * len(text)}\n"


def generate_figure_pages() -> None:
    """docs/figures/NAME.rst for every module in dualsvm.figures.NAMES, and the gallery index."""
    out = DOCS / "figures"
    _clean(out, {f"{n}.rst" for n in FIGURES} | {"index.rst"}, ".rst")
    cards = []
    for name in FIGURES:
        mod = importlib.import_module(f"dualsvm.figures.{name}")
        head, _, caption = (mod.__doc__ or name).strip().partition("\n")
        head = head.strip().rstrip(".")
        png = DOCS / "gallery" / f"{name}.png"
        if not png.exists():
            raise FileNotFoundError(f"{png} is missing: run `dualsvm figures --out docs/gallery`")
        _write(out / f"{name}.rst", "\n".join([
            _title(head),
            f".. figure:: ../gallery/{name}.png",
            f"   :alt: {head}",
            "   :width: 100%",
            "",
            *("   " + line if line else "" for line in caption.strip().splitlines()),
            "",
            f"Drawn by ``dualsvm/figures/{name}.py`` (seed ``{mod.SEED}``); the PNG above is what",
            f"``dualsvm figures --only {name} --out docs/gallery`` writes, and ``tests/test_figures.py`` asserts",
            "the numbers it draws.",
            "",
            f".. autofunction:: dualsvm.figures.{name}.make_figure",
            "",
            "Source",
            "------",
            "",
            f".. literalinclude:: ../../dualsvm/figures/{name}.py",
            "   :language: python",
            "",
        ]))
        cards.append((name, head))
    _write(out / "index.rst", "\n".join([
        _title("Figure gallery"),
        "Each figure is one module in ``dualsvm/figures/`` with ``make_figure(seed) -> (figure, numbers)``;",
        "the tests assert the numbers, and ``dualsvm figures --out docs/gallery`` redraws every PNG",
        "(Agg backend, fixed seeds, byte-identical reruns). Click a picture for its caption and source.",
        "",
        *[line for name, head in cards for line in (
            f".. figure:: ../gallery/{name}.png",
            f"   :target: {name}.html",
            f"   :alt: {head}",
            "   :width: 48%",
            "",
            f"   :doc:`{name}`",
            "",
        )],
        ".. toctree::",
        "   :hidden:",
        "",
        *[f"   {name}" for name, _ in cards],
        "",
    ]))


def generate_proof_pages() -> None:
    """docs/proofs/NAME.md including proofs/NAME.md, so proofs/ stays the one source."""
    out = DOCS / "proofs"
    sources = sorted((ROOT / "proofs").glob("*.md"))
    pages = {("index.md" if p.name == "README.md" else p.name): p for p in sources}
    _clean(out, set(pages), ".md")
    for page, src in pages.items():
        _write(out / page, f"```{{include}} ../../proofs/{src.name}\n```\n")
    body = (ROOT / "proofs" / "README.md").read_text(encoding="utf-8")
    missing = [p for p in pages if p != "index.md" and f"({p})" not in body]
    if missing:
        raise ValueError(f"proofs/README.md does not link {missing}: every proof needs a row in its table")
    _write(out / "index.md", "```{include} ../../proofs/README.md\n```\n\n"
           "```{toctree}\n:hidden:\n\n" + "\n".join(p[:-3] for p in pages if p != "index.md") + "\n```\n")


generate_figure_pages()
generate_proof_pages()
