import json
import os
import stat

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
    with pytest.raises(ValueError, match=r"outside \[0, 1\].*binary cross-entropy"):
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
    assert "epoch 3/3" in out and "\b" not in out and "\r" not in out


def test_progress_says_what_trains_and_how_long_is_left(tiny_images, model_cache, capsys):
    """Issue 15.3: one line on what trains, then at most about ten lines with time left."""
    _fit(tiny_images, verbose=True, epochs=25, batch_size=32)
    lines = capsys.readouterr().out.splitlines()
    head = lines[0]
    for part in ("ffa_64_4", "64-4-64", "64 samples", "25 epochs", "batch size 32", "backend on"):
        assert part in head, (part, head)
    epochs = [line for line in lines[1:] if line.strip().startswith("epoch")]
    assert 3 <= len(epochs) <= 11 and len(lines) == 1 + len(epochs)
    assert "epoch 25/25" in epochs[-1] and "done" in epochs[-1]
    assert all("elapsed" in line and "loss" in line for line in epochs)
    assert all("left" in line for line in epochs[:-1])
    _fit(tiny_images, verbose=True, epochs=25, batch_size=32)
    again = capsys.readouterr().out.splitlines()
    assert len(again) == 1 and "loaded ffa_64_4 (64-4-64) from the model cache" in again[0]


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


def _read_only_needs_non_root():
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root can write into read-only folders")


def test_unwritable_cache_fails_before_training(tiny_images, tmp_path, monkeypatch, capsys):
    """Issue 11.2: AEBOOK_CACHE_DIR naming a file fails fast, naming the fix."""
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("mine")
    monkeypatch.setenv("AEBOOK_CACHE_DIR", str(a_file))
    with pytest.raises(train.CacheError, match=r"AEBOOK_CACHE_DIR.*cache=False"):
        _fit(tiny_images, verbose=True)
    assert "training" not in capsys.readouterr().out  # refused before any training
    assert a_file.read_text() == "mine"
    assert not _fit(tiny_images, cache=False).from_cache  # the advice works


def test_read_only_cache_fails_before_training(tiny_images, tmp_path, monkeypatch):
    _read_only_needs_non_root()
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    monkeypatch.setenv("AEBOOK_CACHE_DIR", str(folder))
    try:
        with pytest.raises(train.CacheError, match=r"AEBOOK_CACHE_DIR.*cache=False"):
            _fit(tiny_images)
    finally:
        folder.chmod(0o755)


def test_folder_refusing_new_files_fails_before_training(tiny_images, model_cache, monkeypatch, capsys):
    """A read-only folder, simulated where the tests run as root (root writes anywhere)."""
    import tempfile

    def refuse(*_a, **_k):
        raise PermissionError(13, "Permission denied", str(model_cache))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(train.CacheError, match=r"PermissionError.*AEBOOK_CACHE_DIR.*cache=False"):
        _fit(tiny_images, verbose=True)
    assert "training" not in capsys.readouterr().out


def test_a_read_only_cache_still_serves_what_it_holds(tiny_images, model_cache, monkeypatch):
    """The write check comes after the lookup: a shared read-only cache still gives hits."""
    import tempfile

    first = _fit(tiny_images)

    def refuse(*_a, **_k):
        raise PermissionError(13, "Permission denied", str(model_cache))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    again = _fit(tiny_images)
    assert again.from_cache and _same_weights(first.model, again.model)


def test_save_failure_after_training_keeps_the_model(tiny_images, model_cache, monkeypatch):
    """Issue 11.2: if the cache write fails after training, warn and return the model."""
    reference = _fit(tiny_images, cache=False, seed=5)

    def fail(*_a, **_k):
        raise FileNotFoundError("the cache folder was deleted during the save")

    monkeypatch.setattr(train, "_atomic_json", fail)
    with pytest.warns(RuntimeWarning, match=r"could not be saved.*returned.*cache=False"):
        result = _fit(tiny_images, seed=5)
    assert not result.from_cache and len(result.history["loss"]) == SMALL["epochs"]
    assert _same_weights(result.model, reference.model)
    assert not list(model_cache.glob("*/tmp-*"))  # no half-written file left behind


def test_meta_json_has_the_mode_of_the_weights(tiny_images, model_cache):
    """Issue 11.8: meta.json was 0600 (tempfile) while the weights were 0644."""
    old = os.umask(0o022)
    try:
        entry = model_cache / _fit(tiny_images).key
    finally:
        os.umask(old)
    mode = stat.S_IMODE((entry / "meta.json").stat().st_mode)
    assert mode == stat.S_IMODE((entry / "model.weights.h5").stat().st_mode) == 0o644


ACTIVATION = {"hidden": "relu"}


def _activation():
    return ACTIVATION["hidden"]


def _builder_with_helper(input_dim=64, latent_dim=4):
    return aebook.dense_autoencoder(input_dim, latent_dim=latent_dim, activation=_activation())


def test_a_change_in_a_helper_of_the_builder_changes_the_key(tiny_images, model_cache, monkeypatch):
    """Issue 11.3: the key hashed only the builder's own source, so this hit a stale entry."""
    args = {k: v for k, v in SMALL.items()}
    first = aebook.fit(_builder_with_helper, tiny_images, **args)
    assert aebook.fit(_builder_with_helper, tiny_images, **args).from_cache
    monkeypatch.setitem(ACTIVATION, "hidden", "tanh")
    changed = aebook.fit(_builder_with_helper, tiny_images, **args)
    assert changed.key != first.key and not changed.from_cache


def test_layer_names_do_not_enter_the_key(tiny_images, model_cache):
    """Keras numbers unnamed layers per process (dense, dense_1, ...): not part of the key."""
    import keras

    def plain(input_dim=64):
        x = keras.Input((input_dim,))
        h = keras.layers.Dense(4, activation="relu")(x)
        return keras.Model(x, keras.layers.Dense(input_dim, activation="sigmoid")(h))

    first, second = plain(), plain()
    assert first.layers[1].name != second.layers[1].name
    assert train.model_fingerprint(first) == train.model_fingerprint(second)
    other = aebook.dense_autoencoder(64, latent_dim=4)
    assert train.model_fingerprint(first) != train.model_fingerprint(other)


@pytest.mark.parametrize("make_loss", ["object", "function"])
def test_loss_objects_are_keyed_by_content(tiny_images, model_cache, make_loss):
    """Issue 11.3: a loss object was keyed by str(), a memory address: it never hit again."""
    import keras

    def loss():
        if make_loss == "object":
            return keras.losses.BinaryCrossentropy()
        return keras.losses.binary_crossentropy

    first = _fit(tiny_images, loss=loss())
    second = _fit(tiny_images, loss=loss())
    assert second.from_cache and second.key == first.key
    spec = json.dumps(first.meta["spec"])
    assert " at 0x" not in spec and "inary" in spec
    other = _fit(tiny_images, loss=keras.losses.BinaryCrossentropy(label_smoothing=0.1))
    assert other.key != first.key


def test_the_key_is_the_same_in_another_process(tiny_images, model_cache):
    """An object loss hits across processes: the key depends on content only."""
    import subprocess
    import sys

    import keras

    np.save(model_cache.parent / "x.npy", tiny_images)
    here = _fit(tiny_images, loss=keras.losses.BinaryCrossentropy())
    code = (
        "import numpy as np, keras, aebook\n"
        f"x = np.load({str(model_cache.parent / 'x.npy')!r})\n"
        f"t = aebook.fit('dense_autoencoder', x, loss=keras.losses.BinaryCrossentropy(), **{SMALL!r})\n"
        "print(t.key, t.from_cache)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "AEBOOK_CACHE_DIR": str(model_cache)})
    assert out.stdout.split()[-2:] == [here.key, "True"]


@pytest.mark.parametrize(
    "loss", ["BCE", "BinaryCrossentropy", "binary_crossentropy", "bce", "keras-object", "keras-function"]
)
def test_every_bce_spelling_gets_the_unit_interval_check(tiny_images, loss):
    """Issue 11.4: aliases and objects of the BCE skipped the [0, 1] check."""
    import keras

    loss = {"keras-object": keras.losses.BinaryCrossentropy(),
            "keras-function": keras.losses.binary_crossentropy}.get(loss, loss)
    data = tiny_images * 4 - 2  # in [-2, 2]
    with pytest.raises(ValueError, match=r"outside \[0, 1\].*is the binary cross-entropy"):
        _fit(data, cache=False, loss=loss, output_activation="linear")


def test_scoring_refuses_8bit_data_on_a_sigmoid_model(tiny_images):
    """Issue 11.4: uint8 images scored by a [0, 1] model gave REs of about 22,000."""
    model = aebook.dense_autoencoder(64, latent_dim=4)
    raw = (tiny_images * 255).astype(np.uint8)
    for fn in (aebook.reconstruct, aebook.encode, aebook.anomaly_scores):
        with pytest.raises(ValueError, match=r"outside \[0, 1\].*sigmoid.*x / 255"):
            fn(model, raw)
    assert aebook.reconstruct(model, raw, check_range=False).shape == raw.shape
    linear = aebook.dense_autoencoder(64, latent_dim=4, output_activation="linear")
    assert aebook.reconstruct(linear, raw).shape == raw.shape  # no [0, 1] promise to keep


def test_unclear_errors_of_fit_now_name_the_argument(tiny_images):
    """Issue 11.6: empty arrays, bare or wrong-width validation_data, wrong input_dim, 1e39."""
    with pytest.raises(ValueError, match=r"x is empty"):
        _fit(np.zeros((0, 64), np.float32), cache=False)
    with pytest.raises(TypeError, match=r"validation_data must be a pair.*\(x_val, x_val\)"):
        _fit(tiny_images, cache=False, validation_data=tiny_images[:2])
    with pytest.raises(ValueError, match=r"validation_data\[0\] has samples of shape \(10,\)"):
        _fit(tiny_images, cache=False, validation_data=(tiny_images[:, :10], tiny_images[:, :10]))
    with pytest.raises(ValueError, match=r"input_dim=10"):
        _fit(tiny_images[:, :10], cache=False)
    with pytest.raises(ValueError, match=r"x is empty|validation_data\[0\] is empty"):
        _fit(tiny_images, cache=False, validation_data=(tiny_images[:0], tiny_images[:0]))
    huge = tiny_images.astype(np.float64)
    huge[0, 0] = 1e39
    with pytest.raises(ValueError, match="too large for float32"):
        _fit(huge, cache=False)
    with pytest.raises(TypeError, match="epochs must be an integer"):
        _fit(tiny_images, cache=False, epochs="3")


def test_a_decoder_takes_latent_codes_outside_the_unit_interval():
    """The [0, 1] check guards an autoencoder's inputs, not a decoder's latent codes."""
    model = aebook.dense_autoencoder(12, (), 3)
    codes = np.full((4, 3), 7.5, dtype="float32")  # ReLU codes are often > 1
    out = aebook.reconstruct(model.decoder, codes)
    assert out.shape == (4, 12) and np.all((out >= 0) & (out <= 1))
    with pytest.raises(ValueError, match="outside \\[0, 1\\]"):
        aebook.reconstruct(model, np.full((4, 12), 255.0, dtype="float32"))
