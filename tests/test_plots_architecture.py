"""aebook.architecture_diagram: Figure 2 drawn from a model (§2)."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

pytest.importorskip("keras")

import aebook  # noqa: E402


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


def test_draws_every_layer_with_widths_and_counts_from_the_model():
    model = aebook.dense_autoencoder(784, (128,), 16)
    fig = aebook.architecture_diagram(model, max_nodes=6)
    assert isinstance(fig, Figure)
    texts = " ".join(_texts(fig))
    for row in aebook.architecture_table(model):
        assert f"{row['params']:,}" in texts
    for label in ("input\n784", "enc_0\n128", "latent\n16", "dec_0\n128", "output\n784"):
        assert label in _texts(fig)
    assert f"{model.count_params():,} parameters" in texts
    ax = fig.axes[0]
    # one scatter per layer, at most max_nodes neurons each, all neurons of a narrow layer
    sizes = [len(c.get_offsets()) for c in ax.collections]
    assert sizes == [6, 6, 6, 6, 6]
    small = aebook.architecture_diagram(aebook.dense_autoencoder(10, (), 5), max_nodes=12)
    assert [len(c.get_offsets()) for c in small.axes[0].collections] == [10, 5, 10]


def test_accepts_the_table_and_marks_tied_layers():
    model = aebook.dense_autoencoder(10, (), 5, tied=True)
    fig = aebook.architecture_diagram(aebook.architecture_table(model), title="tied")
    assert "10 (tied)" in _texts(fig) and "tied" in _texts(fig)


@pytest.mark.parametrize("bad", [[], [{"layer": "x"}], [3, 2, 3]])
def test_refuses_what_is_not_a_table(bad):
    with pytest.raises(ValueError, match="architecture_table"):
        aebook.architecture_diagram(bad)


def test_refuses_too_few_nodes():
    with pytest.raises(ValueError, match="max_nodes"):
        aebook.architecture_diagram(aebook.dense_autoencoder(10, (), 5), max_nodes=2)
