"""The Colab notebooks in ``notebooks/`` and the Colab launch buttons (tools/colab_notebooks.py)."""

from __future__ import annotations

import importlib.metadata
import json
import re
import sys
import types
from pathlib import Path

import jupytext
import pytest

from tools import colab_notebooks as cn
from tools import toc

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_CHAPTERS = toc.notebooks(ROOT)
IDS = [md.stem for md in NOTEBOOK_CHAPTERS]


# ---------------------------------------------------------------- the committed notebooks
def test_toc_chapters_exist_and_some_are_notebooks():
    missing = [str(md.relative_to(ROOT)) for md in toc.files(ROOT) if not md.exists()]
    assert missing == [], f"_toc.yml lists missing files: {missing}"
    assert len(NOTEBOOK_CHAPTERS) >= 2


@pytest.mark.parametrize("md", NOTEBOOK_CHAPTERS, ids=IDS)
def test_every_chapter_has_its_notebook(md):
    notebook = ROOT / cn.notebook_for_docname(cn.docname_of(md, ROOT))
    assert notebook.exists(), f"{md.relative_to(ROOT)} has no Colab notebook: run `make notebooks`"


def test_notebooks_are_in_sync_with_chapters():
    """Regenerating every notebook in memory gives exactly the committed files."""
    changes = cn.sync(ROOT, check=True)
    assert changes == [], "notebooks/ is out of date, run `make notebooks`:\n" + "\n".join(changes)


@pytest.mark.parametrize("md", NOTEBOOK_CHAPTERS, ids=IDS)
def test_notebook_has_no_outputs_and_no_local_paths(md):
    notebook = ROOT / cn.notebook_for_docname(cn.docname_of(md, ROOT))
    if not notebook.exists():
        pytest.skip("missing notebook (reported by test_every_chapter_has_its_notebook)")
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]
    text = notebook.read_text(encoding="utf-8")
    # Colab has none of this machine's folders: data must come through the data layer's download.
    for local in ("shared/data", "AEBOOK_DATA_DIR=", "/work/", "file://"):
        assert local not in text, f"{notebook.name} refers to a local path ({local})"
    assert nb["metadata"]["aebook"]["generated_from"] == f"{cn.docname_of(md, ROOT)}.md"
    # Colab opens it on a GPU runtime
    assert nb["metadata"]["accelerator"] == "GPU" and nb["metadata"]["colab"]["gpuType"]
    # the Colab cells, each once: runtime first; the note right before the install cell, then Drive
    colab = cn.colab_cells(ROOT)
    sources = ["".join(cell["source"]) for cell in nb["cells"]]
    assert sources[0] == colab["runtime"]
    assert sources.count(colab["install"]) == 1 and sources.count(colab["drive"]) == 1
    at = sources.index(colab["install"])
    assert "Running this chapter in Colab" in sources[at - 1] and sources[at + 1] == colab["drive"]
    # the chapter's own install cell was replaced, not kept beside the notebook's
    assert not any(cn.is_chapter_install_cell(nbformat_cell) for nbformat_cell in
                   jupytext.reads(notebook.read_text(encoding="utf-8"), fmt="ipynb").cells)


# ---------------------------------------------------------------- the Colab-only cells
class _FakeIPython:
    def __init__(self):
        self.calls: list[tuple[str, str]] = []

    def run_line_magic(self, name, line):
        self.calls.append((name, line))

    def system(self, command):
        self.calls.append(("system", command))


def _run_cell(source: str, in_colab: bool, monkeypatch, colab_module=None) -> list[tuple[str, str]]:
    """Execute a cell with a recording IPython, in a fake Colab (``google.colab`` imported) or not."""
    shell = _FakeIPython()
    if in_colab:
        monkeypatch.setitem(sys.modules, "google.colab", colab_module or types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(source, "<colab cell>", "exec"), {"get_ipython": lambda: shell})
    return shell.calls


def test_install_cell_installs_only_what_colab_lacks(monkeypatch, capsys):
    """aebook from _config.yml's repository with --no-deps, then only the missing requirements."""
    url, branch = cn.repository(ROOT)
    source = cn.colab_cells(ROOT)["install"]
    assert _run_cell(source, in_colab=False, monkeypatch=monkeypatch) == [], \
        "the install cell must do nothing outside Colab"

    # aebook's requirements as Colab would see them after the --no-deps install: all of
    # pyproject's (installed here, as in Colab), an extra's (skipped) and one that is missing
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requires = [*project["dependencies"], 'pytest>=8; extra == "test"', "surely-not-installed-pkg>=1.2"]
    monkeypatch.setattr(importlib.metadata, "requires", lambda name: requires if name == "aebook" else None)
    calls = _run_cell(source, in_colab=True, monkeypatch=monkeypatch)
    assert [name for name, _ in calls] == ["pip", "pip"], calls
    first = calls[0][1].split()
    assert first[:3] == ["install", "-q", "--no-deps"] and first[3] == f"git+{url}@{branch}", \
        f"the install cell installs {first}, but _config.yml's repository is {url} (branch {branch})"
    assert calls[1][1] == 'install -q "surely-not-installed-pkg>=1.2"', \
        f"only the missing requirement may be installed; the cell ran {calls[1]}"
    assert "surely-not-installed-pkg" in capsys.readouterr().out


def test_drive_cell_is_off_by_default(monkeypatch, tmp_path):
    source = cn.colab_cells(ROOT)["drive"]
    mounted = []
    colab = types.ModuleType("google.colab")
    colab.drive = types.SimpleNamespace(mount=mounted.append)
    monkeypatch.delenv("AEBOOK_CACHE_DIR", raising=False)
    assert re.search(r"^USE_DRIVE = False  #@param", source, flags=re.M), "the Drive cell must be off"
    assert _run_cell(source, in_colab=True, monkeypatch=monkeypatch, colab_module=colab) == []
    assert mounted == [] and "AEBOOK_CACHE_DIR" not in __import__("os").environ
    # switched on (the form field), it mounts the Drive and points the model cache there
    monkeypatch.setattr("os.makedirs", lambda path, exist_ok: None)
    _run_cell(source.replace("USE_DRIVE = False", "USE_DRIVE = True"), in_colab=True,
              monkeypatch=monkeypatch, colab_module=colab)
    assert mounted == ["/content/drive"]
    assert __import__("os").environ["AEBOOK_CACHE_DIR"] == "/content/drive/MyDrive/aebook-model-cache"


@pytest.mark.parametrize("md", NOTEBOOK_CHAPTERS, ids=IDS)
def test_chapter_install_cell_is_colab_only(md, monkeypatch):
    """A chapter's own install cell (if it keeps one) is hidden from the site and inert outside Colab."""
    first = next(cell for cell in jupytext.read(str(md)).cells if cell.cell_type == "code")
    if not cn.is_chapter_install_cell(first):
        pytest.skip("the chapter has no install cell of its own (the notebook adds one)")
    assert _run_cell(first.source, in_colab=False, monkeypatch=monkeypatch) == []


# ---------------------------------------------------------------- links and conversion
def test_colab_url_uses_the_config(tmp_path):
    (tmp_path / "_config.yml").write_text(
        "repository:\n  url: https://github.com/someone/book.git\n  branch: dev\n"
        "launch_buttons:\n  colab_url: https://colab.example/\n")
    url = cn.colab_url("chapters/03_x", root=tmp_path)
    assert url == "https://colab.example/github/someone/book/blob/dev/notebooks/03_x.ipynb"
    assert cn.colab_url("chapters/01_what_is_an_autoencoder", root=ROOT).endswith(
        "/notebooks/01_what_is_an_autoencoder.ipynb")


def test_site_url_is_the_github_pages_address(tmp_path):
    assert cn.site_url(url="https://github.com/Some-One/book.git") == "https://some-one.github.io/book/"
    assert cn.site_url(url="https://github.com/someone/someone.github.io") == "https://someone.github.io/"
    url, _ = cn.repository(ROOT)
    assert cn.site_url(ROOT) == cn.site_url(url=url)
    with pytest.raises(ValueError, match="GitHub"):
        cn.site_url(url="https://gitlab.com/a/b")


def test_colab_url_rejects_non_github(tmp_path):
    (tmp_path / "_config.yml").write_text("repository:\n  url: https://gitlab.com/a/b\n")
    with pytest.raises(ValueError, match="GitHub"):
        cn.colab_url("chapters/x", root=tmp_path)


def test_myst_markup_is_simplified_for_colab():
    bib = {"michelucci2022": "Michelucci\t2022", "bank2020": "Bank et al.\t2020"}
    titles = {"ch-intro": "How to read this book"}
    text = ("(ch-x)=\n# Title\n\nAfter {cite:t}`michelucci2022` and {cite:p}`bank2020,michelucci2022`,"
            " see {ref}`ch-intro`, {ref}`this part <ch-intro>` and {numref}`fig-ch01-a`.\n\n"
            "$$\nx = 1\n$$ (eq-one)\n\nBy {eq}`eq-one`.\n\n```{bibliography}\n:all:\n```\n\n"
            "```{admonition} Erratum\n:class: note\nThe paper says 0.003.\n```\n\n```{note}\nA note.\n```\n")
    equations = cn.equation_numbers([text])
    assert equations == {"eq-one": 1}
    out = cn.myst_to_colab_markdown(text, bib, titles, equations)
    assert out.startswith("# Title")
    assert "Michelucci (2022)" in out and "(Bank et al. 2020; Michelucci 2022)" in out
    assert "*How to read this book*" in out and "this part" in out and "the figure" in out
    assert "$$\nx = 1\n\\tag{1}\n$$" in out and "By (1)." in out
    assert "eq-one" not in out and "bibliography" not in out
    assert "> **Erratum**\n>\n> The paper says 0.003." in out and "> **Note**\n>\n> A note." in out
    assert ":class:" not in out and "```" not in out
    assert not re.search(r"\{[\w:-]+\}`", out)  # no role left behind


def _tiny_book(root: Path, chapters: list[str]) -> None:
    (root / "chapters").mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text("repository:\n  url: https://github.com/a/b\n  branch: main\n")
    toc = "format: jb-book\nroot: chapters/00_a\n" + ("chapters:\n" if chapters[1:] else "") + "".join(
        f"  - file: chapters/{name}\n" for name in chapters[1:])
    (root / "_toc.yml").write_text(toc)
    header = ("---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
              "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n")
    for name in chapters:
        (root / "chapters" / f"{name}.md").write_text(
            header + f"# {name}\n\n```{{code-cell}} ipython3\nprint('{name}')\n```\n")


def test_sync_writes_checks_and_removes_only_its_own_files(tmp_path):
    _tiny_book(tmp_path, ["00_a", "01_b"])
    assert len(cn.sync(tmp_path, check=True)) == 2  # both would be created
    assert not (tmp_path / "notebooks").exists()  # check mode writes nothing
    assert len(cn.sync(tmp_path)) == 2
    first = (tmp_path / "notebooks" / "01_b.ipynb").read_text()
    assert cn.sync(tmp_path) == [] and cn.sync(tmp_path, check=True) == []  # deterministic
    # runtime cell, title, note, install, Drive, the chapter's code
    assert '"id": "cell-005"' in first and "Running this chapter in Colab" in first
    cells = json.loads(first)["cells"]
    assert "".join(cells[0]["source"]) == cn.colab_cells(tmp_path)["runtime"]
    assert "".join(cells[5]["source"]) == "print('01_b')"
    assert json.loads(first)["metadata"]["accelerator"] == "GPU"

    # editing a chapter makes its notebook stale
    md = tmp_path / "chapters" / "01_b.md"
    md.write_text(md.read_text().replace("print('01_b')", "print('changed')"))
    assert cn.sync(tmp_path, check=True) == ["update notebooks/01_b.ipynb (from chapters/01_b.md)"]
    assert cn.main(["--check", "--root", str(tmp_path)]) == 1
    assert cn.main(["--root", str(tmp_path)]) == 0 and cn.main(["--check", "--root", str(tmp_path)]) == 0

    # a chapter leaves the toc: its generated notebook goes, a user's own notebook stays
    user_file = tmp_path / "notebooks" / "mine.ipynb"
    user_file.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    _tiny_book(tmp_path, ["00_a"])
    assert cn.sync(tmp_path) == ["remove notebooks/01_b.ipynb (no chapter in _toc.yml produces it)"]
    assert user_file.exists() and not (tmp_path / "notebooks" / "01_b.ipynb").exists()


def test_titles_come_only_from_chapters_in_the_toc(tmp_path):
    """A file that is not (yet) in _toc.yml cannot change the notebooks (CI sees only the toc)."""
    _tiny_book(tmp_path, ["00_a", "01_b"])
    md = tmp_path / "chapters" / "01_b.md"
    md.write_text(md.read_text() + "\nSee {ref}`ch-stray`.\n")
    before = cn.notebook_text(md, tmp_path)
    (tmp_path / "chapters" / "99_stray.md").write_text("(ch-stray)=\n# A stray chapter\n")
    assert cn.notebook_text(md, tmp_path) == before and "ch-stray" in before


def test_launch_extension_points_the_colab_button_at_the_notebook(tmp_path, monkeypatch):
    pytest.importorskip("sphinx")
    from tools import colab_launch as ext

    _tiny_book(tmp_path, ["00_a", "01_b"])
    cn.sync(tmp_path)
    (tmp_path / "notebooks" / "00_a.ipynb").unlink()
    warnings = []
    app = types.SimpleNamespace(srcdir=str(tmp_path), config=types.SimpleNamespace(html_theme_options={
        "repository_url": "https://github.com/a/b", "repository_branch": "main",
        "launch_buttons": {"colab_url": "https://colab.research.google.com"}}))

    def context_for(docname):
        return {"header_buttons": [{"label": "launch-buttons", "buttons": [
            {"text": "Colab", "url": f"https://colab.research.google.com/github/a/b/blob/main/{docname}.md"}]}]}

    ctx = context_for("chapters/01_b")
    ext._point_colab_at_notebook(app, "chapters/01_b", "page.html", ctx, None)
    assert ctx["header_buttons"][0]["buttons"][0]["url"] == (
        "https://colab.research.google.com/github/a/b/blob/main/notebooks/01_b.ipynb")

    monkeypatch.setattr(ext.LOGGER, "warning", lambda message, **kwargs: warnings.append(message))
    ext._point_colab_at_notebook(app, "chapters/00_a", "page.html", context_for("chapters/00_a"), None)
    assert warnings and "make notebooks" in warnings[0]


def test_launch_extension_drops_duplicate_scripts():
    assets = pytest.importorskip("sphinx.builders.html._assets")
    from tools import colab_launch as ext

    body = 'const THEBE_JS_URL = "x"'
    scripts = [assets._JavaScript("a.js"), assets._JavaScript(None, body=body),
               assets._JavaScript("", body=body, priority=400), assets._JavaScript("b.js"),
               assets._JavaScript(None, body="other")]
    ctx = {"script_files": scripts}
    ext._drop_duplicate_scripts(None, "p", "page.html", ctx, None)
    assert [str(s.filename) for s in ctx["script_files"]] == ["a.js", "None", "b.js", "None"]


def test_sync_replaces_the_chapters_install_cell_and_writes_the_readme_table(tmp_path):
    _tiny_book(tmp_path, ["00_a", "01_b"])
    md = tmp_path / "chapters" / "01_b.md"
    install = ("```{code-cell} ipython3\n:tags: [remove-cell]\n\nimport sys\n\n"
               "if \"google.colab\" in sys.modules:\n"
               "    get_ipython().run_line_magic(\"pip\", \"install -q git+https://github.com/a/b\")\n```\n\n")
    code = "```{code-cell} ipython3\nprint"
    md.write_text(md.read_text().replace(code, install + code))
    readme = tmp_path / "README.md"
    readme.write_text(f"# Book\n\nbefore\n\n{cn.README_BEGIN}\nold\n{cn.README_END}\n\nafter\n")
    citation = tmp_path / "CITATION.cff"
    citation.write_text("cff-version: 1.2.0\nrepository-code: https://github.com/old/old\nurl: https://x/\n")
    changes = cn.sync(tmp_path)
    assert "update README.md (its Colab table)" in changes
    assert citation.read_text() == ("cff-version: 1.2.0\nrepository-code: https://github.com/a/b\n"
                                    "url: https://a.github.io/b/\n")
    nb = json.loads((tmp_path / "notebooks" / "01_b.ipynb").read_text())
    sources = ["".join(cell["source"]) for cell in nb["cells"]]
    assert not any("install -q git+https://github.com/a/b\")" in text for text in sources)
    assert sources.count(cn.colab_cells(tmp_path)["install"]) == 1
    text = readme.read_text()
    assert text.startswith("# Book\n\nbefore\n\n") and text.endswith("\n\nafter\n") and "old" not in text
    assert "](https://colab.research.google.com/github/a/b/blob/main/notebooks/01_b.ipynb) |" in text
    assert "| [01_b](https://a.github.io/b/chapters/01_b.html) |" in text
    assert cn.sync(tmp_path, check=True) == []


def test_launch_extension_sets_the_baseurl_from_the_repository():
    pytest.importorskip("sphinx")
    from tools import colab_launch as ext

    config = types.SimpleNamespace(html_baseurl="", html_theme_options={
        "repository_url": "https://github.com/someone/book"})
    ext._set_baseurl(None, config)
    assert config.html_baseurl == "https://someone.github.io/book/"
    config.html_baseurl = "https://example.org/"
    ext._set_baseurl(None, config)
    assert config.html_baseurl == "https://example.org/"  # an explicit html.baseurl wins
