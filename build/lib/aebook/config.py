"""Run-time configuration: the one module that reads the environment.

Everything that depends on the machine or on the reader's choices is read
here and nowhere else:

``AEBOOK_PROFILE``
    ``quick`` (small subsets, few epochs: the whole book executes in minutes on
    two CPU cores; used by the tests and CI) or ``paper`` (the settings of
    Michelucci (2022), §2.4: all 60,000/10,000 images, Adam, 30 epochs,
    batch 256). Default: ``paper``.
``AEBOOK_DATA_DIR``
    A folder holding ``mnist/`` and ``fashion-mnist/`` with the standard IDX
    files (``.gz`` or not). Optional: without it the data layer looks in the
    Keras cache and then downloads.
``AEBOOK_CACHE_DIR``
    Where trained models are cached. Default: ``$XDG_CACHE_HOME/aebook`` or
    ``~/.cache/aebook``.
``AEBOOK_SEED``
    The global seed (default 42).
``AEBOOK_BACKEND`` (or Keras's ``KERAS_BACKEND``)
    ``tensorflow`` or ``jax``: the Keras backend. Unset, each chapter trains
    on the backend measured fastest for its models (:func:`choose_backend`).

Functions read the environment when called, never at import time, and every
function that uses a setting also accepts it as an argument.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np

__all__ = [
    "PROFILES",
    "Profile",
    "BACKENDS",
    "backend",
    "backend_measurement",
    "cache_dir",
    "conv_epochs",
    "choose_backend",
    "data_dir",
    "default_seed",
    "get_profile",
    "keras_cache_dir",
    "resolve_seed",
]


@dataclasses.dataclass(frozen=True)
class Profile:
    """Sizes and training settings that one run of the book uses.

    ``n_train``/``n_test`` of ``None`` mean the whole split. ``epochs`` and
    ``batch_size`` apply to the dense autoencoders; the convolutional ones have
    their own (``conv_*``), because one paper-sized epoch costs minutes on a
    CPU. In ``quick`` their small batch gives the few training images enough
    optimizer steps to get past the first, average-digit phase of training.
    """

    name: str
    n_train: int | None
    n_test: int | None
    epochs: int
    batch_size: int
    conv_n_train: int | None
    conv_epochs: int
    conv_batch_size: int
    knn_tree_n_test: int | None
    n_seeds: int
    mc_trials: int
    description: str = ""

    def as_dict(self) -> dict:
        """The profile as a plain dictionary (for reports and cache keys)."""
        return dataclasses.asdict(self)


PROFILES: dict[str, Profile] = {
    "quick": Profile(
        name="quick",
        n_train=20_000,
        n_test=2_000,
        epochs=15,
        batch_size=256,
        conv_n_train=2_000,
        conv_epochs=4,
        conv_batch_size=32,
        knn_tree_n_test=200,
        n_seeds=3,
        mc_trials=200,
        description="subsets and few epochs; the whole book runs in minutes on 2 CPU cores",
    ),
    "paper": Profile(
        name="paper",
        n_train=None,
        n_test=None,
        epochs=30,
        batch_size=256,
        conv_n_train=None,
        conv_epochs=3,
        conv_batch_size=256,
        knn_tree_n_test=1_000,
        n_seeds=5,
        mc_trials=2_000,
        description="the paper's settings: 60,000/10,000 images, Adam, 30 epochs, batch 256",
    ),
}


def get_profile(name: str | None = None) -> Profile:
    """Return the profile called ``name``, or the one ``AEBOOK_PROFILE`` names.

    Raises ``ValueError`` naming the known profiles for an unknown name.
    """
    if name is None:
        name = os.environ.get("AEBOOK_PROFILE", "paper").strip() or "paper"
    if isinstance(name, Profile):
        return name
    if not isinstance(name, str):
        known = ", ".join(sorted(PROFILES))
        raise TypeError(
            f"profile must be a name ({known}) or a Profile, got {type(name).__name__} "
            f"{name!r}: pass profile='quick', for example"
        )
    key = name.strip().lower()
    if key not in PROFILES:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(
            f"unknown profile {name!r}: choose one of {known} "
            "(set AEBOOK_PROFILE or pass profile=...)"
        )
    return PROFILES[key]


def data_dir() -> Path | None:
    """The folder ``AEBOOK_DATA_DIR`` names, or ``None`` when it is unset."""
    value = os.environ.get("AEBOOK_DATA_DIR", "").strip()
    return Path(value).expanduser() if value else None


def keras_cache_dir() -> Path:
    """Keras's dataset cache: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME", "").strip()
    base = Path(home).expanduser() if home else Path.home() / ".keras"
    return base / "datasets"


def cache_dir() -> Path:
    """The model cache folder (``AEBOOK_CACHE_DIR``, else the user's cache dir)."""
    value = os.environ.get("AEBOOK_CACHE_DIR", "").strip()
    if value:
        return Path(value).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "aebook"


def default_seed() -> int:
    """The global seed: ``AEBOOK_SEED`` or 42."""
    value = os.environ.get("AEBOOK_SEED", "").strip()
    if not value:
        return 42
    try:
        seed = int(value)
    except ValueError:
        raise ValueError(f"AEBOOK_SEED must be an integer, got {value!r}") from None
    if seed < 0:
        raise ValueError(f"AEBOOK_SEED must be a non-negative integer, got {value!r}")
    return seed


def resolve_seed(seed=None, name: str = "seed") -> int:
    """The seed to use: ``seed`` itself, or the global one when it is ``None``.

    The one place where every function that takes ``seed=`` resolves it.
    Accepts a non-negative Python or NumPy integer; anything else (a string,
    a float, a bool, a negative number) raises an error that names the
    argument ``name`` and says what to pass instead.
    """
    if seed is None:
        return default_seed()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            f"{name} must be a non-negative integer (or None for AEBOOK_SEED), "
            f"got {type(seed).__name__} {seed!r}: pass e.g. {name}=42"
        )
    if seed < 0:
        raise ValueError(
            f"{name} must be a non-negative integer (or None for AEBOOK_SEED), "
            f"got {seed}: pass e.g. {name}=42"
        )
    return int(seed)


def conv_epochs(profile: str | Profile | None = None, on_gpu: bool | None = None) -> int:
    """Epochs of the convolutional experiments (§4) for ``profile`` on this machine.

    The paper profile trains the §2.4 epochs (30, ``profile.epochs``) when a
    GPU is present (``on_gpu=None`` asks :func:`aebook.backend.gpu_present`),
    and ``profile.conv_epochs`` on a CPU, where one paper-sized epoch of the CA
    costs minutes; other profiles always use ``profile.conv_epochs``.
    """
    prof = get_profile(profile)
    if prof.name != "paper":
        return prof.conv_epochs
    if on_gpu is None:
        from .backend import gpu_present  # here, not on top: aebook.backend imports config

        on_gpu = gpu_present()  # asked only when the answer matters
    return prof.epochs if on_gpu else prof.conv_epochs


# ------------------------------------------------------------------ the Keras backend
# Keras 3 runs on TensorFlow (the default, always installed) or on JAX (the
# ``jax`` extra). Keras fixes its backend when it is first imported, so the
# choice is made before that, by :func:`aebook.set_seed` (see
# :mod:`aebook.backend`), from the two functions below.

BACKENDS = ("tensorflow", "jax")
MODEL_FAMILIES = ("dense", "conv")
#: Epoch times of each model family on each backend, written by ``make bench``
#: (``benchmarks/run.py``). Absent from an installed package: then the default.
BACKEND_MEASUREMENT = Path(__file__).resolve().parents[1] / "benchmarks" / "backends.json"


def backend() -> str | None:
    """The Keras backend the reader chose, or ``None`` when they chose none.

    ``AEBOOK_BACKEND`` first, then Keras's own ``KERAS_BACKEND``; either may
    be ``tensorflow`` or ``jax``. Raises ``ValueError`` naming the variable
    and the accepted values for anything else.
    """
    for var in ("AEBOOK_BACKEND", "KERAS_BACKEND"):
        value = os.environ.get(var, "").strip().lower()
        if value:
            if value not in BACKENDS:
                raise ValueError(f"{var}={value!r} is not a backend aebook supports: set it to one of "
                                 f"{', '.join(BACKENDS)} (or unset it to let aebook choose)")
            return value
    return None


def backend_measurement(path: str | Path | None = None) -> dict:
    """The measurement the backend choice rests on (``benchmarks/backends.json``); ``{}`` when absent."""
    import json

    path = Path(path) if path is not None else BACKEND_MEASUREMENT
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}


#: Another backend replaces TensorFlow only when measured at least this much faster
#: (a smaller gain is within the noise of one benchmark run on a shared machine).
MIN_SPEEDUP = 1.2


def choose_backend(models: str | None, device: str = "cpu", available=BACKENDS,
                   measurement: dict | None = None) -> tuple[str, str]:
    """The backend to train ``models`` (``"dense"`` or ``"conv"``) on, and why.

    The one place where the choice is made: the reader's choice
    (:func:`backend`) if there is one; else, among the ``available`` backends,
    the one with the shortest epoch time measured for that model family on
    that ``device`` (``"cpu"`` or ``"gpu"``) by ``make bench``, if it beats
    TensorFlow, the default, by :data:`MIN_SPEEDUP`; else TensorFlow.
    ``models=None`` means: no preference (TensorFlow unless the reader chose).
    Returns ``(backend, reason)``.
    """
    chosen = backend()
    if chosen is not None:
        return chosen, "chosen by the reader (AEBOOK_BACKEND or KERAS_BACKEND)"
    if models is None:
        return "tensorflow", "the default"
    if models not in MODEL_FAMILIES:
        raise ValueError(f"models must be one of {', '.join(MODEL_FAMILIES)} or None, got {models!r}: "
                         "pass models='dense' for feed-forward autoencoders, 'conv' for convolutional ones")
    data = backend_measurement() if measurement is None else measurement
    seconds = data.get(device, {}).get(models, {}).get("epoch_seconds", {})
    timed = {name: float(s) for name, s in seconds.items() if name in available and s}
    if not timed:
        return "tensorflow", f"the default (no measurement for {models} models on {device.upper()})"
    fastest = min(timed, key=timed.get)
    where = f"for {models} models on {device.upper()} (benchmarks/backends.json)"
    default = timed.get("tensorflow")
    if fastest != "tensorflow" and default is not None and default < MIN_SPEEDUP * timed[fastest]:
        return "tensorflow", f"the default: {fastest} is not measured {MIN_SPEEDUP}x faster {where}"
    return fastest, f"the fastest measured {where}"
