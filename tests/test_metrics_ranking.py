"""Tests for aebook.metrics.rank_by_error (§2.3: best and worst reconstructions)."""

from __future__ import annotations

import numpy as np
import pytest

from aebook.metrics import rank_by_error, reconstruction_error


def test_largest_first_puts_worst_sample_first():
    errors = np.array([0.2, 0.05, 0.9, 0.3])
    np.testing.assert_array_equal(rank_by_error(errors), [2, 3, 0, 1])


def test_smallest_first_is_the_reverse_order_without_ties():
    errors = np.array([0.2, 0.05, 0.9, 0.3])
    np.testing.assert_array_equal(rank_by_error(errors, largest_first=False), [1, 0, 3, 2])


def test_ties_keep_sample_order_in_both_directions():
    errors = np.array([0.5, 0.1, 0.5, 0.1])
    np.testing.assert_array_equal(rank_by_error(errors), [0, 2, 1, 3])
    np.testing.assert_array_equal(rank_by_error(errors, largest_first=False), [1, 3, 0, 2])


def test_keeps_float64_precision():
    # these differ only beyond float32 precision; a float32 cast would make them a tie
    errors = np.array([1.0, 1.0 + 1e-12])
    np.testing.assert_array_equal(rank_by_error(errors), [1, 0])


def test_ranks_real_reconstruction_errors(tiny_images):
    x_hat = tiny_images.copy()
    x_hat[5] = 1.0 - x_hat[5]  # one badly reconstructed sample
    x_hat[7] += 0.01
    order = rank_by_error(reconstruction_error(tiny_images, np.clip(x_hat, 0, 1)))
    assert order[0] == 5 and order[1] == 7
    assert sorted(order.tolist()) == list(range(len(tiny_images)))


@pytest.mark.parametrize(
    "bad, match",
    [(np.zeros((3, 2)), "one number per sample"), ([0.1, np.nan], "NaN"), (["a", "b"], "numeric"),
     (np.array([]), "non-empty|empty")],
)
def test_refuses_bad_input(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        rank_by_error(bad)


def test_the_library_has_one_ranking_function():
    import aebook
    from aebook import anomaly

    assert not hasattr(anomaly, "outlier_ranking") and not hasattr(aebook, "outlier_ranking")
    assert aebook.rank_by_error is rank_by_error
