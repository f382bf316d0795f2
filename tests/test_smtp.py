"""Delivery by SMTP against a real aiosmtpd server on 127.0.0.1 whose answers are
scripted per recipient (DESIGN §5): every outcome class, exactly once after a retry,
never twice from ``uncertain``, the paused login, the rate limit, STARTTLS and TLS, and
the settings that say where letters go.

No test sleeps on the real clock: the rate limit's waits go to an injected ``sleep``;
the timeout tests give the client 0.2 s against a server that takes longer.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from followup.config import Settings, get_settings, parse_smtp_url
from followup.db import read_session, write_session
from followup.errors import ConfigError
from followup.jobs import SendSummary, send_due
from followup.jobs.sending import paused_reasons
from followup.jobs.stopping import StopFlag
from followup.mail.mailer import mailer_for
from followup.mail.message import HEADERS
from followup.mail.smtp import SmtpMailer
from followup.models import Client, Letter, LetterStatus
from followup.outbox.sender import lift_pauses, pause_sending, sending_pauses
from tests.conftest import Run
from tests.factories import NOW, Database, at, client_maker, make_business, make_letter
from tests.smtp_server import PASSWORD, Faulty, Server, free_port, start

ROOT = Path(__file__).resolve().parent.parent


def smtp_settings(url: str, database_url: str = "sqlite://", **fields: Any) -> Settings:
    return get_settings(database_url=database_url, smtp_url=url, send_batch=10, **fields)


def send(
    engine: Engine, settings: Settings, now: datetime = NOW, naps: list[float] | None = None
) -> SendSummary:
    """One sending round by SMTP, as `send` runs it; the rate limit's waits go to ``naps``."""
    waits = [] if naps is None else naps
    return send_due(engine, settings, at(now), mailer_for(settings), sleep=waits.append)


def stored(engine: Engine, letter_id: int | None) -> Letter:
    with read_session(engine) as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        return letter


def client_of(engine: Engine, letter: Letter) -> Client:
    with read_session(engine) as session:
        client = session.get(Client, letter.client_id)
        assert client is not None
        return client


def queued_letter(engine: Engine, business: Any = None, **fields: Any) -> Letter:
    shop = business or make_business(engine)
    return make_letter(engine, shop, status=LetterStatus.queued, **fields)


# -- delivered -------------------------------------------------------------------------


def test_a_round_delivers_every_letter_once_over_one_connection(
    db: Database, server: Server
) -> None:
    shop = make_business(db.engine)
    letters = [queued_letter(db.engine, shop) for _ in range(3)]
    settings = smtp_settings(server.url(), db.url)
    summary = send(db.engine, settings)
    assert (summary.sent, summary.retried, summary.failed, summary.uncertain) == (3, 0, 0, 0)
    got = server.handler.received
    assert sorted(server.handler.message_ids()) == sorted(lt.message_id for lt in letters)
    assert {r.connection for r in got} == {0}  # one connection served the round
    assert [(r.mail_from, r.rcpt_tos) for r in got] == [
        ("marta@bicis.example", [lt.to_email]) for lt in letters
    ]
    assert all(stored(db.engine, lt.id).attempts == 1 for lt in letters)
    assert send(db.engine, settings, NOW + timedelta(hours=1)).sent == 0
    assert len(got) == 3


def test_letters_the_server_takes_follow_each_other_without_a_reset(
    engine: Engine, server: Server
) -> None:
    """RSET costs a round trip per letter: only a letter refused midway needs one, so
    that the next starts a transaction of its own."""
    shop = make_business(engine)
    letters = [queued_letter(engine, shop) for _ in range(4)]
    refused = letters[1].to_email
    assert refused is not None
    server.handler.script[refused] = ["rcpt:451 4.7.1 Greylisted, try again later"]
    summary = send(engine, smtp_settings(server.url()))
    assert (summary.sent, summary.retried) == (3, 1)
    assert server.handler.steps["RSET"] == 1  # after the refusal, not between the others
    assert server.handler.steps["EHLO"] == 1  # one connection
    assert {r.connection for r in server.handler.received} == {0}


def test_a_451_at_rcpt_is_retried_and_the_letter_delivered_exactly_once(
    db: Database, server: Server
) -> None:
    letter = queued_letter(db.engine)
    assert letter.to_email is not None
    server.handler.script[letter.to_email] = ["rcpt:451 4.7.1 Greylisted, try again later"]
    settings = smtp_settings(server.url(), db.url)

    assert send(db.engine, settings).retried == 1
    waiting = stored(db.engine, letter.id)
    assert (waiting.status, waiting.attempts, waiting.last_error_code) == ("queued", 1, "451")
    assert waiting.last_error is not None and "Greylisted" in waiting.last_error
    assert waiting.next_attempt_at == NOW + timedelta(minutes=1)
    assert server.handler.received == []

    assert send(db.engine, settings, NOW + timedelta(minutes=2)).sent == 1
    assert send(db.engine, settings, NOW + timedelta(hours=3)).sent == 0
    assert server.handler.message_ids() == [letter.message_id]
    assert (stored(db.engine, letter.id).status, stored(db.engine, letter.id).attempts) == (
        "sent",
        2,
    )


def test_a_server_that_hung_up_between_letters_costs_no_attempt(
    engine: Engine, server: Server
) -> None:
    shop = make_business(engine)
    first, second = queued_letter(engine, shop), queued_letter(engine, shop)
    assert first.to_email is not None
    server.handler.script[first.to_email] = ["data:close-after"]
    assert send(engine, smtp_settings(server.url())).sent == 2
    assert [r.connection for r in server.handler.received] == [0, 1]  # reconnected
    assert stored(engine, second.id).attempts == 1


# -- refused for good ------------------------------------------------------------------


def test_a_refused_recipient_fails_the_letter_and_marks_the_client_bounced(
    engine: Engine, server: Server
) -> None:
    shop = make_business(engine)
    bad = queued_letter(engine, shop)
    later = make_letter(
        engine,
        shop,
        client_of(engine, bad),
        status=LetterStatus.approved,
        send_after=NOW + timedelta(days=3),
    )
    good = queued_letter(engine, shop)
    assert bad.to_email is not None
    server.handler.script[bad.to_email] = ["rcpt:550 5.1.1 No such user here"]
    summary = send(engine, smtp_settings(server.url()))
    assert (summary.sent, summary.failed) == (1, 1)
    failed = stored(engine, bad.id)
    assert (failed.status, failed.last_error_code) == ("failed", "550")
    assert failed.last_error is not None and "550 5.1.1 No such user here" in failed.last_error
    client = client_of(engine, bad)
    assert (client.do_not_contact, client.do_not_contact_reason) == (True, "bounced")
    assert client.do_not_contact_at == NOW
    assert stored(engine, later.id).status == LetterStatus.approved  # nothing else cancelled
    assert server.handler.message_ids() == [good.message_id]


def test_a_relay_that_refuses_by_policy_fails_the_letter_but_bounces_nobody(
    engine: Engine, server: Server
) -> None:
    shop = make_business(engine)
    letter, untouched = queued_letter(engine, shop), queued_letter(engine, shop)
    assert letter.to_email is not None
    server.handler.script[letter.to_email] = ["rcpt:550 5.7.1 Relaying denied"]
    summary = send(engine, smtp_settings(server.url()))
    assert (summary.failed, summary.released) == (1, 1)
    assert summary.stopped is not None and "check FOLLOWUP_SMTP_URL" in summary.stopped
    assert stored(engine, letter.id).last_error_code == "550"
    assert not client_of(engine, letter).do_not_contact
    assert stored(engine, untouched.id).attempts == 0


def test_a_5xx_after_the_message_fails_it_with_the_servers_words(
    engine: Engine, server: Server
) -> None:
    letter = queued_letter(engine)
    assert letter.to_email is not None
    server.handler.script[letter.to_email] = ["data:552 5.3.4 Message size exceeds limit"]
    assert send(engine, smtp_settings(server.url())).failed == 1
    failed = stored(engine, letter.id)
    assert (failed.status, failed.last_error_code) == ("failed", "552")
    assert failed.last_error is not None and "552 5.3.4 Message size exceeds limit" in (
        failed.last_error
    )
    assert not client_of(engine, letter).do_not_contact  # the address was not refused


# -- may have gone out -----------------------------------------------------------------


def test_a_connection_lost_after_the_message_is_uncertain_and_never_sent_twice(
    db: Database, server: Server
) -> None:
    letter = queued_letter(db.engine)
    assert letter.to_email is not None
    server.handler.script[letter.to_email] = ["data:drop"]
    settings = smtp_settings(server.url(), db.url)
    assert send(db.engine, settings).uncertain == 1
    assert (stored(db.engine, letter.id).status, stored(db.engine, letter.id).last_error_code) == (
        "uncertain",
        "lost_in_data",
    )
    for later in (NOW + timedelta(minutes=5), NOW + timedelta(days=1)):
        assert send(db.engine, settings, later) == SendSummary()
    assert server.handler.message_ids() == [letter.message_id]  # the server had it: once
    assert stored(db.engine, letter.id).status == LetterStatus.uncertain


def test_a_connection_lost_before_data_is_retried(engine: Engine, server: Server) -> None:
    letter = queued_letter(engine)
    assert letter.to_email is not None
    server.handler.script[letter.to_email] = ["rcpt:drop"]
    settings = smtp_settings(server.url())
    assert send(engine, settings).retried == 1
    assert stored(engine, letter.id).last_error_code == "lost"
    assert send(engine, settings, NOW + timedelta(minutes=2)).sent == 1
    assert server.handler.message_ids() == [letter.message_id]


def test_a_slow_server_before_data_is_retried_and_after_the_message_is_uncertain(
    engine: Engine, server: Server
) -> None:
    shop = make_business(engine)
    early, late = queued_letter(engine, shop), queued_letter(engine, shop)
    assert early.to_email is not None and late.to_email is not None
    server.handler.script[early.to_email] = ["rcpt:slow"]
    server.handler.script[late.to_email] = ["data:slow"]
    summary = send(engine, smtp_settings(server.url(), smtp_timeout_seconds=0.2))
    assert (summary.retried, summary.uncertain) == (1, 1)
    assert (stored(engine, early.id).status, stored(engine, early.id).last_error_code) == (
        "queued",
        "timeout",
    )
    assert (stored(engine, late.id).status, stored(engine, late.id).last_error_code) == (
        "uncertain",
        "timeout_in_data",
    )


def test_a_server_that_cannot_be_reached_retries_one_letter_and_stops(engine: Engine) -> None:
    shop = make_business(engine)
    first, second = queued_letter(engine, shop), queued_letter(engine, shop)
    summary = send(engine, smtp_settings(f"smtp://127.0.0.1:{free_port()}"))
    assert summary.stopped is not None and "cannot reach the mail server" in summary.stopped
    assert (summary.retried, summary.released) == (1, 1)
    assert (stored(engine, first.id).status, stored(engine, first.id).attempts) == ("queued", 1)
    assert stored(engine, first.id).last_error_code == "connect"
    assert (stored(engine, second.id).status, stored(engine, second.id).attempts) == ("queued", 0)


# -- the business's settings refused ---------------------------------------------------


def test_a_refused_login_pauses_the_business_until_its_settings_change(
    db: Database, server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    engine = db.engine
    ruiz = make_business(engine, name="Taller Ruiz")
    other = make_business(engine, name="Floristería Sol", sender_email="sol@flores.example")
    paused_letter, other_letter = queued_letter(engine, ruiz), queued_letter(engine, other)
    old = smtp_settings(server.url("marta:old-s3cret"), db.url)
    server.handler.password = "new-s3cret"

    summary = send(engine, old)
    reason = (
        "sending is paused for Taller Ruiz: authentication refused by 127.0.0.1 (535 5.7.8 "
        "Authentication credentials invalid): check the user and app password, then run "
        "`followup send` again"
    )
    assert summary.paused == (reason,)
    assert (summary.sent, summary.retried, summary.failed, summary.stopped) == (0, 0, 0, None)
    # Neither letter used an attempt: the fault is the settings', not theirs.
    for letter in (paused_letter, other_letter):
        assert (stored(engine, letter.id).status, stored(engine, letter.id).attempts) == (
            "queued",
            0,
        )

    # The server would now take the old password (its lock was lifted, say): the pause
    # holds all the same, and it holds Taller Ruiz only.
    server.handler.password = "old-s3cret"
    logins = len(server.handler.logins)
    again = send(engine, old, NOW + timedelta(minutes=5))
    assert (again.sent, again.paused) == (1, (reason,))
    assert server.handler.message_ids() == [other_letter.message_id]
    assert stored(engine, paused_letter.id).attempts == 0
    assert paused_reasons(engine, old) == [reason]
    assert len(server.handler.logins) == logins + 1  # Floristería Sol's, not Ruiz's

    # A new password lifts it.
    server.handler.password = "new-s3cret"
    fixed = smtp_settings(server.url("marta:new-s3cret"), db.url)
    assert paused_reasons(engine, fixed) == []
    resumed = send(engine, fixed, NOW + timedelta(minutes=10))
    assert (resumed.sent, resumed.paused) == (1, ())
    assert (stored(engine, paused_letter.id).status, stored(engine, paused_letter.id).attempts) == (
        "sent",
        1,
    )
    assert "s3cret" not in caplog.text
    with read_session(engine) as session:
        errors = [lt.last_error or "" for lt in session.exec(select(Letter))]
    assert not any("s3cret" in error for error in errors)


def test_a_pause_is_one_row_per_business_and_lifted_only_by_other_settings(
    any_engine: Engine,
) -> None:
    shop, other = make_business(any_engine), make_business(any_engine, name="Floristería Sol")
    assert shop.id is not None and other.id is not None
    with write_session(any_engine) as session:
        pause_sending(session, shop.id, "a", "first", NOW)
        pause_sending(session, shop.id, "a", "again", NOW)  # two senders at once: one row
        pause_sending(session, other.id, "b", "older settings", NOW)
    with write_session(any_engine) as session:
        assert sending_pauses(session, "a") == {shop.id: "again"}
        assert lift_pauses(session, "a", business_id=shop.id) == []
        assert lift_pauses(session, "a") == [other.id]
        assert sending_pauses(session, "b") == {}


def test_the_pause_is_shown_by_send_tick_and_settings(run: Run, server: Server) -> None:
    run("demo", "--date", "2026-11-16")
    run("letters", "approve", "1")  # one letter: the rate limit never waits here
    refused = {"FOLLOWUP_SMTP_URL": server.url("marta:wrong-s3cret")}
    server.handler.password = "right"
    expected = (
        "Sending is paused for Taller de Bicicletas Ruiz: authentication refused by "
        "127.0.0.1 (535 5.7.8 Authentication credentials invalid): check the user and app "
        "password, then run `followup send` again."
    )
    for command in ("send", "tick"):
        result = run(command, "--date", "2026-11-16", code=2, env=refused)
        assert expected in result.output
        assert "s3cret" not in result.output
    shown = run("settings", env=refused).output
    assert f"sending: {expected[0].lower()}{expected[1:-1]}" in shown
    as_json = json.loads(run("settings", "--json", env=refused).output)
    assert as_json["sending_paused"] == f"{expected[0].lower()}{expected[1:-1]}"
    # The right password: no pause is shown any more, and the letters go out.
    fixed = {"FOLLOWUP_SMTP_URL": server.url("marta:right")}
    assert "paused" not in run("settings", env=fixed).output
    assert json.loads(run("settings", "--json", env=fixed).output)["sending_paused"] is None
    assert "Sent 1 letter(s)" in run("send", "--date", "2026-11-16", env=fixed).output
    assert len(server.handler.received) == 1


def test_starttls_required_but_not_offered_stops_without_using_an_attempt(
    engine: Engine, server: Server
) -> None:
    letter = queued_letter(engine)
    summary = send(engine, smtp_settings(server.url(query="?starttls=require")))
    assert summary.stopped == (
        f"the mail server 127.0.0.1:{server.port} does not offer STARTTLS, and "
        "FOLLOWUP_SMTP_URL requires it (?starttls=require): nothing was sent; use smtps:// "
        "(port 465) or a server that offers STARTTLS"
    )
    assert (stored(engine, letter.id).status, stored(engine, letter.id).attempts) == ("queued", 0)
    assert server.handler.rcpts == []


# -- the pace, the envelope ------------------------------------------------------------


def test_the_rate_limit_spaces_one_business_letters_not_another_s(
    engine: Engine, server: Server
) -> None:
    busy, quiet = make_business(engine), make_business(engine, name="Floristería Sol")
    for _ in range(3):
        queued_letter(engine, busy)
    queued_letter(engine, quiet)
    now = [NOW]
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        now[0] += timedelta(seconds=seconds)

    settings = smtp_settings(server.url(), smtp_rate_per_minute=2)
    summary = send_due(engine, settings, lambda: now[0], mailer_for(settings), sleep=nap)
    assert summary.sent == 4
    assert naps == [30.0, 30.0]  # the busy shop's 2nd and 3rd letters; the quiet one at once
    assert len(server.handler.received) == 4


def test_a_stop_asked_during_the_rate_limits_wait_sends_no_more(
    engine: Engine, server: Server
) -> None:
    """SIGTERM while the sender waits between two letters: the next one is not sent
    when the wait ends, it goes back to the queue with the rest."""
    busy = make_business(engine)
    letters = [queued_letter(engine, busy) for _ in range(3)]
    stop = StopFlag()
    now = [NOW]

    def nap(seconds: float) -> None:  # the signal arrives during the wait
        now[0] += timedelta(seconds=seconds)
        stop.signal = signal.SIGTERM

    settings = smtp_settings(server.url(), smtp_rate_per_minute=2)
    summary = send_due(
        engine, settings, lambda: now[0], mailer_for(settings), sleep=nap, stop=stop
    )
    assert (summary.sent, summary.released) == (1, 2)
    assert len(server.handler.received) == 1
    assert [stored(engine, letter.id).status for letter in letters].count("queued") == 2


def test_crlf_in_a_name_never_adds_a_header_or_a_recipient_at_the_server(
    engine: Engine, server: Server
) -> None:
    evil = "Laura\r\nBcc: evil@example.com"
    shop = make_business(engine, name=evil, owner_name=evil, reply_to="marta@gmail.example")
    client = client_maker(engine, shop)(name=evil)
    letter = make_letter(engine, shop, client, status=LetterStatus.queued, subject=evil)
    assert send(engine, smtp_settings(server.url())).sent == 1
    assert server.handler.rcpts == [client.email]
    [got] = server.handler.received
    assert got.rcpt_tos == [client.email]
    assert "Bcc" not in got.message
    assert set(got.message.keys()) <= {*HEADERS, "MIME-Version", "Content-Type"}
    assert got.message["Message-ID"] == letter.message_id
    assert all("\n" not in value and "\r" not in value for value in got.message.values())


# -- TLS -------------------------------------------------------------------------------


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        # Debian's openssl is on every machine of this project; under CI its absence fails.
        if os.environ.get("CI"):
            pytest.fail("CI is set but openssl is not installed: the TLS tests need it")
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_starttls_when_offered_and_smtps_carry_the_login_and_letter_over_tls(
    engine: Engine, certificate: tuple[Path, Path], scheme: str
) -> None:
    cert, key = certificate
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    # aiosmtpd offers AUTH on TLS from the start only when told TLS is not required
    # (it counts STARTTLS alone as TLS); either way the login travels encrypted.
    tls: dict[str, Any] = (
        {"tls_context": server_tls, "auth_require_tls": True}
        if scheme == "smtp"
        else {"ssl_context": server_tls}
    )
    controller, running = start(Faulty(), **tls)
    try:
        letter = queued_letter(engine)
        settings = smtp_settings(running.url(f"marta:{PASSWORD}", scheme=scheme))
        assert settings.smtp is not None
        trusting = ssl.create_default_context(cafile=str(cert))
        mailer = SmtpMailer(settings.smtp, timeout=10, tls_context=trusting)
        assert send_due(engine, settings, at(NOW), mailer, sleep=lambda _: None).sent == 1
        [got] = running.handler.received
        assert got.tls and got.message["Message-ID"] == letter.message_id
        assert running.handler.logins == [("marta", True)]

        # The system's certificates do not know this one: nothing sent, no attempt used.
        untrusted = queued_letter(engine)
        summary = send(engine, settings)
        assert summary.stopped is not None and "the TLS connection" in summary.stopped
        assert stored(engine, untrusted.id).attempts == 0
    finally:
        controller.stop()


# -- the settings ----------------------------------------------------------------------


def test_the_smtp_url_is_read_with_its_defaults_and_percent_decoded() -> None:
    server = parse_smtp_url("smtp://marta%40taller.example:p%40ss%3Aw0rd@Mail.Example.com")
    assert (server.host, server.port, server.implicit_tls, server.require_starttls) == (
        "mail.example.com",
        587,
        False,
        False,
    )
    assert (server.user, server.password) == ("marta@taller.example", "p@ss:w0rd")
    assert server.shown == "smtp://marta%40taller.example@mail.example.com:587"
    assert "p@ss" not in repr(server)
    tls = parse_smtp_url("smtps://u:p@mail.example.com")
    assert (tls.port, tls.implicit_tls) == (465, True)
    assert parse_smtp_url("smtp://h:2525?starttls=require").require_starttls
    assert parse_smtp_url("smtp://relay.local").user is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://marta:s3cret@mail.example.com", "'ftp' is not a mail server scheme"),
        ("smtp://marta:s3cret@:587", "FOLLOWUP_SMTP_URL names no server"),
        ("smtp://marta:s3cret@mail.example.com:port", "the port is not a number"),
        ("smtp://marta:s3cret@mail.example.com:70000", "the port is not a number"),
        ("smtp://marta:s3cret@mail.example.com?starttls=maybe", "?starttls=maybe is not"),
        ("smtp://marta:s3cret@mail.example.com?tls=1", "unknown option 'tls'"),
        ("smtps://marta:s3cret@mail.example.com?starttls=require", "?starttls=require is for"),
        ("smtp://marta@mail.example.com", "needs a password too"),
    ],
)
def test_a_bad_smtp_url_is_a_configuration_error_that_hides_the_password(
    url: str, says: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        get_settings(smtp_url=url)
    assert says in str(refused.value)
    assert "s3cret" not in str(refused.value)


def test_the_password_may_come_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "password").write_text("from-the-file\n")
    settings = get_settings(
        smtp_url="smtp://marta@mail.example.com", smtp_password_file=tmp_path / "password"
    )
    assert settings.smtp is not None and settings.smtp.password == "from-the-file"
    with pytest.raises(ConfigError, match="cannot read FOLLOWUP_SMTP_PASSWORD_FILE"):
        get_settings(smtp_url="smtp://marta@mail.example.com", smtp_password_file=tmp_path / "x")
    with pytest.raises(ConfigError, match="keep one"):
        get_settings(
            smtp_url="smtp://marta:pw@mail.example.com", smtp_password_file=tmp_path / "password"
        )


def test_the_pause_fingerprint_follows_server_user_and_password_never_shows_it() -> None:
    def fingerprint(url: str) -> str:
        return get_settings(smtp_url=url).delivery_fingerprint

    base = fingerprint("smtp://marta:one@mail.example.com")
    assert base == fingerprint("smtp://marta:one@mail.example.com:587")
    others = {
        fingerprint(url)
        for url in (
            "smtp://marta:two@mail.example.com",
            "smtp://ana:one@mail.example.com",
            "smtp://marta:one@mail.example.com:2525",
            "smtps://marta:one@mail.example.com",
        )
    }
    assert base not in others and len(others) == 4
    assert "one" not in base


def test_mailer_for_an_smtp_url_is_the_smtp_mailer_and_opens_nothing_yet(tmp_path: Path) -> None:
    settings = get_settings(
        outbox_dir=tmp_path, smtp_url="smtps://marta:pw@mail.example.com", smtp_timeout_seconds=7
    )
    mailer = mailer_for(settings)
    assert isinstance(mailer, SmtpMailer)
    assert (mailer.server, mailer.timeout) == (settings.smtp, 7)
    mailer.close()  # nothing was opened: nothing to close


def test_a_maildir_tick_never_loads_the_smtp_library(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from followup.cli import cli\n"
        "for args in (['demo', '--date', '2026-11-16'], ['tick', '--date', '2026-11-16']):\n"
        "    cli.main(args, standalone_mode=False)\n"
        "print(sorted(m for m in sys.modules if 'smtp' in m))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert out.splitlines()[-1] == "[]"


def test_send_test_says_in_words_what_happened(run: Run, server: Server) -> None:
    run("init", "--name", "Taller", "--owner", "Marta Ruiz", "--sender", "marta@t.example")
    server.handler.password = "right"

    sent = run("send-test", "--to", "Owner@Example.es",
               env={"FOLLOWUP_SMTP_URL": server.url("marta:right")}).output  # fmt: skip
    refused = run("send-test", "--to", "owner@example.es", code=2,
                  env={"FOLLOWUP_SMTP_URL": server.url("marta:wrong-s3cret")}).output  # fmt: skip
    maildir = run("send-test", "--to", "owner@example.es").output

    assert "Sent a test message to owner@example.es through the mail server" in sent
    (got,) = server.handler.received
    assert got.rcpt_tos == ["owner@example.es"]
    assert got.message["Subject"] == "Mensaje de prueba de followup"
    assert "authentication refused by 127.0.0.1" in refused and "s3cret" not in refused
    assert "through the Maildir" in maildir and "FOLLOWUP_SMTP_URL is not set" in maildir


@pytest.mark.slow
def test_the_drain_benchmark_runs_and_reports_both_rates() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "smtp_drain.py"), "20"],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip

    lines = result.stdout.splitlines()
    assert lines[0] == "letters: 20"
    assert re.fullmatch(r"outbox \(send_due, SMTP\): \d+\.\d\d s, \d+ letters/s", lines[1])
    assert re.fullmatch(r"bare aiosmtplib loop: \d+\.\d\d s, \d+ letters/s", lines[2])
    assert re.fullmatch(r"ratio: \d+\.\d\d \(target 0\.80 or more\)", lines[3])
