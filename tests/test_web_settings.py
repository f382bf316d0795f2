"""The Settings page over real HTTP on a real database: every setting of ``followup
settings`` changed through the same checks, a refusal beside its field with what was
typed kept and nothing changed; the inbox's password kept when its address comes back
as shown; the test email through a real SMTP server (aiosmtpd); sending paused and the
inbox's reading in words; the user's own language."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from followup.businesses import update_business
from followup.db import read_session, write_session
from followup.jobs.delivery import pause_reason
from followup.mail.mailer import SendError
from followup.models import Business, InboxState
from followup.outbox.sender import pause_sending
from followup.services import settings_view
from tests.factories import NOW
from tests.smtp_server import Faulty, Server, start
from tests.web_pages import ESCAPED, INJECTION, Owner, logged_in, title_and_h1


def form_of(engine: Engine, business_id: int | None, **changes: Any) -> dict[str, Any]:
    """The form as the page fills it, with ``changes``."""
    with read_session(engine) as session:
        business = session.get(Business, business_id)
        assert business is not None
        view = settings_view(business, session)
    values: dict[str, Any] = view.model_dump(exclude={"owner_lines", "inbox_paused", "id",
                                                       "sending_paused", "quota"})  # fmt: skip
    values["daily_quota"] = view.quota
    values["working_days"] = [str(day) for day in view.working_days]
    values["holidays"] = view.holidays or ""
    values["imap_url"] = view.imap_url or ""
    values["digest"] = "on" if view.digest else ""
    values.update(changes)
    return {k: v for k, v in values.items() if v != ""}


def stored(engine: Engine, business_id: int | None) -> Business:
    with read_session(engine) as session:
        business = session.get(Business, business_id)
        assert business is not None
        session.expunge(business)
        return business


def save(owner: Owner, **changes: Any) -> Any:
    data = form_of(owner.engine, owner.business.id, **changes)
    return owner.post("/settings", data, "/settings")


def test_the_page_in_both_languages_shows_every_setting(engine: Engine) -> None:
    owner = logged_in(engine)
    page = owner.web.get("/settings")
    assert page.status_code == 200 and title_and_h1(page.text) == ("Ajustes", "Ajustes")
    for name in ("name", "owner_name", "owner_title", "owner_phone", "sender_email", "reply_to",
                 "locale", "form_of_address", "timezone", "daily_quota", "send_time",
                 "holidays", "cooldown_days", "approval_mode", "digest", "greeting_usted",
                 "greeting_tu", "greeting_en", "imap_url", "from_name", "phone_label"):  # fmt: skip
        assert f'name="{name}"' in page.text, name
    assert page.text.count('name="working_days"') == 7 and "Lunes" in page.text
    assert 'value="Taller de Bicicletas Ruiz"' in page.text
    assert "las cartas se guardan en la carpeta" in page.text  # no SMTP: the Maildir
    assert "Su buzón no se lee." in page.text
    owner.web.post("/language", data={"lang": "en", "next": "/settings",
                                      "csrf_token": owner.token("/settings")})  # fmt: skip
    english = owner.web.get("/settings").text
    assert title_and_h1(english) == ("Settings", "Settings") and "Monday" in english


def test_settings_are_saved_through_the_same_checks(any_engine: Engine) -> None:
    owner = logged_in(any_engine)
    done = save(owner, daily_quota="5", working_days=["1", "2", "3", "4"], digest="",
                greeting_en="hi", holidays="ES-AN", send_time="08:30")  # fmt: skip
    assert (done.status_code, done.headers["location"]) == (303, "/settings")
    business = stored(any_engine, owner.business.id)
    assert (business.daily_quota, business.working_days, business.digest) == (5, "1,2,3,4", False)
    assert (business.greeting_en, business.holiday_subdivision, business.send_time) == (
        "hi", "AN", "08:30"
    )
    page = owner.web.get("/settings").text
    assert (
        "Guardado. Ha cambiado: Daily summary email"
        not in page  # the labels are in the owner's language
    )
    notice = re.search(r'class="notice" role="status">Guardado. Ha cambiado: (.*?)\.</p>', page)
    assert notice is not None
    assert notice.group(1).split(", ") == [
        "Correo de resumen diario", "Hora de envío", "Cartas por día laborable",
        "Días laborables", "Festivos", "Saludo en inglés",
    ]
    assert save(owner).status_code == 303
    assert "No ha cambiado nada" in owner.web.get("/settings").text


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("timezone", "Mars/Olympus", "Escriba una zona horaria como Europe/Madrid"),
        ("send_time", "02:30", "no entre las 02:00 y las 03:00"),
        ("daily_quota", "500", "Escriba un número entero del 1 al 50."),
        ("sender_email", "not an address", "Escriba la dirección desde la que salen"),
        ("holidays", "ZZ", "Escriba un código de país como ES"),
        ("name", "", "Escriba el nombre del negocio"),
        ("working_days", [], "Marque al menos un día laborable."),
    ],
)
def test_a_refused_setting_is_shown_beside_its_field(
    engine: Engine, field: str, value: Any, words: str
) -> None:
    owner = logged_in(engine)
    before = stored(engine, owner.business.id)
    refused = save(owner, **{field: value, "owner_name": "Marta R. <b>", "daily_quota": "7"}
                   if field != "daily_quota" else {field: value, "owner_name": "Marta R. <b>"})
    assert refused.status_code == 422
    error = re.search(rf'<p id="{field}-error" class="error" role="alert">(.*?)</p>', refused.text)
    assert error is not None and words in html.unescape(error.group(1))
    assert f'aria-describedby="{field}-error"' in refused.text or (
        f'aria-describedby="{field}-help {field}-error"' in refused.text
    )
    # What was typed is kept, escaped, and nothing was changed.
    assert 'value="Marta R. &lt;b&gt;"' in refused.text
    if isinstance(value, str) and value:
        assert f'value="{html.escape(value)}"' in refused.text
    after = stored(engine, owner.business.id)
    assert (after.owner_name, after.daily_quota) == (before.owner_name, before.daily_quota)


def test_the_inbox_password_is_kept_when_its_address_comes_back_as_shown(engine: Engine) -> None:
    owner = logged_in(engine)
    with write_session(engine) as session:
        business = session.get(Business, owner.business.id)
        assert business is not None
        update_business(session, business, now=NOW,
                        imap_url="imaps://marta%40bicis.example:s3cret@imap.bicis.example/INBOX")
    page = owner.web.get("/settings").text
    assert "s3cret" not in page and "imap.bicis.example" in page
    assert save(owner, daily_quota="4").status_code == 303
    assert "s3cret" in (stored(engine, owner.business.id).imap_url or "")
    assert save(owner, imap_url="").status_code == 303
    assert stored(engine, owner.business.id).imap_url is None


def test_sending_paused_and_the_inbox_said_in_words(engine: Engine) -> None:
    owner = logged_in(engine)
    business_id = owner.business.id or 0
    with write_session(engine) as session:
        business = session.get(Business, business_id)
        assert business is not None
        update_business(session, business, now=NOW,
                        imap_url="imaps://marta%40bicis.example@imap.bicis.example/INBOX")
        refused = SendError(
            "authentication refused by smtp.bicis.example (535 5.7.8 Authentication "
            "credentials invalid): check the user and app password", permanent=False, pauses=True,
        )  # fmt: skip
        pause_sending(session, business_id, "maildir", pause_reason(business, refused), NOW)
    page = html.unescape(owner.web.get("/settings").text)
    assert "El envío está en pausa desde el" in page
    replied = "El servidor de correo respondió: «535 5.7.8 Authentication credentials invalid»."
    assert replied in page
    assert "authentication refused by" not in page and "followup send" not in page
    assert "Para reanudarlo: corrija el usuario o la contraseña en FOLLOWUP_SMTP_URL" in page
    assert "aún no se ha leído" in page
    with write_session(engine) as session:
        state = session.get(InboxState, business_id)
        assert state is not None
        state.checked_at = NOW
        state.paused_reason = "login refused; check the user and the app password"
        state.paused_since = NOW - timedelta(hours=2)
        session.add(state)
    page = html.unescape(owner.web.get("/settings").text)
    # 07:00 UTC is 08:00 in Madrid.
    assert re.search(r"se leyó por última vez el 23 nov 2026, 8:00:00", page)
    assert "Su lectura está en pausa desde el 23 nov 2026, 6:00:00. El envío sigue" in page
    assert "El servidor de correo rechazó el acceso a su buzón: revise el usuario" in page
    assert "login refused" not in page


@pytest.fixture
def smtp() -> Iterator[Server]:
    controller, running = start(Faulty(password="right"))
    yield running
    controller.stop()


def test_a_test_email_through_a_real_smtp_server(
    engine: Engine, smtp: Server, tmp_path: Path
) -> None:
    owner = logged_in(engine, settings={"smtp_url": smtp.url("marta:right")})
    sent = owner.post("/settings/test-email", {"to": "Owner@Example.es"}, "/settings")
    assert sent.status_code == 200
    words = html.unescape(sent.text)
    assert f"a owner@example.es por smtp://marta@127.0.0.1:{smtp.port}. Si llega" in words
    (got,) = smtp.handler.received
    assert got.rcpt_tos == ["owner@example.es"]
    assert got.message["Subject"] == "Mensaje de prueba de followup"
    wrong = logged_in(engine, "ana@bicis.example", settings={"smtp_url": smtp.url("marta:bad")})
    refused = wrong.post("/settings/test-email", {"to": "owner@example.es"}, "/settings")
    words = html.unescape(refused.text)
    assert "El mensaje de prueba a owner@example.es no se envió" in words
    assert (
        "El mensaje de prueba a owner@example.es no se envió. Se rechazó el acceso: revise el "
        "usuario y la contraseña (una contraseña de aplicación en Gmail u Outlook) en "
        "FOLLOWUP_SMTP_URL. El servidor de correo respondió: «535 5.7.8 Authentication "
        "credentials invalid»."
    ) in words
    assert "authentication refused by" not in words  # the CLI's English, not the page's
    assert "bad" not in re.sub(r"<[^>]+>", "", refused.text).split("El mensaje")[1][:300]
    bad = owner.post("/settings/test-email", {"to": "nobody"}, "/settings")
    assert bad.status_code == 422 and 'id="test-error"' in bad.text
    assert 'value="nobody"' in bad.text and len(smtp.handler.received) == 1
    maildir = logged_in(engine, "eva@bicis.example", settings={"outbox_dir": tmp_path / "out"})
    kept = maildir.post("/settings/test-email", {"to": "owner@example.es"}, "/settings")
    assert "Se guardó un mensaje de prueba" in html.unescape(kept.text)
    assert any((tmp_path / "out" / "new").iterdir())


def test_owner_typed_settings_are_escaped_and_a_token_is_required(engine: Engine) -> None:
    owner = logged_in(engine)
    assert save(owner, name=INJECTION[:150], owner_title=INJECTION[:150]).status_code == 303
    page = owner.web.get("/settings").text
    assert "<script>alert" not in page and ESCAPED[:30] in page
    forged = owner.web.post("/settings", data=form_of(engine, owner.business.id, daily_quota="9"))
    assert forged.status_code == 403 and stored(engine, owner.business.id).daily_quota != 9
