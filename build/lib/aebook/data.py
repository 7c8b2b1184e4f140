"""Datasets: MNIST and Fashion-MNIST from standard IDX files, offline first.

The paper's experiments (Michelucci 2022, §2.4 and §3) use MNIST and
Fashion-MNIST. :func:`load_dataset` finds the four IDX files of a dataset in
this order:

1. the ``data_dir`` argument, else the ``AEBOOK_DATA_DIR`` folder
   (``<dir>/mnist/...`` and ``<dir>/fashion-mnist/...``);
2. the Keras dataset cache (``~/.keras/datasets/<name>/...``), where an
   earlier download put them;
3. a download of the canonical files into the Keras cache (needs internet).

Every file's *decompressed* content is checked against the SHA-256 below
(the same as ``SHA256SUMS.idx`` of the book's data folder), so a gzip header
that differs between mirrors does not matter but a damaged file does. A file
that fails the check is reported and left as it is: nothing the user owns is
deleted or overwritten.

Readers with their own data do not need this module's loaders: every other
function takes plain NumPy arrays. Scale such data per feature, fitted on the
training data, with scikit-learn's ``MinMaxScaler(clip=True)`` (one global
min and max would squeeze most features of tabular data to nothing).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import struct
import zlib
from pathlib import Path

import numpy as np

from . import config
from ._checks import as_float_array, as_number, check_unit_interval

__all__ = [
    "DATASETS",
    "add_gaussian_noise",
    "DataError",
    "Dataset",
    "ChecksumError",
    "flatten",
    "load_dataset",
    "load_fashion_mnist",
    "load_mnist",
    "read_idx",
    "subset",
]

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

DATASETS: dict[str, dict] = {
    "mnist": {
        "folder": "mnist",
        "title": "MNIST",
        "origin": "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "classes": tuple(str(i) for i in range(10)),
        "sha256": {
            "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        },
    },
    "fashion_mnist": {
        "folder": "fashion-mnist",
        "title": "Fashion-MNIST",
        "origin": "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
        "classes": (
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        ),
        "sha256": {
            "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        },
    },
}

_IDX_DTYPES = {
    0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}


class DataError(RuntimeError):
    """A dataset file is missing, unreadable or malformed."""


class ChecksumError(DataError):
    """A dataset file's content does not match its published SHA-256."""


@dataclasses.dataclass
class Dataset:
    """A train/test split with labels. Images are ``(n, 28, 28)`` unless flattened."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]

    def __iter__(self):
        """Unpack as ``(x_train, y_train), (x_test, y_test)`` like Keras's loaders."""
        return iter(((self.x_train, self.y_train), (self.x_test, self.y_test)))


def _parse_idx(raw: bytes, source: str) -> np.ndarray:
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataError(f"{source} is not an IDX file (bad magic number {raw[:4].hex()!r})")
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        raise DataError(f"{source}: unknown IDX data type code 0x{code:02x}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{source}: truncated IDX header")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(_IDX_DTYPES[code])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DataError(
            f"{source}: header announces shape {shape} ({expected} bytes of data) but "
            f"the file holds {len(raw) - header}; the file is truncated or corrupt, "
            "download it again"
        )
    arr = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="), copy=True)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed if it ends in ``.gz``; every failure is a DataError."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        if isinstance(exc, PermissionError):
            fix = "give yourself read permission on it (chmod u+r)"
        else:
            fix = ("the file is damaged or truncated: it was left untouched; move it away and "
                   "let aebook download it again, or copy a good copy there (see "
                   "SHA256SUMS.idx of the book's data folder)")
        raise DataError(f"could not read {path} ({type(exc).__name__}: {exc}). Fix: {fix}.") from exc


def read_idx(path: str | Path, sha256: str | None = None) -> np.ndarray:
    """Read an IDX file (optionally gzip-compressed) into a NumPy array.

    If ``sha256`` is given, the decompressed bytes must hash to it; otherwise
    :class:`ChecksumError` is raised naming the file and both hashes. The file
    is never modified.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such IDX file: {path}")
    raw = _read_bytes(path)
    if sha256 is not None:
        got = hashlib.sha256(raw).hexdigest()
        if got != sha256:
            raise ChecksumError(
                f"checksum mismatch for {path}:\n  expected sha256 {sha256}\n  found    sha256 {got}\n"
                "The file is damaged or is a different version. It was left untouched: move it "
                "away (or delete it yourself) and let aebook download it again, or copy a good "
                "copy there (see the SHA256SUMS.idx of the book's data folder)."
            )
    return _parse_idx(raw, str(path))


def _candidates(folder: Path, stem: str) -> list[Path]:
    return [folder / f"{stem}.gz", folder / stem]


def _download(name: str, stem: str) -> Path:
    """Download one file into the Keras cache; return its path (raises on failure)."""
    import keras  # imported here: the data layer works without touching Keras

    info = DATASETS[name]
    target_dir = config.keras_cache_dir() / f"aebook-{info['folder']}"
    # Keras falls back to /tmp/.keras when the folder is not writable yet: create it.
    target_dir.mkdir(parents=True, exist_ok=True)
    path = keras.utils.get_file(
        fname=f"{stem}.gz",
        origin=info["origin"] + f"{stem}.gz",
        cache_dir=str(target_dir),
        cache_subdir=".",
    )
    return Path(path)


def _locate(name: str, stem: str, data_dir: Path | None, download: bool) -> Path:
    info = DATASETS[name]
    folders: list[tuple[str, Path]] = []
    if data_dir is not None:
        folders.append(("data folder", Path(data_dir) / info["folder"]))
        folders.append(("data folder", Path(data_dir)))
    kc = config.keras_cache_dir()
    folders.append(("Keras cache", kc / f"aebook-{info['folder']}"))
    folders.append(("Keras cache", kc / info["folder"]))
    for _, folder in folders:
        for cand in _candidates(folder, stem):
            if cand.is_file():
                return cand
    looked = "\n".join(f"  - {where}: {folder}" for where, folder in folders)
    failure = "download disabled"
    if download:
        try:
            return _download(name, stem)
        except Exception as exc:  # noqa: BLE001 - any network failure gets one message
            failure = f"download from {info['origin']} failed ({type(exc).__name__}: {exc})"
    raise DataError(
        f"{info['title']} file {stem}(.gz) not found. Looked in:\n{looked}\n"
        f"and {failure}.\nFix: set AEBOOK_DATA_DIR to a folder that holds "
        f"{info['folder']}/{stem}.gz (the book's CI uses ../shared/data), or run once with "
        "internet access so the file is downloaded into the Keras cache."
    )


def load_dataset(
    name: str,
    *,
    dtype: str = "float32",
    flatten: bool = False,
    n_train: int | None = None,
    n_test: int | None = None,
    data_dir: str | Path | None = None,
    download: bool = True,
) -> Dataset:
    """Load MNIST or Fashion-MNIST, verified, as a :class:`Dataset`.

    ``dtype="float32"`` scales pixels to [0, 1] (divide by 255, as in §2.1.2);
    ``dtype="uint8"`` returns the raw grey values. ``flatten`` turns each image
    into a 784-vector (the input of the feed-forward autoencoders of §2.4).
    ``n_train``/``n_test`` keep the first images of each split (see
    :func:`subset`). ``data_dir`` overrides ``AEBOOK_DATA_DIR``.
    """
    key = name.lower().replace("-", "_")
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}: choose one of {', '.join(DATASETS)}")
    if dtype not in ("float32", "uint8"):
        raise ValueError(f"dtype must be 'float32' or 'uint8', got {dtype!r}")
    info = DATASETS[key]
    folder = Path(data_dir) if data_dir is not None else config.data_dir()
    arrays = {}
    for part, stem in FILES.items():
        path = _locate(key, stem, folder, download)
        arrays[part] = read_idx(path, sha256=info["sha256"][stem])
    ds = Dataset(
        name=key,
        x_train=arrays["train_images"],
        y_train=arrays["train_labels"].astype(np.int64),
        x_test=arrays["test_images"],
        y_test=arrays["test_labels"].astype(np.int64),
        classes=info["classes"],
    )
    ds = subset(ds, n_train=n_train, n_test=n_test)
    if dtype == "float32":
        ds.x_train = ds.x_train.astype(np.float32) / 255.0
        ds.x_test = ds.x_test.astype(np.float32) / 255.0
    if flatten:
        ds.x_train, ds.x_test = _flatten(ds.x_train), _flatten(ds.x_test)
    return ds


def load_mnist(**kwargs) -> Dataset:
    """Load MNIST (LeCun et al.); see :func:`load_dataset` for the options."""
    return load_dataset("mnist", **kwargs)


def load_fashion_mnist(**kwargs) -> Dataset:
    """Load Fashion-MNIST (Xiao et al. 2017); see :func:`load_dataset`."""
    return load_dataset("fashion_mnist", **kwargs)


def subset(ds: Dataset, n_train: int | None = None, n_test: int | None = None) -> Dataset:
    """Keep the first ``n_train`` training and ``n_test`` test samples.

    The first images, not a random draw, so that every chapter and every run
    sees the same images; ``None`` keeps a split whole.
    """
    for label, n, total in (("n_train", n_train, len(ds.x_train)), ("n_test", n_test, len(ds.x_test))):
        if n is not None and not 0 < as_number(n, label, integer=True) <= total:
            raise ValueError(f"{label}={n} is outside 1..{total}")
    return dataclasses.replace(
        ds,
        x_train=ds.x_train[:n_train], y_train=ds.y_train[:n_train],
        x_test=ds.x_test[:n_test], y_test=ds.y_test[:n_test],
    )


def _flatten(x: np.ndarray) -> np.ndarray:
    return x.reshape(len(x), -1)


def flatten(x) -> np.ndarray:
    """Reshape a batch of images ``(n, h, w[, c])`` into vectors ``(n, h*w*c)``."""
    arr = np.asarray(x)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"x must be an array of numbers, got dtype {arr.dtype}")
    if arr.ndim < 2:
        raise ValueError(
            f"flatten expects a batch x of shape (n, ...), got shape {arr.shape}: "
            "for one image pass x[None]"
        )
    return _flatten(arr)


def add_gaussian_noise(x, factor: float = 0.5, seed: int | None = None, clip: bool = True) -> np.ndarray:
    """Return ``x + factor * N(0, 1)`` noise, clipped to [0, 1] (denoising, §3.4).

    Every value gets its own draw from a standard normal distribution scaled by
    ``factor`` (the "noise factor"). ``clip=True`` keeps the result a valid
    image in [0, 1], as a sigmoid output and the cross-entropy need. ``seed``
    makes the noise reproducible (``None``: fresh noise each call). ``x`` is
    not modified; the result is float32 with ``x``'s shape. With ``clip=True``
    ``x`` must lie in [0, 1] (clipping 8-bit images would erase them).
    """
    arr = as_float_array(x, "x", allow_empty=False)
    factor = as_number(factor, "factor (the noise factor)", minimum=0.0)
    if clip:
        check_unit_interval(arr, "x", "and clip=True clips the noisy result to [0, 1]")
    rng = np.random.default_rng(None if seed is None else config.resolve_seed(seed))
    noisy = arr + factor * rng.standard_normal(arr.shape, dtype=np.float32)
    if clip:
        noisy = np.clip(noisy, 0.0, 1.0)
    return noisy.astype(np.float32, copy=False)
