"""Regularization (eq. 5), tied weights and architecture read-outs of aebook.models."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import aebook  # noqa: E402
from aebook.models import DenseTranspose, architecture_table, layer_widths, weight_norm  # noqa: E402


def _penalty(model, x):
    model(x)  # activity penalties are recorded on the call
    return float(sum(float(keras.ops.convert_to_numpy(v)) for v in model.losses))


@pytest.mark.parametrize("kind", ["l1", "l2"])
@pytest.mark.parametrize("tied", [False, True])
def test_weight_penalty_is_lambda_times_weight_norm(tiny_images, kind, tied):
    lam = 0.01
    model = aebook.dense_autoencoder(64, (16,), 4, weight_regularizer=kind, weight_strength=lam, tied=tied)
    # the penalty Keras adds to the loss is eq. 5's lambda * sum(theta^2) (or |theta|), each kernel once
    assert _penalty(model, tiny_images[:8]) == pytest.approx(lam * weight_norm(model, kind), rel=1e-5)


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_latent_penalty_is_lambda_times_mean_activation_norm(tiny_images, kind):
    lam = 0.1
    model = aebook.dense_autoencoder(64, (), 8, latent_regularizer=kind, latent_strength=lam)
    h = np.asarray(model.encoder(tiny_images[:16])).astype(np.float64)
    per_sample = np.abs(h).sum(axis=1) if kind == "l1" else (h**2).sum(axis=1)
    assert per_sample.mean() > 0
    assert _penalty(model, tiny_images[:16]) == pytest.approx(lam * per_sample.mean(), rel=1e-4)


def test_no_regularizer_adds_no_penalty(tiny_images):
    model = aebook.dense_autoencoder(64, (16,), 4, weight_regularizer="l2", weight_strength=0.0)
    assert _penalty(model, tiny_images[:4]) == 0.0


def test_unknown_regularizer_names_the_choices():
    with pytest.raises(ValueError, match="'l1', 'l2' or None"):
        aebook.dense_autoencoder(64, (), 4, weight_regularizer="l3", weight_strength=0.1)


def test_tied_decoder_uses_the_transposed_encoder_kernel(tiny_images):
    model = aebook.dense_autoencoder(64, (16,), 4, tied=True, activation="linear",
                                     output_activation="linear")
    enc0, latent = model.encoder.get_layer("enc_0"), model.encoder.get_layer("latent")
    dec0, out = model.decoder.get_layer("dec_0"), model.decoder.get_layer("output")
    assert isinstance(dec0, DenseTranspose) and isinstance(out, DenseTranspose)
    x = tiny_images[:5].astype(np.float64)
    w0, b0 = np.asarray(enc0.kernel), np.asarray(enc0.bias)
    w1, b1 = np.asarray(latent.kernel), np.asarray(latent.bias)
    h = (x @ w0 + b0) @ w1 + b1
    expected = (h @ w1.T + np.asarray(dec0.bias)) @ w0.T + np.asarray(out.bias)
    np.testing.assert_allclose(np.asarray(model(tiny_images[:5])), expected, rtol=1e-4, atol=1e-5)


def test_tied_model_has_about_half_the_parameters():
    untied = aebook.dense_autoencoder(784, (), 64)
    tied = aebook.dense_autoencoder(784, (), 64, tied=True)
    assert untied.count_params() == 2 * 784 * 64 + 64 + 784
    assert tied.count_params() == 784 * 64 + 64 + 784
    assert 0.49 < tied.count_params() / untied.count_params() < 0.51


def test_tied_weights_stay_tied_through_training_and_the_cache(tiny_images, model_cache):
    kw = dict(input_dim=64, hidden_units=(), latent_dim=8, tied=True)
    first = aebook.fit("dense_autoencoder", tiny_images, epochs=2, batch_size=16, verbose=False, **kw)
    enc = np.asarray(first.model.encoder.get_layer("latent").kernel)
    assert not np.allclose(enc, np.asarray(aebook.dense_autoencoder(**kw).encoder.get_layer("latent").kernel))
    again = aebook.fit("dense_autoencoder", tiny_images, epochs=2, batch_size=16, verbose=False, **kw)
    assert again.from_cache
    np.testing.assert_allclose(again.model.predict(tiny_images, verbose=0),
                               first.model.predict(tiny_images, verbose=0), rtol=1e-6, atol=1e-6)
    assert again.model.count_params() == first.model.count_params() == 64 * 8 + 8 + 64


def test_weight_norm_values_and_errors():
    model = aebook.dense_autoencoder(6, (), 3)
    for layer, value in ((model.encoder.get_layer("latent"), 1.0), (model.decoder.get_layer("output"), -2.0)):
        layer.kernel.assign(np.full(layer.kernel.shape, value, dtype="float32"))
    assert weight_norm(model, "l2") == pytest.approx(18 * 1.0 + 18 * 4.0)
    assert weight_norm(model, "l1") == pytest.approx(18 * 1.0 + 18 * 2.0)
    with pytest.raises(ValueError, match="'l1' or 'l2'"):
        weight_norm(model, "l0")


def test_weight_norm_counts_a_tied_kernel_once():
    model = aebook.dense_autoencoder(6, (), 3, tied=True)
    kernel = np.asarray(model.encoder.get_layer("latent").kernel).astype(np.float64)
    assert weight_norm(model) == pytest.approx(float((kernel**2).sum()), rel=1e-6)


@pytest.mark.parametrize("tied", [False, True])
def test_architecture_table_reads_widths_and_counts_from_the_model(tied):
    model = aebook.dense_autoencoder(784, (128, 32), 8, tied=tied)
    rows = architecture_table(model)
    assert layer_widths(model) == [784, 128, 32, 8, 32, 128, 784]
    assert [r["part"] for r in rows] == ["encoder"] * 3 + ["decoder"] * 3
    assert sum(r["params"] for r in rows) == model.count_params()
    for r in rows:
        own_kernel = 0 if (tied and r["part"] == "decoder") else r["n_in"] * r["n_out"]
        assert r["params"] == own_kernel + r["n_out"]
        assert r["tied"] == (tied and r["part"] == "decoder")
    assert rows[-1]["activation"] == "sigmoid" and rows[0]["activation"] == "relu"


def test_architecture_table_refuses_a_model_without_dense_layers():
    x = keras.Input(shape=(4,))
    model = keras.Model(x, keras.layers.Activation("relu")(x))
    with pytest.raises(ValueError, match="no Dense"):
        architecture_table(model)
