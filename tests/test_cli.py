"""The command line as scripts and owners use it: JSON shapes, exit codes, clear words."""

from __future__ import annotations

import json
import mailbox
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, inspect
from sqlmodel import select

from followup.config import get_settings
from followup.db import make_engine, read_session
from followup.models import SQLModel
from tests.conftest import Run

DATA = Path(__file__).parent / "data"
MONDAY = "2026-11-23"


def in_terminal(command: str, cwd: Path, env: dict[str, str], typed: str = "") -> str:
    """Run ``command`` in a real pseudo-terminal (util-linux `script`); what it showed."""
    return subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        input=typed,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


def row_counts(tmp_path: Path) -> dict[str, int]:
    engine = make_engine(get_settings(database_url=f"sqlite:///{tmp_path / 'followup.db'}"))
    with read_session(engine) as session:
        tables = inspect(engine).get_table_names()
        result = {
            t: session.exec(select(func.count()).select_from(SQLModel.metadata.tables[t])).one()
            for t in tables
            if t in SQLModel.metadata.tables
        }
        contacted = session.exec(
            select(func.count())
            .select_from(SQLModel.metadata.tables["client"])
            .where(SQLModel.metadata.tables["client"].c.last_contacted_on.is_not(None))
        ).one()
    engine.dispose()
    return {**result, "contacted": contacted}


def test_init_creates_the_business_once(run: Run) -> None:
    first = run(
        "init",
        "--name",
        "Lang Joinery",
        "--owner",
        "Peter Lang",
        "--sender",
        "peter@lang.example",
        "--locale",
        "en",
        "--timezone",
        "Europe/London",
    )
    assert "Created “Lang Joinery”" in first.output
    again = run("init")
    assert "“Lang Joinery” (id 1) already exists; nothing was changed" in again.output
    same = run("init", "--name", "Lang Joinery", "--owner", "X", "--sender", "x@example.com")
    assert "already exists" in same.output


def test_init_off_a_terminal_names_the_missing_flag(run: Run) -> None:
    result = run("init", "--owner", "Peter", "--sender", "p@example.com", code=2)
    assert "--name is required" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--timezone", "Mars/Olympus"), "not an IANA time zone"),
        (("--sender", "not-an-address"), "is not an email address"),
        (("--send-time", "25:00"), "is not a time like 09:00"),
    ],
)
def test_init_refuses_bad_settings(run: Run, args: tuple[str, ...], message: str) -> None:
    base = {"--name": "Taller", "--owner": "Marta", "--sender": "marta@example.es"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run("init", *[x for kv in base.items() for x in kv], code=2)
    assert message in result.output


def test_commands_before_init_say_what_to_do(run: Run) -> None:
    result = run("clients", "list", code=2)
    assert "followup init" in result.output


def test_demo_drafts_letters_and_the_json_shapes_hold(run: Run, tmp_path: Path) -> None:
    demo = run("demo", "--date", MONDAY)
    assert "Taller de Bicicletas Ruiz" in demo.output and "letter(s) drafted" in demo.output
    letters = json.loads(run("letters", "list", "--json").output)
    assert len(letters) == 3
    assert set(letters[0]) >= {
        "id",
        "client_id",
        "kind",
        "channel",
        "status",
        "subject",
        "message_id",
        "created_at",
    }
    assert [lt["kind"] for lt in reversed(letters)] == ["apology", "apology", "guarantee_offer"]
    clients = json.loads(run("clients", "list", "--json").output)
    assert len(clients) == 30
    assert set(clients[0]) >= {"id", "name", "email", "status", "do_not_contact"}
    guarantees = json.loads(run("guarantees", "list", "--json").output)
    assert set(guarantees[0]) >= {
        "id",
        "client_id",
        "status",
        "starts_on",
        "ends_on",
        "next_checkin_on",
        "terms",
    }
    shown = run("letters", "show", str(letters[-1]["id"])).output
    assert "\nHola, Javier:\n" in shown and "Marta Ruiz" in shown


def test_pick_writes_nothing(run: Run, tmp_path: Path) -> None:
    run("demo", "--date", MONDAY)
    before = row_counts(tmp_path)
    picks = json.loads(run("pick", "--date", "2026-11-24", "--json").output)
    # DESIGN §7's names, and how each letter would reach its client (more is fine).
    contract = {"client_id", "client_name", "tier", "kind", "reason"}
    assert [set(p) for p in picks] == [contract | {"channel", "with_call"}] * 3
    explained = run("pick", "--date", "2026-11-24", "--explain").output
    assert "Candidates for 2026-11-24" in explained
    assert row_counts(tmp_path) == before


def test_pick_explain_lists_every_candidate_in_rank_order(run: Run) -> None:
    run("demo", "--date", MONDAY)
    ranked = json.loads(run("pick", "--date", "2026-11-24", "--explain", "--json").output)
    tiers = [c["tier"] for c in ranked]
    assert tiers == sorted(tiers) and len(ranked) > 3
    assert len({c["client_id"] for c in ranked}) == len(ranked)


def test_approve_then_send_delivers_into_the_maildir(run: Run, tmp_path: Path) -> None:
    run("demo", "--date", "2026-11-16")
    first = json.loads(run("letters", "list", "--json").output)[-1]
    run("letters", "approve", str(first["id"]))
    again = run("letters", "approve", str(first["id"]), code=1)
    assert "only a draft can be approved" in again.output
    sent = run("send", "--date", "2026-11-16")
    assert "Sent 1 letter(s)" in sent.output
    (message,) = list(mailbox.Maildir(tmp_path / "outbox"))
    assert message["Message-ID"] == first["message_id"]
    statuses = {
        lt["id"]: lt["status"] for lt in json.loads(run("letters", "list", "--json").output)
    }
    assert statuses[first["id"]] == "sent"


def test_cancel_a_draft(run: Run) -> None:
    run("demo", "--date", MONDAY)
    letter = json.loads(run("letters", "list", "--json").output)[0]
    run("letters", "cancel", str(letter["id"]))
    cancelled = json.loads(run("letters", "list", "--status", "cancelled", "--json").output)
    assert [lt["id"] for lt in cancelled] == [letter["id"]]


def test_unknown_things_are_clear_errors(run: Run) -> None:
    run("demo", "--date", MONDAY)
    assert "no letter 999" in run("letters", "show", "999", code=1).output
    unknown = run(
        "events", "add", "nobody@example.es", "--kind", "purchase", "--summary", "x", code=1
    )
    assert "no client with id, email or reference 'nobody@example.es'" in unknown.output
    assert "is not a date" in run("daily", "--date", "23/11/2026", code=2).output
    assert (
        "is not a date"
        in run(
            "events",
            "add",
            "C-1000",
            "--kind",
            "purchase",
            "--summary",
            "x",
            "--on",
            "ayer",
            code=2,
        ).output
    )
    assert "there is no business 7" in run("--business", "7", "clients", "list", code=2).output


def test_events_add_by_reference_reaches_the_picks(run: Run) -> None:
    run("demo", "--date", MONDAY)
    run(
        "events",
        "add",
        "C-1027",
        "--kind",
        "complaint",
        "--on",
        "2026-11-23",
        "--summary",
        "La bicicleta volvió con un pinchazo",
        "--compensation",
        "le cambiamos la cámara sin coste",
    )
    picks = json.loads(run("pick", "--date", "2026-11-24", "--json").output)
    assert picks[0]["client_name"] == "Álvaro Fernández Martínez"
    assert picks[0]["kind"] == "apology"


def test_guarantees_add_and_list(run: Run) -> None:
    run("demo", "--date", MONDAY)
    out = run(
        "guarantees",
        "add",
        "C-1001",
        "--months",
        "3",
        "--starts",
        MONDAY,
        "--terms",
        "si la rueda vuelve a fallar, la cambiamos sin coste",
    ).output
    assert "2026-11-23 to 2026-02-23" not in out and "2027-02-23" in out
    listed = json.loads(run("guarantees", "list", "--json").output)
    mine = [g for g in listed if g["ends_on"] == "2027-02-23"]
    assert mine and mine[0]["next_checkin_on"] == "2026-11-30"
    assert (
        "between 1 and 60 months"
        in run("guarantees", "add", "C-1001", "--months", "0", "--terms", "x", code=1).output
    )


def test_messy_csv_import_reports_rows_and_keeps_the_good_ones(run: Run) -> None:
    run("init", "--name", "Lang Joinery", "--owner", "Peter Lang", "--sender", "p@lang.example")
    result = run("clients", "import", str(DATA / "clients_messy_en.csv"), code=1)
    assert "row 3, column name" in result.output
    assert "row 4, column email" in result.output
    assert "row 5" in result.output
    names = {c["name"] for c in json.loads(run("clients", "list", "--json").output)}
    assert names == {"Peter Lang", "Grace Hopper", "Line Break"}
    dry = run("clients", "import", "--dry-run", str(DATA / "clients_es.csv"))
    assert "Would import clients: 30 new" in dry.output
    assert len(json.loads(run("clients", "list", "--json").output)) == 3


def test_a_file_that_is_not_csv_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    run("init", "--name", "Lang Joinery", "--owner", "Peter Lang", "--sender", "p@lang.example")
    missing = run("clients", "import", str(tmp_path / "nope.csv"), code=2)
    assert "cannot read" in missing.output
    (tmp_path / "bad.csv").write_text("nombre;empresa\nAna;Taller\n", encoding="utf-8")
    assert "email" in run("clients", "import", str(tmp_path / "bad.csv"), code=2).output


def test_several_businesses_need_a_choice(run: Run) -> None:
    run("demo", "--date", MONDAY)
    run("init", "--name", "Otro", "--owner", "Ana", "--sender", "a@b.es")
    result = run("clients", "list", code=2)
    assert "--business ID" in result.output and "1: Taller de Bicicletas Ruiz" in result.output
    assert run("--business", "2", "clients", "list", "--json").output.strip() == "[]"


def test_templates_check_passes(run: Run) -> None:
    checked = run("templates", "check").output
    assert "Every template and every variant of its phrases renders" in checked


def test_daily_on_a_weekend_says_so(run: Run) -> None:
    run("demo", "--date", MONDAY)
    result = run("daily", "--date", "2026-11-28")
    assert "not a working day" in result.output


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux `script` for a pty")
def test_a_large_import_shows_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """Run in a real pseudo-terminal (util-linux `script`), as an owner would."""
    lines = ["nombre;correo"] + [f"Cliente {i};c{i}@example.es" for i in range(800)]
    (tmp_path / "big.csv").write_text("\n".join(lines), encoding="utf-8")
    env = {**os.environ, "FOLLOWUP_DATABASE_URL": f"sqlite:///{tmp_path / 'f.db'}"}
    followup = f"{shlex.quote(sys.executable)} -m followup"
    subprocess.run(
        [*followup.split(), "init", "--name", "Taller", "--owner", "Marta", "--sender", "m@t.es"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    shown = in_terminal(f"{followup} clients import big.csv", tmp_path, env)
    assert "Importing" in shown and "100%" in shown
    assert "Imported clients: 800 new" in shown
    piped = subprocess.run(
        [*followup.split(), "clients", "import", "big.csv"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Importing" not in piped.stdout + piped.stderr  # no bar in logs and pipes
    assert "800 unchanged" in piped.stdout


def test_skip_and_pin_from_the_command_line(run: Run) -> None:
    run("demo", "--date", MONDAY)
    skipped = run("skip", "C-1003", "--date", MONDAY).output  # Javier's apology
    assert "Skipped Javier Ruiz Ibáñez on 2026-11-23." in skipped
    assert "In their place:" in skipped
    assert "was already skipped" in run("skip", "C-1003", "--date", MONDAY, code=1).output
    assert (
        "Pinned Diego Gil Fernández for 2026-11-24."
        in run("pin", "C-1001", "--on", "2026-11-24", "--date", MONDAY).output
    )
    assert "not a working day" in run("pin", "C-1001", "--on", "2026-11-28", code=1).output
    assert (
        "has passed" in run("pin", "C-1001", "--on", "2026-11-20", "--date", MONDAY, code=1).output
    )
    picks = json.loads(run("pick", "--date", "2026-11-24", "--json").output)
    assert [(p["client_name"], p["tier"]) for p in picks[:2]] == [
        ("Diego Gil Fernández", 0),
        ("Javier Ruiz Ibáñez", 1),
    ]


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux `script` for a pty")
def test_init_on_a_terminal_asks_for_what_is_missing(tmp_path: Path) -> None:
    env = {**os.environ, "FOLLOWUP_DATABASE_URL": f"sqlite:///{tmp_path / 'f.db'}"}
    followup = f"{shlex.quote(sys.executable)} -m followup"
    shown = in_terminal(
        f"{followup} init --locale en --timezone Europe/London",
        tmp_path,
        env,
        typed="Lang Joinery\nPeter Lang\npeter@lang.example\n",
    )
    assert "Business name:" in shown and "Your name, as you sign letters:" in shown
    assert "Created “Lang Joinery” (id 1)" in shown
    # The typing ends before the dashboard password: no password, and no failure either.
    assert "Later: `followup users add peter@lang.example`." in shown
    assert "Aborted" not in shown and "Next: `followup clients import" in shown


def test_tick_for_a_day_drafts_it_and_sends_what_was_approved(run: Run, tmp_path: Path) -> None:
    run("demo", "--date", "2026-11-16")
    first = json.loads(run("letters", "list", "--json").output)[-1]
    run("letters", "approve", str(first["id"]))
    out = run("tick", "--date", "2026-11-17").output
    assert "business 1, 2026-11-17: letters drafted (3)" in out
    assert "sent 1," in out
    assert "business 1, 2026-11-17: digest sent to marta@bicicletasruiz.example" in out
    delivered = list(mailbox.Maildir(tmp_path / "outbox"))
    # The approved letter to its client, and the owner's digest of the day.
    assert sorted(str(m["Auto-Submitted"]) for m in delivered) == ["None", "auto-generated"]
    again = run("tick", "--date", "2026-11-17").output
    assert "already done" in again and "digest" not in again


def test_init_checks_the_holiday_calendar(run: Run) -> None:
    base = ("init", "--name", "Taller", "--owner", "Marta", "--sender", "m@taller.es")
    assert "no holiday calendar" in run(*base, "--holidays", "XX", code=2).output
    assert "unknown region" in run(*base, "--holidays", "ES-ZZ", code=2).output
    run(*base, "--holidays", "es-an")
    immaculate_conception = "2026-12-08"
    assert "holiday" in run("daily", "--date", immaculate_conception).output


def test_approve_several_letters_at_once(run: Run) -> None:
    run("demo", "--date", MONDAY)
    ids = [str(lt["id"]) for lt in json.loads(run("letters", "list", "--json").output)]
    run("letters", "approve", ids[0])
    result = run("letters", "approve", *ids, "999", code=1)
    assert result.output.count("Approved letter") == 2
    assert f"letter {ids[0]} is approved; only a draft can be approved" in result.output
    assert "there is no letter 999" in result.output
    statuses = {lt["status"] for lt in json.loads(run("letters", "list", "--json").output)}
    assert statuses == {"approved"}
