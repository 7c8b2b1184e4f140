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

__all__ = ["KNN_METHODS", "KnnResult", "knn_benchmark",
           "linear_autoencoder", "load_profile_data", "mnist_autoencoder",
           "conv_experiment", "denoising_experiment", "knn_experiment", "pca_experiment",
           "reconstruction_experiment",
           "shoe_experiment",
           "table3_experiment"]


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


# --- headline experiments of the reproduction report (python -m aebook reproduce, issue 6) ---
# Each runs one experiment of the paper through the functions the chapters use and returns a
# plain dict of numbers; aebook.report compares them with the paper's values.


def reconstruction_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, latent_dims=(8, 16, 64)
) -> dict:
    """Mean test RE (per-pixel MSE) of the §2.4 autoencoders (784, q, 784) for q = 8, 16, 64."""
    from .metrics import reconstruction_error
    from .train import reconstruct

    prof = config.get_profile(profile)
    ds = load_profile_data("mnist", prof)
    out: dict = {"n_train": len(ds.x_train), "n_test": len(ds.x_test)}
    for q in latent_dims:
        trained = mnist_autoencoder(q, profile=prof, seed=seed, data=ds, verbose=False)
        out[f"re_q{q}"] = float(reconstruction_error(ds.x_test, reconstruct(trained.model, ds.x_test)).mean())
        out[f"from_cache_q{q}"] = bool(trained.from_cache)
    for a, b in zip(latent_dims, latent_dims[1:], strict=False):
        out[f"ratio_q{b}_q{a}"] = out[f"re_q{b}"] / out[f"re_q{a}"]
    return out


def shoe_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, latent_dim: int = 64,
    shoe_class: str = "Ankle boot",
) -> dict:
    """§3.3: RE, rank and ratio of one Fashion-MNIST shoe appended to the MNIST test images.

    The shoe is the first Fashion-MNIST test image of ``shoe_class``; the
    model is the (784, 64, 784) autoencoder of §2.4; the RE is the per-pixel
    MSE (:func:`aebook.anomaly_scores`). Returns the shoe's RE, its rank
    (1 = largest), the largest RE among the digits and their ratio.
    """
    from .anomaly import anomaly_scores, outlier_ranking

    prof = config.get_profile(profile)
    mnist = load_profile_data("mnist", prof)
    fashion = load_dataset("fashion_mnist", flatten=True)
    label = fashion.classes.index(shoe_class)
    shoe_index = int(np.flatnonzero(fashion.y_test == label)[0])
    x_mixed = np.concatenate([mnist.x_test, fashion.x_test[shoe_index][None]])
    trained = mnist_autoencoder(latent_dim, profile=prof, seed=seed, data=mnist, verbose=False)
    scores = anomaly_scores(trained.model, x_mixed)
    ranking = outlier_ranking(scores)
    position = len(x_mixed) - 1
    runner_up = float(scores[:position].max())
    return {"shoe_index": shoe_index, "n_images": len(x_mixed),
            "shoe_rank": float(int(np.flatnonzero(ranking == position)[0]) + 1),
            "shoe_re": float(scores[position]), "runner_up_re": runner_up,
            "ratio": float(scores[position]) / runner_up, "from_cache": bool(trained.from_cache)}


def table3_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, m: int = 1000,
    dims=(2, 10, 100, 1000),
) -> dict:
    """Table 3 (§3.2.2, eq. 23): side l = (1/m)^(1/d) of the cube holding one of m uniform points.

    ``l_d{d}`` comes from :func:`aebook.curse.cube_side`; eq. 23 is checked by
    the simulation :func:`aebook.curse.corner_cube_sides` (``profile.mc_trials``
    sets of m points): ``count_d{d}`` is the mean number of points inside
    ``[0, l]^d`` (1 if l is right), ``sim_max_count_error`` its largest
    deviation from 1 over d.
    """
    from .curse import corner_cube_sides, cube_side

    prof = config.get_profile(profile)
    seed = config.resolve_seed(seed)
    out: dict = {"m": m, "trials": prof.mc_trials}
    for d in dims:
        side = float(cube_side(m, d))
        sides = corner_cube_sides(m, d, trials=prof.mc_trials, seed=seed)
        out[f"l_d{d}"] = side
        out[f"count_d{d}"] = float((sides < side).sum(axis=1).mean())
    out["sim_max_count_error"] = max(abs(out[f"count_d{d}"] - 1.0) for d in dims)
    return out


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


def knn_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, algorithm: str = "brute",
) -> dict:
    """Tables 1-2 (§3.2.1): k-NN (k = 7) accuracy and time on raw pixels vs latent features.

    MNIST: raw 784 features vs the 8 latent features of the §2.4 autoencoder;
    Fashion-MNIST: raw vs 8 and 16 latent features (autoencoders trained on
    Fashion-MNIST the same way). One search ``algorithm`` for all (exact, so
    the accuracy does not depend on it); times are fit + predict on the
    profile's test images, measured in this run. Accuracies in percent.
    """
    prof = config.get_profile(profile)
    out: dict = {"method": algorithm}
    plan = {"mnist": (8,), "fashion_mnist": (8, 16)}
    for name, dims in plan.items():
        tag = "mnist" if name == "mnist" else "fashion"
        ds = load_profile_data(name, prof)
        res = knn_benchmark(ds.x_train, ds.y_train, ds.x_test, ds.y_test, algorithm=algorithm)
        out[f"{tag}_raw_acc"] = 100 * res.accuracy
        out[f"{tag}_raw_seconds"] = res.fit_seconds + res.predict_seconds
        for q in dims:
            from .train import encode

            ae = mnist_autoencoder(q, dataset=name, profile=prof, seed=seed, data=ds, verbose=False).model
            h_train, h_test = encode(ae, ds.x_train), encode(ae, ds.x_test)
            res = knn_benchmark(h_train, ds.y_train, h_test, ds.y_test, algorithm=algorithm)
            out[f"{tag}_latent{q}_acc"] = 100 * res.accuracy
            out[f"{tag}_latent{q}_seconds"] = res.fit_seconds + res.predict_seconds
            out[f"{tag}_speedup{q}"] = out[f"{tag}_raw_seconds"] / out[f"{tag}_latent{q}_seconds"]
    out["n_train"], out["n_test"] = len(ds.x_train), len(ds.x_test)
    return out


def denoising_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, noise_factor: float = 0.5,
    latent_dim: int = 32,
) -> dict:
    """§3.4: a (784, 32, 784) denoiser trained noisy-in, clean-out; error before and after, on test images.

    Gaussian noise of ``noise_factor`` (:func:`aebook.add_gaussian_noise`,
    seeds ``seed`` for training and ``seed + 1`` for test images), Adam, BCE,
    the profile's epochs and batch size. Returns the mean per-pixel MSE and
    PSNR (dB) of the noisy and the denoised test images against the clean
    ones, the PSNR gain and the MSE ratio denoised / noisy.
    """
    from .data import add_gaussian_noise
    from .metrics import psnr, reconstruction_error
    from .train import fit, reconstruct

    prof = config.get_profile(profile)
    seed = config.resolve_seed(seed)
    ds = load_profile_data("mnist", prof)
    noisy_train = add_gaussian_noise(ds.x_train, noise_factor, seed=seed)
    noisy_test = add_gaussian_noise(ds.x_test, noise_factor, seed=seed + 1)
    denoiser = fit("dense_autoencoder", x=noisy_train, y=ds.x_train, epochs=prof.epochs,
                   batch_size=prof.batch_size, validation_data=(noisy_test, ds.x_test), seed=seed,
                   verbose=False, input_dim=int(ds.x_train.shape[1]), latent_dim=int(latent_dim))
    denoised = reconstruct(denoiser.model, noisy_test)
    out = {"noise_factor": float(noise_factor), "from_cache": bool(denoiser.from_cache),
           "mse_noisy": float(reconstruction_error(ds.x_test, noisy_test).mean()),
           "mse_denoised": float(reconstruction_error(ds.x_test, denoised).mean()),
           "psnr_noisy": float(psnr(ds.x_test, noisy_test).mean()),
           "psnr_denoised": float(psnr(ds.x_test, denoised).mean())}
    out["psnr_gain_db"] = out["psnr_denoised"] - out["psnr_noisy"]
    out["mse_ratio"] = out["mse_denoised"] / out["mse_noisy"]
    return out


def conv_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, latent_dim: int = 32,
    paper_epochs: int = 30,
) -> dict:
    """§4, Fig. 13: test RE of the paper's convolutional autoencoder vs the FFA (784, 32, 784).

    Both trained the same way (:func:`aebook.fit`: Adam, BCE, the profile's
    ``conv_batch_size``) on ``profile.conv_n_train`` images for ``profile.conv_epochs``
    epochs (the paper's 30 in the paper profile when a GPU is present), as in
    the chapter on convolutional autoencoders. RE: per-pixel MSE on the
    profile's test images. Returns both REs and their ratio CA / FFA.
    """
    from .backend import gpu_present
    from .data import flatten
    from .metrics import reconstruction_error
    from .train import fit, reconstruct

    prof = config.get_profile(profile)
    seed = config.resolve_seed(seed)
    on_gpu = gpu_present()
    epochs = paper_epochs if (on_gpu and prof.name == "paper") else prof.conv_epochs
    ds = load_dataset("mnist", n_train=prof.conv_n_train, n_test=prof.n_test)
    x_train, x_test = ds.x_train[..., None], ds.x_test[..., None]
    training = {"epochs": epochs, "batch_size": prof.conv_batch_size, "seed": seed, "verbose": False}
    ffa = fit("dense_autoencoder", flatten(x_train), input_dim=784, latent_dim=int(latent_dim), **training)
    ca = fit("conv_autoencoder", x_train, **training)
    re_ffa = float(reconstruction_error(x_test, reconstruct(ffa.model, flatten(x_test)).reshape(x_test.shape))
                   .mean())
    re_ca = float(reconstruction_error(x_test, reconstruct(ca.model, x_test)).mean())
    return {"epochs": int(epochs), "n_train": len(x_train), "re_ffa": re_ffa, "re_ca": re_ca,
            "ratio_ca_ffa": re_ca / re_ffa, "from_cache": bool(ffa.from_cache and ca.from_cache)}


def linear_autoencoder(
    x_centred, latent_dim: int, *, epochs: int = 40, batch_size: int = 4096,
    learning_rate: float = 0.02, validation_data=None, seed: int | None = None, verbose: bool = True,
):
    """Train (or load) the linear autoencoder of §3.1 that spans PCA's subspace (Baldi & Hornik 1989).

    Linear encoder and decoder, MSE, on centred inputs (eq. 22 up to the
    constant factor 1/sqrt(M), which does not move the optimum). Large batches
    and a learning rate that decays from ``learning_rate`` to 0 on a cosine
    over the whole training let Adam settle on the optimal subspace instead
    of jittering around it. Returns a :class:`aebook.train.Trained`.
    """
    import keras

    from .train import fit

    steps = int(epochs) * -(-len(x_centred) // int(batch_size))  # optimizer steps in the whole training
    schedules = keras.optimizers.schedules
    schedule = schedules.serialize(schedules.CosineDecay(learning_rate, steps))
    return fit("dense_autoencoder", x_centred, epochs=epochs, batch_size=batch_size,
               learning_rate=schedule, loss="mse", validation_data=validation_data, seed=seed,
               verbose=verbose, input_dim=int(x_centred.shape[1]), latent_dim=int(latent_dim),
               activation="linear", output_activation="linear")


def pca_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, latent_dim: int = 16,
    epochs: int = 40, batch_size: int = 4096, learning_rate: float = 0.02,
) -> dict:
    """§3.1, eq. 22: principal angles between a linear autoencoder's subspace and PCA's.

    The linear (784, q, 784) autoencoder (linear activations, MSE) is trained
    on the centred training images with the settings of the chapter on PCA
    (large batches, a learning rate that starts at ``learning_rate`` and decays
    to 0 on a cosine schedule, so that it converges in both profiles); the
    columns of its decoder kernel are compared with the top-q principal
    components (:func:`aebook.principal_angles`). Returns the largest and mean
    angle in degrees and the test RE ratio linear AE / PCA.
    """
    from .metrics import reconstruction_error
    from .pca import pca_fit, pca_normalize, pca_reconstruct, principal_angles
    from .train import reconstruct

    prof = config.get_profile(profile)
    ds = load_profile_data("mnist", prof)
    _, train_mean = pca_normalize(ds.x_train)
    x_train_c = (ds.x_train - train_mean).astype("float32")
    x_test_c = (ds.x_test - train_mean).astype("float32")
    linear = linear_autoencoder(x_train_c, latent_dim, epochs=epochs, batch_size=batch_size,
                                learning_rate=learning_rate, validation_data=(x_test_c, None),
                                seed=seed, verbose=False)
    pca = pca_fit(ds.x_train, int(latent_dim))
    angles = principal_angles(linear.model.decoder.get_weights()[0].T, pca.components.T)
    re_lin = float(reconstruction_error(x_test_c, reconstruct(linear.model, x_test_c)).mean())
    re_pca = float(reconstruction_error(ds.x_test, pca_reconstruct(pca, ds.x_test)).mean())
    return {"max_angle_deg": float(angles.max()), "mean_angle_deg": float(angles.mean()),
            "re_linear": re_lin, "re_pca": re_pca, "re_ratio": re_lin / re_pca,
            "from_cache": bool(linear.from_cache)}
