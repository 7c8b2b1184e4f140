"""Figures: every function takes results and returns a ``matplotlib`` Figure.

Nothing here trains a model or reads data; nothing is shown or saved as a
side effect (call ``fig.savefig`` yourself, or let the notebook display it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure as _MplFigure
from matplotlib.patches import Polygon as _Polygon
from matplotlib.patches import Rectangle as _Rectangle


class Figure(_MplFigure):
    """A matplotlib ``Figure`` that Jupyter displays as a PNG, without pyplot.

    The library never imports pyplot (no global figure state, nothing shown
    as a side effect), so it gives its figures their own rich display.
    """

    def _repr_png_(self) -> bytes:
        from io import BytesIO

        buffer = BytesIO()
        self.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        return buffer.getvalue()


__all__ = [
    "agreement_heatmap",
    "architecture_diagram",
    "autoencoder_schematic",
    "image_rows",
    "re_histogram",
    "training_curves",
]


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


def _architecture_rows(model_or_table) -> list[dict]:
    if hasattr(model_or_table, "layers"):
        from .models import architecture_table

        return architecture_table(model_or_table)
    rows = list(model_or_table)
    needed = {"layer", "part", "n_in", "n_out", "params"}
    if not rows or not all(isinstance(r, dict) and needed <= set(r) for r in rows):
        raise ValueError(
            "architecture_diagram needs a dense autoencoder or the rows of "
            "aebook.architecture_table(model) (dicts with layer, part, n_in, n_out, params)"
        )
    return rows


def architecture_diagram(model_or_table, max_nodes: int = 10, title: str | None = None) -> Figure:
    """Draw a feed-forward autoencoder as in the paper's Figure 2 (§2).

    ``model_or_table`` is a model from :func:`aebook.dense_autoencoder` or the
    rows of :func:`aebook.architecture_table`; every width and parameter count
    shown is read from it. Each layer is a column of neurons (at most
    ``max_nodes`` drawn; a wider layer shows a gap and its true width), its
    height growing with the logarithm of its width; encoder layers are blue,
    the middle (latent) layer orange, decoder layers green, and the number of
    parameters of each dense layer is written between the columns it joins.
    """
    rows = _architecture_rows(model_or_table)
    if int(max_nodes) < 3:
        raise ValueError(f"max_nodes must be at least 3, got {max_nodes}")
    widths = [int(rows[0]["n_in"])] + [int(r["n_out"]) for r in rows]
    names = ["input"] + [str(r["layer"]) for r in rows]
    smallest = int(np.argmin(widths[1:-1])) + 1 if len(widths) > 2 else None
    colors = ["0.6"]
    for i, r in enumerate(rows, start=1):
        part = "tab:blue" if r["part"] == "encoder" else "tab:green"
        colors.append("tab:orange" if i == smallest else part)
    top = np.log(max(widths) + 1.0)
    fig = Figure(figsize=(1.5 * len(widths) + 1.0, 4.2))
    ax = fig.subplots()
    columns = []
    for x, (w, color) in enumerate(zip(widths, colors, strict=True)):
        height = 0.3 + 0.7 * np.log(w + 1.0) / top
        k = min(w, int(max_nodes))
        ys = np.linspace(-height / 2, height / 2, k) if k > 1 else np.zeros(1)
        if w > k:  # a gap in the middle stands for the neurons not drawn
            ys = np.delete(np.linspace(-height / 2, height / 2, k + 1), (k + 1) // 2)
            ax.text(x, 0.0, "⋮", ha="center", va="center", fontsize=12)
        columns.append(ys)
        ax.scatter(np.full(len(ys), x), ys, s=60, color=color, edgecolor="k", linewidth=0.5, zorder=3)
        ax.text(x, -0.62, f"{names[x]}\n{w:,}", ha="center", va="top", fontsize=8)
    for i, r in enumerate(rows):
        left, right = columns[i], columns[i + 1]
        for y0 in left:
            ax.plot([i, i + 1] * len(right), np.ravel(np.column_stack([np.full(len(right), y0), right])),
                    color="0.75", linewidth=0.3, zorder=1)
        label = f"{int(r['params']):,}" + (" (tied)" if r.get("tied") else "")
        ax.text(i + 0.5, 0.58, label, ha="center", va="bottom", fontsize=7.5, color="0.25")
    total = sum(int(r["params"]) for r in rows)
    ax.text(-0.4, 0.72, "parameters per layer:", ha="left", va="bottom", fontsize=7.5, color="0.25")
    ax.set_title(title if title is not None else f"{' - '.join(map(str, widths))}  ({total:,} parameters)",
                 fontsize=10)
    ax.set_xlim(-0.6, len(widths) - 0.4)
    ax.set_ylim(-0.95, 0.85)
    ax.axis("off")
    return fig


def autoencoder_schematic(input_dim: int = 784, latent_dim: int = 16) -> Figure:
    """Draw the general structure of an autoencoder, the paper's Figure 1 (§1).

    The input vector x (a tall bar of ``input_dim`` components) enters the
    encoder g, which gives the latent vector h = g(x) (a short bar of
    ``latent_dim`` components, eq. 2); the decoder f rebuilds x~ = f(h) from
    it (eq. 3). Bar heights grow with the logarithm of the widths, so the
    bottleneck is visible for any ``input_dim`` and ``latent_dim``.
    """
    n, q = int(input_dim), int(latent_dim)
    if n < 1 or q < 1:
        raise ValueError(
            f"input_dim and latent_dim must be positive integers, got {input_dim}, {latent_dim}"
        )
    top = np.log(max(n, q) + 1.0)

    def height(w: int) -> float:
        return 0.35 + 0.65 * np.log(w + 1.0) / top

    fig = Figure(figsize=(8.0, 3.4))
    ax = fig.subplots()
    bars = [(0.0, n, "$\\mathbf{x}$", "input", "0.55"),
            (4.0, q, "$\\mathbf{h} = g(\\mathbf{x})$", "latent features", "tab:orange"),
            (8.0, n, "$\\tilde{\\mathbf{x}} = f(\\mathbf{h})$", "reconstruction", "0.55")]
    for x, w, symbol, what, color in bars:
        hgt = height(w)
        ax.add_patch(_Rectangle((x - 0.25, -hgt / 2), 0.5, hgt, facecolor=color,
                                edgecolor="k", linewidth=0.8))
        ax.text(x, hgt / 2 + 0.06, symbol, ha="center", va="bottom", fontsize=13)
        ax.text(x, -hgt / 2 - 0.06, f"{what}\n{w:,} values", ha="center", va="top",
                fontsize=8.5)
    for x0, x1, name, part, color in [(0.35, 3.65, "$g$", "encoder", "tab:blue"),
                                      (4.35, 7.65, "$f$", "decoder", "tab:green")]:
        h0 = height(n) if part == "encoder" else height(q)
        h1 = height(q) if part == "encoder" else height(n)
        corners = [(x0, -h0 / 2), (x1, -h1 / 2), (x1, h1 / 2), (x0, h0 / 2)]
        ax.add_patch(_Polygon(corners, closed=True, facecolor=color, alpha=0.25,
                              edgecolor=color, linewidth=1.2))
        ax.text((x0 + x1) / 2, 0.05, name, ha="center", va="center", fontsize=15)
        ax.text((x0 + x1) / 2, -0.12, part, ha="center", va="center", fontsize=9)
    ax.set_xlim(-0.8, 8.8)
    ax.set_ylim(-0.95, 0.8)
    ax.axis("off")
    return fig
