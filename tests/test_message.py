"""What ``build_message`` promises, checked where it matters: at a real SMTP server
(aiosmtpd on 127.0.0.1). Whatever an owner or a client types into a name or a subject
(CR/LF, Unicode line separators, "Bcc:" after a line break, an RFC 2047 encoded word
hiding a CR/LF) never adds a header or a recipient: one RCPT, the fixed headers, nothing
else. Names, subjects and bodies in Spanish, with emoji, long or short, decode to exactly
what was drafted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest

from followup.config import parse_smtp_url
from followup.mail.mailer import SendError
from followup.mail.message import HEADERS, build_message
from followup.mail.smtp import SmtpMailer
from followup.models import Business, Client, Letter
from tests.factories import unsaved_business, unsaved_client, unsaved_letter
from tests.smtp_server import Received, Server

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
MIME_HEADERS = {"MIME-Version", "Content-Type"}
TO = "jose@carpinterianunez.es"

# A line break, then a header: every way of typing one into a single-line field.
BREAKS = [
    "\r\n", "\n", "\r", "\r\n\r\n", "\r\n\t", "\r\n ", "\u2028", "\u2029", "\x85", "\x0b",
    "\x0c", "\x1c", "\x1d", "\x1e", "\x00",
]  # fmt: skip
INJECTIONS = [f"José Ñúñez{brk}Bcc: evil@example.com" for brk in BREAKS] + [
    "José Ñúñez\r\nCc: evil@example.com\r\nTo: evil2@example.com",
    "José\r\nContent-Type: text/html\r\n\r\n<b>owned</b>",
    # RFC 2047 encoded words whose decoded text holds a CR/LF and a header.
    "=?utf-8?q?Jos=C3=A9=0D=0ABcc:_evil@example.com?=",
    "=?utf-8?b?Sm9zw6kNCkJjYzogZXZpbEBleGFtcGxlLmNvbQ==?=",
    "José =?ISO-8859-1?Q?=0A=0ABcc:_evil@example.com?= Ñúñez",
]
FIELDS = ["client name", "owner name", "business name", "from name", "subject"]


def business(**fields: Any) -> Business:
    values = {"sender_email": "marta@tallerruiz.es", "reply_to": "taller@tallerruiz.es"}
    return unsaved_business(**(values | fields))


def client(**fields: Any) -> Client:
    return unsaved_client(**({"name": "José Ñúñez", "email": TO} | fields))


def letter(**fields: Any) -> Letter:
    values = {
        "locale": "es-usted",
        "to_email": TO,
        "body_text": "Estimado José:\n\nGracias por confiar en nosotros.\n\nMarta Ruiz\n",
        "body_html": "<p>Estimado José:</p><p>Gracias por confiar en nosotros.</p>",
        "message_id": "<20261123080000.0a1b2c3d4e5f6789@tallerruiz.es>",
    }
    return unsaved_letter(**(values | fields))


def typed_into(field: str, text: str) -> EmailMessage:
    """The message built with ``text`` typed into ``field``."""
    shop = {
        "owner name": business(owner_name=text),
        "business name": business(name=text),
        "from name": business(from_name=text),
    }.get(field, business())
    the_client = client(name=text) if field == "client name" else client()
    the_letter = letter(subject=text) if field == "subject" else letter()
    return build_message(the_letter, shop, the_client, NOW)


def deliver(server: Server, *messages: EmailMessage) -> list[Received]:
    """Send ``messages`` over one connection; what the server received, in order."""
    mailer = SmtpMailer(parse_smtp_url(server.url()), timeout=10)
    try:
        for message in messages:
            mailer.send(message)
    finally:
        mailer.close()
    return server.handler.received


def assert_only_the_fixed_headers(got: Received) -> None:
    message = got.message
    names = list(message.keys())
    assert set(names) <= {*HEADERS, *MIME_HEADERS}, names
    assert len(names) == len(set(names)), f"a header appears twice: {names}"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    for name, value in message.items():
        assert "\r" not in value and "\n" not in value, (name, value)
    assert [a.addr_spec for a in message["To"].addresses] == [TO]
    assert [a.addr_spec for a in message["From"].addresses] == ["marta@tallerruiz.es"]
    assert [a.addr_spec for a in message["Reply-To"].addresses] == ["taller@tallerruiz.es"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_a_line_break_typed_anywhere_never_adds_a_header_or_a_recipient(
    server: Server, text: str
) -> None:
    received = deliver(server, *(typed_into(field, text) for field in FIELDS))
    assert server.handler.rcpts == [TO] * len(FIELDS)  # one RCPT a message, the client
    assert [got.rcpt_tos for got in received] == [[TO]] * len(FIELDS)
    for got in received:
        assert_only_the_fixed_headers(got)
        assert "Bcc" not in got.message and "Cc" not in got.message


@pytest.mark.parametrize("field", FIELDS)
def test_an_encoded_word_typed_as_a_name_reads_back_as_typed(server: Server, field: str) -> None:
    """Not decoded as RFC 2047: the reader sees the characters the owner typed."""
    typed = "=?utf-8?q?Jos=C3=A9=0D=0ABcc:_evil@example.com?="
    [got] = deliver(server, typed_into(field, typed))
    header, display = {
        "client name": ("To", typed),
        "owner name": ("From", f"{typed} — Taller Ruiz"),
        "business name": ("From", f"Marta Ruiz — {typed}"),
        "from name": ("From", typed),
        "subject": ("Subject", typed),
    }[field]
    value = got.message[header]
    shown = value if header == "Subject" else value.addresses[0].display_name
    assert shown == display


@pytest.mark.parametrize(
    ("field", "address"),
    [
        ("to_email", f"{TO}\r\nBcc: evil@example.com"),
        ("to_email", f"{TO}\nBcc: evil@example.com"),
        ("to_email", f"{TO}\u2028Bcc: evil@example.com"),
        ("to_email", f"{TO}, evil@example.com"),
        ("to_email", f"José <{TO}>\r\nBcc: evil@example.com"),
        ("reply_to", "taller@tallerruiz.es\r\nBcc: evil@example.com"),
        ("reply_to", "taller@tallerruiz.es, evil@example.com"),
        ("sender_email", "marta@tallerruiz.es\nBcc: evil@example.com"),
    ],
)
def test_an_address_with_a_line_break_is_refused_and_nothing_reaches_the_server(
    server: Server, field: str, address: str
) -> None:
    shop = business(**{field: address}) if field != "to_email" else business()
    the_letter = letter(to_email=address) if field == "to_email" else letter()
    with pytest.raises(SendError) as refused:
        build_message(the_letter, shop, client(email=address), NOW)
    assert (refused.value.permanent, refused.value.code) == (True, "bad_address")
    assert "\n" not in str(refused.value) and "\r" not in str(refused.value)
    assert server.handler.rcpts == []


# -- non-ASCII, exactly ----------------------------------------------------------------

NAMES = [
    "José Ñúñez",
    "María Ángeles Gómez-Echeverría",
    "Íñigo Martínez de la Fuente y Gómez-Echeverría 🚲",
    "Zoë Ó Briain",
    "Núñez, María José",
    "Françoise d'Aubigné",
    "🌻 Floristería Peña 🌻",
    "O'Neil & Hijos, S.L.",
]
SUBJECTS = [
    "Gracias por su confianza, José",
    "Le pido disculpas: la puerta del garaje no abría y la reparación llegó tarde",
    "¡Gracias por volver, señora Núñez! 🚲 Su bicicleta de paseo ya rueda como nueva 🎉",
    "Ñandú, pingüino, cigüeña, acción, camión — y un emoji al final 🚲",
    "🚲" * 40,
    " ".join(["Seguimiento de su garantía especial: ¿todo bien con la horquilla?"] * 3),
]


def exact_cases() -> Iterator[tuple[str, str, str]]:
    """(client name, sender name, subject): every name in every role, and every subject."""
    for n, name in enumerate(NAMES):
        yield name, NAMES[(n + 3) % len(NAMES)], SUBJECTS[n % len(SUBJECTS)]
    for n, subject in enumerate(SUBJECTS):
        yield NAMES[n], NAMES[-1 - n], subject


def test_names_subjects_and_bodies_decode_to_exactly_what_was_drafted(server: Server) -> None:
    cases = list(exact_cases())
    body_text = (
        "Estimado José:\n\nLe agradezco su paciencia con la reparación de la cigüeña 🚲.\n"
        ".Una línea que empieza con un punto, y otra muy larga " + "ñ" * 120 + "\n\n"
        "Un cordial saludo,\nMarta Ruiz — Taller Ñandú\n"
    )
    body_html = "<p>Estimado José:</p><p>Le agradezco su paciencia 🚲 — ñ " + "é" * 120 + "</p>"
    messages = [
        build_message(
            letter(subject=subject, body_text=body_text, body_html=body_html),
            business(name=f"Taller {owner}", owner_name=owner),
            client(name=name),
            NOW,
        )
        for name, owner, subject in cases
    ]
    received = deliver(server, *messages)
    assert server.handler.rcpts == [TO] * len(cases)
    for (name, owner, subject), got in zip(cases, received, strict=True):
        message = got.message
        assert message["Subject"] == subject
        assert message["To"].addresses[0].display_name == name
        assert message["From"].addresses[0].display_name == f"{owner} — Taller {owner}"
        assert message["Reply-To"].addresses[0].display_name == owner
        plain, html = message.get_body(("plain",)), message.get_body(("html",))
        assert plain is not None and html is not None
        assert plain.get_content().replace("\r\n", "\n") == body_text
        assert html.get_content().replace("\r\n", "\n").rstrip("\n") == body_html
        assert_only_the_fixed_headers(got)


@pytest.mark.parametrize("lead", range(0, 80, 7))
def test_a_long_non_ascii_name_decodes_exactly_at_every_length(server: Server, lead: int) -> None:
    """Python's reader puts a space where two encoded words of a display name meet, so a
    name is one encoded word however long it is ("Gómez-E cheverría" otherwise)."""
    name = ("x" * lead + " Íñigo Martínez de la Fuente y Gómez-Echeverría 🚲").strip()
    message = build_message(letter(), business(from_name=name), client(name=name), NOW)
    [got] = deliver(server, message)
    assert got.message["To"].addresses[0].display_name == name
    assert got.message["From"].addresses[0].display_name == name
    assert_only_the_fixed_headers(got)
