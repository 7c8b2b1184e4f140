"""Tests of the recipes in aebook.experiments, on a tiny profile (a few hundred images, one epoch)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import aebook
from aebook import config, experiments

TINY = dataclasses.replace(config.PROFILES["quick"], name="tiny", n_train=256, n_test=64, epochs=1,
                           batch_size=64, conv_n_train=128, conv_epochs=1, conv_batch_size=64)


@pytest.fixture
def mnist(shared_data_dir):
    return experiments.load_profile_data("mnist", TINY)


def test_profile_data_carries_its_profile(mnist):
    assert isinstance(mnist, aebook.Dataset) and mnist.profile is TINY
    assert mnist.x_train.shape == (256, 784) and mnist.x_test.shape == (64, 784)
    (x_train, y_train), _ = mnist  # still unpacks like a Dataset
    assert len(y_train) == len(x_train)
    conv = experiments.load_conv_data(TINY)
    assert conv.x_train.shape == (128, 28, 28, 1) and conv.profile is TINY


def test_a_recipe_refuses_data_that_does_not_know_its_profile(shared_data_dir):
    plain = aebook.load_dataset("mnist", flatten=True, n_train=10, n_test=10)
    for recipe in (experiments.paper_autoencoder, experiments.shoe_among_digits):
        with pytest.raises(TypeError, match="load_profile_data"):
            recipe(plain, 8)


def test_chapter_and_report_share_the_model_by_calling_the_same_recipe(mnist, model_cache):
    first = experiments.paper_autoencoder(mnist, 8, verbose=False)
    again = experiments.paper_autoencoder(experiments.load_profile_data("mnist", TINY), 8, verbose=False)
    assert not first.from_cache and again.from_cache and again.key == first.key
    spec = first.meta["spec"]
    assert spec["epochs"] == TINY.epochs and spec["batch_size"] == TINY.batch_size
    h_train, h_test = experiments.latent_features(mnist, 8, verbose=False)
    assert h_train.shape == (256, 8) and h_test.shape == (64, 8)


def test_shoe_among_digits_ranks_every_image(mnist, model_cache):
    shoe = experiments.shoe_among_digits(mnist, 8, verbose=False)
    assert shoe.shoe_index == 0 and shoe.shoe_class == "Ankle boot"  # Fashion-MNIST test image 0
    assert len(shoe.x) == len(mnist.x_test) + 1 and shoe.position == len(mnist.x_test)
    assert sorted(shoe.ranking.tolist()) == list(range(len(shoe.x)))
    assert np.all(np.diff(shoe.scores[shoe.ranking]) <= 0)
    assert shoe.scores[shoe.runner_up] == max(shoe.scores[:shoe.position])
    assert 1 <= shoe.shoe_rank <= len(shoe.x)
    with pytest.raises(ValueError, match="shoe_class"):
        experiments.shoe_among_digits(mnist, 8, shoe_class="Boot")


def test_denoiser_uses_separate_noise_for_training_and_test(mnist, model_cache):
    dn = experiments.denoiser(mnist, 0.5, 8, seed=3, verbose=False)
    assert dn.noisy_train.shape == mnist.x_train.shape and dn.noisy_test.shape == mnist.x_test.shape
    assert np.array_equal(dn.noisy_test, aebook.add_gaussian_noise(mnist.x_test, 0.5, seed=4))
    assert dn.trained.meta["spec"]["y"] != "same-as-x"  # clean targets, not the noisy inputs


def test_conv_recipes_train_both_models_the_same_way(shared_data_dir, model_cache):
    data = experiments.load_conv_data(TINY)
    ca = experiments.paper_conv_autoencoder(data, verbose=False)
    ffa = experiments.conv_baseline_ffa(data, 8, verbose=False)
    for t in (ca, ffa):
        assert t.meta["spec"]["epochs"] == config.conv_epochs(TINY)
        assert t.meta["spec"]["batch_size"] == TINY.conv_batch_size


def test_conv_epochs_rule_lives_in_config():
    quick, paper_profile = config.PROFILES["quick"], config.PROFILES["paper"]
    assert config.conv_epochs(quick, on_gpu=True) == quick.conv_epochs
    assert config.conv_epochs(paper_profile, on_gpu=False) == paper_profile.conv_epochs
    assert config.conv_epochs(paper_profile, on_gpu=True) == paper_profile.epochs == aebook.paper.EPOCHS
