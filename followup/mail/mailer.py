"""How a built message is delivered: the ``Mailer`` protocol, ``SendError`` and the choice
of backend (DESIGN §5).

Backends live in modules of their own and are imported on first use, so a ``tick`` that
writes into the Maildir never loads an SMTP library.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

from followup.config import Settings


class SendError(Exception):
    """Delivery did not happen, or may have: the flags say what the outbox does next.

    ``permanent``: retrying cannot help (refused recipient, invalid address): ``failed``.
    ``ambiguous``: the message may have reached the server (connection lost during
    DATA): ``uncertain``, never retried automatically. Neither: retry later.
    ``stops``: the fault is the delivery's, not the letter's (an outbox that cannot be
    written, a server that cannot be reached): the letter is retried later and the round
    stops, since every other letter would fail the same way.
    ``bounced`` (with ``permanent``): the server refused the recipient: the client is
    marked ``do_not_contact: bounced``.
    ``unattempted`` (with ``stops``): the delivery's settings are wrong (STARTTLS required
    but not offered, a certificate refused): the letter never started, so it goes back to
    the queue without using an attempt.
    ``pauses`` (with ``unattempted``): the server refused our login: the business's
    sending pauses until its delivery settings change.
    ``code`` is the server's reply code or a short tag; the message is the server's words.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        ambiguous: bool = False,
        stops: bool = False,
        code: str | None = None,
        bounced: bool = False,
        unattempted: bool = False,
        pauses: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.ambiguous = ambiguous
        self.stops = stops or unattempted or pauses
        self.code = code
        self.bounced = bounced
        self.unattempted = unattempted or pauses
        self.pauses = pauses


class Mailer(Protocol):
    """Delivers one built message, or raises ``SendError`` saying how far it got.

    Any other exception is a bug; the sender treats the letter as ``uncertain``.
    The SMTP mailer (``followup.mail.smtp``) keeps one connection for a sending round
    (opened on the first ``send``) and drives aiosmtplib step by step (``mail``,
    ``rcpt``, ``data``) on a private event loop, so that it can tell "not sent, retry"
    from "may have been sent".

    A mailer may also have ``close()``, which the sender calls at the end of every round
    (``ClosingMailer``): the SMTP mailer says QUIT there. A mailer without it (a test's
    recorder) needs nothing closed.
    """

    def send(self, message: EmailMessage) -> None: ...


class ClosingMailer(Mailer, Protocol):
    """A mailer that holds something open between letters (a connection)."""

    def close(self) -> None: ...


def close_mailer(mailer: Mailer) -> None:
    """End the round for ``mailer``: ``close()`` it if it has that."""
    close = getattr(mailer, "close", None)
    if callable(close):
        close()


def mailer_for(settings: Settings) -> ClosingMailer:
    """The mailer the settings ask for: SMTP when FOLLOWUP_SMTP_URL is set, else the
    Maildir. The SMTP module (and aiosmtplib) is imported only then."""
    if settings.smtp is not None:
        from followup.mail.smtp import SmtpMailer

        return SmtpMailer(settings.smtp, timeout=settings.smtp_timeout_seconds)
    from followup.mail.maildir import MaildirMailer

    return MaildirMailer(settings.outbox_dir, stale_seconds=settings.lease_seconds)
