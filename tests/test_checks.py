"""A sweep over aebook's public numeric functions with the bad inputs users give.

Every function refuses NaN/inf, empty input, the wrong rank, non-numeric
dtypes and out-of-range values with a ``ValueError`` or ``TypeError`` whose
message names the argument: never a raw NumPy traceback, never a silent
result (issue 11).
"""

from __future__ import annotations

import numpy as np
import pytest

import aebook

X = np.random.default_rng(0).uniform(0.05, 0.95, size=(6, 3))  # a batch of 6 samples
S = np.array([0.3, 0.1, 0.9, 0.4, 0.8, 0.2])  # a score vector
LABELS = np.array([0, 0, 1, 0, 1, 0])


def _with(value, where=(0, 0), base=X):
    out = base.astype(np.float64).copy()
    out[where] = value
    return out


# bad values of a batch argument (n_samples, n_features)
BATCH = {
    "nan": _with(np.nan),
    "inf": _with(np.inf),
    "empty": X[:0],
    "rank": X[0],
    "strings": np.full(X.shape, "a"),
    "objects": np.full(X.shape, None, dtype=object),
}
# bad values of a score vector (n,)
VECTOR = {
    "nan": _with(np.nan, 0, S),
    "inf": _with(-np.inf, 0, S),
    "empty": S[:0],
    "rank": S[None],
    "strings": np.array(["a"] * len(S)),
    "objects": np.array([None] * len(S), dtype=object),
}
SCALAR = {"nan": float("nan"), "inf": float("inf"), "strings": "abc", "objects": None}


def _model():
    return aebook.dense_autoencoder(3, latent_dim=2)


def _pca():
    return aebook.pca_fit(X, 2)


# function name -> (call with the bad value in the named argument, argument name, bad values)
CASES = {
    "reconstruction_error(x)": (lambda v: aebook.reconstruction_error(v, X), "x", BATCH),
    "reconstruction_error(x_hat)": (lambda v: aebook.reconstruction_error(X, v), "x_hat", BATCH),
    "reconstruction_error(bce x)": (lambda v: aebook.reconstruction_error(v, X, kind="bce"), "x",
                                    {"range": X * 255}),
    "psnr(x)": (lambda v: aebook.psnr(v, X), "x", BATCH),
    "psnr(x_hat)": (lambda v: aebook.psnr(X, v), "x_hat", BATCH),
    "psnr(data_range)": (lambda v: aebook.psnr(X, X * 0.5, data_range=v), "data_range",
                         {**SCALAR, "range": -1.0}),
    "rank_by_error": (lambda v: aebook.rank_by_error(v), "errors", VECTOR),
    "latent_sparsity(h)": (lambda v: aebook.latent_sparsity(v), "h", BATCH),
    "latent_sparsity(tol)": (lambda v: aebook.latent_sparsity(X, tol=v), "tol",
                             {**SCALAR, "range": 1.5}),
    "anomaly_scores(x)": (lambda v: aebook.anomaly_scores(_model(), v), "x",
                          {**BATCH, "range": X * 255}),
    "anomaly_scores(model)": (lambda v: aebook.anomaly_scores(v, X), "model", {"objects": "ae"}),
    "score_ranks": (lambda v: aebook.score_ranks(v), "scores", VECTOR),
    "threshold(scores)": (lambda v: aebook.threshold(v), "scores", VECTOR),
    "threshold(value)": (lambda v: aebook.threshold(S, "percentile", v), "value",
                         {**{k: v for k, v in SCALAR.items() if k != "objects"}, "range": 101}),
    "flag_outliers(scores)": (lambda v: aebook.flag_outliers(v), "scores", VECTOR),
    "flag_outliers(k)": (lambda v: aebook.flag_outliers(S, "top_k", v), "k",
                         {"strings": "2", "range": 0, "nan": float("nan")}),
    "ensemble_scores": (lambda v: aebook.ensemble_scores([S, v]), "score_vectors[1]", VECTOR),
    "top_k_overlap(a)": (lambda v: aebook.top_k_overlap(v, S, 2), "a", VECTOR),
    "top_k_overlap(b)": (lambda v: aebook.top_k_overlap(S, v, 2), "b", VECTOR),
    "top_k_overlap(k)": (lambda v: aebook.top_k_overlap(S, S, v), "k",
                         {"strings": "2", "range": 99, "nan": float("nan")}),
    "rank_correlation(a)": (lambda v: aebook.rank_correlation(v, S), "a", VECTOR),
    "rank_correlation(b)": (lambda v: aebook.rank_correlation(S, v), "b", VECTOR),
    "pairwise_agreement": (lambda v: aebook.pairwise_agreement([S, v]), "score_vectors[1]", VECTOR),
    "pairwise_agreement(empty)": (lambda v: aebook.pairwise_agreement(v), "score_vectors",
                                  {"empty": []}),
    "detection_metrics(labels)": (lambda v: aebook.detection_metrics(v, LABELS), "labels",
                                  {**VECTOR, "range": LABELS * 2}),
    "detection_metrics(flagged)": (lambda v: aebook.detection_metrics(LABELS, v), "flagged",
                                   {**VECTOR, "range": LABELS * 2, "length": LABELS[:4]}),
    "roc_auc(labels)": (lambda v: aebook.roc_auc(v, S), "labels", {**VECTOR, "range": LABELS * 2}),
    "roc_auc(scores)": (lambda v: aebook.roc_auc(LABELS, v), "scores", VECTOR),
    "pca_normalize": (lambda v: aebook.pca_normalize(v), "x", BATCH),
    "pca_fit(x)": (lambda v: aebook.pca_fit(v, 2), "x", BATCH),
    "pca_fit(q)": (lambda v: aebook.pca_fit(X, v), "q", {**SCALAR, "range": 4}),
    "pca_reconstruct(x)": (lambda v: aebook.pca_reconstruct(_pca(), v), "x", BATCH),
    "pca_reconstruct(pca)": (lambda v: aebook.pca_reconstruct(v, X), "pca", {"objects": X}),
    "principal_angles(a)": (lambda v: aebook.principal_angles(v, X), "a", BATCH),
    "principal_angles(b)": (lambda v: aebook.principal_angles(X, v), "b", BATCH),
    "covariance_nbytes": (lambda v: aebook.covariance_nbytes(v), "d", {**SCALAR, "range": 0}),
    "cube_side(m)": (lambda v: aebook.cube_side(v, 2), "m", {**SCALAR, "empty": [], "range": 0}),
    "cube_side(d)": (lambda v: aebook.cube_side(10, v), "d", {**SCALAR, "empty": [], "range": 0}),
    "expected_points_in_cube(m)": (lambda v: aebook.expected_points_in_cube(v, 2), "m",
                                   {**SCALAR, "empty": [], "range": 0}),
    "expected_points_in_cube(side)": (lambda v: aebook.expected_points_in_cube(10, 2, v), "side",
                                      {**SCALAR, "range": 2.0}),
    "smallest_cube_median(d)": (lambda v: aebook.smallest_cube_median(10, v), "d",
                                {**SCALAR, "empty": [], "range": 0}),
    "corner_cube_sides(m)": (lambda v: aebook.corner_cube_sides(v, 2, 3, seed=0), "m",
                             {**SCALAR, "range": 0}),
    "corner_cube_sides(trials)": (lambda v: aebook.corner_cube_sides(5, 2, v, seed=0), "trials",
                                  {**SCALAR, "range": 0}),
    "corner_cube_sides(seed)": (lambda v: aebook.corner_cube_sides(5, 2, 3, seed=v), "seed",
                                {"strings": "abc", "range": -1, "nan": float("nan")}),
    "flatten": (lambda v: aebook.flatten(v), "x",
                {"rank": X[0], "strings": BATCH["strings"], "objects": BATCH["objects"]}),
    "add_gaussian_noise(x)": (lambda v: aebook.add_gaussian_noise(v, 0.1, seed=0), "x",
                              {**{k: v for k, v in BATCH.items() if k != "rank"}, "range": X * 255}),
    "add_gaussian_noise(factor)": (lambda v: aebook.add_gaussian_noise(X, v, seed=0), "factor",
                                   {**SCALAR, "range": -0.5}),
    "add_gaussian_noise(seed)": (lambda v: aebook.add_gaussian_noise(X, 0.1, seed=v), "seed",
                                 {"strings": "abc", "range": -1, "nan": float("nan")}),
    "reconstruct(x)": (lambda v: aebook.reconstruct(_model(), v), "x", {**BATCH, "range": X * 255}),
    "reconstruct(model)": (lambda v: aebook.reconstruct(v, X), "model", {"objects": None}),
    "reconstruct(batch_size)": (lambda v: aebook.reconstruct(_model(), X, batch_size=v),
                                "batch_size", {**SCALAR, "range": 0}),
    "encode(x)": (lambda v: aebook.encode(_model(), v), "x", {**BATCH, "range": X * 255}),
}

PARAMS = [pytest.param(call, arg, bad, id=f"{name}-{kind}")
          for name, (call, arg, values) in CASES.items() for kind, bad in values.items()]


@pytest.mark.parametrize(("call", "arg", "bad"), PARAMS)
def test_bad_input_gives_an_error_that_names_the_argument(call, arg, bad):
    with pytest.raises((ValueError, TypeError)) as info:
        call(bad)
    assert arg in str(info.value), f"the message does not name {arg!r}: {info.value}"


@pytest.mark.parametrize("fn", [aebook.reconstruction_error, aebook.psnr])
def test_float64_too_large_for_float32_is_not_called_nan(fn):
    with pytest.raises(ValueError, match=r"x has values as large as 1e\+39, too large for float32"):
        fn(_with(1e39), X)


def test_good_input_still_works():
    """The sweep's good arguments are accepted, so the errors above come from the bad one."""
    aebook.reconstruction_error(X, X)
    aebook.psnr(X, X * 0.5)
    aebook.latent_sparsity(X)
    aebook.anomaly_scores(_model(), X)
    aebook.threshold(S, "percentile", 50)
    aebook.flag_outliers(S, "top_k", 2)
    aebook.ensemble_scores([S, S])
    aebook.top_k_overlap(S, S, 2)
    aebook.rank_correlation(S, S)
    aebook.pairwise_agreement([S, S])
    aebook.detection_metrics(LABELS, LABELS)
    aebook.roc_auc(LABELS, S)
    aebook.pca_reconstruct(_pca(), X)
    aebook.principal_angles(X, X)
    aebook.covariance_nbytes(3)
    aebook.cube_side(10, 2)
    aebook.expected_points_in_cube(10, 2, 0.5)
    aebook.smallest_cube_median(10, 2)
    aebook.corner_cube_sides(5, 2, 3, seed=0)
    aebook.flatten(X[:, :, None])
    aebook.add_gaussian_noise(X, 0.1, seed=0)
    aebook.reconstruct(_model(), X, batch_size=2)
    aebook.encode(_model(), X)
