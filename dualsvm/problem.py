r"""The soft-margin linear SVM problem, validated once.

Primal (the bias :math:`b` is *not* regularized), with per-sample costs
:math:`C_i = C\,s_i\,c_{y_i}` (``sample_weight`` :math:`s`, ``class_weight`` :math:`c`):

.. math::

    P(w, b) = \tfrac12 \|w\|^2 + \sum_i C_i \max\bigl(0,\ 1 - y_i (w^\top x_i + b)\bigr)

Dual:

.. math::

    D(\alpha) = \sum_i \alpha_i - \tfrac12 \Bigl\|\sum_i \alpha_i y_i x_i\Bigr\|^2,
    \qquad 0 \le \alpha_i \le C_i,\quad y^\top \alpha = 0.

An integer weight :math:`k` is the same as the row repeated :math:`k` times.

Derivations: ``proofs/`` (T0 slack elimination, T3 the dual).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from .exceptions import DualSVMError
from .kernels import DEFAULT_MEMORY_BUDGET, DEFAULT_TOL, KernelFactor, factorize
from .operators import DaskOperator, DenseOperator, SparseOperator, is_dask_array, make_operator

__all__ = ["SVMProblem", "check_C", "check_target_gap", "check_max_iter"]


def check_C(C: Any, name: str = "C") -> float:
    """Return ``C`` as a float, or raise :class:`DualSVMError` unless it is finite and > 0."""
    if isinstance(C, (bool, np.bool_)) or not isinstance(C, numbers.Real):
        raise DualSVMError(f"{name} must be a real number > 0, got {C!r} of type {type(C).__name__}")
    C = float(C)
    if not np.isfinite(C) or C <= 0:
        raise DualSVMError(f"{name} must be finite and > 0, got {C!r}")
    return C


def check_target_gap(target_gap: Any, tol: Any = None, caller: str = "") -> float:
    """``target_gap`` as a float in (0, 1), merging the deprecated alias ``tol``; else :class:`DualSVMError`.

    A relative gap of 1 or more certifies nothing (the gap is then as large as the objective).
    """
    if tol is not None:
        import warnings

        warnings.warn(f"{caller}(tol=...) is deprecated; use target_gap=", DeprecationWarning, stacklevel=3)
        if target_gap is not None:
            raise DualSVMError(f"give target_gap={target_gap!r} or the deprecated tol={tol!r}, not both")
        target_gap = tol
    if isinstance(target_gap, (bool, np.bool_)) or not isinstance(target_gap, numbers.Real) \
            or not 0 < float(target_gap) < 1:
        raise DualSVMError(f"target_gap must be a relative gap in (0, 1), got {target_gap!r}")
    return float(target_gap)


def check_max_iter(max_iter: Any, name: str = "max_iter") -> int | None:
    """``None`` or an integer >= 1; else :class:`DualSVMError`."""
    if max_iter is None:
        return None
    if isinstance(max_iter, (bool, np.bool_)) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise DualSVMError(f"{name} must be an integer >= 1, got {max_iter!r}")
    return int(max_iter)


def check_max_time(max_time: Any, name: str = "max_time") -> float | None:
    """``None`` or a number of seconds > 0; else :class:`DualSVMError`."""
    if max_time is None:
        return None
    if (isinstance(max_time, (bool, np.bool_)) or not isinstance(max_time, (int, float, np.integer, np.floating))
            or not max_time > 0 or not np.isfinite(max_time)):
        raise DualSVMError(f"{name} must be None or a finite number of seconds > 0, got {max_time!r}")
    return float(max_time)


def _check_sparse_X(X: Any) -> Any:
    """A scipy.sparse ``X`` validated and converted once to a canonical CSR array; never densified.

    Every check reads the stored entries only (``X.data``): an implicit zero is finite.
    """
    if X.ndim != 2:
        raise DualSVMError(f"X must be a 2-D array of shape (n_samples, n_features), got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise DualSVMError(f"X must be non-empty, got shape {X.shape}")
    kind = X.dtype.kind
    if kind == "c":
        raise DualSVMError(f"X must hold real numbers, got complex dtype {X.dtype}")
    if kind not in "biuf":
        raise DualSVMError(f"X must hold numbers, got sparse dtype {X.dtype}")
    # A copy (sp.csr_array of an array in another format or dtype converts; copy=True otherwise),
    # so the caller's matrix is never modified by the canonicalization below.
    out = sp.csr_array(X, dtype=np.float64, copy=True)
    if not np.all(np.isfinite(out.data)):
        coo = out.tocoo()
        bad = ~np.isfinite(coo.data)
        first = min(zip(coo.row[bad].tolist(), coo.col[bad].tolist(), strict=True))
        raise DualSVMError(_not_finite(int(np.count_nonzero(bad)), first, "stored entries in the sparse matrix X"))
    out.sum_duplicates()  # COO input may repeat an entry; CSR products need one entry per (i, j)
    out.sort_indices()
    if max(out.nnz, *out.shape) < np.iinfo(np.int32).max:  # 32-bit indices: 4 bytes less per entry, and
        out.indices = out.indices.astype(np.int32, copy=False)  # what scikit-learn's liblinear accepts
        out.indptr = out.indptr.astype(np.int32, copy=False)
    for a in (out.data, out.indices, out.indptr):
        a.setflags(write=False)
    return out


def _layout(shape: tuple[int, ...]) -> str:
    """Memory order of a dense X: column-major when tall.

    OpenBLAS's products X @ w and X.T @ v, which every solver repeats, are
    1.5-2x faster on a column-major tall X (measured at 10k x 20 and 10k x 100),
    and slower on a column-major wide one (300 x 5000).
    """
    return "F" if shape[0] >= shape[1] else "C"


def _check_X(X: ArrayLike) -> Any:
    if sp.issparse(X):
        return _check_sparse_X(X)
    arr = np.asarray(X)
    if arr.dtype.kind == "c":
        raise DualSVMError(f"X must hold real numbers, got complex dtype {arr.dtype}")
    if arr.dtype.kind not in "biuf":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise DualSVMError(f"X must hold numbers, got dtype {arr.dtype} ({exc})") from None
    if arr.ndim != 2:
        raise DualSVMError(f"X must be a 2-D array of shape (n_samples, n_features), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise DualSVMError(f"X must be non-empty, got shape {arr.shape}")
    out = np.array(arr, dtype=np.float64, copy=True, order=_layout(arr.shape))
    if not np.all(np.isfinite(out)):
        bad = ~np.isfinite(out)
        raise DualSVMError(_not_finite(int(np.count_nonzero(bad)), _first_bad(bad)))
    return out


def _first_bad(mask: Any) -> tuple[int, int]:
    """Row and column of the first True of a 2-D mask, in row order."""
    i, j = np.argwhere(mask)[0]
    return int(i), int(j)


def _not_finite(count: int, first: tuple[int, int], what: str = "entries") -> str:
    """The one message for a non-finite X, in memory, sparse or dask: how many, and the first one."""
    return f"X must be finite, got {count} NaN or infinite {what} (the first at row {first[0]}, column {first[1]})"


def _check_y(y: ArrayLike, n: int) -> tuple[NDArray[np.float64], NDArray[Any]]:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise DualSVMError(f"y must be a 1-D array of labels, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise DualSVMError(f"X and y must have the same number of samples, got X with {n} rows and y with {arr.shape[0]}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise DualSVMError("y must not contain NaN or infinite labels")
    try:
        classes, inverse = np.unique(arr, return_inverse=True)
    except TypeError as exc:
        raise DualSVMError(f"y labels must be mutually comparable, got {exc}") from None
    if classes.shape[0] != 2:
        shown = classes[:5].tolist()
        raise DualSVMError(
            f"y must hold exactly two distinct labels (classes), got {classes.shape[0]}: {shown}"
            + (" ..." if classes.shape[0] > 5 else "")
        )
    # The larger label maps to +1, as in scikit-learn.
    return np.where(inverse.reshape(-1) == 1, 1.0, -1.0), classes


def _class_factors(class_weight: dict[Any, float] | str | None, classes: NDArray[Any], n: int,
                   counts: NDArray[Any]) -> NDArray[np.float64]:
    """The class factors (c_-, c_+), validated; ``counts`` are the samples per class ("balanced" = n / (2 count))."""
    c = np.ones(2)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise DualSVMError(f"class_weight must be None, 'balanced' or a dict of label -> weight, got {class_weight!r}")
        return n / (2.0 * np.asarray(counts, dtype=np.float64))
    if class_weight is not None:
        if not isinstance(class_weight, dict):
            raise DualSVMError(f"class_weight must be None, 'balanced' or a dict of label -> weight, got {class_weight!r:.60}")
        known = {k.item() if hasattr(k, "item") else k for k in classes.tolist()}
        unknown = [k for k in class_weight if k not in known]
        if unknown:
            raise DualSVMError(f"class_weight has labels {unknown} that are not in y (labels: {sorted(known, key=str)})")
        for j, label in enumerate(classes.tolist()):
            v = class_weight.get(label, 1.0)
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) or v < 0:
                raise DualSVMError(f"class_weight[{label!r}] must be a finite number >= 0, got {v!r}")
            c[j] = float(v)
    return c


def _check_weights(
    sample_weight: ArrayLike | None, class_weight: dict[Any, float] | str | None, y: NDArray[np.float64], classes: NDArray[Any],
) -> NDArray[np.float64]:
    """Per-sample weight s_i * c_{y_i}, validated."""
    n = y.shape[0]
    s = np.ones(n)
    if sample_weight is not None:
        try:
            s = np.array(sample_weight, dtype=np.float64, copy=True)
        except (TypeError, ValueError):
            raise DualSVMError(f"sample_weight must hold real numbers, got {sample_weight!r:.60}") from None
        if s.shape != (n,):
            raise DualSVMError(f"sample_weight must have shape ({n},) (one weight per sample), got {s.shape}")
        if not np.all(np.isfinite(s)) or np.any(s < 0):
            bad = np.flatnonzero(~np.isfinite(s) | (s < 0))
            raise DualSVMError(f"sample_weight must be finite and >= 0, got {float(s[bad[0]])!r} at index {int(bad[0])}")
    c = _class_factors(class_weight, classes, n, np.array([np.count_nonzero(y < 0), np.count_nonzero(y > 0)]))
    w = s * np.where(y > 0, c[1], c[0])
    if not np.any(w > 0):
        raise DualSVMError("sample_weight and class_weight give every sample weight 0: there is no loss to minimise")
    for j, sign in enumerate((-1.0, 1.0)):
        if not np.any(w[y == sign] > 0):
            raise DualSVMError(
                f"every sample of class {classes.tolist()[j]!r} has weight 0; the dual box of that class is {{0}} "
                "and y^T alpha = 0 then forces alpha = 0 (drop the class or give it weight)")
    return w


def _dask_block_stats(Xb: Any, yb: Any, sb: Any) -> dict[str, Any]:
    """One block's share of the dask validation pass: non-finite entries, labels, and weights per label."""
    bad = ~np.isfinite(Xb)
    out: dict[str, Any] = {"rows": int(Xb.shape[0]), "bad_X": int(np.count_nonzero(bad))}
    out["first_bad"] = _first_bad(bad) if out["bad_X"] else None
    yb = np.asarray(yb)
    out["bad_y"] = int(np.count_nonzero(~np.isfinite(yb))) if yb.dtype.kind == "f" else 0
    labels, inverse, counts = np.unique(yb, return_inverse=True, return_counts=True) if out["bad_y"] == 0 \
        else (yb[:0], None, np.zeros(0, np.intp))
    out["labels"], out["counts"] = labels, counts
    if sb is not None:
        sb = np.asarray(sb, dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(sb) | (sb < 0))
        out["bad_w"] = (int(bad[0]), float(sb[bad[0]])) if bad.size else None
        out["zero_w"] = int(np.count_nonzero(sb == 0))
        if inverse is not None:  # per label: how many weights > 0 (a class whose weights are all 0 is refused)
            out["positive_w"] = np.bincount(inverse.reshape(-1), weights=(sb > 0), minlength=labels.size)
    return out


def _check_dask(X: Any, y: Any, sample_weight: Any, class_weight: Any) -> dict[str, Any]:
    """Validate a dask ``X`` (and ``y``, ``sample_weight``) in ONE pass over the blocks; nothing is gathered but counts.

    Returns the problem's attributes: ``X`` (float64, rows chunked, one column chunk), ``y``
    (+-1, chunked like X), ``classes``, ``n_pos``, ``weights`` (lazy). The errors are those of the
    in-memory checks, word for word where the check is the same.
    """
    import dask
    import dask.array as da

    if X.ndim != 2:
        raise DualSVMError(f"X must be a 2-D array of shape (n_samples, n_features), got shape {X.shape}")
    if X.dtype.kind == "c":
        raise DualSVMError(f"X must hold real numbers, got complex dtype {X.dtype}")
    if X.dtype.kind not in "biuf":
        raise DualSVMError(f"X must hold numbers, got dtype {X.dtype}")
    if any(np.isnan(c) for c in X.chunks[0]):  # unknown block sizes (e.g. from a dataframe): one pass to learn them
        X = X.compute_chunk_sizes()
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise DualSVMError(f"X must be non-empty, got shape {X.shape}")
    X = X.rechunk({1: -1}).astype(np.float64)  # whole rows in every block
    if not is_dask_array(y):
        y = np.asarray(y)
        if y.ndim != 1:
            raise DualSVMError(f"y must be a 1-D array of labels, got shape {y.shape}")
        if y.shape[0] != X.shape[0]:
            raise DualSVMError(
                f"X and y must have the same number of samples, got X with {X.shape[0]} rows and y with {y.shape[0]}")
        y = da.from_array(y, chunks=(X.chunks[0],))
    else:
        if y.ndim != 1:
            raise DualSVMError(f"y must be a 1-D array of labels, got shape {y.shape}")
        if any(np.isnan(c) for c in y.chunks[0]):
            y = y.compute_chunk_sizes()
        if y.shape[0] != X.shape[0]:
            raise DualSVMError(
                f"X and y must have the same number of samples, got X with {X.shape[0]} rows and y with {y.shape[0]}")
        y = y.rechunk({0: X.chunks[0]})
    sw = None
    if sample_weight is not None:
        if is_dask_array(sample_weight):
            sw = sample_weight
        else:
            try:
                sw = np.array(sample_weight, dtype=np.float64, copy=True)
            except (TypeError, ValueError):
                raise DualSVMError(f"sample_weight must hold real numbers, got {sample_weight!r:.60}") from None
        if sw.shape != (X.shape[0],):
            raise DualSVMError(f"sample_weight must have shape ({X.shape[0]},) (one weight per sample), got {sw.shape}")
        sw = (sw if is_dask_array(sw) else da.from_array(sw, chunks=(X.chunks[0],))).rechunk({0: X.chunks[0]})
        sw = sw.astype(np.float64)
    xs, ys = X.to_delayed().reshape(-1), y.to_delayed().reshape(-1)
    ss = sw.to_delayed().reshape(-1) if sw is not None else [None] * len(xs)
    stats = dask.compute(*[dask.delayed(_dask_block_stats, pure=True)(a, b, c) for a, b, c in zip(xs, ys, ss, strict=True)])
    bad_X = sum(st["bad_X"] for st in stats)
    if bad_X:
        offsets = np.cumsum([0] + [st["rows"] for st in stats])
        k = next(k for k, st in enumerate(stats) if st["bad_X"])
        i, j = stats[k]["first_bad"]
        raise DualSVMError(_not_finite(bad_X, (int(offsets[k]) + i, j)))
    if X.shape[0] < 2:
        raise DualSVMError(f"X must have at least 2 samples, got {X.shape[0]}")
    if any(st["bad_y"] for st in stats):
        raise DualSVMError("y must not contain NaN or infinite labels")
    try:
        classes = np.unique(np.concatenate([st["labels"] for st in stats]))
    except TypeError as exc:
        raise DualSVMError(f"y labels must be mutually comparable, got {exc}") from None
    if classes.shape[0] != 2:
        shown = classes[:5].tolist()
        raise DualSVMError(f"y must hold exactly two distinct labels (classes), got {classes.shape[0]}: {shown}"
                           + (" ..." if classes.shape[0] > 5 else ""))
    n_class = np.zeros(2, np.int64)  # samples per class, and per class the weights > 0
    pos_w = np.zeros(2, np.int64)
    for st in stats:
        j = np.searchsorted(classes, st["labels"])
        np.add.at(n_class, j, st["counts"])
        if sw is not None:
            np.add.at(pos_w, j, st["positive_w"].astype(np.int64))
    n = int(X.shape[0])
    if sw is not None:
        bad = [(i0 + st["bad_w"][0], st["bad_w"][1]) for i0, st in zip(np.cumsum([0, *X.chunks[0]])[:-1], stats, strict=True)
               if st["bad_w"] is not None]
        if bad:
            raise DualSVMError(f"sample_weight must be finite and >= 0, got {bad[0][1]!r} at index {int(bad[0][0])}")
    c = _class_factors(class_weight, classes, n, n_class)
    for j in range(2):
        if c[j] == 0 or (sw is not None and pos_w[j] == 0):
            raise DualSVMError(
                f"every sample of class {classes.tolist()[j]!r} has weight 0; the dual box of that class is {{0}} "
                "and y^T alpha = 0 then forces alpha = 0 (drop the class or give it weight)")
    zeros = sum(st["zero_w"] for st in stats) if sw is not None else 0
    if zeros:
        raise DualSVMError(f"sample_weight has {zeros} zero weights; on a dask array every C_i must be > 0 "
                           "(drop those rows: a zero weight removes the point from the problem)")
    c0, c1 = classes[0], classes[1]
    y_pm = y.map_blocks(lambda b: np.where(np.asarray(b) == c1, 1.0, -1.0), dtype=np.float64)
    cw0, cw1 = float(c[0]), float(c[1])
    weights = y_pm.map_blocks(lambda b: np.where(b > 0, cw1, cw0), dtype=np.float64)
    if sw is not None:
        weights = weights * sw
    del c0
    # y and the weights are persisted once, here (two n-vectors on the workers): every graph after
    # refers to the same keys, never to a lazy twin of a persisted array (dask's "different run_spec").
    y_pm, weights = dask.persist(y_pm, weights)
    return {"X": X, "y": y_pm, "classes": classes, "n_pos": int(n_class[1]), "weights": weights}


class SVMProblem:
    r"""A validated binary soft-margin linear SVM instance.

    Parameters
    ----------
    X : array_like or scipy.sparse matrix/array of shape (n, d)
        Finite real features. Sparse input (CSR, CSC, COO, ... and the
        ``*_array`` classes) is converted once to a CSR array of float64 and
        never densified; its validation reads the stored entries only. A
        ``dask.array`` chunked by rows stays a dask array (rechunked to one
        column chunk, float64, lazily); its validation is one pass over the
        blocks (non-finite entries, labels and their counts, the weights
        computed together), with the errors of the in-memory checks. On it
        only :func:`~dualsvm.solve_ipm`, :func:`~dualsvm.solve_subgradient`
        and :func:`~dualsvm.certify` run (the others raise, naming these), and
        only ``kernel="linear"``. Persist ``X`` first (``X = X.persist()``)
        if it is read from files: every solver pass reads it again.
    y : array_like of shape (n,)
        Exactly two distinct labels of any comparable type. The larger one
        (``np.unique`` order) becomes :math:`+1`, as in scikit-learn.
    C : float, default 1.0
        Finite penalty > 0.
    sample_weight : array_like of shape (n,), optional
        Finite weights >= 0, multiplying each point's cost. A zero weight
        removes the point from the loss: its :math:`\alpha_i` is 0 in every
        dual point, and it is never a support vector (labelled ``non_support``).
    class_weight : dict or "balanced", optional
        Weight per class, keyed by the original labels (missing classes weigh
        1), or ``"balanced"`` = n / (2 · count of the class), as in scikit-learn.
    kernel : {"linear", "rbf", "poly", "sigmoid", "precomputed"} or callable, default "linear"
        scikit-learn's kernels (:mod:`dualsvm.kernels`; a sparse ``X`` is made dense for them); ``"precomputed"``
        takes ``X`` as the n × n Gram matrix (symmetric within :math:`10^{-12} n \max(1, \max|X|)`; its
        upper triangle, mirrored, is the matrix solved and certified), a callable ``k(A, B)`` returns the
        ``(len(A), len(B))`` Gram block. Any kernel but ``"linear"`` is solved as
        the linear SVM on the rows of a pivoted Cholesky factor
        :math:`K \approx LL^\top`: then ``X`` is :math:`L` and ``d`` its rank, and
        ``kernel_factor`` keeps the kernel (``proofs/T14``).
    gamma : "scale", "auto" or float, default "scale"
        1/(d · X.var()), 1/d, or a number > 0 (rbf, poly, sigmoid).
    degree : int, default 3
        Of ``"poly"``.
    coef0 : float, default 0.0
        Of ``"poly"`` and ``"sigmoid"``.
    kernel_tol : float, default 1e-12
        The factor stops when :math:`\operatorname{tr}(K - LL^\top) \le` ``kernel_tol`` · tr K.
    memory_budget : int, default 2**30
        Bytes for kernel blocks and for the factor.

    Attributes
    ----------
    X : ndarray or scipy.sparse.csr_array of shape (n, d)
        Float64 copy of the features: a read-only ndarray for dense input
        (column-major when n >= d, where BLAS's products with it are faster); for
        sparse input a canonical CSR array (sorted indices, no duplicates)
        whose ``data``, ``indices`` and ``indptr`` are read-only.
    sparse : bool
        Whether ``X`` is sparse.
    chunked : bool
        Whether ``X`` is a dask array; then ``X``, ``y`` and ``costs`` are dask
        arrays chunked alike by rows (``y`` and ``costs`` lazy), and the
        methods below compute through dask.
    y : ndarray of shape (n,)
        Read-only labels in :math:`\{-1, +1\}`.
    classes : ndarray of shape (2,)
        Original labels; ``classes[0]`` maps to -1 and ``classes[1]`` to +1.
    C : float
        The penalty as given.
    costs : ndarray of shape (n,)
        Read-only :math:`C_i = C\,s_i\,c_{y_i}`: the upper ends of the dual box.
    weighted : bool
        Whether the costs differ from the uniform C.
    n, d : int
        Number of samples and of features (with a kernel: the factor's rank).
    kernel_factor : KernelFactor or None
        The kernel, its parameters, pivots and residual; ``None`` for ``"linear"``.
    kernel_residual : float
        Upper bound on :math:`\operatorname{tr}(K - LL^\top) \ge \lambda_{\max}(K - LL^\top)`
        (0.0 for ``"linear"``); the certificate adds the tighter
        :math:`\frac12(\sum_i \alpha_i \sqrt{E_{ii}})^2` (``proofs/T14``).

    Raises
    ------
    DualSVMError
        (a :class:`ValueError`) naming the argument, for non-finite or
        non-numeric ``X``, wrong shapes, fewer or more than two classes,
        ``n < 2``, ``C <= 0``, negative or non-finite weights, all-zero
        weights or a class whose weights are all zero. The caller's arrays are
        never modified.
    """

    def __init__(
        self, X: ArrayLike, y: ArrayLike, C: float = 1.0, *,
        sample_weight: ArrayLike | None = None, class_weight: dict[Any, float] | str | None = None,
        kernel: Any = "linear", gamma: Any = "scale", degree: Any = 3, coef0: Any = 0.0,
        kernel_tol: float = DEFAULT_TOL, memory_budget: int = DEFAULT_MEMORY_BUDGET,
    ) -> None:
        self.C = check_C(C)
        self.chunked = False
        if is_dask_array(X):  # rows on dask blocks: validated lazily in one pass, never gathered
            if not (isinstance(kernel, str) and kernel == "linear"):
                raise DualSVMError(f"kernel={kernel!r} needs X in memory (its factor is built from Gram blocks of "
                                   "the rows); on a dask array only kernel='linear' is supported")
            v = _check_dask(X, y, sample_weight, class_weight)
            self.chunked, self.sparse = True, False
            self.kernel_factor, self.kernel_residual = None, 0.0
            self.X, self.y, self.classes, self._n_pos = v["X"], v["y"], v["classes"], v["n_pos"]
            self.n, self.d = int(self.X.shape[0]), int(self.X.shape[1])
            self._weights = v["weights"]
            self.costs = self.C * self._weights
            self.weighted = sample_weight is not None or class_weight is not None
            return
        X_ = _check_X(X)
        if X_.shape[0] < 2:
            raise DualSVMError(f"X must have at least 2 samples, got {X_.shape[0]}")
        y_, classes = _check_y(y, X_.shape[0])
        self.kernel_factor: KernelFactor | None = None
        self.kernel_residual = 0.0
        if not (isinstance(kernel, str) and kernel == "linear"):
            # The kernel SVM is the linear SVM on the rows of L (proofs/T14); the linear path is untouched.
            # Kernel columns need dense rows: sparse X is densified here (the factor is dense anyway).
            X_ = X_.toarray(order=_layout(X_.shape)) if sp.issparse(X_) else X_
            X_, self.kernel_factor = factorize(X_, kernel, gamma=gamma, degree=degree, coef0=coef0,
                                               tol=kernel_tol, memory_budget=memory_budget)
            self.kernel_residual = self.kernel_factor.residual_trace
        if not sp.issparse(X_):
            X_.setflags(write=False)
        self.sparse = bool(sp.issparse(X_))
        y_.setflags(write=False)
        self.X = X_
        self.y = y_
        self.classes = classes
        self.n, self.d = X_.shape
        self._weights = _check_weights(sample_weight, class_weight, y_, classes)
        self.costs = self.C * self._weights
        self.costs.setflags(write=False)
        self.weighted = sample_weight is not None or class_weight is not None

    def __repr__(self) -> str:
        n_pos = self._n_pos if self.chunked else int(np.count_nonzero(self.y > 0))
        return (
            f"SVMProblem(n={self.n}, d={self.d}, C={self.C:g}, "
            f"classes={self.classes.tolist()}, n_pos={n_pos}, n_neg={self.n - n_pos})"
        )

    # -- elementary quantities -------------------------------------------------
    def operator(self) -> DenseOperator | SparseOperator | DaskOperator:
        """A fresh data operator on ``X`` (no copy), with its own pass counts (``dualsvm/operators.py``).

        Returns
        -------
        DenseOperator or SparseOperator
            :func:`~dualsvm.operators.make_operator` of the validated ``X``: a
            :class:`~dualsvm.operators.SparseOperator` when ``X`` is sparse, with
            ``passes = rows_read = 0``; a :class:`~dualsvm.operators.DaskOperator` when
            ``X`` is a dask array.
        """
        return make_operator(self.X)

    def check_in_memory(self, caller: str) -> None:
        """Raise :class:`DualSVMError` naming ``caller`` and the solvers that run on dask arrays, if ``X`` is one.

        Parameters
        ----------
        caller : str
            The method that needs the whole problem in memory (e.g. ``"solve_dual (OSQP)"``).

        Raises
        ------
        DualSVMError
            When ``chunked``: the message names ``dualsvm.solve_ipm`` and ``dualsvm.solve_subgradient``.
        """
        if self.chunked:
            raise DualSVMError(
                f"{caller} needs the whole problem in memory, and X is a dask array ({self.n} x {self.d}); on dask "
                "arrays use dualsvm.solve_ipm or dualsvm.solve_subgradient (or SVMProblem(X.compute(), ...) if it fits)")

    def with_C(self, C: float) -> SVMProblem:
        r"""The same data with another penalty ``C`` (no re-validation of X, y).

        The weights are kept: the new costs are :math:`C'_i = C'\,s_i\,c_{y_i}`.

        Parameters
        ----------
        C : float
            The new penalty, finite and > 0.

        Returns
        -------
        SVMProblem
            A new problem sharing this one's read-only arrays; this one is unchanged.
        """
        other = object.__new__(SVMProblem)
        other.__dict__.update(self.__dict__)
        other.C = check_C(C)
        other.costs = other.C * self._weights
        if not other.chunked:  # a dask array is immutable already
            other.costs.setflags(write=False)
        return other

    def _check_wb(self, w: ArrayLike, b: Any) -> tuple[NDArray[np.float64], float]:
        """Validate a primal point: ``w`` of shape (d,) or (1, d), ``b`` a number or a one-entry array.

        scikit-learn's ``coef_`` (or ``coef_[0]``) and ``intercept_`` are accepted as they are.
        Anything else (another shape, non-numbers, NaN or inf) raises :class:`DualSVMError`
        naming the argument and what it got.
        """

        def real(v: Any, name: str) -> NDArray[np.float64]:
            try:
                arr = np.asarray(v)
                if arr.dtype.kind not in "iufO" or (arr.dtype.kind == "O" and any(x is None for x in arr.flat)):
                    raise TypeError  # bool, complex, str, bytes, datetime, None: not numbers here
                return np.asarray(arr, dtype=np.float64)
            except (TypeError, ValueError):
                shown = repr(v) if len(repr(v)) <= 60 else repr(v)[:57] + "..."
                raise DualSVMError(f"{name} must hold real numbers, got {shown} of type {type(v).__name__}") from None

        w_ = real(w, "w")
        if w_.shape not in ((self.d,), (1, self.d)):
            raise DualSVMError(
                f"w must have {self.d} entries (n_features), shape ({self.d},) or (1, {self.d}); got shape {w_.shape}")
        w_ = w_.reshape(-1)
        if not np.all(np.isfinite(w_)):
            raise DualSVMError(f"w must be finite, got {np.count_nonzero(~np.isfinite(w_))} NaN or infinite entries")
        b_ = real(b, "b")
        if b_.ndim > 1 or b_.size != 1:
            raise DualSVMError(f"b must be a number or an array with one entry (like intercept_), got shape {b_.shape}")
        b_ = float(b_.reshape(-1)[0])
        if not np.isfinite(b_):
            raise DualSVMError(f"b must be finite, got {b_!r}")
        return w_, b_

    def _check_alpha(self, alpha: ArrayLike) -> NDArray[np.float64]:
        a = np.asarray(alpha, dtype=np.float64).reshape(-1)
        if a.shape[0] != self.n:
            raise DualSVMError(f"alpha must have {self.n} entries (n_samples), got {a.shape[0]}")
        if not np.all(np.isfinite(a)):
            raise DualSVMError("alpha must be finite")
        return a

    def margins(self, w: ArrayLike, b: float) -> NDArray[np.float64]:
        r"""Functional margins :math:`m_i = y_i (w^\top x_i + b)`.

        Parameters
        ----------
        w : array_like of shape (d,) or (1, d)
            Weights (scikit-learn's ``coef_`` is accepted as it is).
        b : float or array_like of shape (1,)
            Bias (scikit-learn's ``intercept_`` is accepted as it is).

        Returns
        -------
        ndarray of shape (n,)
            :math:`m_i`, in float64.
        """
        w_, b_ = self._check_wb(w, b)
        return self.y * (self.X @ w_ + b_)

    def primal_objective(self, w: ArrayLike, b: float) -> float:
        r"""The primal objective, with the per-sample costs :math:`C_i` (``costs``).

        .. math:: P(w,b) = \tfrac12\|w\|^2 + \sum_i C_i \max(0, 1 - m_i).

        Evaluated in float64, without a rounding bound (the certificate's
        ``primal_objective`` is evaluated in extended precision).

        Parameters
        ----------
        w : array_like of shape (d,) or (1, d)
            Weights.
        b : float or array_like of shape (1,)
            Bias.

        Returns
        -------
        float
            :math:`P(w, b)`.
        """
        w_, b_ = self._check_wb(w, b)
        m = self.y * (self.X @ w_ + b_)
        return float(0.5 * w_ @ w_ + self.costs @ np.maximum(0.0, 1.0 - m))

    def dual_objective(self, alpha: ArrayLike) -> float:
        r"""The dual objective.

        .. math:: D(\alpha) = \sum_i \alpha_i - \tfrac12\Bigl\|\sum_i \alpha_i y_i x_i\Bigr\|^2.

        Evaluated as written; it is a lower bound on the optimum only when
        ``alpha`` is dual feasible, :math:`0 \le \alpha_i \le C_i` and
        :math:`y^\top\alpha = 0` (see :func:`dualsvm.project_dual`).

        Parameters
        ----------
        alpha : array_like of shape (n,)
            Dual coefficients, not multiplied by y.

        Returns
        -------
        float
            :math:`D(\alpha)`.
        """
        a = self._check_alpha(alpha)
        v = self.X.T @ (self.y * a)
        return float(a.sum() - 0.5 * v @ v)
