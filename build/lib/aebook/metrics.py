"""Reconstruction errors (Michelucci 2022, §2.2-2.3, eq. 9, 14 and 21).

Two conventions meet in the paper and the book keeps them apart:

* ``kind="mse"`` -- the mean of the squared differences over the n
  components of one sample: Keras's ``mse`` and the convention of the REs the
  paper quotes in §3.3 (0.062 for the shoe). The book's default.
* ``kind="sse"`` -- the squared Euclidean norm |x - x~|^2 of one sample, the
  summand of eq. 9 and eq. 21. It equals n times the ``mse`` value.
* ``kind="bce"`` -- the binary cross-entropy of eq. 14 for one sample,
  averaged over components (Keras's convention); needs values in [0, 1].

Each function returns one number per sample; average them for the
dataset-level quantities of eq. 9 and 21.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, as_number, check_batch, check_same_shape, check_unit_interval

__all__ = ["latent_sparsity", "psnr", "rank_by_error", "reconstruction_error", "RE_KINDS"]

RE_KINDS = ("mse", "sse", "bce")
_EPS = 1e-7  # Keras's clipping constant for the cross-entropy


def reconstruction_error(x, x_hat, kind: str = "mse") -> np.ndarray:
    """Per-sample reconstruction error between inputs ``x`` and outputs ``x_hat``.

    ``x`` and ``x_hat`` are ``(n_samples, ...)`` arrays of the same shape;
    the error is taken over all remaining axes. See the module docstring for
    the three kinds. Raises ``ValueError`` on a shape mismatch, NaN, an unknown
    kind, or (for ``"bce"``) values outside [0, 1].
    """
    if kind not in RE_KINDS:
        raise ValueError(f"unknown reconstruction error kind {kind!r}: choose one of {RE_KINDS}")
    x = as_float_array(x, "x")
    x_hat = as_float_array(x_hat, "x_hat")
    check_batch(x, "x")  # one error per sample: a single sample is x[None]
    check_batch(x_hat, "x_hat")
    check_same_shape(x, x_hat)
    x2 = x.reshape(len(x), -1).astype(np.float64)
    xh2 = x_hat.reshape(len(x_hat), -1).astype(np.float64)
    if kind == "bce":
        why = "and the binary cross-entropy (eq. 14) is defined only there"
        check_unit_interval(x, "x", why)
        check_unit_interval(x_hat, "x_hat", why)
        p = np.clip(xh2, _EPS, 1 - _EPS)
        return -(x2 * np.log(p) + (1 - x2) * np.log(1 - p)).mean(axis=1)
    sq = (x2 - xh2) ** 2
    return sq.mean(axis=1) if kind == "mse" else sq.sum(axis=1)


def psnr(x, x_hat, data_range: float = 1.0) -> np.ndarray:
    """Per-sample peak signal-to-noise ratio in decibels (used for denoising, §3.4).

    ``PSNR = 10 log10(data_range**2 / MSE)`` with the per-sample mean squared
    error of :func:`reconstruction_error` (``kind="mse"``); ``data_range`` is
    the span of possible values (1 for images in [0, 1], 255 for 8-bit ones).
    Higher is better; a perfect reconstruction gives ``inf``.
    """
    data_range = as_number(data_range, "data_range (1.0 for images in [0, 1])")
    if data_range <= 0:
        raise ValueError(f"data_range must be a positive number (1.0 for images in [0, 1]), got {data_range}")
    mse = reconstruction_error(x, x_hat, kind="mse")
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(data_range**2 / mse)


def rank_by_error(errors, largest_first: bool = True) -> np.ndarray:
    """Indices of the samples ordered by their reconstruction error (§2.3, Fig. 3; §3.3, step 3).

    ``errors`` is one number per sample (e.g. from :func:`reconstruction_error`).
    With ``largest_first=True`` the worst-reconstructed sample comes first (the
    order anomaly detection reads, §3.3: most anomalous first); ``False`` gives
    the best first. Ties keep the order of the samples (a stable sort), so the
    ranking is reproducible. The one ranking function of the library. Raises ``ValueError`` for
    anything but a one-dimensional array of finite numbers.
    """
    as_float_array(errors, "errors")  # refuses non-numeric input, NaN and inf
    arr = np.asarray(errors, dtype=np.float64)  # full precision: float32 could create ties
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"errors must hold one number per sample (a non-empty array of shape (n,)), got "
            f"shape {arr.shape}: compute per-sample errors with aebook.reconstruction_error "
            "(or aebook.anomaly_scores) first"
        )
    return np.argsort(-arr if largest_first else arr, kind="stable")


def latent_sparsity(h, tol: float = 0.01) -> float:
    """Fraction of near-zero latent activations (the sparsity that §1.1 regularization seeks).

    An activation counts as near zero when ``|h| <= tol * max|h|``, the
    largest absolute activation in ``h`` (an ``(n_samples, q)`` array of
    latent features, e.g. ``model.encoder.predict(x)``). Measuring relative to
    the largest activation makes the number blind to a mere rescaling: a
    penalty that shrinks every activation by the same factor does not make the
    code sparser. All-zero ``h`` has sparsity 1.
    """
    h = as_float_array(h, "h")
    if h.ndim != 2 or h.size == 0:
        raise ValueError(f"h must be a non-empty (n_samples, q) array of latent features, got {h.shape}")
    if not 0.0 <= as_number(tol, "tol") < 1.0:
        raise ValueError(f"tol must be in [0, 1), got {tol}")
    a = np.abs(h.astype(np.float64))
    top = float(a.max())
    if top == 0.0:
        return 1.0
    return float(np.mean(a <= tol * top))
