"""Sphinx extension: point each page's "Colab" launch button at its notebook in ``notebooks/``.

sphinx-book-theme (``header_buttons/launch.py``) builds the Colab link as
``{colab_url}/github/{org}/{repo}/blob/{branch}/{path_to_book}{docname}{suffix}``,
that is, at the page's own source, ``chapters/NN_name.md``. Colab cannot open
a markdown file, so after the theme has made its buttons (its handler runs
at priority 501) this handler replaces that link with the one to the
generated notebook, ``notebooks/NN_name.ipynb`` (see ``tools/colab_notebooks.py``).
Both read the repository URL and branch from ``_config.yml``.

A page whose notebook does not exist gets a warning, which fails the
``-W`` build: run ``make notebooks``. Enabled in ``_config.yml`` under
``sphinx.local_extensions``. It also removes duplicated script tags, which
otherwise break pages with a console error (see ``_drop_duplicate_scripts``),
and sets the site's ``html_baseurl`` from ``repository.url`` (its GitHub Pages
address, :func:`tools.colab_notebooks.site_url`), so that the published
address and the Colab links come from one setting.

Why this is hand-written: no library does it. sphinx-book-theme points the
Colab button at the page's own source file, and switches to ``.ipynb`` only
for a notebook lying next to the ``.md`` file; opening a notebook kept in
another folder is the open jupyter-book issue #752 ("Allow users to open
notebooks created in MyST in Colab and Binder directly"). Remove this
extension when Jupyter Book does that itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sphinx.util import logging

# Sphinx puts tools/ itself on the path; the package's imports need the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools import colab_notebooks  # noqa: E402

LOGGER = logging.getLogger(__name__)


def _point_colab_at_notebook(app, pagename, templatename, context, doctree):
    """``html-page-context`` handler: rewrite the Colab button of a notebook page."""
    root = Path(app.srcdir)
    options = app.config.html_theme_options
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if button.get("text") != "Colab":
                continue
            notebook = root / colab_notebooks.notebook_for_docname(pagename)
            if not notebook.exists():
                LOGGER.warning(
                    f"no Colab notebook {notebook.relative_to(root)} for {pagename}: run `make notebooks`",
                    location=pagename,
                )
            button["url"] = colab_notebooks.colab_url(
                pagename,
                root=root,
                colab=(options.get("launch_buttons") or {}).get("colab_url"),
                url=options.get("repository_url"),
                branch=options.get("repository_branch"),
            )


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    """``html-page-context`` handler: keep one copy of each script tag of a page.

    Under Jupyter Book 1 the inline scripts that sphinx-thebe and
    sphinx-togglebutton add (``const THEBE_JS_URL = ...``) reach each page
    twice (once with filename ``None``, once with ``""``), so every page
    declares the constant twice and the browser logs a SyntaxError.
    """
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", {}) or {}
        # an inline script is stored once with filename None and once with ""; priority is not compared
        name = (script.filename or "") if hasattr(script, "filename") else script
        key = (str(name), tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    if "script_files" in context:
        context["script_files"] = unique


def _set_baseurl(app, config):
    """``config-inited`` handler: ``html_baseurl`` is the GitHub Pages address of ``repository.url``.

    Left alone if ``_config.yml`` sets ``html.baseurl`` itself.
    """
    url = (config.html_theme_options or {}).get("repository_url")
    if url and not config.html_baseurl:
        config.html_baseurl = colab_notebooks.site_url(url=url)


def setup(app):
    """Register the handlers (the Colab one after sphinx-book-theme's buttons, priority 501)."""
    app.connect("config-inited", _set_baseurl)
    app.connect("html-page-context", _point_colab_at_notebook, priority=600)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
