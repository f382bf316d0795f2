"""The JSON API's routes for one client, on SQLite and PostgreSQL: a client changed field
by field (a bad email is a 422, another client's email a 409, and nothing changes),
letters stopped and allowed again, a client forgotten for good (only with
``{"confirm": true}``; their words are gone, the counts stay), the client's timeline;
and the business's settings as ``followup settings --json`` shows them."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from followup.db import read_session
from followup.models import Client, Letter
from tests.api import api_client, token_for
from tests.conftest import Run
from tests.factories import MONDAY, Database, make_business, make_letter


def api_for(engine: Engine, **fields: Any) -> tuple[Any, TestClient]:
    business = make_business(engine, **fields)
    return business, api_client(engine, token_for(engine, business))


def row(engine: Engine, client_id: int) -> Client:
    with read_session(engine) as session:
        client = session.get(Client, client_id)
        assert client is not None
        return client


def test_a_client_is_changed_field_by_field(any_engine: Engine) -> None:
    _, api = api_for(any_engine)
    made = api.post("/api/v1/clients", json={"name": "Laura Gómez", "email": "laura@x.es"})
    other = api.post("/api/v1/clients", json={"name": "Ana Ruiz", "email": "ana@x.es",
                                              "external_ref": "C-2"})  # fmt: skip
    assert made.status_code == other.status_code == 201
    path = f"/api/v1/clients/{made.json()['id']}"
    greeted = api.patch(path, json={"greeting": "Querida Laura"})
    assert greeted.status_code == 200, greeted.text
    assert greeted.json()["greeting"] == "Querida Laura"
    assert greeted.json()["name"] == "Laura Gómez"  # untouched
    changes = {
        "name": "Laura Gómez Ruiz",
        "email": "Laura.Gomez@X.ES",
        "phone": "+34 600 000 000",
        "company": "Bicis Laura",
        "external_ref": "C-1",
        "tags": "vip, montaña",
        "notes": "Prefiere el correo.\nLlamar por la tarde.",
        "address": "Calle Mayor 5, 2º B\r\n\r\n28013 Madrid\r\nEspaña",
        "locale": "en-GB",
        "form_of_address": "tu",
    }
    changed = api.patch(path, json=changes)
    assert changed.status_code == 200, changed.text
    view = changed.json()
    assert view["name"] == "Laura Gómez Ruiz" and view["email"] == "laura.gomez@x.es"
    assert (view["phone"], view["company"], view["external_ref"]) == (
        "+34 600 000 000", "Bicis Laura", "C-1",
    )  # fmt: skip
    assert view["address"] == "Calle Mayor 5, 2º B\n28013 Madrid\nEspaña"
    stored = row(any_engine, view["id"])
    assert stored.tags == "vip, montaña" and stored.notes.endswith("\nLlamar por la tarde.")
    assert (stored.locale, stored.form_of_address) == ("en", "tu")
    assert api.get(path).json() == view
    # An empty string clears a field; null too.
    cleared = api.patch(path, json={"company": "", "external_ref": None, "address": ""}).json()
    assert cleared["company"] == "" and cleared["external_ref"] is None
    assert cleared["address"] == ""
    assert api.patch(path, json={}).json() == cleared
    # Refused, and nothing of the request is stored.
    before = api.get(path).json()
    bad = api.patch(path, json={"greeting": "Hola", "email": "laura@@x"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "email"
    taken = api.patch(path, json={"greeting": "Hola", "email": "ANA@x.es"})
    assert taken.status_code == 409 and "ana@x.es" in taken.json()["error"]["message"]
    assert api.patch(path, json={"external_ref": "C-2"}).status_code == 409
    lines = api.patch(path, json={"greeting": "Hola", "address": "a\nb\nc\nd\ne\nf\ng"})
    assert lines.status_code == 422 and lines.json()["error"]["field"] == "address"
    assert "7 lines" in lines.json()["error"]["message"]
    long = api.patch(path, json={"address": "x" * 301})
    assert long.status_code == 422 and "address" in long.text
    blank = api.patch(path, json={"name": "  "})
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "name"
    assert api.get(path).json() == before
    assert api.patch("/api/v1/clients/999999", json={"greeting": "x"}).status_code == 404


def test_letters_to_a_client_are_stopped_and_allowed_again(any_engine: Engine) -> None:
    _, api = api_for(any_engine, holiday_country=None)
    made = api.post("/api/v1/clients", json={"name": "Laura Gómez", "email": "laura@x.es"})
    client_id = made.json()["id"]
    bought = {"client_id": client_id, "kind": "purchase", "summary": "compró un casco",
              "day": (MONDAY - timedelta(days=3)).isoformat()}  # fmt: skip
    assert api.post("/api/v1/events", json=bought).status_code == 201
    path = f"/api/v1/clients/{client_id}/do-not-contact"

    def picked() -> bool:
        picks = api.get(f"/api/v1/picks?day={MONDAY.isoformat()}").json()["picks"]
        return client_id in {pick["client_id"] for pick in picks}

    assert picked()
    stopped = api.put(path)
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["do_not_contact"] is True
    assert stopped.json()["do_not_contact_reason"] == "owner"
    assert not picked()
    assert api.put(path).json()["do_not_contact"] is True  # again: still stopped
    allowed = api.delete(path)
    assert allowed.status_code == 200
    assert allowed.json()["do_not_contact"] is False
    assert allowed.json()["do_not_contact_reason"] is None
    assert picked()
    assert api.put("/api/v1/clients/999999/do-not-contact").status_code == 404
    assert api.delete("/api/v1/clients/999999/do-not-contact").status_code == 404


def test_a_client_is_forgotten_only_when_confirmed(any_engine: Engine) -> None:
    business, api = api_for(any_engine)
    made = api.post("/api/v1/clients", json={
        "name": "Laura Gómez", "email": "laura@x.es", "phone": "600 000 000",
        "company": "Bicis Laura", "notes": "vive en la calle Mayor", "external_ref": "C-9",
        "address": "Plaza del Pilar 3\n50003 Zaragoza",
    })  # fmt: skip
    assert made.json()["address"] == "Plaza del Pilar 3\n50003 Zaragoza"
    client_id = made.json()["id"]
    complaint = {"client_id": client_id, "kind": "complaint", "summary": "le cobramos dos veces",
                 "compensation": "le devolvemos el cargo", "day": "2026-11-20"}  # fmt: skip
    assert api.post("/api/v1/events", json=complaint).status_code == 201
    purchase = {"client_id": client_id, "kind": "purchase", "summary": "casco rojo",
                "amount": "45,90", "day": "2026-11-19"}  # fmt: skip
    assert api.post("/api/v1/events", json=purchase).status_code == 201
    with read_session(any_engine) as session:
        stored = session.get(Client, client_id)
    letter = make_letter(any_engine, business, stored, subject="Gracias, Laura")
    path = f"/api/v1/clients/{client_id}/forget"
    for body in (None, {}, {"confirm": False}, {"confirm": "true"}, {"confirm": 1}):
        refused = api.post(path, json=body)
        assert refused.status_code == 422, (body, refused.text)
    assert api.get(f"/api/v1/clients/{client_id}").json()["name"] == "Laura Gómez"
    report_before = api.get("/api/v1/report").json()
    forgotten = api.post(path, json={"confirm": True})
    assert forgotten.status_code == 200, forgotten.text
    view = forgotten.json()
    assert view["name"] == f"(forgotten client {client_id})"
    assert (view["email"], view["phone"], view["company"], view["external_ref"]) == (
        None, "", "", None,
    )  # fmt: skip
    assert view["address"] == ""
    assert view["do_not_contact"] is True and view["do_not_contact_reason"] == "forgotten"
    timeline = api.get(f"/api/v1/clients/{client_id}/timeline").json()
    # The rows stay (kinds, days, statuses); the words are gone.
    assert [e["kind"] for e in timeline["events"]] == ["complaint", "purchase"]
    assert all(e["summary"] == "" and e["amount"] is None for e in timeline["events"])
    assert all(e["compensation"] is None for e in timeline["events"])
    (gone,) = timeline["letters"]
    assert gone["id"] == letter.id and gone["status"] == "cancelled" and gone["subject"] == ""
    assert api.get("/api/v1/report").json() == report_before
    assert api.get(f"/api/v1/events?client={client_id}").json()["total"] == 2
    with read_session(any_engine) as session:
        erased = session.get(Client, client_id)
        text = session.get(Letter, letter.id)
        assert erased is not None and text is not None
        assert erased.notes == "" and text.body_text == "" and text.to_email is None
    dump = json.dumps(timeline, ensure_ascii=False)
    for word in ("Laura", "laura@x.es", "cobramos", "casco", "Mayor", "C-9", "45", "Pilar"):
        assert word not in dump, word
    assert api.post("/api/v1/clients/999999/forget", json={"confirm": True}).status_code == 404


def test_a_clients_timeline(any_engine: Engine) -> None:
    _, api = api_for(any_engine)
    client_id = api.post("/api/v1/clients", json={"name": "Ana Ruiz"}).json()["id"]
    for kind, summary, day in (
        ("purchase", "compró un casco", "2026-11-02"),
        ("complaint", "el casco llegó roto", "2026-11-10"),
    ):
        event = {"client_id": client_id, "kind": kind, "summary": summary, "day": day}
        assert api.post("/api/v1/events", json=event).status_code == 201
    recovered = api.post(f"/api/v1/clients/{client_id}/recover",
                         json={"terms": "si falla, lo cambiamos", "months": 3,
                               "day": "2026-11-16"})  # fmt: skip
    assert recovered.status_code == 201, recovered.text
    other = api.post("/api/v1/clients", json={"name": "Otro"}).json()["id"]
    noise = {"client_id": other, "kind": "purchase", "summary": "otra cosa"}
    assert api.post("/api/v1/events", json=noise).status_code == 201
    response = api.get(f"/api/v1/clients/{client_id}/timeline")
    assert response.status_code == 200, response.text
    timeline = response.json()
    assert timeline["client"]["name"] == "Ana Ruiz"
    # Newest first: the recovery, the complaint, the purchase; nobody else's.
    assert [e["kind"] for e in timeline["events"]] == ["recovered", "complaint", "purchase"]
    assert timeline["letters"] == []
    (guarantee,) = timeline["guarantees"]
    assert guarantee["id"] == recovered.json()["id"] and guarantee["status"] == "active"
    assert guarantee["ends_on"] == "2027-02-16" and guarantee["days_left"] == 85
    assert api.get("/api/v1/clients/999999/timeline").status_code == 404


def test_settings_are_those_of_the_cli(db: Database, run: Run) -> None:
    business, api = api_for(db.engine, name="Taller Ruiz", owner_name="Marta Ruiz")
    response = api.get("/api/v1/settings")
    assert response.status_code == 200, response.text
    shown = run("settings", "--json", env={"FOLLOWUP_DATABASE_URL": db.url}).stdout
    assert response.json() == json.loads(shown)
    assert response.json()["id"] == business.id and response.json()["name"] == "Taller Ruiz"
    assert "password" not in response.text.lower()
    assert api_client(db.engine).get("/api/v1/settings").status_code == 401
