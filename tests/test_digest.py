"""The owner's daily digest: in review mode, one email a day after the day's run with the
picks and why, the drafts to read again, and the letters that failed or became uncertain
since the last digest; delivered to the owner through the Maildir or a real SMTP server,
once however many ticks run, retried when it could not go out."""

from __future__ import annotations

import html
import mailbox
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from followup.config import Settings, get_settings
from followup.db import read_session
from followup.jobs import tick
from followup.jobs.digest import MAX_ATTEMPTS
from followup.jobs.scheduler import Worker
from followup.jobs.sending import paused_reasons
from followup.jobs.stopping import StopFlag
from followup.mail.mailer import mailer_for
from followup.mail.message import OWNER_HEADERS
from followup.models import Business, Digest, Letter, LetterStatus, Pick
from tests.conftest import Run
from tests.factories import MONDAY, Database, at, client_maker, event_maker, make_business
from tests.factories import make_letter as letter_of
from tests.smtp_server import Server

TUESDAY = MONDAY + timedelta(days=1)
T1 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Madrid, after the send time
THIRD_PERSON = "Esperó dos semanas a que llegara la pieza de su cortacésped"


def outbox(settings: Settings) -> list[EmailMessage]:
    """Every message delivered into the Maildir, parsed."""
    found = []
    for raw in mailbox.Maildir(settings.outbox_dir, create=True):
        parsed = message_from_bytes(raw.as_bytes(), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        found.append(parsed)
    return found


def digests(settings: Settings) -> list[EmailMessage]:
    return [m for m in outbox(settings) if m["Auto-Submitted"] == "auto-generated"]


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain and HTML parts of a message."""
    text, markup = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and markup is not None
    return str(text.get_content()), str(markup.get_content())


def says_the_same(text: str, markup: str) -> None:
    """Every sentence of the plain part is in the HTML part, as a reader sees it."""
    seen = " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())
    for line in text.splitlines():
        sentence = re.sub(r"^(\d+\.|-) ", "", line.strip()).replace("`", "")
        if sentence and sentence != "--":
            assert " ".join(sentence.split()) in seen, sentence


def day_of(engine: Engine, settings: Settings, now: datetime, **options: Any) -> list[str]:
    """One tick (through the Maildir unless ``settings`` name a server); its lines."""
    return tick(engine, settings, at(now), mailer_for(settings), **options).lines()


def workshop(engine: Engine, **fields: Any) -> Business:
    """A business with three clients to write to on MONDAY: Raúl (tú) complained in the
    third person (the draft is flagged), Laura and Ana bought something."""
    shop = make_business(engine, **fields)
    new_client, event = client_maker(engine, shop), event_maker(engine)
    raul = new_client("Raúl López", email="raul@example.es", form_of_address="tu")
    event(raul, "complaint", 3, THIRD_PERSON)
    event(new_client("Laura Sánchez"), "purchase", 4, "Compra de casco y luces")
    event(new_client("Ana Gil"), "purchase", 2, "Compra de un sillín")
    return shop


def maildir_settings(url: str, tmp_path: Path, **fields: Any) -> Settings:
    return get_settings(database_url=url, outbox_dir=tmp_path / "outbox", **fields)


def smtp_settings(server: Server, user: str = "", **fields: Any) -> Settings:
    return get_settings(smtp_url=server.url(user), **fields)


def statuses(engine: Engine) -> Counter[str]:
    with read_session(engine) as session:
        return Counter(letter.status for letter in session.exec(select(Letter)))


# -- what it says -----------------------------------------------------------------------


def test_review_mode_sends_one_digest_of_the_picks_the_flags_and_what_failed_since_the_last(
    db: Database, tmp_path: Path
) -> None:
    engine, settings = db.engine, maildir_settings(db.url, tmp_path)
    shop = workshop(engine, reply_to="marta@gmail.example")
    old = letter_of(engine, shop, status=LetterStatus.failed, updated_at=T1 - timedelta(days=3),
                    last_error="the mail server smtp.example.com refused the address (550 5.1.1 "
                    "old mailbox unknown)")  # fmt: skip

    lines = day_of(engine, settings, T1, day=MONDAY)

    assert "business 1, 2026-11-23: digest sent to marta@gmail.example" in lines
    [first] = digests(settings)
    assert first["To"] == "Marta Ruiz <marta@gmail.example>"
    assert first["From"] == "followup — Taller de Bicicletas Ruiz <marta@bicis.example>"
    assert first["Subject"] == "3 cartas para revisar, 1 sin entregar — 23 de noviembre"
    text, markup = parts(first)
    with read_session(engine) as session:
        picks = list(session.exec(select(Pick).order_by(col(Pick.rank))))
        flagged = [lt for lt in session.exec(select(Letter)) if lt.flags]
    assert len(picks) == 3
    for rank, pick in enumerate(picks, 1):
        assert f"{rank}. " in text and f"carta {pick.letter_id}: {pick.reason}" in text
    assert "Raúl López — disculpa" in text and "Laura Sánchez — agradecimiento" in text
    assert "esperan tu aprobación" in text and "usted" not in text
    [draft] = flagged
    assert f"Carta {draft.id} a Raúl López: «{draft.flags[0]['sentence']}»" in text
    assert THIRD_PERSON.lower() in draft.flags[0]["sentence"].lower()
    # Why, in the owner's language: the Spanish digest does not switch to English.
    assert "— habla del cliente en tercera persona" in text
    assert "speaks of the client" not in text
    # The first digest tells of every failure; the commands to act on it are there.
    assert f"La carta {old.id} a Cliente" in text
    assert "refused the address (550 5.1.1 old mailbox unknown)" in text
    assert f"`followup letters resend {old.id}`" in text
    says_the_same(text, markup)

    # Later that day: nothing more.
    assert not any("digest" in line for line in day_of(engine, settings, T1 + timedelta(hours=1)))
    assert len(digests(settings)) == 1

    failed = letter_of(engine, shop, status=LetterStatus.failed, updated_at=T1 + timedelta(hours=2),
                       last_error="the mail server smtp.example.com refused the address (550 "
                       "5.1.1 mailbox unknown)")  # fmt: skip
    uncertain = letter_of(engine, shop, status=LetterStatus.uncertain,
                          updated_at=T1 + timedelta(hours=3),
                          last_error="the mail server smtp.example.com closed the connection "
                          "after the letter was sent to it (Connection lost): it may or may not "
                          "have been delivered")  # fmt: skip
    day_of(engine, settings, T1 + timedelta(days=1), day=TUESDAY)

    second = next(m for m in digests(settings) if "24 de noviembre" in m["Subject"])
    assert ", 2 sin entregar — 24 de noviembre" in second["Subject"]
    text, markup = parts(second)
    assert "Sin entregar desde el último resumen" in text
    assert f"La carta {failed.id} a Cliente" in text and "(550 5.1.1 mailbox unknown)" in text
    assert f"`followup letters resend {failed.id}`" in text
    assert f"La carta {uncertain.id} a Cliente" in text and "puede haber llegado o no" in text
    assert f"`followup letters mark-sent {uncertain.id}`" in text
    assert f"carta {old.id} a" not in text.lower()  # told in the last digest already
    says_the_same(text, markup)
    # A digest is not a letter, and no client got anything.
    assert all(m["To"] == "Marta Ruiz <marta@gmail.example>" for m in outbox(settings))
    assert statuses(engine)["sent"] == 0


def test_in_english_with_one_letter(engine: Engine, settings: Settings) -> None:
    shop = make_business(engine, locale="en", name="Lang Joinery", owner_name="Peter Lang",
                         sender_email="peter@lang.example", timezone="Europe/London")  # fmt: skip
    event_maker(engine)(client_maker(engine, shop)("Grace Hill"), "purchase", 2, "an oak table")

    assert day_of(engine, settings, T1, day=MONDAY)[1] == (
        "business 1, 2026-11-23: digest sent to peter@lang.example"
    )
    [digest] = digests(settings)
    assert digest["Subject"] == "1 letter to review — 23 November"
    text, markup = parts(digest)
    assert text.startswith(
        "The letters of 23 November for Lang Joinery are drafted and wait for your approval."
    )
    assert "Today's picks\n1. Grace Hill — thank-you, letter 1: bought on 21 November" in text
    assert "To stop it: `followup settings set --no-digest`." in text
    assert '<html lang="en">' in markup
    says_the_same(text, markup)


@pytest.mark.parametrize("locale", ["es", "en"])
@pytest.mark.parametrize("base_url", [None, "https://followup.example.com/"])
def test_a_day_with_nothing_picked_says_so_and_links_the_dashboard_only_when_set(
    sqlite_url: str, tmp_path: Path, locale: str, base_url: str | None
) -> None:
    settings = maildir_settings(sqlite_url, tmp_path, base_url=base_url)
    from followup.db import make_engine, migrate

    engine = make_engine(settings)
    migrate(engine)
    make_business(engine, locale=locale)  # no clients: nobody to write to

    day_of(engine, settings, T1, day=MONDAY)

    [digest] = digests(settings)
    text, markup = parts(digest)
    nothing = {
        "es": ("Hoy no hay cartas — 23 de noviembre", "Hoy no hay cartas: ningún cliente "
               "necesitaba una el 23 de noviembre", "En el panel: https://followup.example.com/"),
        "en": ("No letters today — 23 November", "No letters today: no client needed one on "
               "23 November", "On the dashboard: https://followup.example.com/"),
    }[locale]  # fmt: skip
    assert digest["Subject"] == nothing[0]
    assert text.startswith(nothing[1])
    if base_url:
        assert nothing[2] in text
        assert '<a href="https://followup.example.com/">' in markup
    else:
        assert "http" not in text and "<a " not in markup
    says_the_same(text, markup)
    engine.dispose()


def test_a_client_name_is_text_in_the_html_part(engine: Engine, settings: Settings) -> None:
    shop = make_business(engine)
    name = "<script>alert('x')</script> Ruiz & Hijos"
    event_maker(engine)(client_maker(engine, shop)(name), "purchase", 2, "Compra de <b>luces</b>")

    day_of(engine, settings, T1, day=MONDAY)

    text, markup = parts(digests(settings)[0])
    assert f"1. {name} — agradecimiento" in text
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Ruiz &amp; Hijos" in markup


# -- who gets one -------------------------------------------------------------------------


def test_no_digest_in_auto_mode_nor_when_turned_off(engine: Engine, settings: Settings) -> None:
    auto = make_business(engine, name="Auto", approval_mode="auto")
    quiet = make_business(engine, name="Quiet", sender_email="quiet@example.es", digest=False)
    for shop in (auto, quiet):
        event_maker(engine)(client_maker(engine, shop)(), "purchase", 2, "Compra de luces")

    lines = day_of(engine, settings, T1, day=MONDAY)

    assert [line for line in lines if "digest" in line] == []
    assert digests(settings) == []
    assert len(outbox(settings)) == 1  # the auto business's letter, to its client
    with read_session(engine) as session:
        assert list(session.exec(select(Digest))) == []


def test_the_worker_sends_the_digest_right_after_the_days_job(
    engine: Engine, settings: Settings
) -> None:
    shop = workshop(engine)
    assert shop.id is not None
    worker = Worker(engine, settings, at(T1), StopFlag())

    worker.run_business_day(shop.id)
    worker.run_business_day(shop.id)  # a second fire: the day and its digest are done

    [digest] = digests(settings)
    assert digest["Subject"] == "3 cartas para revisar — 23 de noviembre"


def test_the_workers_round_sends_a_digest_that_failed_after_the_days_job(
    engine: Engine, server: Server
) -> None:
    shop = workshop(engine)
    assert shop.id is not None
    server.handler.script["marta@bicis.example"] = ["rcpt:451 4.3.0 Try again later"]
    now = [T1]
    worker = Worker(engine, smtp_settings(server), lambda: now[0], StopFlag())
    # Its day job is scheduled already (the round reschedules only what changed).
    worker.scheduled[shop.id] = (shop.timezone, shop.send_time, shop.working_days)

    worker.run_business_day(shop.id)
    assert server.handler.received == []
    now[0] = T1 + timedelta(minutes=2)
    worker.round()
    worker.round()

    [got] = server.handler.received
    assert got.message["Subject"] == "3 cartas para revisar — 23 de noviembre"


# -- delivered by SMTP ------------------------------------------------------------------


def test_by_smtp_it_goes_to_the_owner_alone_and_crlf_never_makes_a_header(
    engine: Engine, server: Server
) -> None:
    evil = "Marta\r\nBcc: evil@example.com"
    shop = make_business(engine, name=evil, owner_name=evil, reply_to="marta@gmail.example")
    client = client_maker(engine, shop)(name=evil, email="laura@example.es")
    event_maker(engine)(client, "purchase", 2, "Compra\r\nBcc: evil@example.com")

    lines = day_of(engine, smtp_settings(server), T1, day=MONDAY)

    assert "business 1, 2026-11-23: digest sent to marta@gmail.example" in lines
    assert server.handler.rcpts == ["marta@gmail.example"]
    [got] = server.handler.received
    assert (got.mail_from, got.rcpt_tos) == ("marta@bicis.example", ["marta@gmail.example"])
    assert set(got.message.keys()) <= {*OWNER_HEADERS, "MIME-Version", "Content-Type"}
    assert "Bcc" not in got.message
    assert all("\n" not in value and "\r" not in value for value in got.message.values())
    assert got.message["Message-ID"].endswith("@bicis.example>")
    assert statuses(engine) == Counter({"draft": 1})


def test_a_refused_login_leaves_the_day_drafted_and_the_digest_waits_for_the_right_password(
    engine: Engine, server: Server
) -> None:
    workshop(engine)
    server.handler.password = "right"
    wrong = smtp_settings(server, "marta:wrong-s3cret")

    lines = day_of(engine, wrong, T1, day=MONDAY)

    assert "business 1, 2026-11-23: letters drafted (3)" in lines
    waits = "business 1, 2026-11-23: the digest to marta@bicis.example waits, as the letters do"
    assert any(line.startswith(waits) for line in lines)
    assert statuses(engine) == Counter({"draft": 3})
    assert paused_reasons(engine, wrong) == [
        "sending is paused for Taller de Bicicletas Ruiz: authentication refused by "
        "127.0.0.1 (535 5.7.8 Authentication credentials invalid): check the user and app "
        "password, then run `followup send` again"
    ]
    # Paused: the next tick tries no login with the same settings.
    logins = len(server.handler.logins)
    day_of(engine, wrong, T1 + timedelta(minutes=10), day=MONDAY)
    assert len(server.handler.logins) == logins and server.handler.received == []

    right = smtp_settings(server, "marta:right")
    lines = day_of(engine, right, T1 + timedelta(minutes=20), day=MONDAY)

    assert "business 1, 2026-11-23: digest sent to marta@bicis.example" in lines
    [got] = server.handler.received
    assert got.message["Subject"] == "3 cartas para revisar — 23 de noviembre"
    assert statuses(engine) == Counter({"draft": 3})
    with read_session(engine) as session:
        digest = session.exec(select(Digest)).one()
    assert (digest.status, digest.attempts) == ("sent", 1)  # the refused login did not count


def test_a_deferred_digest_is_tried_again_later_that_day_and_sent_once(
    engine: Engine, server: Server
) -> None:
    workshop(engine)
    server.handler.script["marta@bicis.example"] = ["rcpt:451 4.3.0 Try again later"]
    settings = smtp_settings(server)

    lines = day_of(engine, settings, T1, day=MONDAY)
    assert (
        "business 1, 2026-11-23: the digest to marta@bicis.example was not sent (the mail "
        "server 127.0.0.1 deferred the letter at RCPT TO (451 4.3.0 Try again later)); it will "
        "be tried again later today"
    ) in lines
    assert statuses(engine) == Counter({"draft": 3})
    day_of(engine, settings, T1 + timedelta(seconds=30), day=MONDAY)  # not due yet
    assert len(server.handler.rcpts) == 1

    day_of(engine, settings, T1 + timedelta(minutes=2), day=MONDAY)
    day_of(engine, settings, T1 + timedelta(minutes=30), day=MONDAY)

    assert len(server.handler.received) == 1 and len(server.handler.rcpts) == 2


def test_a_digest_that_never_goes_through_is_given_up_after_five_attempts(
    engine: Engine, server: Server
) -> None:
    workshop(engine)
    server.handler.script["marta@bicis.example"] = ["rcpt:451 4.3.0 Try again later"] * 9
    settings = smtp_settings(server)

    said: list[str] = []
    for minutes in (0, 2, 10, 30, 120, 300, 600):
        lines = day_of(engine, settings, T1 + timedelta(minutes=minutes), day=MONDAY)
        said += [line for line in lines if "digest" in line]

    assert len(said) == MAX_ATTEMPTS
    assert all(line.endswith("it will be tried again later today") for line in said[:-1])
    assert said[-1].endswith("(451 4.3.0 Try again later)); no more attempts today")
    assert len(server.handler.rcpts) == MAX_ATTEMPTS
    assert server.handler.received == []
    assert statuses(engine) == Counter({"draft": 3})
    with read_session(engine) as session:
        digest = session.exec(select(Digest)).one()
    assert (digest.status, digest.attempts) == ("failed", MAX_ATTEMPTS)


# -- many at once -------------------------------------------------------------------------


@pytest.mark.slow
def test_eight_concurrent_ticks_send_one_digest(db: Database, tmp_path: Path) -> None:
    workshop(db.engine)
    env = {**os.environ, "FOLLOWUP_DATABASE_URL": db.url,
           "FOLLOWUP_OUTBOX_DIR": str(tmp_path / "outbox")}  # fmt: skip
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "followup", "tick", "--date", MONDAY.isoformat()],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    results = [(proc.wait(timeout=180), *proc.communicate()) for proc in procs]

    assert [code for code, _, _ in results] == [0] * 8, [err for _, _, err in results]
    said = [out for _, out, _ in results if "digest sent to marta@bicis.example" in out]
    assert len(said) == 1
    delivered = list(mailbox.Maildir(tmp_path / "outbox"))
    assert [m["Auto-Submitted"] for m in delivered] == ["auto-generated"]
    with read_session(db.engine) as session:
        assert [(d.status, d.attempts) for d in session.exec(select(Digest))] == [("sent", 1)]


# -- the setting ------------------------------------------------------------------------


def test_the_setting_round_trips_through_settings_set_and_json(run: Run) -> None:
    import json

    run("init", "--name", "Taller", "--owner", "Marta", "--sender", "marta@taller.example")
    assert json.loads(run("settings", "--json").output)["digest"] is True
    assert "Changed digest to off." in run("settings", "set", "--no-digest").output
    assert json.loads(run("settings", "--json").output)["digest"] is False
    assert re.search(r"^ +digest: off$", run("settings").output, re.MULTILINE)
    run("clients", "add", "--name", "Laura Sánchez", "--email", "laura@example.es")
    run("tick", "--date", "2026-11-23")
    assert run("settings", "set", "--digest").output == "Changed digest to on.\n"
    assert json.loads(run("settings", "--json").output)["digest"] is True
    out = run("init", "--name", "Otro", "--owner", "M", "--sender", "m@o.example",
              "--no-digest").output  # fmt: skip
    assert "Created “Otro” (id 2)" in out
    assert json.loads(run("--business", "2", "settings", "--json").output)["digest"] is False
