"""Tests of the denoising tools (§3.4): Gaussian noise, PSNR, noisy-in clean-out training."""

from __future__ import annotations

import numpy as np
import pytest

from aebook.data import add_gaussian_noise
from aebook.metrics import psnr, reconstruction_error


@pytest.fixture
def images():
    return np.random.default_rng(1).uniform(size=(50, 64)).astype("float32")


def test_noise_is_clipped_float32_and_leaves_the_input_alone(images):
    before = images.copy()
    noisy = add_gaussian_noise(images, 0.5, seed=0)
    assert noisy.shape == images.shape and noisy.dtype == np.float32
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    assert np.mean(noisy != images) > 0.5
    np.testing.assert_array_equal(images, before)


def test_noise_is_reproducible_with_a_seed(images):
    a, b = add_gaussian_noise(images, 0.3, seed=7), add_gaussian_noise(images, 0.3, seed=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, add_gaussian_noise(images, 0.3, seed=8))


def test_unclipped_noise_has_the_factor_as_standard_deviation():
    x = np.full((200, 500), 0.5, dtype="float32")
    diff = add_gaussian_noise(x, 0.2, seed=3, clip=False) - x
    assert abs(diff.mean()) < 0.005
    assert diff.std() == pytest.approx(0.2, rel=0.02)
    assert diff.min() < -0.5 or diff.max() > 0.5  # not clipped: tails go beyond [0, 1]


def test_zero_factor_returns_the_images(images):
    np.testing.assert_array_equal(add_gaussian_noise(images, 0.0, seed=0), images)


@pytest.mark.parametrize("factor", [-0.1, float("nan")])
def test_bad_noise_factor_is_refused(images, factor):
    with pytest.raises(ValueError, match="noise factor"):
        add_gaussian_noise(images, factor)


def test_noise_refuses_nan_images(images):
    images[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        add_gaussian_noise(images, 0.1)


def test_psnr_known_values():
    x = np.zeros((2, 4), dtype="float32")
    x_hat = np.array([[0.1] * 4, [0.01] * 4], dtype="float32")
    np.testing.assert_allclose(psnr(x, x_hat), [20.0, 40.0], rtol=1e-4)
    np.testing.assert_allclose(psnr(x * 255, x_hat * 255, data_range=255), [20.0, 40.0], rtol=1e-4)


def test_psnr_is_per_sample_and_agrees_with_the_mse(images):
    noisy = add_gaussian_noise(images, 0.2, seed=0)
    got = psnr(images, noisy)
    assert got.shape == (len(images),)
    np.testing.assert_allclose(got, -10 * np.log10(reconstruction_error(images, noisy)), rtol=1e-5)
    assert np.isinf(psnr(images, images)).all()


def test_psnr_errors():
    x = np.zeros((2, 4))
    with pytest.raises(ValueError, match="data_range"):
        psnr(x, x, data_range=0)
    with pytest.raises(ValueError, match="shape"):
        psnr(x, np.zeros((2, 5)))


def test_denoiser_learns_to_remove_noise(model_cache):
    """fit(x=noisy, y=clean) gives outputs closer to the clean images than the noisy inputs are."""
    pytest.importorskip("keras")
    from aebook.train import fit, reconstruct

    rng = np.random.default_rng(0)
    prototypes = (rng.uniform(size=(4, 64)) > 0.6).astype("float32")  # four binary "digits"
    clean = prototypes[rng.integers(0, 4, size=512)]
    noisy = add_gaussian_noise(clean, 0.4, seed=1)
    trained = fit("dense_autoencoder", x=noisy, y=clean, epochs=40, batch_size=32, verbose=False,
                  input_dim=64, latent_dim=4)
    test_clean = prototypes[rng.integers(0, 4, size=100)]
    test_noisy = add_gaussian_noise(test_clean, 0.4, seed=2)
    denoised = reconstruct(trained.model, test_noisy)
    assert psnr(test_clean, denoised).mean() > psnr(test_clean, test_noisy).mean() + 3.0
