"""Autoencoder builders (Michelucci 2022, §1-2 and §4).

Every builder returns a compiled-free ``keras.Model`` that maps an input to
its reconstruction and carries two sub-models:

* ``model.encoder``: the function *g* of eq. 2, input -> latent features h;
* ``model.decoder``: the function *f* of eq. 3, h -> reconstruction x~.

so that ``model(x)`` equals ``model.decoder(model.encoder(x))``. Builders
take only plain values (numbers, strings, tuples), which makes them usable as
keys of the model cache in :mod:`aebook.train`; a reader's own builder can be
passed to :func:`aebook.fit` as long as it follows the same contract.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

__all__ = [
    "BUILDERS",
    "DenseTranspose",
    "architecture_table",
    "layer_widths",
    "weight_norm",
    "conv_autoencoder",
    "dense_autoencoder",
    "get_builder",
    "output_activation",
]


def _regularizer(kind: str | None, strength: float):
    if kind is None or strength == 0:
        return None
    kinds = {"l1": keras.regularizers.L1, "l2": keras.regularizers.L2}
    if kind not in kinds:
        raise ValueError(f"unknown regularizer {kind!r}: use 'l1', 'l2' or None")
    return kinds[kind](strength)


def _autoencoder(x_in, encoder: keras.Model, decoder: keras.Model, name: str) -> keras.Model:
    """The common tail of every builder: ``decoder(encoder(x))`` as one model carrying both parts.

    The returned model has ``.encoder`` (g, eq. 2) and ``.decoder`` (f, eq. 3),
    the contract :mod:`aebook.train` and the chapters rely on.
    """
    model = keras.Model(x_in, decoder(encoder(x_in)), name=name)
    model.encoder = encoder
    model.decoder = decoder
    return model


@keras.saving.register_keras_serializable(package="aebook")
class ActivityPenalty(keras.layers.Layer):
    """Identity layer adding ``strength`` times the batch mean of a per-sample norm of its input.

    The latent penalty of eq. 5 applied to the activations h: ``"l1"`` adds
    lambda * mean_i sum_j |h_ij|, ``"l2"`` lambda * mean_i sum_j h_ij^2.
    Keras's ``activity_regularizer`` cannot be used for this: Keras 3.15
    divides its value by the batch size and 3.13 (Colab's, 2026-08) does not,
    so the same model would be trained with penalties that differ by a factor
    of the batch size. Written out here, it is the same on every version.
    """

    def __init__(self, kind: str, strength: float, **kwargs):
        super().__init__(**kwargs)
        if kind not in ("l1", "l2"):
            raise ValueError(f"unknown regularizer {kind!r}: use 'l1', 'l2' or None")
        self.kind, self.strength = kind, float(strength)

    def call(self, h):
        per_sample = keras.ops.sum(keras.ops.abs(h) if self.kind == "l1" else keras.ops.square(h), axis=-1)
        self.add_loss(self.strength * keras.ops.mean(per_sample))
        return h

    def get_config(self):
        return {**super().get_config(), "kind": self.kind, "strength": self.strength}


@keras.saving.register_keras_serializable(package="aebook")
class DenseTranspose(keras.layers.Layer):
    """A dense layer that reuses the transposed kernel of another ``Dense``.

    Used for tied weights (§1.1): the decoder's kernel is the encoder's
    transposed, so only the biases are new parameters.
    """

    def __init__(self, tied_to: keras.layers.Dense, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.tied_to = tied_to
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        units = self.tied_to.kernel.shape[0]
        self.bias = self.add_weight(name="bias", shape=(units,), initializer="zeros")

    def call(self, inputs):
        kernel = keras.ops.transpose(self.tied_to.kernel)
        return self.activation(keras.ops.matmul(inputs, kernel) + self.bias)


def dense_autoencoder(
    input_dim: int = 784,
    hidden_units: Sequence[int] = (),
    latent_dim: int = 16,
    activation: str = "relu",
    output_activation: str = "sigmoid",
    latent_activation: str | None = None,
    weight_regularizer: str | None = None,
    weight_strength: float = 0.0,
    latent_regularizer: str | None = None,
    latent_strength: float = 0.0,
    tied: bool = False,
    name: str | None = None,
) -> keras.Model:
    """Build a symmetric feed-forward autoencoder (FFA, §2 and Figure 2).

    The layer widths are ``input_dim, *hidden_units, latent_dim,
    *reversed(hidden_units), input_dim``: ``dense_autoencoder(784, (), 16)``
    is the paper's (784, 16, 784) model. ``latent_activation`` defaults to
    ``activation``; ``output_activation`` should be ``"sigmoid"`` for data in
    [0, 1] and ``"linear"`` for data with negative values (§2.1).

    Regularization (§1.1, eq. 5): ``weight_regularizer`` ('l1' or 'l2') with
    ``weight_strength`` (the lambda of eq. 5) penalises every kernel;
    ``latent_regularizer``/``latent_strength`` penalise the latent activations
    (a sparse autoencoder). ``tied=True`` makes each decoder kernel the
    transpose of the matching encoder kernel.
    """
    if int(input_dim) < 1 or int(latent_dim) < 1:
        raise ValueError(f"input_dim and latent_dim must be positive, got {input_dim}, {latent_dim}")
    hidden_units = tuple(int(u) for u in hidden_units)
    if any(u < 1 for u in hidden_units):
        raise ValueError(f"hidden_units must be positive integers, got {hidden_units}")
    latent_activation = activation if latent_activation is None else latent_activation
    w_reg = _regularizer(weight_regularizer, weight_strength)
    _regularizer(latent_regularizer, latent_strength)  # validates the name
    name = name or f"ffa_{input_dim}_{'_'.join(map(str, hidden_units + (latent_dim,)))}"

    enc_layers = [
        keras.layers.Dense(u, activation=activation, kernel_regularizer=w_reg, name=f"enc_{i}")
        for i, u in enumerate(hidden_units)
    ]
    enc_layers.append(
        keras.layers.Dense(
            latent_dim, activation=latent_activation, kernel_regularizer=w_reg,
            name="latent",
        )
    )
    x_in = keras.Input(shape=(input_dim,), name="x")
    h = x_in
    for layer in enc_layers:
        h = layer(h)
    if latent_regularizer is not None and latent_strength != 0:
        h = ActivityPenalty(latent_regularizer, latent_strength, name="latent_penalty")(h)
    encoder = keras.Model(x_in, h, name="encoder")

    widths = list(reversed(hidden_units)) + [input_dim]
    acts = [activation] * len(hidden_units) + [output_activation]
    h_in = keras.Input(shape=(latent_dim,), name="h")
    y = h_in
    for i, (units, act, tied_layer) in enumerate(zip(widths, acts, reversed(enc_layers), strict=True)):
        lname = "output" if i == len(widths) - 1 else f"dec_{i}"
        if tied:
            y = DenseTranspose(tied_layer, activation=act, name=lname)(y)
        else:
            y = keras.layers.Dense(units, activation=act, kernel_regularizer=w_reg, name=lname)(y)
    return _autoencoder(x_in, encoder, keras.Model(h_in, y, name="decoder"), name)


def conv_autoencoder(
    input_shape: Sequence[int] = (28, 28, 1),
    filters: Sequence[int] = (64, 32),
    kernel_size: int = 3,
    strides: int = 1,
    padding: str = "valid",
    latent_dim: int | None = None,
    activation: str = "relu",
    output_activation: str = "sigmoid",
    name: str | None = None,
) -> keras.Model:
    """Build a convolutional autoencoder (CA, §4 and Figure 13).

    The encoder is one ``Conv2D(f, kernel_size, strides, padding)`` per entry
    of ``filters``; the decoder mirrors it with ``Conv2DTranspose`` layers, the
    last one with ``input_shape[-1]`` channels and ``output_activation``. The
    defaults give the paper's model: 3x3 kernels, valid convolutions,
    (28x28) -> (26x26x64) -> (24x24x32) -> (26x26x64) -> (28x28), whose
    latent tensor (24x24x32) is larger than the input.

    ``latent_dim`` adds a real bottleneck: the last feature map is flattened
    into a ``Dense(latent_dim)`` layer (the latent vector h) and the decoder
    starts with a ``Dense`` layer reshaped back to that map. Inputs are
    ``(n, height, width, channels)`` arrays. Raises ``ValueError`` when the
    decoder cannot give back the input's shape (with ``strides`` > 1 use
    ``padding="same"`` and sizes divisible by ``strides ** len(filters)``).
    """
    input_shape = tuple(int(d) for d in input_shape)
    if len(input_shape) != 3 or min(input_shape) < 1:
        raise ValueError(
            f"input_shape must be (height, width, channels), got {input_shape}: "
            "for MNIST use (28, 28, 1) and reshape the images to (n, 28, 28, 1)"
        )
    filters = tuple(int(f) for f in filters)
    if not filters or any(f < 1 for f in filters):
        raise ValueError(f"filters must be a non-empty sequence of positive integers, got {filters}")
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    if int(kernel_size) < 1 or int(strides) < 1:
        raise ValueError(f"kernel_size and strides must be >= 1, got {kernel_size}, {strides}")
    if latent_dim is not None and int(latent_dim) < 1:
        raise ValueError(f"latent_dim must be a positive integer or None, got {latent_dim}")
    conv = {"kernel_size": int(kernel_size), "strides": int(strides), "padding": padding}
    if name is None:
        name = f"ca_{'_'.join(map(str, filters))}" + (f"_dense{int(latent_dim)}" if latent_dim else "")

    size = list(input_shape[:2])
    for _ in filters:
        k, st = int(kernel_size), int(strides)
        size = [-(-n // st) if padding == "same" else (n - k) // st + 1 for n in size]
        if min(size) < 1:
            raise ValueError(f"the input {input_shape} is too small for {len(filters)} convolutions "
                             f"with kernel {kernel_size}, stride {strides} and padding {padding!r}: "
                             "use fewer filters, a smaller kernel or padding='same'")

    x_in = keras.Input(shape=input_shape, name="x")
    h = x_in
    for i, f in enumerate(filters):
        last = i == len(filters) - 1 and latent_dim is None
        h = keras.layers.Conv2D(f, activation=activation, name="latent" if last else f"enc_{i}", **conv)(h)
    map_shape = tuple(int(d) for d in h.shape[1:])
    if latent_dim is not None:
        h = keras.layers.Flatten(name="flatten")(h)
        h = keras.layers.Dense(int(latent_dim), activation=activation, name="latent")(h)
    encoder = keras.Model(x_in, h, name="encoder")

    h_in = keras.Input(shape=tuple(int(d) for d in h.shape[1:]), name="h")
    y = h_in
    if latent_dim is not None:
        y = keras.layers.Dense(int(np.prod(map_shape)), activation=activation, name="dec_dense")(y)
        y = keras.layers.Reshape(map_shape, name="dec_reshape")(y)
    for i, f in enumerate(reversed(filters[:-1])):
        y = keras.layers.Conv2DTranspose(f, activation=activation, name=f"dec_{i}", **conv)(y)
    y = keras.layers.Conv2DTranspose(input_shape[-1], activation=output_activation, name="output",
                                     **conv)(y)
    if tuple(int(d) for d in y.shape[1:]) != input_shape:
        raise ValueError(
            f"the decoder gives back {tuple(y.shape[1:])}, not the input shape {input_shape}: "
            "with strides > 1 use padding='same' and image sizes divisible by "
            "strides ** len(filters)"
        )
    return _autoencoder(x_in, encoder, keras.Model(h_in, y, name="decoder"), name)


BUILDERS = {"dense_autoencoder": dense_autoencoder, "conv_autoencoder": conv_autoencoder}


def get_builder(name):
    """Return the builder called ``name`` (a callable is returned as it is)."""
    if callable(name):
        return name
    if name not in BUILDERS:
        raise ValueError(f"unknown model builder {name!r}: choose one of {', '.join(BUILDERS)}")
    return BUILDERS[name]


def output_activation(model: keras.Model) -> str:
    """Name of the activation of the model's last layer (e.g. ``'sigmoid'``)."""
    last = model.layers[-1]
    if hasattr(last, "layers") and last.layers:
        last = last.layers[-1]
    act = getattr(last, "activation", None)
    return getattr(act, "__name__", str(act)) if act is not None else "linear"


def _dense_layers(model: keras.Model) -> list:
    """The dense layers of an autoencoder in data-flow order (encoder, then decoder)."""
    parts = [p for p in (getattr(model, "encoder", None), getattr(model, "decoder", None)) if p is not None]
    layers = [layer for part in (parts or [model]) for layer in part.layers]
    dense = [layer for layer in layers if isinstance(layer, keras.layers.Dense | DenseTranspose)]
    if not dense:
        raise ValueError(
            f"model {model.name!r} has no Dense or DenseTranspose layers: layer_widths and "
            "architecture_table describe feed-forward autoencoders (aebook.dense_autoencoder)"
        )
    return dense


def architecture_table(model: keras.Model) -> list[dict]:
    """One row per dense layer of a feed-forward autoencoder (§2, Figure 2).

    Each row reads from the built model: ``layer`` (name), ``part``
    (``"encoder"``/``"decoder"``), ``n_in``, ``n_out``, ``activation``,
    ``tied`` (a :class:`DenseTranspose` reusing an encoder kernel) and
    ``params``, the number of weights the layer itself owns (``n_in * n_out
    + n_out`` for a dense layer; only the ``n_out`` biases for a tied one).
    The ``params`` column sums to ``model.count_params()``.
    """
    enc = getattr(model, "encoder", None)
    enc_ids = {id(layer) for layer in enc.layers} if enc is not None else set()
    rows = []
    for layer in _dense_layers(model):
        tied = isinstance(layer, DenseTranspose)
        kernel_shape = tuple(int(d) for d in layer.tied_to.kernel.shape) if tied else tuple(
            int(d) for d in layer.kernel.shape)
        n_in, n_out = kernel_shape[::-1] if tied else kernel_shape
        act = getattr(layer.activation, "__name__", str(layer.activation))
        rows.append({
            "layer": layer.name,
            "part": "encoder" if id(layer) in enc_ids else "decoder",
            "n_in": n_in,
            "n_out": n_out,
            "activation": act,
            "tied": tied,
            "params": sum(int(np.prod(w.shape)) for w in _own_weights(layer)),
        })
    return rows


def _own_weights(layer) -> list:
    """The weights a layer owns: for a tied layer, not those of the layer it is tied to."""
    borrowed = {id(w) for w in layer.tied_to.weights} if isinstance(layer, DenseTranspose) else set()
    return [w for w in layer.weights if id(w) not in borrowed]


def layer_widths(model: keras.Model) -> list[int]:
    """The widths ``[n, n_2, ..., q, ..., n]`` of a feed-forward autoencoder (§2, Figure 2).

    The first entry is the input dimension, then one entry per dense layer,
    read from the built model: ``[784, 16, 784]`` for the paper's
    (784, 16, 784) model.
    """
    rows = architecture_table(model)
    return [rows[0]["n_in"]] + [row["n_out"] for row in rows]


def weight_norm(model: keras.Model, kind: str = "l2") -> float:
    """The weight penalty of eq. 5 without its lambda: sum of theta^2 (``"l2"``) or |theta| (``"l1"``).

    Sums over the kernels of the model's dense layers, each shared (tied)
    kernel once; biases are left out, as Keras's ``kernel_regularizer``
    leaves them out of the penalty it adds to the loss.
    """
    if kind not in ("l1", "l2"):
        raise ValueError(f"unknown weight norm {kind!r}: use 'l1' or 'l2'")
    kernels = {id(layer.kernel): layer.kernel for layer in _dense_layers(model)
               if not isinstance(layer, DenseTranspose)}
    total = 0.0
    for kernel in kernels.values():
        values = np.asarray(keras.ops.convert_to_numpy(kernel), dtype=np.float64)
        total += float(np.sum(values**2) if kind == "l2" else np.sum(np.abs(values)))
    return total
