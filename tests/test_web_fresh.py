"""Today is answered again, as it was made, while nothing was written (``web/freshness``):
whatever another process writes (the CLI, the worker), the next visit shows it; a new day
is a new page; a password changed from the CLI ends the session at once; the one-time
notice after an action is never replayed. On SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from starlette.testclient import TestClient

from followup.models import Business
from tests.conftest import Database
from tests.factories import NOW
from tests.test_web_today import HTMX, card_ids, drafted, logged_in, token
from tests.web_client import Clock


def followup(db: Database, *args: str, stdin: str | None = None) -> str:
    """The ``followup`` command in a process of its own, on the test's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWUP_")}
    done = subprocess.run(
        [sys.executable, "-m", "followup", *args],
        env={**env, "FOLLOWUP_DATABASE_URL": db.url},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_today_shows_what_another_process_wrote(db: Database, business: Business) -> None:
    letters = drafted(db.engine, business)
    web = logged_in(db.engine, business)
    first = web.get("/")
    assert web.get("/").text == first.text  # nothing written: the same page
    assert "Gracias por confiar en nosotros otra vez" not in first.text

    followup(db, "letters", "edit", str(letters[0].id), "--subject",
             "Gracias por confiar en nosotros otra vez")  # fmt: skip
    assert "Gracias por confiar en nosotros otra vez" in web.get("/").text

    followup(db, "letters", "approve", str(letters[1].id))
    again = web.get("/")
    assert f'id="letter-{letters[1].id}"' in again.text
    assert again.text.count("Aprobada") > first.text.count("Aprobada")


def test_a_new_day_is_a_new_page(db: Database, business: Business) -> None:
    drafted(db.engine, business)
    clock = Clock()
    web = logged_in(db.engine, business, clock)
    assert "lunes, 23 de noviembre de 2026" in web.get("/").text
    clock.now = NOW + timedelta(days=1)
    assert "martes, 24 de noviembre de 2026" in web.get("/").text


def test_a_password_changed_from_the_cli_ends_the_session_at_once(
    db: Database, business: Business
) -> None:
    drafted(db.engine, business)
    web = logged_in(db.engine, business)
    assert web.get("/").status_code == 200
    followup(db, "users", "passwd", "marta@bicis.example", "--password-stdin",
             stdin="otra contraseña larga\n")  # fmt: skip
    answer = web.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_the_notice_after_approving_all_is_shown_once(
    db: Database, business: Business
) -> None:
    drafted(db.engine, business)
    web: TestClient = logged_in(db.engine, business)
    before = web.get("/").text
    approved = web.post("/today/approve-all", headers={"X-CSRF-Token": token(web)})
    assert approved.status_code == 303
    shown = web.get("/").text
    assert "aprobadas" in shown.lower() and shown != before
    assert web.get("/").text.lower().count("aprobadas") < shown.lower().count("aprobadas")
    assert card_ids(web.get("/", headers=HTMX).text) == card_ids(shown)
