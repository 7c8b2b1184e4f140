"""A small headless-Chromium driver over the DevTools protocol, for checking the built site.

Chromium is started with ``--remote-debugging-pipe``: it reads protocol
messages (JSON, each ended by a NUL byte) on file descriptor 3 and writes
its answers and events on descriptor 4. That needs no WebDriver, no extra
Python package and no network: the system's Chromium (Debian's ``chromium``)
is enough. ``tests/test_site.py`` uses it to open every page of
``_build/html``; ``python tools/browser.py`` takes the README screenshot.

The site is served from a local HTTP server. Requests for MathJax, which
the pages load from a CDN, are answered from a local copy when one is given
(``mathjax_dir``: the ``es5`` folder of npm's ``mathjax@3``), so the check
also works on a machine without internet access. Every other request goes
to the network as usual.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import json
import mimetypes
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# What the Chromium here needs to start headless as root on a closed network.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/"


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable (``$CHROMIUM`` first), or None."""
    candidates = [os.environ.get("CHROMIUM", "")]
    candidates += ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
    for name in candidates:
        if name and (found := shutil.which(name)):
            return found
    return None


class BrowserError(RuntimeError):
    """The browser answered a command with an error, or did not answer in time."""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def handle(self):
        # the browser may drop a request it no longer needs (a page left, the browser closed)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()


@contextlib.contextmanager
def serve(folder: Path):
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


class Browser:
    """One headless Chromium process, driven through the DevTools protocol over a pipe."""

    def __init__(self, executable: str, width: int = 1280, height: int = 900,
                 mathjax_dir: Path | None = None):
        self.mathjax_dir = Path(mathjax_dir) if mathjax_dir else None
        self._profile = tempfile.mkdtemp(prefix="aebook-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes():  # runs in the child: fd 3 = commands in, fd 4 = answers out
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self._proc = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={self._profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=wire_pipes,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id = 0
        self._lock = threading.Lock()
        self._pending: dict[int, queue.Queue] = {}
        self.events: list[tuple[str | None, str, dict]] = []
        self._events_changed = threading.Condition()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self.width, self.height = width, height
        self.send("Target.setDiscoverTargets", {"discover": False}, timeout=60)

    # -- protocol plumbing -------------------------------------------------
    def _write(self, message: dict, waiting: queue.Queue | None = None) -> int:
        with self._lock:
            self._next_id += 1
            message["id"] = self._next_id
            if waiting is not None:
                self._pending[message["id"]] = waiting
            data = json.dumps(message).encode() + b"\0"
            while data:
                data = data[os.write(self._to_browser, data):]
            return message["id"]

    def _read_loop(self):
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                for waiting in list(self._pending.values()):
                    waiting.put({"error": {"message": "the browser closed the pipe"}})
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                self._dispatch(json.loads(raw))

    def _dispatch(self, message: dict):
        if "id" in message:
            waiting = self._pending.pop(message["id"], None)
            if waiting is not None:
                waiting.put(message)
            return
        session, method, params = message.get("sessionId"), message["method"], message.get("params", {})
        if method == "Fetch.requestPaused":
            self._answer_request(session, params)
            return
        with self._events_changed:
            self.events.append((session, method, params))
            self._events_changed.notify_all()

    def _answer_request(self, session: str | None, params: dict):
        """Serve MathJax from the local copy; let everything else through."""
        url = params["request"]["url"]
        local = None
        if self.mathjax_dir is not None and url.startswith(MATHJAX_CDN):
            local = self.mathjax_dir / url[len(MATHJAX_CDN):].split("?")[0]
        if local is not None and local.is_file():
            kind = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
            self._write({"method": "Fetch.fulfillRequest", "sessionId": session, "params": {
                "requestId": params["requestId"], "responseCode": 200,
                "responseHeaders": [{"name": "Content-Type", "value": kind},
                                    {"name": "Access-Control-Allow-Origin", "value": "*"}],
                "body": base64.b64encode(local.read_bytes()).decode()}})
        else:
            self._write({"method": "Fetch.continueRequest", "sessionId": session,
                         "params": {"requestId": params["requestId"]}})

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 60) -> dict:
        """Send one command and wait for its result."""
        waiting: queue.Queue = queue.Queue()
        message = {"method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._write(message, waiting)
        try:
            answer = waiting.get(timeout=timeout)
        except queue.Empty:
            raise BrowserError(f"{method}: no answer from Chromium in {timeout} s") from None
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error'].get('message')}")
        return answer.get("result", {})

    def wait_for_event(self, session: str, method: str, after: int, timeout: float = 60) -> dict:
        """Wait for event ``method`` of ``session`` among the events from index ``after`` on."""
        deadline = time.monotonic() + timeout
        with self._events_changed:
            while True:
                for sess, name, params in self.events[after:]:
                    if sess == session and name == method:
                        return params
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BrowserError(f"no {method} within {timeout} s")
                self._events_changed.wait(left)

    # -- pages ---------------------------------------------------------------
    def new_page(self) -> Page:
        """Open a tab; return a :class:`Page` bound to it."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, session)
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride", {
            "width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
            session=session)
        self.send("Fetch.enable", {"patterns": [{"urlPattern": "*", "requestStage": "Request"}]},
                  session=session)
        return page

    def close(self):
        """Close Chromium and remove its temporary profile."""
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close", timeout=10)
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        with contextlib.suppress(OSError):
            os.close(self._to_browser)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc):
        self.close()


class Page:
    """One tab: navigate, evaluate JavaScript, read its console, take screenshots."""

    def __init__(self, browser: Browser, target: str, session: str):
        self.browser, self.target, self.session = browser, target, session
        self._mark = 0

    def goto(self, url: str, timeout: float = 60):
        """Load ``url`` and wait for its load event; console messages are counted from here."""
        self._mark = len(self.browser.events)
        answer = self.browser.send("Page.navigate", {"url": url}, session=self.session)
        if answer.get("errorText"):
            raise BrowserError(f"could not load {url}: {answer['errorText']}")
        self.browser.wait_for_event(self.session, "Page.loadEventFired", self._mark, timeout)

    def evaluate(self, expression: str, timeout: float = 60):
        """Evaluate a JavaScript expression (promises are awaited); return its JSON value."""
        answer = self.browser.send("Runtime.evaluate", {
            "expression": expression, "awaitPromise": True, "returnByValue": True,
            "timeout": int(timeout * 1000)}, session=self.session, timeout=timeout + 5)
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"JavaScript error: {text}")
        return answer["result"].get("value")

    def console_errors(self) -> list[str]:
        """Errors since the last :meth:`goto`: console.error calls, exceptions, failed loads."""
        errors = []
        for session, method, params in self.browser.events[self._mark:]:
            if session != self.session:
                continue
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                args = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
                errors.append("console.error: " + " ".join(args))
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                errors.append("exception: " + (details.get("exception", {}).get("description")
                                               or details.get("text", "")))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                entry = params["entry"]
                errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
        return errors

    def close(self):
        """Close the tab."""
        with contextlib.suppress(BrowserError):
            self.browser.send("Target.closeTarget", {"targetId": self.target}, timeout=10)

    def screenshot(self, path: Path, full_page: bool = False):
        """Save a PNG of the viewport (or of the whole page) to ``path``."""
        params: dict = {"format": "png"}
        if full_page:
            size = self.browser.send("Page.getLayoutMetrics", session=self.session)["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.browser.send("Page.captureScreenshot", params, session=self.session)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


def main(argv: list[str] | None = None) -> int:
    """Command line: screenshot one page of the built site (for the README)."""
    import argparse

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
    with serve(args.site) as base, Browser(executable, args.width, args.height, args.mathjax_dir) as browser:
        page = browser.new_page()
        page.goto(base + args.page)
        page.evaluate("(async () => { if (window.MathJax && MathJax.startup) "
                      "await MathJax.startup.promise; })()")
        if args.scroll_to:
            target = f"document.querySelector({json.dumps(args.scroll_to)})"
            page.evaluate(f"{target}.scrollIntoView({{block: 'center'}})")
        time.sleep(0.5)
        page.screenshot(args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
