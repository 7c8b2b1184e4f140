"""A variational autoencoder (Kingma & Welling 2014), beyond the paper's §1-4.

:func:`variational_autoencoder` builds a dense VAE with the same contract as
the builders of :mod:`aebook.models`, so :func:`aebook.fit` trains it and its
model cache stores it:

* ``model(x)`` is the reconstruction ``decoder(z)``, with ``z`` drawn from
  q(z|x) while training and ``z = mean`` otherwise (deterministic outputs for
  :func:`aebook.reconstruct`);
* ``model.encoder``: x -> the mean of q(z|x) (the code :func:`aebook.encode`
  returns); ``model.posterior``: x -> ``[mean, log_variance]``;
* ``model.decoder``: z -> reconstruction; :func:`sample_prior` decodes draws from
  the prior N(0, I).

The KL term is added by the :class:`GaussianSampling` layer with
``add_loss``, divided by the number of input features: Keras's
``binary_crossentropy`` is a mean over the features, so the training loss is
the negative evidence lower bound (ELBO) per feature,
``(sum of per-pixel BCE + beta * KL) / input_dim``. Everything uses
``keras.ops`` and ``keras.random`` only, so the model runs on any Keras
backend.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import ops

__all__ = ["GaussianSampling", "kl_divergence", "sample_prior", "variational_autoencoder"]


def kl_divergence(mean, log_var):
    """KL(N(mean, exp(log_var)) || N(0, I)) per sample, summed over the latent units.

    The closed form of Kingma & Welling (2014), Appendix B:
    ``-0.5 * sum(1 + log_var - mean**2 - exp(log_var))``. Works on NumPy
    arrays and backend tensors alike.
    """
    return -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)


@keras.saving.register_keras_serializable(package="aebook")
class GaussianSampling(keras.layers.Layer):
    """The reparameterisation trick, plus the KL term as a layer loss.

    Called on ``[mean, log_var]``, it returns ``z = mean + exp(log_var / 2) * eps``
    with ``eps ~ N(0, I)`` while training (gradients flow through ``mean`` and
    ``log_var``, not through the random draw) and ``mean`` otherwise. Every
    call adds ``kl_weight * mean_over_batch(KL)`` to the model's losses.
    """

    def __init__(self, kl_weight: float = 1.0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.kl_weight = float(kl_weight)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        mean, log_var = inputs
        self.add_loss(self.kl_weight * ops.mean(kl_divergence(mean, log_var)))
        if not training:
            return mean
        eps = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * eps

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "kl_weight": self.kl_weight, "seed": self.seed}


def variational_autoencoder(
    input_dim: int = 784,
    hidden_units: Sequence[int] = (256,),
    latent_dim: int = 16,
    activation: str = "relu",
    output_activation: str = "sigmoid",
    beta: float = 1.0,
    name: str | None = None,
) -> keras.Model:
    """Build a dense variational autoencoder (Kingma & Welling 2014).

    The encoder maps x through ``hidden_units`` to two ``latent_dim``-unit
    linear layers, the mean and the log-variance of q(z|x) (a log-variance
    keeps the variance positive without a constraint); the decoder mirrors the
    hidden layers and ends in ``output_activation`` (``"sigmoid"`` with the
    BCE loss for data in [0, 1]). ``beta`` weighs the KL term: 1 is the VAE's
    ELBO, 0 removes the pull towards N(0, I) (the model is then an autoencoder
    with noisy codes). Train with :func:`aebook.fit` and
    ``loss="binary_crossentropy"``; sample with :func:`sample_prior`.
    """
    if int(input_dim) < 1 or int(latent_dim) < 1:
        raise ValueError(f"input_dim and latent_dim must be positive, got {input_dim}, {latent_dim}")
    hidden_units = tuple(int(u) for u in hidden_units)
    if any(u < 1 for u in hidden_units):
        raise ValueError(f"hidden_units must be positive integers, got {hidden_units}")
    if not float(beta) >= 0:
        raise ValueError(f"beta (the weight of the KL term) must be >= 0, got {beta}")
    input_dim, latent_dim = int(input_dim), int(latent_dim)
    name = name or f"vae_{input_dim}_{'_'.join(map(str, hidden_units + (latent_dim,)))}"

    x_in = keras.Input(shape=(input_dim,), name="x")
    h = x_in
    for i, units in enumerate(hidden_units):
        h = keras.layers.Dense(units, activation=activation, name=f"enc_{i}")(h)
    mean = keras.layers.Dense(latent_dim, name="z_mean")(h)
    log_var = keras.layers.Dense(latent_dim, name="z_log_var")(h)
    posterior = keras.Model(x_in, [mean, log_var], name="posterior")
    encoder = keras.Model(x_in, mean, name="encoder")

    z_in = keras.Input(shape=(latent_dim,), name="z")
    y = z_in
    for i, units in enumerate(reversed(hidden_units)):
        y = keras.layers.Dense(units, activation=activation, name=f"dec_{i}")(y)
    y = keras.layers.Dense(input_dim, activation=output_activation, name="output")(y)
    decoder = keras.Model(z_in, y, name="decoder")

    sampling = GaussianSampling(kl_weight=float(beta) / input_dim, name="sampling")
    z = sampling(posterior(x_in))
    model = keras.Model(x_in, decoder(z), name=name)
    model.posterior = posterior
    model.encoder = encoder
    model.decoder = decoder
    return model


def sample_prior(model, n: int, seed: int = 0, temperature: float = 1.0) -> np.ndarray:
    """Decode ``n`` draws from the prior N(0, temperature**2 I) with ``model.decoder``.

    ``seed`` fixes the draws (a NumPy generator, independent of the Keras
    seed). Works for any model with a ``.decoder`` taking a flat latent
    vector, so a plain autoencoder's decoder can be fed the same draws.
    """
    decoder = getattr(model, "decoder", None)
    if decoder is None:
        raise ValueError("sample_prior() needs a model with a .decoder, e.g. from variational_autoencoder()")
    if int(n) < 1:
        raise ValueError(f"n (the number of samples) must be >= 1, got {n}")
    latent_dim = int(decoder.input_shape[-1])
    z = np.random.default_rng(seed).normal(0.0, float(temperature), size=(int(n), latent_dim))
    return np.asarray(decoder(z.astype("float32"), training=False), dtype=np.float32)
