import json

import numpy as np
import pytest

import aebook
from aebook import train

# XLA compilation costs more than these tiny trainings: the tests switch it off,
# except the determinism test, which checks the default (compiled) path.
SMALL = {"input_dim": 64, "latent_dim": 4, "epochs": 2, "batch_size": 16, "verbose": False,
         "jit_compile": False}


def _fit(x, **kw):
    args = {**SMALL, **kw}
    return aebook.fit("dense_autoencoder", x, **args)


def _same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    return len(wa) == len(wb) and all(np.array_equal(p, q) for p, q in zip(wa, wb, strict=True))


def test_two_seeded_trainings_are_identical(tiny_images):
    a = _fit(tiny_images, cache=False, seed=3, jit_compile=True)
    b = _fit(tiny_images, cache=False, seed=3, jit_compile=True)
    c = _fit(tiny_images, cache=False, seed=4, jit_compile=True)
    assert _same_weights(a.model, b.model)
    assert not _same_weights(a.model, c.model)


def test_cache_hit_returns_identical_model(tiny_images, model_cache):
    first = _fit(tiny_images)
    assert not first.from_cache and (model_cache / first.key / "meta.json").is_file()
    second = _fit(tiny_images)
    assert second.from_cache and second.key == first.key
    assert _same_weights(first.model, second.model)
    assert second.history == first.history
    assert second.model.encoder.output_shape == (None, 4)


@pytest.mark.parametrize(
    "change",
    [{"epochs": 3}, {"batch_size": 8}, {"seed": 1}, {"latent_dim": 5}, {"loss": "mse"},
     {"learning_rate": 0.01}, {"output_activation": "linear", "loss": "mse"}],
)
def test_other_settings_never_share_a_cache_entry(tiny_images, model_cache, change):
    base = _fit(tiny_images)
    other = _fit(tiny_images, **change)
    assert other.key != base.key and not other.from_cache


def test_other_data_never_share_a_cache_entry(tiny_images, model_cache):
    base = _fit(tiny_images)
    changed = tiny_images.copy()
    changed[0, 0] = 0.5 * changed[0, 0] + 0.01
    assert _fit(changed).key != base.key


def test_corrupt_cache_entry_is_retrained(tiny_images, model_cache, capsys):
    first = _fit(tiny_images)
    weights = model_cache / first.key / "model.weights.h5"
    weights.write_bytes(weights.read_bytes()[:100])  # truncate it
    again = aebook.fit("dense_autoencoder", tiny_images, **{**SMALL, "verbose": True})
    assert not again.from_cache
    assert "damaged" in capsys.readouterr().out
    assert _same_weights(first.model, again.model)  # same seed: the retrained model is the same
    meta = json.loads((model_cache / first.key / "meta.json").read_text())
    assert meta["weights_sha256"] == train._file_sha(weights)  # the entry was repaired


def test_fit_validates_inputs(tiny_images):
    with pytest.raises(ValueError, match=r"outside \[0, 1\].*sigmoid"):
        _fit(tiny_images * 3, cache=False)
    with pytest.raises(ValueError, match=r"samples of shape \(8, 8\).*expects \(64,\)"):
        _fit(tiny_images.reshape(-1, 8, 8), cache=False)
    bad = tiny_images.copy()
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        _fit(bad, cache=False)
    with pytest.raises(ValueError, match="unknown model builder"):
        aebook.fit("nope", tiny_images, epochs=1)


def test_linear_output_with_mse_accepts_negative_data(tiny_images):
    centred = tiny_images - tiny_images.mean(axis=0)
    result = _fit(centred, cache=False, output_activation="linear", loss="mse")
    assert np.isfinite(result.history["loss"][-1])


def test_progress_lines_are_plain(tiny_images, capsys):
    _fit(tiny_images, cache=False, verbose=True, epochs=3)
    out = capsys.readouterr().out
    assert "epoch   3/3" in out and "\b" not in out and "\r" not in out


def test_reconstruct_checks_shape(tiny_images):
    model = aebook.dense_autoencoder(64, latent_dim=4)
    assert aebook.reconstruct(model, tiny_images).shape == tiny_images.shape
    with pytest.raises(ValueError, match="expects"):
        aebook.reconstruct(model, tiny_images[:, :10])


def test_encode_gives_the_latent_features(tiny_images):
    model = aebook.dense_autoencoder(64, latent_dim=4)
    h = aebook.encode(model, tiny_images, batch_size=10)  # several batches, the last one short
    np.testing.assert_allclose(h, np.asarray(model.encoder(tiny_images)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(aebook.reconstruct(model, tiny_images, batch_size=7),
                               np.asarray(model(tiny_images)), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="needs an autoencoder with an .encoder"):
        aebook.encode(model.encoder, tiny_images)
