"""The machine a run happens on: CPU, cores, GPUs and the versions of the packages that decide the numbers.

:func:`package_versions` is the one version collector: the reproduction
report records it and the model cache of :mod:`aebook.train` keys on it.
:func:`gpus` and :func:`has_gpu` ask :mod:`aebook.backend`, the one module
that reaches a backend (before Keras is loaded it asks the NVIDIA driver, so
a report that trained nothing does not pay for loading a backend).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from . import __version__
from .backend import gpu_names, gpu_present

__all__ = ["NUMERIC_PACKAGES", "gpus", "hardware", "has_gpu", "package_versions"]

# The packages whose versions can change a trained model or a reported number.
NUMERIC_PACKAGES = ("tensorflow", "jax", "keras", "numpy", "scikit-learn", "scipy")


def package_versions(packages: tuple[str, ...] = NUMERIC_PACKAGES) -> dict:
    """Versions of aebook and of ``packages`` (``None`` for one that is not installed)."""
    out: dict = {"aebook": __version__}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def gpus() -> list[str]:
    """Names of the GPUs training runs on (``[]`` for none): :func:`aebook.backend.gpu_names`."""
    return gpu_names()


def has_gpu() -> bool:
    """True when training runs on a GPU (:func:`aebook.backend.gpu_present`)."""
    return gpu_present()


def _cpu_name() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if sys.platform == "darwin":
        try:
            return subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True,
                                  text=True, timeout=5).stdout.strip() or cpu
        except (OSError, subprocess.SubprocessError):
            pass
    return cpu


def hardware() -> dict:
    """The machine: CPU model, usable cores, GPUs (:func:`gpus`), OS and Python version."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    return {"cpu": _cpu_name(), "cores": int(cores), "gpus": gpus(),
            "platform": f"{platform.system()} {platform.release()} ({platform.machine()})",
            "python": platform.python_version()}
