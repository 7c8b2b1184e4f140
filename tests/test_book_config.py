"""_config.yml: what the book build reads."""

from pathlib import Path

import yaml
from sphinx.util.matching import Matcher

ROOT = Path(__file__).resolve().parents[1]


def test_the_build_never_reads_a_virtual_environment():
    # .ci/run builds .venv-colab while the tests run; Sphinx once read the Markdown
    # and reStructuredText inside its site-packages and the build failed
    patterns = yaml.safe_load((ROOT / "_config.yml").read_text())["exclude_patterns"]
    excluded = Matcher(patterns)
    for path in (".venv", ".venv-colab", ".venv-colab/lib/python3.13/site-packages/x/README.md",
                 "_build"):
        assert excluded(path), path
    assert not excluded("chapters/01_what_is_an_autoencoder.md")
