"""Tests of the convolutional autoencoder builder (§4, Figure 13)."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from aebook import models  # noqa: E402
from aebook.train import fit, reconstruct  # noqa: E402


def _shapes(model):
    shapes = [tuple(model.encoder.input.shape[1:])]
    shapes += [tuple(layer.output.shape[1:]) for layer in model.encoder.layers[1:]]
    shapes += [tuple(layer.output.shape[1:]) for layer in model.decoder.layers[1:]]
    return shapes


def test_defaults_give_the_papers_tensor_shapes():
    model = models.conv_autoencoder()
    assert _shapes(model) == [(28, 28, 1), (26, 26, 64), (24, 24, 32), (26, 26, 64), (28, 28, 1)]
    assert tuple(model.encoder.output.shape[1:]) == (24, 24, 32)
    assert models.output_activation(model) == "sigmoid"
    kernels = [layer.kernel.shape[:2] for layer in model.encoder.layers[1:] + model.decoder.layers[1:]]
    assert all(tuple(k) == (3, 3) for k in kernels)


def test_model_is_decoder_after_encoder():
    model = models.conv_autoencoder(input_shape=(12, 12, 1), filters=(4, 2))
    x = np.random.default_rng(0).uniform(size=(3, 12, 12, 1)).astype("float32")
    composed = np.asarray(model.decoder(model.encoder(x)))
    np.testing.assert_allclose(np.asarray(model(x)), composed, rtol=1e-5, atol=1e-6)


def test_dense_bottleneck_has_latent_dim_numbers():
    model = models.conv_autoencoder(strides=2, padding="same", latent_dim=32)
    assert tuple(model.encoder.output.shape[1:]) == (32,)
    assert tuple(model.decoder.input.shape[1:]) == (32,)
    assert tuple(model.output.shape[1:]) == (28, 28, 1)
    # the strided encoder halves 28 twice before the dense latent layer
    assert tuple(model.encoder.get_layer("flatten").input.shape[1:]) == (7, 7, 32)


def test_multichannel_input_is_given_back():
    model = models.conv_autoencoder(input_shape=(8, 8, 3), filters=(4,), latent_dim=5)
    assert tuple(model.output.shape[1:]) == (8, 8, 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"strides": 2}, "padding='same'"),
        ({"input_shape": (28, 28)}, "height, width, channels"),
        ({"filters": ()}, "filters"),
        ({"padding": "full"}, "padding"),
        ({"latent_dim": 0}, "latent_dim"),
        ({"input_shape": (4, 4, 1), "filters": (2, 2, 2)}, "too small"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.conv_autoencoder(**kwargs)


def test_registered_for_fit_by_name():
    assert models.get_builder("conv_autoencoder") is models.conv_autoencoder


def test_fit_by_name_trains_and_caches(tiny_images, model_cache):
    x = tiny_images.reshape(-1, 8, 8, 1)
    kwargs = dict(epochs=3, batch_size=16, verbose=False, input_shape=(8, 8, 1), filters=(4, 2))
    first = fit("conv_autoencoder", x, **kwargs)
    assert not first.from_cache
    assert first.history["loss"][-1] < first.history["loss"][0]
    second = fit("conv_autoencoder", x, **kwargs)
    assert second.from_cache and second.key == first.key
    np.testing.assert_allclose(reconstruct(first.model, x), reconstruct(second.model, x), atol=1e-6)


def test_fit_refuses_flat_inputs_with_a_reshape_hint(tiny_images, model_cache):
    with pytest.raises(ValueError, match="Reshape it"):
        fit("conv_autoencoder", tiny_images, epochs=1, verbose=False, input_shape=(8, 8, 1), filters=(2,))
