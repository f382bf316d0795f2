"""Clients by hand and the right to erasure (DESIGN §7 `clients add`, `clients update`,
`clients forget`), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run

MONDAY = "2026-11-23"


@pytest.fixture
def cli(run: Run, db_url: str) -> Run:
    """``run`` against ``db_url``, with a business in it."""

    def invoke(*args: str, code: int | None = 0) -> object:
        return run(*args, code=code, env={"FOLLOWUP_DATABASE_URL": db_url})

    invoke(
        "init", "--name", "Taller Ruiz", "--owner", "Marta Ruiz",
        "--sender", "marta@taller.example", "--timezone", "Europe/Madrid",
    )  # fmt: skip
    return invoke  # type: ignore[return-value]


def clients(cli: Run) -> dict[str, dict[str, object]]:
    return {c["name"]: c for c in json.loads(cli("clients", "list", "--json").output)}


def test_a_client_added_by_hand_is_greeted_as_the_owner_says(cli: Run) -> None:
    added = cli(
        "clients", "add", "--name", "D. Manuel Ortega Ruiz", "--email", "MOrtega@Example.es",
        "--phone", "+34 600 111 222", "--ref", "C-77",
    ).output  # fmt: skip
    cli("clients", "add", "--name", "María José Navarro", "--email", "mj@example.es")
    cli("clients", "update", "C-77", "--greeting", "Sr. Ortega")

    listed = clients(cli)
    assert "letters greet them as 'Manuel'" in added
    assert listed["D. Manuel Ortega Ruiz"]["greeting"] == "Sr. Ortega"
    assert listed["D. Manuel Ortega Ruiz"]["email"] == "mortega@example.es"
    assert listed["María José Navarro"]["greeting"] == "María José"


def test_adding_or_updating_refuses_what_an_import_refuses_and_changes_nothing(cli: Run) -> None:
    cli("clients", "add", "--name", "Laura Sánchez", "--email", "laura@example.es")
    cli("clients", "add", "--name", "Diego Gil", "--email", "diego@example.es", "--ref", "C-2")

    bad_email = cli("clients", "add", "--name", "Ana", "--email", "ana@", code=1).output
    taken = cli("clients", "update", "C-2", "--email", "laura@example.es", code=1).output
    no_name = cli("clients", "update", "C-2", "--name", "  ", code=1).output
    nothing = cli("clients", "update", "C-2", code=2).output
    unknown = cli("clients", "update", "C-404", "--phone", "1", code=1).output

    assert "--email:" in bad_email and "is not an email address" in bad_email
    assert "already has the email 'laura@example.es'" in taken
    assert "--name: the name is empty" in no_name
    assert "nothing to change" in nothing
    assert "no client with id, email or reference 'C-404'" in unknown
    assert sorted(clients(cli)) == ["Diego Gil", "Laura Sánchez"]
    assert clients(cli)["Diego Gil"]["email"] == "diego@example.es"


def test_update_says_what_changed_and_can_stop_letters(cli: Run) -> None:
    cli("clients", "add", "--name", "Laura Sánchez", "--email", "laura@example.es")

    changed = cli("clients", "update", "laura@example.es", "--do-not-contact").output
    again = cli("clients", "update", "laura@example.es", "--do-not-contact").output

    assert "Updated client 1: do not contact → True." in changed
    assert "nothing changed" in again
    assert clients(cli)["Laura Sánchez"]["do_not_contact"] is True


def test_a_postal_address_is_typed_with_line_breaks_or_backslash_n(cli: Run) -> None:
    cli(
        "clients", "add", "--name", "Laura Sánchez", "--email", "laura@example.es",
        "--address", "Calle Mayor 5, 2º B\\n28013 Madrid\\nEspaña",
    )  # fmt: skip
    cli("clients", "add", "--name", "Diego Gil", "--phone", "600 111 222",
        "--address", "Plaza Nueva 3\n\n41001  Sevilla\n")  # fmt: skip
    typed = clients(cli)
    too_many = cli("clients", "update", "1", "--address", "\\n".join("1234567"), code=1).output
    changed = cli("clients", "update", "1", "--address", "Calle Sol 1").output
    cli("clients", "update", "2", "--address", "")

    assert typed["Laura Sánchez"]["address"] == "Calle Mayor 5, 2º B\n28013 Madrid\nEspaña"
    assert typed["Diego Gil"]["address"] == "Plaza Nueva 3\n41001 Sevilla"
    assert "--address: the address has 7 lines; an envelope takes at most 6" in too_many
    assert "Updated client 1: address → 'Calle Sol 1'." in changed
    listed = clients(cli)
    assert listed["Laura Sánchez"]["address"] == "Calle Sol 1"
    assert listed["Diego Gil"]["address"] == ""  # an empty value clears it
    assert "--address" in cli("clients", "add", "--help").output


ERASED = ("Begoña Ibáñez", "bego@example.es", "600 999 888", "C-1001", "Begoña", "cadena")


def test_forget_erases_the_client_from_the_file_and_keeps_the_counts(
    run: Run, tmp_path: Path
) -> None:
    run("init", "--name", "Taller", "--owner", "Marta Ruiz", "--sender", "marta@t.example")
    run(
        "clients", "add", "--name", "Begoña Ibáñez", "--email", "bego@example.es",
        "--phone", "600 999 888", "--ref", "C-1001", "--notes", "Prefiere las mañanas",
        "--address", "Calle de la Amargura 17\\n50001 Zaragoza",
    )  # fmt: skip
    run("clients", "add", "--name", "Laura Sánchez", "--email", "laura@example.es")
    run(
        "events", "add", "C-1001", "--kind", "complaint", "--on", "2026-11-20",
        "--summary", "le cobramos dos veces el cambio de cadena",
    )  # fmt: skip
    run("daily", "--date", MONDAY)
    before = json.loads(run("letters", "list", "--json").output)
    assert any(letter["client_id"] == 1 for letter in before)

    refused = run("clients", "forget", "C-1001", code=2).output  # not on a terminal
    done = run("clients", "forget", "C-1001", "--yes").output

    assert "cannot be undone: add --yes" in refused
    assert "Client 1 is forgotten" in done and "1 open letter(s) cancelled" in done
    letters = json.loads(run("letters", "list", "--json").output)
    assert len(letters) == len(before)
    assert [lt["status"] for lt in letters if lt["client_id"] == 1] == ["cancelled"]
    assert json.loads(run("events", "list", "--json").output)[0]["summary"] == ""
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("followup.db*"))
    for text in (*ERASED, "Prefiere las mañanas", "Amargura", "50001 Zaragoza"):
        assert text.encode() not in stored, text
    assert b"Laura S\xc3\xa1nchez" in stored  # the file is readable: the others are there
    nobody = run("pick", "--date", "2026-11-24", "--explain").output
    assert "forgotten" not in nobody


def test_forget_works_the_same_on_both_databases(cli: Run) -> None:
    cli("clients", "add", "--name", "Begoña Ibáñez", "--email", "bego@example.es",
        "--address", "Calle Mayor 5\\n28013 Madrid")  # fmt: skip

    cli("clients", "forget", "bego@example.es", "--yes")

    (only,) = clients(cli).values()
    assert only["email"] is None and only["do_not_contact"] is True
    assert only["address"] == ""
    assert str(only["name"]).startswith("(forgotten client")
