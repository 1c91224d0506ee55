r"""The result of a solve or a certification: one object, plain data.

Modelled on qpsolvers' ``Solution`` (the certificate lives with the answer)
and scipy's ``OptimizeResult`` (``status``, ``success``, ``message``, an
aligned ``repr``). The statuses are listed once, in :data:`STATUSES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Solution", "STATUSES", "SUCCESS_STATUSES"]

Array = NDArray[np.float64]

#: Every status a :class:`Solution` can carry, with its meaning.
STATUSES: dict[str, str] = {
    "optimal": "a solver's answer whose certificate meets the requested relative gap",
    "certified": "an outside candidate (dualsvm.certify) whose certificate meets the requested relative gap",
    "inaccurate": "the certificate misses the requested relative gap (the solver stopped on its own criterion)",
    "max_iter": "stopped by the iteration budget before the certificate met the target",
    "max_time": "stopped by the time budget before the certificate met the target",
    "solver_error": "the underlying solver failed; the answer is its last iterate, certified as it is",
}
#: The statuses with ``success == True``.
SUCCESS_STATUSES = frozenset({"optimal", "certified"})


@dataclass(repr=False)
class Solution:
    r"""A candidate SVM solution with its certificate.

    Attributes
    ----------
    method : str
        Which solver (or ``"certify"`` for an outside candidate).
    w : ndarray of shape (d,)
        The candidate's weights.
    b : float
        The candidate's bias.
    alpha : ndarray of shape (n,)
        A dual-feasible point: :math:`0 \le \alpha_i \le C_i` and
        :math:`|y^\top\alpha|` at rounding level. Not multiplied by y.
        On a problem over a dask array (``SVMProblem.chunked``) ``alpha``,
        ``margins``, ``margin_range`` and ``C`` are **dask arrays**, chunked
        like X's rows and persisted where the rows are (they are n-vectors:
        ``.compute()`` brings one to memory when it fits); every other field,
        the label index arrays included, is in memory as usual.
    primal_objective : float
        :math:`P(w,b) = \frac12\|w\|^2 + \sum_i C_i\max(0, 1 - y_i(w^\top x_i + b))`.
    dual_objective : float
        :math:`D(\alpha) = \sum_i\alpha_i - \frac12\|\sum_i\alpha_i y_i x_i\|^2`,
        a lower bound on the optimal value because ``alpha`` is feasible.
    duality_gap : float
        :math:`\bar G`, an upper bound *in exact arithmetic* on the
        suboptimality :math:`P(w,b) - P^*`: the gap identity of ``proofs/T04``,
        :math:`\frac12\|w - Z^\top\alpha\|^2 + \sum_i[C_i\max(0,1-m_i) - \alpha_i(1-m_i)]`,
        evaluated in extended precision, plus ``gap_floor``.
    relative_gap : float
        :math:`\bar G / \max(1, |P|)`: the one certified gap of this answer.
    radius : float
        :math:`r = \sqrt{2\bar G}`, rounded up. Certified:
        :math:`\|w - w^*\| \le r` (``proofs/T10``).
    gap_floor : float
        The part of :math:`\bar G` that bounds rounding: a priori bounds
        (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
        section 3.1, :math:`\gamma_k = ku/(1-ku)`) on the evaluation of the
        identity, of every margin :math:`m_i` and of :math:`Z^\top\alpha`, and
        :math:`(|b| + |b^*|)\,|y^\top\alpha|` for a dual point whose
        :math:`y^\top\alpha` is zero only to rounding.
    b_interval : tuple of float
        Certified to contain every optimal bias: the :math:`n_+`-th smallest
        :math:`t_i - \rho_i` and the :math:`(n_+ + 1)`-th smallest
        :math:`t_i + \rho_i`, with :math:`t_i = y_i - w^\top x_i`,
        :math:`\rho_i = r\|x_i\| + \delta_i` and :math:`\delta_i` the rounding
        bound of :math:`w^\top x_i` (``proofs/T09``). ``b`` itself is the
        candidate's; the solvers put it at the midpoint of
        :math:`\arg\min_b P(w, b)`, as LIBSVM does when the optimal bias is an interval.
    kkt : dict of str to float
        Residuals, each :math:`\ge 0` and 0 at an exact KKT point (the slack
        is eliminated, ``proofs/T00``, so there is no primal residual):

        * ``dual_box``: :math:`\max(0, -\min_i\alpha_i, \max_i(\alpha_i - C_i))`.
        * ``dual_equality``: :math:`|y^\top\alpha|` (correctly rounded).
        * ``stationarity``: :math:`\|w - \sum_i\alpha_i y_i x_i\|`.
        * ``complementarity``: :math:`\max_i [C_i\max(0, 1 - m_i) - \alpha_i(1 - m_i)]`;
          each bracket is :math:`\ge 0` and they sum to at most :math:`\bar G`.
    margin_range : tuple of ndarray
        ``(m_lo, m_hi)``: :math:`m^{lo}_i \le m_i^* \le m^{hi}_i` for every
        optimal :math:`(w^*, b^*)`, where
        :math:`m^{lo}_i = y_i w^\top x_i - \rho_i + \min(y_i b_{lo}, y_i b_{hi})`
        and :math:`m^{hi}_i = y_i w^\top x_i + \rho_i + \max(y_i b_{lo}, y_i b_{hi})`
        over ``b_interval`` (``proofs/T09``).
    non_support, bound_support, margin_support, undecided : ndarray of int
        The certified labels (:func:`dualsvm.certificates.support_labels`,
        ``proofs/T06``), read off ``margin_range`` alone:

        * ``non_support``: :math:`m^{lo}_i > 1`, which proves :math:`\alpha_i^* = 0` for every optimum;
        * ``bound_support``: :math:`m^{hi}_i < 1`, which proves :math:`\alpha_i^* = C_i` for every optimum;
        * ``margin_support``: the range contains 1 and is at most
          ``margin_tol`` wide, which proves :math:`|m_i^* - 1| \le m^{hi}_i - m^{lo}_i`
          (on the margin within ``margin_width``; it claims nothing about :math:`\alpha_i^*`);
        * ``undecided``: everything else.

        The solver's own reading of its ``alpha`` is :meth:`alpha_partition`; it is not certified.
    margin_tol : float
        Largest range width accepted for ``margin_support``.
    margin_width : float
        The largest :math:`m^{hi}_i - m^{lo}_i` among ``margin_support``.
    status : str
        One of :data:`STATUSES`. ``success`` is True exactly for
        ``"optimal"`` and ``"certified"``.
    success : bool
        The certificate meets the requested relative gap and the status is a success status.
    message : str
        One line: why the solver stopped, or the relative gap against its target.
    iterations : int
        The solver's iteration count (0 for an outside candidate).
    solve_time : float
        Wall-clock seconds of the solve (``nan`` for an outside candidate).
    extras : dict
        Raw solver information (statuses, timings, iteration counts).
    classes : ndarray of shape (2,)
        Original labels, for :meth:`predict`.
    margins : ndarray of shape (n,)
        The candidate's own margins :math:`m_i = y_i(w^\top x_i + b)`.
    C : ndarray of shape (n,)
        The problem's per-sample costs :math:`C_i` (``SVMProblem.costs``): the upper ends of the dual box.
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
    non_support: NDArray[np.intp]
    undecided: NDArray[np.intp]
    margin_range: tuple[Array, Array]
    margin_tol: float
    margin_width: float
    status: str
    success: bool
    message: str
    iterations: int
    solve_time: float
    extras: dict[str, Any] = field(default_factory=dict)
    classes: NDArray[Any] = field(default_factory=lambda: np.array([-1, 1]))
    margins: Array = field(default_factory=lambda: np.zeros(0))
    C: float = 1.0

    @property
    def support(self) -> NDArray[np.intp]:
        """Sorted indices labelled ``margin_support`` or ``bound_support`` (certified labels)."""
        return np.union1d(self.margin_support, self.bound_support)

    @property
    def n_samples(self) -> int:
        """n, the number of training points (the length of ``alpha``)."""
        return int(self.alpha.shape[0])

    def alpha_partition(self, tau: float | None = None) -> dict[str, NDArray[np.intp]]:
        r"""The solver's own reading of its ``alpha``: *not* certified.

        ``"free"``: :math:`\tau_i < \alpha_i < C_i - \tau_i`; ``"at_bound"``:
        :math:`\alpha_i \ge C_i - \tau_i`; ``"zero"``: :math:`\alpha_i \le \tau_i`.
        Default :math:`\tau_i = C_i\sqrt{\text{relative\_gap}}`. On an inaccurate
        candidate this reading can be wrong; the certified labels are
        ``margin_support``, ``bound_support`` and ``non_support``.

        Parameters
        ----------
        tau : float, optional
            One threshold :math:`\tau` for every point, in place of the default.

        Returns
        -------
        dict of str to ndarray of int
            Sorted indices under the keys ``"free"``, ``"at_bound"`` and ``"zero"``.
            With a large ``tau`` the sets can overlap.
        """
        C = self.C
        t = C * np.sqrt(self.relative_gap) if tau is None else float(tau)
        a = self.alpha
        return {
            "free": np.flatnonzero((a > t) & (a < C - t)),
            "at_bound": np.flatnonzero(a >= C - t),
            "zero": np.flatnonzero(a <= t),
        }

    def decision_function(self, X: ArrayLike) -> Array:
        r"""The decision function :math:`f(x) = w^\top x + b` for each row of ``X``.

        Parameters
        ----------
        X : array_like of shape (m, d)
            Points to evaluate.

        Returns
        -------
        ndarray of shape (m,)
            :math:`f(x_j) = w^\top x_j + b`.

        Raises
        ------
        ValueError
            If ``X`` is not two-dimensional with d columns.
        """
        X_ = np.asarray(X, dtype=np.float64)
        if X_.ndim != 2 or X_.shape[1] != self.w.shape[0]:
            raise ValueError(f"X must have shape (n, {self.w.shape[0]}), got {X_.shape}")
        return X_ @ self.w + self.b

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        r"""Predicted labels, in the problem's original labels.

        .. math:: \hat y(x) = \begin{cases} \text{classes[1]} & f(x) > 0 \\
           \text{classes[0]} & f(x) \le 0 \end{cases}

        Parameters
        ----------
        X : array_like of shape (m, d)
            Points to classify.

        Returns
        -------
        ndarray of shape (m,)
            One of ``classes`` per row (a tie, :math:`f(x) = 0`, gives ``classes[0]``).
        """
        return np.where(self.decision_function(X) > 0, self.classes[1], self.classes[0])

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python summary (lists and floats) for JSON.

        Returns
        -------
        dict of str to object
            Method, status, success, message, w, b, the objectives, the gaps, the radius,
            the b interval, the KKT residuals, the label counts, iterations and solve time
            (``None`` for a NaN time, which JSON cannot hold).
        """
        return {
            "method": self.method, "status": self.status, "success": bool(self.success),
            "message": self.message, "w": self.w.tolist(), "b": self.b,
            "primal_objective": self.primal_objective, "dual_objective": self.dual_objective,
            "duality_gap": self.duality_gap, "relative_gap": self.relative_gap,
            "radius": self.radius, "b_interval": list(self.b_interval), "kkt": dict(self.kkt),
            "n_margin_support": int(self.margin_support.size),
            "n_bound_support": int(self.bound_support.size),
            "n_undecided": int(self.undecided.size), "margin_width": self.margin_width,
            "n_non_support": int(self.non_support.size),
            "iterations": self.iterations,
            "solve_time": None if np.isnan(self.solve_time) else self.solve_time,  # JSON has no NaN
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
            ("certified labels", f"{self.margin_support.size} margin"
                                 + (f" (within {self.margin_width:.1e}), " if self.margin_support.size else ", ")
                                 + f"{self.bound_support.size} bound, {self.non_support.size} non-support, "
                                 f"{self.undecided.size} undecided"),
            ("kkt", ", ".join(f"{k}={v:.1e}" for k, v in self.kkt.items())),
            ("iterations", self.iterations),
            ("solve_time", "-" if np.isnan(self.solve_time) else f"{self.solve_time:.3g} s"),
        ]
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k.rjust(width)}: {v}" for k, v in rows)
