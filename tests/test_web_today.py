"""Today / Hoy over real HTTP: the day's letters as letters (flagged first, the sentence
marked), edit in place with the checks run again, approve one and all, skip (the next
candidate's card in its place), dismiss, mark a call done, the WhatsApp hand-off, the
empty states and the day off, in Spanish and English."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from starlette.testclient import TestClient

from followup.db import read_session, write_session
from followup.jobs import run_day
from followup.letters.drafting import edit_letter
from followup.models import Business, Client, Event, Letter, LetterStatus, Pick, User
from followup.outbox import get_letter
from tests.factories import MONDAY, NOW, client_maker, event_maker
from tests.web_client import Clock, add_owner, csrf_of, dashboard, log_in

HTMX = {"HX-Request": "true"}
NASTY = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def logged_in(engine: Engine, business: Business, clock: Clock | None = None) -> TestClient:
    web = dashboard(engine, clock)
    log_in(web, add_owner(engine, business.id or 0))
    return web


def token(web: TestClient) -> str:
    return csrf_of(web, "/")


def drafted(
    engine: Engine, business: Business, clients: int = 5, name: str = "Cliente"
) -> list[Letter]:
    """``clients`` clients who bought something last week; Monday's run drafts three."""
    make_client, make_event = client_maker(engine, business), event_maker(engine)
    for n in range(clients):
        make_event(make_client(f"{name} {n}"), "purchase", 7 + n)
    assert business.id is not None
    run_day(engine, business.id, MONDAY, NOW)
    with read_session(engine) as session:
        return list(session.exec(select(Letter).order_by(col(Letter.id))))


def status_of(engine: Engine, letter_id: int) -> str:
    with read_session(engine) as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        return letter.status


def flag(engine: Engine, letter_id: int) -> None:
    with write_session(engine) as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        text = letter.body_text.replace("\n\n", "\n\nÉl está contento.\n\n", 1)
        edit_letter(session, letter, NOW, text=text)


def card_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="letter[^"]*" id="letter-(\d+)"', html)]


def test_today_shows_the_days_letters_as_letters_flagged_first(
    engine: Engine, business: Business
) -> None:
    letters = drafted(engine, business)
    flag(engine, letters[2].id or 0)
    page = logged_in(engine, business).get("/")
    assert page.status_code == 200
    assert "<title>Hoy · followup</title>" in page.text and "<h1>Hoy</h1>" in page.text
    assert "lunes, 23 de noviembre de 2026" in page.text
    assert card_ids(page.text) == [letters[2].id, letters[0].id, letters[1].id]
    assert "<mark>Él está contento.</mark>" in page.text
    assert "habla del cliente en tercera persona" in page.text
    # The reason, the subject and the letter's lines (the greeting on a line of its own).
    assert "Por qué:" in page.text and "compró" in page.text
    assert re.search(r"<p>[^<]*:</p>\n<p>", page.text)  # the greeting, a paragraph alone


def test_client_names_and_typed_text_are_escaped(engine: Engine, business: Business) -> None:
    letters = drafted(engine, business, name=NASTY)
    web = logged_in(engine, business)
    web.post(f"/letters/{letters[0].id}/dismiss", data={"csrf_token": token(web), "why": NASTY})
    for path in ("/", f"/letters/{letters[0].id}", "/outbox", f"/letters/{letters[1].id}/print"):
        page = web.get(path).text
        assert NASTY not in page and "&lt;script&gt;alert(" in page, path


def test_approve_one_then_approving_it_again_is_refused_and_changes_nothing(
    any_engine: Engine, business: Business
) -> None:
    engine = any_engine  # SQLite, then PostgreSQL
    letters = drafted(engine, business)
    web = logged_in(engine, business)
    first = letters[0].id
    done = web.post(f"/letters/{first}/approve", data={"csrf_token": token(web)}, headers=HTMX)
    assert done.status_code == 200 and f'id="letter-{first}"' in done.text
    assert "Aprobada" in done.text and status_of(engine, first or 0) == "approved"
    with write_session(engine) as session:
        sent = get_letter(session, business.id or 0, first or 0)
        sent.status = LetterStatus.sent
        session.add(sent)
    again = web.post(f"/letters/{first}/approve", data={"csrf_token": token(web)})
    assert again.status_code == 409
    assert "No se puede aprobar esta carta: ya se envió. No se ha cambiado nada." in again.text
    assert status_of(engine, first or 0) == "sent"
    by_htmx = web.post(f"/letters/{first}/approve", data={"csrf_token": token(web)}, headers=HTMX)
    assert by_htmx.status_code == 409 and 'role="alert"' in by_htmx.text


def test_approve_all_approves_the_unflagged_and_names_the_ones_to_read(
    any_engine: Engine, business: Business
) -> None:
    engine = any_engine  # SQLite, then PostgreSQL
    letters = drafted(engine, business)
    flag(engine, letters[1].id or 0)
    web = logged_in(engine, business)
    answer = web.post("/today/approve-all", data={"csrf_token": token(web)})
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    assert [status_of(engine, x.id or 0) for x in letters[:3]] == ["approved", "draft", "approved"]
    page = web.get("/")
    assert "Aprobadas 2 cartas" in page.text
    assert f'Quedan por leer antes de aprobar: <a href="#letter-{letters[1].id}">' in page.text
    # The notice is said once.
    assert "Aprobadas 2 cartas" not in web.get("/").text


def test_edit_in_place_runs_the_checks_again_and_cancel_restores(
    engine: Engine, business: Business
) -> None:
    letter_id = drafted(engine, business)[0].id
    web = logged_in(engine, business)
    form = web.get(f"/letters/{letter_id}/edit", headers=HTMX)
    assert form.status_code == 200 and "<textarea" in form.text and "<html" not in form.text
    assert web.get(f"/letters/{letter_id}/edit").text.startswith("<!doctype html>")
    saved = web.post(
        f"/letters/{letter_id}/edit",
        data={"csrf_token": token(web), "subject": "Gracias, de verdad",
              "text": "Hola:\n\nGracias por su compra, [NOMBRE].\n\nMarta"},
        headers=HTMX,
    )  # fmt: skip
    assert saved.status_code == 200
    assert "Gracias, de verdad" in saved.text
    assert "<mark>Gracias por su compra, [NOMBRE].</mark>" in saved.text
    assert "parece un hueco sin rellenar" in saved.text
    restored = web.get(f"/letters/{letter_id}/card", headers=HTMX)
    assert "<textarea" not in restored.text and "Gracias, de verdad" in restored.text


def test_an_empty_subject_is_refused_next_to_its_field_keeping_the_text(
    engine: Engine, business: Business
) -> None:
    letter_id = drafted(engine, business)[0].id
    web = logged_in(engine, business)
    for headers in (HTMX, {}):
        refused = web.post(
            f"/letters/{letter_id}/edit",
            data={"csrf_token": token(web), "subject": " ", "text": "Mi texto <b>propio</b>"},
            headers=headers,
        )
        assert refused.status_code == 422
        assert f'id="subject-error-{letter_id}"' in refused.text
        assert "Escriba un asunto." in refused.text
        assert "Mi texto &lt;b&gt;propio&lt;/b&gt;</textarea>" in refused.text
    with read_session(engine) as session:
        assert get_letter(session, business.id or 0, letter_id or 0).subject != " "


def test_skip_puts_the_next_candidates_card_in_its_place(
    any_engine: Engine, business: Business
) -> None:
    engine = any_engine  # SQLite, then PostgreSQL
    letters = drafted(engine, business)
    web = logged_in(engine, business)
    skipped = letters[0]
    answer = web.post(f"/letters/{skipped.id}/skip", data={"csrf_token": token(web)}, headers=HTMX)
    assert answer.status_code == 200 and "<html" not in answer.text
    [new_id] = card_ids(answer.text)
    assert new_id not in {x.id for x in letters}
    assert "esta carta ocupa su lugar" in answer.text and "Se omitió a" in answer.text
    assert status_of(engine, skipped.id or 0) == "cancelled"
    with read_session(engine) as session:
        pick = session.exec(select(Pick).where(Pick.letter_id == new_id)).one()
        assert pick.day == MONDAY and not pick.skipped
    # Skipping it twice is refused: nothing changes.
    again = web.post(f"/letters/{skipped.id}/skip", data={"csrf_token": token(web)})
    assert again.status_code == 409
    # Without htmx: back to Today, the new letter among the cards.
    other = web.post(f"/letters/{letters[1].id}/skip", data={"csrf_token": token(web)})
    assert other.status_code == 303 and other.headers["location"].startswith("/#letter-")


def test_skipping_when_nobody_else_waits_says_so(engine: Engine, business: Business) -> None:
    letters = drafted(engine, business, clients=2)
    web = logged_in(engine, business)
    answer = web.post(f"/letters/{letters[0].id}/skip", data={"csrf_token": token(web)},
                      headers=HTMX)  # fmt: skip
    assert "Nadie más espera carta hoy." in answer.text


def test_dismiss_needs_a_reason_and_keeps_it(any_engine: Engine, business: Business) -> None:
    engine = any_engine  # SQLite, then PostgreSQL
    letter_id = drafted(engine, business)[0].id or 0
    web = logged_in(engine, business)
    empty = web.post(f"/letters/{letter_id}/dismiss", data={"csrf_token": token(web), "why": " "})
    assert empty.status_code == 422 and f'id="why-error-{letter_id}"' in empty.text
    assert status_of(engine, letter_id) == "draft"
    done = web.post(f"/letters/{letter_id}/dismiss",
                    data={"csrf_token": token(web), "why": "Llamó ayer"}, headers=HTMX)  # fmt: skip
    assert done.status_code == 200 and "Descartada" in done.text
    assert status_of(engine, letter_id) == "dismissed"


def phone_only_call(engine: Engine, business: Business, phone: str) -> int:
    client = client_maker(engine, business)("Pedro Gil", email=None, phone=phone)
    event_maker(engine)(client, "purchase", 3)
    assert business.id is not None
    run_day(engine, business.id, MONDAY, NOW)
    with read_session(engine) as session:
        letter = session.exec(select(Letter).where(Letter.client_id == client.id)).one()
    assert letter.channel == "call"
    return letter.id or 0


def test_a_call_shows_the_number_whatsapp_and_needs_an_outcome(
    any_engine: Engine, business: Business
) -> None:
    engine = any_engine  # SQLite, then PostgreSQL
    letter_id = phone_only_call(engine, business, "+34 612-345 678")
    web = logged_in(engine, business)
    page = web.get("/")
    assert 'href="tel:+34612345678"' in page.text
    with read_session(engine) as session:
        text = get_letter(session, business.id or 0, letter_id).body_text
    link = f"https://wa.me/34612345678?text={quote(text, safe='')}"
    assert f'href="{link.replace("&", "&amp;")}"' in page.text
    empty = web.post(f"/letters/{letter_id}/done", data={"csrf_token": token(web), "outcome": ""},
                     headers=HTMX)  # fmt: skip
    assert empty.status_code == 422 and f'id="outcome-error-{letter_id}"' in empty.text
    assert "Diga en pocas palabras cómo fue." in empty.text
    assert status_of(engine, letter_id) == "draft"
    done = web.post(f"/letters/{letter_id}/done",
                    data={"csrf_token": token(web), "outcome": "Contento, vuelve el lunes"})
    assert done.status_code == 303 and status_of(engine, letter_id) == "sent"
    with read_session(engine) as session:
        assert session.exec(select(Event).where(Event.kind == "call")).one().summary == (
            "Contento, vuelve el lunes"
        )


@pytest.mark.parametrize(
    ("phone", "country", "digits"),
    [
        ("612 345 678", "ES", "34612345678"),
        ("+34 612-345-678", "ES", "34612345678"),
        ("0034 612345678", None, "34612345678"),
        ("34612345678", "ES", "34612345678"),
        ("07700 900123", "GB", "447700900123"),
        ("612 345 678", None, "612345678"),
    ],
)
def test_whatsapp_numbers_are_international_digits(
    phone: str, country: str | None, digits: str
) -> None:
    from followup.web.pages.cards import whatsapp_link

    assert whatsapp_link(phone, country, "Hola, Ana:\n¿Qué tal? 100% & más") == (
        f"https://wa.me/{digits}?text=Hola%2C%20Ana%3A%0A%C2%BFQu%C3%A9%20tal%3F%20100%25%20%26%20m%C3%A1s"
    )
    assert whatsapp_link("—", country, "x") is None


def test_a_spanish_business_gives_a_national_number_its_code(
    engine: Engine, business: Business
) -> None:
    with write_session(engine) as session:
        row = session.get(Business, business.id)
        assert row is not None
        row.holiday_country = None  # the time zone (Europe/Madrid) says Spain
        session.add(row)
    phone_only_call(engine, business, "612 345 678")
    assert "https://wa.me/34612345678?text=" in logged_in(engine, business).get("/").text


def test_no_clients_yet_points_to_the_import(engine: Engine, business: Business) -> None:
    page = logged_in(engine, business).get("/")
    assert "Aún no hay clientes" in page.text and 'href="/clients"' in page.text


def test_before_the_run_and_after_an_empty_run_today_says_why(
    engine: Engine, business: Business
) -> None:
    client_maker(engine, business)(do_not_contact=True)
    web = logged_in(engine, business)
    assert "Las cartas de hoy se redactan a las 09:00" in web.get("/").text
    run_day(engine, business.id or 0, MONDAY, NOW)
    page = web.get("/").text
    assert "Hoy no se ha elegido a nadie" in page
    assert "martes, 24 de noviembre de 2026 a las 09:00" in page


def test_a_day_off_shows_the_waiting_drafts_and_the_next_run(
    engine: Engine, business: Business
) -> None:
    letters = drafted(engine, business)
    saturday = NOW + timedelta(days=5)
    page = logged_in(engine, business, Clock(saturday)).get("/").text
    assert "Hoy (sábado) no es día laborable" in page
    assert "lunes, 30 de noviembre de 2026 a las 09:00" in page
    assert set(card_ids(page)) == {x.id for x in letters[:3]}


def test_a_holiday_is_named_in_english_too(engine: Engine, business: Business) -> None:
    with write_session(engine) as session:
        row = session.get(Business, business.id)
        assert row is not None
        row.holiday_country, row.locale = "ES", "en"
        session.add(row)
    web = logged_in(engine, business, Clock(datetime.fromisoformat("2026-12-08T08:00+00:00")))
    page = web.get("/").text
    assert "<h1>Today</h1>" in page and "<title>Today · followup</title>" in page
    assert "Today is a holiday (Immaculate Conception)" in page
    assert "Wednesday, December 9, 2026 at 09:00" in page


def test_uncertain_letters_are_announced_with_a_link_to_the_outbox(
    engine: Engine, business: Business
) -> None:
    letters = drafted(engine, business)
    with write_session(engine) as session:
        row = session.get(Letter, letters[0].id)
        assert row is not None
        row.status = LetterStatus.uncertain
        session.add(row)
    page = logged_in(engine, business).get("/").text
    assert 'href="/outbox?status=uncertain"' in page


def test_today_in_english_for_an_english_user(engine: Engine, business: Business) -> None:
    drafted(engine, business)
    web = logged_in(engine, business)
    with write_session(engine) as session:
        for user in session.exec(select(User)):
            user.language = "en"
            session.add(user)
    page = web.get("/").text
    assert "<h1>Today</h1>" in page and "Monday, November 23, 2026" in page
    assert ">Approve</button>" in page and "Why:" in page


def test_another_business_letters_are_not_found(engine: Engine, business: Business) -> None:
    from tests.factories import make_business

    other = make_business(engine, name="Otra")
    theirs = drafted(engine, other)[0].id
    web = logged_in(engine, business)
    for path in (f"/letters/{theirs}/edit", f"/letters/{theirs}/card", f"/letters/{theirs}"):
        assert web.get(path).status_code == 404
    refused = web.post(f"/letters/{theirs}/approve", data={"csrf_token": token(web)})
    assert refused.status_code == 404 and status_of(engine, theirs or 0) == "draft"
    with read_session(engine) as session:
        assert session.exec(select(Client).where(Client.business_id == other.id)).first()
