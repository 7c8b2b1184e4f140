"""aebook.plots.autoencoder_schematic: the paper's Figure 1 drawn by code."""

from __future__ import annotations

import pytest

from aebook.plots import Figure, autoencoder_schematic


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_draws_x_g_h_f_xtilde_with_the_given_sizes():
    fig = autoencoder_schematic(784, 16)
    assert isinstance(fig, Figure)
    texts = _texts(fig)
    for symbol in ("$g$", "$f$", "$\\mathbf{x}$", "$\\mathbf{h} = g(\\mathbf{x})$",
                   "$\\tilde{\\mathbf{x}} = f(\\mathbf{h})$"):
        assert symbol in texts
    assert "input\n784 values" in texts and "latent features\n16 values" in texts
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches if hasattr(p, "get_height")]
    assert len(heights) == 3 and heights[1] < heights[0] == heights[2]  # the bottleneck
    assert fig._repr_png_()[:4] == b"\x89PNG"


@pytest.mark.parametrize("n, q", [(0, 16), (784, 0), (-1, 2)])
def test_non_positive_sizes_are_rejected(n, q):
    with pytest.raises(ValueError, match="input_dim and latent_dim"):
        autoencoder_schematic(n, q)
