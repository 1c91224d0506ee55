"""The figure gallery: one module per figure, each with SEED, make_figure() and main().

``make_figure(seed=SEED)`` returns ``(matplotlib Figure, dict of the numbers drawn)``;
``main(outdir, fmt)`` saves it. Regenerate all with ``dualsvm figures``.
"""

from __future__ import annotations

from importlib import import_module

NAMES = ("boundaries", "convergence", "dual_box", "regularization_path", "certified_support", "loss_functions", "relu_boundaries",
         "kernel_boundaries")


def load(name: str):
    """The figure module ``name`` (one of :data:`NAMES`)."""
    if name not in NAMES:
        raise ValueError(f"figure must be one of {list(NAMES)}, got {name!r}")
    return import_module(f"{__name__}.{name}")
