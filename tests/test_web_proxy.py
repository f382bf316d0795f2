"""`followup serve` behind a reverse proxy: X-Forwarded-Proto counts only with
--proxy-headers (and from the allowed proxy), so a request cannot make itself https.
A real server process, asked over real HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import Run
from tests.smtp_server import free_port
from tests.web_client import SECRET


def _serve(tmp_path: Path, port: int, *args: str) -> subprocess.Popen[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")},
        "FOLLOWUP_DATABASE_URL": f"sqlite:///{tmp_path / 'followup.db'}",
        "FOLLOWUP_SECRET_KEY": SECRET,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "followup", "serve", "--no-scheduler", "--port", str(port), *args],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _cookie_over_forwarded_https(port: int) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            answer = httpx.get(
                f"http://127.0.0.1:{port}/login", headers={"X-Forwarded-Proto": "https"}
            )
            return answer.headers["set-cookie"]
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.parametrize("flag", ["", "--proxy-headers"])
def test_forwarded_https_counts_only_with_proxy_headers(
    run: Run, tmp_path: Path, flag: str
) -> None:
    run("init", "--name", "Taller", "--owner", "Marta", "--sender", "m@t.example")
    port = free_port()
    server = _serve(tmp_path, port, *([flag] if flag else []))
    try:
        cookie = _cookie_over_forwarded_https(port)
    finally:
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=30)
    assert "Traceback" not in err, err
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("; Secure" in cookie) == bool(flag), cookie
