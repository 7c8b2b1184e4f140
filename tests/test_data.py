import hashlib

import numpy as np
import pytest

import aebook
from aebook import data


@pytest.fixture
def fake_dataset(idx_writer):
    """Write a tiny IDX dataset under folder/<name>/; return its arrays and checksums."""

    def make(folder, name="mnist", n_train=12, n_test=5):
        return _fake_dataset(idx_writer, folder, name, n_train, n_test)

    return make


def _fake_dataset(write_idx, folder, name, n_train, n_test):
    """Write a tiny IDX dataset under folder/<name>/ and return its checksums."""
    rng = np.random.default_rng(1)
    sums = {}
    parts = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test),
    }
    for stem, arr in parts.items():
        raw = write_idx(folder / name / f"{stem}.gz", arr)
        sums[stem] = hashlib.sha256(raw).hexdigest()
    return parts, sums


def test_read_idx_hand_made(tmp_path, idx_writer):
    write_idx = idx_writer
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "a.gz", arr)
    write_idx(tmp_path / "b", arr, compress=False)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "a.gz"), arr)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "b"), arr)


def test_read_idx_rejects_truncated_and_bad_magic(tmp_path, idx_writer):
    write_idx = idx_writer
    raw = write_idx(tmp_path / "ok", np.zeros((3, 2), np.uint8), compress=False)
    (tmp_path / "short").write_bytes(raw[:-1])
    with pytest.raises(data.DataError, match="truncated or corrupt"):
        data.read_idx(tmp_path / "short")
    (tmp_path / "bad").write_bytes(b"\x01\x02" + raw[2:])
    with pytest.raises(data.DataError, match="not an IDX file"):
        data.read_idx(tmp_path / "bad")


def test_checksum_mismatch_raises_and_leaves_file(tmp_path, idx_writer):
    write_idx = idx_writer
    arr = np.ones((2, 2), np.uint8)
    write_idx(tmp_path / "x.gz", arr)
    before = (tmp_path / "x.gz").read_bytes()
    good = hashlib.sha256((tmp_path / "x.gz").read_bytes()).hexdigest()  # hash of the .gz: wrong on purpose
    with pytest.raises(data.ChecksumError) as info:
        data.read_idx(tmp_path / "x.gz", sha256=good)
    message = str(info.value)
    assert str(tmp_path / "x.gz") in message and good in message and "left untouched" in message
    assert (tmp_path / "x.gz").read_bytes() == before


def test_load_dataset_from_data_dir(tmp_path, monkeypatch, fake_dataset):
    parts, sums = fake_dataset(tmp_path)
    monkeypatch.setitem(data.DATASETS["mnist"], "sha256", sums)
    ds = data.load_mnist(data_dir=tmp_path, download=False)
    assert ds.x_train.shape == (12, 28, 28) and ds.x_train.dtype == np.float32
    assert 0.0 <= ds.x_train.min() and ds.x_train.max() <= 1.0
    np.testing.assert_allclose(ds.x_train * 255, parts["train-images-idx3-ubyte"], atol=1e-3)
    raw = data.load_mnist(data_dir=tmp_path, download=False, dtype="uint8", flatten=True, n_train=4)
    assert raw.x_train.shape == (4, 784) and raw.x_train.dtype == np.uint8
    np.testing.assert_array_equal(raw.y_train, parts["train-labels-idx1-ubyte"][:4])
    (x_tr, y_tr), (x_te, y_te) = ds
    assert len(x_tr) == len(y_tr) == 12 and len(x_te) == len(y_te) == 5


def test_data_dir_from_environment_and_keras_cache(tmp_path, monkeypatch, no_data_env, fake_dataset):
    _, sums = fake_dataset(tmp_path / "keras-home" / "datasets", name="aebook-mnist")
    monkeypatch.setitem(data.DATASETS["mnist"], "sha256", sums)
    assert data.load_mnist(download=False).x_test.shape == (5, 28, 28)  # found in the Keras cache
    _, sums = fake_dataset(tmp_path / "env", n_train=3)
    monkeypatch.setitem(data.DATASETS["mnist"], "sha256", sums)
    monkeypatch.setenv("AEBOOK_DATA_DIR", str(tmp_path / "env"))
    assert len(data.load_mnist(download=False).x_train) == 3  # the data folder comes first


def test_missing_data_offline_gives_one_clear_error(no_data_env, monkeypatch):
    def offline(*_a, **_k):
        raise OSError("no network")

    monkeypatch.setattr(data, "_download", offline)
    with pytest.raises(data.DataError) as info:
        data.load_fashion_mnist()
    message = str(info.value)
    assert "not found" in message and "Looked in" in message and "keras-home" in message
    assert "download from" in message and "AEBOOK_DATA_DIR" in message


def test_download_path_uses_keras_get_file(tmp_path, no_data_env, monkeypatch, fake_dataset):
    """The download step, served from a local file:// origin instead of the internet."""
    _, sums = fake_dataset(tmp_path / "server", name="files")
    monkeypatch.setitem(data.DATASETS["mnist"], "sha256", sums)
    monkeypatch.setitem(data.DATASETS["mnist"], "origin", (tmp_path / "server" / "files").as_uri() + "/")
    ds = data.load_mnist()
    assert ds.x_train.shape == (12, 28, 28)
    assert (no_data_env / "keras-home" / "datasets" / "aebook-mnist" / "train-images-idx3-ubyte.gz").is_file()


def test_unknown_dataset_and_bad_options(tmp_path):
    with pytest.raises(ValueError, match="unknown dataset 'cifar'"):
        data.load_dataset("cifar")
    with pytest.raises(ValueError, match="dtype must be"):
        data.load_dataset("mnist", dtype="float16")


def test_real_mnist_checksums(shared_data_dir):
    ds = aebook.load_mnist(data_dir=shared_data_dir, n_test=100, dtype="uint8")
    assert ds.x_train.shape == (60_000, 28, 28) and ds.x_test.shape == (100, 28, 28)
    assert set(np.unique(ds.y_train)) == set(range(10))


def test_flatten_and_minmax_scale():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    assert data.flatten(x).shape == (2, 12)
    with pytest.raises(ValueError, match="flatten expects a batch"):
        data.flatten(np.zeros(3))
    scaled = data.minmax_scale(x)
    assert scaled.min() == 0.0 and scaled.max() == 1.0
    with pytest.raises(ValueError, match="NaN"):
        data.minmax_scale(np.array([np.nan, 1.0]))


def test_subset_bounds():
    ds = data.Dataset("t", np.zeros((5, 2)), np.zeros(5), np.zeros((3, 2)), np.zeros(3), ())
    assert len(data.subset(ds, n_train=2).x_train) == 2
    with pytest.raises(ValueError, match="n_test=4 is outside 1..3"):
        data.subset(ds, n_test=4)
