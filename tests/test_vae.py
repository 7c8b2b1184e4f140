import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

import aebook
from aebook.vae import kl_divergence, sample_prior, variational_autoencoder


def test_shapes_and_deterministic_outputs_outside_training():
    model = variational_autoencoder(64, hidden_units=(16,), latent_dim=3)
    assert model.input_shape == (None, 64) and model.output_shape == (None, 64)
    assert model.encoder.output_shape == (None, 3) and model.decoder.input_shape == (None, 3)
    x = np.random.default_rng(0).uniform(size=(5, 64)).astype("float32")
    mean, log_var = (np.asarray(a) for a in model.posterior(x))
    np.testing.assert_allclose(np.asarray(model.encoder(x)), mean, rtol=1e-6)
    # outside training z = mean, so the model is decoder(encoder(x))
    np.testing.assert_allclose(np.asarray(model(x)), np.asarray(model.decoder(mean)), rtol=1e-5)
    # while training z is drawn: two calls differ
    a, b = np.asarray(model(x, training=True)), np.asarray(model(x, training=True))
    assert not np.allclose(a, b)


def test_kl_divergence_closed_form():
    assert float(kl_divergence(np.zeros((1, 4)), np.zeros((1, 4)))[0]) == pytest.approx(0.0)
    mean, log_var = np.array([[1.0, -2.0]]), np.log(np.array([[4.0, 0.25]]))
    # KL(N(m, s2) || N(0, 1)) = 0.5 * (s2 + m2 - 1 - ln s2), per unit
    expected = 0.5 * ((4 + 1 - 1 - np.log(4)) + (0.25 + 4 - 1 - np.log(0.25)))
    assert float(kl_divergence(mean, log_var)[0]) == pytest.approx(expected, rel=1e-5)


def test_loss_is_bce_plus_kl_per_feature(tiny_images, model_cache):
    trained = aebook.fit(variational_autoencoder, tiny_images, epochs=2, batch_size=16,
                         verbose=False, input_dim=64, hidden_units=(8,), latent_dim=2, beta=3.0)
    model = trained.model
    mean, log_var = (np.asarray(a, dtype=np.float64) for a in model.posterior(tiny_images))
    recon = np.clip(aebook.reconstruct(model, tiny_images).astype(np.float64), 1e-7, 1 - 1e-7)
    x = tiny_images
    bce = -np.mean(x * np.log(recon) + (1 - x) * np.log(1 - recon))
    kl = np.mean(np.asarray(kl_divergence(mean, log_var)))
    evaluated = model.evaluate(x, x, batch_size=len(x), verbose=0)
    assert evaluated == pytest.approx(bce + 3.0 * kl / 64, rel=1e-3)
    assert kl > 0


def test_kl_term_pulls_codes_to_the_prior(tiny_images, model_cache):
    kwargs = dict(epochs=30, batch_size=16, verbose=False, input_dim=64, hidden_units=(16,),
                  latent_dim=2)
    with_kl = aebook.fit(variational_autoencoder, tiny_images, beta=1.0, **kwargs).model
    without = aebook.fit(variational_autoencoder, tiny_images, beta=0.0, **kwargs).model

    def mean_kl(model):
        m, lv = (np.asarray(a) for a in model.posterior(tiny_images))
        return float(np.mean(np.asarray(kl_divergence(m, lv))))

    assert mean_kl(with_kl) < 0.5 * mean_kl(without)


def test_cache_round_trip_and_sample(tiny_images, model_cache):
    kwargs = dict(epochs=1, batch_size=16, verbose=False, input_dim=64, hidden_units=(8,),
                  latent_dim=2)
    first = aebook.fit(variational_autoencoder, tiny_images, **kwargs)
    again = aebook.fit(variational_autoencoder, tiny_images, **kwargs)
    assert not first.from_cache and again.from_cache
    np.testing.assert_array_equal(aebook.encode(first.model, tiny_images),
                                  aebook.encode(again.model, tiny_images))
    s1, s2 = sample_prior(first.model, 4, seed=1), sample_prior(again.model, 4, seed=1)
    assert s1.shape == (4, 64) and np.all((s1 >= 0) & (s1 <= 1))
    np.testing.assert_array_equal(s1, s2)
    assert not np.array_equal(s1, sample_prior(first.model, 4, seed=2))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="beta"):
        variational_autoencoder(8, latent_dim=2, beta=-1)
    with pytest.raises(ValueError, match="latent_dim"):
        variational_autoencoder(8, latent_dim=0)
    with pytest.raises(ValueError, match="n "):
        sample_prior(variational_autoencoder(8, hidden_units=(), latent_dim=2), 0)
    with pytest.raises(ValueError, match="decoder"):
        sample_prior(object(), 3)


_ON_JAX = """
import numpy as np, keras
from aebook.vae import variational_autoencoder, sample_prior
assert keras.backend.backend() == "jax"
x = np.random.default_rng(0).uniform(size=(32, 16)).astype("float32")
m = variational_autoencoder(16, hidden_units=(8,), latent_dim=2)
m.compile(optimizer="adam", loss="binary_crossentropy")
h = m.fit(x, x, epochs=2, batch_size=8, verbose=0).history["loss"]
assert np.all(np.isfinite(h)) and sample_prior(m, 3).shape == (3, 16)
print("ok")
"""


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX is not installed")
def test_runs_on_the_jax_backend():
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    out = subprocess.run([sys.executable, "-c", _ON_JAX], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr[-2000:]
