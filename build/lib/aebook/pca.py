"""Principal component analysis next to autoencoders (Michelucci 2022, §3.1, eq. 22).

Small NumPy functions for the chapter on dimensionality reduction:

* :func:`pca_normalize` -- the centring and scaling of eq. 22, after which
  ``x_hat.T @ x_hat`` is the (biased) covariance matrix of the data;
* :func:`pca_fit` / :func:`pca_reconstruct` -- the top-q principal
  subspace from the eigenvectors of that covariance matrix (the textbook
  method whose O(d^2) memory the paper mentions) and the projection on it;
* :func:`principal_angles` -- how far apart two subspaces are, used to check
  that a linear autoencoder spans the same subspace as PCA;
* :func:`covariance_nbytes` -- the memory the d x d covariance matrix needs.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._checks import as_float_array, as_number, check_features

__all__ = ["PCAResult", "covariance_nbytes", "pca_fit", "pca_normalize", "pca_reconstruct",
           "principal_angles"]


def _as_matrix(x, name: str) -> np.ndarray:
    """``x`` as a finite float64 matrix (float64: PCA and angles need the precision)."""
    if isinstance(x, PCAResult):
        raise TypeError(f"{name} must be an array of samples, got a PCAResult: pass it as pca=")
    as_float_array(np.asarray(x)[:0] if np.ndim(x) else x, name)  # type check only
    arr = np.asarray(x, dtype=np.float64)
    if arr.size and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values: clean or impute them first")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-d array (n_samples, n_features), got shape {arr.shape}: "
                         "flatten images first (aebook.flatten)")
    return arr.astype(np.float64)


def pca_normalize(x, mean=None) -> tuple[np.ndarray, np.ndarray]:
    """Centre and scale ``x`` as in eq. 22: ``(x - mean) / sqrt(M)``; return it and the mean.

    ``M`` is the number of samples of ``x``. ``mean`` defaults to the column
    means of ``x`` (pass the training mean to normalise test data the same
    way). With this scaling ``x_hat.T @ x_hat`` is the covariance matrix of
    ``x`` (divided by ``M``, not ``M - 1``).
    """
    arr = _as_matrix(x, "x")
    if len(arr) < 1:
        raise ValueError("x has no samples: eq. 22 needs at least one")
    if mean is None:
        mean = arr.mean(axis=0)
    else:
        mean = np.asarray(mean, dtype=np.float64)
        if mean.shape != arr.shape[1:]:
            raise ValueError(f"mean has shape {mean.shape} but x has {arr.shape[1]} features: "
                             "pass the column means of the training data")
    return (arr - mean) / np.sqrt(len(arr)), mean


@dataclasses.dataclass(frozen=True)
class PCAResult:
    """The top-q principal subspace: ``components`` is (q, d), rows orthonormal."""

    mean: np.ndarray
    components: np.ndarray
    variances: np.ndarray  # eigenvalues of the covariance matrix, largest first (q of them)
    total_variance: float  # the trace of the covariance matrix

    @property
    def explained_fraction(self) -> float:
        """Fraction of the total variance that the q components keep."""
        return float(self.variances.sum() / self.total_variance) if self.total_variance > 0 else 1.0


def pca_fit(x, q: int) -> PCAResult:
    """Top-``q`` principal components of ``x`` from its d x d covariance matrix (§3.1).

    This is the method whose memory grows as O(d^2): it forms the covariance
    matrix of eq. 22's normalised data and takes its eigenvectors. Raises
    ``ValueError`` when ``q`` is not between 1 and the number of features.
    """
    arr = _as_matrix(x, "x")
    d = arr.shape[1]
    if not 1 <= as_number(q, "q", integer=True) <= d:
        raise ValueError(f"q must be between 1 and the number of features ({d}), got {q}")
    if len(arr) < 2:
        raise ValueError(f"x has {len(arr)} sample(s): PCA needs at least two")
    x_hat, mean = pca_normalize(arr)
    cov = x_hat.T @ x_hat
    values, vectors = np.linalg.eigh(cov)  # ascending
    order = np.argsort(values)[::-1][: int(q)]
    return PCAResult(mean=mean, components=vectors[:, order].T.copy(),
                     variances=np.clip(values[order], 0.0, None), total_variance=float(np.trace(cov)))


def pca_reconstruct(pca: PCAResult, x) -> np.ndarray:
    """Project ``x`` on the principal subspace and map it back: ``mean + (x - mean) V V^T``."""
    if not isinstance(pca, PCAResult):
        raise TypeError(f"pca must be the PCAResult of aebook.pca_fit, got {type(pca).__name__}")
    arr = _as_matrix(x, "x")
    if len(arr) == 0:
        raise ValueError(f"x has no samples (shape {arr.shape}): pass at least one")
    check_features(arr, pca.mean.shape, "x")
    codes = (arr - pca.mean) @ pca.components.T
    return codes @ pca.components + pca.mean


def _orthonormal_basis(a: np.ndarray, name: str) -> np.ndarray:
    q, r = np.linalg.qr(a)
    diag = np.abs(np.diag(r))
    if diag.size == 0 or diag.min() <= 1e-10 * max(diag.max(), 1e-300):
        raise ValueError(f"the columns of {name} are linearly dependent (or zero): they do not span a "
                         f"{a.shape[1]}-dimensional subspace; drop the redundant columns")
    return q


def principal_angles(a, b, degrees: bool = True) -> np.ndarray:
    """Principal angles between the column spaces of ``a`` (d, k) and ``b`` (d, l), smallest first.

    Returns ``min(k, l)`` angles in degrees (``degrees=False``: radians).
    All zero means one subspace contains the other; 90 means orthogonal
    directions. Used in §3.1 to compare a linear autoencoder's decoder with
    the top principal components. Small angles are computed from sines, large
    ones from cosines, so both ends are accurate.
    """
    a = _as_matrix(a, "a")
    b = _as_matrix(b, "b")
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"a and b must have the same number of rows (the ambient dimension d), got "
                         f"{a.shape[0]} and {b.shape[0]}: pass the spanning vectors as columns")
    qa, qb = _orthonormal_basis(a, "a"), _orthonormal_basis(b, "b")
    if qa.shape[1] > qb.shape[1]:
        qa, qb = qb, qa
    cosines = np.linalg.svd(qa.T @ qb, compute_uv=False)  # descending
    sines = np.linalg.svd(qa - qb @ (qb.T @ qa), compute_uv=False)[::-1]  # ascending
    cosines, sines = np.clip(cosines, 0.0, 1.0), np.clip(sines, 0.0, 1.0)
    angles = np.where(cosines**2 < 0.5, np.arccos(cosines), np.arcsin(sines))
    angles = np.sort(angles)
    return np.degrees(angles) if degrees else angles


def covariance_nbytes(d: int, itemsize: int = 8) -> int:
    """Bytes of a dense d x d covariance matrix (float64: ``itemsize=8``), the O(d^2) of §3.1."""
    if as_number(d, "d", integer=True) < 1 or as_number(itemsize, "itemsize", integer=True) < 1:
        raise ValueError(f"d and itemsize must be positive integers, got {d}, {itemsize}")
    return int(d) * int(d) * int(itemsize)
