"""Headless Chromium driven over the DevTools protocol, for tests that click and measure.

``--dump-dom`` (tests/test_archive_browser.py) shows what a page holds; a walk from page to
page by clicking links, an element's place on the screen, and printing to PDF need the
browser's own protocol: :func:`browser` starts Chromium with ``--remote-debugging-port`` and
yields a :class:`Page` speaking it over a WebSocket (``websocket-client``, the ``test`` extra).
"""
from __future__ import annotations

import base64
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager

import websocket

CHROMIUM = shutil.which("chromium") or "chromium (Debian package not installed: run `make test`)"


class Page:
    def __init__(self, url: str):
        self.socket = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict] = []
        self.send("Page.enable")
        self.send("Runtime.enable")

    def send(self, method: str, **params):
        """The result of a protocol command; events read meanwhile are kept in ``events``."""
        id = next(self.ids)
        self.socket.send(json.dumps({"id": id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            self.events.append(message)

    def wait_for(self, method: str, seconds: float = 20) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for n, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(n)
            self.events.append(json.loads(self.socket.recv()))
        raise TimeoutError(method)

    def goto(self, url: str) -> None:
        self.events.clear()
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def click(self, css: str, text: str) -> None:
        """Click the first ``css`` element whose text contains ``text``, and wait for the next page."""
        self.events.clear()
        found = self.evaluate(f"""(() => {{
            const a = [...document.querySelectorAll({json.dumps(css)})]
                .find(e => e.textContent.includes({json.dumps(text)}));
            if (!a) return false; a.click(); return true; }})()""")
        assert found, f"no {css} containing {text!r} on {self.evaluate('location.href')}"
        self.wait_for("Page.loadEventFired")

    def console_errors(self) -> list[str]:
        """Uncaught exceptions and ``console.error`` calls of the page shown since the last navigation."""
        errors = [e["params"]["exceptionDetails"]["text"] for e in self.events
                  if e.get("method") == "Runtime.exceptionThrown"]
        return errors + [" ".join(str(a.get("value", a.get("description"))) for a in e["params"]["args"])
                         for e in self.events
                         if e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] == "error"]

    def pdf(self) -> bytes:
        """The page printed on A4 as Chromium prints it (its print style sheet applies)."""
        result = self.send("Page.printToPDF", paperWidth=8.27, paperHeight=11.69, printBackground=True,
                           preferCSSPageSize=True)
        return base64.b64decode(result["data"])


@contextmanager
def browser(profile, width: int = 1366, height: int = 768):
    """A :class:`Page` of a fresh headless Chromium with a ``width``×``height`` window."""
    log = tempfile.NamedTemporaryFile(mode="w+")  # not a pipe: a full pipe would stall Chromium
    process = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         f"--window-size={width},{height}", "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=log)
    try:
        port = _devtools_port(process, log.name)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            target = next(t for t in json.load(response) if t["type"] == "page")
        page = Page(target["webSocketDebuggerUrl"])
        page.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)
        try:
            yield page
        finally:
            page.socket.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _devtools_port(process, log: str, seconds: float = 20) -> int:
    """The port Chromium says it listens on (``DevTools listening on ws://127.0.0.1:<port>/…``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", open(log).read())
        if found:
            return int(found.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"chromium gave no DevTools port: {open(log).read()[-2000:]}")
