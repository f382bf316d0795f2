"""Recording events: amounts a letter can state, nothing from the future, and the same
kinds and days whether typed on the command line or imported from a file."""

from __future__ import annotations

import itertools
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from followup.db import write_session
from followup.errors import Invalid
from followup.events import EventInput, add_event, event_kind, parse_amount, parse_day
from followup.models import Client
from followup.spreadsheets.events import import_events
from tests.conftest import Run
from tests.factories import MONDAY, NOW, ClientMaker


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("78,50 €", "78.50"),
        ("€1,234.5", "1234.50"),
        ("1.234,50", "1234.50"),
        ("45", "45.00"),
        ("0", "0.00"),
        ("120 EUR", "120.00"),
    ],
)
def test_amounts_are_stored_in_one_form(typed: str, stored: str) -> None:
    assert parse_amount(typed) == stored


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("NaN", "must be a positive number"),
        ("inf", "must be a positive number"),
        ("-45", "must be a positive number"),
        ("1e308", "too large"),
        ("12.345", "more than two decimals"),
        ("doce", "is not a number"),
    ],
)
def test_amounts_a_letter_cannot_state_are_refused(typed: str, why: str) -> None:
    with pytest.raises(Invalid, match=why) as refused:
        parse_amount(typed)
    assert refused.value.field == "amount"


def test_an_event_from_the_future_is_refused(engine: Engine, make_client: ClientMaker) -> None:
    laura = make_client("Laura")
    tomorrow = MONDAY + timedelta(days=1)
    with write_session(engine) as session:
        fresh = session.get(Client, laura.id)
        assert fresh is not None
        with pytest.raises(Invalid, match="2026-11-24 is in the future") as refused:
            add_event(session, fresh, EventInput("purchase", tomorrow, "Casco"), NOW, MONDAY)
        assert refused.value.field == "day"
        event = add_event(session, fresh, EventInput("purchase", MONDAY, "Casco"), NOW, MONDAY)
        assert event.day == MONDAY


# Kinds and days: `events add` takes what `events import` takes


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-11-04", date(2026, 11, 4)),
        ("04/11/2026", date(2026, 11, 4)),
        ("4/11/2026", date(2026, 11, 4)),
        ("4.1.2026", date(2026, 1, 4)),
        ("2026-11-04T10:30", date(2026, 11, 4)),
    ],
)
def test_days_are_read_iso_or_day_first(typed: str, day: date) -> None:
    assert parse_day(typed) == day


@pytest.mark.parametrize("typed", ["2026-02-30", "31/04/2026", "20261104", "11/2026", "ayer", ""])
def test_what_is_not_a_day_is_none(typed: str) -> None:
    assert parse_day(typed) is None


@pytest.mark.parametrize(
    ("typed", "kind"),
    [("Compra", "purchase"), ("reclamación", "complaint"), ("RECUPERADO", "recovered"),
     ("call", "call"), (" Nota ", "note"), ("regalo", None)],
)  # fmt: skip
def test_kinds_are_read_in_english_or_spanish(typed: str, kind: str | None) -> None:
    assert event_kind(typed) == kind


def _business_with_a_client(run: Run, tmp_path: Path) -> None:
    run("init", "--name", "Taller", "--owner", "Marta Ruiz", "--sender", "marta@taller.example")
    (tmp_path / "clients.csv").write_text(
        "name,email,ref\nLaura Sánchez,laura@example.es,C-1\n", encoding="utf-8"
    )
    run("clients", "import", "clients.csv")


def _events(run: Run) -> list[tuple[str, str, str]]:
    listed = json.loads(run("events", "list", "--json").output)
    return [(e["kind"], e["day"], e["summary"]) for e in listed]


def test_events_add_takes_spanish_kinds_and_day_first_dates(run: Run, tmp_path: Path) -> None:
    _business_with_a_client(run, tmp_path)

    bought = run("events", "add", "C-1", "--kind", "Compra", "--on", "04/11/2026", "--summary", "x")
    run("events", "add", "C-1", "--kind", "reclamación", "--on", "5/11/2026", "--summary", "Luz")
    run("events", "add", "C-1", "--kind", "call", "--on", "2026-11-06", "--summary", "Llamada")

    assert "Recorded event 1: purchase for Laura Sánchez on 2026-11-04." in bought.output
    assert sorted(_events(run)) == [
        ("call", "2026-11-06", "Llamada"),
        ("complaint", "2026-11-05", "Luz"),
        ("purchase", "2026-11-04", "x"),
    ]
    listed = json.loads(run("events", "list", "--kind", "queja", "--json").output)
    assert [e["summary"] for e in listed] == ["Luz"]


@pytest.mark.parametrize(
    ("flag", "value", "said"),
    [
        ("--kind", "regalo", "unknown kind 'regalo': one of purchase, complaint"),
        ("--kind", "", "in Spanish: compra, queja"),
        ("--on", "2026-02-30", "'2026-02-30' is not a date: write 2026-11-04, 04/11/2026"),
        ("--on", "20261104", "is not a date"),
        ("--on", "ayer", "or 4/11/2026"),
    ],
)
def test_events_add_refuses_what_events_import_refuses(
    run: Run, tmp_path: Path, flag: str, value: str, said: str
) -> None:
    _business_with_a_client(run, tmp_path)
    args = {"--kind": "purchase", "--on": "2026-11-04", flag: value}

    result = run("events", "add", "C-1", *itertools.chain(*args.items()), "--summary", "x", code=2)

    assert said in result.output
    assert f"Invalid value for '{flag}'" in result.output
    assert "Traceback" not in result.output
    assert _events(run) == []


def test_events_add_refuses_a_day_that_has_not_come(run: Run, tmp_path: Path) -> None:
    _business_with_a_client(run, tmp_path)

    result = run("events", "add", "C-1", "--kind", "compra", "--on", "01/01/2999", "--summary", "x",
                 code=1)  # fmt: skip

    assert "--on: 2999-01-01 is in the future" in result.output
    assert _events(run) == []


def test_events_import_refuses_a_day_that_has_not_come_by_row(
    any_engine: Engine, make_client: ClientMaker
) -> None:
    laura = make_client("Laura", external_ref="C-1")
    data = (
        b"cliente;tipo;fecha;resumen\n"
        b"C-1;compra;23/11/2026;Casco\n"
        b"C-1;compra;24/11/2026;Luces\n"
    )

    report = import_events(any_engine, laura.business_id, data, NOW, today=MONDAY)

    assert (report.created, report.rejected) == (1, 1)
    (problem,) = report.problems
    assert (problem.row, problem.column) == (3, "fecha")
    assert "2026-11-24 is in the future (today is 2026-11-23)" in problem.message


def test_events_import_through_the_command_refuses_the_future_by_row(
    run: Run, tmp_path: Path
) -> None:
    _business_with_a_client(run, tmp_path)
    (tmp_path / "events.csv").write_text(
        "client,kind,date,summary\nC-1,compra,04/11/2026,Casco\nC-1,compra,01/01/2999,Luces\n",
        encoding="utf-8",
    )

    result = run("events", "import", "events.csv", code=1)

    assert "rejected: row 3, column date: 2999-01-01 is in the future" in result.output
    assert _events(run) == [("purchase", "2026-11-04", "Casco")]
