r"""The result of a solve or a certification: one object, plain data.

Modelled on qpsolvers' ``Solution`` (the certificate lives with the answer)
and scipy's ``OptimizeResult`` (``status``, ``success``, ``message``, an
aligned ``repr``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Solution"]

Array = NDArray[np.float64]


@dataclass(repr=False)
class Solution:
    r"""A candidate SVM solution with its certificate.

    Attributes
    ----------
    method : str
        Which solver (or ``"certify"`` for an outside candidate).
    w : ndarray of shape (d,)
    b : float
    alpha : ndarray of shape (n,)
        A dual-feasible point: :math:`0 \le \alpha \le C` and
        :math:`|y^\top\alpha|` at rounding level. Not multiplied by y.
    primal_objective : float
        :math:`P(w,b) = \frac12\|w\|^2 + C\sum_i\max(0, 1 - y_i(w^\top x_i + b))`.
    dual_objective : float
        :math:`D(\alpha) = \sum_i\alpha_i - \frac12\|\sum_i\alpha_i y_i x_i\|^2`,
        a lower bound on the optimal value because ``alpha`` is feasible.
    duality_gap : float
        :math:`G = P(w,b) - D(\alpha) \ge 0`; it bounds the suboptimality
        :math:`P(w,b) - P^*`.
    relative_gap : float
        :math:`G / \max(1, |P|)`.
    radius : float
        :math:`r = \sqrt{2\max(G, G_{round})}`, where :math:`G_{round}` bounds
        the floating-point error of evaluating :math:`P - D` (so a computed
        gap of 0 never claims an exact answer). Certified: :math:`\|w - w^*\| \le r` and
        :math:`\|\sum_i\alpha_i y_i x_i - w^*\| \le r` (``proofs/T10``).
    gap_floor : float
        :math:`G_{round} = (n + d + 2)\,u\,(\frac12\|w\|^2 + \frac12\|Z^\top\alpha\|^2
        + C\sum_i|1 - m_i| + \sum_i\alpha_i)`, :math:`u` the unit roundoff: a
        bound on the error of evaluating :math:`P - D` in floating point
        (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
        section 3.1, :math:`\gamma_{n}`).
    b_interval : tuple of float
        Certified to contain every optimal bias:
        :math:`[b_{lo} - rR,\ b_{hi} + rR]` with
        :math:`[b_{lo}, b_{hi}] = \arg\min_b P(w, b)` and
        :math:`R = \max_i\|x_i\|` (``proofs/T09``). When no optimal
        :math:`\alpha` has a free coefficient the optimal biases fill an
        interval; ``b`` is then the midpoint of :math:`\arg\min_b P(w,b)`,
        as LIBSVM picks the midpoint of its feasible range.
    kkt : dict of str to float
        Residuals, each :math:`\ge 0` and 0 at an exact KKT point:

        * ``primal_feasibility``: :math:`\max_i \max(0, 1 - m_i - \xi_i, -\xi_i)`
          with :math:`\xi_i = \max(0, 1 - m_i)`; zero by construction, since
          the slack is eliminated (``proofs/T00``).
        * ``dual_box``: :math:`\max(0, -\min_i\alpha_i, \max_i\alpha_i - C)`.
        * ``dual_equality``: :math:`|y^\top\alpha|`.
        * ``stationarity``: :math:`\|w - \sum_i\alpha_i y_i x_i\|`.
        * ``complementarity``: :math:`\max_i [C\max(0, 1 - m_i) - \alpha_i(1 - m_i)]`;
          each bracket is :math:`\ge 0` and the brackets sum to at most
          :math:`G` (``proofs/T04``, ``T06``).
    margin_support, bound_support, undecided : ndarray of int
        The support-vector partition, read off the certified range of each
        optimal margin :math:`m_i^*` (``margin_range``). A point whose range
        lies above 1 is certified a non-support vector (every optimal
        :math:`\alpha_i = 0`); below 1, certified at the bound
        (:math:`\alpha_i = C`). A point whose range contains 1 is a margin
        support vector if :math:`\tau < \alpha_i < C - \tau`, at the bound if
        :math:`\alpha_i \ge C - \tau`, and *undecided* otherwise, with
        :math:`\tau = C\sqrt{\max(G, G_{round})/\max(1,|P|)}`.
    margin_range : tuple of ndarray
        ``(m_lo, m_hi)``, certified bounds on every optimal margin.
    status : str
        ``"optimal"`` (certified to the target), ``"inaccurate"``,
        ``"max_iter"``, ``"certified"`` (from :func:`dualsvm.certify`) or a
        solver failure.
    success : bool
        ``True`` iff the certificate reached the requested relative gap.
    message : str
    iterations : int
    solve_time : float
        Wall-clock seconds of the solve (``nan`` for an outside candidate).
    extras : dict
        Raw solver information (statuses, timings, iteration counts).
    classes : ndarray of shape (2,)
        Original labels, for :meth:`predict`.
    """

    method: str
    w: Array
    b: float
    alpha: Array
    primal_objective: float
    dual_objective: float
    duality_gap: float
    relative_gap: float
    radius: float
    gap_floor: float
    b_interval: tuple[float, float]
    kkt: dict[str, float]
    margin_support: NDArray[np.intp]
    bound_support: NDArray[np.intp]
    undecided: NDArray[np.intp]
    margin_range: tuple[Array, Array]
    status: str
    success: bool
    message: str
    iterations: int
    solve_time: float
    extras: dict[str, Any] = field(default_factory=dict)
    classes: NDArray[Any] = field(default_factory=lambda: np.array([-1, 1]))

    @property
    def support(self) -> NDArray[np.intp]:
        """Sorted indices of all support vectors: ``margin_support`` and ``bound_support``."""
        return np.union1d(self.margin_support, self.bound_support)

    @property
    def n_samples(self) -> int:
        return int(self.alpha.shape[0])

    @property
    def non_support(self) -> NDArray[np.intp]:
        """Indices certified or judged to be non-support vectors."""
        taken = np.union1d(self.support, self.undecided)
        return np.setdiff1d(np.arange(self.n_samples), taken)

    def decision_function(self, X: ArrayLike) -> Array:
        r""":math:`f(x) = w^\top x + b` for each row of ``X``."""
        X_ = np.asarray(X, dtype=np.float64)
        if X_.ndim != 2 or X_.shape[1] != self.w.shape[0]:
            raise ValueError(f"X must have shape (n, {self.w.shape[0]}), got {X_.shape}")
        return X_ @ self.w + self.b

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """Original labels: ``classes[1]`` where f(x) > 0, else ``classes[0]``."""
        return np.where(self.decision_function(X) > 0, self.classes[1], self.classes[0])

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python summary (lists and floats) for JSON."""
        return {
            "method": self.method, "status": self.status, "success": self.success,
            "message": self.message, "w": self.w.tolist(), "b": self.b,
            "primal_objective": self.primal_objective, "dual_objective": self.dual_objective,
            "duality_gap": self.duality_gap, "relative_gap": self.relative_gap,
            "radius": self.radius, "b_interval": list(self.b_interval), "kkt": dict(self.kkt),
            "n_margin_support": int(self.margin_support.size),
            "n_bound_support": int(self.bound_support.size),
            "n_undecided": int(self.undecided.size),
            "n_non_support": int(self.non_support.size),
            "iterations": self.iterations, "solve_time": self.solve_time,
        }

    def __repr__(self) -> str:
        rows = [
            ("method", self.method), ("status", self.status), ("success", self.success),
            ("message", self.message),
            ("primal_objective", f"{self.primal_objective:.12g}"),
            ("dual_objective", f"{self.dual_objective:.12g}"),
            ("duality_gap", f"{self.duality_gap:.3e}"),
            ("relative_gap", f"{self.relative_gap:.3e}"),
            ("radius", f"{self.radius:.3e}"),
            ("b", f"{self.b:.12g}"),
            ("b_interval", f"[{self.b_interval[0]:.12g}, {self.b_interval[1]:.12g}]"),
            ("w", np.array2string(self.w, precision=6, threshold=8)),
            ("support", f"{self.margin_support.size} margin, {self.bound_support.size} bound, "
                        f"{self.undecided.size} undecided, {self.non_support.size} non-support"),
            ("kkt", ", ".join(f"{k}={v:.1e}" for k, v in self.kkt.items())),
            ("iterations", self.iterations),
            ("solve_time", f"{self.solve_time:.3g} s"),
        ]
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k.rjust(width)}: {v}" for k, v in rows)
