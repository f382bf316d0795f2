"""Drafts checked for the owner's words (DESIGN §4): a sentence about the client in the
third person, or in the other form of address, flags the draft; the owner edits it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import Run

MONDAY = "2026-11-23"


def start(run: Run, *extra: str) -> None:
    run(
        "init", "--name", "Taller Ruiz", "--owner", "Marta Ruiz",
        "--sender", "marta@taller.example", *extra,
    )  # fmt: skip
    raul = ("--name", "Raúl López", "--email", "raul@example.es", "--form-of-address", "tu")
    run("clients", "add", *raul)
    run("clients", "add", "--name", "Laura Sánchez", "--email", "laura@example.es")


def complaint(run: Run, client: str, summary: str) -> None:
    run("events", "add", client, "--kind", "queja", "--on", "20/11/2026", "--summary", summary)


def letters(run: Run) -> dict[int, dict[str, object]]:
    listed = json.loads(run("letters", "list", "--json").output)
    return {letter["client_id"]: letter for letter in listed}


def test_a_note_in_the_third_person_flags_the_draft_and_auto_mode_waits_for_it(run: Run) -> None:
    start(run, "--approval-mode", "auto")
    complaint(run, "raul@example.es", "Esperó dos semanas a que llegara la pieza de su cortacésped")
    complaint(run, "laura@example.es", "Le entregamos la bicicleta con tres días de retraso")

    run("daily", "--date", MONDAY)

    drafted = letters(run)
    flagged, clean = drafted[1], drafted[2]
    assert flagged["status"] == "draft"  # never approved automatically
    assert clean["status"] == "approved" and clean["flags"] == []
    flags = flagged["flags"]
    assert isinstance(flags, list) and len(flags) == 1
    flag = flags[0]
    assert "esperó dos semanas" in flag["sentence"]
    assert "third person" in flag["reason"] and "esperaste" in flag["reason"]
    listing = run("letters", "list").output
    assert "⚑ 1 to check" in listing
    assert listing.index("Raúl López") < listing.index("Laura Sánchez")  # flagged first
    shown = run("letters", "show", str(flagged["id"])).output
    assert "Read again before approving" in shown and "letters edit" in shown


def test_the_owner_edits_a_flagged_draft_and_the_checks_run_again(
    run: Run, tmp_path: Path
) -> None:
    start(run)
    complaint(run, "raul@example.es", "Esperó dos semanas a que llegara la pieza de su cortacésped")
    run("daily", "--date", MONDAY)
    letter = letters(run)[1]
    text = str(run("letters", "show", str(letter["id"])).output)
    body = text.split("\n\n", 1)[1].split("\n\n⚑")[0]
    fixed = body.replace(
        "esperó dos semanas a que llegara la pieza de su cortacésped",
        "esperaste dos semanas a que llegara la pieza de tu cortacésped",
    )
    assert fixed != body
    (tmp_path / "fixed.txt").write_text(fixed, encoding="utf-8")
    usted = fixed.replace("Hola, Raúl:\n\n", "Hola, Raúl:\n\nQuedo a su disposición.\n\n")
    assert usted != fixed
    (tmp_path / "usted.txt").write_text(usted, encoding="utf-8")

    still = run("letters", "edit", str(letter["id"]), "--text-file", "usted.txt").output
    done = run(
        "letters", "edit", str(letter["id"]), "--text-file", "fixed.txt",
        "--subject", "Te pido disculpas por la pieza del cortacésped",
    ).output  # fmt: skip

    assert "Quedo a su disposición" in still and "'su'" in still
    assert "is edited" in done and "Read again" not in done
    edited = letters(run)[1]
    assert edited["flags"] == [] and edited["status"] == "draft"
    assert edited["subject"] == "Te pido disculpas por la pieza del cortacésped"
    html = run("letters", "show", str(letter["id"]), "--html").output
    assert "esperaste dos semanas" in html and "esperó" not in html


def test_an_approved_letter_edited_is_a_draft_again_and_a_queued_one_cannot_be_edited(
    run: Run, tmp_path: Path
) -> None:
    start(run)
    complaint(run, "laura@example.es", "Le entregamos la bicicleta con tres días de retraso")
    run("daily", "--date", MONDAY)
    letter_id = str(letters(run)[2]["id"])
    run("letters", "approve", letter_id)

    run("letters", "edit", letter_id, "--subject", "Le pido disculpas por el retraso")
    assert letters(run)[2]["status"] == "draft"
    run("letters", "approve", letter_id)
    run("send", "--date", MONDAY, env={"FOLLOWUP_SEND_BATCH": "5"})
    refused = run("letters", "edit", letter_id, "--subject", "Otra cosa", code=1).output
    no_editor = run("letters", "edit", letter_id, code=2).output

    assert "is sent; only a draft or approved letter can be edited" in refused
    assert "--subject" in no_editor and "$EDITOR" in no_editor
    assert os.listdir(tmp_path / "outbox" / "new")


def test_the_help_says_the_owners_words_are_written_to_the_client(run: Run) -> None:
    shown = " ".join(run("events", "add", "--help").output.split())
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")

    assert "written to the client" in shown
    for example in ("le cobramos dos veces", "te cobramos dos veces", "we charged you twice"):
        assert example in shown and example in readme
