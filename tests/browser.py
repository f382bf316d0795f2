"""The dashboard in a real browser: the app served by uvicorn on 127.0.0.1 in a thread of
the test process (a real HTTP server, the test's clock), Debian's Chromium driven by
Playwright's sync API, and the two checkers the dashboard answers to: axe-core (injected
into the page) and the Nu HTML Checker (``vnu.jar``, run once on every page collected).

Chromium, axe-core, vnu.jar and Java are installed by ``.ci/run`` (Debian's ``chromium``
and a Java runtime; the npm packages into ``tests/.node``). Without them these tests are
skipped, and under CI (``CI`` set) they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

CHROMIUM = Path("/usr/bin/chromium")
NODE_MODULES = Path(__file__).parent / ".node" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The two screens every page must fit: a phone and a laptop.
SCREENS = {"phone": (390, 844), "laptop": (1280, 800)}


def require_browser() -> None:
    """Skip without Chromium, Playwright, axe-core, vnu.jar or Java; fail under CI."""
    missing = [
        what
        for what, present in (
            ("Debian's chromium", CHROMIUM.exists()),
            ("playwright", _importable("playwright")),
            ("axe-core (npm)", AXE.exists()),
            ("vnu-jar (npm)", VNU.exists()),
            ("java", shutil.which("java") is not None),
        )
        if not present
    ]
    if missing:
        why = "missing: " + ", ".join(missing) + " (.ci/run installs them)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {why}")
        pytest.skip(why)


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """``app`` on a real HTTP server on 127.0.0.1; yields its base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)  # waiting for a thread, not for the clock the app reads
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass(frozen=True)
class Finding:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.impact} {self.rule}: {self.help} at {', '.join(self.targets[:3])}"


def axe_findings(page: Any) -> list[Finding]:
    """axe-core's serious and critical findings on the page as it is now."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        Finding(
            v["id"],
            v["impact"],
            v["help"],
            tuple(str(n["target"]) for n in v["nodes"]),
        )
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def scrolls_sideways(page: Any) -> bool:
    """Whether the page is wider than the window (it would scroll horizontally)."""
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
    )


def html_errors(pages: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """The Nu HTML Checker's errors for each page (name -> its HTML), in one run."""
    from urllib.parse import unquote, urlparse

    files: dict[str, str] = {}
    for n, (name, html) in enumerate(sorted(pages.items())):
        path = (folder / f"page{n}.html").resolve()
        path.write_text(html, encoding="utf-8")
        files[str(path)] = name
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    report = json.loads(run.stderr or run.stdout)
    errors: dict[str, list[str]] = {}
    for message in report["messages"]:
        if message.get("type") != "error":
            continue
        # vnu names a file "file:/tmp/…/page0.html"
        where = unquote(urlparse(message.get("url", "")).path)
        name = files.get(where, where or "?")
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine')}: {message.get('message')}"
        )
    return errors
