r"""The primal hinge QP with explicit slacks, modelled in cvxpy.

.. math::

    \min_{w, b, \xi}\ \tfrac12\|w\|^2 + C\,1^\top\xi
    \quad\text{s.t.}\quad y_i(w^\top x_i + b) \ge 1 - \xi_i,\quad \xi \ge 0.

Writing the slacks out (rather than ``cp.pos(1 - ...)``) makes the margin
constraints' ``dual_value`` the SVM dual :math:`\alpha` (cvxpy's SVM example,
``doc/source/examples/machine_learning/svm.rst``, uses the compact form and
so loses :math:`\alpha`).

The default solver is Clarabel: an interior-point method that ships with
cvxpy and reaches gaps near 1e-10 when asked, where first-order solvers
(OSQP, SCS) stall around 1e-4 to 1e-6 and leave the support set ambiguous.

**Sparse X** (issue 13). Clarabel factors the KKT matrix of the slack form,
and on text-shaped data its factor fills the block of the n margin
constraints (every pair of documents sharing a word couples): up to
:math:`6\min(n, d+1)^2` bytes, 15 GB at n = d = 50,000. So when ``X`` is
sparse, no solver is named and that fill could exceed SCS's workspace
(:func:`choose_solver`), the QP goes to SCS with its indirect linear solver
(``use_indirect=True``: preconditioned conjugate gradients on
:math:`\rho_x I + P + A^\top R_y^{-1} A`, matrix-free), whose memory, with
cvxpy's canonicalization, is linear in nnz(X) + n + d
(``benchmarks/probe_primal_scs.md``). Its ADMM answer is loose (tolerance
1e-5); the exact KKT polish and the working-set refinement below finish it.

**Representer form** (``form="representer"``, issue 12). For a kernel problem
the function is :math:`f = \sum_j \beta_j k(x_j, \cdot)`, and the QP is over
:math:`(\beta, b, \xi)`:

.. math::

    \min_{\beta, b, \xi}\ \tfrac12\|L^\top\beta\|^2 + \textstyle\sum_i C_i\xi_i
    \quad\text{s.t.}\quad y_i\bigl((LL^\top\beta)_i + b\bigr) \ge 1 - \xi_i,\quad \xi \ge 0,

with :math:`K \approx LL^\top` the problem's factor (``problem.X``): the
quadratic term :math:`\beta^\top K\beta` is given to cvxpy as a sum of
squares through the factor, never as ``quad_form(beta, K)`` on a matrix that
rounding can leave indefinite (cvxpy#2362). It is the slack form in
:math:`w = L^\top\beta` (``proofs/T15``), so it has the same optimum, and its
answer is certified as :math:`(w, b)` with :math:`w = L^\top\beta`;
``extras["beta"]`` keeps :math:`\beta` (one of many when the rank of
:math:`L` is below n). A linear problem is accepted too (:math:`L = X`, the
dual-form primal :math:`w = X^\top\beta`).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import replace
from typing import Any

import cvxpy as cp
import numpy as np

from .certificates import certificate
from .exceptions import ConvergenceWarning, DualSVMError
from .problem import SVMProblem, check_max_iter, check_max_time, check_target_gap
from .solution import Solution
from .working_set import polish, refine

__all__ = ["solve_primal", "choose_solver", "DEFAULT_SOLVER", "SCS_INDIRECT", "SCS_WORKSPACE_VECTORS"]

DEFAULT_SOLVER = "CLARABEL"
#: The formulations of :func:`solve_primal`.
FORMS = ("slack", "representer")
_CLARABEL_TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10, "tol_ktratio": 1e-8}
#: SCS's settings when :func:`choose_solver` picks it: the indirect (CG) linear solver, cvxpy's
#: default tolerances (1e-5) written out; the polish and the refinement finish its answer.
SCS_INDIRECT: dict[str, Any] = {"use_indirect": True, "eps_abs": 1e-5, "eps_rel": 1e-5}
#: SCS's measured workspace, in float vectors of length n + d (``benchmarks/probe_primal_scs.md``:
#: peak about 12 B + 300 V with B one CSR copy of X and V = 8(n + d) bytes). About 150 are the
#: eigenvectors and Lanczos window SCS 3.3's indirect solver deflates its CG with (``SCS_DEFLATE=0``
#: in the environment turns that off), the rest Anderson acceleration's and the iterates'.
SCS_WORKSPACE_VECTORS = 300


def choose_solver(problem: SVMProblem, form: str = "slack") -> tuple[str, str]:
    r"""The cvxpy solver :func:`solve_primal` uses when none is named, and why.

    Clarabel, unless ``X`` is sparse, the form is ``"slack"`` and the fill its
    LDL factor can reach exceeds SCS's workspace:

    .. math::

        6\,m^2 > 8 \cdot 300\,(n + d), \qquad m = \min(n, d + 1),

    then SCS with its indirect linear solver (:data:`SCS_INDIRECT`). The left
    side is a dense triangle of order :math:`m` at 12 bytes an entry (value
    and row index): the block of the n margin rows, or of the d + 1 columns of
    ``(w, b)``, whichever an ordering eliminates last, which text-shaped data
    fills (``benchmarks/probe_primal_scs.md``: Clarabel's peak grew by about
    11 bytes per :math:`m^2`, so the rule errs towards Clarabel). The right side is SCS's measured workspace,
    :data:`SCS_WORKSPACE_VECTORS` vectors of length n + d; both hold about a
    dozen copies of X besides, which cancel. Crossover near
    :math:`m = 800` when n = d.

    Returns
    -------
    (str, str)
        The solver's name and the reason, as recorded in ``extras["solver_choice"]``.
    """
    if not problem.sparse:
        return DEFAULT_SOLVER, "dense X"
    if form != "slack":
        return DEFAULT_SOLVER, f"form={form!r}"
    m = min(problem.n, problem.d + 1)
    fill, scs = 6 * m * m, 8 * SCS_WORKSPACE_VECTORS * (problem.n + problem.d)
    if fill > scs:
        return "SCS", (f"sparse X: a factor's fill 6 min(n, d + 1)^2 = {fill / 1e6:.3g} MB > SCS's workspace "
                       f"{scs / 1e6:.3g} MB: SCS indirect")
    return DEFAULT_SOLVER, (f"sparse X: a factor's fill 6 min(n, d + 1)^2 = {fill / 1e6:.3g} MB <= SCS's workspace "
                            f"{scs / 1e6:.3g} MB")


def solve_primal(
    problem: SVMProblem,
    *,
    solver: str | None = None,
    form: str = "slack",
    target_gap: float = 1e-8,
    refine_working_set: bool = True,
    max_iter: int | None = None,
    max_time: float | None = None,
    **solver_options: Any,
) -> Solution:
    r"""Solve the primal hinge QP with cvxpy and certify the answer.

    Parameters
    ----------
    problem : SVMProblem
        The problem to solve.
    solver : str, optional
        Any installed cvxpy solver that accepts QPs (``cp.installed_solvers()``).
        Default: :func:`choose_solver`, i.e. :data:`DEFAULT_SOLVER` (Clarabel,
        with tolerances 1e-10), except on sparse X in the slack form when
        Clarabel's factor could fill in beyond SCS's workspace,
        :math:`\min(n, d+1)^2 > 400(n + d)`: then SCS with its indirect
        linear solver (:data:`SCS_INDIRECT`), memory linear in nnz(X) + n + d.
        Name ``solver="CLARABEL"`` to keep Clarabel. ``extras["solver"]`` and
        ``extras["solver_choice"]`` record the solver and why.
    form : {"slack", "representer"}, default "slack"
        ``"slack"``: variables :math:`(w, b, \xi)`. ``"representer"``: variables
        :math:`(\beta, b, \xi)`, :math:`f = \sum_j\beta_j k(x_j, \cdot)`, with
        :math:`\beta^\top K\beta = \|L^\top\beta\|^2` through the factor (module
        docstring); ``w`` is :math:`L^\top\beta` and ``extras["beta"]`` is
        :math:`\beta`. n + 1 + n variables: meant for small kernel problems.
    target_gap : float, default 1e-8
        Required relative duality gap of the certificate.
    refine_working_set : bool, default True
        If the solver's answer misses ``target_gap``, run the working-set
        refinement (:func:`dualsvm.working_set.refine`) from its margins;
        recorded in ``extras["refined"]``.
    max_iter, max_time : optional
        Budgets (solver iterations; wall-clock seconds) passed to Clarabel as
        ``max_iter`` and ``time_limit``, to SCS as ``max_iters`` and
        ``time_limit_secs``. Only for those two; other solvers take their own
        options through ``**solver_options``.
    **solver_options
        Passed to ``cvxpy.Problem.solve``, for the solver named or chosen
        (over :data:`SCS_INDIRECT` when SCS is chosen).

    Returns
    -------
    Solution
        ``alpha`` is the (projected) ``dual_value`` of the margin constraints.
        ``extras`` has cvxpy's status, ``solver``, ``solver_choice``,
        ``compile_time``, ``solver_time``, ``form``, ``solver_relative_gap``
        (the certificate of the solver's own answer, before the polish and
        the refinement) and ``beta`` for the representer form.
        A solver failure or a missed target gives ``status != "optimal"`` and
        a :class:`ConvergenceWarning`.
    """
    problem.check_in_memory("solve_primal (cvxpy)")
    if not isinstance(form, str) or form not in FORMS:
        raise DualSVMError(f"form must be one of {list(FORMS)}, got {form!r}")
    if solver is None:
        name, choice = choose_solver(problem, form)
    elif isinstance(solver, str):
        name, choice = solver.upper(), "named by the caller"
    else:
        raise DualSVMError(f"solver must be a string naming an installed cvxpy solver {cp.installed_solvers()}, got {solver!r}")
    if name not in cp.installed_solvers():
        raise DualSVMError(f"solver must be one of the installed cvxpy solvers {cp.installed_solvers()}, got {solver!r}")
    if (max_iter is not None or max_time is not None) and name not in ("CLARABEL", "SCS"):
        raise DualSVMError(f"max_iter and max_time apply to solver='CLARABEL' or 'SCS' only, got solver={solver!r}")
    target_gap = check_target_gap(target_gap)
    max_iter = check_max_iter(max_iter)
    max_time = check_max_time(max_time)
    if name == "CLARABEL":
        budgets = {"max_iter": max_iter, "time_limit": max_time}
        solver_options = {**_CLARABEL_TIGHT, **{k: v for k, v in budgets.items() if v is not None}, **solver_options}
    elif name == "SCS":
        budgets = {"max_iters": max_iter, "time_limit_secs": max_time}
        chosen = SCS_INDIRECT if solver is None else {}
        solver_options = {**chosen, **{k: v for k, v in budgets.items() if v is not None}, **solver_options}
    X, y, n, d = problem.X, problem.y, problem.n, problem.d
    t0 = time.perf_counter()
    b, xi = cp.Variable(), cp.Variable(n)
    if form == "representer":
        beta = cp.Variable(n)
        w = X.T @ beta  # w = L^T beta: beta^T K beta as ||L^T beta||^2, a sum of squares (never quad_form on K)
    else:
        w = cp.Variable(d)
    margin = cp.multiply(y, X @ w + b) >= 1 - xi
    loss = problem.C * cp.sum(xi) if not problem.weighted else problem.costs @ xi
    prob = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(w) + loss), [margin, xi >= 0])
    try:
        with warnings.catch_warnings():  # "Solution may be inaccurate": reported through the status below
            warnings.simplefilter("ignore", UserWarning)
            prob.solve(solver=name, **solver_options)
    except cp.error.SolverError as exc:
        raise DualSVMError(f"cvxpy solver {name} failed: {exc}") from None
    except TypeError as exc:  # unknown keyword for the chosen solver
        raise DualSVMError(f"bad option for solver {name}: {exc}") from None
    elapsed = time.perf_counter() - t0
    stats = prob.solver_stats
    extras: dict[str, Any] = {
        "cvxpy_status": prob.status, "solver": name, "solver_choice": choice, "solver_options": dict(solver_options),
        "compile_time": getattr(prob, "compilation_time", None),
        "solver_time": stats.solve_time, "refined": False, "polished": False, "form": form,
    }
    if form == "representer" and beta.value is not None:
        extras["beta"] = np.asarray(beta.value, dtype=float)
    if w.value is None or margin.dual_value is None:
        raise DualSVMError(f"cvxpy solver {name} returned no solution (status {prob.status!r})")
    w_, b_ = np.asarray(w.value, dtype=float), float(b.value)
    alpha = np.asarray(margin.dual_value, dtype=float).reshape(-1)
    cert = certificate(problem, w_, b_, alpha, target_gap=target_gap)
    extras["solver_relative_gap"] = float(cert.relative_gap)
    # The exact finish shared with solve_dual: a KKT solve on the active set read off alpha.
    pw, pb, pa, _ = polish(problem, alpha)
    cert_p = certificate(problem, pw, pb, pa, target_gap=target_gap)
    if cert_p.duality_gap <= cert.duality_gap:
        w_, b_, alpha, cert = pw, pb, pa, cert_p
        extras["polished"] = True
    if refine_working_set and cert.relative_gap > target_gap:
        ref = refine(problem, w_, b_, target_gap=target_gap)
        cert2 = certificate(problem, ref.w, ref.b, ref.alpha, target_gap=target_gap)
        if cert2.relative_gap < cert.relative_gap:
            w_, b_, alpha, cert = ref.w, ref.b, ref.alpha, cert2
            extras.update(refined=True, refine=ref.info)
    ok = cert.relative_gap <= target_gap  # the certificate decides, not the solver's status
    if ok:
        status = "optimal"
    elif (max_iter is not None or max_time is not None) and prob.status in (cp.USER_LIMIT, cp.OPTIMAL_INACCURATE):
        status = "max_time" if max_time is not None and elapsed >= max_time else "max_iter"
    else:
        status = "inaccurate" if prob.status in cp.settings.SOLUTION_PRESENT else "solver_error"
    sol = replace(
        cert, method="primal", status=status, success=bool(ok), iterations=int(stats.num_iters or 0),
        solve_time=elapsed, extras={**cert.extras, **extras},
    )
    if not ok:
        sol.message = (
            f"cvxpy status {prob.status!r}, relative gap {sol.relative_gap:.3g} (target {target_gap:.3g}); "
            + ("raise max_iter or max_time, " if status in ("max_iter", "max_time") else "")
            + ("try tighter solver tolerances or " if name == "CLARABEL"
               else "try smaller eps_abs and eps_rel, solver='CLARABEL' (memory up to 6 min(n, d + 1)^2 bytes on sparse X) or "
               if name == "SCS" else "try solver='CLARABEL' or ")
            + "standardize X if it is not"
        )
        warnings.warn(sol.message, ConvergenceWarning, stacklevel=2)
    return sol
