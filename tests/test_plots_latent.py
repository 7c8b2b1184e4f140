import numpy as np
import pytest

import aebook


def test_latent_scatter_one_panel_per_code_set():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, size=30)
    fig = aebook.latent_scatter({"a": rng.normal(size=(30, 2)), "b": rng.normal(size=(30, 2))},
                                labels)
    assert isinstance(fig, aebook.plots.Figure) and len(fig.axes) == 2
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    assert len(fig.axes[1].get_legend().get_texts()) == 3
    with pytest.raises(ValueError, match="shape"):
        aebook.latent_scatter({"a": rng.normal(size=(30, 3))}, labels)
    with pytest.raises(ValueError, match="labels"):
        aebook.latent_scatter({"a": rng.normal(size=(29, 2))}, labels)


def test_precision_recall_curves_report_average_precision():
    from sklearn.metrics import average_precision_score

    labels = np.r_[np.zeros(20, bool), np.ones(5, bool)]
    scores = {"perfect": labels.astype(float), "noise": np.random.default_rng(1).normal(size=25)}
    fig = aebook.precision_recall_curves(labels, scores)
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts[0] == "perfect (AP 1.00)"
    assert texts[1] == f"noise (AP {average_precision_score(labels, scores['noise']):.2f})"
    assert fig._repr_png_()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="both classes"):
        aebook.precision_recall_curves(np.zeros(5, bool), {"x": np.ones(5)})
