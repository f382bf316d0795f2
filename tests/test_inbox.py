"""Reading the owner's inbox (DESIGN §5a) against a real Dovecot on 127.0.0.1: each kind
of message has exactly its effect, the mailbox is left byte for byte as it was, the
first read starts when the address is set, a renumbered folder counts nothing twice, and
a mailbox that cannot be read pauses only the reading."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from string import Template
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from followup.businesses import update_business
from followup.config import Settings, get_settings
from followup.db import read_session, write_session
from followup.jobs.inbox import InboxReport, read_inboxes
from followup.jobs.scheduler import Worker
from followup.jobs.stopping import StopFlag
from followup.models import Business, Client, Event, InboxMessage, InboxState, Letter
from tests.conftest import Run
from tests.factories import NOW, at, client_maker, make_letter
from tests.imap_server import Dovecot, Mailbox, require_dovecot

DATA = Path(__file__).parent / "data" / "inbox"
SET_AT = NOW - timedelta(hours=2)  # when the owner set the inbox's address
ARRIVED = NOW - timedelta(hours=1)
CLIENTS = {
    "ana": "ana@example.es",
    "ben": "ben@example.com",
    "gus": "gus@example.es",
    "hugo": "hugo@example.es",
    "carla": "carla@example.es",
    "dani": "dani@example.es",
    "eva": "eva@bad.example",
    "fede": "fede@example.es",
}
# Every fixture message and what it must do: (whose letter, what it was).
EFFECTS = {
    "reply_es_quoted": ("ana", "reply"),
    "reply_en_top_posted": ("ben", "reply"),
    "reply_other_address": ("gus", "reply"),
    "reply_by_address": ("hugo", "reply"),
    "ooo_auto_submitted": ("carla", "auto_reply"),
    "ooo_subject_only": ("dani", "auto_reply"),
    "dsn_failed": ("eva", "bounce"),
    "dsn_delay": ("fede", "delay"),
    "unrelated": (None, "unrelated"),
}


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    require_dovecot()
    server = Dovecot()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Mailbox:
    return dovecot.mailbox()


class Shop:
    """A business with one sent letter to each client of ``CLIENTS``."""

    def __init__(self, engine: Engine, business: Business) -> None:
        self.engine, self.business = engine, business
        make = client_maker(engine, business)
        self.clients = {name: make(name.title(), email=email) for name, email in CLIENTS.items()}
        self.letters = {
            name: make_letter(
                engine,
                business,
                client,
                status="sent",
                sent_at=NOW - timedelta(days=1),
                message_id=f"<20261122.{name}@bicis.example>",
            )
            for name, client in self.clients.items()
        }

    def message(self, name: str) -> bytes:
        ids = {f"{who}_letter": letter.message_id for who, letter in self.letters.items()}
        text = Template((DATA / f"{name}.eml").read_text(encoding="utf-8")).substitute(ids)
        return text.encode("utf-8")

    def watch(self, url: str, now: datetime = SET_AT) -> None:
        with write_session(self.engine) as session:
            stored = session.get(Business, self.business.id)
            assert stored is not None
            update_business(session, stored, now=now, imap_url=url)

    def read(self, now: datetime = NOW, **settings: Any) -> InboxReport:
        reports = read_inboxes(self.engine, get_settings(**settings), at(now))
        assert len(reports) == 1
        return reports[0]

    def seen(self) -> dict[str, tuple[str | None, str]]:
        """Each recorded message: whose letter it was about, and what it was."""
        names = {letter.id: who for who, letter in self.letters.items()}
        with read_session(self.engine) as session:
            rows = session.exec(select(InboxMessage).order_by(col(InboxMessage.id)))
            return {row.message_key: (names.get(row.letter_id), row.kind) for row in rows}

    def replies(self) -> list[str]:
        names = {client.id: who for who, client in self.clients.items()}
        with read_session(self.engine) as session:
            replies = select(Event).where(Event.kind == "reply").order_by(col(Event.id))
            events = session.exec(replies)
            return sorted(names[event.client_id] for event in events)

    def letter(self, name: str) -> Letter:
        with read_session(self.engine) as session:
            letter = session.get(Letter, self.letters[name].id)
            assert letter is not None
            return letter

    def letter_status(self, letter_id: int | None) -> str:
        with read_session(self.engine) as session:
            letter = session.get(Letter, letter_id)
            assert letter is not None
            return letter.status

    def client(self, name: str) -> Client:
        with read_session(self.engine) as session:
            client = session.get(Client, self.clients[name].id)
            assert client is not None
            return client


def test_each_message_has_exactly_its_effect_and_the_mailbox_is_untouched(
    any_engine: Engine, business: Business, mailbox: Mailbox
) -> None:
    shop = Shop(any_engine, business)
    shop.watch(mailbox.url())
    for name in EFFECTS:
        mailbox.deliver(name, shop.message(name), ARRIVED)
    before = mailbox.tree()

    report = shop.read()

    assert report.problem is None
    assert mailbox.tree() == before  # no flag, no move from new/ to cur/, nothing deleted
    assert sorted(shop.seen().values(), key=str) == sorted(EFFECTS.values(), key=str)
    assert report.seen == {"reply": 4, "auto_reply": 2, "bounce": 1, "delay": 1, "unrelated": 1}
    assert shop.replies() == ["ana", "ben", "gus", "hugo"]
    # A reply is contact: the rotation starts again from the day it arrived.
    assert shop.client("ana").last_contacted_on == ARRIVED.date()
    assert shop.client("carla").last_contacted_on is None  # an automatic reply is not
    bounced = shop.letter("eva")
    assert (bounced.status, bounced.last_error_code) == ("failed", "5.1.1")
    assert bounced.last_error is not None and "User unknown" in bounced.last_error
    eva = shop.client("eva")
    assert (eva.do_not_contact, eva.do_not_contact_reason) == (True, "bounced")
    for name in ("ana", "carla", "dani", "fede"):
        assert shop.letter(name).status == "sent"
        assert shop.client(name).do_not_contact is False
    # Read again: nothing new, nothing counted twice.
    assert not shop.read().seen
    assert shop.replies() == ["ana", "ben", "gus", "hugo"]


def test_an_answer_that_quotes_an_uncertain_letter_proves_it_arrived(
    any_engine: Engine, business: Business, mailbox: Mailbox
) -> None:
    """A letter left `uncertain` (the connection broke after DATA) that the client
    answers, or whose out-of-office quotes it, arrived: it becomes sent, and is never
    offered for resending. A reply found only by its sender's address proves nothing
    about which letter arrived."""
    shop = Shop(any_engine, business)
    with write_session(any_engine) as session:
        for name in ("ana", "carla", "hugo"):
            letter = session.get(Letter, shop.letters[name].id)
            assert letter is not None
            letter.status, letter.sent_at = "uncertain", None
    shop.watch(mailbox.url())
    for name in ("reply_es_quoted", "ooo_auto_submitted", "reply_by_address"):
        mailbox.deliver(name, shop.message(name), ARRIVED)

    assert shop.read().seen == {"reply": 2, "auto_reply": 1}
    assert shop.letter("ana").status == "sent" and shop.letter("ana").sent_at is not None
    assert shop.letter("carla").status == "sent"
    assert shop.letter("hugo").status == "uncertain"


def test_the_first_read_starts_when_the_address_is_set_and_later_mail_comes_next(
    engine: Engine, business: Business, mailbox: Mailbox
) -> None:
    shop = Shop(engine, business)
    mailbox.deliver("old", shop.message("reply_es_quoted"), SET_AT - timedelta(hours=20))
    shop.watch(mailbox.url())
    mailbox.deliver("new", shop.message("reply_en_top_posted"), ARRIVED)

    assert shop.read().seen == {"reply": 1}
    assert shop.replies() == ["ben"]  # Ana's reply was there before: the owner's old mail

    mailbox.deliver("later", shop.message("ooo_subject_only"), NOW + timedelta(minutes=5))
    assert shop.read(NOW + timedelta(minutes=10)).seen == {"auto_reply": 1}
    with read_session(engine) as session:
        state = session.get(InboxState, business.id)
        assert state is not None and state.last_uid == 3 and state.checked_at is not None


def test_a_new_uidvalidity_reads_again_and_counts_nothing_twice(
    engine: Engine, business: Business, mailbox: Mailbox
) -> None:
    shop = Shop(engine, business)
    shop.watch(mailbox.url())
    mailbox.deliver("a", shop.message("reply_es_quoted"), ARRIVED)
    mailbox.deliver("b", shop.message("dsn_failed"), ARRIVED)
    first = shop.read()
    assert (first.problem, first.seen) == (None, {"reply": 1, "bounce": 1})

    mailbox.renumber(4242)
    mailbox.deliver("c", shop.message("reply_other_address"), NOW + timedelta(minutes=1))
    report = shop.read(NOW + timedelta(minutes=2))

    assert report.seen == {"reply": 1}
    assert shop.replies() == ["ana", "gus"]
    assert len(shop.seen()) == 3
    with read_session(engine) as session:
        state = session.get(InboxState, business.id)
        assert state is not None and state.uidvalidity == 4242


def test_a_wrong_password_pauses_only_the_reading_and_the_right_one_resumes_it(
    run: Run, engine: Engine, business: Business, mailbox: Mailbox
) -> None:
    shop = Shop(engine, business)
    queued = make_letter(engine, business, status="queued")
    run("settings", "set", "--imap-url", mailbox.url().replace(f":{mailbox.password}@", "@"))
    mailbox.deliver("a", shop.message("reply_es_quoted"), NOW + timedelta(days=3650))

    wrong = run("tick", env={"FOLLOWUP_IMAP_PASSWORD": "not-it"})

    assert wrong.stderr.strip().splitlines() == [
        f"The inbox {mailbox.shown} could not be read: login refused; check the user and "
        "the app password. Sending goes on."
    ]
    assert shop.letter_status(queued.id) == "sent"  # sending did not wait for the inbox
    settings = json.loads(run("settings", "--json").stdout)
    assert settings["imap_url"] == mailbox.shown and "could not be read" in settings["inbox_paused"]
    assert "reading: the inbox" in run("settings").stdout
    assert shop.replies() == []

    password = Path("password")
    password.write_text(mailbox.password + "\n")
    right = run("tick", env={"FOLLOWUP_IMAP_PASSWORD_FILE": str(password)})

    assert right.stderr == "" and "inbox: 1 reply" in right.stdout
    assert shop.replies() == ["ana"]
    assert json.loads(run("settings", "--json").stdout)["inbox_paused"] is None
    assert "reading:" not in run("settings").stdout


def test_a_server_without_starttls_is_not_read_in_clear(
    engine: Engine, business: Business, mailbox: Mailbox
) -> None:
    shop = Shop(engine, business)
    shop.watch(mailbox.url().removesuffix("?tls=none"))  # imap:// means STARTTLS
    mailbox.deliver("a", shop.message("reply_es_quoted"), ARRIVED)
    report = shop.read()
    assert report.problem is not None and "does not offer STARTTLS" in report.problem
    assert shop.replies() == []


def test_a_stopped_server_pauses_the_reading_until_it_answers_again(
    engine: Engine, business: Business
) -> None:
    require_dovecot()
    server = Dovecot()
    try:
        server.start()
        mailbox = server.mailbox()
        shop = Shop(engine, business)
        shop.watch(mailbox.url())
        server.stop()
        mailbox.deliver("a", shop.message("reply_en_top_posted"), ARRIVED)

        down = shop.read(imap_timeout_seconds=5)

        assert down.problem is not None
        assert down.problem.startswith(f"the inbox {mailbox.shown} could not be read: ")
        assert "refused the connection" in down.problem
        assert down.problem.endswith("Sending goes on.")
        server.start()
        back = shop.read(NOW + timedelta(minutes=1))
        assert (back.problem, back.seen) == (None, {"reply": 1})
    finally:
        server.remove()


def test_the_cli_shows_replies_bounces_and_automatic_replies(
    run: Run, engine: Engine, business: Business, mailbox: Mailbox
) -> None:
    shop = Shop(engine, business)
    run("settings", "set", "--imap-url", mailbox.url())
    later = NOW + timedelta(days=3650)  # after the address was set, whatever the clock says
    for name in ("reply_es_quoted", "ooo_auto_submitted", "dsn_failed", "dsn_delay"):
        mailbox.deliver(name, shop.message(name), later)

    assert run("tick").stderr == ""

    events = json.loads(run("events", "list", "--kind", "reply", "--json").stdout)
    assert [(e["client_id"], e["kind"]) for e in events] == [(shop.clients["ana"].id, "reply")]
    letters = {row["id"]: row for row in json.loads(run("letters", "list", "--json").stdout)}
    failed = letters[shop.letters["eva"].id]
    assert failed["status"] == "failed" and failed["last_error"]["code"] == "5.1.1"
    assert "User unknown" in failed["last_error"]["words"]
    shown = run("letters", "show", str(shop.letters["eva"].id)).stdout
    assert "Last error: 5.1.1 the recipient's server gave it back: 550 5.1.1" in shown
    carla = run("letters", "show", str(shop.letters["carla"].id)).stdout
    assert "automatic reply (not counted as a reply)" in carla
    fede = run("letters", "show", str(shop.letters["fede"].id)).stdout
    assert "delivery delayed (nothing to do yet) 4.4.1" in fede
    settings = run("settings").stdout
    assert mailbox.password not in settings and f"inbox: {mailbox.shown}" in settings



def test_a_worker_round_sends_then_reads_and_says_a_reading_problem_once(
    engine: Engine, settings: Settings, business: Business, caplog: pytest.LogCaptureFixture
) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    require_dovecot()
    server = Dovecot()
    try:
        server.start()
        mailbox = server.mailbox()
        shop = Shop(engine, business)
        shop.watch(mailbox.url())
        mailbox.deliver("a", shop.message("reply_es_quoted"), ARRIVED)
        worker = Worker(engine, settings, at(NOW), StopFlag())
        worker.scheduler = BackgroundScheduler()  # never started: it only collects the jobs
        queued = make_letter(engine, business, status="queued")

        worker.round()

        assert shop.letter_status(queued.id) == "sent"
        assert shop.replies() == ["ana"]
        server.stop()
        with caplog.at_level(logging.WARNING, logger="followup.jobs.scheduler"):
            worker.round()
            worker.round()
            server.start()
            worker.round()
        said = [r.getMessage() for r in caplog.records if "inbox" in r.getMessage()]
        assert said == [
            f"the inbox {mailbox.shown} could not be read: 127.0.0.1 port {server.port} "
            "refused the connection (while connecting). Sending goes on.",
            f"the inbox {mailbox.shown} is read again",
        ]
    finally:
        server.remove()
