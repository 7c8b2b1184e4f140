"""Figures of the "Beyond the paper" chapters: latent maps and precision-recall curves.

Like :mod:`aebook.plots`, every function takes results (arrays, scores) and
returns an :class:`aebook.plots.Figure`; nothing is computed or shown here
beyond what the figure needs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .plots import Figure

__all__ = ["latent_scatter", "precision_recall_curves"]


def latent_scatter(codes: Mapping[str, np.ndarray], labels, size: float = 4.2,
                   point_size: float = 3.0, cmap: str = "tab10") -> Figure:
    """Scatter 2-D codes coloured by class, one panel per entry of ``codes``.

    ``codes`` maps a panel title to an ``(n, 2)`` array (for example an
    autoencoder's 2-unit codes, PCA's first two components, a t-SNE map);
    ``labels`` holds the ``n`` integer classes shared by all panels. A legend
    of the classes is drawn once, at the right.
    """
    labels = np.asarray(labels)
    if not codes:
        raise ValueError("latent_scatter needs at least one set of codes")
    for title, arr in codes.items():
        arr = np.asarray(arr)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError(f"codes[{title!r}] must have shape (n, 2), got {arr.shape}")
        if len(arr) != len(labels):
            raise ValueError(f"codes[{title!r}] has {len(arr)} rows but labels has {len(labels)}")
    classes = np.unique(labels)
    fig = Figure(figsize=(size * len(codes) + 0.8, size))
    axes = fig.subplots(1, len(codes), squeeze=False)[0]
    for ax, (title, arr) in zip(axes, codes.items(), strict=True):
        arr = np.asarray(arr)
        for i, c in enumerate(classes):
            pts = arr[labels == c]
            ax.scatter(pts[:, 0], pts[:, 1], s=point_size, color=_colour(cmap, i), label=str(c),
                       alpha=0.7, linewidths=0)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[-1].legend(loc="center left", bbox_to_anchor=(1.0, 0.5), markerscale=4, frameon=False)
    fig.tight_layout()
    return fig


def _colour(cmap: str, i: int):
    from matplotlib import colormaps

    return colormaps[cmap](i % 10 if cmap == "tab10" else i)


def precision_recall_curves(labels, scores: Mapping[str, np.ndarray], title: str | None = None,
                            size: tuple[float, float] = (5.5, 4.2)) -> Figure:
    """Precision against recall for several score vectors on the same labels.

    ``labels`` are booleans (True = anomaly), ``scores`` maps a name to one
    score per sample (larger = more anomalous). Each curve's legend gives its
    average precision (AP, scikit-learn's step-wise area under the curve); the
    dashed line is the share of anomalies, the precision of a random ranking.
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve

    labels = np.asarray(labels, dtype=bool)
    if labels.ndim != 1 or not labels.any() or labels.all():
        raise ValueError("labels must be a 1-D boolean array holding both classes")
    fig = Figure(figsize=size)
    ax = fig.subplots()
    for name, s in scores.items():
        s = np.asarray(s, dtype=np.float64)
        if s.shape != labels.shape:
            raise ValueError(f"scores[{name!r}] has shape {s.shape}, labels {labels.shape}")
        precision, recall, _ = precision_recall_curve(labels, s)
        ap = average_precision_score(labels, s)
        ax.step(recall, precision, where="post", label=f"{name} (AP {ap:.2f})")
    ax.axhline(labels.mean(), color="grey", ls="--", lw=1, label=f"random ({labels.mean():.1%})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    if title:
        ax.set_title(title)
    ax.legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    return fig
