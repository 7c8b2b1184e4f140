"""Tests of aebook.anomaly: scores, ranking, thresholds, ensembles, stability, detection."""

from __future__ import annotations

import numpy as np
import pytest

import aebook
from aebook import anomaly


@pytest.fixture
def scores() -> np.ndarray:
    """100 scores: inliers near 1 and two clear outliers (indices 7 and 42)."""
    rng = np.random.default_rng(0)
    s = rng.normal(1.0, 0.05, size=100)
    s[7], s[42] = 3.0, 2.0
    return s


def test_public_names_are_exported():
    for name in anomaly.__all__:
        assert name in aebook.__all__
        assert getattr(aebook, name) is getattr(anomaly, name)


def test_anomaly_scores_equal_the_reconstruction_error(tiny_images):
    from aebook.models import dense_autoencoder

    model = dense_autoencoder(tiny_images.shape[1], latent_dim=4)
    got = anomaly.anomaly_scores(model, tiny_images)
    want = aebook.reconstruction_error(tiny_images, aebook.reconstruct(model, tiny_images))
    assert got.shape == (len(tiny_images),)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    small_batches = anomaly.anomaly_scores(model, tiny_images, batch_size=7)
    np.testing.assert_allclose(small_batches, got, rtol=1e-5)
    with pytest.raises(ValueError, match="model expects"):
        anomaly.anomaly_scores(model, tiny_images[:, :10])
    sse = anomaly.anomaly_scores(model, tiny_images, kind="sse")
    np.testing.assert_allclose(sse, got * tiny_images.shape[1], rtol=1e-5)


def test_ranking_puts_the_largest_first_and_breaks_ties_by_order(scores):
    order = aebook.rank_by_error(scores)
    assert list(order[:2]) == [7, 42]
    assert np.all(np.diff(scores[order]) <= 0)
    assert list(aebook.rank_by_error([1.0, 2.0, 2.0, 0.5])) == [1, 2, 0, 3]
    ranks = anomaly.score_ranks([0.1, 0.9, 0.5])
    assert list(ranks) == [2, 0, 1]


@pytest.mark.parametrize("bad", [[[1.0, 2.0]], [], [1.0, np.nan], ["a", "b"]])
def test_bad_scores_are_refused_with_a_clear_error(bad):
    with pytest.raises((ValueError, TypeError), match="errors|numeric|NaN"):
        aebook.rank_by_error(bad)
    with pytest.raises((ValueError, TypeError), match="scores|numeric|NaN"):
        anomaly.score_ranks(bad)


def test_threshold_rules(scores):
    assert anomaly.threshold(scores, "top_k", 2) == 2.0
    assert anomaly.flag_outliers(scores, "top_k", 2).nonzero()[0].tolist() == [7, 42]
    assert anomaly.threshold(scores, "percentile", 50) == pytest.approx(np.median(scores))
    t = anomaly.threshold(scores, "mean_std", 3)
    assert t == pytest.approx(scores.mean() + 3 * scores.std())
    flagged = anomaly.flag_outliers(scores, "mean_std", 3)
    assert flagged[7] and flagged.sum() < 5
    assert anomaly.flag_outliers(scores, "percentile", 99).sum() == 1  # only the 3.0


def test_top_k_flags_exactly_k_even_with_ties():
    s = np.array([1.0, 5.0, 5.0, 5.0, 0.0])
    mask = anomaly.flag_outliers(s, "top_k", 2)
    assert mask.sum() == 2 and mask.nonzero()[0].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("rule", "value", "message"),
    [("median", None, "unknown threshold rule"), ("top_k", None, "needs value=k"),
     ("top_k", 0, "outside 1..100"), ("top_k", 2.5, "integer"), ("percentile", 101, r"\[0, 100\]")],
)
def test_bad_threshold_arguments(scores, rule, value, message):
    with pytest.raises((ValueError, TypeError), match=message):
        anomaly.flag_outliers(scores, rule, value)


def test_ensembles_mean_and_max():
    a, b = np.array([1.0, 4.0, 2.0]), np.array([3.0, 0.0, 1.0])
    np.testing.assert_allclose(anomaly.ensemble_scores([a, b], "mean"), [2.0, 2.0, 1.5])
    np.testing.assert_allclose(anomaly.ensemble_scores([a, b], "max"), [3.0, 4.0, 2.0])
    # normalization makes the scale of each model irrelevant
    z = anomaly.ensemble_scores([a, 1000 * b], "mean", normalize="zscore")
    np.testing.assert_allclose(z, anomaly.ensemble_scores([a, b], "mean", normalize="zscore"))
    r = anomaly.ensemble_scores([a], "mean", normalize="rank")
    np.testing.assert_allclose(r, [0.0, 1.0, 0.5])


def test_ensemble_errors():
    with pytest.raises(ValueError, match="different lengths"):
        anomaly.ensemble_scores([np.ones(3), np.ones(4)])
    with pytest.raises(ValueError, match="unknown ensemble method"):
        anomaly.ensemble_scores([np.ones(3)], how="median")
    with pytest.raises(ValueError, match="one vector"):
        anomaly.ensemble_scores(np.ones(3))
    with pytest.raises(ValueError, match="unknown normalization"):
        anomaly.ensemble_scores([np.ones(3)], normalize="minmax")


def test_stability_measures():
    a = np.arange(10.0)
    assert anomaly.top_k_overlap(a, a, 3) == 1.0
    assert anomaly.top_k_overlap(a, -a, 3) == 0.0
    b = a.copy()
    b[[9, 0]] = b[[0, 9]]  # the top sample drops to the bottom
    assert anomaly.top_k_overlap(a, b, 3) == pytest.approx(2 / 3)
    assert anomaly.rank_correlation(a, a**3) == pytest.approx(1.0)
    assert anomaly.rank_correlation(a, -a) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="same samples"):
        anomaly.top_k_overlap(a, a[:5], 2)
    with pytest.raises(ValueError, match="not all equal"):
        anomaly.rank_correlation(a, np.ones(10))


def test_pairwise_agreement_matrix():
    a = np.arange(10.0)
    m = anomaly.pairwise_agreement([a, a**2, -a], "spearman")
    assert m.shape == (3, 3)
    np.testing.assert_allclose(np.diag(m), 1.0)
    np.testing.assert_allclose(m, m.T)
    assert m[0, 1] == pytest.approx(1.0) and m[0, 2] == pytest.approx(-1.0)
    o = anomaly.pairwise_agreement([a, -a], "overlap", k=2)
    np.testing.assert_allclose(o, [[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="needs k"):
        anomaly.pairwise_agreement([a, a], "overlap")


def test_detection_metrics_and_roc_auc(scores):
    labels = np.zeros(len(scores), dtype=int)
    labels[[7, 42, 0]] = 1  # sample 0 is an outlier the scores miss
    got = anomaly.detection_metrics(labels, anomaly.flag_outliers(scores, "top_k", 2))
    assert got["true_positives"] == 2 and got["n_flagged"] == 2
    assert got["precision"] == 1.0 and got["recall"] == pytest.approx(2 / 3)
    assert got["f1"] == pytest.approx(0.8)
    nothing = anomaly.detection_metrics(labels, np.zeros(len(scores), dtype=bool))
    assert nothing["precision"] == 0.0 and nothing["f1"] == 0.0
    perfect = np.zeros(len(scores), dtype=int)
    perfect[[7, 42]] = 1
    assert anomaly.roc_auc(perfect, scores) == 1.0
    assert anomaly.roc_auc(perfect, -scores) == 0.0
    with pytest.raises(ValueError, match="both outliers"):
        anomaly.roc_auc(np.zeros(len(scores)), scores)
    with pytest.raises(ValueError, match="0/1"):
        anomaly.detection_metrics(np.full(len(scores), 2), np.zeros(len(scores)))
    with pytest.raises(ValueError, match="shape"):
        anomaly.roc_auc(perfect[:5], scores)


def test_agreement_heatmap_draws_the_matrix():
    from matplotlib.figure import Figure

    m = aebook.pairwise_agreement([np.arange(5.0), np.arange(5.0) ** 2, -np.arange(5.0)])
    fig = aebook.agreement_heatmap(m, ["a", "b", "c"], title="Spearman")
    assert isinstance(fig, Figure)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == 9 and texts[2] == "-1.00"
    with pytest.raises(ValueError, match="3 names"):
        aebook.agreement_heatmap(m[:2, :2], ["a", "b", "c"])
    with pytest.raises(ValueError, match="square"):
        aebook.agreement_heatmap(np.ones((2, 3)), ["a", "b"])


def test_roc_auc_standard_error_matches_the_spread_of_simulated_aucs():
    # Hanley & McNeil's formula against the spread of the AUC over 2,000 simulated data
    # sets (20 outliers shifted by 1.8 sd among 500 inliers: AUC about 0.9)
    rng = np.random.default_rng(0)
    n1, n2 = 20, 500
    aucs = []
    for _ in range(2000):
        out, inl = rng.normal(1.8, 1, n1), rng.normal(0, 1, n2)
        aucs.append((out[:, None] > inl[None, :]).mean())
    se = anomaly.roc_auc_standard_error(np.mean(aucs), n1, n2)
    # the formula assumes exponential scores; for normal ones it errs on the safe side
    assert np.std(aucs) < se < 1.5 * np.std(aucs), (se, np.std(aucs))
    assert anomaly.roc_auc_standard_error(1.0, n1, n2) == 0.0
    assert anomaly.roc_auc_standard_error(0.9, 200, n2) < se  # more outliers, smaller error


@pytest.mark.parametrize("args, message", [
    ((1.2, 10, 10), "auc must lie in"), ((0.9, 0, 10), "n_outliers"),
    ((0.9, 10, 2.5), "n_inliers"),
])
def test_roc_auc_standard_error_refuses_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        anomaly.roc_auc_standard_error(*args)
