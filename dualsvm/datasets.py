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
    y : ndarray of shape (100,) of str
    """
    ref = resources.files("dualsvm") / "data" / "iris_versicolor_virginica.csv"
    with ref.open("r", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    X = np.array([[float(v) for v in r[:4]] for r in rows[1:]])
    y = np.array([r[4] for r in rows[1:]])
    return X, y


def standardize(X: NDArray[np.float64], weights: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
    """Zero mean and unit variance per column (constant columns are only centred); a new array.

    With ``weights`` the mean and variance are weighted, so that a row of weight k
    is standardized as k copies of it would be.
    """
    mean = np.average(X, axis=0, weights=weights)
    sd = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=weights))
    return (X - mean) / np.where(sd > 0, sd, 1.0)


def _check(n: int, d: int) -> None:
    if int(n) < 2 or int(d) < 1:
        raise DualSVMError(f"need n >= 2 and d >= 1, got n={n!r}, d={d!r}")


def make_overlapping(n: int = 200, d: int = 2, *, sep: float = 1.0, seed: int = 0) -> Data:
    """Two Gaussian classes whose means are ``sep`` apart along a random direction.

    Classes alternate (+1, -1, ...), so both are present for any n >= 2.
    Features are standardized to zero mean and unit variance.
    """
    _check(n, d)
    rng = np.random.default_rng(seed)
    y = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    X = rng.standard_normal((n, d)) + 0.5 * sep * y[:, None] * u
    return standardize(X), y


def make_separable(n: int = 100, d: int = 2, *, gap: float = 1.0, seed: int = 0) -> Data:
    r"""Linearly separable classes: points with :math:`|u^\top x| < \mathrm{gap}/2` are pushed out of the slab."""
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
    """Overlapping data in which every point appears twice (n rows, n/2 distinct)."""
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
    ``noise`` times its spread. Returns ``(X, y)``: a ``scipy.sparse.csr_array``
    with at most ``n * nnz_per_row`` stored entries, and labels in {0, 1}.
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
