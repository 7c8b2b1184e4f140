import pytest

from aebook import config


def test_profiles_have_the_papers_settings():
    paper = config.get_profile("paper")
    assert (paper.n_train, paper.n_test, paper.epochs, paper.batch_size) == (None, None, 30, 256)
    quick = config.get_profile("quick")
    assert quick.n_train < 60_000 and quick.epochs < paper.epochs


def test_profile_from_environment(monkeypatch):
    monkeypatch.setenv("AEBOOK_PROFILE", "quick")
    assert config.get_profile().name == "quick"
    monkeypatch.delenv("AEBOOK_PROFILE")
    assert config.get_profile().name == "paper"


def test_unknown_profile_names_the_choices():
    with pytest.raises(ValueError, match=r"unknown profile 'fast'.*paper, quick"):
        config.get_profile("fast")


def test_folders_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("AEBOOK_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("AEBOOK_DATA_DIR", str(tmp_path / "d"))
    assert config.cache_dir() == tmp_path / "c"
    assert config.data_dir() == tmp_path / "d"
    monkeypatch.delenv("AEBOOK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert config.cache_dir() == tmp_path / "xdg" / "aebook"
    monkeypatch.delenv("AEBOOK_DATA_DIR")
    assert config.data_dir() is None


def test_seed(monkeypatch):
    monkeypatch.delenv("AEBOOK_SEED", raising=False)
    assert config.default_seed() == 42
    monkeypatch.setenv("AEBOOK_SEED", "7")
    assert config.default_seed() == 7
    monkeypatch.setenv("AEBOOK_SEED", "seven")
    with pytest.raises(ValueError, match="AEBOOK_SEED must be an integer"):
        config.default_seed()


def test_import_has_no_side_effects():
    import subprocess
    import sys

    code = "import sys, aebook; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
