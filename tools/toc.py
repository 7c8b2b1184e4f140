"""The one reader of ``_toc.yml``: which pages the book has, in book order, and which are notebooks.

Parsed with ``sphinx-external-toc``, the library Jupyter Book itself uses to
read the file, so the tests (``conftest.py``), the Colab notebooks
(``tools/colab_notebooks.py``) and the benchmarks (``benchmarks/book.py``)
see exactly the pages the site builds.
"""

from __future__ import annotations

from pathlib import Path

from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parents[1]
SUFFIXES = (".md", ".ipynb")

__all__ = ["docnames", "files", "is_notebook", "notebooks"]


def docnames(root: Path = ROOT) -> list[str]:
    """Every docname ``_toc.yml`` lists (``chapters/01_what_is_an_autoencoder``), root page first."""
    toc = Path(root) / "_toc.yml"
    if not toc.is_file():
        raise FileNotFoundError(f"no _toc.yml in {root}: pass the book's folder as root")
    return list(parse_toc_yaml(str(toc)))


def files(root: Path = ROOT) -> list[Path]:
    """The source file of every page in ``_toc.yml``, in book order.

    A page is ``<docname>.md`` or ``<docname>.ipynb``, whichever exists; a page
    with neither gives its ``.md`` path, so that callers can report it missing.
    """
    root = Path(root)
    found = []
    for name in docnames(root):
        candidates = [root / f"{name}{suffix}" for suffix in SUFFIXES]
        found.append(next((path for path in candidates if path.is_file()), candidates[0]))
    return found


def is_notebook(path: Path) -> bool:
    """True for an ``.ipynb`` page or a jupytext markdown notebook (its metadata has a kernelspec)."""
    path = Path(path)
    if path.suffix == ".ipynb":
        return True
    import jupytext  # here: reading the toc alone needs no jupytext

    return path.suffix == ".md" and "kernelspec" in jupytext.read(str(path)).metadata


def notebooks(root: Path = ROOT) -> list[Path]:
    """The pages of ``_toc.yml`` that exist and execute as notebooks, in book order."""
    return [path for path in files(root) if path.is_file() and is_notebook(path)]
