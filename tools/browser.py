"""Headless Chromium for checking the built site, through Playwright.

Playwright for Python drives the system's Chromium (Debian's
``/usr/bin/chromium``, or ``$CHROMIUM``) by ``executable_path``: nothing here
downloads a browser (``pip install playwright`` brings only its driver), so
``playwright install`` is never needed. ``tests/test_site.py`` uses it to open
every page of ``_build/html``; ``python -m tools.browser`` takes the README
screenshot (``make screenshot``).

The site is served from a local HTTP server. Requests for MathJax, which
the pages load from a CDN, are answered from a local copy when one is given
(``mathjax_dir``: the ``es5`` folder of npm's ``mathjax@3``), so the check
also works on a machine without internet access. Every other request goes
to the network as usual.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, Route, sync_playwright

# Chromium as root, headless, on a closed network: no sandbox, no GPU, no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
]
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/"

__all__ = ["CHROMIUM_ARGS", "ErrorLog", "find_chromium", "launch", "main", "serve"]


def find_chromium() -> str | None:
    """Path of the system's Chromium (``$CHROMIUM`` first, then ``/usr/bin/chromium``), or None."""
    for name in (os.environ.get("CHROMIUM", ""), "/usr/bin/chromium", "chromium", "chromium-browser"):
        if name and (found := shutil.which(name)):
            return found
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def handle(self):
        # the browser may drop a request it no longer needs (a page left, the browser closed)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port); yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _local_mathjax(mathjax_dir: Path, route: Route) -> None:
    """Answer a MathJax CDN request from the local copy, or let it through if the file is not there."""
    local = mathjax_dir / route.request.url[len(MATHJAX_CDN):].split("?")[0]
    if local.is_file():
        route.fulfill(path=str(local), headers={"Access-Control-Allow-Origin": "*"})
    else:
        route.continue_()


@contextlib.contextmanager
def launch(executable: str, width: int = 1280, height: int = 900,
           mathjax_dir: Path | None = None) -> Iterator[BrowserContext]:
    """One headless Chromium (``executable``); yield a browser context with a ``width`` x ``height`` view.

    With ``mathjax_dir``, MathJax requests to the CDN are served from that folder.
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                             headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            if mathjax_dir is not None:
                context.route(MATHJAX_CDN + "**", functools.partial(_local_mathjax, Path(mathjax_dir)))
            yield context
            context.close()
        finally:
            browser.close()


class ErrorLog:
    """The errors a page reports: ``console.error``/``console.assert`` calls (Chromium also logs
    failed resource loads there, such as a 404) and uncaught exceptions.

    :meth:`clear` before a navigation to count only that page's errors.
    """

    def __init__(self, page: Page):
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"exception: {error}"))

    def _console(self, message) -> None:
        if message.type in ("error", "assert"):
            where = message.location.get("url", "")
            self.errors.append(f"console.{message.type}: {message.text} {where}".strip())

    def clear(self) -> None:
        """Forget the errors seen so far."""
        self.errors.clear()


def main(argv: list[str] | None = None) -> int:
    """Command line: screenshot one page of the built site (for the README)."""
    parser = argparse.ArgumentParser(description="Screenshot a page of the built book.")
    parser.add_argument("page", help="page inside the site, e.g. chapters/01_what_is_an_autoencoder.html")
    parser.add_argument("output", type=Path, help="PNG file to write")
    parser.add_argument("--site", type=Path, default=Path("_build/html"))
    parser.add_argument("--mathjax-dir", type=Path, default=None)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--scroll-to", default=None, help="CSS selector to scroll into view first")
    args = parser.parse_args(argv)
    executable = find_chromium()
    if executable is None:
        print("no Chromium found: install Debian's `chromium` or set CHROMIUM", file=sys.stderr)
        return 1
    if not (args.site / args.page).is_file():
        print(f"{args.site / args.page} does not exist: build the book first (`make book`)",
              file=sys.stderr)
        return 1
    with serve(args.site) as base, launch(executable, args.width, args.height,
                                          args.mathjax_dir) as context:
        page = context.new_page()
        page.goto(base + args.page)
        page.evaluate("(async () => { if (window.MathJax && MathJax.startup) "
                      "await MathJax.startup.promise; })()")
        if args.scroll_to:
            page.evaluate(f"document.querySelector({json.dumps(args.scroll_to)})"
                          ".scrollIntoView({block: 'center'})")
        time.sleep(0.5)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.output))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
