import numpy as np
import pytest

from aebook import reconstruction_error


def test_mse_and_sse_forms():
    x = np.array([[0.0, 1.0, 0.5, 0.5]])
    xh = np.array([[0.0, 0.0, 0.5, 1.0]])
    mse = reconstruction_error(x, xh)  # per-pixel mean
    sse = reconstruction_error(x, xh, kind="sse")  # eq. 21 summand
    np.testing.assert_allclose(mse, [(1 + 0.25) / 4])
    np.testing.assert_allclose(sse, [1.25])
    np.testing.assert_allclose(sse, mse * 4)


def test_bce_matches_keras():
    import keras

    rng = np.random.default_rng(0)
    x = rng.uniform(size=(5, 6)).astype("float32")
    xh = rng.uniform(0.05, 0.95, size=(5, 6)).astype("float32")
    expected = np.asarray(keras.losses.binary_crossentropy(x, xh))
    np.testing.assert_allclose(reconstruction_error(x, xh, kind="bce"), expected, rtol=1e-4)


def test_images_are_reduced_over_all_axes():
    x = np.zeros((3, 28, 28))
    xh = np.full((3, 28, 28), 0.5)
    np.testing.assert_allclose(reconstruction_error(x, xh), [0.25] * 3)


@pytest.mark.parametrize(
    ("x", "xh", "kind", "match"),
    [
        (np.zeros((2, 3)), np.zeros((2, 4)), "mse", "shape"),
        (np.array([[np.nan, 0.0]]), np.zeros((1, 2)), "mse", "NaN"),
        (np.array([[1.5, 0.0]]), np.zeros((1, 2)), "bce", r"outside \[0, 1\]"),
        (np.zeros((1, 2)), np.array([[-0.1, 0.0]]), "bce", r"outside \[0, 1\]"),
        (np.zeros((1, 2)), np.zeros((1, 2)), "mae", "unknown reconstruction error kind"),
    ],
)
def test_bad_input_is_refused(x, xh, kind, match):
    with pytest.raises(ValueError, match=match):
        reconstruction_error(x, xh, kind=kind)


def test_one_sample_must_be_passed_as_a_batch():
    """Issue 11.4: a 1-D array silently gave one 'error' per pixel."""
    x = np.random.default_rng(0).uniform(size=784)
    with pytest.raises(ValueError, match=r"batch of samples.*x\[None\]"):
        reconstruction_error(x, x * 0.5)
    np.testing.assert_allclose(reconstruction_error(x[None], x[None] * 0.5),
                               [np.mean((0.5 * x) ** 2)], rtol=1e-5)
