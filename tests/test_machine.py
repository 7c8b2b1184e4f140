"""Tests of aebook.machine: the one version collector and the hardware record."""

from __future__ import annotations

import os
import sys
from importlib import metadata

from aebook import __version__, backend, machine, train


def test_package_versions_is_the_one_collector_used_by_the_model_cache():
    assert train.package_versions is machine.package_versions
    v = machine.package_versions()
    assert v["aebook"] == __version__ and v["numpy"] == metadata.version("numpy")
    assert set(machine.NUMERIC_PACKAGES) <= set(v)
    assert machine.package_versions(("no-such-package-aebook",))["no-such-package-aebook"] is None


def test_hardware_names_a_gpu_from_the_driver_when_no_backend_is_loaded(tmp_path, monkeypatch):
    fake = tmp_path / "nvidia-smi"
    fake.write_text("#!/bin/sh\necho 'GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1234)'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setattr(backend, "loaded", lambda: None)
    hw = machine.hardware()
    assert hw["gpus"] == ["NVIDIA H100 80GB HBM3"]
    assert hw["cores"] >= 1 and hw["cpu"]


def test_no_driver_and_no_tensorflow_means_no_gpu(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    assert machine.gpus() == []
