"""Outbox / Salida over real HTTP, on SQLite and PostgreSQL for the write paths: letters
by status, paged; retry a failed letter, resend or mark sent an uncertain one (and the
refusals); a letter's own page with its history; the print views."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from followup.db import read_session, write_session
from followup.models import Business, Letter, User
from tests.factories import client_maker, make_letter
from tests.web_client import add_owner, csrf_of, dashboard, log_in


def logged_in(engine: Engine, business: Business) -> TestClient:
    web = dashboard(engine)
    log_in(web, add_owner(engine, business.id or 0))
    return web


def status_of(engine: Engine, letter_id: int | None) -> str:
    with read_session(engine) as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        return letter.status


def test_letters_by_status_newest_first_and_paged(engine: Engine, business: Business) -> None:
    ids = [make_letter(engine, business, status="sent").id or 0 for _ in range(27)]
    failed = make_letter(engine, business, status="failed", last_error_code="550",
                         last_error="mailbox unavailable").id  # fmt: skip
    web = logged_in(engine, business)
    page = web.get("/outbox")
    assert "<title>Salida · followup</title>" in page.text and "<h1>Salida</h1>" in page.text
    shown = [int(n) for n in re.findall(r'<a href="/letters/(\d+)">', page.text)]
    assert shown == [failed, *sorted(ids, reverse=True)][:25]
    assert "Página 1 de 2" in page.text
    second = web.get("/outbox?page=2").text
    oldest = sorted(ids)[:3][::-1]
    assert [int(n) for n in re.findall(r'<a href="/letters/(\d+)">', second)] == oldest
    only_failed = web.get("/outbox?status=failed").text
    assert [int(n) for n in re.findall(r'<a href="/letters/(\d+)">', only_failed)] == [failed]
    assert "<code>550</code> mailbox unavailable" in only_failed
    assert ">Reintentar</button>" in only_failed


def test_retry_a_failed_letter_and_refuse_it_twice(any_engine: Engine, business: Business) -> None:
    failed = make_letter(any_engine, business, status="failed", last_error="refused").id
    web = logged_in(any_engine, business)
    token = csrf_of(web, "/outbox")
    done = web.post(f"/letters/{failed}/resend",
                    data={"csrf_token": token, "next": "/outbox?status=failed"})  # fmt: skip
    assert (done.status_code, done.headers["location"]) == (303, "/outbox?status=failed")
    assert status_of(any_engine, failed) == "queued"
    again = web.post(f"/letters/{failed}/resend", data={"csrf_token": token})
    assert again.status_code == 409 and "está en cola" in again.text
    assert status_of(any_engine, failed) == "queued"


def test_an_uncertain_letter_is_explained_resent_or_marked_sent(
    any_engine: Engine, business: Business
) -> None:
    one = make_letter(any_engine, business, status="uncertain").id
    two = make_letter(any_engine, business, status="uncertain").id
    web = logged_in(any_engine, business)
    page = web.get("/outbox?status=uncertain").text
    assert "la conexión se cortó después de entregar la carta" in page
    token = csrf_of(web, "/outbox")
    assert web.post(f"/letters/{one}/resend", data={"csrf_token": token}).status_code == 303
    assert web.post(f"/letters/{two}/mark-sent", data={"csrf_token": token}).status_code == 303
    assert (status_of(any_engine, one), status_of(any_engine, two)) == ("queued", "sent")
    refused = web.post(f"/letters/{one}/mark-sent", data={"csrf_token": token})
    assert refused.status_code == 409 and status_of(any_engine, one) == "queued"


def test_a_letters_page_shows_it_as_read_with_its_history(
    engine: Engine, business: Business
) -> None:
    from datetime import timedelta

    from tests.factories import NOW

    letter = make_letter(engine, business, status="sent", created_at=NOW - timedelta(hours=2),
                         approved_at=NOW - timedelta(hours=1), sent_at=NOW)  # fmt: skip
    web = logged_in(engine, business)
    page = web.get(f"/letters/{letter.id}").text
    assert "<h1>Una carta</h1>" in page and "Gracias por su confianza" in page
    assert "<p>Buenos días:</p>" in page
    history = page.split("<h2>Historial</h2>")[1]
    assert history.index("Redactada") < history.index("Aprobada") < history.index("Enviada")
    assert web.get("/letters/999999").status_code == 404


@pytest.mark.parametrize("form", ["a4", "a5", "card"])
def test_print_views(engine: Engine, business: Business, form: str) -> None:
    letter = make_letter(engine, business, body_text="Hola, Ana:\n\nGracias.\nDe verdad.\n")
    web = logged_in(engine, business)
    page = web.get(f"/letters/{letter.id}/print?format={form}")
    assert page.status_code == 200
    assert f'<body class="format-{form}">' in page.text
    assert '<link rel="stylesheet" href="/static/print.css">' in page.text
    assert "<p>Gracias.<br>De verdad.</p>" in page.text
    if form == "card":
        assert "Taller de Bicicletas Ruiz" not in page.text
    else:
        assert "Taller de Bicicletas Ruiz" in page.text and "23 de noviembre de 2026" in page.text
    css = web.get("/static/print.css").text
    assert "@media print" in css and "size: A5" in css and "cursive" in css
    assert web.get(f"/letters/{letter.id}/print?format=letter").status_code == 404


def test_a_printed_letter_shows_the_postal_address_when_known(
    engine: Engine, business: Business
) -> None:
    """The recipient block holds the name, the company and the address's lines, escaped;
    with no address (or on a note card, which goes in an envelope) nothing stands in
    for it: no empty box, no placeholder."""
    maker = client_maker(engine, business)
    ana = maker("Ana <b>Ruiz</b>", company="Bicis Ana",
                address="Calle Mayor 5, 2º B\n28013 Madrid\nEspaña")  # fmt: skip
    grant = maker("Robert Grant", locale="en")
    spanish = make_letter(engine, business, ana)
    english = make_letter(engine, business, grant, locale="en", subject="Thank you",
                          body_text="Dear Robert,\n\nThank you.\n")  # fmt: skip
    web = logged_in(engine, business)

    page = web.get(f"/letters/{spanish.id}/print?format=a4").text
    assert (
        '<div class="recipient">\n<p>Ana &lt;b&gt;Ruiz&lt;/b&gt;<br>Bicis Ana<br>'
        "Calle Mayor 5, 2º B<br>28013 Madrid<br>España</p>\n</div>"
    ) in page
    assert '<main class="sheet" lang="es">' in page
    card = web.get(f"/letters/{spanish.id}/print?format=card").text
    assert "Calle Mayor" not in card and "recipient" not in card

    with write_session(engine) as session:
        for user in session.exec(__import__("sqlmodel").select(User)):
            user.language = "en"
            session.add(user)
    for form in ("a4", "a5"):
        page = web.get(f"/letters/{english.id}/print?format={form}").text
        assert '<div class="recipient">\n<p>Robert Grant</p>\n</div>' in page
        assert '<main class="sheet" lang="en">' in page and "November 23, 2026" in page
        assert "address" not in page.split("<main")[1].lower()
        assert "<br></p>" not in page and "—" not in page
    assert "Print formats" in page  # the owner's own language around the letter


def test_outbox_in_english(engine: Engine, business: Business) -> None:
    make_letter(engine, business, status="uncertain")
    web = logged_in(engine, business)
    with write_session(engine) as session:
        for user in session.exec(__import__("sqlmodel").select(User)):
            user.language = "en"
            session.add(user)
    page = web.get("/outbox?status=uncertain").text
    assert "<title>Outbox · followup</title>" in page and "<h1>Outbox</h1>" in page
    assert "the connection broke after the letter was handed over" in page
    assert ">It arrived: mark it as sent</button>" in page


def test_an_empty_outbox_says_where_letters_come_from(engine: Engine, business: Business) -> None:
    page = logged_in(engine, business).get("/outbox").text
    assert "Aún no hay cartas: se redactan en Hoy" in page


def test_a_letter_being_sent_says_so_and_settings_keeps_its_heading(
    engine: Engine, business: Business
) -> None:
    """One message id had two Spanish words (the status, Settings' heading): the first
    catalogue read won and the Outbox called a letter being sent "Envío"."""
    make_letter(engine, business, status="sending")
    web = logged_in(engine, business)
    page = web.get("/outbox?status=sending").text
    assert "<h2>Enviándose</h2>" in page
    assert '<span class="status status-sending">Enviándose</span>' in page
    assert ">Envío</" in web.get("/settings").text
