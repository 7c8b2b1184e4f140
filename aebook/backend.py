"""The Keras backend: choosing it, seeding it, and the devices it runs on.

Keras 3 runs the same models on TensorFlow or on JAX. This is the one module
of aebook that reaches a backend directly (device names, versions,
determinism switches); everything else goes through Keras.

Keras fixes its backend when it is first imported. A chapter therefore
chooses before that, in its one seeding call: ``aebook.set_seed(models="dense")``
sets ``KERAS_BACKEND`` to the backend :func:`aebook.config.choose_backend`
picks (the reader's ``AEBOOK_BACKEND``/``KERAS_BACKEND`` if set, else the
one measured fastest for that model family, see ``benchmarks/backends.json``),
imports Keras, seeds it and prints one line saying what runs where. Importing
this module imports no backend.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys

from . import config

__all__ = ["available", "backend_info", "gpu_names", "gpu_present", "import_quietly", "loaded",
           "select_backend", "set_seed", "versions"]


def available() -> tuple[str, ...]:
    """The backends aebook supports that are installed here (TensorFlow always is)."""
    return tuple(name for name in config.BACKENDS if importlib.util.find_spec(name) is not None)


def loaded() -> str | None:
    """The backend Keras runs on, or ``None`` when Keras is not imported yet."""
    keras = sys.modules.get("keras")
    backend = getattr(getattr(keras, "backend", None), "backend", None)
    return backend() if callable(backend) else None


def _driver_gpus() -> list[str]:
    """GPU names from NVIDIA's driver (``nvidia-smi -L``), without loading a backend."""
    if not shutil.which("nvidia-smi"):
        return []
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.split(":", 1)[1].split("(")[0].strip() for line in listing.splitlines()
            if line.startswith("GPU ")]


def gpu_names() -> list[str]:
    """Names of the GPUs Keras's backend uses; before Keras is loaded, those the NVIDIA driver lists.

    A GPU the driver lists but the backend does not use (its CUDA build is
    not installed, see the ``gpu`` extra) appears only in the second case.
    """
    name = loaded()
    if name == "tensorflow":
        import tensorflow as tf

        if tf.test.is_built_with_cuda() and not _driver_gpus():
            return []  # no NVIDIA driver: asking TensorFlow would only log a failed cuInit
        out = []
        for dev in tf.config.list_physical_devices("GPU"):
            try:
                out.append(str(tf.config.experimental.get_device_details(dev).get("device_name", dev.name)))
            except (ValueError, RuntimeError):
                out.append(dev.name)
        return out
    if name == "jax":
        import jax

        return [d.device_kind for d in jax.devices() if d.platform in ("gpu", "cuda", "rocm")]
    return _driver_gpus()


def gpu_present() -> bool:
    """Whether training runs on a GPU (see :func:`gpu_names`)."""
    return bool(gpu_names())


def select_backend(models: str | None = None) -> tuple[str, str]:
    """Import Keras on the backend chosen for ``models`` (``"dense"``, ``"conv"`` or ``None``).

    When Keras is not imported yet, sets ``KERAS_BACKEND`` to the choice of
    :func:`aebook.config.choose_backend` (with ``models=None`` and no choice
    by the reader, Keras's own default) and imports Keras. When Keras is
    already running, keeps its backend, unless the reader asked for another
    one: then raises ``RuntimeError`` saying how to get it. Returns
    ``(backend, reason)``.
    """
    device = "gpu" if _driver_gpus() else "cpu"
    wanted, reason = config.choose_backend(models, device=device, available=available())
    current = loaded()
    if current is None:
        if models is not None or config.backend() is not None:
            os.environ["KERAS_BACKEND"] = wanted  # read by Keras at import, the only way to choose
        import keras

        current = keras.backend.backend()
        if models is None and config.backend() is None:
            reason = "Keras's default"
    if current != wanted:
        if config.backend() is not None:
            raise RuntimeError(
                f"Keras already runs on {current}, but AEBOOK_BACKEND/KERAS_BACKEND asks for {wanted}: "
                "Keras chooses its backend once, when first imported; restart the kernel (or Python) "
                "and call aebook.set_seed() before importing keras")
        if models is not None:
            reason = f"Keras was imported before aebook.set_seed() ({wanted} would be {reason})"
    return current, reason


def versions() -> dict:
    """The versions of Keras and of the backend it runs on, e.g. ``{"keras": ..., "jax": ...}``."""
    import keras

    name = keras.backend.backend()
    module = sys.modules.get(name) or importlib.import_module(name)
    return {"keras": keras.__version__, name: module.__version__}


def backend_info() -> dict:
    """The backend in use: name, versions, and the devices it trains on."""
    gpus = gpu_names()
    return {"backend": loaded(), **versions(), "device": "GPU" if gpus else "CPU", "gpus": gpus}


def _describe(reason: str) -> str:
    info = backend_info()
    where = f"GPU ({', '.join(info['gpus'])})" if info["gpus"] else "CPU"
    name = info["backend"]
    return f"Keras {info['keras']} on {name} {info[name]}, {where}: {reason}"


def set_seed(seed: int | None = None, deterministic: bool = False, models: str | None = None) -> int:
    """Seed Python, NumPy and the Keras backend; return the seed used.

    ``None`` takes ``AEBOOK_SEED`` (default 42). On a CPU this alone makes two
    trainings give identical weights, on TensorFlow and on JAX (the test suite
    checks both). On a GPU some kernels are not deterministic:
    ``deterministic=True`` enables TensorFlow's op determinism, which also
    turns XLA compilation off (Keras refuses both together), so training is
    slower; JAX on a GPU needs ``XLA_FLAGS=--xla_gpu_deterministic_ops=true``
    set before Python starts.

    ``models`` (``"dense"`` or ``"conv"``) is a chapter's one seeding call:
    before Keras is imported it also chooses the backend those models train
    fastest on (:func:`select_backend`) and prints one line naming it.
    """
    seed = config.resolve_seed(seed)
    name, reason = select_backend(models)
    import keras

    _keep_tensorflow_unloaded(name)
    keras.utils.set_random_seed(seed)
    if deterministic and name == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    elif deterministic and name == "jax" and gpu_present():
        raise ValueError("deterministic=True on JAX needs XLA_FLAGS=--xla_gpu_deterministic_ops=true "
                         "set before Python starts (or use AEBOOK_BACKEND=tensorflow)")
    if models is not None:
        print(_describe(reason), flush=True)
    return seed


def _keep_tensorflow_unloaded(name: str) -> None:
    """On a backend other than TensorFlow, stop Keras from importing TensorFlow.

    Keras 3 imports TensorFlow whenever it is installed, whatever the backend:
    ``set_random_seed`` seeds it and serialisation checks for its types. On JAX
    that costs about 5 s per process on two cores (and TensorFlow's C++
    start-up lines on stderr) for nothing: the book's data are NumPy arrays,
    never ``tf.data``. So, on another backend, while nothing has imported
    TensorFlow yet, Keras's lazy TensorFlow handle is told "not available"
    for this process. A reader who wants ``tf.data`` on JAX imports
    TensorFlow before the seeding call, and this then does nothing. Keras
    has no public switch for it; if its lazy handle is not where this
    expects (another Keras version), nothing changes, only slower.
    """
    if name == "tensorflow" or "tensorflow" in sys.modules:
        return
    try:
        from keras.src.utils import module_utils
    except ImportError:
        return
    lazy = getattr(module_utils, "tensorflow", None)
    if isinstance(lazy, module_utils.LazyModule) and lazy.module is None:
        lazy._available = False


@contextlib.contextmanager
def _quiet_stderr():
    """Send file descriptor 2 (C++ code writes there directly) to /dev/null for the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def import_quietly() -> None:
    """Import TensorFlow (and absl) before anything else does, without its start-up lines.

    TensorFlow writes them from C++ before its own log level applies, even with
    ``TF_CPP_MIN_LOG_LEVEL=3``; ``python -m aebook reproduce`` calls this first.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with _quiet_stderr():
        import absl.logging
        import tensorflow  # noqa: F401 - imported here so that its start-up lines are hidden

    absl.logging.set_verbosity(absl.logging.ERROR)
