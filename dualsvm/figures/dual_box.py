"""The dual box: unconstrained descent walks inside it.

Left: subgradient descent's implicit coefficients α_i^(t) (w_t = Σ α_i y_i x_i)
over iterations for a handful of points. Non-support vectors decay to 0, bound
support vectors rise to C and margin support vectors settle inside (0, C),
although the method never projects onto anything (``proofs/T08``). Right: the
final subgradient α against the dual QP's α, one dot per point.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..datasets import make_overlapping
from ..problem import SVMProblem
from ._common import OKABE_ITO, dual_and_subgradient, save

SEED = 5
NAME = "dual_box"


def make_figure(seed: int = SEED):
    """Return (figure, numbers): traced indices, their α histories and kinds, and both final α vectors."""
    X, y = make_overlapping(200, 5, sep=1.5, seed=seed)
    p = SVMProblem(X, y, C=1.0)
    qp, sg = dual_and_subgradient(p, target_gap=1e-7, max_iter=5000, n_history=300)
    trace, idx = sg.extras["alpha_trace"], sg.extras["trace_index"]
    its = sg.extras["history"]["iteration"]
    kind = np.full(p.n, "non-SV", dtype=object)
    kind[qp.bound_support] = "bound SV"
    kind[qp.margin_support] = "margin SV"
    colors = {"non-SV": OKABE_ITO["sky"], "bound SV": OKABE_ITO["vermillion"], "margin SV": OKABE_ITO["green"]}
    chosen = []
    for k in ("non-SV", "bound SV", "margin SV"):
        cand = [j for j, i in enumerate(idx) if kind[i] == k]
        chosen += cand[:3]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.5), constrained_layout=True)
    seen = set()
    for j in chosen:
        k = kind[idx[j]]
        ax.semilogx(its, trace[:, j], color=colors[k], lw=1.6, label=k if k not in seen else None)
        seen.add(k)
    ax.axhline(p.C, color="k", lw=0.8, ls="--")
    ax.axhline(0, color="k", lw=0.8, ls="--")
    ax.set_ylim(-0.05 * p.C, 1.08 * p.C)
    ax.set_xlabel("iteration t")
    ax.set_ylabel("implicit coefficient α_i(t)")
    ax.set_title("α_i(t) stays in [0, C] with no projection")
    ax.legend(loc="center right")
    for k, c in colors.items():
        sel = kind == k
        bx.scatter(qp.alpha[sel], sg.alpha[sel], s=22, color=c, label=f"{k} ({sel.sum()})", alpha=0.85)
    bx.plot([0, p.C], [0, p.C], color="k", lw=0.8)
    bx.set_xlabel("α from the dual QP (OSQP)")
    bx.set_ylabel("α from subgradient descent")
    bx.set_title(f"final α: subgradient vs QP (gap {sg.relative_gap:.0e})")
    bx.legend(loc="upper left")
    fig.suptitle(f"The dual box (n={p.n}, C=1, seed {seed})")
    data = {"iterations": its, "trace": trace[:, chosen], "traced_points": idx[chosen],
            "kinds": [kind[idx[j]] for j in chosen], "alpha_qp": qp.alpha, "alpha_subgradient": sg.alpha, "C": p.C}
    return fig, data


def main(outdir: str | Path = "gallery", fmt: str = "png") -> Path:
    fig, _ = make_figure()
    return save(fig, Path(outdir) / NAME, fmt)
