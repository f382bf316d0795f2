"""Letters as email: the one function that builds every message, and its delivery (§5).

``build_message`` is the only place a mail header is written, from a fixed list:
Message-ID, Date, From, Reply-To, To, Subject (plus the MIME headers of the
``multipart/alternative`` body). Names and subjects are squeezed onto one line, so a
CR/LF typed into a client's name can never start a header of its own; an address that
is not a plain, valid address is refused with a permanent ``SendError``.

Delivery goes through a ``Mailer``. This version has the Maildir at
``FOLLOWUP_OUTBOX_DIR``, which any mail client opens (``mutt -f outbox``).
"""

from __future__ import annotations

import mailbox
import re
import secrets
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

from followup.config import ConfigError, Settings
from followup.models import Business, Client, Letter

# On the wire: CRLF line ends, long headers folded, non-ASCII headers RFC 2047-encoded.
POLICY = policy.SMTP
HEADERS = ("Message-ID", "Date", "From", "Reply-To", "To", "Subject")

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_MESSAGE_ID = re.compile(rf"<{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*>")


class SendError(Exception):
    """Delivery did not happen, or may have: the flags say what the outbox does next.

    ``permanent``: retrying cannot help (refused recipient, invalid address): ``failed``.
    ``ambiguous``: the message may have reached the server (connection lost during
    DATA): ``uncertain``, never retried automatically. Neither: retry later.
    ``code`` is the server's reply code or a short tag; the message is the server's words.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        ambiguous: bool = False,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.ambiguous = ambiguous
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


class MaildirMailer:
    """Delivers into a Maildir: written under ``tmp/``, then renamed into ``new/``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def send(self, message: EmailMessage) -> None:
        try:
            for sub in ("tmp", "new", "cur"):
                (self.path / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
            # Mail clients expect a Maildir file with plain LF line ends.
            data = message.as_bytes(policy=message.policy.clone(linesep="\n"))
            mailbox.Maildir(self.path, create=False).add(data)
        except OSError as exc:
            raise SendError(
                f"cannot write to the outbox Maildir {self.path}: {exc}",
                permanent=False,
                code="maildir",
            ) from exc


def mailer_for(settings: Settings) -> Mailer:
    """The mailer the settings ask for: the Maildir when no SMTP server is set."""
    if settings.smtp_url:
        raise ConfigError(
            "FOLLOWUP_SMTP_URL is set but SMTP delivery is not available in this version; "
            "unset it to deliver into the outbox Maildir"
        )
    return MaildirMailer(settings.outbox_dir)


def build_message(
    letter: Letter, business: Business, client: Client, now: datetime
) -> EmailMessage:
    """The email for ``letter``, dated ``now``; raises ``SendError(permanent=True)``
    when an address or the stored Message-ID is unusable."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not letter.to_email:
        raise SendError(
            f"letter {letter.id} has no email address to send to",
            permanent=True,
            code="no_address",
        )
    if not _MESSAGE_ID.fullmatch(letter.message_id):
        raise SendError(
            f"letter {letter.id} has an invalid Message-ID {letter.message_id!r}",
            permanent=True,
            code="bad_message_id",
        )
    message = EmailMessage(policy=POLICY)
    message["Message-ID"] = letter.message_id
    message["Date"] = format_datetime(now.astimezone(UTC))
    message["From"] = _address(business.name, business.sender_email, "the sender address")
    if business.reply_to:
        message["Reply-To"] = _address(
            business.owner_name, business.reply_to, "the reply-to address"
        )
    message["To"] = _address(client.name, letter.to_email, "the recipient address")
    message["Subject"] = one_line(letter.subject)
    message.set_content(letter.body_text, cte="quoted-printable")
    message.add_alternative(letter.body_html, subtype="html", cte="quoted-printable")
    return message


def make_message_id(domain: str, now: datetime) -> str:
    """A new Message-ID such as ``<20261123090000.3f9a0c2b7d41e685@taller.example>``.

    ``domain`` is the part after "@" of the business's sender address; it is stored
    on the letter when it is drafted, so every resend carries the same Message-ID.
    """
    ascii_domain = _ascii_domain(domain)
    if ascii_domain is None:
        raise ValueError(f"{domain!r} is not a mail domain")
    stamp = now.astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return f"<{stamp}.{secrets.token_hex(8)}@{ascii_domain}>"


def one_line(text: str) -> str:
    """``text`` with every line break, tab and control character turned into one space."""
    cleaned = "".join(" " if ord(ch) < 32 or 127 <= ord(ch) < 160 else ch for ch in text)
    return " ".join(cleaned.split())


def _address(name: str, address: str, role: str) -> Address:
    local, at, domain = address.strip().rpartition("@")
    ascii_domain = _ascii_domain(domain)
    if not at or not _LOCAL_PART.fullmatch(local) or ascii_domain is None:
        # repr() so a CR/LF shows as \r\n in the error instead of breaking the line.
        raise SendError(
            f"{role} {address!r} is not a valid email address",
            permanent=True,
            code="bad_address",
        )
    return Address(display_name=one_line(name), username=local, domain=ascii_domain)


def _ascii_domain(domain: str) -> str | None:
    """The domain in ASCII (IDNA for an internationalised one), or None if invalid."""
    try:
        encoded = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return encoded if len(encoded) <= 253 and _DOMAIN.fullmatch(encoded) else None
