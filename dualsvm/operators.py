r"""Data operators: the few ways a solver touches the feature matrix, behind one small object.

Every method reads the data :math:`X \in \mathbb{R}^{n \times d}` in a handful
of ways (``../shared/DESIGN.md``):

* :math:`X W` (:meth:`DenseOperator.matvec`), one pass;
* :math:`X^\top V` (:meth:`DenseOperator.rmatvec`), one pass;
* :math:`X^\top\mathrm{diag}(s)X`, with :math:`X^\top V` alongside
  (:meth:`DenseOperator.weighted_gram`), one pass;
* :math:`X X^\top` (:meth:`DenseOperator.row_gram`), one pass;
* :math:`\|x_i\|` (:meth:`DenseOperator.row_norms`), one pass;
* the rows of a subset (:meth:`DenseOperator.rows`), counted in ``rows_read``;
* the whole matrix (:meth:`DenseOperator.dense`), one pass.

``passes`` counts reads of the whole data set, so that a solver's
``extras["data_passes"]`` says what it cost on data that does not fit in
cache (or in memory: a Dask operator reads each chunk once per pass). A
product with a block of vectors (``W`` of shape ``(d, k)``) is still one pass.
Reading a subset of rows (:meth:`~DenseOperator.rows`) is counted separately,
in ``rows_read``.

The interface is deliberately type-agnostic: sparse, kernel-factor and Dask
operators implement the same methods; solvers never test the type of ``X``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from threadpoolctl import ThreadpoolController

from .exceptions import DualSVMError

__all__ = ["DenseOperator", "blas_threads", "single_blas_thread"]

Array = NDArray[np.float64]

#: Rows per block in :meth:`DenseOperator.weighted_gram`: the scaled copy of a
#: block stays in cache-friendly size (8192 x d doubles) instead of a full n x d temporary.
_BLOCK_ROWS = 8192


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


_P = ParamSpec("_P")
_R = TypeVar("_R")


def single_blas_thread(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator: run ``fn`` with BLAS limited to one thread (:func:`blas_threads`)."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with blas_threads(1):
            return fn(*args, **kwargs)

    return wrapper


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
        s_ = np.asarray(s, dtype=np.float64).reshape(-1)
        if s_.shape[0] != self.n:
            raise DualSVMError(f"s must have {self.n} entries (n_samples), got {s_.shape[0]}")
        if s_.size and s_.min() < 0:
            raise DualSVMError(f"weights s must be >= 0, got min(s) = {s_.min()!r}")
        self.passes += 1
        X, r = self._X, np.sqrt(s_)
        G = np.zeros((self.d, self.d))
        for lo in range(0, self.n, _BLOCK_ROWS):
            H = X[lo : lo + _BLOCK_ROWS] * r[lo : lo + _BLOCK_ROWS, None]
            G += H.T @ H  # numpy dispatches A.T @ A to syrk
        if V is None:
            return G
        return G, X.T @ np.asarray(V, dtype=np.float64)

    def row_gram(self) -> Array:
        r"""The sample Gram :math:`X X^\top`, shape ``(n, n)``; one pass.

        Returns
        -------
        ndarray of shape (n, n)
            :math:`(X X^\top)_{ij} = x_i^\top x_j`.
        """
        self.passes += 1
        return self._X @ self._X.T

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
