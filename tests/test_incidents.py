"""Incidents (issue 12, point 1): a complaint with its compensation, the apology that
names it, and the cause and corrective action that close it.

Tests taking ``any_engine`` run on SQLite and on PostgreSQL; the command-line ones on a
SQLite file through ``run``.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from followup import services
from followup.db import read_session, write_session
from followup.errors import Invalid, NotFound
from followup.jobs import run_day
from followup.models import Business, Letter
from followup.recovery.incidents import compensate, resolve
from tests.conftest import Run
from tests.factories import MONDAY, NOW, ClientMaker, EventMaker


def test_an_incident_is_open_until_its_cause_is_recorded(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    assert business.id is not None
    laura = make_client("Laura Sánchez")
    complaint = make_event(laura, "complaint", 3, "le cobramos dos veces la factura")
    make_event(laura, "purchase", 2, "compra de un casco")
    with read_session(any_engine) as session:
        [incident] = services.list_incidents(session, business.id)
    assert (incident.id, incident.client_name, incident.open) == (complaint.id, laura.name, True)
    assert incident.cause is None and incident.compensation is None

    later = NOW + timedelta(days=5)
    with write_session(any_engine) as session:
        resolve(
            session,
            business.id,
            complaint.id or 0,
            cause="  la factura se emitió\ndos veces  ",
            action="revisamos cada factura antes de enviarla",
            now=later,
        )
    with read_session(any_engine) as session:
        [incident] = services.list_incidents(session, business.id)
        still_open = services.list_incidents(session, business.id, open_only=True)
    assert incident.open is False and still_open == []
    assert incident.cause == "la factura se emitió dos veces"
    assert incident.action == "revisamos cada factura antes de enviarla"
    assert incident.resolved_at == later


def test_compensation_decided_later_is_what_the_apology_names(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    assert business.id is not None
    laura = make_client("Laura Sánchez")
    complaint = make_event(laura, "complaint", 3, "le cobramos dos veces la factura")
    with write_session(any_engine) as session:
        compensate(session, business.id, complaint.id or 0, "le devolvemos 40 €", NOW)
    with write_session(any_engine) as session:
        compensate(
            session, business.id, complaint.id or 0, "le devolvemos el cargo duplicado", NOW
        )
    run_day(any_engine, business.id, MONDAY, NOW)
    with read_session(any_engine) as session:
        apology = session.exec(select(Letter).where(Letter.kind == "apology")).one()
        [incident] = services.list_incidents(session, business.id)
    assert apology.event_id == complaint.id
    assert "le devolvemos el cargo duplicado" in apology.body_text
    assert "40 €" not in apology.body_text
    assert incident.compensation == "le devolvemos el cargo duplicado"
    assert incident.compensated_at == NOW and incident.open


def test_only_a_complaint_of_this_business_is_an_incident(
    any_engine: Engine, business: Business, make_client: ClientMaker, make_event: EventMaker
) -> None:
    assert business.id is not None
    laura = make_client("Laura Sánchez")
    purchase = make_event(laura, "purchase", 2, "compra de un casco")
    complaint = make_event(laura, "complaint", 2, "le cobramos dos veces")
    with write_session(any_engine) as session:
        with pytest.raises(NotFound, match="there is no event 9999"):
            resolve(session, business.id, 9999, cause="x", action="y", now=NOW)
        with pytest.raises(Invalid, match="is a purchase, not a complaint"):
            compensate(session, business.id, purchase.id or 0, "un descuento", NOW)
        with pytest.raises(NotFound):
            compensate(session, business.id + 1, complaint.id or 0, "un descuento", NOW)
        with pytest.raises(Invalid) as empty:
            resolve(session, business.id, complaint.id or 0, cause=" ", action="y", now=NOW)
    assert empty.value.field == "cause"


def test_incidents_from_the_command_line(run: Run) -> None:
    run("demo", "--date", "2026-11-23")
    added = run(
        "events", "add", "C-1027", "--kind", "complaint", "--on", "2026-11-23",
        "--summary", "la bicicleta volvió con un pinchazo",
    ).output  # fmt: skip
    event_id = added.split()[2].rstrip(":")
    listed = json.loads(run("incidents", "list", "--open", "--json").output)
    mine = next(i for i in listed if i["id"] == int(event_id))
    assert mine["open"] is True and mine["compensation"] is None
    assert set(mine) >= {"id", "client_name", "day", "summary", "compensation", "cause", "action"}

    said = run(
        "incidents", "compensate", event_id, "--compensation", "le cambiamos la cámara sin coste",
        "--kind", "free-service", "--amount", "12,50 €",
    ).output  # fmt: skip
    assert "le cambiamos la cámara sin coste (free_service, 12.50)" in said
    listed = json.loads(run("incidents", "list", "--json").output)
    mine = next(i for i in listed if i["id"] == int(event_id))
    assert (mine["compensation_kind"], mine["compensation_amount"]) == ("free_service", "12.50")
    assert "(free_service, 12.50)" in run("incidents", "list").output
    # The day's apology to that client names it.
    run("daily", "--date", "2026-11-24")
    letters = json.loads(run("letters", "list", "--json").output)
    apology = next(
        lt for lt in letters if lt["kind"] == "apology" and lt["client_name"].startswith("Álvaro")
    )
    shown = run("letters", "show", str(apology["id"])).output
    assert "le cambiamos la cámara sin coste" in shown

    # Changing it again warns about the letter already written.
    again = run("incidents", "compensate", event_id, "--compensation", "no le cobramos nada")
    assert f"Apology letter {apology['id']} was written before" in again.output
    # Back to what the letter already says: nothing to warn about.
    same = run("incidents", "compensate", event_id,
               "--compensation", "le cambiamos la cámara  sin coste.")  # fmt: skip
    assert "was written before" not in same.output

    run("incidents", "resolve", event_id, "--cause", "no revisamos la rueda al entregarla",
        "--action", "cada entrega pasa una revisión de ruedas")  # fmt: skip
    assert int(event_id) not in [i["id"] for i in json.loads(
        run("incidents", "list", "--open", "--json").output
    )]  # fmt: skip
    table = run("incidents", "list").output
    assert "cada entrega pasa una revisión de ruedas" in table


def test_incident_errors_are_one_clear_sentence(run: Run) -> None:
    run("demo", "--date", "2026-11-23")
    missing = run("incidents", "resolve", "9999", "--cause", "x", "--action", "y", code=1)
    assert "there is no event 9999" in missing.output and "Traceback" not in missing.output
    purchase = json.loads(run("events", "list", "--kind", "purchase", "--json").output)[0]
    wrong = run("incidents", "compensate", str(purchase["id"]), "--compensation", "x", code=1)
    assert "not a complaint" in wrong.output
    complaint = json.loads(run("incidents", "list", "--json").output)[0]
    empty = run("incidents", "compensate", str(complaint["id"]), "--compensation", "  ", code=1)
    assert "--compensation: the compensation is empty" in empty.output
    kind = run("incidents", "compensate", str(complaint["id"]), "--compensation", "un regalo",
               "--kind", "voucher", code=1)  # fmt: skip
    assert "--kind: 'voucher' is not a kind of compensation: one of refund," in kind.output
    amount = run("incidents", "compensate", str(complaint["id"]), "--compensation", "un regalo",
                 "--kind", "gift", "--amount", "-5", code=1)  # fmt: skip
    assert "--amount: the amount '-5' must be a positive number" in amount.output
    # Refused whole: neither the words nor the kind were recorded.
    after = json.loads(run("incidents", "list", "--json").output)[0]
    assert (after["compensation"], after["compensation_kind"]) == (
        complaint["compensation"], complaint["compensation_kind"]
    )  # fmt: skip
