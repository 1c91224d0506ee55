r"""The dual box-constrained QP, solved by OSQP on a lifted formulation.

For the linear kernel the Gram matrix :math:`K = ZZ^\top` (``Z = diag(y) X``)
is never formed. Instead ``w`` is lifted as a variable:

.. math::

    \min_{\alpha, w}\ \tfrac12\|w\|^2 - 1^\top\alpha
    \quad\text{s.t.}\quad w - Z^\top\alpha = 0,\quad y^\top\alpha = 0,\quad
    0 \le \alpha \le C,

which is the dual of ``proofs/T03`` with :math:`\frac12\alpha^\top K\alpha =
\frac12\|Z^\top\alpha\|^2`. Memory is :math:`O(nd)`: the constraint matrix
has :math:`nd + 2n + d` non-zeros (:func:`lifted_dual`).

OSQP's answer is never trusted on its status alone: its default accuracy
(1e-3) is far too loose to identify support vectors, and a failed polish can
still report "solved" (osqp-python's ``info.status_polish``). The result's
own certificate decides. Each round is:

1. OSQP on the full lifted dual (warm-started after the first round);
2. an exact KKT solve on the active set read off its :math:`\alpha`;
3. if the certificate still misses ``target_gap``: the working-set
   refinement (:func:`dualsvm.working_set.refine`) from OSQP's own ``w`` and
   its ``b`` (the multiplier of :math:`y^\top\alpha = 0`), which freezes the
   points far from the margin and solves the dual on the rest exactly (the
   interior-point engine of :func:`dualsvm.solve_ipm`, then the KKT solve);
4. if that still misses: OSQP's tolerances are tightened 10x.

``b`` is never averaged over "free" points: it is the exact minimiser of
:math:`P(w, \cdot)` (``proofs/T09``), the midpoint when that is an interval.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import warnings
from typing import Any

import numpy as np
import osqp
import scipy.sparse as sp

from .certificates import certificate
from .exceptions import ConvergenceWarning, DualSVMError
from .problem import SVMProblem, check_max_iter, check_max_time, check_target_gap
from .solution import Solution
from .working_set import polish, refine

__all__ = ["solve_dual", "DEFAULT_OSQP_SETTINGS", "load_mkl_algebra", "choose_algebra"]

#: OSQP settings used unless overridden. Loose: the working-set refinement
#: starts from OSQP's own w and b, which are accurate long before its alpha
#: (measured on the benchmark data, one BLAS thread: eps 1e-2 without OSQP's
#: polish, then the refinement, reached a certified gap below 1e-18 in 0.27 s
#: at 10k x 20 and 2.3 s at 100k x 20, against 0.39 s and 4.2 s at eps 1e-3
#: with polish). Each further round tightens eps 10x.
DEFAULT_OSQP_SETTINGS: dict[str, Any] = {
    "eps_abs": 1e-2,
    "eps_rel": 1e-2,
    "polishing": False,
    "max_iter": 20_000,
    "verbose": False,
}

_OSQP_KEYS = frozenset({
    "rho", "sigma", "scaling", "adaptive_rho", "adaptive_rho_interval", "adaptive_rho_tolerance",
    "adaptive_rho_fraction", "max_iter", "eps_abs", "eps_rel", "eps_prim_inf", "eps_dual_inf",
    "alpha", "linsys_solver", "delta", "polishing", "polish_refine_iter", "verbose",
    "scaled_termination", "check_termination", "warm_starting", "time_limit",
    # OSQP's algebra and its indirect (PCG) linear solver (issue 13: memory linear in nnz)
    "algebra", "solver_type", "cg_preconditioner", "cg_max_iter", "cg_tol_reduction", "cg_tol_fraction",
})


#: The shared libraries osqp-mkl's extension links by name without an rpath, in load order: pip's
#: ``intel-openmp`` and ``mkl`` wheels put them in ``<prefix>/lib``, which is not on the loader path.
MKL_LIBRARIES = ("libiomp5.so", "libmkl_rt.so.2")
_MKL_INSTALL = "pip install 'dualsvm[mkl]' (osqp-mkl and mkl<2026, about 300 MB)"


def _mkl_library_dirs() -> list[str]:
    """Where pip puts the MKL wheels' shared libraries: ``<prefix>/lib`` of this environment and of ``--user``."""
    import site

    return list(dict.fromkeys([os.path.join(sys.prefix, "lib"), os.path.join(site.getuserbase(), "lib")]))


def _osqp_mkl_installed() -> bool:
    return importlib.util.find_spec("osqp_mkl") is not None


def load_mkl_algebra() -> None:
    """Make OSQP's ``"mkl"`` algebra loadable, without ``LD_LIBRARY_PATH``.

    osqp-mkl's extension links ``libmkl_rt.so.2`` and ``libiomp5.so`` by name
    and pip installs them outside the loader's search path, so a plain
    ``import osqp_mkl`` fails. When it does, this loads :data:`MKL_LIBRARIES`
    from :func:`_mkl_library_dirs` with ``ctypes`` (``RTLD_GLOBAL``; the loader
    then resolves osqp-mkl's references to them by name) and tries again.
    :func:`solve_dual` calls it only when ``algebra="mkl"`` is asked for:
    importing dualsvm, or solving with the builtin algebra, never loads MKL.

    Raises
    ------
    DualSVMError
        When osqp-mkl is not installed, or its libraries cannot be found or
        loaded; the message says what to install or where they were looked for.
    """
    if osqp.algebra_available("mkl"):  # already loaded, or on the loader path
        return
    if not _osqp_mkl_installed():
        raise DualSVMError(f"algebra='mkl' needs osqp-mkl, which is not installed: {_MKL_INSTALL}")
    import ctypes

    dirs, problems = _mkl_library_dirs(), []
    if sys.platform.startswith("linux"):
        for name in MKL_LIBRARIES:
            path = next((p for p in (os.path.join(d, name) for d in dirs) if os.path.exists(p)), None)
            if path is None:
                problems.append(f"{name} not found in {dirs}")
                continue
            try:
                ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
            except OSError as exc:
                problems.append(f"{path}: {exc}")
    if osqp.algebra_available("mkl"):
        return
    try:
        importlib.import_module("osqp_mkl")
        why = "osqp.algebra_available('mkl') is False"
    except ImportError as exc:
        why = str(exc)
    raise DualSVMError(
        f"algebra='mkl': osqp-mkl is installed but cannot load ({why}"
        + (f"; {'; '.join(problems)}" if problems else "")
        + f"). {_MKL_INSTALL} puts libmkl_rt.so.2 in {dirs[0]}; elsewhere, put its directory on LD_LIBRARY_PATH"
    )


#: The measured peak of OSQP's MKL indirect path on sparse X, bytes: 20 MB + 6.3 B, B one CSR copy of X
#: (``benchmarks/probe_osqp_mkl.md``).
_INDIRECT_BASE, _INDIRECT_PER_B = 20e6, 6.3


def choose_algebra(problem: SVMProblem) -> tuple[dict[str, str], str]:
    r"""The OSQP algebra and linear solver :func:`solve_dual` uses when ``algebra`` is not named, and why.

    The builtin algebra (QDLDL, a direct factor), unless ``X`` is sparse and
    the fill its factor can reach, a dense triangle of order
    :math:`m = \min(n, d + 1)` at 12 bytes an entry (:math:`6m^2`; text data
    fills it: every pair of documents sharing a word couples), exceeds the
    indirect path's measured peak, :math:`20\,\mathrm{MB} + 6.3B` (B one CSR
    copy of X). Then OSQP's MKL conjugate-gradient solver
    (``algebra="mkl", solver_type="indirect"``) when osqp-mkl can load
    (``pip install 'dualsvm[mkl]'``); without it the builtin algebra runs and
    a ``UserWarning`` says how much its factor may take.

    Parameters
    ----------
    problem : SVMProblem
        The problem.

    Returns
    -------
    (dict, str)
        The OSQP settings to add (empty for the builtin algebra) and the reason, recorded in
        ``extras["osqp_choice"]``.
    """
    if not problem.sparse:
        return {}, "dense X: builtin"
    X = problem.X
    m = min(problem.n, problem.d + 1)
    fill = 6.0 * m * m
    indirect = _INDIRECT_BASE + _INDIRECT_PER_B * (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes)
    sizes = f"a factor's fill 6 min(n, d + 1)^2 = {fill / 1e6:.3g} MB, the indirect path's {indirect / 1e6:.3g} MB"
    if fill <= indirect:
        return {}, f"sparse X: {sizes}: builtin"
    try:
        load_mkl_algebra()
    except DualSVMError as exc:
        warnings.warn(f"solve_dual on this sparse X: the builtin algebra's factor may take up to {fill / 1e6:.3g} MB "
                      f"({sizes}); {exc}. Or use solve_ipm, linear in nnz(X)", UserWarning, stacklevel=3)
        return {}, f"sparse X: {sizes}: builtin, MKL not available"
    return {"algebra": "mkl", "solver_type": "indirect"}, f"sparse X: {sizes}: mkl indirect"


def lifted_dual(problem: SVMProblem) -> tuple[sp.csc_matrix, np.ndarray, sp.csc_matrix, np.ndarray, np.ndarray]:
    """OSQP data ``(P, q, A, l, u)`` of the lifted dual; variables ``x = [alpha, w]``."""
    n, d, C = problem.n, problem.d, problem.costs
    Z = problem.y[:, None] * problem.X
    P = sp.block_diag([sp.csc_matrix((n, n)), sp.identity(d)], format="csc")
    q = np.concatenate([-np.ones(n), np.zeros(d)])
    A = sp.vstack([
        sp.hstack([sp.csc_matrix(-Z.T), sp.identity(d)]),
        sp.hstack([sp.csc_matrix(problem.y[None, :]), sp.csc_matrix((1, d))]),
        sp.hstack([sp.identity(n), sp.csc_matrix((n, d))]),
    ], format="csc")
    lo = np.zeros(d + 1 + n)
    hi = np.concatenate([np.zeros(d + 1), C])
    return P, q, A, lo, hi


def solve_dual(
    problem: SVMProblem,
    *,
    target_gap: float = 1e-8,
    refine_working_set: bool = True,
    max_rounds: int = 4,
    max_time: float | None = None,
    **osqp_options: Any,
) -> Solution:
    r"""Solve the dual QP with OSQP and certify the answer.

    Parameters
    ----------
    problem : SVMProblem
        The problem to solve.
    target_gap : float, default 1e-8
        Required relative duality gap :math:`G/\max(1,|P|)`. About 1e-9 is
        needed to identify the support vectors reliably.
    refine_working_set : bool, default True
        Run the working-set refinement when OSQP plus polish misses the
        target. With ``False`` the answer is OSQP's alone (plus the exact KKT
        polish), as for a study of OSQP itself.
    max_rounds : int, default 4
        OSQP solves at most, each warm-started with 10x tighter tolerances.
    max_time : float, optional
        Wall-clock budget in seconds (OSQP's ``time_limit`` for the time
        left; no new round starts once it is spent). ``max_iter`` (an OSQP
        option) is the iteration budget of each round.
    **osqp_options
        OSQP settings (``eps_abs``, ``max_iter``, ``rho``, ...), overriding
        :data:`DEFAULT_OSQP_SETTINGS`. Unknown keys raise :class:`DualSVMError`.
        ``algebra`` (default: :func:`choose_algebra`, i.e. ``"builtin"``, pinned:
        osqp would otherwise pick ``"mkl"`` whenever osqp-mkl loads, except on
        sparse X whose direct factor could fill beyond the indirect path's
        memory: then ``"mkl"`` and ``"indirect"`` when osqp-mkl is installed,
        else a warning) with ``solver_type="indirect"``
        and the ``cg_*`` settings runs OSQP's MKL conjugate-gradient solver
        on the reduced KKT system, matrix-free: memory linear in nnz(X) on
        sparse data, where the direct factor fills the n x n block
        (``benchmarks/probe_osqp_mkl.md``). It needs ``pip install
        'dualsvm[mkl]'`` (osqp-mkl and ``mkl<2026``); :func:`load_mkl_algebra`
        loads MKL from the environment's ``lib`` directory when it is asked
        for, so ``LD_LIBRARY_PATH`` is not needed.

    Returns
    -------
    Solution
        ``status`` is ``"optimal"`` when the certificate meets
        ``target_gap``; otherwise ``"max_time"`` or ``"max_iter"`` when a
        budget stopped OSQP, else ``"inaccurate"``, and a
        :class:`ConvergenceWarning` is issued. ``extras["rounds"]`` records
        each round's OSQP status, iterations and gaps; ``extras["osqp"]`` names
        the algebra and linear solver that ran, ``extras["osqp_choice"]`` why.
    """
    problem.check_in_memory("solve_dual (OSQP)")
    unknown = sorted(set(osqp_options) - _OSQP_KEYS)
    if unknown:
        raise DualSVMError(f"unknown keyword(s) {unknown} for solve_dual; it takes target_gap, refine_working_set, "
                           f"max_rounds, max_time and the OSQP settings {sorted(_OSQP_KEYS)}")
    target_gap = check_target_gap(target_gap)
    if int(max_rounds) < 1:
        raise DualSVMError(f"max_rounds must be >= 1, got {max_rounds!r}")
    max_time = check_max_time(max_time)
    if "max_iter" in osqp_options:
        osqp_options["max_iter"] = check_max_iter(osqp_options["max_iter"])
    if "algebra" in osqp_options:
        chosen, choice = {}, "named by the caller"
    else:
        chosen, choice = choose_algebra(problem)
    settings = {**DEFAULT_OSQP_SETTINGS, **chosen, **osqp_options}
    algebra = settings.get("algebra", "builtin")
    if algebra == "mkl":
        load_mkl_algebra()  # only here: MKL is loaded when asked for, never at import
    elif algebra != "builtin" and algebra not in osqp.algebras_available():
        raise DualSVMError(f"algebra must be one of osqp.algebras_available() = {osqp.algebras_available()} "
                           f"or 'mkl' (with {_MKL_INSTALL}), got {algebra!r}")
    t0 = time.perf_counter()
    best: tuple[np.ndarray, float, np.ndarray, float] | None = None
    rounds: list[dict[str, Any]] = []

    def scale(gap: float, w: np.ndarray, b: float) -> float:
        return gap / max(1.0, abs(problem.primal_objective(w, b)))

    # Pinned: osqp prefers 'mkl' whenever osqp-mkl imports, which would silently swap QDLDL for Pardiso.
    solver = osqp.OSQP(algebra=algebra)
    solver.setup(*lifted_dual(problem), **{k: v for k, v in settings.items() if k != "algebra"})
    n = problem.n
    budget_hit = ""
    for rnd in range(int(max_rounds)):
        if max_time is not None:  # the first round always runs, so there is an answer to certify
            left = max_time - (time.perf_counter() - t0)
            if left <= 0 and rnd:
                budget_hit = "max_time"
                break
            solver.update_settings(time_limit=max(left, 1e-3))
        res = solver.solve(raise_error=False)
        status_text = str(res.info.status).lower()
        if "time limit" in status_text:
            budget_hit = "max_time"
        elif "maximum iterations" in status_text or "max_iter" in status_text:
            budget_hit = "max_iter"
        info = {
            "round": rnd, "eps": settings["eps_abs"], "status": str(res.info.status),
            "iter": int(res.info.iter), "status_polish": int(res.info.status_polish),
            "prim_res": float(res.info.prim_res), "dual_res": float(res.info.dual_res),
        }
        rounds.append(info)
        x = res.x
        if x is not None and np.all(np.isfinite(x[:n])):
            cand = polish(problem, x[:n])
            info["relative_gap"] = scale(cand[3], cand[0], cand[1])
            if best is None or cand[3] < best[3]:
                best = cand
            if refine_working_set and info["relative_gap"] > target_gap:
                # From OSQP's own w and b (the multiplier of y^T alpha = 0), not from Z^T alpha:
                # ADMM's w is accurate long before its alpha is (measured at 10k x 20, eps 1e-3:
                # ||w - w*|| = 7e-4 against 2.0 for Z^T alpha; 0.2 % of the margins on the wrong side of 1, against 28 %).
                ref = refine(problem, x[n:], float(res.y[problem.d]), target_gap=target_gap,
                             deadline=None if max_time is None else t0 + max_time)
                info.update(refine=ref.info, refined_relative_gap=scale(ref.gap, ref.w, ref.b))
                if ref.gap < best[3]:
                    best = (ref.w, ref.b, ref.alpha, ref.gap)
            solver.warm_start(x=x, y=res.y)
        if best is not None and scale(best[3], best[0], best[1]) <= target_gap:
            break
        settings["eps_abs"] *= 0.1
        settings["eps_rel"] *= 0.1
        solver.update_settings(eps_abs=settings["eps_abs"], eps_rel=settings["eps_rel"])
    elapsed = time.perf_counter() - t0
    if best is None:
        raise DualSVMError(f"OSQP returned no solution: {rounds[-1]['status']}")
    w, b, a, _ = best
    sol = certificate(
        problem, w, b, a, method="dual", status="optimal",
        iterations=sum(r["iter"] for r in rounds), solve_time=elapsed,
        extras={"rounds": rounds, "settings": settings, "osqp": str(solver), "osqp_choice": choice},
        target_gap=target_gap,
    )
    if not sol.success:
        sol.status = budget_hit or "inaccurate"
        sol.message = (
            f"OSQP stopped at relative gap {sol.relative_gap:.3g} > target {target_gap:.3g} "
            f"after {len(rounds)} round(s); raise max_rounds or max_iter, or standardize X if it is not"
        )
        warnings.warn(sol.message, ConvergenceWarning, stacklevel=2)
    return sol
