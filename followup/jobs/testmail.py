"""A test message through the delivery settings in force, as ``followup send-test`` and
the dashboard's Settings page send it: one message to an address the owner gives, in
the business's language, and what happened, for the caller to say in its own words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from followup.config import Settings
from followup.fields import normalise_email
from followup.models import Business

TEST_TEXT = {
    "es": (
        "Mensaje de prueba de followup",
        "Hola:\n\nEste es un mensaje de prueba que followup envía para {business}. Si lo "
        "está leyendo, las cartas saldrán por este mismo camino.\n\n{owner}",
    ),
    "en": (
        "A test message from followup",
        "Hello,\n\nThis is a test message followup sends for {business}. If you are reading "
        "it, the letters will go out the same way.\n\n{owner}",
    ),
}


@dataclass(frozen=True)
class TestOutcome:
    """``to`` as written to; ``server``: the mail server shown without its password (None:
    the Maildir ``maildir``); ``problem``: the server's words when it was not sent;
    ``login_refused``: the server refused our login (letters wait until the settings
    change); ``code``: the ``SendError``'s, for a caller that says it in other words."""

    to: str
    server: str | None
    maildir: str
    problem: str | None = None
    login_refused: bool = False
    stops: bool = False
    code: str | None = None

    @property
    def sent(self) -> bool:
        return self.problem is None


def send_test_message(
    business: Business, settings: Settings, to: str, now: datetime
) -> TestOutcome:
    """Send the test message to ``to`` (``Invalid("to")`` for a bad address)."""
    from followup.letters.rendering import html_part
    from followup.mail.mailer import SendError, mailer_for
    from followup.mail.message import build_message, make_message_id
    from followup.models import Client, Letter

    address = normalise_email(to, "to")
    subject, text = TEST_TEXT[business.locale if business.locale in TEST_TEXT else "en"]
    text = text.format(business=business.name, owner=business.owner_name)
    letter = Letter(
        business_id=business.id or 0, client_id=0, day=now.date(), kind="test",
        locale=business.locale, to_email=address, subject=subject, body_text=text,
        body_html=html_part("en" if business.locale == "en" else "es-usted", subject, text),
        message_id=make_message_id(business.sender_email.rpartition("@")[2], now),
    )  # fmt: skip
    outcome = TestOutcome(
        to=address,
        server=settings.smtp.shown if settings.smtp is not None else None,
        maildir=str(settings.outbox_dir),
    )
    mailer = mailer_for(settings)
    try:
        client = Client(business_id=business.id or 0, name=address)
        mailer.send(build_message(letter, business, client, now))
    except SendError as exc:
        return TestOutcome(
            to=outcome.to,
            server=outcome.server,
            maildir=outcome.maildir,
            problem=exc.message.removesuffix("; the letter will be retried"),
            login_refused=exc.pauses,
            stops=exc.stops or exc.pauses,
            code=exc.code,
        )
    finally:
        close = getattr(mailer, "close", None)
        if callable(close):
            close()
    return outcome
