"""What one message from the owner's inbox is (DESIGN §5a): a delivery status report, an
automatic reply, or a person writing. Pure: bytes in, an ``Incoming`` out.

The order matters. A DSN (RFC 3464, ``multipart/report; report-type=delivery-status``)
is recognised first, because real bounces carry ``Auto-Submitted: auto-replied`` too.
Then the signs of an automatic reply: RFC 3834 ``Auto-Submitted`` other than ``no``,
``X-Autoreply`` (or ``X-Autorespond``), ``Precedence: auto_reply|bulk|junk``, or an
out-of-office subject in Spanish or English. Everything else was written by a person.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from email import message_from_bytes, message_from_string
from email.header import Header, decode_header, make_header
from email.message import Message
from email.utils import getaddresses
from typing import Literal

Kind = Literal["dsn", "auto_reply", "human"]

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_AUTO_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk"})
# Compared without case or accents ("Respuesta automática" = "respuesta automatica").
_OUT_OF_OFFICE = re.compile(
    r"\b(out of (the )?office|automatic reply|auto[- ]?reply|auto[- ]?response"
    r"|away from (the |my )?office|fuera de (la )?oficina|ausente de la oficina"
    r"|respuesta automatica|contestacion automatica|mensaje automatico)\b"
)
KEY_MAX = 300  # InboxMessage.message_key


@dataclass(frozen=True)
class Recipient:
    """One recipient of a delivery status report."""

    address: str
    original: str | None
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str  # 5.1.1
    words: str  # the remote server's diagnostic, or the status when it gave none

    def names(self, address: str) -> bool:
        wanted = address.strip().lower()
        return wanted in (self.address, self.original)

    @property
    def failed(self) -> bool:
        """Given up for good: RFC 3464 ``Action: failed`` with a permanent 5.x.x."""
        return self.action == "failed" and self.status.startswith("5.")


@dataclass(frozen=True)
class Incoming:
    key: str  # the Message-ID, or "sha256:…" of the bytes when it has none
    kind: Kind
    sender: str | None  # the From address, lower case
    subject: str
    # Message-IDs it answers (In-Reply-To, References) or returns (a DSN's original).
    refers: tuple[str, ...]
    recipients: tuple[Recipient, ...] = ()

    def recipient(self, address: str | None) -> Recipient | None:
        """The report's line about ``address`` (its final or original recipient)."""
        if not address:
            return None
        return next((r for r in self.recipients if r.names(address)), None)


def classify(raw: bytes) -> Incoming:
    """What the message ``raw`` is, and what it refers to."""
    message = message_from_bytes(raw)
    key = message_key(_header(message, "Message-ID"), raw)
    senders = [addr for _, addr in getaddresses([_header(message, "From")]) if "@" in addr]
    sender = senders[0].strip().lower() if senders else None
    subject = _decoded(_header(message, "Subject"))
    refers = _ids(_header(message, "In-Reply-To"), _header(message, "References"))
    if _is_dsn(message):
        returned, recipients = _report(message)
        return Incoming(key, "dsn", sender, subject, _unique(refers + returned), recipients)
    kind: Kind = "auto_reply" if is_automatic(message, subject) else "human"
    return Incoming(key, kind, sender, subject, refers)


def is_automatic(message: Message, subject: str) -> bool:
    """The signs of a message no person wrote (RFC 3834 and the common practice)."""
    submitted = _header(message, "Auto-Submitted")
    if message.get("Auto-Submitted") is not None and _token(submitted) != "no":
        return True
    for name in ("X-Autoreply", "X-Autorespond"):
        if message.get(name) is not None and _token(_header(message, name)) != "no":
            return True
    if _token(_header(message, "Precedence")) in _AUTO_PRECEDENCE:
        return True
    return _OUT_OF_OFFICE.search(_folded(subject)) is not None


def message_key(message_id: str, raw: bytes) -> str:
    """How a message is known when read again: its Message-ID, or a digest of its bytes
    (a message without one, or with one too long to keep)."""
    found = _MESSAGE_ID.search(message_id)
    if found and len(found[0]) <= KEY_MAX:
        return found[0]
    return "sha256:" + hashlib.sha256(found[0].encode() if found else raw).hexdigest()


def _is_dsn(message: Message) -> bool:
    return (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type", "")).lower() == "delivery-status"
    )


def _report(message: Message) -> tuple[tuple[str, ...], tuple[Recipient, ...]]:
    """The Message-IDs of the returned original and the per-recipient lines of a DSN."""
    returned: list[str] = []
    recipients: list[Recipient] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            blocks = part.get_payload()
            if isinstance(blocks, list):
                recipients += [
                    r for b in blocks[1:] if isinstance(b, Message) and (r := _recipient(b))
                ]
        elif kind == "text/rfc822-headers":
            text = part.get_payload(decode=True)
            if isinstance(text, bytes):
                headers = message_from_string(text.decode("utf-8", "replace"))
                returned += _ids(_header(headers, "Message-ID"))
        elif kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                returned += _ids(_header(inner[0], "Message-ID"))
    return tuple(returned), tuple(recipients)


def _recipient(block: Message) -> Recipient | None:
    address = _typed_address(_header(block, "Final-Recipient"))
    if not address:
        return None
    status = _STATUS.search(_header(block, "Status"))
    code = status[0] if status else ""
    diagnostic = " ".join(_header(block, "Diagnostic-Code").split())
    words = diagnostic.partition(";")[2].strip() or diagnostic or code
    return Recipient(
        address=address,
        original=_typed_address(_header(block, "Original-Recipient")) or None,
        action=_token(_header(block, "Action")),
        status=code,
        words=words,
    )


def _typed_address(value: str) -> str:
    """``rfc822; ana@example.es`` -> ``ana@example.es``."""
    kind, _, address = value.partition(";")
    address = (address if address else kind).strip().strip("<>").lower()
    return address if "@" in address else ""


def _header(message: Message, name: str) -> str:
    values = message.get_all(name) or []
    return " ".join(_text(value) for value in values)


def _text(value: object) -> str:
    """A header as text; raw 8-bit bytes (which some mail programs send unencoded) read
    as UTF-8, else Latin-1."""
    if not isinstance(value, Header):
        return str(value)
    parts = []
    for chunk, charset in decode_header(value):
        if not isinstance(chunk, bytes):
            parts.append(chunk)
            continue
        try:
            parts.append(chunk.decode("utf-8" if charset in (None, "unknown-8bit") else charset))
        except (LookupError, UnicodeDecodeError):
            parts.append(chunk.decode("latin-1"))
    return "".join(parts)


def _token(value: str) -> str:
    return value.split(";")[0].strip().lower()


def _ids(*values: str) -> tuple[str, ...]:
    return _unique(tuple(found for value in values for found in _MESSAGE_ID.findall(value)))


def _unique(ids: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


def _decoded(value: str) -> str:
    """An RFC 2047 subject as text on one line ("=?utf-8?q?…?=" decoded)."""
    try:
        text = str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError):
        text = value
    return " ".join(text.split())


def _folded(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
