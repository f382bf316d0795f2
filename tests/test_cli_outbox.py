"""The owner's decisions on letters that went wrong: resend, mark as sent."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import update

from followup.config import get_settings
from followup.db import make_engine, write_session
from followup.models import Letter, LetterStatus
from tests.conftest import Run

MONDAY = "2026-11-23"


def set_status(tmp_path: Path, letter_id: int, status: LetterStatus, error: str = "") -> None:
    engine = make_engine(get_settings(database_url=f"sqlite:///{tmp_path / 'followup.db'}"))
    with write_session(engine) as session:
        session.execute(
            update(Letter)
            .where(Letter.id == letter_id)  # type: ignore[arg-type]
            .values(status=status, last_error=error or None)
        )
    engine.dispose()


def statuses(run: Run) -> dict[int, str]:
    return {lt["id"]: lt["status"] for lt in json.loads(run("letters", "list", "--json").output)}


def test_an_uncertain_letter_is_resent_or_marked_sent_by_the_owner(
    run: Run, tmp_path: Path
) -> None:
    run("demo", "--date", MONDAY)
    set_status(tmp_path, 1, LetterStatus.uncertain, "connection lost during DATA")
    set_status(tmp_path, 2, LetterStatus.failed, "550 5.1.1 mailbox unknown")
    explained = run("pick", "--date", "2026-11-24", "--explain").output
    assert "Not picked until you decide" in explained
    assert "letters resend ID" in explained and "letters mark-sent ID" in explained
    assert "Javier Ruiz Ibáñez: letter 1 (apology, 2026-11-23)" in explained
    listed = run("letters", "list", "--status", "uncertain").output
    assert "may or may not have arrived; it is never resent by itself" in listed
    assert "letters resend ID" in listed

    assert "marked as sent" in run("letters", "mark-sent", "1").output
    assert "queued again" in run("letters", "resend", "2").output
    assert statuses(run)[1] == "sent" and statuses(run)[2] == "queued"

    refused = run("letters", "resend", "3", code=1)
    assert "letter 3 is draft; only an uncertain or failed letter can be resent" in refused.output
    refused = run("letters", "mark-sent", "2", code=1)
    assert "only an uncertain letter can be marked as sent" in refused.output
    assert "there is no letter 99" in run("letters", "resend", "99", code=1).output


def test_dismiss_closes_the_reason_without_a_letter(run: Run) -> None:
    run("demo", "--date", MONDAY)
    dismissed = run("letters", "dismiss", "1", "--why", "Me llamó y quedó todo resuelto").output
    assert "Dismissed letter 1" in dismissed
    listed = {lt["id"]: lt for lt in json.loads(run("letters", "list", "--json").output)}
    assert listed[1]["status"] == "dismissed"
    ranked = json.loads(run("pick", "--date", "2026-11-24", "--explain", "--json").output)
    javier = [c for c in ranked if c["client_id"] == listed[1]["client_id"]]
    assert all(c["kind"] != "apology" for c in javier)  # the complaint is answered
    assert "say why" in run("letters", "dismiss", "2", "--why", "  ", code=1).output
    again = run("letters", "dismiss", "1", "--why", "otra vez", code=1).output
    assert "only a draft or approved letter can be dismissed" in again


def test_a_call_is_marked_done_by_hand_and_an_email_is_not(run: Run, tmp_path: Path) -> None:
    run("demo", "--date", MONDAY)
    refused = run("letters", "mark-done", "2", code=1).output
    assert "is an email: the outbox sends it" in refused
    engine = make_engine(get_settings(database_url=f"sqlite:///{tmp_path / 'followup.db'}"))
    with write_session(engine) as session:
        session.execute(
            update(Letter).where(Letter.id == 2).values(channel="call")  # type: ignore[arg-type]
        )
    engine.dispose()
    assert "marked done" in run("letters", "mark-done", "2", "--outcome", "Todo bien").output
    assert statuses(run)[2] == "sent"
