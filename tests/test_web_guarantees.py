"""The Guarantees page over real HTTP on a real database (SQLite, then PostgreSQL for the
writes): the running guarantees with those ending this week first and marked, the days
left and next check-in; satisfied, claim and cancel, each refused with the reason beside
its field; another business's guarantee is a 404; owner-typed text shows escaped."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.engine import Engine

from followup.db import read_session
from followup.models import Guarantee
from tests.web_pages import (
    ESCAPED,
    INJECTION,
    give_guarantee,
    logged_in,
    title_and_h1,
)

MONDAY = date(2026, 11, 23)


def _next_checkin(engine: Engine, guarantee_id: int | None) -> tuple[str, date | None]:
    with read_session(engine) as session:
        g = session.get(Guarantee, guarantee_id)
        assert g is not None
        return g.status, g.next_checkin_on


def test_running_guarantees_ending_this_week_come_first_in_both_languages(
    engine: Engine,
) -> None:
    owner = logged_in(engine)
    later = give_guarantee(engine, owner.business, "Ana Later", date(2026, 11, 1), months=3)
    soon = give_guarantee(engine, owner.business, "Beatriz Soon", date(2026, 10, 26))
    page = owner.web.get("/guarantees")
    assert page.status_code == 200
    assert title_and_h1(page.text) == ("Garantías", "Garantías")
    html = page.text
    assert html.index("Beatriz Soon") < html.index("Ana Later")
    soon_card = html[html.index("Beatriz Soon") : html.index("Ana Later")]
    assert "Termina esta semana" in soon_card
    assert re.search(r"<dt>Días que quedan</dt>\s*<dd>3</dd>", soon_card)
    later_card = html[html.index("Ana Later") :]
    assert "Termina esta semana" not in later_card.split("</article>")[0]
    assert later.id and soon.id
    owner.web.post("/language", data={"lang": "en", "csrf_token": owner.token("/guarantees")})
    english = owner.web.get("/guarantees").text
    assert title_and_h1(english) == ("Guarantees", "Guarantees")
    assert "Ends this week" in english and "Days left" in english


def test_satisfied_skips_the_next_check_in_and_refuses_an_empty_note(any_engine: Engine) -> None:
    owner = logged_in(any_engine)
    g = give_guarantee(any_engine, owner.business, "Laura Gómez", date(2026, 11, 1), months=6)
    _, before = _next_checkin(any_engine, g.id)
    refused = owner.post(f"/guarantees/{g.id}/satisfied", {"note": "  "}, "/guarantees")
    assert refused.status_code == 422
    assert "Diga en pocas palabras cómo fue la llamada" in refused.text
    assert f'id="satisfied-{g.id}-error"' in refused.text and "<details open>" in refused.text
    assert _next_checkin(any_engine, g.id)[1] == before
    done = owner.post(f"/guarantees/{g.id}/satisfied", {"note": "Todo bien"}, "/guarantees")
    assert (done.status_code, done.headers["location"]) == (303, "/guarantees")
    status, after = _next_checkin(any_engine, g.id)
    assert status == "active" and before is not None and (after is None or after > before)
    assert "Anotado." in owner.web.get("/guarantees").text
    # Shown once only.
    assert "Anotado." not in owner.web.get("/guarantees").text


def test_a_claim_is_recorded_and_refused_on_a_cancelled_guarantee(any_engine: Engine) -> None:
    owner = logged_in(any_engine)
    g = give_guarantee(any_engine, owner.business, "Laura Gómez", date(2026, 11, 1), months=6)
    done = owner.post(f"/guarantees/{g.id}/claim", {"what": "La rueda falló"}, "/guarantees")
    assert done.status_code == 303
    assert _next_checkin(any_engine, g.id)[0] == "claimed"
    page = owner.web.get("/guarantees").text
    assert "Reclamación anotada" in page
    ended = page[page.index('id="ended"') :]
    assert "Laura Gómez" in ended and "Reclamada" in ended
    gone = give_guarantee(any_engine, owner.business, "Pedro Ruiz", date(2026, 11, 1), months=6)
    owner.post(f"/guarantees/{gone.id}/cancel", {"reason": "Se mudó"}, "/guarantees")
    again = owner.post(f"/guarantees/{gone.id}/claim", {"what": "Otra vez"}, "/guarantees")
    assert again.status_code == 409
    assert "ya no está en vigor" in again.text
    assert _next_checkin(any_engine, gone.id)[0] == "cancelled"


def test_cancel_with_a_reason_and_the_reason_kept_when_refused(any_engine: Engine) -> None:
    owner = logged_in(any_engine)
    g = give_guarantee(any_engine, owner.business, "Laura Gómez", date(2026, 11, 1), months=6)
    long = "x" * 1500
    refused = owner.post(f"/guarantees/{g.id}/cancel", {"reason": long}, "/guarantees")
    assert refused.status_code == 422 and long in refused.text
    assert "por qué se cancela la garantía" in refused.text
    done = owner.post(f"/guarantees/{g.id}/cancel", {"reason": "Se mudó"}, "/guarantees")
    assert done.status_code == 303
    page = owner.web.get("/guarantees").text
    assert "La garantía está cancelada" in page and "Cancelada: Se mudó" in page


def test_another_business_guarantee_is_not_found_and_unchanged(engine: Engine) -> None:
    owner = logged_in(engine)
    other = logged_in(engine, email="otro@bicis.example", name="Otro taller")
    theirs = give_guarantee(engine, other.business, "Cliente Ajeno", date(2026, 11, 1), 6)
    assert "Cliente Ajeno" not in owner.web.get("/guarantees").text
    for action, field in (("satisfied", "note"), ("claim", "what"), ("cancel", "reason")):
        answer = owner.post(f"/guarantees/{theirs.id}/{action}", {field: "x"}, "/guarantees")
        assert answer.status_code == 404
    assert _next_checkin(engine, theirs.id)[0] == "active"


def test_without_a_token_nothing_changes(engine: Engine) -> None:
    owner = logged_in(engine)
    g = give_guarantee(engine, owner.business, "Laura Gómez", date(2026, 11, 1), months=6)
    forged = owner.web.post(f"/guarantees/{g.id}/cancel", data={"reason": "x"})
    assert forged.status_code == 403
    assert _next_checkin(engine, g.id)[0] == "active"


def test_owner_typed_text_is_escaped(engine: Engine) -> None:
    owner = logged_in(engine)
    give_guarantee(engine, owner.business, INJECTION, date(2026, 11, 1), terms=INJECTION)
    page = owner.web.get("/guarantees").text
    assert INJECTION not in page and ESCAPED in page


def test_no_guarantee_says_where_one_is_given(engine: Engine) -> None:
    owner = logged_in(engine)
    page = owner.web.get("/guarantees").text
    assert "No hay ninguna garantía en vigor" in page and "Ninguna todavía." in page
