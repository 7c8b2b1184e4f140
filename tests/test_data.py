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


def test_flatten():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    assert data.flatten(x).shape == (2, 12)
    with pytest.raises(ValueError, match=r"flatten expects a batch x.*x\[None\]"):
        data.flatten(np.zeros(3))
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        data.flatten(np.array([["a", "b"]]))


def test_no_global_minmax_scale_and_the_advice_is_per_feature():
    """Issue 11.1: one min/max for all features collapsed most breast-cancer features.

    aebook's global ``minmax_scale`` is gone; the range errors recommend
    scikit-learn's per-feature ``MinMaxScaler``, fitted on the training data.
    Following that advice gives every feature the full [0, 1] range.
    """
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import MinMaxScaler

    assert not hasattr(aebook, "minmax_scale") and not hasattr(data, "minmax_scale")
    x = load_breast_cancer().data
    x_train, x_new = x[:400], x[400:]
    with pytest.raises(ValueError) as info:
        aebook.add_gaussian_noise(x_train, 0.1)
    message = str(info.value)
    assert "MinMaxScaler" in message and "fit(x_train)" in message and "minmax_scale" not in message
    # a single global min/max (what aebook.minmax_scale did) squeezes most features to nothing
    global_scaled = (x_train - x_train.min()) / (x_train.max() - x_train.min())
    assert (np.ptp(global_scaled, axis=0) < 0.01).sum() >= 20
    scaler = MinMaxScaler(clip=True).fit(x_train)
    scaled = scaler.transform(x_train)
    np.testing.assert_allclose(scaled.min(axis=0), 0.0)
    np.testing.assert_allclose(scaled.max(axis=0), 1.0)
    new = scaler.transform(x_new)  # new data: the training data's scale, clipped to [0, 1]
    assert new.min() >= 0.0 and new.max() <= 1.0


def test_every_corrupt_gz_byte_gives_a_data_error(tmp_path, idx_writer):
    """Issue 11.5: a damaged .gz must be a DataError naming the file, never a bare zlib.error."""
    arr = np.random.default_rng(3).integers(0, 256, (4, 5, 5))
    raw = idx_writer(tmp_path / "good.gz", arr)
    good = (tmp_path / "good.gz").read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    bad = tmp_path / "bad.gz"
    kinds = set()
    for i in range(len(good)):
        for value in (good[i] ^ 0x01, good[i] ^ 0x80, 0x00):
            if value == good[i]:
                continue
            damaged = good[:i] + bytes([value]) + good[i + 1:]
            bad.write_bytes(damaged)
            try:
                result = data.read_idx(bad, sha256=sha)
            except data.DataError as exc:
                assert str(bad) in str(exc)
                kinds.add(type(exc.__cause__).__name__)
            else:  # a header byte (time stamp, OS) that leaves the content as it was
                np.testing.assert_array_equal(result, arr)
                kinds.add("harmless")
            assert bad.read_bytes() == damaged  # never repaired, moved or deleted
    assert "error" in kinds  # the zlib.error case of the issue is among them


def test_unreadable_file_is_a_data_error(tmp_path, idx_writer):
    idx_writer(tmp_path / "a.gz", np.zeros((2, 2), np.uint8))
    (tmp_path / "a.gz").write_bytes((tmp_path / "a.gz").read_bytes()[:12])  # truncated
    with pytest.raises(data.DataError, match=r"a\.gz.*Fix:"):
        data.read_idx(tmp_path / "a.gz")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [({"seed": "abc"}, TypeError, "seed must be a non-negative integer"),
     ({"seed": -1}, ValueError, "seed must be a non-negative integer"),
     ({"seed": 1.5}, TypeError, "seed="),
     ({"factor": "abc"}, TypeError, "factor"),
     ({"factor": -0.1}, ValueError, "factor")],
)
def test_noise_arguments_are_named(kwargs, error, match):
    """Issue 11.6: seed='abc' and negative seeds name the argument."""
    with pytest.raises(error, match=match):
        aebook.add_gaussian_noise(np.zeros((2, 3)), **kwargs)


def test_noise_refuses_8bit_images_it_would_erase():
    with pytest.raises(ValueError, match=r"outside \[0, 1\].*clip=True.*x / 255"):
        aebook.add_gaussian_noise(np.full((2, 3), 200, np.uint8), 0.1, seed=0)
    assert aebook.add_gaussian_noise(np.full((2, 3), 200.0), 0.1, seed=0, clip=False).min() > 199


def test_subset_bounds():
    ds = data.Dataset("t", np.zeros((5, 2)), np.zeros(5), np.zeros((3, 2)), np.zeros(3), ())
    assert len(data.subset(ds, n_train=2).x_train) == 2
    with pytest.raises(ValueError, match="n_test=4 is outside 1..3"):
        data.subset(ds, n_test=4)
    with pytest.raises(TypeError, match="n_train must be an integer"):
        data.subset(ds, n_train="2")
