import numpy as np
import pytest
from matplotlib.figure import Figure

import aebook


def test_image_rows_layout():
    rows = [np.zeros((5, 784)), np.ones((5, 28, 28))]
    fig = aebook.image_rows(rows, labels=["a", "b"], titles=list("vwxyz"))
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 10
    assert fig.axes[0].get_title() == "v" and fig.axes[0].get_ylabel() == "a"


def test_image_rows_errors():
    with pytest.raises(ValueError, match="cannot show vectors of length 10"):
        aebook.image_rows([np.zeros((2, 10))])
    with pytest.raises(ValueError, match="2 labels for 1 rows"):
        aebook.image_rows([np.zeros((2, 784))], labels=["a", "b"])


def test_training_curves():
    fig = aebook.training_curves([{"loss": [3, 2, 1], "val_loss": [3, 2, 2]}, {"loss": [1, 1]}],
                                 names=["a", "b"])
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])


def test_figures_display_as_png_in_notebooks():
    """Without pyplot, Jupyter shows a figure only through its own _repr_png_."""
    fig = aebook.image_rows([np.zeros((2, 784))])
    png = fig._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 500
