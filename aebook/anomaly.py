"""Anomaly detection with reconstruction errors (Michelucci 2022, §3.3 and §3.3.1).

The recipe of §3.3 in four steps, one function each:

1. train an autoencoder on data with no (or very few) outliers
   (:func:`aebook.paper_autoencoder` or :func:`aebook.fit`);
2. score every observation by its reconstruction error, eq. 21
   (:func:`anomaly_scores`: the per-pixel mean squared error by default, the
   convention of the REs the paper quotes);
3. sort the observations by score (:func:`aebook.rank_by_error`, :func:`score_ranks`);
4. call the highest-scoring ones outliers, by a threshold rule
   (:func:`threshold`, :func:`flag_outliers`: top-k, a percentile, or
   mean + k standard deviations).

§3.3.1 warns that the outliers found this way change from model to model,
and suggests combining the REs of several models by their mean or their
maximum (:func:`ensemble_scores`). :func:`top_k_overlap`,
:func:`rank_correlation` and :func:`pairwise_agreement` measure how much two
rankings agree; :func:`detection_metrics` and :func:`roc_auc` measure how
well a ranking finds outliers whose labels are known.

Every function but :func:`anomaly_scores` works on plain NumPy score vectors
(one number per sample, larger = more anomalous), so scores from any model
can be used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ._checks import as_float_array, as_number
from .metrics import RE_KINDS, rank_by_error, reconstruction_error

__all__ = [
    "THRESHOLD_RULES",
    "anomaly_scores",
    "detection_metrics",
    "ensemble_scores",
    "flag_outliers",
    "pairwise_agreement",
    "rank_correlation",
    "roc_auc",
    "roc_auc_standard_error",
    "score_ranks",
    "threshold",
    "top_k_overlap",
]

THRESHOLD_RULES = ("top_k", "percentile", "mean_std")
ENSEMBLE_METHODS = ("mean", "max")
NORMALIZATIONS = (None, "zscore", "rank")


def _scores(scores, name: str = "scores") -> np.ndarray:
    """Validate one score vector: 1-D, finite, not empty; returned as float64."""
    as_float_array(scores, name)  # refuses non-numeric input, NaN and inf
    arr = np.asarray(scores, dtype=np.float64)  # full precision: float32 could create ties
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{name} must hold one number per sample (a non-empty array of shape (n,)), "
            f"got shape {arr.shape}: compute per-sample errors with aebook.anomaly_scores "
            "or aebook.reconstruction_error first"
        )
    return arr


def _check_k(k, n: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be an integer number of samples, got {k!r}")
    if not 1 <= int(k) <= n:
        raise ValueError(f"k={k} is outside 1..{n} (the number of samples)")
    return int(k)


def anomaly_scores(model, x, kind: str = "mse", batch_size: int = 1024) -> np.ndarray:
    """Per-sample reconstruction error of ``x`` under ``model``: the score of §3.3 (eq. 21).

    ``kind`` is that of :func:`aebook.reconstruction_error` (``"mse"``, the
    per-pixel mean, is the convention of the paper's 0.062 and 0.022). Larger
    means worse reconstructed, i.e. more anomalous. The model is called
    directly on batches of ``batch_size`` samples rather than through
    ``model.predict``, which compiles a function per model: scoring many
    models in a row then stays quiet and quick.
    """
    from .train import reconstruct  # loads Keras: only when a model is scored

    if kind not in RE_KINDS:
        raise ValueError(f"unknown reconstruction error kind {kind!r}: choose one of {RE_KINDS}")
    x = as_float_array(x, "x", allow_empty=False)
    return reconstruction_error(x, reconstruct(model, x, batch_size), kind=kind)


def score_ranks(scores) -> np.ndarray:
    """The rank of each sample in :func:`aebook.rank_by_error`: 0 for the most anomalous."""
    order = rank_by_error(_scores(scores))
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order))
    return ranks


def threshold(scores, rule: str = "mean_std", value: float | None = None) -> float:
    """The score above which (inclusive) a rule calls a sample an outlier (§3.3, step 4).

    Rules (``value`` in brackets, with its default):

    * ``"top_k"`` -- the k-th largest score (``k``, no default: it is the
      number of outliers you expect);
    * ``"percentile"`` -- the ``value``-th percentile of the scores (99);
    * ``"mean_std"`` -- mean + ``value`` standard deviations of the scores (3).
    """
    arr = _scores(scores)
    if rule not in THRESHOLD_RULES:
        raise ValueError(f"unknown threshold rule {rule!r}: choose one of {THRESHOLD_RULES}")
    if rule == "top_k":
        if value is None:
            raise ValueError("rule 'top_k' needs value=k, the number of samples to flag")
        k = _check_k(value, len(arr))
        return float(np.sort(arr)[-k])
    if rule == "percentile":
        q = 99.0 if value is None else as_number(value, "value (a percentile)", minimum=0.0, maximum=100.0)
        return float(np.percentile(arr, q))
    n_std = 3.0 if value is None else as_number(value, "value (a number of standard deviations)")
    return float(arr.mean() + n_std * arr.std())


def flag_outliers(scores, rule: str = "mean_std", value: float | None = None) -> np.ndarray:
    """Boolean mask of the samples a threshold rule calls outliers (see :func:`threshold`).

    ``"top_k"`` flags exactly k samples (ties at the boundary are broken by
    sample order, as in :func:`aebook.rank_by_error`); the other rules flag every
    sample whose score is at or above the threshold.
    """
    arr = _scores(scores)
    if rule == "top_k" and value is not None:
        k = _check_k(value, len(arr))
        mask = np.zeros(len(arr), dtype=bool)
        mask[rank_by_error(arr)[:k]] = True
        return mask
    return arr >= threshold(arr, rule, value)


def _normalize(arr: np.ndarray, how: str | None) -> np.ndarray:
    if how is None:
        return arr
    if how == "zscore":
        std = arr.std()
        return (arr - arr.mean()) / (std if std > 0 else 1.0)
    # "rank": 0 for the smallest score, 1 for the largest (ties broken by order)
    ranks = score_ranks(arr)
    return 1.0 - ranks / max(len(arr) - 1, 1)


def ensemble_scores(score_vectors: Sequence, how: str = "mean", normalize: str | None = None) -> np.ndarray:
    """Combine the scores of several models by their mean or maximum (§3.3.1).

    ``score_vectors`` holds one score vector per model, all for the same
    samples. ``how="mean"`` averages them, ``how="max"`` keeps each sample's
    largest: the paper's two remedies for unstable outliers. The paper
    combines the raw REs (``normalize=None``); then a model whose REs are
    larger on the whole weighs more. ``normalize="zscore"`` standardizes each
    model's scores first, ``"rank"`` replaces them by their rank in [0, 1].
    """
    if how not in ENSEMBLE_METHODS:
        raise ValueError(f"unknown ensemble method {how!r}: choose one of {ENSEMBLE_METHODS}")
    if normalize not in NORMALIZATIONS:
        raise ValueError(f"unknown normalization {normalize!r}: choose one of {NORMALIZATIONS}")
    if isinstance(score_vectors, np.ndarray) and score_vectors.ndim == 1:
        raise ValueError("ensemble_scores needs a list of score vectors (one per model), got one vector")
    vectors = [_scores(s, f"score_vectors[{i}]") for i, s in enumerate(score_vectors)]
    if not vectors:
        raise ValueError("ensemble_scores needs at least one score vector")
    sizes = {len(v) for v in vectors}
    if len(sizes) != 1:
        raise ValueError(
            f"the score vectors have different lengths {sorted(sizes)}: every model must score "
            "the same samples, in the same order"
        )
    stack = np.stack([_normalize(v, normalize) for v in vectors])
    return stack.mean(axis=0) if how == "mean" else stack.max(axis=0)


def top_k_overlap(a, b, k: int) -> float:
    """Share of the k top-ranked samples that two score vectors have in common (0 to 1)."""
    a, b = _scores(a, "a"), _scores(b, "b")
    if len(a) != len(b):
        raise ValueError(f"a has {len(a)} scores but b has {len(b)}: they must score the same samples")
    k = _check_k(k, len(a))
    top_a, top_b = rank_by_error(a)[:k], rank_by_error(b)[:k]
    return len(np.intersect1d(top_a, top_b)) / k


def rank_correlation(a, b) -> float:
    """Spearman's rank correlation of two score vectors (1: same ranking, -1: reversed)."""
    from scipy.stats import spearmanr

    a, b = _scores(a, "a"), _scores(b, "b")
    if len(a) != len(b):
        raise ValueError(f"a has {len(a)} scores but b has {len(b)}: they must score the same samples")
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        raise ValueError("a rank correlation needs at least two samples and scores that are not all equal")
    return float(spearmanr(a, b).statistic)


def pairwise_agreement(score_vectors: Sequence, measure: str | Callable = "spearman",
                       k: int | None = None) -> np.ndarray:
    """Matrix of the agreement between every pair of score vectors (§3.3.1).

    ``measure`` is ``"spearman"`` (:func:`rank_correlation`), ``"overlap"``
    (:func:`top_k_overlap`, needs ``k``) or a function of two score vectors.
    The diagonal is the agreement of a vector with itself (1 for both named
    measures).
    """
    if measure == "spearman":
        fn = rank_correlation
    elif measure == "overlap":
        if k is None:
            raise ValueError("measure='overlap' needs k, the length of the top lists to compare")
        def fn(a, b):
            return top_k_overlap(a, b, k)
    elif callable(measure):
        fn = measure
    else:
        raise ValueError(f"unknown measure {measure!r}: use 'spearman', 'overlap' or a function")
    vectors = [_scores(s, f"score_vectors[{i}]") for i, s in enumerate(score_vectors)]
    if not vectors:
        raise ValueError("score_vectors is empty: pass one score vector per model")
    n = len(vectors)
    out = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            out[i, j] = out[j, i] = fn(vectors[i], vectors[j])
    return out


def _labels(labels, n: int, name: str = "labels") -> np.ndarray:
    arr = np.asarray(labels)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one entry per sample, got {arr.shape}")
    if arr.dtype != bool and (arr.dtype == object or not np.issubdtype(arr.dtype, np.number)
                              or not np.all(np.isin(arr, (0, 1)))):
        raise ValueError(f"{name} must be booleans or 0/1 (1 = known outlier)")
    return arr.astype(bool)


def detection_metrics(labels, flagged) -> dict:
    """Precision, recall and F1 of a set of flagged samples against known outlier labels.

    ``labels`` and ``flagged`` are boolean (or 0/1) arrays, one entry per
    sample (1 = outlier). Returns ``n_flagged``, ``true_positives``,
    ``precision`` (0 when nothing is flagged), ``recall`` and ``f1``.
    """
    flagged = np.asarray(flagged)
    if flagged.ndim != 1 or flagged.size == 0:
        raise ValueError(f"flagged must be a non-empty mask of shape (n,), got shape {flagged.shape}")
    if np.ndim(labels) == 1 and len(labels) != len(flagged):
        raise ValueError(f"labels has {len(labels)} entries but flagged has {len(flagged)}: "
                         "both need one entry per sample")
    truth = _labels(labels, len(flagged))
    flagged = _labels(flagged, len(truth), "flagged")
    n_pos = int(truth.sum())
    if n_pos == 0:
        raise ValueError("labels contain no outlier: precision and recall are undefined")
    tp = int((truth & flagged).sum())
    n_flagged = int(flagged.sum())
    precision = tp / n_flagged if n_flagged else 0.0
    recall = tp / n_pos
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"n_flagged": n_flagged, "true_positives": tp, "precision": precision,
            "recall": recall, "f1": f1}


def roc_auc(labels, scores) -> float:
    """Area under the ROC curve of scores against known outlier labels (sklearn).

    The probability that a random outlier scores higher than a random inlier:
    1 is a perfect ranking, 0.5 is chance.
    """
    from sklearn.metrics import roc_auc_score

    arr = _scores(scores)
    truth = _labels(labels, len(arr))
    if truth.all() or not truth.any():
        raise ValueError("labels must contain both outliers (1) and inliers (0) for a ROC AUC")
    return float(roc_auc_score(truth, arr))


def roc_auc_standard_error(auc: float, n_outliers: int, n_inliers: int) -> float:
    """Standard error of a ROC AUC measured on ``n_outliers`` and ``n_inliers`` samples.

    Hanley & McNeil (1982), eq. 2, which treats the AUC as a Mann-Whitney
    statistic: with few outliers an AUC is uncertain however many inliers
    there are (20 outliers and AUC 0.9 give about 0.05). The formula is
    exact for exponentially distributed scores; for normal ones it is about
    1.3 times too large (see the test), which a check can afford. No maintained
    library we use has it (scikit-learn gives the AUC only), so it is
    written out here. A check "AUC above chance" is then ``auc - 3 * se > 0.5``.
    """
    auc = float(auc)
    if not 0.0 <= auc <= 1.0:
        raise ValueError(f"auc must lie in [0, 1], got {auc}")
    for name, n in (("n_outliers", n_outliers), ("n_inliers", n_inliers)):
        if int(n) != n or n < 1:
            raise ValueError(f"{name} must be a positive whole number, got {n!r}")
    n1, n2 = int(n_outliers), int(n_inliers)
    q1, q2 = auc / (2.0 - auc), 2.0 * auc**2 / (1.0 + auc)
    var = (auc * (1 - auc) + (n1 - 1) * (q1 - auc**2) + (n2 - 1) * (q2 - auc**2)) / (n1 * n2)
    return float(np.sqrt(max(var, 0.0)))
