"""Tests of aebook.knn_benchmark (§3.2.1, Tables 1-2) on tiny data."""

from __future__ import annotations

import numpy as np
import pytest

import aebook


def _blobs(n, d=5, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    centres = np.array([[0.0] * d, [4.0] * d, [-4.0] * d])
    return (centres[y] + rng.normal(size=(n, d))).astype("float32"), y


def test_separable_classes_are_found_and_times_are_recorded():
    x, y = _blobs(120)
    xt, yt = _blobs(30, seed=1)
    r = aebook.knn_benchmark(x, y, xt, yt, k=7)
    assert r.accuracy == 1.0 and r.method == "brute" and r.k == 7
    assert (r.n_train, r.n_test, r.n_timed, r.n_features) == (120, 30, 30, 5)
    assert r.fit_seconds >= 0 and r.predict_seconds > 0 and not r.extrapolated
    assert r.predict_seconds_all == r.predict_seconds
    assert r.total_seconds_all == pytest.approx(r.fit_seconds + r.predict_seconds)


def test_accuracy_is_the_fraction_of_correct_labels():
    x, y = _blobs(120)
    xt, yt = _blobs(40, seed=1)
    wrong = (yt + 1) % 3
    wrong[:10] = yt[:10]  # 10 of 40 labels right
    assert aebook.knn_benchmark(x, y, xt, wrong, k=3).accuracy == pytest.approx(0.25)


def test_all_methods_give_the_same_predictions_as_brute_force():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(200, 4)), rng.integers(0, 4, size=200)
    xt, yt = rng.normal(size=(50, 4)), rng.integers(0, 4, size=50)
    ref = aebook.knn_benchmark(x, y, xt, yt, k=7, algorithm="brute").predictions
    for alg in ("kd_tree", "ball_tree"):
        r = aebook.knn_benchmark(x, y, xt, yt, k=7, algorithm=alg)
        assert r.method == alg
        np.testing.assert_array_equal(r.predictions, ref)
    # "auto" reports the method scikit-learn chose, not "auto"
    assert aebook.knn_benchmark(x, y, xt, yt, algorithm="auto").method in ("brute", "kd_tree", "ball_tree")


def test_subset_of_queries_is_extrapolated():
    x, y = _blobs(100)
    xt, yt = _blobs(40, seed=1)
    r = aebook.knn_benchmark(x, y, xt, yt, algorithm="kd_tree", n_queries=10)
    assert r.extrapolated and r.n_timed == 10 and len(r.predictions) == 10
    assert r.predict_seconds_all == pytest.approx(4 * r.predict_seconds)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"algorithm": "fast"}, "unknown kNN algorithm"),
        ({"k": 0}, "k must be between 1"),
        ({"k": 1000}, "k must be between 1"),
        ({"n_queries": 0}, "n_queries must be between 1"),
        ({"n_queries": 31}, "n_queries must be between 1"),
    ],
)
def test_bad_arguments(kwargs, message):
    x, y = _blobs(50)
    xt, yt = _blobs(30, seed=1)
    with pytest.raises(ValueError, match=message):
        aebook.knn_benchmark(x, y, xt, yt, **kwargs)


def test_bad_shapes():
    x, y = _blobs(50)
    xt, yt = _blobs(30, seed=1)
    with pytest.raises(ValueError, match="features but x_test has"):
        aebook.knn_benchmark(x, y, xt[:, :3], yt)
    with pytest.raises(ValueError, match="differ in length"):
        aebook.knn_benchmark(x, y[:-1], xt, yt)
    with pytest.raises(ValueError, match="must be 2-d"):
        aebook.knn_benchmark(x.reshape(50, 5, 1), y, xt, yt)
