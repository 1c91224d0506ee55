r"""Data operators: the few ways a solver touches the feature matrix, behind one small object.

Every method reads the data :math:`X \in \mathbb{R}^{n \times d}` in a handful
of ways (``../shared/DESIGN.md``):

* :math:`X W` (:meth:`DenseOperator.matvec`), one pass;
* :math:`X^\top V` (:meth:`DenseOperator.rmatvec`), one pass;
* :math:`X^\top\mathrm{diag}(s)X`, with :math:`X^\top V` alongside
  (:meth:`DenseOperator.weighted_gram`), one pass;
* :math:`X X^\top` (:meth:`DenseOperator.row_gram`), one pass;
* the diagonal of :math:`X^\top\mathrm{diag}(s)X` (:meth:`DenseOperator.gram_diagonal`), one pass;
* :math:`\|x_i\|` (:meth:`DenseOperator.row_norms`), one pass;
* the rows of a subset (:meth:`DenseOperator.rows`), counted in ``rows_read``;
* the whole matrix (:meth:`DenseOperator.dense`), one pass.

``passes`` counts reads of the whole data set, so that a solver's
``extras["data_passes"]`` says what it cost on data that does not fit in
cache (or in memory: a Dask operator reads each chunk once per pass). A
product with a block of vectors (``W`` of shape ``(d, k)``) is still one pass.
Reading a subset of rows (:meth:`~DenseOperator.rows`) is counted separately,
in ``rows_read``.

The interface is deliberately type-agnostic: :class:`SparseOperator` (a
``scipy.sparse`` CSR matrix), and later kernel-factor and Dask operators,
implement the same methods; solvers never test the type of ``X``.
:func:`make_operator` is the one place that does, and :meth:`DenseOperator.extended`
(the certificate's longdouble products), :meth:`DenseOperator.abs_matvec` /
:meth:`~DenseOperator.abs_rmatvec` (its rounding bounds) and
:meth:`DenseOperator.vstack` (rows read at two times, stacked) complete the set.
On a sparse operator every method costs :math:`O(\mathrm{nnz})` time and
memory beyond its output, except the two Gram products, whose output is dense.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from threadpoolctl import ThreadpoolController

from .exceptions import DualSVMError

__all__ = ["DenseOperator", "SparseOperator", "DaskOperator", "make_operator", "blas_threads", "is_dask_array"]

Array = NDArray[np.float64]

#: Rows per block in :meth:`DenseOperator.weighted_gram`: the scaled copy of a
#: block stays in cache-friendly size (8192 x d doubles) instead of a full n x d temporary.
_BLOCK_ROWS = 8192
#: Rows converted to longdouble at a time in :meth:`DenseOperator.extended`: bounded extra memory.
_EXT_BLOCK = 16_384


def is_dask_array(X: Any) -> bool:
    """Whether ``X`` is a ``dask.array.Array``, decided without importing dask.

    A dask array's type lives in a ``dask.*`` module and has ``chunks`` and
    ``dask`` (its graph): that is checked, so that ``import dualsvm`` and an
    in-memory problem never import dask.

    Parameters
    ----------
    X : object
        Anything.

    Returns
    -------
    bool
        True for a dask array (of any shape), False otherwise.
    """
    return type(X).__module__.startswith("dask") and hasattr(X, "chunks") and hasattr(X, "dask")


def make_operator(X: Any) -> DenseOperator | SparseOperator | DaskOperator:
    """The operator for ``X``: :class:`SparseOperator` for a ``scipy.sparse`` matrix or array,
    :class:`DaskOperator` for a ``dask.array``, else dense.

    ``X`` is wrapped without a copy when it is already float64 (CSR for
    sparse data); an :class:`~dualsvm.SVMProblem` hands over its validated
    ``X``, so a solver can build its own operator (with its own pass
    counts) at no cost.

    Parameters
    ----------
    X : array_like or scipy.sparse matrix or array of shape (n, d)
        Finite real features.

    Returns
    -------
    DenseOperator or SparseOperator
        A :class:`SparseOperator` if ``scipy.sparse.issparse(X)``, else a
        :class:`DenseOperator`; both with ``passes = rows_read = 0``.

    Raises
    ------
    DualSVMError
        If ``X`` is not two-dimensional.
    """
    if is_dask_array(X):
        return DaskOperator(X)
    return SparseOperator(X) if sp.issparse(X) else DenseOperator(X)


@contextlib.contextmanager
def blas_threads(limit: int | None) -> Iterator[None]:
    """Limit BLAS to ``limit`` threads inside the block (``None``: leave it as configured).

    The interior point's products are many and small (a ``d x d`` weighted
    Gram per iteration, least-squares solves of a few hundred rows): a
    second BLAS thread gains little there and, on a busy machine, loses a
    lot. Measured on this project's shared 2-core machine at load 5: one
    weighted Gram at 100k x 20 took 13-23 ms with one OpenBLAS thread and
    27 ms to 4.7 s with two, and ``solve_ipm`` 0.30 s against 1.1-11 s.
    threadpoolctl (the library scikit-learn uses for this) sets the limit.

    Parameters
    ----------
    limit : int or None
        Largest number of BLAS threads inside the block; ``None`` changes nothing.

    Yields
    ------
    None
        Control, once, with the limit in force; the previous limits are restored on exit.
    """
    if limit is None:
        yield
        return
    with _controller().limit(limits=int(limit), user_api="blas"):
        yield


@functools.cache
def _controller() -> ThreadpoolController:
    """The loaded thread pools, found once (0.6 ms); each limit then costs about 15 us (measured)."""
    return ThreadpoolController()


class DenseOperator:
    r"""A dense float64 feature matrix with pass counting.

    Parameters
    ----------
    X : array_like of shape (n, d)
        Finite real features. Not copied when already a float64 array (an
        :class:`~dualsvm.SVMProblem` holds a read-only copy).

    Attributes
    ----------
    shape : tuple of int
        ``(n, d)``.
    passes : int
        Reads of the whole matrix so far.
    rows_read : int
        Rows read through :meth:`rows`.
    """

    def __init__(self, X: ArrayLike) -> None:
        X_ = np.asarray(X, dtype=np.float64)
        if X_.ndim != 2:
            raise DualSVMError(f"X must be a 2-D array, got shape {X_.shape}")
        self._X = X_
        self.shape: tuple[int, int] = (int(X_.shape[0]), int(X_.shape[1]))
        self.passes = 0
        self.rows_read = 0

    @property
    def n(self) -> int:
        """Number of rows (samples)."""
        return self.shape[0]

    @property
    def d(self) -> int:
        """Number of columns (features)."""
        return self.shape[1]

    def __repr__(self) -> str:
        return f"DenseOperator(n={self.n}, d={self.d}, passes={self.passes})"

    def matvec(self, W: ArrayLike) -> Array:
        """:math:`X W` for ``W`` of shape ``(d,)`` or ``(d, k)``; one pass.

        Parameters
        ----------
        W : array_like of shape (d,) or (d, k)
            A vector or a block of vectors.

        Returns
        -------
        ndarray of shape (n,) or (n, k)
            :math:`X W`.
        """
        self.passes += 1
        return self._X @ np.asarray(W, dtype=np.float64)

    def rmatvec(self, V: ArrayLike) -> Array:
        r""":math:`X^\top V` for ``V`` of shape ``(n,)`` or ``(n, k)``; one pass.

        Parameters
        ----------
        V : array_like of shape (n,) or (n, k)
            A vector or a block of vectors.

        Returns
        -------
        ndarray of shape (d,) or (d, k)
            :math:`X^\top V`.
        """
        self.passes += 1
        return self._X.T @ np.asarray(V, dtype=np.float64)

    def weighted_gram(self, s: ArrayLike, V: ArrayLike | None = None) -> Array | tuple[Array, Array]:
        r"""The weighted Gram :math:`X^\top \mathrm{diag}(s) X` for ``s >= 0``; one pass.

        With ``V`` (shape ``(n,)`` or ``(n, k)``) also returns :math:`X^\top V`,
        computed in the same pass, as ``(G, XtV)``.

        Formed as :math:`H^\top H` with :math:`H = \mathrm{diag}(\sqrt{s})X`,
        block by block, so that the product is symmetric by construction
        and BLAS can use ``syrk`` (half the flops of a general product).

        Parameters
        ----------
        s : array_like of shape (n,)
            Row weights :math:`s_i \ge 0`.
        V : array_like of shape (n,) or (n, k), optional
            Vectors for :math:`X^\top V`, computed in the same pass.

        Returns
        -------
        G : ndarray of shape (d, d)
            :math:`X^\top \mathrm{diag}(s) X`.
        XtV : ndarray of shape (d,) or (d, k)
            :math:`X^\top V`; returned, as ``(G, XtV)``, only when ``V`` is given.

        Raises
        ------
        DualSVMError
            If ``s`` has not n entries or has a negative one.
        """
        s_ = self._check_weights(s)
        self.passes += 1
        X, r = self._X, np.sqrt(s_)
        G = np.zeros((self.d, self.d))
        for lo in range(0, self.n, _BLOCK_ROWS):
            H = X[lo : lo + _BLOCK_ROWS] * r[lo : lo + _BLOCK_ROWS, None]
            G += H.T @ H  # numpy dispatches A.T @ A to syrk
        if V is None:
            return G
        return G, X.T @ np.asarray(V, dtype=np.float64)

    def _check_weights(self, s: ArrayLike) -> Array:
        """``s`` as a float64 vector of n entries >= 0 (the row weights of :meth:`weighted_gram`)."""
        s_ = np.asarray(s, dtype=np.float64).reshape(-1)
        if s_.shape[0] != self.n:
            raise DualSVMError(f"s must have {self.n} entries (n_samples), got {s_.shape[0]}")
        if s_.size and s_.min() < 0:
            raise DualSVMError(f"weights s must be >= 0, got min(s) = {s_.min()!r}")
        return s_

    def row_gram(self) -> Array:
        r"""The sample Gram :math:`X X^\top`, shape ``(n, n)``; one pass.

        Returns
        -------
        ndarray of shape (n, n)
            :math:`(X X^\top)_{ij} = x_i^\top x_j`.
        """
        self.passes += 1
        return self._X @ self._X.T

    def gram_diagonal(self, s: ArrayLike) -> Array:
        r"""The diagonal of :math:`X^\top\mathrm{diag}(s)X`, :math:`\sum_i s_i x_{ij}^2`; one pass.

        Parameters
        ----------
        s : array_like of shape (n,)
            Row weights.

        Returns
        -------
        ndarray of shape (d,)
            :math:`\bigl(X^\top\mathrm{diag}(s)X\bigr)_{jj} = \sum_i s_i x_{ij}^2`.
        """
        self.passes += 1
        return np.einsum("ij,ij,i->j", self._X, self._X, np.asarray(s, dtype=np.float64))

    def row_norms(self) -> Array:
        r"""The Euclidean norm :math:`\|x_i\|_2` of every row; one pass.

        Returns
        -------
        ndarray of shape (n,)
            :math:`\|x_i\|_2 = \sqrt{\textstyle\sum_j x_{ij}^2}`.
        """
        self.passes += 1
        return np.sqrt(np.einsum("ij,ij->i", self._X, self._X))

    def rows(self, idx: ArrayLike) -> Array:
        """A copy of the rows ``idx`` (integer indices or a boolean mask); not a full pass.

        Parameters
        ----------
        idx : array_like of int or of bool
            Row indices, or a mask of length n.

        Returns
        -------
        ndarray of shape (k, d)
            The k selected rows, a copy; counted in ``rows_read``.
        """
        out = self._X[np.asarray(idx)]
        self.rows_read += int(out.shape[0])
        return out

    def abs_matvec(self, w: ArrayLike) -> Array:
        r""":math:`|X|\,w` (``w >= 0``: a rounding bound of :math:`Xw`); one pass.

        Parameters
        ----------
        w : array_like of shape (d,)
            Nonnegative weights, typically :math:`|w|` for the :math:`w` of :math:`Xw`.

        Returns
        -------
        ndarray of shape (n,)
            :math:`|X|\,w`, with :math:`|X|` the entrywise absolute value: :math:`\sum_j |x_{ij}|\,w_j`.
        """
        self.passes += 1
        return np.abs(self._X) @ np.asarray(w, dtype=np.float64)

    def abs_rmatvec(self, v: ArrayLike) -> Array:
        r""":math:`|X|^\top v` (``v >= 0``: a rounding bound of :math:`X^\top v`); one pass.

        Parameters
        ----------
        v : array_like of shape (n,)
            Nonnegative weights, typically :math:`|v|` for the :math:`v` of :math:`X^\top v`.

        Returns
        -------
        ndarray of shape (d,)
            :math:`|X|^\top v`, with :math:`|X|` the entrywise absolute value: :math:`\sum_i |x_{ij}|\,v_i`.
        """
        self.passes += 1
        return np.abs(self._X).T @ np.asarray(v, dtype=np.float64)

    def extended(self, w: ArrayLike, v: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        r""":math:`Xw` and :math:`X^\top v` in ``numpy.longdouble``, by row blocks; one pass.

        The rows are converted block by block, so the extra memory is one
        block, not a longdouble copy of ``X``.

        Parameters
        ----------
        w : array_like of shape (d,)
            The vector of :math:`Xw` (converted to float64, then to longdouble).
        v : array_like of shape (n,)
            The vector of :math:`X^\top v` (converted likewise).

        Returns
        -------
        Xw : ndarray of shape (n,), dtype longdouble
            :math:`Xw`, summed in longdouble.
        Xtv : ndarray of shape (d,), dtype longdouble
            :math:`X^\top v`, summed in longdouble.
        """
        self.passes += 1
        wl = np.asarray(w, dtype=np.float64).astype(np.longdouble)
        vl = np.asarray(v, dtype=np.float64).astype(np.longdouble)
        s = np.empty(self.n, dtype=np.longdouble)
        out = np.zeros(self.d, dtype=np.longdouble)
        for i in range(0, self.n, _EXT_BLOCK):
            Xb = self._X[i : i + _EXT_BLOCK].astype(np.longdouble)
            # einsum, not @: numpy's longdouble matmul of a row vector walks
            # the columns (17 against 4.5 ms at 10k x 100, measured).
            s[i : i + _EXT_BLOCK] = np.einsum("ij,j->i", Xb, wl)
            out += np.einsum("i,ij->j", vl[i : i + _EXT_BLOCK], Xb)
        return s, out

    @staticmethod
    def vstack(blocks: list[Any]) -> Array:
        """Stack blocks of rows (as returned by :meth:`rows`) into one.

        Parameters
        ----------
        blocks : list of ndarray of shape (k_i, d)
            Blocks of rows, in order.

        Returns
        -------
        ndarray of shape (sum of k_i, d)
            The rows of every block, in order (a new array).
        """
        return np.vstack(blocks)

    @staticmethod
    def to_dense(block: Any) -> Array:
        """A block of rows (as returned by :meth:`rows`) as a dense array.

        Parameters
        ----------
        block : ndarray of shape (k, d)
            A block of rows.

        Returns
        -------
        ndarray of shape (k, d)
            The block itself (``numpy.asarray``: no copy of an ndarray).
        """
        return np.asarray(block)

    def dense(self) -> Array:
        """The whole matrix (read-only); one pass.

        Returns
        -------
        ndarray of shape (n, d)
            A read-only view of :math:`X`, not a copy.
        """
        self.passes += 1
        out = self._X.view()
        out.setflags(write=False)
        return out


class SparseOperator(DenseOperator):
    r"""A ``scipy.sparse`` feature matrix (held as CSR, float64) with pass counting.

    Every product is a sparse product, :math:`O(\mathrm{nnz})`; nothing
    densifies ``X``. :meth:`weighted_gram` returns a dense :math:`d \times d`
    matrix and :meth:`row_gram` a dense :math:`n \times n` one (their outputs);
    a solver must not call them when that is too large (:func:`dualsvm.solve_ipm`
    then uses conjugate gradients, matrix-free). :meth:`rows` returns a CSR
    block, :meth:`dense` the CSR matrix itself (cvxpy and OSQP take it natively).

    Parameters
    ----------
    X : scipy.sparse matrix or array of shape (n, d)
        Finite real features; not copied when already CSR float64.
    """

    def __init__(self, X: Any) -> None:
        if not sp.issparse(X) or X.ndim != 2:
            raise DualSVMError(f"X must be a 2-D scipy.sparse matrix, got {type(X).__name__}")
        X_ = X if X.format == "csr" and X.dtype == np.float64 else sp.csr_array(X, dtype=np.float64)
        self._X = X_
        self.shape = (int(X_.shape[0]), int(X_.shape[1]))
        self.passes = 0
        self.rows_read = 0

    def __repr__(self) -> str:
        return f"SparseOperator(n={self.n}, d={self.d}, nnz={self._X.nnz}, passes={self.passes})"

    @property
    def nnz(self) -> int:
        """Stored entries of ``X``."""
        return int(self._X.nnz)

    def matvec(self, W: ArrayLike) -> Array:
        r""":math:`X W` for ``W`` of shape ``(d,)`` or ``(d, k)``; one pass, :math:`O(\mathrm{nnz})`.

        Parameters
        ----------
        W : array_like of shape (d,) or (d, k)
            A vector or a block of vectors.

        Returns
        -------
        ndarray of shape (n,) or (n, k)
            :math:`X W`, dense.
        """
        self.passes += 1
        return np.asarray(self._X @ np.asarray(W, dtype=np.float64))

    def rmatvec(self, V: ArrayLike) -> Array:
        r""":math:`X^\top V` for ``V`` of shape ``(n,)`` or ``(n, k)``; one pass, :math:`O(\mathrm{nnz})`.

        Parameters
        ----------
        V : array_like of shape (n,) or (n, k)
            A vector or a block of vectors.

        Returns
        -------
        ndarray of shape (d,) or (d, k)
            :math:`X^\top V`, dense.
        """
        self.passes += 1
        return np.asarray(self._X.T @ np.asarray(V, dtype=np.float64))

    def weighted_gram(self, s: ArrayLike, V: ArrayLike | None = None) -> Array | tuple[Array, Array]:
        r"""The weighted Gram :math:`X^\top \mathrm{diag}(s) X`, dense ``(d, d)``, for ``s >= 0``; one pass.

        With ``V`` also returns :math:`X^\top V` as ``(G, XtV)``. The product
        is sparse; only its (dense) output is :math:`O(d^2)`.

        Parameters
        ----------
        s : array_like of shape (n,)
            Row weights :math:`s_i \ge 0`.
        V : array_like of shape (n,) or (n, k), optional
            Vectors for :math:`X^\top V`, computed in the same pass.

        Returns
        -------
        G : ndarray of shape (d, d)
            :math:`X^\top \mathrm{diag}(s) X`, dense.
        XtV : ndarray of shape (d,) or (d, k)
            :math:`X^\top V`; returned, as ``(G, XtV)``, only when ``V`` is given.

        Raises
        ------
        DualSVMError
            If ``s`` has not n entries or has a negative one.
        """
        s_ = self._check_weights(s)
        self.passes += 1
        H = sp.diags_array(np.sqrt(s_)) @ self._X
        G = (H.T @ H).toarray()
        if V is None:
            return G
        return G, np.asarray(self._X.T @ np.asarray(V, dtype=np.float64))

    def row_gram(self) -> Array:
        r"""The sample Gram :math:`X X^\top`, dense ``(n, n)``; one pass.

        Returns
        -------
        ndarray of shape (n, n)
            :math:`(X X^\top)_{ij} = x_i^\top x_j`, formed as a sparse product, then densified.
        """
        self.passes += 1
        return (self._X @ self._X.T).toarray()

    def gram_diagonal(self, s: ArrayLike) -> Array:
        r"""The diagonal of :math:`X^\top\mathrm{diag}(s)X`; one pass, :math:`O(\mathrm{nnz})` extra memory.

        Parameters
        ----------
        s : array_like of shape (n,)
            Row weights.

        Returns
        -------
        ndarray of shape (d,)
            :math:`\bigl(X^\top\mathrm{diag}(s)X\bigr)_{jj} = \sum_i s_i x_{ij}^2`.
        """
        self.passes += 1
        return np.asarray(self._X.power(2).T @ np.asarray(s, dtype=np.float64))

    def row_norms(self) -> Array:
        r"""The Euclidean norm :math:`\|x_i\|_2` of every row; one pass.

        Returns
        -------
        ndarray of shape (n,)
            :math:`\|x_i\|_2 = \sqrt{\textstyle\sum_j x_{ij}^2}`, over the stored entries.
        """
        self.passes += 1
        return np.sqrt(np.asarray(self._X.power(2).sum(axis=1)).reshape(-1))

    def rows(self, idx: ArrayLike) -> Any:
        """The rows ``idx`` (integer indices or a boolean mask) as a CSR block; not a full pass.

        Parameters
        ----------
        idx : array_like of int or of bool
            Row indices, or a mask of length n.

        Returns
        -------
        scipy.sparse CSR matrix or array of shape (k, d)
            The k selected rows, a copy, of the same sparse class as the held ``X``;
            counted in ``rows_read``.
        """
        out = self._X[np.asarray(idx)]
        self.rows_read += int(out.shape[0])
        return out

    def abs_matvec(self, w: ArrayLike) -> Array:
        r""":math:`|X|\,w` (``w >= 0``: a rounding bound of :math:`Xw`); one pass, :math:`O(\mathrm{nnz})` extra memory.

        Parameters
        ----------
        w : array_like of shape (d,)
            Nonnegative weights, typically :math:`|w|` for the :math:`w` of :math:`Xw`.

        Returns
        -------
        ndarray of shape (n,)
            :math:`|X|\,w`, with :math:`|X|` the entrywise absolute value: :math:`\sum_j |x_{ij}|\,w_j`.
        """
        self.passes += 1
        return np.asarray(abs(self._X) @ np.asarray(w, dtype=np.float64))

    def abs_rmatvec(self, v: ArrayLike) -> Array:
        r""":math:`|X|^\top v` (``v >= 0``: a rounding bound of :math:`X^\top v`); one pass, :math:`O(\mathrm{nnz})` extra memory.

        Parameters
        ----------
        v : array_like of shape (n,)
            Nonnegative weights, typically :math:`|v|` for the :math:`v` of :math:`X^\top v`.

        Returns
        -------
        ndarray of shape (d,)
            :math:`|X|^\top v`, with :math:`|X|` the entrywise absolute value: :math:`\sum_i |x_{ij}|\,v_i`.
        """
        self.passes += 1
        return np.asarray(abs(self._X).T @ np.asarray(v, dtype=np.float64))

    def extended(self, w: ArrayLike, v: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        r""":math:`Xw` and :math:`X^\top v` in ``numpy.longdouble``; one pass.

        scipy's sparse kernels run in the matrix's dtype, so a longdouble
        copy of the stored entries (:math:`O(\mathrm{nnz})`) gives longdouble
        sums, with the same Higham bounds as the dense products (each sum has
        at most ``d`` resp. ``n`` terms).

        Parameters
        ----------
        w : array_like of shape (d,)
            The vector of :math:`Xw` (converted to float64, then to longdouble).
        v : array_like of shape (n,)
            The vector of :math:`X^\top v` (converted likewise).

        Returns
        -------
        Xw : ndarray of shape (n,), dtype longdouble
            :math:`Xw`, summed in longdouble.
        Xtv : ndarray of shape (d,), dtype longdouble
            :math:`X^\top v`, summed in longdouble.
        """
        self.passes += 1
        XL = self._X.astype(np.longdouble)
        s = XL @ np.asarray(w, dtype=np.float64).astype(np.longdouble)
        out = XL.T @ np.asarray(v, dtype=np.float64).astype(np.longdouble)
        return np.asarray(s), np.asarray(out)

    @staticmethod
    def vstack(blocks: list[Any]) -> Any:
        """Stack CSR blocks of rows (as returned by :meth:`rows`) into one CSR block.

        Parameters
        ----------
        blocks : list of scipy.sparse matrix or array of shape (k_i, d)
            Blocks of rows, in order.

        Returns
        -------
        scipy.sparse CSR matrix or array of shape (sum of k_i, d)
            The rows of every block, in order.
        """
        return sp.vstack(blocks, format="csr")

    @staticmethod
    def to_dense(block: Any) -> Array:
        """A CSR block of rows (as returned by :meth:`rows`) as a dense array (only for blocks known to be small).

        Parameters
        ----------
        block : scipy.sparse matrix or array of shape (k, d)
            A block of rows.

        Returns
        -------
        ndarray of shape (k, d)
            The block, densified (a new array, :math:`O(kd)` memory).
        """
        return block.toarray()

    def dense(self) -> Any:
        """The whole matrix as CSR (not densified: cvxpy and OSQP take it as it is); one pass.

        Returns
        -------
        scipy.sparse CSR matrix or array of shape (n, d)
            The held :math:`X` itself, not a copy (unlike :meth:`DenseOperator.dense`, not
            made read-only: do not modify it).
        """
        self.passes += 1
        return self._X


def _tree_sum(parts: list[Any], split_every: int = 8) -> Any:
    """Sum delayed partial results by a tree of ``split_every``-ary additions (dask's own reductions do the same)."""
    import dask

    @dask.delayed(pure=True)
    def add(*xs: Any) -> Any:
        out = xs[0]
        for x in xs[1:]:
            out = tuple(a + b for a, b in zip(out, x, strict=True)) if isinstance(out, tuple) else out + x
        return out

    while len(parts) > 1:
        parts = [add(*parts[i : i + split_every]) if len(parts[i : i + split_every]) > 1 else parts[i]
                 for i in range(0, len(parts), split_every)]
    return parts[0]


def _wgram_block(Xb: Array, sb: Array, Vb: Array | None) -> Any:
    H = Xb * np.sqrt(sb)[:, None]
    G = H.T @ H
    return G if Vb is None else (G, Xb.T @ Vb)


class DaskOperator:
    r"""A ``dask.array`` feature matrix, chunked by rows (one column chunk), with pass counting.

    The data stays where dask keeps it (the workers of a ``distributed.Client``,
    or the threads of the local scheduler). Products with an :math:`n`-vector
    are **lazy**: :meth:`matvec`, :meth:`row_norms` and :meth:`abs_matvec`
    return dask arrays chunked like the rows of ``X``, computed by the
    caller's next ``compute`` or ``persist``, so that no :math:`O(n)` vector
    travels to the driver. The reductions (:meth:`rmatvec`,
    :meth:`weighted_gram`, :meth:`gram_diagonal`, :meth:`abs_rmatvec`) are
    block-wise partial sums added by a tree (:meth:`reduce`): only
    :math:`O(d^2)` numbers reach the driver. They compute at once unless
    ``lazy=True`` (then a ``dask.delayed`` object is returned, so that a
    solver can compute several reductions of one iteration in one graph).
    A pass is counted when a product is requested.

    The methods that need the whole matrix in memory, :meth:`dense` and
    :meth:`row_gram`, raise :class:`~dualsvm.DualSVMError` naming the
    solvers that run on dask arrays, :func:`dualsvm.solve_ipm` and
    :func:`dualsvm.solve_subgradient`.

    Parameters
    ----------
    X : dask.array.Array of shape (n, d)
        Finite real features (an :class:`~dualsvm.SVMProblem` rechunks it to
        one column chunk and float64, lazily).
    """

    def __init__(self, X: Any) -> None:
        if not is_dask_array(X) or X.ndim != 2:
            raise DualSVMError(f"X must be a 2-D dask array, got {type(X).__name__}")
        if len(X.chunks[1]) != 1:
            X = X.rechunk({1: -1})  # every block holds whole rows: a block's products are its rows'
        if X.dtype != np.float64:
            X = X.astype(np.float64)
        self._X = X
        self.shape: tuple[int, int] = (int(X.shape[0]), int(X.shape[1]))
        self.passes = 0
        self.rows_read = 0

    n = DenseOperator.n
    d = DenseOperator.d

    def __repr__(self) -> str:
        return f"DaskOperator(n={self.n}, d={self.d}, blocks={self.nblocks}, passes={self.passes})"

    @property
    def X(self) -> Any:
        """The dask array (rows chunked, one column chunk, float64)."""
        return self._X

    @property
    def row_chunks(self) -> tuple[int, ...]:
        """The number of rows of each block: every n-vector of a solver is chunked the same way."""
        return tuple(int(c) for c in self._X.chunks[0])

    @property
    def nblocks(self) -> int:
        """Number of row blocks."""
        return len(self._X.chunks[0])

    def vector(self, v: Any) -> Any:
        """``v`` as a dask array chunked like the rows of ``X`` (one column chunk).

        Parameters
        ----------
        v : array_like or dask array of shape (n,) or (n, k)
            An n-vector or a block of them, in memory or on dask.

        Returns
        -------
        dask.array.Array of shape (n,) or (n, k)
            ``v`` itself when already chunked so, else rechunked (dask) or wrapped (numpy, float64).
        """
        import dask.array as da

        if is_dask_array(v):
            if v.chunks[0] != self._X.chunks[0] or (v.ndim == 2 and len(v.chunks[1]) > 1):
                v = v.rechunk({0: self._X.chunks[0], **({1: -1} if v.ndim == 2 else {})})
            return v
        v = np.asarray(v, dtype=np.float64)
        return da.from_array(v, chunks=(self._X.chunks[0],) + v.shape[1:])

    def reduce(self, func: Any, *vectors: Any) -> Any:
        r"""``sum over blocks of func(X_b, v1_b, v2_b, ...)``, as a lazy ``dask.delayed`` tree sum.

        ``func`` gets one row block of ``X`` and the matching blocks of the
        vectors (each chunked like the rows of ``X``; see :meth:`vector`) and
        returns an array, or a tuple of arrays, of a fixed shape (e.g.
        :math:`d \times d`); the blocks' results are added by a tree of
        8-ary additions. Not counted as a pass (the caller counts).

        Parameters
        ----------
        func : callable
            ``func(Xb, *vbs) -> array or tuple of arrays``, a pure function.
        *vectors : dask arrays of shape (n,) or (n, k)
            Chunked like the rows of ``X``.

        Returns
        -------
        dask.delayed.Delayed
            The sum; ``.compute()`` (or ``dask.compute`` with others) brings it to the driver.
        """
        import dask

        fn = dask.delayed(func, pure=True)
        xs = self._X.to_delayed().reshape(-1)
        vs = [self.vector(v).to_delayed().reshape(len(xs), -1)[:, 0] for v in vectors]
        return _tree_sum([fn(xb, *(v[i] for v in vs)) for i, xb in enumerate(xs)])

    def _done(self, out: Any, lazy: bool) -> Any:
        return out if lazy else out.compute()

    def matvec(self, W: ArrayLike) -> Any:
        """:math:`X W` for ``W`` of shape ``(d,)`` or ``(d, k)`` (numpy): a lazy dask array; one pass.

        Parameters
        ----------
        W : array_like of shape (d,) or (d, k)
            A vector or a block of vectors, in memory.

        Returns
        -------
        dask.array.Array of shape (n,) or (n, k)
            :math:`X W`, chunked like the rows of ``X``; not computed.
        """
        self.passes += 1
        return self._X @ np.asarray(W, dtype=np.float64)

    def rmatvec(self, V: Any, *, lazy: bool = False) -> Any:
        r""":math:`X^\top V` for ``V`` of shape ``(n,)`` or ``(n, k)`` (numpy or dask); one pass, a tree sum.

        Parameters
        ----------
        V : array_like or dask array of shape (n,) or (n, k)
            A vector or a block of vectors.
        lazy : bool, default False
            Return the ``dask.delayed`` sum instead of computing it.

        Returns
        -------
        ndarray of shape (d,) or (d, k), or dask.delayed.Delayed
            :math:`X^\top V`, the sum of the blocks' :math:`X_b^\top V_b`.
        """
        self.passes += 1
        return self._done(self.reduce(lambda Xb, vb: Xb.T @ vb, V), lazy)

    def weighted_gram(self, s: Any, V: Any = None, *, lazy: bool = False) -> Any:
        r"""The weighted Gram :math:`X^\top\mathrm{diag}(s)X` (with :math:`X^\top V`); one pass, a tree sum.

        As :meth:`DenseOperator.weighted_gram`, block by block: each block
        gives :math:`H_b^\top H_b` with :math:`H_b = \mathrm{diag}(\sqrt{s_b})X_b`
        (and :math:`X_b^\top V_b`), and only these :math:`d \times d` partial sums
        travel. ``s >= 0`` is the caller's to ensure (it is lazy here).

        Parameters
        ----------
        s : array_like or dask array of shape (n,)
            Row weights :math:`s_i \ge 0`.
        V : array_like or dask array of shape (n,) or (n, k), optional
            Vectors for :math:`X^\top V`, in the same pass.
        lazy : bool, default False
            Return the ``dask.delayed`` sum instead of computing it.

        Returns
        -------
        G : ndarray of shape (d, d)
            :math:`X^\top\mathrm{diag}(s)X`.
        XtV : ndarray of shape (d,) or (d, k)
            :math:`X^\top V`; returned, as ``(G, XtV)``, only when ``V`` is given.
        """
        self.passes += 1
        if V is None:
            return self._done(self.reduce(lambda Xb, sb: _wgram_block(Xb, sb, None), s), lazy)
        return self._done(self.reduce(_wgram_block, s, V), lazy)

    def gram_diagonal(self, s: Any, *, lazy: bool = False) -> Any:
        r"""The diagonal of :math:`X^\top\mathrm{diag}(s)X`; one pass, a tree sum.

        Parameters
        ----------
        s : array_like or dask array of shape (n,)
            Row weights.
        lazy : bool, default False
            Return the ``dask.delayed`` sum instead of computing it.

        Returns
        -------
        ndarray of shape (d,)
            :math:`\sum_i s_i x_{ij}^2`.
        """
        self.passes += 1
        return self._done(self.reduce(lambda Xb, sb: np.einsum("ij,ij,i->j", Xb, Xb, sb), s), lazy)

    def row_norms(self) -> Any:
        r""":math:`\|x_i\|_2` of every row: a lazy dask array; one pass.

        Returns
        -------
        dask.array.Array of shape (n,)
            :math:`\|x_i\|_2`, chunked like the rows of ``X``; not computed.
        """
        import dask.array as da

        self.passes += 1
        return da.sqrt((self._X * self._X).sum(axis=1))

    def abs_matvec(self, w: ArrayLike) -> Any:
        r""":math:`|X|\,w`: a lazy dask array; one pass.

        Parameters
        ----------
        w : array_like of shape (d,)
            Nonnegative weights.

        Returns
        -------
        dask.array.Array of shape (n,)
            :math:`\sum_j |x_{ij}|\,w_j`; not computed.
        """
        import dask.array as da

        self.passes += 1
        return da.absolute(self._X) @ np.asarray(w, dtype=np.float64)

    def abs_rmatvec(self, v: Any, *, lazy: bool = False) -> Any:
        r""":math:`|X|^\top v`; one pass, a tree sum.

        Parameters
        ----------
        v : array_like or dask array of shape (n,)
            Nonnegative weights.
        lazy : bool, default False
            Return the ``dask.delayed`` sum instead of computing it.

        Returns
        -------
        ndarray of shape (d,)
            :math:`\sum_i |x_{ij}|\,v_i`.
        """
        self.passes += 1
        return self._done(self.reduce(lambda Xb, vb: np.abs(Xb).T @ vb, v), lazy)

    def rows(self, idx: ArrayLike) -> Array:
        """The rows ``idx`` gathered to the driver as a numpy array; not a full pass.

        Only the blocks holding the rows are read. Counted in ``rows_read``.

        Parameters
        ----------
        idx : array_like of int
            Row indices (a boolean mask, an n-vector, is refused).

        Returns
        -------
        ndarray of shape (k, d)
            The k rows, in the order of ``idx``.

        Raises
        ------
        DualSVMError
            For a boolean mask.
        """
        idx_ = np.asarray(idx)
        if idx_.dtype == bool:
            raise DualSVMError("rows of a dask operator take integer indices, not a boolean mask (an n-vector)")
        out = np.asarray(self._X[idx_.astype(np.intp)].compute()) if idx_.size else np.zeros((0, self.d))
        self.rows_read += int(out.shape[0])
        return out

    vstack = staticmethod(DenseOperator.vstack)
    to_dense = staticmethod(DenseOperator.to_dense)

    def _in_memory_only(self, what: str) -> DualSVMError:
        return DualSVMError(
            f"{what} needs the whole matrix in memory, and X is a dask array ({self.n} x {self.d}); "
            "on dask arrays use dualsvm.solve_ipm or dualsvm.solve_subgradient (or X.compute() if it fits)")

    def dense(self) -> Any:
        """Not available on dask data: raises :class:`~dualsvm.DualSVMError` naming ``solve_ipm`` and ``solve_subgradient``."""
        raise self._in_memory_only("materializing X")

    def row_gram(self) -> Any:
        """Not available on dask data (an n x n matrix): raises :class:`~dualsvm.DualSVMError`."""
        raise self._in_memory_only("the n x n sample Gram X X^T")

    def extended(self, w: ArrayLike, v: ArrayLike) -> Any:
        """Not available as such: the certificate of dask data works block by block (``dualsvm/chunked_certificate.py``).

        Parameters
        ----------
        w, v : array_like
            As :meth:`DenseOperator.extended`; unused.

        Raises
        ------
        DualSVMError
            Always.
        """
        raise self._in_memory_only("the certificate's in-memory longdouble products")
