"""Tests of aebook.pca: eq. 22, the principal subspace, principal angles (§3.1)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import subspace_angles

import aebook


def _data(n=200, d=6, seed=0):
    rng = np.random.default_rng(seed)
    scales = np.array([5.0, 3.0, 2.0, 0.5, 0.2, 0.1])[:d]
    return rng.normal(size=(n, d)) * scales + rng.normal(size=d)


def test_pca_normalize_gives_the_covariance_matrix():
    x = _data()
    x_hat, mean = aebook.pca_normalize(x)
    np.testing.assert_allclose(mean, x.mean(axis=0))
    np.testing.assert_allclose(x_hat.T @ x_hat, np.cov(x, rowvar=False, bias=True), atol=1e-10)


def test_pca_normalize_uses_a_given_mean_and_checks_its_shape():
    x = _data()
    x_hat, mean = aebook.pca_normalize(x, mean=np.zeros(6))
    np.testing.assert_allclose(x_hat, x / np.sqrt(len(x)))
    with pytest.raises(ValueError, match="mean has shape"):
        aebook.pca_normalize(x, mean=np.zeros(5))
    with pytest.raises(ValueError, match="2-d array"):
        aebook.pca_normalize(np.zeros((2, 3, 4)))


def test_pca_fit_finds_the_largest_variance_directions():
    x = _data()
    pca = aebook.pca_fit(x, 2)
    assert pca.components.shape == (2, 6)
    np.testing.assert_allclose(pca.components @ pca.components.T, np.eye(2), atol=1e-10)
    # the data's first two axes carry most variance: the subspace is close to span(e1, e2)
    assert aebook.principal_angles(pca.components.T, np.eye(6)[:, :2]).max() < 10.0
    eig, vec = np.linalg.eigh(np.cov(x, rowvar=False, bias=True))
    assert aebook.principal_angles(pca.components.T, vec[:, -2:]).max() < 1e-6
    eig = eig[::-1]
    np.testing.assert_allclose(pca.variances, eig[:2], rtol=1e-10)
    np.testing.assert_allclose(pca.explained_fraction, eig[:2].sum() / eig.sum())
    assert 0.8 < pca.explained_fraction < 1.0


def test_pca_reconstruction_is_optimal_and_exact_with_all_components():
    x = _data()
    full = aebook.pca_fit(x, 6)
    np.testing.assert_allclose(aebook.pca_reconstruct(full, x), x, atol=1e-9)
    two = aebook.pca_fit(x, 2)
    err = ((x - aebook.pca_reconstruct(two, x)) ** 2).sum(axis=1).mean()
    np.testing.assert_allclose(err, two.total_variance - two.variances.sum(), rtol=1e-8)
    # any other 2-d subspace does worse (Eckart-Young)
    other = np.linalg.qr(np.random.default_rng(1).normal(size=(6, 2)))[0]
    xc = x - x.mean(axis=0)
    assert ((xc - xc @ other @ other.T) ** 2).sum(axis=1).mean() > err


def test_pca_fit_rejects_bad_q():
    with pytest.raises(ValueError, match="q must be between 1 and the number of features"):
        aebook.pca_fit(_data(), 7)
    with pytest.raises(ValueError, match="q must be between"):
        aebook.pca_fit(_data(), 0)


def test_principal_angles_known_cases():
    e = np.eye(4)
    assert np.allclose(aebook.principal_angles(e[:, :2], e[:, :2]), 0.0)
    assert np.allclose(aebook.principal_angles(e[:, :2], e[:, 2:]), 90.0)
    # the same plane spanned by other vectors: zero angles
    mix = e[:, :2] @ np.array([[2.0, 1.0], [1.0, 3.0]])
    assert np.allclose(aebook.principal_angles(mix, e[:, :2]), 0.0, atol=1e-6)
    t = np.radians(30.0)
    line = np.array([[np.cos(t)], [np.sin(t)], [0.0], [0.0]])
    np.testing.assert_allclose(aebook.principal_angles(line, e[:, :1]), [30.0])
    np.testing.assert_allclose(aebook.principal_angles(line, e[:, :1], degrees=False), [t])


def test_principal_angles_agree_with_scipy_including_tiny_angles():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(30, 4))
    for eps in (1e-9, 1e-3, 0.5):
        b = np.column_stack([a[:, :3], a[:, 3] + eps * rng.normal(size=30), rng.normal(size=30)])
        ours = aebook.principal_angles(a, b, degrees=False)
        assert ours.shape == (4,)
        np.testing.assert_allclose(ours, np.sort(subspace_angles(a, b))[:4], atol=1e-10)


def test_principal_angles_bad_input():
    with pytest.raises(ValueError, match="same number of rows"):
        aebook.principal_angles(np.eye(4)[:, :2], np.eye(5)[:, :2])
    with pytest.raises(ValueError, match="linearly dependent"):
        aebook.principal_angles(np.ones((4, 2)), np.eye(4)[:, :2])


def test_covariance_nbytes():
    assert aebook.covariance_nbytes(784) == 784 * 784 * 8
    assert aebook.covariance_nbytes(784) == np.cov(np.zeros((3, 784)), rowvar=False).nbytes
    assert aebook.covariance_nbytes(10, itemsize=4) == 400
    with pytest.raises(ValueError, match="positive"):
        aebook.covariance_nbytes(0)
