"""Schemathesis (``st run``, every check) against ``followup serve`` in a real uvicorn
process, with a valid token, on a database with real rows: no 5xx, no response outside
the OpenAPI document, no schema-valid request refused, no invalid one accepted.

The database is the demo workshop (30 clients, their events, two complaints, a recovered
client's guarantee) with two days of letters drafted; ``tests/schemathesis.toml`` gives
schemathesis those rows' ids and says where a 422 is the domain's (see its comments).

The in-process pytest plugin of schemathesis 4.32.5 does not run under pytest 9.2
(``Function`` has no ``_nodeid``), so the test drives its command line instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from followup.config import get_settings
from followup.db import make_engine, read_session
from followup.models import Client, Event, EventKind, Guarantee, Letter
from tests.conftest import Run
from tests.smtp_server import free_port

SECRET = "a-long-random-secret-for-tests-0123456789"
CONFIG = Path(__file__).with_name("schemathesis.toml")


def seeded_ids(url: str) -> dict[str, set[int]]:
    """The ids of the seeded rows, by the name of the config's dictionary of them."""
    engine = make_engine(get_settings(database_url=url))
    try:
        with read_session(engine) as session:

            def ids(query: Any) -> set[int]:
                return {i for i in session.exec(query) if i is not None}

            return {
                "clients": ids(select(Client.id)),
                "letters": ids(select(Letter.id)),
                "guarantees": ids(select(Guarantee.id)),
                "complaints": ids(select(Event.id).where(Event.kind == EventKind.complaint)),
            }
    finally:
        engine.dispose()


@pytest.mark.slow
def test_schemathesis_finds_nothing(run: Run, tmp_path: Path) -> None:
    run("demo", "--date", "2026-11-23")
    run("daily", "--date", "2026-11-24")
    token = run("tokens", "create", "--name", "fuzz").stdout.strip().splitlines()[-1]
    url = f"sqlite:///{tmp_path / 'followup.db'}"
    # Every id the config hands schemathesis names a row of the seed.
    ids = seeded_ids(url)
    config = tomllib.loads(CONFIG.read_text())
    for name, dictionary in config["dictionaries"].items():
        assert set(dictionary["values"]) <= ids[name], name
    assert set(config["dictionaries"]["complaints"]["values"]) == ids["complaints"]
    assert len(ids["letters"]) == 6 and len(ids["guarantees"]) == 1
    port = free_port()
    env = {
        **os.environ,
        "FOLLOWUP_DATABASE_URL": url,
        "FOLLOWUP_OUTBOX_DIR": str(tmp_path / "outbox"),
        "FOLLOWUP_SECRET_KEY": SECRET,
    }
    log = tmp_path / "serve.log"
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "followup", "serve", "--port", str(port)],
            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=stderr,
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
            [str(st), "--config-file", str(CONFIG), "--no-color", "run", base + "/openapi.json",
             "--checks", "all", "-n", "15", "--seed", "1",
             "-H", f"Authorization: Bearer {token}"],
            capture_output=True, text=True, timeout=240, cwd=tmp_path,
        )  # fmt: skip
        assert fuzz.returncode == 0, fuzz.stdout[-6000:] + fuzz.stderr[-2000:]
    finally:
        server.terminate()
        server.wait(timeout=20)
    # Nothing the fuzzer sent made the server fail (a 5xx fails the run; this is the trace).
    assert "Traceback" not in log.read_text(), log.read_text()[-4000:]
