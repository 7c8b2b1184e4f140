"""The machine a run happens on: CPU, cores, GPUs and the versions of the packages that decide the numbers.

:func:`package_versions` is the one version collector: the reproduction
report records it and the model cache of :mod:`aebook.train` keys on it.
:func:`gpus` is the one place that asks for GPUs; :func:`has_gpu` loads
TensorFlow to answer, :func:`hardware` asks the driver when TensorFlow is not
loaded yet (a report that trained nothing should not pay for loading it).
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from . import __version__

__all__ = ["NUMERIC_PACKAGES", "gpus", "hardware", "has_gpu", "package_versions"]

# The packages whose versions can change a trained model or a reported number.
NUMERIC_PACKAGES = ("tensorflow", "keras", "numpy", "scikit-learn", "scipy")


def package_versions(packages: tuple[str, ...] = NUMERIC_PACKAGES) -> dict:
    """Versions of aebook and of ``packages`` (``None`` for one that is not installed)."""
    out: dict = {"aebook": __version__}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _tensorflow_gpus(tf) -> list[str]:
    names = []
    for dev in tf.config.list_physical_devices("GPU"):
        try:
            name = tf.config.experimental.get_device_details(dev).get("device_name", dev.name)
        except (ValueError, RuntimeError):
            name = dev.name
        names.append(str(name))
    return names


def gpus(load_tensorflow: bool = False) -> list[str]:
    """Names of the GPUs TensorFlow can use (``[]`` for none).

    With TensorFlow loaded (or ``load_tensorflow=True``) TensorFlow's own
    list; otherwise ``nvidia-smi -L`` when the driver is installed.
    """
    if load_tensorflow or "tensorflow" in sys.modules:
        import tensorflow as tf

        return _tensorflow_gpus(tf)
    if not shutil.which("nvidia-smi"):
        return []
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.split(":", 1)[1].split("(")[0].strip() for line in listing.splitlines()
            if line.startswith("GPU ")]


def has_gpu() -> bool:
    """True when TensorFlow can train on a GPU (loads TensorFlow)."""
    return bool(gpus(load_tensorflow=True))


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
