"""The Keras backend: the choice (config), its selection before Keras loads, seeding on each backend."""

import functools
import importlib.util
import json
import os
import subprocess
import sys

import pytest

from aebook import config

HAS_JAX = importlib.util.find_spec("jax") is not None
MEASURED = {"cpu": {"dense": {"epoch_seconds": {"tensorflow": 0.5, "jax": 0.3}},
                    "conv": {"epoch_seconds": {"tensorflow": 90.0, "jax": 1600.0}}}}


@pytest.fixture
def no_choice(monkeypatch):
    monkeypatch.delenv("AEBOOK_BACKEND", raising=False)
    monkeypatch.delenv("KERAS_BACKEND", raising=False)


def test_backend_setting_reads_aebook_then_keras_variable(monkeypatch, no_choice):
    assert config.backend() is None
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert config.backend() == "jax"
    monkeypatch.setenv("AEBOOK_BACKEND", " TensorFlow ")
    assert config.backend() == "tensorflow"
    monkeypatch.setenv("AEBOOK_BACKEND", "torch")
    with pytest.raises(ValueError, match="AEBOOK_BACKEND='torch'.*tensorflow, jax"):
        config.backend()


def test_choice_is_the_fastest_measured_available_backend(no_choice):
    both, choose = ("tensorflow", "jax"), config.choose_backend
    assert config.choose_backend("dense", available=both, measurement=MEASURED)[0] == "jax"
    assert config.choose_backend("conv", available=both, measurement=MEASURED)[0] == "tensorflow"
    # JAX not installed, no measurement for the device, or no family: the default
    assert config.choose_backend("dense", available=("tensorflow",), measurement=MEASURED)[0] == "tensorflow"
    assert choose("dense", device="gpu", available=both, measurement=MEASURED)[0] == "tensorflow"
    assert config.choose_backend(None, available=both, measurement=MEASURED) == ("tensorflow", "the default")
    assert config.choose_backend("dense", available=both, measurement={})[0] == "tensorflow"
    # a gain within the noise of one run does not replace the default
    close = {"cpu": {"dense": {"epoch_seconds": {"tensorflow": 1.0, "jax": 0.9}}}}
    assert choose("dense", available=both, measurement=close)[0] == "tensorflow"
    with pytest.raises(ValueError, match="models must be one of dense, conv"):
        config.choose_backend("convolutional", measurement=MEASURED)


def test_the_readers_choice_wins(monkeypatch, no_choice):
    monkeypatch.setenv("AEBOOK_BACKEND", "tensorflow")
    name, reason = config.choose_backend("dense", available=("tensorflow", "jax"), measurement=MEASURED)
    assert name == "tensorflow" and "reader" in reason


def test_the_committed_measurement_names_a_time_for_each_family_on_tensorflow():
    data = config.backend_measurement()
    assert data, f"{config.BACKEND_MEASUREMENT} is missing: run benchmarks/run.py --only train"
    for family in config.MODEL_FAMILIES:
        seconds = data["cpu"][family]["epoch_seconds"]
        assert set(seconds) <= set(config.BACKENDS) and seconds["tensorflow"] > 0


def _run(code: str, **env) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("AEBOOK_BACKEND", "KERAS_BACKEND")}
    full.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=600)


def test_importing_aebook_and_its_backend_module_loads_no_backend():
    out = _run("import sys, aebook, aebook.backend; "
               "print([m for m in ('keras', 'tensorflow', 'jax') if m in sys.modules])")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_seeding_call_selects_the_backend_before_keras_loads_and_prints_it():
    code = "import aebook, keras; aebook.set_seed(models='conv'); print('loaded', keras.backend.backend())"
    out = _run(code)
    assert out.returncode == 0, out.stderr
    assert "on tensorflow" in out.stdout and "loaded tensorflow" in out.stdout


def test_asking_for_another_backend_after_keras_loaded_is_an_error():
    code = "import keras, aebook; aebook.set_seed(models='dense')"
    out = _run(code, AEBOOK_BACKEND="jax", KERAS_BACKEND="tensorflow")
    assert out.returncode != 0
    assert "Keras already runs on tensorflow" in out.stderr and "restart" in out.stderr


_TRAIN_TWICE = """
import hashlib, json, tempfile
import numpy as np
import aebook
aebook.set_seed(models="dense")
x = np.random.default_rng(0).uniform(size=(256, 20)).astype("float32")
out = {"backend": aebook.backend_info()["backend"], "digests": [], "keys": []}
for _ in range(2):
    t = aebook.fit("dense_autoencoder", x, epochs=3, batch_size=32, input_dim=20, latent_dim=4, cache=False,
                   verbose=False, seed=7)
    blob = b"".join(np.asarray(w).tobytes() for w in t.model.get_weights())
    out["digests"].append(hashlib.sha256(blob).hexdigest())
    out["keys"].append(t.key)
print(json.dumps(out))
"""


@functools.cache
def _train_twice(backend: str) -> dict:
    out = _run(_TRAIN_TWICE, AEBOOK_BACKEND=backend)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("backend", ["tensorflow", pytest.param(
    "jax", marks=pytest.mark.skipif(not HAS_JAX, reason="JAX not installed (pip install aebook[jax])"))])
def test_seeded_training_is_bit_identical_on_each_backend(backend):
    res = _train_twice(backend)
    assert res["backend"] == backend
    assert res["digests"][0] == res["digests"][1], f"two seeded trainings on {backend} differ"
    assert res["keys"][0] == res["keys"][1]


@pytest.mark.skipif(not HAS_JAX, reason="JAX not installed (pip install aebook[jax])")
def test_the_backend_is_part_of_the_model_cache_key():
    # the same builder, data, seed and settings on the two backends: two cache entries
    assert _train_twice("tensorflow")["keys"][0] != _train_twice("jax")["keys"][0]


@pytest.mark.skipif(not HAS_JAX, reason="JAX not installed (pip install aebook[jax])")
def test_training_on_jax_never_imports_tensorflow_and_hits_the_same_cache_entry(tmp_path):
    # Keras imports TensorFlow on any backend when it is installed (about 5 s); on JAX the
    # seeding call stops that. The cache key must not depend on whether TensorFlow was loaded.
    code = ("import json, sys, numpy as np, aebook\n"
            "PRE\naebook.set_seed(1, models='dense')\n"
            "x = np.random.default_rng(0).uniform(size=(64, 12)).astype('float32')\n"
            "t = aebook.fit(aebook.dense_autoencoder, x, input_dim=12, latent_dim=3, epochs=2,\n"
            "               batch_size=16, verbose=False)\n"
            "aebook.reconstruct(t.model, x)\n"
            "print(json.dumps({'tf': 'tensorflow' in sys.modules, 'key': t.key,\n"
            "                  'cached': t.from_cache}))")
    runs = {}
    for name, pre in (("plain", ""), ("tf-first", "import tensorflow\n")):
        out = _run(code.replace("PRE\n", pre), AEBOOK_BACKEND="jax", KERAS_BACKEND="jax",
                   AEBOOK_CACHE_DIR=str(tmp_path))
        assert out.returncode == 0, out.stderr
        runs[name] = json.loads(out.stdout.strip().splitlines()[-1])
    assert runs["plain"]["tf"] is False
    assert runs["tf-first"]["tf"] is True  # a reader's own TensorFlow import still works
    assert runs["tf-first"]["key"] == runs["plain"]["key"] and runs["tf-first"]["cached"]
