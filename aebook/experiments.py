"""The paper's experiments as functions, shared by the chapters and the report.

A chapter and ``python -m aebook reproduce`` call the same function with the
same arguments, so they share trained models through the model cache of
:mod:`aebook.train` (the first caller trains, the others load).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from . import config
from .data import Dataset, load_dataset

__all__ = ["KNN_METHODS", "KnnResult", "knn_benchmark", "load_profile_data", "mnist_autoencoder"]


def load_profile_data(
    name: str = "mnist", profile: str | config.Profile | None = None, flatten: bool = True
) -> Dataset:
    """Load a dataset in [0, 1], flattened, cut to the profile's ``n_train``/``n_test``."""
    prof = config.get_profile(profile)
    return load_dataset(name, flatten=flatten, n_train=prof.n_train, n_test=prof.n_test)


def mnist_autoencoder(
    latent_dim: int,
    *,
    hidden_units: tuple[int, ...] = (),
    loss: str = "binary_crossentropy",
    dataset: str = "mnist",
    profile: str | config.Profile | None = None,
    seed: int | None = None,
    data: Dataset | None = None,
    verbose: bool = True,
    **builder_kwargs,
):
    """Train (or load from the cache) the dense autoencoder of §2.4.

    ``(784, latent_dim, 784)`` with ReLU latent units, a sigmoid output, Adam
    and the profile's epochs and batch size (paper: 30 and 256), trained on the
    profile's training images with the test images as validation data.
    Returns a :class:`aebook.train.Trained`. Pass ``data`` (from
    :func:`load_profile_data`) to avoid reading the files again.
    """
    from .train import fit

    prof = config.get_profile(profile)
    ds = data if data is not None else load_profile_data(dataset, prof)
    return fit(
        "dense_autoencoder",
        ds.x_train,
        epochs=prof.epochs,
        batch_size=prof.batch_size,
        loss=loss,
        validation_data=(ds.x_test, None),
        seed=seed,
        verbose=verbose,
        input_dim=int(ds.x_train.shape[1]),
        hidden_units=tuple(hidden_units),
        latent_dim=int(latent_dim),
        **builder_kwargs,
    )


@dataclasses.dataclass(frozen=True)
class KnnResult:
    """Accuracy and timing of one k-nearest-neighbour classification (§3.2.1, Tables 1-2)."""

    accuracy: float  # on the n_timed queries that were classified
    fit_seconds: float
    predict_seconds: float  # measured, for the n_timed queries
    method: str  # the search sklearn actually used: "brute", "kd_tree" or "ball_tree"
    k: int
    n_train: int
    n_features: int
    n_test: int  # the size of the whole test set
    n_timed: int  # how many test queries were classified and timed
    predictions: np.ndarray

    @property
    def extrapolated(self) -> bool:
        """True when only a subset of the test set was classified."""
        return self.n_timed < self.n_test

    @property
    def predict_seconds_all(self) -> float:
        """Prediction time for the whole test set (scaled from the subset when ``extrapolated``)."""
        return self.predict_seconds * self.n_test / self.n_timed

    @property
    def total_seconds_all(self) -> float:
        """Fit plus prediction time for the whole test set (extrapolated when ``extrapolated``)."""
        return self.fit_seconds + self.predict_seconds_all


KNN_METHODS = ("auto", "brute", "kd_tree", "ball_tree")


def knn_benchmark(
    x_train, y_train, x_test, y_test, *, k: int = 7, algorithm: str = "brute",
    n_queries: int | None = None, n_jobs: int | None = None,
) -> KnnResult:
    """Fit a k-NN classifier (k = 7 in §3.2.1) and time fit and prediction separately.

    ``algorithm`` is scikit-learn's: ``"brute"`` (all distances as one matrix
    product), ``"kd_tree"`` / ``"ball_tree"`` (tree search) or ``"auto"``;
    the method actually used is returned. ``n_queries`` classifies only the
    first ``n_queries`` test samples (accuracy is then on those, and
    :attr:`KnnResult.predict_seconds_all` extrapolates the time linearly).
    All methods are exact, so they give the same neighbours up to ties.
    """
    from sklearn.neighbors import KNeighborsClassifier

    from ._checks import as_float_array

    if algorithm not in KNN_METHODS:
        raise ValueError(f"unknown kNN algorithm {algorithm!r}: choose one of {KNN_METHODS}")
    x_train = as_float_array(x_train, "x_train")
    x_test = as_float_array(x_test, "x_test")
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if x_train.ndim != 2 or x_test.ndim != 2:
        raise ValueError(f"x_train and x_test must be 2-d (n_samples, n_features), got {x_train.shape} "
                         f"and {x_test.shape}: flatten images first (aebook.flatten)")
    if x_train.shape[1] != x_test.shape[1]:
        raise ValueError(f"x_train has {x_train.shape[1]} features but x_test has {x_test.shape[1]}: "
                         "encode both with the same encoder")
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise ValueError(f"features and labels differ in length: x_train {len(x_train)} vs y_train "
                         f"{len(y_train)}, x_test {len(x_test)} vs y_test {len(y_test)}")
    if not 1 <= int(k) <= len(x_train):
        raise ValueError(f"k must be between 1 and the number of training samples ({len(x_train)}), got {k}")
    n_test = len(x_test)
    n_timed = n_test if n_queries is None else int(n_queries)
    if not 1 <= n_timed <= n_test:
        raise ValueError(f"n_queries must be between 1 and the number of test samples ({n_test}), "
                         f"got {n_queries}")
    clf = KNeighborsClassifier(n_neighbors=int(k), algorithm=algorithm, n_jobs=n_jobs)
    t0 = time.perf_counter()
    clf.fit(x_train, y_train)
    t1 = time.perf_counter()
    pred = clf.predict(x_test[:n_timed])
    t2 = time.perf_counter()
    return KnnResult(
        accuracy=float(np.mean(pred == y_test[:n_timed])), fit_seconds=t1 - t0, predict_seconds=t2 - t1,
        method=str(getattr(clf, "_fit_method", algorithm)), k=int(k), n_train=len(x_train),
        n_features=int(x_train.shape[1]), n_test=n_test, n_timed=n_timed, predictions=pred,
    )
