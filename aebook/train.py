"""Training with seeding, quiet progress and an on-disk model cache.

:func:`fit` trains an autoencoder built by a builder of :mod:`aebook.models`
(or the reader's own) and stores the trained weights under a key derived from
everything that determines them: the builder (its name and source code) and
its arguments, the training inputs and targets (their SHA-256), the loss, the
optimizer and learning rate, epochs, batch size, validation data, the seed,
the settings that change the arithmetic (XLA), the Keras backend, and the
versions of aebook, Keras and the backend. The profile is not in the key on its own: what it
decides (data size, epochs) already is, so two profiles that ask for the same
training share it. A later chapter, a rebuild or ``aebook reproduce`` that
asks for the same training gets the same model back in a fraction of a
second. An entry whose files are damaged is trained again, never used.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from . import backend, config
from ._checks import as_float_array, check_features, check_unit_interval
from .backend import set_seed
from .models import get_builder, output_activation

__all__ = ["Trained", "cache_key", "encode", "fit", "reconstruct", "set_seed"]

_CACHE_FORMAT = 1


@dataclasses.dataclass
class Trained:
    """A trained model with its history and where it came from."""

    model: object
    history: dict
    key: str
    from_cache: bool
    train_seconds: float
    meta: dict

    @property
    def encoder(self):
        return self.model.encoder

    @property
    def decoder(self):
        return self.model.decoder


def _array_digest(arr: np.ndarray | None) -> str | None:
    if arr is None:
        return None
    arr = np.ascontiguousarray(arr)
    h = hashlib.sha256()
    h.update(f"{arr.dtype.str}{arr.shape}".encode())
    h.update(memoryview(arr).cast("B"))
    return h.hexdigest()


def _builder_id(builder: Callable) -> dict:
    try:
        source = inspect.getsource(builder)
    except (OSError, TypeError):
        source = repr(builder)
    return {
        "name": f"{getattr(builder, '__module__', '?')}.{getattr(builder, '__qualname__', repr(builder))}",
        "source_sha256": hashlib.sha256(source.encode()).hexdigest(),
    }


def _versions() -> dict:
    from . import __version__

    return {"aebook": __version__, **backend.versions()}


def cache_key(spec: dict) -> str:
    """The cache key (hex SHA-256) of a training specification dictionary."""
    blob = json.dumps(spec, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


class _EpochLog:
    """A Keras callback printing one plain line every few epochs (no bars)."""

    def __new__(cls, epochs: int, every: int):
        import keras

        class _Cb(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.t0 = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                n = epoch + 1
                if n % every and n != epochs and n != 1:
                    return
                parts = "  ".join(f"{k} {v:.4f}" for k, v in (logs or {}).items())
                print(f"epoch {n:>3}/{epochs}  {parts}  ({time.perf_counter() - self.t0:.1f} s)",
                      flush=True)

        return _Cb()


def _check_inputs(model, x: np.ndarray, y: np.ndarray, loss: str) -> None:
    expected = tuple(model.input_shape[1:])
    check_features(x, expected, "x")
    check_features(y, tuple(model.output_shape[1:]), "y (the targets)")
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} samples but y has {len(y)}")
    act = output_activation(model)
    if loss in ("binary_crossentropy", "bce") or act == "sigmoid":
        why = (f"and the model uses a {act} output with {loss} loss, which can only "
               "produce or compare values in [0, 1]")
        check_unit_interval(y, "y (the targets)", why)


def _atomic_json(path: Path, obj) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as fh:
        json.dump(obj, fh, indent=1, default=str)
    os.replace(fh.name, path)


def _file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load_entry(entry: Path, builder, builder_kwargs, key):
    """Return (model, meta) from a cache entry, or None when it is absent or damaged."""
    meta_path, weights = entry / "meta.json", entry / "model.weights.h5"
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("key") != key or meta.get("weights_sha256") != _file_sha(weights):
            raise ValueError("key or weights checksum does not match")
        model = builder(**builder_kwargs)
        model.load_weights(str(weights))
    except Exception as exc:  # noqa: BLE001 - any damage means: train again
        print(f"[aebook] cache entry {entry.name} is damaged ({type(exc).__name__}: {exc}); "
              "training again")
        return None
    return model, meta


def fit(
    builder: str | Callable = "dense_autoencoder",
    x=None,
    y=None,
    *,
    epochs: int,
    batch_size: int = 256,
    loss: str = "binary_crossentropy",
    optimizer: str = "adam",
    learning_rate: float = 1e-3,
    validation_data=None,
    seed: int | None = None,
    cache: bool = True,
    cache_dir: str | Path | None = None,
    jit_compile: bool = True,
    steps_per_execution: int = 16,
    verbose: bool = True,
    **builder_kwargs,
) -> Trained:
    """Build and train an autoencoder, or fetch it from the model cache.

    Trains ``builder(**builder_kwargs)`` to map ``x`` to ``y`` (``y=None``
    means ``y = x``: plain reconstruction, eq. 4; a denoiser passes noisy
    ``x`` and clean ``y``). Adam with ``learning_rate`` and a loss of
    ``"binary_crossentropy"`` or ``"mse"`` are the paper's choices (§2.2,
    §2.4). Progress is one plain line every few epochs (``verbose=False``:
    none). ``learning_rate`` may also be a serialised Keras schedule (a plain
    dict from ``keras.optimizers.schedules.serialize``), which stays part of the
    cache key. Returns a :class:`Trained` whose ``history`` holds the per-epoch
    losses (also for a cached model: they are stored with it).

    Inputs are validated first: wrong per-sample shapes, NaN, and values
    outside [0, 1] for a sigmoid output or BCE loss raise ``ValueError``.
    """
    import keras

    if x is None:
        raise ValueError("fit() needs the training inputs x")
    builder_fn = get_builder(builder)
    x = as_float_array(x, "x")
    y = x if y is None else as_float_array(y, "y")
    if int(epochs) < 1 or int(batch_size) < 1:
        raise ValueError(f"epochs and batch_size must be >= 1, got {epochs}, {batch_size}")
    if validation_data is not None:
        vx, vy = validation_data
        vx = as_float_array(vx, "validation x")
        vy = vx if vy is None else as_float_array(vy, "validation y")
        validation_data = (vx, vy)
    seed = config.resolve_seed(seed)

    spec = {
        "format": _CACHE_FORMAT,
        "builder": _builder_id(builder_fn),
        "builder_kwargs": builder_kwargs,
        "x": _array_digest(x),
        "y": "same-as-x" if y is x else _array_digest(y),
        "validation": None if validation_data is None else [_array_digest(a) for a in validation_data],
        "loss": loss, "optimizer": optimizer, "learning_rate": learning_rate,
        "epochs": int(epochs), "batch_size": int(batch_size), "seed": seed,
        "jit_compile": bool(jit_compile), "steps_per_execution": int(steps_per_execution),
        "versions": _versions(), "backend": backend.loaded(),
    }
    key = cache_key(spec)
    root = Path(cache_dir) if cache_dir is not None else config.cache_dir()
    entry = root / key

    if cache:
        loaded = _load_entry(entry, builder_fn, builder_kwargs, key)
        if loaded is not None:
            model, meta = loaded
            if verbose:
                print(f"[aebook] loaded {model.name} from the model cache "
                      f"(trained in {meta['train_seconds']:.1f} s; key {key[:10]})")
            return Trained(model, meta["history"], key, True, meta["train_seconds"], meta)

    set_seed(seed)
    model = builder_fn(**builder_kwargs)
    _check_inputs(model, x, y, loss)
    if validation_data is not None:
        _check_inputs(model, *validation_data, loss)
    opt = keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": learning_rate}})
    model.compile(optimizer=opt, loss=loss, jit_compile=jit_compile,
                  steps_per_execution=steps_per_execution)
    every = max(1, int(epochs) // 5)
    callbacks = [_EpochLog(int(epochs), every)] if verbose else []
    t0 = time.perf_counter()
    hist = model.fit(x, y, epochs=int(epochs), batch_size=int(batch_size), shuffle=True,
                     validation_data=validation_data, verbose=0, callbacks=callbacks)
    seconds = time.perf_counter() - t0
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    meta = {"key": key, "spec": spec, "history": history, "train_seconds": seconds,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if cache:
        entry.mkdir(parents=True, exist_ok=True)
        weights = entry / "model.weights.h5"
        tmp = entry / f"tmp-{os.getpid()}.weights.h5"
        model.save_weights(str(tmp))
        os.replace(tmp, weights)
        meta["weights_sha256"] = _file_sha(weights)
        _atomic_json(entry / "meta.json", meta)
    return Trained(model, history, key, False, seconds, meta)


def _apply(model, x, batch_size: int) -> np.ndarray:
    """Run ``model`` on ``x`` in batches, eagerly.

    ``model.predict`` compiles a new function for every model it meets, and
    after a few models TensorFlow prints retracing warnings into the pages;
    eager calls on batches cost the same here and stay quiet.
    """
    x = as_float_array(x, "x")
    check_features(x, tuple(model.input_shape[1:]), "x")
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    parts = [np.asarray(model(x[i:i + int(batch_size)], training=False), dtype=np.float32)
             for i in range(0, len(x), int(batch_size))]
    if not parts:
        return np.empty((0, *model.output_shape[1:]), dtype=np.float32)
    return np.concatenate(parts)


def reconstruct(model, x, batch_size: int = 1024) -> np.ndarray:
    """Return ``model``'s reconstruction of ``x`` (validated, batched, float32)."""
    return _apply(model, x, batch_size)


def encode(model, x, batch_size: int = 1024) -> np.ndarray:
    """Return the latent features h = g(x) (eq. 2) of ``model.encoder`` for ``x``."""
    encoder = getattr(model, "encoder", None)
    if encoder is None:
        raise ValueError("encode() needs an autoencoder with an .encoder (built by aebook.models)")
    return _apply(encoder, x, batch_size)
