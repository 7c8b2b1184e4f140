"""The built website, checked in a real (headless) browser.

Opens every page of ``_build/html`` that ``_toc.yml`` lists in Debian's
Chromium (driven by Playwright, ``tools/browser.py``) and checks, page by
page: no console errors, every figure is an image that loaded with a
non-zero size and has a numbered caption, MathJax typeset every equation
without errors, the Colab button opens the page's notebook in
``notebooks/``, and the page's sources can be downloaded. Also: the search
finds chapters, and two pages are saved as screenshots in
``_build/screenshots/``. Without a browser or a site: the README's "Open in
Colab" badges link the Colab notebook of every chapter, in book order, and
the first cell of each notebook reports the Colab runtime (CPU or GPU) and
picks the profile.

The browser checks run when Chromium and a built site are there and are skipped otherwise
(with the reason). ``AEBOOK_SITE_TEST=require`` (set by ``.ci/run``) turns
those skips into failures. The pages load MathJax from a CDN; without
internet, point ``AEBOOK_MATHJAX_DIR`` at the ``es5`` folder of npm's
``mathjax@3`` (``.ci/run`` installs it into ``_build/test-tools``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from pybtex.database import parse_file

from tools import browser as browser_tools
from tools import colab_notebooks, toc

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
DEFAULT_MATHJAX = ROOT / "_build" / "test-tools" / "node_modules" / "mathjax" / "es5"


CHAPTERS = toc.files(ROOT)
DOCNAMES = [colab_notebooks.docname_of(md, ROOT) for md in CHAPTERS]

# Everything the page check reads, gathered in the page after MathJax has finished.
PROBE = """(async () => {
  const out = {};
  out.mathjax = !!(window.MathJax && MathJax.startup && MathJax.startup.promise);
  if (out.mathjax) { await MathJax.startup.promise; }
  const article = document.querySelector('article') || document.body;
  const maths = [...article.querySelectorAll('.math')];
  out.math = maths.length;
  out.unrendered = maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80));
  out.mathErrors = [...document.querySelectorAll('mjx-merror')]
      .map(e => e.getAttribute('data-mjx-error') || e.textContent);
  await Promise.all([...document.images].map(img => img.complete ? null :
      new Promise(done => { img.onload = img.onerror = done; })));
  out.figures = [...article.querySelectorAll('figure')].map(f => {
    const img = f.querySelector('img');
    const num = f.querySelector('figcaption .caption-number');
    const text = f.querySelector('figcaption .caption-text');
    const box = img ? img.getBoundingClientRect() : null;
    return {id: f.id, img: !!img, complete: !!img && img.complete,
            natural: img ? [img.naturalWidth, img.naturalHeight] : [0, 0],
            shown: box ? [box.width, box.height] : [0, 0],
            number: num ? num.textContent.trim() : null, caption: text ? text.textContent.trim() : null};
  });
  out.colab = [...document.querySelectorAll('a[href*="colab.research.google.com"]')].map(a => a.href);
  out.downloads = [...document.querySelectorAll('a[href*="_sources/"]')].map(a => a.href);
  out.sources = {};
  for (const url of out.downloads) {
    const answer = await fetch(url);
    out.sources[url] = [answer.status, (await answer.text()).length];
  }
  out.title = document.title;
  return out;
})()"""


def _skip_or_fail(reason: str):
    if os.environ.get("AEBOOK_SITE_TEST", "").lower() == "require":
        pytest.fail(f"AEBOOK_SITE_TEST=require, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site():
    """``(base_url, context)``: the built site on a local server and one headless Chromium."""
    if os.environ.get("AEBOOK_SITE_TEST", "").lower() == "off":
        pytest.skip("AEBOOK_SITE_TEST=off")
    executable = browser_tools.find_chromium()
    if executable is None:
        _skip_or_fail("no Chromium found (apt-get install chromium, or set CHROMIUM)")
    if not (SITE / "index.html").exists():
        _skip_or_fail(f"no built site in {SITE.relative_to(ROOT)} (run `make book` first)")
    mathjax = Path(os.environ.get("AEBOOK_MATHJAX_DIR", DEFAULT_MATHJAX))
    with browser_tools.serve(SITE) as base:
        with browser_tools.launch(executable, mathjax_dir=mathjax if mathjax.is_dir() else None) as context:
            yield base, context


class Tab:
    """A page of the headless browser and the errors it reported since the last :meth:`goto`."""

    def __init__(self, page):
        self.page = page
        self.log = browser_tools.ErrorLog(page)

    def goto(self, url: str):
        self.log.clear()
        self.page.goto(url, wait_until="load")

    def evaluate(self, expression: str):
        return self.page.evaluate(expression)

    def console_errors(self) -> list[str]:
        return list(self.log.errors)


@pytest.fixture
def page(site):
    base, context = site
    tab = Tab(context.new_page())
    yield base, tab
    tab.page.close()


def _open(page_fixture, path: str) -> tuple[Tab, dict]:
    base, tab = page_fixture
    assert (SITE / path).exists(), f"{path} is not in the built site: rebuild it (`make book`)"
    tab.goto(base + path)
    return tab, tab.evaluate(PROBE)


@pytest.mark.parametrize("docname", DOCNAMES)
def test_chapter_page(page, docname):
    """Each chapter page: no console errors, figures, equations, Colab link, downloadable sources."""
    tab, info = _open(page, f"{docname}.html")
    md = ROOT / f"{docname}.md"

    errors = tab.console_errors()
    assert errors == [], f"{docname}: console errors:\n" + "\n".join(errors)

    # every figure the chapter names (a `mystnb: figure: name:` cell or a {figure} directive) is on the page
    named = re.findall(r"^:?\s*:?name:\s*(fig-[\w-]+)\s*$", md.read_text(encoding="utf-8"), flags=re.M)
    missing = sorted(set(named) - {fig["id"] for fig in info["figures"]})
    assert missing == [], f"{docname}: figures missing from the page: {missing}"
    for fig in info["figures"]:
        where = f"{docname}: figure {fig['id'] or '(no id)'}"
        assert fig["img"] and fig["complete"], f"{where} has no loaded image"
        assert min(fig["natural"]) > 0 and min(fig["shown"]) > 0, f"{where} has zero size: {fig}"
        assert fig["number"] and re.fullmatch(r"Fig\. \d+(\.\d+)*", fig["number"]), f"{where} is not numbered"
        assert fig["caption"], f"{where} has no caption"

    if info["math"]:
        assert info["mathjax"], (f"{docname}: MathJax did not load (offline? put npm's mathjax@3 in "
                                 f"{DEFAULT_MATHJAX.relative_to(ROOT)} or set AEBOOK_MATHJAX_DIR)")
        assert info["unrendered"] == [], f"{docname}: equations MathJax did not typeset"
        assert info["mathErrors"] == [], f"{docname}: TeX errors"

    if toc.is_notebook(md):
        expected = colab_notebooks.colab_url(docname, ROOT)
        assert info["colab"] == [expected], f"{docname}: Colab button should open {expected}"
        notebook = ROOT / colab_notebooks.notebook_for_docname(docname)
        assert notebook.exists(), f"{docname}: Colab link to a missing {notebook.relative_to(ROOT)}"
    else:
        assert info["colab"] == [], f"{docname} is not a notebook but has a Colab button"

    md_links = [url for url in info["downloads"] if url.endswith(f"{docname}.md")]
    assert md_links, f"{docname}: no download link for its source, {docname}.md"
    for url, (status, size) in info["sources"].items():
        assert status == 200 and size > 0, f"{docname}: download {url} answered {status} ({size} bytes)"


def test_book_has_figures_and_equations(page):
    """The checks above are not vacuous: the book as a whole has figures and typeset equations."""
    figures = equations = 0
    for docname in DOCNAMES:
        _tab, info = _open(page, f"{docname}.html")
        figures += len(info["figures"])
        equations += info["math"] - len(info["unrendered"])
    assert figures >= 1 and equations >= 1, f"{figures} figures, {equations} typeset equations"


def test_bibliography_lists_the_cited_works(page):
    """The references page shows every entry of references.bib (paper and the works it cites)."""
    pages = [d for d in DOCNAMES if "{bibliography}" in (ROOT / f"{d}.md").read_text(encoding="utf-8")]
    assert pages, "no chapter has a {bibliography} directive"
    keys = list(parse_file(str(ROOT / "references.bib"), bib_format="bibtex").entries)
    _base, tab = page
    tab.goto(_base + f"{pages[0]}.html")
    shown = tab.evaluate("[...document.querySelectorAll('div.citation')]"
                         ".map(e => e.id || e.textContent.slice(0, 40))")
    text = tab.evaluate("document.querySelector('article').textContent")
    assert len(shown) >= len(keys), f"{len(keys)} works in references.bib, {len(shown)} on the page"
    for name in ("Michelucci", "Rumelhart", "Baldi", "Vincent", "Bank", "Balsubramani"):
        assert name in text, f"{name} is missing from the bibliography"


def test_index_redirects_to_first_chapter(page):
    """The site's front page leads to the book's root chapter."""
    base, tab = page
    tab.goto(base + "index.html")
    tab.page.wait_for_url(f"**/{DOCNAMES[0]}.html", wait_until="load", timeout=20_000)
    where = tab.evaluate("location.pathname + ' ' + document.readyState")
    assert where.endswith(f"{DOCNAMES[0]}.html complete"), f"index.html led to {where!r}"
    # the sidebar links every other chapter, in the order of _toc.yml
    links = tab.evaluate("[...document.querySelectorAll('.bd-sidebar-primary nav a.reference')]"
                         ".map(a => new URL(a.href).pathname)")
    order = [next((i for i, path in enumerate(links) if path.endswith(f"/{d}.html")), None)
             for d in DOCNAMES[1:]]
    assert None not in order, f"chapters missing from the sidebar: {links}"
    assert order == sorted(order), f"the sidebar is not in the order of _toc.yml: {links}"


def test_search_finds_chapters(page):
    """Sphinx's client-side search returns chapter pages for a word the book uses."""
    base, tab = page
    tab.goto(base + "search.html?q=autoencoder")
    hits = tab.evaluate("""new Promise((done, fail) => {
      const start = Date.now();
      const poll = () => {
        const links = [...document.querySelectorAll('#search-results li a')].map(a => a.getAttribute('href'));
        if (links.length) done(links);
        else if (Date.now() - start > 20000) done([]);
        else setTimeout(poll, 200);
      };
      poll();
    })""")
    assert tab.console_errors() == []
    assert any("chapters/" in href for href in hits), f"search for 'autoencoder' found {hits}"


def test_screenshots(page):
    """Save screenshots of two pages (the introduction and the first chapter with a figure)."""
    pages = [DOCNAMES[0]]
    for docname in DOCNAMES[1:]:
        if "mystnb" in (ROOT / f"{docname}.md").read_text(encoding="utf-8"):
            pages.append(docname)
            break
    written = []
    for docname in pages:
        tab, _info = _open(page, f"{docname}.html")
        path = SCREENSHOTS / f"{Path(docname).name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        tab.page.screenshot(path=str(path))
        written.append(path)
    assert len(written) == 2, f"found no chapter with a figure besides {pages}"
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000, path
    print(json.dumps([str(p.relative_to(ROOT)) for p in written]))


# ---------------------------------------------------------------- README and notebooks (no browser)
NOTEBOOK_DOCNAMES = [colab_notebooks.docname_of(md, ROOT) for md in toc.notebooks(ROOT)]


def test_readme_badges_open_every_chapter_in_colab():
    """The README's badge table: one "Open in Colab" badge per notebook chapter, in book order,
    each linking the chapter's notebook (which exists) on _config.yml's repository; the README
    links the published site."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    badges = re.findall(r"\[!\[Open In Colab\]\((\S+?)\)\]\((\S+?)\)", readme)
    assert badges, "the README has no Open in Colab badges (run `make notebooks`)"
    assert {image for image, _ in badges} == {colab_notebooks.COLAB_BADGE}
    expected = [colab_notebooks.colab_url(docname, ROOT) for docname in NOTEBOOK_DOCNAMES]
    assert [link for _, link in badges] == expected, "README badges differ: run `make notebooks`"
    for docname in NOTEBOOK_DOCNAMES:
        notebook = ROOT / colab_notebooks.notebook_for_docname(docname)
        assert notebook.exists(), f"the README's badge opens a missing {notebook.relative_to(ROOT)}"
    assert f"<{colab_notebooks.site_url(ROOT)}>" in readme, "the README does not link the published site"


def _run_first_cell(source: str, monkeypatch, capsys, colab: bool, gpu: bool, profile: str = "auto"):
    """Execute a notebook's first cell as Colab would (fake ``google.colab``, fake ``nvidia-smi``)."""
    monkeypatch.delenv("AEBOOK_PROFILE", raising=False)
    if colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)

    def nvidia_smi(command, **kwargs):
        assert command[0] == "nvidia-smi", command
        if not gpu:
            raise FileNotFoundError("nvidia-smi")
        return subprocess.CompletedProcess(command, 0, stdout="GPU 0: Tesla T4 (UUID: GPU-x)\n")

    monkeypatch.setattr(subprocess, "run", nvidia_smi)
    source = source.replace('PROFILE = "auto"', f"PROFILE = {profile!r}")
    exec(compile(source, "<first cell>", "exec"), {})
    return capsys.readouterr().out, os.environ.get("AEBOOK_PROFILE")


@pytest.mark.parametrize("docname", NOTEBOOK_DOCNAMES)
def test_notebook_first_cell_reports_the_runtime(docname, monkeypatch, capsys):
    """Each notebook starts with the runtime cell: quick on a CPU runtime, paper on a GPU, a form
    field to change it, and nothing changed outside Colab."""
    notebook = ROOT / colab_notebooks.notebook_for_docname(docname)
    first = json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]
    assert first["cell_type"] == "code", f"{notebook.name}: the first cell is not code"
    source = "".join(first["source"])
    assert re.search(r'^PROFILE = "auto"  #@param \["auto", "quick", "paper"\]$', source, flags=re.M), \
        f"{notebook.name}: the first cell has no profile form field"
    assert _run_first_cell(source, monkeypatch, capsys, colab=True, gpu=False) == (
        "Colab CPU runtime: this notebook runs the 'quick' profile.\n", "quick")
    assert _run_first_cell(source, monkeypatch, capsys, colab=True, gpu=True) == (
        "Colab GPU runtime: this notebook runs the 'paper' profile.\n", "paper")
    assert _run_first_cell(source, monkeypatch, capsys, colab=True, gpu=False, profile="paper")[1] == "paper"
    out, profile = _run_first_cell(source, monkeypatch, capsys, colab=False, gpu=True)
    assert profile is None and "Not in Colab" in out
