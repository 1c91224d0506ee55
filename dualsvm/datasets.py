"""Built-in data: a small real data set shipped in the package, and seeded generators.

No function here touches the network.
"""

from __future__ import annotations

import csv
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .exceptions import DualSVMError

Data = tuple[NDArray[np.float64], NDArray[np.float64]]

__all__ = ["standardize", "load_iris_pair", "make_overlapping", "make_separable", "make_duplicated", "make_sparse_text"]


def load_iris_pair() -> tuple[NDArray[np.float64], NDArray[np.str_]]:
    """Fisher's iris, versicolor vs virginica: 100 rows, 4 features (cm).

    Shipped as ``dualsvm/data/iris_versicolor_virginica.csv`` (public domain;
    R. A. Fisher, 1936). Labels are the species names; ``"virginica"`` is the
    larger label and so the +1 class.

    Returns
    -------
    X : ndarray of shape (100, 4)
        Sepal length, sepal width, petal length, petal width, in cm.
    y : ndarray of shape (100,) of str
        ``"versicolor"`` (rows 0-49) or ``"virginica"`` (rows 50-99).
    """
    ref = resources.files("dualsvm") / "data" / "iris_versicolor_virginica.csv"
    with ref.open("r", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    X = np.array([[float(v) for v in r[:4]] for r in rows[1:]])
    y = np.array([r[4] for r in rows[1:]])
    return X, y


def standardize(X: NDArray[np.float64], weights: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
    r"""Zero mean and unit variance per column (constant columns are only centred); a new array.

    .. math:: x'_{ij} = \frac{x_{ij} - \mu_j}{\sigma_j}, \qquad
       \mu_j = \frac{\sum_i v_i x_{ij}}{\sum_i v_i}, \qquad
       \sigma_j^2 = \frac{\sum_i v_i (x_{ij} - \mu_j)^2}{\sum_i v_i},

    with :math:`\sigma_j` replaced by 1 where it is 0. With weights :math:`v` a row
    of weight k is standardized as k copies of it would be; without, :math:`v_i = 1`.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        The data; not modified.
    weights : ndarray of shape (n,), optional
        Row weights :math:`v_i \ge 0` (not all 0). Default: all 1.

    Returns
    -------
    ndarray of shape (n, d)
        The standardized copy.
    """
    mean = np.average(X, axis=0, weights=weights)
    sd = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=weights))
    return (X - mean) / np.where(sd > 0, sd, 1.0)


def _check(n: int, d: int) -> None:
    if int(n) < 2 or int(d) < 1:
        raise DualSVMError(f"need n >= 2 and d >= 1, got n={n!r}, d={d!r}")


def make_overlapping(n: int = 200, d: int = 2, *, sep: float = 1.0, seed: int = 0) -> Data:
    r"""Two Gaussian classes whose means are ``sep`` apart along a random direction.

    .. math:: x_i = z_i + \tfrac12\,\mathrm{sep}\; y_i u, \qquad z_i \sim N(0, I_d),

    with :math:`u` a random unit vector; then every column is standardized
    (:func:`standardize`). Classes alternate (+1, -1, ...), so both are present for any n >= 2.

    Parameters
    ----------
    n : int, default 200
        Number of points, >= 2.
    d : int, default 2
        Number of features, >= 1.
    sep : float, default 1.0
        Distance between the two class means, before standardizing.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``: the same seed gives the same data.

    Returns
    -------
    X : ndarray of shape (n, d)
        Standardized features.
    y : ndarray of shape (n,)
        Labels +1.0 and -1.0, alternating from +1.

    Raises
    ------
    DualSVMError
        If n < 2 or d < 1.
    """
    _check(n, d)
    rng = np.random.default_rng(seed)
    y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    X = rng.standard_normal((n, d)) + 0.5 * sep * y[:, None] * u
    return standardize(X), y


def make_separable(n: int = 100, d: int = 2, *, gap: float = 1.0, seed: int = 0) -> Data:
    r"""Linearly separable classes: Gaussian points moved out of a slab of width ``gap``.

    Each :math:`z_i \sim N(0, I_d)` keeps its part orthogonal to a random unit vector
    :math:`u`; its coordinate along :math:`u` is replaced, so that

    .. math:: y_i\, u^\top x_i = \tfrac12\mathrm{gap} + |u^\top z_i| \;\ge\; \tfrac12\mathrm{gap}:

    the hyperplane :math:`u^\top x = 0` separates the classes with geometric margin at least
    gap/2. The features are not standardized (that would move the slab).

    Parameters
    ----------
    n : int, default 100
        Number of points, >= 2.
    d : int, default 2
        Number of features, >= 1.
    gap : float, default 1.0
        Width of the empty slab around :math:`u^\top x = 0`.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``: the same seed gives the same data.

    Returns
    -------
    X : ndarray of shape (n, d)
        The points.
    y : ndarray of shape (n,)
        Labels +1.0 and -1.0, alternating from +1.

    Raises
    ------
    DualSVMError
        If n < 2 or d < 1.
    """
    _check(n, d)
    rng = np.random.default_rng(seed)
    y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    X = rng.standard_normal((n, d))
    proj = X @ u
    X += ((0.5 * gap + np.abs(proj)) * y - proj)[:, None] * u
    return X, y


def make_duplicated(n: int = 60, d: int = 2, *, seed: int = 0) -> Data:
    """Overlapping data in which every point appears twice.

    The first half of the rows is :func:`make_overlapping` with ``max(n // 2, 2)``
    points, the second half repeats it in the same order, so row i and row
    i + n // 2 are equal.

    Parameters
    ----------
    n : int, default 60
        Number of rows: exactly n for an even n >= 4; an odd n gives n - 1 rows,
        and n < 4 gives 4.
    d : int, default 2
        Number of features, >= 1.
    seed : int, default 0
        Seed passed to :func:`make_overlapping`.

    Returns
    -------
    X : ndarray of shape (2 * max(n // 2, 2), d)
        Standardized features, each row twice.
    y : ndarray of shape (2 * max(n // 2, 2),)
        Labels +1.0 and -1.0.

    Raises
    ------
    DualSVMError
        If d < 1.
    """
    X, y = make_overlapping(max(n // 2, 2), d, seed=seed)
    return np.vstack([X, X]), np.concatenate([y, y])


def make_sparse_text(
    n: int = 1000, d: int = 5000, *, nnz_per_row: int = 50, n_informative: int = 500, noise: float = 0.1, seed: int = 0,
) -> tuple[Any, NDArray[np.int64]]:
    r"""Seeded sparse data shaped like tf-idf text features, with labels from a sparse planted ``w``.

    Each row draws ``nnz_per_row`` word occurrences from a Zipf-like
    distribution over the ``d`` columns (:math:`p_j \propto 1/(j + 10)`),
    so a few columns are frequent and most are rare; repeated words add up to
    counts. Values are count times idf (:math:`1 + \log(n / \mathrm{df}_j)`),
    each row scaled to unit norm, as scikit-learn's ``TfidfVectorizer`` does.
    Labels: the sign of :math:`x^\top w_0` (``n_informative`` random columns
    with normal weights) centred at its median, plus normal noise of
    ``noise`` times its spread.

    Parameters
    ----------
    n : int, default 1000
        Number of samples (rows), >= 2.
    d : int, default 5000
        Number of features (columns, the vocabulary), >= 1.
    nnz_per_row : int, default 50
        Word occurrences drawn per row; repeats add up, so a row has at most
        this many stored entries.
    n_informative : int, default 500
        Columns with a nonzero weight in the planted :math:`w_0` (at most ``d`` are used).
    noise : float, default 0.1
        Standard deviation of the label noise, as a multiple of the standard
        deviation of the centred scores :math:`x_i^\top w_0`.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same data.

    Returns
    -------
    X : scipy.sparse.csr_array of shape (n, d)
        Unit-norm tf-idf rows with at most ``n * nnz_per_row`` stored entries.
    y : ndarray of shape (n,), dtype int64
        Labels in {0, 1}: 1 where the noisy centred score is positive.

    Raises
    ------
    DualSVMError
        If n < 2 or d < 1.
    """
    import scipy.sparse as sp  # scipy is a dependency; imported here to keep this module's import light

    _check(n, d)
    rng = np.random.default_rng(seed)
    p = 1.0 / (np.arange(d) + 10.0)
    cols = np.searchsorted(np.cumsum(p / p.sum()), rng.random(n * nnz_per_row), side="right").clip(0, d - 1)
    rows = np.repeat(np.arange(n), nnz_per_row)
    X = sp.csr_array((np.ones(n * nnz_per_row), (rows, cols)), shape=(n, d))  # sums repeats into counts
    X.sum_duplicates()
    df = np.bincount(X.indices, minlength=d)
    X.data *= 1.0 + np.log(n / np.maximum(df, 1))[X.indices]
    norms = np.sqrt(np.asarray(X.power(2).sum(axis=1)).reshape(-1))
    X = sp.csr_array(sp.diags_array(1.0 / np.maximum(norms, 1e-300)) @ X)
    w0 = np.zeros(d)
    w0[rng.choice(d, size=min(n_informative, d), replace=False)] = rng.standard_normal(min(n_informative, d))
    score = np.asarray(X @ w0)
    score = score - np.median(score)
    score += noise * (score.std() or 1.0) * rng.standard_normal(n)
    return X, (score > 0).astype(np.int64)
