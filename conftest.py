"""Pytest hook: execute every chapter listed in ``_toc.yml`` with nbval.

nbval collects only ``.ipynb`` files; the chapters are jupytext MyST markdown.
This hook hands nbval the notebook that jupytext parses from each ``.md``
file, in memory: no converted file is written anywhere. The kernel runs in
the chapter's folder, as in the book build. Run with
``pytest --nbval-lax --nbval-current-env`` (``make test`` does); the profile
is ``quick`` unless ``AEBOOK_PROFILE`` says otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools import toc

ROOT = Path(__file__).parent


def pytest_configure(config):
    """A plain ``pytest`` runs the chapters in the quick profile, as ``make test`` does.

    Sets ``AEBOOK_PROFILE=quick`` only when it is unset, before any kernel
    starts; ``aebook.config`` stays the only module that reads it.
    """
    os.environ.setdefault("AEBOOK_PROFILE", "quick")


def pytest_collect_file(file_path: Path, parent):
    opt = parent.config.option
    if not (getattr(opt, "nbval", False) or getattr(opt, "nbval_lax", False)):
        return None
    if file_path.suffix != ".md" or file_path.parent.name != "chapters":
        return None
    if file_path.resolve() not in {path.resolve() for path in toc.files(ROOT)}:
        return None
    return MarkdownNotebook.from_parent(parent, path=file_path)


try:
    from nbval.plugin import IPyNbFile
except ImportError:  # nbval missing: chapters are simply not collected
    IPyNbFile = pytest.File


class MarkdownNotebook(IPyNbFile):
    """An nbval notebook read from a jupytext markdown file."""

    def collect(self):
        import jupytext
        import nbval.plugin as nbval_plugin

        notebook = jupytext.read(str(self.path))
        real = nbval_plugin.nbformat

        class _Reader:
            def __getattr__(self, name):
                return getattr(real, name)

            @staticmethod
            def read(*_args, **_kwargs):
                return notebook

        nbval_plugin.nbformat = _Reader()
        try:
            yield from super().collect()
        finally:
            nbval_plugin.nbformat = real
