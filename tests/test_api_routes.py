"""The JSON API's routes over real HTTP on a real database (SQLite, then PostgreSQL for
the writes): letters through the outbox's moves (a move the state refuses is a 409),
picks skipped and pinned, templates saved only once checked, and issue 12's path:
a complaint with its compensation, the client recovered with a guarantee, a claim,
the report's figures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine

from followup.jobs import run_day
from tests.api import api_client, token_for
from tests.factories import MONDAY, NOW, make_business, make_letter


def api_for(engine: Engine, **fields: Any) -> tuple[Any, Any]:
    business = make_business(engine, **fields)
    return business, api_client(engine, token_for(engine, business))


def test_letters_move_through_the_outbox(any_engine: Engine) -> None:
    business, api = api_for(any_engine)
    draft, other, failed, uncertain = (
        make_letter(any_engine, business, locale="es-usted"),
        make_letter(any_engine, business, locale="es-usted"),
        make_letter(any_engine, business, status="failed"),
        make_letter(any_engine, business, status="uncertain"),
    )
    listed = api.get("/api/v1/letters?status=draft").json()
    assert listed["total"] == 2 and {i["id"] for i in listed["items"]} == {draft.id, other.id}
    edited = api.patch(f"/api/v1/letters/{draft.id}", json={"subject": "Gracias, Laura"})
    assert edited.status_code == 200 and edited.json()["subject"] == "Gracias, Laura"
    assert "Gracias por su confianza" in edited.json()["text"]
    approved = api.post(f"/api/v1/letters/{draft.id}/approve")
    assert approved.json()["status"] == "approved"
    again = api.post(f"/api/v1/letters/{draft.id}/approve")
    assert again.status_code == 409 and "only a draft" in again.json()["error"]["message"]
    assert api.post(f"/api/v1/letters/{draft.id}/send").json()["status"] == "queued"
    assert api.patch(f"/api/v1/letters/{draft.id}", json={"text": "x"}).status_code == 409
    assert api.post(f"/api/v1/letters/{draft.id}/cancel").json()["status"] == "cancelled"
    dismissed = api.post(f"/api/v1/letters/{other.id}/dismiss", json={"why": "ya hablamos"})
    assert dismissed.json()["status"] == "dismissed"
    assert dismissed.json()["dismissed_why"] == "ya hablamos"
    assert api.post(f"/api/v1/letters/{other.id}/dismiss", json={"why": " "}).status_code == 422
    assert api.post(f"/api/v1/letters/{failed.id}/resend").json()["status"] == "queued"
    assert api.post(f"/api/v1/letters/{failed.id}/mark-sent").status_code == 409
    assert api.post(f"/api/v1/letters/{uncertain.id}/mark-sent").json()["status"] == "sent"
    assert api.get("/api/v1/letters/99999").status_code == 404


def test_picks_skip_and_pin(any_engine: Engine) -> None:
    business, api = api_for(any_engine, holiday_country=None)
    ids = []
    for n in range(4):
        made = api.post("/api/v1/clients", json={"name": f"Cliente {n}", "email": f"c{n}@x.es"})
        ids.append(made.json()["id"])
        event = {"client_id": ids[-1], "kind": "purchase", "summary": "compró un casco",
                 "day": (MONDAY - timedelta(days=3 + n)).isoformat()}  # fmt: skip
        assert api.post("/api/v1/events", json=event).status_code == 201
    picks = api.get(f"/api/v1/picks?day={MONDAY.isoformat()}").json()
    assert picks["closed"] is None and len(picks["picks"]) == business.daily_quota
    run_day(any_engine, business.id, MONDAY, NOW)
    first = picks["picks"][0]["client_id"]
    skipped = api.post("/api/v1/picks/skip", json={"client_id": first})
    assert skipped.status_code == 200, skipped.text
    replacement = skipped.json()["replacement"]
    assert replacement is not None and replacement["client_id"] not in {
        p["client_id"] for p in picks["picks"]
    }
    assert api.post("/api/v1/picks/skip", json={"client_id": first}).status_code == 409
    tuesday = (MONDAY + timedelta(days=1)).isoformat()
    pin = {"client_id": first, "day": tuesday}
    assert api.post("/api/v1/picks/pins", json=pin).status_code == 201
    assert api.post("/api/v1/picks/pins", json=pin).status_code == 409
    bad = api.post("/api/v1/picks/pins", json={"client_id": first, "day": "23/11/2026"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "day"


def test_templates_are_checked_before_they_are_saved(engine: Engine) -> None:
    _, api = api_for(engine)
    path = "/api/v1/templates/apology/es-usted"
    default = api.get(path).json()
    assert default["overridden"] is False and "{% block subject %}" in default["source"]
    broken = api.put(path, json={"source": default["source"] + "\n{% if %}"})
    assert broken.status_code == 422 and "line" in broken.json()["error"]["message"]
    secret = "{% block subject %}{{ secreto }}"
    source = default["source"].replace("{% block subject %}", secret)
    unknown = api.put(path, json={"source": source})
    assert unknown.status_code == 422 and "unknown variable" in unknown.text
    reach = "{% block subject %}{{ client.__class__.__subclasses__() }}"
    escape = api.put(path, json={"source": default["source"].replace("{% block subject %}", reach)})
    assert escape.status_code == 422 and "not allowed" in escape.json()["error"]["message"]
    assert api.put(path, json={"source": "x" * 20_001}).status_code == 422
    # An unknown filter is found while compiling: a 422 naming it, not a 500.
    mistyped = default["source"].replace("{% block subject %}", "{% block subject %}{{ 1|x }}")
    filtered = api.put(path, json={"source": mistyped})
    assert filtered.status_code == 422 and "No filter named 'x'" in filtered.text
    edited = default["source"].replace("{% block subject %}", "{% block subject %}Perdón: ", 1)
    saved = api.put(path, json={"source": edited})
    assert saved.status_code == 200, saved.text
    assert api.get(path).json() == {**default, "source": edited, "overridden": True}
    client_id = api.post("/api/v1/clients", json={"name": "Laura Gómez"}).json()["id"]
    preview = api.post(path + "/preview", json={"client_id": client_id}).json()
    assert preview["subject"].startswith("Perdón: ") and "Laura" in preview["text"]
    assert api.delete(path).json()["overridden"] is False
    assert api.delete(path).status_code == 404
    assert api.get("/api/v1/templates/apology/fr").status_code == 422


def test_issue_12_path_through_the_api(any_engine: Engine) -> None:
    _, api = api_for(any_engine)
    client_id = api.post("/api/v1/clients", json={"name": "Ana Ruiz", "email": "a@x.es"}).json()[
        "id"
    ]
    complaint = api.post(
        "/api/v1/events",
        json={"client_id": client_id, "kind": "complaint", "summary": "le cobramos dos veces",
              "day": "2026-11-20", "wants_call": True},
    ).json()  # fmt: skip
    (incident,) = api.get("/api/v1/incidents?open=true").json()["items"]
    assert incident["id"] == complaint["id"] and incident["compensation"] is None
    paid = api.post(
        f"/api/v1/incidents/{complaint['id']}/compensation",
        json={"compensation": "le devolvemos el cargo duplicado", "kind": "refund",
              "amount": "38,90 €"},
    )  # fmt: skip
    assert paid.json()["compensation"] == "le devolvemos el cargo duplicado"
    assert (paid.json()["compensation_kind"], paid.json()["compensation_amount"]) == (
        "refund", "38.90"
    )  # fmt: skip
    wrong = api.post(
        f"/api/v1/incidents/{complaint['id']}/compensation",
        json={"compensation": "un regalo", "kind": "voucher"},
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "kind"
    recovered = api.post(
        f"/api/v1/clients/{client_id}/recover",
        json={"terms": "si vuelve a fallar, lo reparamos gratis", "months": 3,
              "payout": "le devolvemos el importe", "checkins": "7,30", "day": "2026-11-23"},
    )  # fmt: skip
    assert recovered.status_code == 201, recovered.text
    guarantee = recovered.json()
    assert guarantee["ends_on"] == "2027-02-23" and guarantee["next_checkin_on"] == "2026-11-30"
    claimed = api.post(
        f"/api/v1/guarantees/{guarantee['id']}/claims", json={"what": "la horquilla falló otra vez"}
    )
    assert claimed.status_code == 201, claimed.text
    (claim,) = claimed.json()["claim_list"]
    assert claim["payout"] == "le devolvemos el importe"
    resolved = api.post(
        f"/api/v1/incidents/{complaint['id']}/resolve",
        json={"cause": "el datáfono cobraba dos veces", "action": "lo cambiamos"},
    )
    assert resolved.json()["open"] is False
    report = api.get("/api/v1/report?since=2026-11-01").json()
    assert report["recovered"] == 1 and report["incidents"] == 2
    assert report["open_incidents"] == 1  # the claim's complaint has no cause yet
    assert sum(report["guarantees"].values()) == 1
    cancelled = api.post(f"/api/v1/guarantees/{guarantee['id']}/cancel", json={"reason": "x"})
    assert cancelled.json()["status"] == "cancelled"
    again = api.post(f"/api/v1/guarantees/{guarantee['id']}/claims", json={"what": "otra"})
    assert again.status_code == 409
