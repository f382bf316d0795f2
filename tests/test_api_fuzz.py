"""Schemathesis (``st run``, every check) against ``followup serve`` in a real uvicorn
process, with a valid token: no 5xx, no response outside the OpenAPI document.

The in-process pytest plugin of schemathesis 4.32.5 does not run under pytest 9.2
(``Function`` has no ``_nodeid``), so the test drives its command line instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.smtp_server import free_port

SECRET = "a-long-random-secret-for-tests-0123456789"


@pytest.mark.slow
@pytest.mark.xfail(
    reason="open: schemathesis 4.32.5 still reports 20 findings (ST205 Allow header on 405, "
    "ST202 schema-valid requests refused with 404/409/422, ST201 two lax inputs, ST103 four "
    "undocumented statuses); see the api branch's report",
    strict=False,
)
def test_schemathesis_finds_nothing(run: Run, tmp_path: Path) -> None:
    run("init", "--name", "Taller", "--owner", "Marta Ruiz", "--sender", "m@t.example")
    run("clients", "add", "--name", "Laura Gómez", "--email", "laura@example.es")
    run("events", "add", "laura@example.es", "--kind", "complaint", "--summary", "dos cobros")
    token = run("tokens", "create", "--name", "fuzz").stdout.strip().splitlines()[-1]
    port = free_port()
    env = {
        **os.environ,
        "FOLLOWUP_DATABASE_URL": f"sqlite:///{tmp_path / 'followup.db'}",
        "FOLLOWUP_OUTBOX_DIR": str(tmp_path / "outbox"),
        "FOLLOWUP_SECRET_KEY": SECRET,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "followup", "serve", "--port", str(port)],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        st = Path(sys.executable).parent / "st"
        fuzz = subprocess.run(
            [str(st), "run", base + "/openapi.json", "--checks", "all", "-n", "15",
             "--seed", "1", "-H", f"Authorization: Bearer {token}", "--no-color"],
            capture_output=True, text=True, timeout=240, cwd=tmp_path,
        )  # fmt: skip
        assert fuzz.returncode == 0, fuzz.stdout[-6000:] + fuzz.stderr[-2000:]
    finally:
        server.terminate()
        server.wait(timeout=20)
