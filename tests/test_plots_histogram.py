"""Tests for aebook.plots.re_histogram (§2.3: the distribution of REs)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from aebook.plots import re_histogram


@pytest.fixture
def errors():
    return np.random.default_rng(0).lognormal(-4, 0.5, size=500)


def test_single_array_counts_every_sample_once(errors):
    fig = re_histogram(errors, bins=20)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 20 and sum(heights) == len(errors)
    lefts = [p.get_x() for p in ax.patches]
    assert min(lefts) == pytest.approx(errors.min())


def test_marks_become_labelled_vertical_lines(errors):
    fig = re_histogram(errors, marks={"mean": errors.mean(), "max": errors.max()})
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(lab.startswith("mean: ") for lab in labels)
    assert any(lab.startswith("max: ") for lab in labels)
    xs = sorted(line.get_xdata()[0] for line in ax.lines)
    np.testing.assert_allclose(xs, sorted([errors.mean(), errors.max()]))


def test_dictionary_overlays_named_series(errors):
    fig = re_histogram({"q=8": errors * 2, "q=64": errors}, bins=10)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["q=8", "q=64"]


def test_log_axis(errors):
    fig = re_histogram(errors, logx=True, xlabel="per-pixel MSE")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "per-pixel MSE"


def test_constant_errors_do_not_break_the_bins():
    fig = re_histogram(np.full(10, 0.25))
    assert isinstance(fig, Figure)


@pytest.mark.parametrize(
    "bad, kwargs, match",
    [
        (np.zeros((2, 2)), {}, "1-D"),
        (np.array([]), {}, "non-empty"),
        (np.array([0.1, np.inf]), {}, "NaN or infinite"),
        (np.array([0.0, 0.1]), {"logx": True}, "logarithmic"),
        (np.array([0.1, 0.2]), {"bins": 0}, "bins"),
        ({}, {}, "at least one"),
    ],
)
def test_refuses_bad_input(bad, kwargs, match):
    with pytest.raises(ValueError, match=match):
        re_histogram(bad, **kwargs)
