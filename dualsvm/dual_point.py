r"""A dual point for a candidate that has none, and :func:`certify` for any candidate.

The certificate itself (:func:`dualsvm.certificates.certificate`) is a pure
function of ``(problem, w, b, alpha)``: any dual-feasible ``alpha`` gives a
valid bound. Finding a *good* ``alpha`` for an outside candidate (scikit-learn's
``coef_`` and ``intercept_``, a hand calculation) is an optimization, so it
lives here, with the solvers: the interior-point method (:func:`dualsvm.solve_ipm`)
finds the optimal dual point in tens of data passes, and the optimal
:math:`\alpha^*` gives every candidate its tightest certificate,
:math:`G = P(w, b) - P^*` up to rounding. (Measured at 100k x 20 with one BLAS
thread: 2.3 s, half the time LinearSVC took to fit the candidate; README, Benchmarks.)
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .certificates import certificate
from .dual import solve_dual
from .exceptions import ConvergenceWarning
from .feasibility import project_dual
from .ipm import solve_ipm
from .operators import blas_threads
from .problem import SVMProblem
from .solution import Solution

__all__ = ["certify", "dual_point"]

Array = NDArray[np.float64]


def dual_point(problem: SVMProblem, w: ArrayLike, b: ArrayLike, alpha: ArrayLike | None = None) -> tuple[Array, str]:
    r"""The best dual-feasible :math:`\alpha` found for the candidate ``(w, b)``.

    Candidates, each projected onto :math:`\{0 \le \alpha_i \le C_i,\ y^\top\alpha = 0\}`:
    the supplied ``alpha``; the optimal dual point found by :func:`dualsvm.solve_ipm`
    (skipped when the supplied one already closes the gap to 1e-13), and
    :func:`dualsvm.solve_dual`'s when that one misses its target; and the naive
    rule :math:`\alpha_i = C_i\,[m_i < 1]`. The one with the
    largest :math:`D(\alpha)` is returned, with its name.
    """
    w_, b_ = problem._check_wb(w, b)
    m = problem.margins(w_, b_)
    P = problem.primal_objective(w_, b_)
    cands: list[tuple[str, Array]] = []
    if alpha is not None:
        cands.append(("supplied", project_dual(problem._check_alpha(alpha), problem.y, problem.costs)))
    if not cands or P - problem.dual_objective(cands[0][1]) > 1e-13 * max(1.0, abs(P)):
        with warnings.catch_warnings():  # an inaccurate dual point is still a valid one
            warnings.simplefilter("ignore", ConvergenceWarning)
            ipm = solve_ipm(problem)
            cands.append(("ipm", ipm.alpha))
            if not ipm.success:
                # Rare (ties on features of scale 1e3 left the IPM at a certified 7e-9): the OSQP route
                # with its working-set refinement reached 5e-11 there.
                cands.append(("dual", solve_dual(problem).alpha))
    cands.append(("naive", project_dual(np.where(m < 1.0, problem.costs, 0.0), problem.y, problem.costs)))
    k = int(np.argmax([problem.dual_objective(a) for _, a in cands]))
    return cands[k][1], cands[k][0]


def certify(
    problem: SVMProblem,
    w: ArrayLike,
    b: ArrayLike,
    alpha: ArrayLike | None = None,
    *,
    build_alpha: bool = True,
    **kwargs: Any,
) -> Solution:
    r"""Certify any candidate ``(w, b)`` against the soft-margin SVM.

    Parameters
    ----------
    problem : SVMProblem
        The problem the candidate is certified for.
    w : array_like of shape (d,) or (1, d)
        E.g. scikit-learn's ``coef_`` as it is.
    b : float or array_like of shape (1,)
        E.g. scikit-learn's ``intercept_`` as it is.
    alpha : array_like of shape (n,), optional
        Dual coefficients (not multiplied by y), if the candidate has them.
    build_alpha : bool, default True
        Search for a better dual point (:func:`dual_point`). With ``False``
        only the supplied ``alpha`` is used: the certificate is then the
        candidate's *own*.
    **kwargs
        Passed to :func:`dualsvm.certificates.certificate` (``target_gap``,
        ``margin_tol``, ``method``, ``status``, ...).

    Returns
    -------
    Solution
        ``status`` is ``"certified"`` when the relative gap meets
        ``target_gap`` (default 1e-8), else ``"inaccurate"``; ``success``
        says the same. ``extras["alpha_source"]`` names the dual point used.
    """
    if getattr(problem, "chunked", False):  # X on dask blocks
        a, source = _dual_point_chunked(problem, alpha, build_alpha)
    elif alpha is None or build_alpha:
        a, source = dual_point(problem, w, b, alpha)
    else:
        a, source = np.asarray(alpha, dtype=np.float64), "supplied"
    extras = {**(kwargs.pop("extras", None) or {}), "alpha_source": source}
    with blas_threads(1):  # gemv on one vector: a second BLAS thread only thrashes on a busy machine
        return certificate(problem, w, b, a, extras=extras, **kwargs)


def _dual_point_chunked(problem: SVMProblem, alpha: Any, build_alpha: bool) -> tuple[Any, str]:
    """:func:`dual_point` on a dask problem: the supplied alpha and solve_ipm's (when ``build_alpha``), the larger D.

    The naive rule and the OSQP fallback of the in-memory search are not used: solve_ipm runs on dask
    arrays and its dual point is the optimal one. One pass over X per candidate compares them.
    """
    from .chunked_certificate import project_dual_chunked

    cands: list[tuple[str, Any]] = [] if alpha is None else [("supplied", alpha)]
    if build_alpha or alpha is None:
        with warnings.catch_warnings():  # an inaccurate dual point is still a valid one
            warnings.simplefilter("ignore", ConvergenceWarning)
            cands.append(("ipm", solve_ipm(problem).alpha))
    if len(cands) == 1:
        return cands[0][1], cands[0][0]
    op = problem.operator()
    y, C = op.vector(problem.y), op.vector(problem.costs)
    best: tuple[float, Any, str] | None = None
    for name, a in cands:
        a_p, _ = project_dual_chunked(op, op.vector(np.asarray(a) if not hasattr(a, "dask") else a), y, C)
        v = op.rmatvec(y * a_p)
        D = float(a_p.sum().compute()) - 0.5 * float(v @ v)
        if best is None or D > best[0]:
            best = (D, a_p, name)
    assert best is not None
    return best[1], best[2]
