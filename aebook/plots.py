"""Figures: every function takes results and returns a ``matplotlib`` Figure.

Nothing here trains a model or reads data; nothing is shown or saved as a
side effect (call ``fig.savefig`` yourself, or let the notebook display it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

__all__ = ["agreement_heatmap", "image_rows", "re_histogram", "training_curves"]


def _as_images(batch, image_shape) -> np.ndarray:
    arr = np.asarray(batch)
    if arr.ndim == 2:
        if int(np.prod(image_shape)) != arr.shape[1]:
            raise ValueError(
                f"cannot show vectors of length {arr.shape[1]} as {image_shape} images: "
                "pass image_shape=(h, w)"
            )
        arr = arr.reshape(len(arr), *image_shape)
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 3:
        raise ValueError(f"expected a batch of images (n, h, w) or vectors (n, d), got {arr.shape}")
    return arr


def image_rows(
    rows: Sequence,
    labels: Sequence[str] | None = None,
    n: int | None = None,
    image_shape: tuple[int, int] = (28, 28),
    titles: Sequence[str] | None = None,
    cmap: str = "gray",
    size: float = 1.1,
) -> Figure:
    """Show several batches of images as rows, one image per column.

    The paper's Figures 4-8, 12 and 13 are of this kind: originals in the
    first row, reconstructions below. ``rows`` is a list of arrays of shape
    ``(n, h, w)`` or ``(n, h*w)``; ``labels`` names each row (shown at its
    left); ``titles`` labels each column (e.g. the digit class).
    """
    batches = [_as_images(r, image_shape) for r in rows]
    if not batches:
        raise ValueError("image_rows needs at least one row")
    count = min(len(b) for b in batches) if n is None else int(n)
    if any(len(b) < count for b in batches):
        raise ValueError(f"every row needs at least n={count} images")
    if labels is not None and len(labels) != len(batches):
        raise ValueError(f"{len(labels)} labels for {len(batches)} rows")
    fig = Figure(figsize=(size * count + (1.2 if labels else 0), size * len(batches)))
    axes = fig.subplots(len(batches), count, squeeze=False)
    for r, batch in enumerate(batches):
        for c in range(count):
            ax = axes[r, c]
            ax.imshow(batch[c], cmap=cmap, vmin=0.0, vmax=max(1.0, float(batch.max())))
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0 and titles is not None:
                ax.set_title(str(titles[c]), fontsize=9)
        if labels is not None:
            axes[r, 0].set_ylabel(labels[r], rotation=0, ha="right", va="center", fontsize=9)
    fig.subplots_adjust(wspace=0.05, hspace=0.05)
    return fig


def training_curves(
    histories: dict | Sequence[dict],
    names: Sequence[str] | None = None,
    keys: Sequence[str] = ("loss", "val_loss"),
    logy: bool = False,
) -> Figure:
    """Plot per-epoch losses of one or more training histories.

    ``histories`` is a ``Trained.history`` dictionary (or a list of them);
    ``names`` labels them in the legend.
    """
    if isinstance(histories, dict):
        histories = [histories]
    names = list(names) if names is not None else [f"model {i + 1}" for i in range(len(histories))]
    if len(names) != len(histories):
        raise ValueError(f"{len(names)} names for {len(histories)} histories")
    fig = Figure(figsize=(6, 3.5))
    ax = fig.subplots()
    for hist, name in zip(histories, names, strict=True):
        for key in keys:
            if key not in hist:
                continue
            values = hist[key]
            style = "-" if not key.startswith("val_") else "--"
            ax.plot(np.arange(1, len(values) + 1), values, style, label=f"{name} {key}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def re_histogram(
    errors,
    bins: int = 50,
    marks: dict | None = None,
    xlabel: str = "reconstruction error",
    logx: bool = False,
) -> Figure:
    """Histogram of per-sample reconstruction errors (§2.3, eq. 21).

    ``errors`` is one array of per-sample errors, or a dictionary
    ``{name: errors}`` drawn as outlines over shared bins (e.g. one model per
    latent size). ``marks`` is ``{label: value}``: vertical dashed lines such
    as the mean or a detection threshold. ``logx=True`` uses logarithmic bins
    and axis, which suits the long right tail REs usually have. Say in
    ``xlabel`` which kind of error it is (per-pixel mean or sum).
    """
    series = dict(errors) if isinstance(errors, dict) else {None: errors}
    if not series:
        raise ValueError("re_histogram needs at least one array of errors")
    arrays = {}
    for name, values in series.items():
        arr = np.asarray(values, dtype=np.float64)
        what = "errors" if name is None else f"errors[{name!r}]"
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"{what} must be a non-empty 1-D array (one error per sample), got {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{what} contains NaN or infinite values: drop or fix them first")
        if logx and arr.min() <= 0:
            raise ValueError(f"{what} has values <= 0, which a logarithmic axis cannot show: use logx=False")
        arrays[name] = arr
    if int(bins) < 1:
        raise ValueError(f"bins must be >= 1, got {bins}")
    lo = min(a.min() for a in arrays.values())
    hi = max(a.max() for a in arrays.values())
    if hi <= lo:
        hi = lo + 1.0 if lo == 0 else lo * 1.01
    edges = np.geomspace(lo, hi, int(bins) + 1) if logx else np.linspace(lo, hi, int(bins) + 1)
    fig = Figure(figsize=(6, 3.5))
    ax = fig.subplots()
    single = len(arrays) == 1
    for name, arr in arrays.items():
        ax.hist(arr, bins=edges, histtype="bar" if single else "step", alpha=0.8 if single else 1.0,
                linewidth=1.5, label=None if name is None else str(name))
    for i, (label, value) in enumerate((marks or {}).items()):
        ax.axvline(float(value), color=f"C{(i + len(arrays)) % 10}", linestyle="--", linewidth=1.2,
                   label=f"{label}: {float(value):.4g}")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("number of samples")
    if marks or not single or None not in arrays:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def agreement_heatmap(matrix, names: Sequence[str], title: str | None = None,
                      vmin: float = 0.0, vmax: float = 1.0) -> Figure:
    """Show a square matrix of pairwise agreements, each cell annotated (§3.3.1).

    ``matrix`` is e.g. :func:`aebook.pairwise_agreement` of several models'
    anomaly scores (top-k overlap or rank correlation); ``names`` labels its
    rows and columns.
    """
    arr = np.asarray(matrix, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ValueError(f"matrix must be square (n, n), got shape {arr.shape}")
    if len(names) != len(arr):
        raise ValueError(f"{len(names)} names for a {len(arr)}x{len(arr)} matrix")
    side = 1.0 + 0.7 * len(arr)
    fig = Figure(figsize=(side + 1.5, side))
    ax = fig.subplots()
    image = ax.imshow(arr, vmin=vmin, vmax=vmax, cmap="viridis")
    for i in range(len(arr)):
        for j in range(len(arr)):
            colour = "black" if arr[i, j] > vmin + 0.6 * (vmax - vmin) else "white"
            ax.text(j, i, f"{arr[i, j]:.2f}", ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(len(arr)), [str(n) for n in names], rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(arr)), [str(n) for n in names], fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    return fig
