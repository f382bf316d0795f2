"""How a built message is delivered: the ``Mailer`` protocol, ``SendError`` and the choice
of backend (DESIGN §5).

Backends live in modules of their own and are imported on first use, so a ``tick`` that
writes into the Maildir never loads an SMTP library.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

from followup.config import Settings
from followup.errors import ConfigError


class SendError(Exception):
    """Delivery did not happen, or may have: the flags say what the outbox does next.

    ``permanent``: retrying cannot help (refused recipient, invalid address): ``failed``.
    ``ambiguous``: the message may have reached the server (connection lost during
    DATA): ``uncertain``, never retried automatically. Neither: retry later.
    ``stops``: the fault is the delivery's, not the letter's (an outbox that cannot be
    written, a server that refuses our login): the letter is retried later and the round
    stops, since every other letter would fail the same way.
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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.ambiguous = ambiguous
        self.stops = stops
        self.code = code


class Mailer(Protocol):
    """Delivers one built message, or raises ``SendError`` saying how far it got.

    Any other exception is a bug; the sender treats the letter as ``uncertain``.
    The SMTP mailer of the delivery issue implements this same protocol: it keeps one
    connection for a batch (opened on the first ``send``) and drives aiosmtplib step
    by step (``mail``, ``rcpt``, ``data``) on a private event loop, so that it can tell
    "not sent, retry" from "may have been sent".
    """

    def send(self, message: EmailMessage) -> None: ...


def mailer_for(settings: Settings) -> Mailer:
    """The mailer the settings ask for: the Maildir when no SMTP server is set."""
    if settings.smtp_url:
        raise ConfigError(
            "FOLLOWUP_SMTP_URL is set but SMTP delivery is not available in this version; "
            "unset it to deliver into the outbox Maildir"
        )
    from followup.mail.maildir import MaildirMailer

    return MaildirMailer(settings.outbox_dir, stale_seconds=settings.lease_seconds)
