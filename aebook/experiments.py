"""The paper's experiments as functions, shared by the chapters and the report.

A chapter and ``python -m aebook reproduce`` call the same function with the
same arguments, so they share trained models through the model cache of
:mod:`aebook.train` (the first caller trains, the others load).
"""

from __future__ import annotations

from . import config
from .data import Dataset, load_dataset

__all__ = ["load_profile_data", "mnist_autoencoder"]


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
