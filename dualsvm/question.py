"""Is a one-layer network with a ReLU output an SVM? The answer, computed.

:func:`answer` trains the variants of :mod:`dualsvm.network` on the same
(standardized) data with the same C and weight decay, and compares each with
the certified SVM optimum from :func:`dualsvm.solve_dual`:

1. ``linear + hinge`` minimises the SVM objective itself; its w is within the
   certified radius of the SVM's w.
2. ``linear + logistic`` and ``sigmoid + cross_entropy`` are one model,
   logistic regression (``proofs/T02``); it matches scikit-learn's
   ``LogisticRegression`` with the same C and an unpenalized intercept.
3. ``relu + hinge``, ``relu + squared`` and ``relu + cross_entropy`` (target
   shifted to {0, 1}) are not the SVM: they end far from its w (in units of
   the SVM's certified radius) and, as SVM candidates, have a large certified
   gap. Structurally, a ReLU output is >= 0, so every negative example costs
   at least 1 under the hinge or the squared error against -1
   (``proofs/T11``), and a unit dead on every example is a stationary point:
   a spurious local minimum of a non-convex objective.
4. Logistic regression has no exact support vectors: every point keeps a
   weight sigma(-m_i) in (0, 1) (``proofs/T12``); the SVM's alpha is sparse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from .datasets import standardize
from .dual import solve_dual
from .dual_point import certify
from .network import TrainResult, train
from .problem import SVMProblem
from .solution import Solution

__all__ = ["answer", "Answer", "VARIANTS"]

VARIANTS = (
    ("linear", "hinge"),
    ("linear", "logistic"),
    ("sigmoid", "cross_entropy"),
    ("relu", "hinge"),
    ("relu", "squared"),
    ("relu", "cross_entropy"),
)


@dataclass
class Answer:
    r"""The computed answer; ``str(answer)`` prints it as a table.

    Attributes
    ----------
    problem : SVMProblem
        The standardized data every model was trained on.
    svm : Solution
        The certified SVM optimum (:func:`dualsvm.solve_dual`).
    runs : dict of (str, str) to TrainResult
        The trained network per ``(activation, loss)`` of :data:`VARIANTS`.
    rows : list of dict
        One row of the table per variant: objective, distance to the SVM's w (also in
        units of its certified radius), the relative gap as an SVM candidate, the
        share of predictions agreeing with the SVM, and the verdict.
    dead_unit : TrainResult
        ``relu`` + ``squared`` started with bias -100: a dead unit, stuck at a stationary point.
    alive_unit : TrainResult
        ``relu`` + ``squared`` from the usual start, for comparison.
    n_svm_zero_alpha : int
        Points certified ``non_support`` by the SVM: :math:`\alpha_i^* = 0` proved.
    n_logistic_zero_weight : int
        Points where logistic regression's weight :math:`\sigma(-m_i)` is exactly 0 in float64.
    min_logistic_weight : float
        The smallest :math:`\sigma(-m_i)`: > 0, no exact support vectors.
    notes : list of str
        Extra lines printed under the table.
    """

    problem: SVMProblem
    svm: Solution
    runs: dict[tuple[str, str], TrainResult]
    rows: list[dict[str, Any]]
    dead_unit: TrainResult
    alive_unit: TrainResult
    n_svm_zero_alpha: int
    n_logistic_zero_weight: int
    min_logistic_weight: float
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        r_svm = self.svm.radius
        lines = [
            "Is a one-layer network with a ReLU output an SVM?  No.",
            f"data: {self.problem.n} points, {self.problem.d} standardized features, C = {self.problem.C:g}; "
            f"SVM from solve_dual: P* = {self.svm.primal_objective:.8g}, certified radius r = {r_svm:.1e}",
            "",
        ]
        cols = ("model", "J(w,b)", "|w - w_svm|", "/ r_svm", "as SVM: rel.gap", "same predictions", "what it is")
        rows = [(f"{r['activation']} + {r['loss']}", f"{r['objective']:.6g}", f"{r['distance']:.3g}",
                 f"{r['distance_in_radii']:.1e}", f"{r['svm_relative_gap']:.1e}", f"{r['agreement']:.0%}", r["verdict"])
                for r in self.rows]
        widths = [max(len(c), *(len(x[i]) for x in rows)) for i, c in enumerate(cols)]
        fmt = "  ".join(f"{{:<{w}}}" if i in (0, 6) else f"{{:>{w}}}" for i, w in enumerate(widths))
        lines += [fmt.format(*cols), fmt.format(*("-" * w for w in widths)), *(fmt.format(*x) for x in rows), ""]
        lines += [
            f"dead ReLU unit (initial bias -100): every output 0 = {self.dead_unit.all_outputs_zero}, "
            f"J = {self.dead_unit.objective:.6g} vs {self.alive_unit.objective:.6g} from a live start: "
            "a stationary point that is not the minimum (non-convex).",
            f"sparsity: the SVM gives alpha_i = 0 to {self.n_svm_zero_alpha} of {self.problem.n} points; "
            f"logistic regression gives weight sigma(-m_i) = 0 to {self.n_logistic_zero_weight} "
            f"(smallest {self.min_logistic_weight:.1e}): it has no exact support vectors.",
            *self.notes,
        ]
        return "\n".join(lines)


def answer(X: ArrayLike, y: ArrayLike, *, C: float = 1.0, seed: int = 0, max_iter: int = 20_000) -> Answer:
    """Train every variant on standardized X and compare with the certified SVM.

    X is standardized (zero mean, unit variance) first: plain gradient descent
    with the fixed steps of :func:`dualsvm.network.train` needs a reasonably
    conditioned problem, and every model sees the same data.

    Parameters
    ----------
    X : array_like of shape (n, d)
        Features; standardized before use (the caller's array is not modified).
    y : array_like of shape (n,)
        Two labels of any type.
    C : float, default 1.0
        The same penalty for the SVM and every network.
    seed : int, default 0
        Seed of every network's initial weights.
    max_iter : int, default 20 000
        Iteration budget of each network.

    Returns
    -------
    Answer
        The table's rows, the runs, the SVM and the dead-unit and sparsity evidence.
    """
    problem = SVMProblem(standardize(np.asarray(X, dtype=float)), y, C=C)
    Xs, ys = problem.X, problem.y
    svm = solve_dual(problem)
    f_svm = Xs @ svm.w + svm.b
    runs, rows = {}, []
    for act, loss in VARIANTS:
        r = train(Xs, ys, activation=act, loss=loss, C=C, seed=seed, max_iter=max_iter)
        runs[(act, loss)] = r
        cand = certify(problem, r.w, r.b, target_gap=1.0)
        dist = float(np.linalg.norm(r.w - svm.w))
        pred = Xs @ r.w + r.b > 0
        if (act, loss) == ("linear", "hinge"):
            verdict = f"the SVM: |dw| <= r_net + r_svm = {cand.radius + svm.radius:.1e}"
        elif loss in ("logistic",) or (act, loss) == ("sigmoid", "cross_entropy"):
            verdict = "logistic regression"
        else:
            reasons = []
            neg = ys < 0
            if loss in ("hinge", "squared"):
                worst = float((1 + r.output(Xs[neg])).min())
                reasons.append(f"each negative costs >= {worst:.2f}")
            if loss == "cross_entropy":
                reasons.append("fits a clipped probability to t in {0,1}: no margin")
            if r.dead_at_end or r.all_outputs_zero:
                reasons.append("dead unit")
            verdict = "NOT the SVM" + (f" ({', '.join(reasons)})" if reasons else "")
        rows.append({
            "activation": act, "loss": loss, "objective": r.objective, "distance": dist,
            "distance_in_radii": dist / max(svm.radius, 1e-300), "svm_relative_gap": cand.relative_gap,
            "agreement": float(np.mean(pred == (f_svm > 0))), "verdict": verdict, "certified_radius": cand.radius,
            "dead_at_end": r.dead_at_end, "all_outputs_zero": r.all_outputs_zero,
        })
    dead = train(Xs, ys, activation="relu", loss="squared", C=C, seed=seed, max_iter=2000, init_bias=-100.0)
    alive = runs[("relu", "squared")]
    lr = runs[("linear", "logistic")]
    weights = expit(-(ys * (Xs @ lr.w + lr.b)))
    return Answer(
        problem=problem, svm=svm, runs=runs, rows=rows, dead_unit=dead, alive_unit=alive,
        n_svm_zero_alpha=int(svm.n_samples - svm.support.size - svm.undecided.size),
        n_logistic_zero_weight=int(np.count_nonzero(weights == 0.0)), min_logistic_weight=float(weights.min()),
    )
