r"""Kernels, and the pivoted Cholesky factor that turns a kernel SVM into a linear one.

A kernel SVM with Gram matrix :math:`K` (:math:`K_{ij} = k(x_i, x_j)`, positive
semidefinite) is solved as the linear SVM on the rows of a factor
:math:`L \in \mathbb{R}^{n \times r}` with :math:`K = LL^\top + E`,
:math:`E \succeq 0` and :math:`\operatorname{tr} E \le` ``tol`` :math:`\cdot\operatorname{tr} K`
(``proofs/T14``). The factor is the greedy, diagonal-pivoting partial
Cholesky: at each step the point with the largest residual diagonal becomes a
pivot, and only its kernel column :math:`k(X, x_p)` is computed. The pivots
:math:`P` and :math:`L_P = L[P, :]` (lower triangular) define the Nyström map

.. math::

    \varphi(x) = L_P^{-1}\, k(x_P, x),

which gives :math:`\varphi(x_i) = L_i` on the training points (in exact
arithmetic), so :math:`f(x) = \varphi(x)^\top w + b` is the RKHS function whose
training values the linear solvers see, with :math:`\|f\|_{\mathcal H} = \|w\|`.

Kernels follow scikit-learn's conventions (``sklearn.metrics.pairwise``):

* ``"linear"``: :math:`\langle x, x'\rangle`;
* ``"rbf"``: :math:`\exp(-\gamma\|x - x'\|^2)`;
* ``"poly"``: :math:`(\gamma\langle x, x'\rangle + c_0)^{\text{degree}}`;
* ``"sigmoid"``: :math:`\tanh(\gamma\langle x, x'\rangle + c_0)`;
* ``"precomputed"``: ``X`` is the :math:`n \times n` Gram matrix itself (its upper triangle, mirrored:
  a Gram computed in floating point is often symmetric only up to rounding);
* a callable ``k(A, B)`` returning the ``(len(A), len(B))`` Gram block.

``gamma="scale"`` is :math:`1/(d\cdot\operatorname{var}(X))` (1 when the variance
is 0) and ``"auto"`` is :math:`1/d`.

**Positive semidefiniteness.** ``"linear"``, ``"rbf"`` and ``"poly"`` with
``coef0 >= 0`` are PSD for every data set. For the others (``"sigmoid"``,
``"poly"`` with ``coef0 < 0``, ``"precomputed"``, a callable) the smallest
eigenvalue of :math:`K` is computed, and a Gram matrix with
:math:`\lambda_{\min} < -10^{-12}\, n \max(1, \lambda_{\max})` (more negative than
rounding) is **refused** with a :class:`~dualsvm.DualSVMError` naming
:math:`\lambda_{\min}`: the SVM with an indefinite kernel is not convex, and no
certificate holds for it. To solve a shifted problem, pass
``kernel="precomputed"`` with :math:`K + sI` yourself: the shift is then yours
and stated.

**Memory.** Kernel blocks (columns, the diagonal, rows of new points, the Gram
for the eigenvalue check) never take more than ``memory_budget`` bytes
(default 1 GiB); the factor :math:`L` itself is held to the same budget, so the
rank is at most ``memory_budget / (8 n)``.

**Exact-Gram fallback.** A kernel whose numerical rank is higher than that
is *not* refused: the factor stops at the budget's rank, a
:class:`~dualsvm.ConvergenceWarning` says so, and the certificate then
evaluates the residual's share of the dual exactly,
:math:`v^\top E v = v^\top K v - \|L^\top v\|^2` with :math:`v = y\circ\alpha`
(:meth:`KernelFactor.residual_quadratic`: the exact Gram in row blocks within
the budget, :math:`n^2` kernel values per certificate, rounding bounded),
instead of the bound :math:`(\sum_i\alpha_i\sqrt{E_{ii}})^2`, which a coarse
factor makes useless (``proofs/T15``). The solvers still solve the SVM on the
truncated factor: the certified gap is then exact for the true kernel problem,
and as large as the truncation makes it.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .exceptions import ConvergenceWarning, DualSVMError

__all__ = ["KERNELS", "KernelFactor", "kernel_matrix", "kernel_block", "factorize", "pivoted_cholesky", "pointwise_bound",
           "expansion_certificate", "dual_lower_bound", "certify_expansion", "resolve_gamma"]

Array = NDArray[np.float64]
KernelFn = Callable[[Array, Array], Any]

#: The kernels known by name.
KERNELS = ("linear", "rbf", "poly", "sigmoid", "precomputed")
#: Default budget in bytes for kernel blocks and for the factor: 1 GiB.
DEFAULT_MEMORY_BUDGET = 2**30
#: Default stopping tolerance of the factor: trace(E) <= tol * trace(K).
DEFAULT_TOL = 1e-12
_U = np.finfo(np.float64).eps / 2
#: Above this n the eigenvalue check uses Lanczos (scipy's eigsh) instead of a full eigvalsh.
_DENSE_EIG_MAX = 3000


def _gamma_k(k: float) -> float:
    """Higham's :math:`\\gamma_k = ku/(1-ku)`."""
    return k * _U / (1.0 - k * _U)


def _is_real(v: Any) -> bool:
    return not isinstance(v, (bool, np.bool_)) and isinstance(v, numbers.Real)


def resolve_gamma(gamma: Any, X: Array) -> float:
    """scikit-learn's ``gamma``: ``"scale"`` = 1/(d var X) (1 if var X = 0), ``"auto"`` = 1/d, or a number > 0.

    Parameters
    ----------
    gamma : "scale", "auto" or float
        The parameter as given.
    X : ndarray of shape (n, d)
        The training features.

    Returns
    -------
    float
        The value of gamma.
    """
    d = X.shape[1]
    if isinstance(gamma, str):
        if gamma == "scale":
            var = float(X.var())
            return 1.0 / (d * var) if var > 0 else 1.0
        if gamma == "auto":
            return 1.0 / d
        raise DualSVMError(f"gamma must be 'scale', 'auto' or a finite number > 0, got {gamma!r}")
    if not _is_real(gamma) or not np.isfinite(gamma) or gamma <= 0:
        raise DualSVMError(f"gamma must be 'scale', 'auto' or a finite number > 0, got {gamma!r}")
    return float(gamma)


def _check_params(kernel: Any, degree: Any, coef0: Any) -> None:
    if not callable(kernel) and not (isinstance(kernel, str) and kernel in KERNELS):
        raise DualSVMError(f"kernel must be one of {list(KERNELS)} or a callable k(A, B) -> Gram, got {kernel!r}")
    if not isinstance(degree, (int, np.integer)) or isinstance(degree, (bool, np.bool_)) or degree < 0:
        raise DualSVMError(f"degree must be an integer >= 0, got {degree!r}")
    if not _is_real(coef0) or not np.isfinite(coef0):
        raise DualSVMError(f"coef0 must be a finite real number, got {coef0!r}")


def kernel_matrix(kernel: str | KernelFn, A: ArrayLike, B: ArrayLike, *, gamma: float = 1.0, degree: int = 3,
                  coef0: float = 0.0) -> Array:
    """The Gram block :math:`k(a_i, b_j)`, shape ``(len(A), len(B))``, in scikit-learn's conventions.

    Parameters
    ----------
    kernel : {"linear", "rbf", "poly", "sigmoid"} or callable
        Not ``"precomputed"``. A callable's output is checked: shape ``(len(A), len(B))`` and finite.
    A : array_like of shape (m, d)
        First points.
    B : array_like of shape (k, d)
        Second points.
    gamma : float, default 1.0
        A number already (see :func:`resolve_gamma`).
    degree : int, default 3
        Of ``"poly"``.
    coef0 : float, default 0.0
        Of ``"poly"`` and ``"sigmoid"``.

    Returns
    -------
    ndarray of shape (m, k)
        The Gram block.
    """
    return _evaluate(kernel, np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64), gamma, degree, coef0,
                     error=False)[0]


def kernel_block(kernel: str | KernelFn, A: ArrayLike, B: ArrayLike, *, gamma: float = 1.0, degree: int = 3,
                 coef0: float = 0.0) -> tuple[Array, Array]:
    r"""The Gram block of :func:`kernel_matrix` and an a priori bound on its rounding, entry by entry.

    The bound :math:`\Delta_{ij} \ge |\mathrm{fl}(k(a_i, b_j)) - k(a_i, b_j)|` compares the
    computed value with the kernel evaluated exactly on the same float inputs
    (``proofs/T14``, "Kernel values in floating point"). With
    :math:`g_{ij} = \mathrm{fl}(a_i^\top b_j)`, :math:`\bar g_{ij} = |a_i|^\top|b_j|` and
    Higham's :math:`\gamma_k = ku/(1 - ku)`:

    * linear: :math:`\gamma_{d+4}\,\bar g`;
    * rbf (computed as :math:`\exp(-\gamma\max(0, \|a\|^2 + \|b\|^2 - 2g))`):
      :math:`\delta_q = \gamma_{d+4}(\|a\|^2 + \|b\|^2 + 2\bar g)`, :math:`\delta_t = \gamma(\delta_q + 2u\hat q)`,
      :math:`\Delta = (\hat k + \nu)(\operatorname{expm1}(\delta_t) + \epsilon_f)/(1 - \epsilon_f)`;
    * poly: :math:`\delta_\beta = |\gamma|\gamma_{d+4}\bar g + \gamma_3(|\gamma g| + |c_0|)` on the base
      :math:`\hat\beta = \gamma g + c_0`, then :math:`\Delta = p(|\hat\beta| + \delta_\beta)^{p-1}\delta_\beta
      + \epsilon_f|\hat k|/(1 - \epsilon_f)` (0 for :math:`p = 0`);
    * sigmoid: :math:`\delta_\beta + \epsilon_f|\hat k|/(1 - \epsilon_f)` (tanh is 1-Lipschitz);
    * a callable: 0 (its values define the kernel).

    :math:`\epsilon_f = 8u` is the assumed relative error of numpy's ``exp``,
    ``tanh`` and power (4 ulps; checked against mpmath in the tests) and
    :math:`\nu` twice the smallest subnormal (``exp`` underflowing). Each
    bound is inflated by :math:`1 + \gamma_{16}` for its own evaluation.

    Parameters
    ----------
    kernel : {"linear", "rbf", "poly", "sigmoid"} or callable
        As :func:`kernel_matrix`.
    A : array_like of shape (m, d)
        First points.
    B : array_like of shape (k, d)
        Second points.
    gamma : float, default 1.0
        A number already.
    degree : int, default 3
        Of ``"poly"``.
    coef0 : float, default 0.0
        Of ``"poly"`` and ``"sigmoid"``.

    Returns
    -------
    K : ndarray of shape (m, k)
        ``kernel_matrix(kernel, A, B, ...)``, the same floats.
    delta : ndarray of shape (m, k)
        The bound on each entry's rounding.
    """
    K, delta = _evaluate(kernel, np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64), gamma, degree,
                         coef0, error=True)
    assert delta is not None
    return K, delta


def _evaluate(kernel: str | KernelFn, A_: Array, B_: Array, gamma: float, degree: int, coef0: float, *,
              error: bool) -> tuple[Array, Array | None]:
    if callable(kernel):
        try:
            G = np.asarray(kernel(A_, B_), dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DualSVMError(f"kernel callable must return a real Gram block, it raised {exc!r}") from None
        if G.shape != (A_.shape[0], B_.shape[0]):
            raise DualSVMError(f"kernel callable must return shape (len(A), len(B)) = ({A_.shape[0]}, {B_.shape[0]}), "
                               f"got shape {G.shape}")
        if not np.all(np.isfinite(G)):
            raise DualSVMError(f"kernel callable returned {int(np.count_nonzero(~np.isfinite(G)))} NaN or infinite values")
        return G, (np.zeros_like(G) if error else None)
    if kernel not in ("linear", "rbf", "poly", "sigmoid"):
        raise DualSVMError(f"kernel_matrix cannot evaluate kernel {kernel!r} on points")
    G = A_ @ B_.T
    absG = np.abs(A_) @ np.abs(B_).T if error else None
    if kernel == "rbf":
        nsum = np.einsum("ij,ij->i", A_, A_)[:, None] + np.einsum("ij,ij->i", B_, B_)[None, :]
        q = np.maximum(nsum - 2.0 * G, 0.0)  # the expansion can round below 0
        K = np.exp(-gamma * q)
        if absG is None:
            return K, None
        dt = abs(gamma) * (_gamma_k(A_.shape[1] + 4) * (nsum + 2.0 * absG) + 2 * _U * q)
        return K, _value_error("rbf", K, G, absG, A_.shape[1], gamma, degree, coef0, dt=dt)
    if kernel == "linear":
        K = G
    elif kernel == "poly":
        K = (gamma * G + coef0) ** degree
    else:
        K = np.tanh(gamma * G + coef0)
    if absG is None:
        return K, None
    return K, _value_error(kernel, K, G, absG, A_.shape[1], gamma, degree, coef0)


#: Assumed relative error of numpy's exp, tanh and power: 4 ulps (checked against mpmath in tests/test_kernels.py).
_FN_ERR = 8 * _U
#: Twice the smallest subnormal: exp's error once its value underflows.
_TINY = 2 * float(np.finfo(np.float64).smallest_subnormal)


def _value_error(kernel: str, K: Array, G: Array, absG: Array, d: int, gamma: float, degree: int, coef0: float,
                 dt: Array | None = None) -> Array:
    """The bounds of :func:`kernel_block`, from the computed values ``K``, ``G`` = a.b and ``absG`` >= |a|.|b|."""
    if kernel == "rbf":
        assert dt is not None
        out = (K + _TINY) * (np.expm1(dt) + _FN_ERR) / (1.0 - _FN_ERR)
    elif kernel == "linear":
        out = _gamma_k(d + 4) * absG
    else:
        dbeta = abs(gamma) * _gamma_k(d + 4) * absG + _gamma_k(3) * (np.abs(gamma * G) + abs(coef0))
        fn = _FN_ERR * np.abs(K) / (1.0 - _FN_ERR)
        if kernel == "sigmoid":
            out = dbeta + fn
        elif degree == 0:
            out = np.zeros_like(K)  # x ** 0 is exactly 1
        else:
            out = degree * (np.abs(gamma * G + coef0) + dbeta) ** (degree - 1) * dbeta + fn
    return out * (1.0 + _gamma_k(16))


def pivoted_cholesky(column: Callable[[int], Array], diag: Array, *, tol: float, max_rank: int
                     ) -> tuple[Array, NDArray[np.intp], bool]:
    r"""Greedy diagonal-pivoting partial Cholesky :math:`K \approx LL^\top`.

    Parameters
    ----------
    column : callable
        ``column(p)`` returns :math:`K[:, p]`, shape ``(n,)``.
    diag : ndarray of shape (n,)
        :math:`\operatorname{diag} K`.
    tol : float
        Stop once the residual trace :math:`\sum_i \max(e_i, 0)` is at most ``tol``.
    max_rank : int
        Most columns to compute.

    Returns
    -------
    L : ndarray of shape (n, r)
        ``L[pivots]`` is lower triangular: entries of pivot rows after their own
        step are set to exactly 0 (they are rounding of an exact 0).
    pivots : ndarray of shape (r,)
        The pivots, in the order chosen.
    converged : bool
        Whether the residual trace reached ``tol``.
    """
    n = diag.shape[0]
    e = np.array(diag, dtype=np.float64, copy=True)  # residual diagonal, downdated
    Lt = np.zeros((max_rank, n))  # rows of L^T: contiguous columns of L
    pivots: list[int] = []
    is_pivot = np.zeros(n, dtype=bool)
    converged = False
    for k in range(max_rank + 1):
        e[is_pivot] = 0.0
        if float(np.maximum(e, 0.0).sum()) <= tol:
            converged = True
            break
        if k == max_rank:
            break
        p = int(np.argmax(e))
        if e[p] <= 0.0:  # only rounding left; an indefinite K is refused before this
            converged = True
            break
        col = np.array(column(p), dtype=np.float64, copy=True)  # a view (the precomputed Gram's column) stays intact
        if k:
            col = col - Lt[:k, p] @ Lt[:k]
        col /= math.sqrt(e[p])
        col[is_pivot] = 0.0  # exact zeros above the diagonal of L_P
        Lt[k] = col
        e -= col * col
        pivots.append(p)
        is_pivot[p] = True
    r = len(pivots)
    # Column-major, like a tall X in SVMProblem: the solvers' products with L are faster so.
    return np.array(Lt[:r]).T, np.asarray(pivots, dtype=np.intp), converged


@dataclass(eq=False)
class KernelFactor:
    r"""The kernel of an :class:`~dualsvm.SVMProblem` and its factor :math:`K \approx LL^\top`.

    Attributes
    ----------
    kernel : str or callable
        The kernel, as given.
    gamma : float
        The resolved value (``"scale"``/``"auto"`` already applied).
    degree : int
        Of ``"poly"``.
    coef0 : float
        Of ``"poly"`` and ``"sigmoid"``.
    X_train : ndarray of shape (n, d0)
        The training points (the Gram matrix for ``"precomputed"``), read-only.
    pivots : ndarray of shape (r,)
        Indices of the pivot points, in the order chosen.
    L_P : ndarray of shape (r, r)
        ``L[pivots]``, lower triangular.
    diag : ndarray of shape (n,)
        :math:`K_{ii}`, computed.
    diag_error : ndarray of shape (n,)
        A bound on each ``diag`` value's rounding (:func:`kernel_block`): :math:`|{\rm diag}_i - K_{ii}|`.
    residual_diag : ndarray of shape (n,)
        Upper bounds on :math:`E_{ii} = K_{ii} - \|L_i\|^2 \ge 0` (rounding included).
    residual_trace : float
        :math:`\sum_i` ``residual_diag``: an upper bound on :math:`\lambda_{\max}(E)`. The
        certificate adds :math:`\frac12(\sum_i \alpha_i\sqrt{E_{ii}})^2 \le \frac12\operatorname{tr}(E)\|\alpha\|^2`
        to the gap (``proofs/T14``).
    tol : float
        The relative stopping tolerance: ``residual_trace`` <= ``tol`` · trace K, up to rounding.
    lambda_min : float or None
        The smallest eigenvalue of K when it was checked (kernels not PSD by construction), else None.
    memory_budget : int
        Bytes for kernel blocks (of new points too).
    exact_residual : bool
        True when the rank was capped by ``memory_budget`` before ``tol`` was met: certificates
        then evaluate :math:`v^\top E v` with the exact Gram (:meth:`residual_quadratic`).
    extras : dict
        ``trace_K``.
    """

    kernel: str | KernelFn
    gamma: float
    degree: int
    coef0: float
    X_train: Array
    pivots: NDArray[np.intp]
    L_P: Array
    diag: Array
    diag_error: Array
    residual_diag: Array
    residual_trace: float
    tol: float
    lambda_min: float | None = None
    memory_budget: int = DEFAULT_MEMORY_BUDGET
    exact_residual: bool = False
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def rank(self) -> int:
        """The factor's rank r (number of pivots)."""
        return int(self.pivots.shape[0])

    def __repr__(self) -> str:
        name = self.kernel if isinstance(self.kernel, str) else getattr(self.kernel, "__name__", "callable")
        return (f"KernelFactor(kernel={name!r}, gamma={self.gamma:g}, degree={self.degree}, coef0={self.coef0:g}, "
                f"n={self.diag.shape[0]}, rank={self.rank}, residual_trace={self.residual_trace:.3g})")

    def _block_rows(self, width: int) -> int:
        return max(1, int(self.memory_budget // (8 * 4 * max(1, width))))  # a few temporaries of the block's size

    def cross_kernel(self, X: ArrayLike) -> Array:
        """:math:`k(x, x_P)` for new points, in row blocks.

        Parameters
        ----------
        X : array_like of shape (m, d0)
            New points; for ``"precomputed"``, the ``(m, n_train)`` kernel between the new and the training points.

        Returns
        -------
        ndarray of shape (m, r)
            The kernel between each point and each pivot.
        """
        X_ = np.asarray(X, dtype=np.float64)
        if X_.ndim != 2 or X_.shape[1] != self.X_train.shape[1]:
            want = "n_train" if self.kernel == "precomputed" else "n_features"
            raise DualSVMError(f"X must have shape (m, {self.X_train.shape[1]}) ({want}), got {X_.shape}")
        if not np.all(np.isfinite(X_)):
            raise DualSVMError("X must be finite")
        if self.kernel == "precomputed":
            return X_[:, self.pivots]
        XP = self.X_train[self.pivots]
        out = np.empty((X_.shape[0], self.rank))
        step = self._block_rows(self.rank + X_.shape[1])
        for lo in range(0, X_.shape[0], step):
            out[lo:lo + step] = kernel_matrix(self.kernel, X_[lo:lo + step], XP,
                                              gamma=self.gamma, degree=self.degree, coef0=self.coef0)
        return out

    def feature_map(self, X: ArrayLike) -> Array:
        r"""The Nyström map :math:`\varphi(x) = L_P^{-1} k(x_P, x)`, one row per point.

        Parameters
        ----------
        X : array_like of shape (m, d0)
            New points (see :meth:`cross_kernel`).

        Returns
        -------
        ndarray of shape (m, r)
            :math:`\varphi(x_j)` for each row.
        """
        from scipy.linalg import solve_triangular

        KxP = self.cross_kernel(X)
        if self.rank == 0:
            return np.zeros((KxP.shape[0], 0))
        return solve_triangular(self.L_P, KxP.T, lower=True).T

    def kernel_diag(self, X: ArrayLike | None = None, *, upper: bool = False) -> Array:
        """:math:`k(x, x)` for new points (not available for ``"precomputed"``: pass it yourself).

        Parameters
        ----------
        X : array_like of shape (m, d0), optional
            New points. Default: the training points (``diag``).
        upper : bool, default False
            Return an upper bound on the exact :math:`k(x, x)` instead: the computed value plus the
            bound on its rounding (:func:`kernel_block`). Certified bands use it.

        Returns
        -------
        ndarray of shape (m,)
            :math:`k(x_j, x_j)`.
        """
        if X is None:
            k, err = self.diag, self.diag_error
        elif self.kernel == "precomputed":
            raise DualSVMError("kernel_diag needs the points; with kernel='precomputed' pass k(x, x) as kxx=")
        else:
            k, err = _diag(self.kernel, np.asarray(X, dtype=np.float64), self.gamma, self.degree, self.coef0,
                           self.memory_budget)
        return (k + err) * (1.0 + 2 * _U) if upper else k

    def residual_quadratic(self, L: ArrayLike, v: ArrayLike) -> float:
        r"""An upper bound on :math:`v^\top E v = v^\top K v - \|L^\top v\|^2`, with the exact Gram in row blocks.

        :math:`Kv` and :math:`|K||v|` are computed block by block (at most
        ``memory_budget`` bytes; :math:`n^2` kernel values in all), then the
        rounding allowance :math:`|v|^\top\Delta|v| + \gamma_{n+8}|v|^\top|K||v|`
        (:math:`\Delta` the kernel values' rounding bound of :func:`kernel_block`, then the sums')
        and :math:`\gamma_{n+r+4}\||L|^\top|v|\|^2` is added. Never below 0
        (:math:`E \succeq 0`, ``proofs/T14``).

        Parameters
        ----------
        L : array_like of shape (n, r)
            The factor (``problem.X``).
        v : array_like of shape (n,)
            Typically :math:`y \circ \alpha`.

        Returns
        -------
        float
            An upper bound on :math:`v^\top E v`.
        """
        L_ = np.asarray(L, dtype=np.float64)
        v_ = np.asarray(v, dtype=np.float64).reshape(-1)
        X, n = self.X_train, self.diag.shape[0]
        if L_.shape[0] != n or v_.shape[0] != n:
            raise DualSVMError(f"L and v must have n = {n} rows, got {L_.shape[0]} and {v_.shape[0]}")
        Kv, absKv, dKv = np.empty(n), np.empty(n), np.zeros(n)
        av = np.abs(v_)
        step = self._block_rows(2 * n + X.shape[1])
        for lo in range(0, n, step):
            if self.kernel == "precomputed":
                Kb = X[lo:lo + step]
            else:
                Kb, dK = kernel_block(self.kernel, X[lo:lo + step], X, gamma=self.gamma, degree=self.degree,
                                      coef0=self.coef0)
                dKv[lo:lo + step] = dK @ av
            Kv[lo:lo + step] = Kb @ v_
            absKv[lo:lo + step] = np.abs(Kb) @ av
        t = L_.T @ v_
        abs_t = np.abs(L_).T @ av
        r = L_.shape[1]
        q = float(v_ @ Kv) - float(t @ t)
        err = (_gamma_k(n + 8) * float(av @ absKv) + float(av @ dKv) * (1.0 + _gamma_k(n + 2))
               + _gamma_k(n + r + 4) * float(abs_t @ abs_t))
        return max(q + err, 0.0) * (1.0 + 4 * _U)

    def decision_function(self, w: ArrayLike, b: float, X: ArrayLike) -> Array:
        r""":math:`f(x) = \varphi(x)^\top w + b` on new points.

        Parameters
        ----------
        w : array_like of shape (r,)
            A solution's ``w`` (in the factor's coordinates).
        b : float
            Its bias.
        X : array_like of shape (m, d0)
            New points (see :meth:`cross_kernel`).

        Returns
        -------
        ndarray of shape (m,)
            :math:`f(x_j)`.
        """
        return self.feature_map(X) @ np.asarray(w, dtype=np.float64) + float(b)


def _diag(kernel: str | KernelFn, X: Array, gamma: float, degree: int, coef0: float, budget: int
          ) -> tuple[Array, Array]:
    """:math:`k(x_i, x_i)` and the bound on its rounding (:func:`kernel_block`); a callable's from diagonal blocks."""
    if kernel == "rbf":
        return np.ones(X.shape[0]), np.zeros(X.shape[0])  # exp(0) = 1 exactly
    if isinstance(kernel, str):
        sq = np.einsum("ij,ij->i", X, X)  # also |x|.|x|
        if kernel == "linear":
            k = sq
        elif kernel == "poly":
            k = (gamma * sq + coef0) ** degree
        else:
            k = np.tanh(gamma * sq + coef0)
        return k, _value_error(kernel, k, sq, sq, X.shape[1], gamma, degree, coef0)
    step = max(1, int(math.isqrt(max(1, budget // 8))))
    out = np.empty(X.shape[0])
    for lo in range(0, X.shape[0], step):
        out[lo:lo + step] = np.diag(kernel_matrix(kernel, X[lo:lo + step], X[lo:lo + step]))
    return out, np.zeros(X.shape[0])


def _symmetric_gram(X: Array) -> Array:
    """Check a precomputed Gram matrix; return it exactly symmetric (its upper triangle, mirrored).

    A Gram computed in floating point is often symmetric only up to rounding (scikit-learn's
    ``rbf_kernel`` is off by up to a few ulps). Rows and columns are both read later (the factor's
    columns, an expansion's rows), so the matrix that is solved and certified must be one: the
    upper triangle, mirrored, in a copy when the input is not already exactly symmetric.
    """
    n, m = X.shape
    if n != m:
        raise DualSVMError(f"X must be a square Gram matrix (n, n) for kernel='precomputed', got shape {X.shape}")
    diff = np.abs(X - X.T)
    asym = float(np.max(diff))
    scale = float(np.max(np.abs(X)))
    if asym > 1e-12 * max(1.0, scale) * n:
        i, j = np.unravel_index(int(np.argmax(diff)), X.shape)
        raise DualSVMError(f"X must be a symmetric Gram matrix for kernel='precomputed', got "
                           f"|X[{i},{j}] - X[{j},{i}]| = {asym:.3g}")
    if asym == 0.0:
        return X
    K = np.array(X, order="F", copy=True)
    step = 1024
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        K[hi:, lo:hi] = X[lo:hi, hi:].T  # below the diagonal block, from the rows above
        blk = K[lo:hi, lo:hi]
        low = np.tril_indices(hi - lo, -1)
        blk[low] = blk.T[low]
    return K


def _lambda_min(n: int, block: Callable[[int, int], Array], budget: int) -> tuple[float, float]:
    """Smallest and largest eigenvalue of K, from row blocks ``block(lo, hi) = K[lo:hi, :]``."""
    if n <= _DENSE_EIG_MAX and 4 * 8 * n * n <= budget:  # K, its symmetrized copy and eigvalsh's workspace
        K = np.empty((n, n))
        for lo in range(0, n, 512):
            K[lo:lo + 512] = block(lo, min(n, lo + 512))
        K += K.T
        K *= 0.5
        ev = np.linalg.eigvalsh(K)
        return float(ev[0]), float(ev[-1])
    from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

    step = max(1, budget // (8 * n))

    def mv(v: Array) -> Array:
        v = np.asarray(v, dtype=np.float64).reshape(-1)
        return np.concatenate([block(lo, min(n, lo + step)) @ v for lo in range(0, n, step)])

    op = LinearOperator((n, n), matvec=mv, dtype=np.float64)
    try:
        lo_ = float(eigsh(op, k=1, which="SA", return_eigenvectors=False, tol=1e-8)[0])
        hi_ = float(eigsh(op, k=1, which="LA", return_eigenvectors=False, tol=1e-8)[0])
    except ArpackNoConvergence:  # an RBF Gram's smallest eigenvalues cluster near 0
        raise DualSVMError(
            f"memory_budget={budget} is too small to check that the {n} x {n} Gram matrix is positive "
            f"semidefinite: the Lanczos estimate of its smallest eigenvalue did not converge; give at least "
            f"{4 * 8 * n * n} bytes for the dense check") from None
    return lo_, hi_


def factorize(X: Array, kernel: str | KernelFn, *, gamma: Any = "scale", degree: Any = 3, coef0: Any = 0.0,
              tol: float = DEFAULT_TOL, memory_budget: int = DEFAULT_MEMORY_BUDGET) -> tuple[Array, KernelFactor]:
    r"""Validate the kernel, check PSD where needed, and factor :math:`K \approx LL^\top`.

    Parameters
    ----------
    X : ndarray of shape (n, d0)
        Validated finite features (the Gram matrix for ``"precomputed"``).
    kernel : str or callable
        As :class:`~dualsvm.SVMProblem`.
    gamma : "scale", "auto" or float, default "scale"
        As :class:`~dualsvm.SVMProblem`.
    degree : int, default 3
        As :class:`~dualsvm.SVMProblem`.
    coef0 : float, default 0.0
        As :class:`~dualsvm.SVMProblem`.
    tol : float, default 1e-12
        Stop when :math:`\operatorname{tr}(K - LL^\top) \le` ``tol`` :math:`\cdot \operatorname{tr} K`.
    memory_budget : int, default 1 GiB
        Bytes for kernel blocks, and for the factor.

    Returns
    -------
    L : ndarray of shape (n, r)
        The factor: the kernel SVM is the linear SVM on its rows.
    factor : KernelFactor
        The kernel, its pivots and residual.

    Raises
    ------
    DualSVMError
        Unknown kernel; bad gamma, degree, coef0, tol or budget; a precomputed
        Gram that is not square, symmetric or finite; a callable returning the
        wrong shape; a Gram matrix that is not PSD (naming its smallest
        eigenvalue); a numerical rank above what the budget holds.
    """
    _check_params(kernel, degree, coef0)
    if not _is_real(tol) or not 0 <= tol < 1:
        raise DualSVMError(f"kernel_tol must be a number in [0, 1), got {tol!r}")
    if not isinstance(memory_budget, (int, np.integer)) or isinstance(memory_budget, bool) or memory_budget < 1024:
        raise DualSVMError(f"memory_budget must be an integer number of bytes >= 1024, got {memory_budget!r}")
    n = X.shape[0]
    degree, coef0 = int(degree), float(coef0)
    if kernel == "precomputed":
        X = _symmetric_gram(X)
        resolve_gamma(gamma, X)  # validated, then ignored, as in SVC
        g = 0.0
        diag = np.array(np.diag(X), dtype=np.float64)
        diag_err = np.zeros(n)  # the given values define K

        def column(p: int) -> Array:
            return X[:, p]

        def block(lo: int, hi: int) -> Array:
            return X[lo:hi]
    else:
        g = resolve_gamma(gamma, X)  # validated even where the kernel ignores it (linear, callable), as in SVC
        diag, diag_err = _diag(kernel, X, g, degree, coef0, memory_budget)
        step_c = max(1, memory_budget // (8 * 4 * max(1, X.shape[1])))

        sq = np.einsum("ij,ij->i", X, X) if kernel == "rbf" else None
        norms = np.sqrt(sq) if sq is not None else None

        def column(p: int) -> Array:
            out = np.empty(n)
            for lo in range(0, n, step_c):
                if sq is None or norms is None:
                    out[lo:lo + step_c] = kernel_matrix(kernel, X[lo:lo + step_c], X[p:p + 1],
                                                        gamma=g, degree=degree, coef0=coef0)[:, 0]
                    continue
                Xb = X[lo:lo + step_c]
                q = sq[lo:lo + step_c] + sq[p] - 2.0 * (Xb @ X[p])
                # The expansion's error is about gamma * (||x|| + ||x_p||)^2 * u: where that exceeds 64 u
                # (points far from the origin) ||x - x_p||^2 is taken from the differences instead (T14).
                far = np.flatnonzero(norms[lo:lo + step_c] > 8.0 / math.sqrt(g) - norms[p]) if g > 0 else []
                if len(far):
                    diff = Xb[far] - X[p]
                    q[far] = np.einsum("ij,ij->i", diff, diff)
                out[lo:lo + step_c] = np.exp(-g * np.maximum(q, 0.0))
            return out

        def block(lo: int, hi: int) -> Array:
            return kernel_matrix(kernel, X[lo:hi], X, gamma=g, degree=degree, coef0=coef0)

    if np.any(diag < 0):
        i = int(np.argmin(diag))
        raise DualSVMError(f"the Gram matrix is not positive semidefinite: its diagonal K[{i},{i}] = {diag[i]:.6g} < 0 "
                           f"(kernel={kernel!r})")
    lam_min = None
    psd_by_construction = kernel in ("linear", "rbf") or (kernel == "poly" and coef0 >= 0)
    if not psd_by_construction:
        lam_min, lam_max = _lambda_min(n, block, memory_budget)
        if lam_min < -1e-12 * n * max(1.0, lam_max):
            raise DualSVMError(
                f"the Gram matrix of kernel={kernel!r} is not positive semidefinite: its most negative eigenvalue is "
                f"{lam_min:.6g} (largest {lam_max:.6g}); the SVM is then not convex and nothing can be certified. "
                "Refused: change gamma/coef0, or (in Python) pass kernel='precomputed' with K + s*I (s >= "
                f"{-lam_min:.3g}) to solve a stated shifted problem")
    trace_K = float(diag.sum())
    max_rank = int(min(n, max(1, memory_budget // (8 * n))))
    L, pivots, converged = pivoted_cholesky(column, diag, tol=tol * trace_K, max_rank=max_rank)
    r = L.shape[1]
    if r == 0:
        raise DualSVMError(f"the Gram matrix of kernel={kernel!r} is zero (trace {trace_K:g}): every f is 0 on the data")
    if not converged:  # the exact-Gram fallback (module docstring): said so, never an error
        warnings.warn(
            f"the kernel's numerical rank is above {max_rank}, the most that memory_budget={memory_budget} bytes holds "
            f"for n={n} (residual trace still above {tol:g} * trace K): the factor stops at rank {r}, and "
            f"certificates evaluate the dual with the exact Gram in row blocks ({n}^2 kernel values each); the "
            "solvers solve the truncated problem, so the certified gap can be large. Raise memory_budget, or lower "
            "gamma", ConvergenceWarning, stacklevel=3)
    # E_ii = K_ii - ||L_i||^2, recomputed (not the downdated running value), rounded up:
    # |fl(e_i) - e_i| <= gamma_{r+2} (K_ii + ||L_i||^2) (Higham, section 3.1), plus K_ii's own rounding.
    sq = np.einsum("ij,ij->i", L, L)
    e = diag - sq
    e_up = np.maximum(e, 0.0) + _gamma_k(r + 2) * (np.abs(diag) + sq) + diag_err * (1.0 + 2 * _U)
    residual_trace = math.fsum(e_up.tolist()) * (1.0 + _gamma_k(n))
    X_ro = X.view()
    X_ro.setflags(write=False)
    L_P = np.ascontiguousarray(L[pivots])
    factor = KernelFactor(
        kernel=kernel, gamma=g, degree=degree, coef0=coef0, X_train=X_ro, pivots=pivots, L_P=L_P,
        diag=diag, diag_error=diag_err, residual_diag=e_up, residual_trace=residual_trace, tol=float(tol), lambda_min=lam_min,
        memory_budget=int(memory_budget), exact_residual=not converged, extras={"trace_K": trace_K},
    )
    return L, factor


def pointwise_bound(problem: Any, solution: Any, X: ArrayLike | None = None, *, kxx: ArrayLike | None = None) -> Array:
    r"""Certified :math:`|f(x) + b - f^*(x) - b^*|` at every point, for a kernel problem's solution (``proofs/T14``).

    .. math::

        \sqrt{2G}\,\sqrt{k(x, x)} + \max(b - B_{lo},\ B_{hi} - b),

    with :math:`\sqrt{2G}` = ``solution.radius`` (the RKHS radius) and
    :math:`[B_{lo}, B_{hi}]` = ``solution.b_interval``, for every optimum
    :math:`(f^*, b^*)` of the kernel SVM.

    Parameters
    ----------
    problem : SVMProblem
        With a kernel (``problem.kernel_factor`` not None).
    solution : Solution
        A certified answer for ``problem``.
    X : array_like of shape (m, d0), optional
        New points (for ``"precomputed"``: unused, give ``kxx``). Default: the training points.
    kxx : array_like of shape (m,), optional
        :math:`k(x, x)`, if known (required for ``"precomputed"`` on new points).

    Returns
    -------
    ndarray of shape (m,)
        The certified bound at each point.
    """
    factor = getattr(problem, "kernel_factor", None)
    if factor is None:
        raise DualSVMError("pointwise_bound needs a kernel problem (SVMProblem(..., kernel=...)), got a linear one")
    if kxx is not None:
        k = np.asarray(kxx, dtype=np.float64).reshape(-1)
        if not np.all(np.isfinite(k)) or np.any(k < 0):
            raise DualSVMError("kxx must hold finite values k(x, x) >= 0")
    else:
        k = factor.kernel_diag(X, upper=True)
    lo, hi = solution.b_interval
    b = float(solution.b)
    width = max(b - lo, hi - b, 0.0)
    return (float(solution.radius) * np.sqrt(np.maximum(k, 0.0)) + width) * (1.0 + 4 * _U)


def expansion_certificate(problem: Any, lower_bound: float, support: ArrayLike, dual_coef: ArrayLike,
                          intercept: float) -> dict[str, float]:
    r"""Certify an outside kernel expansion :math:`f = \sum_j c_j k(x_{s_j}, \cdot)` with bias ``intercept``.

    E.g. scikit-learn's ``SVC``: ``support_``, ``dual_coef_[0]`` (:math:`y_j\alpha_j`)
    and ``intercept_[0]``. Its objective :math:`P_K(f, b) = \frac12 c^\top K_{SS} c +
    \sum_i C_i \max(0, 1 - y_i(f(x_i) + b))` is evaluated with the exact kernel
    (``n x |S|`` kernel values, in row blocks), rounded up, and compared with
    ``lower_bound``, a certified lower bound on :math:`P_K^*` (``solution.primal_objective
    - solution.duality_gap`` of a certified solution of ``problem``). Then
    :math:`\|f - f^*\|_{\mathcal H} \le \sqrt{2G}` (``proofs/T14``).

    Parameters
    ----------
    problem : SVMProblem
        A kernel problem.
    lower_bound : float
        Certified lower bound on the optimum :math:`P_K^*`.
    support : array_like of int, shape (s,)
        Indices of the training points in the expansion.
    dual_coef : array_like of shape (s,)
        Their coefficients :math:`c_j`.
    intercept : float
        The bias.

    Returns
    -------
    dict
        ``primal_objective``, ``duality_gap`` (:math:`G \ge P_K(f, b) - P_K^*`), ``radius``,
        ``norm2`` (:math:`\|f\|_{\mathcal H}^2 = c^\top K_{SS} c`), ``decision`` (:math:`f(x_i) + b` on the
        training points).
    """
    factor = getattr(problem, "kernel_factor", None)
    if factor is None:
        raise DualSVMError("expansion_certificate needs a kernel problem (SVMProblem(..., kernel=...))")
    S = np.asarray(support, dtype=np.intp).reshape(-1)
    c = np.asarray(dual_coef, dtype=np.float64).reshape(-1)
    n = factor.diag.shape[0]
    if c.shape != S.shape:
        raise DualSVMError(f"dual_coef must have one entry per support index ({S.shape[0]}), got {c.shape[0]}")
    if S.size and (S.min() < 0 or S.max() >= n):
        raise DualSVMError(f"support indices must lie in [0, {n}), got range [{S.min()}, {S.max()}]")
    if not np.all(np.isfinite(c)) or not np.isfinite(intercept):
        raise DualSVMError("dual_coef and intercept must be finite")
    X = factor.X_train
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow gives inf, then no bound (below)
        # K[:, S] c, |K[:, S]| |c| and Delta[:, S] |c| (the values' rounding) by row blocks within the budget;
        # K_SS c is their rows S.
        Kc, absKc, dKc = np.empty(n), np.empty(n), np.zeros(n)
        step = factor._block_rows(2 * S.shape[0] + X.shape[1])
        for lo in range(0, n, step):
            if factor.kernel == "precomputed":
                Kb = X[lo:lo + step][:, S]
            else:
                Kb, dK = kernel_block(factor.kernel, X[lo:lo + step], X[S],
                                      gamma=factor.gamma, degree=factor.degree, coef0=factor.coef0)
                dKc[lo:lo + step] = dK @ np.abs(c)
            Kc[lo:lo + step] = Kb @ c
            absKc[lo:lo + step] = np.abs(Kb) @ np.abs(c)
        b = float(intercept)
        f = Kc + b
        norm2 = float(c @ Kc[S])
        y, C = problem.y, problem.costs
        hinge = np.maximum(0.0, 1.0 - y * f)
        try:
            P = 0.5 * norm2 + math.fsum((C * hinge).tolist())
        except OverflowError:  # costs near the float64 limit: nothing finite is certified
            P = math.inf
        # Rounding: the kernel values' (kernel_block), then each sum within gamma_{s+8}.
        g = _gamma_k(S.shape[0] + 8)
        dKc *= 1.0 + g
        delta = g * (absKc + abs(b)) + dKc
        err = float(C @ delta) + g * float(np.abs(c) @ absKc[S]) + 0.5 * float(np.abs(c) @ dKc[S]) + _gamma_k(n + 2) * abs(P)
        err *= 1.0 + _gamma_k(n + 4)  # its own sums, rounded to nearest
        G = max(P - float(lower_bound), 0.0) + err + 2 * _U * (abs(P) + abs(float(lower_bound)))
        if not math.isfinite(G):  # an overflow (inf - inf is nan): no bound
            G = math.inf
    return {"primal_objective": float(P), "duality_gap": float(G), "radius": math.sqrt(2.0 * G) * (1.0 + 2 * _U),
            "norm2": norm2, "decision": f}


def _exact_gram_form(factor: KernelFactor, S: NDArray[np.intp], c: Array) -> tuple[float, float]:
    r""":math:`c^\top K_{SS} c` from computed kernel values, and a bound on its distance to the exact value."""
    X, m = factor.X_train, S.shape[0]
    q, abs_q, dq = 0.0, 0.0, 0.0
    ac = np.abs(c)
    step = factor._block_rows(2 * m + X.shape[1])
    for lo in range(0, m, step):
        if factor.kernel == "precomputed":
            Kb = X[S[lo:lo + step]][:, S]
        else:
            Kb, dK = kernel_block(factor.kernel, X[S[lo:lo + step]], X[S], gamma=factor.gamma, degree=factor.degree,
                                  coef0=factor.coef0)
            dq += float(ac[lo:lo + step] @ (dK @ ac))
        q += float(c[lo:lo + step] @ (Kb @ c))
        abs_q += float(ac[lo:lo + step] @ (np.abs(Kb) @ ac))
    # Rounding: the values' (kernel_block), then the row sums, the dot products and the blocks' sum.
    g = _gamma_k(2 * m + 8)
    return q, g * abs_q * (1.0 + g) + dq * (1.0 + g)


def dual_lower_bound(problem: Any, alpha: ArrayLike) -> float:
    r"""A lower bound on the kernel SVM's optimum :math:`P_K^*` from the exact Gram, rigorous in floating point.

    For ``alpha`` clipped into the box :math:`0 \le \alpha_i \le C_i`, with
    :math:`S` its support, :math:`c = (y\circ\alpha)_S` and :math:`\eta = y^\top\alpha`,

    .. math::

        P_K^* \;\ge\; D_K(\alpha) - |b^*|\,|\eta|, \qquad
        D_K(\alpha) = \textstyle\sum_i \alpha_i - \tfrac12 c^\top K_{SS}\, c,

    (weak duality; the :math:`\eta` term because :math:`\alpha` need not meet
    :math:`y^\top\alpha = 0` exactly), with :math:`K_{SS}` evaluated in row blocks
    (:math:`|S|^2` kernel values, within ``memory_budget``), every value's rounding
    bounded by :func:`kernel_block` and every sum's by :math:`\gamma`, and
    :math:`|b^*| \le 1 + \max_i\sqrt{K_{ii}}\,\sqrt{P_0}`, :math:`P_0 = 2\min_\pm
    \sum_{y_i = \pm1} C_i` the objective of :math:`f = 0` with :math:`b = \mp 1`
    (:math:`P_0 \ge P^* + \frac12\|f^*\|^2 \ge \|f^*\|^2`). No factor enters: this is the bound
    the factor's certificate cannot give rigorously (``proofs/T14``, "The computed factor").

    Hypotheses (``proofs/T14``): :math:`K \succeq 0` exactly, true by construction for
    ``"linear"``, ``"rbf"`` and ``"poly"`` with ``coef0 >= 0`` on any inputs; for
    ``"precomputed"``, a callable, ``"sigmoid"`` and ``"poly"`` with ``coef0 < 0`` the factor's
    eigenvalue check is numerical (it accepts :math:`\lambda_{\min} \ge -10^{-12} n \max(1, \lambda_{\max})`),
    so the bound holds if their Gram is PSD. Named kernels also assume numpy's ``exp``,
    ``tanh`` and ``power`` within 4 ulps (checked against mpmath), and a callable must give
    values that do not depend on the block they are computed in.

    Parameters
    ----------
    problem : SVMProblem
        A kernel problem.
    alpha : array_like of shape (n,)
        A dual point, e.g. ``solution.alpha``.

    Returns
    -------
    float
        A lower bound on :math:`P_K^*`; ``-inf`` where the sums overflow (costs near the float64 limit).
    """
    factor = getattr(problem, "kernel_factor", None)
    if factor is None:
        raise DualSVMError("dual_lower_bound needs a kernel problem (SVMProblem(..., kernel=...))")
    a = np.asarray(alpha, dtype=np.float64).reshape(-1)
    y, C = problem.y, problem.costs
    if a.shape != y.shape or not np.all(np.isfinite(a)):
        raise DualSVMError(f"alpha must be a finite array of shape ({y.shape[0]},), got {np.shape(alpha)}")
    a = np.clip(a, 0.0, C)  # in the box exactly; y'alpha = 0 is not needed (the eta term)
    S = np.flatnonzero(a)
    c = (y * a)[S]  # exact: y is +-1
    R = float(np.sqrt((factor.diag + factor.diag_error).max())) * (1.0 + 2 * _U)
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow gives inf or nan: no bound (below)
            q, q_err = _exact_gram_form(factor, S, c)
            sum_a = math.fsum(a.tolist())  # correctly rounded
            eta = abs(math.fsum((y * a).tolist())) * (1.0 + 2 * _U) + 5e-324
            P0 = 2.0 * min(math.fsum(C[y > 0].tolist()), math.fsum(C[y < 0].tolist())) * (1.0 + 2 * _U)
            b_star = (1.0 + R * math.sqrt(P0)) * (1.0 + 4 * _U)  # P0 >= P* + ||f*||^2 / 2 >= ||f*||^2
            D = sum_a - 0.5 * (q + q_err)
            low = D - b_star * eta * (1.0 + 4 * _U) - 4 * _U * (abs(sum_a) + abs(q) + q_err) - _U * abs(D)
    except OverflowError:  # fsum's, with costs near the float64 limit
        return -math.inf
    return float(low) if math.isfinite(low) else -math.inf


def certify_expansion(problem: Any, solution: Any) -> dict[str, float]:
    r"""Certify a solution's dual expansion :math:`f_\alpha = \sum_i y_i\alpha_i k(x_i, \cdot)` with the exact Gram.

    The factor's certificate (``solution.duality_gap``) is exact arithmetic on
    the stored factor, and its rounding is measured, not bounded
    (``proofs/T14``). This one reads only kernel values and bounds every
    rounding: :func:`dual_lower_bound` gives :math:`L \le P_K^*`, and
    :func:`expansion_certificate` evaluates :math:`P_K(f_\alpha, b)` rounded up,
    with ``b = solution.b``. Then :math:`G = P_K(f_\alpha, b) - L \ge
    P_K(f_\alpha, b) - P_K^*` and :math:`\|f_\alpha - f^*\|_{\mathcal H} \le \sqrt{2G}`,
    under :func:`dual_lower_bound`'s hypotheses (:math:`K \succeq 0`; named kernels'
    ``exp``/``tanh``/``power`` within 4 ulps). :math:`f_\alpha` uses every nonzero
    :math:`\alpha_i`; ``DualSVC`` exports :math:`y_i\alpha_i` on the certified support set
    (``support_``), the same expansion when ``alpha`` vanishes off it (an exact
    solution; not a loose one). Cost: :math:`(n + |S|)\,|S|` kernel values
    (:math:`S` the support of ``alpha``), in blocks within ``memory_budget``.

    Parameters
    ----------
    problem : SVMProblem
        A kernel problem.
    solution : Solution
        A solution of ``problem`` (its ``alpha`` and ``b``).

    Returns
    -------
    dict
        ``lower_bound`` (:math:`L`), and :func:`expansion_certificate`'s ``primal_objective``,
        ``duality_gap`` (:math:`G`; ``inf`` on an overflow), ``radius``, ``norm2``, ``decision``;
        ``relative_gap`` (:math:`G / \max(1, |P|)`).
    """
    lower = dual_lower_bound(problem, solution.alpha)
    a = np.clip(np.asarray(solution.alpha, dtype=np.float64), 0.0, problem.costs)
    S = np.flatnonzero(a)
    out = expansion_certificate(problem, lower, S, (problem.y * a)[S], float(solution.b))
    out["lower_bound"] = lower
    out["relative_gap"] = out["duality_gap"] / max(1.0, abs(out["primal_objective"]))
    return out
