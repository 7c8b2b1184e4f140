"""aebook.latent_sparsity: the fraction of near-zero latent activations (§1.1)."""

from __future__ import annotations

import numpy as np
import pytest

from aebook import latent_sparsity


def test_counts_activations_below_tol_times_the_largest():
    h = np.array([[0.0, 0.005, 0.5, 1.0], [0.02, 0.0, 0.0, 0.3]])
    assert latent_sparsity(h) == pytest.approx(4 / 8)  # 0, 0.005, 0, 0 are <= 0.01 * 1.0
    assert latent_sparsity(h, tol=0.0) == pytest.approx(3 / 8)
    assert latent_sparsity(h, tol=0.25) == pytest.approx(5 / 8)


def test_is_blind_to_rescaling_and_uses_absolute_values():
    rng = np.random.default_rng(0)
    h = rng.normal(size=(50, 8)) * (rng.uniform(size=(50, 8)) > 0.5)
    assert latent_sparsity(h) == pytest.approx(latent_sparsity(1e-3 * h))
    assert latent_sparsity(h) == pytest.approx(latent_sparsity(-h))
    assert 0.3 < latent_sparsity(h) < 0.7


def test_all_zero_code_is_fully_sparse():
    assert latent_sparsity(np.zeros((3, 4))) == 1.0


@pytest.mark.parametrize("bad", [np.ones(4), np.ones((0, 3)), np.ones((2, 2, 2))])
def test_refuses_arrays_that_are_not_sample_by_feature(bad):
    with pytest.raises(ValueError, match=r"\(n_samples, q\)"):
        latent_sparsity(bad)


def test_refuses_a_tol_outside_the_unit_interval():
    with pytest.raises(ValueError, match="tol"):
        latent_sparsity(np.ones((2, 2)), tol=1.5)
