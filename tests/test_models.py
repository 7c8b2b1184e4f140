import numpy as np
import pytest

import aebook


def test_dense_autoencoder_shapes_and_halves():
    model = aebook.dense_autoencoder(64, hidden_units=(32,), latent_dim=4)
    assert model.input_shape == (None, 64) and model.output_shape == (None, 64)
    assert model.encoder.output_shape == (None, 4) and model.decoder.input_shape == (None, 4)
    widths = [layer.units for layer in model.encoder.layers[1:]] + [
        layer.units for layer in model.decoder.layers[1:]
    ]
    assert widths == [32, 4, 32, 64]
    x = np.random.default_rng(0).uniform(size=(3, 64)).astype("float32")
    np.testing.assert_allclose(np.asarray(model(x)), np.asarray(model.decoder(model.encoder(x))), rtol=1e-5)


def test_output_activation_is_applied():
    model = aebook.dense_autoencoder(10, latent_dim=2, output_activation="sigmoid")
    assert aebook.output_activation(model) == "sigmoid"
    out = np.asarray(model(np.full((2, 10), 100.0, dtype="float32")))
    assert np.all((out >= 0) & (out <= 1))
    linear = aebook.dense_autoencoder(10, latent_dim=2, output_activation="linear")
    assert aebook.output_activation(linear) == "linear"


def test_tied_weights_halve_the_kernels():
    untied = aebook.dense_autoencoder(100, latent_dim=10)
    tied = aebook.dense_autoencoder(100, latent_dim=10, tied=True)
    assert untied.count_params() == 100 * 10 + 10 + 10 * 100 + 100
    assert tied.count_params() == 100 * 10 + 10 + 100  # one shared kernel, two biases
    x = np.random.default_rng(0).uniform(size=(2, 100)).astype("float32")
    kernel = np.asarray(tied.encoder.get_layer("latent").kernel)
    h = np.asarray(tied.encoder(x))
    bias = np.asarray(tied.decoder.get_layer("output").bias)
    expected = 1 / (1 + np.exp(-(h @ kernel.T + bias)))
    np.testing.assert_allclose(np.asarray(tied.decoder(h)), expected, rtol=1e-4, atol=1e-6)


def test_regularizers_add_losses():
    model = aebook.dense_autoencoder(8, latent_dim=2, weight_regularizer="l2", weight_strength=0.1,
                                     latent_regularizer="l1", latent_strength=0.1)
    model(np.ones((1, 8), "float32"))
    assert len(model.losses) >= 3  # two kernels + the latent activity


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"latent_dim": 0}, "must be positive"),
        ({"hidden_units": (0,)}, "hidden_units"),
        ({"weight_regularizer": "l3", "weight_strength": 0.1}, "unknown regularizer"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        aebook.dense_autoencoder(8, **kwargs)


def test_unknown_builder_name():
    with pytest.raises(ValueError, match="unknown model builder 'vae'"):
        aebook.get_builder("vae")


@pytest.mark.parametrize("build, x", [
    (lambda: aebook.dense_autoencoder(64, (16,), 4), np.random.default_rng(0).uniform(size=(5, 64))),
    (lambda: aebook.conv_autoencoder((8, 8, 1), (4, 2)), np.random.default_rng(0).uniform(size=(5, 8, 8, 1))),
])
def test_every_builder_ends_with_the_same_encoder_decoder_contract(build, x):
    model = build()
    assert model.encoder.name == "encoder" and model.decoder.name == "decoder"
    x = x.astype("float32")
    np.testing.assert_allclose(np.asarray(model(x)), np.asarray(model.decoder(model.encoder(x))),
                               rtol=1e-5, atol=1e-6)
