"""Building every email, delivering into the Maildir, and send_due end to end."""

from __future__ import annotations

import mailbox
import multiprocessing
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from followup.config import Settings, get_settings
from followup.db import make_engine, read_session, write_session
from followup.jobs import send_due
from followup.mail.maildir import MaildirMailer
from followup.mail.mailer import SendError, mailer_for
from followup.mail.message import HEADERS, UNSUBSCRIBE_HEADERS, build_message, make_message_id
from followup.models import Letter, LetterStatus
from tests.factories import Database, at, client_maker, make_business, make_letter
from tests.factories import unsaved_business as business
from tests.factories import unsaved_client as client
from tests.factories import unsaved_letter as letter

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MESSAGE_ID = "<20261123.abc123@taller.example>"
MIME_HEADERS = ("MIME-Version", "Content-Type")




def reparse(message: EmailMessage) -> EmailMessage:
    """The message as a receiving client sees it: serialised, then parsed again."""
    lf = message.policy.clone(linesep="\n")
    parsed = message_from_bytes(message.as_bytes(policy=lf), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def header_block(message: EmailMessage) -> str:
    return message.as_bytes().decode("ascii").split("\r\n\r\n", 1)[0]


# -- building ----------------------------------------------------------------------------


def test_an_unsubscribe_link_adds_exactly_the_one_click_headers() -> None:
    link = "https://followup.tallerruiz.es/unsubscribe/WzEsMV0.nT57VrtNNbof4tosy__kKUS_zjs"
    owner = business(reply_to="marta@gmail.example")
    message = reparse(build_message(letter(), owner, client(), NOW, link))
    assert sorted(message.keys()) == sorted([*HEADERS, *UNSUBSCRIBE_HEADERS, *MIME_HEADERS])
    assert str(message["List-Unsubscribe"]).strip() == f"<{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for bad in (link + "\r\nBcc: x@evil.example", link + ">, <mailto:x@e.example", "javascript:x"):
        with pytest.raises(ValueError, match="not an unsubscribe link"):
            build_message(letter(), business(), client(), NOW, bad)


def test_message_has_exactly_the_fixed_headers() -> None:
    message = reparse(
        build_message(letter(), business(reply_to="marta@gmail.example"), client(), NOW)
    )
    assert sorted(message.keys()) == sorted([*HEADERS, *MIME_HEADERS])
    assert message["Message-ID"] == MESSAGE_ID
    assert message["Date"] == format_datetime(NOW)
    assert message["Date"].datetime == NOW
    assert message["From"] == "Marta Ruiz — Taller Ruiz <marta@taller.example>"
    assert message["Reply-To"] == "Marta Ruiz <marta@gmail.example>"
    assert message["To"] == "Laura Gómez <laura@cliente.example>"
    assert message["Subject"] == "Gracias por su confianza"


def test_reply_to_only_when_the_business_has_one() -> None:
    message = build_message(letter(), business(reply_to=""), client(), NOW)
    assert "Reply-To" not in message


def test_message_is_multipart_alternative_with_text_and_html() -> None:
    message = reparse(build_message(letter(), business(), client(), NOW))
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in parts)
    assert parts[0].get_content() == letter().body_text
    assert parts[1].get_content().rstrip("\n") == letter().body_html


def test_non_ascii_names_and_subject_are_rfc2047_encoded() -> None:
    built = build_message(
        letter(subject="Disculpe el retraso, señora Núñez — pedido 4411"),
        business(name="Carpintería Ñandú"),
        client(name="Núñez, María José"),
        NOW,
    )
    headers = header_block(built)  # decodes as ASCII: nothing raw reached the wire
    assert "=?utf-8?" in headers
    message = reparse(built)
    assert message["From"].addresses[0].display_name == "Marta Ruiz — Carpintería Ñandú"
    assert message["To"].addresses[0].display_name == "Núñez, María José"
    assert message["To"].addresses[0].addr_spec == "laura@cliente.example"
    assert message["Subject"] == "Disculpe el retraso, señora Núñez — pedido 4411"


def test_non_ascii_body_survives_any_mail_server() -> None:
    built = build_message(letter(body_text="Señora Núñez: ¡gracias!\n"), business(), client(), NOW)
    # quoted-printable: 7-bit on the wire, for servers without 8BITMIME.
    assert built.as_bytes().isascii()
    plain = reparse(built).get_body(("plain",))
    assert plain is not None
    assert plain.get_content() == "Señora Núñez: ¡gracias!\n"


INJECTIONS = [
    "Laura\r\nBcc: evil@example.com",
    "Laura\nBcc: evil@example.com",
    "Laura\rBcc: evil@example.com",
    "Laura\r\n\r\nBcc: evil@example.com",
    "Laura\u2028Bcc: evil@example.com",
    "Laura\x85Bcc: evil@example.com",
]


def assert_no_injection(message: EmailMessage) -> None:
    parsed = reparse(message)
    assert "Bcc" not in parsed
    assert set(parsed.keys()) <= {*HEADERS, *MIME_HEADERS}
    assert len(parsed.keys()) == len(set(parsed.keys())), "a header appears twice"
    for name, value in parsed.items():
        assert "\r" not in value, name
        assert "\n" not in value, name
    for line in header_block(message).split("\r\n"):
        assert not line.lower().startswith("bcc"), line


@pytest.mark.parametrize("name", INJECTIONS)
def test_crlf_in_name_never_reaches_a_header(name: str) -> None:
    message = build_message(
        letter(),
        business(name=name, owner_name=name, reply_to="marta@gmail.example"),
        client(name=name),
        NOW,
    )
    assert_no_injection(message)
    assert reparse(message)["To"].addresses[0].display_name == "Laura Bcc: evil@example.com"


@pytest.mark.parametrize("subject", INJECTIONS)
def test_crlf_in_subject_never_reaches_a_header(subject: str) -> None:
    message = build_message(letter(subject=subject), business(), client(), NOW)
    assert_no_injection(message)
    assert reparse(message)["Subject"] == "Laura Bcc: evil@example.com"


@pytest.mark.parametrize(
    "address",
    [
        "laura@cliente.example\r\nBcc: evil@example.com",
        "laura@cliente.example\nBcc: evil@example.com",
        "laura\r\n@cliente.example",
        "Laura <laura@cliente.example>",
        "laura@cliente.example, evil@example.com",
        "laura cliente@example.com",
        "laura",
        "@cliente.example",
        "laura@",
        "laura@@cliente.example",
        "laura@-cliente.example",
        "jösé@cliente.example",
    ],
)
def test_an_invalid_recipient_address_is_refused(address: str) -> None:
    with pytest.raises(SendError) as refused:
        build_message(letter(to_email=address), business(), client(), NOW)
    assert refused.value.permanent
    assert not refused.value.ambiguous
    assert refused.value.code == "bad_address"
    assert "\n" not in str(refused.value)
    assert "\r" not in str(refused.value)


def test_an_invalid_sender_address_is_refused() -> None:
    with pytest.raises(SendError, match="the sender address") as refused:
        build_message(
            letter(), business(sender_email="marta@taller.example\r\nBcc: x@y.z"), client(), NOW
        )
    assert refused.value.permanent


def test_a_letter_without_an_address_is_refused() -> None:
    with pytest.raises(SendError, match="no email address") as refused:
        build_message(letter(to_email=None), business(), client(), NOW)
    assert refused.value.permanent


def test_an_international_domain_is_sent_as_punycode() -> None:
    message = reparse(
        build_message(letter(to_email="laura@pañalería.example"), business(), client(), NOW)
    )
    assert message["To"].addresses[0].domain == "xn--paalera-dza5a.example"


def test_message_id_is_preserved_and_a_bad_one_refused() -> None:
    assert reparse(build_message(letter(), business(), client(), NOW))["Message-ID"] == MESSAGE_ID
    with pytest.raises(SendError, match="invalid Message-ID") as refused:
        build_message(
            letter(message_id="<a@b>\r\nBcc: evil@example.com"), business(), client(), NOW
        )
    assert refused.value.permanent


def test_make_message_id_is_unique_and_carries_the_domain() -> None:
    first = make_message_id("taller.example", NOW)
    second = make_message_id("taller.example", NOW)
    assert first != second
    assert first.startswith("<20261123090000.")
    assert first.endswith("@taller.example>")
    # Usable by build_message as it is.
    assert (
        reparse(build_message(letter(message_id=first), business(), client(), NOW))["Message-ID"]
        == first
    )
    assert make_message_id("pañalería.example", NOW).endswith("@xn--paalera-dza5a.example>")
    with pytest.raises(ValueError, match="not a mail domain"):
        make_message_id("taller.example>\r\nBcc: x", NOW)


# -- the Maildir -------------------------------------------------------------------------


def test_maildir_delivery_lands_in_new_and_reads_back(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    MaildirMailer(outbox).send(
        build_message(letter(subject="Gracias, Laura — de corazón"), business(), client(), NOW)
    )
    assert len(list((outbox / "new").iterdir())) == 1
    assert list((outbox / "tmp").iterdir()) == []
    assert (outbox / "cur").is_dir()

    stored = list(mailbox.Maildir(outbox, create=False))
    assert len(stored) == 1
    parsed = message_from_bytes(stored[0].as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "Gracias, Laura — de corazón"
    assert parsed["Message-ID"] == MESSAGE_ID
    assert [part.get_content_type() for part in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert b"\r\n" not in next((outbox / "new").iterdir()).read_bytes()


def test_maildir_completes_an_existing_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "outbox").mkdir()
    MaildirMailer(tmp_path / "outbox").send(build_message(letter(), business(), client(), NOW))
    assert len(list((tmp_path / "outbox" / "new").iterdir())) == 1


def test_maildir_that_cannot_be_written_is_a_temporary_error(tmp_path: Path) -> None:
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the Maildir should be")
    with pytest.raises(SendError, match="cannot write to the outbox Maildir") as refused:
        MaildirMailer(blocker).send(build_message(letter(), business(), client(), NOW))
    assert not refused.value.permanent
    assert not refused.value.ambiguous


def test_mailer_for_delivers_into_the_outbox_dir_without_smtp(tmp_path: Path) -> None:
    mailer = mailer_for(get_settings(outbox_dir=tmp_path / "outbox", smtp_url=None))
    assert isinstance(mailer, MaildirMailer)
    assert mailer.path == tmp_path / "outbox"


# -- send_due end to end -----------------------------------------------------------------


@pytest.fixture
def send_settings(tmp_path: Path) -> Settings:
    """Delivery into the Maildir in ``tmp_path``, two letters per round."""
    return get_settings(outbox_dir=tmp_path / "outbox", smtp_url=None, send_batch=2)


def delivered(settings: Settings) -> list[EmailMessage]:
    if not settings.outbox_dir.exists():
        return []
    messages = []
    for stored in mailbox.Maildir(settings.outbox_dir, create=False):
        parsed = message_from_bytes(stored.as_bytes(), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return messages


def letters(engine: Engine) -> list[Letter]:
    with read_session(engine) as session:
        return list(session.exec(select(Letter).order_by(col(Letter.id))).all())


def test_send_due_delivers_each_due_letter_once(db: Database, send_settings: Settings) -> None:
    shop = make_business(db.engine)
    ids = [make_letter(db.engine, shop, status=LetterStatus.approved).id for _ in range(3)]
    mailer = mailer_for(send_settings)

    summary = send_due(db.engine, send_settings, at(NOW), mailer)
    assert (summary.sent, summary.retried, summary.failed, summary.uncertain) == (3, 0, 0, 0)
    sent = delivered(send_settings)
    assert len(sent) == 3
    stored = letters(db.engine)
    assert {message["Message-ID"] for message in sent} == {row.message_id for row in stored}
    for row in stored:
        assert row.status == LetterStatus.sent
        assert row.sent_at is not None
        assert NOW <= row.sent_at < NOW + timedelta(minutes=1)
        assert row.attempts == 1
    assert [row.id for row in stored] == ids

    later = NOW + timedelta(hours=1)
    assert send_due(db.engine, send_settings, at(later), mailer).sent == 0
    assert len(delivered(send_settings)) == 3


def test_send_due_leaves_a_letter_whose_time_has_not_come(
    db: Database, send_settings: Settings
) -> None:
    letter_id = make_letter(
        db.engine,
        make_business(db.engine),
        status=LetterStatus.approved,
        send_after=NOW + timedelta(hours=2),
    ).id
    assert send_due(db.engine, send_settings, at(NOW), mailer_for(send_settings)).sent == 0
    assert delivered(send_settings) == []
    assert letters(db.engine)[0].status == LetterStatus.approved

    assert (
        send_due(
            db.engine, send_settings, at(NOW + timedelta(hours=2)), mailer_for(send_settings)
        ).sent
        == 1
    )
    assert letters(db.engine)[0].id == letter_id


def test_send_due_for_one_business_sends_only_its_letters(
    db: Database, send_settings: Settings
) -> None:
    shop, other = make_business(db.engine, name="Mío"), make_business(db.engine, name="Ajeno")
    mine = [make_letter(db.engine, shop, status=LetterStatus.approved).id for _ in range(2)]
    make_letter(db.engine, other, status=LetterStatus.approved)
    summary = send_due(
        db.engine, send_settings, at(NOW), mailer_for(send_settings), business_id=shop.id
    )
    assert summary.sent == 2
    assert {row.id for row in letters(db.engine) if row.status == LetterStatus.sent} == set(mine)


def test_send_due_never_mails_a_client_marked_do_not_contact(
    db: Database, send_settings: Settings
) -> None:
    shop = make_business(db.engine)
    gone = client_maker(db.engine, shop)(do_not_contact=True, do_not_contact_reason="unsubscribed")
    make_letter(db.engine, shop, gone, status=LetterStatus.approved)
    summary = send_due(db.engine, send_settings, at(NOW), mailer_for(send_settings))
    assert (summary.sent, summary.failed) == (0, 1)
    assert delivered(send_settings) == []
    [row] = letters(db.engine)
    assert (row.status, row.last_error_code) == (LetterStatus.failed, "do_not_contact")


def test_send_due_fails_a_letter_with_a_bad_address_and_sends_the_rest(
    db: Database, send_settings: Settings
) -> None:
    shop = make_business(db.engine)
    good, bad = (make_letter(db.engine, shop, status=LetterStatus.approved).id for _ in range(2))
    with write_session(db.engine) as session:
        row = session.get(Letter, bad)
        assert row is not None
        row.to_email = "nobody\r\nBcc: evil@example.com"
    summary = send_due(db.engine, send_settings, at(NOW), mailer_for(send_settings))
    assert (summary.sent, summary.failed) == (1, 1)
    statuses = {row.id: (row.status, row.last_error_code) for row in letters(db.engine)}
    assert statuses == {good: (LetterStatus.sent, None), bad: (LetterStatus.failed, "bad_address")}


def send_in_process(url: str, outbox: str, start: Any, results: Any) -> None:
    """One of several senders draining the same outbox (module level for ``spawn``)."""
    try:
        settings = get_settings(database_url=url, outbox_dir=outbox, send_batch=2)
        engine = make_engine(settings)
        start.wait(timeout=60)
        summary = send_due(engine, settings, at(NOW), mailer_for(settings))
        engine.dispose()
        results.put((summary.sent, None))
    except Exception as exc:
        results.put((0, repr(exc)))


@pytest.mark.slow
def test_senders_in_several_processes_deliver_each_letter_once(
    db: Database, send_settings: Settings
) -> None:
    shop = make_business(db.engine)
    ids = [make_letter(db.engine, shop, status=LetterStatus.approved).id for _ in range(40)]
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(3)
    results = context.Queue()
    processes = [
        context.Process(
            target=send_in_process, args=(db.url, str(send_settings.outbox_dir), start, results)
        )
        for _ in range(3)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)

    assert [error for _, error in reports if error] == []
    assert sum(sent for sent, _ in reports) == len(ids)
    message_ids = [message["Message-ID"] for message in delivered(send_settings)]
    assert len(message_ids) == len(set(message_ids)) == len(ids)
    assert {row.status for row in letters(db.engine)} == {LetterStatus.sent}


@pytest.mark.parametrize("lead", range(0, 40, 3))
def test_a_long_non_ascii_subject_decodes_to_exactly_the_subject_drafted(lead: int) -> None:
    """Python's folding used to leave "no  abría" (two spaces) at some lengths."""
    subject = "x" * lead + " Le pido disculpas: la puerta del garaje no abría y la reparación"
    built = build_message(letter(subject=subject.strip()), business(), client(), NOW)
    wire = built.as_bytes()
    assert max(len(line) for line in header_block(built).splitlines()) <= 78
    assert reparse(built)["Subject"] == subject.strip()
    assert wire.isascii()


def test_mime_version_is_said_once_at_the_top() -> None:
    wire = build_message(letter(), business(), client(), NOW).as_bytes()
    assert wire.count(b"MIME-Version:") == 1
