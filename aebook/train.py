"""Training with seeding, plain progress lines and an on-disk model cache.

:func:`fit` trains an autoencoder built by a builder of :mod:`aebook.models`
(or the reader's own) and stores the trained weights under a key derived from
everything that determines them, on content rather than identity: the built
model's Keras configuration (so a change in a helper the builder calls
counts; layer names do not), the builder's name, source and arguments, the
training inputs and targets (their SHA-256), the serialised loss and
optimizer (never a memory address, so an object loss hits in another
process), epochs, batch size, validation data, the seed, the settings that
change the arithmetic (XLA), and the versions of aebook, Keras and
TensorFlow. The profile is not in the key on its own: what it decides (data
size, epochs) already is, so two profiles that ask for the same training
share it. A later chapter, a rebuild or ``aebook reproduce`` that asks for
the same training gets the same model back in a fraction of a second. An
entry whose files are damaged is trained again, never used. A cache folder
that cannot be written is reported before training starts; if the save
still fails afterwards, the trained model is returned with a warning.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import os
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from . import backend, config
from ._checks import as_float_array, as_number, check_batch, check_features, check_unit_interval
from .backend import set_seed
from .machine import package_versions
from .models import get_builder, output_activation

__all__ = ["CacheError", "Trained", "cache_key", "encode", "fit", "reconstruct", "set_seed"]

_CACHE_FORMAT = 2


class CacheError(OSError):
    """The model cache folder cannot be written (raised before training starts)."""


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


def _source_sha(obj) -> str | None:
    """SHA-256 of an object's source code (or of its bytecode when there is no source)."""
    try:
        text = inspect.getsource(obj)
    except (OSError, TypeError):
        code = getattr(obj, "__code__", None)
        if code is None:
            return None
        text = repr((code.co_code, code.co_consts, code.co_names))
    return hashlib.sha256(text.encode()).hexdigest()


def _builder_id(builder: Callable) -> dict:
    return {
        "name": f"{getattr(builder, '__module__', '?')}.{getattr(builder, '__qualname__', repr(builder))}",
        "source_sha256": _source_sha(builder),
    }


def _canonical(obj, names: dict):
    """``obj`` with every layer name replaced by its position (names differ between runs)."""
    if isinstance(obj, dict):
        return {k: _canonical(v, names) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_canonical(v, names) for v in obj]
    if isinstance(obj, str) and obj in names:
        return names[obj]
    return obj


def _layer_names(cfg, names: dict) -> dict:
    """Collect layer and model names of a Keras config in the order they appear."""
    if isinstance(cfg, dict):
        if "inbound_nodes" in cfg and isinstance(cfg.get("name"), str):
            names.setdefault(cfg["name"], f"<layer {len(names)}>")
        for value in cfg.values():
            _layer_names(value, names)
    elif isinstance(cfg, list):
        for value in cfg:
            _layer_names(value, names)
    return names


def model_fingerprint(model) -> str:
    """SHA-256 of a built model's architecture: its Keras configuration, names aside.

    Keras numbers unnamed layers per process (``dense_3``), so layer and model
    names are replaced by their order of appearance; everything else (layer
    types, widths, activations, initializers, regularizers) counts. A model
    without a serialisable configuration falls back to its layers' types,
    weight shapes and activations.
    """
    try:
        cfg = json.loads(model.to_json())
        names = _layer_names(cfg, {})
        if isinstance(cfg.get("config"), dict) and isinstance(cfg["config"].get("name"), str):
            names.setdefault(cfg["config"]["name"], "<model>")
        blob = _canonical(cfg, names)
    except Exception:  # noqa: BLE001 - subclassed models may have no get_config
        blob = [
            [type(layer).__qualname__, [list(w.shape) for w in layer.weights],
             getattr(getattr(layer, "activation", None), "__name__", None)]
            for layer in model.layers
        ]
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()


def _jsonable(obj):
    """A stable JSON form of a builder argument or loss (never a memory address)."""
    if hasattr(obj, "get_config"):
        out = {"class": f"{type(obj).__module__}.{type(obj).__qualname__}", "config": obj.get_config()}
        if not type(obj).__module__.startswith("keras"):
            out["source_sha256"] = _source_sha(type(obj))
        return out
    if callable(obj):
        out = {"function": f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}"}
        if not str(getattr(obj, "__module__", "")).startswith("keras"):
            out["source_sha256"] = _source_sha(obj)
        return out
    return str(obj)


def _loss_id(loss):
    """The loss as it enters the cache key: a name, or a serialised Keras loss or function."""
    if isinstance(loss, str):
        return loss
    return json.loads(json.dumps(_jsonable(loss), sort_keys=True, default=_jsonable))


def _loss_name(loss) -> str:
    if isinstance(loss, str):
        return loss
    return getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__


def _is_bce(loss) -> bool:
    """True for every spelling of the binary cross-entropy (eq. 14): names, classes, functions."""
    names = [_loss_name(loss), type(loss).__name__]
    for name in names:
        key = str(name).lower().replace("_", "").replace(" ", "")
        if key == "bce" or ("binary" in key and "crossentropy" in key):
            return True
    return False


def cache_key(spec: dict) -> str:
    """The cache key (hex SHA-256) of a training specification dictionary."""
    blob = json.dumps(spec, sort_keys=True, default=_jsonable).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def _device() -> str:
    """The Keras backend and the device it trains on, e.g. ``'Keras 3.15.1, tensorflow backend on CPU'``."""
    info = backend.backend_info()
    name = info["backend"]
    return f"Keras {info['keras']}, {name} backend on {info['device']}"


def _shape_text(model) -> str:
    """Layer widths ``784-16-784`` of a dense autoencoder, else input -> latent -> output shapes."""
    from .models import layer_widths

    if len(model.input_shape) == 2:  # vectors in: a feed-forward autoencoder
        try:
            return "-".join(str(w) for w in layer_widths(model))
        except ValueError:  # no dense layers: describe it by its shapes
            pass
    shapes = [tuple(model.input_shape[1:])]
    encoder = getattr(model, "encoder", None)
    if encoder is not None:
        shapes.append(tuple(encoder.output_shape[1:]))
    shapes.append(tuple(model.output_shape[1:]))
    return " -> ".join(str(s) for s in shapes)


def _progress_every(epochs: int, max_lines: int = 10) -> int:
    """Report every this many epochs, so that a training prints at most about ``max_lines`` lines."""
    return max(1, -(-int(epochs) // max_lines))


class _EpochLog:
    """A Keras callback printing one plain line per group of epochs (no bars, no backspaces).

    Each line gives the epoch, the losses, the time elapsed and an estimate of
    the time left (elapsed time per epoch so far, times the epochs to go).
    """

    def __new__(cls, epochs: int, every: int):
        class _Cb(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                self.t0 = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                n = epoch + 1
                if n % every and n != epochs and n != 1:
                    return
                elapsed = time.perf_counter() - self.t0
                parts = "  ".join(f"{k} {v:.4f}" for k, v in (logs or {}).items())
                left = (f"about {elapsed / n * (epochs - n):.0f} s left" if n < epochs
                        else "done")
                print(f"  epoch {n:>{len(str(epochs))}}/{epochs}  {parts}  "
                      f"({elapsed:.1f} s elapsed, {left})", flush=True)

        return _Cb()


def _check_inputs(model, x: np.ndarray, y: np.ndarray, loss,
                  names: tuple[str, str] = ("x", "y (the targets)")) -> None:
    expected = tuple(model.input_shape[1:])
    hint = ""
    if x.ndim == 2 and len(expected) == 1:
        hint = (f" Build the model for your data: pass input_dim={x.shape[1]} to fit() "
                "(or to the builder).")
    elif x.ndim > 2 and len(expected) > 1:
        hint = f" Build the model for your data: pass input_shape={tuple(x.shape[1:])}."
    check_features(x, expected, names[0], hint)
    check_features(y, tuple(model.output_shape[1:]), names[1])
    if len(x) != len(y):
        raise ValueError(f"{names[0]} has {len(x)} samples but {names[1]} has {len(y)}")
    act = output_activation(model)
    if _is_bce(loss):
        check_unit_interval(y, names[1], f"and the loss {_loss_name(loss)!r} is the binary "
                            "cross-entropy (eq. 14), which is defined only for values in [0, 1]")
    elif act == "sigmoid":
        check_unit_interval(y, names[1], f"and the model's sigmoid output, trained with "
                            f"{_loss_name(loss)!r} loss, can only produce values in [0, 1]")


def _atomic_json(path: Path, obj, mode: int | None = None) -> None:
    """Write ``obj`` as JSON to ``path`` atomically, with file mode ``mode`` (e.g. 0o644).

    ``NamedTemporaryFile`` creates files readable by their owner only (0600);
    the mode is set before the file takes its name, so a shared cache stays
    readable by everyone who can read the weights.
    """
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as fh:
        json.dump(obj, fh, indent=1, default=_jsonable)
    if mode is not None:
        os.chmod(fh.name, mode)
    os.replace(fh.name, path)


def _file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load_entry(entry: Path, model, key):
    """Load a cache entry's weights into ``model``; return its meta, or None when absent or damaged."""
    meta_path, weights = entry / "meta.json", entry / "model.weights.h5"
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("key") != key or meta.get("weights_sha256") != _file_sha(weights):
            raise ValueError("key or weights checksum does not match")
        model.load_weights(str(weights))
    except Exception as exc:  # noqa: BLE001 - any damage means: train again
        print(f"[aebook] cache entry {entry.name} is damaged ({type(exc).__name__}: {exc}); "
              "training again")
        return None
    return meta


def _cache_advice(root: Path) -> str:
    return (f"Point AEBOOK_CACHE_DIR (or cache_dir=) at a folder you can write, or pass "
            f"cache=False to train without caching. The folder now is {root}.")


def _check_writable(root: Path) -> None:
    """Raise :class:`CacheError` unless a file can be created in the cache folder ``root``."""
    if root.exists() and not root.is_dir():
        raise CacheError(f"the model cache folder {root} is a file, not a folder. {_cache_advice(root)}")
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=root, prefix=".write-test-")
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        raise CacheError(
            f"the model cache folder cannot be written ({type(exc).__name__}: {exc}), so a "
            f"trained model could not be kept. {_cache_advice(root)}"
        ) from exc


def _save_entry(entry: Path, model, meta: dict) -> bool:
    """Store ``model``'s weights and ``meta`` under ``entry``; warn and return False on failure.

    The weights go to a temporary file first and take their name when
    complete; ``meta.json`` gets the same file mode as the weights.
    """
    tmp = entry / f"tmp-{os.getpid()}.weights.h5"
    try:
        entry.mkdir(parents=True, exist_ok=True)
        weights = entry / "model.weights.h5"
        model.save_weights(str(tmp))
        os.replace(tmp, weights)
        meta["weights_sha256"] = _file_sha(weights)
        _atomic_json(entry / "meta.json", meta, mode=weights.stat().st_mode & 0o777)
    except Exception as exc:  # noqa: BLE001 - whatever failed, the trained model is kept
        try:
            tmp.unlink(missing_ok=True)  # our own partial file, nobody else's
        except OSError:
            pass
        warnings.warn(
            f"the trained model could not be saved in the model cache ({type(exc).__name__}: "
            f"{exc}). It is returned, but the next run will train it again. "
            f"{_cache_advice(entry.parent)}",
            RuntimeWarning, stacklevel=3,
        )
        return False
    return True


def _optimizer(optimizer, learning_rate):
    import keras

    if not isinstance(optimizer, str):
        raise TypeError(
            f"optimizer must be the name of a Keras optimizer such as 'adam', got "
            f"{type(optimizer).__name__}; set the step size with learning_rate="
        )
    try:
        return keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": learning_rate}})
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"optimizer={optimizer!r} with learning_rate={learning_rate!r} is not a Keras "
            f"optimizer ({exc}): use e.g. optimizer='adam', learning_rate=1e-3"
        ) from exc


def fit(
    builder: str | Callable,
    x,
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

    Trains ``builder(**builder_kwargs)`` (a name in
    :data:`aebook.models.BUILDERS`, e.g. ``"dense_autoencoder"``, or the
    reader's own builder) to map ``x`` to ``y`` (``y=None``
    means ``y = x``: plain reconstruction, eq. 4; a denoiser passes noisy
    ``x`` and clean ``y``). Adam with ``learning_rate`` and a loss of
    ``"binary_crossentropy"`` or ``"mse"`` are the paper's choices (§2.2,
    §2.4); ``loss`` may also be a Keras loss object or function. Progress is
    one line saying what trains (model, layer widths, samples, epochs, batch
    size, backend and device), then one plain line per group of epochs with
    the loss, the time elapsed and the time left, at most about ten lines
    (``verbose=False``: none). ``learning_rate`` may also be a serialised Keras schedule (a plain
    dict from ``keras.optimizers.schedules.serialize``), which stays part of the
    cache key. Returns a :class:`Trained` whose ``history`` holds the per-epoch
    losses (also for a cached model: they are stored with it).

    ``jit_compile=True`` (XLA) and ``steps_per_execution=16`` are the
    settings ``make bench`` measures. ``jit_compile=False`` keeps TensorFlow's
    graph mode but makes JAX run op by op (a debugging mode, tens of times
    slower), so leave it on unless debugging.

    Inputs are validated first: empty or non-numeric arrays, wrong per-sample
    shapes, NaN, and values outside [0, 1] for a sigmoid output or any
    spelling of the BCE loss raise ``ValueError`` or ``TypeError`` naming the
    argument. A cache folder that cannot be written raises
    :class:`CacheError` before training (``cache=False`` trains without it).
    """
    if x is None:
        raise ValueError("fit() needs the training inputs x: fit(builder, x, ...)")
    builder_fn = get_builder(builder)
    x = as_float_array(x, "x", allow_empty=False)
    check_batch(x, "x")
    if y is None:
        y = x
    else:
        y = as_float_array(y, "y", allow_empty=False)
        check_batch(y, "y")
    epochs = as_number(epochs, "epochs", integer=True, minimum=1)
    batch_size = as_number(batch_size, "batch_size", integer=True, minimum=1)
    if validation_data is not None:
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            got = getattr(validation_data, "shape", None) or f"a {type(validation_data).__name__}"
            raise TypeError(
                f"validation_data must be a pair (x_val, y_val), got {got}: for plain "
                "reconstruction pass validation_data=(x_val, x_val)"
            )
        vx = as_float_array(validation_data[0], "validation_data[0]", allow_empty=False)
        check_batch(vx, "validation_data[0]")
        vy = vx
        if validation_data[1] is not None:
            vy = as_float_array(validation_data[1], "validation_data[1]", allow_empty=False)
            check_batch(vy, "validation_data[1]")
        validation_data = (vx, vy)
    seed = config.resolve_seed(seed)

    set_seed(seed)
    model = builder_fn(**builder_kwargs)
    _check_inputs(model, x, y, loss)
    if validation_data is not None:
        _check_inputs(model, *validation_data, loss, names=("validation_data[0]", "validation_data[1]"))
    opt = _optimizer(optimizer, learning_rate)

    # Everything that determines the trained weights, as a flat dictionary:
    # one more field (e.g. the Keras backend) is one more line here.
    spec = {
        "format": _CACHE_FORMAT,
        "builder": _builder_id(builder_fn),
        "builder_kwargs": builder_kwargs,
        "model_config_sha256": model_fingerprint(model),
        "x": _array_digest(x),
        "y": "same-as-x" if y is x else _array_digest(y),
        "validation": None if validation_data is None else [_array_digest(a) for a in validation_data],
        "loss": _loss_id(loss),
        "optimizer": {k: v for k, v in opt.get_config().items() if k != "name"},  # name_1, ...
        "learning_rate": learning_rate,
        "epochs": epochs, "batch_size": batch_size, "seed": seed,
        "jit_compile": bool(jit_compile), "steps_per_execution": int(steps_per_execution),
        "backend": backend.loaded(),
        "versions": {**package_versions(()), **backend.versions()},
    }
    key = cache_key(spec)
    root = Path(cache_dir) if cache_dir is not None else config.cache_dir()
    entry = root / key
    what = f"{model.name} ({_shape_text(model)})"

    if cache:
        meta = _load_entry(entry, model, key)
        if meta is not None:
            if verbose:
                print(f"[aebook] loaded {what} from the model cache "
                      f"(trained in {meta['train_seconds']:.1f} s; key {key[:10]})", flush=True)
            return Trained(model, meta["history"], key, True, meta["train_seconds"], meta)
        if (entry / "meta.json").is_file():  # a damaged entry may have left some weights loaded
            set_seed(seed)
            model = builder_fn(**builder_kwargs)
        _check_writable(root)  # fail now, not after the training

    model.compile(optimizer=opt, loss=loss, jit_compile=jit_compile,
                  steps_per_execution=steps_per_execution)
    callbacks = []
    if verbose:
        print(f"[aebook] training {what} on {len(x):,} samples: {epochs} epoch{'s' * (epochs != 1)}, "
              f"batch size {batch_size}; {_device()}", flush=True)
        callbacks = [_EpochLog(epochs, _progress_every(epochs))]
    t0 = time.perf_counter()
    hist = model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True,
                     validation_data=validation_data, verbose=0, callbacks=callbacks)
    seconds = time.perf_counter() - t0
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    meta = {"key": key, "spec": spec, "history": history, "train_seconds": seconds,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if cache:
        _save_entry(entry, model, meta)
    return Trained(model, history, key, False, seconds, meta)


def _apply(model, x, batch_size: int, check_range: bool = True, autoencoder=None) -> np.ndarray:
    """Run ``model`` on ``x`` in batches, eagerly.

    ``model.predict`` compiles a new function for every model it meets, and
    after a few models TensorFlow prints retracing warnings into the pages;
    eager calls on batches cost the same here and stay quiet. When the
    autoencoder (``autoencoder``, default ``model``) has a sigmoid output and
    inputs of the output's shape, and ``check_range`` is true, ``x`` must lie
    in [0, 1] as its training data did (a decoder's latent inputs are free).
    """
    if not hasattr(model, "input_shape") or not callable(model):
        raise TypeError(f"model must be a Keras model (e.g. trained.model), got {type(model).__name__}")
    x = as_float_array(x, "x", allow_empty=False)
    check_features(x, tuple(model.input_shape[1:]), "x")
    batch_size = as_number(batch_size, "batch_size", integer=True, minimum=1)
    ae = model if autoencoder is None else autoencoder
    # only an autoencoder's inputs live in its output space: a decoder's inputs
    # are latent codes, which may take any value
    same_space = tuple(getattr(ae, "input_shape", ())[1:]) == tuple(
        getattr(ae, "output_shape", ())[1:])
    if check_range and same_space and output_activation(ae) == "sigmoid":
        check_unit_interval(
            x, "x", "but the model has a sigmoid output and was trained on data in [0, 1], "
            "so its results for such data mean nothing (pass check_range=False if the model "
            "was deliberately trained on inputs outside [0, 1])")
    parts = [np.asarray(model(x[i:i + batch_size], training=False), dtype=np.float32)
             for i in range(0, len(x), batch_size)]
    return np.concatenate(parts)


def reconstruct(model, x, batch_size: int = 1024, check_range: bool = True) -> np.ndarray:
    """Return ``model``'s reconstruction of ``x`` (validated, batched, float32).

    A model with a sigmoid output refuses ``x`` outside [0, 1] (e.g. 8-bit
    images in 0-255), unless ``check_range=False``.
    """
    return _apply(model, x, batch_size, check_range)


def encode(model, x, batch_size: int = 1024, check_range: bool = True) -> np.ndarray:
    """Return the latent features h = g(x) (eq. 2) of ``model.encoder`` for ``x``.

    The range check is that of :func:`reconstruct`.
    """
    encoder = getattr(model, "encoder", None)
    if encoder is None:
        raise ValueError("encode() needs an autoencoder with an .encoder (built by aebook.models)")
    return _apply(encoder, x, batch_size, check_range, autoencoder=model)
