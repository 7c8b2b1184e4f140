"""Shared fixtures: tiny data made here, an isolated model cache, offline data."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest


def write_idx(path: Path, array: np.ndarray, compress: bool = True) -> bytes:
    """Write ``array`` (uint8) as an IDX file; return the uncompressed bytes."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    magic = 0x0800 | array.ndim
    raw = struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        with gzip.open(path, "wb") as fh:
            fh.write(raw)
    else:
        path.write_bytes(raw)
    return raw


@pytest.fixture
def idx_writer():
    """The :func:`write_idx` helper, for tests that make their own IDX files."""
    return write_idx


@pytest.fixture
def tiny_images() -> np.ndarray:
    """64 random 'images' of 8x8 pixels in [0, 1], flattened (64, 64)."""
    rng = np.random.default_rng(0)
    blobs = rng.uniform(0, 1, size=(64, 8, 8)).astype("float32")
    blobs[:, :, :4] *= 0.2  # some structure for the network to find
    return blobs.reshape(64, -1)


@pytest.fixture
def model_cache(tmp_path, monkeypatch) -> Path:
    """A private, empty model cache folder."""
    folder = tmp_path / "model-cache"
    monkeypatch.setenv("AEBOOK_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def no_data_env(tmp_path, monkeypatch) -> Path:
    """No AEBOOK_DATA_DIR and an empty Keras home: the data layer finds nothing."""
    monkeypatch.delenv("AEBOOK_DATA_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    return tmp_path


@pytest.fixture
def shared_data_dir() -> Path:
    """The offline dataset folder (AEBOOK_DATA_DIR); skips the test if unset."""
    import os

    value = os.environ.get("AEBOOK_DATA_DIR")
    if not value or not Path(value, "mnist").is_dir():
        pytest.skip("AEBOOK_DATA_DIR with mnist/ is not available")
    return Path(value)
