"""Recipes for the paper's experiments, shared by the chapters and the reproduction report.

A *recipe* trains (or loads from the model cache of :mod:`aebook.train`) one of
the paper's models, or prepares one of its data sets, for a profile. The
chapters call the recipes; the headline experiments at the end of this module
(``*_experiment``, run by :func:`aebook.report.run_report`) call the same
recipes. A chapter and the report therefore share a trained model because they
call the same function, not because they type the same arguments.

A recipe takes *either* a profile (and loads the data itself) *or* data made
for a profile (:class:`ProfileData`, from :func:`load_profile_data`), which
carries the profile it was cut for: the sizes of the data and the training
settings can then never come from two different profiles.

Keras and TensorFlow load only when a recipe trains (``aebook.train`` is
imported inside the functions that need it), so ``import aebook`` stays quick.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from sklearn.neighbors import KNeighborsClassifier

from . import config, paper
from ._checks import as_float_array
from .anomaly import anomaly_scores
from .curse import corner_cube_sides, cube_side
from .data import Dataset, add_gaussian_noise, flatten, load_dataset
from .metrics import psnr, rank_by_error, reconstruction_error
from .pca import pca_fit, pca_normalize, pca_reconstruct, principal_angles

__all__ = [
    "KNN_METHODS",
    "LINEAR_AE_TRAINING",
    "Denoiser",
    "KnnResult",
    "ProfileData",
    "ShoeAmongDigits",
    "conv_experiment",
    "denoiser",
    "denoising_experiment",
    "knn_benchmark",
    "knn_experiment",
    "latent_features",
    "linear_autoencoder",
    "load_conv_data",
    "load_profile_data",
    "paper_autoencoder",
    "paper_conv_autoencoder",
    "conv_baseline_ffa",
    "pca_experiment",
    "reconstruction_experiment",
    "shoe_among_digits",
    "shoe_experiment",
    "table3_experiment",
]


# ------------------------------------------------------------------------------------ data
@dataclasses.dataclass
class ProfileData(Dataset):
    """A :class:`aebook.data.Dataset` cut to a profile's sizes, which remembers the profile.

    Recipes read their training settings (epochs, batch size) from
    ``profile``, so the data and the settings always belong to one profile.
    """

    profile: config.Profile


def _check_data(data) -> ProfileData:
    if not isinstance(data, ProfileData):
        raise TypeError(
            f"data must come from aebook.load_profile_data (a ProfileData that knows its "
            f"profile), got {type(data).__name__}: pass "
            "data=aebook.load_profile_data('mnist', profile)"
        )
    return data


def _with_profile(ds: Dataset, prof: config.Profile) -> ProfileData:
    return ProfileData(**{f.name: getattr(ds, f.name) for f in dataclasses.fields(ds)}, profile=prof)


def load_profile_data(
    name: str = "mnist", profile: str | config.Profile | None = None, flatten: bool = True
) -> ProfileData:
    """Load a dataset in [0, 1], flattened, cut to the profile's ``n_train``/``n_test``."""
    prof = config.get_profile(profile)
    ds = load_dataset(name, flatten=flatten, n_train=prof.n_train, n_test=prof.n_test)
    return _with_profile(ds, prof)


def load_conv_data(profile: str | config.Profile | None = None) -> ProfileData:
    """MNIST for the convolutional experiments of §4: ``(n, 28, 28, 1)`` images.

    ``profile.conv_n_train`` training images (one paper-sized epoch of the CA
    costs minutes on a CPU) and ``profile.n_test`` test images.
    """
    prof = config.get_profile(profile)
    ds = load_dataset("mnist", n_train=prof.conv_n_train, n_test=prof.n_test)
    ds.x_train, ds.x_test = ds.x_train[..., None], ds.x_test[..., None]
    return _with_profile(ds, prof)


# ------------------------------------------------------------------------- dense models (§2.4)
def paper_autoencoder(
    data: ProfileData,
    latent_dim: int,
    *,
    hidden_units: tuple[int, ...] = (),
    loss: str = "binary_crossentropy",
    seed: int | None = None,
    verbose: bool = True,
    **builder_kwargs,
):
    """Train (or load from the cache) the dense autoencoder of §2.4 on ``data``.

    ``(784, latent_dim, 784)`` (``hidden_units`` adds layers on each side)
    with ReLU latent units, a sigmoid output, Adam and the profile's epochs
    and batch size (paper: 30 and 256), trained on ``data``'s training images
    (MNIST or Fashion-MNIST, from :func:`load_profile_data`) with its test
    images as validation data. Returns a :class:`aebook.train.Trained`.
    """
    from .train import fit

    data = _check_data(data)
    prof = data.profile
    return fit(
        "dense_autoencoder",
        data.x_train,
        epochs=prof.epochs,
        batch_size=prof.batch_size,
        loss=loss,
        validation_data=(data.x_test, None),
        seed=seed,
        verbose=verbose,
        input_dim=int(data.x_train.shape[1]),
        hidden_units=tuple(hidden_units),
        latent_dim=int(latent_dim),
        **builder_kwargs,
    )


def latent_features(data: ProfileData, latent_dim: int, *, seed: int | None = None,
                    verbose: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The latent features h = g(x) (eq. 2) of ``data``'s training and test images.

    The encoder is that of :func:`paper_autoencoder` trained on ``data``
    (the features of the kNN experiments of §3.2.1).
    """
    from .train import encode

    ae = paper_autoencoder(data, latent_dim, seed=seed, verbose=verbose).model
    return encode(ae, data.x_train), encode(ae, data.x_test)


# ------------------------------------------------------------------------- linear AE (§3.1)
# Large batches and a learning rate decaying from 0.02 to 0 over 40 passes: see linear_autoencoder.
LINEAR_AE_TRAINING = {"epochs": 40, "batch_size": 4096, "learning_rate": 0.02}


def linear_autoencoder(
    x_centred, latent_dim: int, *, epochs: int = LINEAR_AE_TRAINING["epochs"],
    batch_size: int = LINEAR_AE_TRAINING["batch_size"],
    learning_rate: float = LINEAR_AE_TRAINING["learning_rate"], validation_data=None,
    seed: int | None = None, verbose: bool = True,
):
    """Train (or load) the linear autoencoder of §3.1 that spans PCA's subspace (Baldi & Hornik 1989).

    Linear encoder and decoder, MSE, on centred inputs (eq. 22 up to the
    constant factor 1/sqrt(M), which does not move the optimum). Large batches
    and a learning rate that decays from ``learning_rate`` to 0 on a cosine
    over the whole training let Adam settle on the optimal subspace instead
    of jittering around it. The defaults are the settings of the chapter on
    PCA and of :func:`pca_experiment`. Returns a :class:`aebook.train.Trained`.
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


# ------------------------------------------------------------------------- the shoe (§3.3)
@dataclasses.dataclass(frozen=True)
class ShoeAmongDigits:
    """One Fashion-MNIST shoe appended to the MNIST test images, scored and ranked (§3.3)."""

    trained: object            # the aebook.train.Trained (784, latent_dim, 784) autoencoder
    x: np.ndarray              # the MNIST test images, then the shoe (last)
    scores: np.ndarray         # per-pixel MSE of every image (eq. 21 divided by 784)
    ranking: np.ndarray        # image indices, largest RE first
    shoe_index: int            # the shoe's index in the Fashion-MNIST test set
    shoe_class: str

    @property
    def position(self) -> int:
        """Index of the shoe in ``x`` (the last image)."""
        return len(self.x) - 1

    @property
    def shoe_rank(self) -> int:
        """The shoe's rank by RE, 1 = largest."""
        return int(np.flatnonzero(self.ranking == self.position)[0]) + 1

    @property
    def runner_up(self) -> int:
        """Index in ``x`` of the digit with the largest RE."""
        return int(next(i for i in self.ranking if i != self.position))


def shoe_among_digits(
    data: ProfileData, latent_dim: int = 64, *, shoe_class: str = "Ankle boot",
    seed: int | None = None, verbose: bool = True,
) -> ShoeAmongDigits:
    """§3.3: append one shoe to ``data``'s MNIST test images and rank all by RE.

    The shoe is the first Fashion-MNIST test image of ``shoe_class`` (test
    image 0 for "Ankle boot", the image of the author's code); the model is
    :func:`paper_autoencoder` with ``latent_dim`` units on ``data``; the RE is
    the per-pixel MSE (:func:`aebook.anomaly_scores`).
    """
    data = _check_data(data)
    fashion = load_dataset("fashion_mnist", flatten=True)
    if shoe_class not in fashion.classes:
        raise ValueError(f"shoe_class must be a Fashion-MNIST class ({', '.join(fashion.classes)}), "
                         f"got {shoe_class!r}")
    label = fashion.classes.index(shoe_class)
    shoe_index = int(np.flatnonzero(fashion.y_test == label)[0])
    x_mixed = np.concatenate([data.x_test, fashion.x_test[shoe_index][None]])
    trained = paper_autoencoder(data, latent_dim, seed=seed, verbose=verbose)
    scores = anomaly_scores(trained.model, x_mixed)
    return ShoeAmongDigits(trained, x_mixed, scores, rank_by_error(scores), shoe_index, shoe_class)


# ------------------------------------------------------------------------- denoising (§3.4)
@dataclasses.dataclass(frozen=True)
class Denoiser:
    """A denoising autoencoder (§3.4) and the noisy images it was trained and tested on."""

    trained: object           # the aebook.train.Trained denoiser
    noisy_train: np.ndarray
    noisy_test: np.ndarray
    noise_factor: float


def denoiser(
    data: ProfileData, noise_factor: float = 0.5, latent_dim: int = 32, *,
    seed: int | None = None, verbose: bool = True,
) -> Denoiser:
    """§3.4: a (784, latent_dim, 784) denoiser trained noisy in, clean out on ``data``.

    Gaussian noise of ``noise_factor``, clipped to [0, 1]
    (:func:`aebook.add_gaussian_noise`; seed ``seed`` for the training images
    and ``seed + 1`` for the test images, so the test noise is new); Adam,
    binary cross-entropy, the profile's epochs and batch size.
    """
    from .train import fit

    data = _check_data(data)
    seed = config.resolve_seed(seed)
    noisy_train = add_gaussian_noise(data.x_train, noise_factor, seed=seed)
    noisy_test = add_gaussian_noise(data.x_test, noise_factor, seed=seed + 1)
    prof = data.profile
    trained = fit("dense_autoencoder", noisy_train, data.x_train, epochs=prof.epochs,
                  batch_size=prof.batch_size, validation_data=(noisy_test, data.x_test), seed=seed,
                  verbose=verbose, input_dim=int(data.x_train.shape[1]), latent_dim=int(latent_dim))
    return Denoiser(trained, noisy_train, noisy_test, float(noise_factor))


# ------------------------------------------------------------------------- convolutional AE (§4)
def _conv_training(data: ProfileData, seed, verbose) -> dict:
    prof = data.profile
    return {"epochs": config.conv_epochs(prof), "batch_size": prof.conv_batch_size, "seed": seed,
            "verbose": verbose}


def paper_conv_autoencoder(data: ProfileData, *, seed: int | None = None, verbose: bool = True,
                           **builder_kwargs):
    """Train (or load) a convolutional autoencoder of §4 on ``data`` (from :func:`load_conv_data`).

    ``builder_kwargs`` go to :func:`aebook.conv_autoencoder` (none: the
    paper's CA). Adam, binary cross-entropy, the profile's
    ``conv_batch_size`` and :func:`aebook.config.conv_epochs` epochs, the same
    training as :func:`conv_baseline_ffa`.
    """
    from .train import fit

    data = _check_data(data)
    return fit("conv_autoencoder", data.x_train, **_conv_training(data, seed, verbose),
               **builder_kwargs)


def conv_baseline_ffa(data: ProfileData, latent_dim: int = 32, *, seed: int | None = None,
                      verbose: bool = True):
    """Train (or load) the FFA (784, latent_dim, 784) that §4 compares the CA with.

    The same images (flattened), epochs, batch size, optimizer and loss as
    :func:`paper_conv_autoencoder`: the convolutional experiments' training,
    not the dense chapters' (:func:`paper_autoencoder`).
    """
    from .train import fit

    data = _check_data(data)
    return fit("dense_autoencoder", flatten(data.x_train), input_dim=784, latent_dim=int(latent_dim),
               **_conv_training(data, seed, verbose))


# ------------------------------------------------------------------------- kNN (§3.2.1)
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




# --- headline experiments of the reproduction report (python -m aebook reproduce) ----------
# Each runs one experiment of the paper through the recipes above and returns a plain
# dict of numbers, whose keys are those of the headlines in aebook.paper.


def reconstruction_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, latent_dims=(8, 16, 64)
) -> dict:
    """§2.4: mean test RE (per-pixel MSE) of the autoencoders (784, q, 784) for q = 8, 16, 64."""
    from .train import reconstruct

    ds = load_profile_data("mnist", profile)
    out: dict = {"n_train": len(ds.x_train), "n_test": len(ds.x_test)}
    for q in latent_dims:
        trained = paper_autoencoder(ds, q, seed=seed)
        out[f"re_q{q}"] = float(reconstruction_error(ds.x_test, reconstruct(trained.model, ds.x_test))
                                .mean())
        out[f"from_cache_q{q}"] = bool(trained.from_cache)
    for a, b in zip(latent_dims, latent_dims[1:], strict=False):
        out[f"ratio_q{b}_q{a}"] = out[f"re_q{b}"] / out[f"re_q{a}"]
    return out


def pca_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, latent_dim: int = 16,
) -> dict:
    """§3.1, eq. 22: principal angles between a linear autoencoder's subspace and PCA's.

    :func:`linear_autoencoder` (the settings of the chapter on PCA) is trained
    on the centred training images; the columns of its decoder kernel are
    compared with the top-q principal components
    (:func:`aebook.principal_angles`). Returns the largest and mean angle in
    degrees and the test RE ratio linear AE / PCA.
    """
    from .train import reconstruct

    ds = load_profile_data("mnist", profile)
    _, train_mean = pca_normalize(ds.x_train)
    x_train_c = (ds.x_train - train_mean).astype("float32")
    x_test_c = (ds.x_test - train_mean).astype("float32")
    linear = linear_autoencoder(x_train_c, latent_dim, validation_data=(x_test_c, None), seed=seed)
    pca = pca_fit(ds.x_train, int(latent_dim))
    angles = principal_angles(linear.model.decoder.get_weights()[0].T, pca.components.T)
    re_lin = float(reconstruction_error(x_test_c, reconstruct(linear.model, x_test_c)).mean())
    re_pca = float(reconstruction_error(ds.x_test, pca_reconstruct(pca, ds.x_test)).mean())
    return {"max_angle_deg": float(angles.max()), "mean_angle_deg": float(angles.mean()),
            "re_linear": re_lin, "re_pca": re_pca, "re_ratio": re_lin / re_pca,
            "from_cache": bool(linear.from_cache)}


def knn_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, algorithm: str = "brute",
) -> dict:
    """Tables 1-2 (§3.2.1): k-NN (k = 7) accuracy and time on raw pixels vs latent features.

    MNIST: raw 784 features vs the 8 latent features of :func:`latent_features`;
    Fashion-MNIST: raw vs 8 and 16 latent features (autoencoders trained on
    Fashion-MNIST the same way). One search ``algorithm`` for all (exact, so
    the accuracy does not depend on it); times are fit + predict on the
    profile's test images, measured in this run. Accuracies in percent.
    """
    out: dict = {"method": algorithm}
    plan = {"mnist": (8,), "fashion_mnist": (8, 16)}
    for name, dims in plan.items():
        tag = "mnist" if name == "mnist" else "fashion"
        ds = load_profile_data(name, profile)
        res = knn_benchmark(ds.x_train, ds.y_train, ds.x_test, ds.y_test, algorithm=algorithm)
        out[f"{tag}_raw_acc"] = 100 * res.accuracy
        out[f"{tag}_raw_seconds"] = res.fit_seconds + res.predict_seconds
        for q in dims:
            h_train, h_test = latent_features(ds, q, seed=seed)
            res = knn_benchmark(h_train, ds.y_train, h_test, ds.y_test, algorithm=algorithm)
            out[f"{tag}_latent{q}_acc"] = 100 * res.accuracy
            out[f"{tag}_latent{q}_seconds"] = res.fit_seconds + res.predict_seconds
            out[f"{tag}_speedup{q}"] = out[f"{tag}_raw_seconds"] / out[f"{tag}_latent{q}_seconds"]
    out["n_train"], out["n_test"] = len(ds.x_train), len(ds.x_test)
    return out


def table3_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, m: int = paper.TABLE3_M,
    dims=tuple(paper.TABLE3_SIDE),
) -> dict:
    """Table 3 (§3.2.2, eq. 23): side l = (1/m)^(1/d) of the cube holding one of m uniform points.

    ``l_d{d}`` comes from :func:`aebook.curse.cube_side`; eq. 23 is checked by
    the simulation :func:`aebook.curse.corner_cube_sides` (``profile.mc_trials``
    sets of m points): ``count_d{d}`` is the mean number of points inside
    ``[0, l]^d`` (1 if l is right), ``sim_max_count_error`` its largest
    deviation from 1 over d.
    """
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


def shoe_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, latent_dim: int = 64,
    shoe_class: str = "Ankle boot",
) -> dict:
    """§3.3: RE, rank and ratio of one Fashion-MNIST shoe among the MNIST test images.

    Runs :func:`shoe_among_digits`; returns the shoe's RE, its rank
    (1 = largest), the largest RE among the digits and their ratio.
    """
    shoe = shoe_among_digits(load_profile_data("mnist", profile), latent_dim, shoe_class=shoe_class,
                             seed=seed)
    shoe_re = float(shoe.scores[shoe.position])
    runner_up_re = float(shoe.scores[shoe.runner_up])
    return {"shoe_index": shoe.shoe_index, "n_images": len(shoe.x),
            "shoe_rank": float(shoe.shoe_rank), "shoe_re": shoe_re, "runner_up_re": runner_up_re,
            "ratio": shoe_re / runner_up_re, "from_cache": bool(shoe.trained.from_cache)}


def denoising_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, noise_factor: float = 0.5,
    latent_dim: int = 32,
) -> dict:
    """§3.4: the error of the noisy and the denoised test images against the clean ones.

    Runs :func:`denoiser`; returns the mean per-pixel MSE and PSNR (dB) of the
    noisy and the denoised test images, the PSNR gain and the MSE ratio
    denoised / noisy.
    """
    from .train import reconstruct

    ds = load_profile_data("mnist", profile)
    dn = denoiser(ds, noise_factor, latent_dim, seed=seed)
    denoised = reconstruct(dn.trained.model, dn.noisy_test)
    out = {"noise_factor": float(noise_factor), "from_cache": bool(dn.trained.from_cache),
           "mse_noisy": float(reconstruction_error(ds.x_test, dn.noisy_test).mean()),
           "mse_denoised": float(reconstruction_error(ds.x_test, denoised).mean()),
           "psnr_noisy": float(psnr(ds.x_test, dn.noisy_test).mean()),
           "psnr_denoised": float(psnr(ds.x_test, denoised).mean())}
    out["psnr_gain_db"] = out["psnr_denoised"] - out["psnr_noisy"]
    out["mse_ratio"] = out["mse_denoised"] / out["mse_noisy"]
    return out


def conv_experiment(
    profile: str | config.Profile | None = None, seed: int | None = None, latent_dim: int = 32,
) -> dict:
    """§4, Fig. 13: test RE of the paper's convolutional autoencoder vs the FFA (784, 32, 784).

    :func:`paper_conv_autoencoder` and :func:`conv_baseline_ffa` on
    :func:`load_conv_data`, trained the same way. RE: per-pixel MSE on the
    profile's test images. Returns both REs and their ratio CA / FFA.
    """
    from .train import reconstruct

    ds = load_conv_data(profile)
    ffa = conv_baseline_ffa(ds, latent_dim, seed=seed)
    ca = paper_conv_autoencoder(ds, seed=seed)
    x_test = ds.x_test
    re_ffa = float(reconstruction_error(x_test, reconstruct(ffa.model, flatten(x_test))
                                        .reshape(x_test.shape)).mean())
    re_ca = float(reconstruction_error(x_test, reconstruct(ca.model, x_test)).mean())
    return {"epochs": config.conv_epochs(ds.profile), "n_train": len(ds.x_train), "re_ffa": re_ffa,
            "re_ca": re_ca, "ratio_ca_ffa": re_ca / re_ffa,
            "from_cache": bool(ffa.from_cache and ca.from_cache)}
