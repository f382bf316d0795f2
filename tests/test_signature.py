"""The owner signs: a title in the letter's language, and a From name of the owner's
choice (DESIGN §2, LETTERS.md "Signed by the owner")."""

from __future__ import annotations

import email
import email.policy
import json
import mailbox
from pathlib import Path

from tests.conftest import Run

MONDAY = "2026-11-23"


def business_with_an_english_client(run: Run, *settings: str) -> str:
    """A Spanish business, an English-speaking client who just bought; the letter's text."""
    run(
        "init", "--name", "Taller Ruiz", "--owner", "Marta Ruiz", "--owner-title", "Propietaria",
        "--sender", "marta@taller.example", *settings,
    )  # fmt: skip
    peter = ("--name", "Dr. Peter Lang", "--email", "peter@example.com", "--locale", "en")
    run("clients", "add", *peter)
    run(
        "events", "add", "peter@example.com", "--kind", "purchase", "--on", "2026-11-20",
        "--summary", "A new chain and cassette", "--item", "chain and cassette",
    )  # fmt: skip
    run("daily", "--date", MONDAY)
    return str(run("letters", "show", "1").output)


def test_an_english_letter_of_a_spanish_business_is_signed_in_english(run: Run) -> None:
    text = business_with_an_english_client(run)

    assert "Dear Peter," in text
    assert "Marta Ruiz\nOwner, Taller Ruiz" in text
    assert "Propietaria" not in text


def test_the_owner_chooses_the_english_title_and_an_unknown_title_is_left_out(
    run: Run, tmp_path: Path
) -> None:
    chosen = business_with_an_english_client(run, "--owner-title-en", "Head mechanic")
    run("settings", "set", "--owner-title", "Maestra tornera", "--owner-title-en", "")
    run("letters", "cancel", "1")
    run("pin", "peter@example.com", "--on", "2026-11-24", "--date", MONDAY)
    run("daily", "--date", "2026-11-24")
    unknown = str(run("letters", "show", "2").output)
    shown = json.loads(run("settings", "--json").output)

    assert "Marta Ruiz\nHead mechanic, Taller Ruiz" in chosen
    assert "Marta Ruiz\nTaller Ruiz" in unknown and "tornera" not in unknown
    assert (shown["owner_title"], shown["owner_title_en"]) == ("Maestra tornera", "")


def test_the_from_line_names_the_owner_or_what_the_owner_chose(run: Run, tmp_path: Path) -> None:
    business_with_an_english_client(run)
    run("letters", "approve", "1")
    run("send", "--date", MONDAY)
    run("settings", "set", "--from-name", "Marta, Taller Ruiz")
    run("pin", "peter@example.com", "--on", "2026-11-24", "--date", MONDAY)
    run("daily", "--date", "2026-11-24")
    run("letters", "approve", "2")
    run("send", "--date", "2026-11-24")

    maildir = mailbox.Maildir(tmp_path / "outbox", factory=None)
    senders = sorted(
        str(email.message_from_bytes(maildir.get_bytes(key), policy=email.policy.default)["From"])
        for key in maildir.iterkeys()
    )
    assert senders == [
        '"Marta, Taller Ruiz" <marta@taller.example>',
        "Marta Ruiz — Taller Ruiz <marta@taller.example>",
    ]
    assert json.loads(run("settings", "--json").output)["from_name"] == "Marta, Taller Ruiz"
